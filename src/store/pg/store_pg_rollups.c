/*
 * store_pg_rollups.c - the indicator roll-ups on PostgreSQL: the twin of store_sqlite_rollups.c
 * (see store.h for the contracts, docs/INDICATORS.md for what the counters mean).
 *
 * Tables: rollups and rollups_check (same shape; the check table only ever holds a recount
 * being verified): district (the first six digits of the area code, the whole code above
 * district level: the distribution key), level, area, day, category, one bigint per counter of
 * base/rollup_fields.h, and the handling-time histogram. The primary key is (district, level,
 * area, day, category); a second index in SQLite's key order (level, area, day, category) makes
 * "area A of level L, days D1..D2" one index range and "the next child of A" one seek.
 *
 * The histogram is a bigint[] of ROLLUP_HIST_BUCKETS counts, NULL when every bucket is 0, so
 * equal histograms are equal values (diff compares rows with EXCEPT, as SQLite compares its
 * sparse blobs). SQLite registers two C functions for the arithmetic; here it is plain SQL: the
 * upsert adds arrays element by element (NULL again when the sum is all zeros) and a sum adds
 * each bucket over the selected rows with unnest ... WITH ORDINALITY, grouped like the
 * counters, in the same statement (one snapshot).
 *
 * The statements' text is built from the counter list (never from input: every value is a
 * parameter); each is prepared on its connection on first use (slots PG_SLOT_ROLLUPS + id).
 */
#include "store/pg/pg_internal.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- schema ------------------------------------------------------------------------------------
 */

#define ROLLUP_COL_DEF(name) "  " #name " bigint NOT NULL DEFAULT 0,"
#define ROLLUP_TABLE_BODY                                                                          \
    "("                                                                                            \
    "  district text COLLATE \"C\" NOT NULL,"                                                      \
    "  level int NOT NULL,"                                                                        \
    "  area text COLLATE \"C\" NOT NULL,"                                                          \
    "  day int NOT NULL,"                                                                          \
    "  category text COLLATE \"C\" NOT NULL," ROLLUP_FIELD_MAP(                                    \
        ROLLUP_COL_DEF) "  hist bigint[],"                                                         \
                        "  PRIMARY KEY (district, level, area, day, category)"                     \
                        ");"

const char pg_schema_rollups[] =
    "CREATE TABLE rollups " ROLLUP_TABLE_BODY
    "CREATE INDEX rollups_range ON rollups(level, area, day, category);"
    "CREATE TABLE rollups_check " ROLLUP_TABLE_BODY
    /* A new database has no cases, so its roll-ups are not stale (service/rollups.c). */
    "INSERT INTO meta(key, value) VALUES ('rollups_stale', '0') ON CONFLICT (key) DO NOTHING;";

/* ---- statements ---------------------------------------------------------------------------------
 */

static const char *const field_cols[ROLLUP_FIELD_COUNT] = {
#define FIELD_COL(name) #name,
    ROLLUP_FIELD_MAP(FIELD_COL)
#undef FIELD_COL
};

enum rollup_slot {
    RSLOT_ADD,       /* + table: ADD for LIVE, ADD + 1 for CHECK */
    RSLOT_ADD_CHECK, /* (kept adjacent) */
    RSLOT_SUM,       /* + enum rollup_group */
    RSLOT_SUM_LAST = RSLOT_SUM + 3,
    RSLOT_DIFF,
    RSLOT_CLEAR,
    RSLOT_CLEAR_CHECK,
    RSLOT_ADD_MANY, /* + table, as RSLOT_ADD */
    RSLOT_ADD_MANY_CHECK,
    RSLOT_SUM_CHILD_WIDE, /* BY_CHILD above district level: no district predicate */
    RSLOT_DAY_COUNTS,     /* + by_class */
    RSLOT_DAY_COUNTS_BY_CLASS,
    RSLOT_COUNT
};

_Static_assert(RSLOT_COUNT <= PG_SLOT_BASEDATA - PG_SLOT_ROLLUPS, "too many roll-up statements");

#define SQL_MAX 16384

/* Append text to a statement being built; the buffer is sized for the longest statement. */
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

static void add_on_conflict(char *sql, size_t *lenp);

/* Both upserts start the same: INSERT INTO the table (key columns, counters, "hist"). */
static void add_insert_head(enum rollup_table t, char *sql, size_t *lenp)
{
    sql[0] = '\0';
    *lenp = 0;
    sql_add(sql, lenp, "INSERT INTO ");
    sql_add(sql, lenp, table_name(t));
    sql_add(sql, lenp, " AS r (district, level, area, day, category");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, lenp, ", ");
        sql_add(sql, lenp, field_cols[i]);
    }
}

/* The upsert of one cell: $1 district, $2 level, $3 area, $4 day, $5 category, $6.. counters,
 * then the histogram. */
static void build_add(enum rollup_table t, char *sql)
{
    size_t len = 0;
    char part[160];
    add_insert_head(t, sql, &len);
    sql_add(sql, &len, ", hist) VALUES ($1, $2, $3, $4, $5");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        snprintf(part, sizeof(part), ", $%d::bigint", 6 + i);
        sql_add(sql, &len, part);
    }
    snprintf(part, sizeof(part), ", $%d::bigint[])", 6 + ROLLUP_FIELD_COUNT);
    sql_add(sql, &len, part);
    add_on_conflict(sql, &len);
}

/*
 * The upsert of many cells in one statement: each parameter is an array holding one column of
 * every row ($1 level int[], $2 area text[], $3 day int[], $4 category text[], $5.. one
 * bigint[] per counter, then the histograms as text[] of array literals or NULL), unnested
 * into rows. The rows' keys must be distinct (a statement cannot update a row twice):
 * store_rollup_add_many merged equal cells before calling the backend.
 */
static void build_add_many(enum rollup_table t, char *sql)
{
    size_t len = 0;
    char part[160];
    add_insert_head(t, sql, &len);
    sql_add(sql, &len, ", hist) SELECT left(u.area, 6), u.level, u.area, u.day, u.category");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", u.");
        sql_add(sql, &len, field_cols[i]);
    }
    sql_add(sql, &len,
            ", u.hist::bigint[] FROM unnest($1::int[], $2::text[], $3::int[], $4::text[]");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        snprintf(part, sizeof(part), ", $%d::bigint[]", 5 + i);
        sql_add(sql, &len, part);
    }
    snprintf(part, sizeof(part), ", $%d::text[]) AS u(level, area, day, category",
             5 + ROLLUP_FIELD_COUNT);
    sql_add(sql, &len, part);
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", ");
        sql_add(sql, &len, field_cols[i]);
    }
    sql_add(sql, &len, ", hist)");
    add_on_conflict(sql, &len);
}

/* What both upserts do with an existing cell: add the counters, add the histograms. */
static void add_on_conflict(char *sql, size_t *lenp)
{
    size_t len = *lenp;
    char part[160];
    sql_add(sql, &len, " ON CONFLICT (district, level, area, day, category) DO UPDATE SET ");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        snprintf(part, sizeof(part), "%s = r.%s + excluded.%s, ", field_cols[i], field_cols[i],
                 field_cols[i]);
        sql_add(sql, &len, part);
    }
    sql_add(sql, &len,
            "hist = CASE WHEN excluded.hist IS NULL THEN r.hist "
            "WHEN r.hist IS NULL THEN excluded.hist "
            "ELSE (SELECT CASE WHEN bool_and(x + y = 0) THEN NULL "
            "ELSE array_agg(x + y ORDER BY i) END "
            "FROM unnest(r.hist, excluded.hist) WITH ORDINALITY AS t(x, y, i)) END");
    *lenp = len;
}

static const char *group_key(enum rollup_group g)
{
    switch (g) {
    case ROLLUP_BY_DAY:
        return "r.day";
    case ROLLUP_BY_CATEGORY:
        return "r.category";
    case ROLLUP_BY_CHILD:
        return "r.area";
    default:
        return "''::text";
    }
}

/*
 * The children of $2 at level $1 that have any cell, one index seek each (a loose index scan
 * of (level, area, ...)), as SQLite's NEXT_CHILD_SQL walks them: a range over the subtree
 * would read every day of every child's history.
 */
#define CHILDREN_CTE(D)                                                                            \
    "RECURSIVE ch(area) AS (SELECT (SELECT min(area) FROM rollups WHERE " D "level = $1 "          \
    "AND area > $2::text AND area < $2::text || ':') UNION ALL SELECT (SELECT min(r.area) "        \
    "FROM rollups r WHERE " D "r.level = $1 AND r.area > ch.area AND r.area < $2::text || ':') "   \
    "FROM ch WHERE ch.area IS NOT NULL), "

/* Sums of the counters per group: key, count(*), sum(counter)..., the summed histogram. One
 * area of one level is an equality (every code of a level has the same length, so the area of
 * its own level is the only code of its subtree there): the day range is then a range of the
 * index and a year reads that year's cells only. BY_CHILD sums each child found by
 * CHILDREN_CTE the same way. */
/* Distribution (docs/SCALING.md): the cells of one area all carry that area's district, and
 * so do the children of an area of district level or below, so those sums name it ($6) and
 * stay on one shard on Citus; the children of a city or a province fan out (wide). */
static void build_sum(enum rollup_group g, int wide, char *sql)
{
    size_t len = 0;
    sql[0] = '\0';
    sql_add(sql, &len, "WITH ");
    if (g == ROLLUP_BY_CHILD)
        sql_add(sql, &len, wide ? CHILDREN_CTE("") : CHILDREN_CTE("district = $6::text AND "));
    sql_add(sql, &len, "sel AS (SELECT ");
    sql_add(sql, &len, group_key(g));
    sql_add(sql, &len, " AS k");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", r.");
        sql_add(sql, &len, field_cols[i]);
    }
    sql_add(sql, &len,
            g != ROLLUP_BY_CHILD ? ", r.hist FROM rollups r WHERE r.district = $6::text "
                                   "AND r.level = $1 AND r.area = $2::text "
            : wide ? ", r.hist FROM ch JOIN rollups r ON r.level = $1 AND r.area = ch.area "
                   : ", r.hist FROM ch JOIN rollups r ON r.district = $6::text AND r.level = $1 "
                     "AND r.area = ch.area ");
    sql_add(sql, &len,
            "AND r.day BETWEEN $3 AND $4 AND ($5::text = '' OR (r.category >= $5::text "
            "AND r.category < $5::text || ':'))), "
            "h AS (SELECT k, u.i, sum(u.v) AS v FROM sel "
            "CROSS JOIN LATERAL unnest(sel.hist) WITH ORDINALITY AS u(v, i) GROUP BY k, u.i), "
            "hk AS (SELECT k, array_agg(v ORDER BY i) AS hist FROM h GROUP BY k) "
            "SELECT s.* , hk.hist FROM (SELECT k, count(*) AS n");
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++) {
        sql_add(sql, &len, ", coalesce(sum(");
        sql_add(sql, &len, field_cols[i]);
        sql_add(sql, &len, "), 0)");
    }
    sql_add(sql, &len, " FROM sel GROUP BY k) s LEFT JOIN hk ON hk.k = s.k ORDER BY s.k");
}

static const char sql_diff[] =
    "SELECT (SELECT count(*) FROM (SELECT * FROM rollups EXCEPT SELECT * FROM rollups_check) a)"
    " + (SELECT count(*) FROM (SELECT * FROM rollups_check EXCEPT SELECT * FROM rollups) b)";

/* ---- the histogram as text ------------------------------------------------------------------- */

/* hist as an array literal ("{0,3,...}") into out (at least ROLLUP_HIST_BUCKETS * 21 + 3
 * bytes); 0 when every bucket is 0 (the column is then NULL), else 1. */
static int hist_literal(const int64_t hist[ROLLUP_HIST_BUCKETS], char *out, size_t size)
{
    size_t at = 0;
    int any = 0;
    for (int k = 0; k < ROLLUP_HIST_BUCKETS; k++)
        any |= hist[k] != 0;
    if (!any)
        return 0;
    out[at++] = '{';
    for (int k = 0; k < ROLLUP_HIST_BUCKETS && at < size; k++)
        at += (size_t)snprintf(out + at, size - at, "%s%lld", k ? "," : "", (long long)hist[k]);
    if (at + 2 > size)
        return 0; /* cannot happen with the documented size */
    out[at++] = '}';
    out[at] = '\0';
    return 1;
}

/* Add an array literal's values (bucket k at position k + 1) to hist; NULL adds nothing. */
static void hist_parse_add(const char *text, int64_t hist[ROLLUP_HIST_BUCKETS])
{
    const char *p = text;
    if (p == NULL || *p != '{')
        return;
    p++;
    for (int k = 0; *p && *p != '}'; k++) {
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p)
            break; /* not a number: malformed, ignored like SQLite's malformed pairs */
        if (k < ROLLUP_HIST_BUCKETS)
            hist[k] += v;
        p = *end == ',' ? end + 1 : end;
    }
}

/* ---- ops ------------------------------------------------------------------------------------- */

int pg_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                  const char *category, const struct rollup_counters *d)
{
    char sql[SQL_MAX];
    char district[7];
    char hist[ROLLUP_HIST_BUCKETS * 21 + 3];
    struct pg_params p;
    int ti = t == ROLLUP_CHECK ? 1 : 0;
    build_add(ti ? ROLLUP_CHECK : ROLLUP_LIVE, sql);
    pg_district(area, district);
    pgp_init(&p);
    pgp_text(&p, district);
    pgp_int(&p, level);
    pgp_text(&p, area);
    pgp_int(&p, day);
    pgp_text(&p, category);
    for (int i = 0; i < ROLLUP_FIELD_COUNT; i++)
        pgp_int(&p, d->v[i]);
    pgp_text(&p, hist_literal(d->hist, hist, sizeof(hist)) ? hist : NULL);
    return pg_query(pg(st), PG_SLOT_ROLLUPS + RSLOT_ADD + ti, sql, &p, "rollup add", NULL);
}

/* ---- many cells at once ----------------------------------------------------------------- */

#define ADD_MANY_ROWS 500 /* rows per statement: a few hundred kB of parameters at most */
#define ADD_MANY_COLS (5 + ROLLUP_FIELD_COUNT) /* level, area, day, category, counters, hist */

/* Append a quoted element ("..." with " and \ escaped) to a text[] literal. */
static int array_add_text(struct buf *b, const char *v)
{
    int r = buf_append_str(b, "\"");
    for (const char *p = v; *p && r == 0; p++) {
        if (*p == '"' || *p == '\\')
            r = buf_append(b, "\\", 1);
        if (r == 0)
            r = buf_append(b, p, 1);
    }
    return r ? r : buf_append_str(b, "\"");
}

/* Append one row (cell c) to the column arrays. */
static int add_many_row(struct buf *cols, const struct rollup_cell *c)
{
    const struct rollup_counters *sum = &c->d;
    char hist[ROLLUP_HIST_BUCKETS * 21 + 3];
    int r = buf_printf(&cols[0], ",%d", c->level);
    if (r == 0 && (r = buf_append_str(&cols[1], ",")) == 0)
        r = array_add_text(&cols[1], c->area);
    if (r == 0)
        r = buf_printf(&cols[2], ",%d", c->day);
    if (r == 0 && (r = buf_append_str(&cols[3], ",")) == 0)
        r = array_add_text(&cols[3], c->category);
    for (int i = 0; i < ROLLUP_FIELD_COUNT && r == 0; i++)
        r = buf_printf(&cols[4 + i], ",%lld", (long long)sum->v[i]);
    if (r == 0 && (r = buf_append_str(&cols[4 + ROLLUP_FIELD_COUNT], ",")) == 0)
        r = hist_literal(sum->hist, hist, sizeof(hist))
                ? array_add_text(&cols[4 + ROLLUP_FIELD_COUNT], hist)
                : buf_append_str(&cols[4 + ROLLUP_FIELD_COUNT], "NULL");
    return r;
}

/* Send the rows gathered in cols (each "{" + ",x" per row; the leading comma is dropped). */
static int add_many_send(struct pg_store *s, int ti, struct buf *cols, const char *sql)
{
    struct pg_params p;
    int r = 0;
    pgp_init(&p);
    for (int i = 0; i < ADD_MANY_COLS && r == 0; i++) {
        cols[i].data[0] = '{'; /* the first row's leading comma */
        if ((r = buf_append_str(&cols[i], "}")) == 0)
            pgp_text(&p, cols[i].data);
    }
    if (r == 0)
        r = pg_query(s, PG_SLOT_ROLLUPS + RSLOT_ADD_MANY + ti, sql, &p, "rollup add many", NULL);
    for (int i = 0; i < ADD_MANY_COLS; i++)
        buf_reset(&cols[i]);
    return r;
}

int pg_rollup_add_many(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                       size_t n)
{
    char sql[SQL_MAX];
    struct buf cols[ADD_MANY_COLS];
    int ti = t == ROLLUP_CHECK ? 1 : 0, rows = 0, r = 0;
    if (n == 0)
        return 0;
    build_add_many(ti ? ROLLUP_CHECK : ROLLUP_LIVE, sql);
    for (int k = 0; k < ADD_MANY_COLS; k++)
        buf_init(&cols[k], (size_t)64 << 20);
    for (size_t i = 0; i < n && r == 0; i++) {
        r = add_many_row(cols, &cells[i]);
        if (r == 0 && (++rows == ADD_MANY_ROWS || i + 1 == n)) {
            r = add_many_send(pg(st), ti, cols, sql);
            rows = 0;
        }
    }
    for (int k = 0; k < ADD_MANY_COLS; k++)
        buf_cleanup(&cols[k]);
    if (r == ERR_TOO_LARGE)
        log_error("store", "postgresql rollup add many: parameters too large");
    return r == ERR_TOO_LARGE ? ERR_INTERNAL : r;
}

int pg_rollup_day_counts(struct store *st, int level, const char *area, int from_day, int to_day,
                         int by_class, store_series_fn fn, void *ctx)
{
    /* One district's range of the key (level, area, day, category); days without cases (a
     * collected sum of 0) are not reported, as a count over the cases would not. */
    static const char *const sql[] = {
        "SELECT day, ''::text, sum(collected) FROM rollups WHERE district = $1 AND level = $2 "
        "AND area = $3 AND day >= $4 AND day <= $5 GROUP BY day HAVING sum(collected) > 0 "
        "ORDER BY day",
        "SELECT day, left(category, 2) AS cls, sum(collected) FROM rollups WHERE district = $1 "
        "AND level = $2 AND area = $3 AND day >= $4 AND day <= $5 GROUP BY day, cls "
        "HAVING sum(collected) > 0 ORDER BY day, cls",
    };
    struct pg_params p;
    PGresult *res;
    char district[7];
    int r;
    pg_district(area, district);
    pgp_init(&p);
    pgp_text(&p, district);
    pgp_int(&p, level);
    pgp_text(&p, area);
    pgp_int(&p, from_day);
    pgp_int(&p, to_day);
    by_class = by_class != 0;
    if ((r = pg_query(pg(st), PG_SLOT_ROLLUPS + RSLOT_DAY_COUNTS + by_class, sql[by_class], &p,
                      "rollup day counts", &res)) != 0)
        return r;
    r = pg_series_emit(res, fn, ctx);
    PQclear(res);
    return r;
}

int pg_rollup_clear(struct store *st, enum rollup_table t)
{
    if (t == ROLLUP_CHECK)
        return pg_query(pg(st), PG_SLOT_ROLLUPS + RSLOT_CLEAR_CHECK, "DELETE FROM rollups_check",
                        NULL, "rollup clear", NULL);
    return pg_query(pg(st), PG_SLOT_ROLLUPS + RSLOT_CLEAR, "DELETE FROM rollups", NULL,
                    "rollup clear", NULL);
}

int pg_rollup_diff(struct store *st, int64_t *cells_differing)
{
    PGresult *res;
    int r;
    *cells_differing = 0;
    if ((r = pg_query(pg(st), PG_SLOT_ROLLUPS + RSLOT_DIFF, sql_diff, NULL, "rollup diff", &res)) !=
        0)
        return r;
    if (PQntuples(res) == 1)
        *cells_differing = pg_int(res, 0, 0);
    PQclear(res);
    return 0;
}

int pg_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                  int to_day, const char *category_prefix, enum rollup_group g, store_rollup_fn fn,
                  void *ctx)
{
    char sql[SQL_MAX];
    char district[7];
    struct pg_params p;
    PGresult *res;
    int r, n, wide = g == ROLLUP_BY_CHILD && strlen(area) < 6;
    if ((unsigned)g > ROLLUP_BY_CHILD)
        return ERR_INVALID;
    build_sum(g, wide, sql);
    pg_district(area, district);
    pgp_init(&p);
    pgp_int(&p, g == ROLLUP_BY_CHILD ? child_level : level);
    pgp_text(&p, area);
    pgp_int(&p, from_day);
    pgp_int(&p, to_day);
    pgp_text(&p, category_prefix ? category_prefix : "");
    if (!wide)
        pgp_text(&p, district);
    if ((r = pg_query(pg(st), PG_SLOT_ROLLUPS + (wide ? RSLOT_SUM_CHILD_WIDE : RSLOT_SUM + (int)g),
                      sql, &p, "rollup sum", &res)) != 0)
        return r;
    n = PQntuples(res);
    for (int i = 0; i < n && r == 0; i++) {
        struct rollup_counters c;
        char key[24] = "";
        int day = 0, hcol = 2 + ROLLUP_FIELD_COUNT;
        if (pg_int(res, i, 1) == 0)
            continue;
        memset(&c, 0, sizeof(c));
        if (g == ROLLUP_BY_DAY)
            day = (int)pg_int(res, i, 0);
        else if (g == ROLLUP_BY_CATEGORY || g == ROLLUP_BY_CHILD)
            pg_copy(res, i, 0, key, sizeof(key));
        for (int k = 0; k < ROLLUP_FIELD_COUNT; k++)
            c.v[k] = pg_int(res, i, 2 + k);
        if (!pg_is_null(res, i, hcol))
            hist_parse_add(PQgetvalue(res, i, hcol), c.hist);
        r = fn(ctx, key, day, &c);
    }
    PQclear(res);
    return r;
}

struct rollup_walk {
    store_rollup_event_fn fn;
    void *ctx;
};

static int rollup_walk_row(void *arg, const PGresult *res, int row)
{
    struct rollup_walk *w = arg;
    struct case_event e;
    struct case_rec c;
    int r;
    memset(&e, 0, sizeof(e));
    memset(&c, 0, sizeof(c));
    e.case_id = pg_int(res, row, 0);
    e.seq = pg_int(res, row, 1);
    e.at_ms = pg_int(res, row, 2);
    e.actor_user_id = pg_int(res, row, 3);
    pg_copy(res, row, 4, e.actor_role, sizeof(e.actor_role));
    pg_copy(res, row, 5, e.action, sizeof(e.action));
    pg_copy(res, row, 6, e.from_state, sizeof(e.from_state));
    pg_copy(res, row, 7, e.to_state, sizeof(e.to_state));
    e.payload = xstrdup(pg_is_null(res, row, 8) ? "{}" : PQgetvalue(res, row, 8));
    c.id = e.case_id;
    pg_copy(res, row, 9, c.area_code, sizeof(c.area_code));
    pg_copy(res, row, 10, c.category, sizeof(c.category));
    pg_copy(res, row, 11, c.channel, sizeof(c.channel));
    pg_copy(res, row, 12, c.urgency, sizeof(c.urgency));
    c.created_ms = pg_int(res, row, 13);
    c.resolve_due_ms = pg_int(res, row, 14);
    r = w->fn(w->ctx, &e, &c);
    free(e.payload);
    return r;
}

int pg_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx)
{
    struct rollup_walk w = {fn, ctx};
    return pg_walk_rows(
        pg(st), "gg_rollup_event_walk",
        "SELECT e.case_id, e.seq, e.at_ms, e.actor_user_id, e.actor_role, e.action, "
        "e.from_state, e.to_state, e.payload, c.area_code, c.category, c.channel, c.urgency, "
        "c.created_ms, c.resolve_due_ms FROM case_events e JOIN cases c "
        "ON c.district = e.district AND c.id = e.case_id ORDER BY e.case_id, e.seq",
        rollup_walk_row, &w);
}
