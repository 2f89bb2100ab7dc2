/*
 * background.c - the serve-time background thread (see background.h).
 */
#define _GNU_SOURCE 1 /* pthread_setname_np: name the thread for ps, top and perf */
#include "service/background.h"

#include "base/log.h"
#include "base/metrics.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "service/basedata.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/notify.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define OUTBOX_BATCH          100
#define OUTBOX_TIMEOUT_MS     5000
#define PURGE_INTERVAL_MS     (3600LL * 1000)
#define RETENTION_INTERVAL_MS (86400LL * 1000)

struct background {
    const struct config *cfg;
    struct metrics *metrics; /* borrowed; may be NULL */
    struct service_ctx *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int is_stopping; /* guarded by lock */
};

/* Retention (service/basedata.h): once a day, logged by the service. */
static void run_retention(struct background *bg, int64_t now)
{
    struct bd_retention_report rep;
    struct errbuf eb = {{0}};
    int r = basedata_retention(bg->ctx, now, 0, &rep, &eb);
    if (r != 0)
        log_error("retention", "retention failed: %s", errbuf_message(&eb, r));
}

static void background_round(struct background *bg, int64_t *next_sweep, int64_t *next_purge,
                             int64_t *next_retention)
{
    int64_t now = time_now_ms();
    struct notify_stats ns;
    int r;
    if (now >= *next_sweep) {
        struct sweep_stats ss;
        int64_t t0 = time_mono_ms();
        r = cases_sweep(bg->ctx, now, &ss);
        metrics_gauge_set_milli(bg->metrics, METRICS_SWEEP_SECONDS, time_mono_ms() - t0);
        metrics_gauge_set_milli(bg->metrics, METRICS_SWEEP_EXAMINED, ss.examined * 1000);
        metrics_gauge_set_milli(bg->metrics, METRICS_SWEEP_ACTED,
                                (ss.yellow + ss.red + ss.escalated) * 1000);
        if (r != 0)
            log_error("sweep", "sweep failed: %s", err_message(r));
        else if (ss.examined > 0)
            log_info(
                "sweep", "examined=%lld yellow=%lld red=%lld escalated=%lld skipped=%lld ms=%lld",
                (long long)ss.examined, (long long)ss.yellow, (long long)ss.red,
                (long long)ss.escalated, (long long)ss.skipped, (long long)(time_mono_ms() - t0));
        *next_sweep = now + (int64_t)bg->cfg->sweep_interval_s * 1000;
    }
    r = notify_deliver_due(bg->ctx, bg->cfg->webhook_urls, now, OUTBOX_BATCH, OUTBOX_TIMEOUT_MS,
                           &ns);
    if (r != 0)
        log_error("notify", "outbox delivery failed: %s", err_message(r));
    /* The writer leaves text indexing and WAL checkpoints to us (store.h, STORE_WRITER). */
    if ((r = store_maintain(bg->ctx->st)) != 0)
        log_error("store", "maintenance failed: %s", err_message(r));
    if (now >= *next_purge) {
        store_session_purge(bg->ctx->st, now);
        *next_purge = now + PURGE_INTERVAL_MS;
    }
    if (now >= *next_retention) {
        run_retention(bg, now);
        *next_retention = now + RETENTION_INTERVAL_MS;
    }
}

static void *background_main(void *arg)
{
    struct background *bg = arg;
    int64_t next_sweep = 0, next_purge = 0, next_retention = 0;
    pthread_setname_np(pthread_self(), "gg-background");
    pthread_mutex_lock(&bg->lock);
    while (!bg->is_stopping) {
        struct timespec until;
        pthread_mutex_unlock(&bg->lock);
        background_round(bg, &next_sweep, &next_purge, &next_retention);
        pthread_mutex_lock(&bg->lock);
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        while (!bg->is_stopping &&
               pthread_cond_timedwait(&bg->wake, &bg->lock, &until) != ETIMEDOUT)
            ;
    }
    pthread_mutex_unlock(&bg->lock);
    return NULL;
}

int background_start(const struct config *cfg, struct metrics *metrics, struct background **out,
                     struct errbuf *eb)
{
    struct background *bg = xcalloc(1, sizeof(*bg));
    int r;
    *out = NULL;
    bg->cfg = cfg;
    bg->metrics = metrics;
    if ((r = service_ctx_open(cfg, 0, &bg->ctx, eb)) != 0) {
        free(bg);
        return r;
    }
    pthread_mutex_init(&bg->lock, NULL);
    pthread_cond_init(&bg->wake, NULL);
    if (pthread_create(&bg->thread, NULL, background_main, bg) != 0) {
        service_ctx_free(bg->ctx);
        pthread_mutex_destroy(&bg->lock);
        pthread_cond_destroy(&bg->wake);
        free(bg);
        return errbuf_set(eb, ERR_INTERNAL, "cannot start the background thread");
    }
    *out = bg;
    return 0;
}

void background_stop(struct background *bg)
{
    if (bg == NULL)
        return;
    pthread_mutex_lock(&bg->lock);
    bg->is_stopping = 1;
    pthread_cond_signal(&bg->wake);
    pthread_mutex_unlock(&bg->lock);
    pthread_join(bg->thread, NULL);
    service_ctx_free(bg->ctx);
    pthread_mutex_destroy(&bg->lock);
    pthread_cond_destroy(&bg->wake);
    free(bg);
}
