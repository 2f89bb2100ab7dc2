/*
 * store_pg_todo.c - TEMPORARY: the PostgreSQL ops not yet written, each failing with
 * ERR_INTERNAL. Porting a module means deleting its block here. This file goes once empty.
 */
#include "store/pg/pg_internal.h"





/* ==== disputes (store_pg_disputes.c) ==== */

const char pg_schema_disputes[] = "";

int pg_dispute_insert(struct store *st, struct dispute_rec *d)
{
    (void)st;
    (void)d;
    return ERR_INTERNAL;
}

int pg_dispute_update(struct store *st, const struct dispute_rec *d, int64_t expected_seq)
{
    (void)st;
    (void)d;
    (void)expected_seq;
    return ERR_INTERNAL;
}

int pg_dispute_get(struct store *st, int64_t id, struct dispute_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_dispute_list(struct store *st, const struct dispute_filter *f, struct dispute_list *out)
{
    (void)st;
    (void)f;
    (void)out;
    return ERR_INTERNAL;
}

int pg_dispute_find_recurrence(struct store *st, const char *parties_key, int64_t before_id,
                               int64_t *id)
{
    (void)st;
    (void)parties_key;
    (void)before_id;
    (void)id;
    return ERR_INTERNAL;
}

int pg_dispute_party_add(struct store *st, struct dispute_party *p)
{
    (void)st;
    (void)p;
    return ERR_INTERNAL;
}

int pg_dispute_parties(struct store *st, int64_t dispute_id, struct dispute_party_list *out)
{
    (void)st;
    (void)dispute_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_dispute_mediator_add(struct store *st, struct dispute_mediator *m)
{
    (void)st;
    (void)m;
    return ERR_INTERNAL;
}

int pg_dispute_mediators(struct store *st, int64_t dispute_id, struct dispute_mediator_list *out)
{
    (void)st;
    (void)dispute_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_dispute_is_mediator(struct store *st, int64_t dispute_id, int64_t user_id, int *is_mediator)
{
    (void)st;
    (void)dispute_id;
    (void)user_id;
    (void)is_mediator;
    return ERR_INTERNAL;
}

int pg_dispute_entry_add(struct store *st, enum dispute_entry_kind kind, struct dispute_entry *e)
{
    (void)st;
    (void)kind;
    (void)e;
    return ERR_INTERNAL;
}

int pg_dispute_entries(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                       struct dispute_entry_list *out)
{
    (void)st;
    (void)kind;
    (void)dispute_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_dispute_event_append(struct store *st, const struct gov_event *e)
{
    (void)st;
    (void)e;
    return ERR_INTERNAL;
}

int pg_dispute_events(struct store *st, int64_t dispute_id, struct gov_event_list *out)
{
    (void)st;
    (void)dispute_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_dispute_stats(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                     store_dispute_stats_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)from_ms;
    (void)to_ms;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_council_insert(struct store *st, struct council_rec *c)
{
    (void)st;
    (void)c;
    return ERR_INTERNAL;
}

int pg_council_get(struct store *st, int64_t id, struct council_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_council_list(struct store *st, const char *area, struct council_list *out)
{
    (void)st;
    (void)area;
    (void)out;
    return ERR_INTERNAL;
}

int pg_council_member_add(struct store *st, struct council_member_rec *m)
{
    (void)st;
    (void)m;
    return ERR_INTERNAL;
}

int pg_council_members(struct store *st, int64_t council_id, struct council_member_list *out)
{
    (void)st;
    (void)council_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_topic_insert(struct store *st, struct topic_rec *t)
{
    (void)st;
    (void)t;
    return ERR_INTERNAL;
}

int pg_topic_update(struct store *st, const struct topic_rec *t, int64_t expected_seq)
{
    (void)st;
    (void)t;
    (void)expected_seq;
    return ERR_INTERNAL;
}

int pg_topic_get(struct store *st, int64_t id, struct topic_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_topic_list(struct store *st, const struct topic_filter *f, struct topic_list *out)
{
    (void)st;
    (void)f;
    (void)out;
    return ERR_INTERNAL;
}

int pg_topic_entry_add(struct store *st, enum topic_entry_kind kind, struct topic_entry *e)
{
    (void)st;
    (void)kind;
    (void)e;
    return ERR_INTERNAL;
}

int pg_topic_task_done(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms)
{
    (void)st;
    (void)topic_id;
    (void)task_id;
    (void)done_ms;
    return ERR_INTERNAL;
}

int pg_topic_entries(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                     struct topic_entry_list *out)
{
    (void)st;
    (void)kind;
    (void)topic_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_topic_meeting_add(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                         const int64_t *member_ids, size_t n_present, int64_t *meeting_id)
{
    (void)st;
    (void)topic_id;
    (void)at_ms;
    (void)place;
    (void)member_ids;
    (void)n_present;
    (void)meeting_id;
    return ERR_INTERNAL;
}

int pg_topic_meeting_latest(struct store *st, int64_t topic_id, int64_t *meeting_id, int *present)
{
    (void)st;
    (void)topic_id;
    (void)meeting_id;
    (void)present;
    return ERR_INTERNAL;
}

int pg_topic_attended(struct store *st, int64_t meeting_id, int64_t member_id, int *attended)
{
    (void)st;
    (void)meeting_id;
    (void)member_id;
    (void)attended;
    return ERR_INTERNAL;
}

int pg_topic_ballot_add(struct store *st, int64_t topic_id, const char *voter_key,
                        const char *choice, int is_secret, int64_t at_ms)
{
    (void)st;
    (void)topic_id;
    (void)voter_key;
    (void)choice;
    (void)is_secret;
    (void)at_ms;
    return ERR_INTERNAL;
}

int pg_topic_ballot_totals(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain)
{
    (void)st;
    (void)topic_id;
    (void)yes;
    (void)no;
    (void)abstain;
    return ERR_INTERNAL;
}

int pg_topic_event_append(struct store *st, const struct gov_event *e)
{
    (void)st;
    (void)e;
    return ERR_INTERNAL;
}

int pg_topic_events(struct store *st, int64_t topic_id, struct gov_event_list *out)
{
    (void)st;
    (void)topic_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_village_voters(struct store *st, const char *area, const char *adult_born_by,
                      int64_t *households, int64_t *adults)
{
    (void)st;
    (void)area;
    (void)adult_born_by;
    (void)households;
    (void)adults;
    return ERR_INTERNAL;
}

/* ==== end of disputes ==== */

/* ==== fieldwork (store_pg_fieldwork.c) ==== */

const char pg_schema_fieldwork[] = "";

int pg_patrol_insert(struct store *st, struct patrol_rec *p)
{
    (void)st;
    (void)p;
    return ERR_INTERNAL;
}

int pg_patrol_get(struct store *st, int64_t id, struct patrol_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_patrol_finish(struct store *st, const struct patrol_rec *p)
{
    (void)st;
    (void)p;
    return ERR_INTERNAL;
}

int pg_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                         int64_t n_fast)
{
    (void)st;
    (void)id;
    (void)n_points;
    (void)n_outside;
    (void)n_fast;
    return ERR_INTERNAL;
}

int pg_patrol_list(struct store *st, const struct patrol_filter *f, store_patrol_fn fn, void *ctx)
{
    (void)st;
    (void)f;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_patrol_batch_add(struct store *st, int64_t patrol_id, const char *batch_id, int64_t n_points,
                        int *is_new)
{
    (void)st;
    (void)patrol_id;
    (void)batch_id;
    (void)n_points;
    (void)is_new;
    return ERR_INTERNAL;
}

int pg_patrol_points_add(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                         size_t n)
{
    (void)st;
    (void)patrol_id;
    (void)pts;
    (void)n;
    return ERR_INTERNAL;
}

int pg_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx)
{
    (void)st;
    (void)patrol_id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_patrol_count_by_grid(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                            store_count_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)from_ms;
    (void)to_ms;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_field_case_link_add(struct store *st, const char *source, int64_t source_id, int64_t case_id)
{
    (void)st;
    (void)source;
    (void)source_id;
    (void)case_id;
    return ERR_INTERNAL;
}

int pg_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                        void *ctx)
{
    (void)st;
    (void)source;
    (void)source_id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_visit_insert(struct store *st, struct visit_rec *v)
{
    (void)st;
    (void)v;
    return ERR_INTERNAL;
}

int pg_visit_get(struct store *st, int64_t id, struct visit_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_visit_set_case(struct store *st, int64_t id, int64_t case_id)
{
    (void)st;
    (void)id;
    (void)case_id;
    return ERR_INTERNAL;
}

int pg_visit_list(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx)
{
    (void)st;
    (void)f;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_visit_states(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                    store_visit_state_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)with_orgs;
    (void)before_ms;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_campaign_insert(struct store *st, struct campaign_rec *c)
{
    (void)st;
    (void)c;
    return ERR_INTERNAL;
}

int pg_campaign_get(struct store *st, int64_t id, struct campaign_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_campaign_coverage(struct store *st, int64_t id, store_coverage_fn fn, void *ctx)
{
    (void)st;
    (void)id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_case_channel_counts(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                           store_channel_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)from_ms;
    (void)to_ms;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_station_team_insert(struct store *st, struct station_team *t)
{
    (void)st;
    (void)t;
    return ERR_INTERNAL;
}

int pg_station_team_get(struct store *st, int64_t id, struct station_team *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_station_team_list(struct store *st, const char *area, store_team_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_station_session_insert(struct store *st, struct station_session *s)
{
    (void)st;
    (void)s;
    return ERR_INTERNAL;
}

int pg_station_session_get(struct store *st, int64_t id, struct station_session *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_station_session_list(struct store *st, int64_t team_id, const char *area, int64_t from_ms,
                            int64_t to_ms, int limit, store_session_fn fn, void *ctx)
{
    (void)st;
    (void)team_id;
    (void)area;
    (void)from_ms;
    (void)to_ms;
    (void)limit;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

/* ==== end of fieldwork ==== */
