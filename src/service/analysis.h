/*
 * analysis.h - the analysis use cases over stored cases (SPEC section 9): volume forecasts
 * with bands, hot spots, early-warning alerts with seasonal-peak suggestions, and the
 * rolling-origin backtest. Each reads daily counts from the store (store_case_daily_counts,
 * local days of the calendar's time zone), builds period series and hands them to the pure
 * models (domain/forecast.h, domain/hotspot.h). Read-only; no transaction needed.
 *
 * Periods: a week runs Monday to Sunday (local); a month is a calendar month. A series ends
 * before the period holding `now`, so a half-finished week never looks like a slump. Leading
 * periods before the first case of the series are dropped. Access is the caller's business
 * (the API checks CAP_CASE_READ on the area first).
 */
#ifndef GRIDGOV_SERVICE_ANALYSIS_H
#define GRIDGOV_SERVICE_ANALYSIS_H

#include "base/error.h"
#include "domain/forecast.h"
#include "domain/hotspot.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;

enum analysis_by {
    ANALYSIS_BY_DAY = 1,
    ANALYSIS_BY_WEEK = 7,
    ANALYSIS_BY_MONTH = 30,
};

#define ANALYSIS_HISTORY_MAX                                                                       \
    160 /* periods of history a forecast shows and fits (3 years of weeks) */
#define ANALYSIS_WEEKS_AHEAD  12
#define ANALYSIS_MONTHS_AHEAD 6
#define ANALYSIS_CLASS_BUF    3 /* category class: 2 digits */

/* "day", "week", "month"; parse gives ERR_INVALID for anything else. */
const char *analysis_by_name(enum analysis_by by);
int analysis_by_parse(const char *name, enum analysis_by *out);

/* A forecast of one series (plain data, caller's storage). Days are local day numbers
 * (forecast_days_from_civil). */
struct analysis_forecast {
    enum analysis_by by;
    size_t n_history;
    long history_day[ANALYSIS_HISTORY_MAX]; /* first day of each past period */
    double history[ANALYSIS_HISTORY_MAX];
    int horizon; /* 12 weeks or 6 months; 0 when there were no cases at all */
    long ahead_day[ANALYSIS_WEEKS_AHEAD];
    struct forecast_point ahead[ANALYSIS_WEEKS_AHEAD];
    struct forecast_model model; /* valid when horizon > 0 */
};

/*
 * Forecast the weekly (12 ahead) or monthly (6 ahead) volume of the cases under area (a code;
 * "" for all) in category (a code prefix; NULL or "" for all), from up to 3 years of weeks or 5
 * years of months before the period holding now_ms. ERR_INVALID for a bad `by` (day is not
 * offered). out is filled on success.
 */
int analysis_forecast(struct service_ctx *ctx, const char *area, const char *category,
                      enum analysis_by by, int64_t now_ms, struct analysis_forecast *out);

/* One hot cell: a child area of the asked area, a category class. */
struct analysis_hotspot {
    char area[19];
    char category[ANALYSIS_CLASS_BUF];
    double count;
    struct hotspot_result score;
};

struct analysis_hotspots {
    long from_day, to_day;          /* the period, local days [from, to) */
    size_t areas, categories;       /* the table scored */
    struct analysis_hotspot *items; /* owned: the hot cells, most surprising first */
    size_t len;
};

#define ANALYSIS_HOTSPOT_HISTORY 8 /* earlier periods of the same length as the history */
#define ANALYSIS_PERIOD_DAYS_MAX 366

/*
 * Hot spots of the children of area (the area itself when it has none) in the local days
 * [from_day, to_day) (1..ANALYSIS_PERIOD_DAYS_MAX days): each (child, category class) cell is
 * scored against the ANALYSIS_HOTSPOT_HISTORY periods of the same length just before, and
 * against the other children (hotspot.h, default parameters). ERR_INVALID for a bad period.
 * Free out with analysis_hotspots_cleanup.
 */
int analysis_hotspots(struct service_ctx *ctx, const char *area, long from_day, long to_day,
                      struct analysis_hotspots *out);
void analysis_hotspots_cleanup(struct analysis_hotspots *h);

/*
 * Early warning for the area: weeks here are the 7-day runs ending today (today so far
 * included, so a surge shows the day it happens). Per category class with enough history (and
 * for all cases), the latest week against the 95% band of a forecast fitted on the weeks
 * before it ("above_band"; "below_band" only where at least 10 were expected), and, where the
 * coming 12 weeks hold a seasonal peak (the
 * fitted week-of-year season when there are two years of data, else the same weeks last year)
 * at least 1.5 times the recent weekly level and 5 cases, a "seasonal_peak" suggestion: hold a
 * themed station session (主题驻点) on that category before act_by_day (two weeks before the
 * peak week).
 */
struct analysis_alert {
    char kind[16];                     /* above_band, below_band, seasonal_peak */
    char category[ANALYSIS_CLASS_BUF]; /* "" = all categories */
    long week_day;                     /* band alerts: the week; peaks: the peak week */
    double observed;                   /* band alerts: the week's count */
    double expected, lo95, hi95;       /* band alerts: the forecast and its band */
    double peak, baseline;             /* peaks: expected count in the peak week, recent level */
    long act_by_day;                   /* peaks: the latest day to hold the session */
};

struct analysis_alerts {
    struct analysis_alert *items; /* owned */
    size_t len;
};

int analysis_alerts(struct service_ctx *ctx, const char *area, int64_t now_ms,
                    struct analysis_alerts *out);
void analysis_alerts_cleanup(struct analysis_alerts *a);

/* Rolling-origin backtest over the stored cases (domain/forecast.h): per category class with
 * at least ANALYSIS_BACKTEST_MIN_CASES cases, daily (7 days ahead, 12 weekly origins) or weekly
 * (4 weeks ahead, 10 origins) series from the first case to the day before the last case. */
#define ANALYSIS_BACKTEST_MIN_CASES 100

struct analysis_backtest_series {
    char category[ANALYSIS_CLASS_BUF];
    size_t n;     /* periods in the series */
    double total; /* cases */
    struct forecast_backtest_result res;
};

struct analysis_backtest {
    enum analysis_by by;
    struct analysis_backtest_series *series; /* owned; only the scored series */
    size_t len;
    size_t outcomes, covered80, covered95;
    double mase_ratio; /* mean over series of model MASE / seasonal-naive MASE */
    double coverage_80, coverage_95;
};

/* ERR_NOT_FOUND when no series has enough data. */
int analysis_backtest(struct service_ctx *ctx, const char *area, enum analysis_by by,
                      int64_t now_ms, struct analysis_backtest *out);
void analysis_backtest_cleanup(struct analysis_backtest *b);

#endif
