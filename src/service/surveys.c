/*
 * surveys.c - resident surveys: questionnaires, responses, CSV import, results (see
 * surveys.h; the scoring is domain/survey.c).
 */
#include "service/surveys.h"

#include "base/csv.h"
#include "base/jsonutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/indicators.h"
#include "domain/rating.h"

#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the questionnaire as JSON --------------------------------------------------------- */

static int question_from_json(const json_t *jq, int index, struct survey_question *q,
                              struct errbuf *eb)
{
    static const char *const keys[] = {"id",     "text",    "type",   "dimension",
                                       "weight", "options", "scores", NULL};
    const char *id = NULL, *text = NULL, *type = NULL, *dimension = NULL;
    const json_t *options, *scores;
    double weight = 1;
    int r, is_set = 0;
    if (!json_is_object(jq))
        return errbuf_set(eb, ERR_INVALID, "question %d must be an object", index + 1);
    if ((r = json_check_keys(jq, keys, eb)) != 0 ||
        (r = json_get_string(jq, "id", 1, SURVEY_ID_MAX, &id, eb)) != 0 ||
        (r = json_get_string(jq, "text", 1, SURVEY_TEXT_MAX, &text, eb)) != 0 ||
        (r = json_get_string(jq, "type", 1, 16, &type, eb)) != 0 ||
        (r = json_get_string(jq, "dimension", 1, 16, &dimension, eb)) != 0 ||
        (r = json_get_number(jq, "weight", 0, 0, 1000, &weight, &is_set, eb)) != 0)
        return r;
    memset(q, 0, sizeof(*q));
    snprintf(q->id, sizeof(q->id), "%s", id);
    snprintf(q->text, sizeof(q->text), "%s", text);
    q->weight = is_set ? weight : 1;
    if (survey_qtype_parse(type, &q->type) != 0)
        return errbuf_set(eb, ERR_INVALID, "question '%s': type must be rating, choice or yesno",
                          id);
    if (survey_dimension_parse(dimension, &q->dimension) != 0)
        return errbuf_set(eb, ERR_INVALID,
                          "question '%s': dimension must be security or satisfaction", id);
    options = json_object_get(jq, "options");
    scores = json_object_get(jq, "scores");
    if (q->type != SURVEY_CHOICE && options != NULL)
        return errbuf_set(eb, ERR_INVALID, "question '%s': only a choice has options", id);
    if (q->type != SURVEY_YESNO && scores != NULL)
        return errbuf_set(eb, ERR_INVALID, "question '%s': only a yes/no question has scores", id);
    if (q->type == SURVEY_YESNO) {
        survey_question_set_yesno(q);
        if (scores != NULL) {
            if (!json_is_array(scores) || json_array_size(scores) != 2 ||
                !json_is_number(json_array_get(scores, 0)) ||
                !json_is_number(json_array_get(scores, 1)))
                return errbuf_set(eb, ERR_INVALID,
                                  "question '%s': scores must be [score of yes, score of no]", id);
            q->option_score[0] = json_number_value(json_array_get(scores, 0));
            q->option_score[1] = json_number_value(json_array_get(scores, 1));
        }
    } else if (q->type == SURVEY_CHOICE) {
        size_t i;
        const json_t *o;
        if (!json_is_array(options) || json_array_size(options) > SURVEY_OPTIONS_MAX)
            return errbuf_set(eb, ERR_INVALID,
                              "question '%s': options must be a list of at most %d "
                              "{\"label\", \"score\"}",
                              id, SURVEY_OPTIONS_MAX);
        json_array_foreach(options, i, o)
        {
            static const char *const okeys[] = {"label", "score", NULL};
            const char *label = NULL;
            double score = 0;
            if (!json_is_object(o))
                return errbuf_set(eb, ERR_INVALID, "question '%s': option %zu must be an object",
                                  id, i + 1);
            if ((r = json_check_keys(o, okeys, eb)) != 0 ||
                (r = json_get_string(o, "label", 1, SURVEY_LABEL_MAX, &label, eb)) != 0 ||
                (r = json_get_number(o, "score", 1, 0, 100, &score, NULL, eb)) != 0)
                return r;
            snprintf(q->option[i], sizeof(q->option[i]), "%s", label);
            q->option_score[i] = score;
        }
        q->n_options = (int)json_array_size(options);
    }
    return 0;
}

int surveys_def_from_json(const json_t *obj, struct survey_def *out, struct errbuf *eb)
{
    const json_t *questions = json_object_get(obj, "questions");
    const char *title = NULL;
    const json_t *jq;
    size_t i;
    int r;
    memset(out, 0, sizeof(*out));
    if ((r = json_get_string(obj, "title", 1, SURVEY_TEXT_MAX, &title, eb)) != 0)
        return r;
    snprintf(out->title, sizeof(out->title), "%s", title);
    if (!json_is_array(questions) || json_array_size(questions) == 0 ||
        json_array_size(questions) > SURVEY_QUESTIONS_MAX)
        return errbuf_set(eb, ERR_INVALID, "questions must be a list of 1 to %d questions",
                          SURVEY_QUESTIONS_MAX);
    json_array_foreach(questions, i, jq)
    {
        if ((r = question_from_json(jq, (int)i, &out->q[i], eb)) != 0)
            return r;
    }
    out->n_questions = (int)json_array_size(questions);
    return survey_validate(out, eb);
}

json_t *surveys_def_to_json(const struct survey_def *d)
{
    json_t *qs = json_array();
    for (int i = 0; i < d->n_questions; i++) {
        const struct survey_question *q = &d->q[i];
        json_t *jq = json_pack("{s:s, s:s, s:s, s:s, s:f}", "id", q->id, "text", q->text, "type",
                               survey_qtype_name(q->type), "dimension",
                               survey_dimension_name(q->dimension), "weight", q->weight);
        if (q->type == SURVEY_CHOICE) {
            json_t *opts = json_array();
            for (int k = 0; k < q->n_options; k++)
                json_array_append_new(opts, json_pack("{s:s, s:f}", "label", q->option[k], "score",
                                                      q->option_score[k]));
            json_object_set_new(jq, "options", opts);
        } else if (q->type == SURVEY_YESNO) {
            json_object_set_new(jq, "scores",
                                json_pack("[f, f]", q->option_score[0], q->option_score[1]));
        }
        json_array_append_new(qs, jq);
    }
    return json_pack("{s:s, s:o}", "title", d->title, "questions", qs);
}

/* ---- create, load --------------------------------------------------------------------------- */

/* First and last day (YYYYMMDD) of quarter q (1..4) of year. */
static void quarter_days(int year, int q, int *first, int *last)
{
    static const int last_day[] = {331, 630, 930, 1231};
    *first = year * 10000 + (3 * (q - 1) + 1) * 100 + 1;
    *last = year * 10000 + last_day[q - 1];
}

int surveys_create(struct store *st, const json_t *body, int64_t user_id, int64_t now_ms,
                   int64_t *id, struct errbuf *eb)
{
    static const char *const keys[] = {"title", "area", "year", "quarter", "questions", NULL};
    struct survey_def *def = xcalloc(1, sizeof(*def));
    struct survey_rec rec;
    const char *area = NULL;
    long long year = 0, quarter = 0;
    json_t *canonical = NULL;
    int r, exists = 0;
    memset(&rec, 0, sizeof(rec));
    if ((r = json_check_keys(body, keys, eb)) != 0 ||
        (r = json_get_string(body, "area", 1, AREA_CODE_MAX, &area, eb)) != 0 ||
        (r = json_get_int(body, "year", 1, 2000, 2199, &year, NULL, eb)) != 0 ||
        (r = json_get_int(body, "quarter", 1, 1, 4, &quarter, NULL, eb)) != 0 ||
        (r = surveys_def_from_json(body, def, eb)) != 0)
        goto out;
    if (!areacode_is_valid(area)) {
        r = errbuf_set(eb, ERR_INVALID, "area is not an area code");
        goto out;
    }
    if ((r = store_area_exists(st, area, &exists)) != 0)
        goto out;
    if (!exists) {
        r = errbuf_set(eb, ERR_NOT_FOUND, "no such area");
        goto out;
    }
    canonical = surveys_def_to_json(def);
    snprintf(rec.title, sizeof(rec.title), "%s", def->title);
    snprintf(rec.area, sizeof(rec.area), "%s", area);
    rec.year = (int)year;
    rec.quarter = (int)quarter;
    quarter_days(rec.year, rec.quarter, &rec.opens_day, &rec.closes_day);
    rec.definition = json_dump_compact(canonical);
    rec.created_by = user_id;
    rec.created_ms = now_ms;
    if ((r = store_survey_insert(st, &rec)) == 0)
        *id = rec.id;
    free(rec.definition);
out:
    json_decref(canonical);
    free(def);
    return r;
}

int surveys_load(struct store *st, int64_t id, struct survey_rec *rec, struct survey_def **def)
{
    json_t *obj = NULL;
    struct errbuf eb = {{0}};
    int r;
    *def = NULL;
    if ((r = store_survey_get(st, id, rec)) != 0)
        return r;
    *def = xcalloc(1, sizeof(**def));
    if (json_parse_object(rec->definition, strlen(rec->definition), &obj, &eb) != 0 ||
        surveys_def_from_json(obj, *def, &eb) != 0) {
        /* Only surveys_create writes definitions, from a validated one. */
        r = ERR_INTERNAL;
        free(*def);
        *def = NULL;
        survey_rec_cleanup(rec);
    }
    json_decref(obj);
    return r;
}

/* YYYYMMDD -> "YYYY-MM-DD". */
static void day_text(int day, char out[16])
{
    unsigned d = (unsigned)day;
    snprintf(out, 16, "%04u-%02u-%02u", d / 10000 % 10000, d / 100 % 100, d % 100);
}

static int is_open(const struct survey_rec *rec, int64_t now_ms)
{
    int today = indicator_day(now_ms);
    return today >= rec->opens_day && today <= rec->closes_day;
}

json_t *surveys_to_json(const struct survey_rec *rec, const struct survey_def *def, int64_t now_ms)
{
    char opens[16], closes[16];
    json_t *j;
    day_text(rec->opens_day, opens);
    day_text(rec->closes_day, closes);
    j = json_pack("{s:I, s:s, s:s, s:i, s:i, s:s, s:s, s:b}", "id", (json_int_t)rec->id, "title",
                  rec->title, "area", rec->area, "year", rec->year, "quarter", rec->quarter,
                  "opens", opens, "closes", closes, "is_open", is_open(rec, now_ms));
    if (def != NULL) {
        json_t *d = surveys_def_to_json(def);
        json_object_set(j, "questions", json_object_get(d, "questions"));
        json_decref(d);
    }
    return j;
}

/* ---- responses ------------------------------------------------------------------------------ */

/* The stored form of a respondent key: hex BLAKE2b of "survey id:key". */
static int respondent_hash(int64_t survey_id, const char *key, char out[65])
{
    unsigned char h[32];
    char salted[128];
    int n = snprintf(salted, sizeof(salted), "%lld:%s", (long long)survey_id, key);
    if (sodium_init() < 0 || n < 0 || (size_t)n >= sizeof(salted))
        return ERR_INTERNAL;
    crypto_generichash(h, sizeof(h), (const unsigned char *)salted, (size_t)n, NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
    return 0;
}

static int check_respondent(const char *key, struct errbuf *eb)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > SURVEY_RESPONDENT_MAX || !utf8_is_clean_text(key, n) ||
        strchr(key, '\n') != NULL || strchr(key, '\t') != NULL)
        return errbuf_set(eb, ERR_INVALID, "respondent must be 1 to %d characters of text",
                          SURVEY_RESPONDENT_MAX);
    return 0;
}

/* The respondent's area: an existing grid or cell inside the survey's area. */
static int check_area(struct store *st, const struct survey_rec *rec, const char *area,
                      struct errbuf *eb)
{
    int exists = 0, r;
    if (area == NULL || !areacode_is_valid(area) || areacode_level(area) < AREA_GRID)
        return errbuf_set(eb, ERR_INVALID,
                          "area must be the code of the respondent's grid or cell");
    if (!areacode_in_subtree(area, rec->area))
        return errbuf_set(eb, ERR_INVALID, "area %s is outside the survey's area %s", area,
                          rec->area);
    if ((r = store_area_exists(st, area, &exists)) != 0)
        return r;
    return exists ? 0 : errbuf_set(eb, ERR_INVALID, "area %s does not exist", area);
}

/* The stored answers: {"id": rating | option label}. */
static char *answers_text(const struct survey_def *def, const int *answers)
{
    json_t *o = json_object();
    char *text;
    for (int i = 0; i < def->n_questions; i++) {
        const struct survey_question *q = &def->q[i];
        if (answers[i] == SURVEY_UNANSWERED)
            continue;
        json_object_set_new(o, q->id,
                            q->type == SURVEY_RATING ? json_integer(answers[i])
                                                     : json_string(q->option[answers[i]]));
    }
    text = json_dump_compact(o);
    json_decref(o);
    return text;
}

static int insert_response(struct store *st, const struct survey_rec *rec,
                           const struct survey_def *def, const char *respondent, const char *area,
                           const int *answers, const char *source, int64_t now_ms)
{
    struct survey_response_rec rr;
    double scores[SURVEY_SCORE_COUNT];
    char *text;
    int r;
    memset(&rr, 0, sizeof(rr));
    rr.survey_id = rec->id;
    if ((r = respondent_hash(rec->id, respondent, rr.respondent)) != 0)
        return r;
    snprintf(rr.area, sizeof(rr.area), "%s", area);
    survey_score(def, answers, scores);
    for (int k = 0; k < SURVEY_SCORES; k++)
        rr.score[k] = scores[k];
    snprintf(rr.source, sizeof(rr.source), "%s", source);
    rr.created_ms = now_ms;
    text = answers_text(def, answers);
    rr.answers = text;
    r = store_survey_response_insert(st, &rr);
    free(text);
    return r;
}

/* One answer given in JSON. */
static int answer_from_json(const struct survey_question *q, const json_t *v, int *out)
{
    char text[32];
    if (json_is_null(v)) {
        *out = SURVEY_UNANSWERED;
        return 0;
    }
    if (json_is_string(v))
        return json_string_value(v)[0] == '\0' ? ERR_INVALID
                                               : survey_answer_parse(q, json_string_value(v), out);
    if (json_is_boolean(v) && q->type == SURVEY_YESNO) {
        *out = json_is_true(v) ? 0 : 1;
        return 0;
    }
    if (json_is_integer(v) && q->type != SURVEY_YESNO) {
        json_int_t n = json_integer_value(v);
        if (n < 1 || n > 10)
            return ERR_INVALID;
        snprintf(text, sizeof(text), "%lld", (long long)n);
        return survey_answer_parse(q, text, out);
    }
    return ERR_INVALID;
}

int surveys_respond(struct store *st, const struct survey_rec *rec, const struct survey_def *def,
                    const char *respondent, const char *area, const json_t *answers, int is_web,
                    int64_t now_ms, struct errbuf *eb)
{
    int a[SURVEY_QUESTIONS_MAX];
    const char *key;
    const json_t *v;
    int r;
    if ((r = check_respondent(respondent, eb)) != 0)
        return r;
    if (!json_is_object(answers))
        return errbuf_set(eb, ERR_INVALID, "answers must be an object: question id -> answer");
    for (int i = 0; i < def->n_questions; i++)
        a[i] = SURVEY_UNANSWERED;
    json_object_foreach((json_t *)answers, key, v)
    {
        int i = survey_question_index(def, key);
        if (i < 0)
            return errbuf_set(eb, ERR_INVALID, "answers: no question '%.40s' in this survey", key);
        if (answer_from_json(&def->q[i], v, &a[i]) != 0)
            return errbuf_set(eb, ERR_INVALID,
                              "answers: '%s' is not a valid answer to question '%s'",
                              json_is_string(v) ? "text" : "value", key);
    }
    if ((r = survey_answers_validate(def, a, eb)) != 0)
        return r;
    if (is_web && !is_open(rec, now_ms))
        return errbuf_set(eb, ERR_CONFLICT, "the survey is not open");
    if ((r = check_area(st, rec, area, eb)) != 0)
        return r;
    r = insert_response(st, rec, def, respondent, area, a, is_web ? "web" : "csv", now_ms);
    if (r == ERR_EXISTS)
        errbuf_set(eb, r, "this respondent has already answered the survey");
    return r;
}

/* ---- CSV import ------------------------------------------------------------------------------ */

#define COL_RESPONDENT (-2)
#define COL_AREA       (-3)

int surveys_import_csv(struct store *st, int64_t survey_id, const char *csv, size_t len,
                       int64_t now_ms, survey_reject_fn reject, void *reject_ctx,
                       struct survey_import_stats *stats, struct errbuf *eb)
{
    struct survey_rec rec;
    struct survey_def *def = NULL;
    struct csv_reader rd;
    struct csv_record *row = xcalloc(1, sizeof(*row));
    int col[CSV_MAX_FIELDS], n_cols = 0, has_header = 0, r;
    memset(stats, 0, sizeof(*stats));
    if ((r = surveys_load(st, survey_id, &rec, &def)) != 0) {
        free(row);
        return errbuf_set(eb, r, r == ERR_NOT_FOUND ? "no such survey" : "cannot load the survey");
    }
    csv_reader_init(&rd, csv, len);
    if ((r = store_begin(st)) != 0)
        goto out;
    while (r == 0 && csv_read(&rd, row)) {
        int a[SURVEY_QUESTIONS_MAX];
        const char *respondent = NULL, *area = NULL;
        char reason[sizeof(((struct errbuf *)0)->msg)] = "";
        if (!has_header) {
            int seen_r = 0, seen_a = 0;
            unsigned char seen_q[SURVEY_QUESTIONS_MAX] = {0};
            has_header = 1;
            if (row->error[0] != '\0') {
                r = errbuf_set(eb, ERR_INVALID, "line %zu: %s", row->line, row->error);
                break;
            }
            n_cols = row->n_fields;
            for (int c = 0; c < n_cols && r == 0; c++) {
                const char *name = row->field[c];
                int qi;
                if (strcmp(name, "respondent") == 0 && !seen_r++)
                    col[c] = COL_RESPONDENT;
                else if (strcmp(name, "area") == 0 && !seen_a++)
                    col[c] = COL_AREA;
                else if ((qi = survey_question_index(def, name)) >= 0 && !seen_q[qi]++)
                    col[c] = qi;
                else
                    r = errbuf_set(eb, ERR_INVALID,
                                   "line %zu: column '%.40s' is unknown or repeated (expected "
                                   "respondent, area and question ids)",
                                   row->line, name);
            }
            if (r == 0 && (!seen_r || !seen_a))
                r = errbuf_set(eb, ERR_INVALID,
                               "line %zu: the header needs the columns respondent and area",
                               row->line);
            continue;
        }
        stats->rows++;
        for (int i = 0; i < def->n_questions; i++)
            a[i] = SURVEY_UNANSWERED;
        if (row->error[0] != '\0')
            snprintf(reason, sizeof(reason), "%s", row->error);
        else if (row->n_fields != n_cols)
            snprintf(reason, sizeof(reason), "expected %d fields, found %d", n_cols, row->n_fields);
        for (int c = 0; reason[0] == '\0' && c < n_cols; c++) {
            if (col[c] == COL_RESPONDENT)
                respondent = row->field[c];
            else if (col[c] == COL_AREA)
                area = row->field[c];
            else if (survey_answer_parse(&def->q[col[c]], row->field[c], &a[col[c]]) != 0)
                snprintf(reason, sizeof(reason), "'%.40s' is not a valid answer to question '%s'",
                         row->field[c], def->q[col[c]].id);
        }
        if (reason[0] == '\0') {
            struct errbuf rb = {{0}};
            int rr = check_respondent(respondent, &rb);
            if (rr == 0)
                rr = survey_answers_validate(def, a, &rb);
            if (rr == 0)
                rr = check_area(st, &rec, area, &rb);
            if (rr == 0) {
                rr = insert_response(st, &rec, def, respondent, area, a, "csv", now_ms);
                if (rr == 0) {
                    stats->imported++;
                    continue;
                }
                if (rr == ERR_EXISTS) {
                    stats->already++;
                    continue;
                }
            }
            if (rr != ERR_INVALID) {
                r = rr;
                break;
            }
            snprintf(reason, sizeof(reason), "%s", rb.msg);
        }
        stats->rejected++;
        if (reject != NULL)
            reject(reject_ctx, row->line, reason);
    }
    if (r == 0 && !has_header)
        r = errbuf_set(eb, ERR_INVALID, "the file is empty (a header line is expected)");
    if (r == 0)
        r = store_commit(st);
    else
        store_rollback(st);
out:
    free(row);
    free(def);
    survey_rec_cleanup(&rec);
    return r;
}

/* ---- results -------------------------------------------------------------------------------- */

struct results_ctx {
    struct survey_area_result *rows;
    size_t n;
    struct survey_area_result *total;
};

static void fill_result(struct survey_area_result *row, const struct survey_sums *s)
{
    row->responses = s->responses;
    for (int k = 0; k < SURVEY_SCORES; k++)
        row->score[k] = s->count[k] > 0 ? s->sum[k] / (double)s->count[k] : NAN;
}

static int child_sums(void *arg, const char *key, const struct survey_sums *s)
{
    struct results_ctx *c = arg;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->rows[i].area, key) == 0) {
            fill_result(&c->rows[i], s);
            return 0;
        }
    return 0; /* responses in an area no longer among the children: only in the total */
}

static int total_sums(void *arg, const char *key, const struct survey_sums *s)
{
    struct results_ctx *c = arg;
    (void)key;
    fill_result(c->total, s);
    return 0;
}

static void suppress(struct survey_area_result *row, int64_t k)
{
    if (row->responses > 0 && row->responses < k) {
        row->is_suppressed = 1;
        row->responses = -1;
        for (int i = 0; i < SURVEY_SCORES; i++)
            row->score[i] = NAN;
    }
}

int surveys_results(struct store *st, int64_t survey_id, int from_day, int to_day, const char *area,
                    int64_t k, struct survey_area_result *total,
                    struct survey_area_result **children, size_t *n)
{
    struct area_list kids = {0};
    struct results_ctx c;
    double *overall;
    int *ranks;
    int r, child_len;
    *children = NULL;
    *n = 0;
    memset(total, 0, sizeof(*total));
    snprintf(total->area, sizeof(total->area), "%s", area);
    for (int i = 0; i < SURVEY_SCORES; i++)
        total->score[i] = NAN;
    if ((r = store_area_children(st, area, 0, &kids)) != 0)
        return r;
    c.rows = xcalloc(kids.len + 1, sizeof(*c.rows));
    c.n = kids.len;
    c.total = total;
    for (size_t i = 0; i < kids.len; i++) {
        snprintf(c.rows[i].area, sizeof(c.rows[i].area), "%s", kids.items[i].code);
        snprintf(c.rows[i].name, sizeof(c.rows[i].name), "%s", kids.items[i].name);
        for (int s = 0; s < SURVEY_SCORES; s++)
            c.rows[i].score[s] = NAN;
    }
    child_len = kids.len > 0 ? (int)strlen(kids.items[0].code) : (int)strlen(area) + 1;
    area_list_cleanup(&kids);
    if ((r = store_survey_sums(st, survey_id, from_day, to_day, area, (int)strlen(area), total_sums,
                               &c)) != 0 ||
        (c.n > 0 && (r = store_survey_sums(st, survey_id, from_day, to_day, area, child_len,
                                           child_sums, &c)) != 0)) {
        free(c.rows);
        return r;
    }
    suppress(total, k);
    overall = xcalloc(c.n + 1, sizeof(*overall));
    ranks = xcalloc(c.n + 1, sizeof(*ranks));
    for (size_t i = 0; i < c.n; i++) {
        suppress(&c.rows[i], k);
        overall[i] = c.rows[i].score[SURVEY_SCORE_OVERALL];
    }
    rating_rank(overall, c.n, ranks);
    for (size_t i = 0; i < c.n; i++)
        c.rows[i].rank = ranks[i];
    free(overall);
    free(ranks);
    *children = c.rows;
    *n = c.n;
    return 0;
}
