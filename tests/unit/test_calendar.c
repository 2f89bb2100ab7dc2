/*
 * test_calendar.c - the working-day calendar: the real holiday CSV, working-time arithmetic
 * around the 2024-2026 Spring Festival and National Day holidays (hand-computed), CSV import
 * errors, working hours, and round-trip properties of add/between.
 *
 * The holiday file is the repo's data/holidays-cn.csv (a copy of
 * shared/data/holidays-cn/cn_holidays_2007_2026.csv; meson passes its path), looked up in order at
 * $GRIDGOV_HOLIDAYS_CSV, $GRIDGOV_SHARED_DATA/holidays-cn/..., ../shared/data beside the repo
 * (derived from __FILE__), then /work/shared/data. A missing file fails the suite.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/timeutil.h"
#include "domain/calendar.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOLIDAYS_REL "holidays-cn/cn_holidays_2007_2026.csv"

/* The calendar with the real holidays, built once by the group setup. */
static struct calendar *cn;

/* ---- loading the shared CSV ---- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *grown = realloc(buf, cap ? cap * 2 : 65536);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
            cap = cap ? cap * 2 : 65536;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

static char *load_holidays(size_t *len)
{
    char tried[4][1024];
    size_t ntried = 0;
    const char *env = getenv("GRIDGOV_HOLIDAYS_CSV");
    const char *shared = getenv("GRIDGOV_SHARED_DATA");
    char dir[900];
    const char *slash;

    if (env != NULL && env[0] != '\0')
        snprintf(tried[ntried++], sizeof(tried[0]), "%s", env);
    if (shared != NULL && shared[0] != '\0')
        snprintf(tried[ntried++], sizeof(tried[0]), "%s/%s", shared, HOLIDAYS_REL);
    /* __FILE__ is ".../tests/unit/test_calendar.c" (relative to the build or repo directory):
     * up two levels is the repo root, shared/ sits beside it. */
    slash = strrchr(__FILE__, '/');
    if (slash != NULL) {
        snprintf(dir, sizeof(dir), "%.*s", (int)(slash - __FILE__), __FILE__);
        snprintf(tried[ntried++], sizeof(tried[0]), "%s/../../../shared/data/%s", dir,
                 HOLIDAYS_REL);
    } else {
        snprintf(tried[ntried++], sizeof(tried[0]), "../../../shared/data/%s", HOLIDAYS_REL);
    }
    snprintf(tried[ntried++], sizeof(tried[0]), "/work/shared/data/%s", HOLIDAYS_REL);

    for (size_t i = 0; i < ntried; i++) {
        char *text = slurp(tried[i], len);
        if (text != NULL)
            return text;
    }
    fprintf(stderr, "holiday CSV not found; tried:\n");
    for (size_t i = 0; i < ntried; i++)
        fprintf(stderr, "  %s\n", tried[i]);
    fprintf(stderr, "set GRIDGOV_HOLIDAYS_CSV to its path\n");
    return NULL;
}

static int group_setup(void **state)
{
    size_t len = 0;
    struct calendar_import_result res;
    struct errbuf eb = {{0}};
    char *text = load_holidays(&len);
    (void)state;
    if (text == NULL)
        return -1;
    cn = calendar_new();
    int r = calendar_parse_csv(cn, text, len, &res, &eb);
    free(text);
    if (r != 0) {
        fprintf(stderr, "cannot import holiday CSV: %s\n", errbuf_message(&eb, r));
        return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    calendar_free(cn);
    cn = NULL;
    return 0;
}

/* ---- helpers ---- */

/* Local (+08:00) time to ms. */
static int64_t at(int y, int m, int d, int hh, int mm)
{
    int64_t ms = 0;
    assert_int_equal(calendar_local_to_ms(cn, y, m, d, hh, mm, &ms), 0);
    return ms;
}

static int64_t add_min(const struct calendar *cal, int64_t start, int64_t minutes)
{
    int64_t out = 0;
    assert_int_equal(calendar_add_working_minutes(cal, start, minutes, &out), 0);
    return out;
}

static int64_t add_days(const struct calendar *cal, int64_t start, int64_t days)
{
    int64_t out = 0;
    assert_int_equal(calendar_add_working_days(cal, start, days, &out), 0);
    return out;
}

/* Compare instants as ISO text so a failure shows both times. */
static void assert_instant(int64_t got, int64_t want)
{
    char g[32], w[32];
    time_format_iso(got, g, sizeof(g));
    time_format_iso(want, w, sizeof(w));
    assert_string_equal(g, w);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

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

static struct calendar *parse_new(const char *text, struct calendar_import_result *res,
                                  struct errbuf *eb, int *r)
{
    struct calendar *cal = calendar_new();
    *r = calendar_parse_csv(cal, text, strlen(text), res, eb);
    return cal;
}

/* ---- local time ---- */

static void test_local_time(void **state)
{
    int64_t ms, iso;
    int y, m, d;
    (void)state;
    assert_int_equal(calendar_utc_offset(cn), 480);
    assert_int_equal(time_parse_iso("2025-01-24T08:00:00Z", &iso), 0);
    assert_int_equal(calendar_local_to_ms(cn, 2025, 1, 24, 16, 0, &ms), 0);
    assert_true(ms == iso);
    /* 16:30Z is already the next day in Beijing. */
    assert_int_equal(time_parse_iso("2025-01-24T16:30:00Z", &iso), 0);
    assert_int_equal(calendar_local_date(cn, iso, &y, &m, &d), 0);
    assert_int_equal(y * 10000 + m * 100 + d, 20250125);
    /* 24:00 is the next midnight. */
    assert_true(at(2025, 1, 24, 24, 0) == at(2025, 1, 25, 0, 0));
    assert_int_equal(calendar_local_to_ms(cn, 2025, 2, 29, 8, 0, &ms), ERR_INVALID);
    assert_int_equal(calendar_local_to_ms(cn, 2025, 1, 1, 24, 1, &ms), ERR_INVALID);
    assert_int_equal(calendar_local_to_ms(cn, 2025, 1, 1, 8, 60, &ms), ERR_INVALID);
    /* The supported range is what the header says. */
    assert_int_equal(time_parse_iso("1900-01-01", &iso), 0);
    assert_true(iso == CALENDAR_MS_MIN);
    assert_int_equal(time_parse_iso("2200-01-01", &iso), 0);
    assert_true(iso == CALENDAR_MS_MAX);
    assert_int_equal(calendar_local_date(cn, CALENDAR_MS_MAX + 1, &y, &m, &d), ERR_INVALID);
    assert_int_equal(calendar_local_date(cn, CALENDAR_MS_MIN - 1, &y, &m, &d), ERR_INVALID);
    assert_int_equal(calendar_local_to_ms(cn, 2300, 1, 1, 0, 0, &ms), ERR_INVALID);
}

static void test_time_zone(void **state)
{
    struct calendar *cal = calendar_new();
    int64_t ms, iso;
    (void)state;
    assert_int_equal(calendar_set_utc_offset(cal, 0), 0);
    assert_int_equal(calendar_local_to_ms(cal, 2025, 3, 3, 8, 30, &ms), 0);
    assert_int_equal(time_parse_iso("2025-03-03T08:30:00Z", &iso), 0);
    assert_true(ms == iso);
    assert_true(calendar_is_working_time(cal, iso));
    assert_true(calendar_is_working_time(cn, iso)); /* 16:30 in Beijing: still working */
    assert_int_equal(time_parse_iso("2025-03-03T10:00:00Z", &iso), 0);
    assert_false(calendar_is_working_time(cn, iso)); /* 18:00 in Beijing */
    assert_int_equal(calendar_set_utc_offset(cal, 14 * 60 + 1), ERR_INVALID);
    assert_int_equal(calendar_set_utc_offset(cal, -14 * 60 - 1), ERR_INVALID);
    assert_int_equal(calendar_utc_offset(cal), 0);
    assert_int_equal(calendar_set_utc_offset(cal, -300), 0);
    assert_int_equal(calendar_utc_offset(cal), -300);
    calendar_free(cal);
}

/* ---- the real holiday file ---- */

static void test_real_csv_import(void **state)
{
    size_t len = 0;
    struct calendar_import_result res;
    struct errbuf eb = {{0}};
    char *text = load_holidays(&len);
    struct calendar *cal = calendar_new();
    (void)state;
    assert_non_null(text);
    assert_int_equal(calendar_parse_csv(cal, text, len, &res, &eb), 0);
    assert_int_equal(res.rows, 678);
    assert_int_equal(res.applied, 678);
    assert_int_equal(res.error_count, 0);
    assert_int_equal(res.first_ymd, 20061230);
    assert_int_equal(res.last_ymd, 20261010);
    assert_int_equal(res.weekend_off, 187);
    /* 2020-02-03 (Monday): work resumed after the extended Spring Festival. */
    assert_int_equal(res.warning_count, 1);
    assert_int_equal(res.warnings[0].line, 437);
    assert_non_null(strstr(res.warnings[0].reason, "2020-02-03"));
    assert_int_equal(calendar_day_count(cal), 678);
    /* Importing the same file again changes nothing. */
    assert_int_equal(calendar_parse_csv(cal, text, len, &res, &eb), 0);
    assert_int_equal(calendar_day_count(cal), 678);
    free(text);
    calendar_free(cal);
}

static void test_day_kinds(void **state)
{
    (void)state;
    /* Spring Festival 2025: make-up Sunday 01-26, off Tue 01-28..Tue 02-04, make-up Sat 02-08. */
    assert_int_equal(calendar_day_kind(cn, 2025, 1, 26), DAY_WORK);
    assert_true(calendar_is_working_day(cn, 2025, 1, 26));
    assert_int_equal(calendar_day_kind(cn, 2025, 1, 27), DAY_NORMAL);
    assert_true(calendar_is_working_day(cn, 2025, 1, 27));
    assert_int_equal(calendar_day_kind(cn, 2025, 1, 28), DAY_OFF);
    assert_false(calendar_is_working_day(cn, 2025, 1, 28));
    assert_false(calendar_is_working_day(cn, 2025, 2, 4));
    assert_true(calendar_is_working_day(cn, 2025, 2, 5));
    assert_true(calendar_is_working_day(cn, 2025, 2, 8));
    /* A holiday Saturday is listed as off and stays a day off. */
    assert_int_equal(calendar_day_kind(cn, 2024, 2, 10), DAY_OFF);
    assert_false(calendar_is_working_day(cn, 2024, 2, 10));
    /* National Day 2025: make-up Sun 09-28, off 10-01..10-08, make-up Sat 10-11. */
    assert_true(calendar_is_working_day(cn, 2025, 9, 28));
    assert_false(calendar_is_working_day(cn, 2025, 10, 8));
    assert_true(calendar_is_working_day(cn, 2025, 10, 11));
    /* Ordinary weekend and weekday. */
    assert_false(calendar_is_working_day(cn, 2025, 3, 1));
    assert_true(calendar_is_working_day(cn, 2025, 3, 3));
    assert_int_equal(calendar_day_kind(cn, 2025, 3, 1), DAY_NORMAL);
    /* Impossible dates. */
    assert_false(calendar_is_working_day(cn, 2025, 2, 29));
    assert_int_equal(calendar_day_kind(cn, 2025, 13, 1), DAY_NORMAL);
    /* Names are kept. */
    struct calendar_day day;
    assert_int_equal(calendar_day_at(cn, 0, &day), 0);
    assert_int_equal(day.year * 10000 + day.month * 100 + day.day, 20061230);
    assert_int_equal(day.kind, DAY_WORK);
    assert_string_equal(day.name, "元旦");
    assert_int_equal(calendar_day_at(cn, calendar_day_count(cn), &day), ERR_NOT_FOUND);
}

static void test_set_day(void **state)
{
    struct calendar *cal = calendar_new();
    struct calendar_day day;
    enum day_kind k;
    (void)state;
    assert_int_equal(calendar_set_day(cal, 2025, 3, 3, DAY_OFF), 0);
    assert_false(calendar_is_working_day(cal, 2025, 3, 3));
    assert_int_equal(calendar_set_day(cal, 2025, 3, 1, DAY_WORK), 0);
    assert_true(calendar_is_working_day(cal, 2025, 3, 1));
    /* A mark that changes nothing is kept as given. */
    assert_int_equal(calendar_set_day(cal, 2025, 3, 4, DAY_WORK), 0);
    assert_int_equal(calendar_set_day(cal, 2025, 3, 2, DAY_OFF), 0);
    assert_int_equal(calendar_day_count(cal), 4);
    /* Kept sorted. */
    int prev = 0;
    for (size_t i = 0; i < calendar_day_count(cal); i++) {
        assert_int_equal(calendar_day_at(cal, i, &day), 0);
        int ymd = day.year * 10000 + day.month * 100 + day.day;
        assert_true(ymd > prev);
        prev = ymd;
    }
    /* Replace and remove. */
    assert_int_equal(calendar_set_day(cal, 2025, 3, 3, DAY_NORMAL), 0);
    assert_true(calendar_is_working_day(cal, 2025, 3, 3));
    assert_int_equal(calendar_day_count(cal), 3);
    assert_int_equal(calendar_set_day(cal, 2025, 3, 3, DAY_NORMAL), 0);
    assert_int_equal(calendar_day_count(cal), 3);
    /* Bad input. */
    assert_int_equal(calendar_set_day(cal, 2025, 2, 29, DAY_OFF), ERR_INVALID);
    assert_int_equal(calendar_set_day(cal, 1999, 12, 31, DAY_OFF), ERR_INVALID);
    assert_int_equal(calendar_set_day(cal, 2101, 1, 3, DAY_OFF), ERR_INVALID);
    assert_int_equal(calendar_set_day(cal, 2025, 3, 5, (enum day_kind)7), ERR_INVALID);
    /* Beyond 2100 the plain week applies: 2101-01-03 is a Monday, 2101-01-01 a Saturday. */
    assert_true(calendar_is_working_day(cal, 2101, 1, 3));
    assert_false(calendar_is_working_day(cal, 2101, 1, 1));
    /* Names: long ones are cut at a character boundary. */
    char longname[100];
    memset(longname, 0, sizeof(longname));
    for (size_t i = 0; i < 30; i++)
        snprintf(longname + 3 * i, sizeof(longname) - 3 * i, "%s", "节");
    assert_int_equal(calendar_set_day_named(cal, 2025, 3, 7, DAY_OFF, longname), 0);
    assert_int_equal(calendar_day_at(cal, calendar_day_count(cal) - 1, &day), 0);
    assert_int_equal(strlen(day.name), 63);
    calendar_clear_days(cal);
    assert_int_equal(calendar_day_count(cal), 0);
    /* Kind names. */
    assert_string_equal(calendar_day_kind_name(DAY_OFF), "off");
    assert_string_equal(calendar_day_kind_name(DAY_WORK), "work");
    assert_null(calendar_day_kind_name((enum day_kind)3));
    assert_int_equal(calendar_day_kind_parse("work", &k), 0);
    assert_int_equal(k, DAY_WORK);
    assert_int_equal(calendar_day_kind_parse("休", &k), 0);
    assert_int_equal(k, DAY_OFF);
    assert_int_equal(calendar_day_kind_parse("Work", &k), ERR_INVALID);
    calendar_free(cal);
}

static void test_store_round_trip(void **state)
{
    struct calendar *copy = calendar_new();
    struct calendar_day day, other;
    (void)state;
    for (size_t i = 0; i < calendar_day_count(cn); i++) {
        assert_int_equal(calendar_day_at(cn, i, &day), 0);
        assert_int_equal(
            calendar_set_day_named(copy, day.year, day.month, day.day, day.kind, day.name), 0);
    }
    assert_int_equal(calendar_day_count(copy), calendar_day_count(cn));
    for (size_t i = 0; i < calendar_day_count(cn); i++) {
        assert_int_equal(calendar_day_at(cn, i, &day), 0);
        assert_int_equal(calendar_day_at(copy, i, &other), 0);
        assert_memory_equal(&day, &other, sizeof(day));
    }
    int64_t a = at(2024, 1, 1, 0, 0), b = at(2027, 1, 1, 0, 0);
    assert_true(calendar_working_ms_between(cn, a, b) == calendar_working_ms_between(copy, a, b));
    calendar_free(copy);
}

/* ---- working minutes around the holidays (hand-computed; hours 08:30-12:00, 14:00-17:30) ---- */

static void test_working_minutes_spring_festival(void **state)
{
    (void)state;
    /* 2025: Friday 01-24 16:00 + 1 wh: still that Friday; the holiday starts Tuesday 01-28. */
    assert_instant(add_min(cn, at(2025, 1, 24, 16, 0), 60), at(2025, 1, 24, 17, 0));
    /* Friday 17:00 + 1 wh: 30 min Friday, then the make-up Sunday 01-26 from 08:30. */
    assert_instant(add_min(cn, at(2025, 1, 24, 17, 0), 60), at(2025, 1, 26, 9, 0));
    /* Saturday 01-25 (a day off) 10:00 + 1 wh: the make-up Sunday 08:30 + 60 min. */
    assert_instant(add_min(cn, at(2025, 1, 25, 10, 0), 60), at(2025, 1, 26, 9, 30));
    /* Monday 01-27 17:00, the last working day before the holiday: 30 min, then Wed 02-05. */
    assert_instant(add_min(cn, at(2025, 1, 27, 17, 0), 60), at(2025, 2, 5, 9, 0));
    /* Reported in the evening: counts from the next working moment. */
    assert_instant(add_min(cn, at(2025, 1, 27, 20, 0), 60), at(2025, 2, 5, 9, 30));
    /* During the holiday. */
    assert_instant(add_min(cn, at(2025, 1, 30, 10, 0), 90), at(2025, 2, 5, 10, 0));
    /* 2024: off Sat 02-10..Sat 02-17, make-up Sun 02-04 and Sun 02-18. */
    assert_instant(add_min(cn, at(2024, 2, 9, 17, 0), 60), at(2024, 2, 18, 9, 0));
    assert_instant(add_min(cn, at(2024, 2, 3, 11, 0), 30), at(2024, 2, 4, 9, 0));
    /* 2026: make-up Sat 02-14, off Sun 02-15..Mon 02-23, make-up Sat 02-28. */
    assert_instant(add_min(cn, at(2026, 2, 13, 16, 0), 180), at(2026, 2, 14, 10, 0));
    assert_instant(add_min(cn, at(2026, 2, 14, 17, 0), 60), at(2026, 2, 24, 9, 0));
    /* Ends exactly at the end of a span: the earliest instant, 12:00, not 14:00. */
    assert_instant(add_min(cn, at(2025, 3, 3, 11, 0), 60), at(2025, 3, 3, 12, 0));
    assert_instant(add_min(cn, at(2025, 3, 3, 11, 0), 61), at(2025, 3, 3, 14, 1));
    /* Across lunch, and 0 minutes. */
    assert_instant(add_min(cn, at(2025, 3, 3, 12, 30), 10), at(2025, 3, 3, 14, 10));
    assert_instant(add_min(cn, at(2025, 3, 3, 12, 30), 0), at(2025, 3, 3, 12, 30));
}

static void test_working_days(void **state)
{
    (void)state;
    /* National Day 2025, 15 working days from Thursday 09-25 10:00 (09-25 itself not counted):
     * 09-26, 09-28 (make-up Sunday), 09-29, 09-30, [10-01..10-08 off], 10-09, 10-10, 10-11
     * (make-up Saturday), 10-13..10-17, 10-20, 10-21, 10-22 = 15 → Wednesday 10-22 17:30. */
    assert_instant(add_days(cn, at(2025, 9, 25, 10, 0), 15), at(2025, 10, 22, 17, 30));
    /* The hour of the start does not matter: the start day never counts. */
    assert_instant(add_days(cn, at(2025, 9, 25, 7, 0), 15), at(2025, 10, 22, 17, 30));
    assert_instant(add_days(cn, at(2025, 9, 25, 21, 0), 15), at(2025, 10, 22, 17, 30));
    /* Reported on Saturday 09-27: the make-up Sunday 09-28 is day 1 → Thursday 10-23. */
    assert_instant(add_days(cn, at(2025, 9, 27, 10, 0), 15), at(2025, 10, 23, 17, 30));
    /* Reported on the make-up Sunday itself: day 1 is Monday 09-29 → Friday 10-24. */
    assert_instant(add_days(cn, at(2025, 9, 28, 20, 0), 15), at(2025, 10, 24, 17, 30));
    /* National Day 2024: make-up Sun 09-29, off 10-01..10-07. From Friday 09-27: 09-29, 09-30,
     * 10-08, 10-09, 10-10. */
    assert_instant(add_days(cn, at(2024, 9, 27, 15, 0), 5), at(2024, 10, 10, 17, 30));
    /* Spring Festival 2024 from Friday 02-09: 02-18 (make-up Sunday), 02-19, 02-20. */
    assert_instant(add_days(cn, at(2024, 2, 9, 10, 0), 3), at(2024, 2, 20, 17, 30));
    /* 1 working day on a plain Monday → Tuesday 17:30. */
    assert_instant(add_days(cn, at(2025, 3, 3, 9, 0), 1), at(2025, 3, 4, 17, 30));
    /* 0 working days: the end of today if still in working time, else the next working day. */
    assert_instant(add_days(cn, at(2025, 1, 27, 10, 0), 0), at(2025, 1, 27, 17, 30));
    assert_instant(add_days(cn, at(2025, 1, 27, 17, 29), 0), at(2025, 1, 27, 17, 30));
    assert_instant(add_days(cn, at(2025, 1, 27, 17, 30), 0), at(2025, 2, 5, 17, 30));
    assert_instant(add_days(cn, at(2025, 1, 25, 10, 0), 0), at(2025, 1, 26, 17, 30));
}

static void test_working_minutes_between(void **state)
{
    (void)state;
    /* Friday 2025-01-24 09:00 → Wednesday 02-05 10:00: Friday 180 + 210, make-up Sunday 420,
     * Monday 420, Wednesday 90 = 1320. */
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 1, 24, 9, 0), at(2025, 2, 5, 10, 0)), 1320);
    /* Lunch and nights do not count. */
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 3, 3, 12, 0), at(2025, 3, 3, 14, 0)), 0);
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 3, 3, 17, 0), at(2025, 3, 4, 9, 0)), 60);
    /* Empty or reversed intervals. */
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 3, 3, 10, 0), at(2025, 3, 3, 10, 0)), 0);
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 3, 4, 10, 0), at(2025, 3, 3, 10, 0)), 0);
    /* Rounds down to whole minutes; ms version is exact. */
    assert_true(calendar_working_ms_between(cn, at(2025, 3, 3, 10, 0),
                                            at(2025, 3, 3, 10, 0) + 119999) == 119999);
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 3, 3, 10, 0), at(2025, 3, 3, 10, 0) + 119999),
        1);
    /* A whole year: 248 working days in 2025 (day by day from the file) × 420 minutes. */
    int days = 0;
    for (int m = 1; m <= 12; m++)
        for (int d = 1; d <= 31; d++)
            days += calendar_is_working_day(cn, 2025, m, d);
    assert_int_equal(days, 248);
    assert_int_equal(
        calendar_working_minutes_between(cn, at(2025, 1, 1, 0, 0), at(2026, 1, 1, 0, 0)),
        248 * 420);
    /* Clamped at the ends of the supported range, not an endless loop. */
    assert_true(calendar_working_ms_between(cn, INT64_MIN, INT64_MAX) > 0);
}

static void test_arithmetic_bounds(void **state)
{
    int64_t out;
    (void)state;
    assert_int_equal(calendar_add_working_minutes(cn, at(2025, 3, 3, 9, 0), -1, &out), ERR_INVALID);
    assert_int_equal(
        calendar_add_working_minutes(cn, at(2025, 3, 3, 9, 0), CALENDAR_ADD_MINUTES_MAX + 1, &out),
        ERR_INVALID);
    assert_int_equal(calendar_add_working_minutes(cn, CALENDAR_MS_MAX + 1, 10, &out), ERR_INVALID);
    assert_int_equal(calendar_add_working_days(cn, at(2025, 3, 3, 9, 0), -1, &out), ERR_INVALID);
    assert_int_equal(
        calendar_add_working_days(cn, at(2025, 3, 3, 9, 0), CALENDAR_ADD_DAYS_MAX + 1, &out),
        ERR_INVALID);
    /* The largest amounts still finish (day loop) and land where they should. */
    assert_int_equal(
        calendar_add_working_minutes(cn, at(2025, 3, 3, 9, 0), CALENDAR_ADD_MINUTES_MAX, &out), 0);
    assert_int_equal(calendar_working_minutes_between(cn, at(2025, 3, 3, 9, 0), out),
                     CALENDAR_ADD_MINUTES_MAX);
    assert_int_equal(
        calendar_add_working_days(cn, at(2025, 3, 3, 9, 0), CALENDAR_ADD_DAYS_MAX, &out), 0);
    /* Across the end of the holiday table: 2100-12-31 is a Friday, then a plain week. */
    assert_instant(add_days(cn, at(2100, 12, 31, 10, 0), 1), at(2101, 1, 3, 17, 30));
}

/* ---- properties ---- */

static void test_add_between_round_trip(void **state)
{
    const int64_t lo = at(2023, 12, 1, 0, 0), hi = at(2026, 12, 31, 0, 0);
    int inside = 0;
    (void)state;
    for (int i = 0; i < 3000; i++) {
        int64_t start = rng_range(lo, hi);
        int64_t m = rng_range(1, i % 3 == 0 ? 20000 : 600);
        int64_t due = add_min(cn, start, m);
        inside += calendar_is_working_time(cn, start);
        /* Exactly m working minutes elapse, and due is the earliest such instant. */
        assert_true(calendar_working_ms_between(cn, start, due) == m * 60000);
        assert_true(calendar_working_ms_between(cn, start, due - 1) == m * 60000 - 1);
        assert_true(calendar_is_working_time(cn, due - 1));
        /* One minute more is strictly later. */
        assert_true(add_min(cn, start, m + 1) > due);
    }
    assert_true(inside > 100); /* the property was exercised from inside working time too */
}

static void test_add_days_property(void **state)
{
    const int64_t lo = at(2024, 1, 1, 0, 0), hi = at(2026, 9, 1, 0, 0);
    (void)state;
    for (int i = 0; i < 500; i++) {
        int64_t start = rng_range(lo, hi);
        int64_t n = rng_range(1, 30);
        int64_t due = add_days(cn, start, n);
        int sy, sm, sd, dy, dm, dd;
        assert_int_equal(calendar_local_date(cn, start, &sy, &sm, &sd), 0);
        assert_int_equal(calendar_local_date(cn, due, &dy, &dm, &dd), 0);
        /* due is 17:30 on a working day ... */
        assert_true(calendar_is_working_day(cn, dy, dm, dd));
        assert_true(due == at(dy, dm, dd, 17, 30));
        /* ... and exactly n working days lie in (start date, due date]. */
        int64_t count = 0;
        int64_t day = at(sy, sm, sd, 12, 0) + 86400000;
        for (; day <= due; day += 86400000) {
            int y, m, d;
            assert_int_equal(calendar_local_date(cn, day, &y, &m, &d), 0);
            count += calendar_is_working_day(cn, y, m, d);
        }
        assert_true(count == n);
    }
}

/* ---- working hours ---- */

static void test_hours(void **state)
{
    struct calendar_span spans[CALENDAR_SPANS_MAX];
    size_t n = 0;
    char text[CALENDAR_HOURS_TEXT_MAX];
    struct errbuf eb = {{0}};
    struct calendar *cal = calendar_new();
    (void)state;
    assert_int_equal(calendar_minutes_per_day(cal), 420);
    assert_int_equal(calendar_hours(cal, spans, CALENDAR_SPANS_MAX), 2);
    calendar_hours_format(spans, 2, text, sizeof(text));
    assert_string_equal(text, "08:30-12:00,14:00-17:30");

    assert_int_equal(calendar_hours_parse(" 9:00-12:00 , 13:30-18:00", spans, &n, &eb), 0);
    assert_int_equal(n, 2);
    calendar_hours_format(spans, n, text, sizeof(text));
    assert_string_equal(text, "09:00-12:00,13:30-18:00");
    assert_int_equal(calendar_set_hours(cal, spans, n, &eb), 0);
    assert_int_equal(calendar_minutes_per_day(cal), 450);
    /* 1 working hour from Friday 2025-01-24 17:30 on these hours: 30 min Friday, then (no
     * holidays in this calendar) Monday 09:00 + 30 min. */
    int64_t start = 0;
    assert_int_equal(calendar_local_to_ms(cal, 2025, 1, 24, 17, 30, &start), 0);
    int64_t due = add_min(cal, start, 60);
    int64_t want = 0;
    assert_int_equal(calendar_local_to_ms(cal, 2025, 1, 27, 9, 30, &want), 0);
    assert_instant(due, want);
    assert_int_equal(calendar_hours_parse("00:00-24:00", spans, &n, &eb), 0);
    assert_int_equal(n, 1);

    /* Nine spans, one too many. */
    static const char nine[] = "1:00-2:00,3:00-4:00,5:00-6:00,7:00-8:00,9:00-10:00,11:00-12:00,"
                               "13:00-14:00,15:00-16:00,17:00-18:00";
    static const char *const bad[] = {
        nine,
        "",
        "8:30",
        "8:30-12",
        "08:30-12:00;14:00-17:30",
        "12:00-08:00",
        "08:00-08:00",
        "08:00-12:00,11:00-13:00",
        "14:00-17:00,08:00-12:00",
        "25:00-26:00",
        "08:60-09:00",
        "24:01-24:30",
        "08:00-12:00,",
        "08:00-12:00,08:00-12:00",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errbuf_clear(&eb);
        assert_int_equal(calendar_hours_parse(bad[i], spans, &n, &eb), ERR_INVALID);
        assert_int_equal(n, 0);
        assert_true(eb.msg[0] != '\0');
    }
    /* set_hours refuses bad spans and keeps the old ones. */
    struct calendar_span overlap[] = {{480, 720}, {700, 900}};
    assert_int_equal(calendar_set_hours(cal, overlap, 2, NULL), ERR_INVALID);
    assert_int_equal(calendar_set_hours(cal, overlap, 0, NULL), ERR_INVALID);
    assert_int_equal(calendar_minutes_per_day(cal), 450);
    calendar_free(cal);
}

/* ---- CSV import ---- */

static void test_csv_bom_crlf_quotes(void **state)
{
    struct calendar_import_result res;
    struct errbuf eb = {{0}};
    struct calendar_day day;
    int r;
    (void)state;
    struct calendar *cal = parse_new("\xEF\xBB\xBF"
                                     "date,name,kind\r\n"
                                     "2025-01-28,春节,off\r\n"
                                     "\r\n"
                                     "  \"2025-01-26\" , \"春节, \"\"调休\"\"\",work\r\n"
                                     "2025/2/8,春节,班\r\n"
                                     ",,\r\n"
                                     "2025-02-04,,off",
                                     &res, &eb, &r);
    assert_int_equal(r, 0);
    assert_int_equal(res.rows, 4);
    assert_int_equal(res.applied, 4);
    assert_int_equal(res.error_count, 0);
    assert_int_equal(res.first_ymd, 20250126);
    assert_int_equal(res.last_ymd, 20250208);
    assert_int_equal(calendar_day_count(cal), 4);
    assert_int_equal(calendar_day_at(cal, 0, &day), 0);
    assert_int_equal(day.kind, DAY_WORK);
    assert_string_equal(day.name, "春节, \"调休\"");
    assert_int_equal(calendar_day_kind(cal, 2025, 2, 8), DAY_WORK);
    assert_int_equal(calendar_day_kind(cal, 2025, 2, 4), DAY_OFF);
    calendar_free(cal);

    /* Columns in another order, extra columns, no name column, lone LF. */
    cal = parse_new("kind,source,DATE\noff,gov.cn,2025-10-01\nwork,gov.cn,2025-10-11\n", &res, &eb,
                    &r);
    assert_int_equal(r, 0);
    assert_int_equal(res.applied, 2);
    assert_int_equal(calendar_day_kind(cal, 2025, 10, 11), DAY_WORK);
    calendar_free(cal);

    /* Header only: nothing to do, not an error. */
    cal = parse_new("date,name,kind\n\n", &res, &eb, &r);
    assert_int_equal(r, 0);
    assert_int_equal(res.rows, 0);
    assert_int_equal(res.first_ymd, 0);
    calendar_free(cal);
}

static void test_csv_bad_rows(void **state)
{
    struct calendar_import_result res;
    struct errbuf eb = {{0}};
    (void)state;
    struct calendar *cal = calendar_new();
    assert_int_equal(calendar_set_day(cal, 2024, 5, 1, DAY_OFF), 0);
    const char *text = "date,name,kind\n"                /* 1 */
                       "2025-13-01,x,off\n"              /* 2: bad date */
                       "2025-01-28,春节,holiday\n"       /* 3: unknown kind */
                       "2025-01-27,春节,off\n"           /* 4: good */
                       "\n"                              /* 5: blank */
                       "2025-02-08,春节,work\n"          /* 6: good */
                       "1999-01-01,x,off\n"              /* 7: outside 2000-2100 */
                       "2025-02-08,x,off\n"              /* 8: conflicts with line 6 */
                       "2025-01-29\n"                    /* 9: missing kind */
                       "2025-01-30,\"a\"b,off\n"         /* 10: text after quote */
                       "2025-01-31,\"two\nlines\",off\n" /* 11-12: control char in name */
                       "2025-02-30,x,off\n";             /* 13: bad date */
    assert_int_equal(calendar_parse_csv(cal, text, strlen(text), &res, &eb), ERR_INVALID);
    static const struct {
        size_t line;
        const char *reason;
    } want[] = {
        {2, "bad date '2025-13-01'"},       {3, "unknown kind 'holiday'"},
        {7, "outside the years 2000-2100"}, {8, "'off' here but 'work' on line 6"},
        {9, "missing field 'kind'"},        {10, "text after a closing quote"},
        {11, "name is not UTF-8 text"},     {13, "bad date '2025-02-30'"},
    };
    assert_int_equal(res.error_count, sizeof(want) / sizeof(want[0]));
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_int_equal(res.errors[i].line, want[i].line);
        if (strstr(res.errors[i].reason, want[i].reason) == NULL)
            fail_msg("line %zu: got '%s', want '%s'", want[i].line, res.errors[i].reason,
                     want[i].reason);
    }
    assert_int_equal(res.applied, 0);
    assert_int_equal(res.rows, 10);
    assert_non_null(strstr(eb.msg, "8 bad rows"));
    assert_non_null(strstr(eb.msg, "line 2"));
    /* All or nothing: the good rows 4 and 6 were not applied; the old day is still there. */
    assert_int_equal(calendar_day_count(cal), 1);
    assert_int_equal(calendar_day_kind(cal, 2025, 1, 27), DAY_NORMAL);
    assert_int_equal(calendar_day_kind(cal, 2024, 5, 1), DAY_OFF);
    calendar_free(cal);
}

static void test_csv_all_or_nothing_and_merge(void **state)
{
    struct calendar_import_result res;
    struct errbuf eb = {{0}};
    (void)state;
    struct calendar *cal = calendar_new();
    assert_int_equal(calendar_set_day_named(cal, 2025, 1, 28, DAY_OFF, "old"), 0);
    assert_int_equal(calendar_set_day(cal, 2024, 5, 1, DAY_OFF), 0);
    /* Three good rows and one bad: nothing lands. */
    const char *bad = "date,name,kind\n2025-10-01,国庆节,off\n2025-10-02,国庆节,off\n"
                      "2025-10-11,国庆节,work\n2025-10-03,国庆节,of\n";
    assert_int_equal(calendar_parse_csv(cal, bad, strlen(bad), &res, &eb), ERR_INVALID);
    assert_int_equal(res.error_count, 1);
    assert_int_equal(res.errors[0].line, 5);
    assert_int_equal(calendar_day_count(cal), 2);
    assert_true(calendar_is_working_day(cal, 2025, 10, 1));
    /* A good file merges: new days added, a day already present takes the file's kind and
     * name (the last row for a day in the file wins), other days stay. */
    const char *good = "date,name,kind\n2025-10-01,国庆节,off\n2025-01-28,春节,off\n"
                       "2025-01-28,春节初一,off\n2025-10-11,国庆节,work\n";
    assert_int_equal(calendar_parse_csv(cal, good, strlen(good), &res, &eb), 0);
    assert_int_equal(res.applied, 4);
    assert_int_equal(calendar_day_count(cal), 4);
    struct calendar_day day;
    assert_int_equal(calendar_day_at(cal, 1, &day), 0);
    assert_int_equal(day.month * 100 + day.day, 128);
    assert_string_equal(day.name, "春节初一");
    assert_int_equal(calendar_day_kind(cal, 2024, 5, 1), DAY_OFF);
    calendar_free(cal);
}

static void test_csv_structure_errors(void **state)
{
    struct calendar_import_result res;
    struct errbuf eb = {{0}};
    int r;
    struct calendar *cal;
    (void)state;
    /* No header. */
    cal = parse_new("2025-01-28,春节,off\n", &res, &eb, &r);
    assert_int_equal(r, ERR_INVALID);
    assert_int_equal(res.errors[0].line, 1);
    assert_non_null(strstr(res.errors[0].reason, "header"));
    calendar_free(cal);
    /* Empty and blank-only. */
    errbuf_clear(&eb);
    cal = parse_new("", &res, &eb, &r);
    assert_int_equal(r, ERR_INVALID);
    assert_non_null(strstr(eb.msg, "empty"));
    calendar_free(cal);
    cal = parse_new("\xEF\xBB\xBF\r\n\r\n", &res, &eb, &r);
    assert_int_equal(r, ERR_INVALID);
    calendar_free(cal);
    /* A quote that never closes is reported at the line it opens on. */
    cal =
        parse_new("date,name,kind\n2025-01-28,春节,off\n2025-01-29,\"春节,off\n2025-01-30,x,off\n",
                  &res, &eb, &r);
    assert_int_equal(r, ERR_INVALID);
    assert_int_equal(res.error_count, 1);
    assert_int_equal(res.errors[0].line, 3);
    assert_non_null(strstr(res.errors[0].reason, "unterminated quoted field"));
    assert_int_equal(calendar_day_count(cal), 0);
    calendar_free(cal);
    /* Line numbers stay physical after a quoted field spanning lines; long fields are bad. */
    char text[1024];
    char longname[80];
    memset(longname, 'a', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    snprintf(text, sizeof(text),
             "date,name,kind\n2025-01-28,\"a\nb\nc\",off\n2025-01-29,%s,off\n2025-01-35,x,off\n",
             longname);
    cal = parse_new(text, &res, &eb, &r);
    assert_int_equal(r, ERR_INVALID);
    assert_int_equal(res.error_count, 3);
    assert_int_equal(res.errors[0].line, 2);
    assert_int_equal(res.errors[1].line, 5);
    assert_non_null(strstr(res.errors[1].reason, "name longer"));
    assert_int_equal(res.errors[2].line, 6);
    calendar_free(cal);
    /* Over the size cap: refused before reading. */
    cal = calendar_new();
    assert_int_equal(calendar_parse_csv(cal, "x", (size_t)CALENDAR_IMPORT_MAX_BYTES + 1, &res, &eb),
                     ERR_TOO_LARGE);
    calendar_free(cal);
    /* Invalid UTF-8 in a name. */
    cal = parse_new("date,name,kind\n2025-01-28,\xC3\x28,off\n", &res, &eb, &r);
    assert_int_equal(r, ERR_INVALID);
    assert_int_equal(res.errors[0].line, 2);
    calendar_free(cal);
    /* Many bad rows: all counted, the first CALENDAR_IMPORT_ERRORS_MAX kept, in line order. */
    size_t cap = (size_t)64 * 200, used = 0;
    char *many = malloc(cap);
    assert_non_null(many);
    used += (size_t)snprintf(many, cap, "date,name,kind\n");
    for (int i = 0; i < 120; i++)
        used += (size_t)snprintf(many + used, cap - used, "2025-01-%02d,x,nope\n", i % 28 + 1);
    cal = calendar_new();
    assert_int_equal(calendar_parse_csv(cal, many, used, &res, &eb), ERR_INVALID);
    assert_int_equal(res.error_count, 120);
    assert_int_equal(res.errors[0].line, 2);
    assert_int_equal(res.errors[CALENDAR_IMPORT_ERRORS_MAX - 1].line,
                     CALENDAR_IMPORT_ERRORS_MAX + 1);
    free(many);
    calendar_free(cal);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_local_time),
        cmocka_unit_test(test_time_zone),
        cmocka_unit_test(test_real_csv_import),
        cmocka_unit_test(test_day_kinds),
        cmocka_unit_test(test_set_day),
        cmocka_unit_test(test_store_round_trip),
        cmocka_unit_test(test_working_minutes_spring_festival),
        cmocka_unit_test(test_working_days),
        cmocka_unit_test(test_working_minutes_between),
        cmocka_unit_test(test_arithmetic_bounds),
        cmocka_unit_test(test_add_between_round_trip),
        cmocka_unit_test(test_add_days_property),
        cmocka_unit_test(test_hours),
        cmocka_unit_test(test_csv_bom_crlf_quotes),
        cmocka_unit_test(test_csv_bad_rows),
        cmocka_unit_test(test_csv_all_or_nothing_and_merge),
        cmocka_unit_test(test_csv_structure_errors),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
