/*
 * station.c - weekly schedules and item outcomes of station teams (see station.h).
 * Pure; thread-safe.
 */
#include "domain/station.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

#define DAY_MS  ((int64_t)86400000)
#define WEEK_MS (7 * DAY_MS)

static const char *const kind_names[STATION_ITEM_KIND_COUNT] = {"solved_on_spot", "ticketed",
                                                                "explained"};

const char *station_item_kind_name(enum station_item_kind k)
{
    if ((int)k < 0 || k >= STATION_ITEM_KIND_COUNT)
        return NULL;
    return kind_names[k];
}

int station_item_kind_parse(const char *name, enum station_item_kind *out)
{
    for (int i = 0; i < STATION_ITEM_KIND_COUNT; i++) {
        if (name != NULL && strcmp(name, kind_names[i]) == 0) {
            *out = (enum station_item_kind)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

int station_parse_time_of_day(const char *text, int *minute_of_day)
{
    if (text == NULL || strlen(text) != 5 || text[2] != ':')
        return ERR_INVALID;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (text[i] < '0' || text[i] > '9'))
            return ERR_INVALID;
    {
        int h = (text[0] - '0') * 10 + (text[1] - '0');
        int m = (text[3] - '0') * 10 + (text[4] - '0');
        if (h > 23 || m > 59)
            return ERR_INVALID;
        *minute_of_day = h * 60 + m;
    }
    return 0;
}

int station_slot_check(const struct station_slot *s, size_t index, struct errbuf *eb)
{
    if (s->weekday < 1 || s->weekday > 7)
        return errbuf_set(eb, ERR_INVALID, "schedule slot %zu: weekday must be 1 (Monday)..7",
                          index);
    if (s->minute_of_day < 0 || s->minute_of_day > 1439)
        return errbuf_set(eb, ERR_INVALID, "schedule slot %zu: time must be HH:MM", index);
    if (s->duration_min < 15 || s->duration_min > 720)
        return errbuf_set(eb, ERR_INVALID, "schedule slot %zu: duration must be 15..720 minutes",
                          index);
    return 0;
}

/* Floor division for possibly negative times. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Number of t = first + k * WEEK_MS (k integer) with from <= t < to. */
static int64_t weekly_in(int64_t first, int64_t from, int64_t to)
{
    /* smallest k with first + k*W >= from, largest with first + k*W < to */
    int64_t lo = -floor_div(first - from, WEEK_MS);
    int64_t hi = floor_div(to - 1 - first, WEEK_MS);
    return hi >= lo ? hi - lo + 1 : 0;
}

int64_t station_scheduled_count(const struct station_slot *slots, size_t n, int64_t from_ms,
                                int64_t to_ms, int utc_offset_min)
{
    int64_t total = 0;
    /* 1970-01-05 was a Monday: local Monday 00:00 of that week, in UTC ms */
    const int64_t monday0 = 4 * DAY_MS - (int64_t)utc_offset_min * 60000;
    if (to_ms <= from_ms)
        return 0;
    for (size_t i = 0; i < n; i++) {
        int64_t first = monday0 + (int64_t)(slots[i].weekday - 1) * DAY_MS +
                        (int64_t)slots[i].minute_of_day * 60000;
        total += weekly_in(first, from_ms, to_ms);
    }
    return total;
}
