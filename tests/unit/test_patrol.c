/*
 * test_patrol.c - the track arithmetic of domain/patrol.h: haversine distances checked against
 * values computed by hand from the mean Earth radius, point checks, outside and speed flags
 * (a GPS jump is flagged and skipped, not dropped), sorting and the summary.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/patrol.h"

#include <math.h>
#include <string.h>

/* One degree of a great circle: R * pi / 180. */
#define DEGREE_M (PATROL_EARTH_RADIUS_M * M_PI / 180.0)

static void test_haversine(void **state)
{
    (void)state;
    assert_true(fabs(patrol_haversine_m(113.0, 23.0, 113.0, 23.0)) < 1e-9);
    /* along a meridian and along the equator one degree is DEGREE_M (111195.08 m) */
    assert_true(fabs(patrol_haversine_m(113.0, 23.0, 113.0, 24.0) - DEGREE_M) < 1e-6);
    assert_true(fabs(patrol_haversine_m(0.0, 0.0, 1.0, 0.0) - DEGREE_M) < 1e-6);
    assert_true(fabs(DEGREE_M - 111195.08) < 0.01);
    /* half the circumference between antipodes */
    assert_true(fabs(patrol_haversine_m(0.0, 0.0, 180.0, 0.0) - M_PI * PATROL_EARTH_RADIUS_M) <
                1e-3);
    /* one degree of longitude at 60 degrees north: about half a degree of the equator (the
     * great circle is slightly shorter than the parallel: 55 597.5 m vs 55 597.54 m) */
    {
        double d = patrol_haversine_m(10.0, 60.0, 11.0, 60.0);
        assert_true(d < DEGREE_M / 2 && d > DEGREE_M / 2 - 5.0);
    }
    /* symmetric */
    assert_true(fabs(patrol_haversine_m(113.1, 23.05, 113.12, 23.07) -
                     patrol_haversine_m(113.12, 23.07, 113.1, 23.05)) < 1e-9);
}

static void test_point_check(void **state)
{
    struct errbuf eb = {{0}};
    const int64_t start = 1772409600000, now = start + 3600000;
    struct patrol_point ok = {start + 1000, 113.05, 23.05, 8.0, 0};
    struct patrol_point bad;
    (void)state;
    assert_int_equal(patrol_point_check(&ok, 0, start, now, &eb), 0);
    bad = ok;
    bad.lon = 181;
    assert_int_equal(patrol_point_check(&bad, 3, start, now, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "point 3"));
    bad = ok;
    bad.lat = NAN;
    assert_int_equal(patrol_point_check(&bad, 0, start, now, &eb), ERR_INVALID);
    bad = ok;
    bad.accuracy = -1;
    assert_int_equal(patrol_point_check(&bad, 0, start, now, &eb), ERR_INVALID);
    bad = ok;
    bad.accuracy = PATROL_ACCURACY_MAX + 1;
    assert_int_equal(patrol_point_check(&bad, 0, start, now, &eb), ERR_INVALID);
    /* clock skew of up to five minutes is tolerated on both sides */
    bad = ok;
    bad.t_ms = start - PATROL_CLOCK_SKEW_MS;
    assert_int_equal(patrol_point_check(&bad, 0, start, now, &eb), 0);
    bad.t_ms = start - PATROL_CLOCK_SKEW_MS - 1;
    assert_int_equal(patrol_point_check(&bad, 0, start, now, &eb), ERR_INVALID);
    bad.t_ms = now + PATROL_CLOCK_SKEW_MS + 1;
    errbuf_clear(&eb);
    assert_int_equal(patrol_point_check(&bad, 0, start, now, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "future"));
}

static int east_of_113_05_is_outside(void *ctx, double lon, double lat)
{
    (void)lat;
    (*(int *)ctx)++;
    return lon <= 113.05;
}

static void test_flag_outside(void **state)
{
    struct patrol_point pts[3] = {
        {0, 113.01, 23.0, 0, PATROL_PT_OUTSIDE}, /* a stale flag is cleared */
        {1000, 113.06, 23.0, 0, 0},
        {2000, 113.05, 23.0, 0, PATROL_PT_FAST}, /* other flags are kept */
    };
    int calls = 0;
    (void)state;
    patrol_flag_outside(pts, 3, east_of_113_05_is_outside, &calls);
    assert_int_equal(calls, 3);
    assert_int_equal(pts[0].flags, 0);
    assert_int_equal(pts[1].flags, PATROL_PT_OUTSIDE);
    assert_int_equal(pts[2].flags, PATROL_PT_FAST);
}

static void test_speed_and_summary(void **state)
{
    /* p0 -> p1: 0.001 degrees of latitude in 60 s (111.2 m, 6.7 km/h): plausible.
     * p2: 0.5 degrees east one second later (51 km in 1 s): a jump, flagged.
     * p3: back near p1 another minute later; judged from p1 (the last plausible point).
     * p4: at the same instant as p3 and 10 m away: counted as one second apart (36 km/h). */
    struct patrol_point pts[5] = {
        {0, 113.0, 23.000, 5, 0},        {60000, 113.0, 23.001, 5, 0},
        {61000, 113.5, 23.001, 5, 0},    {120000, 113.0, 23.002, 5, PATROL_PT_OUTSIDE},
        {120000, 113.0, 23.00209, 5, 0},
    };
    struct patrol_summary s;
    double expect;
    (void)state;
    patrol_flag_speed(pts, 5);
    assert_int_equal(pts[0].flags, 0);
    assert_int_equal(pts[1].flags, 0);
    assert_int_equal(pts[2].flags, PATROL_PT_FAST);
    assert_int_equal(pts[3].flags, PATROL_PT_OUTSIDE);
    assert_int_equal(pts[4].flags, 0);
    patrol_summarise(pts, 5, &s);
    expect = patrol_haversine_m(113.0, 23.000, 113.0, 23.001) +
             patrol_haversine_m(113.0, 23.001, 113.0, 23.002) +
             patrol_haversine_m(113.0, 23.002, 113.0, 23.00209);
    /* 0.00209 degrees of latitude */
    assert_true(fabs(expect - 0.00209 * DEGREE_M) < 1e-3);
    assert_true(fabs(s.distance_m - expect) < 1e-6);
    assert_int_equal(s.duration_ms, 120000);
    assert_int_equal(s.n_points, 5);
    assert_int_equal(s.n_fast, 1);
    assert_int_equal(s.n_outside, 1);

    /* exactly at the limit is not fast; just above is */
    {
        double d150 = 150.0 / 3.6 * 10.0; /* metres covered in 10 s at 150 km/h */
        double dlat = d150 / DEGREE_M;
        struct patrol_point q[2] = {{0, 113.0, 23.0, 0, 0},
                                    {10000, 113.0, 23.0 + dlat * 0.999, 0, 0}};
        patrol_flag_speed(q, 2);
        assert_int_equal(q[1].flags, 0);
        q[1].lat = 23.0 + dlat * 1.001;
        patrol_flag_speed(q, 2);
        assert_int_equal(q[1].flags, PATROL_PT_FAST);
    }
}

static void test_empty_and_single(void **state)
{
    struct patrol_summary s;
    struct patrol_point one = {5000, 113.0, 23.0, 0, 0};
    (void)state;
    patrol_flag_speed(NULL, 0);
    patrol_summarise(NULL, 0, &s);
    assert_int_equal(s.n_points, 0);
    assert_true(s.distance_m == 0.0);
    patrol_flag_speed(&one, 1);
    patrol_summarise(&one, 1, &s);
    assert_int_equal(s.n_points, 1);
    assert_int_equal(s.duration_ms, 0);
    assert_true(s.distance_m == 0.0);
}

static void test_sort_is_stable(void **state)
{
    struct patrol_point pts[5] = {
        {3000, 1, 0, 0, 0}, {1000, 2, 0, 0, 0}, {3000, 3, 0, 0, 0},
        {2000, 4, 0, 0, 0}, {1000, 5, 0, 0, 0},
    };
    const double order[5] = {2, 5, 4, 1, 3};
    (void)state;
    patrol_sort(pts, 5);
    for (int i = 0; i < 5; i++)
        assert_true(pts[i].lon == order[i]);
    for (int i = 1; i < 5; i++)
        assert_true(pts[i - 1].t_ms <= pts[i].t_ms);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_haversine),        cmocka_unit_test(test_point_check),
        cmocka_unit_test(test_flag_outside),     cmocka_unit_test(test_speed_and_summary),
        cmocka_unit_test(test_empty_and_single), cmocka_unit_test(test_sort_is_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
