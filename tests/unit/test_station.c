/*
 * test_station.c - station-team schedules (domain/station.h): sessions scheduled over a period
 * counted by hand on a calendar (March 2026 at UTC+8), half-open ranges, several slots, the
 * time-of-day parser, slot checks and item kinds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/station.h"

#include <string.h>

#define HOUR ((int64_t)3600000)
#define DAY  (24 * HOUR)
/* Monday 2026-03-02 00:00 at UTC+8 */
#define MON0 ((int64_t)1772409600000 - 8 * HOUR)

static void test_scheduled_count(void **state)
{
    /* Tuesdays 19:00 and Saturdays 09:30 */
    struct station_slot slots[2] = {{2, 19 * 60, 120, "440605001001"},
                                    {6, 9 * 60 + 30, 60, "440605001001"}};
    (void)state;
    /* four weeks: Tuesdays 3, 10, 17, 24 March */
    assert_int_equal(station_scheduled_count(slots, 1, MON0, MON0 + 28 * DAY, 480), 4);
    /* plus Saturdays 7, 14, 21, 28 */
    assert_int_equal(station_scheduled_count(slots, 2, MON0, MON0 + 28 * DAY, 480), 8);
    /* from exactly the first Tuesday session: included; a millisecond later: not */
    assert_int_equal(
        station_scheduled_count(slots, 1, MON0 + DAY + 19 * HOUR, MON0 + 28 * DAY, 480), 4);
    assert_int_equal(
        station_scheduled_count(slots, 1, MON0 + DAY + 19 * HOUR + 1, MON0 + 28 * DAY, 480), 3);
    /* the end is exclusive */
    assert_int_equal(station_scheduled_count(slots, 1, MON0, MON0 + DAY + 19 * HOUR, 480), 0);
    assert_int_equal(station_scheduled_count(slots, 1, MON0, MON0 + DAY + 19 * HOUR + 1, 480), 1);
    /* an empty or reversed range */
    assert_int_equal(station_scheduled_count(slots, 2, MON0, MON0, 480), 0);
    assert_int_equal(station_scheduled_count(slots, 2, MON0 + DAY, MON0, 480), 0);
    /* no slots */
    assert_int_equal(station_scheduled_count(NULL, 0, MON0, MON0 + 365 * DAY, 480), 0);
    /* the same local schedule read at UTC: Tuesday 19:00 UTC is Wednesday 03:00 at +8, which
     * still falls inside the four weeks */
    assert_int_equal(station_scheduled_count(slots, 1, MON0, MON0 + 28 * DAY, 0), 4);
    /* a year: 52 or 53 Tuesdays */
    {
        int64_t n = station_scheduled_count(slots, 1, MON0, MON0 + 365 * DAY, 480);
        assert_true(n == 52 || n == 53);
        /* Tuesday 2026-03-03 is day 1; day 1 + 7k < 365 for k = 0..51: 52 sessions (the
         * 53rd, 2027-03-02, is day 365, the end) */
        assert_int_equal(n, 52);
    }
    /* before 1970 (negative times) works too */
    assert_int_equal(station_scheduled_count(slots, 1, -28 * DAY, 0, 480), 4);
}

static void test_time_of_day_and_slots(void **state)
{
    struct errbuf eb = {{0}};
    struct station_slot s = {1, 0, 60, ""};
    int m = -1;
    (void)state;
    assert_int_equal(station_parse_time_of_day("00:00", &m), 0);
    assert_int_equal(m, 0);
    assert_int_equal(station_parse_time_of_day("23:59", &m), 0);
    assert_int_equal(m, 1439);
    assert_int_equal(station_parse_time_of_day("19:30", &m), 0);
    assert_int_equal(m, 1170);
    assert_int_equal(station_parse_time_of_day("24:00", &m), ERR_INVALID);
    assert_int_equal(station_parse_time_of_day("12:60", &m), ERR_INVALID);
    assert_int_equal(station_parse_time_of_day("7:30", &m), ERR_INVALID);
    assert_int_equal(station_parse_time_of_day("07-30", &m), ERR_INVALID);
    assert_int_equal(station_parse_time_of_day(NULL, &m), ERR_INVALID);
    assert_int_equal(station_slot_check(&s, 0, &eb), 0);
    s.weekday = 0;
    assert_int_equal(station_slot_check(&s, 2, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "slot 2"));
    s.weekday = 7;
    s.duration_min = 14;
    assert_int_equal(station_slot_check(&s, 0, &eb), ERR_INVALID);
    s.duration_min = 721;
    assert_int_equal(station_slot_check(&s, 0, &eb), ERR_INVALID);
    s.duration_min = 720;
    s.minute_of_day = 1440;
    assert_int_equal(station_slot_check(&s, 0, &eb), ERR_INVALID);
}

static void test_item_kinds(void **state)
{
    enum station_item_kind k;
    (void)state;
    for (int i = 0; i < STATION_ITEM_KIND_COUNT; i++) {
        assert_int_equal(
            station_item_kind_parse(station_item_kind_name((enum station_item_kind)i), &k), 0);
        assert_int_equal(k, i);
    }
    assert_string_equal(station_item_kind_name(STATION_TICKETED), "ticketed");
    assert_int_equal(station_item_kind_parse("solved", &k), ERR_INVALID);
    assert_int_equal(station_item_kind_parse(NULL, &k), ERR_INVALID);
    assert_null(station_item_kind_name(STATION_ITEM_KIND_COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scheduled_count),
        cmocka_unit_test(test_time_of_day_and_slots),
        cmocka_unit_test(test_item_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
