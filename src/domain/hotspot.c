/*
 * hotspot.c - unusually high (area, category) cells: a Poisson / negative-binomial tail against
 * the cell's own history and a robust z-score against its siblings (see hotspot.h and
 * docs/FORECASTING.md).
 *
 * Tail sums walk away from the distribution's mode in the direction where the terms shrink, so
 * they stop after a few dozen standard deviations whatever the count; every result is clamped
 * to [0, 1].
 */
#include "domain/hotspot.h"

#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void hotspot_params_default(struct hotspot_params *p)
{
    p->min_count = 5.0;
    p->max_p = 0.01;
    p->min_z = 2.0;
    p->min_siblings = 3;
}

static double log_pmf(double k, double mu, double r)
{
    if (r > 0.0)
        return lgamma(k + r) - lgamma(r) - lgamma(k + 1.0) + r * log(r / (r + mu)) +
               k * log(mu / (r + mu));
    return k * log(mu) - mu - lgamma(k + 1.0);
}

double hotspot_tail(double x, double mu, double r)
{
    double k0 = ceil(x);
    if (!isfinite(k0) || !isfinite(mu) || k0 <= 0.0)
        return 1.0;
    if (!(mu > 0.0))
        return 0.0;
    if (k0 > 1e9 || mu > 1e9) /* beyond any count of cases: keep the walks short */
        return k0 > mu ? 0.0 : 1.0;
    if (k0 > mu) {
        /* upper sum: the terms fall from k0 onwards (k0 is above the mode) */
        double sum = 0.0;
        for (long long i = 0;; i++) {
            double t = exp(log_pmf(k0 + (double)i, mu, r));
            sum += t;
            if (t <= 1e-17 * sum || t == 0.0)
                break;
        }
        return sum > 1.0 ? 1.0 : sum;
    }
    /* 1 - lower sum, walking down from k0 - 1 (terms rise to the mode, then fall) */
    double mode = r > 1.0 ? floor((r - 1.0) * mu / r) : (r > 0.0 ? 0.0 : floor(mu));
    double sum = 0.0;
    for (long long i = (long long)k0 - 1; i >= 0; i--) {
        double k = (double)i;
        double t = exp(log_pmf(k, mu, r));
        sum += t;
        if (k < mode && (t <= 1e-17 * sum || t == 0.0))
            break;
    }
    double p = 1.0 - sum;
    return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median_of(double *v, size_t n)
{
    qsort(v, n, sizeof(*v), cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static int valid_count(double v)
{
    return isfinite(v) && v >= 0.0 && v <= HOTSPOT_COUNT_MAX;
}

int hotspot_score(const struct hotspot_cell *cells, size_t n_areas, size_t n_cats,
                  const struct hotspot_params *params, struct hotspot_result *out)
{
    if (cells == NULL || out == NULL || params == NULL || n_areas == 0 || n_cats == 0 ||
        n_areas > HOTSPOT_CELLS_MAX / n_cats)
        return ERR_INVALID;
    if (!(params->min_count >= 0.0) || !(params->max_p > 0.0 && params->max_p <= 1.0) ||
        !isfinite(params->min_z))
        return ERR_INVALID;
    size_t n = n_areas * n_cats;
    for (size_t i = 0; i < n; i++) {
        const struct hotspot_cell *c = &cells[i];
        if (!valid_count(c->count) || c->history_len > HOTSPOT_HISTORY_MAX ||
            (c->history == NULL && c->history_len > 0) || !isfinite(c->expected) ||
            c->expected > HOTSPOT_COUNT_MAX)
            return ERR_INVALID;
        for (size_t j = 0; j < c->history_len; j++)
            if (!valid_count(c->history[j]))
                return ERR_INVALID;
    }

    struct hotspot_result *res = xcalloc(n, sizeof(*res));
    double *scratch = xcalloc(n_areas, sizeof(*scratch));

    /* Own test. */
    for (size_t i = 0; i < n; i++) {
        const struct hotspot_cell *c = &cells[i];
        double mean = 0.0, var = 0.0;
        for (size_t j = 0; j < c->history_len; j++)
            mean += c->history[j] / (double)c->history_len;
        for (size_t j = 0; j < c->history_len; j++)
            var += (c->history[j] - mean) * (c->history[j] - mean);
        var = c->history_len > 1 ? var / (double)(c->history_len - 1) : 0.0;
        double mu = c->expected >= 0.0 ? c->expected : mean;
        if (mu < HOTSPOT_MU_FLOOR)
            mu = HOTSPOT_MU_FLOOR;
        /* over-dispersion measured on the history, applied around mu */
        double size = 0.0;
        if (c->history_len > 1 && var > mean && mean > 0.0)
            size = mean * mean / (var - mean);
        res[i].expected = mu;
        res[i].p_value = hotspot_tail(c->count, mu, size);
        res[i].excess = log((c->count + 0.5) / (mu + 0.5));
    }

    /* Sibling test, per category. */
    if (n_areas >= params->min_siblings && n_areas >= 2) {
        for (size_t k = 0; k < n_cats; k++) {
            for (size_t a = 0; a < n_areas; a++)
                scratch[a] = res[a * n_cats + k].excess;
            double med = median_of(scratch, n_areas);
            for (size_t a = 0; a < n_areas; a++)
                scratch[a] = fabs(res[a * n_cats + k].excess - med);
            double mad = 1.4826 * median_of(scratch, n_areas);
            if (mad < HOTSPOT_MAD_FLOOR)
                mad = HOTSPOT_MAD_FLOOR;
            for (size_t a = 0; a < n_areas; a++) {
                struct hotspot_result *rr = &res[a * n_cats + k];
                rr->z_sibling = (rr->excess - med) / mad;
                rr->is_sibling_tested = 1;
            }
        }
    }

    for (size_t i = 0; i < n; i++) {
        struct hotspot_result *rr = &res[i];
        rr->is_hot = cells[i].count >= params->min_count && rr->p_value < params->max_p &&
                     (!rr->is_sibling_tested || rr->z_sibling >= params->min_z);
    }
    memcpy(out, res, n * sizeof(*res));
    free(res);
    free(scratch);
    return 0;
}
