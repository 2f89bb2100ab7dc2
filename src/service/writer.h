/*
 * writer.h - the single writer with group commit.
 *
 * SQLite takes one writer at a time; letting every HTTP thread open its own write
 * transaction makes them queue on the database lock (sleeping in the busy handler) and pay
 * one commit each. Instead, `serve` starts one writer thread with its own service context,
 * and request threads hand it their write as a job (writer_run) and wait. The writer takes
 * every job queued at that moment, runs them in ONE transaction — each job runs its own
 * nested transaction, a savepoint (store.h), so a job that fails is undone alone and reports
 * its own error — and
 * commits once (case reports leave their roll-up deltas in the writer's batch, summed per cell
 * and written just before that commit, service/rollups.h; a failed job's deltas are dropped
 * with it); then it wakes the waiters. A job is acknowledged only after the commit that
 * holds it succeeded; if the commit fails, every job of the batch gets the error. While one
 * batch commits the next one accumulates, so batches grow with load without any timer.
 *
 * Two ways to hand over a job: writer_run blocks the calling thread until the batch ended;
 * writer_submit returns at once and the writer calls the job's done callback after the batch
 * ended (the HTTP layer suspends the request's connection meanwhile, so a report waiting for
 * the group commit holds no worker thread and batches are not capped by the thread count).
 */
#ifndef GRIDGOV_SERVICE_WRITER_H
#define GRIDGOV_SERVICE_WRITER_H

#include "base/config.h"
#include "base/error.h"

struct service_ctx;
struct writer;

/* A unit of work: runs on the writer thread with the writer's context; returns 0 or an
 * error. It must be transactional itself (store_begin ... commit or rollback: inside the
 * batch that is a savepoint), so that on failure it leaves nothing behind; the use cases of
 * cases.c are. */
typedef int (*writer_job_fn)(struct service_ctx *ctx, void *arg);

#define WRITER_BATCH_MAX 256

/* Called on the writer thread once the job's batch committed or failed (result set). It must
 * be quick and must not block: it only wakes whoever waits for the job. */
typedef void (*writer_done_fn)(void *done_arg);

/* A job handed to writer_submit. The caller owns it (fills fn, arg, done, done_arg) and keeps
 * it alive and untouched until done was called; result is valid from then on. */
struct writer_job {
    writer_job_fn fn;
    void *arg;
    writer_done_fn done; /* NULL: writer_run's own wake-up */
    void *done_arg;
    int result; /* fn's result, or the commit's error; set before done is called */
    int is_done;
    struct writer_job *next; /* the writer's queue link */
};

/* Start the writer thread (it opens its own service context from cfg). */
int writer_start(const struct config *cfg, struct writer **out, struct errbuf *eb);
/* Stop after the queued jobs ran; free. NULL is a no-op. */
void writer_stop(struct writer *w);
/* Run fn(arg) in the next batch and wait until its batch committed. Returns fn's result, or
 * the commit's error. Thread-safe. */
int writer_run(struct writer *w, writer_job_fn fn, void *arg);
/* Queue job for the next batch and return at once; job->done(job->done_arg) is called on the
 * writer thread after that batch committed (or failed). When the writer is stopping the job
 * is not run: result is ERR_BUSY and done is called before this returns. Thread-safe. */
void writer_submit(struct writer *w, struct writer_job *job);

struct writer_stats {
    long long jobs, batches, failed_commits;
};
void writer_get_stats(struct writer *w, struct writer_stats *out);

#endif
