/*
 * api_basedata.c - /api/v1/{persons,households,buildings,organisations,facilities}[/ID],
 * /api/v1/households/ID/file, /api/v1/search, /api/v1/access-log and the exports
 * (service/basedata.h does the work).
 *
 * A record is one JSON object: id, type ("person", ...), area_code, created_at, updated_at and its
 * fields by name (numbers and booleans as such, tags as an array, absent values null). Personal
 * fields (ID numbers, phones) are masked; `?reveal=REASON` asks for them unmasked, which needs the
 * person_pii capability and writes the access log. The kind of a request is the third segment
 * of its path, so one set of handlers serves every kind.
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "service/basedata.h"
#include "service/context.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The kind named by "/api/v1/<plural>/...". */
static int path_kind(const struct api_request *req, enum bd_kind *out)
{
    static const char prefix[] = "/api/v1/";
    char word[32];
    const char *p = req->path, *end;
    if (strncmp(p, prefix, sizeof(prefix) - 1) != 0)
        return ERR_NOT_FOUND;
    p += sizeof(prefix) - 1;
    end = strchr(p, '/');
    if (end == NULL)
        end = p + strlen(p);
    if ((size_t)(end - p) >= sizeof(word))
        return ERR_NOT_FOUND;
    memcpy(word, p, (size_t)(end - p));
    word[end - p] = '\0';
    return bd_kind_parse(word, out) == 0 ? 0 : ERR_NOT_FOUND;
}

static int path_id(const struct api_request *req, int64_t *out)
{
    char *end;
    long long v;
    if (req->n_path_params < 1)
        return ERR_NOT_FOUND;
    errno = 0;
    v = strtoll(req->path_params[0], &end, 10);
    if (errno != 0 || *end != '\0' || v <= 0)
        return ERR_NOT_FOUND;
    *out = v;
    return 0;
}

static json_t *time_json(int64_t ms)
{
    char text[32];
    if (ms <= 0)
        return json_null();
    time_format_iso(ms, text, sizeof(text));
    return json_string(text);
}

/* One value of field f as JSON. */
static json_t *value_json(const struct bd_field *f, const char *v)
{
    if (v == NULL || v[0] == '\0')
        return f->type == BDT_TAGS ? json_array() : json_null();
    switch (f->type) {
    case BDT_INT:
    case BDT_REF:
        return json_integer(strtoll(v, NULL, 10));
    case BDT_REAL:
        return json_real(strtod(v, NULL));
    case BDT_BOOL:
        return json_boolean(v[0] == '1');
    case BDT_TAGS: {
        json_t *a = json_array();
        const char *p = v;
        while (*p) {
            size_t n = strcspn(p, ",");
            json_array_append_new(a, json_stringn(p, n));
            p += n + (p[n] == ',');
        }
        return a;
    }
    default:
        return json_string(v);
    }
}

static json_t *view_json(const struct bd_view *v)
{
    const struct bd_entity *e = bd_entity(v->rec.kind);
    json_t *j = json_object();
    int revealed = 0;
    json_object_set_new(j, "id", json_integer(v->rec.id));
    json_object_set_new(j, "type", json_string(e->name));
    json_object_set_new(j, "area_code", json_string(v->rec.cell_code));
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        if (bd_field_is_personal(f)) {
            const char *shown = v->plain[i] ? v->plain[i] : v->rec.v[i].masked;
            revealed |= v->plain[i] != NULL;
            json_object_set_new(j, f->name, shown && shown[0] ? json_string(shown) : json_null());
        } else {
            json_object_set_new(j, f->name, value_json(f, v->rec.v[i].text));
        }
    }
    json_object_set_new(j, "personal_data", json_string(revealed ? "revealed" : "masked"));
    if (v->rec.anonymised_ms)
        json_object_set_new(j, "anonymised_at", time_json(v->rec.anonymised_ms));
    json_object_set_new(j, "created_at", time_json(v->rec.created_ms));
    json_object_set_new(j, "updated_at", time_json(v->rec.updated_ms));
    return j;
}

static int reply_error(struct api_response *resp, int r, const struct errbuf *eb)
{
    return api_reply_errbuf(resp, r, eb);
}

/* ?reveal=REASON: fills reveal and returns it, or NULL when not asked. */
static const struct bd_reveal *want_reveal(struct api_request *req, struct bd_reveal *reveal)
{
    const char *reason = api_query(req, "reveal");
    if (reason == NULL)
        return NULL;
    reveal->reason = reason;
    reveal->now_ms = time_now_ms();
    return reveal;
}

/* ---- create and change ------------------------------------------------------------------ */

/* The text of one JSON value for field f into buf (numbers, booleans, tag arrays, strings). */
static int json_value_text(const struct bd_field *f, json_t *v, char *buf, size_t size,
                           const char **out, struct errbuf *eb)
{
    *out = buf;
    buf[0] = '\0';
    if (json_is_null(v)) {
        *out = NULL;
        return 0;
    }
    if (json_is_string(v)) {
        if (json_string_length(v) >= size || strlen(json_string_value(v)) != json_string_length(v))
            return errbuf_set(eb, ERR_INVALID, "field '%s' is too long or holds a NUL", f->name);
        *out = json_string_value(v);
        return 0;
    }
    if (json_is_boolean(v) && f->type == BDT_BOOL) {
        snprintf(buf, size, "%d", json_is_true(v));
        return 0;
    }
    if (json_is_integer(v) && (f->type == BDT_INT || f->type == BDT_REF || f->type == BDT_REAL)) {
        snprintf(buf, size, "%lld", (long long)json_integer_value(v));
        return 0;
    }
    if (json_is_real(v) && f->type == BDT_REAL) {
        snprintf(buf, size, "%.9g", json_real_value(v));
        return 0;
    }
    if (json_is_array(v) && f->type == BDT_TAGS) {
        size_t i, len = 0;
        json_t *t;
        json_array_foreach(v, i, t)
        {
            if (!json_is_string(t))
                return errbuf_set(eb, ERR_INVALID, "field '%s' must be an array of strings",
                                  f->name);
            len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "",
                                    json_string_value(t));
            if (len >= size)
                return errbuf_set(eb, ERR_INVALID, "field '%s' is too long", f->name);
        }
        return 0;
    }
    return errbuf_set(eb, ERR_INVALID, "field '%s' has the wrong type", f->name);
}

static int put_record(struct api_request *req, struct api_response *resp, int64_t id)
{
    struct errbuf eb = {{0}};
    const struct bd_entity *e;
    struct bd_change ch;
    struct bd_view out;
    enum bd_kind kind;
    json_t *body = NULL, *v;
    const char *key;
    char(*bufs)[BD_VALUE_MAX] = NULL;
    int r;

    if (path_kind(req, &kind) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    e = bd_entity(kind);
    if (req->body_len > (size_t)req->svc->cfg->body_max)
        return api_reply_error(resp, ERR_TOO_LARGE, NULL);
    if ((r = json_parse_object(req->body, req->body_len, &body, &eb)) != 0)
        return reply_error(resp, r, &eb);
    memset(&ch, 0, sizeof(ch));
    ch.now_ms = time_now_ms();
    bufs = xcalloc(BD_FIELDS_MAX, sizeof(*bufs));
    json_object_foreach(body, key, v)
    {
        int i;
        if (strcmp(key, "area_code") == 0) {
            if (!json_is_string(v)) {
                r = errbuf_set(&eb, ERR_INVALID, "field 'area_code' must be a string");
                goto done;
            }
            ch.area_code = json_string_value(v);
            continue;
        }
        if (strcmp(key, "id") == 0 || strcmp(key, "type") == 0 || strcmp(key, "created_at") == 0 ||
            strcmp(key, "updated_at") == 0 || strcmp(key, "personal_data") == 0)
            continue; /* read-only fields a client may send back unchanged */
        if ((i = bd_field_index(e, key)) < 0 || strcmp(e->fields[i].name, key) != 0) {
            r = errbuf_set(&eb, ERR_INVALID, "unknown field '%.40s' for %s", key, e->plural);
            goto done;
        }
        if ((r = json_value_text(&e->fields[i], v, bufs[i], BD_VALUE_MAX, &ch.value[i], &eb)) != 0)
            goto done;
        ch.given[i] = 1;
    }
    r = basedata_put(req->svc, req->principal, kind, id, &ch, &out, &eb);
    if (r == 0)
        r = api_reply_json(resp, id ? 200 : 201, view_json(&out));
    bd_view_cleanup(&out);
done:
    if (r != 0 && resp->status == 0)
        reply_error(resp, r, &eb);
    free(bufs);
    json_decref(body);
    return 0;
}

int api_bd_create(struct api_request *req, struct api_response *resp)
{
    return put_record(req, resp, 0);
}

int api_bd_update(struct api_request *req, struct api_response *resp)
{
    int64_t id;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    return put_record(req, resp, id);
}

int api_bd_delete(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    enum bd_kind kind;
    int64_t id;
    int r;
    if (path_kind(req, &kind) != 0 || path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = basedata_delete(req->svc, req->principal, kind, id, &eb)) != 0)
        return reply_error(resp, r, &eb);
    resp->status = 204;
    return 0;
}

/* ---- reads ------------------------------------------------------------------------------ */

int api_bd_get(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct bd_reveal reveal;
    struct bd_view v;
    enum bd_kind kind;
    int64_t id;
    int r;
    if (path_kind(req, &kind) != 0 || path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = basedata_get(req->svc, req->principal, kind, id, want_reveal(req, &reveal), &v,
                          &eb)) != 0)
        return reply_error(resp, r, &eb);
    r = api_reply_json(resp, 200, view_json(&v));
    bd_view_cleanup(&v);
    return r;
}

struct list_out {
    json_t *items;
    int64_t last_id;
};

static int list_collect(void *arg, struct bd_view *v)
{
    struct list_out *lo = arg;
    json_array_append_new(lo->items, view_json(v));
    lo->last_id = v->rec.id;
    return 0;
}

int api_bd_list(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct bd_reveal reveal;
    struct bd_query q;
    struct list_out lo = {NULL, 0};
    long household = 0, building = 0, after = 0, limit = 0;
    enum bd_kind kind;
    json_t *j;
    int r;
    if (path_kind(req, &kind) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (api_query_int(req, resp, "household_id", 1, INT64_MAX, 0, &household) != 0 ||
        api_query_int(req, resp, "building_id", 1, INT64_MAX, 0, &building) != 0 ||
        api_query_int(req, resp, "after", 0, INT64_MAX, 0, &after) != 0 ||
        api_query_int(req, resp, "limit", 1, BASEDATA_PAGE_MAX, 50, &limit) != 0)
        return 0;
    memset(&q, 0, sizeof(q));
    q.kind = kind;
    q.area = api_query(req, "area");
    q.household_id = household;
    q.building_id = building;
    q.tag = api_query(req, "tag");
    q.id_number = api_query(req, "id_number");
    q.phone = api_query(req, "phone");
    q.q = api_query(req, "q");
    q.after_id = after;
    q.limit = (int)limit;
    lo.items = json_array();
    r = basedata_list(req->svc, req->principal, &q, want_reveal(req, &reveal), list_collect, &lo,
                      &eb);
    if (r != 0) {
        json_decref(lo.items);
        return reply_error(resp, r, &eb);
    }
    j = json_object();
    json_object_set_new(j, "next",
                        (int)json_array_size(lo.items) == q.limit
                            ? json_sprintf("%lld", (long long)lo.last_id)
                            : json_null());
    json_object_set_new(j, "items", lo.items);
    return api_reply_json(resp, 200, j);
}

static int hit_collect(void *arg, const struct bd_hit *h)
{
    json_array_append_new(arg, json_pack("{s:s, s:I, s:s, s:s}", "kind", bd_entity(h->kind)->name,
                                         "id", (json_int_t)h->id, "area_code", h->cell_code,
                                         "label", h->label));
    return 0;
}

int api_bd_search(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    long limit = 0;
    json_t *items;
    int r;
    if (api_query_int(req, resp, "limit", 1, 200, 50, &limit) != 0)
        return 0;
    items = json_array();
    if ((r = basedata_search(req->svc, req->principal, api_query(req, "area"), api_query(req, "q"),
                             (int)limit, hit_collect, items, &eb)) != 0) {
        json_decref(items);
        return reply_error(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_household_file(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct bd_reveal reveal;
    struct household_file f;
    json_t *j, *members, *timeline;
    int64_t id;
    int r;
    if (path_id(req, &id) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if ((r = basedata_household_file(req->svc, req->principal, id, want_reveal(req, &reveal), &f,
                                     &eb)) != 0)
        return reply_error(resp, r, &eb);
    members = json_array();
    for (size_t i = 0; i < f.n_members; i++)
        json_array_append_new(members, view_json(&f.members[i]));
    timeline = json_array();
    json_array_append_new(timeline,
                          json_pack("{s:o, s:s, s:s}", "at", time_json(f.household.rec.created_ms),
                                    "kind", "registered", "summary", "household file opened"));
    for (size_t i = 0; i < f.n_links; i++) {
        const struct household_link *l = &f.links[i];
        json_t *item = json_pack("{s:o, s:s, s:I, s:s}", "at", time_json(l->at_ms), "kind", l->kind,
                                 "id", (json_int_t)l->ref_id, "summary", l->summary);
        if (strcmp(l->kind, "case") == 0) {
            struct case_rec c;
            /* The case's current state, when the caller may see the case. */
            if (store_case_get(req->svc->st, l->ref_id, &c) == 0) {
                if (access_check(req->principal, CAP_CASE_READ, c.area_code) == 0) {
                    json_object_set_new(item, "number", json_string(c.number));
                    json_object_set_new(item, "status", json_string(c.status));
                }
                case_rec_cleanup(&c);
            }
        }
        json_array_append_new(timeline, item);
    }
    j = json_pack("{s:o, s:o, s:o, s:o}", "household", view_json(&f.household), "members", members,
                  "building", f.building.rec.id ? view_json(&f.building) : json_null(), "timeline",
                  timeline);
    household_file_cleanup(&f);
    return api_reply_json(resp, 200, j);
}

static int access_collect(void *arg, const struct access_entry *e)
{
    json_array_append_new(arg, json_pack("{s:I, s:o, s:I, s:s, s:s, s:s, s:I, s:s, s:s, s:s}", "id",
                                         (json_int_t)e->id, "at", time_json(e->at_ms), "user_id",
                                         (json_int_t)e->user_id, "username", e->username, "role",
                                         e->role, "subject_kind", e->subject_kind, "subject_id",
                                         (json_int_t)e->subject_id, "subject_area", e->subject_area,
                                         "fields", e->fields, "reason", e->reason));
    return 0;
}

int api_access_log(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct access_filter f;
    long user = 0, subject = 0, before = 0, limit = 0;
    json_t *items;
    int r;
    if (api_query_int(req, resp, "user_id", 1, INT64_MAX, 0, &user) != 0 ||
        api_query_int(req, resp, "subject_id", 1, INT64_MAX, 0, &subject) != 0 ||
        api_query_int(req, resp, "before", 1, INT64_MAX, 0, &before) != 0 ||
        api_query_int(req, resp, "limit", 1, 1000, 100, &limit) != 0)
        return 0;
    memset(&f, 0, sizeof(f));
    f.area = api_query(req, "area");
    f.user_id = user;
    f.subject_kind = api_query(req, "subject_kind");
    f.subject_id = subject;
    f.before_id = before;
    f.limit = (int)limit;
    items = json_array();
    if ((r = basedata_access_log(req->svc, req->principal, &f, access_collect, items, &eb)) != 0) {
        json_decref(items);
        return reply_error(resp, r, &eb);
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

/* ---- export ----------------------------------------------------------------------------- */

int api_bd_export(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    struct bd_reveal reveal;
    enum bd_kind kind;
    enum bd_export_format fmt = BD_EXPORT_CSV;
    const char *format = api_query(req, "format");
    char path[1100], filename[64];
    int64_t rows = 0;
    int r;
    if (path_kind(req, &kind) != 0)
        return api_reply_error(resp, ERR_NOT_FOUND, NULL);
    if (format && strcmp(format, "xlsx") == 0)
        fmt = BD_EXPORT_XLSX;
    else if (format && strcmp(format, "csv") != 0)
        return api_reply_error(resp, ERR_INVALID, "format must be csv or xlsx");
    if (req->principal == NULL)
        return api_reply_error(resp, ERR_UNAUTHORIZED, NULL);
    if (!access_role_has(req->principal->role, CAP_PERSON_READ))
        return api_reply_error(resp, ERR_FORBIDDEN, "exports are not for your role");
    if (api_temp_file("export", path, sizeof(path)) != 0)
        return api_reply_error(resp, ERR_IO, "cannot create a temporary file");
    r = basedata_export(req->svc, req->principal, kind, api_query(req, "area"),
                        want_reveal(req, &reveal), fmt, path, &rows, &eb);
    if (r != 0) {
        unlink(path);
        return reply_error(resp, r, &eb);
    }
    snprintf(filename, sizeof(filename), "%s.%s", bd_entity(kind)->plural,
             fmt == BD_EXPORT_CSV ? "csv" : "xlsx");
    r = api_reply_attachment(
        resp, path,
        fmt == BD_EXPORT_CSV ? "text/csv; charset=utf-8"
                             : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename);
    unlink(path);
    return r;
}
