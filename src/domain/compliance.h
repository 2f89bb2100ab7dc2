/*
 * compliance.h - the arithmetic of field-work compliance (SPEC section 5, issue 5): per grid,
 * patrols per day against the norm (two a day), households unvisited for more than 30 days
 * and those past their risk interval, and the share of cases found by grid workers (channels
 * patrol and visit) against those reported by residents (web, phone, Open311, app) -- a grid
 * where residents find most problems first is not being patrolled; per station team, the
 * sessions held against those scheduled. Lists are sorted worst first.
 *
 * The service layer fills the counts (service/compliance.h); this module derives the rates
 * and orders. Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_COMPLIANCE_H
#define GRIDGOV_DOMAIN_COMPLIANCE_H

#include <stddef.h>
#include <stdint.h>

#define COMPLIANCE_PATROL_NORM    2  /* patrols a day (SPEC section 5) */
#define COMPLIANCE_UNVISITED_DAYS 30 /* "unvisited for over 30 days" */

enum compliance_channel_class {
    COMPLIANCE_FOUND,    /* found by grid workers: patrol, visit */
    COMPLIANCE_RESIDENT, /* reported by residents: web, phone, open311, app */
    COMPLIANCE_OTHER,    /* office hours, building chiefs, councils */
};
/* The class of a case channel. */
enum compliance_channel_class compliance_channel_class(const char *channel);

struct grid_compliance {
    char grid[19];
    char name[129];
    /* counts (filled by the caller) */
    int64_t patrols;        /* ended patrols started in the period */
    int64_t households;     /* households of the grid */
    int64_t unvisited_30;   /* of them, no visit in the 30 days before the end */
    int64_t overdue;        /* of them, past their risk interval */
    int64_t cases_found;    /* cases of the period found by grid workers */
    int64_t cases_resident; /* reported by residents */
    /* derived (compliance_grid_finish) */
    double patrols_per_day;
    double patrol_rate;       /* patrols_per_day / norm, 0.. */
    int64_t patrol_shortfall; /* patrols missing against the norm, >= 0 */
    double found_share;       /* found / (found + resident); -1 when both are 0 */
};

struct team_compliance {
    int64_t team_id;
    char name[129];
    int64_t scheduled; /* sessions the weekly schedule implies in the period */
    int64_t held;      /* sessions recorded in the period */
    /* derived */
    int64_t missed;   /* scheduled - held, >= 0 */
    double held_rate; /* held / scheduled (1 when nothing was scheduled), capped at 1 */
};

/* Derive the rates of a grid over a period of days (> 0). */
void compliance_grid_finish(struct grid_compliance *g, double days);
void compliance_team_finish(struct team_compliance *t);

enum compliance_sort {
    COMPLIANCE_SORT_PATROLS,   /* lowest patrol rate first */
    COMPLIANCE_SORT_UNVISITED, /* largest share of households unvisited for 30 days first */
    COMPLIANCE_SORT_OVERDUE,   /* most households past their interval first */
    COMPLIANCE_SORT_FOUND,     /* lowest share of cases found by grid workers first; grids
                                  without cases last */
};
/* Parse "patrols", "unvisited", "overdue", "found"; -1 when unknown. */
int compliance_sort_parse(const char *name);
/* Sort grids worst first by key; ties by the other measures, then by grid code. */
void compliance_sort_grids(struct grid_compliance *g, size_t n, enum compliance_sort key);
/* Sort teams worst first: most sessions missed, then lowest held rate, then id. */
void compliance_sort_teams(struct team_compliance *t, size_t n);

#endif
