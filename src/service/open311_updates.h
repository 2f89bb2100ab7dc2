/*
 * open311_updates.h - applying a FixMyStreet update (POST servicerequestupdates) to a case
 * exactly once per client update_id.
 *
 * The update becomes the one workflow action open311_fms_plan chooses (domain/open311.h),
 * taken by the principal the client's API key is bound to; the event it made is recorded under
 * (the client's key, its update_id) in the same transaction, on the single writer. Posting the
 * same update_id again (FixMyStreet retries when an answer is lost) acts no more: it answers
 * the first update's id. Our update id is "CASE_NUMBER-EVENT_SEQ", the id GET
 * servicerequestupdates shows for that event, so it is stable.
 */
#ifndef GRIDGOV_SERVICE_OPEN311_UPDATES_H
#define GRIDGOV_SERVICE_OPEN311_UPDATES_H

#include "base/error.h"
#include "domain/open311.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;
struct principal;

#define OPEN311_UPDATE_ID_MAX 64 /* bytes of a client's update_id */

struct open311_update_in {
    int64_t api_key_id;             /* the client */
    const char *update_id;          /* the client's id of the update (1..64 bytes) */
    const char *service_request_id; /* our case number */
    enum open311_fms_status want;   /* the status the update asks for */
    const char *description;        /* the update's text (at most WORKFLOW_TEXT_MAX bytes) */
    int64_t now_ms;
};

/*
 * Apply in (write) as p. On success out (size >= 64) is our update id and *replayed is 1 when
 * the update_id had been applied before (nothing was done now). ERR_NOT_FOUND unknown request;
 * ERR_CONFLICT the update_id was used for another request; ERR_INVALID_TRANSITION no action
 * fits the status (eb says which); the workflow's ERR_FORBIDDEN / ERR_INVALID_TRANSITION /
 * ERR_INVALID; storage errors.
 */
int open311_update_apply(struct service_ctx *ctx, const struct principal *p,
                         const struct open311_update_in *in, char *out, size_t size, int *replayed,
                         struct errbuf *eb);

#endif
