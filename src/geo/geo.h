/*
 * geo.h - geometry for the area tree, on the GEOS C API (reentrant *_r functions).
 *
 * A struct geo wraps one GEOS context and belongs to one thread at a time. Geometries cross
 * this interface only as GeoJSON geometry text (RFC 7946, WGS84 lon/lat), the form the store
 * keeps, so no GEOS type leaks to callers.
 *
 * struct geo_index is the point-location index over the area tree: an STRtree over every
 * area's envelope plus one prepared geometry per area, built once and queried many times.
 * It belongs to the struct geo that built it (same context, same thread); to serve several
 * threads, build one index per thread.
 */
#ifndef GRIDGOV_GEO_GEO_H
#define GRIDGOV_GEO_GEO_H

#include "base/error.h"

#include <stddef.h>

struct geo;
struct geo_index;

/* Bounding box in degrees: min lon, min lat, max lon, max lat. */
struct geo_bbox {
    double minx, miny, maxx, maxy;
};

/* New context; caller frees with geo_free. */
int geo_new(struct geo **out);
/* Free the context; NULL is a no-op. Indexes built on it must be freed first. */
void geo_free(struct geo *g);

/*
 * Validate an area geometry given as GeoJSON geometry text (len bytes). It must be a Polygon
 * or MultiPolygon, every coordinate within lon [-180,180], lat [-90,90], non-empty, and valid
 * in the OGC sense (closed rings, no self-intersection). On success fills bbox (may be NULL)
 * and, if area_out is non-NULL, the area in square degrees. On failure returns
 * ERR_BAD_GEOMETRY with the reason (e.g. "Self-intersection at 113.1 23.0") in eb.
 */
int geo_polygon_check(struct geo *g, const char *geojson, size_t len, struct geo_bbox *bbox,
                      double *area_out, struct errbuf *eb);

/*
 * Whether inner lies within outer, allowing a sliver: *is_within is set to 1 when the part of
 * inner outside outer is at most tolerance (a fraction, e.g. 0.01) of inner's area. Both must
 * pass geo_polygon_check. ERR_BAD_GEOMETRY if either does not parse.
 */
int geo_polygon_within(struct geo *g, const char *inner, const char *outer, double tolerance,
                       int *is_within, struct errbuf *eb);

/* New empty index on g; caller frees with geo_index_free. */
int geo_index_new(struct geo *g, struct geo_index **out);
/* Free the index; NULL is a no-op. */
void geo_index_free(struct geo_index *ix);
/*
 * Add one area: code (copied, at most 18 digits), level (1..7, deeper is larger), geometry as
 * GeoJSON text. ERR_BAD_GEOMETRY if it does not parse. Not allowed after geo_index_build.
 */
int geo_index_add(struct geo_index *ix, const char *code, int level, const char *geojson,
                  size_t len, struct errbuf *eb);
/* Finish building (STRtree, prepared geometries); call once, after the last add. */
int geo_index_build(struct geo_index *ix);
/* Number of areas in the index. */
size_t geo_index_size(const struct geo_index *ix);
/*
 * Deepest area containing the point (boundary counts as inside; on a shared edge the
 * smaller code wins, so the answer is deterministic). Writes its code into out_code (at
 * least 19 bytes). ERR_NOT_FOUND if no area contains it; ERR_INVALID for non-finite or
 * out-of-range coordinates.
 */
int geo_index_locate(struct geo_index *ix, double lon, double lat, char *out_code);

#endif
