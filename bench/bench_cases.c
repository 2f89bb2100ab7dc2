/*
 * bench_cases.c - case listing and the deadline sweep on a large case table.
 *
 * usage: bench_cases DB [CASES]
 *
 * DB must hold an area tree (a copy of the city-scale demo: bench/run makes bench/city.db).
 * Fills it with CASES synthetic cases (default 1,000,000) spread over the city's grids and
 * the past year — written straight through the store in large transactions, as fixture data,
 * not through the workflow — all of them open (the sweep's worst case), 1% overdue. Then measures,
 * warm, single thread, through the same store_case_list the API uses:
 *   - the first page (50 newest) of a district, street, community and grid, with and without
 *     a status filter, and 10 pages deep by keyset;
 *   - a full-text search;
 * each 200 times, printing p50 and p99 in ms; then the sweep (cases_sweep) over all of them,
 * and a second sweep at the same instant (which must find nothing to do).
 */
#include "base/config.h"
#include "base/error.h"
#include "base/timeutil.h"
#include "service/auth.h"
#include "service/cases.h"
#include "service/context.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define DAY_MS (24LL * 3600 * 1000)

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

struct grid_list {
    char (*codes)[19];
    size_t len, cap;
};

static int collect_grid(void *ctx, const struct area *a)
{
    struct grid_list *g = ctx;
    if (a->level != 6)
        return 0;
    if (g->len == g->cap) {
        g->cap = g->cap ? g->cap * 2 : 1024;
        g->codes = realloc(g->codes, g->cap * sizeof(*g->codes));
    }
    snprintf(g->codes[g->len++], 19, "%s", a->code);
    return 0;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Run the listing 200 times; print p50/p99. */
static void measure(struct store *st, const char *name, struct case_filter *f, int pages)
{
    double ms[200];
    size_t rows = 0;
    for (int i = 0; i < 200; i++) {
        struct case_filter g = *f;
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        for (int p = 0; p < pages; p++) {
            struct case_list list;
            if (store_case_list(st, &g, &list) != 0)
                exit(1);
            rows += list.len;
            if (list.len == 0) {
                case_list_cleanup(&list);
                break;
            }
            g.before_created_ms = list.items[list.len - 1].created_ms;
            g.before_id = list.items[list.len - 1].id;
            case_list_cleanup(&list);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        ms[i] = (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6;
    }
    qsort(ms, 200, sizeof(ms[0]), compare_double);
    printf("list %-28s pages=%d rows/run=%zu p50_ms=%.3f p99_ms=%.3f\n", name, pages, rows / 200,
           ms[100], ms[197]);
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct grid_list grids = {NULL, 0, 0};
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    int64_t now = time_now_ms();
    static const char *const cats[] = {"0101", "0204", "0205", "0801", "1002", "0401", "1401"};
    static const char *const open_states[] = {"reported", "accepted", "dispatched", "in_progress"};

    if (argc < 2 || n <= 0) {
        fprintf(stderr, "usage: bench_cases DB [CASES]\n");
        return 2;
    }
    if (auth_global_init() != 0)
        return 1;
    config_defaults(&cfg);
    snprintf(cfg.db, sizeof(cfg.db), "%s", argv[1]);
    if (service_ctx_open(&cfg, 0, &ctx, &eb) != 0) {
        fprintf(stderr, "bench_cases: %s\n", eb.msg);
        return 1;
    }
    store_area_walk(ctx->st, "", 6, 0, collect_grid, &grids);
    if (grids.len == 0) {
        fprintf(stderr, "bench_cases: no grids in %s\n", argv[1]);
        return 1;
    }

    int64_t t0 = time_mono_ms();
    for (long i = 0; i < n; i++) {
        struct case_rec c;
        char desc[96];
        if (i % 20000 == 0)
            store_begin(ctx->st);
        memset(&c, 0, sizeof(c));
        uint64_t r = rng_next();
        const char *grid = grids.codes[r % grids.len];
        /* the cell number from the unsigned draw (an int cast first could go negative and
         * make a code with a minus sign, which the sweep's roll-ups then refused) */
        snprintf(c.area_code, sizeof(c.area_code), "%s%03d", grid, (int)((r >> 20) % 9) + 1);
        snprintf(c.number, sizeof(c.number), "B-%ld", i);
        snprintf(c.category, sizeof(c.category), "%s", cats[(r >> 8) % 7]);
        snprintf(c.channel, sizeof(c.channel), "%s", "phone");
        snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
        int is_open = 1; /* the sweep's worst case: every case open */
        int is_due = (r >> 40) % 100 == 0;
        /* one case in 250 waits for verification: a rare status for the status lists */
        snprintf(c.status, sizeof(c.status), "%s",
                 i % 250 == 0 ? "handled" : open_states[(r >> 30) % 4]);
        snprintf(desc, sizeof(desc), "第%ld号 %s", i,
                 i % 97 == 0 ? "井盖丢失有危险" : "路灯不亮请维修");
        c.description = desc;
        c.queue_level = 6;
        c.created_ms = now - 365 * DAY_MS + (int64_t)((double)i / (double)n * 365.0 * DAY_MS);
        c.updated_ms = c.created_ms;
        if (is_open) {
            snprintf(c.step, sizeof(c.step), "%s", "accept");
            c.step_started_ms = is_due ? now - 10 * DAY_MS : now - 1000;
            c.due_ms = is_due ? now - 9 * DAY_MS : now + 3600LL * 1000;
            c.sweep_at_ms = c.due_ms + 1;
        }
        if (store_case_insert(ctx->st, &c) != 0)
            return 1;
        if (i % 20000 == 19999 || i == n - 1)
            store_commit(ctx->st);
    }
    printf("fill cases=%ld seconds=%.1f\n", n, (double)(time_mono_ms() - t0) / 1e3);
    store_maintain(ctx->st);
    store_refresh_statistics(ctx->st); /* PostgreSQL plans by the filled table, as in use */

    struct case_filter f;
    char street[10], community[13];
    memcpy(street, grids.codes[0], 9);
    street[9] = '\0';
    memcpy(community, grids.codes[0], 12);
    community[12] = '\0';
    memset(&f, 0, sizeof(f));
    f.limit = 50;
    f.now_ms = now;
    f.area = "440605";
    measure(ctx->st, "district", &f, 1);
    measure(ctx->st, "district 10 pages", &f, 10);
    f.statuses[0] = "reported";
    measure(ctx->st, "district status=reported", &f, 1);
    f.statuses[0] = "handled";
    measure(ctx->st, "district status=handled", &f, 1);
    f.area = street;
    measure(ctx->st, "street status=handled", &f, 1);
    f.area = grids.codes[0];
    measure(ctx->st, "grid status=handled", &f, 1);
    f.statuses[0] = NULL;
    f.area = street;
    measure(ctx->st, "street", &f, 1);
    f.area = community;
    measure(ctx->st, "community", &f, 1);
    f.area = grids.codes[0];
    measure(ctx->st, "grid", &f, 1);
    f.area = "440605";
    f.is_overdue = 1;
    measure(ctx->st, "district overdue", &f, 1);
    f.is_overdue = 0;
    f.query = "井盖丢失";
    measure(ctx->st, "district q=井盖丢失", &f, 1);

    struct sweep_stats s;
    int r;
    t0 = time_mono_ms();
    if ((r = cases_sweep(ctx, now, &s)) != 0) {
        fprintf(stderr, "bench_cases: the sweep failed: %s\n", err_code(r));
        return 1;
    }
    printf("sweep open_cases=%ld examined=%lld acted=%lld seconds=%.3f\n", n, (long long)s.examined,
           (long long)(s.yellow + s.red + s.escalated), (double)(time_mono_ms() - t0) / 1e3);
    t0 = time_mono_ms();
    if ((r = cases_sweep(ctx, now, &s)) != 0) {
        fprintf(stderr, "bench_cases: the second sweep failed: %s\n", err_code(r));
        return 1;
    }
    printf("sweep again examined=%lld seconds=%.3f\n", (long long)s.examined,
           (double)(time_mono_ms() - t0) / 1e3);
    free(grids.codes);
    service_ctx_free(ctx);
    return 0;
}
