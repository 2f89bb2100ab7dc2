/*
 * demo_fieldwork.c - a simulated year of patrols, visits and station sessions (see
 * demo_fieldwork.h). Everything is written through the services (patrols_*, visits_record,
 * stations_*), as a year of use would; only the extra demo users (a grid worker per grid, a
 * cadre per street) are inserted directly, with the password hash of the demo's own grid
 * worker and cadre, so they log in with the demo password (no argon2 per user).
 */
#include "service/demo_fieldwork.h"

#include "base/progress.h"
#include "base/rng.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/visit.h"
#include "service/context.h"
#include "service/patrols.h"
#include "service/stations.h"
#include "service/visits.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS      ((int64_t)86400000)
#define MIN_MS      ((int64_t)60000)
#define CITY_OFFSET ((int64_t)8 * 60 * MIN_MS) /* local days and hours are UTC+8 */
#define BATCH_OPS   4000                       /* use cases per outer transaction */
/* Days of patrols simulated: the last quarter (small) or four weeks (city), to keep the demo
 * fast; a patrol is ~15 store statements through the services. */
#define PATROL_DAYS(is_city) ((is_city) ? 28 : 91)

struct grid_info {
    char code[19];
    double minx, miny, maxx, maxy;
    struct principal worker;
    double patrol_rate;     /* patrols a day */
    double visit_diligence; /* 1: on cadence; below: gaps stretched by 1/d */
    int is_lagging;
};

struct gen {
    struct service_ctx *ctx;
    struct rng rng;
    struct grid_info *grids;
    size_t n_grids, cap;
    struct user worker_template, cadre_template;
    struct principal leader;
    int64_t start_ms, end_ms;
    int ops;
    struct demo_fieldwork_result *res;
    struct errbuf *eb;
};

/* Commit the batch every BATCH_OPS use cases and open the next. */
static int tick(struct gen *g)
{
    int r;
    if (++g->ops < BATCH_OPS)
        return 0;
    g->ops = 0;
    if ((r = store_commit(g->ctx->st)) != 0)
        return r;
    return store_begin(g->ctx->st);
}

static void principal_of(const struct user *u, enum role role, struct principal *p)
{
    memset(p, 0, sizeof(*p));
    p->user_id = u->id;
    p->role = role;
    snprintf(p->scope, sizeof(p->scope), "%s", u->area_code);
}

/* A user of role for area: the demo's own when it covers exactly that area, else one made from
 * template named "<role>_<code suffix>". */
static int user_for(struct gen *g, const struct user *tmpl, const char *role_name, const char *area,
                    struct user *out)
{
    int r;
    if (strcmp(tmpl->area_code, area) == 0) {
        *out = *tmpl;
        return 0;
    }
    memset(out, 0, sizeof(*out));
    snprintf(out->username, sizeof(out->username), "%s_%s", role_name, area + 6);
    r = store_user_get_by_name(g->ctx->st, out->username, out);
    if (r == 0)
        return 0;
    if (r != ERR_NOT_FOUND)
        return r;
    memset(out, 0, sizeof(*out));
    snprintf(out->username, sizeof(out->username), "%s_%s", role_name, area + 6);
    snprintf(out->display_name, sizeof(out->display_name), "%s %s", role_name, area + 6);
    snprintf(out->role, sizeof(out->role), "%s", role_name);
    snprintf(out->area_code, sizeof(out->area_code), "%s", area);
    snprintf(out->password_hash, sizeof(out->password_hash), "%s", tmpl->password_hash);
    out->created_ms = g->start_ms;
    if ((r = store_user_insert(g->ctx->st, out)) != 0)
        return r;
    if (strcmp(role_name, "grid_worker") == 0)
        g->res->grid_workers++;
    return 0;
}

static int add_grid(void *arg, const struct area *a)
{
    struct gen *g = arg;
    struct grid_info *gi;
    if (a->level != AREA_GRID)
        return 0;
    if (g->n_grids == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 64;
        g->grids = xrealloc(g->grids, g->cap * sizeof(*g->grids));
    }
    gi = &g->grids[g->n_grids++];
    memset(gi, 0, sizeof(*gi));
    snprintf(gi->code, sizeof(gi->code), "%s", a->code);
    gi->minx = a->minx;
    gi->miny = a->miny;
    gi->maxx = a->maxx;
    gi->maxy = a->maxy;
    return 0;
}

/* ---- patrols ------------------------------------------------------------------------------- */

static int one_patrol(struct gen *g, struct grid_info *gi, int64_t start)
{
    struct patrol_rec rec;
    struct patrol_point pts[8];
    struct patrol_upload up;
    struct patrol_upload_result ur;
    char batch[32];
    int n = rng_range(&g->rng, 5, 8), r;
    double w = gi->maxx - gi->minx, h = gi->maxy - gi->miny;
    double x = gi->minx + w * (0.2 + 0.6 * rng_unit(&g->rng));
    double y = gi->miny + h * (0.2 + 0.6 * rng_unit(&g->rng));
    int64_t t = start;
    if ((r = patrols_start(g->ctx, &gi->worker, gi->code, start, &rec, g->eb)) != 0)
        return r;
    for (int i = 0; i < n; i++) {
        pts[i].t_ms = t;
        pts[i].lon = x;
        pts[i].lat = y;
        pts[i].accuracy = 3 + rng_below(&g->rng, 15);
        pts[i].flags = 0;
        t += (4 + rng_below(&g->rng, 7)) * MIN_MS;
        /* a walk at about 3 km/h, kept inside the grid; one patrol in twenty steps out once */
        x += (rng_unit(&g->rng) - 0.5) * w * 0.3;
        y += (rng_unit(&g->rng) - 0.5) * h * 0.3;
        if (x < gi->minx + w * 0.05 || x > gi->maxx - w * 0.05)
            x = gi->minx + w * (0.2 + 0.6 * rng_unit(&g->rng));
        if (y < gi->miny + h * 0.05 || y > gi->maxy - h * 0.05)
            y = gi->miny + h * (0.2 + 0.6 * rng_unit(&g->rng));
    }
    if (rng_chance(&g->rng, 0.05))
        pts[n - 1].lon = gi->maxx + w * 0.02;
    snprintf(batch, sizeof(batch), "demo-%lld", (long long)rec.id);
    up.batch_id = batch;
    up.points = pts;
    up.n = (size_t)n;
    up.now_ms = t;
    if ((r = patrols_upload(g->ctx, &gi->worker, rec.id, &up, &ur, g->eb)) != 0)
        return r;
    if ((r = patrols_end(g->ctx, &gi->worker, rec.id, t, &rec, g->eb)) != 0)
        return r;
    g->res->patrols++;
    g->res->points += n;
    g->res->outside_points += ur.outside;
    return tick(g);
}

static int gen_patrols(struct gen *g, int days, struct progress *bar)
{
    int64_t first_day = (g->end_ms + CITY_OFFSET) / DAY_MS - days;
    for (int d = 0; d < days; d++) {
        int64_t day0 = (first_day + d) * DAY_MS - CITY_OFFSET; /* local midnight */
        for (size_t k = 0; k < g->n_grids; k++) {
            struct grid_info *gi = &g->grids[k];
            int n =
                (int)gi->patrol_rate + rng_chance(&g->rng, gi->patrol_rate - (int)gi->patrol_rate);
            for (int i = 0; i < n; i++) {
                /* morning round from 8:00, afternoon round from 14:30 */
                int64_t start = day0 + (i == 0 ? 8 * 60 : 14 * 60 + 30) * MIN_MS +
                                rng_below(&g->rng, 90) * MIN_MS;
                int r;
                if (start >= g->end_ms)
                    continue;
                if ((r = one_patrol(g, gi, start)) != 0)
                    return r;
            }
        }
        progress_update(bar, d + 1);
    }
    return 0;
}

/* ---- visits ------------------------------------------------------------------------------- */

struct household_plan {
    int64_t id;
    int interval_days;
    size_t grid; /* index into gen.grids */
};

struct plan_collect {
    struct gen *g;
    const struct visit_rules *rules;
    struct household_plan *items;
    size_t n, cap;
};

static int grid_cmp(const void *key, const void *elem)
{
    return strncmp(key, ((const struct grid_info *)elem)->code, 15);
}

static int plan_household(void *arg, const struct visit_state *s)
{
    struct plan_collect *c = arg;
    const char *tags[1] = {s->tags};
    struct grid_info *gi;
    if (strlen(s->cell_code) < 15)
        return 0;
    gi = bsearch(s->cell_code, c->g->grids, c->g->n_grids, sizeof(*c->g->grids), grid_cmp);
    if (gi == NULL)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->items = xrealloc(c->items, c->cap * sizeof(*c->items));
    }
    c->items[c->n].id = s->subject_id;
    c->items[c->n].interval_days = visit_interval_days(c->rules, s->kind, tags, 1, NULL);
    c->items[c->n].grid = (size_t)(gi - c->g->grids);
    c->n++;
    return 0;
}

static const char *const findings[] = {
    "家中情况正常，无新增诉求",         "住户反映楼道照明不足，已记录",
    "老人身体状况良好，子女每周探望",   "宣传反诈知识，发放资料",
    "核对家庭成员信息，无变化",         "住户咨询医保缴费，已解答",
    "出租屋消防器材齐全，提醒勿堵通道", "了解就业需求，推荐社区招聘会",
};

static int gen_visits(struct gen *g, int days)
{
    struct progress bar;
    struct visit_rules rules;
    struct plan_collect c;
    int64_t from = g->end_ms - (int64_t)days * DAY_MS;
    int r;
    memset(&c, 0, sizeof(c));
    c.g = g;
    c.rules = &rules;
    if ((r = visits_rules(g->ctx, &rules, g->eb)) != 0)
        return r;
    if ((r = store_visit_states(g->ctx->st, "", 0, 0, plan_household, &c)) != 0)
        goto out;
    progress_init(&bar, "visits", (int64_t)c.n);
    for (size_t i = 0; i < c.n; i++) {
        struct household_plan *h = &c.items[i];
        struct grid_info *gi = &g->grids[h->grid];
        /* the first visit falls somewhere in the first interval; then every interval or so,
         * stretched in lagging grids */
        double gap = (double)h->interval_days / gi->visit_diligence;
        /* the household's recent history: its last one and a half intervals (at most the
         * period), which is what timelines, task lists and compliance look at */
        int64_t span = (int64_t)(1.5 * (double)h->interval_days * (double)DAY_MS);
        int64_t begin = g->end_ms - span > from ? g->end_ms - span : from;
        int64_t t = begin + (int64_t)(rng_unit(&g->rng) * gap * (double)DAY_MS);
        while (t < g->end_ms) {
            struct visit_input in;
            struct visit_rec v;
            struct case_rec none;
            int64_t local_day = (t + CITY_OFFSET) / DAY_MS;
            memset(&in, 0, sizeof(in));
            in.subject_kind = "household";
            in.subject_id = h->id;
            /* in working hours, 9:00 to 17:00 local */
            in.visited_ms =
                local_day * DAY_MS - CITY_OFFSET + (9 * 60 + rng_below(&g->rng, 480)) * MIN_MS;
            if (in.visited_ms >= g->end_ms)
                break;
            in.findings =
                findings[rng_below(&g->rng, (int)(sizeof(findings) / sizeof(findings[0])))];
            in.now_ms = in.visited_ms;
            if ((r = visits_record(g->ctx, &gi->worker, &in, &v, &none, g->eb)) != 0)
                goto out;
            g->res->visits++;
            if ((r = tick(g)) != 0)
                goto out;
            t += (int64_t)(gap * (0.75 + 0.3 * rng_unit(&g->rng)) * (double)DAY_MS);
        }
        if (i % 512 == 0)
            progress_update(&bar, (int64_t)i);
    }
    progress_finish(&bar);
    r = 0;
out:
    free(c.items);
    return r;
}

/* ---- station teams -------------------------------------------------------------------------- */

struct street_collect {
    char streets[32][19];
    int n_streets;
    char communities[64][19];
    int n_communities;
};

static int add_street_or_community(void *arg, const struct area *a)
{
    struct street_collect *c = arg;
    if (a->level == AREA_STREET && c->n_streets < 32)
        snprintf(c->streets[c->n_streets++], sizeof(c->streets[0]), "%s", a->code);
    return 0;
}

static int first_communities(void *arg, const struct area *a)
{
    struct street_collect *c = arg;
    if (a->level == AREA_COMMUNITY && c->n_communities < 2)
        snprintf(c->communities[c->n_communities++], sizeof(c->communities[0]), "%s", a->code);
    return 0;
}

static const char *const solved[] = {"楼道杂物堆放，现场协调清理", "路灯不亮，当场联系维修",
                                     "邻里噪音纠纷，现场调解"};
static const char *const explained[] = {"咨询学位申请政策，已解释", "咨询医保报销比例，已解答",
                                        "咨询老旧小区改造进度，已说明"};
static const char *const tickets[] = {"小区门口路面破损，需维修", "排水沟堵塞，雨天积水",
                                      "违章搭建影响通行"};

static int gen_team(struct gen *g, const char *street, int index, struct progress *bar)
{
    struct street_collect sc;
    struct station_team in, team;
    struct user cadre;
    struct principal cp;
    double diligence = 0.6 + 0.4 * rng_unit(&g->rng);
    int64_t first_day = (g->start_ms + CITY_OFFSET) / DAY_MS;
    int r;
    memset(&sc, 0, sizeof(sc));
    if ((r = store_area_walk(g->ctx->st, street, AREA_COMMUNITY, 0, first_communities, &sc)) != 0)
        return r;
    if (sc.n_communities == 0)
        return 0;
    if ((r = user_for(g, &g->cadre_template, "station_cadre", street, &cadre)) != 0)
        return r;
    principal_of(&cadre, ROLE_STATION_CADRE, &cp);
    memset(&in, 0, sizeof(in));
    snprintf(in.name, sizeof(in.name), "驻点团队 %d", index + 1);
    snprintf(in.area_code, sizeof(in.area_code), "%s", street);
    for (int i = 0; i < sc.n_communities; i++)
        snprintf(in.communities[in.n_communities++], sizeof(in.communities[0]), "%s",
                 sc.communities[i]);
    in.members[in.n_members++] = cadre.id;
    in.slots[0] = (struct station_slot){2, 19 * 60, 120, ""};
    snprintf(in.slots[0].community, sizeof(in.slots[0].community), "%s", sc.communities[0]);
    in.n_slots = 1;
    if (sc.n_communities > 1) {
        in.slots[1] = (struct station_slot){4, 15 * 60, 90, ""};
        snprintf(in.slots[1].community, sizeof(in.slots[1].community), "%s", sc.communities[1]);
        in.n_slots = 2;
    }
    if ((r = stations_team_create(g->ctx, &g->leader, &in, g->start_ms, &team, g->eb)) != 0)
        return r;
    g->res->teams++;
    /* every scheduled slot of the year, held with the team's diligence */
    for (int64_t day = first_day; day * DAY_MS - CITY_OFFSET < g->end_ms; day++) {
        int weekday = (int)(((day % 7) + 7 + 3) % 7) + 1; /* 1970-01-01 was a Thursday (4) */
        for (int s = 0; s < team.n_slots; s++) {
            struct session_item_input items[4];
            struct case_report reps[4];
            struct session_input si;
            struct station_session out;
            int n = rng_range(&g->rng, 1, 4);
            int64_t held =
                day * DAY_MS - CITY_OFFSET + (int64_t)team.slots[s].minute_of_day * MIN_MS;
            int recent = held >= g->end_ms - 14 * DAY_MS;
            if (team.slots[s].weekday != weekday || held >= g->end_ms || held < g->start_ms ||
                !rng_chance(&g->rng, diligence))
                continue;
            memset(items, 0, sizeof(items));
            memset(reps, 0, sizeof(reps));
            for (int i = 0; i < n; i++) {
                double u = rng_unit(&g->rng);
                if (recent && u < 0.2) {
                    int k = rng_below(&g->rng, 3);
                    items[i].kind = "ticketed";
                    items[i].summary = tickets[k];
                    reps[i].category = "0101";
                    reps[i].description = tickets[k];
                    items[i].ticket = &reps[i];
                    g->res->tickets++;
                } else if (u < 0.6) {
                    items[i].kind = "solved_on_spot";
                    items[i].summary = solved[rng_below(&g->rng, 3)];
                } else {
                    items[i].kind = "explained";
                    items[i].summary = explained[rng_below(&g->rng, 3)];
                }
            }
            memset(&si, 0, sizeof(si));
            si.team_id = team.id;
            si.community = team.slots[s].community;
            si.held_ms = held;
            si.items = items;
            si.n_items = (size_t)n;
            si.now_ms = held + (int64_t)team.slots[s].duration_min * MIN_MS;
            if ((r = stations_session_record(g->ctx, &cp, &si, &out, g->eb)) != 0)
                return r;
            station_session_cleanup(&out);
            g->res->sessions++;
            g->res->items += n;
            if ((r = tick(g)) != 0)
                return r;
        }
    }
    progress_update(bar, index + 1);
    return 0;
}

/* ---- the year --------------------------------------------------------------------------- */

static int first_patrol(void *arg, const struct patrol_rec *p)
{
    (void)p;
    *(int *)arg = 1;
    return 1;
}

int demo_fieldwork_generate(struct service_ctx *ctx, const struct demo_fieldwork_options *opt,
                            struct demo_fieldwork_result *out, struct errbuf *eb)
{
    struct demo_fieldwork_result res;
    struct gen g;
    struct progress bar;
    struct user leader;
    struct street_collect streets;
    struct patrol_filter pf;
    const char *scale = opt->scale ? opt->scale : "small";
    int is_city = strcmp(scale, "city") == 0, any = 0, r;
    int64_t t0 = time_mono_ms();

    memset(out, 0, sizeof(*out));
    memset(&res, 0, sizeof(res));
    memset(&g, 0, sizeof(g));
    if (!is_city && strcmp(scale, "small") != 0)
        return errbuf_set(eb, ERR_INVALID, "unknown scale '%s'", scale);
    memset(&pf, 0, sizeof(pf));
    pf.area = "";
    pf.limit = 1;
    r = store_patrol_list(ctx->st, &pf, first_patrol, &any);
    if (r != 0 && r != 1)
        return r;
    if (any)
        return errbuf_set(eb, ERR_EXISTS, "the database already holds patrols");
    g.ctx = ctx;
    g.res = &res;
    g.eb = eb;
    g.end_ms = opt->end_ms;
    g.start_ms = opt->end_ms - 365 * DAY_MS;
    rng_seed(&g.rng, opt->seed, 0x6669656c64ULL); /* "field" */
    if ((r = store_user_get_by_name(ctx->st, "grid_worker", &g.worker_template)) != 0 ||
        (r = store_user_get_by_name(ctx->st, "station_cadre", &g.cadre_template)) != 0 ||
        (r = store_user_get_by_name(ctx->st, "leader", &leader)) != 0)
        return errbuf_set(eb, r,
                          "the demo users grid_worker, station_cadre and leader are "
                          "needed: generate the city first");
    principal_of(&leader, ROLE_LEADER, &g.leader);

    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_area_walk(ctx->st, leader.area_code, AREA_GRID, 0, add_grid, &g)) != 0)
        goto fail;
    for (size_t i = 0; i < g.n_grids; i++) {
        struct grid_info *gi = &g.grids[i];
        struct user u;
        if ((r = user_for(&g, &g.worker_template, "grid_worker", gi->code, &u)) != 0)
            goto fail;
        principal_of(&u, ROLE_GRID_WORKER, &gi->worker);
        gi->is_lagging = rng_chance(&g.rng, 0.2);
        res.lagging_grids += gi->is_lagging;
        gi->patrol_rate =
            gi->is_lagging ? 0.3 + 0.7 * rng_unit(&g.rng) : 1.7 + 0.5 * rng_unit(&g.rng);
        gi->visit_diligence =
            gi->is_lagging ? 0.35 + 0.3 * rng_unit(&g.rng) : 0.92 + 0.1 * rng_unit(&g.rng);
    }

    progress_init(&bar, "patrols", PATROL_DAYS(is_city));
    r = gen_patrols(&g, PATROL_DAYS(is_city), &bar);
    progress_finish(&bar);
    if (r != 0)
        goto fail;
    if ((r = gen_visits(&g, is_city ? 60 : 365)) != 0)
        goto fail;
    memset(&streets, 0, sizeof(streets));
    if ((r = store_area_walk(ctx->st, leader.area_code, AREA_STREET, 0, add_street_or_community,
                             &streets)) != 0)
        goto fail;
    progress_init(&bar, "station teams", streets.n_streets);
    for (int i = 0; i < streets.n_streets && r == 0; i++)
        r = gen_team(&g, streets.streets[i], i, &bar);
    progress_finish(&bar);
    if (r != 0)
        goto fail;
    if ((r = store_outbox_mark_all_delivered(ctx->st, g.end_ms)) != 0 ||
        (r = store_commit(ctx->st)) != 0)
        goto fail;
    free(g.grids);
    res.elapsed_ms = time_mono_ms() - t0;
    *out = res;
    return 0;
fail:
    store_rollback(ctx->st);
    free(g.grids);
    return r;
}
