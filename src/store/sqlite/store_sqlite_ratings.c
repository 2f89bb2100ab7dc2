/*
 * store_sqlite_ratings.c - resident surveys, their responses and the yearly star ratings on
 * SQLite (see store.h for the contracts; tables in migrations.c, version 10).
 *
 * Plain SQL (substr, ranges on the area code, SUM/COUNT): the PostgreSQL backend can use the
 * same statements. A subtree is the range [area, area || ':'). Infrequent statements: each
 * call prepares its own and finalizes it.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/xalloc.h"

#include <math.h>
#include <string.h>

static sqlite3_stmt *prepare(struct sqlite_store *s, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        sq_fail(s, "prepare ratings statement");
        sqlite3_finalize(stmt);
        return NULL;
    }
    return stmt;
}

static void bind_score(sqlite3_stmt *stmt, int i, double v)
{
    if (isnan(v))
        sqlite3_bind_null(stmt, i);
    else
        sqlite3_bind_double(stmt, i, v);
}

static double column_score(sqlite3_stmt *stmt, int col)
{
    return sqlite3_column_type(stmt, col) == SQLITE_NULL ? NAN : sqlite3_column_double(stmt, col);
}

/* The upper end of area's subtree range: area || ':' (':' sorts right after '9'). */
static void subtree_end(const char *area, char out[24])
{
    size_t n = strlen(area);
    if (n > 19)
        n = 19;
    memcpy(out, area, n);
    out[n] = ':';
    out[n + 1] = '\0';
}

/* An insert: 0, ERR_EXISTS for a constraint (the key is taken), else the failure. */
static int insert_result(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what)
{
    int r = 0;
    if (sqlite3_step(stmt) != SQLITE_DONE)
        r = (sqlite3_extended_errcode(s->db) & 0xff) == SQLITE_CONSTRAINT ? ERR_EXISTS
                                                                          : sq_fail(s, what);
    sqlite3_finalize(stmt);
    return r;
}

/* ---- surveys --------------------------------------------------------------------------- */

int sq_survey_insert(struct store *st, struct survey_rec *sv)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(
        s, "INSERT INTO surveys(title, area, year, quarter, opens_day, closes_day, "
           "definition, created_by, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, sv->title);
    bind_text(stmt, 2, sv->area);
    sqlite3_bind_int(stmt, 3, sv->year);
    sqlite3_bind_int(stmt, 4, sv->quarter);
    sqlite3_bind_int(stmt, 5, sv->opens_day);
    sqlite3_bind_int(stmt, 6, sv->closes_day);
    bind_text(stmt, 7, sv->definition);
    sqlite3_bind_int64(stmt, 8, sv->created_by);
    sqlite3_bind_int64(stmt, 9, sv->created_ms);
    if ((r = insert_result(s, stmt, "survey insert")) == 0)
        sv->id = sqlite3_last_insert_rowid(s->db);
    return r;
}

/* Columns 0..8 of a survey row (without the definition). */
static void read_survey(sqlite3_stmt *stmt, struct survey_rec *out)
{
    memset(out, 0, sizeof(*out));
    out->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, out->title, sizeof(out->title));
    copy_col(stmt, 2, out->area, sizeof(out->area));
    out->year = sqlite3_column_int(stmt, 3);
    out->quarter = sqlite3_column_int(stmt, 4);
    out->opens_day = sqlite3_column_int(stmt, 5);
    out->closes_day = sqlite3_column_int(stmt, 6);
    out->created_by = sqlite3_column_int64(stmt, 7);
    out->created_ms = sqlite3_column_int64(stmt, 8);
}

#define SURVEY_COLUMNS                                                                             \
    "id, title, area, year, quarter, opens_day, closes_day, created_by, created_ms"

int sq_survey_get(struct store *st, int64_t id, struct survey_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "SELECT " SURVEY_COLUMNS ", definition FROM surveys WHERE id = ?1");
    int rc, r = 0;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        const char *def = (const char *)sqlite3_column_text(stmt, 9);
        read_survey(stmt, out);
        out->definition = xstrdup(def ? def : "");
    } else {
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "survey get");
    }
    sqlite3_finalize(stmt);
    return r;
}

int sq_survey_list(struct store *st, int limit, store_survey_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "SELECT " SURVEY_COLUMNS " FROM surveys ORDER BY id DESC LIMIT ?1");
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int(stmt, 1, limit);
    while (r == 0 && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct survey_rec sv;
        read_survey(stmt, &sv);
        r = fn(ctx, &sv);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "survey list");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- responses --------------------------------------------------------------------------- */

int sq_survey_response_insert(struct store *st, const struct survey_response_rec *rr)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "INSERT INTO survey_responses(survey_id, respondent, area, answers, score, "
                   "score_security, score_satisfaction, source, created_ms) "
                   "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, rr->survey_id);
    bind_text(stmt, 2, rr->respondent);
    bind_text(stmt, 3, rr->area);
    bind_text(stmt, 4, rr->answers);
    for (int k = 0; k < SURVEY_SCORES; k++)
        bind_score(stmt, 5 + k, rr->score[k]);
    bind_text(stmt, 8, rr->source);
    sqlite3_bind_int64(stmt, 9, rr->created_ms);
    return insert_result(s, stmt, "survey response insert");
}

int sq_survey_sums(struct store *st, int64_t survey_id, int from_day, int to_day, const char *area,
                   int key_len, store_survey_sums_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "SELECT substr(r.area, 1, ?1) AS k, COUNT(*), SUM(r.score), COUNT(r.score), "
                   "SUM(r.score_security), COUNT(r.score_security), SUM(r.score_satisfaction), "
                   "COUNT(r.score_satisfaction) "
                   "FROM survey_responses r JOIN surveys v ON v.id = r.survey_id "
                   "WHERE r.area >= ?2 AND r.area < ?3 AND "
                   "(v.id = ?4 OR (?4 = 0 AND v.opens_day <= ?6 AND v.closes_day >= ?5)) "
                   "GROUP BY substr(r.area, 1, ?1) ORDER BY k");
    char end[24];
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    subtree_end(area, end);
    sqlite3_bind_int(stmt, 1, key_len);
    bind_text(stmt, 2, area);
    bind_text(stmt, 3, end);
    sqlite3_bind_int64(stmt, 4, survey_id);
    sqlite3_bind_int(stmt, 5, from_day);
    sqlite3_bind_int(stmt, 6, to_day);
    while (r == 0 && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct survey_sums sums;
        char key[24];
        copy_col(stmt, 0, key, sizeof(key));
        sums.responses = sqlite3_column_int64(stmt, 1);
        for (int k = 0; k < SURVEY_SCORES; k++) {
            sums.sum[k] = sqlite3_column_double(stmt, 2 + 2 * k);
            sums.count[k] = sqlite3_column_int64(stmt, 3 + 2 * k);
        }
        r = fn(ctx, key, &sums);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "survey sums");
    sqlite3_finalize(stmt);
    return r;
}

/* ---- star ratings -------------------------------------------------------------------------- */

int sq_star_rating_insert(struct store *st, const struct star_rating_rec *sr)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        prepare(s, "INSERT INTO star_ratings(year, area, score, survey_score, survey_responses, "
                   "stars, components, rated_by, rated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                   "?9)");
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int(stmt, 1, sr->year);
    bind_text(stmt, 2, sr->area);
    bind_score(stmt, 3, sr->score);
    bind_score(stmt, 4, sr->survey_score);
    sqlite3_bind_int64(stmt, 5, sr->survey_responses);
    sqlite3_bind_int(stmt, 6, sr->stars);
    bind_text(stmt, 7, sr->components ? sr->components : "{}");
    sqlite3_bind_int64(stmt, 8, sr->rated_by);
    sqlite3_bind_int64(stmt, 9, sr->rated_ms);
    return insert_result(s, stmt, "star rating insert");
}

int sq_star_rating_count(struct store *st, int year, const char *area, int64_t *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(
        s, "SELECT COUNT(*) FROM star_ratings WHERE year = ?1 AND area >= ?2 AND area < ?3");
    char end[24];
    int r = 0;
    *out = 0;
    if (stmt == NULL)
        return ERR_DB;
    subtree_end(area, end);
    sqlite3_bind_int(stmt, 1, year);
    bind_text(stmt, 2, area);
    bind_text(stmt, 3, end);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        *out = sqlite3_column_int64(stmt, 0);
    else
        r = sq_fail(s, "star rating count");
    sqlite3_finalize(stmt);
    return r;
}

int sq_star_rating_list(struct store *st, int year, const char *area, store_star_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = prepare(
        s, "SELECT year, area, score, survey_score, survey_responses, stars, components, "
           "rated_by, rated_ms FROM star_ratings WHERE year = ?1 AND area >= ?2 AND area < ?3 "
           "ORDER BY area");
    char end[24];
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    subtree_end(area, end);
    sqlite3_bind_int(stmt, 1, year);
    bind_text(stmt, 2, area);
    bind_text(stmt, 3, end);
    while (r == 0 && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct star_rating_rec sr;
        memset(&sr, 0, sizeof(sr));
        sr.year = sqlite3_column_int(stmt, 0);
        copy_col(stmt, 1, sr.area, sizeof(sr.area));
        sr.score = column_score(stmt, 2);
        sr.survey_score = column_score(stmt, 3);
        sr.survey_responses = sqlite3_column_int64(stmt, 4);
        sr.stars = sqlite3_column_int(stmt, 5);
        sr.components = (const char *)sqlite3_column_text(stmt, 6);
        sr.rated_by = sqlite3_column_int64(stmt, 7);
        sr.rated_ms = sqlite3_column_int64(stmt, 8);
        r = fn(ctx, &sr);
    }
    if (r == 0 && rc != SQLITE_DONE)
        r = sq_fail(s, "star rating list");
    sqlite3_finalize(stmt);
    return r;
}
