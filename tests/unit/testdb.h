/*
 * testdb.h - a fresh database for a store test, on the backend the test run asks for.
 *
 * With GRIDGOV_TEST_BACKEND=postgresql (the 'pg' suite sets it, inside tests/with_pg.sh, which
 * also exports PGHOST/PGPORT/PGUSER of a throwaway cluster) each testdb is a new PostgreSQL
 * database; otherwise a SQLite file in a new temporary directory. Either way the database
 * does not exist yet: open it with store_open(t.url, STORE_CREATE, ...). So the same store
 * tests run against every backend.
 */
#ifndef GRIDGOV_TESTS_TESTDB_H
#define GRIDGOV_TESTS_TESTDB_H

struct testdb {
    char dir[64];  /* a temporary directory (for SQLite files and anything else a test writes) */
    char url[256]; /* what store_open takes */
    int is_pg;     /* the run is against PostgreSQL */
};

/* Make a new temporary directory and name a new database. 0 or -1 (message on stderr). */
int testdb_create(struct testdb *t);
/* Name a second, new database of the same backend in out (e.g. for copies). */
void testdb_another(const struct testdb *t, const char *tag, char *out, size_t size);
/* Run SQL directly on the backend, bypassing the store (for tamper tests). Returns 0 when the
 * statement succeeded, -1 when the database refused it. */
int testdb_exec(const struct testdb *t, const char *url, const char *sql);
/* Remove the temporary directory (a PostgreSQL cluster is thrown away by with_pg.sh). */
void testdb_destroy(struct testdb *t);
/* The run is against PostgreSQL. */
int testdb_backend_is_pg(void);

struct store;

/* What most store tests keep per test: a new database of the run's backend, open. */
struct store_fixture {
    struct testdb db;
    struct store *st; /* owned: opened with STORE_CREATE, closed by the teardown */
};

/* cmocka setup: *state becomes a new struct store_fixture (0), or -1 with a message on stderr. */
int store_fixture_setup(void **state);
/* cmocka teardown: close the store, remove the database, free the fixture. */
int store_fixture_teardown(void **state);

#endif
