/*
 * test_matching.c - ranking volunteers for a need (domain/matching.h): skill fit, distance
 * (haversine, checked against an independent computation), load, the filters and their counts,
 * ties, the order as a total order under shuffling, and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/matching.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS 1e-9
/* One hundredth of a degree of latitude on the sphere of radius 6371008.8 m:
 * 6371008.8 * pi / 180 * 0.01, worked out by hand. */
#define LAT_CENTIDEGREE_M 1111.9508

static struct match_need need_with(const char *skills)
{
    struct match_need n;
    memset(&n, 0, sizeof(n));
    assert_int_equal(volunteer_skills_parse(skills, &n.skills, NULL), 0);
    n.has_point = 1;
    n.lon = 113.05;
    n.lat = 23.05;
    n.radius_m = 5000;
    n.slot_bit = -1;
    return n;
}

static struct match_candidate cand(int64_t id, const char *skills)
{
    struct match_candidate c;
    memset(&c, 0, sizeof(c));
    c.id = id;
    c.is_active = 1;
    assert_int_equal(volunteer_skills_parse(skills, &c.skills, NULL), 0);
    c.availability = VOL_AVAIL_ALL;
    c.has_home = 1;
    c.lon = 113.05;
    c.lat = 23.05;
    return c;
}

static int rank(const struct match_need *n, const struct match_candidate *c, size_t count,
                struct match_score *out, size_t *n_out, int64_t ex[MATCH_REASON_COUNT])
{
    struct errbuf eb = {{0}};
    int r = matching_rank(n, c, count, out, n_out, ex, &eb);
    if (r != 0)
        print_message("matching: %s\n", eb.msg);
    return r;
}

static void test_skill_fit(void **state)
{
    struct match_need n = need_with("medical:3,legal:2");
    struct match_candidate c[] = {
        cand(1, "medical:3,legal:2"),          /* both at the level: 1 */
        cand(2, "medical:3"),                  /* one of two: 0.5 */
        cand(3, "medical:1,legal:1"),          /* (1/3 + 1/2) / 2 */
        cand(4, "repair:3"),                   /* none: excluded */
        cand(5, "medical:3,legal:3,repair:1"), /* more than asked: 1 */
    };
    struct match_score out[5];
    int64_t ex[MATCH_REASON_COUNT];
    size_t k;
    (void)state;
    assert_int_equal(rank(&n, c, 5, out, &k, ex), 0);
    assert_int_equal(k, 4);
    assert_int_equal(ex[MATCH_NO_SKILL], 1);
    for (size_t i = 0; i < k; i++) {
        double want = out[i].id == 1 || out[i].id == 5 ? 1.0
                      : out[i].id == 2                 ? 0.5
                                                       : (1.0 / 3.0 + 0.5) / 2.0;
        assert_true(fabs(out[i].skill - want) < EPS);
        assert_true(fabs(out[i].distance - 1.0) < EPS); /* same place */
        assert_true(fabs(out[i].load - 1.0) < EPS);     /* no load */
        assert_true(fabs(out[i].total - (MATCH_W_SKILL * want + MATCH_W_DISTANCE + MATCH_W_LOAD)) <
                    EPS);
    }
    /* 1 and 5 tie on everything: the lower id first; then 2, then 3 */
    assert_int_equal(out[0].id, 1);
    assert_int_equal(out[1].id, 5);
    assert_int_equal(out[2].id, 2);
    assert_int_equal(out[3].id, 3);
    assert_int_equal(out[2].index, 1);

    /* nothing required: everyone fits fully, even without skills */
    n = need_with("");
    assert_int_equal(rank(&n, c, 5, out, &k, ex), 0);
    assert_int_equal(k, 5);
    for (size_t i = 0; i < k; i++)
        assert_true(fabs(out[i].skill - 1.0) < EPS);
}

static void test_distance(void **state)
{
    struct match_need n = need_with("medical");
    struct match_candidate c[4];
    struct match_score out[4];
    int64_t ex[MATCH_REASON_COUNT];
    size_t k;
    (void)state;
    c[0] = cand(10, "medical");
    c[0].lat = n.lat + 0.01; /* 1111.95 m north */
    c[1] = cand(11, "medical");
    c[1].lat = n.lat + 0.03; /* 3335.85 m */
    c[2] = cand(12, "medical");
    c[2].lat = n.lat + 0.05; /* 5559.75 m: beyond 5 km */
    c[3] = cand(13, "medical");
    c[3].has_home = 0; /* unknown: 0.5 */
    assert_int_equal(rank(&n, c, 4, out, &k, ex), 0);
    assert_int_equal(k, 3);
    assert_int_equal(ex[MATCH_TOO_FAR], 1);
    assert_int_equal(out[0].id, 10);
    assert_true(fabs(out[0].distance_m - LAT_CENTIDEGREE_M) < 0.01);
    assert_true(fabs(out[0].distance - (1.0 - LAT_CENTIDEGREE_M / 5000.0)) < 1e-5);
    /* 3335.85 m scores 1 - 0.667 = 0.333 < 0.5: the unknown comes second */
    assert_int_equal(out[1].id, 13);
    assert_true(out[1].distance_m < 0);
    assert_true(fabs(out[1].distance - 0.5) < EPS);
    assert_int_equal(out[2].id, 11);
    assert_true(fabs(out[2].distance_m - 3 * LAT_CENTIDEGREE_M) < 0.05);

    /* a need without a place: every distance is unknown and neutral, nobody is too far */
    n.has_point = 0;
    assert_int_equal(rank(&n, c, 4, out, &k, ex), 0);
    assert_int_equal(k, 4);
    assert_int_equal(ex[MATCH_TOO_FAR], 0);
    for (size_t i = 0; i < k; i++) {
        assert_true(out[i].distance_m < 0);
        assert_true(fabs(out[i].distance - 0.5) < EPS);
        assert_int_equal(out[i].id, 10 + (int64_t)i); /* all equal: by id */
    }

    /* exactly at the radius is inside (score 0), east-west distance shrinks with latitude */
    n.has_point = 1;
    n.radius_m = 2 * LAT_CENTIDEGREE_M + 1;
    c[0] = cand(20, "medical");
    c[0].lat = n.lat - 0.02;
    c[1] = cand(21, "medical");
    c[1].lon = n.lon + 0.02; /* shorter: cos(23.05 deg) */
    assert_int_equal(rank(&n, c, 2, out, &k, ex), 0);
    assert_int_equal(k, 2);
    assert_int_equal(out[0].id, 21);
    assert_true(out[0].distance_m <
                2 * LAT_CENTIDEGREE_M * cos(23.06 * 3.14159265358979323846 / 180.0) + 1);
    assert_true(out[0].distance_m >
                2 * LAT_CENTIDEGREE_M * cos(23.04 * 3.14159265358979323846 / 180.0) - 1);
    assert_true(out[1].distance >= 0 && out[1].distance < 0.001);
}

static void test_load(void **state)
{
    struct match_need n = need_with("repair");
    struct match_candidate c[3];
    struct match_score out[3];
    int64_t ex[MATCH_REASON_COUNT];
    size_t k;
    (void)state;
    c[0] = cand(1, "repair");
    c[0].hours_30d = 20; /* load 1: score 0.5 */
    c[1] = cand(2, "repair");
    c[1].assignments_30d = 4; /* load 1: score 0.5 */
    c[2] = cand(3, "repair");
    c[2].hours_30d = 10;
    c[2].assignments_30d = 2; /* load 1: 0.5 as well */
    assert_int_equal(rank(&n, c, 3, out, &k, ex), 0);
    for (size_t i = 0; i < k; i++) {
        assert_true(fabs(out[i].load - 0.5) < EPS);
        assert_int_equal(out[i].id, (int64_t)i + 1); /* a three-way tie: by id */
    }
    c[1].assignments_30d = 0; /* the idle one first */
    c[0].hours_30d = 60;      /* 1 / (1 + 3) */
    assert_int_equal(rank(&n, c, 3, out, &k, ex), 0);
    assert_int_equal(out[0].id, 2);
    assert_true(fabs(out[0].load - 1.0) < EPS);
    assert_int_equal(out[1].id, 3);
    assert_int_equal(out[2].id, 1);
    assert_true(fabs(out[2].load - 0.25) < EPS);
    /* load never outweighs a better skill fit: a busy professional before an idle beginner */
    n = need_with("repair:3");
    c[0] = cand(1, "repair:3");
    c[0].hours_30d = 200;
    c[1] = cand(2, "repair:1");
    assert_int_equal(rank(&n, c, 2, out, &k, ex), 0);
    assert_int_equal(out[0].id, 1);
}

static void test_filters(void **state)
{
    struct match_need n = need_with("elderly_care");
    struct match_candidate c[6];
    struct match_score out[6];
    int64_t ex[MATCH_REASON_COUNT];
    size_t k;
    int bit;
    (void)state;
    assert_int_equal(volunteer_avail_parse("sat:morning", &bit), 0);
    n.slot_bit = bit;
    for (int i = 0; i < 6; i++)
        c[i] = cand(i + 1, "elderly_care:2");
    c[0].is_active = 0;
    c[1].is_assigned = 1;
    c[2].availability = VOL_AVAIL_ALL & ~(1u << bit); /* everything but Saturday morning */
    c[3].availability = 1u << bit;                    /* only Saturday morning */
    c[4].skills.n = 0;
    c[5].lat += 1.0; /* 111 km */
    assert_int_equal(rank(&n, c, 6, out, &k, ex), 0);
    assert_int_equal(k, 1);
    assert_int_equal(out[0].id, 4);
    assert_int_equal(ex[MATCH_INACTIVE], 1);
    assert_int_equal(ex[MATCH_ASSIGNED], 1);
    assert_int_equal(ex[MATCH_UNAVAILABLE], 1);
    assert_int_equal(ex[MATCH_NO_SKILL], 1);
    assert_int_equal(ex[MATCH_TOO_FAR], 1);
    /* the first reason that applies is the one counted */
    c[0].is_assigned = 1;
    c[0].availability = 0;
    assert_int_equal(rank(&n, c, 1, out, &k, ex), 0);
    assert_int_equal(k, 0);
    assert_int_equal(ex[MATCH_INACTIVE], 1);
    assert_int_equal(ex[MATCH_ASSIGNED] + ex[MATCH_UNAVAILABLE], 0);
    /* any slot: availability does not matter */
    n.slot_bit = -1;
    c[2].availability = 0;
    assert_int_equal(rank(&n, &c[2], 1, out, &k, ex), 0);
    assert_int_equal(k, 1);
    /* no candidates */
    assert_int_equal(rank(&n, NULL, 0, NULL, &k, ex), 0);
    assert_int_equal(k, 0);
    for (int i = 0; i < MATCH_REASON_COUNT; i++) {
        assert_int_equal(ex[i], 0);
        assert_non_null(matching_reason_name((enum match_reason)i));
    }
    assert_null(matching_reason_name(MATCH_REASON_COUNT));
}

/* Property: whatever order the candidates come in, the ranking is the same, and it never
 * rises along the list. */
static void test_total_order_under_shuffle(void **state)
{
    enum { N = 60 };
    struct match_need n = need_with("medical:2,psychology");
    struct match_candidate c[N], shuffled[N];
    struct match_score a[N], b[N];
    int64_t ex[MATCH_REASON_COUNT];
    size_t ka, kb;
    unsigned seed = 12345;
    static const char *const kinds[] = {"medical:1", "medical:2,psychology:1", "psychology:3",
                                        "medical:3", "medical:2"};
    (void)state;
    for (int i = 0; i < N; i++) {
        c[i] = cand(100 + i, kinds[i % 5]);
        c[i].lat += (double)(i % 7) * 0.005;
        c[i].hours_30d = (double)(i % 4) * 5;
        c[i].assignments_30d = i % 3;
        c[i].has_home = i % 11 != 0;
    }
    assert_int_equal(rank(&n, c, N, a, &ka, ex), 0);
    for (size_t i = 1; i < ka; i++)
        assert_true(a[i - 1].total >= a[i].total);
    for (int round = 0; round < 20; round++) {
        memcpy(shuffled, c, sizeof(c));
        for (int i = N - 1; i > 0; i--) {
            int j;
            struct match_candidate t;
            seed = seed * 1103515245u + 12345u;
            j = (int)((seed >> 16) % (unsigned)(i + 1));
            t = shuffled[i];
            shuffled[i] = shuffled[j];
            shuffled[j] = t;
        }
        assert_int_equal(rank(&n, shuffled, N, b, &kb, ex), 0);
        assert_int_equal(kb, ka);
        for (size_t i = 0; i < ka; i++) {
            assert_int_equal(b[i].id, a[i].id);
            assert_int_equal(shuffled[b[i].index].id, b[i].id);
        }
    }
}

static void test_bad_input(void **state)
{
    struct match_need n = need_with("medical");
    struct match_candidate c = cand(1, "medical");
    struct match_score out[1];
    int64_t ex[MATCH_REASON_COUNT];
    size_t k = 99;
    (void)state;
#define BAD_NEED(stmt)                                                                             \
    do {                                                                                           \
        struct match_need bad = n;                                                                 \
        struct errbuf eb = {{0}};                                                                  \
        stmt;                                                                                      \
        assert_int_equal(matching_rank(&bad, &c, 1, out, &k, ex, &eb), ERR_INVALID);               \
        assert_true(eb.msg[0] != '\0');                                                            \
        assert_int_equal(k, 99);                                                                   \
    } while (0)
#define BAD_CAND(stmt)                                                                             \
    do {                                                                                           \
        struct match_candidate bad = c;                                                            \
        struct errbuf eb = {{0}};                                                                  \
        stmt;                                                                                      \
        assert_int_equal(matching_rank(&n, &bad, 1, out, &k, ex, &eb), ERR_INVALID);               \
        assert_true(eb.msg[0] != '\0');                                                            \
        assert_int_equal(k, 99);                                                                   \
    } while (0)
    BAD_NEED(bad.radius_m = 0);
    BAD_NEED(bad.radius_m = -1);
    BAD_NEED(bad.radius_m = NAN);
    BAD_NEED(bad.radius_m = INFINITY);
    BAD_NEED(bad.radius_m = MATCH_RADIUS_MAX_M + 1);
    BAD_NEED(bad.lon = 181);
    BAD_NEED(bad.lat = -91);
    BAD_NEED(bad.lat = NAN);
    BAD_NEED(bad.skills.items[0].skill = volunteer_skill_count());
    BAD_NEED(bad.skills.items[0].skill = -1);
    BAD_NEED(bad.skills.items[0].level = 0);
    BAD_NEED(bad.skills.items[0].level = 4);
    BAD_NEED(bad.skills.n = VOL_SKILLS_MAX + 1);
    BAD_NEED(bad.skills.n = -1);
    BAD_NEED((bad.skills.n = 2, bad.skills.items[1] = bad.skills.items[0]));
    BAD_NEED(bad.slot_bit = VOL_AVAIL_BITS);
    BAD_NEED(bad.slot_bit = -2);
    BAD_CAND(bad.id = 0);
    BAD_CAND(bad.id = -5);
    BAD_CAND(bad.hours_30d = -1);
    BAD_CAND(bad.hours_30d = NAN);
    BAD_CAND(bad.assignments_30d = -1);
    BAD_CAND(bad.lon = 200);
    BAD_CAND(bad.skills.items[0].level = 9);
    /* a bad home is fine when there is no home */
    {
        struct match_candidate ok = c;
        ok.has_home = 0;
        ok.lon = 999;
        assert_int_equal(rank(&n, &ok, 1, out, &k, ex), 0);
        assert_int_equal(k, 1);
    }
    /* a place out of range is fine when the need has none */
    {
        struct match_need ok = n;
        ok.has_point = 0;
        ok.lat = 999;
        assert_int_equal(rank(&ok, &c, 1, out, &k, ex), 0);
    }
    k = 99;
    assert_int_equal(matching_rank(NULL, &c, 1, out, &k, ex, NULL), ERR_INVALID);
    assert_int_equal(matching_rank(&n, NULL, 1, out, &k, ex, NULL), ERR_INVALID);
    assert_int_equal(matching_rank(&n, &c, 1, NULL, &k, ex, NULL), ERR_INVALID);
    assert_int_equal(matching_rank(&n, &c, 1, out, NULL, ex, NULL), ERR_INVALID);
    assert_int_equal(matching_rank(&n, &c, 1, out, &k, NULL, NULL), ERR_INVALID);
    assert_int_equal(k, 99);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skill_fit),
        cmocka_unit_test(test_distance),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_total_order_under_shuffle),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
