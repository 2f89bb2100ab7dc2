/*
 * api_fieldwork.c - /api/v1/patrols[...] (issue 5, SPEC section 5; service/patrols.h does the
 * work).
 *
 * A patrol is {id, grid_code, user_id, status ("running"|"ended"), started_at, ended_at,
 * distance_m, duration_s, points, outside_points, fast_points}; GET /patrols/ID adds its
 * track ([{t, lon, lat, accuracy, outside, fast}], time order) and the cases found on it.
 * Uploaded points give t as an ISO 8601 UTC time or milliseconds since the epoch.
 *
 * Also /api/v1/visits, /visit-rules, /campaigns, /tasks (service/visits.h) and
 * /api/v1/station-teams, /sessions (service/stations.h) and /api/v1/compliance
 * (service/compliance.h; JSON, CSV or XLSX).
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "service/compliance.h"
#include "service/context.h"
#include "service/fieldwork.h"
#include "service/patrols.h"
#include "service/stations.h"
#include "service/visits.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int path_id(const struct api_request *req, int64_t *out)
{
    char *end;
    long long v;
    if (req->n_path_params < 1)
        return ERR_NOT_FOUND;
    errno = 0;
    v = strtoll(req->path_params[0], &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return ERR_NOT_FOUND;
    *out = v;
    return 0;
}

static json_t *time_json(int64_t ms)
{
    char text[32];
    if (ms <= 0)
        return json_null();
    time_format_iso(ms, text, sizeof(text));
    return json_string(text);
}

/* Round to centimetres: a distance is not more precise than its fixes. */
static double metres(double m)
{
    return round(m * 100.0) / 100.0;
}

static json_t *patrol_json(const struct patrol_rec *p)
{
    return json_pack(
        "{s:I, s:s, s:I, s:s, s:o, s:o, s:f, s:I, s:I, s:I, s:I}", "id", (json_int_t)p->id,
        "grid_code", p->grid_code, "user_id", (json_int_t)p->user_id, "status",
        p->ended_ms ? "ended" : "running", "started_at", time_json(p->started_ms), "ended_at",
        time_json(p->ended_ms), "distance_m", metres(p->distance_m), "duration_s",
        (json_int_t)(p->duration_ms / 1000), "points", (json_int_t)p->n_points, "outside_points",
        (json_int_t)p->n_outside, "fast_points", (json_int_t)p->n_fast);
}

int api_patrols_start(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"grid_code", NULL};
    struct errbuf eb = {{0}};
    struct patrol_rec rec;
    const char *grid = NULL;
    json_t *body = NULL;
    int r;
    if (req->body_len > 0) {
        if (api_body_object(req, resp, allowed, &body) != 0)
            return 0;
        if ((r = json_get_string(body, "grid_code", 0, 18, &grid, &eb)) != 0)
            goto out;
    }
    r = patrols_start(req->svc, req->principal, grid, time_now_ms(), &rec, &eb);
    if (r == 0)
        r = api_reply_json(resp, 201, patrol_json(&rec));
out:
    if (r != 0 && resp->status == 0)
        api_reply_errbuf(resp, r, &eb);
    json_decref(body);
    return 0;
}

/* One uploaded point: {t, lon, lat, accuracy}. */
static int parse_point(json_t *j, size_t i, struct patrol_point *pt, struct errbuf *eb)
{
    static const char *const allowed[] = {"t", "lon", "lat", "accuracy", NULL};
    json_t *t;
    int has_acc = 0;
    memset(pt, 0, sizeof(*pt));
    if (!json_is_object(j))
        return errbuf_set(eb, ERR_INVALID, "point %zu must be an object {t, lon, lat, accuracy}",
                          i);
    if (json_check_keys(j, allowed, eb) != 0)
        return ERR_INVALID;
    t = json_object_get(j, "t");
    if (json_is_integer(t) && json_integer_value(t) > 0) {
        pt->t_ms = json_integer_value(t);
    } else if (!json_is_string(t) || time_parse_iso(json_string_value(t), &pt->t_ms) != 0) {
        return errbuf_set(eb, ERR_INVALID,
                          "point %zu: 't' must be an ISO 8601 UTC time or milliseconds", i);
    }
    if (json_get_number(j, "lon", 1, -180, 180, &pt->lon, NULL, eb) != 0 ||
        json_get_number(j, "lat", 1, -90, 90, &pt->lat, NULL, eb) != 0 ||
        json_get_number(j, "accuracy", 0, 0, PATROL_ACCURACY_MAX, &pt->accuracy, &has_acc, eb) !=
            0) {
        char why[160];
        snprintf(why, sizeof(why), "%s", errbuf_message(eb, ERR_INVALID));
        errbuf_clear(eb);
        return errbuf_set(eb, ERR_INVALID, "point %zu: %s", i, why);
    }
    return 0;
}

int api_patrol_points(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"batch_id", "points", NULL};
    struct errbuf eb = {{0}};
    struct patrol_upload in;
    struct patrol_upload_result res;
    json_t *body = NULL, *pts, *item;
    int64_t id;
    size_t i;
    int r;
    memset(&in, 0, sizeof(in));
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "batch_id", 1, PATROLS_BATCH_ID_MAX, &in.batch_id, &eb)) != 0)
        goto out;
    pts = json_object_get(body, "points");
    if (!json_is_array(pts) || json_array_size(pts) == 0 ||
        json_array_size(pts) > PATROLS_BATCH_MAX) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'points' must be a list of 1..%d points",
                       PATROLS_BATCH_MAX);
        goto out;
    }
    in.n = json_array_size(pts);
    in.points = xcalloc(in.n, sizeof(*in.points));
    json_array_foreach(pts, i, item)
    {
        if ((r = parse_point(item, i, &in.points[i], &eb)) != 0)
            goto out;
    }
    in.now_ms = time_now_ms();
    r = patrols_upload(req->svc, req->principal, id, &in, &res, &eb);
    if (r == 0)
        r = api_reply_json(resp, res.is_duplicate ? 200 : 201,
                           json_pack("{s:b, s:I, s:I, s:o}", "duplicate", res.is_duplicate,
                                     "accepted", (json_int_t)res.accepted, "outside",
                                     (json_int_t)res.outside, "patrol", patrol_json(&res.rec)));
out:
    if (r != 0 && resp->status == 0)
        api_reply_errbuf(resp, r, &eb);
    free(in.points);
    json_decref(body);
    return 0;
}

int api_patrol_end(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct patrol_rec rec;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = patrols_end(req->svc, req->principal, id, time_now_ms(), &rec, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 200, patrol_json(&rec));
}

int api_patrol_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct patrol_detail d;
    json_t *j, *track, *cases;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = patrols_get(req->svc, req->principal, id, &d, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    j = patrol_json(&d.rec);
    track = json_array();
    for (size_t i = 0; i < d.n_points; i++) {
        const struct patrol_point *pt = &d.points[i];
        char t[32];
        time_format_iso_ms(pt->t_ms, t, sizeof(t));
        json_array_append_new(track, json_pack("{s:s, s:f, s:f, s:f, s:b, s:b}", "t", t, "lon",
                                               pt->lon, "lat", pt->lat, "accuracy", pt->accuracy,
                                               "outside", (pt->flags & PATROL_PT_OUTSIDE) != 0,
                                               "fast", (pt->flags & PATROL_PT_FAST) != 0));
    }
    cases = json_array();
    for (size_t i = 0; i < d.n_cases; i++) {
        struct case_rec c;
        if (store_case_get(req->svc->st, d.case_ids[i], &c) != 0)
            continue;
        if (access_check(req->principal, CAP_CASE_READ, c.area_code) == 0)
            json_array_append_new(cases, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)c.id,
                                                   "number", c.number, "status", c.status));
        case_rec_cleanup(&c);
    }
    json_object_set_new(j, "track", track);
    json_object_set_new(j, "cases", cases);
    patrol_detail_cleanup(&d);
    return api_reply_json(resp, 200, j);
}

static int list_collect(void *arg, const struct patrol_rec *p)
{
    json_array_append_new(arg, patrol_json(p));
    return 0;
}

/* Query parameter key as a time (ISO or a date); absent leaves *out. 400 written on error. */
static int query_time(struct api_request *req, struct api_response *resp, const char *key,
                      int64_t *out)
{
    const char *v = api_query(req, key);
    char msg[128];
    if (v == NULL)
        return 0;
    if (fieldwork_parse_time(v, out) != 0) {
        snprintf(msg, sizeof(msg), "query parameter '%s' must be a date or an ISO 8601 time", key);
        api_reply_error(resp, ERR_INVALID, msg);
        return ERR_INVALID;
    }
    return 0;
}

int api_patrols_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct patrol_filter f;
    long user = 0, before = 0, limit = 0, running = 0;
    json_t *items, *j;
    int r;
    memset(&f, 0, sizeof(f));
    if (api_query_int(req, resp, "user_id", 1, INT64_MAX, 0, &user) != 0 ||
        api_query_int(req, resp, "before", 1, INT64_MAX, 0, &before) != 0 ||
        api_query_int(req, resp, "running", 0, 1, 0, &running) != 0 ||
        api_query_int(req, resp, "limit", 1, PATROLS_PAGE_MAX, 100, &limit) != 0 ||
        query_time(req, resp, "from", &f.from_ms) != 0 ||
        query_time(req, resp, "to", &f.to_ms) != 0)
        return 0;
    f.area = api_query(req, "area");
    f.user_id = user;
    f.before_id = before;
    f.is_running = (int)running;
    f.limit = (int)limit;
    items = json_array();
    if ((r = patrols_list(req->svc, req->principal, &f, list_collect, items, &eb)) != 0) {
        json_decref(items);
        return api_reply_errbuf(resp, r, &eb);
    }
    j = json_object();
    json_object_set_new(
        j, "next",
        (long)json_array_size(items) == limit
            ? json_sprintf("%lld", (long long)json_integer_value(json_object_get(
                                       json_array_get(items, json_array_size(items) - 1), "id")))
            : json_null());
    json_object_set_new(j, "items", items);
    return api_reply_json(resp, 200, j);
}

/* ---- visits ------------------------------------------------------------------------------- */

static json_t *visit_json(const struct visit_rec *v)
{
    return json_pack("{s:I, s:s, s:I, s:s, s:I, s:o, s:s, s:o, s:o}", "id", (json_int_t)v->id,
                     "subject_kind", v->subject_kind, "subject_id", (json_int_t)v->subject_id,
                     "area_code", v->cell_code, "user_id", (json_int_t)v->user_id, "visited_at",
                     time_json(v->visited_ms), "findings", v->findings, "follow_up_case_id",
                     v->case_id ? json_integer(v->case_id) : json_null(), "recorded_at",
                     time_json(v->created_ms));
}

/* The follow-up case object of a visit: {category, description, urgency, lon, lat, address}. */
static int parse_follow_up(json_t *j, struct case_report *rep, struct errbuf *eb)
{
    static const char *const allowed[] = {"category", "description", "urgency", "lon",
                                          "lat",      "address",     NULL};
    int has_lon = 0, has_lat = 0;
    memset(rep, 0, sizeof(*rep));
    if (!json_is_object(j))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'follow_up_case' must be an object {category, description}");
    if (json_check_keys(j, allowed, eb) != 0 ||
        json_get_string(j, "category", 1, 8, &rep->category, eb) != 0 ||
        json_get_string(j, "description", 1, CASE_TEXT_MAX, &rep->description, eb) != 0 ||
        json_get_string(j, "urgency", 0, 11, &rep->urgency, eb) != 0 ||
        json_get_string(j, "address", 0, 255, &rep->address, eb) != 0 ||
        json_get_number(j, "lon", 0, -180, 180, &rep->lon, &has_lon, eb) != 0 ||
        json_get_number(j, "lat", 0, -90, 90, &rep->lat, &has_lat, eb) != 0) {
        char why[160];
        snprintf(why, sizeof(why), "%s", errbuf_message(eb, ERR_INVALID));
        errbuf_clear(eb);
        return errbuf_set(eb, ERR_INVALID, "follow_up_case: %s", why);
    }
    if (has_lon != has_lat)
        return errbuf_set(eb, ERR_INVALID, "follow_up_case: give both 'lon' and 'lat', or neither");
    rep->has_point = has_lon;
    return 0;
}

/* Idempotency-Key of a visit: 16..CASE_REPORT_KEY_MAX of [A-Za-z0-9_-] (as for case reports,
 * api_cases.c). Sets *key (NULL when absent). ERR_INVALID when present but malformed. */
static int visit_key(struct api_request *req, const char **key, struct errbuf *eb)
{
    const char *k = api_header(req, "Idempotency-Key");
    size_t n;
    *key = NULL;
    if (k == NULL || req->principal == NULL)
        return 0;
    n = strlen(k);
    if (n < 16 || n > CASE_REPORT_KEY_MAX ||
        strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "abcdefghijklmnopqrstuvwxyz"
                  "0123456789_-") != n)
        return errbuf_set(eb, ERR_INVALID,
                          "header Idempotency-Key must be 16 to %d letters, digits, '-' or '_'",
                          CASE_REPORT_KEY_MAX);
    *key = k;
    return 0;
}

/* The visit an earlier request with the same key made, answered as the first time but with
 * 200 and "replayed": true. Returns 1 when it answered, 0 when there is none. */
static int visit_replay(struct api_request *req, struct api_response *resp, const char *key)
{
    int64_t id;
    struct visit_rec v;
    struct case_rec c;
    json_t *j;
    if (store_visit_key_get(req->svc->st, req->principal->user_id, key, &id) != 0 ||
        store_visit_get(req->svc->st, id, &v) != 0)
        return 0;
    j = visit_json(&v);
    if (v.case_id != 0 && store_case_get(req->svc->st, v.case_id, &c) == 0) {
        json_object_set_new(j, "follow_up_case",
                            json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c.id, "number",
                                      c.number, "status", c.status, "channel", c.channel));
        case_rec_cleanup(&c);
    } else {
        json_object_set_new(j, "follow_up_case", json_null());
    }
    json_object_set_new(j, "replayed", json_true());
    api_reply_json(resp, 200, j);
    return 1;
}

int api_visits_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"household_id", "organisation_id", "visited_at",
                                          "findings",     "follow_up_case",  NULL};
    struct errbuf eb = {{0}};
    struct visit_input in;
    struct case_report rep;
    struct visit_rec v;
    struct case_rec c;
    json_t *body = NULL, *fu, *out;
    long long household = 0, organisation = 0;
    const char *visited_at = NULL;
    int r;
    memset(&in, 0, sizeof(in));
    memset(&c, 0, sizeof(c));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_int(body, "household_id", 0, 1, INT64_MAX, &household, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "organisation_id", 0, 1, INT64_MAX, &organisation, NULL, &eb)) !=
            0 ||
        (r = json_get_string(body, "visited_at", 0, 40, &visited_at, &eb)) != 0 ||
        (r = json_get_string(body, "findings", 1, VISIT_FINDINGS_MAX, &in.findings, &eb)) != 0)
        goto out;
    if ((household > 0) == (organisation > 0)) {
        r = errbuf_set(&eb, ERR_INVALID,
                       "give exactly one of 'household_id' and 'organisation_id'");
        goto out;
    }
    in.subject_kind = household > 0 ? "household" : "organisation";
    in.subject_id = household > 0 ? household : organisation;
    in.now_ms = time_now_ms();
    in.visited_ms = in.now_ms;
    if (visited_at != NULL && fieldwork_parse_time(visited_at, &in.visited_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'visited_at' must be an ISO 8601 time");
        goto out;
    }
    fu = json_object_get(body, "follow_up_case");
    if (fu != NULL && !json_is_null(fu)) {
        if ((r = parse_follow_up(fu, &rep, &eb)) != 0)
            goto out;
        in.follow_up = &rep;
    }
    if ((r = visit_key(req, &in.idem_key, &eb)) != 0)
        goto out;
    if (in.idem_key != NULL && visit_replay(req, resp, in.idem_key))
        goto out;
    r = visits_record(req->svc, req->principal, &in, &v, &c, &eb);
    /* Lost a race with the same key: the other request's visit is the answer. */
    if (r == ERR_EXISTS && in.idem_key != NULL && visit_replay(req, resp, in.idem_key))
        r = 0;
    if (r != 0 || resp->status != 0)
        goto out;
    out = visit_json(&v);
    json_object_set_new(out, "follow_up_case",
                        c.id ? json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c.id, "number",
                                         c.number, "status", c.status, "channel", c.channel)
                             : json_null());
    case_rec_cleanup(&c);
    r = api_reply_json(resp, 201, out);
out:
    if (r != 0 && resp->status == 0)
        api_reply_errbuf(resp, r, &eb);
    json_decref(body);
    return 0;
}

int api_visit_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct visit_rec v;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = visits_get(req->svc, req->principal, id, &v, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 200, visit_json(&v));
}

static int visit_collect(void *arg, const struct visit_rec *v)
{
    json_array_append_new(arg, visit_json(v));
    return 0;
}

int api_visits_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct visit_filter f;
    long household = 0, organisation = 0, before = 0, limit = 0;
    json_t *items, *j;
    int r;
    memset(&f, 0, sizeof(f));
    if (api_query_int(req, resp, "household_id", 1, INT64_MAX, 0, &household) != 0 ||
        api_query_int(req, resp, "organisation_id", 1, INT64_MAX, 0, &organisation) != 0 ||
        api_query_int(req, resp, "before", 1, INT64_MAX, 0, &before) != 0 ||
        api_query_int(req, resp, "limit", 1, VISITS_PAGE_MAX, 100, &limit) != 0 ||
        query_time(req, resp, "from", &f.from_ms) != 0 ||
        query_time(req, resp, "to", &f.to_ms) != 0)
        return 0;
    f.area = api_query(req, "area");
    if (household > 0) {
        f.subject_kind = "household";
        f.subject_id = household;
    } else if (organisation > 0) {
        f.subject_kind = "organisation";
        f.subject_id = organisation;
    }
    f.before_id = before;
    f.limit = (int)limit;
    items = json_array();
    if ((r = visits_list(req->svc, req->principal, &f, visit_collect, items, &eb)) != 0) {
        json_decref(items);
        return api_reply_errbuf(resp, r, &eb);
    }
    j = json_object();
    json_object_set_new(
        j, "next",
        (long)json_array_size(items) == limit
            ? json_sprintf("%lld", (long long)json_integer_value(json_object_get(
                                       json_array_get(items, json_array_size(items) - 1), "id")))
            : json_null());
    json_object_set_new(j, "items", items);
    return api_reply_json(resp, 200, j);
}

/* ---- visit cadence rules ------------------------------------------------------------------ */

int api_visit_rules_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct visit_rules rules;
    json_t *items;
    int r;
    if (req->principal == NULL)
        return api_reply_error(resp, ERR_UNAUTHORIZED, NULL);
    if (!access_role_has(req->principal->role, CAP_FIELD_READ))
        return api_reply_error(resp, ERR_FORBIDDEN, "the visit rules are for field staff");
    if ((r = visits_rules(req->svc, &rules, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    items = json_array();
    for (int i = 0; i < rules.n; i++)
        json_array_append_new(items, json_pack("{s:s, s:i}", "rule", rules.rules[i].name,
                                               "interval_days", rules.rules[i].interval_days));
    return api_reply_json(
        resp, 200, json_pack("{s:i, s:o}", "default_days", rules.default_days, "rules", items));
}

int api_visit_rules_put(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"csv", NULL};
    struct errbuf eb = {{0}};
    const char *csv = NULL;
    json_t *body = NULL;
    int r;
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "csv", 1, 16384, &csv, &eb)) == 0)
        r = visits_set_rules(req->svc, req->principal, csv, &eb);
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_visit_rules_get(req, resp);
}

/* ---- campaigns ---------------------------------------------------------------------------- */

static json_t *campaign_json(const struct campaign_rec *c)
{
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:I, s:I}", "id", (json_int_t)c->id, "name",
                     c->name, "area_code", c->area_code, "from", time_json(c->from_ms), "to",
                     time_json(c->to_ms), "created_at", time_json(c->created_ms), "created_by",
                     (json_int_t)c->created_by, "targets", (json_int_t)c->n_targets);
}

int api_campaigns_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"name", "area", "from", "to", NULL};
    struct errbuf eb = {{0}};
    struct campaign_rec c;
    const char *name = NULL, *area = NULL, *from = NULL, *to = NULL;
    int64_t from_ms = 0, to_ms = 0;
    json_t *body = NULL;
    int r;
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "name", 1, 128, &name, &eb)) != 0 ||
        (r = json_get_string(body, "area", 1, 18, &area, &eb)) != 0 ||
        (r = json_get_string(body, "from", 1, 40, &from, &eb)) != 0 ||
        (r = json_get_string(body, "to", 1, 40, &to, &eb)) != 0)
        goto out;
    if (fieldwork_parse_time(from, &from_ms) != 0 || fieldwork_parse_time(to, &to_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "fields 'from' and 'to' must be dates or ISO 8601 times");
        goto out;
    }
    if ((r = campaigns_create(req->svc, req->principal, name, area, from_ms, to_ms, time_now_ms(),
                              &c, &eb)) == 0)
        r = api_reply_json(resp, 201, campaign_json(&c));
out:
    if (r != 0 && resp->status == 0)
        api_reply_errbuf(resp, r, &eb);
    json_decref(body);
    return 0;
}

struct coverage_out {
    json_t *grids;
    int64_t targets, covered;
};

static int coverage_collect(void *arg, const char *area, int64_t targets, int64_t covered)
{
    struct coverage_out *o = arg;
    json_array_append_new(
        o->grids,
        json_pack("{s:s, s:I, s:I, s:f}", "grid", area, "targets", (json_int_t)targets, "visited",
                  (json_int_t)covered, "coverage",
                  targets ? round(1000.0 * (double)covered / (double)targets) / 1000.0 : 0.0));
    o->targets += targets;
    o->covered += covered;
    return 0;
}

int api_campaign_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct campaign_rec c;
    struct coverage_out o = {NULL, 0, 0};
    json_t *j;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    o.grids = json_array();
    if ((r = campaigns_get(req->svc, req->principal, id, &c, coverage_collect, &o, &eb)) != 0) {
        json_decref(o.grids);
        return api_reply_errbuf(resp, r, &eb);
    }
    j = campaign_json(&c);
    json_object_set_new(j, "visited", json_integer(o.covered));
    json_object_set_new(
        j, "coverage",
        json_real(o.targets ? round(1000.0 * (double)o.covered / (double)o.targets) / 1000.0
                            : 0.0));
    json_object_set_new(j, "grids", o.grids);
    return api_reply_json(resp, 200, j);
}

/* ---- the grid worker's task list ---------------------------------------------------------- */

int api_tasks(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct visit_tasks t;
    long limit = 0;
    json_t *visits, *verify;
    int r;
    if (api_query_int(req, resp, "limit", 1, VISITS_TASKS_MAX, 100, &limit) != 0)
        return 0;
    if ((r = visits_tasks(req->svc, req->principal, api_query(req, "area"), time_now_ms(),
                          (int)limit, &t, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    visits = json_array();
    for (size_t i = 0; i < t.len; i++) {
        const struct visit_task *k = &t.items[i];
        json_array_append_new(
            visits, json_pack("{s:s, s:s, s:I, s:s, s:s, s:o, s:i, s:s, s:I}", "task", "visit",
                              "subject_kind", k->state.subject_kind, "subject_id",
                              (json_int_t)k->state.subject_id, "area_code", k->state.cell_code,
                              "label", k->state.label, "last_visit_at",
                              time_json(k->state.last_visit_ms), "interval_days", k->interval_days,
                              "rule", k->rule, "days_overdue", (json_int_t)k->days_overdue));
    }
    verify = json_array();
    for (size_t i = 0; i < t.to_verify.len; i++) {
        const struct case_rec *c = &t.to_verify.items[i];
        json_array_append_new(verify, json_pack("{s:s, s:I, s:s, s:s, s:s, s:s}", "task", "verify",
                                                "case_id", (json_int_t)c->id, "number", c->number,
                                                "category", c->category, "status", c->status,
                                                "area_code", c->area_code));
    }
    r = api_reply_json(resp, 200,
                       json_pack("{s:I, s:o, s:o}", "overdue_total", (json_int_t)t.total_overdue,
                                 "overdue_visits", visits, "to_verify", verify));
    visit_tasks_cleanup(&t);
    return r;
}

/* ---- station teams and sessions ----------------------------------------------------------- */

static json_t *team_json(struct api_request *req, const struct station_team *t)
{
    json_t *communities = json_array(), *members = json_array(), *schedule = json_array();
    for (int i = 0; i < t->n_communities; i++)
        json_array_append_new(communities, json_string(t->communities[i]));
    for (int i = 0; i < t->n_members; i++) {
        struct user u;
        if (store_user_get(req->svc->st, t->members[i], &u) == 0)
            json_array_append_new(members,
                                  json_pack("{s:I, s:s, s:s}", "id", (json_int_t)u.id, "username",
                                            u.username, "display_name", u.display_name));
    }
    for (int i = 0; i < t->n_slots; i++) {
        const struct station_slot *s = &t->slots[i];
        char hhmm[32];
        snprintf(hhmm, sizeof(hhmm), "%02d:%02d", s->minute_of_day / 60, s->minute_of_day % 60);
        json_array_append_new(schedule, json_pack("{s:i, s:s, s:i, s:s}", "weekday", s->weekday,
                                                  "time", hhmm, "duration_min", s->duration_min,
                                                  "community", s->community));
    }
    return json_pack("{s:I, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)t->id, "name",
                     t->name, "area_code", t->area_code, "communities", communities, "members",
                     members, "schedule", schedule, "created_at", time_json(t->created_ms));
}

/* The team described by body into t (members by id or username). */
static int parse_team(struct api_request *req, json_t *body, struct station_team *t,
                      struct errbuf *eb)
{
    const char *name = NULL, *area = NULL;
    json_t *list, *v;
    size_t i;
    memset(t, 0, sizeof(*t));
    if (json_get_string(body, "name", 1, sizeof(t->name) - 1, &name, eb) != 0 ||
        json_get_string(body, "area", 1, 18, &area, eb) != 0)
        return ERR_INVALID;
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(t->area_code, sizeof(t->area_code), "%s", area);
    list = json_object_get(body, "communities");
    if (!json_is_array(list) || json_array_size(list) < 1 ||
        json_array_size(list) > STATION_COMMUNITIES_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'communities' must list 1 or 2 community codes");
    json_array_foreach(list, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) > 18)
            return errbuf_set(eb, ERR_INVALID, "field 'communities' must hold area codes");
        snprintf(t->communities[t->n_communities++], sizeof(t->communities[0]), "%s",
                 json_string_value(v));
    }
    list = json_object_get(body, "members");
    if (!json_is_array(list) || json_array_size(list) < 1 ||
        json_array_size(list) > STATION_MEMBERS_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'members' must list 1..%d users",
                          STATION_MEMBERS_MAX);
    json_array_foreach(list, i, v)
    {
        if (json_is_integer(v) && json_integer_value(v) > 0) {
            t->members[t->n_members++] = json_integer_value(v);
        } else if (json_is_string(v) && json_string_length(v) <= USER_NAME_MAX) {
            struct user u;
            if (store_user_get_by_name(req->svc->st, json_string_value(v), &u) != 0)
                return errbuf_set(eb, ERR_NOT_FOUND, "no user %.64s", json_string_value(v));
            t->members[t->n_members++] = u.id;
        } else {
            return errbuf_set(eb, ERR_INVALID, "field 'members' must hold user ids or names");
        }
    }
    list = json_object_get(body, "schedule");
    if (list != NULL && !json_is_null(list)) {
        if (!json_is_array(list) || json_array_size(list) > STATION_SLOTS_MAX)
            return errbuf_set(eb, ERR_INVALID, "field 'schedule' must list at most %d slots",
                              STATION_SLOTS_MAX);
        json_array_foreach(list, i, v)
        {
            static const char *const allowed[] = {"weekday", "time", "duration_min", "community",
                                                  NULL};
            struct station_slot *s = &t->slots[t->n_slots++];
            long long wd = 0, dur = 60;
            const char *time = NULL, *community = NULL;
            if (!json_is_object(v) || json_check_keys(v, allowed, eb) != 0 ||
                json_get_int(v, "weekday", 1, 1, 7, &wd, NULL, eb) != 0 ||
                json_get_string(v, "time", 1, 5, &time, eb) != 0 ||
                json_get_int(v, "duration_min", 0, 15, 720, &dur, NULL, eb) != 0 ||
                json_get_string(v, "community", 0, 18, &community, eb) != 0 ||
                station_parse_time_of_day(time, &s->minute_of_day) != 0) {
                errbuf_clear(eb);
                return errbuf_set(eb, ERR_INVALID,
                                  "schedule slot %zu must be {weekday 1..7, time \"HH:MM\", "
                                  "duration_min 15..720, community}",
                                  i);
            }
            s->weekday = (int)wd;
            s->duration_min = (int)dur;
            snprintf(s->community, sizeof(s->community), "%s", community ? community : "");
        }
    }
    return 0;
}

int api_station_teams_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"name",    "area",     "communities",
                                          "members", "schedule", NULL};
    struct errbuf eb = {{0}};
    struct station_team in, out;
    json_t *body = NULL;
    int r;
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if (req->principal == NULL)
        r = ERR_UNAUTHORIZED;
    else if ((r = parse_team(req, body, &in, &eb)) == 0 &&
             (r = stations_team_create(req->svc, req->principal, &in, time_now_ms(), &out, &eb)) ==
                 0)
        r = api_reply_json(resp, 201, team_json(req, &out));
    if (r != 0 && resp->status == 0)
        api_reply_errbuf(resp, r, &eb);
    json_decref(body);
    return 0;
}

int api_station_team_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct station_team t;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = stations_team_get(req->svc, req->principal, id, &t, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 200, team_json(req, &t));
}

struct team_collect {
    struct api_request *req;
    json_t *items;
};

static int team_collect_fn(void *arg, const struct station_team *t)
{
    struct team_collect *c = arg;
    json_array_append_new(c->items, team_json(c->req, t));
    return 0;
}

int api_station_teams_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct team_collect c = {req, json_array()};
    int r;
    if ((r = stations_team_list(req->svc, req->principal, api_query(req, "area"), team_collect_fn,
                                &c, &eb)) != 0) {
        json_decref(c.items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", c.items));
}

static json_t *session_json(const struct station_session *s, int with_items)
{
    json_t *j = json_pack("{s:I, s:I, s:s, s:o, s:I, s:o}", "id", (json_int_t)s->id, "team_id",
                          (json_int_t)s->team_id, "community", s->community, "held_at",
                          time_json(s->held_ms), "recorded_by", (json_int_t)s->recorded_by,
                          "recorded_at", time_json(s->created_ms));
    if (with_items) {
        json_t *items = json_array();
        for (size_t i = 0; i < s->n_items; i++)
            json_array_append_new(
                items,
                json_pack("{s:s, s:s, s:o}", "kind", s->items[i].kind, "summary",
                          s->items[i].summary, "case_id",
                          s->items[i].case_id ? json_integer(s->items[i].case_id) : json_null()));
        json_object_set_new(j, "items", items);
    }
    return j;
}

int api_sessions_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"team_id", "community", "held_at", "items", NULL};
    static const char *const item_keys[] = {"kind", "summary", "case", NULL};
    struct errbuf eb = {{0}};
    struct session_input in;
    struct session_item_input *items = NULL;
    struct case_report *tickets = NULL;
    struct station_session out;
    const char *held_at = NULL;
    long long team = 0;
    json_t *body = NULL, *list, *v;
    size_t i;
    int r;
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_int(body, "team_id", 1, 1, INT64_MAX, &team, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "community", 0, 18, &in.community, &eb)) != 0 ||
        (r = json_get_string(body, "held_at", 0, 40, &held_at, &eb)) != 0)
        goto out;
    in.team_id = team;
    in.now_ms = time_now_ms();
    in.held_ms = in.now_ms;
    if (held_at != NULL && fieldwork_parse_time(held_at, &in.held_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'held_at' must be an ISO 8601 time");
        goto out;
    }
    list = json_object_get(body, "items");
    if (!json_is_array(list) || json_array_size(list) < 1 ||
        json_array_size(list) > STATIONS_ITEMS_MAX) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'items' must list 1..%d items", STATIONS_ITEMS_MAX);
        goto out;
    }
    in.n_items = json_array_size(list);
    items = xcalloc(in.n_items, sizeof(*items));
    tickets = xcalloc(in.n_items, sizeof(*tickets));
    in.items = items;
    json_array_foreach(list, i, v)
    {
        json_t *kase;
        if (!json_is_object(v) || json_check_keys(v, item_keys, &eb) != 0 ||
            json_get_string(v, "kind", 1, 15, &items[i].kind, &eb) != 0 ||
            json_get_string(v, "summary", 1, STATION_SUMMARY_MAX, &items[i].summary, &eb) != 0) {
            char why[160];
            snprintf(why, sizeof(why), "%s", errbuf_message(&eb, ERR_INVALID));
            errbuf_clear(&eb);
            r = errbuf_set(&eb, ERR_INVALID, "item %zu: %s", i,
                           json_is_object(v) ? why : "must be {kind, summary, case}");
            goto out;
        }
        kase = json_object_get(v, "case");
        if (kase != NULL && !json_is_null(kase)) {
            if ((r = parse_follow_up(kase, &tickets[i], &eb)) != 0)
                goto out;
            items[i].ticket = &tickets[i];
        }
    }
    if ((r = stations_session_record(req->svc, req->principal, &in, &out, &eb)) == 0)
        r = api_reply_json(resp, 201, session_json(&out, 1));
    station_session_cleanup(&out);
out:
    if (r != 0 && resp->status == 0)
        api_reply_errbuf(resp, r, &eb);
    free(items);
    free(tickets);
    json_decref(body);
    return 0;
}

int api_session_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct station_session s;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = stations_session_get(req->svc, req->principal, id, &s, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    r = api_reply_json(resp, 200, session_json(&s, 1));
    station_session_cleanup(&s);
    return r;
}

static int session_collect(void *arg, const struct station_session *s)
{
    json_array_append_new(arg, session_json(s, 0));
    return 0;
}

int api_sessions_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    long team = 0, limit = 0;
    int64_t from = 0, to = 0;
    json_t *items;
    int r;
    if (api_query_int(req, resp, "team_id", 1, INT64_MAX, 0, &team) != 0 ||
        api_query_int(req, resp, "limit", 1, STATIONS_PAGE_MAX, 100, &limit) != 0 ||
        query_time(req, resp, "from", &from) != 0 || query_time(req, resp, "to", &to) != 0)
        return 0;
    items = json_array();
    if ((r = stations_session_list(req->svc, req->principal, team, api_query(req, "area"), from, to,
                                   (int)limit, session_collect, items, &eb)) != 0) {
        json_decref(items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- compliance ----------------------------------------------------------------------------- */

static json_t *share_json(double v)
{
    return v < 0 ? json_null() : json_real(round(v * 1000.0) / 1000.0);
}

static json_t *report_json(const struct compliance_report *r)
{
    json_t *grids = json_array(), *teams = json_array();
    for (size_t i = 0; i < r->n_grids; i++) {
        const struct grid_compliance *g = &r->grids[i];
        json_array_append_new(
            grids,
            json_pack("{s:s, s:s, s:{s:I, s:o, s:i, s:I}, s:{s:I, s:I, s:I}, s:{s:I, s:I, "
                      "s:o}}",
                      "grid", g->grid, "name", g->name, "patrols", "count", (json_int_t)g->patrols,
                      "per_day", share_json(g->patrols_per_day), "norm_per_day",
                      COMPLIANCE_PATROL_NORM, "shortfall", (json_int_t)g->patrol_shortfall,
                      "households", "total", (json_int_t)g->households, "unvisited_30d",
                      (json_int_t)g->unvisited_30, "overdue", (json_int_t)g->overdue, "cases",
                      "found_by_grid_workers", (json_int_t)g->cases_found, "reported_by_residents",
                      (json_int_t)g->cases_resident, "found_share", share_json(g->found_share)));
    }
    for (size_t i = 0; i < r->n_teams; i++) {
        const struct team_compliance *t = &r->teams[i];
        json_array_append_new(teams, json_pack("{s:I, s:s, s:I, s:I, s:I, s:o}", "team_id",
                                               (json_int_t)t->team_id, "name", t->name, "scheduled",
                                               (json_int_t)t->scheduled, "held",
                                               (json_int_t)t->held, "missed", (json_int_t)t->missed,
                                               "held_rate", share_json(t->held_rate)));
    }
    return json_pack("{s:s, s:o, s:o, s:o, s:f, s:o, s:o}", "area", r->area, "from",
                     time_json(r->from_ms), "to", time_json(r->to_ms), "as_of", time_json(r->at_ms),
                     "days", round(r->days * 100.0) / 100.0, "grids", grids, "teams", teams);
}

int api_compliance(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct compliance_report rep;
    const char *format = api_query(req, "format"), *list = api_query(req, "list");
    const char *sort = api_query(req, "sort");
    int64_t now = time_now_ms(), from = 0, to = now;
    int key = COMPLIANCE_SORT_PATROLS, is_teams = 0, r;
    if (query_time(req, resp, "to", &to) != 0)
        return 0;
    from = to - 30 * 86400000LL;
    if (query_time(req, resp, "from", &from) != 0)
        return 0;
    if (sort != NULL && (key = compliance_sort_parse(sort)) < 0)
        return api_reply_error(resp, ERR_INVALID,
                               "sort must be patrols, unvisited, overdue or found");
    if (format != NULL && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0 &&
        strcmp(format, "xlsx") != 0)
        return api_reply_error(resp, ERR_INVALID, "format must be json, csv or xlsx");
    if (list != NULL && strcmp(list, "grids") != 0 && strcmp(list, "teams") != 0)
        return api_reply_error(resp, ERR_INVALID, "list must be grids or teams");
    is_teams = list != NULL && strcmp(list, "teams") == 0;
    if ((r = compliance_report(req->svc, req->principal, api_query(req, "area"), from, to, now,
                               (enum compliance_sort)key, &rep, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    if (format == NULL || strcmp(format, "json") == 0) {
        r = api_reply_json(resp, 200, report_json(&rep));
    } else {
        char path[1100];
        int is_xlsx = strcmp(format, "xlsx") == 0;
        if (api_temp_file("compliance", path, sizeof(path)) != 0) {
            compliance_report_cleanup(&rep);
            return api_reply_error(resp, ERR_IO, "cannot create a temporary file");
        }
        r = compliance_export(&rep, is_xlsx ? COMPLIANCE_XLSX : COMPLIANCE_CSV, is_teams, path,
                              &eb);
        if (r != 0)
            api_reply_errbuf(resp, r, &eb);
        else
            r = api_reply_attachment(
                resp, path,
                is_xlsx ? "application/vnd.openxmlformats-officedocument."
                          "spreadsheetml.sheet"
                        : "text/csv; charset=utf-8",
                is_xlsx ? "compliance.xlsx"
                        : (is_teams ? "compliance-teams.csv" : "compliance-grids.csv"));
        unlink(path);
    }
    compliance_report_cleanup(&rep);
    return r;
}
