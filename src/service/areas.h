/*
 * areas.h - use cases of the area tree (SPEC section 2): import and export as GeoJSON,
 * ancestry paths, point location.
 *
 * Import is all or nothing: every feature is checked first (code syntax, level, name,
 * geometry validity, duplicates, parent present, polygon nested in its parent) and the
 * features are written in one transaction only if none failed; otherwise every problem is
 * reported with its feature number and nothing changes.
 */
#ifndef GRIDGOV_SERVICE_AREAS_H
#define GRIDGOV_SERVICE_AREAS_H

#include "base/buf.h"
#include "base/error.h"
#include "domain/areacode.h"
#include "store/store.h"

#include <stddef.h>

struct service_ctx;

#define AREAS_IMPORT_MAX_PROBLEMS 200

struct area_import_problem {
    size_t feature; /* 1-based position in the features array; 0 = the whole file */
    char code[AREA_CODE_BUF];
    char reason[300];
};

struct area_import_result {
    size_t features;   /* features read */
    size_t imported;   /* features written (0 unless all were good) */
    size_t n_problems; /* problems found (may exceed the ones kept) */
    struct area_import_problem problems[AREAS_IMPORT_MAX_PROBLEMS];
};

/*
 * Import a GeoJSON FeatureCollection (text of len bytes). Each feature has properties code
 * (string), name (string) and optionally level (name or number; must agree with the code),
 * and a Polygon or MultiPolygon geometry. Existing areas with the same code are replaced.
 * ERR_INVALID when any feature is bad (see res->problems); nothing is written then.
 * res must be caller storage (it is large: allocate it).
 */
int areas_import_geojson(struct service_ctx *ctx, const char *text, size_t len,
                         struct area_import_result *res, struct errbuf *eb);

/*
 * Append to out an RFC 7946 FeatureCollection of root's descendants whose depth below root
 * is between min_depth and max_depth (0 = root itself). Properties: code, name, level,
 * parent, households, persons. root "" is the whole tree. ERR_NOT_FOUND if root does not exist;
 * ERR_TOO_LARGE if out's cap is exceeded.
 */
int areas_write_geojson(struct store *st, const char *root, int min_depth, int max_depth,
                        struct buf *out);

struct area_ref {
    char code[AREA_CODE_BUF];
    char name[AREA_NAME_MAX + 1];
    int level;
};

struct area_path {
    struct area_ref items[AREA_LEVEL_MAX]; /* top first */
    int len;
};

/* The chain of existing areas from the top down to code (inclusive). ERR_NOT_FOUND. */
int areas_path(struct store *st, const char *code, struct area_path *out);

/* The deepest area containing (lon, lat) and its path. ERR_NOT_FOUND when none does;
 * ERR_INVALID for coordinates out of range. */
int areas_locate(struct service_ctx *ctx, double lon, double lat, struct area_path *out);

#endif
