/*
 * api_analysis.c - forecasts, hot spots and early-warning alerts over HTTP (SPEC section 9,
 * issue 7; method in docs/FORECASTING.md).
 *
 *   GET /api/v1/stats/forecast?area=CODE&category=CODE&by=week|month
 *        weekly (12 ahead) or monthly (6 ahead) case volume with 80% and 95% bands
 *   GET /api/v1/stats/hotspots?area=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD
 *        child areas x category classes unusually high in [from, to) (local dates; default
 *        the 7 days ending today)
 *   GET /api/v1/alerts?area=CODE
 *        series whose last complete week broke its 95% band, and seasonal-peak suggestions
 *
 * area defaults to the caller's own scope. Each checks CAP_CASE_READ on the area (the
 * figures are made of the area's cases), so a user sees their subtree only (403 otherwise),
 * and answers 404 for an area that does not exist.
 */
#include "api/api_handlers.h"

#include "base/timeutil.h"
#include "domain/access.h"
#include "domain/areacode.h"
#include "domain/calendar.h"
#include "domain/taxonomy.h"
#include "service/analysis.h"
#include "service/context.h"
#include "service/rules.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS ((int64_t)86400000)

static void day_text(long day, char out[11])
{
    int y, m, d;
    time_civil_from_days(day, &y, &m, &d);
    if (y < 0 || y > 9999)
        y = 0;
    snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
             (unsigned)d % 100u);
}

static json_t *day_json(long day)
{
    char t[11];
    day_text(day, t);
    return json_string(t);
}

/* A local date YYYY-MM-DD (strict) to a day number; ERR_INVALID otherwise. */
static int parse_day(const char *s, long *out)
{
    int y, m, d, n = 0;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
        s[4] != '-' || s[7] != '-')
        return ERR_INVALID;
    if (y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX || m < 1 || m > 12 || d < 1)
        return ERR_INVALID;
    long day = time_days_from_civil(y, m, d);
    int yy, mm, dd;
    time_civil_from_days(day, &yy, &mm, &dd);
    if (yy != y || mm != m || dd != d) /* 2026-02-30 */
        return ERR_INVALID;
    *out = day;
    return 0;
}

/* The area query parameter (default: the caller's scope), validated and access-checked.
 * 0 = go ahead; otherwise the reply is written. */
static int area_param(struct api_request *req, struct api_response *resp, const char **out)
{
    const char *area = api_query(req, "area");
    int r;
    if (req->principal == NULL) {
        api_reply_access(resp, ERR_UNAUTHORIZED, "");
        return ERR_UNAUTHORIZED;
    }
    if (area == NULL || area[0] == '\0')
        area = req->principal->scope;
    if (!areacode_is_valid(area)) {
        api_reply_error(resp, ERR_INVALID, "query parameter 'area' is not an area code");
        return ERR_INVALID;
    }
    if ((r = access_check(req->principal, CAP_CASE_READ, area)) != 0) {
        api_reply_access(resp, r, area);
        return r;
    }
    int exists = 0;
    if ((r = store_area_exists(req->svc->st, area, &exists)) != 0 || !exists) {
        api_reply_error(resp, r ? r : ERR_NOT_FOUND, r ? "cannot read the area" : "no such area");
        return r ? r : ERR_NOT_FOUND;
    }
    *out = area;
    return 0;
}

static json_t *category_name_json(const struct case_rules *rules, const char *code)
{
    const struct category *c = code[0] ? taxonomy_find(rules->tax, code) : NULL;
    return c ? json_string(c->name_zh) : json_null();
}

static json_t *num(double v)
{
    /* counts and bands rounded to 0.01: enough for a chart, no float noise */
    return json_real((double)(long long)(v * 100.0 + (v >= 0 ? 0.5 : -0.5)) / 100.0);
}

int api_stats_forecast(struct api_request *req, struct api_response *resp)
{
    const char *area = NULL, *category = api_query(req, "category"),
               *by_text = api_query(req, "by");
    enum analysis_by by = ANALYSIS_BY_WEEK;
    const struct case_rules *rules = NULL;
    int r;

    if (area_param(req, resp, &area) != 0)
        return 0;
    if (category != NULL && category[0] != '\0' && !taxonomy_code_is_valid(category))
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'category' is not a category code");
    if (by_text != NULL && (analysis_by_parse(by_text, &by) != 0 || by == ANALYSIS_BY_DAY))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'by' must be week or month");
    if ((r = rules_get(req->svc, &rules)) != 0)
        return r;
    struct analysis_forecast *fc = malloc(sizeof(*fc));
    if (fc == NULL)
        return ERR_INTERNAL;
    if ((r = analysis_forecast(req->svc, area, category, by, time_now_ms(), fc)) != 0) {
        free(fc);
        return r;
    }
    json_t *hist = json_array(), *ahead = json_array();
    for (size_t i = 0; i < fc->n_history; i++)
        json_array_append_new(hist, json_pack("{s:o, s:o}", "start", day_json(fc->history_day[i]),
                                              "count", num(fc->history[i])));
    for (int k = 0; k < fc->horizon; k++) {
        const struct forecast_point *p = &fc->ahead[k];
        json_array_append_new(ahead, json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "start",
                                               day_json(fc->ahead_day[k]), "point", num(p->point),
                                               "lo80", num(p->lo80), "hi80", num(p->hi80), "lo95",
                                               num(p->lo95), "hi95", num(p->hi95)));
    }
    const struct forecast_model *m = &fc->model;
    json_t *model = json_pack(
        "{s:s, s:i, s:s, s:f, s:f, s:f, s:f, s:f, s:f, s:s}", "method",
        "damped additive Holt-Winters (ETS A,Ad,A) with a holiday regressor", "season", m->period,
        "transform", m->transform == FORECAST_SQRT ? "sqrt" : "log1p", "alpha", m->alpha, "beta",
        m->beta, "gamma", m->gamma, "phi", m->phi, "holiday_coef", m->coef, "sigma", m->sigma,
        "intervals", m->has_empirical ? "empirical in-sample errors" : "normal");
    json_t *j =
        json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:o}", "area", area, "category",
                  category && category[0] ? json_string(category) : json_null(), "category_name",
                  category && category[0] ? category_name_json(rules, category) : json_null(), "by",
                  analysis_by_name(by), "history", hist, "forecast", ahead, "model", model);
    free(fc);
    return api_reply_json(resp, 200, j);
}

int api_stats_hotspots(struct api_request *req, struct api_response *resp)
{
    const char *area = NULL, *from_text = api_query(req, "from"), *to_text = api_query(req, "to");
    const struct case_rules *rules = NULL;
    struct analysis_hotspots hs;
    long from, to;
    int r;

    if (area_param(req, resp, &area) != 0)
        return 0;
    if ((r = rules_get(req->svc, &rules)) != 0)
        return r;
    int64_t off = (int64_t)calendar_utc_offset(rules->cal) * 60000;
    long today = (long)((time_now_ms() + off) / DAY_MS);
    to = today + 1; /* default: the 7 days ending today, today so far included */
    if (to_text != NULL && parse_day(to_text, &to) != 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'to' must be a date YYYY-MM-DD");
    from = to - 7;
    if (from_text != NULL && parse_day(from_text, &from) != 0)
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'from' must be a date YYYY-MM-DD");
    if (to <= from || to - from > ANALYSIS_PERIOD_DAYS_MAX)
        return api_reply_error(resp, ERR_INVALID, "the period [from, to) must hold 1 to 366 days");
    if ((r = analysis_hotspots(req->svc, area, from, to, &hs)) != 0)
        return r;
    json_t *items = json_array();
    for (size_t i = 0; i < hs.len; i++) {
        const struct analysis_hotspot *h = &hs.items[i];
        struct area a;
        json_t *name = json_null();
        if (store_area_get(req->svc->st, h->area, 0, &a) == 0)
            name = json_string(a.name);
        json_array_append_new(
            items, json_pack("{s:s, s:o, s:s, s:o, s:f, s:o, s:f, s:o}", "area", h->area,
                             "area_name", name, "category", h->category, "category_name",
                             category_name_json(rules, h->category), "count", h->count, "expected",
                             num(h->score.expected), "p_value", h->score.p_value, "z_sibling",
                             h->score.is_sibling_tested ? num(h->score.z_sibling) : json_null()));
    }
    json_t *j = json_pack("{s:s, s:o, s:o, s:I, s:I, s:i, s:o}", "area", area, "from",
                          day_json(from), "to", day_json(to), "areas", (json_int_t)hs.areas,
                          "categories", (json_int_t)hs.categories, "history_periods",
                          ANALYSIS_HOTSPOT_HISTORY, "items", items);
    analysis_hotspots_cleanup(&hs);
    return api_reply_json(resp, 200, j);
}

int api_alerts(struct api_request *req, struct api_response *resp)
{
    const char *area = NULL;
    const struct case_rules *rules = NULL;
    struct analysis_alerts al;
    int r;

    if (area_param(req, resp, &area) != 0)
        return 0;
    if ((r = rules_get(req->svc, &rules)) != 0)
        return r;
    if ((r = analysis_alerts(req->svc, area, time_now_ms(), &al)) != 0)
        return r;
    json_t *items = json_array();
    for (size_t i = 0; i < al.len; i++) {
        const struct analysis_alert *a = &al.items[i];
        json_t *cat = a->category[0] ? json_string(a->category) : json_null();
        json_t *it;
        if (strcmp(a->kind, "seasonal_peak") == 0) {
            const struct category *c =
                a->category[0] ? taxonomy_find(rules->tax, a->category) : NULL;
            char act[11], peak[11], text[512];
            day_text(a->act_by_day, act);
            day_text(a->week_day, peak);
            snprintf(text, sizeof(text),
                     "%s expected to peak in the week of %s (about %.0f cases a week, now %.1f): "
                     "hold a themed station session (主题驻点) before %s",
                     c ? c->name_zh : "all categories", peak, a->peak, a->baseline, act);
            it = json_pack("{s:s, s:o, s:o, s:s, s:o, s:o, s:s, s:s}", "kind", a->kind, "category",
                           cat, "category_name", category_name_json(rules, a->category),
                           "peak_week", peak, "expected_peak", num(a->peak), "baseline",
                           num(a->baseline), "act_by", act, "suggestion", text);
        } else {
            it = json_pack("{s:s, s:o, s:o, s:o, s:f, s:o, s:o, s:o}", "kind", a->kind, "category",
                           cat, "category_name", category_name_json(rules, a->category), "week",
                           day_json(a->week_day), "observed", a->observed, "expected",
                           num(a->expected), "lo95", num(a->lo95), "hi95", num(a->hi95));
        }
        json_array_append_new(items, it);
    }
    analysis_alerts_cleanup(&al);
    return api_reply_json(resp, 200, json_pack("{s:s, s:o}", "area", area, "items", items));
}
