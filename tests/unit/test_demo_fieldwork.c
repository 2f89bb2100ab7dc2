/*
 * test_demo_fieldwork.c - the demo's year of field work (service/demo_fieldwork.c) on the
 * small demo city (no cases first: the field work does not need them): a grid worker per grid;
 * patrols ended with 5-8 fixes, a few outside their grid, none implausibly fast; lagging grids
 * patrolling under the norm while the others meet it; every visit in its household's timeline;
 * a station team per street with sessions, ticketed items linked to their cases; the
 * compliance report showing the gaps worst first; determinism and refusal to run twice.
 *
 * Counts are read with plain SQL on the database file (read-only, test code only).
 */
#include "service/demo_fieldwork.h"

#include "base/config.h"
#include "base/timeutil.h"
#include "service/auth.h"
#include "service/compliance.h"
#include "service/context.h"
#include "service/demo.h"
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEED   77u
#define DAY_MS (24LL * 3600 * 1000)
/* The year ends at the next local midnight (UTC+8) after the test starts, as `gridgov demo`
 * does at today's: the city's household files are opened at generation time, and visits are
 * judged against them. Fixed once, so both runs of the determinism test share it. */
static int64_t END_MS;

static char tmp_dir[64];
static char db_main[128];
static struct demo_fieldwork_result main_res;

static void remove_db(const char *path)
{
    char buf[200];
    unlink(path);
    snprintf(buf, sizeof(buf), "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof(buf), "%s-shm", path);
    unlink(buf);
}

static int open_ctx(const char *path, struct service_ctx **ctx)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    config_defaults(&cfg);
    if (config_set(&cfg, "db", path, &eb) != 0)
        return ERR_INVALID;
    return service_ctx_open(&cfg, 0, ctx, &eb);
}

static int generate(const char *path, uint64_t seed, struct demo_fieldwork_result *res)
{
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct service_ctx *ctx = NULL;
    struct demo_options city = {"small", seed, "demo-password-1", NULL};
    struct demo_fieldwork_options opt = {"small", seed, END_MS};
    struct demo_result city_res;
    int r;
    remove_db(path);
    if ((r = store_open(path, STORE_CREATE, &st, &eb)) != 0)
        return r;
    r = demo_generate(st, &city, &city_res, &eb);
    store_close(st);
    if (r != 0 || (r = open_ctx(path, &ctx)) != 0)
        return r;
    r = demo_fieldwork_generate(ctx, &opt, res, &eb);
    if (r != 0)
        print_message("# demo_fieldwork_generate: %s\n", errbuf_message(&eb, r));
    service_ctx_free(ctx);
    return r;
}

static int64_t sql_count(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int64_t v;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return v;
}

static int setup(void **state)
{
    (void)state;
    if (auth_global_init() != 0)
        return -1;
    END_MS = (time_now_ms() + 8 * 3600000LL) / DAY_MS * DAY_MS + DAY_MS - 8 * 3600000LL;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/gridgov-demo-fw-XXXXXX");
    if (mkdtemp(tmp_dir) == NULL)
        return -1;
    snprintf(db_main, sizeof(db_main), "%s/main.db", tmp_dir);
    return generate(db_main, SEED, &main_res) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[128];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_grid_workers_and_patrols(void **state)
{
    int64_t grids = sql_count(db_main, "SELECT count(*) FROM areas WHERE level = 6");
    (void)state;
    assert_in_range(grids, 50, 80); /* "about 60" in the small city */
    /* one grid worker per grid: the demo's own and one added for each other grid */
    assert_int_equal(main_res.grid_workers, grids - 1);
    assert_int_equal(sql_count(db_main, "SELECT count(DISTINCT area_code) FROM users "
                                        "WHERE role = 'grid_worker' AND length(area_code) = 15"),
                     grids);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM patrols"), main_res.patrols);
    /* 91 days, about 1.6 patrols a day per grid on average */
    assert_in_range(main_res.patrols, grids * 91, grids * 91 * 2 + 100);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM patrols WHERE ended_ms = 0"), 0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM patrols WHERE n_points < 5 OR "
                                        "n_points > 8 OR distance_m <= 0 OR duration_ms <= 0"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM patrol_points"), main_res.points);
    assert_int_equal(sql_count(db_main, "SELECT sum(n_fast) FROM patrols"), 0);
    /* about one patrol in twenty ends a step outside its grid: kept and flagged */
    assert_int_equal(sql_count(db_main, "SELECT sum(n_outside) FROM patrols"),
                     main_res.outside_points);
    assert_in_range(main_res.outside_points, main_res.patrols / 40, main_res.patrols / 10);
    /* every track point lies within a day of its patrol and in its time order */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM patrol_points t JOIN patrols p ON "
                                        "p.id = t.patrol_id WHERE t.t_ms < p.started_ms OR "
                                        "t.t_ms > p.ended_ms"),
                     0);
}

static void test_lagging_grids(void **state)
{
    /* patrols a day per grid over the 91 days: the laggards under 1, the others over 1.4 */
    int64_t under = sql_count(db_main, "SELECT count(*) FROM (SELECT grid_code, count(*) / 91.0 "
                                       "AS d FROM patrols GROUP BY grid_code) WHERE d < 1.1");
    int64_t over = sql_count(db_main, "SELECT count(*) FROM (SELECT grid_code, count(*) / 91.0 "
                                      "AS d FROM patrols GROUP BY grid_code) WHERE d > 1.4");
    int64_t grids = sql_count(db_main, "SELECT count(*) FROM areas WHERE level = 6");
    (void)state;
    assert_true(main_res.lagging_grids >= 3 && main_res.lagging_grids <= 25);
    assert_int_equal(under, main_res.lagging_grids);
    assert_int_equal(over, grids - main_res.lagging_grids);
}

static void test_visits_in_timelines(void **state)
{
    int64_t households = sql_count(db_main, "SELECT count(*) FROM households");
    (void)state;
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM visits"), main_res.visits);
    assert_true(main_res.visits > households);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM household_links WHERE kind = "
                                        "'visit'"),
                     main_res.visits);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM visits v JOIN households h ON "
                                        "h.id = v.subject_id WHERE v.cell_code != h.cell_code"),
                     0);
    {
        char sql[200];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM visits WHERE visited_ms >= %lld OR visited_ms < %lld",
                 (long long)END_MS, (long long)(END_MS - 365 * DAY_MS));
        assert_int_equal(sql_count(db_main, sql), 0);
    }
}

static void test_station_teams(void **state)
{
    (void)state;
    assert_int_equal(main_res.teams, 3); /* one per street of the small city */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM station_teams"), 3);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM station_sessions"),
                     main_res.sessions);
    /* weekly office hours held most weeks: between 60% and 100% of 52-104 a year per team */
    assert_in_range(main_res.sessions, 3 * 52 * 6 / 10, 3 * 105);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM station_items"), main_res.items);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM station_items WHERE kind = "
                                        "'ticketed'"),
                     main_res.tickets);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM station_items i JOIN "
                                        "field_case_links l ON l.source = 'session' AND "
                                        "l.source_id = i.session_id AND l.case_id = i.case_id "
                                        "JOIN cases c ON c.id = i.case_id AND c.channel = "
                                        "'office_hours' WHERE i.kind = 'ticketed'"),
                     main_res.tickets);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM station_items WHERE kind != "
                                        "'ticketed' AND case_id != 0"),
                     0);
}

static void test_compliance_shows_the_gaps(void **state)
{
    struct service_ctx *ctx = NULL;
    struct compliance_report rep;
    struct errbuf eb = {{0}};
    struct principal leader;
    int lagging_first = 0;
    (void)state;
    memset(&leader, 0, sizeof(leader));
    leader.user_id = 1;
    leader.role = ROLE_LEADER;
    snprintf(leader.scope, sizeof(leader.scope), "%s", "440605");
    assert_int_equal(open_ctx(db_main, &ctx), 0);
    assert_int_equal(compliance_report(ctx, &leader, "440605", END_MS - 30 * DAY_MS, END_MS, END_MS,
                                       COMPLIANCE_SORT_PATROLS, &rep, &eb),
                     0);
    assert_int_equal((int64_t)rep.n_grids, main_res.grid_workers + 1);
    for (size_t i = 0; i < (size_t)main_res.lagging_grids; i++)
        lagging_first += rep.grids[i].patrol_rate < 0.55;
    assert_int_equal(lagging_first, main_res.lagging_grids);
    assert_true(rep.grids[rep.n_grids - 1].patrol_rate > 0.8);
    for (size_t i = 1; i < rep.n_grids; i++)
        assert_true(rep.grids[i - 1].patrol_rate <= rep.grids[i].patrol_rate);
    assert_int_equal(rep.n_teams, 3);
    compliance_report_cleanup(&rep);
    /* by visits: the lagging grids leave households past their interval */
    assert_int_equal(compliance_report(ctx, &leader, "440605", END_MS - 30 * DAY_MS, END_MS, END_MS,
                                       COMPLIANCE_SORT_OVERDUE, &rep, &eb),
                     0);
    assert_true(rep.grids[0].overdue > 0);
    assert_true(rep.grids[0].overdue > rep.grids[rep.n_grids - 1].overdue);
    compliance_report_cleanup(&rep);
    service_ctx_free(ctx);
}

static void test_deterministic_and_once(void **state)
{
    char path[160];
    struct demo_fieldwork_result again;
    struct demo_fieldwork_options opt = {"small", SEED, END_MS};
    struct service_ctx *ctx = NULL;
    struct errbuf eb = {{0}};
    (void)state;
    memset(&again, 0, sizeof(again));
    snprintf(path, sizeof(path), "%s/again.db", tmp_dir);
    assert_int_equal(generate(path, SEED, &again), 0);
    assert_int_equal(again.patrols, main_res.patrols);
    assert_int_equal(again.points, main_res.points);
    assert_int_equal(again.outside_points, main_res.outside_points);
    assert_int_equal(again.visits, main_res.visits);
    assert_int_equal(again.sessions, main_res.sessions);
    assert_int_equal(again.tickets, main_res.tickets);
    assert_int_equal(sql_count(path, "SELECT sum(distance_m) * 1000 FROM patrols"),
                     sql_count(db_main, "SELECT sum(distance_m) * 1000 FROM patrols"));
    assert_int_equal(sql_count(path, "SELECT sum(visited_ms % 86400000) FROM visits"),
                     sql_count(db_main, "SELECT sum(visited_ms % 86400000) FROM visits"));
    /* a second year on the same database is refused */
    assert_int_equal(open_ctx(path, &ctx), 0);
    assert_int_equal(demo_fieldwork_generate(ctx, &opt, &again, &eb), ERR_EXISTS);
    opt.scale = "town";
    assert_int_equal(demo_fieldwork_generate(ctx, &opt, &again, &eb), ERR_INVALID);
    service_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_workers_and_patrols),
        cmocka_unit_test(test_lagging_grids),
        cmocka_unit_test(test_visits_in_timelines),
        cmocka_unit_test(test_station_teams),
        cmocka_unit_test(test_compliance_shows_the_gaps),
        cmocka_unit_test(test_deterministic_and_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
