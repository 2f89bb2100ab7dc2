/*
 * store_sqlite_fieldwork.c - field work on SQLite (issue 5, SPEC section 5): patrols with
 * their GPS tracks and the ids of uploaded batches, and the links of cases to the field work
 * that found them. See store.h for the contract.
 *
 * Tables (migration 4): patrols (one row per patrol, keyed by grid code and start time for the
 * area listings), patrol_points (the track, by patrol and upload sequence, indexed by time),
 * patrol_batches (client batch ids, so a retried upload is recognised), field_case_links.
 * Statements are prepared per call (field work is a small share of the traffic, and this keeps
 * the connection's statement slots to the modules that need them); every value is bound.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/buf.h"

#include <string.h>

static int prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return sq_fail(s, "prepare field work statement");
    }
    return 0;
}

/* Step a statement that returns no rows, then finalize it. */
static int exec_once(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);
    int r = rc == SQLITE_DONE ? 0 : sq_fail(s, what);
    sqlite3_finalize(stmt);
    return r;
}

/* ---- patrols ---------------------------------------------------------------------------- */

#define PATROL_COLS                                                                                \
    "id, grid_code, user_id, started_ms, ended_ms, distance_m, duration_ms, n_points, "            \
    "n_outside, n_fast"

static void patrol_row(sqlite3_stmt *stmt, struct patrol_rec *p)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, p->grid_code, sizeof(p->grid_code));
    p->user_id = sqlite3_column_int64(stmt, 2);
    p->started_ms = sqlite3_column_int64(stmt, 3);
    p->ended_ms = sqlite3_column_int64(stmt, 4);
    p->distance_m = sqlite3_column_double(stmt, 5);
    p->duration_ms = sqlite3_column_int64(stmt, 6);
    p->n_points = sqlite3_column_int64(stmt, 7);
    p->n_outside = sqlite3_column_int64(stmt, 8);
    p->n_fast = sqlite3_column_int64(stmt, 9);
}

int sq_patrol_insert(struct store *st, struct patrol_rec *p)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s, "INSERT INTO patrols(grid_code, user_id, started_ms) VALUES (?1, ?2, ?3)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, p->grid_code);
    sqlite3_bind_int64(stmt, 2, p->user_id);
    sqlite3_bind_int64(stmt, 3, p->started_ms);
    if ((r = exec_once(s, stmt, "insert patrol")) != 0)
        return r;
    p->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_patrol_get(struct store *st, int64_t id, struct patrol_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT " PATROL_COLS " FROM patrols WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        patrol_row(stmt, out);
    r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "get patrol");
    sqlite3_finalize(stmt);
    return r;
}

int sq_patrol_finish(struct store *st, const struct patrol_rec *p)
{
    struct sqlite_store *s = sq(st);
    struct patrol_rec cur;
    sqlite3_stmt *stmt;
    int r;
    if ((r = sq_patrol_get(st, p->id, &cur)) != 0)
        return r;
    if (cur.ended_ms != 0)
        return ERR_CONFLICT;
    if ((r = prepare(s,
                     "UPDATE patrols SET ended_ms = ?2, distance_m = ?3, duration_ms = ?4, "
                     "n_points = ?5, n_outside = ?6, n_fast = ?7 WHERE id = ?1 AND ended_ms = 0",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, p->id);
    sqlite3_bind_int64(stmt, 2, p->ended_ms);
    sqlite3_bind_double(stmt, 3, p->distance_m);
    sqlite3_bind_int64(stmt, 4, p->duration_ms);
    sqlite3_bind_int64(stmt, 5, p->n_points);
    sqlite3_bind_int64(stmt, 6, p->n_outside);
    sqlite3_bind_int64(stmt, 7, p->n_fast);
    if ((r = exec_once(s, stmt, "finish patrol")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_CONFLICT;
}

int sq_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                         int64_t n_fast)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "UPDATE patrols SET n_points = ?2, n_outside = ?3, n_fast = ?4 WHERE id = ?1",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, n_points);
    sqlite3_bind_int64(stmt, 3, n_outside);
    sqlite3_bind_int64(stmt, 4, n_fast);
    if ((r = exec_once(s, stmt, "patrol counts")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_NOT_FOUND;
}

int sq_patrol_list(struct store *st, const struct patrol_filter *f, store_patrol_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0, rc;
    buf_init(&sql, 1024);
    buf_append_str(&sql, "SELECT " PATROL_COLS " FROM patrols "
                         "WHERE grid_code >= ?1 AND grid_code < ?1 || ':'");
    if (f->user_id > 0)
        buf_append_str(&sql, " AND user_id = ?2");
    if (f->is_running)
        buf_append_str(&sql, " AND ended_ms = 0");
    if (f->from_ms > 0)
        buf_append_str(&sql, " AND started_ms >= ?3");
    if (f->to_ms > 0)
        buf_append_str(&sql, " AND started_ms < ?4");
    if (f->before_id > 0)
        buf_append_str(&sql, " AND id < ?5");
    buf_append_str(&sql, " ORDER BY id DESC LIMIT ?6");
    if ((r = prepare(s, sql.data, &stmt)) != 0)
        goto out;
    bind_text(stmt, 1, f->area ? f->area : "");
    sqlite3_bind_int64(stmt, 2, f->user_id);
    sqlite3_bind_int64(stmt, 3, f->from_ms);
    sqlite3_bind_int64(stmt, 4, f->to_ms);
    sqlite3_bind_int64(stmt, 5, f->before_id);
    sqlite3_bind_int(stmt, 6, f->limit > 0 && f->limit <= 10000 ? f->limit : 100);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct patrol_rec p;
        patrol_row(stmt, &p);
        if ((r = fn(ctx, &p)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "list patrols");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

int sq_patrol_batch_add(struct store *st, int64_t patrol_id, const char *batch_id, int64_t n_points,
                        int *is_new)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    *is_new = 0;
    if ((r = prepare(s,
                     "INSERT OR IGNORE INTO patrol_batches(patrol_id, batch_id, n_points) "
                     "VALUES (?1, ?2, ?3)",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, patrol_id);
    bind_text(stmt, 2, batch_id);
    sqlite3_bind_int64(stmt, 3, n_points);
    if ((r = exec_once(s, stmt, "patrol batch")) != 0)
        return r;
    *is_new = sqlite3_changes(s->db) == 1;
    return 0;
}

int sq_patrol_points_add(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                         size_t n)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int64_t seq = 0;
    int r, rc;
    if ((r = prepare(s, "SELECT coalesce(max(seq), 0) FROM patrol_points WHERE patrol_id = ?1",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, patrol_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        seq = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW)
        return sq_fail(s, "patrol points seq");
    if ((r = prepare(s,
                     "INSERT INTO patrol_points(patrol_id, seq, t_ms, lon, lat, accuracy, flags) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &stmt)) != 0)
        return r;
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, patrol_id);
        sqlite3_bind_int64(stmt, 2, seq + (int64_t)i + 1);
        sqlite3_bind_int64(stmt, 3, pts[i].t_ms);
        sqlite3_bind_double(stmt, 4, pts[i].lon);
        sqlite3_bind_double(stmt, 5, pts[i].lat);
        sqlite3_bind_double(stmt, 6, pts[i].accuracy);
        sqlite3_bind_int(stmt, 7, (int)pts[i].flags);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            r = sq_fail(s, "insert patrol point");
            break;
        }
    }
    sqlite3_finalize(stmt);
    return r;
}

int sq_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = prepare(s,
                     "SELECT t_ms, lon, lat, accuracy, flags FROM patrol_points "
                     "WHERE patrol_id = ?1 ORDER BY t_ms, seq",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, patrol_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct patrol_point pt;
        pt.t_ms = sqlite3_column_int64(stmt, 0);
        pt.lon = sqlite3_column_double(stmt, 1);
        pt.lat = sqlite3_column_double(stmt, 2);
        pt.accuracy = sqlite3_column_double(stmt, 3);
        pt.flags = (unsigned)sqlite3_column_int(stmt, 4);
        if ((r = fn(ctx, &pt)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "patrol points");
out:
    sqlite3_finalize(stmt);
    return r;
}

int sq_patrol_count_by_grid(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                            store_count_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = prepare(s,
                     "SELECT grid_code, count(*) FROM patrols "
                     "WHERE grid_code >= ?1 AND grid_code < ?1 || ':' AND started_ms >= ?2 "
                     "AND started_ms < ?3 AND ended_ms != 0 GROUP BY grid_code ORDER BY grid_code",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, area ? area : "");
    sqlite3_bind_int64(stmt, 2, from_ms);
    sqlite3_bind_int64(stmt, 3, to_ms);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char grid[19];
        copy_col(stmt, 0, grid, sizeof(grid));
        if ((r = fn(ctx, grid, sqlite3_column_int64(stmt, 1))) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "patrols by grid");
out:
    sqlite3_finalize(stmt);
    return r;
}

/* ---- links of cases to the field work that found them ------------------------------------ */

int sq_field_case_link_add(struct store *st, const char *source, int64_t source_id, int64_t case_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT OR IGNORE INTO field_case_links(source, source_id, case_id) "
                     "VALUES (?1, ?2, ?3)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, source);
    sqlite3_bind_int64(stmt, 2, source_id);
    sqlite3_bind_int64(stmt, 3, case_id);
    return exec_once(s, stmt, "link case to field work");
}

int sq_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                        void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = prepare(s,
                     "SELECT case_id FROM field_case_links WHERE source = ?1 AND source_id = ?2 "
                     "ORDER BY case_id",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, source);
    sqlite3_bind_int64(stmt, 2, source_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((r = fn(ctx, sqlite3_column_int64(stmt, 0))) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "field case links");
out:
    sqlite3_finalize(stmt);
    return r;
}
