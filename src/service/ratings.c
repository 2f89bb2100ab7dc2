/*
 * ratings.c - composite scores of areas and yearly star ratings of communities (see
 * ratings.h): indicators from the roll-ups (service/rollups.c), survey means from the
 * responses (store_survey_sums), the formulas of domain/rating.c.
 */
#include "service/ratings.h"

#include "base/jsonutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/indicators.h"
#include "domain/survey.h"
#include "service/rollups.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ratings_settings_load(struct store *st, struct rating_settings *out)
{
    char *text = NULL;
    int r = store_meta_get_text(st, RATINGS_SETTINGS_KEY, &text);
    if (r == ERR_NOT_FOUND) {
        rating_settings_default(out);
        return 0;
    }
    if (r != 0)
        return r;
    /* Only ratings_settings_store writes it, from a valid document. */
    r = rating_settings_parse(text, strlen(text), out, NULL) == 0 ? 0 : ERR_INTERNAL;
    free(text);
    return r;
}

int ratings_settings_store(struct store *st, const char *csv, size_t len, struct errbuf *eb)
{
    struct rating_settings s;
    char *text;
    int r;
    if ((r = rating_settings_parse(csv, len, &s, eb)) != 0)
        return r;
    text = xmalloc(len + 1);
    memcpy(text, csv, len);
    text[len] = '\0';
    if ((r = store_begin(st)) == 0) {
        if ((r = store_meta_set(st, RATINGS_SETTINGS_KEY, text)) == 0)
            r = store_commit(st);
        else
            store_rollback(st);
    }
    free(text);
    return r;
}

/* ---- filling rows ---------------------------------------------------------------------------- */

struct fill_ctx {
    struct ratings_row *rows; /* sorted by area code */
    size_t n;
    struct indicator_settings is;
    int64_t k;
    const char *total_area; /* a BY_TOTAL query's row "" belongs to this area */
};

static int compare_row(const void *key, const void *elem)
{
    return strcmp(key, ((const struct ratings_row *)elem)->area);
}

static struct ratings_row *find_row(struct fill_ctx *c, const char *area)
{
    if (c->n == 0)
        return NULL;
    return bsearch(area, c->rows, c->n, sizeof(*c->rows), compare_row);
}

static int on_rollup(void *arg, const char *key, const struct rollup_counters *sum)
{
    struct fill_ctx *c = arg;
    const char *area = key[0] == '\0' ? c->total_area : key;
    struct ratings_row *row = area != NULL ? find_row(c, area) : NULL;
    double iv[INDICATOR_VALUE_COUNT];
    if (row == NULL)
        return 0;
    indicator_compute(sum, &c->is, iv);
    rating_components(iv, NAN, NAN, row->values);
    row->cases = sum->v[RF_collected];
    return 0;
}

static int on_survey(void *arg, const char *key, const struct survey_sums *s)
{
    struct fill_ctx *c = arg;
    struct ratings_row *row = find_row(c, key);
    if (row == NULL)
        return 0;
    row->survey_responses = s->responses;
    if (s->responses < c->k)
        return 0; /* too few answers to count */
    for (int i = 0; i < SURVEY_SCORES; i++)
        row->survey[i] = s->count[i] > 0 ? s->sum[i] / (double)s->count[i] : NAN;
    row->values[RC_SURVEY_SECURITY] = row->survey[SURVEY_SCORE_SECURITY];
    row->values[RC_SURVEY_SATISFACTION] = row->survey[SURVEY_SCORE_SATISFACTION];
    return 0;
}

static void init_row(struct ratings_row *row, const char *code, const char *name)
{
    memset(row, 0, sizeof(*row));
    snprintf(row->area, sizeof(row->area), "%s", code);
    snprintf(row->name, sizeof(row->name), "%s", name);
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
        row->values[i] = NAN;
    for (int i = 0; i < SURVEY_SCORES; i++)
        row->survey[i] = NAN;
}

/* Score and rank every row. */
static void finish_rows(struct ratings_row *rows, size_t n, const struct rating_settings *s)
{
    double *scores = xcalloc(n + 1, sizeof(*scores));
    int *ranks = xcalloc(n + 1, sizeof(*ranks));
    for (size_t i = 0; i < n; i++) {
        rating_score(rows[i].values, s, &rows[i].result);
        scores[i] = rows[i].result.score;
    }
    rating_rank(scores, n, ranks);
    for (size_t i = 0; i < n; i++)
        rows[i].rank = ranks[i];
    free(scores);
    free(ranks);
}

int ratings_scores(struct store *st, const struct config *cfg, const char *area, int from_day,
                   int to_day, const struct rating_settings *s, struct ratings_row **rows,
                   size_t *n)
{
    struct area_list kids = {0};
    struct fill_ctx c;
    int r;
    *rows = NULL;
    *n = 0;
    if (!areacode_is_valid(area) || from_day > to_day)
        return ERR_INVALID;
    if ((r = store_area_children(st, area, 0, &kids)) != 0)
        return r;
    memset(&c, 0, sizeof(c));
    c.rows = xcalloc(kids.len + 1, sizeof(*c.rows));
    c.n = kids.len;
    c.k = cfg->public_stats_min_count;
    rollups_settings(cfg, &c.is);
    for (size_t i = 0; i < kids.len; i++)
        init_row(&c.rows[i], kids.items[i].code, kids.items[i].name);
    area_list_cleanup(&kids);
    if (c.n > 0 && ((r = rollups_query(st, area, from_day, to_day, "", ROLLUPS_BY_CHILD, on_rollup,
                                       &c)) != 0 ||
                    (r = store_survey_sums(st, 0, from_day, to_day, area,
                                           (int)strlen(c.rows[0].area), on_survey, &c)) != 0)) {
        free(c.rows);
        return r;
    }
    finish_rows(c.rows, c.n, s);
    *rows = c.rows;
    *n = c.n;
    return 0;
}

/* ---- star ratings ------------------------------------------------------------------------------
 */

struct communities {
    struct ratings_row *rows;
    size_t n, cap;
};

static int on_community(void *arg, const struct area *a)
{
    struct communities *cs = arg;
    if (a->level != AREA_COMMUNITY)
        return 0;
    if (cs->n == cs->cap) {
        cs->cap = cs->cap ? cs->cap * 2 : 64;
        cs->rows = xrealloc(cs->rows, cs->cap * sizeof(*cs->rows));
    }
    init_row(&cs->rows[cs->n++], a->code, a->name);
    return 0;
}

static char *components_json(const struct ratings_row *row)
{
    json_t *o = json_object();
    char *text;
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
        json_object_set_new(o, rating_component_name((enum rating_component)i),
                            isnan(row->result.sub[i]) ? json_null()
                                                      : json_real(row->result.sub[i]));
    json_object_set_new(o, "coverage", json_real(row->result.coverage));
    json_object_set_new(o, "cases", json_integer(row->cases));
    text = json_dump_compact(o);
    json_decref(o);
    return text;
}

int ratings_rate_stars(struct store *st, const struct config *cfg, const char *area, int year,
                       int64_t user_id, int64_t now_ms, int64_t *rated, struct errbuf *eb)
{
    struct communities cs = {0};
    struct rating_settings s;
    struct fill_ctx c;
    int level = areacode_level(area), from = year * 10000 + 101, to = year * 10000 + 1231, r;
    int64_t existing = 0;
    *rated = 0;
    if (level == 0 || level > AREA_COMMUNITY)
        return errbuf_set(eb, ERR_INVALID, "area must be a community or an area above one");
    if (year < 2000 || year > 2199)
        return errbuf_set(eb, ERR_INVALID, "year must be from 2000 to 2199");
    if ((r = ratings_settings_load(st, &s)) != 0)
        return r;
    if ((r = store_area_walk(st, area, AREA_COMMUNITY, 0, on_community, &cs)) != 0)
        goto out;
    memset(&c, 0, sizeof(c));
    c.rows = cs.rows;
    c.n = cs.n;
    c.k = cfg->public_stats_min_count;
    c.total_area = area;
    rollups_settings(cfg, &c.is);
    if (cs.n == 0) {
        r = errbuf_set(eb, ERR_NOT_FOUND, "no community in area %s", area);
        goto out;
    }
    if ((r = level == AREA_COMMUNITY
                 ? rollups_query(st, area, from, to, "", ROLLUPS_BY_TOTAL, on_rollup, &c)
                 : rollups_query_level(st, area, AREA_COMMUNITY, from, to, "", on_rollup, &c)) !=
            0 ||
        (r = store_survey_sums(st, 0, from, to, area, (int)areacode_length(AREA_COMMUNITY),
                               on_survey, &c)) != 0)
        goto out;
    finish_rows(cs.rows, cs.n, &s);
    if ((r = store_begin(st)) != 0)
        goto out;
    if ((r = store_star_rating_count(st, year, area, &existing)) == 0 && existing > 0)
        r = errbuf_set(eb, ERR_EXISTS, "%lld communities of %s are already rated for %d",
                       (long long)existing, area, year);
    for (size_t i = 0; r == 0 && i < cs.n; i++) {
        const struct ratings_row *row = &cs.rows[i];
        struct star_rating_rec sr;
        char *components = components_json(row);
        memset(&sr, 0, sizeof(sr));
        sr.year = year;
        snprintf(sr.area, sizeof(sr.area), "%s", row->area);
        sr.score = row->result.score;
        sr.survey_score = row->survey[SURVEY_SCORE_OVERALL];
        sr.survey_responses = row->survey_responses;
        sr.stars = rating_stars(sr.score, sr.survey_score, &s);
        sr.components = components;
        sr.rated_by = user_id;
        sr.rated_ms = now_ms;
        r = store_star_rating_insert(st, &sr);
        free(components);
        if (r == 0)
            (*rated)++;
    }
    if (r == 0)
        r = store_commit(st);
    else
        store_rollback(st);
    if (r != 0)
        *rated = 0;
out:
    free(cs.rows);
    return r;
}
