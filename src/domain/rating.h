/*
 * rating.h - the composite community score and the yearly star rating (双星评定), SPEC
 * section 9; the formulas are defined once in docs/INDICATORS.md ("Ratings").
 *
 * A score is a weighted mean of component sub-scores, each 0..100: the case indicators of the
 * area (closure, on-time closure, satisfaction, rework, escalation, found-on-patrol share,
 * response) and the residents' survey scores (安全感, 满意度). A component whose value is
 * undefined (no cases, no survey) leaves the mean and its weight with it, so the score is over
 * what is known; `coverage` says which share of the weights that was. Stars (1..5) come from
 * thresholds on the composite score, capped by the same thresholds on the year's survey score
 * when there is one: a community needs both the work and the residents' verdict (the two
 * "stars" of 双星).
 *
 * The settings (weights and thresholds) are a CSV document (rating_settings_parse) the city
 * imports like its other rule documents; rating_settings_default gives the built-in values.
 *
 * Pure: no I/O, no allocation, no clock. Thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_RATING_H
#define GRIDGOV_DOMAIN_RATING_H

#include "base/error.h"
#include "domain/indicators.h"

#include <stddef.h>

/* X(ENUM, "name", "中文", is_lower_better, default weight): the components, in output order. */
#define RATING_COMPONENT_MAP(X)                                                                    \
    X(CLOSURE_RATE, "closure_rate", "结案率", 0, 15)                                               \
    X(ON_TIME_CLOSURE_RATE, "on_time_closure_rate", "按期结案率", 0, 20)                           \
    X(SATISFACTION_RATE, "satisfaction_rate", "满意率", 0, 15)                                     \
    X(REWORK_RATE, "rework_rate", "返工率", 1, 10)                                                 \
    X(ESCALATION_RATE, "escalation_rate", "上报率", 1, 5)                                          \
    X(PATROL_FOUND_SHARE, "patrol_found_share", "巡查发现占比", 0, 10)                             \
    X(RESPONSE_RATE, "response_rate", "响应率", 0, 5)                                              \
    X(SURVEY_SECURITY, "survey_security", "群众安全感", 0, 10)                                     \
    X(SURVEY_SATISFACTION, "survey_satisfaction", "群众满意度", 0, 10)

enum rating_component {
#define RATING_COMPONENT_ENUM(e, name, zh, lower, w) RC_##e,
    RATING_COMPONENT_MAP(RATING_COMPONENT_ENUM)
#undef RATING_COMPONENT_ENUM
        RATING_COMPONENT_COUNT
};

#define RATING_STARS_MAX 5

struct rating_settings {
    double weight[RATING_COMPONENT_COUNT]; /* >= 0, sum > 0 */
    /* star_min[s] (s = 2..5): the least score that earns s stars; non-increasing in s the
     * other way (star_min[5] >= star_min[4] >= ... >= star_min[2]); below star_min[2]: 1 star.
     * star_min[0] and [1] are unused. */
    double star_min[RATING_STARS_MAX + 1];
};

/* Defaults: the weights of RATING_COMPONENT_MAP (sum 100); 5 stars from 90, 4 from 80, 3 from
 * 70, 2 from 60. */
void rating_settings_default(struct rating_settings *s);

/* 0 when s holds valid settings, else ERR_INVALID with the reason in eb. */
int rating_settings_validate(const struct rating_settings *s, struct errbuf *eb);

/*
 * Parse the settings document: CSV with the header `setting,value`, then rows
 * `weight.<component name>,<number>` and `stars.<2..5>,<score>`. Settings not given keep
 * their defaults. Unknown settings, bad numbers, repeated settings and invalid results are
 * ERR_INVALID with the line in eb. text need not be NUL-terminated.
 */
int rating_settings_parse(const char *text, size_t len, struct rating_settings *out,
                          struct errbuf *eb);

/* Stable names and labels (static strings; NULL out of range). */
const char *rating_component_name(enum rating_component c);
const char *rating_component_name_zh(enum rating_component c);
int rating_component_is_lower_better(enum rating_component c);

/*
 * The component values of an area from its computed indicators (indicator_compute) and its
 * survey means (0..100, NAN when unknown or suppressed). Rates stay fractions 0..1.
 */
void rating_components(const double iv[INDICATOR_VALUE_COUNT], double survey_security,
                       double survey_satisfaction, double out[RATING_COMPONENT_COUNT]);

struct rating_result {
    double sub[RATING_COMPONENT_COUNT]; /* each component's sub-score 0..100; NAN = undefined */
    double score;                       /* the composite 0..100; NAN when nothing is defined */
    double coverage;                    /* share of the weights that had a value, 0..1 */
};

/*
 * The composite score of values (NAN = undefined): a rate r scores 100·r, a lower-is-better
 * rate 100·(1 − r), survey scores are taken as they are, each clamped to 0..100; the score is
 * Σ w·sub / Σ w over the defined components with w > 0. s must be valid.
 */
void rating_score(const double values[RATING_COMPONENT_COUNT], const struct rating_settings *s,
                  struct rating_result *out);

/* Stars (1..5) of a score by the thresholds; 0 for NAN (not rated). */
int rating_stars_of(double score, const struct rating_settings *s);
/* The year's stars: rating_stars_of(score), capped by rating_stars_of(survey_score) unless
 * survey_score is NAN (no survey, or too few answers to publish). 0 when score is NAN. */
int rating_stars(double score, double survey_score, const struct rating_settings *s);

/*
 * Rank n values among siblings, higher first ("1224" competition ranking: equal values share
 * the rank, the next rank skips). NAN values get rank 0 (unranked) and do not take a place.
 */
void rating_rank(const double *values, size_t n, int *ranks);

#endif
