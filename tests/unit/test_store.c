/*
 * test_store.c - the storage interface, run against a fresh database per test.
 *
 * Each test gets a temporary SQLite file. The tests use only store.h (apart from the
 * schema-version test, which forges versions with sqlite3 directly), so that the PostgreSQL
 * backend can run the same file when it lands.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "store/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    char dir[64];
    char path[128];
    struct store *st;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    struct errbuf eb = {{0}};
    snprintf(f->dir, sizeof(f->dir), "%s", "/tmp/gridgov-store-XXXXXX");
    if (mkdtemp(f->dir) == NULL)
        goto fail;
    snprintf(f->path, sizeof(f->path), "%s/t.db", f->dir);
    if (store_open(f->path, STORE_CREATE, &f->st, &eb) != 0) {
        fprintf(stderr, "open: %s\n", eb.msg);
        goto fail;
    }
    *state = f;
    return 0;
fail:
    store_close(f->st);
    free(f);
    return -1;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char cmd[200];
    store_close(f->st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
    if (system(cmd) != 0)
        return -1;
    free(f);
    return 0;
}

static struct area make_area(const char *code, int level, const char *name)
{
    struct area a;
    memset(&a, 0, sizeof(a));
    snprintf(a.code, sizeof(a.code), "%s", code);
    snprintf(a.name, sizeof(a.name), "%s", name);
    a.level = level;
    a.minx = 113.0;
    a.miny = 23.0;
    a.maxx = 113.1;
    a.maxy = 23.1;
    a.geometry = (char *)"{\"type\":\"Polygon\",\"coordinates\":[[[113,23],[113.1,23],[113.1,23.1],"
                         "[113,23.1],[113,23]]]}";
    return a;
}

static void put_tree(struct store *st)
{
    struct area rows[] = {
        make_area("44", 1, "广东省"),
        make_area("4406", 2, "佛山市"),
        make_area("440605", 3, "南海区"),
        make_area("440605001", 4, "桂城街道"),
        make_area("440605002", 4, "九江镇"),
        make_area("440605001001", 5, "平洲社区"),
        make_area("440605001001001", 6, "第1网格"),
        make_area("440605001001001001", 7, "1栋"),
        make_area("440605001001002", 6, "第2网格"),
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(store_area_put(st, &rows[i]), 0);
}

static void test_open_missing_and_garbage(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    char path[160];
    snprintf(path, sizeof(path), "%s/missing.db", f->dir);
    assert_int_equal(store_open(path, 0, &st, &eb), ERR_NOT_FOUND);
    assert_null(st);
    assert_non_null(strstr(eb.msg, "does not exist"));
    assert_int_equal(access(path, F_OK), -1); /* nothing was created */

    snprintf(path, sizeof(path), "%s/garbage.db", f->dir);
    FILE *g = fopen(path, "wb");
    fputs("this is not a database, just some text long enough to have a header........", g);
    fclose(g);
    errbuf_clear(&eb);
    assert_int_equal(store_open(path, 0, &st, &eb), ERR_INVALID);
    assert_null(st);
    assert_non_null(strstr(eb.msg, "not a gridgov database"));
    errbuf_clear(&eb);
    assert_int_equal(store_open("", 0, &st, &eb), ERR_INVALID);
    errbuf_clear(&eb);
    assert_int_equal(store_open("postgresql://localhost/x", 0, &st, &eb), ERR_INVALID);
}

static void set_user_version(const char *path, int version)
{
    sqlite3 *db;
    char sql[64];
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}

static void test_schema_versions(void **state)
{
    struct fixture *f = *state;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    int version = 0;
    char path[160];

    assert_int_equal(store_schema_version(f->st, &version), 0);
    assert_int_equal(version, store_schema_latest());
    assert_string_equal(store_backend(f->st), "sqlite");

    /* An empty (version 0) SQLite file is upgraded on open. */
    snprintf(path, sizeof(path), "%s/old.db", f->dir);
    set_user_version(path, 0);
    assert_int_equal(store_open(path, 0, &st, &eb), 0);
    assert_int_equal(store_schema_version(st, &version), 0);
    assert_int_equal(version, store_schema_latest());
    store_close(st);

    /* A newer one is refused with a clear message, and left untouched. */
    snprintf(path, sizeof(path), "%s/new.db", f->dir);
    assert_int_equal(store_open(path, STORE_CREATE, &st, &eb), 0);
    store_close(st);
    set_user_version(path, store_schema_latest() + 1);
    errbuf_clear(&eb);
    assert_int_equal(store_open(path, 0, &st, &eb), ERR_DB_TOO_NEW);
    assert_null(st);
    assert_non_null(strstr(eb.msg, "newer"));
    errbuf_clear(&eb);
    assert_int_equal(store_open(path, STORE_READONLY, &st, &eb), ERR_DB_TOO_NEW);
}

static void test_areas(void **state)
{
    struct fixture *f = *state;
    struct area a;
    struct area_list list;
    int64_t v0, v1, n;
    int exists, level;

    assert_int_equal(store_area_min_level(f->st, &level), 0);
    assert_int_equal(level, 0);
    assert_int_equal(store_areas_version(f->st, &v0), 0);
    put_tree(f->st);
    assert_int_equal(store_areas_version(f->st, &v1), 0);
    assert_true(v1 > v0);
    assert_int_equal(store_area_min_level(f->st, &level), 0);
    assert_int_equal(level, 1);
    assert_int_equal(store_area_count(f->st, &n), 0);
    assert_int_equal(n, 9);

    assert_int_equal(store_area_get(f->st, "440605001", 0, &a), 0);
    assert_string_equal(a.name, "桂城街道");
    assert_int_equal(a.level, 4);
    assert_null(a.geometry);
    area_cleanup(&a);
    assert_int_equal(store_area_get(f->st, "440605001", 1, &a), 0);
    assert_non_null(a.geometry);
    assert_non_null(strstr(a.geometry, "Polygon"));
    area_cleanup(&a);
    assert_int_equal(store_area_get(f->st, "440605003", 0, &a), ERR_NOT_FOUND);
    assert_int_equal(store_area_exists(f->st, "440605002", &exists), 0);
    assert_true(exists);
    assert_int_equal(store_area_exists(f->st, "440605003", &exists), 0);
    assert_false(exists);

    assert_int_equal(store_area_children(f->st, "440605", 0, &list), 0);
    assert_int_equal(list.len, 2);
    assert_string_equal(list.items[0].code, "440605001");
    assert_string_equal(list.items[1].code, "440605002");
    area_list_cleanup(&list);
    assert_int_equal(store_area_children(f->st, "", 0, &list), 0);
    assert_int_equal(list.len, 1);
    assert_string_equal(list.items[0].code, "44");
    area_list_cleanup(&list);

    /* Replacing keeps one row and changes the name. */
    struct area renamed = make_area("440605002", 4, "九江镇(新)");
    assert_int_equal(store_area_put(f->st, &renamed), 0);
    assert_int_equal(store_area_get(f->st, "440605002", 0, &a), 0);
    assert_string_equal(a.name, "九江镇(新)");
    assert_int_equal(store_area_count(f->st, &n), 0);
    assert_int_equal(n, 9);
}

struct walk_log {
    char codes[16][19];
    int n;
    int stop_after;
};

static int log_area(void *ctx, const struct area *a)
{
    struct walk_log *w = ctx;
    if (w->n < 16)
        snprintf(w->codes[w->n], sizeof(w->codes[w->n]), "%s", a->code);
    w->n++;
    return w->stop_after && w->n >= w->stop_after ? 42 : 0;
}

static void test_area_walk(void **state)
{
    struct fixture *f = *state;
    struct walk_log w;
    put_tree(f->st);

    memset(&w, 0, sizeof(w));
    assert_int_equal(store_area_walk(f->st, "440605001", 7, 0, log_area, &w), 0);
    assert_int_equal(w.n, 5); /* street, community, 2 grids, 1 cell */
    assert_string_equal(w.codes[0], "440605001");
    assert_string_equal(w.codes[4], "440605001001002");

    memset(&w, 0, sizeof(w));
    assert_int_equal(store_area_walk(f->st, "440605", 4, 0, log_area, &w), 0);
    assert_int_equal(w.n, 3); /* district and its two streets */

    memset(&w, 0, sizeof(w));
    w.stop_after = 2;
    assert_int_equal(store_area_walk(f->st, "", 7, 0, log_area, &w), 42);
    assert_int_equal(w.n, 2);

    /* A sibling with a shared textual prefix but outside the subtree is not visited. */
    memset(&w, 0, sizeof(w));
    assert_int_equal(store_area_walk(f->st, "440605001001001", 7, 0, log_area, &w), 0);
    assert_int_equal(w.n, 2);
}

static void test_transaction_rollback(void **state)
{
    struct fixture *f = *state;
    struct area a = make_area("44", 1, "广东省");
    int64_t n;
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_area_put(f->st, &a), 0);
    store_rollback(f->st);
    assert_int_equal(store_area_count(f->st, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_area_put(f->st, &a), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_area_count(f->st, &n), 0);
    assert_int_equal(n, 1);
    store_rollback(f->st); /* no transaction open: a no-op */
}

static struct user make_user(const char *name, const char *role, const char *area)
{
    struct user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", role);
    snprintf(u.area_code, sizeof(u.area_code), "%s", area);
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", "$argon2id$dummy");
    return u;
}

static void test_users(void **state)
{
    struct fixture *f = *state;
    struct user a = make_user("wang", "grid_worker", "440605001001001");
    struct user b = make_user("li", "admin", "440605");
    struct user c = make_user("zhao", "grid_worker", "440605002001001");
    struct user dup = make_user("wang", "admin", "440605");
    struct user got;
    struct user_list list;

    assert_int_equal(store_user_insert(f->st, &a), 0);
    assert_true(a.id > 0);
    assert_int_equal(store_user_insert(f->st, &b), 0);
    assert_int_equal(store_user_insert(f->st, &c), 0);
    assert_int_equal(store_user_insert(f->st, &dup), ERR_EXISTS);

    assert_int_equal(store_user_get_by_name(f->st, "wang", &got), 0);
    assert_int_equal(got.id, a.id);
    assert_string_equal(got.role, "grid_worker");
    assert_string_equal(got.area_code, "440605001001001");
    assert_int_equal(store_user_get(f->st, b.id, &got), 0);
    assert_string_equal(got.username, "li");
    assert_int_equal(store_user_get_by_name(f->st, "nobody", &got), ERR_NOT_FOUND);

    assert_int_equal(store_user_list(f->st, "440605001", &list), 0);
    assert_int_equal(list.len, 1);
    assert_string_equal(list.items[0].username, "wang");
    user_list_cleanup(&list);
    assert_int_equal(store_user_list(f->st, "", &list), 0);
    assert_int_equal(list.len, 3);
    assert_string_equal(list.items[0].username, "li"); /* ordered by username */
    user_list_cleanup(&list);

    assert_int_equal(store_user_set_login_state(f->st, a.id, 3, 12345), 0);
    assert_int_equal(store_user_get(f->st, a.id, &got), 0);
    assert_int_equal(got.failed_logins, 3);
    assert_int_equal(got.locked_until_ms, 12345);
    assert_int_equal(store_user_set_password(f->st, a.id, "$argon2id$new"), 0);
    assert_int_equal(store_user_get(f->st, a.id, &got), 0);
    assert_string_equal(got.password_hash, "$argon2id$new");
    assert_int_equal(got.failed_logins, 0);
    assert_int_equal(got.locked_until_ms, 0);
    assert_int_equal(store_user_set_password(f->st, 99999, "x"), ERR_NOT_FOUND);
}

static void test_sessions(void **state)
{
    struct fixture *f = *state;
    struct user u = make_user("wang", "grid_worker", "440605001001001");
    struct session s, got;
    assert_int_equal(store_user_insert(f->st, &u), 0);
    memset(&s, 0, sizeof(s));
    snprintf(s.token_hash, sizeof(s.token_hash), "%s", "aaaa");
    snprintf(s.csrf_token, sizeof(s.csrf_token), "%s", "cccc");
    s.user_id = u.id;
    s.created_ms = 1000;
    s.expires_ms = 5000;
    assert_int_equal(store_session_insert(f->st, &s), 0);
    assert_int_equal(store_session_get(f->st, "aaaa", 4999, &got), 0);
    assert_int_equal(got.user_id, u.id);
    assert_string_equal(got.csrf_token, "cccc");
    assert_int_equal(store_session_get(f->st, "aaaa", 5000, &got), ERR_NOT_FOUND); /* expired */
    assert_int_equal(store_session_get(f->st, "bbbb", 10, &got), ERR_NOT_FOUND);

    snprintf(s.token_hash, sizeof(s.token_hash), "%s", "bbbb");
    s.expires_ms = 9000;
    assert_int_equal(store_session_insert(f->st, &s), 0);
    assert_int_equal(store_session_purge(f->st, 6000), 0);
    assert_int_equal(store_session_get(f->st, "aaaa", 0, &got), ERR_NOT_FOUND); /* purged */
    assert_int_equal(store_session_get(f->st, "bbbb", 6000, &got), 0);
    assert_int_equal(store_session_delete(f->st, "bbbb"), 0);
    assert_int_equal(store_session_get(f->st, "bbbb", 6000, &got), ERR_NOT_FOUND);
    assert_int_equal(store_session_delete(f->st, "bbbb"), 0);

    snprintf(s.token_hash, sizeof(s.token_hash), "%s", "dddd");
    assert_int_equal(store_session_insert(f->st, &s), 0);
    assert_int_equal(store_session_delete_user(f->st, u.id), 0);
    assert_int_equal(store_session_get(f->st, "dddd", 6000, &got), ERR_NOT_FOUND);
}

static void test_households_and_recount(void **state)
{
    struct fixture *f = *state;
    struct area a;
    int64_t hh, pp;
    put_tree(f->st);
    assert_int_equal(store_begin(f->st), 0);
    for (int i = 0; i < 3; i++) {
        struct household h;
        memset(&h, 0, sizeof(h));
        snprintf(h.cell_code, sizeof(h.cell_code), "%s",
                 i < 2 ? "440605001001001001" : "440605001001002");
        snprintf(h.address, sizeof(h.address), "%s", "振兴路1号");
        snprintf(h.kind, sizeof(h.kind), "%s", "registered_family");
        assert_int_equal(store_household_insert(f->st, &h), 0);
        for (int k = 0; k <= i; k++) {
            struct person p;
            memset(&p, 0, sizeof(p));
            p.household_id = h.id;
            snprintf(p.cell_code, sizeof(p.cell_code), "%s", h.cell_code);
            snprintf(p.name, sizeof(p.name), "%s", "陈小明");
            snprintf(p.sex, sizeof(p.sex), "%s", "M");
            snprintf(p.birth_date, sizeof(p.birth_date), "%s", "1980-01-01");
            p.is_registered = 1;
            assert_int_equal(store_person_insert(f->st, &p), 0);
            assert_true(p.id > 0);
        }
    }
    assert_int_equal(store_area_recount(f->st), 0);
    assert_int_equal(store_commit(f->st), 0);

    assert_int_equal(store_household_count(f->st, "440605001", &hh, &pp), 0);
    assert_int_equal(hh, 3);
    assert_int_equal(pp, 6);
    assert_int_equal(store_area_get(f->st, "440605", 0, &a), 0);
    assert_int_equal(a.households, 3);
    assert_int_equal(a.persons, 6);
    assert_int_equal(a.children, 2);
    assert_int_equal(store_area_get(f->st, "440605001001001", 0, &a), 0);
    assert_int_equal(a.households, 2);
    assert_int_equal(a.persons, 3);
    assert_int_equal(a.children, 1);
    assert_int_equal(store_area_get(f->st, "440605001001002", 0, &a), 0);
    assert_int_equal(a.households, 1);
    assert_int_equal(a.persons, 3);
    assert_int_equal(store_area_get(f->st, "44", 0, &a), 0);
    assert_int_equal(a.households, 3);
    assert_int_equal(store_area_get(f->st, "440605002", 0, &a), 0);
    assert_int_equal(a.households, 0);
}

static void test_meta(void **state)
{
    struct fixture *f = *state;
    char v[32];
    assert_int_equal(store_meta_get(f->st, "nope", v, sizeof(v)), ERR_NOT_FOUND);
    assert_int_equal(store_meta_set(f->st, "k", "1"), 0);
    assert_int_equal(store_meta_set(f->st, "k", "2"), 0);
    assert_int_equal(store_meta_get(f->st, "k", v, sizeof(v)), 0);
    assert_string_equal(v, "2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_missing_and_garbage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_versions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_areas, setup, teardown),
        cmocka_unit_test_setup_teardown(test_area_walk, setup, teardown),
        cmocka_unit_test_setup_teardown(test_transaction_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_users, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sessions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_households_and_recount, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
