/*
 * workflow.h - the case state machine (SPEC section 4; standards.md section 3).
 *
 * A case moves through states by actions. workflow_apply() is the one decision: given what the
 * workflow knows about a case, who acts (reduced to a role and three relations the caller
 * works out from the store and access rules) and the action with its fields, it answers either
 * an error or the case's new values plus effects the caller must carry out (deadlines,
 * notifications, department). It does no I/O, allocates nothing and reads no clock: time comes
 * in as now_ms. Pure and thread-safe; called by the case service (one transaction per action)
 * and by the deadline sweep.
 *
 * States (stable name, used in the API and the database; 中文):
 *
 *   reported 已上报 · accepted 已受理(立案) · rejected 不予受理 · resolved_on_site 现场解决 ·
 *   answered 解释答复 · dispatched 已派遣 · in_progress 处置中(已签收) · handled 已处置反馈 ·
 *   rework 返工 · verified 已核查 · closed 已结案 · evaluated 已评价 · reopened 已重启 ·
 *   merged 已合并 · suspended 挂账/缓办
 *
 * Open states (workflow_state_is_open) are all but rejected, closed, evaluated and merged:
 * resolved_on_site and answered are open — the work is done but the case still waits for
 * 结案 (close), which records the outcome; only closed cases are evaluated.
 *
 * Transitions (state × action → state; "=" keeps the state; a bare resolve_on_site, answer,
 * merge or suspend goes to resolved_on_site, answered, merged or suspended; any pair not listed
 * is ERR_INVALID_TRANSITION):
 *
 *   reported          accept→accepted, reject→rejected, resolve_on_site→resolved_on_site,
 *                     answer→answered, merge→merged, escalate=, urge=, supervise=, comment=
 *   accepted          resolve_on_site, answer, dispatch→dispatched, merge, escalate=,
 *                     suspend→suspended, urge=, supervise=, comment=, assign=
 *   rejected          comment=
 *   resolved_on_site  close→closed, merge, urge=, supervise=, comment=
 *   answered          close→closed, merge, urge=, supervise=, comment=
 *   dispatched        start→in_progress, return→accepted, merge, escalate→accepted, suspend,
 *                     urge=, supervise=, comment=, assign= (改派)
 *   in_progress       return→accepted, handle→handled, merge, escalate→accepted,
 *                     request_extension=, approve_extension=, deny_extension=, suspend, urge=,
 *                     supervise=, comment=
 *   handled           rework→rework, verify→verified, merge, urge=, supervise=, comment=
 *   rework            start→in_progress, merge, escalate→accepted, suspend, urge=,
 *                     supervise=, comment=
 *   verified          rework→rework, close→closed, merge, urge=, supervise=, comment=
 *   closed            evaluate→evaluated (or →reopened, below), reopen→reopened, comment=
 *   evaluated         reopen→reopened, comment=
 *   reopened          accept→accepted, resolve_on_site, answer, dispatch→dispatched, merge,
 *                     escalate=, suspend, urge=, supervise=, comment=, assign=
 *   merged            (nothing: the duplicate lives on in the case it was merged into)
 *   suspended         close→closed, merge, resume→(the state before suspend), supervise=,
 *                     comment=
 *
 * Conditions that also make an action ERR_INVALID_TRANSITION:
 *   - escalate at queue level 1 (province): there is no level above;
 *   - reopen, when now_ms is more than reopen_window_ms after closed_ms (or never closed);
 *   - request_extension while one is pending; approve/deny_extension when none is pending.
 *
 * Rules the table alone does not show:
 *   - escalate raises queue_level by one step (grid 6 → community 5 → street 4 → district 3 →
 *     city 2 → province 1). A case the department holds (dispatched, in_progress, rework)
 *     returns to accepted at the higher level, which dispatches it again; other states keep
 *     their state. The department is cleared either way.
 *   - evaluate with rating 1–2 inside the reopen window reopens the case (to = reopened,
 *     WORKFLOW_EFFECT_REOPENED_BY_RATING); outside the window the rating is only recorded.
 *   - reopen and a reopening rating clear the outcome and count in reopen_count.
 *   - an extension request is pending only while the case is in_progress; any action that
 *     leaves in_progress drops it.
 *   - a case that is merged, closed or rejected keeps its supervision level (history).
 *
 * Who (action → roles; every role but resident must have is_in_scope; resident must be the
 * reporter; department_handler must also be of the handling department):
 *
 *   accept              community_staff, station_cadre, dispatcher, admin
 *   reject              community_staff, dispatcher, admin
 *   resolve_on_site     grid_worker, community_staff, station_cadre
 *   answer              community_staff, station_cadre, dispatcher, admin
 *   dispatch, assign    community_staff, dispatcher, admin
 *   start, return,      department_handler
 *   handle,
 *   request_extension
 *   rework              grid_worker, community_staff, dispatcher, admin
 *   verify              grid_worker, community_staff
 *   close, merge        community_staff, dispatcher, admin
 *   evaluate            resident
 *   reopen              resident, community_staff, dispatcher, admin (staff on the resident's
 *                       behalf, e.g. after a phone call; ratings stay the resident's own)
 *   escalate            grid_worker (only a case in a grid's queue), community_staff,
 *                       dispatcher, admin; and the system
 *   approve_extension,  community_staff, dispatcher, admin
 *   deny_extension,
 *   suspend, resume
 *   urge                community_staff, dispatcher, leader, admin; and the system
 *   supervise           leader; and the system (automatic yellow/red cards)
 *   comment             resident, grid_worker, community_staff, station_cadre, dispatcher,
 *                       department_handler, leader, admin
 *   mediator, council_member and volunteer take no case actions (disputes and councils have
 *   their own modules). The system (workflow_actor.is_system: the deadline sweep) may only
 *   escalate, urge and supervise, whatever role is set.
 *
 * Fields (missing, blank or bad: ERR_INVALID naming the field):
 *
 *   reason             reject, return, rework, reopen, escalate, request_extension,
 *                      deny_extension, suspend; close when outcome_reason is "other"
 *   evidence           resolve_on_site
 *   text               answer (the explanation), handle (the result), comment
 *   department         dispatch, assign (at most DEPARTMENT_MAX bytes)
 *   merge_into         merge (a case number, at most WORKFLOW_CASE_NUMBER_MAX bytes)
 *   rating             evaluate: 1..5
 *   outcome            close: resolved, not_resolved or answered
 *   outcome_reason     close with not_resolved: outside_jurisdiction, not_feasible,
 *                      resident_unreachable, duplicate or other; refused with other outcomes
 *   extension_days     request_extension: 1..WORKFLOW_EXTENSION_DAYS_MAX working days;
 *                      approve_extension: 0 (as requested) or a granted number in that range
 *   supervision        supervise: normal, yellow_card or red_card
 * Any text field given, used or not, is at most WORKFLOW_TEXT_MAX bytes.
 */
#ifndef GRIDGOV_DOMAIN_WORKFLOW_H
#define GRIDGOV_DOMAIN_WORKFLOW_H

#include "base/error.h"
#include "domain/access.h"

#include <stdint.h>

#define WORKFLOW_TEXT_MAX           4000 /* bytes of a reason, evidence list or text */
#define WORKFLOW_CASE_NUMBER_MAX    31   /* bytes of a case number (merge_into) */
#define WORKFLOW_EXTENSION_DAYS_MAX 30   /* working days one extension may add */
#define WORKFLOW_NAME_MAX           23   /* every stable name below fits in this many bytes */

/* X(NAME, "stable_name", "中文") */
#define CASE_STATE_MAP(X)                                                                          \
    X(REPORTED, "reported", "已上报")                                                              \
    X(ACCEPTED, "accepted", "已受理")                                                              \
    X(REJECTED, "rejected", "不予受理")                                                            \
    X(RESOLVED_ON_SITE, "resolved_on_site", "现场解决")                                            \
    X(ANSWERED, "answered", "解释答复")                                                            \
    X(DISPATCHED, "dispatched", "已派遣")                                                          \
    X(IN_PROGRESS, "in_progress", "处置中")                                                        \
    X(HANDLED, "handled", "已处置反馈")                                                            \
    X(REWORK, "rework", "返工")                                                                    \
    X(VERIFIED, "verified", "已核查")                                                              \
    X(CLOSED, "closed", "已结案")                                                                  \
    X(EVALUATED, "evaluated", "已评价")                                                            \
    X(REOPENED, "reopened", "已重启")                                                              \
    X(MERGED, "merged", "已合并")                                                                  \
    X(SUSPENDED, "suspended", "挂账")

enum case_state {
#define CASE_STATE_GEN_ENUM(name, str, zh) CASE_STATE_##name,
    CASE_STATE_MAP(CASE_STATE_GEN_ENUM)
#undef CASE_STATE_GEN_ENUM
        CASE_STATE_COUNT
};

#define CASE_ACTION_MAP(X)                                                                         \
    X(ACCEPT, "accept", "受理")                                                                    \
    X(REJECT, "reject", "不予受理")                                                                \
    X(RESOLVE_ON_SITE, "resolve_on_site", "现场解决")                                              \
    X(ANSWER, "answer", "解释答复")                                                                \
    X(DISPATCH, "dispatch", "派遣")                                                                \
    X(START, "start", "签收")                                                                      \
    X(RETURN, "return", "回退")                                                                    \
    X(HANDLE, "handle", "处置反馈")                                                                \
    X(REWORK, "rework", "返工")                                                                    \
    X(VERIFY, "verify", "核查")                                                                    \
    X(CLOSE, "close", "结案")                                                                      \
    X(EVALUATE, "evaluate", "评价")                                                                \
    X(REOPEN, "reopen", "重启")                                                                    \
    X(MERGE, "merge", "合并")                                                                      \
    X(ESCALATE, "escalate", "上报上级")                                                            \
    X(REQUEST_EXTENSION, "request_extension", "申请延期")                                          \
    X(APPROVE_EXTENSION, "approve_extension", "同意延期")                                          \
    X(DENY_EXTENSION, "deny_extension", "不同意延期")                                              \
    X(SUSPEND, "suspend", "挂账")                                                                  \
    X(RESUME, "resume", "恢复办理")                                                                \
    X(URGE, "urge", "催办")                                                                        \
    X(SUPERVISE, "supervise", "督办")                                                              \
    X(COMMENT, "comment", "留言")                                                                  \
    X(ASSIGN, "assign", "指派")

enum case_action {
#define CASE_ACTION_GEN_ENUM(name, str, zh) CASE_ACTION_##name,
    CASE_ACTION_MAP(CASE_ACTION_GEN_ENUM)
#undef CASE_ACTION_GEN_ENUM
        CASE_ACTION_COUNT
};

/* Bit of an action in a workflow_allowed_actions() mask. */
#define WORKFLOW_ACTION_BIT(action) (1ULL << (unsigned)(action))

/* How a case ended: "closed" never pretends "fixed". */
#define CASE_OUTCOME_MAP(X)                                                                        \
    X(NONE, "none", "无")                                                                          \
    X(RESOLVED, "resolved", "已解决")                                                              \
    X(NOT_RESOLVED, "not_resolved", "未解决")                                                      \
    X(ANSWERED, "answered", "已解释答复")

enum case_outcome {
#define CASE_OUTCOME_GEN_ENUM(name, str, zh) OUTCOME_##name,
    CASE_OUTCOME_MAP(CASE_OUTCOME_GEN_ENUM)
#undef CASE_OUTCOME_GEN_ENUM
        OUTCOME_COUNT
};

/* Why a case was closed not resolved (close with OUTCOME_NOT_RESOLVED). */
#define OUTCOME_REASON_MAP(X)                                                                      \
    X(OUTSIDE_JURISDICTION, "outside_jurisdiction", "不属于管辖范围")                              \
    X(NOT_FEASIBLE, "not_feasible", "暂不具备解决条件")                                            \
    X(RESIDENT_UNREACHABLE, "resident_unreachable", "联系不上诉求人")                              \
    X(DUPLICATE, "duplicate", "重复诉求")                                                          \
    X(OTHER, "other", "其他")

#define SUPERVISION_MAP(X)                                                                         \
    X(NONE, "none", "未督办")                                                                      \
    X(NORMAL, "normal", "普通督办")                                                                \
    X(YELLOW, "yellow_card", "黄牌督办")                                                           \
    X(RED, "red_card", "红牌督办")

enum supervision_level {
#define SUPERVISION_GEN_ENUM(name, str, zh) SUPERVISION_##name,
    SUPERVISION_MAP(SUPERVISION_GEN_ENUM)
#undef SUPERVISION_GEN_ENUM
        SUPERVISION_COUNT
};

/*
 * Effects the caller carries out after persisting the result (bits of workflow_result.effects).
 * "The unit" is the department the case is (or was, before the action) dispatched to; "the
 * queue" is the staff of the level whose queue holds the case after the action. The step a new
 * deadline is for follows from result.to: reported/reopened → accept, accepted → dispatch,
 * dispatched/rework → handle, handled → verify.
 *
 *   accept             NEW_DEADLINE NOTIFY_REPORTER
 *   reject, resolve_on_site, answer
 *                      CLEAR_DEADLINE NOTIFY_REPORTER
 *   dispatch           SET_DEPARTMENT NEW_DEADLINE NOTIFY_UNIT
 *   start, comment     none
 *   return             CLEAR_DEPARTMENT NEW_DEADLINE NOTIFY_QUEUE
 *   handle             NEW_DEADLINE NOTIFY_QUEUE
 *   rework             NEW_DEADLINE NOTIFY_UNIT
 *   verify             NOTIFY_QUEUE
 *   close              CLEAR_DEADLINE NOTIFY_REPORTER SET_OUTCOME_REASON
 *   evaluate           RECORD_RATING; reopening: + REOPENED_BY_RATING NEW_DEADLINE
 *                      NOTIFY_QUEUE CLEAR_OUTCOME_REASON
 *   reopen             NEW_DEADLINE NOTIFY_QUEUE CLEAR_OUTCOME_REASON
 *   merge              CLEAR_DEADLINE NOTIFY_REPORTER SET_MERGED_INTO (+ NOTIFY_UNIT *)
 *   escalate           CLEAR_DEPARTMENT NEW_DEADLINE NOTIFY_QUEUE (+ NOTIFY_UNIT *)
 *   request_extension  NOTIFY_QUEUE
 *   approve_extension  EXTEND_DEADLINE NOTIFY_UNIT
 *   deny_extension     NOTIFY_UNIT
 *   suspend            PAUSE_CLOCK NOTIFY_REPORTER (+ NOTIFY_UNIT *)
 *   resume             RESUME_CLOCK NOTIFY_REPORTER (+ NOTIFY_UNIT *)
 *   urge, supervise    NOTIFY_UNIT * or else NOTIFY_QUEUE
 *   assign             SET_DEPARTMENT (+ NEW_DEADLINE NOTIFY_UNIT *: 改派 restarts the clock)
 * (* when a department holds the case before or after: dispatched, in_progress, rework)
 */
enum workflow_effect {
    WORKFLOW_EFFECT_NEW_DEADLINE = 1u << 0,    /* a timed step starts: compute its deadline */
    WORKFLOW_EFFECT_EXTEND_DEADLINE = 1u << 1, /* add result.extension_days working days */
    WORKFLOW_EFFECT_CLEAR_DEADLINE = 1u << 2,  /* no step runs any more */
    WORKFLOW_EFFECT_PAUSE_CLOCK = 1u << 3,     /* suspend: the running step's clock stops */
    WORKFLOW_EFFECT_RESUME_CLOCK = 1u << 4,    /* resume: it runs again for what was left */
    WORKFLOW_EFFECT_SET_DEPARTMENT = 1u << 5,  /* store input.department as the unit */
    WORKFLOW_EFFECT_CLEAR_DEPARTMENT = 1u << 6,
    WORKFLOW_EFFECT_NOTIFY_REPORTER = 1u << 7,
    WORKFLOW_EFFECT_NOTIFY_UNIT = 1u << 8,
    WORKFLOW_EFFECT_NOTIFY_QUEUE = 1u << 9,
    WORKFLOW_EFFECT_RECORD_RATING = 1u << 10,        /* store input.rating (and text) */
    WORKFLOW_EFFECT_REOPENED_BY_RATING = 1u << 11,   /* evaluate 1–2 reopened the case */
    WORKFLOW_EFFECT_SET_OUTCOME_REASON = 1u << 12,   /* close: store input.outcome_reason (NULL:
                                                        "") with result.outcome */
    WORKFLOW_EFFECT_CLEAR_OUTCOME_REASON = 1u << 13, /* reopened: the old outcome is void */
    WORKFLOW_EFFECT_SET_MERGED_INTO = 1u << 14,      /* store input.merge_into */
};

/* What the workflow needs to know about the case (the caller loads it from the store). */
struct workflow_case {
    enum case_state state;
    enum case_state state_before_suspend; /* meaningful only while suspended */
    int queue_level;                      /* area level whose queue holds the case, 1..6 */
    int has_pending_extension;
    enum supervision_level supervision;
    enum case_outcome outcome; /* OUTCOME_NONE until answered, resolved on site or closed */
    int64_t closed_ms;         /* when it was last closed, 0 if never */
    int reopen_count;
};

/* Who acts, relative to this case (the caller works these out from the store and access.h). */
struct workflow_actor {
    enum role role;
    int is_reporter;            /* the resident who reported it */
    int is_handling_department; /* of the unit the case is dispatched to */
    int is_in_scope;            /* the case's area is inside the actor's subtree */
    int is_system;              /* the deadline sweep; role and relations are then ignored */
};

/* The action and its fields. Strings are borrowed; NULL or blank means "not given". */
struct workflow_input {
    enum case_action action;
    const char *reason;
    const char *evidence;       /* resolve_on_site: text or a list of attachment hashes */
    const char *text;           /* answer, handle, comment; optional note on verify, evaluate */
    const char *department;     /* dispatch, assign: the unit code */
    const char *merge_into;     /* merge: the number of the case this one duplicates */
    int rating;                 /* evaluate: 1..5 */
    enum case_outcome outcome;  /* close */
    const char *outcome_reason; /* close with OUTCOME_NOT_RESOLVED (OUTCOME_REASON_MAP) */
    int extension_days;         /* request_extension, approve_extension */
    enum supervision_level supervision; /* supervise */
    int64_t now_ms;
    int64_t reopen_window_ms; /* how long after closing the case may be reopened */
};

/* The case's values after the action (unchanged ones copied from the case), and the effects. */
struct workflow_result {
    enum case_state to; /* == the old state for actions that do not move the case */
    enum case_state state_before_suspend;
    int queue_level;
    int has_pending_extension;
    enum supervision_level supervision;
    enum case_outcome outcome;
    int64_t closed_ms;
    int reopen_count;
    int extension_days; /* request: requested; approve: granted (0 = as requested); else 0 */
    unsigned effects;   /* enum workflow_effect bits */
};

/*
 * The decision. c, a, in and out must not be NULL; eb may be. out is cleared on entry and
 * filled only on success (0). Errors, checked in this order:
 *   ERR_INVALID             the case record is inconsistent (bad state, queue level, ...),
 *                           or in->action is not an action;
 *   ERR_INVALID_TRANSITION  the state does not allow the action (or a condition above fails);
 *   ERR_FORBIDDEN           not for this role, not in scope, not the reporter, not the
 *                           handling department, or a grid worker escalating above a grid;
 *   ERR_INVALID             a field is missing, blank, too long or out of range.
 * eb gets a sentence naming the reason ("field 'reason' is required for reject").
 */
int workflow_apply(const struct workflow_case *c, const struct workflow_actor *a,
                   const struct workflow_input *in, struct workflow_result *out, struct errbuf *eb);

/*
 * The actions this actor may take on this case now (WORKFLOW_ACTION_BIT mask), for the user
 * interface to offer only those. Agrees exactly with workflow_apply() given valid fields.
 * 0 for an inconsistent case or NULL arguments.
 */
unsigned long long workflow_allowed_actions(const struct workflow_case *c,
                                            const struct workflow_actor *a, int64_t now_ms,
                                            int64_t reopen_window_ms);

/* 1 unless the case is finished: rejected, closed, evaluated or merged. */
int workflow_state_is_open(enum case_state s);

/* Stable names and Chinese labels (static strings); NULL if out of range. Parsers return 0 and
 * set *out, or ERR_INVALID for an unknown or NULL name. */
const char *workflow_state_name(enum case_state s);
const char *workflow_state_name_zh(enum case_state s);
int workflow_state_parse(const char *name, enum case_state *out);
const char *workflow_action_name(enum case_action action);
const char *workflow_action_name_zh(enum case_action action);
int workflow_action_parse(const char *name, enum case_action *out);
const char *workflow_outcome_name(enum case_outcome o);
const char *workflow_outcome_name_zh(enum case_outcome o);
int workflow_outcome_parse(const char *name, enum case_outcome *out);
const char *workflow_supervision_name(enum supervision_level l);
const char *workflow_supervision_name_zh(enum supervision_level l);
int workflow_supervision_parse(const char *name, enum supervision_level *out);
/* 1 if name is one of OUTCOME_REASON_MAP's stable names; its Chinese label or NULL. */
int workflow_outcome_reason_is_valid(const char *name);
const char *workflow_outcome_reason_name_zh(const char *name);

#endif
