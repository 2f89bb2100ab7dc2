/*
 * access.h - who may do what, where: the one authorisation decision (SPEC section 1, 12).
 *
 * A principal is an authenticated user reduced to what authorisation needs: role, the root of
 * the area subtree they are assigned to, and their department (handlers only). Every API
 * request that touches data calls access_check() with the capability it needs and the area the
 * data belongs to; the rule is the same everywhere: the role must hold the capability (a row in
 * the role table in access.c) and the area must lie inside the principal's subtree — never
 * beside or above it. Pure, no I/O.
 */
#ifndef GRIDGOV_DOMAIN_ACCESS_H
#define GRIDGOV_DOMAIN_ACCESS_H

#include "domain/areacode.h"

#include <stdint.h>

#define ROLE_MAP(X)                                                                                \
    X(RESIDENT, "resident", "居民")                                                                \
    X(GRID_WORKER, "grid_worker", "网格员")                                                        \
    X(COMMUNITY_STAFF, "community_staff", "社区工作人员")                                          \
    X(STATION_CADRE, "station_cadre", "驻点干部")                                                  \
    X(DISPATCHER, "dispatcher", "指挥中心调度员")                                                  \
    X(DEPARTMENT_HANDLER, "department_handler", "职能部门处置人员")                                \
    X(MEDIATOR, "mediator", "调解员")                                                              \
    X(COUNCIL_MEMBER, "council_member", "村务商议团成员")                                          \
    X(VOLUNTEER, "volunteer", "志愿者")                                                            \
    X(LEADER, "leader", "领导")                                                                    \
    X(ADMIN, "admin", "管理员")                                                                    \
    X(CHIEF, "chief", "楼长/巷长/街长")

enum role {
#define ROLE_GEN_ENUM(name, str, zh) ROLE_##name,
    ROLE_MAP(ROLE_GEN_ENUM)
#undef ROLE_GEN_ENUM
        ROLE_COUNT
};

/* What a request wants to do; each role holds a set of these (table in access.c). */
enum capability {
    CAP_AREA_READ,        /* read areas, their polygons and counts */
    CAP_AREA_WRITE,       /* import or change areas */
    CAP_USER_ADMIN,       /* create users, reset passwords, list users */
    CAP_PERSON_READ,      /* read base data (households, persons), masked */
    CAP_PERSON_WRITE,     /* create, change, delete and import base data */
    CAP_PERSON_PII,       /* see ID numbers and phones unmasked (each read is logged) */
    CAP_CASE_READ,        /* read and list the cases of the area (residents: see cases.h) */
    CAP_CASE_REPORT,      /* report a case in the area (channels other than the public form) */
    CAP_DISPUTE_READ,     /* read and list the disputes of the area and their statistics */
    CAP_DISPUTE_REPORT,   /* register a dispute found in the area */
    CAP_COUNCIL_READ,     /* read the councils and every topic of the area (residents: see
                             service/councils.h, published decisions of their village only) */
    CAP_COUNCIL_MANAGE,   /* set up councils and their members (the two committees) */
    CAP_FIELD_WORK,       /* run patrols and record household visits in the area (issue 5) */
    CAP_FIELD_READ,       /* read the area's patrols, visits, campaigns and task lists */
    CAP_FIELD_PLAN,       /* start visit campaigns in the area */
    CAP_COMPLIANCE,       /* read the compliance of the area's grids (patrol and visit norms) */
    CAP_STATION_WORK,     /* hold station-team office hours and record their sessions */
    CAP_VOLUNTEER_READ,   /* read the area's volunteers, needs and matches, posts, hours, chiefs */
    CAP_VOLUNTEER_MANAGE, /* register volunteers and chiefs, declare needs and assign, set up
                             posts and their members, log hours (SPEC section 8) */
    CAP_CHIEF_RELAY,      /* relay a case as a building/lane/street chief (service/volunteers.h) */
    CAP_COUNT
};

#define DEPARTMENT_MAX 32

struct principal {
    int64_t user_id;
    enum role role;
    char scope[AREA_CODE_BUF];           /* root of the area subtree the user acts on */
    char department[DEPARTMENT_MAX + 1]; /* handlers only; "" otherwise */
};

/* Stable role name ("grid_worker"); NULL if out of range. */
const char *access_role_name(enum role role);
const char *access_role_name_zh(enum role role);
/* Parse a role name; ERR_INVALID if unknown. */
int access_role_parse(const char *name, enum role *out);
/* 1 if the role holds the capability anywhere. */
int access_role_has(enum role role, enum capability cap);
/*
 * The authorisation decision. p NULL (anonymous): ERR_UNAUTHORIZED. Role lacks cap, or
 * area_code (a valid code) is outside p->scope's subtree: ERR_FORBIDDEN. Otherwise 0.
 */
int access_check(const struct principal *p, enum capability cap, const char *area_code);

#endif
