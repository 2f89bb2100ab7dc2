/*
 * bench_indicators.c - indicator queries on roll-ups filled for many cases.
 *
 * usage: bench_indicators DB [CASES] [YEARS]
 *
 * With CASES 0, only the queries run, on DB as a previous run left it (same YEARS).
 * Otherwise creates DB (which must not exist) and fills its roll-ups with CASES synthetic cases
 * (default 10,000,000) over YEARS years (default 3) ending 2026-05-31, spread over a
 * synthetic city of 5 districts x 10 streets x 10 communities x 8 grids (4,000 grids) and 40
 * categories. Each case is one call of rollups_apply — the function the case service calls
 * for every event — with the counters of a whole plausible case life (reported, mostly
 * accepted and closed, some on time, rated, reworked, escalated; a handling time in the
 * histogram), so the tables hold what CASES cases leave behind: one upsert per level of each
 * case's path (6) plus one per month cell (levels down to street: 4), in transactions of
 * 50,000 cases, in time order as cases arrive. It prints the fill rate (the per-event cost on
 * the intake path, where an event that counts does the same upserts).
 *
 * Then, warm, single thread, through rollups_query (what the API calls), 200 times each with a
 * random area of the given level and a random calendar year of the data, p50 and p99 in ms:
 * the total of a year for the city, a district, a street, a community and a grid; a district
 * year by month; a district year by child. The target: any subtree and any year under
 * 50 ms on 10 million cases.
 */
#include "base/rng.h"
#include "base/timeutil.h"
#include "domain/indicators.h"
#include "service/rollups.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS (24LL * 3600 * 1000)
#define END_MS 1780243200000LL /* 2026-06-01 00:00 UTC+8 */
#define BATCH  50000
#define RUNS   200

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A grid code of the synthetic city: 4406 + district 01..05 + street 001..010 + community
 * 001..010 + grid 001..008. */
static void grid_code(struct rng *r, char out[19])
{
    unsigned d = 1 + (unsigned)rng_below(r, 5) % 5, s = 1 + (unsigned)rng_below(r, 10) % 10;
    unsigned c = 1 + (unsigned)rng_below(r, 10) % 10, g = 1 + (unsigned)rng_below(r, 8) % 8;
    snprintf(out, 19, "4406%02u%03u%03u%03u", d, s, c, g);
}

/* The counters of one whole case life (what its events sum to). */
static void case_life(struct rng *r, struct rollup_counters *d)
{
    int closed = rng_chance(r, 0.85), rejected = !closed && rng_chance(r, 0.3);
    indicator_counters_clear(d);
    d->v[RF_collected] = 1;
    d->v[RF_patrol_found] = rng_chance(r, 0.4);
    d->v[RF_responded] = 1;
    d->v[RF_responded_on_time] = rng_chance(r, 0.95);
    d->v[RF_rejected] = rejected;
    d->v[RF_accepted] = !rejected && rng_chance(r, 0.75);
    d->v[RF_resolved_on_site] = !rejected && !d->v[RF_accepted] && rng_chance(r, 0.6);
    d->v[RF_answered] = !rejected && !d->v[RF_accepted] && !d->v[RF_resolved_on_site];
    if (d->v[RF_accepted]) {
        d->v[RF_dispatched] = d->v[RF_signed] = d->v[RF_handled] = d->v[RF_verified] = 1;
        d->v[RF_dispatched_on_time] = rng_chance(r, 0.9);
        d->v[RF_signed_on_time] = rng_chance(r, 0.9);
        d->v[RF_handled_on_time] = rng_chance(r, 0.8);
        d->v[RF_verified_on_time] = rng_chance(r, 0.9);
        d->v[RF_reworks] = rng_chance(r, 0.05);
        d->v[RF_extensions] = rng_chance(r, 0.03);
    }
    d->v[RF_escalations] = d->v[RF_escalated_cases] = rng_chance(r, 0.04);
    d->v[RF_yellow_cards] = rng_chance(r, 0.02);
    d->v[RF_red_cards] = rng_chance(r, 0.005);
    if (closed && !rejected) {
        int64_t minutes = 1 + (int64_t)(rng_unit(r) * rng_unit(r) * 6000);
        d->v[RF_closed] = 1;
        d->v[RF_closed_on_time] = rng_chance(r, 0.8);
        d->v[RF_closed_resolved] = rng_chance(r, 0.9);
        d->v[RF_closed_answered] = !d->v[RF_closed_resolved];
        d->v[RF_closed_low_level] = rng_chance(r, 0.7);
        d->v[RF_handling_minutes] = minutes;
        d->hist[indicator_hist_bucket(minutes)] = 1;
        if (rng_chance(r, 0.5)) {
            int rating = 1 + rng_below(r, 5);
            d->v[RF_evaluated] = 1;
            d->v[RF_satisfied] = rating >= 4;
            d->v[RF_rating_sum] = rating;
        }
    }
}

static int sink(void *ctx, const char *key, const struct rollup_counters *sum)
{
    (void)key;
    *(int64_t *)ctx += sum->v[RF_collected];
    return 0;
}

/* An area of `level` (2 city .. 6 grid) of the synthetic city. */
static void area_of_level(struct rng *r, int level, char out[19])
{
    static const int lengths[] = {0, 2, 4, 6, 9, 12, 15};
    char grid[19];
    grid_code(r, grid);
    snprintf(out, 19, "%.*s", lengths[level], grid);
}

static void bench_query(struct store *st, struct rng *r, const char *what, int level,
                        enum rollups_by by, int first_year, int years)
{
    double ms[RUNS];
    int64_t seen = 0;
    for (int i = 0; i < RUNS; i++) {
        char area[19];
        int year = first_year + rng_below(r, years);
        int64_t t0 = mono_us();
        area_of_level(r, level, area);
        if (rollups_query(st, area, year * 10000 + 101, year * 10000 + 1231, "", by, sink, &seen) !=
            0) {
            fprintf(stderr, "query failed\n");
            exit(1);
        }
        ms[i] = (double)(mono_us() - t0) / 1000.0;
    }
    qsort(ms, RUNS, sizeof(ms[0]), compare_double);
    printf("%-34s p50 %7.2f ms  p99 %7.2f ms  (cases seen %lld)\n", what, ms[RUNS / 2],
           ms[RUNS * 99 / 100], (long long)seen);
}

int main(int argc, char **argv)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    struct rng r;
    long long cases = argc > 2 ? atoll(argv[2]) : 10000000LL; /* 0: query DB as it is */
    int years = argc > 3 ? atoi(argv[3]) : 3;
    int64_t span_ms, t0;
    int first_year, last_year;
    if (argc < 2 || cases < 0 || years <= 0 || years > 20) {
        fputs("usage: bench_indicators DB [CASES] [YEARS]\n", stderr);
        return 2;
    }
    if (store_open(argv[1], cases > 0 ? STORE_CREATE : 0, &st, &eb) != 0) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], eb.msg);
        return 1;
    }
    rng_seed(&r, 1, 7);
    span_ms = (int64_t)years * 365 * DAY_MS;
    t0 = time_mono_ms();
    for (long long i = 0; i < cases; i++) {
        struct rollup_counters d;
        char grid[19], cat[5];
        /* In time order, as events arrive: the cells being written are today's. */
        int64_t created = END_MS - span_ms + (int64_t)((double)i / (double)cases * (double)span_ms);
        if (i % BATCH == 0 && store_begin(st) != 0)
            return 1;
        grid_code(&r, grid);
        snprintf(cat, sizeof(cat), "%02u%02u", 1 + (unsigned)rng_below(&r, 8) % 8,
                 1 + (unsigned)rng_below(&r, 5) % 5);
        case_life(&r, &d);
        if (rollups_apply(st, ROLLUP_LIVE, grid, created, cat, &d) != 0) {
            fprintf(stderr, "rollups_apply failed\n");
            return 1;
        }
        if ((i % BATCH == BATCH - 1 || i == cases - 1) && store_commit(st) != 0)
            return 1;
    }
    if (cases > 0) {
        double s = (double)(time_mono_ms() - t0) / 1000.0;
        printf("filled roll-ups for %lld cases over %d years in %.1f s: %.0f cases/s, %.0f "
               "upserts/s (6 levels + 4 month cells)\n",
               cases, years, s, (double)cases / s, (double)cases * 10 / s);
    }
    last_year = indicator_day(END_MS - 1) / 10000;
    first_year = indicator_day(END_MS - span_ms) / 10000;
    bench_query(st, &r, "city year, total", 2, ROLLUPS_BY_TOTAL, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "district year, total", 3, ROLLUPS_BY_TOTAL, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "street year, total", 4, ROLLUPS_BY_TOTAL, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "community year, total", 5, ROLLUPS_BY_TOTAL, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "grid year, total", 6, ROLLUPS_BY_TOTAL, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "district year, by month", 3, ROLLUPS_BY_MONTH, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "district year, by child", 3, ROLLUPS_BY_CHILD, first_year,
                last_year - first_year + 1);
    bench_query(st, &r, "city year, by category", 2, ROLLUPS_BY_CATEGORY, first_year,
                last_year - first_year + 1);
    store_close(st);
    return 0;
}
