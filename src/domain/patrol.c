/*
 * patrol.c - track distance, point checks, flags and summary of a patrol (see patrol.h).
 * Pure; thread-safe.
 */
#include "domain/patrol.h"

#include "base/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define DEG_TO_RAD (M_PI / 180.0)

double patrol_haversine_m(double lon1, double lat1, double lon2, double lat2)
{
    double p1 = lat1 * DEG_TO_RAD, p2 = lat2 * DEG_TO_RAD;
    double dp = (lat2 - lat1) * DEG_TO_RAD, dl = (lon2 - lon1) * DEG_TO_RAD;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
    if (a > 1.0)
        a = 1.0;
    return 2.0 * PATROL_EARTH_RADIUS_M * asin(sqrt(a));
}

int patrol_point_check(const struct patrol_point *pt, size_t index, int64_t started_ms,
                       int64_t now_ms, struct errbuf *eb)
{
    if (!isfinite(pt->lon) || !isfinite(pt->lat) || fabs(pt->lon) > 180 || fabs(pt->lat) > 90)
        return errbuf_set(eb, ERR_INVALID, "point %zu: lon and lat must be WGS84 degrees", index);
    if (!isfinite(pt->accuracy) || pt->accuracy < 0 || pt->accuracy > PATROL_ACCURACY_MAX)
        return errbuf_set(eb, ERR_INVALID, "point %zu: accuracy must be 0..%.0f metres", index,
                          PATROL_ACCURACY_MAX);
    if (pt->t_ms < started_ms - PATROL_CLOCK_SKEW_MS)
        return errbuf_set(eb, ERR_INVALID, "point %zu was taken before the patrol started", index);
    if (pt->t_ms > now_ms + PATROL_CLOCK_SKEW_MS)
        return errbuf_set(eb, ERR_INVALID, "point %zu lies in the future", index);
    return 0;
}

/* Insertion sort: tracks arrive nearly sorted (batches in order), so this is close to linear
 * and stable. */
void patrol_sort(struct patrol_point *pts, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct patrol_point key = pts[i];
        size_t j = i;
        while (j > 0 && pts[j - 1].t_ms > key.t_ms) {
            pts[j] = pts[j - 1];
            j--;
        }
        pts[j] = key;
    }
}

void patrol_flag_outside(struct patrol_point *pts, size_t n, patrol_inside_fn inside, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (inside(ctx, pts[i].lon, pts[i].lat))
            pts[i].flags &= ~(unsigned)PATROL_PT_OUTSIDE;
        else
            pts[i].flags |= PATROL_PT_OUTSIDE;
    }
}

void patrol_flag_speed(struct patrol_point *pts, size_t n)
{
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        pts[i].flags &= ~(unsigned)PATROL_PT_FAST;
        if (i == 0)
            continue;
        {
            double d = patrol_haversine_m(pts[last].lon, pts[last].lat, pts[i].lon, pts[i].lat);
            int64_t dt = pts[i].t_ms - pts[last].t_ms;
            double secs = dt < 1000 ? 1.0 : (double)dt / 1000.0;
            if (d / secs * 3.6 > PATROL_MAX_KMH)
                pts[i].flags |= PATROL_PT_FAST;
            else
                last = i;
        }
    }
}

void patrol_summarise(const struct patrol_point *pts, size_t n, struct patrol_summary *out)
{
    const struct patrol_point *prev = NULL;
    memset(out, 0, sizeof(*out));
    out->n_points = (int64_t)n;
    if (n == 0)
        return;
    out->duration_ms = pts[n - 1].t_ms - pts[0].t_ms;
    for (size_t i = 0; i < n; i++) {
        if (pts[i].flags & PATROL_PT_OUTSIDE)
            out->n_outside++;
        if (pts[i].flags & PATROL_PT_FAST) {
            out->n_fast++;
            continue;
        }
        if (prev != NULL)
            out->distance_m += patrol_haversine_m(prev->lon, prev->lat, pts[i].lon, pts[i].lat);
        prev = &pts[i];
    }
}
