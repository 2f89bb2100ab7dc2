/*
 * store_sqlite_rollups.c - the indicator roll-ups on SQLite (see store.h for the contracts,
 * docs/INDICATORS.md for what the counters mean).
 *
 * Tables (migrations.c, version 3): rollups(level, area, day, category, <one column per
 * counter of base/rollup_fields.h>) and rollup_hist(level, area, day, category, bucket, n),
 * both WITHOUT ROWID with the key first, so "area A (of level L), days D1..D2" and "the
 * children of A" are each one range of the primary key. rollups_check / rollup_hist_check have
 * the same shape and only ever hold a recount being verified.
 *
 * The statements' text is built from the counter list (never from input: every value is
 * bound) the first time a connection needs it, then stays prepared in the connection's
 * rollup_stmts slots. The per-event cost on the case-intake path is one upsert per level of
 * the case's path (store_rollup_add) plus one per histogram bucket a close moves. Threading:
 * one connection per thread, like the rest of the store.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/log.h"
#include "base/xalloc.h"

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
    RSTMT_HIST,
    RSTMT_HIST_CHECK,
    RSTMT_SUM, /* + enum rollup_group */
    RSTMT_SUM_LAST = RSTMT_SUM + 3,
    RSTMT_SUM_HIST, /* + enum rollup_group */
    RSTMT_SUM_HIST_LAST = RSTMT_SUM_HIST + 3,
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

static const char *table_name(enum rollup_table t)
{
    return t == ROLLUP_CHECK ? "rollups_check" : "rollups";
}

static const char *hist_name(enum rollup_table t)
{
    return t == ROLLUP_CHECK ? "rollup_hist_check" : "rollup_hist";
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
    sql_add(sql, &len, ") VALUES (?1, ?2, ?3, ?4");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        sql_add(sql, &len, ", ?");
    sql_add(sql, &len, ") ON CONFLICT(level, area, day, category) DO UPDATE SET ");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        char part[128];
        snprintf(part, sizeof(part), "%s%s = %s + excluded.%s", i ? ", " : "", field_cols[i],
                 field_cols[i], field_cols[i]);
        sql_add(sql, &len, part);
    }
}

static void build_hist_add(enum rollup_table t, char *sql)
{
    snprintf(sql, SQL_MAX,
             "INSERT INTO %s(level, area, day, category, bucket, n) VALUES (?1, ?2, ?3, ?4, ?5, "
             "?6) ON CONFLICT(level, area, day, category, bucket) DO UPDATE SET n = n + "
             "excluded.n",
             hist_name(t));
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

#define SUM_WHERE                                                                                  \
    " WHERE level = ?1 AND area >= ?2 AND area < ?2 || ':' AND day BETWEEN ?3 AND ?4 "             \
    "AND (?5 = '' OR (category >= ?5 AND category < ?5 || ':'))"

/* Sums of the counters: key, count(*), sum(counter)... */
static void build_sum(enum rollup_group g, char *sql)
{
    size_t len = 0;
    sql[0] = '\0';
    sql_add(sql, &len, "SELECT ");
    sql_add(sql, &len, group_key(g));
    sql_add(sql, &len, ", count(*)");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", coalesce(sum(");
        sql_add(sql, &len, field_cols[i]);
        sql_add(sql, &len, "), 0)");
    }
    sql_add(sql, &len, " FROM rollups" SUM_WHERE);
    if (g != ROLLUP_BY_TOTAL) {
        sql_add(sql, &len, " GROUP BY ");
        sql_add(sql, &len, group_key(g));
        sql_add(sql, &len, " ORDER BY ");
        sql_add(sql, &len, group_key(g));
    }
}

static void build_sum_hist(enum rollup_group g, char *sql)
{
    const char *k = group_key(g);
    snprintf(sql, SQL_MAX,
             "SELECT %s, bucket, sum(n) FROM rollup_hist" SUM_WHERE
             " GROUP BY %s, bucket ORDER BY %s, bucket",
             k, k, k);
}

/* The cached statement of slot id, built by build() on first use. */
static sqlite3_stmt *rstmt(struct sqlite_store *s, int id, void (*build)(int, char *), int arg)
{
    char sql[SQL_MAX];
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

static void build_hist_add_i(int t, char *sql)
{
    build_hist_add((enum rollup_table)t, sql);
}

static void build_sum_i(int g, char *sql)
{
    build_sum((enum rollup_group)g, sql);
}

static void build_sum_hist_i(int g, char *sql)
{
    build_sum_hist((enum rollup_group)g, sql);
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
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_cell(stmt, level, area, day, category);
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        sqlite3_bind_int64(stmt, 5 + i, d->v[i]);
    if ((r = sq_exec_done(s, stmt, "rollup add")) != 0)
        return r;
    for (int k = 0; k < ROLLUP_HIST_BUCKETS; k++) {
        if (d->hist[k] == 0)
            continue;
        if ((stmt = rstmt(s, RSTMT_HIST + ti, build_hist_add_i, ti)) == NULL)
            return ERR_DB;
        bind_cell(stmt, level, area, day, category);
        sqlite3_bind_int(stmt, 5, k);
        sqlite3_bind_int64(stmt, 6, d->hist[k]);
        if ((r = sq_exec_done(s, stmt, "rollup hist add")) != 0)
            return r;
    }
    return 0;
}

int sq_rollup_clear(struct store *st, enum rollup_table t)
{
    struct sqlite_store *s = sq(st);
    const char *sql = t == ROLLUP_CHECK ? "DELETE FROM rollups_check; DELETE FROM rollup_hist_check"
                                        : "DELETE FROM rollups; DELETE FROM rollup_hist";
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
        " + (SELECT count(*) FROM (SELECT * FROM rollups_check EXCEPT SELECT * FROM rollups))"
        " + (SELECT count(*) FROM (SELECT level, area, day, category, bucket, n FROM rollup_hist "
        "    WHERE n != 0 EXCEPT SELECT level, area, day, category, bucket, n "
        "    FROM rollup_hist_check WHERE n != 0))"
        " + (SELECT count(*) FROM (SELECT level, area, day, category, bucket, n "
        "    FROM rollup_hist_check WHERE n != 0 EXCEPT SELECT level, area, day, category, "
        "    bucket, n FROM rollup_hist WHERE n != 0))";
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

/* One group of a sum while the histogram rows are merged in. */
struct sum_group {
    char key[24];
    int day;
    struct rollup_counters c;
};

static int key_cmp(enum rollup_group g, const struct sum_group *a, int day, const char *key)
{
    if (g == ROLLUP_BY_DAY)
        return (a->day > day) - (a->day < day);
    return strcmp(a->key, key);
}

static void read_key(sqlite3_stmt *stmt, enum rollup_group g, char *key, size_t size, int *day)
{
    *day = g == ROLLUP_BY_DAY ? sqlite3_column_int(stmt, 0) : 0;
    if (g == ROLLUP_BY_CATEGORY || g == ROLLUP_BY_CHILD)
        copy_col(stmt, 0, key, size);
    else
        key[0] = '\0';
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
    struct sum_group *groups = NULL;
    size_t n = 0, cap = 0, at = 0;
    sqlite3_stmt *stmt;
    int rc, r = 0;
    int qlevel = g == ROLLUP_BY_CHILD ? child_level : level;

    if ((unsigned)g > ROLLUP_BY_CHILD)
        return ERR_INVALID;
    if ((stmt = rstmt(s, RSTMT_SUM + (int)g, build_sum_i, (int)g)) == NULL)
        return ERR_DB;
    bind_sum(stmt, qlevel, area, from_day, to_day, category_prefix);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct sum_group *grp;
        if (sqlite3_column_int64(stmt, 1) == 0)
            continue; /* the total of an empty selection */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            groups = xrealloc(groups, cap * sizeof(*groups));
        }
        grp = &groups[n++];
        memset(grp, 0, sizeof(*grp));
        read_key(stmt, g, grp->key, sizeof(grp->key), &grp->day);
        for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
            grp->c.v[i] = sqlite3_column_int64(stmt, 2 + i);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "rollup sum");
        goto out;
    }
    sqlite3_reset(stmt);
    if (n == 0)
        goto out;

    if ((stmt = rstmt(s, RSTMT_SUM_HIST + (int)g, build_sum_hist_i, (int)g)) == NULL) {
        r = ERR_DB;
        goto out;
    }
    bind_sum(stmt, qlevel, area, from_day, to_day, category_prefix);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        char key[24];
        int day, bucket = sqlite3_column_int(stmt, 1);
        read_key(stmt, g, key, sizeof(key), &day);
        /* Both queries are in key order and every histogram row has its cell: merge. */
        while (at < n && key_cmp(g, &groups[at], day, key) < 0)
            at++;
        if (at < n && key_cmp(g, &groups[at], day, key) == 0 && bucket >= 0 &&
            bucket < ROLLUP_HIST_BUCKETS)
            groups[at].c.hist[bucket] += sqlite3_column_int64(stmt, 2);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "rollup hist sum");
        goto out;
    }
    sqlite3_reset(stmt);
    for (size_t i = 0; i < n && r == 0; i++)
        r = fn(ctx, groups[i].key, groups[i].day, &groups[i].c);
out:
    free(groups);
    return r;
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
