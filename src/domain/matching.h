/*
 * matching.h - ranking volunteers for a need (SPEC section 8: "a doctor runs a free clinic
 * rather than sweeping streets"; issue 5).
 *
 * A candidate is first filtered, then scored. Filters, in this order (the first that applies
 * is the reason counted): not active; already assigned to the need; not available in the
 * need's weekly slot; none of the required skills; home farther than the need's radius.
 * Scores, each in [0, 1]:
 *   skill     mean over the required skills of 1 (level >= the required level),
 *             level / required (a lower level), 0 (absent); 1 when nothing is required;
 *   distance  1 - d / radius for the great-circle distance d from home to the need's place
 *             (domain/patrol.h haversine); 0.5 when either place is unknown;
 *   load      1 / (1 + hours / MATCH_LOAD_HOURS + assignments / MATCH_LOAD_ASSIGNMENTS) over
 *             the last 30 days: the busy are asked last;
 *   total     MATCH_W_SKILL * skill + MATCH_W_DISTANCE * distance + MATCH_W_LOAD * load.
 * Order: total, then skill (higher first), then distance (nearer first, unknown last), then
 * id (lower first) -- a total order, so the ranking is the same on every run.
 * Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_MATCHING_H
#define GRIDGOV_DOMAIN_MATCHING_H

#include "domain/volunteer.h"

#include <stddef.h>
#include <stdint.h>

struct errbuf;

#define MATCH_W_SKILL          0.5
#define MATCH_W_DISTANCE       0.3
#define MATCH_W_LOAD           0.2
#define MATCH_LOAD_HOURS       20.0 /* 20 h in 30 days halves the load score... */
#define MATCH_LOAD_ASSIGNMENTS 4.0  /* ...as do 4 assignments */
#define MATCH_RADIUS_MAX_M     50000.0

struct match_need {
    struct vol_skills skills; /* required skills; level = the minimum wanted */
    int has_point;
    double lon, lat;
    double radius_m; /* (0, MATCH_RADIUS_MAX_M] */
    int slot_bit;    /* availability bit the volunteer must hold (volunteer.h); -1: any */
};

struct match_candidate {
    int64_t id; /* > 0 */
    int is_active;
    int is_assigned; /* already on this need */
    struct vol_skills skills;
    unsigned availability; /* VOL_AVAIL_BITS */
    int has_home;
    double lon, lat;
    double hours_30d;        /* >= 0 */
    int64_t assignments_30d; /* >= 0 */
};

enum match_reason {
    MATCH_INACTIVE,
    MATCH_ASSIGNED,
    MATCH_UNAVAILABLE,
    MATCH_NO_SKILL,
    MATCH_TOO_FAR,
    MATCH_REASON_COUNT
};

struct match_score {
    size_t index; /* into the candidates */
    int64_t id;
    double skill, distance, load, total;
    double distance_m; /* -1 when unknown */
};

/* Stable name of a reason ("inactive", "assigned", "unavailable", "no_skill", "too_far"). */
const char *matching_reason_name(enum match_reason r);

/*
 * Rank the n candidates c for need: the eligible ones into out (room for n), best first,
 * their number into *n_out; excluded[reason] counts the others. ERR_INVALID (nothing
 * written to *n_out) for a bad need (radius, coordinates, skills) or a bad candidate (id,
 * skills, coordinates, negative or non-finite load), naming it.
 */
int matching_rank(const struct match_need *need, const struct match_candidate *c, size_t n,
                  struct match_score *out, size_t *n_out, int64_t excluded[MATCH_REASON_COUNT],
                  struct errbuf *eb);

#endif
