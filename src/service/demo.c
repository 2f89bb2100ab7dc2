/*
 * demo.c - the demo-city generator (see demo.h).
 *
 * Two passes. The plan pass builds the whole area tree in memory as an array of demo_node in
 * pre-order (a parent always comes before its children, and codes ascend). Rectangles are
 * cut recursively into uneven columns, each column into uneven rows, in integer
 * micro-degrees: the 6-decimal coordinates written out are then exact, so siblings tile their
 * parent with no rounding gap or overlap, and the bbox doubles equal what a parser reads back
 * from the polygon. The insert pass, inside one transaction, writes the areas, the users,
 * then walks the cells writing their households and persons through one reused struct
 * household and struct person (no allocation per row), and finally recounts.
 *
 * Randomness: xoshiro256** seeded by splitmix64 from opt->seed, one stream for the tree and
 * one for the population (so changing how people are drawn does not move the map). Only
 * integer arithmetic, + - * / and sqrt are used on the random numbers, which IEEE 754 rounds
 * exactly, so a seed gives the same bytes on every machine and libm. The only other
 * randomness is the generated password (libsodium).
 *
 * Called by `gridgov demo` on its own store connection; single-threaded, no global state.
 */
#include "service/demo.h"

#include "domain/idcard.h"

#include "service/basedata.h"

#include "base/keyset.h"
#include "base/log.h"
#include "base/progress.h"
#include "base/rng.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/access.h"
#include "domain/areacode.h"
#include "service/auth.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* Most children any area gets (狮山镇 has 70 communities; a grid at most 14 cells). */
#define DEMO_MAX_CHILDREN 128
#define DEMO_PASSWORD_LEN 12
#define DEMO_NAME_MAX     48

/* ---- random numbers: base/rng.h ---- */

/* Index drawn from integer weights w[0..n-1] that sum to total. */
static int rng_weighted(struct rng *r, const int *w, int n, int total)
{
    int x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

static int weights_total(const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    return total;
}

/* ---- tables ---------------------------------------------------------------------------- */

/* The district rectangle in micro-degrees: centred near 113.14 E 23.03 N, 0.35 x 0.30 deg. */
static const int64_t district_x0 = 112965000, district_y0 = 22880000;
static const int64_t district_x1 = 113315000, district_y1 = 23180000;

/* Nanhai's streets and towns with their statistical codes (街道 001-099, 镇 100-199) and how
 * many communities/villages each gets at city scale (290 in all). */
static const struct street_row {
    const char *code;
    const char *name;
    int communities;
    int is_town;
} street_rows[] = {
    {"011", "桂城街道", 48, 0}, {"121", "九江镇", 30, 1}, {"122", "西樵镇", 38, 1},
    {"123", "丹灶镇", 27, 1},   {"124", "狮山镇", 70, 1}, {"125", "大沥镇", 45, 1},
    {"126", "里水镇", 32, 1},
};

static const struct scale_row {
    const char *name;
    int streets;                        /* the first this many rows of street_rows */
    int communities;                    /* per street; 0: the street table's number */
    int grids_min, grids_max;           /* per community */
    int households_min, households_max; /* per grid */
} scale_rows[] = {
    {"small", 3, 4, 4, 6, 250, 350},
    {"city", 7, 0, 5, 9, 250, 350},
};

/* Community and village names are two syllables from Nanhai-sounding place names. */
static const char *const place_first[] = {
    "平", "夏", "叠", "江", "泌", "沙", "南", "北", "东", "西", "大", "小", "新", "石",
    "横", "岗", "林", "华", "桂", "联", "金", "龙", "凤", "鹤", "松", "河", "塘", "永",
    "和", "三", "良", "显", "罗", "官", "太", "崇", "海", "颜", "黎", "麻",
};
static const char *const place_second[] = {
    "洲", "北", "滘", "滩", "岗", "边", "头", "涌", "塘", "基", "园", "坑", "坊", "围", "沙",
    "岭", "冲", "桥", "心", "湖", "田", "海", "溪", "浦", "岸", "城", "安", "丰", "龙", "西",
};

static const char *const road_roots[] = {
    "振兴", "文华", "海八", "桂澜", "南桂", "佛平", "宝石", "天佑", "东平", "石龙",
    "广佛", "华翠", "锦园", "建设", "和顺", "新风", "雅瑶", "桂丹", "兴业", "创业",
    "民乐", "复兴", "永安", "沿江", "滨河", "朝阳", "科技", "环湖", "荔湾", "金融",
};
static const char *const road_suffixes[] = {"路",   "大道", "街",   "东路",
                                            "西路", "南路", "北路", "大街"};
static const int road_suffix_w[] = {40, 6, 14, 8, 8, 8, 8, 8};

enum cell_style { CELL_BUILDING, CELL_TOWER, CELL_LANE };

/* Household kinds (the four kinds of 户联系), with their share in per mille. */
enum hh_kind { HH_REGISTERED, HH_NON_REGISTERED, HH_BUSINESS, HH_SOCIAL_ORG, HH_KIND_COUNT };
static const char *const hh_kind_names[HH_KIND_COUNT] = {
    "registered_family", "non_registered_family", "business", "social_org"};
static const int hh_kind_w[HH_KIND_COUNT] = {570, 380, 40, 10};

/* Persons per household (1..5) by kind. */
static const int size_w[HH_KIND_COUNT][5] = {
    {14, 26, 28, 19, 13}, {30, 30, 22, 12, 6}, {60, 30, 10, 0, 0}, {70, 30, 0, 0, 0}};

/* Age of the head of household: buckets [lo, hi] with weights, by kind. */
struct age_bucket {
    int lo, hi, w;
};
static const struct age_bucket head_age_registered[] = {
    {22, 29, 8}, {30, 39, 17}, {40, 49, 20}, {50, 59, 20}, {60, 69, 17}, {70, 79, 11}, {80, 92, 4},
};
static const struct age_bucket head_age_migrant[] = {
    {18, 24, 12}, {25, 29, 20}, {30, 39, 34}, {40, 49, 21}, {50, 59, 10}, {60, 70, 3},
};
static const struct age_bucket head_age_business[] = {
    {22, 29, 15},
    {30, 39, 35},
    {40, 49, 30},
    {50, 62, 20},
};
static const struct age_bucket head_age_org[] = {
    {25, 65, 1},
};

/* Surnames with weights among local (Guangdong) and migrant residents. */
static const struct surname_row {
    const char *name;
    int w_local, w_migrant;
} surnames[] = {
    {"陈", 110, 45}, {"李", 75, 75}, {"黄", 70, 25}, {"梁", 50, 8},  {"张", 40, 70}, {"林", 38, 15},
    {"刘", 38, 65},  {"吴", 34, 20}, {"何", 34, 12}, {"罗", 30, 15}, {"王", 28, 80}, {"杨", 24, 45},
    {"周", 20, 25},  {"郑", 20, 12}, {"谢", 18, 12}, {"冯", 18, 10}, {"邓", 18, 15}, {"曾", 16, 12},
    {"叶", 16, 8},   {"钟", 15, 8},  {"麦", 12, 1},  {"潘", 12, 8},  {"卢", 12, 8},  {"谭", 12, 10},
    {"朱", 12, 15},  {"关", 10, 3},  {"苏", 10, 6},  {"余", 10, 8},  {"蔡", 10, 8},  {"胡", 10, 18},
    {"徐", 10, 18},  {"区", 8, 0},   {"莫", 8, 5},   {"赵", 8, 25},  {"彭", 8, 12},  {"孙", 6, 20},
    {"马", 6, 15},   {"高", 6, 15},  {"伍", 6, 2},   {"郭", 6, 15},  {"庞", 5, 2},   {"岑", 4, 1},
    {"邝", 4, 0},    {"霍", 4, 1},   {"简", 3, 1},   {"欧阳", 3, 2}, {"司徒", 2, 0}, {"唐", 6, 15},
    {"廖", 8, 10},   {"邹", 5, 10},
};

/* Given-name characters by sex and era of birth (before 1970, 1970-1999, from 2000). */
static const char *const given_names[2][3][20] = {
    {
        {"国", "建", "志", "永", "德", "福", "明", "华", "荣", "伟",
         "军", "强", "金", "树", "炳", "汉", "基", "添", "锡", "耀"},
        {"伟", "俊", "杰", "浩", "文", "斌", "涛", "鹏", "健", "峰",
         "辉", "锦", "家", "志", "明", "勇", "军", "东", "海", "振"},
        {"子", "梓", "浩", "宇", "轩", "睿", "博", "俊", "晨", "一",
         "铭", "泽", "航", "宏", "楷", "乐", "煜", "熙", "骏", "皓"},
    },
    {
        {"秀", "英", "兰", "凤", "珍", "桂", "玉", "梅", "芬", "娟",
         "群", "好", "妹", "彩", "嫦", "娇", "银", "月", "卿", "娣"},
        {"丽", "敏", "静", "婷", "燕", "玲", "霞", "红", "慧", "颖",
         "艳", "洁", "雪", "琳", "芳", "晓", "娜", "倩", "嘉", "欣"},
        {"子", "梓", "涵", "欣", "怡", "诗", "雨", "思", "嘉", "晴",
         "可", "萱", "琪", "妍", "悦", "彤", "诺", "玥", "芯", "婉"},
    },
};

enum relation { REL_HEAD, REL_SPOUSE, REL_CHILD, REL_PARENT, REL_OTHER };
static const char *const relation_names[] = {"户主", "配偶", "子女", "父母", "其他"};

enum tag {
    TAG_ELDERLY_ALONE = 1 << 0,
    TAG_DISABLED = 1 << 1,
    TAG_LEFT_BEHIND_CHILD = 1 << 2,
    TAG_VETERAN = 1 << 3,
    TAG_COMMUNITY_CORRECTION = 1 << 4,
    TAG_LOW_INCOME = 1 << 5,
};
static const char *const tag_names[] = {"elderly_alone",        "disabled",
                                        "left_behind_child",    "veteran",
                                        "community_correction", "low_income"};

/* The demo users: one per role, username = role name, scoped as a real deployment would. */
enum user_scope { SCOPE_DISTRICT, SCOPE_STREET, SCOPE_COMMUNITY, SCOPE_GRID };
static const struct demo_user_row {
    const char *role;
    enum user_scope scope;
    const char *department;
} demo_users[] = {
    {"resident", SCOPE_COMMUNITY, NULL},
    {"grid_worker", SCOPE_GRID, NULL},
    {"community_staff", SCOPE_COMMUNITY, NULL},
    {"station_cadre", SCOPE_STREET, NULL},
    {"dispatcher", SCOPE_DISTRICT, NULL},
    {"department_handler", SCOPE_DISTRICT, "urban_management"},
    {"mediator", SCOPE_COMMUNITY, NULL},
    {"council_member", SCOPE_COMMUNITY, NULL},
    {"volunteer", SCOPE_COMMUNITY, NULL},
    {"leader", SCOPE_DISTRICT, NULL},
    {"admin", SCOPE_DISTRICT, NULL},
};

_Static_assert(N_ELEMS(demo_users) <= DEMO_USERS_MAX, "demo_result.users too small");
_Static_assert(N_ELEMS(tag_names) == 6, "tag table");

/* ---- the plan: the area tree in memory ------------------------------------------------- */

struct rect {
    int64_t x0, y0, x1, y1; /* micro-degrees */
};

struct demo_node {
    char code[AREA_CODE_BUF];
    char name[DEMO_NAME_MAX];
    int level;
    int parent; /* index in the plan; -1 for the province */
    struct rect box;
    int is_village; /* communities and below: a 村 rather than a 社区 */
    /* communities only */
    int roads[3]; /* road_roots index * 8 + road_suffixes index */
    /* cells only */
    int households;
    enum cell_style style;
    int road;
    int house_no;
    int rooms_per_floor;
};

struct plan {
    struct demo_node *nodes; /* owned, pre-order */
    size_t len, cap;
    int64_t households;
    unsigned char used_names[N_ELEMS(place_first)][N_ELEMS(place_second)];
};

static void plan_cleanup(struct plan *p)
{
    free(p->nodes);
    p->nodes = NULL;
    p->len = p->cap = 0;
}

/* Append a node; returns its index (pointers into nodes do not survive this call). */
static int plan_add(struct plan *p, int parent, int level, const struct rect *box)
{
    struct demo_node *n;
    if (p->len == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 1024;
        p->nodes = xreallocarray(p->nodes, p->cap, sizeof(*p->nodes));
    }
    n = &p->nodes[p->len];
    memset(n, 0, sizeof(*n));
    n->parent = parent;
    n->level = level;
    n->box = *box;
    if (parent >= 0)
        n->is_village = p->nodes[parent].is_village;
    return (int)p->len++;
}

/* Child code: the parent's code and number as digits (3 digits below a district). */
static void child_code(char *out, const char *parent, int level, int number)
{
    size_t plen = strlen(parent), len = areacode_length(level);
    /* parent and out may both point into the plan's array */
    memmove(out, parent, plen);
    for (size_t i = len; i > plen; i--) {
        out[i - 1] = (char)('0' + number % 10);
        number /= 10;
    }
    out[len] = '\0';
}

/* Cut [a, b] into n pieces proportional to w: edges[0] = a ... edges[n] = b. */
static int cut_axis(int64_t a, int64_t b, const double *w, int n, int64_t *edges)
{
    double total = 0, acc = 0;
    for (int i = 0; i < n; i++)
        total += w[i];
    edges[0] = a;
    for (int i = 1; i < n; i++) {
        acc += w[i - 1];
        edges[i] = a + llround((double)(b - a) * acc / total);
    }
    edges[n] = b;
    for (int i = 0; i < n; i++)
        if (edges[i + 1] <= edges[i])
            return ERR_INTERNAL;
    return 0;
}

/*
 * Tile parent with n rectangles: uneven columns (about square pieces on the ground, where a
 * degree of longitude is 0.92 of one of latitude), each cut into uneven rows. Children are
 * ordered west to east, south to north.
 */
static int split_rect(struct rng *r, const struct rect *parent, int n, struct rect *out)
{
    int counts[DEMO_MAX_CHILDREN];
    double w[DEMO_MAX_CHILDREN];
    int64_t xe[DEMO_MAX_CHILDREN + 1], ye[DEMO_MAX_CHILDREN + 1];
    double aspect = (double)(parent->x1 - parent->x0) * 0.92 / (double)(parent->y1 - parent->y0);
    double ideal;
    int kx, base, k = 0, r2;

    if (n < 1 || n > DEMO_MAX_CHILDREN)
        return ERR_INTERNAL;
    /* the ideal column count, rounded up or down at random (in proportion) for variety */
    ideal = sqrt((double)n * aspect);
    kx = (int)ideal;
    if (rng_unit(r) < ideal - kx)
        kx++;
    kx = kx < 1 ? 1 : kx > n ? n : kx;
    base = n / kx;
    for (int c = 0; c < kx; c++)
        counts[c] = base;
    for (int i = 0; i < n % kx; i++) {
        int c;
        do
            c = rng_below(r, kx);
        while (counts[c] != base);
        counts[c]++;
    }
    for (int c = 0; c < kx; c++)
        w[c] = counts[c] * (0.75 + 0.5 * rng_unit(r));
    if ((r2 = cut_axis(parent->x0, parent->x1, w, kx, xe)) != 0)
        return r2;
    for (int c = 0; c < kx; c++) {
        for (int i = 0; i < counts[c]; i++)
            w[i] = 0.6 + 0.8 * rng_unit(r);
        if ((r2 = cut_axis(parent->y0, parent->y1, w, counts[c], ye)) != 0)
            return r2;
        for (int i = 0; i < counts[c]; i++) {
            out[k].x0 = xe[c];
            out[k].x1 = xe[c + 1];
            out[k].y0 = ye[i];
            out[k].y1 = ye[i + 1];
            k++;
        }
    }
    return 0;
}

/* A fresh two-syllable place name, unique in the district. */
static void place_name(struct plan *p, struct rng *r, char *out, size_t size)
{
    int a, b;
    do {
        a = rng_below(r, (int)N_ELEMS(place_first));
        b = rng_below(r, (int)N_ELEMS(place_second));
    } while (p->used_names[a][b] || strcmp(place_first[a], place_second[b]) == 0);
    p->used_names[a][b] = 1;
    snprintf(out, size, "%s%s", place_first[a], place_second[b]);
}

static int random_road(struct rng *r)
{
    int root = rng_below(r, (int)N_ELEMS(road_roots));
    int suffix = rng_weighted(r, road_suffix_w, (int)N_ELEMS(road_suffix_w),
                              weights_total(road_suffix_w, (int)N_ELEMS(road_suffix_w)));
    return root * 8 + suffix;
}

/* Plan the cells of grid gi: 25-40 households each, named as buildings, towers or lanes. */
static int plan_cells(struct plan *p, struct rng *r, const struct scale_row *sc, int gi)
{
    struct rect boxes[DEMO_MAX_CHILDREN];
    int households = rng_range(r, sc->households_min, sc->households_max);
    int n = (int)llround(households / 32.5);
    int lo = (households + 39) / 40, hi = households / 25;
    int counts[DEMO_MAX_CHILDREN];
    int comm = p->nodes[gi].parent;
    enum cell_style style;
    int first_no, rr, road = 0, house_no = 0;

    n = n < lo ? lo : n > hi ? hi : n;
    if (n > 26)
        return ERR_INTERNAL;
    for (int i = 0; i < n; i++)
        counts[i] = 25;
    for (int left = households - 25 * n; left > 0;) {
        int i = rng_below(r, n);
        if (counts[i] < 40) {
            counts[i]++;
            left--;
        }
    }
    style = p->nodes[gi].is_village ? CELL_LANE : rng_chance(r, 0.75) ? CELL_BUILDING : CELL_TOWER;
    first_no = rng_range(r, 1, 12);
    if ((rr = split_rect(r, &p->nodes[gi].box, n, boxes)) != 0)
        return rr;
    for (int i = 0; i < n; i++) {
        int ci = plan_add(p, gi, AREA_CELL, &boxes[i]);
        struct demo_node *c = &p->nodes[ci];
        child_code(c->code, p->nodes[gi].code, AREA_CELL, i + 1);
        c->style = style;
        c->households = counts[i];
        if (style == CELL_BUILDING)
            snprintf(c->name, sizeof(c->name), "%d栋", first_no + i);
        else if (style == CELL_TOWER)
            snprintf(c->name, sizeof(c->name), "%c座", 'A' + i);
        else
            snprintf(c->name, sizeof(c->name), "%d巷", first_no + i);
        /* A residential estate (小区) has one street address; a grid holds one or two. */
        if (i == 0 || rng_chance(r, 0.15)) {
            road = p->nodes[comm].roads[rng_below(r, 3)];
            house_no = rng_range(r, 1, 60) * 2;
        }
        c->road = road;
        c->house_no = house_no;
        c->rooms_per_floor = rng_range(r, 2, 4);
        p->households += counts[i];
    }
    return 0;
}

static int plan_community(struct plan *p, struct rng *r, const struct scale_row *sc, int ci)
{
    struct rect boxes[DEMO_MAX_CHILDREN];
    int n = rng_range(r, sc->grids_min, sc->grids_max);
    int rr;

    for (int i = 0; i < 3; i++)
        p->nodes[ci].roads[i] = random_road(r);
    if ((rr = split_rect(r, &p->nodes[ci].box, n, boxes)) != 0)
        return rr;
    for (int i = 0; i < n; i++) {
        int gi = plan_add(p, ci, AREA_GRID, &boxes[i]);
        child_code(p->nodes[gi].code, p->nodes[ci].code, AREA_GRID, i + 1);
        snprintf(p->nodes[gi].name, sizeof(p->nodes[gi].name), "第%d网格", i + 1);
        if ((rr = plan_cells(p, r, sc, gi)) != 0)
            return rr;
    }
    return 0;
}

static int plan_street(struct plan *p, struct rng *r, const struct scale_row *sc,
                       const struct street_row *row, int si)
{
    struct rect boxes[DEMO_MAX_CHILDREN];
    int n = sc->communities ? sc->communities : row->communities;
    int villages = 0, rr;

    /* Streets (街道) are urban: all 社区. Towns (镇) are about half villages (村). */
    if (row->is_town)
        villages = n < 8 ? rng_range(r, 1, n - 1) : n * rng_range(r, 40, 65) / 100;
    if ((rr = split_rect(r, &p->nodes[si].box, n, boxes)) != 0)
        return rr;
    for (int i = 0; i < n; i++) {
        int is_village = i >= n - villages;
        int number = is_village ? 201 + (i - (n - villages)) : 1 + i;
        int ci = plan_add(p, si, AREA_COMMUNITY, &boxes[i]);
        char place[16];
        struct demo_node *c = &p->nodes[ci];
        c->is_village = is_village;
        child_code(c->code, p->nodes[si].code, AREA_COMMUNITY, number);
        place_name(p, r, place, sizeof(place));
        snprintf(c->name, sizeof(c->name), "%s%s", place, is_village ? "村" : "社区");
        if ((rr = plan_community(p, r, sc, ci)) != 0)
            return rr;
    }
    return 0;
}

static int plan_build(struct plan *p, const struct scale_row *sc, struct rng *r)
{
    struct rect district = {district_x0, district_y0, district_x1, district_y1};
    struct rect boxes[DEMO_MAX_CHILDREN];
    /* The demo has one district, so the province and the city are exactly its rectangle
     * (children tile their parent at every level). */
    static const struct {
        const char *code, *name;
    } top[] = {{"44", "广东省"}, {"4406", "佛山市"}, {"440605", "南海区"}};
    int rr, di = -1;

    for (int i = 0; i < (int)N_ELEMS(top); i++) {
        di = plan_add(p, i - 1, AREA_PROVINCE + i, &district);
        snprintf(p->nodes[di].code, AREA_CODE_BUF, "%s", top[i].code);
        snprintf(p->nodes[di].name, DEMO_NAME_MAX, "%s", top[i].name);
    }
    if ((rr = split_rect(r, &district, sc->streets, boxes)) != 0)
        return rr;
    for (int i = 0; i < sc->streets; i++) {
        const struct street_row *row = &street_rows[i];
        int si = plan_add(p, di, AREA_STREET, &boxes[i]);
        child_code(p->nodes[si].code, p->nodes[di].code, AREA_STREET, atoi(row->code));
        snprintf(p->nodes[si].name, DEMO_NAME_MAX, "%s", row->name);
        if ((rr = plan_street(p, r, sc, row, si)) != 0)
            return rr;
    }
    return 0;
}

/* ---- writing areas --------------------------------------------------------------------- */

/* Append micro-degrees v as a decimal with exactly 6 places. */
static size_t put_micro(char *out, size_t size, int64_t v)
{
    int64_t a = v < 0 ? -v : v;
    int n = snprintf(out, size, "%s%lld.%06lld", v < 0 ? "-" : "", (long long)(a / 1000000),
                     (long long)(a % 1000000));
    return n < 0 ? 0 : (size_t)n;
}

/* The rectangle as a GeoJSON Polygon, exterior ring counter-clockwise and closed. */
static int rect_geojson(const struct rect *b, char *out, size_t size)
{
    const int64_t ring[5][2] = {
        {b->x0, b->y0}, {b->x1, b->y0}, {b->x1, b->y1}, {b->x0, b->y1}, {b->x0, b->y0}};
    static const char head[] = "{\"type\":\"Polygon\",\"coordinates\":[[";
    size_t len = sizeof(head) - 1;

    if (size < 256)
        return ERR_INTERNAL;
    memcpy(out, head, len);
    for (int i = 0; i < 5; i++) {
        out[len++] = i ? ',' : '[';
        if (i)
            out[len++] = '[';
        len += put_micro(out + len, size - len, ring[i][0]);
        out[len++] = ',';
        len += put_micro(out + len, size - len, ring[i][1]);
        out[len++] = ']';
    }
    if (len + 5 > size)
        return ERR_INTERNAL;
    memcpy(out + len, "]]}", 4);
    return 0;
}

static int insert_areas(struct store *st, const struct plan *p, struct errbuf *eb)
{
    char geometry[512];
    struct area a;
    int r;

    for (size_t i = 0; i < p->len; i++) {
        const struct demo_node *n = &p->nodes[i];
        memset(&a, 0, sizeof(a));
        snprintf(a.code, sizeof(a.code), "%s", n->code);
        snprintf(a.name, sizeof(a.name), "%s", n->name);
        a.level = n->level;
        a.minx = (double)n->box.x0 / 1e6;
        a.miny = (double)n->box.y0 / 1e6;
        a.maxx = (double)n->box.x1 / 1e6;
        a.maxy = (double)n->box.y1 / 1e6;
        if ((r = rect_geojson(&n->box, geometry, sizeof(geometry))) != 0)
            return errbuf_set(eb, r, "cannot format the polygon of area %s", n->code);
        a.geometry = geometry;
        if ((r = store_area_put(st, &a)) != 0)
            return errbuf_set(eb, r, "cannot insert area %s", n->code);
    }
    return 0;
}

/* ---- users ----------------------------------------------------------------------------- */

/* A password of len characters from an alphabet without look-alikes (0 O o 1 l I). */
static void make_password(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    const unsigned n = sizeof(alphabet) - 1;
    const unsigned limit = 256 - 256 % n; /* reject bytes above it: no modulo bias */
    unsigned char bytes[64];
    size_t i = 0;

    while (i < len) {
        randombytes_buf(bytes, sizeof(bytes));
        for (size_t j = 0; j < sizeof(bytes) && i < len; j++)
            if (bytes[j] < limit)
                out[i++] = alphabet[bytes[j] % n];
    }
    out[len] = '\0';
    sodium_memzero(bytes, sizeof(bytes));
}

/* Index of the first node of a level (the plan is pre-order: the first street's first
 * community's first grid). */
static int first_of_level(const struct plan *p, int level)
{
    for (size_t i = 0; i < p->len; i++)
        if (p->nodes[i].level == level)
            return (int)i;
    return -1;
}

static int insert_users(struct store *st, const struct plan *p, const char *password,
                        struct demo_result *res, struct errbuf *eb)
{
    int scope_node[4];
    int r;

    scope_node[SCOPE_DISTRICT] = first_of_level(p, AREA_DISTRICT);
    scope_node[SCOPE_STREET] = first_of_level(p, AREA_STREET);
    scope_node[SCOPE_COMMUNITY] = first_of_level(p, AREA_COMMUNITY);
    scope_node[SCOPE_GRID] = first_of_level(p, AREA_GRID);
    for (int i = 0; i < 4; i++)
        if (scope_node[i] < 0)
            return errbuf_set(eb, ERR_INTERNAL, "demo plan lacks a level");

    for (size_t i = 0; i < N_ELEMS(demo_users); i++) {
        const struct demo_user_row *row = &demo_users[i];
        struct demo_user_info *info = &res->users[res->n_users];
        struct errbuf detail = {{0}};
        struct user_spec spec;
        enum role role;

        if (access_role_parse(row->role, &role) != 0)
            return errbuf_set(eb, ERR_INTERNAL, "demo role '%s' is unknown", row->role);
        memset(&spec, 0, sizeof(spec));
        spec.username = row->role;
        spec.display_name = access_role_name_zh(role);
        spec.password = password;
        spec.role = row->role;
        spec.area_code = p->nodes[scope_node[row->scope]].code;
        spec.department = row->department;
        if ((r = auth_user_add(st, &spec, NULL, &detail)) != 0)
            return errbuf_set(eb, r, "cannot create demo user '%s': %s", row->role,
                              errbuf_message(&detail, r));
        snprintf(info->username, sizeof(info->username), "%s", row->role);
        snprintf(info->role, sizeof(info->role), "%s", row->role);
        snprintf(info->area_code, sizeof(info->area_code), "%s", spec.area_code);
        res->n_users++;
    }
    return 0;
}

/* ---- households and persons ------------------------------------------------------------ */

struct member {
    int age;
    int is_female;
    enum relation relation;
    int surname;
    unsigned tags;
};

/* Precomputed weight totals for the population draws. */
struct people {
    struct rng *r;
    struct rng ids;               /* ID numbers and phones: their own stream */
    const struct secret_key *key; /* NULL: no personal data */
    /* While the persons table is bulk loaded (its indexes dropped, store_bd_bulk_begin), the
     * ID numbers drawn so far: the generic hash of each stored lookup hash. NULL otherwise
     * (the unique index refuses a repeated number). */
    struct keyset *drawn_ids;
    int surname_w[2][N_ELEMS(surnames)]; /* [0] local, [1] migrant */
    int surname_total[2];
    int kind_total;
    int size_total[HH_KIND_COUNT];
};

static void people_init(struct people *pp, struct rng *r)
{
    memset(pp, 0, sizeof(*pp));
    pp->r = r;
    for (size_t i = 0; i < N_ELEMS(surnames); i++) {
        pp->surname_w[0][i] = surnames[i].w_local;
        pp->surname_w[1][i] = surnames[i].w_migrant;
    }
    for (int k = 0; k < 2; k++)
        pp->surname_total[k] = weights_total(pp->surname_w[k], (int)N_ELEMS(surnames));
    pp->kind_total = weights_total(hh_kind_w, HH_KIND_COUNT);
    for (int k = 0; k < HH_KIND_COUNT; k++)
        pp->size_total[k] = weights_total(size_w[k], 5);
}

static int draw_age(struct rng *r, const struct age_bucket *b, int n)
{
    int total = 0, x;
    for (int i = 0; i < n; i++)
        total += b[i].w;
    x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < b[i].w)
            return rng_range(r, b[i].lo, b[i].hi);
        x -= b[i].w;
    }
    return b[n - 1].hi;
}

static int draw_surname(struct people *pp, int is_migrant)
{
    return rng_weighted(pp->r, pp->surname_w[is_migrant], (int)N_ELEMS(surnames),
                        pp->surname_total[is_migrant]);
}

static int clamp_age(int age)
{
    return age < 0 ? 0 : age > 99 ? 99 : age;
}

/*
 * Draw the members of one household: the head, maybe a spouse, then children, parents or
 * others (grandchildren, relatives, room-mates) with ages that fit the head's. Returns how
 * many (1..5) were written into m.
 */
static int draw_members(struct people *pp, enum hh_kind kind, struct member *m)
{
    struct rng *r = pp->r;
    int n = 1 + rng_weighted(r, size_w[kind], 5, pp->size_total[kind]);
    int is_migrant = kind == HH_NON_REGISTERED || (kind != HH_REGISTERED && rng_chance(r, 0.5));
    int has_spouse = 0, last_child = -1, family_surname, n_parents = 0, first_parent = 0;
    struct member *head = &m[0];

    memset(m, 0, sizeof(*m) * 5);
    head->relation = REL_HEAD;
    head->surname = draw_surname(pp, is_migrant);
    switch (kind) {
    case HH_REGISTERED:
        head->age = draw_age(r, head_age_registered, (int)N_ELEMS(head_age_registered));
        head->is_female = rng_chance(r, 0.3);
        break;
    case HH_NON_REGISTERED:
        head->age = draw_age(r, head_age_migrant, (int)N_ELEMS(head_age_migrant));
        head->is_female = rng_chance(r, 0.35);
        break;
    case HH_BUSINESS:
        head->age = draw_age(r, head_age_business, (int)N_ELEMS(head_age_business));
        head->is_female = rng_chance(r, 0.4);
        break;
    default:
        head->age = draw_age(r, head_age_org, (int)N_ELEMS(head_age_org));
        head->is_female = rng_chance(r, 0.5);
        break;
    }
    family_surname = head->surname;

    for (int i = 1; i < n; i++) {
        struct member *x = &m[i];
        int parent_age = head->age, grandchild;
        x->surname = draw_surname(pp, is_migrant);
        if (kind == HH_BUSINESS || kind == HH_SOCIAL_ORG) {
            /* partners and staff */
            x->relation = REL_OTHER;
            x->age = rng_range(r, 20, 60);
            x->is_female = rng_chance(r, 0.5);
            continue;
        }
        if (i == 1 && head->age >= 22 && rng_chance(r, kind == HH_REGISTERED ? 0.85 : 0.7)) {
            x->relation = REL_SPOUSE;
            x->is_female = !head->is_female;
            x->age =
                head->is_female ? head->age + rng_range(r, -2, 6) : head->age - rng_range(r, -2, 6);
            x->age = x->age < 20 ? 20 : clamp_age(x->age);
            if (!x->is_female)
                family_surname = x->surname;
            has_spouse = 1;
            continue;
        }
        if (has_spouse && m[1].age < parent_age)
            parent_age = m[1].age;
        if (head->age < 25 && !has_spouse) {
            /* young migrants share a flat */
            x->relation = REL_OTHER;
            x->age = rng_range(r, 18, 30);
            x->is_female = rng_chance(r, 0.45);
        } else if (head->age >= 58 && rng_chance(r, 0.35) &&
                   (grandchild = head->age - rng_range(r, 48, 62)) >= 0) {
            x->relation = REL_OTHER;
            x->age = grandchild;
            x->is_female = rng_chance(r, 0.48);
            x->surname = family_surname;
        } else {
            int age = last_child < 0 ? parent_age - rng_range(r, 23, 36)
                                     : last_child - rng_range(r, 1, 6);
            if (age >= 0 && rng_chance(r, 0.9)) {
                x->relation = REL_CHILD;
                x->age = age;
                x->is_female = rng_chance(r, 0.47);
                x->surname = family_surname;
                last_child = age;
            } else if (head->age <= 62 && n_parents < 2) {
                x->relation = REL_PARENT;
                x->age = head->age + rng_range(r, 22, 32);
                x->age = x->age > 95 ? 95 : x->age;
                /* widows outlive widowers; a second parent is the other one */
                x->is_female = n_parents ? !m[first_parent].is_female : rng_chance(r, 0.62);
                if (!x->is_female)
                    x->surname = head->surname;
                if (n_parents++ == 0)
                    first_parent = i;
            } else {
                x->relation = REL_OTHER;
                x->age = rng_range(r, 18, 60);
                x->is_female = rng_chance(r, 0.5);
            }
        }
    }
    return n;
}

/* Care and attention tags, a few percent of persons in all. */
static void draw_tags(struct rng *r, enum hh_kind kind, struct member *m, int n)
{
    int is_low_income = kind == HH_REGISTERED && rng_chance(r, 0.025);
    int has_working_parent = 0;

    for (int i = 0; i < n; i++)
        if (m[i].relation == REL_CHILD && m[i].age >= 20 && m[i].age <= 50)
            has_working_parent = 1;
    for (int i = 0; i < n; i++) {
        struct member *x = &m[i];
        int is_family = kind == HH_REGISTERED || kind == HH_NON_REGISTERED;
        if (is_family && n == 1 && x->age >= 60)
            x->tags |= TAG_ELDERLY_ALONE;
        if (rng_chance(r, x->age >= 70 ? 0.05 : 0.012))
            x->tags |= TAG_DISABLED;
        if (is_family && x->relation == REL_OTHER && x->age < 16 && !has_working_parent &&
            rng_chance(r, 0.6))
            x->tags |= TAG_LEFT_BEHIND_CHILD;
        if (!x->is_female && x->age >= 35 && x->age <= 85 && rng_chance(r, 0.025))
            x->tags |= TAG_VETERAN;
        if (x->age >= 18 && x->age <= 60 && rng_chance(r, 0.0025))
            x->tags |= TAG_COMMUNITY_CORRECTION;
        if (is_low_income)
            x->tags |= TAG_LOW_INCOME;
    }
}

static void format_tags(unsigned tags, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < N_ELEMS(tag_names); i++) {
        if (!(tags & (1u << i)))
            continue;
        int k = snprintf(out + len, size - len, "%s%s", len ? "," : "", tag_names[i]);
        if (k < 0 || (size_t)k >= size - len)
            return;
        len += (size_t)k;
    }
}

static void format_name(struct rng *r, const struct member *x, char *out, size_t size)
{
    int born = DEMO_REFERENCE_YEAR - 1 - x->age;
    int era = born < 1970 ? 0 : born < 2000 ? 1 : 2;
    const char *const *chars = given_names[x->is_female][era];
    const char *g1 = chars[rng_below(r, 20)];
    const char *g2 = "";
    if (!rng_chance(r, era == 0 ? 0.25 : 0.12)) {
        do
            g2 = chars[rng_below(r, 20)];
        while (g2 == g1);
    }
    snprintf(out, size, "%s%s%s", surnames[x->surname].name, g1, g2);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* A birth date (YYYY-MM-DD into out[11]) that makes the person exactly age (0..99) on
 * DEMO_REFERENCE_YEAR-01-01. Written digit by digit: hot path, and the ranges are known. */
static void format_birth(struct rng *r, int age, char out[11])
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int year = DEMO_REFERENCE_YEAR - 1 - clamp_age(age);
    int month = rng_range(r, 1, 12);
    int day = rng_range(r, 1, days[month - 1] + (month == 2 && is_leap(year)));
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
    out[4] = '-';
    out[5] = (char)('0' + month / 10);
    out[6] = (char)('0' + month % 10);
    out[7] = '-';
    out[8] = (char)('0' + day / 10);
    out[9] = (char)('0' + day % 10);
    out[10] = '\0';
}

static int road_name(int road, char *out, size_t size)
{
    return snprintf(out, size, "%s%s", road_roots[road / 8], road_suffixes[road % 8]);
}

/* Where a household's and a person's values are built before they become a record. */
struct row_values {
    char text[BD_FIELDS_MAX][BD_VALUE_MAX];
    struct bd_value sealed[BD_FIELDS_MAX]; /* owned: personal fields */
};

static void row_values_free(struct row_values *rv)
{
    for (int i = 0; i < BD_FIELDS_MAX; i++) {
        free(rv->sealed[i].text);
        free(rv->sealed[i].hash);
        free(rv->sealed[i].masked);
    }
    memset(rv->sealed, 0, sizeof(rv->sealed));
}

/* A record of kind pointing at rv's values (personal fields at their sealed forms). */
static void row_record(enum bd_kind kind, struct row_values *rv, const char *cell, int64_t now_ms,
                       struct bd_record *out)
{
    const struct bd_entity *e = bd_entity(kind);
    memset(out, 0, sizeof(*out));
    out->kind = kind;
    out->id = -1; /* new: no natural-key lookup (ID numbers are drawn unique, see below) */
    snprintf(out->cell_code, sizeof(out->cell_code), "%s", cell);
    out->created_ms = now_ms;
    out->updated_ms = now_ms;
    for (int i = 0; i < e->n_fields; i++) {
        if (bd_field_is_personal(&e->fields[i]))
            out->v[i] = rv->sealed[i];
        else
            out->v[i].text = rv->text[i];
    }
}

static void set_value(struct row_values *rv, enum bd_kind kind, const char *field, const char *v)
{
    int i = bd_field_index(bd_entity(kind), field);
    snprintf(rv->text[i], BD_VALUE_MAX, "%s", v);
}

/* Seal a personal value into rv (replacing an earlier one). */
static int seal_value(struct row_values *rv, const struct secret_key *key, enum bd_kind kind,
                      const char *field, const char *plain)
{
    int i = bd_field_index(bd_entity(kind), field);
    free(rv->sealed[i].text);
    free(rv->sealed[i].hash);
    free(rv->sealed[i].masked);
    return basedata_seal(key, kind, i, plain, &rv->sealed[i]);
}

/* A resident ID number (GB 11643) for a birth date: issued in Nanhai (440605) or, for
 * migrants, elsewhere in Guangdong, Guangxi, Hunan or Sichuan; a sequence of the right parity
 * for the sex; and its check character. */
static void draw_id_number(struct rng *r, const char *birth_date, int is_female, int is_local,
                           char out[IDCARD_BUF])
{
    static const char *const origins[] = {"440605", "440604", "441302", "450103",
                                          "430111", "510107", "445102", "441502"};
    const char *origin = is_local ? "440605" : origins[rng_below(r, N_ELEMS(origins))];
    int seq = rng_below(r, 500) * 2 + (is_female ? 0 : 1);
    snprintf(out, IDCARD_BUF, "%s%.4s%.2s%.2s%03d", origin, birth_date, birth_date + 5,
             birth_date + 8, seq);
    out[17] = idcard_check_char(out);
    out[18] = '\0';
}

/* 1 when the ID number just sealed into rv was drawn before (then it is drawn again), else
 * records it. Only while bulk loading: otherwise the unique index says so. */
static int id_drawn_before(struct keyset *drawn, const struct row_values *rv)
{
    const char *hash = rv->sealed[bd_field_index(bd_entity(BD_PERSON), "id_number")].hash;
    unsigned char k[KEYSET_KEY];
    if (drawn == NULL || hash == NULL || hash[0] == '\0')
        return 0;
    keyset_key_of_text(hash, k);
    if (keyset_get(drawn, k, NULL))
        return 1;
    keyset_put(drawn, k, 1);
    return 0;
}

/* Insert a person; an ID number drawn twice (same birth date and sequence) is drawn again. */
static int insert_person(struct store *st, struct people *pp, struct row_values *rv,
                         const char *cell, int64_t now_ms, const char *birth_date, int is_female,
                         int is_local)
{
    struct bd_record rec;
    int r = ERR_EXISTS;
    for (int attempt = 0; attempt < 64 && r == ERR_EXISTS; attempt++) {
        if (pp->key != NULL) {
            char id[IDCARD_BUF];
            draw_id_number(&pp->ids, birth_date, is_female, is_local, id);
            if ((r = seal_value(rv, pp->key, BD_PERSON, "id_number", id)) != 0)
                return r;
            if (id_drawn_before(pp->drawn_ids, rv)) {
                r = ERR_EXISTS;
                continue;
            }
        }
        row_record(BD_PERSON, rv, cell, now_ms, &rec);
        r = store_bd_put(st, &rec, NULL);
    }
    return r;
}

/* The households and persons of one cell. */
static int insert_cell(struct store *st, struct people *pp, const struct plan *p,
                       const struct demo_node *cell, int64_t now_ms, struct demo_result *res,
                       struct errbuf *eb)
{
    const struct demo_node *grid = &p->nodes[cell->parent];
    const struct demo_node *comm = &p->nodes[grid->parent];
    const struct demo_node *street = &p->nodes[comm->parent];
    struct row_values *hv = xcalloc(1, sizeof(*hv)), *pv = xcalloc(1, sizeof(*pv));
    struct bd_record rec;
    struct member m[5];
    char prefix[160], road[48], address[256], text[64];
    int flat = 0, shop = 0, r = 0;

    snprintf(prefix, sizeof(prefix), "佛山市南海区%s%s", street->name, comm->name);
    road_name(cell->road, road, sizeof(road));
    for (int k = 0; k < cell->households && r == 0; k++) {
        enum hh_kind kind =
            (enum hh_kind)rng_weighted(pp->r, hh_kind_w, HH_KIND_COUNT, pp->kind_total);
        int is_shop = kind == HH_BUSINESS || kind == HH_SOCIAL_ORG;
        int64_t household_id;
        int len, n;

        memset(hv->text, 0, sizeof(hv->text));
        if (cell->style == CELL_LANE) {
            len = snprintf(address, sizeof(address), "%s %s%d号", prefix, cell->name, k + 1);
        } else if (is_shop) {
            len = snprintf(address, sizeof(address), "%s %s%d号 %s首层%d号铺", prefix, road,
                           cell->house_no, cell->name, ++shop);
        } else {
            int floor = 2 + flat / cell->rooms_per_floor;
            int room = 1 + flat % cell->rooms_per_floor;
            len = snprintf(address, sizeof(address), "%s %s%d号 %s%d%02d", prefix, road,
                           cell->house_no, cell->name, floor, room);
            flat++;
        }
        if (len < 0 || (size_t)len >= sizeof(address)) {
            r = errbuf_set(eb, ERR_INTERNAL, "demo address too long in cell %s", cell->code);
            break;
        }
        snprintf(text, sizeof(text), "%s%03d", cell->code, k + 1); /* 户号: cell + number */
        set_value(hv, BD_HOUSEHOLD, "household_no", text);
        set_value(hv, BD_HOUSEHOLD, "kind", hh_kind_names[kind]);
        set_value(hv, BD_HOUSEHOLD, "address", address);
        if (pp->key != NULL && (r = seal_value(hv, pp->key, BD_HOUSEHOLD, "phone", "")) != 0)
            break;
        row_record(BD_HOUSEHOLD, hv, cell->code, now_ms, &rec);
        if ((r = store_bd_put(st, &rec, NULL)) != 0) {
            errbuf_set(eb, r, "cannot insert a household in cell %s", cell->code);
            break;
        }
        household_id = rec.id;
        res->households++;

        n = draw_members(pp, kind, m);
        draw_tags(pp->r, kind, m, n);
        for (int i = 0; i < n && r == 0; i++) {
            char birth[11], value[64];
            int is_registered;
            memset(pv->text, 0, sizeof(pv->text));
            format_name(pp->r, &m[i], value, sizeof(value));
            set_value(pv, BD_PERSON, "name", value);
            set_value(pv, BD_PERSON, "sex", m[i].is_female ? "F" : "M");
            format_birth(pp->r, m[i].age, birth);
            set_value(pv, BD_PERSON, "birth_date", birth);
            if (kind == HH_REGISTERED)
                is_registered = 1;
            else if (kind == HH_NON_REGISTERED)
                is_registered = 0;
            else
                is_registered = !rng_chance(pp->r, kind == HH_BUSINESS ? 0.65 : 0.4);
            set_value(pv, BD_PERSON, "is_registered", is_registered ? "1" : "0");
            snprintf(value, sizeof(value), "%lld", (long long)household_id);
            set_value(pv, BD_PERSON, "household_id", value);
            set_value(pv, BD_PERSON, "relation", relation_names[m[i].relation]);
            format_tags(m[i].tags, value, sizeof(value));
            set_value(pv, BD_PERSON, "tags", value);
            set_value(pv, BD_PERSON, "status", "active");
            if (pp->key != NULL) {
                /* Adults have a mobile phone; its digits come from the personal-data stream,
                 * so the rest of the city does not change with or without a key. */
                char phone[32] = "";
                if (m[i].age >= 16)
                    snprintf(phone, sizeof(phone), "1%d%09d", 3 + rng_below(&pp->ids, 7),
                             rng_below(&pp->ids, 1000000000));
                if ((r = seal_value(pv, pp->key, BD_PERSON, "phone", phone)) != 0)
                    break;
            }
            r = insert_person(st, pp, pv, cell->code, now_ms, birth, m[i].is_female, is_registered);
            if (r != 0) {
                errbuf_set(eb, r, "cannot insert a person in cell %s", cell->code);
                break;
            }
            res->persons++;
        }
    }
    row_values_free(hv);
    row_values_free(pv);
    free(hv);
    free(pv);
    return r;
}

static int insert_population(struct store *st, const struct plan *p, struct rng *r,
                             const struct demo_options *opt, struct demo_result *res,
                             struct errbuf *eb)
{
    struct people pp;
    struct progress bar;
    struct keyset drawn;
    int64_t now_ms = time_now_ms();
    int rr, bulk = 0;

    people_init(&pp, r);
    pp.key = opt->key;
    rng_seed(&pp.ids, opt->seed, 5);
    /* Persons are most of the rows: load them with the table's indexes and search entries
     * built once at the end, from sorted keys, instead of a random insert per row and index
     * (the bulk import's path; a backend without it inserts as usual). */
    if ((rr = store_bd_bulk_begin(st, BD_PERSON, &bulk)) != 0)
        return errbuf_set(eb, rr, "cannot start loading the demo's persons");
    if (bulk) {
        keyset_init(&drawn, (size_t)p->households * 3);
        pp.drawn_ids = &drawn;
    }
    progress_init(&bar, "demo", p->households);
    for (size_t i = 0; i < p->len && rr == 0; i++) {
        if (p->nodes[i].level != AREA_CELL)
            continue;
        rr = insert_cell(st, &pp, p, &p->nodes[i], now_ms, res, eb);
        progress_update(&bar, res->households);
    }
    progress_finish(&bar);
    if (bulk)
        keyset_cleanup(&drawn);
    if (rr == 0 && (rr = store_bd_bulk_end(st)) != 0)
        errbuf_set(eb, rr, "cannot index the demo's persons");
    return rr;
}

/* ---- the entry point ------------------------------------------------------------------- */

int demo_generate(struct store *st, const struct demo_options *opt, struct demo_result *out,
                  struct errbuf *eb)
{
    const struct scale_row *sc = NULL;
    const char *scale = opt != NULL && opt->scale != NULL ? opt->scale : "small";
    struct plan *plan = NULL;
    struct demo_result res;
    struct rng tree, people;
    int64_t count = 0;
    int r = ERR_INTERNAL, in_tx = 0;

    memset(out, 0, sizeof(*out));
    memset(&res, 0, sizeof(res));
    if (st == NULL || opt == NULL)
        return errbuf_set(eb, ERR_INVALID, "demo needs a store and options");
    for (size_t i = 0; i < N_ELEMS(scale_rows); i++)
        if (strcmp(scale, scale_rows[i].name) == 0)
            sc = &scale_rows[i];
    if (sc == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown demo scale '%s' (use small or city)", scale);
    if (opt->password != NULL) {
        size_t len = strlen(opt->password);
        if (len < AUTH_PASSWORD_MIN || len > DEMO_PASSWORD_MAX)
            return errbuf_set(eb, ERR_INVALID, "the demo password must have %d to %d characters",
                              AUTH_PASSWORD_MIN, DEMO_PASSWORD_MAX);
        snprintf(res.password, sizeof(res.password), "%s", opt->password);
    } else {
        make_password(res.password, DEMO_PASSWORD_LEN);
    }

    plan = xcalloc(1, sizeof(*plan));
    rng_seed(&tree, opt->seed, 1);
    rng_seed(&people, opt->seed, 2);
    if ((r = plan_build(plan, sc, &tree)) != 0) {
        errbuf_set(eb, r, "cannot plan the demo area tree");
        goto out;
    }

    if ((r = store_begin(st)) != 0) {
        errbuf_set(eb, r, "cannot begin the demo transaction");
        goto out;
    }
    in_tx = 1;
    if ((r = store_area_count(st, &count)) != 0) {
        errbuf_set(eb, r, "cannot count areas");
        goto out;
    }
    if (count > 0) {
        r = errbuf_set(eb, ERR_EXISTS,
                       "the database already has %lld areas; the demo needs an empty one",
                       (long long)count);
        goto out;
    }
    /* Users before the population: a taken username fails in a second, not after a minute. */
    if ((r = insert_areas(st, plan, eb)) != 0 ||
        (r = insert_users(st, plan, res.password, &res, eb)) != 0 ||
        (r = insert_population(st, plan, &people, opt, &res, eb)) != 0)
        goto out;
    if ((r = store_area_recount(st)) != 0) {
        errbuf_set(eb, r, "cannot recount areas");
        goto out;
    }
    if ((r = store_commit(st)) != 0) {
        errbuf_set(eb, r, "cannot commit the demo transaction");
        goto out;
    }
    in_tx = 0;
    res.areas = (int64_t)plan->len;
    log_info("demo", "generated scale=%s seed=%llu areas=%lld households=%lld persons=%lld",
             sc->name, (unsigned long long)opt->seed, (long long)res.areas,
             (long long)res.households, (long long)res.persons);
    *out = res;
    r = 0;
out:
    if (in_tx)
        store_rollback(st);
    if (plan != NULL)
        plan_cleanup(plan);
    free(plan);
    sodium_memzero(&res, sizeof(res));
    return r;
}
