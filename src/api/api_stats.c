/*
 * api_stats.c - indicators served from the roll-ups (docs/INDICATORS.md):
 *
 *   GET /api/v1/stats/indicators?area=CODE&from=YYYY-MM-DD&to=YYYY-MM-DD
 *       &by=total|day|week|month|category|child[&category=PREFIX][&format=csv]
 *     staff only, for an area inside the caller's subtree (the access check of case reading);
 *   GET /api/v1/public/stats?area=CODE&from=&to=[&by=total|month|category|child]
 *     anyone: a few counts and rates for residents, with every count from 1 to k−1 (config
 *     public_stats_min_count, default 5) suppressed, and every rate whose numerator,
 *     denominator or their difference is such a count, so that no small group of cases (and so
 *     no resident) can be singled out.
 *
 * Parameters are validated here; the figures come from service/rollups.c, never from cases.
 */
#include "api/api_handlers.h"

#include "base/timeutil.h"
#include "domain/areacode.h"
#include "domain/indicators.h"
#include "service/context.h"
#include "service/rollups.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define STATS_YEARS_MAX 10 /* longest period one request may ask for */

struct stats_query {
    const char *area;
    int from_day, to_day;
    enum rollups_by by;
    const char *category; /* "" = all */
    int is_csv;
};

/* "YYYY-MM-DD" -> YYYYMMDD, or 0. */
static int parse_day(const char *s)
{
    int y, m, d, n = 0;
    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
        return 0;
    return indicator_day_is_valid(y * 10000 + m * 100 + d) ? y * 10000 + m * 100 + d : 0;
}

static int is_digits(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* Parse and validate the common parameters; on failure the 400 is written and nonzero
 * returned. default_area is used when area is absent (NULL: area is required). */
static int parse_query(struct api_request *req, struct api_response *resp, const char *default_area,
                       int is_public, struct stats_query *q)
{
    const char *v;
    int today = indicator_day(time_now_ms());
    memset(q, 0, sizeof(*q));
    q->area = api_query(req, "area");
    if (q->area == NULL)
        q->area = default_area;
    if (q->area == NULL || q->area[0] == '\0')
        return api_reply_error(resp, ERR_INVALID, "query parameter 'area' is required"), 1;
    if (!areacode_is_valid(q->area))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'area' is not an area code"), 1;
    v = api_query(req, "to");
    q->to_day = v ? parse_day(v) : today;
    if (q->to_day == 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'to' must be a date YYYY-MM-DD"),
               1;
    v = api_query(req, "from");
    q->from_day = v ? parse_day(v) : q->to_day / 10000 * 10000 + 101;
    if (q->from_day == 0)
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'from' must be a date YYYY-MM-DD"),
               1;
    if (q->from_day > q->to_day)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'from' is after 'to'"), 1;
    if (q->to_day / 10000 - q->from_day / 10000 > STATS_YEARS_MAX)
        return api_reply_error(resp, ERR_INVALID, "the period may span at most 10 years"), 1;
    v = api_query(req, "by");
    if (v != NULL && rollups_by_parse(v, &q->by) != 0)
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'by' must be total, day, week, month, category "
                               "or child"),
               1;
    if (is_public && (q->by == ROLLUPS_BY_DAY || q->by == ROLLUPS_BY_WEEK))
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'by' must be total, month, category or child"),
               1;
    v = api_query(req, "category");
    q->category = v ? v : "";
    if (v != NULL && !is_digits(v, 8))
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'category' must be a category code (prefix)"),
               1;
    v = api_query(req, "format");
    if (v != NULL && strcmp(v, "csv") != 0 && strcmp(v, "json") != 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'format' must be json or csv"),
               1;
    q->is_csv = v != NULL && strcmp(v, "csv") == 0;
    return 0;
}

/* YYYYMMDD (a valid date) -> "YYYY-MM-DD". */
static void day_text(int day, char out[16])
{
    unsigned d = (unsigned)day;
    snprintf(out, 16, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
}

static json_t *number_or_null(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

/* ---- staff indicators ---------------------------------------------------------------------- */

struct rows_out {
    json_t *rows;    /* JSON rows, or */
    struct buf *csv; /* CSV lines */
    struct indicator_settings settings;
};

static int json_row(void *arg, const char *key, const struct rollup_counters *c)
{
    struct rows_out *o = arg;
    double v[INDICATOR_VALUE_COUNT];
    json_t *counters = json_object(), *values = json_object(), *hist = json_array();
    indicator_compute(c, &o->settings, v);
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        json_object_set_new(counters, indicator_field_name((enum rollup_field)i),
                            json_integer(c->v[i]));
    for (int i = 0; i < ROLLUP_HIST_BUCKETS; i++)
        json_array_append_new(hist, json_integer(c->hist[i]));
    json_object_set_new(counters, "handling_histogram", hist);
    for (int i = 0; i < INDICATOR_VALUE_COUNT; i++)
        json_object_set_new(values, indicator_value_name((enum indicator_value)i),
                            number_or_null(v[i]));
    json_array_append_new(o->rows, json_pack("{s:s, s:o, s:o}", "key", key, "counters", counters,
                                             "indicators", values));
    return 0;
}

static int csv_row(void *arg, const char *key, const struct rollup_counters *c)
{
    struct rows_out *o = arg;
    return rollups_csv_row(o->csv, key, c, &o->settings);
}

static int reply_query_error(struct api_response *resp, int r)
{
    if (r == ERR_INVALID)
        return api_reply_error(resp, r, "the area or the period is not valid");
    return r;
}

int api_stats_indicators(struct api_request *req, struct api_response *resp)
{
    const struct principal *p = req->principal;
    struct stats_query q;
    struct rows_out o;
    char from[16], to[16];
    int r;
    if (p == NULL)
        return api_reply_access(resp, ERR_UNAUTHORIZED, "");
    if (parse_query(req, resp, p->scope, 0, &q) != 0)
        return 0;
    if (p->role == ROLE_RESIDENT || access_check(p, CAP_CASE_READ, q.area) != 0)
        return api_reply_access(resp, ERR_FORBIDDEN, q.area);
    memset(&o, 0, sizeof(o));
    rollups_settings(req->svc->cfg, &o.settings);
    if (q.is_csv) {
        resp->content_type = "text/csv; charset=utf-8";
        o.csv = &resp->body;
        if ((r = rollups_csv_header(o.csv, rollups_by_name(q.by))) != 0)
            return r;
        if ((r = rollups_query(service_ctx_reader(req->svc), q.area, q.from_day, q.to_day,
                               q.category, q.by, csv_row, &o)) != 0) {
            buf_reset(&resp->body);
            resp->content_type = "application/json";
            return reply_query_error(resp, r);
        }
        resp->status = 200;
        return 0;
    }
    o.rows = json_array();
    if ((r = rollups_query(service_ctx_reader(req->svc), q.area, q.from_day, q.to_day, q.category,
                           q.by, json_row, &o)) != 0) {
        json_decref(o.rows);
        return reply_query_error(resp, r);
    }
    day_text(q.from_day, from);
    day_text(q.to_day, to);
    return api_reply_json(
        resp, 200,
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:b, s:f, s:f, s:f}, s:o}", "area", q.area, "from",
                  from, "to", to, "by", rollups_by_name(q.by), "category", q.category, "settings",
                  "exclude_suspended", o.settings.is_suspended_excluded, "points_base",
                  o.settings.points_base, "points_yellow", o.settings.points_yellow, "points_red",
                  o.settings.points_red, "rows", o.rows));
}

/* ---- public statistics ------------------------------------------------------------------- */

/* The counts residents see, and the rates (numerator, denominator) built on them. */
static const enum rollup_field public_counts[] = {
    RF_collected, RF_accepted,       RF_rejected,  RF_resolved_on_site, RF_answered,
    RF_closed,    RF_closed_on_time, RF_evaluated, RF_satisfied,
};

struct public_out {
    json_t *rows;
    int64_t k;
    struct indicator_settings settings;
};

static int is_small(int64_t n, int64_t k)
{
    return n > 0 && n < k;
}

/* A rate num/den is shown only when none of num, den and den−num singles out fewer than k
 * cases (den−num would give a suppressed count away by difference). */
static json_t *public_rate(int64_t num, int64_t den, int64_t k)
{
    if (den == 0 || is_small(num, k) || is_small(den, k) || is_small(den - num, k))
        return json_null();
    return json_real((double)num / (double)den);
}

static int public_row(void *arg, const char *key, const struct rollup_counters *c)
{
    struct public_out *o = arg;
    const int64_t *v = c->v;
    int64_t k = o->k;
    int64_t due = v[RF_collected] - v[RF_rejected] - v[RF_merged] -
                  (o->settings.is_suspended_excluded ? v[RF_suspended] : 0);
    json_t *counts = json_object(), *rates = json_object();
    int suppressed = 0;
    for (size_t i = 0; i < sizeof(public_counts) / sizeof(public_counts[0]); i++) {
        int64_t n = v[public_counts[i]];
        const char *name = indicator_field_name(public_counts[i]);
        if (is_small(n, k)) {
            json_object_set_new(counts, name, json_null());
            suppressed = 1;
        } else {
            json_object_set_new(counts, name, json_integer(n));
        }
    }
    json_object_set_new(rates, "closure_rate", public_rate(v[RF_closed], due, k));
    json_object_set_new(rates, "on_time_closure_rate", public_rate(v[RF_closed_on_time], due, k));
    json_object_set_new(
        rates, "resolved_or_answered_rate",
        public_rate(v[RF_closed_resolved] + v[RF_closed_answered], v[RF_closed], k));
    json_object_set_new(rates, "satisfaction_rate",
                        public_rate(v[RF_satisfied], v[RF_evaluated], k));
    json_object_set_new(rates, "median_handling_hours",
                        v[RF_closed] >= k ? number_or_null(indicator_hist_quantile(c->hist, 0.5))
                                          : json_null());
    json_array_append_new(o->rows, json_pack("{s:s, s:o, s:o, s:b}", "key", key, "counts", counts,
                                             "rates", rates, "suppressed", suppressed));
    return 0;
}

int api_public_stats(struct api_request *req, struct api_response *resp)
{
    struct stats_query q;
    struct public_out o;
    char from[16], to[16];
    int exists = 0, r;
    if (parse_query(req, resp, NULL, 1, &q) != 0)
        return 0;
    if (q.is_csv)
        return api_reply_error(resp, ERR_INVALID, "public statistics are served as JSON only");
    if ((r = store_area_exists(req->svc->st, q.area, &exists)) != 0)
        return r;
    if (!exists)
        return api_reply_error(resp, ERR_NOT_FOUND, "no such area");
    memset(&o, 0, sizeof(o));
    o.k = req->svc->cfg->public_stats_min_count;
    rollups_settings(req->svc->cfg, &o.settings);
    o.rows = json_array();
    if ((r = rollups_query(service_ctx_reader(req->svc), q.area, q.from_day, q.to_day, q.category,
                           q.by, public_row, &o)) != 0) {
        json_decref(o.rows);
        return reply_query_error(resp, r);
    }
    day_text(q.from_day, from);
    day_text(q.to_day, to);
    return api_reply_json(resp, 200,
                          json_pack("{s:s, s:s, s:s, s:s, s:I, s:o}", "area", q.area, "from", from,
                                    "to", to, "by", rollups_by_name(q.by), "min_count",
                                    (json_int_t)o.k, "rows", o.rows));
}
