/*
 * test_volunteer.c - the vocabulary of volunteers (domain/volunteer.h): the skill table, skill
 * lists, weekly availability and the slot of an instant, the kinds, and the rule for logged
 * hours (no empty or negative entries, no future days, at most 24 h per person per day).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/volunteer.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS  ((int64_t)86400000)
#define HOUR_MS ((int64_t)3600000)
#define CST     480 /* UTC+8, minutes */

/* Monday 2026-11-23 00:00 in UTC+8 (2026-11-22T16:00:00Z), computed outside the code. */
#define MONDAY_MIDNIGHT ((int64_t)1795363200000)

/* Append text to buf (size bytes), bounded. */
static void append(char *buf, size_t size, const char *text)
{
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, "%s", text);
}

static void test_skill_table(void **state)
{
    (void)state;
    assert_true(volunteer_skill_count() >= 8);
    for (int i = 0; i < volunteer_skill_count(); i++) {
        const char *code = volunteer_skill_code(i);
        assert_non_null(code);
        assert_non_null(volunteer_skill_name_zh(i));
        assert_non_null(volunteer_skill_name_en(i));
        assert_int_equal(volunteer_skill_find(code), i);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(volunteer_skill_code(k), code);
        assert_null(strchr(code, ':'));
        assert_null(strchr(code, ','));
    }
    assert_null(volunteer_skill_code(-1));
    assert_null(volunteer_skill_code(volunteer_skill_count()));
    assert_int_equal(volunteer_skill_find("sweeping"), -1);
    assert_int_equal(volunteer_skill_find(NULL), -1);
    /* the skills named by the task exist */
    const char *const wanted[] = {"medical",  "legal",       "elderly_care", "repair",
                                  "teaching", "translation", "psychology"};
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
        assert_true(volunteer_skill_find(wanted[i]) >= 0);
}

static void test_skills_parse_and_format(void **state)
{
    struct vol_skills s;
    char text[VOL_SKILLS_TEXT_MAX];
    int medical = volunteer_skill_find("medical"), legal = volunteer_skill_find("legal");
    (void)state;
    assert_int_equal(volunteer_skills_parse("legal,medical:3", &s, NULL), 0);
    assert_int_equal(s.n, 2);
    /* kept in table order whatever the input order */
    assert_int_equal(s.items[0].skill, medical < legal ? medical : legal);
    assert_int_equal(volunteer_skills_level(&s, medical), 3);
    assert_int_equal(volunteer_skills_level(&s, legal), 1); /* a code alone is level 1 */
    assert_int_equal(volunteer_skills_level(&s, volunteer_skill_find("repair")), 0);
    volunteer_skills_format(&s, text, sizeof(text));
    assert_string_equal(text, medical < legal ? "medical:3,legal:1" : "legal:1,medical:3");
    {
        struct vol_skills again;
        char text2[VOL_SKILLS_TEXT_MAX];
        assert_int_equal(volunteer_skills_parse(text, &again, NULL), 0);
        volunteer_skills_format(&again, text2, sizeof(text2));
        assert_string_equal(text, text2);
    }
    assert_int_equal(volunteer_skills_parse("", &s, NULL), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(volunteer_skills_parse(NULL, &s, NULL), 0);
    volunteer_skills_format(&s, text, sizeof(text));
    assert_string_equal(text, "");
    /* every skill at level 2, in reverse order, formats in table order */
    {
        char all[1024] = "";
        struct errbuf eb = {{0}};
        int n = volunteer_skill_count() < VOL_SKILLS_MAX ? volunteer_skill_count() : VOL_SKILLS_MAX;
        for (int i = n - 1; i >= 0; i--) {
            append(all, sizeof(all), volunteer_skill_code(i));
            append(all, sizeof(all), ":2");
            if (i)
                append(all, sizeof(all), ",");
        }
        assert_int_equal(volunteer_skills_parse(all, &s, &eb), 0);
        assert_int_equal(s.n, n);
        for (int i = 0; i < n; i++) {
            assert_int_equal(s.items[i].skill, i);
            assert_int_equal(s.items[i].level, 2);
        }
    }
}

static void test_skills_bad_input(void **state)
{
    static const char *const bad[] = {
        "sweeping", "medical:0",         "medical:4", "medical:x",  "medical:",   "medical:1:2",
        ":3",       "medical,medical:2", "MEDICAL",   "medical:-1", "medical: 2",
    };
    struct vol_skills s;
    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct errbuf eb = {{0}};
        assert_int_equal(volunteer_skills_parse(bad[i], &s, &eb), ERR_INVALID);
        assert_true(eb.msg[0] != '\0');
    }
    /* more than VOL_SKILLS_MAX */
    {
        char many[1024] = "";
        for (int i = 0; i <= VOL_SKILLS_MAX && i < volunteer_skill_count(); i++) {
            if (i)
                append(many, sizeof(many), ",");
            append(many, sizeof(many), volunteer_skill_code(i));
        }
        assert_int_equal(volunteer_skills_parse(many, &s, NULL), ERR_INVALID);
    }
    /* longer than the text form allows */
    {
        char longtext[VOL_SKILLS_TEXT_MAX + 10];
        memset(longtext, 'a', sizeof(longtext) - 1);
        longtext[sizeof(longtext) - 1] = '\0';
        assert_int_equal(volunteer_skills_parse(longtext, &s, NULL), ERR_INVALID);
    }
    memset(&s, 0, sizeof(s));
    assert_int_equal(volunteer_skills_add(&s, "medical", 0, NULL), ERR_INVALID);
    assert_int_equal(volunteer_skills_add(&s, "medical", 4, NULL), ERR_INVALID);
    assert_int_equal(volunteer_skills_add(&s, NULL, 1, NULL), ERR_INVALID);
    assert_int_equal(volunteer_skills_add(&s, "medical", 1, NULL), 0);
    assert_int_equal(volunteer_skills_add(&s, "medical", 2, NULL), ERR_INVALID);
    assert_int_equal(s.n, 1);
}

static void test_availability(void **state)
{
    char text[24];
    int bit;
    (void)state;
    for (int b = 0; b < VOL_AVAIL_BITS; b++) {
        assert_int_equal(volunteer_avail_format(b, text, sizeof(text)), 0);
        assert_int_equal(volunteer_avail_parse(text, &bit), 0);
        assert_int_equal(bit, b);
    }
    assert_int_equal(volunteer_avail_parse("mon:morning", &bit), 0);
    assert_int_equal(bit, 0);
    assert_int_equal(volunteer_avail_parse("sun:evening", &bit), 0);
    assert_int_equal(bit, 20);
    assert_int_equal(volunteer_avail_parse("wed:afternoon", &bit), 0);
    assert_int_equal(bit, 2 * 3 + 1);
    static const char *const bad[] = {
        "mon", "mon:", "mon:noon", "xyz:morning", "monday:morning", "MON:morning", ":morning", ""};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(volunteer_avail_parse(bad[i], &bit), ERR_INVALID);
    assert_int_equal(volunteer_avail_parse(NULL, &bit), ERR_INVALID);
    assert_int_equal(volunteer_avail_format(-1, text, sizeof(text)), ERR_INVALID);
    assert_int_equal(volunteer_avail_format(VOL_AVAIL_BITS, text, sizeof(text)), ERR_INVALID);
    assert_string_equal(volunteer_weekday_name(1), "mon");
    assert_string_equal(volunteer_weekday_name(7), "sun");
    assert_null(volunteer_weekday_name(0));
    assert_null(volunteer_slot_name(3));
}

static void test_slot_of(void **state)
{
    (void)state;
    /* Monday 00:00, 09:00, 11:59 local: morning */
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT, CST), 0);
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT + 9 * HOUR_MS, CST), 0);
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT + 12 * HOUR_MS - 1000, CST), 0);
    /* 12:00 afternoon, 18:00 evening, 23:59 evening */
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT + 12 * HOUR_MS, CST), 1);
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT + 18 * HOUR_MS, CST), 2);
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT + DAY_MS - 1000, CST), 2);
    /* one second before: Sunday evening */
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT - 1000, CST), 6 * 3 + 2);
    /* the weekdays that follow */
    for (int d = 0; d < 7; d++)
        assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT + d * DAY_MS + 13 * HOUR_MS, CST),
                         d * 3 + 1);
    /* the same instant in UTC is still Sunday 16:00 */
    assert_int_equal(volunteer_slot_of(MONDAY_MIDNIGHT, 0), 6 * 3 + 1);
    /* before the epoch: 1969-12-31 (a Wednesday) 23:00 UTC */
    assert_int_equal(volunteer_slot_of(-HOUR_MS, 0), 2 * 3 + 2);
}

static void test_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < POST_KIND_COUNT; k++) {
        enum post_kind out;
        assert_int_equal(
            volunteer_post_kind_parse(volunteer_post_kind_name((enum post_kind)k), &out), 0);
        assert_int_equal(out, k);
        assert_non_null(volunteer_post_kind_zh((enum post_kind)k));
    }
    for (int k = 0; k < CHIEF_KIND_COUNT; k++) {
        enum chief_kind out;
        assert_int_equal(
            volunteer_chief_kind_parse(volunteer_chief_kind_name((enum chief_kind)k), &out), 0);
        assert_int_equal(out, k);
    }
    for (int k = 0; k < NEED_SOURCE_COUNT; k++) {
        enum need_source out;
        assert_int_equal(
            volunteer_need_source_parse(volunteer_need_source_name((enum need_source)k), &out), 0);
        assert_int_equal(out, k);
    }
    for (int k = 0; k < VOL_STATUS_COUNT; k++) {
        enum volunteer_status out;
        assert_int_equal(
            volunteer_status_parse(volunteer_status_name((enum volunteer_status)k), &out), 0);
        assert_int_equal(out, k);
    }
    enum post_kind pk;
    enum chief_kind ck;
    assert_int_equal(volunteer_post_kind_parse("sweeping", &pk), ERR_INVALID);
    assert_int_equal(volunteer_post_kind_parse(NULL, &pk), ERR_INVALID);
    assert_int_equal(volunteer_chief_kind_parse("village", &ck), ERR_INVALID);
    assert_null(volunteer_post_kind_name(POST_KIND_COUNT));
    assert_null(volunteer_chief_kind_zh(CHIEF_KIND_COUNT));
    assert_string_equal(volunteer_chief_kind_zh(CHIEF_BUILDING), "楼长");
}

/* The hours rule, table-driven: now is Monday 15:00 local. */
static void test_hours_rule(void **state)
{
    const int64_t now = MONDAY_MIDNIGHT + 15 * HOUR_MS;
    const int64_t today = MONDAY_MIDNIGHT;
    static const struct {
        int64_t minutes;
        int64_t day_offset_ms; /* from today */
        int64_t already;
        int ok;
        const char *why;
    } rows[] = {
        {60, 0, 0, 1, "one hour today"},
        {1440, 0, 0, 1, "a whole day"},
        {1, -DAY_MS, 0, 1, "a minute yesterday"},
        {90, -366 * DAY_MS, 0, 1, "a year ago"},
        {90, -367 * DAY_MS, 0, 0, "more than a year ago"},
        {0, 0, 0, 0, "nothing"},
        {-60, 0, 0, 0, "negative"},
        {1441, 0, 0, 0, "more than a day"},
        {60, DAY_MS, 0, 0, "tomorrow"},
        {60, 3 * HOUR_MS, 0, 0, "not a midnight"},
        {60, 0, 1380, 1, "the day's last hour"},
        {61, 0, 1380, 0, "one minute over 24 h"},
        {60, 0, 1440, 0, "the day is full"},
        {60, 0, -1, 0, "a negative day total (store bug)"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct errbuf eb = {{0}};
        int r = volunteer_hours_check(rows[i].minutes, today + rows[i].day_offset_ms, now, CST,
                                      rows[i].already, &eb);
        if (rows[i].ok != (r == 0))
            fail_msg("%s: got %d (%s)", rows[i].why, r, eb.msg);
        if (!rows[i].ok) {
            assert_int_equal(r, ERR_INVALID);
            assert_true(eb.msg[0] != '\0');
        }
    }
    /* just after local midnight, today is the new day; just before, it is still yesterday */
    assert_int_equal(volunteer_hours_check(60, today, today + 1000, CST, 0, NULL), 0);
    assert_int_equal(volunteer_hours_check(60, today, today - 1000, CST, 0, NULL), ERR_INVALID);
    assert_int_equal(volunteer_hours_check(60, today - DAY_MS, today - 1000, CST, 0, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_skill_table),      cmocka_unit_test(test_skills_parse_and_format),
        cmocka_unit_test(test_skills_bad_input), cmocka_unit_test(test_availability),
        cmocka_unit_test(test_slot_of),          cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_hours_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
