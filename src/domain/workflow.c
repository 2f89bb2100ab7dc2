/*
 * workflow.c - the case state machine: three tables and one pure decision (see workflow.h).
 *
 * The transition table says which action each state allows and where it leads; the action
 * table says who may take an action, which fields it needs and what effects it has; the role
 * table says which relation to the case a role must have. workflow_apply() and
 * workflow_allowed_actions() share check_state() and check_actor(), so the actions the user
 * interface offers are exactly those workflow_apply() accepts. The few rules a table cannot
 * hold (escalation ladder, reopen window, pending extension, rating that reopens) are in
 * check_state() and apply_rules(), each with its reason.
 *
 * No I/O, no allocation, no clock, no global state: thread-safe. Called by the case service
 * and the deadline sweep.
 */
#include "domain/workflow.h"

#include "base/error.h"

#include <assert.h>
#include <string.h>

_Static_assert(CASE_ACTION_COUNT <= 64, "action masks are unsigned long long");
_Static_assert(ROLE_COUNT <= 32, "role masks are unsigned");

/* ---- names ------------------------------------------------------------------------------ */

struct name_row {
    const char *name;
    const char *name_zh;
};

static const struct name_row state_names[CASE_STATE_COUNT] = {
#define CASE_STATE_GEN_ROW(name, str, zh) {str, zh},
    CASE_STATE_MAP(CASE_STATE_GEN_ROW)
#undef CASE_STATE_GEN_ROW
};

static const struct name_row action_names[CASE_ACTION_COUNT] = {
#define CASE_ACTION_GEN_ROW(name, str, zh) {str, zh},
    CASE_ACTION_MAP(CASE_ACTION_GEN_ROW)
#undef CASE_ACTION_GEN_ROW
};

static const struct name_row outcome_names[OUTCOME_COUNT] = {
#define CASE_OUTCOME_GEN_ROW(name, str, zh) {str, zh},
    CASE_OUTCOME_MAP(CASE_OUTCOME_GEN_ROW)
#undef CASE_OUTCOME_GEN_ROW
};

static const struct name_row outcome_reason_names[] = {
#define OUTCOME_REASON_GEN_ROW(name, str, zh) {str, zh},
    OUTCOME_REASON_MAP(OUTCOME_REASON_GEN_ROW)
#undef OUTCOME_REASON_GEN_ROW
};

static const struct name_row supervision_names[SUPERVISION_COUNT] = {
#define SUPERVISION_GEN_ROW(name, str, zh) {str, zh},
    SUPERVISION_MAP(SUPERVISION_GEN_ROW)
#undef SUPERVISION_GEN_ROW
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

static const char *row_name(const struct name_row *rows, size_t n, int i, int zh)
{
    if (i < 0 || (size_t)i >= n)
        return NULL;
    return zh ? rows[i].name_zh : rows[i].name;
}

static int row_parse(const struct name_row *rows, size_t n, const char *name)
{
    if (name == NULL)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].name, name) == 0)
            return (int)i;
    }
    return -1;
}

const char *workflow_state_name(enum case_state s)
{
    return row_name(state_names, CASE_STATE_COUNT, (int)s, 0);
}

const char *workflow_state_name_zh(enum case_state s)
{
    return row_name(state_names, CASE_STATE_COUNT, (int)s, 1);
}

int workflow_state_parse(const char *name, enum case_state *out)
{
    int i = row_parse(state_names, CASE_STATE_COUNT, name);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum case_state)i;
    return 0;
}

const char *workflow_action_name(enum case_action action)
{
    return row_name(action_names, CASE_ACTION_COUNT, (int)action, 0);
}

const char *workflow_action_name_zh(enum case_action action)
{
    return row_name(action_names, CASE_ACTION_COUNT, (int)action, 1);
}

int workflow_action_parse(const char *name, enum case_action *out)
{
    int i = row_parse(action_names, CASE_ACTION_COUNT, name);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum case_action)i;
    return 0;
}

const char *workflow_outcome_name(enum case_outcome o)
{
    return row_name(outcome_names, OUTCOME_COUNT, (int)o, 0);
}

const char *workflow_outcome_name_zh(enum case_outcome o)
{
    return row_name(outcome_names, OUTCOME_COUNT, (int)o, 1);
}

int workflow_outcome_parse(const char *name, enum case_outcome *out)
{
    int i = row_parse(outcome_names, OUTCOME_COUNT, name);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum case_outcome)i;
    return 0;
}

const char *workflow_supervision_name(enum supervision_level l)
{
    return row_name(supervision_names, SUPERVISION_COUNT, (int)l, 0);
}

const char *workflow_supervision_name_zh(enum supervision_level l)
{
    return row_name(supervision_names, SUPERVISION_COUNT, (int)l, 1);
}

int workflow_supervision_parse(const char *name, enum supervision_level *out)
{
    int i = row_parse(supervision_names, SUPERVISION_COUNT, name);
    if (i < 0)
        return ERR_INVALID;
    *out = (enum supervision_level)i;
    return 0;
}

int workflow_outcome_reason_is_valid(const char *name)
{
    return row_parse(outcome_reason_names, COUNT_OF(outcome_reason_names), name) >= 0;
}

const char *workflow_outcome_reason_name_zh(const char *name)
{
    int i = row_parse(outcome_reason_names, COUNT_OF(outcome_reason_names), name);
    return i < 0 ? NULL : outcome_reason_names[i].name_zh;
}

/* ---- the transition table --------------------------------------------------------------- */

/*
 * transitions[state][action]: 0 = not allowed; TO(x) = moves to x; SAME = stays; PRIOR = back
 * to state_before_suspend. Stored as state + 1 so that the zero of an omitted cell means "no".
 */
#define TO(s)     ((unsigned char)(CASE_STATE_##s + 1))
#define SAME      ((unsigned char)(CASE_STATE_COUNT + 1))
#define PRIOR     ((unsigned char)(CASE_STATE_COUNT + 2))
#define A(action) [CASE_ACTION_##action]

/* clang-format off */
static const unsigned char transitions[CASE_STATE_COUNT][CASE_ACTION_COUNT] = {
    [CASE_STATE_REPORTED] = {
        A(ACCEPT) = TO(ACCEPTED), A(REJECT) = TO(REJECTED),
        A(RESOLVE_ON_SITE) = TO(RESOLVED_ON_SITE), A(ANSWER) = TO(ANSWERED),
        A(MERGE) = TO(MERGED), A(ESCALATE) = SAME,
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_ACCEPTED] = {
        A(RESOLVE_ON_SITE) = TO(RESOLVED_ON_SITE), A(ANSWER) = TO(ANSWERED),
        A(DISPATCH) = TO(DISPATCHED), A(MERGE) = TO(MERGED), A(ESCALATE) = SAME,
        A(SUSPEND) = TO(SUSPENDED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME, A(ASSIGN) = SAME},
    [CASE_STATE_REJECTED] = {
        A(COMMENT) = SAME},
    [CASE_STATE_RESOLVED_ON_SITE] = {
        A(CLOSE) = TO(CLOSED), A(MERGE) = TO(MERGED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_ANSWERED] = {
        A(CLOSE) = TO(CLOSED), A(MERGE) = TO(MERGED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_DISPATCHED] = {
        A(START) = TO(IN_PROGRESS), A(RETURN) = TO(ACCEPTED),
        A(MERGE) = TO(MERGED), A(ESCALATE) = TO(ACCEPTED), A(SUSPEND) = TO(SUSPENDED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME, A(ASSIGN) = SAME},
    [CASE_STATE_IN_PROGRESS] = {
        A(RETURN) = TO(ACCEPTED), A(HANDLE) = TO(HANDLED),
        A(MERGE) = TO(MERGED), A(ESCALATE) = TO(ACCEPTED),
        A(REQUEST_EXTENSION) = SAME, A(APPROVE_EXTENSION) = SAME, A(DENY_EXTENSION) = SAME,
        A(SUSPEND) = TO(SUSPENDED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_HANDLED] = {
        A(REWORK) = TO(REWORK), A(VERIFY) = TO(VERIFIED), A(MERGE) = TO(MERGED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_REWORK] = {
        A(START) = TO(IN_PROGRESS),
        A(MERGE) = TO(MERGED), A(ESCALATE) = TO(ACCEPTED), A(SUSPEND) = TO(SUSPENDED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_VERIFIED] = {
        A(REWORK) = TO(REWORK), A(CLOSE) = TO(CLOSED), A(MERGE) = TO(MERGED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME},
    [CASE_STATE_CLOSED] = {
        A(EVALUATE) = TO(EVALUATED), A(REOPEN) = TO(REOPENED), A(COMMENT) = SAME},
    [CASE_STATE_EVALUATED] = {
        A(REOPEN) = TO(REOPENED), A(COMMENT) = SAME},
    [CASE_STATE_REOPENED] = {
        A(ACCEPT) = TO(ACCEPTED),
        A(RESOLVE_ON_SITE) = TO(RESOLVED_ON_SITE), A(ANSWER) = TO(ANSWERED),
        A(DISPATCH) = TO(DISPATCHED), A(MERGE) = TO(MERGED), A(ESCALATE) = SAME,
        A(SUSPEND) = TO(SUSPENDED),
        A(URGE) = SAME, A(SUPERVISE) = SAME, A(COMMENT) = SAME, A(ASSIGN) = SAME},
    [CASE_STATE_MERGED] = {0},
    [CASE_STATE_SUSPENDED] = {
        A(CLOSE) = TO(CLOSED), A(MERGE) = TO(MERGED), A(RESUME) = PRIOR,
        A(SUPERVISE) = SAME, A(COMMENT) = SAME},
};
/* clang-format on */

#undef A

/* Finished states; everything else is open (workflow.h says why resolved_on_site and answered
 * are open). */
static const unsigned char state_is_finished[CASE_STATE_COUNT] = {
    [CASE_STATE_REJECTED] = 1,
    [CASE_STATE_CLOSED] = 1,
    [CASE_STATE_EVALUATED] = 1,
    [CASE_STATE_MERGED] = 1,
};

/* States in which a department holds the case: notifications go to it rather than the queue,
 * and escalation takes the case back from it. */
static const unsigned char state_is_with_unit[CASE_STATE_COUNT] = {
    [CASE_STATE_DISPATCHED] = 1,
    [CASE_STATE_IN_PROGRESS] = 1,
    [CASE_STATE_REWORK] = 1,
};

/* The only state an extension request can be pending in (the department is working on it). */
#define EXTENSION_STATE CASE_STATE_IN_PROGRESS

/* ---- the action table ------------------------------------------------------------------- */

enum field {
    F_REASON = 1u << 0,
    F_EVIDENCE = 1u << 1,
    F_TEXT = 1u << 2,
    F_DEPARTMENT = 1u << 3,
    F_MERGE_INTO = 1u << 4,
    F_RATING = 1u << 5,
    F_OUTCOME = 1u << 6,
    F_EXTENSION_DAYS = 1u << 7,
    F_SUPERVISION = 1u << 8,
};

#define R(role) (1u << ROLE_##role)

/* Role sets used by several actions. */
#define STAFF    (R(COMMUNITY_STAFF) | R(DISPATCHER) | R(ADMIN))
#define HANDLER  R(DEPARTMENT_HANDLER)
#define EVERYONE (R(RESIDENT) | R(GRID_WORKER) | STAFF | R(STATION_CADRE) | HANDLER | R(LEADER))

#define FX(e) WORKFLOW_EFFECT_##e

struct action_rule {
    unsigned roles;           /* roles that may take it (with the relation of role_needs) */
    unsigned grid_only_roles; /* of those, roles that may only when the case is in a grid queue */
    int is_system;            /* the deadline sweep may take it */
    unsigned fields;          /* required fields */
    unsigned fx;              /* effects */
    unsigned fx_with_unit;    /* added when a department holds the case before or after */
    unsigned fx_without_unit; /* added otherwise */
};

#define ACT(action) [CASE_ACTION_##action]

static const struct action_rule action_rules[CASE_ACTION_COUNT] = {
    ACT(ACCEPT) = {.roles = STAFF | R(STATION_CADRE), .fx = FX(NEW_DEADLINE) | FX(NOTIFY_REPORTER)},
    ACT(REJECT) = {.roles = STAFF,
                   .fields = F_REASON,
                   .fx = FX(CLEAR_DEADLINE) | FX(NOTIFY_REPORTER)},
    ACT(RESOLVE_ON_SITE) = {.roles = R(GRID_WORKER) | R(COMMUNITY_STAFF) | R(STATION_CADRE),
                            .fields = F_EVIDENCE,
                            .fx = FX(CLEAR_DEADLINE) | FX(NOTIFY_REPORTER)},
    ACT(ANSWER) = {.roles = STAFF | R(STATION_CADRE),
                   .fields = F_TEXT,
                   .fx = FX(CLEAR_DEADLINE) | FX(NOTIFY_REPORTER)},
    ACT(DISPATCH) = {.roles = STAFF,
                     .fields = F_DEPARTMENT,
                     .fx = FX(SET_DEPARTMENT) | FX(NEW_DEADLINE) | FX(NOTIFY_UNIT)},
    /* The dispatch deadline already covers signing for and handling ("计时从派遣开始"). */
    ACT(START) = {.roles = HANDLER},
    ACT(RETURN) = {.roles = HANDLER,
                   .fields = F_REASON,
                   .fx = FX(CLEAR_DEPARTMENT) | FX(NEW_DEADLINE) | FX(NOTIFY_QUEUE)},
    /* The new deadline is the verification's (核查). */
    ACT(HANDLE) = {.roles = HANDLER, .fields = F_TEXT, .fx = FX(NEW_DEADLINE) | FX(NOTIFY_QUEUE)},
    ACT(REWORK) = {.roles = R(GRID_WORKER) | STAFF,
                   .fields = F_REASON,
                   .fx = FX(NEW_DEADLINE) | FX(NOTIFY_UNIT)},
    ACT(VERIFY) = {.roles = R(GRID_WORKER) | R(COMMUNITY_STAFF), .fx = FX(NOTIFY_QUEUE)},
    ACT(CLOSE) = {.roles = STAFF,
                  .fields = F_OUTCOME,
                  .fx = FX(CLEAR_DEADLINE) | FX(NOTIFY_REPORTER) | FX(SET_OUTCOME_REASON)},
    /* A rating of 1-2 may add the reopen effects: apply_rules(). */
    ACT(EVALUATE) = {.roles = R(RESIDENT), .fields = F_RATING, .fx = FX(RECORD_RATING)},
    ACT(REOPEN) = {.roles = R(RESIDENT) | STAFF,
                   .fields = F_REASON,
                   .fx = FX(NEW_DEADLINE) | FX(NOTIFY_QUEUE) | FX(CLEAR_OUTCOME_REASON)},
    ACT(MERGE) = {.roles = STAFF,
                  .fields = F_MERGE_INTO,
                  .fx = FX(CLEAR_DEADLINE) | FX(NOTIFY_REPORTER) | FX(SET_MERGED_INTO),
                  .fx_with_unit = FX(NOTIFY_UNIT)},
    ACT(ESCALATE) = {.roles = R(GRID_WORKER) | STAFF,
                     .grid_only_roles = R(GRID_WORKER),
                     .is_system = 1,
                     .fields = F_REASON,
                     .fx = FX(CLEAR_DEPARTMENT) | FX(NEW_DEADLINE) | FX(NOTIFY_QUEUE),
                     .fx_with_unit = FX(NOTIFY_UNIT)},
    ACT(REQUEST_EXTENSION) = {.roles = HANDLER,
                              .fields = F_REASON | F_EXTENSION_DAYS,
                              .fx = FX(NOTIFY_QUEUE)},
    ACT(APPROVE_EXTENSION) = {.roles = STAFF, .fx = FX(EXTEND_DEADLINE) | FX(NOTIFY_UNIT)},
    ACT(DENY_EXTENSION) = {.roles = STAFF, .fields = F_REASON, .fx = FX(NOTIFY_UNIT)},
    ACT(SUSPEND) = {.roles = STAFF,
                    .fields = F_REASON,
                    .fx = FX(PAUSE_CLOCK) | FX(NOTIFY_REPORTER),
                    .fx_with_unit = FX(NOTIFY_UNIT)},
    ACT(RESUME) = {.roles = STAFF,
                   .fx = FX(RESUME_CLOCK) | FX(NOTIFY_REPORTER),
                   .fx_with_unit = FX(NOTIFY_UNIT)},
    ACT(URGE) = {.roles = STAFF | R(LEADER),
                 .is_system = 1,
                 .fx_with_unit = FX(NOTIFY_UNIT),
                 .fx_without_unit = FX(NOTIFY_QUEUE)},
    ACT(SUPERVISE) = {.roles = R(LEADER),
                      .is_system = 1,
                      .fields = F_SUPERVISION,
                      .fx_with_unit = FX(NOTIFY_UNIT),
                      .fx_without_unit = FX(NOTIFY_QUEUE)},
    ACT(COMMENT) = {.roles = EVERYONE, .fields = F_TEXT},
    /* Reassigning a dispatched case (改派) gives the new unit its own full deadline. */
    ACT(ASSIGN) = {.roles = STAFF,
                   .fields = F_DEPARTMENT,
                   .fx = FX(SET_DEPARTMENT),
                   .fx_with_unit = FX(NEW_DEADLINE) | FX(NOTIFY_UNIT)},
};

#undef ACT

/* ---- the role table: the relation to the case a role must have ------------------------- */

enum relation {
    NEED_SCOPE = 0,                     /* the case's area is in the actor's subtree */
    NEED_REPORTER,                      /* the resident who reported it (scope does not matter) */
    NEED_SCOPE_AND_HANDLING_DEPARTMENT, /* and of the unit the case is dispatched to */
};

static const unsigned char role_needs[ROLE_COUNT] = {
    [ROLE_RESIDENT] = NEED_REPORTER,
    [ROLE_DEPARTMENT_HANDLER] = NEED_SCOPE_AND_HANDLING_DEPARTMENT,
};

/* ---- the decision ----------------------------------------------------------------------- */

static int state_is_valid(int s)
{
    return s >= 0 && s < CASE_STATE_COUNT;
}

static int action_is_valid(int action)
{
    return action >= 0 && action < CASE_ACTION_COUNT;
}

/* A case the store could not have produced is a caller bug, refused rather than guessed at. */
static int check_case(const struct workflow_case *c, struct errbuf *eb)
{
    if (!state_is_valid((int)c->state))
        return errbuf_set(eb, ERR_INVALID, "case state %d is not a state", (int)c->state);
    if (c->queue_level < AREA_PROVINCE || c->queue_level > AREA_GRID)
        return errbuf_set(eb, ERR_INVALID, "case queue level %d is not 1..6", c->queue_level);
    if ((int)c->supervision < 0 || c->supervision >= SUPERVISION_COUNT)
        return errbuf_set(eb, ERR_INVALID, "case supervision %d is not a level",
                          (int)c->supervision);
    if ((int)c->outcome < 0 || c->outcome >= OUTCOME_COUNT)
        return errbuf_set(eb, ERR_INVALID, "case outcome %d is not an outcome", (int)c->outcome);
    /* Resume returns to state_before_suspend: it must be a state that could have been
     * suspended, or resume would invent a history. */
    if (c->state == CASE_STATE_SUSPENDED &&
        (!state_is_valid((int)c->state_before_suspend) ||
         transitions[c->state_before_suspend][CASE_ACTION_SUSPEND] != TO(SUSPENDED)))
        return errbuf_set(eb, ERR_INVALID, "suspended case has no valid state before suspend");
    return 0;
}

static int is_within_reopen_window(const struct workflow_case *c, int64_t now_ms,
                                   int64_t reopen_window_ms)
{
    if (c->closed_ms <= 0 || reopen_window_ms < 0)
        return 0;
    if (now_ms <= c->closed_ms) /* a clock behind the close time: still inside */
        return 1;
    return now_ms - c->closed_ms <= reopen_window_ms;
}

/* Does the state (and what the case record says) allow the action? ERR_INVALID_TRANSITION if
 * not. The conditions beyond the table are all facts about the case, not about who acts. */
static int check_state(const struct workflow_case *c, enum case_action action, int64_t now_ms,
                       int64_t reopen_window_ms, struct errbuf *eb)
{
    const char *act = action_names[action].name;
    const char *st = state_names[c->state].name;
    int pending = c->state == EXTENSION_STATE && c->has_pending_extension;

    if (transitions[c->state][action] == 0)
        return errbuf_set(eb, ERR_INVALID_TRANSITION, "cannot %s a case that is %s", act, st);
    switch (action) {
    case CASE_ACTION_ESCALATE:
        if (c->queue_level <= AREA_PROVINCE)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot escalate: the case is already at the province level");
        break;
    case CASE_ACTION_REOPEN:
        if (!is_within_reopen_window(c, now_ms, reopen_window_ms))
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot reopen: the reopen window has passed");
        break;
    case CASE_ACTION_REQUEST_EXTENSION:
        if (pending)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot request an extension: one is already pending");
        break;
    case CASE_ACTION_APPROVE_EXTENSION:
    case CASE_ACTION_DENY_EXTENSION:
        if (!pending)
            return errbuf_set(eb, ERR_INVALID_TRANSITION, "cannot %s: no extension is pending",
                              act);
        break;
    default:
        break;
    }
    return 0;
}

/* May this actor take the action on this case? ERR_FORBIDDEN if not. */
static int check_actor(const struct workflow_case *c, const struct workflow_actor *a,
                       enum case_action action, struct errbuf *eb)
{
    const struct action_rule *rule = &action_rules[action];
    const char *act = action_names[action].name;

    if (a->is_system) {
        if (!rule->is_system)
            return errbuf_set(eb, ERR_FORBIDDEN, "the system may not %s a case", act);
        return 0;
    }
    if ((int)a->role < 0 || a->role >= ROLE_COUNT || (rule->roles & (1u << a->role)) == 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "role %s may not %s a case",
                          (int)a->role >= 0 && a->role < ROLE_COUNT ? access_role_name(a->role)
                                                                    : "(unknown)",
                          act);
    switch ((enum relation)role_needs[a->role]) {
    case NEED_REPORTER:
        if (!a->is_reporter)
            return errbuf_set(eb, ERR_FORBIDDEN, "only the reporter may %s this case", act);
        break;
    case NEED_SCOPE_AND_HANDLING_DEPARTMENT:
        if (!a->is_in_scope)
            return errbuf_set(eb, ERR_FORBIDDEN, "the case is outside your area");
        if (!a->is_handling_department)
            return errbuf_set(eb, ERR_FORBIDDEN,
                              "only the department the case is dispatched to may %s it", act);
        break;
    case NEED_SCOPE:
        if (!a->is_in_scope)
            return errbuf_set(eb, ERR_FORBIDDEN, "the case is outside your area");
        break;
    }
    /* "小事不出网格": a grid worker passes a case up from the grid, never from above it. */
    if ((rule->grid_only_roles & (1u << a->role)) != 0 && c->queue_level != AREA_GRID)
        return errbuf_set(eb, ERR_FORBIDDEN, "role %s may %s only a case in a grid's queue",
                          access_role_name(a->role), act);
    return 0;
}

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

/* Bytes of s, or max + 1 if longer than max (never reads past max + 1 bytes). */
static size_t bounded_len(const char *s, size_t max)
{
    const char *nul = memchr(s, '\0', max + 1);
    return nul ? (size_t)(nul - s) : max + 1;
}

/* A text field: required or not, and its bound. */
static int check_text(const char *value, const char *field, size_t max, int required,
                      const char *act, struct errbuf *eb)
{
    if (value != NULL && bounded_len(value, max) > max)
        return errbuf_set(eb, ERR_INVALID, "field '%s' is longer than %zu bytes", field, max);
    if (required && is_blank(value))
        return errbuf_set(eb, ERR_INVALID, "field '%s' is required for %s", field, act);
    return 0;
}

static int check_outcome(const struct workflow_input *in, struct errbuf *eb)
{
    int is_not_resolved = in->outcome == OUTCOME_NOT_RESOLVED;

    if (in->outcome != OUTCOME_RESOLVED && !is_not_resolved && in->outcome != OUTCOME_ANSWERED)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'outcome' must be resolved, not_resolved or answered");
    if (!is_not_resolved) {
        if (!is_blank(in->outcome_reason))
            return errbuf_set(eb, ERR_INVALID,
                              "field 'outcome_reason' is only for outcome not_resolved");
        return 0;
    }
    if (is_blank(in->outcome_reason))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'outcome_reason' is required for close with not_resolved");
    if (!workflow_outcome_reason_is_valid(in->outcome_reason))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'outcome_reason' must be outside_jurisdiction, not_feasible, "
                          "resident_unreachable, duplicate or other");
    /* "other" says nothing to the resident: the reason text must. */
    if (strcmp(in->outcome_reason, "other") == 0 && is_blank(in->reason))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'reason' is required for close with outcome_reason other");
    return 0;
}

/* Fields, in a fixed order so the first problem reported is always the same. */
static int check_fields(const struct workflow_input *in, struct errbuf *eb)
{
    unsigned need = action_rules[in->action].fields;
    const char *act = action_names[in->action].name;
    int r;

    if ((r = check_text(in->reason, "reason", WORKFLOW_TEXT_MAX, need & F_REASON, act, eb)) ||
        (r = check_text(in->evidence, "evidence", WORKFLOW_TEXT_MAX, need & F_EVIDENCE, act, eb)) ||
        (r = check_text(in->text, "text", WORKFLOW_TEXT_MAX, need & F_TEXT, act, eb)) ||
        (r = check_text(in->department, "department", DEPARTMENT_MAX, need & F_DEPARTMENT, act,
                        eb)) ||
        (r = check_text(in->merge_into, "merge_into", WORKFLOW_CASE_NUMBER_MAX, need & F_MERGE_INTO,
                        act, eb)) ||
        (r = check_text(in->outcome_reason, "outcome_reason", WORKFLOW_NAME_MAX, 0, act, eb)))
        return r;
    if ((need & F_RATING) && (in->rating < 1 || in->rating > 5))
        return errbuf_set(eb, ERR_INVALID, "field 'rating' must be 1..5 for %s", act);
    if ((need & F_OUTCOME) && (r = check_outcome(in, eb)) != 0)
        return r;
    if ((need & F_EXTENSION_DAYS) &&
        (in->extension_days < 1 || in->extension_days > WORKFLOW_EXTENSION_DAYS_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'extension_days' must be 1..%d for %s",
                          WORKFLOW_EXTENSION_DAYS_MAX, act);
    /* Approval may grant fewer days than asked; 0 grants what was asked. */
    if (in->action == CASE_ACTION_APPROVE_EXTENSION &&
        (in->extension_days < 0 || in->extension_days > WORKFLOW_EXTENSION_DAYS_MAX))
        return errbuf_set(eb, ERR_INVALID, "field 'extension_days' must be 0..%d for %s",
                          WORKFLOW_EXTENSION_DAYS_MAX, act);
    if ((need & F_SUPERVISION) &&
        (in->supervision <= SUPERVISION_NONE || in->supervision >= SUPERVISION_COUNT))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'supervision' must be normal, yellow_card or red_card");
    return 0;
}

/* The case's new values: the table's to-state, then the rules a table cannot hold. */
static void apply_rules(const struct workflow_case *c, const struct workflow_input *in,
                        struct workflow_result *out)
{
    const struct action_rule *rule = &action_rules[in->action];
    unsigned char cell = transitions[c->state][in->action];
    enum case_state to = c->state;

    if (cell == PRIOR)
        to = c->state_before_suspend;
    else if (cell != SAME)
        to = (enum case_state)(cell - 1);

    out->state_before_suspend = c->state_before_suspend;
    out->queue_level = c->queue_level;
    out->has_pending_extension = c->has_pending_extension;
    out->supervision = c->supervision;
    out->outcome = c->outcome;
    out->closed_ms = c->closed_ms;
    out->reopen_count = c->reopen_count;
    out->effects = rule->fx;

    switch (in->action) {
    case CASE_ACTION_RESOLVE_ON_SITE:
        out->outcome = OUTCOME_RESOLVED;
        break;
    case CASE_ACTION_ANSWER:
        out->outcome = OUTCOME_ANSWERED;
        break;
    case CASE_ACTION_CLOSE:
        out->outcome = in->outcome;
        out->closed_ms = in->now_ms;
        break;
    case CASE_ACTION_EVALUATE:
        /* An unsatisfied resident (1–2) reopens the case, but only while it may be reopened;
         * later the rating still counts, the case stays closed. */
        if (in->rating <= 2 && is_within_reopen_window(c, in->now_ms, in->reopen_window_ms)) {
            to = CASE_STATE_REOPENED;
            out->effects |= FX(REOPENED_BY_RATING) | FX(NEW_DEADLINE) | FX(NOTIFY_QUEUE) |
                            FX(CLEAR_OUTCOME_REASON);
        }
        break;
    case CASE_ACTION_ESCALATE:
        out->queue_level = c->queue_level - 1;
        break;
    case CASE_ACTION_REQUEST_EXTENSION:
        out->has_pending_extension = 1;
        out->extension_days = in->extension_days;
        break;
    case CASE_ACTION_APPROVE_EXTENSION:
        out->has_pending_extension = 0;
        out->extension_days = in->extension_days;
        break;
    case CASE_ACTION_DENY_EXTENSION:
        out->has_pending_extension = 0;
        break;
    case CASE_ACTION_SUSPEND:
        out->state_before_suspend = c->state;
        break;
    case CASE_ACTION_SUPERVISE:
        out->supervision = in->supervision;
        break;
    default:
        break;
    }
    if (to == CASE_STATE_REOPENED && c->state != CASE_STATE_REOPENED) {
        out->outcome = OUTCOME_NONE;
        out->reopen_count = c->reopen_count + 1;
    }
    if (to != EXTENSION_STATE)
        out->has_pending_extension = 0;
    if (state_is_with_unit[c->state] || state_is_with_unit[to])
        out->effects |= rule->fx_with_unit;
    else
        out->effects |= rule->fx_without_unit;
    out->to = to;
}

int workflow_apply(const struct workflow_case *c, const struct workflow_actor *a,
                   const struct workflow_input *in, struct workflow_result *out, struct errbuf *eb)
{
    int r;

    assert(c != NULL && a != NULL && in != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    if ((r = check_case(c, eb)) != 0)
        return r;
    if (!action_is_valid((int)in->action))
        return errbuf_set(eb, ERR_INVALID, "action %d is not an action", (int)in->action);
    if ((r = check_state(c, in->action, in->now_ms, in->reopen_window_ms, eb)) != 0)
        return r;
    if ((r = check_actor(c, a, in->action, eb)) != 0)
        return r;
    if ((r = check_fields(in, eb)) != 0)
        return r;
    apply_rules(c, in, out);
    return 0;
}

unsigned long long workflow_allowed_actions(const struct workflow_case *c,
                                            const struct workflow_actor *a, int64_t now_ms,
                                            int64_t reopen_window_ms)
{
    unsigned long long mask = 0;

    if (c == NULL || a == NULL || check_case(c, NULL) != 0)
        return 0;
    for (int i = 0; i < CASE_ACTION_COUNT; i++) {
        enum case_action action = (enum case_action)i;
        if (check_state(c, action, now_ms, reopen_window_ms, NULL) == 0 &&
            check_actor(c, a, action, NULL) == 0)
            mask |= WORKFLOW_ACTION_BIT(action);
    }
    return mask;
}

int workflow_state_is_open(enum case_state s)
{
    return state_is_valid((int)s) && !state_is_finished[s];
}
