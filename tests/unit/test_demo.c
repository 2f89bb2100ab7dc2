/*
 * test_demo.c - unit tests for src/service/demo: the small demo city is generated once into
 * a temporary SQLite database, then checked for its shape (level counts, codes, parents),
 * its geometry (every polygon valid, counter-clockwise, equal to its bbox; children tile
 * their parent exactly), its population (households per grid, persons per household, kinds,
 * registration, ages, tags), the recount, the users and their scopes, determinism per seed,
 * and atomicity (a second run, or a run that fails half-way, adds nothing).
 *
 * Households and persons have no read API in store.h yet, so the statistics are read with
 * plain SQL on the database file (read-only, test code only).
 */
#include "service/demo.h"

#include "domain/areacode.h"
#include "geo/geo.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "domain/idcard.h"
#include "service/auth.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEED       20240611u
#define OTHER_SEED 7u

static char tmp_dir[64];
static char db_main[128];
static struct store *main_st;
static struct demo_result main_res;

/* ---- helpers ---------------------------------------------------------------------------- */

static void db_path(char *out, size_t size, const char *name)
{
    int n = snprintf(out, size, "%s/%s", tmp_dir, name);
    assert_true(n > 0 && (size_t)n < size);
}

static void remove_db(const char *path)
{
    char buf[160];
    unlink(path);
    snprintf(buf, sizeof(buf), "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof(buf), "%s-shm", path);
    unlink(buf);
}

static struct store *open_new(const char *path)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    remove_db(path);
    assert_int_equal(store_open(path, STORE_CREATE, &st, &eb), 0);
    return st;
}

static int generate(struct store *st, const char *scale, uint64_t seed, const char *password,
                    struct demo_result *res)
{
    struct demo_options opt = {scale, seed, password, NULL};
    struct errbuf eb = {{0}};
    int r = demo_generate(st, &opt, res, &eb);
    if (r != 0)
        print_message("# demo_generate: %s\n", errbuf_message(&eb, r));
    return r;
}

/* One number from an SQL query on the database file (read-only connection). */
static double sql_number(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    double v;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    v = sqlite3_column_double(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
}

/* FNV-1a over every column of every row of a query: equal digests, equal results. */
static uint64_t sql_digest(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    uint64_t h = 0xcbf29ce484222325ULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(stmt); c++) {
            const unsigned char *t = sqlite3_column_text(stmt, c);
            for (const unsigned char *p = t ? t : (const unsigned char *)""; *p; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
            h = (h ^ 0x1f) * 0x100000001b3ULL; /* column separator */
        }
        h = (h ^ 0x1e) * 0x100000001b3ULL; /* row separator */
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return h;
}

/* The first n persons' names joined by '|' into out. */
static void first_names(const char *path, int n, char *out, size_t size)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    size_t len = 0;
    out[0] = '\0';
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT name FROM persons ORDER BY id LIMIT ?1", -1, &stmt, NULL),
        SQLITE_OK);
    sqlite3_bind_int(stmt, 1, n);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        int k = snprintf(out + len, size - len, "%s|", (const char *)sqlite3_column_text(stmt, 0));
        assert_true(k > 0 && (size_t)k < size - len);
        len += (size_t)k;
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

/* Every area, in code order, with geometry (owned). */
struct areas {
    struct area *items;
    size_t len, cap;
};

static int collect_area(void *ctx, const struct area *a)
{
    struct areas *all = ctx;
    if (all->len == all->cap) {
        all->cap = all->cap ? all->cap * 2 : 256;
        all->items = realloc(all->items, all->cap * sizeof(*all->items));
        assert_non_null(all->items);
    }
    all->items[all->len] = *a;
    all->items[all->len].geometry = a->geometry ? strdup(a->geometry) : NULL;
    all->len++;
    return 0;
}

static void load_areas(struct store *st, struct areas *all)
{
    memset(all, 0, sizeof(*all));
    assert_int_equal(store_area_walk(st, "", AREA_CELL, 1, collect_area, all), 0);
}

static void free_areas(struct areas *all)
{
    for (size_t i = 0; i < all->len; i++)
        area_cleanup(&all->items[i]);
    free(all->items);
    memset(all, 0, sizeof(*all));
}

static const struct area *find_area(const struct areas *all, const char *code)
{
    size_t lo = 0, hi = all->len;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(all->items[mid].code, code);
        if (c == 0)
            return &all->items[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static double bbox_area(const struct area *a)
{
    return (a->maxx - a->minx) * (a->maxy - a->miny);
}

/* ---- fixtures --------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (auth_global_init() != 0)
        return -1;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/gridgov-demo-XXXXXX");
    if (mkdtemp(tmp_dir) == NULL)
        return -1;
    snprintf(db_main, sizeof(db_main), "%s/main.db", tmp_dir);
    if (store_open(db_main, STORE_CREATE, &main_st, NULL) != 0)
        return -1;
    return generate(main_st, "small", SEED, NULL, &main_res) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    const char *names[] = {"main.db", "same.db", "other.db", "taken.db", "bad.db"};
    (void)state;
    store_close(main_st);
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        char path[128];
        snprintf(path, sizeof(path), "%s/%s", tmp_dir, names[i]);
        remove_db(path);
    }
    rmdir(tmp_dir);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_level_counts(void **state)
{
    struct areas all;
    int per_level[AREA_LEVEL_MAX + 1] = {0};
    int64_t count = 0;
    (void)state;
    load_areas(main_st, &all);
    for (size_t i = 0; i < all.len; i++) {
        assert_int_equal(areacode_level(all.items[i].code), all.items[i].level);
        per_level[all.items[i].level]++;
    }
    assert_int_equal(per_level[AREA_PROVINCE], 1);
    assert_int_equal(per_level[AREA_CITY], 1);
    assert_int_equal(per_level[AREA_DISTRICT], 1);
    assert_int_equal(per_level[AREA_STREET], 3);
    assert_int_equal(per_level[AREA_COMMUNITY], 12);
    assert_in_range(per_level[AREA_GRID], 48, 72);
    /* 25-40 households per cell, 250-350 per grid */
    assert_in_range(per_level[AREA_CELL], per_level[AREA_GRID] * 7, per_level[AREA_GRID] * 14);
    assert_int_equal(store_area_count(main_st, &count), 0);
    assert_int_equal(count, (int64_t)all.len);
    assert_int_equal(main_res.areas, count);

    assert_non_null(find_area(&all, "44"));
    assert_string_equal(find_area(&all, "44")->name, "广东省");
    assert_string_equal(find_area(&all, "4406")->name, "佛山市");
    assert_string_equal(find_area(&all, "440605")->name, "南海区");
    assert_string_equal(find_area(&all, "440605011")->name, "桂城街道");
    assert_string_equal(find_area(&all, "440605121")->name, "九江镇");
    assert_string_equal(find_area(&all, "440605122")->name, "西樵镇");
    free_areas(&all);
}

static void test_codes_and_names(void **state)
{
    struct areas all;
    int villages = 0, shequ = 0;
    (void)state;
    load_areas(main_st, &all);
    for (size_t i = 0; i < all.len; i++) {
        const struct area *a = &all.items[i];
        char parent[AREA_CODE_BUF];
        size_t len = strlen(a->name);
        assert_true(len > 0);
        if (a->level == AREA_PROVINCE)
            continue;
        assert_int_equal(areacode_parent(a->code, parent), 0);
        const struct area *p = find_area(&all, parent);
        assert_non_null(p);
        assert_int_equal(p->level + 1, a->level);
        assert_true(areacode_in_subtree(a->code, p->code));
        if (a->level == AREA_STREET) {
            int n = atoi(a->code + 6);
            const char *suffix = a->name + len - 3; /* one CJK character */
            assert_true(strcmp(suffix, "镇") == 0 ? n >= 100 && n <= 199 : n >= 1 && n <= 99);
        } else if (a->level == AREA_COMMUNITY) {
            int n = atoi(a->code + 9);
            if (len > 3 && strcmp(a->name + len - 3, "村") == 0) {
                assert_in_range(n, 200, 399);
                villages++;
            } else {
                assert_true(len > 6 && strcmp(a->name + len - 6, "社区") == 0);
                assert_in_range(n, 1, 199);
                shequ++;
            }
        } else if (a->level == AREA_GRID) {
            char want[32];
            snprintf(want, sizeof(want), "第%d网格", atoi(a->code + 12));
            assert_string_equal(a->name, want);
        }
    }
    assert_true(villages > 0);
    assert_true(shequ > 0);
    /* community names are unique in the district */
    for (size_t i = 0; i < all.len; i++)
        for (size_t j = i + 1; j < all.len; j++)
            if (all.items[i].level == AREA_COMMUNITY && all.items[j].level == AREA_COMMUNITY)
                assert_string_not_equal(all.items[i].name, all.items[j].name);
    free_areas(&all);
}

/*
 * Parse a rectangle polygon: exactly "Polygon", one ring of 5 positions with 6 decimals,
 * closed, counter-clockwise, and equal to the bbox.
 */
static void check_polygon(const struct area *a)
{
    const char *g = a->geometry;
    double xy[16] = {0};
    int n = 0;
    assert_non_null(g);
    assert_non_null(strstr(g, "\"type\":\"Polygon\""));
    const char *p = strstr(g, "\"coordinates\":[[[");
    assert_non_null(p);
    p += strlen("\"coordinates\":[[[");
    while (*p && n < 16) {
        if ((*p >= '0' && *p <= '9') || *p == '-') {
            char *end;
            const char *dot;
            xy[n++] = strtod(p, &end);
            dot = memchr(p, '.', (size_t)(end - p));
            assert_non_null(dot);
            assert_int_equal(end - dot - 1, 6);
            p = end;
        } else {
            p++;
        }
    }
    assert_int_equal(n, 10);
    /* closed */
    assert_true(xy[0] == xy[8] && xy[1] == xy[9]);
    /* counter-clockwise: positive shoelace area */
    double twice = 0;
    for (size_t i = 0; i < 4; i++)
        twice += xy[2 * i] * xy[2 * i + 3] - xy[2 * i + 2] * xy[2 * i + 1];
    assert_true(twice > 0);
    /* the bbox is exactly the polygon's */
    double minx = xy[0], maxx = xy[0], miny = xy[1], maxy = xy[1];
    for (size_t i = 1; i < 5; i++) {
        minx = fmin(minx, xy[2 * i]);
        maxx = fmax(maxx, xy[2 * i]);
        miny = fmin(miny, xy[2 * i + 1]);
        maxy = fmax(maxy, xy[2 * i + 1]);
    }
    assert_true(minx == a->minx && maxx == a->maxx && miny == a->miny && maxy == a->maxy);
    assert_true(a->minx < a->maxx && a->miny < a->maxy);
}

static void test_polygons_valid(void **state)
{
    struct areas all;
    struct geo *g = NULL;
    const struct area *d;
    (void)state;
    load_areas(main_st, &all);
    assert_int_equal(geo_new(&g), 0);
    for (size_t i = 0; i < all.len; i++) {
        const struct area *a = &all.items[i];
        struct geo_bbox b;
        struct errbuf eb = {{0}};
        check_polygon(a);
        int r = geo_polygon_check(g, a->geometry, strlen(a->geometry), &b, NULL, &eb);
        if (r != 0)
            print_message("# %s: %s\n", a->code, errbuf_message(&eb, r));
        assert_int_equal(r, 0);
        assert_true(fabs(b.minx - a->minx) < 1e-12 && fabs(b.maxy - a->maxy) < 1e-12);
    }
    geo_free(g);
    /* the district: centred near 113.14 E 23.03 N, about 0.35 x 0.30 degrees */
    d = find_area(&all, "440605");
    assert_true(fabs((d->minx + d->maxx) / 2 - 113.14) < 0.05);
    assert_true(fabs((d->miny + d->maxy) / 2 - 23.03) < 0.05);
    assert_true(fabs(d->maxx - d->minx - 0.35) < 0.01 && fabs(d->maxy - d->miny - 0.30) < 0.01);
    free_areas(&all);
}

static void test_children_tile_parent(void **state)
{
    struct areas all;
    int uneven = 0;
    (void)state;
    load_areas(main_st, &all);
    for (size_t i = 0; i < all.len; i++) {
        const struct area *p = &all.items[i];
        size_t len = strlen(p->code);
        double sum = 0, first = -1;
        int64_t n = 0;
        if (p->level == AREA_CELL)
            continue;
        for (size_t j = i + 1; j < all.len && strncmp(all.items[j].code, p->code, len) == 0; j++) {
            const struct area *c = &all.items[j];
            if (c->level != p->level + 1)
                continue;
            n++;
            /* inside the parent */
            assert_true(c->minx >= p->minx && c->maxx <= p->maxx);
            assert_true(c->miny >= p->miny && c->maxy <= p->maxy);
            sum += bbox_area(c);
            if (first < 0)
                first = bbox_area(c);
            else if (fabs(bbox_area(c) - first) > 1e-9 * first)
                uneven = 1;
            /* no overlap with a later sibling */
            for (size_t k = j + 1; k < all.len && strncmp(all.items[k].code, p->code, len) == 0;
                 k++) {
                const struct area *o = &all.items[k];
                if (o->level != c->level)
                    continue;
                double w = fmin(c->maxx, o->maxx) - fmax(c->minx, o->minx);
                double h = fmin(c->maxy, o->maxy) - fmax(c->miny, o->miny);
                assert_false(w > 1e-12 && h > 1e-12);
            }
        }
        assert_true(n > 0);
        assert_int_equal(n, p->children);
        assert_true(fabs(sum - bbox_area(p)) <= 1e-9 * bbox_area(p));
    }
    assert_true(uneven); /* split positions are random, not all shapes equal */
    free_areas(&all);
}

static void test_population(void **state)
{
    struct area d;
    int64_t households = 0, persons = 0;
    double ratio, share;
    (void)state;
    assert_in_range(main_res.households, 60 * 300 * 8 / 10, 60 * 300 * 12 / 10);
    ratio = (double)main_res.persons / (double)main_res.households;
    assert_true(ratio > 2.2 && ratio < 3.0);

    /* the recount agrees with what was inserted */
    assert_int_equal(store_area_get(main_st, "440605", 0, &d), 0);
    assert_int_equal(d.households, main_res.households);
    assert_int_equal(d.persons, main_res.persons);
    assert_int_equal(d.children, 3);
    area_cleanup(&d);
    assert_int_equal(store_area_get(main_st, "44", 0, &d), 0);
    assert_int_equal(d.households, main_res.households);
    area_cleanup(&d);
    assert_int_equal(store_household_count(main_st, "440605", &households, &persons), 0);
    assert_int_equal(households, main_res.households);
    assert_int_equal(persons, main_res.persons);

    /* every household in a cell, 25-40 per cell, each with exactly one head */
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM households h LEFT JOIN areas a "
                                         "ON a.code = h.cell_code WHERE a.level IS NOT 7"),
                     0);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM areas WHERE level = 7 AND "
                                         "(households < 25 OR households > 40)"),
                     0);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM households h WHERE (SELECT "
                                         "count(*) FROM persons p WHERE p.household_id = h.id "
                                         "AND p.relation = '户主') != 1"),
                     0);
    assert_int_equal(sql_number(db_main, "SELECT max(c) FROM (SELECT count(*) AS c FROM "
                                         "persons GROUP BY household_id)"),
                     5);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM persons p JOIN households h ON "
                                         "h.id = p.household_id WHERE p.cell_code != h.cell_code"),
                     0);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM persons WHERE relation NOT IN "
                                         "('户主','配偶','子女','父母','其他') OR sex NOT IN "
                                         "('M','F') OR birth_date NOT GLOB "
                                         "'[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]' OR name = ''"),
                     0);

    /* kinds: about 60/40 registered/non-registered families, a few businesses, social orgs */
    share = sql_number(db_main, "SELECT avg(kind = 'registered_family') FROM households");
    assert_true(share > 0.5 && share < 0.65);
    share = sql_number(db_main, "SELECT avg(kind = 'non_registered_family') FROM households");
    assert_true(share > 0.3 && share < 0.45);
    assert_true(sql_number(db_main, "SELECT count(*) FROM households WHERE kind = 'business'") > 0);
    assert_true(sql_number(db_main, "SELECT count(*) FROM households WHERE kind = 'social_org'") >
                0);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM households WHERE kind NOT IN "
                                         "('registered_family','non_registered_family',"
                                         "'business','social_org')"),
                     0);

    /* registration follows the household kind */
    share = sql_number(db_main, "SELECT avg(is_registered) FROM persons");
    assert_true(share > 0.5 && share < 0.75);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM persons p JOIN households h ON "
                                         "h.id = p.household_id WHERE (h.kind = "
                                         "'registered_family' AND p.is_registered = 0) OR "
                                         "(h.kind = 'non_registered_family' AND "
                                         "p.is_registered = 1)"),
                     0);

    /* an age pyramid: children and elderly, nobody unborn or implausibly old */
    share = sql_number(db_main, "SELECT avg(2024 - substr(birth_date, 1, 4) < 15) FROM persons");
    assert_true(share > 0.08 && share < 0.25);
    share = sql_number(db_main, "SELECT avg(2024 - substr(birth_date, 1, 4) >= 60) FROM persons");
    assert_true(share > 0.08 && share < 0.3);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM persons WHERE birth_date >= "
                                         "'2025-01-01' OR birth_date < '1920-01-01'"),
                     0);
    share = sql_number(db_main, "SELECT avg(sex = 'F') FROM persons");
    assert_true(share > 0.4 && share < 0.6);

    /* tags: each kind present, a few percent tagged in all */
    static const char *const tags[] = {"elderly_alone",        "disabled",
                                       "left_behind_child",    "veteran",
                                       "community_correction", "low_income"};
    for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
        char sql[160];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM persons WHERE ',' || tags || ',' LIKE '%%,%s,%%'", tags[i]);
        assert_true(sql_number(db_main, sql) > 0);
    }
    share = sql_number(db_main, "SELECT avg(tags != '') FROM persons");
    assert_true(share > 0.01 && share < 0.15);
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM persons WHERE tags LIKE "
                                         "'%elderly_alone%' AND 2024 - substr(birth_date, 1, 4) "
                                         "< 60"),
                     0);

    /* addresses name the city, district, street and community of the cell */
    assert_int_equal(sql_number(db_main, "SELECT count(*) FROM households h JOIN areas c ON "
                                         "c.code = substr(h.cell_code, 1, 12) JOIN areas s ON "
                                         "s.code = substr(h.cell_code, 1, 9) WHERE h.address "
                                         "NOT LIKE '佛山市南海区' || s.name || c.name || ' %'"),
                     0);
}

static void test_users(void **state)
{
    struct user_list list = {0};
    static const struct {
        const char *role, *area;
    } want[] = {
        {"admin", "440605"},
        {"leader", "440605"},
        {"dispatcher", "440605"},
        {"department_handler", "440605"},
        {"station_cadre", "440605011"},
        {"community_staff", "440605011001"},
        {"mediator", "440605011001"},
        {"council_member", "440605011001"},
        {"volunteer", "440605011001"},
        {"resident", "440605011001"},
        {"grid_worker", "440605011001001"},
    };
    (void)state;
    assert_int_equal(store_user_list(main_st, "", &list), 0);
    assert_int_equal(list.len, 11);
    assert_int_equal(main_res.n_users, 11);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        struct user u;
        int exists = 0, found = 0;
        assert_int_equal(store_user_get_by_name(main_st, want[i].role, &u), 0);
        assert_string_equal(u.role, want[i].role);
        assert_string_equal(u.area_code, want[i].area);
        assert_int_equal(store_area_exists(main_st, u.area_code, &exists), 0);
        assert_true(exists);
        if (strcmp(u.role, "department_handler") == 0)
            assert_string_equal(u.department, "urban_management");
        assert_true(strlen(u.password_hash) > 0);
        for (int k = 0; k < main_res.n_users; k++) {
            if (strcmp(main_res.users[k].username, want[i].role) == 0) {
                assert_string_equal(main_res.users[k].role, want[i].role);
                assert_string_equal(main_res.users[k].area_code, want[i].area);
                found = 1;
            }
        }
        assert_true(found);
    }
    user_list_cleanup(&list);

    /* a random password was made: 12 characters, no look-alikes */
    assert_int_equal(strlen(main_res.password), 12);
    assert_int_equal(strcspn(main_res.password, "0O1lIo"), 12);
}

static void test_deterministic(void **state)
{
    char same[128], other[128];
    static char names_a[100 * 64], names_b[100 * 64], names_c[100 * 64];
    struct store *st;
    struct demo_result res;
    struct areas a, b, c;
    int differ = 0;
    static const char *const hh_sql =
        "SELECT id, cell_code, address, kind FROM households ORDER BY id";
    static const char *const person_sql =
        "SELECT id, household_id, cell_code, name, sex, birth_date, is_registered, relation, "
        "tags FROM persons ORDER BY id";
    (void)state;

    db_path(same, sizeof(same), "same.db");
    st = open_new(same);
    assert_int_equal(generate(st, "small", SEED, "given-password-1", &res), 0);
    assert_string_equal(res.password, "given-password-1");
    assert_int_equal(res.households, main_res.households);
    assert_int_equal(res.persons, main_res.persons);
    load_areas(main_st, &a);
    load_areas(st, &b);
    assert_int_equal(a.len, b.len);
    for (size_t i = 0; i < a.len; i++) {
        assert_string_equal(a.items[i].code, b.items[i].code);
        assert_string_equal(a.items[i].name, b.items[i].name);
        assert_int_equal(a.items[i].level, b.items[i].level);
        assert_true(a.items[i].minx == b.items[i].minx && a.items[i].miny == b.items[i].miny &&
                    a.items[i].maxx == b.items[i].maxx && a.items[i].maxy == b.items[i].maxy);
        assert_string_equal(a.items[i].geometry, b.items[i].geometry);
        assert_int_equal(a.items[i].households, b.items[i].households);
        assert_int_equal(a.items[i].persons, b.items[i].persons);
    }
    store_close(st);
    first_names(db_main, 100, names_a, sizeof(names_a));
    first_names(same, 100, names_b, sizeof(names_b));
    assert_string_equal(names_a, names_b);
    assert_true(sql_digest(db_main, hh_sql) == sql_digest(same, hh_sql));
    assert_true(sql_digest(db_main, person_sql) == sql_digest(same, person_sql));

    db_path(other, sizeof(other), "other.db");
    st = open_new(other);
    assert_int_equal(generate(st, "small", OTHER_SEED, "given-password-1", &res), 0);
    load_areas(st, &c);
    for (size_t i = 0; i < a.len && i < c.len && !differ; i++)
        differ = strcmp(a.items[i].code, c.items[i].code) != 0 ||
                 strcmp(a.items[i].name, c.items[i].name) != 0 ||
                 a.items[i].maxx != c.items[i].maxx || a.items[i].maxy != c.items[i].maxy;
    assert_true(differ || a.len != c.len);
    store_close(st);
    first_names(other, 100, names_c, sizeof(names_c));
    assert_string_not_equal(names_a, names_c);
    assert_true(sql_digest(db_main, person_sql) != sql_digest(other, person_sql));
    free_areas(&a);
    free_areas(&b);
    free_areas(&c);
}

static void test_second_run_refused(void **state)
{
    struct demo_result res;
    struct demo_options opt = {"small", SEED, NULL, NULL};
    struct errbuf eb = {{0}};
    int64_t areas = 0, households = 0, persons = 0;
    struct user_list list = {0};
    (void)state;
    res.areas = 99;
    assert_int_equal(demo_generate(main_st, &opt, &res, &eb), ERR_EXISTS);
    assert_int_equal(res.areas, 0); /* out cleared */
    assert_int_equal(res.n_users, 0);
    assert_int_equal(store_area_count(main_st, &areas), 0);
    assert_int_equal(areas, main_res.areas);
    assert_int_equal(store_household_count(main_st, "", &households, &persons), 0);
    assert_int_equal(households, main_res.households);
    assert_int_equal(persons, main_res.persons);
    assert_int_equal(store_user_list(main_st, "", &list), 0);
    assert_int_equal(list.len, 11);
    user_list_cleanup(&list);
}

/* A failure after the areas are written (a demo username is taken) leaves nothing behind. */
static void test_failure_rolls_back(void **state)
{
    char path[128];
    struct store *st;
    struct user u;
    struct demo_result res;
    int64_t areas = -1, households = -1, persons = -1;
    struct user_list list = {0};
    (void)state;
    db_path(path, sizeof(path), "taken.db");
    st = open_new(path);
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "admin");
    snprintf(u.role, sizeof(u.role), "admin");
    snprintf(u.area_code, sizeof(u.area_code), "440605");
    snprintf(u.password_hash, sizeof(u.password_hash), "x");
    assert_int_equal(store_user_insert(st, &u), 0);
    assert_int_equal(generate(st, "small", SEED, "given-password-1", &res), ERR_EXISTS);
    assert_int_equal(store_area_count(st, &areas), 0);
    assert_int_equal(areas, 0);
    assert_int_equal(store_household_count(st, "", &households, &persons), 0);
    assert_int_equal(households, 0);
    assert_int_equal(persons, 0);
    assert_int_equal(store_user_list(st, "", &list), 0);
    assert_int_equal(list.len, 1);
    user_list_cleanup(&list);
    store_close(st);
}

static void test_invalid_options(void **state)
{
    char path[128], long_pw[DEMO_PASSWORD_MAX + 2];
    struct store *st;
    struct demo_result res;
    int64_t areas = -1;
    (void)state;
    db_path(path, sizeof(path), "bad.db");
    st = open_new(path);
    assert_int_equal(generate(st, "huge", 1, NULL, &res), ERR_INVALID);
    memset(long_pw, 'x', sizeof(long_pw) - 1);
    long_pw[sizeof(long_pw) - 1] = '\0';
    assert_int_equal(generate(st, "small", 1, long_pw, &res), ERR_INVALID);
    assert_int_equal(generate(st, "small", 1, "short", &res), ERR_INVALID);
    assert_int_equal(store_area_count(st, &areas), 0);
    assert_int_equal(areas, 0);
    store_close(st);
}

/* With a key, persons get valid, unique, encrypted ID numbers and adults get phones; the city
 * itself (names, dates, households) is the same as without a key. */
static void test_personal_data(void **state)
{
    char dir[] = "/tmp/gridgov-demo-key-XXXXXX", path[96], key_path[96], cmd[128];
    struct demo_options opt = {"small", SEED, NULL, NULL};
    struct secret_key *key = NULL;
    struct store *st;
    struct demo_result res;
    struct errbuf eb = {{0}};
    const struct bd_entity *e = bd_entity(BD_PERSON);
    int id_field = bd_field_index(e, "id_number"), phone_field = bd_field_index(e, "phone");
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/k.db", dir);
    snprintf(key_path, sizeof(key_path), "%s/k.db.key", dir);
    assert_int_equal(secret_key_create(key_path, NULL), 0);
    assert_int_equal(secret_key_load(key_path, &key, NULL), 0);
    opt.key = key;
    st = open_new(path);
    assert_int_equal(demo_generate(st, &opt, &res, &eb), 0);
    assert_int_equal(res.persons, main_res.persons);

    /* Same people as the keyless city. */
    assert_true(sql_digest(path, "SELECT name, sex, birth_date, household_id FROM persons "
                                 "ORDER BY id") ==
                sql_digest(db_main, "SELECT name, sex, birth_date, household_id FROM persons "
                                    "ORDER BY id"));
    /* Every ID number present, unique, masked; no plaintext column. */
    assert_int_equal(sql_number(path, "SELECT count(*) FROM persons WHERE id_number_hash = '' "
                                      "OR length(id_number_masked) != 18"),
                     0);
    assert_int_equal(sql_number(path, "SELECT count(DISTINCT id_number_hash) FROM persons"),
                     res.persons);
    assert_int_equal(sql_number(path, "SELECT count(*) FROM persons WHERE phone_hash = '' AND "
                                      "birth_date < '2008-01-01'"),
                     0);
    /* Decrypted, a sample validates and agrees with the person's birth date and sex. */
    for (int64_t id = 1; id <= res.persons; id += res.persons / 50) {
        struct bd_record rec;
        struct idcard_info info;
        char *plain = NULL, context[64];
        assert_int_equal(store_bd_get(st, BD_PERSON, id, &rec), 0);
        snprintf(context, sizeof(context), "person.id_number");
        assert_int_equal(secret_decrypt(key, rec.v[id_field].text, context, &plain), 0);
        assert_int_equal(idcard_validate(plain, time_now_ms(), &info, NULL), 0);
        assert_string_equal(info.birth_date, rec.v[bd_field_index(e, "birth_date")].text);
        assert_int_equal(info.sex, rec.v[bd_field_index(e, "sex")].text[0]);
        assert_memory_equal(plain, rec.v[id_field].masked, 4);
        secret_plaintext_free(plain);
        if (rec.v[phone_field].text[0]) {
            char phone[PHONE_BUF];
            snprintf(context, sizeof(context), "person.phone");
            assert_int_equal(secret_decrypt(key, rec.v[phone_field].text, context, &plain), 0);
            assert_int_equal(phone_validate(plain, phone, NULL), 0);
            secret_plaintext_free(plain);
        }
        bd_record_cleanup(&rec);
    }
    store_close(st);
    secret_key_free(key);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_counts),       cmocka_unit_test(test_codes_and_names),
        cmocka_unit_test(test_polygons_valid),     cmocka_unit_test(test_children_tile_parent),
        cmocka_unit_test(test_population),         cmocka_unit_test(test_users),
        cmocka_unit_test(test_deterministic),      cmocka_unit_test(test_second_run_refused),
        cmocka_unit_test(test_failure_rolls_back), cmocka_unit_test(test_invalid_options),
        cmocka_unit_test(test_personal_data),
    };
    return cmocka_run_group_tests_name("demo", tests, group_setup, group_teardown);
}
