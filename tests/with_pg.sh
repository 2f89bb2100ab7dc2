#!/bin/sh
# with_pg.sh CMD... - run CMD against a throwaway PostgreSQL 15 cluster on 127.0.0.1.
#
# initdb + pg_ctl in a temporary directory (as user postgres when run as root, since the
# server refuses root), a random port below the ephemeral range with retries, fsync off; the
# cluster and its directory are removed when CMD ends, whatever way it ends (PG_DURABLE=1:
# fsync and synchronous commit on, for benchmarks). CMD sees
# PGHOST/PGPORT/PGUSER and GRIDGOV_TEST_BACKEND=postgresql.
set -eu
PGBIN=$(pg_config --bindir 2>/dev/null || true)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
TMP=$(mktemp -d /tmp/gridgov-pg.XXXXXX)
if [ "$(id -u)" -eq 0 ]; then chown postgres: "$TMP"; AS="runuser -u postgres --"; else AS=""; fi
child=""
cleanup() {
    $AS "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$TMP"
}
trap cleanup EXIT
trap '[ -n "$child" ] && kill "$child" 2>/dev/null; exit 130' INT TERM
here=$(pwd)
cd "$TMP" # the server must be able to read its working directory
$AS "$PGBIN/initdb" -D "$TMP/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync \
    >"$TMP/init.log" 2>&1 || { cat "$TMP/init.log"; exit 1; }
# Tests need no durability; benchmarks (PG_DURABLE=1) must pay for it like SQLite does.
if [ "${PG_DURABLE:-0}" = 1 ]; then
    DURABILITY="-c shared_buffers=256MB"
else
    DURABILITY="-c fsync=off -c full_page_writes=off -c synchronous_commit=off"
fi
i=0
while :; do
    i=$((i + 1))
    PORT=$(shuf -i 20000-32000 -n 1)
    if $AS "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -w -t 30 -o "-c listen_addresses=127.0.0.1 \
        -p $PORT -c unix_socket_directories=$TMP $DURABILITY -c max_connections=200" \
        start >/dev/null 2>&1; then
        break
    fi
    if [ "$i" -ge 8 ]; then cat "$TMP/server.log"; exit 1; fi
done
export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres PGDATABASE=postgres
export GRIDGOV_TEST_BACKEND=postgresql
cd "$here"
"$@" &
child=$!
set +e
wait "$child"
rc=$?
exit $rc
