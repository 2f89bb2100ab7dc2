/*
 * store_sqlite_attachments.c - the SQLite side of attachment access control: which cases an
 * attachment is linked to (store_attachment_cases in store.h). Rarely called (one attachment
 * download), so the statement is prepared per call rather than cached in a slot.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/error.h"

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
