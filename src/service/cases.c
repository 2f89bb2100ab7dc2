/*
 * cases.c - reporting, acting on, reading and sweeping cases (see cases.h).
 *
 * The step clock: the state a case is in decides which step's deadline runs —
 *   reported, reopened -> accept;  accepted -> dispatch;  dispatched, rework -> sign;
 *   in_progress -> handle;  handled -> verify;  anything else -> no deadline.
 * Whenever an action changes the state or the queue level (escalation), the step restarts at
 * that moment with the limit of the deadline rules (category × urgency × step × level), so the
 * unit that now holds the case gets its full time. An approved extension moves the running
 * deadline by the granted working days. The sweep looks at a case again at sweep_at_ms, the
 * first instant its overdue stage can rise; acting records the stage, so a second sweep at the
 * same time does nothing.
 */
#include "service/cases.h"

#include "base/jsonutil.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/idcard.h"
#include "domain/routing.h"
#include "domain/taxonomy.h"
#include "service/areas.h"
#include "service/basedata.h"
#include "service/context.h"
#include "service/history.h"
#include "service/rollups.h"
#include "service/patrols.h"
#include "service/rules.h"
#include "service/volunteers.h"
#include "service/writer.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS            (24LL * 3600 * 1000)
#define DUPLICATE_WINDOW  (7 * DAY_MS)
#define DUPLICATE_DEGREES 0.002 /* about 200 m at Foshan's latitude */
#define SWEEP_BATCH       500

static const char *const channels[] = {
    "web",          "phone",          "open311", "patrol", "visit",
    "office_hours", "building_chief", "council", "app",    NULL,
};

int cases_channel_is_valid(const char *name)
{
    for (const char *const *c = channels; *c; c++)
        if (name && strcmp(*c, name) == 0)
            return 1;
    return 0;
}

/* ---- units -------------------------------------------------------------------------------- */

int cases_unit_is_known(const struct case_rules *rules, const char *unit)
{
    if (!taxonomy_unit_code_is_valid(unit))
        return 0;
    if (taxonomy_department_name(unit, "en") != NULL)
        return 1;
    for (size_t i = 0; i < taxonomy_count(rules->tax); i++)
        if (strcmp(taxonomy_at(rules->tax, i)->department, unit) == 0)
            return 1;
    for (size_t i = 0; i < routing_count(rules->routing); i++)
        if (strcmp(routing_at(rules->routing, i)->unit, unit) == 0)
            return 1;
    return 0;
}

/* ---- visibility ------------------------------------------------------------------------- */

/* Visibility from the three fields it depends on (cases_can_see, cases_can_see_near). */
static int can_see(const struct principal *p, int64_t reporter_user_id, const char *area_code,
                   const char *department)
{
    if (p == NULL)
        return 0;
    if (p->role == ROLE_RESIDENT)
        return reporter_user_id != 0 && reporter_user_id == p->user_id;
    if (access_check(p, CAP_CASE_READ, area_code) != 0)
        return 0;
    if (p->role == ROLE_DEPARTMENT_HANDLER)
        return department[0] != '\0' && strcmp(department, p->department) == 0;
    return 1;
}

int cases_can_see(const struct principal *p, const struct case_rec *c)
{
    return can_see(p, c->reporter_user_id, c->area_code, c->department);
}

int cases_can_see_near(const struct principal *p, const struct case_near *c)
{
    return can_see(p, c->reporter_user_id, c->area_code, c->department);
}

int cases_show_reporter(const struct principal *p, const struct case_rec *c)
{
    if (p == NULL)
        return 0;
    if (p->role == ROLE_RESIDENT)
        return c->reporter_user_id == p->user_id;
    return !c->is_anonymous && cases_can_see(p, c);
}

static int seal_reporter_phone(struct service_ctx *ctx, const char *typed, struct case_rec *c,
                               struct errbuf *eb);

int cases_reporter_phone(struct service_ctx *ctx, const struct case_rec *c, char **out,
                         struct errbuf *eb)
{
    const struct secret_key *key;
    int r;
    *out = NULL;
    if (c->reporter_phone[0] == '\0')
        return 0;
    if (strncmp(c->reporter_phone, "v1:", 3) != 0) { /* stored before encryption existed */
        *out = xstrdup(c->reporter_phone);
        return 0;
    }
    if ((r = service_ctx_key(ctx, &key, eb)) != 0)
        return r;
    if (secret_decrypt(key, c->reporter_phone, CASES_PHONE_CONTEXT, out) != 0)
        return errbuf_set(eb, ERR_INTERNAL, "the reporter's phone cannot be decrypted");
    return 0;
}

int cases_reveal_reporter_phone(struct service_ctx *ctx, const struct principal *p,
                                const struct case_rec *c, const char *reason, int64_t now_ms,
                                char **out, struct errbuf *eb)
{
    int r;
    *out = NULL;
    /* Checked before anything is decrypted. */
    if ((r = basedata_check_reason(reason, eb)) != 0)
        return r;
    if (p == NULL || !access_role_has(p->role, CAP_PERSON_PII) || !cases_show_reporter(p, c))
        return errbuf_set(eb, ERR_FORBIDDEN, "your role may not see the reporter's phone");
    if ((r = cases_reporter_phone(ctx, c, out, eb)) != 0 || *out == NULL)
        return r;
    if ((r = basedata_log_access(ctx, p, "case", c->id, c->area_code, "reporter_phone", reason,
                                 now_ms, eb)) != 0) {
        secret_plaintext_free(*out);
        *out = NULL;
    }
    return r;
}

struct plain_phone_walk {
    struct service_ctx *ctx;
    int64_t count;
    struct errbuf *eb;
};

static int encrypt_plain_phone(void *arg, int64_t id, const char *phone)
{
    struct plain_phone_walk *w = arg;
    struct case_rec c;
    int r;
    memset(&c, 0, sizeof(c));
    if ((r = seal_reporter_phone(w->ctx, phone, &c, w->eb)) != 0)
        return r;
    if ((r = store_case_set_reporter_phone(w->ctx->st, id, c.reporter_phone,
                                           c.reporter_phone_masked)) != 0)
        return errbuf_set(w->eb, r, "cannot store the encrypted phone of case %lld", (long long)id);
    w->count++;
    return 0;
}

int cases_encrypt_plain_phones(struct service_ctx *ctx, int64_t *count, struct errbuf *eb)
{
    struct plain_phone_walk w = {ctx, 0, eb};
    int r;
    *count = 0;
    for (;;) {
        int64_t before = w.count;
        if ((r = store_begin(ctx->st)) != 0)
            return errbuf_set(eb, r, "cannot start a transaction");
        if ((r = store_case_plain_phones(ctx->st, 1000, encrypt_plain_phone, &w)) == 0)
            r = store_commit(ctx->st);
        else
            store_rollback(ctx->st);
        if (r != 0)
            return errbuf_set(eb, r, "cannot encrypt the reporters' phones");
        if (w.count == before)
            break;
    }
    *count = w.count;
    return 0;
}

/* The reporter's phone, normalised when it is a Chinese number (kept as typed otherwise: an
 * Open311 client abroad), encrypted into c->reporter_phone with its masked form. */
static int seal_reporter_phone(struct service_ctx *ctx, const char *typed, struct case_rec *c,
                               struct errbuf *eb)
{
    const struct secret_key *key;
    char phone[PHONE_BUF], *sealed = NULL;
    int r;
    if (phone_validate(typed, phone, NULL) != 0)
        snprintf(phone, sizeof(phone), "%s", typed);
    if ((r = service_ctx_key(ctx, &key, eb)) != 0)
        return r;
    if (secret_encrypt(key, phone, CASES_PHONE_CONTEXT, &sealed) != 0 ||
        strlen(sealed) >= sizeof(c->reporter_phone)) {
        free(sealed);
        return errbuf_set(eb, ERR_INTERNAL, "cannot encrypt the reporter's phone");
    }
    memcpy(c->reporter_phone, sealed, strlen(sealed) + 1);
    free(sealed);
    mask_phone(phone, c->reporter_phone_masked, sizeof(c->reporter_phone_masked));
    sodium_memzero(phone, sizeof(phone));
    return 0;
}

/* ---- the step clock ----------------------------------------------------------------------- */

static int step_of_state(enum case_state s, enum case_step *out)
{
    switch (s) {
    case CASE_STATE_REPORTED:
    case CASE_STATE_REOPENED:
        *out = STEP_ACCEPT;
        return 1;
    case CASE_STATE_ACCEPTED:
        *out = STEP_DISPATCH;
        return 1;
    case CASE_STATE_DISPATCHED:
    case CASE_STATE_REWORK:
        *out = STEP_SIGN;
        return 1;
    case CASE_STATE_IN_PROGRESS:
        *out = STEP_HANDLE;
        return 1;
    case CASE_STATE_HANDLED:
        *out = STEP_VERIFY;
        return 1;
    default:
        return 0;
    }
}

/* A category's own limit for a step, if it has one (response for accept, resolution for
 * handle), in deadline.h's terms. */
static int category_limit(const struct category *cat, enum urgency u, enum case_step step,
                          struct time_limit *out)
{
    if (cat == NULL)
        return 0;
    if (step == STEP_ACCEPT) {
        out->amount = cat->response_minutes[u];
        out->unit = LIMIT_WORKING_MINUTES;
        return out->amount > 0;
    }
    if (step == STEP_HANDLE) {
        const struct taxonomy_limit *l = &cat->resolve[u];
        if (l->unit == 'h') {
            out->amount = l->amount * 60;
            out->unit = LIMIT_WORKING_MINUTES;
        } else {
            out->amount = l->amount;
            out->unit = LIMIT_WORKING_DAYS;
        }
        return out->amount > 0;
    }
    return 0;
}

/* Restart the step clock of c (in its current state and queue level) at now. */
static int start_step(const struct case_rules *rules, struct case_rec *c, int64_t now)
{
    enum case_state state;
    enum case_step step;
    enum urgency u = URGENCY_NORMAL;
    struct time_limit lim, own;
    const struct category *cat;
    int r, has_own;

    c->step[0] = '\0';
    c->step_started_ms = 0;
    c->due_ms = 0;
    c->sweep_at_ms = 0;
    c->overdue_stage = 0;
    if (workflow_state_parse(c->status, &state) != 0 || !step_of_state(state, &step))
        return 0;
    deadline_urgency_parse(c->urgency, &u);
    cat = taxonomy_find(rules->tax, c->category);
    has_own = category_limit(cat, u, step, &own);
    r = deadline_rules_lookup(rules->deadlines, c->category, u, step, c->queue_level,
                              areacode_is_village(c->area_code), has_own ? &own : NULL, &lim);
    if (r != 0)
        return r;
    if ((r = deadline_compute(rules->cal, now, &lim, &c->due_ms)) != 0)
        return r;
    snprintf(c->step, sizeof(c->step), "%s", deadline_step_name(step));
    c->step_started_ms = now;
    c->sweep_at_ms = c->due_ms + 1;
    return 0;
}

/* The unit the running step's limit is counted in (for overdue stages). */
static enum limit_unit step_unit(const struct case_rules *rules, const struct case_rec *c)
{
    enum case_step step;
    enum urgency u = URGENCY_NORMAL;
    struct time_limit lim, own;
    const struct category *cat;
    int has_own;
    if (deadline_step_parse(c->step, &step) != 0)
        return LIMIT_WORKING_MINUTES;
    deadline_urgency_parse(c->urgency, &u);
    cat = taxonomy_find(rules->tax, c->category);
    has_own = category_limit(cat, u, step, &own);
    if (deadline_rules_lookup(rules->deadlines, c->category, u, step, c->queue_level,
                              areacode_is_village(c->area_code), has_own ? &own : NULL, &lim) != 0)
        return LIMIT_WORKING_MINUTES;
    return lim.unit;
}

/* The first instant after now at which the case's overdue stage rises above `stage`; 0 when
 * it never will (it has escalated). */
static int64_t next_stage_at(const struct case_rules *rules, const struct case_rec *c,
                             enum limit_unit unit, enum overdue_stage stage, int64_t now)
{
    int64_t at = 0;
    if (stage >= STAGE_ESCALATE)
        return 0;
    if (deadline_stage_starts_at(rules->cal, unit, c->step_started_ms, c->due_ms, stage + 1, &at) !=
        0)
        return 0;
    return at > now ? at : now + 60LL * 1000;
}

/* ---- events and notifications ------------------------------------------------------------- */

/* Append the next event of c (chained to c->last_hash) with its payload JSON text, and advance
 * c's event count and hash. */
static int append_event_text(struct store *st, struct case_rec *c, const struct principal *p,
                             const char *actor_role, const char *action, const char *from,
                             const char *payload, int64_t now)
{
    struct case_event e;
    int r;
    memset(&e, 0, sizeof(e));
    e.case_id = c->id;
    e.seq = c->event_seq + 1;
    e.at_ms = now;
    e.actor_user_id = p ? p->user_id : 0;
    snprintf(e.actor_role, sizeof(e.actor_role), "%s", actor_role);
    snprintf(e.action, sizeof(e.action), "%s", action);
    snprintf(e.from_state, sizeof(e.from_state), "%s", from);
    snprintf(e.to_state, sizeof(e.to_state), "%s", c->status);
    e.payload = (char *)payload; /* borrowed for the call */
    snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", c->last_hash);
    history_event_hash(&e, e.hash);
    r = store_case_event_append(st, &e);
    if (r == 0) {
        c->event_seq = e.seq;
        snprintf(c->last_hash, sizeof(c->last_hash), "%s", e.hash);
    }
    return r;
}

/* append_event_text with the payload as JSON (dumped with sorted keys). */
static int append_event(struct store *st, struct case_rec *c, const struct principal *p,
                        const char *actor_role, const char *action, const char *from,
                        json_t *payload, int64_t now)
{
    char *text = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    int r;
    if (text == NULL)
        return ERR_INTERNAL;
    r = append_event_text(st, c, p, actor_role, action, from, text, now);
    free(text);
    return r;
}

/* Queue the notification of c's latest event for the given audiences. */
static int queue_notice(struct store *st, const struct case_rec *c, const char *action,
                        int to_reporter, int to_unit, int to_queue, int64_t now)
{
    struct outbox_msg m;
    json_t *audience = json_array(), *body;
    char due[32] = "";
    int r;
    if (to_reporter && c->reporter_user_id)
        json_array_append_new(audience, json_string("reporter"));
    if (to_unit && c->department[0])
        json_array_append_new(audience, json_string("unit"));
    if (to_queue)
        json_array_append_new(audience, json_string("queue"));
    if (json_array_size(audience) == 0) {
        json_decref(audience);
        return 0;
    }
    if (c->due_ms)
        time_format_iso(c->due_ms, due, sizeof(due));
    body =
        json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s?, s:I, s:o}", "case", c->number,
                  "action", action, "status", c->status, "area_code", c->area_code, "department",
                  c->department, "queue_level", c->queue_level, "category", c->category, "due_at",
                  due[0] ? due : NULL, "event", (json_int_t)c->event_seq, "audience", audience);
    memset(&m, 0, sizeof(m));
    snprintf(m.idempotency_key, sizeof(m.idempotency_key), "case-%s-event-%lld", c->number,
             (long long)c->event_seq);
    snprintf(m.topic, sizeof(m.topic), "case.%s", action);
    m.payload = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    m.created_ms = now;
    m.next_attempt_ms = now;
    r = m.payload ? store_outbox_insert(st, &m) : ERR_INTERNAL;
    free(m.payload);
    return r;
}

/* ---- reporting ---------------------------------------------------------------------------- */

static int check_report(const struct principal *p, const struct case_report *in, struct errbuf *eb)
{
    size_t n;
    if (!cases_channel_is_valid(in->channel))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'channel' must be one of web, phone, open311, "
                          "patrol, visit, office_hours, building_chief, "
                          "council, app");
    if ((p == NULL || p->role == ROLE_RESIDENT) && strcmp(in->channel, "web") != 0 &&
        strcmp(in->channel, "app") != 0 && strcmp(in->channel, "open311") != 0)
        return errbuf_set(eb, ERR_FORBIDDEN,
                          "residents report through the web form, the app or Open311");
    if (in->description == NULL || (n = strlen(in->description)) == 0)
        return errbuf_set(eb, ERR_INVALID, "field 'description' is required");
    if (n > CASE_TEXT_MAX || !utf8_is_clean_text(in->description, n))
        return errbuf_set(eb, ERR_INVALID, "field 'description' must be text of at most %d bytes",
                          CASE_TEXT_MAX);
    if (in->urgency && in->urgency[0]) {
        enum urgency u;
        if (deadline_urgency_parse(in->urgency, &u) != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "field 'urgency' must be normal, urgent or emergency");
    }
    if (in->has_point &&
        (!isfinite(in->lon) || !isfinite(in->lat) || fabs(in->lon) > 180 || fabs(in->lat) > 90))
        return errbuf_set(eb, ERR_INVALID, "fields 'lon' and 'lat' must be WGS84 degrees");
    if (!in->has_point && (in->area_code == NULL || !areacode_is_valid(in->area_code)))
        return errbuf_set(eb, ERR_INVALID,
                          "give either 'lon' and 'lat' or a valid 'area_code' for the case");
    if (in->address &&
        (strlen(in->address) > 255 || !utf8_is_clean_text(in->address, strlen(in->address))))
        return errbuf_set(eb, ERR_INVALID, "field 'address' must be text of at most 255 bytes");
    if (in->reporter_name && strlen(in->reporter_name) > 63)
        return errbuf_set(eb, ERR_INVALID, "field 'reporter_name' is too long");
    if (in->reporter_phone && in->reporter_phone[0]) {
        size_t len = strlen(in->reporter_phone);
        if (len < 5 || len > 20 || strspn(in->reporter_phone, "+-0123456789 ") != len)
            return errbuf_set(eb, ERR_INVALID, "field 'reporter_phone' is not a phone number");
    }
    if (in->n_attachments < 0 || in->n_attachments > CASES_MAX_ATTACHMENTS)
        return errbuf_set(eb, ERR_INVALID, "at most %d attachments", CASES_MAX_ATTACHMENTS);
    return 0;
}

/*
 * A report is prepared on the caller's thread (validation, point location, access checks,
 * the phone's encryption, deadlines, the event payload, the notice's JSON, the roll-up delta:
 * everything that reads or computes) and then written (serial number, rows, hash-chained
 * event, outbox row, roll-ups) in one transaction -- on the single writer when there is one,
 * so that the writer only binds and steps statements.
 */
struct report_prep {
    const struct principal *p;
    const struct case_report *in;
    struct case_rec c;             /* everything but id and number; description borrowed */
    char day[16];                  /* the city-time date of the report, YYYYMMDD */
    char *event_payload;           /* owned: the report event's payload JSON */
    char *notice_head;             /* owned: the notice JSON up to the case number ... */
    char *notice_tail;             /* owned: ... and after it (NULL: no notice) */
    struct rollup_counters rollup; /* the report's roll-up delta */
    struct errbuf *eb;
};

static void report_prep_cleanup(struct report_prep *rp)
{
    free(rp->event_payload);
    free(rp->notice_head);
    free(rp->notice_tail);
    rp->event_payload = rp->notice_head = rp->notice_tail = NULL;
}

/* The notification of a new report for the queue, as queue_notice would build it, split
 * around the case number (which only the writer knows): the body is dumped with an empty
 * "case" that the writer fills in. Keys are sorted and every string is escaped, so the
 * first `"case":""` is that member. */
static int prepare_notice(struct report_prep *rp)
{
    const struct case_rec *c = &rp->c;
    char due[32] = "";
    char *text, *hole;
    static const char marker[] = "\"case\":\"\"";
    json_t *body;
    if (c->due_ms)
        time_format_iso(c->due_ms, due, sizeof(due));
    body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:i, s:s, s:s?, s:I, s:[s]}", "case", "", "action",
                     "report", "status", c->status, "area_code", c->area_code, "department",
                     c->department, "queue_level", c->queue_level, "category", c->category,
                     "due_at", due[0] ? due : NULL, "event", (json_int_t)1, "audience", "queue");
    if (body == NULL)
        return ERR_INTERNAL;
    text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(body);
    if (text == NULL || (hole = strstr(text, marker)) == NULL) {
        free(text);
        return ERR_INTERNAL;
    }
    rp->notice_tail = xstrdup(hole + sizeof(marker) - 2); /* from the closing quote on */
    hole[sizeof(marker) - 2] = '\0';                      /* up to the opening quote */
    rp->notice_head = text;
    return 0;
}

/* Everything about a report that reads or computes, on ctx (the caller's thread). */
static int report_prepare(struct service_ctx *ctx, struct report_prep *rp)
{
    const struct principal *p = rp->p;
    const struct case_report *in = rp->in;
    struct errbuf *eb = rp->eb;
    struct case_rec *c = &rp->c;
    const struct case_rules *rules;
    struct area_path path;
    int y, m, d, level, r;
    json_t *payload;

    if ((r = check_report(p, in, eb)) != 0)
        return r;
    if ((r = rules_get(ctx, &rules)) != 0)
        return r;
    if (taxonomy_find(rules->tax, in->category ? in->category : "") == NULL)
        return errbuf_set(eb, ERR_INVALID, "field 'category' is not a known category code");

    /* Where: the deepest area containing the point, or the area given. */
    if (in->has_point) {
        r = areas_locate(ctx, in->lon, in->lat, &path);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, ERR_NOT_FOUND, "the point lies outside every area");
        if (r != 0)
            return r;
        snprintf(c->area_code, sizeof(c->area_code), "%s", path.items[path.len - 1].code);
        c->lon = in->lon;
        c->lat = in->lat;
        c->has_location = 1;
    } else {
        int exists = 0;
        if ((r = store_area_exists(ctx->st, in->area_code, &exists)) != 0)
            return r;
        if (!exists)
            return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", in->area_code);
        snprintf(c->area_code, sizeof(c->area_code), "%s", in->area_code);
    }
    if (p != NULL && p->role != ROLE_RESIDENT &&
        access_check(p, CAP_CASE_REPORT, c->area_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user may not report cases in area %s",
                          c->area_code);
    level = areacode_level(c->area_code);
    if (level < AREA_DISTRICT)
        return errbuf_set(eb, ERR_INVALID, "a case must lie in a district or below");

    snprintf(c->category, sizeof(c->category), "%s", in->category);
    snprintf(c->channel, sizeof(c->channel), "%s", in->channel);
    snprintf(c->urgency, sizeof(c->urgency), "%s",
             in->urgency && in->urgency[0] ? in->urgency : "normal");
    snprintf(c->status, sizeof(c->status), "%s", workflow_state_name(CASE_STATE_REPORTED));
    c->queue_level = level > AREA_GRID ? AREA_GRID : level;
    c->description = (char *)in->description;
    snprintf(c->address, sizeof(c->address), "%s", in->address ? in->address : "");
    c->reporter_user_id = p && p->role == ROLE_RESIDENT ? p->user_id : 0;
    snprintf(c->reporter_name, sizeof(c->reporter_name), "%s",
             in->reporter_name ? in->reporter_name : "");
    if (in->reporter_phone && in->reporter_phone[0] &&
        (r = seal_reporter_phone(ctx, in->reporter_phone, c, eb)) != 0)
        return r;
    c->is_anonymous = in->is_anonymous != 0;
    snprintf(c->supervision, sizeof(c->supervision), "%s",
             workflow_supervision_name(SUPERVISION_NONE));
    c->created_ms = in->now_ms;
    c->updated_ms = in->now_ms;

    /* The overall resolution deadline, from the category's own limit. */
    {
        enum urgency u = URGENCY_NORMAL;
        struct time_limit own;
        deadline_urgency_parse(c->urgency, &u);
        if (category_limit(taxonomy_find(rules->tax, c->category), u, STEP_HANDLE, &own))
            deadline_compute(rules->cal, in->now_ms, &own, &c->resolve_due_ms);
    }

    /* A household the case concerns must exist and be one the reporter may see. */
    if (in->household_id > 0) {
        struct bd_record h;
        r = store_bd_get(ctx->st, BD_HOUSEHOLD, in->household_id, &h);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no household %lld", (long long)in->household_id);
        if (r != 0)
            return r;
        r = access_check(p, CAP_PERSON_READ, h.cell_code);
        bd_record_cleanup(&h);
        if (r != 0)
            return errbuf_set(eb, ERR_FORBIDDEN, "household %lld is not one this user may see",
                              (long long)in->household_id);
    }

    /* A patrol the case was found on must be the reporter's own (service/patrols.h). */
    if (in->patrol_id > 0) {
        if (strcmp(in->channel, "patrol") != 0)
            return errbuf_set(eb, ERR_INVALID, "field 'patrol_id' goes with channel 'patrol'");
        if ((r = patrols_check_case_link(ctx, p, in->patrol_id, eb)) != 0)
            return r;
    }

    /* A chief relays the problems of their cell, only as their own chief record
     * (service/volunteers.h); the case is linked to the chief. */
    if (p != NULL && p->role == ROLE_CHIEF && in->chief_id <= 0)
        return errbuf_set(eb, ERR_INVALID,
                          "a chief reports with channel 'building_chief' and "
                          "field 'chief_id'");
    if (in->chief_id > 0) {
        if (strcmp(in->channel, "building_chief") != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "field 'chief_id' goes with channel 'building_chief'");
        if ((r = volunteers_check_relay(ctx, p, in->chief_id, c->area_code, eb)) != 0)
            return r;
    }

    /* Every attachment must have been uploaded: checked before anything is written. */
    for (int i = 0; i < in->n_attachments; i++) {
        struct attachment a;
        r = store_attachment_get(ctx->st, in->attachments[i], 0, &a);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "attachment %.64s was not uploaded", in->attachments[i]);
        if (r != 0)
            return r;
    }

    calendar_local_date(rules->cal, in->now_ms, &y, &m, &d);
    snprintf(rp->day, sizeof(rp->day), "%04d%02d%02d", y, m, d);
    if ((r = start_step(rules, c, in->now_ms)) != 0)
        return r;
    payload =
        json_pack("{s:s, s:s, s:s, s:s, s:i}", "channel", c->channel, "category", c->category,
                  "urgency", c->urgency, "area_code", c->area_code, "queue_level", c->queue_level);
    rp->event_payload = payload ? json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(payload);
    if (rp->event_payload == NULL)
        return ERR_INTERNAL;
    if ((r = prepare_notice(rp)) != 0)
        return r;
    return rollups_report_delta(rules->cal, c, &rp->rollup);
}

/* Write the prepared report in one transaction (a savepoint inside the writer's batch): its
 * serial number, the case, attachments, household link, the caller's hook, the first event,
 * the roll-ups and the queue's notice. On success rp->c has its id and number. */
static int report_write(struct service_ctx *ctx, struct report_prep *rp)
{
    struct store *st = ctx->st;
    const struct case_report *in = rp->in;
    struct case_rec *c = &rp->c;
    char district[7];
    size_t mark = rollups_batch_mark(ctx->rollup_batch);
    int64_t serial, before;
    int r;

    if ((r = store_begin(st)) != 0)
        return r;
    snprintf(district, sizeof(district), "%.6s", c->area_code);
    if ((r = store_case_next_serial(st, district, rp->day, &serial)) != 0)
        goto fail;
    snprintf(c->number, sizeof(c->number), "%.6s-%s-%05lld", c->area_code, rp->day,
             (long long)serial);
    if ((r = store_case_insert(st, c)) != 0)
        goto fail;
    for (int i = 0; i < in->n_attachments; i++) {
        if ((r = store_case_attachment_add(st, c->id, in->attachments[i])) != 0)
            goto fail;
    }
    if (in->household_id > 0 && (r = basedata_link_household(st, in->household_id, "case", c->id,
                                                             in->now_ms, in->description)) != 0)
        goto fail;
    if (in->on_insert != NULL && (r = in->on_insert(in->on_insert_arg, st, c)) != 0)
        goto fail;
    if (in->patrol_id > 0 &&
        (r = store_field_case_link_add(st, "patrol", in->patrol_id, c->id)) != 0)
        goto fail;
    if (in->chief_id > 0 && (r = store_field_case_link_add(st, "chief", in->chief_id, c->id)) != 0)
        goto fail;
    before = c->event_seq;
    if ((r = append_event_text(st, c, rp->p, rp->p ? access_role_name(rp->p->role) : "public",
                               "report", "", rp->event_payload, in->now_ms)) != 0)
        goto fail;
    /* Indicator roll-ups, in the same transaction as the event (service/rollups.h): summed
     * per batch on the writer, written directly otherwise. */
    if (ctx->rollup_batch)
        r = rollups_batch_add(ctx->rollup_batch, c->area_code, c->created_ms, c->category,
                              &rp->rollup);
    else
        r = rollups_apply(st, ROLLUP_LIVE, c->area_code, c->created_ms, c->category, &rp->rollup);
    if (r != 0)
        goto fail;
    {
        struct outbox_msg msg;
        size_t n = strlen(rp->notice_head) + strlen(c->number) + strlen(rp->notice_tail) + 1;
        memset(&msg, 0, sizeof(msg));
        snprintf(msg.idempotency_key, sizeof(msg.idempotency_key), "case-%s-event-%lld", c->number,
                 (long long)c->event_seq);
        snprintf(msg.topic, sizeof(msg.topic), "case.report");
        msg.payload = xmalloc(n);
        snprintf(msg.payload, n, "%s%s%s", rp->notice_head, c->number, rp->notice_tail);
        msg.created_ms = in->now_ms;
        msg.next_attempt_ms = in->now_ms;
        r = store_outbox_insert(st, &msg);
        free(msg.payload);
        if (r != 0)
            goto fail;
    }
    if ((r = store_case_set_head(st, c->id, c->event_seq, c->last_hash, before)) != 0)
        goto fail;
    if ((r = store_commit(st)) != 0)
        goto fail;
    return 0;
fail:
    store_rollback(st);
    rollups_batch_undo(ctx->rollup_batch, mark);
    return r;
}

static int report_job_run(struct service_ctx *ctx, void *arg)
{
    return report_write(ctx, arg);
}

/* An action handed to the single writer (service/writer.h). */
struct act_job {
    const struct principal *p;
    int64_t id;
    struct workflow_input *in;
    struct case_rec *out;
    struct errbuf *eb;
};

/* Possible duplicates of c: same category, nearby, recent; never c itself. */
static void find_duplicates(struct service_ctx *ctx, const struct case_rec *c,
                            struct case_near_list *dups)
{
    dups->items = NULL;
    dups->len = 0;
    if (!c->has_location)
        return;
    if (store_case_nearby(ctx->st, c->category, c->lon, c->lat, DUPLICATE_DEGREES,
                          c->created_ms - DUPLICATE_WINDOW, 6, dups) != 0)
        return;
    for (size_t i = 0; i < dups->len; i++) {
        if (dups->items[i].id == c->id) {
            free(dups->items[i].description);
            memmove(&dups->items[i], &dups->items[i + 1],
                    (dups->len - i - 1) * sizeof(dups->items[0]));
            dups->len--;
            break;
        }
    }
}

static int act_job_run(struct service_ctx *ctx, void *arg)
{
    struct act_job *j = arg;
    return cases_act(ctx, j->p, j->id, j->in, j->out, j->eb);
}

/* The end of a report, written or not: the caller's result, the duplicates on ctx. */
static int report_result(struct service_ctx *ctx, struct report_prep *rp, int r,
                         struct case_rec *out, struct case_near_list *dups)
{
    report_prep_cleanup(rp);
    if (r != 0)
        return r; /* rp->c owns nothing: its description is in's */
    if (dups)
        find_duplicates(ctx, &rp->c, dups);
    rp->c.description = xstrdup(rp->in->description);
    *out = rp->c;
    return 0;
}

int cases_report(struct service_ctx *ctx, const struct principal *p, const struct case_report *in,
                 struct case_rec *out, struct case_near_list *dups, struct errbuf *eb)
{
    struct report_prep rp;
    int r;

    memset(out, 0, sizeof(*out));
    memset(&rp, 0, sizeof(rp));
    rp.p = p;
    rp.in = in;
    rp.eb = eb;
    if (dups) {
        dups->items = NULL;
        dups->len = 0;
    }
    r = report_prepare(ctx, &rp);
    if (r == 0) {
        /* The writer only writes; the duplicate search (a read) runs here, after the commit,
         * on this thread's own connection. A job done but whose batch did not commit left
         * nothing behind: rp.c is then dropped. */
        r = ctx->writer ? writer_run(ctx->writer, report_job_run, &rp) : report_write(ctx, &rp);
    }
    return report_result(ctx, &rp, r, out, dups);
}

/* A report between its preparation and its result (cases_report_prepare ... finish). */
struct cases_pending_report {
    struct report_prep rp;
    struct writer_job job; /* rp as the writer's job; its result is the write's */
    /* The rules' and areas' versions the preparation's request ran with, for its answer on
     * another context (service_ctx_request_adopt): one request reads them once. */
    int has_versions;
    int64_t rules_version, areas_version;
};

int cases_report_prepare(struct service_ctx *ctx, const struct principal *p,
                         const struct case_report *in, struct errbuf *eb,
                         struct cases_pending_report **out)
{
    struct cases_pending_report *pr = xcalloc(1, sizeof(*pr));
    int r;

    *out = NULL;
    pr->rp.p = p;
    pr->rp.in = in;
    pr->rp.eb = eb;
    if ((r = report_prepare(ctx, &pr->rp)) != 0) {
        cases_report_discard(pr);
        return r;
    }
    if (ctx->in_request && ctx->has_versions) {
        pr->has_versions = 1;
        pr->rules_version = ctx->rules_version;
        pr->areas_version = ctx->areas_version;
    }
    *out = pr;
    return 0;
}

void cases_report_submit(struct service_ctx *ctx, struct cases_pending_report *pr,
                         cases_done_fn done, void *done_arg)
{
    pr->job.fn = report_job_run;
    pr->job.arg = &pr->rp;
    pr->job.done = done;
    pr->job.done_arg = done_arg;
    writer_submit(ctx->writer, &pr->job);
}

int cases_report_finish(struct service_ctx *ctx, struct cases_pending_report *pr,
                        struct case_rec *out, struct case_near_list *dups)
{
    int r;
    memset(out, 0, sizeof(*out));
    if (dups) {
        dups->items = NULL;
        dups->len = 0;
    }
    if (pr->has_versions)
        service_ctx_request_adopt(ctx, pr->rules_version, pr->areas_version);
    r = report_result(ctx, &pr->rp, pr->job.is_done ? pr->job.result : ERR_INTERNAL, out, dups);
    free(pr);
    return r;
}

void cases_report_discard(struct cases_pending_report *pr)
{
    if (pr == NULL)
        return;
    report_prep_cleanup(&pr->rp);
    free(pr);
}

/* ---- acting ----------------------------------------------------------------------------- */

static int load_case_state(const struct case_rec *c, struct workflow_case *wc)
{
    memset(wc, 0, sizeof(*wc));
    if (workflow_state_parse(c->status, &wc->state) != 0)
        return ERR_INTERNAL;
    if (c->state_before_suspend[0])
        workflow_state_parse(c->state_before_suspend, &wc->state_before_suspend);
    wc->queue_level = c->queue_level;
    wc->has_pending_extension = c->has_pending_extension;
    if (c->supervision[0])
        workflow_supervision_parse(c->supervision, &wc->supervision);
    if (c->outcome[0])
        workflow_outcome_parse(c->outcome, &wc->outcome);
    wc->closed_ms = c->closed_ms;
    wc->reopen_count = c->reopen_count;
    return 0;
}

static void make_actor(const struct principal *p, const struct case_rec *c,
                       struct workflow_actor *a)
{
    memset(a, 0, sizeof(*a));
    a->role = p->role;
    a->is_reporter = c->reporter_user_id != 0 && c->reporter_user_id == p->user_id;
    a->is_handling_department = p->role == ROLE_DEPARTMENT_HANDLER && c->department[0] &&
                                strcmp(c->department, p->department) == 0;
    a->is_in_scope = areacode_in_subtree(c->area_code, p->scope);
}

static json_t *input_payload(const struct workflow_input *in, const struct workflow_result *res)
{
    json_t *j = json_object();
    if (in->reason && in->reason[0])
        json_object_set_new(j, "reason", json_string(in->reason));
    if (in->evidence && in->evidence[0])
        json_object_set_new(j, "evidence", json_string(in->evidence));
    if (in->text && in->text[0])
        json_object_set_new(j, "text", json_string(in->text));
    if (in->department && in->department[0])
        json_object_set_new(j, "department", json_string(in->department));
    if (in->merge_into && in->merge_into[0])
        json_object_set_new(j, "merge_into", json_string(in->merge_into));
    if (in->action == CASE_ACTION_EVALUATE)
        json_object_set_new(j, "rating", json_integer(in->rating));
    if (in->action == CASE_ACTION_CLOSE) {
        json_object_set_new(j, "outcome", json_string(workflow_outcome_name(in->outcome)));
        if (in->outcome_reason && in->outcome_reason[0])
            json_object_set_new(j, "outcome_reason", json_string(in->outcome_reason));
    }
    if (res->extension_days)
        json_object_set_new(j, "extension_days", json_integer(res->extension_days));
    if (in->action == CASE_ACTION_SUPERVISE)
        json_object_set_new(j, "supervision",
                            json_string(workflow_supervision_name(in->supervision)));
    if (in->action == CASE_ACTION_ESCALATE)
        json_object_set_new(j, "queue_level", json_integer(res->queue_level));
    return j;
}

/*
 * Apply res (already decided by the workflow) to c and write its event, roll-ups and notices,
 * in the caller's transaction; the case row itself is left to the caller (write_result, or the
 * sweep, which records the overdue stage in the same update). The roll-up deltas go to
 * ctx->rollup_batch when the context has one (the writer, the demo: flushed before their
 * commit; a caller undoing the action truncates the batch back to where it was), else
 * straight into the store.
 */
static int apply_result(struct service_ctx *ctx, const struct case_rules *rules, struct case_rec *c,
                        const struct principal *p, const char *actor_role,
                        const struct workflow_input *in, const struct workflow_result *res,
                        json_t *payload)
{
    char from[24];
    int level_changed = res->queue_level != c->queue_level;
    int state_changed, r;
    struct indicator_facts facts; /* the case as the event finds it, for the roll-ups */
    struct indicator_event ev;
    rollups_facts_of_case(c, &facts);
    memset(&ev, 0, sizeof(ev));
    ev.action = in->action;
    ev.to = res->to;
    ev.at_ms = in->now_ms;
    ev.rating = in->rating;
    ev.outcome = in->outcome;
    ev.supervision = in->supervision;
    if (workflow_state_parse(c->status, &ev.from) != 0)
        return ERR_INTERNAL;
    /* The deadline of the step this action ends, so that a recount from the log can tell
     * whether it was in time (docs/INDICATORS.md). */
    if (c->due_ms != 0)
        json_object_set_new(payload, "step_due_ms", json_integer(c->due_ms));
    snprintf(from, sizeof(from), "%s", c->status);
    state_changed = strcmp(from, workflow_state_name(res->to)) != 0;

    snprintf(c->status, sizeof(c->status), "%s", workflow_state_name(res->to));
    snprintf(c->state_before_suspend, sizeof(c->state_before_suspend), "%s",
             res->to == CASE_STATE_SUSPENDED ? workflow_state_name(res->state_before_suspend) : "");
    c->queue_level = res->queue_level;
    c->has_pending_extension = res->has_pending_extension;
    snprintf(c->supervision, sizeof(c->supervision), "%s",
             workflow_supervision_name(res->supervision));
    snprintf(c->outcome, sizeof(c->outcome), "%s",
             res->outcome == OUTCOME_NONE ? "" : workflow_outcome_name(res->outcome));
    c->closed_ms = res->closed_ms;
    c->reopen_count = res->reopen_count;
    c->updated_ms = in->now_ms;
    if (res->effects & WORKFLOW_EFFECT_SET_DEPARTMENT)
        snprintf(c->department, sizeof(c->department), "%s", in->department);
    if (res->effects & WORKFLOW_EFFECT_SET_OUTCOME_REASON)
        snprintf(c->outcome_reason, sizeof(c->outcome_reason), "%s",
                 in->outcome_reason ? in->outcome_reason : "");
    if (res->effects & WORKFLOW_EFFECT_CLEAR_OUTCOME_REASON)
        c->outcome_reason[0] = '\0';
    if (res->effects & WORKFLOW_EFFECT_SET_MERGED_INTO)
        snprintf(c->merged_into, sizeof(c->merged_into), "%s", in->merge_into);
    if (res->effects & WORKFLOW_EFFECT_RECORD_RATING)
        c->rating = in->rating;
    if (in->action == CASE_ACTION_REQUEST_EXTENSION)
        c->extension_days = res->extension_days;

    if (state_changed || level_changed || (res->effects & WORKFLOW_EFFECT_NEW_DEADLINE)) {
        if ((r = start_step(rules, c, in->now_ms)) != 0)
            return r;
    } else if ((res->effects & WORKFLOW_EFFECT_EXTEND_DEADLINE) && c->due_ms) {
        int days = res->extension_days ? res->extension_days : c->extension_days;
        int64_t due;
        if (calendar_add_working_days(rules->cal, c->due_ms, days, &due) == 0) {
            c->due_ms = due;
            c->sweep_at_ms = due + 1;
            c->overdue_stage = 0;
        }
        c->extension_days = 0;
    } else if (res->effects & WORKFLOW_EFFECT_CLEAR_DEADLINE) {
        start_step(rules, c, in->now_ms);
    }
    if (res->to == CASE_STATE_CLOSED || res->to == CASE_STATE_EVALUATED ||
        res->to == CASE_STATE_REJECTED || res->to == CASE_STATE_MERGED) {
        c->due_ms = 0;
        c->sweep_at_ms = 0;
        c->step[0] = '\0';
    }

    if ((r = append_event(ctx->st, c, p, actor_role, workflow_action_name(in->action), from,
                          payload, in->now_ms)) != 0)
        return r;
    if ((r = rollups_on_action(ctx->st, ctx->rollup_batch, rules->cal, c, &facts, &ev)) != 0)
        return r;
    return queue_notice(ctx->st, c, workflow_action_name(in->action),
                        (res->effects & WORKFLOW_EFFECT_NOTIFY_REPORTER) != 0,
                        (res->effects & WORKFLOW_EFFECT_NOTIFY_UNIT) != 0,
                        (res->effects & WORKFLOW_EFFECT_NOTIFY_QUEUE) != 0, in->now_ms);
}

/* apply_result, then the case row (refused with ERR_CONFLICT when someone else wrote an event
 * of the case since c was read). */
static int write_result(struct service_ctx *ctx, const struct case_rules *rules, struct case_rec *c,
                        const struct principal *p, const char *actor_role,
                        const struct workflow_input *in, const struct workflow_result *res,
                        json_t *payload)
{
    int64_t before = c->event_seq;
    int r = apply_result(ctx, rules, c, p, actor_role, in, res, payload);
    return r != 0 ? r : store_case_update(ctx->st, c, before);
}

static int64_t reopen_window_ms(const struct service_ctx *ctx)
{
    return (int64_t)ctx->cfg->reopen_window_days * DAY_MS;
}

int cases_act(struct service_ctx *ctx, const struct principal *p, int64_t id,
              struct workflow_input *in, struct case_rec *out, struct errbuf *eb)
{
    if (ctx->writer != NULL) {
        struct act_job job = {p, id, in, out, eb};
        int r = writer_run(ctx->writer, act_job_run, &job);
        if (r != 0 && out->id != 0) {
            case_rec_cleanup(out);
            memset(out, 0, sizeof(*out));
        }
        return r;
    }
    const struct case_rules *rules;
    struct case_rec c;
    struct workflow_case wc;
    struct workflow_actor actor;
    struct workflow_result res;
    json_t *payload = NULL;
    char routed[TAXONOMY_DEPT_BUF];
    size_t mark = rollups_batch_mark(ctx->rollup_batch);
    int r;

    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    in->reopen_window_ms = reopen_window_ms(ctx);
    if ((r = rules_get(ctx, &rules)) != 0)
        return r;
    if ((in->action == CASE_ACTION_DISPATCH || in->action == CASE_ACTION_ASSIGN) &&
        in->department != NULL && in->department[0] != '\0' &&
        !cases_unit_is_known(rules, in->department))
        return errbuf_set(eb, ERR_INVALID,
                          "field 'department' is not a known handling unit (see "
                          "GET /api/v1/departments)");
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_case_get(ctx->st, id, &c)) != 0)
        goto fail;
    if (!cases_can_see(p, &c)) {
        r = errbuf_set(eb, ERR_FORBIDDEN, "this case is outside what this user may act on");
        goto fail;
    }
    /* Dispatch without a unit: the routing table proposes one. */
    if ((in->action == CASE_ACTION_DISPATCH || in->action == CASE_ACTION_ASSIGN) &&
        (in->department == NULL || in->department[0] == '\0')) {
        struct routing_decision dec;
        if (routing_resolve(rules->routing, rules->tax, c.area_code, c.category, &dec, NULL) == 0) {
            snprintf(routed, sizeof(routed), "%s", dec.unit);
            in->department = routed;
        }
    }
    if (in->action == CASE_ACTION_MERGE && in->merge_into) {
        struct case_rec target;
        r = store_case_get_by_number(ctx->st, in->merge_into, &target);
        if (r == ERR_NOT_FOUND || (r == 0 && target.id == c.id)) {
            case_rec_cleanup(&target);
            r = errbuf_set(eb, ERR_INVALID, "field 'merge_into' must name another case");
            goto fail;
        }
        case_rec_cleanup(&target);
        if (r != 0)
            goto fail;
    }
    if ((r = load_case_state(&c, &wc)) != 0)
        goto fail;
    make_actor(p, &c, &actor);
    if ((r = workflow_apply(&wc, &actor, in, &res, eb)) != 0)
        goto fail;
    payload = input_payload(in, &res);
    if ((r = write_result(ctx, rules, &c, p, access_role_name(p->role), in, &res, payload)) != 0)
        goto fail;
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    json_decref(payload);
    *out = c;
    return 0;
fail:
    store_rollback(ctx->st);
    rollups_batch_undo(ctx->rollup_batch, mark); /* the action's roll-up deltas went with it */
    json_decref(payload);
    case_rec_cleanup(&c);
    return r;
}

/* ---- reading ------------------------------------------------------------------------------ */

int cases_get(struct service_ctx *ctx, const struct principal *p, int64_t id, struct case_rec *out)
{
    int r = store_case_get(ctx->st, id, out);
    if (r != 0)
        return r;
    if (!cases_can_see(p, out)) {
        case_rec_cleanup(out);
        memset(out, 0, sizeof(*out));
        return ERR_FORBIDDEN;
    }
    return 0;
}

int cases_events(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 struct case_event_list *out)
{
    struct case_rec c;
    int r;
    out->items = NULL;
    out->len = 0;
    if ((r = cases_get(ctx, p, id, &c)) != 0)
        return r;
    case_rec_cleanup(&c);
    return store_case_events(ctx->st, id, out);
}

int cases_list(struct service_ctx *ctx, const struct principal *p, struct case_filter *f,
               struct case_list *out)
{
    out->items = NULL;
    out->len = 0;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (p->role == ROLE_RESIDENT) {
        f->reporter_user_id = p->user_id;
        f->area = NULL;
    } else {
        if (!access_role_has(p->role, CAP_CASE_READ))
            return ERR_FORBIDDEN;
        if (f->area == NULL || f->area[0] == '\0')
            f->area = p->scope;
        else if (!areacode_in_subtree(f->area, p->scope))
            return ERR_FORBIDDEN;
        if (p->role == ROLE_DEPARTMENT_HANDLER)
            f->department = p->department;
    }
    return store_case_list(ctx->st, f, out);
}

unsigned long long cases_allowed_actions(struct service_ctx *ctx, const struct principal *p,
                                         const struct case_rec *c, int64_t now_ms)
{
    struct workflow_case wc;
    struct workflow_actor actor;
    if (p == NULL || load_case_state(c, &wc) != 0)
        return 0;
    make_actor(p, c, &actor);
    return workflow_allowed_actions(&wc, &actor, now_ms, reopen_window_ms(ctx));
}

/* ---- the sweep ---------------------------------------------------------------------------- */

/* Act on one due case, as listed in the sweep's transaction (the list is left as it was); the
 * stats count what was done. */
static int sweep_one(struct service_ctx *ctx, const struct case_rules *rules,
                     const struct case_rec *listed, int64_t now, struct sweep_stats *stats)
{
    /* A working copy of the fixed-size fields; its description pointer stays the list's (no
     * action of the sweep changes it), so the copy is never cleaned up here. */
    struct case_rec c = *listed;
    struct workflow_case wc;
    struct workflow_actor actor;
    struct workflow_input in;
    struct workflow_result res;
    enum overdue_stage current, act;
    enum limit_unit unit;
    json_t *payload = NULL;
    size_t mark = rollups_batch_mark(ctx->rollup_batch);
    int r;

    if (c.sweep_at_ms == 0 || c.sweep_at_ms > now || c.due_ms == 0)
        return 0; /* not due (the list is read in this transaction: not expected) */
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    unit = step_unit(rules, &c);
    current = deadline_overdue_stage(rules->cal, unit, c.step_started_ms, c.due_ms, now);
    act = deadline_stage_to_act((enum overdue_stage)c.overdue_stage, current);
    memset(&in, 0, sizeof(in));
    in.now_ms = now;
    in.reopen_window_ms = reopen_window_ms(ctx);
    memset(&actor, 0, sizeof(actor));
    actor.is_system = 1;
    actor.role = ROLE_ADMIN;
    actor.is_in_scope = 1;
    if ((r = load_case_state(&c, &wc)) != 0)
        goto fail;

    if (act == STAGE_NONE) {
        /* Not late yet in working time (e.g. due at 17:30, now the evening): look again when
         * the stage can next rise. */
        int64_t before = c.event_seq;
        c.sweep_at_ms = next_stage_at(rules, &c, unit, (enum overdue_stage)c.overdue_stage, now);
        r = store_case_update(ctx->st, &c, before);
        if (r == 0)
            r = store_commit(ctx->st);
        if (r != 0)
            goto fail;
        return 0;
    }
    if (act == STAGE_ESCALATE && c.queue_level > AREA_PROVINCE) {
        in.action = CASE_ACTION_ESCALATE;
        in.reason = "deadline passed: escalated automatically (超时自动上报)";
    } else {
        in.action = CASE_ACTION_SUPERVISE;
        in.supervision = act == STAGE_YELLOW ? SUPERVISION_YELLOW : SUPERVISION_RED;
    }
    r = workflow_apply(&wc, &actor, &in, &res, NULL);
    if (r != 0) {
        /* The workflow does not allow it in this state (e.g. escalating a handled case): a
         * red card is the most the sweep can do. */
        in.action = CASE_ACTION_SUPERVISE;
        in.supervision = SUPERVISION_RED;
        if (workflow_apply(&wc, &actor, &in, &res, NULL) != 0)
            goto skip;
    }
    payload = input_payload(&in, &res);
    json_object_set_new(payload, "automatic", json_true());
    json_object_set_new(payload, "stage", json_string(deadline_stage_name(act)));
    {
        int64_t before = c.event_seq;
        if ((r = apply_result(ctx, rules, &c, NULL, "system", &in, &res, payload)) != 0)
            goto fail;
        if (in.action != CASE_ACTION_ESCALATE) {
            /* Same step still running: record the stage and when it can rise next, in the
             * same update of the row. */
            c.overdue_stage = (int)act;
            c.sweep_at_ms = next_stage_at(rules, &c, unit, act, now);
        }
        if ((r = store_case_update(ctx->st, &c, before)) != 0)
            goto fail;
    }
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    if (in.action == CASE_ACTION_ESCALATE)
        stats->escalated++;
    else if (act == STAGE_YELLOW)
        stats->yellow++;
    else
        stats->red++;
    json_decref(payload);
    return 0;
skip : {
    /* Nothing the sweep may do: stop looking at this step. */
    int64_t before = c.event_seq;
    c.overdue_stage = (int)act;
    c.sweep_at_ms = 0;
    r = store_case_update(ctx->st, &c, before);
    if (r == 0)
        r = store_commit(ctx->st);
    if (r != 0)
        goto fail;
    return 0;
}
fail:
    store_rollback(ctx->st);
    rollups_batch_undo(ctx->rollup_batch, mark);
    json_decref(payload);
    return r;
}

/* How long a case the sweep could not act on waits before it is tried again: long enough not
 * to fill the log every sweep, short enough that a repaired record is soon supervised. */
#define SWEEP_RETRY_MS (3600LL * 1000)

/* The failures that are the storage's, not one case's: they stop the sweep. */
static int is_store_failure(int r)
{
    return r == ERR_DB || r == ERR_IO || r == ERR_BUSY || r == ERR_DB_TOO_NEW;
}

/* Look at the listed case again at until_ms, in its own savepoint (sweep_one's attempt was
 * rolled back, so the row is still as listed). */
static int sweep_retry_later(struct service_ctx *ctx, const struct case_rec *listed,
                             int64_t until_ms)
{
    struct case_rec c = *listed; /* as in sweep_one: the description stays the list's */
    int r;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    c.sweep_at_ms = until_ms;
    if ((r = store_case_update(ctx->st, &c, c.event_seq)) == 0)
        return store_commit(ctx->st);
    store_rollback(ctx->st);
    return r;
}

int cases_sweep(struct service_ctx *ctx, int64_t now_ms, struct sweep_stats *stats)
{
    const struct case_rules *rules;
    int64_t after_ms = 0, after_id = 0;
    int r;
    memset(stats, 0, sizeof(*stats));
    if ((r = rules_get(ctx, &rules)) != 0)
        return r;
    for (;;) {
        struct case_list due;
        /* One transaction per batch, each case in its own savepoint inside it; the batch is
         * listed inside it too, so each case is acted on as listed (no second read). */
        size_t mark = rollups_batch_mark(ctx->rollup_batch);
        if ((r = store_begin(ctx->st)) != 0)
            return r;
        if ((r = store_case_due(ctx->st, now_ms, after_ms, after_id, SWEEP_BATCH, &due)) != 0) {
            store_rollback(ctx->st);
            return r;
        }
        if (due.len == 0) {
            case_list_cleanup(&due);
            return store_commit(ctx->st);
        }
        for (size_t i = 0; i < due.len && r == 0; i++) {
            const struct case_rec *listed = &due.items[i];
            stats->examined++;
            r = sweep_one(ctx, rules, listed, now_ms, stats);
            if (r == ERR_CONFLICT)
                r = 0; /* someone acted on it meanwhile; the next sweep sees it again */
            else if (r != 0 && !is_store_failure(r)) {
                log_warn("sweep", "case id %lld: %s; skipped, looked at again in an hour",
                         (long long)listed->id, err_message(r));
                stats->skipped++;
                r = sweep_retry_later(ctx, listed, now_ms + SWEEP_RETRY_MS);
                if (r != 0 && !is_store_failure(r))
                    r = 0; /* not even that: the keyset has moved past it all the same */
            }
        }
        if (r == 0)
            r = store_commit(ctx->st);
        if (r != 0) {
            store_rollback(ctx->st);
            rollups_batch_undo(ctx->rollup_batch, mark);
            case_list_cleanup(&due);
            return r;
        }
        after_ms = due.items[due.len - 1].sweep_at_ms;
        after_id = due.items[due.len - 1].id;
        case_list_cleanup(&due);
    }
}

/* ---- attachments -------------------------------------------------------------------------- */

static int magic_matches(const char *mime, const unsigned char *d, size_t n)
{
    if (strcmp(mime, "image/jpeg") == 0)
        return n > 3 && d[0] == 0xff && d[1] == 0xd8 && d[2] == 0xff;
    if (strcmp(mime, "image/png") == 0)
        return n > 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
    if (strcmp(mime, "image/webp") == 0)
        return n > 12 && memcmp(d, "RIFF", 4) == 0 && memcmp(d + 8, "WEBP", 4) == 0;
    if (strcmp(mime, "application/pdf") == 0)
        return n > 5 && memcmp(d, "%PDF-", 5) == 0;
    return 0;
}

int cases_attachment_put(struct service_ctx *ctx, const char *mime, const unsigned char *data,
                         size_t len, char hash_out[65], struct errbuf *eb)
{
    struct attachment a;
    unsigned char digest[32];
    hash_out[0] = '\0';
    if (mime == NULL || (strcmp(mime, "image/jpeg") != 0 && strcmp(mime, "image/png") != 0 &&
                         strcmp(mime, "image/webp") != 0 && strcmp(mime, "application/pdf") != 0))
        return errbuf_set(eb, ERR_UNSUPPORTED_MEDIA,
                          "attachments must be JPEG, PNG or WebP photos or PDF documents");
    if (len == 0)
        return errbuf_set(eb, ERR_INVALID, "the attachment is empty");
    if (!magic_matches(mime, data, len))
        return errbuf_set(eb, ERR_UNSUPPORTED_MEDIA, "the content is not a %s file", mime);
    crypto_generichash(digest, sizeof(digest), data, len, NULL, 0);
    memset(&a, 0, sizeof(a));
    sodium_bin2hex(a.hash, sizeof(a.hash), digest, sizeof(digest));
    snprintf(a.mime, sizeof(a.mime), "%s", mime);
    a.size = (int64_t)len;
    a.created_ms = time_now_ms();
    a.data = (unsigned char *)data;
    int r = store_attachment_put(ctx->st, &a);
    if (r == 0)
        snprintf(hash_out, 65, "%s", a.hash);
    return r;
}
