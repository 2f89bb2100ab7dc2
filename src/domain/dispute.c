/*
 * dispute.c - the dispute state machine: a transition table (state × action), a rule per
 * action (roles, whether a mediator must be assigned, required fields, outcome) and one pure
 * dispute_apply(). The contract, with the full tables in words, is in dispute.h; the tests in
 * tests/unit/test_dispute.c restate them independently. Pure and thread-safe.
 */
#include "domain/dispute.h"

#include "domain/areacode.h"

#include <assert.h>
#include <string.h>

struct name_pair {
    const char *name;
    const char *zh;
};

#define NAME_ROW(name, str, zh) {str, zh},

static const struct name_pair state_names[DISPUTE_STATE_COUNT] = {DISPUTE_STATE_MAP(NAME_ROW)};
static const struct name_pair action_names[DISPUTE_ACTION_COUNT] = {DISPUTE_ACTION_MAP(NAME_ROW)};
static const struct name_pair type_names[DISPUTE_TYPE_COUNT] = {DISPUTE_TYPE_MAP(NAME_ROW)};
static const struct name_pair risk_names[DISPUTE_RISK_COUNT] = {DISPUTE_RISK_MAP(NAME_ROW)};
static const struct name_pair mediator_role_names[MEDIATOR_ROLE_COUNT] = {
    MEDIATOR_ROLE_MAP(NAME_ROW)};
static const struct name_pair outcome_names[DISPUTE_OUTCOME_COUNT] = {
    DISPUTE_OUTCOME_MAP(NAME_ROW)};
static const struct name_pair referral_names[DISPUTE_REFERRAL_COUNT] = {
    DISPUTE_REFERRAL_MAP(NAME_ROW)};

#undef NAME_ROW

/* ---- the transition table: 0 = refused, SAME = stays, else to-state + 1 ----------------- */

#define SAME   0xff
#define TO(st) (DISPUTE_STATE_##st + 1)

static const unsigned char transitions[DISPUTE_STATE_COUNT][DISPUTE_ACTION_COUNT] = {
    [DISPUTE_STATE_REGISTERED] =
        {
            [DISPUTE_ACTION_ACCEPT] = TO(ACCEPTED),
            [DISPUTE_ACTION_ASSIGN_MEDIATOR] = SAME,
            [DISPUTE_ACTION_ESCALATE] = SAME,
            [DISPUTE_ACTION_REFER] = TO(REFERRED),
            [DISPUTE_ACTION_WITHDRAW] = TO(WITHDRAWN),
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
    [DISPUTE_STATE_ACCEPTED] =
        {
            [DISPUTE_ACTION_START_MEDIATION] = TO(MEDIATING),
            [DISPUTE_ACTION_ASSIGN_MEDIATOR] = SAME,
            [DISPUTE_ACTION_ESCALATE] = SAME,
            [DISPUTE_ACTION_REFER] = TO(REFERRED),
            [DISPUTE_ACTION_WITHDRAW] = TO(WITHDRAWN),
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
    [DISPUTE_STATE_MEDIATING] =
        {
            [DISPUTE_ACTION_RECORD_SESSION] = SAME,
            [DISPUTE_ACTION_ASSIGN_MEDIATOR] = SAME,
            [DISPUTE_ACTION_REACH_AGREEMENT] = TO(AGREED),
            [DISPUTE_ACTION_CONCLUDE] = TO(CONCLUDED),
            [DISPUTE_ACTION_REFER] = TO(REFERRED),
            [DISPUTE_ACTION_WITHDRAW] = TO(WITHDRAWN),
            [DISPUTE_ACTION_ESCALATE] = TO(ACCEPTED),
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
    [DISPUTE_STATE_AGREED] =
        {
            [DISPUTE_ACTION_FOLLOW_UP] = SAME,
            [DISPUTE_ACTION_REOPEN] = TO(MEDIATING),
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
    [DISPUTE_STATE_CONCLUDED] =
        {
            [DISPUTE_ACTION_FOLLOW_UP] = SAME,
            [DISPUTE_ACTION_REOPEN] = TO(MEDIATING),
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
    [DISPUTE_STATE_REFERRED] =
        {
            [DISPUTE_ACTION_FOLLOW_UP] = SAME,
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
    [DISPUTE_STATE_WITHDRAWN] =
        {
            [DISPUTE_ACTION_COMMENT] = SAME,
        },
};

/* ---- the rule per action ------------------------------------------------------------------ */

#define R(role)    (1u << ROLE_##role)
#define F_TEXT     (1u << 0)
#define F_REASON   (1u << 1)
#define F_REFERRAL (1u << 2)
#define F_MEDIATOR (1u << 3) /* mediator_role and mediator_name */

struct action_rule {
    unsigned roles;
    int is_assigned_only; /* a mediator must be assigned to the dispute */
    unsigned fields;
};

#define MEDIATION_ROLES (R(MEDIATOR) | R(COMMUNITY_STAFF) | R(ADMIN))
#define CLOSING_ROLES   (R(MEDIATOR) | R(COMMUNITY_STAFF) | R(DISPATCHER) | R(ADMIN))

static const struct action_rule action_rules[DISPUTE_ACTION_COUNT] = {
    [DISPUTE_ACTION_ACCEPT] = {.roles = R(COMMUNITY_STAFF) | R(STATION_CADRE) | R(DISPATCHER) |
                                        R(MEDIATOR) | R(ADMIN)},
    [DISPUTE_ACTION_ASSIGN_MEDIATOR] = {.roles = R(COMMUNITY_STAFF) | R(STATION_CADRE) |
                                                 R(DISPATCHER) | R(ADMIN),
                                        .fields = F_MEDIATOR},
    [DISPUTE_ACTION_START_MEDIATION] = {.roles = MEDIATION_ROLES, .is_assigned_only = 1},
    [DISPUTE_ACTION_RECORD_SESSION] = {.roles = MEDIATION_ROLES,
                                       .is_assigned_only = 1,
                                       .fields = F_TEXT},
    [DISPUTE_ACTION_REACH_AGREEMENT] = {.roles = MEDIATION_ROLES,
                                        .is_assigned_only = 1,
                                        .fields = F_TEXT},
    [DISPUTE_ACTION_CONCLUDE] = {.roles = MEDIATION_ROLES, .is_assigned_only = 1, .fields = F_TEXT},
    [DISPUTE_ACTION_REFER] = {.roles = CLOSING_ROLES,
                              .is_assigned_only = 1,
                              .fields = F_REASON | F_REFERRAL},
    [DISPUTE_ACTION_WITHDRAW] = {.roles = CLOSING_ROLES, .is_assigned_only = 1, .fields = F_REASON},
    [DISPUTE_ACTION_ESCALATE] = {.roles = R(MEDIATOR) | R(COMMUNITY_STAFF) | R(STATION_CADRE) |
                                          R(DISPATCHER) | R(ADMIN),
                                 .is_assigned_only = 1,
                                 .fields = F_REASON},
    [DISPUTE_ACTION_FOLLOW_UP] = {.roles =
                                      R(GRID_WORKER) | R(MEDIATOR) | R(COMMUNITY_STAFF) | R(ADMIN),
                                  .fields = F_TEXT},
    [DISPUTE_ACTION_REOPEN] = {.roles = CLOSING_ROLES, .is_assigned_only = 1, .fields = F_REASON},
    [DISPUTE_ACTION_COMMENT] = {.roles = R(GRID_WORKER) | R(COMMUNITY_STAFF) | R(STATION_CADRE) |
                                         R(DISPATCHER) | R(MEDIATOR) | R(LEADER) | R(ADMIN),
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

/* Bytes of s, or max + 1 if longer (never reads past max + 1 bytes). */
static size_t bounded_len(const char *s, size_t max)
{
    const char *nul = memchr(s, '\0', max + 1);
    return nul ? (size_t)(nul - s) : max + 1;
}

static int check_text(const char *value, const char *field, size_t max, int is_required,
                      const char *act, struct errbuf *eb)
{
    if (value != NULL && bounded_len(value, max) > max)
        return errbuf_set(eb, ERR_INVALID, "field '%s' is longer than %zu bytes", field, max);
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

/* ---- the decision ------------------------------------------------------------------------- */

static int check_facts(const struct dispute_facts *f, struct errbuf *eb)
{
    if ((int)f->state < 0 || f->state >= DISPUTE_STATE_COUNT)
        return errbuf_set(eb, ERR_INVALID, "dispute state %d is not a state", (int)f->state);
    if (f->level < AREA_PROVINCE || f->level > AREA_COMMUNITY)
        return errbuf_set(eb, ERR_INVALID, "dispute level %d is not 1..5", f->level);
    if (f->mediator_count < 0 || f->session_count < 0)
        return errbuf_set(eb, ERR_INVALID, "dispute counts are negative");
    if ((int)f->outcome < 0 || f->outcome >= DISPUTE_OUTCOME_COUNT)
        return errbuf_set(eb, ERR_INVALID, "dispute outcome %d is not an outcome", (int)f->outcome);
    return 0;
}

static int check_state(const struct dispute_facts *f, enum dispute_action action, struct errbuf *eb)
{
    const char *act = action_names[action].name;

    if (transitions[f->state][action] == 0)
        return errbuf_set(eb, ERR_INVALID_TRANSITION, "cannot %s a dispute that is %s", act,
                          state_names[f->state].name);
    switch (action) {
    case DISPUTE_ACTION_ESCALATE:
        if (f->level <= AREA_PROVINCE)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot escalate: the dispute is already at the province level");
        break;
    case DISPUTE_ACTION_START_MEDIATION:
        if (f->mediator_count == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot start mediation: no mediator is assigned");
        break;
    case DISPUTE_ACTION_REACH_AGREEMENT:
    case DISPUTE_ACTION_CONCLUDE:
        if (f->session_count == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot %s: no mediation session was recorded", act);
        break;
    default:
        break;
    }
    return 0;
}

static int check_actor(const struct dispute_actor *a, enum dispute_action action, struct errbuf *eb)
{
    const struct action_rule *rule = &action_rules[action];
    const char *act = action_names[action].name;

    if ((int)a->role < 0 || a->role >= ROLE_COUNT || (rule->roles & (1u << a->role)) == 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "role %s may not %s a dispute",
                          (int)a->role >= 0 && a->role < ROLE_COUNT ? access_role_name(a->role)
                                                                    : "(unknown)",
                          act);
    if (!a->is_in_scope)
        return errbuf_set(eb, ERR_FORBIDDEN, "the dispute is outside your area");
    if (a->role == ROLE_MEDIATOR && rule->is_assigned_only && !a->is_assigned_mediator)
        return errbuf_set(eb, ERR_FORBIDDEN, "only a mediator assigned to the dispute may %s it",
                          act);
    return 0;
}

static int check_fields(const struct dispute_input *in, struct errbuf *eb)
{
    unsigned need = action_rules[in->action].fields;
    const char *act = action_names[in->action].name;
    int v, r;

    if ((r = check_text(in->text, "text", DISPUTE_TEXT_MAX, need & F_TEXT, act, eb)) ||
        (r = check_text(in->reason, "reason", DISPUTE_TEXT_MAX, need & F_REASON, act, eb)) ||
        (r = check_text(in->mediator_name, "mediator_name", DISPUTE_NAME_MAX, need & F_MEDIATOR,
                        act, eb)))
        return r;
    if ((need & F_REFERRAL) &&
        parse_name(referral_names, DISPUTE_REFERRAL_COUNT, in->referral, &v) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'referral' must be court, arbitration or petition_office");
    if ((need & F_MEDIATOR) &&
        parse_name(mediator_role_names, MEDIATOR_ROLE_COUNT, in->mediator_role, &v) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'mediator_role' must be peoples_mediator, judge, prosecutor, "
                          "police_officer or lawyer");
    return 0;
}

static void apply_rules(const struct dispute_facts *f, const struct dispute_input *in,
                        struct dispute_result *out)
{
    unsigned char cell = transitions[f->state][in->action];
    int referral = 0;

    out->to = cell == SAME ? f->state : (enum dispute_state)(cell - 1);
    out->level = f->level;
    out->outcome = f->outcome;
    switch (in->action) {
    case DISPUTE_ACTION_ASSIGN_MEDIATOR:
        out->is_mediator = 1;
        break;
    case DISPUTE_ACTION_RECORD_SESSION:
        out->is_session = 1;
        break;
    case DISPUTE_ACTION_REACH_AGREEMENT:
        out->outcome = DISPUTE_OUTCOME_AGREEMENT;
        break;
    case DISPUTE_ACTION_CONCLUDE:
        out->outcome = DISPUTE_OUTCOME_CONCLUDED;
        break;
    case DISPUTE_ACTION_REFER:
        (void)parse_name(referral_names, DISPUTE_REFERRAL_COUNT, in->referral, &referral);
        out->outcome = referral == DISPUTE_REFERRAL_COURT ? DISPUTE_OUTCOME_REFERRED_COURT
                       : referral == DISPUTE_REFERRAL_ARBITRATION
                           ? DISPUTE_OUTCOME_REFERRED_ARBITRATION
                           : DISPUTE_OUTCOME_REFERRED_PETITION;
        break;
    case DISPUTE_ACTION_WITHDRAW:
        out->outcome = DISPUTE_OUTCOME_WITHDRAWN;
        break;
    case DISPUTE_ACTION_ESCALATE:
        out->level = f->level - 1;
        break;
    case DISPUTE_ACTION_FOLLOW_UP:
        out->is_follow_up = 1;
        break;
    case DISPUTE_ACTION_REOPEN:
        out->outcome = DISPUTE_OUTCOME_NONE; /* the agreement did not hold */
        break;
    default:
        break;
    }
}

int dispute_apply(const struct dispute_facts *f, const struct dispute_actor *a,
                  const struct dispute_input *in, struct dispute_result *out, struct errbuf *eb)
{
    int r;

    assert(f != NULL && a != NULL && in != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    if ((r = check_facts(f, eb)) != 0)
        return r;
    if ((int)in->action < 0 || in->action >= DISPUTE_ACTION_COUNT)
        return errbuf_set(eb, ERR_INVALID, "action %d is not an action", (int)in->action);
    if ((r = check_state(f, in->action, eb)) != 0 || (r = check_actor(a, in->action, eb)) != 0 ||
        (r = check_fields(in, eb)) != 0)
        return r;
    apply_rules(f, in, out);
    return 0;
}

unsigned dispute_allowed_actions(const struct dispute_facts *f, const struct dispute_actor *a)
{
    unsigned mask = 0;

    if (f == NULL || a == NULL || check_facts(f, NULL) != 0)
        return 0;
    for (int i = 0; i < DISPUTE_ACTION_COUNT; i++) {
        if (check_state(f, (enum dispute_action)i, NULL) == 0 &&
            check_actor(a, (enum dispute_action)i, NULL) == 0)
            mask |= DISPUTE_ACTION_BIT(i);
    }
    return mask;
}

int dispute_state_is_open(enum dispute_state s)
{
    return s == DISPUTE_STATE_REGISTERED || s == DISPUTE_STATE_ACCEPTED ||
           s == DISPUTE_STATE_MEDIATING;
}

int dispute_outcome_is_success(enum dispute_outcome o)
{
    return o == DISPUTE_OUTCOME_AGREEMENT || o == DISPUTE_OUTCOME_CONCLUDED;
}

int dispute_initial_level(enum dispute_risk risk, int area_level)
{
    int level;

    if ((int)risk < 0 || risk >= DISPUTE_RISK_COUNT || area_level < AREA_PROVINCE ||
        area_level > AREA_CELL)
        return 0;
    level = risk >= DISPUTE_RISK_HIGH ? AREA_STREET : AREA_COMMUNITY;
    return area_level < level ? area_level : level;
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
#define ZH_FUNC(prefix, type, table, count)                                                        \
    const char *prefix##_name_zh(type v)                                                           \
    {                                                                                              \
        return (int)v >= 0 && (int)v < (count) ? table[v].zh : NULL;                               \
    }

NAME_FUNCS(dispute_state, enum dispute_state, state_names, DISPUTE_STATE_COUNT)
ZH_FUNC(dispute_state, enum dispute_state, state_names, DISPUTE_STATE_COUNT)
NAME_FUNCS(dispute_action, enum dispute_action, action_names, DISPUTE_ACTION_COUNT)
ZH_FUNC(dispute_action, enum dispute_action, action_names, DISPUTE_ACTION_COUNT)
NAME_FUNCS(dispute_type, enum dispute_type, type_names, DISPUTE_TYPE_COUNT)
ZH_FUNC(dispute_type, enum dispute_type, type_names, DISPUTE_TYPE_COUNT)
NAME_FUNCS(dispute_risk, enum dispute_risk, risk_names, DISPUTE_RISK_COUNT)
ZH_FUNC(dispute_risk, enum dispute_risk, risk_names, DISPUTE_RISK_COUNT)
NAME_FUNCS(dispute_mediator_role, enum mediator_role, mediator_role_names, MEDIATOR_ROLE_COUNT)
ZH_FUNC(dispute_mediator_role, enum mediator_role, mediator_role_names, MEDIATOR_ROLE_COUNT)
NAME_FUNCS(dispute_outcome, enum dispute_outcome, outcome_names, DISPUTE_OUTCOME_COUNT)
ZH_FUNC(dispute_outcome, enum dispute_outcome, outcome_names, DISPUTE_OUTCOME_COUNT)
NAME_FUNCS(dispute_referral, enum dispute_referral, referral_names, DISPUTE_REFERRAL_COUNT)
