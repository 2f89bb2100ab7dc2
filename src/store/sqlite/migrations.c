/*
 * migrations.c - the versioned SQLite schema (see migrations.h).
 *
 * Conventions: area codes are TEXT of digits, so "the subtree of X" is the key range
 * [X, X || ':') (':' sorts right after '9') and every subtree query is an index range scan.
 * Times are INTEGER milliseconds since the epoch, UTC. Tables keyed by area carry the code so
 * a later PostgreSQL/Citus schema can distribute by its district prefix.
 */
#include "store/sqlite/migrations.h"

static const struct sqlite_migration migrations[] = {
    {1, "areas, users, sessions, households, persons",
     "CREATE TABLE meta ("
     "  key TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL"
     ") WITHOUT ROWID;"
     "INSERT INTO meta(key, value) VALUES ('areas_version', '0');"
     "CREATE TABLE areas ("
     "  code TEXT PRIMARY KEY,"
     "  parent TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 7),"
     "  minx REAL NOT NULL DEFAULT 0, miny REAL NOT NULL DEFAULT 0,"
     "  maxx REAL NOT NULL DEFAULT 0, maxy REAL NOT NULL DEFAULT 0,"
     "  geometry TEXT,"
     "  households INTEGER NOT NULL DEFAULT 0,"
     "  persons INTEGER NOT NULL DEFAULT 0,"
     "  children INTEGER NOT NULL DEFAULT 0,"
     "  updated_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX areas_parent ON areas(parent, code);"
     "CREATE INDEX areas_level ON areas(level, code);"
     "CREATE TABLE users ("
     "  id INTEGER PRIMARY KEY,"
     "  username TEXT NOT NULL UNIQUE,"
     "  display_name TEXT NOT NULL DEFAULT '',"
     "  role TEXT NOT NULL,"
     "  area_code TEXT NOT NULL,"
     "  department TEXT NOT NULL DEFAULT '',"
     "  password_hash TEXT NOT NULL,"
     "  failed_logins INTEGER NOT NULL DEFAULT 0,"
     "  locked_until_ms INTEGER NOT NULL DEFAULT 0,"
     "  created_ms INTEGER NOT NULL,"
     "  is_disabled INTEGER NOT NULL DEFAULT 0"
     ");"
     "CREATE INDEX users_area ON users(area_code);"
     "CREATE TABLE sessions ("
     "  token_hash TEXT PRIMARY KEY,"
     "  csrf_token TEXT NOT NULL,"
     "  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,"
     "  created_ms INTEGER NOT NULL,"
     "  expires_ms INTEGER NOT NULL"
     ") WITHOUT ROWID;"
     "CREATE INDEX sessions_user ON sessions(user_id);"
     "CREATE INDEX sessions_expiry ON sessions(expires_ms);"
     "CREATE TABLE households ("
     "  id INTEGER PRIMARY KEY,"
     "  cell_code TEXT NOT NULL,"
     "  address TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  created_ms INTEGER NOT NULL"
     ");"
     "CREATE INDEX households_cell ON households(cell_code);"
     "CREATE TABLE persons ("
     "  id INTEGER PRIMARY KEY,"
     "  household_id INTEGER NOT NULL REFERENCES households(id),"
     "  cell_code TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  sex TEXT NOT NULL,"
     "  birth_date TEXT NOT NULL,"
     "  is_registered INTEGER NOT NULL,"
     "  relation TEXT NOT NULL DEFAULT '',"
     "  tags TEXT NOT NULL DEFAULT '',"
     "  created_ms INTEGER NOT NULL"
     ");"
     "CREATE INDEX persons_cell ON persons(cell_code);"
     "CREATE INDEX persons_household ON persons(household_id);"},
};

const struct sqlite_migration *sqlite_migrations(int *count)
{
    *count = (int)(sizeof(migrations) / sizeof(migrations[0]));
    return migrations;
}
