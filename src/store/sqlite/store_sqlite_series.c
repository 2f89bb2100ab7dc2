/*
 * store_sqlite_series.c - daily case counts for the analysis module (forecasts, hot spots,
 * alerts, backtests; issue 7) on SQLite. See store.h for the contract.
 *
 * The query groups the cases of an area subtree and a time range by local day (and category
 * class). It uses the same per-level index as the case list (cases_<level>_time: the level's
 * code, then created_ms), so a year of one community is one index range; above district level
 * it is a code range on area_code. The SQL is assembled from fixed fragments; every value is
 * bound. Read-only; prepared per call (analysis requests are rare next to case traffic).
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/buf.h"

#include <string.h>

#define DAY_MS ((int64_t)86400000)

static const char *level_column(size_t len)
{
    switch (len) {
    case 6:
        return "district";
    case 9:
        return "street";
    case 12:
        return "community";
    case 15:
        return "grid";
    default:
        return NULL;
    }
}

int sq_series_emit(struct sqlite_store *s, sqlite3_stmt *stmt, store_series_fn fn, void *ctx,
                   const char *what)
{
    int rc, r;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char cls[8];
        copy_col(stmt, 1, cls, sizeof(cls));
        if ((r = fn(ctx, sqlite3_column_int64(stmt, 0), cls, sqlite3_column_int64(stmt, 2))) != 0)
            return r;
    }
    return rc == SQLITE_DONE ? 0 : sq_fail(s, what);
}

int sq_case_daily_counts(struct store *st, const char *area, const char *category, int64_t from_ms,
                         int64_t to_ms, int utc_offset_min, int by_class, store_series_fn fn,
                         void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0;

    buf_init(&sql, 1024);
    buf_printf(&sql,
               "SELECT (created_ms + ?3) / %lld AS day, %s, count(*) FROM cases "
               "WHERE created_ms >= ?4 AND created_ms < ?5",
               (long long)DAY_MS, by_class ? "substr(category, 1, 2) AS cls" : "'' AS cls");
    if (area != NULL && area[0] != '\0') {
        const char *col = level_column(strlen(area));
        if (strlen(area) == 18)
            buf_append_str(&sql, " AND grid = substr(?1, 1, 15) AND area_code = ?1");
        else if (col != NULL)
            buf_printf(&sql, " AND %s = ?1", col);
        else
            buf_append_str(&sql, " AND area_code >= ?1 AND area_code < ?1 || ':'");
    }
    if (category != NULL && category[0] != '\0')
        buf_append_str(&sql, " AND category >= ?2 AND category < ?2 || ':'");
    buf_append_str(&sql, " GROUP BY day, cls ORDER BY day, cls");

    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare daily counts");
        goto out;
    }
    if (area != NULL && area[0] != '\0')
        bind_text(stmt, 1, area);
    if (category != NULL && category[0] != '\0')
        bind_text(stmt, 2, category);
    sqlite3_bind_int64(stmt, 3, (int64_t)utc_offset_min * 60000);
    sqlite3_bind_int64(stmt, 4, from_ms);
    sqlite3_bind_int64(stmt, 5, to_ms);
    r = sq_series_emit(s, stmt, fn, ctx, "daily counts");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}
