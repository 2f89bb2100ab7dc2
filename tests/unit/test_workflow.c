/*
 * test_workflow.c - the case state machine: every state × action, every action × role, the
 * required fields, the rules beyond the table (escalation ladder, reopen window, low ratings,
 * suspend/resume, extensions), and the property that workflow_allowed_actions() offers exactly
 * what workflow_apply() accepts.
 *
 * The expected transitions and roles are written here as text, independently of the tables in
 * workflow.c, so that changing one without the other fails.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/access.h"
#include "domain/areacode.h"
#include "domain/workflow.h"

#include <stdio.h>
#include <string.h>

#define NOW    1774000000000LL /* some instant in 2026 */
#define DAY_MS (24LL * 3600 * 1000)
#define WINDOW (7 * DAY_MS)

/* ---- the expected machine, as text --------------------------------------------------------
 * "from action to": to is a state, "=" (stays) or "prior" (the state before suspend). Every
 * pair not listed must be refused with ERR_INVALID_TRANSITION. */
static const char *const expected_transitions[] = {
    "reported accept accepted",
    "reported reject rejected",
    "reported resolve_on_site resolved_on_site",
    "reported answer answered",
    "reported merge merged",
    "reported escalate =",
    "reported urge =",
    "reported supervise =",
    "reported comment =",

    "accepted resolve_on_site resolved_on_site",
    "accepted answer answered",
    "accepted dispatch dispatched",
    "accepted merge merged",
    "accepted escalate =",
    "accepted suspend suspended",
    "accepted urge =",
    "accepted supervise =",
    "accepted comment =",
    "accepted assign =",

    "rejected comment =",

    "resolved_on_site close closed",
    "resolved_on_site merge merged",
    "resolved_on_site urge =",
    "resolved_on_site supervise =",
    "resolved_on_site comment =",

    "answered close closed",
    "answered merge merged",
    "answered urge =",
    "answered supervise =",
    "answered comment =",

    "dispatched start in_progress",
    "dispatched return accepted",
    "dispatched merge merged",
    "dispatched escalate accepted",
    "dispatched suspend suspended",
    "dispatched urge =",
    "dispatched supervise =",
    "dispatched comment =",
    "dispatched assign =",

    "in_progress return accepted",
    "in_progress handle handled",
    "in_progress merge merged",
    "in_progress escalate accepted",
    "in_progress request_extension =",
    "in_progress approve_extension =",
    "in_progress deny_extension =",
    "in_progress suspend suspended",
    "in_progress urge =",
    "in_progress supervise =",
    "in_progress comment =",

    "handled rework rework",
    "handled verify verified",
    "handled merge merged",
    "handled urge =",
    "handled supervise =",
    "handled comment =",

    "rework start in_progress",
    "rework merge merged",
    "rework escalate accepted",
    "rework suspend suspended",
    "rework urge =",
    "rework supervise =",
    "rework comment =",

    "verified rework rework",
    "verified close closed",
    "verified merge merged",
    "verified urge =",
    "verified supervise =",
    "verified comment =",

    "closed evaluate evaluated",
    "closed reopen reopened",
    "closed comment =",

    "evaluated reopen reopened",
    "evaluated comment =",

    "reopened accept accepted",
    "reopened resolve_on_site resolved_on_site",
    "reopened answer answered",
    "reopened dispatch dispatched",
    "reopened merge merged",
    "reopened escalate =",
    "reopened suspend suspended",
    "reopened urge =",
    "reopened supervise =",
    "reopened comment =",
    "reopened assign =",

    "suspended close closed",
    "suspended merge merged",
    "suspended resume prior",
    "suspended supervise =",
    "suspended comment =",
};

/* "action: roles" (an action may take several rows); its first role is the one the
 * state × action test acts as. */
static const char *const expected_roles[] = {
    "accept: community_staff station_cadre dispatcher admin",
    "reject: community_staff dispatcher admin",
    "resolve_on_site: grid_worker community_staff station_cadre",
    "answer: community_staff station_cadre dispatcher admin",
    "dispatch: community_staff dispatcher admin",
    "start: department_handler",
    "return: department_handler",
    "handle: department_handler",
    "rework: grid_worker community_staff dispatcher admin",
    "verify: grid_worker community_staff",
    "close: community_staff dispatcher admin",
    "evaluate: resident",
    "reopen: resident community_staff dispatcher admin",
    "merge: community_staff dispatcher admin",
    "escalate: grid_worker community_staff dispatcher admin",
    "request_extension: department_handler",
    "approve_extension: community_staff dispatcher admin",
    "deny_extension: community_staff dispatcher admin",
    "suspend: community_staff dispatcher admin",
    "resume: community_staff dispatcher admin",
    "urge: community_staff dispatcher leader admin",
    "supervise: leader",
    "comment: resident grid_worker community_staff station_cadre",
    "comment: dispatcher department_handler leader admin",
    "assign: community_staff dispatcher admin",
};

/* What the deadline sweep may do. */
static const char *const expected_system_actions = "escalate urge supervise";

#define NO_TRANSITION (-1)
#define STAYS         (-2)
#define TO_PRIOR      (-3)

static int exp_to[CASE_STATE_COUNT][CASE_ACTION_COUNT];
static unsigned exp_roles[CASE_ACTION_COUNT];   /* bit per enum role */
static enum role first_role[CASE_ACTION_COUNT]; /* an authorised role per action */
static unsigned long long exp_system_actions;   /* bit per action */

static enum case_state state_of(const char *name)
{
    enum case_state s = CASE_STATE_COUNT;
    if (workflow_state_parse(name, &s) != 0)
        fail_msg("unknown state '%s' in the expected table", name);
    return s;
}

static enum case_action action_of(const char *name)
{
    enum case_action a = CASE_ACTION_COUNT;
    if (workflow_action_parse(name, &a) != 0)
        fail_msg("unknown action '%s' in the expected table", name);
    return a;
}

static int setup_tables(void **state)
{
    (void)state;
    for (int s = 0; s < CASE_STATE_COUNT; s++)
        for (int a = 0; a < CASE_ACTION_COUNT; a++)
            exp_to[s][a] = NO_TRANSITION;
    for (size_t i = 0; i < sizeof(expected_transitions) / sizeof(expected_transitions[0]); i++) {
        char from[32], action[32], to[32];
        if (sscanf(expected_transitions[i], "%31s %31s %31s", from, action, to) != 3)
            fail_msg("bad row '%s'", expected_transitions[i]);
        int *cell = &exp_to[state_of(from)][action_of(action)];
        assert_int_equal(*cell, NO_TRANSITION); /* each pair listed once */
        if (strcmp(to, "=") == 0)
            *cell = STAYS;
        else if (strcmp(to, "prior") == 0)
            *cell = TO_PRIOR;
        else
            *cell = (int)state_of(to);
    }
    memset(exp_roles, 0, sizeof(exp_roles));
    for (int a = 0; a < CASE_ACTION_COUNT; a++)
        first_role[a] = ROLE_COUNT;
    for (size_t i = 0; i < sizeof(expected_roles) / sizeof(expected_roles[0]); i++) {
        char buf[256], *save = NULL;
        snprintf(buf, sizeof(buf), "%s", expected_roles[i]);
        char *tok = strtok_r(buf, ": ", &save);
        enum case_action act = action_of(tok);
        while ((tok = strtok_r(NULL, " ", &save)) != NULL) {
            enum role r;
            if (access_role_parse(tok, &r) != 0)
                fail_msg("unknown role '%s'", tok);
            exp_roles[act] |= 1u << r;
            if (first_role[act] == ROLE_COUNT)
                first_role[act] = r;
        }
    }
    for (int a = 0; a < CASE_ACTION_COUNT; a++)
        if (first_role[a] == ROLE_COUNT)
            fail_msg("action %s has no row in expected_roles", workflow_action_name(a));
    {
        char buf[128], *save = NULL;
        snprintf(buf, sizeof(buf), "%s", expected_system_actions);
        exp_system_actions = 0;
        for (char *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
            exp_system_actions |= WORKFLOW_ACTION_BIT(action_of(tok));
    }
    return 0;
}

/* ---- fixtures ----------------------------------------------------------------------------- */

/* A case in state s that allows everything the table allows there: in a grid's queue, closed a
 * moment ago, an extension pending only for approve/deny. */
static struct workflow_case case_in(enum case_state s, enum case_action action)
{
    struct workflow_case c;
    memset(&c, 0, sizeof(c));
    c.state = s;
    c.state_before_suspend = CASE_STATE_ACCEPTED;
    c.queue_level = AREA_GRID;
    c.has_pending_extension =
        action == CASE_ACTION_APPROVE_EXTENSION || action == CASE_ACTION_DENY_EXTENSION;
    c.supervision = SUPERVISION_NONE;
    c.outcome = OUTCOME_NONE;
    c.closed_ms = NOW - 1000;
    return c;
}

static struct workflow_actor actor(enum role role)
{
    struct workflow_actor a;
    memset(&a, 0, sizeof(a));
    a.role = role;
    a.is_reporter = 1;
    a.is_handling_department = 1;
    a.is_in_scope = 1;
    return a;
}

/* Every field filled validly for any action. */
static struct workflow_input input(enum case_action action)
{
    struct workflow_input in;
    memset(&in, 0, sizeof(in));
    in.action = action;
    in.reason = "not ours: the road belongs to the port authority";
    in.evidence = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    in.text = "meter replaced";
    in.department = "440605-SW";
    in.merge_into = "440605-20260321-00042";
    in.rating = 5;
    in.outcome = OUTCOME_RESOLVED;
    in.outcome_reason = NULL;
    in.extension_days = 5;
    in.supervision = SUPERVISION_YELLOW;
    in.now_ms = NOW;
    in.reopen_window_ms = WINDOW;
    return in;
}

static int apply(const struct workflow_case *c, const struct workflow_actor *a,
                 const struct workflow_input *in, struct workflow_result *out)
{
    struct errbuf eb;
    errbuf_clear(&eb);
    return workflow_apply(c, a, in, out, &eb);
}

static int apply_eb(const struct workflow_case *c, const struct workflow_actor *a,
                    const struct workflow_input *in, struct errbuf *eb)
{
    struct workflow_result out;
    errbuf_clear(eb);
    return workflow_apply(c, a, in, &out, eb);
}

/* ---- names ------------------------------------------------------------------------------- */

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        enum case_state p;
        const char *n = workflow_state_name((enum case_state)s);
        assert_non_null(n);
        assert_non_null(workflow_state_name_zh((enum case_state)s));
        assert_true(strlen(n) <= WORKFLOW_NAME_MAX);
        assert_int_equal(workflow_state_parse(n, &p), 0);
        assert_int_equal(p, s);
    }
    for (int a = 0; a < CASE_ACTION_COUNT; a++) {
        enum case_action p;
        const char *n = workflow_action_name((enum case_action)a);
        assert_non_null(n);
        assert_non_null(workflow_action_name_zh((enum case_action)a));
        assert_true(strlen(n) <= WORKFLOW_NAME_MAX);
        assert_int_equal(workflow_action_parse(n, &p), 0);
        assert_int_equal(p, a);
    }
    for (int o = 0; o < OUTCOME_COUNT; o++) {
        enum case_outcome p;
        const char *n = workflow_outcome_name((enum case_outcome)o);
        assert_non_null(n);
        assert_non_null(workflow_outcome_name_zh((enum case_outcome)o));
        assert_int_equal(workflow_outcome_parse(n, &p), 0);
        assert_int_equal(p, o);
    }
    for (int l = 0; l < SUPERVISION_COUNT; l++) {
        enum supervision_level p;
        const char *n = workflow_supervision_name((enum supervision_level)l);
        assert_non_null(n);
        assert_non_null(workflow_supervision_name_zh((enum supervision_level)l));
        assert_true(strlen(n) <= 11); /* fits the store's supervision column */
        assert_int_equal(workflow_supervision_parse(n, &p), 0);
        assert_int_equal(p, l);
    }
    assert_string_equal(workflow_state_name(CASE_STATE_RESOLVED_ON_SITE), "resolved_on_site");
    assert_string_equal(workflow_action_name(CASE_ACTION_RETURN), "return");
    assert_string_equal(workflow_supervision_name(SUPERVISION_RED), "red_card");
    assert_string_equal(workflow_outcome_name(OUTCOME_NOT_RESOLVED), "not_resolved");

    static const char *const reasons[] = {"outside_jurisdiction", "not_feasible",
                                          "resident_unreachable", "duplicate", "other"};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        assert_true(workflow_outcome_reason_is_valid(reasons[i]));
        assert_non_null(workflow_outcome_reason_name_zh(reasons[i]));
    }
    assert_false(workflow_outcome_reason_is_valid("lazy"));
    assert_false(workflow_outcome_reason_is_valid(NULL));
    assert_null(workflow_outcome_reason_name_zh("lazy"));

    enum case_state s;
    enum case_action a;
    enum case_outcome o;
    enum supervision_level l;
    assert_int_equal(workflow_state_parse("fixed", &s), ERR_INVALID);
    assert_int_equal(workflow_state_parse(NULL, &s), ERR_INVALID);
    assert_int_equal(workflow_state_parse("Reported", &s), ERR_INVALID);
    assert_int_equal(workflow_action_parse("delete", &a), ERR_INVALID);
    assert_int_equal(workflow_action_parse("", &a), ERR_INVALID);
    assert_int_equal(workflow_outcome_parse("fixed", &o), ERR_INVALID);
    assert_int_equal(workflow_supervision_parse("yellow", &l), ERR_INVALID);
    assert_null(workflow_state_name(CASE_STATE_COUNT));
    assert_null(workflow_state_name((enum case_state) - 1));
    assert_null(workflow_action_name(CASE_ACTION_COUNT));
    assert_null(workflow_outcome_name(OUTCOME_COUNT));
    assert_null(workflow_supervision_name(SUPERVISION_COUNT));
}

static void test_open_states(void **state)
{
    (void)state;
    static const char *const finished[] = {"rejected", "closed", "evaluated", "merged"};
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        int is_finished = 0;
        for (size_t i = 0; i < sizeof(finished) / sizeof(finished[0]); i++)
            is_finished |= strcmp(workflow_state_name((enum case_state)s), finished[i]) == 0;
        assert_int_equal(workflow_state_is_open((enum case_state)s), !is_finished);
        /* "any open case → merged": merge is allowed exactly in the open states. */
        assert_int_equal(exp_to[s][CASE_ACTION_MERGE] == CASE_STATE_MERGED, !is_finished);
    }
    assert_false(workflow_state_is_open(CASE_STATE_COUNT));
}

/* ---- every state × action ---------------------------------------------------------------- */

static void test_every_state_and_action(void **state)
{
    (void)state;
    int allowed = 0;
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        for (int a = 0; a < CASE_ACTION_COUNT; a++) {
            struct workflow_case c = case_in((enum case_state)s, (enum case_action)a);
            struct workflow_actor who = actor(first_role[a]);
            struct workflow_input in = input((enum case_action)a);
            struct workflow_result out;
            int r = apply(&c, &who, &in, &out);
            int want = exp_to[s][a];
            if (want == NO_TRANSITION) {
                if (r != ERR_INVALID_TRANSITION)
                    fail_msg("%s × %s: got %d, want invalid_transition", workflow_state_name(s),
                             workflow_action_name(a), r);
                continue;
            }
            if (r != 0)
                fail_msg("%s × %s as %s: got %d, want 0", workflow_state_name(s),
                         workflow_action_name(a), access_role_name(first_role[a]), r);
            int to = want == STAYS ? s : want == TO_PRIOR ? (int)c.state_before_suspend : want;
            if ((int)out.to != to)
                fail_msg("%s × %s: to %s, want %s", workflow_state_name(s), workflow_action_name(a),
                         workflow_state_name(out.to), workflow_state_name(to));
            allowed++;
        }
    }
    assert_int_equal(allowed, (int)(sizeof(expected_transitions) / sizeof(char *)));
}

/* ---- every action × role ----------------------------------------------------------------- */

static void test_every_action_and_role(void **state)
{
    (void)state;
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        for (int a = 0; a < CASE_ACTION_COUNT; a++) {
            if (exp_to[s][a] == NO_TRANSITION)
                continue;
            struct workflow_case c = case_in((enum case_state)s, (enum case_action)a);
            struct workflow_input in = input((enum case_action)a);
            for (int role = 0; role < ROLE_COUNT; role++) {
                struct workflow_actor who = actor((enum role)role);
                struct workflow_result out;
                int want = (exp_roles[a] >> role) & 1u ? 0 : ERR_FORBIDDEN;
                int r = apply(&c, &who, &in, &out);
                if (r != want)
                    fail_msg("%s × %s as %s: got %d, want %d", workflow_state_name(s),
                             workflow_action_name(a), access_role_name(role), r, want);
            }
            /* The system (deadline sweep) whatever its role field says. */
            struct workflow_actor sys = actor(ROLE_RESIDENT);
            struct workflow_result out;
            sys.is_system = 1;
            sys.is_reporter = sys.is_in_scope = sys.is_handling_department = 0;
            int want = (exp_system_actions & WORKFLOW_ACTION_BIT(a)) ? 0 : ERR_FORBIDDEN;
            assert_int_equal(apply(&c, &sys, &in, &out), want);
        }
    }
}

static void test_relations(void **state)
{
    (void)state;
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        for (int a = 0; a < CASE_ACTION_COUNT; a++) {
            if (exp_to[s][a] == NO_TRANSITION)
                continue;
            struct workflow_case c = case_in((enum case_state)s, (enum case_action)a);
            struct workflow_input in = input((enum case_action)a);
            for (int role = 0; role < ROLE_COUNT; role++) {
                if (!((exp_roles[a] >> role) & 1u))
                    continue;
                struct workflow_result out;
                struct workflow_actor who = actor((enum role)role);
                struct errbuf eb;

                /* Out of scope: refused for everyone but a resident, whose case it is. */
                who.is_in_scope = 0;
                assert_int_equal(apply(&c, &who, &in, &out),
                                 role == ROLE_RESIDENT ? 0 : ERR_FORBIDDEN);

                /* Not the reporter: matters to residents only. */
                who = actor((enum role)role);
                who.is_reporter = 0;
                assert_int_equal(apply_eb(&c, &who, &in, &eb),
                                 role == ROLE_RESIDENT ? ERR_FORBIDDEN : 0);

                /* Not the handling department: matters to department handlers only. */
                who = actor((enum role)role);
                who.is_handling_department = 0;
                assert_int_equal(apply_eb(&c, &who, &in, &eb),
                                 role == ROLE_DEPARTMENT_HANDLER ? ERR_FORBIDDEN : 0);
                if (role == ROLE_DEPARTMENT_HANDLER)
                    assert_non_null(strstr(eb.msg, "department"));
            }
        }
    }
    /* A grid worker escalates only from a grid's queue; staff from any level. */
    struct workflow_case c = case_in(CASE_STATE_ACCEPTED, CASE_ACTION_ESCALATE);
    struct workflow_input in = input(CASE_ACTION_ESCALATE);
    struct workflow_actor gw = actor(ROLE_GRID_WORKER);
    struct workflow_actor cs = actor(ROLE_COMMUNITY_STAFF);
    struct workflow_result out;
    for (int level = AREA_CITY; level <= AREA_GRID; level++) {
        c.queue_level = level;
        assert_int_equal(apply(&c, &gw, &in, &out), level == AREA_GRID ? 0 : ERR_FORBIDDEN);
        assert_int_equal(apply(&c, &cs, &in, &out), 0);
    }
}

/* ---- check order: action → state (409) → role (403) → fields (400) ----------------------- */

static void test_check_order(void **state)
{
    (void)state;
    struct workflow_result out;
    struct errbuf eb;

    /* Wrong state and wrong role: the state speaks first. */
    struct workflow_case c = case_in(CASE_STATE_MERGED, CASE_ACTION_ACCEPT);
    struct workflow_actor resident = actor(ROLE_RESIDENT);
    struct workflow_input in = input(CASE_ACTION_ACCEPT);
    assert_int_equal(apply_eb(&c, &resident, &in, &eb), ERR_INVALID_TRANSITION);
    assert_non_null(strstr(eb.msg, "accept"));
    assert_non_null(strstr(eb.msg, "merged"));

    /* Wrong role and missing field: the role speaks first. */
    c = case_in(CASE_STATE_REPORTED, CASE_ACTION_REJECT);
    in = input(CASE_ACTION_REJECT);
    in.reason = NULL;
    assert_int_equal(apply_eb(&c, &resident, &in, &eb), ERR_FORBIDDEN);
    struct workflow_actor staff = actor(ROLE_COMMUNITY_STAFF);
    assert_int_equal(apply_eb(&c, &staff, &in, &eb), ERR_INVALID);
    assert_string_equal(eb.msg, "field 'reason' is required for reject");

    /* Not an action at all. */
    in.action = CASE_ACTION_COUNT;
    assert_int_equal(apply_eb(&c, &staff, &in, &eb), ERR_INVALID);
    in.action = (enum case_action) - 1;
    assert_int_equal(apply_eb(&c, &staff, &in, &eb), ERR_INVALID);

    /* eb may be NULL; out is cleared on failure. */
    in = input(CASE_ACTION_REJECT);
    in.reason = "";
    memset(&out, 0xff, sizeof(out));
    assert_int_equal(workflow_apply(&c, &staff, &in, &out, NULL), ERR_INVALID);
    assert_int_equal(out.effects, 0);
    assert_int_equal(out.queue_level, 0);

    /* A role outside the enum is nobody. */
    struct workflow_actor bogus = actor(ROLE_COUNT);
    in = input(CASE_ACTION_COMMENT);
    assert_int_equal(apply(&c, &bogus, &in, &out), ERR_FORBIDDEN);
}

static void test_inconsistent_case(void **state)
{
    (void)state;
    struct workflow_actor staff = actor(ROLE_COMMUNITY_STAFF);
    struct workflow_input in = input(CASE_ACTION_COMMENT);
    struct workflow_result out;
    struct workflow_case c = case_in(CASE_STATE_REPORTED, CASE_ACTION_COMMENT);

    c.state = CASE_STATE_COUNT;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    c = case_in(CASE_STATE_REPORTED, CASE_ACTION_COMMENT);
    c.queue_level = 0;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    c.queue_level = AREA_CELL;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    c = case_in(CASE_STATE_REPORTED, CASE_ACTION_COMMENT);
    c.supervision = SUPERVISION_COUNT;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    c = case_in(CASE_STATE_REPORTED, CASE_ACTION_COMMENT);
    c.outcome = OUTCOME_COUNT;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    /* Suspended from a state that cannot be suspended. */
    c = case_in(CASE_STATE_SUSPENDED, CASE_ACTION_RESUME);
    c.state_before_suspend = CASE_STATE_CLOSED;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    assert_int_equal(workflow_allowed_actions(&c, &staff, NOW, WINDOW), 0);
    c.state_before_suspend = CASE_STATE_COUNT;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    assert_int_equal(workflow_allowed_actions(NULL, &staff, NOW, WINDOW), 0);
}

/* ---- required fields --------------------------------------------------------------------- */

/* Which string fields each action needs, written independently of workflow.c. */
static const struct {
    const char *action;
    const char *field;
} required_strings[] = {
    {"reject", "reason"},         {"return", "reason"},     {"rework", "reason"},
    {"reopen", "reason"},         {"escalate", "reason"},   {"request_extension", "reason"},
    {"deny_extension", "reason"}, {"suspend", "reason"},    {"resolve_on_site", "evidence"},
    {"answer", "text"},           {"handle", "text"},       {"comment", "text"},
    {"dispatch", "department"},   {"assign", "department"}, {"merge", "merge_into"},
};

static const char **string_field(struct workflow_input *in, const char *field)
{
    if (strcmp(field, "reason") == 0)
        return &in->reason;
    if (strcmp(field, "evidence") == 0)
        return &in->evidence;
    if (strcmp(field, "text") == 0)
        return &in->text;
    if (strcmp(field, "department") == 0)
        return &in->department;
    if (strcmp(field, "merge_into") == 0)
        return &in->merge_into;
    if (strcmp(field, "outcome_reason") == 0)
        return &in->outcome_reason;
    fail_msg("no field %s", field);
    return NULL;
}

/* The first state that allows the action, and an authorised actor there. */
static void setup_for(enum case_action a, struct workflow_case *c, struct workflow_actor *who)
{
    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        if (exp_to[s][a] != NO_TRANSITION) {
            *c = case_in((enum case_state)s, a);
            *who = actor(first_role[a]);
            return;
        }
    }
    fail_msg("no state allows %s", workflow_action_name(a));
}

static void expect_invalid(enum case_action a, const struct workflow_input *in, const char *field)
{
    struct workflow_case c;
    struct workflow_actor who;
    struct errbuf eb;
    char quoted[64];
    setup_for(a, &c, &who);
    int r = apply_eb(&c, &who, in, &eb);
    if (r != ERR_INVALID)
        fail_msg("%s: got %d, want invalid (field %s)", workflow_action_name(a), r, field);
    snprintf(quoted, sizeof(quoted), "'%s'", field);
    if (strstr(eb.msg, quoted) == NULL)
        fail_msg("%s: message '%s' does not name %s", workflow_action_name(a), eb.msg, quoted);
}

static void expect_ok(enum case_action a, const struct workflow_input *in)
{
    struct workflow_case c;
    struct workflow_actor who;
    struct errbuf eb;
    setup_for(a, &c, &who);
    int r = apply_eb(&c, &who, in, &eb);
    if (r != 0)
        fail_msg("%s: got %d (%s), want 0", workflow_action_name(a), r, eb.msg);
}

static void test_required_strings(void **state)
{
    (void)state;
    unsigned long long needs_string = 0;
    for (size_t i = 0; i < sizeof(required_strings) / sizeof(required_strings[0]); i++) {
        enum case_action a = action_of(required_strings[i].action);
        const char *field = required_strings[i].field;
        struct workflow_input in = input(a);
        needs_string |= WORKFLOW_ACTION_BIT(a);

        *string_field(&in, field) = NULL;
        expect_invalid(a, &in, field);
        *string_field(&in, field) = "";
        expect_invalid(a, &in, field);
        *string_field(&in, field) = " \t\r\n ";
        expect_invalid(a, &in, field);
        *string_field(&in, field) = "x";
        expect_ok(a, &in);
    }
    /* Actions that need no string field work with none given. */
    for (int a = 0; a < CASE_ACTION_COUNT; a++) {
        if (needs_string & WORKFLOW_ACTION_BIT(a) || a == CASE_ACTION_CLOSE)
            continue;
        struct workflow_input in = input((enum case_action)a);
        in.reason = in.evidence = in.text = in.department = in.merge_into = NULL;
        expect_ok((enum case_action)a, &in);
    }
}

static void test_field_bounds(void **state)
{
    (void)state;
    static char long_text[WORKFLOW_TEXT_MAX + 2];
    struct workflow_input in;

    /* Text bounds: exactly the maximum passes, one more byte fails, used or not. */
    memset(long_text, 'x', WORKFLOW_TEXT_MAX);
    long_text[WORKFLOW_TEXT_MAX] = '\0';
    in = input(CASE_ACTION_REJECT);
    in.reason = long_text;
    expect_ok(CASE_ACTION_REJECT, &in);
    long_text[WORKFLOW_TEXT_MAX] = 'x';
    long_text[WORKFLOW_TEXT_MAX + 1] = '\0';
    expect_invalid(CASE_ACTION_REJECT, &in, "reason");
    in = input(CASE_ACTION_ACCEPT);
    in.text = long_text;
    expect_invalid(CASE_ACTION_ACCEPT, &in, "text");
    char code[WORKFLOW_CASE_NUMBER_MAX + DEPARTMENT_MAX + 2];
    in = input(CASE_ACTION_DISPATCH);
    memset(code, '7', sizeof(code));
    code[DEPARTMENT_MAX + 1] = '\0';
    in.department = code;
    expect_invalid(CASE_ACTION_DISPATCH, &in, "department");
    code[DEPARTMENT_MAX] = '\0';
    expect_ok(CASE_ACTION_DISPATCH, &in);
    in = input(CASE_ACTION_MERGE);
    memset(code, '7', sizeof(code));
    code[WORKFLOW_CASE_NUMBER_MAX + 1] = '\0';
    in.merge_into = code;
    expect_invalid(CASE_ACTION_MERGE, &in, "merge_into");
    code[WORKFLOW_CASE_NUMBER_MAX] = '\0';
    expect_ok(CASE_ACTION_MERGE, &in);

    /* Rating 1..5. */
    static const int bad_ratings[] = {0, 6, -1, 100};
    for (size_t i = 0; i < sizeof(bad_ratings) / sizeof(bad_ratings[0]); i++) {
        in = input(CASE_ACTION_EVALUATE);
        in.rating = bad_ratings[i];
        expect_invalid(CASE_ACTION_EVALUATE, &in, "rating");
    }
    for (int rating = 1; rating <= 5; rating++) {
        in = input(CASE_ACTION_EVALUATE);
        in.rating = rating;
        expect_ok(CASE_ACTION_EVALUATE, &in);
    }

    /* Extension days: request 1..30; approval 0 (as asked) or 1..30. */
    static const struct {
        int days, request_ok, approve_ok;
    } days[] = {{-1, 0, 0}, {0, 0, 1}, {1, 1, 1}, {30, 1, 1}, {31, 0, 0}, {365, 0, 0}};
    for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
        in = input(CASE_ACTION_REQUEST_EXTENSION);
        in.extension_days = days[i].days;
        if (days[i].request_ok)
            expect_ok(CASE_ACTION_REQUEST_EXTENSION, &in);
        else
            expect_invalid(CASE_ACTION_REQUEST_EXTENSION, &in, "extension_days");
        in.action = CASE_ACTION_APPROVE_EXTENSION;
        if (days[i].approve_ok)
            expect_ok(CASE_ACTION_APPROVE_EXTENSION, &in);
        else
            expect_invalid(CASE_ACTION_APPROVE_EXTENSION, &in, "extension_days");
    }

    /* Supervision: a level, not "none" or out of range. */
    in = input(CASE_ACTION_SUPERVISE);
    in.supervision = SUPERVISION_NONE;
    expect_invalid(CASE_ACTION_SUPERVISE, &in, "supervision");
    in.supervision = SUPERVISION_COUNT;
    expect_invalid(CASE_ACTION_SUPERVISE, &in, "supervision");
    for (int l = SUPERVISION_NORMAL; l <= SUPERVISION_RED; l++) {
        in.supervision = (enum supervision_level)l;
        expect_ok(CASE_ACTION_SUPERVISE, &in);
    }
}

static void test_close_outcome(void **state)
{
    (void)state;
    struct workflow_input in = input(CASE_ACTION_CLOSE);

    in.outcome = OUTCOME_NONE;
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome");
    in.outcome = OUTCOME_COUNT;
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome");
    in.outcome = (enum case_outcome) - 1;
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome");

    in.outcome = OUTCOME_NOT_RESOLVED;
    in.outcome_reason = NULL;
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome_reason");
    in.outcome_reason = "";
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome_reason");
    in.outcome_reason = "too_hard";
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome_reason");
    in.outcome_reason = "Outside_Jurisdiction";
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome_reason");
    in.outcome_reason = "outside_jurisdiction_and_then_some_more_bytes";
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome_reason");

    static const char *const reasons[] = {"outside_jurisdiction", "not_feasible",
                                          "resident_unreachable", "duplicate", "other"};
    for (size_t i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++) {
        in.outcome_reason = reasons[i];
        in.reason = NULL;
        if (strcmp(reasons[i], "other") == 0)
            expect_invalid(CASE_ACTION_CLOSE, &in, "reason");
        else
            expect_ok(CASE_ACTION_CLOSE, &in);
        in.reason = "the budget for this is next year's";
        expect_ok(CASE_ACTION_CLOSE, &in);
    }

    /* A reason code with an outcome that needs none would be stored as a lie. */
    in.outcome = OUTCOME_RESOLVED;
    in.outcome_reason = "not_feasible";
    expect_invalid(CASE_ACTION_CLOSE, &in, "outcome_reason");
    in.outcome_reason = NULL;
    expect_ok(CASE_ACTION_CLOSE, &in);
    in.outcome = OUTCOME_ANSWERED;
    expect_ok(CASE_ACTION_CLOSE, &in);
}

/* ---- outcomes and effects ---------------------------------------------------------------- */

static void test_outcomes(void **state)
{
    (void)state;
    struct workflow_result out;
    struct workflow_case c = case_in(CASE_STATE_REPORTED, CASE_ACTION_RESOLVE_ON_SITE);
    struct workflow_actor gw = actor(ROLE_GRID_WORKER);
    struct workflow_actor staff = actor(ROLE_DISPATCHER);
    struct workflow_actor resident = actor(ROLE_RESIDENT);
    struct workflow_input in = input(CASE_ACTION_RESOLVE_ON_SITE);

    assert_int_equal(apply(&c, &gw, &in, &out), 0);
    assert_int_equal(out.outcome, OUTCOME_RESOLVED);
    assert_true(out.effects & WORKFLOW_EFFECT_CLEAR_DEADLINE);
    assert_true(out.effects & WORKFLOW_EFFECT_NOTIFY_REPORTER);

    in = input(CASE_ACTION_ANSWER);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.to, CASE_STATE_ANSWERED);
    assert_int_equal(out.outcome, OUTCOME_ANSWERED);

    /* Rejected is not an outcome: nothing was done. */
    in = input(CASE_ACTION_REJECT);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.outcome, OUTCOME_NONE);

    /* Close records what happened, not "fixed". */
    c = case_in(CASE_STATE_VERIFIED, CASE_ACTION_CLOSE);
    c.closed_ms = 0;
    in = input(CASE_ACTION_CLOSE);
    in.outcome = OUTCOME_NOT_RESOLVED;
    in.outcome_reason = "resident_unreachable";
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.to, CASE_STATE_CLOSED);
    assert_int_equal(out.outcome, OUTCOME_NOT_RESOLVED);
    assert_int_equal(out.closed_ms, NOW);
    assert_true(out.effects & WORKFLOW_EFFECT_SET_OUTCOME_REASON);

    /* Reopening voids the outcome and counts. */
    c = case_in(CASE_STATE_CLOSED, CASE_ACTION_REOPEN);
    c.outcome = OUTCOME_RESOLVED;
    c.reopen_count = 2;
    in = input(CASE_ACTION_REOPEN);
    assert_int_equal(apply(&c, &resident, &in, &out), 0);
    assert_int_equal(out.to, CASE_STATE_REOPENED);
    assert_int_equal(out.outcome, OUTCOME_NONE);
    assert_int_equal(out.reopen_count, 3);
    assert_int_equal(out.closed_ms, c.closed_ms);
    assert_true(out.effects & WORKFLOW_EFFECT_CLEAR_OUTCOME_REASON);
    assert_true(out.effects & WORKFLOW_EFFECT_NEW_DEADLINE);

    /* Actions that do not touch the outcome keep it. */
    c = case_in(CASE_STATE_CLOSED, CASE_ACTION_COMMENT);
    c.outcome = OUTCOME_ANSWERED;
    in = input(CASE_ACTION_COMMENT);
    assert_int_equal(apply(&c, &resident, &in, &out), 0);
    assert_int_equal(out.outcome, OUTCOME_ANSWERED);
    assert_int_equal(out.to, CASE_STATE_CLOSED);
    assert_int_equal(out.effects, 0);
}

static void test_effects(void **state)
{
    (void)state;
    struct workflow_result out;
    struct workflow_actor staff = actor(ROLE_DISPATCHER);
    struct workflow_actor dept = actor(ROLE_DEPARTMENT_HANDLER);
    struct workflow_actor leader = actor(ROLE_LEADER);
    struct workflow_case c;
    struct workflow_input in;

    c = case_in(CASE_STATE_ACCEPTED, CASE_ACTION_DISPATCH);
    in = input(CASE_ACTION_DISPATCH);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_SET_DEPARTMENT | WORKFLOW_EFFECT_NEW_DEADLINE |
                                      WORKFLOW_EFFECT_NOTIFY_UNIT);

    c = case_in(CASE_STATE_IN_PROGRESS, CASE_ACTION_RETURN);
    in = input(CASE_ACTION_RETURN);
    assert_int_equal(apply(&c, &dept, &in, &out), 0);
    assert_int_equal(out.to, CASE_STATE_ACCEPTED);
    assert_true(out.effects & WORKFLOW_EFFECT_CLEAR_DEPARTMENT);
    assert_true(out.effects & WORKFLOW_EFFECT_NOTIFY_QUEUE);

    c = case_in(CASE_STATE_HANDLED, CASE_ACTION_REWORK);
    in = input(CASE_ACTION_REWORK);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_NEW_DEADLINE | WORKFLOW_EFFECT_NOTIFY_UNIT);

    /* Urging reaches whoever holds the case. */
    c = case_in(CASE_STATE_IN_PROGRESS, CASE_ACTION_URGE);
    in = input(CASE_ACTION_URGE);
    assert_int_equal(apply(&c, &leader, &in, &out), 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_NOTIFY_UNIT);
    c = case_in(CASE_STATE_REPORTED, CASE_ACTION_URGE);
    assert_int_equal(apply(&c, &leader, &in, &out), 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_NOTIFY_QUEUE);

    /* Supervision level is recorded, and kept by other actions. */
    c = case_in(CASE_STATE_DISPATCHED, CASE_ACTION_SUPERVISE);
    in = input(CASE_ACTION_SUPERVISE);
    in.supervision = SUPERVISION_RED;
    assert_int_equal(apply(&c, &leader, &in, &out), 0);
    assert_int_equal(out.supervision, SUPERVISION_RED);
    assert_int_equal(out.to, CASE_STATE_DISPATCHED);
    c.supervision = SUPERVISION_RED;
    in = input(CASE_ACTION_START);
    assert_int_equal(apply(&c, &dept, &in, &out), 0);
    assert_int_equal(out.supervision, SUPERVISION_RED);
    assert_int_equal(out.effects, 0);

    /* Reassigning a dispatched case restarts the clock for the new unit; before dispatch it
     * only records the unit. */
    c = case_in(CASE_STATE_DISPATCHED, CASE_ACTION_ASSIGN);
    in = input(CASE_ACTION_ASSIGN);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_SET_DEPARTMENT | WORKFLOW_EFFECT_NEW_DEADLINE |
                                      WORKFLOW_EFFECT_NOTIFY_UNIT);
    c = case_in(CASE_STATE_ACCEPTED, CASE_ACTION_ASSIGN);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_SET_DEPARTMENT);

    c = case_in(CASE_STATE_DISPATCHED, CASE_ACTION_MERGE);
    in = input(CASE_ACTION_MERGE);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_true(out.effects & WORKFLOW_EFFECT_SET_MERGED_INTO);
    assert_true(out.effects & WORKFLOW_EFFECT_CLEAR_DEADLINE);
    assert_true(out.effects & WORKFLOW_EFFECT_NOTIFY_UNIT);
}

/* ---- escalation ladder ------------------------------------------------------------------- */

static void test_escalation_ladder(void **state)
{
    (void)state;
    struct workflow_case c = case_in(CASE_STATE_ACCEPTED, CASE_ACTION_ESCALATE);
    struct workflow_actor staff = actor(ROLE_ADMIN);
    struct workflow_input in = input(CASE_ACTION_ESCALATE);
    struct workflow_result out;
    struct errbuf eb;

    assert_int_equal(c.queue_level, AREA_GRID);
    for (int level = AREA_GRID; level > AREA_PROVINCE; level--) {
        assert_int_equal(apply(&c, &staff, &in, &out), 0);
        assert_int_equal(out.queue_level, level - 1);
        assert_int_equal(out.to, CASE_STATE_ACCEPTED);
        assert_true(out.effects & WORKFLOW_EFFECT_NEW_DEADLINE);
        assert_true(out.effects & WORKFLOW_EFFECT_NOTIFY_QUEUE);
        c.queue_level = out.queue_level;
    }
    assert_int_equal(c.queue_level, AREA_PROVINCE);
    assert_int_equal(apply_eb(&c, &staff, &in, &eb), ERR_INVALID_TRANSITION);
    assert_non_null(strstr(eb.msg, "province"));
    assert_false(workflow_allowed_actions(&c, &staff, NOW, WINDOW) &
                 WORKFLOW_ACTION_BIT(CASE_ACTION_ESCALATE));

    /* Reason is required. */
    c.queue_level = AREA_STREET;
    in.reason = NULL;
    expect_invalid(CASE_ACTION_ESCALATE, &in, "reason");

    /* A case the department holds goes back to accepted at the level above, department
     * cleared and told; a reported case stays reported. */
    static const enum case_state from[] = {CASE_STATE_DISPATCHED, CASE_STATE_IN_PROGRESS,
                                           CASE_STATE_REWORK};
    in = input(CASE_ACTION_ESCALATE);
    for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
        c = case_in(from[i], CASE_ACTION_ESCALATE);
        c.queue_level = AREA_STREET;
        c.has_pending_extension = from[i] == CASE_STATE_IN_PROGRESS;
        assert_int_equal(apply(&c, &staff, &in, &out), 0);
        assert_int_equal(out.to, CASE_STATE_ACCEPTED);
        assert_int_equal(out.queue_level, AREA_DISTRICT);
        assert_int_equal(out.has_pending_extension, 0);
        assert_true(out.effects & WORKFLOW_EFFECT_CLEAR_DEPARTMENT);
        assert_true(out.effects & WORKFLOW_EFFECT_NOTIFY_UNIT);
    }
    c = case_in(CASE_STATE_REPORTED, CASE_ACTION_ESCALATE);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.to, CASE_STATE_REPORTED);
    assert_int_equal(out.queue_level, AREA_COMMUNITY);
    assert_false(out.effects & WORKFLOW_EFFECT_NOTIFY_UNIT);

    /* The deadline sweep escalates from any level. */
    struct workflow_actor sys = actor(ROLE_RESIDENT);
    sys.is_system = 1;
    c = case_in(CASE_STATE_DISPATCHED, CASE_ACTION_ESCALATE);
    c.queue_level = AREA_CITY;
    assert_int_equal(apply(&c, &sys, &in, &out), 0);
    assert_int_equal(out.queue_level, AREA_PROVINCE);
}

/* ---- reopen window and ratings ----------------------------------------------------------- */

static void test_reopen_window(void **state)
{
    (void)state;
    struct workflow_actor resident = actor(ROLE_RESIDENT);
    struct workflow_input in = input(CASE_ACTION_REOPEN);
    struct workflow_result out;
    static const enum case_state from[] = {CASE_STATE_CLOSED, CASE_STATE_EVALUATED};

    for (size_t i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
        struct workflow_case c = case_in(from[i], CASE_ACTION_REOPEN);
        c.closed_ms = NOW - WINDOW; /* exactly at the edge: still inside */
        assert_int_equal(apply(&c, &resident, &in, &out), 0);
        assert_int_equal(out.to, CASE_STATE_REOPENED);
        c.closed_ms = NOW - WINDOW - 1;
        assert_int_equal(apply(&c, &resident, &in, &out), ERR_INVALID_TRANSITION);
        assert_false(workflow_allowed_actions(&c, &resident, NOW, WINDOW) &
                     WORKFLOW_ACTION_BIT(CASE_ACTION_REOPEN));
        c.closed_ms = NOW + 5000; /* clock behind the close time */
        assert_int_equal(apply(&c, &resident, &in, &out), 0);
        c.closed_ms = 0; /* never closed: nothing to reopen */
        assert_int_equal(apply(&c, &resident, &in, &out), ERR_INVALID_TRANSITION);
        c.closed_ms = NOW - 1;
        in.reopen_window_ms = 0;
        assert_int_equal(apply(&c, &resident, &in, &out), ERR_INVALID_TRANSITION);
        in.reopen_window_ms = -1;
        assert_int_equal(apply(&c, &resident, &in, &out), ERR_INVALID_TRANSITION);
        in.reopen_window_ms = WINDOW;
        /* Another resident may not; staff may, on the resident's behalf. */
        struct workflow_actor other = actor(ROLE_RESIDENT);
        other.is_reporter = 0;
        assert_int_equal(apply(&c, &other, &in, &out), ERR_FORBIDDEN);
        struct workflow_actor staff = actor(ROLE_COMMUNITY_STAFF);
        assert_int_equal(apply(&c, &staff, &in, &out), 0);
        struct workflow_actor gw = actor(ROLE_GRID_WORKER);
        assert_int_equal(apply(&c, &gw, &in, &out), ERR_FORBIDDEN);
    }
}

static void test_ratings(void **state)
{
    (void)state;
    struct workflow_actor resident = actor(ROLE_RESIDENT);
    struct workflow_result out;

    for (int rating = 1; rating <= 5; rating++) {
        struct workflow_case c = case_in(CASE_STATE_CLOSED, CASE_ACTION_EVALUATE);
        struct workflow_input in = input(CASE_ACTION_EVALUATE);
        c.outcome = OUTCOME_RESOLVED;
        in.rating = rating;
        assert_int_equal(apply(&c, &resident, &in, &out), 0);
        assert_true(out.effects & WORKFLOW_EFFECT_RECORD_RATING);
        if (rating <= 2) {
            assert_int_equal(out.to, CASE_STATE_REOPENED);
            assert_true(out.effects & WORKFLOW_EFFECT_REOPENED_BY_RATING);
            assert_true(out.effects & WORKFLOW_EFFECT_NEW_DEADLINE);
            assert_int_equal(out.outcome, OUTCOME_NONE);
            assert_int_equal(out.reopen_count, 1);
        } else {
            assert_int_equal(out.to, CASE_STATE_EVALUATED);
            assert_false(out.effects & WORKFLOW_EFFECT_REOPENED_BY_RATING);
            assert_int_equal(out.outcome, OUTCOME_RESOLVED);
            assert_int_equal(out.reopen_count, 0);
        }
        /* After the window a low rating still counts but does not reopen. */
        c.closed_ms = NOW - WINDOW - 1;
        assert_int_equal(apply(&c, &resident, &in, &out), 0);
        assert_int_equal(out.to, CASE_STATE_EVALUATED);
        assert_false(out.effects & WORKFLOW_EFFECT_REOPENED_BY_RATING);
    }
    /* Only the reporter rates; nobody rates twice. */
    struct workflow_case c = case_in(CASE_STATE_CLOSED, CASE_ACTION_EVALUATE);
    struct workflow_input in = input(CASE_ACTION_EVALUATE);
    struct workflow_actor other = actor(ROLE_RESIDENT);
    other.is_reporter = 0;
    assert_int_equal(apply(&c, &other, &in, &out), ERR_FORBIDDEN);
    struct workflow_actor staff = actor(ROLE_DISPATCHER);
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_FORBIDDEN);
    c.state = CASE_STATE_EVALUATED;
    assert_int_equal(apply(&c, &resident, &in, &out), ERR_INVALID_TRANSITION);
}

/* ---- suspend and resume ------------------------------------------------------------------ */

static void test_suspend_resume(void **state)
{
    (void)state;
    struct workflow_actor staff = actor(ROLE_COMMUNITY_STAFF);
    struct workflow_result out;
    int suspendable = 0;

    for (int s = 0; s < CASE_STATE_COUNT; s++) {
        if (exp_to[s][CASE_ACTION_SUSPEND] != CASE_STATE_SUSPENDED)
            continue;
        suspendable++;
        struct workflow_case c = case_in((enum case_state)s, CASE_ACTION_SUSPEND);
        c.supervision = SUPERVISION_YELLOW;
        c.queue_level = AREA_STREET;
        struct workflow_input in = input(CASE_ACTION_SUSPEND);
        assert_int_equal(apply(&c, &staff, &in, &out), 0);
        assert_int_equal(out.to, CASE_STATE_SUSPENDED);
        assert_int_equal(out.state_before_suspend, s);
        assert_true(out.effects & WORKFLOW_EFFECT_PAUSE_CLOCK);

        struct workflow_case held = c;
        held.state = out.to;
        held.state_before_suspend = out.state_before_suspend;
        in = input(CASE_ACTION_RESUME);
        in.reason = NULL;
        assert_int_equal(apply(&held, &staff, &in, &out), 0);
        assert_int_equal(out.to, s);
        assert_int_equal(out.queue_level, AREA_STREET);
        assert_int_equal(out.supervision, SUPERVISION_YELLOW);
        assert_true(out.effects & WORKFLOW_EFFECT_RESUME_CLOCK);

        /* Suspending needs a reason. */
        in = input(CASE_ACTION_SUSPEND);
        in.reason = NULL;
        assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID);
    }
    assert_int_equal(suspendable, 5); /* accepted, dispatched, in_progress, rework, reopened */
}

/* ---- extensions -------------------------------------------------------------------------- */

static void test_extensions(void **state)
{
    (void)state;
    struct workflow_actor dept = actor(ROLE_DEPARTMENT_HANDLER);
    struct workflow_actor staff = actor(ROLE_DISPATCHER);
    struct workflow_result out;
    struct workflow_case c = case_in(CASE_STATE_IN_PROGRESS, CASE_ACTION_REQUEST_EXTENSION);
    struct workflow_input in = input(CASE_ACTION_REQUEST_EXTENSION);

    /* Nothing pending: approve and deny are refused. */
    in.action = CASE_ACTION_APPROVE_EXTENSION;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID_TRANSITION);
    in.action = CASE_ACTION_DENY_EXTENSION;
    assert_int_equal(apply(&c, &staff, &in, &out), ERR_INVALID_TRANSITION);

    in = input(CASE_ACTION_REQUEST_EXTENSION);
    in.extension_days = 7;
    assert_int_equal(apply(&c, &dept, &in, &out), 0);
    assert_int_equal(out.has_pending_extension, 1);
    assert_int_equal(out.extension_days, 7);
    assert_int_equal(out.to, CASE_STATE_IN_PROGRESS);
    assert_true(out.effects & WORKFLOW_EFFECT_NOTIFY_QUEUE);

    c.has_pending_extension = 1;
    assert_int_equal(apply(&c, &dept, &in, &out), ERR_INVALID_TRANSITION); /* one at a time */

    in = input(CASE_ACTION_APPROVE_EXTENSION);
    in.extension_days = 0;
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.has_pending_extension, 0);
    assert_int_equal(out.extension_days, 0);
    assert_int_equal(out.effects, WORKFLOW_EFFECT_EXTEND_DEADLINE | WORKFLOW_EFFECT_NOTIFY_UNIT);
    in.extension_days = 3; /* granted fewer than asked */
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.extension_days, 3);

    in = input(CASE_ACTION_DENY_EXTENSION);
    assert_int_equal(apply(&c, &staff, &in, &out), 0);
    assert_int_equal(out.has_pending_extension, 0);
    assert_false(out.effects & WORKFLOW_EFFECT_EXTEND_DEADLINE);
    in.reason = NULL;
    expect_invalid(CASE_ACTION_DENY_EXTENSION, &in, "reason");

    /* The department may not approve its own request. */
    in = input(CASE_ACTION_APPROVE_EXTENSION);
    assert_int_equal(apply(&c, &dept, &in, &out), ERR_FORBIDDEN);

    /* Leaving in_progress drops a pending request; comment keeps it. */
    in = input(CASE_ACTION_HANDLE);
    assert_int_equal(apply(&c, &dept, &in, &out), 0);
    assert_int_equal(out.has_pending_extension, 0);
    in = input(CASE_ACTION_COMMENT);
    assert_int_equal(apply(&c, &dept, &in, &out), 0);
    assert_int_equal(out.has_pending_extension, 1);
}

/* ---- property: allowed_actions agrees with apply ------------------------------------------ */

static void test_allowed_actions_agree(void **state)
{
    (void)state;
    static const int levels[] = {AREA_PROVINCE, AREA_DISTRICT, AREA_COMMUNITY, AREA_GRID};
    static const int64_t closed[] = {0, NOW - 1000, NOW - WINDOW - 1};
    long checked = 0;

    for (int s = 0; s < CASE_STATE_COUNT; s++)
        for (size_t li = 0; li < sizeof(levels) / sizeof(levels[0]); li++)
            for (int pending = 0; pending <= 1; pending++)
                for (size_t ci = 0; ci < sizeof(closed) / sizeof(closed[0]); ci++)
                    for (int role = 0; role <= ROLE_COUNT; role++) /* ROLE_COUNT: system */
                        for (int rel = 0; rel < 8; rel++) {
                            struct workflow_case c = case_in((enum case_state)s, 0);
                            struct workflow_actor who =
                                actor(role == ROLE_COUNT ? ROLE_LEADER : (enum role)role);
                            c.queue_level = levels[li];
                            c.has_pending_extension = pending;
                            c.closed_ms = closed[ci];
                            c.state_before_suspend = CASE_STATE_DISPATCHED;
                            who.is_system = role == ROLE_COUNT;
                            who.is_reporter = rel & 1;
                            who.is_handling_department = (rel >> 1) & 1;
                            who.is_in_scope = (rel >> 2) & 1;
                            unsigned long long mask =
                                workflow_allowed_actions(&c, &who, NOW, WINDOW);
                            for (int a = 0; a < CASE_ACTION_COUNT; a++) {
                                struct workflow_input in = input((enum case_action)a);
                                struct workflow_result out;
                                int r = apply(&c, &who, &in, &out);
                                int offered = (mask & WORKFLOW_ACTION_BIT(a)) != 0;
                                if (offered != (r == 0))
                                    fail_msg("%s × %s role %d rel %d: offered %d, apply %d",
                                             workflow_state_name(s), workflow_action_name(a), role,
                                             rel, offered, r);
                                if (r != 0 && r != ERR_INVALID_TRANSITION && r != ERR_FORBIDDEN)
                                    fail_msg("%s × %s: unexpected error %d", workflow_state_name(s),
                                             workflow_action_name(a), r);
                                /* Refused in this state whoever asks: 409, not 403. */
                                if (exp_to[s][a] == NO_TRANSITION)
                                    assert_int_equal(r, ERR_INVALID_TRANSITION);
                                checked++;
                            }
                        }
    assert_true(checked > 100000);
    assert_int_equal(workflow_allowed_actions(NULL, NULL, NOW, WINDOW), 0);
}

/* ---- the happy path ---------------------------------------------------------------------- */

static void step(struct workflow_case *c, const struct workflow_actor *who, enum case_action action,
                 enum case_state want)
{
    struct workflow_input in = input(action);
    struct workflow_result out;
    struct errbuf eb;
    int r;
    errbuf_clear(&eb);
    if (action == CASE_ACTION_EVALUATE)
        in.rating = 4;
    r = workflow_apply(c, who, &in, &out, &eb);
    if (r != 0)
        fail_msg("%s from %s: %d %s", workflow_action_name(action), workflow_state_name(c->state),
                 r, eb.msg);
    assert_int_equal(out.to, want);
    c->state = out.to;
    c->state_before_suspend = out.state_before_suspend;
    c->queue_level = out.queue_level;
    c->has_pending_extension = out.has_pending_extension;
    c->supervision = out.supervision;
    c->outcome = out.outcome;
    c->closed_ms = out.closed_ms;
    c->reopen_count = out.reopen_count;
}

static void test_happy_path(void **state)
{
    (void)state;
    struct workflow_case c = case_in(CASE_STATE_REPORTED, 0);
    struct workflow_actor resident = actor(ROLE_RESIDENT);
    struct workflow_actor staff = actor(ROLE_COMMUNITY_STAFF);
    struct workflow_actor dispatcher = actor(ROLE_DISPATCHER);
    struct workflow_actor dept = actor(ROLE_DEPARTMENT_HANDLER);
    struct workflow_actor gw = actor(ROLE_GRID_WORKER);
    c.closed_ms = 0;

    step(&c, &staff, CASE_ACTION_ACCEPT, CASE_STATE_ACCEPTED);
    step(&c, &dispatcher, CASE_ACTION_DISPATCH, CASE_STATE_DISPATCHED);
    step(&c, &dept, CASE_ACTION_START, CASE_STATE_IN_PROGRESS);
    step(&c, &dept, CASE_ACTION_HANDLE, CASE_STATE_HANDLED);
    step(&c, &gw, CASE_ACTION_REWORK, CASE_STATE_REWORK);
    step(&c, &dept, CASE_ACTION_START, CASE_STATE_IN_PROGRESS);
    step(&c, &dept, CASE_ACTION_HANDLE, CASE_STATE_HANDLED);
    step(&c, &gw, CASE_ACTION_VERIFY, CASE_STATE_VERIFIED);
    assert_int_equal(c.outcome, OUTCOME_NONE);
    step(&c, &dispatcher, CASE_ACTION_CLOSE, CASE_STATE_CLOSED);
    assert_int_equal(c.outcome, OUTCOME_RESOLVED);
    assert_int_equal(c.closed_ms, NOW);
    step(&c, &resident, CASE_ACTION_EVALUATE, CASE_STATE_EVALUATED);
    assert_int_equal(c.queue_level, AREA_GRID);
    assert_int_equal(c.reopen_count, 0);
    assert_false(workflow_state_is_open(c.state));

    /* And the unhappy one: a 1-star rating sends it round again. */
    c = case_in(CASE_STATE_VERIFIED, 0);
    c.closed_ms = 0;
    step(&c, &dispatcher, CASE_ACTION_CLOSE, CASE_STATE_CLOSED);
    {
        struct workflow_input in = input(CASE_ACTION_EVALUATE);
        struct workflow_result out;
        in.rating = 1;
        assert_int_equal(apply(&c, &resident, &in, &out), 0);
        assert_int_equal(out.to, CASE_STATE_REOPENED);
        c.state = out.to;
        c.outcome = out.outcome;
    }
    step(&c, &staff, CASE_ACTION_DISPATCH, CASE_STATE_DISPATCHED);
    step(&c, &dept, CASE_ACTION_RETURN, CASE_STATE_ACCEPTED);
    step(&c, &gw, CASE_ACTION_ESCALATE, CASE_STATE_ACCEPTED);
    assert_int_equal(c.queue_level, AREA_COMMUNITY);
    step(&c, &staff, CASE_ACTION_ANSWER, CASE_STATE_ANSWERED);
    assert_int_equal(c.outcome, OUTCOME_ANSWERED);
    step(&c, &staff, CASE_ACTION_CLOSE, CASE_STATE_CLOSED);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_open_states),
        cmocka_unit_test(test_every_state_and_action),
        cmocka_unit_test(test_every_action_and_role),
        cmocka_unit_test(test_relations),
        cmocka_unit_test(test_check_order),
        cmocka_unit_test(test_inconsistent_case),
        cmocka_unit_test(test_required_strings),
        cmocka_unit_test(test_field_bounds),
        cmocka_unit_test(test_close_outcome),
        cmocka_unit_test(test_outcomes),
        cmocka_unit_test(test_effects),
        cmocka_unit_test(test_escalation_ladder),
        cmocka_unit_test(test_reopen_window),
        cmocka_unit_test(test_ratings),
        cmocka_unit_test(test_suspend_resume),
        cmocka_unit_test(test_extensions),
        cmocka_unit_test(test_allowed_actions_agree),
        cmocka_unit_test(test_happy_path),
    };
    return cmocka_run_group_tests(tests, setup_tables, NULL);
}
