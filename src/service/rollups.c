/*
 * rollups.c - keeping and reading the indicator roll-ups (see rollups.h).
 *
 * A case's cell is fixed at its report (its area, the city-time day it was reported, its
 * category), so every delta of a case goes to the same cells: one per level of the area's
 * path. The recount exploits that: it sums the deltas of one case in memory, adds the case's
 * cells to a batch (struct rollup_batch, as the writer does for live events) and writes each
 * batch's distinct cells once: consecutive cases share their upper-level and month cells, so
 * a rebuild writes far fewer rows than one upsert per level of every case.
 *
 * Replaying facts: what indicator_event_delta needs to know about a case before each event is
 * rebuilt from the log exactly as the case row evolves — queue level from the report and each
 * escalation's payload, the close in force (time and outcome) from close events, the rating
 * in force from evaluate events, the running step's deadline from the event's step_due_ms
 * (which the case service records for that purpose).
 */
#include "service/rollups.h"

#include "base/csv.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/rules.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rollups_facts_of_case(const struct case_rec *c, struct indicator_facts *out)
{
    int level = areacode_level(c->area_code);
    memset(out, 0, sizeof(*out));
    out->created_ms = c->created_ms;
    out->resolve_due_ms = c->resolve_due_ms;
    out->initial_level = level > AREA_GRID ? AREA_GRID : level;
    out->is_patrol = strcmp(c->channel, "patrol") == 0;
    out->queue_level = c->queue_level;
    if (c->outcome[0])
        workflow_outcome_parse(c->outcome, &out->outcome);
    out->closed_ms = c->closed_ms;
    out->rating = c->rating;
    out->step_due_ms = c->due_ms;
}

int rollups_apply(struct store *st, enum rollup_table t, const char *area, int64_t created_ms,
                  const char *category, const struct rollup_counters *d)
{
    /* At most two cells per level (the day, and the month down to ROLLUPS_MONTH_LEVEL_MAX):
     * room for all of them on the stack, so batch_push never reallocates. */
    struct rollup_cell cells[2 * AREA_LEVEL_MAX];
    struct rollup_batch b = {cells, 0, sizeof(cells) / sizeof(cells[0])};
    int r;
    /* The cells of every level of the path (none for a zero delta), written in one store call:
     * one statement on PostgreSQL rather than a round trip per cell. */
    if ((r = rollups_batch_add(&b, area, created_ms, category, d)) != 0 || b.len == 0)
        return r;
    return store_rollup_add_many(st, t, b.items, b.len);
}

int rollups_report_delta(const struct calendar *cal, const struct case_rec *c,
                         struct rollup_counters *out)
{
    struct indicator_facts f;
    struct indicator_event ev;
    rollups_facts_of_case(c, &f);
    memset(&ev, 0, sizeof(ev));
    ev.is_report = 1;
    ev.at_ms = c->created_ms;
    return indicator_event_delta(&f, &ev, cal, out);
}

int rollups_on_report(struct store *st, const struct calendar *cal, const struct case_rec *c)
{
    struct rollup_counters d;
    int r;
    if ((r = rollups_report_delta(cal, c, &d)) != 0)
        return r;
    return rollups_apply(st, ROLLUP_LIVE, c->area_code, c->created_ms, c->category, &d);
}

/* ---- batch --------------------------------------------------------------------------------- */

static void batch_push(struct rollup_batch *b, int level, const char *area, int day,
                       const char *category, const struct rollup_counters *d)
{
    struct rollup_cell *cell;
    if (b->len == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 256;
        b->items = xrealloc(b->items, b->cap * sizeof(*b->items));
    }
    cell = &b->items[b->len++];
    cell->level = level;
    cell->day = day;
    snprintf(cell->area, sizeof(cell->area), "%s", area);
    snprintf(cell->category, sizeof(cell->category), "%s", category);
    cell->d = *d;
}

int rollups_batch_add(struct rollup_batch *b, const char *area, int64_t created_ms,
                      const char *category, const struct rollup_counters *d)
{
    int level = areacode_level(area);
    int day = indicator_day(created_ms);
    if (level == 0 || strlen(category) >= sizeof(b->items[0].category))
        return ERR_INVALID;
    if (indicator_counters_is_zero(d))
        return 0;
    for (int l = AREA_LEVEL_MIN; l <= level; l++) {
        char prefix[AREA_CODE_BUF];
        snprintf(prefix, sizeof(prefix), "%.*s", (int)areacode_length(l), area);
        batch_push(b, l, prefix, day, category, d);
        if (l <= ROLLUPS_MONTH_LEVEL_MAX)
            batch_push(b, l + ROLLUPS_MONTH_LEVEL, prefix, day / 100 * 100, category, d);
    }
    return 0;
}

/* Write the batch's cells (the store sums equal ones, so each cell is written once). */
static int batch_flush_into(struct store *st, enum rollup_table t, struct rollup_batch *b)
{
    int r = store_rollup_add_many(st, t, b->items, b->len);
    b->len = 0;
    return r;
}

int rollups_batch_flush(struct store *st, struct rollup_batch *b)
{
    return batch_flush_into(st, ROLLUP_LIVE, b);
}

size_t rollups_batch_mark(const struct rollup_batch *b)
{
    return b != NULL ? b->len : 0;
}

void rollups_batch_undo(struct rollup_batch *b, size_t mark)
{
    if (b != NULL && mark < b->len)
        b->len = mark;
}

void rollups_batch_cleanup(struct rollup_batch *b)
{
    free(b->items);
    b->items = NULL;
    b->len = b->cap = 0;
}

int rollups_on_action(struct store *st, struct rollup_batch *batch, const struct calendar *cal,
                      const struct case_rec *c, const struct indicator_facts *f,
                      const struct indicator_event *ev)
{
    struct rollup_counters d;
    int r;
    if ((r = indicator_event_delta(f, ev, cal, &d)) != 0)
        return r;
    if (batch != NULL)
        return rollups_batch_add(batch, c->area_code, c->created_ms, c->category, &d);
    return rollups_apply(st, ROLLUP_LIVE, c->area_code, c->created_ms, c->category, &d);
}

/* ---- recount ------------------------------------------------------------------------------- */

struct recount {
    struct store *st;
    const struct calendar *cal;
    enum rollup_table table;
    struct case_rec head; /* the fixed fields of the case being replayed (id 0: none yet) */
    struct indicator_facts facts;
    struct rollup_counters sum;
    struct rollup_batch batch; /* the cells of the cases replayed since the last flush */
    struct rollups_recount_stats *stats;
};

/* Cells a recount sums in memory before writing them (about 10 MB at ~500 bytes each; cases
 * are replayed roughly in time order, so their upper-level and month cells repeat). */
#define RECOUNT_BATCH_CELLS 20000

/* Add the case's summed deltas to the batch (every level of its path, like rollups_apply),
 * writing the batch out when it is full. */
static int flush_case(struct recount *rc)
{
    int r;
    if (rc->head.id == 0)
        return 0;
    rc->stats->cases++;
    if ((r = rollups_batch_add(&rc->batch, rc->head.area_code, rc->head.created_ms,
                               rc->head.category, &rc->sum)) != 0)
        return r;
    if (rc->batch.len >= RECOUNT_BATCH_CELLS)
        return batch_flush_into(rc->st, rc->table, &rc->batch);
    return 0;
}

static int64_t payload_int(json_t *p, const char *key)
{
    json_t *v = json_object_get(p, key);
    return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

static const char *payload_str(json_t *p, const char *key)
{
    const char *s = json_string_value(json_object_get(p, key));
    return s ? s : "";
}

static int recount_event(void *arg, const struct case_event *e, const struct case_rec *c)
{
    struct recount *rc = arg;
    struct indicator_event ev;
    struct rollup_counters d;
    json_t *payload;
    int r;

    if (c->id != rc->head.id) {
        if ((r = flush_case(rc)) != 0)
            return r;
        rc->head = *c;
        rc->head.description = NULL;
        rollups_facts_of_case(c, &rc->facts); /* c carries only the fixed fields: */
        rc->facts.queue_level = rc->facts.initial_level;
        indicator_counters_clear(&rc->sum);
    }
    rc->stats->events++;
    memset(&ev, 0, sizeof(ev));
    ev.at_ms = e->at_ms;
    payload = json_loads(e->payload ? e->payload : "{}", 0, NULL);
    if (strcmp(e->action, "report") == 0) {
        ev.is_report = 1;
        if (payload_int(payload, "queue_level") > 0)
            rc->facts.queue_level = (int)payload_int(payload, "queue_level");
    } else if (workflow_action_parse(e->action, &ev.action) != 0 ||
               workflow_state_parse(e->from_state, &ev.from) != 0 ||
               workflow_state_parse(e->to_state, &ev.to) != 0) {
        log_warn("rollups", "event %lld/%lld has an unknown action or state; not counted",
                 (long long)e->case_id, (long long)e->seq);
        json_decref(payload);
        return 0;
    }
    ev.rating = (int)payload_int(payload, "rating");
    workflow_outcome_parse(payload_str(payload, "outcome"), &ev.outcome);
    workflow_supervision_parse(payload_str(payload, "supervision"), &ev.supervision);
    rc->facts.step_due_ms = payload_int(payload, "step_due_ms");

    if ((r = indicator_event_delta(&rc->facts, &ev, rc->cal, &d)) != 0) {
        json_decref(payload);
        return r;
    }
    indicator_counters_add(&rc->sum, &d);

    /* The case row after the event, as far as the counters care. */
    if (!ev.is_report) {
        if (ev.action == CASE_ACTION_ESCALATE)
            rc->facts.queue_level = payload_int(payload, "queue_level") > 0
                                        ? (int)payload_int(payload, "queue_level")
                                        : rc->facts.queue_level - 1;
        if (ev.action == CASE_ACTION_RESOLVE_ON_SITE)
            rc->facts.outcome = OUTCOME_RESOLVED;
        if (ev.action == CASE_ACTION_ANSWER)
            rc->facts.outcome = OUTCOME_ANSWERED;
        if (ev.action == CASE_ACTION_CLOSE && ev.to == CASE_STATE_CLOSED) {
            rc->facts.outcome = ev.outcome;
            rc->facts.closed_ms = ev.at_ms;
        }
        if (ev.action == CASE_ACTION_EVALUATE && ev.rating >= 1 && ev.rating <= 5)
            rc->facts.rating = ev.rating;
        if (ev.to == CASE_STATE_REOPENED && ev.from != CASE_STATE_REOPENED)
            rc->facts.outcome = OUTCOME_NONE;
    }
    json_decref(payload);
    return 0;
}

static int recount_into(struct store *st, const struct calendar *cal, enum rollup_table t,
                        struct rollups_recount_stats *stats)
{
    struct recount rc;
    int r;
    memset(&rc, 0, sizeof(rc));
    rc.st = st;
    rc.cal = cal;
    rc.table = t;
    rc.stats = stats;
    if ((r = store_rollup_clear(st, t)) != 0)
        return r;
    if ((r = store_rollup_event_walk(st, recount_event, &rc)) == 0 && (r = flush_case(&rc)) == 0)
        r = batch_flush_into(st, t, &rc.batch);
    rollups_batch_cleanup(&rc.batch);
    return r;
}

int rollups_rebuild(struct store *st, const struct calendar *cal,
                    struct rollups_recount_stats *stats)
{
    int r;
    memset(stats, 0, sizeof(*stats));
    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = recount_into(st, cal, ROLLUP_LIVE, stats)) != 0 ||
        (r = store_meta_set(st, "rollups_stale", "0")) != 0 || (r = store_commit(st)) != 0) {
        store_rollback(st);
        return r;
    }
    return 0;
}

int rollups_verify(struct store *st, const struct calendar *cal,
                   struct rollups_recount_stats *stats)
{
    int r;
    memset(stats, 0, sizeof(*stats));
    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = recount_into(st, cal, ROLLUP_CHECK, stats)) == 0)
        r = store_rollup_diff(st, &stats->cells_differing);
    store_rollback(st); /* the check table is scratch: keep nothing */
    return r;
}

int rollups_ensure(struct service_ctx *ctx, int *rebuilt)
{
    const struct case_rules *rules;
    struct rollups_recount_stats stats;
    char stale[8];
    int r;
    *rebuilt = 0;
    r = store_meta_get(ctx->st, "rollups_stale", stale, sizeof(stale));
    if (r == ERR_NOT_FOUND || (r == 0 && strcmp(stale, "1") != 0))
        return 0;
    if (r != 0)
        return r;
    if ((r = rules_get(ctx, &rules)) != 0)
        return r;
    log_info("rollups", "rebuilding indicator roll-ups from the case events");
    if ((r = rollups_rebuild(ctx->st, rules->cal, &stats)) != 0)
        return r;
    log_info("rollups", "roll-ups rebuilt cases=%lld events=%lld", (long long)stats.cases,
             (long long)stats.events);
    *rebuilt = 1;
    return 0;
}

/* ---- reading ------------------------------------------------------------------------------- */

static const char *const by_names[] = {"total", "day", "week", "month", "category", "child"};

const char *rollups_by_name(enum rollups_by by)
{
    return (unsigned)by < sizeof(by_names) / sizeof(by_names[0]) ? by_names[by] : NULL;
}

int rollups_by_parse(const char *name, enum rollups_by *out)
{
    for (size_t i = 0; name && i < sizeof(by_names) / sizeof(by_names[0]); i++)
        if (strcmp(by_names[i], name) == 0) {
            *out = (enum rollups_by)i;
            return 0;
        }
    return ERR_INVALID;
}

/* Days grouped into weeks or months: consecutive days of one period are summed. */
struct period_acc {
    enum rollups_by by;
    int period; /* current period's key (week's Monday, or YYYYMM); 0 = none */
    struct rollup_counters sum;
    rollups_row_fn fn;
    void *ctx;
};

static int period_emit(struct period_acc *a)
{
    char key[16];
    if (a->period == 0)
        return 0;
    if (a->by == ROLLUPS_BY_MONTH)
        snprintf(key, sizeof(key), "%04d-%02d", a->period / 100, a->period % 100);
    else
        snprintf(key, sizeof(key), "%04d-%02d-%02d", a->period / 10000, a->period / 100 % 100,
                 a->period % 100);
    return a->fn(a->ctx, key, &a->sum);
}

static int period_row(void *arg, const char *key, int day, const struct rollup_counters *sum)
{
    struct period_acc *a = arg;
    int period, r;
    (void)key;
    if (a->by == ROLLUPS_BY_DAY)
        period = day;
    else if (a->by == ROLLUPS_BY_WEEK)
        period = indicator_week_start(day);
    else
        period = indicator_month(day);
    if (period != a->period) {
        if ((r = period_emit(a)) != 0)
            return r;
        a->period = period;
        indicator_counters_clear(&a->sum);
    }
    indicator_counters_add(&a->sum, sum);
    return 0;
}

/* The last day of day's month (YYYYMMDD). */
static int month_end(int day)
{
    int last = day / 100 * 100 + 31;
    while (!indicator_day_is_valid(last))
        last--;
    return last;
}

/* Groups of several partial sums merged by key (category or child code). */
struct merge_acc {
    struct merged {
        char key[24];
        struct rollup_counters c;
    } * items;
    size_t len, cap;
};

static int merge_row(void *arg, const char *key, int day, const struct rollup_counters *sum)
{
    struct merge_acc *m = arg;
    size_t i = 0;
    (void)day;
    while (i < m->len && strcmp(m->items[i].key, key) < 0)
        i++;
    if (i == m->len || strcmp(m->items[i].key, key) != 0) {
        if (m->len == m->cap) {
            m->cap = m->cap ? m->cap * 2 : 32;
            m->items = xrealloc(m->items, m->cap * sizeof(*m->items));
        }
        memmove(&m->items[i + 1], &m->items[i], (m->len - i) * sizeof(*m->items));
        memset(&m->items[i], 0, sizeof(m->items[i]));
        snprintf(m->items[i].key, sizeof(m->items[i].key), "%s", key);
        m->len++;
    }
    indicator_counters_add(&m->items[i].c, sum);
    return 0;
}

/*
 * Sum the cells of level/area (or its children at child_level) for from..to grouped by g,
 * calling fn per store group in order: whole months come from the month cells where the
 * level keeps them, the partial months at either end from day cells. With g = BY_DAY the
 * month cells report their month as day YYYYMM00.
 */
static int sum_span(struct store *st, int level, const char *area, int child_level, int from,
                    int to, const char *cat, enum rollup_group g, store_rollup_fn fn, void *ctx)
{
    int qlevel = g == ROLLUP_BY_CHILD ? child_level : level;
    int ends_month = month_end(to) == to;
    int first_whole, lo_key, hi_key, r;
    if (qlevel > ROLLUPS_MONTH_LEVEL_MAX)
        return store_rollup_sum(st, level, area, child_level, from, to, cat, g, fn, ctx);
    /* Whole months: from the first month starting at or after `from` to the last ending at or
     * before `to`, as month keys YYYYMM00 (hi_key = YYYYMM00 - 1 stops before to's month). */
    if (from % 100 == 1)
        first_whole = from;
    else if (from / 100 % 100 == 12)
        first_whole = (from / 10000 + 1) * 10000 + 101;
    else
        first_whole = from / 100 * 100 + 101;
    lo_key = first_whole / 100 * 100;
    hi_key = ends_month ? to / 100 * 100 : to / 100 * 100 - 1;
    if (lo_key > hi_key) /* no whole month inside: days only */
        return store_rollup_sum(st, level, area, child_level, from, to, cat, g, fn, ctx);
    if (from < first_whole && (r = store_rollup_sum(st, level, area, child_level, from,
                                                    first_whole - 1, cat, g, fn, ctx)) != 0)
        return r;
    if ((r = store_rollup_sum(st, level + ROLLUPS_MONTH_LEVEL, area,
                              child_level + ROLLUPS_MONTH_LEVEL, lo_key, hi_key, cat, g, fn,
                              ctx)) != 0)
        return r;
    if (!ends_month)
        return store_rollup_sum(st, level, area, child_level, to / 100 * 100 + 1, to, cat, g, fn,
                                ctx);
    return 0;
}

int rollups_query_level(struct store *st, const char *area, int level, int from_day, int to_day,
                        const char *category, rollups_row_fn fn, void *ctx)
{
    int area_level = areacode_level(area ? area : "");
    struct merge_acc m;
    int r;
    if (area_level == 0 || level <= area_level || level > AREA_LEVEL_MAX ||
        !indicator_day_is_valid(from_day) || !indicator_day_is_valid(to_day) || from_day > to_day)
        return ERR_INVALID;
    memset(&m, 0, sizeof(m));
    r = sum_span(st, area_level, area, level, from_day, to_day, category ? category : "",
                 ROLLUP_BY_CHILD, merge_row, &m);
    for (size_t i = 0; i < m.len && r == 0; i++)
        r = fn(ctx, m.items[i].key, &m.items[i].c);
    free(m.items);
    return r;
}

int rollups_query(struct store *st, const char *area, int from_day, int to_day,
                  const char *category, enum rollups_by by, rollups_row_fn fn, void *ctx)
{
    int level = areacode_level(area ? area : "");
    const char *cat = category ? category : "";
    int r;
    if (level == 0 || !indicator_day_is_valid(from_day) || !indicator_day_is_valid(to_day) ||
        from_day > to_day)
        return ERR_INVALID;
    switch (by) {
    case ROLLUPS_BY_DAY:
    case ROLLUPS_BY_WEEK:
    case ROLLUPS_BY_MONTH: {
        struct period_acc a;
        memset(&a, 0, sizeof(a));
        a.by = by;
        a.fn = fn;
        a.ctx = ctx;
        if (by == ROLLUPS_BY_MONTH)
            r = sum_span(st, level, area, 0, from_day, to_day, cat, ROLLUP_BY_DAY, period_row, &a);
        else
            r = store_rollup_sum(st, level, area, 0, from_day, to_day, cat, ROLLUP_BY_DAY,
                                 period_row, &a);
        return r != 0 ? r : period_emit(&a);
    }
    case ROLLUPS_BY_CATEGORY:
    case ROLLUPS_BY_CHILD:
    case ROLLUPS_BY_TOTAL: {
        struct merge_acc m;
        enum rollup_group g = by == ROLLUPS_BY_CHILD      ? ROLLUP_BY_CHILD
                              : by == ROLLUPS_BY_CATEGORY ? ROLLUP_BY_CATEGORY
                                                          : ROLLUP_BY_TOTAL;
        if (by == ROLLUPS_BY_CHILD && level >= AREA_LEVEL_MAX)
            return 0; /* a cell has no children */
        memset(&m, 0, sizeof(m));
        r = sum_span(st, level, area, level + 1, from_day, to_day, cat, g, merge_row, &m);
        if (r == 0 && by == ROLLUPS_BY_TOTAL && m.len == 0) {
            struct rollup_counters zero;
            indicator_counters_clear(&zero);
            r = fn(ctx, "", &zero);
        }
        for (size_t i = 0; i < m.len && r == 0; i++)
            r = fn(ctx, m.items[i].key, &m.items[i].c);
        free(m.items);
        return r;
    }
    }
    return ERR_INVALID;
}

/* ---- settings and CSV ---------------------------------------------------------------------- */

void rollups_settings(const struct config *cfg, struct indicator_settings *out)
{
    indicator_settings_default(out);
    out->is_suspended_excluded = cfg->indicators_exclude_suspended != 0;
    out->points_base = cfg->points_base;
    out->points_yellow = cfg->points_yellow;
    out->points_red = cfg->points_red;
}

int rollups_csv_header(struct buf *out, const char *key_name)
{
    int r = csv_write_field(out, key_name, 0);
    for (int i = 0; i < ROLLUP_FIELD_COUNT && r == 0; i++)
        r = csv_write_field(out, indicator_field_name((enum rollup_field)i), 0);
    for (int i = 0; i < INDICATOR_VALUE_COUNT && r == 0; i++)
        r = csv_write_field(out, indicator_value_name((enum indicator_value)i),
                            i == INDICATOR_VALUE_COUNT - 1);
    return r;
}

int rollups_csv_row(struct buf *out, const char *key, const struct rollup_counters *c,
                    const struct indicator_settings *s)
{
    double v[INDICATOR_VALUE_COUNT];
    char num[40];
    int r = csv_write_field(out, key, 0);
    indicator_compute(c, s, v);
    for (int i = 0; i < ROLLUP_FIELD_COUNT && r == 0; i++) {
        snprintf(num, sizeof(num), "%lld", (long long)c->v[i]);
        r = csv_write_field(out, num, 0);
    }
    for (int i = 0; i < INDICATOR_VALUE_COUNT && r == 0; i++) {
        if (isnan(v[i]))
            num[0] = '\0';
        else
            snprintf(num, sizeof(num), "%.6f", v[i]);
        r = csv_write_field(out, num, i == INDICATOR_VALUE_COUNT - 1);
    }
    return r;
}
