/*
 * test_forecast_real.c - the forecast model against real 311 data (issue 7, part 3): Boston 2015
 * (daily and weekly counts per `reason`, the five largest) and the San Francisco 2008-2016 sample
 * (weekly and monthly counts, all categories and the largest one). Rolling-origin backtest; the
 * model must beat the seasonal naive baseline (mean MASE ratio < 0.9) and its 80% intervals must
 * cover 75-85% of outcomes.
 *
 * The data lives in shared/data beside the repository: $GRIDGOV_SHARED_DATA (set by
 * tests/meson.build to <source root>/../shared/data), else /work/shared/data. Missing data
 * fails the suite loudly.
 * Holidays are the US federal ones (plus Patriots' Day in Boston), computed by rule here and
 * marked DAY_OFF in a calendar: the series are American.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/csv.h"
#include "base/error.h"
#include "domain/calendar.h"
#include "domain/forecast.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CATS 256

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t cap = 0, n = 0;
    if (f == NULL)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *grown = realloc(buf, cap ? cap * 2 : 1 << 20);
            if (grown == NULL) {
                free(buf);
                fclose(f);
                return NULL;
            }
            buf = grown;
            cap = cap ? cap * 2 : 1 << 20;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    fclose(f);
    *len = n;
    return buf;
}

/* $GRIDGOV_SHARED_DATA/rel, else /work/shared/data/rel; fails the test naming both. */
static char *load_shared(const char *rel, size_t *len)
{
    char path[1024], fallback[1024];
    const char *shared = getenv("GRIDGOV_SHARED_DATA");
    char *text = NULL;
    path[0] = '\0';
    if (shared != NULL && shared[0] != '\0') {
        snprintf(path, sizeof(path), "%s/%s", shared, rel);
        text = slurp(path, len);
    }
    snprintf(fallback, sizeof(fallback), "/work/shared/data/%s", rel);
    if (text == NULL)
        text = slurp(fallback, len);
    if (text == NULL)
        fail_msg("real data missing: cannot read %s%s%s (set GRIDGOV_SHARED_DATA)", path,
                 path[0] ? " or " : "", fallback);
    return text;
}

/* Day number of a civil date (days since 1970-01-01). */
static long day_number(int y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int weekday(int y, int m, int d) /* 0 = Monday */
{
    return (int)(((day_number(y, m, d) % 7) + 7 + 3) % 7);
}

/* The n-th (1-based) weekday wd of a month; n = 5 means the last. */
static int nth_weekday(int y, int m, int wd, int n)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int len = mdays[m - 1] + (m == 2 && y % 4 == 0);
    if (n == 5) {
        int d = len;
        while (weekday(y, m, d) != wd)
            d--;
        return d;
    }
    int d = 1;
    while (weekday(y, m, d) != wd)
        d++;
    return d + 7 * (n - 1);
}

/* A fixed-date holiday: on a Saturday it is observed the Friday before, on a Sunday the Monday
 * after (all the fixed dates used are safe for the day after; Jan 1 on a Saturday is Dec 31). */
static void mark_observed(struct calendar *cal, int y, int m, int d)
{
    int wd = weekday(y, m, d);
    if (wd == 5 && d == 1)
        assert_int_equal(calendar_set_day(cal, y - 1, 12, 31, DAY_OFF), 0);
    else if (wd == 5)
        assert_int_equal(calendar_set_day(cal, y, m, d - 1, DAY_OFF), 0);
    else if (wd == 6)
        assert_int_equal(calendar_set_day(cal, y, m, d + 1, DAY_OFF), 0);
    else
        assert_int_equal(calendar_set_day(cal, y, m, d, DAY_OFF), 0);
}

static struct calendar *us_calendar(int with_patriots_day)
{
    struct calendar *cal = calendar_new();
    for (int y = 2008; y <= 2017; y++) {
        mark_observed(cal, y, 1, 1);
        assert_int_equal(calendar_set_day(cal, y, 1, nth_weekday(y, 1, 0, 3), DAY_OFF), 0);
        assert_int_equal(calendar_set_day(cal, y, 2, nth_weekday(y, 2, 0, 3), DAY_OFF), 0);
        if (with_patriots_day)
            assert_int_equal(calendar_set_day(cal, y, 4, nth_weekday(y, 4, 0, 3), DAY_OFF), 0);
        assert_int_equal(calendar_set_day(cal, y, 5, nth_weekday(y, 5, 0, 5), DAY_OFF), 0);
        mark_observed(cal, y, 7, 4);
        assert_int_equal(calendar_set_day(cal, y, 9, nth_weekday(y, 9, 0, 1), DAY_OFF), 0);
        assert_int_equal(calendar_set_day(cal, y, 10, nth_weekday(y, 10, 0, 2), DAY_OFF), 0);
        mark_observed(cal, y, 11, 11);
        int thanks = nth_weekday(y, 11, 3, 4);
        assert_int_equal(calendar_set_day(cal, y, 11, thanks, DAY_OFF), 0);
        assert_int_equal(calendar_set_day(cal, y, 11, thanks + 1, DAY_OFF), 0);
        mark_observed(cal, y, 12, 25);
    }
    return cal;
}

/* Counts per category per day: cats[c] names, counts[c][day]. */
struct daily {
    char names[MAX_CATS][CSV_FIELD_MAX + 1];
    double *counts[MAX_CATS];
    double *total;
    size_t ncat;
    size_t ndays;
    int y0, m0, d0;
};

static void daily_init(struct daily *dl, int y0, int m0, int d0, size_t ndays)
{
    memset(dl, 0, sizeof(*dl));
    dl->y0 = y0;
    dl->m0 = m0;
    dl->d0 = d0;
    dl->ndays = ndays;
    dl->total = calloc(ndays, sizeof(double));
    assert_non_null(dl->total);
}

static void daily_free(struct daily *dl)
{
    for (size_t c = 0; c < dl->ncat; c++)
        free(dl->counts[c]);
    free(dl->total);
}

static void daily_add(struct daily *dl, const char *cat, const char *date)
{
    int y, m, d;
    if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
        return;
    long idx = day_number(y, m, d) - day_number(dl->y0, dl->m0, dl->d0);
    if (idx < 0 || (size_t)idx >= dl->ndays)
        return;
    size_t c = 0;
    while (c < dl->ncat && strcmp(dl->names[c], cat) != 0)
        c++;
    if (c == dl->ncat) {
        assert_true(dl->ncat < MAX_CATS);
        snprintf(dl->names[c], sizeof(dl->names[c]), "%s", cat);
        dl->counts[c] = calloc(dl->ndays, sizeof(double));
        assert_non_null(dl->counts[c]);
        dl->ncat++;
    }
    dl->counts[c][idx] += 1.0;
    dl->total[idx] += 1.0;
}

/* Read a CSV: the fields at date_col and cat_col of every row after the header. Rows with more
 * than CSV_MAX_FIELDS fields or an over-long field elsewhere are still usable for the two
 * fields we take (csv.h keeps the first fields); structurally broken rows are skipped. */
static size_t read_csv(struct daily *dl, const char *rel, int date_col, int cat_col)
{
    size_t len = 0, rows = 0, skipped = 0;
    char *text = load_shared(rel, &len);
    struct csv_reader rd;
    struct csv_record *rec = malloc(sizeof(*rec));
    assert_non_null(rec);
    csv_reader_init(&rd, text, len);
    int header = 1;
    while (csv_read(&rd, rec)) {
        if (header) {
            header = 0;
            continue;
        }
        int usable = rec->error[0] == '\0' || strncmp(rec->error, "more than", 9) == 0 ||
                     strstr(rec->error, "is longer than") != NULL;
        if (!usable || rec->n_fields <= cat_col || rec->n_fields <= date_col ||
            rec->field_len[date_col] >= CSV_FIELD_MAX || rec->field_len[cat_col] >= CSV_FIELD_MAX) {
            skipped++;
            continue;
        }
        daily_add(dl, rec->field[cat_col], rec->field[date_col]);
        rows++;
    }
    free(rec);
    free(text);
    print_message("# %s: %zu rows, %zu skipped\n", rel, rows, skipped);
    return rows;
}

/* Indices of the k largest categories. */
static size_t largest(const struct daily *dl, size_t k, size_t *out)
{
    double tot[MAX_CATS];
    int used[MAX_CATS] = {0};
    for (size_t c = 0; c < dl->ncat; c++) {
        tot[c] = 0;
        for (size_t i = 0; i < dl->ndays; i++)
            tot[c] += dl->counts[c][i];
    }
    size_t got = 0;
    while (got < k && got < dl->ncat) {
        size_t best = SIZE_MAX;
        for (size_t c = 0; c < dl->ncat; c++)
            if (!used[c] && (best == SIZE_MAX || tot[c] > tot[best]))
                best = c;
        used[best] = 1;
        out[got++] = best;
    }
    return got;
}

/* Sum days into weeks (from day 0) or calendar months; returns the number of full periods. */
static size_t aggregate(const struct daily *dl, const double *days, int by_days, double *out)
{
    if (by_days == 7) {
        size_t nw = dl->ndays / 7;
        for (size_t w = 0; w < nw; w++) {
            out[w] = 0;
            for (int k = 0; k < 7; k++)
                out[w] += days[w * 7 + (size_t)k];
        }
        return nw;
    }
    /* months: day 0 must be the 1st */
    size_t nm = 0, i = 0;
    int y = dl->y0, m = dl->m0;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (;;) {
        int len = mdays[m - 1] + (m == 2 && y % 4 == 0);
        if (i + (size_t)len > dl->ndays)
            break;
        out[nm] = 0;
        for (int k = 0; k < len; k++)
            out[nm] += days[i + (size_t)k];
        nm++;
        i += (size_t)len;
        if (++m > 12) {
            m = 1;
            y++;
        }
    }
    return nm;
}

struct tally {
    double ratio_sum;
    int series;
    size_t outcomes, covered80, covered95;
};

static void run_series(struct tally *t, const char *label, const double *y, size_t n,
                       const struct calendar *cal, const struct daily *dl, int by_days, int period,
                       int horizon, int origins, int step, size_t min_train)
{
    double *x = calloc(n + (size_t)horizon, sizeof(double));
    assert_non_null(x);
    assert_int_equal(
        forecast_holiday_regressor(cal, dl->y0, dl->m0, dl->d0, by_days, n + (size_t)horizon, x),
        0);
    struct forecast_options opt = {
        .period = period, .horizon = horizon, .transform = FORECAST_AUTO, .regressor = x};
    struct forecast_backtest_result res;
    assert_int_equal(forecast_backtest(y, n, &opt, origins, step, min_train, &res), 0);
    free(x);
    assert_true(res.is_scored);
    double ratio = res.mase_model / res.mase_snaive;
    print_message("# %-48s n=%4zu MASE %.3f snaive %.3f ratio %.3f cover80 %.3f cover95 %.3f\n",
                  label, n, res.mase_model, res.mase_snaive, ratio,
                  (double)res.covered80 / (double)res.outcomes,
                  (double)res.covered95 / (double)res.outcomes);
    assert_true(isfinite(ratio));
    t->ratio_sum += ratio;
    t->series++;
    t->outcomes += res.outcomes;
    t->covered80 += res.covered80;
    t->covered95 += res.covered95;
}

static void test_real_311_backtest(void **state)
{
    (void)state;
    struct tally t = {0};
    struct daily *bos = malloc(sizeof(*bos));
    struct daily *sf = malloc(sizeof(*sf));
    assert_non_null(bos);
    assert_non_null(sf);
    struct calendar *cal_bos = us_calendar(1);
    struct calendar *cal_sf = us_calendar(0);
    char label[300];
    size_t top[5];
    double buf[1200];

    /* Boston 2015: open_dt is column 1, reason column 8. */
    daily_init(bos, 2015, 1, 1, 365);
    for (int q = 1; q <= 4; q++) {
        char rel[64];
        snprintf(rel, sizeof(rel), "boston/boston311_2015_q%d.csv", q);
        assert_true(read_csv(bos, rel, 1, 8) > 20000);
    }
    size_t k = largest(bos, 5, top);
    assert_int_equal(k, 5);
    for (size_t i = 0; i < k; i++) {
        /* daily: one week ahead from 12 weekly origins (the last 12 weeks) */
        snprintf(label, sizeof(label), "boston day %s", bos->names[top[i]]);
        run_series(&t, label, bos->counts[top[i]], bos->ndays, cal_bos, bos, 1, 7, 7, 12, 7, 56);
    }
    for (size_t i = 0; i < k; i++) {
        /* weekly: 4 weeks ahead from 10 origins; one year holds no week-of-year season */
        size_t nw = aggregate(bos, bos->counts[top[i]], 7, buf);
        snprintf(label, sizeof(label), "boston week %s", bos->names[top[i]]);
        run_series(&t, label, buf, nw, cal_bos, bos, 7, 52, 4, 10, 1, 20);
    }

    /* San Francisco 2008-07-01 .. 2016-01-27: Opened column 2, Category column 8. */
    daily_init(sf, 2008, 7, 1, (size_t)(day_number(2016, 1, 28) - day_number(2008, 7, 1)));
    assert_true(read_csv(sf, "sf/sf311_cases_sample_2008_2016.csv", 2, 8) > 4000);
    assert_int_equal(largest(sf, 1, top), 1);
    {
        size_t nw = aggregate(sf, sf->total, 7, buf);
        run_series(&t, "sf week all", buf, nw, cal_sf, sf, 7, 52, 12, 12, 4, 120);
        nw = aggregate(sf, sf->counts[top[0]], 7, buf);
        snprintf(label, sizeof(label), "sf week %s", sf->names[top[0]]);
        run_series(&t, label, buf, nw, cal_sf, sf, 7, 52, 12, 12, 4, 120);
        size_t nm = aggregate(sf, sf->total, 0, buf);
        run_series(&t, "sf month all", buf, nm, cal_sf, sf, 0, 12, 6, 12, 2, 36);
        nm = aggregate(sf, sf->counts[top[0]], 0, buf);
        snprintf(label, sizeof(label), "sf month %s", sf->names[top[0]]);
        run_series(&t, label, buf, nm, cal_sf, sf, 0, 12, 6, 12, 2, 36);
    }

    double mase_ratio = t.ratio_sum / t.series;
    double cover80 = (double)t.covered80 / (double)t.outcomes;
    double cover95 = (double)t.covered95 / (double)t.outcomes;
    print_message("# %d series, %zu outcomes: mase_ratio %.3f coverage_80 %.3f coverage_95 %.3f\n",
                  t.series, t.outcomes, mase_ratio, cover80, cover95);
    assert_true(mase_ratio < 0.9);
    assert_true(cover80 >= 0.75 && cover80 <= 0.85);

    daily_free(bos);
    daily_free(sf);
    free(bos);
    free(sf);
    calendar_free(cal_bos);
    calendar_free(cal_sf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_311_backtest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
