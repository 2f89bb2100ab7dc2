/*
 * forecast.h - seasonal forecasts of case-count series (SPEC section 9: volume per category and
 * area for the coming weeks and months, with prediction intervals, and the early-warning band).
 *
 * The model is additive Holt-Winters with a damped trend (ETS(A,Ad,A) in error-correction form)
 * on a variance-stabilised series z = log1p(y) or sqrt(y), plus one known regressor x_t (the
 * holiday indicator of the calendar, see forecast_holiday_regressor) with a fitted coefficient:
 *
 *   zhat_t = l + phi*b + s_{t-m} + c*x_t          e_t = z_t - zhat_t
 *   l' = l + phi*b + alpha*e    b' = phi*b + beta*e    s_t = s_{t-m} + gamma*e
 *
 * alpha, beta, gamma, phi and c are fitted by minimising the sum of squared one-step errors
 * (a fixed grid of starting points, then Nelder-Mead; deterministic). Point forecasts are the
 * back-transformed forecast of z, i.e. the forecast median on the count scale (the right point
 * for absolute-error measures such as MASE). Prediction intervals: the in-sample h-step errors
 * (every origin, h = 1..horizon) are divided by the ETS(A,Ad,A) standard-deviation factor
 * sqrt(v_h), v_h = 1 + sum_{j<h} (alpha + beta*phi*(1-phi^j)/(1-phi) + gamma*[j % m == 0])^2,
 * pooled, and their empirical quantiles, times sqrt(v_h), give the band on the z scale, which is
 * then back-transformed (and clamped at 0). With fewer than FORECAST_MIN_ERRORS errors the normal
 * quantiles of the one-step RMSE are used instead. See docs/FORECASTING.md.
 *
 * Seasonality is used only when the series holds at least two full seasons plus one point
 * (otherwise m = 1: level and damped trend only). The baseline is the seasonal naive forecast
 * (the value one season earlier; the last value when m = 1).
 *
 * Pure: no I/O, no clock, no globals, no allocation that outlives a call (the fit allocates
 * scratch space and frees it). Safe to call from any thread.
 */
#ifndef GRIDGOV_DOMAIN_FORECAST_H
#define GRIDGOV_DOMAIN_FORECAST_H

#include "base/error.h"
#include "domain/calendar.h"

#include <stddef.h>

#define FORECAST_N_MAX       20000 /* observations a fit accepts (55 years of days) */
#define FORECAST_PERIOD_MAX  53
#define FORECAST_HORIZON_MAX 400
#define FORECAST_MIN_ERRORS  30 /* standardised errors needed for empirical quantiles */

enum forecast_transform {
    FORECAST_LOG1P = 0, /* z = log(1 + y) */
    FORECAST_SQRT = 1,  /* z = sqrt(y) */
    FORECAST_AUTO = 2,  /* sqrt when the series mean is below 10, else log1p */
};

/* How to fit. period: season length (7 for days, 52 for weeks, 12 for months, 1 for none).
 * horizon: the longest horizon intervals will be asked for (1..FORECAST_HORIZON_MAX); the
 * in-sample error distribution is built for h = 1..horizon. regressor: NULL, or at least
 * n + horizon values (the observed period then the future ones), borrowed during the call. */
struct forecast_options {
    int period;
    int horizon;
    enum forecast_transform transform;
    const double *regressor;
};

/* A fitted model: plain data, caller's storage, no pointers. */
struct forecast_model {
    int period;    /* season length actually used (1 when the series was too short) */
    int horizon;   /* as fitted */
    int transform; /* FORECAST_LOG1P or FORECAST_SQRT */
    size_t n;      /* observations fitted */
    double alpha, beta, gamma, phi, coef;
    double level, trend;
    double season[FORECAST_PERIOD_MAX]; /* season[k]: the index for time n + k (k < period) */
    double sse;                         /* one-step squared errors on the z scale */
    double sigma;                       /* one-step RMSE on the z scale */
    double q[4];                        /* standardised error quantiles 2.5%, 10%, 90%, 97.5% */
    int has_empirical;                  /* 1 if q holds empirical quantiles, 0 if normal */
    int has_regressor;
    double regressor_future[FORECAST_HORIZON_MAX]; /* x_{n+1..n+horizon} (0 without one) */
};

/* One forecast step on the count scale: point (median) and the 80% and 95% bands. */
struct forecast_point {
    double point;
    double lo80, hi80;
    double lo95, hi95;
};

/*
 * Fit the model to y[0..n) (counts: finite, >= 0). ERR_INVALID when n is 0 or over
 * FORECAST_N_MAX, a value is negative or not finite, period is outside 1..FORECAST_PERIOD_MAX
 * or horizon outside 1..FORECAST_HORIZON_MAX. *out is filled on success.
 */
int forecast_fit(const double *y, size_t n, const struct forecast_options *opt,
                 struct forecast_model *out);

/* Forecast steps 1..h (h <= model->horizon) into out[0..h). Never NaN; bounds are >= 0 and
 * lo95 <= lo80 <= point <= hi80 <= hi95. ERR_INVALID for a bad h. */
int forecast_predict(const struct forecast_model *model, int h, struct forecast_point *out);

/* Seasonal naive forecast of step h (>= 1) after y[0..n): y[n + h - 1 - m*ceil(h/m)], or the
 * last value when n < m. n must be >= 1. */
double forecast_snaive(const double *y, size_t n, int period, int h);

/*
 * The holiday regressor of a run of days starting at local date (y, m, d): per day, +1 for a
 * day off that falls Monday to Friday (a holiday), -1 for a make-up working day on a Saturday or
 * Sunday, else 0 (ordinary weekends are the day-of-week season's job). by_days = 1 gives one
 * value per day; 7 sums each run of 7 days (weeks starting on the given date); by_days = 0 sums
 * calendar months (the given date should be the 1st). ERR_INVALID for a bad date or by_days.
 */
int forecast_holiday_regressor(const struct calendar *cal, int y, int m, int d, int by_days,
                               size_t count, double *out);

/*
 * Rolling-origin backtest of one series. Origins: t_k = n - horizon - k*step for
 * k = 0..origins-1 (those with t_k >= min_train are used); at each origin the model is fitted
 * on y[0..t_k) only and forecasts steps 1..horizon, and so does the seasonal naive baseline.
 * Errors are scaled by the in-sample MAE of the seasonal naive forecast on y[0..t_k) (MASE).
 * regressor, when set in opt, covers all n values.
 */
struct forecast_backtest_result {
    int origins_used;
    size_t outcomes;   /* forecast steps scored */
    double mase_model; /* mean |error| / scale over outcomes */
    double mase_snaive;
    double mae_model; /* mean |error|, unscaled */
    double mae_snaive;
    size_t covered80; /* outcomes inside [lo80, hi80] */
    size_t covered95;
    int is_scored; /* 0 when no origin was usable or the scale was 0 everywhere */
};
int forecast_backtest(const double *y, size_t n, const struct forecast_options *opt, int origins,
                      int step, size_t min_train, struct forecast_backtest_result *out);

#endif
