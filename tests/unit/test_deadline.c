/*
 * test_deadline.c - step/urgency/stage names, the time-limit text form, the rules table and its
 * precedence, the practice defaults, due times and the overdue stages (monotonic in now, one
 * action per stage in a sweep).
 *
 * The calendar here holds the Spring Festival 2025 rows of the shared holiday CSV, inline, so
 * this file needs no data file (test_calendar covers the whole file).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/timeutil.h"
#include "domain/areacode.h"
#include "domain/calendar.h"
#include "domain/deadline.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct calendar *cal;

static const char spring_festival_2025[] = "date,name,kind\n"
                                           "2025-01-01,元旦,off\n"
                                           "2025-01-26,春节,work\n"
                                           "2025-01-28,春节,off\n"
                                           "2025-01-29,春节,off\n"
                                           "2025-01-30,春节,off\n"
                                           "2025-01-31,春节,off\n"
                                           "2025-02-01,春节,off\n"
                                           "2025-02-02,春节,off\n"
                                           "2025-02-03,春节,off\n"
                                           "2025-02-04,春节,off\n"
                                           "2025-02-08,春节,work\n";

static int group_setup(void **state)
{
    struct calendar_import_result res;
    (void)state;
    cal = calendar_new();
    return calendar_parse_csv(cal, spring_festival_2025, strlen(spring_festival_2025), &res,
                              NULL) == 0
               ? 0
               : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    calendar_free(cal);
    return 0;
}

static int64_t at(int y, int m, int d, int hh, int mm)
{
    int64_t ms = 0;
    assert_int_equal(calendar_local_to_ms(cal, y, m, d, hh, mm, &ms), 0);
    return ms;
}

static void assert_instant(int64_t got, int64_t want)
{
    char g[32], w[32];
    time_format_iso(got, g, sizeof(g));
    time_format_iso(want, w, sizeof(w));
    assert_string_equal(g, w);
}

static struct time_limit lim(int amount, enum limit_unit unit)
{
    struct time_limit l = {amount, unit};
    return l;
}

static uint64_t rng_state = 0xD1B54A32D192ED03ull;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rng_next() % (uint64_t)(hi - lo + 1));
}

/* ---- names ---- */

static void test_names(void **state)
{
    static const char *const steps[] = {"accept", "dispatch", "sign", "handle", "verify"};
    static const char *const urgencies[] = {"normal", "urgent", "emergency"};
    static const char *const stages[] = {"none", "yellow", "red", "escalate"};
    enum case_step st;
    enum urgency u;
    enum overdue_stage sg;
    enum area_setting se;
    (void)state;
    assert_int_equal(STEP_COUNT, 5);
    for (int i = 0; i < STEP_COUNT; i++) {
        assert_string_equal(deadline_step_name((enum case_step)i), steps[i]);
        assert_non_null(deadline_step_name_zh((enum case_step)i));
        assert_int_equal(deadline_step_parse(steps[i], &st), 0);
        assert_int_equal(st, i);
    }
    for (int i = 0; i < URGENCY_COUNT; i++) {
        assert_string_equal(deadline_urgency_name((enum urgency)i), urgencies[i]);
        assert_non_null(deadline_urgency_name_zh((enum urgency)i));
        assert_int_equal(deadline_urgency_parse(urgencies[i], &u), 0);
        assert_int_equal(u, i);
    }
    for (int i = 0; i < STAGE_COUNT; i++) {
        assert_string_equal(deadline_stage_name((enum overdue_stage)i), stages[i]);
        assert_non_null(deadline_stage_name_zh((enum overdue_stage)i));
        assert_int_equal(deadline_stage_parse(stages[i], &sg), 0);
        assert_int_equal(sg, i);
    }
    assert_string_equal(deadline_step_name_zh(STEP_SIGN), "签收");
    assert_string_equal(deadline_stage_name_zh(STAGE_YELLOW), "黄牌督办");
    assert_null(deadline_step_name(STEP_COUNT));
    assert_null(deadline_step_name((enum case_step) - 1));
    assert_null(deadline_urgency_name(URGENCY_COUNT));
    assert_null(deadline_stage_name(STAGE_COUNT));
    assert_int_equal(deadline_step_parse("Accept", &st), ERR_INVALID);
    assert_int_equal(deadline_step_parse("", &st), ERR_INVALID);
    assert_int_equal(deadline_step_parse(NULL, &st), ERR_INVALID);
    assert_int_equal(deadline_urgency_parse("critical", &u), ERR_INVALID);
    assert_int_equal(deadline_stage_parse("orange", &sg), ERR_INVALID);
    assert_int_equal(deadline_setting_parse("rural", &se), 0);
    assert_int_equal(se, SETTING_RURAL);
    assert_string_equal(deadline_setting_name(SETTING_TOWN), "town");
    assert_int_equal(deadline_setting_parse("city", &se), ERR_INVALID);
}

/* ---- time-limit text ---- */

static void test_limit_parse_format(void **state)
{
    static const struct {
        const char *text;
        int amount;
        enum limit_unit unit;
        const char *canonical;
    } good[] = {
        {"10min", 10, LIMIT_MINUTES, "10min"},
        {"5min", 5, LIMIT_MINUTES, "5min"},
        {"2h", 120, LIMIT_MINUTES, "2h"},
        {"120min", 120, LIMIT_MINUTES, "2h"},
        {"90wmin", 90, LIMIT_WORKING_MINUTES, "90wmin"},
        {"1wh", 60, LIMIT_WORKING_MINUTES, "1wh"},
        {"60wmin", 60, LIMIT_WORKING_MINUTES, "1wh"},
        {"10wmin", 10, LIMIT_WORKING_MINUTES, "10wmin"},
        {"15wd", 15, LIMIT_WORKING_DAYS, "15wd"},
        {"0wd", 0, LIMIT_WORKING_DAYS, "0wd"},
        {"366wd", 366, LIMIT_WORKING_DAYS, "366wd"},
        {"525600min", 525600, LIMIT_MINUTES, "8760h"},
        {"8760wh", 525600, LIMIT_WORKING_MINUTES, "8760wh"},
    };
    static const char *const bad[] = {
        "",          "wd",    "10",     "10 min",     " 10min", "10min ", "-5min", "+5min",
        "010min",    "0min",  "0wh",    "0h",         "1.5wh",  "10MIN",  "1Wd",   "367wd",
        "525601min", "8761h", "8761wh", "99999999wd", "10minx", "1w",     "1d",    "min10",
    };
    struct time_limit l;
    char text[DEADLINE_LIMIT_TEXT_MAX];
    struct errbuf eb = {{0}};
    (void)state;
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        assert_int_equal(deadline_limit_parse(good[i].text, &l, &eb), 0);
        assert_int_equal(l.amount, good[i].amount);
        assert_int_equal(l.unit, good[i].unit);
        assert_int_equal(deadline_limit_format(&l, text, sizeof(text)), 0);
        assert_string_equal(text, good[i].canonical);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errbuf_clear(&eb);
        l = lim(77, LIMIT_WORKING_DAYS);
        if (deadline_limit_parse(bad[i], &l, &eb) != ERR_INVALID)
            fail_msg("'%s' should not parse", bad[i]);
        assert_int_equal(l.amount, 77); /* untouched on failure */
        assert_true(eb.msg[0] != '\0');
    }
    assert_int_equal(deadline_limit_parse(NULL, &l, NULL), ERR_INVALID);
    /* Round trip over every unit and many amounts: parse(format(x)) == x. */
    for (int i = 0; i < 3000; i++) {
        enum limit_unit unit = (enum limit_unit)(i % 3);
        struct time_limit x =
            lim((int)rng_range(unit == LIMIT_WORKING_DAYS ? 0 : 1,
                               unit == LIMIT_WORKING_DAYS ? DEADLINE_LIMIT_DAYS_MAX
                                                          : DEADLINE_LIMIT_MINUTES_MAX),
                unit);
        if (i % 7 == 0 && unit != LIMIT_WORKING_DAYS)
            x.amount = (x.amount / 60 + 1) * 60 > DEADLINE_LIMIT_MINUTES_MAX
                           ? 60
                           : (x.amount / 60 + 1) * 60;
        assert_int_equal(deadline_limit_format(&x, text, sizeof(text)), 0);
        assert_int_equal(deadline_limit_parse(text, &l, NULL), 0);
        assert_int_equal(l.amount, x.amount);
        assert_int_equal(l.unit, x.unit);
    }
    /* Formatting refuses invalid limits and tiny buffers. */
    l = lim(0, LIMIT_MINUTES);
    assert_int_equal(deadline_limit_format(&l, text, sizeof(text)), ERR_INVALID);
    assert_string_equal(text, "");
    l = lim(5, (enum limit_unit)9);
    assert_int_equal(deadline_limit_format(&l, text, sizeof(text)), ERR_INVALID);
    l = lim(15, LIMIT_WORKING_DAYS);
    assert_int_equal(deadline_limit_format(&l, text, 4), ERR_INVALID);
    assert_string_equal(text, "");
    assert_false(deadline_limit_is_valid(NULL));
}

/* ---- due times ---- */

static void test_compute(void **state)
{
    struct time_limit l;
    int64_t due = 0;
    (void)state;
    /* Clock minutes ignore the calendar: a Saturday night emergency. */
    l = lim(10, LIMIT_MINUTES);
    assert_int_equal(deadline_compute(cal, at(2025, 2, 1, 22, 0), &l, &due), 0);
    assert_instant(due, at(2025, 2, 1, 22, 10));
    assert_int_equal(deadline_compute(NULL, at(2025, 2, 1, 22, 0), &l, &due), 0);
    assert_instant(due, at(2025, 2, 1, 22, 10));
    /* 1 working hour on Monday 2025-01-27 17:00, before the holiday: Wednesday 02-05 09:00. */
    l = lim(60, LIMIT_WORKING_MINUTES);
    assert_int_equal(deadline_compute(cal, at(2025, 1, 27, 17, 0), &l, &due), 0);
    assert_instant(due, at(2025, 2, 5, 9, 0));
    /* Urgent 10 working minutes on Friday 01-24 17:25: 5 min, then the make-up Sunday 08:35. */
    l = lim(10, LIMIT_WORKING_MINUTES);
    assert_int_equal(deadline_compute(cal, at(2025, 1, 24, 17, 25), &l, &due), 0);
    assert_instant(due, at(2025, 1, 26, 8, 35));
    /* 5 working days from Friday 01-24: 01-26, 01-27, 02-05, 02-06, 02-07 → 17:30. */
    l = lim(5, LIMIT_WORKING_DAYS);
    assert_int_equal(deadline_compute(cal, at(2025, 1, 24, 10, 0), &l, &due), 0);
    assert_instant(due, at(2025, 2, 7, 17, 30));
    /* Errors. */
    assert_int_equal(deadline_compute(NULL, at(2025, 1, 24, 10, 0), &l, &due), ERR_INVALID);
    l = lim(0, LIMIT_WORKING_MINUTES);
    assert_int_equal(deadline_compute(cal, at(2025, 1, 24, 10, 0), &l, &due), ERR_INVALID);
    l = lim(10, LIMIT_MINUTES);
    assert_int_equal(deadline_compute(cal, INT64_MAX, &l, &due), ERR_INVALID);
}

/* ---- rules ---- */

static struct time_limit look(const struct deadline_rules *rules, const char *code, enum urgency u,
                              enum case_step step, int level, int is_rural,
                              const struct time_limit *category_default)
{
    struct time_limit out = {-1, LIMIT_MINUTES};
    assert_int_equal(
        deadline_rules_lookup(rules, code, u, step, level, is_rural, category_default, &out), 0);
    return out;
}

static void assert_limit(struct time_limit got, const char *want)
{
    char text[DEADLINE_LIMIT_TEXT_MAX];
    assert_int_equal(deadline_limit_format(&got, text, sizeof(text)), 0);
    assert_string_equal(text, want);
}

static struct deadline_rule rule(const char *category, enum urgency u, enum case_step step,
                                 int level, enum area_setting setting, const char *limit)
{
    struct deadline_rule r;
    memset(&r, 0, sizeof(r));
    snprintf(r.category, sizeof(r.category), "%s", category);
    r.urgency = u;
    r.step = step;
    r.area_level = level;
    r.setting = setting;
    assert_int_equal(deadline_limit_parse(limit, &r.limit, NULL), 0);
    return r;
}

static void test_defaults(void **state)
{
    struct deadline_rules *rules = deadline_rules_new();
    struct time_limit cat2h = lim(120, LIMIT_MINUTES), cat15 = lim(15, LIMIT_WORKING_DAYS);
    (void)state;
    deadline_rules_defaults(rules);
    /* Every entry of the defaults table parsed: 6 rows × 3 urgencies. */
    assert_int_equal(deadline_rules_count(rules), 18);
    /* The numbers: accept and dispatch within 1 working hour, urgent 10 minutes. */
    for (int step = STEP_ACCEPT; step <= STEP_DISPATCH; step++) {
        assert_limit(look(rules, "0101", URGENCY_NORMAL, (enum case_step)step, AREA_GRID, 0, NULL),
                     "1wh");
        assert_limit(look(rules, "0101", URGENCY_URGENT, (enum case_step)step, AREA_GRID, 0, NULL),
                     "10wmin");
        assert_limit(
            look(rules, "0101", URGENCY_EMERGENCY, (enum case_step)step, AREA_GRID, 0, NULL),
            "5min");
    }
    /* The department signs within 1 working hour. */
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_SIGN, AREA_DISTRICT, 0, NULL), "1wh");
    /* Verification: 1 working hour in town, 2 in the countryside. */
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_VERIFY, AREA_COMMUNITY, 0, NULL), "1wh");
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_VERIFY, AREA_COMMUNITY, 1, NULL), "2wh");
    assert_limit(look(rules, "0101", URGENCY_URGENT, STEP_VERIFY, AREA_GRID, 1, NULL), "2wh");
    assert_limit(look(rules, "0101", URGENCY_EMERGENCY, STEP_VERIFY, AREA_GRID, 0, NULL), "1h");
    /* Handling: the category's own limit (2 hours to 15 working days), else 5 working days. */
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat2h), "2h");
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat15), "15wd");
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, NULL), "5wd");
    assert_limit(look(rules, NULL, URGENCY_NORMAL, STEP_HANDLE, 0, 0, NULL), "5wd");
    assert_limit(look(rules, "0101", URGENCY_URGENT, STEP_HANDLE, AREA_GRID, 0, NULL), "1wd");
    assert_limit(look(rules, "0101", URGENCY_EMERGENCY, STEP_HANDLE, AREA_GRID, 0, NULL), "2h");
    /* An invalid category limit is ignored. */
    struct time_limit broken = lim(0, LIMIT_WORKING_MINUTES);
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &broken), "5wd");
    /* Defaults replace whatever was there. */
    struct deadline_rule extra = rule("09", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "3wh");
    assert_int_equal(deadline_rules_add(rules, &extra, NULL), 0);
    deadline_rules_defaults(rules);
    assert_int_equal(deadline_rules_count(rules), 18);
    assert_limit(look(rules, "0901", URGENCY_NORMAL, STEP_ACCEPT, 0, 0, NULL), "1wh");
    deadline_rules_free(rules);
    deadline_rules_free(NULL);
}

static void test_precedence(void **state)
{
    struct deadline_rules *rules = deadline_rules_new();
    struct time_limit cat10 = lim(10, LIMIT_WORKING_DAYS);
    struct deadline_rule r;
    (void)state;
    deadline_rules_defaults(rules);

    /* 1. A row naming the category beats the category's own limit and the generic rows. */
    r = rule("01", URGENCY_NORMAL, STEP_HANDLE, 0, SETTING_ANY, "3wd");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat10), "3wd");
    /* The longest prefix wins. */
    r = rule("0101", URGENCY_NORMAL, STEP_HANDLE, 0, SETTING_ANY, "2wd");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "010102", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat10), "2wd");
    assert_limit(look(rules, "0102", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat10), "3wd");
    /* A prefix longer than the code does not apply. */
    assert_limit(look(rules, "010", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat10), "3wd");
    /* 2. No category row: the category's own limit; 3. none: the generic row. */
    assert_limit(look(rules, "02", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, &cat10), "10wd");
    assert_limit(look(rules, "02", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, NULL), "5wd");
    /* Rows are per urgency. */
    assert_limit(look(rules, "0101", URGENCY_URGENT, STEP_HANDLE, AREA_GRID, 0, NULL), "1wd");

    /* Area level: specific over any, among rows of the same category length. */
    r = rule("", URGENCY_NORMAL, STEP_ACCEPT, AREA_COMMUNITY, SETTING_ANY, "2wh");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_ACCEPT, AREA_COMMUNITY, 0, NULL), "2wh");
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_ACCEPT, AREA_STREET, 0, NULL), "1wh");
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_ACCEPT, 0, 0, NULL), "1wh");
    /* ... but the category comes first. */
    r = rule("01", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "30wmin");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_ACCEPT, AREA_COMMUNITY, 0, NULL),
                 "30wmin");
    r = rule("01", URGENCY_NORMAL, STEP_ACCEPT, AREA_COMMUNITY, SETTING_ANY, "20wmin");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_ACCEPT, AREA_COMMUNITY, 0, NULL),
                 "20wmin");
    assert_limit(look(rules, "0101", URGENCY_NORMAL, STEP_ACCEPT, AREA_STREET, 0, NULL), "30wmin");
    /* A specific area level beats a specific setting. */
    r = rule("", URGENCY_NORMAL, STEP_VERIFY, AREA_COMMUNITY, SETTING_ANY, "3wh");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "0201", URGENCY_NORMAL, STEP_VERIFY, AREA_COMMUNITY, 1, NULL), "3wh");
    assert_limit(look(rules, "0201", URGENCY_NORMAL, STEP_VERIFY, AREA_GRID, 1, NULL), "2wh");
    /* Same key replaces. */
    size_t n = deadline_rules_count(rules);
    r = rule("01", URGENCY_NORMAL, STEP_HANDLE, 0, SETTING_ANY, "4wd");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_int_equal(deadline_rules_count(rules), n);
    assert_limit(look(rules, "0102", URGENCY_NORMAL, STEP_HANDLE, AREA_GRID, 0, NULL), "4wd");
    /* Listing keeps first-added order; past the end is not found. */
    struct deadline_rule got;
    assert_int_equal(deadline_rules_at(rules, 18, &got), 0);
    assert_string_equal(got.category, "01");
    assert_int_equal(got.step, STEP_HANDLE);
    assert_limit(got.limit, "4wd");
    assert_int_equal(deadline_rules_at(rules, n, &got), ERR_NOT_FOUND);

    /* Lookup errors. */
    struct time_limit out;
    assert_int_equal(
        deadline_rules_lookup(rules, "01", URGENCY_COUNT, STEP_ACCEPT, 0, 0, NULL, &out),
        ERR_INVALID);
    assert_int_equal(
        deadline_rules_lookup(rules, "01", URGENCY_NORMAL, (enum case_step)9, 0, 0, NULL, &out),
        ERR_INVALID);
    deadline_rules_clear(rules);
    assert_int_equal(
        deadline_rules_lookup(rules, "01", URGENCY_NORMAL, STEP_ACCEPT, 0, 0, NULL, &out),
        ERR_NOT_FOUND);
    deadline_rules_free(rules);
}

static void test_rules_validation(void **state)
{
    struct deadline_rules *rules = deadline_rules_new();
    struct deadline_rule r;
    struct errbuf eb = {{0}};
    (void)state;
    r = rule("01 02", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "1wh");
    assert_int_equal(deadline_rules_add(rules, &r, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "category"));
    r = rule("A-b_c.9", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "1wh");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    r = rule("", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "1wh");
    memset(r.category, '1', DEADLINE_CATEGORY_MAX); /* exactly the maximum: fine */
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    r.urgency = URGENCY_COUNT;
    assert_int_equal(deadline_rules_add(rules, &r, NULL), ERR_INVALID);
    r.urgency = URGENCY_NORMAL;
    r.step = STEP_COUNT;
    assert_int_equal(deadline_rules_add(rules, &r, NULL), ERR_INVALID);
    r.step = STEP_SIGN;
    r.area_level = AREA_LEVEL_MAX + 1;
    assert_int_equal(deadline_rules_add(rules, &r, NULL), ERR_INVALID);
    r.area_level = 0;
    r.setting = (enum area_setting)3;
    assert_int_equal(deadline_rules_add(rules, &r, NULL), ERR_INVALID);
    r.setting = SETTING_RURAL;
    r.limit = lim(0, LIMIT_WORKING_MINUTES);
    assert_int_equal(deadline_rules_add(rules, &r, NULL), ERR_INVALID);
    assert_int_equal(deadline_rules_count(rules), 2);
    /* The table is capped. */
    deadline_rules_clear(rules);
    for (int i = 0; i < DEADLINE_RULES_MAX; i++) {
        char code[16];
        snprintf(code, sizeof(code), "c%d", i);
        r = rule(code, URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "1wh");
        assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    }
    r = rule("overflow", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "1wh");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), ERR_TOO_LARGE);
    /* Replacing an existing key still works when full. */
    r = rule("c7", URGENCY_NORMAL, STEP_ACCEPT, 0, SETTING_ANY, "2wh");
    assert_int_equal(deadline_rules_add(rules, &r, NULL), 0);
    assert_limit(look(rules, "c7", URGENCY_NORMAL, STEP_ACCEPT, 0, 0, NULL), "2wh");
    deadline_rules_free(rules);
}

/* ---- overdue stages ---- */

static enum overdue_stage stage(enum limit_unit unit, int64_t start, int64_t due, int64_t now)
{
    return deadline_overdue_stage(cal, unit, start, due, now);
}

static void test_stages_working_hour(void **state)
{
    const int64_t start = at(2025, 3, 3, 9, 0), due = at(2025, 3, 3, 10, 0);
    const enum limit_unit wm = LIMIT_WORKING_MINUTES;
    (void)state;
    /* 1 working hour: yellow at due, red 1 wh later, escalate 2 wh later. */
    assert_int_equal(stage(wm, start, due, at(2025, 3, 3, 9, 30)), STAGE_NONE);
    assert_int_equal(stage(wm, start, due, due), STAGE_NONE);
    assert_int_equal(stage(wm, start, due, due + 1), STAGE_YELLOW);
    assert_int_equal(stage(wm, start, due, at(2025, 3, 3, 10, 59)), STAGE_YELLOW);
    assert_int_equal(stage(wm, start, due, at(2025, 3, 3, 11, 0)), STAGE_RED);
    assert_int_equal(stage(wm, start, due, at(2025, 3, 3, 11, 59)), STAGE_RED);
    assert_int_equal(stage(wm, start, due, at(2025, 3, 3, 12, 0)), STAGE_ESCALATE);
    /* Lunch adds no lateness: 13:59 is as late as 12:00, 2 working hours. */
    assert_true(calendar_working_ms_between(cal, due, at(2025, 3, 3, 13, 59)) ==
                (int64_t)2 * 3600000);
    assert_int_equal(stage(wm, start, due, at(2025, 3, 3, 13, 59)), STAGE_ESCALATE);

    /* Due at the end of the day: not late in the evening, late from 08:30 the next day. */
    const int64_t s2 = at(2025, 3, 3, 16, 30), d2 = at(2025, 3, 3, 17, 30);
    assert_int_equal(stage(wm, s2, d2, at(2025, 3, 3, 20, 0)), STAGE_NONE);
    assert_int_equal(stage(wm, s2, d2, at(2025, 3, 4, 8, 30)), STAGE_NONE);
    assert_int_equal(stage(wm, s2, d2, at(2025, 3, 4, 8, 31)), STAGE_YELLOW);
    assert_int_equal(stage(wm, s2, d2, at(2025, 3, 4, 9, 30)), STAGE_RED);
    assert_int_equal(stage(wm, s2, d2, at(2025, 3, 4, 10, 30)), STAGE_ESCALATE);

    /* Dispatched before the Spring Festival, due Wednesday 02-05 09:00: quiet during it. */
    const int64_t s3 = at(2025, 1, 27, 17, 0), d3 = at(2025, 2, 5, 9, 0);
    assert_int_equal(stage(wm, s3, d3, at(2025, 2, 1, 10, 0)), STAGE_NONE);
    assert_int_equal(stage(wm, s3, d3, at(2025, 2, 5, 9, 1)), STAGE_YELLOW);
    assert_int_equal(stage(wm, s3, d3, at(2025, 2, 5, 10, 0)), STAGE_RED);
    assert_int_equal(stage(wm, s3, d3, at(2025, 2, 5, 11, 0)), STAGE_ESCALATE);
}

static void test_stages_working_days(void **state)
{
    const enum limit_unit wd = LIMIT_WORKING_DAYS;
    struct time_limit five = lim(5, LIMIT_WORKING_DAYS);
    int64_t start = at(2025, 3, 3, 10, 0), due = 0;
    (void)state;
    assert_int_equal(deadline_compute(cal, start, &five, &due), 0);
    assert_instant(due, at(2025, 3, 10, 17, 30));
    /* allowed = 330 min (Monday 10:00-17:30) + 5 × 420 = 2430 working minutes.
     * red after 1215 = 2 days (840) + 375 on Thursday 03-13: 210 morning + 165 → 16:45.
     * escalate after 2430 = 5 days (03-11..03-17, 2100) + 330 on Tuesday 03-18 → 16:00. */
    assert_int_equal(stage(wd, start, due, at(2025, 3, 10, 23, 0)), STAGE_NONE);
    assert_int_equal(stage(wd, start, due, at(2025, 3, 11, 8, 31)), STAGE_YELLOW);
    assert_int_equal(stage(wd, start, due, at(2025, 3, 13, 16, 44)), STAGE_YELLOW);
    assert_int_equal(stage(wd, start, due, at(2025, 3, 13, 16, 45)), STAGE_RED);
    assert_int_equal(stage(wd, start, due, at(2025, 3, 18, 15, 59)), STAGE_RED);
    assert_int_equal(stage(wd, start, due, at(2025, 3, 18, 16, 0)), STAGE_ESCALATE);
    assert_int_equal(stage(wd, start, due, at(2026, 1, 1, 0, 0)), STAGE_ESCALATE);
}

static void test_stages_clock_minutes(void **state)
{
    const enum limit_unit m = LIMIT_MINUTES;
    const int64_t start = at(2025, 2, 1, 22, 0); /* a Saturday night in the holiday */
    (void)state;
    /* 5 minutes: red after max(2.5, 5) = 5 more, escalate after max(5, 10) = 10 more. */
    int64_t due = at(2025, 2, 1, 22, 5);
    assert_int_equal(stage(m, start, due, due), STAGE_NONE);
    assert_int_equal(stage(m, start, due, due + 1), STAGE_YELLOW);
    assert_int_equal(stage(m, start, due, at(2025, 2, 1, 22, 10)), STAGE_RED);
    assert_int_equal(stage(m, start, due, at(2025, 2, 1, 22, 15)), STAGE_ESCALATE);
    /* 2 hours: red 1 h after due, escalate 2 h after. */
    due = at(2025, 2, 2, 0, 0);
    assert_int_equal(stage(m, start, due, at(2025, 2, 2, 0, 59)), STAGE_YELLOW);
    assert_int_equal(stage(m, start, due, at(2025, 2, 2, 1, 0)), STAGE_RED);
    assert_int_equal(stage(m, start, due, at(2025, 2, 2, 2, 0)), STAGE_ESCALATE);
    /* No calendar needed. */
    assert_int_equal(deadline_overdue_stage(NULL, m, start, due, at(2025, 2, 2, 2, 0)),
                     STAGE_ESCALATE);
}

static void test_stages_monotonic(void **state)
{
    const int64_t lo = at(2024, 12, 1, 0, 0), hi = at(2025, 4, 1, 0, 0);
    static const char *const limits[] = {"5min", "10min", "2h",  "10wmin", "1wh",
                                         "2wh",  "0wd",   "1wd", "5wd",    "15wd"};
    (void)state;
    for (int i = 0; i < 400; i++) {
        struct time_limit l;
        int64_t start = rng_range(lo, hi), due = 0, now = start - 3600000;
        enum overdue_stage prev = STAGE_NONE;
        assert_int_equal(deadline_limit_parse(limits[i % 10], &l, NULL), 0);
        assert_int_equal(deadline_compute(cal, start, &l, &due), 0);
        for (int k = 0; k < 60; k++) {
            now += rng_range(0, (int64_t)4 * 3600000);
            enum overdue_stage s = deadline_overdue_stage(cal, l.unit, start, due, now);
            assert_true(s >= prev);
            /* Deterministic. */
            assert_int_equal(deadline_overdue_stage(cal, l.unit, start, due, now), s);
            if (now <= due)
                assert_int_equal(s, STAGE_NONE);
            prev = s;
        }
    }
}

static void test_sweep_acts_once(void **state)
{
    const int64_t start = at(2025, 1, 24, 16, 0);
    struct time_limit l = lim(60, LIMIT_WORKING_MINUTES);
    int64_t due = 0;
    enum overdue_stage recorded = STAGE_NONE;
    int acted[STAGE_COUNT] = {0};
    (void)state;
    assert_int_equal(deadline_stage_to_act(STAGE_NONE, STAGE_NONE), STAGE_NONE);
    assert_int_equal(deadline_stage_to_act(STAGE_NONE, STAGE_YELLOW), STAGE_YELLOW);
    assert_int_equal(deadline_stage_to_act(STAGE_YELLOW, STAGE_YELLOW), STAGE_NONE);
    assert_int_equal(deadline_stage_to_act(STAGE_YELLOW, STAGE_ESCALATE), STAGE_ESCALATE);
    assert_int_equal(deadline_stage_to_act(STAGE_RED, STAGE_YELLOW), STAGE_NONE);
    assert_int_equal(deadline_compute(cal, start, &l, &due), 0);
    /* A sweep every 5 minutes for two weeks, each run twice: every stage acted on once. */
    for (int64_t now = start; now < start + 14 * 86400000LL; now += (int64_t)5 * 60000) {
        for (int twice = 0; twice < 2; twice++) {
            enum overdue_stage cur = deadline_overdue_stage(cal, l.unit, start, due, now);
            enum overdue_stage act = deadline_stage_to_act(recorded, cur);
            if (act != STAGE_NONE) {
                acted[act]++;
                recorded = act;
            }
        }
    }
    assert_int_equal(acted[STAGE_YELLOW], 1);
    assert_int_equal(acted[STAGE_RED], 1);
    assert_int_equal(acted[STAGE_ESCALATE], 1);
    /* A sweep that was down acts once on the highest stage reached. */
    recorded = STAGE_NONE;
    enum overdue_stage cur = deadline_overdue_stage(cal, l.unit, start, due, at(2025, 3, 1, 10, 0));
    assert_int_equal(deadline_stage_to_act(recorded, cur), STAGE_ESCALATE);
}

/* deadline_stage_starts_at agrees with deadline_overdue_stage: the stage has begun at the
 * instant it names and had not begun a minute (working or clock) earlier. */
static void test_stage_starts_at(void **state)
{
    struct calendar *c2 = calendar_new();
    const enum limit_unit units[] = {LIMIT_MINUTES, LIMIT_WORKING_MINUTES, LIMIT_WORKING_DAYS};
    int64_t start;
    (void)state;
    assert_int_equal(calendar_local_to_ms(c2, 2025, 3, 3, 9, 15, &start), 0);
    for (size_t u = 0; u < 3; u++) {
        for (int allowed_min = 10; allowed_min < 60 * 24 * 9; allowed_min = allowed_min * 3 + 7) {
            int64_t due;
            struct time_limit lim = {allowed_min, units[u]};
            if (units[u] == LIMIT_WORKING_DAYS)
                lim.amount = allowed_min % 15;
            if (deadline_compute(c2, start, &lim, &due) != 0)
                continue;
            for (int s = STAGE_YELLOW; s < STAGE_COUNT; s++) {
                int64_t at;
                assert_int_equal(
                    deadline_stage_starts_at(c2, units[u], start, due, (enum overdue_stage)s, &at),
                    0);
                assert_true(deadline_overdue_stage(c2, units[u], start, due, at) >=
                            (enum overdue_stage)s);
                assert_true(deadline_overdue_stage(c2, units[u], start, due, at - 60LL * 1000) <
                                (enum overdue_stage)s ||
                            !calendar_is_working_time(c2, at - 60LL * 1000));
            }
        }
    }
    int64_t out;
    assert_int_equal(deadline_stage_starts_at(c2, LIMIT_MINUTES, start, start, STAGE_COUNT, &out),
                     ERR_INVALID);
    calendar_free(c2);
}

static void test_rules_csv(void **state)
{
    struct deadline_rules *rules = deadline_rules_new();
    struct deadline_import_result res;
    struct errbuf eb = {{0}};
    struct time_limit lim;
    (void)state;
    deadline_rules_defaults(rules);
    size_t before = deadline_rules_count(rules);
    static const char good[] = "category,urgency,step,area_level,setting,limit\n"
                               "02,normal,accept,grid,,10wmin\n"
                               "\"0801\",urgent,handle,,rural,3wd\r\n"
                               ",normal,accept,,,1wh\n";
    assert_int_equal(deadline_rules_parse_csv(rules, good, strlen(good), &res, &eb), 0);
    assert_int_equal(res.rows, 3);
    assert_int_equal(res.applied, 3);
    /* The third row has the key of a default row: it replaces it, so two rows are new. */
    assert_int_equal(deadline_rules_count(rules), before + 2);
    assert_int_equal(
        deadline_rules_lookup(rules, "0204", URGENCY_NORMAL, STEP_ACCEPT, AREA_GRID, 0, NULL, &lim),
        0);
    assert_int_equal(lim.amount, 10);
    assert_int_equal(lim.unit, LIMIT_WORKING_MINUTES);
    assert_int_equal(deadline_rules_lookup(rules, "0204", URGENCY_NORMAL, STEP_ACCEPT,
                                           AREA_COMMUNITY, 0, NULL, &lim),
                     0);
    assert_int_equal(lim.amount, 60); /* the level-specific row does not apply */
    assert_int_equal(
        deadline_rules_lookup(rules, "0801", URGENCY_URGENT, STEP_HANDLE, AREA_GRID, 1, NULL, &lim),
        0);
    assert_int_equal(lim.amount, 3);
    assert_int_equal(lim.unit, LIMIT_WORKING_DAYS);

    /* Bad rows: each reported with its line; nothing applied. */
    static const char bad[] = "category,urgency,step,area_level,setting,limit\n"
                              "02,soon,accept,,,1wh\n"
                              "02,normal,fly,,,1wh\n"
                              "02,normal,accept,village,,1wh\n"
                              "02,normal,accept,,suburb,1wh\n"
                              "02,normal,accept,,,forever\n"
                              "02,normal,accept\n";
    size_t count = deadline_rules_count(rules);
    assert_int_equal(deadline_rules_parse_csv(rules, bad, strlen(bad), &res, &eb), ERR_INVALID);
    assert_int_equal(res.n_problems, 6);
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(res.problems[i].line, i + 2);
    assert_non_null(strstr(res.problems[0].reason, "urgency"));
    assert_non_null(strstr(res.problems[2].reason, "area_level"));
    assert_int_equal(res.applied, 0);
    assert_int_equal(deadline_rules_count(rules), count);
    assert_int_equal(deadline_rules_parse_csv(rules, "date,kind\n", 10, &res, &eb), ERR_INVALID);
    assert_non_null(strstr(res.problems[0].reason, "header"));
    assert_int_equal(deadline_rules_parse_csv(rules, "", 0, &res, &eb), ERR_INVALID);
    deadline_rules_free(rules);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_limit_parse_format),
        cmocka_unit_test(test_compute),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_rules_validation),
        cmocka_unit_test(test_stages_working_hour),
        cmocka_unit_test(test_stages_working_days),
        cmocka_unit_test(test_stages_clock_minutes),
        cmocka_unit_test(test_stages_monotonic),
        cmocka_unit_test(test_sweep_acts_once),
        cmocka_unit_test(test_stage_starts_at),
        cmocka_unit_test(test_rules_csv),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
