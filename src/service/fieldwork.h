/*
 * fieldwork.h - what the field-work use cases (patrols, visits, campaigns, compliance; issue 5)
 * share: running a write on the right connection, and the grid test of a point.
 *
 * Writes: when the context has a writer (serve), a field-work write runs as one job on the
 * single writer (service/writer.h), so that a case it creates through the cases service
 * (cases_report, which itself writes on the writer's connection when called there) lands in
 * the same transaction as the record that found it. Without a writer (CLI, tests, demo) the
 * job runs here, on the caller's connection.
 */
#ifndef GRIDGOV_SERVICE_FIELDWORK_H
#define GRIDGOV_SERVICE_FIELDWORK_H

#include "base/error.h"

#include <stdint.h>

struct service_ctx;

/* A write: must open its own transaction (store_begin ... commit or rollback). */
typedef int (*fieldwork_job_fn)(struct service_ctx *ctx, void *arg);
/* Run job(arg) on the writer when ctx has one, else on ctx. Returns the job's result. */
int fieldwork_write(struct service_ctx *ctx, fieldwork_job_fn job, void *arg);

/* The grid test of a point, for patrol_flag_outside: ctx is a struct fieldwork_grid. */
struct fieldwork_grid {
    struct service_ctx *ctx;
    const char *grid_code;
};
/* 1 when the deepest area containing (lon, lat) lies in the grid's subtree. */
int fieldwork_point_in_grid(void *grid, double lon, double lat);

/* Parse a time given as ISO 8601 UTC ("2026-03-01T08:00:00Z", base/timeutil.h) or a date
 * ("2026-03-01": the city's midnight, at UTC+8). ERR_INVALID. */
int fieldwork_parse_time(const char *text, int64_t *out_ms);

#endif
