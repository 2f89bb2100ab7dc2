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

#endif
