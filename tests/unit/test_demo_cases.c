/*
 * test_demo_cases.c - unit tests for src/service/demo_cases: the small demo city and its year
 * of cases are generated once (seed SEED, the year ending at END, a holiday calendar for
 * 2025-2026 stored first) into a temporary SQLite database, then checked: the volume and every
 * channel; the seasons (school places in July–August against December–January, wage arrears
 * in the four weeks before the Spring Festival against a quiet four weeks); the outcomes
 * (96% resolved or answered among closed cases, rejections with reasons, merges into real
 * cases, not-resolved closes with reasons); the detours (rework, reopening, escalation,
 * yellow and red cards from the sweep); open cases of the last two weeks, some overdue; every
 * history chain intact; no outbox backlog; determinism (a second run with the same seed gives
 * the same numbers, states and categories); refusal to run twice; and the store function
 * that marks the outbox delivered.
 *
 * Counts over many cases are read with plain SQL on the database file (read-only, test code
 * only), where store.h has no count for them.
 */
#include "service/demo_cases.h"

#include "base/config.h"
#include "domain/calendar.h"
#include "service/auth.h"
#include "service/context.h"
#include "service/demo.h"
#include "service/history.h"
#include "service/rules.h"

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

#define SEED   20240611u
#define DAY_MS (24LL * 3600 * 1000)
/* The year ends on 2026-06-01 00:00 in Foshan (UTC+8): it spans the 2026 Spring Festival. */
#define END_MS 1780243200000LL

/* Official 2025-2026 holidays (the parts the year touches), in the format of
 * data/holidays-cn.csv. */
static const char holidays_csv[] = "date,name,kind\n"
                                   "2025-09-28,国庆节、中秋节,work\n"
                                   "2025-10-01,国庆节、中秋节,off\n"
                                   "2025-10-02,国庆节、中秋节,off\n"
                                   "2025-10-03,国庆节、中秋节,off\n"
                                   "2025-10-06,国庆节、中秋节,off\n"
                                   "2025-10-07,国庆节、中秋节,off\n"
                                   "2025-10-08,国庆节、中秋节,off\n"
                                   "2025-10-11,国庆节、中秋节,work\n"
                                   "2026-01-01,元旦,off\n"
                                   "2026-01-02,元旦,off\n"
                                   "2026-01-04,元旦,work\n"
                                   "2026-02-14,春节,work\n"
                                   "2026-02-15,春节,off\n"
                                   "2026-02-16,春节,off\n"
                                   "2026-02-17,春节,off\n"
                                   "2026-02-18,春节,off\n"
                                   "2026-02-19,春节,off\n"
                                   "2026-02-20,春节,off\n"
                                   "2026-02-23,春节,off\n"
                                   "2026-02-28,春节,work\n"
                                   "2026-04-06,清明节,off\n"
                                   "2026-05-01,劳动节,off\n"
                                   "2026-05-04,劳动节,off\n"
                                   "2026-05-05,劳动节,off\n"
                                   "2026-05-09,劳动节,work\n";

static char tmp_dir[64];
static char db_main[128];
static struct demo_cases_result main_res;

/* ---- helpers ---------------------------------------------------------------------------- */

static void remove_db(const char *path)
{
    char buf[200];
    unlink(path);
    snprintf(buf, sizeof(buf), "%s-wal", path);
    unlink(buf);
    snprintf(buf, sizeof(buf), "%s-shm", path);
    unlink(buf);
}

/* The city (seed), the holidays, then the year of cases into a new database at path. */
static int generate(const char *path, uint64_t seed, struct demo_cases_result *res)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct service_ctx *ctx = NULL;
    struct demo_options city = {"small", seed, "demo-password-1", NULL};
    struct demo_cases_options opt;
    struct demo_result city_res;
    int r;

    remove_db(path);
    if ((r = store_open(path, STORE_CREATE, &st, &eb)) != 0)
        return r;
    r = demo_generate(st, &city, &city_res, &eb);
    if (r == 0)
        r = rules_store_calendar(st, holidays_csv, strlen(holidays_csv), NULL, &eb);
    store_close(st);
    if (r != 0) {
        print_message("# city: %s\n", errbuf_message(&eb, r));
        return r;
    }
    config_defaults(&cfg);
    if ((r = config_set(&cfg, "db", path, &eb)) != 0 ||
        (r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return r;
    memset(&opt, 0, sizeof(opt));
    opt.scale = "small";
    opt.seed = seed;
    opt.end_ms = END_MS;
    r = demo_cases_generate(ctx, &opt, res, &eb);
    if (r != 0)
        print_message("# demo_cases_generate: %s\n", errbuf_message(&eb, r));
    service_ctx_free(ctx);
    return r;
}

/* One number from an SQL query on the database file (read-only connection). */
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

/* FNV-1a over every column of every row of a query: equal digests, equal results. */
static uint64_t sql_digest(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    uint64_t h = 0xcbf29ce484222325ULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int c = 0; c < sqlite3_column_count(stmt); c++) {
            const unsigned char *t = sqlite3_column_text(stmt, c);
            for (const unsigned char *p = t ? t : (const unsigned char *)""; *p; p++)
                h = (h ^ *p) * 0x100000001b3ULL;
            h = (h ^ 0x1f) * 0x100000001b3ULL;
        }
        h = (h ^ 0x1e) * 0x100000001b3ULL;
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return h;
}

/* Cases of a category created in [from, to) (local dates as "YYYY-MM-DD"). */
static int64_t count_between(const char *category, const char *from, const char *to)
{
    char sql[400];
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM cases WHERE category = '%s' AND "
             "date(created_ms / 1000 + 8 * 3600, 'unixepoch') >= '%s' AND "
             "date(created_ms / 1000 + 8 * 3600, 'unixepoch') < '%s'",
             category, from, to);
    return sql_count(db_main, sql);
}

static int sum_counts(void *ctx, const char *key, int64_t n)
{
    (void)key;
    *(int64_t *)ctx += n;
    return 0;
}

/* ---- fixtures --------------------------------------------------------------------------- */

static int group_setup(void **state)
{
    (void)state;
    if (auth_global_init() != 0)
        return -1;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/gridgov-demo-cases-XXXXXX");
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
    snprintf(path, sizeof(path), "%s/outbox.db", tmp_dir);
    remove_db(path);
    rmdir(tmp_dir);
    return 0;
}

/* ---- tests ------------------------------------------------------------------------------ */

static void test_volume_and_channels(void **state)
{
    int64_t total = 0, stored = 0;
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    (void)state;
    print_message("# %lld cases, %lld actions in %.1f s\n", (long long)main_res.cases,
                  (long long)main_res.actions, (double)main_res.elapsed_ms / 1000.0);
    assert_in_range(main_res.cases, 4800, 7200);
    for (int i = 0; i < DEMO_CASES_CHANNELS; i++) {
        print_message("#   %-15s %lld\n", demo_cases_channel_name(i),
                      (long long)main_res.by_channel[i]);
        assert_true(main_res.by_channel[i] > 0);
        total += main_res.by_channel[i];
    }
    assert_null(demo_cases_channel_name(DEMO_CASES_CHANNELS));
    assert_int_equal(total, main_res.cases);
    /* The result agrees with the store. */
    assert_int_equal(store_open(db_main, 0, &st, &eb), 0);
    assert_int_equal(store_case_count_by_status(st, "", sum_counts, &stored), 0);
    store_close(st);
    assert_int_equal(stored, main_res.cases);
    /* The patrol share is the largest, as grid workers find most things. */
    assert_true(main_res.by_channel[3] > main_res.cases / 5);
    /* Office hours are Tuesdays only (直联 reception day). */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases WHERE channel = "
                                        "'office_hours' AND strftime('%w', created_ms / 1000 + "
                                        "8 * 3600, 'unixepoch') <> '2'"),
                     0);
    /* Every case lies in a cell of the demo district, inside the year. */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases WHERE length(area_code) <> "
                                        "18 OR area_code NOT LIKE '440605%' OR lon IS NULL"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases WHERE created_ms < "
                                        "1780243200000 - 365 * 86400000 OR created_ms >= "
                                        "1780243200000"),
                     0);
    /* Fewest on Sundays. */
    assert_true(sql_count(db_main, "SELECT count(*) FROM cases WHERE strftime('%w', created_ms "
                                   "/ 1000 + 8 * 3600, 'unixepoch') = '0'") <
                sql_count(db_main, "SELECT count(*) FROM cases WHERE strftime('%w', created_ms "
                                   "/ 1000 + 8 * 3600, 'unixepoch') = '1'"));
}

static void test_seasons(void **state)
{
    int64_t school_summer, school_winter, wages_before, wages_quiet;
    (void)state;
    school_summer = count_between("1002", "2025-07-01", "2025-09-01");
    school_winter = count_between("1002", "2025-12-01", "2026-02-01");
    print_message("# 1002 school places: Jul-Aug %lld, Dec-Jan %lld\n", (long long)school_summer,
                  (long long)school_winter);
    assert_true(school_summer >= 2 * school_winter);
    assert_true(school_summer > 0);
    /* The holiday starts 2026-02-15: the four weeks before it against four quiet weeks. */
    wages_before = count_between("0801", "2026-01-18", "2026-02-15");
    wages_quiet = count_between("0801", "2025-06-08", "2025-07-06");
    print_message("# 0801 wage arrears: 4 weeks before the Spring Festival %lld, quiet %lld\n",
                  (long long)wages_before, (long long)wages_quiet);
    assert_true(wages_before >= 2 * wages_quiet);
    /* Drains block in the rainy season. */
    assert_true(count_between("0207", "2025-06-01", "2025-09-01") >
                count_between("0207", "2025-12-01", "2026-03-01"));
}

static void test_outcomes(void **state)
{
    int64_t closed = main_res.by_state[CASE_STATE_CLOSED] + main_res.by_state[CASE_STATE_EVALUATED];
    double share;
    (void)state;
    assert_true(closed > 0);
    assert_int_equal(main_res.resolved + main_res.answered + main_res.not_resolved, closed);
    share = (double)(main_res.resolved + main_res.answered) / (double)closed;
    print_message("# closed %lld: resolved %lld, answered %lld, not resolved %lld (%.1f%%)\n",
                  (long long)closed, (long long)main_res.resolved, (long long)main_res.answered,
                  (long long)main_res.not_resolved, 100 * share);
    assert_true(share >= 0.93 && share <= 0.99);
    /* The same from the rows. */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases WHERE status IN ('closed', "
                                        "'evaluated') AND outcome IN ('resolved', 'answered')"),
                     main_res.resolved + main_res.answered);
    /* Not resolved always says why; resolved never. */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases WHERE outcome = "
                                        "'not_resolved' AND outcome_reason = ''"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases WHERE outcome = 'resolved' "
                                        "AND outcome_reason <> ''"),
                     0);
    /* Paths: most dispatched, many resolved on site, some answered, rejected and merged. */
    assert_true(main_res.by_state[CASE_STATE_REJECTED] > main_res.cases / 100);
    assert_true(main_res.by_state[CASE_STATE_MERGED] > main_res.cases / 200);
    assert_true(sql_count(db_main, "SELECT count(DISTINCT case_id) FROM case_events WHERE "
                                   "action = 'resolve_on_site'") > main_res.cases / 10);
    assert_true(sql_count(db_main, "SELECT count(DISTINCT case_id) FROM case_events WHERE "
                                   "action = 'dispatch'") > main_res.cases / 2);
    /* A merged case names an existing case of the same category. */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM cases m LEFT JOIN cases t ON "
                                        "t.number = m.merged_into WHERE m.status = 'merged' AND "
                                        "(t.id IS NULL OR t.category <> m.category OR t.id = "
                                        "m.id)"),
                     0);
    /* Every rejection has its reason in the history. */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM case_events WHERE action = "
                                        "'reject' AND payload NOT LIKE '%\"reason\"%'"),
                     0);
    /* Ratings are mostly good. */
    assert_true(main_res.evaluated > 0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM cases WHERE rating >= 4") >
                4 * sql_count(db_main, "SELECT count(*) FROM cases WHERE rating BETWEEN 1 AND 3"));
}

static void test_detours(void **state)
{
    (void)state;
    print_message("# reworked %lld, reopened %lld, escalated %lld (+%lld by the sweep), yellow "
                  "%lld, red %lld, returned %lld, extended %lld, suspended %lld, urged %lld, "
                  "supervised %lld, replanned %lld\n",
                  (long long)main_res.reworked, (long long)main_res.reopened,
                  (long long)main_res.escalated, (long long)main_res.sweep_escalated,
                  (long long)main_res.sweep_yellow, (long long)main_res.sweep_red,
                  (long long)main_res.returned, (long long)main_res.extended,
                  (long long)main_res.suspended, (long long)main_res.urged,
                  (long long)main_res.supervised, (long long)main_res.replanned);
    assert_true(main_res.reworked > 0);
    assert_true(sql_count(db_main, "SELECT count(DISTINCT case_id) FROM case_events WHERE "
                                   "action = 'rework'") > 0);
    assert_true(main_res.reopened > 0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM cases WHERE reopen_count > 0") > 0);
    assert_true(main_res.escalated > 0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM cases WHERE queue_level < 6") > 0);
    assert_true(main_res.sweep_yellow + main_res.sweep_red > 0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM cases WHERE supervision IN "
                                   "('yellow_card', 'red_card')") > 0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM case_events WHERE actor_role = "
                                   "'system'") > 0);
    assert_true(main_res.returned > 0 && main_res.extended > 0 && main_res.urged > 0);
    /* The sweep ran every simulated day. */
    assert_in_range(main_res.sweeps, 364, 366);
}

static void test_recent_cases_open(void **state)
{
    int64_t open_recent, open_old;
    (void)state;
    open_recent = sql_count(db_main, "SELECT count(*) FROM cases WHERE status NOT IN ('closed', "
                                     "'evaluated', 'rejected', 'merged') AND created_ms >= "
                                     "1780243200000 - 14 * 86400000");
    open_old = sql_count(db_main, "SELECT count(*) FROM cases WHERE status NOT IN ('closed', "
                                  "'evaluated', 'rejected', 'merged') AND created_ms < "
                                  "1780243200000 - 60 * 86400000");
    print_message("# open: %lld (%lld overdue); %lld of the last 2 weeks, %lld older than 60 "
                  "days\n",
                  (long long)main_res.open, (long long)main_res.overdue, (long long)open_recent,
                  (long long)open_old);
    assert_true(open_recent > 20);
    assert_true(open_old < open_recent);
    assert_true(main_res.overdue > 0);
    assert_true(sql_count(db_main, "SELECT count(DISTINCT status) FROM cases WHERE status NOT "
                                   "IN ('closed', 'evaluated', 'rejected', 'merged')") >= 4);
    /* Nothing happened after the end of the year. */
    assert_int_equal(
        sql_count(db_main, "SELECT count(*) FROM case_events WHERE at_ms >= 1780243200000"), 0);
}

static void test_history_intact(void **state)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    struct history_verify_result hv;
    (void)state;
    assert_int_equal(store_open(db_main, 0, &st, &eb), 0);
    assert_int_equal(history_verify_all(st, &hv), 0);
    store_close(st);
    if (hv.broken_case_id != 0)
        fail_msg("case %s broken at event %lld: %s", hv.broken_number, (long long)hv.broken_seq,
                 hv.reason);
    assert_int_equal(hv.cases, main_res.cases);
    assert_true(hv.events > 4 * hv.cases);
}

static void test_no_outbox_backlog(void **state)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    int64_t backlog = -1;
    (void)state;
    assert_int_equal(store_open(db_main, 0, &st, &eb), 0);
    assert_int_equal(store_outbox_backlog(st, &backlog), 0);
    store_close(st);
    assert_int_equal(backlog, 0);
    assert_true(sql_count(db_main, "SELECT count(*) FROM outbox") > main_res.cases);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM outbox WHERE delivered_ms <> "
                                        "1780243200000"),
                     0);
}

static void test_deterministic(void **state)
{
    static const char sql[] = "SELECT number, status, category, channel, urgency, queue_level, "
                              "department, outcome, rating, event_seq, last_hash FROM cases "
                              "ORDER BY id";
    char again[160];
    struct demo_cases_result res;
    (void)state;
    memset(&res, 0, sizeof(res));
    snprintf(again, sizeof(again), "%s/again.db", tmp_dir);
    assert_int_equal(generate(again, SEED, &res), 0);
    assert_int_equal(res.cases, main_res.cases);
    assert_int_equal(res.actions, main_res.actions);
    assert_memory_equal(res.by_state, main_res.by_state, sizeof(res.by_state));
    assert_true(sql_digest(again, sql) == sql_digest(db_main, sql));
    remove_db(again);
}

static void test_refuses_a_second_year(void **state)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct demo_cases_options opt;
    struct demo_cases_result res;
    (void)state;
    config_defaults(&cfg);
    assert_int_equal(config_set(&cfg, "db", db_main, &eb), 0);
    assert_int_equal(service_ctx_open(&cfg, 0, &ctx, &eb), 0);
    memset(&opt, 0, sizeof(opt));
    opt.scale = "town";
    opt.seed = 1;
    opt.end_ms = END_MS;
    assert_int_equal(demo_cases_generate(ctx, &opt, &res, &eb), ERR_INVALID);
    opt.scale = NULL;
    assert_int_equal(demo_cases_generate(ctx, &opt, &res, &eb), ERR_EXISTS);
    assert_int_equal(res.cases, 0);
    service_ctx_free(ctx);
}

static void test_outbox_mark_all_delivered(void **state)
{
    char path[160];
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    struct outbox_msg m;
    struct outbox_list due;
    int64_t backlog = -1;
    (void)state;
    snprintf(path, sizeof(path), "%s/outbox.db", tmp_dir);
    remove_db(path);
    assert_int_equal(store_open(path, STORE_CREATE, &st, &eb), 0);
    /* Nothing to mark is not an error. */
    assert_int_equal(store_outbox_mark_all_delivered(st, 1000), 0);
    for (int i = 0; i < 3; i++) {
        memset(&m, 0, sizeof(m));
        snprintf(m.idempotency_key, sizeof(m.idempotency_key), "test-%d", i);
        snprintf(m.topic, sizeof(m.topic), "case.report");
        m.payload = "{}";
        m.created_ms = 100 + i;
        m.next_attempt_ms = 100 + i;
        assert_int_equal(store_outbox_insert(st, &m), 0);
    }
    /* One already delivered keeps its time. */
    assert_int_equal(store_outbox_due(st, 1000, 10, &due), 0);
    assert_int_equal(due.len, 3);
    assert_int_equal(store_outbox_delivered(st, due.items[0].id, 500), 0);
    outbox_list_cleanup(&due);
    assert_int_equal(store_outbox_backlog(st, &backlog), 0);
    assert_int_equal(backlog, 2);
    /* Inside a caller's transaction, as the demo does. */
    assert_int_equal(store_begin(st), 0);
    assert_int_equal(store_outbox_mark_all_delivered(st, 2000), 0);
    assert_int_equal(store_commit(st), 0);
    assert_int_equal(store_outbox_backlog(st, &backlog), 0);
    assert_int_equal(backlog, 0);
    assert_int_equal(store_outbox_due(st, 10000, 10, &due), 0);
    assert_int_equal(due.len, 0);
    outbox_list_cleanup(&due);
    store_close(st);
    assert_int_equal(sql_count(path, "SELECT count(*) FROM outbox WHERE delivered_ms = 500"), 1);
    assert_int_equal(sql_count(path, "SELECT count(*) FROM outbox WHERE delivered_ms = 2000"), 2);
    remove_db(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volume_and_channels),
        cmocka_unit_test(test_seasons),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_detours),
        cmocka_unit_test(test_recent_cases_open),
        cmocka_unit_test(test_history_intact),
        cmocka_unit_test(test_no_outbox_backlog),
        cmocka_unit_test(test_refuses_a_second_year),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_outbox_mark_all_delivered),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
