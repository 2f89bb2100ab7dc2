/*
 * dispute.h - the dispute state machine (矛盾纠纷排查化解; SPEC section 6, standards.md 4.5).
 *
 * A dispute is found (registered), accepted by the level that will mediate it, mediated by one
 * or more mediators in sessions, and ends with an outcome: an agreement (达成协议), concluded
 * without a written agreement (调结), referred to a court, an arbitration body or the petition
 * office (移交), or withdrawn by the parties. Agreements and conclusions are then followed up
 * by visits; a broken agreement reopens the mediation. dispute_apply() is the one decision,
 * like workflow_apply() for cases: pure, no I/O, no allocation, no clock.
 *
 * States (stable name; 中文):
 *   registered 已登记 · accepted 已受理 · mediating 调解中 · agreed 已达成协议 ·
 *   concluded 已调结 · referred 已移交 · withdrawn 已撤回
 *
 * Transitions ("=" keeps the state; every pair not listed is ERR_INVALID_TRANSITION):
 *   registered  accept→accepted, assign_mediator=, escalate=, refer→referred,
 *               withdraw→withdrawn, comment=
 *   accepted    start_mediation→mediating, assign_mediator=, escalate=, refer→referred,
 *               withdraw→withdrawn, comment=
 *   mediating   record_session=, assign_mediator=, reach_agreement→agreed,
 *               conclude→concluded, refer→referred, withdraw→withdrawn,
 *               escalate→accepted (the level above mediates anew), comment=
 *   agreed      follow_up=, reopen→mediating, comment=
 *   concluded   follow_up=, reopen→mediating, comment=
 *   referred    follow_up=, comment=
 *   withdrawn   comment=
 *
 * Conditions that also make an action ERR_INVALID_TRANSITION:
 *   - escalate at the province level (level 1): there is no level above;
 *   - start_mediation without any mediator assigned;
 *   - reach_agreement or conclude before any mediation session was recorded.
 *
 * Levels: a dispute is held by an area level (dispute.level): community/village (5) by
 * default; dispute_initial_level() puts high and major risks at the street/town (4) at once
 * ("小事不出村, 大事不出镇"). escalate moves it one level up (5 → 4 → 3 → 2 → 1).
 *
 * Who (action → roles; all need is_in_scope; a mediator must also be assigned to the dispute
 * (is_assigned_mediator) for the actions marked *):
 *   accept                    community_staff, station_cadre, dispatcher, mediator, admin
 *   assign_mediator           community_staff, station_cadre, dispatcher, admin
 *   start_mediation*, record_session*, reach_agreement*, conclude*
 *                             mediator*, community_staff, admin
 *   refer*, withdraw*, reopen*
 *                             mediator*, community_staff, dispatcher, admin
 *   escalate                  mediator*, community_staff, station_cadre, dispatcher, admin
 *   follow_up                 grid_worker, mediator, community_staff, admin
 *   comment                   grid_worker, community_staff, station_cadre, dispatcher,
 *                             mediator, leader, admin
 * Residents, department handlers, council members and volunteers take no dispute actions.
 *
 * Fields (missing, blank, bad: ERR_INVALID naming the field):
 *   text           record_session (notes), reach_agreement (terms), conclude (how it was
 *                  settled), follow_up (what the visit found), comment
 *   reason         refer, withdraw, reopen, escalate
 *   referral       refer: court, arbitration or petition_office
 *   mediator_role  assign_mediator: peoples_mediator, judge, prosecutor, police_officer, lawyer
 *   mediator_name  assign_mediator (at most DISPUTE_NAME_MAX bytes)
 * Any text given is at most DISPUTE_TEXT_MAX bytes.
 */
#ifndef GRIDGOV_DOMAIN_DISPUTE_H
#define GRIDGOV_DOMAIN_DISPUTE_H

#include "base/error.h"
#include "domain/access.h"

#include <stdint.h>

#define DISPUTE_TEXT_MAX 4000 /* bytes of notes, terms, reasons */
#define DISPUTE_NAME_MAX 63   /* bytes of a mediator's or outsider's name */

/* X(NAME, "stable_name", "中文") */
#define DISPUTE_STATE_MAP(X)                                                                       \
    X(REGISTERED, "registered", "已登记")                                                          \
    X(ACCEPTED, "accepted", "已受理")                                                              \
    X(MEDIATING, "mediating", "调解中")                                                            \
    X(AGREED, "agreed", "已达成协议")                                                              \
    X(CONCLUDED, "concluded", "已调结")                                                            \
    X(REFERRED, "referred", "已移交")                                                              \
    X(WITHDRAWN, "withdrawn", "已撤回")

enum dispute_state {
#define DISPUTE_STATE_GEN_ENUM(name, str, zh) DISPUTE_STATE_##name,
    DISPUTE_STATE_MAP(DISPUTE_STATE_GEN_ENUM)
#undef DISPUTE_STATE_GEN_ENUM
        DISPUTE_STATE_COUNT
};

#define DISPUTE_ACTION_MAP(X)                                                                      \
    X(ACCEPT, "accept", "受理")                                                                    \
    X(ASSIGN_MEDIATOR, "assign_mediator", "指派调解员")                                            \
    X(START_MEDIATION, "start_mediation", "开始调解")                                              \
    X(RECORD_SESSION, "record_session", "记录调解")                                                \
    X(REACH_AGREEMENT, "reach_agreement", "达成协议")                                              \
    X(CONCLUDE, "conclude", "调结")                                                                \
    X(REFER, "refer", "移交")                                                                      \
    X(WITHDRAW, "withdraw", "撤回")                                                                \
    X(ESCALATE, "escalate", "上报上级")                                                            \
    X(FOLLOW_UP, "follow_up", "回访")                                                              \
    X(REOPEN, "reopen", "重新调解")                                                                \
    X(COMMENT, "comment", "留言")

enum dispute_action {
#define DISPUTE_ACTION_GEN_ENUM(name, str, zh) DISPUTE_ACTION_##name,
    DISPUTE_ACTION_MAP(DISPUTE_ACTION_GEN_ENUM)
#undef DISPUTE_ACTION_GEN_ENUM
        DISPUTE_ACTION_COUNT
};

#define DISPUTE_TYPE_MAP(X)                                                                        \
    X(NEIGHBOUR, "neighbour", "邻里纠纷")                                                          \
    X(FAMILY, "family", "婚姻家庭纠纷")                                                            \
    X(LABOUR_WAGES, "labour_wages", "劳资纠纷")                                                    \
    X(LAND_EXPROPRIATION, "land_expropriation", "征地拆迁纠纷")                                    \
    X(PROPERTY, "property", "物业纠纷")                                                            \
    X(MEDICAL, "medical", "医患纠纷")                                                              \
    X(CONSUMER, "consumer", "消费纠纷")                                                            \
    X(TRAFFIC, "traffic", "交通事故纠纷")                                                          \
    X(OTHER, "other", "其他纠纷")

enum dispute_type {
#define DISPUTE_TYPE_GEN_ENUM(name, str, zh) DISPUTE_TYPE_##name,
    DISPUTE_TYPE_MAP(DISPUTE_TYPE_GEN_ENUM)
#undef DISPUTE_TYPE_GEN_ENUM
        DISPUTE_TYPE_COUNT
};

#define DISPUTE_RISK_MAP(X)                                                                        \
    X(LOW, "low", "一般")                                                                          \
    X(MEDIUM, "medium", "较大")                                                                    \
    X(HIGH, "high", "重大")                                                                        \
    X(MAJOR, "major", "特别重大")

enum dispute_risk {
#define DISPUTE_RISK_GEN_ENUM(name, str, zh) DISPUTE_RISK_##name,
    DISPUTE_RISK_MAP(DISPUTE_RISK_GEN_ENUM)
#undef DISPUTE_RISK_GEN_ENUM
        DISPUTE_RISK_COUNT
};

/* 人民调解员 and 三官一律 */
#define MEDIATOR_ROLE_MAP(X)                                                                       \
    X(PEOPLES_MEDIATOR, "peoples_mediator", "人民调解员")                                          \
    X(JUDGE, "judge", "法官")                                                                      \
    X(PROSECUTOR, "prosecutor", "检察官")                                                          \
    X(POLICE_OFFICER, "police_officer", "警官")                                                    \
    X(LAWYER, "lawyer", "律师")

enum mediator_role {
#define MEDIATOR_ROLE_GEN_ENUM(name, str, zh) MEDIATOR_ROLE_##name,
    MEDIATOR_ROLE_MAP(MEDIATOR_ROLE_GEN_ENUM)
#undef MEDIATOR_ROLE_GEN_ENUM
        MEDIATOR_ROLE_COUNT
};

/* How a dispute ended; "none" while it is open. */
#define DISPUTE_OUTCOME_MAP(X)                                                                     \
    X(NONE, "none", "无")                                                                          \
    X(AGREEMENT, "agreement", "达成协议")                                                          \
    X(CONCLUDED, "concluded", "调结")                                                              \
    X(REFERRED_COURT, "referred_court", "移交法院")                                                \
    X(REFERRED_ARBITRATION, "referred_arbitration", "移交仲裁")                                    \
    X(REFERRED_PETITION, "referred_petition", "移交信访")                                          \
    X(WITHDRAWN, "withdrawn", "撤回")

enum dispute_outcome {
#define DISPUTE_OUTCOME_GEN_ENUM(name, str, zh) DISPUTE_OUTCOME_##name,
    DISPUTE_OUTCOME_MAP(DISPUTE_OUTCOME_GEN_ENUM)
#undef DISPUTE_OUTCOME_GEN_ENUM
        DISPUTE_OUTCOME_COUNT
};

/* Where refer sends a dispute. */
#define DISPUTE_REFERRAL_MAP(X)                                                                    \
    X(COURT, "court", "法院")                                                                      \
    X(ARBITRATION, "arbitration", "仲裁机构")                                                      \
    X(PETITION_OFFICE, "petition_office", "信访部门")

enum dispute_referral {
#define DISPUTE_REFERRAL_GEN_ENUM(name, str, zh) DISPUTE_REFERRAL_##name,
    DISPUTE_REFERRAL_MAP(DISPUTE_REFERRAL_GEN_ENUM)
#undef DISPUTE_REFERRAL_GEN_ENUM
        DISPUTE_REFERRAL_COUNT
};

/* Bit of an action in a dispute_allowed_actions() mask. */
#define DISPUTE_ACTION_BIT(action) (1u << (unsigned)(action))

/* What the machine needs to know about the dispute (the caller loads it). */
struct dispute_facts {
    enum dispute_state state;
    int level;          /* area level holding it, AREA_PROVINCE..AREA_COMMUNITY */
    int mediator_count; /* mediators assigned */
    int session_count;  /* mediation sessions recorded */
    enum dispute_outcome outcome;
};

/* Who acts, relative to the dispute (worked out by the caller from the store and access.h). */
struct dispute_actor {
    enum role role;
    int is_in_scope;          /* the dispute's area is inside the actor's subtree */
    int is_assigned_mediator; /* the actor is one of the dispute's mediators */
};

/* The action and its fields. Strings are borrowed; NULL or blank is "not given". */
struct dispute_input {
    enum dispute_action action;
    const char *text;
    const char *reason;
    const char *referral;      /* refer: DISPUTE_REFERRAL_MAP name */
    const char *mediator_role; /* assign_mediator: MEDIATOR_ROLE_MAP name */
    const char *mediator_name; /* assign_mediator */
};

/* The dispute after the action (unchanged values copied). */
struct dispute_result {
    enum dispute_state to;
    int level;
    enum dispute_outcome outcome;
    int is_session;   /* record_session: count one more session */
    int is_mediator;  /* assign_mediator: one more mediator (role in input) */
    int is_follow_up; /* follow_up: record a visit */
};

/*
 * The decision. f, a, in, out not NULL; eb may be. out cleared on entry, filled on success.
 * Errors in this order: ERR_INVALID (inconsistent facts or unknown action),
 * ERR_INVALID_TRANSITION (state or condition), ERR_FORBIDDEN (role, scope, not assigned),
 * ERR_INVALID (a field).
 */
int dispute_apply(const struct dispute_facts *f, const struct dispute_actor *a,
                  const struct dispute_input *in, struct dispute_result *out, struct errbuf *eb);

/* Actions this actor may take now (DISPUTE_ACTION_BIT mask); agrees with dispute_apply()
 * given valid fields; 0 for inconsistent facts or NULL. */
unsigned dispute_allowed_actions(const struct dispute_facts *f, const struct dispute_actor *a);

/* 1 while the dispute is being worked on: registered, accepted, mediating. */
int dispute_state_is_open(enum dispute_state s);
/* 1 if the outcome counts as a success (agreement or concluded). */
int dispute_outcome_is_success(enum dispute_outcome o);

/*
 * Level that handles a new dispute found in an area of level area_level (1..7) with this risk:
 * high and major risks go to the street/town at once, the rest to the community/village; never
 * below the area's own level (a dispute registered at a street stays there). 0 for bad input.
 */
int dispute_initial_level(enum dispute_risk risk, int area_level);

/* Stable names and Chinese labels (static strings, NULL out of range); parsers return 0 and
 * set *out, or ERR_INVALID for an unknown or NULL name. */
const char *dispute_state_name(enum dispute_state s);
const char *dispute_state_name_zh(enum dispute_state s);
int dispute_state_parse(const char *name, enum dispute_state *out);
const char *dispute_action_name(enum dispute_action a);
const char *dispute_action_name_zh(enum dispute_action a);
int dispute_action_parse(const char *name, enum dispute_action *out);
const char *dispute_type_name(enum dispute_type t);
const char *dispute_type_name_zh(enum dispute_type t);
int dispute_type_parse(const char *name, enum dispute_type *out);
const char *dispute_risk_name(enum dispute_risk r);
const char *dispute_risk_name_zh(enum dispute_risk r);
int dispute_risk_parse(const char *name, enum dispute_risk *out);
const char *dispute_mediator_role_name(enum mediator_role r);
const char *dispute_mediator_role_name_zh(enum mediator_role r);
int dispute_mediator_role_parse(const char *name, enum mediator_role *out);
const char *dispute_outcome_name(enum dispute_outcome o);
const char *dispute_outcome_name_zh(enum dispute_outcome o);
int dispute_outcome_parse(const char *name, enum dispute_outcome *out);
const char *dispute_referral_name(enum dispute_referral r);
int dispute_referral_parse(const char *name, enum dispute_referral *out);

#endif
