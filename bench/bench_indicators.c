/*
 * bench_indicators.c - indicator queries on roll-ups filled for many cases.
 *
 * usage: bench_indicators [--direct | --community-months] DB [CASES] [YEARS]
 *
 * --community-months is --direct writing the community month cells only (level 5 +
 * ROLLUPS_MONTH_LEVEL) and running only the queries that read nothing else for a calendar
 * year (a street by child, a community's total and months): on a machine too busy for the
 * whole fill, it measures what the community month cells changed.
 *
 * With CASES 0, only the queries run, on DB as a previous run left it (same YEARS).
 *
 * --direct fills the same tables quickly, for measuring the query cost on 10 million cases
 * without replaying them through the intake path: the cases (their grid, day, category and
 * their life, packed in 16 bytes) are drawn in memory, sorted by the key of each level's cells, and
 * each cell is written once, with the counters of all its cases summed, through the same store op
 * (store_rollup_add) in key order. The rows are what rollups_apply would leave for the same
 * cases; only the fill rate printed differs in meaning (cells/s, not upserts per event).
 * Otherwise creates DB (which must not exist) and fills its roll-ups with CASES synthetic cases
 * (default 10,000,000) over YEARS years (default 3) ending 2026-05-31, spread over a
 * synthetic city of 5 districts x 10 streets x 10 communities x 8 grids (4,000 grids) and 40
 * categories. Each case is one call of rollups_apply — the function the case service calls
 * for every event — with the counters of a whole plausible case life (reported, mostly
 * accepted and closed, some on time, rated, reworked, escalated; a handling time in the
 * histogram), so the tables hold what CASES cases leave behind: one upsert per level of each
 * case's path (6) plus one per month cell (levels down to community: 5), in transactions of
 * 50,000 cases, in time order as cases arrive. It prints the fill rate (the per-event cost on
 * the intake path, where an event that counts does the same upserts).
 *
 * Then, warm, single thread, through rollups_query (what the API calls), 200 times each with a
 * random area of the given level and a random calendar year of the data, p50 and p99 in ms of
 * wall time and of the thread's CPU time (on a shared machine the wall time includes waiting
 * for a core):
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

/* CPU time of this thread: on a shared machine the wall time of a query includes waiting for
 * a core, its CPU time does not. */
static int64_t cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* CPU time of the process, in seconds (the fill is single-threaded). */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
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

/* ---- --direct: every cell written once ------------------------------------------------------ */

#define N_GRIDS 4000
#define N_CATS  40

/* A case in memory: grid index (12 bits) | day index (12 bits) | category (6 bits) | its
 * number (25 bits, the seed of its life). */
#define CASE_BITS  25
#define CAT_SHIFT  CASE_BITS
#define DAY_SHIFT  (CAT_SHIFT + 6)
#define AREA_SHIFT (DAY_SHIFT + 12)

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The area code of grid index g (0..3999) at level (1 province .. 6 grid). */
static void area_of_grid(unsigned g, int level, char out[19])
{
    static const int lengths[] = {0, 2, 4, 6, 9, 12, 15};
    char code[40]; /* room for any unsigned, though g < 4000 */
    unsigned d = g / 800 + 1, s = g / 80 % 10 + 1, c = g / 8 % 10 + 1, gg = g % 8 + 1;
    snprintf(code, sizeof(code), "4406%02u%03u%03u%03u", d, s, c, gg);
    snprintf(out, 19, "%.*s", lengths[level], code);
}

/* The grid index range of one area of `level` holding grid g: its first grid. */
static unsigned area_first_grid(unsigned g, int level)
{
    static const unsigned span[] = {0, N_GRIDS, N_GRIDS, 800, 80, 8, 1};
    return g / span[level] * span[level];
}

/* A case life packed: its 0/1 counters as bits, its handling minutes (0: not closed) and its
 * rating (0: none), so the per-level sums never redo case_life. */
struct packed_life {
    uint64_t bits;
    uint16_t minutes;
    uint8_t rating;
};

static void pack_life(const struct rollup_counters *d, struct packed_life *out)
{
    out->bits = 0;
    for (int f = 0; f < ROLLUP_FIELD_COUNT; f++)
        if (f != RF_handling_minutes && f != RF_rating_sum && d->v[f] != 0)
            out->bits |= 1ULL << f;
    out->minutes = (uint16_t)d->v[RF_handling_minutes];
    out->rating = (uint8_t)d->v[RF_rating_sum];
}

static void add_life(struct rollup_counters *sum, const struct packed_life *p)
{
    for (uint64_t b = p->bits; b != 0; b &= b - 1)
        sum->v[__builtin_ctzll(b)]++;
    if (p->minutes > 0) {
        sum->v[RF_handling_minutes] += p->minutes;
        sum->hist[indicator_hist_bucket(p->minutes)]++;
    }
    sum->v[RF_rating_sum] += p->rating;
}

_Static_assert(ROLLUP_FIELD_COUNT <= 64, "packed_life holds one bit per counter");

/* only_community_months: write the level-5 month cells and nothing else. */
static int fill_direct(struct store *st, long long cases, int years, int64_t span_ms,
                       int only_community_months)
{
    struct packed_life *lives = malloc((size_t)cases * sizeof(*lives));
    uint64_t *keys = malloc((size_t)cases * sizeof(*keys));
    uint64_t *sorted = malloc((size_t)cases * sizeof(*sorted));
    int *day_of = malloc((size_t)years * 366 * sizeof(*day_of));
    int *month_first = malloc((size_t)years * 366 * sizeof(*month_first));
    int ndays = (int)(span_ms / DAY_MS);
    int64_t t0 = time_mono_ms(), cells = 0;
    int status = 1;
    struct rng r;
    if (keys == NULL || sorted == NULL || day_of == NULL || month_first == NULL || lives == NULL ||
        cases >= (1LL << CASE_BITS) || years > 10) {
        fprintf(stderr, "--direct: out of memory, more than %lld cases or 10 years\n",
                1LL << CASE_BITS);
        goto out;
    }
    for (int i = 0; i < ndays; i++)
        day_of[i] = indicator_day(END_MS - span_ms + (int64_t)i * DAY_MS);
    for (int i = 0; i < ndays; i++) /* the day index of the first day of i's month */
        month_first[i] = i > 0 && day_of[i - 1] / 100 == day_of[i] / 100 ? month_first[i - 1] : i;
    rng_seed(&r, 1, 7);
    for (long long i = 0; i < cases; i++) {
        uint64_t g = (uint64_t)rng_below(&r, N_GRIDS), day = (uint64_t)rng_below(&r, ndays);
        uint64_t cat = (uint64_t)rng_below(&r, N_CATS);
        struct rollup_counters d;
        keys[i] = g << AREA_SHIFT | day << DAY_SHIFT | cat << CAT_SHIFT | (uint64_t)i;
        case_life(&r, &d);
        pack_life(&d, &lives[i]);
    }
    printf("drew %lld cases in %.1f s\n", cases, (double)(time_mono_ms() - t0) / 1000.0);
    for (int level = 1; level <= 6; level++) {
        for (int month = 0; month < (level <= ROLLUPS_MONTH_LEVEL_MAX ? 2 : 1); month++) {
            long long at = 0;
            if (only_community_months && !(level == AREA_COMMUNITY && month))
                continue;
            /* The cell key of each case at this level: its area's first grid and, for month
             * cells, the first day index of its month (days map to months monotonically). */
            for (long long i = 0; i < cases; i++) {
                uint64_t g = keys[i] >> AREA_SHIFT, day = keys[i] >> DAY_SHIFT & 0xfff;
                if (month)
                    day = (uint64_t)month_first[day];
                sorted[i] = (uint64_t)area_first_grid((unsigned)g, level) << AREA_SHIFT |
                            day << DAY_SHIFT | (keys[i] & ((1ULL << DAY_SHIFT) - 1));
            }
            qsort(sorted, (size_t)cases, sizeof(*sorted), compare_u64);
            if (store_begin(st) != 0)
                goto out;
            while (at < cases) {
                uint64_t cell = sorted[at] >> CAT_SHIFT;
                struct rollup_counters sum;
                char area[19], cat[5];
                int day = day_of[cell >> 6 & 0xfff];
                unsigned c = (unsigned)(cell & 63);
                indicator_counters_clear(&sum);
                for (; at < cases && sorted[at] >> CAT_SHIFT == cell; at++)
                    add_life(&sum, &lives[sorted[at] & ((1ULL << CASE_BITS) - 1)]);
                area_of_grid((unsigned)(cell >> 18), level, area);
                snprintf(cat, sizeof(cat), "%02u%02u", 1 + c / 5, 1 + c % 5);
                if (store_rollup_add(st, ROLLUP_LIVE, month ? level + ROLLUPS_MONTH_LEVEL : level,
                                     area, month ? day / 100 * 100 : day, cat, &sum) != 0) {
                    fprintf(stderr, "store_rollup_add failed\n");
                    goto out;
                }
                if (++cells % 200000 == 0 && (store_commit(st) != 0 || store_begin(st) != 0))
                    goto out;
            }
            if (store_commit(st) != 0)
                goto out;
            printf("level %d%s written (%lld cells so far, %.1f s, %.1f s CPU)\n", level,
                   month ? " month cells" : "", (long long)cells,
                   (double)(time_mono_ms() - t0) / 1000.0, cpu_s());
            fflush(stdout);
        }
    }
    {
        double s = (double)(time_mono_ms() - t0) / 1000.0;
        printf("filled roll-ups for %lld cases over %d years directly in %.1f s (%.1f s CPU): %lld "
               "cells, "
               "%.0f cells/s\n",
               cases, years, s, cpu_s(), (long long)cells, (double)cells / s);
    }
    status = 0;
out:
    free(keys);
    free(sorted);
    free(day_of);
    free(month_first);
    free(lives);
    return status;
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
    double ms[RUNS], cpu[RUNS];
    int64_t seen = 0;
    for (int i = 0; i < RUNS; i++) {
        char area[19];
        int year = first_year + rng_below(r, years);
        int64_t t0 = mono_us(), c0 = cpu_us();
        area_of_level(r, level, area);
        if (rollups_query(st, area, year * 10000 + 101, year * 10000 + 1231, "", by, sink, &seen) !=
            0) {
            fprintf(stderr, "query failed\n");
            exit(1);
        }
        ms[i] = (double)(mono_us() - t0) / 1000.0;
        cpu[i] = (double)(cpu_us() - c0) / 1000.0;
    }
    qsort(ms, RUNS, sizeof(ms[0]), compare_double);
    qsort(cpu, RUNS, sizeof(cpu[0]), compare_double);
    printf("%-26s p50 %7.2f ms  p99 %7.2f ms  cpu p50 %6.2f ms  p99 %6.2f ms  (cases seen %lld)\n",
           what, ms[RUNS / 2], ms[RUNS * 99 / 100], cpu[RUNS / 2], cpu[RUNS * 99 / 100],
           (long long)seen);
    fflush(stdout);
}

int main(int argc, char **argv)
{
    struct store *st = NULL;
    struct errbuf eb = {{0}};
    struct rng r;
    int months_only = argc > 1 && strcmp(argv[1], "--community-months") == 0;
    int direct = months_only || (argc > 1 && strcmp(argv[1], "--direct") == 0);
    long long cases;
    int years;
    int64_t span_ms, t0;
    int first_year, last_year, n;
    argc -= direct;
    argv += direct;
    cases = argc > 2 ? atoll(argv[2]) : 10000000LL; /* 0: query DB as it is */
    years = argc > 3 ? atoi(argv[3]) : 3;
    if (argc < 2 || cases < 0 || years <= 0 || years > 20) {
        fputs("usage: bench_indicators [--direct | --community-months] DB [CASES] [YEARS]\n",
              stderr);
        return 2;
    }
    if (store_open(argv[1], cases > 0 ? STORE_CREATE | (direct ? STORE_BULK : 0) : 0, &st, &eb) !=
        0) {
        fprintf(stderr, "cannot open %s: %s\n", argv[1], eb.msg);
        return 1;
    }
    rng_seed(&r, 1, 7);
    span_ms = (int64_t)years * 365 * DAY_MS;
    t0 = time_mono_ms();
    if (direct && cases > 0 && fill_direct(st, cases, years, span_ms, months_only) != 0)
        return 1;
    for (long long i = 0; i < cases && !direct; i++) {
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
    if (cases > 0 && !direct) {
        double s = (double)(time_mono_ms() - t0) / 1000.0;
        printf("filled roll-ups for %lld cases over %d years in %.1f s: %.0f cases/s, %.0f "
               "upserts/s (6 levels + 5 month cells)\n",
               cases, years, s, (double)cases / s, (double)cases * 11 / s);
    }
    last_year = indicator_day(END_MS - 1) / 10000;
    first_year = indicator_day(END_MS - span_ms) / 10000;
    n = last_year - first_year + 1;
    if (months_only) {
        bench_query(st, &r, "community year, total", 5, ROLLUPS_BY_TOTAL, first_year, n);
        bench_query(st, &r, "community year, by month", 5, ROLLUPS_BY_MONTH, first_year, n);
        bench_query(st, &r, "street year, by child", 4, ROLLUPS_BY_CHILD, first_year, n);
        store_close(st);
        return 0;
    }
    bench_query(st, &r, "city year, total", 2, ROLLUPS_BY_TOTAL, first_year, n);
    bench_query(st, &r, "district year, total", 3, ROLLUPS_BY_TOTAL, first_year, n);
    bench_query(st, &r, "street year, total", 4, ROLLUPS_BY_TOTAL, first_year, n);
    bench_query(st, &r, "community year, total", 5, ROLLUPS_BY_TOTAL, first_year, n);
    bench_query(st, &r, "grid year, total", 6, ROLLUPS_BY_TOTAL, first_year, n);
    bench_query(st, &r, "city year, by month", 2, ROLLUPS_BY_MONTH, first_year, n);
    bench_query(st, &r, "district year, by month", 3, ROLLUPS_BY_MONTH, first_year, n);
    bench_query(st, &r, "street year, by month", 4, ROLLUPS_BY_MONTH, first_year, n);
    bench_query(st, &r, "community year, by month", 5, ROLLUPS_BY_MONTH, first_year, n);
    bench_query(st, &r, "grid year, by month", 6, ROLLUPS_BY_MONTH, first_year, n);
    bench_query(st, &r, "city year, by child", 2, ROLLUPS_BY_CHILD, first_year, n);
    bench_query(st, &r, "district year, by child", 3, ROLLUPS_BY_CHILD, first_year, n);
    bench_query(st, &r, "street year, by child", 4, ROLLUPS_BY_CHILD, first_year, n);
    bench_query(st, &r, "community year, by child", 5, ROLLUPS_BY_CHILD, first_year, n);
    bench_query(st, &r, "city year, by category", 2, ROLLUPS_BY_CATEGORY, first_year, n);
    bench_query(st, &r, "grid year, by category", 6, ROLLUPS_BY_CATEGORY, first_year, n);
    store_close(st);
    return 0;
}
