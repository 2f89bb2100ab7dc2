/*
 * open311.h - how our case workflow reads in Open311 GeoReport v2 and in the FixMyStreet
 * (mySociety) extended statuses, both ways. Pure, no I/O; any thread.
 *
 * Plain GeoReport v2 knows only "open" and "closed": a case is closed exactly when our
 * workflow has finished with it (workflow_state_is_open() is false: rejected, closed,
 * evaluated, merged). resolved_on_site and answered stay "open" until the case is closed,
 * because that is when the outcome is recorded.
 *
 * FixMyStreet statuses from our state (open311_fms_status_of):
 *
 *   reported                      for_triage
 *   accepted                      investigating (internal_referral right after an escalation)
 *   dispatched, suspended         action_scheduled
 *   in_progress, handled, rework, verified
 *                                 in_progress
 *   resolved_on_site              fixed
 *   answered                      no_further_action
 *   rejected                      not_councils_responsibility
 *   reopened                      reopen
 *   merged                        duplicate
 *   closed, evaluated             by outcome: resolved → fixed; answered → no_further_action;
 *                                 not_resolved → duplicate (reason duplicate),
 *                                 not_councils_responsibility (outside_jurisdiction),
 *                                 no_further_action (any other reason); none → closed
 *
 * An update FixMyStreet posts (open311_fms_plan) becomes one workflow action, chosen from the
 * requested status and the case's state; the workflow then decides whether the acting user may
 * take it. An update whose status is the one the case already shows is a comment. Otherwise:
 *
 *   open, for_triage, reopen      closed/evaluated → reopen (reason = the update's text)
 *   investigating, in_progress,   reported/reopened → accept; dispatched/rework → start
 *   action_scheduled
 *   fixed, closed                 resolved_on_site/verified/suspended → close resolved;
 *                                 answered → close answered; reported/accepted/reopened →
 *                                 resolve_on_site (evidence = text); in_progress → handle
 *                                 (text); handled → verify
 *   duplicate                     reported → reject (reason); closable* → close not_resolved
 *                                 duplicate
 *   not_councils_responsibility   reported → reject (reason); closable* → close not_resolved
 *                                 outside_jurisdiction
 *   no_further_action             reported/accepted/reopened → answer (text); closable* →
 *                                 close not_resolved not_feasible
 *   internal_referral             reported/accepted/reopened/dispatched/in_progress/rework →
 *                                 escalate (reason)
 *   (* closable: resolved_on_site, answered, verified, suspended)
 * Any other pair has no action: ERR_INVALID_TRANSITION.
 */
#ifndef GRIDGOV_DOMAIN_OPEN311_H
#define GRIDGOV_DOMAIN_OPEN311_H

#include "base/error.h"
#include "domain/workflow.h"

/* X(NAME, "lower_case_name") */
#define OPEN311_FMS_STATUS_MAP(X)                                                                  \
    X(OPEN, "open")                                                                                \
    X(CLOSED, "closed")                                                                            \
    X(FIXED, "fixed")                                                                              \
    X(IN_PROGRESS, "in_progress")                                                                  \
    X(ACTION_SCHEDULED, "action_scheduled")                                                        \
    X(INVESTIGATING, "investigating")                                                              \
    X(DUPLICATE, "duplicate")                                                                      \
    X(NOT_COUNCILS_RESPONSIBILITY, "not_councils_responsibility")                                  \
    X(NO_FURTHER_ACTION, "no_further_action")                                                      \
    X(INTERNAL_REFERRAL, "internal_referral")                                                      \
    X(REOPEN, "reopen")                                                                            \
    X(FOR_TRIAGE, "for_triage")

enum open311_fms_status {
#define OPEN311_GEN_ENUM(name, str) FMS_##name,
    OPEN311_FMS_STATUS_MAP(OPEN311_GEN_ENUM)
#undef OPEN311_GEN_ENUM
        FMS_STATUS_COUNT
};

/* 1 for the internal steps the public does not see (comment, supervise, urge and the deadline
 * extensions), as on the tracking page: Open311 shows no notes or updates for them. */
int open311_action_is_internal(const char *action);

/* "open" or "closed" for a state (see above). */
const char *open311_status_of(enum case_state s);
/* The lower-case name of an FMS status; NULL if out of range. */
const char *open311_fms_status_name(enum open311_fms_status s);
/* Parse an FMS status in any letter case ("IN_PROGRESS", "fixed"); ERR_INVALID if unknown. */
int open311_fms_status_parse(const char *name, enum open311_fms_status *out);

/*
 * The FMS status a case shows. outcome/outcome_reason are the case's ("" or NULL when none);
 * was_escalated tells whether the case's last event was an escalation.
 */
enum open311_fms_status open311_fms_status_of(enum case_state s, const char *outcome,
                                              const char *outcome_reason, int was_escalated);

/* Which text field of the workflow input the update's description goes to. */
enum open311_text_field { OPEN311_TEXT, OPEN311_REASON, OPEN311_EVIDENCE };

/* The action an update becomes. */
struct open311_plan {
    enum case_action action;
    enum open311_text_field text_field;
    enum case_outcome outcome;  /* close only */
    const char *outcome_reason; /* close with not_resolved only (static string), else NULL */
};

/* Plan the action for an update requesting status want on a case showing current (its FMS
 * status) in state s. 0 and *out filled, or ERR_INVALID_TRANSITION when no action fits. */
int open311_fms_plan(enum open311_fms_status want, enum open311_fms_status current,
                     enum case_state s, struct open311_plan *out);

#endif
