/*
 * test_hotspot.c - hot-spot scoring on hand-computed examples: Poisson and negative-binomial
 * tails, the own-history test, the robust sibling z-score, the minimum count, a city-wide
 * surge that must not be flagged, over-dispersed history, and bad input.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/hotspot.h"

#include <math.h>
#include <string.h>

static void assert_close(double got, double want, double tol)
{
    if (fabs(got - want) > tol)
        fail_msg("got %.9g, want %.9g (tolerance %g)", got, want, tol);
}

/* Poisson(2): P(X >= 6) = 1 - e^-2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15) = 1 - e^-2 * 109/15. */
static void test_poisson_tail(void **state)
{
    (void)state;
    assert_close(hotspot_tail(6, 2, 0), 1.0 - exp(-2.0) * 109.0 / 15.0, 1e-12);
    assert_close(hotspot_tail(6, 2, 0), 0.0165636085, 1e-9);
    assert_close(hotspot_tail(1, 2, 0), 1.0 - exp(-2.0), 1e-12);
    assert_close(hotspot_tail(2, 2, 0), 1.0 - 3.0 * exp(-2.0), 1e-12);
    assert_close(hotspot_tail(0, 2, 0), 1.0, 0);
    assert_close(hotspot_tail(5.2, 2, 0), hotspot_tail(6, 2, 0), 0); /* rounded up */
    assert_close(hotspot_tail(3, 0, 0), 0.0, 0);
    /* far in the tail: tiny but not negative, and fast */
    double t = hotspot_tail(1000, 10, 0);
    assert_true(t >= 0.0 && t < 1e-300 + 1e-200);
    assert_close(hotspot_tail(1, 1e6, 0), 1.0, 1e-12);
}

/* Negative binomial with size 1 is geometric: p = 1/(1+mu), P(X >= x) = (mu/(1+mu))^x. */
static void test_negative_binomial_tail(void **state)
{
    (void)state;
    assert_close(hotspot_tail(6, 2, 1), pow(2.0 / 3.0, 6), 1e-12);
    assert_close(hotspot_tail(3, 2, 1), 8.0 / 27.0, 1e-12);
    assert_close(hotspot_tail(2, 2, 1), 4.0 / 9.0, 1e-12); /* the lower-sum branch */
    assert_close(hotspot_tail(1, 2, 1), 2.0 / 3.0, 1e-12);
    /* a huge size tends to the Poisson */
    assert_close(hotspot_tail(6, 2, 1e9), hotspot_tail(6, 2, 0), 1e-6);
}

/* Four sibling areas, one category, history 4,4,4,4 each (mean 4, no over-dispersion):
 *   counts 12, 5, 4, 3 -> excess log(12.5/4.5) = 1.02165, log(5.5/4.5) = 0.20067, 0,
 *   log(3.5/4.5) = -0.25131; median 0.10034; |dev| 0.92131 0.10034 0.10034 0.35165 -> median
 *   0.22600, MAD*1.4826 = 0.33506; z of area 0 = 0.92131 / 0.33506 = 2.7497.
 *   P(X >= 12 | Poisson 4) = 0.000915229, P(X >= 5 | 4) = 0.371163. Only area 0 is hot. */
static void test_sibling_example(void **state)
{
    (void)state;
    const double hist[4] = {4, 4, 4, 4};
    struct hotspot_cell cells[4] = {
        {12, -1, hist, 4}, {5, -1, hist, 4}, {4, -1, hist, 4}, {3, -1, hist, 4}};
    struct hotspot_params prm;
    struct hotspot_result res[4];
    hotspot_params_default(&prm);
    assert_int_equal(hotspot_score(cells, 4, 1, &prm, res), 0);
    assert_close(res[0].expected, 4.0, 0);
    assert_close(res[0].p_value, 0.000915229147, 1e-10);
    assert_close(res[1].p_value, 0.371163064820, 1e-10);
    assert_close(res[0].excess, log(12.5 / 4.5), 1e-12);
    double med = 0.5 * log(5.5 / 4.5);
    double mad = 1.4826 * 0.5 * (med + (med - log(3.5 / 4.5)));
    assert_close(res[0].z_sibling, (log(12.5 / 4.5) - med) / mad, 1e-9);
    assert_close(res[0].z_sibling, 2.7497, 1e-3);
    assert_true(res[0].is_sibling_tested);
    assert_true(res[0].is_hot);
    for (int i = 1; i < 4; i++)
        assert_false(res[i].is_hot);
    /* a stricter z threshold unflags it */
    prm.min_z = 3.0;
    assert_int_equal(hotspot_score(cells, 4, 1, &prm, res), 0);
    assert_false(res[0].is_hot);
}

/* Every area doubles at once (a storm): each own test fires, no area stands out. */
static void test_city_wide_surge_is_not_a_hot_spot(void **state)
{
    (void)state;
    const double hist[4] = {4, 4, 4, 4};
    struct hotspot_cell cells[5];
    struct hotspot_result res[5];
    struct hotspot_params prm;
    hotspot_params_default(&prm);
    for (int i = 0; i < 5; i++)
        cells[i] = (struct hotspot_cell){12, -1, hist, 4};
    assert_int_equal(hotspot_score(cells, 5, 1, &prm, res), 0);
    for (int i = 0; i < 5; i++) {
        assert_true(res[i].p_value < 0.001);
        assert_close(res[i].z_sibling, 0.0, 0);
        assert_false(res[i].is_hot);
    }
}

/* Two categories in three areas: cells are indexed area * n_cats + cat and categories are
 * compared only with themselves. Fewer siblings than min_siblings: own test only. */
static void test_layout_and_few_siblings(void **state)
{
    (void)state;
    const double h2[3] = {2, 2, 2};
    const double h20[3] = {20, 20, 20};
    struct hotspot_cell cells[6] = {
        {2, -1, h2, 3}, {20, -1, h20, 3}, /* area 0 */
        {2, -1, h2, 3}, {45, -1, h20, 3}, /* area 1: category 1 jumps */
        {3, -1, h2, 3}, {19, -1, h20, 3}, /* area 2 */
    };
    struct hotspot_params prm;
    struct hotspot_result res[6];
    hotspot_params_default(&prm);
    assert_int_equal(hotspot_score(cells, 3, 2, &prm, res), 0);
    for (int i = 0; i < 6; i++)
        assert_int_equal(res[i].is_hot, i == 3);
    assert_close(res[3].expected, 20.0, 0);
    /* two areas only: no sibling test; the jump is still flagged on its own history */
    assert_int_equal(hotspot_score(cells, 2, 2, &prm, res), 0);
    assert_false(res[3].is_sibling_tested);
    assert_close(res[3].z_sibling, 0.0, 0);
    assert_true(res[3].is_hot);
    assert_false(res[1].is_hot);
}

/* History 0, 8, 0, 8: mean 4, variance 64/3 > 4, size 16 / (64/3 - 4) = 12/13; a count of 12 is
 * then P = 0.0723190503 (not hot), where a Poisson(4) would say 0.000915. An explicit
 * expectation replaces the mean. An empty history uses the floor 0.5, and the minimum count
 * keeps a 4 from being news: P(X >= 4 | 0.5) = 0.00175162. */
static void test_overdispersion_expected_and_min_count(void **state)
{
    (void)state;
    const double wild[4] = {0, 8, 0, 8};
    const double flat[4] = {4, 4, 4, 4};
    struct hotspot_cell cells[4] = {
        {12, -1, wild, 4}, {4, -1, flat, 4}, {4, -1, flat, 4}, {4, -1, flat, 4}};
    struct hotspot_params prm;
    struct hotspot_result res[4];
    hotspot_params_default(&prm);
    assert_int_equal(hotspot_score(cells, 4, 1, &prm, res), 0);
    assert_close(res[0].p_value, 0.0723189503, 1e-6);
    assert_close(res[0].p_value, hotspot_tail(12, 4, 12.0 / 13.0), 1e-12);
    assert_false(res[0].is_hot);
    /* the caller's seasonal expectation of 2 (history still gives the dispersion) */
    cells[0].expected = 2.0;
    assert_int_equal(hotspot_score(cells, 4, 1, &prm, res), 0);
    assert_close(res[0].expected, 2.0, 0);
    assert_close(res[0].p_value, hotspot_tail(12, 2, 12.0 / 13.0), 1e-12);
    /* empty history */
    struct hotspot_cell lone[1] = {{4, -1, NULL, 0}};
    assert_int_equal(hotspot_score(lone, 1, 1, &prm, res), 0);
    assert_close(res[0].expected, HOTSPOT_MU_FLOOR, 0);
    assert_close(res[0].p_value, 0.00175162256, 1e-9);
    assert_false(res[0].is_hot); /* 4 < min_count 5 */
    prm.min_count = 4;
    assert_int_equal(hotspot_score(lone, 1, 1, &prm, res), 0);
    assert_true(res[0].is_hot);
}

static void test_bad_input(void **state)
{
    (void)state;
    const double hist[2] = {1, -1};
    struct hotspot_cell ok[1] = {{1, -1, NULL, 0}};
    struct hotspot_cell c[1];
    struct hotspot_params prm;
    struct hotspot_result res[1];
    hotspot_params_default(&prm);
    memset(res, 0x5a, sizeof(res));
    c[0] = (struct hotspot_cell){-1, -1, NULL, 0};
    assert_int_equal(hotspot_score(c, 1, 1, &prm, res), ERR_INVALID);
    c[0] = (struct hotspot_cell){NAN, -1, NULL, 0};
    assert_int_equal(hotspot_score(c, 1, 1, &prm, res), ERR_INVALID);
    c[0] = (struct hotspot_cell){1, -1, hist, 2};
    assert_int_equal(hotspot_score(c, 1, 1, &prm, res), ERR_INVALID);
    c[0] = (struct hotspot_cell){1, -1, NULL, 3};
    assert_int_equal(hotspot_score(c, 1, 1, &prm, res), ERR_INVALID);
    c[0] = (struct hotspot_cell){1, INFINITY, NULL, 0};
    assert_int_equal(hotspot_score(c, 1, 1, &prm, res), ERR_INVALID);
    assert_int_equal(hotspot_score(ok, 0, 1, &prm, res), ERR_INVALID);
    assert_int_equal(hotspot_score(ok, 1, 0, &prm, res), ERR_INVALID);
    assert_int_equal(hotspot_score(ok, HOTSPOT_CELLS_MAX + 1, 1, &prm, res), ERR_INVALID);
    prm.max_p = 0;
    assert_int_equal(hotspot_score(ok, 1, 1, &prm, res), ERR_INVALID);
    /* out untouched on failure */
    unsigned char pattern[sizeof(res)];
    memset(pattern, 0x5a, sizeof(pattern));
    assert_memory_equal(res, pattern, sizeof(res));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poisson_tail),
        cmocka_unit_test(test_negative_binomial_tail),
        cmocka_unit_test(test_sibling_example),
        cmocka_unit_test(test_city_wide_surge_is_not_a_hot_spot),
        cmocka_unit_test(test_layout_and_few_siblings),
        cmocka_unit_test(test_overdispersion_expected_and_min_count),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
