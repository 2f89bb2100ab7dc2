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

/* ==== basedata (store_pg_basedata.c) ==== */

const char pg_schema_basedata[] = "";

int pg_household_insert(struct store *st, struct household *h)
{
    (void)st;
    (void)h;
    return ERR_INTERNAL;
}

int pg_person_insert(struct store *st, struct person *p)
{
    (void)st;
    (void)p;
    return ERR_INTERNAL;
}

int pg_household_count(struct store *st, const char *root, int64_t *households, int64_t *persons)
{
    (void)st;
    (void)root;
    (void)households;
    (void)persons;
    return ERR_INTERNAL;
}

int pg_bd_put(struct store *st, struct bd_record *r, int *created)
{
    (void)st;
    (void)r;
    (void)created;
    return ERR_INTERNAL;
}

int pg_bd_get(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out)
{
    (void)st;
    (void)kind;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_bd_delete(struct store *st, enum bd_kind kind, int64_t id)
{
    (void)st;
    (void)kind;
    (void)id;
    return ERR_INTERNAL;
}

int pg_bd_find(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id)
{
    (void)st;
    (void)kind;
    (void)field;
    (void)value;
    (void)id;
    return ERR_INTERNAL;
}

int pg_bd_list(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx)
{
    (void)st;
    (void)f;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_bd_count(struct store *st, enum bd_kind kind, const char *area, int64_t *out)
{
    (void)st;
    (void)kind;
    (void)area;
    (void)out;
    return ERR_INTERNAL;
}

int pg_bd_search(struct store *st, const char *area, const char *query, int limit,
                 store_bd_hit_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)query;
    (void)limit;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_bd_reindex(struct store *st)
{
    (void)st;
    return ERR_INTERNAL;
}

int pg_access_log_append(struct store *st, struct access_entry *e)
{
    (void)st;
    (void)e;
    return ERR_INTERNAL;
}

int pg_access_log_list(struct store *st, const struct access_filter *f, store_access_fn fn,
                       void *ctx)
{
    (void)st;
    (void)f;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_household_link_add(struct store *st, const struct household_link *l)
{
    (void)st;
    (void)l;
    return ERR_INTERNAL;
}

int pg_household_links(struct store *st, int64_t household_id, store_link_fn fn, void *ctx)
{
    (void)st;
    (void)household_id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_bd_retention_persons(struct store *st, const char *before_date, int64_t after_id, int limit,
                            store_bd_fn fn, void *ctx)
{
    (void)st;
    (void)before_date;
    (void)after_id;
    (void)limit;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_bd_anonymise_person(struct store *st, int64_t id, int64_t now_ms)
{
    (void)st;
    (void)id;
    (void)now_ms;
    return ERR_INTERNAL;
}

int pg_case_clear_reporters(struct store *st, int64_t before_ms, int dry_run, int64_t *count)
{
    (void)st;
    (void)before_ms;
    (void)dry_run;
    (void)count;
    return ERR_INTERNAL;
}

int pg_case_plain_phones(struct store *st, int limit, store_phone_fn fn, void *ctx)
{
    (void)st;
    (void)limit;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_case_set_reporter_phone(struct store *st, int64_t case_id, const char *sealed,
                               const char *masked)
{
    (void)st;
    (void)case_id;
    (void)sealed;
    (void)masked;
    return ERR_INTERNAL;
}

/* ==== end of basedata ==== */

/* ==== open311 (store_pg_open311.c) ==== */

const char pg_schema_open311[] = "";

int pg_api_key_insert(struct store *st, struct api_key *k)
{
    (void)st;
    (void)k;
    return ERR_INTERNAL;
}

int pg_api_key_get_by_hash(struct store *st, const char *key_hash, struct api_key *out)
{
    (void)st;
    (void)key_hash;
    (void)out;
    return ERR_INTERNAL;
}

int pg_api_key_list(struct store *st, struct api_key_list *out)
{
    (void)st;
    (void)out;
    return ERR_INTERNAL;
}

int pg_open311_request_insert(struct store *st, const struct open311_request *r)
{
    (void)st;
    (void)r;
    return ERR_INTERNAL;
}

int pg_open311_request_get(struct store *st, int64_t case_id, struct open311_request *out)
{
    (void)st;
    (void)case_id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_open311_request_by_token(struct store *st, const char *token, struct open311_request *out)
{
    (void)st;
    (void)token;
    (void)out;
    return ERR_INTERNAL;
}

int pg_open311_case_ids(struct store *st, const struct open311_filter *f, int64_t *ids, size_t *n)
{
    (void)st;
    (void)f;
    (void)ids;
    (void)n;
    return ERR_INTERNAL;
}

int pg_open311_media_case(struct store *st, const char *hash, int64_t *case_id)
{
    (void)st;
    (void)hash;
    (void)case_id;
    return ERR_INTERNAL;
}

int pg_outbox_last_id(struct store *st, int64_t *out)
{
    (void)st;
    (void)out;
    return ERR_INTERNAL;
}

int pg_outbox_mark_delivered_after(struct store *st, int64_t after_id, int64_t now_ms)
{
    (void)st;
    (void)after_id;
    (void)now_ms;
    return ERR_INTERNAL;
}

int pg_open311_updated_case_ids(struct store *st, int64_t from_ms, int64_t to_ms, int64_t offset,
                                int limit, int64_t *ids, size_t *n)
{
    (void)st;
    (void)from_ms;
    (void)to_ms;
    (void)offset;
    (void)limit;
    (void)ids;
    (void)n;
    return ERR_INTERNAL;
}

/* ==== end of open311 ==== */
