/*
 * api_disputes.c - disputes over HTTP (SPEC section 6).
 *
 *   POST /api/v1/disputes               register -> 201 the dispute (recurrence_of set when
 *                                       the same parties had a dispute before)
 *   GET  /api/v1/disputes               list: area, state, type, case_id, from, to, cursor,
 *                                       limit
 *   GET  /api/v1/disputes/stats         area, from, to -> found, mediated, concluded, success,
 *                                       success rate, recurrences; per type and in all
 *   GET  /api/v1/disputes/{id}          one dispute with parties, mediators, sessions,
 *                                       follow-up visits and the actions the caller may take
 *   POST /api/v1/disputes/{id}/actions  {"action", fields} -> 200 the dispute; 409
 *                                       invalid_transition, 403, 400 naming the field
 *   GET  /api/v1/disputes/{id}/events   the log
 *
 * Area-scoped through service/disputes.c (CAP_DISPUTE_READ / CAP_DISPUTE_REPORT).
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/disputes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(int64_t ms)
{
    char text[32];
    if (ms <= 0)
        return json_null();
    time_format_iso(ms, text, sizeof(text));
    return json_string(text);
}

static int reply_dispute_error(struct api_response *resp, int r)
{
    if (r == ERR_NOT_FOUND)
        return api_reply_error(resp, r, "no such dispute");
    if (r == ERR_FORBIDDEN)
        return api_reply_error(resp, r, "this dispute is outside what this user may see");
    if (r == ERR_UNAUTHORIZED)
        return api_reply_error(resp, r, "log in first");
    return r;
}

static int path_id(const struct api_request *req, int64_t *id)
{
    const char *p = req->path_params[0];
    char *end = NULL;
    long long v;
    errno = 0;
    v = strtoll(p, &end, 10);
    if (errno != 0 || end == p || *end != '\0' || v <= 0)
        return ERR_NOT_FOUND;
    *id = v;
    return 0;
}

static json_t *dispute_json(const struct dispute_rec *d)
{
    enum dispute_state st;
    enum dispute_type ty;
    enum dispute_outcome oc;
    json_t *j =
        json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s}", "id", (json_int_t)d->id,
                  "area_code", d->area_code, "title", d->title, "type", d->type, "risk", d->risk,
                  "state", d->state, "outcome", d->outcome, "level", d->level, "level_name",
                  areacode_level_name(d->level), "summary", d->summary);
    if (dispute_state_parse(d->state, &st) == 0)
        json_object_set_new(j, "state_name", json_string(dispute_state_name_zh(st)));
    if (dispute_type_parse(d->type, &ty) == 0)
        json_object_set_new(j, "type_name", json_string(dispute_type_name_zh(ty)));
    if (dispute_outcome_parse(d->outcome, &oc) == 0)
        json_object_set_new(j, "outcome_name", json_string(dispute_outcome_name_zh(oc)));
    json_object_set_new(j, "case_id", d->case_id ? json_integer(d->case_id) : json_null());
    json_object_set_new(j, "recurrence_of",
                        d->recurrence_of ? json_integer(d->recurrence_of) : json_null());
    json_object_set_new(j, "is_recurrence", json_boolean(d->recurrence_of != 0));
    json_object_set_new(j, "mediator_count", json_integer(d->mediator_count));
    json_object_set_new(j, "session_count", json_integer(d->session_count));
    json_object_set_new(j, "follow_up_count", json_integer(d->follow_up_count));
    json_object_set_new(j, "found_at", time_or_null(d->found_ms));
    json_object_set_new(j, "created_at", time_or_null(d->created_ms));
    json_object_set_new(j, "updated_at", time_or_null(d->updated_ms));
    json_object_set_new(j, "closed_at", time_or_null(d->closed_ms));
    return j;
}

static json_t *allowed_json(unsigned mask)
{
    json_t *a = json_array();
    for (int i = 0; i < DISPUTE_ACTION_COUNT; i++)
        if (mask & DISPUTE_ACTION_BIT(i))
            json_array_append_new(a, json_string(dispute_action_name((enum dispute_action)i)));
    return a;
}

static int parse_parties(json_t *arr, struct dispute_new *in, struct errbuf *eb)
{
    static const char *const allowed[] = {"kind", "person_id", "organisation_id",
                                          "name", "side",      NULL};
    size_t i;
    json_t *o;
    int r;

    if (!json_is_array(arr) || json_array_size(arr) > DISPUTES_PARTIES_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'parties' must be a list of at most %d parties",
                          DISPUTES_PARTIES_MAX);
    json_array_foreach(arr, i, o)
    {
        struct dispute_party_in *p = &in->parties[i];
        long long person = 0, org = 0;
        if (!json_is_object(o))
            return errbuf_set(eb, ERR_INVALID, "parties[%zu] must be an object", i);
        if ((r = json_check_keys(o, allowed, eb)) != 0 ||
            (r = json_get_string(o, "kind", 1, 15, &p->kind, eb)) != 0 ||
            (r = json_get_int(o, "person_id", 0, 1, INT64_MAX, &person, NULL, eb)) != 0 ||
            (r = json_get_int(o, "organisation_id", 0, 1, INT64_MAX, &org, NULL, eb)) != 0 ||
            (r = json_get_string(o, "name", 0, 63, &p->name, eb)) != 0 ||
            (r = json_get_string(o, "side", 0, 15, &p->side, eb)) != 0)
            return r;
        p->person_id = person;
        p->organisation_id = org;
        in->n_parties++;
    }
    return 0;
}

int api_disputes_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"area_code", "title",    "type",    "risk", "summary",
                                          "case_id",   "found_at", "parties", NULL};
    struct errbuf eb = {{0}};
    struct dispute_new *in = calloc(1, sizeof(*in));
    struct dispute_rec *d = calloc(1, sizeof(*d));
    const char *found = NULL;
    long long case_id = 0;
    json_t *body = NULL;
    int r;

    if (in == NULL || d == NULL) {
        free(in);
        free(d);
        return ERR_INTERNAL;
    }
    if (api_body_object(req, resp, allowed, &body) != 0) {
        r = 0;
        goto out;
    }
    if ((r = json_get_string(body, "area_code", 0, 18, &in->area_code, &eb)) != 0 ||
        (r = json_get_string(body, "title", 1, 128, &in->title, &eb)) != 0 ||
        (r = json_get_string(body, "type", 1, 23, &in->type, &eb)) != 0 ||
        (r = json_get_string(body, "risk", 0, 11, &in->risk, &eb)) != 0 ||
        (r = json_get_string(body, "summary", 0, DISPUTE_TEXT_MAX, &in->summary, &eb)) != 0 ||
        (r = json_get_int(body, "case_id", 0, 1, INT64_MAX, &case_id, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "found_at", 0, 31, &found, &eb)) != 0)
        goto bad;
    if (json_object_get(body, "parties") == NULL) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'parties' is required");
        goto bad;
    }
    if ((r = parse_parties(json_object_get(body, "parties"), in, &eb)) != 0)
        goto bad;
    if (found != NULL && time_parse_iso(found, &in->found_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'found_at' must be a date or an ISO time");
        goto bad;
    }
    in->case_id = case_id;
    in->now_ms = time_now_ms();
    if ((r = disputes_register(req->svc, req->principal, in, d, &eb)) != 0)
        goto bad;
    r = api_reply_json(resp, 201, dispute_json(d));
    goto out;
bad:
    r = api_reply_errbuf(resp, r, &eb);
out:
    json_decref(body);
    free(in);
    free(d);
    return r;
}

int api_disputes_list(struct api_request *req, struct api_response *resp)
{
    struct dispute_filter f;
    struct dispute_list list;
    enum dispute_state st;
    enum dispute_type ty;
    long limit, cursor, case_id;
    const char *v;
    json_t *items, *j;
    int r;

    memset(&f, 0, sizeof(f));
    f.area = api_query(req, "area");
    if (f.area && !areacode_is_valid(f.area))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'area' is not an area code");
    if ((v = api_query(req, "state")) != NULL && dispute_state_parse(v, &st) != 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'state' is not a state");
    f.state = v;
    if ((v = api_query(req, "type")) != NULL && dispute_type_parse(v, &ty) != 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'type' is not a type");
    f.type = v;
    if (api_query_int(req, resp, "limit", 1, DISPUTES_PAGE_MAX, 50, &limit) != 0 ||
        api_query_int(req, resp, "cursor", 1, INT64_MAX, 0, &cursor) != 0 ||
        api_query_int(req, resp, "case_id", 1, INT64_MAX, 0, &case_id) != 0)
        return 0;
    if (((v = api_query(req, "from")) != NULL && time_parse_iso(v, &f.from_ms) != 0) ||
        ((v = api_query(req, "to")) != NULL && time_parse_iso(v, &f.to_ms) != 0))
        return api_reply_error(resp, ERR_INVALID,
                               "query parameters 'from' and 'to' must be dates YYYY-MM-DD");
    f.limit = (int)limit;
    f.before_id = cursor;
    f.case_id = case_id;
    r = disputes_list(req->svc, req->principal, &f, &list);
    if (r == ERR_FORBIDDEN || r == ERR_UNAUTHORIZED)
        return api_reply_access(resp, r, f.area ? f.area : "");
    if (r != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < list.len; i++)
        json_array_append_new(items, dispute_json(&list.items[i]));
    j = json_pack("{s:o}", "items", items);
    json_object_set_new(j, "next_cursor",
                        list.len == (size_t)f.limit
                            ? json_sprintf("%lld", (long long)list.items[list.len - 1].id)
                            : json_null());
    dispute_list_cleanup(&list);
    return api_reply_json(resp, 200, j);
}

static json_t *stats_row_json(const struct dispute_stats_row *row)
{
    enum dispute_type ty;
    json_t *j = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I}", "type", row->type, "found",
                          (json_int_t)row->found, "mediated", (json_int_t)row->mediated,
                          "concluded", (json_int_t)row->concluded, "success",
                          (json_int_t)row->success, "recurrences", (json_int_t)row->recurrences);
    if (dispute_type_parse(row->type, &ty) == 0)
        json_object_set_new(j, "type_name", json_string(dispute_type_name_zh(ty)));
    /* success rate: of the disputes that ended, the share settled (agreement or 调结) */
    json_object_set_new(j, "success_rate",
                        row->concluded > 0
                            ? json_real((double)row->success / (double)row->concluded)
                            : json_null());
    return j;
}

int api_disputes_stats(struct api_request *req, struct api_response *resp)
{
    struct dispute_stats s;
    const char *area = api_query(req, "area"), *v;
    int64_t from = 0, to = 0;
    json_t *rows, *j;
    int r;

    if (area && !areacode_is_valid(area))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'area' is not an area code");
    if (((v = api_query(req, "from")) != NULL && time_parse_iso(v, &from) != 0) ||
        ((v = api_query(req, "to")) != NULL && time_parse_iso(v, &to) != 0))
        return api_reply_error(resp, ERR_INVALID,
                               "query parameters 'from' and 'to' must be dates YYYY-MM-DD");
    if (to != 0 && to <= from)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'to' must be after 'from'");
    r = disputes_stats(req->svc, req->principal, area, from, to, &s);
    if (r == ERR_FORBIDDEN || r == ERR_UNAUTHORIZED)
        return api_reply_access(resp, r, area ? area : "");
    if (r != 0)
        return r;
    rows = json_array();
    for (int i = 0; i < s.n_rows; i++)
        json_array_append_new(rows, stats_row_json(&s.rows[i]));
    j = json_pack("{s:s, s:o, s:o, s:o, s:o}", "area", area ? area : req->principal->scope, "from",
                  time_or_null(from), "to", time_or_null(to), "by_type", rows, "total",
                  stats_row_json(&s.total));
    return api_reply_json(resp, 200, j);
}

int api_dispute_get(struct api_request *req, struct api_response *resp)
{
    struct dispute_rec *d = calloc(1, sizeof(*d));
    struct dispute_party_list parties = {0};
    struct dispute_mediator_list mediators = {0};
    struct dispute_entry_list sessions = {0}, visits = {0};
    json_t *j, *a;
    int64_t id;
    int r;

    if (d == NULL)
        return ERR_INTERNAL;
    if ((r = path_id(req, &id)) != 0 || (r = disputes_get(req->svc, req->principal, id, d)) != 0) {
        free(d);
        return reply_dispute_error(resp, r);
    }
    if ((r = store_dispute_parties(req->svc->st, id, &parties)) != 0 ||
        (r = store_dispute_mediators(req->svc->st, id, &mediators)) != 0 ||
        (r = store_dispute_entries(req->svc->st, DISPUTE_ENTRY_SESSION, id, &sessions)) != 0 ||
        (r = store_dispute_entries(req->svc->st, DISPUTE_ENTRY_FOLLOW_UP, id, &visits)) != 0)
        goto out;
    j = dispute_json(d);
    a = json_array();
    for (size_t i = 0; i < parties.len; i++) {
        const struct dispute_party *p = &parties.items[i];
        json_array_append_new(
            a, json_pack("{s:s, s:o, s:o, s:s, s:s}", "kind", p->kind, "person_id",
                         p->person_id ? json_integer(p->person_id) : json_null(), "organisation_id",
                         p->organisation_id ? json_integer(p->organisation_id) : json_null(),
                         "name", p->name, "side", p->side));
    }
    json_object_set_new(j, "parties", a);
    a = json_array();
    for (size_t i = 0; i < mediators.len; i++) {
        const struct dispute_mediator *m = &mediators.items[i];
        enum mediator_role mr;
        json_t *mj = json_pack("{s:s, s:s, s:o, s:o}", "role", m->role, "name", m->name, "user_id",
                               m->user_id ? json_integer(m->user_id) : json_null(), "assigned_at",
                               time_or_null(m->assigned_ms));
        if (dispute_mediator_role_parse(m->role, &mr) == 0)
            json_object_set_new(mj, "role_name", json_string(dispute_mediator_role_name_zh(mr)));
        json_array_append_new(a, mj);
    }
    json_object_set_new(j, "mediators", a);
    a = json_array();
    for (size_t i = 0; i < sessions.len; i++)
        json_array_append_new(a, json_pack("{s:i, s:o, s:s}", "seq", sessions.items[i].seq, "at",
                                           time_or_null(sessions.items[i].at_ms), "notes",
                                           sessions.items[i].text));
    json_object_set_new(j, "sessions", a);
    a = json_array();
    for (size_t i = 0; i < visits.len; i++)
        json_array_append_new(a, json_pack("{s:i, s:o, s:s}", "seq", visits.items[i].seq, "at",
                                           time_or_null(visits.items[i].at_ms), "findings",
                                           visits.items[i].text));
    json_object_set_new(j, "follow_ups", a);
    json_object_set_new(j, "allowed_actions",
                        allowed_json(disputes_allowed_actions(req->svc, req->principal, d)));
    r = api_reply_json(resp, 200, j);
out:
    dispute_party_list_cleanup(&parties);
    dispute_mediator_list_cleanup(&mediators);
    dispute_entry_list_cleanup(&sessions);
    dispute_entry_list_cleanup(&visits);
    free(d);
    return r;
}

int api_dispute_act(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {
        "action",        "text",          "reason",           "referral",
        "mediator_role", "mediator_name", "mediator_user_id", NULL};
    struct errbuf eb = {{0}};
    struct dispute_input in;
    struct dispute_rec *d = calloc(1, sizeof(*d));
    const char *action = NULL;
    long long mediator_user = 0;
    json_t *body = NULL, *j;
    int64_t id;
    int r;

    if (d == NULL)
        return ERR_INTERNAL;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0) {
        free(d);
        return 0;
    }
    if ((r = json_get_string(body, "action", 1, 31, &action, &eb)) != 0 ||
        (r = json_get_string(body, "text", 0, DISPUTE_TEXT_MAX, &in.text, &eb)) != 0 ||
        (r = json_get_string(body, "reason", 0, DISPUTE_TEXT_MAX, &in.reason, &eb)) != 0 ||
        (r = json_get_string(body, "referral", 0, 23, &in.referral, &eb)) != 0 ||
        (r = json_get_string(body, "mediator_role", 0, 23, &in.mediator_role, &eb)) != 0 ||
        (r = json_get_string(body, "mediator_name", 0, DISPUTE_NAME_MAX, &in.mediator_name, &eb)) !=
            0 ||
        (r = json_get_int(body, "mediator_user_id", 0, 1, INT64_MAX, &mediator_user, NULL, &eb)) !=
            0)
        goto bad;
    if (dispute_action_parse(action, &in.action) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "unknown action '%.32s'", action);
        goto bad;
    }
    if ((r = path_id(req, &id)) != 0) {
        json_decref(body);
        free(d);
        return reply_dispute_error(resp, r);
    }
    r = disputes_act(req->svc, req->principal, id, &in, mediator_user, time_now_ms(), d, &eb);
    if (r == ERR_NOT_FOUND && eb.msg[0] == '\0') {
        r = reply_dispute_error(resp, r);
        goto out;
    }
    if (r == ERR_CONFLICT) {
        r = api_reply_error(resp, r, "the dispute changed meanwhile; reload and try again");
        goto out;
    }
    if (r != 0)
        goto bad;
    j = dispute_json(d);
    json_object_set_new(j, "allowed_actions",
                        allowed_json(disputes_allowed_actions(req->svc, req->principal, d)));
    r = api_reply_json(resp, 200, j);
    goto out;
bad:
    r = api_reply_errbuf(resp, r, &eb);
out:
    json_decref(body);
    free(d);
    return r;
}

int api_dispute_events(struct api_request *req, struct api_response *resp)
{
    struct dispute_rec *d = calloc(1, sizeof(*d));
    struct gov_event_list events;
    json_t *items;
    int64_t id;
    int r;

    if (d == NULL)
        return ERR_INTERNAL;
    if ((r = path_id(req, &id)) != 0 || (r = disputes_get(req->svc, req->principal, id, d)) != 0) {
        free(d);
        return reply_dispute_error(resp, r);
    }
    free(d);
    if ((r = store_dispute_events(req->svc->st, id, &events)) != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < events.len; i++) {
        const struct gov_event *e = &events.items[i];
        json_t *payload = json_loads(e->payload, 0, NULL);
        json_array_append_new(items, json_pack("{s:I, s:o, s:I, s:s, s:s, s:s, s:s, s:o}", "seq",
                                               (json_int_t)e->seq, "at", time_or_null(e->at_ms),
                                               "actor_user_id", (json_int_t)e->actor_user_id,
                                               "actor_role", e->actor_role, "action", e->action,
                                               "from", e->from_state, "to", e->to_state, "payload",
                                               payload ? payload : json_object()));
    }
    gov_event_list_cleanup(&events);
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}
