/*
 * ratings.h - composite community scores and yearly star ratings (双星评定) from the roll-ups
 * and the survey results (domain/rating.h has the formulas; docs/INDICATORS.md, "Ratings").
 *
 * The settings (weights, star thresholds) are a document in the store (meta key
 * rating_settings_csv, rating.h's CSV), imported with `gridgov import rating-settings`;
 * without one the built-in defaults apply. Survey components count only where an area has at
 * least k responses (k = public_stats_min_count, the publication threshold), so a score never
 * rests on a handful of residents' answers.
 *
 * Threading: like every service, one store (one connection) per thread.
 */
#ifndef GRIDGOV_SERVICE_RATINGS_H
#define GRIDGOV_SERVICE_RATINGS_H

#include "base/config.h"
#include "base/error.h"
#include "domain/rating.h"
#include "store/store.h"

#include <stddef.h>
#include <stdint.h>

#define RATINGS_SETTINGS_KEY "rating_settings_csv"

/* The settings in force: the stored document, or the defaults. */
int ratings_settings_load(struct store *st, struct rating_settings *out);
/* Validate and store a settings document (write, one transaction). ERR_INVALID with the line
 * in eb. */
int ratings_settings_store(struct store *st, const char *csv, size_t len, struct errbuf *eb);

/* The score of one area over a period. */
struct ratings_row {
    char area[19];
    char name[AREA_NAME_MAX + 1];
    int64_t cases;                /* collected in the period */
    int64_t survey_responses;     /* in the period's surveys */
    double survey[SURVEY_SCORES]; /* survey means (overall, security, satisfaction); NAN when
                                     none or fewer than k responses */
    double values[RATING_COMPONENT_COUNT];
    struct rating_result result;
    int rank; /* among the listed siblings, by score; 0 unranked */
};

/*
 * The score of every child area of area (every child, in code order, *rows caller frees) for
 * the days from_day..to_day, ranked among themselves. ERR_INVALID for a bad area or range.
 */
int ratings_scores(struct store *st, const struct config *cfg, const char *area, int from_day,
                   int to_day, const struct rating_settings *s, struct ratings_row **rows,
                   size_t *n);

/*
 * Rate year for every community (level 5) in area's subtree, or area itself when it is a
 * community, and store the stars (write, one transaction): the composite score over the year,
 * the overall survey score of the year's surveys (NAN below k responses), rating_stars().
 * ERR_EXISTS when any of them is already rated for the year (a year is rated once);
 * ERR_INVALID for an area below community level or a bad year. *rated: communities stored.
 */
int ratings_rate_stars(struct store *st, const struct config *cfg, const char *area, int year,
                       int64_t user_id, int64_t now_ms, int64_t *rated, struct errbuf *eb);

#endif
