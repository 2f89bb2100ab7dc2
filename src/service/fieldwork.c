/*
 * fieldwork.c - the helpers the field-work use cases share (see fieldwork.h).
 */
#include "service/fieldwork.h"

#include "base/timeutil.h"
#include "domain/areacode.h"
#include "geo/geo.h"
#include "service/context.h"
#include "service/writer.h"

#include <stdio.h>
#include <string.h>

struct job_adapter {
    fieldwork_job_fn job;
    void *arg;
};

static int adapter_run(struct service_ctx *ctx, void *arg)
{
    struct job_adapter *a = arg;
    return a->job(ctx, a->arg);
}

int fieldwork_write(struct service_ctx *ctx, fieldwork_job_fn job, void *arg)
{
    if (ctx->writer != NULL) {
        struct job_adapter a = {job, arg};
        return writer_run(ctx->writer, adapter_run, &a);
    }
    return job(ctx, arg);
}

int fieldwork_point_in_grid(void *grid, double lon, double lat)
{
    struct fieldwork_grid *g = grid;
    struct geo_index *ix = NULL;
    char code[AREA_CODE_BUF];
    if (service_ctx_index(g->ctx, &ix) != 0 || ix == NULL)
        return 0;
    if (geo_index_locate(ix, lon, lat, code) != 0)
        return 0;
    return areacode_in_subtree(code, g->grid_code);
}

int fieldwork_parse_time(const char *text, int64_t *out_ms)
{
    int y, m, d;
    char tail;
    if (text == NULL)
        return ERR_INVALID;
    if (strlen(text) == 10 && sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3) {
        if (m < 1 || m > 12 || d < 1 || d > time_days_in_month(y, m) || y < 1970 || y > 9999)
            return ERR_INVALID;
        *out_ms = (time_days_from_civil(y, m, d) * 86400 - (int64_t)8 * 3600) * 1000;
        return 0;
    }
    return time_parse_iso(text, out_ms) == 0 ? 0 : ERR_INVALID;
}
