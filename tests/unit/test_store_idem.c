/*
 * test_store_idem.c - the idempotency keys of case reports (store_case_report_key_*): a key
 * maps a user's report to its case, a second insert of the same (user, key) is ERR_EXISTS and
 * leaves the first mapping, keys are per user, and a key inserted in a transaction that rolls
 * back is gone with it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t add_case(struct store *st, const char *number)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "%s", number);
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001001001");
    snprintf(c.category, sizeof(c.category), "%s", "0204");
    snprintf(c.channel, sizeof(c.channel), "%s", "patrol");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", "reported");
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = 1000;
    c.updated_ms = 1000;
    assert_int_equal(store_case_insert(st, &c), 0);
    return c.id;
}

static void test_keys(void **state)
{
    struct store_fixture *f = *state;
    int64_t a = add_case(f->st, "440605-20260101-00001");
    int64_t b = add_case(f->st, "440605-20260101-00002");
    int64_t got = -1;

    assert_int_equal(store_case_report_key_get(f->st, 7, "key-aaaaaaaaaaaaaaaa", &got),
                     ERR_NOT_FOUND);
    assert_int_equal(got, 0);
    assert_int_equal(store_case_report_key_insert(f->st, 7, "key-aaaaaaaaaaaaaaaa", a, 5), 0);
    assert_int_equal(store_case_report_key_get(f->st, 7, "key-aaaaaaaaaaaaaaaa", &got), 0);
    assert_int_equal(got, a);
    /* The same key again, for another case: refused, the first mapping stays. */
    assert_int_equal(store_case_report_key_insert(f->st, 7, "key-aaaaaaaaaaaaaaaa", b, 6),
                     ERR_EXISTS);
    assert_int_equal(store_case_report_key_get(f->st, 7, "key-aaaaaaaaaaaaaaaa", &got), 0);
    assert_int_equal(got, a);
    /* Per user. */
    assert_int_equal(store_case_report_key_get(f->st, 8, "key-aaaaaaaaaaaaaaaa", &got),
                     ERR_NOT_FOUND);
    assert_int_equal(store_case_report_key_insert(f->st, 8, "key-aaaaaaaaaaaaaaaa", b, 6), 0);
    assert_int_equal(store_case_report_key_get(f->st, 8, "key-aaaaaaaaaaaaaaaa", &got), 0);
    assert_int_equal(got, b);
}

static void test_rollback(void **state)
{
    struct store_fixture *f = *state;
    int64_t a = add_case(f->st, "440605-20260101-00003");
    int64_t got = -1;
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_case_report_key_insert(f->st, 9, "key-bbbbbbbbbbbbbbbb", a, 5), 0);
    store_rollback(f->st);
    assert_int_equal(store_case_report_key_get(f->st, 9, "key-bbbbbbbbbbbbbbbb", &got),
                     ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_keys, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rollback, store_fixture_setup, store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
