/*
 * api.c - the route table, request/response helpers, authentication and the shared JSON
 * error shape {"error":{"code","message"}} (see api.h).
 *
 * Authentication accepts a Bearer token (API clients) or the gridgov_session cookie (the
 * web interface). A cookie-authenticated request that changes state must also carry the
 * session's CSRF token in X-CSRF-Token: a cookie alone is sent by the browser on a forged
 * cross-site request too, a custom header is not.
 */
#include "api/api.h"

#include "api/api_handlers.h"
#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "service/auth.h"
#include "service/context.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define RESPONSE_BODY_MAX ((size_t)256 * 1024 * 1024)

const struct api_route api_routes[] = {
    {"GET", "/healthz", api_healthz, API_PUBLIC},
    {"GET", "/metrics", api_metrics, API_PUBLIC},
    {"POST", "/api/v1/auth/login", api_auth_login, API_PUBLIC | API_RATE_LIMITED},
    {"POST", "/api/v1/auth/logout", api_auth_logout, 0},
    {"GET", "/api/v1/me", api_me, 0},
    {"GET", "/api/v1/users", api_users_list, 0},
    {"POST", "/api/v1/users", api_users_create, 0},
    {"POST", "/api/v1/users/{id}/disable", api_user_disable, 0},
    {"POST", "/api/v1/users/{id}/enable", api_user_enable, 0},
    {"POST", "/api/v1/users/{id}/password", api_user_password, 0},
    {"GET", "/api/v1/areas", api_areas_list, 0},
    {"GET", "/api/v1/areas/{code}", api_area_get, 0},
    {"GET", "/api/v1/areas/{code}/geojson", api_area_geojson, 0},
    {"GET", "/api/v1/locate", api_locate, API_PUBLIC | API_RATE_LIMITED},
    {"POST", "/api/v1/cases", api_cases_create, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/api/v1/cases", api_cases_list, 0},
    {"GET", "/api/v1/cases/{id}", api_case_get, 0},
    {"POST", "/api/v1/cases/{id}/actions", api_case_act, 0},
    {"GET", "/api/v1/cases/{id}/events", api_case_events, 0},
    {"POST", "/api/v1/attachments", api_attachment_upload, API_UPLOAD},
    {"GET", "/api/v1/attachments/{hash}", api_attachment_get, 0},
    {"GET", "/api/v1/categories", api_categories, API_PUBLIC},
    {"GET", "/api/v1/departments", api_departments, API_PUBLIC},
    {"GET", "/api/v1/track/{number}", api_track, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/api/v1/persons", api_bd_list, 0},
    {"POST", "/api/v1/persons", api_bd_create, 0},
    {"GET", "/api/v1/persons/export", api_bd_export, 0},
    {"GET", "/api/v1/persons/{id}", api_bd_get, 0},
    {"PATCH", "/api/v1/persons/{id}", api_bd_update, 0},
    {"DELETE", "/api/v1/persons/{id}", api_bd_delete, 0},
    {"GET", "/api/v1/households", api_bd_list, 0},
    {"POST", "/api/v1/households", api_bd_create, 0},
    {"GET", "/api/v1/households/export", api_bd_export, 0},
    {"GET", "/api/v1/households/{id}", api_bd_get, 0},
    {"PATCH", "/api/v1/households/{id}", api_bd_update, 0},
    {"DELETE", "/api/v1/households/{id}", api_bd_delete, 0},
    {"GET", "/api/v1/buildings", api_bd_list, 0},
    {"POST", "/api/v1/buildings", api_bd_create, 0},
    {"GET", "/api/v1/buildings/export", api_bd_export, 0},
    {"GET", "/api/v1/buildings/{id}", api_bd_get, 0},
    {"PATCH", "/api/v1/buildings/{id}", api_bd_update, 0},
    {"DELETE", "/api/v1/buildings/{id}", api_bd_delete, 0},
    {"GET", "/api/v1/organisations", api_bd_list, 0},
    {"POST", "/api/v1/organisations", api_bd_create, 0},
    {"GET", "/api/v1/organisations/export", api_bd_export, 0},
    {"GET", "/api/v1/organisations/{id}", api_bd_get, 0},
    {"PATCH", "/api/v1/organisations/{id}", api_bd_update, 0},
    {"DELETE", "/api/v1/organisations/{id}", api_bd_delete, 0},
    {"GET", "/api/v1/facilities", api_bd_list, 0},
    {"POST", "/api/v1/facilities", api_bd_create, 0},
    {"GET", "/api/v1/facilities/export", api_bd_export, 0},
    {"GET", "/api/v1/facilities/{id}", api_bd_get, 0},
    {"PATCH", "/api/v1/facilities/{id}", api_bd_update, 0},
    {"DELETE", "/api/v1/facilities/{id}", api_bd_delete, 0},
    {"GET", "/api/v1/households/{id}/file", api_household_file, 0},
    {"GET", "/api/v1/search", api_bd_search, 0},
    {"GET", "/api/v1/access-log", api_access_log, 0},
    /* analysis (issue 7): api_analysis.c */
    {"GET", "/api/v1/stats/forecast", api_stats_forecast, 0},
    {"GET", "/api/v1/stats/hotspots", api_stats_hotspots, 0},
    {"GET", "/api/v1/alerts", api_alerts, 0},
    /* disputes and deliberation councils (api_disputes.c, api_councils.c); literal segments
     * come before {id} so they shadow it */
    {"POST", "/api/v1/disputes", api_disputes_create, 0},
    {"GET", "/api/v1/disputes", api_disputes_list, 0},
    {"GET", "/api/v1/disputes/stats", api_disputes_stats, 0},
    {"GET", "/api/v1/disputes/{id}", api_dispute_get, 0},
    {"POST", "/api/v1/disputes/{id}/actions", api_dispute_act, 0},
    {"GET", "/api/v1/disputes/{id}/events", api_dispute_events, 0},
    {"POST", "/api/v1/councils", api_councils_create, 0},
    {"GET", "/api/v1/councils", api_councils_list, 0},
    {"GET", "/api/v1/councils/decisions/{id}", api_council_decision, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/api/v1/councils/topics/{id}", api_council_topic_get, 0},
    {"POST", "/api/v1/councils/topics/{id}/actions", api_council_topic_act, 0},
    {"POST", "/api/v1/councils/topics/{id}/meetings", api_council_meeting, 0},
    {"POST", "/api/v1/councils/topics/{id}/ballots", api_council_ballot, 0},
    {"GET", "/api/v1/councils/topics/{id}/events", api_council_topic_events, 0},
    {"GET", "/api/v1/councils/{id}", api_council_get, 0},
    {"POST", "/api/v1/councils/{id}/topics", api_council_topics_create, 0},
    {"GET", "/api/v1/councils/{id}/topics", api_council_topics_list, 0},
    {"GET", "/api/v1/stats/indicators", api_stats_indicators, 0},
    {"GET", "/api/v1/public/stats", api_public_stats, API_PUBLIC | API_RATE_LIMITED},
    /* Open311 GeoReport v2 (api_open311.c); {file} is NAME.xml or NAME.json */
    {"GET", "/open311/{file}", api_open311_base, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/open311/v2/{file}", api_open311_get, API_PUBLIC | API_RATE_LIMITED},
    {"POST", "/open311/v2/{file}", api_open311_post, API_PUBLIC | API_RATE_LIMITED | API_UPLOAD},
    {"GET", "/open311/v2/services/{file}", api_open311_service, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/open311/v2/requests/{file}", api_open311_request, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/open311/v2/tokens/{file}", api_open311_token, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/open311/v2/media/{hash}", api_open311_media, API_PUBLIC | API_RATE_LIMITED},
    /* field work (issue 5): api_fieldwork.c */
    {"POST", "/api/v1/patrols", api_patrols_start, 0},
    {"GET", "/api/v1/patrols", api_patrols_list, 0},
    {"GET", "/api/v1/patrols/{id}", api_patrol_get, 0},
    {"POST", "/api/v1/patrols/{id}/points", api_patrol_points, 0},
    {"POST", "/api/v1/patrols/{id}/end", api_patrol_end, 0},
    {"POST", "/api/v1/visits", api_visits_create, 0},
    {"GET", "/api/v1/visits", api_visits_list, 0},
    {"GET", "/api/v1/visits/{id}", api_visit_get, 0},
    {"GET", "/api/v1/visit-rules", api_visit_rules_get, 0},
    {"PUT", "/api/v1/visit-rules", api_visit_rules_put, 0},
    {"POST", "/api/v1/campaigns", api_campaigns_create, 0},
    {"GET", "/api/v1/campaigns/{id}", api_campaign_get, 0},
    {"GET", "/api/v1/tasks", api_tasks, 0},
    {"POST", "/api/v1/station-teams", api_station_teams_create, 0},
    {"GET", "/api/v1/station-teams", api_station_teams_list, 0},
    {"GET", "/api/v1/station-teams/{id}", api_station_team_get, 0},
    {"POST", "/api/v1/sessions", api_sessions_create, 0},
    {"GET", "/api/v1/sessions", api_sessions_list, 0},
    {"GET", "/api/v1/sessions/{id}", api_session_get, 0},
    {"GET", "/api/v1/compliance", api_compliance, 0},
    /* volunteers, needs, posts, chiefs (issue 5, SPEC section 8): api_volunteers.c */
    {"GET", "/api/v1/skills", api_skills, API_PUBLIC},
    {"POST", "/api/v1/volunteers", api_volunteers_create, 0},
    {"GET", "/api/v1/volunteers", api_volunteers_list, 0},
    {"GET", "/api/v1/volunteers/{id}", api_volunteer_get, 0},
    {"PATCH", "/api/v1/volunteers/{id}", api_volunteer_update, 0},
    {"DELETE", "/api/v1/volunteers/{id}", api_volunteer_delete, 0},
    {"GET", "/api/v1/volunteers/{id}/hours", api_volunteer_hours, 0},
    {"POST", "/api/v1/needs", api_needs_create, 0},
    {"GET", "/api/v1/needs", api_needs_list, 0},
    {"GET", "/api/v1/needs/{id}", api_need_get, 0},
    {"GET", "/api/v1/needs/{id}/matches", api_need_matches, 0},
    {"POST", "/api/v1/needs/{id}/assign", api_need_assign, 0},
    {"POST", "/api/v1/posts", api_posts_create, 0},
    {"GET", "/api/v1/posts", api_posts_list, 0},
    {"GET", "/api/v1/posts/{id}", api_post_get, 0},
    {"POST", "/api/v1/posts/{id}/members", api_post_members_add, 0},
    {"POST", "/api/v1/posts/{id}/hours", api_post_hours, 0},
    {"POST", "/api/v1/chiefs", api_chiefs_create, 0},
    {"GET", "/api/v1/chiefs", api_chiefs_list, 0},
    {"GET", "/api/v1/chiefs/{id}", api_chief_get, 0},
    /* ratings and surveys (issue 7, item 4): api_ratings.c */
    {"GET", "/api/v1/stats/scores", api_stats_scores, 0},
    {"GET", "/api/v1/stats/stars", api_stats_stars, 0},
    {"POST", "/api/v1/stats/stars", api_stats_stars_rate, 0},
    {"GET", "/api/v1/surveys", api_surveys_list, 0},
    {"POST", "/api/v1/surveys", api_surveys_create, 0},
    {"GET", "/api/v1/surveys/{id}", api_survey_get, API_PUBLIC | API_RATE_LIMITED},
    {"POST", "/api/v1/surveys/{id}/responses", api_survey_respond, API_PUBLIC | API_RATE_LIMITED},
    {"GET", "/api/v1/surveys/{id}/results", api_survey_results, 0},
    {NULL, NULL, NULL, 0},
};

const char *api_query(const struct api_request *req, const char *key)
{
    const char *v;
    if (req->transport.query == NULL)
        return NULL;
    v = req->transport.query(req->transport.conn, key);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

const char *api_header(const struct api_request *req, const char *name)
{
    if (req->transport.header == NULL)
        return NULL;
    return req->transport.header(req->transport.conn, name);
}

const char *api_cookie(const struct api_request *req, const char *name)
{
    if (req->transport.cookie == NULL)
        return NULL;
    return req->transport.cookie(req->transport.conn, name);
}

int api_defer(struct api_request *req, const struct api_deferred *d, api_resume_fn *resume,
              void **resume_arg)
{
    if (req->transport.defer == NULL)
        return ERR_BUSY;
    return req->transport.defer(req->transport.defer_ctx, d, resume, resume_arg);
}

void api_response_init(struct api_response *resp)
{
    memset(resp, 0, sizeof(*resp));
    buf_init(&resp->body, RESPONSE_BODY_MAX);
}

void api_response_cleanup(struct api_response *resp)
{
    buf_cleanup(&resp->body);
    for (int i = 0; i < resp->n_headers; i++) {
        free(resp->headers[i].name);
        free(resp->headers[i].value);
    }
    resp->n_headers = 0;
}

void api_response_header(struct api_response *resp, const char *name, const char *value)
{
    if (resp->n_headers >= API_MAX_HEADERS)
        return;
    resp->headers[resp->n_headers].name = xstrdup(name);
    resp->headers[resp->n_headers].value = xstrdup(value);
    resp->n_headers++;
}

int api_response_has_header(const struct api_response *resp, const char *name)
{
    for (int i = 0; i < resp->n_headers; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return 1;
    }
    return 0;
}

int api_reply_json(struct api_response *resp, int status, json_t *value)
{
    char *text;
    int r;
    if (value == NULL)
        return ERR_INTERNAL;
    text = json_dump_compact(value);
    json_decref(value);
    if (text == NULL)
        return ERR_INTERNAL;
    buf_reset(&resp->body);
    r = buf_append_str(&resp->body, text);
    free(text);
    if (r != 0)
        return r;
    resp->status = status;
    resp->content_type = "application/json";
    return 0;
}

int api_reply_error(struct api_response *resp, int err, const char *message)
{
    json_t *body = json_pack("{s:{s:s, s:s}}", "error", "code", err_code(err), "message",
                             message ? message : err_message(err));
    int status = err_http_status(err);
    if (err == ERR_RATE_LIMITED && !api_response_has_header(resp, "Retry-After"))
        api_response_header(resp, "Retry-After", "30");
    if (api_reply_json(resp, status, body) != 0) {
        resp->status = 500;
        return ERR_INTERNAL;
    }
    return 0;
}

int api_reply_errbuf(struct api_response *resp, int err, const struct errbuf *eb)
{
    return api_reply_error(resp, err, errbuf_message(eb, err));
}

int api_reply_access(struct api_response *resp, int r, const char *code)
{
    if (r == ERR_UNAUTHORIZED)
        return api_reply_error(resp, r, "log in first");
    char msg[128];
    snprintf(msg, sizeof(msg), "area %.20s is outside what this user may see", code);
    return api_reply_error(resp, ERR_FORBIDDEN, msg);
}

static int is_safe_method(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

int api_authenticate(struct api_request *req)
{
    const char *auth = api_header(req, "Authorization");
    const char *token = NULL;
    struct session sess;
    int r;

    req->principal = NULL;
    req->is_cookie_auth = 0;
    req->token_hash[0] = '\0';
    if (auth != NULL) {
        if (strncasecmp(auth, "Bearer ", 7) != 0)
            return ERR_UNAUTHORIZED;
        token = auth + 7;
        r = auth_authenticate(req->svc->st, token, time_now_ms(), &req->principal_storage, &sess);
        if (r != 0)
            return r;
    } else if ((token = api_cookie(req, "gridgov_session")) != NULL) {
        /* A stale cookie makes the request anonymous rather than failing it, so the login
         * page and public endpoints keep working after a session expires. */
        if (auth_authenticate(req->svc->st, token, time_now_ms(), &req->principal_storage, &sess) !=
            0)
            return 0;
        req->is_cookie_auth = 1;
        if (!is_safe_method(req->method)) {
            const char *csrf = api_header(req, "X-CSRF-Token");
            if (csrf == NULL || strlen(csrf) != strlen(sess.csrf_token) ||
                sodium_memcmp(csrf, sess.csrf_token, strlen(csrf)) != 0)
                return ERR_CSRF;
        }
    } else {
        return 0;
    }
    snprintf(req->token_hash, sizeof(req->token_hash), "%s", sess.token_hash);
    req->principal = &req->principal_storage;
    return 0;
}

int api_query_number(struct api_request *req, struct api_response *resp, const char *key,
                     int required, double min, double max, double *out)
{
    const char *v = api_query(req, key);
    char *end = NULL;
    char msg[160];
    double d;
    if (v == NULL) {
        if (!required)
            return ERR_NOT_FOUND;
        snprintf(msg, sizeof(msg), "query parameter '%s' is required", key);
        api_reply_error(resp, ERR_INVALID, msg);
        return ERR_INVALID;
    }
    errno = 0;
    d = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !isfinite(d) || d < min || d > max) {
        snprintf(msg, sizeof(msg), "query parameter '%s' must be a number between %g and %g", key,
                 min, max);
        api_reply_error(resp, ERR_INVALID, msg);
        return ERR_INVALID;
    }
    *out = d;
    return 0;
}

int api_query_int(struct api_request *req, struct api_response *resp, const char *key, long min,
                  long max, long def, long *out)
{
    const char *v = api_query(req, key);
    char *end = NULL;
    char msg[160];
    long l;
    *out = def;
    if (v == NULL)
        return 0;
    errno = 0;
    l = strtol(v, &end, 10);
    if (errno != 0 || end == v || *end != '\0' || l < min || l > max) {
        snprintf(msg, sizeof(msg), "query parameter '%s' must be an integer between %ld and %ld",
                 key, min, max);
        api_reply_error(resp, ERR_INVALID, msg);
        return ERR_INVALID;
    }
    *out = l;
    return 0;
}

int api_body_object(struct api_request *req, struct api_response *resp, const char *const *allowed,
                    json_t **out)
{
    struct errbuf eb = {{0}};
    json_t *obj = NULL;
    int r;
    *out = NULL;
    /* The transport accepts bodies up to the upload limit (attachments); JSON is held to the
     * smaller body limit. */
    if (req->body_len > (size_t)req->svc->cfg->body_max) {
        api_reply_error(resp, ERR_TOO_LARGE, NULL);
        return ERR_TOO_LARGE;
    }
    if ((r = json_parse_object(req->body, req->body_len, &obj, &eb)) != 0 ||
        (r = json_check_keys(obj, allowed, &eb)) != 0) {
        json_decref(obj);
        api_reply_errbuf(resp, r, &eb);
        return r;
    }
    *out = obj;
    return 0;
}

int api_healthz(struct api_request *req, struct api_response *resp)
{
    int version = 0;
    int r = store_schema_version(req->svc->st, &version);
    if (r != 0)
        return api_reply_error(resp, ERR_BUSY, "database unavailable");
    return api_reply_json(resp, 200,
                          json_pack("{s:s, s:s, s:i}", "status", "ok", "backend",
                                    store_backend(req->svc->st), "schema_version", version));
}

int api_temp_file(const char *what, char *out, size_t size)
{
    const char *dir = getenv("TMPDIR");
    int fd, n;
    if (dir == NULL || dir[0] == '\0')
        dir = "/tmp";
    n = snprintf(out, size, "%s/gridgov-%s-XXXXXX", dir, what);
    if (n < 0 || (size_t)n >= size)
        return ERR_IO;
    if ((fd = mkstemp(out)) < 0)
        return ERR_IO;
    close(fd);
    return 0;
}

int api_reply_attachment(struct api_response *resp, const char *path, const char *content_type,
                         const char *filename)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536], disposition[160];
    size_t n;
    if (f == NULL)
        return api_reply_error(resp, ERR_IO, "cannot read the export back");
    buf_reset(&resp->body);
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (buf_append(&resp->body, chunk, n) != 0) {
            fclose(f);
            return api_reply_error(resp, ERR_TOO_LARGE, "the export is too large; narrow the area");
        }
    }
    if (ferror(f)) {
        fclose(f);
        return api_reply_error(resp, ERR_IO, "cannot read the export back");
    }
    fclose(f);
    resp->status = 200;
    resp->content_type = content_type;
    snprintf(disposition, sizeof(disposition), "attachment; filename=\"%s\"", filename);
    api_response_header(resp, "Content-Disposition", disposition);
    return 0;
}
