/*
 * notify.h - delivering the outbox (SPEC section 4, issue "notifications").
 *
 * Every status change a resident or unit should hear about is queued in the outbox in the
 * same transaction as its event (service/cases.c), so a committed change always has its
 * message and a rolled-back one never does. This module delivers them: each message is
 * POSTed as JSON to every configured webhook URL (where an SMS or messaging gateway plugs
 * in), with an Idempotency-Key header equal to the message's key, so a receiver can drop the
 * duplicates that at-least-once delivery implies (a crash after the POST and before marking
 * it delivered sends it again after the restart). A failure is retried with exponential
 * back-off (2 s, 4 s, 8 s, ... capped at one hour, with jitter). Nothing is ever deleted: a
 * message is delivered or still waiting, and the backlog is visible.
 */
#ifndef GRIDGOV_SERVICE_NOTIFY_H
#define GRIDGOV_SERVICE_NOTIFY_H

#include "base/error.h"

#include <stdint.h>

struct service_ctx;

/* Initialise libcurl (call once from main before threads start) and clean it up. */
int notify_global_init(void);
void notify_global_cleanup(void);

/* Seconds until the next attempt after `attempts` failures (1, 2, ...): 2^attempts, capped
 * at 3600, not counting jitter. Pure. */
int64_t notify_backoff_ms(int attempts);

struct notify_stats {
    int delivered;
    int failed;
};

/*
 * Deliver the messages due at now_ms (at most limit) to every URL in urls (comma-separated;
 * empty means no webhook is configured, and messages stay queued). A message counts as
 * delivered when every URL answered 2xx within timeout_ms.
 */
int notify_deliver_due(struct service_ctx *ctx, const char *urls, int64_t now_ms, int limit,
                       long timeout_ms, struct notify_stats *stats);

#endif
