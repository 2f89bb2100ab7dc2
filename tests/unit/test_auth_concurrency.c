/*
 * test_auth_concurrency.c - failed logins counted under concurrency: wrong-password attempts
 * made at the same moment from separate connections (as the server's worker threads do) must
 * each count towards the lockout; none may be lost to a read-modify-write race.
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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0      1800000000000LL
#define THREADS 8
#define ROUNDS  3

struct shared {
    char url[256];
    struct auth_policy policy;
    pthread_barrier_t start;
    int failures[THREADS]; /* attempts answered "wrong password" per thread */
};

struct worker {
    struct shared *sh;
    int index;
};

static void *attempt(void *arg)
{
    struct worker *w = arg;
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    struct login_result res;

    if (store_open(w->sh->url, 0, &st, &eb) != 0)
        return NULL;
    for (int i = 0; i < ROUNDS; i++) {
        pthread_barrier_wait(&w->sh->start); /* all threads guess at once */
        if (auth_login(st, &w->sh->policy, "target", "wrong-guess", T0, &res, &eb) == ERR_BAD_LOGIN)
            w->sh->failures[w->index]++;
    }
    store_close(st);
    return NULL;
}

static void test_concurrent_failures_all_count(void **state)
{
    struct shared sh;
    struct worker w[THREADS];
    pthread_t t[THREADS];
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    struct area a;
    struct user u;
    struct testdb db;
    (void)state;

    memset(&sh, 0, sizeof(sh));
    assert_int_equal(testdb_create(&db), 0);
    assert_int_equal(auth_global_init(), 0);
    snprintf(sh.url, sizeof(sh.url), "%s", db.url);
    assert_int_equal(store_open(sh.url, STORE_CREATE, &st, &eb), 0);
    memset(&a, 0, sizeof(a));
    snprintf(a.code, sizeof(a.code), "%s", "440605");
    snprintf(a.name, sizeof(a.name), "%s", "南海区");
    a.level = 3;
    assert_int_equal(store_area_put(st, &a), 0);
    struct user_spec spec = {"target", NULL, "correct-horse", "resident", "440605", NULL};
    assert_int_equal(auth_user_add(st, &spec, NULL, &eb), 0);

    /* A high threshold: no lock gets in the way, every attempt is verified and counted. */
    auth_policy_default(&sh.policy);
    sh.policy.max_failures = 1000;
    pthread_barrier_init(&sh.start, NULL, THREADS);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){&sh, i};
        assert_int_equal(pthread_create(&t[i], NULL, attempt, &w[i]), 0);
    }
    int answered = 0;
    for (int i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        answered += sh.failures[i];
    }
    pthread_barrier_destroy(&sh.start);
    assert_int_equal(answered, THREADS * ROUNDS);
    assert_int_equal(store_user_get_by_name(st, "target", &u), 0);
    assert_int_equal(u.failed_logins, THREADS * ROUNDS);

    store_close(st);
    testdb_destroy(&db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_failures_all_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
