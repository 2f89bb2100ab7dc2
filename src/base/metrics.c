/*
 * metrics.c - lock-free request counters, latency histograms and gauges (see metrics.h).
 */
#include "base/metrics.h"

#include "base/error.h"
#include "base/xalloc.h"

#include <stdatomic.h>
#include <stdlib.h>

/* Histogram bucket upper bounds in milliseconds; the last bucket is +Inf. */
static const double bucket_le_ms[] = {1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};
#define N_BUCKETS (sizeof(bucket_le_ms) / sizeof(bucket_le_ms[0]) + 1)
#define N_CLASSES 5 /* 1xx..5xx */

struct route_counters {
    atomic_llong by_class[N_CLASSES];
    atomic_llong buckets[N_BUCKETS];
    atomic_llong sum_us;
};

struct metrics {
    size_t n_routes;
    struct route_counters *routes; /* n_routes + 1 ("other") */
    atomic_llong gauges[METRICS_GAUGE_COUNT];
};

static const char *const gauge_names[METRICS_GAUGE_COUNT] = {
#define METRICS_GAUGE_NAME(name, metric, help) metric,
    METRICS_GAUGE_MAP(METRICS_GAUGE_NAME)
#undef METRICS_GAUGE_NAME
};

static const char *const gauge_help[METRICS_GAUGE_COUNT] = {
#define METRICS_GAUGE_HELP(name, metric, help) help,
    METRICS_GAUGE_MAP(METRICS_GAUGE_HELP)
#undef METRICS_GAUGE_HELP
};

struct metrics *metrics_new(size_t n_routes)
{
    struct metrics *m = xcalloc(1, sizeof(*m));
    m->n_routes = n_routes;
    m->routes = xcalloc(n_routes + 1, sizeof(*m->routes));
    return m;
}

void metrics_free(struct metrics *m)
{
    if (m == NULL)
        return;
    free(m->routes);
    free(m);
}

void metrics_observe(struct metrics *m, size_t route, int status, double ms)
{
    struct route_counters *rc;
    size_t b = 0;
    int cls = status / 100 - 1;
    if (m == NULL)
        return;
    rc = &m->routes[route < m->n_routes ? route : m->n_routes];
    if (cls < 0 || cls >= N_CLASSES)
        cls = N_CLASSES - 1;
    while (b < N_BUCKETS - 1 && ms > bucket_le_ms[b])
        b++;
    atomic_fetch_add_explicit(&rc->by_class[cls], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc->buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rc->sum_us, (long long)(ms * 1000.0), memory_order_relaxed);
}

void metrics_gauge_set_milli(struct metrics *m, enum metrics_gauge g, int64_t milli)
{
    if (m != NULL && (int)g >= 0 && g < METRICS_GAUGE_COUNT)
        atomic_store_explicit(&m->gauges[g], milli, memory_order_relaxed);
}

int metrics_write(const struct metrics *m, const char *const *route_labels, struct buf *out)
{
    int r = 0;
    r |= buf_append_str(out, "# HELP gridgov_http_requests_total HTTP requests by route and "
                             "status class.\n# TYPE gridgov_http_requests_total counter\n");
    for (size_t i = 0; i <= m->n_routes; i++) {
        const char *label = i < m->n_routes ? route_labels[i] : "other";
        for (int c = 0; c < N_CLASSES; c++) {
            long long n = atomic_load_explicit(&m->routes[i].by_class[c], memory_order_relaxed);
            if (n > 0)
                r |= buf_printf(out,
                                "gridgov_http_requests_total{route=\"%s\",code=\"%dxx\"} %lld\n",
                                label, c + 1, n);
        }
    }
    r |= buf_append_str(out, "# HELP gridgov_http_request_duration_seconds Time to answer, by "
                             "route.\n# TYPE gridgov_http_request_duration_seconds histogram\n");
    for (size_t i = 0; i <= m->n_routes; i++) {
        const char *label = i < m->n_routes ? route_labels[i] : "other";
        long long cum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++)
            cum += atomic_load_explicit(&m->routes[i].buckets[b], memory_order_relaxed);
        if (cum == 0)
            continue;
        cum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cum += atomic_load_explicit(&m->routes[i].buckets[b], memory_order_relaxed);
            if (b < N_BUCKETS - 1)
                r |= buf_printf(out,
                                "gridgov_http_request_duration_seconds_bucket{route=\"%s\","
                                "le=\"%g\"} %lld\n",
                                label, bucket_le_ms[b] / 1000.0, cum);
            else
                r |= buf_printf(out,
                                "gridgov_http_request_duration_seconds_bucket{route=\"%s\","
                                "le=\"+Inf\"} %lld\n",
                                label, cum);
        }
        r |= buf_printf(
            out, "gridgov_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", label,
            (double)atomic_load_explicit(&m->routes[i].sum_us, memory_order_relaxed) / 1e6);
        r |= buf_printf(out, "gridgov_http_request_duration_seconds_count{route=\"%s\"} %lld\n",
                        label, cum);
    }
    for (int g = 0; g < METRICS_GAUGE_COUNT; g++)
        r |= buf_printf(out, "# HELP %s %s.\n# TYPE %s gauge\n%s %.3f\n", gauge_names[g],
                        gauge_help[g], gauge_names[g], gauge_names[g],
                        (double)atomic_load_explicit(&m->gauges[g], memory_order_relaxed) / 1000.0);
    return r != 0 ? ERR_TOO_LARGE : 0;
}
