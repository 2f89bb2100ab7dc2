/*
 * test_demo_disputes.c - the demo year of disputes and councils: generated over a fresh demo
 * city through the use cases, it holds disputes of every type ending every way, recurrences,
 * escalations and follow-ups, one council per village with a topic in every state, counters
 * that agree with the child rows and logs, and the same seed gives the same data.
 */
#include "service/demo_disputes.h"

#include "base/config.h"
#include "service/auth.h"
#include "service/context.h"
#include "service/demo.h"

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

#define SEED   7u
#define END_MS 1780243200000LL /* 2026-06-01 */

static char tmp_dir[64];
static char db_main[128];
static struct demo_disputes_result main_res;

static void remove_db(const char *path)
{
    char buf[200];
    unlink(path);
    snprintf(buf, sizeof(buf), "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof(buf), "%s-shm", path);
    unlink(buf);
}

static int generate(const char *path, uint64_t seed, struct demo_disputes_result *res)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct service_ctx *ctx = NULL;
    struct demo_options city = {"small", seed, "demo-password-1", NULL};
    struct demo_disputes_options opt = {seed, END_MS};
    struct demo_result city_res;
    int r;

    remove_db(path);
    if ((r = store_open(path, STORE_CREATE, &st, &eb)) != 0)
        return r;
    r = demo_generate(st, &city, &city_res, &eb);
    store_close(st);
    if (r != 0) {
        print_message("# city: %s\n", errbuf_message(&eb, r));
        return r;
    }
    config_defaults(&cfg);
    if ((r = config_set(&cfg, "db", path, &eb)) != 0 ||
        (r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return r;
    r = demo_disputes_generate(ctx, &opt, res, &eb);
    if (r != 0)
        print_message("# demo_disputes_generate: %s\n", errbuf_message(&eb, r));
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

static int group_setup(void **state)
{
    (void)state;
    if (auth_global_init() != 0)
        return -1;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/gridgov-demo-disputes-XXXXXX");
    if (mkdtemp(tmp_dir) == NULL)
        return -1;
    snprintf(db_main, sizeof(db_main), "%s/main.db", tmp_dir);
    return generate(db_main, SEED, &main_res) == 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    char path[160];
    (void)state;
    remove_db(db_main);
    snprintf(path, sizeof(path), "%s/again.db", tmp_dir);
    remove_db(path);
    rmdir(tmp_dir);
    return 0;
}

static void test_disputes_of_every_kind(void **state)
{
    (void)state;
    int64_t n = sql_count(db_main, "SELECT count(*) FROM disputes");
    assert_int_equal(n, main_res.disputes);
    assert_true(n >= 100);
    /* every type but perhaps the rarest appears, every end appears, some are still open */
    assert_true(sql_count(db_main, "SELECT count(DISTINCT type) FROM disputes") >= 8);
    assert_true(main_res.by_state[DISPUTE_STATE_AGREED] > 0);
    assert_true(main_res.by_state[DISPUTE_STATE_CONCLUDED] > 0);
    assert_true(main_res.by_state[DISPUTE_STATE_REFERRED] > 0);
    assert_true(main_res.by_state[DISPUTE_STATE_WITHDRAWN] > 0);
    assert_true(main_res.recurrences > 0);
    assert_true(main_res.escalated > 0);
    assert_true(main_res.follow_ups > 0);
    for (int s = 0; s < DISPUTE_STATE_COUNT; s++) {
        char sql[160];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM disputes WHERE state = '%s'",
                 dispute_state_name((enum dispute_state)s));
        assert_int_equal(sql_count(db_main, sql), main_res.by_state[s]);
    }
    /* the agreements mostly hold: settled (agreement or 调结) is the larger part */
    assert_true(main_res.by_state[DISPUTE_STATE_AGREED] +
                    main_res.by_state[DISPUTE_STATE_CONCLUDED] >
                n / 2);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM disputes WHERE recurrence_of <> 0"),
                     main_res.recurrences);
    /* escalated ones sit above the community */
    assert_true(sql_count(db_main, "SELECT count(*) FROM disputes WHERE level < 4") > 0);
}

static void test_counters_match_rows(void **state)
{
    (void)state;
    /* every counter on a dispute equals its child rows, and every change is one event */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM disputes d WHERE session_count <> "
                                        "(SELECT count(*) FROM dispute_sessions s "
                                        "WHERE s.dispute_id = d.id)"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM disputes d WHERE mediator_count <> "
                                        "(SELECT count(*) FROM dispute_mediators m "
                                        "WHERE m.dispute_id = d.id)"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM disputes d WHERE follow_up_count <> "
                                        "(SELECT count(*) FROM dispute_follow_ups f "
                                        "WHERE f.dispute_id = d.id)"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM disputes d WHERE event_seq <> "
                                        "(SELECT count(*) FROM dispute_events e "
                                        "WHERE e.dispute_id = d.id)"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM disputes d WHERE "
                                        "(SELECT count(*) FROM dispute_parties p "
                                        "WHERE p.dispute_id = d.id) < 2"),
                     0);
    /* nothing happened after the end of the year */
    assert_int_equal(
        sql_count(db_main, "SELECT count(*) FROM dispute_events WHERE at_ms >= 1780243200000"), 0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM topics t WHERE open_tasks <> "
                                        "(SELECT count(*) FROM topic_tasks k "
                                        "WHERE k.topic_id = t.id AND k.done_ms = 0)"),
                     0);
}

static void test_councils_topics_in_every_state(void **state)
{
    (void)state;
    int64_t villages =
        sql_count(db_main, "SELECT count(*) FROM areas WHERE level = 5 AND "
                           "CAST(substr(code, 10, 3) AS INTEGER) BETWEEN 200 AND 399");
    assert_true(villages > 0);
    assert_int_equal(main_res.councils, villages);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM councils"), villages);
    for (int s = 0; s < COUNCIL_STATE_COUNT; s++) {
        char sql[160];
        assert_int_equal(main_res.topics_by_state[s], villages);
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM topics WHERE state = '%s'",
                 council_state_name((enum council_state)s));
        assert_int_equal(sql_count(db_main, sql), villages);
    }
    /* 7..9 voting members and a supervisor with an account in every council */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM councils c WHERE (SELECT count(*) "
                                        "FROM council_members m WHERE m.council_id = c.id AND "
                                        "position IN ('chair', 'member')) NOT BETWEEN 7 AND 9"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM councils c WHERE NOT EXISTS (SELECT "
                                        "1 FROM council_members m WHERE m.council_id = c.id AND "
                                        "position = 'supervisor' AND user_id <> 0)"),
                     0);
    /* done only with a sign-off; every vote that was counted passed or failed by its totals */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM topics t WHERE state = 'done' AND "
                                        "NOT EXISTS (SELECT 1 FROM topic_notes n WHERE n.topic_id "
                                        "= t.id AND n.kind = 'sign_off')"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM topics WHERE state IN ('review', "
                                        "'executing', 'supervision', 'done') AND is_passed = 0"),
                     0);
    assert_int_equal(
        sql_count(db_main,
                  "SELECT count(*) FROM topics WHERE state = 'rejected' AND is_passed = 1"),
        0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM topics WHERE is_published = 1") >=
                2 * villages);
}

static void test_refuses_a_second_year(void **state)
{
    (void)state;
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct demo_disputes_options opt = {SEED, END_MS};
    struct demo_disputes_result res;
    config_defaults(&cfg);
    assert_int_equal(config_set(&cfg, "db", db_main, &eb), 0);
    assert_int_equal(service_ctx_open(&cfg, 0, &ctx, &eb), 0);
    assert_int_equal(demo_disputes_generate(ctx, &opt, &res, &eb), ERR_EXISTS);
    service_ctx_free(ctx);
}

static void test_deterministic(void **state)
{
    (void)state;
    char again[160];
    struct demo_disputes_result res;
    const char *sums[] = {
        "SELECT total(id * length(title) + level * 7 + session_count * 13) FROM disputes",
        "SELECT total(found_ms % 1000003 + updated_ms % 999983) FROM disputes",
        "SELECT total(length(state) * id + length(outcome)) FROM disputes",
        "SELECT total(vote_yes * 31 + vote_no * 7 + id) FROM topics",
    };
    snprintf(again, sizeof(again), "%s/again.db", tmp_dir);
    assert_int_equal(generate(again, SEED, &res), 0);
    assert_memory_equal(&res, &main_res, sizeof(res));
    for (size_t i = 0; i < sizeof(sums) / sizeof(sums[0]); i++)
        assert_int_equal(sql_count(again, sums[i]), sql_count(db_main, sums[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_disputes_of_every_kind),
        cmocka_unit_test(test_counters_match_rows),
        cmocka_unit_test(test_councils_topics_in_every_state),
        cmocka_unit_test(test_refuses_a_second_year),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
