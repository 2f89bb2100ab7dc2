/*
 * stations.h - station teams (驻点联系, SPEC section 5; issue 5): teams of cadres of a street
 * linked to 1-2 of its communities, with a weekly schedule of office hours, and the records of
 * the sessions held, where every item raised is solved on the spot, ticketed (a case opened
 * through the cases workflow, channel office_hours, linked to the session) or explained.
 *
 * Access: creating a team needs CAP_FIELD_PLAN over its street; its members must be station
 * cadres whose area covers the team's communities. Recording a session needs CAP_STATION_WORK
 * and membership of the team; a session with ticketed items is one transaction with its cases
 * (service/fieldwork.h). Reading needs CAP_FIELD_READ over the team's street or one of its
 * communities (sessions: over their community).
 */
#ifndef GRIDGOV_SERVICE_STATIONS_H
#define GRIDGOV_SERVICE_STATIONS_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/station.h"
#include "service/cases.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;

#define STATIONS_ITEMS_MAX 50
#define STATIONS_PAGE_MAX  1000

/* Create a team (write): in->name, area_code (a street), communities, members, slots. */
int stations_team_create(struct service_ctx *ctx, const struct principal *p,
                         const struct station_team *in, int64_t now_ms, struct station_team *out,
                         struct errbuf *eb);
int stations_team_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                      struct station_team *out, struct errbuf *eb);
/* Teams linked to area (NULL: the caller's scope). */
int stations_team_list(struct service_ctx *ctx, const struct principal *p, const char *area,
                       store_team_fn fn, void *fctx, struct errbuf *eb);

struct session_item_input {
    const char *kind;           /* solved_on_spot | ticketed | explained */
    const char *summary;        /* 1..STATION_SUMMARY_MAX bytes */
    struct case_report *ticket; /* ticketed: the case to open (channel, area filled in here) */
};
struct session_input {
    int64_t team_id;
    const char *community; /* NULL: the team's only community */
    int64_t held_ms;
    struct session_item_input *items;
    size_t n_items; /* 1..STATIONS_ITEMS_MAX */
    int64_t now_ms;
};
/* Record a session (write). *out is the session with its items (owned: cleanup). */
int stations_session_record(struct service_ctx *ctx, const struct principal *p,
                            struct session_input *in, struct station_session *out,
                            struct errbuf *eb);
int stations_session_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                         struct station_session *out, struct errbuf *eb);
/* Sessions of team_id (0: of area, NULL area: the caller's scope) in [from, to), newest first. */
int stations_session_list(struct service_ctx *ctx, const struct principal *p, int64_t team_id,
                          const char *area, int64_t from_ms, int64_t to_ms, int limit,
                          store_session_fn fn, void *fctx, struct errbuf *eb);

#endif
