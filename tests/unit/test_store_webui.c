/*
 * test_store_webui.c - the store ops of the web interface's issue 8 work: disabling and
 * enabling a user (store_user_set_disabled: read back, unknown id ERR_NOT_FOUND) and the
 * idempotency keys of household visits (store_visit_key_*: a key maps a user's visit request
 * to its visit, a second insert of the same (user, key) is ERR_EXISTS and leaves the first,
 * keys are per user, a key inserted in a transaction that rolls back is gone with it).
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

static int64_t add_user(struct store *st, const char *name)
{
    struct user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.display_name, sizeof(u.display_name), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", "grid_worker");
    snprintf(u.area_code, sizeof(u.area_code), "%s", "440605001001001");
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", "$argon2id$x");
    u.created_ms = 1000;
    assert_int_equal(store_user_insert(st, &u), 0);
    return u.id;
}

static int64_t add_visit(struct store *st, int64_t user_id)
{
    struct visit_rec v;
    memset(&v, 0, sizeof(v));
    snprintf(v.subject_kind, sizeof(v.subject_kind), "%s", "household");
    v.subject_id = 12;
    snprintf(v.cell_code, sizeof(v.cell_code), "%s", "440605001001001001");
    v.user_id = user_id;
    v.visited_ms = 2000;
    snprintf(v.findings, sizeof(v.findings), "%s", "all well");
    v.created_ms = 2000;
    assert_int_equal(store_visit_insert(st, &v), 0);
    return v.id;
}

static void test_disable(void **state)
{
    struct store_fixture *f = *state;
    int64_t a = add_user(f->st, "wang");
    int64_t b = add_user(f->st, "li");
    struct user u;

    assert_int_equal(store_user_get(f->st, a, &u), 0);
    assert_int_equal(u.is_disabled, 0);
    assert_int_equal(store_user_set_disabled(f->st, a, 1), 0);
    assert_int_equal(store_user_get(f->st, a, &u), 0);
    assert_int_equal(u.is_disabled, 1);
    /* Only that user. */
    assert_int_equal(store_user_get(f->st, b, &u), 0);
    assert_int_equal(u.is_disabled, 0);
    /* Disabling twice is no error; enabling restores. */
    assert_int_equal(store_user_set_disabled(f->st, a, 1), 0);
    assert_int_equal(store_user_set_disabled(f->st, a, 0), 0);
    assert_int_equal(store_user_get(f->st, a, &u), 0);
    assert_int_equal(u.is_disabled, 0);
    assert_int_equal(store_user_set_disabled(f->st, b + 100, 1), ERR_NOT_FOUND);
}

static void test_visit_keys(void **state)
{
    struct store_fixture *f = *state;
    int64_t user = add_user(f->st, "wang");
    int64_t a = add_visit(f->st, user);
    int64_t b = add_visit(f->st, user);
    int64_t got = -1;

    assert_int_equal(store_visit_key_get(f->st, 7, "v-aaaaaaaaaaaaaaaa", &got), ERR_NOT_FOUND);
    assert_int_equal(got, 0);
    assert_int_equal(store_visit_key_insert(f->st, 7, "v-aaaaaaaaaaaaaaaa", a, 5), 0);
    assert_int_equal(store_visit_key_get(f->st, 7, "v-aaaaaaaaaaaaaaaa", &got), 0);
    assert_int_equal(got, a);
    /* The same key again, for another visit: refused, the first mapping stays. */
    assert_int_equal(store_visit_key_insert(f->st, 7, "v-aaaaaaaaaaaaaaaa", b, 6), ERR_EXISTS);
    assert_int_equal(store_visit_key_get(f->st, 7, "v-aaaaaaaaaaaaaaaa", &got), 0);
    assert_int_equal(got, a);
    /* Per user. */
    assert_int_equal(store_visit_key_get(f->st, 8, "v-aaaaaaaaaaaaaaaa", &got), ERR_NOT_FOUND);
    assert_int_equal(store_visit_key_insert(f->st, 8, "v-aaaaaaaaaaaaaaaa", b, 6), 0);
    assert_int_equal(store_visit_key_get(f->st, 8, "v-aaaaaaaaaaaaaaaa", &got), 0);
    assert_int_equal(got, b);
}

static void test_visit_key_rollback(void **state)
{
    struct store_fixture *f = *state;
    int64_t user = add_user(f->st, "wang");
    int64_t a = add_visit(f->st, user);
    int64_t got = -1;
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_visit_key_insert(f->st, 9, "v-bbbbbbbbbbbbbbbb", a, 5), 0);
    store_rollback(f->st);
    assert_int_equal(store_visit_key_get(f->st, 9, "v-bbbbbbbbbbbbbbbb", &got), ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_disable, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_visit_keys, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_visit_key_rollback, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
