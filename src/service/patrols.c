/*
 * patrols.c - starting, tracking, ending and reading patrols (see patrols.h).
 *
 * The track is re-read whole after each upload and at the end, so the speed flags and the
 * summary always describe the time-ordered track, whatever order offline batches arrive in;
 * only the outside-the-grid flag is stored per point (it depends on the areas at upload
 * time), the speed flag is derived on every read. A track is capped at PATROLS_TRACK_MAX
 * points, so this stays cheap.
 */
#include "service/patrols.h"

#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/fieldwork.h"

#include <stdlib.h>
#include <string.h>

void patrol_detail_cleanup(struct patrol_detail *d)
{
    if (d == NULL)
        return;
    free(d->points);
    free(d->case_ids);
    memset(d, 0, sizeof(*d));
}

/* ---- reading the track -------------------------------------------------------------------- */

struct track {
    struct patrol_point *pts;
    size_t n, cap;
};

static int track_add(void *arg, const struct patrol_point *pt)
{
    struct track *t = arg;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 256;
        t->pts = xrealloc(t->pts, t->cap * sizeof(*t->pts));
    }
    t->pts[t->n++] = *pt;
    return 0;
}

/* The stored track of id, time-ordered, speed-flagged; summary in *sum (may be NULL). */
static int load_track(struct store *st, int64_t id, struct track *t, struct patrol_summary *sum)
{
    int r;
    memset(t, 0, sizeof(*t));
    if ((r = store_patrol_points(st, id, track_add, t)) != 0) {
        free(t->pts);
        memset(t, 0, sizeof(*t));
        return r;
    }
    patrol_flag_speed(t->pts, t->n);
    if (sum)
        patrol_summarise(t->pts, t->n, sum);
    return 0;
}

/* ---- start ------------------------------------------------------------------------------ */

struct start_job {
    const struct principal *p;
    const char *grid;
    int64_t now_ms;
    struct patrol_rec *out;
    struct errbuf *eb;
};

static int first_running(void *arg, const struct patrol_rec *rec)
{
    *(int64_t *)arg = rec->id;
    return 1;
}

static int start_run(struct service_ctx *ctx, void *arg)
{
    struct start_job *j = arg;
    struct patrol_filter f;
    struct patrol_rec rec;
    int64_t running = 0;
    int r;

    memset(&f, 0, sizeof(f));
    f.area = "";
    f.user_id = j->p->user_id;
    f.is_running = 1;
    f.limit = 1;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    r = store_patrol_list(ctx->st, &f, first_running, &running);
    if (r != 0 && r != 1)
        goto fail;
    if (running != 0) {
        r = errbuf_set(j->eb, ERR_CONFLICT, "patrol %lld is still running: end it first",
                       (long long)running);
        goto fail;
    }
    memset(&rec, 0, sizeof(rec));
    snprintf(rec.grid_code, sizeof(rec.grid_code), "%s", j->grid);
    rec.user_id = j->p->user_id;
    rec.started_ms = j->now_ms;
    if ((r = store_patrol_insert(ctx->st, &rec)) != 0)
        goto fail;
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    *j->out = rec;
    return 0;
fail:
    store_rollback(ctx->st);
    return r;
}

int patrols_start(struct service_ctx *ctx, const struct principal *p, const char *grid,
                  int64_t now_ms, struct patrol_rec *out, struct errbuf *eb)
{
    struct start_job job;
    int exists = 0, r;
    memset(out, 0, sizeof(*out));
    job = (struct start_job){p, grid, now_ms, out, eb};
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (grid == NULL)
        grid = p->scope;
    job.grid = grid;
    if (!areacode_is_valid(grid) || areacode_level(grid) != AREA_GRID)
        return errbuf_set(eb, ERR_INVALID, "a patrol covers one grid: '%.20s' is not a grid code",
                          grid);
    if ((r = store_area_exists(ctx->st, grid, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "grid %s does not exist", grid);
    if (access_check(p, CAP_FIELD_WORK, grid) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user may not patrol grid %s", grid);
    return fieldwork_write(ctx, start_run, &job);
}

/* ---- upload ------------------------------------------------------------------------------- */

/* The patrol id, if p may work on it (owner, running unless allow_ended). */
static int own_patrol(struct service_ctx *ctx, const struct principal *p, int64_t id,
                      struct patrol_rec *rec, struct errbuf *eb)
{
    int r = store_patrol_get(ctx->st, id, rec);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no patrol %lld", (long long)id);
    if (r != 0)
        return r;
    if (access_check(p, CAP_FIELD_WORK, rec->grid_code) != 0 || rec->user_id != p->user_id)
        return errbuf_set(eb, ERR_FORBIDDEN, "patrol %lld is not this user's", (long long)id);
    return 0;
}

struct upload_job {
    const struct principal *p;
    int64_t id;
    struct patrol_upload *in;
    struct patrol_upload_result *out;
    struct errbuf *eb;
};

static int upload_run(struct service_ctx *ctx, void *arg)
{
    struct upload_job *j = arg;
    struct patrol_rec rec;
    struct patrol_summary sum;
    struct track t = {NULL, 0, 0};
    int is_new = 0, r;

    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = own_patrol(ctx, j->p, j->id, &rec, j->eb)) != 0)
        goto fail;
    if ((r = store_patrol_batch_add(ctx->st, j->id, j->in->batch_id, (int64_t)j->in->n, &is_new)) !=
        0)
        goto fail;
    if (!is_new) {
        /* A retried upload: acknowledged, nothing stored again (even once the patrol ended). */
        store_rollback(ctx->st);
        j->out->is_duplicate = 1;
        j->out->rec = rec;
        return 0;
    }
    if (rec.ended_ms != 0) {
        r = errbuf_set(j->eb, ERR_CONFLICT, "patrol %lld has ended", (long long)j->id);
        goto fail;
    }
    if (rec.n_points + (int64_t)j->in->n > PATROLS_TRACK_MAX) {
        r = errbuf_set(j->eb, ERR_INVALID, "a patrol keeps at most %d points", PATROLS_TRACK_MAX);
        goto fail;
    }
    for (size_t i = 0; i < j->in->n; i++) {
        if ((r = patrol_point_check(&j->in->points[i], i, rec.started_ms, j->in->now_ms, j->eb)) !=
            0)
            goto fail;
    }
    {
        struct fieldwork_grid g = {ctx, rec.grid_code};
        patrol_flag_outside(j->in->points, j->in->n, fieldwork_point_in_grid, &g);
    }
    for (size_t i = 0; i < j->in->n; i++) {
        j->in->points[i].flags &= PATROL_PT_OUTSIDE;
        j->out->outside += (j->in->points[i].flags & PATROL_PT_OUTSIDE) != 0;
    }
    if ((r = store_patrol_points_add(ctx->st, j->id, j->in->points, j->in->n)) != 0)
        goto fail;
    if ((r = load_track(ctx->st, j->id, &t, &sum)) != 0)
        goto fail;
    free(t.pts);
    if ((r = store_patrol_set_counts(ctx->st, j->id, sum.n_points, sum.n_outside, sum.n_fast)) != 0)
        goto fail;
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    rec.n_points = sum.n_points;
    rec.n_outside = sum.n_outside;
    rec.n_fast = sum.n_fast;
    j->out->accepted = (int64_t)j->in->n;
    j->out->rec = rec;
    return 0;
fail:
    store_rollback(ctx->st);
    j->out->outside = 0;
    return r;
}

static int batch_id_is_valid(const char *id)
{
    size_t n = id ? strlen(id) : 0;
    if (n == 0 || n > PATROLS_BATCH_ID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (id[i] < 0x21 || id[i] > 0x7e)
            return 0;
    return 1;
}

int patrols_upload(struct service_ctx *ctx, const struct principal *p, int64_t id,
                   struct patrol_upload *in, struct patrol_upload_result *out, struct errbuf *eb)
{
    struct upload_job job;
    memset(out, 0, sizeof(*out));
    job = (struct upload_job){p, id, in, out, eb};
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (!batch_id_is_valid(in->batch_id))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'batch_id' must be 1..%d printable ASCII characters",
                          PATROLS_BATCH_ID_MAX);
    if (in->n == 0 || in->n > PATROLS_BATCH_MAX)
        return errbuf_set(eb, ERR_INVALID, "a batch holds 1..%d points", PATROLS_BATCH_MAX);
    return fieldwork_write(ctx, upload_run, &job);
}

/* ---- end ---------------------------------------------------------------------------------- */

struct end_job {
    const struct principal *p;
    int64_t id;
    int64_t now_ms;
    struct patrol_rec *out;
    struct errbuf *eb;
};

static int end_run(struct service_ctx *ctx, void *arg)
{
    struct end_job *j = arg;
    struct patrol_rec rec;
    struct patrol_summary sum;
    struct track t;
    int r;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = own_patrol(ctx, j->p, j->id, &rec, j->eb)) != 0)
        goto fail;
    if (rec.ended_ms != 0) {
        r = errbuf_set(j->eb, ERR_CONFLICT, "patrol %lld has already ended", (long long)j->id);
        goto fail;
    }
    if ((r = load_track(ctx->st, j->id, &t, &sum)) != 0)
        goto fail;
    free(t.pts);
    rec.ended_ms = j->now_ms > rec.started_ms ? j->now_ms : rec.started_ms;
    rec.distance_m = sum.distance_m;
    rec.duration_ms = sum.duration_ms;
    rec.n_points = sum.n_points;
    rec.n_outside = sum.n_outside;
    rec.n_fast = sum.n_fast;
    if ((r = store_patrol_finish(ctx->st, &rec)) != 0) {
        if (r == ERR_CONFLICT)
            errbuf_set(j->eb, r, "patrol %lld has already ended", (long long)j->id);
        goto fail;
    }
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    *j->out = rec;
    return 0;
fail:
    store_rollback(ctx->st);
    return r;
}

int patrols_end(struct service_ctx *ctx, const struct principal *p, int64_t id, int64_t now_ms,
                struct patrol_rec *out, struct errbuf *eb)
{
    struct end_job job;
    memset(out, 0, sizeof(*out));
    job = (struct end_job){p, id, now_ms, out, eb};
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    return fieldwork_write(ctx, end_run, &job);
}

/* ---- reads -------------------------------------------------------------------------------- */

struct id_list {
    int64_t *ids;
    size_t n;
};

static int id_add(void *arg, int64_t id)
{
    struct id_list *l = arg;
    if (l->n >= 10000)
        return 0;
    l->ids = xrealloc(l->ids, (l->n + 1) * sizeof(*l->ids));
    l->ids[l->n++] = id;
    return 0;
}

int patrols_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                struct patrol_detail *out, struct errbuf *eb)
{
    struct track t;
    struct id_list cases = {NULL, 0};
    int r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_patrol_get(ctx->st, id, &out->rec);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no patrol %lld", (long long)id);
    if (r != 0)
        return r;
    if (access_check(p, CAP_FIELD_READ, out->rec.grid_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "patrol %lld lies outside what this user may see",
                          (long long)id);
    if ((r = load_track(ctx->st, id, &t, NULL)) != 0)
        return r;
    if ((r = store_field_case_links(ctx->st, "patrol", id, id_add, &cases)) != 0) {
        free(t.pts);
        free(cases.ids);
        return r;
    }
    out->points = t.pts;
    out->n_points = t.n;
    out->case_ids = cases.ids;
    out->n_cases = cases.n;
    return 0;
}

int patrols_list(struct service_ctx *ctx, const struct principal *p, struct patrol_filter *f,
                 store_patrol_fn fn, void *fctx, struct errbuf *eb)
{
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (f->area == NULL)
        f->area = p->scope;
    if (!areacode_is_valid(f->area))
        return errbuf_set(eb, ERR_INVALID, "query parameter 'area' must be an area code");
    if (access_check(p, CAP_FIELD_READ, f->area) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "area %.20s is outside what this user may see",
                          f->area);
    if (f->limit < 1 || f->limit > PATROLS_PAGE_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", PATROLS_PAGE_MAX);
    return store_patrol_list(ctx->st, f, fn, fctx);
}

int patrols_check_case_link(struct service_ctx *ctx, const struct principal *p, int64_t id,
                            struct errbuf *eb)
{
    struct patrol_rec rec;
    int r;
    if (p == NULL)
        return errbuf_set(eb, ERR_FORBIDDEN, "only the grid worker on patrol may link a case");
    r = store_patrol_get(ctx->st, id, &rec);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no patrol %lld", (long long)id);
    if (r != 0)
        return r;
    if (rec.user_id != p->user_id)
        return errbuf_set(eb, ERR_FORBIDDEN, "patrol %lld is not this user's", (long long)id);
    return 0;
}
