/*
 * writer.c - single writer thread with group commit (see writer.h).
 *
 * Jobs live with their submitters (writer_run's stack, or the caller's memory for
 * writer_submit) and are linked into a FIFO under the lock; the writer detaches the whole
 * list, runs it, and marks each job done. One condition variable wakes the writer (work
 * arrived), another wakes blocked submitters (a batch finished); each waits for its own job's
 * is_done flag. Asynchronous jobs are told by their done callback instead, called after the
 * lock is released (the callback may free the job, so it is the last touch of it).
 */
#define _GNU_SOURCE 1 /* pthread_setname_np: name the thread for ps, top and perf */
#include "service/writer.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "service/context.h"
#include "service/rollups.h"
#include "store/store.h"

#include <pthread.h>
#include <stdlib.h>

struct writer {
    struct service_ctx *ctx;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t has_work;
    pthread_cond_t has_done;
    struct writer_job *head, *tail; /* queued jobs, guarded by lock */
    int is_stopping;                /* guarded by lock */
    struct writer_stats stats;      /* guarded by lock */
    struct rollup_batch rollups;    /* writer thread only; ctx->rollup_batch points here */
};

/* Run one batch: every job in its savepoint inside one transaction, the roll-up deltas the jobs
 * left in w->rollups (summed per cell), then commit. */
static void run_batch(struct writer *w, struct writer_job *batch)
{
    int r = store_begin(w->ctx->st);
    int committed = 0;
    long long n = 0;
    if (r == 0) {
        for (struct writer_job *j = batch; j; j = j->next) {
            size_t mark = rollups_batch_mark(&w->rollups);
            j->result = j->fn(w->ctx, j->arg);
            if (j->result != 0)
                rollups_batch_undo(&w->rollups, mark); /* undone: so are its roll-up deltas */
            n++;
        }
        r = rollups_batch_flush(w->ctx->st, &w->rollups);
        if (r == 0)
            r = store_commit(w->ctx->st);
        if (r != 0)
            store_rollback(w->ctx->st);
        else
            committed = 1;
    }
    w->rollups.len = 0; /* applied, or undone with the batch */
    if (!committed) {
        log_error("writer", "batch of %lld jobs not committed: %s", n, err_message(r));
        for (struct writer_job *j = batch; j; j = j->next)
            if (j->result == 0)
                j->result = r;
    }
    /* Asynchronous jobs are unlinked first: their owners may free them once told. */
    struct writer_job *async = NULL;
    pthread_mutex_lock(&w->lock);
    for (struct writer_job *j = batch, *next; j; j = next) {
        next = j->next;
        if (j->done != NULL) {
            j->next = async;
            async = j;
        } else {
            j->is_done = 1;
        }
    }
    w->stats.batches++;
    w->stats.jobs += n;
    if (!committed)
        w->stats.failed_commits++;
    pthread_cond_broadcast(&w->has_done);
    pthread_mutex_unlock(&w->lock);
    for (struct writer_job *j = async, *next; j; j = next) {
        next = j->next;
        j->is_done = 1;
        j->done(j->done_arg);
    }
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;
    pthread_setname_np(pthread_self(), "gg-writer");
    pthread_mutex_lock(&w->lock);
    for (;;) {
        while (w->head == NULL && !w->is_stopping)
            pthread_cond_wait(&w->has_work, &w->lock);
        if (w->head == NULL && w->is_stopping)
            break;
        /* Take at most WRITER_BATCH_MAX jobs; the rest wait for the next batch. */
        struct writer_job *batch = w->head, *last = w->head;
        for (int i = 1; i < WRITER_BATCH_MAX && last->next; i++)
            last = last->next;
        w->head = last->next;
        if (w->head == NULL)
            w->tail = NULL;
        last->next = NULL;
        pthread_mutex_unlock(&w->lock);
        run_batch(w, batch);
        pthread_mutex_lock(&w->lock);
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int writer_start(const struct config *cfg, struct writer **out, struct errbuf *eb)
{
    struct writer *w = xcalloc(1, sizeof(*w));
    int r;
    *out = NULL;
    if ((r = service_ctx_open(cfg, STORE_WRITER, &w->ctx, eb)) != 0) {
        free(w);
        return r;
    }
    w->ctx->rollup_batch = &w->rollups;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->has_work, NULL);
    pthread_cond_init(&w->has_done, NULL);
    if (pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        service_ctx_free(w->ctx);
        free(w);
        return errbuf_set(eb, ERR_INTERNAL, "cannot start the writer thread");
    }
    *out = w;
    return 0;
}

void writer_stop(struct writer *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->is_stopping = 1;
    pthread_cond_signal(&w->has_work);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    service_ctx_free(w->ctx);
    rollups_batch_cleanup(&w->rollups);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->has_work);
    pthread_cond_destroy(&w->has_done);
    free(w);
}

int writer_run(struct writer *w, writer_job_fn fn, void *arg)
{
    struct writer_job job = {fn, arg, NULL, NULL, 0, 0, NULL};
    pthread_mutex_lock(&w->lock);
    if (w->is_stopping) {
        pthread_mutex_unlock(&w->lock);
        return ERR_BUSY;
    }
    /* The job lives on this stack and is linked into the queue only until is_done: this
     * function does not return before the writer has finished with it. */
    if (w->tail)
        w->tail->next = &job; /* cppcheck-suppress autoVariables */
    else
        w->head = &job; /* cppcheck-suppress autoVariables */
    w->tail = &job;     /* cppcheck-suppress autoVariables */
    pthread_cond_signal(&w->has_work);
    while (!job.is_done)
        pthread_cond_wait(&w->has_done, &w->lock);
    pthread_mutex_unlock(&w->lock);
    return job.result;
}

void writer_submit(struct writer *w, struct writer_job *job)
{
    job->result = 0;
    job->is_done = 0;
    job->next = NULL;
    pthread_mutex_lock(&w->lock);
    if (w->is_stopping) {
        pthread_mutex_unlock(&w->lock);
        job->result = ERR_BUSY;
        job->is_done = 1;
        job->done(job->done_arg);
        return;
    }
    if (w->tail)
        w->tail->next = job;
    else
        w->head = job;
    w->tail = job;
    pthread_cond_signal(&w->has_work);
    pthread_mutex_unlock(&w->lock);
}

void writer_get_stats(struct writer *w, struct writer_stats *out)
{
    pthread_mutex_lock(&w->lock);
    *out = w->stats;
    pthread_mutex_unlock(&w->lock);
}
