/*
 * test_request_versions.c - what a service context caches (the case rules, the point-location
 * index) is checked against the store's versions once per request (service_ctx_versions,
 * context.h): outside a request every use sees a change made by another connection at once;
 * within one, the versions read at the first need are kept until the request ends, and the next
 * request sees the change; a deferred answer continued on another context runs with the
 * versions of its request (service_ctx_request_adopt). "Another process" is a second store
 * connection writing as `gridgov import ...` does (rules_store_*, store_area_put).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/error.h"
#include "domain/taxonomy.h"
#include "service/context.h"
#include "service/rules.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct testdb db;
    struct store *other; /* owned: the "other process" */
    struct config cfg[2];
    struct service_ctx *ctx[2]; /* owned: two workers' contexts */
};

/* A small square area (a point-location index needs a geometry). */
static int put_area(struct store *st, const char *code, int level, double x0)
{
    char geometry[256];
    struct area a;
    memset(&a, 0, sizeof(a));
    snprintf(a.code, sizeof(a.code), "%s", code);
    snprintf(a.name, sizeof(a.name), "area %s", code);
    a.level = level;
    snprintf(geometry, sizeof(geometry),
             "{\"type\":\"Polygon\",\"coordinates\":[[[%g,23],[%g,23],[%g,23.1],[%g,23.1],"
             "[%g,23]]]}",
             x0, x0 + 0.1, x0 + 0.1, x0, x0);
    a.geometry = geometry;
    a.minx = x0;
    a.miny = 23;
    a.maxx = x0 + 0.1;
    a.maxy = 23.1;
    return store_area_put(st, &a);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct errbuf eb = {{0}};
    if (testdb_create(&f->db) != 0 || store_open(f->db.url, STORE_CREATE, &f->other, &eb) != 0 ||
        put_area(f->other, "440605", 3, 113.0) != 0)
        goto fail;
    for (int i = 0; i < 2; i++) {
        config_defaults(&f->cfg[i]);
        if (config_set(&f->cfg[i], "db", f->db.url, &eb) != 0 ||
            service_ctx_open(&f->cfg[i], 0, &f->ctx[i], &eb) != 0)
            goto fail;
    }
    *state = f;
    return 0;
fail:
    fprintf(stderr, "setup: %s\n", eb.msg);
    for (int i = 0; i < 2; i++)
        service_ctx_free(f->ctx[i]);
    store_close(f->other);
    testdb_destroy(&f->db);
    free(f);
    return -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 2; i++)
        service_ctx_free(f->ctx[i]);
    store_close(f->other);
    testdb_destroy(&f->db);
    free(f);
    return 0;
}

/* Store the categories again from the other connection (bumps the rules' version). */
static void change_rules(struct fixture *f)
{
    struct taxonomy *tax = taxonomy_new_default();
    struct errbuf eb = {{0}};
    struct buf csv;
    buf_init(&csv, (size_t)16 << 20);
    assert_int_equal(taxonomy_write_csv(tax, &csv), 0);
    assert_int_equal(rules_store_categories(f->other, csv.data, csv.len, &eb), 0);
    buf_cleanup(&csv);
    taxonomy_free(tax);
}

static void test_rules_checked_once_per_request(void **state)
{
    struct fixture *f = *state;
    struct service_ctx *ctx = f->ctx[0];
    const struct case_rules *r1, *r2, *r3;
    int64_t v, rv, av;

    /* Outside a request (CLI, writer): every use sees the change at once. */
    assert_int_equal(rules_get(ctx, &r1), 0);
    v = r1->version;
    change_rules(f);
    assert_int_equal(rules_get(ctx, &r2), 0);
    assert_int_equal(r2->version, v + 1);

    /* Within a request: the version read at its first need is kept... */
    service_ctx_request_begin(ctx);
    assert_int_equal(rules_get(ctx, &r3), 0);
    assert_ptr_equal(r3, r2);
    change_rules(f);
    assert_int_equal(rules_get(ctx, &r3), 0);
    assert_ptr_equal(r3, r2);
    assert_int_equal(r3->version, v + 1);
    assert_int_equal(service_ctx_versions(ctx, &rv, &av), 0);
    assert_int_equal(rv, v + 1);
    service_ctx_request_end(ctx);

    /* ... and the next request runs with the change. */
    service_ctx_request_begin(ctx);
    assert_int_equal(rules_get(ctx, &r3), 0);
    assert_int_equal(r3->version, v + 2);
    assert_int_equal(service_ctx_versions(ctx, &rv, &av), 0);
    assert_int_equal(rv, v + 2);
    service_ctx_request_end(ctx);

    /* A request whose first read came before a change another context loaded meanwhile: the
     * rules it loads are the newer ones, and it keeps them (no reload on every call). */
    service_ctx_request_begin(ctx);
    assert_int_equal(service_ctx_versions(ctx, &rv, &av), 0);
    change_rules(f);
    service_ctx_request_end(ctx);
    service_ctx_request_begin(ctx);
    assert_int_equal(rules_get(ctx, &r1), 0);
    assert_int_equal(r1->version, v + 3);
    assert_int_equal(rules_get(ctx, &r2), 0);
    assert_ptr_equal(r2, r1);
    service_ctx_request_end(ctx);
}

static void test_index_checked_once_per_request(void **state)
{
    struct fixture *f = *state;
    struct service_ctx *ctx = f->ctx[0];
    struct geo_index *ix;
    int64_t built;

    service_ctx_request_begin(ctx);
    assert_int_equal(service_ctx_index(ctx, &ix), 0);
    built = ctx->index_version;
    assert_int_equal(put_area(f->other, "440606", 3, 113.2), 0); /* bumps the areas version */
    assert_int_equal(service_ctx_index(ctx, &ix), 0);
    assert_int_equal(ctx->index_version, built);
    service_ctx_request_end(ctx);

    service_ctx_request_begin(ctx);
    assert_int_equal(service_ctx_index(ctx, &ix), 0);
    assert_true(ctx->index_version > built);
    assert_int_equal(ctx->n_area_names, 2);
    service_ctx_request_end(ctx);

    /* Outside a request: at once. */
    built = ctx->index_version;
    assert_int_equal(put_area(f->other, "440607", 3, 113.4), 0);
    assert_int_equal(service_ctx_index(ctx, &ix), 0);
    assert_true(ctx->index_version > built);
    assert_int_equal(ctx->n_area_names, 3);
}

static void test_deferred_answer_adopts_its_versions(void **state)
{
    struct fixture *f = *state;
    struct service_ctx *a = f->ctx[0], *b = f->ctx[1];
    const struct case_rules *ra, *rb, *rb2;
    int64_t rv, av, rv2, av2;

    /* Both contexts hold the rules in force. */
    assert_int_equal(rules_get(a, &ra), 0);
    assert_int_equal(rules_get(b, &rb), 0);

    /* The request's first part on a, then a change, then its answer on b: b runs with the
     * versions the request read (its rules stay; nothing is read again). */
    service_ctx_request_begin(a);
    assert_int_equal(service_ctx_versions(a, &rv, &av), 0);
    assert_int_equal(rv, ra->version);
    service_ctx_request_end(a);
    change_rules(f);
    service_ctx_request_begin(b);
    service_ctx_request_adopt(b, rv, av);
    assert_int_equal(rules_get(b, &rb2), 0);
    assert_ptr_equal(rb2, rb);
    assert_int_equal(service_ctx_versions(b, &rv2, &av2), 0);
    assert_int_equal(rv2, rv);
    assert_int_equal(av2, av);
    service_ctx_request_end(b);

    /* A context that already read its own versions in this request keeps them. */
    service_ctx_request_begin(b);
    assert_int_equal(service_ctx_versions(b, &rv2, &av2), 0);
    assert_int_equal(rv2, rv + 1);
    service_ctx_request_adopt(b, rv, av);
    assert_int_equal(service_ctx_versions(b, &rv2, &av2), 0);
    assert_int_equal(rv2, rv + 1);
    assert_int_equal(rules_get(b, &rb2), 0);
    assert_int_equal(rb2->version, rv + 1);
    service_ctx_request_end(b);

    /* Outside a request adopting does nothing: the store is read. */
    service_ctx_request_adopt(b, rv, av);
    assert_int_equal(service_ctx_versions(b, &rv2, &av2), 0);
    assert_int_equal(rv2, rv + 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_rules_checked_once_per_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_checked_once_per_request, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deferred_answer_adopts_its_versions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
