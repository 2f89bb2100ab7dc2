/*
 * background.h - the work `gridgov serve` does besides answering requests: the deadline
 * sweep every cfg->sweep_interval_s, outbox delivery and store maintenance (search indexing,
 * WAL checkpoints) every second, and purging expired
 * sessions. One thread with its own service context (store connection), so it never competes
 * with request handlers for theirs; stopping wakes it at once and waits for the current round.
 */
#ifndef GRIDGOV_SERVICE_BACKGROUND_H
#define GRIDGOV_SERVICE_BACKGROUND_H

#include "base/config.h"
#include "base/error.h"

struct background;

struct metrics;
/* Start the thread. cfg and metrics (may be NULL; receives the sweep's gauges) are borrowed
 * until background_stop returns. */
int background_start(const struct config *cfg, struct metrics *metrics, struct background **out,
                     struct errbuf *eb);
/* Stop and free; NULL is a no-op. */
void background_stop(struct background *bg);

#endif
