/*
 * stations.c - station teams and their sessions (see stations.h).
 */
#include "service/stations.h"

#include "base/jsonutil.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/fieldwork.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SKEW_MS ((int64_t)5 * 60 * 1000)
#define YEAR_MS (366LL * 86400000)

static int team_has_community(const struct station_team *t, const char *code)
{
    for (int i = 0; i < t->n_communities; i++)
        if (strcmp(t->communities[i], code) == 0)
            return 1;
    return 0;
}

static int team_visible(const struct principal *p, const struct station_team *t)
{
    if (access_check(p, CAP_FIELD_READ, t->area_code) == 0)
        return 1;
    for (int i = 0; i < t->n_communities; i++)
        if (access_check(p, CAP_FIELD_READ, t->communities[i]) == 0)
            return 1;
    return 0;
}

int stations_team_create(struct service_ctx *ctx, const struct principal *p,
                         const struct station_team *in, int64_t now_ms, struct station_team *out,
                         struct errbuf *eb)
{
    struct station_team t = *in;
    int exists = 0, r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (t.name[0] == '\0' || !utf8_is_clean_text(t.name, strlen(t.name)))
        return errbuf_set(eb, ERR_INVALID, "field 'name' is required");
    if (!areacode_is_valid(t.area_code) || areacode_level(t.area_code) != AREA_STREET)
        return errbuf_set(eb, ERR_INVALID, "field 'area' must be the code of a street or town");
    if ((r = store_area_exists(ctx->st, t.area_code, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", t.area_code);
    if (access_check(p, CAP_FIELD_PLAN, t.area_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user may not form station teams in %s",
                          t.area_code);
    if (t.n_communities < 1 || t.n_communities > STATION_COMMUNITIES_MAX)
        return errbuf_set(eb, ERR_INVALID, "a team is linked to 1 or 2 communities");
    for (int i = 0; i < t.n_communities; i++) {
        const char *c = t.communities[i];
        if (!areacode_is_valid(c) || areacode_level(c) != AREA_COMMUNITY ||
            !areacode_in_subtree(c, t.area_code))
            return errbuf_set(eb, ERR_INVALID, "'%.20s' is not a community of street %s", c,
                              t.area_code);
        if (i == 1 && strcmp(t.communities[0], c) == 0)
            return errbuf_set(eb, ERR_INVALID, "community %s is given twice", c);
        if ((r = store_area_exists(ctx->st, c, &exists)) != 0)
            return r;
        if (!exists)
            return errbuf_set(eb, ERR_NOT_FOUND, "community %s does not exist", c);
    }
    if (t.n_members < 1 || t.n_members > STATION_MEMBERS_MAX)
        return errbuf_set(eb, ERR_INVALID, "a team has 1..%d members", STATION_MEMBERS_MAX);
    for (int i = 0; i < t.n_members; i++) {
        struct user u;
        for (int k = 0; k < i; k++)
            if (t.members[k] == t.members[i])
                return errbuf_set(eb, ERR_INVALID, "member %lld is given twice",
                                  (long long)t.members[i]);
        r = store_user_get(ctx->st, t.members[i], &u);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, ERR_NOT_FOUND, "no user %lld", (long long)t.members[i]);
        if (r != 0)
            return r;
        if (strcmp(u.role, "station_cadre") != 0)
            return errbuf_set(eb, ERR_INVALID, "member %s is not a station cadre", u.username);
        for (int c = 0; c < t.n_communities; c++)
            if (!areacode_in_subtree(t.communities[c], u.area_code))
                return errbuf_set(eb, ERR_INVALID, "member %s does not cover community %s",
                                  u.username, t.communities[c]);
    }
    for (int i = 0; i < t.n_slots; i++) {
        if ((r = station_slot_check(&t.slots[i], (size_t)i, eb)) != 0)
            return r;
        if (t.slots[i].community[0] == '\0' && t.n_communities == 1)
            snprintf(t.slots[i].community, sizeof(t.slots[i].community), "%s", t.communities[0]);
        if (!team_has_community(&t, t.slots[i].community))
            return errbuf_set(eb, ERR_INVALID,
                              "schedule slot %d: the community must be one of the team's", i);
    }
    t.created_ms = now_ms;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_station_team_insert(ctx->st, &t)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        return r;
    }
    *out = t;
    return 0;
}

int stations_team_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                      struct station_team *out, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_station_team_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no station team %lld", (long long)id);
    if (r != 0)
        return r;
    if (!team_visible(p, out))
        return errbuf_set(eb, ERR_FORBIDDEN, "station team %lld is not linked to this user's area",
                          (long long)id);
    return 0;
}

static int read_area(const struct principal *p, const char **area, struct errbuf *eb)
{
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (*area == NULL)
        *area = p->scope;
    if (!areacode_is_valid(*area))
        return errbuf_set(eb, ERR_INVALID, "query parameter 'area' must be an area code");
    if (access_check(p, CAP_FIELD_READ, *area) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "area %.20s is outside what this user may see", *area);
    return 0;
}

int stations_team_list(struct service_ctx *ctx, const struct principal *p, const char *area,
                       store_team_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if ((r = read_area(p, &area, eb)) != 0)
        return r;
    return store_station_team_list(ctx->st, area, fn, fctx);
}

/* ---- sessions ----------------------------------------------------------------------------- */

struct record_job {
    const struct principal *p;
    struct session_input *in;
    const char *community;
    struct station_session *out;
    struct errbuf *eb;
};

static int record_run(struct service_ctx *ctx, void *arg)
{
    struct record_job *j = arg;
    struct station_session s;
    int r;
    memset(&s, 0, sizeof(s));
    s.items = calloc(j->in->n_items, sizeof(*s.items));
    if (s.items == NULL)
        return ERR_INTERNAL;
    s.n_items = j->in->n_items;
    if ((r = store_begin(ctx->st)) != 0) {
        free(s.items);
        return r;
    }
    for (size_t i = 0; i < j->in->n_items; i++) {
        struct session_item_input *it = &j->in->items[i];
        snprintf(s.items[i].kind, sizeof(s.items[i].kind), "%s", it->kind);
        snprintf(s.items[i].summary, sizeof(s.items[i].summary), "%s", it->summary);
        if (it->ticket != NULL) {
            struct case_rec c;
            it->ticket->channel = "office_hours";
            if (!it->ticket->has_point)
                it->ticket->area_code = j->community;
            it->ticket->household_id = 0;
            it->ticket->patrol_id = 0;
            it->ticket->now_ms = j->in->now_ms;
            if ((r = cases_report(ctx, j->p, it->ticket, &c, NULL, j->eb)) != 0) {
                char why[200];
                snprintf(why, sizeof(why), "%s", errbuf_message(j->eb, r));
                errbuf_clear(j->eb);
                errbuf_set(j->eb, r, "item %zu: %s", i, why);
                goto fail;
            }
            s.items[i].case_id = c.id;
            case_rec_cleanup(&c);
        }
    }
    s.team_id = j->in->team_id;
    snprintf(s.community, sizeof(s.community), "%s", j->community);
    s.held_ms = j->in->held_ms;
    s.recorded_by = j->p->user_id;
    s.created_ms = j->in->now_ms;
    if ((r = store_station_session_insert(ctx->st, &s)) != 0)
        goto fail;
    for (size_t i = 0; i < s.n_items; i++) {
        if (s.items[i].case_id != 0 &&
            (r = store_field_case_link_add(ctx->st, "session", s.id, s.items[i].case_id)) != 0)
            goto fail;
    }
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    *j->out = s;
    return 0;
fail:
    store_rollback(ctx->st);
    free(s.items);
    return r;
}

int stations_session_record(struct service_ctx *ctx, const struct principal *p,
                            struct session_input *in, struct station_session *out,
                            struct errbuf *eb)
{
    struct station_team t;
    struct record_job job;
    int is_member = 0, r;
    memset(out, 0, sizeof(*out));
    job = (struct record_job){p, in, NULL, out, eb};
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (!access_role_has(p->role, CAP_STATION_WORK))
        return errbuf_set(eb, ERR_FORBIDDEN, "sessions are recorded by station cadres");
    r = store_station_team_get(ctx->st, in->team_id, &t);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no station team %lld", (long long)in->team_id);
    if (r != 0)
        return r;
    for (int i = 0; i < t.n_members; i++)
        is_member |= t.members[i] == p->user_id;
    if (!is_member)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user is not a member of station team %lld",
                          (long long)in->team_id);
    if (in->community == NULL) {
        if (t.n_communities != 1)
            return errbuf_set(eb, ERR_INVALID,
                              "field 'community' is required: the team serves "
                              "two communities");
        job.community = t.communities[0];
    } else if (!team_has_community(&t, in->community)) {
        return errbuf_set(eb, ERR_INVALID, "community %.20s is not one of the team's",
                          in->community);
    } else {
        job.community = in->community;
    }
    if (in->held_ms > in->now_ms + SKEW_MS)
        return errbuf_set(eb, ERR_INVALID, "field 'held_at' lies in the future");
    if (in->held_ms < in->now_ms - YEAR_MS)
        return errbuf_set(eb, ERR_INVALID, "field 'held_at' is more than a year ago");
    if (in->n_items < 1 || in->n_items > STATIONS_ITEMS_MAX)
        return errbuf_set(eb, ERR_INVALID, "a session records 1..%d items", STATIONS_ITEMS_MAX);
    for (size_t i = 0; i < in->n_items; i++) {
        struct session_item_input *it = &in->items[i];
        enum station_item_kind k;
        size_t n = it->summary ? strlen(it->summary) : 0;
        if (station_item_kind_parse(it->kind, &k) != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "item %zu: kind must be solved_on_spot, ticketed or explained", i);
        if (n == 0 || n > STATION_SUMMARY_MAX || !utf8_is_clean_text(it->summary, n))
            return errbuf_set(eb, ERR_INVALID, "item %zu: summary must be text of 1..%d bytes", i,
                              STATION_SUMMARY_MAX);
        if ((k == STATION_TICKETED) != (it->ticket != NULL))
            return errbuf_set(eb, ERR_INVALID,
                              "item %zu: a ticketed item, and only it, carries a case", i);
    }
    return fieldwork_write(ctx, record_run, &job);
}

int stations_session_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                         struct station_session *out, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_station_session_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no session %lld", (long long)id);
    if (r != 0)
        return r;
    if (access_check(p, CAP_FIELD_READ, out->community) != 0) {
        station_session_cleanup(out);
        return errbuf_set(eb, ERR_FORBIDDEN, "session %lld lies outside what this user may see",
                          (long long)id);
    }
    return 0;
}

int stations_session_list(struct service_ctx *ctx, const struct principal *p, int64_t team_id,
                          const char *area, int64_t from_ms, int64_t to_ms, int limit,
                          store_session_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if (limit < 1 || limit > STATIONS_PAGE_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", STATIONS_PAGE_MAX);
    if (team_id > 0) {
        struct station_team t;
        if ((r = stations_team_get(ctx, p, team_id, &t, eb)) != 0)
            return r;
        return store_station_session_list(ctx->st, team_id, NULL, from_ms, to_ms, limit, fn, fctx);
    }
    if ((r = read_area(p, &area, eb)) != 0)
        return r;
    return store_station_session_list(ctx->st, 0, area, from_ms, to_ms, limit, fn, fctx);
}
