/*
 * indicators.h - case indicators: how one case event changes the roll-up counters, and the
 * formulas computed from summed counters (SPEC section 9; standards.md section 5; every
 * formula is defined once in docs/INDICATORS.md).
 *
 * Cohort rule: every change a case's events make is booked to the cell of the day the case
 * was REPORTED (city time, UTC+8), its area and its category. A period therefore selects the
 * cases reported in it, and its figures say what became of them so far: a case reported in
 * March and closed in April counts as closed in March's figures from April on. Reopening a
 * case undoes its close (closed, on time, outcome, handling time) and a new rating replaces
 * the previous one, so figures describe the cases' current outcome while flow counters
 * (reworks, escalations, cards, urges, extensions) count every occurrence.
 *
 * indicator_event_delta() is the only place that decides what an event counts for; the case
 * service calls it in the transaction that appends the event (incremental roll-ups) and the
 * recount calls it while replaying the event log, so both necessarily agree.
 *
 * Pure: no I/O, no allocation, no clock. Thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_INDICATORS_H
#define GRIDGOV_DOMAIN_INDICATORS_H

#include "base/error.h"
#include "base/rollup_fields.h"
#include "domain/workflow.h"

#include <stdint.h>

struct calendar;

/* Queue levels at or below which a case counts as solved "at grid or community level". */
#define INDICATOR_LOW_LEVEL_MIN 5 /* community (5) and grid (6) */

/* What the counters need to know about the case, as it was just BEFORE the event. */
struct indicator_facts {
    int64_t created_ms;     /* when it was reported: its cohort day */
    int64_t resolve_due_ms; /* deadline to resolve the whole case; 0 = none */
    int initial_level;      /* queue level at report */
    int is_patrol;          /* reported on a grid worker's patrol (channel "patrol") */
    int queue_level;        /* before the event */
    enum case_outcome outcome;
    int64_t closed_ms;   /* time of the close now in force (0 = none) */
    int rating;          /* the rating now in force (0 = none) */
    int64_t step_due_ms; /* deadline of the step that ran until the event; 0 = none */
};

/* One event of the case's log. */
struct indicator_event {
    int is_report; /* the first event ("report"); action is then ignored */
    enum case_action action;
    enum case_state from, to;
    int64_t at_ms;
    int rating;                         /* evaluate */
    enum case_outcome outcome;          /* close */
    enum supervision_level supervision; /* supervise */
};

/* Clear c. */
void indicator_counters_clear(struct rollup_counters *c);
/* acc += d, field by field and bucket by bucket. */
void indicator_counters_add(struct rollup_counters *acc, const struct rollup_counters *d);
/* 1 if every field and bucket is 0 (an event that counts for nothing needs no write). */
int indicator_counters_is_zero(const struct rollup_counters *c);

/*
 * The change event ev makes to the counters of its case's cell, given the case's facts before
 * it (docs/INDICATORS.md, "What each event counts"). cal turns the handling time into working
 * minutes. out is cleared first. ERR_INVALID for NULL arguments.
 */
int indicator_event_delta(const struct indicator_facts *f, const struct indicator_event *ev,
                          const struct calendar *cal, struct rollup_counters *out);

/* The histogram bucket of a duration in working minutes (negative counts as 0). */
int indicator_hist_bucket(int64_t minutes);
/* Bounds of bucket k in working minutes: [lo, hi); hi of the last bucket is lo. */
void indicator_hist_bounds(int k, double *lo, double *hi);
/* The q-quantile (0 < q < 1) of a histogram in working hours, interpolating linearly inside
 * the bucket reached; NAN when the histogram is empty. */
double indicator_hist_quantile(const int64_t hist[ROLLUP_HIST_BUCKETS], double q);

/* Minutes east of UTC of the roll-ups' days (city time, UTC+8). */
#define INDICATOR_UTC_OFFSET_MIN 480
/* The cohort day of an instant: the date in city time (UTC+8) as YYYYMMDD. */
int indicator_day(int64_t ms);
/* 1 if day is a valid YYYYMMDD date (1900..2199). */
int indicator_day_is_valid(int day);
/* The Monday of the ISO week holding day (YYYYMMDD -> YYYYMMDD); day must be valid. */
int indicator_week_start(int day);
/* YYYYMMDD -> YYYYMM. */
int indicator_month(int day);

/* Settings of the formulas (configuration; indicator_settings_default gives practice's). */
struct indicator_settings {
    int is_suspended_excluded; /* 1: suspended cases leave 应结案 (金华 variant); default 0 */
    double points_base;        /* monthly points table: start (default 100) */
    double points_yellow;      /* deduction per yellow card (default 5) */
    double points_red;         /* deduction per red card (default 10) */
};
void indicator_settings_default(struct indicator_settings *s);

/* X(ENUM, "name", "中文"): the computed indicators, in output order. Rates are fractions
 * 0..1, times in working hours, points in points. */
#define INDICATOR_VALUE_MAP(X)                                                                     \
    X(DUE_TO_CLOSE, "due_to_close", "应结案数")                                                    \
    X(RESPONSE_RATE, "response_rate", "响应率")                                                    \
    X(RESOLUTION_RATE, "resolution_rate", "解决率")                                                \
    X(RESOLVED_OR_ANSWERED_RATE, "resolved_or_answered_rate", "解决或答复率")                      \
    X(CLOSURE_RATE, "closure_rate", "结案率")                                                      \
    X(ON_TIME_CLOSURE_RATE, "on_time_closure_rate", "按期结案率")                                  \
    X(REWORK_RATE, "rework_rate", "返工率")                                                        \
    X(EXTENSION_RATE, "extension_rate", "延期率")                                                  \
    X(ESCALATION_RATE, "escalation_rate", "上报率")                                                \
    X(LOW_LEVEL_SHARE, "low_level_share", "网格社区解决占比")                                      \
    X(SATISFACTION_RATE, "satisfaction_rate", "满意率")                                            \
    X(MEAN_RATING, "mean_rating", "平均评分")                                                      \
    X(MEAN_HANDLING_HOURS, "mean_handling_hours", "平均处置时长")                                  \
    X(MEDIAN_HANDLING_HOURS, "median_handling_hours", "处置时长中位数")                            \
    X(P90_HANDLING_HOURS, "p90_handling_hours", "处置时长90分位")                                  \
    X(ON_TIME_ACCEPTANCE_RATE, "on_time_acceptance_rate", "按时受理率")                            \
    X(ON_TIME_DISPATCH_RATE, "on_time_dispatch_rate", "按时派遣率")                                \
    X(ON_TIME_SIGNING_RATE, "on_time_signing_rate", "按时签收率")                                  \
    X(ON_TIME_HANDLING_RATE, "on_time_handling_rate", "按期处置率")                                \
    X(ON_TIME_VERIFICATION_RATE, "on_time_verification_rate", "按时核查率")                        \
    X(PATROL_FOUND_SHARE, "patrol_found_share", "巡查发现占比")                                    \
    X(POINTS, "points", "考核得分")

enum indicator_value {
#define INDICATOR_VALUE_ENUM(e, name, zh) IV_##e,
    INDICATOR_VALUE_MAP(INDICATOR_VALUE_ENUM)
#undef INDICATOR_VALUE_ENUM
        INDICATOR_VALUE_COUNT
};

/* Stable names and labels of counters and values (static strings; NULL out of range). */
const char *indicator_field_name(enum rollup_field f);
const char *indicator_value_name(enum indicator_value v);
const char *indicator_value_name_zh(enum indicator_value v);

/* a / b, or NAN when b is 0 (an undefined rate is never shown as 0 %). */
double indicator_ratio(int64_t a, int64_t b);

/*
 * Every value of INDICATOR_VALUE_MAP from summed counters c (docs/INDICATORS.md). A value
 * whose denominator is 0 is NAN. POINTS is the monthly points formula applied to c as given
 * (the caller sums one month). c, s and out must not be NULL.
 */
void indicator_compute(const struct rollup_counters *c, const struct indicator_settings *s,
                       double out[INDICATOR_VALUE_COUNT]);

#endif
