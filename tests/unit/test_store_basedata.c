/*
 * test_store_basedata.c - the base-data half of the storage interface: records of every kind
 * (put by id and by natural key, get, find, list with every filter, delete with references),
 * the trigram search, the access log (append-only), household links, retention, the bulk
 * load (indexes dropped and rebuilt), and the upgrade of a schema-2 database that already holds
 * households and persons.
 *
 * Each test gets a fresh database of the run's backend (testdb.h: SQLite by default,
 * PostgreSQL in the 'pg' suite). Only store.h is used, except where a test goes around the
 * store: the append-only check (testdb_exec, either backend) and the upgrade test, which builds
 * an old SQLite schema with sqlite3 (SQLite only: PostgreSQL starts at the baseline).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "store/sqlite/migrations.h"
#include "store/store.h"
#include "testdb.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CELL_A "440605001001001001"
#define CELL_B "440605002001001001"
#define CELL_C "440606001001001001" /* another district */

/* A record of kind in cell with the given field values (name=value pairs, NULL-terminated).
 * Personal fields get fake sealed forms: text "enc:V", hash "h:V", masked "m:V". The strings
 * live in a static pool, enough for one record under construction at a time per slot. */
static char pool[4][BD_FIELDS_MAX][3][128];

#define END ((const char *)NULL) /* the end of rec()'s name/value pairs */

static struct bd_record rec(int slot, enum bd_kind kind, const char *cell, ...)
{
    const struct bd_entity *e = bd_entity(kind);
    struct bd_record r;
    va_list ap;
    const char *name;
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    snprintf(r.cell_code, sizeof(r.cell_code), "%s", cell);
    r.created_ms = 1000;
    r.updated_ms = 1000;
    va_start(ap, cell);
    while ((name = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        int i = bd_field_index(e, name);
        assert_true(i >= 0);
        if (bd_field_is_personal(&e->fields[i])) {
            snprintf(pool[slot][i][0], 128, "enc:%s", value);
            snprintf(pool[slot][i][1], 128, "h:%s", value);
            snprintf(pool[slot][i][2], 128, "m:%s", value);
            r.v[i].text = pool[slot][i][0];
            r.v[i].hash = pool[slot][i][1];
            r.v[i].masked = pool[slot][i][2];
        } else {
            snprintf(pool[slot][i][0], 128, "%s", value);
            r.v[i].text = pool[slot][i][0];
        }
    }
    va_end(ap);
    return r;
}

static const char *val(const struct bd_record *r, const char *name)
{
    int i = bd_field_index(bd_entity(r->kind), name);
    assert_true(i >= 0);
    return r->v[i].text ? r->v[i].text : "";
}

static void test_put_get_by_id_and_natural_key(void **state)
{
    struct store_fixture *f = *state;
    struct bd_record h =
        rec(0, BD_HOUSEHOLD, CELL_A, "household_no", "H1", "kind", "registered_family", "address",
            "桂城街道南桂东路1号", "phone", "13800138000", END);
    struct bd_record got;
    int created = -1;
    int64_t id = 0, first;

    assert_int_equal(store_bd_put(f->st, &h, &created), 0);
    assert_true(h.id > 0);
    assert_int_equal(created, 1);
    first = h.id;

    assert_int_equal(store_bd_get(f->st, BD_HOUSEHOLD, first, &got), 0);
    assert_string_equal(got.cell_code, CELL_A);
    assert_string_equal(val(&got, "address"), "桂城街道南桂东路1号");
    int ph = bd_field_index(bd_entity(BD_HOUSEHOLD), "phone");
    assert_string_equal(got.v[ph].text, "enc:13800138000");
    assert_string_equal(got.v[ph].hash, "h:13800138000");
    assert_string_equal(got.v[ph].masked, "m:13800138000");
    assert_int_equal(got.created_ms, 1000);
    bd_record_cleanup(&got);

    /* The same natural key again updates that row (imports are idempotent). */
    h = rec(0, BD_HOUSEHOLD, CELL_A, "household_no", "H1", "kind", "business", "address",
            "桂城街道南桂东路1号首层", END);
    h.created_ms = 5000;
    h.updated_ms = 5000;
    assert_int_equal(store_bd_put(f->st, &h, &created), 0);
    assert_int_equal(created, 0);
    assert_int_equal(h.id, first);
    assert_int_equal(store_bd_get(f->st, BD_HOUSEHOLD, first, &got), 0);
    assert_string_equal(val(&got, "kind"), "business");
    assert_int_equal(got.created_ms, 1000); /* kept */
    assert_int_equal(got.updated_ms, 5000);
    bd_record_cleanup(&got);

    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H1", &id), 0);
    assert_int_equal(id, first);
    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H2", &id), ERR_NOT_FOUND);
    /* A personal field is found by its hash. */
    struct bd_record p =
        rec(1, BD_PERSON, CELL_A, "name", "陈大文", "id_number", "11010519491231002X", "sex", "F",
            "birth_date", "1949-12-31", "is_registered", "1", END);
    assert_int_equal(store_bd_put(f->st, &p, &created), 0);
    assert_int_equal(store_bd_find(f->st, BD_PERSON, 1, "h:11010519491231002X", &id), 0);
    assert_int_equal(id, p.id);
    assert_int_equal(store_bd_find(f->st, BD_PERSON, 1, "enc:11010519491231002X", &id),
                     ERR_NOT_FOUND);

    /* Update by id; a missing id is not found; taking another row's key is refused. */
    struct bd_record h2 =
        rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H2", "kind", "business", "address", "x", END);
    assert_int_equal(store_bd_put(f->st, &h2, NULL), 0);
    h2 =
        rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H1", "kind", "business", "address", "x", END);
    h2.id = first + 1;
    assert_int_equal(store_bd_put(f->st, &h2, NULL), ERR_EXISTS);
    h2.id = 999;
    assert_int_equal(store_bd_put(f->st, &h2, NULL), ERR_NOT_FOUND);
    assert_int_equal(store_bd_get(f->st, BD_HOUSEHOLD, 999, &got), ERR_NOT_FOUND);
}

static int count_fn(void *ctx, struct bd_record *r)
{
    int64_t *ids = ctx;
    ids[++ids[0]] = r->id;
    return 0;
}

static void test_list_filters_and_paging(void **state)
{
    struct store_fixture *f = *state;
    struct bd_record h = rec(0, BD_HOUSEHOLD, CELL_A, "household_no", "H1", "kind",
                             "registered_family", "address", "南桂东路1号", END);
    struct bd_filter flt;
    char hid[24];
    int64_t ids[64];
    assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
    snprintf(hid, sizeof(hid), "%lld", (long long)h.id);
    static const char *const names[] = {"陈大文", "陈小文", "王芳", "李四", "赵志锡"};
    for (int i = 0; i < 5; i++) {
        char idn[24];
        struct bd_record p;
        snprintf(idn, sizeof(idn), "ID%d", i);
        p = rec(1, BD_PERSON, i < 4 ? CELL_A : CELL_B, "name", names[i], "id_number", idn, "sex",
                "M", "birth_date", "1990-01-01", "is_registered", "1", "household_id",
                i < 2 ? hid : "", "tags", i == 0 ? "elderly_alone,disabled" : "disabled_not",
                "phone", i == 3 ? "139" : "", END);
        assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    }
    memset(&flt, 0, sizeof(flt));
    flt.kind = BD_PERSON;
    flt.ref_field = -1;
    flt.hash_field = -1;
    flt.area = "440605";
    flt.limit = 10;
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 5);
    flt.area = "440605001";
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 4);
    /* Keyset paging: two pages of 2 and one of 0 after the end. */
    flt.limit = 2;
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 2);
    flt.after_id = ids[2];
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 2);
    assert_true(ids[1] > flt.after_id);
    flt.after_id = 0;
    flt.limit = 10;
    /* By household, by tag (whole tags only), by hash, by text long and short. */
    flt.ref_field = bd_field_index(bd_entity(BD_PERSON), "household_id");
    flt.ref_id = h.id;
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 2);
    flt.ref_field = -1;
    flt.tag = "disabled";
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 1);
    flt.tag = NULL;
    flt.hash_field = bd_field_index(bd_entity(BD_PERSON), "phone");
    flt.hash = "h:139";
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 1);
    flt.hash_field = -1;
    flt.query = "陈小文";
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 1);
    flt.query = "王芳"; /* two characters: no trigram, scanned */
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 1);
    flt.query = "陈";
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 2);
    flt.query = "\"' OR 1=1 --"; /* FTS syntax and SQL in the text are just text */
    ids[0] = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
    assert_int_equal(ids[0], 0);
    /* A reference filter on a field that is not a reference is refused. */
    flt.query = NULL;
    flt.ref_field = 0;
    assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), ERR_INVALID);

    int64_t n = 0;
    assert_int_equal(store_bd_count(f->st, BD_PERSON, "440605002", &n), 0);
    assert_int_equal(n, 1);
}

static int hit_fn(void *ctx, const struct bd_hit *h)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 2048 - len, "%s:%s;", bd_entity(h->kind)->name, h->label);
    return 0;
}

static void test_search_and_delete(void **state)
{
    struct store_fixture *f = *state;
    char out[2048] = "";
    struct bd_record b =
        rec(0, BD_BUILDING, CELL_A, "building_no", "B1", "name", "南桂东路9栋", END);
    struct bd_record h, o;
    char bid[24];
    assert_int_equal(store_bd_put(f->st, &b, NULL), 0);
    snprintf(bid, sizeof(bid), "%lld", (long long)b.id);
    h = rec(1, BD_HOUSEHOLD, CELL_A, "household_no", "H1", "kind", "business", "address",
            "南桂东路9栋首层", "building_id", bid, END);
    assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
    o = rec(2, BD_ORGANISATION, CELL_B, "credit_code", "C1", "name", "南桂东路商会", "kind",
            "social_org", END);
    assert_int_equal(store_bd_put(f->st, &o, NULL), 0);

    assert_int_equal(store_bd_search(f->st, "440605", "南桂东路", 10, hit_fn, out), 0);
    assert_non_null(strstr(out, "building:南桂东路9栋;"));
    assert_non_null(strstr(out, "household:南桂东路9栋首层;"));
    assert_non_null(strstr(out, "organisation:南桂东路商会;"));
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440605001", "南桂东路", 10, hit_fn, out), 0);
    assert_null(strstr(out, "organisation")); /* outside the subtree */
    assert_int_equal(store_bd_search(f->st, "440605", "南桂", 10, hit_fn, out), ERR_INVALID);

    /* A renamed record is found by its new text only. */
    o = rec(2, BD_ORGANISATION, CELL_B, "credit_code", "C1", "name", "桂澜路商会", "kind",
            "social_org", END);
    assert_int_equal(store_bd_put(f->st, &o, NULL), 0);
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440605", "商会", 10, hit_fn, out), ERR_INVALID);
    assert_int_equal(store_bd_search(f->st, "440605", "桂澜路商会", 10, hit_fn, out), 0);
    assert_non_null(strstr(out, "organisation:桂澜路商会;"));
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440605", "南桂东路商会", 10, hit_fn, out), 0);
    assert_string_equal(out, "");

    /* The building is referred to by the household: no delete until the household goes. */
    assert_int_equal(store_bd_delete(f->st, BD_BUILDING, b.id), ERR_CONFLICT);
    assert_int_equal(store_bd_delete(f->st, BD_HOUSEHOLD, h.id), 0);
    assert_int_equal(store_bd_delete(f->st, BD_HOUSEHOLD, h.id), ERR_NOT_FOUND);
    assert_int_equal(store_bd_delete(f->st, BD_BUILDING, b.id), 0);
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440605", "南桂东路", 10, hit_fn, out), 0);
    assert_string_equal(out, "");

    /* The reindex rebuilds the same index. */
    assert_int_equal(store_bd_reindex(f->st), 0);
    assert_int_equal(store_bd_search(f->st, "440605", "桂澜路商会", 10, hit_fn, out), 0);
    assert_non_null(strstr(out, "organisation:桂澜路商会;"));
}

/* A household of the bulk test: number no, address addr, known to be new (id -1). */
static struct bd_record bulk_household(int slot, const char *no, const char *addr)
{
    struct bd_record h = rec(slot, BD_HOUSEHOLD, CELL_A, "household_no", no, "kind", "business",
                             "address", addr, END);
    h.id = -1;
    return h;
}

/* store_bd_bulk_begin/end: on SQLite the indexes are dropped for the load and rebuilt at its
 * end (or by the commit), new rows are indexed for search, updates by id work, duplicates
 * fail the rebuild and a rollback brings everything back. PostgreSQL declines (started 0)
 * and the same calls write as usual, with the same results. */
static void test_bulk_load(void **state)
{
    struct store_fixture *f = *state;
    int started = -1, created = 0;
    int64_t id = 0, h0;
    char out[2048] = "";
    struct bd_record h = rec(0, BD_HOUSEHOLD, CELL_A, "household_no", "H0", "kind", "business",
                             "address", "旧址一号", END);
    assert_int_equal(store_bd_put(f->st, &h, &created), 0);
    h0 = h.id;

    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_bd_bulk_begin(f->st, BD_HOUSEHOLD, &started), 0);
    assert_int_equal(started, f->db.is_pg ? 0 : 1);
    if (!f->db.is_pg) /* one at a time */
        assert_int_equal(store_bd_bulk_begin(f->st, BD_HOUSEHOLD, &started), ERR_CONFLICT);
    for (int i = 1; i <= 3; i++) {
        char no[8], addr[64];
        snprintf(no, sizeof(no), "H%d", i);
        snprintf(addr, sizeof(addr), "南桂东路%d号", i);
        h = bulk_household(1, no, addr);
        assert_int_equal(store_bd_put(f->st, &h, &created), 0);
        assert_int_equal(created, 1);
    }
    h = rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H0", "kind", "business", "address",
            "新址桂澜路", END);
    h.id = h0; /* an update by id during the load */
    assert_int_equal(store_bd_put(f->st, &h, &created), 0);
    assert_int_equal(created, 0);
    assert_int_equal(store_bd_bulk_end(f->st), 0);
    assert_int_equal(store_bd_bulk_end(f->st), 0); /* nothing open: no-op */
    assert_int_equal(store_commit(f->st), 0);

    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H2", &id), 0);
    assert_true(id > h0);
    assert_int_equal(store_bd_search(f->st, "440605", "南桂东路2号", 10, hit_fn, out), 0);
    assert_string_equal(out, "household:南桂东路2号;");
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440605", "新址桂澜路", 10, hit_fn, out), 0);
    assert_string_equal(out, "household:新址桂澜路;");
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440605", "旧址一号", 10, hit_fn, out), 0);
    assert_string_equal(out, "");
    /* The unique natural-key index is back. */
    h = bulk_household(1, "H1", "x");
    assert_int_equal(store_bd_put(f->st, &h, NULL), ERR_EXISTS);

    /* A commit without bulk_end rebuilds first. */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_bd_bulk_begin(f->st, BD_HOUSEHOLD, &started), 0);
    h = bulk_household(1, "H5", "南桂东路5号");
    assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H5", &id), 0);
    assert_int_equal(store_bd_search(f->st, "440605", "南桂东路5号", 10, hit_fn, out), 0);
    assert_string_equal(out, "household:南桂东路5号;");

    /* A rolled-back load leaves nothing, and the indexes as they were. */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_bd_bulk_begin(f->st, BD_HOUSEHOLD, &started), 0);
    h = bulk_household(1, "H9", "南桂东路9号");
    assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
    store_rollback(f->st);
    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H9", &id), ERR_NOT_FOUND);
    h = bulk_household(1, "H1", "x");
    assert_int_equal(store_bd_put(f->st, &h, NULL), ERR_EXISTS);

    /* A duplicate key slipped into a load: the unique index cannot be rebuilt (SQLite), or
     * the row is refused at once (PostgreSQL). Either way nothing of the load lands. */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_bd_bulk_begin(f->st, BD_HOUSEHOLD, &started), 0);
    h = bulk_household(1, "H7", "南桂东路7号");
    assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
    h = bulk_household(1, "H1", "重复");
    if (f->db.is_pg) {
        assert_int_equal(store_bd_put(f->st, &h, NULL), ERR_EXISTS);
    } else {
        assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
        assert_int_equal(store_bd_bulk_end(f->st), ERR_CONFLICT);
    }
    store_rollback(f->st);
    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H7", &id), ERR_NOT_FOUND);
    h = bulk_household(1, "H1", "x");
    assert_int_equal(store_bd_put(f->st, &h, NULL), ERR_EXISTS);
    /* Outside a transaction there is no bulk load. */
    if (!f->db.is_pg)
        assert_int_equal(store_bd_bulk_begin(f->st, BD_HOUSEHOLD, &started), ERR_CONFLICT);
}

/* Collects "id:tags;" of each household store_visit_due gives. */
static int tags_fn(void *ctx, const struct visit_state *s)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 512 - len, "%lld:%s;", (long long)s->subject_id, s->tags);
    return 0;
}

/* A person of household hid for the persons bulk test (new: id -1). */
static struct bd_record bulk_person(const char *idn, const char *hid, const char *tags,
                                    const char *status)
{
    struct bd_record p = rec(1, BD_PERSON, CELL_A, "name", "陈大文", "id_number", idn, "sex", "M",
                             "birth_date", "1990-01-01", "is_registered", "1", "household_id", hid,
                             "tags", tags, "status", status, END);
    p.id = -1;
    return p;
}

/* A bulk load of persons also drops the table's triggers (migration 15's, which keep each
 * household's member_tags by reading persons through an index the load drops: a scan of the
 * table per row) and does their work once at the end: the households' tags are what the
 * triggers would have left, and the triggers are back for the next write. */
static void test_bulk_load_persons_keeps_member_tags(void **state)
{
    struct store_fixture *f = *state;
    struct bd_record h1 = rec(0, BD_HOUSEHOLD, CELL_A, "household_no", "T1", "kind",
                              "registered_family", "address", "南桂东路1号", END);
    struct bd_record h2 = rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "T2", "kind",
                              "registered_family", "address", "南桂东路2号", END);
    struct bd_record p;
    char hid1[24], hid2[24], out[512] = "", want[512];
    int started = -1;
    assert_int_equal(store_bd_put(f->st, &h1, NULL), 0);
    assert_int_equal(store_bd_put(f->st, &h2, NULL), 0);
    snprintf(hid1, sizeof(hid1), "%lld", (long long)h1.id);
    snprintf(hid2, sizeof(hid2), "%lld", (long long)h2.id);

    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_bd_bulk_begin(f->st, BD_PERSON, &started), 0);
    assert_int_equal(started, f->db.is_pg ? 0 : 1);
    p = bulk_person("B1", hid1, "elderly_alone", "active");
    assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    p = bulk_person("B2", hid1, "disabled", "active");
    assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    p = bulk_person("B3", hid1, "veteran", "moved_away"); /* not active: not counted */
    assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    p = bulk_person("B4", hid2, "", "active"); /* no tags */
    assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    assert_int_equal(store_bd_bulk_end(f->st), 0);
    assert_int_equal(store_commit(f->st), 0);
    /* The households with tagged members, as the task list finds them: by member_tags. */
    assert_int_equal(store_visit_due(f->st, CELL_A, NULL, 1, INT64_MAX, tags_fn, out), 0);
    snprintf(want, sizeof(want), "%s:elderly_alone,disabled;", hid1);
    assert_string_equal(out, want);

    /* The triggers are back: a person written as usual updates the household at once. */
    p = bulk_person("B5", hid2, "pregnant", "active");
    p.id = 0;
    assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    out[0] = '\0';
    assert_int_equal(store_visit_due(f->st, CELL_A, NULL, 1, INT64_MAX, tags_fn, out), 0);
    snprintf(want, sizeof(want), "%s:elderly_alone,disabled;%s:pregnant;", hid1, hid2);
    assert_string_equal(out, want);
}

static int access_fn(void *ctx, const struct access_entry *e)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 1024 - len, "%s/%lld/%s;", e->username, (long long)e->subject_id,
             e->reason);
    return 0;
}

static void test_access_log(void **state)
{
    struct store_fixture *f = *state;
    struct access_entry e;
    struct access_filter flt;
    char out[1024] = "";
    for (int i = 1; i <= 3; i++) {
        memset(&e, 0, sizeof(e));
        e.at_ms = 1000LL * i;
        e.user_id = i == 3 ? 2 : 1;
        snprintf(e.username, sizeof(e.username), "u%lld", (long long)e.user_id);
        snprintf(e.role, sizeof(e.role), "grid_worker");
        snprintf(e.subject_kind, sizeof(e.subject_kind), "person");
        e.subject_id = 10 + i;
        snprintf(e.subject_area, sizeof(e.subject_area), "%s", i == 2 ? CELL_B : CELL_A);
        snprintf(e.fields, sizeof(e.fields), "phone");
        snprintf(e.reason, sizeof(e.reason), "r%d", i);
        assert_int_equal(store_access_log_append(f->st, &e), 0);
        assert_true(e.id > 0);
    }
    memset(&flt, 0, sizeof(flt));
    flt.area = "440605";
    assert_int_equal(store_access_log_list(f->st, &flt, access_fn, out), 0);
    assert_string_equal(out, "u2/13/r3;u1/12/r2;u1/11/r1;"); /* newest first */
    out[0] = '\0';
    flt.area = "440605001";
    assert_int_equal(store_access_log_list(f->st, &flt, access_fn, out), 0);
    assert_string_equal(out, "u2/13/r3;u1/11/r1;");
    out[0] = '\0';
    flt.user_id = 1;
    assert_int_equal(store_access_log_list(f->st, &flt, access_fn, out), 0);
    assert_string_equal(out, "u1/11/r1;");
    out[0] = '\0';
    flt.user_id = 0;
    flt.from_ms = 2500;
    assert_int_equal(store_access_log_list(f->st, &flt, access_fn, out), 0);
    assert_string_equal(out, "u2/13/r3;");

    /* Append-only: the database refuses to change or delete an entry (the same SQL on both
     * backends; PostgreSQL also refuses TRUNCATE, which SQLite does not have). */
    assert_int_equal(testdb_exec(&f->db, f->db.url, "UPDATE access_log SET reason = 'x'"), -1);
    assert_int_equal(testdb_exec(&f->db, f->db.url, "DELETE FROM access_log"), -1);
    if (f->db.is_pg)
        assert_int_equal(testdb_exec(&f->db, f->db.url, "TRUNCATE access_log"), -1);
    out[0] = '\0';
    flt.from_ms = 0;
    assert_int_equal(store_access_log_list(f->st, &flt, access_fn, out), 0);
    assert_string_equal(out, "u2/13/r3;u1/11/r1;"); /* still there, unchanged */
}

static int link_fn(void *ctx, const struct household_link *l)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 1024 - len, "%s:%lld:%s;", l->kind, (long long)l->ref_id, l->summary);
    return 0;
}

static void test_household_links(void **state)
{
    struct store_fixture *f = *state;
    struct bd_record h =
        rec(0, BD_HOUSEHOLD, CELL_A, "household_no", "H1", "kind", "business", "address", "x", END);
    struct household_link l;
    char out[1024] = "";
    assert_int_equal(store_bd_put(f->st, &h, NULL), 0);
    memset(&l, 0, sizeof(l));
    l.household_id = h.id;
    snprintf(l.kind, sizeof(l.kind), "case");
    l.ref_id = 7;
    l.at_ms = 3000;
    snprintf(l.summary, sizeof(l.summary), "漏水");
    assert_int_equal(store_household_link_add(f->st, &l), 0);
    assert_int_equal(store_household_link_add(f->st, &l), 0); /* once only */
    snprintf(l.kind, sizeof(l.kind), "visit");
    l.ref_id = 7;
    l.at_ms = 1000;
    snprintf(l.summary, sizeof(l.summary), "走访");
    assert_int_equal(store_household_link_add(f->st, &l), 0);
    assert_int_equal(store_household_links(f->st, h.id, link_fn, out), 0);
    assert_string_equal(out, "visit:7:走访;case:7:漏水;");
    /* A household with a timeline is not deleted. */
    assert_int_equal(store_bd_delete(f->st, BD_HOUSEHOLD, h.id), ERR_CONFLICT);
}

static void test_retention(void **state)
{
    struct store_fixture *f = *state;
    struct bd_record p, got;
    int64_t ids[16], n = 0;
    p = rec(0, BD_PERSON, CELL_A, "name", "陈大文", "id_number", "X1", "sex", "M", "birth_date",
            "1950-01-01", "is_registered", "1", "status", "moved_away", "moved_out_date",
            "2015-06-01", "phone", "138", "address", "南桂东路1号", END);
    assert_int_equal(store_bd_put(f->st, &p, NULL), 0);
    struct bd_record q = rec(1, BD_PERSON, CELL_A, "name", "李四", "id_number", "X2", "sex", "M",
                             "birth_date", "1950-01-01", "is_registered", "1", "status",
                             "moved_away", "moved_out_date", "2024-06-01", END);
    assert_int_equal(store_bd_put(f->st, &q, NULL), 0);
    struct bd_record r3 = rec(2, BD_PERSON, CELL_A, "name", "王五", "id_number", "X3", "sex", "M",
                              "birth_date", "1950-01-01", "is_registered", "1", END);
    assert_int_equal(store_bd_put(f->st, &r3, NULL), 0);

    ids[0] = 0;
    assert_int_equal(store_bd_retention_persons(f->st, "2021-11-22", 0, 100, count_fn, ids), 0);
    assert_int_equal(ids[0], 1);
    assert_int_equal(ids[1], p.id);
    assert_int_equal(store_bd_anonymise_person(f->st, p.id, 9999), 0);
    assert_int_equal(store_bd_get(f->st, BD_PERSON, p.id, &got), 0);
    assert_string_equal(val(&got, "name"), "已匿名");
    assert_string_equal(val(&got, "id_number"), "");
    assert_string_equal(val(&got, "phone"), "");
    assert_string_equal(val(&got, "address"), "");
    assert_int_equal(got.anonymised_ms, 9999);
    bd_record_cleanup(&got);
    /* Done once: the next run finds nobody; the index forgot the name. */
    ids[0] = 0;
    assert_int_equal(store_bd_retention_persons(f->st, "2021-11-22", 0, 100, count_fn, ids), 0);
    assert_int_equal(ids[0], 0);
    assert_int_equal(store_bd_find(f->st, BD_PERSON, 1, "h:X1", &n), ERR_NOT_FOUND);
    char out[2048] = "";
    assert_int_equal(store_bd_search(f->st, "44", "南桂东路", 10, hit_fn, out), 0);
    assert_string_equal(out, "");

    /* Case reporters: none to clear in an empty case table. */
    assert_int_equal(store_case_clear_reporters(f->st, 1LL << 50, 1, &n), 0);
    assert_int_equal(n, 0);
}

/* Natural keys are unique over the whole table and references may cross districts: the same
 * answers on every backend (PostgreSQL keys its tables by district, so it checks these in the
 * store; SQLite has its unique indexes and foreign keys). */
static void test_keys_and_references_across_districts(void **state)
{
    struct store_fixture *f = *state;
    struct bd_record b = rec(0, BD_BUILDING, CELL_A, "building_no", "B1", "name", "1栋", END);
    struct bd_record h, h2, got;
    struct household_link l;
    char bid[24], out[1024] = "";
    int created = -1;
    int64_t id = 0, n = 0;

    assert_int_equal(store_bd_put(f->st, &b, NULL), 0);
    snprintf(bid, sizeof(bid), "%lld", (long long)b.id);
    /* A household in another district in the building of this one. */
    h = rec(1, BD_HOUSEHOLD, CELL_C, "household_no", "H9", "kind", "business", "address",
            "罗村大道9号", "building_id", bid, END);
    assert_int_equal(store_bd_put(f->st, &h, &created), 0);
    assert_int_equal(created, 1);
    assert_int_equal(store_bd_delete(f->st, BD_BUILDING, b.id), ERR_CONFLICT);
    /* A reference to a record that does not exist is refused, as a constraint. */
    h2 = rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H10", "kind", "business", "address", "x",
             "building_id", "999", END);
    assert_int_equal(store_bd_put(f->st, &h2, NULL), ERR_EXISTS);
    assert_int_equal(store_bd_find(f->st, BD_HOUSEHOLD, 0, "H10", &id), ERR_NOT_FOUND);
    /* The key H9 is taken in district 440606: a new row with it anywhere is refused, and so is
     * another row taking it. */
    h2 =
        rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H9", "kind", "business", "address", "y", END);
    h2.id = -1;
    assert_int_equal(store_bd_put(f->st, &h2, NULL), ERR_EXISTS);
    h2 = rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H11", "kind", "business", "address", "y",
             END);
    assert_int_equal(store_bd_put(f->st, &h2, NULL), 0);
    h2 =
        rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H9", "kind", "business", "address", "y", END);
    h2.id = h.id + 1;
    assert_int_equal(store_bd_put(f->st, &h2, NULL), ERR_EXISTS);
    assert_int_equal(store_bd_count(f->st, BD_HOUSEHOLD, "44", &n), 0);
    assert_int_equal(n, 2);

    /* The household has a timeline; then it moves to the other district by its key: same row,
     * its links and its search entry follow it. */
    memset(&l, 0, sizeof(l));
    l.household_id = h.id;
    snprintf(l.kind, sizeof(l.kind), "case");
    l.ref_id = 5;
    l.at_ms = 100;
    snprintf(l.summary, sizeof(l.summary), "漏水");
    assert_int_equal(store_household_link_add(f->st, &l), 0);
    l.household_id = 999;
    assert_int_equal(store_household_link_add(f->st, &l), ERR_CONFLICT); /* no such household */
    h2 = rec(2, BD_HOUSEHOLD, CELL_A, "household_no", "H9", "kind", "business", "address",
             "南桂东路9号", END);
    assert_int_equal(store_bd_put(f->st, &h2, &created), 0);
    assert_int_equal(created, 0);
    assert_int_equal(h2.id, h.id);
    assert_int_equal(store_bd_get(f->st, BD_HOUSEHOLD, h.id, &got), 0);
    assert_string_equal(got.cell_code, CELL_A);
    bd_record_cleanup(&got);
    assert_int_equal(store_household_links(f->st, h.id, link_fn, out), 0);
    assert_string_equal(out, "case:5:漏水;");
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "440606", "罗村大道", 10, hit_fn, out), 0);
    assert_string_equal(out, "");
    assert_int_equal(store_bd_search(f->st, "440605", "南桂东路9号", 10, hit_fn, out), 0);
    assert_string_equal(out, "household:南桂东路9号;");

    /* The core rows: a person of a missing household is refused (a foreign key). */
    struct household hh;
    struct person pe;
    int64_t households = 0, persons = 0;
    memset(&hh, 0, sizeof(hh));
    snprintf(hh.cell_code, sizeof(hh.cell_code), "%s", CELL_B);
    snprintf(hh.address, sizeof(hh.address), "%s", "九江镇1号");
    snprintf(hh.kind, sizeof(hh.kind), "%s", "registered_family");
    assert_int_equal(store_household_insert(f->st, &hh), 0);
    assert_true(hh.id > 0);
    memset(&pe, 0, sizeof(pe));
    pe.household_id = hh.id;
    snprintf(pe.cell_code, sizeof(pe.cell_code), "%s", CELL_B);
    snprintf(pe.name, sizeof(pe.name), "%s", "李四");
    snprintf(pe.sex, sizeof(pe.sex), "%s", "M");
    snprintf(pe.birth_date, sizeof(pe.birth_date), "%s", "1980-01-01");
    pe.is_registered = 1;
    assert_int_equal(store_person_insert(f->st, &pe), 0);
    assert_true(pe.id > 0);
    pe.household_id = hh.id + 100;
    assert_int_equal(store_person_insert(f->st, &pe), ERR_CONFLICT);
    assert_int_equal(store_household_count(f->st, "440605002", &households, &persons), 0);
    assert_int_equal(households, 1);
    assert_int_equal(persons, 1);
    assert_int_equal(store_bd_get(f->st, BD_PERSON, pe.id - 0, &got), 0);
    assert_string_equal(val(&got, "name"), "李四");
    assert_string_equal(val(&got, "is_registered"), "1");
    bd_record_cleanup(&got);
    assert_int_equal(store_household_count(f->st, "440606", &households, &persons), 0);
    assert_int_equal(households, 0);
}

/* What a search text means: a substring of 3+ characters, any case, with no wildcards; a
 * shorter list query is an exact substring of one field; more occurrences rank first, then
 * the shorter text. */
static void test_search_text_semantics(void **state)
{
    struct store_fixture *f = *state;
    struct bd_filter flt;
    int64_t ids[16];
    char out[2048] = "";
    static const char *const names[] = {
        "Block ABC 折扣50%店",    "5000号店",        "a_b 商行", "axb 商行",
        "南桂 南桂 南桂东路南桂", "南桂东路南桂东路"};
    for (int i = 0; i < 6; i++) {
        char no[8];
        struct bd_record o;
        snprintf(no, sizeof(no), "C%d", i);
        o = rec(0, BD_ORGANISATION, CELL_A, "credit_code", no, "name", names[i], "kind", "business",
                END);
        assert_int_equal(store_bd_put(f->st, &o, NULL), 0);
    }
    memset(&flt, 0, sizeof(flt));
    flt.kind = BD_ORGANISATION;
    flt.ref_field = -1;
    flt.hash_field = -1;
    flt.area = "44";
    flt.limit = 10;
    static const struct {
        const char *q;
        int n;
    } cases[] = {{"abc", 1}, {"ABC", 1}, {"50%", 1}, {"a_b", 1}, {"bc", 0},
                 {"BC", 1},  {"%", 1},   {"_", 1},   {"\\", 0},  {"5000号店", 1}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        flt.query = cases[i].q;
        ids[0] = 0;
        assert_int_equal(store_bd_list(f->st, &flt, count_fn, ids), 0);
        if (ids[0] != cases[i].n)
            fail_msg("query '%s': %lld rows, expected %d", cases[i].q, (long long)ids[0],
                     cases[i].n);
    }
    assert_int_equal(store_bd_search(f->st, "44", "50%", 10, hit_fn, out), 0);
    assert_string_equal(out, "organisation:Block ABC 折扣50%店;");
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "44", "A_B", 10, hit_fn, out), 0);
    assert_string_equal(out, "organisation:a_b 商行;");
    /* Best first: twice before once; of two with the phrase twice, the shorter text. */
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "44", "南桂东路", 10, hit_fn, out), 0);
    assert_string_equal(out, "organisation:南桂东路南桂东路;organisation:南桂 南桂 南桂东路南桂;");
    out[0] = '\0';
    assert_int_equal(store_bd_search(f->st, "44", "南桂", 10, hit_fn, out), ERR_INVALID);
    assert_int_equal(store_bd_search(f->st, "44", "南桂 ", 10, hit_fn, out), 0);
    assert_string_equal(out, "organisation:南桂 南桂 南桂东路南桂;");
}

static int64_t add_case(struct store *st, const char *number, const char *status, int64_t updated,
                        const char *name, const char *phone)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "%s", number);
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001001001");
    snprintf(c.category, sizeof(c.category), "%s", "0204");
    snprintf(c.channel, sizeof(c.channel), "%s", "phone");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", status);
    snprintf(c.reporter_name, sizeof(c.reporter_name), "%s", name);
    snprintf(c.reporter_phone, sizeof(c.reporter_phone), "%s", phone);
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = updated;
    c.updated_ms = updated;
    assert_int_equal(store_case_insert(st, &c), 0);
    return c.id;
}

static int phone_fn(void *ctx, int64_t case_id, const char *phone)
{
    char *out = ctx;
    size_t len = strlen(out);
    snprintf(out + len, 1024 - len, "%lld:%s;", (long long)case_id, phone);
    return 0;
}

/* The reporters of cases (personal data kept with the case): plain phones found and sealed,
 * closed cases' reporters counted and cleared after the retention period. */
static void test_case_reporters(void **state)
{
    struct store_fixture *f = *state;
    char out[1024] = "", want[128];
    int64_t n = -1;
    int64_t a = add_case(f->st, "N-1", "closed", 1000, "张三", "13800138000");
    int64_t b = add_case(f->st, "N-2", "evaluated", 2000, "", "v1:sealed");
    int64_t c = add_case(f->st, "N-3", "dispatched", 1000, "李四", "13900139000");
    int64_t d = add_case(f->st, "N-4", "closed", 9000, "王五", "");
    struct case_rec got;

    assert_int_equal(store_case_plain_phones(f->st, 10, phone_fn, out), 0);
    snprintf(want, sizeof(want), "%lld:13800138000;%lld:13900139000;", (long long)a, (long long)c);
    assert_string_equal(out, want);
    out[0] = '\0';
    assert_int_equal(store_case_plain_phones(f->st, 1, phone_fn, out), 0);
    snprintf(want, sizeof(want), "%lld:13800138000;", (long long)a);
    assert_string_equal(out, want);
    assert_int_equal(store_case_set_reporter_phone(f->st, a, "v1:x", "138****8000"), 0);
    assert_int_equal(store_case_get(f->st, a, &got), 0);
    assert_string_equal(got.reporter_phone, "v1:x");
    assert_string_equal(got.reporter_phone_masked, "138****8000");
    case_rec_cleanup(&got);

    /* Closed or evaluated before 5000 with a name or phone: a and b (c is open, d too new). */
    assert_int_equal(store_case_clear_reporters(f->st, 5000, 1, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_case_clear_reporters(f->st, 5000, 0, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(store_case_get(f->st, a, &got), 0);
    assert_string_equal(got.reporter_name, "");
    assert_string_equal(got.reporter_phone, "");
    assert_string_equal(got.reporter_phone_masked, "");
    case_rec_cleanup(&got);
    assert_int_equal(store_case_get(f->st, d, &got), 0);
    assert_string_equal(got.reporter_name, "王五");
    case_rec_cleanup(&got);
    assert_int_equal(store_case_get(f->st, c, &got), 0);
    assert_string_equal(got.reporter_phone, "13900139000");
    case_rec_cleanup(&got);
    assert_int_equal(store_case_clear_reporters(f->st, 5000, 1, &n), 0);
    assert_int_equal(n, 0);
    (void)b;
}

/* A database created at schema 2 with households and persons upgrades to the base-data
 * schema keeping every row, id and value, and indexes them for search. */
static void test_upgrade_from_schema_2(void **state)
{
    char dir[] = "/tmp/gridgov-upgrade-XXXXXX", path[96], cmd[128], out[2048] = "";
    const struct sqlite_migration *m;
    struct store *st = NULL;
    struct bd_record got;
    sqlite3 *db;
    int count, version = 0;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/old.db", dir);
    m = sqlite_migrations(&count);
    assert_true(count >= 3);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    for (int i = 0; i < 2; i++)
        assert_int_equal(sqlite3_exec(db, m[i].sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA user_version = 2;"
                     "INSERT INTO households(id, cell_code, address, kind, created_ms) "
                     "VALUES (41, '" CELL_A "', '南桂东路5号', 'registered_family', 77);"
                     "INSERT INTO persons(id, household_id, cell_code, name, sex, birth_date, "
                     "is_registered, relation, tags, created_ms) VALUES (9, 41, '" CELL_A
                     "', '陈大文', 'M', '1950-01-01', 1, '户主', 'veteran', 77);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(store_open(path, 0, &st, NULL), 0);
    assert_int_equal(store_schema_version(st, &version), 0);
    assert_true(version >= 3);
    assert_int_equal(store_bd_get(st, BD_PERSON, 9, &got), 0);
    assert_string_equal(val(&got, "name"), "陈大文");
    assert_string_equal(val(&got, "household_id"), "41");
    assert_string_equal(val(&got, "tags"), "veteran");
    assert_string_equal(val(&got, "status"), "active");
    assert_int_equal(got.created_ms, 77);
    bd_record_cleanup(&got);
    assert_int_equal(store_bd_get(st, BD_HOUSEHOLD, 41, &got), 0);
    assert_string_equal(val(&got, "address"), "南桂东路5号");
    bd_record_cleanup(&got);
    assert_int_equal(store_bd_search(st, "44", "南桂东路", 10, hit_fn, out), 0);
    assert_string_equal(out, "household:南桂东路5号;");
    /* A household whose member exists cannot be deleted (the foreign key survived). */
    assert_int_equal(store_bd_delete(st, BD_HOUSEHOLD, 41), ERR_CONFLICT);
    store_close(st);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_put_get_by_id_and_natural_key, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_list_filters_and_paging, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_search_and_delete, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_access_log, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_household_links, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_retention, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_keys_and_references_across_districts,
                                        store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_search_text_semantics, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_reporters, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_load_persons_keeps_member_tags,
                                        store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_bulk_load, store_fixture_setup,
                                        store_fixture_teardown),
        /* last: a SQLite file's upgrade from an old schema. PostgreSQL databases start at the
         * baseline, so the PostgreSQL run has nothing of the kind to test and leaves it out. */
        cmocka_unit_test(test_upgrade_from_schema_2),
    };
    size_t n = sizeof(tests) / sizeof(tests[0]) - (testdb_backend_is_pg() ? 1 : 0);
    return _cmocka_run_group_tests("store_basedata", tests, n, NULL, NULL);
}
