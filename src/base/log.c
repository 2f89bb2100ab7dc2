/*
 * log.c - structured one-line logging to stderr (see log.h for the format and threading rule).
 */
#include "base/log.h"

#include "base/error.h"
#include "base/timeutil.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Written once by main() before threads start; read-only afterwards (see log.h). */
static enum log_level log_threshold = LOG_INFO;

void log_set_level(enum log_level level)
{
    log_threshold = level;
}

int log_level_parse(const char *name, enum log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error", "off"};
    for (int i = 0; i < 5; i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    return ERR_INVALID;
}

int log_enabled(enum log_level level)
{
    return level >= log_threshold;
}

void log_write(enum log_level level, const char *module, const char *fmt, ...)
{
    static const char *const tags[] = {"debug", "info ", "warn ", "error"};
    char line[2048];
    char stamp[32];
    va_list ap;

    time_format_iso_ms(time_now_ms(), stamp, sizeof(stamp));
    int n = snprintf(line, sizeof(line), "%s %s %-8s ", stamp, tags[level < 4 ? level : 3], module);
    if (n < 0 || (size_t)n >= sizeof(line))
        n = 0;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof(line) - 2)
        len = sizeof(line) - 2;
    line[len++] = '\n';
    fwrite(line, 1, len, stderr);
}
