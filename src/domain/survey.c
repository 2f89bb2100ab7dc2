/*
 * survey.c - questionnaire validation and response scoring (see survey.h).
 */
#include "domain/survey.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WEIGHT_MAX 1000.0

static const char *const qtype_names[] = {"rating", "choice", "yesno"};
static const char *const dimension_names[] = {"security", "satisfaction"};

const char *survey_qtype_name(enum survey_qtype t)
{
    return (unsigned)t < 3 ? qtype_names[t] : NULL;
}

int survey_qtype_parse(const char *s, enum survey_qtype *out)
{
    for (int i = 0; i < 3; i++)
        if (s != NULL && strcmp(s, qtype_names[i]) == 0) {
            *out = (enum survey_qtype)i;
            return 0;
        }
    return ERR_INVALID;
}

const char *survey_dimension_name(enum survey_dimension d)
{
    return (unsigned)d < SURVEY_DIMENSION_COUNT ? dimension_names[d] : NULL;
}

int survey_dimension_parse(const char *s, enum survey_dimension *out)
{
    for (int i = 0; i < SURVEY_DIMENSION_COUNT; i++)
        if (s != NULL && strcmp(s, dimension_names[i]) == 0) {
            *out = (enum survey_dimension)i;
            return 0;
        }
    return ERR_INVALID;
}

void survey_question_set_yesno(struct survey_question *q)
{
    q->n_options = 2;
    snprintf(q->option[0], sizeof(q->option[0]), "yes");
    snprintf(q->option[1], sizeof(q->option[1]), "no");
    q->option_score[0] = 100;
    q->option_score[1] = 0;
}

static int is_id(const char *s)
{
    if (s[0] == '\0')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int validate_options(const struct survey_question *q, struct errbuf *eb)
{
    int want_min = 2, want_max = q->type == SURVEY_YESNO ? 2 : SURVEY_OPTIONS_MAX;
    if (q->type == SURVEY_RATING)
        return q->n_options == 0
                   ? 0
                   : errbuf_set(eb, ERR_INVALID, "question '%s': a rating has no options", q->id);
    if (q->n_options < want_min || q->n_options > want_max)
        return errbuf_set(eb, ERR_INVALID, "question '%s' must have %d to %d options", q->id,
                          want_min, want_max);
    for (int i = 0; i < q->n_options; i++) {
        double s = q->option_score[i];
        if (q->option[i][0] == '\0')
            return errbuf_set(eb, ERR_INVALID, "question '%s': option %d has no label", q->id,
                              i + 1);
        if (!isfinite(s) || s < 0 || s > 100)
            return errbuf_set(eb, ERR_INVALID,
                              "question '%s': the score of option %d must be from 0 to 100", q->id,
                              i + 1);
        for (int j = 0; j < i; j++)
            if (strcmp(q->option[i], q->option[j]) == 0)
                return errbuf_set(eb, ERR_INVALID, "question '%s': option '%s' is repeated", q->id,
                                  q->option[i]);
    }
    return 0;
}

int survey_validate(const struct survey_def *d, struct errbuf *eb)
{
    double sum = 0;
    int r;
    if (d->title[0] == '\0')
        return errbuf_set(eb, ERR_INVALID, "the survey needs a title");
    if (d->n_questions < 1 || d->n_questions > SURVEY_QUESTIONS_MAX)
        return errbuf_set(eb, ERR_INVALID, "a survey has 1 to %d questions", SURVEY_QUESTIONS_MAX);
    for (int i = 0; i < d->n_questions; i++) {
        const struct survey_question *q = &d->q[i];
        if (!is_id(q->id))
            return errbuf_set(eb, ERR_INVALID,
                              "question %d: the id must be 1 to %d characters of a-z, 0-9, _",
                              i + 1, SURVEY_ID_MAX);
        for (int j = 0; j < i; j++)
            if (strcmp(q->id, d->q[j].id) == 0)
                return errbuf_set(eb, ERR_INVALID, "question id '%s' is repeated", q->id);
        if (q->text[0] == '\0')
            return errbuf_set(eb, ERR_INVALID, "question '%s' has no text", q->id);
        if ((unsigned)q->type > SURVEY_YESNO || (unsigned)q->dimension >= SURVEY_DIMENSION_COUNT)
            return errbuf_set(eb, ERR_INVALID, "question '%s': unknown type or dimension", q->id);
        if (!isfinite(q->weight) || q->weight < 0 || q->weight > WEIGHT_MAX)
            return errbuf_set(eb, ERR_INVALID, "question '%s': the weight must be from 0 to %g",
                              q->id, WEIGHT_MAX);
        if ((r = validate_options(q, eb)) != 0)
            return r;
        sum += q->weight;
    }
    if (!(sum > 0))
        return errbuf_set(eb, ERR_INVALID, "the question weights must not all be 0");
    return 0;
}

int survey_question_index(const struct survey_def *d, const char *id)
{
    for (int i = 0; i < d->n_questions; i++)
        if (strcmp(d->q[i].id, id) == 0)
            return i;
    return -1;
}

/* A whole decimal number 1..max, or 0. */
static int small_number(const char *s, int max)
{
    char *end = NULL;
    long v;
    if (s[0] < '0' || s[0] > '9')
        return 0;
    v = strtol(s, &end, 10);
    return *end == '\0' && v >= 1 && v <= max ? (int)v : 0;
}

int survey_answer_parse(const struct survey_question *q, const char *text, int *out)
{
    int n;
    if (text[0] == '\0') {
        *out = SURVEY_UNANSWERED;
        return 0;
    }
    switch (q->type) {
    case SURVEY_RATING:
        if ((n = small_number(text, 5)) == 0)
            return ERR_INVALID;
        *out = n;
        return 0;
    case SURVEY_YESNO:
        if (strcmp(text, "yes") == 0 || strcmp(text, "y") == 0 || strcmp(text, "1") == 0 ||
            strcmp(text, "是") == 0) {
            *out = 0;
            return 0;
        }
        if (strcmp(text, "no") == 0 || strcmp(text, "n") == 0 || strcmp(text, "0") == 0 ||
            strcmp(text, "否") == 0) {
            *out = 1;
            return 0;
        }
        return ERR_INVALID;
    case SURVEY_CHOICE:
        for (int i = 0; i < q->n_options; i++)
            if (strcmp(text, q->option[i]) == 0) {
                *out = i;
                return 0;
            }
        if ((n = small_number(text, q->n_options)) == 0)
            return ERR_INVALID;
        *out = n - 1;
        return 0;
    }
    return ERR_INVALID;
}

int survey_answers_validate(const struct survey_def *d, const int *answers, struct errbuf *eb)
{
    int given = 0;
    for (int i = 0; i < d->n_questions; i++) {
        const struct survey_question *q = &d->q[i];
        int a = answers[i];
        if (a == SURVEY_UNANSWERED)
            continue;
        if (q->type == SURVEY_RATING ? a < 1 || a > 5 : a < 0 || a >= q->n_options)
            return errbuf_set(eb, ERR_INVALID, "the answer to question '%s' is out of range",
                              q->id);
        given++;
    }
    if (given == 0)
        return errbuf_set(eb, ERR_INVALID, "the response answers no question");
    return 0;
}

double survey_answer_score(const struct survey_question *q, int a)
{
    if (q->type == SURVEY_RATING)
        return (double)(a - 1) / 4.0 * 100.0;
    return q->option_score[a];
}

void survey_score(const struct survey_def *d, const int *answers, double out[SURVEY_SCORE_COUNT])
{
    double sum[SURVEY_SCORE_COUNT] = {0}, weight[SURVEY_SCORE_COUNT] = {0};
    for (int i = 0; i < d->n_questions; i++) {
        const struct survey_question *q = &d->q[i];
        double s;
        int k = q->dimension == SURVEY_SECURITY ? SURVEY_SCORE_SECURITY : SURVEY_SCORE_SATISFACTION;
        if (answers[i] == SURVEY_UNANSWERED || !(q->weight > 0))
            continue;
        s = survey_answer_score(q, answers[i]);
        sum[SURVEY_SCORE_OVERALL] += q->weight * s;
        weight[SURVEY_SCORE_OVERALL] += q->weight;
        sum[k] += q->weight * s;
        weight[k] += q->weight;
    }
    for (int k = 0; k < SURVEY_SCORE_COUNT; k++)
        out[k] = weight[k] > 0 ? sum[k] / weight[k] : NAN;
}
