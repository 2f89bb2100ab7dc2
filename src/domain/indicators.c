/*
 * indicators.c - event deltas and indicator formulas (see indicators.h and
 * docs/INDICATORS.md, which states every rule implemented here in words).
 *
 * Invariant the recount relies on: indicator_event_delta() depends only on its arguments,
 * and the facts it reads are exactly what the event log lets a replay reconstruct (report
 * fields, close outcome and time, rating, queue level after escalations, the running step's
 * deadline recorded in the event), so the incremental roll-ups and a full recount agree.
 */
#include "domain/indicators.h"

#include "domain/calendar.h"

#include <math.h>
#include <string.h>

#define CITY_OFFSET_MS ((int64_t)INDICATOR_UTC_OFFSET_MIN * 60000) /* the cohort day's offset */
#define DAY_MS         (24LL * 3600 * 1000)

static const char *const field_names[ROLLUP_FIELD_COUNT] = {
#define FIELD_NAME(name) #name,
    ROLLUP_FIELD_MAP(FIELD_NAME)
#undef FIELD_NAME
};

static const char *const value_names[INDICATOR_VALUE_COUNT] = {
#define VALUE_NAME(e, name, zh) name,
    INDICATOR_VALUE_MAP(VALUE_NAME)
#undef VALUE_NAME
};

static const char *const value_names_zh[INDICATOR_VALUE_COUNT] = {
#define VALUE_NAME_ZH(e, name, zh) zh,
    INDICATOR_VALUE_MAP(VALUE_NAME_ZH)
#undef VALUE_NAME_ZH
};

const char *indicator_field_name(enum rollup_field f)
{
    return (unsigned)f < ROLLUP_FIELD_COUNT ? field_names[f] : NULL;
}

const char *indicator_value_name(enum indicator_value v)
{
    return (unsigned)v < INDICATOR_VALUE_COUNT ? value_names[v] : NULL;
}

const char *indicator_value_name_zh(enum indicator_value v)
{
    return (unsigned)v < INDICATOR_VALUE_COUNT ? value_names_zh[v] : NULL;
}

/* ---- counters ------------------------------------------------------------------------------ */

void indicator_counters_clear(struct rollup_counters *c)
{
    memset(c, 0, sizeof(*c));
}

void indicator_counters_add(struct rollup_counters *acc, const struct rollup_counters *d)
{
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        acc->v[i] += d->v[i];
    for (int i = 0; i < ROLLUP_HIST_BUCKETS; i++)
        acc->hist[i] += d->hist[i];
}

int indicator_counters_is_zero(const struct rollup_counters *c)
{
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        if (c->v[i] != 0)
            return 0;
    for (int i = 0; i < ROLLUP_HIST_BUCKETS; i++)
        if (c->hist[i] != 0)
            return 0;
    return 1;
}

/* ---- histogram ----------------------------------------------------------------------------- */

void indicator_hist_bounds(int k, double *lo, double *hi)
{
    if (k <= 0) {
        *lo = 0;
        *hi = 1;
        return;
    }
    if (k >= ROLLUP_HIST_BUCKETS - 1)
        k = ROLLUP_HIST_BUCKETS - 1;
    *lo = pow(2.0, (k - 1) / 4.0);
    *hi = k == ROLLUP_HIST_BUCKETS - 1 ? *lo : pow(2.0, k / 4.0);
}

int indicator_hist_bucket(int64_t minutes)
{
    int k = 1;
    if (minutes < 1)
        return 0;
    /* Bounds are compared in integers where they are exact (powers of two every 4th bucket)
     * and through the same pow() as indicator_hist_bounds elsewhere, so a value always lands
     * in the bucket whose bounds enclose it. */
    while (k < ROLLUP_HIST_BUCKETS - 1) {
        double lo, hi;
        indicator_hist_bounds(k, &lo, &hi);
        if ((double)minutes < hi)
            return k;
        k++;
    }
    return ROLLUP_HIST_BUCKETS - 1;
}

double indicator_hist_quantile(const int64_t hist[ROLLUP_HIST_BUCKETS], double q)
{
    int64_t total = 0, cum = 0;
    double target;
    for (int k = 0; k < ROLLUP_HIST_BUCKETS; k++)
        total += hist[k] > 0 ? hist[k] : 0;
    if (total == 0 || !(q > 0 && q < 1))
        return NAN;
    target = q * (double)total;
    for (int k = 0; k < ROLLUP_HIST_BUCKETS; k++) {
        int64_t n = hist[k] > 0 ? hist[k] : 0;
        if (n > 0 && (double)(cum + n) >= target) {
            double lo, hi;
            indicator_hist_bounds(k, &lo, &hi);
            return (lo + (target - (double)cum) / (double)n * (hi - lo)) / 60.0;
        }
        cum += n;
    }
    return NAN; /* not reached: the last non-empty bucket holds the target */
}

/* ---- days ---------------------------------------------------------------------------------- */

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms). */
static int64_t days_from_civil(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int indicator_day(int64_t ms)
{
    int y, m, d;
    civil_from_days(floor_div(ms + CITY_OFFSET_MS, DAY_MS), &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int indicator_day_is_valid(int day)
{
    int y = day / 10000, m = day / 100 % 100, d = day % 100, yy, mm, dd;
    if (y < 1900 || y > 2199 || m < 1 || m > 12 || d < 1 || d > 31)
        return 0;
    civil_from_days(days_from_civil(y, m, d), &yy, &mm, &dd);
    return yy == y && mm == m && dd == d;
}

int indicator_week_start(int day)
{
    int64_t z = days_from_civil(day / 10000, day / 100 % 100, day % 100);
    int64_t monday = z - (((z - 4) % 7) + 7) % 7; /* 1970-01-05 (z = 4) was a Monday */
    int y, m, d;
    civil_from_days(monday, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int indicator_month(int day)
{
    return day / 100;
}

/* ---- what an event counts for -------------------------------------------------------------- */

static int is_on_time(int64_t at_ms, int64_t due_ms)
{
    return due_ms == 0 || at_ms <= due_ms;
}

/* Add (sign +1) or remove (sign -1) a close at at_ms with this outcome at this level. */
static void book_close(const struct indicator_facts *f, const struct calendar *cal, int64_t at_ms,
                       enum case_outcome outcome, int level, int sign, struct rollup_counters *out)
{
    int64_t minutes = calendar_working_minutes_between(cal, f->created_ms, at_ms);
    out->v[RF_closed] += sign;
    if (is_on_time(at_ms, f->resolve_due_ms))
        out->v[RF_closed_on_time] += sign;
    if (outcome == OUTCOME_RESOLVED)
        out->v[RF_closed_resolved] += sign;
    else if (outcome == OUTCOME_ANSWERED)
        out->v[RF_closed_answered] += sign;
    else
        out->v[RF_closed_not_resolved] += sign;
    if (level >= INDICATOR_LOW_LEVEL_MIN)
        out->v[RF_closed_low_level] += sign;
    out->v[RF_handling_minutes] += sign * minutes;
    out->hist[indicator_hist_bucket(minutes)] += sign;
}

/* A timed step ended by this event: count it and whether it was in time. */
static void book_step(const struct indicator_facts *f, const struct indicator_event *ev,
                      enum rollup_field all, enum rollup_field on_time, struct rollup_counters *out)
{
    out->v[all]++;
    if (is_on_time(ev->at_ms, f->step_due_ms))
        out->v[on_time]++;
}

int indicator_event_delta(const struct indicator_facts *f, const struct indicator_event *ev,
                          const struct calendar *cal, struct rollup_counters *out)
{
    if (f == NULL || ev == NULL || cal == NULL || out == NULL)
        return ERR_INVALID;
    indicator_counters_clear(out);
    if (ev->is_report) {
        out->v[RF_collected] = 1;
        out->v[RF_patrol_found] = f->is_patrol ? 1 : 0;
        return 0;
    }

    /* States held now: suspended cases (they may leave 应结案). */
    if (ev->to == CASE_STATE_SUSPENDED && ev->from != CASE_STATE_SUSPENDED)
        out->v[RF_suspended]++;
    else if (ev->from == CASE_STATE_SUSPENDED && ev->to != CASE_STATE_SUSPENDED)
        out->v[RF_suspended]--;

    /* The first response to a new case (受理, 不予受理, 现场解决, 解释答复, 合并). */
    if (ev->from == CASE_STATE_REPORTED && ev->to != CASE_STATE_REPORTED)
        book_step(f, ev, RF_responded, RF_responded_on_time, out);

    switch (ev->action) {
    case CASE_ACTION_ACCEPT:
        if (ev->from == CASE_STATE_REPORTED)
            out->v[RF_accepted]++;
        break;
    case CASE_ACTION_REJECT:
        out->v[RF_rejected]++;
        break;
    case CASE_ACTION_RESOLVE_ON_SITE:
        out->v[RF_resolved_on_site]++;
        break;
    case CASE_ACTION_ANSWER:
        out->v[RF_answered]++;
        break;
    case CASE_ACTION_MERGE:
        out->v[RF_merged]++;
        break;
    case CASE_ACTION_DISPATCH:
        if (ev->from == CASE_STATE_ACCEPTED)
            book_step(f, ev, RF_dispatched, RF_dispatched_on_time, out);
        break;
    case CASE_ACTION_START:
        book_step(f, ev, RF_signed, RF_signed_on_time, out);
        break;
    case CASE_ACTION_HANDLE:
        book_step(f, ev, RF_handled, RF_handled_on_time, out);
        break;
    case CASE_ACTION_VERIFY:
        book_step(f, ev, RF_verified, RF_verified_on_time, out);
        break;
    case CASE_ACTION_REWORK:
        out->v[RF_reworks]++;
        break;
    case CASE_ACTION_APPROVE_EXTENSION:
        out->v[RF_extensions]++;
        break;
    case CASE_ACTION_ESCALATE:
        out->v[RF_escalations]++;
        if (f->queue_level == f->initial_level)
            out->v[RF_escalated_cases]++;
        break;
    case CASE_ACTION_URGE:
        out->v[RF_urges]++;
        break;
    case CASE_ACTION_SUPERVISE:
        if (ev->supervision == SUPERVISION_YELLOW)
            out->v[RF_yellow_cards]++;
        else if (ev->supervision == SUPERVISION_RED)
            out->v[RF_red_cards]++;
        break;
    case CASE_ACTION_CLOSE:
        if (ev->to == CASE_STATE_CLOSED)
            book_close(f, cal, ev->at_ms, ev->outcome, f->queue_level, +1, out);
        break;
    case CASE_ACTION_EVALUATE:
        if (ev->rating >= 1 && ev->rating <= 5) {
            int prev = f->rating;
            if (prev == 0)
                out->v[RF_evaluated]++;
            out->v[RF_satisfied] += (ev->rating >= 4) - (prev >= 4);
            out->v[RF_rating_sum] += ev->rating - prev;
        }
        break;
    default:
        break;
    }

    /* Reopening (explicitly or by a low rating) undoes the close in force. */
    if ((ev->from == CASE_STATE_CLOSED || ev->from == CASE_STATE_EVALUATED) &&
        ev->to == CASE_STATE_REOPENED) {
        out->v[RF_reopened]++;
        if (f->closed_ms != 0)
            book_close(f, cal, f->closed_ms, f->outcome, f->queue_level, -1, out);
    }
    return 0;
}

/* ---- formulas ------------------------------------------------------------------------------ */

void indicator_settings_default(struct indicator_settings *s)
{
    s->is_suspended_excluded = 0;
    s->points_base = 100;
    s->points_yellow = 5;
    s->points_red = 10;
}

double indicator_ratio(int64_t a, int64_t b)
{
    return b == 0 ? NAN : (double)a / (double)b;
}

void indicator_compute(const struct rollup_counters *c, const struct indicator_settings *s,
                       double out[INDICATOR_VALUE_COUNT])
{
    const int64_t *v = c->v;
    int64_t due = v[RF_collected] - v[RF_rejected] - v[RF_merged];
    double points;
    if (s->is_suspended_excluded)
        due -= v[RF_suspended];
    out[IV_DUE_TO_CLOSE] = (double)due;
    out[IV_RESPONSE_RATE] = indicator_ratio(v[RF_responded_on_time], v[RF_collected]);
    out[IV_RESOLUTION_RATE] = indicator_ratio(v[RF_closed_resolved], v[RF_closed]);
    out[IV_RESOLVED_OR_ANSWERED_RATE] =
        indicator_ratio(v[RF_closed_resolved] + v[RF_closed_answered], v[RF_closed]);
    out[IV_CLOSURE_RATE] = indicator_ratio(v[RF_closed], due);
    out[IV_ON_TIME_CLOSURE_RATE] = indicator_ratio(v[RF_closed_on_time], due);
    out[IV_REWORK_RATE] = indicator_ratio(v[RF_reworks], v[RF_closed]);
    out[IV_EXTENSION_RATE] = indicator_ratio(v[RF_extensions], v[RF_accepted]);
    out[IV_ESCALATION_RATE] = indicator_ratio(v[RF_escalated_cases], v[RF_collected]);
    out[IV_LOW_LEVEL_SHARE] = indicator_ratio(v[RF_closed_low_level], v[RF_closed]);
    out[IV_SATISFACTION_RATE] = indicator_ratio(v[RF_satisfied], v[RF_evaluated]);
    out[IV_MEAN_RATING] = indicator_ratio(v[RF_rating_sum], v[RF_evaluated]);
    out[IV_MEAN_HANDLING_HOURS] = indicator_ratio(v[RF_handling_minutes], v[RF_closed] * 60);
    out[IV_MEDIAN_HANDLING_HOURS] = indicator_hist_quantile(c->hist, 0.5);
    out[IV_P90_HANDLING_HOURS] = indicator_hist_quantile(c->hist, 0.9);
    out[IV_ON_TIME_ACCEPTANCE_RATE] = indicator_ratio(v[RF_responded_on_time], v[RF_responded]);
    out[IV_ON_TIME_DISPATCH_RATE] = indicator_ratio(v[RF_dispatched_on_time], v[RF_dispatched]);
    out[IV_ON_TIME_SIGNING_RATE] = indicator_ratio(v[RF_signed_on_time], v[RF_signed]);
    out[IV_ON_TIME_HANDLING_RATE] = indicator_ratio(v[RF_handled_on_time], v[RF_handled]);
    out[IV_ON_TIME_VERIFICATION_RATE] = indicator_ratio(v[RF_verified_on_time], v[RF_verified]);
    out[IV_PATROL_FOUND_SHARE] = indicator_ratio(v[RF_patrol_found], v[RF_collected]);
    points = s->points_base - s->points_yellow * (double)v[RF_yellow_cards] -
             s->points_red * (double)v[RF_red_cards];
    out[IV_POINTS] = points < 0 ? 0 : points;
}
