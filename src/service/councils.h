/*
 * councils.h - deliberation-council use cases (SPEC section 7): set up a council with its
 * members, propose topics, act on them (the machine of domain/council.h), hold meetings with
 * attendance, record ballots and count votes, read and list, and the public decision page.
 *
 * Every write is one store transaction (topic row, its entry and its event together).
 * Actions are conditional on the event count read, so a concurrent action gets ERR_CONFLICT.
 *
 * Who sees what: staff with CAP_COUNCIL_READ see every council and topic of their subtree.
 * A resident sees only published topics of their own village (the village whose subtree holds
 * the resident's area), and may propose residents' topics there and co-sign them. The public
 * decision page shows a published topic to anyone: title, description, vote totals, execution
 * tasks and their status, with no personal data.
 *
 * Votes: a council vote counts the ballots recorded during the voting state from members who
 * attended the latest meeting (eligible = voting members whose term covers the day, present =
 * the meeting's attendance). A villagers' vote is counted on paper and brings its totals;
 * eligible comes from the household registry: registered-family households, or registered
 * residents aged 18 or more, in the village. Ballots of secret votes are never shown: the store
 * serves only totals, and so do these functions.
 */
#ifndef GRIDGOV_SERVICE_COUNCILS_H
#define GRIDGOV_SERVICE_COUNCILS_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/council.h"
#include "store/store.h"

#include <stdint.h>

struct service_ctx;

#define COUNCILS_MEMBERS_IN_MAX 16 /* voting members (7..9) plus supervisors */
#define COUNCILS_PAGE_MAX       200

struct council_member_in {
    const char *name;
    int64_t person_id;    /* 0: not in the base data */
    int64_t user_id;      /* 0: no account */
    const char *position; /* chair, member or supervisor */
};

struct council_new {
    const char *area_code; /* a village or community (level 5) */
    const char *name;
    int min_cosigners;
    int64_t term_start_ms, term_end_ms;
    struct council_member_in members[COUNCILS_MEMBERS_IN_MAX];
    int n_members;
    int64_t now_ms;
};

/*
 * Create a council with its members (write): one chair, 7..9 voting members (chair and
 * members) in all, at least one supervisor, a valid term. CAP_COUNCIL_MANAGE over the village.
 */
int councils_create(struct service_ctx *ctx, const struct principal *p,
                    const struct council_new *in, struct council_rec *out, struct errbuf *eb);
int councils_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 struct council_rec *out);
/* Councils under area (default p's scope; residents: their village). */
int councils_list(struct service_ctx *ctx, const struct principal *p, const char *area,
                  struct council_list *out);

struct topic_new {
    const char *title;
    const char *description;
    const char *proposer;  /* committees (staff) or residents (a resident of the village) */
    const char *vote_kind; /* council (default), households or adults */
    int is_secret;
    int64_t case_id; /* optional: the case the topic came from */
    int64_t now_ms;
};

int councils_propose(struct service_ctx *ctx, const struct principal *p, int64_t council_id,
                     const struct topic_new *in, struct topic_rec *out, struct errbuf *eb);

int councils_topic_can_see(const struct principal *p, const struct topic_rec *t);
int councils_topic_get(struct service_ctx *ctx, const struct principal *p, int64_t id,
                       struct topic_rec *out);
/* f->area narrowed to p's scope; residents get the published topics of their village. */
int councils_topic_list(struct service_ctx *ctx, const struct principal *p, struct topic_filter *f,
                        struct topic_list *out);

struct topic_action_in {
    enum council_action action;
    const char *text;     /* opinion, note, task (what), comment */
    const char *reason;   /* reject, send_back, withdraw */
    const char *stance;   /* record_opinion: support, oppose or neutral (default) */
    int64_t member_id;    /* record_opinion: the member who consulted (default: the actor) */
    int64_t household_id; /* record_opinion: the household consulted (optional) */
    const char *owner;    /* add_task */
    int64_t due_ms;       /* add_task */
    int64_t task_id;      /* complete_task */
    int present, yes, no, abstain; /* close_vote of a villagers' vote */
    int64_t now_ms;
};

int councils_topic_act(struct service_ctx *ctx, const struct principal *p, int64_t id,
                       const struct topic_action_in *in, struct topic_rec *out, struct errbuf *eb);
/* The actions p may take on t now (COUNCIL_ACTION_BIT mask). */
unsigned councils_topic_allowed(struct service_ctx *ctx, const struct principal *p,
                                const struct topic_rec *t, int64_t now_ms);

/* A meeting on a voting topic with the members present (write). Staff of the village or a
 * voting member of the council. ERR_INVALID for a member id not of this council. */
int councils_meeting(struct service_ctx *ctx, const struct principal *p, int64_t topic_id,
                     int64_t at_ms, const char *place, const int64_t *member_ids, size_t n,
                     struct errbuf *eb);
/* A ballot of a council vote (write), by the member (or staff on a paper ballot's behalf);
 * the member must have attended the latest meeting. ERR_EXISTS when the member already
 * voted. */
int councils_ballot(struct service_ctx *ctx, const struct principal *p, int64_t topic_id,
                    int64_t member_id, const char *choice, int64_t now_ms, struct errbuf *eb);

/* A published topic for the public page; ERR_NOT_FOUND when absent or not published. */
int councils_decision(struct service_ctx *ctx, int64_t id, struct topic_rec *out);

#endif
