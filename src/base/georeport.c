/*
 * georeport.c - GeoReport v2 service_requests documents (JSON with jansson, XML with
 * libxml2's streaming reader) into flat records; see georeport.h for the shapes accepted and
 * the XML safety rules.
 */
#include "base/georeport.h"

#include "base/xalloc.h"

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlreader.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const field_names[] = {
#define GEOREPORT_GEN_NAME(name, str) str,
    GEOREPORT_FIELD_MAP(GEOREPORT_GEN_NAME)
#undef GEOREPORT_GEN_NAME
};

const char *georeport_field_name(enum georeport_field f)
{
    return f >= 0 && f < GR_FIELD_COUNT ? field_names[f] : NULL;
}

/* libxml2 reports some errors (character encoding conversion) through its generic error
 * function, which prints to stderr; ours arrive through the reader's structured handler. */
static void ignore_generic_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

void georeport_init(void)
{
    xmlInitParser();
    xmlSetGenericErrorFunc(NULL, ignore_generic_error);
    xmlThrDefSetGenericErrorFunc(NULL, ignore_generic_error);
}

/* Skip a UTF-8 byte order mark and blanks; the offset of the first significant byte. */
static size_t first_significant(const char *text, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        i = 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    return i;
}

enum georeport_format georeport_detect(const char *text, size_t len)
{
    size_t i = first_significant(text, len);
    if (i < len && text[i] == '<')
        return GEOREPORT_XML;
    if (i < len && (text[i] == '[' || text[i] == '{'))
        return GEOREPORT_JSON;
    return GEOREPORT_CSV;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Store s (n bytes, stopping at a NUL) trimmed into the record's field f. */
static void put_value(struct georeport_record *rec, enum georeport_field f, const char *s, size_t n)
{
    char *out = rec->field[f];
    const char *nul = memchr(s, '\0', n);
    if (nul != NULL)
        n = (size_t)(nul - s);
    while (n > 0 && is_blank(*s)) {
        s++;
        n--;
    }
    while (n > 0 && is_blank(s[n - 1]))
        n--;
    if (n > GEOREPORT_VALUE_MAX) {
        n = GEOREPORT_VALUE_MAX;
        /* Do not cut a UTF-8 sequence: back up to the start of the character at the cut. */
        while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
            n--;
        while (n > 0 && is_blank(s[n - 1])) /* the cut may end in blanks */
            n--;
        rec->is_truncated = 1;
    }
    memcpy(out, s, n);
    out[n] = '\0';
}

static int field_of(const char *name)
{
    for (int i = 0; i < GR_FIELD_COUNT; i++)
        if (strcasecmp(name, field_names[i]) == 0)
            return i;
    return -1;
}

/* Fields of the common extensions that are known, not needed, and not worth a warning. */
static int is_known_extension(const char *name)
{
    static const char *const known[] = {"extended_attributes", "notes", "attributes", "media_urls",
                                        NULL};
    for (const char *const *k = known; *k; k++)
        if (strcasecmp(name, *k) == 0)
            return 1;
    return 0;
}

static void note_unknown(struct georeport_record *rec, const char *name)
{
    if (is_known_extension(name))
        return;
    if (rec->n_unknown++ == 0)
        snprintf(rec->unknown, sizeof(rec->unknown), "%.63s", name);
}

static void record_start(struct georeport_record *rec, size_t number)
{
    memset(rec, 0, sizeof(*rec));
    rec->number = number;
}

/* ---- JSON -------------------------------------------------------------------------------- */

/* obj[key] with the key in any letter case; NULL when absent. */
static json_t *get_ci(json_t *obj, const char *key)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (strcasecmp(k, key) == 0)
            return v;
    }
    return NULL;
}

static void json_record(json_t *item, size_t number, struct georeport_record *rec)
{
    const char *key;
    json_t *v;
    record_start(rec, number);
    rec->is_request = json_is_object(item);
    if (!rec->is_request)
        return;
    json_object_foreach(item, key, v)
    {
        int f = field_of(key);
        char num[48];
        if (f < 0) {
            note_unknown(rec, key);
            continue;
        }
        if (json_is_string(v)) {
            put_value(rec, (enum georeport_field)f, json_string_value(v), json_string_length(v));
        } else if (json_is_integer(v)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
            put_value(rec, (enum georeport_field)f, num, strlen(num));
        } else if (json_is_real(v)) {
            snprintf(num, sizeof(num), "%.12g", json_real_value(v));
            put_value(rec, (enum georeport_field)f, num, strlen(num));
        } else if (json_is_boolean(v)) {
            put_value(rec, (enum georeport_field)f, json_is_true(v) ? "true" : "false",
                      json_is_true(v) ? 4 : 5);
        } else {
            rec->field[f][0] = '\0'; /* null, or a nested object or array */
        }
    }
}

/* An error answer: [{code, description}] or {"errors": ...}. */
static int json_error_answer(json_t *v, struct errbuf *eb)
{
    json_t *first = json_is_array(v) ? json_array_get(v, 0) : v;
    json_t *inner;
    if (json_is_object(first) && (inner = get_ci(first, "error")) != NULL)
        first = json_is_array(inner) ? json_array_get(inner, 0) : inner;
    const char *d = json_string_value(get_ci(first, "description"));
    return errbuf_set(eb, ERR_INVALID, "the document is a GeoReport error answer: %.120s",
                      d ? d : "(no description)");
}

static int is_error_item(json_t *item)
{
    return json_is_object(item) && get_ci(item, "description") != NULL &&
           get_ci(item, "code") != NULL && get_ci(item, "service_request_id") == NULL &&
           get_ci(item, "requested_datetime") == NULL;
}

static int looks_like_request(json_t *obj)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (field_of(key) >= 0)
            return 1;
    }
    return 0;
}

static int read_json(const char *text, size_t len, georeport_record_fn fn, void *arg,
                     struct errbuf *eb)
{
    json_error_t jerr;
    json_t *doc = json_loadb(text, len, 0, &jerr), *list = NULL, *single = NULL, *item;
    struct georeport_record *rec;
    size_t i;
    int r = 0;

    if (doc == NULL)
        return errbuf_set(eb, ERR_INVALID, "not JSON (line %d: %.80s)", jerr.line, jerr.text);
    if (json_is_array(doc)) {
        list = doc;
        if (is_error_item(json_array_get(doc, 0))) {
            r = json_error_answer(doc, eb);
            goto out;
        }
    } else if (json_is_object(doc)) {
        json_t *sr = get_ci(doc, "service_requests");
        if (sr == NULL)
            sr = get_ci(doc, "requests");
        if (json_is_array(sr)) {
            list = sr;
        } else if (json_is_object(sr)) {
            json_t *inner = get_ci(sr, "request");
            if (json_is_array(inner))
                list = inner;
            else if (json_is_object(inner))
                single = inner;
        } else if (sr == NULL && get_ci(doc, "errors") != NULL) {
            r = json_error_answer(get_ci(doc, "errors"), eb);
            goto out;
        } else if (sr == NULL && looks_like_request(doc)) {
            single = doc;
        }
    }
    if (list == NULL && single == NULL) {
        r = errbuf_set(eb, ERR_INVALID, "a GeoReport response is a list of requests");
        goto out;
    }
    rec = xmalloc(sizeof(*rec));
    if (single != NULL) {
        json_record(single, 1, rec);
        r = fn(arg, rec);
    } else {
        json_array_foreach(list, i, item)
        {
            json_record(item, i + 1, rec);
            if ((r = fn(arg, rec)) != 0)
                break;
        }
    }
    free(rec);
out:
    json_decref(doc);
    return r;
}

/* ---- XML --------------------------------------------------------------------------------- */

struct xml_error {
    int is_set;
    int line;
    char message[160];
};

static void capture_error(void *arg, xmlErrorPtr e)
{
    struct xml_error *x = arg;
    size_t n;
    if (x->is_set || e == NULL || e->level < XML_ERR_ERROR)
        return;
    x->is_set = 1;
    x->line = e->line;
    snprintf(x->message, sizeof(x->message), "%s", e->message ? e->message : "malformed");
    n = strlen(x->message);
    while (n > 0 && is_blank(x->message[n - 1]))
        x->message[--n] = '\0';
}

static int has_element_child(const xmlNode *node)
{
    for (const xmlNode *c = node->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE)
            return 1;
    return 0;
}

static void xml_record(const xmlNode *node, size_t number, struct georeport_record *rec)
{
    long line = xmlGetLineNo(node);
    record_start(rec, number);
    rec->line = line > 0 ? (size_t)line : 0;
    rec->is_request = strcasecmp((const char *)node->name, "request") == 0;
    if (!rec->is_request)
        return;
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        int f;
        if (c->type != XML_ELEMENT_NODE)
            continue;
        f = field_of((const char *)c->name);
        if (f < 0) {
            note_unknown(rec, (const char *)c->name);
            continue;
        }
        if (has_element_child(c)) {
            rec->field[f][0] = '\0';
            continue;
        }
        xmlChar *content = xmlNodeGetContent(c);
        if (content != NULL) {
            put_value(rec, (enum georeport_field)f, (const char *)content,
                      strlen((const char *)content));
            xmlFree(content);
        } else {
            rec->field[f][0] = '\0';
        }
    }
}

/* The first <description> below node (an errors answer). */
static const xmlNode *find_description(const xmlNode *node)
{
    for (const xmlNode *c = node->children; c != NULL; c = c->next) {
        if (c->type != XML_ELEMENT_NODE)
            continue;
        if (strcasecmp((const char *)c->name, "description") == 0)
            return c;
        const xmlNode *d = find_description(c);
        if (d != NULL)
            return d;
    }
    return NULL;
}

static int read_xml(const char *text, size_t len, georeport_record_fn fn, void *arg,
                    struct errbuf *eb)
{
    struct xml_error err = {0, 0, ""};
    struct georeport_record *rec;
    xmlTextReaderPtr rd;
    size_t start = first_significant(text, len), number = 0;
    int ret, r = 0, has_root = 0;

    /* Only ASCII-compatible encodings (no UTF-16/32, whose NUL bytes show), no DTD at all. */
    if (memchr(text, '\0', len) != NULL || start >= len || text[start] != '<')
        return errbuf_set(eb, ERR_INVALID, "not an XML document in UTF-8 or an 8-bit encoding");
    if (len >= 9) {
        for (size_t i = 0; i + 9 <= len; i++) {
            if (text[i] == '<' && text[i + 1] == '!' && memcmp(text + i, "<!DOCTYPE", 9) == 0)
                return errbuf_set(eb, ERR_INVALID,
                                  "the XML document has a DOCTYPE, which is not accepted");
        }
    }
    rec = xmalloc(sizeof(*rec));
    /* XML_PARSE_NONET: nothing is fetched; no XML_PARSE_NOENT, DTDLOAD, DTDATTR or
     * XINCLUDE: no entity is substituted and no external subset is read. */
    rd = xmlReaderForMemory(text, (int)len, NULL, NULL,
                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                XML_PARSE_NOCDATA);
    if (rd == NULL) {
        free(rec);
        return errbuf_set(eb, ERR_INTERNAL, "the XML reader cannot start");
    }
    xmlTextReaderSetStructuredErrorHandler(rd, capture_error, &err);
    ret = xmlTextReaderRead(rd);
    while (ret == 1) {
        int type = xmlTextReaderNodeType(rd), depth = xmlTextReaderDepth(rd);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            r = errbuf_set(eb, ERR_INVALID,
                           "the XML document has a DOCTYPE, which is not accepted");
            break;
        }
        if (type != XML_READER_TYPE_ELEMENT || depth > 1) {
            ret = xmlTextReaderRead(rd);
            continue;
        }
        const char *name = (const char *)xmlTextReaderConstLocalName(rd);
        if (name == NULL)
            name = "";
        if (depth == 0) {
            has_root = 1;
            if (strcasecmp(name, "service_requests") == 0 || strcasecmp(name, "requests") == 0) {
                ret = xmlTextReaderRead(rd);
                continue;
            }
            if (strcasecmp(name, "errors") == 0 || strcasecmp(name, "error") == 0) {
                xmlNodePtr root = xmlTextReaderExpand(rd);
                const xmlNode *d = root ? find_description(root) : NULL;
                xmlChar *s = d ? xmlNodeGetContent(d) : NULL;
                r = errbuf_set(eb, ERR_INVALID, "the document is a GeoReport error answer: %.120s",
                               s ? (const char *)s : "(no description)");
                xmlFree(s);
                break;
            }
            if (strcasecmp(name, "request") != 0) {
                r = errbuf_set(eb, ERR_INVALID, "the root element <%.40s> is not service_requests",
                               name);
                break;
            }
        }
        /* A request (or another item) at depth 1, or a lone <request> root. */
        xmlNodePtr node = xmlTextReaderExpand(rd);
        if (node == NULL) {
            ret = -1;
            break;
        }
        xml_record(node, ++number, rec);
        if ((r = fn(arg, rec)) != 0)
            break;
        ret = xmlTextReaderNext(rd);
    }
    if (r == 0 && ret < 0) {
        if (err.is_set)
            r = errbuf_set(eb, ERR_INVALID, "not well-formed XML (line %d: %s)", err.line,
                           err.message);
        else
            r = errbuf_set(eb, ERR_INVALID, "not well-formed XML");
    }
    if (r == 0 && !has_root)
        r = errbuf_set(eb, ERR_INVALID, "the XML document has no root element");
    xmlFreeTextReader(rd);
    free(rec);
    return r;
}

int georeport_read(const char *text, size_t len, enum georeport_format fmt, georeport_record_fn fn,
                   void *arg, struct errbuf *eb)
{
    if (len > GEOREPORT_DOC_MAX)
        return errbuf_set(eb, ERR_TOO_LARGE,
                          "the document is larger than %zu MiB; split it, or use the GeoReport "
                          "bulk CSV layout",
                          GEOREPORT_DOC_MAX >> 20);
    if (fmt == GEOREPORT_JSON)
        return read_json(text, len, fn, arg, eb);
    if (fmt == GEOREPORT_XML)
        return read_xml(text, len, fn, arg, eb);
    return errbuf_set(eb, ERR_INVALID, "CSV is not a GeoReport document format");
}
