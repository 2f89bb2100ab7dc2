/*
 * test_store_ratings.c - the ratings store ops on the run's backend (testdb.h): surveys are stored
 * and read back with their definition, a respondent answers a survey once (ERR_EXISTS), score sums
 * select a subtree and group by a key length, count NULL scores out, select one survey or every
 * survey overlapping a period; star ratings are stored once per year and area, counted and listed
 * by subtree.
 */
#include "store/store.h"
#include "testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct testdb db;

static int setup(void **state)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    if (testdb_create(&db) != 0)
        return -1;
    if (store_open(db.url, STORE_CREATE, &st, &eb) != 0) {
        fprintf(stderr, "open: %s\n", eb.msg);
        testdb_destroy(&db);
        return -1;
    }
    *state = st;
    return 0;
}

static int teardown(void **state)
{
    store_close(*state);
    testdb_destroy(&db);
    return 0;
}

static int64_t add_survey(struct store *st, const char *title, int opens, int closes)
{
    struct survey_rec s;
    memset(&s, 0, sizeof(s));
    snprintf(s.title, sizeof(s.title), "%s", title);
    snprintf(s.area, sizeof(s.area), "440605");
    s.year = opens / 10000;
    s.quarter = (opens / 100 % 100 - 1) / 3 + 1;
    s.opens_day = opens;
    s.closes_day = closes;
    s.definition = (char *)"{\"title\":\"t\",\"questions\":[]}";
    s.created_by = 7;
    s.created_ms = 1000;
    assert_int_equal(store_survey_insert(st, &s), 0);
    assert_true(s.id > 0);
    return s.id;
}

static int respond(struct store *st, int64_t survey, const char *who, const char *area,
                   double overall, double security, double satisfaction)
{
    struct survey_response_rec r;
    memset(&r, 0, sizeof(r));
    r.survey_id = survey;
    snprintf(r.respondent, sizeof(r.respondent), "%s", who);
    snprintf(r.area, sizeof(r.area), "%s", area);
    r.answers = "{}";
    r.score[0] = overall;
    r.score[1] = security;
    r.score[2] = satisfaction;
    snprintf(r.source, sizeof(r.source), "web");
    r.created_ms = 2000;
    return store_survey_response_insert(st, &r);
}

static void test_survey_roundtrip(void **state)
{
    struct store *st = *state;
    struct survey_rec got;
    int64_t id = add_survey(st, "2026年第二季度调查", 20260401, 20260630);
    assert_int_equal(store_survey_get(st, id, &got), 0);
    assert_string_equal(got.title, "2026年第二季度调查");
    assert_string_equal(got.area, "440605");
    assert_int_equal(got.year, 2026);
    assert_int_equal(got.quarter, 2);
    assert_int_equal(got.opens_day, 20260401);
    assert_int_equal(got.closes_day, 20260630);
    assert_string_equal(got.definition, "{\"title\":\"t\",\"questions\":[]}");
    assert_int_equal(got.created_by, 7);
    survey_rec_cleanup(&got);
    assert_int_equal(store_survey_get(st, id + 100, &got), ERR_NOT_FOUND);
}

struct listed {
    int n;
    int64_t ids[8];
};

static int on_survey(void *ctx, const struct survey_rec *s)
{
    struct listed *l = ctx;
    assert_null(s->definition);
    if (l->n < 8)
        l->ids[l->n++] = s->id;
    return 0;
}

static void test_survey_list(void **state)
{
    struct store *st = *state;
    struct listed l = {0};
    int64_t a = add_survey(st, "a", 20260101, 20260331),
            b = add_survey(st, "b", 20260401, 20260630);
    assert_int_equal(store_survey_list(st, 10, on_survey, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.ids[0], b); /* newest first */
    assert_int_equal(l.ids[1], a);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_survey_list(st, 1, on_survey, &l), 0);
    assert_int_equal(l.n, 1);
}

static void test_one_response_per_respondent(void **state)
{
    struct store *st = *state;
    int64_t a = add_survey(st, "a", 20260101, 20260331),
            b = add_survey(st, "b", 20260401, 20260630);
    assert_int_equal(respond(st, a, "k1", "440605001001001", 50, 50, NAN), 0);
    assert_int_equal(respond(st, a, "k1", "440605001001002", 90, 90, 90), ERR_EXISTS);
    assert_int_equal(respond(st, b, "k1", "440605001001001", 90, 90, 90), 0); /* other survey */
}

struct sums {
    int n;
    char keys[8][24];
    struct survey_sums s[8];
};

static int on_sums(void *ctx, const char *key, const struct survey_sums *s)
{
    struct sums *o = ctx;
    if (o->n < 8) {
        snprintf(o->keys[o->n], sizeof(o->keys[0]), "%s", key);
        o->s[o->n++] = *s;
    }
    return 0;
}

static void test_sums(void **state)
{
    struct store *st = *state;
    struct sums o;
    int64_t q1 = add_survey(st, "q1", 20260101, 20260331),
            q2 = add_survey(st, "q2", 20260401, 20260630);
    assert_int_equal(respond(st, q1, "a", "440605001001001", 80, 60, 100), 0);
    assert_int_equal(respond(st, q1, "b", "440605001001002001", 40, NAN, 40), 0);
    assert_int_equal(respond(st, q1, "c", "440605001002001", 10, 10, NAN), 0);
    assert_int_equal(respond(st, q1, "d", "440605002001001", 70, 70, 70), 0); /* other street */
    assert_int_equal(respond(st, q2, "a", "440605001001001", 20, 20, 20), 0);

    /* q1, street 440605001 by community (12 characters) */
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_survey_sums(st, q1, 0, 0, "440605001", 12, on_sums, &o), 0);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.keys[0], "440605001001");
    assert_int_equal(o.s[0].responses, 2);
    assert_true(fabs(o.s[0].sum[0] - 120) < 1e-9);
    assert_int_equal(o.s[0].count[0], 2);
    assert_true(fabs(o.s[0].sum[1] - 60) < 1e-9);
    assert_int_equal(o.s[0].count[1], 1); /* a NULL score is not counted */
    assert_int_equal(o.s[0].count[2], 2);
    assert_string_equal(o.keys[1], "440605001002");
    assert_int_equal(o.s[1].responses, 1);
    assert_int_equal(o.s[1].count[2], 0);

    /* total of the street: one row */
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_survey_sums(st, q1, 0, 0, "440605001", 9, on_sums, &o), 0);
    assert_int_equal(o.n, 1);
    assert_string_equal(o.keys[0], "440605001");
    assert_int_equal(o.s[0].responses, 3);

    /* every survey overlapping a period: March..April covers both, May only q2 */
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_survey_sums(st, 0, 20260315, 20260415, "440605001001", 12, on_sums, &o),
                     0);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.s[0].responses, 3);
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_survey_sums(st, 0, 20260501, 20260531, "440605001001", 12, on_sums, &o),
                     0);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.s[0].responses, 1);
    assert_true(fabs(o.s[0].sum[0] - 20) < 1e-9);
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_survey_sums(st, 0, 20250101, 20251231, "440605", 6, on_sums, &o), 0);
    assert_int_equal(o.n, 0); /* nothing that year */

    /* the whole tree */
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_survey_sums(st, q1, 0, 0, "", 6, on_sums, &o), 0);
    assert_int_equal(o.n, 1);
    assert_int_equal(o.s[0].responses, 4);
}

static int add_star(struct store *st, int year, const char *area, int stars)
{
    struct star_rating_rec r;
    memset(&r, 0, sizeof(r));
    r.year = year;
    snprintf(r.area, sizeof(r.area), "%s", area);
    r.score = stars == 0 ? NAN : 50.0 + stars;
    r.survey_score = NAN;
    r.survey_responses = 3;
    r.stars = stars;
    r.components = "{\"coverage\":1}";
    r.rated_by = 1;
    r.rated_ms = 5000;
    return store_star_rating_insert(st, &r);
}

struct stars {
    int n;
    char areas[8][19];
    int stars[8];
    double score[8];
    char components[8][64];
};

static int on_star(void *ctx, const struct star_rating_rec *r)
{
    struct stars *o = ctx;
    if (o->n < 8) {
        snprintf(o->areas[o->n], sizeof(o->areas[0]), "%s", r->area);
        o->stars[o->n] = r->stars;
        o->score[o->n] = r->score;
        snprintf(o->components[o->n], sizeof(o->components[0]), "%s", r->components);
        o->n++;
    }
    assert_true(isnan(r->survey_score));
    return 0;
}

static void test_stars(void **state)
{
    struct store *st = *state;
    struct stars o;
    int64_t n = -1;
    assert_int_equal(add_star(st, 2025, "440605001002", 4), 0);
    assert_int_equal(add_star(st, 2025, "440605001001", 0), 0);
    assert_int_equal(add_star(st, 2025, "440605002001", 3), 0);
    assert_int_equal(add_star(st, 2026, "440605001001", 5), 0);
    assert_int_equal(add_star(st, 2025, "440605001001", 2), ERR_EXISTS);
    assert_int_equal(store_star_rating_count(st, 2025, "440605001", &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_star_rating_count(st, 2025, "", &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(store_star_rating_count(st, 2024, "", &n), 0);
    assert_int_equal(n, 0);
    memset(&o, 0, sizeof(o));
    assert_int_equal(store_star_rating_list(st, 2025, "440605001", on_star, &o), 0);
    assert_int_equal(o.n, 2);
    assert_string_equal(o.areas[0], "440605001001"); /* area order */
    assert_int_equal(o.stars[0], 0);
    assert_true(isnan(o.score[0]));
    assert_string_equal(o.areas[1], "440605001002");
    assert_int_equal(o.stars[1], 4);
    assert_true(fabs(o.score[1] - 54) < 1e-9);
    assert_string_equal(o.components[1], "{\"coverage\":1}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_survey_roundtrip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_survey_list, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_response_per_respondent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sums, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stars, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
