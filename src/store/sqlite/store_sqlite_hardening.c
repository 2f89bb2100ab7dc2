/*
 * store_sqlite_hardening.c - the SQLite side of the hardening module's store ops (store.h):
 * which cases an attachment is linked to (attachment access control) and the users list one
 * bounded page at a time. The statements are prepared per call rather than cached in a slot
 * (both are rare: an attachment download, an admin's user list).
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/error.h"
#include "base/xalloc.h"

#include <string.h>

int sq_attachment_cases(struct store *st, const char *hash, store_count_fn fn, void *ctx)
{
    static const char sql[] =
        "SELECT case_id FROM case_attachments WHERE hash = ?1 ORDER BY added_ms, case_id";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int rc, r = 0;

    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "attachment cases");
    bind_text(stmt, 1, hash);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((r = fn(ctx, hash, sqlite3_column_int64(stmt, 0))) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "attachment cases");
    sqlite3_finalize(stmt);
    return r;
}

int sq_user_page(struct store *st, const char *root, const char *after_username, int limit,
                 struct user_list *out)
{
    static const char sql[] = "SELECT " USER_COLS " FROM users WHERE area_code >= ?1 AND "
                              "area_code < ?1 || ':' AND username > ?2 ORDER BY username LIMIT ?3";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    int rc, r = 0;

    out->items = NULL;
    out->len = 0;
    if (limit < 1 || limit > 1000)
        return ERR_INVALID;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "user page");
    bind_text(stmt, 1, root);
    bind_text(stmt, 2, after_username);
    sqlite3_bind_int(stmt, 3, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        sq_read_user(stmt, &out->items[out->len++]);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "user page");
        user_list_cleanup(out);
    }
    sqlite3_finalize(stmt);
    return r;
}
