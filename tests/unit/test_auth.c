/*
 * test_auth.c - users, password hashing, login, lockout, sessions and their expiry.
 * Times are passed explicitly, so lock and expiry behaviour is tested without sleeping.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "service/auth.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0 1800000000000LL /* a fixed "now" in ms */

struct fixture {
    struct testdb db;
    struct store *st;
    struct auth_policy policy;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct errbuf eb = {{0}};
    struct area district;
    if (testdb_create(&f->db) != 0 || auth_global_init() != 0)
        goto fail;
    if (store_open(f->db.url, STORE_CREATE, &f->st, &eb) != 0)
        goto fail;
    memset(&district, 0, sizeof(district));
    snprintf(district.code, sizeof(district.code), "%s", "440605");
    snprintf(district.name, sizeof(district.name), "%s", "南海区");
    district.level = 3;
    if (store_area_put(f->st, &district) != 0)
        goto fail;
    snprintf(district.code, sizeof(district.code), "%s", "440605001001001");
    snprintf(district.name, sizeof(district.name), "%s", "第1网格");
    district.level = 6;
    if (store_area_put(f->st, &district) != 0)
        goto fail;
    auth_policy_default(&f->policy);
    *state = f;
    return 0;
fail:
    store_close(f->st);
    testdb_destroy(&f->db);
    free(f);
    return -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    testdb_destroy(&f->db);
    free(f);
    return 0;
}

static void add(struct fixture *f, const char *name, const char *role, const char *area)
{
    struct user_spec spec = {name, NULL, "correct-horse", role, area, NULL};
    struct errbuf eb = {{0}};
    int r = auth_user_add(f->st, &spec, NULL, &eb);
    if (r != 0)
        fprintf(stderr, "add %s: %s\n", name, eb.msg);
    assert_int_equal(r, 0);
}

static void test_user_add_validation(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct user u;
    static const struct {
        struct user_spec spec;
        int err;
        const char *msg;
    } rows[] = {
        {{"ok_user", NULL, "long-enough", "admin", "440605", NULL}, 0, NULL},
        {{"ok_user", NULL, "long-enough", "admin", "440605", NULL}, ERR_EXISTS, "exists"},
        {{"bad name", NULL, "long-enough", "admin", "440605", NULL}, ERR_INVALID, "username"},
        {{"", NULL, "long-enough", "admin", "440605", NULL}, ERR_INVALID, "username"},
        {{"x", NULL, "short", "admin", "440605", NULL}, ERR_INVALID, "at least 8"},
        {{"x", NULL, "long-enough", "king", "440605", NULL}, ERR_INVALID, "unknown role"},
        {{"x", NULL, "long-enough", "admin", "4406O5", NULL}, ERR_INVALID, "area"},
        {{"x", NULL, "long-enough", "admin", "440606", NULL}, ERR_NOT_FOUND, "does not exist"},
        {{"x", NULL, "long-enough", "department_handler", "440605", NULL},
         ERR_INVALID,
         "department"},
        {{"h", NULL, "long-enough", "department_handler", "440605", "water"}, 0, NULL},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        errbuf_clear(&eb);
        assert_int_equal(auth_user_add(f->st, &rows[i].spec, NULL, &eb), rows[i].err);
        if (rows[i].msg)
            assert_non_null(strstr(eb.msg, rows[i].msg));
    }
    assert_int_equal(store_user_get_by_name(f->st, "ok_user", &u), 0);
    /* The password is stored as an argon2id hash, never as itself. */
    assert_non_null(strstr(u.password_hash, "$argon2id$"));
    assert_null(strstr(u.password_hash, "long-enough"));
    assert_string_equal(u.display_name, "ok_user");
    assert_int_equal(store_user_get_by_name(f->st, "h", &u), 0);
    assert_string_equal(u.department, "water");
}

static void test_login_and_authenticate(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct login_result login;
    struct principal p;
    struct session sess;
    char hash[65];
    add(f, "wang", "grid_worker", "440605001001001");

    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0, &login, &eb), 0);
    assert_true(strlen(login.token) >= 40);
    assert_int_equal(strlen(login.csrf_token), 64);
    assert_int_equal(login.expires_ms, T0 + f->policy.session_ttl_ms);
    assert_string_equal(login.user.username, "wang");
    assert_string_equal(login.user.password_hash, "");

    /* The token authenticates; only its hash is stored. */
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 1000, &p, &sess), 0);
    assert_int_equal(p.role, ROLE_GRID_WORKER);
    assert_string_equal(p.scope, "440605001001001");
    auth_token_hash(login.token, hash);
    assert_string_equal(sess.token_hash, hash);
    assert_string_not_equal(hash, login.token);
    assert_int_equal(store_session_get(f->st, login.token, T0, &sess), ERR_NOT_FOUND);

    /* Expired, unknown, empty and overlong tokens are refused. */
    assert_int_equal(auth_authenticate(f->st, login.token, login.expires_ms, &p, NULL),
                     ERR_UNAUTHORIZED);
    assert_int_equal(auth_authenticate(f->st, "nope", T0, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(auth_authenticate(f->st, "", T0, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(auth_authenticate(f->st, NULL, T0, &p, NULL), ERR_UNAUTHORIZED);
    char longtok[200];
    memset(longtok, 'a', sizeof(longtok) - 1);
    longtok[sizeof(longtok) - 1] = '\0';
    assert_int_equal(auth_authenticate(f->st, longtok, T0, &p, NULL), ERR_UNAUTHORIZED);

    /* Logout ends it. */
    assert_int_equal(auth_logout(f->st, login.token), 0);
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 1000, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(auth_logout(f->st, login.token), 0);
}

static void test_wrong_password_and_unknown_user_look_alike(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb1 = {{0}}, eb2 = {{0}};
    struct login_result login;
    add(f, "wang", "grid_worker", "440605001001001");
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "wrong-pass", T0, &login, &eb1),
                     ERR_BAD_LOGIN);
    assert_int_equal(auth_login(f->st, &f->policy, "nobody", "wrong-pass", T0, &login, &eb2),
                     ERR_BAD_LOGIN);
    assert_string_equal(eb1.msg, eb2.msg);
    assert_string_equal(login.token, "");
}

static void test_lockout_grows_and_expires(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct login_result login;
    struct user u;
    int64_t now = T0;
    add(f, "wang", "grid_worker", "440605001001001");

    for (int i = 1; i < f->policy.max_failures; i++) {
        assert_int_equal(auth_login(f->st, &f->policy, "wang", "bad-guess", now, &login, &eb),
                         ERR_BAD_LOGIN);
    }
    assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
    assert_int_equal(u.failed_logins, f->policy.max_failures - 1);
    assert_int_equal(u.locked_until_ms, 0);

    /* The max_failures-th failure locks for lock_base_ms. */
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "bad-guess", now, &login, &eb),
                     ERR_BAD_LOGIN);
    assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
    assert_int_equal(u.locked_until_ms, now + f->policy.lock_base_ms);

    /* While locked, even the right password is refused, with a clear message. */
    errbuf_clear(&eb);
    assert_int_equal(
        auth_login(f->st, &f->policy, "wang", "correct-horse", now + 1000, &login, &eb),
        ERR_RATE_LIMITED);
    assert_non_null(strstr(eb.msg, "try again in"));

    /* After the lock, another failure doubles it. */
    now += f->policy.lock_base_ms;
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "bad-guess", now, &login, &eb),
                     ERR_BAD_LOGIN);
    assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
    assert_int_equal(u.locked_until_ms, now + 2 * f->policy.lock_base_ms);

    /* Many more failures never lock longer than lock_max_ms. */
    for (int i = 0; i < 20; i++) {
        now = u.locked_until_ms;
        auth_login(f->st, &f->policy, "wang", "bad-guess", now, &login, &eb);
        assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
        assert_true(u.locked_until_ms - now <= f->policy.lock_max_ms);
    }

    /* After the lock the right password works and resets the counter. */
    now = u.locked_until_ms;
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", now, &login, &eb), 0);
    assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
    assert_int_equal(u.failed_logins, 0);
    assert_int_equal(u.locked_until_ms, 0);
}

static void test_password_change_ends_sessions(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct login_result login;
    struct principal p;
    add(f, "wang", "grid_worker", "440605001001001");
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0, &login, &eb), 0);
    assert_int_equal(auth_user_set_password(f->st, "wang", "short", &eb), ERR_INVALID);
    assert_int_equal(auth_user_set_password(f->st, "nobody", "new-password-1", &eb), ERR_NOT_FOUND);
    assert_int_equal(auth_user_set_password(f->st, "wang", "new-password-1", &eb), 0);
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 1, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0, &login, &eb),
                     ERR_BAD_LOGIN);
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "new-password-1", T0, &login, &eb), 0);
}

static void test_disable_ends_sessions_and_logins(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct login_result login, other;
    struct principal p;
    struct user u;
    add(f, "wang", "grid_worker", "440605001001001");
    add(f, "li", "grid_worker", "440605001001001");
    assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0, &login, &eb), 0);
    assert_int_equal(auth_login(f->st, &f->policy, "li", "correct-horse", T0, &other, &eb), 0);
    assert_int_equal(auth_user_set_disabled(f->st, u.id, 1, &eb), 0);
    /* The session is gone, a new login is refused like a wrong password; li is untouched. */
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 1, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0 + 2, &login, &eb),
                     ERR_BAD_LOGIN);
    assert_int_equal(auth_authenticate(f->st, other.token, T0 + 1, &p, NULL), 0);
    /* Enabled again: logging in works. */
    assert_int_equal(auth_user_set_disabled(f->st, u.id, 0, &eb), 0);
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0 + 3, &login, &eb),
                     0);
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 4, &p, NULL), 0);
    assert_int_equal(auth_user_set_disabled(f->st, u.id + 1000, 1, &eb), ERR_NOT_FOUND);
}

/* The session and its user are read together (store_session_user_get): a session outlives
 * neither its expiry nor its user's disabling, even when the disabling left it in place
 * (written by an older version, or directly in the database); a lockout stops new logins only,
 * not a session opened before it. */
static void test_session_checks_its_user(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct login_result login;
    struct principal p;
    struct session sess;
    struct user u;
    char hash[65];
    add(f, "wang", "grid_worker", "440605001001001");
    assert_int_equal(store_user_get_by_name(f->st, "wang", &u), 0);
    assert_int_equal(auth_login(f->st, &f->policy, "wang", "correct-horse", T0, &login, &eb), 0);

    /* Locked out after the login: the open session still works. */
    assert_int_equal(store_user_set_login_state(f->st, u.id, 9, T0 + 3600LL * 1000), 0);
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 1, &p, &sess), 0);
    assert_int_equal(p.user_id, u.id);
    assert_string_equal(sess.csrf_token, login.csrf_token);
    assert_int_equal(sess.expires_ms, login.expires_ms);

    /* Disabled with the session left in place: refused, the session row still there. */
    assert_int_equal(store_user_set_disabled(f->st, u.id, 1), 0);
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 2, &p, NULL), ERR_UNAUTHORIZED);
    assert_int_equal(p.user_id, 0); /* nothing of the refused user is handed out */
    auth_token_hash(login.token, hash);
    assert_int_equal(store_session_get(f->st, hash, T0 + 2, &sess), 0);
    assert_int_equal(store_user_set_disabled(f->st, u.id, 0), 0);
    assert_int_equal(auth_authenticate(f->st, login.token, T0 + 3, &p, NULL), 0);

    /* The last millisecond of the session, then expired. */
    assert_int_equal(auth_authenticate(f->st, login.token, login.expires_ms - 1, &p, NULL), 0);
    assert_int_equal(auth_authenticate(f->st, login.token, login.expires_ms, &p, NULL),
                     ERR_UNAUTHORIZED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_user_add_validation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_login_and_authenticate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_password_and_unknown_user_look_alike, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_lockout_grows_and_expires, setup, teardown),
        cmocka_unit_test_setup_teardown(test_password_change_ends_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_disable_ends_sessions_and_logins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_session_checks_its_user, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
