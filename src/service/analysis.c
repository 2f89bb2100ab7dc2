/*
 * analysis.c - forecasts, hot spots, alerts and backtests over stored cases (see analysis.h
 * and docs/FORECASTING.md).
 *
 * Every use case reads daily counts with one store query per area (store_case_daily_counts),
 * keyed by local day number in the calendar's time zone, then sums them into weeks (Monday
 * first) or calendar months. Counts are bounded by what one query returns (ROWS_MAX rows);
 * the models are pure (domain/forecast.c, domain/hotspot.c). Called by the API handlers
 * (api_analysis.c) and `gridgov backtest`; uses the context's store and rules (for the
 * calendar) and nothing else, so it runs on any worker thread.
 */
#include "service/analysis.h"

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/calendar.h"
#include "service/context.h"
#include "service/rules.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS       ((int64_t)86400000)
#define ROWS_MAX     2000000
#define CLASSES      100 /* category classes are two digits: 00..99 */
#define CHILDREN_MAX 500

const char *analysis_by_name(enum analysis_by by)
{
    switch (by) {
    case ANALYSIS_BY_DAY:
        return "day";
    case ANALYSIS_BY_WEEK:
        return "week";
    case ANALYSIS_BY_MONTH:
        return "month";
    }
    return NULL;
}

int analysis_by_parse(const char *name, enum analysis_by *out)
{
    if (name == NULL)
        return ERR_INVALID;
    if (strcmp(name, "day") == 0)
        *out = ANALYSIS_BY_DAY;
    else if (strcmp(name, "week") == 0)
        *out = ANALYSIS_BY_WEEK;
    else if (strcmp(name, "month") == 0)
        *out = ANALYSIS_BY_MONTH;
    else
        return ERR_INVALID;
    return 0;
}

/* ---- days and periods ---- */

static long floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return (long)q;
}

static long local_day(const struct calendar *cal, int64_t ms)
{
    return floor_div(ms + (int64_t)calendar_utc_offset(cal) * 60000, DAY_MS);
}

static int64_t day_start_ms(const struct calendar *cal, long day)
{
    return (int64_t)day * DAY_MS - (int64_t)calendar_utc_offset(cal) * 60000;
}

static long week_start(long day)
{
    return day - (((day + 3) % 7) + 7) % 7; /* day 0 (1970-01-01) was a Thursday */
}

static long month_start(long day)
{
    int y, m, d;
    time_civil_from_days(day, &y, &m, &d);
    return time_days_from_civil(y, m, 1);
}

static long add_months(long first_of_month, int k)
{
    int y, m, d;
    time_civil_from_days(first_of_month, &y, &m, &d);
    long idx = (long)y * 12 + (m - 1) + k;
    return time_days_from_civil((int)floor_div(idx, 12), (int)(idx - floor_div(idx, 12) * 12) + 1,
                                1);
}

/* Index of the period holding day, periods of `by` starting at first (a period start). */
static long period_index(enum analysis_by by, long first, long day)
{
    if (by == ANALYSIS_BY_DAY)
        return day - first;
    if (by == ANALYSIS_BY_WEEK)
        return floor_div(day - first, 7);
    int y0, m0, y, m, d;
    time_civil_from_days(first, &y0, &m0, &d);
    time_civil_from_days(day, &y, &m, &d);
    return (long)(y - y0) * 12 + (m - m0);
}

static long period_day(enum analysis_by by, long first, long idx)
{
    if (by == ANALYSIS_BY_MONTH)
        return add_months(first, (int)idx);
    return first + idx * (long)by;
}

/* ---- reading daily counts ---- */

struct daily_rows {
    long *day;
    int *cls; /* class 0..99, or -1 when not grouped */
    double *count;
    size_t len, cap;
};

static void rows_cleanup(struct daily_rows *r)
{
    free(r->day);
    free(r->cls);
    free(r->count);
    memset(r, 0, sizeof(*r));
}

static int collect_row(void *ctx, int64_t day, const char *cls, int64_t count)
{
    struct daily_rows *r = ctx;
    if (r->len == ROWS_MAX)
        return ERR_TOO_LARGE;
    if (r->len == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->day = xreallocarray(r->day, r->cap, sizeof(*r->day));
        r->cls = xreallocarray(r->cls, r->cap, sizeof(*r->cls));
        r->count = xreallocarray(r->count, r->cap, sizeof(*r->count));
    }
    int c = -1;
    if (cls[0] >= '0' && cls[0] <= '9' && cls[1] >= '0' && cls[1] <= '9')
        c = (cls[0] - '0') * 10 + (cls[1] - '0');
    r->day[r->len] = (long)day;
    r->cls[r->len] = c;
    r->count[r->len] = (double)count;
    r->len++;
    return 0;
}

static int load_rows(struct service_ctx *ctx, const struct calendar *cal, const char *area,
                     const char *category, long from_day, long to_day, int by_class,
                     struct daily_rows *out)
{
    memset(out, 0, sizeof(*out));
    int r = store_case_daily_counts(service_ctx_reader(ctx), area, category,
                                    day_start_ms(cal, from_day), day_start_ms(cal, to_day),
                                    calendar_utc_offset(cal), by_class, collect_row, out);
    if (r != 0)
        rows_cleanup(out);
    return r;
}

/* Sum rows (of class cls, or all when cls < 0) into n periods starting at first. */
static void sum_periods(const struct daily_rows *rows, int cls, enum analysis_by by, long first,
                        size_t n, double *out)
{
    memset(out, 0, n * sizeof(*out));
    for (size_t i = 0; i < rows->len; i++) {
        if (cls >= 0 && rows->cls[i] != cls)
            continue;
        long p = period_index(by, first, rows->day[i]);
        if (p >= 0 && (size_t)p < n)
            out[p] += rows->count[i];
    }
}

/* Index of the first period (from first) that starts on or after the earliest day in rows: the
 * period where the data begins is partial unless the data begins on its first day. 0 when
 * there are no rows. */
static size_t first_full_period(const struct daily_rows *rows, enum analysis_by by, long first)
{
    if (rows->len == 0)
        return 0;
    long min_day = rows->day[0]; /* rows come in day order */
    long p = period_index(by, first, min_day);
    if (p < 0)
        return 0;
    if (period_day(by, first, p) < min_day)
        p++;
    return (size_t)p;
}

static size_t first_nonzero(const double *y, size_t n)
{
    size_t i = 0;
    while (i < n && y[i] == 0.0)
        i++;
    return i;
}

static int holiday_regressor(const struct calendar *cal, enum analysis_by by, long first,
                             size_t count, double *out)
{
    int y, m, d;
    time_civil_from_days(first, &y, &m, &d);
    return forecast_holiday_regressor(cal, y, m, d, by == ANALYSIS_BY_MONTH ? 0 : (int)by, count,
                                      out);
}

static int season_of(enum analysis_by by)
{
    return by == ANALYSIS_BY_DAY ? 7 : by == ANALYSIS_BY_WEEK ? 52 : 12;
}

/* Fit y[0..n) (periods of `by` from first) with the calendar's holidays, for horizon steps. */
static int fit_series(const struct calendar *cal, enum analysis_by by, long first, const double *y,
                      size_t n, int horizon, struct forecast_model *model)
{
    double *x = xcalloc(n + (size_t)horizon, sizeof(*x));
    int r = holiday_regressor(cal, by, first, n + (size_t)horizon, x);
    if (r == 0) {
        struct forecast_options opt = {.period = season_of(by),
                                       .horizon = horizon,
                                       .transform = FORECAST_AUTO,
                                       .regressor = x};
        r = forecast_fit(y, n, &opt, model);
    }
    free(x);
    return r;
}

static int get_calendar(struct service_ctx *ctx, const struct calendar **out)
{
    const struct case_rules *rules = NULL;
    int r = rules_get(ctx, &rules);
    if (r == 0)
        *out = rules->cal;
    return r;
}

/* ---- forecast ---- */

int analysis_forecast(struct service_ctx *ctx, const char *area, const char *category,
                      enum analysis_by by, int64_t now_ms, struct analysis_forecast *out)
{
    const struct calendar *cal = NULL;
    struct daily_rows rows;
    double series[ANALYSIS_HISTORY_MAX];
    long end, start;
    size_t n;
    int horizon, r;

    memset(out, 0, sizeof(*out));
    if (by != ANALYSIS_BY_WEEK && by != ANALYSIS_BY_MONTH)
        return ERR_INVALID;
    if ((r = get_calendar(ctx, &cal)) != 0)
        return r;
    long today = local_day(cal, now_ms);
    if (by == ANALYSIS_BY_WEEK) {
        n = 156;
        end = week_start(today);
        start = end - (long)n * 7;
        horizon = ANALYSIS_WEEKS_AHEAD;
    } else {
        n = 60;
        end = month_start(today);
        start = add_months(end, -(int)n);
        horizon = ANALYSIS_MONTHS_AHEAD;
    }
    if ((r = load_rows(ctx, cal, area, category, start, end, 0, &rows)) != 0)
        return r;
    sum_periods(&rows, -1, by, start, n, series);
    size_t full = first_full_period(&rows, by, start);
    rows_cleanup(&rows);

    size_t skip = first_nonzero(series, n);
    if (skip < full)
        skip = full;
    if (skip + 8 > n) /* (almost) no cases: show the last periods, zeros included */
        skip = n - 8;
    out->by = by;
    out->n_history = n - skip;
    for (size_t i = 0; i < out->n_history; i++) {
        out->history_day[i] = period_day(by, start, (long)(skip + i));
        out->history[i] = series[skip + i];
    }
    if ((r = fit_series(cal, by, out->history_day[0], out->history, out->n_history, horizon,
                        &out->model)) != 0)
        return r;
    if ((r = forecast_predict(&out->model, horizon, out->ahead)) != 0)
        return r;
    out->horizon = horizon;
    for (int k = 0; k < horizon; k++)
        out->ahead_day[k] = period_day(by, end, k);
    return 0;
}

/* ---- hot spots ---- */

void analysis_hotspots_cleanup(struct analysis_hotspots *h)
{
    if (h == NULL)
        return;
    free(h->items);
    h->items = NULL;
    h->len = 0;
}

static int cmp_hot(const void *a, const void *b)
{
    const struct analysis_hotspot *x = a, *y = b;
    if (x->score.p_value != y->score.p_value)
        return x->score.p_value < y->score.p_value ? -1 : 1;
    if (x->score.z_sibling != y->score.z_sibling)
        return x->score.z_sibling > y->score.z_sibling ? -1 : 1;
    int c = strcmp(x->area, y->area);
    return c ? c : strcmp(x->category, y->category);
}

int analysis_hotspots(struct service_ctx *ctx, const char *area, long from_day, long to_day,
                      struct analysis_hotspots *out)
{
    enum { H = ANALYSIS_HOTSPOT_HISTORY };
    const struct calendar *cal = NULL;
    struct area_list children = {0};
    double *counts = NULL; /* [child][class][H + 1] */
    struct hotspot_cell *cells = NULL;
    struct hotspot_result *res = NULL;
    int class_index[CLASSES];
    int r;

    memset(out, 0, sizeof(*out));
    long len = to_day - from_day;
    if (len < 1 || len > ANALYSIS_PERIOD_DAYS_MAX)
        return ERR_INVALID;
    if ((r = get_calendar(ctx, &cal)) != 0)
        return r;
    if ((r = store_area_children(service_ctx_reader(ctx), area, 0, &children)) != 0)
        return r;
    size_t na = children.len ? children.len : 1;
    if (na > CHILDREN_MAX) {
        r = ERR_TOO_LARGE;
        goto out;
    }
    long hist_from = from_day - (long)H * len;
    counts = xcalloc(na * CLASSES * (H + 1), sizeof(*counts));
    for (size_t a = 0; a < na; a++) {
        struct daily_rows rows;
        const char *code = children.len ? children.items[a].code : area;
        if ((r = load_rows(ctx, cal, code, NULL, hist_from, to_day, 1, &rows)) != 0)
            goto out;
        for (size_t i = 0; i < rows.len; i++) {
            if (rows.cls[i] < 0)
                continue;
            long p = floor_div(rows.day[i] - hist_from, len);
            if (p >= 0 && p <= H)
                counts[(a * CLASSES + (size_t)rows.cls[i]) * (H + 1) + (size_t)p] += rows.count[i];
        }
        rows_cleanup(&rows);
    }
    /* the categories seen anywhere, in code order */
    size_t nc = 0;
    for (int c = 0; c < CLASSES; c++) {
        class_index[c] = -1;
        for (size_t a = 0; a < na && class_index[c] < 0; a++)
            for (int p = 0; p <= H; p++)
                if (counts[(a * CLASSES + (size_t)c) * (H + 1) + (size_t)p] > 0) {
                    class_index[c] = (int)nc++;
                    break;
                }
    }
    out->from_day = from_day;
    out->to_day = to_day;
    out->areas = na;
    out->categories = nc;
    if (nc == 0) {
        r = 0;
        goto out;
    }
    cells = xcalloc(na * nc, sizeof(*cells));
    res = xcalloc(na * nc, sizeof(*res));
    for (size_t a = 0; a < na; a++)
        for (int c = 0; c < CLASSES; c++) {
            if (class_index[c] < 0)
                continue;
            const double *h = &counts[(a * CLASSES + (size_t)c) * (H + 1)];
            struct hotspot_cell *cell = &cells[a * nc + (size_t)class_index[c]];
            cell->count = h[H];
            cell->expected = -1.0;
            cell->history = h;
            cell->history_len = H;
        }
    struct hotspot_params prm;
    hotspot_params_default(&prm);
    if ((r = hotspot_score(cells, na, nc, &prm, res)) != 0)
        goto out;
    for (size_t i = 0; i < na * nc; i++)
        if (res[i].is_hot)
            out->len++;
    out->items = xcalloc(out->len ? out->len : 1, sizeof(*out->items));
    size_t k = 0;
    for (size_t a = 0; a < na; a++)
        for (int c = 0; c < CLASSES; c++) {
            if (class_index[c] < 0)
                continue;
            size_t i = a * nc + (size_t)class_index[c];
            if (!res[i].is_hot)
                continue;
            struct analysis_hotspot *it = &out->items[k++];
            snprintf(it->area, sizeof(it->area), "%s",
                     children.len ? children.items[a].code : area);
            snprintf(it->category, sizeof(it->category), "%02d", c);
            it->count = cells[i].count;
            it->score = res[i];
        }
    if (out->len > 1)
        qsort(out->items, out->len, sizeof(*out->items), cmp_hot);
    r = 0;
out:
    area_list_cleanup(&children);
    free(counts);
    free(cells);
    free(res);
    if (r != 0)
        analysis_hotspots_cleanup(out);
    return r;
}

/* ---- alerts ---- */

void analysis_alerts_cleanup(struct analysis_alerts *a)
{
    if (a == NULL)
        return;
    free(a->items);
    a->items = NULL;
    a->len = 0;
}

static struct analysis_alert *alert_add(struct analysis_alerts *a, size_t *cap)
{
    if (a->len == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        a->items = xreallocarray(a->items, *cap, sizeof(*a->items));
    }
    struct analysis_alert *it = &a->items[a->len++];
    memset(it, 0, sizeof(*it));
    return it;
}

#define ALERT_MIN_WEEKS   12
#define ALERT_MIN_CASES   30
#define PEAK_RATIO        1.5
#define PEAK_MIN_CASES    5.0
#define BAND_MIN_OBSERVED 5.0

static int alerts_for_series(const struct calendar *cal, const double *all, size_t n_all,
                             size_t full, long start, long end, long today, const char *cls,
                             struct analysis_alerts *out, size_t *cap)
{
    struct forecast_model model;
    struct forecast_point pts[ANALYSIS_WEEKS_AHEAD];
    size_t skip = first_nonzero(all, n_all);
    if (skip < full)
        skip = full;
    const double *y = all + skip;
    size_t n = n_all - skip;
    long first = start + (long)skip * 7;
    double total = 0.0;
    int r;
    for (size_t i = 0; i < n; i++)
        total += y[i];
    if (n < ALERT_MIN_WEEKS || total < ALERT_MIN_CASES)
        return 0;

    /* the last complete week against the band fitted on the weeks before it */
    if ((r = fit_series(cal, ANALYSIS_BY_WEEK, first, y, n - 1, 1, &model)) != 0 ||
        (r = forecast_predict(&model, 1, pts)) != 0)
        return r;
    double obs = y[n - 1];
    int above = obs > pts[0].hi95 && obs >= BAND_MIN_OBSERVED;
    int below = obs < pts[0].lo95 && pts[0].point >= 2 * BAND_MIN_OBSERVED;
    if (above || below) {
        struct analysis_alert *a = alert_add(out, cap);
        snprintf(a->kind, sizeof(a->kind), "%s", above ? "above_band" : "below_band");
        snprintf(a->category, sizeof(a->category), "%s", cls);
        a->week_day = end - 7;
        a->observed = obs;
        a->expected = pts[0].point;
        a->lo95 = pts[0].lo95;
        a->hi95 = pts[0].hi95;
    }

    /* a seasonal peak in the coming weeks */
    double ahead[ANALYSIS_WEEKS_AHEAD];
    int have = 0;
    if ((r = fit_series(cal, ANALYSIS_BY_WEEK, first, y, n, ANALYSIS_WEEKS_AHEAD, &model)) != 0)
        return r;
    if (model.period == 52) {
        if ((r = forecast_predict(&model, ANALYSIS_WEEKS_AHEAD, pts)) != 0)
            return r;
        for (int k = 0; k < ANALYSIS_WEEKS_AHEAD; k++)
            ahead[k] = pts[k].point;
        have = 1;
    } else if (n >= 52) {
        /* the same weeks last year (week n + k is 52 weeks after n + k - 52), smoothed over
         * three weeks */
        for (int k = 0; k < ANALYSIS_WEEKS_AHEAD; k++) {
            double s = 0.0;
            int c = 0;
            for (int j = -1; j <= 1; j++) {
                long i = (long)n - 52 + k + j;
                if (i >= 0 && (size_t)i < n) {
                    s += y[i];
                    c++;
                }
            }
            ahead[k] = c ? s / c : 0.0;
        }
        have = 1;
    }
    if (have) {
        double base = 0.0;
        for (size_t i = n - 8; i < n; i++)
            base += y[i] / 8.0;
        int kmax = 0;
        for (int k = 1; k < ANALYSIS_WEEKS_AHEAD; k++)
            if (ahead[k] > ahead[kmax])
                kmax = k;
        double floor_base = base > 1.0 ? base : 1.0;
        if (ahead[kmax] >= PEAK_RATIO * floor_base && ahead[kmax] >= PEAK_MIN_CASES) {
            struct analysis_alert *a = alert_add(out, cap);
            snprintf(a->kind, sizeof(a->kind), "%s", "seasonal_peak");
            snprintf(a->category, sizeof(a->category), "%s", cls);
            a->week_day = end + 7L * kmax;
            a->peak = ahead[kmax];
            a->baseline = base;
            a->act_by_day = a->week_day - 14 > today ? a->week_day - 14 : today;
        }
    }
    return 0;
}

int analysis_alerts(struct service_ctx *ctx, const char *area, int64_t now_ms,
                    struct analysis_alerts *out)
{
    enum { N = 156 };
    const struct calendar *cal = NULL;
    struct daily_rows rows;
    double series[N];
    size_t cap = 0;
    int r;

    memset(out, 0, sizeof(*out));
    if ((r = get_calendar(ctx, &cal)) != 0)
        return r;
    long today = local_day(cal, now_ms);
    long end = today + 1; /* the latest week is the 7 days ending today (so far) */
    long start = end - 7L * N;
    if ((r = load_rows(ctx, cal, area, NULL, start, end, 1, &rows)) != 0)
        return r;
    size_t full = first_full_period(&rows, ANALYSIS_BY_WEEK, start);
    sum_periods(&rows, -1, ANALYSIS_BY_WEEK, start, N, series);
    r = alerts_for_series(cal, series, N, full, start, end, today, "", out, &cap);
    for (int c = 0; c < CLASSES && r == 0; c++) {
        char cls[ANALYSIS_CLASS_BUF];
        snprintf(cls, sizeof(cls), "%02d", c);
        sum_periods(&rows, c, ANALYSIS_BY_WEEK, start, N, series);
        r = alerts_for_series(cal, series, N, full, start, end, today, cls, out, &cap);
    }
    rows_cleanup(&rows);
    if (r != 0)
        analysis_alerts_cleanup(out);
    return r;
}

/* ---- backtest ---- */

void analysis_backtest_cleanup(struct analysis_backtest *b)
{
    if (b == NULL)
        return;
    free(b->series);
    b->series = NULL;
    b->len = 0;
}

int analysis_backtest(struct service_ctx *ctx, const char *area, enum analysis_by by,
                      int64_t now_ms, struct analysis_backtest *out)
{
    const struct calendar *cal = NULL;
    struct daily_rows rows;
    double *y = NULL, *x = NULL;
    int r;

    memset(out, 0, sizeof(*out));
    if (by != ANALYSIS_BY_DAY && by != ANALYSIS_BY_WEEK)
        return ERR_INVALID;
    if ((r = get_calendar(ctx, &cal)) != 0)
        return r;
    out->by = by;
    if ((r = load_rows(ctx, cal, area, NULL, 0, local_day(cal, now_ms) + 1, 1, &rows)) != 0)
        return r;
    if (rows.len == 0) {
        rows_cleanup(&rows);
        return ERR_NOT_FOUND;
    }
    long min_day = rows.day[0], max_day = rows.day[rows.len - 1];
    /* whole periods only: from the first full period to the last one before max_day */
    long first, last_end;
    if (by == ANALYSIS_BY_DAY) {
        first = min_day + 1; /* the first day may have started part-way */
        last_end = max_day;
    } else {
        first = week_start(min_day) == min_day ? min_day : week_start(min_day) + 7;
        last_end = week_start(max_day);
    }
    long np = by == ANALYSIS_BY_DAY ? last_end - first : (last_end - first) / 7;
    int horizon = by == ANALYSIS_BY_DAY ? 7 : 4;
    int origins = by == ANALYSIS_BY_DAY ? 12 : 10;
    int step = by == ANALYSIS_BY_DAY ? 7 : 1;
    size_t min_train = by == ANALYSIS_BY_DAY ? 56 : 20;
    if (np < (long)min_train + horizon || np > FORECAST_N_MAX) {
        rows_cleanup(&rows);
        return np > FORECAST_N_MAX ? ERR_TOO_LARGE : ERR_NOT_FOUND;
    }
    size_t n = (size_t)np;
    y = xcalloc(n, sizeof(*y));
    x = xcalloc(n + (size_t)horizon, sizeof(*x));
    if ((r = holiday_regressor(cal, by, first, n + (size_t)horizon, x)) != 0)
        goto out;
    out->series = xcalloc(CLASSES, sizeof(*out->series));
    double ratio_sum = 0.0;
    for (int c = 0; c < CLASSES; c++) {
        sum_periods(&rows, c, by, first, n, y);
        double total = 0.0;
        for (size_t i = 0; i < n; i++)
            total += y[i];
        if (total < ANALYSIS_BACKTEST_MIN_CASES)
            continue;
        struct forecast_options opt = {.period = season_of(by),
                                       .horizon = horizon,
                                       .transform = FORECAST_AUTO,
                                       .regressor = x};
        struct analysis_backtest_series *s = &out->series[out->len];
        if ((r = forecast_backtest(y, n, &opt, origins, step, min_train, &s->res)) != 0)
            goto out;
        if (!s->res.is_scored || !(s->res.mase_snaive > 0.0))
            continue;
        snprintf(s->category, sizeof(s->category), "%02d", c);
        s->n = n;
        s->total = total;
        ratio_sum += s->res.mase_model / s->res.mase_snaive;
        out->outcomes += s->res.outcomes;
        out->covered80 += s->res.covered80;
        out->covered95 += s->res.covered95;
        out->len++;
    }
    if (out->len == 0) {
        r = ERR_NOT_FOUND;
        goto out;
    }
    out->mase_ratio = ratio_sum / (double)out->len;
    out->coverage_80 = (double)out->covered80 / (double)out->outcomes;
    out->coverage_95 = (double)out->covered95 / (double)out->outcomes;
    r = 0;
out:
    rows_cleanup(&rows);
    free(y);
    free(x);
    if (r != 0)
        analysis_backtest_cleanup(out);
    return r;
}
