/*
 * survey.h - resident surveys of the sense of security and satisfaction (安全感和满意度
 * 调查, SPEC section 9): a questionnaire's definition, the validation of a definition and of
 * one response, and the weighted score of a response (docs/INDICATORS.md, "Surveys").
 *
 * A question is a rating (1..5), a single choice among 2..SURVEY_OPTIONS_MAX options each
 * with a score 0..100, or yes/no (two options, scores 100 and 0 unless given). Every question
 * belongs to one dimension (security 安全感 or satisfaction 满意度) and has a weight. A
 * response's score in a dimension is the weighted mean of the scores of the questions of that
 * dimension it answered (a rating v scores (v − 1) / 4 · 100); its overall score the weighted
 * mean over every question it answered. Areas average their responses' scores (service and
 * store do the sums).
 *
 * Pure: no I/O, no allocation, no clock. Thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_SURVEY_H
#define GRIDGOV_DOMAIN_SURVEY_H

#include "base/error.h"

#define SURVEY_QUESTIONS_MAX 40
#define SURVEY_OPTIONS_MAX   10
#define SURVEY_ID_MAX        32  /* bytes of a question id: [a-z0-9_] */
#define SURVEY_TEXT_MAX      400 /* bytes of a question's text or the title */
#define SURVEY_LABEL_MAX     100 /* bytes of an option's label */

enum survey_qtype { SURVEY_RATING, SURVEY_CHOICE, SURVEY_YESNO };
enum survey_dimension { SURVEY_SECURITY, SURVEY_SATISFACTION, SURVEY_DIMENSION_COUNT };

struct survey_question {
    char id[SURVEY_ID_MAX + 1];
    char text[SURVEY_TEXT_MAX + 1];
    enum survey_qtype type;
    enum survey_dimension dimension;
    double weight; /* >= 0 */
    int n_options; /* choice: 2..SURVEY_OPTIONS_MAX; yes/no: 2 (yes, no); rating: 0 */
    char option[SURVEY_OPTIONS_MAX][SURVEY_LABEL_MAX + 1];
    double option_score[SURVEY_OPTIONS_MAX]; /* 0..100 */
};

struct survey_def {
    char title[SURVEY_TEXT_MAX + 1];
    int n_questions;
    struct survey_question q[SURVEY_QUESTIONS_MAX];
};

/* Answers of one response: answer[i] for question i is the rating 1..5, or the option index
 * (choice; yes/no: 0 yes, 1 no), or SURVEY_UNANSWERED. */
#define SURVEY_UNANSWERED (-1)

/* What a score is of: overall, then one per dimension. */
enum survey_score_kind {
    SURVEY_SCORE_OVERALL,
    SURVEY_SCORE_SECURITY,
    SURVEY_SCORE_SATISFACTION,
    SURVEY_SCORE_COUNT
};

/* "rating" / "choice" / "yesno"; "security" / "satisfaction". Parse: 0 or ERR_INVALID. */
const char *survey_qtype_name(enum survey_qtype t);
int survey_qtype_parse(const char *s, enum survey_qtype *out);
const char *survey_dimension_name(enum survey_dimension d);
int survey_dimension_parse(const char *s, enum survey_dimension *out);

/* Give a yes/no question its two options ("yes" 100, "no" 0); the caller may then override
 * the scores. */
void survey_question_set_yesno(struct survey_question *q);

/*
 * 0 when d is a valid questionnaire: a title; 1..SURVEY_QUESTIONS_MAX questions with unique
 * ids of [a-z0-9_], a text, a weight 0..1000, options as the type requires with scores
 * 0..100 and non-empty unique labels; the weights sum above 0. Else ERR_INVALID, reason in eb.
 */
int survey_validate(const struct survey_def *d, struct errbuf *eb);

/* The index of question id in d, or -1. */
int survey_question_index(const struct survey_def *d, const char *id);

/*
 * Parse one answer given as text (CSV import, form fields) for question q: a rating "1".."5";
 * a choice by its label or its number 1..n; yes/no as yes/no/y/n/1/0/是/否. "" is
 * SURVEY_UNANSWERED. ERR_INVALID otherwise.
 */
int survey_answer_parse(const struct survey_question *q, const char *text, int *out);

/* 0 when answers (d->n_questions of them) are in range and at least one is given; else
 * ERR_INVALID naming the question. */
int survey_answers_validate(const struct survey_def *d, const int *answers, struct errbuf *eb);

/* The score 0..100 of answer a to question q (a must be valid and given). */
double survey_answer_score(const struct survey_question *q, int a);

/* The response's scores (NAN for a dimension with no answered question of positive weight).
 * answers must be valid. */
void survey_score(const struct survey_def *d, const int *answers, double out[SURVEY_SCORE_COUNT]);

#endif
