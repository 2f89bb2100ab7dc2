/*
 * testdb.c - fresh databases for store tests on the backend of the run (see testdb.h).
 */
#include <stddef.h>

#include "testdb.h"

#include "base/error.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int testdb_backend_is_pg(void)
{
    const char *b = getenv("GRIDGOV_TEST_BACKEND");
    return b != NULL && strcmp(b, "postgresql") == 0;
}

/* A database name no other test of this run uses: pid and a nanosecond clock. */
static void unique_name(const char *tag, char *out, size_t size)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(out, size, "gg_%s_%ld_%lld_%ld", tag, (long)getpid(), (long long)ts.tv_sec,
             ts.tv_nsec);
}

static void pg_url(const char *name, char *out, size_t size)
{
    const char *host = getenv("PGHOST"), *port = getenv("PGPORT"), *user = getenv("PGUSER");
    snprintf(out, size, "postgresql://%s@%s:%s/%s", user ? user : "postgres",
             host ? host : "127.0.0.1", port ? port : "5432", name);
}

int testdb_create(struct testdb *t)
{
    memset(t, 0, sizeof(*t));
    snprintf(t->dir, sizeof(t->dir), "%s", "/tmp/gridgov-test-XXXXXX");
    if (mkdtemp(t->dir) == NULL) {
        perror("mkdtemp");
        return -1;
    }
    t->is_pg = testdb_backend_is_pg();
    testdb_another(t, "t", t->url, sizeof(t->url));
    return 0;
}

void testdb_another(const struct testdb *t, const char *tag, char *out, size_t size)
{
    if (t->is_pg) {
        char name[96];
        unique_name(tag, name, sizeof(name));
        pg_url(name, out, size);
    } else {
        snprintf(out, size, "%s/%s.db", t->dir, tag);
    }
}

int testdb_exec(const struct testdb *t, const char *url, const char *sql)
{
    int ok;
    if (t->is_pg) {
        PGconn *conn = PQconnectdb(url);
        PGresult *res = PQexec(conn, sql);
        ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;
        PQclear(res);
        PQfinish(conn);
    } else {
        sqlite3 *db = NULL;
        ok = sqlite3_open(url, &db) == SQLITE_OK &&
             sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_close(db);
    }
    return ok ? 0 : -1;
}

void testdb_destroy(struct testdb *t)
{
    char cmd[128];
    if (t->dir[0] == '\0')
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", t->dir);
    t->dir[0] = '\0';
}

int store_fixture_setup(void **state)
{
    struct store_fixture *f = calloc(1, sizeof(*f));
    struct errbuf eb = {{0}};
    if (f == NULL)
        return -1;
    if (testdb_create(&f->db) != 0) {
        free(f);
        return -1;
    }
    if (store_open(f->db.url, STORE_CREATE, &f->st, &eb) != 0) {
        fprintf(stderr, "open %s: %s\n", f->db.url, eb.msg);
        testdb_destroy(&f->db);
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int store_fixture_teardown(void **state)
{
    struct store_fixture *f = *state;
    store_close(f->st);
    testdb_destroy(&f->db);
    free(f);
    return 0;
}
