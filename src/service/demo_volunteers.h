/*
 * demo_volunteers.h - volunteers, needs, posts and chiefs for the demo city (service/demo.h;
 * SPEC section 8, issue 5), written through the volunteer and cases services after the year
 * of field work (service/demo_fieldwork.h).
 *
 * Per community: 16-26 volunteers with one to three skills of the controlled list (care and
 * teaching common, law and medicine rarer, sign language and translation rare), weekly
 * availability leaning to evenings and weekends, homes in the community's cells, a few paused
 * or gone; two to four posts (设岗定责) with duties and two to five members, whose hours are
 * logged over the last 90 days (one post in five has logged nothing for a month); four to six
 * needs in the next two weeks (service requests, some attached to a post), assigned from their
 * ranked matches -- needs for rare skills stay unmatched, some are only partly filled.
 * Per grid: a building chief and a lane chief for two of its cells, each with a login of role
 * chief (password of the demo's community staff); per street a street chief for a grid. About
 * one chief in three has relayed one or two cases of their cell in the last week, through the
 * cases workflow (channel building_chief).
 *
 * Deterministic: the same seed, scale, end_ms and database give the same records.
 */
#ifndef GRIDGOV_SERVICE_DEMO_VOLUNTEERS_H
#define GRIDGOV_SERVICE_DEMO_VOLUNTEERS_H

#include "base/error.h"

#include <stdint.h>

struct service_ctx;

struct demo_volunteers_options {
    uint64_t seed;
    int64_t end_ms; /* "now" of the demo: hours before it, needs after it */
};

struct demo_volunteers_result {
    int64_t volunteers, active;
    int64_t posts, members, hours_entries, hours_minutes, idle_posts;
    int64_t needs, needs_filled, needs_unmatched, assignments;
    int64_t chiefs, relayed_cases;
    char chief_login[65]; /* the username of one chief who relayed a case ("" if none) */
    int64_t elapsed_ms;
};

/*
 * Generate into ctx's store (a context of its own, no writer), which must hold the demo city
 * and its users (admin, community_staff). ERR_EXISTS when it already holds volunteers;
 * ERR_NOT_FOUND when a demo user is missing; service and store errors with detail in eb. One
 * transaction (each use case a savepoint inside it).
 */
int demo_volunteers_generate(struct service_ctx *ctx, const struct demo_volunteers_options *opt,
                             struct demo_volunteers_result *out, struct errbuf *eb);

#endif
