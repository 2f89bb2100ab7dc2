/*
 * test_demo_volunteers.c - the demo's volunteers, posts, needs and chiefs
 * (service/demo_volunteers.c) on the small demo city: the records obey the rules the services
 * enforce (skills of the list, at most 24 h per person and day, no future hours, assignments
 * only of active volunteers of the need's street, up to the number wanted), the gaps are there
 * (needs without a match, idle posts, partly filled needs), chiefs sit on cells with logins of
 * role chief, and their relayed cases went through the cases workflow into their cells;
 * determinism and refusal to run twice.
 *
 * Counts are read with plain SQL on the database file (read-only, test code only).
 */
#include "service/demo_volunteers.h"

#include "base/config.h"
#include "base/timeutil.h"
#include "domain/volunteer.h"
#include "service/auth.h"
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

#define SEED   31u
#define DAY_MS (24LL * 3600 * 1000)

static int64_t END_MS;
static char tmp_dir[64];
static char db_main[128];
static struct demo_volunteers_result main_res;

static int open_ctx(const char *path, struct service_ctx **ctx)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    config_defaults(&cfg);
    if (config_set(&cfg, "db", path, &eb) != 0)
        return ERR_INVALID;
    return service_ctx_open(&cfg, 0, ctx, &eb);
}

static int generate(const char *path, uint64_t seed, struct demo_volunteers_result *res)
{
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct service_ctx *ctx = NULL;
    struct demo_options city = {"small", seed, "demo-password-1", NULL};
    struct demo_volunteers_options opt = {seed, END_MS};
    struct demo_result city_res;
    int r;
    unlink(path);
    if ((r = store_open(path, STORE_CREATE, &st, &eb)) != 0)
        return r;
    r = demo_generate(st, &city, &city_res, &eb);
    store_close(st);
    if (r != 0 || (r = open_ctx(path, &ctx)) != 0)
        return r;
    r = demo_volunteers_generate(ctx, &opt, res, &eb);
    if (r != 0)
        print_message("# demo_volunteers_generate: %s\n", errbuf_message(&eb, r));
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
    END_MS = (time_now_ms() + 8 * 3600000LL) / DAY_MS * DAY_MS - 8 * 3600000LL;
    snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/gridgov-demo-vol-XXXXXX");
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

static void test_volunteers(void **state)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    int64_t communities = sql_count(db_main, "SELECT count(*) FROM areas WHERE length(code) = 12");
    (void)state;
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM volunteers"), main_res.volunteers);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM volunteers WHERE status = 'active'"),
                     main_res.active);
    assert_true(main_res.volunteers >= 16 * communities);
    assert_true(main_res.volunteers <= 26 * communities);
    /* a few paused or gone, most active */
    assert_true(main_res.active < main_res.volunteers);
    assert_true(main_res.active * 10 > main_res.volunteers * 8);
    /* every skill list is the text form of skills of the list; every volunteer lives in a cell
     * of the city and has some weekly slot */
    assert_int_equal(sqlite3_open_v2(db_main, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT skills, availability, area_code IN (SELECT code "
                                        "FROM areas) FROM volunteers",
                                        -1, &stmt, NULL),
                     SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        struct vol_skills sk;
        char text[VOL_SKILLS_TEXT_MAX];
        const char *skills = (const char *)sqlite3_column_text(stmt, 0);
        assert_int_equal(volunteer_skills_parse(skills, &sk, NULL), 0);
        assert_true(sk.n >= 1 && sk.n <= 3);
        volunteer_skills_format(&sk, text, sizeof(text));
        assert_string_equal(text, skills);
        assert_true(sqlite3_column_int64(stmt, 1) > 0);
        assert_true(sqlite3_column_int64(stmt, 1) <= VOL_AVAIL_ALL);
        assert_int_equal(sqlite3_column_int(stmt, 2), 1);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

static void test_posts_and_hours(void **state)
{
    (void)state;
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM posts"), main_res.posts);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM post_members"), main_res.members);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM volunteer_hours"),
                     main_res.hours_entries);
    assert_int_equal(sql_count(db_main, "SELECT sum(minutes) FROM volunteer_hours"),
                     main_res.hours_minutes);
    assert_true(main_res.posts > 0 && main_res.members >= main_res.posts);
    /* the rule of the hours holds in what the demo wrote */
    assert_true(sql_count(db_main, "SELECT max(t) FROM (SELECT sum(minutes) AS t FROM "
                                   "volunteer_hours GROUP BY member_kind, person_key, day_ms)") <=
                24 * 60LL);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM volunteer_hours WHERE minutes < 1"),
                     0);
    {
        char sql[200];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM volunteer_hours WHERE day_ms >= %lld",
                 (long long)END_MS);
        assert_int_equal(sql_count(db_main, sql), 0);
    }
    /* members belong to the post's community */
    assert_int_equal(sql_count(db_main,
                               "SELECT count(*) FROM post_members m JOIN posts p ON p.id = "
                               "m.post_id JOIN volunteers v ON v.id = m.member_id WHERE "
                               "substr(v.area_code, 1, length(p.area_code)) != p.area_code"),
                     0);
    /* gaps: some staffed posts logged nothing in the last 30 days */
    {
        char sql[400];
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM posts p WHERE EXISTS (SELECT 1 FROM post_members m WHERE "
                 "m.post_id = p.id) AND NOT EXISTS (SELECT 1 FROM volunteer_hours h WHERE "
                 "h.post_id = p.id AND h.day_ms >= %lld)",
                 (long long)(END_MS - 30 * DAY_MS));
        assert_true(sql_count(db_main, sql) >= 1);
        assert_true(main_res.idle_posts >= 1);
    }
}

static void test_needs_and_gaps(void **state)
{
    (void)state;
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM needs"), main_res.needs);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM need_assignments"),
                     main_res.assignments);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM needs WHERE status = 'filled'"),
                     main_res.needs_filled);
    /* realistic gaps: unmatched needs, partly filled ones, and filled ones */
    assert_true(main_res.needs_unmatched >= 1);
    assert_true(main_res.needs_filled >= 1);
    assert_true(sql_count(db_main, "SELECT count(*) FROM needs WHERE assigned > 0 AND assigned "
                                   "< wanted") >= 1);
    assert_true(main_res.needs_unmatched < main_res.needs);
    /* the counts kept on the needs are the assignments; never more than wanted */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM needs n WHERE assigned != (SELECT "
                                        "count(*) FROM need_assignments a WHERE a.need_id = n.id)"),
                     0);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM needs WHERE assigned > wanted"), 0);
    /* assigned volunteers were active, of the need's street, and hold a wanted skill */
    assert_int_equal(sql_count(db_main,
                               "SELECT count(*) FROM need_assignments a JOIN needs n ON n.id = "
                               "a.need_id JOIN volunteers v ON v.id = a.volunteer_id WHERE "
                               "v.status != 'active' OR substr(v.area_code, 1, 9) != "
                               "substr(n.area_code, 1, 9)"),
                     0);
    /* every need lies in the future of the demo's now */
    {
        char sql[160];
        snprintf(sql, sizeof(sql), "SELECT count(*) FROM needs WHERE starts_ms <= %lld",
                 (long long)END_MS);
        assert_int_equal(sql_count(db_main, sql), 0);
    }
}

static void test_chiefs_and_relays(void **state)
{
    (void)state;
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM chiefs"), main_res.chiefs);
    /* a building chief in every grid, lane chiefs, a street chief per street */
    assert_true(sql_count(db_main, "SELECT count(*) FROM chiefs WHERE kind = 'building'") ==
                sql_count(db_main, "SELECT count(*) FROM areas WHERE length(code) = 15"));
    assert_true(sql_count(db_main, "SELECT count(*) FROM chiefs WHERE kind = 'lane'") >= 1);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM chiefs WHERE kind = 'street'"),
                     sql_count(db_main, "SELECT count(*) FROM areas WHERE length(code) = 9"));
    /* every chief has a login of role chief acting on exactly their cell */
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM chiefs c LEFT JOIN users u ON u.id "
                                        "= c.user_id WHERE u.role IS NOT 'chief' OR u.area_code "
                                        "!= c.area_code"),
                     0);
    /* relayed cases: through the workflow (a report event), channel building_chief, in the
     * chief's cell, linked to the chief */
    assert_true(main_res.relayed_cases >= 1);
    assert_int_equal(sql_count(db_main, "SELECT count(*) FROM field_case_links WHERE source = "
                                        "'chief'"),
                     main_res.relayed_cases);
    assert_int_equal(sql_count(db_main,
                               "SELECT count(*) FROM field_case_links l JOIN cases k ON k.id = "
                               "l.case_id JOIN chiefs c ON c.id = l.source_id WHERE l.source = "
                               "'chief' AND (k.channel != 'building_chief' OR substr(k.area_code, "
                               "1, length(c.area_code)) != c.area_code OR NOT EXISTS (SELECT 1 "
                               "FROM case_events e WHERE e.case_id = k.id AND e.action = "
                               "'report'))"),
                     0);
    assert_true(strncmp(main_res.chief_login, "chief_", 6) == 0);
}

static void test_deterministic_and_once(void **state)
{
    char path[160];
    struct demo_volunteers_result again;
    struct demo_volunteers_options opt = {SEED, END_MS};
    struct service_ctx *ctx = NULL;
    struct errbuf eb = {{0}};
    (void)state;
    memset(&again, 0, sizeof(again));
    snprintf(path, sizeof(path), "%s/again.db", tmp_dir);
    assert_int_equal(generate(path, SEED, &again), 0);
    assert_int_equal(again.volunteers, main_res.volunteers);
    assert_int_equal(again.hours_minutes, main_res.hours_minutes);
    assert_int_equal(again.assignments, main_res.assignments);
    assert_int_equal(again.relayed_cases, main_res.relayed_cases);
    assert_string_equal(again.chief_login, main_res.chief_login);
    assert_int_equal(sql_count(path, "SELECT sum(length(skills) * id + availability) FROM "
                                     "volunteers"),
                     sql_count(db_main, "SELECT sum(length(skills) * id + availability) FROM "
                                        "volunteers"));
    assert_int_equal(
        sql_count(path, "SELECT sum(need_id * volunteer_id) FROM need_assignments"),
        sql_count(db_main, "SELECT sum(need_id * volunteer_id) FROM need_assignments"));
    assert_int_equal(open_ctx(path, &ctx), 0);
    assert_int_equal(demo_volunteers_generate(ctx, &opt, &again, &eb), ERR_EXISTS);
    service_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_volunteers),
        cmocka_unit_test(test_posts_and_hours),
        cmocka_unit_test(test_needs_and_gaps),
        cmocka_unit_test(test_chiefs_and_relays),
        cmocka_unit_test(test_deterministic_and_once),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
