/*
 * test_store_rollups.c - the roll-up store ops (on the run's backend, testdb.h): upserts add into
 * cells (counters and histogram buckets), sums select one area and a day range and group by total,
 * day, category and child with each group's histogram summed, the category prefix filters, diff
 * compares the live and check tables (a histogram back at zero equals none), clear empties.
 */
#include "store/store.h"
#include "testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One database for the group: the tests run in order on it. */
static struct testdb db;

static int setup(void **state)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    if (testdb_create(&db) != 0)
        return -1;
    if (store_open(db.url, STORE_CREATE, &st, &eb) != 0) {
        fprintf(stderr, "open: %s\n", eb.msg);
        testdb_destroy(&db);
        return -1;
    }
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    testdb_destroy(&db);
    return 0;
}

struct rows {
    int n;
    char keys[8][24];
    int days[8];
    struct rollup_counters c[8];
};

static int collect(void *ctx, const char *key, int day, const struct rollup_counters *sum)
{
    struct rows *r = ctx;
    if (r->n >= 8)
        return 1;
    snprintf(r->keys[r->n], sizeof(r->keys[0]), "%s", key);
    r->days[r->n] = day;
    r->c[r->n] = *sum;
    r->n++;
    return 0;
}

static void add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                const char *cat, int collected, int bucket, int n)
{
    struct rollup_counters d;
    memset(&d, 0, sizeof(d));
    d.v[RF_collected] = collected;
    if (n)
        d.hist[bucket] = n;
    assert_int_equal(store_rollup_add(st, t, level, area, day, cat, &d), 0);
}

static void sum(struct store *st, int level, const char *area, int child_level, int from, int to,
                const char *cat, enum rollup_group g, struct rows *out)
{
    memset(out, 0, sizeof(*out));
    assert_int_equal(store_rollup_sum(st, level, area, child_level, from, to, cat, g, collect, out),
                     0);
}

static void test_add_and_sum(void **state)
{
    struct store *st = *state;
    struct rows r;
    int64_t diff = -1;
    /* District 440605 and its streets 440605001 / 440605002. */
    add(st, ROLLUP_LIVE, 3, "440605", 20250301, "0101", 2, 10, 1);
    add(st, ROLLUP_LIVE, 3, "440605", 20250301, "0101", 1, 10, 2); /* same cell: adds */
    add(st, ROLLUP_LIVE, 3, "440605", 20250302, "0202", 4, 20, 1);
    add(st, ROLLUP_LIVE, 3, "440605", 20250401, "0101", 8, 0, 0);
    add(st, ROLLUP_LIVE, 4, "440605001", 20250301, "0101", 3, 10, 3);
    add(st, ROLLUP_LIVE, 4, "440605002", 20250302, "0202", 4, 20, 1);
    add(st, ROLLUP_LIVE, 3, "440606", 20250301, "0101", 100, 5, 100); /* a sibling district */
    add(st, ROLLUP_LIVE, 4, "440605003", 20250401, "0101", 5, 0, 0);  /* a street, in April only */
    add(st, ROLLUP_LIVE, 4, "440606001", 20250301, "0101", 6, 0, 0);  /* the sibling's street */

    sum(st, 3, "440605", 0, 20250301, 20250331, "", ROLLUP_BY_TOTAL, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.c[0].v[RF_collected], 7);
    assert_int_equal(r.c[0].hist[10], 3);
    assert_int_equal(r.c[0].hist[20], 1);
    assert_int_equal(r.c[0].hist[5], 0);

    sum(st, 3, "440605", 0, 20250301, 20250430, "", ROLLUP_BY_DAY, &r);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.days[0], 20250301);
    assert_int_equal(r.c[0].v[RF_collected], 3);
    assert_int_equal(r.c[0].hist[10], 3);
    assert_int_equal(r.days[1], 20250302);
    assert_int_equal(r.c[1].hist[20], 1);
    assert_int_equal(r.c[1].hist[10], 0);
    assert_int_equal(r.days[2], 20250401);
    assert_int_equal(r.c[2].v[RF_collected], 8);

    sum(st, 3, "440605", 0, 20250301, 20250430, "", ROLLUP_BY_CATEGORY, &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.keys[0], "0101");
    assert_int_equal(r.c[0].v[RF_collected], 11);
    assert_int_equal(r.c[0].hist[10], 3);
    assert_string_equal(r.keys[1], "0202");
    assert_int_equal(r.c[1].hist[20], 1);

    sum(st, 3, "440605", 0, 20250301, 20250430, "02", ROLLUP_BY_TOTAL, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.c[0].v[RF_collected], 4);

    sum(st, 3, "440605", 4, 20250301, 20250331, "", ROLLUP_BY_CHILD, &r);
    assert_int_equal(r.n, 2);
    assert_string_equal(r.keys[0], "440605001");
    assert_int_equal(r.c[0].v[RF_collected], 3);
    assert_int_equal(r.c[0].hist[10], 3);
    assert_string_equal(r.keys[1], "440605002");
    assert_int_equal(r.c[1].hist[20], 1);
    /* April: only the street with cells in it (the others have none in the period). */
    sum(st, 3, "440605", 4, 20250401, 20250430, "", ROLLUP_BY_CHILD, &r);
    assert_int_equal(r.n, 1);
    assert_string_equal(r.keys[0], "440605003");
    assert_int_equal(r.c[0].v[RF_collected], 5);

    /* Nothing selected: no rows. */
    sum(st, 3, "440605", 0, 20240101, 20240131, "", ROLLUP_BY_TOTAL, &r);
    assert_int_equal(r.n, 0);

    /* Diff: the check table is empty, so every live cell and bucket differs. */
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 8); /* 8 cells: two adds shared one */
}

static void test_diff_and_clear(void **state)
{
    struct store *st = *state;
    struct rows r;
    int64_t diff = -1;
    assert_int_equal(store_rollup_clear(st, ROLLUP_LIVE), 0);
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 0);
    add(st, ROLLUP_LIVE, 3, "440605", 20250301, "0101", 2, 10, 1);
    add(st, ROLLUP_CHECK, 3, "440605", 20250301, "0101", 2, 10, 1);
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 0);
    /* A bucket that went to zero (a close undone) equals a missing bucket. */
    add(st, ROLLUP_LIVE, 3, "440605", 20250301, "0101", 0, 11, 1);
    add(st, ROLLUP_LIVE, 3, "440605", 20250301, "0101", 0, 11, -1);
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 0);
    add(st, ROLLUP_CHECK, 3, "440605", 20250301, "0101", 1, 0, 0);
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 2); /* the cell differs, seen from each side */
    assert_int_equal(store_rollup_clear(st, ROLLUP_CHECK), 0);
    sum(st, 3, "440605", 0, 20250301, 20250301, "", ROLLUP_BY_TOTAL, &r);
    assert_int_equal(r.c[0].v[RF_collected], 2);
    assert_int_equal(store_rollup_sum(st, 3, "440605", 0, 20250301, 20250301, "",
                                      (enum rollup_group)9, collect, &r),
                     ERR_INVALID);
}

/* Many cells at once give exactly what one add per cell gives: the live table filled with
 * add_many (more cells than one statement takes, cells repeated, histograms cancelling,
 * negative deltas, odd characters in a category, cells that already exist) equals the check
 * table filled cell by cell. */
static void test_add_many(void **state)
{
    struct store *st = *state;
    enum { N = 1300 };
    struct rollup_cell *cells = calloc(N, sizeof(*cells));
    struct rows r;
    int64_t diff = -1;
    assert_non_null(cells);
    assert_int_equal(store_rollup_clear(st, ROLLUP_LIVE), 0);
    assert_int_equal(store_rollup_clear(st, ROLLUP_CHECK), 0);
    assert_int_equal(store_rollup_add_many(st, ROLLUP_LIVE, cells, 0), 0); /* nothing */
    /* a cell both tables hold before */
    add(st, ROLLUP_LIVE, 3, "440605", 20250301, "0101", 5, 7, 2);
    add(st, ROLLUP_CHECK, 3, "440605", 20250301, "0101", 5, 7, 2);
    for (int i = 0; i < N; i++) {
        struct rollup_cell *c = &cells[i];
        int k = i % 700; /* cells 700.. repeat 0..599 */
        c->level = k % 2 ? 4 : 3;
        snprintf(c->area, sizeof(c->area), k % 2 ? "44060500%d" : "44060%d", k % 2 ? k % 7 : 5);
        c->day = 20250301 + k / 14;
        snprintf(c->category, sizeof(c->category), k % 5 == 4 ? "x\"y\\%d" : "01%02d", k % 14);
        c->d.v[RF_collected] = i % 3 - 1;
        c->d.v[RF_rating_sum] = i;
        c->d.hist[k % ROLLUP_HIST_BUCKETS] = i < 700 ? 1 : -1; /* repeats cancel the bucket */
        if (i % 11 == 0)
            c->d.hist[63] = 3;
        assert_int_equal(
            store_rollup_add(st, ROLLUP_CHECK, c->level, c->area, c->day, c->category, &c->d), 0);
    }
    assert_int_equal(store_rollup_add_many(st, ROLLUP_LIVE, cells, N), 0);
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 0);
    /* and it did write: the district's first day holds the cell added before and the new ones */
    sum(st, 3, "440605", 0, 20250301, 20250301, "0100", ROLLUP_BY_TOTAL, &r);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.c[0].v[RF_rating_sum], 0 + 700);
    assert_int_equal(r.c[0].hist[0], 0);  /* +1 then -1 */
    assert_int_equal(r.c[0].hist[63], 3); /* cell 0 only: 700 is not a multiple of 11 */
    /* once more on top: every cell doubles, still equal to adding cell by cell */
    assert_int_equal(store_rollup_add_many(st, ROLLUP_LIVE, cells, N), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(store_rollup_add(st, ROLLUP_CHECK, cells[i].level, cells[i].area,
                                          cells[i].day, cells[i].category, &cells[i].d),
                         0);
    assert_int_equal(store_rollup_diff(st, &diff), 0);
    assert_int_equal(diff, 0);
    free(cells);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_sum),
        cmocka_unit_test(test_diff_and_clear),
        cmocka_unit_test(test_add_many),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
