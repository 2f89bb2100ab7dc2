/*
 * test_store_volunteers.c - the volunteer store ops (store_sqlite_volunteers.c and
 * store_pg_volunteers.c: a fresh database of the run's backend, testdb.h) through
 * store.h: volunteers (insert, get, update, listing by subtree, status and skill with keyset
 * paging), their load (hours and assignments since a time), needs (insert, get, list newest
 * first, assignment: once per volunteer, counted, filled at the number wanted, refused after),
 * posts and members (once per post, totals), hours (day totals across posts, totals per post in
 * a window) and chiefs (insert, get, list by subtree).
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

#define T0  ((int64_t)1772409600000)
#define DAY ((int64_t)86400000)

static int64_t add_volunteer(struct store *st, const char *area, const char *name,
                             const char *skills, const char *status)
{
    struct volunteer_rec v;
    memset(&v, 0, sizeof(v));
    snprintf(v.area_code, sizeof(v.area_code), "%s", area);
    snprintf(v.name, sizeof(v.name), "%s", name);
    snprintf(v.skills, sizeof(v.skills), "%s", skills);
    snprintf(v.status, sizeof(v.status), "%s", status);
    v.availability = 7;
    v.has_home = 1;
    v.lon = 113.01;
    v.lat = 23.02;
    v.created_ms = v.updated_ms = T0;
    assert_int_equal(store_volunteer_insert(st, &v), 0);
    assert_true(v.id > 0);
    return v.id;
}

struct ids {
    int64_t v[64];
    int n;
};

static int collect_volunteer(void *arg, const struct volunteer_rec *v)
{
    struct ids *ids = arg;
    ids->v[ids->n++] = v->id;
    return 0;
}

static void test_volunteers(void **state)
{
    struct store_fixture *f = *state;
    struct volunteer_rec v;
    struct volunteer_filter flt;
    struct ids ids;
    int64_t a = add_volunteer(f->st, "440605001001001001", "王医生", "medical:3,legal:1", "active");
    int64_t b = add_volunteer(f->st, "440605001001002", "李老师", "teaching:2", "active");
    int64_t c = add_volunteer(f->st, "440605002001", "张师傅", "repair:2,medical:1", "paused");
    int64_t d = add_volunteer(f->st, "440605", "the district", "medical:1", "active");

    assert_int_equal(store_volunteer_get(f->st, a, &v), 0);
    assert_string_equal(v.name, "王医生");
    assert_string_equal(v.skills, "medical:3,legal:1");
    assert_int_equal(v.availability, 7);
    assert_int_equal(v.has_home, 1);
    assert_true(v.lon > 113.009 && v.lon < 113.011);
    assert_int_equal(store_volunteer_get(f->st, 9999, &v), ERR_NOT_FOUND);

    memset(&flt, 0, sizeof(flt));
    flt.area = "440605001";
    flt.limit = 100;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_volunteer_list(f->st, &flt, collect_volunteer, &ids), 0);
    assert_int_equal(ids.n, 2); /* a, b; not c (other street), not d (above) */
    assert_int_equal(ids.v[0], a);
    assert_int_equal(ids.v[1], b);
    (void)d;

    /* by skill (any level; "medical" does not match a prefix of another code) */
    flt.area = "440605";
    flt.skill = "medical";
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_volunteer_list(f->st, &flt, collect_volunteer, &ids), 0);
    assert_int_equal(ids.n, 3);
    assert_int_equal(ids.v[0], a);
    assert_int_equal(ids.v[1], c);
    flt.skill = "legal";
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_volunteer_list(f->st, &flt, collect_volunteer, &ids), 0);
    assert_int_equal(ids.n, 1);
    flt.skill = NULL;
    flt.status = "paused";
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_volunteer_list(f->st, &flt, collect_volunteer, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], c);
    /* keyset paging */
    flt.status = NULL;
    flt.limit = 2;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_volunteer_list(f->st, &flt, collect_volunteer, &ids), 0);
    assert_int_equal(ids.n, 2);
    flt.after_id = ids.v[1];
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_volunteer_list(f->st, &flt, collect_volunteer, &ids), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.v[0], c);

    /* update replaces fields, keeps created_ms */
    assert_int_equal(store_volunteer_get(f->st, b, &v), 0);
    snprintf(v.status, sizeof(v.status), "left");
    v.has_home = 0;
    v.updated_ms = T0 + DAY;
    v.created_ms = 1;
    assert_int_equal(store_volunteer_update(f->st, &v), 0);
    assert_int_equal(store_volunteer_get(f->st, b, &v), 0);
    assert_string_equal(v.status, "left");
    assert_int_equal(v.has_home, 0);
    assert_int_equal(v.created_ms, T0);
    assert_int_equal(v.updated_ms, T0 + DAY);
    v.id = 9999;
    assert_int_equal(store_volunteer_update(f->st, &v), ERR_NOT_FOUND);
}

static int64_t add_need(struct store *st, const char *area, int64_t wanted)
{
    struct need_rec n;
    memset(&n, 0, sizeof(n));
    snprintf(n.source, sizeof(n.source), "service");
    snprintf(n.title, sizeof(n.title), "义诊");
    snprintf(n.area_code, sizeof(n.area_code), "%s", area);
    snprintf(n.skills, sizeof(n.skills), "medical:2");
    n.has_point = 1;
    n.lon = 113.02;
    n.lat = 23.03;
    n.radius_m = 5000;
    n.starts_ms = T0 + DAY;
    n.duration_min = 120;
    n.wanted = wanted;
    n.created_by = 1;
    n.created_ms = T0;
    assert_int_equal(store_need_insert(st, &n), 0);
    assert_true(n.id > 0);
    assert_string_equal(n.status, "open");
    return n.id;
}

static int collect_need(void *arg, const struct need_rec *n)
{
    struct ids *ids = arg;
    ids->v[ids->n++] = n->id;
    return 0;
}

static int collect_assignment(void *arg, const struct need_assignment *a)
{
    struct ids *ids = arg;
    ids->v[ids->n++] = a->volunteer_id;
    return 0;
}

struct load {
    int64_t id[16], minutes[16], assignments[16];
    int n;
};

static int collect_load(void *arg, int64_t id, int64_t minutes, int64_t assignments)
{
    struct load *l = arg;
    l->id[l->n] = id;
    l->minutes[l->n] = minutes;
    l->assignments[l->n] = assignments;
    l->n++;
    return 0;
}

static void test_needs_and_assignments(void **state)
{
    struct store_fixture *f = *state;
    struct need_rec n;
    struct need_filter flt;
    struct ids ids;
    int64_t v1 = add_volunteer(f->st, "440605001001001", "a", "medical:2", "active");
    int64_t v2 = add_volunteer(f->st, "440605001001001", "b", "medical:3", "active");
    int64_t v3 = add_volunteer(f->st, "440605001001001", "c", "medical:3", "active");
    int64_t n1 = add_need(f->st, "440605001001001", 2);
    int64_t n2 = add_need(f->st, "440605001002", 1);
    int64_t n3 = add_need(f->st, "440605002", 1);

    assert_int_equal(store_need_get(f->st, n1, &n), 0);
    assert_string_equal(n.title, "义诊");
    assert_string_equal(n.skills, "medical:2");
    assert_int_equal(n.wanted, 2);
    assert_int_equal(n.duration_min, 120);
    assert_int_equal(store_need_get(f->st, 9999, &n), ERR_NOT_FOUND);

    memset(&flt, 0, sizeof(flt));
    flt.area = "440605001";
    flt.limit = 10;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_need_list(f->st, &flt, collect_need, &ids), 0);
    assert_int_equal(ids.n, 2); /* newest first, not n3 */
    assert_int_equal(ids.v[0], n2);
    assert_int_equal(ids.v[1], n1);
    flt.before_id = n2;
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_need_list(f->st, &flt, collect_need, &ids), 0);
    assert_int_equal(ids.n, 1);
    (void)n3;

    assert_int_equal(store_need_assign(f->st, n1, v1, 7, T0 + 10), 0);
    assert_int_equal(store_need_assign(f->st, n1, v1, 7, T0 + 11), ERR_EXISTS);
    assert_int_equal(store_need_get(f->st, n1, &n), 0);
    assert_int_equal(n.assigned, 1);
    assert_string_equal(n.status, "open");
    assert_int_equal(store_need_assign(f->st, n1, v2, 7, T0 + 12), 0);
    assert_int_equal(store_need_get(f->st, n1, &n), 0);
    assert_int_equal(n.assigned, 2);
    assert_string_equal(n.status, "filled");
    assert_int_equal(store_need_assign(f->st, n1, v3, 7, T0 + 13), ERR_CONFLICT);
    assert_int_equal(store_need_assign(f->st, 9999, v3, 7, T0 + 13), ERR_NOT_FOUND);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_need_assignments(f->st, n1, collect_assignment, &ids), 0);
    assert_int_equal(ids.n, 2);
    assert_int_equal(ids.v[0], v1);
    assert_int_equal(ids.v[1], v2);
    flt.before_id = 0;
    flt.status = "filled";
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_need_list(f->st, &flt, collect_need, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], n1);

    /* the failed assignments left nothing behind, and the store is not in a transaction */
    assert_int_equal(store_need_get(f->st, n1, &n), 0);
    assert_int_equal(n.assigned, 2);
    assert_int_equal(store_need_assign(f->st, n2, v3, 7, T0 + 20), 0);

    /* loads: assignments since a time */
    {
        struct load l;
        memset(&l, 0, sizeof(l));
        assert_int_equal(store_volunteer_loads(f->st, "440605001", T0 + 11, collect_load, &l), 0);
        assert_int_equal(l.n, 2); /* v2 (T0+12) and v3 (T0+20); v1's was before */
        assert_int_equal(l.id[0], v2);
        assert_int_equal(l.assignments[0], 1);
        assert_int_equal(l.id[1], v3);
        assert_int_equal(l.minutes[1], 0);
    }
}

static int collect_member(void *arg, const struct post_member *m)
{
    struct post_member *out = arg;
    int i = 0;
    while (out[i].id != 0)
        i++;
    out[i] = *m;
    return 0;
}

static int collect_post(void *arg, const struct post_rec *p)
{
    struct ids *ids = arg;
    ids->v[ids->n++] = p->id;
    return 0;
}

struct totals {
    int64_t post[8], minutes[8], entries[8];
    int n;
};

static int collect_total(void *arg, int64_t post_id, int64_t minutes, int64_t entries)
{
    struct totals *t = arg;
    t->post[t->n] = post_id;
    t->minutes[t->n] = minutes;
    t->entries[t->n] = entries;
    t->n++;
    return 0;
}

static int64_t add_hours(struct store *st, const struct post_member *m, int64_t day,
                         int64_t minutes)
{
    struct hours_rec h;
    memset(&h, 0, sizeof(h));
    h.post_id = m->post_id;
    h.member_id = m->id;
    snprintf(h.member_kind, sizeof(h.member_kind), "%s", m->member_kind);
    h.person_key = m->member_id;
    h.day_ms = day;
    h.minutes = minutes;
    snprintf(h.note, sizeof(h.note), "巡查");
    h.logged_by = 1;
    h.created_ms = day + 1000;
    assert_int_equal(store_hours_insert(st, &h), 0);
    assert_true(h.id > 0);
    return h.id;
}

static void test_posts_and_hours(void **state)
{
    struct store_fixture *f = *state;
    struct post_rec p1, p2, got;
    struct post_member m1, m2, m3, dup, members[8];
    struct ids ids;
    struct totals t;
    int64_t day = T0 - 16 * 3600000LL, minutes = -1;
    int64_t v = add_volunteer(f->st, "440605001001001", "a", "mediation:2", "active");

    memset(&p1, 0, sizeof(p1));
    snprintf(p1.area_code, sizeof(p1.area_code), "440605001001");
    snprintf(p1.kind, sizeof(p1.kind), "dispute_mediation");
    snprintf(p1.name, sizeof(p1.name), "平洲调解岗");
    snprintf(p1.duties, sizeof(p1.duties), "每周二调解邻里纠纷");
    p1.created_by = 1;
    p1.created_ms = T0;
    assert_int_equal(store_post_insert(f->st, &p1), 0);
    p2 = p1;
    snprintf(p2.area_code, sizeof(p2.area_code), "440605002");
    snprintf(p2.kind, sizeof(p2.kind), "sanitation_watch");
    assert_int_equal(store_post_insert(f->st, &p2), 0);
    assert_int_equal(store_post_get(f->st, p1.id, &got), 0);
    assert_string_equal(got.duties, "每周二调解邻里纠纷");
    assert_int_equal(store_post_get(f->st, 9999, &got), ERR_NOT_FOUND);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_post_list(f->st, "440605001", collect_post, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], p1.id);

    memset(&m1, 0, sizeof(m1));
    m1.post_id = p1.id;
    snprintf(m1.member_kind, sizeof(m1.member_kind), "volunteer");
    m1.member_id = v;
    snprintf(m1.duty, sizeof(m1.duty), "调解员");
    m1.since_ms = T0;
    assert_int_equal(store_post_member_add(f->st, &m1), 0);
    dup = m1;
    assert_int_equal(store_post_member_add(f->st, &dup), ERR_EXISTS);
    m2 = m1;
    snprintf(m2.member_kind, sizeof(m2.member_kind), "person"); /* same id, other kind */
    assert_int_equal(store_post_member_add(f->st, &m2), 0);
    m3 = m1;
    m3.post_id = p2.id; /* the same volunteer at another post */
    assert_int_equal(store_post_member_add(f->st, &m3), 0);

    add_hours(f->st, &m1, day, 120);
    add_hours(f->st, &m1, day, 60);
    add_hours(f->st, &m3, day, 30);
    add_hours(f->st, &m1, day - 40 * DAY, 45);
    add_hours(f->st, &m2, day, 600); /* the person with the same id is someone else */

    assert_int_equal(store_hours_day_total(f->st, "volunteer", v, day, &minutes), 0);
    assert_int_equal(minutes, 210); /* across both posts */
    assert_int_equal(store_hours_day_total(f->st, "person", v, day, &minutes), 0);
    assert_int_equal(minutes, 600);
    assert_int_equal(store_hours_day_total(f->st, "volunteer", v, day + DAY, &minutes), 0);
    assert_int_equal(minutes, 0);

    memset(&t, 0, sizeof(t));
    assert_int_equal(store_hours_totals(f->st, "volunteer", v, 0, 0, collect_total, &t), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.post[0], p1.id);
    assert_int_equal(t.minutes[0], 225);
    assert_int_equal(t.entries[0], 3);
    assert_int_equal(t.post[1], p2.id);
    assert_int_equal(t.minutes[1], 30);
    memset(&t, 0, sizeof(t));
    assert_int_equal(
        store_hours_totals(f->st, "volunteer", v, day - 30 * DAY, day + DAY, collect_total, &t), 0);
    assert_int_equal(t.minutes[0], 180); /* the entry 40 days back is outside */
    memset(&t, 0, sizeof(t));
    assert_int_equal(store_hours_totals(f->st, "volunteer", v, day + DAY, 0, collect_total, &t), 0);
    assert_int_equal(t.n, 0);

    memset(members, 0, sizeof(members));
    assert_int_equal(store_post_members(f->st, p1.id, collect_member, members), 0);
    assert_int_equal(members[0].id, m1.id);
    assert_int_equal(members[0].minutes, 225);
    assert_int_equal(members[0].entries, 3);
    assert_string_equal(members[0].duty, "调解员");
    assert_int_equal(members[1].id, m2.id);
    assert_int_equal(members[1].minutes, 600);
    assert_int_equal(members[2].id, 0);
    {
        struct post_member one;
        assert_int_equal(store_post_member_get(f->st, m3.id, &one), 0);
        assert_int_equal(one.post_id, p2.id);
        assert_int_equal(one.minutes, 30);
        assert_int_equal(store_post_member_get(f->st, 9999, &one), ERR_NOT_FOUND);
    }
    /* load of the last 30 days: 210 minutes on day (the older 45 not counted) */
    {
        struct load l;
        memset(&l, 0, sizeof(l));
        assert_int_equal(store_volunteer_loads(f->st, "440605", day - 30 * DAY, collect_load, &l),
                         0);
        assert_int_equal(l.n, 1);
        assert_int_equal(l.id[0], v);
        assert_int_equal(l.minutes[0], 210);
        assert_int_equal(l.assignments[0], 0);
    }
}

static int collect_chief(void *arg, const struct chief_rec *c)
{
    struct ids *ids = arg;
    ids->v[ids->n++] = c->id;
    return 0;
}

static void test_chiefs(void **state)
{
    struct store_fixture *f = *state;
    struct chief_rec a, b, got;
    struct ids ids;
    memset(&a, 0, sizeof(a));
    snprintf(a.kind, sizeof(a.kind), "building");
    snprintf(a.area_code, sizeof(a.area_code), "440605001001001001");
    snprintf(a.name, sizeof(a.name), "陈楼长");
    a.building_id = 3;
    a.user_id = 9;
    a.created_ms = T0;
    assert_int_equal(store_chief_insert(f->st, &a), 0);
    b = a;
    snprintf(b.kind, sizeof(b.kind), "lane");
    snprintf(b.area_code, sizeof(b.area_code), "440605002001001001");
    b.building_id = 0;
    assert_int_equal(store_chief_insert(f->st, &b), 0);
    assert_int_equal(store_chief_get(f->st, a.id, &got), 0);
    assert_string_equal(got.name, "陈楼长");
    assert_string_equal(got.kind, "building");
    assert_int_equal(got.building_id, 3);
    assert_int_equal(got.user_id, 9);
    assert_int_equal(store_chief_get(f->st, 9999, &got), ERR_NOT_FOUND);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_chief_list(f->st, "440605001001", collect_chief, &ids), 0);
    assert_int_equal(ids.n, 1);
    assert_int_equal(ids.v[0], a.id);
    memset(&ids, 0, sizeof(ids));
    assert_int_equal(store_chief_list(f->st, "440605", collect_chief, &ids), 0);
    assert_int_equal(ids.n, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_volunteers, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_needs_and_assignments, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_posts_and_hours, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_chiefs, store_fixture_setup, store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
