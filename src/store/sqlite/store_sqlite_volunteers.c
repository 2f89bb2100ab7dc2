/*
 * store_sqlite_volunteers.c - volunteers, needs and their assignments, posts (设岗定责) with
 * members and logged hours, and chiefs (三长) on SQLite (issue 5, SPEC section 8). See store.h
 * for the contract.
 *
 * Tables (migration 10): volunteers, needs, need_assignments, posts, post_members,
 * volunteer_hours (one row per entry, keyed for the per-person-per-day rule by
 * (member_kind, person_key, day_ms)), chiefs. A chief's relayed cases live in
 * field_case_links (source "chief", store_sqlite_fieldwork.c).
 * This is a small share of the traffic: statements are prepared per call and finalized, every
 * value is bound, and the SQL is plain (a PostgreSQL twin runs the same statements). A
 * callback may call back into the store: each call has its own statement.
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

static int prepare(struct sqlite_store *s, const char *sql, sqlite3_stmt **out)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, out, NULL) != SQLITE_OK) {
        *out = NULL;
        return sq_fail(s, "prepare volunteer statement");
    }
    return 0;
}

/* Step a statement that returns no rows, then finalize it. */
static int exec_once(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);
    int r = rc == SQLITE_DONE                  ? 0
            : (rc & 0xff) == SQLITE_CONSTRAINT ? ERR_EXISTS
                                               : sq_fail(s, what);
    sqlite3_finalize(stmt);
    return r;
}

/* Step a statement expected to return at most one row: read(stmt, out) on it; ERR_NOT_FOUND. */
static int get_once(struct sqlite_store *s, sqlite3_stmt *stmt,
                    void (*read)(sqlite3_stmt *, void *), void *out, const char *what)
{
    int rc = sqlite3_step(stmt), r;
    if (rc == SQLITE_ROW)
        read(stmt, out);
    r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, what);
    sqlite3_finalize(stmt);
    return r;
}

static void bind_area(sqlite3_stmt *stmt, int i, const char *area)
{
    bind_text(stmt, i, area ? area : "");
}

/* ---- volunteers --------------------------------------------------------------------------- */

#define VOL_COLS                                                                                   \
    "id, area_code, person_id, user_id, name, skills, availability, has_home, lon, lat, status, "  \
    "created_ms, updated_ms"

static void volunteer_row(sqlite3_stmt *stmt, void *out)
{
    struct volunteer_rec *v = out;
    memset(v, 0, sizeof(*v));
    v->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, v->area_code, sizeof(v->area_code));
    v->person_id = sqlite3_column_int64(stmt, 2);
    v->user_id = sqlite3_column_int64(stmt, 3);
    copy_col(stmt, 4, v->name, sizeof(v->name));
    copy_col(stmt, 5, v->skills, sizeof(v->skills));
    v->availability = sqlite3_column_int64(stmt, 6);
    v->has_home = sqlite3_column_int(stmt, 7);
    v->lon = sqlite3_column_double(stmt, 8);
    v->lat = sqlite3_column_double(stmt, 9);
    copy_col(stmt, 10, v->status, sizeof(v->status));
    v->created_ms = sqlite3_column_int64(stmt, 11);
    v->updated_ms = sqlite3_column_int64(stmt, 12);
}

static void bind_volunteer(sqlite3_stmt *stmt, const struct volunteer_rec *v)
{
    bind_text(stmt, 1, v->area_code);
    sqlite3_bind_int64(stmt, 2, v->person_id);
    sqlite3_bind_int64(stmt, 3, v->user_id);
    bind_text(stmt, 4, v->name);
    bind_text(stmt, 5, v->skills);
    sqlite3_bind_int64(stmt, 6, v->availability);
    sqlite3_bind_int(stmt, 7, v->has_home ? 1 : 0);
    sqlite3_bind_double(stmt, 8, v->has_home ? v->lon : 0);
    sqlite3_bind_double(stmt, 9, v->has_home ? v->lat : 0);
    bind_text(stmt, 10, v->status);
    sqlite3_bind_int64(stmt, 11, v->updated_ms);
}

int sq_volunteer_insert(struct store *st, struct volunteer_rec *v)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO volunteers(area_code, person_id, user_id, name, skills, "
                     "availability, has_home, lon, lat, status, updated_ms, created_ms) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                     &stmt)) != 0)
        return r;
    bind_volunteer(stmt, v);
    sqlite3_bind_int64(stmt, 12, v->created_ms);
    if ((r = exec_once(s, stmt, "insert volunteer")) != 0)
        return r;
    v->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_volunteer_update(struct store *st, const struct volunteer_rec *v)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(
             s,
             "UPDATE volunteers SET area_code = ?1, person_id = ?2, user_id = ?3, name = ?4, "
             "skills = ?5, availability = ?6, has_home = ?7, lon = ?8, lat = ?9, "
             "status = ?10, updated_ms = ?11 WHERE id = ?12",
             &stmt)) != 0)
        return r;
    bind_volunteer(stmt, v);
    sqlite3_bind_int64(stmt, 12, v->id);
    if ((r = exec_once(s, stmt, "update volunteer")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_NOT_FOUND;
}

int sq_volunteer_get(struct store *st, int64_t id, struct volunteer_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT " VOL_COLS " FROM volunteers WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    return get_once(s, stmt, volunteer_row, out, "get volunteer");
}

int sq_volunteer_list(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                      void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(s,
                     "SELECT " VOL_COLS " FROM volunteers WHERE area_code >= ?1 AND area_code < ?1 "
                     "|| ':' AND (?2 = '' OR status = ?2) AND (?3 = '' OR ',' || skills || ',' "
                     "LIKE '%,' || ?3 || ':%') AND id > ?4 ORDER BY id LIMIT ?5",
                     &stmt)) != 0)
        return r;
    bind_area(stmt, 1, f->area);
    bind_text(stmt, 2, f->status ? f->status : "");
    bind_text(stmt, 3, f->skill ? f->skill : "");
    sqlite3_bind_int64(stmt, 4, f->after_id);
    sqlite3_bind_int(stmt, 5, f->limit > 0 && f->limit <= 10000 ? f->limit : 10000);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct volunteer_rec v;
        volunteer_row(stmt, &v);
        if ((r = fn(ctx, &v)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "list volunteers");
    sqlite3_finalize(stmt);
    return r;
}

int sq_volunteer_loads(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                       void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(
             s,
             "SELECT v.id, (SELECT COALESCE(SUM(h.minutes), 0) FROM volunteer_hours h WHERE "
             "h.member_kind = 'volunteer' AND h.person_key = v.id AND h.day_ms >= ?2), "
             "(SELECT COUNT(*) FROM need_assignments a WHERE a.volunteer_id = v.id AND "
             "a.assigned_ms >= ?2) FROM volunteers v WHERE v.area_code >= ?1 AND v.area_code < "
             "?1 || ':' ORDER BY v.id",
             &stmt)) != 0)
        return r;
    bind_area(stmt, 1, area);
    sqlite3_bind_int64(stmt, 2, since_ms);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t minutes = sqlite3_column_int64(stmt, 1), n = sqlite3_column_int64(stmt, 2);
        if (minutes == 0 && n == 0)
            continue;
        if ((r = fn(ctx, sqlite3_column_int64(stmt, 0), minutes, n)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "volunteer loads");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- needs -------------------------------------------------------------------------------- */

#define NEED_COLS                                                                                  \
    "id, source, source_id, title, area_code, has_point, lon, lat, radius_m, skills, starts_ms, "  \
    "duration_min, wanted, assigned, status, created_by, created_ms"

static void need_row(sqlite3_stmt *stmt, void *out)
{
    struct need_rec *n = out;
    memset(n, 0, sizeof(*n));
    n->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, n->source, sizeof(n->source));
    n->source_id = sqlite3_column_int64(stmt, 2);
    copy_col(stmt, 3, n->title, sizeof(n->title));
    copy_col(stmt, 4, n->area_code, sizeof(n->area_code));
    n->has_point = sqlite3_column_int(stmt, 5);
    n->lon = sqlite3_column_double(stmt, 6);
    n->lat = sqlite3_column_double(stmt, 7);
    n->radius_m = sqlite3_column_double(stmt, 8);
    copy_col(stmt, 9, n->skills, sizeof(n->skills));
    n->starts_ms = sqlite3_column_int64(stmt, 10);
    n->duration_min = sqlite3_column_int64(stmt, 11);
    n->wanted = sqlite3_column_int64(stmt, 12);
    n->assigned = sqlite3_column_int64(stmt, 13);
    copy_col(stmt, 14, n->status, sizeof(n->status));
    n->created_by = sqlite3_column_int64(stmt, 15);
    n->created_ms = sqlite3_column_int64(stmt, 16);
}

int sq_need_insert(struct store *st, struct need_rec *n)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO needs(source, source_id, title, area_code, has_point, lon, lat, "
                     "radius_m, skills, starts_ms, duration_min, wanted, assigned, status, "
                     "created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
                     "?11, ?12, 0, 'open', ?13, ?14)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, n->source);
    sqlite3_bind_int64(stmt, 2, n->source_id);
    bind_text(stmt, 3, n->title);
    bind_text(stmt, 4, n->area_code);
    sqlite3_bind_int(stmt, 5, n->has_point ? 1 : 0);
    sqlite3_bind_double(stmt, 6, n->has_point ? n->lon : 0);
    sqlite3_bind_double(stmt, 7, n->has_point ? n->lat : 0);
    sqlite3_bind_double(stmt, 8, n->radius_m);
    bind_text(stmt, 9, n->skills);
    sqlite3_bind_int64(stmt, 10, n->starts_ms);
    sqlite3_bind_int64(stmt, 11, n->duration_min);
    sqlite3_bind_int64(stmt, 12, n->wanted);
    sqlite3_bind_int64(stmt, 13, n->created_by);
    sqlite3_bind_int64(stmt, 14, n->created_ms);
    if ((r = exec_once(s, stmt, "insert need")) != 0)
        return r;
    n->id = sqlite3_last_insert_rowid(s->db);
    n->assigned = 0;
    snprintf(n->status, sizeof(n->status), "open");
    return 0;
}

int sq_need_get(struct store *st, int64_t id, struct need_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT " NEED_COLS " FROM needs WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    return get_once(s, stmt, need_row, out, "get need");
}

int sq_need_list(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(s,
                     "SELECT " NEED_COLS " FROM needs WHERE area_code >= ?1 AND area_code < ?1 || "
                     "':' AND (?2 = '' OR status = ?2) AND (?3 = 0 OR id < ?3) ORDER BY id DESC "
                     "LIMIT ?4",
                     &stmt)) != 0)
        return r;
    bind_area(stmt, 1, f->area);
    bind_text(stmt, 2, f->status ? f->status : "");
    sqlite3_bind_int64(stmt, 3, f->before_id);
    sqlite3_bind_int(stmt, 4, f->limit > 0 && f->limit <= 10000 ? f->limit : 10000);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct need_rec n;
        need_row(stmt, &n);
        if ((r = fn(ctx, &n)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "list needs");
    sqlite3_finalize(stmt);
    return r;
}

int sq_need_assign(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                   int64_t at_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    struct need_rec n;
    int r;
    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = sq_need_get(st, need_id, &n)) != 0)
        goto fail;
    if (n.assigned >= n.wanted) {
        r = ERR_CONFLICT;
        goto fail;
    }
    if ((r = prepare(s,
                     "INSERT INTO need_assignments(need_id, volunteer_id, assigned_by, "
                     "assigned_ms) VALUES (?1, ?2, ?3, ?4)",
                     &stmt)) != 0)
        goto fail;
    sqlite3_bind_int64(stmt, 1, need_id);
    sqlite3_bind_int64(stmt, 2, volunteer_id);
    sqlite3_bind_int64(stmt, 3, by);
    sqlite3_bind_int64(stmt, 4, at_ms);
    if ((r = exec_once(s, stmt, "assign volunteer")) != 0)
        goto fail;
    if ((r = prepare(s,
                     "UPDATE needs SET assigned = assigned + 1, status = CASE WHEN assigned + 1 >= "
                     "wanted THEN 'filled' ELSE 'open' END WHERE id = ?1",
                     &stmt)) != 0)
        goto fail;
    sqlite3_bind_int64(stmt, 1, need_id);
    if ((r = exec_once(s, stmt, "count assignment")) != 0)
        goto fail;
    return store_commit(st);
fail:
    store_rollback(st);
    return r;
}

int sq_need_assignments(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(s,
                     "SELECT need_id, volunteer_id, assigned_by, assigned_ms FROM need_assignments "
                     "WHERE need_id = ?1 ORDER BY assigned_ms, volunteer_id",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, need_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct need_assignment a = {sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1),
                                    sqlite3_column_int64(stmt, 2), sqlite3_column_int64(stmt, 3)};
        if ((r = fn(ctx, &a)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "list assignments");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- posts and members ------------------------------------------------------------------- */

#define POST_COLS "id, area_code, kind, name, duties, created_by, created_ms"

static void post_row(sqlite3_stmt *stmt, void *out)
{
    struct post_rec *p = out;
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, p->area_code, sizeof(p->area_code));
    copy_col(stmt, 2, p->kind, sizeof(p->kind));
    copy_col(stmt, 3, p->name, sizeof(p->name));
    copy_col(stmt, 4, p->duties, sizeof(p->duties));
    p->created_by = sqlite3_column_int64(stmt, 5);
    p->created_ms = sqlite3_column_int64(stmt, 6);
}

int sq_post_insert(struct store *st, struct post_rec *p)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO posts(area_code, kind, name, duties, created_by, created_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, p->area_code);
    bind_text(stmt, 2, p->kind);
    bind_text(stmt, 3, p->name);
    bind_text(stmt, 4, p->duties);
    sqlite3_bind_int64(stmt, 5, p->created_by);
    sqlite3_bind_int64(stmt, 6, p->created_ms);
    if ((r = exec_once(s, stmt, "insert post")) != 0)
        return r;
    p->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_post_get(struct store *st, int64_t id, struct post_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT " POST_COLS " FROM posts WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    return get_once(s, stmt, post_row, out, "get post");
}

int sq_post_list(struct store *st, const char *area, store_post_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(s,
                     "SELECT " POST_COLS " FROM posts WHERE area_code >= ?1 AND area_code < ?1 || "
                     "':' ORDER BY id LIMIT 10000",
                     &stmt)) != 0)
        return r;
    bind_area(stmt, 1, area);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct post_rec p;
        post_row(stmt, &p);
        if ((r = fn(ctx, &p)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "list posts");
    sqlite3_finalize(stmt);
    return r;
}

#define MEMBER_COLS                                                                                \
    "m.id, m.post_id, m.member_kind, m.member_id, m.duty, m.since_ms, (SELECT "                    \
    "COALESCE(SUM(h.minutes), 0) FROM volunteer_hours h WHERE h.member_id = m.id), (SELECT "       \
    "COUNT(*) FROM volunteer_hours h WHERE h.member_id = m.id)"

static void member_row(sqlite3_stmt *stmt, void *out)
{
    struct post_member *m = out;
    memset(m, 0, sizeof(*m));
    m->id = sqlite3_column_int64(stmt, 0);
    m->post_id = sqlite3_column_int64(stmt, 1);
    copy_col(stmt, 2, m->member_kind, sizeof(m->member_kind));
    m->member_id = sqlite3_column_int64(stmt, 3);
    copy_col(stmt, 4, m->duty, sizeof(m->duty));
    m->since_ms = sqlite3_column_int64(stmt, 5);
    m->minutes = sqlite3_column_int64(stmt, 6);
    m->entries = sqlite3_column_int64(stmt, 7);
}

int sq_post_member_add(struct store *st, struct post_member *m)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO post_members(post_id, member_kind, member_id, duty, since_ms) "
                     "VALUES (?1, ?2, ?3, ?4, ?5)",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, m->post_id);
    bind_text(stmt, 2, m->member_kind);
    sqlite3_bind_int64(stmt, 3, m->member_id);
    bind_text(stmt, 4, m->duty);
    sqlite3_bind_int64(stmt, 5, m->since_ms);
    if ((r = exec_once(s, stmt, "add post member")) != 0)
        return r;
    m->id = sqlite3_last_insert_rowid(s->db);
    m->minutes = m->entries = 0;
    return 0;
}

int sq_post_member_get(struct store *st, int64_t id, struct post_member *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT " MEMBER_COLS " FROM post_members m WHERE m.id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    return get_once(s, stmt, member_row, out, "get post member");
}

int sq_post_members(struct store *st, int64_t post_id, store_member_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(
             s, "SELECT " MEMBER_COLS " FROM post_members m WHERE m.post_id = ?1 ORDER BY m.id",
             &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, post_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct post_member m;
        member_row(stmt, &m);
        if ((r = fn(ctx, &m)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "list post members");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- hours -------------------------------------------------------------------------------- */

int sq_hours_insert(struct store *st, struct hours_rec *h)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO volunteer_hours(post_id, member_id, member_kind, person_key, "
                     "day_ms, minutes, note, logged_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, "
                     "?6, ?7, ?8, ?9)",
                     &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, h->post_id);
    sqlite3_bind_int64(stmt, 2, h->member_id);
    bind_text(stmt, 3, h->member_kind);
    sqlite3_bind_int64(stmt, 4, h->person_key);
    sqlite3_bind_int64(stmt, 5, h->day_ms);
    sqlite3_bind_int64(stmt, 6, h->minutes);
    bind_text(stmt, 7, h->note);
    sqlite3_bind_int64(stmt, 8, h->logged_by);
    sqlite3_bind_int64(stmt, 9, h->created_ms);
    if ((r = exec_once(s, stmt, "insert hours")) != 0)
        return r;
    h->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_hours_day_total(struct store *st, const char *member_kind, int64_t person_key,
                       int64_t day_ms, int64_t *minutes)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r, rc;
    *minutes = 0;
    if ((r = prepare(s,
                     "SELECT COALESCE(SUM(minutes), 0) FROM volunteer_hours WHERE member_kind = ?1 "
                     "AND person_key = ?2 AND day_ms = ?3",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, member_kind);
    sqlite3_bind_int64(stmt, 2, person_key);
    sqlite3_bind_int64(stmt, 3, day_ms);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *minutes = sqlite3_column_int64(stmt, 0);
    r = rc == SQLITE_ROW ? 0 : sq_fail(s, "hours of a day");
    sqlite3_finalize(stmt);
    return r;
}

int sq_hours_totals(struct store *st, const char *member_kind, int64_t person_key, int64_t from_ms,
                    int64_t to_ms, store_hours_total_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(s,
                     "SELECT post_id, SUM(minutes), COUNT(*) FROM volunteer_hours WHERE "
                     "member_kind = ?1 AND person_key = ?2 AND day_ms >= ?3 AND (?4 = 0 OR "
                     "day_ms < ?4) GROUP BY post_id ORDER BY post_id",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, member_kind);
    sqlite3_bind_int64(stmt, 2, person_key);
    sqlite3_bind_int64(stmt, 3, from_ms);
    sqlite3_bind_int64(stmt, 4, to_ms);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if ((r = fn(ctx, sqlite3_column_int64(stmt, 0), sqlite3_column_int64(stmt, 1),
                    sqlite3_column_int64(stmt, 2))) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "hours totals");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- chiefs ------------------------------------------------------------------------------- */

#define CHIEF_COLS "id, kind, area_code, building_id, person_id, user_id, name, created_ms"

static void chief_row(sqlite3_stmt *stmt, void *out)
{
    struct chief_rec *c = out;
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, c->kind, sizeof(c->kind));
    copy_col(stmt, 2, c->area_code, sizeof(c->area_code));
    c->building_id = sqlite3_column_int64(stmt, 3);
    c->person_id = sqlite3_column_int64(stmt, 4);
    c->user_id = sqlite3_column_int64(stmt, 5);
    copy_col(stmt, 6, c->name, sizeof(c->name));
    c->created_ms = sqlite3_column_int64(stmt, 7);
}

int sq_chief_insert(struct store *st, struct chief_rec *c)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    if ((r = prepare(s,
                     "INSERT INTO chiefs(kind, area_code, building_id, person_id, user_id, name, "
                     "created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                     &stmt)) != 0)
        return r;
    bind_text(stmt, 1, c->kind);
    bind_text(stmt, 2, c->area_code);
    sqlite3_bind_int64(stmt, 3, c->building_id);
    sqlite3_bind_int64(stmt, 4, c->person_id);
    sqlite3_bind_int64(stmt, 5, c->user_id);
    bind_text(stmt, 6, c->name);
    sqlite3_bind_int64(stmt, 7, c->created_ms);
    if ((r = exec_once(s, stmt, "insert chief")) != 0)
        return r;
    c->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_chief_get(struct store *st, int64_t id, struct chief_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = prepare(s, "SELECT " CHIEF_COLS " FROM chiefs WHERE id = ?1", &stmt)) != 0)
        return r;
    sqlite3_bind_int64(stmt, 1, id);
    return get_once(s, stmt, chief_row, out, "get chief");
}

int sq_chief_list(struct store *st, const char *area, store_chief_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int r = 0, rc;
    if ((r = prepare(s,
                     "SELECT " CHIEF_COLS " FROM chiefs WHERE area_code >= ?1 AND area_code < ?1 "
                     "|| ':' ORDER BY id LIMIT 10000",
                     &stmt)) != 0)
        return r;
    bind_area(stmt, 1, area);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct chief_rec c;
        chief_row(stmt, &c);
        if ((r = fn(ctx, &c)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "list chiefs");
    sqlite3_finalize(stmt);
    return r;
}
