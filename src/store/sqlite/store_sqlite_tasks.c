/*
 * store_sqlite_tasks.c - the households that may be due for a visit, for the grid workers' task
 * lists (service/visits.c), on SQLite. See store.h (store_visit_due) for the contract.
 *
 * Migration 14 keeps on each household its last visit (last_visit_ms, by a trigger on visits)
 * and its active members' tags (member_tags, by triggers on persons), and indexes the visit
 * base -- the last visit, or created_ms when never visited -- with the cell code: for every
 * household, per kind, and for households with tagged members (a partial index). A query is
 * one range of one of those indexes ("base at most T"), the cell code read from the index
 * entry, so the work follows the households found, not the households of the area. For areas
 * from community level down the cell-code index is the shorter walk; the index is named
 * explicitly either way (without statistics the planner cannot tell the two ranges apart).
 * The SQL is assembled from fixed fragments; every value is bound; prepared per call (a task
 * list is a few requests per user and day).
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/buf.h"

#include <string.h>

/* The visit base; the indexes of migration 15 are on exactly this expression. */
#define VISIT_BASE "(CASE WHEN last_visit_ms > 0 THEN last_visit_ms ELSE created_ms END)"

/* Areas with codes this long or longer (community, grid, cell) walk their cells instead. */
#define SMALL_AREA_LEN 12

int sq_visit_due(struct store *st, const char *area, const char *kind, int tagged,
                 int64_t base_max_ms, store_visit_state_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0, rc;
    int small = area != NULL && strlen(area) >= SMALL_AREA_LEN;
    buf_init(&sql, 1024);
    buf_append_str(&sql, "SELECT id, cell_code, kind, address, created_ms, last_visit_ms, "
                         "member_tags FROM households INDEXED BY ");
    if (small)
        buf_append_str(&sql, "households_cell");
    else if (kind != NULL)
        buf_append_str(&sql, "households_visit_kind");
    else if (tagged)
        buf_append_str(&sql, "households_visit_tagged");
    else
        buf_append_str(&sql, "households_visit_base");
    buf_append_str(&sql, " WHERE " VISIT_BASE " <= ?2 "
                         "AND cell_code >= ?1 AND cell_code < ?1 || ':'");
    if (kind != NULL)
        buf_append_str(&sql, " AND kind = ?3");
    if (tagged)
        buf_append_str(&sql, " AND member_tags != ''");
    buf_append_str(&sql, " ORDER BY id");
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare visits due");
        goto out;
    }
    bind_text(stmt, 1, area ? area : "");
    sqlite3_bind_int64(stmt, 2, base_max_ms);
    if (kind != NULL)
        bind_text(stmt, 3, kind);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct visit_state vs;
        memset(&vs, 0, sizeof(vs));
        memcpy(vs.subject_kind, "household", sizeof("household"));
        vs.subject_id = sqlite3_column_int64(stmt, 0);
        copy_col(stmt, 1, vs.cell_code, sizeof(vs.cell_code));
        copy_col(stmt, 2, vs.kind, sizeof(vs.kind));
        copy_col(stmt, 3, vs.label, sizeof(vs.label));
        vs.created_ms = sqlite3_column_int64(stmt, 4);
        vs.last_visit_ms = sqlite3_column_int64(stmt, 5);
        copy_col(stmt, 6, vs.tags, sizeof(vs.tags));
        if ((r = fn(ctx, &vs)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "visits due");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}
