/*
 * rollups.h - keeping the indicator roll-ups (docs/INDICATORS.md) and reading them.
 *
 * The case service calls rollups_on_report / rollups_on_action inside the transaction that
 * appends each case event, so a committed event and its counters are never apart. A rebuild
 * replays the whole event log through the same domain function (indicator_event_delta);
 * verify replays it into a scratch table and compares. A database created before the roll-ups
 * existed is marked stale by its migration and rebuilt by rollups_ensure, which
 * service_ctx_open calls for every writable context (and `gridgov rollups rebuild` runs on
 * demand, e.g. after the working-day calendar changed the handling times).
 *
 * Threading: like every service, one context (one connection) per thread.
 */
#ifndef GRIDGOV_SERVICE_ROLLUPS_H
#define GRIDGOV_SERVICE_ROLLUPS_H

#include "base/buf.h"
#include "base/config.h"
#include "base/error.h"
#include "domain/indicators.h"
#include "store/store.h"

struct calendar;
struct service_ctx;

/*
 * Month cells: areas down to this level (community) also keep one cell per month, stored with
 * level + ROLLUPS_MONTH_LEVEL and day YYYYMM00, so a year of an area sums 12 cells per
 * category rather than 365 (with 10 million cases over three years a community has a cell for
 * over a third of its days and categories, a street's ten communities 54,000 day cells a
 * year: docs/PERFORMANCE.md); below it (grids) day cells are sparse and month cells would
 * only double the writes. Raising it needs a migration marking the roll-ups stale (14 did).
 */
#define ROLLUPS_MONTH_LEVEL     10
#define ROLLUPS_MONTH_LEVEL_MAX 5

/* The facts of case c as its row holds them now (before the action about to be applied). */
void rollups_facts_of_case(const struct case_rec *c, struct indicator_facts *out);

/* Book the report of case c (just inserted) in the caller's transaction (write). */
int rollups_on_report(struct store *st, const struct calendar *cal, const struct case_rec *c);
/* Book the event ev of case c, whose facts before the action were f (write): into batch when
 * not NULL (the caller flushes it before its commit), else straight into the store. */
struct rollup_batch;
int rollups_on_action(struct store *st, struct rollup_batch *batch, const struct calendar *cal,
                      const struct case_rec *c, const struct indicator_facts *f,
                      const struct indicator_event *ev);

/* The delta the report of case c (prepared, not yet written) makes to its cells: pure, so the
 * case service computes it on the request thread and the writer only applies it. */
int rollups_report_delta(const struct calendar *cal, const struct case_rec *c,
                         struct rollup_counters *out);

/*
 * A batch of live roll-up deltas, summed in memory and written once per cell (the single
 * writer keeps one for its group commit: a batch of reports touches the same city, district
 * and month cells over and over). Applying it in the batch's transaction keeps counters and
 * events together; a job undone alone truncates the batch back to the mark it took.
 */
struct rollup_batch {
    struct rollup_cell *items; /* owned */
    size_t len, cap;
};
/* Add the cells of delta d (as rollups_apply would write them) to b. ERR_INVALID for an area
 * with no level. */
int rollups_batch_add(struct rollup_batch *b, const char *area, int64_t created_ms,
                      const char *category, const struct rollup_counters *d);
/* Write b's cells, each once, summed, into the live table (write); b is emptied either way. */
int rollups_batch_flush(struct store *st, struct rollup_batch *b);
/* Free b's storage (b itself is the caller's). */
void rollups_batch_cleanup(struct rollup_batch *b);
/* Where b ends now (0 for no batch), for rollups_batch_undo. */
size_t rollups_batch_mark(const struct rollup_batch *b);
/* Drop the cells added since mark (work undone by a rollback); no-op for no batch. */
void rollups_batch_undo(struct rollup_batch *b, size_t mark);

/* Apply delta d of a case of area, reported at created_ms in category, to every level of the
 * area's path in table t (write). Nothing is written for a zero delta. */
int rollups_apply(struct store *st, enum rollup_table t, const char *area, int64_t created_ms,
                  const char *category, const struct rollup_counters *d);

struct rollups_recount_stats {
    int64_t cases, events, cells_differing;
};

/* Rebuild the live roll-ups from the event log, in one transaction (write). */
int rollups_rebuild(struct store *st, const struct calendar *cal,
                    struct rollups_recount_stats *stats);
/* Recount into the check table and compare with the live one; nothing is kept. stats->
 * cells_differing is 0 when they agree. */
int rollups_verify(struct store *st, const struct calendar *cal,
                   struct rollups_recount_stats *stats);
/* Rebuild if the database is marked stale (meta rollups_stale = 1); *rebuilt says so. */
int rollups_ensure(struct service_ctx *ctx, int *rebuilt);

/* How a query groups its rows. */
enum rollups_by {
    ROLLUPS_BY_TOTAL,
    ROLLUPS_BY_DAY,
    ROLLUPS_BY_WEEK,
    ROLLUPS_BY_MONTH,
    ROLLUPS_BY_CATEGORY,
    ROLLUPS_BY_CHILD,
};
/* "total", "day", "week", "month", "category", "child"; parse returns 0 or ERR_INVALID. */
const char *rollups_by_name(enum rollups_by by);
int rollups_by_parse(const char *name, enum rollups_by *out);

/* One row of a query: key is "" (total), "YYYY-MM-DD" (day; week: its Monday), "YYYY-MM"
 * (month), the category code or the child area code. Borrowed for the call. */
typedef int (*rollups_row_fn)(void *ctx, const char *key, const struct rollup_counters *sum);

/*
 * Sum the roll-ups of area for the days from_day..to_day (YYYYMMDD, included) and categories
 * starting with category ("" or NULL = all), grouped by `by`, calling fn per row in key order.
 * BY_TOTAL always gives one row (zeros when nothing matched). ERR_INVALID for a bad area or
 * day range.
 */
int rollups_query(struct store *st, const char *area, int from_day, int to_day,
                  const char *category, enum rollups_by by, rollups_row_fn fn, void *ctx);

/* The formulas' settings from the configuration (indicators_exclude_suspended, points_*). */
void rollups_settings(const struct config *cfg, struct indicator_settings *out);

/* CSV of query rows: the header (key, every counter, every indicator), then one line per
 * row; undefined rates are empty fields, rates are fractions with 6 decimals. */
int rollups_csv_header(struct buf *out, const char *key_name);
int rollups_csv_row(struct buf *out, const char *key, const struct rollup_counters *c,
                    const struct indicator_settings *s);

/* Like BY_CHILD, for the descendants of area at `level` (deeper than area's): one row per
 * area of that level with any case, in code order. ERR_INVALID for a bad level or range. */
int rollups_query_level(struct store *st, const char *area, int level, int from_day, int to_day,
                        const char *category, rollups_row_fn fn, void *ctx);

#endif
