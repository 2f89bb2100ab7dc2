/*
 * surveys.h - resident surveys of the sense of security and satisfaction (安全感和满意度):
 * creating a questionnaire, answering it (web form), importing paper answers (CSV), and the
 * weighted results per area with small groups suppressed (docs/INDICATORS.md, "Surveys").
 *
 * The questionnaire's JSON is parsed into domain/survey.h's struct survey_def and validated
 * there; the stored definition is the canonical JSON written back from it. A respondent key
 * (an invitation code printed on the questionnaire, say) is never stored: only a hash of the
 * survey id and the key, which is what makes one response per key per survey enforceable.
 *
 * Threading: like every service, one store (one connection) per thread.
 */
#ifndef GRIDGOV_SERVICE_SURVEYS_H
#define GRIDGOV_SERVICE_SURVEYS_H

#include "base/error.h"
#include "domain/survey.h"
#include "store/store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SURVEY_RESPONDENT_MAX 64 /* bytes of a respondent key */

/* Parse a questionnaire ({"title", "questions": [{"id", "text", "type", "dimension",
 * "weight", "options": [{"label", "score"}] | "scores": [yes, no]}]}) and validate it.
 * ERR_INVALID with the reason in eb. */
int surveys_def_from_json(const json_t *obj, struct survey_def *out, struct errbuf *eb);
/* The canonical JSON of d (new reference). */
json_t *surveys_def_to_json(const struct survey_def *d);

/*
 * Create a survey from body {"title", "area", "year", "quarter" (1..4), "questions"}: held in
 * area's subtree (an existing area) from the first to the last day of the quarter (write).
 * Sets *id. ERR_INVALID (eb) for a bad body, ERR_NOT_FOUND for an unknown area.
 */
int surveys_create(struct store *st, const json_t *body, int64_t user_id, int64_t now_ms,
                   int64_t *id, struct errbuf *eb);

/* Load survey id and its parsed questionnaire (*def: caller frees). ERR_NOT_FOUND. */
int surveys_load(struct store *st, int64_t id, struct survey_rec *rec, struct survey_def **def);

/* A survey's JSON for clients: id, title, area, year, quarter, opens, closes, is_open (at
 * now_ms), questions. */
json_t *surveys_to_json(const struct survey_rec *rec, const struct survey_def *def, int64_t now_ms);

/*
 * Record one response (write): respondent key (1..64 bytes of printable text), area (an
 * existing grid or cell in the survey's subtree), answers: object question id -> answer (a
 * rating 1..5; a choice by label or number 1..n; yes/no as true/false or "yes"/"no"), at least
 * one. is_web: only while the survey is open (ERR_CONFLICT after it closed or before it
 * opened). ERR_INVALID (eb) for bad input, ERR_EXISTS when the key already answered.
 */
int surveys_respond(struct store *st, const struct survey_rec *rec, const struct survey_def *def,
                    const char *respondent, const char *area, const json_t *answers, int is_web,
                    int64_t now_ms, struct errbuf *eb);

struct survey_import_stats {
    int64_t rows, imported, already; /* already: the respondent's response was there */
    int64_t rejected;
};
/* Called for each rejected line with the reason. */
typedef void (*survey_reject_fn)(void *ctx, size_t line, const char *reason);
/*
 * Import paper answers: CSV with the header `respondent,area,<question id>...` (any order, each
 * question at most once, answers as survey_answer_parse reads them). Good rows are inserted in
 * one transaction (write); bad rows are reported through reject and skipped; a respondent
 * already present is counted in `already`, so importing a file twice changes nothing. A bad
 * header fails the whole import (ERR_INVALID, eb).
 */
int surveys_import_csv(struct store *st, int64_t survey_id, const char *csv, size_t len,
                       int64_t now_ms, survey_reject_fn reject, void *reject_ctx,
                       struct survey_import_stats *stats, struct errbuf *eb);

/* One area's results: the mean of its responses' scores (NAN when none). */
struct survey_area_result {
    char area[19];
    char name[AREA_NAME_MAX + 1];
    int64_t responses;
    double score[SURVEY_SCORES]; /* overall, security, satisfaction (0..100) */
    int is_suppressed;           /* 1..k−1 responses: counts and scores withheld */
    int rank;                    /* among the listed siblings by overall score; 0 unranked */
};

/*
 * Results of survey survey_id (0: of every survey overlapping from_day..to_day) for area and
 * each of its child areas (*children: caller frees, *n of them, in code order, every child
 * even without responses). Areas with 1..k−1 responses are suppressed and unranked.
 */
int surveys_results(struct store *st, int64_t survey_id, int from_day, int to_day, const char *area,
                    int64_t k, struct survey_area_result *total,
                    struct survey_area_result **children, size_t *n);

#endif
