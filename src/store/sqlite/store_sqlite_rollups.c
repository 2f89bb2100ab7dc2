/*
 * store_sqlite_rollups.c - the indicator roll-ups on SQLite (see store.h for the contracts,
 * docs/INDICATORS.md for what the counters mean).
 *
 * Table (migrations.c, version 3): rollups(level, area, day, category, <one column per counter
 * of base/rollup_fields.h>, hist) WITHOUT ROWID with the key first, so "area A (of level L),
 * days D1..D2" and "the children of A" are each one range of the primary key. rollups_check
 * has the same shape and only ever holds a recount being verified.
 *
 * The handling-time histogram is one blob per cell, sparse: for each non-empty bucket in
 * ascending order, one byte (the bucket) and eight (its count, little-endian two's
 * complement); NULL when every bucket is 0, so equal histograms are equal blobs (verify
 * compares rows with EXCEPT). Two SQL functions registered on the connection do the
 * arithmetic: gridgov_hist_add(a, b) for the upsert and the aggregate gridgov_hist_sum(h) for
 * the sums. One row per cell keeps both the upsert and a year's sum small: a separate row per
 * bucket made a city-year sum read ~20 times more rows. (PostgreSQL: an int8[] column with the
 * same two functions, or array arithmetic.)
 *
 * The statements' text is built from the counter list (never from input: every value is
 * bound) the first time a connection needs it, then stays prepared in the connection's
 * rollup_stmts slots. The per-event cost on the case-intake path is one upsert per cell
 * (store_rollup_add). Threading: one connection per thread, like the rest of the store.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/log.h"
#include "base/xalloc.h"

#include <stdint.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const field_cols[ROLLUP_FIELD_COUNT] = {
#define FIELD_COL(name) #name,
    ROLLUP_FIELD_MAP(FIELD_COL)
#undef FIELD_COL
};

enum rollup_stmt_id {
    RSTMT_ADD,       /* + table: ADD for LIVE, ADD + 1 for CHECK */
    RSTMT_ADD_CHECK, /* (kept adjacent) */
    RSTMT_SUM,       /* + enum rollup_group */
    RSTMT_SUM_LAST = RSTMT_SUM + 3,
    RSTMT_DAY_COUNTS,       /* + by_class: the day cells of one area */
    RSTMT_DAY_COUNTS_CLASS, /* (kept adjacent) */
    RSTMT_COUNT
};

_Static_assert(RSTMT_COUNT <= SQ_ROLLUP_STMTS, "raise SQ_ROLLUP_STMTS");

#define SQL_MAX 8192

/* Append text to a statement being built; the buffers are sized for the longest statement. */
static void sql_add(char *sql, size_t *len, const char *text)
{
    size_t n = strlen(text);
    if (*len + n + 1 > SQL_MAX) {
        log_error("store", "roll-up statement text exceeds %d bytes", SQL_MAX);
        abort(); /* a programmer error: the counter list outgrew SQL_MAX */
    }
    memcpy(sql + *len, text, n + 1);
    *len += n;
}

/* ---- the histogram blob ---------------------------------------------------------------- */

#define HIST_PAIR 9 /* bytes per non-empty bucket: bucket, then int64 little-endian */

/* Decode blob (n bytes; NULL = empty) into hist, adding. Malformed pairs are ignored. */
static void hist_decode_add(const unsigned char *blob, int n, int64_t hist[ROLLUP_HIST_BUCKETS])
{
    for (int at = 0; blob != NULL && at + HIST_PAIR <= n; at += HIST_PAIR) {
        uint64_t v = 0;
        int k = blob[at];
        for (int i = 0; i < 8; i++)
            v |= (uint64_t)blob[at + 1 + i] << (8 * i);
        if (k < ROLLUP_HIST_BUCKETS)
            hist[k] += (int64_t)v;
    }
}

/* Encode hist into out (at least ROLLUP_HIST_BUCKETS * HIST_PAIR bytes); the length, 0 when
 * every bucket is 0. */
static int hist_encode(const int64_t hist[ROLLUP_HIST_BUCKETS], unsigned char *out)
{
    int n = 0;
    for (int k = 0; k < ROLLUP_HIST_BUCKETS; k++) {
        uint64_t v = (uint64_t)hist[k];
        if (hist[k] == 0)
            continue;
        out[n++] = (unsigned char)k;
        for (int i = 0; i < 8; i++)
            out[n++] = (unsigned char)(v >> (8 * i));
    }
    return n;
}

static void hist_result(sqlite3_context *ctx, const int64_t hist[ROLLUP_HIST_BUCKETS])
{
    unsigned char out[ROLLUP_HIST_BUCKETS * HIST_PAIR];
    int n = hist_encode(hist, out);
    if (n == 0)
        sqlite3_result_null(ctx);
    else
        sqlite3_result_blob(ctx, out, n, SQLITE_TRANSIENT);
}

static void hist_decode_value(sqlite3_value *v, int64_t hist[ROLLUP_HIST_BUCKETS])
{
    if (sqlite3_value_type(v) == SQLITE_BLOB)
        hist_decode_add(sqlite3_value_blob(v), sqlite3_value_bytes(v), hist);
}

/* gridgov_hist_add(a, b): the bucket-wise sum of two histogram blobs. */
static void fn_hist_add(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t hist[ROLLUP_HIST_BUCKETS] = {0};
    for (int i = 0; i < argc; i++)
        hist_decode_value(argv[i], hist);
    hist_result(ctx, hist);
}

/* gridgov_hist_sum(h): aggregate sum of histogram blobs. */
static void fn_hist_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    int64_t *hist = sqlite3_aggregate_context(ctx, (int)(ROLLUP_HIST_BUCKETS * sizeof(int64_t)));
    (void)argc;
    if (hist != NULL)
        hist_decode_value(argv[0], hist);
}

static void fn_hist_sum_final(sqlite3_context *ctx)
{
    int64_t *hist = sqlite3_aggregate_context(ctx, 0);
    if (hist == NULL)
        sqlite3_result_null(ctx);
    else
        hist_result(ctx, hist);
}

/* Register the two functions on this connection, once. */
static int ensure_functions(struct sqlite_store *s)
{
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    if (s->has_rollup_functions)
        return 0;
    if (sqlite3_create_function_v2(s->db, "gridgov_hist_add", 2, flags, NULL, fn_hist_add, NULL,
                                   NULL, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(s->db, "gridgov_hist_sum", 1, flags, NULL, NULL,
                                   fn_hist_sum_step, fn_hist_sum_final, NULL) != SQLITE_OK)
        return sq_fail(s, "register histogram functions");
    s->has_rollup_functions = 1;
    return 0;
}

/* ---- statements ------------------------------------------------------------------------- */

static const char *table_name(enum rollup_table t)
{
    return t == ROLLUP_CHECK ? "rollups_check" : "rollups";
}

/* The upsert of one cell's counters: ?1 level, ?2 area, ?3 day, ?4 category, ?5.. counters. */
static void build_add(enum rollup_table t, char *sql)
{
    size_t len = 0;
    sql[0] = '\0';
    sql_add(sql, &len, "INSERT INTO ");
    sql_add(sql, &len, table_name(t));
    sql_add(sql, &len, "(level, area, day, category");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", ");
        sql_add(sql, &len, field_cols[i]);
    }
    sql_add(sql, &len, ", hist) VALUES (?1, ?2, ?3, ?4");
    for (int i = 0; i <= ROLLUP_FIELD_COUNT; i++) /* the counters, then hist */
        sql_add(sql, &len, ", ?");
    sql_add(sql, &len, ") ON CONFLICT(level, area, day, category) DO UPDATE SET ");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        char part[128];
        snprintf(part, sizeof(part), "%s = %s + excluded.%s, ", field_cols[i], field_cols[i],
                 field_cols[i]);
        sql_add(sql, &len, part);
    }
    sql_add(sql, &len,
            "hist = CASE WHEN excluded.hist IS NULL THEN hist "
            "ELSE gridgov_hist_add(hist, excluded.hist) END");
}

static const char *group_key(enum rollup_group g)
{
    switch (g) {
    case ROLLUP_BY_DAY:
        return "day";
    case ROLLUP_BY_CATEGORY:
        return "category";
    case ROLLUP_BY_CHILD:
        return "area";
    default:
        return "''";
    }
}

/* One area of one level: level and area are equalities, so the day range is a range of the
 * primary key and a year reads that year's cells only, however long the history. (Every code
 * of a level has the same length, so the area of its own level is the only code of its
 * subtree there.) */
#define SUM_WHERE                                                                                  \
    " WHERE level = ?1 AND area = ?2 AND day BETWEEN ?3 AND ?4 "                                   \
    "AND (?5 = '' OR (category >= ?5 AND category < ?5 || ':'))"

/* BY_CHILD walks the children one by one: the next child with any cell (one seek), then its
 * own sum with the BY_TOTAL statement; a GROUP BY over the subtree's range would read every
 * day of every child's history. ?1 child level, ?2 the previous child (first: the parent), ?3
 * the parent. */
#define NEXT_CHILD_SQL                                                                             \
    "SELECT area FROM rollups WHERE level = ?1 AND area > ?2 AND area < ?3 || ':' "                \
    "ORDER BY level, area LIMIT 1"

/* Sums of the counters: key, count(*), sum(counter)... (BY_CHILD: NEXT_CHILD_SQL) */
static void build_sum(enum rollup_group g, char *sql)
{
    size_t len = 0;
    sql[0] = '\0';
    if (g == ROLLUP_BY_CHILD) {
        sql_add(sql, &len, NEXT_CHILD_SQL);
        return;
    }
    sql_add(sql, &len, "SELECT ");
    sql_add(sql, &len, group_key(g));
    sql_add(sql, &len, ", count(*)");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", coalesce(sum(");
        sql_add(sql, &len, field_cols[i]);
        sql_add(sql, &len, "), 0)");
    }
    sql_add(sql, &len, ", gridgov_hist_sum(hist) FROM rollups" SUM_WHERE);
    if (g != ROLLUP_BY_TOTAL) {
        sql_add(sql, &len, " GROUP BY ");
        sql_add(sql, &len, group_key(g));
        sql_add(sql, &len, " ORDER BY ");
        sql_add(sql, &len, group_key(g));
    }
}

/* The cached statement of slot id, built by build() on first use. */
static sqlite3_stmt *rstmt(struct sqlite_store *s, int id, void (*build)(int, char *), int arg)
{
    char sql[SQL_MAX];
    if (ensure_functions(s) != 0)
        return NULL;
    if (s->rollup_stmts[id] == NULL)
        build(arg, sql);
    else
        sql[0] = '\0'; /* already prepared: the text is not read */
    return sq_prepare_slot(s, &s->rollup_stmts[id], sql);
}

static void build_add_i(int t, char *sql)
{
    build_add((enum rollup_table)t, sql);
}

static void build_sum_i(int g, char *sql)
{
    build_sum((enum rollup_group)g, sql);
}

/* The day cells of one area in a range of days, by top-level category class or not (see
 * sq_rollup_day_counts). */
static void build_day_counts(int by_class, char *sql)
{
    static const char by_day[] = "SELECT day, '', sum(collected) FROM rollups "
                                 "WHERE level = ?1 AND area = ?2 AND day >= ?3 AND day <= ?4 "
                                 "GROUP BY day HAVING sum(collected) > 0 ORDER BY day";
    static const char by_day_class[] =
        "SELECT day, substr(category, 1, 2) AS cls, sum(collected) FROM rollups "
        "WHERE level = ?1 AND area = ?2 AND day >= ?3 AND day <= ?4 "
        "GROUP BY day, cls HAVING sum(collected) > 0 ORDER BY day, cls";
    _Static_assert(sizeof(by_day_class) <= SQL_MAX, "raise SQL_MAX");
    memcpy(sql, by_class ? by_day_class : by_day, by_class ? sizeof(by_day_class) : sizeof(by_day));
}

static void bind_cell(sqlite3_stmt *stmt, int level, const char *area, int day,
                      const char *category)
{
    sqlite3_bind_int(stmt, 1, level);
    bind_text(stmt, 2, area);
    sqlite3_bind_int(stmt, 3, day);
    bind_text(stmt, 4, category);
}

int sq_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                  const char *category, const struct rollup_counters *d)
{
    struct sqlite_store *s = sq(st);
    int ti = t == ROLLUP_CHECK ? 1 : 0;
    sqlite3_stmt *stmt = rstmt(s, RSTMT_ADD + ti, build_add_i, ti);
    unsigned char hist[ROLLUP_HIST_BUCKETS * HIST_PAIR];
    int n;
    if (stmt == NULL)
        return ERR_DB;
    bind_cell(stmt, level, area, day, category);
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        sqlite3_bind_int64(stmt, 5 + i, d->v[i]);
    if ((n = hist_encode(d->hist, hist)) > 0)
        sqlite3_bind_blob(stmt, 5 + ROLLUP_FIELD_COUNT, hist, n, SQLITE_STATIC);
    return sq_exec_done(s, stmt, "rollup add");
}

int sq_rollup_add_many(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                       size_t n)
{
    /* A prepared statement costs no round trip here: one upsert per cell. */
    for (size_t i = 0; i < n; i++) {
        const struct rollup_cell *c = &cells[i];
        int r = sq_rollup_add(st, t, c->level, c->area, c->day, c->category, &c->d);
        if (r != 0)
            return r;
    }
    return 0;
}

int sq_rollup_day_counts(struct store *st, int level, const char *area, int from_day, int to_day,
                         int by_class, store_series_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    /* A range of the primary key (level, area, day, category); days without cases (cells
     * whose collected sum is 0) are not reported, as a count over the cases would not. */
    sqlite3_stmt *stmt =
        rstmt(s, RSTMT_DAY_COUNTS + (by_class != 0), build_day_counts, by_class != 0);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int(stmt, 1, level);
    bind_text(stmt, 2, area);
    sqlite3_bind_int(stmt, 3, from_day);
    sqlite3_bind_int(stmt, 4, to_day);
    r = sq_series_emit(s, stmt, fn, ctx, "rollup day counts");
    sqlite3_reset(stmt);
    return r;
}

int sq_rollup_clear(struct store *st, enum rollup_table t)
{
    struct sqlite_store *s = sq(st);
    const char *sql = t == ROLLUP_CHECK ? "DELETE FROM rollups_check" : "DELETE FROM rollups";
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return sq_fail(s, "rollup clear");
    return 0;
}

int sq_rollup_diff(struct store *st, int64_t *cells_differing)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int r = 0;
    static const char sql[] =
        "SELECT (SELECT count(*) FROM (SELECT * FROM rollups EXCEPT SELECT * FROM rollups_check))"
        " + (SELECT count(*) FROM (SELECT * FROM rollups_check EXCEPT SELECT * FROM rollups))";
    *cells_differing = 0;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare rollup diff");
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *cells_differing = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "rollup diff");
    sqlite3_finalize(stmt);
    return r;
}

static void read_key(sqlite3_stmt *stmt, enum rollup_group g, char *key, size_t size, int *day)
{
    *day = g == ROLLUP_BY_DAY ? sqlite3_column_int(stmt, 0) : 0;
    if (g == ROLLUP_BY_CATEGORY || g == ROLLUP_BY_CHILD)
        copy_col(stmt, 0, key, size);
    else
        key[0] = '\0';
}

/* Run the prepared sum stmt (bound) and call fn per non-empty group; key_override, when set,
 * is the key of every row (a child summed with the BY_TOTAL statement). */
static int sum_rows(struct sqlite_store *s, sqlite3_stmt *stmt, enum rollup_group g,
                    const char *key_override, store_rollup_fn fn, void *ctx)
{
    int rc, r = 0;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct rollup_counters c;
        char key[24];
        int day, hcol = 2 + ROLLUP_FIELD_COUNT;
        if (sqlite3_column_int64(stmt, 1) == 0)
            continue; /* the total of an empty selection */
        memset(&c, 0, sizeof(c));
        read_key(stmt, g, key, sizeof(key), &day);
        if (key_override != NULL)
            snprintf(key, sizeof(key), "%s", key_override);
        for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
            c.v[i] = sqlite3_column_int64(stmt, 2 + i);
        if (sqlite3_column_type(stmt, hcol) == SQLITE_BLOB)
            hist_decode_add(sqlite3_column_blob(stmt, hcol), sqlite3_column_bytes(stmt, hcol),
                            c.hist);
        if ((r = fn(ctx, key, day, &c)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "rollup sum");
    sqlite3_reset(stmt);
    return r;
}

static void bind_sum(sqlite3_stmt *stmt, int level, const char *area, int from_day, int to_day,
                     const char *category_prefix)
{
    sqlite3_bind_int(stmt, 1, level);
    bind_text(stmt, 2, area);
    sqlite3_bind_int(stmt, 3, from_day);
    sqlite3_bind_int(stmt, 4, to_day);
    bind_text(stmt, 5, category_prefix ? category_prefix : "");
}

int sq_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                  int to_day, const char *category_prefix, enum rollup_group g, store_rollup_fn fn,
                  void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt, *next;
    char child[24];
    int rc, r = 0;
    if ((unsigned)g > ROLLUP_BY_CHILD)
        return ERR_INVALID;
    if ((stmt = rstmt(s, RSTMT_SUM + (int)g, build_sum_i, (int)g)) == NULL)
        return ERR_DB;
    if (g != ROLLUP_BY_CHILD) {
        bind_sum(stmt, level, area, from_day, to_day, category_prefix);
        return sum_rows(s, stmt, g, NULL, fn, ctx);
    }
    next = stmt;
    if ((stmt = rstmt(s, RSTMT_SUM + ROLLUP_BY_TOTAL, build_sum_i, ROLLUP_BY_TOTAL)) == NULL)
        return ERR_DB;
    snprintf(child, sizeof(child), "%s", area);
    for (;;) {
        sqlite3_bind_int(next, 1, child_level);
        bind_text(next, 2, child);
        bind_text(next, 3, area);
        rc = sqlite3_step(next);
        if (rc == SQLITE_ROW)
            copy_col(next, 0, child, sizeof(child));
        sqlite3_reset(next);
        if (rc == SQLITE_DONE)
            return 0;
        if (rc != SQLITE_ROW)
            return sq_fail(s, "rollup next child");
        bind_sum(stmt, child_level, child, from_day, to_day, category_prefix);
        if ((r = sum_rows(s, stmt, ROLLUP_BY_TOTAL, child, fn, ctx)) != 0)
            return r;
    }
}

int sq_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int rc, r = 0;
    static const char sql[] =
        "SELECT e.case_id, e.seq, e.at_ms, e.actor_user_id, e.actor_role, e.action, "
        "e.from_state, e.to_state, e.payload, c.area_code, c.category, c.channel, c.urgency, "
        "c.created_ms, c.resolve_due_ms FROM case_events e JOIN cases c ON c.id = e.case_id "
        "ORDER BY e.case_id, e.seq";
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK)
        return sq_fail(s, "prepare rollup event walk");
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct case_event e;
        struct case_rec c;
        const unsigned char *payload;
        memset(&e, 0, sizeof(e));
        memset(&c, 0, sizeof(c));
        e.case_id = sqlite3_column_int64(stmt, 0);
        e.seq = sqlite3_column_int64(stmt, 1);
        e.at_ms = sqlite3_column_int64(stmt, 2);
        e.actor_user_id = sqlite3_column_int64(stmt, 3);
        copy_col(stmt, 4, e.actor_role, sizeof(e.actor_role));
        copy_col(stmt, 5, e.action, sizeof(e.action));
        copy_col(stmt, 6, e.from_state, sizeof(e.from_state));
        copy_col(stmt, 7, e.to_state, sizeof(e.to_state));
        payload = sqlite3_column_text(stmt, 8);
        e.payload = xstrdup(payload ? (const char *)payload : "{}");
        c.id = e.case_id;
        copy_col(stmt, 9, c.area_code, sizeof(c.area_code));
        copy_col(stmt, 10, c.category, sizeof(c.category));
        copy_col(stmt, 11, c.channel, sizeof(c.channel));
        copy_col(stmt, 12, c.urgency, sizeof(c.urgency));
        c.created_ms = sqlite3_column_int64(stmt, 13);
        c.resolve_due_ms = sqlite3_column_int64(stmt, 14);
        r = fn(ctx, &e, &c);
        free(e.payload);
        if (r != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "rollup event walk");
    sqlite3_finalize(stmt);
    return r;
}
