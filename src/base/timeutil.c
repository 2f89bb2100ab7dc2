/*
 * timeutil.c - clock reads and ISO 8601 conversions in UTC (see timeutil.h).
 */
#include "base/timeutil.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t time_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void time_split(int64_t ms, struct tm *tm, int *millis)
{
    int64_t secs = ms / 1000;
    int rem = (int)(ms % 1000);
    if (rem < 0) {
        rem += 1000;
        secs -= 1;
    }
    time_t t = (time_t)secs;
    gmtime_r(&t, tm);
    *millis = rem;
}

void time_format_iso(int64_t ms, char *out, size_t size)
{
    struct tm tm;
    int millis;
    time_split(ms, &tm, &millis);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void time_format_iso_ms(int64_t ms, char *out, size_t size)
{
    struct tm tm;
    int millis;
    time_split(ms, &tm, &millis);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

int64_t time_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int era = (y >= 0 ? y : y - 399) / 400;
    int yoe = y - era * 400;
    int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return (int64_t)era * 146097 + doe - 719468;
}

void time_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    int64_t yy = yoe + era * 400 + (mm <= 2);
    if (yy > 99999)
        yy = 99999;
    if (yy < -99999)
        yy = -99999;
    *y = (int)yy;
    *m = (int)mm;
    *d = (int)dd;
}

int time_days_in_month(int y, int m)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 ? 28 + leap : mdays[m - 1];
}

int time_local_date_key(int64_t ms, int offset_min)
{
    const int64_t day_ms = 86400000;
    int64_t off = (int64_t)offset_min * 60000, days;
    int y, m, d;
    if (off > 0 && ms > INT64_MAX - off)
        ms = INT64_MAX - off;
    if (off < 0 && ms < INT64_MIN - off)
        ms = INT64_MIN - off;
    ms += off;
    days = ms / day_ms;
    if (ms % day_ms < 0)
        days--;
    time_civil_from_days(days, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

int time_parse_iso(const char *s, int64_t *out_ms)
{
    int y, mo, d, h = 0, mi = 0, sec = 0, millis = 0, n = 0;
    size_t len = strlen(s);
    if (len == 10) {
        if (sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
            return ERR_INVALID;
    } else {
        if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
            return ERR_INVALID;
        const char *p = s + 19;
        if (*p == '.') {
            int digits = 0;
            p++;
            while (*p >= '0' && *p <= '9') {
                if (digits < 3)
                    millis = millis * 10 + (*p - '0');
                digits++;
                p++;
            }
            if (digits == 0)
                return ERR_INVALID;
            for (; digits < 3; digits++)
                millis *= 10;
        }
        if (strcmp(p, "Z") != 0)
            return ERR_INVALID;
    }
    if (y < 1900 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > time_days_in_month(y, mo) ||
        h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
        return ERR_INVALID;
    int64_t days = time_days_from_civil(y, mo, d);
    *out_ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)sec * 1000 + millis;
    return 0;
}
