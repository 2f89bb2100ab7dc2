/*
 * volunteers.h - volunteers, needs and matching, posts (设岗定责) with members and hours, and
 * building/lane/street chiefs (三长) (SPEC section 8, issue 5).
 *
 * Access (domain/access.h): reading needs CAP_VOLUNTEER_READ over the record's area; writing
 * (volunteers, needs, assignments, posts, members, hours, chiefs) CAP_VOLUNTEER_MANAGE over it.
 * Matching ranks the active volunteers of the need's street (narrowed to the caller's scope
 * when that is deeper) with the pure ranking of domain/matching.h; their load is the hours
 * logged and the assignments made in the last 30 days.
 *
 * Hours: one entry is minutes worked by one post member on one day; the rule of
 * volunteer_hours_check (no empty or negative entries, no future days, at most 24 h per
 * person per day over every post) is checked and the entry written on the writer (one job), so
 * two entries at once cannot both pass the daily limit.
 *
 * Chiefs relay cases through the normal cases workflow: a report with channel
 * "building_chief" and chief_id (service/cases.h) calls volunteers_check_relay, and the case
 * is linked to the chief (field_case_links, source "chief") in the report's transaction.
 */
#ifndef GRIDGOV_SERVICE_VOLUNTEERS_H
#define GRIDGOV_SERVICE_VOLUNTEERS_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/matching.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;

#define VOLUNTEERS_PAGE_MAX    1000
#define NEEDS_PAGE_MAX         1000
#define NEEDS_WANTED_MAX       50
#define NEEDS_RADIUS_DEFAULT_M 5000.0
#define NEEDS_MATCHES_MAX      200
#define VOLUNTEERS_LOAD_DAYS   30
#define VOLUNTEERS_POOL_MAX    5000 /* candidates read for one matching */

/* Create (write): validates every field of in (name, area, skills text, availability, home,
 * status; person_id a person of the area; user_id a user with role volunteer whose area
 * covers it). *out is the stored record. */
int volunteers_create(struct service_ctx *ctx, const struct principal *p,
                      const struct volunteer_rec *in, int64_t now_ms, struct volunteer_rec *out,
                      struct errbuf *eb);
/* Replace a volunteer's fields (write); the same checks, over the old and the new area. */
int volunteers_update(struct service_ctx *ctx, const struct principal *p,
                      const struct volunteer_rec *in, int64_t now_ms, struct volunteer_rec *out,
                      struct errbuf *eb);
/* Mark as left (write); kept for the record of their hours. */
int volunteers_remove(struct service_ctx *ctx, const struct principal *p, int64_t id,
                      int64_t now_ms, struct volunteer_rec *out, struct errbuf *eb);
int volunteers_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                   struct volunteer_rec *out, struct errbuf *eb);
/* f->area NULL: the caller's scope. */
int volunteers_list(struct service_ctx *ctx, const struct principal *p, struct volunteer_filter *f,
                    store_volunteer_fn fn, void *fctx, struct errbuf *eb);
/* A volunteer's logged hours per post for days in [from_ms, to_ms) (0: open). */
int volunteers_hours(struct service_ctx *ctx, const struct principal *p, int64_t id,
                     int64_t from_ms, int64_t to_ms, store_hours_total_fn fn, void *fctx,
                     struct errbuf *eb);

/* Declare a need (write). in->source, source_id, title, skills (text), starts_ms,
 * duration_min, wanted, radius_m (0: the default), and a place: has_point/lon/lat or
 * area_code; a case's or post's place is taken when none is given. */
int needs_create(struct service_ctx *ctx, const struct principal *p, const struct need_rec *in,
                 int64_t now_ms, struct need_rec *out, struct errbuf *eb);
int needs_get(struct service_ctx *ctx, const struct principal *p, int64_t id, struct need_rec *out,
              struct errbuf *eb);
int needs_list(struct service_ctx *ctx, const struct principal *p, struct need_filter *f,
               store_need_fn fn, void *fctx, struct errbuf *eb);

struct need_match {
    struct match_score score;
    struct volunteer_rec v;
    double hours_30d;
    int64_t assignments_30d;
};
struct need_matches {
    struct need_match *items; /* owned: need_matches_cleanup */
    size_t n;
    int64_t candidates; /* volunteers looked at */
    int64_t excluded[MATCH_REASON_COUNT];
};
void need_matches_cleanup(struct need_matches *m);
/* The best (at most limit, 1..NEEDS_MATCHES_MAX) volunteers for need id, ranked. */
int needs_matches(struct service_ctx *ctx, const struct principal *p, int64_t id, int limit,
                  int64_t now_ms, struct need_matches *out, struct errbuf *eb);
/* Assign an active volunteer of the matching pool to need id (write). ERR_EXISTS when already
 * assigned, ERR_CONFLICT when the need is filled. *out is the need after it. */
int needs_assign(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 int64_t volunteer_id, int64_t now_ms, struct need_rec *out, struct errbuf *eb);

/* Posts. */
int posts_create(struct service_ctx *ctx, const struct principal *p, const struct post_rec *in,
                 int64_t now_ms, struct post_rec *out, struct errbuf *eb);
int posts_get(struct service_ctx *ctx, const struct principal *p, int64_t id, struct post_rec *out,
              struct errbuf *eb);
int posts_list(struct service_ctx *ctx, const struct principal *p, const char *area,
               store_post_fn fn, void *fctx, struct errbuf *eb);
/* Add a member (write): in->member_kind "volunteer" (an active volunteer) or "person" (a
 * base-data person), whose area lies in the post's; in->duty. ERR_EXISTS when a member. */
int posts_member_add(struct service_ctx *ctx, const struct principal *p, int64_t post_id,
                     const struct post_member *in, int64_t now_ms, struct post_member *out,
                     struct errbuf *eb);
int posts_members(struct service_ctx *ctx, const struct principal *p, int64_t post_id,
                  store_member_fn fn, void *fctx, struct errbuf *eb);
/* Log hours (write) of post member in->member_id at post_id: in->day_ms (a local midnight),
 * in->minutes, in->note. *out is the stored entry. */
int posts_log_hours(struct service_ctx *ctx, const struct principal *p, int64_t post_id,
                    const struct hours_rec *in, int64_t now_ms, struct hours_rec *out,
                    struct errbuf *eb);

/* Chiefs: in->kind, name, and building_id (the chief's cell is the building's) or area_code;
 * optional person_id, user_id (a user with role chief whose scope covers the cell). */
int chiefs_create(struct service_ctx *ctx, const struct principal *p, const struct chief_rec *in,
                  int64_t now_ms, struct chief_rec *out, struct errbuf *eb);
/* Readable by CAP_VOLUNTEER_READ over the cell, and by the chief's own user. */
int chiefs_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
               struct chief_rec *out, struct errbuf *eb);
/* The chiefs of area (default: p's scope) for CAP_VOLUNTEER_READ; a user with role chief gets
 * only their own chief records (of their scope, within area when given). */
int chiefs_list(struct service_ctx *ctx, const struct principal *p, const char *area,
                store_chief_fn fn, void *fctx, struct errbuf *eb);
/* May p relay a case in area_code as chief chief_id? A chief relays only as their own record,
 * other roles need CAP_CHIEF_RELAY over the chief's cell; the case must lie in that cell.
 * ERR_NOT_FOUND, ERR_FORBIDDEN with the reason. */
int volunteers_check_relay(struct service_ctx *ctx, const struct principal *p, int64_t chief_id,
                           const char *area_code, struct errbuf *eb);

/* The city's UTC offset in minutes (the calendar's). */
int volunteers_utc_offset(struct service_ctx *ctx);

#endif
