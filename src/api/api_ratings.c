/*
 * api_ratings.c - composite scores, star ratings and resident surveys (issue 7, item 4;
 * docs/INDICATORS.md "Ratings" and "Surveys"):
 *
 *   GET  /api/v1/stats/scores?area=&from=&to=   staff: each child area's score and rank
 *   GET  /api/v1/stats/stars?area=&year=        staff: the stored stars of a year
 *   POST /api/v1/stats/stars {year, area?}      admins and leaders: rate the year (once)
 *   GET  /api/v1/surveys                        staff: the surveys of their subtree or
 *                                               above it (newest first)
 *   POST /api/v1/surveys                        admins: create a questionnaire
 *   GET  /api/v1/surveys/{id}                   anyone: the questionnaire (to answer it)
 *   POST /api/v1/surveys/{id}/responses         anyone (rate limited): one response per key
 *   GET  /api/v1/surveys/{id}/results?area=     staff: scores per child area, small cells
 *                                               (below public_stats_min_count) suppressed
 *
 * Staff reads use the case-reading access rule (the area must lie in the caller's subtree).
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "domain/access.h"
#include "domain/areacode.h"
#include "domain/indicators.h"
#include "service/context.h"
#include "service/ratings.h"
#include "service/surveys.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SURVEY_LIST_MAX 200

static json_t *number_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

/* "YYYY-MM-DD" -> YYYYMMDD, or 0. */
static int parse_day(const char *s)
{
    int y, m, d, n = 0;
    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return 0;
    return indicator_day_is_valid(y * 10000 + m * 100 + d) ? y * 10000 + m * 100 + d : 0;
}

static void day_text(int day, char out[16])
{
    unsigned d = (unsigned)day;
    snprintf(out, 16, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
}

/* A staff member allowed to read area (defaulting to the caller's scope); on refusal the
 * reply is written and NULL returned. */
static const char *staff_area(struct api_request *req, struct api_response *resp,
                              const char *default_area)
{
    const struct principal *p = req->principal;
    const char *area = api_query(req, "area");
    if (p == NULL) {
        api_reply_access(resp, ERR_UNAUTHORIZED, "");
        return NULL;
    }
    if (area == NULL)
        area = default_area ? default_area : p->scope;
    if (area[0] == '\0' || !areacode_is_valid(area)) {
        api_reply_error(resp, ERR_INVALID, "query parameter 'area' must be an area code");
        return NULL;
    }
    if (p->role == ROLE_RESIDENT || access_check(p, CAP_CASE_READ, area) != 0) {
        api_reply_access(resp, ERR_FORBIDDEN, area);
        return NULL;
    }
    return area;
}

static json_t *settings_json(const struct rating_settings *s)
{
    json_t *w = json_object(), *stars = json_object();
    char key[8];
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
        json_object_set_new(w, rating_component_name((enum rating_component)i),
                            json_real(s->weight[i]));
    for (int k = 2; k <= RATING_STARS_MAX; k++) {
        snprintf(key, sizeof(key), "%d", k);
        json_object_set_new(stars, key, json_real(s->star_min[k]));
    }
    return json_pack("{s:o, s:o}", "weights", w, "star_min", stars);
}

/* ---- scores --------------------------------------------------------------------------------- */

int api_stats_scores(struct api_request *req, struct api_response *resp)
{
    const char *area = staff_area(req, resp, NULL), *v;
    struct rating_settings s;
    struct ratings_row *rows = NULL;
    size_t n = 0;
    int from, to, r;
    char from_text[16], to_text[16];
    json_t *out;
    if (area == NULL)
        return 0;
    v = api_query(req, "to");
    to = v ? parse_day(v) : indicator_day(time_now_ms());
    v = api_query(req, "from");
    from = v ? parse_day(v) : to / 10000 * 10000 + 101;
    if (to == 0 || from == 0)
        return api_reply_error(resp, ERR_INVALID,
                               "query parameters 'from' and 'to' must be dates YYYY-MM-DD");
    if (from > to || to / 10000 - from / 10000 > 10)
        return api_reply_error(resp, ERR_INVALID,
                               "'from' must not be after 'to', and the period at most 10 years");
    if ((r = ratings_settings_load(req->svc->st, &s)) != 0 ||
        (r = ratings_scores(req->svc->st, req->svc->cfg, area, from, to, &s, &rows, &n)) != 0)
        return r;
    out = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct ratings_row *row = &rows[i];
        json_t *comp = json_object();
        for (int c = 0; c < RATING_COMPONENT_COUNT; c++)
            json_object_set_new(
                comp, rating_component_name((enum rating_component)c),
                json_pack("{s:o, s:o, s:f}", "value", number_or_null(row->values[c]), "score",
                          number_or_null(row->result.sub[c]), "weight", s.weight[c]));
        json_array_append_new(
            out,
            json_pack("{s:s, s:s, s:I, s:I, s:{s:o, s:o, s:o}, s:o, s:o, s:f, s:o}", "area",
                      row->area, "name", row->name, "cases", (json_int_t)row->cases,
                      "survey_responses", (json_int_t)row->survey_responses, "survey", "overall",
                      number_or_null(row->survey[0]), "security", number_or_null(row->survey[1]),
                      "satisfaction", number_or_null(row->survey[2]), "components", comp, "score",
                      number_or_null(row->result.score), "coverage", row->result.coverage, "rank",
                      row->rank > 0 ? json_integer(row->rank) : json_null()));
    }
    free(rows);
    day_text(from, from_text);
    day_text(to, to_text);
    return api_reply_json(resp, 200,
                          json_pack("{s:s, s:s, s:s, s:I, s:o, s:o}", "area", area, "from",
                                    from_text, "to", to_text, "min_count",
                                    (json_int_t)req->svc->cfg->public_stats_min_count, "settings",
                                    settings_json(&s), "rows", out));
}

/* ---- stars ---------------------------------------------------------------------------------- */

struct stars_out {
    struct store *st;
    json_t *rows;
};

static int star_row(void *arg, const struct star_rating_rec *sr)
{
    struct stars_out *o = arg;
    struct area a;
    json_t *components = json_loads(sr->components ? sr->components : "{}", 0, NULL);
    int has_name = store_area_get(o->st, sr->area, 0, &a) == 0;
    json_array_append_new(o->rows, json_pack("{s:s, s:s, s:o, s:o, s:I, s:i, s:o, s:I}", "area",
                                             sr->area, "name", has_name ? a.name : "", "score",
                                             number_or_null(sr->score), "survey_score",
                                             number_or_null(sr->survey_score), "survey_responses",
                                             (json_int_t)sr->survey_responses, "stars", sr->stars,
                                             "components", components ? components : json_object(),
                                             "rated_ms", (json_int_t)sr->rated_ms));
    if (has_name)
        area_cleanup(&a);
    return 0;
}

static int parse_year(const char *v)
{
    char *end = NULL;
    long y;
    if (v == NULL || v[0] < '0' || v[0] > '9')
        return 0;
    y = strtol(v, &end, 10);
    return *end == '\0' && y >= 2000 && y <= 2199 ? (int)y : 0;
}

int api_stats_stars(struct api_request *req, struct api_response *resp)
{
    const char *area = staff_area(req, resp, NULL);
    struct stars_out o;
    int year, r;
    if (area == NULL)
        return 0;
    if ((year = parse_year(api_query(req, "year"))) == 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'year' must be a year");
    o.st = req->svc->st;
    o.rows = json_array();
    if ((r = store_star_rating_list(req->svc->st, year, area, star_row, &o)) != 0) {
        json_decref(o.rows);
        return r;
    }
    return api_reply_json(resp, 200,
                          json_pack("{s:s, s:i, s:b, s:o}", "area", area, "year", year, "rated",
                                    json_array_size(o.rows) > 0, "rows", o.rows));
}

int api_stats_stars_rate(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"year", "area", NULL};
    const struct principal *p = req->principal;
    struct errbuf eb = {{0}};
    const char *area = NULL;
    long long year = 0;
    int64_t rated = 0;
    json_t *body = NULL;
    int r;
    if (p == NULL)
        return api_reply_access(resp, ERR_UNAUTHORIZED, "");
    if (p->role != ROLE_ADMIN && p->role != ROLE_LEADER)
        return api_reply_error(resp, ERR_FORBIDDEN, "only admins and leaders rate a year");
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_int(body, "year", 1, 2000, 2199, &year, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "area", 0, AREA_CODE_MAX, &area, &eb)) != 0) {
        json_decref(body);
        return api_reply_errbuf(resp, r, &eb);
    }
    if (area == NULL)
        area = p->scope;
    if (area[0] == '\0' || !areacode_is_valid(area)) {
        json_decref(body);
        return api_reply_error(resp, ERR_INVALID, "area must be an area code");
    }
    if (access_check(p, CAP_CASE_READ, area) != 0) {
        char code[AREA_CODE_BUF];
        snprintf(code, sizeof(code), "%s", area);
        json_decref(body);
        return api_reply_access(resp, ERR_FORBIDDEN, code);
    }
    r = ratings_rate_stars(req->svc->st, req->svc->cfg, area, (int)year, p->user_id, time_now_ms(),
                           &rated, &eb);
    if (r == 0)
        r = api_reply_json(resp, 201,
                           json_pack("{s:s, s:I, s:I}", "area", area, "year", (json_int_t)year,
                                     "rated", (json_int_t)rated));
    else if (r == ERR_INVALID || r == ERR_EXISTS || r == ERR_NOT_FOUND)
        r = api_reply_errbuf(resp, r, &eb);
    json_decref(body);
    return r;
}

/* ---- surveys -------------------------------------------------------------------------------- */

/* The {id} path parameter; 0 when it is not a positive integer. */
static int64_t path_id(struct api_request *req)
{
    const char *v = req->path_params[0];
    char *end = NULL;
    long long id;
    if (v == NULL || v[0] < '1' || v[0] > '9')
        return 0;
    id = strtoll(v, &end, 10);
    return *end == '\0' && id > 0 ? (int64_t)id : 0;
}

struct list_ctx {
    const struct principal *p;
    json_t *rows;
};

/* A survey the caller has to do with: held inside their subtree, or over an area holding it. */
static int list_row(void *arg, const struct survey_rec *s)
{
    struct list_ctx *c = arg;
    if (areacode_in_subtree(s->area, c->p->scope) || areacode_in_subtree(c->p->scope, s->area))
        json_array_append_new(c->rows, surveys_to_json(s, NULL, time_now_ms()));
    return 0;
}

int api_surveys_list(struct api_request *req, struct api_response *resp)
{
    const struct principal *p = req->principal;
    struct list_ctx c;
    int r;
    if (p == NULL)
        return api_reply_access(resp, ERR_UNAUTHORIZED, "");
    if (p->role == ROLE_RESIDENT)
        return api_reply_access(resp, ERR_FORBIDDEN, p->scope);
    c.p = p;
    c.rows = json_array();
    if ((r = store_survey_list(req->svc->st, SURVEY_LIST_MAX, list_row, &c)) != 0) {
        json_decref(c.rows);
        return r;
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "surveys", c.rows));
}

int api_surveys_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"title", "area", "year", "quarter", "questions", NULL};
    const struct principal *p = req->principal;
    struct errbuf eb = {{0}};
    const char *area = NULL;
    int64_t id = 0;
    json_t *body = NULL;
    int r;
    if (p == NULL)
        return api_reply_access(resp, ERR_UNAUTHORIZED, "");
    if (p->role != ROLE_ADMIN)
        return api_reply_error(resp, ERR_FORBIDDEN, "only admins create surveys");
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if (json_get_string(body, "area", 1, AREA_CODE_MAX, &area, &eb) == 0 &&
        areacode_is_valid(area) && access_check(p, CAP_CASE_READ, area) != 0) {
        char code[AREA_CODE_BUF];
        snprintf(code, sizeof(code), "%s", area);
        json_decref(body);
        return api_reply_access(resp, ERR_FORBIDDEN, code);
    }
    errbuf_clear(&eb);
    r = surveys_create(req->svc->st, body, p->user_id, time_now_ms(), &id, &eb);
    json_decref(body);
    if (r == ERR_INVALID || r == ERR_NOT_FOUND)
        return api_reply_errbuf(resp, r, &eb);
    if (r != 0)
        return r;
    api_response_header(resp, "Location", "/api/v1/surveys");
    return api_reply_json(resp, 201, json_pack("{s:I}", "id", (json_int_t)id));
}

/* Load the survey of the path; on failure the reply is written and nonzero returned. */
static int load_survey(struct api_request *req, struct api_response *resp, struct survey_rec *rec,
                       struct survey_def **def)
{
    int64_t id = path_id(req);
    int r;
    if (id == 0)
        return api_reply_error(resp, ERR_NOT_FOUND, "no such survey"), ERR_NOT_FOUND;
    r = surveys_load(req->svc->st, id, rec, def);
    if (r == ERR_NOT_FOUND)
        api_reply_error(resp, r, "no such survey");
    return r;
}

int api_survey_get(struct api_request *req, struct api_response *resp)
{
    struct survey_rec rec;
    struct survey_def *def = NULL;
    json_t *out;
    int r;
    if ((r = load_survey(req, resp, &rec, &def)) != 0)
        return r == ERR_NOT_FOUND ? 0 : r;
    out = surveys_to_json(&rec, def, time_now_ms());
    free(def);
    survey_rec_cleanup(&rec);
    return api_reply_json(resp, 200, out);
}

int api_survey_respond(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"respondent", "area", "answers", NULL};
    struct errbuf eb = {{0}};
    struct survey_rec rec;
    struct survey_def *def = NULL;
    const char *respondent = NULL, *area = NULL;
    json_t *body = NULL;
    int r;
    if ((r = load_survey(req, resp, &rec, &def)) != 0)
        return r == ERR_NOT_FOUND ? 0 : r;
    if (api_body_object(req, resp, allowed, &body) != 0) {
        r = 0;
        goto out;
    }
    if ((r = json_get_string(body, "respondent", 1, SURVEY_RESPONDENT_MAX, &respondent, &eb)) !=
            0 ||
        (r = json_get_string(body, "area", 1, AREA_CODE_MAX, &area, &eb)) != 0) {
        r = api_reply_errbuf(resp, r, &eb);
        goto out;
    }
    r = surveys_respond(req->svc->st, &rec, def, respondent, area, json_object_get(body, "answers"),
                        1, time_now_ms(), &eb);
    if (r == 0)
        r = api_reply_json(resp, 201,
                           json_pack("{s:I, s:b}", "survey", (json_int_t)rec.id, "recorded", 1));
    else if (r == ERR_INVALID || r == ERR_EXISTS || r == ERR_CONFLICT)
        r = api_reply_errbuf(resp, r, &eb);
out:
    json_decref(body);
    free(def);
    survey_rec_cleanup(&rec);
    return r;
}

static json_t *result_json(const struct survey_area_result *row)
{
    return json_pack(
        "{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "area", row->area, "name", row->name,
        "responses", row->is_suppressed ? json_null() : json_integer(row->responses), "score",
        number_or_null(row->score[SURVEY_SCORE_OVERALL]), "security",
        number_or_null(row->score[SURVEY_SCORE_SECURITY]), "satisfaction",
        number_or_null(row->score[SURVEY_SCORE_SATISFACTION]), "rank",
        row->rank > 0 ? json_integer(row->rank) : json_null(), "suppressed", row->is_suppressed);
}

int api_survey_results(struct api_request *req, struct api_response *resp)
{
    const struct principal *p = req->principal;
    struct survey_rec rec;
    struct survey_def *def = NULL;
    struct survey_area_result total, *rows = NULL;
    const char *area;
    char default_area[AREA_CODE_BUF];
    size_t n = 0;
    json_t *out;
    int r;
    if (p == NULL)
        return api_reply_access(resp, ERR_UNAUTHORIZED, "");
    if ((r = load_survey(req, resp, &rec, &def)) != 0)
        return r == ERR_NOT_FOUND ? 0 : r;
    free(def);
    /* Default: the survey's area, or the caller's scope when that lies inside it. */
    snprintf(default_area, sizeof(default_area), "%s",
             areacode_in_subtree(p->scope, rec.area) ? p->scope : rec.area);
    if ((area = staff_area(req, resp, default_area)) == NULL) {
        survey_rec_cleanup(&rec);
        return 0;
    }
    r = surveys_results(req->svc->st, rec.id, 0, 0, area, req->svc->cfg->public_stats_min_count,
                        &total, &rows, &n);
    if (r != 0) {
        survey_rec_cleanup(&rec);
        return r;
    }
    out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(out, result_json(&rows[i]));
    free(rows);
    r = api_reply_json(resp, 200,
                       json_pack("{s:o, s:s, s:I, s:o, s:o}", "survey",
                                 surveys_to_json(&rec, NULL, time_now_ms()), "area", area,
                                 "min_count", (json_int_t)req->svc->cfg->public_stats_min_count,
                                 "total", result_json(&total), "rows", out));
    survey_rec_cleanup(&rec);
    return r;
}
