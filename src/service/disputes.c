/*
 * disputes.c - dispute use cases: validation of a new dispute, the parties key that finds
 * recurrences, one transaction per write (row + children + event), the state machine of
 * domain/dispute.c as the only judge of actions, and statistics (see disputes.h).
 * Called by the API and the demo generator with the caller's context; not thread-shared.
 */
#include "service/disputes.h"

#include "base/jsonutil.h"
#include "domain/areacode.h"
#include "service/cases.h"
#include "service/basedata.h"
#include "service/context.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------------------ */

/* Narrow *area to p's scope (default: the scope itself): ERR_FORBIDDEN when p lacks cap or
 * *area lies outside p's subtree. The empty scope is the whole tree. */
static int scope_area(const struct principal *p, enum capability cap, const char **area)
{
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (!access_role_has(p->role, cap))
        return ERR_FORBIDDEN;
    if (*area == NULL || (*area)[0] == '\0')
        *area = p->scope;
    if ((*area)[0] == '\0' && p->scope[0] == '\0')
        return 0;
    return areacode_in_subtree(*area, p->scope) ? 0 : ERR_FORBIDDEN;
}

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

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The parties, normalised: "p:ID" for a person, "o:ID" for an organisation, "x:NAME" for an
 * outsider (name with blanks removed), sorted and de-duplicated, joined by '|'. Two disputes
 * with the same key are between the same parties. Empty when it would not fit.
 */
static void parties_key(const struct dispute_new *in, char *out, size_t size)
{
    char items[DISPUTES_PARTIES_MAX][80];
    const char *sorted[DISPUTES_PARTIES_MAX] = {NULL};
    size_t used = 0;
    int n = 0;

    for (int i = 0; i < in->n_parties; i++) {
        const struct dispute_party_in *p = &in->parties[i];
        if (strcmp(p->kind, "person") == 0) {
            snprintf(items[n], sizeof(items[n]), "p:%lld", (long long)p->person_id);
        } else if (strcmp(p->kind, "organisation") == 0) {
            snprintf(items[n], sizeof(items[n]), "o:%lld", (long long)p->organisation_id);
        } else {
            size_t k = 2;
            memcpy(items[n], "x:", 2);
            for (const char *c = p->name; *c && k + 1 < sizeof(items[n]); c++)
                if (*c != ' ' && *c != '\t')
                    items[n][k++] = *c;
            items[n][k] = '\0';
        }
        sorted[n] = items[n];
        n++;
    }
    qsort(sorted, (size_t)n, sizeof(sorted[0]), cmp_str);
    out[0] = '\0';
    for (int i = 0; i < n; i++) {
        size_t len = strlen(sorted[i]);
        if (i > 0 && strcmp(sorted[i], sorted[i - 1]) == 0)
            continue;
        if (used + len + 2 > size) {
            out[0] = '\0';
            return;
        }
        if (used > 0)
            out[used++] = '|';
        memcpy(out + used, sorted[i], len + 1);
        used += len;
    }
}

static int check_parties(const struct dispute_new *in, struct errbuf *eb)
{
    if (in->n_parties < 2 || in->n_parties > DISPUTES_PARTIES_MAX)
        return errbuf_set(eb, ERR_INVALID, "field 'parties' must list 2 to %d parties",
                          DISPUTES_PARTIES_MAX);
    for (int i = 0; i < in->n_parties; i++) {
        const struct dispute_party_in *p = &in->parties[i];
        int r;
        if (p->kind == NULL ||
            (strcmp(p->kind, "person") != 0 && strcmp(p->kind, "organisation") != 0 &&
             strcmp(p->kind, "outsider") != 0))
            return errbuf_set(eb, ERR_INVALID,
                              "parties[%d].kind must be person, organisation or outsider", i);
        if (p->side != NULL && strcmp(p->side, "applicant") != 0 &&
            strcmp(p->side, "respondent") != 0 && strcmp(p->side, "other") != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "parties[%d].side must be applicant, respondent or other", i);
        if ((r = check_len(p->name, "parties.name", 63, 0, eb)) != 0)
            return r;
        if (strcmp(p->kind, "person") == 0 && p->person_id <= 0)
            return errbuf_set(eb, ERR_INVALID, "parties[%d].person_id is required", i);
        if (strcmp(p->kind, "organisation") == 0 && p->organisation_id <= 0)
            return errbuf_set(eb, ERR_INVALID, "parties[%d].organisation_id is required", i);
        if (strcmp(p->kind, "outsider") == 0 && is_blank(p->name))
            return errbuf_set(eb, ERR_INVALID, "parties[%d].name is required for an outsider", i);
    }
    return 0;
}

static int append_event(struct service_ctx *ctx, const struct principal *p,
                        const struct dispute_rec *d, const char *action, const char *from,
                        json_t *payload, int64_t now_ms)
{
    struct gov_event e;
    int r;

    memset(&e, 0, sizeof(e));
    e.owner_id = d->id;
    e.seq = d->event_seq;
    e.at_ms = now_ms;
    e.actor_user_id = p ? p->user_id : 0;
    snprintf(e.actor_role, sizeof(e.actor_role), "%s", p ? access_role_name(p->role) : "system");
    snprintf(e.action, sizeof(e.action), "%s", action);
    snprintf(e.from_state, sizeof(e.from_state), "%s", from);
    snprintf(e.to_state, sizeof(e.to_state), "%s", d->state);
    e.payload = json_dumps(payload, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(payload);
    if (e.payload == NULL)
        return ERR_INTERNAL;
    r = store_dispute_event_append(ctx->st, &e);
    free(e.payload);
    return r;
}

/* ---- register ------------------------------------------------------------------------------ */

static int fill_new(struct service_ctx *ctx, const struct principal *p,
                    const struct dispute_new *in, struct dispute_rec *d, struct errbuf *eb)
{
    enum dispute_type type;
    enum dispute_risk risk = DISPUTE_RISK_LOW;
    const char *area = in->area_code;
    struct case_rec c;
    int exists = 0, r;

    if ((r = check_len(in->title, "title", 128, 1, eb)) != 0 ||
        (r = check_len(in->summary, "summary", DISPUTE_TEXT_MAX, 0, eb)) != 0)
        return r;
    if (in->type == NULL || dispute_type_parse(in->type, &type) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'type' must be neighbour, family, labour_wages, "
                          "land_expropriation, property, medical, consumer, traffic or other");
    if (in->risk != NULL && dispute_risk_parse(in->risk, &risk) != 0)
        return errbuf_set(eb, ERR_INVALID, "field 'risk' must be low, medium, high or major");
    if ((r = check_parties(in, eb)) != 0)
        return r;
    memset(&c, 0, sizeof(c));
    if (in->case_id < 0)
        return errbuf_set(eb, ERR_INVALID, "field 'case_id' must be a case id");
    if (in->case_id > 0) {
        r = cases_get(ctx, p, in->case_id, &c);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "case %lld does not exist", (long long)in->case_id);
        if (r != 0)
            return errbuf_set(eb, r, "case %lld is outside what this user may see",
                              (long long)in->case_id);
        if (area == NULL)
            area = c.area_code;
    }
    if (area == NULL) {
        case_rec_cleanup(&c);
        return errbuf_set(eb, ERR_INVALID, "field 'area_code' is required (or give 'case_id')");
    }
    snprintf(d->area_code, sizeof(d->area_code), "%s", area);
    case_rec_cleanup(&c);
    if (!areacode_is_valid(d->area_code))
        return errbuf_set(eb, ERR_INVALID, "field 'area_code' is not an area code");
    if ((r = access_check(p, CAP_DISPUTE_REPORT, d->area_code)) != 0)
        return errbuf_set(eb, r, "area %s is outside what this user may register disputes in",
                          d->area_code);
    if ((r = store_area_exists(ctx->st, d->area_code, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", d->area_code);
    if (in->found_ms < 0 || in->found_ms > in->now_ms)
        return errbuf_set(eb, ERR_INVALID, "field 'found_at' must not be in the future");
    snprintf(d->title, sizeof(d->title), "%s", in->title);
    snprintf(d->type, sizeof(d->type), "%s", dispute_type_name(type));
    snprintf(d->risk, sizeof(d->risk), "%s", dispute_risk_name(risk));
    snprintf(d->state, sizeof(d->state), "%s", dispute_state_name(DISPUTE_STATE_REGISTERED));
    snprintf(d->outcome, sizeof(d->outcome), "%s", dispute_outcome_name(DISPUTE_OUTCOME_NONE));
    snprintf(d->summary, sizeof(d->summary), "%s", in->summary ? in->summary : "");
    d->level = dispute_initial_level(risk, areacode_level(d->area_code));
    d->case_id = in->case_id;
    parties_key(in, d->parties_key, sizeof(d->parties_key));
    d->created_by = p->user_id;
    d->found_ms = in->found_ms > 0 ? in->found_ms : in->now_ms;
    d->created_ms = d->updated_ms = in->now_ms;
    d->event_seq = 1;
    return 0;
}

/* Persons and organisations named as parties must exist in the base data and be ones the
 * registrar may see; a person's household is noted so its file shows the dispute.
 * households[i] gets party i's household id (0 when none). */
static int check_party_records(struct service_ctx *ctx, const struct principal *p,
                               const struct dispute_new *in, int64_t *households, struct errbuf *eb)
{
    for (int i = 0; i < in->n_parties; i++) {
        const struct dispute_party_in *party = &in->parties[i];
        int is_person = strcmp(party->kind, "person") == 0;
        struct bd_record rec;
        int r;
        households[i] = 0;
        if (!is_person && strcmp(party->kind, "organisation") != 0)
            continue;
        r = store_bd_get(ctx->st, is_person ? BD_PERSON : BD_ORGANISATION,
                         is_person ? party->person_id : party->organisation_id, &rec);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "parties[%d]: no %s %lld", i, party->kind,
                              (long long)(is_person ? party->person_id : party->organisation_id));
        if (r != 0)
            return r;
        if (access_check(p, CAP_PERSON_READ, rec.cell_code) != 0 &&
            access_check(p, CAP_DISPUTE_REPORT, rec.cell_code) != 0)
            r = errbuf_set(eb, ERR_FORBIDDEN, "parties[%d] is outside this user's area", i);
        if (r == 0 && is_person) {
            int h = bd_field_index(bd_entity(BD_PERSON), "household_id");
            if (rec.v[h].text && rec.v[h].text[0])
                households[i] = strtoll(rec.v[h].text, NULL, 10);
        }
        bd_record_cleanup(&rec);
        if (r != 0)
            return r;
    }
    return 0;
}

int disputes_register(struct service_ctx *ctx, const struct principal *p,
                      const struct dispute_new *in, struct dispute_rec *out, struct errbuf *eb)
{
    int64_t households[DISPUTES_PARTIES_MAX] = {0};
    struct dispute_rec *d = calloc(1, sizeof(*d));
    json_t *payload;
    int r;

    memset(out, 0, sizeof(*out));
    if (d == NULL)
        return ERR_INTERNAL;
    if (p == NULL) {
        free(d);
        return ERR_UNAUTHORIZED;
    }
    if ((r = fill_new(ctx, p, in, d, eb)) != 0 ||
        (r = check_party_records(ctx, p, in, households, eb)) != 0) {
        free(d);
        return r;
    }
    if ((r = store_begin(ctx->st)) != 0) {
        free(d);
        return r;
    }
    if ((r = store_dispute_find_recurrence(ctx->st, d->parties_key, 0, &d->recurrence_of)) != 0 ||
        (r = store_dispute_insert(ctx->st, d)) != 0)
        goto fail;
    for (int i = 0; i < in->n_parties; i++) {
        struct dispute_party party;
        memset(&party, 0, sizeof(party));
        party.dispute_id = d->id;
        snprintf(party.kind, sizeof(party.kind), "%s", in->parties[i].kind);
        party.person_id = in->parties[i].person_id;
        party.organisation_id = in->parties[i].organisation_id;
        snprintf(party.name, sizeof(party.name), "%s",
                 in->parties[i].name ? in->parties[i].name : "");
        snprintf(party.side, sizeof(party.side), "%s",
                 in->parties[i].side ? in->parties[i].side : "other");
        if ((r = store_dispute_party_add(ctx->st, &party)) != 0)
            goto fail;
        if (households[i] > 0 && (r = basedata_link_household(ctx->st, households[i], "dispute",
                                                              d->id, d->found_ms, d->title)) != 0)
            goto fail;
    }
    payload =
        json_pack("{s:s, s:s, s:i, s:I, s:I}", "type", d->type, "risk", d->risk, "level", d->level,
                  "case_id", (json_int_t)d->case_id, "recurrence_of", (json_int_t)d->recurrence_of);
    if ((r = append_event(ctx, p, d, "register", "", payload, in->now_ms)) != 0 ||
        (r = store_commit(ctx->st)) != 0)
        goto fail;
    memcpy(out, d, sizeof(*out));
    free(d);
    return 0;
fail:
    store_rollback(ctx->st);
    free(d);
    return r;
}

/* ---- read ---------------------------------------------------------------------------------- */

int disputes_can_see(const struct principal *p, const struct dispute_rec *d)
{
    return p != NULL && access_check(p, CAP_DISPUTE_READ, d->area_code) == 0;
}

int disputes_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 struct dispute_rec *out)
{
    int r = store_dispute_get(ctx->st, id, out);
    if (r != 0)
        return r;
    if (!disputes_can_see(p, out)) {
        memset(out, 0, sizeof(*out));
        return ERR_FORBIDDEN;
    }
    return 0;
}

int disputes_list(struct service_ctx *ctx, const struct principal *p, struct dispute_filter *f,
                  struct dispute_list *out)
{
    int r;
    out->items = NULL;
    out->len = 0;
    if ((r = scope_area(p, CAP_DISPUTE_READ, &f->area)) != 0)
        return r;
    return store_dispute_list(ctx->st, f, out);
}

static void facts_of(const struct dispute_rec *d, struct dispute_facts *f)
{
    memset(f, 0, sizeof(*f));
    f->state = DISPUTE_STATE_COUNT; /* invalid unless parsed */
    (void)dispute_state_parse(d->state, &f->state);
    f->outcome = DISPUTE_OUTCOME_NONE;
    (void)dispute_outcome_parse(d->outcome, &f->outcome);
    f->level = d->level;
    f->mediator_count = d->mediator_count;
    f->session_count = d->session_count;
}

static int actor_of(struct service_ctx *ctx, const struct principal *p, const struct dispute_rec *d,
                    struct dispute_actor *a)
{
    int r = 0;
    memset(a, 0, sizeof(*a));
    a->role = p->role;
    a->is_in_scope = areacode_in_subtree(d->area_code, p->scope);
    if (p->role == ROLE_MEDIATOR)
        r = store_dispute_is_mediator(ctx->st, d->id, p->user_id, &a->is_assigned_mediator);
    return r;
}

unsigned disputes_allowed_actions(struct service_ctx *ctx, const struct principal *p,
                                  const struct dispute_rec *d)
{
    struct dispute_facts f;
    struct dispute_actor a;
    if (p == NULL || actor_of(ctx, p, d, &a) != 0)
        return 0;
    facts_of(d, &f);
    return dispute_allowed_actions(&f, &a);
}

/* ---- act ----------------------------------------------------------------------------------- */

/* The mediator being assigned: a user with role mediator whose area covers the dispute. */
static int check_mediator_user(struct service_ctx *ctx, const struct dispute_rec *d,
                               int64_t user_id, struct errbuf *eb)
{
    struct user u;
    int r;
    if (user_id == 0)
        return 0;
    if ((r = store_user_get(ctx->st, user_id, &u)) == ERR_NOT_FOUND || (r == 0 && u.is_disabled))
        return errbuf_set(eb, ERR_INVALID, "field 'mediator_user_id' is not a user");
    if (r != 0)
        return r;
    if (strcmp(u.role, "mediator") != 0)
        return errbuf_set(eb, ERR_INVALID, "user %lld is not a mediator", (long long)user_id);
    if (!areacode_in_subtree(d->area_code, u.area_code))
        return errbuf_set(eb, ERR_INVALID, "mediator %lld does not cover area %s",
                          (long long)user_id, d->area_code);
    return 0;
}

static int write_effects(struct service_ctx *ctx, const struct principal *p,
                         const struct dispute_rec *d, const struct dispute_input *in,
                         const struct dispute_result *res, int64_t mediator_user_id, int64_t now_ms)
{
    if (res->is_mediator) {
        struct dispute_mediator m;
        memset(&m, 0, sizeof(m));
        m.dispute_id = d->id;
        snprintf(m.role, sizeof(m.role), "%s", in->mediator_role);
        snprintf(m.name, sizeof(m.name), "%s", in->mediator_name);
        m.user_id = mediator_user_id;
        m.assigned_ms = now_ms;
        return store_dispute_mediator_add(ctx->st, &m);
    }
    if (res->is_session || res->is_follow_up) {
        struct dispute_entry *e = calloc(1, sizeof(*e));
        int r;
        if (e == NULL)
            return ERR_INTERNAL;
        e->dispute_id = d->id;
        e->at_ms = now_ms;
        e->user_id = p->user_id;
        snprintf(e->text, sizeof(e->text), "%s", in->text);
        r = store_dispute_entry_add(
            ctx->st, res->is_session ? DISPUTE_ENTRY_SESSION : DISPUTE_ENTRY_FOLLOW_UP, e);
        free(e);
        return r;
    }
    return 0;
}

int disputes_act(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 const struct dispute_input *in, int64_t mediator_user_id, int64_t now_ms,
                 struct dispute_rec *out, struct errbuf *eb)
{
    struct dispute_rec *d = calloc(1, sizeof(*d));
    struct dispute_facts f;
    struct dispute_actor a;
    struct dispute_result res;
    char from[16];
    int64_t seq;
    json_t *payload;
    int r;

    memset(out, 0, sizeof(*out));
    if (d == NULL)
        return ERR_INTERNAL;
    if (p == NULL) {
        free(d);
        return ERR_UNAUTHORIZED;
    }
    if ((r = store_begin(ctx->st)) != 0) {
        free(d);
        return r;
    }
    if ((r = store_dispute_get(ctx->st, id, d)) != 0)
        goto fail;
    if (!disputes_can_see(p, d)) {
        r = errbuf_set(eb, ERR_FORBIDDEN, "the dispute is outside what this user may see");
        goto fail;
    }
    if ((r = actor_of(ctx, p, d, &a)) != 0)
        goto fail;
    facts_of(d, &f);
    if ((r = dispute_apply(&f, &a, in, &res, eb)) != 0)
        goto fail;
    if (!res.is_mediator && mediator_user_id != 0) {
        r = errbuf_set(eb, ERR_INVALID, "field 'mediator_user_id' is only for assign_mediator");
        goto fail;
    }
    if (res.is_mediator && (r = check_mediator_user(ctx, d, mediator_user_id, eb)) != 0)
        goto fail;
    if ((r = write_effects(ctx, p, d, in, &res, mediator_user_id, now_ms)) != 0)
        goto fail;
    snprintf(from, sizeof(from), "%s", d->state);
    seq = d->event_seq;
    snprintf(d->state, sizeof(d->state), "%s", dispute_state_name(res.to));
    snprintf(d->outcome, sizeof(d->outcome), "%s", dispute_outcome_name(res.outcome));
    d->level = res.level;
    d->mediator_count += res.is_mediator;
    d->session_count += res.is_session;
    d->follow_up_count += res.is_follow_up;
    d->updated_ms = now_ms;
    if (dispute_state_is_open(res.to))
        d->closed_ms = 0;
    else if (dispute_state_is_open(f.state))
        d->closed_ms = now_ms;
    d->event_seq = seq + 1;
    if ((r = store_dispute_update(ctx->st, d, seq)) != 0)
        goto fail;
    payload = json_pack("{s:s?, s:s?, s:s?, s:s?, s:s?, s:i}", "text", in->text, "reason",
                        in->reason, "referral", in->referral, "mediator_role", in->mediator_role,
                        "mediator_name", in->mediator_name, "level", d->level);
    if ((r = append_event(ctx, p, d, dispute_action_name(in->action), from, payload, now_ms)) !=
            0 ||
        (r = store_commit(ctx->st)) != 0)
        goto fail;
    memcpy(out, d, sizeof(*out));
    free(d);
    return 0;
fail:
    store_rollback(ctx->st);
    free(d);
    return r;
}

/* ---- statistics ---------------------------------------------------------------------------- */

static int collect_row(void *vctx, const struct dispute_stats_row *row)
{
    struct dispute_stats *s = vctx;
    if (s->n_rows < DISPUTE_TYPE_COUNT)
        s->rows[s->n_rows++] = *row;
    s->total.found += row->found;
    s->total.mediated += row->mediated;
    s->total.concluded += row->concluded;
    s->total.success += row->success;
    s->total.recurrences += row->recurrences;
    return 0;
}

int disputes_stats(struct service_ctx *ctx, const struct principal *p, const char *area,
                   int64_t from_ms, int64_t to_ms, struct dispute_stats *out)
{
    int r;
    memset(out, 0, sizeof(*out));
    snprintf(out->total.type, sizeof(out->total.type), "%s", "all");
    if ((r = scope_area(p, CAP_DISPUTE_READ, &area)) != 0)
        return r;
    return store_dispute_stats(service_ctx_reader(ctx), area, from_ms, to_ms, collect_row, out);
}
