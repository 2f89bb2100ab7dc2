/*
 * test_ratelimit.c - unit tests for src/http/ratelimit.c: the token-bucket arithmetic under an
 * injected clock (burst, steady rate, Retry-After, refill cap, fractional rates, a clock going
 * backwards), independence of keys, bounded memory under many keys, and argument checks.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "http/ratelimit.h"

#include <stdio.h>
#include <string.h>

/* How many of n requests at time t succeed. */
static int take_n(struct ratelimit *rl, const char *key, int64_t t, int n)
{
    int ok = 0;
    long retry = 0;
    for (int i = 0; i < n; i++) {
        if (ratelimit_take(rl, key, t, &retry) == 0)
            ok++;
    }
    return ok;
}

static void test_burst_then_refused(void **state)
{
    struct ratelimit *rl = NULL;
    long retry = 0;
    (void)state;
    assert_int_equal(ratelimit_new(60, 5, 64, &rl), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ratelimit_take(rl, "10.0.0.1", 1000, &retry), 0);
    assert_int_equal(ratelimit_take(rl, "10.0.0.1", 1000, &retry), ERR_RATE_LIMITED);
    assert_int_equal(retry, 1); /* 60 a minute: one a second */
    ratelimit_free(rl);
}

static void test_steady_rate(void **state)
{
    struct ratelimit *rl = NULL;
    long retry = 0;
    (void)state;
    assert_int_equal(ratelimit_new(60, 2, 64, &rl), 0);
    assert_int_equal(take_n(rl, "a", 0, 10), 2);
    /* 999 ms later not yet a whole token; at 1000 ms exactly one. */
    assert_int_equal(ratelimit_take(rl, "a", 999, &retry), ERR_RATE_LIMITED);
    assert_int_equal(retry, 1);
    assert_int_equal(ratelimit_take(rl, "a", 1000, &retry), 0);
    assert_int_equal(ratelimit_take(rl, "a", 1000, &retry), ERR_RATE_LIMITED);
    /* Over 10 s, 10 more requests pass, one per second. */
    int ok = 0;
    for (int64_t t = 1100; t <= 11000; t += 100)
        ok += take_n(rl, "a", t, 1);
    assert_int_equal(ok, 10);
    ratelimit_free(rl);
}

static void test_retry_after_slow_rate(void **state)
{
    struct ratelimit *rl = NULL;
    long retry = 0;
    (void)state;
    /* 2 a minute: a token every 30 s. */
    assert_int_equal(ratelimit_new(2, 1, 16, &rl), 0);
    assert_int_equal(ratelimit_take(rl, "k", 5000, &retry), 0);
    assert_int_equal(ratelimit_take(rl, "k", 5000, &retry), ERR_RATE_LIMITED);
    assert_int_equal(retry, 30);
    assert_int_equal(ratelimit_take(rl, "k", 15000, &retry), ERR_RATE_LIMITED);
    assert_int_equal(retry, 20);
    assert_int_equal(ratelimit_take(rl, "k", 34500, &retry), ERR_RATE_LIMITED);
    assert_int_equal(retry, 1); /* 500 ms left rounds up to 1 s */
    assert_int_equal(ratelimit_take(rl, "k", 35000, &retry), 0);
    ratelimit_free(rl);
}

static void test_fractional_rate_no_drift(void **state)
{
    struct ratelimit *rl = NULL;
    (void)state;
    /* 7 a minute, asked every 10 ms for 10 minutes: exactly 70 pass plus the burst of 2 (the
     * bucket never fills again, so no refill is capped away). */
    assert_int_equal(ratelimit_new(7, 2, 16, &rl), 0);
    int ok = 0;
    for (int64_t t = 0; t <= 600000; t += 10)
        ok += take_n(rl, "k", t, 1);
    assert_int_equal(ok, 72);
    ratelimit_free(rl);
}

static void test_refill_capped_at_burst(void **state)
{
    struct ratelimit *rl = NULL;
    (void)state;
    assert_int_equal(ratelimit_new(600, 3, 16, &rl), 0);
    assert_int_equal(take_n(rl, "k", 0, 3), 3);
    /* A day idle fills the bucket to the burst, not more (and does not overflow). */
    assert_int_equal(take_n(rl, "k", 86400000LL, 10), 3);
    assert_int_equal(take_n(rl, "k", INT64_MAX / 2, 10), 3);
    ratelimit_free(rl);
}

static void test_clock_backwards(void **state)
{
    struct ratelimit *rl = NULL;
    long retry = 0;
    (void)state;
    assert_int_equal(ratelimit_new(60, 1, 16, &rl), 0);
    assert_int_equal(ratelimit_take(rl, "k", 10000, &retry), 0);
    /* Earlier times refill nothing; the bucket stays empty until 1 s after 10000. */
    assert_int_equal(ratelimit_take(rl, "k", 5000, &retry), ERR_RATE_LIMITED);
    assert_int_equal(ratelimit_take(rl, "k", 10999, &retry), ERR_RATE_LIMITED);
    assert_int_equal(ratelimit_take(rl, "k", 11000, &retry), 0);
    ratelimit_free(rl);
}

static void test_keys_independent(void **state)
{
    struct ratelimit *rl = NULL;
    (void)state;
    assert_int_equal(ratelimit_new(60, 2, 1024, &rl), 0);
    assert_int_equal(take_n(rl, "192.0.2.1", 0, 5), 2);
    assert_int_equal(take_n(rl, "192.0.2.2", 0, 5), 2);
    assert_int_equal(take_n(rl, "2001:db8::1", 0, 5), 2);
    assert_int_equal(take_n(rl, "192.0.2.1", 0, 5), 0);
    ratelimit_free(rl);
}

static void test_many_keys_bounded(void **state)
{
    struct ratelimit *rl = NULL;
    char key[32];
    (void)state;
    /* 8 slots, 1000 clients: every newcomer gets its burst (evicting idle ones), and a client
     * that keeps coming back is limited as long as it stays in the table. */
    assert_int_equal(ratelimit_new(60, 1, 8, &rl), 0);
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof(key), "10.1.%d.%d", i / 256, i % 256);
        assert_int_equal(take_n(rl, key, i, 1), 1);
    }
    assert_int_equal(take_n(rl, "10.9.9.9", 2000, 3), 1);
    ratelimit_free(rl);
}

static void test_long_key_and_empty_key(void **state)
{
    struct ratelimit *rl = NULL;
    char key[200];
    (void)state;
    memset(key, 'x', sizeof(key) - 1);
    key[sizeof(key) - 1] = '\0';
    assert_int_equal(ratelimit_new(60, 1, 16, &rl), 0);
    assert_int_equal(take_n(rl, key, 0, 3), 1);
    assert_int_equal(take_n(rl, "", 0, 3), 1);
    ratelimit_free(rl);
}

static void test_client_key(void **state)
{
    char k[RATELIMIT_KEY_MAX];
    (void)state;
    ratelimit_client_key("192.0.2.7", k, sizeof(k));
    assert_string_equal(k, "192.0.2.7");
    /* Every address of one IPv6 /64 shares a key; another /64 does not. */
    ratelimit_client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd", k, sizeof(k));
    assert_string_equal(k, "2001:db8:1:2::/64");
    ratelimit_client_key("2001:db8:1:2::1", k, sizeof(k));
    assert_string_equal(k, "2001:db8:1:2::/64");
    ratelimit_client_key("2001:db8:1:3::1", k, sizeof(k));
    assert_string_equal(k, "2001:db8:1:3::/64");
    ratelimit_client_key("::1", k, sizeof(k));
    assert_string_equal(k, "::/64");
    ratelimit_client_key("-", k, sizeof(k));
    assert_string_equal(k, "-");
    ratelimit_client_key("not:an:address:at:all", k, sizeof(k));
    assert_string_equal(k, "not:an:address:at:all");
}

static void test_bad_arguments(void **state)
{
    struct ratelimit *rl = NULL;
    (void)state;
    assert_int_equal(ratelimit_new(0, 1, 16, &rl), ERR_INVALID);
    assert_int_equal(ratelimit_new(60, 0, 16, &rl), ERR_INVALID);
    assert_int_equal(ratelimit_new(60, 1, 0, &rl), ERR_INVALID);
    assert_null(rl);
    ratelimit_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refused),
        cmocka_unit_test(test_steady_rate),
        cmocka_unit_test(test_retry_after_slow_rate),
        cmocka_unit_test(test_fractional_rate_no_drift),
        cmocka_unit_test(test_refill_capped_at_burst),
        cmocka_unit_test(test_clock_backwards),
        cmocka_unit_test(test_keys_independent),
        cmocka_unit_test(test_many_keys_bounded),
        cmocka_unit_test(test_long_key_and_empty_key),
        cmocka_unit_test(test_client_key),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
