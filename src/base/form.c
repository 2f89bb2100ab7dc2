/*
 * form.c - urlencoded and multipart/form-data parsers (see form.h).
 *
 * Both parsers append to a private growing array and hand it over only when the whole input
 * was good, so a failure leaves *out untouched and frees everything it built. Sizes are
 * checked before any allocation that depends on them. No global state.
 */
#include "base/form.h"

#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_MAX_FIELDS 256
#define DEFAULT_MAX_NAME   128
#define DEFAULT_MAX_VALUE  16384
#define DEFAULT_MAX_FILE   ((size_t)10 * 1024 * 1024)
#define BOUNDARY_MAX       70 /* RFC 2046 */
#define PART_HEADERS_MAX   8192

struct limits {
    size_t max_fields, max_name, max_value, max_file;
};

static void limits_of(const struct form_limits *lim, struct limits *out)
{
    out->max_fields = lim && lim->max_fields ? lim->max_fields : DEFAULT_MAX_FIELDS;
    out->max_name = lim && lim->max_name ? lim->max_name : DEFAULT_MAX_NAME;
    out->max_value = lim && lim->max_value ? lim->max_value : DEFAULT_MAX_VALUE;
    out->max_file = lim && lim->max_file ? lim->max_file : DEFAULT_MAX_FILE;
}

static void field_cleanup(struct form_field *f)
{
    free(f->name);
    free(f->value);
    free(f->filename);
    free(f->content_type);
    memset(f, 0, sizeof(*f));
}

void form_cleanup(struct form *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->len; i++)
        field_cleanup(&f->fields[i]);
    free(f->fields);
    f->fields = NULL;
    f->len = 0;
}

/* 1 if s (len bytes) is valid UTF-8 (shortest forms, no surrogates) without NUL bytes. */
static int utf8_valid_no_nul(const unsigned char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        size_t extra;
        unsigned cp;
        if (c == 0)
            return 0;
        if (c < 0x80) {
            i++;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
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
        if (len - i <= extra)
            return 0;
        for (size_t k = 1; k <= extra; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3fu);
        }
        if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
            (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        i += extra + 1;
    }
    return 1;
}

/* Append a field (takes ownership of the strings) unless its value is empty. */
static int add_field(struct form *f, const struct limits *lim, char *name, char *value,
                     size_t value_len, char *filename, char *content_type, struct errbuf *eb)
{
    if (value_len == 0) {
        free(name);
        free(value);
        free(filename);
        free(content_type);
        return 0;
    }
    if (f->len >= lim->max_fields) {
        free(name);
        free(value);
        free(filename);
        free(content_type);
        return errbuf_set(eb, ERR_TOO_LARGE, "more than %zu form fields", lim->max_fields);
    }
    f->fields = xrealloc(f->fields, (f->len + 1) * sizeof(*f->fields));
    f->fields[f->len].name = name;
    f->fields[f->len].value = value;
    f->fields[f->len].value_len = value_len;
    f->fields[f->len].filename = filename;
    f->fields[f->len].content_type = content_type;
    f->len++;
    return 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decode s[0..n) (urlencoded) into a new string; *out_len its length. ERR_INVALID for a bad
 * escape, a NUL or invalid UTF-8; ERR_TOO_LARGE beyond max decoded bytes.
 */
static int url_decode(const char *s, size_t n, size_t max, const char *what, char **out,
                      size_t *out_len, struct errbuf *eb)
{
    char *d;
    size_t len = 0;
    *out = NULL;
    /* The decoded form is never longer than the encoded one, so check the cheap bound first
     * and the exact one as we go. */
    d = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            int hi, lo;
            if (n - i < 3 || (hi = hex_value(s[i + 1])) < 0 || (lo = hex_value(s[i + 2])) < 0) {
                free(d);
                return errbuf_set(eb, ERR_INVALID, "malformed percent escape in a form %s", what);
            }
            c = (char)(hi * 16 + lo);
            i += 2;
        }
        if (len >= max) {
            free(d);
            return errbuf_set(eb, ERR_TOO_LARGE, "a form %s is longer than %zu bytes", what, max);
        }
        d[len++] = c;
    }
    d[len] = '\0';
    if (!utf8_valid_no_nul((const unsigned char *)d, len)) {
        free(d);
        return errbuf_set(eb, ERR_INVALID, "a form %s is not UTF-8 text", what);
    }
    *out = d;
    *out_len = len;
    return 0;
}

int form_parse_urlencoded(const char *text, size_t len, const struct form_limits *lim,
                          struct form *out, struct errbuf *eb)
{
    struct form f = {NULL, 0};
    struct limits L;
    size_t pos = 0;
    int r = 0;

    limits_of(lim, &L);
    while (pos < len) {
        const char *pair = text + pos;
        const char *amp = memchr(pair, '&', len - pos);
        size_t plen = amp ? (size_t)(amp - pair) : len - pos;
        pos += plen + (amp ? 1 : 0);
        if (plen == 0)
            continue;
        const char *eq = memchr(pair, '=', plen);
        size_t klen = eq ? (size_t)(eq - pair) : plen;
        char *name = NULL, *value = NULL;
        size_t name_len = 0, value_len = 0;
        if (klen == 0) {
            r = errbuf_set(eb, ERR_INVALID, "a form field has no name");
            goto fail;
        }
        if ((r = url_decode(pair, klen, L.max_name, "name", &name, &name_len, eb)) != 0)
            goto fail;
        if (eq != NULL && (r = url_decode(eq + 1, plen - klen - 1, L.max_value, "value", &value,
                                          &value_len, eb)) != 0) {
            free(name);
            goto fail;
        }
        if ((r = add_field(&f, &L, name, value, value_len, NULL, NULL, eb)) != 0)
            goto fail;
    }
    *out = f;
    return 0;
fail:
    form_cleanup(&f);
    return r;
}

/* ---- multipart/form-data ---------------------------------------------------------------- */

/* Find needle (nlen bytes) in hay (hlen bytes); NULL when absent. */
static const char *mem_find(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
    if (nlen == 0 || hlen < nlen)
        return NULL;
    const char *end = hay + hlen - nlen + 1;
    for (const char *p = hay; p < end;) {
        p = memchr(p, needle[0], (size_t)(end - p));
        if (p == NULL)
            return NULL;
        if (memcmp(p, needle, nlen) == 0)
            return p;
        p++;
    }
    return NULL;
}

/*
 * Find parameter key in a header value's parameter list ("form-data; name=\"x\"; filename=y")
 * and copy its value (quoted-string unescaped, or token) into a new string. Returns 1 found,
 * 0 absent, ERR_INVALID malformed. s is NUL-terminated.
 */
static int header_param(const char *s, const char *key, size_t max, char **out)
{
    size_t klen = strlen(key);
    const char *p = strchr(s, ';');
    *out = NULL;
    while (p != NULL) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        const char *name = p;
        while (*p && *p != '=' && *p != ';')
            p++;
        size_t nlen = (size_t)(p - name);
        while (nlen > 0 && (name[nlen - 1] == ' ' || name[nlen - 1] == '\t'))
            nlen--;
        if (*p != '=')
            return ERR_INVALID;
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        char *v = xmalloc(strlen(p) + 1);
        size_t vlen = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                v[vlen++] = *p++;
            }
            if (*p != '"') {
                free(v);
                return ERR_INVALID;
            }
            p++;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p != '\0' && *p != ';') {
                free(v);
                return ERR_INVALID;
            }
        } else {
            while (*p && *p != ';' && *p != ' ' && *p != '\t')
                v[vlen++] = *p++;
            while (*p == ' ' || *p == '\t')
                p++;
            if (*p != '\0' && *p != ';') {
                free(v);
                return ERR_INVALID;
            }
        }
        v[vlen] = '\0';
        if (nlen == klen && strncasecmp(name, key, klen) == 0) {
            if (vlen > max) {
                free(v);
                return ERR_INVALID;
            }
            *out = v;
            return 1;
        }
        free(v);
        p = strchr(p, ';');
    }
    return 0;
}

/* The media type of a Content-Type value, lower-cased, without parameters. */
static void media_type(const char *ct, char *out, size_t size)
{
    size_t n = 0;
    while (*ct == ' ' || *ct == '\t')
        ct++;
    while (ct[n] && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t' && n + 1 < size) {
        char c = ct[n];
        out[n] = (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
        n++;
    }
    out[n] = '\0';
}

static int boundary_char_ok(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           strchr("'()+_,-./:=? ", c) != NULL;
}

/* Parse one part's headers (hdr, NUL-terminated, lines separated by CRLF) into name,
 * filename and content type. */
static int part_headers(char *hdr, const struct limits *L, char **name, char **filename,
                        char **ctype, struct errbuf *eb)
{
    char *save = NULL;
    int has_disposition = 0;
    *name = *filename = *ctype = NULL;
    for (char *line = hdr; line != NULL; line = save) {
        char *crlf = strstr(line, "\r\n");
        if (crlf) {
            *crlf = '\0';
            save = crlf + 2;
        } else {
            save = NULL;
        }
        if (line[0] == '\0')
            continue;
        char *colon = strchr(line, ':');
        if (colon == NULL)
            return errbuf_set(eb, ERR_INVALID, "a multipart part has a malformed header line");
        *colon = '\0';
        char *value = colon + 1;
        while (*value == ' ' || *value == '\t')
            value++;
        if (strcasecmp(line, "Content-Disposition") == 0) {
            char type[32];
            int r;
            if (has_disposition)
                return errbuf_set(eb, ERR_INVALID, "a multipart part has two dispositions");
            has_disposition = 1;
            media_type(value, type, sizeof(type));
            if (strcmp(type, "form-data") != 0)
                return errbuf_set(eb, ERR_INVALID, "a multipart part is not form-data");
            if ((r = header_param(value, "name", L->max_name, name)) <= 0)
                return errbuf_set(eb, ERR_INVALID,
                                  r == 0 ? "a multipart part has no name"
                                         : "a multipart part has a malformed disposition");
            if (header_param(value, "filename", 255, filename) < 0)
                return errbuf_set(eb, ERR_INVALID, "a multipart part has a malformed filename");
            if ((*name)[0] == '\0' ||
                !utf8_valid_no_nul((const unsigned char *)*name, strlen(*name)))
                return errbuf_set(eb, ERR_INVALID, "a multipart part has a bad name");
            if (*filename &&
                !utf8_valid_no_nul((const unsigned char *)*filename, strlen(*filename)))
                return errbuf_set(eb, ERR_INVALID, "a multipart part has a bad filename");
        } else if (strcasecmp(line, "Content-Type") == 0) {
            char type[128];
            if (*ctype != NULL)
                return errbuf_set(eb, ERR_INVALID, "a multipart part has two content types");
            media_type(value, type, sizeof(type));
            if (type[0] == '\0' || strlen(value) >= sizeof(type) + 64)
                return errbuf_set(eb, ERR_INVALID, "a multipart part has a bad content type");
            *ctype = xstrdup(type);
        }
    }
    if (!has_disposition)
        return errbuf_set(eb, ERR_INVALID, "a multipart part has no Content-Disposition");
    return 0;
}

int form_parse_multipart(const char *body, size_t len, const char *content_type,
                         const struct form_limits *lim, struct form *out, struct errbuf *eb)
{
    struct form f = {NULL, 0};
    struct limits L;
    char type[64], delim[BOUNDARY_MAX + 5]; /* "\r\n--" + boundary */
    char *boundary = NULL;
    size_t blen, dlen, pos;
    int r;

    limits_of(lim, &L);
    if (content_type == NULL)
        return errbuf_set(eb, ERR_UNSUPPORTED_MEDIA, "multipart body without a Content-Type");
    media_type(content_type, type, sizeof(type));
    if (strcmp(type, "multipart/form-data") != 0)
        return errbuf_set(eb, ERR_UNSUPPORTED_MEDIA, "the body is not multipart/form-data");
    if (header_param(content_type, "boundary", BOUNDARY_MAX, &boundary) != 1)
        return errbuf_set(eb, ERR_INVALID, "multipart Content-Type without a valid boundary");
    blen = strlen(boundary);
    for (size_t i = 0; i < blen; i++)
        if (!boundary_char_ok(boundary[i]))
            blen = 0;
    if (blen == 0 || boundary[blen - 1] == ' ') {
        free(boundary);
        return errbuf_set(eb, ERR_INVALID, "multipart boundary is malformed");
    }
    snprintf(delim, sizeof(delim), "\r\n--%s", boundary);
    free(boundary);
    dlen = strlen(delim);

    /* The first delimiter may start the body (no preamble, so no leading CRLF). */
    if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0) {
        pos = dlen - 2;
    } else {
        const char *d = mem_find(body, len, delim, dlen);
        if (d == NULL)
            return errbuf_set(eb, ERR_INVALID, "multipart body has no boundary");
        pos = (size_t)(d - body) + dlen;
    }
    for (;;) {
        /* After a delimiter: "--" closes the body, CRLF starts a part. */
        if (len - pos >= 2 && memcmp(body + pos, "--", 2) == 0)
            break;
        if (len - pos < 2 || memcmp(body + pos, "\r\n", 2) != 0) {
            r = errbuf_set(eb, ERR_INVALID, "multipart delimiter not followed by CRLF");
            goto fail;
        }
        pos += 2;
        const char *hend = mem_find(body + pos, len - pos, "\r\n\r\n", 4);
        /* A part with no headers at all starts directly with the blank line. */
        size_t hlen;
        if (len - pos >= 2 && memcmp(body + pos, "\r\n", 2) == 0) {
            hlen = 0;
        } else if (hend == NULL) {
            r = errbuf_set(eb, ERR_INVALID, "multipart part headers are not terminated");
            goto fail;
        } else {
            hlen = (size_t)(hend - (body + pos)) + 2;
        }
        if (hlen > PART_HEADERS_MAX) {
            r = errbuf_set(eb, ERR_TOO_LARGE, "multipart part headers are too long");
            goto fail;
        }
        char *hdr = xmalloc(hlen + 1);
        memcpy(hdr, body + pos, hlen);
        hdr[hlen] = '\0';
        if (memchr(hdr, '\0', hlen) != NULL) {
            free(hdr);
            r = errbuf_set(eb, ERR_INVALID, "multipart part headers contain a NUL byte");
            goto fail;
        }
        char *name = NULL, *filename = NULL, *ctype = NULL;
        r = part_headers(hdr, &L, &name, &filename, &ctype, eb);
        free(hdr);
        if (r != 0) {
            free(name);
            free(filename);
            free(ctype);
            goto fail;
        }
        pos += hlen + 2;
        const char *next = mem_find(body + pos, len - pos, delim, dlen);
        if (next == NULL) {
            free(name);
            free(filename);
            free(ctype);
            r = errbuf_set(eb, ERR_INVALID, "multipart body is not terminated");
            goto fail;
        }
        size_t vlen = (size_t)(next - (body + pos));
        size_t max = filename ? L.max_file : L.max_value;
        if (vlen > max ||
            (filename == NULL && !utf8_valid_no_nul((const unsigned char *)body + pos, vlen))) {
            r = vlen > max
                    ? errbuf_set(eb, ERR_TOO_LARGE, "multipart part '%.64s' is too large", name)
                    : errbuf_set(eb, ERR_INVALID, "multipart part '%.64s' is not text", name);
            free(name);
            free(filename);
            free(ctype);
            goto fail;
        }
        char *value = xmalloc(vlen + 1);
        memcpy(value, body + pos, vlen);
        value[vlen] = '\0';
        if ((r = add_field(&f, &L, name, value, vlen, filename, ctype, eb)) != 0)
            goto fail;
        pos = (size_t)(next - body) + dlen;
    }
    *out = f;
    return 0;
fail:
    form_cleanup(&f);
    return r;
}

int form_parse_body(const char *content_type, const char *body, size_t len,
                    const struct form_limits *lim, struct form *out, struct errbuf *eb)
{
    char type[64];
    if (content_type == NULL) {
        if (len == 0) {
            out->fields = NULL;
            out->len = 0;
            return 0;
        }
        return errbuf_set(eb, ERR_UNSUPPORTED_MEDIA, "the body has no Content-Type");
    }
    media_type(content_type, type, sizeof(type));
    if (strcmp(type, "application/x-www-form-urlencoded") == 0)
        return form_parse_urlencoded(body ? body : "", len, lim, out, eb);
    if (strcmp(type, "multipart/form-data") == 0)
        return form_parse_multipart(body ? body : "", len, content_type, lim, out, eb);
    return errbuf_set(eb, ERR_UNSUPPORTED_MEDIA,
                      "the body must be application/x-www-form-urlencoded or multipart/form-data");
}

const struct form_field *form_find(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->len; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return &f->fields[i];
    return NULL;
}

const char *form_get(const struct form *f, const char *name)
{
    const struct form_field *fld = form_find(f, name);
    return fld ? fld->value : NULL;
}

size_t form_count(const struct form *f, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < f->len; i++)
        n += strcmp(f->fields[i].name, name) == 0;
    return n;
}

int form_attribute_name(const char *name, char *code, size_t code_size, int *is_list)
{
    static const char prefix[] = "attribute[";
    size_t plen = sizeof(prefix) - 1;
    if (code_size > 0)
        code[0] = '\0';
    *is_list = 0;
    if (strncmp(name, prefix, plen) != 0)
        return 0;
    const char *start = name + plen;
    const char *close = strchr(start, ']');
    if (close == NULL || close == start)
        return 0;
    size_t n = (size_t)(close - start);
    if (n >= code_size || memchr(start, '[', n) != NULL)
        return 0;
    if (strcmp(close, "]") == 0) {
        *is_list = 0;
    } else if (strcmp(close, "][]") == 0) {
        *is_list = 1;
    } else {
        return 0;
    }
    memcpy(code, start, n);
    code[n] = '\0';
    return 1;
}
