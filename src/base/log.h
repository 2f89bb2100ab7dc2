/*
 * log.h - one line per event on stderr.
 *
 * Format: "2026-03-21T08:00:00.123Z info  http     rid=42 message key=value ...". The level
 * is checked before anything is formatted. The threshold is set once by main() before any
 * thread starts (log_set_level) and only read afterwards, so no locking is needed; each line is
 * written with one fwrite so lines from different threads do not interleave.
 * Never log secrets or personal data (passwords, tokens, ID numbers, phones).
 */
#ifndef GRIDGOV_BASE_LOG_H
#define GRIDGOV_BASE_LOG_H

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3, LOG_OFF = 4 };

/* Set the threshold; call from main() only, before threads start. */
void log_set_level(enum log_level level);
/* Parse "debug|info|warn|error|off"; ERR_INVALID otherwise. */
int log_level_parse(const char *name, enum log_level *out);
int log_enabled(enum log_level level);
void log_write(enum log_level level, const char *module, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_debug(mod, ...)                                                                        \
    do {                                                                                           \
        if (log_enabled(LOG_DEBUG))                                                                \
            log_write(LOG_DEBUG, mod, __VA_ARGS__);                                                \
    } while (0)
#define log_info(mod, ...)                                                                         \
    do {                                                                                           \
        if (log_enabled(LOG_INFO))                                                                 \
            log_write(LOG_INFO, mod, __VA_ARGS__);                                                 \
    } while (0)
#define log_warn(mod, ...)                                                                         \
    do {                                                                                           \
        if (log_enabled(LOG_WARN))                                                                 \
            log_write(LOG_WARN, mod, __VA_ARGS__);                                                 \
    } while (0)
#define log_error(mod, ...)                                                                        \
    do {                                                                                           \
        if (log_enabled(LOG_ERROR))                                                                \
            log_write(LOG_ERROR, mod, __VA_ARGS__);                                                \
    } while (0)

#endif
