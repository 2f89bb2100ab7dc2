/*
 * store_pg.c - the PostgreSQL backend of the storage interface (see store.h): connection,
 * schema, transactions, meta, areas, users and sessions; the helpers every store_pg_*.c uses.
 *
 * One struct pg_store is one libpq connection, used by one thread at a time: every thread of
 * the server opens its own store (service/context.c), so the threads are the connection pool.
 * Write transactions are serialised by a transaction-scoped advisory lock taken at BEGIN, the
 * way SQLite's BEGIN IMMEDIATE serialises them: the services' read-then-write logic (serials,
 * optimistic sequence checks, quorum counts) keeps exactly the guarantees it has on SQLite,
 * readers never wait, and no two of our transactions can deadlock or fail to serialise.
 * Statements outside a transaction that still fail that way (40001, 40P01) are retried.
 */
#include "store/pg/pg_internal.h"
#include "store/store_impl.h"

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Newest schema version of this backend: always the SQLite backend's too (a unit test holds
 * them equal), so one gridgov knows one schema whatever the backend. */
#define PG_SCHEMA_BASELINE 9

/* The advisory lock key of write transactions (any constant; "gridgov" in ASCII). */
#define PG_WRITE_LOCK "6775726964676f76"

/* ---- parameters and results -------------------------------------------------------------- */

void pgp_init(struct pg_params *p)
{
    p->n = 0;
}

static char *pgp_slot(struct pg_params *p)
{
    if (p->n >= PG_MAX_PARAMS) {
        /* A programming error (a statement with too many parameters): fail loudly. */
        log_error("store", "postgresql: more than %d parameters", PG_MAX_PARAMS);
        abort();
    }
    return p->num[p->n];
}

void pgp_text(struct pg_params *p, const char *v)
{
    (void)pgp_slot(p);
    p->values[p->n++] = v;
}

void pgp_int(struct pg_params *p, int64_t v)
{
    char *buf = pgp_slot(p);
    snprintf(buf, sizeof(p->num[0]), "%" PRId64, v);
    p->values[p->n++] = buf;
}

void pgp_double(struct pg_params *p, double v)
{
    char *buf = pgp_slot(p);
    snprintf(buf, sizeof(p->num[0]), "%.17g", v);
    p->values[p->n++] = buf;
}

void pgp_null(struct pg_params *p)
{
    pgp_text(p, NULL);
}

int64_t pg_affected(const PGresult *res)
{
    const char *t = PQcmdTuples((PGresult *)res);
    return t && t[0] ? strtoll(t, NULL, 10) : 0;
}

int64_t pg_int(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return 0;
    return strtoll(PQgetvalue(res, row, col), NULL, 10);
}

double pg_double(const PGresult *res, int row, int col)
{
    if (PQgetisnull(res, row, col))
        return 0.0;
    return strtod(PQgetvalue(res, row, col), NULL);
}

int pg_is_null(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col);
}

void pg_copy(const PGresult *res, int row, int col, char *out, size_t size)
{
    snprintf(out, size, "%s", PQgetisnull(res, row, col) ? "" : PQgetvalue(res, row, col));
}

char *pg_dup(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : xstrdup(PQgetvalue(res, row, col));
}

void pg_district(const char *code, char out[7])
{
    snprintf(out, 7, "%.6s", code ? code : "");
}

/* ---- running statements -------------------------------------------------------------------- */

/* Map a failed result to an error code, logging it once. */
static int pg_fail(struct pg_store *s, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res ? PQresultErrorMessage(res) : PQerrorMessage(s->conn);
    if (state != NULL && strcmp(state, "40001") != 0 && strcmp(state, "40P01") != 0 &&
        strncmp(state, "23", 2) == 0) {
        log_debug("store", "postgresql %s: constraint (%s): %s", what, state, msg);
        return ERR_CONFLICT;
    }
    log_error("store", "postgresql %s failed: %s%s%s", what, msg ? msg : "",
              state ? " sqlstate " : "", state ? state : "");
    if (state != NULL &&
        (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 || strcmp(state, "55P03") == 0))
        return ERR_BUSY;
    return ERR_DB;
}

static int pg_retryable(const PGresult *res)
{
    const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
    return state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0);
}

/* Outside a transaction, a connection that broke (server restart) is re-opened once; its
 * prepared statements went with it. */
static int pg_ensure_connection(struct pg_store *s)
{
    if (PQstatus(s->conn) == CONNECTION_OK)
        return 0;
    if (s->in_tx)
        return ERR_DB;
    log_warn("store", "postgresql connection lost; reconnecting");
    PQreset(s->conn);
    memset(s->prepared, 0, sizeof(s->prepared));
    if (PQstatus(s->conn) != CONNECTION_OK) {
        log_error("store", "postgresql reconnect failed: %s", PQerrorMessage(s->conn));
        return ERR_DB;
    }
    return 0;
}

static const char sql_savepoint[] = "SAVEPOINT nested";
static const char sql_release[] = "RELEASE SAVEPOINT nested";

/* The pending savepoint commands, then sql, as one multi-command text (malloc'd). */
static char *pg_pending_text(const struct pg_store *s, const char *sql)
{
    size_t len = strlen(sql) + 1;
    char *text, *at;
    for (int i = 0; i < s->n_pending; i++)
        len += strlen(s->pending[i]) + 2;
    text = at = xmalloc(len);
    for (int i = 0; i < s->n_pending; i++)
        at += sprintf(at, "%s; ", s->pending[i]);
    memcpy(at, sql, strlen(sql) + 1);
    return text;
}

/*
 * Send the pending savepoint commands, the statement's PREPARE when it is new on this
 * connection, and the statement, in one pipeline (one round trip instead of one per command).
 * Returns the statement's result, or the first failure before it (later commands of a failed
 * pipeline are not run). The pending commands are gone either way: after a failure the
 * transaction is aborted and the caller rolls back.
 */
static PGresult *pg_run_pipelined(struct pg_store *s, int slot, const char *sql,
                                  const struct pg_params *p, const char *name)
{
    int n = p ? p->n : 0, sent = 0, all_sent = 1, got = 0, nulls = 0;
    int prepare = slot >= 0 && !s->prepared[slot];
    const char *const *values = p ? p->values : NULL;
    PGresult *fail = NULL, *last = NULL;
    if (!PQenterPipelineMode(s->conn))
        return NULL;
    for (int i = 0; i < s->n_pending && all_sent; i++, sent++)
        all_sent = PQsendQueryParams(s->conn, s->pending[i], 0, NULL, NULL, NULL, NULL, 0);
    s->n_pending = 0;
    if (prepare && all_sent && (all_sent = PQsendPrepare(s->conn, name, sql, n, NULL)) != 0)
        sent++;
    if (all_sent &&
        (all_sent = slot >= 0 ? PQsendQueryPrepared(s->conn, name, n, values, NULL, NULL, 0)
                              : PQsendQueryParams(s->conn, sql, n, NULL, values, NULL, NULL, 0)))
        sent++;
    if (!PQpipelineSync(s->conn)) {
        PQexitPipelineMode(s->conn);
        return NULL; /* the connection is gone */
    }
    /* Each command gives one result then NULL; the sync gives PGRES_PIPELINE_SYNC. Two NULLs
     * in a row mean the connection gave up. */
    for (;;) {
        PGresult *res = PQgetResult(s->conn);
        ExecStatusType st;
        if (res == NULL) {
            if (++nulls == 2)
                break;
            continue;
        }
        nulls = 0;
        st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        got++;
        if (fail == NULL && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK &&
            st != PGRES_PIPELINE_ABORTED) {
            fail = res; /* the first failure is the answer */
            continue;
        }
        if (got == sent && all_sent && fail == NULL)
            last = res; /* the statement's own result */
        else
            PQclear(res);
    }
    PQexitPipelineMode(s->conn);
    if (fail != NULL) {
        PQclear(last);
        return fail;
    }
    if (last != NULL && prepare)
        s->prepared[slot] = 1;
    return last; /* NULL: the connection failed (the caller reports PQerrorMessage) */
}

static PGresult *pg_run_once(struct pg_store *s, int slot, const char *sql,
                             const struct pg_params *p, const char *what)
{
    int n = p ? p->n : 0;
    const char *const *values = p ? p->values : NULL;
    char name[16];
    if (slot < 0 && n == 0) {
        /* fixed SQL; may hold several commands: the pending ones go in front */
        if (s->n_pending > 0) {
            char *text = pg_pending_text(s, sql);
            PGresult *res = PQexec(s->conn, text);
            free(text);
            s->n_pending = 0;
            return res;
        }
        return PQexec(s->conn, sql);
    }
    if (slot < 0)
        return s->n_pending > 0 ? pg_run_pipelined(s, slot, sql, p, NULL)
                                : PQexecParams(s->conn, sql, n, NULL, values, NULL, NULL, 0);
    if (slot >= PG_SLOT_COUNT) {
        log_error("store", "postgresql %s: statement slot %d out of range", what, slot);
        return NULL;
    }
    snprintf(name, sizeof(name), "s%d", slot);
    if (s->n_pending > 0)
        return pg_run_pipelined(s, slot, sql, p, name);
    if (!s->prepared[slot]) {
        PGresult *prep = PQprepare(s->conn, name, sql, n, NULL);
        if (PQresultStatus(prep) != PGRES_COMMAND_OK)
            return prep; /* the caller reports the failure */
        PQclear(prep);
        s->prepared[slot] = 1;
    }
    return PQexecPrepared(s->conn, name, n, values, NULL, NULL, 0);
}

int pg_query(struct pg_store *s, int slot, const char *sql, const struct pg_params *p,
             const char *what, PGresult **res)
{
    if (res != NULL)
        *res = NULL;
    if (pg_ensure_connection(s) != 0)
        return ERR_DB;
    for (int attempt = 0;; attempt++) {
        PGresult *r = pg_run_once(s, slot, sql, p, what);
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            if (res != NULL)
                *res = r;
            else
                PQclear(r);
            return 0;
        }
        /* A prepared statement may have been lost with the session (e.g. DISCARD ALL by a
         * pooler): prepare again once. */
        if (r != NULL && slot >= 0 && !s->in_tx) {
            const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
            if (state != NULL && strcmp(state, "26000") == 0 && attempt == 0) {
                PQclear(r);
                s->prepared[slot] = 0;
                continue;
            }
        }
        if (r != NULL && !s->in_tx && pg_retryable(r) && attempt < 4) {
            PQclear(r);
            usleep((useconds_t)(2000u << attempt));
            continue;
        }
        if (r == NULL && !s->in_tx && attempt == 0 && PQstatus(s->conn) != CONNECTION_OK) {
            if (pg_ensure_connection(s) == 0)
                continue;
        }
        int code = pg_fail(s, r, what);
        PQclear(r);
        return code;
    }
}

static int pg_exec_plain(struct pg_store *s, const char *sql, const char *what)
{
    return pg_query(s, -1, sql, NULL, what, NULL);
}

int pg_query_guarded(struct pg_store *s, int slot, const char *sql, const struct pg_params *p,
                     const char *what, PGresult **res)
{
    int r;
    if (!s->in_tx)
        return pg_query(s, slot, sql, p, what, res);
    if ((r = pg_exec_plain(s, "SAVEPOINT guarded", "savepoint")) != 0)
        return r;
    r = pg_query(s, slot, sql, p, what, res);
    if (r != 0) {
        int r2 = pg_exec_plain(s, "ROLLBACK TO SAVEPOINT guarded", "rollback to savepoint");
        if (r2 != 0)
            return r2;
    }
    int r3 = pg_exec_plain(s, "RELEASE SAVEPOINT guarded", "release savepoint");
    return r != 0 ? r : r3;
}

/* ---- statements of this file ---------------------------------------------------------------- */

#define AREA_COLS                                                                                  \
    "code, name, level, minx, miny, maxx, maxy, households, persons, children, "                   \
    "CASE WHEN $2::int <> 0 THEN geometry END"

#define CORE_STMT_MAP(X)                                                                           \
    X(META_GET, "SELECT value FROM meta WHERE key = $1")                                           \
    X(META_SET, "INSERT INTO meta(key, value) VALUES ($1, $2) "                                    \
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")                           \
    X(AREAS_VERSION_BUMP, "UPDATE meta SET value = (value::bigint + 1)::text "                     \
                          "WHERE key = 'areas_version'")                                           \
    X(AREA_PUT, "INSERT INTO areas(code, parent, name, level, minx, miny, maxx, maxy, geometry, "  \
                "updated_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "                    \
                "ON CONFLICT(code) DO UPDATE SET parent = excluded.parent, name = excluded.name, " \
                "level = excluded.level, minx = excluded.minx, miny = excluded.miny, "             \
                "maxx = excluded.maxx, maxy = excluded.maxy, geometry = excluded.geometry, "       \
                "updated_ms = excluded.updated_ms")                                                \
    X(AREA_GET, "SELECT " AREA_COLS " FROM areas WHERE code = $1")                                 \
    X(AREA_EXISTS, "SELECT 1 FROM areas WHERE code = $1")                                          \
    X(AREA_CHILDREN, "SELECT " AREA_COLS " FROM areas WHERE parent = $1 ORDER BY code")            \
    X(AREA_WALK, "SELECT " AREA_COLS " FROM areas WHERE code >= $1 AND code < $1 || ':' "          \
                 "AND level <= $3 ORDER BY code")                                                  \
    X(SIZE_BYTES, "SELECT pg_database_size(current_database())")                                   \
    X(AREA_COUNT, "SELECT count(*) FROM areas")                                                    \
    X(AREA_MIN_LEVEL, "SELECT coalesce(min(level), 0) FROM areas")                                 \
    X(AREA_RECOUNT_LEVEL,                                                                          \
      "UPDATE areas SET "                                                                          \
      "households = (SELECT count(*) FROM households h WHERE h.cell_code = areas.code) + "         \
      "  coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent = areas.code), 0), "       \
      "persons = (SELECT count(*) FROM persons p WHERE p.cell_code = areas.code) + "               \
      "  coalesce((SELECT sum(c.persons) FROM areas c WHERE c.parent = areas.code), 0), "          \
      "children = (SELECT count(*) FROM areas c WHERE c.parent = areas.code) "                     \
      "WHERE level = $1")                                                                          \
    X(USER_INSERT, "INSERT INTO users(username, display_name, role, area_code, department, "       \
                   "password_hash, created_ms, is_disabled) VALUES ($1, $2, $3, $4, $5, $6, $7, "  \
                   "$8) ON CONFLICT (username) DO NOTHING RETURNING id")                           \
    X(USER_BY_NAME, "SELECT " PG_USER_COLS " FROM users WHERE username = $1")                      \
    X(USER_BY_ID, "SELECT " PG_USER_COLS " FROM users WHERE id = $1")                              \
    X(USER_LIST, "SELECT " PG_USER_COLS " FROM users WHERE area_code >= $1 AND "                   \
                 "area_code < $1 || ':' ORDER BY username")                                        \
    X(USER_PAGE, "SELECT " PG_USER_COLS " FROM users WHERE area_code >= $1 AND "                   \
                 "area_code < $1 || ':' AND username > $2 ORDER BY username LIMIT $3")             \
    X(USER_SET_PASSWORD, "UPDATE users SET password_hash = $2, failed_logins = 0, "                \
                         "locked_until_ms = 0 WHERE id = $1")                                      \
    X(USER_SET_LOGIN, "UPDATE users SET failed_logins = $2, locked_until_ms = $3 WHERE id = $1")   \
    X(SESSION_INSERT, "INSERT INTO sessions(token_hash, csrf_token, user_id, created_ms, "         \
                      "expires_ms) VALUES ($1, $2, $3, $4, $5)")                                   \
    X(SESSION_GET, "SELECT token_hash, csrf_token, user_id, created_ms, expires_ms FROM sessions " \
                   "WHERE token_hash = $1 AND expires_ms > $2")                                    \
    X(SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = $1")                                \
    X(SESSION_DELETE_USER, "DELETE FROM sessions WHERE user_id = $1")                              \
    X(SESSION_PURGE, "DELETE FROM sessions WHERE expires_ms <= $1")

enum core_stmt {
#define CORE_GEN_ENUM(name, sql) CORE_##name,
    CORE_STMT_MAP(CORE_GEN_ENUM)
#undef CORE_GEN_ENUM
        CORE_COUNT
};

_Static_assert(CORE_COUNT <= PG_SLOT_CASES - PG_SLOT_CORE, "too many core statements");

static const char *const core_sql[CORE_COUNT] = {
#define CORE_GEN_SQL(name, sql) sql,
    CORE_STMT_MAP(CORE_GEN_SQL)
#undef CORE_GEN_SQL
};

static int core_query(struct pg_store *s, enum core_stmt id, const struct pg_params *p,
                      const char *what, PGresult **res)
{
    return pg_query(s, PG_SLOT_CORE + (int)id, core_sql[id], p, what, res);
}

/* ---- schema -------------------------------------------------------------------------------- */

static const char pg_schema_core[] =
    "CREATE EXTENSION IF NOT EXISTS pg_trgm;"
    "CREATE TABLE meta ("
    "  key text COLLATE \"C\" PRIMARY KEY,"
    "  value text NOT NULL"
    ");"
    "INSERT INTO meta(key, value) VALUES ('areas_version', '0');"
    "CREATE TABLE areas ("
    "  code text COLLATE \"C\" PRIMARY KEY,"
    "  parent text COLLATE \"C\" NOT NULL,"
    "  name text NOT NULL,"
    "  level int NOT NULL CHECK (level BETWEEN 1 AND 7),"
    "  minx double precision NOT NULL DEFAULT 0, miny double precision NOT NULL DEFAULT 0,"
    "  maxx double precision NOT NULL DEFAULT 0, maxy double precision NOT NULL DEFAULT 0,"
    "  geometry text,"
    "  households bigint NOT NULL DEFAULT 0,"
    "  persons bigint NOT NULL DEFAULT 0,"
    "  children bigint NOT NULL DEFAULT 0,"
    "  updated_ms bigint NOT NULL"
    ");"
    "CREATE INDEX areas_parent ON areas(parent, code);"
    "CREATE INDEX areas_level ON areas(level, code);"
    "CREATE TABLE users ("
    "  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  username text COLLATE \"C\" NOT NULL UNIQUE,"
    "  display_name text NOT NULL DEFAULT '',"
    "  role text NOT NULL,"
    "  area_code text COLLATE \"C\" NOT NULL,"
    "  department text NOT NULL DEFAULT '',"
    "  password_hash text NOT NULL,"
    "  failed_logins int NOT NULL DEFAULT 0,"
    "  locked_until_ms bigint NOT NULL DEFAULT 0,"
    "  created_ms bigint NOT NULL,"
    "  is_disabled int NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX users_area ON users(area_code);"
    "CREATE TABLE sessions ("
    "  token_hash text COLLATE \"C\" PRIMARY KEY,"
    "  csrf_token text NOT NULL,"
    "  user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
    "  created_ms bigint NOT NULL,"
    "  expires_ms bigint NOT NULL"
    ");"
    "CREATE INDEX sessions_user ON sessions(user_id);"
    "CREATE INDEX sessions_expiry ON sessions(expires_ms);";

struct pg_migration {
    int version;
    const char *description;
    const char *const *sql; /* NULL-terminated pieces, run in order */
};

static const char *const baseline_pieces[] = {
    pg_schema_core,    pg_schema_basedata, pg_schema_cases,     pg_schema_rollups,
    pg_schema_open311, pg_schema_disputes, pg_schema_fieldwork, NULL,
};

static const char *const volunteers_pieces[] = {pg_schema_volunteers, NULL};
static const char *const ratings_pieces[] = {pg_schema_ratings, NULL};
static const char *const webui_pieces[] = {pg_schema_webui, NULL};
static const char *const open311_updates_pieces[] = {pg_schema_open311_updates, NULL};
static const char *const near_cell_pieces[] = {pg_schema_near_cell, NULL};
static const char *const tasks_pieces[] = {pg_schema_tasks, NULL};
static const char *const status_time_pieces[] = {pg_schema_status_time, NULL};
static const char *const near_point_pieces[] = {pg_schema_near_point, NULL};
/* 14: community month cells (service/rollups.h ROLLUPS_MONTH_LEVEL_MAX 4 -> 5): a database
 * holding cases has its roll-ups marked stale and rebuilt from the event log on first open. */
static const char *const rollups_community_months_pieces[] = {
    "INSERT INTO meta(key, value) SELECT 'rollups_stale', '1' WHERE EXISTS (SELECT 1 FROM cases) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value;",
    NULL};

static const struct pg_migration pg_migrations[] = {
    {PG_SCHEMA_BASELINE,
     "areas, users, sessions, base data, cases, roll-ups, Open311, disputes, councils, field "
     "work (the SQLite schema of version 9 in one step)",
     baseline_pieces},
    {10, "volunteers, needs and assignments, posts with members and logged hours, chiefs",
     volunteers_pieces},
    {11, "ratings and surveys: questionnaires, responses, yearly star ratings", ratings_pieces},
    {12, "idempotency keys of household visits (offline web queue)", webui_pieces},
    {13, "Open311: the FixMyStreet update_id of each posted update, per client",
     open311_updates_pieces},
    {14, "duplicate search by category and a small cell of the point, not a longitude strip",
     near_cell_pieces},
    {15, "task lists: each household's last visit and its active members' tags, kept by triggers",
     tasks_pieces},
    {16, "indicator roll-ups: month cells for communities too (rebuilt once)",
     rollups_community_months_pieces},
    {17, "case lists by status: the newest cases of a status, with their area, from an index",
     status_time_pieces},
    {18, "duplicate search from its index alone: the point and status in the cell index",
     near_point_pieces},
};

#define PG_MIGRATION_COUNT ((int)(sizeof(pg_migrations) / sizeof(pg_migrations[0])))

int pg_schema_latest(void)
{
    return pg_migrations[PG_MIGRATION_COUNT - 1].version;
}

/* The schema version recorded in meta (0 when there is no schema yet). */
static int pg_read_version(struct pg_store *s, int *out)
{
    PGresult *res = NULL;
    int r;
    *out = 0;
    r = pg_query(s, -1, "SELECT to_regclass('meta') IS NOT NULL", NULL, "schema check", &res);
    if (r != 0)
        return r;
    int has_meta = PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
    PQclear(res);
    if (!has_meta)
        return 0;
    r = pg_query(s, -1, "SELECT value FROM meta WHERE key = 'schema_version'", NULL,
                 "schema version", &res);
    if (r != 0)
        return r;
    if (PQntuples(res) == 1)
        *out = (int)strtol(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    return 0;
}

static int pg_schema_version_op(struct store *st, int *out)
{
    return pg_read_version(pg(st), out);
}

static int pg_migrate(struct pg_store *s, struct errbuf *eb)
{
    int version, r;
    int latest = pg_schema_latest();
    char text[16];
    struct pg_params p;

    if ((r = pg_read_version(s, &version)) != 0)
        return errbuf_set(eb, r, "cannot read the schema version: %s", PQerrorMessage(s->conn));
    if (version > latest)
        return errbuf_set(eb, ERR_DB_TOO_NEW,
                          "database schema version %d is newer than this gridgov knows (%d); "
                          "upgrade gridgov",
                          version, latest);
    if (version == latest)
        return 0;
    if ((r = pg_exec_plain(s, "BEGIN", "begin migration")) != 0)
        return r;
    /* Another process may be migrating: wait for it, then re-read. */
    if ((r = pg_exec_plain(s, "SELECT pg_advisory_xact_lock(x'" PG_WRITE_LOCK "'::bigint)",
                           "lock migration")) != 0 ||
        (r = pg_read_version(s, &version)) != 0)
        goto fail;
    for (int i = 0; i < PG_MIGRATION_COUNT; i++) {
        const struct pg_migration *m = &pg_migrations[i];
        if (m->version <= version)
            continue;
        if (version > 0 && m->sql == baseline_pieces) {
            r = errbuf_set(eb, ERR_DB, "schema version %d cannot be upgraded in place", version);
            goto fail;
        }
        for (const char *const *piece = m->sql; *piece != NULL; piece++) {
            if ((*piece)[0] == '\0')
                continue;
            PGresult *res = PQexec(s->conn, *piece);
            if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK) {
                r = errbuf_set(eb, ERR_DB, "migration to schema version %d failed: %s", m->version,
                               PQresultErrorMessage(res));
                PQclear(res);
                goto fail;
            }
            PQclear(res);
        }
        snprintf(text, sizeof(text), "%d", m->version);
        pgp_init(&p);
        pgp_text(&p, text);
        if ((r = pg_query(s, -1,
                          "INSERT INTO meta(key, value) VALUES ('schema_version', $1) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          &p, "set schema version", NULL)) != 0)
            goto fail;
        if (version > 0)
            log_info("store", "upgraded schema to version %d: %s", m->version, m->description);
    }
    if ((r = pg_exec_plain(s, "COMMIT", "commit migration")) != 0)
        goto fail;
    return 0;
fail:
    pg_exec_plain(s, "ROLLBACK", "rollback migration");
    if (eb != NULL && eb->msg[0] == '\0')
        errbuf_set(eb, r, "migration failed: %s", PQerrorMessage(s->conn));
    return r;
}

/* ---- connection ------------------------------------------------------------------------------ */

static const struct store_ops pg_ops;

void pg_close(struct store *st)
{
    struct pg_store *s = pg(st);
    if (s->conn != NULL) {
        if (s->in_tx)
            PQclear(PQexec(s->conn, "ROLLBACK"));
        PQfinish(s->conn);
    }
    free(s->url);
    free(s);
}

static void pg_notice(void *arg, const char *message)
{
    (void)arg;
    log_debug("store", "postgresql: %s", message);
}

/* A database name we are willing to create: letters, digits, '_' and '-'. */
static int pg_plain_name(const char *name)
{
    if (name == NULL || name[0] == '\0' || strlen(name) > 63)
        return 0;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-')
            return 0;
    return 1;
}

/* Connect to the URL's server with the database name replaced (NULL: as given). */
static PGconn *pg_connect(const char *url, const char *dbname)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    const char *keys[64], *values[64];
    int n = 0;
    PGconn *conn;
    if (opts == NULL) {
        PQfreemem(err);
        return NULL;
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL && n < 62; o++) {
        if (strcmp(o->keyword, "dbname") == 0 && dbname != NULL)
            continue;
        if (o->val == NULL)
            continue;
        keys[n] = o->keyword;
        values[n++] = o->val;
    }
    if (dbname != NULL) {
        keys[n] = "dbname";
        values[n++] = dbname;
    }
    keys[n] = NULL;
    values[n] = NULL;
    conn = PQconnectdbParams(keys, values, 0);
    PQconninfoFree(opts);
    return conn;
}

/* The database name in a connection URL ("" when none is given). */
static void pg_url_dbname(const char *url, char *out, size_t size)
{
    char *err = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &err);
    out[0] = '\0';
    if (opts == NULL) {
        PQfreemem(err);
        return;
    }
    for (PQconninfoOption *o = opts; o->keyword != NULL; o++)
        if (strcmp(o->keyword, "dbname") == 0 && o->val != NULL)
            snprintf(out, size, "%s", o->val);
    PQconninfoFree(opts);
}

/* Create the URL's database (byte-wise collation, UTF-8 character classes for pg_trgm). */
static int pg_create_database(const char *url, struct errbuf *eb)
{
    char dbname[80], sql[256];
    PGconn *conn;
    PGresult *res;
    int r = 0;
    pg_url_dbname(url, dbname, sizeof(dbname));
    if (!pg_plain_name(dbname))
        return errbuf_set(eb, ERR_INVALID,
                          "cannot create database '%s': use letters, digits, '_' or '-'", dbname);
    conn = pg_connect(url, "postgres");
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        r = errbuf_set(eb, ERR_IO, "cannot connect to PostgreSQL: %s",
                       conn ? PQerrorMessage(conn) : "bad connection string");
        PQfinish(conn);
        return r;
    }
    snprintf(sql, sizeof(sql),
             "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' "
             "LC_CTYPE 'C.UTF-8'",
             dbname);
    res = PQexec(conn, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
        /* 42P04: created meanwhile by another process — fine. */
        if (state == NULL || strcmp(state, "42P04") != 0)
            r = errbuf_set(eb, ERR_DB, "cannot create database %s: %s", dbname,
                           PQresultErrorMessage(res));
    }
    PQclear(res);
    PQfinish(conn);
    return r;
}

int store_pg_open(const char *url, unsigned flags, struct store **out, struct errbuf *eb)
{
    struct pg_store *s;
    int r;
    char dbname[80];

    *out = NULL;
    s = xcalloc(1, sizeof(*s));
    s->base.ops = &pg_ops;
    s->flags = flags;
    s->url = xstrdup(url);
    s->conn = pg_connect(url, NULL);
    if (s->conn == NULL) {
        pg_close(&s->base);
        return errbuf_set(eb, ERR_INVALID, "not a valid PostgreSQL connection string");
    }
    if (PQstatus(s->conn) != CONNECTION_OK) {
        const char *msg = PQerrorMessage(s->conn);
        pg_url_dbname(url, dbname, sizeof(dbname));
        if (dbname[0] != '\0' && strstr(msg, "does not exist") != NULL) {
            if (!(flags & STORE_CREATE)) {
                r = errbuf_set(eb, ERR_NOT_FOUND,
                               "database %s does not exist (create it with gridgov init)", dbname);
                goto fail;
            }
            PQfinish(s->conn);
            s->conn = NULL;
            if ((r = pg_create_database(url, eb)) != 0)
                goto fail;
            s->conn = pg_connect(url, NULL);
        }
        if (s->conn == NULL || PQstatus(s->conn) != CONNECTION_OK) {
            r = errbuf_set(eb, ERR_IO, "cannot connect to PostgreSQL: %s",
                           s->conn ? PQerrorMessage(s->conn) : "out of memory");
            goto fail;
        }
    }
    PQsetNoticeProcessor(s->conn, pg_notice, NULL);
    if ((r = pg_exec_plain(s,
                           "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
                           "SET client_min_messages = warning",
                           "configure session")) != 0) {
        errbuf_set(eb, r, "cannot configure the PostgreSQL session");
        goto fail;
    }
    if (!(flags & STORE_READONLY)) {
        if ((r = pg_migrate(s, eb)) != 0)
            goto fail;
    } else {
        int version;
        if ((r = pg_read_version(s, &version)) != 0) {
            errbuf_set(eb, r, "cannot read the schema version");
            goto fail;
        }
        if (version > pg_schema_latest()) {
            r = errbuf_set(eb, ERR_DB_TOO_NEW,
                           "database schema version %d is newer than this gridgov knows (%d)",
                           version, pg_schema_latest());
            goto fail;
        }
        if ((r = pg_exec_plain(s, "SET default_transaction_read_only = on", "read only")) != 0)
            goto fail;
    }
    *out = &s->base;
    return 0;
fail:
    pg_close(&s->base);
    return r;
}

/* ---- transactions -----------------------------------------------------------------------------
 */

int pg_begin(struct store *st)
{
    struct pg_store *s = pg(st);
    int r;
    if (s->in_tx) {
        /* Deferred: sent with the next statement (pg_run_once). */
        if (s->n_pending == PG_PENDING_MAX && (r = pg_exec_plain(s, "SELECT 1", "savepoint")) != 0)
            return r;
        s->pending[s->n_pending++] = sql_savepoint;
        s->in_tx++;
        return 0;
    }
    if ((r = pg_exec_plain(s, "BEGIN", "begin")) != 0)
        return r;
    s->in_tx = 1;
    if (!(s->flags & STORE_READONLY) &&
        (r = pg_exec_plain(s, "SELECT pg_advisory_xact_lock(x'" PG_WRITE_LOCK "'::bigint)",
                           "write lock")) != 0) {
        pg_rollback(st);
        return r;
    }
    return 0;
}

int pg_commit(struct store *st)
{
    struct pg_store *s = pg(st);
    int r;
    if (s->in_tx == 0)
        return ERR_INTERNAL;
    if (s->in_tx > 1) {
        s->in_tx--;
        if (s->n_pending > 0 && s->pending[s->n_pending - 1] == sql_savepoint) {
            s->n_pending--; /* nothing ran inside it: it never needs to exist */
            return 0;
        }
        /* Deferred like SAVEPOINT: a release cannot fail while the savepoint exists. */
        if (s->n_pending == PG_PENDING_MAX && (r = pg_exec_plain(s, "SELECT 1", "release")) != 0)
            return r;
        s->pending[s->n_pending++] = sql_release;
        return 0;
    }
    r = pg_exec_plain(s, "COMMIT", "commit"); /* the pending releases go in front */
    /* A failed COMMIT ends the transaction all the same (it was rolled back); if a release in
     * front of it failed, COMMIT did not run: end the aborted transaction here. */
    if (r != 0 && PQtransactionStatus(s->conn) != PQTRANS_IDLE)
        PQclear(PQexec(s->conn, "ROLLBACK"));
    s->in_tx = 0;
    s->n_pending = 0;
    return r;
}

void pg_rollback(struct store *st)
{
    struct pg_store *s = pg(st);
    if (!s->in_tx)
        return;
    if (s->in_tx > 1) {
        s->in_tx--;
        if (s->n_pending > 0 && s->pending[s->n_pending - 1] == sql_savepoint) {
            s->n_pending--; /* never sent: nothing to undo */
            return;
        }
        pg_exec_plain(s, "ROLLBACK TO SAVEPOINT nested; RELEASE SAVEPOINT nested",
                      "rollback to savepoint");
        return;
    }
    s->n_pending = 0; /* undone with the rest */
    pg_exec_plain(s, "ROLLBACK", "rollback");
    s->in_tx = 0;
}

/* ---- meta and maintenance -----------------------------------------------------------------------
 */

int pg_meta_get(struct store *st, const char *key, char *out, size_t out_size)
{
    struct pg_store *s = pg(st);
    struct pg_params p;
    PGresult *res;
    int r;
    out[0] = '\0';
    pgp_init(&p);
    pgp_text(&p, key);
    if ((r = core_query(s, CORE_META_GET, &p, "meta get", &res)) != 0)
        return r;
    if (PQntuples(res) == 1)
        pg_copy(res, 0, 0, out, out_size);
    else
        r = ERR_NOT_FOUND;
    PQclear(res);
    return r;
}

int pg_meta_get_text(struct store *st, const char *key, char **out)
{
    struct pg_store *s = pg(st);
    struct pg_params p;
    PGresult *res;
    int r;
    *out = NULL;
    pgp_init(&p);
    pgp_text(&p, key);
    if ((r = core_query(s, CORE_META_GET, &p, "meta get", &res)) != 0)
        return r;
    if (PQntuples(res) == 1)
        *out = xstrdup(PQgetvalue(res, 0, 0));
    else
        r = ERR_NOT_FOUND;
    PQclear(res);
    return r;
}

int pg_meta_set(struct store *st, const char *key, const char *value)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_text(&p, key);
    pgp_text(&p, value);
    return core_query(pg(st), CORE_META_SET, &p, "meta set", NULL);
}

/*
 * ANALYZE of the tables of gridgov's schema that hold rows. An empty table is left as it is:
 * analyzed empty, the planner would take it for empty until autovacuum looks again (a minute
 * or more), and plan sequential scans of the cases table while the first reports fill it —
 * every report then read all the cases before it (intake fell from 589 to 349 reports/s in
 * bench/pg's first seconds). Never analyzed, it is planned from its actual size.
 */
int pg_refresh_statistics(struct store *st)
{
    struct pg_store *s = pg(st);
    static const char sql[] =
        "DO $$ DECLARE t text; filled boolean; BEGIN "
        "FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP "
        "EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I)', t) INTO filled; "
        "IF filled THEN EXECUTE format('ANALYZE %I', t); END IF; "
        "END LOOP; END $$";
    if (s->in_tx)
        return ERR_INTERNAL;
    return pg_query(s, -1, sql, NULL, "analyze", NULL);
}

/* PostgreSQL maintains itself (autovacuum, checkpoints); nothing is owed on our side. */
int pg_maintain(struct store *st)
{
    return pg(st)->in_tx ? ERR_INTERNAL : 0;
}

static int pg_count(struct pg_store *s, enum core_stmt id, int64_t *out)
{
    PGresult *res;
    int r;
    *out = 0;
    if ((r = core_query(s, id, NULL, "count", &res)) != 0)
        return r;
    if (PQntuples(res) == 1)
        *out = pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

int pg_size_bytes(struct store *st, int64_t *out)
{
    return pg_count(pg(st), CORE_SIZE_BYTES, out);
}

/* A backup of a PostgreSQL database is a consistent snapshot of it in a new SQLite file
 * (store_copy): restorable with gridgov restore/migrate, readable anywhere. For a server of
 * province size, PostgreSQL's own pg_basebackup and a standby are the tools (OPERATIONS.md). */
int pg_backup(struct store *st, const char *dest_path, struct errbuf *eb)
{
    struct store_copy_result res;
    if (access(dest_path, F_OK) == 0)
        return errbuf_set(eb, ERR_EXISTS, "%s already exists; choose a new file", dest_path);
    return store_copy(pg(st)->url, dest_path, NULL, NULL, &res, eb);
}

int pg_check_integrity(struct store *st, struct errbuf *eb)
{
    struct pg_store *s = pg(st);
    int version;
    if (pg_read_version(s, &version) != 0)
        return errbuf_set(eb, ERR_DB, "integrity check: %s", PQerrorMessage(s->conn));
    if (version != pg_schema_latest())
        return errbuf_set(eb, ERR_DB, "integrity check: schema version %d, expected %d", version,
                          pg_schema_latest());
    return 0;
}

/* ---- areas ----------------------------------------------------------------------------------- */

int pg_area_put(struct store *st, const struct area *a)
{
    struct pg_store *s = pg(st);
    struct pg_params p;
    char parent[19];
    size_t plen = 0;
    int r;
    static const size_t parent_len[] = {0, 0, 2, 4, 6, 9, 12, 15};

    if (a->level >= 1 && a->level <= 7)
        plen = parent_len[a->level];
    snprintf(parent, sizeof(parent), "%.*s", (int)plen, a->code);
    pgp_init(&p);
    pgp_text(&p, a->code);
    pgp_text(&p, parent);
    pgp_text(&p, a->name);
    pgp_int(&p, a->level);
    pgp_double(&p, a->minx);
    pgp_double(&p, a->miny);
    pgp_double(&p, a->maxx);
    pgp_double(&p, a->maxy);
    pgp_text(&p, a->geometry);
    pgp_int(&p, time_now_ms());
    if ((r = core_query(s, CORE_AREA_PUT, &p, "area put", NULL)) != 0)
        return r;
    return core_query(s, CORE_AREAS_VERSION_BUMP, NULL, "areas version", NULL);
}

static void read_area(const PGresult *res, int row, struct area *a)
{
    memset(a, 0, sizeof(*a));
    pg_copy(res, row, 0, a->code, sizeof(a->code));
    pg_copy(res, row, 1, a->name, sizeof(a->name));
    a->level = (int)pg_int(res, row, 2);
    a->minx = pg_double(res, row, 3);
    a->miny = pg_double(res, row, 4);
    a->maxx = pg_double(res, row, 5);
    a->maxy = pg_double(res, row, 6);
    a->households = pg_int(res, row, 7);
    a->persons = pg_int(res, row, 8);
    a->children = pg_int(res, row, 9);
    a->geometry = pg_dup(res, row, 10);
}

int pg_area_get(struct store *st, const char *code, int with_geometry, struct area *out)
{
    struct pg_params p;
    PGresult *res;
    int r;
    memset(out, 0, sizeof(*out));
    pgp_init(&p);
    pgp_text(&p, code);
    pgp_int(&p, with_geometry != 0);
    if ((r = core_query(pg(st), CORE_AREA_GET, &p, "area get", &res)) != 0)
        return r;
    if (PQntuples(res) == 1)
        read_area(res, 0, out);
    else
        r = ERR_NOT_FOUND;
    PQclear(res);
    return r;
}

int pg_area_exists(struct store *st, const char *code, int *exists)
{
    struct pg_params p;
    PGresult *res;
    int r;
    *exists = 0;
    pgp_init(&p);
    pgp_text(&p, code);
    if ((r = core_query(pg(st), CORE_AREA_EXISTS, &p, "area exists", &res)) != 0)
        return r;
    *exists = PQntuples(res) > 0;
    PQclear(res);
    return 0;
}

int pg_area_children(struct store *st, const char *parent, int with_geometry, struct area_list *out)
{
    struct pg_params p;
    PGresult *res;
    int r, n;
    out->items = NULL;
    out->len = 0;
    pgp_init(&p);
    pgp_text(&p, parent);
    pgp_int(&p, with_geometry != 0);
    if ((r = core_query(pg(st), CORE_AREA_CHILDREN, &p, "area children", &res)) != 0)
        return r;
    n = PQntuples(res);
    if (n > 0)
        out->items = xcalloc((size_t)n, sizeof(*out->items));
    for (int i = 0; i < n; i++)
        read_area(res, i, &out->items[out->len++]);
    PQclear(res);
    return 0;
}

int pg_area_walk(struct store *st, const char *root, int max_level, int with_geometry,
                 store_area_fn fn, void *ctx)
{
    struct pg_params p;
    PGresult *res;
    struct area a;
    int r, n;
    pgp_init(&p);
    pgp_text(&p, root);
    pgp_int(&p, with_geometry != 0);
    pgp_int(&p, max_level);
    /* The whole result is read before the first callback, so callbacks may use the store. */
    if ((r = core_query(pg(st), CORE_AREA_WALK, &p, "area walk", &res)) != 0)
        return r;
    n = PQntuples(res);
    for (int i = 0; i < n && r == 0; i++) {
        read_area(res, i, &a);
        r = fn(ctx, &a);
        area_cleanup(&a);
    }
    PQclear(res);
    return r;
}

int pg_area_count(struct store *st, int64_t *out)
{
    return pg_count(pg(st), CORE_AREA_COUNT, out);
}

int pg_area_min_level(struct store *st, int *out)
{
    int64_t v;
    int r = pg_count(pg(st), CORE_AREA_MIN_LEVEL, &v);
    *out = (int)v;
    return r;
}

int pg_areas_version(struct store *st, int64_t *out)
{
    char value[32];
    int r = pg_meta_get(st, "areas_version", value, sizeof(value));
    *out = r == 0 ? strtoll(value, NULL, 10) : 0;
    return r == ERR_NOT_FOUND ? 0 : r;
}

int pg_area_recount(struct store *st)
{
    struct pg_params p;
    for (int level = 7; level >= 1; level--) {
        int r;
        pgp_init(&p);
        pgp_int(&p, level);
        if ((r = core_query(pg(st), CORE_AREA_RECOUNT_LEVEL, &p, "area recount", NULL)) != 0)
            return r;
    }
    return 0;
}

/* ---- users and sessions ---------------------------------------------------------------------- */

int pg_user_insert(struct store *st, struct user *u)
{
    struct pg_params p;
    PGresult *res;
    int r;
    pgp_init(&p);
    pgp_text(&p, u->username);
    pgp_text(&p, u->display_name);
    pgp_text(&p, u->role);
    pgp_text(&p, u->area_code);
    pgp_text(&p, u->department);
    pgp_text(&p, u->password_hash);
    pgp_int(&p, u->created_ms ? u->created_ms : time_now_ms());
    pgp_int(&p, u->is_disabled);
    if ((r = core_query(pg(st), CORE_USER_INSERT, &p, "user insert", &res)) != 0)
        return r == ERR_CONFLICT ? ERR_EXISTS : r;
    if (PQntuples(res) == 1)
        u->id = pg_int(res, 0, 0);
    else
        r = ERR_EXISTS;
    PQclear(res);
    return r;
}

void pg_read_user(const PGresult *res, int row, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = pg_int(res, row, 0);
    pg_copy(res, row, 1, u->username, sizeof(u->username));
    pg_copy(res, row, 2, u->display_name, sizeof(u->display_name));
    pg_copy(res, row, 3, u->role, sizeof(u->role));
    pg_copy(res, row, 4, u->area_code, sizeof(u->area_code));
    pg_copy(res, row, 5, u->department, sizeof(u->department));
    pg_copy(res, row, 6, u->password_hash, sizeof(u->password_hash));
    u->failed_logins = (int)pg_int(res, row, 7);
    u->locked_until_ms = pg_int(res, row, 8);
    u->created_ms = pg_int(res, row, 9);
    u->is_disabled = (int)pg_int(res, row, 10);
}

static int pg_user_get_one(struct pg_store *s, enum core_stmt id, const struct pg_params *p,
                           struct user *out)
{
    PGresult *res;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = core_query(s, id, p, "user get", &res)) != 0)
        return r;
    if (PQntuples(res) == 1)
        pg_read_user(res, 0, out);
    else
        r = ERR_NOT_FOUND;
    PQclear(res);
    return r;
}

int pg_user_get_by_name(struct store *st, const char *username, struct user *out)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_text(&p, username);
    return pg_user_get_one(pg(st), CORE_USER_BY_NAME, &p, out);
}

int pg_user_get(struct store *st, int64_t id, struct user *out)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_int(&p, id);
    return pg_user_get_one(pg(st), CORE_USER_BY_ID, &p, out);
}

static int pg_user_rows(struct pg_store *s, enum core_stmt id, const struct pg_params *p,
                        struct user_list *out)
{
    PGresult *res;
    int r, n;
    out->items = NULL;
    out->len = 0;
    if ((r = core_query(s, id, p, "user list", &res)) != 0)
        return r;
    n = PQntuples(res);
    if (n > 0)
        out->items = xcalloc((size_t)n, sizeof(*out->items));
    for (int i = 0; i < n; i++)
        pg_read_user(res, i, &out->items[out->len++]);
    PQclear(res);
    return 0;
}

int pg_user_list(struct store *st, const char *root, struct user_list *out)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_text(&p, root);
    return pg_user_rows(pg(st), CORE_USER_LIST, &p, out);
}

int pg_user_page(struct store *st, const char *root, const char *after_username, int limit,
                 struct user_list *out)
{
    struct pg_params p;
    out->items = NULL;
    out->len = 0;
    if (limit < 1 || limit > 1000)
        return ERR_INVALID;
    pgp_init(&p);
    pgp_text(&p, root);
    pgp_text(&p, after_username);
    pgp_int(&p, limit);
    return pg_user_rows(pg(st), CORE_USER_PAGE, &p, out);
}

int pg_user_set_password(struct store *st, int64_t id, const char *password_hash)
{
    struct pg_params p;
    PGresult *res;
    int r;
    pgp_init(&p);
    pgp_int(&p, id);
    pgp_text(&p, password_hash);
    if ((r = core_query(pg(st), CORE_USER_SET_PASSWORD, &p, "user set password", &res)) != 0)
        return r;
    r = pg_affected(res) == 1 ? 0 : ERR_NOT_FOUND;
    PQclear(res);
    return r;
}

int pg_user_set_login_state(struct store *st, int64_t id, int failed_logins,
                            int64_t locked_until_ms)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_int(&p, id);
    pgp_int(&p, failed_logins);
    pgp_int(&p, locked_until_ms);
    return core_query(pg(st), CORE_USER_SET_LOGIN, &p, "user login state", NULL);
}

int pg_session_insert(struct store *st, const struct session *sess)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_text(&p, sess->token_hash);
    pgp_text(&p, sess->csrf_token);
    pgp_int(&p, sess->user_id);
    pgp_int(&p, sess->created_ms);
    pgp_int(&p, sess->expires_ms);
    return core_query(pg(st), CORE_SESSION_INSERT, &p, "session insert", NULL);
}

int pg_session_get(struct store *st, const char *token_hash, int64_t now_ms, struct session *out)
{
    struct pg_params p;
    PGresult *res;
    int r;
    memset(out, 0, sizeof(*out));
    pgp_init(&p);
    pgp_text(&p, token_hash);
    pgp_int(&p, now_ms);
    if ((r = core_query(pg(st), CORE_SESSION_GET, &p, "session get", &res)) != 0)
        return r;
    if (PQntuples(res) == 1) {
        pg_copy(res, 0, 0, out->token_hash, sizeof(out->token_hash));
        pg_copy(res, 0, 1, out->csrf_token, sizeof(out->csrf_token));
        out->user_id = pg_int(res, 0, 2);
        out->created_ms = pg_int(res, 0, 3);
        out->expires_ms = pg_int(res, 0, 4);
    } else {
        r = ERR_NOT_FOUND;
    }
    PQclear(res);
    return r;
}

int pg_session_delete(struct store *st, const char *token_hash)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_text(&p, token_hash);
    return core_query(pg(st), CORE_SESSION_DELETE, &p, "session delete", NULL);
}

int pg_session_delete_user(struct store *st, int64_t user_id)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_int(&p, user_id);
    return core_query(pg(st), CORE_SESSION_DELETE_USER, &p, "session delete user", NULL);
}

int pg_session_purge(struct store *st, int64_t now_ms)
{
    struct pg_params p;
    pgp_init(&p);
    pgp_int(&p, now_ms);
    return core_query(pg(st), CORE_SESSION_PURGE, &p, "session purge", NULL);
}

/* ---- the ops table ----------------------------------------------------------------------------
 */

static const struct store_ops pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .schema_version = pg_schema_version_op,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .meta_get = pg_meta_get,
    .meta_set = pg_meta_set,
    .area_put = pg_area_put,
    .area_get = pg_area_get,
    .area_exists = pg_area_exists,
    .area_children = pg_area_children,
    .area_walk = pg_area_walk,
    .area_min_level = pg_area_min_level,
    .area_count = pg_area_count,
    .areas_version = pg_areas_version,
    .area_recount = pg_area_recount,
    .user_insert = pg_user_insert,
    .user_get_by_name = pg_user_get_by_name,
    .user_get = pg_user_get,
    .user_list = pg_user_list,
    .user_set_password = pg_user_set_password,
    .user_set_login_state = pg_user_set_login_state,
    .session_insert = pg_session_insert,
    .session_get = pg_session_get,
    .session_delete = pg_session_delete,
    .session_delete_user = pg_session_delete_user,
    .session_purge = pg_session_purge,
    .household_insert = pg_household_insert,
    .person_insert = pg_person_insert,
    .household_count = pg_household_count,
    .meta_get_text = pg_meta_get_text,
    .maintain = pg_maintain,
    .refresh_statistics = pg_refresh_statistics,
    .case_count_overdue = pg_case_count_overdue,
    .size_bytes = pg_size_bytes,
    .backup = pg_backup,
    .check_integrity = pg_check_integrity,
    .case_set_head = pg_case_set_head,
    .case_insert = pg_case_insert,
    .case_update = pg_case_update,
    .case_get = pg_case_get,
    .case_get_by_number = pg_case_get_by_number,
    .case_list = pg_case_list,
    .case_next_serial = pg_case_next_serial,
    .case_due = pg_case_due,
    .case_nearby = pg_case_nearby,
    .case_count_by_status = pg_case_count_by_status,
    .case_event_append = pg_case_event_append,
    .case_events = pg_case_events,
    .case_event_walk = pg_case_event_walk,
    .attachment_put = pg_attachment_put,
    .attachment_get = pg_attachment_get,
    .case_attachment_add = pg_case_attachment_add,
    .case_attachments = pg_case_attachments,
    .attachment_cases = pg_attachment_cases,
    .user_page = pg_user_page,
    .outbox_insert = pg_outbox_insert,
    .outbox_due = pg_outbox_due,
    .outbox_delivered = pg_outbox_delivered,
    .outbox_failed = pg_outbox_failed,
    .outbox_backlog = pg_outbox_backlog,
    .outbox_mark_all_delivered = pg_outbox_mark_all_delivered,
    .bd_put = pg_bd_put,
    .bd_get = pg_bd_get,
    .bd_delete = pg_bd_delete,
    .bd_find = pg_bd_find,
    .bd_list = pg_bd_list,
    .bd_count = pg_bd_count,
    .bd_search = pg_bd_search,
    .bd_reindex = pg_bd_reindex,
    .bd_bulk_begin = pg_bd_bulk_begin,
    .bd_bulk_end = pg_bd_bulk_end,
    .access_log_append = pg_access_log_append,
    .access_log_list = pg_access_log_list,
    .household_link_add = pg_household_link_add,
    .household_links = pg_household_links,
    .bd_retention_persons = pg_bd_retention_persons,
    .bd_anonymise_person = pg_bd_anonymise_person,
    .case_clear_reporters = pg_case_clear_reporters,
    .case_plain_phones = pg_case_plain_phones,
    .case_set_reporter_phone = pg_case_set_reporter_phone,
    .case_daily_counts = pg_case_daily_counts,
    .dispute_insert = pg_dispute_insert,
    .dispute_update = pg_dispute_update,
    .dispute_get = pg_dispute_get,
    .dispute_list = pg_dispute_list,
    .dispute_find_recurrence = pg_dispute_find_recurrence,
    .dispute_party_add = pg_dispute_party_add,
    .dispute_parties = pg_dispute_parties,
    .dispute_mediator_add = pg_dispute_mediator_add,
    .dispute_mediators = pg_dispute_mediators,
    .dispute_is_mediator = pg_dispute_is_mediator,
    .dispute_entry_add = pg_dispute_entry_add,
    .dispute_entries = pg_dispute_entries,
    .dispute_event_append = pg_dispute_event_append,
    .dispute_events = pg_dispute_events,
    .dispute_stats = pg_dispute_stats,
    .council_insert = pg_council_insert,
    .council_get = pg_council_get,
    .council_list = pg_council_list,
    .council_member_add = pg_council_member_add,
    .council_members = pg_council_members,
    .topic_insert = pg_topic_insert,
    .topic_update = pg_topic_update,
    .topic_get = pg_topic_get,
    .topic_list = pg_topic_list,
    .topic_entry_add = pg_topic_entry_add,
    .topic_task_done = pg_topic_task_done,
    .topic_entries = pg_topic_entries,
    .topic_meeting_add = pg_topic_meeting_add,
    .topic_meeting_latest = pg_topic_meeting_latest,
    .topic_attended = pg_topic_attended,
    .topic_ballot_add = pg_topic_ballot_add,
    .topic_ballot_totals = pg_topic_ballot_totals,
    .topic_event_append = pg_topic_event_append,
    .topic_events = pg_topic_events,
    .village_voters = pg_village_voters,
    .rollup_add = pg_rollup_add,
    .rollup_add_many = pg_rollup_add_many,
    .rollup_day_counts = pg_rollup_day_counts,
    .rollup_clear = pg_rollup_clear,
    .rollup_diff = pg_rollup_diff,
    .rollup_sum = pg_rollup_sum,
    .rollup_event_walk = pg_rollup_event_walk,
    .case_report_key_insert = pg_case_report_key_insert,
    .case_report_key_get = pg_case_report_key_get,
    .api_key_insert = pg_api_key_insert,
    .api_key_get_by_hash = pg_api_key_get_by_hash,
    .api_key_list = pg_api_key_list,
    .open311_request_insert = pg_open311_request_insert,
    .open311_request_get = pg_open311_request_get,
    .open311_request_by_token = pg_open311_request_by_token,
    .open311_case_ids = pg_open311_case_ids,
    .open311_media_case = pg_open311_media_case,
    .outbox_last_id = pg_outbox_last_id,
    .outbox_mark_delivered_after = pg_outbox_mark_delivered_after,
    .open311_updated_case_ids = pg_open311_updated_case_ids,
    .patrol_insert = pg_patrol_insert,
    .patrol_get = pg_patrol_get,
    .patrol_finish = pg_patrol_finish,
    .patrol_set_counts = pg_patrol_set_counts,
    .patrol_list = pg_patrol_list,
    .patrol_batch_add = pg_patrol_batch_add,
    .patrol_points_add = pg_patrol_points_add,
    .patrol_points = pg_patrol_points,
    .patrol_count_by_grid = pg_patrol_count_by_grid,
    .field_case_link_add = pg_field_case_link_add,
    .field_case_links = pg_field_case_links,
    .visit_insert = pg_visit_insert,
    .visit_get = pg_visit_get,
    .visit_set_case = pg_visit_set_case,
    .visit_list = pg_visit_list,
    .visit_states = pg_visit_states,
    .campaign_insert = pg_campaign_insert,
    .campaign_get = pg_campaign_get,
    .campaign_coverage = pg_campaign_coverage,
    .case_channel_counts = pg_case_channel_counts,
    .station_team_insert = pg_station_team_insert,
    .station_team_get = pg_station_team_get,
    .station_team_list = pg_station_team_list,
    .station_session_insert = pg_station_session_insert,
    .station_session_get = pg_station_session_get,
    .station_session_list = pg_station_session_list,
    .volunteer_insert = pg_volunteer_insert,
    .volunteer_update = pg_volunteer_update,
    .volunteer_get = pg_volunteer_get,
    .volunteer_list = pg_volunteer_list,
    .volunteer_loads = pg_volunteer_loads,
    .need_insert = pg_need_insert,
    .need_get = pg_need_get,
    .need_list = pg_need_list,
    .need_assign = pg_need_assign,
    .need_assignments = pg_need_assignments,
    .post_insert = pg_post_insert,
    .post_get = pg_post_get,
    .post_list = pg_post_list,
    .post_member_add = pg_post_member_add,
    .post_member_get = pg_post_member_get,
    .post_members = pg_post_members,
    .hours_insert = pg_hours_insert,
    .hours_day_total = pg_hours_day_total,
    .hours_totals = pg_hours_totals,
    .chief_insert = pg_chief_insert,
    .chief_get = pg_chief_get,
    .chief_list = pg_chief_list,
    .survey_insert = pg_survey_insert,
    .survey_get = pg_survey_get,
    .survey_list = pg_survey_list,
    .survey_response_insert = pg_survey_response_insert,
    .survey_sums = pg_survey_sums,
    .star_rating_insert = pg_star_rating_insert,
    .star_rating_count = pg_star_rating_count,
    .star_rating_list = pg_star_rating_list,
    .visit_due = pg_visit_due,
    .session_user_get = pg_session_user_get,
    .meta_get_int_pair = pg_meta_get_int_pair,
    .user_set_disabled = pg_user_set_disabled,
    .visit_key_insert = pg_visit_key_insert,
    .visit_key_get = pg_visit_key_get,
    .open311_update_key_insert = pg_open311_update_key_insert,
    .open311_update_key_get = pg_open311_update_key_get,
};
