/*
 * patrols.h - the patrol use cases (SPEC section 5): a grid worker starts a patrol of their
 * grid, uploads its GPS track in batches (offline queues retry: a batch id already stored is
 * acknowledged and not stored again), and ends it; the patrol keeps the distance and duration
 * of its track (domain/patrol.h). Points outside the grid (by the area index) and GPS jumps
 * (> 150 km/h) are kept and flagged. Cases reported with a patrol_id link to the patrol
 * (service/cases.c writes the link with the case).
 *
 * Access: starting, uploading and ending need CAP_FIELD_WORK over the grid and, for an
 * existing patrol, being the worker who started it; reading needs CAP_FIELD_READ over it.
 * Writes run through fieldwork_write (service/fieldwork.h), each in one transaction.
 */
#ifndef GRIDGOV_SERVICE_PATROLS_H
#define GRIDGOV_SERVICE_PATROLS_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/patrol.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;

#define PATROLS_BATCH_MAX    500   /* points in one upload */
#define PATROLS_TRACK_MAX    20000 /* points of one patrol (a fix every 5 s for 27 hours) */
#define PATROLS_BATCH_ID_MAX 64
#define PATROLS_PAGE_MAX     1000

/* Start a patrol of grid (NULL: the caller's own scope, which must then be a grid) at now_ms.
 * ERR_INVALID when the area is not a grid; ERR_NOT_FOUND; ERR_FORBIDDEN; ERR_CONFLICT when the
 * caller already runs a patrol (naming it). */
int patrols_start(struct service_ctx *ctx, const struct principal *p, const char *grid,
                  int64_t now_ms, struct patrol_rec *out, struct errbuf *eb);

struct patrol_upload {
    const char *batch_id;        /* 1..PATROLS_BATCH_ID_MAX printable ASCII characters */
    struct patrol_point *points; /* borrowed; flags are set here */
    size_t n;                    /* 1..PATROLS_BATCH_MAX */
    int64_t now_ms;
};
struct patrol_upload_result {
    int is_duplicate;      /* the batch id was stored before: nothing was added */
    int64_t accepted;      /* points stored by this call */
    int64_t outside;       /* of them, outside the grid */
    struct patrol_rec rec; /* the patrol after the upload (running counts) */
};
/* Add a batch of points to a running patrol. ERR_INVALID naming the bad point; ERR_NOT_FOUND;
 * ERR_FORBIDDEN (not the caller's patrol); ERR_CONFLICT when the patrol has ended. */
int patrols_upload(struct service_ctx *ctx, const struct principal *p, int64_t id,
                   struct patrol_upload *in, struct patrol_upload_result *out, struct errbuf *eb);

/* End a running patrol at now_ms: distance, duration and counts from the whole track. */
int patrols_end(struct service_ctx *ctx, const struct principal *p, int64_t id, int64_t now_ms,
                struct patrol_rec *out, struct errbuf *eb);

/* A patrol with its track (flagged, time order) and the ids of the cases found on it. Owned;
 * patrol_detail_cleanup. */
struct patrol_detail {
    struct patrol_rec rec;
    struct patrol_point *points;
    size_t n_points;
    int64_t *case_ids;
    size_t n_cases;
};
void patrol_detail_cleanup(struct patrol_detail *d);
int patrols_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                struct patrol_detail *out, struct errbuf *eb);

/* Patrols in f->area (NULL: the caller's scope) newest first; f->limit 1..PATROLS_PAGE_MAX. */
int patrols_list(struct service_ctx *ctx, const struct principal *p, struct patrol_filter *f,
                 store_patrol_fn fn, void *fctx, struct errbuf *eb);

/* Check that patrol id may carry a case reported by p (cases_report): it exists and p started
 * it. ERR_NOT_FOUND / ERR_FORBIDDEN with the reason. */
int patrols_check_case_link(struct service_ctx *ctx, const struct principal *p, int64_t id,
                            struct errbuf *eb);

#endif
