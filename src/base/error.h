/*
 * error.h - the one list of gridgov error codes.
 *
 * Every fallible function returns int: 0 on success, one of the negative ERR_* values on
 * failure. ERR_MAP is the single source of truth: it generates the enum, the stable string
 * code clients see in {"error":{"code":...}}, the default English message and the HTTP status
 * the API layer answers with. Adding an error is adding a row.
 *
 * Functions that can say more than the code (which field, which line) fill a caller-provided
 * struct errbuf; it may be NULL when the caller does not care.
 */
#ifndef GRIDGOV_BASE_ERROR_H
#define GRIDGOV_BASE_ERROR_H

#include <stddef.h>

/* X(NAME, "stable_code", http_status, "default message") */
#define ERR_MAP(X)                                                                                 \
    X(INVALID, "invalid_argument", 400, "invalid argument")                                        \
    X(BAD_JSON, "malformed_json", 400, "request body is not valid JSON")                           \
    X(BAD_GEOMETRY, "invalid_geometry", 400, "invalid geometry")                                   \
    X(UNAUTHORIZED, "unauthorized", 401, "authentication required")                                \
    X(BAD_LOGIN, "bad_credentials", 401, "wrong username or password")                             \
    X(FORBIDDEN, "forbidden", 403, "not allowed for this user or area")                            \
    X(CSRF, "csrf_failed", 403, "missing or wrong X-CSRF-Token header")                            \
    X(NOT_FOUND, "not_found", 404, "not found")                                                    \
    X(METHOD, "method_not_allowed", 405, "method not allowed")                                     \
    X(EXISTS, "already_exists", 409, "already exists")                                             \
    X(CONFLICT, "conflict", 409, "conflict")                                                       \
    X(INVALID_TRANSITION, "invalid_transition", 409, "action not allowed in the case's state")     \
    X(TOO_LARGE, "payload_too_large", 413, "request body too large")                               \
    X(UNSUPPORTED_MEDIA, "unsupported_media_type", 415, "unsupported content type")                \
    X(RATE_LIMITED, "rate_limited", 429, "too many attempts, try again later")                     \
    X(DB, "storage_error", 500, "storage error")                                                   \
    X(DB_TOO_NEW, "database_too_new", 500, "database was written by a newer gridgov")              \
    X(IO, "io_error", 500, "input/output error")                                                   \
    X(INTERNAL, "internal_error", 500, "internal error")                                           \
    X(BUSY, "busy", 503, "server busy, try again")

enum err_index {
#define ERR_GEN_INDEX(name, code, status, msg) ERR_INDEX_##name,
    ERR_MAP(ERR_GEN_INDEX)
#undef ERR_GEN_INDEX
        ERR_INDEX_COUNT
};

enum err {
    ERR_OK = 0,
#define ERR_GEN_VALUE(name, code, status, msg) ERR_##name = -(ERR_INDEX_##name + 1),
    ERR_MAP(ERR_GEN_VALUE)
#undef ERR_GEN_VALUE
};

/* Detail for a failure: a sentence naming the field, line or reason. */
struct errbuf {
    char msg[512];
};

/* Stable machine-readable code of err ("not_found"); "ok" for 0, "internal_error" if unknown. */
const char *err_code(int err);
/* Default English message for err. */
const char *err_message(int err);
/* HTTP status the API answers err with (200 for 0, 500 if unknown). */
int err_http_status(int err);

/*
 * Record a detail message in eb (NULL-safe) and return err, so validation reads
 *     return errbuf_set(eb, ERR_INVALID, "field '%s' must be a string", name);
 * The first message set wins: later calls do not overwrite a detail already present.
 */
int errbuf_set(struct errbuf *eb, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Clear eb (NULL-safe). */
void errbuf_clear(struct errbuf *eb);
/* eb's message if one was set, otherwise err_message(err). */
const char *errbuf_message(const struct errbuf *eb, int err);

#endif
