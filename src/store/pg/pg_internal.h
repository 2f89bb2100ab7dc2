/*
 * pg_internal.h - what the PostgreSQL backend's files share (private to src/store/pg/).
 *
 * The backend mirrors the SQLite one file for file (store_pg.c: connection, schema,
 * transactions, meta, areas, users, sessions; store_pg_<module>.c: one subject each). Every
 * statement is a numbered slot, prepared on its connection on first use (PQprepare) and run
 * with text-format parameters (PQexecPrepared); values are never pasted into SQL. libpq types
 * never leave src/store/pg/.
 *
 * Schema conventions (see docs/SCALING.md): area codes and other keys compared by range or
 * ordered are `text COLLATE "C"` so that they sort byte-wise as in SQLite; times are bigint ms
 * since the epoch UTC; every table that belongs to a district carries `district` (the first six
 * digits of its area code) and its primary key starts with it, so Citus can distribute it by
 * district without a schema change. meta, areas, users, sessions and api_keys are reference
 * tables (small, read everywhere).
 *
 * Inside a transaction a failed statement aborts the whole transaction in PostgreSQL (unlike
 * SQLite), so statements that may fail by design use ON CONFLICT or pg_query_guarded.
 */
#ifndef GRIDGOV_STORE_PG_INTERNAL_H
#define GRIDGOV_STORE_PG_INTERNAL_H

#include "store/store_impl.h"

#include <libpq-fe.h>
#include <stdint.h>

/* Statement slots: each file owns a range, so the names ("s<slot>") never collide. */
enum {
    PG_SLOT_CORE = 0,
    PG_SLOT_CASES = 100,
    PG_SLOT_ROLLUPS = 200,
    PG_SLOT_BASEDATA = 250,
    PG_SLOT_OPEN311 = 400,
    PG_SLOT_DISPUTES = 450,
    PG_SLOT_FIELDWORK = 550,
    PG_SLOT_VOLUNTEERS = 650,
    PG_SLOT_RATINGS = 750,
    PG_SLOT_WEBUI = 850,
    PG_SLOT_INTAKE = 900,
    PG_SLOT_COUNT = 910
};

#define PG_MAX_PARAMS  64
#define PG_PENDING_MAX 8

struct pg_store {
    struct store base; /* must be first */
    PGconn *conn;
    char *url;                             /* owned: what it was opened with (backups reopen it) */
    unsigned char prepared[PG_SLOT_COUNT]; /* slot i is prepared on this connection */
    int in_tx;      /* transaction depth: 0 none, 1 a transaction, more: savepoints inside it */
    unsigned flags; /* enum store_open_flags */
    /* Savepoint commands (SAVEPOINT / RELEASE SAVEPOINT of nested begin/commit) not sent yet:
     * they go to the server in one pipeline with the next statement, so a job in its savepoint
     * costs no round trip of its own (store_pg.c, pg_run_once). Static strings. */
    const char *pending[PG_PENDING_MAX];
    int n_pending;
};

static inline struct pg_store *pg(struct store *st)
{
    return (struct pg_store *)st;
}

/* Parameters of one statement, in text format (what PQexecPrepared takes). */
struct pg_params {
    int n;
    const char *values[PG_MAX_PARAMS];
    char num[PG_MAX_PARAMS][32]; /* storage of the numbers' text */
};

/* Start an empty parameter list. */
void pgp_init(struct pg_params *p);
/* Append a string (NULL appends SQL NULL). The string must outlive the query. */
void pgp_text(struct pg_params *p, const char *v);
/* Append an integer / a double / SQL NULL. */
void pgp_int(struct pg_params *p, int64_t v);
void pgp_double(struct pg_params *p, double v);
void pgp_null(struct pg_params *p);

/*
 * Run the statement of slot `slot` (prepared from sql on first use on this connection) with
 * parameters p (NULL for none). On success returns 0 and, when res is not NULL, stores the
 * result in *res (the caller PQclears it). On failure logs once (with `what`) and returns
 * ERR_CONFLICT for a constraint violation, ERR_BUSY for a serialization failure or deadlock
 * (retried first when outside a transaction), ERR_DB otherwise. slot < 0 runs sql unprepared
 * (for SQL assembled at run time from fixed pieces; still with bound parameters).
 */
int pg_query(struct pg_store *s, int slot, const char *sql, const struct pg_params *p,
             const char *what, PGresult **res);
/* Like pg_query, but inside a transaction wraps the statement in a savepoint so that its
 * failure (returned as above) leaves the transaction usable. */
int pg_query_guarded(struct pg_store *s, int slot, const char *sql, const struct pg_params *p,
                     const char *what, PGresult **res);
/* Rows affected by an INSERT/UPDATE/DELETE result. */
int64_t pg_affected(const PGresult *res);

/* Column readers; NULL reads as 0 / 0.0 / "". */
int64_t pg_int(const PGresult *res, int row, int col);
double pg_double(const PGresult *res, int row, int col);
int pg_is_null(const PGresult *res, int row, int col);
/* Copy a text column into a fixed buffer, truncating to size. */
void pg_copy(const PGresult *res, int row, int col, char *out, size_t size);
/* A malloc'd copy of a text column (NULL for SQL NULL). */
char *pg_dup(const PGresult *res, int row, int col);

/* The district (distribution key) of an area code: its first six digits, or the whole code
 * when shorter. out must hold 7 bytes. */
void pg_district(const char *code, char out[7]);

/* The columns of a user row, in the order pg_read_user reads them. */
#define PG_USER_COLS                                                                               \
    "id, username, display_name, role, area_code, department, password_hash, failed_logins, "      \
    "locked_until_ms, created_ms, is_disabled"
void pg_read_user(const PGresult *res, int row, struct user *u);

/* Each module's part of the schema (baseline = SQLite schema version 9), in dependency order.
 * Run in one transaction by the migration in store_pg.c. */
extern const char pg_schema_cases[];
extern const char pg_schema_basedata[];
extern const char pg_schema_rollups[];
extern const char pg_schema_open311[];
extern const char pg_schema_disputes[];
extern const char pg_schema_fieldwork[];
extern const char pg_schema_volunteers[];      /* schema version 10 */
extern const char pg_schema_ratings[];         /* schema version 11 */
extern const char pg_schema_webui[];           /* schema version 12 */
extern const char pg_schema_open311_updates[]; /* schema version 13 */
extern const char pg_schema_near_cell[];       /* schema version 14 (store_pg_cases.c) */
extern const char pg_schema_tasks[];           /* schema version 15 */
extern const char pg_schema_status_time[];     /* schema version 17 (store_pg_cases.c) */
extern const char pg_schema_near_point[];      /* schema version 18 (store_pg_cases.c) */

/* store_pg.c: the core ops */
void pg_close(struct store *st);
int pg_begin(struct store *st);
int pg_commit(struct store *st);
void pg_rollback(struct store *st);
int pg_meta_get(struct store *st, const char *key, char *out, size_t out_size);
int pg_meta_set(struct store *st, const char *key, const char *value);
int pg_area_put(struct store *st, const struct area *a);
int pg_area_get(struct store *st, const char *code, int with_geometry, struct area *out);
int pg_area_exists(struct store *st, const char *code, int *exists);
int pg_area_children(struct store *st, const char *parent, int with_geometry,
                     struct area_list *out);
int pg_area_walk(struct store *st, const char *root, int max_level, int with_geometry,
                 store_area_fn fn, void *ctx);
int pg_area_min_level(struct store *st, int *out);
int pg_area_count(struct store *st, int64_t *out);
int pg_areas_version(struct store *st, int64_t *out);
int pg_area_recount(struct store *st);
int pg_user_insert(struct store *st, struct user *u);
int pg_user_get_by_name(struct store *st, const char *username, struct user *out);
int pg_user_get(struct store *st, int64_t id, struct user *out);
int pg_user_list(struct store *st, const char *root, struct user_list *out);
int pg_user_set_password(struct store *st, int64_t id, const char *password_hash);
int pg_user_set_login_state(struct store *st, int64_t id, int failed_logins,
                            int64_t locked_until_ms);
int pg_session_insert(struct store *st, const struct session *s);
int pg_session_get(struct store *st, const char *token_hash, int64_t now_ms, struct session *out);
int pg_session_delete(struct store *st, const char *token_hash);
int pg_session_delete_user(struct store *st, int64_t user_id);
int pg_session_purge(struct store *st, int64_t now_ms);
int pg_meta_get_text(struct store *st, const char *key, char **out);
int pg_maintain(struct store *st);
int pg_refresh_statistics(struct store *st);
int pg_size_bytes(struct store *st, int64_t *out);
int pg_backup(struct store *st, const char *dest_path, struct errbuf *eb);
int pg_check_integrity(struct store *st, struct errbuf *eb);
int pg_user_page(struct store *st, const char *root, const char *after_username, int limit,
                 struct user_list *out);
/* store_pg_cases.c */
/* One row of a walk: nonzero stops the walk (and is returned). */
typedef int (*pg_row_fn)(void *ctx, const PGresult *res, int row);
/*
 * Run select_sql (fixed SQL, no parameters) through the cursor named `cursor`, calling fn for
 * each row, a batch of rows at a time, so a walk over a whole table never holds it in memory.
 * Outside a transaction the walk runs in a read-only REPEATABLE READ transaction of its own (one
 * snapshot, as SQLite's single statement); callbacks may use the store to read meanwhile.
 */
int pg_walk_rows(struct pg_store *s, const char *cursor, const char *select_sql, pg_row_fn fn,
                 void *ctx);
int pg_case_count_overdue(struct store *st, int64_t now_ms, int64_t *out);
int pg_case_set_head(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                     int64_t expected_seq);
int pg_case_insert(struct store *st, struct case_rec *c);
int pg_case_update(struct store *st, const struct case_rec *c, int64_t expected_seq);
int pg_case_get(struct store *st, int64_t id, struct case_rec *out);
int pg_case_get_by_number(struct store *st, const char *number, struct case_rec *out);
int pg_case_list(struct store *st, const struct case_filter *f, struct case_list *out);
int pg_case_next_serial(struct store *st, const char *district, const char *day, int64_t *out);
int pg_case_due(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                struct case_list *out);
int pg_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                   int64_t since_ms, int limit, struct case_near_list *out);
int pg_case_count_by_status(struct store *st, const char *area, store_count_fn fn, void *ctx);
int pg_case_event_append(struct store *st, const struct case_event *e);
int pg_case_events(struct store *st, int64_t case_id, struct case_event_list *out);
int pg_case_event_walk(struct store *st, store_event_fn fn, void *ctx);
int pg_attachment_put(struct store *st, const struct attachment *a);
int pg_attachment_get(struct store *st, const char *hash, int with_data, struct attachment *out);
int pg_case_attachment_add(struct store *st, int64_t case_id, const char *hash);
int pg_case_attachments(struct store *st, int64_t case_id, store_count_fn fn, void *ctx);
int pg_attachment_cases(struct store *st, const char *hash, store_count_fn fn, void *ctx);
int pg_outbox_insert(struct store *st, const struct outbox_msg *m);
int pg_outbox_due(struct store *st, int64_t now_ms, int limit, struct outbox_list *out);
int pg_outbox_delivered(struct store *st, int64_t id, int64_t now_ms);
int pg_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                     const char *error);
int pg_outbox_backlog(struct store *st, int64_t *out);
int pg_outbox_mark_all_delivered(struct store *st, int64_t now_ms);
/* Each row of res (columns: day, class, count) to fn; fn's nonzero return stops and is
 * returned. The caller clears res. */
int pg_series_emit(const PGresult *res, store_series_fn fn, void *ctx);
int pg_case_daily_counts(struct store *st, const char *area, const char *category, int64_t from_ms,
                         int64_t to_ms, int utc_offset_min, int by_class, store_series_fn fn,
                         void *ctx);
int pg_case_report_key_insert(struct store *st, int64_t user_id, const char *key, int64_t case_id,
                              int64_t now_ms);
int pg_case_report_key_get(struct store *st, int64_t user_id, const char *key, int64_t *case_id);
/* store_pg_rollups.c */
int pg_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                  const char *category, const struct rollup_counters *d);
int pg_rollup_day_counts(struct store *st, int level, const char *area, int from_day, int to_day,
                         int by_class, store_series_fn fn, void *ctx);
int pg_rollup_add_many(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                       size_t n);
int pg_rollup_clear(struct store *st, enum rollup_table t);
int pg_rollup_diff(struct store *st, int64_t *cells_differing);
int pg_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                  int to_day, const char *category_prefix, enum rollup_group g, store_rollup_fn fn,
                  void *ctx);
int pg_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx);
/* store_pg_basedata.c */
int pg_household_insert(struct store *st, struct household *h);
int pg_person_insert(struct store *st, struct person *p);
int pg_household_count(struct store *st, const char *root, int64_t *households, int64_t *persons);
int pg_bd_put(struct store *st, struct bd_record *r, int *created);
int pg_bd_get(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out);
int pg_bd_delete(struct store *st, enum bd_kind kind, int64_t id);
int pg_bd_find(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id);
int pg_bd_list(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx);
int pg_bd_count(struct store *st, enum bd_kind kind, const char *area, int64_t *out);
int pg_bd_search(struct store *st, const char *area, const char *query, int limit,
                 store_bd_hit_fn fn, void *ctx);
int pg_bd_reindex(struct store *st);
int pg_bd_bulk_begin(struct store *st, enum bd_kind kind, int *started);
int pg_bd_bulk_end(struct store *st);
int pg_access_log_append(struct store *st, struct access_entry *e);
int pg_access_log_list(struct store *st, const struct access_filter *f, store_access_fn fn,
                       void *ctx);
int pg_household_link_add(struct store *st, const struct household_link *l);
int pg_household_links(struct store *st, int64_t household_id, store_link_fn fn, void *ctx);
int pg_bd_retention_persons(struct store *st, const char *before_date, int64_t after_id, int limit,
                            store_bd_fn fn, void *ctx);
int pg_bd_anonymise_person(struct store *st, int64_t id, int64_t now_ms);
int pg_case_clear_reporters(struct store *st, int64_t before_ms, int dry_run, int64_t *count);
int pg_case_plain_phones(struct store *st, int limit, store_phone_fn fn, void *ctx);
int pg_case_set_reporter_phone(struct store *st, int64_t case_id, const char *sealed,
                               const char *masked);
/* store_pg_open311.c */
int pg_api_key_insert(struct store *st, struct api_key *k);
int pg_api_key_get_by_hash(struct store *st, const char *key_hash, struct api_key *out);
int pg_api_key_list(struct store *st, struct api_key_list *out);
int pg_open311_request_insert(struct store *st, const struct open311_request *r);
int pg_open311_request_get(struct store *st, int64_t case_id, struct open311_request *out);
int pg_open311_request_by_token(struct store *st, const char *token, struct open311_request *out);
int pg_open311_case_ids(struct store *st, const struct open311_filter *f, int64_t *ids, size_t *n);
int pg_open311_media_case(struct store *st, const char *hash, int64_t *case_id);
int pg_outbox_last_id(struct store *st, int64_t *out);
int pg_outbox_mark_delivered_after(struct store *st, int64_t after_id, int64_t now_ms);
int pg_open311_updated_case_ids(struct store *st, int64_t from_ms, int64_t to_ms, int64_t offset,
                                int limit, int64_t *ids, size_t *n);
/* store_pg_disputes.c */
int pg_dispute_insert(struct store *st, struct dispute_rec *d);
int pg_dispute_update(struct store *st, const struct dispute_rec *d, int64_t expected_seq);
int pg_dispute_get(struct store *st, int64_t id, struct dispute_rec *out);
int pg_dispute_list(struct store *st, const struct dispute_filter *f, struct dispute_list *out);
int pg_dispute_find_recurrence(struct store *st, const char *parties_key, int64_t before_id,
                               int64_t *id);
int pg_dispute_party_add(struct store *st, struct dispute_party *p);
int pg_dispute_parties(struct store *st, int64_t dispute_id, struct dispute_party_list *out);
int pg_dispute_mediator_add(struct store *st, struct dispute_mediator *m);
int pg_dispute_mediators(struct store *st, int64_t dispute_id, struct dispute_mediator_list *out);
int pg_dispute_is_mediator(struct store *st, int64_t dispute_id, int64_t user_id, int *is_mediator);
int pg_dispute_entry_add(struct store *st, enum dispute_entry_kind kind, struct dispute_entry *e);
int pg_dispute_entries(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                       struct dispute_entry_list *out);
int pg_dispute_event_append(struct store *st, const struct gov_event *e);
int pg_dispute_events(struct store *st, int64_t dispute_id, struct gov_event_list *out);
int pg_dispute_stats(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                     store_dispute_stats_fn fn, void *ctx);
int pg_council_insert(struct store *st, struct council_rec *c);
int pg_council_get(struct store *st, int64_t id, struct council_rec *out);
int pg_council_list(struct store *st, const char *area, struct council_list *out);
int pg_council_member_add(struct store *st, struct council_member_rec *m);
int pg_council_members(struct store *st, int64_t council_id, struct council_member_list *out);
int pg_topic_insert(struct store *st, struct topic_rec *t);
int pg_topic_update(struct store *st, const struct topic_rec *t, int64_t expected_seq);
int pg_topic_get(struct store *st, int64_t id, struct topic_rec *out);
int pg_topic_list(struct store *st, const struct topic_filter *f, struct topic_list *out);
int pg_topic_entry_add(struct store *st, enum topic_entry_kind kind, struct topic_entry *e);
int pg_topic_task_done(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms);
int pg_topic_entries(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                     struct topic_entry_list *out);
int pg_topic_meeting_add(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                         const int64_t *member_ids, size_t n_present, int64_t *meeting_id);
int pg_topic_meeting_latest(struct store *st, int64_t topic_id, int64_t *meeting_id, int *present);
int pg_topic_attended(struct store *st, int64_t meeting_id, int64_t member_id, int *attended);
int pg_topic_ballot_add(struct store *st, int64_t topic_id, const char *voter_key,
                        const char *choice, int is_secret, int64_t at_ms);
int pg_topic_ballot_totals(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain);
int pg_topic_event_append(struct store *st, const struct gov_event *e);
int pg_topic_events(struct store *st, int64_t topic_id, struct gov_event_list *out);
int pg_village_voters(struct store *st, const char *area, const char *adult_born_by,
                      int64_t *households, int64_t *adults);
/* store_pg_fieldwork.c */
int pg_patrol_insert(struct store *st, struct patrol_rec *p);
int pg_patrol_get(struct store *st, int64_t id, struct patrol_rec *out);
int pg_patrol_finish(struct store *st, const struct patrol_rec *p);
int pg_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                         int64_t n_fast);
int pg_patrol_list(struct store *st, const struct patrol_filter *f, store_patrol_fn fn, void *ctx);
int pg_patrol_batch_add(struct store *st, int64_t patrol_id, const char *batch_id, int64_t n_points,
                        int *is_new);
int pg_patrol_points_add(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                         size_t n);
int pg_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx);
int pg_patrol_count_by_grid(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                            store_count_fn fn, void *ctx);
int pg_field_case_link_add(struct store *st, const char *source, int64_t source_id,
                           int64_t case_id);
int pg_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                        void *ctx);
int pg_visit_insert(struct store *st, struct visit_rec *v);
int pg_visit_get(struct store *st, int64_t id, struct visit_rec *out);
int pg_visit_set_case(struct store *st, int64_t id, int64_t case_id);
int pg_visit_list(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx);
int pg_visit_states(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                    store_visit_state_fn fn, void *ctx);
int pg_campaign_insert(struct store *st, struct campaign_rec *c);
int pg_campaign_get(struct store *st, int64_t id, struct campaign_rec *out);
int pg_campaign_coverage(struct store *st, int64_t id, store_coverage_fn fn, void *ctx);
int pg_case_channel_counts(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                           store_channel_fn fn, void *ctx);
int pg_station_team_insert(struct store *st, struct station_team *t);
int pg_station_team_get(struct store *st, int64_t id, struct station_team *out);
int pg_station_team_list(struct store *st, const char *area, store_team_fn fn, void *ctx);
int pg_station_session_insert(struct store *st, struct station_session *s);
int pg_station_session_get(struct store *st, int64_t id, struct station_session *out);
int pg_station_session_list(struct store *st, int64_t team_id, const char *area, int64_t from_ms,
                            int64_t to_ms, int limit, store_session_fn fn, void *ctx);

/* store_pg_volunteers.c */
int pg_volunteer_insert(struct store *st, struct volunteer_rec *v);
int pg_volunteer_update(struct store *st, const struct volunteer_rec *v);
int pg_volunteer_get(struct store *st, int64_t id, struct volunteer_rec *out);
int pg_volunteer_list(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                      void *ctx);
int pg_volunteer_loads(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                       void *ctx);
int pg_need_insert(struct store *st, struct need_rec *n);
int pg_need_get(struct store *st, int64_t id, struct need_rec *out);
int pg_need_list(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx);
int pg_need_assign(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                   int64_t at_ms);
int pg_need_assignments(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx);
int pg_post_insert(struct store *st, struct post_rec *p);
int pg_post_get(struct store *st, int64_t id, struct post_rec *out);
int pg_post_list(struct store *st, const char *area, store_post_fn fn, void *ctx);
int pg_post_member_add(struct store *st, struct post_member *m);
int pg_post_member_get(struct store *st, int64_t id, struct post_member *out);
int pg_post_members(struct store *st, int64_t post_id, store_member_fn fn, void *ctx);
int pg_hours_insert(struct store *st, struct hours_rec *h);
int pg_hours_day_total(struct store *st, const char *member_kind, int64_t person_key,
                       int64_t day_ms, int64_t *minutes);
int pg_hours_totals(struct store *st, const char *member_kind, int64_t person_key, int64_t from_ms,
                    int64_t to_ms, store_hours_total_fn fn, void *ctx);
int pg_chief_insert(struct store *st, struct chief_rec *c);
int pg_chief_get(struct store *st, int64_t id, struct chief_rec *out);
int pg_chief_list(struct store *st, const char *area, store_chief_fn fn, void *ctx);
/* store_pg_ratings.c */
int pg_survey_insert(struct store *st, struct survey_rec *s);
int pg_survey_get(struct store *st, int64_t id, struct survey_rec *out);
int pg_survey_list(struct store *st, int limit, store_survey_fn fn, void *ctx);
int pg_survey_response_insert(struct store *st, const struct survey_response_rec *r);
int pg_survey_sums(struct store *st, int64_t survey_id, int from_day, int to_day, const char *area,
                   int key_len, store_survey_sums_fn fn, void *ctx);
int pg_star_rating_insert(struct store *st, const struct star_rating_rec *r);
int pg_star_rating_count(struct store *st, int year, const char *area, int64_t *out);
int pg_star_rating_list(struct store *st, int year, const char *area, store_star_fn fn, void *ctx);

/* store_pg_webui.c */
int pg_user_set_disabled(struct store *st, int64_t id, int is_disabled);
int pg_visit_key_insert(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                        int64_t now_ms);
int pg_visit_key_get(struct store *st, int64_t user_id, const char *key, int64_t *visit_id);

/* store_pg_open311.c: FixMyStreet update ids (schema version 13) */
int pg_open311_update_key_insert(struct store *st, int64_t api_key_id, const char *update_id,
                                 int64_t case_id, int64_t event_seq, int64_t now_ms);
int pg_open311_update_key_get(struct store *st, int64_t api_key_id, const char *update_id,
                              int64_t *case_id, int64_t *event_seq);

/* store_pg_tasks.c: households that may be due for a visit (schema version 15) */
int pg_visit_due(struct store *st, const char *area, const char *kind, int tagged,
                 int64_t base_max_ms, store_visit_state_fn fn, void *ctx);

/* store_pg_intake.c: the request path's reads (session with its user, meta pairs) */
int pg_session_user_get(struct store *st, const char *token_hash, int64_t now_ms,
                        struct session *sess, struct user *user);
int pg_meta_get_int_pair(struct store *st, const char *key1, const char *key2, int64_t *v1,
                         int64_t *v2);

#endif
