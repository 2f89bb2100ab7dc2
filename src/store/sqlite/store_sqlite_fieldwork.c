/*
 * store_sqlite_fieldwork.c - field work on SQLite (issue 5, SPEC section 5): patrols with
 * their GPS tracks and the ids of uploaded batches, and the links of cases to the field work
 * that found them. See store.h for the contract.
 *
 * Station teams (station_teams, their communities, members and weekly slots) and their
 * sessions with items are here too.
 * Tables (migration 4): patrols (one row per patrol, keyed by grid code and start time for the
 * area listings), patrol_points (the track, by patrol and upload sequence, indexed by time),
 * patrol_batches (client batch ids, so a retried upload is recognised), field_case_links.
 * Statements are prepared per call (field work is a small share of the traffic, and this keeps
 * the connection's statement slots to the modules that need them); every value is bound.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/buf.h"
#include "base/xalloc.h"

#include <string.h>

/* Statements with fixed SQL are prepared once per connection and kept in fw_stmts (the hot
 * paths: a patrol upload, a visit); listings assemble their SQL and are prepared per call. */
enum fw_stmt {
    FW_PATROL_INSERT,
    FW_PATROL_GET,
    FW_PATROL_FINISH,
    FW_PATROL_COUNTS,
    FW_PATROL_BATCH,
    FW_POINTS_SEQ,
    FW_POINTS_INSERT,
    FW_POINTS,
    FW_LINK_ADD,
    FW_LINKS,
    FW_VISIT_INSERT,
    FW_VISIT_GET,
    FW_VISIT_CASE,
    FW_SESSION_INSERT,
    FW_ITEM_INSERT,
    FW_SESSION_GET,
    FW_ITEMS,
    FW_STMT_COUNT
};
_Static_assert(FW_STMT_COUNT <= SQ_FW_STMTS, "field work statement slots");

/* The cached statement of slot, prepared from sql on first use, reset, bindings cleared. */
static int cached(struct sqlite_store *s, enum fw_stmt slot, const char *sql, sqlite3_stmt **out)
{
    *out = sq_prepare_slot(s, &s->fw_stmts[slot], sql);
    return *out != NULL ? 0 : ERR_DB;
}

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
    if ((r = cached(s, FW_PATROL_INSERT,
                    "INSERT INTO patrols(grid_code, user_id, started_ms) VALUES (?1, ?2, ?3)",
                    &stmt)) != 0)
        return r;
    bind_text(stmt, 1, p->grid_code);
    sqlite3_bind_int64(stmt, 2, p->user_id);
    sqlite3_bind_int64(stmt, 3, p->started_ms);
    if ((r = sq_exec_done(s, stmt, "insert patrol")) != 0)
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
    if ((r = cached(s, FW_PATROL_GET, "SELECT " PATROL_COLS " FROM patrols WHERE id = ?1",
                    &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        patrol_row(stmt, out);
    r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "get patrol");
    sqlite3_reset(stmt);
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
    if ((r = cached(s, FW_PATROL_FINISH,
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
    if ((r = sq_exec_done(s, stmt, "finish patrol")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_CONFLICT;
}

int sq_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                         int64_t n_fast)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = cached(s, FW_PATROL_COUNTS,
                    "UPDATE patrols SET n_points = ?2, n_outside = ?3, n_fast = ?4 WHERE id = ?1",
                    &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, n_points);
    sqlite3_bind_int64(stmt, 3, n_outside);
    sqlite3_bind_int64(stmt, 4, n_fast);
    if ((r = sq_exec_done(s, stmt, "patrol counts")) != 0)
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
    if ((r = cached(s, FW_PATROL_BATCH,
                    "INSERT OR IGNORE INTO patrol_batches(patrol_id, batch_id, n_points) "
                    "VALUES (?1, ?2, ?3)",
                    &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, patrol_id);
    bind_text(stmt, 2, batch_id);
    sqlite3_bind_int64(stmt, 3, n_points);
    if ((r = sq_exec_done(s, stmt, "patrol batch")) != 0)
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
    if ((r = cached(s, FW_POINTS_SEQ,
                    "SELECT coalesce(max(seq), 0) FROM patrol_points WHERE patrol_id = ?1",
                    &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, patrol_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        seq = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    if (rc != SQLITE_ROW)
        return sq_fail(s, "patrol points seq");
    if ((r = cached(s, FW_POINTS_INSERT,
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
    sqlite3_reset(stmt);
    return r;
}

int sq_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = cached(s, FW_POINTS,
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
    sqlite3_reset(stmt);
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
    if ((r = cached(s, FW_LINK_ADD,
                    "INSERT OR IGNORE INTO field_case_links(source, source_id, case_id) "
                    "VALUES (?1, ?2, ?3)",
                    &stmt)) != 0)
        return r;
    bind_text(stmt, 1, source);
    sqlite3_bind_int64(stmt, 2, source_id);
    sqlite3_bind_int64(stmt, 3, case_id);
    return sq_exec_done(s, stmt, "link case to field work");
}

int sq_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                        void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = cached(s, FW_LINKS,
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
    sqlite3_reset(stmt);
    return r;
}

/* ---- household visits --------------------------------------------------------------------- */

#define VISIT_COLS                                                                                 \
    "id, subject_kind, subject_id, cell_code, user_id, visited_ms, findings, case_id, created_ms"

static void visit_row(sqlite3_stmt *stmt, struct visit_rec *v)
{
    memset(v, 0, sizeof(*v));
    v->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, v->subject_kind, sizeof(v->subject_kind));
    v->subject_id = sqlite3_column_int64(stmt, 2);
    copy_col(stmt, 3, v->cell_code, sizeof(v->cell_code));
    v->user_id = sqlite3_column_int64(stmt, 4);
    v->visited_ms = sqlite3_column_int64(stmt, 5);
    copy_col(stmt, 6, v->findings, sizeof(v->findings));
    v->case_id = sqlite3_column_int64(stmt, 7);
    v->created_ms = sqlite3_column_int64(stmt, 8);
}

int sq_visit_insert(struct store *st, struct visit_rec *v)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = cached(s, FW_VISIT_INSERT,
                    "INSERT INTO visits(subject_kind, subject_id, cell_code, user_id, visited_ms, "
                    "findings, case_id, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    &stmt)) != 0)
        return r;
    bind_text(stmt, 1, v->subject_kind);
    sqlite3_bind_int64(stmt, 2, v->subject_id);
    bind_text(stmt, 3, v->cell_code);
    sqlite3_bind_int64(stmt, 4, v->user_id);
    sqlite3_bind_int64(stmt, 5, v->visited_ms);
    bind_text(stmt, 6, v->findings);
    sqlite3_bind_int64(stmt, 7, v->case_id);
    sqlite3_bind_int64(stmt, 8, v->created_ms);
    if ((r = sq_exec_done(s, stmt, "insert visit")) != 0)
        return r;
    v->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_visit_get(struct store *st, int64_t id, struct visit_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    memset(out, 0, sizeof(*out));
    if ((r = cached(s, FW_VISIT_GET, "SELECT " VISIT_COLS " FROM visits WHERE id = ?1", &stmt)) !=
        0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        visit_row(stmt, out);
    r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "get visit");
    sqlite3_reset(stmt);
    return r;
}

int sq_visit_set_case(struct store *st, int64_t id, int64_t case_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = cached(s, FW_VISIT_CASE, "UPDATE visits SET case_id = ?2 WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, case_id);
    if ((r = sq_exec_done(s, stmt, "visit case")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_NOT_FOUND;
}

int sq_visit_list(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0, rc;
    buf_init(&sql, 1024);
    buf_append_str(&sql, "SELECT " VISIT_COLS " FROM visits ");
    if (f->subject_kind != NULL && f->subject_id > 0)
        buf_append_str(&sql, "WHERE subject_kind = ?2 AND subject_id = ?3 "
                             "AND cell_code >= ?1 AND cell_code < ?1 || ':'");
    else
        buf_append_str(&sql, "WHERE cell_code >= ?1 AND cell_code < ?1 || ':'");
    if (f->subject_kind != NULL && f->subject_id <= 0)
        buf_append_str(&sql, " AND subject_kind = ?2");
    if (f->from_ms > 0)
        buf_append_str(&sql, " AND visited_ms >= ?4");
    if (f->to_ms > 0)
        buf_append_str(&sql, " AND visited_ms < ?5");
    if (f->before_id > 0)
        buf_append_str(&sql, " AND id < ?6");
    buf_append_str(&sql, " ORDER BY id DESC LIMIT ?7");
    if ((r = prepare(s, sql.data, &stmt)) != 0)
        goto out;
    bind_text(stmt, 1, f->area ? f->area : "");
    bind_text(stmt, 2, f->subject_kind ? f->subject_kind : "");
    sqlite3_bind_int64(stmt, 3, f->subject_id);
    sqlite3_bind_int64(stmt, 4, f->from_ms);
    sqlite3_bind_int64(stmt, 5, f->to_ms);
    sqlite3_bind_int64(stmt, 6, f->before_id);
    sqlite3_bind_int(stmt, 7, f->limit > 0 && f->limit <= 10000 ? f->limit : 100);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct visit_rec v;
        visit_row(stmt, &v);
        if ((r = fn(ctx, &v)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "list visits");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

int sq_visit_states(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                    store_visit_state_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0, rc;
    buf_init(&sql, 2048);
    /* The last visit per subject comes from the visits_subject index (max of an index range);
     * the members' tags from persons_household. */
    buf_append_str(&sql,
                   "SELECT 'household', h.id, h.cell_code, h.kind, h.address, h.created_ms, "
                   "  (SELECT max(v.visited_ms) FROM visits v WHERE v.subject_kind = 'household' "
                   "   AND v.subject_id = h.id AND (?2 = 0 OR v.visited_ms < ?2)), "
                   "  (SELECT group_concat(p.tags, ',') FROM persons p WHERE p.household_id = h.id "
                   "   AND p.status IN ('', 'active') AND p.tags != '') "
                   "FROM households h WHERE h.cell_code >= ?1 AND h.cell_code < ?1 || ':'");
    if (with_orgs)
        buf_append_str(
            &sql, " UNION ALL "
                  "SELECT 'organisation', o.id, o.cell_code, o.kind, o.name, o.created_ms, "
                  "  (SELECT max(v.visited_ms) FROM visits v WHERE v.subject_kind = "
                  "   'organisation' AND v.subject_id = o.id AND (?2 = 0 OR v.visited_ms < ?2)), "
                  "  '' FROM organisations o WHERE o.cell_code >= ?1 AND o.cell_code < ?1 || ':'");
    buf_append_str(&sql, " ORDER BY 1, 2");
    if ((r = prepare(s, sql.data, &stmt)) != 0)
        goto out;
    bind_text(stmt, 1, area ? area : "");
    sqlite3_bind_int64(stmt, 2, before_ms);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct visit_state vs;
        memset(&vs, 0, sizeof(vs));
        copy_col(stmt, 0, vs.subject_kind, sizeof(vs.subject_kind));
        vs.subject_id = sqlite3_column_int64(stmt, 1);
        copy_col(stmt, 2, vs.cell_code, sizeof(vs.cell_code));
        copy_col(stmt, 3, vs.kind, sizeof(vs.kind));
        copy_col(stmt, 4, vs.label, sizeof(vs.label));
        vs.created_ms = sqlite3_column_int64(stmt, 5);
        vs.last_visit_ms = sqlite3_column_int64(stmt, 6);
        copy_col(stmt, 7, vs.tags, sizeof(vs.tags));
        if ((r = fn(ctx, &vs)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "visit states");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

/* ---- campaigns ---------------------------------------------------------------------------- */

int sq_campaign_insert(struct store *st, struct campaign_rec *c)
{
    struct sqlite_store *s = sq(st);
    static const char *const targets[] = {
        "INSERT INTO campaign_targets(campaign_id, subject_kind, subject_id, cell_code) "
        "SELECT ?1, 'household', id, cell_code FROM households "
        "WHERE cell_code >= ?2 AND cell_code < ?2 || ':'",
        "INSERT INTO campaign_targets(campaign_id, subject_kind, subject_id, cell_code) "
        "SELECT ?1, 'organisation', id, cell_code FROM organisations "
        "WHERE cell_code >= ?2 AND cell_code < ?2 || ':'",
    };
    sqlite3_stmt *stmt;
    int r;
    c->n_targets = 0;
    if ((r = prepare(s,
                     "INSERT INTO campaigns(name, area_code, from_ms, to_ms, created_ms, "
                     "created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, c->name);
    bind_text(stmt, 2, c->area_code);
    sqlite3_bind_int64(stmt, 3, c->from_ms);
    sqlite3_bind_int64(stmt, 4, c->to_ms);
    sqlite3_bind_int64(stmt, 5, c->created_ms);
    sqlite3_bind_int64(stmt, 6, c->created_by);
    if ((r = exec_once(s, stmt, "insert campaign")) != 0)
        return r;
    c->id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
        if ((r = prepare(s, targets[i], &stmt)) != 0)
            return r;
        sqlite3_bind_int64(stmt, 1, c->id);
        bind_text(stmt, 2, c->area_code);
        if ((r = exec_once(s, stmt, "campaign targets")) != 0)
            return r;
        c->n_targets += sqlite3_changes(s->db);
    }
    if ((r = prepare(s, "UPDATE campaigns SET n_targets = ?2 WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, c->id);
    sqlite3_bind_int64(stmt, 2, c->n_targets);
    return exec_once(s, stmt, "campaign target count");
}

int sq_campaign_get(struct store *st, int64_t id, struct campaign_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s,
                     "SELECT id, name, area_code, from_ms, to_ms, created_ms, created_by, "
                     "n_targets FROM campaigns WHERE id = ?1",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(stmt, 0);
        copy_col(stmt, 1, out->name, sizeof(out->name));
        copy_col(stmt, 2, out->area_code, sizeof(out->area_code));
        out->from_ms = sqlite3_column_int64(stmt, 3);
        out->to_ms = sqlite3_column_int64(stmt, 4);
        out->created_ms = sqlite3_column_int64(stmt, 5);
        out->created_by = sqlite3_column_int64(stmt, 6);
        out->n_targets = sqlite3_column_int64(stmt, 7);
    }
    r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "get campaign");
    sqlite3_finalize(stmt);
    return r;
}

int sq_campaign_coverage(struct store *st, int64_t id, store_coverage_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = prepare(s,
                     "SELECT substr(t.cell_code, 1, 15) AS g, count(*), "
                     "  sum(EXISTS (SELECT 1 FROM visits v WHERE v.subject_kind = t.subject_kind "
                     "    AND v.subject_id = t.subject_id AND v.visited_ms >= c.from_ms "
                     "    AND v.visited_ms < c.to_ms)) "
                     "FROM campaign_targets t JOIN campaigns c ON c.id = t.campaign_id "
                     "WHERE t.campaign_id = ?1 GROUP BY g ORDER BY g",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char grid[19];
        copy_col(stmt, 0, grid, sizeof(grid));
        if ((r = fn(ctx, grid, sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2))) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "campaign coverage");
out:
    sqlite3_finalize(stmt);
    return r;
}

/* ---- compliance figures --------------------------------------------------------------------- */

int sq_case_channel_counts(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                           store_channel_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = prepare(s,
                     "SELECT substr(area_code, 1, 15) AS g, channel, count(*) FROM cases "
                     "WHERE area_code >= ?1 AND area_code < ?1 || ':' AND created_ms >= ?2 "
                     "AND created_ms < ?3 GROUP BY g, channel ORDER BY g, channel",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, area ? area : "");
    sqlite3_bind_int64(stmt, 2, from_ms);
    sqlite3_bind_int64(stmt, 3, to_ms);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char grid[19], channel[24];
        copy_col(stmt, 0, grid, sizeof(grid));
        copy_col(stmt, 1, channel, sizeof(channel));
        if ((r = fn(ctx, grid, channel, sqlite3_column_int64(stmt, 2))) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "cases by channel");
out:
    sqlite3_finalize(stmt);
    return r;
}

/* ---- station teams and sessions ----------------------------------------------------------- */

int sq_station_team_insert(struct store *st, struct station_team *t)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO station_teams(name, area_code, created_ms) VALUES (?1, ?2, ?3)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, t->name);
    bind_text(stmt, 2, t->area_code);
    sqlite3_bind_int64(stmt, 3, t->created_ms);
    if ((r = exec_once(s, stmt, "insert station team")) != 0)
        return r;
    t->id = sqlite3_last_insert_rowid(s->db);
    for (int i = 0; i < t->n_communities; i++) {
        if ((r = prepare(s,
                         "INSERT INTO station_team_communities(team_id, community_code) "
                         "VALUES (?1, ?2)",
                         &stmt)) != 0)
            return r;
        sqlite3_bind_int64(stmt, 1, t->id);
        bind_text(stmt, 2, t->communities[i]);
        if ((r = exec_once(s, stmt, "station team community")) != 0)
            return r;
    }
    for (int i = 0; i < t->n_members; i++) {
        if ((r = prepare(s, "INSERT INTO station_team_members(team_id, user_id) VALUES (?1, ?2)",
                         &stmt)) != 0)
            return r;
        sqlite3_bind_int64(stmt, 1, t->id);
        sqlite3_bind_int64(stmt, 2, t->members[i]);
        if ((r = exec_once(s, stmt, "station team member")) != 0)
            return r;
    }
    for (int i = 0; i < t->n_slots; i++) {
        if ((r = prepare(s,
                         "INSERT INTO station_slots(team_id, seq, weekday, minute_of_day, "
                         "duration_min, community_code) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                         &stmt)) != 0)
            return r;
        sqlite3_bind_int64(stmt, 1, t->id);
        sqlite3_bind_int(stmt, 2, i + 1);
        sqlite3_bind_int(stmt, 3, t->slots[i].weekday);
        sqlite3_bind_int(stmt, 4, t->slots[i].minute_of_day);
        sqlite3_bind_int(stmt, 5, t->slots[i].duration_min);
        bind_text(stmt, 6, t->slots[i].community);
        if ((r = exec_once(s, stmt, "station slot")) != 0)
            return r;
    }
    return 0;
}

/* Fill the communities, members and slots of t (t->id set). */
static int team_details(struct sqlite_store *s, struct station_team *t)
{
    sqlite3_stmt *stmt;
    int r, rc;
    if ((r = prepare(s,
                     "SELECT community_code FROM station_team_communities WHERE team_id = ?1 "
                     "ORDER BY community_code",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, t->id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && t->n_communities < STATION_COMMUNITIES_MAX)
        copy_col(stmt, 0, t->communities[t->n_communities++], sizeof(t->communities[0]));
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, "station team communities");
    if ((r = prepare(s,
                     "SELECT user_id FROM station_team_members WHERE team_id = ?1 ORDER BY user_id",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, t->id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && t->n_members < STATION_MEMBERS_MAX)
        t->members[t->n_members++] = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, "station team members");
    if ((r = prepare(s,
                     "SELECT weekday, minute_of_day, duration_min, community_code FROM "
                     "station_slots WHERE team_id = ?1 ORDER BY seq",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, t->id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && t->n_slots < STATION_SLOTS_MAX) {
        struct station_slot *sl = &t->slots[t->n_slots++];
        sl->weekday = sqlite3_column_int(stmt, 0);
        sl->minute_of_day = sqlite3_column_int(stmt, 1);
        sl->duration_min = sqlite3_column_int(stmt, 2);
        copy_col(stmt, 3, sl->community, sizeof(sl->community));
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, "station slots");
    return 0;
}

static void team_row(sqlite3_stmt *stmt, struct station_team *t)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, t->name, sizeof(t->name));
    copy_col(stmt, 2, t->area_code, sizeof(t->area_code));
    t->created_ms = sqlite3_column_int64(stmt, 3);
}

int sq_station_team_get(struct store *st, int64_t id, struct station_team *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT id, name, area_code, created_ms FROM station_teams WHERE id = ?1",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        team_row(stmt, out);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_DONE)
        return ERR_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return sq_fail(s, "get station team");
    return team_details(s, out);
}

int sq_station_team_list(struct store *st, const char *area, store_team_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int64_t ids[1000];
    int n = 0, r, rc;
    /* ids first, then each team's details: the statements do not nest. */
    if ((r = prepare(s,
                     "SELECT id FROM station_teams t WHERE (area_code >= ?1 AND area_code < ?1 || "
                     "':') OR EXISTS (SELECT 1 FROM station_team_communities c WHERE c.team_id = "
                     "t.id AND c.community_code >= ?1 AND c.community_code < ?1 || ':') "
                     "ORDER BY id LIMIT 1000",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, area ? area : "");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ids[n++] = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        return sq_fail(s, "list station teams");
    for (int i = 0; i < n; i++) {
        struct station_team t;
        if ((r = sq_station_team_get(st, ids[i], &t)) != 0)
            return r;
        if ((r = fn(ctx, &t)) != 0)
            return r;
    }
    return 0;
}

int sq_station_session_insert(struct store *st, struct station_session *ss)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = cached(s, FW_SESSION_INSERT,
                    "INSERT INTO station_sessions(team_id, community_code, held_ms, recorded_by, "
                    "created_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                    &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, ss->team_id);
    bind_text(stmt, 2, ss->community);
    sqlite3_bind_int64(stmt, 3, ss->held_ms);
    sqlite3_bind_int64(stmt, 4, ss->recorded_by);
    sqlite3_bind_int64(stmt, 5, ss->created_ms);
    if ((r = sq_exec_done(s, stmt, "insert station session")) != 0)
        return r;
    ss->id = sqlite3_last_insert_rowid(s->db);
    if ((r = cached(s, FW_ITEM_INSERT,
                    "INSERT INTO station_items(session_id, seq, kind, summary, case_id) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
                    &stmt)) != 0)
        return r;
    for (size_t i = 0; i < ss->n_items; i++) {
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, ss->id);
        sqlite3_bind_int64(stmt, 2, (int64_t)i + 1);
        bind_text(stmt, 3, ss->items[i].kind);
        bind_text(stmt, 4, ss->items[i].summary);
        sqlite3_bind_int64(stmt, 5, ss->items[i].case_id);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            r = sq_fail(s, "insert station item");
            break;
        }
    }
    sqlite3_reset(stmt);
    return r;
}

#define SESSION_COLS "id, team_id, community_code, held_ms, recorded_by, created_ms"

static void session_row(sqlite3_stmt *stmt, struct station_session *ss)
{
    memset(ss, 0, sizeof(*ss));
    ss->id = sqlite3_column_int64(stmt, 0);
    ss->team_id = sqlite3_column_int64(stmt, 1);
    copy_col(stmt, 2, ss->community, sizeof(ss->community));
    ss->held_ms = sqlite3_column_int64(stmt, 3);
    ss->recorded_by = sqlite3_column_int64(stmt, 4);
    ss->created_ms = sqlite3_column_int64(stmt, 5);
}

int sq_station_session_get(struct store *st, int64_t id, struct station_session *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    size_t cap = 0;
    int r, rc;
    memset(out, 0, sizeof(*out));
    if ((r = cached(s, FW_SESSION_GET,
                    "SELECT " SESSION_COLS " FROM station_sessions WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        session_row(stmt, out);
    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE)
        return ERR_NOT_FOUND;
    if (rc != SQLITE_ROW)
        return sq_fail(s, "get station session");
    if ((r = cached(s, FW_ITEMS,
                    "SELECT kind, summary, case_id FROM station_items WHERE session_id = ?1 "
                    "ORDER BY seq",
                    &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct station_item *it;
        if (out->n_items == cap) {
            cap = cap ? cap * 2 : 8;
            out->items = xrealloc(out->items, cap * sizeof(*out->items));
        }
        it = &out->items[out->n_items++];
        memset(it, 0, sizeof(*it));
        copy_col(stmt, 0, it->kind, sizeof(it->kind));
        copy_col(stmt, 1, it->summary, sizeof(it->summary));
        it->case_id = sqlite3_column_int64(stmt, 2);
    }
    sqlite3_reset(stmt);
    if (rc != SQLITE_DONE) {
        station_session_cleanup(out);
        return sq_fail(s, "station items");
    }
    return 0;
}

int sq_station_session_list(struct store *st, int64_t team_id, const char *area, int64_t from_ms,
                            int64_t to_ms, int limit, store_session_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0, rc;
    buf_init(&sql, 512);
    buf_append_str(&sql, "SELECT " SESSION_COLS " FROM station_sessions WHERE ");
    if (team_id > 0)
        buf_append_str(&sql, "team_id = ?1");
    else
        buf_append_str(&sql, "community_code >= ?2 AND community_code < ?2 || ':'");
    if (from_ms > 0)
        buf_append_str(&sql, " AND held_ms >= ?3");
    if (to_ms > 0)
        buf_append_str(&sql, " AND held_ms < ?4");
    buf_append_str(&sql, " ORDER BY held_ms DESC, id DESC LIMIT ?5");
    if ((r = prepare(s, sql.data, &stmt)) != 0)
        goto out;
    sqlite3_bind_int64(stmt, 1, team_id);
    bind_text(stmt, 2, area ? area : "");
    sqlite3_bind_int64(stmt, 3, from_ms);
    sqlite3_bind_int64(stmt, 4, to_ms);
    sqlite3_bind_int(stmt, 5, limit > 0 && limit <= 100000 ? limit : 100);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct station_session ss;
        session_row(stmt, &ss);
        if ((r = fn(ctx, &ss)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "list station sessions");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}
