/*
 * test_indicators.c - what each case event counts for (indicator_event_delta), the cohort
 * day, the handling-time histogram, and every formula of docs/INDICATORS.md on
 * hand-computed examples, including zero denominators (NAN, never 0 %).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/calendar.h"
#include "domain/indicators.h"

#include <math.h>
#include <string.h>

static struct calendar *cal;
static int64_t mon_0900; /* Monday 2025-03-03 09:00 city time */

static int setup(void **state)
{
    (void)state;
    cal = calendar_new();
    if (cal == NULL || calendar_local_to_ms(cal, 2025, 3, 3, 9, 0, &mon_0900) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    calendar_free(cal);
    return 0;
}

#define MIN_MS (60LL * 1000)

static void base_facts(struct indicator_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->created_ms = mon_0900;
    f->initial_level = 6;
    f->queue_level = 6;
}

static struct indicator_event make_event(enum case_action a, enum case_state from,
                                         enum case_state to, int64_t at)
{
    struct indicator_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.action = a;
    ev.from = from;
    ev.to = to;
    ev.at_ms = at;
    return ev;
}

/* Fields of d other than the ones listed (terminated by -1) must be 0. */
static void assert_only(const struct rollup_counters *d, const int *fields)
{
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        int listed = 0;
        for (const int *p = fields; *p >= 0; p++)
            listed |= *p == i;
        if (!listed && d->v[i] != 0)
            fail_msg("field %s is %lld", indicator_field_name((enum rollup_field)i),
                     (long long)d->v[i]);
    }
}

static void test_report_counts_collected(void **state)
{
    struct indicator_facts f;
    struct indicator_event ev;
    struct rollup_counters d;
    (void)state;
    base_facts(&f);
    memset(&ev, 0, sizeof(ev));
    ev.is_report = 1;
    ev.at_ms = mon_0900;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_collected], 1);
    assert_int_equal(d.v[RF_patrol_found], 0);
    f.is_patrol = 1;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_patrol_found], 1);
    assert_only(&d, (const int[]){RF_collected, RF_patrol_found, -1});
    assert_int_equal(indicator_event_delta(NULL, &ev, cal, &d), ERR_INVALID);
    assert_int_equal(indicator_event_delta(&f, &ev, NULL, &d), ERR_INVALID);
}

static void test_accept_on_time_and_late(void **state)
{
    struct indicator_facts f;
    struct indicator_event ev;
    struct rollup_counters d;
    (void)state;
    base_facts(&f);
    f.step_due_ms = mon_0900 + 60 * MIN_MS;
    ev = make_event(CASE_ACTION_ACCEPT, CASE_STATE_REPORTED, CASE_STATE_ACCEPTED,
                    mon_0900 + 60 * MIN_MS);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_accepted], 1);
    assert_int_equal(d.v[RF_responded], 1);
    assert_int_equal(d.v[RF_responded_on_time], 1); /* exactly at the deadline is in time */
    assert_only(&d, (const int[]){RF_accepted, RF_responded, RF_responded_on_time, -1});
    ev.at_ms++;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_responded], 1);
    assert_int_equal(d.v[RF_responded_on_time], 0);
    /* Accepting a reopened case is neither a new 立案 nor a first response. */
    ev.from = CASE_STATE_REOPENED;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_true(indicator_counters_is_zero(&d));
    /* A reject is a response too. */
    ev = make_event(CASE_ACTION_REJECT, CASE_STATE_REPORTED, CASE_STATE_REJECTED, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_rejected, RF_responded, RF_responded_on_time, -1});
    assert_int_equal(d.v[RF_rejected], 1);
}

static void test_steps_on_time(void **state)
{
    struct indicator_facts f;
    struct indicator_event ev;
    struct rollup_counters d;
    static const struct {
        enum case_action a;
        enum case_state from, to;
        int all, on_time;
    } rows[] = {
        {CASE_ACTION_DISPATCH, CASE_STATE_ACCEPTED, CASE_STATE_DISPATCHED, RF_dispatched,
         RF_dispatched_on_time},
        {CASE_ACTION_START, CASE_STATE_DISPATCHED, CASE_STATE_IN_PROGRESS, RF_signed,
         RF_signed_on_time},
        {CASE_ACTION_HANDLE, CASE_STATE_IN_PROGRESS, CASE_STATE_HANDLED, RF_handled,
         RF_handled_on_time},
        {CASE_ACTION_VERIFY, CASE_STATE_HANDLED, CASE_STATE_VERIFIED, RF_verified,
         RF_verified_on_time},
    };
    (void)state;
    base_facts(&f);
    f.step_due_ms = mon_0900 + 10 * MIN_MS;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        ev = make_event(rows[i].a, rows[i].from, rows[i].to, mon_0900 + 5 * MIN_MS);
        assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
        assert_only(&d, (const int[]){rows[i].all, rows[i].on_time, -1});
        assert_int_equal(d.v[rows[i].all], 1);
        assert_int_equal(d.v[rows[i].on_time], 1);
        ev.at_ms = mon_0900 + 11 * MIN_MS;
        assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
        assert_int_equal(d.v[rows[i].all], 1);
        assert_int_equal(d.v[rows[i].on_time], 0);
    }
    /* No deadline ran: counted in time. */
    f.step_due_ms = 0;
    ev = make_event(CASE_ACTION_VERIFY, CASE_STATE_HANDLED, CASE_STATE_VERIFIED, mon_0900 * 2);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_verified_on_time], 1);
}

static void test_close_then_reopen_undoes(void **state)
{
    struct indicator_facts f;
    struct indicator_event ev;
    struct rollup_counters d, sum;
    int64_t close_at = mon_0900 + 120 * MIN_MS; /* 11:00: two working hours */
    (void)state;
    base_facts(&f);
    f.resolve_due_ms = close_at;
    ev = make_event(CASE_ACTION_CLOSE, CASE_STATE_VERIFIED, CASE_STATE_CLOSED, close_at);
    ev.outcome = OUTCOME_RESOLVED;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_closed, RF_closed_on_time, RF_closed_resolved,
                                  RF_closed_low_level, RF_handling_minutes, -1});
    assert_int_equal(d.v[RF_closed], 1);
    assert_int_equal(d.v[RF_closed_on_time], 1);
    assert_int_equal(d.v[RF_closed_resolved], 1);
    assert_int_equal(d.v[RF_closed_low_level], 1);
    assert_int_equal(d.v[RF_handling_minutes], 120);
    assert_int_equal(d.hist[indicator_hist_bucket(120)], 1);
    sum = d;

    /* The reopen sees the facts the close left behind. */
    f.closed_ms = close_at;
    f.outcome = OUTCOME_RESOLVED;
    ev = make_event(CASE_ACTION_REOPEN, CASE_STATE_CLOSED, CASE_STATE_REOPENED,
                    close_at + 3LL * 24 * 3600 * 1000);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_reopened], 1);
    indicator_counters_add(&sum, &d);
    sum.v[RF_reopened] = 0;
    assert_true(indicator_counters_is_zero(&sum));

    /* Closed late, not resolved, after escalation to the street (level 4). */
    f.queue_level = 4;
    ev = make_event(CASE_ACTION_CLOSE, CASE_STATE_VERIFIED, CASE_STATE_CLOSED, close_at + 1);
    ev.outcome = OUTCOME_NOT_RESOLVED;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_closed], 1);
    assert_int_equal(d.v[RF_closed_on_time], 0);
    assert_int_equal(d.v[RF_closed_not_resolved], 1);
    assert_int_equal(d.v[RF_closed_low_level], 0);
    /* Closing an answered case from suspension leaves the suspended count. */
    ev = make_event(CASE_ACTION_CLOSE, CASE_STATE_SUSPENDED, CASE_STATE_CLOSED, close_at);
    ev.outcome = OUTCOME_ANSWERED;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_suspended], -1);
    assert_int_equal(d.v[RF_closed_answered], 1);
}

static void test_ratings_replace(void **state)
{
    struct indicator_facts f;
    struct indicator_event ev;
    struct rollup_counters d, sum;
    int64_t close_at = mon_0900 + 60 * MIN_MS;
    (void)state;
    base_facts(&f);
    indicator_counters_clear(&sum);
    f.closed_ms = close_at;
    f.outcome = OUTCOME_RESOLVED;
    /* A rating of 2 inside the window reopens the case: evaluated, unsatisfied, close undone. */
    ev = make_event(CASE_ACTION_EVALUATE, CASE_STATE_CLOSED, CASE_STATE_REOPENED, close_at + 1);
    ev.rating = 2;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_evaluated], 1);
    assert_int_equal(d.v[RF_satisfied], 0);
    assert_int_equal(d.v[RF_rating_sum], 2);
    assert_int_equal(d.v[RF_reopened], 1);
    assert_int_equal(d.v[RF_closed], -1);
    assert_int_equal(d.hist[indicator_hist_bucket(60)], -1);
    indicator_counters_add(&sum, &d);
    /* Re-evaluated 5 later: the case counts once, now satisfied. */
    f.rating = 2;
    ev = make_event(CASE_ACTION_EVALUATE, CASE_STATE_CLOSED, CASE_STATE_EVALUATED, close_at + 2);
    ev.rating = 5;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_evaluated], 0);
    assert_int_equal(d.v[RF_satisfied], 1);
    assert_int_equal(d.v[RF_rating_sum], 3);
    indicator_counters_add(&sum, &d);
    assert_int_equal(sum.v[RF_evaluated], 1);
    assert_int_equal(sum.v[RF_satisfied], 1);
    assert_int_equal(sum.v[RF_rating_sum], 5);
    /* And down to 4 -> 3: no longer satisfied. */
    f.rating = 4;
    ev.rating = 3;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_satisfied], -1);
}

static void test_flows(void **state)
{
    struct indicator_facts f;
    struct indicator_event ev;
    struct rollup_counters d;
    (void)state;
    base_facts(&f);
    ev = make_event(CASE_ACTION_ESCALATE, CASE_STATE_ACCEPTED, CASE_STATE_ACCEPTED, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_escalations, RF_escalated_cases, -1});
    assert_int_equal(d.v[RF_escalated_cases], 1);
    f.queue_level = 5; /* already escalated once: a second escalation, same case */
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_escalations], 1);
    assert_int_equal(d.v[RF_escalated_cases], 0);

    ev = make_event(CASE_ACTION_SUPERVISE, CASE_STATE_DISPATCHED, CASE_STATE_DISPATCHED, mon_0900);
    ev.supervision = SUPERVISION_YELLOW;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_yellow_cards, -1});
    assert_int_equal(d.v[RF_yellow_cards], 1);
    ev.supervision = SUPERVISION_RED;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_red_cards, -1});
    ev.supervision = SUPERVISION_NORMAL;
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_true(indicator_counters_is_zero(&d));

    ev = make_event(CASE_ACTION_REWORK, CASE_STATE_HANDLED, CASE_STATE_REWORK, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_reworks, -1});
    ev = make_event(CASE_ACTION_APPROVE_EXTENSION, CASE_STATE_IN_PROGRESS, CASE_STATE_IN_PROGRESS,
                    mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_extensions, -1});
    ev = make_event(CASE_ACTION_SUSPEND, CASE_STATE_IN_PROGRESS, CASE_STATE_SUSPENDED, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_only(&d, (const int[]){RF_suspended, -1});
    assert_int_equal(d.v[RF_suspended], 1);
    ev = make_event(CASE_ACTION_RESUME, CASE_STATE_SUSPENDED, CASE_STATE_IN_PROGRESS, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_suspended], -1);
    ev = make_event(CASE_ACTION_MERGE, CASE_STATE_SUSPENDED, CASE_STATE_MERGED, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_int_equal(d.v[RF_suspended], -1);
    assert_int_equal(d.v[RF_merged], 1);
    ev = make_event(CASE_ACTION_COMMENT, CASE_STATE_CLOSED, CASE_STATE_CLOSED, mon_0900);
    assert_int_equal(indicator_event_delta(&f, &ev, cal, &d), 0);
    assert_true(indicator_counters_is_zero(&d));
}

static void test_days(void **state)
{
    (void)state;
    /* 2025-03-02 16:00 UTC is 2025-03-03 00:00 in UTC+8. */
    assert_int_equal(indicator_day(1740931200000LL), 20250303);
    assert_int_equal(indicator_day(1740931200000LL - 1), 20250302);
    assert_int_equal(indicator_day(0), 19700101);
    assert_int_equal(indicator_week_start(20250303), 20250303); /* a Monday */
    assert_int_equal(indicator_week_start(20250309), 20250303); /* its Sunday */
    assert_int_equal(indicator_week_start(20250101), 20241230); /* across a year */
    assert_int_equal(indicator_week_start(20240301), 20240226); /* across Feb 29 */
    assert_int_equal(indicator_month(20250309), 202503);
    assert_true(indicator_day_is_valid(20240229));
    assert_false(indicator_day_is_valid(20250229));
    assert_false(indicator_day_is_valid(20251301));
    assert_false(indicator_day_is_valid(18991231));
}

static void test_histogram(void **state)
{
    int64_t hist[ROLLUP_HIST_BUCKETS];
    double lo, hi;
    (void)state;
    assert_int_equal(indicator_hist_bucket(-5), 0);
    assert_int_equal(indicator_hist_bucket(0), 0);
    assert_int_equal(indicator_hist_bucket(1), 1);   /* [1, 2^0.25) */
    assert_int_equal(indicator_hist_bucket(2), 5);   /* [2, 2^1.25) */
    assert_int_equal(indicator_hist_bucket(60), 24); /* [2^5.75 = 53.8, 64) */
    assert_int_equal(indicator_hist_bucket(64), 25); /* [64, 76.1) */
    assert_int_equal(indicator_hist_bucket(1LL << 40), ROLLUP_HIST_BUCKETS - 1);
    for (int64_t m = 1; m < 100000; m += 7) {
        indicator_hist_bounds(indicator_hist_bucket(m), &lo, &hi);
        assert_true(lo <= (double)m);
        if (indicator_hist_bucket(m) < ROLLUP_HIST_BUCKETS - 1)
            assert_true((double)m < hi);
    }
    memset(hist, 0, sizeof(hist));
    assert_true(isnan(indicator_hist_quantile(hist, 0.5)));
    /* Buckets 25 [64, 2^6.25) and 29 [128, 2^7.25), two cases each: the median (target 2 of
     * 4) is the top of bucket 25, p90 (target 3.6) is 0.8 of the way through bucket 29. */
    hist[25] = 2;
    hist[29] = 2;
    assert_float_equal(indicator_hist_quantile(hist, 0.5), pow(2, 6.25) / 60, 1e-9);
    assert_float_equal(indicator_hist_quantile(hist, 0.9), (128 + 0.8 * (pow(2, 7.25) - 128)) / 60,
                       1e-9);
    assert_true(isnan(indicator_hist_quantile(hist, 1.0)));
}

static void test_formulas(void **state)
{
    struct rollup_counters c;
    struct indicator_settings s;
    double v[INDICATOR_VALUE_COUNT];
    (void)state;
    indicator_settings_default(&s);
    indicator_counters_clear(&c);
    /* 100 collected, 4 rejected, 6 merged -> 90 due to close; 81 closed (72 on time). */
    c.v[RF_collected] = 100;
    c.v[RF_rejected] = 4;
    c.v[RF_merged] = 6;
    c.v[RF_suspended] = 10;
    c.v[RF_accepted] = 80;
    c.v[RF_responded] = 96;
    c.v[RF_responded_on_time] = 90;
    c.v[RF_closed] = 81;
    c.v[RF_closed_on_time] = 72;
    c.v[RF_closed_resolved] = 60;
    c.v[RF_closed_answered] = 15;
    c.v[RF_closed_not_resolved] = 6;
    c.v[RF_closed_low_level] = 54;
    c.v[RF_reworks] = 9;
    c.v[RF_extensions] = 8;
    c.v[RF_escalated_cases] = 5;
    c.v[RF_escalations] = 7;
    c.v[RF_evaluated] = 40;
    c.v[RF_satisfied] = 36;
    c.v[RF_rating_sum] = 170;
    c.v[RF_handling_minutes] = 81LL * 300; /* 5 h each */
    c.v[RF_dispatched] = 50;
    c.v[RF_dispatched_on_time] = 45;
    c.v[RF_signed] = 40;
    c.v[RF_signed_on_time] = 30;
    c.v[RF_handled] = 40;
    c.v[RF_handled_on_time] = 34;
    c.v[RF_verified] = 40;
    c.v[RF_verified_on_time] = 38;
    c.v[RF_patrol_found] = 25;
    c.v[RF_yellow_cards] = 2;
    c.v[RF_red_cards] = 1;
    c.hist[indicator_hist_bucket(300)] = 81;
    indicator_compute(&c, &s, v);
    assert_float_equal(v[IV_DUE_TO_CLOSE], 90, 1e-12);
    assert_float_equal(v[IV_CLOSURE_RATE], 81.0 / 90, 1e-12);
    assert_float_equal(v[IV_ON_TIME_CLOSURE_RATE], 72.0 / 90, 1e-12);
    assert_float_equal(v[IV_RESPONSE_RATE], 0.90, 1e-12);
    assert_float_equal(v[IV_RESOLUTION_RATE], 60.0 / 81, 1e-12);
    assert_float_equal(v[IV_RESOLVED_OR_ANSWERED_RATE], 75.0 / 81, 1e-12);
    assert_float_equal(v[IV_REWORK_RATE], 9.0 / 81, 1e-12);
    assert_float_equal(v[IV_EXTENSION_RATE], 0.10, 1e-12);
    assert_float_equal(v[IV_ESCALATION_RATE], 0.05, 1e-12);
    assert_float_equal(v[IV_LOW_LEVEL_SHARE], 54.0 / 81, 1e-12);
    assert_float_equal(v[IV_SATISFACTION_RATE], 0.90, 1e-12);
    assert_float_equal(v[IV_MEAN_RATING], 4.25, 1e-12);
    assert_float_equal(v[IV_MEAN_HANDLING_HOURS], 5.0, 1e-12);
    {
        double lo, hi;
        indicator_hist_bounds(indicator_hist_bucket(300), &lo, &hi);
        assert_true(v[IV_MEDIAN_HANDLING_HOURS] * 60 >= lo &&
                    v[IV_MEDIAN_HANDLING_HOURS] * 60 <= hi);
        assert_float_equal(v[IV_MEDIAN_HANDLING_HOURS], (lo + 0.5 * (hi - lo)) / 60, 1e-9);
        assert_float_equal(v[IV_P90_HANDLING_HOURS], (lo + 0.9 * (hi - lo)) / 60, 1e-9);
    }
    assert_float_equal(v[IV_ON_TIME_ACCEPTANCE_RATE], 90.0 / 96, 1e-12);
    assert_float_equal(v[IV_ON_TIME_DISPATCH_RATE], 0.9, 1e-12);
    assert_float_equal(v[IV_ON_TIME_SIGNING_RATE], 0.75, 1e-12);
    assert_float_equal(v[IV_ON_TIME_HANDLING_RATE], 0.85, 1e-12);
    assert_float_equal(v[IV_ON_TIME_VERIFICATION_RATE], 0.95, 1e-12);
    assert_float_equal(v[IV_PATROL_FOUND_SHARE], 0.25, 1e-12);
    assert_float_equal(v[IV_POINTS], 100 - 2 * 5 - 10, 1e-12);

    /* The 金华 variant: suspended cases leave the denominator (90 - 10 = 80). */
    s.is_suspended_excluded = 1;
    s.points_yellow = 50; /* 100 - 2 * 50 - 10 < 0 */
    indicator_compute(&c, &s, v);
    assert_float_equal(v[IV_DUE_TO_CLOSE], 80, 1e-12);
    assert_float_equal(v[IV_CLOSURE_RATE], 81.0 / 80, 1e-12);
    assert_float_equal(v[IV_ON_TIME_CLOSURE_RATE], 72.0 / 80, 1e-12);
    assert_float_equal(v[IV_POINTS], 0, 1e-12); /* never below 0 */
}

static void test_zero_denominators(void **state)
{
    struct rollup_counters c;
    struct indicator_settings s;
    double v[INDICATOR_VALUE_COUNT];
    (void)state;
    indicator_settings_default(&s);
    indicator_counters_clear(&c);
    indicator_compute(&c, &s, v);
    assert_float_equal(v[IV_DUE_TO_CLOSE], 0, 1e-12);
    assert_float_equal(v[IV_POINTS], 100, 1e-12);
    for (int i = 0; i < INDICATOR_VALUE_COUNT; i++) {
        if (i == IV_DUE_TO_CLOSE || i == IV_POINTS)
            continue;
        if (!isnan(v[i]))
            fail_msg("%s is %g, expected undefined", indicator_value_name((enum indicator_value)i),
                     v[i]);
    }
    assert_true(isnan(indicator_ratio(3, 0)));
    assert_float_equal(indicator_ratio(0, 3), 0, 1e-12);
    assert_string_equal(indicator_value_name(IV_ON_TIME_CLOSURE_RATE), "on_time_closure_rate");
    assert_string_equal(indicator_value_name_zh(IV_CLOSURE_RATE), "结案率");
    assert_null(indicator_value_name(INDICATOR_VALUE_COUNT));
    assert_string_equal(indicator_field_name(RF_closed_on_time), "closed_on_time");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_counts_collected),
        cmocka_unit_test(test_accept_on_time_and_late),
        cmocka_unit_test(test_steps_on_time),
        cmocka_unit_test(test_close_then_reopen_undoes),
        cmocka_unit_test(test_ratings_replace),
        cmocka_unit_test(test_flows),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_histogram),
        cmocka_unit_test(test_formulas),
        cmocka_unit_test(test_zero_denominators),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
