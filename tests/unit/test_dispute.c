/*
 * test_dispute.c - the dispute state machine: every state × action, every action × role, the
 * mediator-assignment and scope rules, required fields, the conditions beyond the table, the
 * escalation ladder, initial levels, outcomes, and the property that dispute_allowed_actions()
 * offers exactly what dispute_apply() accepts.
 *
 * Expected transitions and roles are written here as text, independently of dispute.c's tables.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/access.h"
#include "domain/areacode.h"
#include "domain/dispute.h"

#include <stdio.h>
#include <string.h>

/* "from action to" ("=" stays); every pair not listed must be ERR_INVALID_TRANSITION. */
static const char *const expected_transitions[] = {
    "registered accept accepted",
    "registered assign_mediator =",
    "registered escalate =",
    "registered refer referred",
    "registered withdraw withdrawn",
    "registered comment =",

    "accepted start_mediation mediating",
    "accepted assign_mediator =",
    "accepted escalate =",
    "accepted refer referred",
    "accepted withdraw withdrawn",
    "accepted comment =",

    "mediating record_session =",
    "mediating assign_mediator =",
    "mediating reach_agreement agreed",
    "mediating conclude concluded",
    "mediating refer referred",
    "mediating withdraw withdrawn",
    "mediating escalate accepted",
    "mediating comment =",

    "agreed follow_up =",
    "agreed reopen mediating",
    "agreed comment =",

    "concluded follow_up =",
    "concluded reopen mediating",
    "concluded comment =",

    "referred follow_up =",
    "referred comment =",

    "withdrawn comment =",
};

/* "action role role ..." */
static const char *const expected_roles[] = {
    "accept community_staff station_cadre dispatcher mediator admin",
    "assign_mediator community_staff station_cadre dispatcher admin",
    "start_mediation mediator community_staff admin",
    "record_session mediator community_staff admin",
    "reach_agreement mediator community_staff admin",
    "conclude mediator community_staff admin",
    "refer mediator community_staff dispatcher admin",
    "withdraw mediator community_staff dispatcher admin",
    "reopen mediator community_staff dispatcher admin",
    "escalate mediator community_staff station_cadre dispatcher admin",
    "follow_up grid_worker mediator community_staff admin",
    "comment grid_worker community_staff station_cadre dispatcher mediator leader admin",
};

/* Actions for which a mediator must be assigned. */
static const char *const assigned_only = " start_mediation record_session reach_agreement "
                                         "conclude refer withdraw reopen escalate ";

/* Valid fields for any action. */
static struct dispute_input valid_input(enum dispute_action action)
{
    struct dispute_input in = {.action = action,
                               .text = "notes",
                               .reason = "because",
                               .referral = "court",
                               .mediator_role = "judge",
                               .mediator_name = "王法官"};
    return in;
}

/* Facts that satisfy every condition beyond the table. */
static struct dispute_facts good_facts(enum dispute_state s)
{
    struct dispute_facts f = {.state = s,
                              .level = AREA_COMMUNITY,
                              .mediator_count = 1,
                              .session_count = 1,
                              .outcome = DISPUTE_OUTCOME_NONE};
    return f;
}

static const char *expected_to(const char *state, const char *action)
{
    static char to[32];
    char buf[96];

    for (size_t i = 0; i < sizeof(expected_transitions) / sizeof(expected_transitions[0]); i++) {
        char f[32], a[32];
        snprintf(buf, sizeof(buf), "%s", expected_transitions[i]);
        if (sscanf(buf, "%31s %31s %31s", f, a, to) == 3 && strcmp(f, state) == 0 &&
            strcmp(a, action) == 0)
            return to;
    }
    return NULL;
}

static int role_expected(const char *action, const char *role)
{
    char needle[48];

    for (size_t i = 0; i < sizeof(expected_roles) / sizeof(expected_roles[0]); i++) {
        size_t n = strlen(action);
        if (strncmp(expected_roles[i], action, n) == 0 && expected_roles[i][n] == ' ') {
            char line[160];
            snprintf(line, sizeof(line), "%s ", expected_roles[i] + n);
            snprintf(needle, sizeof(needle), " %s ", role);
            return strstr(line, needle) != NULL;
        }
    }
    return 0;
}

static void test_every_state_action(void **state)
{
    (void)state;
    struct dispute_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    int pairs = 0;

    for (int s = 0; s < DISPUTE_STATE_COUNT; s++) {
        for (int a = 0; a < DISPUTE_ACTION_COUNT; a++) {
            struct dispute_facts f = good_facts((enum dispute_state)s);
            struct dispute_input in = valid_input((enum dispute_action)a);
            struct dispute_result out;
            struct errbuf eb = {{0}};
            const char *sn = dispute_state_name((enum dispute_state)s);
            const char *an = dispute_action_name((enum dispute_action)a);
            const char *to = expected_to(sn, an);
            int r = dispute_apply(&f, &admin, &in, &out, &eb);

            if (to == NULL) {
                if (r != ERR_INVALID_TRANSITION)
                    fail_msg("%s × %s: expected invalid_transition, got %d", sn, an, r);
                continue;
            }
            pairs++;
            if (r != 0)
                fail_msg("%s × %s: expected success, got %d (%s)", sn, an, r, eb.msg);
            assert_string_equal(dispute_state_name(out.to), strcmp(to, "=") == 0 ? sn : to);
        }
    }
    assert_int_equal(pairs, (int)(sizeof(expected_transitions) / sizeof(expected_transitions[0])));
}

static void test_every_action_role(void **state)
{
    (void)state;
    for (int a = 0; a < DISPUTE_ACTION_COUNT; a++) {
        const char *an = dispute_action_name((enum dispute_action)a);
        enum dispute_state s = DISPUTE_STATE_COUNT;
        /* a state in which the action is allowed */
        for (int k = 0; k < DISPUTE_STATE_COUNT && s == DISPUTE_STATE_COUNT; k++) {
            if (expected_to(dispute_state_name((enum dispute_state)k), an) != NULL)
                s = (enum dispute_state)k;
        }
        assert_true(s != DISPUTE_STATE_COUNT);
        for (int role = 0; role < ROLE_COUNT; role++) {
            struct dispute_facts f = good_facts(s);
            struct dispute_actor actor = {
                .role = (enum role)role, .is_in_scope = 1, .is_assigned_mediator = 1};
            struct dispute_input in = valid_input((enum dispute_action)a);
            struct dispute_result out;
            int r = dispute_apply(&f, &actor, &in, &out, NULL);
            int want = role_expected(an, access_role_name((enum role)role));
            if (want && r != 0)
                fail_msg("%s by %s: expected success, got %d", an,
                         access_role_name((enum role)role), r);
            if (!want && r != ERR_FORBIDDEN)
                fail_msg("%s by %s: expected forbidden, got %d", an,
                         access_role_name((enum role)role), r);
            /* out of scope: always forbidden */
            actor.is_in_scope = 0;
            assert_int_equal(dispute_apply(&f, &actor, &in, &out, NULL), ERR_FORBIDDEN);
            /* a mediator not assigned: forbidden exactly for the assigned-only actions */
            if (role == ROLE_MEDIATOR && want) {
                char needle[40];
                actor.is_in_scope = 1;
                actor.is_assigned_mediator = 0;
                snprintf(needle, sizeof(needle), " %s ", an);
                r = dispute_apply(&f, &actor, &in, &out, NULL);
                assert_int_equal(r, strstr(assigned_only, needle) ? ERR_FORBIDDEN : 0);
            }
        }
    }
}

static void test_conditions(void **state)
{
    (void)state;
    struct dispute_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct dispute_facts f = good_facts(DISPUTE_STATE_ACCEPTED);
    struct dispute_input in = valid_input(DISPUTE_ACTION_START_MEDIATION);
    struct dispute_result out;
    struct errbuf eb = {{0}};

    f.mediator_count = 0;
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, &eb), ERR_INVALID_TRANSITION);
    assert_non_null(strstr(eb.msg, "no mediator"));
    f.mediator_count = 2;
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.to, DISPUTE_STATE_MEDIATING);

    f = good_facts(DISPUTE_STATE_MEDIATING);
    f.session_count = 0;
    in = valid_input(DISPUTE_ACTION_REACH_AGREEMENT);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);
    in = valid_input(DISPUTE_ACTION_CONCLUDE);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);
    /* refer and withdraw need no session */
    in = valid_input(DISPUTE_ACTION_REFER);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    in = valid_input(DISPUTE_ACTION_RECORD_SESSION);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.is_session, 1);
}

static void test_escalation_ladder(void **state)
{
    (void)state;
    struct dispute_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct dispute_facts f = good_facts(DISPUTE_STATE_ACCEPTED);
    struct dispute_input in = valid_input(DISPUTE_ACTION_ESCALATE);
    struct dispute_result out;
    int expected[] = {AREA_STREET, AREA_DISTRICT, AREA_CITY, AREA_PROVINCE};

    for (int i = 0; i < 4; i++) {
        assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
        assert_int_equal(out.level, expected[i]);
        assert_int_equal(out.to, DISPUTE_STATE_ACCEPTED);
        f.level = out.level;
    }
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);
    /* mediating escalates back to accepted, one level up */
    f = good_facts(DISPUTE_STATE_MEDIATING);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.to, DISPUTE_STATE_ACCEPTED);
    assert_int_equal(out.level, AREA_STREET);
    /* a reason is required */
    in.reason = "  ";
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID);
}

static void test_outcomes(void **state)
{
    (void)state;
    struct dispute_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct dispute_facts f = good_facts(DISPUTE_STATE_MEDIATING);
    struct dispute_input in;
    struct dispute_result out;
    struct {
        enum dispute_action action;
        const char *referral;
        enum dispute_outcome outcome;
        int is_success;
    } rows[] = {
        {DISPUTE_ACTION_REACH_AGREEMENT, NULL, DISPUTE_OUTCOME_AGREEMENT, 1},
        {DISPUTE_ACTION_CONCLUDE, NULL, DISPUTE_OUTCOME_CONCLUDED, 1},
        {DISPUTE_ACTION_REFER, "court", DISPUTE_OUTCOME_REFERRED_COURT, 0},
        {DISPUTE_ACTION_REFER, "arbitration", DISPUTE_OUTCOME_REFERRED_ARBITRATION, 0},
        {DISPUTE_ACTION_REFER, "petition_office", DISPUTE_OUTCOME_REFERRED_PETITION, 0},
        {DISPUTE_ACTION_WITHDRAW, NULL, DISPUTE_OUTCOME_WITHDRAWN, 0},
    };

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        in = valid_input(rows[i].action);
        if (rows[i].referral)
            in.referral = rows[i].referral;
        assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
        assert_int_equal(out.outcome, rows[i].outcome);
        assert_int_equal(dispute_outcome_is_success(out.outcome), rows[i].is_success);
        assert_false(dispute_state_is_open(out.to));
    }
    /* reopen after an agreement clears the outcome */
    f = good_facts(DISPUTE_STATE_AGREED);
    f.outcome = DISPUTE_OUTCOME_AGREEMENT;
    in = valid_input(DISPUTE_ACTION_REOPEN);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.outcome, DISPUTE_OUTCOME_NONE);
    assert_true(dispute_state_is_open(out.to));
    /* follow-up keeps the outcome and asks for a visit record */
    f.outcome = DISPUTE_OUTCOME_AGREEMENT;
    in = valid_input(DISPUTE_ACTION_FOLLOW_UP);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.outcome, DISPUTE_OUTCOME_AGREEMENT);
    assert_int_equal(out.is_follow_up, 1);
}

static void test_fields(void **state)
{
    (void)state;
    struct dispute_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct dispute_result out;
    struct errbuf eb = {{0}};
    char longtext[DISPUTE_TEXT_MAX + 2];
    struct {
        enum dispute_state state;
        enum dispute_action action;
        const char *field;
    } required[] = {
        {DISPUTE_STATE_MEDIATING, DISPUTE_ACTION_RECORD_SESSION, "text"},
        {DISPUTE_STATE_MEDIATING, DISPUTE_ACTION_REACH_AGREEMENT, "text"},
        {DISPUTE_STATE_MEDIATING, DISPUTE_ACTION_CONCLUDE, "text"},
        {DISPUTE_STATE_AGREED, DISPUTE_ACTION_FOLLOW_UP, "text"},
        {DISPUTE_STATE_REGISTERED, DISPUTE_ACTION_COMMENT, "text"},
        {DISPUTE_STATE_MEDIATING, DISPUTE_ACTION_REFER, "reason"},
        {DISPUTE_STATE_MEDIATING, DISPUTE_ACTION_WITHDRAW, "reason"},
        {DISPUTE_STATE_AGREED, DISPUTE_ACTION_REOPEN, "reason"},
        {DISPUTE_STATE_ACCEPTED, DISPUTE_ACTION_ESCALATE, "reason"},
        {DISPUTE_STATE_MEDIATING, DISPUTE_ACTION_REFER, "referral"},
        {DISPUTE_STATE_ACCEPTED, DISPUTE_ACTION_ASSIGN_MEDIATOR, "mediator_role"},
        {DISPUTE_STATE_ACCEPTED, DISPUTE_ACTION_ASSIGN_MEDIATOR, "mediator_name"},
    };

    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        struct dispute_facts f = good_facts(required[i].state);
        struct dispute_input in = valid_input(required[i].action);
        char expect[64];
        if (strcmp(required[i].field, "text") == 0)
            in.text = NULL;
        else if (strcmp(required[i].field, "reason") == 0)
            in.reason = " \n";
        else if (strcmp(required[i].field, "referral") == 0)
            in.referral = "police"; /* not a referral */
        else if (strcmp(required[i].field, "mediator_role") == 0)
            in.mediator_role = "priest";
        else
            in.mediator_name = "";
        memset(&eb, 0, sizeof(eb));
        assert_int_equal(dispute_apply(&f, &admin, &in, &out, &eb), ERR_INVALID);
        snprintf(expect, sizeof(expect), "'%s'", required[i].field);
        if (strstr(eb.msg, expect) == NULL)
            fail_msg("%s: message '%s' does not name %s", dispute_action_name(required[i].action),
                     eb.msg, expect);
    }
    /* too long, even when optional (accept takes no text) */
    memset(longtext, 'x', sizeof(longtext) - 1);
    longtext[sizeof(longtext) - 1] = '\0';
    {
        struct dispute_facts f = good_facts(DISPUTE_STATE_REGISTERED);
        struct dispute_input in = valid_input(DISPUTE_ACTION_ACCEPT);
        in.text = longtext;
        assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID);
        longtext[DISPUTE_TEXT_MAX] = '\0'; /* exactly the maximum is fine */
        assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
    }
    /* accept needs no field at all */
    {
        struct dispute_facts f = good_facts(DISPUTE_STATE_REGISTERED);
        struct dispute_input in = {.action = DISPUTE_ACTION_ACCEPT};
        assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), 0);
        assert_int_equal(out.to, DISPUTE_STATE_ACCEPTED);
    }
}

static void test_bad_facts(void **state)
{
    (void)state;
    struct dispute_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct dispute_input in = valid_input(DISPUTE_ACTION_COMMENT);
    struct dispute_result out;
    struct dispute_facts f = good_facts(DISPUTE_STATE_REGISTERED);

    f.level = AREA_GRID; /* disputes are held at community level or above */
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID);
    f = good_facts((enum dispute_state)DISPUTE_STATE_COUNT);
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID);
    f = good_facts(DISPUTE_STATE_REGISTERED);
    f.session_count = -1;
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID);
    f = good_facts(DISPUTE_STATE_REGISTERED);
    in.action = (enum dispute_action)DISPUTE_ACTION_COUNT;
    assert_int_equal(dispute_apply(&f, &admin, &in, &out, NULL), ERR_INVALID);
    assert_int_equal(dispute_allowed_actions(NULL, &admin), 0u);
    f.level = 0;
    assert_int_equal(dispute_allowed_actions(&f, &admin), 0u);
}

static void test_allowed_matches_apply(void **state)
{
    (void)state;
    for (int s = 0; s < DISPUTE_STATE_COUNT; s++) {
        for (int role = 0; role < ROLE_COUNT; role++) {
            for (int flags = 0; flags < 8; flags++) {
                struct dispute_facts f = good_facts((enum dispute_state)s);
                struct dispute_actor a = {.role = (enum role)role,
                                          .is_in_scope = flags & 1,
                                          .is_assigned_mediator = (flags >> 1) & 1};
                unsigned mask;
                if (flags & 4) {
                    f.mediator_count = 0;
                    f.session_count = 0;
                    f.level = AREA_PROVINCE;
                }
                mask = dispute_allowed_actions(&f, &a);
                for (int act = 0; act < DISPUTE_ACTION_COUNT; act++) {
                    struct dispute_input in = valid_input((enum dispute_action)act);
                    struct dispute_result out;
                    int ok = dispute_apply(&f, &a, &in, &out, NULL) == 0;
                    assert_int_equal(ok, (mask & DISPUTE_ACTION_BIT(act)) != 0);
                }
            }
        }
    }
}

static void test_initial_level(void **state)
{
    (void)state;
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_LOW, AREA_CELL), AREA_COMMUNITY);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_MEDIUM, AREA_GRID), AREA_COMMUNITY);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_HIGH, AREA_GRID), AREA_STREET);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_MAJOR, AREA_COMMUNITY), AREA_STREET);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_LOW, AREA_STREET), AREA_STREET);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_MAJOR, AREA_DISTRICT), AREA_DISTRICT);
    assert_int_equal(dispute_initial_level((enum dispute_risk)9, AREA_GRID), 0);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_LOW, 0), 0);
    assert_int_equal(dispute_initial_level(DISPUTE_RISK_LOW, 8), 0);
}

static void test_names(void **state)
{
    (void)state;
    const char *types[] = {"neighbour",          "family",   "labour_wages",
                           "land_expropriation", "property", "medical",
                           "consumer",           "traffic",  "other"};
    const char *roles[] = {"peoples_mediator", "judge", "prosecutor", "police_officer", "lawyer"};
    enum dispute_type t;
    enum mediator_role mr;
    enum dispute_state s;
    enum dispute_action a;
    enum dispute_risk r;
    enum dispute_outcome o;

    assert_int_equal(DISPUTE_TYPE_COUNT, 9);
    for (int i = 0; i < 9; i++) {
        assert_int_equal(dispute_type_parse(types[i], &t), 0);
        assert_string_equal(dispute_type_name(t), types[i]);
        assert_non_null(dispute_type_name_zh(t));
    }
    assert_int_equal(MEDIATOR_ROLE_COUNT, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(dispute_mediator_role_parse(roles[i], &mr), 0);
        assert_string_equal(dispute_mediator_role_name(mr), roles[i]);
    }
    assert_int_equal(dispute_type_parse("Neighbour", &t), ERR_INVALID);
    assert_int_equal(dispute_type_parse(NULL, &t), ERR_INVALID);
    assert_int_equal(dispute_state_parse("mediating", &s), 0);
    assert_int_equal(s, DISPUTE_STATE_MEDIATING);
    assert_string_equal(dispute_state_name_zh(s), "调解中");
    assert_int_equal(dispute_action_parse("conclude", &a), 0);
    assert_string_equal(dispute_action_name_zh(a), "调结");
    assert_int_equal(dispute_risk_parse("major", &r), 0);
    assert_int_equal(r, DISPUTE_RISK_MAJOR);
    assert_int_equal(dispute_risk_parse("extreme", &r), ERR_INVALID);
    assert_int_equal(dispute_outcome_parse("referred_petition", &o), 0);
    assert_null(dispute_state_name((enum dispute_state)99));
    assert_null(dispute_outcome_name_zh((enum dispute_outcome) - 1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_state_action), cmocka_unit_test(test_every_action_role),
        cmocka_unit_test(test_conditions),         cmocka_unit_test(test_escalation_ladder),
        cmocka_unit_test(test_outcomes),           cmocka_unit_test(test_fields),
        cmocka_unit_test(test_bad_facts),          cmocka_unit_test(test_allowed_matches_apply),
        cmocka_unit_test(test_initial_level),      cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
