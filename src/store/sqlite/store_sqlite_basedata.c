/*
 * store_sqlite_basedata.c - the base-data half of the SQLite backend: records of every kind
 * of domain/basedata.h, the trigram search over them, the access log of personal data, the
 * household file's links and retention.
 *
 * The SQL of a kind is assembled once per connection from its field table -- column names
 * come from that table, never from input -- and cached as prepared statements; values are
 * always bound. Column order in every SELECT: id, cell_code, created_ms, updated_ms,
 * anonymised_ms, then each field (a personal field F as F_enc, F_hash, F_masked).
 *
 * The trigram index (base_fts) is not written row by row: once an FTS5 table has been written
 * in a transaction, every later statement that opens a statement journal (any insert into a
 * table with a unique index) makes FTS5 flush its pending terms, which turns a bulk import
 * into one tiny index segment per row (measured: a third of the import's time). Changes are
 * queued in a temporary table instead and applied in three statements by the outermost commit
 * (sq_bd_fts_sync), or at once outside a transaction. A search inside an open transaction
 * therefore does not see that transaction's own changes.
 *
 * A bulk load (sq_bd_bulk_begin .. sq_bd_bulk_end, one transaction) drops the table's
 * secondary indexes and its triggers, and does not queue search entries for inserted rows; its
 * end re-runs the saved CREATE INDEX statements (a sort of the keys instead of a random B-tree
 * insert per row and index), then the CREATE TRIGGER ones, does in one statement what the
 * triggers would have done row by row (bulk_catch_up: a trigger that reads its own table by
 * a dropped index would scan the whole table for every row), and indexes the new rows for
 * search in one INSERT .. SELECT. DDL is transactional in SQLite, so a rollback or a crash
 * before the commit brings the indexes and triggers back untouched.
 */
#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/sqlite/sqlite_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BASE_COLS 5 /* id, cell_code, created_ms, updated_ms, anonymised_ms */

static const struct bd_entity *entity_of(enum bd_kind kind)
{
    return bd_entity(kind);
}

/* ---- SQL assembly ----------------------------------------------------------------------- */

/* Append the stored column names of every field ("name, id_number_enc, ..."), each prefixed. */
static void append_field_columns(struct buf *sql, const struct bd_entity *e, const char *prefix)
{
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        if (bd_field_is_personal(f))
            buf_printf(sql, ", %s%s_enc, %s%s_hash, %s%s_masked", prefix, f->name, prefix, f->name,
                       prefix, f->name);
        else
            buf_printf(sql, ", %s%s", prefix, f->name);
    }
}

static void append_select(struct buf *sql, const struct bd_entity *e)
{
    buf_printf(sql, "SELECT t.id, t.cell_code, t.created_ms, t.updated_ms, %s",
               e->kind == BD_PERSON ? "t.anonymised_ms" : "0");
    append_field_columns(sql, e, "t.");
    buf_printf(sql, " FROM %s t", e->table);
}

enum bd_stmt { BS_INSERT, BS_UPDATE, BS_GET, BS_FTS_ADD, BS_FTS_DEL, BS_COUNT, BS_STMTS };

static const char fts_queue_sql[] =
    "CREATE TEMP TABLE IF NOT EXISTS base_fts_queue ("
    "  rowid INTEGER PRIMARY KEY, put INTEGER NOT NULL, text TEXT, label TEXT, cell TEXT)";

static const char *stmt_sql(enum bd_kind kind, enum bd_stmt which, struct buf *sql)
{
    const struct bd_entity *e = entity_of(kind);
    int n = 0;
    buf_reset(sql);
    switch (which) {
    case BS_INSERT:
        buf_printf(sql, "INSERT INTO %s(cell_code, created_ms, updated_ms", e->table);
        append_field_columns(sql, e, "");
        buf_append_str(sql, ") VALUES (?1, ?2, ?3");
        n = 4;
        for (int i = 0; i < e->n_fields; i++)
            for (int k = 0; k < (bd_field_is_personal(&e->fields[i]) ? 3 : 1); k++)
                buf_printf(sql, ", ?%d", n++);
        buf_append_str(sql, ")");
        break;
    case BS_UPDATE:
        buf_printf(sql, "UPDATE %s SET cell_code = ?1, updated_ms = ?3", e->table);
        n = 4;
        for (int i = 0; i < e->n_fields; i++) {
            const struct bd_field *f = &e->fields[i];
            if (bd_field_is_personal(f)) {
                buf_printf(sql, ", %s_enc = ?%d, %s_hash = ?%d, %s_masked = ?%d", f->name, n,
                           f->name, n + 1, f->name, n + 2);
                n += 3;
            } else {
                buf_printf(sql, ", %s = ?%d", f->name, n++);
            }
        }
        buf_printf(sql, " WHERE id = ?%d", n);
        break;
    case BS_GET:
        append_select(sql, e);
        buf_append_str(sql, " WHERE t.id = ?1");
        break;
    case BS_FTS_ADD:
        buf_append_str(sql, "INSERT OR REPLACE INTO temp.base_fts_queue(rowid, put, text, label, "
                            "cell) VALUES (?1, 1, ?2, ?3, ?4)");
        break;
    case BS_FTS_DEL:
        buf_append_str(sql, "INSERT OR REPLACE INTO temp.base_fts_queue(rowid, put) "
                            "VALUES (?1, 0)");
        break;
    case BS_COUNT:
        buf_printf(sql, "SELECT count(*) FROM %s WHERE cell_code >= ?1 AND cell_code < ?1 || ':'",
                   e->table);
        break;
    case BS_STMTS:
        break;
    }
    return sql->data;
}

static sqlite3_stmt *bd_stmt(struct sqlite_store *s, enum bd_kind kind, enum bd_stmt which)
{
    sqlite3_stmt **slot = &s->bd_stmts[kind][which];
    if ((which == BS_FTS_ADD || which == BS_FTS_DEL) && !s->bd_fts_queue_ready) {
        if (sqlite3_exec(s->db, fts_queue_sql, NULL, NULL, NULL) != SQLITE_OK) {
            sq_fail(s, "create the index queue");
            return NULL;
        }
        s->bd_fts_queue_ready = 1;
    }
    if (*slot == NULL) {
        struct buf sql;
        sqlite3_stmt *stmt;
        buf_init(&sql, 16384);
        stmt_sql(kind, which, &sql);
        stmt = sq_prepare_slot(s, slot, sql.data);
        buf_cleanup(&sql);
        return stmt;
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    return *slot;
}

_Static_assert(BS_STMTS <= SQ_BD_STMTS, "raise SQ_BD_STMTS");

/* ---- binding and reading ---------------------------------------------------------------- */

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* Bind the value of a non-personal field by its type: NULL when absent for numbers. */
static void bind_value(sqlite3_stmt *stmt, int i, const struct bd_field *f, const char *v)
{
    v = nz(v);
    switch (f->type) {
    case BDT_INT:
    case BDT_BOOL:
    case BDT_REF:
        if (v[0] == '\0')
            sqlite3_bind_null(stmt, i);
        else
            sqlite3_bind_int64(stmt, i, strtoll(v, NULL, 10));
        break;
    case BDT_REAL:
        if (v[0] == '\0')
            sqlite3_bind_null(stmt, i);
        else
            sqlite3_bind_double(stmt, i, strtod(v, NULL));
        break;
    default:
        bind_text(stmt, i, v);
        break;
    }
}

/* Bind cell, times and every field from parameter 1 on (the INSERT/UPDATE layout). */
static int bind_record(sqlite3_stmt *stmt, const struct bd_entity *e, const struct bd_record *r)
{
    int n = 4;
    bind_text(stmt, 1, r->cell_code);
    sqlite3_bind_int64(stmt, 2, r->created_ms);
    sqlite3_bind_int64(stmt, 3, r->updated_ms);
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        if (bd_field_is_personal(f)) {
            bind_text(stmt, n++, nz(r->v[i].text));
            bind_text(stmt, n++, nz(r->v[i].hash));
            bind_text(stmt, n++, nz(r->v[i].masked));
        } else {
            bind_value(stmt, n++, f, r->v[i].text);
        }
    }
    return n; /* the next free parameter */
}

static char *col_dup(sqlite3_stmt *stmt, int col)
{
    const unsigned char *t = sqlite3_column_text(stmt, col);
    return xstrdup(t ? (const char *)t : "");
}

/* A REAL column back as the text the domain layer normalises to ("%.7f"). */
static char *col_real(sqlite3_stmt *stmt, int col)
{
    char tmp[64];
    if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
        return xstrdup("");
    snprintf(tmp, sizeof(tmp), "%.7f", sqlite3_column_double(stmt, col));
    return xstrdup(tmp);
}

static void read_record(sqlite3_stmt *stmt, const struct bd_entity *e, struct bd_record *out)
{
    int c = BASE_COLS;
    memset(out, 0, sizeof(*out));
    out->kind = e->kind;
    out->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, out->cell_code, sizeof(out->cell_code));
    out->created_ms = sqlite3_column_int64(stmt, 2);
    out->updated_ms = sqlite3_column_int64(stmt, 3);
    out->anonymised_ms = sqlite3_column_int64(stmt, 4);
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        if (bd_field_is_personal(f)) {
            out->v[i].text = col_dup(stmt, c++);
            out->v[i].hash = col_dup(stmt, c++);
            out->v[i].masked = col_dup(stmt, c++);
        } else if (f->type == BDT_REAL) {
            out->v[i].text = col_real(stmt, c++);
        } else {
            out->v[i].text = col_dup(stmt, c++);
        }
    }
}

/* ---- the search text -------------------------------------------------------------------- */

/* The searchable fields joined by spaces (the same text the migration indexed), and the label. */
static void search_text(const struct bd_entity *e, const struct bd_record *r, struct buf *text)
{
    int first = 1;
    buf_reset(text);
    for (int i = 0; i < e->n_fields; i++) {
        if (!(e->fields[i].flags & BDF_SEARCHABLE))
            continue;
        if (!first)
            buf_append_str(text, " ");
        buf_append_str(text, nz(r->v[i].text));
        first = 0;
    }
}

int sq_bd_fts_sync(struct sqlite_store *s)
{
    static const char sql[] =
        "DELETE FROM base_fts WHERE rowid IN (SELECT rowid FROM temp.base_fts_queue);"
        "INSERT INTO base_fts(rowid, text, label, cell) "
        "  SELECT rowid, text, label, cell FROM temp.base_fts_queue WHERE put = 1;"
        "DELETE FROM temp.base_fts_queue;";
    if (!s->bd_fts_dirty)
        return 0;
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(s, "base index sync");
    s->bd_fts_dirty = 0;
    return 0;
}

/* Queue an index change; outside a transaction it is applied at once. */
static int fts_queued(struct sqlite_store *s)
{
    s->bd_fts_dirty = 1;
    return s->in_tx ? 0 : sq_bd_fts_sync(s);
}

static int fts_del(struct sqlite_store *s, enum bd_kind kind, int64_t id)
{
    sqlite3_stmt *stmt;
    int rr;
    if ((stmt = bd_stmt(s, kind, BS_FTS_DEL)) == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id * 8 + kind);
    if ((rr = sq_exec_done(s, stmt, "base index delete")) != 0)
        return rr;
    return fts_queued(s);
}

static int fts_put(struct sqlite_store *s, const struct bd_entity *e, const struct bd_record *r)
{
    sqlite3_stmt *stmt;
    struct buf text;
    int64_t rowid = r->id * 8 + e->kind;
    int rr;
    if ((stmt = bd_stmt(s, e->kind, BS_FTS_ADD)) == NULL)
        return ERR_DB;
    buf_init(&text, 4096);
    search_text(e, r, &text);
    sqlite3_bind_int64(stmt, 1, rowid);
    bind_text(stmt, 2, text.data ? text.data : "");
    bind_text(stmt, 3, nz(r->v[e->label].text));
    bind_text(stmt, 4, r->cell_code);
    rr = sq_exec_done(s, stmt, "base index add");
    buf_cleanup(&text);
    return rr != 0 ? rr : fts_queued(s);
}

/* ---- records ---------------------------------------------------------------------------- */

/* The value a natural-key lookup compares: the hash of a personal key, else its text. */
static const char *key_value(const struct bd_entity *e, const struct bd_record *r)
{
    if (e->natural_key < 0)
        return NULL;
    if (bd_field_is_personal(&e->fields[e->natural_key]))
        return r->v[e->natural_key].hash;
    return r->v[e->natural_key].text;
}

int sq_bd_find(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id)
{
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(kind);
    sqlite3_stmt *stmt = NULL;
    char sql[256];
    int rc, r;
    if (e == NULL || field < 0 || field >= e->n_fields || value == NULL)
        return ERR_INVALID;
    /* "AND col != ''" lets SQLite use the partial unique index (keys are indexed only when
     * present); without it every lookup scans the table. */
    const char *suffix = bd_field_is_personal(&e->fields[field]) ? "_hash" : "";
    snprintf(sql, sizeof(sql),
             "SELECT id FROM %s WHERE %s%s = ?1 AND %s%s != '' ORDER BY id LIMIT 1", e->table,
             e->fields[field].name, suffix, e->fields[field].name, suffix);
    /* Natural keys are looked up once per imported row: keep that statement prepared. */
    if (field == e->natural_key) {
        if ((stmt = sq_prepare_slot(s, &s->bd_find_stmts[kind], sql)) == NULL)
            return ERR_DB;
    } else if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        return sq_fail(s, "prepare base find");
    }
    bind_text(stmt, 1, value);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(stmt, 0);
        r = 0;
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "base find");
    }
    if (field == e->natural_key)
        sqlite3_reset(stmt);
    else
        sqlite3_finalize(stmt);
    return r;
}

/* 1 when search entries of rows of kind inserted now are left to sq_bd_bulk_end. */
static int bulk_defers(const struct sqlite_store *s, enum bd_kind kind)
{
    return s->bd_bulk_open && s->bd_bulk_kind == kind;
}

int sq_bd_put(struct store *st, struct bd_record *r, int *created)
{
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(r->kind);
    sqlite3_stmt *stmt;
    const char *key;
    int64_t existing = 0;
    int rr, n;
    if (e == NULL)
        return ERR_INVALID;
    if (created)
        *created = 0;
    key = key_value(e, r);
    if (r->id == 0 && key && key[0]) {
        rr = sq_bd_find(st, r->kind, e->natural_key, key, &existing);
        if (rr != 0 && rr != ERR_NOT_FOUND)
            return rr;
        r->id = existing;
    }
    if (r->id > 0) {
        if ((stmt = bd_stmt(s, r->kind, BS_UPDATE)) == NULL)
            return ERR_DB;
        n = bind_record(stmt, e, r);
        sqlite3_bind_int64(stmt, n, r->id);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            rr = sq_fail(s, "base update");
            sqlite3_reset(stmt);
            return rr == ERR_CONFLICT ? ERR_EXISTS : rr;
        }
        sqlite3_reset(stmt);
        if (sqlite3_changes(s->db) == 0)
            return ERR_NOT_FOUND;
        return fts_put(s, e, r);
    }
    /* r->id < 0: the caller knows the record is new (an import that just looked it up). */
    if ((stmt = bd_stmt(s, r->kind, BS_INSERT)) == NULL)
        return ERR_DB;
    bind_record(stmt, e, r);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rr = sq_fail(s, "base insert");
        sqlite3_reset(stmt);
        return rr == ERR_CONFLICT ? ERR_EXISTS : rr;
    }
    sqlite3_reset(stmt);
    r->id = sqlite3_last_insert_rowid(s->db);
    if (created)
        *created = 1;
    return bulk_defers(s, r->kind) ? 0 : fts_put(s, e, r);
}

int sq_bd_get(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out)
{
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(kind);
    sqlite3_stmt *stmt;
    int rc;
    memset(out, 0, sizeof(*out));
    if (e == NULL)
        return ERR_INVALID;
    if ((stmt = bd_stmt(s, kind, BS_GET)) == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        read_record(stmt, e, out);
        sqlite3_reset(stmt);
        return 0;
    }
    sqlite3_reset(stmt);
    return rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "base get");
}

/* 1 when some row of table has column = id (a reference that blocks a delete). */
static int is_referenced(struct sqlite_store *s, const char *table, const char *column, int64_t id,
                         int *out)
{
    sqlite3_stmt *stmt = NULL;
    char sql[160];
    int rc;
    snprintf(sql, sizeof(sql), "SELECT 1 FROM %s WHERE %s = ?1 LIMIT 1", table, column);
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare reference check");
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sq_fail(s, "reference check");
    *out = rc == SQLITE_ROW;
    return 0;
}

int sq_bd_delete(struct store *st, enum bd_kind kind, int64_t id)
{
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(kind);
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    int used = 0, r;
    if (e == NULL)
        return ERR_INVALID;
    /* Every reference field of every kind that points at this kind blocks the delete. */
    for (int k = 0; k < BD_KIND_COUNT; k++) {
        const struct bd_entity *other = entity_of((enum bd_kind)k);
        for (int i = 0; i < other->n_fields; i++) {
            if (other->fields[i].type != BDT_REF || other->fields[i].ref_kind != kind)
                continue;
            if ((r = is_referenced(s, other->table, other->fields[i].name, id, &used)) != 0)
                return r;
            if (used)
                return ERR_CONFLICT;
        }
    }
    if (kind == BD_HOUSEHOLD) {
        if ((r = is_referenced(s, "household_links", "household_id", id, &used)) != 0)
            return r;
        if (used)
            return ERR_CONFLICT;
    }
    snprintf(sql, sizeof(sql), "DELETE FROM %s WHERE id = ?1", e->table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare base delete");
    sqlite3_bind_int64(stmt, 1, id);
    r = sqlite3_step(stmt) == SQLITE_DONE ? 0 : sq_fail(s, "base delete");
    sqlite3_finalize(stmt);
    if (r != 0)
        return r;
    if (sqlite3_changes(s->db) == 0)
        return ERR_NOT_FOUND;
    return fts_del(s, kind, id);
}

/*
 * The list's SQL from fixed fragments; parameters by purpose: ?1 area, ?2 reference id,
 * ?3 hash, ?4 tag, ?5 query, ?6 after id, ?7 limit.
 */
int sq_bd_list(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(f->kind);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    char phrase[BD_VALUE_MAX + 8];
    int is_short = 0, rc, r = 0;
    if (e == NULL || f->area == NULL)
        return ERR_INVALID;
    if (f->ref_field >= 0 &&
        (f->ref_field >= e->n_fields || e->fields[f->ref_field].type != BDT_REF))
        return ERR_INVALID;
    if (f->hash_field >= 0 &&
        (f->hash_field >= e->n_fields || !bd_field_is_personal(&e->fields[f->hash_field])))
        return ERR_INVALID;
    buf_init(&sql, 16384);
    append_select(&sql, e);
    buf_append_str(&sql, " WHERE t.cell_code >= ?1 AND t.cell_code < ?1 || ':'");
    if (f->ref_field >= 0)
        buf_printf(&sql, " AND t.%s = ?2", e->fields[f->ref_field].name);
    if (f->hash_field >= 0)
        buf_printf(&sql, " AND t.%s_hash = ?3 AND t.%s_hash != ''", e->fields[f->hash_field].name,
                   e->fields[f->hash_field].name);
    if (f->tag && f->tag[0] && bd_field_index(e, "tags") >= 0)
        buf_append_str(&sql, " AND instr(',' || t.tags || ',', ',' || ?4 || ',') > 0");
    if (f->query && f->query[0]) {
        is_short = sq_utf8_chars(f->query) < 3;
        if (!is_short) {
            buf_printf(&sql,
                       " AND t.id IN (SELECT rowid / 8 FROM base_fts WHERE base_fts MATCH ?5 "
                       "AND rowid %% 8 = %d)",
                       (int)f->kind);
        } else {
            /* Trigrams need 3 characters; a 2-character name (王芳) scans the subtree. */
            int first = 1;
            buf_append_str(&sql, " AND (");
            for (int i = 0; i < e->n_fields; i++) {
                if (!(e->fields[i].flags & BDF_SEARCHABLE))
                    continue;
                buf_printf(&sql, "%sinstr(t.%s, ?5) > 0", first ? "" : " OR ", e->fields[i].name);
                first = 0;
            }
            buf_append_str(&sql, ")");
        }
    }
    buf_append_str(&sql, " AND t.id > ?6 ORDER BY t.id LIMIT ?7");
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare base list");
        goto out;
    }
    bind_text(stmt, 1, f->area);
    sqlite3_bind_int64(stmt, 2, f->ref_id);
    bind_text(stmt, 3, nz(f->hash));
    bind_text(stmt, 4, nz(f->tag));
    if (f->query && f->query[0]) {
        if (is_short) {
            bind_text(stmt, 5, f->query);
        } else {
            sq_fts_phrase(f->query, phrase, sizeof(phrase));
            bind_text(stmt, 5, phrase);
        }
    }
    sqlite3_bind_int64(stmt, 6, f->after_id);
    sqlite3_bind_int(stmt, 7, f->limit > 0 && f->limit <= 10000 ? f->limit : 50);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct bd_record rec;
        read_record(stmt, e, &rec);
        r = fn(ctx, &rec);
        bd_record_cleanup(&rec);
        if (r != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "base list");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

int sq_bd_count(struct store *st, enum bd_kind kind, const char *area, int64_t *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int rc;
    *out = 0;
    if (entity_of(kind) == NULL)
        return ERR_INVALID;
    if ((stmt = bd_stmt(s, kind, BS_COUNT)) == NULL)
        return ERR_DB;
    bind_text(stmt, 1, nz(area));
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return rc == SQLITE_ROW ? 0 : sq_fail(s, "base count");
}

int sq_bd_search(struct store *st, const char *area, const char *query, int limit,
                 store_bd_hit_fn fn, void *ctx)
{
    static const char sql[] = "SELECT rowid, label, cell FROM base_fts WHERE base_fts MATCH ?1 "
                              "AND cell >= ?2 AND cell < ?2 || ':' ORDER BY rank LIMIT ?3";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    char phrase[BD_VALUE_MAX + 8];
    int rc, r = 0;
    if (query == NULL || sq_utf8_chars(query) < 3 || area == NULL)
        return ERR_INVALID;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare base search");
    sq_fts_phrase(query, phrase, sizeof(phrase));
    bind_text(stmt, 1, phrase);
    bind_text(stmt, 2, area);
    sqlite3_bind_int(stmt, 3, limit > 0 && limit <= 1000 ? limit : 50);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct bd_hit h;
        int64_t rowid = sqlite3_column_int64(stmt, 0);
        memset(&h, 0, sizeof(h));
        h.kind = (enum bd_kind)(rowid % 8);
        h.id = rowid / 8;
        copy_col(stmt, 1, h.label, sizeof(h.label));
        copy_col(stmt, 2, h.cell_code, sizeof(h.cell_code));
        if ((r = fn(ctx, &h)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "base search");
    sqlite3_finalize(stmt);
    return r;
}

/* Add the search entries of the rows of kind with id > after_id (sql: scratch). */
static int index_rows(struct sqlite_store *s, enum bd_kind kind, int64_t after_id, struct buf *sql)
{
    const struct bd_entity *e = entity_of(kind);
    int first = 1;
    buf_reset(sql);
    buf_printf(sql, "INSERT INTO base_fts(rowid, text, label, cell) SELECT id * 8 + %d, ",
               (int)kind);
    for (int i = 0; i < e->n_fields; i++) {
        if (!(e->fields[i].flags & BDF_SEARCHABLE))
            continue;
        buf_printf(sql, "%s%s", first ? "" : " || ' ' || ", e->fields[i].name);
        first = 0;
    }
    buf_printf(sql, ", %s, cell_code FROM %s WHERE id > %lld ORDER BY id", e->fields[e->label].name,
               e->table, (long long)after_id);
    if (sqlite3_exec(s->db, sql->data, NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(s, "base reindex");
    return 0;
}

int sq_bd_reindex(struct store *st)
{
    struct sqlite_store *s = sq(st);
    struct buf sql;
    int r = 0;
    buf_init(&sql, 16384);
    if (sqlite3_exec(s->db, "DELETE FROM base_fts", NULL, NULL, NULL) != SQLITE_OK) {
        r = sq_fail(s, "base reindex");
        goto out;
    }
    for (int k = 0; k < BD_KIND_COUNT && r == 0; k++)
        r = index_rows(s, (enum bd_kind)k, 0, &sql);
out:
    buf_cleanup(&sql);
    return r;
}

/* ---- access log ------------------------------------------------------------------------- */

int sq_access_log_append(struct store *st, struct access_entry *e)
{
    static const char sql[] =
        "INSERT INTO access_log(at_ms, user_id, username, role, subject_kind, subject_id, "
        "subject_area, fields, reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_prepare_slot(s, &s->bd_misc_stmts[0], sql);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, e->at_ms);
    sqlite3_bind_int64(stmt, 2, e->user_id);
    bind_text(stmt, 3, e->username);
    bind_text(stmt, 4, e->role);
    bind_text(stmt, 5, e->subject_kind);
    sqlite3_bind_int64(stmt, 6, e->subject_id);
    bind_text(stmt, 7, e->subject_area);
    bind_text(stmt, 8, e->fields);
    bind_text(stmt, 9, e->reason);
    if ((r = sq_exec_done(s, stmt, "access log append")) == 0)
        e->id = sqlite3_last_insert_rowid(s->db);
    return r;
}

int sq_access_log_list(struct store *st, const struct access_filter *f, store_access_fn fn,
                       void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int rc, r = 0;
    if (f->area == NULL)
        return ERR_INVALID;
    buf_init(&sql, 2048);
    buf_append_str(&sql, "SELECT id, at_ms, user_id, username, role, subject_kind, subject_id, "
                         "subject_area, fields, reason FROM access_log "
                         "WHERE subject_area >= ?1 AND subject_area < ?1 || ':'");
    if (f->user_id)
        buf_append_str(&sql, " AND user_id = ?2");
    if (f->subject_kind && f->subject_kind[0])
        buf_append_str(&sql, " AND subject_kind = ?3");
    if (f->subject_id)
        buf_append_str(&sql, " AND subject_id = ?4");
    if (f->from_ms)
        buf_append_str(&sql, " AND at_ms >= ?5");
    if (f->to_ms)
        buf_append_str(&sql, " AND at_ms < ?6");
    if (f->before_id)
        buf_append_str(&sql, " AND id < ?7");
    buf_append_str(&sql, " ORDER BY id DESC LIMIT ?8");
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare access log list");
        goto out;
    }
    bind_text(stmt, 1, f->area);
    sqlite3_bind_int64(stmt, 2, f->user_id);
    bind_text(stmt, 3, nz(f->subject_kind));
    sqlite3_bind_int64(stmt, 4, f->subject_id);
    sqlite3_bind_int64(stmt, 5, f->from_ms);
    sqlite3_bind_int64(stmt, 6, f->to_ms);
    sqlite3_bind_int64(stmt, 7, f->before_id);
    sqlite3_bind_int(stmt, 8, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct access_entry e;
        memset(&e, 0, sizeof(e));
        e.id = sqlite3_column_int64(stmt, 0);
        e.at_ms = sqlite3_column_int64(stmt, 1);
        e.user_id = sqlite3_column_int64(stmt, 2);
        copy_col(stmt, 3, e.username, sizeof(e.username));
        copy_col(stmt, 4, e.role, sizeof(e.role));
        copy_col(stmt, 5, e.subject_kind, sizeof(e.subject_kind));
        e.subject_id = sqlite3_column_int64(stmt, 6);
        copy_col(stmt, 7, e.subject_area, sizeof(e.subject_area));
        copy_col(stmt, 8, e.fields, sizeof(e.fields));
        copy_col(stmt, 9, e.reason, sizeof(e.reason));
        if ((r = fn(ctx, &e)) != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "access log list");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

/* ---- household links -------------------------------------------------------------------- */

int sq_household_link_add(struct store *st, const struct household_link *l)
{
    static const char sql[] =
        "INSERT INTO household_links(household_id, kind, ref_id, at_ms, summary) "
        "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(household_id, kind, ref_id) DO NOTHING";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_prepare_slot(s, &s->bd_misc_stmts[1], sql);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, l->household_id);
    bind_text(stmt, 2, l->kind);
    sqlite3_bind_int64(stmt, 3, l->ref_id);
    sqlite3_bind_int64(stmt, 4, l->at_ms);
    bind_text(stmt, 5, l->summary);
    return sq_exec_done(s, stmt, "household link add");
}

int sq_household_links(struct store *st, int64_t household_id, store_link_fn fn, void *ctx)
{
    static const char sql[] = "SELECT household_id, kind, ref_id, at_ms, summary "
                              "FROM household_links WHERE household_id = ?1 "
                              "ORDER BY at_ms, kind, ref_id";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int rc, r = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare household links");
    sqlite3_bind_int64(stmt, 1, household_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct household_link l;
        memset(&l, 0, sizeof(l));
        l.household_id = sqlite3_column_int64(stmt, 0);
        copy_col(stmt, 1, l.kind, sizeof(l.kind));
        l.ref_id = sqlite3_column_int64(stmt, 2);
        l.at_ms = sqlite3_column_int64(stmt, 3);
        copy_col(stmt, 4, l.summary, sizeof(l.summary));
        if ((r = fn(ctx, &l)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "household links");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- retention -------------------------------------------------------------------------- */

int sq_bd_retention_persons(struct store *st, const char *before_date, int64_t after_id, int limit,
                            store_bd_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(BD_PERSON);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int rc, r = 0;
    buf_init(&sql, 8192);
    append_select(&sql, e);
    buf_append_str(&sql, " WHERE t.status != 'active' AND t.anonymised_ms = 0 "
                         "AND t.moved_out_date != '' AND t.moved_out_date < ?1 AND t.id > ?2 "
                         "ORDER BY t.id LIMIT ?3");
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare retention list");
        goto out;
    }
    bind_text(stmt, 1, before_date);
    sqlite3_bind_int64(stmt, 2, after_id);
    sqlite3_bind_int(stmt, 3, limit > 0 ? limit : 1000);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct bd_record rec;
        read_record(stmt, e, &rec);
        r = fn(ctx, &rec);
        bd_record_cleanup(&rec);
        if (r != 0)
            goto out;
    }
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "retention list");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

int sq_bd_anonymise_person(struct store *st, int64_t id, int64_t now_ms)
{
    static const char sql[] =
        "UPDATE persons SET name = '已匿名', id_number_enc = '', id_number_hash = '', "
        "id_number_masked = '', phone_enc = '', phone_hash = '', phone_masked = '', "
        "address = '', workplace = '', note = '', anonymised_ms = ?2, updated_ms = ?2 "
        "WHERE id = ?1";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_prepare_slot(s, &s->bd_misc_stmts[2], sql);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, now_ms);
    if ((r = sq_exec_done(s, stmt, "anonymise person")) != 0)
        return r;
    if (sqlite3_changes(s->db) == 0)
        return ERR_NOT_FOUND;
    return fts_del(s, BD_PERSON, id);
}

int sq_case_clear_reporters(struct store *st, int64_t before_ms, int dry_run, int64_t *count)
{
    static const char where[] = " WHERE status IN ('closed', 'evaluated') AND updated_ms < ?1 "
                                "AND (reporter_name != '' OR reporter_phone != '')";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    char sql[320];
    int rc;
    *count = 0;
    snprintf(sql, sizeof(sql), "%s%s",
             dry_run ? "SELECT count(*) FROM cases"
                     : "UPDATE cases SET reporter_name = '', reporter_phone = '', "
                       "reporter_phone_masked = ''",
             where);
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare clear reporters");
    sqlite3_bind_int64(stmt, 1, before_ms);
    rc = sqlite3_step(stmt);
    if (dry_run && rc == SQLITE_ROW)
        *count = sqlite3_column_int64(stmt, 0);
    else if (!dry_run && rc == SQLITE_DONE)
        *count = sqlite3_changes(s->db);
    sqlite3_finalize(stmt);
    if ((dry_run && rc != SQLITE_ROW) || (!dry_run && rc != SQLITE_DONE))
        return sq_fail(s, "clear reporters");
    return 0;
}

int sq_case_plain_phones(struct store *st, int limit, store_phone_fn fn, void *ctx)
{
    static const char sql[] = "SELECT id, reporter_phone FROM cases WHERE reporter_phone != '' "
                              "AND substr(reporter_phone, 1, 3) != 'v1:' ORDER BY id LIMIT ?1";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int rc, r = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare plain phones");
    sqlite3_bind_int(stmt, 1, limit > 0 ? limit : 1000);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const unsigned char *phone = sqlite3_column_text(stmt, 1);
        if ((r = fn(ctx, sqlite3_column_int64(stmt, 0), phone ? (const char *)phone : "")) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "plain phones");
    sqlite3_finalize(stmt);
    return r;
}

int sq_case_set_reporter_phone(struct store *st, int64_t case_id, const char *sealed,
                               const char *masked)
{
    static const char sql[] =
        "UPDATE cases SET reporter_phone = ?2, reporter_phone_masked = ?3 WHERE id = ?1";
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = sq_prepare_slot(s, &s->bd_misc_stmts[3], sql);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, case_id);
    bind_text(stmt, 2, sealed);
    bind_text(stmt, 3, masked);
    return sq_exec_done(s, stmt, "set reporter phone");
}

/* ---- bulk load -------------------------------------------------------------------------- */

void sq_bd_bulk_forget(struct sqlite_store *s)
{
    for (int i = 0; i < s->bd_bulk_n_index; i++)
        free(s->bd_bulk_index_sql[i]);
    free(s->bd_bulk_index_sql);
    s->bd_bulk_index_sql = NULL;
    s->bd_bulk_n_index = 0;
    s->bd_bulk_open = 0;
}

/* What the triggers of kind's table (dropped during a bulk load) keep elsewhere, recomputed
 * in one statement; NULL when the table has none. Persons: each household's member_tags
 * (migration 15: the tags of its active members, in the order the household index gives),
 * recomputed for every household that has tags now or an active tagged member -- a bulk load
 * may also have updated or moved persons, and any other household's value is '' before and
 * after. It runs once per load, with persons_household built. */
static const char *bulk_catch_up(enum bd_kind kind)
{
    if (kind != BD_PERSON)
        return NULL;
    return "UPDATE households SET member_tags = coalesce((SELECT group_concat(p.tags, ',') "
           "FROM persons p WHERE p.household_id = households.id "
           "AND p.status IN ('', 'active') AND p.tags != ''), '') "
           "WHERE member_tags != '' OR id IN (SELECT household_id FROM persons "
           "WHERE tags != '' AND status IN ('', 'active') AND household_id IS NOT NULL)";
}

int sq_bd_bulk_begin(struct store *st, enum bd_kind kind, int *started)
{
    /* Indexes before triggers: bulk end re-creates them in this order. */
    static const char list_sql[] =
        "SELECT name, sql, type FROM sqlite_master WHERE type IN ('index', 'trigger') "
        "AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY type, name";
    struct sqlite_store *s = sq(st);
    const struct bd_entity *e = entity_of(kind);
    sqlite3_stmt *stmt = NULL;
    char **names = NULL, sql[160];
    int *is_trigger = NULL;
    int n = 0, rc, r = 0;
    *started = 0;
    if (e == NULL)
        return ERR_INVALID;
    if (!s->in_tx || s->bd_bulk_open)
        return ERR_CONFLICT;
    snprintf(sql, sizeof(sql), "SELECT coalesce(max(id), 0) FROM %s", e->table);
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare bulk begin");
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        sqlite3_finalize(stmt);
        return sq_fail(s, "bulk begin");
    }
    s->bd_bulk_max_id = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    /* Remember every index of the table (their own SQL, as the migrations wrote it). */
    if (sqlite3_prepare_v2(s->db, list_sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare bulk begin");
    bind_text(stmt, 1, e->table);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        names = xrealloc(names, (size_t)(n + 1) * sizeof(*names));
        is_trigger = xrealloc(is_trigger, (size_t)(n + 1) * sizeof(*is_trigger));
        is_trigger[n] = strcmp((const char *)sqlite3_column_text(stmt, 2), "trigger") == 0;
        s->bd_bulk_index_sql =
            xrealloc(s->bd_bulk_index_sql, (size_t)(n + 1) * sizeof(*s->bd_bulk_index_sql));
        names[n] = col_dup(stmt, 0);
        s->bd_bulk_index_sql[n] = col_dup(stmt, 1);
        s->bd_bulk_n_index = ++n;
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE)
        r = sq_fail(s, "bulk begin");
    for (int i = 0; i < n && r == 0; i++) {
        char drop[160];
        snprintf(drop, sizeof(drop), "DROP %s \"%s\"", is_trigger[i] ? "TRIGGER" : "INDEX",
                 names[i]);
        if (sqlite3_exec(s->db, drop, NULL, NULL, NULL) != SQLITE_OK)
            r = sq_fail(s, "bulk drop index");
    }
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(is_trigger);
    if (r != 0) {
        sq_bd_bulk_forget(s); /* the caller rolls back, which restores what was dropped */
        return r;
    }
    s->bd_bulk_open = 1;
    s->bd_bulk_kind = kind;
    *started = 1;
    return 0;
}

int sq_bd_bulk_end(struct store *st)
{
    struct sqlite_store *s = sq(st);
    struct buf sql;
    int r = 0;
    if (!s->bd_bulk_open)
        return 0;
    const char *catch_up = bulk_catch_up(s->bd_bulk_kind);
    for (int i = 0; i < s->bd_bulk_n_index && r == 0; i++)
        if (sqlite3_exec(s->db, s->bd_bulk_index_sql[i], NULL, NULL, NULL) != SQLITE_OK)
            r = sq_fail(s, "bulk create index");
    if (r == 0 && catch_up != NULL && sqlite3_exec(s->db, catch_up, NULL, NULL, NULL) != SQLITE_OK)
        r = sq_fail(s, "bulk catch up");
    if (r == 0) {
        buf_init(&sql, 4096);
        r = index_rows(s, s->bd_bulk_kind, s->bd_bulk_max_id, &sql);
        buf_cleanup(&sql);
    }
    if (r == 0)
        sq_bd_bulk_forget(s);
    return r;
}
