/*
 * test_open311.c - the Open311 / FixMyStreet status mapping (domain/open311.h): every state
 * both ways, and every planned action is one the workflow accepts from that state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "domain/open311.h"

#include <string.h>

static void test_open_closed(void **state)
{
    (void)state;
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        const char *want = workflow_state_is_open((enum case_state)s) ? "open" : "closed";
        assert_string_equal(open311_status_of((enum case_state)s), want);
    }
    assert_string_equal(open311_status_of(CASE_STATE_RESOLVED_ON_SITE), "open");
    assert_string_equal(open311_status_of(CASE_STATE_MERGED), "closed");
}

static void test_names(void **state)
{
    enum open311_fms_status s;
    (void)state;
    for (int i = 0; i < FMS_STATUS_COUNT; i++) {
        const char *name = open311_fms_status_name((enum open311_fms_status)i);
        char upper[40];
        size_t k;
        assert_non_null(name);
        for (k = 0; k < sizeof(upper) - 1 && name[k]; k++)
            upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
        upper[k] = '\0';
        assert_int_equal(open311_fms_status_parse(upper, &s), 0); /* FMS posts UPPER case */
        assert_int_equal(s, i);
        assert_int_equal(open311_fms_status_parse(name, &s), 0);
    }
    assert_null(open311_fms_status_name(FMS_STATUS_COUNT));
    assert_int_equal(open311_fms_status_parse("done", &s), ERR_INVALID);
    assert_int_equal(open311_fms_status_parse(NULL, &s), ERR_INVALID);
    assert_int_equal(FMS_STATUS_COUNT, 12);
}

static void test_fms_status_of(void **state)
{
    static const struct {
        enum case_state s;
        const char *outcome, *reason;
        int escalated;
        enum open311_fms_status want;
    } rows[] = {
        {CASE_STATE_REPORTED, "", "", 0, FMS_FOR_TRIAGE},
        {CASE_STATE_ACCEPTED, "", "", 0, FMS_INVESTIGATING},
        {CASE_STATE_ACCEPTED, "", "", 1, FMS_INTERNAL_REFERRAL},
        {CASE_STATE_DISPATCHED, "", "", 0, FMS_ACTION_SCHEDULED},
        {CASE_STATE_SUSPENDED, "", "", 0, FMS_ACTION_SCHEDULED},
        {CASE_STATE_IN_PROGRESS, "", "", 0, FMS_IN_PROGRESS},
        {CASE_STATE_HANDLED, "", "", 0, FMS_IN_PROGRESS},
        {CASE_STATE_REWORK, "", "", 0, FMS_IN_PROGRESS},
        {CASE_STATE_VERIFIED, "", "", 0, FMS_IN_PROGRESS},
        {CASE_STATE_RESOLVED_ON_SITE, "resolved", "", 0, FMS_FIXED},
        {CASE_STATE_ANSWERED, "answered", "", 0, FMS_NO_FURTHER_ACTION},
        {CASE_STATE_REJECTED, "", "", 0, FMS_NOT_COUNCILS_RESPONSIBILITY},
        {CASE_STATE_REOPENED, "", "", 0, FMS_REOPEN},
        {CASE_STATE_MERGED, "", "", 0, FMS_DUPLICATE},
        {CASE_STATE_CLOSED, "resolved", "", 0, FMS_FIXED},
        {CASE_STATE_EVALUATED, "resolved", "", 0, FMS_FIXED},
        {CASE_STATE_CLOSED, "answered", "", 0, FMS_NO_FURTHER_ACTION},
        {CASE_STATE_CLOSED, "not_resolved", "duplicate", 0, FMS_DUPLICATE},
        {CASE_STATE_CLOSED, "not_resolved", "outside_jurisdiction", 0,
         FMS_NOT_COUNCILS_RESPONSIBILITY},
        {CASE_STATE_CLOSED, "not_resolved", "not_feasible", 0, FMS_NO_FURTHER_ACTION},
        {CASE_STATE_CLOSED, "", "", 0, FMS_CLOSED},
        {CASE_STATE_CLOSED, NULL, NULL, 0, FMS_CLOSED},
    };
    int seen[CASE_STATE_COUNT] = {0};
    (void)state;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        enum open311_fms_status got =
            open311_fms_status_of(rows[i].s, rows[i].outcome, rows[i].reason, rows[i].escalated);
        if (got != rows[i].want)
            fail_msg("row %zu: %s gives %s, want %s", i, workflow_state_name(rows[i].s),
                     open311_fms_status_name(got), open311_fms_status_name(rows[i].want));
        seen[rows[i].s] = 1;
    }
    for (int s = 0; s < CASE_STATE_COUNT; s++)
        if (!seen[s])
            fail_msg("state %s has no row", workflow_state_name((enum case_state)s));
}

/* A case record the workflow accepts in state s. */
static struct workflow_case case_in(enum case_state s, int64_t now)
{
    struct workflow_case c;
    memset(&c, 0, sizeof(c));
    c.state = s;
    c.state_before_suspend = CASE_STATE_ACCEPTED;
    c.queue_level = 5;
    c.supervision = SUPERVISION_NONE;
    c.outcome = s == CASE_STATE_RESOLVED_ON_SITE                        ? OUTCOME_RESOLVED
                : s == CASE_STATE_ANSWERED                              ? OUTCOME_ANSWERED
                : (s == CASE_STATE_CLOSED || s == CASE_STATE_EVALUATED) ? OUTCOME_RESOLVED
                                                                        : OUTCOME_NONE;
    c.closed_ms = (s == CASE_STATE_CLOSED || s == CASE_STATE_EVALUATED) ? now - 1000 : 0;
    return c;
}

static void test_plans_are_valid_transitions(void **state)
{
    const int64_t now = 1700000000000LL;
    int planned = 0;
    (void)state;
    for (int want = 0; want < FMS_STATUS_COUNT; want++) {
        for (int s = 0; s < CASE_STATE_COUNT; s++) {
            struct workflow_case c = case_in((enum case_state)s, now);
            enum open311_fms_status current =
                open311_fms_status_of((enum case_state)s, workflow_outcome_name(c.outcome), "", 0);
            struct open311_plan plan;
            int r =
                open311_fms_plan((enum open311_fms_status)want, current, (enum case_state)s, &plan);
            if (r != 0) {
                assert_int_equal(r, ERR_INVALID_TRANSITION);
                continue;
            }
            if ((enum open311_fms_status)want == current) {
                assert_int_equal(plan.action, CASE_ACTION_COMMENT);
                continue;
            }
            planned++;
            /* Whoever may take it: the transition itself must exist for this state. */
            struct workflow_input in;
            struct workflow_result res;
            struct errbuf eb = {{0}};
            memset(&in, 0, sizeof(in));
            in.action = plan.action;
            in.reason = plan.text_field == OPEN311_REASON ? "because" : NULL;
            in.evidence = plan.text_field == OPEN311_EVIDENCE ? "photo" : NULL;
            in.text = plan.text_field == OPEN311_TEXT ? "done" : NULL;
            in.outcome = plan.outcome;
            in.outcome_reason = plan.outcome_reason;
            in.now_ms = now;
            in.reopen_window_ms = 86400000;
            int ok = 0;
            for (int role = 0; role < ROLE_COUNT && !ok; role++) {
                struct workflow_actor a = {(enum role)role, 1, 1, 1, 0};
                int rr = workflow_apply(&c, &a, &in, &res, &eb);
                if (rr == 0)
                    ok = 1;
                else if (rr == ERR_INVALID_TRANSITION || rr == ERR_INVALID)
                    fail_msg("%s on %s: %s", open311_fms_status_name((enum open311_fms_status)want),
                             workflow_state_name((enum case_state)s), eb.msg);
                errbuf_clear(&eb);
            }
            if (!ok)
                fail_msg("%s on %s: no role may take %s",
                         open311_fms_status_name((enum open311_fms_status)want),
                         workflow_state_name((enum case_state)s),
                         workflow_action_name(plan.action));
        }
    }
    assert_true(planned > 30);
}

static void test_specific_plans(void **state)
{
    struct open311_plan p;
    (void)state;
    assert_int_equal(open311_fms_plan(FMS_FIXED, FMS_IN_PROGRESS, CASE_STATE_VERIFIED, &p), 0);
    assert_int_equal(p.action, CASE_ACTION_CLOSE);
    assert_int_equal(p.outcome, OUTCOME_RESOLVED);
    assert_int_equal(open311_fms_plan(FMS_DUPLICATE, FMS_FIXED, CASE_STATE_RESOLVED_ON_SITE, &p),
                     0);
    assert_string_equal(p.outcome_reason, "duplicate");
    assert_int_equal(open311_fms_plan(FMS_REOPEN, FMS_FIXED, CASE_STATE_CLOSED, &p), 0);
    assert_int_equal(p.action, CASE_ACTION_REOPEN);
    assert_int_equal(p.text_field, OPEN311_REASON);
    assert_int_equal(open311_fms_plan(FMS_IN_PROGRESS, FMS_IN_PROGRESS, CASE_STATE_HANDLED, &p), 0);
    assert_int_equal(p.action, CASE_ACTION_COMMENT);
    assert_int_equal(open311_fms_plan(FMS_REOPEN, FMS_ACTION_SCHEDULED, CASE_STATE_DISPATCHED, &p),
                     ERR_INVALID_TRANSITION);
    assert_int_equal(open311_fms_plan(FMS_FIXED, FMS_DUPLICATE, CASE_STATE_MERGED, &p),
                     ERR_INVALID_TRANSITION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_closed),    cmocka_unit_test(test_names),
        cmocka_unit_test(test_fms_status_of),  cmocka_unit_test(test_plans_are_valid_transitions),
        cmocka_unit_test(test_specific_plans),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
