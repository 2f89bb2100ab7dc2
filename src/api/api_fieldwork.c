/*
 * api_fieldwork.c - /api/v1/patrols[...] (issue 5, SPEC section 5; service/patrols.h does the
 * work).
 *
 * A patrol is {id, grid_code, user_id, status ("running"|"ended"), started_at, ended_at,
 * distance_m, duration_s, points, outside_points, fast_points}; GET /patrols/ID adds its
 * track ([{t, lon, lat, accuracy, outside, fast}], time order) and the cases found on it.
 * Uploaded points give t as an ISO 8601 UTC time or milliseconds since the epoch.
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "service/context.h"
#include "service/fieldwork.h"
#include "service/patrols.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
