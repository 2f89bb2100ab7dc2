/*
 * timeutil.h - wall-clock time as milliseconds since the Unix epoch, and its ISO 8601 forms.
 * All stored times are UTC; display in the city's zone is the web interface's job.
 */
#ifndef GRIDGOV_BASE_TIMEUTIL_H
#define GRIDGOV_BASE_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since 1970-01-01T00:00:00Z. */
int64_t time_now_ms(void);
/* Monotonic milliseconds, for durations. */
int64_t time_mono_ms(void);
/* "2026-03-21T08:00:00Z" (seconds precision); out must hold 21 bytes. */
void time_format_iso(int64_t ms, char *out, size_t size);
/* "2026-03-21T08:00:00.123Z"; out must hold 25 bytes. */
void time_format_iso_ms(int64_t ms, char *out, size_t size);
/* Parse "YYYY-MM-DDTHH:MM:SS[.fff]Z" or "YYYY-MM-DD" (as 00:00Z); ERR_INVALID otherwise. */
int time_parse_iso(const char *s, int64_t *out_ms);

/* Civil dates in the proleptic Gregorian calendar (H. Hinnant's algorithms), shared by the
 * calendar, ID-number checks and base-data dates. */
/* Days from 1970-01-01 to y-m-d. */
int64_t time_days_from_civil(int y, int m, int d);
/* The date of day number z (days since 1970-01-01); years are clamped to +-99999. */
void time_civil_from_days(int64_t z, int *y, int *m, int *d);
/* Days in month m (1-12) of year y. */
int time_days_in_month(int y, int m);
/* The local date of ms at a fixed UTC offset of offset_min minutes, as y*10000 + m*100 + d
 * (an int that orders like the date). Safe for any int64 ms. */
int time_local_date_key(int64_t ms, int offset_min);

#endif
