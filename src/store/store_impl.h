/*
 * store_impl.h - what a storage backend implements (private to src/store/).
 *
 * A backend embeds struct store as its first member and points ops at its table of
 * functions; store.c forwards every public store_* call through it, so the public interface
 * (store.h) stays identical whatever the backend.
 */
#ifndef GRIDGOV_STORE_STORE_IMPL_H
#define GRIDGOV_STORE_STORE_IMPL_H

#include "store/store.h"

/* The duplicate-search cell of a point (store_case_nearby): longitude and latitude each cut
 * into 1/STORE_NEAR_CELLS_PER_DEGREE-degree strips, truncated toward zero, as SQLite's
 * CAST(x AS INTEGER) and PostgreSQL's trunc(x) do in the index expression of both backends
 * (STORE_NEAR_CELL_SQL; keep them identical). A cell's neighbour in latitude is the next
 * integer; in longitude, STORE_NEAR_CELL_LON_STRIDE further. */
#define STORE_NEAR_CELL_LON_STRIDE 100000
static inline int64_t store_near_cell(double lon, double lat)
{
    return (int64_t)(lon * STORE_NEAR_CELLS_PER_DEGREE) * STORE_NEAR_CELL_LON_STRIDE +
           (int64_t)(lat * STORE_NEAR_CELLS_PER_DEGREE);
}
/* The 9 cells around (lon, lat) into out; ERR_INVALID when delta is wider than a cell. */
static inline int store_near_cells(double lon, double lat, double delta, int64_t out[9])
{
    int64_t c = store_near_cell(lon, lat);
    int n = 0;
    if (!(delta >= 0 && delta <= 1.0 / STORE_NEAR_CELLS_PER_DEGREE))
        return ERR_INVALID;
    for (int dx = -1; dx <= 1; dx++)
        for (int dy = -1; dy <= 1; dy++)
            out[n++] = c + (int64_t)dx * STORE_NEAR_CELL_LON_STRIDE + dy;
    return 0;
}

struct store_ops {
    const char *name;
    void (*close)(struct store *st);
    int (*schema_version)(struct store *st, int *out);
    int (*begin)(struct store *st);
    int (*commit)(struct store *st);
    void (*rollback)(struct store *st);
    int (*meta_get)(struct store *st, const char *key, char *out, size_t out_size);
    int (*meta_set)(struct store *st, const char *key, const char *value);

    int (*area_put)(struct store *st, const struct area *a);
    int (*area_get)(struct store *st, const char *code, int with_geometry, struct area *out);
    int (*area_exists)(struct store *st, const char *code, int *exists);
    int (*area_children)(struct store *st, const char *parent, int with_geometry,
                         struct area_list *out);
    int (*area_walk)(struct store *st, const char *root, int max_level, int with_geometry,
                     store_area_fn fn, void *ctx);
    int (*area_min_level)(struct store *st, int *out);
    int (*area_count)(struct store *st, int64_t *out);
    int (*areas_version)(struct store *st, int64_t *out);
    int (*area_recount)(struct store *st);

    int (*user_insert)(struct store *st, struct user *u);
    int (*user_get_by_name)(struct store *st, const char *username, struct user *out);
    int (*user_get)(struct store *st, int64_t id, struct user *out);
    int (*user_list)(struct store *st, const char *root, struct user_list *out);
    int (*user_set_password)(struct store *st, int64_t id, const char *password_hash);
    int (*user_set_login_state)(struct store *st, int64_t id, int failed_logins,
                                int64_t locked_until_ms);

    int (*session_insert)(struct store *st, const struct session *s);
    int (*session_get)(struct store *st, const char *token_hash, int64_t now_ms,
                       struct session *out);
    int (*session_delete)(struct store *st, const char *token_hash);
    int (*session_delete_user)(struct store *st, int64_t user_id);
    int (*session_purge)(struct store *st, int64_t now_ms);

    int (*household_insert)(struct store *st, struct household *h);
    int (*person_insert)(struct store *st, struct person *p);
    int (*household_count)(struct store *st, const char *root, int64_t *households,
                           int64_t *persons);

    int (*meta_get_text)(struct store *st, const char *key, char **out);
    int (*maintain)(struct store *st);
    int (*refresh_statistics)(struct store *st);
    int (*case_count_overdue)(struct store *st, int64_t now_ms, int64_t *out);
    int (*size_bytes)(struct store *st, int64_t *out);
    int (*backup)(struct store *st, const char *dest_path, struct errbuf *eb);
    int (*check_integrity)(struct store *st, struct errbuf *eb);
    int (*case_set_head)(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                         int64_t expected_seq);
    int (*case_insert)(struct store *st, struct case_rec *c);
    int (*case_update)(struct store *st, const struct case_rec *c, int64_t expected_seq);
    int (*case_get)(struct store *st, int64_t id, struct case_rec *out);
    int (*case_get_by_number)(struct store *st, const char *number, struct case_rec *out);
    int (*case_list)(struct store *st, const struct case_filter *f, struct case_list *out);
    int (*case_next_serial)(struct store *st, const char *district, const char *day, int64_t *out);
    int (*case_due)(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                    struct case_list *out);
    int (*case_nearby)(struct store *st, const char *category, double lon, double lat, double delta,
                       int64_t since_ms, int limit, struct case_near_list *out);
    int (*case_count_by_status)(struct store *st, const char *area, store_count_fn fn, void *ctx);
    int (*case_event_append)(struct store *st, const struct case_event *e);
    int (*case_events)(struct store *st, int64_t case_id, struct case_event_list *out);
    int (*case_event_walk)(struct store *st, store_event_fn fn, void *ctx);
    int (*attachment_put)(struct store *st, const struct attachment *a);
    int (*attachment_get)(struct store *st, const char *hash, int with_data,
                          struct attachment *out);
    int (*case_attachment_add)(struct store *st, int64_t case_id, const char *hash);
    int (*case_attachments)(struct store *st, int64_t case_id, store_count_fn fn, void *ctx);
    /* hardening */
    int (*attachment_cases)(struct store *st, const char *hash, store_count_fn fn, void *ctx);
    int (*user_page)(struct store *st, const char *root, const char *after_username, int limit,
                     struct user_list *out);
    int (*outbox_insert)(struct store *st, const struct outbox_msg *m);
    int (*outbox_due)(struct store *st, int64_t now_ms, int limit, struct outbox_list *out);
    int (*outbox_delivered)(struct store *st, int64_t id, int64_t now_ms);
    int (*outbox_failed)(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                         const char *error);
    int (*outbox_backlog)(struct store *st, int64_t *out);
    int (*outbox_mark_all_delivered)(struct store *st, int64_t now_ms);

    /* base data (store_sqlite_basedata.c) */
    int (*bd_put)(struct store *st, struct bd_record *r, int *created);
    int (*bd_get)(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out);
    int (*bd_delete)(struct store *st, enum bd_kind kind, int64_t id);
    int (*bd_find)(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id);
    int (*bd_list)(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx);
    int (*bd_count)(struct store *st, enum bd_kind kind, const char *area, int64_t *out);
    int (*bd_search)(struct store *st, const char *area, const char *query, int limit,
                     store_bd_hit_fn fn, void *ctx);
    int (*bd_reindex)(struct store *st);
    /* bulk load of base data (import) */
    int (*bd_bulk_begin)(struct store *st, enum bd_kind kind, int *started);
    int (*bd_bulk_end)(struct store *st);
    int (*access_log_append)(struct store *st, struct access_entry *e);
    int (*access_log_list)(struct store *st, const struct access_filter *f, store_access_fn fn,
                           void *ctx);
    int (*household_link_add)(struct store *st, const struct household_link *l);
    int (*household_links)(struct store *st, int64_t household_id, store_link_fn fn, void *ctx);
    int (*bd_retention_persons)(struct store *st, const char *before_date, int64_t after_id,
                                int limit, store_bd_fn fn, void *ctx);
    int (*bd_anonymise_person)(struct store *st, int64_t id, int64_t now_ms);
    int (*case_clear_reporters)(struct store *st, int64_t before_ms, int dry_run, int64_t *count);
    int (*case_plain_phones)(struct store *st, int limit, store_phone_fn fn, void *ctx);
    int (*case_set_reporter_phone)(struct store *st, int64_t case_id, const char *sealed,
                                   const char *masked);
    /* case series (analysis, issue 7) */
    int (*case_daily_counts)(struct store *st, const char *area, const char *category,
                             int64_t from_ms, int64_t to_ms, int utc_offset_min, int by_class,
                             store_series_fn fn, void *ctx);
    /* disputes and deliberation councils (store_sqlite_disputes.c) */
    int (*dispute_insert)(struct store *st, struct dispute_rec *d);
    int (*dispute_update)(struct store *st, const struct dispute_rec *d, int64_t expected_seq);
    int (*dispute_get)(struct store *st, int64_t id, struct dispute_rec *out);
    int (*dispute_list)(struct store *st, const struct dispute_filter *f, struct dispute_list *out);
    int (*dispute_find_recurrence)(struct store *st, const char *parties_key, int64_t before_id,
                                   int64_t *id);
    int (*dispute_party_add)(struct store *st, struct dispute_party *p);
    int (*dispute_parties)(struct store *st, int64_t dispute_id, struct dispute_party_list *out);
    int (*dispute_mediator_add)(struct store *st, struct dispute_mediator *m);
    int (*dispute_mediators)(struct store *st, int64_t dispute_id,
                             struct dispute_mediator_list *out);
    int (*dispute_is_mediator)(struct store *st, int64_t dispute_id, int64_t user_id,
                               int *is_mediator);
    int (*dispute_entry_add)(struct store *st, enum dispute_entry_kind kind,
                             struct dispute_entry *e);
    int (*dispute_entries)(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                           struct dispute_entry_list *out);
    int (*dispute_event_append)(struct store *st, const struct gov_event *e);
    int (*dispute_events)(struct store *st, int64_t dispute_id, struct gov_event_list *out);
    int (*dispute_stats)(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                         store_dispute_stats_fn fn, void *ctx);
    int (*council_insert)(struct store *st, struct council_rec *c);
    int (*council_get)(struct store *st, int64_t id, struct council_rec *out);
    int (*council_list)(struct store *st, const char *area, struct council_list *out);
    int (*council_member_add)(struct store *st, struct council_member_rec *m);
    int (*council_members)(struct store *st, int64_t council_id, struct council_member_list *out);
    int (*topic_insert)(struct store *st, struct topic_rec *t);
    int (*topic_update)(struct store *st, const struct topic_rec *t, int64_t expected_seq);
    int (*topic_get)(struct store *st, int64_t id, struct topic_rec *out);
    int (*topic_list)(struct store *st, const struct topic_filter *f, struct topic_list *out);
    int (*topic_entry_add)(struct store *st, enum topic_entry_kind kind, struct topic_entry *e);
    int (*topic_task_done)(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms);
    int (*topic_entries)(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                         struct topic_entry_list *out);
    int (*topic_meeting_add)(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                             const int64_t *member_ids, size_t n_present, int64_t *meeting_id);
    int (*topic_meeting_latest)(struct store *st, int64_t topic_id, int64_t *meeting_id,
                                int *present);
    int (*topic_attended)(struct store *st, int64_t meeting_id, int64_t member_id, int *attended);
    int (*topic_ballot_add)(struct store *st, int64_t topic_id, const char *voter_key,
                            const char *choice, int is_secret, int64_t at_ms);
    int (*topic_ballot_totals)(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain);
    int (*topic_event_append)(struct store *st, const struct gov_event *e);
    int (*topic_events)(struct store *st, int64_t topic_id, struct gov_event_list *out);
    int (*village_voters)(struct store *st, const char *area, const char *adult_born_by,
                          int64_t *households, int64_t *adults);
    /* indicator roll-ups (store_sqlite_rollups.c) */
    int (*rollup_add)(struct store *st, enum rollup_table t, int level, const char *area, int day,
                      const char *category, const struct rollup_counters *d);
    /* Collected cases per day (YYYYMMDD, from_day..to_day included) of the live day cells of
     * area at level, summed over categories or per category class (first 2 characters) when
     * by_class; only days (and classes) with cases, in day then class order. fn gets the
     * YYYYMMDD day. store_case_daily_counts' answer when the question allows. */
    int (*rollup_day_counts)(struct store *st, int level, const char *area, int from_day,
                             int to_day, int by_class, store_series_fn fn, void *ctx);
    /* cells: distinct keys in key order (store_rollup_add_many merged and sorted them) */
    int (*rollup_add_many)(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                           size_t n);
    int (*rollup_clear)(struct store *st, enum rollup_table t);
    int (*rollup_diff)(struct store *st, int64_t *cells_differing);
    int (*rollup_sum)(struct store *st, int level, const char *area, int child_level, int from_day,
                      int to_day, const char *category_prefix, enum rollup_group g,
                      store_rollup_fn fn, void *ctx);
    int (*rollup_event_walk)(struct store *st, store_rollup_event_fn fn, void *ctx);
    /* Idempotency keys of case reports (api_cases.c) */
    int (*case_report_key_insert)(struct store *st, int64_t user_id, const char *key,
                                  int64_t case_id, int64_t now_ms);
    int (*case_report_key_get)(struct store *st, int64_t user_id, const char *key,
                               int64_t *case_id);
    /* The grid worker's app and user administration (issue 8) */
    int (*user_set_disabled)(struct store *st, int64_t id, int is_disabled);
    int (*visit_key_insert)(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                            int64_t now_ms);
    int (*visit_key_get)(struct store *st, int64_t user_id, const char *key, int64_t *visit_id);
    /* Open311 (api_open311.c) */
    int (*api_key_insert)(struct store *st, struct api_key *k);
    int (*api_key_get_by_hash)(struct store *st, const char *key_hash, struct api_key *out);
    int (*api_key_list)(struct store *st, struct api_key_list *out);
    int (*open311_request_insert)(struct store *st, const struct open311_request *r);
    int (*open311_request_get)(struct store *st, int64_t case_id, struct open311_request *out);
    int (*open311_request_by_token)(struct store *st, const char *token,
                                    struct open311_request *out);
    int (*open311_case_ids)(struct store *st, const struct open311_filter *f, int64_t *ids,
                            size_t *n);
    int (*open311_media_case)(struct store *st, const char *hash, int64_t *case_id);
    int (*outbox_last_id)(struct store *st, int64_t *out);
    int (*outbox_mark_delivered_after)(struct store *st, int64_t after_id, int64_t now_ms);
    int (*open311_updated_case_ids)(struct store *st, int64_t from_ms, int64_t to_ms,
                                    int64_t offset, int limit, int64_t *ids, size_t *n);
    int (*open311_update_key_insert)(struct store *st, int64_t api_key_id, const char *update_id,
                                     int64_t case_id, int64_t event_seq, int64_t now_ms);
    int (*open311_update_key_get)(struct store *st, int64_t api_key_id, const char *update_id,
                                  int64_t *case_id, int64_t *event_seq);
    /* field work (issue 5: store_sqlite_fieldwork.c) */
    int (*patrol_insert)(struct store *st, struct patrol_rec *p);
    int (*patrol_get)(struct store *st, int64_t id, struct patrol_rec *out);
    int (*patrol_finish)(struct store *st, const struct patrol_rec *p);
    int (*patrol_set_counts)(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                             int64_t n_fast);
    int (*patrol_list)(struct store *st, const struct patrol_filter *f, store_patrol_fn fn,
                       void *ctx);
    int (*patrol_batch_add)(struct store *st, int64_t patrol_id, const char *batch_id,
                            int64_t n_points, int *is_new);
    int (*patrol_points_add)(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                             size_t n);
    int (*patrol_points)(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx);
    int (*patrol_count_by_grid)(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                                store_count_fn fn, void *ctx);
    int (*field_case_link_add)(struct store *st, const char *source, int64_t source_id,
                               int64_t case_id);
    int (*field_case_links)(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                            void *ctx);
    int (*visit_insert)(struct store *st, struct visit_rec *v);
    int (*visit_get)(struct store *st, int64_t id, struct visit_rec *out);
    int (*visit_set_case)(struct store *st, int64_t id, int64_t case_id);
    int (*visit_list)(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx);
    int (*visit_states)(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                        store_visit_state_fn fn, void *ctx);
    int (*campaign_insert)(struct store *st, struct campaign_rec *c);
    int (*campaign_get)(struct store *st, int64_t id, struct campaign_rec *out);
    int (*campaign_coverage)(struct store *st, int64_t id, store_coverage_fn fn, void *ctx);
    int (*case_channel_counts)(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                               store_channel_fn fn, void *ctx);
    int (*station_team_insert)(struct store *st, struct station_team *t);
    int (*station_team_get)(struct store *st, int64_t id, struct station_team *out);
    int (*station_team_list)(struct store *st, const char *area, store_team_fn fn, void *ctx);
    int (*station_session_insert)(struct store *st, struct station_session *s);
    int (*station_session_get)(struct store *st, int64_t id, struct station_session *out);
    int (*station_session_list)(struct store *st, int64_t team_id, const char *area,
                                int64_t from_ms, int64_t to_ms, int limit, store_session_fn fn,
                                void *ctx);
    /* volunteers, needs, posts, hours, chiefs (issue 5: store_sqlite_volunteers.c) */
    int (*volunteer_insert)(struct store *st, struct volunteer_rec *v);
    int (*volunteer_update)(struct store *st, const struct volunteer_rec *v);
    int (*volunteer_get)(struct store *st, int64_t id, struct volunteer_rec *out);
    int (*volunteer_list)(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                          void *ctx);
    int (*volunteer_loads)(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                           void *ctx);
    int (*need_insert)(struct store *st, struct need_rec *n);
    int (*need_get)(struct store *st, int64_t id, struct need_rec *out);
    int (*need_list)(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx);
    int (*need_assign)(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                       int64_t at_ms);
    int (*need_assignments)(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx);
    int (*post_insert)(struct store *st, struct post_rec *p);
    int (*post_get)(struct store *st, int64_t id, struct post_rec *out);
    int (*post_list)(struct store *st, const char *area, store_post_fn fn, void *ctx);
    int (*post_member_add)(struct store *st, struct post_member *m);
    int (*post_member_get)(struct store *st, int64_t id, struct post_member *out);
    int (*post_members)(struct store *st, int64_t post_id, store_member_fn fn, void *ctx);
    int (*hours_insert)(struct store *st, struct hours_rec *h);
    int (*hours_day_total)(struct store *st, const char *member_kind, int64_t person_key,
                           int64_t day_ms, int64_t *minutes);
    int (*hours_totals)(struct store *st, const char *member_kind, int64_t person_key,
                        int64_t from_ms, int64_t to_ms, store_hours_total_fn fn, void *ctx);
    int (*chief_insert)(struct store *st, struct chief_rec *c);
    int (*chief_get)(struct store *st, int64_t id, struct chief_rec *out);
    int (*chief_list)(struct store *st, const char *area, store_chief_fn fn, void *ctx);
    /* ratings and surveys (store_sqlite_ratings.c) */
    int (*survey_insert)(struct store *st, struct survey_rec *s);
    int (*survey_get)(struct store *st, int64_t id, struct survey_rec *out);
    int (*survey_list)(struct store *st, int limit, store_survey_fn fn, void *ctx);
    int (*survey_response_insert)(struct store *st, const struct survey_response_rec *r);
    int (*survey_sums)(struct store *st, int64_t survey_id, int from_day, int to_day,
                       const char *area, int key_len, store_survey_sums_fn fn, void *ctx);
    int (*star_rating_insert)(struct store *st, const struct star_rating_rec *r);
    int (*star_rating_count)(struct store *st, int year, const char *area, int64_t *out);
    int (*star_rating_list)(struct store *st, int year, const char *area, store_star_fn fn,
                            void *ctx);
    /* task lists (store_sqlite_tasks.c, store_pg_tasks.c) */
    int (*visit_due)(struct store *st, const char *area, const char *kind, int tagged,
                     int64_t base_max_ms, store_visit_state_fn fn, void *ctx);
    /* the request path's reads (store_sqlite_intake.c, store_pg_intake.c) */
    int (*session_user_get)(struct store *st, const char *token_hash, int64_t now_ms,
                            struct session *sess, struct user *user);
    int (*meta_get_int_pair)(struct store *st, const char *key1, const char *key2, int64_t *v1,
                             int64_t *v2);
};

struct store {
    const struct store_ops *ops;
};

/* The SQLite backend (src/store/sqlite/store_sqlite.c). path is a file name. */
int store_sqlite_open(const char *path, unsigned flags, struct store **out, struct errbuf *eb);
/* SQLite's process-wide settings (store_process_init). */
int store_sqlite_process_init(void);

/* Newest schema version of the SQLite backend (src/store/sqlite/migrations.c). */
int sqlite_schema_latest(void);

/* The PostgreSQL backend (src/store/pg/store_pg.c). url is a libpq connection URL; with
 * STORE_CREATE a missing database is created. */
int store_pg_open(const char *url, unsigned flags, struct store **out, struct errbuf *eb);

/* Newest schema version of the PostgreSQL backend (equal to SQLite's). */
int pg_schema_latest(void);

#endif
