/*
 * forecast.c - damped additive Holt-Winters on a transformed count series, fitted by
 * Nelder-Mead, with empirical prediction intervals and a rolling-origin backtest (see
 * forecast.h for the model and docs/FORECASTING.md for the reasoning).
 *
 * Invariants: every state and output is finite (inputs are checked, parameters are kept inside
 * their boxes by logistic maps, back-transforms are clamped); the fit is deterministic (fixed
 * grid, fixed iteration budget, no randomness). Scratch arrays are allocated per call with
 * xalloc (abort on failure, as for every small allocation) and freed before returning.
 */
#include "domain/forecast.h"

#include "base/timeutil.h"

#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NM_MAX_DIM   5
#define NM_MAX_EVALS 600

/* The series being fitted: the transformed values, the regressor and the initial state. */
struct fit_data {
    const double *z;
    const double *x; /* n + horizon values, zeros when there is no regressor */
    size_t n;
    int m;
    int has_reg;
    double level0, trend0;
    double season0[FORECAST_PERIOD_MAX];
};

struct params {
    double alpha, beta, gamma, phi, coef;
};

static double logistic(double u)
{
    return 1.0 / (1.0 + exp(-u));
}

static double logit(double p)
{
    return log(p / (1.0 - p));
}

/* Unconstrained vector -> parameters inside their boxes: alpha in [0.01, 0.99], beta up to
 * alpha/2 (a slowly moving trend), gamma up to (1-alpha)/2, phi in [0.80, 0.98]. */
static void params_from_u(const struct fit_data *fd, const double *u, struct params *p)
{
    p->alpha = 0.01 + 0.98 * logistic(u[0]);
    p->beta = p->alpha * 0.5 * logistic(u[1]);
    p->gamma = fd->m > 1 ? (1.0 - p->alpha) * 0.5 * logistic(u[2]) : 0.0;
    p->phi = 0.80 + 0.18 * logistic(u[3]);
    p->coef = fd->has_reg ? u[4] : 0.0;
}

static double to_z(int transform, double y)
{
    return transform == FORECAST_SQRT ? sqrt(y) : log1p(y);
}

static double from_z(int transform, double z)
{
    if (!(z > 0.0))
        return 0.0;
    if (transform == FORECAST_SQRT)
        return z * z;
    if (z > 700.0)
        z = 700.0;
    return expm1(z);
}

/* phi + phi^2 + ... + phi^h */
static double phi_sum(double phi, int h)
{
    double s = 0.0, f = 1.0;
    for (int j = 1; j <= h; j++) {
        f *= phi;
        s += f;
    }
    return s;
}

/* ETS(A,Ad,A) h-step variance factor v_h (one-step variance 1). */
static double var_factor(const struct params *p, int m, int h)
{
    double v = 1.0, f = 1.0, fs = 0.0;
    for (int j = 1; j < h; j++) {
        f *= p->phi;
        fs += f; /* phi + ... + phi^j = phi(1-phi^j)/(1-phi) */
        double c = p->alpha + p->beta * fs + ((m > 1 && j % m == 0) ? p->gamma : 0.0);
        v += c * c;
    }
    return v;
}

/*
 * Run the recursion over the whole series; returns the sum of squared one-step errors. When
 * L, B and S are not NULL they receive the states: L[t], B[t] after t observations
 * (t = 0..n), S[tau + m] = s_tau for tau = -m..n-1.
 */
static double run(const struct fit_data *fd, const struct params *p, double *L, double *B,
                  double *S)
{
    int m = fd->m;
    double l = fd->level0, b = fd->trend0, sse = 0.0;
    double ring[FORECAST_PERIOD_MAX];
    memcpy(ring, fd->season0, sizeof(ring));
    if (S != NULL)
        for (int j = 0; j < m; j++)
            S[j] = ring[j];
    for (size_t t = 0; t < fd->n; t++) {
        if (L != NULL) {
            L[t] = l;
            B[t] = b;
        }
        int k = (int)(t % (size_t)m);
        double s = m > 1 ? ring[k] : 0.0;
        double pred = l + p->phi * b + s + p->coef * fd->x[t];
        double e = fd->z[t] - pred;
        sse += e * e;
        l = l + p->phi * b + p->alpha * e;
        b = p->phi * b + p->beta * e;
        if (m > 1)
            ring[k] = s + p->gamma * e;
        if (S != NULL)
            S[t + (size_t)m] = m > 1 ? ring[k] : 0.0;
    }
    if (L != NULL) {
        L[fd->n] = l;
        B[fd->n] = b;
    }
    return isfinite(sse) ? sse : HUGE_VAL;
}

static double objective(const struct fit_data *fd, const double *u)
{
    struct params p;
    params_from_u(fd, u, &p);
    return run(fd, &p, NULL, NULL, NULL);
}

/* Nelder-Mead (reflection 1, expansion 2, contraction 1/2, shrink 1/2) from x0 with per-axis
 * steps; a fixed evaluation budget makes it deterministic and bounded. x0 receives the best. */
static void nelder_mead(const struct fit_data *fd, int dim, double *x0, const double *step)
{
    double simplex[NM_MAX_DIM + 1][NM_MAX_DIM] = {{0}}, f[NM_MAX_DIM + 1] = {0};
    int evals = 0;
    for (int i = 0; i <= dim; i++) {
        memcpy(simplex[i], x0, sizeof(double) * (size_t)dim);
        if (i > 0)
            simplex[i][i - 1] += step[i - 1];
        f[i] = objective(fd, simplex[i]);
        evals++;
    }
    while (evals < NM_MAX_EVALS) {
        /* order: best first */
        for (int i = 1; i <= dim; i++)
            for (int j = i; j > 0 && f[j] < f[j - 1]; j--) {
                double tf = f[j];
                f[j] = f[j - 1];
                f[j - 1] = tf;
                for (int k = 0; k < dim; k++) {
                    double tx = simplex[j][k];
                    simplex[j][k] = simplex[j - 1][k];
                    simplex[j - 1][k] = tx;
                }
            }
        if (f[dim] - f[0] <= 1e-10 * (fabs(f[0]) + 1e-12))
            break;
        double cen[NM_MAX_DIM] = {0}, xr[NM_MAX_DIM] = {0}, xe[NM_MAX_DIM] = {0},
               xc[NM_MAX_DIM] = {0};
        for (int i = 0; i < dim; i++)
            for (int k = 0; k < dim; k++)
                cen[k] += simplex[i][k] / dim;
        for (int k = 0; k < dim; k++)
            xr[k] = cen[k] + (cen[k] - simplex[dim][k]);
        double fr = objective(fd, xr);
        evals++;
        if (fr < f[0]) {
            for (int k = 0; k < dim; k++)
                xe[k] = cen[k] + 2.0 * (cen[k] - simplex[dim][k]);
            double fe = objective(fd, xe);
            evals++;
            if (fe < fr) {
                memcpy(simplex[dim], xe, sizeof(xe[0]) * (size_t)dim);
                f[dim] = fe;
            } else {
                memcpy(simplex[dim], xr, sizeof(xr[0]) * (size_t)dim);
                f[dim] = fr;
            }
            continue;
        }
        if (fr < f[dim - 1]) {
            memcpy(simplex[dim], xr, sizeof(xr[0]) * (size_t)dim);
            f[dim] = fr;
            continue;
        }
        const double *worse = fr < f[dim] ? xr : simplex[dim];
        double fworse = fr < f[dim] ? fr : f[dim];
        for (int k = 0; k < dim; k++)
            xc[k] = cen[k] + 0.5 * (worse[k] - cen[k]);
        double fc = objective(fd, xc);
        evals++;
        if (fc < fworse) {
            memcpy(simplex[dim], xc, sizeof(xc[0]) * (size_t)dim);
            f[dim] = fc;
            continue;
        }
        for (int i = 1; i <= dim; i++) {
            for (int k = 0; k < dim; k++)
                simplex[i][k] = simplex[0][k] + 0.5 * (simplex[i][k] - simplex[0][k]);
            f[i] = objective(fd, simplex[i]);
            evals++;
        }
    }
    int best = 0;
    for (int i = 1; i <= dim; i++)
        if (f[i] < f[best])
            best = i;
    memcpy(x0, simplex[best], sizeof(double) * (size_t)dim);
}

/* Initial level, trend and season from the first (up to three) seasons, leaving out points
 * the regressor marks so that a New Year's Day does not become a season. */
static void init_state(struct fit_data *fd)
{
    int m = fd->m;
    memset(fd->season0, 0, sizeof(fd->season0));
    if (m == 1) {
        size_t k = fd->n < 4 ? fd->n : 4;
        double s = 0.0;
        for (size_t i = 0; i < k; i++)
            s += fd->z[i];
        fd->level0 = s / (double)k;
        fd->trend0 = 0.0;
        return;
    }
    size_t seasons = fd->n / (size_t)m;
    if (seasons > 3)
        seasons = 3;
    double mean[3] = {0};
    double acc[FORECAST_PERIOD_MAX] = {0};
    int cnt[FORECAST_PERIOD_MAX] = {0};
    for (size_t r = 0; r < seasons; r++) {
        double s = 0.0, s_all = 0.0;
        int c = 0;
        for (int j = 0; j < m; j++) {
            size_t i = r * (size_t)m + (size_t)j;
            s_all += fd->z[i];
            if (fd->x[i] == 0.0) {
                s += fd->z[i];
                c++;
            }
        }
        mean[r] = c > 0 ? s / c : s_all / m;
        for (int j = 0; j < m; j++) {
            size_t i = r * (size_t)m + (size_t)j;
            if (fd->x[i] == 0.0) {
                acc[j] += fd->z[i] - mean[r];
                cnt[j]++;
            }
        }
    }
    double tot = 0.0;
    for (int j = 0; j < m; j++) {
        fd->season0[j] = cnt[j] > 0 ? acc[j] / cnt[j] : 0.0;
        tot += fd->season0[j];
    }
    for (int j = 0; j < m; j++)
        fd->season0[j] -= tot / m;
    fd->trend0 = seasons >= 2 ? (mean[seasons - 1] - mean[0]) / ((double)(seasons - 1) * m) : 0.0;
    /* the level before t = 0: the first season's mean sits at its middle */
    fd->level0 = mean[0] - fd->trend0 * (m + 1) / 2.0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantile of sorted v[0..n) by linear interpolation. */
static double quantile(const double *v, size_t n, double p)
{
    double pos = p * (double)(n - 1);
    size_t i = (size_t)pos;
    if (i + 1 >= n)
        return v[n - 1];
    double frac = pos - (double)i;
    return v[i] + frac * (v[i + 1] - v[i]);
}

static int check_options(const struct forecast_options *opt)
{
    if (opt == NULL || opt->period < 1 || opt->period > FORECAST_PERIOD_MAX || opt->horizon < 1 ||
        opt->horizon > FORECAST_HORIZON_MAX)
        return ERR_INVALID;
    if (opt->transform != FORECAST_LOG1P && opt->transform != FORECAST_SQRT &&
        opt->transform != FORECAST_AUTO)
        return ERR_INVALID;
    return 0;
}

int forecast_fit(const double *y, size_t n, const struct forecast_options *opt,
                 struct forecast_model *out)
{
    int r = ERR_INVALID;
    double *z = NULL, *x = NULL, *L = NULL, *B = NULL, *S = NULL, *errs = NULL;
    struct fit_data fd;
    struct params p;
    double mean = 0.0;

    memset(out, 0, sizeof(*out));
    if (y == NULL || n == 0 || n > FORECAST_N_MAX || check_options(opt) != 0)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(y[i]) || y[i] < 0.0)
            return ERR_INVALID;
        mean += y[i] / (double)n;
    }
    if (opt->regressor != NULL)
        for (size_t i = 0; i < n + (size_t)opt->horizon; i++)
            if (!isfinite(opt->regressor[i]))
                return ERR_INVALID;

    int transform = opt->transform;
    if (transform == FORECAST_AUTO)
        transform = mean < 10.0 ? FORECAST_SQRT : FORECAST_LOG1P;
    int horizon = opt->horizon;
    size_t nx = n + (size_t)horizon;
    z = xcalloc(n, sizeof(*z));
    x = xcalloc(nx, sizeof(*x));
    for (size_t i = 0; i < n; i++)
        z[i] = to_z(transform, y[i]);
    int has_reg = 0;
    if (opt->regressor != NULL) {
        memcpy(x, opt->regressor, nx * sizeof(*x));
        for (size_t i = 0; i < n; i++)
            if (x[i] != 0.0)
                has_reg = 1;
    }

    memset(&fd, 0, sizeof(fd));
    fd.z = z;
    fd.x = x;
    fd.n = n;
    fd.m = (opt->period > 1 && n >= 2 * (size_t)opt->period + 1) ? opt->period : 1;
    fd.has_reg = has_reg;
    init_state(&fd);

    /* Grid of starting points, then Nelder-Mead from the best one. */
    int dim = has_reg ? 5 : 4;
    double best_u[NM_MAX_DIM] = {0};
    double best_f = HUGE_VAL;
    static const double alphas[] = {0.05, 0.2, 0.5};
    static const double beta_fracs[] = {0.02, 0.2};
    static const double gamma_fracs[] = {0.05, 0.3};
    for (size_t ia = 0; ia < sizeof(alphas) / sizeof(alphas[0]); ia++)
        for (size_t ib = 0; ib < sizeof(beta_fracs) / sizeof(beta_fracs[0]); ib++)
            for (size_t ig = 0; ig < sizeof(gamma_fracs) / sizeof(gamma_fracs[0]); ig++) {
                double u[NM_MAX_DIM] = {0};
                u[0] = logit((alphas[ia] - 0.01) / 0.98);
                u[1] = logit(beta_fracs[ib]);
                u[2] = logit(gamma_fracs[ig]);
                u[3] = logit((0.9 - 0.80) / 0.18);
                u[4] = 0.0;
                double f = objective(&fd, u);
                if (f < best_f) {
                    best_f = f;
                    memcpy(best_u, u, sizeof(u));
                }
            }
    if (n >= 4) {
        static const double steps[NM_MAX_DIM] = {1.0, 1.0, 1.0, 1.0, 0.3};
        nelder_mead(&fd, dim, best_u, steps);
    }
    params_from_u(&fd, best_u, &p);

    L = xcalloc(n + 1, sizeof(*L));
    B = xcalloc(n + 1, sizeof(*B));
    S = xcalloc(n + (size_t)fd.m, sizeof(*S));
    double sse = run(&fd, &p, L, B, S);
    if (!isfinite(sse))
        goto out;

    out->period = fd.m;
    out->horizon = horizon;
    out->transform = transform;
    out->n = n;
    out->alpha = p.alpha;
    out->beta = p.beta;
    out->gamma = p.gamma;
    out->phi = p.phi;
    out->coef = p.coef;
    out->level = L[n];
    out->trend = B[n];
    for (int k = 0; k < fd.m; k++)
        out->season[k] = fd.m > 1 ? S[n + (size_t)k] : 0.0;
    out->sse = sse;
    out->sigma = sqrt(sse / (double)n);
    out->has_regressor = has_reg;
    for (int k = 0; k < horizon; k++)
        out->regressor_future[k] = x[n + (size_t)k];

    /* In-sample h-step errors from every origin after the first season, standardised. */
    size_t t_start = fd.m > 1 ? (size_t)fd.m : 3;
    size_t cap = n > t_start ? (n - t_start) * (size_t)horizon : 0, ne = 0;
    if (cap > 0) {
        double vh[FORECAST_HORIZON_MAX], ps[FORECAST_HORIZON_MAX];
        double f = 1.0, acc = 0.0;
        for (int h = 1; h <= horizon; h++) {
            vh[h - 1] = sqrt(var_factor(&p, fd.m, h));
            f *= p.phi;
            acc += f;
            ps[h - 1] = acc; /* phi + ... + phi^h */
        }
        errs = xcalloc(cap, sizeof(*errs));
        for (size_t t = t_start; t < n; t++) {
            for (int h = 1; h <= horizon && t + (size_t)h - 1 < n; h++) {
                size_t target = t + (size_t)h - 1;
                double s = 0.0;
                if (fd.m > 1) {
                    size_t back = (size_t)fd.m * (((size_t)h + (size_t)fd.m - 1) / (size_t)fd.m);
                    s = S[target + (size_t)fd.m - back];
                }
                double pred = L[t] + ps[h - 1] * B[t] + s + p.coef * x[target];
                errs[ne++] = (z[target] - pred) / vh[h - 1];
            }
        }
    }
    if (ne >= FORECAST_MIN_ERRORS) {
        qsort(errs, ne, sizeof(*errs), cmp_double);
        out->q[0] = quantile(errs, ne, 0.025);
        out->q[1] = quantile(errs, ne, 0.10);
        out->q[2] = quantile(errs, ne, 0.90);
        out->q[3] = quantile(errs, ne, 0.975);
        out->has_empirical = 1;
    } else {
        out->q[0] = -1.959964 * out->sigma;
        out->q[1] = -1.281552 * out->sigma;
        out->q[2] = 1.281552 * out->sigma;
        out->q[3] = 1.959964 * out->sigma;
    }
    /* Keep the bands around the point even when the errors are lopsided. */
    if (out->q[1] > 0.0)
        out->q[1] = 0.0;
    if (out->q[2] < 0.0)
        out->q[2] = 0.0;
    if (out->q[0] > out->q[1])
        out->q[0] = out->q[1];
    if (out->q[3] < out->q[2])
        out->q[3] = out->q[2];
    r = 0;
out:
    free(z);
    free(x);
    free(L);
    free(B);
    free(S);
    free(errs);
    if (r != 0)
        memset(out, 0, sizeof(*out));
    return r;
}

int forecast_predict(const struct forecast_model *model, int h, struct forecast_point *out)
{
    struct params p;
    if (model == NULL || out == NULL || h < 1 || h > model->horizon || model->period < 1)
        return ERR_INVALID;
    p.alpha = model->alpha;
    p.beta = model->beta;
    p.gamma = model->gamma;
    p.phi = model->phi;
    p.coef = model->coef;
    for (int j = 1; j <= h; j++) {
        double s = model->period > 1 ? model->season[(j - 1) % model->period] : 0.0;
        double zhat = model->level + phi_sum(p.phi, j) * model->trend + s +
                      p.coef * model->regressor_future[j - 1];
        double sd = sqrt(var_factor(&p, model->period, j));
        struct forecast_point *o = &out[j - 1];
        o->point = from_z(model->transform, zhat);
        o->lo95 = from_z(model->transform, zhat + model->q[0] * sd);
        o->lo80 = from_z(model->transform, zhat + model->q[1] * sd);
        o->hi80 = from_z(model->transform, zhat + model->q[2] * sd);
        o->hi95 = from_z(model->transform, zhat + model->q[3] * sd);
    }
    return 0;
}

double forecast_snaive(const double *y, size_t n, int period, int h)
{
    if (n == 0 || h < 1)
        return 0.0;
    if (period < 1 || (size_t)period > n)
        return y[n - 1];
    size_t back = (size_t)period * (((size_t)h + (size_t)period - 1) / (size_t)period);
    return y[n + (size_t)h - 1 - back];
}

static double day_value(const struct calendar *cal, long dn)
{
    int y, m, d;
    time_civil_from_days(dn, &y, &m, &d);
    int wd = (int)(((dn % 7) + 7 + 3) % 7); /* 0 = Monday (1970-01-01 was a Thursday) */
    enum day_kind k = calendar_day_kind(cal, y, m, d);
    if (k == DAY_OFF && wd < 5)
        return 1.0;
    if (k == DAY_WORK && wd >= 5)
        return -1.0;
    return 0.0;
}

int forecast_holiday_regressor(const struct calendar *cal, int y, int m, int d, int by_days,
                               size_t count, double *out)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (cal == NULL || out == NULL || y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX || m < 1 ||
        m > 12 || d < 1 || (by_days != 0 && by_days != 1 && by_days != 7))
        return ERR_INVALID;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[m - 1] + (m == 2 && leap))
        return ERR_INVALID;
    if (count > (size_t)FORECAST_N_MAX + FORECAST_HORIZON_MAX)
        return ERR_INVALID;
    long dn = time_days_from_civil(y, m, d);
    if (by_days > 0) {
        for (size_t i = 0; i < count; i++) {
            double s = 0.0;
            for (int k = 0; k < by_days; k++)
                s += day_value(cal, dn + (long)i * by_days + k);
            out[i] = s;
        }
        return 0;
    }
    int cy = y, cm = m;
    for (size_t i = 0; i < count; i++) {
        int len = mdays[cm - 1] + (cm == 2 && ((cy % 4 == 0 && cy % 100 != 0) || cy % 400 == 0));
        long first = time_days_from_civil(cy, cm, 1);
        double s = 0.0;
        for (int k = 0; k < len; k++)
            s += day_value(cal, first + k);
        out[i] = s;
        if (++cm > 12) {
            cm = 1;
            cy++;
        }
    }
    return 0;
}

int forecast_backtest(const double *y, size_t n, const struct forecast_options *opt, int origins,
                      int step, size_t min_train, struct forecast_backtest_result *out)
{
    struct forecast_point pts[FORECAST_HORIZON_MAX];
    double sum_m = 0.0, sum_s = 0.0, abs_m = 0.0, abs_s = 0.0;
    memset(out, 0, sizeof(*out));
    if (y == NULL || check_options(opt) != 0 || origins < 1 || step < 1 || n > FORECAST_N_MAX)
        return ERR_INVALID;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]) || y[i] < 0.0)
            return ERR_INVALID;
    int H = opt->horizon;
    if (min_train < 2)
        min_train = 2;
    for (int k = 0; k < origins; k++) {
        long t_signed = (long)n - H - (long)k * step;
        if (t_signed < (long)min_train)
            break;
        size_t t = (size_t)t_signed;
        int mb = (opt->period > 1 && t > (size_t)opt->period) ? opt->period : 1;
        double scale = 0.0;
        for (size_t i = (size_t)mb; i < t; i++)
            scale += fabs(y[i] - y[i - (size_t)mb]);
        scale /= (double)(t - (size_t)mb);
        if (!(scale > 0.0))
            continue;
        struct forecast_model model;
        int r = forecast_fit(y, t, opt, &model);
        if (r != 0)
            return r;
        if ((r = forecast_predict(&model, H, pts)) != 0)
            return r;
        for (int h = 1; h <= H; h++) {
            double actual = y[t + (size_t)h - 1];
            double em = fabs(actual - pts[h - 1].point);
            double es = fabs(actual - forecast_snaive(y, t, mb, h));
            sum_m += em / scale;
            sum_s += es / scale;
            abs_m += em;
            abs_s += es;
            out->covered80 += actual >= pts[h - 1].lo80 && actual <= pts[h - 1].hi80;
            out->covered95 += actual >= pts[h - 1].lo95 && actual <= pts[h - 1].hi95;
            out->outcomes++;
        }
        out->origins_used++;
    }
    if (out->outcomes > 0) {
        double no = (double)out->outcomes;
        out->mase_model = sum_m / no;
        out->mase_snaive = sum_s / no;
        out->mae_model = abs_m / no;
        out->mae_snaive = abs_s / no;
        out->is_scored = 1;
    }
    return 0;
}
