/*
 * rollup_fields.h - the counters kept per roll-up cell (area, day, category).
 *
 * One list shared by the two modules that must agree on it and may not depend on each other:
 * domain/indicators (what each counter means, how an event changes it, the formulas over
 * summed counters; docs/INDICATORS.md) and store/ (one column per counter, summed by SQL).
 * Adding a counter is adding a row here plus a column in a new migration.
 *
 * Every counter is additive: the counters of a subtree and period are the sums of the cells
 * inside it, which is what makes roll-ups (and a recount) possible. That includes the
 * handling-time histogram, kept as ROLLUP_HIST_BUCKETS fixed log-spaced buckets (see
 * indicator_hist_bucket) so that medians and percentiles roll up too.
 */
#ifndef GRIDGOV_BASE_ROLLUP_FIELDS_H
#define GRIDGOV_BASE_ROLLUP_FIELDS_H

#include <stdint.h>

/* X(name): each is a column of the rollups table and a field of rollup_counters.v[]. */
#define ROLLUP_FIELD_MAP(X)                                                                        \
    X(collected)                                                                                   \
    X(patrol_found)                                                                                \
    X(accepted)                                                                                    \
    X(rejected)                                                                                    \
    X(resolved_on_site)                                                                            \
    X(answered)                                                                                    \
    X(merged)                                                                                      \
    X(suspended)                                                                                   \
    X(responded)                                                                                   \
    X(responded_on_time)                                                                           \
    X(dispatched)                                                                                  \
    X(dispatched_on_time)                                                                          \
    X(signed)                                                                                      \
    X(signed_on_time)                                                                              \
    X(handled)                                                                                     \
    X(handled_on_time)                                                                             \
    X(verified)                                                                                    \
    X(verified_on_time)                                                                            \
    X(reworks)                                                                                     \
    X(extensions)                                                                                  \
    X(escalations)                                                                                 \
    X(escalated_cases)                                                                             \
    X(urges)                                                                                       \
    X(yellow_cards)                                                                                \
    X(red_cards)                                                                                   \
    X(closed)                                                                                      \
    X(closed_on_time)                                                                              \
    X(closed_resolved)                                                                             \
    X(closed_answered)                                                                             \
    X(closed_not_resolved)                                                                         \
    X(closed_low_level)                                                                            \
    X(handling_minutes)                                                                            \
    X(reopened)                                                                                    \
    X(evaluated)                                                                                   \
    X(satisfied)                                                                                   \
    X(rating_sum)

enum rollup_field {
#define ROLLUP_FIELD_ENUM(name) RF_##name,
    ROLLUP_FIELD_MAP(ROLLUP_FIELD_ENUM)
#undef ROLLUP_FIELD_ENUM
        ROLLUP_FIELD_COUNT
};

/* Handling-time histogram: bucket 0 is under one working minute; bucket k (1..62) holds
 * [2^((k-1)/4), 2^(k/4)) working minutes; bucket 63 everything from 2^15.5 (~772 h) up. */
#define ROLLUP_HIST_BUCKETS 64

/* The counters of one cell, or the sum of many, or the change one event makes (deltas may
 * be negative: reopening undoes a close). */
struct rollup_counters {
    int64_t v[ROLLUP_FIELD_COUNT];
    int64_t hist[ROLLUP_HIST_BUCKETS];
};

#endif
