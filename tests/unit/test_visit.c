/*
 * test_visit.c - visit cadence by risk (domain/visit.h): the built-in rules, the shortest
 * applicable interval over a household's kind and every member's tags, the CSV rules document
 * (good and bad), and the overdue arithmetic on whole days.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/visit.h"

#include <string.h>

#define DAY VISIT_DAY_MS

static void test_default_rules(void **state)
{
    struct visit_rules r;
    char why[VISIT_RULE_NAME_MAX];
    const char *none[1] = {""};
    const char *alone[2] = {"veteran", "elderly_alone"};
    const char *elderly[1] = {"elderly,veteran"};
    const char *corr[1] = {"unemployed,community_correction"};
    (void)state;
    visit_rules_default(&r);
    assert_int_equal(r.default_days, 182); /* ordinary households: twice a year */
    assert_int_equal(visit_interval_days(&r, "registered_family", none, 1, why), 182);
    assert_string_equal(why, "default");
    assert_int_equal(visit_interval_days(&r, "registered_family", NULL, 0, why), 182);
    /* the shortest rule of any member wins */
    assert_int_equal(visit_interval_days(&r, "registered_family", alone, 2, why), 30);
    assert_string_equal(why, "elderly_alone");
    assert_int_equal(visit_interval_days(&r, "registered_family", elderly, 1, why), 90);
    assert_int_equal(visit_interval_days(&r, NULL, corr, 1, why), 30);
    assert_string_equal(why, "community_correction");
    /* migrants' households monthly (standards.md 5.4) */
    assert_int_equal(visit_interval_days(&r, "non_registered_family", none, 1, why), 30);
    assert_string_equal(why, "kind:non_registered_family");
    /* a tag is matched whole, not as a prefix or substring */
    {
        const char *partial[1] = {"elderly_alonex,xdisabled"};
        assert_int_equal(visit_interval_days(&r, "business", partial, 1, why), 182);
    }
    /* every monthly group named by the brief */
    {
        const char *const monthly[] = {"elderly_alone", "disabled", "left_behind_child",
                                       "community_correction", "mental_disorder"};
        for (size_t i = 0; i < sizeof(monthly) / sizeof(monthly[0]); i++) {
            const char *t[1] = {monthly[i]};
            assert_int_equal(visit_interval_days(&r, NULL, t, 1, NULL), 30);
        }
    }
}

static void test_rules_csv(void **state)
{
    struct errbuf eb = {{0}};
    struct visit_rules r;
    const char *alone[1] = {"elderly_alone,disabled"};
    const char doc[] = "rule,interval_days\r\n"
                       "default, 365\n"
                       "\n"
                       "elderly_alone,7\r\n"
                       "disabled,14\n"
                       "kind:business,60";
    (void)state;
    assert_int_equal(visit_rules_parse(doc, strlen(doc), &r, &eb), 0);
    assert_int_equal(r.default_days, 365);
    assert_int_equal(r.n, 3);
    assert_int_equal(visit_interval_days(&r, "registered_family", alone, 1, NULL), 7);
    assert_int_equal(visit_interval_days(&r, "business", NULL, 0, NULL), 60);
    assert_int_equal(visit_interval_days(&r, "social_org", NULL, 0, NULL), 365);
    /* tags without a rule fall back to the default, even those the built-ins know */
    {
        const char *t[1] = {"community_correction"};
        assert_int_equal(visit_interval_days(&r, NULL, t, 1, NULL), 365);
    }
}

static void test_rules_csv_errors(void **state)
{
    struct visit_rules r;
    static const struct {
        const char *doc;
        const char *reason;
    } bad[] = {
        {"", "empty"},
        {"rule,days\nelderly_alone,7\n", "header"},
        {"rule,interval_days\nelderly_alone\n", "line 2"},
        {"rule,interval_days\nelderly_alone,7,1\n", "line 2"},
        {"rule,interval_days\nelderly_alone,0\n", "1..3660"},
        {"rule,interval_days\nelderly_alone,3661\n", "1..3660"},
        {"rule,interval_days\nelderly_alone,7d\n", "line 2"},
        {"rule,interval_days\n\nmillionaire,7\n", "line 3"},
        {"rule,interval_days\nkind:castle,7\n", "neither"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct errbuf eb = {{0}};
        assert_int_equal(visit_rules_parse(bad[i].doc, strlen(bad[i].doc), &r, &eb), ERR_INVALID);
        assert_non_null(strstr(eb.msg, bad[i].reason));
    }
}

static void test_days_overdue(void **state)
{
    const int64_t now = 1772409600000;
    (void)state;
    /* last visited 40 days ago, monthly: 10 days overdue */
    assert_int_equal(visit_days_overdue(now - 40 * DAY, 0, 30, now), 10);
    /* 30 days and one hour ago: due today, not overdue yet (whole days) */
    assert_int_equal(visit_days_overdue(now - 30 * DAY - DAY / 24, 0, 30, now), 0);
    /* 31 days minus a millisecond: still 30 whole days */
    assert_int_equal(visit_days_overdue(now - 31 * DAY + 1, 0, 30, now), 0);
    /* never visited: counted from when the file was opened */
    assert_int_equal(visit_days_overdue(0, now - 200 * DAY, 182, now), 18);
    assert_int_equal(visit_days_overdue(0, now - 10 * DAY, 182, now), -172);
    /* a visit in the future (a clock ahead) is not overdue */
    assert_true(visit_days_overdue(now + DAY / 2, 0, 30, now) < 0);
    assert_int_equal(visit_days_overdue(now + DAY / 2, 0, 30, now), -31);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_rules),
        cmocka_unit_test(test_rules_csv),
        cmocka_unit_test(test_rules_csv_errors),
        cmocka_unit_test(test_days_overdue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
