/*
 * sqlite_internal.h - what the SQLite backend's files share (private to src/store/sqlite/).
 *
 * The backend is split by subject (store_sqlite.c: connection, areas, users, base data;
 * store_sqlite_cases.c: cases, events, outbox, attachments). Each file keeps its statements
 * as a table of SQL text and caches the prepared statements in its own slots of the
 * connection, prepared on first use.
 */
#ifndef GRIDGOV_STORE_SQLITE_INTERNAL_H
#define GRIDGOV_STORE_SQLITE_INTERNAL_H

#include "store/store_impl.h"

#include <sqlite3.h>

#define SQ_CORE_STMTS    64 /* slots for store_sqlite.c's statements */
#define SQ_EXTRA_STMTS   64 /* slots for store_sqlite_cases.c's statements */
#define SQ_BD_STMTS      8  /* slots per base-data kind (store_sqlite_basedata.c) */
#define SQ_DISPUTE_STMTS 64 /* slots for store_sqlite_disputes.c's statements */
#define SQ_ROLLUP_STMTS  16 /* slots for store_sqlite_rollups.c's statements */
#define SQ_FW_STMTS      24 /* slots for store_sqlite_fieldwork.c's statements */
#define SQ_INTAKE_STMTS  4  /* slots for store_sqlite_intake.c's statements */

struct sqlite_store {
    struct store base; /* must be first */
    sqlite3 *db;
    sqlite3_stmt *stmts[SQ_CORE_STMTS];
    sqlite3_stmt *extra_stmts[SQ_EXTRA_STMTS];
    /* store_sqlite_basedata.c: per kind, assembled from its field table */
    sqlite3_stmt *bd_stmts[BD_KIND_COUNT][SQ_BD_STMTS];
    sqlite3_stmt *bd_find_stmts[BD_KIND_COUNT];
    sqlite3_stmt *bd_misc_stmts[4];
    int bd_fts_queue_ready; /* the connection's temp.base_fts_queue exists */
    int bd_fts_dirty;       /* the queue holds changes not yet applied to base_fts */
    /* An open bulk load (sq_bd_bulk_begin): the kind, its largest id before the load, and the
     * CREATE INDEX / CREATE TRIGGER statements of what it dropped (owned, indexes first), to
     * be run by sq_bd_bulk_end. */
    int bd_bulk_open;
    enum bd_kind bd_bulk_kind;
    int64_t bd_bulk_max_id;
    char **bd_bulk_index_sql;
    int bd_bulk_n_index;
    sqlite3_stmt *dispute_stmts[SQ_DISPUTE_STMTS];
    sqlite3_stmt *rollup_stmts[SQ_ROLLUP_STMTS];
    int has_rollup_functions;            /* the histogram SQL functions are registered on db */
    sqlite3_stmt *fw_stmts[SQ_FW_STMTS]; /* store_sqlite_fieldwork.c */
    sqlite3_stmt *intake_stmts[SQ_INTAKE_STMTS]; /* store_sqlite_intake.c */
    int in_tx;      /* transaction depth: 0 none, 1 a transaction, more: savepoints inside it */
    unsigned flags; /* enum store_open_flags */
};

static inline struct sqlite_store *sq(struct store *st)
{
    return (struct sqlite_store *)st;
}

/* The columns of a user row, in the order sq_read_user reads them. */
#define USER_COLS                                                                                  \
    "id, username, display_name, role, area_code, department, password_hash, failed_logins, "      \
    "locked_until_ms, created_ms, is_disabled"
/* Read a row selected with USER_COLS (store_sqlite.c). */
void sq_read_user(sqlite3_stmt *stmt, struct user *u);

/* Log a failed SQLite call once, at the storage boundary, and map it to an error code. */
int sq_fail(struct sqlite_store *s, const char *what);
/* The statement cached in *slot (prepared from sql on first use), reset, bindings cleared;
 * NULL on failure (logged). */
sqlite3_stmt *sq_prepare_slot(struct sqlite_store *s, sqlite3_stmt **slot, const char *sql);
/* Bind a NUL-terminated string that outlives the statement's step. */
void bind_text(sqlite3_stmt *stmt, int i, const char *v);
/* Step a statement that returns no rows (or ignores them) and reset it. */
int sq_exec_done(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what);
/* Number of UTF-8 characters in s (continuation bytes not counted). */
size_t sq_utf8_chars(const char *s);
/* The user's text q as one FTS5 phrase in out (quotes doubled, so no FTS syntax gets
 * through), truncated to fit size (at least 4). */
void sq_fts_phrase(const char *q, char *out, size_t size);
/* Copy a text column into a fixed buffer ("" for NULL), truncating to size. */
void copy_col(sqlite3_stmt *stmt, int col, char *out, size_t size);

/* Index the text of cases added since the last call (store_sqlite_cases.c); run by the
 * outermost commit. */
int sq_cases_fts_sync(struct sqlite_store *s);

/* store_sqlite_cases.c: the case half of the backend's ops table. */
int sq_case_set_head(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                     int64_t expected_seq);
int sq_case_insert(struct store *st, struct case_rec *c);
int sq_case_update(struct store *st, const struct case_rec *c, int64_t expected_seq);
int sq_case_get(struct store *st, int64_t id, struct case_rec *out);
int sq_case_get_by_number(struct store *st, const char *number, struct case_rec *out);
int sq_case_list(struct store *st, const struct case_filter *f, struct case_list *out);
int sq_case_next_serial(struct store *st, const char *district, const char *day, int64_t *out);
int sq_case_due(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                struct case_list *out);
int sq_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                   int64_t since_ms, int limit, struct case_near_list *out);
int sq_case_count_by_status(struct store *st, const char *area, store_count_fn fn, void *ctx);
int sq_case_event_append(struct store *st, const struct case_event *e);
int sq_case_events(struct store *st, int64_t case_id, struct case_event_list *out);
int sq_case_event_walk(struct store *st, store_event_fn fn, void *ctx);
int sq_attachment_put(struct store *st, const struct attachment *a);
int sq_attachment_get(struct store *st, const char *hash, int with_data, struct attachment *out);
int sq_case_attachment_add(struct store *st, int64_t case_id, const char *hash);
int sq_case_attachments(struct store *st, int64_t case_id, store_count_fn fn, void *ctx);
/* store_sqlite_hardening.c */
int sq_attachment_cases(struct store *st, const char *hash, store_count_fn fn, void *ctx);
int sq_user_page(struct store *st, const char *root, const char *after_username, int limit,
                 struct user_list *out);
int sq_outbox_insert(struct store *st, const struct outbox_msg *m);
int sq_outbox_due(struct store *st, int64_t now_ms, int limit, struct outbox_list *out);
int sq_outbox_delivered(struct store *st, int64_t id, int64_t now_ms);
int sq_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                     const char *error);
int sq_outbox_backlog(struct store *st, int64_t *out);
int sq_outbox_mark_all_delivered(struct store *st, int64_t now_ms);

/* Apply the queued base-data index changes to base_fts (store_sqlite_basedata.c); run by the
 * outermost commit. */
int sq_bd_fts_sync(struct sqlite_store *s);
/* store_sqlite_basedata.c: the base-data half of the ops table. */
int sq_bd_put(struct store *st, struct bd_record *r, int *created);
int sq_bd_get(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out);
int sq_bd_delete(struct store *st, enum bd_kind kind, int64_t id);
int sq_bd_find(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id);
int sq_bd_list(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx);
int sq_bd_count(struct store *st, enum bd_kind kind, const char *area, int64_t *out);
int sq_bd_search(struct store *st, const char *area, const char *query, int limit,
                 store_bd_hit_fn fn, void *ctx);
int sq_bd_reindex(struct store *st);
int sq_bd_bulk_begin(struct store *st, enum bd_kind kind, int *started);
int sq_bd_bulk_end(struct store *st);
/* Drop the bulk-load state without rebuilding anything (after a rollback restored the schema). */
void sq_bd_bulk_forget(struct sqlite_store *s);
int sq_access_log_append(struct store *st, struct access_entry *e);
int sq_access_log_list(struct store *st, const struct access_filter *f, store_access_fn fn,
                       void *ctx);
int sq_household_link_add(struct store *st, const struct household_link *l);
int sq_household_links(struct store *st, int64_t household_id, store_link_fn fn, void *ctx);
int sq_bd_retention_persons(struct store *st, const char *before_date, int64_t after_id, int limit,
                            store_bd_fn fn, void *ctx);
int sq_bd_anonymise_person(struct store *st, int64_t id, int64_t now_ms);
int sq_case_clear_reporters(struct store *st, int64_t before_ms, int dry_run, int64_t *count);
int sq_case_plain_phones(struct store *st, int limit, store_phone_fn fn, void *ctx);
int sq_case_set_reporter_phone(struct store *st, int64_t case_id, const char *sealed,
                               const char *masked);
/* store_sqlite_series.c */
/* Step stmt (columns: day, class, count) to its end, each row to fn; fn's nonzero return
 * stops and is returned, a failed step is sq_fail(s, what). The caller finalizes stmt. */
int sq_series_emit(struct sqlite_store *s, sqlite3_stmt *stmt, store_series_fn fn, void *ctx,
                   const char *what);
int sq_case_daily_counts(struct store *st, const char *area, const char *category, int64_t from_ms,
                         int64_t to_ms, int utc_offset_min, int by_class, store_series_fn fn,
                         void *ctx);
/* store_sqlite_disputes.c: disputes and deliberation councils. */
int sq_dispute_insert(struct store *st, struct dispute_rec *d);
int sq_dispute_update(struct store *st, const struct dispute_rec *d, int64_t expected_seq);
int sq_dispute_get(struct store *st, int64_t id, struct dispute_rec *out);
int sq_dispute_list(struct store *st, const struct dispute_filter *f, struct dispute_list *out);
int sq_dispute_find_recurrence(struct store *st, const char *parties_key, int64_t before_id,
                               int64_t *id);
int sq_dispute_party_add(struct store *st, struct dispute_party *p);
int sq_dispute_parties(struct store *st, int64_t dispute_id, struct dispute_party_list *out);
int sq_dispute_mediator_add(struct store *st, struct dispute_mediator *m);
int sq_dispute_mediators(struct store *st, int64_t dispute_id, struct dispute_mediator_list *out);
int sq_dispute_is_mediator(struct store *st, int64_t dispute_id, int64_t user_id, int *is_mediator);
int sq_dispute_entry_add(struct store *st, enum dispute_entry_kind kind, struct dispute_entry *e);
int sq_dispute_entries(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                       struct dispute_entry_list *out);
int sq_dispute_event_append(struct store *st, const struct gov_event *e);
int sq_dispute_events(struct store *st, int64_t dispute_id, struct gov_event_list *out);
int sq_dispute_stats(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                     store_dispute_stats_fn fn, void *ctx);
int sq_council_insert(struct store *st, struct council_rec *c);
int sq_council_get(struct store *st, int64_t id, struct council_rec *out);
int sq_council_list(struct store *st, const char *area, struct council_list *out);
int sq_council_member_add(struct store *st, struct council_member_rec *m);
int sq_council_members(struct store *st, int64_t council_id, struct council_member_list *out);
int sq_topic_insert(struct store *st, struct topic_rec *t);
int sq_topic_update(struct store *st, const struct topic_rec *t, int64_t expected_seq);
int sq_topic_get(struct store *st, int64_t id, struct topic_rec *out);
int sq_topic_list(struct store *st, const struct topic_filter *f, struct topic_list *out);
int sq_topic_entry_add(struct store *st, enum topic_entry_kind kind, struct topic_entry *e);
int sq_topic_task_done(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms);
int sq_topic_entries(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                     struct topic_entry_list *out);
int sq_topic_meeting_add(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                         const int64_t *member_ids, size_t n_present, int64_t *meeting_id);
int sq_topic_meeting_latest(struct store *st, int64_t topic_id, int64_t *meeting_id, int *present);
int sq_topic_attended(struct store *st, int64_t meeting_id, int64_t member_id, int *attended);
int sq_topic_ballot_add(struct store *st, int64_t topic_id, const char *voter_key,
                        const char *choice, int is_secret, int64_t at_ms);
int sq_topic_ballot_totals(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain);
int sq_topic_event_append(struct store *st, const struct gov_event *e);
int sq_topic_events(struct store *st, int64_t topic_id, struct gov_event_list *out);
int sq_village_voters(struct store *st, const char *area, const char *adult_born_by,
                      int64_t *households, int64_t *adults);
/* store_sqlite_rollups.c: indicator roll-ups. */
int sq_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                  const char *category, const struct rollup_counters *d);
int sq_rollup_add_many(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                       size_t n);
int sq_rollup_day_counts(struct store *st, int level, const char *area, int from_day, int to_day,
                         int by_class, store_series_fn fn, void *ctx);
int sq_rollup_clear(struct store *st, enum rollup_table t);
int sq_rollup_diff(struct store *st, int64_t *cells_differing);
int sq_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                  int to_day, const char *category_prefix, enum rollup_group g, store_rollup_fn fn,
                  void *ctx);
int sq_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx);
/* store_sqlite_idem.c: idempotency keys of case reports. */
int sq_case_report_key_insert(struct store *st, int64_t user_id, const char *key, int64_t case_id,
                              int64_t now_ms);
int sq_case_report_key_get(struct store *st, int64_t user_id, const char *key, int64_t *case_id);
/* store_sqlite_open311.c: API keys and Open311 request details. */
int sq_api_key_insert(struct store *st, struct api_key *k);
int sq_api_key_get_by_hash(struct store *st, const char *key_hash, struct api_key *out);
int sq_api_key_list(struct store *st, struct api_key_list *out);
int sq_open311_request_insert(struct store *st, const struct open311_request *r);
int sq_open311_request_get(struct store *st, int64_t case_id, struct open311_request *out);
int sq_open311_request_by_token(struct store *st, const char *token, struct open311_request *out);
int sq_open311_case_ids(struct store *st, const struct open311_filter *f, int64_t *ids, size_t *n);
int sq_open311_media_case(struct store *st, const char *hash, int64_t *case_id);
int sq_outbox_last_id(struct store *st, int64_t *out);
int sq_outbox_mark_delivered_after(struct store *st, int64_t after_id, int64_t now_ms);
int sq_open311_updated_case_ids(struct store *st, int64_t from_ms, int64_t to_ms, int64_t offset,
                                int limit, int64_t *ids, size_t *n);
int sq_open311_update_key_insert(struct store *st, int64_t api_key_id, const char *update_id,
                                 int64_t case_id, int64_t event_seq, int64_t now_ms);
int sq_open311_update_key_get(struct store *st, int64_t api_key_id, const char *update_id,
                              int64_t *case_id, int64_t *event_seq);
/* store_sqlite_fieldwork.c (issue 5) */
int sq_patrol_insert(struct store *st, struct patrol_rec *p);
int sq_patrol_get(struct store *st, int64_t id, struct patrol_rec *out);
int sq_patrol_finish(struct store *st, const struct patrol_rec *p);
int sq_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                         int64_t n_fast);
int sq_patrol_list(struct store *st, const struct patrol_filter *f, store_patrol_fn fn, void *ctx);
int sq_patrol_batch_add(struct store *st, int64_t patrol_id, const char *batch_id, int64_t n_points,
                        int *is_new);
int sq_patrol_points_add(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                         size_t n);
int sq_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx);
int sq_patrol_count_by_grid(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                            store_count_fn fn, void *ctx);
int sq_field_case_link_add(struct store *st, const char *source, int64_t source_id,
                           int64_t case_id);
int sq_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                        void *ctx);
int sq_visit_insert(struct store *st, struct visit_rec *v);
int sq_visit_get(struct store *st, int64_t id, struct visit_rec *out);
int sq_visit_set_case(struct store *st, int64_t id, int64_t case_id);
int sq_visit_list(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx);
int sq_visit_states(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                    store_visit_state_fn fn, void *ctx);
int sq_campaign_insert(struct store *st, struct campaign_rec *c);
int sq_campaign_get(struct store *st, int64_t id, struct campaign_rec *out);
int sq_campaign_coverage(struct store *st, int64_t id, store_coverage_fn fn, void *ctx);
int sq_case_channel_counts(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                           store_channel_fn fn, void *ctx);

int sq_station_team_insert(struct store *st, struct station_team *t);
int sq_station_team_get(struct store *st, int64_t id, struct station_team *out);
int sq_station_team_list(struct store *st, const char *area, store_team_fn fn, void *ctx);
int sq_station_session_insert(struct store *st, struct station_session *s);
int sq_station_session_get(struct store *st, int64_t id, struct station_session *out);
int sq_station_session_list(struct store *st, int64_t team_id, const char *area, int64_t from_ms,
                            int64_t to_ms, int limit, store_session_fn fn, void *ctx);

/* store_sqlite_volunteers.c (issue 5, SPEC section 8) */
int sq_volunteer_insert(struct store *st, struct volunteer_rec *v);
int sq_volunteer_update(struct store *st, const struct volunteer_rec *v);
int sq_volunteer_get(struct store *st, int64_t id, struct volunteer_rec *out);
int sq_volunteer_list(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                      void *ctx);
int sq_volunteer_loads(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                       void *ctx);
int sq_need_insert(struct store *st, struct need_rec *n);
int sq_need_get(struct store *st, int64_t id, struct need_rec *out);
int sq_need_list(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx);
int sq_need_assign(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                   int64_t at_ms);
int sq_need_assignments(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx);
int sq_post_insert(struct store *st, struct post_rec *p);
int sq_post_get(struct store *st, int64_t id, struct post_rec *out);
int sq_post_list(struct store *st, const char *area, store_post_fn fn, void *ctx);
int sq_post_member_add(struct store *st, struct post_member *m);
int sq_post_member_get(struct store *st, int64_t id, struct post_member *out);
int sq_post_members(struct store *st, int64_t post_id, store_member_fn fn, void *ctx);
int sq_hours_insert(struct store *st, struct hours_rec *h);
int sq_hours_day_total(struct store *st, const char *member_kind, int64_t person_key,
                       int64_t day_ms, int64_t *minutes);
int sq_hours_totals(struct store *st, const char *member_kind, int64_t person_key, int64_t from_ms,
                    int64_t to_ms, store_hours_total_fn fn, void *ctx);
int sq_chief_insert(struct store *st, struct chief_rec *c);
int sq_chief_get(struct store *st, int64_t id, struct chief_rec *out);
int sq_chief_list(struct store *st, const char *area, store_chief_fn fn, void *ctx);
/* store_sqlite_ratings.c: surveys, their responses, star ratings. */
int sq_survey_insert(struct store *st, struct survey_rec *s);
int sq_survey_get(struct store *st, int64_t id, struct survey_rec *out);
int sq_survey_list(struct store *st, int limit, store_survey_fn fn, void *ctx);
int sq_survey_response_insert(struct store *st, const struct survey_response_rec *r);
int sq_survey_sums(struct store *st, int64_t survey_id, int from_day, int to_day, const char *area,
                   int key_len, store_survey_sums_fn fn, void *ctx);
int sq_star_rating_insert(struct store *st, const struct star_rating_rec *r);
int sq_star_rating_count(struct store *st, int year, const char *area, int64_t *out);
int sq_star_rating_list(struct store *st, int year, const char *area, store_star_fn fn, void *ctx);
/* store_sqlite_webui.c: the grid worker's app and user administration (issue 8). */
int sq_user_set_disabled(struct store *st, int64_t id, int is_disabled);
int sq_visit_key_insert(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                        int64_t now_ms);
int sq_visit_key_get(struct store *st, int64_t user_id, const char *key, int64_t *visit_id);
/* store_sqlite_tasks.c: households that may be due for a visit (task lists). */
int sq_visit_due(struct store *st, const char *area, const char *kind, int tagged,
                 int64_t base_max_ms, store_visit_state_fn fn, void *ctx);
/* store_sqlite_intake.c: the request path's reads (session with its user, meta pairs). */
int sq_session_user_get(struct store *st, const char *token_hash, int64_t now_ms,
                        struct session *sess, struct user *user);
int sq_meta_get_int_pair(struct store *st, const char *key1, const char *key2, int64_t *v1,
                         int64_t *v2);

#endif
