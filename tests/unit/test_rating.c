/*
 * test_rating.c - the composite community score, the star rating, sibling ranks and the
 * settings document (domain/rating.c) on hand-computed examples (docs/INDICATORS.md,
 * "Ratings").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/rating.h"

#include <math.h>
#include <string.h>

/* closure .9, on time .8, satisfaction .75, rework .1, escalation .2, patrol .5, response 1,
 * survey security 80, satisfaction 70. */
static void example(double v[RATING_COMPONENT_COUNT])
{
    v[RC_CLOSURE_RATE] = 0.9;
    v[RC_ON_TIME_CLOSURE_RATE] = 0.8;
    v[RC_SATISFACTION_RATE] = 0.75;
    v[RC_REWORK_RATE] = 0.1;
    v[RC_ESCALATION_RATE] = 0.2;
    v[RC_PATROL_FOUND_SHARE] = 0.5;
    v[RC_RESPONSE_RATE] = 1.0;
    v[RC_SURVEY_SECURITY] = 80;
    v[RC_SURVEY_SATISFACTION] = 70;
}

static void test_defaults(void **state)
{
    struct rating_settings s;
    double sum = 0;
    (void)state;
    rating_settings_default(&s);
    assert_int_equal(rating_settings_validate(&s, NULL), 0);
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
        sum += s.weight[i];
    assert_true(fabs(sum - 100) < 1e-9);
    assert_true(s.weight[RC_ON_TIME_CLOSURE_RATE] == 20);
    assert_true(s.star_min[5] == 90 && s.star_min[2] == 60);
    assert_string_equal(rating_component_name(RC_REWORK_RATE), "rework_rate");
    assert_string_equal(rating_component_name_zh(RC_SURVEY_SECURITY), "群众安全感");
    assert_true(rating_component_is_lower_better(RC_ESCALATION_RATE));
    assert_false(rating_component_is_lower_better(RC_CLOSURE_RATE));
    assert_null(rating_component_name(RATING_COMPONENT_COUNT));
}

static void test_score(void **state)
{
    struct rating_settings s;
    struct rating_result res;
    double v[RATING_COMPONENT_COUNT];
    (void)state;
    rating_settings_default(&s);
    example(v);
    rating_score(v, &s, &res);
    /* subs 90 80 75 90 80 50 100 80 70, weights 15 20 15 10 5 10 5 10 10:
     * 1350+1600+1125+900+400+500+500+800+700 = 7875 over 100 */
    assert_true(fabs(res.sub[RC_REWORK_RATE] - 90) < 1e-9);
    assert_true(fabs(res.sub[RC_ESCALATION_RATE] - 80) < 1e-9);
    assert_true(fabs(res.sub[RC_SURVEY_SATISFACTION] - 70) < 1e-9);
    assert_true(fabs(res.score - 78.75) < 1e-9);
    assert_true(fabs(res.coverage - 1.0) < 1e-9);

    /* no survey: 7875 − 800 − 700 = 6375 over 80 */
    v[RC_SURVEY_SECURITY] = NAN;
    v[RC_SURVEY_SATISFACTION] = NAN;
    rating_score(v, &s, &res);
    assert_true(isnan(res.sub[RC_SURVEY_SECURITY]));
    assert_true(fabs(res.score - 79.6875) < 1e-9);
    assert_true(fabs(res.coverage - 0.8) < 1e-9);

    /* a weight of 0 leaves its (defined) component out of the mean */
    s.weight[RC_PATROL_FOUND_SHARE] = 0;
    rating_score(v, &s, &res); /* (6375 − 500) / 70 */
    assert_true(fabs(res.sub[RC_PATROL_FOUND_SHARE] - 50) < 1e-9);
    assert_true(fabs(res.score - 5875.0 / 70.0) < 1e-9);
    assert_true(fabs(res.coverage - 70.0 / 90.0) < 1e-9);
}

static void test_clamp_and_undefined(void **state)
{
    struct rating_settings s;
    struct rating_result res;
    double v[RATING_COMPONENT_COUNT];
    (void)state;
    rating_settings_default(&s);
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
        v[i] = NAN;
    rating_score(v, &s, &res);
    assert_true(isnan(res.score));
    assert_true(res.coverage == 0);
    /* rework above 100 % scores 0, a survey above 100 counts as 100 */
    v[RC_REWORK_RATE] = 1.5;
    v[RC_SURVEY_SECURITY] = 120;
    rating_score(v, &s, &res); /* (10·0 + 10·100) / 20 */
    assert_true(res.sub[RC_REWORK_RATE] == 0);
    assert_true(res.sub[RC_SURVEY_SECURITY] == 100);
    assert_true(fabs(res.score - 50) < 1e-9);
}

static void test_components_from_indicators(void **state)
{
    double iv[INDICATOR_VALUE_COUNT], v[RATING_COMPONENT_COUNT];
    (void)state;
    for (int i = 0; i < INDICATOR_VALUE_COUNT; i++)
        iv[i] = (double)i / 100.0;
    rating_components(iv, 55, NAN, v);
    assert_true(v[RC_CLOSURE_RATE] == iv[IV_CLOSURE_RATE]);
    assert_true(v[RC_ON_TIME_CLOSURE_RATE] == iv[IV_ON_TIME_CLOSURE_RATE]);
    assert_true(v[RC_SATISFACTION_RATE] == iv[IV_SATISFACTION_RATE]);
    assert_true(v[RC_REWORK_RATE] == iv[IV_REWORK_RATE]);
    assert_true(v[RC_ESCALATION_RATE] == iv[IV_ESCALATION_RATE]);
    assert_true(v[RC_PATROL_FOUND_SHARE] == iv[IV_PATROL_FOUND_SHARE]);
    assert_true(v[RC_RESPONSE_RATE] == iv[IV_RESPONSE_RATE]);
    assert_true(v[RC_SURVEY_SECURITY] == 55);
    assert_true(isnan(v[RC_SURVEY_SATISFACTION]));
}

static void test_stars(void **state)
{
    struct rating_settings s;
    (void)state;
    rating_settings_default(&s);
    assert_int_equal(rating_stars_of(NAN, &s), 0);
    assert_int_equal(rating_stars_of(100, &s), 5);
    assert_int_equal(rating_stars_of(90, &s), 5);
    assert_int_equal(rating_stars_of(89.99, &s), 4);
    assert_int_equal(rating_stars_of(78.75, &s), 3);
    assert_int_equal(rating_stars_of(60, &s), 2);
    assert_int_equal(rating_stars_of(59.9, &s), 1);
    assert_int_equal(rating_stars_of(0, &s), 1);
    /* the survey caps the stars of the work, never raises them */
    assert_int_equal(rating_stars(92, 75, &s), 3);
    assert_int_equal(rating_stars(92, NAN, &s), 5);
    assert_int_equal(rating_stars(65, 95, &s), 2);
    assert_int_equal(rating_stars(NAN, 95, &s), 0);
    assert_int_equal(rating_stars(92, 10, &s), 1);
}

static void test_rank(void **state)
{
    double v[] = {80, NAN, 90, 80, 70};
    int ranks[5];
    (void)state;
    rating_rank(v, 5, ranks);
    assert_int_equal(ranks[0], 2);
    assert_int_equal(ranks[1], 0);
    assert_int_equal(ranks[2], 1);
    assert_int_equal(ranks[3], 2);
    assert_int_equal(ranks[4], 4);
    rating_rank(v, 0, ranks); /* nothing to rank */
}

static int parse(const char *text, struct rating_settings *s, struct errbuf *eb)
{
    memset(eb, 0, sizeof(*eb));
    return rating_settings_parse(text, strlen(text), s, eb);
}

static void test_parse(void **state)
{
    struct rating_settings s, d;
    struct errbuf eb;
    (void)state;
    rating_settings_default(&d);
    assert_int_equal(parse("setting,value\nweight.closure_rate,50\nstars.5,95\n"
                           "weight.survey_security, 0.5\n",
                           &s, &eb),
                     0);
    assert_true(s.weight[RC_CLOSURE_RATE] == 50);
    assert_true(s.weight[RC_SURVEY_SECURITY] == 0.5);
    assert_true(s.weight[RC_REWORK_RATE] == d.weight[RC_REWORK_RATE]);
    assert_true(s.star_min[5] == 95 && s.star_min[4] == 80);
    /* only the header: the defaults */
    assert_int_equal(parse("setting,value\n", &s, &eb), 0);
    assert_memory_equal(&s, &d, sizeof(s));
}

static void test_parse_errors(void **state)
{
    struct rating_settings s;
    struct errbuf eb;
    (void)state;
    assert_int_equal(parse("", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("name,value\n", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("setting,value\nweight.nothing,1\n", &s, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "line 2"));
    assert_int_equal(parse("setting,value\nweight.closure_rate,-1\n", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("setting,value\nweight.closure_rate,abc\n", &s, &eb), ERR_INVALID);
    assert_int_equal(
        parse("setting,value\nweight.closure_rate,1\n\nweight.closure_rate,2\n", &s, &eb),
        ERR_INVALID);
    assert_non_null(strstr(eb.msg, "line 4"));
    assert_int_equal(parse("setting,value\nstars.4,95\n", &s, &eb), ERR_INVALID); /* > stars.5 */
    assert_int_equal(parse("setting,value\nstars.6,95\n", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("setting,value\nstars.2,101\n", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("setting,value\nweight.closure_rate,1,2\n", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("setting,value\nweight.closure_rate,inf\n", &s, &eb), ERR_INVALID);
    assert_int_equal(parse("setting,value\n"
                           "weight.closure_rate,0\nweight.on_time_closure_rate,0\n"
                           "weight.satisfaction_rate,0\nweight.rework_rate,0\n"
                           "weight.escalation_rate,0\nweight.patrol_found_share,0\n"
                           "weight.response_rate,0\nweight.survey_security,0\n"
                           "weight.survey_satisfaction,0\n",
                           &s, &eb),
                     ERR_INVALID);
    assert_non_null(strstr(eb.msg, "all be 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_score),
        cmocka_unit_test(test_clamp_and_undefined),
        cmocka_unit_test(test_components_from_indicators),
        cmocka_unit_test(test_stars),
        cmocka_unit_test(test_rank),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
