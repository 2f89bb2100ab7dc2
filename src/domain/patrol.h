/*
 * patrol.h - the arithmetic of a patrol's GPS track (SPEC section 5): great-circle distance,
 * the checks of one uploaded point, the flags of a track (outside the grid, implausibly fast)
 * and its summary (distance, duration, counts).
 *
 * A track is an array of points in time order. Nothing is ever dropped: a point outside the
 * grid or one implying a speed above PATROL_MAX_KMH from the previous plausible point (a GPS
 * jump) is kept and flagged; the distance skips the fast points, so a jump A -> X -> B counts
 * as A -> B. Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_PATROL_H
#define GRIDGOV_DOMAIN_PATROL_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;

#define PATROL_MAX_KMH        150.0
#define PATROL_EARTH_RADIUS_M 6371008.8 /* mean Earth radius (IUGG) */
#define PATROL_ACCURACY_MAX   10000.0   /* metres; a larger accuracy radius is not a fix */
#define PATROL_CLOCK_SKEW_MS  ((int64_t)5 * 60 * 1000)

enum patrol_point_flags {
    PATROL_PT_OUTSIDE = 1 << 0, /* the point lies outside the patrolled grid */
    PATROL_PT_FAST = 1 << 1,    /* reaching it implies more than PATROL_MAX_KMH */
};

struct patrol_point {
    int64_t t_ms; /* when the fix was taken, ms since the epoch UTC */
    double lon, lat;
    double accuracy; /* metres (0 when unknown) */
    unsigned flags;  /* enum patrol_point_flags */
};

struct patrol_summary {
    double distance_m;   /* along the plausible points */
    int64_t duration_ms; /* last fix minus first fix */
    int64_t n_points, n_outside, n_fast;
};

/* Great-circle distance in metres between two WGS84 points (haversine). */
double patrol_haversine_m(double lon1, double lat1, double lon2, double lat2);

/*
 * Check one uploaded point: finite coordinates in range, accuracy in [0, PATROL_ACCURACY_MAX],
 * taken no earlier than started_ms minus the allowed clock skew and no later than now_ms plus
 * it. Returns 0 or ERR_INVALID with the reason (naming index) in eb.
 */
int patrol_point_check(const struct patrol_point *pt, size_t index, int64_t started_ms,
                       int64_t now_ms, struct errbuf *eb);

/* Sort points by time (stable for equal times), e.g. a batch merged into a stored track. */
void patrol_sort(struct patrol_point *pts, size_t n);

/* 1 when (lon, lat) lies in the grid, 0 when not. */
typedef int (*patrol_inside_fn)(void *ctx, double lon, double lat);
/* Set PATROL_PT_OUTSIDE on each point the predicate says is outside (clears it otherwise). */
void patrol_flag_outside(struct patrol_point *pts, size_t n, patrol_inside_fn inside, void *ctx);
/*
 * Set PATROL_PT_FAST on the points of a time-ordered track that imply more than
 * PATROL_MAX_KMH from the last point not so flagged (two fixes at the same instant count as
 * one second apart); clears it on the others. The first point is never fast.
 */
void patrol_flag_speed(struct patrol_point *pts, size_t n);
/* Summary of a time-ordered, flagged track. */
void patrol_summarise(const struct patrol_point *pts, size_t n, struct patrol_summary *out);

#endif
