/*
 * bench_locate.c - point location throughput on a real area tree.
 *
 * usage: bench_locate DB [LOOKUPS]
 *
 * Builds the in-memory index (STRtree + prepared geometries) from the database the way the
 * server does, then locates LOOKUPS pseudo-random points inside the tree's bounding box,
 * (a) in the index alone and (b) through areas_locate, which also reads the path of names
 * from the store. The ceiling, measured in the same run, is the same loop over an index that
 * holds only the top-level area (one prepared rectangle: the least work a lookup can do), so
 * the full tree's figure can be quoted as a share of what this machine does at best.
 * Prints one line per measurement: name, count, seconds, per second.
 * Single thread: the server runs one index per worker thread, so throughput scales with them.
 */
#include "base/config.h"
#include "base/timeutil.h"
#include "geo/geo.h"
#include "service/areas.h"
#include "service/auth.h"
#include "service/context.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xorshift64*: deterministic points, same for every run. */
static double next_unit(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return (double)((*s * 2685821657736338717ULL) >> 11) / 9007199254740992.0;
}

int main(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct geo_index *ix;
    struct area_list tops;
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    uint64_t seed = 42;
    char code[19];
    long found = 0;

    if (argc < 2 || n <= 0) {
        fprintf(stderr, "usage: bench_locate DB [LOOKUPS]\n");
        return 2;
    }
    if (auth_global_init() != 0)
        return 1;
    config_defaults(&cfg);
    snprintf(cfg.db, sizeof(cfg.db), "%s", argv[1]);
    if (service_ctx_open(&cfg, STORE_READONLY, &ctx, &eb) != 0) {
        fprintf(stderr, "bench_locate: %s\n", eb.msg);
        return 1;
    }
    int64_t t0 = time_mono_ms();
    if (service_ctx_index(ctx, &ix) != 0) {
        fprintf(stderr, "bench_locate: cannot build the index\n");
        return 1;
    }
    int64_t t1 = time_mono_ms();
    printf("index_build areas=%zu seconds=%.3f\n", geo_index_size(ix), (double)(t1 - t0) / 1e3);

    /* The box to draw points from: the first top-level area's bbox. */
    struct area top;
    memset(&top, 0, sizeof(top));
    if (store_area_children(ctx->st, "", 0, &tops) == 0 && tops.len > 0)
        top = tops.items[0];
    area_list_cleanup(&tops);
    if (top.maxx <= top.minx) {
        fprintf(stderr, "bench_locate: the database has no top-level area with a bbox\n");
        return 1;
    }

    t0 = time_mono_ms();
    for (long i = 0; i < n; i++) {
        double lon = top.minx + (top.maxx - top.minx) * next_unit(&seed);
        double lat = top.miny + (top.maxy - top.miny) * next_unit(&seed);
        if (geo_index_locate(ix, lon, lat, code) == 0)
            found++;
    }
    t1 = time_mono_ms();
    double secs = (double)(t1 - t0) / 1e3;
    printf("index_locate lookups=%ld found=%ld seconds=%.3f per_second=%.0f\n", n, found, secs,
           (double)n / secs);

    /* Ceiling: one polygon, same points. */
    struct geo_index *one = NULL;
    struct area top_geo;
    if (geo_index_new(ctx->geo, &one) != 0 || store_area_get(ctx->st, top.code, 1, &top_geo) != 0 ||
        geo_index_add(one, top_geo.code, top_geo.level, top_geo.geometry, strlen(top_geo.geometry),
                      NULL) != 0 ||
        geo_index_build(one) != 0) {
        fprintf(stderr, "bench_locate: cannot build the one-polygon index\n");
        return 1;
    }
    area_cleanup(&top_geo);
    seed = 42;
    t0 = time_mono_ms();
    for (long i = 0; i < n; i++) {
        double lon = top.minx + (top.maxx - top.minx) * next_unit(&seed);
        double lat = top.miny + (top.maxy - top.miny) * next_unit(&seed);
        geo_index_locate(one, lon, lat, code);
    }
    t1 = time_mono_ms();
    double ceiling = (double)n / ((double)(t1 - t0) / 1e3);
    printf("ceiling_one_polygon lookups=%ld per_second=%.0f tree_share=%.2f\n", n, ceiling,
           ((double)n / secs) / ceiling);
    geo_index_free(one);

    long m = n / 10 > 0 ? n / 10 : 1;
    struct area_path path;
    found = 0;
    t0 = time_mono_ms();
    for (long i = 0; i < m; i++) {
        double lon = top.minx + (top.maxx - top.minx) * next_unit(&seed);
        double lat = top.miny + (top.maxy - top.miny) * next_unit(&seed);
        if (areas_locate(ctx, lon, lat, &path) == 0)
            found++;
    }
    t1 = time_mono_ms();
    secs = (double)(t1 - t0) / 1e3;
    printf("locate_with_path lookups=%ld found=%ld seconds=%.3f per_second=%.0f\n", m, found, secs,
           (double)m / secs);
    service_ctx_free(ctx);
    return 0;
}
