/*
 * test_compliance.c - compliance arithmetic (domain/compliance.h): channel classes, patrol
 * rates and whole-patrol shortfalls against the norm of two a day, the found share, team
 * session rates, and every worst-first order with its tie-breaks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/compliance.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static struct grid_compliance grid(const char *code, int64_t patrols, int64_t households,
                                   int64_t unvisited, int64_t overdue, int64_t found,
                                   int64_t resident, double days)
{
    struct grid_compliance g;
    memset(&g, 0, sizeof(g));
    snprintf(g.grid, sizeof(g.grid), "%s", code);
    g.patrols = patrols;
    g.households = households;
    g.unvisited_30 = unvisited;
    g.overdue = overdue;
    g.cases_found = found;
    g.cases_resident = resident;
    compliance_grid_finish(&g, days);
    return g;
}

static void test_channel_classes(void **state)
{
    (void)state;
    assert_int_equal(compliance_channel_class("patrol"), COMPLIANCE_FOUND);
    assert_int_equal(compliance_channel_class("visit"), COMPLIANCE_FOUND);
    assert_int_equal(compliance_channel_class("web"), COMPLIANCE_RESIDENT);
    assert_int_equal(compliance_channel_class("phone"), COMPLIANCE_RESIDENT);
    assert_int_equal(compliance_channel_class("open311"), COMPLIANCE_RESIDENT);
    assert_int_equal(compliance_channel_class("app"), COMPLIANCE_RESIDENT);
    assert_int_equal(compliance_channel_class("office_hours"), COMPLIANCE_OTHER);
    assert_int_equal(compliance_channel_class("building_chief"), COMPLIANCE_OTHER);
    assert_int_equal(compliance_channel_class(""), COMPLIANCE_OTHER);
}

static void test_grid_rates(void **state)
{
    struct grid_compliance g;
    (void)state;
    /* 30 days, 45 patrols: 1.5 a day, 75% of the norm, 15 missing */
    g = grid("440605001001001", 45, 300, 30, 12, 6, 2, 30);
    assert_true(fabs(g.patrols_per_day - 1.5) < 1e-12);
    assert_true(fabs(g.patrol_rate - 0.75) < 1e-12);
    assert_int_equal(g.patrol_shortfall, 15);
    assert_true(fabs(g.found_share - 0.75) < 1e-12);
    /* above the norm: no shortfall */
    g = grid("1", 70, 0, 0, 0, 0, 0, 30);
    assert_int_equal(g.patrol_shortfall, 0);
    assert_true(fabs(g.patrol_rate - 70.0 / 60.0) < 1e-12);
    /* a fractional period: 1.25 days expect 2.5 patrols; 1 done, 1.5 missing = 2 whole */
    g = grid("1", 1, 0, 0, 0, 0, 0, 1.25);
    assert_int_equal(g.patrol_shortfall, 2);
    /* exactly on the norm */
    g = grid("1", 14, 0, 0, 0, 0, 0, 7);
    assert_int_equal(g.patrol_shortfall, 0);
    assert_true(g.patrol_rate == 1.0);
    /* no cases at all: no share */
    g = grid("1", 0, 0, 0, 0, 0, 0, 7);
    assert_true(g.found_share < 0);
    assert_int_equal(g.patrol_shortfall, 14);
    assert_true(g.patrols_per_day == 0.0);
    /* residents find everything */
    g = grid("1", 0, 0, 0, 0, 0, 9, 7);
    assert_true(g.found_share == 0.0);
}

static void test_team_rates(void **state)
{
    struct team_compliance t;
    (void)state;
    memset(&t, 0, sizeof(t));
    t.scheduled = 4;
    t.held = 3;
    compliance_team_finish(&t);
    assert_int_equal(t.missed, 1);
    assert_true(fabs(t.held_rate - 0.75) < 1e-12);
    t.held = 6; /* extra sessions do not make up for anything else: capped */
    compliance_team_finish(&t);
    assert_int_equal(t.missed, 0);
    assert_true(t.held_rate == 1.0);
    t.scheduled = 0;
    t.held = 0;
    compliance_team_finish(&t);
    assert_int_equal(t.missed, 0);
    assert_true(t.held_rate == 1.0);
}

static void order(struct grid_compliance *g, size_t n, enum compliance_sort key, const char *want)
{
    char got[64];
    size_t len = 0;
    compliance_sort_grids(g, n, key);
    for (size_t i = 0; i < n && len + 1 < sizeof(got); i++)
        got[len++] = g[i].grid[0]; /* one-letter codes */
    got[len] = '\0';
    assert_string_equal(got, want);
}

static void test_grid_orders(void **state)
{
    /*      patrols rate  unvisited share  overdue  found share
     * A    30/30d=0.5    10/100 = 0.10    5        2/4 = 0.5
     * B    15/30d=0.25   50/100 = 0.50    5        0/1 = 0
     * C    60/30d=1.0    10/100 = 0.10    20       none
     * D    15/30d=0.25   10/50  = 0.20    1        3/3 = 1 */
    struct grid_compliance g[4];
    (void)state;
    g[0] = grid("A", 30, 100, 10, 5, 2, 2, 30);
    g[1] = grid("B", 15, 100, 50, 5, 0, 1, 30);
    g[2] = grid("C", 60, 100, 10, 20, 0, 0, 30);
    g[3] = grid("D", 15, 50, 10, 1, 3, 0, 30);
    /* B and D tie on patrols: B has more overdue */
    order(g, 4, COMPLIANCE_SORT_PATROLS, "BDAC");
    /* unvisited share: B .5, D .2, then A and C (.1, 10 each): C first by overdue */
    order(g, 4, COMPLIANCE_SORT_UNVISITED, "BDCA");
    /* overdue: C 20, then A and B (5): B has the larger unvisited share */
    order(g, 4, COMPLIANCE_SORT_OVERDUE, "CBAD");
    /* found share: B 0, A .5, D 1, C without cases last */
    order(g, 4, COMPLIANCE_SORT_FOUND, "BADC");
    /* complete ties fall back to the grid code */
    g[0] = grid("Z", 1, 1, 1, 1, 1, 1, 1);
    g[1] = grid("Y", 1, 1, 1, 1, 1, 1, 1);
    order(g, 2, COMPLIANCE_SORT_PATROLS, "YZ");
    assert_int_equal(compliance_sort_parse("patrols"), COMPLIANCE_SORT_PATROLS);
    assert_int_equal(compliance_sort_parse("found"), COMPLIANCE_SORT_FOUND);
    assert_int_equal(compliance_sort_parse("best"), -1);
    assert_int_equal(compliance_sort_parse(NULL), -1);
}

static void test_team_order(void **state)
{
    struct team_compliance t[3];
    (void)state;
    memset(t, 0, sizeof(t));
    t[0] = (struct team_compliance){1, "a", 4, 4, 0, 0};
    t[1] = (struct team_compliance){2, "b", 8, 5, 0, 0};
    t[2] = (struct team_compliance){3, "c", 4, 1, 0, 0};
    for (int i = 0; i < 3; i++)
        compliance_team_finish(&t[i]);
    /* b and c both missed 3: c held the smaller share */
    compliance_sort_teams(t, 3);
    assert_int_equal(t[0].team_id, 3);
    assert_int_equal(t[1].team_id, 2);
    assert_int_equal(t[2].team_id, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_channel_classes), cmocka_unit_test(test_grid_rates),
        cmocka_unit_test(test_team_rates),      cmocka_unit_test(test_grid_orders),
        cmocka_unit_test(test_team_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
