/*
 * test_import311.c - the 311 import's sloppy-time reader (zones, US daylight saving, the
 * forms real exports use) and its mapping file parser (service/import311.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/csv.h"
#include "base/timeutil.h"
#include "service/import311.h"

#include <stdio.h>
#include <string.h>

static int64_t utc(const char *iso)
{
    int64_t ms = 0;
    assert_int_equal(time_parse_iso(iso, &ms), 0);
    return ms;
}

static void test_times(void **state)
{
    static const struct {
        const char *text, *zone, *want;
    } ok[] = {
        {"2015-01-01T00:20:09", "US/Eastern", "2015-01-01T05:20:09Z"}, /* EST */
        {"2015-07-01T01:17:57", "US/Eastern", "2015-07-01T05:17:57Z"}, /* EDT */
        {"2012-12-04 15:21:00", "US/Pacific", "2012-12-04T23:21:00Z"}, /* PST */
        {"2015-04-16 04:05:00", "US/Pacific", "2015-04-16T11:05:00Z"}, /* PDT */
        {"04/16/2015 04:05:00 AM", "US/Pacific", "2015-04-16T11:05:00Z"},
        {"12/06/2012 12:39:00 PM", "UTC", "2012-12-06T12:39:00Z"},
        {"12/06/2012 12:39:00 AM", "UTC", "2012-12-06T00:39:00Z"},
        {"2015-03-08T01:59:00", "US/Eastern", "2015-03-08T06:59:00Z"},  /* before the switch */
        {"2015-03-08T03:00:00", "US/Eastern", "2015-03-08T07:00:00Z"},  /* after it */
        {"2015-11-01T01:30:00", "US/Eastern", "2015-11-01T05:30:00Z"},  /* still EDT */
        {"2015-11-01T02:30:00", "US/Eastern", "2015-11-01T07:30:00Z"},  /* EST again */
        {"2006-04-01T12:00:00", "US/Eastern", "2006-04-01T17:00:00Z"},  /* old rule: EST */
        {"2006-04-03T12:00:00", "US/Eastern", "2006-04-03T16:00:00Z"},  /* old rule: EDT */
        {"2015-01-01T08:00:00Z", "US/Eastern", "2015-01-01T08:00:00Z"}, /* explicit zone wins */
        {"2015-01-01T08:00:00+08:00", "UTC", "2015-01-01T00:00:00Z"},
        {"2015-01-01T08:00:00.123-0500", "UTC", "2015-01-01T13:00:00Z"},
        {"2015-01-01 08:00", "+08:00", "2015-01-01T00:00:00Z"},
        {"2015-01-01", "UTC", "2015-01-01T00:00:00Z"},
    };
    int64_t ms;
    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        int r = import311_parse_time(ok[i].text, ok[i].zone, &ms);
        if (r != 0)
            fail_msg("'%s' in %s: %d", ok[i].text, ok[i].zone, r);
        int64_t want = utc(ok[i].want);
        /* fractions of a second are dropped */
        if (ms / 1000 != want / 1000)
            fail_msg("'%s' in %s: %lld, want %lld", ok[i].text, ok[i].zone, (long long)ms,
                     (long long)want);
    }
    static const char *const absent[] = {"", "NA", "null", "  ", NULL};
    for (const char *const *s = absent; *s; s++)
        assert_int_equal(import311_parse_time(*s, "UTC", &ms), 1);
    static const char *const bad[] = {"2015-13-01T00:00:00", "2015-02-30", "yesterday",
                                      "2015-01-01T25:00",    "13/45/2015", "2015-01-01T08:00:00+99",
                                      "01/01/2015 13:00 PM", "1900-01-01", NULL};
    for (const char *const *s = bad; *s; s++)
        if (import311_parse_time(*s, "UTC", &ms) != ERR_INVALID)
            fail_msg("'%s' was read", *s);
    assert_int_equal(import311_parse_time("2015-01-01T00:00:00", "Mars/Olympus", &ms), ERR_INVALID);
}

static void test_mapping(void **state)
{
    struct import311_mapping *m = NULL;
    struct errbuf eb = {{0}};
    static const char good[] = "kind,from,to\n"
                               "service,Street Light Outages,0204\n"
                               "group,Street Cleaning,0103\n"
                               "column,opened,Created At\n";
    (void)state;
    assert_int_equal(import311_mapping_parse(good, sizeof(good) - 1, &m, &eb), 0);
    import311_mapping_free(m);
    static const char *const bad[] = {
        "",
        "from,to\nservice,a,0204\n",
        "kind,from,to\nservice,a,12345\n",
        "kind,from,to\ncolumn,nonsense,x\n",
        "kind,from,to\nalias,a,0204\n",
        "kind,from,to\nservice,,0204\n",
        NULL,
    };
    for (const char *const *s = bad; *s; s++) {
        errbuf_clear(&eb);
        m = NULL;
        assert_int_not_equal(import311_mapping_parse(*s, strlen(*s), &m, &eb), 0);
        assert_null(m);
        assert_true(eb.msg[0] != '\0');
    }
    import311_mapping_free(NULL);
}

/* The wide, truncating CSV reader the import uses (base/csv.h). */
static void test_wide_csv(void **state)
{
    static char text[2048];
    struct csv_reader rd;
    static struct csv_record rec;
    size_t n = 0;
    (void)state;
    /* More fields than a default reader takes, fewer than a wide one. */
    for (int i = 0; i < CSV_MAX_FIELDS + 4; i++)
        n += (size_t)snprintf(text + n, sizeof(text) - n, "%sf%d", i ? "," : "", i);
    n += (size_t)snprintf(text + n, sizeof(text) - n, "\n\"");
    for (int i = 0; i < 300; i++)
        text[n++] = 'x';
    n += (size_t)snprintf(text + n, sizeof(text) - n, "\",short\n");
    /* A default reader refuses more than 16 fields and long fields. */
    csv_reader_init(&rd, text, n);
    assert_int_equal(csv_read(&rd, &rec), 1);
    assert_non_null(strstr(rec.error, "more than 32 fields"));
    assert_int_equal(csv_read(&rd, &rec), 1);
    assert_non_null(strstr(rec.error, "longer than"));
    /* A wide, truncating one reads both. */
    csv_reader_init(&rd, text, n);
    csv_reader_set_wide(&rd, CSV_WIDE_MAX_FIELDS, 1);
    assert_int_equal(csv_read(&rd, &rec), 1);
    assert_string_equal(rec.error, "");
    assert_int_equal(rec.n_fields, CSV_MAX_FIELDS + 4);
    assert_string_equal(rec.field[19], "f19");
    assert_int_equal(csv_read(&rd, &rec), 1);
    assert_string_equal(rec.error, "");
    assert_true(rec.is_truncated);
    assert_int_equal(rec.field_len[0], CSV_FIELD_MAX);
    assert_string_equal(rec.field[1], "short");
    assert_int_equal(csv_read(&rd, &rec), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_times),
        cmocka_unit_test(test_mapping),
        cmocka_unit_test(test_wide_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
