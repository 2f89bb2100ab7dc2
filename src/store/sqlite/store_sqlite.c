/*
 * store_sqlite.c - the SQLite backend of the storage interface (see store.h).
 *
 * One struct sqlite_store is one connection, used by one thread at a time. The database runs
 * in WAL mode so readers on other connections never block the writer; write transactions
 * start with BEGIN IMMEDIATE so two writers queue on the busy timeout instead of failing
 * later on a lock upgrade. Every statement is a row of the stmt_sql table below, prepared on
 * first use and kept for the life of the connection; parameters are always bound, never
 * pasted into SQL. sqlite3 types never leave this file.
 */
#include "store/sqlite/migrations.h"
#include "store/sqlite/sqlite_internal.h"
#include "store/store_impl.h"

#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The statements, as a table: the enum names a statement, stmt_sql holds its text. */
#define STMT_MAP(X)                                                                                \
    X(BEGIN, "BEGIN IMMEDIATE")                                                                    \
    X(COMMIT, "COMMIT")                                                                            \
    X(ROLLBACK, "ROLLBACK")                                                                        \
    X(SAVEPOINT, "SAVEPOINT nested")                                                               \
    X(RELEASE, "RELEASE nested")                                                                   \
    X(ROLLBACK_TO, "ROLLBACK TO nested")                                                           \
    X(META_GET, "SELECT value FROM meta WHERE key = ?1")                                           \
    X(META_SET, "INSERT INTO meta(key, value) VALUES (?1, ?2) "                                    \
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value")                           \
    X(AREAS_VERSION_BUMP, "UPDATE meta SET value = CAST(value AS INTEGER) + 1 "                    \
                          "WHERE key = 'areas_version'")                                           \
    X(AREA_PUT, "INSERT INTO areas(code, parent, name, level, minx, miny, maxx, maxy, geometry, "  \
                "updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "                    \
                "ON CONFLICT(code) DO UPDATE SET parent = excluded.parent, name = excluded.name, " \
                "level = excluded.level, minx = excluded.minx, miny = excluded.miny, "             \
                "maxx = excluded.maxx, maxy = excluded.maxy, geometry = excluded.geometry, "       \
                "updated_ms = excluded.updated_ms")                                                \
    X(AREA_GET, "SELECT " AREA_COLS " FROM areas WHERE code = ?1")                                 \
    X(AREA_EXISTS, "SELECT 1 FROM areas WHERE code = ?1")                                          \
    X(AREA_CHILDREN, "SELECT " AREA_COLS " FROM areas WHERE parent = ?1 ORDER BY code")            \
    X(AREA_WALK, "SELECT " AREA_COLS " FROM areas WHERE code >= ?1 AND code < ?1 || ':' "          \
                 "AND level <= ?2 ORDER BY code")                                                  \
    X(CASE_COUNT_OVERDUE, "SELECT count(*) FROM cases WHERE sweep_at_ms > 0 AND due_ms > 0 "       \
                          "AND due_ms < ?1")                                                       \
    X(SIZE_BYTES, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")    \
    X(AREA_COUNT, "SELECT count(*) FROM areas")                                                    \
    X(AREA_MIN_LEVEL, "SELECT coalesce(min(level), 0) FROM areas")                                 \
    X(AREA_RECOUNT_LEVEL,                                                                          \
      "UPDATE areas SET "                                                                          \
      "households = (SELECT count(*) FROM households h WHERE h.cell_code = areas.code) + "         \
      "  coalesce((SELECT sum(c.households) FROM areas c WHERE c.parent = areas.code), 0), "       \
      "persons = (SELECT count(*) FROM persons p WHERE p.cell_code = areas.code) + "               \
      "  coalesce((SELECT sum(c.persons) FROM areas c WHERE c.parent = areas.code), 0), "          \
      "children = (SELECT count(*) FROM areas c WHERE c.parent = areas.code) "                     \
      "WHERE level = ?1")                                                                          \
    X(USER_INSERT,                                                                                 \
      "INSERT INTO users(username, display_name, role, area_code, department, "                    \
      "password_hash, created_ms, is_disabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")           \
    X(USER_BY_NAME, "SELECT " USER_COLS " FROM users WHERE username = ?1")                         \
    X(USER_BY_ID, "SELECT " USER_COLS " FROM users WHERE id = ?1")                                 \
    X(USER_LIST,                                                                                   \
      "SELECT " USER_COLS " FROM users WHERE area_code >= ?1 AND area_code < ?1 || ':' "           \
      "ORDER BY username")                                                                         \
    X(USER_SET_PASSWORD, "UPDATE users SET password_hash = ?2, failed_logins = 0, "                \
                         "locked_until_ms = 0 WHERE id = ?1")                                      \
    X(USER_SET_LOGIN, "UPDATE users SET failed_logins = ?2, locked_until_ms = ?3 WHERE id = ?1")   \
    X(SESSION_INSERT, "INSERT INTO sessions(token_hash, csrf_token, user_id, created_ms, "         \
                      "expires_ms) VALUES (?1, ?2, ?3, ?4, ?5)")                                   \
    X(SESSION_GET, "SELECT token_hash, csrf_token, user_id, created_ms, expires_ms FROM sessions " \
                   "WHERE token_hash = ?1 AND expires_ms > ?2")                                    \
    X(SESSION_DELETE, "DELETE FROM sessions WHERE token_hash = ?1")                                \
    X(SESSION_DELETE_USER, "DELETE FROM sessions WHERE user_id = ?1")                              \
    X(SESSION_PURGE, "DELETE FROM sessions WHERE expires_ms <= ?1")                                \
    X(HOUSEHOLD_INSERT, "INSERT INTO households(cell_code, address, kind, created_ms) "            \
                        "VALUES (?1, ?2, ?3, ?4)")                                                 \
    X(PERSON_INSERT, "INSERT INTO persons(household_id, cell_code, name, sex, birth_date, "        \
                     "is_registered, relation, tags, created_ms) "                                 \
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                                \
    X(HOUSEHOLD_COUNT, "SELECT (SELECT count(*) FROM households WHERE cell_code >= ?1 AND "        \
                       "cell_code < ?1 || ':'), (SELECT count(*) FROM persons WHERE "              \
                       "cell_code >= ?1 AND cell_code < ?1 || ':')")

#define AREA_COLS                                                                                  \
    "code, name, level, minx, miny, maxx, maxy, households, persons, children, "                   \
    "CASE WHEN ?9 THEN geometry END"

enum stmt_id {
#define STMT_GEN_ENUM(name, sql) STMT_##name,
    STMT_MAP(STMT_GEN_ENUM)
#undef STMT_GEN_ENUM
        STMT_COUNT
};

_Static_assert(STMT_COUNT <= SQ_CORE_STMTS, "raise SQ_CORE_STMTS");

static const char *const stmt_sql[STMT_COUNT] = {
#define STMT_GEN_SQL(name, sql) sql,
    STMT_MAP(STMT_GEN_SQL)
#undef STMT_GEN_SQL
};

/* Log a failed SQLite call once, here at the storage boundary, and map it to an error. */
int sq_fail(struct sqlite_store *s, const char *what)
{
    int code = sqlite3_extended_errcode(s->db);
    /* A constraint is an answer the caller handles (a taken natural key, a duplicate drawn
     * again), not a storage failure: not worth an error line each. */
    if ((code & 0xff) == SQLITE_CONSTRAINT) {
        log_debug("store", "sqlite %s: constraint: %s", what, sqlite3_errmsg(s->db));
        return ERR_CONFLICT;
    }
    log_error("store", "sqlite %s failed: %s (code %d)", what, sqlite3_errmsg(s->db), code);
    if ((code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED)
        return ERR_BUSY;
    return ERR_DB;
}

sqlite3_stmt *sq_prepare_slot(struct sqlite_store *s, sqlite3_stmt **slot, const char *sql)
{
    sqlite3_stmt *stmt = *slot;
    if (stmt == NULL) {
        if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
            SQLITE_OK) {
            sq_fail(s, "prepare");
            return NULL;
        }
        *slot = stmt;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return stmt;
}

/* The prepared statement for id, reset and with bindings cleared; NULL on failure. */
static sqlite3_stmt *sq_stmt(struct sqlite_store *s, enum stmt_id id)
{
    return sq_prepare_slot(s, &s->stmts[id], stmt_sql[id]);
}

void bind_text(sqlite3_stmt *stmt, int i, const char *v)
{
    sqlite3_bind_text(stmt, i, v, -1, SQLITE_STATIC);
}

int sq_exec_done(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);
    int r = 0;
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        r = sq_fail(s, what);
    sqlite3_reset(stmt);
    return r;
}

void copy_col(sqlite3_stmt *stmt, int col, char *out, size_t size)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);
    snprintf(out, size, "%s", t ? (const char *)t : "");
}

size_t sq_utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

void sq_fts_phrase(const char *q, char *out, size_t size)
{
    size_t o = 0;
    out[o++] = '"';
    for (const char *p = q; *p && o + 3 < size; p++) {
        /* Never cut a UTF-8 character in two. */
        if (((unsigned char)*p & 0xc0) != 0x80 && o + 3 + 4 >= size)
            break;
        if (*p == '"')
            out[o++] = '"';
        out[o++] = *p;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* ---- connection ------------------------------------------------------------------------ */

static void sq_close(struct store *st)
{
    struct sqlite_store *s = sq(st);
    if (s->in_tx)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sq_bd_bulk_forget(s);
    for (int i = 0; i < STMT_COUNT; i++)
        sqlite3_finalize(s->stmts[i]);
    for (int i = 0; i < SQ_EXTRA_STMTS; i++)
        sqlite3_finalize(s->extra_stmts[i]);
    for (int k = 0; k < BD_KIND_COUNT; k++) {
        for (int i = 0; i < SQ_BD_STMTS; i++)
            sqlite3_finalize(s->bd_stmts[k][i]);
        sqlite3_finalize(s->bd_find_stmts[k]);
    }
    for (int i = 0; i < 4; i++)
        sqlite3_finalize(s->bd_misc_stmts[i]);
    for (int i = 0; i < SQ_DISPUTE_STMTS; i++)
        sqlite3_finalize(s->dispute_stmts[i]);
    for (int i = 0; i < SQ_ROLLUP_STMTS; i++)
        sqlite3_finalize(s->rollup_stmts[i]);
    for (int i = 0; i < SQ_FW_STMTS; i++)
        sqlite3_finalize(s->fw_stmts[i]);
    for (int i = 0; i < SQ_INTAKE_STMTS; i++)
        sqlite3_finalize(s->intake_stmts[i]);
    sqlite3_close(s->db);
    free(s);
}

static int sq_user_version(struct sqlite_store *s, int *out)
{
    sqlite3_stmt *stmt = NULL;
    int r = ERR_DB;
    *out = 0;
    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "read schema version");
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        *out = sqlite3_column_int(stmt, 0);
        r = 0;
    } else {
        r = sq_fail(s, "read schema version");
    }
    sqlite3_finalize(stmt);
    return r;
}

static int sq_schema_version(struct store *st, int *out)
{
    return sq_user_version(sq(st), out);
}

int sqlite_schema_latest(void)
{
    int count;
    const struct sqlite_migration *m = sqlite_migrations(&count);
    return m[count - 1].version;
}

/* Bring the schema up to date in one exclusive transaction. */
static int sq_migrate(struct sqlite_store *s, struct errbuf *eb)
{
    int count, version;
    int r;
    const struct sqlite_migration *m = sqlite_migrations(&count);
    int latest = m[count - 1].version;

    if ((r = sq_user_version(s, &version)) != 0)
        return r;
    if (version > latest)
        return errbuf_set(eb, ERR_DB_TOO_NEW,
                          "database schema version %d is newer than this gridgov knows (%d); "
                          "upgrade gridgov",
                          version, latest);
    if (version == latest)
        return 0;
    if (sqlite3_exec(s->db, "BEGIN EXCLUSIVE", NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(s, "begin migration");
    /* Re-read under the lock: another process may have migrated meanwhile. */
    if ((r = sq_user_version(s, &version)) != 0)
        goto fail;
    for (int i = 0; i < count; i++) {
        if (m[i].version <= version)
            continue;
        if (sqlite3_exec(s->db, m[i].sql, NULL, NULL, NULL) != SQLITE_OK) {
            errbuf_set(eb, ERR_DB, "migration to schema version %d failed: %s", m[i].version,
                       sqlite3_errmsg(s->db));
            r = sq_fail(s, "migration");
            goto fail;
        }
        char pragma[48];
        snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", m[i].version);
        if (sqlite3_exec(s->db, pragma, NULL, NULL, NULL) != SQLITE_OK) {
            r = sq_fail(s, "set schema version");
            goto fail;
        }
        if (version > 0)
            log_info("store", "upgraded schema to version %d: %s", m[i].version, m[i].description);
    }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        r = sq_fail(s, "commit migration");
        goto fail;
    }
    return 0;
fail:
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return r;
}

static const struct store_ops sqlite_ops;

int store_sqlite_process_init(void)
{
    /* Memory statistics make every sqlite3_malloc/free take one process-wide mutex: a tenth
     * of the writer's time under intake load, contended by every worker (docs/PERFORMANCE.md).
     * Nothing here reads them (sqlite3_memory_used). */
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        return ERR_DB;
    return sqlite3_initialize() == SQLITE_OK ? 0 : ERR_DB;
}

/* A bulk load's connection: a page cache of a quarter of the machine's memory (at least
 * 512 MB). Dirty pages that do not fit spill into the WAL in the middle of the load and are
 * read back from it by the index builds: at 6.2 M persons a 6 GB cache took the load from
 * 183 s to 133 s against 512 MB (docs/PERFORMANCE.md). The cache is a ceiling: memory is
 * taken as pages are. */
static int configure_bulk(struct sqlite_store *s, const char *path, struct errbuf *eb)
{
    long pages = sysconf(_SC_PHYS_PAGES), page_size = sysconf(_SC_PAGESIZE);
    long long kb = 524288;
    char sql[96];
    if (pages > 0 && page_size >= 1024 && (long long)pages / 4 * (page_size / 1024) > kb)
        kb = (long long)pages / 4 * (page_size / 1024);
    /* threads: CREATE INDEX after a bulk load may sort on a second core */
    snprintf(sql, sizeof(sql), "PRAGMA cache_size = -%lld; PRAGMA threads = 2", kb);
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return errbuf_set(eb, ERR_DB, "cannot configure %s: %s", path, sqlite3_errmsg(s->db));
    return 0;
}

int store_sqlite_open(const char *path, unsigned flags, struct store **out, struct errbuf *eb)
{
    struct sqlite_store *s = NULL;
    struct stat sb;
    int r = ERR_DB;
    int oflags = SQLITE_OPEN_NOMUTEX;

    *out = NULL;
    if (stat(path, &sb) != 0) {
        if (!(flags & STORE_CREATE))
            return errbuf_set(eb, ERR_NOT_FOUND,
                              "database %s does not exist (create it with gridgov init)", path);
    } else if (!S_ISREG(sb.st_mode)) {
        return errbuf_set(eb, ERR_INVALID, "%s is not a regular file", path);
    }
    oflags |= (flags & STORE_READONLY) ? SQLITE_OPEN_READONLY
                                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;

    s = xcalloc(1, sizeof(*s));
    s->base.ops = &sqlite_ops;
    s->flags = flags;
    if (sqlite3_open_v2(path, &s->db, oflags, NULL) != SQLITE_OK) {
        errbuf_set(eb, ERR_IO, "cannot open database %s: %s", path,
                   s->db ? sqlite3_errmsg(s->db) : "out of memory");
        r = ERR_IO;
        goto out;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    /* Check it is a database at all before changing anything. */
    if (sqlite3_exec(s->db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
        r = errbuf_set(eb, ERR_INVALID, "%s is not a gridgov database: %s", path,
                       sqlite3_errmsg(s->db));
        goto out;
    }
    if (!(flags & STORE_READONLY)) {
        if (sqlite3_exec(s->db,
                         "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                         "PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; "
                         "PRAGMA cache_size = -32768",
                         NULL, NULL, NULL) != SQLITE_OK) {
            r = errbuf_set(eb, ERR_DB, "cannot configure %s: %s", path, sqlite3_errmsg(s->db));
            goto out;
        }
        if ((r = sq_migrate(s, eb)) != 0)
            goto out;
        if ((flags & STORE_BULK) && (r = configure_bulk(s, path, eb)) != 0)
            goto out;
        /* The bulk writer leaves checkpoints to store_maintain (off its hot path). */
        if ((flags & STORE_WRITER) &&
            sqlite3_exec(s->db, "PRAGMA wal_autocheckpoint = 0", NULL, NULL, NULL) != SQLITE_OK) {
            r = sq_fail(s, "configure writer");
            goto out;
        }
    } else {
        int version;
        if ((r = sq_user_version(s, &version)) != 0)
            goto out;
        if (version > sqlite_schema_latest()) {
            r = errbuf_set(eb, ERR_DB_TOO_NEW,
                           "database schema version %d is newer than this gridgov knows (%d)",
                           version, sqlite_schema_latest());
            goto out;
        }
    }
    *out = &s->base;
    s = NULL;
    r = 0;
out:
    if (s != NULL)
        sq_close(&s->base);
    return r;
}

static int sq_begin(struct store *st)
{
    struct sqlite_store *s = sq(st);
    /* Inside a transaction, a nested one is a savepoint (see store.h). */
    sqlite3_stmt *stmt = sq_stmt(s, s->in_tx ? STMT_SAVEPOINT : STMT_BEGIN);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    if ((r = sq_exec_done(s, stmt, "begin")) == 0)
        s->in_tx++;
    return r;
}

static int sq_commit(struct store *st)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if (s->in_tx == 1 && !(s->flags & STORE_WRITER) && (r = sq_cases_fts_sync(s)) != 0)
        return r;
    /* A bulk load's indexes are rebuilt before its commit: no committed state lacks them. */
    if (s->in_tx == 1 && (r = sq_bd_bulk_end(st)) != 0)
        return r;
    if (s->in_tx == 1 && (r = sq_bd_fts_sync(s)) != 0)
        return r;
    stmt = sq_stmt(s, s->in_tx > 1 ? STMT_RELEASE : STMT_COMMIT);
    if (stmt == NULL)
        return ERR_DB;
    r = sq_exec_done(s, stmt, "commit");
    if (r == 0 && s->in_tx > 0)
        s->in_tx--;
    return r;
}

static void sq_rollback(struct store *st)
{
    struct sqlite_store *s = sq(st);
    if (!s->in_tx)
        return;
    if (s->in_tx > 1) {
        sqlite3_stmt *stmt = sq_stmt(s, STMT_ROLLBACK_TO);
        if (stmt != NULL)
            sq_exec_done(s, stmt, "rollback to savepoint");
        stmt = sq_stmt(s, STMT_RELEASE);
        if (stmt != NULL)
            sq_exec_done(s, stmt, "release savepoint");
        s->in_tx--;
        return;
    }
    sqlite3_stmt *stmt = sq_stmt(s, STMT_ROLLBACK);
    if (stmt != NULL)
        sq_exec_done(s, stmt, "rollback");
    s->in_tx = 0;
    s->bd_fts_dirty = 0;  /* the queue (a temporary table) was rolled back with the rest */
    sq_bd_bulk_forget(s); /* the dropped indexes came back with the rollback */
}

static int sq_meta_get(struct store *st, const char *key, char *out, size_t out_size)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_META_GET);
    int r, rc;
    out[0] = '\0';
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        copy_col(stmt, 0, out, out_size);
        r = 0;
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "meta get");
    }
    sqlite3_reset(stmt);
    return r;
}

static int sq_meta_get_text(struct store *st, const char *key, char **out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_META_GET);
    int r, rc;
    *out = NULL;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(stmt, 0);
        *out = xstrdup(t ? (const char *)t : "");
        r = 0;
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "meta get");
    }
    sqlite3_reset(stmt);
    return r;
}

/* No statistics are kept (no sqlite_stat1): nothing to refresh. */
static int sq_refresh_statistics(struct store *st)
{
    return sq(st)->in_tx ? ERR_INTERNAL : 0;
}

static int sq_maintain(struct store *st)
{
    struct sqlite_store *s = sq(st);
    int r;
    if (s->in_tx)
        return ERR_INTERNAL;
    if ((r = sq_begin(st)) != 0)
        return r;
    if ((r = sq_cases_fts_sync(s)) != 0) {
        sq_rollback(st);
        return r;
    }
    if ((r = sq_commit(st)) != 0)
        return r;
    if (sqlite3_wal_checkpoint_v2(s->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL) != SQLITE_OK)
        return sq_fail(s, "checkpoint");
    return 0;
}

static int sq_check_integrity_db(sqlite3 *db, struct errbuf *eb)
{
    sqlite3_stmt *stmt = NULL;
    int r = 0;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, NULL) != SQLITE_OK)
        return errbuf_set(eb, ERR_DB, "cannot run the integrity check: %s", sqlite3_errmsg(db));
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        r = errbuf_set(eb, ERR_DB, "integrity check failed: %s", sqlite3_errmsg(db));
    } else {
        const unsigned char *res = sqlite3_column_text(stmt, 0);
        if (res == NULL || strcmp((const char *)res, "ok") != 0)
            r = errbuf_set(eb, ERR_DB, "integrity check: %.300s",
                           res ? (const char *)res : "no answer");
    }
    sqlite3_finalize(stmt);
    return r;
}

static int sq_check_integrity(struct store *st, struct errbuf *eb)
{
    return sq_check_integrity_db(sq(st)->db, eb);
}

static int sq_backup(struct store *st, const char *dest_path, struct errbuf *eb)
{
    struct sqlite_store *s = sq(st);
    sqlite3 *dest = NULL;
    sqlite3_backup *b;
    struct stat sb;
    int r = 0, rc;
    if (stat(dest_path, &sb) == 0)
        return errbuf_set(eb, ERR_EXISTS, "%s already exists; choose a new file", dest_path);
    if (sqlite3_open_v2(dest_path, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        r = errbuf_set(eb, ERR_IO, "cannot create %s: %s", dest_path,
                       dest ? sqlite3_errmsg(dest) : "out of memory");
        goto out;
    }
    /* One step over all pages: the copy is read in one read transaction, so it is the
     * database as of that instant even while other connections write (WAL). */
    b = sqlite3_backup_init(dest, "main", s->db, "main");
    if (b == NULL) {
        r = errbuf_set(eb, ERR_IO, "cannot start the backup: %s", sqlite3_errmsg(dest));
        goto out;
    }
    rc = sqlite3_backup_step(b, -1);
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        r = errbuf_set(eb, ERR_IO, "backup failed: %s", sqlite3_errstr(rc));
        goto out;
    }
    /* A backup is a plain single file: take it out of WAL mode so it travels alone. */
    if (sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        r = errbuf_set(eb, ERR_IO, "cannot finish the backup: %s", sqlite3_errmsg(dest));
        goto out;
    }
    r = sq_check_integrity_db(dest, eb);
out:
    sqlite3_close(dest);
    if (r != 0)
        unlink(dest_path);
    return r;
}

static int sq_meta_set(struct store *st, const char *key, const char *value)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_META_SET);
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, key);
    bind_text(stmt, 2, value);
    return sq_exec_done(s, stmt, "meta set");
}

/* ---- areas ------------------------------------------------------------------------------ */

static int sq_area_put(struct store *st, const struct area *a)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_AREA_PUT);
    char parent[19];
    size_t plen = 0;
    int r;
    static const size_t parent_len[] = {0, 0, 2, 4, 6, 9, 12, 15};

    if (stmt == NULL)
        return ERR_DB;
    if (a->level >= 1 && a->level <= 7)
        plen = parent_len[a->level];
    snprintf(parent, sizeof(parent), "%.*s", (int)plen, a->code);
    bind_text(stmt, 1, a->code);
    bind_text(stmt, 2, parent);
    bind_text(stmt, 3, a->name);
    sqlite3_bind_int(stmt, 4, a->level);
    sqlite3_bind_double(stmt, 5, a->minx);
    sqlite3_bind_double(stmt, 6, a->miny);
    sqlite3_bind_double(stmt, 7, a->maxx);
    sqlite3_bind_double(stmt, 8, a->maxy);
    if (a->geometry)
        bind_text(stmt, 9, a->geometry);
    sqlite3_bind_int64(stmt, 10, time_now_ms());
    if ((r = sq_exec_done(s, stmt, "area put")) != 0)
        return r;
    stmt = sq_stmt(s, STMT_AREAS_VERSION_BUMP);
    if (stmt == NULL)
        return ERR_DB;
    return sq_exec_done(s, stmt, "areas version");
}

static void read_area(sqlite3_stmt *stmt, struct area *a)
{
    memset(a, 0, sizeof(*a));
    copy_col(stmt, 0, a->code, sizeof(a->code));
    copy_col(stmt, 1, a->name, sizeof(a->name));
    a->level = sqlite3_column_int(stmt, 2);
    a->minx = sqlite3_column_double(stmt, 3);
    a->miny = sqlite3_column_double(stmt, 4);
    a->maxx = sqlite3_column_double(stmt, 5);
    a->maxy = sqlite3_column_double(stmt, 6);
    a->households = sqlite3_column_int64(stmt, 7);
    a->persons = sqlite3_column_int64(stmt, 8);
    a->children = sqlite3_column_int64(stmt, 9);
    const unsigned char *g = sqlite3_column_text(stmt, 10);
    if (g != NULL)
        a->geometry = xstrdup((const char *)g);
}

static int sq_area_get(struct store *st, const char *code, int with_geometry, struct area *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_AREA_GET);
    int rc, r;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, code);
    sqlite3_bind_int(stmt, 9, with_geometry != 0);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_area(stmt, out);
        r = 0;
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "area get");
    }
    sqlite3_reset(stmt);
    return r;
}

static int sq_area_exists(struct store *st, const char *code, int *exists)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_AREA_EXISTS);
    int rc, r = 0;
    *exists = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, code);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *exists = 1;
    else if (rc != SQLITE_DONE)
        r = sq_fail(s, "area exists");
    sqlite3_reset(stmt);
    return r;
}

static int sq_area_children(struct store *st, const char *parent, int with_geometry,
                            struct area_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_AREA_CHILDREN);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, parent);
    sqlite3_bind_int(stmt, 9, with_geometry != 0);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        read_area(stmt, &out->items[out->len++]);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "area children");
        area_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

static int sq_area_walk(struct store *st, const char *root, int max_level, int with_geometry,
                        store_area_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    /* A walk may call back into the store (nested queries), so it uses its own statement
     * rather than the cached one, which a nested walk would reset under it. */
    sqlite3_stmt *stmt = NULL;
    struct area a;
    int rc, r = 0;
    if (sqlite3_prepare_v2(s->db, stmt_sql[STMT_AREA_WALK], -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare area walk");
    bind_text(stmt, 1, root);
    sqlite3_bind_int(stmt, 2, max_level);
    sqlite3_bind_int(stmt, 9, with_geometry != 0);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        read_area(stmt, &a);
        r = fn(ctx, &a);
        area_cleanup(&a);
        if (r != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "area walk");
    sqlite3_finalize(stmt);
    return r;
}

static int sq_count(struct sqlite_store *s, enum stmt_id id, int64_t *out)
{
    sqlite3_stmt *stmt = sq_stmt(s, id);
    int r = 0;
    *out = 0;
    if (stmt == NULL)
        return ERR_DB;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "count");
    sqlite3_reset(stmt);
    return r;
}

static int sq_area_count(struct store *st, int64_t *out)
{
    return sq_count(sq(st), STMT_AREA_COUNT, out);
}

static int sq_case_count_overdue(struct store *st, int64_t now_ms, int64_t *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_CASE_COUNT_OVERDUE);
    int r = 0;
    *out = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, now_ms);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "count overdue");
    sqlite3_reset(stmt);
    return r;
}

static int sq_size_bytes(struct store *st, int64_t *out)
{
    return sq_count(sq(st), STMT_SIZE_BYTES, out);
}

static int sq_area_min_level(struct store *st, int *out)
{
    int64_t v;
    int r = sq_count(sq(st), STMT_AREA_MIN_LEVEL, &v);
    *out = (int)v;
    return r;
}

static int sq_areas_version(struct store *st, int64_t *out)
{
    char value[32];
    int r = sq_meta_get(st, "areas_version", value, sizeof(value));
    *out = r == 0 ? strtoll(value, NULL, 10) : 0;
    return r == ERR_NOT_FOUND ? 0 : r;
}

static int sq_area_recount(struct store *st)
{
    struct sqlite_store *s = sq(st);
    for (int level = 7; level >= 1; level--) {
        sqlite3_stmt *stmt = sq_stmt(s, STMT_AREA_RECOUNT_LEVEL);
        int r;
        if (stmt == NULL)
            return ERR_DB;
        sqlite3_bind_int(stmt, 1, level);
        if ((r = sq_exec_done(s, stmt, "area recount")) != 0)
            return r;
    }
    return 0;
}

/* ---- users and sessions ----------------------------------------------------------------- */

static int sq_user_insert(struct store *st, struct user *u)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_USER_INSERT);
    int rc;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, u->username);
    bind_text(stmt, 2, u->display_name);
    bind_text(stmt, 3, u->role);
    bind_text(stmt, 4, u->area_code);
    bind_text(stmt, 5, u->department);
    bind_text(stmt, 6, u->password_hash);
    sqlite3_bind_int64(stmt, 7, u->created_ms ? u->created_ms : time_now_ms());
    sqlite3_bind_int(stmt, 8, u->is_disabled);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_CONSTRAINT || (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT)
        return ERR_EXISTS;
    if (rc != SQLITE_DONE)
        return sq_fail(s, "user insert");
    u->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

void sq_read_user(sqlite3_stmt *stmt, struct user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, u->username, sizeof(u->username));
    copy_col(stmt, 2, u->display_name, sizeof(u->display_name));
    copy_col(stmt, 3, u->role, sizeof(u->role));
    copy_col(stmt, 4, u->area_code, sizeof(u->area_code));
    copy_col(stmt, 5, u->department, sizeof(u->department));
    copy_col(stmt, 6, u->password_hash, sizeof(u->password_hash));
    u->failed_logins = sqlite3_column_int(stmt, 7);
    u->locked_until_ms = sqlite3_column_int64(stmt, 8);
    u->created_ms = sqlite3_column_int64(stmt, 9);
    u->is_disabled = sqlite3_column_int(stmt, 10);
}

static int sq_user_get_one(struct sqlite_store *s, sqlite3_stmt *stmt, struct user *out)
{
    int rc = sqlite3_step(stmt);
    int r = 0;
    if (rc == SQLITE_ROW)
        sq_read_user(stmt, out);
    else if (rc == SQLITE_DONE)
        r = ERR_NOT_FOUND;
    else
        r = sq_fail(s, "user get");
    sqlite3_reset(stmt);
    return r;
}

static int sq_user_get_by_name(struct store *st, const char *username, struct user *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_USER_BY_NAME);
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, username);
    return sq_user_get_one(s, stmt, out);
}

static int sq_user_get(struct store *st, int64_t id, struct user *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_USER_BY_ID);
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    return sq_user_get_one(s, stmt, out);
}

static int sq_user_list(struct store *st, const char *root, struct user_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_USER_LIST);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, root);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        sq_read_user(stmt, &out->items[out->len++]);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "user list");
        user_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

static int sq_user_set_password(struct store *st, int64_t id, const char *password_hash)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_USER_SET_PASSWORD);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    bind_text(stmt, 2, password_hash);
    if ((r = sq_exec_done(s, stmt, "user set password")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_NOT_FOUND;
}

static int sq_user_set_login_state(struct store *st, int64_t id, int failed_logins,
                                   int64_t locked_until_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_USER_SET_LOGIN);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int(stmt, 2, failed_logins);
    sqlite3_bind_int64(stmt, 3, locked_until_ms);
    return sq_exec_done(s, stmt, "user login state");
}

static int sq_session_insert(struct store *st, const struct session *sess)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_SESSION_INSERT);
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, sess->token_hash);
    bind_text(stmt, 2, sess->csrf_token);
    sqlite3_bind_int64(stmt, 3, sess->user_id);
    sqlite3_bind_int64(stmt, 4, sess->created_ms);
    sqlite3_bind_int64(stmt, 5, sess->expires_ms);
    return sq_exec_done(s, stmt, "session insert");
}

static int sq_session_get(struct store *st, const char *token_hash, int64_t now_ms,
                          struct session *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_SESSION_GET);
    int rc, r = 0;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, token_hash);
    sqlite3_bind_int64(stmt, 2, now_ms);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        copy_col(stmt, 0, out->token_hash, sizeof(out->token_hash));
        copy_col(stmt, 1, out->csrf_token, sizeof(out->csrf_token));
        out->user_id = sqlite3_column_int64(stmt, 2);
        out->created_ms = sqlite3_column_int64(stmt, 3);
        out->expires_ms = sqlite3_column_int64(stmt, 4);
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "session get");
    }
    sqlite3_reset(stmt);
    return r;
}

static int sq_session_delete(struct store *st, const char *token_hash)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_SESSION_DELETE);
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, token_hash);
    return sq_exec_done(s, stmt, "session delete");
}

static int sq_session_delete_user(struct store *st, int64_t user_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_SESSION_DELETE_USER);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, user_id);
    return sq_exec_done(s, stmt, "session delete user");
}

static int sq_session_purge(struct store *st, int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_SESSION_PURGE);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, now_ms);
    return sq_exec_done(s, stmt, "session purge");
}

/* ---- base data -------------------------------------------------------------------------- */

static int sq_household_insert(struct store *st, struct household *h)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_HOUSEHOLD_INSERT);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, h->cell_code);
    bind_text(stmt, 2, h->address);
    bind_text(stmt, 3, h->kind);
    sqlite3_bind_int64(stmt, 4, h->created_ms ? h->created_ms : time_now_ms());
    if ((r = sq_exec_done(s, stmt, "household insert")) != 0)
        return r;
    h->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int sq_person_insert(struct store *st, struct person *p)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_PERSON_INSERT);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, p->household_id);
    bind_text(stmt, 2, p->cell_code);
    bind_text(stmt, 3, p->name);
    bind_text(stmt, 4, p->sex);
    bind_text(stmt, 5, p->birth_date);
    sqlite3_bind_int(stmt, 6, p->is_registered);
    bind_text(stmt, 7, p->relation);
    bind_text(stmt, 8, p->tags);
    sqlite3_bind_int64(stmt, 9, p->created_ms ? p->created_ms : time_now_ms());
    if ((r = sq_exec_done(s, stmt, "person insert")) != 0)
        return r;
    p->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

static int sq_household_count(struct store *st, const char *root, int64_t *households,
                              int64_t *persons)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_stmt(s, STMT_HOUSEHOLD_COUNT);
    int r = 0;
    *households = 0;
    *persons = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, root);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        *households = sqlite3_column_int64(stmt, 0);
        *persons = sqlite3_column_int64(stmt, 1);
    } else {
        r = sq_fail(s, "household count");
    }
    sqlite3_reset(stmt);
    return r;
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .schema_version = sq_schema_version,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .meta_get = sq_meta_get,
    .meta_set = sq_meta_set,
    .meta_get_text = sq_meta_get_text,
    .maintain = sq_maintain,
    .refresh_statistics = sq_refresh_statistics,
    .case_count_overdue = sq_case_count_overdue,
    .size_bytes = sq_size_bytes,
    .backup = sq_backup,
    .check_integrity = sq_check_integrity,
    .area_put = sq_area_put,
    .area_get = sq_area_get,
    .area_exists = sq_area_exists,
    .area_children = sq_area_children,
    .area_walk = sq_area_walk,
    .area_min_level = sq_area_min_level,
    .area_count = sq_area_count,
    .areas_version = sq_areas_version,
    .area_recount = sq_area_recount,
    .user_insert = sq_user_insert,
    .user_get_by_name = sq_user_get_by_name,
    .user_get = sq_user_get,
    .user_list = sq_user_list,
    .user_set_password = sq_user_set_password,
    .user_set_login_state = sq_user_set_login_state,
    .session_insert = sq_session_insert,
    .session_get = sq_session_get,
    .session_delete = sq_session_delete,
    .session_delete_user = sq_session_delete_user,
    .session_purge = sq_session_purge,
    .household_insert = sq_household_insert,
    .person_insert = sq_person_insert,
    .household_count = sq_household_count,
    .bd_put = sq_bd_put,
    .bd_get = sq_bd_get,
    .bd_delete = sq_bd_delete,
    .bd_find = sq_bd_find,
    .bd_list = sq_bd_list,
    .bd_count = sq_bd_count,
    .bd_search = sq_bd_search,
    .bd_reindex = sq_bd_reindex,
    .bd_bulk_begin = sq_bd_bulk_begin,
    .bd_bulk_end = sq_bd_bulk_end,
    .access_log_append = sq_access_log_append,
    .access_log_list = sq_access_log_list,
    .household_link_add = sq_household_link_add,
    .household_links = sq_household_links,
    .bd_retention_persons = sq_bd_retention_persons,
    .bd_anonymise_person = sq_bd_anonymise_person,
    .case_clear_reporters = sq_case_clear_reporters,
    .case_plain_phones = sq_case_plain_phones,
    .case_set_reporter_phone = sq_case_set_reporter_phone,
    .case_set_head = sq_case_set_head,
    .case_insert = sq_case_insert,
    .case_update = sq_case_update,
    .case_get = sq_case_get,
    .case_get_by_number = sq_case_get_by_number,
    .case_list = sq_case_list,
    .case_next_serial = sq_case_next_serial,
    .case_due = sq_case_due,
    .case_nearby = sq_case_nearby,
    .case_count_by_status = sq_case_count_by_status,
    .case_event_append = sq_case_event_append,
    .case_events = sq_case_events,
    .case_event_walk = sq_case_event_walk,
    .attachment_put = sq_attachment_put,
    .attachment_get = sq_attachment_get,
    .case_attachment_add = sq_case_attachment_add,
    .case_attachments = sq_case_attachments,
    .attachment_cases = sq_attachment_cases,
    .user_page = sq_user_page,
    .outbox_insert = sq_outbox_insert,
    .outbox_due = sq_outbox_due,
    .outbox_delivered = sq_outbox_delivered,
    .outbox_failed = sq_outbox_failed,
    .outbox_backlog = sq_outbox_backlog,
    .outbox_mark_all_delivered = sq_outbox_mark_all_delivered,
    .case_daily_counts = sq_case_daily_counts,
    .dispute_insert = sq_dispute_insert,
    .dispute_update = sq_dispute_update,
    .dispute_get = sq_dispute_get,
    .dispute_list = sq_dispute_list,
    .dispute_find_recurrence = sq_dispute_find_recurrence,
    .dispute_party_add = sq_dispute_party_add,
    .dispute_parties = sq_dispute_parties,
    .dispute_mediator_add = sq_dispute_mediator_add,
    .dispute_mediators = sq_dispute_mediators,
    .dispute_is_mediator = sq_dispute_is_mediator,
    .dispute_entry_add = sq_dispute_entry_add,
    .dispute_entries = sq_dispute_entries,
    .dispute_event_append = sq_dispute_event_append,
    .dispute_events = sq_dispute_events,
    .dispute_stats = sq_dispute_stats,
    .council_insert = sq_council_insert,
    .council_get = sq_council_get,
    .council_list = sq_council_list,
    .council_member_add = sq_council_member_add,
    .council_members = sq_council_members,
    .topic_insert = sq_topic_insert,
    .topic_update = sq_topic_update,
    .topic_get = sq_topic_get,
    .topic_list = sq_topic_list,
    .topic_entry_add = sq_topic_entry_add,
    .topic_task_done = sq_topic_task_done,
    .topic_entries = sq_topic_entries,
    .topic_meeting_add = sq_topic_meeting_add,
    .topic_meeting_latest = sq_topic_meeting_latest,
    .topic_attended = sq_topic_attended,
    .topic_ballot_add = sq_topic_ballot_add,
    .topic_ballot_totals = sq_topic_ballot_totals,
    .topic_event_append = sq_topic_event_append,
    .topic_events = sq_topic_events,
    .village_voters = sq_village_voters,
    .rollup_add = sq_rollup_add,
    .rollup_add_many = sq_rollup_add_many,
    .rollup_day_counts = sq_rollup_day_counts,
    .rollup_clear = sq_rollup_clear,
    .rollup_diff = sq_rollup_diff,
    .rollup_sum = sq_rollup_sum,
    .rollup_event_walk = sq_rollup_event_walk,
    .case_report_key_insert = sq_case_report_key_insert,
    .case_report_key_get = sq_case_report_key_get,
    .survey_insert = sq_survey_insert,
    .survey_get = sq_survey_get,
    .survey_list = sq_survey_list,
    .survey_response_insert = sq_survey_response_insert,
    .survey_sums = sq_survey_sums,
    .star_rating_insert = sq_star_rating_insert,
    .star_rating_count = sq_star_rating_count,
    .star_rating_list = sq_star_rating_list,
    .visit_due = sq_visit_due,
    .session_user_get = sq_session_user_get,
    .meta_get_int_pair = sq_meta_get_int_pair,
    .api_key_insert = sq_api_key_insert,
    .api_key_get_by_hash = sq_api_key_get_by_hash,
    .api_key_list = sq_api_key_list,
    .open311_request_insert = sq_open311_request_insert,
    .open311_request_get = sq_open311_request_get,
    .open311_request_by_token = sq_open311_request_by_token,
    .open311_case_ids = sq_open311_case_ids,
    .open311_media_case = sq_open311_media_case,
    .outbox_last_id = sq_outbox_last_id,
    .outbox_mark_delivered_after = sq_outbox_mark_delivered_after,
    .open311_updated_case_ids = sq_open311_updated_case_ids,
    .open311_update_key_insert = sq_open311_update_key_insert,
    .open311_update_key_get = sq_open311_update_key_get,
    /* field work (issue 5) */
    .patrol_insert = sq_patrol_insert,
    .patrol_get = sq_patrol_get,
    .patrol_finish = sq_patrol_finish,
    .patrol_set_counts = sq_patrol_set_counts,
    .patrol_list = sq_patrol_list,
    .patrol_batch_add = sq_patrol_batch_add,
    .patrol_points_add = sq_patrol_points_add,
    .patrol_points = sq_patrol_points,
    .patrol_count_by_grid = sq_patrol_count_by_grid,
    .field_case_link_add = sq_field_case_link_add,
    .field_case_links = sq_field_case_links,
    .visit_insert = sq_visit_insert,
    .visit_get = sq_visit_get,
    .visit_set_case = sq_visit_set_case,
    .visit_list = sq_visit_list,
    .visit_states = sq_visit_states,
    .campaign_insert = sq_campaign_insert,
    .campaign_get = sq_campaign_get,
    .campaign_coverage = sq_campaign_coverage,
    .case_channel_counts = sq_case_channel_counts,
    .station_team_insert = sq_station_team_insert,
    .station_team_get = sq_station_team_get,
    .station_team_list = sq_station_team_list,
    .station_session_insert = sq_station_session_insert,
    .station_session_get = sq_station_session_get,
    .station_session_list = sq_station_session_list,
    /* volunteers, needs, posts, hours, chiefs (issue 5) */
    .volunteer_insert = sq_volunteer_insert,
    .volunteer_update = sq_volunteer_update,
    .volunteer_get = sq_volunteer_get,
    .volunteer_list = sq_volunteer_list,
    .volunteer_loads = sq_volunteer_loads,
    .need_insert = sq_need_insert,
    .need_get = sq_need_get,
    .need_list = sq_need_list,
    .need_assign = sq_need_assign,
    .need_assignments = sq_need_assignments,
    .post_insert = sq_post_insert,
    .post_get = sq_post_get,
    .post_list = sq_post_list,
    .post_member_add = sq_post_member_add,
    .post_member_get = sq_post_member_get,
    .post_members = sq_post_members,
    .hours_insert = sq_hours_insert,
    .hours_day_total = sq_hours_day_total,
    .hours_totals = sq_hours_totals,
    .chief_insert = sq_chief_insert,
    .chief_get = sq_chief_get,
    .chief_list = sq_chief_list,
    .user_set_disabled = sq_user_set_disabled,
    .visit_key_insert = sq_visit_key_insert,
    .visit_key_get = sq_visit_key_get,
};
