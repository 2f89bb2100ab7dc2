/*
 * test_forecast.c - the seasonal forecast model on synthetic series with known level, trend,
 * season and noise (deterministic rng): low error and parameters near the truth, interval
 * coverage near nominal, the holiday regressor, the seasonal naive baseline, the backtest, and
 * edge cases (short series, all zeros, bad input, no NaN anywhere).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/rng.h"
#include "domain/calendar.h"
#include "domain/forecast.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Standard normal by Box-Muller from the deterministic generator. */
static double gauss(struct rng *r)
{
    double u1 = rng_unit(r), u2 = rng_unit(r);
    if (u1 < 1e-300)
        u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* Poisson draw (inversion for small means, normal approximation above 500). */
static double poisson(struct rng *r, double mean)
{
    if (mean > 500.0)
        return fmax(0.0, round(mean + sqrt(mean) * gauss(r)));
    double l = exp(-mean), p = 1.0;
    int k = 0;
    do {
        k++;
        p *= rng_unit(r);
    } while (p > l);
    return k - 1;
}

static const double week_profile[7] = {0.25, 0.15, 0.1, 0.1, 0.05, -0.3, -0.35};

/* log(mean) = level + slope*t + week_profile[t % 7] + holiday effect; Poisson counts. */
static void make_daily(uint64_t seed, size_t n, double level, double slope, double hol_coef,
                       const double *x, double *y)
{
    struct rng r;
    rng_seed(&r, seed, 1);
    for (size_t t = 0; t < n; t++) {
        double lm = level + slope * (double)t + week_profile[t % 7] + hol_coef * (x ? x[t] : 0.0);
        y[t] = poisson(&r, exp(lm));
    }
}

static void assert_point_ok(const struct forecast_point *p)
{
    assert_true(isfinite(p->point) && isfinite(p->lo80) && isfinite(p->hi80) && isfinite(p->lo95) &&
                isfinite(p->hi95));
    assert_true(p->lo95 >= 0.0);
    assert_true(p->lo95 <= p->lo80 && p->lo80 <= p->point);
    assert_true(p->point <= p->hi80 && p->hi80 <= p->hi95);
}

/* Known season, level and noise: the fitted season matches the profile, the forecast is close
 * to the true median, and the model beats seasonal naive clearly. */
static void test_recovers_weekly_season(void **state)
{
    (void)state;
    enum { N = 364, H = 14 };
    double y[N + H];
    make_daily(11, N + H, log(80.0), 0.0, 0.0, NULL, y);
    struct forecast_options opt = {.period = 7, .horizon = H, .transform = FORECAST_LOG1P};
    struct forecast_model m;
    assert_int_equal(forecast_fit(y, N, &opt, &m), 0);
    assert_int_equal(m.period, 7);
    assert_int_equal(m.transform, FORECAST_LOG1P);
    /* Season: N % 7 == 0, so season[k] is the index of day k of the profile. */
    for (int k = 0; k < 7; k++)
        assert_true(fabs(m.season[k] - week_profile[k]) < 0.06);
    /* Poisson noise on the log scale at mean 80: sd about 1/sqrt(80) = 0.11. */
    assert_true(m.sigma > 0.08 && m.sigma < 0.16);
    assert_true(m.alpha < 0.3); /* a constant level needs little smoothing */
    struct forecast_point pts[H];
    assert_int_equal(forecast_predict(&m, H, pts), 0);
    for (int h = 0; h < H; h++) {
        double truth = 80.0 * exp(week_profile[(N + h) % 7]);
        assert_point_ok(&pts[h]);
        assert_true(fabs(pts[h].point - truth) / truth < 0.12);
    }
}

/* A trend is followed: a level rising 0.1% a day is forecast above the last season's mean. */
static void test_follows_trend(void **state)
{
    (void)state;
    enum { N = 420, H = 7 };
    double y[N];
    make_daily(12, N, log(40.0), 0.001, 0.0, NULL, y);
    struct forecast_options opt = {.period = 7, .horizon = H, .transform = FORECAST_LOG1P};
    struct forecast_model m;
    assert_int_equal(forecast_fit(y, N, &opt, &m), 0);
    struct forecast_point pts[H];
    assert_int_equal(forecast_predict(&m, H, pts), 0);
    double sum = 0.0, truth = 0.0;
    for (int h = 0; h < H; h++) {
        sum += pts[h].point;
        truth += exp(log(40.0) + 0.001 * (N + h) + week_profile[(N + h) % 7]);
    }
    assert_true(fabs(sum - truth) / truth < 0.08);
    assert_true(sum > 40.0 * 7 * 1.3);
}

/* The 80% and 95% intervals cover close to their nominal share of fresh outcomes. */
static void test_interval_coverage(void **state)
{
    (void)state;
    enum { N = 364, H = 7, REPS = 60 };
    size_t in80 = 0, in95 = 0, total = 0;
    for (int rep = 0; rep < REPS; rep++) {
        double y[N + H];
        make_daily(100 + (uint64_t)rep, N + H, log(30.0), 0.0, 0.0, NULL, y);
        struct forecast_options opt = {.period = 7, .horizon = H, .transform = FORECAST_SQRT};
        struct forecast_model m;
        assert_int_equal(forecast_fit(y, N, &opt, &m), 0);
        assert_true(m.has_empirical);
        struct forecast_point pts[H];
        assert_int_equal(forecast_predict(&m, H, pts), 0);
        for (int h = 0; h < H; h++) {
            double v = y[N + h];
            in80 += v >= pts[h].lo80 && v <= pts[h].hi80;
            in95 += v >= pts[h].lo95 && v <= pts[h].hi95;
            total++;
        }
    }
    double c80 = (double)in80 / (double)total, c95 = (double)in95 / (double)total;
    print_message("# synthetic coverage: 80%% -> %.3f, 95%% -> %.3f (%zu outcomes)\n", c80, c95,
                  total);
    assert_true(c80 > 0.74 && c80 < 0.88);
    assert_true(c95 > 0.90 && c95 < 0.99);
}

/* A holiday regressor with a known effect is recovered and used in the forecast. */
static void test_holiday_regressor(void **state)
{
    (void)state;
    enum { N = 364, H = 14 };
    double x[N + H], y[N + H];
    memset(x, 0, sizeof(x));
    for (size_t t = 3; t < N + H; t += 23)
        if (t % 7 < 5)
            x[t] = 1.0;
    make_daily(13, N + H, log(100.0), 0.0, -0.7, x, y);
    struct forecast_options opt = {
        .period = 7, .horizon = H, .transform = FORECAST_LOG1P, .regressor = x};
    struct forecast_model m;
    assert_int_equal(forecast_fit(y, N, &opt, &m), 0);
    assert_true(m.has_regressor);
    assert_true(fabs(m.coef - (-0.7)) < 0.12);
    struct forecast_point pts[H];
    assert_int_equal(forecast_predict(&m, H, pts), 0);
    for (int h = 0; h < H; h++) {
        double truth = 100.0 * exp(week_profile[(N + h) % 7] - 0.7 * x[N + h]);
        assert_true(fabs(pts[h].point - truth) / truth < 0.15);
    }
}

/* The calendar regressor: weekday holidays +1, make-up weekend work days -1, summed per week. */
static void test_holiday_regressor_from_calendar(void **state)
{
    (void)state;
    struct calendar *cal = calendar_new();
    /* 2024-10-01 (Tue) .. 10-07 off; Sunday 2024-09-29 and Saturday 10-12 make-up days */
    for (int d = 1; d <= 7; d++)
        assert_int_equal(calendar_set_day(cal, 2024, 10, d, DAY_OFF), 0);
    assert_int_equal(calendar_set_day(cal, 2024, 9, 29, DAY_WORK), 0);
    assert_int_equal(calendar_set_day(cal, 2024, 10, 12, DAY_WORK), 0);
    double x[14];
    assert_int_equal(forecast_holiday_regressor(cal, 2024, 9, 28, 1, 14, x), 0);
    /* Sat 9-28 0, Sun 9-29 -1, Mon 9-30 0, Tue 10-1..Fri 10-4 +1, Sat/Sun 10-5/6 0 (weekend),
     * Mon 10-7 +1, Tue..Fri 0, Sat 10-12 -1 */
    const double want[14] = {0, -1, 0, 1, 1, 1, 1, 0, 0, 1, 0, 0, 0, 0};
    for (int i = 0; i < 13; i++)
        assert_true(x[i] == want[i]);
    assert_true(x[13] == 0.0 || x[13] == -1.0);
    double w[2];
    assert_int_equal(forecast_holiday_regressor(cal, 2024, 9, 30, 7, 2, w), 0);
    assert_true(w[0] == 4.0);       /* 9-30..10-6: Tue-Fri off */
    assert_true(w[1] == 1.0 - 1.0); /* 10-7..10-13: Mon off, Sat 10-12 make-up */
    double mo[2];
    assert_int_equal(forecast_holiday_regressor(cal, 2024, 9, 1, 0, 2, mo), 0);
    assert_true(mo[0] == -1.0);      /* September: Sunday 9-29 make-up */
    assert_true(mo[1] == 5.0 - 1.0); /* October: 1,2,3,4,7 off; 10-12 make-up */
    assert_int_equal(forecast_holiday_regressor(cal, 2024, 2, 30, 1, 1, x), ERR_INVALID);
    assert_int_equal(forecast_holiday_regressor(cal, 2024, 2, 1, 3, 1, x), ERR_INVALID);
    calendar_free(cal);
}

static void test_snaive(void **state)
{
    (void)state;
    const double y[10] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
    /* period 3: next values repeat the last season 8, 9, 10 */
    assert_true(forecast_snaive(y, 10, 3, 1) == 8.0);
    assert_true(forecast_snaive(y, 10, 3, 3) == 10.0);
    assert_true(forecast_snaive(y, 10, 3, 4) == 8.0);
    assert_true(forecast_snaive(y, 10, 1, 5) == 10.0);
    assert_true(forecast_snaive(y, 2, 7, 1) == 2.0); /* shorter than a season: last value */
}

/* The backtest on a seasonal series: the model beats seasonal naive, coverage is sensible, and
 * the bookkeeping counts origins and outcomes exactly. */
static void test_backtest(void **state)
{
    (void)state;
    enum { N = 300 };
    double y[N];
    make_daily(14, N, log(50.0), 0.0, 0.0, NULL, y);
    struct forecast_options opt = {.period = 7, .horizon = 7, .transform = FORECAST_AUTO};
    struct forecast_backtest_result res;
    assert_int_equal(forecast_backtest(y, N, &opt, 10, 7, 56, &res), 0);
    assert_true(res.is_scored);
    assert_int_equal(res.origins_used, 10);
    assert_int_equal(res.outcomes, 70);
    assert_true(res.mase_model / res.mase_snaive < 0.8);
    assert_true(res.covered80 >= 45 && res.covered80 <= 66);
    assert_true(res.covered95 >= res.covered80);
    /* origins that would train on fewer than min_train points are dropped */
    assert_int_equal(forecast_backtest(y, N, &opt, 100, 7, 56, &res), 0);
    assert_int_equal(res.origins_used, (N - 7 - 56) / 7 + 1);
}

static void test_edge_cases(void **state)
{
    (void)state;
    struct forecast_model m;
    struct forecast_point pts[30];
    struct forecast_options opt = {.period = 7, .horizon = 30, .transform = FORECAST_AUTO};
    double zeros[60] = {0};
    /* all zeros: forecasts and bands are exactly zero */
    assert_int_equal(forecast_fit(zeros, 60, &opt, &m), 0);
    assert_int_equal(forecast_predict(&m, 30, pts), 0);
    for (int h = 0; h < 30; h++) {
        assert_point_ok(&pts[h]);
        assert_true(pts[h].point == 0.0 && pts[h].hi95 == 0.0);
    }
    /* one observation, two, a few: no season, finite bands */
    const double few[5] = {3, 5, 4, 6, 2};
    for (size_t n = 1; n <= 5; n++) {
        assert_int_equal(forecast_fit(few, n, &opt, &m), 0);
        assert_int_equal(m.period, 1);
        assert_int_equal(forecast_predict(&m, 30, pts), 0);
        for (int h = 0; h < 30; h++)
            assert_point_ok(&pts[h]);
    }
    /* shorter than two seasons: no season */
    double y13[13];
    for (int i = 0; i < 13; i++)
        y13[i] = i % 7;
    assert_int_equal(forecast_fit(y13, 13, &opt, &m), 0);
    assert_int_equal(m.period, 1);
    /* a huge spike stays finite */
    double spike[40];
    for (int i = 0; i < 40; i++)
        spike[i] = i == 20 ? 1e9 : 2.0;
    assert_int_equal(forecast_fit(spike, 40, &opt, &m), 0);
    assert_int_equal(forecast_predict(&m, 30, pts), 0);
    for (int h = 0; h < 30; h++)
        assert_point_ok(&pts[h]);
    /* bad input */
    const double bad[3] = {1, -1, 2};
    const double nan3[3] = {1, NAN, 2};
    assert_int_equal(forecast_fit(bad, 3, &opt, &m), ERR_INVALID);
    assert_int_equal(forecast_fit(nan3, 3, &opt, &m), ERR_INVALID);
    assert_int_equal(forecast_fit(few, 0, &opt, &m), ERR_INVALID);
    struct forecast_options bad_opt = opt;
    bad_opt.period = 0;
    assert_int_equal(forecast_fit(few, 5, &bad_opt, &m), ERR_INVALID);
    bad_opt = opt;
    bad_opt.horizon = FORECAST_HORIZON_MAX + 1;
    assert_int_equal(forecast_fit(few, 5, &bad_opt, &m), ERR_INVALID);
    assert_int_equal(forecast_fit(few, 5, &opt, &m), 0);
    assert_int_equal(forecast_predict(&m, 31, pts), ERR_INVALID);
    assert_int_equal(forecast_predict(&m, 0, pts), ERR_INVALID);
}

/* The same input gives bit-identical output (no hidden state, deterministic optimiser). */
static void test_deterministic(void **state)
{
    (void)state;
    enum { N = 200 };
    double y[N];
    make_daily(15, N, log(20.0), 0.0, 0.0, NULL, y);
    struct forecast_options opt = {.period = 7, .horizon = 7, .transform = FORECAST_AUTO};
    struct forecast_model a, b;
    assert_int_equal(forecast_fit(y, N, &opt, &a), 0);
    assert_int_equal(forecast_fit(y, N, &opt, &b), 0);
    assert_memory_equal(&a, &b, sizeof(a));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recovers_weekly_season),
        cmocka_unit_test(test_follows_trend),
        cmocka_unit_test(test_interval_coverage),
        cmocka_unit_test(test_holiday_regressor),
        cmocka_unit_test(test_holiday_regressor_from_calendar),
        cmocka_unit_test(test_snaive),
        cmocka_unit_test(test_backtest),
        cmocka_unit_test(test_edge_cases),
        cmocka_unit_test(test_deterministic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
