/*
 * test_store_intake.c - the store side of case intake: the duplicate search by cell
 * (store_case_nearby reads the 3 x 3 cells of 1/500 degree around a point, migration 14).
 * Its answers are compared with a brute-force filter of every case inserted: same category,
 * inside the box, created since, not merged or rejected, newest first (cases of the same time
 * by id, descending), at most limit, with the fields a duplicate suggestion shows. Points
 * are packed around cell edges, on both sides of the zero meridian and the equator (where
 * truncation toward zero makes the cells around 0 twice as wide), and at the city.
 *
 * Also the other reads every request makes in one statement: a token's session with its user
 * (store_session_user_get) and two meta values at once (store_meta_get_int_pair).
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

#define N_CASES 400

struct planted {
    int64_t id;
    double lon, lat;
    int64_t created_ms;
    const char *category;
    const char *status;
    char number[32];
    char department[16];
    char description[32];
};

static int64_t add_case(struct store *st, struct planted *p)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "%s", p->number);
    snprintf(c.department, sizeof(c.department), "%s", p->department);
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001001001");
    snprintf(c.category, sizeof(c.category), "%s", p->category);
    snprintf(c.channel, sizeof(c.channel), "%s", "phone");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", p->status);
    c.queue_level = 6;
    c.description = p->description;
    c.lon = p->lon;
    c.lat = p->lat;
    c.has_location = 1;
    c.created_ms = p->created_ms;
    c.updated_ms = p->created_ms;
    assert_int_equal(store_case_insert(st, &c), 0);
    return c.id;
}

/* A small deterministic generator (the test must not depend on the C library's rand). */
static double next_unit(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return (double)(*s >> 11) / (double)(1ULL << 53);
}

static int newer_first(const void *a, const void *b)
{
    const struct planted *x = a, *y = b;
    if (x->created_ms != y->created_ms)
        return x->created_ms < y->created_ms ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* The brute-force answer, compared with the store's (ids in the same order); returns how many
 * cases matched. */
static int check_query(struct store *st, const struct planted *all, int n, const char *category,
                       double lon, double lat, double delta, int64_t since, int limit)
{
    struct planted *want = calloc((size_t)n, sizeof(*want));
    struct case_near_list got;
    int n_want = 0;
    for (int i = 0; i < n; i++) {
        const struct planted *p = &all[i];
        if (strcmp(p->category, category) != 0 || p->created_ms < since ||
            strcmp(p->status, "merged") == 0 || strcmp(p->status, "rejected") == 0 ||
            p->lon < lon - delta || p->lon > lon + delta || p->lat < lat - delta ||
            p->lat > lat + delta)
            continue;
        want[n_want++] = *p;
    }
    qsort(want, (size_t)n_want, sizeof(*want), newer_first);
    if (n_want > limit)
        n_want = limit;
    assert_int_equal(store_case_nearby(st, category, lon, lat, delta, since, limit, &got), 0);
    if ((int)got.len != n_want)
        fprintf(stderr, "at %.6f %.6f: %zu found, %d expected\n", lon, lat, got.len, n_want);
    assert_int_equal((int)got.len, n_want);
    for (int i = 0; i < n_want; i++) {
        const struct case_near *g = &got.items[i];
        assert_int_equal(g->id, want[i].id);
        assert_int_equal(g->created_ms, want[i].created_ms);
        assert_string_equal(g->number, want[i].number);
        assert_string_equal(g->status, want[i].status);
        assert_string_equal(g->area_code, "440605001001001");
        assert_string_equal(g->department, want[i].department);
        assert_int_equal(g->reporter_user_id, 0);
        assert_string_equal(g->description, want[i].description);
    }
    case_near_list_cleanup(&got);
    free(want);
    return n_want;
}

static void test_nearby_equals_brute_force(void **state)
{
    struct store_fixture *f = *state;
    static const char *const categories[] = {"0101", "0204"};
    static const char *const statuses[] = {"reported", "dispatched", "merged", "rejected",
                                           "closed"};
    /* Centres: the city, the zero meridian and equator, the south-west quadrant. */
    static const double centres[][2] = {{113.1, 23.0}, {0.0, 0.0}, {-0.3, -12.5}};
    const double cell = 1.0 / STORE_NEAR_CELLS_PER_DEGREE;
    struct planted *all = calloc(N_CASES, sizeof(*all));
    uint64_t seed = 42;
    int found = 0;

    assert_int_equal(store_begin(f->st), 0);
    for (int i = 0; i < N_CASES; i++) {
        const double *c = centres[i % 3];
        struct planted *p = &all[i];
        /* Within 3 cells of the centre, half of them within a hair of a cell edge. */
        double dx = (next_unit(&seed) - 0.5) * 6 * cell;
        double dy = (next_unit(&seed) - 0.5) * 6 * cell;
        if (i % 2 == 0) {
            dx = (double)(int)(dx / cell) * cell + (next_unit(&seed) - 0.5) * 1e-6;
            dy = (double)(int)(dy / cell) * cell + (next_unit(&seed) - 0.5) * 1e-6;
        }
        p->lon = c[0] + dx;
        p->lat = c[1] + dy;
        p->category = categories[i % 5 == 0];
        p->status = statuses[(i / 3) % 5];
        /* Pairs of cases share their time (the order is then by id). */
        p->created_ms = 1000000 + (int64_t)(i / 2) * 1000;
        snprintf(p->number, sizeof(p->number), "440605-20260101-%05d", i + 1);
        snprintf(p->department, sizeof(p->department), "%s", i % 4 == 0 ? "" : "unit_a");
        snprintf(p->description, sizeof(p->description), "report %d", i);
        p->id = add_case(f->st, p);
    }
    assert_int_equal(store_commit(f->st), 0);

    for (int q = 0; q < 60; q++) {
        const double *c = centres[q % 3];
        double lon = c[0] + (next_unit(&seed) - 0.5) * 4 * cell;
        double lat = c[1] + (next_unit(&seed) - 0.5) * 4 * cell;
        /* Every case (limit beyond their number), the recent ones, a short page. */
        found += check_query(f->st, all, N_CASES, "0204", lon, lat, cell * 0.999, 0, N_CASES);
        found += check_query(f->st, all, N_CASES, "0101", lon, lat, cell * 0.5, 0, N_CASES);
        found += check_query(f->st, all, N_CASES, "0204", lon, lat, cell * 0.999,
                             1000000 + 100 * 1000, N_CASES);
        found += check_query(f->st, all, N_CASES, "0204", lon, lat, cell * 0.999, 0, 3);
    }
    /* The queries found plenty (the comparison is not of empty lists). */
    fprintf(stderr, "%d cases found over all queries\n", found);
    assert_true(found > 200);
    /* Somewhere else: nothing. */
    check_query(f->st, all, N_CASES, "0204", 100.0, 30.0, cell * 0.999, 0, 10);
    free(all);
}

static void test_nearby_box_limited_to_a_cell(void **state)
{
    struct store_fixture *f = *state;
    struct case_near_list got;
    double cell = 1.0 / STORE_NEAR_CELLS_PER_DEGREE;
    assert_int_equal(store_case_nearby(f->st, "0204", 113.1, 23.0, cell * 1.5, 0, 6, &got),
                     ERR_INVALID);
    assert_int_equal(store_case_nearby(f->st, "0204", 113.1, 23.0, -0.001, 0, 6, &got),
                     ERR_INVALID);
    assert_int_equal(store_case_nearby(f->st, "0204", 113.1, 23.0, cell, 0, 6, &got), 0);
    assert_int_equal((int)got.len, 0);
    case_near_list_cleanup(&got);
}

static void test_session_user(void **state)
{
    struct store_fixture *f = *state;
    struct user u, got_user;
    struct session s, got;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", "wang");
    snprintf(u.display_name, sizeof(u.display_name), "%s", "王");
    snprintf(u.role, sizeof(u.role), "%s", "department_handler");
    snprintf(u.area_code, sizeof(u.area_code), "%s", "440605");
    snprintf(u.department, sizeof(u.department), "%s", "water");
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", "$argon2id$x");
    u.created_ms = 777;
    assert_int_equal(store_user_insert(f->st, &u), 0);
    assert_int_equal(store_user_set_login_state(f->st, u.id, 3, 123456), 0);
    memset(&s, 0, sizeof(s));
    snprintf(s.token_hash, sizeof(s.token_hash), "%s", "aaaa");
    snprintf(s.csrf_token, sizeof(s.csrf_token), "%s", "cccc");
    s.user_id = u.id;
    s.created_ms = 1000;
    s.expires_ms = 5000;
    assert_int_equal(store_session_insert(f->st, &s), 0);

    /* Every field of both rows, as store_session_get and store_user_get give them. */
    assert_int_equal(store_session_user_get(f->st, "aaaa", 4999, &got, &got_user), 0);
    assert_string_equal(got.token_hash, "aaaa");
    assert_string_equal(got.csrf_token, "cccc");
    assert_int_equal(got.user_id, u.id);
    assert_int_equal(got.created_ms, 1000);
    assert_int_equal(got.expires_ms, 5000);
    assert_int_equal(got_user.id, u.id);
    assert_string_equal(got_user.username, "wang");
    assert_string_equal(got_user.display_name, "王");
    assert_string_equal(got_user.role, "department_handler");
    assert_string_equal(got_user.area_code, "440605");
    assert_string_equal(got_user.department, "water");
    assert_string_equal(got_user.password_hash, "$argon2id$x");
    assert_int_equal(got_user.failed_logins, 3);
    assert_int_equal(got_user.locked_until_ms, 123456);
    assert_int_equal(got_user.created_ms, 777);
    assert_int_equal(got_user.is_disabled, 0);

    /* A disabled user's session is still found: the caller refuses it. */
    assert_int_equal(store_user_set_disabled(f->st, u.id, 1), 0);
    assert_int_equal(store_session_user_get(f->st, "aaaa", 4999, &got, &got_user), 0);
    assert_int_equal(got_user.is_disabled, 1);

    /* Expired (expires_ms is the first instant it no longer works), unknown. */
    assert_int_equal(store_session_user_get(f->st, "aaaa", 5000, &got, &got_user), ERR_NOT_FOUND);
    assert_int_equal(got.user_id, 0);
    assert_int_equal(got_user.id, 0);
    assert_int_equal(store_session_user_get(f->st, "bbbb", 10, &got, &got_user), ERR_NOT_FOUND);
    assert_int_equal(store_session_delete(f->st, "aaaa"), 0);
    assert_int_equal(store_session_user_get(f->st, "aaaa", 10, &got, &got_user), ERR_NOT_FOUND);
}

static void test_meta_int_pair(void **state)
{
    struct store_fixture *f = *state;
    int64_t a = -1, b = -1, areas;
    /* Missing keys read as 0. */
    assert_int_equal(store_meta_get_int_pair(f->st, "test_a", "test_b", &a, &b), 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 0);
    assert_int_equal(store_meta_set(f->st, "test_b", "42"), 0);
    assert_int_equal(store_meta_get_int_pair(f->st, "test_a", "test_b", &a, &b), 0);
    assert_int_equal(a, 0);
    assert_int_equal(b, 42);
    assert_int_equal(store_meta_set(f->st, "test_a", "9000000000"), 0);
    assert_int_equal(store_meta_get_int_pair(f->st, "test_a", "test_b", &a, &b), 0);
    assert_int_equal(a, 9000000000LL);
    assert_int_equal(b, 42);
    /* The same key twice, and the areas' version as store_areas_version reads it. */
    assert_int_equal(store_meta_get_int_pair(f->st, "test_b", "test_b", &a, &b), 0);
    assert_int_equal(a, 42);
    assert_int_equal(b, 42);
    assert_int_equal(store_areas_version(f->st, &areas), 0);
    assert_int_equal(store_meta_set(f->st, STORE_AREAS_VERSION_KEY, "17"), 0);
    assert_int_equal(store_areas_version(f->st, &areas), 0);
    assert_int_equal(areas, 17);
    assert_int_equal(store_meta_get_int_pair(f->st, "test_a", STORE_AREAS_VERSION_KEY, &a, &b), 0);
    assert_int_equal(b, areas);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_nearby_equals_brute_force, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_nearby_box_limited_to_a_cell, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_session_user, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_meta_int_pair, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
