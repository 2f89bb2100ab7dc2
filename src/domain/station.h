/*
 * station.h - station teams' office hours (驻点联系, SPEC section 5): the weekly schedule of
 * a team (slots: a weekday, a local time, a community) and how many sessions it implies over a
 * period, and the three outcomes of an item raised in a session.
 *
 * Times of day are local (the city's fixed UTC offset, in minutes, given by the caller).
 * Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_STATION_H
#define GRIDGOV_DOMAIN_STATION_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;

#define STATION_SLOTS_MAX       14 /* weekly slots of one team */
#define STATION_COMMUNITIES_MAX 2  /* a team is linked to 1-2 communities */
#define STATION_MEMBERS_MAX     20

struct station_slot {
    int weekday;        /* 1 = Monday .. 7 = Sunday (ISO 8601) */
    int minute_of_day;  /* local start, 0..1439 */
    int duration_min;   /* 15..720 */
    char community[19]; /* one of the team's communities */
};

enum station_item_kind {
    STATION_SOLVED_ON_SPOT, /* 现场解决 */
    STATION_TICKETED,       /* 接单: becomes a case */
    STATION_EXPLAINED,      /* 解释 */
    STATION_ITEM_KIND_COUNT
};

/* Stable name ("solved_on_spot", "ticketed", "explained"); NULL out of range. */
const char *station_item_kind_name(enum station_item_kind k);
/* ERR_INVALID when unknown. */
int station_item_kind_parse(const char *name, enum station_item_kind *out);

/* Parse "HH:MM" into minutes of the day. ERR_INVALID. */
int station_parse_time_of_day(const char *text, int *minute_of_day);
/* Check a slot's ranges (weekday, time, duration). ERR_INVALID with the reason (naming index). */
int station_slot_check(const struct station_slot *s, size_t index, struct errbuf *eb);

/*
 * How many sessions the slots schedule with a start in [from_ms, to_ms), at a fixed local
 * offset of utc_offset_min minutes. 0 when to_ms <= from_ms.
 */
int64_t station_scheduled_count(const struct station_slot *slots, size_t n, int64_t from_ms,
                                int64_t to_ms, int utc_offset_min);

#endif
