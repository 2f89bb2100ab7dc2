/*
 * jsonutil.h - validated access to untrusted JSON objects (jansson).
 *
 * Every getter names the offending field in eb on failure, so the API can answer
 * 400 {"error":{"code":"invalid_argument","message":"field 'lon' must be a number"}}.
 * Strings returned are borrowed from the json_t and live as long as it does.
 */
#ifndef GRIDGOV_BASE_JSONUTIL_H
#define GRIDGOV_BASE_JSONUTIL_H

#include "base/error.h"

#include <jansson.h>
#include <stddef.h>

/* Parse body (len bytes, need not be NUL-terminated) into an object the caller decrefs.
 * ERR_BAD_JSON with the position when it is not JSON or not an object. */
int json_parse_object(const char *body, size_t len, json_t **out, struct errbuf *eb);
/* ERR_INVALID naming the first key of obj not in the NULL-terminated list allowed. */
int json_check_keys(const json_t *obj, const char *const *allowed, struct errbuf *eb);
/* String field of 1..maxlen bytes of valid UTF-8 without control characters.
 * Absent or null: ERR_INVALID if required, else *out = NULL and 0. */
int json_get_string(const json_t *obj, const char *key, int required, size_t maxlen,
                    const char **out, struct errbuf *eb);
/* Finite number field (integer or real) within [min, max]. Absent: as json_get_string;
 * *is_set tells whether it was present. */
int json_get_number(const json_t *obj, const char *key, int required, double min, double max,
                    double *out, int *is_set, struct errbuf *eb);
/* Integer field within [min, max]. */
int json_get_int(const json_t *obj, const char *key, int required, long long min, long long max,
                 long long *out, int *is_set, struct errbuf *eb);
/* Serialise compactly into a new string the caller frees. */
char *json_dump_compact(const json_t *value);
/* 1 if s (len bytes) is valid UTF-8 without C0 control characters other than tab/newline. */
int utf8_is_clean_text(const char *s, size_t len);
/* Copy the longest prefix of s that fits size bytes (NUL included) without cutting a UTF-8
 * character in two. */
void utf8_prefix(char *out, size_t size, const char *s);

#endif
