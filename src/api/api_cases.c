/*
 * api_cases.c - cases over HTTP (SPEC section 4).
 *
 *   POST /api/v1/cases                 report a case -> 201 {case..., "duplicates": [...]}
 *   GET  /api/v1/cases                 list: area, status (comma list), category, channel,
 *                                      overdue, supervised, from, to, q, cursor, limit
 *   GET  /api/v1/cases/{id}            one case (id or number), with the actions the caller
 *                                      may take now and its attachments
 *   POST /api/v1/cases/{id}/actions    {"action": ..., fields} -> 200 the updated case;
 *                                      409 invalid_transition, 403, 400 naming the field
 *   GET  /api/v1/cases/{id}/events     the hash-chained history
 *   POST /api/v1/attachments           raw body, Content-Type image/jpeg|png|webp or
 *                                      application/pdf -> 201 {"hash", "url", ...}
 *   GET  /api/v1/attachments/{hash}    the content, to those who may see a case it belongs to
 *   GET  /api/v1/categories            the taxonomy in force
 *   GET  /api/v1/departments           the handling units (code, Chinese and English name)
 *   GET  /api/v1/track/{number}        public tracking: status and the steps taken, nothing
 *                                      personal
 *
 * The reporter's name and phone appear only where cases_show_reporter allows.
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/xalloc.h"
#include "base/timeutil.h"
#include "domain/idcard.h"
#include "base/secret.h"
#include "domain/routing.h"
#include "domain/taxonomy.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int api_reply_case_error(struct api_response *resp, int r)
{
    if (r == ERR_NOT_FOUND)
        return api_reply_error(resp, r, "no such case");
    if (r == ERR_FORBIDDEN)
        return api_reply_error(resp, r, "this case is outside what this user may see");
    return r;
}

static json_t *time_or_null(int64_t ms)
{
    char text[32];
    if (ms <= 0)
        return json_null();
    time_format_iso(ms, text, sizeof(text));
    return json_string(text);
}

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static json_t *case_json(struct api_request *req, const struct case_rec *c)
{
    const struct case_rules *rules = NULL;
    const struct category *cat = NULL;
    enum case_state state;
    int64_t now = time_now_ms();
    json_t *j;

    if (rules_get(req->svc, &rules) == 0)
        cat = taxonomy_find(rules->tax, c->category);
    j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "id", (json_int_t)c->id,
                  "number", c->number, "status", c->status, "area_code", c->area_code, "category",
                  c->category, "channel", c->channel, "urgency", c->urgency, "queue_level",
                  c->queue_level, "description", c->description ? c->description : "");
    if (workflow_state_parse(c->status, &state) == 0)
        json_object_set_new(j, "status_name", json_string(workflow_state_name_zh(state)));
    json_object_set_new(j, "category_name", cat ? json_string(cat->name_zh) : json_null());
    json_object_set_new(j, "category_name_en", cat ? json_string(cat->name_en) : json_null());
    json_object_set_new(j, "department", str_or_null(c->department));
    json_object_set_new(j, "address", str_or_null(c->address));
    json_object_set_new(j, "lon", c->has_location ? json_real(c->lon) : json_null());
    json_object_set_new(j, "lat", c->has_location ? json_real(c->lat) : json_null());
    json_object_set_new(j, "outcome", str_or_null(c->outcome));
    json_object_set_new(j, "outcome_reason", str_or_null(c->outcome_reason));
    json_object_set_new(j, "rating", c->rating ? json_integer(c->rating) : json_null());
    json_object_set_new(j, "supervision", str_or_null(c->supervision));
    json_object_set_new(j, "merged_into", str_or_null(c->merged_into));
    json_object_set_new(j, "reopen_count", json_integer(c->reopen_count));
    json_object_set_new(j, "has_pending_extension", json_boolean(c->has_pending_extension));
    json_object_set_new(j, "overdue", json_boolean(c->due_ms > 0 && c->due_ms < now));
    json_object_set_new(j, "deadlines",
                        json_pack("{s:o, s:o, s:o, s:o}", "step", str_or_null(c->step),
                                  "step_started_at", time_or_null(c->step_started_ms), "due_at",
                                  time_or_null(c->due_ms), "resolve_due_at",
                                  time_or_null(c->resolve_due_ms)));
    json_object_set_new(j, "created_at", time_or_null(c->created_ms));
    json_object_set_new(j, "updated_at", time_or_null(c->updated_ms));
    json_object_set_new(j, "closed_at", time_or_null(c->closed_ms));
    json_object_set_new(j, "anonymous", json_boolean(c->is_anonymous));
    if (cases_show_reporter(req->principal, c)) {
        char legacy[sizeof(c->reporter_phone)];
        const char *phone = c->reporter_phone_masked;
        if (phone[0] == '\0' && c->reporter_phone[0] && strncmp(c->reporter_phone, "v1:", 3) != 0) {
            mask_phone(c->reporter_phone, legacy, sizeof(legacy)); /* stored before encryption */
            phone = legacy;
        }
        json_object_set_new(j, "reporter",
                            json_pack("{s:o, s:o}", "name", str_or_null(c->reporter_name), "phone",
                                      str_or_null(phone)));
    }
    return j;
}

/* {id} is a numeric id or a case number. */
static int resolve_case_id(struct api_request *req, int64_t *id)
{
    const char *p = req->path_params[0];
    char *end = NULL;
    struct case_rec c;
    int r;
    errno = 0;
    long long v = strtoll(p, &end, 10);
    if (errno == 0 && end != p && *end == '\0' && v > 0) {
        *id = v;
        return 0;
    }
    if (strlen(p) > CASE_NUMBER_MAX)
        return ERR_NOT_FOUND;
    if ((r = store_case_get_by_number(req->svc->st, p, &c)) != 0)
        return r;
    *id = c.id;
    case_rec_cleanup(&c);
    return 0;
}

/* Idempotency-Key of a signed-in caller's report: 16..CASE_REPORT_KEY_MAX of [A-Za-z0-9_-].
 * Sets *key (NULL when the header is absent or the caller is anonymous: an anonymous key would
 * be shared by everyone). ERR_INVALID when present but malformed. */
static int report_key(struct api_request *req, const char **key, struct errbuf *eb)
{
    const char *k = api_header(req, "Idempotency-Key");
    size_t n;
    *key = NULL;
    if (k == NULL || req->principal == NULL)
        return 0;
    n = strlen(k);
    if (n < 16 || n > CASE_REPORT_KEY_MAX ||
        strspn(k, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "abcdefghijklmnopqrstuvwxyz"
                  "0123456789_-") != n)
        return errbuf_set(eb, ERR_INVALID,
                          "header Idempotency-Key must be 16 to %d letters, digits, '-' or '_'",
                          CASE_REPORT_KEY_MAX);
    *key = k;
    return 0;
}

struct report_key_arg {
    int64_t user_id;
    const char *key;
    int64_t now_ms;
};

/* on_insert hook: the key is stored in the report's own transaction, so a report and its key
 * commit together; a second report racing with the same key fails on the primary key and
 * rolls back whole. */
static int report_key_insert(void *arg, struct store *st, const struct case_rec *c)
{
    const struct report_key_arg *a = arg;
    return store_case_report_key_insert(st, a->user_id, a->key, c->id, a->now_ms);
}

/* The case an earlier report with the same key made, answered as the first time (200, with
 * "replayed": true). Returns 1 when it answered, 0 when there is none. */
static int report_replay(struct api_request *req, struct api_response *resp, const char *key,
                         int *status)
{
    int64_t id;
    struct case_rec c;
    json_t *j;
    *status = 0;
    if (req->principal == NULL) /* keys are only taken from signed-in callers (report_key) */
        return 0;
    if (store_case_report_key_get(req->svc->st, req->principal->user_id, key, &id) != 0 ||
        store_case_get(req->svc->st, id, &c) != 0)
        return 0;
    j = case_json(req, &c);
    json_object_set_new(j, "duplicates", json_array());
    json_object_set_new(j, "replayed", json_true());
    case_rec_cleanup(&c);
    *status = api_reply_json(resp, 200, j);
    return 1;
}

/* A report from its parsing to its answer; on the heap, as it may outlive the handler call
 * (api_defer: the request waits for the writer's commit without holding a worker thread). */
struct report_state {
    json_t *body; /* owned: the strings in borrows */
    struct case_report in;
    struct principal principal; /* copy of the caller's */
    int has_principal;
    struct report_key_arg idem; /* idem.key points into key */
    char key[CASE_REPORT_KEY_MAX + 1];
    struct errbuf eb;
    struct cases_pending_report *pending; /* owned while deferred */
};

static void report_state_free(void *arg)
{
    struct report_state *rs = arg;
    if (rs == NULL)
        return;
    cases_report_discard(rs->pending);
    json_decref(rs->body);
    free(rs);
}

/* Parse the body into rs->in; 0, or an error with rs->eb set. */
static int report_parse(struct api_request *req, struct report_state *rs)
{
    struct case_report *in = &rs->in;
    struct errbuf *eb = &rs->eb;
    json_t *body = rs->body, *j;
    long long household = 0, patrol = 0, chief = 0;
    int has_lon = 0, has_lat = 0, r;
    const char *key = NULL;

    if ((r = json_get_string(body, "channel", 1, 23, &in->channel, eb)) != 0 ||
        (r = json_get_string(body, "category", 1, 8, &in->category, eb)) != 0 ||
        (r = json_get_string(body, "description", 1, CASE_TEXT_MAX, &in->description, eb)) != 0 ||
        (r = json_get_number(body, "lon", 0, -180, 180, &in->lon, &has_lon, eb)) != 0 ||
        (r = json_get_number(body, "lat", 0, -90, 90, &in->lat, &has_lat, eb)) != 0 ||
        (r = json_get_string(body, "area_code", 0, 18, &in->area_code, eb)) != 0 ||
        (r = json_get_string(body, "address", 0, 255, &in->address, eb)) != 0 ||
        (r = json_get_string(body, "urgency", 0, 11, &in->urgency, eb)) != 0 ||
        (r = json_get_string(body, "reporter_name", 0, 63, &in->reporter_name, eb)) != 0 ||
        (r = json_get_string(body, "reporter_phone", 0, 20, &in->reporter_phone, eb)) != 0 ||
        (r = json_get_int(body, "household_id", 0, 1, INT64_MAX, &household, NULL, eb)) != 0 ||
        (r = json_get_int(body, "patrol_id", 0, 1, INT64_MAX, &patrol, NULL, eb)) != 0 ||
        (r = json_get_int(body, "chief_id", 0, 1, INT64_MAX, &chief, NULL, eb)) != 0)
        return r;
    in->household_id = household;
    in->patrol_id = patrol;
    in->chief_id = chief;
    if (has_lon != has_lat)
        return errbuf_set(eb, ERR_INVALID, "give both 'lon' and 'lat', or neither");
    in->has_point = has_lon && has_lat;
    j = json_object_get(body, "anonymous");
    if (j != NULL && !json_is_boolean(j) && !json_is_null(j))
        return errbuf_set(eb, ERR_INVALID, "field 'anonymous' must be true or false");
    in->is_anonymous = json_is_true(j);
    j = json_object_get(body, "attachments");
    if (j != NULL && !json_is_null(j)) {
        size_t i;
        json_t *h;
        if (!json_is_array(j) || json_array_size(j) > CASES_MAX_ATTACHMENTS)
            return errbuf_set(eb, ERR_INVALID,
                              "field 'attachments' must be a list of at most %d hashes",
                              CASES_MAX_ATTACHMENTS);
        json_array_foreach(j, i, h)
        {
            if (!json_is_string(h) || json_string_length(h) != 64)
                return errbuf_set(eb, ERR_INVALID,
                                  "field 'attachments' must hold the hashes of uploads");
            in->attachments[in->n_attachments++] = json_string_value(h);
        }
    }
    in->now_ms = time_now_ms();
    if ((r = report_key(req, &key, eb)) != 0)
        return r;
    if (key != NULL) {
        snprintf(rs->key, sizeof(rs->key), "%s", key);
        rs->idem.key = rs->key;
        rs->idem.user_id = req->principal->user_id;
        rs->idem.now_ms = in->now_ms;
        in->on_insert = report_key_insert;
        in->on_insert_arg = &rs->idem;
    }
    return 0;
}

/* The answer to a report whose result is r (0: c and dups hold the new case). */
static int report_answer(struct api_request *req, struct api_response *resp,
                         struct report_state *rs, int r, struct case_rec *c,
                         struct case_near_list *dups)
{
    json_t *j, *items;
    int status;

    if (r == ERR_EXISTS && rs->idem.key != NULL && report_replay(req, resp, rs->idem.key, &status))
        return status; /* lost a race with the same key: the other report's case is the answer */
    if (r != 0)
        return api_reply_errbuf(resp, r, &rs->eb);
    j = case_json(req, c);
    items = json_array();
    for (size_t i = 0; i < dups->len; i++) {
        if (!cases_can_see_near(req->principal, &dups->items[i]))
            continue;
        json_array_append_new(
            items, json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)dups->items[i].id, "number",
                             dups->items[i].number, "status", dups->items[i].status, "description",
                             dups->items[i].description));
    }
    json_object_set_new(j, "duplicates", items);
    case_near_list_cleanup(dups);
    case_rec_cleanup(c);
    return api_reply_json(resp, 201, j);
}

/* api_finish_fn of a deferred report: its batch ended; answer on svc (this worker's). */
static int report_finish(struct service_ctx *svc, void *arg, struct api_response *resp)
{
    struct report_state *rs = arg;
    struct api_request req;
    struct case_rec c;
    struct case_near_list dups;
    int r;

    memset(&req, 0, sizeof(req));
    req.svc = svc;
    req.principal = rs->has_principal ? &rs->principal : NULL;
    r = cases_report_finish(svc, rs->pending, &c, &dups);
    rs->pending = NULL;
    return report_answer(&req, resp, rs, r, &c, &dups);
}

int api_cases_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {
        "channel",       "category",       "description", "lon",
        "lat",           "area_code",      "address",     "urgency",
        "reporter_name", "reporter_phone", "anonymous",   "attachments",
        "household_id",  "patrol_id",      "chief_id",    NULL};
    struct report_state *rs = xcalloc(1, sizeof(*rs));
    struct case_rec c;
    struct case_near_list dups;
    int r, status;

    if (api_body_object(req, resp, allowed, &rs->body) != 0) {
        report_state_free(rs);
        return 0;
    }
    if (req->principal != NULL) {
        rs->principal = *req->principal;
        rs->has_principal = 1;
    }
    if ((r = report_parse(req, rs)) != 0) {
        status = api_reply_errbuf(resp, r, &rs->eb);
        report_state_free(rs);
        return status;
    }
    if (rs->idem.key != NULL && report_replay(req, resp, rs->idem.key, &status)) {
        report_state_free(rs);
        return status;
    }
    /* With the single writer (serve), the request waits for the group commit suspended
     * (api_defer), not on its worker thread; otherwise, or if the transport cannot defer,
     * it reports synchronously. */
    if (req->svc->writer != NULL && req->transport.defer != NULL) {
        struct api_deferred d = {report_finish, report_state_free, rs};
        api_resume_fn resume = NULL;
        void *resume_arg = NULL;
        r = cases_report_prepare(req->svc, rs->has_principal ? &rs->principal : NULL, &rs->in,
                                 &rs->eb, &rs->pending);
        if (r != 0) {
            status = api_reply_errbuf(resp, r, &rs->eb);
            report_state_free(rs);
            return status;
        }
        if (api_defer(req, &d, &resume, &resume_arg) == 0) {
            /* rs is the deferral's now; the writer may finish before this returns. */
            cases_report_submit(req->svc, rs->pending, resume, resume_arg);
            return 0;
        }
        cases_report_discard(rs->pending);
        rs->pending = NULL;
    }
    r = cases_report(req->svc, req->principal, &rs->in, &c, &dups, &rs->eb);
    status = report_answer(req, resp, rs, r, &c, &dups);
    report_state_free(rs);
    return status;
}

static int parse_time_param(struct api_request *req, struct api_response *resp, const char *key,
                            int64_t *out)
{
    const char *v = api_query(req, key);
    char msg[128];
    *out = 0;
    if (v == NULL)
        return 0;
    if (time_parse_iso(v, out) == 0)
        return 0;
    snprintf(msg, sizeof(msg),
             "query parameter '%s' must be a date YYYY-MM-DD or a time "
             "YYYY-MM-DDTHH:MM:SSZ",
             key);
    api_reply_error(resp, ERR_INVALID, msg);
    return ERR_INVALID;
}

int api_cases_list(struct api_request *req, struct api_response *resp)
{
    struct case_filter f;
    struct case_list list;
    char statuses[256];
    long limit, overdue, supervised;
    const char *cursor, *v;
    json_t *items;
    int r;

    memset(&f, 0, sizeof(f));
    f.now_ms = time_now_ms();
    f.area = api_query(req, "area");
    if (f.area && !areacode_is_valid(f.area))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'area' is not an area code");
    f.category = api_query(req, "category");
    if (f.category && !taxonomy_code_is_valid(f.category))
        return api_reply_error(resp, ERR_INVALID,
                               "query parameter 'category' is not a category code");
    f.channel = api_query(req, "channel");
    if (f.channel && !cases_channel_is_valid(f.channel))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'channel' is not a channel");
    if ((v = api_query(req, "status")) != NULL) {
        char *save = NULL;
        int n = 0;
        if (strlen(v) >= sizeof(statuses))
            return api_reply_error(resp, ERR_INVALID, "query parameter 'status' is too long");
        snprintf(statuses, sizeof(statuses), "%s", v);
        for (char *tok = strtok_r(statuses, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            enum case_state s;
            if (workflow_state_parse(tok, &s) != 0 || n >= 15)
                return api_reply_error(resp, ERR_INVALID,
                                       "query parameter 'status' must list case states");
            f.statuses[n++] = tok;
        }
    }
    if (api_query_int(req, resp, "limit", 1, CASES_PAGE_MAX, 50, &limit) != 0 ||
        api_query_int(req, resp, "overdue", 0, 1, 0, &overdue) != 0 ||
        api_query_int(req, resp, "supervised", 0, 1, 0, &supervised) != 0 ||
        parse_time_param(req, resp, "from", &f.from_ms) != 0 ||
        parse_time_param(req, resp, "to", &f.to_ms) != 0)
        return 0;
    f.limit = (int)limit;
    f.is_overdue = (int)overdue;
    f.is_supervised = (int)supervised;
    f.query = api_query(req, "q");
    if (f.query && (strlen(f.query) > 200 || !utf8_is_clean_text(f.query, strlen(f.query))))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'q' must be short text");
    if ((cursor = api_query(req, "cursor")) != NULL) {
        long long a, b;
        int n = 0;
        if (sscanf(cursor, "%lld.%lld%n", &a, &b, &n) != 2 || cursor[n] != '\0' || a < 0 || b < 0)
            return api_reply_error(resp, ERR_INVALID, "query parameter 'cursor' is malformed");
        f.before_created_ms = a;
        f.before_id = b;
    }
    r = cases_list(req->svc, req->principal, &f, &list);
    if (r == ERR_FORBIDDEN)
        return api_reply_access(resp, r, f.area ? f.area : "");
    if (r != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < list.len; i++)
        json_array_append_new(items, case_json(req, &list.items[i]));
    json_t *j = json_pack("{s:o}", "items", items);
    if (list.len == (size_t)f.limit) {
        char next[48];
        snprintf(next, sizeof(next), "%lld.%lld", (long long)list.items[list.len - 1].created_ms,
                 (long long)list.items[list.len - 1].id);
        json_object_set_new(j, "next_cursor", json_string(next));
    } else {
        json_object_set_new(j, "next_cursor", json_null());
    }
    case_list_cleanup(&list);
    return api_reply_json(resp, 200, j);
}

static int collect_hash(void *ctx, const char *hash, int64_t unused)
{
    (void)unused;
    char url[128];
    snprintf(url, sizeof(url), "/api/v1/attachments/%s", hash);
    json_array_append_new(ctx, json_pack("{s:s, s:s}", "hash", hash, "url", url));
    return 0;
}

int api_case_get(struct api_request *req, struct api_response *resp)
{
    struct case_rec c;
    int64_t id;
    unsigned long long allowed;
    json_t *j, *actions, *atts;
    int r;
    if ((r = resolve_case_id(req, &id)) != 0 ||
        (r = cases_get(req->svc, req->principal, id, &c)) != 0)
        return api_reply_case_error(resp, r);
    j = case_json(req, &c);
    if (api_query(req, "reveal") != NULL) {
        struct errbuf eb = {{0}};
        char *phone = NULL;
        if ((r = cases_reveal_reporter_phone(req->svc, req->principal, &c, api_query(req, "reveal"),
                                             time_now_ms(), &phone, &eb)) != 0) {
            json_decref(j);
            case_rec_cleanup(&c);
            return api_reply_errbuf(resp, r, &eb);
        }
        if (phone != NULL)
            json_object_set_new(json_object_get(j, "reporter"), "phone", json_string(phone));
        secret_plaintext_free(phone);
    }
    actions = json_array();
    allowed = cases_allowed_actions(req->svc, req->principal, &c, time_now_ms());
    for (int a = 0; a < CASE_ACTION_COUNT; a++)
        if (allowed & WORKFLOW_ACTION_BIT(a))
            json_array_append_new(actions, json_string(workflow_action_name(a)));
    json_object_set_new(j, "allowed_actions", actions);
    atts = json_array();
    store_case_attachments(req->svc->st, c.id, collect_hash, atts);
    json_object_set_new(j, "attachments", atts);
    case_rec_cleanup(&c);
    return api_reply_json(resp, 200, j);
}

int api_case_act(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {
        "action", "reason",  "evidence",       "text",           "department",  "merge_into",
        "rating", "outcome", "outcome_reason", "extension_days", "supervision", NULL};
    struct errbuf eb = {{0}};
    struct workflow_input in;
    struct case_rec c;
    const char *action, *outcome = NULL, *supervision = NULL;
    long long rating = 0, days = 0;
    json_t *body = NULL;
    int64_t id;
    int r;

    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "action", 1, 31, &action, &eb)) != 0 ||
        (r = json_get_string(body, "reason", 0, WORKFLOW_TEXT_MAX, &in.reason, &eb)) != 0 ||
        (r = json_get_string(body, "evidence", 0, WORKFLOW_TEXT_MAX, &in.evidence, &eb)) != 0 ||
        (r = json_get_string(body, "text", 0, WORKFLOW_TEXT_MAX, &in.text, &eb)) != 0 ||
        (r = json_get_string(body, "department", 0, 32, &in.department, &eb)) != 0 ||
        (r = json_get_string(body, "merge_into", 0, CASE_NUMBER_MAX, &in.merge_into, &eb)) != 0 ||
        (r = json_get_int(body, "rating", 0, 0, 5, &rating, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "outcome", 0, 23, &outcome, &eb)) != 0 ||
        (r = json_get_string(body, "outcome_reason", 0, 31, &in.outcome_reason, &eb)) != 0 ||
        (r = json_get_int(body, "extension_days", 0, 0, WORKFLOW_EXTENSION_DAYS_MAX, &days, NULL,
                          &eb)) != 0 ||
        (r = json_get_string(body, "supervision", 0, 15, &supervision, &eb)) != 0)
        goto bad;
    if (workflow_action_parse(action, &in.action) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "unknown action '%.32s'", action);
        goto bad;
    }
    if (outcome && workflow_outcome_parse(outcome, &in.outcome) != 0) {
        r = errbuf_set(&eb, ERR_INVALID,
                       "field 'outcome' must be resolved, not_resolved or answered");
        goto bad;
    }
    if (supervision && workflow_supervision_parse(supervision, &in.supervision) != 0) {
        r = errbuf_set(&eb, ERR_INVALID,
                       "field 'supervision' must be normal, yellow_card or red_card");
        goto bad;
    }
    in.rating = (int)rating;
    in.extension_days = (int)days;
    in.now_ms = time_now_ms();
    if ((r = resolve_case_id(req, &id)) != 0) {
        json_decref(body);
        return api_reply_case_error(resp, r);
    }
    r = cases_act(req->svc, req->principal, id, &in, &c, &eb);
    json_decref(body);
    body = NULL;
    if (r == ERR_NOT_FOUND && eb.msg[0] == '\0')
        return api_reply_error(resp, r, "no such case");
    if (r == ERR_CONFLICT)
        return api_reply_error(resp, r, "the case changed meanwhile; reload and try again");
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    json_t *j = case_json(req, &c);
    unsigned long long next = cases_allowed_actions(req->svc, req->principal, &c, time_now_ms());
    json_t *actions = json_array();
    for (int a = 0; a < CASE_ACTION_COUNT; a++)
        if (next & WORKFLOW_ACTION_BIT(a))
            json_array_append_new(actions, json_string(workflow_action_name(a)));
    json_object_set_new(j, "allowed_actions", actions);
    case_rec_cleanup(&c);
    return api_reply_json(resp, 200, j);
bad:
    json_decref(body);
    return api_reply_errbuf(resp, r, &eb);
}

int api_case_events(struct api_request *req, struct api_response *resp)
{
    struct case_event_list events;
    json_t *items;
    int64_t id;
    int r;
    if ((r = resolve_case_id(req, &id)) != 0 ||
        (r = cases_events(req->svc, req->principal, id, &events)) != 0)
        return api_reply_case_error(resp, r);
    items = json_array();
    for (size_t i = 0; i < events.len; i++) {
        const struct case_event *e = &events.items[i];
        json_t *payload = json_loads(e->payload, 0, NULL);
        json_array_append_new(
            items, json_pack("{s:I, s:o, s:I, s:s, s:s, s:o, s:s, s:o, s:s, s:s}", "seq",
                             (json_int_t)e->seq, "at", time_or_null(e->at_ms), "actor_user_id",
                             (json_int_t)e->actor_user_id, "actor_role", e->actor_role, "action",
                             e->action, "from_state", str_or_null(e->from_state), "to_state",
                             e->to_state, "payload", payload ? payload : json_object(), "prev_hash",
                             e->prev_hash, "hash", e->hash));
    }
    case_event_list_cleanup(&events);
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_attachment_upload(struct api_request *req, struct api_response *resp)
{
    struct errbuf eb = {{0}};
    const char *type = api_header(req, "Content-Type");
    char mime[64] = "", hash[65], url[128];
    int r;
    if (type != NULL) {
        size_t n = strcspn(type, "; ");
        if (n < sizeof(mime)) {
            memcpy(mime, type, n);
            mime[n] = '\0';
        }
    }
    if (req->body_len > (size_t)req->svc->cfg->upload_max)
        return api_reply_error(resp, ERR_TOO_LARGE, "the attachment is larger than allowed");
    r = cases_attachment_put(req->svc, mime, (const unsigned char *)req->body, req->body_len, hash,
                             &eb);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    snprintf(url, sizeof(url), "/api/v1/attachments/%s", hash);
    return api_reply_json(resp, 201,
                          json_pack("{s:s, s:s, s:s, s:I}", "hash", hash, "url", url, "mime", mime,
                                    "size", (json_int_t)req->body_len));
}

/* For store_attachment_cases: stop (1) at the first linked case the caller may see. */
struct attachment_access {
    struct api_request *req;
    int n_linked;
};

static int attachment_case_visible(void *ctx, const char *hash, int64_t case_id)
{
    struct attachment_access *aa = ctx;
    struct case_rec c;
    (void)hash;
    aa->n_linked++;
    if (cases_get(aa->req->svc, aa->req->principal, case_id, &c) != 0)
        return 0;
    case_rec_cleanup(&c);
    return 1;
}

/*
 * An attachment linked to cases may be read by whoever may see one of them; one not linked
 * yet (just uploaded, shown in the report form) by any logged-in user, since its hash is only
 * known to someone holding the content. Otherwise 404, as if it did not exist.
 */
int api_attachment_get(struct api_request *req, struct api_response *resp)
{
    struct attachment a;
    struct attachment_access aa = {req, 0};
    const char *hash = req->path_params[0];
    int r;
    if (strlen(hash) != 64 || strspn(hash, "0123456789abcdef") != 64)
        return api_reply_error(resp, ERR_NOT_FOUND, "no such attachment");
    r = store_attachment_cases(req->svc->st, hash, attachment_case_visible, &aa);
    if (r != 0 && r != 1)
        return r;
    if (r == 0 && aa.n_linked > 0)
        return api_reply_error(resp, ERR_NOT_FOUND, "no such attachment");
    if ((r = store_attachment_get(req->svc->st, hash, 1, &a)) != 0)
        return r == ERR_NOT_FOUND ? api_reply_error(resp, r, "no such attachment") : r;
    buf_reset(&resp->body);
    r = buf_append(&resp->body, a.data, (size_t)a.size);
    resp->status = 200;
    /* The only types ever stored (cases_attachment_put), so this is a static string. */
    resp->content_type = strcmp(a.mime, "image/jpeg") == 0   ? "image/jpeg"
                         : strcmp(a.mime, "image/png") == 0  ? "image/png"
                         : strcmp(a.mime, "image/webp") == 0 ? "image/webp"
                                                             : "application/pdf";
    api_response_header(resp, "Cache-Control", "private, max-age=31536000, immutable");
    attachment_cleanup(&a);
    return r;
}

int api_categories(struct api_request *req, struct api_response *resp)
{
    const struct case_rules *rules;
    json_t *items = json_array();
    int r;
    if ((r = rules_get(req->svc, &rules)) != 0) {
        json_decref(items);
        return r;
    }
    for (size_t i = 0; i < taxonomy_count(rules->tax); i++) {
        const struct category *c = taxonomy_at(rules->tax, i);
        json_array_append_new(items, json_pack("{s:s, s:o, s:s, s:s, s:s}", "code", c->code,
                                               "parent", str_or_null(c->parent), "name_zh",
                                               c->name_zh, "name_en", c->name_en, "department",
                                               taxonomy_department_of(rules->tax, c->code)));
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_departments(struct api_request *req, struct api_response *resp)
{
    const struct case_rules *rules;
    json_t *items = json_array();
    int r;
    if ((r = rules_get(req->svc, &rules)) != 0) {
        json_decref(items);
        return r;
    }
    for (size_t i = 0; i < taxonomy_department_count(); i++) {
        const struct taxonomy_department *d = taxonomy_department_at(i);
        json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code", d->code, "name_zh",
                                               d->name_zh, "name_en", d->name_en));
    }
    /* Units named only by the routing table in force (a city's own units). */
    for (size_t i = 0; i < routing_count(rules->routing); i++) {
        const char *unit = routing_at(rules->routing, i)->unit;
        int seen = taxonomy_department_name(unit, "en") != NULL;
        for (size_t k = 0; !seen && k < i; k++)
            seen = strcmp(routing_at(rules->routing, k)->unit, unit) == 0;
        if (!seen)
            json_array_append_new(items, json_pack("{s:s, s:s, s:s}", "code", unit, "name_zh", unit,
                                                   "name_en", unit));
    }
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_track(struct api_request *req, struct api_response *resp)
{
    struct case_rec c;
    struct case_event_list events;
    json_t *steps;
    int r;
    if (strlen(req->path_params[0]) > CASE_NUMBER_MAX)
        return api_reply_error(resp, ERR_NOT_FOUND, "no such case");
    r = store_case_get_by_number(req->svc->st, req->path_params[0], &c);
    if (r != 0)
        return api_reply_case_error(resp, r);
    if ((r = store_case_events(req->svc->st, c.id, &events)) != 0) {
        case_rec_cleanup(&c);
        return r;
    }
    steps = json_array();
    for (size_t i = 0; i < events.len; i++) {
        /* Comments and supervision are internal; the public sees the case move. */
        if (strcmp(events.items[i].action, "comment") == 0 ||
            strcmp(events.items[i].action, "supervise") == 0 ||
            strcmp(events.items[i].action, "urge") == 0)
            continue;
        json_array_append_new(
            steps, json_pack("{s:o, s:s, s:s}", "at", time_or_null(events.items[i].at_ms), "action",
                             events.items[i].action, "status", events.items[i].to_state));
    }
    json_t *j = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o}", "number", c.number, "status", c.status,
                          "category", c.category, "outcome", str_or_null(c.outcome), "created_at",
                          time_or_null(c.created_ms), "steps", steps);
    case_event_list_cleanup(&events);
    case_rec_cleanup(&c);
    return api_reply_json(resp, 200, j);
}
