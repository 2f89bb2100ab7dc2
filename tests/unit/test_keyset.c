/*
 * test_keyset.c - the in-memory key map of the bulk import: put, get, replace, growth past
 * many doublings with every key still found with its value, keys that share their first 8
 * bytes (one slot, resolved by probing), and absent keys.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/keyset.h"

#include <string.h>

/* A key from a number, spread over the bytes (as a hash would be). */
static void key_of(uint64_t n, unsigned char k[KEYSET_KEY])
{
    uint64_t a = n * 0x9e3779b97f4a7c15ull, b = ~n;
    memcpy(k, &a, 8);
    memcpy(k + 8, &b, 8);
}

static void test_put_get_replace(void **state)
{
    struct keyset ks;
    unsigned char k[KEYSET_KEY];
    int64_t v = 0;
    (void)state;
    keyset_init(&ks, 0);
    key_of(1, k);
    assert_int_equal(keyset_get(&ks, k, &v), 0);
    keyset_put(&ks, k, -7);
    assert_int_equal(keyset_get(&ks, k, &v), 1);
    assert_int_equal(v, -7);
    keyset_put(&ks, k, 42); /* replaced, not added */
    assert_int_equal(keyset_get(&ks, k, &v), 1);
    assert_int_equal(v, 42);
    assert_int_equal(ks.n, 1);
    assert_int_equal(keyset_get(&ks, k, NULL), 1);
    key_of(2, k);
    assert_int_equal(keyset_get(&ks, k, NULL), 0);
    keyset_cleanup(&ks);
}

static void test_growth_keeps_everything(void **state)
{
    struct keyset ks;
    unsigned char k[KEYSET_KEY];
    int64_t v;
    (void)state;
    keyset_init(&ks, 10); /* grows many times */
    for (uint64_t i = 0; i < 100000; i++) {
        key_of(i, k);
        keyset_put(&ks, k, (int64_t)i + 1);
    }
    assert_int_equal(ks.n, 100000);
    assert_true(ks.n <= ks.cap / 4 * 3);
    for (uint64_t i = 0; i < 100000; i++) {
        key_of(i, k);
        assert_int_equal(keyset_get(&ks, k, &v), 1);
        assert_int_equal(v, (int64_t)i + 1);
    }
    for (uint64_t i = 100000; i < 101000; i++) {
        key_of(i, k);
        assert_int_equal(keyset_get(&ks, k, NULL), 0);
    }
    keyset_cleanup(&ks);
}

static void test_same_slot_keys(void **state)
{
    struct keyset ks;
    unsigned char a[KEYSET_KEY], b[KEYSET_KEY], z[KEYSET_KEY] = {0};
    int64_t v;
    (void)state;
    keyset_init(&ks, 0);
    memset(a, 0x11, sizeof(a));
    memcpy(b, a, sizeof(b));
    b[15] = 0x22; /* same first 8 bytes: same slot */
    keyset_put(&ks, a, 1);
    keyset_put(&ks, b, 2);
    keyset_put(&ks, z, 3); /* the all-zero key is a key like any other */
    assert_int_equal(keyset_get(&ks, a, &v), 1);
    assert_int_equal(v, 1);
    assert_int_equal(keyset_get(&ks, b, &v), 1);
    assert_int_equal(v, 2);
    assert_int_equal(keyset_get(&ks, z, &v), 1);
    assert_int_equal(v, 3);
    assert_int_equal(ks.n, 3);
    keyset_cleanup(&ks);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_growth_keeps_everything),
        cmocka_unit_test(test_same_slot_keys),
    };
    return cmocka_run_group_tests_name("keyset", tests, NULL, NULL);
}
