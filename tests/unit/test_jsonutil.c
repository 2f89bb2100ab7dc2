/*
 * test_jsonutil.c - validated JSON field access, UTF-8 checks, error map, buffers, time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/error.h"
#include "base/jsonutil.h"
#include "base/timeutil.h"

#include <string.h>

static void test_parse_object(void **state)
{
    struct errbuf eb = {{0}};
    json_t *obj = NULL;
    (void)state;
    assert_int_equal(json_parse_object("{\"a\":1}", 7, &obj, &eb), 0);
    json_decref(obj);
    errbuf_clear(&eb);
    assert_int_equal(json_parse_object("{\"a\":", 5, &obj, &eb), ERR_BAD_JSON);
    assert_null(obj);
    assert_non_null(strstr(eb.msg, "malformed JSON"));
    errbuf_clear(&eb);
    assert_int_equal(json_parse_object("[1]", 3, &obj, &eb), ERR_BAD_JSON);
    errbuf_clear(&eb);
    assert_int_equal(json_parse_object("{\"a\":1,\"a\":2}", 13, &obj, &eb), ERR_BAD_JSON);
    errbuf_clear(&eb);
    assert_int_equal(json_parse_object(NULL, 0, &obj, &eb), ERR_BAD_JSON);
}

static void test_getters_name_the_field(void **state)
{
    struct errbuf eb = {{0}};
    const char *s;
    double d;
    long long i;
    int set;
    json_t *obj = json_loads("{\"name\":\"张三\",\"lon\":113.1,\"n\":5,\"bad\":\"a\\u0001b\","
                             "\"num\":\"12\",\"big\":1e400}",
                             JSON_DECODE_ANY, NULL);
    (void)state;
    /* jansson rejects 1e400 as out of range, so the object is NULL: build a smaller one. */
    if (obj == NULL)
        obj = json_loads("{\"name\":\"张三\",\"lon\":113.1,\"n\":5,\"bad\":\"a\\u0001b\","
                         "\"num\":\"12\"}",
                         0, NULL);
    assert_non_null(obj);
    assert_int_equal(json_get_string(obj, "name", 1, 64, &s, &eb), 0);
    assert_string_equal(s, "张三");
    assert_int_equal(json_get_string(obj, "name", 1, 3, &s, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'name'"));
    errbuf_clear(&eb);
    assert_int_equal(json_get_string(obj, "missing", 1, 64, &s, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'missing' is required"));
    errbuf_clear(&eb);
    assert_int_equal(json_get_string(obj, "missing", 0, 64, &s, &eb), 0);
    assert_null(s);
    assert_int_equal(json_get_string(obj, "bad", 1, 64, &s, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "control characters"));
    errbuf_clear(&eb);
    assert_int_equal(json_get_string(obj, "lon", 1, 64, &s, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'lon' must be a string"));
    errbuf_clear(&eb);
    assert_int_equal(json_get_number(obj, "lon", 1, -180, 180, &d, &set, &eb), 0);
    assert_true(set);
    assert_true(d > 113.09 && d < 113.11);
    assert_int_equal(json_get_number(obj, "lon", 1, 0, 90, &d, &set, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "between"));
    errbuf_clear(&eb);
    assert_int_equal(json_get_number(obj, "num", 1, 0, 90, &d, &set, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'num' must be a number"));
    errbuf_clear(&eb);
    assert_int_equal(json_get_int(obj, "n", 1, 1, 10, &i, &set, &eb), 0);
    assert_int_equal(i, 5);
    assert_int_equal(json_get_int(obj, "lon", 1, 1, 10, &i, &set, &eb), ERR_INVALID);
    json_decref(obj);
}

static void test_check_keys(void **state)
{
    static const char *const allowed[] = {"a", "b", NULL};
    struct errbuf eb = {{0}};
    json_t *ok = json_pack("{s:i, s:i}", "a", 1, "b", 2);
    json_t *bad = json_pack("{s:i, s:i}", "a", 1, "zzz", 2);
    (void)state;
    assert_int_equal(json_check_keys(ok, allowed, &eb), 0);
    assert_int_equal(json_check_keys(bad, allowed, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "'zzz'"));
    json_decref(ok);
    json_decref(bad);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(utf8_is_clean_text("abc", 3));
    assert_true(utf8_is_clean_text("网格", strlen("网格")));
    assert_true(utf8_is_clean_text("\xf0\x9f\x98\x80", 4)); /* emoji */
    assert_false(utf8_is_clean_text("\xe7\xbd", 2));        /* truncated */
    assert_false(utf8_is_clean_text("\xc0\xaf", 2));        /* overlong */
    assert_false(utf8_is_clean_text("\xed\xa0\x80", 3));    /* surrogate */
    assert_false(utf8_is_clean_text("a\x7f", 2));
    assert_false(utf8_is_clean_text("\xff", 1));
    assert_true(utf8_is_clean_text("a\tb\nc", 5));
}

static void test_error_map(void **state)
{
    (void)state;
    assert_string_equal(err_code(0), "ok");
    assert_string_equal(err_code(ERR_NOT_FOUND), "not_found");
    assert_int_equal(err_http_status(ERR_NOT_FOUND), 404);
    assert_int_equal(err_http_status(ERR_FORBIDDEN), 403);
    assert_int_equal(err_http_status(ERR_UNAUTHORIZED), 401);
    assert_int_equal(err_http_status(ERR_TOO_LARGE), 413);
    assert_int_equal(err_http_status(ERR_RATE_LIMITED), 429);
    assert_int_equal(err_http_status(-9999), 500);
    assert_string_equal(err_code(-9999), "internal_error");
    /* Every row has a distinct code. */
    for (int a = 1; a <= ERR_INDEX_COUNT; a++)
        for (int b = a + 1; b <= ERR_INDEX_COUNT; b++)
            assert_string_not_equal(err_code(-a), err_code(-b));
    struct errbuf eb = {{0}};
    assert_int_equal(errbuf_set(&eb, ERR_INVALID, "first %d", 1), ERR_INVALID);
    errbuf_set(&eb, ERR_INVALID, "second");
    assert_string_equal(eb.msg, "first 1");
    assert_string_equal(errbuf_message(NULL, ERR_NOT_FOUND), "not found");
}

static void test_buf_cap(void **state)
{
    struct buf b;
    (void)state;
    buf_init(&b, 10);
    assert_int_equal(buf_append_str(&b, "12345"), 0);
    assert_int_equal(buf_printf(&b, "%d", 678), 0);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(buf_append_str(&b, "abc"), ERR_TOO_LARGE);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(buf_append_str(&b, "ab"), 0);
    assert_int_equal(b.len, 10);
    buf_cleanup(&b);
}

static void test_time_round_trip(void **state)
{
    char out[32];
    int64_t ms;
    (void)state;
    assert_int_equal(time_parse_iso("2026-03-21T08:00:00Z", &ms), 0);
    time_format_iso(ms, out, sizeof(out));
    assert_string_equal(out, "2026-03-21T08:00:00Z");
    assert_int_equal(time_parse_iso("1970-01-01T00:00:00.250Z", &ms), 0);
    assert_int_equal(ms, 250);
    assert_int_equal(time_parse_iso("2024-02-29", &ms), 0);
    time_format_iso_ms(ms, out, sizeof(out));
    assert_string_equal(out, "2024-02-29T00:00:00.000Z");
    assert_int_equal(time_parse_iso("2023-02-29", &ms), ERR_INVALID);
    assert_int_equal(time_parse_iso("2026-13-01T00:00:00Z", &ms), ERR_INVALID);
    assert_int_equal(time_parse_iso("2026-03-21T08:00:00", &ms), ERR_INVALID);
    assert_int_equal(time_parse_iso("2026-03-21T08:00:00+08:00", &ms), ERR_INVALID);
    assert_int_equal(time_parse_iso("yesterday", &ms), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_object),    cmocka_unit_test(test_getters_name_the_field),
        cmocka_unit_test(test_check_keys),      cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_error_map),       cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_time_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
