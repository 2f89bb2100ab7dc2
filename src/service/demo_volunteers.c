/*
 * demo_volunteers.c - volunteers, posts, needs and chiefs for the demo city (see
 * demo_volunteers.h). Everything is written through the services (volunteers_create,
 * posts_*, needs_*, chiefs_create, cases_report) as the admin of the demo (or, for relayed
 * cases, as the chief); only the chiefs' logins are inserted directly, with the password hash
 * of the demo's community staff, so they log in with the demo password (no argon2 per user).
 */
#include "service/demo_volunteers.h"

#include "base/rng.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/volunteers.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS     ((int64_t)86400000)
#define HOUR_MS    ((int64_t)3600000)
#define MIN_MS     ((int64_t)60000)
#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

struct place {
    char code[19];
    char name[AREA_NAME_MAX + 1];
    double minx, miny, maxx, maxy;
};

struct places {
    struct place *items;
    size_t n, cap;
};

struct gen {
    struct service_ctx *ctx;
    struct rng rng;
    struct places streets, communities, grids, cells;
    struct principal admin;
    struct user staff;
    int64_t end_ms;
    struct demo_volunteers_result *res;
    struct errbuf *eb;
};

static const char *const surnames[] = {"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周",
                                       "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "梁"};
static const char *const given[] = {"芳",   "伟", "敏", "静",   "丽",   "强",   "磊",   "军",
                                    "洋",   "勇", "艳", "杰",   "娟",   "涛",   "明",   "超",
                                    "秀英", "霞", "平", "桂英", "建国", "志华", "美玲", "海燕"};

/* How common each skill is among the volunteers of a community (relative weights). */
static const struct {
    const char *code;
    int weight;
} skill_weights[] = {
    {"elderly_care", 28}, {"teaching", 20},  {"sanitation", 20}, {"policy_publicity", 16},
    {"childcare", 12},    {"repair", 12},    {"first_aid", 12},  {"mediation", 10},
    {"culture_arts", 10}, {"driving", 10},   {"electrician", 8}, {"it_support", 8},
    {"fire_safety", 8},   {"nursing", 8},    {"plumbing", 6},    {"medical", 6},
    {"legal", 4},         {"psychology", 4}, {"translation", 2}, {"sign_language", 1},
};

static const struct {
    const char *kind, *duties;
} post_defs[] = {
    {"dispute_mediation", "每周二、四下午在议事厅接待群众，调解邻里、家庭纠纷，重大纠纷及时上报"},
    {"policy_publicity", "入户宣传惠民政策，张贴通知公告，协助开展反诈宣传"},
    {"sanitation_watch", "每日巡查楼道和公共区域卫生，劝导垃圾分类，发现问题拍照上报"},
    {"safety_inspection", "巡查消防通道、电动车充电和燃气使用隐患，发现隐患即时上报"},
    {"elderly_visiting", "每周探访独居、高龄老人，了解生活需求，协助就医购物"},
    {"civility_guidance", "在路口和市场劝导不文明行为，维护公共秩序"},
};

/* Needs, with how often a community has one (relative weights): everyday help often, rare
 * skills seldom -- and those are the needs that stay unmatched. */
static const struct {
    const char *title, *skills;
    int wanted, weight;
} need_defs[] = {
    {"周末社区义诊", "medical:2", 2, 3},
    {"独居老人助浴", "elderly_care,nursing", 2, 4},
    {"独居老人陪同就医", "elderly_care", 1, 8},
    {"家电义务维修", "repair", 2, 5},
    {"青少年课业辅导", "teaching:2", 2, 6},
    {"法律咨询进社区", "legal:2", 1, 2},
    {"心理疏导陪谈", "psychology:2", 1, 1},
    {"外籍租户沟通翻译", "translation:2", 1, 1},
    {"听障居民手语陪同就医", "sign_language:2", 1, 1},
    {"反诈宣传进楼栋", "policy_publicity", 3, 6},
    {"出租屋消防安全检查", "fire_safety", 2, 3},
    {"楼道杂物清理", "sanitation", 4, 7},
    {"老年人智能手机教学", "it_support", 2, 3},
    {"社区文艺汇演排练", "culture_arts", 3, 3},
};

static const struct {
    const char *category, *description;
} relays[] = {
    {"0401", "楼道堆放杂物，堵塞消防通道"},       {"0403", "居民在楼道内给电动车充电"},
    {"0404", "地下室堆放大量纸箱等易燃物"},       {"0206", "楼前井盖松动，老人孩子经过有危险"},
    {"0207", "化粪池外溢，排水管道堵塞"},         {"0204", "巷口路灯不亮已有一周"},
    {"0701", "楼上漏水引发邻里争执，需上门调解"}, {"0502", "出租屋私拉电线，存在安全隐患"},
    {"0101", "巷内垃圾桶满溢无人清运"},           {"0208", "单元门禁损坏，外来人员随意进出"},
};

static int add_place(struct places *ps, const struct area *a)
{
    struct place *p;
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 64;
        ps->items = xrealloc(ps->items, ps->cap * sizeof(*ps->items));
    }
    p = &ps->items[ps->n++];
    memset(p, 0, sizeof(*p));
    snprintf(p->code, sizeof(p->code), "%s", a->code);
    snprintf(p->name, sizeof(p->name), "%s", a->name);
    p->minx = a->minx;
    p->miny = a->miny;
    p->maxx = a->maxx;
    p->maxy = a->maxy;
    return 0;
}

static int collect_area(void *arg, const struct area *a)
{
    struct gen *g = arg;
    switch (a->level) {
    case AREA_STREET:
        return add_place(&g->streets, a);
    case AREA_COMMUNITY:
        return add_place(&g->communities, a);
    case AREA_GRID:
        return add_place(&g->grids, a);
    case AREA_CELL:
        return add_place(&g->cells, a);
    default:
        return 0;
    }
}

static int by_code(const void *a, const void *b)
{
    return strcmp(((const struct place *)a)->code, ((const struct place *)b)->code);
}

/* The places of ps (sorted by code) inside root: [*first, *first + *n). */
static void places_under(const struct places *ps, const char *root, size_t *first, size_t *n)
{
    size_t lo = 0, hi = ps->n, len = strlen(root);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp(ps->items[mid].code, root) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *first = lo;
    for (hi = lo; hi < ps->n && strncmp(ps->items[hi].code, root, len) == 0; hi++)
        ;
    *n = hi - lo;
}

static void point_in(struct gen *g, const struct place *p, double *lon, double *lat)
{
    double w = p->maxx - p->minx, h = p->maxy - p->miny;
    *lon = p->minx + w * (0.15 + 0.7 * rng_unit(&g->rng));
    *lat = p->miny + h * (0.15 + 0.7 * rng_unit(&g->rng));
}

static void person_name(struct gen *g, char *out, size_t size)
{
    snprintf(out, size, "%s%s", surnames[rng_below(&g->rng, (int)N_ELEMS(surnames))],
             given[rng_below(&g->rng, (int)N_ELEMS(given))]);
}

static const char *draw_skill(struct gen *g)
{
    int total = 0, x;
    for (size_t i = 0; i < N_ELEMS(skill_weights); i++)
        total += skill_weights[i].weight;
    x = rng_below(&g->rng, total);
    for (size_t i = 0; i < N_ELEMS(skill_weights); i++) {
        if (x < skill_weights[i].weight)
            return skill_weights[i].code;
        x -= skill_weights[i].weight;
    }
    return skill_weights[0].code;
}

/* ---- volunteers --------------------------------------------------------------------------- */

static int gen_volunteers(struct gen *g, const struct place *community, size_t c0, size_t nc,
                          int64_t **ids, size_t *n_ids)
{
    int n = rng_range(&g->rng, 16, 26), r;
    *ids = xcalloc((size_t)n, sizeof(**ids));
    *n_ids = 0;
    for (int i = 0; i < n; i++) {
        struct volunteer_rec in, out;
        struct vol_skills sk;
        int n_skills = rng_range(&g->rng, 1, 3), x;
        memset(&in, 0, sizeof(in));
        memset(&sk, 0, sizeof(sk));
        person_name(g, in.name, sizeof(in.name));
        for (int k = 0; k < n_skills; k++) {
            int roll = rng_below(&g->rng, 100);
            int level = roll < 50 ? 1 : roll < 85 ? 2 : 3;
            volunteer_skills_add(&sk, draw_skill(g), level, NULL); /* a repeat is skipped */
        }
        volunteer_skills_format(&sk, in.skills, sizeof(in.skills));
        for (int b = 0; b < VOL_AVAIL_BITS; b++) {
            int weekday = b / VOL_SLOTS_PER_DAY, slot = b % VOL_SLOTS_PER_DAY;
            double p = weekday >= 5 ? (slot == 2 ? 0.5 : 0.7) : (slot == 2 ? 0.5 : 0.2);
            if (rng_chance(&g->rng, p))
                in.availability |= (int64_t)1 << b;
        }
        if (in.availability == 0)
            in.availability = (int64_t)1 << (5 * VOL_SLOTS_PER_DAY); /* Saturday morning */
        if (nc > 0) {
            const struct place *cell = &g->cells.items[c0 + (size_t)rng_below(&g->rng, (int)nc)];
            snprintf(in.area_code, sizeof(in.area_code), "%s", cell->code);
            in.has_home = 1;
            point_in(g, cell, &in.lon, &in.lat);
        } else {
            snprintf(in.area_code, sizeof(in.area_code), "%s", community->code);
        }
        x = rng_below(&g->rng, 100);
        snprintf(in.status, sizeof(in.status), "%s",
                 x < 88   ? "active"
                 : x < 96 ? "paused"
                          : "left");
        if ((r = volunteers_create(g->ctx, &g->admin, &in, g->end_ms - 200 * DAY_MS, &out,
                                   g->eb)) != 0)
            return r;
        g->res->volunteers++;
        if (strcmp(out.status, "active") == 0) {
            g->res->active++;
            (*ids)[(*n_ids)++] = out.id;
        }
    }
    return 0;
}

/* ---- posts and hours ---------------------------------------------------------------------- */

static int gen_posts(struct gen *g, const struct place *community, const int64_t *vols,
                     size_t n_vols, int64_t *post_ids, int *n_posts)
{
    int n = rng_range(&g->rng, 2, 4), r;
    int used[N_ELEMS(post_defs)] = {0};
    int64_t off = (int64_t)volunteers_utc_offset(g->ctx) * MIN_MS;
    int64_t today = (g->end_ms + off) / DAY_MS * DAY_MS - off;
    *n_posts = 0;
    for (int i = 0; i < n; i++) {
        struct post_rec in, post;
        enum post_kind kind;
        int k = rng_below(&g->rng, (int)N_ELEMS(post_defs)), n_members, is_idle;
        if (used[k]++)
            continue;
        memset(&in, 0, sizeof(in));
        volunteer_post_kind_parse(post_defs[k].kind, &kind);
        snprintf(in.area_code, sizeof(in.area_code), "%s", community->code);
        snprintf(in.kind, sizeof(in.kind), "%s", post_defs[k].kind);
        snprintf(in.name, sizeof(in.name), "%.90s%s", community->name,
                 volunteer_post_kind_zh(kind));
        snprintf(in.duties, sizeof(in.duties), "%s", post_defs[k].duties);
        if ((r = posts_create(g->ctx, &g->admin, &in, g->end_ms - 120 * DAY_MS, &post, g->eb)) != 0)
            return r;
        g->res->posts++;
        post_ids[(*n_posts)++] = post.id;
        is_idle = rng_chance(&g->rng, 0.2);
        g->res->idle_posts += is_idle;
        n_members = n_vols < 2 ? (int)n_vols : rng_range(&g->rng, 2, n_vols < 5 ? (int)n_vols : 5);
        for (int m = 0; m < n_members; m++) {
            struct post_member pm, member;
            int64_t vid = vols[(size_t)rng_below(&g->rng, (int)n_vols)];
            memset(&pm, 0, sizeof(pm));
            snprintf(pm.member_kind, sizeof(pm.member_kind), "volunteer");
            pm.member_id = vid;
            snprintf(pm.duty, sizeof(pm.duty), "%s", m == 0 ? "岗长" : "岗员");
            r = posts_member_add(g->ctx, &g->admin, post.id, &pm, g->end_ms - 100 * DAY_MS, &member,
                                 g->eb);
            if (r == ERR_EXISTS) { /* drew the same volunteer twice */
                errbuf_clear(g->eb);
                continue;
            }
            if (r != 0)
                return r;
            g->res->members++;
            for (int d = 1; d <= 90; d++) {
                struct hours_rec h, stored;
                if ((is_idle && d <= 30) || !rng_chance(&g->rng, 1.0 / 7.0))
                    continue;
                memset(&h, 0, sizeof(h));
                h.member_id = member.id;
                h.day_ms = today - d * DAY_MS;
                h.minutes = 30 * (int64_t)rng_range(&g->rng, 2, 8);
                snprintf(h.note, sizeof(h.note), "%s",
                         post_defs[k].kind[0] == 'd' ? "接待调解" : "值守");
                if ((r = posts_log_hours(g->ctx, &g->admin, post.id, &h, g->end_ms, &stored,
                                         g->eb)) != 0)
                    return r;
                g->res->hours_entries++;
                g->res->hours_minutes += h.minutes;
            }
        }
    }
    return 0;
}

/* ---- needs -------------------------------------------------------------------------------- */

static int gen_needs(struct gen *g, const struct place *community, size_t c0, size_t nc,
                     const int64_t *post_ids, int n_posts)
{
    int n = rng_range(&g->rng, 4, 6), r;
    int used[N_ELEMS(need_defs)] = {0};
    int64_t off = (int64_t)volunteers_utc_offset(g->ctx) * MIN_MS;
    int64_t today = (g->end_ms + off) / DAY_MS * DAY_MS - off;
    static const int start_minutes[] = {9 * 60, 14 * 60 + 30, 19 * 60};
    for (int i = 0; i < n; i++) {
        struct need_rec in, need;
        struct need_matches m;
        int total = 0, x, k = 0;
        for (size_t j = 0; j < N_ELEMS(need_defs); j++)
            total += need_defs[j].weight;
        x = rng_below(&g->rng, total);
        while (x >= need_defs[k].weight)
            x -= need_defs[k++].weight;
        if (used[k]++)
            continue;
        memset(&in, 0, sizeof(in));
        if (n_posts > 0 && rng_chance(&g->rng, 0.25)) {
            snprintf(in.source, sizeof(in.source), "post");
            in.source_id = post_ids[rng_below(&g->rng, n_posts)];
        } else {
            snprintf(in.source, sizeof(in.source), "service");
        }
        snprintf(in.title, sizeof(in.title), "%s", need_defs[k].title);
        snprintf(in.skills, sizeof(in.skills), "%s", need_defs[k].skills);
        if (nc > 0) {
            const struct place *cell = &g->cells.items[c0 + (size_t)rng_below(&g->rng, (int)nc)];
            in.has_point = 1;
            point_in(g, cell, &in.lon, &in.lat);
            snprintf(in.area_code, sizeof(in.area_code), "%s", cell->code);
        } else {
            snprintf(in.area_code, sizeof(in.area_code), "%s", community->code);
        }
        /* on a weekend morning or afternoon, or a weekday evening: when volunteers are free */
        in.starts_ms = today + rng_range(&g->rng, 1, 14) * DAY_MS;
        in.starts_ms +=
            (volunteer_slot_of(in.starts_ms, (int)(off / MIN_MS)) / VOL_SLOTS_PER_DAY >= 5
                 ? start_minutes[rng_below(&g->rng, 2)]
                 : start_minutes[2]) *
            MIN_MS;
        in.duration_min = 60 * (int64_t)rng_range(&g->rng, 2, 3);
        in.wanted = need_defs[k].wanted;
        in.radius_m = 8000;
        if ((r = needs_create(g->ctx, &g->admin, &in, g->end_ms, &need, g->eb)) != 0)
            return r;
        g->res->needs++;
        if ((r = needs_matches(g->ctx, &g->admin, need.id, 10, g->end_ms, &m, g->eb)) != 0)
            return r;
        if (m.n == 0)
            g->res->needs_unmatched++;
        /* the organiser asks the best matches in order; one in five slots finds nobody yet */
        for (size_t j = 0; j < m.n && need.assigned < need.wanted; j++) {
            if (!rng_chance(&g->rng, 0.8))
                continue;
            if ((r = needs_assign(g->ctx, &g->admin, need.id, m.items[j].v.id, g->end_ms, &need,
                                  g->eb)) != 0) {
                need_matches_cleanup(&m);
                return r;
            }
            g->res->assignments++;
        }
        need_matches_cleanup(&m);
        g->res->needs_filled += need.assigned >= need.wanted;
    }
    return 0;
}

/* ---- chiefs -------------------------------------------------------------------------------- */

static int chief_user(struct gen *g, const char *area, struct user *out)
{
    int r;
    memset(out, 0, sizeof(*out));
    snprintf(out->username, sizeof(out->username), "chief_%s", area + 6);
    snprintf(out->display_name, sizeof(out->display_name), "chief %s", area + 6);
    snprintf(out->role, sizeof(out->role), "chief");
    snprintf(out->area_code, sizeof(out->area_code), "%s", area);
    snprintf(out->password_hash, sizeof(out->password_hash), "%s", g->staff.password_hash);
    out->created_ms = g->end_ms - 150 * DAY_MS;
    if ((r = store_user_insert(g->ctx->st, out)) != 0)
        return errbuf_set(g->eb, r, "cannot add user %s", out->username);
    return 0;
}

static int one_chief(struct gen *g, const char *kind, const struct place *cell)
{
    struct chief_rec in, c;
    struct user u;
    struct principal p;
    int r, n_relays;
    if ((r = chief_user(g, cell->code, &u)) != 0)
        return r;
    memset(&in, 0, sizeof(in));
    snprintf(in.kind, sizeof(in.kind), "%s", kind);
    snprintf(in.area_code, sizeof(in.area_code), "%s", cell->code);
    person_name(g, in.name, sizeof(in.name));
    in.user_id = u.id;
    if ((r = chiefs_create(g->ctx, &g->admin, &in, g->end_ms - 140 * DAY_MS, &c, g->eb)) != 0)
        return r;
    g->res->chiefs++;
    if (!rng_chance(&g->rng, 1.0 / 3.0))
        return 0;
    memset(&p, 0, sizeof(p));
    p.user_id = u.id;
    p.role = ROLE_CHIEF;
    snprintf(p.scope, sizeof(p.scope), "%s", u.area_code);
    n_relays = rng_range(&g->rng, 1, 2);
    for (int i = 0; i < n_relays; i++) {
        struct case_report rep;
        struct case_rec out;
        int k = rng_below(&g->rng, (int)N_ELEMS(relays));
        memset(&rep, 0, sizeof(rep));
        rep.channel = "building_chief";
        rep.category = relays[k].category;
        rep.description = relays[k].description;
        rep.reporter_name = c.name;
        rep.has_point = 1;
        point_in(g, cell, &rep.lon, &rep.lat);
        rep.chief_id = c.id;
        rep.now_ms = g->end_ms - rng_range(&g->rng, 2, 7 * 24) * HOUR_MS;
        if ((r = cases_report(g->ctx, &p, &rep, &out, NULL, g->eb)) != 0)
            return r;
        case_rec_cleanup(&out);
        g->res->relayed_cases++;
        if (g->res->chief_login[0] == '\0')
            snprintf(g->res->chief_login, sizeof(g->res->chief_login), "%s", u.username);
    }
    return 0;
}

static int gen_chiefs(struct gen *g)
{
    int r;
    for (size_t i = 0; i < g->grids.n; i++) {
        size_t c0, nc;
        int a, b;
        places_under(&g->cells, g->grids.items[i].code, &c0, &nc);
        if (nc == 0)
            continue;
        a = rng_below(&g->rng, (int)nc);
        if ((r = one_chief(g, "building", &g->cells.items[c0 + (size_t)a])) != 0)
            return r;
        if (nc < 2)
            continue;
        b = (a + 1 + rng_below(&g->rng, (int)nc - 1)) % (int)nc;
        if ((r = one_chief(g, "lane", &g->cells.items[c0 + (size_t)b])) != 0)
            return r;
    }
    /* a street chief per street, for the main street's grid (its first) */
    for (size_t i = 0; i < g->streets.n; i++) {
        size_t g0, ng;
        places_under(&g->grids, g->streets.items[i].code, &g0, &ng);
        if (ng > 0 && (r = one_chief(g, "street", &g->grids.items[g0])) != 0)
            return r;
    }
    return 0;
}

static int any_volunteer(void *arg, const struct volunteer_rec *v)
{
    (void)v;
    *(int *)arg = 1;
    return 1;
}

int demo_volunteers_generate(struct service_ctx *ctx, const struct demo_volunteers_options *opt,
                             struct demo_volunteers_result *out, struct errbuf *eb)
{
    struct demo_volunteers_result res;
    struct volunteer_filter f;
    struct user admin;
    struct gen g;
    int any = 0, r;
    int64_t t0 = time_mono_ms();

    memset(out, 0, sizeof(*out));
    memset(&res, 0, sizeof(res));
    memset(&g, 0, sizeof(g));
    memset(&f, 0, sizeof(f));
    f.area = "";
    f.limit = 1;
    r = store_volunteer_list(ctx->st, &f, any_volunteer, &any);
    if (r != 0 && r != 1)
        return r;
    if (any)
        return errbuf_set(eb, ERR_EXISTS, "the database already holds volunteers");
    if ((r = store_user_get_by_name(ctx->st, "admin", &admin)) != 0 ||
        (r = store_user_get_by_name(ctx->st, "community_staff", &g.staff)) != 0)
        return errbuf_set(eb, r,
                          "the demo users admin and community_staff are needed: generate the "
                          "city first");
    g.ctx = ctx;
    g.res = &res;
    g.eb = eb;
    g.end_ms = opt->end_ms;
    g.admin.user_id = admin.id;
    g.admin.role = ROLE_ADMIN;
    snprintf(g.admin.scope, sizeof(g.admin.scope), "%s", admin.area_code);
    rng_seed(&g.rng, opt->seed, 0x766f6c756e74ULL); /* "volunt" */

    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_area_walk(ctx->st, admin.area_code, AREA_CELL, 0, collect_area, &g)) != 0)
        goto fail;
    qsort(g.streets.items, g.streets.n, sizeof(struct place), by_code);
    qsort(g.communities.items, g.communities.n, sizeof(struct place), by_code);
    qsort(g.grids.items, g.grids.n, sizeof(struct place), by_code);
    qsort(g.cells.items, g.cells.n, sizeof(struct place), by_code);
    for (size_t i = 0; i < g.communities.n; i++) {
        const struct place *community = &g.communities.items[i];
        int64_t *vols = NULL, post_ids[N_ELEMS(post_defs)];
        size_t c0, nc, n_vols = 0;
        int n_posts = 0;
        places_under(&g.cells, community->code, &c0, &nc);
        r = gen_volunteers(&g, community, c0, nc, &vols, &n_vols);
        if (r == 0)
            r = gen_posts(&g, community, vols, n_vols, post_ids, &n_posts);
        free(vols);
        if (r == 0)
            r = gen_needs(&g, community, c0, nc, post_ids, n_posts);
        if (r != 0)
            goto fail;
    }
    if ((r = gen_chiefs(&g)) != 0)
        goto fail;
    if ((r = store_outbox_mark_all_delivered(ctx->st, g.end_ms)) != 0 ||
        (r = store_commit(ctx->st)) != 0)
        goto fail;
    res.elapsed_ms = time_mono_ms() - t0;
    *out = res;
    r = 0;
    goto done;
fail:
    store_rollback(ctx->st);
done:
    free(g.streets.items);
    free(g.communities.items);
    free(g.grids.items);
    free(g.cells.items);
    return r;
}
