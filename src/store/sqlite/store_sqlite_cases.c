/*
 * store_sqlite_cases.c - cases, their event history, attachments and the notification outbox
 * on SQLite (see store.h for the contracts).
 *
 * A case row carries its area's code at every level (district, street, community, grid) so
 * that "cases under X, newest first" is one index range in time order (migrations.c). Listing
 * builds its WHERE clause from fixed fragments chosen by which filters are set — the text
 * never contains input, every value is bound — and pages by keyset (created_ms, id), never
 * OFFSET. Updates are conditional on the event count the caller read (optimistic
 * concurrency), so two actors acting on one case at once cannot lose an update.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/timeutil.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_COLS                                                                                  \
    "id, number, area_code, category, channel, urgency, status, state_before_suspend, "            \
    "queue_level, department, description, address, lon, lat, reporter_user_id, "                  \
    "reporter_name, reporter_phone, is_anonymous, outcome, outcome_reason, rating, supervision, "  \
    "overdue_stage, has_pending_extension, extension_days, reopen_count, merged_into, step, "      \
    "step_started_ms, due_ms, resolve_due_ms, sweep_at_ms, created_ms, updated_ms, closed_ms, "    \
    "event_seq, last_hash, reporter_phone_masked"

#define EVENT_COLS                                                                                 \
    "case_id, seq, at_ms, actor_user_id, actor_role, action, from_state, to_state, payload, "      \
    "prev_hash, hash"

/* store_near_cell in SQL: exactly the expression of the cases_near_point index (migration 18),
 * or SQLite would not use the index (and INDEXED BY makes that an error, not a slow scan). */
#define SQ_NEAR_CELL "(CAST(lon * 500 AS INTEGER) * 100000 + CAST(lat * 500 AS INTEGER))"
/* The candidates of one cell (bound as ?N), from cases_near_point alone; the nine cells of a
 * search (?8 to ?16) one after the other, a line each. */
/* clang-format off */
#define SQ_NEAR_ARM(n)                                                                             \
    "SELECT id, created_ms, status FROM cases INDEXED BY cases_near_point WHERE category = ?1 "    \
    "AND " SQ_NEAR_CELL " = ?" n " AND created_ms >= ?2 AND lon BETWEEN ?3 AND ?4 "                \
    "AND lat BETWEEN ?5 AND ?6 AND status NOT IN ('merged', 'rejected')"
#define SQ_NEAR_ARMS                                                                               \
    SQ_NEAR_ARM("8")                                                                               \
    " UNION ALL " SQ_NEAR_ARM("9")                                                                 \
    " UNION ALL " SQ_NEAR_ARM("10")                                                                \
    " UNION ALL " SQ_NEAR_ARM("11")                                                                \
    " UNION ALL " SQ_NEAR_ARM("12")                                                                \
    " UNION ALL " SQ_NEAR_ARM("13")                                                                \
    " UNION ALL " SQ_NEAR_ARM("14")                                                                \
    " UNION ALL " SQ_NEAR_ARM("15")                                                                \
    " UNION ALL " SQ_NEAR_ARM("16")
/* clang-format on */

#define CASE_STMT_MAP(X)                                                                           \
    X(INSERT,                                                                                      \
      "INSERT INTO cases(number, area_code, category, channel, urgency, status, "                  \
      "state_before_suspend, queue_level, department, description, address, lon, lat, "            \
      "reporter_user_id, reporter_name, reporter_phone, is_anonymous, outcome, outcome_reason, "   \
      "rating, supervision, overdue_stage, has_pending_extension, extension_days, reopen_count, "  \
      "merged_into, step, step_started_ms, due_ms, resolve_due_ms, sweep_at_ms, created_ms, "      \
      "updated_ms, closed_ms, event_seq, last_hash, district, street, community, grid, "           \
      "reporter_phone_masked) VALUES "                                                             \
      "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "    \
      "?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, " \
      "?38, ?39, ?40, ?43)")                                                                       \
    /* Only what the workflow can change: the report's own fields (number, area and its            \
     * level columns, category, channel, place, reporter, time) are fixed, so the listing          \
     * indexes built on them are not rewritten by every action. */                                 \
    X(UPDATE,                                                                                      \
      "UPDATE cases SET urgency = ?5, "                                                            \
      "status = ?6, state_before_suspend = ?7, queue_level = ?8, department = ?9, "                \
      "outcome = ?18, "                                                                            \
      "outcome_reason = ?19, rating = ?20, supervision = ?21, overdue_stage = ?22, "               \
      "has_pending_extension = ?23, extension_days = ?24, reopen_count = ?25, merged_into = ?26, " \
      "step = ?27, step_started_ms = ?28, due_ms = ?29, resolve_due_ms = ?30, sweep_at_ms = ?31, " \
      "updated_ms = ?33, closed_ms = ?34, event_seq = ?35, last_hash = ?36 "                       \
      "WHERE id = ?41 AND event_seq = ?42")                                                        \
    X(EXISTS, "SELECT event_seq FROM cases WHERE id = ?1")                                         \
    X(SET_HEAD,                                                                                    \
      "UPDATE cases SET event_seq = ?2, last_hash = ?3 WHERE id = ?1 AND event_seq = ?4")          \
    X(FTS_UPTO, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'cases_fts_upto'")            \
    X(FTS_ADD, "INSERT INTO cases_fts(rowid, description, address) "                               \
               "SELECT id, description, address FROM cases WHERE id > ?1 ORDER BY id")             \
    X(FTS_SET_UPTO, "UPDATE meta SET value = (SELECT coalesce(max(id), 0) FROM cases) "            \
                    "WHERE key = 'cases_fts_upto'")                                                \
    X(GET, "SELECT " CASE_COLS " FROM cases WHERE id = ?1")                                        \
    X(GET_BY_NUMBER, "SELECT " CASE_COLS " FROM cases WHERE number = ?1")                          \
    X(SERIAL, "INSERT INTO case_serials(district, day, last) VALUES (?1, ?2, 1) "                  \
              "ON CONFLICT(district, day) DO UPDATE SET last = last + 1 RETURNING last")           \
    X(DUE, "SELECT " CASE_COLS " FROM cases WHERE sweep_at_ms > 0 AND sweep_at_ms <= ?1 "          \
           "AND (sweep_at_ms > ?2 OR (sweep_at_ms = ?2 AND id > ?3)) "                             \
           "ORDER BY sweep_at_ms, id LIMIT ?4")                                                    \
    /* One statement, no temporary B-tree: each of the nine cells is its own seek of               \
     * cases_near_point (an IN list would be a temporary B-tree of its values), which carries      \
     * the point, status and id in (created_ms, id) order, so the nine ranges are merged in        \
     * order (co-routines) and cut at the limit; only the rows returned are read, for what the     \
     * answer shows (CROSS JOIN keeps the merge a co-routine instead of a materialized table). */  \
    X(NEARBY, "SELECT n.id, n.created_ms, n.status, c.number, c.area_code, c.department, "         \
              "c.reporter_user_id, c.description FROM (" SQ_NEAR_ARMS " ORDER BY 2 DESC, 1 DESC "  \
              "LIMIT ?7) AS n CROSS JOIN cases c ON c.id = n.id")                                  \
    X(COUNT_BY_STATUS, "SELECT status, count(*) FROM cases WHERE area_code >= ?1 "                 \
                       "AND area_code < ?1 || ':' GROUP BY status ORDER BY status")                \
    X(EVENT_APPEND, "INSERT INTO case_events(" EVENT_COLS ") "                                     \
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)")                       \
    X(EVENTS, "SELECT " EVENT_COLS " FROM case_events WHERE case_id = ?1 ORDER BY seq")            \
    X(ATTACHMENT_PUT, "INSERT INTO attachments(hash, mime, size, created_ms, data) "               \
                      "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT(hash) DO NOTHING")                  \
    X(ATTACHMENT_GET, "SELECT hash, mime, size, created_ms, CASE WHEN ?2 THEN data END "           \
                      "FROM attachments WHERE hash = ?1")                                          \
    X(CASE_ATTACHMENT_ADD, "INSERT INTO case_attachments(case_id, hash, added_ms) "                \
                           "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING")                           \
    X(CASE_ATTACHMENTS, "SELECT hash FROM case_attachments WHERE case_id = ?1 "                    \
                        "ORDER BY added_ms, hash")                                                 \
    X(OUTBOX_INSERT, "INSERT INTO outbox(idempotency_key, topic, payload, created_ms, "            \
                     "next_attempt_ms) VALUES (?1, ?2, ?3, ?4, ?5)")                               \
    X(OUTBOX_DUE, "SELECT id, idempotency_key, topic, payload, attempts, created_ms, "             \
                  "next_attempt_ms, delivered_ms, last_error FROM outbox "                         \
                  "WHERE delivered_ms = 0 AND next_attempt_ms <= ?1 "                              \
                  "ORDER BY next_attempt_ms, id LIMIT ?2")                                         \
    X(OUTBOX_DELIVERED, "UPDATE outbox SET delivered_ms = ?2, attempts = attempts + 1 "            \
                        "WHERE id = ?1")                                                           \
    X(OUTBOX_FAILED, "UPDATE outbox SET attempts = ?2, next_attempt_ms = ?3, last_error = ?4 "     \
                     "WHERE id = ?1")                                                              \
    X(OUTBOX_BACKLOG, "SELECT count(*) FROM outbox WHERE delivered_ms = 0")                        \
    X(OUTBOX_MARK_ALL, "UPDATE outbox SET delivered_ms = ?1 WHERE delivered_ms = 0")

enum case_stmt_id {
#define CASE_STMT_ENUM(name, sql) CSTMT_##name,
    CASE_STMT_MAP(CASE_STMT_ENUM)
#undef CASE_STMT_ENUM
        CSTMT_COUNT
};

_Static_assert(CSTMT_COUNT <= SQ_EXTRA_STMTS, "raise SQ_EXTRA_STMTS");

static const char *const case_stmt_sql[CSTMT_COUNT] = {
#define CASE_STMT_SQL(name, sql) sql,
    CASE_STMT_MAP(CASE_STMT_SQL)
#undef CASE_STMT_SQL
};

static sqlite3_stmt *cstmt(struct sqlite_store *s, enum case_stmt_id id)
{
    return sq_prepare_slot(s, &s->extra_stmts[id], case_stmt_sql[id]);
}

/* ---- records ---------------------------------------------------------------------------- */

/* Bind every column but id, in the order of INSERT's ?1..?40. */
static void bind_case(sqlite3_stmt *stmt, const struct case_rec *c)
{
    char district[7] = "", street[10] = "", community[13] = "", grid[16] = "";
    size_t len = strlen(c->area_code);
    if (len >= 6)
        memcpy(district, c->area_code, 6);
    if (len >= 9)
        memcpy(street, c->area_code, 9);
    if (len >= 12)
        memcpy(community, c->area_code, 12);
    if (len >= 15)
        memcpy(grid, c->area_code, 15);

    bind_text(stmt, 1, c->number);
    bind_text(stmt, 2, c->area_code);
    bind_text(stmt, 3, c->category);
    bind_text(stmt, 4, c->channel);
    bind_text(stmt, 5, c->urgency);
    bind_text(stmt, 6, c->status);
    bind_text(stmt, 7, c->state_before_suspend);
    sqlite3_bind_int(stmt, 8, c->queue_level);
    bind_text(stmt, 9, c->department);
    bind_text(stmt, 10, c->description ? c->description : "");
    bind_text(stmt, 11, c->address);
    if (c->has_location) {
        sqlite3_bind_double(stmt, 12, c->lon);
        sqlite3_bind_double(stmt, 13, c->lat);
    }
    sqlite3_bind_int64(stmt, 14, c->reporter_user_id);
    bind_text(stmt, 15, c->reporter_name);
    bind_text(stmt, 16, c->reporter_phone);
    sqlite3_bind_int(stmt, 17, c->is_anonymous);
    bind_text(stmt, 18, c->outcome);
    bind_text(stmt, 19, c->outcome_reason);
    sqlite3_bind_int(stmt, 20, c->rating);
    bind_text(stmt, 21, c->supervision);
    sqlite3_bind_int(stmt, 22, c->overdue_stage);
    sqlite3_bind_int(stmt, 23, c->has_pending_extension);
    sqlite3_bind_int(stmt, 24, c->extension_days);
    sqlite3_bind_int(stmt, 25, c->reopen_count);
    bind_text(stmt, 26, c->merged_into);
    bind_text(stmt, 27, c->step);
    sqlite3_bind_int64(stmt, 28, c->step_started_ms);
    sqlite3_bind_int64(stmt, 29, c->due_ms);
    sqlite3_bind_int64(stmt, 30, c->resolve_due_ms);
    sqlite3_bind_int64(stmt, 31, c->sweep_at_ms);
    sqlite3_bind_int64(stmt, 32, c->created_ms);
    sqlite3_bind_int64(stmt, 33, c->updated_ms);
    sqlite3_bind_int64(stmt, 34, c->closed_ms);
    sqlite3_bind_int64(stmt, 35, c->event_seq);
    bind_text(stmt, 36, c->last_hash);
    sqlite3_bind_text(stmt, 37, district, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 38, street, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 39, community, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 40, grid, -1, SQLITE_TRANSIENT);
    /* ?41 and ?42 are UPDATE's id and expected sequence; UPDATE has no ?43 (fixed field). */
    if (sqlite3_bind_parameter_count(stmt) >= 43)
        bind_text(stmt, 43, c->reporter_phone_masked);
}

static void read_case(sqlite3_stmt *stmt, struct case_rec *c)
{
    const unsigned char *d;
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, c->number, sizeof(c->number));
    copy_col(stmt, 2, c->area_code, sizeof(c->area_code));
    copy_col(stmt, 3, c->category, sizeof(c->category));
    copy_col(stmt, 4, c->channel, sizeof(c->channel));
    copy_col(stmt, 5, c->urgency, sizeof(c->urgency));
    copy_col(stmt, 6, c->status, sizeof(c->status));
    copy_col(stmt, 7, c->state_before_suspend, sizeof(c->state_before_suspend));
    c->queue_level = sqlite3_column_int(stmt, 8);
    copy_col(stmt, 9, c->department, sizeof(c->department));
    d = sqlite3_column_text(stmt, 10);
    c->description = xstrdup(d ? (const char *)d : "");
    copy_col(stmt, 11, c->address, sizeof(c->address));
    c->has_location = sqlite3_column_type(stmt, 12) != SQLITE_NULL;
    c->lon = sqlite3_column_double(stmt, 12);
    c->lat = sqlite3_column_double(stmt, 13);
    c->reporter_user_id = sqlite3_column_int64(stmt, 14);
    copy_col(stmt, 15, c->reporter_name, sizeof(c->reporter_name));
    copy_col(stmt, 16, c->reporter_phone, sizeof(c->reporter_phone));
    c->is_anonymous = sqlite3_column_int(stmt, 17);
    copy_col(stmt, 18, c->outcome, sizeof(c->outcome));
    copy_col(stmt, 19, c->outcome_reason, sizeof(c->outcome_reason));
    c->rating = sqlite3_column_int(stmt, 20);
    copy_col(stmt, 21, c->supervision, sizeof(c->supervision));
    c->overdue_stage = sqlite3_column_int(stmt, 22);
    c->has_pending_extension = sqlite3_column_int(stmt, 23);
    c->extension_days = sqlite3_column_int(stmt, 24);
    c->reopen_count = sqlite3_column_int(stmt, 25);
    copy_col(stmt, 26, c->merged_into, sizeof(c->merged_into));
    copy_col(stmt, 27, c->step, sizeof(c->step));
    c->step_started_ms = sqlite3_column_int64(stmt, 28);
    c->due_ms = sqlite3_column_int64(stmt, 29);
    c->resolve_due_ms = sqlite3_column_int64(stmt, 30);
    c->sweep_at_ms = sqlite3_column_int64(stmt, 31);
    c->created_ms = sqlite3_column_int64(stmt, 32);
    c->updated_ms = sqlite3_column_int64(stmt, 33);
    c->closed_ms = sqlite3_column_int64(stmt, 34);
    c->event_seq = sqlite3_column_int64(stmt, 35);
    copy_col(stmt, 36, c->last_hash, sizeof(c->last_hash));
    copy_col(stmt, 37, c->reporter_phone_masked, sizeof(c->reporter_phone_masked));
}

/* Step stmt to the end, appending each row to out. */
static int read_case_rows(struct sqlite_store *s, sqlite3_stmt *stmt, struct case_list *out,
                          const char *what)
{
    size_t cap = 0;
    int rc;
    out->items = NULL;
    out->len = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        read_case(stmt, &out->items[out->len++]);
    }
    if (rc != SQLITE_DONE) {
        case_list_cleanup(out);
        return sq_fail(s, what);
    }
    return 0;
}

/* ---- cases ------------------------------------------------------------------------------ */

int sq_case_insert(struct store *st, struct case_rec *c)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_INSERT);
    int rc;
    if (stmt == NULL)
        return ERR_DB;
    bind_case(stmt, c);
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_DONE) {
        int r = (rc & 0xff) == SQLITE_CONSTRAINT ? ERR_EXISTS : sq_fail(s, "case insert");
        sqlite3_reset(stmt);
        return r;
    }
    sqlite3_reset(stmt);
    c->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_case_update(struct store *st, const struct case_rec *c, int64_t expected_seq)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_UPDATE);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_case(stmt, c);
    sqlite3_bind_int64(stmt, 41, c->id);
    sqlite3_bind_int64(stmt, 42, expected_seq);
    if ((r = sq_exec_done(s, stmt, "case update")) != 0)
        return r;
    if (sqlite3_changes(s->db) == 1)
        return 0;
    /* Nothing changed: either the case is gone or someone else moved it on. */
    stmt = cstmt(s, CSTMT_EXISTS);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, c->id);
    r = sqlite3_step(stmt) == SQLITE_ROW ? ERR_CONFLICT : ERR_NOT_FOUND;
    sqlite3_reset(stmt);
    return r;
}

int sq_case_set_head(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                     int64_t expected_seq)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_SET_HEAD);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, event_seq);
    bind_text(stmt, 3, last_hash);
    sqlite3_bind_int64(stmt, 4, expected_seq);
    if ((r = sq_exec_done(s, stmt, "case set head")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_CONFLICT;
}

int sq_cases_fts_sync(struct sqlite_store *s)
{
    sqlite3_stmt *stmt = cstmt(s, CSTMT_FTS_UPTO);
    int64_t upto = 0;
    int r;
    if (stmt == NULL)
        return ERR_DB;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        upto = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    if ((stmt = cstmt(s, CSTMT_FTS_ADD)) == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, upto);
    if ((r = sq_exec_done(s, stmt, "text index")) != 0)
        return r;
    if (sqlite3_changes(s->db) == 0)
        return 0;
    if ((stmt = cstmt(s, CSTMT_FTS_SET_UPTO)) == NULL)
        return ERR_DB;
    return sq_exec_done(s, stmt, "text index mark");
}

static int get_one_case(struct sqlite_store *s, sqlite3_stmt *stmt, struct case_rec *out)
{
    int rc = sqlite3_step(stmt);
    int r = 0;
    if (rc == SQLITE_ROW)
        read_case(stmt, out);
    else if (rc == SQLITE_DONE)
        r = ERR_NOT_FOUND;
    else
        r = sq_fail(s, "case get");
    sqlite3_reset(stmt);
    return r;
}

int sq_case_get(struct store *st, int64_t id, struct case_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_GET);
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    return get_one_case(s, stmt, out);
}

int sq_case_get_by_number(struct store *st, const char *number, struct case_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_GET_BY_NUMBER);
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, number);
    return get_one_case(s, stmt, out);
}

/*
 * The listing's SQL, assembled from fixed fragments (see the comment at the top). Parameters
 * are numbered by purpose so each fragment knows its own: ?1 area, ?2 category prefix,
 * ?3 channel, ?4 department, ?5 reporter, ?6 now, ?7 from, ?8 to, ?9 query, ?10 before
 * created, ?11 before id, ?12 limit, ?20.. statuses.
 */
static const char *area_column(size_t len)
{
    switch (len) {
    case 6:
        return "district";
    case 9:
        return "street";
    case 12:
        return "community";
    case 15:
        return "grid";
    default:
        return NULL;
    }
}

/*
 * A status filter is served from the status index (cases_status_time, migration 17) when the
 * statuses asked for hold fewer than this many cases in all: reading every such entry (the
 * index carries the area code, so the area is tested without the row) is then cheaper than
 * walking the area's history by time for a status it rarely holds — a street's few cases to
 * verify among its years of closed ones. A common status is found quickly along the area's
 * time index instead, and kept off the status index there.
 */
#define STATUS_INDEX_MAX 5000

/* Append "?first, ?first+1, ..." (n parameters) to sql: an IN list of bound values. */
static void append_params(struct buf *sql, int first, int n)
{
    for (int i = 0; i < n; i++)
        buf_printf(sql, "%s?%d", i ? ", " : "", first + i);
}

/* Whether the n statuses hold fewer than STATUS_INDEX_MAX cases (a count that stops there). */
static int statuses_are_uncommon(struct sqlite_store *s, const char *const *statuses, int n,
                                 int *out)
{
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    int r = 0;
    *out = 0;
    buf_init(&sql, 512);
    buf_append_str(&sql, "SELECT count(*) FROM (SELECT 1 FROM cases INDEXED BY cases_status_time "
                         "WHERE status IN (");
    append_params(&sql, 1, n);
    buf_printf(&sql, ") LIMIT %d)", STATUS_INDEX_MAX);
    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare status count");
        goto out;
    }
    for (int i = 0; i < n; i++)
        bind_text(stmt, i + 1, statuses[i]);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0) < STATUS_INDEX_MAX;
    else
        r = sq_fail(s, "status count");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

int sq_case_list(struct store *st, const struct case_filter *f, struct case_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct buf sql;
    char fts[CASE_TEXT_MAX + 8];
    int n_status = 0, by_status = 0, r;

    out->items = NULL;
    out->len = 0;
    for (n_status = 0; n_status < 16 && f->statuses[n_status]; n_status++)
        ;
    /* The status index is the better walk only when nothing more selective drives the plan
     * (a text query, a reporter, a department) and the statuses are uncommon. */
    if (n_status > 0 && !(f->query && f->query[0]) && !f->reporter_user_id &&
        !(f->department && f->department[0]) &&
        (r = statuses_are_uncommon(s, f->statuses, n_status, &by_status)) != 0)
        return r;
    buf_init(&sql, 8192);
    buf_append_str(&sql, by_status ? "SELECT " CASE_COLS
                                     " FROM cases INDEXED BY cases_status_time WHERE 1"
                                   : "SELECT " CASE_COLS " FROM cases WHERE 1");
    if (f->area && f->area[0] && by_status) {
        /* the index's own column: tested on the entry, before the row is read */
        buf_append_str(&sql, " AND area_code >= ?1 AND area_code < ?1 || ':'");
    } else if (f->area && f->area[0]) {
        const char *col = area_column(strlen(f->area));
        if (strlen(f->area) == 18) /* a cell: its grid's index range, then the cell */
            buf_append_str(&sql, " AND grid = substr(?1, 1, 15) AND area_code = ?1");
        else if (col != NULL)
            buf_printf(&sql, " AND %s = ?1", col);
        else /* province or city: a code range */
            buf_append_str(&sql, " AND area_code >= ?1 AND area_code < ?1 || ':'");
    }
    if (f->category && f->category[0])
        buf_append_str(&sql, " AND category >= ?2 AND category < ?2 || ':'");
    if (f->channel && f->channel[0])
        buf_append_str(&sql, " AND channel = ?3");
    if (f->department && f->department[0])
        buf_append_str(&sql, " AND department = ?4");
    if (f->reporter_user_id)
        buf_append_str(&sql, " AND reporter_user_id = ?5");
    if (f->is_overdue)
        buf_append_str(&sql, " AND due_ms > 0 AND due_ms < ?6");
    if (f->is_supervised)
        buf_append_str(&sql, " AND supervision NOT IN ('', 'none')");
    if (f->from_ms)
        buf_append_str(&sql, " AND created_ms >= ?7");
    if (f->to_ms)
        buf_append_str(&sql, " AND created_ms < ?8");
    /* The trigram index answers queries of 3+ characters; shorter ones (a 2-character
     * Chinese word such as 垃圾 is common) scan the rows the other conditions select. */
    int is_short_query = f->query && f->query[0] && sq_utf8_chars(f->query) < 3;
    if (f->query && f->query[0] && !is_short_query)
        buf_append_str(&sql, " AND id IN (SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?9)");
    else if (is_short_query)
        buf_append_str(&sql, " AND (instr(description, ?9) > 0 OR instr(address, ?9) > 0)");
    if (n_status > 0) {
        /* "+status": a common status must not lead the plan onto the status index */
        buf_append_str(&sql, by_status ? " AND status IN (" : " AND +status IN (");
        append_params(&sql, 20, n_status);
        buf_append_str(&sql, ")");
    }
    if (f->before_created_ms || f->before_id)
        buf_append_str(&sql, " AND (created_ms < ?10 OR (created_ms = ?10 AND id < ?11))");
    buf_append_str(&sql, " ORDER BY created_ms DESC, id DESC LIMIT ?12");

    if (sqlite3_prepare_v2(s->db, sql.data, -1, &stmt, NULL) != SQLITE_OK) {
        r = sq_fail(s, "prepare case list");
        goto out;
    }
    if (f->area && f->area[0])
        bind_text(stmt, 1, f->area);
    if (f->category && f->category[0])
        bind_text(stmt, 2, f->category);
    if (f->channel && f->channel[0])
        bind_text(stmt, 3, f->channel);
    if (f->department && f->department[0])
        bind_text(stmt, 4, f->department);
    sqlite3_bind_int64(stmt, 5, f->reporter_user_id);
    sqlite3_bind_int64(stmt, 6, f->now_ms);
    sqlite3_bind_int64(stmt, 7, f->from_ms);
    sqlite3_bind_int64(stmt, 8, f->to_ms);
    if (is_short_query) {
        bind_text(stmt, 9, f->query);
    } else if (f->query && f->query[0]) {
        sq_fts_phrase(f->query, fts, sizeof(fts));
        bind_text(stmt, 9, fts);
    }
    sqlite3_bind_int64(stmt, 10, f->before_created_ms);
    sqlite3_bind_int64(stmt, 11, f->before_id);
    sqlite3_bind_int(stmt, 12, f->limit > 0 && f->limit <= 1000 ? f->limit : 50);
    for (int i = 0; i < n_status; i++)
        bind_text(stmt, 20 + i, f->statuses[i]);
    r = read_case_rows(s, stmt, out, "case list");
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

int sq_case_next_serial(struct store *st, const char *district, const char *day, int64_t *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_SERIAL);
    int r = 0;
    *out = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, district);
    bind_text(stmt, 2, day);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "case serial");
    sqlite3_reset(stmt);
    return r;
}

int sq_case_due(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                struct case_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_DUE);
    int r;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, now_ms);
    sqlite3_bind_int64(stmt, 2, after_ms);
    sqlite3_bind_int64(stmt, 3, after_id);
    sqlite3_bind_int(stmt, 4, limit);
    r = read_case_rows(s, stmt, out, "case due");
    sqlite3_reset(stmt);
    return r;
}

/* Newest first; the same created_ms by id, descending. */
static int near_newer_first(const void *a, const void *b)
{
    const struct case_near *x = a, *y = b;
    if (x->created_ms != y->created_ms)
        return x->created_ms < y->created_ms ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

int sq_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                   int64_t since_ms, int limit, struct case_near_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    int64_t cells[9];
    size_t cap = 0;
    int r, rc;
    out->items = NULL;
    out->len = 0;
    if ((r = store_near_cells(lon, lat, delta, cells)) != 0)
        return r;
    if (limit <= 0)
        return 0;
    if ((stmt = cstmt(s, CSTMT_NEARBY)) == NULL)
        return ERR_DB;
    for (int i = 0; i < 9; i++)
        sqlite3_bind_int64(stmt, 8 + i, cells[i]);
    bind_text(stmt, 1, category);
    sqlite3_bind_int64(stmt, 2, since_ms);
    sqlite3_bind_double(stmt, 3, lon - delta);
    sqlite3_bind_double(stmt, 4, lon + delta);
    sqlite3_bind_double(stmt, 5, lat - delta);
    sqlite3_bind_double(stmt, 6, lat + delta);
    sqlite3_bind_int(stmt, 7, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct case_near *c;
        const unsigned char *d;
        if (out->len == cap) {
            cap = cap ? cap * 2 : 8;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        c = &out->items[out->len++];
        memset(c, 0, sizeof(*c));
        c->id = sqlite3_column_int64(stmt, 0);
        c->created_ms = sqlite3_column_int64(stmt, 1);
        copy_col(stmt, 2, c->status, sizeof(c->status));
        copy_col(stmt, 3, c->number, sizeof(c->number));
        copy_col(stmt, 4, c->area_code, sizeof(c->area_code));
        copy_col(stmt, 5, c->department, sizeof(c->department));
        c->reporter_user_id = sqlite3_column_int64(stmt, 6);
        d = sqlite3_column_text(stmt, 7);
        c->description = xstrdup(d ? (const char *)d : "");
    }
    r = rc == SQLITE_DONE ? 0 : sq_fail(s, "case nearby");
    sqlite3_reset(stmt);
    if (r != 0) {
        case_near_list_cleanup(out);
        return r;
    }
    /* The merge gives them in this order already; the outer loop of the join is not an ORDER
     * BY, so the contract's order is made sure of here (at most limit rows). */
    if (out->len > 1)
        qsort(out->items, out->len, sizeof(*out->items), near_newer_first);
    return 0;
}

int sq_case_count_by_status(struct store *st, const char *area, store_count_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_COUNT_BY_STATUS);
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, area);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char key[32];
        copy_col(stmt, 0, key, sizeof(key));
        if ((r = fn(ctx, key, sqlite3_column_int64(stmt, 1))) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "case count");
    sqlite3_reset(stmt);
    return r;
}

/* ---- events ----------------------------------------------------------------------------- */

int sq_case_event_append(struct store *st, const struct case_event *e)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_EVENT_APPEND);
    int rc;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, e->case_id);
    sqlite3_bind_int64(stmt, 2, e->seq);
    sqlite3_bind_int64(stmt, 3, e->at_ms);
    sqlite3_bind_int64(stmt, 4, e->actor_user_id);
    bind_text(stmt, 5, e->actor_role);
    bind_text(stmt, 6, e->action);
    bind_text(stmt, 7, e->from_state);
    bind_text(stmt, 8, e->to_state);
    bind_text(stmt, 9, e->payload ? e->payload : "{}");
    bind_text(stmt, 10, e->prev_hash);
    bind_text(stmt, 11, e->hash);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ERR_CONFLICT;
    return sq_fail(s, "event append");
}

static void read_event(sqlite3_stmt *stmt, struct case_event *e)
{
    const unsigned char *p;
    memset(e, 0, sizeof(*e));
    e->case_id = sqlite3_column_int64(stmt, 0);
    e->seq = sqlite3_column_int64(stmt, 1);
    e->at_ms = sqlite3_column_int64(stmt, 2);
    e->actor_user_id = sqlite3_column_int64(stmt, 3);
    copy_col(stmt, 4, e->actor_role, sizeof(e->actor_role));
    copy_col(stmt, 5, e->action, sizeof(e->action));
    copy_col(stmt, 6, e->from_state, sizeof(e->from_state));
    copy_col(stmt, 7, e->to_state, sizeof(e->to_state));
    p = sqlite3_column_text(stmt, 8);
    e->payload = xstrdup(p ? (const char *)p : "{}");
    copy_col(stmt, 9, e->prev_hash, sizeof(e->prev_hash));
    copy_col(stmt, 10, e->hash, sizeof(e->hash));
}

int sq_case_events(struct store *st, int64_t case_id, struct case_event_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_EVENTS);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, case_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (out->len == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        read_event(stmt, &out->items[out->len++]);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "events");
        case_event_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_case_event_walk(struct store *st, store_event_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    struct case_event e;
    int rc, r = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT " EVENT_COLS " FROM case_events ORDER BY case_id, seq",
                           -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare event walk");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        read_event(stmt, &e);
        r = fn(ctx, &e);
        case_event_cleanup(&e);
        if (r != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "event walk");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- attachments ------------------------------------------------------------------------ */

int sq_attachment_put(struct store *st, const struct attachment *a)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_ATTACHMENT_PUT);
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, a->hash);
    bind_text(stmt, 2, a->mime);
    sqlite3_bind_int64(stmt, 3, a->size);
    sqlite3_bind_int64(stmt, 4, a->created_ms);
    sqlite3_bind_blob64(stmt, 5, a->data, (sqlite3_uint64)a->size, SQLITE_STATIC);
    return sq_exec_done(s, stmt, "attachment put");
}

int sq_attachment_get(struct store *st, const char *hash, int with_data, struct attachment *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_ATTACHMENT_GET);
    int rc, r = 0;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, hash);
    sqlite3_bind_int(stmt, 2, with_data != 0);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        copy_col(stmt, 0, out->hash, sizeof(out->hash));
        copy_col(stmt, 1, out->mime, sizeof(out->mime));
        out->size = sqlite3_column_int64(stmt, 2);
        out->created_ms = sqlite3_column_int64(stmt, 3);
        if (with_data) {
            const void *blob = sqlite3_column_blob(stmt, 4);
            int n = sqlite3_column_bytes(stmt, 4);
            out->data = xmalloc((size_t)n + 1);
            if (n > 0)
                memcpy(out->data, blob, (size_t)n);
            out->size = n;
        }
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "attachment get");
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_case_attachment_add(struct store *st, int64_t case_id, const char *hash)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_CASE_ATTACHMENT_ADD);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, case_id);
    bind_text(stmt, 2, hash);
    sqlite3_bind_int64(stmt, 3, time_now_ms());
    return sq_exec_done(s, stmt, "case attachment add");
}

int sq_case_attachments(struct store *st, int64_t case_id, store_count_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_CASE_ATTACHMENTS);
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, case_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char hash[65];
        copy_col(stmt, 0, hash, sizeof(hash));
        if ((r = fn(ctx, hash, 0)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "case attachments");
    sqlite3_reset(stmt);
    return r;
}

/* ---- outbox ----------------------------------------------------------------------------- */

int sq_outbox_insert(struct store *st, const struct outbox_msg *m)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_OUTBOX_INSERT);
    int rc;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, m->idempotency_key);
    bind_text(stmt, 2, m->topic);
    bind_text(stmt, 3, m->payload ? m->payload : "{}");
    sqlite3_bind_int64(stmt, 4, m->created_ms);
    sqlite3_bind_int64(stmt, 5, m->next_attempt_ms);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE)
        return 0;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return ERR_EXISTS;
    return sq_fail(s, "outbox insert");
}

int sq_outbox_due(struct store *st, int64_t now_ms, int limit, struct outbox_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_OUTBOX_DUE);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, now_ms);
    sqlite3_bind_int(stmt, 2, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct outbox_msg *m;
        const unsigned char *p;
        if (out->len == cap) {
            cap = cap ? cap * 2 : 16;
            out->items = xreallocarray(out->items, cap, sizeof(*out->items));
        }
        m = &out->items[out->len++];
        memset(m, 0, sizeof(*m));
        m->id = sqlite3_column_int64(stmt, 0);
        copy_col(stmt, 1, m->idempotency_key, sizeof(m->idempotency_key));
        copy_col(stmt, 2, m->topic, sizeof(m->topic));
        p = sqlite3_column_text(stmt, 3);
        m->payload = xstrdup(p ? (const char *)p : "{}");
        m->attempts = sqlite3_column_int(stmt, 4);
        m->created_ms = sqlite3_column_int64(stmt, 5);
        m->next_attempt_ms = sqlite3_column_int64(stmt, 6);
        m->delivered_ms = sqlite3_column_int64(stmt, 7);
        copy_col(stmt, 8, m->last_error, sizeof(m->last_error));
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "outbox due");
        outbox_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_outbox_delivered(struct store *st, int64_t id, int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_OUTBOX_DELIVERED);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int64(stmt, 2, now_ms);
    return sq_exec_done(s, stmt, "outbox delivered");
}

int sq_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                     const char *error)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_OUTBOX_FAILED);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    sqlite3_bind_int(stmt, 2, attempts);
    sqlite3_bind_int64(stmt, 3, next_attempt_ms);
    bind_text(stmt, 4, error ? error : "");
    return sq_exec_done(s, stmt, "outbox failed");
}

int sq_outbox_backlog(struct store *st, int64_t *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_OUTBOX_BACKLOG);
    int r = 0;
    *out = 0;
    if (stmt == NULL)
        return ERR_DB;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "outbox backlog");
    sqlite3_reset(stmt);
    return r;
}

int sq_outbox_mark_all_delivered(struct store *st, int64_t now_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = cstmt(s, CSTMT_OUTBOX_MARK_ALL);
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, now_ms);
    return sq_exec_done(s, stmt, "outbox mark all delivered");
}
