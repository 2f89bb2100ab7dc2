/*
 * test_store_series.c - store_case_daily_counts: local days (UTC+8 here), the area subtree at
 * every level (district column, grid column, cell, a code range above district), the category
 * prefix, class grouping, the half-open time range, and stopping early. Uses only store.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/indicators.h"
#include "service/rollups.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DAY  ((int64_t)86400000)
#define HOUR ((int64_t)3600000)
/* 2026-03-02T00:00:00+08:00 = 2026-03-01T16:00Z; local day number 20514 */
#define DAY0_LOCAL_MS ((int64_t)1772409600000 - 8 * HOUR)
#define DAY0          20514

static void add_case(struct store *st, int n, const char *area, const char *category,
                     int64_t created)
{
    struct case_rec c;
    struct rollup_counters collected;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "440605-S-%d", n);
    snprintf(c.area_code, sizeof(c.area_code), "%s", area);
    snprintf(c.category, sizeof(c.category), "%s", category);
    snprintf(c.channel, sizeof(c.channel), "%s", "web");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", "reported");
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = created;
    c.updated_ms = created;
    assert_int_equal(store_case_insert(st, &c), 0);
    /* and its roll-up cells, as the service writes them with the case: whole days of a
     * district .. grid are answered from them */
    indicator_counters_clear(&collected);
    collected.v[RF_collected] = 1;
    assert_int_equal(rollups_apply(st, ROLLUP_LIVE, area, created, category, &collected), 0);
}

struct rows {
    int n;
    int64_t day[32];
    char cls[32][8];
    int64_t count[32];
    int stop_after;
};

static int collect(void *ctx, int64_t day, const char *cls, int64_t count)
{
    struct rows *r = ctx;
    if (r->n >= 32)
        return ERR_INTERNAL;
    r->day[r->n] = day;
    snprintf(r->cls[r->n], sizeof(r->cls[0]), "%s", cls);
    r->count[r->n] = count;
    r->n++;
    if (r->stop_after && r->n == r->stop_after)
        return ERR_CONFLICT;
    return 0;
}

static void fill(struct store *st)
{
    int n = 0;
    assert_int_equal(store_begin(st), 0);
    /* day 0: local 00:30 and 23:30 (the latter is 15:30Z, still day 0 locally) */
    add_case(st, n++, "440605001001001001", "0301", DAY0_LOCAL_MS + (int64_t)30 * 60000);
    add_case(st, n++, "440605001001001", "0302", DAY0_LOCAL_MS + 23 * HOUR + (int64_t)30 * 60000);
    /* day 1: another street, another class */
    add_case(st, n++, "440605002", "0401", DAY0_LOCAL_MS + DAY + HOUR);
    add_case(st, n++, "440605001001002", "0301", DAY0_LOCAL_MS + DAY + 2 * HOUR);
    /* day 3: another district */
    add_case(st, n++, "440606001", "0301", DAY0_LOCAL_MS + 3 * DAY);
    /* a minute before day 0 (local day -1) */
    add_case(st, n++, "440605001", "0301", DAY0_LOCAL_MS - 60000);
    assert_int_equal(store_commit(st), 0);
}

static void test_daily_counts(void **state)
{
    struct store_fixture *f = *state;
    struct rows r;
    fill(f->st);
    int64_t from = DAY0_LOCAL_MS, to = DAY0_LOCAL_MS + 10 * DAY;

    /* a district: its column */
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_case_daily_counts(f->st, "440605", NULL, from, to, 480, 0, collect, &r),
                     0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.day[0], DAY0);
    assert_int_equal(r.count[0], 2);
    assert_string_equal(r.cls[0], "");
    assert_int_equal(r.day[1], DAY0 + 1);
    assert_int_equal(r.count[1], 2);

    /* by class */
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_case_daily_counts(f->st, "440605", NULL, from, to, 480, 1, collect, &r),
                     0);
    assert_int_equal(r.n, 3);
    assert_string_equal(r.cls[0], "03");
    assert_int_equal(r.count[0], 2);
    assert_string_equal(r.cls[1], "03");
    assert_int_equal(r.day[1], DAY0 + 1);
    assert_string_equal(r.cls[2], "04");

    /* a grid, a cell, a code range above district ("44" = the province), no area */
    memset(&r, 0, sizeof(r));
    assert_int_equal(
        store_case_daily_counts(f->st, "440605001001001", NULL, from, to, 480, 0, collect, &r), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.count[0], 2);
    memset(&r, 0, sizeof(r));
    assert_int_equal(
        store_case_daily_counts(f->st, "440605001001001001", NULL, from, to, 480, 0, collect, &r),
        0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.count[0], 1);
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_case_daily_counts(f->st, "44", NULL, from, to, 480, 0, collect, &r), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.day[2], DAY0 + 3);
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_case_daily_counts(f->st, "", NULL, 0, to, 480, 0, collect, &r), 0);
    assert_int_equal(r.n, 4);
    assert_int_equal(r.day[0], DAY0 - 1);

    /* category prefix: the class 03 and the subcategory 0302 */
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_case_daily_counts(f->st, "440605", "03", from, to, 480, 0, collect, &r),
                     0);
    assert_int_equal(r.n, 2);
    assert_int_equal(r.count[0] + r.count[1], 3);
    memset(&r, 0, sizeof(r));
    assert_int_equal(
        store_case_daily_counts(f->st, "440605", "0302", from, to, 480, 0, collect, &r), 0);
    assert_int_equal(r.n, 1);

    /* UTC days: the 23:30 local case (15:30Z) and the 00:30 local case (16:30Z the day
     * before) fall on different UTC days */
    memset(&r, 0, sizeof(r));
    assert_int_equal(
        store_case_daily_counts(f->st, "440605001001001", NULL, from, to, 0, 0, collect, &r), 0);
    assert_int_equal(r.n, 2);

    /* half-open range: to excludes a case exactly at to */
    memset(&r, 0, sizeof(r));
    assert_int_equal(store_case_daily_counts(f->st, "440605", NULL, from,
                                             DAY0_LOCAL_MS + DAY + HOUR, 480, 0, collect, &r),
                     0);
    assert_int_equal(r.n, 1);

    /* the callback stops the walk */
    memset(&r, 0, sizeof(r));
    r.stop_after = 1;
    assert_int_equal(store_case_daily_counts(f->st, "", NULL, 0, to, 480, 0, collect, &r),
                     ERR_CONFLICT);
    assert_int_equal(r.n, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_daily_counts, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
