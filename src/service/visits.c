/*
 * visits.c - visits, campaigns, cadence rules and task lists (see visits.h).
 *
 * A visit with a follow-up case is one job on the writer (service/fieldwork.h): the case is
 * reported through cases_report inside the visit's transaction (its own work is a savepoint
 * there), so the visit, the case, their link and the household timeline entry land together
 * or not at all.
 */
#include "service/visits.h"

#include "base/jsonutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/basedata.h"
#include "service/context.h"
#include "service/fieldwork.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- recording ---------------------------------------------------------------------------- */

struct record_job {
    const struct principal *p;
    struct visit_input *in;
    enum bd_kind kind;
    struct visit_rec *visit;
    struct case_rec *follow_up_case;
    struct errbuf *eb;
};

static int record_run(struct service_ctx *ctx, void *arg)
{
    struct record_job *j = arg;
    struct visit_input *in = j->in;
    struct bd_record subj;
    struct visit_rec v;
    struct case_rec c;
    int r;

    memset(&v, 0, sizeof(v));
    memset(&c, 0, sizeof(c));
    memset(&subj, 0, sizeof(subj));
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    r = store_bd_get(ctx->st, j->kind, in->subject_id, &subj);
    if (r == ERR_NOT_FOUND) {
        errbuf_set(j->eb, r, "no %s %lld", in->subject_kind, (long long)in->subject_id);
        goto fail;
    }
    if (r != 0)
        goto fail;
    if (access_check(j->p, CAP_FIELD_WORK, subj.cell_code) != 0) {
        r = errbuf_set(j->eb, ERR_FORBIDDEN, "this user may not visit %s %lld (area %s)",
                       in->subject_kind, (long long)in->subject_id, subj.cell_code);
        goto fail;
    }
    if (in->follow_up != NULL) {
        struct case_report *rep = in->follow_up;
        rep->channel = "visit";
        if (!rep->has_point)
            rep->area_code = subj.cell_code;
        rep->household_id = j->kind == BD_HOUSEHOLD ? in->subject_id : 0;
        rep->patrol_id = 0;
        rep->now_ms = in->now_ms;
        if ((r = cases_report(ctx, j->p, rep, &c, NULL, j->eb)) != 0)
            goto fail;
    }
    snprintf(v.subject_kind, sizeof(v.subject_kind), "%s", in->subject_kind);
    v.subject_id = in->subject_id;
    snprintf(v.cell_code, sizeof(v.cell_code), "%s", subj.cell_code);
    v.user_id = j->p->user_id;
    v.visited_ms = in->visited_ms;
    snprintf(v.findings, sizeof(v.findings), "%s", in->findings);
    v.case_id = c.id;
    v.created_ms = in->now_ms;
    if ((r = store_visit_insert(ctx->st, &v)) != 0)
        goto fail;
    if (in->idem_key != NULL &&
        (r = store_visit_key_insert(ctx->st, j->p->user_id, in->idem_key, v.id, in->now_ms)) != 0)
        goto fail;
    if (c.id != 0 && (r = store_field_case_link_add(ctx->st, "visit", v.id, c.id)) != 0)
        goto fail;
    if (j->kind == BD_HOUSEHOLD &&
        (r = basedata_link_household(ctx->st, in->subject_id, "visit", v.id, in->visited_ms,
                                     in->findings)) != 0)
        goto fail;
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    bd_record_cleanup(&subj);
    *j->visit = v;
    *j->follow_up_case = c;
    return 0;
fail:
    store_rollback(ctx->st);
    bd_record_cleanup(&subj);
    case_rec_cleanup(&c);
    return r;
}

int visits_record(struct service_ctx *ctx, const struct principal *p, struct visit_input *in,
                  struct visit_rec *visit, struct case_rec *follow_up_case, struct errbuf *eb)
{
    struct record_job job;
    size_t n;
    memset(visit, 0, sizeof(*visit));
    memset(follow_up_case, 0, sizeof(*follow_up_case));
    job = (struct record_job){p, in, BD_HOUSEHOLD, visit, follow_up_case, eb};
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (in->subject_kind == NULL || strcmp(in->subject_kind, "household") == 0) {
        in->subject_kind = "household";
        job.kind = BD_HOUSEHOLD;
    } else if (strcmp(in->subject_kind, "organisation") == 0) {
        job.kind = BD_ORGANISATION;
    } else {
        return errbuf_set(eb, ERR_INVALID, "a visit is to a household or an organisation");
    }
    if (in->subject_id <= 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field 'household_id' (or 'organisation_id') is "
                          "required");
    if (!access_role_has(p->role, CAP_FIELD_WORK))
        return errbuf_set(eb, ERR_FORBIDDEN,
                          "visits are recorded by grid workers and "
                          "community staff");
    if (in->findings == NULL || (n = strlen(in->findings)) == 0 || n > VISIT_FINDINGS_MAX ||
        !utf8_is_clean_text(in->findings, n))
        return errbuf_set(eb, ERR_INVALID, "field 'findings' must be text of 1..%d bytes",
                          VISIT_FINDINGS_MAX);
    if (in->visited_ms > in->now_ms + (int64_t)5 * 60 * 1000)
        return errbuf_set(eb, ERR_INVALID, "field 'visited_at' lies in the future");
    if (in->visited_ms < in->now_ms - VISITS_PAST_MAX_MS)
        return errbuf_set(eb, ERR_INVALID, "field 'visited_at' is more than a year ago");
    return fieldwork_write(ctx, record_run, &job);
}

int visits_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
               struct visit_rec *out, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_visit_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no visit %lld", (long long)id);
    if (r != 0)
        return r;
    if (access_check(p, CAP_FIELD_READ, out->cell_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "visit %lld lies outside what this user may see",
                          (long long)id);
    return 0;
}

/* The area of a listing: given (checked) or the caller's scope. */
static int read_area(const struct principal *p, const char **area, struct errbuf *eb)
{
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (*area == NULL)
        *area = p->scope;
    if (!areacode_is_valid(*area))
        return errbuf_set(eb, ERR_INVALID, "query parameter 'area' must be an area code");
    if (access_check(p, CAP_FIELD_READ, *area) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "area %.20s is outside what this user may see", *area);
    return 0;
}

int visits_list(struct service_ctx *ctx, const struct principal *p, struct visit_filter *f,
                store_visit_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if ((r = read_area(p, &f->area, eb)) != 0)
        return r;
    if (f->limit < 1 || f->limit > VISITS_PAGE_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", VISITS_PAGE_MAX);
    return store_visit_list(ctx->st, f, fn, fctx);
}

/* ---- cadence rules ------------------------------------------------------------------------ */

int visits_rules(struct service_ctx *ctx, struct visit_rules *out, struct errbuf *eb)
{
    char *text = NULL;
    int r = store_meta_get_text(ctx->st, VISITS_RULES_META, &text);
    if (r == ERR_NOT_FOUND) {
        visit_rules_default(out);
        return 0;
    }
    if (r != 0)
        return r;
    r = visit_rules_parse(text, strlen(text), out, eb);
    free(text);
    return r;
}

int visits_set_rules(struct service_ctx *ctx, const struct principal *p, const char *csv,
                     struct errbuf *eb)
{
    struct visit_rules rules;
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (!access_role_has(p->role, CAP_USER_ADMIN))
        return errbuf_set(eb, ERR_FORBIDDEN, "the visit rules are set by administrators");
    if (csv == NULL || strlen(csv) > 16384)
        return errbuf_set(eb, ERR_INVALID, "the visit rules must be CSV text of at most 16 KiB");
    if ((r = visit_rules_parse(csv, strlen(csv), &rules, eb)) != 0)
        return r;
    return store_meta_set(ctx->st, VISITS_RULES_META, csv);
}

/* ---- campaigns ---------------------------------------------------------------------------- */

int campaigns_create(struct service_ctx *ctx, const struct principal *p, const char *name,
                     const char *area, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     struct campaign_rec *out, struct errbuf *eb)
{
    struct campaign_rec c;
    int exists = 0, r;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (name == NULL || name[0] == '\0' || strlen(name) >= sizeof(c.name) ||
        !utf8_is_clean_text(name, strlen(name)))
        return errbuf_set(eb, ERR_INVALID, "field 'name' must be text of 1..%zu bytes",
                          sizeof(c.name) - 1);
    if (area == NULL || !areacode_is_valid(area))
        return errbuf_set(eb, ERR_INVALID, "field 'area' must be an area code");
    if (to_ms <= from_ms || to_ms - from_ms > CAMPAIGN_SPAN_MAX)
        return errbuf_set(eb, ERR_INVALID, "'to' must follow 'from', at most 400 days later");
    if ((r = store_area_exists(ctx->st, area, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", area);
    if (access_check(p, CAP_FIELD_PLAN, area) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user may not start campaigns in area %s", area);
    memset(&c, 0, sizeof(c));
    snprintf(c.name, sizeof(c.name), "%s", name);
    snprintf(c.area_code, sizeof(c.area_code), "%s", area);
    c.from_ms = from_ms;
    c.to_ms = to_ms;
    c.created_ms = now_ms;
    c.created_by = p->user_id;
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    if ((r = store_campaign_insert(ctx->st, &c)) != 0 || (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        return r;
    }
    *out = c;
    return 0;
}

int campaigns_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                  struct campaign_rec *out, store_coverage_fn fn, void *fctx, struct errbuf *eb)
{
    int r;
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    r = store_campaign_get(ctx->st, id, out);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, r, "no campaign %lld", (long long)id);
    if (r != 0)
        return r;
    if (access_check(p, CAP_FIELD_READ, out->area_code) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "campaign %lld lies outside what this user may see",
                          (long long)id);
    return store_campaign_coverage(ctx->st, id, fn, fctx);
}

/* ---- task lists --------------------------------------------------------------------------- */

void visit_tasks_cleanup(struct visit_tasks *t)
{
    if (t == NULL)
        return;
    free(t->items);
    case_list_cleanup(&t->to_verify);
    memset(t, 0, sizeof(*t));
}

static int task_cmp(const void *a, const void *b)
{
    const struct visit_task *x = a, *y = b;
    if (x->days_overdue != y->days_overdue)
        return x->days_overdue > y->days_overdue ? -1 : 1;
    if (x->state.subject_id != y->state.subject_id)
        return x->state.subject_id < y->state.subject_id ? -1 : 1;
    return strcmp(x->state.subject_kind, y->state.subject_kind);
}

/* The newest visit base that can make a household of interval `days` overdue at now_ms:
 * visit_days_overdue > 0 exactly when now - base >= (days + 1) whole days. */
static int64_t base_bound(int64_t now_ms, int days)
{
    return now_ms - ((int64_t)days + 1) * VISIT_DAY_MS;
}

/* One range query of visits_overdue: the households of kind (NULL: any; tagged: with tagged
 * members) whose base is at most bound. */
struct due_range {
    const char *kind;
    int tagged;
    int64_t bound;
};

#define DUE_RANGES_MAX (VISIT_RULES_MAX + 2)

/* The overdue households seen so far: the `limit` worst in a heap (worst of them on top, so
 * a better one replaces it), and how many in all. */
struct overdue_scan {
    const struct visit_rules *rules;
    int64_t now_ms;
    const struct due_range *ranges;
    int n_ranges, current;
    struct visit_task *heap;
    size_t len, limit;
    int64_t total;
};

/* The first range that holds s: each household is taken from that range only. */
static int owner_range(const struct overdue_scan *o, const struct visit_state *s)
{
    int64_t base = s->last_visit_ms > 0 ? s->last_visit_ms : s->created_ms;
    for (int i = 0; i < o->n_ranges; i++) {
        const struct due_range *d = &o->ranges[i];
        if (base <= d->bound && (d->kind == NULL || strcmp(d->kind, s->kind) == 0) &&
            (!d->tagged || s->tags[0] != '\0'))
            return i;
    }
    return -1;
}

static void heap_sift_down(struct visit_task *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, top = i;
        if (l < n && task_cmp(&h[l], &h[top]) > 0)
            top = l;
        if (r < n && task_cmp(&h[r], &h[top]) > 0)
            top = r;
        if (top == i)
            return;
        struct visit_task t = h[i];
        h[i] = h[top];
        h[top] = t;
        i = top;
    }
}

static void heap_push(struct overdue_scan *o, const struct visit_task *t)
{
    size_t i = o->len++;
    o->heap[i] = *t;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (task_cmp(&o->heap[i], &o->heap[parent]) <= 0)
            break;
        struct visit_task x = o->heap[i];
        o->heap[i] = o->heap[parent];
        o->heap[parent] = x;
        i = parent;
    }
}

static int overdue_add(void *arg, const struct visit_state *s)
{
    struct overdue_scan *o = arg;
    const char *tags[1] = {s->tags};
    struct visit_task t;
    if (owner_range(o, s) != o->current)
        return 0;
    memset(&t, 0, sizeof(t));
    t.interval_days = visit_interval_days(o->rules, s->kind, tags, 1, t.rule);
    t.days_overdue =
        visit_days_overdue(s->last_visit_ms, s->created_ms, t.interval_days, o->now_ms);
    if (t.days_overdue <= 0)
        return 0;
    t.state = *s;
    o->total++;
    if (o->len < o->limit) {
        heap_push(o, &t);
    } else if (task_cmp(&t, &o->heap[0]) < 0) {
        o->heap[0] = t;
        heap_sift_down(o->heap, o->len, 0);
    }
    return 0;
}

int visits_overdue(struct store *st, const struct visit_rules *rules, const char *area,
                   int64_t now_ms, int limit, struct visit_tasks *out)
{
    struct due_range ranges[DUE_RANGES_MAX];
    struct overdue_scan scan;
    int n = 0, tag_days = 0, r = 0;
    memset(out, 0, sizeof(*out));
    if (limit < 1)
        return ERR_INVALID;
    /* every household, by the default interval (no household's interval is longer) */
    ranges[n++] = (struct due_range){NULL, 0, base_bound(now_ms, rules->default_days)};
    for (int i = 0; i < rules->n; i++) {
        const struct visit_rule *rule = &rules->rules[i];
        if (rule->interval_days >= rules->default_days)
            continue; /* never the shortest: the first range has them */
        if (strncmp(rule->name, "kind:", 5) == 0)
            ranges[n++] =
                (struct due_range){rule->name + 5, 0, base_bound(now_ms, rule->interval_days)};
        else if (tag_days == 0 || rule->interval_days < tag_days)
            tag_days = rule->interval_days;
    }
    if (tag_days > 0)
        ranges[n++] = (struct due_range){NULL, 1, base_bound(now_ms, tag_days)};
    memset(&scan, 0, sizeof(scan));
    scan.rules = rules;
    scan.now_ms = now_ms;
    scan.ranges = ranges;
    scan.n_ranges = n;
    scan.limit = (size_t)limit;
    scan.heap = xcalloc(scan.limit, sizeof(*scan.heap));
    for (int i = 0; i < n && r == 0; i++) {
        scan.current = i;
        r = store_visit_due(st, area, ranges[i].kind, ranges[i].tagged, ranges[i].bound,
                            overdue_add, &scan);
    }
    if (r != 0) {
        free(scan.heap);
        return r;
    }
    if (scan.len > 0)
        qsort(scan.heap, scan.len, sizeof(*scan.heap), task_cmp);
    out->items = scan.heap;
    out->len = scan.len;
    out->total_overdue = scan.total;
    return 0;
}

int visits_tasks(struct service_ctx *ctx, const struct principal *p, const char *area,
                 int64_t now_ms, int limit, struct visit_tasks *out, struct errbuf *eb)
{
    struct visit_rules rules;
    struct case_filter cf;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = read_area(p, &area, eb)) != 0)
        return r;
    if (limit < 1 || limit > VISITS_TASKS_MAX)
        return errbuf_set(eb, ERR_INVALID, "limit must be 1..%d", VISITS_TASKS_MAX);
    if ((r = visits_rules(ctx, &rules, eb)) != 0)
        return r;
    if ((r = visits_overdue(ctx->st, &rules, area, now_ms, limit, out)) != 0)
        return r;
    if (access_role_has(p->role, CAP_CASE_READ)) {
        memset(&cf, 0, sizeof(cf));
        cf.area = area;
        cf.statuses[0] = "handled";
        cf.now_ms = now_ms;
        cf.limit = 100;
        if ((r = cases_list(ctx, p, &cf, &out->to_verify)) != 0) {
            visit_tasks_cleanup(out);
            return r;
        }
    }
    return 0;
}
