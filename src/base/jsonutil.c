/*
 * jsonutil.c - validated getters over jansson objects (see jsonutil.h).
 */
#include "base/jsonutil.h"

#include <math.h>
#include <string.h>

int json_parse_object(const char *body, size_t len, json_t **out, struct errbuf *eb)
{
    json_error_t jerr;
    *out = NULL;
    if (body == NULL || len == 0)
        return errbuf_set(eb, ERR_BAD_JSON, "request body is empty; a JSON object is expected");
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (v == NULL)
        return errbuf_set(eb, ERR_BAD_JSON, "malformed JSON at line %d column %d: %s", jerr.line,
                          jerr.column, jerr.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return errbuf_set(eb, ERR_BAD_JSON, "request body must be a JSON object");
    }
    *out = v;
    return 0;
}

int json_check_keys(const json_t *obj, const char *const *allowed, struct errbuf *eb)
{
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)obj, key, value)
    {
        int known = 0;
        (void)value;
        for (const char *const *a = allowed; *a != NULL; a++) {
            if (strcmp(*a, key) == 0) {
                known = 1;
                break;
            }
        }
        if (!known)
            return errbuf_set(eb, ERR_INVALID, "unknown field '%.64s'", key);
    }
    return 0;
}

int utf8_is_clean_text(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        size_t extra;
        unsigned int cp;
        if (c < 0x80) {
            if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
                return 0;
            i++;
            continue;
        } else if ((c & 0xe0) == 0xc0) {
            extra = 1;
            cp = c & 0x1f;
        } else if ((c & 0xf0) == 0xe0) {
            extra = 2;
            cp = c & 0x0f;
        } else if ((c & 0xf8) == 0xf0) {
            extra = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (i + extra >= len)
            return 0;
        for (size_t k = 1; k <= extra; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += extra + 1;
    }
    return 1;
}

int json_get_string(const json_t *obj, const char *key, int required, size_t maxlen,
                    const char **out, struct errbuf *eb)
{
    json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return errbuf_set(eb, ERR_INVALID, "field '%s' is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be a string", key);
    size_t len = json_string_length(v);
    const char *s = json_string_value(v);
    if (len == 0 && required)
        return errbuf_set(eb, ERR_INVALID, "field '%s' must not be empty", key);
    if (len > maxlen)
        return errbuf_set(eb, ERR_INVALID, "field '%s' is longer than %zu bytes", key, maxlen);
    if (strlen(s) != len || !utf8_is_clean_text(s, len))
        return errbuf_set(eb, ERR_INVALID, "field '%s' contains control characters", key);
    *out = s;
    return 0;
}

int json_get_number(const json_t *obj, const char *key, int required, double min, double max,
                    double *out, int *is_set, struct errbuf *eb)
{
    json_t *v = json_object_get(obj, key);
    if (is_set)
        *is_set = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return errbuf_set(eb, ERR_INVALID, "field '%s' is required", key);
        return 0;
    }
    if (!json_is_number(v))
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be a number", key);
    double d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be between %g and %g", key, min, max);
    *out = d;
    if (is_set)
        *is_set = 1;
    return 0;
}

int json_get_int(const json_t *obj, const char *key, int required, long long min, long long max,
                 long long *out, int *is_set, struct errbuf *eb)
{
    json_t *v = json_object_get(obj, key);
    if (is_set)
        *is_set = 0;
    if (v == NULL || json_is_null(v)) {
        if (required)
            return errbuf_set(eb, ERR_INVALID, "field '%s' is required", key);
        return 0;
    }
    if (!json_is_integer(v))
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be an integer", key);
    long long i = json_integer_value(v);
    if (i < min || i > max)
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be between %lld and %lld", key, min,
                          max);
    *out = i;
    if (is_set)
        *is_set = 1;
    return 0;
}

char *json_dump_compact(const json_t *value)
{
    return json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY);
}

void utf8_prefix(char *out, size_t size, const char *s)
{
    size_t n = strlen(s);
    if (size == 0)
        return;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--; /* s[n] would be the first byte left out: never a continuation byte */
    }
    memcpy(out, s, n);
    out[n] = '\0';
}
