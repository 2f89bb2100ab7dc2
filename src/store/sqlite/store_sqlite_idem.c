/*
 * store_sqlite_idem.c - idempotency keys of case reports on SQLite: which case a user's report
 * with a given key made, so a report sent again (the web's offline queue after a lost answer)
 * returns the first case instead of making a second (see store.h for the contracts).
 *
 * Infrequent statements: each call prepares its own and finalizes it.
 */
#include "store/sqlite/sqlite_internal.h"

#include <string.h>

static sqlite3_stmt *prepare(struct sqlite_store *s, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        sq_fail(s, "prepare case report key");
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

int sq_case_report_key_insert(struct store *st, int64_t user_id, const char *key, int64_t case_id,
                              int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "INSERT INTO case_report_keys(user_id, key, case_id, "
                                    "created_ms) VALUES (?1, ?2, ?3, ?4)");
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, user_id);
    bind_text(stmt, 2, key);
    sqlite3_bind_int64(stmt, 3, case_id);
    sqlite3_bind_int64(stmt, 4, now_ms);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        r = (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT
                ? ERR_EXISTS
                : sq_fail(s, "case report key insert");
    sqlite3_finalize(stmt);
    return r;
}

int sq_case_report_key_get(struct store *st, int64_t user_id, const char *key, int64_t *case_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "SELECT case_id FROM case_report_keys WHERE user_id = ?1 AND key = ?2");
    int rc, r;
    *case_id = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, user_id);
    bind_text(stmt, 2, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *case_id = sqlite3_column_int64(stmt, 0);
        r = 0;
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "case report key get");
    }
    sqlite3_finalize(stmt);
    return r;
}
