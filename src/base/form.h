/*
 * form.h - HTML form bodies and query strings: application/x-www-form-urlencoded and
 * multipart/form-data (RFC 7578), parsed strictly and within caller-given limits.
 *
 * Both parsers produce the same struct form: the fields in the order they came, names and
 * values decoded, repeated names kept (Open311 sends a multivaluelist attribute as
 * attribute[CODE][]=a&attribute[CODE][]=b). A field whose value is empty is dropped, because
 * Open311 (and HTML forms generally) treat an empty parameter exactly as an absent one; this
 * includes a file input sent with no file chosen.
 *
 * Strictness: a malformed percent escape, a decoded NUL byte or invalid UTF-8 in a name or a
 * text value, a missing or malformed boundary, a part without a form-data Content-Disposition
 * name, an unterminated body, too many fields or any size over its limit is ERR_INVALID (or
 * ERR_TOO_LARGE for sizes) with a sentence in eb, and nothing is returned. File contents (parts
 * with a filename) are bytes and are not checked. Pure functions, no global state; any thread.
 */
#ifndef GRIDGOV_BASE_FORM_H
#define GRIDGOV_BASE_FORM_H

#include "base/error.h"

#include <stddef.h>

struct form_field {
    char *name;         /* owned, decoded, NUL-terminated */
    char *value;        /* owned, decoded; value_len bytes plus a NUL for convenience */
    size_t value_len;   /* file contents may hold NUL bytes; text values never do */
    char *filename;     /* owned; multipart parts with a filename only, else NULL */
    char *content_type; /* owned; multipart parts that declared one only, else NULL */
};

struct form {
    struct form_field *fields; /* owned array */
    size_t len;
};

/* Bounds on what a parser accepts; 0 in a field means the default named beside it. */
struct form_limits {
    size_t max_fields; /* fields kept, default 256 */
    size_t max_name;   /* bytes of a decoded name, default 128 */
    size_t max_value;  /* bytes of a decoded text value, default 16384 */
    size_t max_file;   /* bytes of one file part, default 10 MiB */
};

/* Free the fields; the form is empty afterwards. NULL is a no-op. */
void form_cleanup(struct form *f);

/*
 * Parse a urlencoded body or query string (text of len bytes, need not be NUL-terminated; a
 * leading '?' is not allowed). '+' is a space, %XX a byte; "a&&b" skips the empty pair, "k"
 * without '=' is k with an empty value (so dropped). *out is filled only on success and the
 * caller cleans it up. lim may be NULL (defaults).
 */
int form_parse_urlencoded(const char *text, size_t len, const struct form_limits *lim,
                          struct form *out, struct errbuf *eb);

/*
 * Parse a multipart/form-data body; content_type is the request's Content-Type header, which
 * carries the boundary. Part headers must end in CRLF; only Content-Disposition and
 * Content-Type are read (others are ignored). As above for *out and lim.
 */
int form_parse_multipart(const char *body, size_t len, const char *content_type,
                         const struct form_limits *lim, struct form *out, struct errbuf *eb);

/*
 * Parse a request body by its Content-Type: application/x-www-form-urlencoded (with any
 * parameters, e.g. "; charset=utf-8") or multipart/form-data. Any other type, or none, is
 * ERR_UNSUPPORTED_MEDIA. An empty body is an empty form.
 */
int form_parse_body(const char *content_type, const char *body, size_t len,
                    const struct form_limits *lim, struct form *out, struct errbuf *eb);

/* The first field named name (borrowed), or NULL. */
const struct form_field *form_find(const struct form *f, const char *name);
/* Its value, or NULL when absent. */
const char *form_get(const struct form *f, const char *name);
/* How many fields are named name. */
size_t form_count(const struct form *f, const char *name);

/*
 * Recognise an Open311 attribute field name: "attribute[CODE]" (is_list 0) or
 * "attribute[CODE][]" (is_list 1), CODE 1..code_size-1 bytes without brackets. Returns 1 and
 * fills code and *is_list, or 0 when name is not of that form (code is then "").
 */
int form_attribute_name(const char *name, char *code, size_t code_size, int *is_list);

#endif
