/*
 * migrations.h - the SQLite schema, as an ordered list of versioned scripts.
 *
 * Version N's script turns a version N-1 database into version N. The version lives in
 * PRAGMA user_version. Scripts are never edited once released: a change is a new version.
 */
#ifndef GRIDGOV_STORE_SQLITE_MIGRATIONS_H
#define GRIDGOV_STORE_SQLITE_MIGRATIONS_H

struct sqlite_migration {
    int version;
    const char *description;
    const char *sql; /* one or more statements, DDL only, no parameters */
};

/* The list, ordered by version (1, 2, ...); *count receives its length. */
const struct sqlite_migration *sqlite_migrations(int *count);

#endif
