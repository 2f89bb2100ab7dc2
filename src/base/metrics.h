/*
 * metrics.h - counters and latency histograms for /metrics (Prometheus text format).
 *
 * One struct metrics per server, shared by every thread: observations are relaxed atomic
 * increments, so recording costs a few nanoseconds and never takes a lock. Requests are
 * counted per route (an index into the API route table; the last slot is "other": static
 * files and unknown paths) and per status class, with a latency histogram per route.
 * Gauges hold the latest value of things measured elsewhere (the sweep, the writer).
 */
#ifndef GRIDGOV_BASE_METRICS_H
#define GRIDGOV_BASE_METRICS_H

#include "base/buf.h"

#include <stddef.h>
#include <stdint.h>

#define METRICS_GAUGE_MAP(X)                                                                       \
    X(SWEEP_SECONDS, "gridgov_sweep_duration_seconds", "duration of the last deadline sweep")      \
    X(SWEEP_EXAMINED, "gridgov_sweep_examined_cases", "cases the last sweep examined")             \
    X(SWEEP_ACTED, "gridgov_sweep_acted_cases", "cases the last sweep carded or escalated")

enum metrics_gauge {
#define METRICS_GAUGE_ENUM(name, metric, help) METRICS_##name,
    METRICS_GAUGE_MAP(METRICS_GAUGE_ENUM)
#undef METRICS_GAUGE_ENUM
        METRICS_GAUGE_COUNT
};

struct metrics;

/* Counters for n_routes routes plus "other"; caller frees. */
struct metrics *metrics_new(size_t n_routes);
void metrics_free(struct metrics *m);
/* Record one finished request: route < n_routes, or any other value for "other". */
void metrics_observe(struct metrics *m, size_t route, int status, double ms);
/* Set a gauge (value scaled by 1000: milli-units, so durations keep ms precision). */
void metrics_gauge_set_milli(struct metrics *m, enum metrics_gauge g, int64_t milli);
/* Append the request counters, histograms and gauges. route_labels[i] names route i
 * ("GET /api/v1/cases/{id}"). ERR_TOO_LARGE if out's cap is reached. */
int metrics_write(const struct metrics *m, const char *const *route_labels, struct buf *out);

#endif
