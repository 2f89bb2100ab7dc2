/*
 * store_copy.c - copy a whole database between the SQLite and the PostgreSQL backends
 * (`gridgov migrate`, and the PostgreSQL backend's backup into a SQLite file).
 *
 * The only file that speaks both sqlite3 and libpq. Both databases are first opened through
 * store_open, so the target has the current schema and the source is known to be at the same
 * version; then each table of the SQLite schema is copied row by row, in the SQLite schema's
 * creation order (parents before children):
 *
 *   SQLite -> PostgreSQL: the rows go through the COPY protocol into a temporary staging
 *   table with the columns both schemas share, then into the real table with one INSERT ...
 *   SELECT that also fills the district key PostgreSQL adds (from the foreign key to the
 *   parent that carries it, else the row's own area code, else the parent named by an
 *   "X_id" column of a table "Xs"), and identity sequences are
 *   moved past the copied ids.
 *   PostgreSQL -> SQLite: COPY (SELECT ...) TO STDOUT, each row inserted with a prepared,
 *   bound INSERT in one transaction.
 *
 * The copy reads the source in one snapshot (a REPEATABLE READ transaction on PostgreSQL, one
 * read transaction on SQLite), so it is consistent while the source takes writes. Derived
 * tables are not copied: the indicator roll-ups (whose histogram each backend encodes its own
 * way) are marked stale on the target, and rebuilt from the copied event log when the target
 * is next opened by the service layer (gridgov migrate does it at once). Table and
 * column names come from the databases' own catalogues and are quoted as identifiers; values
 * are never pasted into SQL. Full-text indexes are rebuilt on the target, not copied.
 */
#include "store/store.h"
#include "store/store_impl.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define COPY_MAX_COLS 96

struct copy_col {
    char name[64];
    char pg_type[32]; /* data_type of the PostgreSQL column */
    int in_sqlite;    /* the SQLite table has it */
    int pg_generated; /* computed by PostgreSQL: never written */
};

struct copy_table {
    char name[64];
    struct copy_col cols[COPY_MAX_COLS];
    int n_cols;
    int has_district; /* PostgreSQL adds a district column the SQLite table lacks */
};

struct copy_job {
    sqlite3 *lite;
    PGconn *pg;
    store_copy_progress_fn fn;
    void *fn_ctx;
    int64_t done, total;
    struct errbuf *eb;
};

static const char *cstr(const struct buf *b)
{
    return b->data != NULL ? b->data : "";
}

static int is_url_pg(const char *url)
{
    return strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0;
}

static const char *sqlite_path(const char *url)
{
    return strncmp(url, "sqlite:", 7) == 0 ? url + 7 : url;
}

static int pg_ok(PGresult *res)
{
    ExecStatusType st = PQresultStatus(res);
    return st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
}

/* Run fixed SQL on PostgreSQL; ERR_DB with the server's words in eb on failure. */
static int pg_do(struct copy_job *j, const char *sql, const char *what)
{
    PGresult *res = PQexec(j->pg, sql);
    int r = 0;
    if (!pg_ok(res))
        r = errbuf_set(j->eb, ERR_DB, "%s: %s", what, PQresultErrorMessage(res));
    PQclear(res);
    return r;
}

/* Append a quoted identifier (from a catalogue) to b. */
static int append_ident(struct copy_job *j, struct buf *b, const char *name)
{
    char *q;
    if (name == NULL)
        return errbuf_set(j->eb, ERR_DB, "a catalogue gave no name");
    q = PQescapeIdentifier(j->pg, name, strlen(name));
    if (q == NULL)
        return errbuf_set(j->eb, ERR_DB, "cannot quote %s", name);
    buf_append_str(b, q);
    PQfreemem(q);
    return 0;
}

/* ---- schema: which tables, which columns ---------------------------------------------------- */

/* The SQLite tables to copy, in creation order: not SQLite's own, not full-text indexes nor
 * their shadow tables. */
static int list_tables(struct copy_job *j, char (**names)[64], size_t *n)
{
    sqlite3_stmt *stmt = NULL;
    size_t cap = 0;
    char virt[16][64];
    size_t n_virt = 0;
    int rc;
    *names = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(j->lite,
                           "SELECT name, sql LIKE 'CREATE VIRTUAL%' FROM sqlite_master WHERE "
                           "type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid",
                           -1, &stmt, NULL) != SQLITE_OK)
        return errbuf_set(j->eb, ERR_DB, "list tables: %s", sqlite3_errmsg(j->lite));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        int skip = sqlite3_column_int(stmt, 1);
        if (skip && n_virt < 16)
            snprintf(virt[n_virt++], 64, "%s", name);
        for (size_t v = 0; v < n_virt && !skip; v++) {
            size_t len = strlen(virt[v]);
            skip = strncmp(name, virt[v], len) == 0 && name[len] == '_';
        }
        /* derived data, rebuilt on the target from the event log */
        skip |= strcmp(name, "rollups") == 0 || strcmp(name, "rollups_check") == 0;
        if (skip)
            continue;
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *names = xreallocarray(*names, cap, sizeof(**names));
        }
        snprintf((*names)[(*n)++], 64, "%s", name);
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
        free(*names);
        *names = NULL;
        return errbuf_set(j->eb, ERR_DB, "list tables: %s", sqlite3_errmsg(j->lite));
    }
    return 0;
}

/* The columns of table t in both schemas. */
static int load_columns(struct copy_job *j, struct copy_table *t)
{
    const char *params[1] = {t->name};
    PGresult *res;
    sqlite3_stmt *stmt = NULL;
    char sql[128];
    int rc, r = 0;

    t->n_cols = 0;
    t->has_district = 0;
    res = PQexecParams(j->pg,
                       "SELECT column_name, data_type, is_generated <> 'NEVER' FROM "
                       "information_schema.columns WHERE table_schema = current_schema() AND "
                       "table_name = $1 ORDER BY ordinal_position",
                       1, NULL, params, NULL, NULL, 0);
    if (!pg_ok(res)) {
        r = errbuf_set(j->eb, ERR_DB, "columns of %s: %s", t->name, PQresultErrorMessage(res));
        PQclear(res);
        return r;
    }
    if (PQntuples(res) == 0)
        r = errbuf_set(j->eb, ERR_DB, "table %s has no PostgreSQL twin", t->name);
    for (int i = 0; i < PQntuples(res) && r == 0; i++) {
        struct copy_col *c = &t->cols[t->n_cols];
        if (t->n_cols == COPY_MAX_COLS) {
            r = errbuf_set(j->eb, ERR_INTERNAL, "table %s has too many columns", t->name);
            break;
        }
        memset(c, 0, sizeof(*c));
        snprintf(c->name, sizeof(c->name), "%s", PQgetvalue(res, i, 0));
        snprintf(c->pg_type, sizeof(c->pg_type), "%s", PQgetvalue(res, i, 1));
        c->pg_generated = strcmp(PQgetvalue(res, i, 2), "t") == 0;
        t->n_cols++;
    }
    PQclear(res);
    if (r != 0)
        return r;
    snprintf(sql, sizeof(sql), "SELECT name FROM pragma_table_info(?1)");
    if (sqlite3_prepare_v2(j->lite, sql, -1, &stmt, NULL) != SQLITE_OK)
        return errbuf_set(j->eb, ERR_DB, "columns of %s: %s", t->name, sqlite3_errmsg(j->lite));
    sqlite3_bind_text(stmt, 1, t->name, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(stmt, 0);
        int found = 0;
        for (int i = 0; i < t->n_cols; i++) {
            if (strcmp(t->cols[i].name, name) == 0) {
                t->cols[i].in_sqlite = 1;
                found = 1;
            }
        }
        if (!found) {
            r = errbuf_set(j->eb, ERR_DB, "column %s.%s has no PostgreSQL twin", t->name, name);
            break;
        }
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = errbuf_set(j->eb, ERR_DB, "columns of %s: %s", t->name, sqlite3_errmsg(j->lite));
    sqlite3_finalize(stmt);
    for (int i = 0; i < t->n_cols && r == 0; i++) {
        struct copy_col *c = &t->cols[i];
        if (c->in_sqlite || c->pg_generated)
            continue;
        if (strcmp(c->name, "district") == 0)
            t->has_district = 1;
        /* other PostgreSQL-only columns keep their defaults */
    }
    return r;
}

/* Table name exists and has both a district and an id column. */
static int pg_has_district_and_id(struct copy_job *j, const char *name)
{
    const char *params[1] = {name};
    PGresult *res = PQexecParams(j->pg,
                                 "SELECT count(*) FROM information_schema.columns WHERE "
                                 "table_schema = current_schema() AND table_name = $1 AND "
                                 "column_name IN ('district', 'id')",
                                 1, NULL, params, NULL, NULL, 0);
    int yes = pg_ok(res) && strcmp(PQgetvalue(res, 0, 0), "2") == 0;
    PQclear(res);
    return yes;
}

/* The expression giving a staged row (alias s) its district: through the foreign key that
 * carries the district to a parent, else from the row's own area code. */
static int district_expr(struct copy_job *j, const struct copy_table *t, struct buf *out)
{
    const char *params[1] = {t->name};
    PGresult *res = PQexecParams(
        j->pg,
        "SELECT c.conname, a.attname, fa.attname, ft.relname FROM pg_constraint c "
        "CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(att, fatt, ord) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.att "
        "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = k.fatt "
        "JOIN pg_class ft ON ft.oid = c.confrelid "
        "WHERE c.contype = 'f' AND c.conrelid = to_regclass($1) ORDER BY c.conname, k.ord",
        1, NULL, params, NULL, NULL, 0);
    static const char *const own_codes[] = {"cell_code",      "area_code", "grid_code",
                                            "community_code", "area",      "code"};
    int r = 0, found = 0;
    if (!pg_ok(res)) {
        r = errbuf_set(j->eb, ERR_DB, "keys of %s: %s", t->name, PQresultErrorMessage(res));
        PQclear(res);
        return r;
    }
    /* A constraint whose columns include district: district = the parent's, joined on the
     * constraint's other columns. */
    for (int i = 0; i < PQntuples(res) && !found; i++) {
        const char *con = PQgetvalue(res, i, 0);
        int has = 0, first = i, last = i;
        while (last + 1 < PQntuples(res) && strcmp(PQgetvalue(res, last + 1, 0), con) == 0)
            last++;
        for (int k = first; k <= last; k++)
            has |= strcmp(PQgetvalue(res, k, 1), "district") == 0;
        if (has && last > first) {
            buf_append_str(out, "(SELECT p.district FROM ");
            append_ident(j, out, PQgetvalue(res, first, 3));
            buf_append_str(out, " p WHERE ");
            int n = 0;
            for (int k = first; k <= last; k++) {
                if (strcmp(PQgetvalue(res, k, 1), "district") == 0)
                    continue;
                if (n++ > 0)
                    buf_append_str(out, " AND ");
                buf_append_str(out, "p.");
                append_ident(j, out, PQgetvalue(res, k, 2));
                buf_append_str(out, " = s.");
                append_ident(j, out, PQgetvalue(res, k, 1));
            }
            buf_append_str(out, " LIMIT 1)");
            found = 1;
        }
        i = last;
    }
    PQclear(res);
    for (size_t k = 0; k < sizeof(own_codes) / sizeof(own_codes[0]) && !found; k++) {
        for (int i = 0; i < t->n_cols && !found; i++) {
            if (t->cols[i].in_sqlite && strcmp(t->cols[i].name, own_codes[k]) == 0) {
                buf_append_str(out, "substr(s.");
                append_ident(j, out, own_codes[k]);
                buf_append_str(out, ", 1, 6)");
                found = 1;
            }
        }
    }
    /* A reference to a parent by id without a foreign key (case_id -> cases, ...): the
     * parent's district. */
    for (int i = 0; i < t->n_cols && !found; i++) {
        const struct copy_col *c = &t->cols[i];
        size_t len = strlen(c->name);
        char parent[72];
        if (!c->in_sqlite || len < 4 || strcmp(c->name + len - 3, "_id") != 0)
            continue;
        snprintf(parent, sizeof(parent), "%.*ss", (int)(len - 3), c->name);
        if (!pg_has_district_and_id(j, parent))
            continue;
        buf_append_str(out, "(SELECT p.district FROM ");
        append_ident(j, out, parent);
        buf_append_str(out, " p WHERE p.id = s.");
        append_ident(j, out, c->name);
        buf_append_str(out, " LIMIT 1)");
        found = 1;
    }
    if (!found)
        r = errbuf_set(j->eb, ERR_DB, "no rule gives the rows of %s their district", t->name);
    return r;
}

static void report(struct copy_job *j, const char *table)
{
    if (j->fn != NULL)
        j->fn(j->fn_ctx, table, j->done, j->total);
}

/* ---- SQLite -> PostgreSQL ---------------------------------------------------------------------
 */

/* One SQLite value in COPY text format. */
static void copy_value(struct buf *line, sqlite3_stmt *stmt, int col)
{
    static const char hex[] = "0123456789abcdef";
    switch (sqlite3_column_type(stmt, col)) {
    case SQLITE_NULL:
        buf_append_str(line, "\\N");
        break;
    case SQLITE_INTEGER:
        buf_printf(line, "%lld", (long long)sqlite3_column_int64(stmt, col));
        break;
    case SQLITE_FLOAT:
        buf_printf(line, "%.17g", sqlite3_column_double(stmt, col));
        break;
    case SQLITE_BLOB: {
        const unsigned char *p = sqlite3_column_blob(stmt, col);
        int n = sqlite3_column_bytes(stmt, col);
        buf_append_str(line, "\\\\x");
        for (int i = 0; i < n; i++) {
            char two[2] = {hex[p[i] >> 4], hex[p[i] & 15]};
            buf_append(line, two, 2);
        }
        break;
    }
    default: {
        const char *t = (const char *)sqlite3_column_text(stmt, col);
        int n = sqlite3_column_bytes(stmt, col);
        for (int i = 0; i < n; i++) {
            char ch = t[i];
            if (ch == '\\')
                buf_append_str(line, "\\\\");
            else if (ch == '\t')
                buf_append_str(line, "\\t");
            else if (ch == '\n')
                buf_append_str(line, "\\n");
            else if (ch == '\r')
                buf_append_str(line, "\\r");
            else
                buf_append(line, &ch, 1);
        }
    }
    }
}

static int copy_table_to_pg(struct copy_job *j, struct copy_table *t)
{
    struct buf sql, cols, line;
    sqlite3_stmt *stmt = NULL;
    int r = 0, rc, n_copy = 0;
    int is_meta = strcmp(t->name, "meta") == 0;
    buf_init(&sql, 1 << 20);
    buf_init(&cols, 1 << 20);
    buf_init(&line, (size_t)1 << 30);

    for (int i = 0; i < t->n_cols; i++) {
        if (!t->cols[i].in_sqlite || t->cols[i].pg_generated)
            continue;
        if (n_copy++ > 0)
            buf_append_str(&cols, ", ");
        append_ident(j, &cols, t->cols[i].name);
    }
    /* staging table with the shared columns */
    buf_append_str(&sql, "DROP TABLE IF EXISTS gg_stage; CREATE TEMP TABLE gg_stage AS SELECT ");
    buf_append_str(&sql, cstr(&cols));
    buf_append_str(&sql, " FROM ");
    append_ident(j, &sql, t->name);
    buf_append_str(&sql, " WITH NO DATA");
    if ((r = pg_do(j, cstr(&sql), "staging table")) != 0)
        goto out;

    buf_reset(&sql);
    buf_append_str(&sql, "COPY gg_stage (");
    buf_append_str(&sql, cstr(&cols));
    buf_append_str(&sql, ") FROM STDIN");
    PGresult *res = PQexec(j->pg, cstr(&sql));
    if (PQresultStatus(res) != PGRES_COPY_IN) {
        r = errbuf_set(j->eb, ERR_DB, "copy into %s: %s", t->name, PQresultErrorMessage(res));
        PQclear(res);
        goto out;
    }
    PQclear(res);

    buf_reset(&sql);
    buf_append_str(&sql, "SELECT ");
    buf_append_str(&sql, cstr(&cols)); /* identifiers quoted the same way in SQLite */
    buf_append_str(&sql, " FROM ");
    append_ident(j, &sql, t->name);
    if (sqlite3_prepare_v2(j->lite, cstr(&sql), -1, &stmt, NULL) != SQLITE_OK) {
        r = errbuf_set(j->eb, ERR_DB, "read %s: %s", t->name, sqlite3_errmsg(j->lite));
        PQputCopyEnd(j->pg, "read failed");
        PQclear(PQgetResult(j->pg));
        goto out;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        buf_reset(&line);
        for (int c = 0; c < n_copy; c++) {
            if (c > 0)
                buf_append_str(&line, "\t");
            copy_value(&line, stmt, c);
        }
        buf_append_str(&line, "\n");
        if (PQputCopyData(j->pg, cstr(&line), (int)line.len) != 1) {
            r = errbuf_set(j->eb, ERR_DB, "copy into %s: %s", t->name, PQerrorMessage(j->pg));
            break;
        }
        if ((++j->done & 4095) == 0)
            report(j, t->name);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = errbuf_set(j->eb, ERR_DB, "read %s: %s", t->name, sqlite3_errmsg(j->lite));
    sqlite3_finalize(stmt);
    if (PQputCopyEnd(j->pg, r == 0 ? NULL : "aborted") != 1 && r == 0)
        r = errbuf_set(j->eb, ERR_DB, "copy into %s: %s", t->name, PQerrorMessage(j->pg));
    res = PQgetResult(j->pg);
    if (r == 0 && !pg_ok(res))
        r = errbuf_set(j->eb, ERR_DB, "copy into %s: %s", t->name, PQresultErrorMessage(res));
    PQclear(res);
    while ((res = PQgetResult(j->pg)) != NULL)
        PQclear(res);
    if (r != 0)
        goto out;

    /* into the real table, with the district key */
    buf_reset(&sql);
    buf_append_str(&sql, "INSERT INTO ");
    append_ident(j, &sql, t->name);
    buf_append_str(&sql, " (");
    buf_append_str(&sql, cstr(&cols));
    if (t->has_district)
        buf_append_str(&sql, ", district");
    buf_append_str(&sql, ") OVERRIDING SYSTEM VALUE SELECT ");
    for (int i = 0, n = 0; i < t->n_cols; i++) {
        if (!t->cols[i].in_sqlite || t->cols[i].pg_generated)
            continue;
        if (n++ > 0)
            buf_append_str(&sql, ", ");
        buf_append_str(&sql, "s.");
        append_ident(j, &sql, t->cols[i].name);
    }
    if (t->has_district) {
        buf_append_str(&sql, ", ");
        if ((r = district_expr(j, t, &sql)) != 0)
            goto out;
    }
    buf_append_str(&sql, " FROM gg_stage s");
    /* meta: the target's own schema_version stays; the rest comes from the source */
    if (is_meta)
        buf_append_str(&sql, " WHERE s.key <> 'schema_version' ON CONFLICT (key) DO UPDATE "
                             "SET value = excluded.value");
    if ((r = pg_do(j, cstr(&sql), t->name)) != 0)
        goto out;
    /* identity columns continue after the copied ids */
    for (int i = 0; i < t->n_cols; i++) {
        const char *params[2] = {t->name, t->cols[i].name};
        res = PQexecParams(j->pg, "SELECT pg_get_serial_sequence(quote_ident($1), $2) IS NOT NULL",
                           2, NULL, params, NULL, NULL, 0);
        int is_identity = pg_ok(res) && strcmp(PQgetvalue(res, 0, 0), "t") == 0;
        PQclear(res);
        if (!is_identity)
            continue;
        buf_reset(&sql);
        buf_append_str(&sql, "SELECT setval(pg_get_serial_sequence(quote_ident($1), $2), "
                             "greatest(coalesce(max(");
        append_ident(j, &sql, t->cols[i].name);
        buf_append_str(&sql, "), 0), 1), max(");
        append_ident(j, &sql, t->cols[i].name);
        buf_append_str(&sql, ") IS NOT NULL) FROM ");
        append_ident(j, &sql, t->name);
        res = PQexecParams(j->pg, cstr(&sql), 2, NULL, params, NULL, NULL, 0);
        if (!pg_ok(res))
            r = errbuf_set(j->eb, ERR_DB, "sequence of %s: %s", t->name, PQresultErrorMessage(res));
        PQclear(res);
        if (r != 0)
            goto out;
    }
    r = pg_do(j, "DROP TABLE gg_stage", "drop staging table");
out:
    buf_cleanup(&sql);
    buf_cleanup(&cols);
    buf_cleanup(&line);
    return r;
}

/* ---- PostgreSQL -> SQLite ---------------------------------------------------------------------
 */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Undo COPY text escaping of one field in place; returns its length. */
static size_t unescape_field(char *f)
{
    char *o = f;
    for (char *p = f; *p; p++) {
        if (*p != '\\' || p[1] == '\0') {
            *o++ = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 't':
            *o++ = '\t';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'v':
            *o++ = '\v';
            break;
        default:
            *o++ = *p;
            break;
        }
    }
    *o = '\0';
    return (size_t)(o - f);
}

static int is_int_type(const char *t)
{
    return strcmp(t, "bigint") == 0 || strcmp(t, "integer") == 0 || strcmp(t, "smallint") == 0;
}

static int is_real_type(const char *t)
{
    return strcmp(t, "double precision") == 0 || strcmp(t, "real") == 0 ||
           strcmp(t, "numeric") == 0;
}

static int bind_field(sqlite3_stmt *stmt, int i, const struct copy_col *c, char *field)
{
    if (strcmp(field, "\\N") == 0)
        return sqlite3_bind_null(stmt, i);
    size_t len = unescape_field(field);
    if (is_int_type(c->pg_type))
        return sqlite3_bind_int64(stmt, i, strtoll(field, NULL, 10));
    if (is_real_type(c->pg_type))
        return sqlite3_bind_double(stmt, i, strtod(field, NULL));
    if (strcmp(c->pg_type, "bytea") == 0 && len >= 2 && field[0] == '\\' && field[1] == 'x') {
        size_t n = (len - 2) / 2;
        unsigned char *blob = xmalloc(n > 0 ? n : 1);
        for (size_t k = 0; k < n; k++) {
            int hi = hexval(field[2 + 2 * k]), lo = hexval(field[3 + 2 * k]);
            blob[k] = (unsigned char)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
        }
        return sqlite3_bind_blob(stmt, i, blob, (int)n, free);
    }
    return sqlite3_bind_text(stmt, i, field, (int)len, SQLITE_TRANSIENT);
}

static int copy_table_to_sqlite(struct copy_job *j, struct copy_table *t)
{
    struct buf sql, cols, ins;
    sqlite3_stmt *stmt = NULL;
    const struct copy_col *shared[COPY_MAX_COLS];
    int n = 0, r = 0;
    int is_meta = strcmp(t->name, "meta") == 0;
    char *row = NULL;
    PGresult *res;
    buf_init(&sql, 1 << 20);
    buf_init(&cols, 1 << 20);
    buf_init(&ins, 1 << 20);

    for (int i = 0; i < t->n_cols; i++) {
        if (!t->cols[i].in_sqlite)
            continue;
        if (n > 0)
            buf_append_str(&cols, ", ");
        append_ident(j, &cols, t->cols[i].name);
        shared[n++] = &t->cols[i];
    }
    buf_append_str(&ins, is_meta ? "INSERT OR REPLACE INTO " : "INSERT INTO ");
    append_ident(j, &ins, t->name);
    buf_append_str(&ins, " (");
    buf_append_str(&ins, cstr(&cols));
    buf_append_str(&ins, ") VALUES (");
    for (int i = 0; i < n; i++)
        buf_printf(&ins, "%s?%d", i ? ", " : "", i + 1);
    buf_append_str(&ins, ")");
    if (sqlite3_prepare_v2(j->lite, cstr(&ins), -1, &stmt, NULL) != SQLITE_OK) {
        r = errbuf_set(j->eb, ERR_DB, "write %s: %s", t->name, sqlite3_errmsg(j->lite));
        goto out;
    }
    buf_append_str(&sql, "COPY (SELECT ");
    buf_append_str(&sql, cstr(&cols));
    buf_append_str(&sql, " FROM ");
    append_ident(j, &sql, t->name);
    /* the target's own bookkeeping stays: its schema version and full-text cursor */
    if (is_meta)
        buf_append_str(&sql, " WHERE key NOT IN ('schema_version', 'cases_fts_upto')");
    buf_append_str(&sql, ") TO STDOUT");
    res = PQexec(j->pg, cstr(&sql));
    if (PQresultStatus(res) != PGRES_COPY_OUT) {
        r = errbuf_set(j->eb, ERR_DB, "read %s: %s", t->name, PQresultErrorMessage(res));
        PQclear(res);
        goto out;
    }
    PQclear(res);
    for (;;) {
        int len = PQgetCopyData(j->pg, &row, 0);
        if (len == -1)
            break;
        if (len < 0) {
            r = errbuf_set(j->eb, ERR_DB, "read %s: %s", t->name, PQerrorMessage(j->pg));
            break;
        }
        if (len > 0 && row[len - 1] == '\n')
            row[len - 1] = '\0';
        char *field = row;
        for (int c = 0; c < n && r == 0; c++) {
            char *tab = strchr(field, '\t');
            if (tab != NULL)
                *tab = '\0';
            else if (c < n - 1)
                r = errbuf_set(j->eb, ERR_DB, "read %s: short row", t->name);
            if (r == 0 && bind_field(stmt, c + 1, shared[c], field) != SQLITE_OK)
                r = errbuf_set(j->eb, ERR_DB, "write %s: %s", t->name, sqlite3_errmsg(j->lite));
            field = tab ? tab + 1 : field + strlen(field);
        }
        PQfreemem(row);
        row = NULL;
        if (r == 0 && sqlite3_step(stmt) != SQLITE_DONE)
            r = errbuf_set(j->eb, ERR_DB, "write %s: %s", t->name, sqlite3_errmsg(j->lite));
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
        if (r != 0)
            break;
        if ((++j->done & 4095) == 0)
            report(j, t->name);
    }
    while ((res = PQgetResult(j->pg)) != NULL) {
        if (r == 0 && !pg_ok(res))
            r = errbuf_set(j->eb, ERR_DB, "read %s: %s", t->name, PQresultErrorMessage(res));
        PQclear(res);
    }
out:
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    buf_cleanup(&cols);
    buf_cleanup(&ins);
    return r;
}

/* ---- the whole copy ------------------------------------------------------------------------- */

static int count_rows_lite(struct copy_job *j, const char *table, int64_t *out)
{
    struct buf sql;
    sqlite3_stmt *stmt = NULL;
    int r = 0;
    buf_init(&sql, 1 << 20);
    buf_append_str(&sql, "SELECT count(*) FROM ");
    append_ident(j, &sql, table);
    if (sqlite3_prepare_v2(j->lite, cstr(&sql), -1, &stmt, NULL) != SQLITE_OK ||
        sqlite3_step(stmt) != SQLITE_ROW)
        r = errbuf_set(j->eb, ERR_DB, "count %s: %s", table, sqlite3_errmsg(j->lite));
    else
        *out = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    buf_cleanup(&sql);
    return r;
}

static int count_rows_pg(struct copy_job *j, const char *table, int64_t *out)
{
    struct buf sql;
    PGresult *res;
    int r = 0;
    buf_init(&sql, 1 << 20);
    buf_append_str(&sql, "SELECT count(*) FROM ");
    append_ident(j, &sql, table);
    res = PQexec(j->pg, cstr(&sql));
    if (!pg_ok(res))
        r = errbuf_set(j->eb, ERR_DB, "count %s: %s", table, PQresultErrorMessage(res));
    else
        *out = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
    PQclear(res);
    buf_cleanup(&sql);
    return r;
}

/* Rows the target already holds beyond what a new database has (meta, and nothing else). */
static int target_is_empty(struct copy_job *j, char (*names)[64], size_t n, int to_pg)
{
    for (size_t i = 0; i < n; i++) {
        int64_t rows = 0;
        int r;
        if (strcmp(names[i], "meta") == 0)
            continue;
        r = to_pg ? count_rows_pg(j, names[i], &rows) : count_rows_lite(j, names[i], &rows);
        if (r != 0)
            return r;
        if (rows > 0)
            return errbuf_set(j->eb, ERR_EXISTS,
                              "the target already holds data (%lld rows in %s): copy into a new, "
                              "empty database",
                              (long long)rows, names[i]);
    }
    return 0;
}

int store_copy(const char *from_url, const char *to_url, store_copy_progress_fn fn, void *fn_ctx,
               struct store_copy_result *res, struct errbuf *eb)
{
    struct copy_job j;
    struct store *src = NULL, *dst = NULL;
    char(*names)[64] = NULL;
    size_t n = 0;
    int to_pg = is_url_pg(to_url), from_pg = is_url_pg(from_url);
    int r, v_src = 0, v_dst = 0;
    struct copy_table *t = xcalloc(1, sizeof(*t));

    memset(&j, 0, sizeof(j));
    memset(res, 0, sizeof(*res));
    j.fn = fn;
    j.fn_ctx = fn_ctx;
    j.eb = eb;
    if (to_pg == from_pg) {
        r = errbuf_set(eb, ERR_INVALID,
                       "migrate copies between SQLite and PostgreSQL (one of each); to copy a "
                       "database of the same kind use gridgov backup");
        goto out;
    }
    /* Both through the store first: the target gets the current schema, the source must be
     * at it already (upgrade it with gridgov init). */
    if ((r = store_open(from_url, STORE_READONLY, &src, eb)) != 0)
        goto out;
    if ((r = store_schema_version(src, &v_src)) != 0)
        goto out;
    if ((r = store_open(to_url, STORE_CREATE, &dst, eb)) != 0)
        goto out;
    if ((r = store_schema_version(dst, &v_dst)) != 0)
        goto out;
    store_close(src);
    store_close(dst);
    src = dst = NULL;
    if (v_src != v_dst) {
        r = errbuf_set(eb, ERR_INVALID,
                       "the source is at schema version %d, this gridgov at %d: run gridgov init "
                       "--db on the source first",
                       v_src, v_dst);
        goto out;
    }
    if (sqlite3_open_v2(sqlite_path(to_pg ? from_url : to_url), &j.lite,
                        to_pg ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        r = errbuf_set(eb, ERR_IO, "cannot open %s: %s", to_pg ? from_url : to_url,
                       j.lite ? sqlite3_errmsg(j.lite) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(j.lite, 10000);
    j.pg = PQconnectdb(to_pg ? to_url : from_url);
    if (PQstatus(j.pg) != CONNECTION_OK) {
        r = errbuf_set(eb, ERR_IO, "cannot connect to PostgreSQL: %s", PQerrorMessage(j.pg));
        goto out;
    }
    if ((r = pg_do(&j, "SET client_encoding = 'UTF8'; SET client_min_messages = warning",
                   "configure session")) != 0)
        goto out;
    /* One snapshot of the source, one transaction on the target. */
    if (sqlite3_exec(j.lite, to_pg ? "BEGIN" : "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        r = errbuf_set(eb, ERR_DB, "begin: %s", sqlite3_errmsg(j.lite));
        goto out;
    }
    if ((r = pg_do(&j, to_pg ? "BEGIN" : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
                   "begin")) != 0)
        goto rollback;
    if ((r = list_tables(&j, &names, &n)) != 0)
        goto rollback;
    if (names == NULL) {
        r = errbuf_set(eb, ERR_DB, "the SQLite database holds no tables");
        goto rollback;
    }
    if ((r = target_is_empty(&j, names, n, to_pg)) != 0)
        goto rollback;
    for (size_t i = 0; i < n; i++) {
        int64_t rows = 0;
        r = from_pg ? count_rows_pg(&j, names[i], &rows) : count_rows_lite(&j, names[i], &rows);
        if (r != 0)
            goto rollback;
        j.total += rows;
    }
    for (size_t i = 0; i < n; i++) {
        memset(t, 0, sizeof(*t));
        snprintf(t->name, sizeof(t->name), "%s", names[i]);
        if ((r = load_columns(&j, t)) != 0)
            goto rollback;
        r = to_pg ? copy_table_to_pg(&j, t) : copy_table_to_sqlite(&j, t);
        if (r != 0)
            goto rollback;
        report(&j, t->name);
    }
    /* The roll-ups were not copied: the target rebuilds them from its events. */
    if (to_pg)
        r = pg_do(&j,
                  "INSERT INTO meta(key, value) VALUES ('rollups_stale', '1') ON CONFLICT (key) "
                  "DO UPDATE SET value = excluded.value",
                  "mark roll-ups stale");
    else if (sqlite3_exec(j.lite,
                          "INSERT OR REPLACE INTO meta(key, value) VALUES "
                          "('rollups_stale', '1')",
                          NULL, NULL, NULL) != SQLITE_OK)
        r = errbuf_set(eb, ERR_DB, "mark roll-ups stale: %s", sqlite3_errmsg(j.lite));
    if (r != 0)
        goto rollback;
    /* Verify: every table holds as many rows on both sides (meta aside: each keeps its own
     * bookkeeping keys). */
    for (size_t i = 0; i < n; i++) {
        int64_t a = 0, b = 0;
        if (strcmp(names[i], "meta") == 0)
            continue;
        if ((r = count_rows_lite(&j, names[i], &a)) != 0 ||
            (r = count_rows_pg(&j, names[i], &b)) != 0)
            goto rollback;
        if (a != b) {
            r = errbuf_set(eb, ERR_DB, "table %s: %lld rows in SQLite, %lld in PostgreSQL",
                           names[i], (long long)a, (long long)b);
            goto rollback;
        }
        res->tables++;
        res->rows += a;
    }
    if (to_pg) {
        if ((r = pg_do(&j, "COMMIT", "commit")) != 0)
            goto rollback;
        sqlite3_exec(j.lite, "COMMIT", NULL, NULL, NULL);
    } else {
        if (sqlite3_exec(j.lite, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
            r = errbuf_set(eb, ERR_DB, "commit: %s", sqlite3_errmsg(j.lite));
            goto rollback;
        }
        pg_do(&j, "COMMIT", "end snapshot");
    }
    r = 0;
    goto out;
rollback:
    sqlite3_exec(j.lite, "ROLLBACK", NULL, NULL, NULL);
    PQclear(PQexec(j.pg, "ROLLBACK"));
out:
    free(names);
    free(t);
    store_close(src);
    store_close(dst);
    if (j.pg != NULL)
        PQfinish(j.pg);
    if (j.lite != NULL)
        sqlite3_close(j.lite);
    if (r == 0) {
        /* The target's full-text indexes, from the copied rows. */
        struct store *st = NULL;
        if ((r = store_open(to_url, 0, &st, eb)) == 0) {
            r = store_bd_reindex(st);
            if (r == 0)
                r = store_maintain(st);
            if (r != 0)
                errbuf_set(eb, r, "rebuilding the text indexes of the copy failed");
            else if (store_refresh_statistics(st) != 0) /* the copy is complete without it */
                log_warn("migrate", "the copy is complete, but refreshing the planner's "
                                    "statistics failed: run ANALYZE on the target");
            store_close(st);
        }
    }
    return r;
}
