/*
 * test_council.c - deliberation councils: every topic state × action, every action × role
 * (with the member / supervisor / proposer relations), conditions beyond the table, quorum and
 * majority worked by hand (ties, exactly a quorum, abstentions, strict and non-strict
 * thresholds), membership size and terms, and allowed_actions() agreeing with apply().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/access.h"
#include "domain/council.h"

#include <stdio.h>
#include <string.h>

/* "from action to": "=" stays; "vote" is review when passed, rejected when not. */
static const char *const expected_transitions[] = {
    "proposed cosign =",
    "proposed accept consultation",
    "proposed reject rejected",
    "proposed withdraw withdrawn",
    "proposed comment =",
    "consultation record_opinion =",
    "consultation open_vote voting",
    "consultation withdraw withdrawn",
    "consultation comment =",
    "voting close_vote vote",
    "voting comment =",
    "review approve executing",
    "review send_back consultation",
    "review reject rejected",
    "review comment =",
    "executing add_task =",
    "executing complete_task =",
    "executing note =",
    "executing submit supervision",
    "executing publish =",
    "executing comment =",
    "supervision note =",
    "supervision sign_off done",
    "supervision send_back executing",
    "supervision publish =",
    "supervision comment =",
    "done note =",
    "done publish =",
    "done comment =",
    "rejected publish =",
    "rejected comment =",
    "withdrawn comment =",
};

/* "action role ..." with council_member written as what it must be of the council:
 * member, member_or_supervisor, supervisor. */
static const char *const expected_roles[] = {
    "cosign resident", /* but not the proposer (test_every_action_role) */
    "accept community_staff admin",
    "reject community_staff admin",
    "withdraw community_staff admin proposer",
    "record_opinion community_staff admin member",
    "open_vote community_staff admin member",
    "close_vote community_staff admin member",
    "approve community_staff admin",
    "send_back community_staff admin",
    "add_task community_staff admin",
    "complete_task community_staff admin",
    "submit community_staff admin",
    "note community_staff admin member_or_supervisor",
    "sign_off supervisor",
    "publish community_staff admin",
    "comment community_staff admin leader member_or_supervisor",
};

static const char *role_line(const char *action)
{
    size_t n = strlen(action);
    for (size_t i = 0; i < sizeof(expected_roles) / sizeof(expected_roles[0]); i++) {
        if (strncmp(expected_roles[i], action, n) == 0 && expected_roles[i][n] == ' ')
            return expected_roles[i] + n;
    }
    return "";
}

static int has_word(const char *line, const char *word)
{
    char buf[200], needle[48];
    snprintf(buf, sizeof(buf), "%s ", line);
    snprintf(needle, sizeof(needle), " %s ", word);
    return strstr(buf, needle) != NULL;
}

static const char *expected_to(const char *state, const char *action)
{
    static char to[32];
    for (size_t i = 0; i < sizeof(expected_transitions) / sizeof(expected_transitions[0]); i++) {
        char f[32], a[32];
        if (sscanf(expected_transitions[i], "%31s %31s %31s", f, a, to) == 3 &&
            strcmp(f, state) == 0 && strcmp(a, action) == 0)
            return to;
    }
    return NULL;
}

static struct council_topic_facts good_facts(enum council_state s)
{
    struct council_topic_facts f = {.state = s,
                                    .proposer = COUNCIL_PROPOSER_RESIDENTS,
                                    .cosigners = 10,
                                    .min_cosigners = 10,
                                    .opinions = 3,
                                    .tasks = 2,
                                    .open_tasks = 0,
                                    .notes = 1};
    /* complete_task needs an open task, submit none: executing gets one open task below */
    return f;
}

static struct council_input valid_input(enum council_action action)
{
    struct council_input in = {
        .action = action,
        .text = "text",
        .reason = "reason",
        .tally = {.eligible = 9, .present = 7, .yes = 5, .no = 1, .abstain = 1},
        .vote_kind = COUNCIL_VOTE_COUNCIL};
    return in;
}

/* Facts under which the action's own condition holds. */
static struct council_topic_facts facts_for(enum council_state s, enum council_action a)
{
    struct council_topic_facts f = good_facts(s);
    if (a == COUNCIL_ACTION_COMPLETE_TASK)
        f.open_tasks = 1;
    return f;
}

static void test_every_state_action(void **state)
{
    (void)state;
    struct council_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct council_actor resident = {.role = ROLE_RESIDENT, .is_in_scope = 1};
    struct council_actor supervisor = {
        .role = ROLE_COUNCIL_MEMBER, .is_in_scope = 1, .is_supervisor = 1};
    int pairs = 0;

    for (int s = 0; s < COUNCIL_STATE_COUNT; s++) {
        for (int a = 0; a < COUNCIL_ACTION_COUNT; a++) {
            struct council_topic_facts f = facts_for((enum council_state)s, (enum council_action)a);
            struct council_input in = valid_input((enum council_action)a);
            struct council_result out;
            struct errbuf eb = {{0}};
            const char *sn = council_state_name((enum council_state)s);
            const char *an = council_action_name((enum council_action)a);
            const char *to = expected_to(sn, an);
            const struct council_actor *actor = a == COUNCIL_ACTION_COSIGN     ? &resident
                                                : a == COUNCIL_ACTION_SIGN_OFF ? &supervisor
                                                                               : &admin;
            int r = council_apply(&f, actor, &in, &out, &eb);
            if (to == NULL) {
                if (r != ERR_INVALID_TRANSITION)
                    fail_msg("%s × %s: expected invalid_transition, got %d", sn, an, r);
                continue;
            }
            pairs++;
            if (r != 0)
                fail_msg("%s × %s: expected success, got %d (%s)", sn, an, r, eb.msg);
            if (strcmp(to, "vote") == 0)
                to = "review"; /* the valid tally passes */
            assert_string_equal(council_state_name(out.to), strcmp(to, "=") == 0 ? sn : to);
        }
    }
    assert_int_equal(pairs, (int)(sizeof(expected_transitions) / sizeof(expected_transitions[0])));
}

static void test_every_action_role(void **state)
{
    (void)state;
    for (int a = 0; a < COUNCIL_ACTION_COUNT; a++) {
        const char *an = council_action_name((enum council_action)a);
        const char *line = role_line(an);
        int s = 0;
        while (expected_to(council_state_name((enum council_state)s), an) == NULL)
            s++;
        assert_true(s < COUNCIL_STATE_COUNT);
        for (int role = 0; role < ROLE_COUNT; role++) {
            /* relations: bit 0 member, bit 1 supervisor, bit 2 proposer */
            for (int rel = 0; rel < 8; rel++) {
                struct council_topic_facts f =
                    facts_for((enum council_state)s, (enum council_action)a);
                struct council_input in = valid_input((enum council_action)a);
                struct council_actor actor = {.role = (enum role)role,
                                              .is_in_scope = 1,
                                              .is_member = rel & 1,
                                              .is_supervisor = (rel >> 1) & 1,
                                              .is_proposer = (rel >> 2) & 1};
                struct council_result out;
                const char *rn = access_role_name((enum role)role);
                int want = has_word(line, rn) || (has_word(line, "proposer") && (rel & 4));
                int r;
                if (a == COUNCIL_ACTION_COSIGN && (rel & 4))
                    want = 0; /* the proposer does not co-sign */
                if (role == ROLE_COUNCIL_MEMBER)
                    want = want || (has_word(line, "member") && (rel & 1)) ||
                           (has_word(line, "supervisor") && (rel & 2)) ||
                           (has_word(line, "member_or_supervisor") && (rel & 3));
                r = council_apply(&f, &actor, &in, &out, NULL);
                if (want && r != 0)
                    fail_msg("%s by %s rel %d: expected success, got %d", an, rn, rel, r);
                if (!want && r != ERR_FORBIDDEN)
                    fail_msg("%s by %s rel %d: expected forbidden, got %d", an, rn, rel, r);
                actor.is_in_scope = 0;
                assert_int_equal(council_apply(&f, &actor, &in, &out, NULL), ERR_FORBIDDEN);
            }
        }
    }
}

static void test_conditions(void **state)
{
    (void)state;
    struct council_actor admin = {.role = ROLE_ADMIN, .is_in_scope = 1};
    struct council_actor resident = {.role = ROLE_RESIDENT, .is_in_scope = 1};
    struct council_actor supervisor = {
        .role = ROLE_COUNCIL_MEMBER, .is_in_scope = 1, .is_supervisor = 1};
    struct council_topic_facts f = good_facts(COUNCIL_STATE_PROPOSED);
    struct council_input in = valid_input(COUNCIL_ACTION_ACCEPT);
    struct council_result out;
    struct errbuf eb = {{0}};

    /* co-signers: 9 of 10 is not enough, 10 is */
    f.cosigners = 9;
    assert_int_equal(council_apply(&f, &admin, &in, &out, &eb), ERR_INVALID_TRANSITION);
    assert_non_null(strstr(eb.msg, "9 co-signers"));
    f.cosigners = 10;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), 0);
    /* the committees' topics need none, and take none */
    f.proposer = COUNCIL_PROPOSER_COMMITTEES;
    f.cosigners = 0;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), 0);
    in = valid_input(COUNCIL_ACTION_COSIGN);
    assert_int_equal(council_apply(&f, &resident, &in, &out, NULL), ERR_INVALID_TRANSITION);

    f = good_facts(COUNCIL_STATE_CONSULTATION);
    f.opinions = 0;
    in = valid_input(COUNCIL_ACTION_OPEN_VOTE);
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);

    f = good_facts(COUNCIL_STATE_EXECUTING);
    in = valid_input(COUNCIL_ACTION_SUBMIT);
    f.tasks = 0;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);
    f.tasks = 3;
    f.open_tasks = 1;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);
    f.open_tasks = 0;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.to, COUNCIL_STATE_SUPERVISION);
    in = valid_input(COUNCIL_ACTION_COMPLETE_TASK);
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);

    /* no sign-off without a supervision note, and nobody else signs off */
    f = good_facts(COUNCIL_STATE_SUPERVISION);
    f.notes = 0;
    in = valid_input(COUNCIL_ACTION_SIGN_OFF);
    assert_int_equal(council_apply(&f, &supervisor, &in, &out, NULL), ERR_INVALID_TRANSITION);
    f.notes = 1;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), ERR_FORBIDDEN);
    assert_int_equal(council_apply(&f, &supervisor, &in, &out, NULL), 0);
    assert_int_equal(out.to, COUNCIL_STATE_DONE);
    /* done only through sign_off: no other action reaches it */
    for (int s = 0; s < COUNCIL_STATE_COUNT; s++) {
        for (int a = 0; a < COUNCIL_ACTION_COUNT; a++) {
            const char *to = expected_to(council_state_name((enum council_state)s),
                                         council_action_name((enum council_action)a));
            if (to != NULL && strcmp(to, "done") == 0)
                assert_int_equal(a, COUNCIL_ACTION_SIGN_OFF);
        }
    }

    /* publish once */
    f = good_facts(COUNCIL_STATE_DONE);
    in = valid_input(COUNCIL_ACTION_PUBLISH);
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.is_published, 1);
    f.is_published = 1;
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), ERR_INVALID_TRANSITION);
    in = valid_input(COUNCIL_ACTION_NOTE);
    assert_int_equal(council_apply(&f, &admin, &in, &out, NULL), 0);
    assert_int_equal(out.is_published, 1); /* stays published */
}

static void test_close_vote(void **state)
{
    (void)state;
    struct council_actor member = {.role = ROLE_COUNCIL_MEMBER, .is_in_scope = 1, .is_member = 1};
    struct council_topic_facts f = good_facts(COUNCIL_STATE_VOTING);
    struct council_input in = valid_input(COUNCIL_ACTION_CLOSE_VOTE);
    struct council_result out;
    struct errbuf eb = {{0}};

    /* 9 members, 6 present (exactly 2/3), 3 yes 3 no: a tie fails */
    in.tally = (struct council_tally){9, 6, 3, 3, 0};
    assert_int_equal(council_apply(&f, &member, &in, &out, NULL), 0);
    assert_int_equal(out.to, COUNCIL_STATE_REJECTED);
    assert_true(out.vote.is_quorate);
    assert_false(out.vote.is_passed);
    assert_int_equal(out.vote.majority_needed, 4);
    /* 4 yes of 6 present passes */
    in.tally = (struct council_tally){9, 6, 4, 2, 0};
    assert_int_equal(council_apply(&f, &member, &in, &out, NULL), 0);
    assert_int_equal(out.to, COUNCIL_STATE_REVIEW);
    /* 5 present of 9: no quorum, even unanimous */
    in.tally = (struct council_tally){9, 5, 5, 0, 0};
    assert_int_equal(council_apply(&f, &member, &in, &out, NULL), 0);
    assert_int_equal(out.to, COUNCIL_STATE_REJECTED);
    assert_false(out.vote.is_quorate);
    assert_int_equal(out.vote.quorum_needed, 6);
    /* a council has at most 9 members */
    in.tally = (struct council_tally){10, 10, 10, 0, 0};
    assert_int_equal(council_apply(&f, &member, &in, &out, &eb), ERR_INVALID);
    /* a tally that does not add up */
    in.tally = (struct council_tally){9, 6, 4, 2, 1};
    assert_int_equal(council_apply(&f, &member, &in, &out, NULL), ERR_INVALID);
    /* unknown vote kind */
    in.tally = (struct council_tally){9, 6, 4, 2, 0};
    in.vote_kind = (enum council_vote_kind)7;
    assert_int_equal(council_apply(&f, &member, &in, &out, NULL), ERR_INVALID);
    /* a villagers' vote may have many more eligible */
    in.vote_kind = COUNCIL_VOTE_HOUSEHOLDS;
    in.tally = (struct council_tally){300, 200, 101, 99, 0};
    assert_int_equal(council_apply(&f, &member, &in, &out, NULL), 0);
    assert_int_equal(out.to, COUNCIL_STATE_REVIEW);
}

/* Worked by hand: eligible, present, yes, no, abstain → quorate, passed, quorum_needed,
 * majority_needed. */
struct vote_case {
    enum council_vote_kind kind;
    struct council_tally t;
    int is_quorate, is_passed, quorum_needed, majority_needed;
};

static void test_vote_arithmetic(void **state)
{
    (void)state;
    static const struct vote_case cases[] = {
        /* council: quorum >= 2/3 of members, passed > 1/2 of present */
        {COUNCIL_VOTE_COUNCIL, {7, 5, 3, 2, 0}, 1, 1, 5, 3}, /* 14/3 = 4.67 -> 5 */
        {COUNCIL_VOTE_COUNCIL, {7, 4, 4, 0, 0}, 0, 0, 5, 3}, /* 4 < 4.67: no quorum */
        {COUNCIL_VOTE_COUNCIL, {7, 7, 3, 1, 3}, 1, 0, 5, 4}, /* abstentions are not yes */
        {COUNCIL_VOTE_COUNCIL, {7, 7, 4, 0, 3}, 1, 1, 5, 4}, /* 4 > 3.5 */
        {COUNCIL_VOTE_COUNCIL, {8, 6, 3, 3, 0}, 1, 0, 6, 4}, /* 16/3 = 5.33 -> 6; a tie */
        {COUNCIL_VOTE_COUNCIL, {8, 8, 4, 4, 0}, 1, 0, 6, 5}, /* tie of all eight */
        {COUNCIL_VOTE_COUNCIL, {9, 6, 4, 0, 2}, 1, 1, 6, 4}, /* exactly a quorum */
        {COUNCIL_VOTE_COUNCIL, {9, 9, 5, 4, 0}, 1, 1, 6, 5},
        {COUNCIL_VOTE_COUNCIL, {9, 0, 0, 0, 0}, 0, 0, 6, 1}, /* nobody came */
        /* households: quorum >= 2/3, passed > 1/2 of present */
        {COUNCIL_VOTE_HOUSEHOLDS, {300, 199, 199, 0, 0}, 0, 0, 200, 100},
        {COUNCIL_VOTE_HOUSEHOLDS, {300, 200, 101, 50, 49}, 1, 1, 200, 101},
        {COUNCIL_VOTE_HOUSEHOLDS, {300, 200, 100, 100, 0}, 1, 0, 200, 101},
        {COUNCIL_VOTE_HOUSEHOLDS, {301, 201, 101, 0, 0}, 1, 1, 201, 101}, /* 602/3 = 200.67 */
        /* adults: quorum > 1/2, passed > 1/2 of present */
        {COUNCIL_VOTE_ADULT_RESIDENTS, {1000, 500, 500, 0, 0}, 0, 0, 501, 251},
        {COUNCIL_VOTE_ADULT_RESIDENTS, {1000, 501, 251, 250, 0}, 1, 1, 501, 251},
        {COUNCIL_VOTE_ADULT_RESIDENTS, {1000, 501, 250, 0, 251}, 1, 0, 501, 251},
        {COUNCIL_VOTE_ADULT_RESIDENTS, {7, 4, 3, 1, 0}, 1, 1, 4, 3},
        {COUNCIL_VOTE_ADULT_RESIDENTS, {1, 1, 1, 0, 0}, 1, 1, 1, 1},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct council_vote_rule rule;
        struct council_vote_result res;
        assert_int_equal(council_vote_rule(cases[i].kind, &rule), 0);
        assert_int_equal(council_count_vote(&rule, &cases[i].t, &res, NULL), 0);
        if (res.is_quorate != cases[i].is_quorate || res.is_passed != cases[i].is_passed ||
            res.quorum_needed != cases[i].quorum_needed ||
            res.majority_needed != cases[i].majority_needed)
            fail_msg("case %zu: got quorate %d passed %d quorum %d majority %d", i, res.is_quorate,
                     res.is_passed, res.quorum_needed, res.majority_needed);
    }
}

static void test_vote_bad_tally(void **state)
{
    (void)state;
    struct council_vote_rule rule;
    struct council_vote_result res;
    struct errbuf eb = {{0}};
    static const struct council_tally bad[] = {
        {0, 0, 0, 0, 0},  /* nobody eligible */
        {9, 10, 5, 0, 0}, /* more present than eligible */
        {9, -1, 0, 0, 0}, /* negative */
        {9, 6, -1, 0, 0}, /* negative */
        {9, 6, 3, 3, 1},  /* 7 ballots, 6 present */
    };

    assert_int_equal(council_vote_rule(COUNCIL_VOTE_COUNCIL, &rule), 0);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(council_count_vote(&rule, &bad[i], &res, &eb), ERR_INVALID);
    assert_int_equal(council_vote_rule((enum council_vote_kind) - 1, &rule), ERR_INVALID);
    /* big electorates do not overflow */
    {
        struct council_tally big = {2000000000, 1400000000, 700000001, 0, 0};
        assert_int_equal(council_vote_rule(COUNCIL_VOTE_HOUSEHOLDS, &rule), 0);
        assert_int_equal(council_count_vote(&rule, &big, &res, NULL), 0);
        assert_true(res.is_quorate);
        assert_true(res.is_passed);
    }
}

/* Property over every small tally: the verdicts agree with the thresholds reported (present
 * reaches quorum_needed exactly when quorate; yes reaches majority_needed exactly when the
 * majority is met), and with a reference in exact rational arithmetic written differently
 * (scaled to a common denominator of 6). */
static void test_vote_property(void **state)
{
    (void)state;
    for (int kind = 0; kind < COUNCIL_VOTE_KIND_COUNT; kind++) {
        struct council_vote_rule rule;
        assert_int_equal(council_vote_rule((enum council_vote_kind)kind, &rule), 0);
        for (int eligible = 1; eligible <= 24; eligible++) {
            for (int present = 0; present <= eligible; present++) {
                for (int yes = 0; yes <= present; yes++) {
                    struct council_tally t = {eligible, present, yes, present - yes, 0};
                    struct council_vote_result res;
                    /* reference: council and households need 6*present >= 4*eligible,
                     * adults 6*present > 3*eligible; all pass with 6*yes > 3*present */
                    int ref_quorate = kind == COUNCIL_VOTE_ADULT_RESIDENTS
                                          ? 6 * present > 3 * eligible
                                          : 6 * present >= 4 * eligible;
                    int ref_passed = ref_quorate && 6 * yes > 3 * present;
                    assert_int_equal(council_count_vote(&rule, &t, &res, NULL), 0);
                    assert_int_equal(res.is_quorate, ref_quorate);
                    assert_int_equal(res.is_passed, ref_passed);
                    assert_int_equal(res.is_quorate, present >= res.quorum_needed);
                    assert_int_equal(res.is_passed, res.is_quorate && yes >= res.majority_needed);
                }
            }
        }
    }
}

static void test_fraction_least(void **state)
{
    (void)state;
    struct council_fraction half_strict = {1, 2, 1}, two_thirds = {2, 3, 0};
    assert_int_equal(council_fraction_least(&half_strict, 0), 1);
    assert_int_equal(council_fraction_least(&half_strict, 1), 1);
    assert_int_equal(council_fraction_least(&half_strict, 2), 2);
    assert_int_equal(council_fraction_least(&half_strict, 7), 4);
    assert_int_equal(council_fraction_least(&half_strict, 8), 5);
    assert_int_equal(council_fraction_least(&two_thirds, 9), 6);
    assert_int_equal(council_fraction_least(&two_thirds, 8), 6);
    assert_int_equal(council_fraction_least(&two_thirds, 7), 5);
    assert_int_equal(council_fraction_least(&two_thirds, 0), 0);
}

static void test_membership(void **state)
{
    (void)state;
    const int64_t day = 24LL * 3600 * 1000, start = 1735689600000LL; /* 2025-01-01 */
    assert_int_equal(council_check_size(6, NULL), ERR_INVALID);
    assert_int_equal(council_check_size(7, NULL), 0);
    assert_int_equal(council_check_size(9, NULL), 0);
    assert_int_equal(council_check_size(10, NULL), ERR_INVALID);
    assert_int_equal(council_check_term(start, start + 5LL * 365 * day, NULL), 0);
    assert_int_equal(council_check_term(start, start + 6LL * 365 * day, NULL), ERR_INVALID);
    assert_int_equal(council_check_term(start, start, NULL), ERR_INVALID);
    assert_int_equal(council_check_term(0, day, NULL), ERR_INVALID);
    assert_true(council_term_covers(start, start + day, start));
    assert_false(council_term_covers(start, start + day, start + day));
    assert_false(council_term_covers(start, start + day, start - 1));
    assert_int_equal(council_check_min_cosigners(0, NULL), ERR_INVALID);
    assert_int_equal(council_check_min_cosigners(1, NULL), 0);
    assert_int_equal(council_check_min_cosigners(COUNCIL_COSIGNERS_MAX + 1, NULL), ERR_INVALID);
}

static void test_allowed_matches_apply(void **state)
{
    (void)state;
    for (int s = 0; s < COUNCIL_STATE_COUNT; s++) {
        for (int role = 0; role < ROLE_COUNT; role++) {
            for (int rel = 0; rel < 32; rel++) {
                struct council_topic_facts f = good_facts((enum council_state)s);
                struct council_actor a = {.role = (enum role)role,
                                          .is_in_scope = rel & 1,
                                          .is_member = (rel >> 1) & 1,
                                          .is_supervisor = (rel >> 2) & 1,
                                          .is_proposer = (rel >> 3) & 1};
                unsigned mask;
                if (rel & 16) {
                    f.cosigners = 0;
                    f.opinions = 0;
                    f.tasks = 1;
                    f.open_tasks = 1;
                    f.notes = 0;
                    f.is_published = 1;
                }
                mask = council_allowed_actions(&f, &a);
                for (int act = 0; act < COUNCIL_ACTION_COUNT; act++) {
                    struct council_input in = valid_input((enum council_action)act);
                    struct council_result out;
                    int ok = council_apply(&f, &a, &in, &out, NULL) == 0;
                    assert_int_equal(ok, (mask & COUNCIL_ACTION_BIT(act)) != 0);
                }
            }
        }
    }
}

static void test_names(void **state)
{
    (void)state;
    enum council_state s;
    enum council_action a;
    enum council_proposer p;
    enum council_vote_kind k;
    assert_int_equal(council_state_parse("supervision", &s), 0);
    assert_int_equal(s, COUNCIL_STATE_SUPERVISION);
    assert_string_equal(council_state_name_zh(s), "监督验收");
    assert_int_equal(council_action_parse("sign_off", &a), 0);
    assert_int_equal(a, COUNCIL_ACTION_SIGN_OFF);
    assert_int_equal(council_proposer_parse("residents", &p), 0);
    assert_int_equal(p, COUNCIL_PROPOSER_RESIDENTS);
    assert_int_equal(council_vote_kind_parse("adults", &k), 0);
    assert_int_equal(k, COUNCIL_VOTE_ADULT_RESIDENTS);
    assert_int_equal(council_vote_kind_parse("everyone", &k), ERR_INVALID);
    assert_null(council_state_name((enum council_state)COUNCIL_STATE_COUNT));
    assert_true(council_state_is_open(COUNCIL_STATE_PROPOSED));
    assert_true(council_state_is_open(COUNCIL_STATE_SUPERVISION));
    assert_false(council_state_is_open(COUNCIL_STATE_DONE));
    assert_false(council_state_is_open(COUNCIL_STATE_REJECTED));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_state_action),
        cmocka_unit_test(test_every_action_role),
        cmocka_unit_test(test_conditions),
        cmocka_unit_test(test_close_vote),
        cmocka_unit_test(test_vote_arithmetic),
        cmocka_unit_test(test_vote_bad_tally),
        cmocka_unit_test(test_vote_property),
        cmocka_unit_test(test_fraction_least),
        cmocka_unit_test(test_membership),
        cmocka_unit_test(test_allowed_matches_apply),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
