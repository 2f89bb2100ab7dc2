/*
 * store_pg_todo.c - TEMPORARY: the PostgreSQL ops not yet written, each failing with
 * ERR_INTERNAL. Porting a module means deleting its block here. This file goes once empty.
 */
#include "store/pg/pg_internal.h"

/* ==== cases (store_pg_cases.c) ==== */

const char pg_schema_cases[] = "";

int pg_case_count_overdue(struct store *st, int64_t now_ms, int64_t *out)
{
    (void)st;
    (void)now_ms;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_set_head(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                     int64_t expected_seq)
{
    (void)st;
    (void)id;
    (void)event_seq;
    (void)last_hash;
    (void)expected_seq;
    return ERR_INTERNAL;
}

int pg_case_insert(struct store *st, struct case_rec *c)
{
    (void)st;
    (void)c;
    return ERR_INTERNAL;
}

int pg_case_update(struct store *st, const struct case_rec *c, int64_t expected_seq)
{
    (void)st;
    (void)c;
    (void)expected_seq;
    return ERR_INTERNAL;
}

int pg_case_get(struct store *st, int64_t id, struct case_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_get_by_number(struct store *st, const char *number, struct case_rec *out)
{
    (void)st;
    (void)number;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_list(struct store *st, const struct case_filter *f, struct case_list *out)
{
    (void)st;
    (void)f;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_next_serial(struct store *st, const char *district, const char *day, int64_t *out)
{
    (void)st;
    (void)district;
    (void)day;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_due(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                struct case_list *out)
{
    (void)st;
    (void)now_ms;
    (void)after_ms;
    (void)after_id;
    (void)limit;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                   int64_t since_ms, int limit, struct case_list *out)
{
    (void)st;
    (void)category;
    (void)lon;
    (void)lat;
    (void)delta;
    (void)since_ms;
    (void)limit;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_count_by_status(struct store *st, const char *area, store_count_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_case_event_append(struct store *st, const struct case_event *e)
{
    (void)st;
    (void)e;
    return ERR_INTERNAL;
}

int pg_case_events(struct store *st, int64_t case_id, struct case_event_list *out)
{
    (void)st;
    (void)case_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_event_walk(struct store *st, store_event_fn fn, void *ctx)
{
    (void)st;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_attachment_put(struct store *st, const struct attachment *a)
{
    (void)st;
    (void)a;
    return ERR_INTERNAL;
}

int pg_attachment_get(struct store *st, const char *hash, int with_data, struct attachment *out)
{
    (void)st;
    (void)hash;
    (void)with_data;
    (void)out;
    return ERR_INTERNAL;
}

int pg_case_attachment_add(struct store *st, int64_t case_id, const char *hash)
{
    (void)st;
    (void)case_id;
    (void)hash;
    return ERR_INTERNAL;
}

int pg_case_attachments(struct store *st, int64_t case_id, store_count_fn fn, void *ctx)
{
    (void)st;
    (void)case_id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_attachment_cases(struct store *st, const char *hash, store_count_fn fn, void *ctx)
{
    (void)st;
    (void)hash;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_outbox_insert(struct store *st, const struct outbox_msg *m)
{
    (void)st;
    (void)m;
    return ERR_INTERNAL;
}

int pg_outbox_due(struct store *st, int64_t now_ms, int limit, struct outbox_list *out)
{
    (void)st;
    (void)now_ms;
    (void)limit;
    (void)out;
    return ERR_INTERNAL;
}

int pg_outbox_delivered(struct store *st, int64_t id, int64_t now_ms)
{
    (void)st;
    (void)id;
    (void)now_ms;
    return ERR_INTERNAL;
}

int pg_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                     const char *error)
{
    (void)st;
    (void)id;
    (void)attempts;
    (void)next_attempt_ms;
    (void)error;
    return ERR_INTERNAL;
}

int pg_outbox_backlog(struct store *st, int64_t *out)
{
    (void)st;
    (void)out;
    return ERR_INTERNAL;
}

int pg_outbox_mark_all_delivered(struct store *st, int64_t now_ms)
{
    (void)st;
    (void)now_ms;
    return ERR_INTERNAL;
}

int pg_case_daily_counts(struct store *st, const char *area, const char *category, int64_t from_ms,
                         int64_t to_ms, int utc_offset_min, int by_class, store_series_fn fn,
                         void *ctx)
{
    (void)st;
    (void)area;
    (void)category;
    (void)from_ms;
    (void)to_ms;
    (void)utc_offset_min;
    (void)by_class;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_case_report_key_insert(struct store *st, int64_t user_id, const char *key, int64_t case_id,
                              int64_t now_ms)
{
    (void)st;
    (void)user_id;
    (void)key;
    (void)case_id;
    (void)now_ms;
    return ERR_INTERNAL;
}

int pg_case_report_key_get(struct store *st, int64_t user_id, const char *key, int64_t *case_id)
{
    (void)st;
    (void)user_id;
    (void)key;
    (void)case_id;
    return ERR_INTERNAL;
}

/* ==== end of cases ==== */

/* ==== rollups (store_pg_rollups.c) ==== */

const char pg_schema_rollups[] = "";

int pg_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                  const char *category, const struct rollup_counters *d)
{
    (void)st;
    (void)t;
    (void)level;
    (void)area;
    (void)day;
    (void)category;
    (void)d;
    return ERR_INTERNAL;
}

int pg_rollup_clear(struct store *st, enum rollup_table t)
{
    (void)st;
    (void)t;
    return ERR_INTERNAL;
}

int pg_rollup_diff(struct store *st, int64_t *cells_differing)
{
    (void)st;
    (void)cells_differing;
    return ERR_INTERNAL;
}

int pg_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                  int to_day, const char *category_prefix, enum rollup_group g, store_rollup_fn fn,
                  void *ctx)
{
    (void)st;
    (void)level;
    (void)area;
    (void)child_level;
    (void)from_day;
    (void)to_day;
    (void)category_prefix;
    (void)g;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx)
{
    (void)st;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

/* ==== end of rollups ==== */

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
