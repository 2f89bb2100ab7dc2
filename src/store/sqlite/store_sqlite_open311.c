/*
 * store_sqlite_open311.c - Open311 on SQLite: client API keys (hashes only) and what an
 * Open311 POST brought beyond the case (token, client, contact, attributes), plus the two
 * listings the GeoReport endpoints need, and the FixMyStreet update_id keys (see store.h for
 * the contracts).
 *
 * These are infrequent statements, so each call prepares its own and finalizes it rather than
 * taking slots in the connection's statement cache. The case listing builds its WHERE clause
 * from fixed fragments ("category IN (?,?)") chosen by which filters are set; the text never
 * contains input and every value is bound. Pages by LIMIT/OFFSET because the GeoReport page
 * extension is page-numbered; a listing is at most 1000 rows of at most a 90-day window.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/buf.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_COLS "id, name, key_hash, user_id, created_ms"
#define REQ_COLS                                                                                   \
    "case_id, token, api_key_id, service_name, email, device_id, account_id, media_url, "          \
    "attributes, created_ms"

static sqlite3_stmt *prepare(struct sqlite_store *s, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        sq_fail(s, "prepare open311");
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

static int is_constraint(struct sqlite_store *s)
{
    return (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT;
}

static void read_key(sqlite3_stmt *stmt, struct api_key *k)
{
    memset(k, 0, sizeof(*k));
    k->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, k->name, sizeof(k->name));
    copy_col(stmt, 2, k->key_hash, sizeof(k->key_hash));
    k->user_id = sqlite3_column_int64(stmt, 3);
    k->created_ms = sqlite3_column_int64(stmt, 4);
}

int sq_api_key_insert(struct store *st, struct api_key *k)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "INSERT INTO api_keys(name, key_hash, user_id, created_ms) "
                                    "VALUES (?1, ?2, ?3, ?4)");
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, k->name);
    bind_text(stmt, 2, k->key_hash);
    sqlite3_bind_int64(stmt, 3, k->user_id);
    sqlite3_bind_int64(stmt, 4, k->created_ms);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE)
        k->id = sqlite3_last_insert_rowid(s->db);
    else
        r = is_constraint(s) ? ERR_EXISTS : sq_fail(s, "api key insert");
    sqlite3_finalize(stmt);
    return r;
}

int sq_api_key_get_by_hash(struct store *st, const char *key_hash, struct api_key *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "SELECT " KEY_COLS " FROM api_keys WHERE key_hash = ?1");
    int rc, r;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, key_hash);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_key(stmt, out);
        r = 0;
    } else {
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "api key get");
    }
    sqlite3_finalize(stmt);
    return r;
}

int sq_api_key_list(struct store *st, struct api_key_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "SELECT " KEY_COLS " FROM api_keys ORDER BY name");
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 8;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        read_key(stmt, &out->items[out->len++]);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "api key list");
        api_key_list_cleanup(out);
    }
    sqlite3_finalize(stmt);
    return r;
}

int sq_open311_request_insert(struct store *st, const struct open311_request *q)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "INSERT INTO open311_requests(" REQ_COLS ") "
                                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, q->case_id);
    bind_text(stmt, 2, q->token);
    sqlite3_bind_int64(stmt, 3, q->api_key_id);
    bind_text(stmt, 4, q->service_name);
    bind_text(stmt, 5, q->email);
    bind_text(stmt, 6, q->device_id);
    bind_text(stmt, 7, q->account_id);
    bind_text(stmt, 8, q->media_url);
    bind_text(stmt, 9, q->attributes ? q->attributes : "{}");
    sqlite3_bind_int64(stmt, 10, q->created_ms);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE)
        r = is_constraint(s) ? ERR_EXISTS : sq_fail(s, "open311 request insert");
    sqlite3_finalize(stmt);
    return r;
}

static int request_get(struct sqlite_store *s, const char *sql, int64_t id, const char *token,
                       struct open311_request *out)
{
    sqlite3_stmt *stmt = prepare(s, sql);
    int rc, r;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    if (token)
        bind_text(stmt, 1, token);
    else
        sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const unsigned char *a;
        out->case_id = sqlite3_column_int64(stmt, 0);
        copy_col(stmt, 1, out->token, sizeof(out->token));
        out->api_key_id = sqlite3_column_int64(stmt, 2);
        copy_col(stmt, 3, out->service_name, sizeof(out->service_name));
        copy_col(stmt, 4, out->email, sizeof(out->email));
        copy_col(stmt, 5, out->device_id, sizeof(out->device_id));
        copy_col(stmt, 6, out->account_id, sizeof(out->account_id));
        copy_col(stmt, 7, out->media_url, sizeof(out->media_url));
        a = sqlite3_column_text(stmt, 8);
        out->attributes = xstrdup(a ? (const char *)a : "{}");
        out->created_ms = sqlite3_column_int64(stmt, 9);
        r = 0;
    } else {
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "open311 request get");
    }
    sqlite3_finalize(stmt);
    return r;
}

int sq_open311_request_get(struct store *st, int64_t case_id, struct open311_request *out)
{
    return request_get(sq(st), "SELECT " REQ_COLS " FROM open311_requests WHERE case_id = ?1",
                       case_id, NULL, out);
}

int sq_open311_request_by_token(struct store *st, const char *token, struct open311_request *out)
{
    return request_get(sq(st), "SELECT " REQ_COLS " FROM open311_requests WHERE token = ?1", 0,
                       token, out);
}

/* Append a list of n (>= 1) bind parameters, "?,?,...,?", to b. */
static void append_bind_list(struct buf *b, int n)
{
    for (int i = 0; i < n; i++)
        buf_append_str(b, i ? ",?" : "?");
}

static int collect_ids(struct sqlite_store *s, sqlite3_stmt *stmt, int64_t *ids, size_t room,
                       size_t *n, const char *what)
{
    int rc;
    *n = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW && *n < room)
        ids[(*n)++] = sqlite3_column_int64(stmt, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, what);
    return 0;
}

int sq_open311_case_ids(struct store *st, const struct open311_filter *f, int64_t *ids, size_t *n)
{
    struct sqlite_store *s = sq(st);
    struct buf sql;
    sqlite3_stmt *stmt;
    int n_status = 0, k = 1, r;

    *n = 0;
    if (f->limit < 1 || f->n_codes < 0 || f->n_codes > OPEN311_FILTER_CODES)
        return ERR_INVALID;
    while (n_status < 15 && f->statuses[n_status] != NULL)
        n_status++;
    buf_init(&sql, 4096);
    buf_append_str(&sql, "SELECT id FROM cases INDEXED BY cases_time "
                         "WHERE created_ms >= ? AND created_ms < ?");
    if (f->n_codes > 0) {
        buf_append_str(&sql, " AND category IN (");
        append_bind_list(&sql, f->n_codes);
        buf_append_str(&sql, ")");
    }
    if (n_status > 0) {
        buf_append_str(&sql, " AND status IN (");
        append_bind_list(&sql, n_status);
        buf_append_str(&sql, ")");
    }
    buf_append_str(&sql, " ORDER BY created_ms DESC, id DESC LIMIT ? OFFSET ?");
    stmt = prepare(s, sql.data);
    buf_cleanup(&sql);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, k++, f->from_ms);
    sqlite3_bind_int64(stmt, k++, f->to_ms);
    for (int i = 0; i < f->n_codes; i++)
        bind_text(stmt, k++, f->codes[i]);
    for (int i = 0; i < n_status; i++)
        bind_text(stmt, k++, f->statuses[i]);
    sqlite3_bind_int(stmt, k++, f->limit);
    sqlite3_bind_int64(stmt, k++, f->offset);
    r = collect_ids(s, stmt, ids, (size_t)f->limit, n, "open311 case list");
    sqlite3_finalize(stmt);
    return r;
}

int sq_open311_media_case(struct store *st, const char *hash, int64_t *case_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "SELECT a.case_id FROM case_attachments a "
                                    "JOIN open311_requests o ON o.case_id = a.case_id "
                                    "WHERE a.hash = ?1 LIMIT 1");
    int rc, r;
    *case_id = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, hash);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *case_id = sqlite3_column_int64(stmt, 0);
        r = 0;
    } else {
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "open311 media");
    }
    sqlite3_finalize(stmt);
    return r;
}

int sq_outbox_last_id(struct store *st, int64_t *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "SELECT coalesce(max(id), 0) FROM outbox");
    int r = 0;
    *out = 0;
    if (stmt == NULL)
        return ERR_DB;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "outbox last id");
    sqlite3_finalize(stmt);
    return r;
}

int sq_outbox_mark_delivered_after(struct store *st, int64_t after_id, int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "UPDATE outbox SET delivered_ms = ?2 "
                                    "WHERE id > ?1 AND delivered_ms = 0");
    int r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, after_id);
    sqlite3_bind_int64(stmt, 2, now_ms);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        r = sq_fail(s, "outbox mark delivered");
    sqlite3_finalize(stmt);
    return r;
}

int sq_open311_updated_case_ids(struct store *st, int64_t from_ms, int64_t to_ms, int64_t offset,
                                int limit, int64_t *ids, size_t *n)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "SELECT case_id FROM case_events "
                                    "WHERE at_ms >= ?1 AND at_ms < ?2 GROUP BY case_id "
                                    "ORDER BY max(at_ms) DESC, case_id DESC LIMIT ?3 OFFSET ?4");
    int r;
    *n = 0;
    if (limit < 1)
        return ERR_INVALID;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, from_ms);
    sqlite3_bind_int64(stmt, 2, to_ms);
    sqlite3_bind_int(stmt, 3, limit);
    sqlite3_bind_int64(stmt, 4, offset);
    r = collect_ids(s, stmt, ids, (size_t)limit, n, "open311 updated cases");
    sqlite3_finalize(stmt);
    return r;
}

int sq_open311_update_key_insert(struct store *st, int64_t api_key_id, const char *update_id,
                                 int64_t case_id, int64_t event_seq, int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "INSERT INTO open311_update_keys(api_key_id, update_id, "
                                    "case_id, event_seq, created_ms) VALUES (?1, ?2, ?3, ?4, ?5)");
    int r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, api_key_id);
    bind_text(stmt, 2, update_id);
    sqlite3_bind_int64(stmt, 3, case_id);
    sqlite3_bind_int64(stmt, 4, event_seq);
    sqlite3_bind_int64(stmt, 5, now_ms);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        r = is_constraint(s) ? ERR_EXISTS : sq_fail(s, "open311 update key insert");
    sqlite3_finalize(stmt);
    return r;
}

int sq_open311_update_key_get(struct store *st, int64_t api_key_id, const char *update_id,
                              int64_t *case_id, int64_t *event_seq)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(s, "SELECT case_id, event_seq FROM open311_update_keys "
                                    "WHERE api_key_id = ?1 AND update_id = ?2");
    int rc, r = 0;
    *case_id = 0;
    *event_seq = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, api_key_id);
    bind_text(stmt, 2, update_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *case_id = sqlite3_column_int64(stmt, 0);
        *event_seq = sqlite3_column_int64(stmt, 1);
    } else {
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "open311 update key get");
    }
    sqlite3_finalize(stmt);
    return r;
}
