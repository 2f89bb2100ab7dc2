/*
 * open311.c - the Open311 / FixMyStreet status mapping (see open311.h; the tables there are
 * the specification, these switches implement them).
 */
#include "domain/open311.h"

#include <string.h>
#include <strings.h>

static const char *const fms_names[] = {
#define OPEN311_GEN_NAME(name, str) str,
    OPEN311_FMS_STATUS_MAP(OPEN311_GEN_NAME)
#undef OPEN311_GEN_NAME
};

int open311_action_is_internal(const char *action)
{
    static const char *const internal[] = {
        "comment",           "supervise",      "urge", "request_extension",
        "approve_extension", "deny_extension", NULL};
    for (const char *const *a = internal; *a; a++)
        if (strcmp(action, *a) == 0)
            return 1;
    return 0;
}

const char *open311_status_of(enum case_state s)
{
    return workflow_state_is_open(s) ? "open" : "closed";
}

const char *open311_fms_status_name(enum open311_fms_status s)
{
    if ((int)s < 0 || s >= FMS_STATUS_COUNT)
        return NULL;
    return fms_names[s];
}

int open311_fms_status_parse(const char *name, enum open311_fms_status *out)
{
    if (name == NULL)
        return ERR_INVALID;
    for (int i = 0; i < FMS_STATUS_COUNT; i++) {
        if (strcasecmp(name, fms_names[i]) == 0) {
            *out = (enum open311_fms_status)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

static int is(const char *a, const char *b)
{
    return a != NULL && strcmp(a, b) == 0;
}

enum open311_fms_status open311_fms_status_of(enum case_state s, const char *outcome,
                                              const char *outcome_reason, int was_escalated)
{
    switch (s) {
    case CASE_STATE_REPORTED:
        return FMS_FOR_TRIAGE;
    case CASE_STATE_ACCEPTED:
        return was_escalated ? FMS_INTERNAL_REFERRAL : FMS_INVESTIGATING;
    case CASE_STATE_DISPATCHED:
    case CASE_STATE_SUSPENDED:
        return FMS_ACTION_SCHEDULED;
    case CASE_STATE_IN_PROGRESS:
    case CASE_STATE_HANDLED:
    case CASE_STATE_REWORK:
    case CASE_STATE_VERIFIED:
        return FMS_IN_PROGRESS;
    case CASE_STATE_RESOLVED_ON_SITE:
        return FMS_FIXED;
    case CASE_STATE_ANSWERED:
        return FMS_NO_FURTHER_ACTION;
    case CASE_STATE_REJECTED:
        return FMS_NOT_COUNCILS_RESPONSIBILITY;
    case CASE_STATE_REOPENED:
        return FMS_REOPEN;
    case CASE_STATE_MERGED:
        return FMS_DUPLICATE;
    case CASE_STATE_CLOSED:
    case CASE_STATE_EVALUATED:
        if (is(outcome, "resolved"))
            return FMS_FIXED;
        if (is(outcome, "answered"))
            return FMS_NO_FURTHER_ACTION;
        if (is(outcome, "not_resolved")) {
            if (is(outcome_reason, "duplicate"))
                return FMS_DUPLICATE;
            if (is(outcome_reason, "outside_jurisdiction"))
                return FMS_NOT_COUNCILS_RESPONSIBILITY;
            return FMS_NO_FURTHER_ACTION;
        }
        return FMS_CLOSED;
    case CASE_STATE_COUNT:
        break;
    }
    return FMS_OPEN;
}

static int plan(struct open311_plan *out, enum case_action a, enum open311_text_field f)
{
    out->action = a;
    out->text_field = f;
    return 0;
}

static int close_plan(struct open311_plan *out, enum case_outcome o, const char *reason)
{
    out->action = CASE_ACTION_CLOSE;
    out->text_field = OPEN311_TEXT;
    out->outcome = o;
    out->outcome_reason = reason;
    return 0;
}

static int is_closable(enum case_state s)
{
    return s == CASE_STATE_RESOLVED_ON_SITE || s == CASE_STATE_ANSWERED ||
           s == CASE_STATE_VERIFIED || s == CASE_STATE_SUSPENDED;
}

static int is_new(enum case_state s)
{
    return s == CASE_STATE_REPORTED || s == CASE_STATE_ACCEPTED || s == CASE_STATE_REOPENED;
}

int open311_fms_plan(enum open311_fms_status want, enum open311_fms_status current,
                     enum case_state s, struct open311_plan *out)
{
    memset(out, 0, sizeof(*out));
    out->outcome = OUTCOME_NONE;
    if (want == current)
        return plan(out, CASE_ACTION_COMMENT, OPEN311_TEXT);
    switch (want) {
    case FMS_OPEN:
    case FMS_FOR_TRIAGE:
    case FMS_REOPEN:
        if (s == CASE_STATE_CLOSED || s == CASE_STATE_EVALUATED)
            return plan(out, CASE_ACTION_REOPEN, OPEN311_REASON);
        break;
    case FMS_INVESTIGATING:
    case FMS_IN_PROGRESS:
    case FMS_ACTION_SCHEDULED:
        if (s == CASE_STATE_REPORTED || s == CASE_STATE_REOPENED)
            return plan(out, CASE_ACTION_ACCEPT, OPEN311_TEXT);
        if (s == CASE_STATE_DISPATCHED || s == CASE_STATE_REWORK)
            return plan(out, CASE_ACTION_START, OPEN311_TEXT);
        break;
    case FMS_FIXED:
    case FMS_CLOSED:
        if (s == CASE_STATE_ANSWERED)
            return close_plan(out, OUTCOME_ANSWERED, NULL);
        if (is_closable(s))
            return close_plan(out, OUTCOME_RESOLVED, NULL);
        if (is_new(s))
            return plan(out, CASE_ACTION_RESOLVE_ON_SITE, OPEN311_EVIDENCE);
        if (s == CASE_STATE_IN_PROGRESS)
            return plan(out, CASE_ACTION_HANDLE, OPEN311_TEXT);
        if (s == CASE_STATE_HANDLED)
            return plan(out, CASE_ACTION_VERIFY, OPEN311_TEXT);
        break;
    case FMS_DUPLICATE:
        if (s == CASE_STATE_REPORTED)
            return plan(out, CASE_ACTION_REJECT, OPEN311_REASON);
        if (is_closable(s))
            return close_plan(out, OUTCOME_NOT_RESOLVED, "duplicate");
        break;
    case FMS_NOT_COUNCILS_RESPONSIBILITY:
        if (s == CASE_STATE_REPORTED)
            return plan(out, CASE_ACTION_REJECT, OPEN311_REASON);
        if (is_closable(s))
            return close_plan(out, OUTCOME_NOT_RESOLVED, "outside_jurisdiction");
        break;
    case FMS_NO_FURTHER_ACTION:
        if (is_new(s))
            return plan(out, CASE_ACTION_ANSWER, OPEN311_TEXT);
        if (is_closable(s))
            return close_plan(out, OUTCOME_NOT_RESOLVED, "not_feasible");
        break;
    case FMS_INTERNAL_REFERRAL:
        if (is_new(s) || s == CASE_STATE_DISPATCHED || s == CASE_STATE_IN_PROGRESS ||
            s == CASE_STATE_REWORK)
            return plan(out, CASE_ACTION_ESCALATE, OPEN311_REASON);
        break;
    case FMS_STATUS_COUNT:
        break;
    }
    return ERR_INVALID_TRANSITION;
}
