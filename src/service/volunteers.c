/*
 * volunteers.c - volunteers, needs and matching, posts and hours, chiefs (see volunteers.h).
 *
 * Every use case checks its input and the caller's access first, reading through the store,
 * and writes in one transaction; hours and assignments are written on the writer
 * (service/fieldwork.h) so that the check of the daily limit or of a filled need and the write
 * cannot interleave with another request's.
 */
#include "service/volunteers.h"

#include "base/jsonutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/calendar.h"
#include "service/areas.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/fieldwork.h"
#include "service/rules.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS  ((int64_t)86400000)
#define YEAR_MS (366 * DAY_MS)

int volunteers_utc_offset(struct service_ctx *ctx)
{
    const struct case_rules *rules;
    if (rules_get(ctx, &rules) != 0 || rules == NULL)
        return 8 * 60; /* China Standard Time */
    return calendar_utc_offset(rules->cal);
}

static int is_text(const char *s, size_t min, size_t max)
{
    size_t n = s ? strlen(s) : 0;
    return n >= min && n <= max && (n == 0 || utf8_is_clean_text(s, n));
}

static int point_ok(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180 && fabs(lat) <= 90;
}

/* A valid code of an existing area. */
static int check_area(struct service_ctx *ctx, const char *code, const char *field,
                      struct errbuf *eb)
{
    int exists = 0, r;
    if (code == NULL || !areacode_is_valid(code))
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be an area code", field);
    if ((r = store_area_exists(ctx->st, code, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", code);
    return 0;
}

static int deny(struct errbuf *eb, int r, const char *what, const char *area)
{
    if (r == ERR_UNAUTHORIZED)
        return errbuf_set(eb, r, "sign in first");
    return errbuf_set(eb, ERR_FORBIDDEN, "this user may not %s in area %.18s", what, area);
}

static int read_scope(const struct principal *p, const char **area, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (*area == NULL)
        *area = p->scope;
    if (!areacode_is_valid(*area))
        return errbuf_set(eb, ERR_INVALID, "query parameter 'area' must be an area code");
    if ((r = access_check(p, CAP_VOLUNTEER_READ, *area)) != 0)
        return deny(eb, r, "read volunteers", *area);
    return 0;
}

/* ---- volunteers --------------------------------------------------------------------------- */

static int check_volunteer(struct service_ctx *ctx, const struct principal *p,
                           struct volunteer_rec *v, struct errbuf *eb)
{
    struct vol_skills sk;
    enum volunteer_status status;
    int r;
    if (!is_text(v->name, 1, VOLUNTEER_NAME_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'name' must be text of 1..%d bytes",
                          VOLUNTEER_NAME_MAX);
    if ((r = check_area(ctx, v->area_code, "area_code", eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, v->area_code)) != 0)
        return deny(eb, r, "manage volunteers", v->area_code);
    if ((r = volunteer_skills_parse(v->skills, &sk, eb)) != 0)
        return r;
    volunteer_skills_format(&sk, v->skills, sizeof(v->skills));
    if (v->availability < 0 || v->availability > (int64_t)VOL_AVAIL_ALL)
        return errbuf_set(eb, ERR_INVALID, "field 'availability' is not a set of weekly slots");
    if (v->has_home && !point_ok(v->lon, v->lat))
        return errbuf_set(eb, ERR_INVALID, "fields 'lon' and 'lat' must be WGS84 degrees");
    if (!v->has_home)
        v->lon = v->lat = 0;
    if (volunteer_status_parse(v->status, &status) != 0)
        return errbuf_set(eb, ERR_INVALID, "field 'status' must be active, paused or left");
    if (v->person_id != 0) {
        struct bd_record person;
        r = store_bd_get(ctx->st, BD_PERSON, v->person_id, &person);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no person %lld", (long long)v->person_id);
        if (r != 0)
            return r;
        r = access_check(p, CAP_VOLUNTEER_MANAGE, person.cell_code);
        bd_record_cleanup(&person);
        if (r != 0)
            return errbuf_set(eb, ERR_FORBIDDEN, "person %lld lives outside this user's area",
                              (long long)v->person_id);
    }
    if (v->user_id != 0) {
        struct user u;
        r = store_user_get(ctx->st, v->user_id, &u);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no user %lld", (long long)v->user_id);
        if (r != 0)
            return r;
        if (strcmp(u.role, "volunteer") != 0)
            return errbuf_set(eb, ERR_INVALID, "user %s is not a volunteer", u.username);
        if (!areacode_in_subtree(v->area_code, u.area_code) &&
            !areacode_in_subtree(u.area_code, v->area_code))
            return errbuf_set(eb, ERR_INVALID, "user %s belongs to another area", u.username);
    }
    return 0;
}

static int write_volunteer(struct service_ctx *ctx, struct volunteer_rec *v, int is_new)
{
    int r;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    r = is_new ? store_volunteer_insert(ctx->st, v) : store_volunteer_update(ctx->st, v);
    if (r == 0)
        r = store_commit(ctx->st);
    if (r != 0)
        store_rollback(ctx->st);
    return r;
}

int volunteers_create(struct service_ctx *ctx, const struct principal *p,
                      const struct volunteer_rec *in, int64_t now_ms, struct volunteer_rec *out,
                      struct errbuf *eb)
{
    struct volunteer_rec v = *in;
    int r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (v.status[0] == '\0')
        snprintf(v.status, sizeof(v.status), "active");
    if ((r = check_volunteer(ctx, p, &v, eb)) != 0)
        return r;
    v.created_ms = v.updated_ms = now_ms;
    if ((r = write_volunteer(ctx, &v, 1)) != 0)
        return r;
    *out = v;
    return 0;
}

int volunteers_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                   struct volunteer_rec *out, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_volunteer_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no volunteer %lld", (long long)id);
    if (r != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_READ, out->area_code)) != 0)
        return deny(eb, r, "read volunteers", out->area_code);
    return 0;
}

int volunteers_update(struct service_ctx *ctx, const struct principal *p,
                      const struct volunteer_rec *in, int64_t now_ms, struct volunteer_rec *out,
                      struct errbuf *eb)
{
    struct volunteer_rec old, v = *in;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = volunteers_get(ctx, p, in->id, &old, eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, old.area_code)) != 0)
        return deny(eb, r, "manage volunteers", old.area_code);
    if ((r = check_volunteer(ctx, p, &v, eb)) != 0)
        return r;
    v.created_ms = old.created_ms;
    v.updated_ms = now_ms;
    if ((r = write_volunteer(ctx, &v, 0)) != 0)
        return r;
    *out = v;
    return 0;
}

int volunteers_remove(struct service_ctx *ctx, const struct principal *p, int64_t id,
                      int64_t now_ms, struct volunteer_rec *out, struct errbuf *eb)
{
    struct volunteer_rec v;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = volunteers_get(ctx, p, id, &v, eb)) != 0)
        return r;
    snprintf(v.status, sizeof(v.status), "left");
    return volunteers_update(ctx, p, &v, now_ms, out, eb);
}

int volunteers_list(struct service_ctx *ctx, const struct principal *p, struct volunteer_filter *f,
                    store_volunteer_fn fn, void *fctx, struct errbuf *eb)
{
    enum volunteer_status st;
    int r;
    if ((r = read_scope(p, &f->area, eb)) != 0)
        return r;
    if (f->status != NULL && volunteer_status_parse(f->status, &st) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "query parameter 'status' must be active, paused or left");
    if (f->skill != NULL && volunteer_skill_find(f->skill) < 0)
        return errbuf_set(eb, ERR_INVALID, "query parameter 'skill' is not a skill code");
    if (f->limit < 1 || f->limit > VOLUNTEERS_PAGE_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", VOLUNTEERS_PAGE_MAX);
    return store_volunteer_list(ctx->st, f, fn, fctx);
}

int volunteers_hours(struct service_ctx *ctx, const struct principal *p, int64_t id,
                     int64_t from_ms, int64_t to_ms, store_hours_total_fn fn, void *fctx,
                     struct errbuf *eb)
{
    struct volunteer_rec v;
    int r;
    if ((r = volunteers_get(ctx, p, id, &v, eb)) != 0)
        return r;
    if (to_ms != 0 && to_ms <= from_ms)
        return errbuf_set(eb, ERR_INVALID, "'to' must come after 'from'");
    return store_hours_totals(ctx->st, "volunteer", id, from_ms, to_ms, fn, fctx);
}

/* ---- needs -------------------------------------------------------------------------------- */

int needs_create(struct service_ctx *ctx, const struct principal *p, const struct need_rec *in,
                 int64_t now_ms, struct need_rec *out, struct errbuf *eb)
{
    struct need_rec n = *in;
    struct vol_skills sk;
    enum need_source src;
    int r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (volunteer_need_source_parse(n.source, &src) != 0)
        return errbuf_set(eb, ERR_INVALID, "field 'source' must be case, service or post");
    if (!is_text(n.title, 1, NEED_TITLE_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'title' must be text of 1..%d bytes",
                          NEED_TITLE_MAX);
    if ((r = volunteer_skills_parse(n.skills, &sk, eb)) != 0)
        return r;
    volunteer_skills_format(&sk, n.skills, sizeof(n.skills));
    if (n.wanted < 1 || n.wanted > NEEDS_WANTED_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'volunteers' must be 1..%d", NEEDS_WANTED_MAX);
    if (n.duration_min < 15 || n.duration_min > VOL_DAY_MINUTES)
        return errbuf_set(eb, ERR_INVALID, "field 'hours' must be 0.25..24");
    if (n.starts_ms < now_ms - DAY_MS || n.starts_ms > now_ms + YEAR_MS)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'starts_at' must lie between yesterday and a year from now");
    if (n.radius_m == 0)
        n.radius_m = NEEDS_RADIUS_DEFAULT_M;
    if (!isfinite(n.radius_m) || n.radius_m < 100 || n.radius_m > MATCH_RADIUS_MAX_M)
        return errbuf_set(eb, ERR_INVALID, "field 'radius_m' must be 100..%.0f",
                          MATCH_RADIUS_MAX_M);
    if (n.has_point && !point_ok(n.lon, n.lat))
        return errbuf_set(eb, ERR_INVALID, "fields 'lon' and 'lat' must be WGS84 degrees");

    /* The source, and the place it lends. */
    if (src == NEED_SERVICE) {
        if (n.source_id != 0)
            return errbuf_set(eb, ERR_INVALID, "a service request has no 'source_id'");
    } else if (n.source_id <= 0) {
        return errbuf_set(eb, ERR_INVALID, "field 'source_id' is required for a %s", n.source);
    } else if (src == NEED_CASE) {
        struct case_rec c;
        r = cases_get(ctx, p, n.source_id, &c);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no case %lld", (long long)n.source_id);
        if (r == ERR_FORBIDDEN)
            return errbuf_set(eb, r, "case %lld is not one this user may see",
                              (long long)n.source_id);
        if (r != 0)
            return r;
        if (!n.has_point && n.area_code[0] == '\0') {
            snprintf(n.area_code, sizeof(n.area_code), "%s", c.area_code);
            n.has_point = c.has_location;
            n.lon = c.lon;
            n.lat = c.lat;
        }
        case_rec_cleanup(&c);
    } else {
        struct post_rec post;
        r = store_post_get(ctx->st, n.source_id, &post);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no post %lld", (long long)n.source_id);
        if (r != 0)
            return r;
        if (access_check(p, CAP_VOLUNTEER_READ, post.area_code) != 0)
            return errbuf_set(eb, ERR_FORBIDDEN, "post %lld is not one this user may see",
                              (long long)n.source_id);
        if (!n.has_point && n.area_code[0] == '\0')
            snprintf(n.area_code, sizeof(n.area_code), "%s", post.area_code);
    }
    if (n.has_point && n.area_code[0] == '\0') {
        struct area_path path;
        r = areas_locate(ctx, n.lon, n.lat, &path);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "the point lies outside every area");
        if (r != 0)
            return r;
        snprintf(n.area_code, sizeof(n.area_code), "%s", path.items[path.len - 1].code);
    }
    if (n.area_code[0] == '\0')
        return errbuf_set(eb, ERR_INVALID, "give 'lon' and 'lat' or an 'area_code' for the need");
    if ((r = check_area(ctx, n.area_code, "area_code", eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, n.area_code)) != 0)
        return deny(eb, r, "declare needs", n.area_code);
    n.created_by = p->user_id;
    n.created_ms = now_ms;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_need_insert(ctx->st, &n)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        return r;
    }
    *out = n;
    return 0;
}

int needs_get(struct service_ctx *ctx, const struct principal *p, int64_t id, struct need_rec *out,
              struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_need_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no need %lld", (long long)id);
    if (r != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_READ, out->area_code)) != 0)
        return deny(eb, r, "read needs", out->area_code);
    return 0;
}

int needs_list(struct service_ctx *ctx, const struct principal *p, struct need_filter *f,
               store_need_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if ((r = read_scope(p, &f->area, eb)) != 0)
        return r;
    if (f->status != NULL && strcmp(f->status, "open") != 0 && strcmp(f->status, "filled") != 0)
        return errbuf_set(eb, ERR_INVALID, "query parameter 'status' must be open or filled");
    if (f->limit < 1 || f->limit > NEEDS_PAGE_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", NEEDS_PAGE_MAX);
    return store_need_list(ctx->st, f, fn, fctx);
}

/* The matching pool of a need for p: the need's street, or p's scope when that is deeper
 * (both are prefixes of the need's area, which p may read). */
static void pool_root(const struct principal *p, const struct need_rec *n, char *out)
{
    size_t street = areacode_length(AREA_STREET), len = strlen(n->area_code);
    if (len > street)
        len = street;
    if (strlen(p->scope) > len)
        snprintf(out, AREA_CODE_BUF, "%s", p->scope);
    else
        snprintf(out, AREA_CODE_BUF, "%.*s", (int)len, n->area_code);
}

struct pool {
    struct volunteer_rec *v;
    struct match_candidate *c;
    size_t n, cap;
};

static int pool_add(void *arg, const struct volunteer_rec *v)
{
    struct pool *pl = arg;
    struct match_candidate *c;
    if (pl->n == pl->cap)
        return ERR_TOO_LARGE;
    pl->v[pl->n] = *v;
    c = &pl->c[pl->n];
    memset(c, 0, sizeof(*c));
    c->id = v->id;
    c->is_active = strcmp(v->status, "active") == 0;
    if (volunteer_skills_parse(v->skills, &c->skills, NULL) != 0)
        memset(&c->skills, 0, sizeof(c->skills)); /* written by check_volunteer: never */
    c->availability = (unsigned)v->availability;
    c->has_home = v->has_home;
    c->lon = v->lon;
    c->lat = v->lat;
    pl->n++;
    return 0;
}

static struct match_candidate *pool_find(struct pool *pl, int64_t id)
{
    size_t lo = 0, hi = pl->n; /* ids ascending */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (pl->c[mid].id == id)
            return &pl->c[mid];
        if (pl->c[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int pool_load(void *arg, int64_t id, int64_t minutes, int64_t assignments)
{
    struct match_candidate *c = pool_find(arg, id);
    if (c != NULL) {
        c->hours_30d = (double)minutes / 60.0;
        c->assignments_30d = assignments;
    }
    return 0;
}

static int pool_assigned(void *arg, const struct need_assignment *a)
{
    struct match_candidate *c = pool_find(arg, a->volunteer_id);
    if (c != NULL)
        c->is_assigned = 1;
    return 0;
}

void need_matches_cleanup(struct need_matches *m)
{
    free(m->items);
    memset(m, 0, sizeof(*m));
}

int needs_matches(struct service_ctx *ctx, const struct principal *p, int64_t id, int limit,
                  int64_t now_ms, struct need_matches *out, struct errbuf *eb)
{
    struct need_rec n;
    struct match_need mn;
    struct volunteer_filter f;
    struct pool pl = {NULL, NULL, 0, VOLUNTEERS_POOL_MAX};
    struct match_score *scores = NULL;
    char root[AREA_CODE_BUF];
    size_t n_ranked = 0;
    int r;
    memset(out, 0, sizeof(*out));
    if (limit < 1 || limit > NEEDS_MATCHES_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", NEEDS_MATCHES_MAX);
    if ((r = needs_get(ctx, p, id, &n, eb)) != 0)
        return r;
    memset(&mn, 0, sizeof(mn));
    if ((r = volunteer_skills_parse(n.skills, &mn.skills, eb)) != 0)
        return r;
    mn.has_point = n.has_point;
    mn.lon = n.lon;
    mn.lat = n.lat;
    mn.radius_m = n.radius_m;
    mn.slot_bit = volunteer_slot_of(n.starts_ms, volunteers_utc_offset(ctx));
    pool_root(p, &n, root);

    pl.v = xcalloc(pl.cap, sizeof(*pl.v));
    pl.c = xcalloc(pl.cap, sizeof(*pl.c));
    memset(&f, 0, sizeof(f));
    f.area = root;
    f.limit = VOLUNTEERS_POOL_MAX;
    if ((r = store_volunteer_list(ctx->st, &f, pool_add, &pl)) != 0 ||
        (r = store_volunteer_loads(ctx->st, root, now_ms - VOLUNTEERS_LOAD_DAYS * DAY_MS, pool_load,
                                   &pl)) != 0 ||
        (r = store_need_assignments(ctx->st, id, pool_assigned, &pl)) != 0)
        goto out;
    scores = xcalloc(pl.n ? pl.n : 1, sizeof(*scores));
    if ((r = matching_rank(&mn, pl.c, pl.n, scores, &n_ranked, out->excluded, eb)) != 0)
        goto out;
    out->candidates = (int64_t)pl.n;
    out->n = n_ranked < (size_t)limit ? n_ranked : (size_t)limit;
    out->items = xcalloc(out->n ? out->n : 1, sizeof(*out->items));
    for (size_t i = 0; i < out->n; i++) {
        const struct match_candidate *c = &pl.c[scores[i].index];
        out->items[i].score = scores[i];
        out->items[i].v = pl.v[scores[i].index];
        out->items[i].hours_30d = c->hours_30d;
        out->items[i].assignments_30d = c->assignments_30d;
    }
out:
    free(scores);
    free(pl.v);
    free(pl.c);
    return r;
}

struct assign_job {
    int64_t need_id, volunteer_id, by, now_ms;
};

static int assign_run(struct service_ctx *ctx, void *arg)
{
    struct assign_job *j = arg;
    return store_need_assign(ctx->st, j->need_id, j->volunteer_id, j->by, j->now_ms);
}

int needs_assign(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 int64_t volunteer_id, int64_t now_ms, struct need_rec *out, struct errbuf *eb)
{
    struct need_rec n;
    struct volunteer_rec v;
    struct assign_job job;
    char root[AREA_CODE_BUF];
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = needs_get(ctx, p, id, &n, eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, n.area_code)) != 0)
        return deny(eb, r, "assign volunteers", n.area_code);
    r = store_volunteer_get(ctx->st, volunteer_id, &v);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no volunteer %lld", (long long)volunteer_id);
    if (r != 0)
        return r;
    pool_root(p, &n, root);
    if (!areacode_in_subtree(v.area_code, root))
        return errbuf_set(eb, ERR_FORBIDDEN, "volunteer %lld is outside the need's pool %s",
                          (long long)volunteer_id, root);
    if (strcmp(v.status, "active") != 0)
        return errbuf_set(eb, ERR_INVALID, "volunteer %lld is not active", (long long)volunteer_id);
    job = (struct assign_job){id, volunteer_id, p->user_id, now_ms};
    r = fieldwork_write(ctx, assign_run, &job);
    if (r == ERR_EXISTS)
        return errbuf_set(eb, r, "volunteer %lld is already assigned to need %lld",
                          (long long)volunteer_id, (long long)id);
    if (r == ERR_CONFLICT)
        return errbuf_set(eb, r, "need %lld already has the volunteers it wants", (long long)id);
    if (r != 0)
        return r;
    return store_need_get(ctx->st, id, out);
}

/* ---- posts -------------------------------------------------------------------------------- */

int posts_create(struct service_ctx *ctx, const struct principal *p, const struct post_rec *in,
                 int64_t now_ms, struct post_rec *out, struct errbuf *eb)
{
    struct post_rec post = *in;
    enum post_kind kind;
    int r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (volunteer_post_kind_parse(post.kind, &kind) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'kind' must be dispute_mediation, policy_publicity, "
                          "sanitation_watch, safety_inspection, elderly_visiting, "
                          "civility_guidance or other");
    if (!is_text(post.name, 1, 128))
        return errbuf_set(eb, ERR_INVALID, "field 'name' must be text of 1..128 bytes");
    if (!is_text(post.duties, 0, POST_DUTIES_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'duties' must be text of at most %d bytes",
                          POST_DUTIES_MAX);
    if ((r = check_area(ctx, post.area_code, "area_code", eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, post.area_code)) != 0)
        return deny(eb, r, "set up posts", post.area_code);
    post.created_by = p->user_id;
    post.created_ms = now_ms;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_post_insert(ctx->st, &post)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        return r;
    }
    *out = post;
    return 0;
}

int posts_get(struct service_ctx *ctx, const struct principal *p, int64_t id, struct post_rec *out,
              struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_post_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no post %lld", (long long)id);
    if (r != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_READ, out->area_code)) != 0)
        return deny(eb, r, "read posts", out->area_code);
    return 0;
}

int posts_list(struct service_ctx *ctx, const struct principal *p, const char *area,
               store_post_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if ((r = read_scope(p, &area, eb)) != 0)
        return r;
    return store_post_list(ctx->st, area, fn, fctx);
}

int posts_member_add(struct service_ctx *ctx, const struct principal *p, int64_t post_id,
                     const struct post_member *in, int64_t now_ms, struct post_member *out,
                     struct errbuf *eb)
{
    struct post_rec post;
    struct post_member m = *in;
    char member_area[AREA_CODE_BUF];
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = posts_get(ctx, p, post_id, &post, eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, post.area_code)) != 0)
        return deny(eb, r, "staff posts", post.area_code);
    if (!is_text(m.duty, 0, POST_DUTY_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'duty' must be text of at most %d bytes",
                          POST_DUTY_MAX);
    if (m.member_id <= 0)
        return errbuf_set(eb, ERR_INVALID, "field 'member_id' is required");
    if (strcmp(m.member_kind, "volunteer") == 0) {
        struct volunteer_rec v;
        r = store_volunteer_get(ctx->st, m.member_id, &v);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no volunteer %lld", (long long)m.member_id);
        if (r != 0)
            return r;
        if (strcmp(v.status, "active") != 0)
            return errbuf_set(eb, ERR_INVALID, "volunteer %lld is not active",
                              (long long)m.member_id);
        snprintf(member_area, sizeof(member_area), "%s", v.area_code);
    } else if (strcmp(m.member_kind, "person") == 0) {
        struct bd_record person;
        r = store_bd_get(ctx->st, BD_PERSON, m.member_id, &person);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no person %lld", (long long)m.member_id);
        if (r != 0)
            return r;
        snprintf(member_area, sizeof(member_area), "%s", person.cell_code);
        bd_record_cleanup(&person);
    } else {
        return errbuf_set(eb, ERR_INVALID, "field 'member_kind' must be volunteer or person");
    }
    if (!areacode_in_subtree(member_area, post.area_code))
        return errbuf_set(eb, ERR_INVALID, "%s %lld belongs to %s, outside the post's area %s",
                          m.member_kind, (long long)m.member_id, member_area, post.area_code);
    m.post_id = post_id;
    m.since_ms = now_ms;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_post_member_add(ctx->st, &m)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        if (r == ERR_EXISTS)
            return errbuf_set(eb, r, "%s %lld is already a member of post %lld", m.member_kind,
                              (long long)m.member_id, (long long)post_id);
        return r;
    }
    *out = m;
    return 0;
}

int posts_members(struct service_ctx *ctx, const struct principal *p, int64_t post_id,
                  store_member_fn fn, void *fctx, struct errbuf *eb)
{
    struct post_rec post;
    int r;
    if ((r = posts_get(ctx, p, post_id, &post, eb)) != 0)
        return r;
    return store_post_members(ctx->st, post_id, fn, fctx);
}

struct hours_job {
    struct hours_rec *h;
    int utc_offset_min;
    int64_t now_ms;
    struct errbuf *eb;
};

/* Check the daily limit and insert, in one transaction on the writer. */
static int hours_run(struct service_ctx *ctx, void *arg)
{
    struct hours_job *j = arg;
    int64_t already = 0;
    int r;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_hours_day_total(ctx->st, j->h->member_kind, j->h->person_key, j->h->day_ms,
                                   &already)) != 0 ||
        (r = volunteer_hours_check(j->h->minutes, j->h->day_ms, j->now_ms, j->utc_offset_min,
                                   already, j->eb)) != 0 ||
        (r = store_hours_insert(ctx->st, j->h)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        return r;
    }
    return 0;
}

int posts_log_hours(struct service_ctx *ctx, const struct principal *p, int64_t post_id,
                    const struct hours_rec *in, int64_t now_ms, struct hours_rec *out,
                    struct errbuf *eb)
{
    struct post_rec post;
    struct post_member m;
    struct hours_rec h = *in;
    struct hours_job job;
    int r, off = volunteers_utc_offset(ctx);
    memset(out, 0, sizeof(*out));
    if ((r = posts_get(ctx, p, post_id, &post, eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, post.area_code)) != 0)
        return deny(eb, r, "log hours", post.area_code);
    r = store_post_member_get(ctx->st, h.member_id, &m);
    if (r == ERR_NOT_FOUND || (r == 0 && m.post_id != post_id))
        return errbuf_set(eb, ERR_NOT_FOUND, "post %lld has no member %lld", (long long)post_id,
                          (long long)h.member_id);
    if (r != 0)
        return r;
    if (!is_text(h.note, 0, HOURS_NOTE_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'note' must be text of at most %d bytes",
                          HOURS_NOTE_MAX);
    /* The checks that need no database first: a bad entry is refused before the writer. */
    if ((r = volunteer_hours_check(h.minutes, h.day_ms, now_ms, off, 0, eb)) != 0)
        return r;
    h.post_id = post_id;
    snprintf(h.member_kind, sizeof(h.member_kind), "%s", m.member_kind);
    h.person_key = m.member_id;
    h.logged_by = p->user_id;
    h.created_ms = now_ms;
    job = (struct hours_job){&h, off, now_ms, eb};
    if ((r = fieldwork_write(ctx, hours_run, &job)) != 0)
        return r;
    *out = h;
    return 0;
}

/* ---- chiefs ------------------------------------------------------------------------------- */

int chiefs_create(struct service_ctx *ctx, const struct principal *p, const struct chief_rec *in,
                  int64_t now_ms, struct chief_rec *out, struct errbuf *eb)
{
    struct chief_rec c = *in;
    enum chief_kind kind;
    int r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (volunteer_chief_kind_parse(c.kind, &kind) != 0)
        return errbuf_set(eb, ERR_INVALID, "field 'kind' must be building, lane or street");
    if (!is_text(c.name, 1, VOLUNTEER_NAME_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'name' must be text of 1..%d bytes",
                          VOLUNTEER_NAME_MAX);
    if (c.building_id != 0) {
        struct bd_record b;
        r = store_bd_get(ctx->st, BD_BUILDING, c.building_id, &b);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no building %lld", (long long)c.building_id);
        if (r != 0)
            return r;
        if (c.area_code[0] != '\0' && strcmp(c.area_code, b.cell_code) != 0) {
            bd_record_cleanup(&b);
            return errbuf_set(eb, ERR_INVALID, "building %lld lies in cell %s, not %s",
                              (long long)c.building_id, b.cell_code, c.area_code);
        }
        snprintf(c.area_code, sizeof(c.area_code), "%s", b.cell_code);
        bd_record_cleanup(&b);
    }
    if ((r = check_area(ctx, c.area_code, "area_code", eb)) != 0)
        return r;
    if ((r = access_check(p, CAP_VOLUNTEER_MANAGE, c.area_code)) != 0)
        return deny(eb, r, "appoint chiefs", c.area_code);
    if (c.person_id != 0) {
        struct bd_record person;
        r = store_bd_get(ctx->st, BD_PERSON, c.person_id, &person);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no person %lld", (long long)c.person_id);
        if (r != 0)
            return r;
        r = access_check(p, CAP_VOLUNTEER_MANAGE, person.cell_code);
        bd_record_cleanup(&person);
        if (r != 0)
            return errbuf_set(eb, ERR_FORBIDDEN, "person %lld lives outside this user's area",
                              (long long)c.person_id);
    }
    if (c.user_id != 0) {
        struct user u;
        r = store_user_get(ctx->st, c.user_id, &u);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no user %lld", (long long)c.user_id);
        if (r != 0)
            return r;
        if (strcmp(u.role, "chief") != 0)
            return errbuf_set(eb, ERR_INVALID, "user %s does not have the role chief", u.username);
        if (!areacode_in_subtree(c.area_code, u.area_code))
            return errbuf_set(eb, ERR_INVALID, "user %s acts on %s, which does not cover %s",
                              u.username, u.area_code, c.area_code);
    }
    c.created_ms = now_ms;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_chief_insert(ctx->st, &c)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        return r;
    }
    *out = c;
    return 0;
}

int chiefs_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
               struct chief_rec *out, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_chief_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no chief %lld", (long long)id);
    if (r != 0)
        return r;
    if (out->user_id != 0 && out->user_id == p->user_id)
        return 0;
    if ((r = access_check(p, CAP_VOLUNTEER_READ, out->area_code)) != 0)
        return deny(eb, r, "read chiefs", out->area_code);
    return 0;
}

/* A chief's own records within a listed area (chiefs_list for ROLE_CHIEF). */
struct own_chiefs {
    int64_t user_id;
    const char *area;
    store_chief_fn fn;
    void *fctx;
};

static int own_chief_filter(void *arg, const struct chief_rec *c)
{
    struct own_chiefs *o = arg;
    if (c->user_id == 0 || c->user_id != o->user_id || !areacode_in_subtree(c->area_code, o->area))
        return 0;
    return o->fn(o->fctx, c);
}

int chiefs_list(struct service_ctx *ctx, const struct principal *p, const char *area,
                store_chief_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if (p != NULL && p->role == ROLE_CHIEF) {
        /* a chief sees only their own records (the web report form relays as one of them) */
        struct own_chiefs own = {p->user_id, area != NULL ? area : p->scope, fn, fctx};
        if (!areacode_is_valid(own.area))
            return errbuf_set(eb, ERR_INVALID, "query parameter 'area' must be an area code");
        return store_chief_list(ctx->st, p->scope, own_chief_filter, &own);
    }
    if ((r = read_scope(p, &area, eb)) != 0)
        return r;
    return store_chief_list(ctx->st, area, fn, fctx);
}

int volunteers_check_relay(struct service_ctx *ctx, const struct principal *p, int64_t chief_id,
                           const char *area_code, struct errbuf *eb)
{
    struct chief_rec c;
    int r;
    if (p == NULL)
        return errbuf_set(eb, ERR_FORBIDDEN, "only a chief or community staff relay for a chief");
    r = store_chief_get(ctx->st, chief_id, &c);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no chief %lld", (long long)chief_id);
    if (r != 0)
        return r;
    if (p->role == ROLE_CHIEF ? c.user_id != p->user_id
                              : access_check(p, CAP_CHIEF_RELAY, c.area_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user may not relay for chief %lld",
                          (long long)chief_id);
    if (!areacode_in_subtree(area_code, c.area_code))
        return errbuf_set(eb, ERR_FORBIDDEN, "the case lies in %.18s, outside chief %lld's cell %s",
                          area_code, (long long)chief_id, c.area_code);
    return 0;
}
