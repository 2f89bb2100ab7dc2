/*
 * store_sqlite_webui.c - what the web interface's grid-worker app and user administration
 * (issue 8) need of SQLite beyond the other modules: enabling and disabling an account, and
 * the idempotency keys of household visits (which visit a user's request with a given key
 * made, so a visit sent again from the offline queue after a lost answer is not stored twice).
 * See store.h for the contracts.
 *
 * Infrequent statements: each call prepares its own and finalizes it.
 */
#include "store/sqlite/sqlite_internal.h"

static sqlite3_stmt *prepare(struct sqlite_store *s, const char *sql, const char *what)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        sq_fail(s, what);
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

int sq_user_set_disabled(struct store *st, int64_t id, int is_disabled)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "UPDATE users SET is_disabled = ?2 WHERE id = ?1", "prepare user disable");
    int r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int(stmt, 2, is_disabled ? 1 : 0);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        r = sq_fail(s, "user disable");
    else if (sqlite3_changes(s->db) != 1)
        r = ERR_NOT_FOUND;
    sqlite3_finalize(stmt);
    return r;
}

int sq_visit_key_insert(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                        int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s,
                                 "INSERT INTO visit_keys(user_id, key, visit_id, created_ms) "
                                 "VALUES (?1, ?2, ?3, ?4)",
                                 "prepare visit key insert");
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, user_id);
    bind_text(stmt, 2, key);
    sqlite3_bind_int64(stmt, 3, visit_id);
    sqlite3_bind_int64(stmt, 4, now_ms);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        r = (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT
                ? ERR_EXISTS
                : sq_fail(s, "visit key insert");
    sqlite3_finalize(stmt);
    return r;
}

int sq_visit_key_get(struct store *st, int64_t user_id, const char *key, int64_t *visit_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "SELECT visit_id FROM visit_keys WHERE user_id = ?1 AND key = ?2",
                "prepare visit key get");
    int rc, r;
    *visit_id = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, user_id);
    bind_text(stmt, 2, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *visit_id = sqlite3_column_int64(stmt, 0);
        r = 0;
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "visit key get");
    }
    sqlite3_finalize(stmt);
    return r;
}
