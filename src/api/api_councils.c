/*
 * api_councils.c - deliberation councils over HTTP (SPEC section 7).
 *
 *   POST /api/v1/councils                          set up a council with its members -> 201
 *   GET  /api/v1/councils                          area -> the councils
 *   GET  /api/v1/councils/{id}                     a council and its members
 *   POST /api/v1/councils/{id}/topics              propose a topic -> 201
 *   GET  /api/v1/councils/{id}/topics              state, cursor, limit (residents: published)
 *   GET  /api/v1/councils/topics/{id}              a topic with its vote totals, co-signers,
 *                                                  opinions, tasks, notes, allowed actions
 *   POST /api/v1/councils/topics/{id}/actions      {"action", fields} -> 200 the topic
 *   POST /api/v1/councils/topics/{id}/meetings     {"place", "at", "present": [member ids]}
 *   POST /api/v1/councils/topics/{id}/ballots      {"member_id", "choice"} -> 201 (no echo of
 *                                                  the choice for secret votes)
 *   GET  /api/v1/councils/topics/{id}/events       the topic's log
 *   GET  /api/v1/councils/decisions/{id}           public: a published decision (topic, vote
 *                                                  totals, execution status), nothing personal
 *
 * Individual ballots are never served: only totals, and only once the vote is closed.
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/councils.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MEETING_PRESENT_MAX 32

static json_t *time_or_null(int64_t ms)
{
    char text[32];
    if (ms <= 0)
        return json_null();
    time_format_iso(ms, text, sizeof(text));
    return json_string(text);
}

static int reply_not_seen(struct api_response *resp, int r, const char *what)
{
    char msg[96];
    if (r == ERR_NOT_FOUND) {
        snprintf(msg, sizeof(msg), "no such %s", what);
        return api_reply_error(resp, r, msg);
    }
    if (r == ERR_FORBIDDEN) {
        snprintf(msg, sizeof(msg), "this %s is outside what this user may see", what);
        return api_reply_error(resp, r, msg);
    }
    return r;
}

static int path_id(const struct api_request *req, int64_t *id)
{
    const char *p = req->path_params[0];
    char *end = NULL;
    long long v;
    errno = 0;
    v = strtoll(p, &end, 10);
    if (errno != 0 || end == p || *end != '\0' || v <= 0)
        return ERR_NOT_FOUND;
    *id = v;
    return 0;
}

static json_t *council_json(const struct council_rec *c)
{
    return json_pack("{s:I, s:s, s:s, s:i, s:o, s:o}", "id", (json_int_t)c->id, "area_code",
                     c->area_code, "name", c->name, "min_cosigners", c->min_cosigners, "term_start",
                     time_or_null(c->term_start_ms), "term_end", time_or_null(c->term_end_ms));
}

/* The vote: totals only, once counted. */
static json_t *vote_json(const struct topic_rec *t)
{
    json_t *v = json_pack("{s:s, s:b}", "kind", t->vote_kind, "secret", t->is_secret);
    if (t->voted_ms <= 0) {
        json_object_set_new(v, "counted", json_false());
        return v;
    }
    json_object_set_new(v, "counted", json_true());
    json_object_set_new(v, "totals",
                        json_pack("{s:i, s:i, s:i, s:i, s:i}", "eligible", t->vote_eligible,
                                  "present", t->vote_present, "yes", t->vote_yes, "no", t->vote_no,
                                  "abstain", t->vote_abstain));
    json_object_set_new(v, "quorate", json_boolean(t->is_quorate));
    json_object_set_new(v, "passed", json_boolean(t->is_passed));
    json_object_set_new(v, "quorum_needed", json_integer(t->quorum_needed));
    json_object_set_new(v, "majority_needed", json_integer(t->majority_needed));
    json_object_set_new(v, "voted_at", time_or_null(t->voted_ms));
    return v;
}

static json_t *topic_json(const struct topic_rec *t)
{
    enum council_state st;
    json_t *j = json_pack("{s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)t->id,
                          "council_id", (json_int_t)t->council_id, "area_code", t->area_code,
                          "title", t->title, "description", t->description, "proposer", t->proposer,
                          "state", t->state, "published", t->is_published);
    if (council_state_parse(t->state, &st) == 0)
        json_object_set_new(j, "state_name", json_string(council_state_name_zh(st)));
    json_object_set_new(j, "cosigners", json_integer(t->cosigners));
    json_object_set_new(j, "opinions", json_integer(t->opinions));
    json_object_set_new(j, "tasks",
                        json_pack("{s:i, s:i}", "total", t->tasks, "open", t->open_tasks));
    json_object_set_new(j, "supervision_notes", json_integer(t->notes));
    json_object_set_new(j, "vote", vote_json(t));
    json_object_set_new(j, "case_id", t->case_id ? json_integer(t->case_id) : json_null());
    json_object_set_new(j, "created_at", time_or_null(t->created_ms));
    json_object_set_new(j, "updated_at", time_or_null(t->updated_ms));
    json_object_set_new(j, "done_at", time_or_null(t->done_ms));
    return j;
}

static json_t *tasks_json(struct service_ctx *svc, int64_t topic_id)
{
    struct topic_entry_list tasks;
    json_t *a = json_array();
    if (store_topic_entries(svc->st, TOPIC_ENTRY_TASK, topic_id, &tasks) != 0)
        return a;
    for (size_t i = 0; i < tasks.len; i++) {
        const struct topic_entry *e = &tasks.items[i];
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:o, s:o, s:b}", "id",
                                           (json_int_t)e->id, "what", e->text, "owner", e->owner,
                                           "due", time_or_null(e->due_ms), "done_at",
                                           time_or_null(e->done_ms), "done", e->done_ms > 0));
    }
    topic_entry_list_cleanup(&tasks);
    return a;
}

/* ---- councils ------------------------------------------------------------------------------ */

static int parse_members(json_t *arr, struct council_new *in, struct errbuf *eb)
{
    static const char *const allowed[] = {"name", "person_id", "user_id", "position", NULL};
    size_t i;
    json_t *o;
    int r;
    if (!json_is_array(arr) || json_array_size(arr) > COUNCILS_MEMBERS_IN_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'members' must be a list of at most %d members",
                          COUNCILS_MEMBERS_IN_MAX);
    json_array_foreach(arr, i, o)
    {
        struct council_member_in *m = &in->members[i];
        long long person = 0, user = 0;
        if (!json_is_object(o))
            return errbuf_set(eb, ERR_INVALID, "members[%zu] must be an object", i);
        if ((r = json_check_keys(o, allowed, eb)) != 0 ||
            (r = json_get_string(o, "name", 1, 63, &m->name, eb)) != 0 ||
            (r = json_get_int(o, "person_id", 0, 1, INT64_MAX, &person, NULL, eb)) != 0 ||
            (r = json_get_int(o, "user_id", 0, 1, INT64_MAX, &user, NULL, eb)) != 0 ||
            (r = json_get_string(o, "position", 1, 15, &m->position, eb)) != 0)
            return r;
        m->person_id = person;
        m->user_id = user;
        in->n_members++;
    }
    return 0;
}

int api_councils_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {
        "area_code", "name", "min_cosigners", "term_start", "term_end", "members", NULL};
    struct errbuf eb = {{0}};
    struct council_new in;
    struct council_rec c;
    const char *start = NULL, *end = NULL;
    long long min_cosigners = 0;
    json_t *body = NULL;
    int r;

    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "area_code", 1, 18, &in.area_code, &eb)) != 0 ||
        (r = json_get_string(body, "name", 1, 128, &in.name, &eb)) != 0 ||
        (r = json_get_int(body, "min_cosigners", 1, 1, COUNCIL_COSIGNERS_MAX, &min_cosigners, NULL,
                          &eb)) != 0 ||
        (r = json_get_string(body, "term_start", 1, 31, &start, &eb)) != 0 ||
        (r = json_get_string(body, "term_end", 1, 31, &end, &eb)) != 0)
        goto bad;
    if (time_parse_iso(start, &in.term_start_ms) != 0 ||
        time_parse_iso(end, &in.term_end_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "fields 'term_start' and 'term_end' must be dates");
        goto bad;
    }
    if (json_object_get(body, "members") == NULL) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'members' is required");
        goto bad;
    }
    if ((r = parse_members(json_object_get(body, "members"), &in, &eb)) != 0)
        goto bad;
    in.min_cosigners = (int)min_cosigners;
    in.now_ms = time_now_ms();
    if ((r = councils_create(req->svc, req->principal, &in, &c, &eb)) != 0)
        goto bad;
    json_decref(body);
    return api_reply_json(resp, 201, council_json(&c));
bad:
    json_decref(body);
    return api_reply_errbuf(resp, r, &eb);
}

int api_councils_list(struct api_request *req, struct api_response *resp)
{
    const char *area = api_query(req, "area");
    struct council_list list;
    json_t *items;
    int r;
    if (area && !areacode_is_valid(area))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'area' is not an area code");
    r = councils_list(req->svc, req->principal, area, &list);
    if (r == ERR_FORBIDDEN || r == ERR_UNAUTHORIZED)
        return api_reply_access(resp, r, area ? area : "");
    if (r != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < list.len; i++)
        json_array_append_new(items, council_json(&list.items[i]));
    council_list_cleanup(&list);
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_council_get(struct api_request *req, struct api_response *resp)
{
    struct council_rec c;
    struct council_member_list members;
    json_t *j, *a;
    int64_t id;
    int r;
    if ((r = path_id(req, &id)) != 0 || (r = councils_get(req->svc, req->principal, id, &c)) != 0)
        return reply_not_seen(resp, r, "council");
    if ((r = store_council_members(req->svc->st, id, &members)) != 0)
        return r;
    j = council_json(&c);
    a = json_array();
    for (size_t i = 0; i < members.len; i++) {
        const struct council_member_rec *m = &members.items[i];
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:o, s:o}", "id", (json_int_t)m->id,
                                           "name", m->name, "position", m->position, "term_start",
                                           time_or_null(m->term_start_ms), "term_end",
                                           time_or_null(m->term_end_ms)));
    }
    council_member_list_cleanup(&members);
    json_object_set_new(j, "members", a);
    return api_reply_json(resp, 200, j);
}

/* ---- topics -------------------------------------------------------------------------------- */

int api_council_topics_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"title",  "description", "proposer", "vote_kind",
                                          "secret", "case_id",     NULL};
    struct errbuf eb = {{0}};
    struct topic_new in;
    struct topic_rec *t = calloc(1, sizeof(*t));
    long long case_id = 0;
    json_t *body = NULL, *secret;
    int64_t id;
    int r;

    if (t == NULL)
        return ERR_INTERNAL;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0) {
        free(t);
        return 0;
    }
    if ((r = json_get_string(body, "title", 1, 128, &in.title, &eb)) != 0 ||
        (r = json_get_string(body, "description", 0, DISPUTE_REC_TEXT_MAX, &in.description, &eb)) !=
            0 ||
        (r = json_get_string(body, "proposer", 1, 15, &in.proposer, &eb)) != 0 ||
        (r = json_get_string(body, "vote_kind", 0, 15, &in.vote_kind, &eb)) != 0 ||
        (r = json_get_int(body, "case_id", 0, 1, INT64_MAX, &case_id, NULL, &eb)) != 0)
        goto bad;
    secret = json_object_get(body, "secret");
    if (secret != NULL && !json_is_boolean(secret)) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'secret' must be true or false");
        goto bad;
    }
    in.is_secret = json_is_true(secret);
    in.case_id = case_id;
    in.now_ms = time_now_ms();
    if ((r = path_id(req, &id)) != 0) {
        r = reply_not_seen(resp, r, "council");
        goto out;
    }
    r = councils_propose(req->svc, req->principal, id, &in, t, &eb);
    if ((r == ERR_NOT_FOUND || r == ERR_FORBIDDEN) && eb.msg[0] == '\0') {
        r = reply_not_seen(resp, r, "council");
        goto out;
    }
    if (r != 0)
        goto bad;
    r = api_reply_json(resp, 201, topic_json(t));
    goto out;
bad:
    r = api_reply_errbuf(resp, r, &eb);
out:
    json_decref(body);
    free(t);
    return r;
}

int api_council_topics_list(struct api_request *req, struct api_response *resp)
{
    struct topic_filter f;
    struct topic_list list;
    struct council_rec c;
    enum council_state st;
    long limit, cursor;
    json_t *items, *j;
    int64_t id;
    int r;

    memset(&f, 0, sizeof(f));
    if ((r = path_id(req, &id)) != 0 || (r = councils_get(req->svc, req->principal, id, &c)) != 0)
        return reply_not_seen(resp, r, "council");
    f.council_id = id;
    f.area = c.area_code;
    f.state = api_query(req, "state");
    if (f.state && council_state_parse(f.state, &st) != 0)
        return api_reply_error(resp, ERR_INVALID, "query parameter 'state' is not a topic state");
    if (api_query_int(req, resp, "limit", 1, COUNCILS_PAGE_MAX, 50, &limit) != 0 ||
        api_query_int(req, resp, "cursor", 1, INT64_MAX, 0, &cursor) != 0)
        return 0;
    f.limit = (int)limit;
    f.before_id = cursor;
    r = councils_topic_list(req->svc, req->principal, &f, &list);
    if (r == ERR_FORBIDDEN || r == ERR_UNAUTHORIZED)
        return api_reply_access(resp, r, c.area_code);
    if (r != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < list.len; i++)
        json_array_append_new(items, topic_json(&list.items[i]));
    j = json_pack("{s:o}", "items", items);
    json_object_set_new(j, "next_cursor",
                        list.len == (size_t)f.limit
                            ? json_sprintf("%lld", (long long)list.items[list.len - 1].id)
                            : json_null());
    topic_list_cleanup(&list);
    return api_reply_json(resp, 200, j);
}

static json_t *allowed_json(unsigned mask)
{
    json_t *a = json_array();
    for (int i = 0; i < COUNCIL_ACTION_COUNT; i++)
        if (mask & COUNCIL_ACTION_BIT(i))
            json_array_append_new(a, json_string(council_action_name((enum council_action)i)));
    return a;
}

int api_council_topic_get(struct api_request *req, struct api_response *resp)
{
    struct topic_rec *t = calloc(1, sizeof(*t));
    struct topic_entry_list opinions = {0}, notes = {0};
    int is_staff;
    json_t *j, *a;
    int64_t id;
    int r;

    if (t == NULL)
        return ERR_INTERNAL;
    if ((r = path_id(req, &id)) != 0 ||
        (r = councils_topic_get(req->svc, req->principal, id, t)) != 0) {
        free(t);
        return reply_not_seen(resp, r, "topic");
    }
    j = topic_json(t);
    json_object_set_new(j, "execution", tasks_json(req->svc, id));
    is_staff = access_check(req->principal, CAP_COUNCIL_READ, t->area_code) == 0;
    if (is_staff) {
        if ((r = store_topic_entries(req->svc->st, TOPIC_ENTRY_OPINION, id, &opinions)) != 0 ||
            (r = store_topic_entries(req->svc->st, TOPIC_ENTRY_NOTE, id, &notes)) != 0) {
            json_decref(j);
            goto out;
        }
        a = json_array();
        for (size_t i = 0; i < opinions.len; i++)
            json_array_append_new(
                a, json_pack("{s:o, s:o, s:s, s:s, s:o}", "member_id",
                             opinions.items[i].member_id ? json_integer(opinions.items[i].member_id)
                                                         : json_null(),
                             "household_id",
                             opinions.items[i].household_id
                                 ? json_integer(opinions.items[i].household_id)
                                 : json_null(),
                             "stance", opinions.items[i].stance, "opinion", opinions.items[i].text,
                             "at", time_or_null(opinions.items[i].at_ms)));
        json_object_set_new(j, "consultation", a);
        a = json_array();
        for (size_t i = 0; i < notes.len; i++)
            json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "kind", notes.items[i].stance,
                                               "text", notes.items[i].text, "at",
                                               time_or_null(notes.items[i].at_ms)));
        json_object_set_new(j, "supervision", a);
    }
    json_object_set_new(
        j, "allowed_actions",
        allowed_json(councils_topic_allowed(req->svc, req->principal, t, time_now_ms())));
    r = api_reply_json(resp, 200, j);
out:
    topic_entry_list_cleanup(&opinions);
    topic_entry_list_cleanup(&notes);
    free(t);
    return r;
}

int api_council_topic_act(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {
        "action", "text",    "reason",  "stance", "member_id", "household_id", "owner",
        "due",    "task_id", "present", "yes",    "no",        "abstain",      NULL};
    struct errbuf eb = {{0}};
    struct topic_action_in in;
    struct topic_rec *t = calloc(1, sizeof(*t));
    const char *action = NULL, *due = NULL;
    long long member = 0, household = 0, task = 0, present = 0, yes = 0, no = 0, abstain = 0;
    json_t *body = NULL, *j;
    int64_t id;
    int r;

    if (t == NULL)
        return ERR_INTERNAL;
    memset(&in, 0, sizeof(in));
    if (api_body_object(req, resp, allowed, &body) != 0) {
        free(t);
        return 0;
    }
    if ((r = json_get_string(body, "action", 1, 31, &action, &eb)) != 0 ||
        (r = json_get_string(body, "text", 0, COUNCIL_TEXT_MAX, &in.text, &eb)) != 0 ||
        (r = json_get_string(body, "reason", 0, COUNCIL_TEXT_MAX, &in.reason, &eb)) != 0 ||
        (r = json_get_string(body, "stance", 0, 15, &in.stance, &eb)) != 0 ||
        (r = json_get_int(body, "member_id", 0, 1, INT64_MAX, &member, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "household_id", 0, 1, INT64_MAX, &household, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "owner", 0, 63, &in.owner, &eb)) != 0 ||
        (r = json_get_string(body, "due", 0, 31, &due, &eb)) != 0 ||
        (r = json_get_int(body, "task_id", 0, 1, INT64_MAX, &task, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "present", 0, 0, 100000000, &present, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "yes", 0, 0, 100000000, &yes, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "no", 0, 0, 100000000, &no, NULL, &eb)) != 0 ||
        (r = json_get_int(body, "abstain", 0, 0, 100000000, &abstain, NULL, &eb)) != 0)
        goto bad;
    if (council_action_parse(action, &in.action) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "unknown action '%.32s'", action);
        goto bad;
    }
    if (due != NULL && time_parse_iso(due, &in.due_ms) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'due' must be a date YYYY-MM-DD");
        goto bad;
    }
    in.member_id = member;
    in.household_id = household;
    in.task_id = task;
    in.present = (int)present;
    in.yes = (int)yes;
    in.no = (int)no;
    in.abstain = (int)abstain;
    in.now_ms = time_now_ms();
    if ((r = path_id(req, &id)) != 0) {
        r = reply_not_seen(resp, r, "topic");
        goto out;
    }
    r = councils_topic_act(req->svc, req->principal, id, &in, t, &eb);
    if ((r == ERR_NOT_FOUND || r == ERR_FORBIDDEN) && eb.msg[0] == '\0') {
        r = reply_not_seen(resp, r, "topic");
        goto out;
    }
    if (r == ERR_CONFLICT) {
        r = api_reply_error(resp, r, "the topic changed meanwhile; reload and try again");
        goto out;
    }
    if (r != 0)
        goto bad;
    j = topic_json(t);
    json_object_set_new(
        j, "allowed_actions",
        allowed_json(councils_topic_allowed(req->svc, req->principal, t, in.now_ms)));
    r = api_reply_json(resp, 200, j);
    goto out;
bad:
    r = api_reply_errbuf(resp, r, &eb);
out:
    json_decref(body);
    free(t);
    return r;
}

int api_council_meeting(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"place", "at", "present", NULL};
    struct errbuf eb = {{0}};
    int64_t ids[MEETING_PRESENT_MAX], at = 0, id;
    const char *place = NULL, *at_s = NULL;
    json_t *body = NULL, *present, *v;
    size_t i, n = 0;
    int r;

    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "place", 0, 128, &place, &eb)) != 0 ||
        (r = json_get_string(body, "at", 0, 31, &at_s, &eb)) != 0)
        goto bad;
    if (at_s != NULL && time_parse_iso(at_s, &at) != 0) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'at' must be a date or an ISO time");
        goto bad;
    }
    present = json_object_get(body, "present");
    if (!json_is_array(present) || json_array_size(present) > MEETING_PRESENT_MAX) {
        r = errbuf_set(&eb, ERR_INVALID, "field 'present' must be a list of member ids");
        goto bad;
    }
    json_array_foreach(present, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            r = errbuf_set(&eb, ERR_INVALID, "field 'present' must be a list of member ids");
            goto bad;
        }
        ids[n++] = json_integer_value(v);
    }
    if ((r = path_id(req, &id)) != 0) {
        json_decref(body);
        return reply_not_seen(resp, r, "topic");
    }
    r = councils_meeting(req->svc, req->principal, id, at > 0 ? at : time_now_ms(), place, ids, n,
                         &eb);
    json_decref(body);
    if ((r == ERR_NOT_FOUND || r == ERR_FORBIDDEN) && eb.msg[0] == '\0')
        return reply_not_seen(resp, r, "topic");
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    return api_reply_json(resp, 201,
                          json_pack("{s:I, s:i}", "topic_id", (json_int_t)id, "present", (int)n));
bad:
    json_decref(body);
    return api_reply_errbuf(resp, r, &eb);
}

int api_council_ballot(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"member_id", "choice", NULL};
    struct errbuf eb = {{0}};
    const char *choice = NULL;
    long long member = 0;
    json_t *body = NULL;
    int64_t id;
    int r;

    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_int(body, "member_id", 0, 1, INT64_MAX, &member, NULL, &eb)) != 0 ||
        (r = json_get_string(body, "choice", 1, 15, &choice, &eb)) != 0) {
        json_decref(body);
        return api_reply_errbuf(resp, r, &eb);
    }
    if ((r = path_id(req, &id)) != 0) {
        json_decref(body);
        return reply_not_seen(resp, r, "topic");
    }
    r = councils_ballot(req->svc, req->principal, id, member, choice, time_now_ms(), &eb);
    json_decref(body);
    if ((r == ERR_NOT_FOUND || r == ERR_FORBIDDEN) && eb.msg[0] == '\0')
        return reply_not_seen(resp, r, "topic");
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    /* The answer never repeats the choice: a ballot is not shown once cast. */
    return api_reply_json(resp, 201, json_pack("{s:b}", "recorded", 1));
}

int api_council_topic_events(struct api_request *req, struct api_response *resp)
{
    struct topic_rec *t = calloc(1, sizeof(*t));
    struct gov_event_list events;
    json_t *items;
    int64_t id;
    int r;

    if (t == NULL)
        return ERR_INTERNAL;
    if ((r = path_id(req, &id)) != 0 ||
        (r = councils_topic_get(req->svc, req->principal, id, t)) != 0) {
        free(t);
        return reply_not_seen(resp, r, "topic");
    }
    r = access_check(req->principal, CAP_COUNCIL_READ, t->area_code);
    free(t);
    if (r != 0)
        return reply_not_seen(resp, ERR_FORBIDDEN, "topic");
    if ((r = store_topic_events(req->svc->st, id, &events)) != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < events.len; i++) {
        const struct gov_event *e = &events.items[i];
        json_t *payload = json_loads(e->payload, 0, NULL);
        json_array_append_new(items, json_pack("{s:I, s:o, s:s, s:s, s:s, s:s, s:o}", "seq",
                                               (json_int_t)e->seq, "at", time_or_null(e->at_ms),
                                               "actor_role", e->actor_role, "action", e->action,
                                               "from", e->from_state, "to", e->to_state, "payload",
                                               payload ? payload : json_object()));
    }
    gov_event_list_cleanup(&events);
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_council_decision(struct api_request *req, struct api_response *resp)
{
    struct topic_rec *t = calloc(1, sizeof(*t));
    struct council_rec c;
    json_t *j;
    int64_t id;

    if (t == NULL)
        return ERR_INTERNAL;
    if (path_id(req, &id) != 0 || councils_decision(req->svc, id, t) != 0) {
        free(t);
        return api_reply_error(resp, ERR_NOT_FOUND, "no such published decision");
    }
    j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:o}", "id", (json_int_t)t->id, "area_code",
                  t->area_code, "title", t->title, "description", t->description, "state", t->state,
                  "vote", vote_json(t));
    {
        enum council_state st;
        if (council_state_parse(t->state, &st) == 0)
            json_object_set_new(j, "state_name", json_string(council_state_name_zh(st)));
    }
    if (store_council_get(req->svc->st, t->council_id, &c) == 0)
        json_object_set_new(j, "council", json_string(c.name));
    json_object_set_new(j, "execution",
                        json_pack("{s:i, s:i, s:o, s:o}", "tasks_total", t->tasks, "tasks_open",
                                  t->open_tasks, "tasks", tasks_json(req->svc, id), "done_at",
                                  time_or_null(t->done_ms)));
    json_object_set_new(j, "signed_off", json_boolean(t->done_ms > 0));
    free(t);
    return api_reply_json(resp, 200, j);
}
