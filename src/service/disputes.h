/*
 * disputes.h - the dispute use cases (SPEC section 6): register, act, read, list, statistics.
 *
 * Every write runs in one store transaction: the dispute row, its child rows (parties,
 * mediators, sessions, follow-up visits) and its new event are written together or not at
 * all. Acting reads the dispute, asks the pure state machine (domain/dispute.h) whether this
 * actor may take the action now, and writes conditionally on the event count it read, so of
 * two concurrent actions one wins and the other gets ERR_CONFLICT.
 *
 * Visibility: CAP_DISPUTE_READ over the dispute's area (its subtree rule, domain/access.h).
 * Residents see no disputes: they involve other people's private affairs.
 *
 * Recurrences: the parties of a dispute, normalised (persons and organisations by id,
 * outsiders by name), form its parties_key; a new dispute whose parties match an earlier one
 * is flagged with recurrence_of = that dispute.
 */
#ifndef GRIDGOV_SERVICE_DISPUTES_H
#define GRIDGOV_SERVICE_DISPUTES_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/dispute.h"
#include "store/store.h"

#include <stdint.h>

struct service_ctx;

#define DISPUTES_PARTIES_MAX 20
#define DISPUTES_PAGE_MAX    200

/* One party as given (strings borrowed). kind: person (person_id), organisation
 * (organisation_id, name optional) or outsider (name). side: applicant, respondent, other. */
struct dispute_party_in {
    const char *kind;
    int64_t person_id;
    int64_t organisation_id;
    const char *name;
    const char *side;
};

/* A new dispute (strings borrowed). */
struct dispute_new {
    const char *area_code; /* where it arose; may be omitted when case_id is given */
    const char *title;     /* 1..128 bytes */
    const char *type;      /* domain/dispute.h DISPUTE_TYPE_MAP */
    const char *risk;      /* low (default), medium, high, major */
    const char *summary;   /* 0..DISPUTE_TEXT_MAX bytes */
    int64_t case_id;       /* the case it was found in, or 0 */
    int64_t found_ms;      /* when it was found; 0 = now */
    struct dispute_party_in parties[DISPUTES_PARTIES_MAX];
    int n_parties; /* at least 2 */
    int64_t now_ms;
};

/*
 * Register (write). ERR_INVALID naming the field; ERR_NOT_FOUND for an unknown area or case;
 * ERR_FORBIDDEN outside p's subtree or without CAP_DISPUTE_REPORT (or when p may not see the
 * case). *out is the new dispute.
 */
int disputes_register(struct service_ctx *ctx, const struct principal *p,
                      const struct dispute_new *in, struct dispute_rec *out, struct errbuf *eb);

/*
 * Act (write). mediator_user_id: for assign_mediator, the mediator's account (0 for someone
 * without one; must then be a user with role mediator in the dispute's subtree or above it).
 * ERR_NOT_FOUND, ERR_FORBIDDEN, ERR_INVALID_TRANSITION, ERR_INVALID, ERR_CONFLICT.
 */
int disputes_act(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 const struct dispute_input *in, int64_t mediator_user_id, int64_t now_ms,
                 struct dispute_rec *out, struct errbuf *eb);

int disputes_can_see(const struct principal *p, const struct dispute_rec *d);
/* ERR_NOT_FOUND, ERR_FORBIDDEN. */
int disputes_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 struct dispute_rec *out);
/* f->area defaults to p's scope and must lie inside it (ERR_FORBIDDEN otherwise). */
int disputes_list(struct service_ctx *ctx, const struct principal *p, struct dispute_filter *f,
                  struct dispute_list *out);
/* The actions p may take on d now (DISPUTE_ACTION_BIT mask). */
unsigned disputes_allowed_actions(struct service_ctx *ctx, const struct principal *p,
                                  const struct dispute_rec *d);

/* Statistics of a subtree and period: per type, and the total in *total (type "all"). */
struct dispute_stats {
    struct dispute_stats_row rows[DISPUTE_TYPE_COUNT];
    int n_rows;
    struct dispute_stats_row total;
};
/* ERR_FORBIDDEN outside p's subtree or without CAP_DISPUTE_READ. */
int disputes_stats(struct service_ctx *ctx, const struct principal *p, const char *area,
                   int64_t from_ms, int64_t to_ms, struct dispute_stats *out);

#endif
