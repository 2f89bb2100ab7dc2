/*
 * demo_fieldwork.h - a simulated year of field work over the demo city (service/demo.h), run
 * through the field-work services (patrols, visits, station teams), after the year of cases
 * (service/demo_cases.h): every grid gets its own grid worker, who patrols it with GPS tracks
 * inside the grid (now and then a fix just outside it) and visits its households at the
 * cadence their members' tags call for; each street gets a station team of cadres linked to
 * one or two of its communities, with Tuesday (and Thursday) office hours and session
 * records.
 *
 * Realistic gaps (issue 5): about one grid in five lags -- well under two patrols a day and
 * visits stretched past the households' intervals, so the compliance report and the task
 * lists have something to show; some station sessions are skipped. Ticketed session items
 * open cases only in the last two weeks (older tickets would sit unhandled: the year of
 * cases is already simulated); earlier items are solved on the spot or explained.
 *
 * Deterministic: the same seed, scale, end_ms and database give the same records. To keep the
 * small city to a few seconds, patrols are simulated for the last 91 days (28 at city scale)
 * with tracks of 5-8 fixes, and each household's visits cover its last one and a half visit
 * intervals (within the year; the last 60 days at city scale) -- the history that timelines,
 * task lists and the compliance report look at. Station sessions cover the whole year.
 */
#ifndef GRIDGOV_SERVICE_DEMO_FIELDWORK_H
#define GRIDGOV_SERVICE_DEMO_FIELDWORK_H

#include "base/error.h"

#include <stdint.h>

struct service_ctx;

struct demo_fieldwork_options {
    const char *scale; /* "small" or "city"; NULL: "small" */
    uint64_t seed;
    int64_t end_ms; /* the year is [end_ms - 365 days, end_ms) */
};

struct demo_fieldwork_result {
    int64_t grid_workers; /* users added: one per grid without its own */
    int64_t patrols, points, outside_points;
    int64_t visits;
    int64_t teams, sessions, items, tickets;
    int64_t lagging_grids;
    int64_t elapsed_ms;
};

/*
 * Generate into ctx's store (a context of its own, no writer), which must hold the demo city
 * and its users (the grid_worker, station_cadre and leader of demo_generate). ERR_EXISTS when
 * it already holds patrols; ERR_NOT_FOUND when a demo user is missing; service and store
 * errors with detail in eb. Writes in batches (each use case a savepoint inside). Draws a
 * progress bar labelled "field work" on stderr.
 */
int demo_fieldwork_generate(struct service_ctx *ctx, const struct demo_fieldwork_options *opt,
                            struct demo_fieldwork_result *out, struct errbuf *eb);

#endif
