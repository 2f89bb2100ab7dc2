/*
 * progress.h - a progress bar with rate and ETA for long CLI jobs (demo, import).
 *
 * Draws on stderr only when stderr is a terminal; otherwise it stays silent except for the
 * final summary line, so logs and CI output are not flooded. Redraws at most 10 times a second.
 */
#ifndef GRIDGOV_BASE_PROGRESS_H
#define GRIDGOV_BASE_PROGRESS_H

#include <stdint.h>

struct progress {
    const char *label; /* borrowed */
    int64_t total;     /* 0 when unknown */
    int64_t done;
    int64_t started_ms;
    int64_t drawn_ms;
    int is_tty;
};

void progress_init(struct progress *p, const char *label, int64_t total);
/* Advance to done items; redraws when due. */
void progress_update(struct progress *p, int64_t done);
/* Final line: "label: N items in S s (R/s)". */
void progress_finish(struct progress *p);

#endif
