/*
 * calendar.h - the working-day calendar deadlines are counted on (SPEC section 4; standards.md
 * section 3.3: time limits count in working time).
 *
 * A calendar is three things:
 *   - the city's time zone, a fixed offset from UTC in minutes (+480 for China, which has no
 *     daylight saving time);
 *   - the working hours of a working day, a short list of spans in local time (default
 *     08:30-12:00 and 14:00-17:30, seven hours: the common office hours of Chinese local
 *     government; standards.md gives limits in working hours but no office hours);
 *   - a sorted set of special days: DAY_OFF (a statutory holiday) and DAY_WORK (a make-up
 *     working day, 调休, always on a Saturday or Sunday), as the State Council announces them
 *     each year and `gridgov calendar import FILE.csv` loads them.
 * A day is a working day when it is DAY_WORK, or a Monday to Friday that is not DAY_OFF. Special
 * days exist only for the years CALENDAR_YEAR_MIN..CALENDAR_YEAR_MAX; outside them every Monday
 * to Friday is a working day.
 *
 * Instants are milliseconds since the epoch, UTC (timeutil.h); the calendar converts to local
 * time itself. Nothing here reads the clock or a file. A calendar is not locked: build it once,
 * then share it read-only between threads (every const function is safe to call concurrently).
 */
#ifndef GRIDGOV_DOMAIN_CALENDAR_H
#define GRIDGOV_DOMAIN_CALENDAR_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

#define CALENDAR_YEAR_MIN           2000
#define CALENDAR_YEAR_MAX           2100
#define CALENDAR_UTC_OFFSET_DEFAULT 480 /* minutes east of UTC: China Standard Time */
#define CALENDAR_UTC_OFFSET_MAX     (14 * 60)
#define CALENDAR_SPANS_MAX          8
#define CALENDAR_NAME_MAX           64 /* bytes of a day's name, with the NUL */
#define CALENDAR_HOURS_TEXT_MAX     (CALENDAR_SPANS_MAX * 12 + 1)
/* Largest amounts the arithmetic accepts (far beyond any time limit; keeps every loop short). */
#define CALENDAR_ADD_MINUTES_MAX 1000000
#define CALENDAR_ADD_DAYS_MAX    5000
/* Supported instants: 1900-01-01T00:00Z and 2200-01-01T00:00Z in ms since the epoch. */
#define CALENDAR_MS_MIN ((int64_t)-2208988800000)
#define CALENDAR_MS_MAX ((int64_t)7258118400000)

enum day_kind {
    DAY_NORMAL = 0, /* follows the Monday-Friday week */
    DAY_OFF = 1,    /* holiday: not a working day even on a weekday */
    DAY_WORK = 2,   /* make-up working day on a Saturday or Sunday */
};

/* One span of working hours in local time: minutes since midnight, [start_min, end_min). */
struct calendar_span {
    int start_min;
    int end_min;
};

/* A special day as stored; name is "" when none was given. */
struct calendar_day {
    int year, month, day;
    enum day_kind kind;
    char name[CALENDAR_NAME_MAX];
};

struct calendar;

/* A calendar with the default time zone and hours and no special days; caller frees. */
struct calendar *calendar_new(void);
/* NULL-safe. */
void calendar_free(struct calendar *cal);

/* Stable names "normal", "off", "work"; NULL if out of range. */
const char *calendar_day_kind_name(enum day_kind kind);
/* Parse a kind name (also the Chinese "休" for off and "班" for work); ERR_INVALID if unknown. */
int calendar_day_kind_parse(const char *name, enum day_kind *out);

/* Time zone: minutes east of UTC, |offset| <= CALENDAR_UTC_OFFSET_MAX, else ERR_INVALID. */
int calendar_set_utc_offset(struct calendar *cal, int offset_min);
int calendar_utc_offset(const struct calendar *cal);

/*
 * Working hours: 1..CALENDAR_SPANS_MAX spans, each 0 <= start < end <= 1440, sorted and not
 * overlapping (touching is allowed). ERR_INVALID (detail in eb) otherwise, leaving the hours
 * unchanged. The spans are copied.
 */
int calendar_set_hours(struct calendar *cal, const struct calendar_span *spans, size_t n,
                       struct errbuf *eb);
/* Copy up to cap spans into out; returns how many spans the calendar has. */
size_t calendar_hours(const struct calendar *cal, struct calendar_span *out, size_t cap);
/* Working minutes in one working day (420 by default). */
int calendar_minutes_per_day(const struct calendar *cal);
/*
 * Text form of working hours, used in configuration and the API: "08:30-12:00,14:00-17:30"
 * (HH:MM-HH:MM, comma-separated; "24:00" may end the last span). Parse writes up to
 * CALENDAR_SPANS_MAX spans into out and their number into *n; ERR_INVALID with detail in eb for
 * bad syntax or spans calendar_set_hours would refuse. Format needs CALENDAR_HOURS_TEXT_MAX bytes.
 */
int calendar_hours_parse(const char *text, struct calendar_span *out, size_t *n, struct errbuf *eb);
void calendar_hours_format(const struct calendar_span *spans, size_t n, char *out, size_t size);

/*
 * Mark a local date special. DAY_NORMAL removes any mark. ERR_INVALID for an impossible date,
 * a year outside CALENDAR_YEAR_MIN..MAX or an unknown kind. A mark that changes nothing is
 * kept as given: DAY_OFF on a weekend (the notices list whole holiday blocks, weekends
 * included) and DAY_WORK on a weekday (the 2020 notice marks 2020-02-03, a Monday, as the
 * day work resumed after the extended Spring Festival). _named also records a name (NULL or "" for
 * none; truncated to CALENDAR_NAME_MAX - 1 bytes at a character boundary).
 */
int calendar_set_day(struct calendar *cal, int y, int m, int d, enum day_kind kind);
int calendar_set_day_named(struct calendar *cal, int y, int m, int d, enum day_kind kind,
                           const char *name);
/* Remove every special day. */
void calendar_clear_days(struct calendar *cal);
/* The mark of a local date; DAY_NORMAL for an unmarked or impossible date. */
enum day_kind calendar_day_kind(const struct calendar *cal, int y, int m, int d);
/* 1 if the local date is a working day, 0 if not or impossible. */
int calendar_is_working_day(const struct calendar *cal, int y, int m, int d);

/* Special days in date order, for storing them: count, then the i-th (ERR_NOT_FOUND past the
 * end). Load them back with calendar_set_day_named. */
size_t calendar_day_count(const struct calendar *cal);
int calendar_day_at(const struct calendar *cal, size_t i, struct calendar_day *out);

/*
 * Import the holiday CSV (shared/data/holidays-cn): a header naming the columns `date` and
 * `kind` (and optionally `name`; any order, other columns ignored), then one row per special
 * day: date YYYY-MM-DD (also YYYY/M/D, as spreadsheets re-save it), kind off|work (or 休|班).
 * Tolerated: a UTF-8 BOM, CRLF or LF line ends, quoted fields ("" escapes a quote, quotes may
 * hold commas and line breaks), blank lines and rows of empty fields (",,"), spaces around
 * fields.
 * A row is bad when: a field is missing, the date is not a date or lies outside
 * CALENDAR_YEAR_MIN..MAX, the kind is unknown, the same date appears again with the other
 * kind, the name is over CALENDAR_NAME_MAX - 1 bytes or not UTF-8 text, or the quoting is
 * broken. Rows that change nothing are accepted: an `off` day on a weekend is how the notices
 * list holiday blocks (counted in weekend_off); a `work` day on a weekday is rare enough to be
 * worth a look (a mistyped make-up day lands there), so it is also listed in warnings[].
 * All or nothing: when any row is bad nothing is applied and ERR_INVALID is returned, with
 * every bad row in res (line = physical line where the row starts, 1-based, the header being
 * line 1) and a summary in eb. Otherwise the rows are merged into the calendar's special days
 * (a date already present takes the file's kind and name; other days stay) and 0 is returned.
 * text need not be NUL-terminated; len over CALENDAR_IMPORT_MAX_BYTES is ERR_TOO_LARGE.
 * res is cleared on entry and filled in every case.
 */
#define CALENDAR_IMPORT_MAX_BYTES    (4u << 20)
#define CALENDAR_IMPORT_MAX_ROWS     50000
#define CALENDAR_IMPORT_ERRORS_MAX   50
#define CALENDAR_IMPORT_WARNINGS_MAX 20

struct calendar_import_error {
    size_t line;
    char reason[120];
};

struct calendar_import_result {
    size_t rows;          /* data rows read (the header and blank lines are not rows) */
    size_t applied;       /* rows applied: == rows on success, 0 on failure */
    size_t weekend_off;   /* `off` rows on a Saturday or Sunday (accepted) */
    size_t warning_count; /* `work` rows on a weekday (accepted); the first ones in warnings[] */
    struct calendar_import_error warnings[CALENDAR_IMPORT_WARNINGS_MAX];
    int first_ymd; /* earliest and latest date as YYYYMMDD, 0 when no rows */
    int last_ymd;
    size_t error_count; /* bad rows in all; errors[] holds the first CALENDAR_IMPORT_ERRORS_MAX */
    struct calendar_import_error errors[CALENDAR_IMPORT_ERRORS_MAX];
};

int calendar_parse_csv(struct calendar *cal, const char *text, size_t len,
                       struct calendar_import_result *res, struct errbuf *eb);

/*
 * Time arithmetic. Instants must lie in CALENDAR_MS_MIN..CALENDAR_MS_MAX (1900-01-01 to
 * 2200-01-01 UTC) and results before 2300; ERR_INVALID otherwise. Working time is the working-hour
 * spans of working days; a span is half-open, so 12:00 is the end of the morning, not working time.
 */

/* Local calendar date of an instant. */
int calendar_local_date(const struct calendar *cal, int64_t ms, int *y, int *m, int *d);
/* The instant of a local date and time (hh 0..24, mm 0..59; 24:00 is the next midnight). */
int calendar_local_to_ms(const struct calendar *cal, int y, int m, int d, int hh, int mm,
                         int64_t *out_ms);
/* 1 if ms falls inside working time. */
int calendar_is_working_time(const struct calendar *cal, int64_t ms);

/*
 * The earliest instant at which `minutes` working minutes have elapsed since start_ms. Time
 * before the next working moment does not count, so a start outside working time counts from
 * the next span's start. The result is the earliest such instant, so a limit that runs out
 * exactly at the end of a span ends there (11:00 + 60 min = 12:00, not 14:00); whether a step
 * is late is then judged in working time (see deadline_overdue_stage), so finishing at 12:30
 * is not late. 0 minutes gives start_ms. minutes in 0..CALENDAR_ADD_MINUTES_MAX.
 */
int calendar_add_working_minutes(const struct calendar *cal, int64_t start_ms, int64_t minutes,
                                 int64_t *out_ms);
/*
 * "N working days" from start_ms: the end of the last working span of the N-th working day
 * after start's local date. The day of the start never counts, whatever the hour (民法典
 * 第二百零一条: a period counted in days excludes its first day), so a case reported on a
 * Monday at 09:00 or at 20:00, or on the Saturday before, with 1 working day is due on
 * Tuesday (Monday for the Saturday) at 17:30. N = 0 means the same working day (当日): the end of
 * start's day if it is a working day and its working time has not ended, else the end of the
 * next working day. days in 0..CALENDAR_ADD_DAYS_MAX.
 */
int calendar_add_working_days(const struct calendar *cal, int64_t start_ms, int64_t days,
                              int64_t *out_ms);
/*
 * Working time in [a_ms, b_ms): milliseconds, and whole minutes (rounded down); 0 if b <= a.
 * Instants outside the supported range are clamped to it. Loops over days, never minutes.
 */
int64_t calendar_working_ms_between(const struct calendar *cal, int64_t a_ms, int64_t b_ms);
int64_t calendar_working_minutes_between(const struct calendar *cal, int64_t a_ms, int64_t b_ms);

#endif
