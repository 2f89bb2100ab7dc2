/*
 * test_store_fieldwork.c - the field-work store ops through store.h:
 * patrols (insert, get, finish once, counts, listing by subtree/user/running/time with keyset
 * paging, counts per grid), track points in time order, batch ids recognised on retry, and the
 * links of cases to field work; visits (get, list filters, the last visit and members' tags
 * per household), campaigns (frozen target set, coverage per grid in the window) and case
 * counts per grid and channel; station teams (communities, members, weekly slots; listing by
 * street or community) and sessions with their items. Each test gets a fresh database of the
 * run's backend (testdb.h: SQLite by default, PostgreSQL in the 'pg' suite).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/basedata.h"
#include "store/store.h"
#include "testdb.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0   ((int64_t)1772409600000)
#define HOUR ((int64_t)3600000)

static int64_t add_patrol(struct store *st, const char *grid, int64_t user, int64_t started)
{
    struct patrol_rec p;
    memset(&p, 0, sizeof(p));
    snprintf(p.grid_code, sizeof(p.grid_code), "%s", grid);
    p.user_id = user;
    p.started_ms = started;
    assert_int_equal(store_patrol_insert(st, &p), 0);
    assert_true(p.id > 0);
    return p.id;
}

static void finish(struct store *st, int64_t id, int64_t ended)
{
    struct patrol_rec p;
    assert_int_equal(store_patrol_get(st, id, &p), 0);
    p.ended_ms = ended;
    p.distance_m = 1234.5;
    p.duration_ms = ended - p.started_ms;
    p.n_points = 3;
    p.n_outside = 1;
    p.n_fast = 0;
    assert_int_equal(store_patrol_finish(st, &p), 0);
}

static void test_patrol_lifecycle(void **state)
{
    struct store_fixture *f = *state;
    struct patrol_rec p;
    int64_t id = add_patrol(f->st, "440605001001001", 7, T0);
    assert_int_equal(store_patrol_get(f->st, id, &p), 0);
    assert_string_equal(p.grid_code, "440605001001001");
    assert_int_equal(p.user_id, 7);
    assert_int_equal(p.started_ms, T0);
    assert_int_equal(p.ended_ms, 0);
    assert_int_equal(store_patrol_set_counts(f->st, id, 10, 2, 1), 0);
    assert_int_equal(store_patrol_get(f->st, id, &p), 0);
    assert_int_equal(p.n_points, 10);
    assert_int_equal(p.n_outside, 2);
    assert_int_equal(p.n_fast, 1);
    finish(f->st, id, T0 + HOUR);
    assert_int_equal(store_patrol_get(f->st, id, &p), 0);
    assert_int_equal(p.ended_ms, T0 + HOUR);
    assert_true(p.distance_m == 1234.5);
    assert_int_equal(p.duration_ms, HOUR);
    assert_int_equal(p.n_points, 3);
    /* a patrol ends once */
    p.ended_ms = T0 + 2 * HOUR;
    assert_int_equal(store_patrol_finish(f->st, &p), ERR_CONFLICT);
    assert_int_equal(store_patrol_get(f->st, id, &p), 0);
    assert_int_equal(p.ended_ms, T0 + HOUR);
    assert_int_equal(store_patrol_get(f->st, id + 100, &p), ERR_NOT_FOUND);
    p.id = id + 100;
    assert_int_equal(store_patrol_finish(f->st, &p), ERR_NOT_FOUND);
    assert_int_equal(store_patrol_set_counts(f->st, id + 100, 1, 0, 0), ERR_NOT_FOUND);
}

struct collected {
    int64_t ids[32];
    int n;
    int stop_after;
};

static int collect(void *arg, const struct patrol_rec *p)
{
    struct collected *c = arg;
    c->ids[c->n++] = p->id;
    return c->stop_after && c->n == c->stop_after ? 42 : 0;
}

static void test_patrol_listing(void **state)
{
    struct store_fixture *f = *state;
    struct patrol_filter flt;
    struct collected c;
    int64_t a = add_patrol(f->st, "440605001001001", 1, T0);
    int64_t b = add_patrol(f->st, "440605001001002", 2, T0 + HOUR);
    int64_t d = add_patrol(f->st, "440605002001001", 3, T0 + 2 * HOUR);
    int64_t e = add_patrol(f->st, "440605001001001", 1, T0 + 24 * HOUR);
    finish(f->st, a, T0 + HOUR / 2);
    finish(f->st, b, T0 + 2 * HOUR);
    finish(f->st, d, T0 + 3 * HOUR);

    memset(&flt, 0, sizeof(flt));
    flt.area = "440605001";
    flt.limit = 10;
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 0);
    assert_int_equal(c.n, 3); /* newest first, d lies in another street */
    assert_int_equal(c.ids[0], e);
    assert_int_equal(c.ids[1], b);
    assert_int_equal(c.ids[2], a);

    flt.user_id = 1;
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 0);
    assert_int_equal(c.n, 2);
    flt.is_running = 1;
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 0);
    assert_int_equal(c.n, 1);
    assert_int_equal(c.ids[0], e);

    /* half-open time range on the start */
    memset(&flt, 0, sizeof(flt));
    flt.area = "440605";
    flt.from_ms = T0 + HOUR;
    flt.to_ms = T0 + 24 * HOUR;
    flt.limit = 10;
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.ids[0], d);
    assert_int_equal(c.ids[1], b);

    /* keyset paging and early stop */
    memset(&flt, 0, sizeof(flt));
    flt.area = "440605";
    flt.limit = 2;
    memset(&c, 0, sizeof(c));
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 0);
    assert_int_equal(c.n, 2);
    flt.before_id = c.ids[1];
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 0);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.ids[3], a);
    flt.before_id = 0;
    flt.limit = 10;
    memset(&c, 0, sizeof(c));
    c.stop_after = 1;
    assert_int_equal(store_patrol_list(f->st, &flt, collect, &c), 42);
}

struct grid_counts {
    char grid[4][19];
    int64_t count[4];
    int n;
};

static int count_grid(void *arg, const char *grid, int64_t count)
{
    struct grid_counts *g = arg;
    snprintf(g->grid[g->n], sizeof(g->grid[0]), "%s", grid);
    g->count[g->n++] = count;
    return 0;
}

static void test_patrol_counts_by_grid(void **state)
{
    struct store_fixture *f = *state;
    struct grid_counts g;
    int64_t a = add_patrol(f->st, "440605001001001", 1, T0);
    int64_t b = add_patrol(f->st, "440605001001001", 1, T0 + 3 * HOUR);
    int64_t c = add_patrol(f->st, "440605001001002", 2, T0 + HOUR);
    add_patrol(f->st, "440605001001002", 2, T0 + 2 * HOUR); /* still running: not counted */
    int64_t e = add_patrol(f->st, "440605002001001", 3, T0);
    finish(f->st, a, T0 + HOUR);
    finish(f->st, b, T0 + 4 * HOUR);
    finish(f->st, c, T0 + 2 * HOUR);
    finish(f->st, e, T0 + HOUR);
    memset(&g, 0, sizeof(g));
    assert_int_equal(
        store_patrol_count_by_grid(f->st, "440605001", T0, T0 + 24 * HOUR, count_grid, &g), 0);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.grid[0], "440605001001001");
    assert_int_equal(g.count[0], 2);
    assert_string_equal(g.grid[1], "440605001001002");
    assert_int_equal(g.count[1], 1);
    memset(&g, 0, sizeof(g));
    assert_int_equal(
        store_patrol_count_by_grid(f->st, "440605001", T0 + HOUR, T0 + 3 * HOUR, count_grid, &g),
        0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.grid[0], "440605001001002");
}

struct track {
    struct patrol_point pts[16];
    int n;
};

static int collect_point(void *arg, const struct patrol_point *pt)
{
    struct track *t = arg;
    t->pts[t->n++] = *pt;
    return 0;
}

static void test_points_and_batches(void **state)
{
    struct store_fixture *f = *state;
    int64_t id = add_patrol(f->st, "440605001001001", 1, T0);
    struct patrol_point first[2] = {{T0 + 2000, 113.01, 23.01, 5, 0},
                                    {T0 + 3000, 113.02, 23.01, 7, PATROL_PT_OUTSIDE}};
    struct patrol_point late[1] = {{T0 + 1000, 113.00, 23.01, 9, 0}};
    struct track t;
    int is_new = -1;
    assert_int_equal(store_patrol_batch_add(f->st, id, "b-1", 2, &is_new), 0);
    assert_int_equal(is_new, 1);
    assert_int_equal(store_patrol_points_add(f->st, id, first, 2), 0);
    assert_int_equal(store_patrol_batch_add(f->st, id, "b-1", 2, &is_new), 0);
    assert_int_equal(is_new, 0);
    /* the same batch id on another patrol is another batch */
    {
        int64_t other = add_patrol(f->st, "440605001001002", 2, T0);
        assert_int_equal(store_patrol_batch_add(f->st, other, "b-1", 1, &is_new), 0);
        assert_int_equal(is_new, 1);
    }
    assert_int_equal(store_patrol_batch_add(f->st, id, "b-2", 1, &is_new), 0);
    assert_int_equal(is_new, 1);
    assert_int_equal(store_patrol_points_add(f->st, id, late, 1), 0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(store_patrol_points(f->st, id, collect_point, &t), 0);
    assert_int_equal(t.n, 3);
    /* time order, whatever the upload order */
    assert_int_equal(t.pts[0].t_ms, T0 + 1000);
    assert_int_equal(t.pts[1].t_ms, T0 + 2000);
    assert_int_equal(t.pts[2].t_ms, T0 + 3000);
    assert_true(t.pts[2].lon == 113.02 && t.pts[2].lat == 23.01 && t.pts[2].accuracy == 7);
    assert_int_equal(t.pts[2].flags, PATROL_PT_OUTSIDE);
    assert_int_equal(t.pts[0].flags, 0);
    /* points and batches of a patrol that does not exist are refused (foreign key) */
    assert_int_equal(store_patrol_points_add(f->st, id + 100, late, 1), ERR_CONFLICT);
    assert_int_equal(store_patrol_batch_add(f->st, id + 100, "b-9", 1, &is_new), ERR_CONFLICT);
    /* inside a transaction a batch seen before leaves the transaction usable */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_patrol_batch_add(f->st, id, "b-2", 1, &is_new), 0);
    assert_int_equal(is_new, 0);
    assert_int_equal(store_patrol_batch_add(f->st, id, "b-3", 1, &is_new), 0);
    assert_int_equal(is_new, 1);
    assert_int_equal(store_patrol_points_add(f->st, id, late, 1), 0);
    assert_int_equal(store_commit(f->st), 0);
    memset(&t, 0, sizeof(t));
    assert_int_equal(store_patrol_points(f->st, id, collect_point, &t), 0);
    assert_int_equal(t.n, 4);
    /* the same time twice: upload order */
    assert_int_equal(t.pts[0].t_ms, T0 + 1000);
    assert_int_equal(t.pts[1].t_ms, T0 + 1000);
}

static void add_case(struct store *st, const char *number, int64_t *id)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "%s", number);
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001001001");
    snprintf(c.category, sizeof(c.category), "%s", "0101");
    snprintf(c.channel, sizeof(c.channel), "%s", "patrol");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", "reported");
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = T0;
    c.updated_ms = T0;
    assert_int_equal(store_case_insert(st, &c), 0);
    *id = c.id;
}

struct ids {
    int64_t v[8];
    int n;
};

static int collect_id(void *arg, int64_t id)
{
    struct ids *l = arg;
    l->v[l->n++] = id;
    return 0;
}

static void test_case_links(void **state)
{
    struct store_fixture *f = *state;
    int64_t c1, c2;
    struct ids l;
    add_case(f->st, "440605-L-1", &c1);
    add_case(f->st, "440605-L-2", &c2);
    assert_int_equal(store_field_case_link_add(f->st, "patrol", 5, c2), 0);
    assert_int_equal(store_field_case_link_add(f->st, "patrol", 5, c1), 0);
    assert_int_equal(store_field_case_link_add(f->st, "patrol", 5, c1), 0); /* kept once */
    assert_int_equal(store_field_case_link_add(f->st, "visit", 5, c2), 0);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_field_case_links(f->st, "patrol", 5, collect_id, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.v[0], c1);
    assert_int_equal(l.v[1], c2);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_field_case_links(f->st, "visit", 5, collect_id, &l), 0);
    assert_int_equal(l.n, 1);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_field_case_links(f->st, "patrol", 6, collect_id, &l), 0);
    assert_int_equal(l.n, 0);
    /* a link to a case that does not exist is refused (foreign key) */
    assert_int_not_equal(store_field_case_link_add(f->st, "patrol", 5, c2 + 1000), 0);
}

/* ---- visits, campaigns, compliance counts ---------------------------------------------------- */

#define GRID_A "440605001001001"
#define CELL_A "440605001001001001"
#define GRID_B "440605001001002"
#define DAY    ((int64_t)86400000)

/* The end of put()'s (field, value) pairs: a null pointer of the type va_arg reads. */
#define END ((const char *)NULL)

/* Put a base-data record of kind in cell with (field, value) pairs (plain fields only). */
static int64_t put(struct store *st, enum bd_kind kind, int64_t created, const char *cell, ...)
{
    const struct bd_entity *e = bd_entity(kind);
    static char values[BD_FIELDS_MAX][128];
    struct bd_record r;
    const char *name;
    va_list ap;
    memset(&r, 0, sizeof(r));
    r.kind = kind;
    snprintf(r.cell_code, sizeof(r.cell_code), "%s", cell);
    r.created_ms = created;
    r.updated_ms = created;
    va_start(ap, cell);
    while ((name = va_arg(ap, const char *)) != NULL) {
        int i = bd_field_index(e, name);
        assert_true(i >= 0);
        snprintf(values[i], sizeof(values[i]), "%s", va_arg(ap, const char *));
        r.v[i].text = values[i];
    }
    va_end(ap);
    assert_int_equal(store_bd_put(st, &r, NULL), 0);
    return r.id;
}

static int64_t add_visit(struct store *st, const char *kind, int64_t subject, const char *cell,
                         int64_t at)
{
    struct visit_rec v;
    memset(&v, 0, sizeof(v));
    snprintf(v.subject_kind, sizeof(v.subject_kind), "%s", kind);
    v.subject_id = subject;
    snprintf(v.cell_code, sizeof(v.cell_code), "%s", cell);
    v.user_id = 9;
    v.visited_ms = at;
    snprintf(v.findings, sizeof(v.findings), "%s", "一切正常");
    v.created_ms = at;
    assert_int_equal(store_visit_insert(st, &v), 0);
    return v.id;
}

struct states {
    struct visit_state s[8];
    int n;
};

static int collect_state(void *arg, const struct visit_state *vs)
{
    struct states *l = arg;
    l->s[l->n++] = *vs;
    return 0;
}

static int collect_visit(void *arg, const struct visit_rec *v)
{
    struct ids *l = arg;
    l->v[l->n++] = v->id;
    return 0;
}

static void test_visits_and_states(void **state)
{
    struct store_fixture *f = *state;
    int64_t h1 = put(f->st, BD_HOUSEHOLD, T0 - 100 * DAY, CELL_A, "kind", "registered_family",
                     "address", "一号", END);
    int64_t h2 = put(f->st, BD_HOUSEHOLD, T0 - 50 * DAY, GRID_A, "kind", "non_registered_family",
                     "address", "二号", END);
    int64_t h3 =
        put(f->st, BD_HOUSEHOLD, T0, GRID_B, "kind", "registered_family", "address", "三号", END);
    int64_t o1 = put(f->st, BD_ORGANISATION, T0, CELL_A, "name", "五金厂", "kind", "business", END);
    char hid1[24], hid2[24];
    struct states l;
    struct visit_rec v;
    struct visit_filter vf;
    struct ids ids;
    int64_t v1, v2;
    snprintf(hid1, sizeof(hid1), "%lld", (long long)h1);
    snprintf(hid2, sizeof(hid2), "%lld", (long long)h2);
    put(f->st, BD_PERSON, T0, CELL_A, "name", "甲", "sex", "M", "birth_date", "1940-01-01",
        "is_registered", "1", "household_id", hid1, "tags", "elderly_alone,disabled", END);
    put(f->st, BD_PERSON, T0, CELL_A, "name", "乙", "sex", "F", "birth_date", "1945-01-01",
        "is_registered", "1", "household_id", hid1, "tags", "veteran", END);
    put(f->st, BD_PERSON, T0, CELL_A, "name", "丙", "sex", "F", "birth_date", "1950-01-01",
        "is_registered", "1", "household_id", hid1, END);
    /* a member who moved away no longer counts */
    put(f->st, BD_PERSON, T0, GRID_A, "name", "丁", "sex", "M", "birth_date", "1960-01-01",
        "is_registered", "0", "household_id", hid2, "tags", "petitioner", "status", "moved_away",
        END);

    v1 = add_visit(f->st, "household", h1, CELL_A, T0);
    v2 = add_visit(f->st, "household", h1, CELL_A, T0 + 5 * DAY);
    add_visit(f->st, "organisation", o1, CELL_A, T0 + DAY);
    add_visit(f->st, "household", h3, GRID_B, T0 + 2 * DAY);

    assert_int_equal(store_visit_get(f->st, v1, &v), 0);
    assert_string_equal(v.subject_kind, "household");
    assert_int_equal(v.subject_id, h1);
    assert_string_equal(v.findings, "一切正常");
    assert_int_equal(v.case_id, 0);
    assert_int_equal(store_visit_set_case(f->st, v1, 77), 0);
    assert_int_equal(store_visit_get(f->st, v1, &v), 0);
    assert_int_equal(v.case_id, 77);
    assert_int_equal(store_visit_get(f->st, v2 + 100, &v), ERR_NOT_FOUND);
    assert_int_equal(store_visit_set_case(f->st, v2 + 100, 1), ERR_NOT_FOUND);

    memset(&l, 0, sizeof(l));
    assert_int_equal(store_visit_states(f->st, GRID_A, 1, 0, collect_state, &l), 0);
    assert_int_equal(l.n, 3);
    assert_string_equal(l.s[0].subject_kind, "household");
    assert_int_equal(l.s[0].subject_id, h1);
    assert_int_equal(l.s[0].last_visit_ms, T0 + 5 * DAY);
    assert_int_equal(l.s[0].created_ms, T0 - 100 * DAY);
    assert_string_equal(l.s[0].kind, "registered_family");
    assert_string_equal(l.s[0].label, "一号");
    assert_non_null(strstr(l.s[0].tags, "elderly_alone,disabled"));
    assert_non_null(strstr(l.s[0].tags, "veteran"));
    assert_int_equal(l.s[1].subject_id, h2);
    assert_int_equal(l.s[1].last_visit_ms, 0);
    assert_string_equal(l.s[1].tags, "");
    assert_string_equal(l.s[1].kind, "non_registered_family");
    assert_string_equal(l.s[2].subject_kind, "organisation");
    assert_int_equal(l.s[2].subject_id, o1);
    assert_int_equal(l.s[2].last_visit_ms, T0 + DAY);
    /* the last visit before a time; households only */
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_visit_states(f->st, GRID_A, 0, T0 + DAY, collect_state, &l), 0);
    assert_int_equal(l.n, 2);
    assert_int_equal(l.s[0].last_visit_ms, T0);

    /* listing: subtree, subject, time range, paging */
    memset(&vf, 0, sizeof(vf));
    vf.area = "440605001001";
    vf.limit = 10;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_visit_list(f->st, &vf, collect_visit, &ids), 0);
    assert_int_equal(ids.n, 4);
    assert_true(ids.v[0] > ids.v[1]);
    vf.area = GRID_A;
    vf.subject_kind = "household";
    vf.subject_id = h1;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_visit_list(f->st, &vf, collect_visit, &ids), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.v[0], v2);
    vf.subject_id = 0;
    vf.from_ms = T0 + DAY;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_visit_list(f->st, &vf, collect_visit, &ids), 0);
    assert_int_equal(ids.n, 1); /* the organisation's visit is not a household's */
    vf.subject_kind = NULL;
    vf.from_ms = 0;
    vf.to_ms = T0 + DAY;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_visit_list(f->st, &vf, collect_visit, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], v1);
    vf.to_ms = 0;
    vf.limit = 1;
    vf.before_id = v2;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_visit_list(f->st, &vf, collect_visit, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], v1);
}

struct coverage {
    char area[4][19];
    int64_t targets[4], covered[4];
    int n;
};

static int collect_coverage(void *arg, const char *area, int64_t targets, int64_t covered)
{
    struct coverage *c = arg;
    snprintf(c->area[c->n], sizeof(c->area[0]), "%s", area);
    c->targets[c->n] = targets;
    c->covered[c->n++] = covered;
    return 0;
}

static void test_campaign_coverage(void **state)
{
    struct store_fixture *f = *state;
    int64_t h1 =
        put(f->st, BD_HOUSEHOLD, T0, CELL_A, "kind", "registered_family", "address", "一", END);
    int64_t h2 =
        put(f->st, BD_HOUSEHOLD, T0, GRID_A, "kind", "registered_family", "address", "二", END);
    int64_t h3 =
        put(f->st, BD_HOUSEHOLD, T0, GRID_B, "kind", "registered_family", "address", "三", END);
    int64_t o1 = put(f->st, BD_ORGANISATION, T0, CELL_A, "name", "厂", "kind", "business", END);
    put(f->st, BD_HOUSEHOLD, T0, "440605002001001", "kind", "business", "address", "外", END);
    struct campaign_rec c, got;
    struct coverage cov;
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", "四万走访");
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001001");
    c.from_ms = T0;
    c.to_ms = T0 + 30 * DAY;
    c.created_ms = T0;
    c.created_by = 3;
    assert_int_equal(store_campaign_insert(f->st, &c), 0);
    assert_int_equal(c.n_targets, 4);
    /* the target set is frozen: a household added later is not a target */
    put(f->st, BD_HOUSEHOLD, T0, GRID_B, "kind", "registered_family", "address", "新", END);
    add_visit(f->st, "household", h1, CELL_A, T0 + DAY);
    add_visit(f->st, "household", h1, CELL_A, T0 + 2 * DAY); /* twice: still one target */
    add_visit(f->st, "household", h2, GRID_A, T0 - 1);       /* before the window */
    add_visit(f->st, "organisation", o1, CELL_A, T0 + 29 * DAY);
    add_visit(f->st, "household", h3, GRID_B, T0 + 30 * DAY); /* at the end: outside */
    assert_int_equal(store_campaign_get(f->st, c.id, &got), 0);
    assert_string_equal(got.name, "四万走访");
    assert_int_equal(got.n_targets, 4);
    assert_int_equal(got.to_ms, T0 + 30 * DAY);
    memset(&cov, 0, sizeof(cov));
    assert_int_equal(store_campaign_coverage(f->st, c.id, collect_coverage, &cov), 0);
    assert_int_equal(cov.n, 2);
    assert_string_equal(cov.area[0], GRID_A);
    assert_int_equal(cov.targets[0], 3);
    assert_int_equal(cov.covered[0], 2);
    assert_string_equal(cov.area[1], GRID_B);
    assert_int_equal(cov.targets[1], 1);
    assert_int_equal(cov.covered[1], 0);
    assert_int_equal(store_campaign_get(f->st, c.id + 1, &got), ERR_NOT_FOUND);
}

struct channels {
    char line[8][48];
    int n;
};

static int collect_channel(void *arg, const char *grid, const char *channel, int64_t count)
{
    struct channels *c = arg;
    snprintf(c->line[c->n++], sizeof(c->line[0]), "%s %s %lld", grid, channel, (long long)count);
    return 0;
}

static void add_case_at(struct store *st, int n, const char *area, const char *channel, int64_t at)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "440605-C-%d", n);
    snprintf(c.area_code, sizeof(c.area_code), "%s", area);
    snprintf(c.category, sizeof(c.category), "%s", "0101");
    snprintf(c.channel, sizeof(c.channel), "%s", channel);
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", "reported");
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = at;
    c.updated_ms = at;
    assert_int_equal(store_case_insert(st, &c), 0);
}

static void test_case_channel_counts(void **state)
{
    struct store_fixture *f = *state;
    struct channels c;
    add_case_at(f->st, 1, CELL_A, "patrol", T0);
    add_case_at(f->st, 2, GRID_A, "patrol", T0 + DAY);
    add_case_at(f->st, 3, CELL_A, "web", T0 + DAY);
    add_case_at(f->st, 4, GRID_B, "visit", T0);
    add_case_at(f->st, 5, "440605001001", "phone", T0);  /* the community itself */
    add_case_at(f->st, 6, GRID_A, "web", T0 + 10 * DAY); /* after the range */
    add_case_at(f->st, 7, "440605002001001", "web", T0); /* another street */
    memset(&c, 0, sizeof(c));
    assert_int_equal(
        store_case_channel_counts(f->st, "440605001", T0, T0 + 10 * DAY, collect_channel, &c), 0);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.line[0], "440605001001 phone 1");
    assert_string_equal(c.line[1], GRID_A " patrol 2");
    assert_string_equal(c.line[2], GRID_A " web 1");
    assert_string_equal(c.line[3], GRID_B " visit 1");
}

/* ---- station teams ------------------------------------------------------------------------ */

static int64_t add_user(struct store *st, const char *name, const char *area)
{
    struct user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", "station_cadre");
    snprintf(u.area_code, sizeof(u.area_code), "%s", area);
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", "x");
    u.created_ms = T0;
    assert_int_equal(store_user_insert(st, &u), 0);
    return u.id;
}

static int64_t add_team(struct store *st, const char *name, const char *street, const char *c1,
                        const char *c2, int64_t member)
{
    struct station_team t;
    memset(&t, 0, sizeof(t));
    snprintf(t.name, sizeof(t.name), "%s", name);
    snprintf(t.area_code, sizeof(t.area_code), "%s", street);
    snprintf(t.communities[t.n_communities++], sizeof(t.communities[0]), "%s", c1);
    if (c2)
        snprintf(t.communities[t.n_communities++], sizeof(t.communities[0]), "%s", c2);
    t.members[t.n_members++] = member;
    t.slots[0] = (struct station_slot){2, 19 * 60, 120, ""};
    snprintf(t.slots[0].community, sizeof(t.slots[0].community), "%s", c1);
    t.slots[1] = (struct station_slot){6, 9 * 60, 60, ""};
    snprintf(t.slots[1].community, sizeof(t.slots[1].community), "%s", c2 ? c2 : c1);
    t.n_slots = 2;
    t.created_ms = T0;
    assert_int_equal(store_station_team_insert(st, &t), 0);
    return t.id;
}

static int collect_team(void *arg, const struct station_team *t)
{
    struct ids *l = arg;
    l->v[l->n++] = t->id;
    return 0;
}

static int collect_session(void *arg, const struct station_session *ss)
{
    struct ids *l = arg;
    assert_null(ss->items);
    l->v[l->n++] = ss->id;
    return 0;
}

static void test_station_teams_and_sessions(void **state)
{
    struct store_fixture *f = *state;
    int64_t u1 = add_user(f->st, "cadre1", "440605001");
    int64_t u2 = add_user(f->st, "cadre2", "440605002");
    int64_t t1 = add_team(f->st, "一组", "440605001", "440605001001", "440605001002", u1);
    int64_t t2 = add_team(f->st, "二组", "440605002", "440605002001", NULL, u2);
    struct station_team t;
    struct station_session ss, got;
    struct station_item items[2];
    struct ids l;

    assert_int_equal(store_station_team_get(f->st, t1, &t), 0);
    assert_string_equal(t.name, "一组");
    assert_int_equal(t.n_communities, 2);
    assert_string_equal(t.communities[1], "440605001002");
    assert_int_equal(t.n_members, 1);
    assert_int_equal(t.members[0], u1);
    assert_int_equal(t.n_slots, 2);
    assert_int_equal(t.slots[0].weekday, 2);
    assert_int_equal(t.slots[0].minute_of_day, 19 * 60);
    assert_string_equal(t.slots[1].community, "440605001002");
    assert_int_equal(store_station_team_get(f->st, t2 + 10, &t), ERR_NOT_FOUND);

    /* by street, by a linked community, or everything */
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_station_team_list(f->st, "440605001", collect_team, &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0], t1);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_station_team_list(f->st, "440605002001", collect_team, &l), 0);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.v[0], t2);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_station_team_list(f->st, "440605", collect_team, &l), 0);
    assert_int_equal(l.n, 2);
    memset(&l, 0, sizeof(l));
    assert_int_equal(store_station_team_list(f->st, "440605003", collect_team, &l), 0);
    assert_int_equal(l.n, 0);

    memset(items, 0, sizeof(items));
    snprintf(items[0].kind, sizeof(items[0].kind), "%s", "explained");
    snprintf(items[0].summary, sizeof(items[0].summary), "%s", "政策解释");
    snprintf(items[1].kind, sizeof(items[1].kind), "%s", "ticketed");
    snprintf(items[1].summary, sizeof(items[1].summary), "%s", "路灯");
    items[1].case_id = 12;
    memset(&ss, 0, sizeof(ss));
    ss.team_id = t1;
    snprintf(ss.community, sizeof(ss.community), "%s", "440605001002");
    ss.held_ms = T0;
    ss.recorded_by = u1;
    ss.created_ms = T0;
    ss.items = items;
    ss.n_items = 2;
    assert_int_equal(store_station_session_insert(f->st, &ss), 0);
    assert_int_equal(store_station_session_get(f->st, ss.id, &got), 0);
    assert_int_equal(got.team_id, t1);
    assert_string_equal(got.community, "440605001002");
    assert_int_equal(got.n_items, 2);
    assert_string_equal(got.items[0].kind, "explained");
    assert_string_equal(got.items[1].summary, "路灯");
    assert_int_equal(got.items[1].case_id, 12);
    station_session_cleanup(&got);
    assert_null(got.items);
    {
        int64_t first = ss.id;
        ss.held_ms = T0 + 7 * DAY;
        ss.n_items = 1;
        assert_int_equal(store_station_session_insert(f->st, &ss), 0);
        ss.team_id = t2;
        snprintf(ss.community, sizeof(ss.community), "%s", "440605002001");
        assert_int_equal(store_station_session_insert(f->st, &ss), 0);
        memset(&l, 0, sizeof(l));
        assert_int_equal(store_station_session_list(f->st, t1, NULL, 0, 0, 10, collect_session, &l),
                         0);
        assert_int_equal(l.n, 2);
        assert_int_equal(l.v[1], first); /* newest first */
        memset(&l, 0, sizeof(l));
        assert_int_equal(
            store_station_session_list(f->st, t1, NULL, T0 + 1, 0, 10, collect_session, &l), 0);
        assert_int_equal(l.n, 1);
        memset(&l, 0, sizeof(l));
        assert_int_equal(
            store_station_session_list(f->st, t1, NULL, 0, T0 + 1, 10, collect_session, &l), 0);
        assert_int_equal(l.n, 1);
        assert_int_equal(l.v[0], first);
        memset(&l, 0, sizeof(l));
        assert_int_equal(
            store_station_session_list(f->st, 0, "440605", 0, 0, 10, collect_session, &l), 0);
        assert_int_equal(l.n, 3);
        memset(&l, 0, sizeof(l));
        assert_int_equal(
            store_station_session_list(f->st, 0, "440605002", 0, 0, 10, collect_session, &l), 0);
        assert_int_equal(l.n, 1);
    }
    assert_int_equal(store_station_session_get(f->st, 9999, &got), ERR_NOT_FOUND);
    /* a session of a team that does not exist; a member who is no user (foreign keys) */
    ss.team_id = t2 + 10;
    assert_int_equal(store_station_session_insert(f->st, &ss), ERR_CONFLICT);
    memset(&t, 0, sizeof(t));
    snprintf(t.name, sizeof(t.name), "%s", "三组");
    snprintf(t.area_code, sizeof(t.area_code), "%s", "440605003");
    t.members[t.n_members++] = u2 + 100;
    assert_int_equal(store_station_team_insert(f->st, &t), ERR_CONFLICT);
}

/* The integer in the first column of the first row of sql, read directly from the PostgreSQL
 * database (bypassing the store); -1 when the query fails or returns no row. */
static long long query_int(const struct store_fixture *f, const char *sql)
{
    long long v = -1;
    PGconn *conn = PQconnectdb(f->db.url);
    PGresult *res = PQexec(conn, sql);
    if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
        v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    PQfinish(conn);
    return v;
}

/* PostgreSQL: every table of this module is ready to be distributed by district (issue 10):
 * it has a primary key, and every primary key, unique index and foreign key (but those to the
 * reference table users) starts with the district. */
static void test_distribution_keys(void **state)
{
    struct store_fixture *f = *state;
    static const char tables[] =
        "('patrols', 'patrol_points', 'patrol_batches', 'field_case_links', 'visits', "
        "'campaigns', 'campaign_targets', 'station_teams', 'station_team_communities', "
        "'station_team_members', 'station_slots', 'station_sessions', 'station_items')";
    char sql[1024];
    if (!f->db.is_pg)
        return; /* SQLite is one file: nothing to distribute */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
             "WHERE c.contype = 'p' AND t.relname IN %s",
             tables);
    assert_int_equal(query_int(f, sql), 13);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
             "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
             "WHERE i.indisunique AND t.relname IN %s AND a.attname <> 'district'",
             tables);
    assert_int_equal(query_int(f, sql), 0);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
             "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1] "
             "WHERE c.contype = 'f' AND t.relname IN %s AND a.attname <> 'district' "
             "AND c.confrelid <> 'users'::regclass",
             tables);
    assert_int_equal(query_int(f, sql), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_patrol_lifecycle, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_patrol_listing, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_patrol_counts_by_grid, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_points_and_batches, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_links, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_visits_and_states, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_campaign_coverage, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_case_channel_counts, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_station_teams_and_sessions, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_distribution_keys, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
