/*
 * hotspot.h - which (area, category) cells of a period have unusually many cases (SPEC section
 * 9: hot spots), judged against the cell's own history and against its sibling areas.
 *
 * The input is a table of cells: n_areas sibling areas (the children of one parent) times
 * n_cats categories, cell (a, c) at index a * n_cats + c. Each cell holds its count in the
 * period and its own history: counts of the same category in the same area over earlier
 * periods of the same length, chosen by the caller to match the season (the preceding periods,
 * the same period in earlier years, or both). A cell is hot when all three hold:
 *
 *   1. count >= min_count (small numbers are never news);
 *   2. own test: P(X >= count) < max_p, X following the cell's expectation mu (the history's
 *      mean, or the caller's `expected` when >= 0, e.g. a seasonal forecast) as a Poisson
 *      variable, or as a negative binomial with the history's variance when the history is
 *      over-dispersed (variance > mean: size r = mu^2 / (var - mean)); mu is floored at
 *      HOTSPOT_MU_FLOOR so a cell with an empty history is not infinitely surprising;
 *   3. sibling test: the cell's excess log((count + 0.5) / (mu + 0.5)) stands out among the
 *      excesses of the same category in the sibling areas: robust z = (excess - median) /
 *      (1.4826 * MAD), with the MAD floored at HOTSPOT_MAD_FLOOR, z >= min_z. With fewer than
 *      min_siblings areas in the table the sibling test is not applied (z reported as 0) and the
 *      cell is judged on its own history alone. The sibling test keeps a city-wide surge (a
 *      storm, a holiday) from lighting up every area: what is flagged is an area rising
 *      more than its siblings.
 *
 * Pure: no I/O, no allocation beyond a scratch array per call.
 */
#ifndef GRIDGOV_DOMAIN_HOTSPOT_H
#define GRIDGOV_DOMAIN_HOTSPOT_H

#include "base/error.h"

#include <stddef.h>

#define HOTSPOT_CELLS_MAX   100000
#define HOTSPOT_HISTORY_MAX 1000
#define HOTSPOT_COUNT_MAX   1e7
#define HOTSPOT_MU_FLOOR    0.5
#define HOTSPOT_MAD_FLOOR   0.1

struct hotspot_cell {
    double count;          /* cases in the period: finite, 0..HOTSPOT_COUNT_MAX */
    double expected;       /* < 0: use the history's mean; else the own expectation */
    const double *history; /* borrowed: history_len counts of earlier periods (may be NULL/0) */
    size_t history_len;    /* 0..HOTSPOT_HISTORY_MAX */
};

struct hotspot_params {
    double min_count;    /* default 5 */
    double max_p;        /* default 0.01 */
    double min_z;        /* default 2.0 */
    size_t min_siblings; /* default 3 */
};

struct hotspot_result {
    double expected;  /* mu used by the own test */
    double p_value;   /* P(X >= count) under the own model */
    double z_sibling; /* robust z of the excess among siblings (0 when not applied) */
    double excess;    /* log((count + 0.5) / (mu + 0.5)) */
    int is_sibling_tested;
    int is_hot;
};

/* The defaults above. */
void hotspot_params_default(struct hotspot_params *p);

/* Upper tail P(X >= x) of a Poisson(mu) variable; of a negative binomial with mean mu and size r
 * (variance mu + mu^2 / r) when r > 0. x is rounded up to an integer; result in [0, 1]. Beyond
 * 1e9 (x or mu) the answer is only 0 or 1. */
double hotspot_tail(double x, double mu, double r);

/*
 * Score every cell of the n_areas x n_cats table into out[] (same indexing). ERR_INVALID when a
 * dimension is 0, the table exceeds HOTSPOT_CELLS_MAX cells, a count or history value is
 * negative, not finite or above HOTSPOT_COUNT_MAX, a history is longer than
 * HOTSPOT_HISTORY_MAX or NULL with a length, or a parameter is out of range (min_count < 0,
 * max_p outside (0, 1], min_z not finite). out is filled only on success.
 */
int hotspot_score(const struct hotspot_cell *cells, size_t n_areas, size_t n_cats,
                  const struct hotspot_params *params, struct hotspot_result *out);

#endif
