/*
 * progress.c - terminal progress bar (see progress.h).
 */
#include "base/progress.h"

#include "base/timeutil.h"

#include <stdio.h>
#include <unistd.h>

void progress_init(struct progress *p, const char *label, int64_t total)
{
    p->label = label;
    p->total = total;
    p->done = 0;
    p->started_ms = time_mono_ms();
    p->drawn_ms = 0;
    p->is_tty = isatty(STDERR_FILENO);
}

static void progress_draw(const struct progress *p, int64_t now)
{
    double secs = (double)(now - p->started_ms) / 1000.0;
    double rate = secs > 0 ? (double)p->done / secs : 0;
    if (p->total > 0) {
        int width = 30;
        int filled = (int)((double)width * (double)p->done / (double)p->total);
        if (filled > width)
            filled = width;
        double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
        fprintf(stderr, "\r%-12s [%.*s%*s] %3d%% %lld/%lld %.0f/s ETA %.0fs ", p->label, filled,
                "##############################", width - filled, "",
                (int)(100.0 * (double)p->done / (double)p->total), (long long)p->done,
                (long long)p->total, rate, eta);
    } else {
        fprintf(stderr, "\r%-12s %lld %.0f/s ", p->label, (long long)p->done, rate);
    }
    fflush(stderr);
}

void progress_update(struct progress *p, int64_t done)
{
    p->done = done;
    if (!p->is_tty)
        return;
    int64_t now = time_mono_ms();
    if (now - p->drawn_ms < 100)
        return;
    p->drawn_ms = now;
    progress_draw(p, now);
}

void progress_finish(struct progress *p)
{
    int64_t now = time_mono_ms();
    double secs = (double)(now - p->started_ms) / 1000.0;
    if (p->is_tty) {
        progress_draw(p, now);
        fputc('\n', stderr);
    }
    fprintf(stderr, "%s: %lld in %.1f s (%.0f/s)\n", p->label, (long long)p->done, secs,
            secs > 0 ? (double)p->done / secs : 0.0);
}
