/*
 * visits.h - household visits, visit campaigns (四万走访) and the grid worker's task list
 * (SPEC section 5; issue 5).
 *
 * A visit records who visited which household (or organisation), when, and what was found;
 * it may open a follow-up case through the cases service (channel "visit"), linked to the
 * visit, and it appears in the household file's timeline (store_household_link_add, kind
 * "visit") -- all in the visit's one transaction. A campaign freezes its target set (every
 * household and organisation of an area when it starts) and reports coverage per grid: the
 * targets visited within its window. Visit cadence follows risk (domain/visit.h); the rules
 * are the built-in ones unless a CSV document was stored (visits_set_rules). The task list of
 * a grid worker: the overdue households of their area, worst first, and the cases waiting
 * there for verification.
 *
 * Access: recording a visit needs CAP_FIELD_WORK over the subject's cell; reading visits,
 * campaigns and tasks CAP_FIELD_READ over the area; starting a campaign CAP_FIELD_PLAN;
 * replacing the cadence rules CAP_USER_ADMIN.
 */
#ifndef GRIDGOV_SERVICE_VISITS_H
#define GRIDGOV_SERVICE_VISITS_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/visit.h"
#include "service/cases.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;

#define VISITS_PAGE_MAX    1000
#define VISITS_PAST_MAX_MS (366LL * 86400000) /* a visit recorded up to a year late */
#define VISITS_TASKS_MAX   500
#define VISITS_RULES_META  "visit_rules"
#define CAMPAIGN_SPAN_MAX  (400LL * 86400000)

struct visit_input {
    const char *subject_kind; /* "household" | "organisation" */
    int64_t subject_id;
    int64_t visited_ms;   /* not in the future, at most VISITS_PAST_MAX_MS ago */
    const char *findings; /* 1..VISIT_FINDINGS_MAX bytes of text */
    /* The follow-up case, or NULL. channel, area (the subject's cell unless a point is given)
     * and household are filled in here. */
    struct case_report *follow_up;
    int64_t now_ms;
    /* The client's idempotency key (offline queues), or NULL: stored with the visit in its
     * transaction (store_visit_key_insert); a key the caller used before makes the whole
     * record ERR_EXISTS, and the visit made the first time stands. */
    const char *idem_key;
};
/* Record a visit (write). *visit is the stored visit; *follow_up_case the case opened (id 0
 * when none; caller cleans it up). ERR_INVALID naming the field, ERR_NOT_FOUND,
 * ERR_FORBIDDEN, or the cases service's error for the follow-up. */
int visits_record(struct service_ctx *ctx, const struct principal *p, struct visit_input *in,
                  struct visit_rec *visit, struct case_rec *follow_up_case, struct errbuf *eb);
int visits_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
               struct visit_rec *out, struct errbuf *eb);
/* Visits in f->area (NULL: the caller's scope), newest first. */
int visits_list(struct service_ctx *ctx, const struct principal *p, struct visit_filter *f,
                store_visit_fn fn, void *fctx, struct errbuf *eb);

/* The cadence rules in force: the stored CSV document, else the built-in defaults. */
int visits_rules(struct service_ctx *ctx, struct visit_rules *out, struct errbuf *eb);
/* Replace the rules with a CSV document "rule,interval_days" (write), after checking it. */
int visits_set_rules(struct service_ctx *ctx, const struct principal *p, const char *csv,
                     struct errbuf *eb);

/* Start a campaign over area for visits in [from_ms, to_ms) (write). */
int campaigns_create(struct service_ctx *ctx, const struct principal *p, const char *name,
                     const char *area, int64_t from_ms, int64_t to_ms, int64_t now_ms,
                     struct campaign_rec *out, struct errbuf *eb);
/* A campaign and its coverage per grid (fn per grid, grid order). */
int campaigns_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                  struct campaign_rec *out, store_coverage_fn fn, void *fctx, struct errbuf *eb);

/* One overdue household (or organisation) of a task list. */
struct visit_task {
    struct visit_state state;
    int interval_days;
    char rule[VISIT_RULE_NAME_MAX]; /* the rule that set the interval */
    int64_t days_overdue;           /* > 0 */
};
struct visit_tasks {
    struct visit_task *items; /* owned; worst first (most days overdue, then id) */
    size_t len;
    int64_t total_overdue;      /* all of them, even beyond the limit */
    struct case_list to_verify; /* cases in the area waiting for verification (handled) */
};
void visit_tasks_cleanup(struct visit_tasks *t);
/*
 * The overdue households of area's subtree at now_ms under rules (the first part of a task
 * list): out->items (at most limit, worst first), out->len and out->total_overdue; to_verify is
 * left empty. Exactly the households whose visit_days_overdue (over visit_interval_days of
 * their kind and members' tags) is positive, found without reading every household of the
 * area: a household is overdue when its visit base (last visit, else created_ms) lies at least
 * interval + 1 days back, and its interval is the shortest of the default and the rules that
 * apply to it, so it is among the households whose base lies that far back for the default,
 * for a kind rule of its kind, or (with tagged members) for the shortest tag rule -- one index
 * range each (store_visit_due). Free with visit_tasks_cleanup.
 */
int visits_overdue(struct store *st, const struct visit_rules *rules, const char *area,
                   int64_t now_ms, int limit, struct visit_tasks *out);
/* The task list of area (NULL: the caller's scope) at now_ms, at most limit overdue items. */
int visits_tasks(struct service_ctx *ctx, const struct principal *p, const char *area,
                 int64_t now_ms, int limit, struct visit_tasks *out, struct errbuf *eb);

#endif
