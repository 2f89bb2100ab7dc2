/*
 * test_store.c - the storage interface, run against a fresh database per test.
 *
 * Each test gets a fresh database of the run's backend (testdb.h: SQLite by default,
 * PostgreSQL in the 'pg' suite). The tests use only store.h, apart from the few that forge
 * or tamper with rows directly (testdb_exec), which do it in each backend's SQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "store/store.h"
#include "store/store_impl.h" /* the backends' schema versions */
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
    struct store_fixture *f = *state;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    char url[256];
    testdb_another(&f->db, "missing", url, sizeof(url));
    assert_int_equal(store_open(url, 0, &st, &eb), ERR_NOT_FOUND);
    assert_null(st);
    assert_non_null(strstr(eb.msg, "does not exist"));
    /* nothing was created */
    errbuf_clear(&eb);
    assert_int_equal(store_open(url, 0, &st, &eb), ERR_NOT_FOUND);
    if (!f->db.is_pg) {
        assert_int_equal(access(url, F_OK), -1);
        snprintf(url, sizeof(url), "%s/garbage.db", f->db.dir);
        FILE *g = fopen(url, "wb");
        fputs("this is not a database, just some text long enough to have a header........", g);
        fclose(g);
        errbuf_clear(&eb);
        assert_int_equal(store_open(url, 0, &st, &eb), ERR_INVALID);
        assert_null(st);
        assert_non_null(strstr(eb.msg, "not a gridgov database"));
    }
    errbuf_clear(&eb);
    assert_int_equal(store_open("", 0, &st, &eb), ERR_INVALID);
    /* Nothing listens on port 1: a clear connection error, whatever the run's backend. */
    errbuf_clear(&eb);
    assert_int_equal(store_open("postgresql://gridgov@127.0.0.1:1/x", 0, &st, &eb), ERR_IO);
    assert_non_null(strstr(eb.msg, "cannot connect"));
    errbuf_clear(&eb);
    assert_int_equal(store_open("postgresql://127.0.0.1:1/bad name", STORE_CREATE, &st, &eb),
                     ERR_IO);
}

/* Forge the recorded schema version of the database at url, in its backend's terms. */
static void set_schema_version(const struct testdb *db, const char *url, int version)
{
    char sql[160];
    if (db->is_pg)
        snprintf(sql, sizeof(sql), "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
                 version);
    else
        snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version);
    assert_int_equal(testdb_exec(db, url, sql), 0);
}

static void test_schema_versions(void **state)
{
    struct store_fixture *f = *state;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    int version = 0;
    char url[256];

    assert_int_equal(store_schema_version(f->st, &version), 0);
    assert_int_equal(version, store_schema_latest());
    assert_string_equal(store_backend(f->st), f->db.is_pg ? "postgresql" : "sqlite");
    /* One gridgov, one schema version, whatever the backend. */
    assert_int_equal(sqlite_schema_latest(), pg_schema_latest());

    if (!f->db.is_pg) {
        /* An empty (version 0) SQLite file is upgraded on open. */
        snprintf(url, sizeof(url), "%s/old.db", f->db.dir);
        set_schema_version(&f->db, url, 0);
        assert_int_equal(store_open(url, 0, &st, &eb), 0);
        assert_int_equal(store_schema_version(st, &version), 0);
        assert_int_equal(version, store_schema_latest());
        store_close(st);
    }

    /* A newer one is refused with a clear message, and left untouched. */
    testdb_another(&f->db, "new", url, sizeof(url));
    assert_int_equal(store_open(url, STORE_CREATE, &st, &eb), 0);
    store_close(st);
    set_schema_version(&f->db, url, store_schema_latest() + 1);
    errbuf_clear(&eb);
    assert_int_equal(store_open(url, 0, &st, &eb), ERR_DB_TOO_NEW);
    assert_null(st);
    assert_non_null(strstr(eb.msg, "newer"));
    errbuf_clear(&eb);
    assert_int_equal(store_open(url, STORE_READONLY, &st, &eb), ERR_DB_TOO_NEW);
}

static void test_areas(void **state)
{
    struct store_fixture *f = *state;
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
    struct store_fixture *f = *state;
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
    struct store_fixture *f = *state;
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

    /* Nested: an inner rollback undoes only the inner work. */
    struct area inner = make_area("4406", 2, "佛山市");
    struct area kept = make_area("4407", 2, "江门市");
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_area_put(f->st, &kept), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_area_put(f->st, &inner), 0);
    store_rollback(f->st);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_area_count(f->st, &n), 0);
    assert_int_equal(n, 2); /* 44 and 4407, not 4406 */
    int exists = 1;
    assert_int_equal(store_area_exists(f->st, "4406", &exists), 0);
    assert_false(exists);
}

/* meta key's value, or "-" when it has none. */
static const char *meta_or_dash(struct store *st, const char *key, char out[16])
{
    int r = store_meta_get(st, key, out, 16);
    if (r == ERR_NOT_FOUND)
        snprintf(out, 16, "-");
    else
        assert_int_equal(r, 0);
    return out;
}

/* Savepoints nested several deep, committed and rolled back in every order, some with nothing
 * inside (PostgreSQL defers them to the next statement: the outcome must not show it). */
static void test_transaction_nesting(void **state)
{
    struct store_fixture *f = *state;
    char v[16];
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_a", "1"), 0);
    /* an inner commit inside a rolled-back savepoint is undone with it */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_b", "1"), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_string_equal(meta_or_dash(f->st, "t_b", v), "1");
    store_rollback(f->st);
    assert_string_equal(meta_or_dash(f->st, "t_b", v), "-");
    /* empty savepoints, committed and rolled back */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_begin(f->st), 0);
    store_rollback(f->st);
    store_rollback(f->st);
    /* an empty inner one, then work in the outer one */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_c", "1"), 0);
    assert_int_equal(store_commit(f->st), 0);
    /* one kept, the next undone */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_d", "1"), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_e", "1"), 0);
    store_rollback(f->st);
    /* deeper than anything is kept waiting, then written at the bottom */
    for (int i = 0; i < 12; i++)
        assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_f", "1"), 0);
    for (int i = 0; i < 11; i++)
        assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_f", "2"), 0);
    store_rollback(f->st); /* only the last level */
    store_rollback(f->st); /* the twelfth: t_f = 1 goes too */
    assert_string_equal(meta_or_dash(f->st, "t_f", v), "-");
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_meta_set(f->st, "t_g", "1"), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_commit(f->st), 0); /* the outer transaction */
    assert_string_equal(meta_or_dash(f->st, "t_a", v), "1");
    assert_string_equal(meta_or_dash(f->st, "t_b", v), "-");
    assert_string_equal(meta_or_dash(f->st, "t_c", v), "1");
    assert_string_equal(meta_or_dash(f->st, "t_d", v), "1");
    assert_string_equal(meta_or_dash(f->st, "t_e", v), "-");
    assert_string_equal(meta_or_dash(f->st, "t_f", v), "-");
    assert_string_equal(meta_or_dash(f->st, "t_g", v), "1");
    /* and the connection is usable outside a transaction */
    assert_int_equal(store_meta_set(f->st, "t_h", "1"), 0);
    assert_string_equal(meta_or_dash(f->st, "t_h", v), "1");
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
    struct store_fixture *f = *state;
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
    struct store_fixture *f = *state;
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
    struct store_fixture *f = *state;
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
    struct store_fixture *f = *state;
    char v[32];
    assert_int_equal(store_meta_get(f->st, "nope", v, sizeof(v)), ERR_NOT_FOUND);
    assert_int_equal(store_meta_set(f->st, "k", "1"), 0);
    assert_int_equal(store_meta_set(f->st, "k", "2"), 0);
    assert_int_equal(store_meta_get(f->st, "k", v, sizeof(v)), 0);
    assert_string_equal(v, "2");
}

static struct case_rec make_case(const char *area, const char *status, int64_t created,
                                 const char *desc)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "440605-T-%lld", (long long)created);
    snprintf(c.area_code, sizeof(c.area_code), "%s", area);
    snprintf(c.category, sizeof(c.category), "%s", "0301");
    snprintf(c.channel, sizeof(c.channel), "%s", "web");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", status);
    c.queue_level = 6;
    c.description = (char *)desc;
    c.created_ms = created;
    c.updated_ms = created;
    c.lon = 113.1;
    c.lat = 23.05;
    c.has_location = 1;
    return c;
}

static void test_case_insert_get_update(void **state)
{
    struct store_fixture *f = *state;
    struct case_rec c = make_case("440605001001001001", "reported", 1000, "路灯不亮");
    struct case_rec got, dup;
    assert_int_equal(store_case_insert(f->st, &c), 0);
    assert_true(c.id > 0);
    dup = make_case("440605001001001", "reported", 1000, "x");
    assert_int_equal(store_case_insert(f->st, &dup), ERR_EXISTS);

    assert_int_equal(store_case_get(f->st, c.id, &got), 0);
    assert_string_equal(got.description, "路灯不亮");
    assert_string_equal(got.area_code, "440605001001001001");
    assert_true(got.has_location);
    assert_true(got.lon > 113.09 && got.lon < 113.11);
    case_rec_cleanup(&got);
    assert_int_equal(store_case_get_by_number(f->st, c.number, &got), 0);
    assert_int_equal(got.id, c.id);
    case_rec_cleanup(&got);
    assert_int_equal(store_case_get(f->st, c.id + 100, &got), ERR_NOT_FOUND);

    /* Optimistic concurrency: the update applies only on the expected event count. */
    snprintf(c.status, sizeof(c.status), "%s", "accepted");
    c.event_seq = 1;
    assert_int_equal(store_case_update(f->st, &c, 0), 0);
    snprintf(c.status, sizeof(c.status), "%s", "rejected");
    c.event_seq = 2;
    assert_int_equal(store_case_update(f->st, &c, 0), ERR_CONFLICT); /* stale */
    assert_int_equal(store_case_get(f->st, c.id, &got), 0);
    assert_string_equal(got.status, "accepted");
    case_rec_cleanup(&got);
    c.id += 100;
    assert_int_equal(store_case_update(f->st, &c, 1), ERR_NOT_FOUND);
}

static void test_case_list_filters_and_paging(void **state)
{
    struct store_fixture *f = *state;
    static const char *const areas[] = {"440605001001001001", "440605001001002", "440605002",
                                        "440605001002"};
    struct case_filter filter;
    struct case_list list;
    assert_int_equal(store_begin(f->st), 0);
    for (int i = 0; i < 40; i++) {
        char desc[64];
        snprintf(desc, sizeof(desc), "第%d号 %s", i, i % 5 == 0 ? "井盖丢失了" : "垃圾没人清");
        struct case_rec c =
            make_case(areas[i % 4], i % 3 == 0 ? "closed" : "reported", 10000 + i * 10, desc);
        snprintf(c.number, sizeof(c.number), "N-%d", i);
        if (i % 7 == 0)
            snprintf(c.channel, sizeof(c.channel), "%s", "phone");
        c.due_ms = i % 2 ? 5000 : 0;
        assert_int_equal(store_case_insert(f->st, &c), 0);
    }
    assert_int_equal(store_commit(f->st), 0);

    memset(&filter, 0, sizeof(filter));
    filter.limit = 1000;
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 40);
    assert_string_equal(list.items[0].number, "N-39"); /* newest first */
    case_list_cleanup(&list);

    /* Subtree at each level equals a recount by prefix. */
    static const char *const roots[] = {"440605",          "440605001",          "440605001001",
                                        "440605001001001", "440605001001001001", "44"};
    for (size_t r = 0; r < 6; r++) {
        size_t expected = 0;
        for (int i = 0; i < 40; i++)
            expected += strncmp(areas[i % 4], roots[r], strlen(roots[r])) == 0;
        filter.area = roots[r];
        assert_int_equal(store_case_list(f->st, &filter, &list), 0);
        assert_int_equal(list.len, expected);
        case_list_cleanup(&list);
    }
    filter.area = "440605";

    filter.statuses[0] = "closed";
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 14);
    case_list_cleanup(&list);
    filter.statuses[0] = NULL;

    filter.channel = "phone";
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 6);
    case_list_cleanup(&list);
    filter.channel = NULL;

    filter.is_overdue = 1;
    filter.now_ms = 6000;
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 20);
    case_list_cleanup(&list);
    filter.is_overdue = 0;

    /* Full text over Chinese (3+ characters). */
    filter.query = "井盖丢";
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 8);
    case_list_cleanup(&list);
    /* Two characters: below the trigram index, still found. */
    filter.query = "井盖";
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 8);
    case_list_cleanup(&list);
    /* FTS syntax in the input is quoted away: a search, never an error. */
    filter.query = "\" OR 1";
    assert_int_equal(store_case_list(f->st, &filter, &list), 0);
    assert_int_equal(list.len, 0);
    case_list_cleanup(&list);
    filter.query = NULL;

    /* Keyset paging visits every case exactly once, in order. */
    filter.limit = 7;
    int seen = 0;
    int64_t last_created = INT64_MAX;
    for (;;) {
        assert_int_equal(store_case_list(f->st, &filter, &list), 0);
        if (list.len == 0)
            break;
        for (size_t i = 0; i < list.len; i++) {
            assert_true(list.items[i].created_ms < last_created);
            last_created = list.items[i].created_ms;
            seen++;
        }
        filter.before_created_ms = list.items[list.len - 1].created_ms;
        filter.before_id = list.items[list.len - 1].id;
        case_list_cleanup(&list);
    }
    assert_int_equal(seen, 40);
}

/* The text search means the same on every backend: 3+ characters match anywhere in the
 * description or the address, ignoring case (SQLite: FTS5 trigram); shorter queries match
 * anywhere with their exact case (SQLite: instr); LIKE's % and _ are plain characters. */
static size_t search_count(struct store *st, const char *query)
{
    struct case_filter filter;
    struct case_list list;
    size_t n;
    memset(&filter, 0, sizeof(filter));
    filter.limit = 1000;
    filter.query = query;
    assert_int_equal(store_case_list(st, &filter, &list), 0);
    n = list.len;
    case_list_cleanup(&list);
    return n;
}

/*
 * A status filter lists the same cases whichever index serves it: a common status (more cases
 * than the SQLite backend reads from the status index) along the area's time index, a rare one
 * from the status index, each at every level of the tree and across keyset pages; the result
 * must equal a recount of what was inserted.
 */
#define STATUS_CASES 5300
static void test_case_list_common_and_rare_status(void **state)
{
    struct store_fixture *f = *state;
    static const char *const cells[] = {"440605001001001001", "440605001001002003",
                                        "440605002001001002", "440605003002001001"};
    static const char *const roots[] = {
        "440605", "440605001", "440605001001001", "440605001001001001", "440605003", ""};
    static const char *const statuses[] = {"closed", "handled", "suspended"};
    struct case_filter filter;
    struct case_list list;
    assert_int_equal(store_begin(f->st), 0);
    for (int i = 0; i < STATUS_CASES; i++) {
        /* handled: every 61st; suspended: 3 cases, all in one street; the rest closed */
        const char *st = i % 61 == 0 ? "handled" : i % 1700 == 5 ? "suspended" : "closed";
        const char *cell = strcmp(st, "suspended") == 0 ? cells[3] : cells[i % 3];
        struct case_rec c = make_case(cell, st, 100000 + i * 7 - (i % 5) * 3, "x");
        snprintf(c.number, sizeof(c.number), "S-%d", i);
        assert_int_equal(store_case_insert(f->st, &c), 0);
    }
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_refresh_statistics(f->st), 0);

    for (size_t si = 0; si < 3; si++) {
        for (size_t ri = 0; ri < 6; ri++) {
            int64_t before_ms = 0, before_id = 0;
            int seen = 0, expected = 0;
            for (int i = 0; i < STATUS_CASES; i++) {
                const char *st = i % 61 == 0 ? "handled" : i % 1700 == 5 ? "suspended" : "closed";
                const char *cell = strcmp(st, "suspended") == 0 ? cells[3] : cells[i % 3];
                expected += strcmp(st, statuses[si]) == 0 &&
                            strncmp(cell, roots[ri], strlen(roots[ri])) == 0;
            }
            /* Three pages of 40 at most (common statuses have thousands): each newest first,
             * all of the status and the area, continuing where the last one stopped. */
            for (int page = 0; page < 3; page++) {
                memset(&filter, 0, sizeof(filter));
                filter.limit = 40;
                filter.area = roots[ri];
                filter.statuses[0] = statuses[si];
                filter.before_created_ms = before_ms;
                filter.before_id = before_id;
                assert_int_equal(store_case_list(f->st, &filter, &list), 0);
                for (size_t k = 0; k < list.len; k++) {
                    const struct case_rec *c = &list.items[k];
                    assert_string_equal(c->status, statuses[si]);
                    assert_int_equal(strncmp(c->area_code, roots[ri], strlen(roots[ri])), 0);
                    if (before_ms || before_id)
                        assert_true(c->created_ms < before_ms ||
                                    (c->created_ms == before_ms && c->id < before_id));
                    before_ms = c->created_ms;
                    before_id = c->id;
                }
                seen += (int)list.len;
                int want = expected - (seen - (int)list.len);
                assert_int_equal(list.len, want < 40 ? want : 40);
                case_list_cleanup(&list);
            }
            assert_int_equal(seen, expected < 120 ? expected : 120);
        }
    }
}

static void test_case_search_semantics(void **state)
{
    struct store_fixture *f = *state;
    static const char *const texts[][2] = {
        {"Street LIGHT broken", "Main Road 1"},
        {"100% done", ""},
        {"a_b and a\\b", "Light alley"},
        {"井盖丢失了", "振兴路"},
    };
    /* In a transaction, as every writer does (SQLite indexes the text at its commit). */
    assert_int_equal(store_begin(f->st), 0);
    for (int i = 0; i < 4; i++) {
        struct case_rec c = make_case("440605001", "reported", 100 + i, texts[i][0]);
        snprintf(c.number, sizeof(c.number), "Q-%d", i);
        snprintf(c.address, sizeof(c.address), "%s", texts[i][1]);
        assert_int_equal(store_case_insert(f->st, &c), 0);
    }
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(search_count(f->st, "light"), 2); /* description and address, any case */
    assert_int_equal(search_count(f->st, "LIGHT"), 2);
    assert_int_equal(search_count(f->st, "main road"), 1);
    assert_int_equal(search_count(f->st, "LI"), 1); /* short: exact case */
    assert_int_equal(search_count(f->st, "li"), 0);
    assert_int_equal(search_count(f->st, "Li"), 1);
    assert_int_equal(search_count(f->st, "%"), 1); /* not a wildcard */
    assert_int_equal(search_count(f->st, "0% d"), 1);
    assert_int_equal(search_count(f->st, "_"), 1);
    assert_int_equal(search_count(f->st, "a_b"), 1);
    assert_int_equal(search_count(f->st, "a%b"), 0);
    assert_int_equal(search_count(f->st, "a\\b"), 1); /* a backslash is a character too */
    assert_int_equal(search_count(f->st, "\\"), 1);
    assert_int_equal(search_count(f->st, "丢失"), 1);
    assert_int_equal(search_count(f->st, "振兴路"), 1);
    assert_int_equal(search_count(f->st, "失了吗"), 0);
}

static void test_case_serial_and_sweep_index(void **state)
{
    struct store_fixture *f = *state;
    struct case_list list;
    int64_t n;
    assert_int_equal(store_case_next_serial(f->st, "440605", "20260321", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_case_next_serial(f->st, "440605", "20260321", &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_case_next_serial(f->st, "440605", "20260322", &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(store_case_next_serial(f->st, "440604", "20260321", &n), 0);
    assert_int_equal(n, 1);

    for (int i = 0; i < 10; i++) {
        struct case_rec c = make_case("440605001", "dispatched", 100 + i, "x");
        snprintf(c.number, sizeof(c.number), "S-%d", i);
        c.sweep_at_ms = i < 8 ? 1000 + (i % 3) * 100 : 0;
        assert_int_equal(store_case_insert(f->st, &c), 0);
    }
    /* Due at 1150: sweep_at 1000 (i=0,3,6) and 1100 (i=1,4,7). */
    assert_int_equal(store_case_due(f->st, 1150, 0, 0, 100, &list), 0);
    assert_int_equal(list.len, 6);
    assert_true(list.items[0].sweep_at_ms <= list.items[5].sweep_at_ms);
    case_list_cleanup(&list);
    /* Paging by keyset: 4 then the rest. */
    assert_int_equal(store_case_due(f->st, 1150, 0, 0, 4, &list), 0);
    assert_int_equal(list.len, 4);
    int64_t after_ms = list.items[3].sweep_at_ms, after_id = list.items[3].id;
    case_list_cleanup(&list);
    assert_int_equal(store_case_due(f->st, 1150, after_ms, after_id, 4, &list), 0);
    assert_int_equal(list.len, 2);
    case_list_cleanup(&list);
}

static void test_case_events_append_only(void **state)
{
    struct store_fixture *f = *state;
    struct case_rec c = make_case("440605001", "reported", 1, "x");
    struct case_event e;
    struct case_event_list events;
    assert_int_equal(store_case_insert(f->st, &c), 0);
    memset(&e, 0, sizeof(e));
    e.case_id = c.id;
    e.at_ms = 5;
    snprintf(e.action, sizeof(e.action), "%s", "create");
    snprintf(e.to_state, sizeof(e.to_state), "%s", "reported");
    e.payload = (char *)"{\"a\":1}";
    for (int i = 1; i <= 3; i++) {
        e.seq = i;
        snprintf(e.hash, sizeof(e.hash), "h%d", i);
        assert_int_equal(store_case_event_append(f->st, &e), 0);
    }
    assert_int_equal(store_case_event_append(f->st, &e), ERR_CONFLICT); /* seq 3 again */
    assert_int_equal(store_case_events(f->st, c.id, &events), 0);
    assert_int_equal(events.len, 3);
    assert_string_equal(events.items[2].hash, "h3");
    assert_string_equal(events.items[0].payload, "{\"a\":1}");
    case_event_list_cleanup(&events);

    /* The database itself refuses to rewrite history. */
    assert_int_equal(
        testdb_exec(&f->db, f->db.url, "UPDATE case_events SET action = 'x' WHERE seq = 1"), -1);
    assert_int_equal(testdb_exec(&f->db, f->db.url, "DELETE FROM case_events"), -1);
}

static int count_hash(void *ctx, const char *key, int64_t n)
{
    (void)key;
    (void)n;
    (*(int *)ctx)++;
    return 0;
}

static void test_attachments_and_outbox(void **state)
{
    struct store_fixture *f = *state;
    struct case_rec c = make_case("440605001", "reported", 1, "x");
    struct attachment a, got;
    struct outbox_list due;
    struct outbox_msg m;
    int64_t backlog;
    int n = 0;
    unsigned char bytes[] = {0x89, 'P', 'N', 'G', 0, 1, 2};

    assert_int_equal(store_case_insert(f->st, &c), 0);
    memset(&a, 0, sizeof(a));
    snprintf(a.hash, sizeof(a.hash), "%s", "abc123");
    snprintf(a.mime, sizeof(a.mime), "%s", "image/png");
    a.size = sizeof(bytes);
    a.data = bytes;
    assert_int_equal(store_attachment_put(f->st, &a), 0);
    assert_int_equal(store_attachment_put(f->st, &a), 0); /* same content: no-op */
    assert_int_equal(store_attachment_get(f->st, "abc123", 1, &got), 0);
    assert_int_equal(got.size, sizeof(bytes));
    assert_memory_equal(got.data, bytes, sizeof(bytes));
    attachment_cleanup(&got);
    assert_int_equal(store_attachment_get(f->st, "nope", 0, &got), ERR_NOT_FOUND);
    assert_int_equal(store_case_attachment_add(f->st, c.id, "abc123"), 0);
    assert_int_equal(store_case_attachment_add(f->st, c.id, "abc123"), 0);
    assert_int_equal(store_case_attachments(f->st, c.id, count_hash, &n), 0);
    assert_int_equal(n, 1);

    memset(&m, 0, sizeof(m));
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "%s", "case-1-ev-1");
    snprintf(m.topic, sizeof(m.topic), "%s", "case.status");
    m.payload = (char *)"{}";
    m.created_ms = 10;
    m.next_attempt_ms = 10;
    assert_int_equal(store_outbox_insert(f->st, &m), 0);
    assert_int_equal(store_outbox_insert(f->st, &m), ERR_EXISTS);
    assert_int_equal(store_outbox_due(f->st, 9, 10, &due), 0);
    assert_int_equal(due.len, 0);
    outbox_list_cleanup(&due);
    assert_int_equal(store_outbox_due(f->st, 10, 10, &due), 0);
    assert_int_equal(due.len, 1);
    int64_t id = due.items[0].id;
    outbox_list_cleanup(&due);
    assert_int_equal(store_outbox_failed(f->st, id, 1, 50, "connection refused"), 0);
    assert_int_equal(store_outbox_due(f->st, 20, 10, &due), 0);
    assert_int_equal(due.len, 0);
    outbox_list_cleanup(&due);
    assert_int_equal(store_outbox_due(f->st, 50, 10, &due), 0);
    assert_int_equal(due.len, 1);
    assert_int_equal(due.items[0].attempts, 1);
    assert_string_equal(due.items[0].last_error, "connection refused");
    outbox_list_cleanup(&due);
    assert_int_equal(store_outbox_backlog(f->st, &backlog), 0);
    assert_int_equal(backlog, 1);
    assert_int_equal(store_outbox_delivered(f->st, id, 60), 0);
    assert_int_equal(store_outbox_backlog(f->st, &backlog), 0);
    assert_int_equal(backlog, 0);
    assert_int_equal(store_outbox_due(f->st, 1000, 10, &due), 0);
    assert_int_equal(due.len, 0);
    outbox_list_cleanup(&due);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_open_missing_and_garbage, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_schema_versions, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_areas, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_area_walk, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_transaction_rollback, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_transaction_nesting, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_users, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_sessions, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_households_and_recount, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_meta, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_insert_get_update, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_list_filters_and_paging, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_list_common_and_rare_status, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_search_semantics, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_serial_and_sweep_index, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_events_append_only, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_attachments_and_outbox, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
