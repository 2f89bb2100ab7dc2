/*
 * api_volunteers.c - /api/v1/skills, /volunteers, /needs, /posts, /chiefs (issue 5, SPEC
 * section 8; service/volunteers.h does the work). JSON shapes:
 *
 *   volunteer {id, name, area_code, person_id, user_id, skills: [{code, level, name_zh,
 *             name_en}], availability: ["mon:morning", ...], home: {lon, lat} | null, status,
 *             created_at, updated_at}; written with skills as ["medical:3", "legal"] (a code
 *             alone is level 1) and lon/lat for the home.
 *   need      {id, source, source_id, title, area_code, place: {lon, lat} | null, radius_m,
 *             skills, starts_at, slot, hours, volunteers, assigned, status, created_at}
 *   match     {rank, volunteer: {id, name, area_code, skills}, score: {total, skill, distance,
 *             load}, distance_m, hours_30d, assignments_30d}
 *   post      {id, area_code, kind, kind_zh, name, duties, created_at} (+ members, hours)
 *   member    {id, post_id, member_kind, member_id, duty, since, hours, entries}
 *   chief     {id, kind, kind_zh, name, area_code, building_id, person_id, user_id,
 *             created_at} (+ relayed_cases)
 * A chief relays a case with POST /api/v1/cases {channel: "building_chief", chief_id, ...}.
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/fieldwork.h"
#include "service/volunteers.h"

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

static json_t *id_or_null(int64_t id)
{
    return id > 0 ? json_integer(id) : json_null();
}

static double round3(double v)
{
    return round(v * 1000.0) / 1000.0;
}

static json_t *skills_json(const char *text)
{
    struct vol_skills sk;
    json_t *a = json_array();
    if (volunteer_skills_parse(text, &sk, NULL) != 0)
        return a;
    for (int i = 0; i < sk.n; i++)
        json_array_append_new(a, json_pack("{s:s, s:i, s:s, s:s}", "code",
                                           volunteer_skill_code(sk.items[i].skill), "level",
                                           sk.items[i].level, "name_zh",
                                           volunteer_skill_name_zh(sk.items[i].skill), "name_en",
                                           volunteer_skill_name_en(sk.items[i].skill)));
    return a;
}

/* A list of skill strings ("medical:3", "legal") into the text form in out. */
static int parse_skills(json_t *body, const char *key, char *out, size_t size, struct errbuf *eb)
{
    json_t *a = json_object_get(body, key), *item;
    struct vol_skills sk;
    size_t i;
    int r;
    memset(&sk, 0, sizeof(sk));
    out[0] = '\0';
    if (a == NULL || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > VOL_SKILLS_MAX)
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be a list of at most %d skills", key,
                          VOL_SKILLS_MAX);
    json_array_foreach(a, i, item)
    {
        char one[64];
        struct vol_skills tmp;
        if (!json_is_string(item) || json_string_length(item) >= sizeof(one) ||
            strchr(json_string_value(item), ',') != NULL)
            return errbuf_set(eb, ERR_INVALID,
                              "field '%s': item %zu must be \"code\" or "
                              "\"code:level\"",
                              key, i);
        snprintf(one, sizeof(one), "%s", json_string_value(item));
        if ((r = volunteer_skills_parse(one, &tmp, eb)) != 0)
            return r;
        if ((r = volunteer_skills_add(&sk, volunteer_skill_code(tmp.items[0].skill),
                                      tmp.items[0].level, eb)) != 0)
            return r;
    }
    volunteer_skills_format(&sk, out, size);
    return 0;
}

static json_t *availability_json(int64_t bits)
{
    json_t *a = json_array();
    for (int b = 0; b < VOL_AVAIL_BITS; b++) {
        char text[24];
        if ((bits & ((int64_t)1 << b)) && volunteer_avail_format(b, text, sizeof(text)) == 0)
            json_array_append_new(a, json_string(text));
    }
    return a;
}

static int parse_availability(json_t *body, int64_t *out, int *is_set, struct errbuf *eb)
{
    json_t *a = json_object_get(body, "availability"), *item;
    size_t i;
    *is_set = a != NULL;
    if (a == NULL)
        return 0;
    *out = 0;
    if (!json_is_array(a) || json_array_size(a) > VOL_AVAIL_BITS)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'availability' must be a list of weekly slots "
                          "like \"mon:morning\"");
    json_array_foreach(a, i, item)
    {
        int bit;
        if (!json_is_string(item) || volunteer_avail_parse(json_string_value(item), &bit) != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "field 'availability': item %zu must be a weekday (mon..sun), ':' "
                              "and morning, afternoon or evening",
                              i);
        *out |= (int64_t)1 << bit;
    }
    return 0;
}

static json_t *volunteer_json(const struct volunteer_rec *v)
{
    return json_pack(
        "{s:I, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o}", "id", (json_int_t)v->id, "name",
        v->name, "area_code", v->area_code, "person_id", id_or_null(v->person_id), "user_id",
        id_or_null(v->user_id), "skills", skills_json(v->skills), "availability",
        availability_json(v->availability), "home",
        v->has_home ? json_pack("{s:f, s:f}", "lon", v->lon, "lat", v->lat) : json_null(), "status",
        v->status, "created_at", time_json(v->created_ms), "updated_at", time_json(v->updated_ms));
}

int api_skills(struct api_request *req, struct api_response *resp)
{
    json_t *items = json_array();
    (void)req;
    for (int i = 0; i < volunteer_skill_count(); i++)
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code", volunteer_skill_code(i),
                                               "name_zh", volunteer_skill_name_zh(i), "name_en",
                                               volunteer_skill_name_en(i)));
    return api_reply_json(resp, 200,
                          json_pack("{s:o, s:{s:s, s:s, s:s}}", "items", items, "levels", "1",
                                    "basic", "2", "skilled", "3", "professional"));
}

/* Fill v from body: every present key replaces the field (create: over an empty record). */
static int volunteer_from_body(json_t *body, struct volunteer_rec *v, struct errbuf *eb)
{
    const char *name = NULL, *area = NULL, *status = NULL;
    long long person = -1, user = -1;
    double lon = 0, lat = 0;
    int has_lon = 0, has_lat = 0, has_avail = 0, r;
    json_t *j;
    if ((r = json_get_string(body, "name", 0, VOLUNTEER_NAME_MAX, &name, eb)) != 0 ||
        (r = json_get_string(body, "area_code", 0, 18, &area, eb)) != 0 ||
        (r = json_get_string(body, "status", 0, 11, &status, eb)) != 0 ||
        (r = json_get_int(body, "person_id", 0, 0, INT64_MAX, &person, NULL, eb)) != 0 ||
        (r = json_get_int(body, "user_id", 0, 0, INT64_MAX, &user, NULL, eb)) != 0 ||
        (r = json_get_number(body, "lon", 0, -180, 180, &lon, &has_lon, eb)) != 0 ||
        (r = json_get_number(body, "lat", 0, -90, 90, &lat, &has_lat, eb)) != 0 ||
        (r = parse_availability(body, &v->availability, &has_avail, eb)) != 0)
        return r;
    if (has_lon != has_lat)
        return errbuf_set(eb, ERR_INVALID, "give both 'lon' and 'lat', or neither");
    if (name)
        snprintf(v->name, sizeof(v->name), "%s", name);
    if (area)
        snprintf(v->area_code, sizeof(v->area_code), "%s", area);
    if (status)
        snprintf(v->status, sizeof(v->status), "%s", status);
    if (person >= 0)
        v->person_id = person;
    if (user >= 0)
        v->user_id = user;
    if (has_lon) {
        v->has_home = 1;
        v->lon = lon;
        v->lat = lat;
    }
    j = json_object_get(body, "skills");
    if (j != NULL && (r = parse_skills(body, "skills", v->skills, sizeof(v->skills), eb)) != 0)
        return r;
    return 0;
}

static const char *const volunteer_keys[] = {
    "name",         "area_code", "person_id", "user_id", "skills",
    "availability", "lon",       "lat",       "status",  NULL};

int api_volunteers_create(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct volunteer_rec in, out;
    json_t *body = NULL;
    int r;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, volunteer_keys, &body) != 0)
        return 0;
    if (json_object_get(body, "availability") == NULL)
        in.availability = VOL_AVAIL_ALL;
    if ((r = volunteer_from_body(body, &in, &eb)) == 0)
        r = volunteers_create(req->svc, req->principal, &in, time_now_ms(), &out, &eb);
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 201, volunteer_json(&out));
}

int api_volunteer_update(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct volunteer_rec v, out;
    json_t *body = NULL;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_body_object(req, resp, volunteer_keys, &body) != 0)
        return 0;
    if ((r = volunteers_get(req->svc, req->principal, id, &v, &eb)) == 0 &&
        (r = volunteer_from_body(body, &v, &eb)) == 0)
        r = volunteers_update(req->svc, req->principal, &v, time_now_ms(), &out, &eb);
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 200, volunteer_json(&out));
}

int api_volunteer_delete(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct volunteer_rec out;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = volunteers_remove(req->svc, req->principal, id, time_now_ms(), &out, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 200, volunteer_json(&out));
}

int api_volunteer_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct volunteer_rec v;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = volunteers_get(req->svc, req->principal, id, &v, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 200, volunteer_json(&v));
}

static int volunteer_collect(void *arg, const struct volunteer_rec *v)
{
    json_array_append_new(arg, volunteer_json(v));
    return 0;
}

int api_volunteers_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct volunteer_filter f;
    long after = 0, limit = 0;
    json_t *items;
    int r;
    memset(&f, 0, sizeof(f));
    if (api_query_int(req, resp, "after", 1, INT64_MAX, 0, &after) != 0 ||
        api_query_int(req, resp, "limit", 1, VOLUNTEERS_PAGE_MAX, 100, &limit) != 0)
        return 0;
    f.area = api_query(req, "area");
    f.status = api_query(req, "status");
    f.skill = api_query(req, "skill");
    f.after_id = after;
    f.limit = (int)limit;
    items = json_array();
    if ((r = volunteers_list(req->svc, req->principal, &f, volunteer_collect, items, &eb)) != 0) {
        json_decref(items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
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

struct hours_sum {
    json_t *items;
    int64_t minutes, entries;
};

static int hours_collect(void *arg, int64_t post_id, int64_t minutes, int64_t entries)
{
    struct hours_sum *s = arg;
    json_array_append_new(s->items, json_pack("{s:I, s:f, s:I}", "post_id", (json_int_t)post_id,
                                              "hours", round3((double)minutes / 60.0), "entries",
                                              (json_int_t)entries));
    s->minutes += minutes;
    s->entries += entries;
    return 0;
}

int api_volunteer_hours(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct hours_sum sum = {NULL, 0, 0};
    int64_t id, from = 0, to = 0;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (query_time(req, resp, "from", &from) != 0 || query_time(req, resp, "to", &to) != 0)
        return 0;
    sum.items = json_array();
    if ((r = volunteers_hours(req->svc, req->principal, id, from, to, hours_collect, &sum, &eb)) !=
        0) {
        json_decref(sum.items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200,
                          json_pack("{s:I, s:f, s:I, s:o}", "volunteer_id", (json_int_t)id, "hours",
                                    round3((double)sum.minutes / 60.0), "entries",
                                    (json_int_t)sum.entries, "posts", sum.items));
}

/* ---- needs -------------------------------------------------------------------------------- */

static json_t *need_json(struct api_request *req, const struct need_rec *n)
{
    char slot[24] = "";
    volunteer_avail_format(volunteer_slot_of(n->starts_ms, volunteers_utc_offset(req->svc)), slot,
                           sizeof(slot));
    return json_pack(
        "{s:I, s:s, s:o, s:s, s:s, s:o, s:f, s:o, s:o, s:s, s:f, s:I, s:I, s:s, s:o}", "id",
        (json_int_t)n->id, "source", n->source, "source_id", id_or_null(n->source_id), "title",
        n->title, "area_code", n->area_code, "place",
        n->has_point ? json_pack("{s:f, s:f}", "lon", n->lon, "lat", n->lat) : json_null(),
        "radius_m", n->radius_m, "skills", skills_json(n->skills), "starts_at",
        time_json(n->starts_ms), "slot", slot, "hours", round3((double)n->duration_min / 60.0),
        "volunteers", (json_int_t)n->wanted, "assigned", (json_int_t)n->assigned, "status",
        n->status, "created_at", time_json(n->created_ms));
}

int api_needs_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"source", "source_id",  "title",     "skills",
                                          "lon",    "lat",        "area_code", "starts_at",
                                          "hours",  "volunteers", "radius_m",  NULL};
    struct errbuf eb = {{0}};
    struct need_rec in, out;
    json_t *body = NULL;
    const char *source = NULL, *title = NULL, *area = NULL, *starts = NULL;
    long long source_id = 0, wanted = 1;
    double hours = 2, radius = 0;
    int has_lon = 0, has_lat = 0, r;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "source", 1, 11, &source, &eb)) != 0 ||
        (r = json_get_int(body, "source_id", 0, 0, INT64_MAX, &source_id, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "title", 1, NEED_TITLE_MAX, &title, &eb)) != 0 ||
        (r = json_get_string(body, "area_code", 0, 18, &area, &eb)) != 0 ||
        (r = json_get_string(body, "starts_at", 1, 40, &starts, &eb)) != 0 ||
        (r = json_get_number(body, "hours", 0, -1e6, 1e6, &hours, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "volunteers", 0, -1000000, 1000000, &wanted, NULL, &eb)) != 0 ||
        (r = json_get_number(body, "radius_m", 0, -1e9, 1e9, &radius, NULL, &eb)) != 0 ||
        (r = json_get_number(body, "lon", 0, -180, 180, &in.lon, &has_lon, &eb)) != 0 ||
        (r = json_get_number(body, "lat", 0, -90, 90, &in.lat, &has_lat, &eb)) != 0 ||
        (r = parse_skills(body, "skills", in.skills, sizeof(in.skills), &eb)) != 0)
        goto out;
    if (has_lon != has_lat) {
        r = errbuf_set(&eb, ERR_INVALID, "give both 'lon' and 'lat', or neither");
        goto out;
    }
    if (fieldwork_parse_time(starts, &in.starts_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'starts_at' must be an ISO 8601 time");
        goto out;
    }
    in.has_point = has_lon;
    snprintf(in.source, sizeof(in.source), "%s", source);
    snprintf(in.title, sizeof(in.title), "%s", title);
    snprintf(in.area_code, sizeof(in.area_code), "%s", area ? area : "");
    in.source_id = source_id;
    in.duration_min = (int64_t)llround(hours * 60.0);
    in.wanted = wanted;
    in.radius_m = radius;
    r = needs_create(req->svc, req->principal, &in, time_now_ms(), &out, &eb);
out:
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 201, need_json(req, &out));
}

static int assignment_collect(void *arg, const struct need_assignment *a)
{
    json_array_append_new(arg,
                          json_pack("{s:I, s:o, s:I}", "volunteer_id", (json_int_t)a->volunteer_id,
                                    "assigned_at", time_json(a->assigned_ms), "assigned_by",
                                    (json_int_t)a->assigned_by));
    return 0;
}

static int need_reply(struct api_request *req, struct api_response *resp, int status,
                      const struct need_rec *n)
{
    json_t *j = need_json(req, n), *a = json_array();
    int r = store_need_assignments(req->svc->st, n->id, assignment_collect, a);
    if (r != 0) {
        json_decref(j);
        json_decref(a);
        return api_reply_error(resp, r, NULL);
    }
    json_object_set_new(j, "assignments", a);
    return api_reply_json(resp, status, j);
}

int api_need_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct need_rec n;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = needs_get(req->svc, req->principal, id, &n, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    return need_reply(req, resp, 200, &n);
}

struct need_list_arg {
    struct api_request *req;
    json_t *items;
};

static int need_collect(void *arg, const struct need_rec *n)
{
    struct need_list_arg *a = arg;
    json_array_append_new(a->items, need_json(a->req, n));
    return 0;
}

int api_needs_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct need_filter f;
    struct need_list_arg arg = {req, NULL};
    long before = 0, limit = 0;
    int r;
    memset(&f, 0, sizeof(f));
    if (api_query_int(req, resp, "before", 1, INT64_MAX, 0, &before) != 0 ||
        api_query_int(req, resp, "limit", 1, NEEDS_PAGE_MAX, 100, &limit) != 0)
        return 0;
    f.area = api_query(req, "area");
    f.status = api_query(req, "status");
    f.before_id = before;
    f.limit = (int)limit;
    arg.items = json_array();
    if ((r = needs_list(req->svc, req->principal, &f, need_collect, &arg, &eb)) != 0) {
        json_decref(arg.items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", arg.items));
}

int api_need_matches(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct need_matches m;
    json_t *items, *excluded;
    long limit = 0;
    int64_t id, candidates;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_query_int(req, resp, "limit", 1, NEEDS_MATCHES_MAX, 20, &limit) != 0)
        return 0;
    if ((r = needs_matches(req->svc, req->principal, id, (int)limit, time_now_ms(), &m, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    items = json_array();
    for (size_t i = 0; i < m.n; i++) {
        const struct need_match *x = &m.items[i];
        json_array_append_new(
            items, json_pack("{s:I, s:{s:I, s:s, s:s, s:o}, s:{s:f, s:f, s:f, s:f}, s:o, s:f, s:I}",
                             "rank", (json_int_t)i + 1, "volunteer", "id", (json_int_t)x->v.id,
                             "name", x->v.name, "area_code", x->v.area_code, "skills",
                             skills_json(x->v.skills), "score", "total", round3(x->score.total),
                             "skill", round3(x->score.skill), "distance", round3(x->score.distance),
                             "load", round3(x->score.load), "distance_m",
                             x->score.distance_m >= 0 ? json_real(round(x->score.distance_m))
                                                      : json_null(),
                             "hours_30d", round3(x->hours_30d), "assignments_30d",
                             (json_int_t)x->assignments_30d));
    }
    excluded = json_object();
    for (int i = 0; i < MATCH_REASON_COUNT; i++)
        json_object_set_new(excluded, matching_reason_name((enum match_reason)i),
                            json_integer(m.excluded[i]));
    candidates = m.candidates; /* read before the cleanup clears m */
    need_matches_cleanup(&m);
    return api_reply_json(resp, 200,
                          json_pack("{s:I, s:I, s:o, s:{s:f, s:f, s:f}, s:o}", "need_id",
                                    (json_int_t)id, "candidates", (json_int_t)candidates,
                                    "excluded", excluded, "weights", "skill", MATCH_W_SKILL,
                                    "distance", MATCH_W_DISTANCE, "load", MATCH_W_LOAD, "items",
                                    items));
}

int api_need_assign(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"volunteer_id", NULL};
    struct errbuf eb = {{0}};
    struct need_rec n;
    json_t *body = NULL;
    long long vid = 0;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    r = json_get_int(body, "volunteer_id", 1, 1, INT64_MAX, &vid, NULL, &eb);
    json_decref(body);
    if (r == 0)
        r = needs_assign(req->svc, req->principal, id, vid, time_now_ms(), &n, &eb);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return need_reply(req, resp, 201, &n);
}

/* ---- posts -------------------------------------------------------------------------------- */

static json_t *post_json(const struct post_rec *p)
{
    enum post_kind k = POST_OTHER;
    volunteer_post_kind_parse(p->kind, &k);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)p->id, "area_code",
                     p->area_code, "kind", p->kind, "kind_zh", volunteer_post_kind_zh(k), "name",
                     p->name, "duties", p->duties, "created_at", time_json(p->created_ms));
}

static json_t *member_json(const struct post_member *m)
{
    return json_pack("{s:I, s:I, s:s, s:I, s:s, s:o, s:f, s:I}", "id", (json_int_t)m->id, "post_id",
                     (json_int_t)m->post_id, "member_kind", m->member_kind, "member_id",
                     (json_int_t)m->member_id, "duty", m->duty, "since", time_json(m->since_ms),
                     "hours", round3((double)m->minutes / 60.0), "entries", (json_int_t)m->entries);
}

int api_posts_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"area_code", "kind", "name", "duties", NULL};
    struct errbuf eb = {{0}};
    struct post_rec in, out;
    const char *area = NULL, *kind = NULL, *name = NULL, *duties = NULL;
    json_t *body = NULL;
    int r;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "area_code", 1, 18, &area, &eb)) == 0 &&
        (r = json_get_string(body, "kind", 1, 23, &kind, &eb)) == 0 &&
        (r = json_get_string(body, "name", 1, 128, &name, &eb)) == 0 &&
        (r = json_get_string(body, "duties", 0, POST_DUTIES_MAX, &duties, &eb)) == 0) {
        snprintf(in.area_code, sizeof(in.area_code), "%s", area);
        snprintf(in.kind, sizeof(in.kind), "%s", kind);
        snprintf(in.name, sizeof(in.name), "%s", name);
        snprintf(in.duties, sizeof(in.duties), "%s", duties ? duties : "");
        r = posts_create(req->svc, req->principal, &in, time_now_ms(), &out, &eb);
    }
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 201, post_json(&out));
}

struct member_sum {
    json_t *items;
    int64_t minutes;
};

static int member_collect(void *arg, const struct post_member *m)
{
    struct member_sum *s = arg;
    json_array_append_new(s->items, member_json(m));
    s->minutes += m->minutes;
    return 0;
}

int api_post_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct post_rec post;
    struct member_sum sum = {NULL, 0};
    json_t *j;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = posts_get(req->svc, req->principal, id, &post, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    sum.items = json_array();
    if ((r = posts_members(req->svc, req->principal, id, member_collect, &sum, &eb)) != 0) {
        json_decref(sum.items);
        return api_reply_errbuf(resp, r, &eb);
    }
    j = post_json(&post);
    json_object_set_new(j, "members", sum.items);
    json_object_set_new(j, "hours", json_real(round3((double)sum.minutes / 60.0)));
    return api_reply_json(resp, 200, j);
}

static int post_collect(void *arg, const struct post_rec *p)
{
    json_array_append_new(arg, post_json(p));
    return 0;
}

int api_posts_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    json_t *items = json_array();
    int r = posts_list(req->svc, req->principal, api_query(req, "area"), post_collect, items, &eb);
    if (r != 0) {
        json_decref(items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_post_members_add(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"member_kind", "member_id", "duty", NULL};
    struct errbuf eb = {{0}};
    struct post_member in, out;
    const char *kind = NULL, *duty = NULL;
    long long member = 0;
    json_t *body = NULL;
    int64_t id;
    int r;
    memset(&in, 0, sizeof(in));
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "member_kind", 1, 11, &kind, &eb)) == 0 &&
        (r = json_get_int(body, "member_id", 1, 1, INT64_MAX, &member, NULL, &eb)) == 0 &&
        (r = json_get_string(body, "duty", 0, POST_DUTY_MAX, &duty, &eb)) == 0) {
        snprintf(in.member_kind, sizeof(in.member_kind), "%s", kind);
        snprintf(in.duty, sizeof(in.duty), "%s", duty ? duty : "");
        in.member_id = member;
        r = posts_member_add(req->svc, req->principal, id, &in, time_now_ms(), &out, &eb);
    }
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 201, member_json(&out));
}

int api_post_hours(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"member_id", "date", "hours", "note", NULL};
    struct errbuf eb = {{0}};
    struct hours_rec in, out;
    const char *date = NULL, *note = NULL;
    long long member = 0;
    double hours = 0;
    json_t *body = NULL;
    int64_t id;
    char day[16];
    int r;
    memset(&in, 0, sizeof(in));
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_int(body, "member_id", 1, 1, INT64_MAX, &member, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "date", 1, 10, &date, &eb)) != 0 ||
        (r = json_get_number(body, "hours", 1, -1e6, 1e6, &hours, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "note", 0, HOURS_NOTE_MAX, &note, &eb)) != 0)
        goto out;
    if (strlen(date) != 10 || fieldwork_parse_time(date, &in.day_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'date' must be a date YYYY-MM-DD");
        goto out;
    }
    snprintf(day, sizeof(day), "%s", date);
    in.member_id = member;
    in.minutes = (int64_t)llround(hours * 60.0);
    if (hours < 0)
        in.minutes = -1; /* never rounded up to a valid entry */
    snprintf(in.note, sizeof(in.note), "%s", note ? note : "");
    r = posts_log_hours(req->svc, req->principal, id, &in, time_now_ms(), &out, &eb);
out:
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(
        resp, 201,
        json_pack("{s:I, s:I, s:I, s:s, s:I, s:s, s:f, s:s}", "id", (json_int_t)out.id, "post_id",
                  (json_int_t)out.post_id, "member_id", (json_int_t)out.member_id, "member_kind",
                  out.member_kind, "person_id", (json_int_t)out.person_key, "date", day, "hours",
                  round3((double)out.minutes / 60.0), "note", out.note));
}

/* ---- chiefs ------------------------------------------------------------------------------- */

static json_t *chief_json(const struct chief_rec *c)
{
    enum chief_kind k = CHIEF_BUILDING;
    volunteer_chief_kind_parse(c->kind, &k);
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)c->id,
                     "kind", c->kind, "kind_zh", volunteer_chief_kind_zh(k), "name", c->name,
                     "area_code", c->area_code, "building_id", id_or_null(c->building_id),
                     "person_id", id_or_null(c->person_id), "user_id", id_or_null(c->user_id),
                     "created_at", time_json(c->created_ms));
}

int api_chiefs_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"kind",      "name",    "area_code", "building_id",
                                          "person_id", "user_id", NULL};
    struct errbuf eb = {{0}};
    struct chief_rec in, out;
    const char *kind = NULL, *name = NULL, *area = NULL;
    long long building = 0, person = 0, user = 0;
    json_t *body = NULL;
    int r;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "kind", 1, 11, &kind, &eb)) == 0 &&
        (r = json_get_string(body, "name", 1, VOLUNTEER_NAME_MAX, &name, &eb)) == 0 &&
        (r = json_get_string(body, "area_code", 0, 18, &area, &eb)) == 0 &&
        (r = json_get_int(body, "building_id", 0, 1, INT64_MAX, &building, NULL, &eb)) == 0 &&
        (r = json_get_int(body, "person_id", 0, 1, INT64_MAX, &person, NULL, &eb)) == 0 &&
        (r = json_get_int(body, "user_id", 0, 1, INT64_MAX, &user, NULL, &eb)) == 0) {
        if (area == NULL && building == 0) {
            r = errbuf_set(&eb, ERR_INVALID, "give the chief's 'building_id' or 'area_code'");
        } else {
            snprintf(in.kind, sizeof(in.kind), "%s", kind);
            snprintf(in.name, sizeof(in.name), "%s", name);
            snprintf(in.area_code, sizeof(in.area_code), "%s", area ? area : "");
            in.building_id = building;
            in.person_id = person;
            in.user_id = user;
            r = chiefs_create(req->svc, req->principal, &in, time_now_ms(), &out, &eb);
        }
    }
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 201, chief_json(&out));
}

struct relay_arg {
    struct api_request *req;
    json_t *items;
};

static int relay_collect(void *arg, int64_t case_id)
{
    struct relay_arg *a = arg;
    struct case_rec c;
    if (cases_get(a->req->svc, a->req->principal, case_id, &c) != 0)
        return 0; /* not one this user may see */
    json_array_append_new(a->items,
                          json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)c.id, "number",
                                    c.number, "status", c.status, "area_code", c.area_code));
    case_rec_cleanup(&c);
    return 0;
}

int api_chief_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct chief_rec c;
    struct relay_arg arg = {req, NULL};
    json_t *j;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = chiefs_get(req->svc, req->principal, id, &c, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    arg.items = json_array();
    if ((r = store_field_case_links(req->svc->st, "chief", id, relay_collect, &arg)) != 0) {
        json_decref(arg.items);
        return api_reply_error(resp, r, NULL);
    }
    j = chief_json(&c);
    json_object_set_new(j, "relayed_cases", arg.items);
    return api_reply_json(resp, 200, j);
}

static int chief_collect(void *arg, const struct chief_rec *c)
{
    json_array_append_new(arg, chief_json(c));
    return 0;
}

int api_chiefs_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    json_t *items = json_array();
    int r =
        chiefs_list(req->svc, req->principal, api_query(req, "area"), chief_collect, items, &eb);
    if (r != 0) {
        json_decref(items);
        return api_reply_errbuf(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}
