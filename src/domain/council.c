/*
 * council.c - the deliberation-council topic machine (a transition table and a rule per
 * action, like workflow.c), the vote arithmetic (exact integer comparisons, no floating
 * point: "more than half" of 7 is 4, of 8 is 5) and the membership checks. Contract in
 * council.h; tests/unit/test_council.c restates the tables and works examples by hand.
 */
#include "domain/council.h"

#include <assert.h>
#include <string.h>

struct name_pair {
    const char *name;
    const char *zh;
};

#define NAME_ROW(name, str, zh) {str, zh},
static const struct name_pair state_names[COUNCIL_STATE_COUNT] = {COUNCIL_STATE_MAP(NAME_ROW)};
static const struct name_pair action_names[COUNCIL_ACTION_COUNT] = {COUNCIL_ACTION_MAP(NAME_ROW)};
#undef NAME_ROW

static const struct name_pair proposer_names[COUNCIL_PROPOSER_COUNT] = {
    {"committees", "村两委"},
    {"residents", "村民联名"},
};
static const struct name_pair vote_kind_names[COUNCIL_VOTE_KIND_COUNT] = {
    {"council", "商议团表决"},
    {"households", "户代表表决"},
    {"adults", "村民表决"},
};

/* ---- transitions: 0 refused, SAME stays, VOTE depends on the count, else to + 1 ---------- */

#define SAME   0xff
#define VOTE   0xfe
#define TO(st) (COUNCIL_STATE_##st + 1)

static const unsigned char transitions[COUNCIL_STATE_COUNT][COUNCIL_ACTION_COUNT] = {
    [COUNCIL_STATE_PROPOSED] =
        {
            [COUNCIL_ACTION_COSIGN] = SAME,
            [COUNCIL_ACTION_ACCEPT] = TO(CONSULTATION),
            [COUNCIL_ACTION_REJECT] = TO(REJECTED),
            [COUNCIL_ACTION_WITHDRAW] = TO(WITHDRAWN),
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_CONSULTATION] =
        {
            [COUNCIL_ACTION_RECORD_OPINION] = SAME,
            [COUNCIL_ACTION_OPEN_VOTE] = TO(VOTING),
            [COUNCIL_ACTION_WITHDRAW] = TO(WITHDRAWN),
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_VOTING] =
        {
            [COUNCIL_ACTION_CLOSE_VOTE] = VOTE,
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_REVIEW] =
        {
            [COUNCIL_ACTION_APPROVE] = TO(EXECUTING),
            [COUNCIL_ACTION_SEND_BACK] = TO(CONSULTATION),
            [COUNCIL_ACTION_REJECT] = TO(REJECTED),
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_EXECUTING] =
        {
            [COUNCIL_ACTION_ADD_TASK] = SAME,
            [COUNCIL_ACTION_COMPLETE_TASK] = SAME,
            [COUNCIL_ACTION_NOTE] = SAME,
            [COUNCIL_ACTION_SUBMIT] = TO(SUPERVISION),
            [COUNCIL_ACTION_PUBLISH] = SAME,
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_SUPERVISION] =
        {
            [COUNCIL_ACTION_NOTE] = SAME,
            [COUNCIL_ACTION_SIGN_OFF] = TO(DONE),
            [COUNCIL_ACTION_SEND_BACK] = TO(EXECUTING),
            [COUNCIL_ACTION_PUBLISH] = SAME,
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_DONE] =
        {
            [COUNCIL_ACTION_NOTE] = SAME,
            [COUNCIL_ACTION_PUBLISH] = SAME,
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_REJECTED] =
        {
            [COUNCIL_ACTION_PUBLISH] = SAME,
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
    [COUNCIL_STATE_WITHDRAWN] =
        {
            [COUNCIL_ACTION_COMMENT] = SAME,
        },
};

/* ---- who and which fields ----------------------------------------------------------------- */

#define R(role)  (1u << ROLE_##role)
#define F_TEXT   (1u << 0)
#define F_REASON (1u << 1)
#define F_TALLY  (1u << 2)

/* What a council_member must be of this council to take the action. */
enum member_need {
    NEED_NONE = 0,
    NEED_MEMBER,
    NEED_MEMBER_OR_SUPERVISOR,
    NEED_SUPERVISOR,
};

struct action_rule {
    unsigned roles;
    unsigned char member_need;
    unsigned char is_proposer_allowed; /* the proposer may, whatever the role */
    unsigned fields;
};

#define COMMITTEES (R(COMMUNITY_STAFF) | R(ADMIN))

static const struct action_rule action_rules[COUNCIL_ACTION_COUNT] = {
    [COUNCIL_ACTION_COSIGN] = {.roles = R(RESIDENT)},
    [COUNCIL_ACTION_ACCEPT] = {.roles = COMMITTEES},
    [COUNCIL_ACTION_REJECT] = {.roles = COMMITTEES, .fields = F_REASON},
    [COUNCIL_ACTION_WITHDRAW] = {.roles = COMMITTEES, .is_proposer_allowed = 1, .fields = F_REASON},
    [COUNCIL_ACTION_RECORD_OPINION] = {.roles = COMMITTEES | R(COUNCIL_MEMBER),
                                       .member_need = NEED_MEMBER,
                                       .fields = F_TEXT},
    [COUNCIL_ACTION_OPEN_VOTE] = {.roles = COMMITTEES | R(COUNCIL_MEMBER),
                                  .member_need = NEED_MEMBER},
    [COUNCIL_ACTION_CLOSE_VOTE] = {.roles = COMMITTEES | R(COUNCIL_MEMBER),
                                   .member_need = NEED_MEMBER,
                                   .fields = F_TALLY},
    [COUNCIL_ACTION_APPROVE] = {.roles = COMMITTEES},
    [COUNCIL_ACTION_SEND_BACK] = {.roles = COMMITTEES, .fields = F_REASON},
    [COUNCIL_ACTION_ADD_TASK] = {.roles = COMMITTEES, .fields = F_TEXT},
    [COUNCIL_ACTION_COMPLETE_TASK] = {.roles = COMMITTEES},
    [COUNCIL_ACTION_SUBMIT] = {.roles = COMMITTEES},
    [COUNCIL_ACTION_NOTE] = {.roles = COMMITTEES | R(COUNCIL_MEMBER),
                             .member_need = NEED_MEMBER_OR_SUPERVISOR,
                             .fields = F_TEXT},
    [COUNCIL_ACTION_SIGN_OFF] = {.roles = R(COUNCIL_MEMBER),
                                 .member_need = NEED_SUPERVISOR,
                                 .fields = F_TEXT},
    [COUNCIL_ACTION_PUBLISH] = {.roles = COMMITTEES},
    [COUNCIL_ACTION_COMMENT] = {.roles = COMMITTEES | R(COUNCIL_MEMBER) | R(LEADER),
                                .member_need = NEED_MEMBER_OR_SUPERVISOR,
                                .fields = F_TEXT},
};

#undef R

/* ---- helpers ------------------------------------------------------------------------------ */

static int is_blank(const char *s)
{
    if (s == NULL)
        return 1;
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    }
    return 1;
}

static size_t bounded_len(const char *s, size_t max)
{
    const char *nul = memchr(s, '\0', max + 1);
    return nul ? (size_t)(nul - s) : max + 1;
}

static int check_text(const char *value, const char *field, int is_required, const char *act,
                      struct errbuf *eb)
{
    if (value != NULL && bounded_len(value, COUNCIL_TEXT_MAX) > COUNCIL_TEXT_MAX)
        return errbuf_set(eb, ERR_INVALID, "field '%s' is longer than %d bytes", field,
                          COUNCIL_TEXT_MAX);
    if (is_required && is_blank(value))
        return errbuf_set(eb, ERR_INVALID, "field '%s' is required for %s", field, act);
    return 0;
}

static int parse_name(const struct name_pair *names, int count, const char *name, int *out)
{
    if (name == NULL)
        return ERR_INVALID;
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i].name, name) == 0) {
            *out = i;
            return 0;
        }
    }
    return ERR_INVALID;
}

/* ---- vote arithmetic ---------------------------------------------------------------------- */

static const struct council_vote_rule vote_rules[COUNCIL_VOTE_KIND_COUNT] = {
    [COUNCIL_VOTE_COUNCIL] = {.quorum = {2, 3, 0}, .majority = {1, 2, 1}},
    [COUNCIL_VOTE_HOUSEHOLDS] = {.quorum = {2, 3, 0}, .majority = {1, 2, 1}},
    [COUNCIL_VOTE_ADULT_RESIDENTS] = {.quorum = {1, 2, 1}, .majority = {1, 2, 1}},
};

int council_vote_rule(enum council_vote_kind kind, struct council_vote_rule *out)
{
    if ((int)kind < 0 || kind >= COUNCIL_VOTE_KIND_COUNT)
        return ERR_INVALID;
    *out = vote_rules[kind];
    return 0;
}

/* count * den >= num * base (or >), in 64 bits so no product overflows. */
static int fraction_met(const struct council_fraction *f, int count, int base)
{
    int64_t lhs = (int64_t)count * f->den, rhs = (int64_t)f->num * base;
    return f->is_strict ? lhs > rhs : lhs >= rhs;
}

int council_fraction_least(const struct council_fraction *f, int base)
{
    /* ceil(num * base / den), plus one when strict and that is exact */
    int64_t prod = (int64_t)f->num * base;
    int64_t least = (prod + f->den - 1) / f->den;
    if (f->is_strict && least * f->den == prod)
        least++;
    return (int)least;
}

int council_count_vote(const struct council_vote_rule *rule, const struct council_tally *t,
                       struct council_vote_result *out, struct errbuf *eb)
{
    memset(out, 0, sizeof(*out));
    if (rule->quorum.den <= 0 || rule->majority.den <= 0 || rule->quorum.num < 0 ||
        rule->majority.num < 0)
        return errbuf_set(eb, ERR_INVALID, "vote rule has a bad fraction");
    if (t->eligible <= 0)
        return errbuf_set(eb, ERR_INVALID, "field 'eligible' must be at least 1");
    if (t->present < 0 || t->present > t->eligible)
        return errbuf_set(eb, ERR_INVALID, "field 'present' must be 0..%d (the eligible)",
                          t->eligible);
    if (t->yes < 0 || t->no < 0 || t->abstain < 0)
        return errbuf_set(eb, ERR_INVALID, "votes must not be negative");
    if ((int64_t)t->yes + t->no + t->abstain > t->present)
        return errbuf_set(eb, ERR_INVALID, "yes + no + abstain (%lld) is more than present (%d)",
                          (long long)t->yes + t->no + t->abstain, t->present);
    out->quorum_needed = council_fraction_least(&rule->quorum, t->eligible);
    out->majority_needed = council_fraction_least(&rule->majority, t->present);
    out->is_quorate = fraction_met(&rule->quorum, t->present, t->eligible);
    out->is_passed = out->is_quorate && fraction_met(&rule->majority, t->yes, t->present);
    return 0;
}

/* ---- membership ----------------------------------------------------------------------------- */

int council_check_size(int members, struct errbuf *eb)
{
    if (members < COUNCIL_MEMBERS_MIN || members > COUNCIL_MEMBERS_MAX)
        return errbuf_set(eb, ERR_INVALID, "a council has %d to %d members, not %d",
                          COUNCIL_MEMBERS_MIN, COUNCIL_MEMBERS_MAX, members);
    return 0;
}

int council_check_term(int64_t start_ms, int64_t end_ms, struct errbuf *eb)
{
    const int64_t year_ms = 366LL * 24 * 3600 * 1000;

    if (start_ms <= 0 || end_ms <= start_ms)
        return errbuf_set(eb, ERR_INVALID, "a term must end after it starts");
    if (end_ms - start_ms > COUNCIL_TERM_YEARS_MAX * year_ms)
        return errbuf_set(eb, ERR_INVALID, "a term lasts at most %d years", COUNCIL_TERM_YEARS_MAX);
    return 0;
}

int council_term_covers(int64_t start_ms, int64_t end_ms, int64_t at_ms)
{
    return start_ms <= at_ms && at_ms < end_ms;
}

int council_check_min_cosigners(int n, struct errbuf *eb)
{
    if (n < 1 || n > COUNCIL_COSIGNERS_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'min_cosigners' must be 1..%d",
                          COUNCIL_COSIGNERS_MAX);
    return 0;
}

/* ---- the topic decision ------------------------------------------------------------------- */

static int check_facts(const struct council_topic_facts *f, struct errbuf *eb)
{
    if ((int)f->state < 0 || f->state >= COUNCIL_STATE_COUNT)
        return errbuf_set(eb, ERR_INVALID, "topic state %d is not a state", (int)f->state);
    if ((int)f->proposer < 0 || f->proposer >= COUNCIL_PROPOSER_COUNT)
        return errbuf_set(eb, ERR_INVALID, "topic proposer %d is not a proposer", (int)f->proposer);
    if (f->cosigners < 0 || f->min_cosigners < 0 || f->opinions < 0 || f->tasks < 0 ||
        f->open_tasks < 0 || f->open_tasks > f->tasks || f->notes < 0)
        return errbuf_set(eb, ERR_INVALID, "topic counts are inconsistent");
    return 0;
}

static int check_state(const struct council_topic_facts *f, enum council_action action,
                       struct errbuf *eb)
{
    const char *act = action_names[action].name;

    if (transitions[f->state][action] == 0)
        return errbuf_set(eb, ERR_INVALID_TRANSITION, "cannot %s a topic that is %s", act,
                          state_names[f->state].name);
    switch (action) {
    case COUNCIL_ACTION_COSIGN:
        if (f->proposer != COUNCIL_PROPOSER_RESIDENTS)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot cosign: the topic was proposed by the committees");
        break;
    case COUNCIL_ACTION_ACCEPT:
        if (f->proposer == COUNCIL_PROPOSER_RESIDENTS && f->cosigners < f->min_cosigners)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot accept: %d co-signers, the council requires %d", f->cosigners,
                              f->min_cosigners);
        break;
    case COUNCIL_ACTION_OPEN_VOTE:
        if (f->opinions == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot open the vote: no consultation opinion was recorded");
        break;
    case COUNCIL_ACTION_COMPLETE_TASK:
        if (f->open_tasks == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot complete a task: no task is open");
        break;
    case COUNCIL_ACTION_SUBMIT:
        if (f->tasks == 0 || f->open_tasks > 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION, "cannot submit: %s",
                              f->tasks == 0 ? "no execution task" : "execution tasks are open");
        break;
    case COUNCIL_ACTION_SIGN_OFF:
        if (f->notes == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot sign off: no supervision note was recorded");
        break;
    case COUNCIL_ACTION_PUBLISH:
        if (f->is_published)
            return errbuf_set(eb, ERR_INVALID_TRANSITION, "the topic is already published");
        break;
    default:
        break;
    }
    return 0;
}

static int check_actor(const struct council_actor *a, enum council_action action, struct errbuf *eb)
{
    const struct action_rule *rule = &action_rules[action];
    const char *act = action_names[action].name;
    int is_role = (int)a->role >= 0 && a->role < ROLE_COUNT && (rule->roles & (1u << a->role));

    if (!is_role && !(rule->is_proposer_allowed && a->is_proposer))
        return errbuf_set(eb, ERR_FORBIDDEN, "role %s may not %s a topic",
                          (int)a->role >= 0 && a->role < ROLE_COUNT ? access_role_name(a->role)
                                                                    : "(unknown)",
                          act);
    if (!a->is_in_scope)
        return errbuf_set(eb, ERR_FORBIDDEN, "the topic is outside your area");
    /* co-signers are other residents: the proposer's own name is already on the topic */
    if (action == COUNCIL_ACTION_COSIGN && a->is_proposer)
        return errbuf_set(eb, ERR_FORBIDDEN, "the proposer does not co-sign their own topic");
    if (is_role && a->role == ROLE_COUNCIL_MEMBER) {
        switch ((enum member_need)rule->member_need) {
        case NEED_MEMBER:
            if (!a->is_member)
                return errbuf_set(eb, ERR_FORBIDDEN, "only a member of this council may %s", act);
            break;
        case NEED_MEMBER_OR_SUPERVISOR:
            if (!a->is_member && !a->is_supervisor)
                return errbuf_set(eb, ERR_FORBIDDEN,
                                  "only a member or supervisor of this council may %s", act);
            break;
        case NEED_SUPERVISOR:
            if (!a->is_supervisor)
                return errbuf_set(eb, ERR_FORBIDDEN,
                                  "only the supervision committee of this council may %s", act);
            break;
        case NEED_NONE:
            break;
        }
    }
    return 0;
}

static int check_fields(const struct council_input *in, struct council_vote_result *vote,
                        struct errbuf *eb)
{
    unsigned need = action_rules[in->action].fields;
    const char *act = action_names[in->action].name;
    struct council_vote_rule rule;
    int r;

    if ((r = check_text(in->text, "text", need & F_TEXT, act, eb)) ||
        (r = check_text(in->reason, "reason", need & F_REASON, act, eb)))
        return r;
    if (need & F_TALLY) {
        if (council_vote_rule(in->vote_kind, &rule) != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "field 'vote_kind' must be council, households or adults");
        if (in->vote_kind == COUNCIL_VOTE_COUNCIL && in->tally.eligible > COUNCIL_MEMBERS_MAX)
            return errbuf_set(eb, ERR_INVALID, "a council vote has at most %d eligible members",
                              COUNCIL_MEMBERS_MAX);
        return council_count_vote(&rule, &in->tally, vote, eb);
    }
    return 0;
}

int council_apply(const struct council_topic_facts *f, const struct council_actor *a,
                  const struct council_input *in, struct council_result *out, struct errbuf *eb)
{
    unsigned char cell;
    int r;

    assert(f != NULL && a != NULL && in != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    if ((r = check_facts(f, eb)) != 0)
        return r;
    if ((int)in->action < 0 || in->action >= COUNCIL_ACTION_COUNT)
        return errbuf_set(eb, ERR_INVALID, "action %d is not an action", (int)in->action);
    if ((r = check_state(f, in->action, eb)) != 0 || (r = check_actor(a, in->action, eb)) != 0 ||
        (r = check_fields(in, &out->vote, eb)) != 0) {
        memset(out, 0, sizeof(*out));
        return r;
    }
    cell = transitions[f->state][in->action];
    if (cell == SAME)
        out->to = f->state;
    else if (cell == VOTE)
        out->to = out->vote.is_passed ? COUNCIL_STATE_REVIEW : COUNCIL_STATE_REJECTED;
    else
        out->to = (enum council_state)(cell - 1);
    out->is_published = f->is_published || in->action == COUNCIL_ACTION_PUBLISH;
    return 0;
}

unsigned council_allowed_actions(const struct council_topic_facts *f, const struct council_actor *a)
{
    unsigned mask = 0;

    if (f == NULL || a == NULL || check_facts(f, NULL) != 0)
        return 0;
    for (int i = 0; i < COUNCIL_ACTION_COUNT; i++) {
        if (check_state(f, (enum council_action)i, NULL) == 0 &&
            check_actor(a, (enum council_action)i, NULL) == 0)
            mask |= COUNCIL_ACTION_BIT(i);
    }
    return mask;
}

int council_state_is_open(enum council_state s)
{
    return (int)s >= 0 && s <= COUNCIL_STATE_SUPERVISION;
}

/* ---- names -------------------------------------------------------------------------------- */

#define NAME_FUNCS(prefix, type, table, count)                                                     \
    const char *prefix##_name(type v)                                                              \
    {                                                                                              \
        return (int)v >= 0 && (int)v < (count) ? table[v].name : NULL;                             \
    }                                                                                              \
    int prefix##_parse(const char *name, type *out)                                                \
    {                                                                                              \
        int v;                                                                                     \
        if (parse_name(table, (count), name, &v) != 0)                                             \
            return ERR_INVALID;                                                                    \
        *out = (type)v;                                                                            \
        return 0;                                                                                  \
    }

NAME_FUNCS(council_state, enum council_state, state_names, COUNCIL_STATE_COUNT)
NAME_FUNCS(council_action, enum council_action, action_names, COUNCIL_ACTION_COUNT)
NAME_FUNCS(council_proposer, enum council_proposer, proposer_names, COUNCIL_PROPOSER_COUNT)
NAME_FUNCS(council_vote_kind, enum council_vote_kind, vote_kind_names, COUNCIL_VOTE_KIND_COUNT)

const char *council_state_name_zh(enum council_state s)
{
    return (int)s >= 0 && s < COUNCIL_STATE_COUNT ? state_names[s].zh : NULL;
}

const char *council_action_name_zh(enum council_action a)
{
    return (int)a >= 0 && a < COUNCIL_ACTION_COUNT ? action_names[a].zh : NULL;
}
