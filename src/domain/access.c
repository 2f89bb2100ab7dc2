/*
 * access.c - the role × capability table and the subtree rule (see access.h).
 * Pure; thread-safe.
 */
#include "domain/access.h"

#include "base/error.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
#define ROLE_GEN_NAME(name, str, zh) str,
    ROLE_MAP(ROLE_GEN_NAME)
#undef ROLE_GEN_NAME
};

static const char *const role_names_zh[ROLE_COUNT] = {
#define ROLE_GEN_ZH(name, str, zh) zh,
    ROLE_MAP(ROLE_GEN_ZH)
#undef ROLE_GEN_ZH
};

#define BIT(c) (1u << (c))

/* Capabilities per role. Every role may read the areas of its own subtree (the map); base data
 * is for those who keep or use the household files; only admins change areas and users. */
#define STAFF_CASES (BIT(CAP_CASE_READ) | BIT(CAP_CASE_REPORT))

/* Base data is kept by those who visit the households: grid workers and community staff
 * write it (admins import it); unmasked ID numbers and phones are for those who must contact
 * or identify a person in their work -- not for leaders, dispatchers or admins, who see
 * figures and masked records. */
#define KEEPER (BIT(CAP_PERSON_READ) | BIT(CAP_PERSON_WRITE) | BIT(CAP_PERSON_PII))

/* Field work (SPEC section 5): grid workers patrol and visit, community staff visit and
 * plan campaigns; cadres, dispatchers, leaders and admins read it; compliance is for those
 * who supervise the grids (community staff, dispatchers, leaders, admins). Station cadres hold
 * the office hours of their teams. */
#define FIELD_READ BIT(CAP_FIELD_READ)
#define FIELD_DOER (BIT(CAP_FIELD_WORK) | FIELD_READ)
#define SUPERVISOR (FIELD_READ | BIT(CAP_FIELD_PLAN) | BIT(CAP_COMPLIANCE))

/* Residents report through the public form and see only their own cases (service/cases.c),
 * so they hold no case capability over an area; volunteers and council members relay
 * problems (they report) but do not read the area's cases. */
/* Disputes (SPEC section 6): staff who find or mediate them read them; leaders read them.
 * Councils (section 7): the two committees (community staff) manage them; council members,
 * cadres, dispatchers and leaders read them. */
#define DISPUTES     (BIT(CAP_DISPUTE_READ) | BIT(CAP_DISPUTE_REPORT))
#define COUNCIL_READ BIT(CAP_COUNCIL_READ)

/* Volunteers, posts and chiefs (SPEC section 8): community staff (and admins) organise them;
 * those who dispatch work or supervise the area read them. A chief (楼长/巷长/街长) reads the
 * map and relays the problems of their building or lane as cases (CAP_CASE_REPORT, scoped to
 * their cell, and only through their chief record: service/cases.c); community staff may
 * relay for a chief who phoned in. */
#define VOL_READ   BIT(CAP_VOLUNTEER_READ)
#define VOL_MANAGE (VOL_READ | BIT(CAP_VOLUNTEER_MANAGE))

static const unsigned role_caps[ROLE_COUNT] = {
    [ROLE_RESIDENT] = BIT(CAP_AREA_READ),
    [ROLE_GRID_WORKER] =
        BIT(CAP_AREA_READ) | KEEPER | STAFF_CASES | DISPUTES | FIELD_DOER | VOL_READ,
    [ROLE_COMMUNITY_STAFF] = BIT(CAP_AREA_READ) | KEEPER | STAFF_CASES | DISPUTES | COUNCIL_READ |
                             BIT(CAP_COUNCIL_MANAGE) | FIELD_DOER | SUPERVISOR | VOL_MANAGE |
                             BIT(CAP_CHIEF_RELAY),
    [ROLE_STATION_CADRE] = BIT(CAP_AREA_READ) | BIT(CAP_PERSON_READ) | STAFF_CASES | DISPUTES |
                           COUNCIL_READ | FIELD_READ | BIT(CAP_STATION_WORK) | VOL_READ,
    [ROLE_DISPATCHER] = BIT(CAP_AREA_READ) | BIT(CAP_PERSON_READ) | STAFF_CASES | DISPUTES |
                        COUNCIL_READ | FIELD_READ | BIT(CAP_COMPLIANCE) | VOL_READ,
    [ROLE_DEPARTMENT_HANDLER] = BIT(CAP_AREA_READ) | BIT(CAP_CASE_READ),
    [ROLE_MEDIATOR] =
        BIT(CAP_AREA_READ) | BIT(CAP_PERSON_READ) | BIT(CAP_PERSON_PII) | STAFF_CASES | DISPUTES,
    [ROLE_COUNCIL_MEMBER] = BIT(CAP_AREA_READ) | BIT(CAP_CASE_REPORT) | COUNCIL_READ,
    [ROLE_VOLUNTEER] = BIT(CAP_AREA_READ) | BIT(CAP_CASE_REPORT),
    [ROLE_LEADER] = BIT(CAP_AREA_READ) | BIT(CAP_PERSON_READ) | STAFF_CASES |
                    BIT(CAP_DISPUTE_READ) | COUNCIL_READ | SUPERVISOR | VOL_READ,
    [ROLE_ADMIN] = BIT(CAP_AREA_READ) | BIT(CAP_AREA_WRITE) | BIT(CAP_USER_ADMIN) |
                   BIT(CAP_PERSON_READ) | BIT(CAP_PERSON_WRITE) | STAFF_CASES | DISPUTES |
                   COUNCIL_READ | BIT(CAP_COUNCIL_MANAGE) | SUPERVISOR | VOL_MANAGE,
    [ROLE_CHIEF] = BIT(CAP_AREA_READ) | BIT(CAP_CASE_REPORT) | BIT(CAP_CHIEF_RELAY),
};

const char *access_role_name(enum role role)
{
    if ((int)role < 0 || role >= ROLE_COUNT)
        return NULL;
    return role_names[role];
}

const char *access_role_name_zh(enum role role)
{
    if ((int)role < 0 || role >= ROLE_COUNT)
        return NULL;
    return role_names_zh[role];
}

int access_role_parse(const char *name, enum role *out)
{
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (strcmp(role_names[i], name) == 0) {
            *out = (enum role)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

int access_role_has(enum role role, enum capability cap)
{
    if ((int)role < 0 || role >= ROLE_COUNT || (int)cap < 0 || cap >= CAP_COUNT)
        return 0;
    return (role_caps[role] & BIT(cap)) != 0;
}

int access_check(const struct principal *p, enum capability cap, const char *area_code)
{
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (!access_role_has(p->role, cap))
        return ERR_FORBIDDEN;
    if (area_code == NULL || !areacode_is_valid(area_code))
        return ERR_FORBIDDEN;
    if (!areacode_in_subtree(area_code, p->scope))
        return ERR_FORBIDDEN;
    return 0;
}
