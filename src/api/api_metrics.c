/*
 * api_metrics.c - GET /metrics in the Prometheus text format (version 0.0.4): requests and
 * latency per route (counted by the HTTP layer, base/metrics.h), cases by state, overdue
 * cases, the outbox backlog, the database size, the last sweep, and the single writer's jobs
 * and batches (jobs / batches = the mean group-commit batch).
 */
#include "api/api_handlers.h"

#include "base/metrics.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "service/context.h"
#include "service/writer.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

static int write_status_count(void *ctx, const char *status, int64_t count)
{
    return buf_printf(ctx, "gridgov_cases{status=\"%s\"} %lld\n", status, (long long)count);
}

int api_metrics(struct api_request *req, struct api_response *resp)
{
    struct store *st = req->svc->st;
    struct buf *out = &resp->body;
    int64_t overdue = 0, backlog = 0, size = 0;
    size_t n_routes = 0;
    char **labels;
    int r;

    buf_reset(out);
    while (api_routes[n_routes].method != NULL)
        n_routes++;
    if (req->svc->metrics != NULL) {
        labels = xcalloc(n_routes + 1, sizeof(*labels));
        for (size_t i = 0; i < n_routes; i++)
            labels[i] = xasprintf("%s %s", api_routes[i].method, api_routes[i].pattern);
        r = metrics_write(req->svc->metrics, (const char *const *)labels, out);
        for (size_t i = 0; i < n_routes; i++)
            free(labels[i]);
        free(labels);
        if (r != 0)
            return r;
    }
    if ((r = buf_append_str(out, "# HELP gridgov_cases Cases by workflow state.\n"
                                 "# TYPE gridgov_cases gauge\n")) != 0 ||
        (r = store_case_count_by_status(st, "", write_status_count, out)) != 0 ||
        (r = store_case_count_overdue(st, time_now_ms(), &overdue)) != 0 ||
        (r = store_outbox_backlog(st, &backlog)) != 0 || (r = store_size_bytes(st, &size)) != 0)
        return r;
    r = buf_printf(out,
                   "# HELP gridgov_cases_overdue Open cases whose running step is past due.\n"
                   "# TYPE gridgov_cases_overdue gauge\ngridgov_cases_overdue %lld\n"
                   "# HELP gridgov_outbox_backlog Notifications not yet delivered.\n"
                   "# TYPE gridgov_outbox_backlog gauge\ngridgov_outbox_backlog %lld\n"
                   "# HELP gridgov_database_bytes Size of the database.\n"
                   "# TYPE gridgov_database_bytes gauge\ngridgov_database_bytes %lld\n",
                   (long long)overdue, (long long)backlog, (long long)size);
    if (r != 0)
        return r;
    if (req->svc->writer != NULL) {
        struct writer_stats ws;
        writer_get_stats(req->svc->writer, &ws);
        r = buf_printf(out,
                       "# HELP gridgov_writer_jobs_total Jobs run by the single writer.\n"
                       "# TYPE gridgov_writer_jobs_total counter\ngridgov_writer_jobs_total %lld\n"
                       "# HELP gridgov_writer_batches_total Group-commit batches of the writer.\n"
                       "# TYPE gridgov_writer_batches_total counter\n"
                       "gridgov_writer_batches_total %lld\n"
                       "# HELP gridgov_writer_failed_commits_total Batches whose commit failed.\n"
                       "# TYPE gridgov_writer_failed_commits_total counter\n"
                       "gridgov_writer_failed_commits_total %lld\n",
                       ws.jobs, ws.batches, ws.failed_commits);
        if (r != 0)
            return r;
    }
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    return 0;
}
