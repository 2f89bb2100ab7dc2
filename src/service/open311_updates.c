/*
 * open311_updates.c - FixMyStreet updates applied once per update_id (open311_updates.h).
 * The whole check-act-record runs as one job on the single writer (or directly when the
 * context has none), inside one transaction, so two deliveries of one update cannot both act.
 */
#include "service/open311_updates.h"

#include "service/auth.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/writer.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

struct update_job {
    const struct principal *p;
    const struct open311_update_in *in;
    char *out;
    size_t size;
    int *replayed;
    struct errbuf *eb;
};

/* The FMS status the case shows now: escalated when its last public event escalated. */
static int current_status(struct store *st, const struct case_rec *c, enum case_state *state,
                          enum open311_fms_status *out)
{
    struct case_event_list events = {NULL, 0};
    int was_escalated = 0, r;
    *state = CASE_STATE_REPORTED;
    workflow_state_parse(c->status, state);
    if ((r = store_case_events(st, c->id, &events)) != 0)
        return r;
    for (size_t i = events.len; i > 0; i--) {
        if (!open311_action_is_internal(events.items[i - 1].action)) {
            was_escalated = strcmp(events.items[i - 1].action, "escalate") == 0;
            break;
        }
    }
    case_event_list_cleanup(&events);
    *out = open311_fms_status_of(*state, c->outcome, c->outcome_reason, was_escalated);
    return 0;
}

static int update_job_run(struct service_ctx *ctx, void *arg)
{
    struct update_job *j = arg;
    const struct open311_update_in *in = j->in;
    struct case_rec c, after;
    struct workflow_input act;
    struct open311_plan plan;
    enum open311_fms_status current;
    enum case_state state;
    int64_t case_id = 0, seq = 0;
    int r;

    memset(&c, 0, sizeof(c));
    memset(&after, 0, sizeof(after));
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    r = store_open311_update_key_get(ctx->st, in->api_key_id, in->update_id, &case_id, &seq);
    if (r == 0) {
        /* Seen before: answer the first update's id, act no more. */
        if ((r = store_case_get(ctx->st, case_id, &c)) != 0)
            goto fail;
        if (strcmp(c.number, in->service_request_id) != 0) {
            r = errbuf_set(j->eb, ERR_CONFLICT, "update_id '%.64s' was already used for request %s",
                           in->update_id, c.number);
            goto fail;
        }
        snprintf(j->out, j->size, "%s-%lld", c.number, (long long)seq);
        *j->replayed = 1;
        case_rec_cleanup(&c);
        store_rollback(ctx->st); /* nothing was written */
        return 0;
    }
    if (r != ERR_NOT_FOUND)
        goto fail;
    r = store_case_get_by_number(ctx->st, in->service_request_id, &c);
    if (r == ERR_NOT_FOUND) {
        r = errbuf_set(j->eb, ERR_NOT_FOUND, "service_request_id '%.32s' does not exist",
                       in->service_request_id);
        goto fail;
    }
    if (r != 0 || (r = current_status(ctx->st, &c, &state, &current)) != 0)
        goto fail;
    if (open311_fms_plan(in->want, current, state, &plan) != 0) {
        r = errbuf_set(j->eb, ERR_INVALID_TRANSITION,
                       "status %s cannot be applied to a request that is %s",
                       open311_fms_status_name(in->want), open311_fms_status_name(current));
        goto fail;
    }
    memset(&act, 0, sizeof(act));
    act.action = plan.action;
    if (plan.text_field == OPEN311_REASON)
        act.reason = in->description;
    else if (plan.text_field == OPEN311_EVIDENCE)
        act.evidence = in->description;
    else
        act.text = in->description;
    act.outcome = plan.outcome;
    act.outcome_reason = plan.outcome_reason;
    act.now_ms = in->now_ms;
    /* On the writer's own context cases_act runs here, as a nested transaction. */
    if ((r = cases_act(ctx, j->p, c.id, &act, &after, j->eb)) != 0)
        goto fail;
    if ((r = store_open311_update_key_insert(ctx->st, in->api_key_id, in->update_id, after.id,
                                             after.event_seq, in->now_ms)) != 0)
        goto fail;
    if ((r = store_commit(ctx->st)) != 0)
        goto fail;
    snprintf(j->out, j->size, "%s-%lld", after.number, (long long)after.event_seq);
    *j->replayed = 0;
    case_rec_cleanup(&c);
    case_rec_cleanup(&after);
    return 0;
fail:
    store_rollback(ctx->st);
    case_rec_cleanup(&c);
    case_rec_cleanup(&after);
    return r;
}

int open311_update_apply(struct service_ctx *ctx, const struct principal *p,
                         const struct open311_update_in *in, char *out, size_t size, int *replayed,
                         struct errbuf *eb)
{
    struct update_job job = {p, in, out, size, replayed, eb};
    *replayed = 0;
    if (size > 0)
        out[0] = '\0';
    if (in->update_id == NULL || in->update_id[0] == '\0' ||
        strlen(in->update_id) > OPEN311_UPDATE_ID_MAX || in->service_request_id == NULL)
        return errbuf_set(eb, ERR_INVALID, "update_id must be 1 to %d bytes",
                          OPEN311_UPDATE_ID_MAX);
    if (ctx->writer != NULL)
        return writer_run(ctx->writer, update_job_run, &job);
    return update_job_run(ctx, &job);
}
