/*
 * api_open311.c - Open311 GeoReport v2 (SPEC section 10; /work/shared/reference/open311.md),
 * with the FixMyStreet servicerequestupdates extension, page/page_size and extensions=true.
 *
 *   GET  /open311/discovery.{xml,json}                 discovery (also at the endpoint root:)
 *   GET  /open311/v2/discovery.{f}
 *   GET  /open311/v2/services.{f}                      our categories as services
 *   GET  /open311/v2/services/{code}.{f}               a service definition
 *   GET  /open311/v2/requests.{f}                      cases: service_request_id, service_code,
 *                                                      start_date, end_date, status, page,
 *                                                      page_size, extensions
 *   POST /open311/v2/requests.{f}                      report a case (api_key); urlencoded or
 *                                                      multipart with media files; placed by
 *                                                      lat/long, address_id, or the area an
 *                                                      address_string names
 *   GET  /open311/v2/requests/{id}.{f}                 one case by its number
 *   GET  /open311/v2/tokens/{token}.{f}                token -> service_request_id
 *   GET  /open311/v2/servicerequestupdates.{f}         FixMyStreet: updates in a time window
 *   POST /open311/v2/servicerequestupdates.{f}         FixMyStreet: an update -> an action
 *   GET  /open311/v2/media/{hash}                      a request's picture (media_url)
 *
 * Every answer is built once as JSON and, for .xml, written out by the mechanical mapping the
 * spec uses (json_to_xml): an array becomes a container of repeated children named by
 * xml_item_name, null an empty element. Errors are the spec's errors/error{code,description}:
 * 404 unknown resource (service, request, token, jurisdiction, format), 403 missing or wrong
 * api_key, 400 everything else.
 *
 * What is public: GeoReport GETs are keyless, so they show no reporter identity ever, and the
 * description, address and picture only of cases reported through Open311 itself (whose
 * reporters used a public 311 app); other channels' cases show their category, status, place
 * and times only. Requests are identified by the case number; service_code is the category
 * code. The state mapping (open/closed and the FixMyStreet statuses) is domain/open311.h.
 */
#include "api/api_handlers.h"

#include "base/form.h"
#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "base/xmlw.h"
#include "domain/areacode.h"
#include "domain/open311.h"
#include "domain/taxonomy.h"
#include "service/apikeys.h"
#include "service/auth.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/open311_updates.h"
#include "service/rules.h"

#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define O311_PAGE_MAX    1000
#define O311_WINDOW_MS   (90LL * 86400 * 1000)
#define O311_IDS_MAX     200                    /* service_request_id values in one query */
#define O311_CHANGESET   "2026-11-22T00:00:00Z" /* when this endpoint list last changed */
#define O311_SPEC_URL    "http://wiki.open311.org/GeoReport_v2"
#define O311_DESC_MAX    4000
#define O311_ATTR_MAX    64 /* attribute fields kept per request */
#define O311_ATTR_CODE   64
#define O311_TOKEN_BYTES 16

enum o311_fmt { O311_XML, O311_JSON };

/* One Open311 call: where to answer and in which format. */
struct o311 {
    struct api_request *req;
    struct api_response *resp;
    enum o311_fmt fmt;
};

/* ---- formats and replies --------------------------------------------------------------- */

/* Split "services.json" into "services" and the format; ERR_NOT_FOUND without a known one. */
static int split_format(const char *file, char *name, size_t size, enum o311_fmt *fmt)
{
    const char *dot = strrchr(file, '.');
    size_t n;
    *fmt = O311_XML;
    name[0] = '\0';
    if (dot == NULL || dot == file)
        return ERR_NOT_FOUND;
    if (strcmp(dot, ".json") == 0)
        *fmt = O311_JSON;
    else if (strcmp(dot, ".xml") != 0)
        return ERR_NOT_FOUND;
    n = (size_t)(dot - file);
    if (n >= size)
        return ERR_NOT_FOUND;
    memcpy(name, file, n);
    name[n] = '\0';
    return 0;
}

static const char *content_type(const struct o311 *o)
{
    int charset = o->req->svc->cfg->open311_charset;
    if (o->fmt == O311_JSON)
        return charset ? "application/json; charset=utf-8" : "application/json";
    return charset ? "text/xml; charset=utf-8" : "text/xml";
}

/* The child element name of an array under key (the spec's containers). */
static const char *xml_item_name(const char *key)
{
    static const char *const map[][2] = {
        {"services", "service"},
        {"service_requests", "request"},
        {"errors", "error"},
        {"attributes", "attribute"},
        {"values", "value"},
        {"endpoints", "endpoint"},
        {"formats", "format"},
        {"notes", "note"},
        {"service_request_updates", "request_update"},
        {"media_urls", "media_url"},
    };
    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        if (strcmp(map[i][0], key) == 0)
            return map[i][1];
    return "item";
}

static void json_to_xml(struct xmlw *w, const char *name, json_t *v)
{
    const char *key;
    json_t *item;
    size_t i;
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        xmlw_open(w, name);
        json_object_foreach(v, key, item)
        {
            json_to_xml(w, key, item);
        }
        xmlw_close(w);
        break;
    case JSON_ARRAY:
        if (json_array_size(v) == 0) {
            xmlw_element(w, name, NULL);
            break;
        }
        xmlw_open(w, name);
        json_array_foreach(v, i, item)
        {
            json_to_xml(w, xml_item_name(name), item);
        }
        xmlw_close(w);
        break;
    case JSON_STRING:
        xmlw_element(w, name, json_string_value(v));
        break;
    case JSON_INTEGER:
        xmlw_elementf(w, name, "%lld", (long long)json_integer_value(v));
        break;
    case JSON_REAL:
        xmlw_elementf(w, name, "%.10g", json_real_value(v));
        break;
    case JSON_TRUE:
        xmlw_element(w, name, "true");
        break;
    case JSON_FALSE:
        xmlw_element(w, name, "false");
        break;
    case JSON_NULL:
        xmlw_element(w, name, NULL);
        break;
    }
}

/* Answer body (stolen) with status; root names the XML document element. */
static int reply(struct o311 *o, int status, json_t *body, const char *root)
{
    struct api_response *resp = o->resp;
    int r;
    if (body == NULL)
        return ERR_INTERNAL;
    buf_reset(&resp->body);
    if (o->fmt == O311_JSON) {
        char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        json_decref(body);
        if (text == NULL)
            return ERR_INTERNAL;
        r = buf_append_str(&resp->body, text);
        free(text);
    } else {
        struct xmlw w;
        xmlw_init(&w, &resp->body);
        json_to_xml(&w, root, body);
        json_decref(body);
        r = xmlw_finish(&w);
    }
    if (r != 0)
        return r;
    resp->status = status;
    resp->content_type = content_type(o);
    return 0;
}

__attribute__((format(printf, 3, 4))) static int reply_error(struct o311 *o, int status,
                                                             const char *fmt, ...)
{
    char text[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    return reply(o, status, json_pack("[{s:i, s:s}]", "code", status, "description", text),
                 "errors");
}

/* The spec's status for one of our errors: 403, 404 or 400 for everything else. */
static int status_of(int err)
{
    if (err == ERR_FORBIDDEN || err == ERR_UNAUTHORIZED)
        return 403;
    if (err == ERR_NOT_FOUND)
        return 404;
    return 400;
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static json_t *time_or_null(int64_t ms)
{
    char text[32];
    if (ms <= 0)
        return json_null();
    time_format_iso(ms, text, sizeof(text));
    return json_string(text);
}

/* ---- parameters ------------------------------------------------------------------------ */

/* A parameter from the form (POST body) if given there, else from the query string. */
static const char *param(const struct o311 *o, const struct form *f, const char *key)
{
    const char *v = f ? form_get(f, key) : NULL;
    return v ? v : api_query(o->req, key);
}

/* The public URL of this server, without a trailing slash. */
static void base_url(const struct o311 *o, char *out, size_t size)
{
    const char *cfg = o->req->svc->cfg->open311_base_url;
    const char *host = api_header(o->req, "Host");
    size_t n;
    if (cfg[0] != '\0') {
        snprintf(out, size, "%s", cfg);
    } else if (host != NULL && (n = strlen(host)) > 0 && n < 200 &&
               strspn(host,
                      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") == n) {
        snprintf(out, size, "http://%s", host);
    } else {
        snprintf(out, size, "http://localhost");
    }
    n = strlen(out);
    while (n > 0 && out[n - 1] == '/')
        out[--n] = '\0';
}

/* 0 when the jurisdiction given (may be NULL) is ours; otherwise the 404 is answered. */
static int check_jurisdiction(struct o311 *o, const char *given)
{
    const char *ours = o->req->svc->cfg->open311_jurisdiction;
    if (given == NULL || ours[0] == '\0' || strcmp(given, ours) == 0)
        return 0;
    reply_error(o, 404, "jurisdiction_id '%.64s' is not served here", given);
    return ERR_NOT_FOUND;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * A W3C-DTF time: "YYYY-MM-DD" (midnight UTC) or "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z"
 * or "+HH:MM"/"-HH:MM" (required, as the spec says). ERR_INVALID otherwise.
 */
static int parse_w3c(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec = 0, n = 0, oh = 0, om = 0;
    long frac_ms = 0;
    const char *p;
    int64_t ms, check;
    char canon[32];
    size_t len = strlen(s);

    if (len == 10)
        return time_parse_iso(s, out);
    if (len < 17 || len > 40)
        return ERR_INVALID;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 || n != 16)
        return ERR_INVALID;
    p = s + 16;
    if (*p == ':') {
        if (!(p[1] >= '0' && p[1] <= '9' && p[2] >= '0' && p[2] <= '9'))
            return ERR_INVALID;
        sec = (p[1] - '0') * 10 + (p[2] - '0');
        p += 3;
        if (*p == '.') {
            int digits = 0;
            p++;
            while (*p >= '0' && *p <= '9') {
                if (digits < 3)
                    frac_ms = frac_ms * 10 + (*p - '0');
                digits++;
                p++;
            }
            if (digits == 0 || digits > 9)
                return ERR_INVALID;
            for (; digits < 3; digits++)
                frac_ms *= 10;
        }
    }
    if (*p == 'Z' && p[1] == '\0') {
        oh = om = 0;
    } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':' &&
               strspn(p + 1, "0123456789") == 2 && strspn(p + 4, "0123456789") == 2) {
        oh = (p[1] - '0') * 10 + (p[2] - '0');
        om = (p[4] - '0') * 10 + (p[5] - '0');
        if (oh > 14 || om > 59)
            return ERR_INVALID;
        if (*p == '-') {
            oh = -oh;
            om = -om;
        }
    } else {
        return ERR_INVALID;
    }
    /* Validate the calendar fields through the strict ISO parser. */
    snprintf(canon, sizeof(canon), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, sec);
    if (time_parse_iso(canon, &check) != 0)
        return ERR_INVALID;
    ms = (days_from_civil(y, mo, d) * 86400 + (int64_t)h * 3600 + (int64_t)mi * 60 + sec) * 1000 +
         frac_ms;
    ms -= ((int64_t)oh * 3600 + (int64_t)om * 60) * 1000;
    *out = ms;
    return 0;
}

/* The start_date/end_date window (spec: at most 90 days, default the last 90 days). On a bad
 * value the 400 is answered and ERR_INVALID returned. */
static int parse_window(struct o311 *o, int64_t now, int64_t *from, int64_t *to)
{
    const char *sv = api_query(o->req, "start_date");
    const char *ev = api_query(o->req, "end_date");
    int64_t s = 0, e = 0;
    if (sv && parse_w3c(sv, &s) != 0) {
        reply_error(o, 400, "start_date must be a W3C date-time with a time zone");
        return ERR_INVALID;
    }
    if (ev && parse_w3c(ev, &e) != 0) {
        reply_error(o, 400, "end_date must be a W3C date-time with a time zone");
        return ERR_INVALID;
    }
    if (sv && ev) {
        if (e < s) {
            reply_error(o, 400, "end_date is before start_date");
            return ERR_INVALID;
        }
        if (e - s > O311_WINDOW_MS) {
            reply_error(o, 400, "start_date and end_date may be at most 90 days apart");
            return ERR_INVALID;
        }
    } else if (sv) {
        e = s + O311_WINDOW_MS;
    } else if (ev) {
        s = e - O311_WINDOW_MS;
    } else {
        e = now;
        s = now - O311_WINDOW_MS;
    }
    *from = s;
    *to = e + 1; /* the end is inclusive */
    return 0;
}

/* page (1-based) and page_size (1..1000, default 1000): rows to skip and the limit. */
static int parse_page(struct o311 *o, int64_t *offset, int *limit)
{
    const char *pv = api_query(o->req, "page");
    const char *sv = api_query(o->req, "page_size");
    long page = 1, size = O311_PAGE_MAX;
    char *end = NULL;
    if (pv) {
        errno = 0;
        page = strtol(pv, &end, 10);
        if (errno || end == pv || *end || page < 1 || page > 1000000) {
            reply_error(o, 400, "page must be a positive integer");
            return ERR_INVALID;
        }
    }
    if (sv) {
        errno = 0;
        size = strtol(sv, &end, 10);
        if (errno || end == sv || *end || size < 1 || size > O311_PAGE_MAX) {
            reply_error(o, 400, "page_size must be an integer from 1 to %d", O311_PAGE_MAX);
            return ERR_INVALID;
        }
    }
    *offset = (int64_t)(page - 1) * size;
    *limit = (int)size;
    return 0;
}

/* extensions=true (1 also accepted); anything else but false/0 is a 400. */
static int parse_extensions(struct o311 *o, int *on)
{
    const char *v = api_query(o->req, "extensions");
    *on = 0;
    if (v == NULL || strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *on = 1;
        return 0;
    }
    reply_error(o, 400, "extensions must be true or false");
    return ERR_INVALID;
}

/* ---- discovery ------------------------------------------------------------------------- */

static json_t *endpoint_json(const char *url, const char *type)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:[s, s]}", "specification", O311_SPEC_URL, "url", url,
                     "changeset", O311_CHANGESET, "type", type, "formats", "text/xml",
                     "application/json");
}

static int discovery(struct o311 *o)
{
    const struct config *cfg = o->req->svc->cfg;
    char base[300], url[340];
    base_url(o, base, sizeof(base));
    snprintf(url, sizeof(url), "%s/open311/v2", base);
    /* One server is its own test endpoint unless a staging server is configured. */
    const char *test = cfg->open311_test_url[0] ? cfg->open311_test_url : url;
    json_t *endpoints =
        json_pack("[o, o]", endpoint_json(url, "production"), endpoint_json(test, "test"));
    return reply(o, 200,
                 json_pack("{s:s, s:s, s:s, s:o}", "changeset", O311_CHANGESET, "contact",
                           cfg->open311_contact, "key_service",
                           "API keys are issued per client by the city's administrator "
                           "(gridgov apikey add).",
                           "endpoints", endpoints),
                 "discovery");
}

/* ---- services -------------------------------------------------------------------------- */

static int is_batch(const struct o311 *o)
{
    return strcmp(o->req->svc->cfg->open311_service_type, "batch") == 0;
}

static json_t *service_json(const struct o311 *o, const struct case_rules *rules,
                            const struct category *c)
{
    const struct category *cls = c->parent[0] ? taxonomy_find(rules->tax, c->parent) : c;
    const char *dept = taxonomy_department_of(rules->tax, c->code);
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", c->code, "service_name",
                     c->name_en, "description", c->name_zh, "metadata", 1, "type",
                     is_batch(o) ? "batch" : "realtime", "keywords", dept ? dept : "", "group",
                     cls ? cls->name_en : c->name_en);
}

static int services_list(struct o311 *o)
{
    const struct case_rules *rules;
    json_t *items;
    if (rules_get(o->req->svc, &rules) != 0)
        return reply_error(o, 400, "the service list is unavailable");
    items = json_array();
    for (size_t i = 0; i < taxonomy_count(rules->tax); i++)
        json_array_append_new(items, service_json(o, rules, taxonomy_at(rules->tax, i)));
    return reply(o, 200, items, "services");
}

static json_t *attribute_json(int variable, const char *code, const char *datatype, int required,
                              const char *datatype_description, int order, const char *description,
                              json_t *values)
{
    return json_pack("{s:b, s:s, s:s, s:b, s:s, s:i, s:s, s:o}", "variable", variable, "code", code,
                     "datatype", datatype, "required", required, "datatype_description",
                     datatype_description, "order", order, "description", description, "values",
                     values);
}

/* The attributes every service has, and the subcategory choice of a class with children. */
static json_t *definition_json(const struct case_rules *rules, const struct category *c)
{
    json_t *attrs = json_array(), *values;
    int order = 1;
    size_t pos = 0;
    const struct category *sub;

    json_array_append_new(attrs,
                          attribute_json(0, "notice", "string", 0, "", order++,
                                         "Requests are public: do not put names, phone numbers "
                                         "or other personal data in the description.",
                                         json_array()));
    values = json_pack("[{s:s, s:s}, {s:s, s:s}, {s:s, s:s}]", "key", "normal", "name", "Normal",
                       "key", "urgent", "name", "Urgent (a risk to people or property)", "key",
                       "emergency", "name", "Emergency (danger now)");
    json_array_append_new(attrs, attribute_json(1, "urgency", "singlevaluelist", 0,
                                                "One of the listed keys; normal when absent.",
                                                order++, "How urgent is it?", values));
    if (c->parent[0] == '\0') {
        values = json_array();
        while ((sub = taxonomy_next_child(rules->tax, c->code, &pos)) != NULL)
            json_array_append_new(values,
                                  json_pack("{s:s, s:s}", "key", sub->code, "name", sub->name_en));
        if (json_array_size(values) > 0)
            json_array_append_new(attrs, attribute_json(1, "subcategory", "singlevaluelist", 0,
                                                        "One of the listed keys, when one fits.",
                                                        order++, "What exactly?", values));
        else
            json_decref(values);
    }
    values = json_pack("[{s:s, s:s}, {s:s, s:s}]", "key", "false", "name", "No", "key", "true",
                       "name", "Yes");
    json_array_append_new(attrs, attribute_json(1, "anonymous", "singlevaluelist", 0,
                                                "true or false; false when absent.", order++,
                                                "Hide my name and phone number from the staff "
                                                "handling it?",
                                                values));
    return json_pack("{s:s, s:o}", "service_code", c->code, "attributes", attrs);
}

/* ---- requests: reading ------------------------------------------------------------------ */

static const char *state_label(enum case_state s)
{
    switch (s) {
    case CASE_STATE_REPORTED:
        return "Reported, waiting to be accepted";
    case CASE_STATE_ACCEPTED:
        return "Accepted";
    case CASE_STATE_REJECTED:
        return "Not accepted";
    case CASE_STATE_RESOLVED_ON_SITE:
        return "Resolved on site";
    case CASE_STATE_ANSWERED:
        return "Answered";
    case CASE_STATE_DISPATCHED:
        return "Dispatched to the responsible unit";
    case CASE_STATE_IN_PROGRESS:
        return "Being handled";
    case CASE_STATE_HANDLED:
        return "Handled, waiting to be checked";
    case CASE_STATE_REWORK:
        return "Sent back for more work";
    case CASE_STATE_VERIFIED:
        return "Checked on site";
    case CASE_STATE_CLOSED:
    case CASE_STATE_EVALUATED:
        return "Closed";
    case CASE_STATE_REOPENED:
        return "Reopened";
    case CASE_STATE_MERGED:
        return "Merged into another request";
    case CASE_STATE_SUSPENDED:
        return "On hold";
    case CASE_STATE_COUNT:
        break;
    }
    return "Open";
}

/* The public text of an event (a result, an explanation, a reason for refusing, closing or
 * reopening), or NULL. Borrowed from payload. */
static const char *event_text(const struct case_event *e, json_t *payload)
{
    const char *text = json_string_value(json_object_get(payload, "text"));
    if (text && text[0])
        return text;
    if (strcmp(e->action, "reject") == 0 || strcmp(e->action, "close") == 0 ||
        strcmp(e->action, "reopen") == 0) {
        const char *reason = json_string_value(json_object_get(payload, "reason"));
        if (reason && reason[0])
            return reason;
    }
    return NULL;
}

static const char *department_name(const char *code)
{
    const char *name = taxonomy_department_name(code, "en");
    return name ? name : code;
}

static int first_hash(void *ctx, const char *hash, int64_t unused)
{
    (void)unused;
    char *out = ctx;
    if (out[0] == '\0')
        snprintf(out, 65, "%s", hash);
    return 0;
}

static const char *note_type(const char *action)
{
    if (strcmp(action, "report") == 0)
        return "opened";
    if (strcmp(action, "close") == 0 || strcmp(action, "reject") == 0 ||
        strcmp(action, "merge") == 0)
        return "closed";
    if (strcmp(action, "reopen") == 0)
        return "reopened";
    return "activity";
}

/* One case as a GeoReport request (with our fields and its history when extensions). */
static json_t *request_json(struct o311 *o, const struct case_rules *rules,
                            const struct case_rec *c, int extensions)
{
    struct store *st = o->req->svc->st;
    const struct category *cat = taxonomy_find(rules->tax, c->category);
    struct case_event_list events = {NULL, 0};
    struct open311_request q;
    enum case_state state = CASE_STATE_REPORTED;
    char notes[4200], hash[65] = "", media[600] = "", base[300];
    const char *agency, *last_text = NULL;
    int is_open311 = 0, was_escalated = 0;
    json_t *j, *history = NULL, *payload_keep = NULL;

    memset(&q, 0, sizeof(q));
    workflow_state_parse(c->status, &state);
    if (store_open311_request_get(st, c->id, &q) == 0)
        is_open311 = 1;
    store_case_events(st, c->id, &events);
    if (extensions)
        history = json_array();
    for (size_t i = 0; i < events.len; i++) {
        const struct case_event *e = &events.items[i];
        json_t *payload;
        if (open311_action_is_internal(e->action))
            continue;
        payload = json_loads(e->payload, 0, NULL);
        const char *text = event_text(e, payload);
        was_escalated = strcmp(e->action, "escalate") == 0;
        if (text) {
            json_decref(payload_keep);
            payload_keep = json_incref(payload);
            last_text = text;
        }
        if (history)
            json_array_append_new(
                history, json_pack("{s:o, s:s, s:s, s:o, s:{s:o, s:s, s:s}}", "datetime",
                                   time_or_null(e->at_ms), "summary", e->action, "type",
                                   note_type(e->action), "description",
                                   is_open311 ? str_or_null(text) : json_null(),
                                   "extended_attributes", "from_state", str_or_null(e->from_state),
                                   "to_state", e->to_state, "actor_role", e->actor_role));
        json_decref(payload);
    }
    if (state == CASE_STATE_CLOSED || state == CASE_STATE_EVALUATED)
        snprintf(notes, sizeof(notes), "%s (%s%s%s)", state_label(state),
                 c->outcome[0] ? c->outcome : "no outcome", c->outcome_reason[0] ? ": " : "",
                 c->outcome_reason);
    else if (state == CASE_STATE_MERGED)
        snprintf(notes, sizeof(notes), "%s %s", state_label(state), c->merged_into);
    else
        snprintf(notes, sizeof(notes), "%s", state_label(state));
    if (last_text && is_open311) {
        size_t n = strlen(notes);
        snprintf(notes + n, sizeof(notes) - n, ": %s", last_text);
    }
    json_decref(payload_keep);

    agency = c->department[0] ? c->department : taxonomy_department_of(rules->tax, c->category);
    store_case_attachments(st, c->id, first_hash, hash);
    if (is_open311 && hash[0]) {
        base_url(o, base, sizeof(base));
        snprintf(media, sizeof(media), "%s/open311/v2/media/%s", base, hash);
    } else if (is_open311 && q.media_url[0]) {
        snprintf(media, sizeof(media), "%s", q.media_url);
    }

    j = json_object();
    json_object_set_new(j, "service_request_id", json_string(c->number));
    json_object_set_new(j, "status", json_string(open311_status_of(state)));
    json_object_set_new(j, "status_notes", json_string(notes));
    json_object_set_new(j, "service_name", json_string(cat ? cat->name_en : c->category));
    json_object_set_new(j, "service_code", json_string(c->category));
    json_object_set_new(j, "description", is_open311 ? str_or_null(c->description) : json_null());
    json_object_set_new(j, "agency_responsible",
                        agency ? json_string(department_name(agency)) : json_null());
    json_object_set_new(j, "service_notice", json_null());
    json_object_set_new(j, "requested_datetime", time_or_null(c->created_ms));
    json_object_set_new(j, "updated_datetime",
                        time_or_null(workflow_state_is_open(state) || c->closed_ms <= 0
                                         ? c->updated_ms
                                         : c->closed_ms));
    json_object_set_new(j, "expected_datetime",
                        workflow_state_is_open(state) ? time_or_null(c->resolve_due_ms)
                                                      : json_null());
    json_object_set_new(j, "address", is_open311 ? str_or_null(c->address) : json_null());
    json_object_set_new(j, "address_id", json_string(c->area_code));
    json_object_set_new(j, "zipcode", json_null());
    json_object_set_new(j, "lat", c->has_location ? json_real(c->lat) : json_null());
    json_object_set_new(j, "long", c->has_location ? json_real(c->lon) : json_null());
    json_object_set_new(j, "media_url", str_or_null(media));
    if (extensions) {
        enum open311_fms_status fs =
            open311_fms_status_of(state, c->outcome, c->outcome_reason, was_escalated);
        json_object_set_new(
            j, "extended_attributes",
            json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:i, s:i, s:b, s:o}",
                      "case_number", c->number, "state", c->status, "fms_status",
                      open311_fms_status_name(fs), "channel", c->channel, "urgency", c->urgency,
                      "department", str_or_null(c->department), "outcome", str_or_null(c->outcome),
                      "outcome_reason", str_or_null(c->outcome_reason), "closed_datetime",
                      time_or_null(c->closed_ms), "queue_level", c->queue_level, "reopen_count",
                      c->reopen_count, "overdue", c->due_ms > 0 && c->due_ms < time_now_ms(),
                      "token", is_open311 ? json_string(q.token) : json_null()));
        json_object_set_new(j, "notes", history);
    }
    open311_request_cleanup(&q);
    case_event_list_cleanup(&events);
    return j;
}

static int requests_list(struct o311 *o)
{
    const struct case_rules *rules;
    struct open311_filter f;
    const char *ids_param = api_query(o->req, "service_request_id");
    const char *codes_param, *status_param;
    char codes[OPEN311_FILTER_CODES * 10 + 1], statuses[64];
    int extensions;
    json_t *items;

    if (parse_extensions(o, &extensions) != 0)
        return 0;
    if (rules_get(o->req->svc, &rules) != 0)
        return reply_error(o, 400, "the service list is unavailable");
    items = json_array();

    if (ids_param != NULL) {
        /* service_request_id overrides every other filter. */
        char *copy = strdup(ids_param), *save = NULL;
        int n = 0;
        if (copy == NULL || strlen(ids_param) > (size_t)O311_IDS_MAX * (CASE_NUMBER_MAX + 1)) {
            free(copy);
            json_decref(items);
            return reply_error(o, 400, "service_request_id lists at most %d ids", O311_IDS_MAX);
        }
        for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
            struct case_rec c;
            while (*id == ' ')
                id++;
            if (++n > O311_IDS_MAX || strlen(id) > CASE_NUMBER_MAX) {
                free(copy);
                json_decref(items);
                return reply_error(o, 400, "service_request_id lists at most %d ids", O311_IDS_MAX);
            }
            if (store_case_get_by_number(o->req->svc->st, id, &c) != 0)
                continue;
            json_array_append_new(items, request_json(o, rules, &c, extensions));
            case_rec_cleanup(&c);
        }
        free(copy);
        return reply(o, 200, items, "service_requests");
    }

    memset(&f, 0, sizeof(f));
    if ((codes_param = api_query(o->req, "service_code")) != NULL) {
        char *save = NULL;
        if (strlen(codes_param) >= sizeof(codes)) {
            json_decref(items);
            return reply_error(o, 400, "service_code lists at most %d codes", OPEN311_FILTER_CODES);
        }
        snprintf(codes, sizeof(codes), "%s", codes_param);
        for (char *c = strtok_r(codes, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
            if (!taxonomy_code_is_valid(c) || f.n_codes >= OPEN311_FILTER_CODES) {
                json_decref(items);
                return reply_error(o, 400, "service_code must list service codes");
            }
            f.codes[f.n_codes++] = c;
        }
    }
    if ((status_param = api_query(o->req, "status")) != NULL) {
        char *save = NULL;
        int want_open = 0, want_closed = 0, n = 0;
        if (strlen(status_param) >= sizeof(statuses)) {
            json_decref(items);
            return reply_error(o, 400, "status must be open, closed or both");
        }
        snprintf(statuses, sizeof(statuses), "%s", status_param);
        for (char *s = strtok_r(statuses, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
            if (strcmp(s, "open") == 0) {
                want_open = 1;
            } else if (strcmp(s, "closed") == 0) {
                want_closed = 1;
            } else {
                json_decref(items);
                return reply_error(o, 400, "status must be open, closed or both");
            }
        }
        if (want_open != want_closed) {
            for (int s = 0; s < CASE_STATE_COUNT; s++)
                if (workflow_state_is_open((enum case_state)s) == want_open)
                    f.statuses[n++] = workflow_state_name((enum case_state)s);
        }
    }
    if (parse_window(o, time_now_ms(), &f.from_ms, &f.to_ms) != 0 ||
        parse_page(o, &f.offset, &f.limit) != 0) {
        json_decref(items);
        return 0;
    }
    int64_t *ids = calloc((size_t)f.limit, sizeof(*ids));
    size_t n = 0;
    if (ids == NULL || store_open311_case_ids(o->req->svc->st, &f, ids, &n) != 0) {
        free(ids);
        json_decref(items);
        return reply_error(o, 400, "the requests cannot be listed now");
    }
    for (size_t i = 0; i < n; i++) {
        struct case_rec c;
        if (store_case_get(o->req->svc->st, ids[i], &c) != 0)
            continue;
        json_array_append_new(items, request_json(o, rules, &c, extensions));
        case_rec_cleanup(&c);
    }
    free(ids);
    return reply(o, 200, items, "service_requests");
}

/* ---- requests: reporting ---------------------------------------------------------------- */

/* What the report hook writes beside the case. */
struct o311_report {
    struct open311_request q;
};

static int o311_on_insert(void *arg, struct store *st, const struct case_rec *c)
{
    struct o311_report *rep = arg;
    rep->q.case_id = c->id;
    rep->q.created_ms = c->created_ms;
    return store_open311_request_insert(st, &rep->q);
}

/* Copy a bounded optional text parameter; on a bad one the 400 is answered. */
static int text_param(struct o311 *o, const struct form *f, const char *key, size_t max, char *out,
                      size_t size)
{
    const char *v = param(o, f, key);
    out[0] = '\0';
    if (v == NULL)
        return 0;
    if (strlen(v) > max || strlen(v) >= size || !utf8_is_clean_text(v, strlen(v))) {
        reply_error(o, 400, "%s must be text of at most %zu bytes", key, max);
        return ERR_INVALID;
    }
    snprintf(out, size, "%s", v);
    return 0;
}

/* Parse a coordinate; NULL = absent (0). On a bad one the 400 is answered. */
static int coord_param(struct o311 *o, const char *v, const char *key, double max, double *out,
                       int *is_set)
{
    char *end = NULL;
    *is_set = 0;
    if (v == NULL)
        return 0;
    errno = 0;
    *out = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(*out) || fabs(*out) > max) {
        reply_error(o, 400, "%s must be WGS84 degrees", key);
        return ERR_INVALID;
    }
    *is_set = 1;
    return 0;
}

/* Description as our cases hold it: CRLF and CR become LF. In place. */
static void normalise_newlines(char *s)
{
    char *w = s;
    for (const char *p = s; *p; p++) {
        if (*p == '\r') {
            *w++ = '\n';
            if (p[1] == '\n')
                p++;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
}

static int attribute_allowed(const json_t *values, const char *v)
{
    size_t i;
    json_t *item;
    json_array_foreach(values, i, item)
    {
        if (strcmp(json_string_value(json_object_get(item, "key")), v) == 0)
            return 1;
    }
    return 0;
}

/* ---- address_string: the area it names ---------------------------------------------------- */

#define ADDRESS_CANDIDATES 64

/* Areas (district to grid) whose name occurs in an address_string. */
struct address_match {
    const char *address;
    size_t n;
    struct {
        char code[AREA_CODE_BUF];
        int level;
    } items[ADDRESS_CANDIDATES];
};

/* needle in hay, ASCII letters in any case (names in other scripts compare byte for byte). */
static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

static int address_candidate(void *arg, const struct area *a)
{
    struct address_match *m = arg;
    if (a->level < AREA_DISTRICT || strlen(a->name) < 3 || !contains_ci(m->address, a->name))
        return 0;
    if (m->n >= ADDRESS_CANDIDATES)
        return ERR_TOO_LARGE;
    snprintf(m->items[m->n].code, sizeof(m->items[m->n].code), "%s", a->code);
    m->items[m->n].level = a->level;
    m->n++;
    return 0;
}

/*
 * The area an address_string names, for a POST without lat/long or address_id: every area from
 * district to grid whose name (3 bytes or more) occurs in the text is a candidate; the one with
 * the most candidates on its own path (itself and its named ancestors: "Pingzhou Community,
 * Grid 1" picks Pingzhou's grid 1), then the deepest, wins. A tie is ambiguous. out has
 * AREA_CODE_BUF bytes. 0, ERR_NOT_FOUND (no area named), ERR_CONFLICT (ambiguous), or a storage
 * error.
 */
static int locate_address(struct store *st, const char *address, char *out)
{
    struct address_match *m = calloc(1, sizeof(*m));
    int best = -1, best_score = -1, tie = 0, r;
    if (m == NULL)
        return ERR_INTERNAL;
    m->address = address;
    r = store_area_walk(st, "", AREA_GRID, 0, address_candidate, m);
    if (r == ERR_TOO_LARGE)
        r = ERR_CONFLICT; /* the text names too many areas to tell */
    for (size_t i = 0; r == 0 && i < m->n; i++) {
        int score = 0;
        for (size_t k = 0; k < m->n; k++)
            score += areacode_in_subtree(m->items[i].code, m->items[k].code) != 0;
        score = score * 16 + m->items[i].level;
        if (score > best_score) {
            best = (int)i;
            best_score = score;
            tie = 0;
        } else if (score == best_score) {
            tie = 1;
        }
    }
    if (r == 0 && best < 0)
        r = ERR_NOT_FOUND;
    else if (r == 0 && tie)
        r = ERR_CONFLICT;
    if (r == 0)
        snprintf(out, AREA_CODE_BUF, "%s", m->items[best].code);
    free(m);
    return r;
}

static int requests_create(struct o311 *o)
{
    struct api_request *req = o->req;
    struct form f = {NULL, 0};
    struct form_limits lim = {256, 128, (size_t)O311_DESC_MAX * 2,
                              (size_t)req->svc->cfg->upload_max};
    struct errbuf eb = {{0}};
    const struct case_rules *rules;
    const struct category *cat;
    struct case_report in;
    struct o311_report rep;
    struct case_rec c;
    struct api_key key;
    char desc[O311_DESC_MAX * 2 + 1], name[64], first[32], last[32], phone[32], address[256];
    char code[O311_ATTR_CODE], located[AREA_CODE_BUF];
    char hashes[CASES_MAX_ATTACHMENTS][65];
    const char *v, *urgency = NULL, *subcategory = NULL;
    double lat = 0, lon = 0;
    int has_lat, has_lon, is_list, r, n_media = 0, n_attr = 0;
    json_t *attrs = NULL, *def = NULL;

    memset(&in, 0, sizeof(in));
    memset(&rep, 0, sizeof(rep));
    memset(&c, 0, sizeof(c));
    r = form_parse_body(api_header(req, "Content-Type"), req->body, req->body_len, &lim, &f, &eb);
    if (r != 0)
        return reply_error(o, 400, "%s", eb.msg[0] ? eb.msg : "the form cannot be read");
    if (check_jurisdiction(o, param(o, &f, "jurisdiction_id")) != 0)
        goto done;
    if (apikey_check(req->svc->st, param(o, &f, "api_key"), &key) != 0) {
        reply_error(o, 403, "a valid api_key is required to post requests");
        goto done;
    }
    if (rules_get(req->svc, &rules) != 0) {
        reply_error(o, 400, "the service list is unavailable");
        goto done;
    }
    v = param(o, &f, "service_code");
    if (v == NULL) {
        reply_error(o, 400, "service_code is required");
        goto done;
    }
    if (!taxonomy_code_is_valid(v) || (cat = taxonomy_find(rules->tax, v)) == NULL) {
        reply_error(o, 404, "service_code '%.16s' is not a service", v);
        goto done;
    }
    def = definition_json(rules, cat);

    /* Attributes: the defined ones are checked and used, any others kept as sent. */
    attrs = json_object();
    for (size_t i = 0; i < f.len; i++) {
        const struct form_field *fld = &f.fields[i];
        json_t *defs = json_object_get(def, "attributes"), *ad = NULL, *item;
        size_t k;
        if (!form_attribute_name(fld->name, code, sizeof(code), &is_list))
            continue;
        if (fld->filename != NULL || ++n_attr > O311_ATTR_MAX ||
            !utf8_is_clean_text(fld->value, fld->value_len) || fld->value_len > 1000) {
            reply_error(o, 400, "attribute[%s] must be short text (at most %d attributes)", code,
                        O311_ATTR_MAX);
            goto done;
        }
        json_array_foreach(defs, k, item)
        {
            if (strcmp(json_string_value(json_object_get(item, "code")), code) == 0)
                ad = item;
        }
        if (ad != NULL) {
            if (!json_is_true(json_object_get(ad, "variable"))) {
                reply_error(o, 400, "attribute[%s] is for display only", code);
                goto done;
            }
            if (is_list || !attribute_allowed(json_object_get(ad, "values"), fld->value)) {
                reply_error(o, 400,
                            "attribute[%s] must be one of the values listed by "
                            "services/%s",
                            code, cat->code);
                goto done;
            }
            if (json_object_get(attrs, code) != NULL) {
                reply_error(o, 400, "attribute[%s] is given twice", code);
                goto done;
            }
        }
        if (is_list) {
            json_t *list = json_object_get(attrs, code);
            if (list == NULL) {
                list = json_array();
                json_object_set_new(attrs, code, list);
            } else if (!json_is_array(list)) {
                reply_error(o, 400, "attribute[%s] is given both as a value and a list", code);
                goto done;
            }
            json_array_append_new(list, json_string(fld->value));
        } else {
            if (json_is_array(json_object_get(attrs, code))) {
                reply_error(o, 400, "attribute[%s] is given both as a value and a list", code);
                goto done;
            }
            json_object_set_new(attrs, code, json_string(fld->value));
        }
    }
    urgency = json_string_value(json_object_get(attrs, "urgency"));
    /* Only a class defines subcategory (and checked it above); elsewhere it is a foreign
     * attribute, kept but not used. */
    if (cat->parent[0] == '\0')
        subcategory = json_string_value(json_object_get(attrs, "subcategory"));

    /* Where. */
    if (coord_param(o, param(o, &f, "lat"), "lat", 90, &lat, &has_lat) != 0 ||
        coord_param(o, param(o, &f, "long"), "long", 180, &lon, &has_lon) != 0)
        goto done;
    if (has_lat != has_lon) {
        reply_error(o, 400, "give both lat and long, or neither");
        goto done;
    }
    in.has_point = has_lat;
    in.lat = lat;
    in.lon = lon;
    v = param(o, &f, "address_id");
    if (!in.has_point && v == NULL && param(o, &f, "address_string") != NULL) {
        /* Only an address: the area it names. */
        const char *text = param(o, &f, "address_string");
        r = strlen(text) > 255 ? ERR_INVALID : locate_address(req->svc->st, text, located);
        if (r == ERR_NOT_FOUND || r == ERR_INVALID) {
            reply_error(o, 400,
                        "address_string names no area known here; give lat and long, or "
                        "address_id (an area code)");
            goto done;
        }
        if (r == ERR_CONFLICT) {
            reply_error(o, 400,
                        "address_string could name several areas; name the community too, or "
                        "give lat and long, or address_id");
            goto done;
        }
        if (r != 0) {
            reply_error(o, 400, "the address cannot be located now");
            goto done;
        }
        v = located;
    }
    if (!in.has_point) {
        if (v == NULL) {
            reply_error(o, 400,
                        "a location is required: lat and long, address_string, or address_id "
                        "(an area code)");
            goto done;
        }
        if (!areacode_is_valid(v)) {
            reply_error(o, 400, "address_id must be an area code");
            goto done;
        }
        in.area_code = v;
    }
    if (text_param(o, &f, "address_string", 255, address, sizeof(address)) != 0 ||
        text_param(o, &f, "first_name", 30, first, sizeof(first)) != 0 ||
        text_param(o, &f, "last_name", 30, last, sizeof(last)) != 0 ||
        text_param(o, &f, "phone", 20, phone, sizeof(phone)) != 0 ||
        text_param(o, &f, "email", 128, rep.q.email, sizeof(rep.q.email)) != 0 ||
        text_param(o, &f, "device_id", 64, rep.q.device_id, sizeof(rep.q.device_id)) != 0 ||
        text_param(o, &f, "account_id", 64, rep.q.account_id, sizeof(rep.q.account_id)) != 0)
        goto done;
    if ((v = param(o, &f, "media_url")) != NULL) {
        if (strlen(v) >= sizeof(rep.q.media_url) ||
            (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0) ||
            strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
                      "-._~:/?#[]@!$&'()*+,;=%") != strlen(v)) {
            reply_error(o, 400, "media_url must be an http or https URL");
            goto done;
        }
        snprintf(rep.q.media_url, sizeof(rep.q.media_url), "%s", v);
    }
    /* description: at most 4000 characters in the spec, 4000 bytes in our cases. */
    v = param(o, &f, "description");
    snprintf(desc, sizeof(desc), "%s", v ? v : cat->name_en);
    normalise_newlines(desc);
    if (strlen(desc) > CASE_TEXT_MAX) {
        reply_error(o, 400, "description must be at most %d bytes", CASE_TEXT_MAX);
        goto done;
    }
    snprintf(name, sizeof(name), "%s%s%s", first, first[0] && last[0] ? " " : "", last);

    /* Pictures sent as multipart files ("media", or "media[]" as the v2.1 draft has it). */
    for (size_t i = 0; i < f.len; i++) {
        const struct form_field *fld = &f.fields[i];
        if (strcmp(fld->name, "media") != 0 && strcmp(fld->name, "media[]") != 0)
            continue;
        if (fld->filename == NULL) {
            reply_error(o, 400, "media must be a file upload (multipart/form-data)");
            goto done;
        }
        if (n_media >= CASES_MAX_ATTACHMENTS) {
            reply_error(o, 400, "at most %d media files", CASES_MAX_ATTACHMENTS);
            goto done;
        }
        errbuf_clear(&eb);
        r = cases_attachment_put(req->svc, fld->content_type ? fld->content_type : "",
                                 (const unsigned char *)fld->value, fld->value_len, hashes[n_media],
                                 &eb);
        if (r != 0) {
            reply_error(o, 400, "media: %s", eb.msg[0] ? eb.msg : "cannot be stored");
            goto done;
        }
        in.attachments[n_media] = hashes[n_media];
        n_media++;
    }
    in.n_attachments = n_media;

    /* The request row beside the case. */
    {
        unsigned char raw[O311_TOKEN_BYTES];
        randombytes_buf(raw, sizeof(raw));
        sodium_bin2hex(rep.q.token, sizeof(rep.q.token), raw, sizeof(raw));
    }
    rep.q.api_key_id = key.id;
    snprintf(rep.q.service_name, sizeof(rep.q.service_name), "%s", cat->name_en);
    rep.q.attributes = json_dumps(attrs, JSON_COMPACT);

    in.channel = "open311";
    in.category = subcategory ? subcategory : cat->code;
    in.description = desc;
    in.urgency = urgency;
    in.address = address[0] ? address : NULL;
    in.reporter_name = name[0] ? name : NULL;
    in.reporter_phone = phone[0] ? phone : NULL;
    in.is_anonymous = json_is_string(json_object_get(attrs, "anonymous")) &&
                      strcmp(json_string_value(json_object_get(attrs, "anonymous")), "true") == 0;
    in.now_ms = time_now_ms();
    in.on_insert = o311_on_insert;
    in.on_insert_arg = &rep;
    errbuf_clear(&eb);
    r = cases_report(req->svc, NULL, &in, &c, NULL, &eb);
    if (r != 0) {
        int status = r == ERR_NOT_FOUND ? 400 : status_of(r);
        reply_error(o, status, "%s", eb.msg[0] ? eb.msg : err_message(r));
        goto done;
    }
    if (is_batch(o))
        reply(o, 200, json_pack("[{s:s}]", "token", rep.q.token), "service_requests");
    else
        reply(o, 200,
              json_pack("[{s:s, s:s, s:o}]", "service_request_id", c.number, "service_notice",
                        "Thank you. Follow this request by its id.", "account_id",
                        str_or_null(rep.q.account_id)),
              "service_requests");
done:
    case_rec_cleanup(&c);
    free(rep.q.attributes);
    json_decref(attrs);
    json_decref(def);
    form_cleanup(&f);
    return 0;
}

/* ---- FixMyStreet: service request updates ----------------------------------------------- */

static int updates_list(struct o311 *o)
{
    struct store *st = o->req->svc->st;
    int64_t from, to, offset;
    int limit, n_updates = 0;
    size_t n = 0;
    int64_t *ids;
    json_t *items;

    if (parse_window(o, time_now_ms(), &from, &to) != 0 || parse_page(o, &offset, &limit) != 0)
        return 0;
    ids = calloc((size_t)limit, sizeof(*ids));
    if (ids == NULL || store_open311_updated_case_ids(st, from, to, offset, limit, ids, &n) != 0) {
        free(ids);
        return reply_error(o, 400, "the updates cannot be listed now");
    }
    items = json_array();
    for (size_t i = 0; i < n && n_updates < O311_PAGE_MAX; i++) {
        struct case_rec c;
        struct case_event_list events;
        struct open311_request q;
        int is_open311, was_escalated = 0;
        if (store_case_get(st, ids[i], &c) != 0)
            continue;
        is_open311 = store_open311_request_get(st, c.id, &q) == 0;
        if (is_open311)
            open311_request_cleanup(&q);
        if (store_case_events(st, c.id, &events) != 0) {
            case_rec_cleanup(&c);
            continue;
        }
        for (size_t k = 0; k < events.len && n_updates < O311_PAGE_MAX; k++) {
            const struct case_event *e = &events.items[k];
            enum case_state s = CASE_STATE_REPORTED;
            char update_id[64];
            if (open311_action_is_internal(e->action))
                continue;
            was_escalated = strcmp(e->action, "escalate") == 0;
            if (e->at_ms < from || e->at_ms >= to)
                continue;
            json_t *payload = json_loads(e->payload, 0, NULL);
            const char *outcome = json_string_value(json_object_get(payload, "outcome"));
            const char *reason = json_string_value(json_object_get(payload, "outcome_reason"));
            const char *text = event_text(e, payload);
            workflow_state_parse(e->to_state, &s);
            /* The outcome recorded by this event; a later state keeps the case's. */
            if (outcome == NULL && (s == CASE_STATE_CLOSED || s == CASE_STATE_EVALUATED)) {
                outcome = c.outcome;
                reason = c.outcome_reason;
            }
            snprintf(update_id, sizeof(update_id), "%s-%lld", c.number, (long long)e->seq);
            json_array_append_new(
                items, json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:s}", "update_id", update_id,
                                 "service_request_id", c.number, "status",
                                 open311_fms_status_name(
                                     open311_fms_status_of(s, outcome, reason, was_escalated)),
                                 "updated_datetime", time_or_null(e->at_ms), "description",
                                 is_open311 ? str_or_null(text) : json_null(), "media_url",
                                 json_null(), "external_status_code", e->to_state));
            n_updates++;
            json_decref(payload);
        }
        case_event_list_cleanup(&events);
        case_rec_cleanup(&c);
    }
    free(ids);
    return reply(o, 200, items, "service_request_updates");
}

static int updates_create(struct o311 *o)
{
    struct api_request *req = o->req;
    struct form f = {NULL, 0};
    struct errbuf eb = {{0}};
    struct api_key key;
    struct user u;
    struct principal p;
    struct open311_update_in in;
    char desc[WORKFLOW_TEXT_MAX + 1], update_id[64];
    const char *v;
    int r, replayed = 0;

    memset(&in, 0, sizeof(in));
    r = form_parse_body(api_header(req, "Content-Type"), req->body, req->body_len, NULL, &f, &eb);
    if (r != 0)
        return reply_error(o, 400, "%s", eb.msg[0] ? eb.msg : "the form cannot be read");
    if (check_jurisdiction(o, param(o, &f, "jurisdiction_id")) != 0)
        goto done;
    if (apikey_check(req->svc->st, param(o, &f, "api_key"), &key) != 0) {
        reply_error(o, 403, "a valid api_key is required to post updates");
        goto done;
    }
    if (key.user_id == 0 || store_user_get(req->svc->st, key.user_id, &u) != 0 || u.is_disabled ||
        auth_principal_from_user(&u, &p) != 0) {
        reply_error(o, 403,
                    "this api_key is not bound to an active user account "
                    "(gridgov apikey add --user)");
        goto done;
    }
    static const char *const required[] = {"service_request_id", "update_id",   "status",
                                           "updated_datetime",   "description", NULL};
    for (const char *const *k = required; *k; k++) {
        if (param(o, &f, *k) == NULL) {
            reply_error(o, 400, "%s is required", *k);
            goto done;
        }
    }
    if (open311_fms_status_parse(param(o, &f, "status"), &in.want) != 0) {
        reply_error(o, 400, "status must be one of the FixMyStreet statuses");
        goto done;
    }
    if (parse_w3c(param(o, &f, "updated_datetime"), &in.now_ms) != 0) {
        reply_error(o, 400, "updated_datetime must be a W3C date-time with a time zone");
        goto done;
    }
    v = param(o, &f, "update_id");
    if (strlen(v) > OPEN311_UPDATE_ID_MAX || !utf8_is_clean_text(v, strlen(v))) {
        reply_error(o, 400, "update_id must be at most %d characters", OPEN311_UPDATE_ID_MAX);
        goto done;
    }
    v = param(o, &f, "description");
    if (strlen(v) > WORKFLOW_TEXT_MAX) {
        reply_error(o, 400, "description must be at most %d bytes", WORKFLOW_TEXT_MAX);
        goto done;
    }
    snprintf(desc, sizeof(desc), "%s", v);
    normalise_newlines(desc);
    v = param(o, &f, "service_request_id");
    if (strlen(v) > CASE_NUMBER_MAX) {
        reply_error(o, 404, "service_request_id '%.32s' does not exist", v);
        goto done;
    }
    in.api_key_id = key.id;
    in.update_id = param(o, &f, "update_id");
    in.service_request_id = v;
    in.description = desc;
    /* The event is stamped now (updated_datetime is the client's clock, only checked). */
    in.now_ms = time_now_ms();
    r = open311_update_apply(req->svc, &p, &in, update_id, sizeof(update_id), &replayed, &eb);
    if (r != 0) {
        reply_error(o, status_of(r), "%s", eb.msg[0] ? eb.msg : err_message(r));
        goto done;
    }
    reply(o, 200, json_pack("[{s:s}]", "update_id", update_id), "service_request_updates");
done:
    form_cleanup(&f);
    return 0;
}

/* ---- handlers --------------------------------------------------------------------------- */

static int begin(struct api_request *req, struct api_response *resp, const char *file,
                 struct o311 *o, char *name, size_t size)
{
    o->req = req;
    o->resp = resp;
    if (split_format(file, name, size, &o->fmt) != 0) {
        o->fmt = O311_XML;
        reply_error(o, 404, "no such resource; use .xml or .json");
        return ERR_NOT_FOUND;
    }
    return 0;
}

int api_open311_base(struct api_request *req, struct api_response *resp)
{
    struct o311 o;
    char name[32];
    if (begin(req, resp, req->path_params[0], &o, name, sizeof(name)) != 0)
        return 0;
    if (strcmp(name, "discovery") == 0)
        return discovery(&o);
    return reply_error(&o, 404, "no such resource");
}

int api_open311_get(struct api_request *req, struct api_response *resp)
{
    struct o311 o;
    char name[32];
    if (begin(req, resp, req->path_params[0], &o, name, sizeof(name)) != 0)
        return 0;
    if (strcmp(name, "discovery") == 0)
        return discovery(&o);
    if (check_jurisdiction(&o, api_query(req, "jurisdiction_id")) != 0)
        return 0;
    if (strcmp(name, "services") == 0)
        return services_list(&o);
    if (strcmp(name, "requests") == 0)
        return requests_list(&o);
    if (strcmp(name, "servicerequestupdates") == 0)
        return updates_list(&o);
    return reply_error(&o, 404, "no such resource");
}

int api_open311_post(struct api_request *req, struct api_response *resp)
{
    struct o311 o;
    char name[32];
    if (begin(req, resp, req->path_params[0], &o, name, sizeof(name)) != 0)
        return 0;
    if (strcmp(name, "requests") == 0)
        return requests_create(&o);
    if (strcmp(name, "servicerequestupdates") == 0)
        return updates_create(&o);
    return reply_error(&o, 404, "no such resource");
}

int api_open311_service(struct api_request *req, struct api_response *resp)
{
    const struct case_rules *rules;
    const struct category *cat;
    struct o311 o;
    char code[32];
    if (begin(req, resp, req->path_params[0], &o, code, sizeof(code)) != 0)
        return 0;
    if (check_jurisdiction(&o, api_query(req, "jurisdiction_id")) != 0)
        return 0;
    if (rules_get(req->svc, &rules) != 0)
        return reply_error(&o, 400, "the service list is unavailable");
    if (!taxonomy_code_is_valid(code) || (cat = taxonomy_find(rules->tax, code)) == NULL)
        return reply_error(&o, 404, "service_code '%.16s' is not a service", code);
    return reply(&o, 200, definition_json(rules, cat), "service_definition");
}

int api_open311_request(struct api_request *req, struct api_response *resp)
{
    const struct case_rules *rules;
    struct case_rec c;
    struct o311 o;
    char id[CASE_NUMBER_MAX + 2];
    int extensions;
    if (begin(req, resp, req->path_params[0], &o, id, sizeof(id)) != 0)
        return 0;
    if (check_jurisdiction(&o, api_query(req, "jurisdiction_id")) != 0 ||
        parse_extensions(&o, &extensions) != 0)
        return 0;
    if (rules_get(req->svc, &rules) != 0)
        return reply_error(&o, 400, "the service list is unavailable");
    if (store_case_get_by_number(req->svc->st, id, &c) != 0)
        return reply_error(&o, 404, "service_request_id '%.32s' does not exist", id);
    json_t *items = json_array();
    json_array_append_new(items, request_json(&o, rules, &c, extensions));
    case_rec_cleanup(&c);
    return reply(&o, 200, items, "service_requests");
}

int api_open311_token(struct api_request *req, struct api_response *resp)
{
    struct open311_request q;
    struct case_rec c;
    struct o311 o;
    char token[48];
    json_t *item;
    if (begin(req, resp, req->path_params[0], &o, token, sizeof(token)) != 0)
        return 0;
    if (check_jurisdiction(&o, api_query(req, "jurisdiction_id")) != 0)
        return 0;
    if (strlen(token) != (size_t)2 * O311_TOKEN_BYTES ||
        store_open311_request_by_token(req->svc->st, token, &q) != 0)
        return reply_error(&o, 404, "token '%.40s' does not exist", token);
    if (store_case_get(req->svc->st, q.case_id, &c) != 0) {
        open311_request_cleanup(&q);
        return reply_error(&o, 404, "token '%.40s' does not exist", token);
    }
    item = json_pack("{s:s, s:s}", "service_request_id", c.number, "token", q.token);
    case_rec_cleanup(&c);
    open311_request_cleanup(&q);
    return reply(&o, 200, json_pack("[o]", item), "service_requests");
}

int api_open311_media(struct api_request *req, struct api_response *resp)
{
    struct attachment a;
    const char *hash = req->path_params[0];
    struct o311 o = {req, resp, O311_XML};
    int r;
    int64_t case_id = 0;
    /* Only the pictures of requests reported through Open311 are public. */
    if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64 ||
        store_open311_media_case(req->svc->st, hash, &case_id) != 0 ||
        store_attachment_get(req->svc->st, hash, 1, &a) != 0)
        return reply_error(&o, 404, "no such media");
    buf_reset(&resp->body);
    r = buf_append(&resp->body, a.data, (size_t)a.size);
    resp->status = 200;
    /* The only types ever stored (cases_attachment_put), so this is a static string. */
    resp->content_type = strcmp(a.mime, "image/jpeg") == 0   ? "image/jpeg"
                         : strcmp(a.mime, "image/png") == 0  ? "image/png"
                         : strcmp(a.mime, "image/webp") == 0 ? "image/webp"
                                                             : "application/pdf";
    api_response_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
    attachment_cleanup(&a);
    return r;
}
