/*
 * test_store_tasks.c - the task list's fast path against its definition, on the run's backend
 * (testdb.h: SQLite in suite unit, PostgreSQL in suite pg).
 *
 * The definition is what the task list computed before migration 14: every household of the
 * area (store_visit_states), its interval from its kind and members' tags
 * (visit_interval_days), overdue when visit_days_overdue is positive, worst first then by id.
 * The fast path is visits_overdue (store_visit_due over the indexes of migration 14, kept by
 * triggers). After a random sequence of visits (in and out of time order) and of member
 * changes (tags, status, moves between households), both must give the same total and the
 * same first items, field by field, for every scope from the whole database to one cell, at
 * several times and under two rule sets. store_visit_due itself is checked against the same
 * recount: every household it returns satisfies its filters, and none that does is missing.
 * The dashboard alerts' daily case counts (kept per level code by a trigger) must equal a
 * recount of the cases written, at every level, by class or not, as cases arrive.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/basedata.h"
#include "domain/indicators.h"
#include "domain/visit.h"
#include "service/rollups.h"
#include "service/visits.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define T0  ((int64_t)1772409600000)
#define DAY ((int64_t)86400000)

#define N_HOUSEHOLDS 60
#define N_PERSONS    120
#define MAX_STATES   256

/* A small deterministic generator (the same sequence on every backend and run). */
static uint64_t rnd_state = 88172645463325252ULL;
static unsigned rnd(unsigned n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (unsigned)(rnd_state % n);
}

static const char *const cells[] = {
    "440605001001001001", "440605001001001002", "440605001001002001",
    "440605001002001001", "440605002001001001",
};
static const char *const scopes[] = {
    "", "440605", "440605001", "440605001001", "440605001001001", "440605001001001001", "440605002",
};
static const char *const kinds[] = {"registered_family", "non_registered_family", "business",
                                    "social_org"};
static const char *const tag_sets[] = {
    "",         "",         "",           "elderly_alone", "veteran", "low_income,veteran",
    "pregnant", "disabled", "unemployed",
};
static const char *const statuses[] = {"active", "active", "active", "moved_away", "deceased"};

/* A person as the test last wrote it (the whole record is written on every change). */
struct member {
    int64_t id;
    int64_t household; /* 0: none */
    const char *tags;
    const char *status;
};

struct world {
    int64_t households[N_HOUSEHOLDS];
    const char *household_cell[N_HOUSEHOLDS];
    struct member persons[N_PERSONS];
};

/* Field values of the record being built (the record points at them). */
static char values[BD_FIELDS_MAX][128];

static void set_field(struct bd_record *r, const struct bd_entity *e, const char *name,
                      const char *value)
{
    int i = bd_field_index(e, name);
    assert_true(i >= 0);
    snprintf(values[i], sizeof(values[i]), "%s", value);
    r->v[i].text = values[i];
}

static int64_t put_household(struct store *st, const char *cell, const char *kind, int64_t created)
{
    const struct bd_entity *e = bd_entity(BD_HOUSEHOLD);
    struct bd_record r;
    char address[64];
    memset(&r, 0, sizeof(r));
    r.kind = BD_HOUSEHOLD;
    snprintf(r.cell_code, sizeof(r.cell_code), "%s", cell);
    r.created_ms = created;
    r.updated_ms = created;
    snprintf(address, sizeof(address), "%s 号 %u", cell + 12, rnd(1000));
    set_field(&r, e, "kind", kind);
    set_field(&r, e, "address", address);
    assert_int_equal(store_bd_put(st, &r, NULL), 0);
    return r.id;
}

static void put_person(struct store *st, struct world *w, struct member *p, int64_t now)
{
    const struct bd_entity *e = bd_entity(BD_PERSON);
    struct bd_record r;
    char hid[24];
    const char *cell = cells[0];
    memset(&r, 0, sizeof(r));
    r.kind = BD_PERSON;
    r.id = p->id > 0 ? p->id : -1;
    for (int i = 0; i < N_HOUSEHOLDS; i++)
        if (w->households[i] == p->household)
            cell = w->household_cell[i];
    snprintf(r.cell_code, sizeof(r.cell_code), "%s", cell);
    r.created_ms = now;
    r.updated_ms = now;
    snprintf(hid, sizeof(hid), "%lld", (long long)p->household);
    set_field(&r, e, "name", "某某");
    set_field(&r, e, "sex", "F");
    set_field(&r, e, "birth_date", "1950-01-01");
    set_field(&r, e, "is_registered", "1");
    if (p->household > 0)
        set_field(&r, e, "household_id", hid);
    set_field(&r, e, "tags", p->tags);
    set_field(&r, e, "status", p->status);
    assert_int_equal(store_bd_put(st, &r, NULL), 0);
    p->id = r.id;
}

static void visit(struct store *st, struct world *w, int h, int64_t at)
{
    struct visit_rec v;
    memset(&v, 0, sizeof(v));
    snprintf(v.subject_kind, sizeof(v.subject_kind), "%s", "household");
    v.subject_id = w->households[h];
    snprintf(v.cell_code, sizeof(v.cell_code), "%s", w->household_cell[h]);
    v.user_id = 1;
    v.visited_ms = at;
    snprintf(v.findings, sizeof(v.findings), "%s", "正常");
    v.created_ms = at;
    assert_int_equal(store_visit_insert(st, &v), 0);
}

/* ---- the definition ------------------------------------------------------------------------ */

struct states {
    struct visit_state *s;
    size_t n;
};

static int collect_state(void *arg, const struct visit_state *vs)
{
    struct states *l = arg;
    assert_true(l->n < MAX_STATES);
    l->s[l->n++] = *vs;
    return 0;
}

static int cmp_task(const void *a, const void *b)
{
    const struct visit_task *x = a, *y = b;
    if (x->days_overdue != y->days_overdue)
        return x->days_overdue > y->days_overdue ? -1 : 1;
    return x->state.subject_id < y->state.subject_id ? -1
                                                     : x->state.subject_id > y->state.subject_id;
}

/* Every overdue household of area at now, recounted from store_visit_states. */
static size_t recount(struct store *st, const struct visit_rules *rules, const char *area,
                      int64_t now, struct visit_task *out)
{
    struct states all = {calloc(MAX_STATES, sizeof(struct visit_state)), 0};
    size_t n = 0;
    assert_int_equal(store_visit_states(st, area, 0, 0, collect_state, &all), 0);
    for (size_t i = 0; i < all.n; i++) {
        const char *tags[1] = {all.s[i].tags};
        struct visit_task t;
        memset(&t, 0, sizeof(t));
        t.interval_days = visit_interval_days(rules, all.s[i].kind, tags, 1, t.rule);
        t.days_overdue =
            visit_days_overdue(all.s[i].last_visit_ms, all.s[i].created_ms, t.interval_days, now);
        if (t.days_overdue <= 0)
            continue;
        t.state = all.s[i];
        out[n++] = t;
    }
    qsort(out, n, sizeof(*out), cmp_task);
    free(all.s);
    return n;
}

/* ---- comparisons --------------------------------------------------------------------------- */

static void same_task(const struct visit_task *a, const struct visit_task *b)
{
    assert_int_equal(a->state.subject_id, b->state.subject_id);
    assert_string_equal(a->state.subject_kind, b->state.subject_kind);
    assert_string_equal(a->state.cell_code, b->state.cell_code);
    assert_string_equal(a->state.kind, b->state.kind);
    assert_string_equal(a->state.label, b->state.label);
    assert_int_equal(a->state.created_ms, b->state.created_ms);
    assert_int_equal(a->state.last_visit_ms, b->state.last_visit_ms);
    assert_string_equal(a->state.tags, b->state.tags);
    assert_int_equal(a->interval_days, b->interval_days);
    assert_string_equal(a->rule, b->rule);
    assert_int_equal(a->days_overdue, b->days_overdue);
}

static int checks_done;

static void check_all(struct store *st, const struct visit_rules *rules, int64_t now)
{
    struct visit_task *want = calloc(MAX_STATES, sizeof(*want));
    for (size_t a = 0; a < sizeof(scopes) / sizeof(scopes[0]); a++) {
        size_t n = recount(st, rules, scopes[a], now, want);
        static const int limits[] = {1, 3, 500};
        for (size_t l = 0; l < sizeof(limits) / sizeof(limits[0]); l++) {
            struct visit_tasks got;
            size_t expect = n < (size_t)limits[l] ? n : (size_t)limits[l];
            assert_int_equal(visits_overdue(st, rules, scopes[a], now, limits[l], &got), 0);
            assert_int_equal(got.total_overdue, (int64_t)n);
            assert_int_equal(got.len, expect);
            for (size_t i = 0; i < expect; i++)
                same_task(&got.items[i], &want[i]);
            visit_tasks_cleanup(&got);
            checks_done++;
        }
    }
    free(want);
}

/* store_visit_due: exactly the households of the area that pass its filters. */
struct due_check {
    struct states all;
    int64_t bound;
    const char *kind;
    int tagged;
    int seen[MAX_STATES];
    int64_t last_id;
};

static int due_seen(void *arg, const struct visit_state *vs)
{
    struct due_check *c = arg;
    size_t i;
    assert_true(vs->subject_id > c->last_id); /* by id */
    c->last_id = vs->subject_id;
    for (i = 0; i < c->all.n && c->all.s[i].subject_id != vs->subject_id; i++)
        ;
    assert_true(i < c->all.n);
    assert_int_equal(vs->last_visit_ms, c->all.s[i].last_visit_ms);
    assert_string_equal(vs->tags, c->all.s[i].tags);
    assert_string_equal(vs->label, c->all.s[i].label);
    c->seen[i] = 1;
    return 0;
}

static void check_due(struct store *st, const char *area, const char *kind, int tagged,
                      int64_t bound)
{
    struct due_check c;
    memset(&c, 0, sizeof(c));
    c.all.s = calloc(MAX_STATES, sizeof(struct visit_state));
    assert_int_equal(store_visit_states(st, area, 0, 0, collect_state, &c.all), 0);
    assert_int_equal(store_visit_due(st, area, kind, tagged, bound, due_seen, &c), 0);
    for (size_t i = 0; i < c.all.n; i++) {
        const struct visit_state *s = &c.all.s[i];
        int64_t base = s->last_visit_ms > 0 ? s->last_visit_ms : s->created_ms;
        int want = base <= bound && (kind == NULL || strcmp(kind, s->kind) == 0) &&
                   (!tagged || s->tags[0] != '\0');
        assert_int_equal(c.seen[i], want);
    }
    free(c.all.s);
}

static void test_fast_path_equals_definition(void **state)
{
    struct store_fixture *f = *state;
    struct world *w = calloc(1, sizeof(*w));
    struct visit_rules builtin, custom;
    struct errbuf eb = {{0}};
    static const char custom_csv[] = "rule,interval_days\n"
                                     "default,120\n"
                                     "kind:business,20\n"
                                     "kind:social_org,400\n"
                                     "veteran,45\n"
                                     "unemployed,10\n";
    static const int64_t nows[] = {T0, T0 + 37 * DAY + (int64_t)5 * 3600000, T0 + 200 * DAY};
    visit_rules_default(&builtin);
    assert_int_equal(visit_rules_parse(custom_csv, strlen(custom_csv), &custom, &eb), 0);

    for (int i = 0; i < N_HOUSEHOLDS; i++) {
        w->household_cell[i] = cells[rnd(sizeof(cells) / sizeof(cells[0]))];
        w->households[i] =
            put_household(f->st, w->household_cell[i], kinds[rnd(sizeof(kinds) / sizeof(kinds[0]))],
                          T0 - (int64_t)rnd(400) * DAY - rnd(86400000));
    }
    for (int i = 0; i < N_PERSONS; i++) {
        struct member *p = &w->persons[i];
        p->household = rnd(10) == 0 ? 0 : w->households[rnd(N_HOUSEHOLDS)];
        p->tags = tag_sets[rnd(sizeof(tag_sets) / sizeof(tag_sets[0]))];
        p->status = statuses[rnd(sizeof(statuses) / sizeof(statuses[0]))];
        put_person(f->st, w, p, T0 - 500 * DAY);
    }
    /* nothing visited yet: bases are the files' creation times */
    check_all(f->st, &builtin, T0);
    for (int step = 1; step <= 240; step++) {
        unsigned op = rnd(10);
        if (op < 6) {
            /* a visit up to 300 days back, in no particular order */
            visit(f->st, w, (int)rnd(N_HOUSEHOLDS), T0 - (int64_t)rnd(300) * DAY - rnd(86400000));
        } else {
            /* a member changes: tags, status, or household */
            struct member *p = &w->persons[rnd(N_PERSONS)];
            if (op == 6)
                p->tags = tag_sets[rnd(sizeof(tag_sets) / sizeof(tag_sets[0]))];
            else if (op == 7)
                p->status = statuses[rnd(sizeof(statuses) / sizeof(statuses[0]))];
            else
                p->household = rnd(8) == 0 ? 0 : w->households[rnd(N_HOUSEHOLDS)];
            put_person(f->st, w, p, T0);
        }
        if (step % 60 == 0) {
            for (size_t t = 0; t < sizeof(nows) / sizeof(nows[0]); t++) {
                check_all(f->st, &builtin, nows[t]);
                check_all(f->st, &custom, nows[t]);
            }
            for (size_t a = 0; a < sizeof(scopes) / sizeof(scopes[0]); a++) {
                check_due(f->st, scopes[a], NULL, 0, T0 - 100 * DAY);
                check_due(f->st, scopes[a], "business", 0, T0 - 20 * DAY);
                check_due(f->st, scopes[a], NULL, 1, T0 - 31 * DAY);
            }
        }
    }
    /* the checks ran, and found overdue households in some and none in others */
    assert_int_equal(checks_done, (1 + 4 * 3 * 2) * 7 * 3);
    {
        struct visit_task *all = calloc(MAX_STATES, sizeof(*all));
        assert_true(recount(f->st, &builtin, "", T0 + 200 * DAY, all) > 0);
        assert_int_equal(recount(f->st, &builtin, "440605009", T0, all), 0);
        free(all);
    }
    free(w);
}

/* A visit raises the household's last visit only forward; an older one leaves it. */
static void test_last_visit_kept(void **state)
{
    struct store_fixture *f = *state;
    struct world *w = calloc(1, sizeof(*w));
    struct due_check c;
    w->household_cell[0] = cells[0];
    w->households[0] = put_household(f->st, cells[0], "registered_family", T0 - 400 * DAY);
    visit(f->st, w, 0, T0 - 10 * DAY);
    visit(f->st, w, 0, T0 - 50 * DAY);
    memset(&c, 0, sizeof(c));
    c.all.s = calloc(MAX_STATES, sizeof(struct visit_state));
    assert_int_equal(store_visit_states(f->st, cells[0], 0, 0, collect_state, &c.all), 0);
    assert_int_equal(c.all.n, 1);
    /* the base is the newer visit: not due at T0 - 11 days, due at T0 - 10 days */
    assert_int_equal(store_visit_due(f->st, cells[0], NULL, 0, T0 - 11 * DAY, due_seen, &c), 0);
    assert_int_equal(c.seen[0], 0);
    c.last_id = 0;
    assert_int_equal(store_visit_due(f->st, "", NULL, 0, T0 - 10 * DAY, due_seen, &c), 0);
    assert_int_equal(c.seen[0], 1);
    free(c.all.s);
    free(w);
}

/* ---- daily case counts ----------------------------------------------------------------------- */

#define N_CASES    300
#define ROWS_MAX   2048
#define OFFSET_MIN 480
#define OFFSET_MS  ((int64_t)OFFSET_MIN * 60000)

struct model_case {
    char area[19];
    char category[8];
    int64_t created;
};

struct day_rows {
    int64_t day[ROWS_MAX];
    char cls[ROWS_MAX][8];
    int64_t count[ROWS_MAX];
    int n;
};

static int collect_day(void *arg, int64_t day, const char *cls, int64_t count)
{
    struct day_rows *r = arg;
    assert_true(r->n < ROWS_MAX);
    r->day[r->n] = day;
    snprintf(r->cls[r->n], sizeof(r->cls[0]), "%s", cls);
    r->count[r->n] = count;
    r->n++;
    return 0;
}

/* The counts recounted from the cases the test wrote, in (day, class) order. */
static void day_recount(const struct model_case *cases, int n, const char *area, int64_t from,
                        int64_t to, int by_class, struct day_rows *out)
{
    size_t len = strlen(area);
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < n; i++) {
        const struct model_case *c = &cases[i];
        char cls[8];
        int64_t day;
        int at;
        if (c->created < from || c->created >= to || strlen(c->area) < len ||
            strncmp(c->area, area, len) != 0)
            continue;
        day = (c->created + OFFSET_MS) / DAY;
        snprintf(cls, sizeof(cls), "%.2s", by_class ? c->category : "");
        for (at = 0; at < out->n; at++) {
            int k = out->day[at] != day ? (out->day[at] < day ? -1 : 1) : strcmp(out->cls[at], cls);
            if (k >= 0)
                break;
        }
        if (at < out->n && out->day[at] == day && strcmp(out->cls[at], cls) == 0) {
            out->count[at]++;
            continue;
        }
        assert_true(out->n < ROWS_MAX);
        memmove(&out->day[at + 1], &out->day[at], (size_t)(out->n - at) * sizeof(out->day[0]));
        memmove(&out->cls[at + 1], &out->cls[at], (size_t)(out->n - at) * sizeof(out->cls[0]));
        memmove(&out->count[at + 1], &out->count[at],
                (size_t)(out->n - at) * sizeof(out->count[0]));
        out->day[at] = day;
        snprintf(out->cls[at], sizeof(out->cls[0]), "%s", cls);
        out->count[at] = 1;
        out->n++;
    }
}

static void same_rows(const struct day_rows *a, const struct day_rows *b)
{
    assert_int_equal(a->n, b->n);
    for (int i = 0; i < a->n; i++) {
        assert_int_equal(a->day[i], b->day[i]);
        assert_string_equal(a->cls[i], b->cls[i]);
        assert_int_equal(a->count[i], b->count[i]);
    }
}

/*
 * store_case_daily_counts answers whole days of a district, street, community or grid from
 * the roll-ups' day cells, and anything else from the cases: both must be the recount of the
 * cases written, as cases keep arriving. Each case is written as the service writes it: the
 * case, and its 'collected' on the roll-up cells of its area path (rollups_apply).
 */
static void test_day_counts_equal_recount(void **state)
{
    struct store_fixture *f = *state;
    static const char *const case_areas[] = {
        "440605001001001001", "440605001001001002", "440605001001002001", "440605001002001001",
        "440605002001001001", "440605001001001",    "440605001001",       "440606001001001001",
    };
    static const char *const categories[] = {"0101", "0204", "0801", "1002", "1401", "0205"};
    static const char *const areas[] = {"440605",          "440605001",          "440605001001",
                                        "440605001001001", "440605002",          "440606",
                                        "440605001001002", "440605001001001001", ""};
    struct model_case *cases = calloc(N_CASES, sizeof(*cases));
    struct day_rows *got = calloc(1, sizeof(*got)), *want = calloc(1, sizeof(*want));
    int64_t first_day = (T0 + OFFSET_MS) / DAY - 1100;
    struct rollup_counters collected;
    int nonempty = 0;
    for (int i = 0; i < N_CASES; i++) {
        struct model_case *m = &cases[i];
        struct case_rec c;
        snprintf(m->area, sizeof(m->area), "%s", case_areas[rnd(8)]);
        snprintf(m->category, sizeof(m->category), "%s", categories[rnd(6)]);
        /* three years, clustered so that days hold several cases */
        m->created =
            (first_day + (int64_t)rnd(1100) / 4 * 4) * DAY - OFFSET_MS + (int64_t)rnd(86400000);
        memset(&c, 0, sizeof(c));
        snprintf(c.number, sizeof(c.number), "440605-T-%d", i);
        snprintf(c.area_code, sizeof(c.area_code), "%s", m->area);
        snprintf(c.category, sizeof(c.category), "%s", m->category);
        snprintf(c.channel, sizeof(c.channel), "%s", "web");
        snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
        snprintf(c.status, sizeof(c.status), "%s", "reported");
        c.queue_level = 6;
        c.description = (char *)"x";
        c.created_ms = m->created;
        c.updated_ms = m->created;
        assert_int_equal(store_case_insert(f->st, &c), 0);
        indicator_counters_clear(&collected);
        collected.v[RF_collected] = 1;
        assert_int_equal(
            rollups_apply(f->st, ROLLUP_LIVE, c.area_code, c.created_ms, c.category, &collected),
            0);
        if (i % 100 != 99)
            continue;
        for (size_t a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
            for (int by_class = 0; by_class <= 1; by_class++) {
                /* whole days (the kept counts where the area allows), then a range that
                 * starts a millisecond into a day (always the cases) */
                int64_t from = (first_day + 30) * DAY - OFFSET_MS;
                int64_t to = ((T0 + OFFSET_MS) / DAY + 2) * DAY - OFFSET_MS;
                for (int shift = 0; shift <= 1; shift++) {
                    memset(got, 0, sizeof(*got));
                    assert_int_equal(store_case_daily_counts(f->st, areas[a], NULL, from + shift,
                                                             to, OFFSET_MIN, by_class, collect_day,
                                                             got),
                                     0);
                    day_recount(cases, i + 1, areas[a], from + shift, to, by_class, want);
                    same_rows(got, want);
                    nonempty += got->n > 0;
                }
            }
        }
    }
    assert_true(nonempty > 20);
    free(cases);
    free(got);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fast_path_equals_definition, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_last_visit_kept, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_day_counts_equal_recount, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
