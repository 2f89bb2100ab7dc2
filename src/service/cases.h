/*
 * cases.h - the case use cases (SPEC section 4): report, act on, read, list, sweep.
 *
 * When the context has a writer (serve), reports and actions run on the single writer thread
 * with group commit (service/writer.h); the caller still gets its own result, after the
 * commit. Every use case runs in one store transaction: the case row, its new event (hash-chained
 * to the previous one, service/history.h) and its notification (the outbox) are written together or
 * not at all. Acting on a case reads it, asks the pure workflow (domain/workflow.h) whether the
 * action is allowed for this actor now, computes the new step deadline on the working-day calendar
 * (domain/deadline.h), and writes the result conditionally on the event count it read, so two
 * people acting at once cannot both win (the loser gets ERR_CONFLICT and may retry).
 *
 * Visibility (cases_can_see): a resident sees the cases they reported; a department handler
 * the cases dispatched to their department inside their area; every other role with
 * CAP_CASE_READ the cases inside their area subtree. The reporter's name and phone are shown
 * only to staff of that area, never to the public, and not even to them when the reporter asked
 * to stay anonymous (cases_show_reporter).
 */
#ifndef GRIDGOV_SERVICE_CASES_H
#define GRIDGOV_SERVICE_CASES_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/workflow.h"
#include "store/store.h"

#include <stdint.h>

struct service_ctx;

#define CASES_MAX_ATTACHMENTS 8
#define CASES_PAGE_MAX        200

/* What a report brings. Strings are borrowed. */
struct case_report {
    const char *channel;     /* web, phone, open311, patrol, visit, office_hours, ... */
    const char *category;    /* a category code of the taxonomy */
    const char *description; /* 1..CASE_TEXT_MAX bytes */
    const char *urgency;     /* normal (default), urgent, emergency */
    int has_point;
    int is_anonymous;      /* the reporter asked to stay anonymous to handlers too */
    double lon, lat;       /* located to the deepest area containing it */
    const char *area_code; /* instead of a point */
    const char *address;
    const char *reporter_name;
    const char *reporter_phone;
    int64_t household_id; /* the household it concerns (its file's timeline), 0 if none */
    int64_t patrol_id;    /* the reporter's patrol that found it (channel patrol), 0 if none */
    int64_t chief_id;     /* the chief who relays it (channel building_chief; service/volunteers.h),
                             0 if none; a user with role chief reports only this way */
    const char *attachments[CASES_MAX_ATTACHMENTS]; /* hashes of uploaded attachments */
    int n_attachments;
    int64_t now_ms;
    /* Optional: called inside the report's transaction once the case row exists (c->id set),
     * to write what a channel keeps beside the case (the Open311 request details); an error
     * rolls the whole report back. NULL for none. */
    int (*on_insert)(void *arg, struct store *st, const struct case_rec *c);
    void *on_insert_arg;
};

struct case_rules;
#define CASES_PHONE_CONTEXT "case.reporter_phone" /* base/secret.h context of the phone */

/* The reporter's phone in plain text into *out (caller frees with secret_plaintext_free), for
 * a caller who may see it and logs that they did; *out stays NULL when there is none. The key
 * loader's error (no key file) or ERR_INTERNAL (does not decrypt) otherwise, reason in eb. */
int cases_reporter_phone(struct service_ctx *ctx, const struct case_rec *c, char **out,
                         struct errbuf *eb);
/* Encrypt reporter phones stored in plain text by an earlier version (gridgov init runs it
 * once the key exists); *count gets how many were encrypted. */
int cases_encrypt_plain_phones(struct service_ctx *ctx, int64_t *count, struct errbuf *eb);
/* The same for a user who asks with a reason (roles with CAP_PERSON_PII who may see the
 * reporter), written to the access log; *out stays NULL when there is no phone. */
int cases_reveal_reporter_phone(struct service_ctx *ctx, const struct principal *p,
                                const struct case_rec *c, const char *reason, int64_t now_ms,
                                char **out, struct errbuf *eb);

/* 1 if unit is a handling unit the city knows: a built-in department, or one named by the
 * categories or the routing table in force. */
int cases_unit_is_known(const struct case_rules *rules, const char *unit);

/* 1 if name is a known reporting channel. */
int cases_channel_is_valid(const char *name);

/*
 * Report a case (write). p NULL is an anonymous report over the public web form. ERR_INVALID
 * naming the field; ERR_NOT_FOUND when the point lies in no area or the area or an attachment
 * does not exist; ERR_FORBIDDEN when staff report outside their area. On success *out is the
 * new case (caller cleans it up) and dups (may be NULL) the possible duplicates: same
 * category, within about 200 m, reported in the last 7 days.
 */
int cases_report(struct service_ctx *ctx, const struct principal *p, const struct case_report *in,
                 struct case_rec *out, struct case_near_list *dups, struct errbuf *eb);

/*
 * The same report in three steps, so that the caller's thread is free while the single writer
 * commits (the HTTP layer suspends the request meanwhile):
 *  1. cases_report_prepare: everything that reads or computes, on ctx (the caller's thread);
 *     errors as cases_report. On success *out is a pending report; p, in (and what in
 *     borrows) and eb must stay valid and untouched until step 3 returned.
 *  2. cases_report_submit: hand it to ctx's writer (ctx->writer must be set); done(done_arg)
 *     is called on the writer thread once the batch holding it committed or failed. It may
 *     be called before cases_report_submit returns.
 *  3. cases_report_finish, after done, on any thread's context: the result as cases_report
 *     gives it (*c and dups as there, the duplicate search runs on ctx); pr is freed.
 * cases_report_discard frees a prepared report that was not submitted (or whose done was
 * called) without finishing it. The case is acknowledged only by a 0 from step 3: only then
 * did the transaction holding it commit.
 */
struct cases_pending_report;
typedef void (*cases_done_fn)(void *done_arg);
int cases_report_prepare(struct service_ctx *ctx, const struct principal *p,
                         const struct case_report *in, struct errbuf *eb,
                         struct cases_pending_report **out);
void cases_report_submit(struct service_ctx *ctx, struct cases_pending_report *pr,
                         cases_done_fn done, void *done_arg);
int cases_report_finish(struct service_ctx *ctx, struct cases_pending_report *pr,
                        struct case_rec *out, struct case_near_list *dups);
void cases_report_discard(struct cases_pending_report *pr);

/*
 * Apply a workflow action (write). in->now_ms and in->reopen_window_ms are filled in here.
 * ERR_NOT_FOUND when the case does not exist; ERR_FORBIDDEN when p may not see it;
 * ERR_INVALID_TRANSITION / ERR_INVALID per the workflow; ERR_CONFLICT when another action won
 * the race. *out is the updated case.
 */
int cases_act(struct service_ctx *ctx, const struct principal *p, int64_t id,
              struct workflow_input *in, struct case_rec *out, struct errbuf *eb);

/* One case; ERR_NOT_FOUND if it does not exist, ERR_FORBIDDEN if p may not see it. */
int cases_get(struct service_ctx *ctx, const struct principal *p, int64_t id, struct case_rec *out);
/* The events of a case p may see. */
int cases_events(struct service_ctx *ctx, const struct principal *p, int64_t id,
                 struct case_event_list *out);
/* Cases p may see matching f (f->area is narrowed to p's scope; ERR_FORBIDDEN if it lies
 * outside it). */
int cases_list(struct service_ctx *ctx, const struct principal *p, struct case_filter *f,
               struct case_list *out);

int cases_can_see(const struct principal *p, const struct case_rec *c);
/* The same for a duplicate suggestion (store_case_nearby). */
int cases_can_see_near(const struct principal *p, const struct case_near *c);
int cases_show_reporter(const struct principal *p, const struct case_rec *c);
/* The actions p may take on c right now (bit i = enum case_action i). */
unsigned long long cases_allowed_actions(struct service_ctx *ctx, const struct principal *p,
                                         const struct case_rec *c, int64_t now_ms);

struct sweep_stats {
    int64_t examined;
    int64_t yellow, red, escalated;
    int64_t skipped; /* could not be acted on (logged; looked at again in an hour) */
};

/* The deadline sweep (write): every case whose next overdue stage is due at now_ms gets a
 * yellow card, a red card or is escalated one level, once per stage. Idempotent. A case the
 * sweep cannot act on (its stored record is refused: an unknown state, an area code the
 * roll-ups do not take...) is logged, counted as skipped and looked at again an hour later; it
 * never stops the sweep for the other cases. A storage failure does: the batch is rolled back
 * and returned. */
int cases_sweep(struct service_ctx *ctx, int64_t now_ms, struct sweep_stats *stats);

/* Store an uploaded attachment (write) and return its hash (65 bytes). mime must be one of
 * image/jpeg, image/png, image/webp, application/pdf and match the content's magic bytes. */
int cases_attachment_put(struct service_ctx *ctx, const char *mime, const unsigned char *data,
                         size_t len, char hash_out[65], struct errbuf *eb);

#endif
