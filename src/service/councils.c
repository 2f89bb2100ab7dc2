/*
 * councils.c - deliberation-council use cases (see councils.h): council set-up with the
 * membership rules of domain/council.h, topic proposals, the topic machine as the only judge
 * of actions, meetings, ballots and vote counting, visibility for staff and residents.
 * One store transaction per write. Not shared between threads (the caller's context).
 */
#include "service/councils.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "domain/areacode.h"
#include "service/cases.h"
#include "service/context.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

static int is_blank(const char *s)
{
    if (s == NULL)
        return 1;
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
            return 0;
    return 1;
}

static int check_len(const char *s, const char *field, size_t max, int required, struct errbuf *eb)
{
    if (required && is_blank(s))
        return errbuf_set(eb, ERR_INVALID, "field '%s' is required", field);
    if (s != NULL && strlen(s) > max)
        return errbuf_set(eb, ERR_INVALID, "field '%s' is longer than %zu bytes", field, max);
    if (s != NULL && !utf8_is_clean_text(s, strlen(s)))
        return errbuf_set(eb, ERR_INVALID, "field '%s' is not clean UTF-8 text", field);
    return 0;
}

/* A resident belongs to the village whose subtree holds their area. */
static int is_resident_of(const struct principal *p, const char *village)
{
    return p != NULL && p->role == ROLE_RESIDENT && p->scope[0] != '\0' &&
           areacode_in_subtree(p->scope, village);
}

static int is_voting_position(const char *position)
{
    return strcmp(position, "chair") == 0 || strcmp(position, "member") == 0;
}

static int append_event(struct service_ctx *ctx, const struct principal *p,
                        const struct topic_rec *t, const char *action, const char *from,
                        json_t *payload, int64_t now_ms)
{
    struct gov_event e;
    int r;

    memset(&e, 0, sizeof(e));
    e.owner_id = t->id;
    e.seq = t->event_seq;
    e.at_ms = now_ms;
    e.actor_user_id = p ? p->user_id : 0;
    snprintf(e.actor_role, sizeof(e.actor_role), "%s", p ? access_role_name(p->role) : "system");
    snprintf(e.action, sizeof(e.action), "%s", action);
    snprintf(e.from_state, sizeof(e.from_state), "%s", from);
    snprintf(e.to_state, sizeof(e.to_state), "%s", t->state);
    e.payload = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (e.payload == NULL)
        return ERR_INTERNAL;
    r = store_topic_event_append(ctx->st, &e);
    free(e.payload);
    return r;
}

/* ---- councils ------------------------------------------------------------------------------ */

static int check_members(struct service_ctx *ctx, const struct council_new *in, struct errbuf *eb)
{
    int chairs = 0, voting = 0, supervisors = 0, r;

    for (int i = 0; i < in->n_members; i++) {
        const struct council_member_in *m = &in->members[i];
        if ((r = check_len(m->name, "members.name", 63, 1, eb)) != 0)
            return r;
        if (m->position == NULL ||
            (!is_voting_position(m->position) && strcmp(m->position, "supervisor") != 0))
            return errbuf_set(eb, ERR_INVALID,
                              "members[%d].position must be chair, member or supervisor", i);
        if (m->person_id < 0 || m->user_id < 0)
            return errbuf_set(eb, ERR_INVALID, "members[%d] has a negative id", i);
        if (m->user_id > 0) {
            struct user u;
            if ((r = store_user_get(ctx->st, m->user_id, &u)) == ERR_NOT_FOUND)
                return errbuf_set(eb, ERR_INVALID, "members[%d].user_id is not a user", i);
            if (r != 0)
                return r;
            if (!areacode_in_subtree(u.area_code, in->area_code) &&
                !areacode_in_subtree(in->area_code, u.area_code))
                return errbuf_set(eb, ERR_INVALID, "members[%d] does not live in the village", i);
        }
        chairs += strcmp(m->position, "chair") == 0;
        voting += is_voting_position(m->position);
        supervisors += strcmp(m->position, "supervisor") == 0;
    }
    if ((r = council_check_size(voting, eb)) != 0)
        return r;
    if (chairs != 1)
        return errbuf_set(eb, ERR_INVALID, "a council has exactly one chair, not %d", chairs);
    if (supervisors < 1)
        return errbuf_set(eb, ERR_INVALID,
                          "a council needs at least one supervisor (村务监督委员会)");
    return 0;
}

int councils_create(struct service_ctx *ctx, const struct principal *p,
                    const struct council_new *in, struct council_rec *out, struct errbuf *eb)
{
    struct council_rec c;
    int exists = 0, r;

    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if ((r = check_len(in->name, "name", 128, 1, eb)) != 0)
        return r;
    if (in->area_code == NULL || areacode_level(in->area_code) != AREA_COMMUNITY)
        return errbuf_set(eb, ERR_INVALID, "field 'area_code' must be a village or community");
    if ((r = access_check(p, CAP_COUNCIL_MANAGE, in->area_code)) != 0)
        return errbuf_set(eb, r, "area %s is outside what this user may manage", in->area_code);
    if ((r = store_area_exists(ctx->st, in->area_code, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", in->area_code);
    if ((r = council_check_min_cosigners(in->min_cosigners, eb)) != 0 ||
        (r = council_check_term(in->term_start_ms, in->term_end_ms, eb)) != 0 ||
        (r = check_members(ctx, in, eb)) != 0)
        return r;
    memset(&c, 0, sizeof(c));
    snprintf(c.area_code, sizeof(c.area_code), "%s", in->area_code);
    snprintf(c.name, sizeof(c.name), "%s", in->name);
    c.min_cosigners = in->min_cosigners;
    c.term_start_ms = in->term_start_ms;
    c.term_end_ms = in->term_end_ms;
    c.created_ms = in->now_ms;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_council_insert(ctx->st, &c)) != 0)
        goto fail;
    for (int i = 0; i < in->n_members; i++) {
        struct council_member_rec m;
        memset(&m, 0, sizeof(m));
        m.council_id = c.id;
        m.person_id = in->members[i].person_id;
        m.user_id = in->members[i].user_id;
        snprintf(m.name, sizeof(m.name), "%s", in->members[i].name);
        snprintf(m.position, sizeof(m.position), "%s", in->members[i].position);
        m.term_start_ms = in->term_start_ms;
        m.term_end_ms = in->term_end_ms;
        if ((r = store_council_member_add(ctx->st, &m)) != 0) {
            if (r == ERR_EXISTS)
                r = errbuf_set(eb, ERR_INVALID, "members[%d] is listed twice", i);
            goto fail;
        }
    }
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    *out = c;
    return 0;
fail:
    store_rollback(ctx->st);
    return r;
}

static int council_can_see(const struct principal *p, const struct council_rec *c)
{
    return access_check(p, CAP_COUNCIL_READ, c->area_code) == 0 || is_resident_of(p, c->area_code);
}

int councils_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 struct council_rec *out)
{
    int r = store_council_get(ctx->st, id, out);
    if (r != 0)
        return r;
    if (!council_can_see(p, out)) {
        memset(out, 0, sizeof(*out));
        return ERR_FORBIDDEN;
    }
    return 0;
}

int councils_list(struct service_ctx *ctx, const struct principal *p, const char *area,
                  struct council_list *out)
{
    char village[AREA_CODE_BUF];

    out->items = NULL;
    out->len = 0;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (p->role == ROLE_RESIDENT) {
        /* their own village only */
        if (areacode_level(p->scope) < AREA_COMMUNITY)
            return 0;
        snprintf(village, sizeof(village), "%.12s", p->scope);
        return store_council_list(ctx->st, village, out);
    }
    if (!access_role_has(p->role, CAP_COUNCIL_READ))
        return ERR_FORBIDDEN;
    if (area == NULL || area[0] == '\0')
        area = p->scope;
    else if (!areacode_in_subtree(area, p->scope))
        return ERR_FORBIDDEN;
    return store_council_list(ctx->st, area, out);
}

/* ---- topics -------------------------------------------------------------------------------- */

int councils_propose(struct service_ctx *ctx, const struct principal *p, int64_t council_id,
                     const struct topic_new *in, struct topic_rec *out, struct errbuf *eb)
{
    struct topic_rec *t;
    struct council_rec c;
    enum council_proposer proposer;
    enum council_vote_kind kind = COUNCIL_VOTE_COUNCIL;
    int r;

    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if ((r = councils_get(ctx, p, council_id, &c)) != 0)
        return r;
    if ((r = check_len(in->title, "title", 128, 1, eb)) != 0 ||
        (r = check_len(in->description, "description", DISPUTE_REC_TEXT_MAX, 0, eb)) != 0)
        return r;
    if (in->proposer == NULL || council_proposer_parse(in->proposer, &proposer) != 0)
        return errbuf_set(eb, ERR_INVALID, "field 'proposer' must be committees or residents");
    if (in->vote_kind != NULL && council_vote_kind_parse(in->vote_kind, &kind) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'vote_kind' must be council, households or adults");
    if (proposer == COUNCIL_PROPOSER_COMMITTEES &&
        access_check(p, CAP_COUNCIL_MANAGE, c.area_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "only the two committees propose as committees");
    if (proposer == COUNCIL_PROPOSER_RESIDENTS && !is_resident_of(p, c.area_code))
        return errbuf_set(eb, ERR_FORBIDDEN,
                          "only a resident of the village proposes as residents");
    if (in->case_id < 0)
        return errbuf_set(eb, ERR_INVALID, "field 'case_id' must be a case id");
    if (in->case_id > 0) {
        struct case_rec cr;
        if ((r = cases_get(ctx, p, in->case_id, &cr)) != 0)
            return errbuf_set(eb, r == ERR_NOT_FOUND ? ERR_NOT_FOUND : ERR_FORBIDDEN,
                              "case %lld is not one this user may see", (long long)in->case_id);
        case_rec_cleanup(&cr);
    }
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return ERR_INTERNAL;
    t->council_id = c.id;
    snprintf(t->area_code, sizeof(t->area_code), "%s", c.area_code);
    snprintf(t->title, sizeof(t->title), "%s", in->title);
    snprintf(t->description, sizeof(t->description), "%s", in->description ? in->description : "");
    snprintf(t->proposer, sizeof(t->proposer), "%s", council_proposer_name(proposer));
    t->proposed_by = p->user_id;
    snprintf(t->vote_kind, sizeof(t->vote_kind), "%s", council_vote_kind_name(kind));
    t->is_secret = in->is_secret != 0;
    snprintf(t->state, sizeof(t->state), "%s", council_state_name(COUNCIL_STATE_PROPOSED));
    t->case_id = in->case_id;
    t->created_ms = t->updated_ms = in->now_ms;
    t->event_seq = 1;
    if ((r = store_begin(ctx->st)) != 0)
        goto out;
    if ((r = store_topic_insert(ctx->st, t)) != 0 ||
        (r = append_event(ctx, p, t, "propose", "",
                          json_pack("{s:s, s:s, s:b}", "proposer", t->proposer, "vote_kind",
                                    t->vote_kind, "secret", t->is_secret),
                          in->now_ms)) != 0 ||
        (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        goto out;
    }
    memcpy(out, t, sizeof(*out));
out:
    free(t);
    return r;
}

int councils_topic_can_see(const struct principal *p, const struct topic_rec *t)
{
    if (p == NULL)
        return 0;
    if (p->role == ROLE_RESIDENT)
        return t->is_published && is_resident_of(p, t->area_code);
    return access_check(p, CAP_COUNCIL_READ, t->area_code) == 0;
}

int councils_topic_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                       struct topic_rec *out)
{
    int r = store_topic_get(ctx->st, id, out);
    if (r != 0)
        return r;
    if (!councils_topic_can_see(p, out)) {
        /* a resident's own proposal is visible to them before it is published */
        if (!(p != NULL && p->role == ROLE_RESIDENT && out->proposed_by == p->user_id)) {
            memset(out, 0, sizeof(*out));
            return ERR_FORBIDDEN;
        }
    }
    return 0;
}

int councils_topic_list(struct service_ctx *ctx, const struct principal *p, struct topic_filter *f,
                        struct topic_list *out)
{
    char village[AREA_CODE_BUF];

    out->items = NULL;
    out->len = 0;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (p->role == ROLE_RESIDENT) {
        if (areacode_level(p->scope) < AREA_COMMUNITY)
            return 0;
        snprintf(village, sizeof(village), "%.12s", p->scope);
        f->area = village;
        f->is_published_only = 1;
        return store_topic_list(ctx->st, f, out);
    }
    if (!access_role_has(p->role, CAP_COUNCIL_READ))
        return ERR_FORBIDDEN;
    if (f->area == NULL || f->area[0] == '\0')
        f->area = p->scope;
    else if (!areacode_in_subtree(f->area, p->scope))
        return ERR_FORBIDDEN;
    return store_topic_list(ctx->st, f, out);
}

/* ---- acting on a topic --------------------------------------------------------------------- */

/* The actor's relations to the topic's council, and the council's voting members active at
 * now_ms (for a council vote's eligible count). */
static int relations(struct service_ctx *ctx, const struct principal *p, const struct topic_rec *t,
                     int64_t now_ms, struct council_actor *a, int64_t *actor_member_id,
                     int *active_voting)
{
    struct council_member_list members;
    int r;

    memset(a, 0, sizeof(*a));
    *actor_member_id = 0;
    *active_voting = 0;
    a->role = p->role;
    a->is_in_scope = p->role == ROLE_RESIDENT ? is_resident_of(p, t->area_code)
                                              : areacode_in_subtree(t->area_code, p->scope);
    a->is_proposer = t->proposed_by != 0 && t->proposed_by == p->user_id;
    if ((r = store_council_members(ctx->st, t->council_id, &members)) != 0)
        return r;
    for (size_t i = 0; i < members.len; i++) {
        const struct council_member_rec *m = &members.items[i];
        int is_active = council_term_covers(m->term_start_ms, m->term_end_ms, now_ms);
        int is_voting = is_voting_position(m->position);
        *active_voting += is_active && is_voting;
        if (m->user_id == 0 || m->user_id != p->user_id || !is_active)
            continue;
        if (is_voting) {
            a->is_member = 1;
            *actor_member_id = m->id;
        } else {
            a->is_supervisor = 1;
        }
    }
    council_member_list_cleanup(&members);
    return 0;
}

static void facts_of(const struct topic_rec *t, int min_cosigners, struct council_topic_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->state = COUNCIL_STATE_COUNT;
    (void)council_state_parse(t->state, &f->state);
    f->proposer = COUNCIL_PROPOSER_COUNT;
    (void)council_proposer_parse(t->proposer, &f->proposer);
    f->cosigners = t->cosigners;
    f->min_cosigners = min_cosigners;
    f->opinions = t->opinions;
    f->tasks = t->tasks;
    f->open_tasks = t->open_tasks;
    f->notes = t->notes;
    f->is_published = t->is_published;
}

unsigned councils_topic_allowed(struct service_ctx *ctx, const struct principal *p,
                                const struct topic_rec *t, int64_t now_ms)
{
    struct council_rec c;
    struct council_topic_facts f;
    struct council_actor a;
    int64_t member_id;
    int voting;
    if (p == NULL || store_council_get(ctx->st, t->council_id, &c) != 0 ||
        relations(ctx, p, t, now_ms, &a, &member_id, &voting) != 0)
        return 0;
    facts_of(t, c.min_cosigners, &f);
    return council_allowed_actions(&f, &a);
}

/* Adults on the day of now_ms: born on or before the same date 18 years earlier. */
static void adult_born_by(int64_t now_ms, char out[11])
{
    char iso[32];
    int year;
    time_format_iso(now_ms, iso, sizeof(iso));
    year = atoi(iso) - 18;
    if (year < 0 || year > 9999)
        year = 0;
    memcpy(out, iso, 10); /* YYYY-MM-DD, then the year replaced */
    out[10] = '\0';
    out[0] = (char)('0' + year / 1000);
    out[1] = (char)('0' + year / 100 % 10);
    out[2] = (char)('0' + year / 10 % 10);
    out[3] = (char)('0' + year % 10);
}

/* Fill in->tally for close_vote (see councils.h). */
static int make_tally(struct service_ctx *ctx, const struct topic_rec *t,
                      const struct topic_action_in *in, int active_voting, struct council_input *ci,
                      struct errbuf *eb)
{
    int r;

    if (council_vote_kind_parse(t->vote_kind, &ci->vote_kind) != 0)
        return errbuf_set(eb, ERR_INTERNAL, "topic has an unknown vote kind");
    if (ci->vote_kind == COUNCIL_VOTE_COUNCIL) {
        int64_t meeting;
        ci->tally.eligible = active_voting;
        if ((r = store_topic_meeting_latest(ctx->st, t->id, &meeting, &ci->tally.present)) != 0)
            return r;
        if (meeting == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot close the vote: no meeting with attendance was recorded");
        return store_topic_ballot_totals(ctx->st, t->id, &ci->tally.yes, &ci->tally.no,
                                         &ci->tally.abstain);
    }
    {
        int64_t households, adults;
        char born_by[11];
        adult_born_by(in->now_ms, born_by);
        if ((r = store_village_voters(ctx->st, t->area_code, born_by, &households, &adults)) != 0)
            return r;
        ci->tally.eligible = (int)(ci->vote_kind == COUNCIL_VOTE_HOUSEHOLDS ? households : adults);
        if (ci->tally.eligible == 0)
            return errbuf_set(eb, ERR_INVALID_TRANSITION,
                              "cannot close the vote: the village has no registered %s",
                              ci->vote_kind == COUNCIL_VOTE_HOUSEHOLDS ? "households"
                                                                       : "adult residents");
        ci->tally.present = in->present;
        ci->tally.yes = in->yes;
        ci->tally.no = in->no;
        ci->tally.abstain = in->abstain;
    }
    return 0;
}

/* The action's own rows and the topic's counters. */
static int write_entry(struct service_ctx *ctx, const struct principal *p, struct topic_rec *t,
                       const struct topic_action_in *in, int64_t actor_member_id, struct errbuf *eb)
{
    struct topic_entry *e;
    int r = 0;

    if ((e = calloc(1, sizeof(*e))) == NULL)
        return ERR_INTERNAL;
    e->topic_id = t->id;
    e->user_id = p->user_id;
    e->at_ms = in->now_ms;
    switch (in->action) {
    case COUNCIL_ACTION_COSIGN:
        r = store_topic_entry_add(ctx->st, TOPIC_ENTRY_COSIGNER, e);
        if (r == ERR_EXISTS)
            r = errbuf_set(eb, ERR_EXISTS, "you already co-signed this topic");
        t->cosigners += r == 0;
        break;
    case COUNCIL_ACTION_RECORD_OPINION: {
        const char *stance = in->stance ? in->stance : "neutral";
        if (strcmp(stance, "support") != 0 && strcmp(stance, "oppose") != 0 &&
            strcmp(stance, "neutral") != 0) {
            r = errbuf_set(eb, ERR_INVALID, "field 'stance' must be support, oppose or neutral");
            break;
        }
        if (in->household_id < 0) {
            r = errbuf_set(eb, ERR_INVALID, "field 'household_id' must be a household id");
            break;
        }
        e->member_id = in->member_id > 0 ? in->member_id : actor_member_id;
        e->household_id = in->household_id;
        snprintf(e->stance, sizeof(e->stance), "%s", stance);
        snprintf(e->text, sizeof(e->text), "%s", in->text);
        if ((r = store_topic_entry_add(ctx->st, TOPIC_ENTRY_OPINION, e)) == 0)
            t->opinions++;
        break;
    }
    case COUNCIL_ACTION_ADD_TASK:
        if ((r = check_len(in->owner, "owner", 63, 1, eb)) != 0)
            break;
        if (in->due_ms <= 0) {
            r = errbuf_set(eb, ERR_INVALID, "field 'due' is required for add_task");
            break;
        }
        snprintf(e->text, sizeof(e->text), "%s", in->text);
        snprintf(e->owner, sizeof(e->owner), "%s", in->owner);
        e->due_ms = in->due_ms;
        if ((r = store_topic_entry_add(ctx->st, TOPIC_ENTRY_TASK, e)) == 0) {
            t->tasks++;
            t->open_tasks++;
        }
        break;
    case COUNCIL_ACTION_COMPLETE_TASK:
        r = store_topic_task_done(ctx->st, t->id, in->task_id, in->now_ms);
        if (r == ERR_NOT_FOUND)
            r = errbuf_set(eb, ERR_INVALID, "field 'task_id' is not an open task of this topic");
        if (r == 0)
            t->open_tasks--;
        break;
    case COUNCIL_ACTION_NOTE:
    case COUNCIL_ACTION_SIGN_OFF:
        snprintf(e->stance, sizeof(e->stance), "%s",
                 in->action == COUNCIL_ACTION_NOTE ? "note" : "sign_off");
        snprintf(e->text, sizeof(e->text), "%s", in->text);
        if ((r = store_topic_entry_add(ctx->st, TOPIC_ENTRY_NOTE, e)) == 0 &&
            in->action == COUNCIL_ACTION_NOTE)
            t->notes++;
        break;
    default:
        break;
    }
    free(e);
    return r;
}

static int validate_member(struct service_ctx *ctx, int64_t council_id, int64_t member_id,
                           int64_t now_ms, int need_voting, struct errbuf *eb)
{
    struct council_member_list members;
    int found = 0, r;
    if ((r = store_council_members(ctx->st, council_id, &members)) != 0)
        return r;
    for (size_t i = 0; i < members.len; i++) {
        const struct council_member_rec *m = &members.items[i];
        if (m->id == member_id && council_term_covers(m->term_start_ms, m->term_end_ms, now_ms) &&
            (!need_voting || is_voting_position(m->position)))
            found = 1;
    }
    council_member_list_cleanup(&members);
    if (!found)
        return errbuf_set(eb, ERR_INVALID, "member %lld is not a %smember of this council",
                          (long long)member_id, need_voting ? "voting " : "");
    return 0;
}

int councils_topic_act(struct service_ctx *ctx, const struct principal *p, int64_t id,
                       const struct topic_action_in *in, struct topic_rec *out, struct errbuf *eb)
{
    struct topic_rec *t;
    struct council_rec c;
    struct council_topic_facts f;
    struct council_actor a;
    struct council_input ci;
    struct council_result res;
    int64_t member_id, seq;
    int voting, r;
    char from[16];
    json_t *payload;

    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return ERR_INTERNAL;
    if ((r = store_begin(ctx->st)) != 0) {
        free(t);
        return r;
    }
    if ((r = store_topic_get(ctx->st, id, t)) != 0)
        goto fail;
    /* A resident may act (co-sign, withdraw their own) on an unpublished residents' topic of
     * their village; anyone else must be able to see the topic. */
    if (!councils_topic_can_see(p, t) &&
        !(is_resident_of(p, t->area_code) && strcmp(t->proposer, "residents") == 0)) {
        r = ERR_FORBIDDEN;
        goto fail;
    }
    if ((r = store_council_get(ctx->st, t->council_id, &c)) != 0 ||
        (r = relations(ctx, p, t, in->now_ms, &a, &member_id, &voting)) != 0)
        goto fail;
    facts_of(t, c.min_cosigners, &f);
    memset(&ci, 0, sizeof(ci));
    ci.action = in->action;
    ci.text = in->text;
    ci.reason = in->reason;
    if (in->action == COUNCIL_ACTION_CLOSE_VOTE && f.state == COUNCIL_STATE_VOTING &&
        (r = make_tally(ctx, t, in, voting, &ci, eb)) != 0)
        goto fail;
    if ((r = council_apply(&f, &a, &ci, &res, eb)) != 0)
        goto fail;
    if (in->action == COUNCIL_ACTION_RECORD_OPINION && in->member_id > 0 &&
        (r = validate_member(ctx, c.id, in->member_id, in->now_ms, 0, eb)) != 0)
        goto fail;
    if ((r = write_entry(ctx, p, t, in, member_id, eb)) != 0)
        goto fail;
    snprintf(from, sizeof(from), "%s", t->state);
    seq = t->event_seq;
    snprintf(t->state, sizeof(t->state), "%s", council_state_name(res.to));
    t->is_published = res.is_published;
    if (in->action == COUNCIL_ACTION_CLOSE_VOTE) {
        t->vote_eligible = ci.tally.eligible;
        t->vote_present = ci.tally.present;
        t->vote_yes = ci.tally.yes;
        t->vote_no = ci.tally.no;
        t->vote_abstain = ci.tally.abstain;
        t->is_quorate = res.vote.is_quorate;
        t->is_passed = res.vote.is_passed;
        t->quorum_needed = res.vote.quorum_needed;
        t->majority_needed = res.vote.majority_needed;
        t->voted_ms = in->now_ms;
    }
    if (res.to == COUNCIL_STATE_DONE && f.state != COUNCIL_STATE_DONE)
        t->done_ms = in->now_ms;
    t->updated_ms = in->now_ms;
    t->event_seq = seq + 1;
    if ((r = store_topic_update(ctx->st, t, seq)) != 0)
        goto fail;
    /* The event records what was decided; a vote's record is its totals, never ballots. */
    payload = json_pack("{s:s?, s:s?}", "text", in->text, "reason", in->reason);
    if (in->action == COUNCIL_ACTION_CLOSE_VOTE)
        json_object_set_new(
            payload, "vote",
            json_pack("{s:i, s:i, s:i, s:i, s:i, s:b, s:b, s:i, s:i}", "eligible", t->vote_eligible,
                      "present", t->vote_present, "yes", t->vote_yes, "no", t->vote_no, "abstain",
                      t->vote_abstain, "quorate", t->is_quorate, "passed", t->is_passed,
                      "quorum_needed", t->quorum_needed, "majority_needed", t->majority_needed));
    if ((r = append_event(ctx, p, t, council_action_name(in->action), from, payload, in->now_ms)) !=
            0 ||
        (r = store_commit(ctx->st)) != 0)
        goto fail;
    memcpy(out, t, sizeof(*out));
    free(t);
    return 0;
fail:
    store_rollback(ctx->st);
    free(t);
    return r;
}

/* Staff of the topic's village, or (member_only) a voting member of its council. */
static int may_run_vote(struct service_ctx *ctx, const struct principal *p,
                        const struct topic_rec *t, int64_t now_ms, int64_t *actor_member_id)
{
    struct council_actor a;
    int voting, r;
    if ((r = relations(ctx, p, t, now_ms, &a, actor_member_id, &voting)) != 0)
        return r;
    if (access_check(p, CAP_COUNCIL_MANAGE, t->area_code) == 0)
        return 0;
    if (p->role == ROLE_COUNCIL_MEMBER && a.is_in_scope && a.is_member)
        return 0;
    return ERR_FORBIDDEN;
}

int councils_meeting(struct service_ctx *ctx, const struct principal *p, int64_t topic_id,
                     int64_t at_ms, const char *place, const int64_t *member_ids, size_t n,
                     struct errbuf *eb)
{
    struct topic_rec *t;
    int64_t meeting, actor_member;
    int r;

    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if ((r = check_len(place, "place", 128, 0, eb)) != 0)
        return r;
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return ERR_INTERNAL;
    if ((r = store_begin(ctx->st)) != 0) {
        free(t);
        return r;
    }
    if ((r = store_topic_get(ctx->st, topic_id, t)) != 0)
        goto fail;
    if (!councils_topic_can_see(p, t)) {
        r = ERR_FORBIDDEN;
        goto fail;
    }
    if ((r = may_run_vote(ctx, p, t, at_ms, &actor_member)) != 0) {
        r = errbuf_set(eb, r, "only the committees or a council member may record a meeting");
        goto fail;
    }
    if (strcmp(t->state, "voting") != 0 || strcmp(t->vote_kind, "council") != 0) {
        r = errbuf_set(eb, ERR_INVALID_TRANSITION,
                       "a meeting is recorded while a council vote is open");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        if ((r = validate_member(ctx, t->council_id, member_ids[i], at_ms, 1, eb)) != 0)
            goto fail;
        for (size_t k = 0; k < i; k++)
            if (member_ids[k] == member_ids[i]) {
                r = errbuf_set(eb, ERR_INVALID, "member %lld is listed twice",
                               (long long)member_ids[i]);
                goto fail;
            }
    }
    if ((r = store_topic_meeting_add(ctx->st, topic_id, at_ms, place, member_ids, n, &meeting)) !=
            0 ||
        (r = store_commit(ctx->st)) != 0)
        goto fail;
    free(t);
    return 0;
fail:
    store_rollback(ctx->st);
    free(t);
    return r;
}

int councils_ballot(struct service_ctx *ctx, const struct principal *p, int64_t topic_id,
                    int64_t member_id, const char *choice, int64_t now_ms, struct errbuf *eb)
{
    struct topic_rec *t;
    int64_t actor_member, meeting;
    char key[32];
    int present, r;

    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (choice == NULL ||
        (strcmp(choice, "yes") != 0 && strcmp(choice, "no") != 0 && strcmp(choice, "abstain") != 0))
        return errbuf_set(eb, ERR_INVALID, "field 'choice' must be yes, no or abstain");
    if ((t = calloc(1, sizeof(*t))) == NULL)
        return ERR_INTERNAL;
    if ((r = store_begin(ctx->st)) != 0) {
        free(t);
        return r;
    }
    if ((r = store_topic_get(ctx->st, topic_id, t)) != 0)
        goto fail;
    if (!councils_topic_can_see(p, t)) {
        r = ERR_FORBIDDEN;
        goto fail;
    }
    if ((r = may_run_vote(ctx, p, t, now_ms, &actor_member)) != 0) {
        r = errbuf_set(eb, r, "only a council member or the committees record a ballot");
        goto fail;
    }
    /* A member votes for themselves; staff enter paper ballots for any member. */
    if (access_check(p, CAP_COUNCIL_MANAGE, t->area_code) != 0) {
        if (member_id != 0 && member_id != actor_member) {
            r = errbuf_set(eb, ERR_FORBIDDEN, "a member casts only their own ballot");
            goto fail;
        }
        member_id = actor_member;
    }
    if (strcmp(t->state, "voting") != 0 || strcmp(t->vote_kind, "council") != 0) {
        r = errbuf_set(eb, ERR_INVALID_TRANSITION,
                       "ballots are recorded while a council vote is open");
        goto fail;
    }
    if ((r = validate_member(ctx, t->council_id, member_id, now_ms, 1, eb)) != 0 ||
        (r = store_topic_meeting_latest(ctx->st, topic_id, &meeting, &present)) != 0)
        goto fail;
    if (meeting == 0) {
        r = errbuf_set(eb, ERR_INVALID_TRANSITION, "no meeting was recorded for this vote");
        goto fail;
    }
    if ((r = store_topic_attended(ctx->st, meeting, member_id, &present)) != 0)
        goto fail;
    if (!present) {
        r = errbuf_set(eb, ERR_INVALID, "member %lld did not attend the meeting",
                       (long long)member_id);
        goto fail;
    }
    snprintf(key, sizeof(key), "m:%lld", (long long)member_id);
    r = store_topic_ballot_add(ctx->st, topic_id, key, choice, t->is_secret, now_ms);
    if (r == ERR_EXISTS)
        r = errbuf_set(eb, ERR_EXISTS, "member %lld has already voted", (long long)member_id);
    if (r != 0 || (r = store_commit(ctx->st)) != 0)
        goto fail;
    free(t);
    return 0;
fail:
    store_rollback(ctx->st);
    free(t);
    return r;
}

int councils_decision(struct service_ctx *ctx, int64_t id, struct topic_rec *out)
{
    int r = store_topic_get(ctx->st, id, out);
    if (r != 0)
        return r;
    if (!out->is_published) {
        memset(out, 0, sizeof(*out));
        return ERR_NOT_FOUND;
    }
    return 0;
}
