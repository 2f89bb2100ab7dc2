/*
 * store.c - the storage interface's front: picks a backend from the URL and forwards every
 * call to it (see store.h for the contract, store_impl.h for what a backend provides).
 * Also the record helpers (area_cleanup, ...), which do not depend on a backend.
 */
#include "store/store_impl.h"

#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/indicators.h"

#include <stdlib.h>
#include <string.h>

int store_process_init(void)
{
    return store_sqlite_process_init();
}

int store_open(const char *url, unsigned flags, struct store **out, struct errbuf *eb)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return errbuf_set(eb, ERR_INVALID, "no database given (use --db FILE)");
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return store_pg_open(url, flags, out, eb);
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    if (url[0] == '\0')
        return errbuf_set(eb, ERR_INVALID, "empty SQLite file name");
    return store_sqlite_open(url, flags, out, eb);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

const char *store_backend(const struct store *st)
{
    return st->ops->name;
}

int store_schema_version(struct store *st, int *out)
{
    return st->ops->schema_version(st, out);
}

int store_schema_latest(void)
{
    return sqlite_schema_latest();
}

int store_begin(struct store *st)
{
    return st->ops->begin(st);
}

int store_commit(struct store *st)
{
    return st->ops->commit(st);
}

void store_rollback(struct store *st)
{
    st->ops->rollback(st);
}

int store_meta_get(struct store *st, const char *key, char *out, size_t out_size)
{
    return st->ops->meta_get(st, key, out, out_size);
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
    return st->ops->meta_set(st, key, value);
}

void area_cleanup(struct area *a)
{
    if (a == NULL)
        return;
    free(a->geometry);
    a->geometry = NULL;
}

void area_list_cleanup(struct area_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        area_cleanup(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

int store_area_put(struct store *st, const struct area *a)
{
    return st->ops->area_put(st, a);
}

int store_area_get(struct store *st, const char *code, int with_geometry, struct area *out)
{
    return st->ops->area_get(st, code, with_geometry, out);
}

int store_area_exists(struct store *st, const char *code, int *exists)
{
    return st->ops->area_exists(st, code, exists);
}

int store_area_children(struct store *st, const char *parent, int with_geometry,
                        struct area_list *out)
{
    return st->ops->area_children(st, parent, with_geometry, out);
}

int store_area_walk(struct store *st, const char *root, int max_level, int with_geometry,
                    store_area_fn fn, void *ctx)
{
    return st->ops->area_walk(st, root, max_level, with_geometry, fn, ctx);
}

int store_area_min_level(struct store *st, int *out)
{
    return st->ops->area_min_level(st, out);
}

int store_area_count(struct store *st, int64_t *out)
{
    return st->ops->area_count(st, out);
}

int store_areas_version(struct store *st, int64_t *out)
{
    return st->ops->areas_version(st, out);
}

int store_area_recount(struct store *st)
{
    return st->ops->area_recount(st);
}

void user_list_cleanup(struct user_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

int store_user_insert(struct store *st, struct user *u)
{
    return st->ops->user_insert(st, u);
}

int store_user_get_by_name(struct store *st, const char *username, struct user *out)
{
    return st->ops->user_get_by_name(st, username, out);
}

int store_user_get(struct store *st, int64_t id, struct user *out)
{
    return st->ops->user_get(st, id, out);
}

int store_user_list(struct store *st, const char *root, struct user_list *out)
{
    return st->ops->user_list(st, root, out);
}

int store_user_set_password(struct store *st, int64_t id, const char *password_hash)
{
    return st->ops->user_set_password(st, id, password_hash);
}

int store_user_set_login_state(struct store *st, int64_t id, int failed_logins,
                               int64_t locked_until_ms)
{
    return st->ops->user_set_login_state(st, id, failed_logins, locked_until_ms);
}

int store_session_insert(struct store *st, const struct session *s)
{
    return st->ops->session_insert(st, s);
}

int store_session_get(struct store *st, const char *token_hash, int64_t now_ms, struct session *out)
{
    return st->ops->session_get(st, token_hash, now_ms, out);
}

int store_session_delete(struct store *st, const char *token_hash)
{
    return st->ops->session_delete(st, token_hash);
}

int store_session_delete_user(struct store *st, int64_t user_id)
{
    return st->ops->session_delete_user(st, user_id);
}

int store_session_purge(struct store *st, int64_t now_ms)
{
    return st->ops->session_purge(st, now_ms);
}

int store_household_insert(struct store *st, struct household *h)
{
    return st->ops->household_insert(st, h);
}

int store_person_insert(struct store *st, struct person *p)
{
    return st->ops->person_insert(st, p);
}

int store_household_count(struct store *st, const char *root, int64_t *households, int64_t *persons)
{
    return st->ops->household_count(st, root, households, persons);
}

int store_case_insert(struct store *st, struct case_rec *c)
{
    return st->ops->case_insert(st, c);
}

int store_case_update(struct store *st, const struct case_rec *c, int64_t expected_seq)
{
    return st->ops->case_update(st, c, expected_seq);
}

int store_case_get(struct store *st, int64_t id, struct case_rec *out)
{
    return st->ops->case_get(st, id, out);
}

int store_case_get_by_number(struct store *st, const char *number, struct case_rec *out)
{
    return st->ops->case_get_by_number(st, number, out);
}

int store_case_list(struct store *st, const struct case_filter *f, struct case_list *out)
{
    return st->ops->case_list(st, f, out);
}

int store_case_next_serial(struct store *st, const char *district, const char *day, int64_t *out)
{
    return st->ops->case_next_serial(st, district, day, out);
}

int store_case_due(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                   struct case_list *out)
{
    return st->ops->case_due(st, now_ms, after_ms, after_id, limit, out);
}

int store_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                      int64_t since_ms, int limit, struct case_near_list *out)
{
    return st->ops->case_nearby(st, category, lon, lat, delta, since_ms, limit, out);
}

int store_case_count_by_status(struct store *st, const char *area, store_count_fn fn, void *ctx)
{
    return st->ops->case_count_by_status(st, area, fn, ctx);
}

int store_case_event_append(struct store *st, const struct case_event *e)
{
    return st->ops->case_event_append(st, e);
}

int store_case_events(struct store *st, int64_t case_id, struct case_event_list *out)
{
    return st->ops->case_events(st, case_id, out);
}

int store_case_event_walk(struct store *st, store_event_fn fn, void *ctx)
{
    return st->ops->case_event_walk(st, fn, ctx);
}

int store_attachment_put(struct store *st, const struct attachment *a)
{
    return st->ops->attachment_put(st, a);
}

int store_attachment_get(struct store *st, const char *hash, int with_data, struct attachment *out)
{
    return st->ops->attachment_get(st, hash, with_data, out);
}

int store_case_attachment_add(struct store *st, int64_t case_id, const char *hash)
{
    return st->ops->case_attachment_add(st, case_id, hash);
}

int store_case_attachments(struct store *st, int64_t case_id, store_count_fn fn, void *ctx)
{
    return st->ops->case_attachments(st, case_id, fn, ctx);
}

/* hardening */
int store_attachment_cases(struct store *st, const char *hash, store_count_fn fn, void *ctx)
{
    return st->ops->attachment_cases(st, hash, fn, ctx);
}

int store_user_page(struct store *st, const char *root, const char *after_username, int limit,
                    struct user_list *out)
{
    return st->ops->user_page(st, root, after_username, limit, out);
}

int store_outbox_insert(struct store *st, const struct outbox_msg *m)
{
    return st->ops->outbox_insert(st, m);
}

int store_outbox_due(struct store *st, int64_t now_ms, int limit, struct outbox_list *out)
{
    return st->ops->outbox_due(st, now_ms, limit, out);
}

int store_outbox_delivered(struct store *st, int64_t id, int64_t now_ms)
{
    return st->ops->outbox_delivered(st, id, now_ms);
}

int store_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                        const char *error)
{
    return st->ops->outbox_failed(st, id, attempts, next_attempt_ms, error);
}

int store_outbox_backlog(struct store *st, int64_t *out)
{
    return st->ops->outbox_backlog(st, out);
}

int store_outbox_mark_all_delivered(struct store *st, int64_t now_ms)
{
    return st->ops->outbox_mark_all_delivered(st, now_ms);
}

int store_case_set_head(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                        int64_t expected_seq)
{
    return st->ops->case_set_head(st, id, event_seq, last_hash, expected_seq);
}

int store_backup(struct store *st, const char *dest_path, struct errbuf *eb)
{
    return st->ops->backup(st, dest_path, eb);
}

int store_check_integrity(struct store *st, struct errbuf *eb)
{
    return st->ops->check_integrity(st, eb);
}

int store_case_count_overdue(struct store *st, int64_t now_ms, int64_t *out)
{
    return st->ops->case_count_overdue(st, now_ms, out);
}

int store_size_bytes(struct store *st, int64_t *out)
{
    return st->ops->size_bytes(st, out);
}

int store_maintain(struct store *st)
{
    return st->ops->maintain(st);
}

int store_refresh_statistics(struct store *st)
{
    return st->ops->refresh_statistics(st);
}

int store_meta_get_text(struct store *st, const char *key, char **out)
{
    return st->ops->meta_get_text(st, key, out);
}

void case_rec_cleanup(struct case_rec *c)
{
    if (c == NULL)
        return;
    free(c->description);
    c->description = NULL;
}

void case_list_cleanup(struct case_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        case_rec_cleanup(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

void case_near_list_cleanup(struct case_near_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        free(list->items[i].description);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

void case_event_cleanup(struct case_event *e)
{
    if (e == NULL)
        return;
    free(e->payload);
    e->payload = NULL;
}

void case_event_list_cleanup(struct case_event_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        case_event_cleanup(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

void attachment_cleanup(struct attachment *a)
{
    if (a == NULL)
        return;
    free(a->data);
    a->data = NULL;
}

void outbox_list_cleanup(struct outbox_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        free(list->items[i].payload);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

/* ---- base data, access log, household links, retention ---------------------------------- */

void bd_record_cleanup(struct bd_record *r)
{
    if (r == NULL)
        return;
    for (int i = 0; i < BD_FIELDS_MAX; i++) {
        free(r->v[i].text);
        free(r->v[i].hash);
        free(r->v[i].masked);
    }
    memset(r, 0, sizeof(*r));
}

int store_bd_put(struct store *st, struct bd_record *r, int *created)
{
    return st->ops->bd_put(st, r, created);
}

int store_bd_get(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out)
{
    return st->ops->bd_get(st, kind, id, out);
}

int store_bd_delete(struct store *st, enum bd_kind kind, int64_t id)
{
    return st->ops->bd_delete(st, kind, id);
}

int store_bd_find(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id)
{
    return st->ops->bd_find(st, kind, field, value, id);
}

int store_bd_list(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx)
{
    return st->ops->bd_list(st, f, fn, ctx);
}

int store_bd_count(struct store *st, enum bd_kind kind, const char *area, int64_t *out)
{
    return st->ops->bd_count(st, kind, area, out);
}

int store_bd_search(struct store *st, const char *area, const char *query, int limit,
                    store_bd_hit_fn fn, void *ctx)
{
    return st->ops->bd_search(st, area, query, limit, fn, ctx);
}

int store_bd_reindex(struct store *st)
{
    return st->ops->bd_reindex(st);
}

/* bulk load of base data (import) */
int store_bd_bulk_begin(struct store *st, enum bd_kind kind, int *started)
{
    *started = 0;
    return st->ops->bd_bulk_begin(st, kind, started);
}

int store_bd_bulk_end(struct store *st)
{
    return st->ops->bd_bulk_end(st);
}

int store_access_log_append(struct store *st, struct access_entry *e)
{
    return st->ops->access_log_append(st, e);
}

int store_access_log_list(struct store *st, const struct access_filter *f, store_access_fn fn,
                          void *ctx)
{
    return st->ops->access_log_list(st, f, fn, ctx);
}

int store_household_link_add(struct store *st, const struct household_link *l)
{
    return st->ops->household_link_add(st, l);
}

int store_household_links(struct store *st, int64_t household_id, store_link_fn fn, void *ctx)
{
    return st->ops->household_links(st, household_id, fn, ctx);
}

int store_bd_retention_persons(struct store *st, const char *before_date, int64_t after_id,
                               int limit, store_bd_fn fn, void *ctx)
{
    return st->ops->bd_retention_persons(st, before_date, after_id, limit, fn, ctx);
}

int store_bd_anonymise_person(struct store *st, int64_t id, int64_t now_ms)
{
    return st->ops->bd_anonymise_person(st, id, now_ms);
}

int store_case_clear_reporters(struct store *st, int64_t before_ms, int dry_run, int64_t *count)
{
    return st->ops->case_clear_reporters(st, before_ms, dry_run, count);
}

int store_case_plain_phones(struct store *st, int limit, store_phone_fn fn, void *ctx)
{
    return st->ops->case_plain_phones(st, limit, fn, ctx);
}

int store_case_set_reporter_phone(struct store *st, int64_t case_id, const char *sealed,
                                  const char *masked)
{
    return st->ops->case_set_reporter_phone(st, case_id, sealed, masked);
}

/* ---- case series (analysis, issue 7) ---- */

/* The roll-ups' rows, their YYYYMMDD days turned into the caller's day numbers. */
struct rollup_days {
    store_series_fn fn;
    void *ctx;
};

static int rollup_day_row(void *arg, int64_t day, const char *category_class, int64_t count)
{
    struct rollup_days *rd = arg;
    int64_t number =
        time_days_from_civil((int)(day / 10000), (int)(day / 100 % 100), (int)(day % 100));
    return rd->fn(rd->ctx, number, category_class, count);
}

int store_case_daily_counts(struct store *st, const char *area, const char *category,
                            int64_t from_ms, int64_t to_ms, int utc_offset_min, int by_class,
                            store_series_fn fn, void *ctx)
{
    const int64_t day_ms = 86400000, offset_ms = (int64_t)utc_offset_min * 60000;
    int level = area != NULL ? areacode_level(area) : 0;
    /* Whole days of a district, street, community or grid at the roll-ups' offset, every
     * category: the live roll-ups' day cells already count these cases (each case's
     * 'collected' on every level of its path, on its created day), so the answer is read from
     * them instead of from every case of the range. */
    if (level >= AREA_DISTRICT && level <= AREA_GRID && (category == NULL || category[0] == '\0') &&
        utc_offset_min == INDICATOR_UTC_OFFSET_MIN && from_ms + offset_ms >= 0 &&
        to_ms >= from_ms && (from_ms + offset_ms) % day_ms == 0 &&
        (to_ms + offset_ms) % day_ms == 0) {
        struct rollup_days rd = {fn, ctx};
        if (to_ms == from_ms)
            return 0;
        return st->ops->rollup_day_counts(st, level, area, indicator_day(from_ms),
                                          indicator_day(to_ms - 1), by_class, rollup_day_row, &rd);
    }
    return st->ops->case_daily_counts(st, area, category, from_ms, to_ms, utc_offset_min, by_class,
                                      fn, ctx);
}

/* ---- disputes and deliberation councils ------------------------------------------------ */

#define LIST_CLEANUP(fn, type)                                                                     \
    void fn(type *list)                                                                            \
    {                                                                                              \
        if (list == NULL)                                                                          \
            return;                                                                                \
        free(list->items);                                                                         \
        list->items = NULL;                                                                        \
        list->len = 0;                                                                             \
    }

LIST_CLEANUP(dispute_list_cleanup, struct dispute_list)
LIST_CLEANUP(dispute_party_list_cleanup, struct dispute_party_list)
LIST_CLEANUP(dispute_mediator_list_cleanup, struct dispute_mediator_list)
LIST_CLEANUP(dispute_entry_list_cleanup, struct dispute_entry_list)
LIST_CLEANUP(council_list_cleanup, struct council_list)
LIST_CLEANUP(council_member_list_cleanup, struct council_member_list)
LIST_CLEANUP(topic_list_cleanup, struct topic_list)
LIST_CLEANUP(topic_entry_list_cleanup, struct topic_entry_list)

void gov_event_list_cleanup(struct gov_event_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        free(list->items[i].payload);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

int store_dispute_insert(struct store *st, struct dispute_rec *d)
{
    return st->ops->dispute_insert(st, d);
}

int store_dispute_update(struct store *st, const struct dispute_rec *d, int64_t expected_seq)
{
    return st->ops->dispute_update(st, d, expected_seq);
}

int store_dispute_get(struct store *st, int64_t id, struct dispute_rec *out)
{
    return st->ops->dispute_get(st, id, out);
}

int store_dispute_list(struct store *st, const struct dispute_filter *f, struct dispute_list *out)
{
    return st->ops->dispute_list(st, f, out);
}

int store_dispute_find_recurrence(struct store *st, const char *parties_key, int64_t before_id,
                                  int64_t *id)
{
    return st->ops->dispute_find_recurrence(st, parties_key, before_id, id);
}

int store_dispute_party_add(struct store *st, struct dispute_party *p)
{
    return st->ops->dispute_party_add(st, p);
}

int store_dispute_parties(struct store *st, int64_t dispute_id, struct dispute_party_list *out)
{
    return st->ops->dispute_parties(st, dispute_id, out);
}

int store_dispute_mediator_add(struct store *st, struct dispute_mediator *m)
{
    return st->ops->dispute_mediator_add(st, m);
}

int store_dispute_mediators(struct store *st, int64_t dispute_id, struct dispute_mediator_list *out)
{
    return st->ops->dispute_mediators(st, dispute_id, out);
}

int store_dispute_is_mediator(struct store *st, int64_t dispute_id, int64_t user_id,
                              int *is_mediator)
{
    return st->ops->dispute_is_mediator(st, dispute_id, user_id, is_mediator);
}

int store_dispute_entry_add(struct store *st, enum dispute_entry_kind kind, struct dispute_entry *e)
{
    return st->ops->dispute_entry_add(st, kind, e);
}

int store_dispute_entries(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                          struct dispute_entry_list *out)
{
    return st->ops->dispute_entries(st, kind, dispute_id, out);
}

int store_dispute_event_append(struct store *st, const struct gov_event *e)
{
    return st->ops->dispute_event_append(st, e);
}

int store_dispute_events(struct store *st, int64_t dispute_id, struct gov_event_list *out)
{
    return st->ops->dispute_events(st, dispute_id, out);
}

int store_dispute_stats(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                        store_dispute_stats_fn fn, void *ctx)
{
    return st->ops->dispute_stats(st, area, from_ms, to_ms, fn, ctx);
}

int store_council_insert(struct store *st, struct council_rec *c)
{
    return st->ops->council_insert(st, c);
}

int store_council_get(struct store *st, int64_t id, struct council_rec *out)
{
    return st->ops->council_get(st, id, out);
}

int store_council_list(struct store *st, const char *area, struct council_list *out)
{
    return st->ops->council_list(st, area, out);
}

int store_council_member_add(struct store *st, struct council_member_rec *m)
{
    return st->ops->council_member_add(st, m);
}

int store_council_members(struct store *st, int64_t council_id, struct council_member_list *out)
{
    return st->ops->council_members(st, council_id, out);
}

int store_topic_insert(struct store *st, struct topic_rec *t)
{
    return st->ops->topic_insert(st, t);
}

int store_topic_update(struct store *st, const struct topic_rec *t, int64_t expected_seq)
{
    return st->ops->topic_update(st, t, expected_seq);
}

int store_topic_get(struct store *st, int64_t id, struct topic_rec *out)
{
    return st->ops->topic_get(st, id, out);
}

int store_topic_list(struct store *st, const struct topic_filter *f, struct topic_list *out)
{
    return st->ops->topic_list(st, f, out);
}

int store_topic_entry_add(struct store *st, enum topic_entry_kind kind, struct topic_entry *e)
{
    return st->ops->topic_entry_add(st, kind, e);
}

int store_topic_task_done(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms)
{
    return st->ops->topic_task_done(st, topic_id, task_id, done_ms);
}

int store_topic_entries(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                        struct topic_entry_list *out)
{
    return st->ops->topic_entries(st, kind, topic_id, out);
}

int store_topic_meeting_add(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                            const int64_t *member_ids, size_t n_present, int64_t *meeting_id)
{
    return st->ops->topic_meeting_add(st, topic_id, at_ms, place, member_ids, n_present,
                                      meeting_id);
}

int store_topic_meeting_latest(struct store *st, int64_t topic_id, int64_t *meeting_id,
                               int *present)
{
    return st->ops->topic_meeting_latest(st, topic_id, meeting_id, present);
}

int store_topic_attended(struct store *st, int64_t meeting_id, int64_t member_id, int *attended)
{
    return st->ops->topic_attended(st, meeting_id, member_id, attended);
}

int store_topic_ballot_add(struct store *st, int64_t topic_id, const char *voter_key,
                           const char *choice, int is_secret, int64_t at_ms)
{
    return st->ops->topic_ballot_add(st, topic_id, voter_key, choice, is_secret, at_ms);
}

int store_topic_ballot_totals(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain)
{
    return st->ops->topic_ballot_totals(st, topic_id, yes, no, abstain);
}

int store_topic_event_append(struct store *st, const struct gov_event *e)
{
    return st->ops->topic_event_append(st, e);
}

int store_topic_events(struct store *st, int64_t topic_id, struct gov_event_list *out)
{
    return st->ops->topic_events(st, topic_id, out);
}

int store_village_voters(struct store *st, const char *area, const char *adult_born_by,
                         int64_t *households, int64_t *adults)
{
    return st->ops->village_voters(st, area, adult_born_by, households, adults);
}

/* ---- indicator roll-ups ------------------------------------------------------------------ */

int store_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                     const char *category, const struct rollup_counters *d)
{
    return st->ops->rollup_add(st, t, level, area, day, category, d);
}

/* The roll-up tables' key order: (level, area, day, category). */
static int rollup_cell_key_cmp(const struct rollup_cell *a, const struct rollup_cell *b)
{
    int c;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    if ((c = strcmp(a->area, b->area)) != 0)
        return c;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return strcmp(a->category, b->category);
}

static int rollup_cell_cmp(const void *pa, const void *pb)
{
    return rollup_cell_key_cmp(pa, pb);
}

int store_rollup_add_many(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                          size_t n)
{
    struct rollup_cell *merged;
    size_t kept = 0;
    int r;
    if (n == 0)
        return 0;
    /* Equal cells summed, in key order, in a copy (cells is the caller's): the backends write
     * distinct cells (one PostgreSQL statement cannot update a row twice) and walk the
     * primary key forwards. */
    merged = xreallocarray(NULL, n, sizeof(*merged));
    memcpy(merged, cells, n * sizeof(*merged));
    qsort(merged, n, sizeof(*merged), rollup_cell_cmp);
    for (size_t i = 0; i < n; i++) {
        if (kept > 0 && rollup_cell_key_cmp(&merged[kept - 1], &merged[i]) == 0)
            indicator_counters_add(&merged[kept - 1].d, &merged[i].d);
        else if (kept++ != i)
            merged[kept - 1] = merged[i];
    }
    r = st->ops->rollup_add_many(st, t, merged, kept);
    free(merged);
    return r;
}

int store_rollup_clear(struct store *st, enum rollup_table t)
{
    return st->ops->rollup_clear(st, t);
}

int store_rollup_diff(struct store *st, int64_t *cells_differing)
{
    return st->ops->rollup_diff(st, cells_differing);
}

int store_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                     int to_day, const char *category_prefix, enum rollup_group g,
                     store_rollup_fn fn, void *ctx)
{
    return st->ops->rollup_sum(st, level, area, child_level, from_day, to_day, category_prefix, g,
                               fn, ctx);
}

int store_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx)
{
    return st->ops->rollup_event_walk(st, fn, ctx);
}

/* ---- Idempotency keys of case reports (api_cases.c) ---- */

int store_case_report_key_insert(struct store *st, int64_t user_id, const char *key,
                                 int64_t case_id, int64_t now_ms)
{
    return st->ops->case_report_key_insert(st, user_id, key, case_id, now_ms);
}

int store_case_report_key_get(struct store *st, int64_t user_id, const char *key, int64_t *case_id)
{
    return st->ops->case_report_key_get(st, user_id, key, case_id);
}

/* ---- The grid worker's app and user administration (issue 8) ---- */

int store_user_set_disabled(struct store *st, int64_t id, int is_disabled)
{
    return st->ops->user_set_disabled(st, id, is_disabled);
}

int store_visit_key_insert(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                           int64_t now_ms)
{
    return st->ops->visit_key_insert(st, user_id, key, visit_id, now_ms);
}

int store_visit_key_get(struct store *st, int64_t user_id, const char *key, int64_t *visit_id)
{
    return st->ops->visit_key_get(st, user_id, key, visit_id);
}

/* ---- Open311 (api_open311.c) ---- */

void api_key_list_cleanup(struct api_key_list *list)
{
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

void open311_request_cleanup(struct open311_request *r)
{
    free(r->attributes);
    r->attributes = NULL;
}

int store_api_key_insert(struct store *st, struct api_key *k)
{
    return st->ops->api_key_insert(st, k);
}

int store_api_key_get_by_hash(struct store *st, const char *key_hash, struct api_key *out)
{
    return st->ops->api_key_get_by_hash(st, key_hash, out);
}

int store_api_key_list(struct store *st, struct api_key_list *out)
{
    return st->ops->api_key_list(st, out);
}

int store_open311_request_insert(struct store *st, const struct open311_request *r)
{
    return st->ops->open311_request_insert(st, r);
}

int store_open311_request_get(struct store *st, int64_t case_id, struct open311_request *out)
{
    return st->ops->open311_request_get(st, case_id, out);
}

int store_open311_request_by_token(struct store *st, const char *token, struct open311_request *out)
{
    return st->ops->open311_request_by_token(st, token, out);
}

int store_open311_case_ids(struct store *st, const struct open311_filter *f, int64_t *ids,
                           size_t *n)
{
    return st->ops->open311_case_ids(st, f, ids, n);
}

int store_open311_media_case(struct store *st, const char *hash, int64_t *case_id)
{
    return st->ops->open311_media_case(st, hash, case_id);
}

int store_outbox_last_id(struct store *st, int64_t *out)
{
    return st->ops->outbox_last_id(st, out);
}

int store_outbox_mark_delivered_after(struct store *st, int64_t after_id, int64_t now_ms)
{
    return st->ops->outbox_mark_delivered_after(st, after_id, now_ms);
}

int store_open311_updated_case_ids(struct store *st, int64_t from_ms, int64_t to_ms, int64_t offset,
                                   int limit, int64_t *ids, size_t *n)
{
    return st->ops->open311_updated_case_ids(st, from_ms, to_ms, offset, limit, ids, n);
}

int store_open311_update_key_insert(struct store *st, int64_t api_key_id, const char *update_id,
                                    int64_t case_id, int64_t event_seq, int64_t now_ms)
{
    return st->ops->open311_update_key_insert(st, api_key_id, update_id, case_id, event_seq,
                                              now_ms);
}

int store_open311_update_key_get(struct store *st, int64_t api_key_id, const char *update_id,
                                 int64_t *case_id, int64_t *event_seq)
{
    return st->ops->open311_update_key_get(st, api_key_id, update_id, case_id, event_seq);
}

/* ---- field work (issue 5) ---- */

int store_patrol_insert(struct store *st, struct patrol_rec *p)
{
    return st->ops->patrol_insert(st, p);
}

int store_patrol_get(struct store *st, int64_t id, struct patrol_rec *out)
{
    return st->ops->patrol_get(st, id, out);
}

int store_patrol_finish(struct store *st, const struct patrol_rec *p)
{
    return st->ops->patrol_finish(st, p);
}

int store_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                            int64_t n_fast)
{
    return st->ops->patrol_set_counts(st, id, n_points, n_outside, n_fast);
}

int store_patrol_list(struct store *st, const struct patrol_filter *f, store_patrol_fn fn,
                      void *ctx)
{
    return st->ops->patrol_list(st, f, fn, ctx);
}

int store_patrol_batch_add(struct store *st, int64_t patrol_id, const char *batch_id,
                           int64_t n_points, int *is_new)
{
    return st->ops->patrol_batch_add(st, patrol_id, batch_id, n_points, is_new);
}

int store_patrol_points_add(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                            size_t n)
{
    return st->ops->patrol_points_add(st, patrol_id, pts, n);
}

int store_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx)
{
    return st->ops->patrol_points(st, patrol_id, fn, ctx);
}

int store_patrol_count_by_grid(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                               store_count_fn fn, void *ctx)
{
    return st->ops->patrol_count_by_grid(st, area, from_ms, to_ms, fn, ctx);
}

int store_field_case_link_add(struct store *st, const char *source, int64_t source_id,
                              int64_t case_id)
{
    return st->ops->field_case_link_add(st, source, source_id, case_id);
}

int store_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                           void *ctx)
{
    return st->ops->field_case_links(st, source, source_id, fn, ctx);
}

int store_visit_insert(struct store *st, struct visit_rec *v)
{
    return st->ops->visit_insert(st, v);
}

int store_visit_get(struct store *st, int64_t id, struct visit_rec *out)
{
    return st->ops->visit_get(st, id, out);
}

int store_visit_set_case(struct store *st, int64_t id, int64_t case_id)
{
    return st->ops->visit_set_case(st, id, case_id);
}

int store_visit_list(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx)
{
    return st->ops->visit_list(st, f, fn, ctx);
}

int store_visit_states(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                       store_visit_state_fn fn, void *ctx)
{
    return st->ops->visit_states(st, area, with_orgs, before_ms, fn, ctx);
}

int store_campaign_insert(struct store *st, struct campaign_rec *c)
{
    return st->ops->campaign_insert(st, c);
}

int store_campaign_get(struct store *st, int64_t id, struct campaign_rec *out)
{
    return st->ops->campaign_get(st, id, out);
}

int store_campaign_coverage(struct store *st, int64_t id, store_coverage_fn fn, void *ctx)
{
    return st->ops->campaign_coverage(st, id, fn, ctx);
}

int store_case_channel_counts(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                              store_channel_fn fn, void *ctx)
{
    return st->ops->case_channel_counts(st, area, from_ms, to_ms, fn, ctx);
}

void station_session_cleanup(struct station_session *s)
{
    if (s == NULL)
        return;
    free(s->items);
    s->items = NULL;
    s->n_items = 0;
}

int store_station_team_insert(struct store *st, struct station_team *t)
{
    return st->ops->station_team_insert(st, t);
}

int store_station_team_get(struct store *st, int64_t id, struct station_team *out)
{
    return st->ops->station_team_get(st, id, out);
}

int store_station_team_list(struct store *st, const char *area, store_team_fn fn, void *ctx)
{
    return st->ops->station_team_list(st, area, fn, ctx);
}

int store_station_session_insert(struct store *st, struct station_session *s)
{
    return st->ops->station_session_insert(st, s);
}

int store_station_session_get(struct store *st, int64_t id, struct station_session *out)
{
    return st->ops->station_session_get(st, id, out);
}

int store_station_session_list(struct store *st, int64_t team_id, const char *area, int64_t from_ms,
                               int64_t to_ms, int limit, store_session_fn fn, void *ctx)
{
    return st->ops->station_session_list(st, team_id, area, from_ms, to_ms, limit, fn, ctx);
}

/* ---- volunteers, needs, posts, hours, chiefs (issue 5) ------------------------------------ */

int store_volunteer_insert(struct store *st, struct volunteer_rec *v)
{
    return st->ops->volunteer_insert(st, v);
}

int store_volunteer_update(struct store *st, const struct volunteer_rec *v)
{
    return st->ops->volunteer_update(st, v);
}

int store_volunteer_get(struct store *st, int64_t id, struct volunteer_rec *out)
{
    return st->ops->volunteer_get(st, id, out);
}

int store_volunteer_list(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                         void *ctx)
{
    return st->ops->volunteer_list(st, f, fn, ctx);
}

int store_volunteer_loads(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                          void *ctx)
{
    return st->ops->volunteer_loads(st, area, since_ms, fn, ctx);
}

int store_need_insert(struct store *st, struct need_rec *n)
{
    return st->ops->need_insert(st, n);
}

int store_need_get(struct store *st, int64_t id, struct need_rec *out)
{
    return st->ops->need_get(st, id, out);
}

int store_need_list(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx)
{
    return st->ops->need_list(st, f, fn, ctx);
}

int store_need_assign(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                      int64_t at_ms)
{
    return st->ops->need_assign(st, need_id, volunteer_id, by, at_ms);
}

int store_need_assignments(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx)
{
    return st->ops->need_assignments(st, need_id, fn, ctx);
}

int store_post_insert(struct store *st, struct post_rec *p)
{
    return st->ops->post_insert(st, p);
}

int store_post_get(struct store *st, int64_t id, struct post_rec *out)
{
    return st->ops->post_get(st, id, out);
}

int store_post_list(struct store *st, const char *area, store_post_fn fn, void *ctx)
{
    return st->ops->post_list(st, area, fn, ctx);
}

int store_post_member_add(struct store *st, struct post_member *m)
{
    return st->ops->post_member_add(st, m);
}

int store_post_member_get(struct store *st, int64_t id, struct post_member *out)
{
    return st->ops->post_member_get(st, id, out);
}

int store_post_members(struct store *st, int64_t post_id, store_member_fn fn, void *ctx)
{
    return st->ops->post_members(st, post_id, fn, ctx);
}

int store_hours_insert(struct store *st, struct hours_rec *h)
{
    return st->ops->hours_insert(st, h);
}

int store_hours_day_total(struct store *st, const char *member_kind, int64_t person_key,
                          int64_t day_ms, int64_t *minutes)
{
    return st->ops->hours_day_total(st, member_kind, person_key, day_ms, minutes);
}

int store_hours_totals(struct store *st, const char *member_kind, int64_t person_key,
                       int64_t from_ms, int64_t to_ms, store_hours_total_fn fn, void *ctx)
{
    return st->ops->hours_totals(st, member_kind, person_key, from_ms, to_ms, fn, ctx);
}

int store_chief_insert(struct store *st, struct chief_rec *c)
{
    return st->ops->chief_insert(st, c);
}

int store_chief_get(struct store *st, int64_t id, struct chief_rec *out)
{
    return st->ops->chief_get(st, id, out);
}

int store_chief_list(struct store *st, const char *area, store_chief_fn fn, void *ctx)
{
    return st->ops->chief_list(st, area, fn, ctx);
}

/* ---- ratings and surveys (ratings module) ---- */

void survey_rec_cleanup(struct survey_rec *s)
{
    free(s->definition);
    s->definition = NULL;
}

int store_survey_insert(struct store *st, struct survey_rec *s)
{
    return st->ops->survey_insert(st, s);
}

int store_survey_get(struct store *st, int64_t id, struct survey_rec *out)
{
    return st->ops->survey_get(st, id, out);
}

int store_survey_list(struct store *st, int limit, store_survey_fn fn, void *ctx)
{
    return st->ops->survey_list(st, limit, fn, ctx);
}

int store_survey_response_insert(struct store *st, const struct survey_response_rec *r)
{
    return st->ops->survey_response_insert(st, r);
}

int store_survey_sums(struct store *st, int64_t survey_id, int from_day, int to_day,
                      const char *area, int key_len, store_survey_sums_fn fn, void *ctx)
{
    return st->ops->survey_sums(st, survey_id, from_day, to_day, area, key_len, fn, ctx);
}

int store_star_rating_insert(struct store *st, const struct star_rating_rec *r)
{
    return st->ops->star_rating_insert(st, r);
}

int store_star_rating_count(struct store *st, int year, const char *area, int64_t *out)
{
    return st->ops->star_rating_count(st, year, area, out);
}

int store_star_rating_list(struct store *st, int year, const char *area, store_star_fn fn,
                           void *ctx)
{
    return st->ops->star_rating_list(st, year, area, fn, ctx);
}

/* ---- task lists ---- */

int store_visit_due(struct store *st, const char *area, const char *kind, int tagged,
                    int64_t base_max_ms, store_visit_state_fn fn, void *ctx)
{
    return st->ops->visit_due(st, area, kind, tagged, base_max_ms, fn, ctx);
}

/* ---- the request path's reads (intake) ---- */

int store_session_user_get(struct store *st, const char *token_hash, int64_t now_ms,
                           struct session *sess, struct user *user)
{
    return st->ops->session_user_get(st, token_hash, now_ms, sess, user);
}

int store_meta_get_int_pair(struct store *st, const char *key1, const char *key2, int64_t *v1,
                            int64_t *v2)
{
    return st->ops->meta_get_int_pair(st, key1, key2, v1, v2);
}
