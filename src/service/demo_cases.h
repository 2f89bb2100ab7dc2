/*
 * demo_cases.h - one simulated year of cases over the demo city (service/demo.h), run through
 * the real case workflow: every case is reported with cases_report() and moved on with
 * cases_act() by the demo users acting in their roles, and the deadline sweep (cases_sweep)
 * runs every simulated day at 10:00, so the database holds exactly what a year of use would
 * leave behind: hash-chained events, deadlines met and missed, yellow and red cards,
 * escalations, rework, reopened cases, ratings.
 *
 * What the year looks like (SPEC section 4; the Nanhai figures in the seeds: ~80,000 issues
 * a year, 96.5% resolved or answered): arrivals follow a weekly shape (fewest on Sundays and
 * holidays) and per-category seasons (school places for non-registered children rise from
 * March to a peak in July–August; wage arrears peak in the six weeks before the Spring
 * Festival; drains, street lights and roads in the May–September rainy season; disputes
 * around holidays); channels are the eight of the SPEC (station-team office hours only on
 * Tuesdays, as Foshan's 直联 cadres receive residents); about 70% of cases go accept →
 * dispatch → sign → handle → verify → close, 15% are resolved on site by the grid worker, 8%
 * answered, 3% rejected, 2% merged into a duplicate, 3% closed not resolved; some are
 * reworked, returned, escalated, extended, suspended, urged, supervised, reopened after a
 * low rating; cases of the last two weeks are partly still open, some overdue.
 *
 * Deterministic: the same seed, scale, end_ms and database (a fresh demo city of the same
 * seed) give the same cases, numbers, events and states. Nothing reads the clock except the
 * elapsed time reported.
 */
#ifndef GRIDGOV_SERVICE_DEMO_CASES_H
#define GRIDGOV_SERVICE_DEMO_CASES_H

#include "base/error.h"
#include "domain/workflow.h"
#include "store/store.h"

#include <stdint.h>

struct service_ctx;

/* Reporting channels, in the order of demo_cases_result.by_channel. */
#define DEMO_CASES_CHANNELS 9

/* The demo users who act (store ids; 0 = absent). */
struct demo_cases_users {
    int64_t resident, grid_worker, community_staff, station_cadre, dispatcher, department_handler,
        leader, admin, council_member;
    char district[19]; /* root of the dispatcher's scope: the demo district ("440605") */
};

struct demo_cases_options {
    const char *scale; /* "small" (~6,000 cases a year) or "city" (~80,000); NULL: "small" */
    uint64_t seed;     /* same seed, same year */
    int64_t end_ms;    /* the simulated year is [end_ms - 365 days, end_ms): what happens after
                          end_ms is left undone, so the newest cases are still open */
    const struct demo_cases_users *users; /* NULL: looked up with demo_cases_find_users() */
};

struct demo_cases_result {
    int64_t cases;                            /* reported */
    int64_t actions;                          /* workflow actions applied by the demo users */
    int64_t by_state[CASE_STATE_COUNT];       /* state at end_ms, by enum case_state */
    int64_t by_channel[DEMO_CASES_CHANNELS];  /* see demo_cases_channel_name() */
    int64_t resolved, answered, not_resolved; /* outcomes of the cases closed at end_ms */
    int64_t open, overdue; /* open at end_ms; of those, with their step past due */
    int64_t escalated;     /* explicit escalations (上报, with a reason) */
    int64_t returned, reworked, reopened, evaluated, extended, suspended, urged, supervised;
    int64_t sweeps, sweep_yellow, sweep_red, sweep_escalated; /* what the daily sweep did */
    int64_t replanned; /* planned actions refused because the sweep had moved the case */
    int64_t elapsed_ms;
};

/* Stable name of channel i (0..DEMO_CASES_CHANNELS-1), as cases.h spells it; NULL otherwise. */
const char *demo_cases_channel_name(int i);

/*
 * The demo users by username (the role names demo_generate creates). ERR_NOT_FOUND naming the
 * first one missing (council_member may be missing: community staff report for councils then).
 */
int demo_cases_find_users(struct store *st, struct demo_cases_users *out, struct errbuf *eb);

/*
 * Generate the year into ctx's store, which must hold the demo city and no cases yet. ctx is
 * a context of its own (service_ctx_open, as the CLI makes; not one lent to a server with a
 * writer thread), used by this thread only until the call returns. Writes in batches (one outer
 * transaction per few thousand actions, each use case a savepoint inside it), so a failure leaves
 * the batches committed before it; use a new database then. At the end every outbox message is
 * marked delivered at end_ms: the notices describe the past and must not reach a webhook when
 * `serve` starts. Draws a progress bar labelled "cases" on stderr.
 *
 * Errors: ERR_INVALID (unknown scale, end_ms outside the calendar's years); ERR_EXISTS when
 * the store already holds cases; ERR_NOT_FOUND when a demo user or the city is missing;
 * errors of the case service and the store. Detail in eb. *out is cleared on entry and filled
 * only on success.
 */
int demo_cases_generate(struct service_ctx *ctx, const struct demo_cases_options *opt,
                        struct demo_cases_result *out, struct errbuf *eb);

#endif
