/*
 * geo.c - area geometry on the GEOS C API: validation, containment, point location.
 *
 * This module owns every GEOS object in gridgov. A struct geo is one GEOS context plus a
 * GeoJSON reader; GEOS reports failures (parse errors, topology exceptions) through the
 * context's message handler, which we point at g->last_error so the text can be copied into
 * the caller's errbuf. Each public entry clears last_error before calling into GEOS, so a
 * message always belongs to the call that produced it.
 *
 * Geometries arrive as GeoJSON text (not NUL-terminated, so they are copied once before
 * parsing) and never leave the module: callers see only bboxes, areas, booleans and codes.
 *
 * struct geo_index holds one struct geo_area per area (code, level, geometry, prepared
 * geometry) in a flat array and an STRtree over their envelopes. The array is only appended to
 * before geo_index_build; the tree stores pointers into it, which is safe because nothing is
 * added afterwards. GEOS builds an STRtree on its first query and prepared geometries build
 * their point-in-area indexes on first use, so "read-only" lookups still mutate GEOS state:
 * an index, like its struct geo, is used by one thread at a time. Callers are the service
 * layer (validating areas on write, locating reports) and the CLI import; each worker thread
 * owns its own struct geo.
 */
#define GEOS_USE_ONLY_R_API
#include "geo/geo.h"

#include "base/xalloc.h"

#include <geos_c.h>
#include <jansson.h>

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Largest GeoJSON text we parse: a district outline with a few hundred thousand vertices fits
 * comfortably; anything larger is a mistake or an attack and would stall a worker.
 */
#define GEO_MAX_GEOJSON   ((size_t)32 * 1024 * 1024)
#define GEO_MAX_POSITIONS 1000000 /* vertices in one area */
#define GEO_CODE_MAX      18
#define GEO_LEVEL_MIN     1
#define GEO_LEVEL_MAX     7
/* STRtree node capacity: GEOS's own default for its index-heavy algorithms. */
#define GEO_STRTREE_NODE_CAPACITY 10

struct geo {
    GEOSContextHandle_t ctx;
    GEOSGeoJSONReader *reader;
    char last_error[256];
};

struct geo_area {
    char code[GEO_CODE_MAX + 1];
    int level;
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
};

struct geo_index {
    struct geo *g;
    struct geo_area *areas;
    size_t n, cap;
    GEOSSTRtree *tree;
    int is_built;
};

/* State of one geo_index_locate, threaded through the STRtree callback. */
struct geo_locate_state {
    GEOSContextHandle_t ctx;
    const GEOSGeometry *point;
    const struct geo_area *best;
    int has_error;
};

/* GeoJSON names of GEOS type ids, for "expected Polygon, got Point". */
static const char *const geo_type_names[] = {
    "Point",      "LineString",      "LinearRing",   "Polygon",
    "MultiPoint", "MultiLineString", "MultiPolygon", "GeometryCollection",
};

static const char *geo_type_name(int type_id)
{
    if (type_id < 0 || (size_t)type_id >= sizeof(geo_type_names) / sizeof(geo_type_names[0]))
        return "unknown type";
    return geo_type_names[type_id];
}

/* GEOS error/notice handler: keep the latest message, without its trailing newline. */
static void geo_on_message(const char *message, void *userdata)
{
    struct geo *g = userdata;
    size_t len;

    snprintf(g->last_error, sizeof(g->last_error), "%s", message ? message : "");
    len = strlen(g->last_error);
    while (len > 0 && (g->last_error[len - 1] == '\n' || g->last_error[len - 1] == '\r'))
        g->last_error[--len] = '\0';
}

static const char *geo_last_error(const struct geo *g)
{
    return g->last_error[0] != '\0' ? g->last_error : "unknown GEOS error";
}

int geo_new(struct geo **out)
{
    int r = ERR_INTERNAL;
    struct geo *g = NULL;

    *out = NULL;
    g = xcalloc(1, sizeof(*g));
    if ((g->ctx = GEOS_init_r()) == NULL)
        goto out;
    GEOSContext_setErrorMessageHandler_r(g->ctx, geo_on_message, g);
    /* Notices (e.g. from validity checks) are not errors; they share the buffer harmlessly. */
    GEOSContext_setNoticeMessageHandler_r(g->ctx, geo_on_message, g);
    if ((g->reader = GEOSGeoJSONReader_create_r(g->ctx)) == NULL)
        goto out;
    *out = g;
    g = NULL;
    r = 0;
out:
    geo_free(g);
    return r;
}

void geo_free(struct geo *g)
{
    if (g == NULL)
        return;
    if (g->ctx != NULL) {
        if (g->reader != NULL)
            GEOSGeoJSONReader_destroy_r(g->ctx, g->reader);
        GEOS_finish_r(g->ctx);
    }
    free(g);
}

/* A ring: an array of at least 4 positions of exactly two numbers each. */
static int geo_ring_shape_ok(const json_t *ring, size_t *positions)
{
    size_t i;
    const json_t *pos;
    if (!json_is_array(ring) || json_array_size(ring) < 4)
        return 0;
    json_array_foreach(ring, i, pos)
    {
        if (!json_is_array(pos) || json_array_size(pos) != 2 ||
            !json_is_number(json_array_get(pos, 0)) || !json_is_number(json_array_get(pos, 1)))
            return 0;
    }
    *positions += json_array_size(ring);
    return *positions <= GEO_MAX_POSITIONS;
}

/* A polygon's coordinates: an array of at least one ring. */
static int geo_polygon_shape_ok(const json_t *rings, size_t *positions)
{
    size_t i;
    const json_t *ring;
    if (!json_is_array(rings) || json_array_size(rings) == 0)
        return 0;
    json_array_foreach(rings, i, ring)
    {
        if (!geo_ring_shape_ok(ring, positions))
            return 0;
    }
    return 1;
}

/*
 * Check the shape of a Polygon or MultiPolygon before GEOS sees it. GEOS 3.11's GeoJSON
 * reader dereferences a null pointer on an empty position ([]) and accepts 3-D positions we
 * do not want, so the structure is verified here (found by fuzzing: tests/fuzz/corpus/geojson/
 * regression-empty-position).
 */
static int geo_shape_check(const char *text, size_t len, const char *what, struct errbuf *eb)
{
    json_error_t jerr;
    json_t *root = json_loadb(text, len, 0, &jerr);
    const json_t *type, *coords;
    size_t positions = 0;
    int ok = 0;
    if (root == NULL)
        return errbuf_set(eb, ERR_BAD_GEOMETRY, "%scannot parse GeoJSON geometry: %s", what,
                          jerr.text);
    type = json_object_get(root, "type");
    coords = json_object_get(root, "coordinates");
    if (!json_is_string(type)) {
        json_decref(root);
        return errbuf_set(eb, ERR_BAD_GEOMETRY, "%sgeometry has no type", what);
    }
    if (json_is_array(coords) && json_array_size(coords) == 0) {
        json_decref(root);
        return errbuf_set(eb, ERR_BAD_GEOMETRY, "%sgeometry is empty", what);
    }
    if (strcmp(json_string_value(type), "Polygon") == 0) {
        ok = geo_polygon_shape_ok(coords, &positions);
    } else if (strcmp(json_string_value(type), "MultiPolygon") == 0) {
        size_t i;
        const json_t *poly;
        ok = json_is_array(coords) && json_array_size(coords) > 0;
        json_array_foreach(coords, i, poly)
        {
            if (ok && !geo_polygon_shape_ok(poly, &positions))
                ok = 0;
        }
    } else {
        int r = errbuf_set(eb, ERR_BAD_GEOMETRY,
                           "%sgeometry must be a Polygon or MultiPolygon, not a %.40s", what,
                           json_string_value(type));
        json_decref(root);
        return r;
    }
    json_decref(root);
    if (!ok)
        return errbuf_set(eb, ERR_BAD_GEOMETRY,
                          "%smalformed coordinates: every ring needs at least 4 positions of "
                          "[longitude, latitude] (at most %d positions in all)",
                          what, GEO_MAX_POSITIONS);
    return 0;
}

/*
 * Parse len bytes of GeoJSON into *out (caller destroys). what prefixes messages to name the
 * input when there are two ("" or "inner: ").
 */
static int geo_parse(struct geo *g, const char *text, size_t len, GEOSGeometry **out,
                     const char *what, struct errbuf *eb)
{
    int r = ERR_BAD_GEOMETRY;
    char *copy = NULL;
    GEOSGeometry *geom = NULL;

    *out = NULL;
    if (text == NULL || len == 0) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%sgeometry is empty", what);
        goto out;
    }
    if (len > GEO_MAX_GEOJSON) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%sgeometry text is longer than %zu bytes", what,
                       GEO_MAX_GEOJSON);
        goto out;
    }
    if (memchr(text, '\0', len) != NULL) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%sgeometry text contains a NUL byte", what);
        goto out;
    }
    if ((r = geo_shape_check(text, len, what, eb)) != 0)
        goto out;
    copy = xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    g->last_error[0] = '\0';
    if ((geom = GEOSGeoJSONReader_readGeometry_r(g->ctx, g->reader, copy)) == NULL) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%scannot parse GeoJSON geometry: %s", what,
                       geo_last_error(g));
        goto out;
    }
    *out = geom;
    geom = NULL;
    r = 0;
out:
    if (geom != NULL)
        GEOSGeom_destroy_r(g->ctx, geom);
    free(copy);
    return r;
}

static int geo_is_lonlat(double x, double y)
{
    return isfinite(x) && isfinite(y) && x >= -180.0 && x <= 180.0 && y >= -90.0 && y <= 90.0;
}

/* Every vertex of ring in WGS84 range; otherwise ERR_BAD_GEOMETRY naming the first offender. */
static int geo_check_ring_range(struct geo *g, const GEOSGeometry *ring, const char *what,
                                struct errbuf *eb)
{
    const GEOSCoordSequence *seq;
    unsigned int size = 0, i;
    double x, y;

    if ((seq = GEOSGeom_getCoordSeq_r(g->ctx, ring)) == NULL ||
        !GEOSCoordSeq_getSize_r(g->ctx, seq, &size))
        return errbuf_set(eb, ERR_BAD_GEOMETRY, "%scannot read coordinates: %s", what,
                          geo_last_error(g));
    for (i = 0; i < size; i++) {
        if (!GEOSCoordSeq_getXY_r(g->ctx, seq, i, &x, &y))
            return errbuf_set(eb, ERR_BAD_GEOMETRY, "%scannot read coordinates: %s", what,
                              geo_last_error(g));
        if (!geo_is_lonlat(x, y))
            return errbuf_set(eb, ERR_BAD_GEOMETRY,
                              "%scoordinate [%.10g, %.10g] is outside WGS84 range "
                              "(lon -180..180, lat -90..90)",
                              what, x, y);
    }
    return 0;
}

/*
 * Walk every ring rather than trusting the envelope: a polygon's envelope is its shell's, so a
 * stray hole would slip through and be reported as a less helpful topology error.
 */
static int geo_check_range(struct geo *g, const GEOSGeometry *geom, const char *what,
                           struct errbuf *eb)
{
    int r, i, j, nparts, nholes;
    const GEOSGeometry *poly, *ring;

    if ((nparts = GEOSGetNumGeometries_r(g->ctx, geom)) < 0)
        return errbuf_set(eb, ERR_BAD_GEOMETRY, "%s%s", what, geo_last_error(g));
    for (i = 0; i < nparts; i++) {
        if ((poly = GEOSGetGeometryN_r(g->ctx, geom, i)) == NULL ||
            (ring = GEOSGetExteriorRing_r(g->ctx, poly)) == NULL)
            return errbuf_set(eb, ERR_BAD_GEOMETRY, "%s%s", what, geo_last_error(g));
        if ((r = geo_check_ring_range(g, ring, what, eb)) != 0)
            return r;
        if ((nholes = GEOSGetNumInteriorRings_r(g->ctx, poly)) < 0)
            return errbuf_set(eb, ERR_BAD_GEOMETRY, "%s%s", what, geo_last_error(g));
        for (j = 0; j < nholes; j++) {
            if ((ring = GEOSGetInteriorRingN_r(g->ctx, poly, j)) == NULL)
                return errbuf_set(eb, ERR_BAD_GEOMETRY, "%s%s", what, geo_last_error(g));
            if ((r = geo_check_ring_range(g, ring, what, eb)) != 0)
                return r;
        }
    }
    return 0;
}

/* OGC validity, with GEOS's reason and location in the message. */
static int geo_check_valid(struct geo *g, const GEOSGeometry *geom, const char *what,
                           struct errbuf *eb)
{
    int r = ERR_BAD_GEOMETRY;
    char *reason = NULL;
    GEOSGeometry *location = NULL;
    double x, y;
    char valid;

    valid = GEOSisValidDetail_r(g->ctx, geom, 0, &reason, &location);
    if (valid == 1) {
        r = 0;
        goto out;
    }
    if (valid != 0) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%scannot check validity: %s", what,
                       geo_last_error(g));
        goto out;
    }
    if (location != NULL && GEOSGeomGetX_r(g->ctx, location, &x) == 1 &&
        GEOSGeomGetY_r(g->ctx, location, &y) == 1)
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%sinvalid geometry: %s at %.10g %.10g", what,
                       reason ? reason : "unknown reason", x, y);
    else
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "%sinvalid geometry: %s", what,
                       reason ? reason : "unknown reason");
out:
    if (reason != NULL)
        GEOSFree_r(g->ctx, reason);
    if (location != NULL)
        GEOSGeom_destroy_r(g->ctx, location);
    return r;
}

/* An area geometry: (Multi)Polygon, non-empty, in range, and if is_full also OGC-valid. */
static int geo_check_area(struct geo *g, const GEOSGeometry *geom, int is_full, const char *what,
                          struct errbuf *eb)
{
    int r, type = GEOSGeomTypeId_r(g->ctx, geom);

    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return errbuf_set(eb, ERR_BAD_GEOMETRY,
                          "%sgeometry must be a Polygon or MultiPolygon, not a %s", what,
                          geo_type_name(type));
    if (GEOSisEmpty_r(g->ctx, geom) != 0)
        return errbuf_set(eb, ERR_BAD_GEOMETRY, "%sgeometry is empty", what);
    if ((r = geo_check_range(g, geom, what, eb)) != 0)
        return r;
    if (is_full && (r = geo_check_valid(g, geom, what, eb)) != 0)
        return r;
    return 0;
}

/* Parse and fully check; *out is the geometry (caller destroys). */
static int geo_load_area(struct geo *g, const char *text, size_t len, GEOSGeometry **out,
                         const char *what, struct errbuf *eb)
{
    int r;
    GEOSGeometry *geom = NULL;

    *out = NULL;
    if ((r = geo_parse(g, text, len, &geom, what, eb)) != 0)
        goto out;
    if ((r = geo_check_area(g, geom, 1, what, eb)) != 0)
        goto out;
    *out = geom;
    geom = NULL;
out:
    if (geom != NULL)
        GEOSGeom_destroy_r(g->ctx, geom);
    return r;
}

int geo_polygon_check(struct geo *g, const char *geojson, size_t len, struct geo_bbox *bbox,
                      double *area_out, struct errbuf *eb)
{
    int r;
    GEOSGeometry *geom = NULL;
    struct geo_bbox box;
    double area = 0.0;

    if (bbox != NULL)
        memset(bbox, 0, sizeof(*bbox));
    if (area_out != NULL)
        *area_out = 0.0;
    if ((r = geo_load_area(g, geojson, len, &geom, "", eb)) != 0)
        goto out;
    if (!GEOSGeom_getExtent_r(g->ctx, geom, &box.minx, &box.miny, &box.maxx, &box.maxy) ||
        !GEOSArea_r(g->ctx, geom, &area)) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "cannot measure geometry: %s", geo_last_error(g));
        goto out;
    }
    if (bbox != NULL)
        *bbox = box;
    if (area_out != NULL)
        *area_out = area;
    r = 0;
out:
    if (geom != NULL)
        GEOSGeom_destroy_r(g->ctx, geom);
    return r;
}

int geo_polygon_within(struct geo *g, const char *inner, const char *outer, double tolerance,
                       int *is_within, struct errbuf *eb)
{
    int r;
    GEOSGeometry *in = NULL, *outg = NULL, *diff = NULL;
    double in_area = 0.0, diff_area = 0.0;

    *is_within = 0;
    if (!isfinite(tolerance) || tolerance < 0.0 || tolerance > 1.0) {
        r = errbuf_set(eb, ERR_INVALID, "tolerance must be between 0 and 1");
        goto out;
    }
    if ((r = geo_load_area(g, inner, inner ? strlen(inner) : 0, &in, "inner: ", eb)) != 0 ||
        (r = geo_load_area(g, outer, outer ? strlen(outer) : 0, &outg, "outer: ", eb)) != 0)
        goto out;
    g->last_error[0] = '\0';
    if ((diff = GEOSDifference_r(g->ctx, in, outg)) == NULL ||
        !GEOSArea_r(g->ctx, diff, &diff_area) || !GEOSArea_r(g->ctx, in, &in_area)) {
        r = errbuf_set(eb, ERR_BAD_GEOMETRY, "cannot compare geometries: %s", geo_last_error(g));
        goto out;
    }
    *is_within = diff_area <= tolerance * in_area;
    r = 0;
out:
    if (diff != NULL)
        GEOSGeom_destroy_r(g->ctx, diff);
    if (outg != NULL)
        GEOSGeom_destroy_r(g->ctx, outg);
    if (in != NULL)
        GEOSGeom_destroy_r(g->ctx, in);
    return r;
}

int geo_index_new(struct geo *g, struct geo_index **out)
{
    struct geo_index *ix;

    *out = NULL;
    ix = xcalloc(1, sizeof(*ix));
    ix->g = g;
    *out = ix;
    return 0;
}

void geo_index_free(struct geo_index *ix)
{
    GEOSContextHandle_t ctx;
    size_t i;

    if (ix == NULL)
        return;
    ctx = ix->g->ctx;
    /* The tree only borrows the geometries, and prepared geometries borrow theirs: tree first. */
    if (ix->tree != NULL)
        GEOSSTRtree_destroy_r(ctx, ix->tree);
    for (i = 0; i < ix->n; i++) {
        if (ix->areas[i].prep != NULL)
            GEOSPreparedGeom_destroy_r(ctx, ix->areas[i].prep);
        GEOSGeom_destroy_r(ctx, ix->areas[i].geom);
    }
    free(ix->areas);
    free(ix);
}

static int geo_code_is_valid(const char *code)
{
    size_t i;

    if (code == NULL || code[0] == '\0')
        return 0;
    for (i = 0; code[i] != '\0'; i++) {
        if (i >= GEO_CODE_MAX || code[i] < '0' || code[i] > '9')
            return 0;
    }
    return 1;
}

int geo_index_add(struct geo_index *ix, const char *code, int level, const char *geojson,
                  size_t len, struct errbuf *eb)
{
    int r;
    GEOSGeometry *geom = NULL;
    struct geo_area *a;

    if (ix->is_built) {
        r = errbuf_set(eb, ERR_INVALID, "index is already built");
        goto out;
    }
    if (!geo_code_is_valid(code)) {
        r = errbuf_set(eb, ERR_INVALID, "area code must be 1 to %d digits", GEO_CODE_MAX);
        goto out;
    }
    if (level < GEO_LEVEL_MIN || level > GEO_LEVEL_MAX) {
        r = errbuf_set(eb, ERR_INVALID, "area %s: level %d is not between %d and %d", code, level,
                       GEO_LEVEL_MIN, GEO_LEVEL_MAX);
        goto out;
    }
    /*
     * Stored areas passed geo_polygon_check on write; re-running the O(n log n) validity test
     * for every area at start-up would only slow it, so check the cheap properties here.
     */
    if ((r = geo_parse(ix->g, geojson, len, &geom, "", eb)) != 0 ||
        (r = geo_check_area(ix->g, geom, 0, "", eb)) != 0)
        goto out;
    if (ix->n == ix->cap) {
        ix->cap = ix->cap ? ix->cap * 2 : 64;
        ix->areas = xreallocarray(ix->areas, ix->cap, sizeof(*ix->areas));
    }
    a = &ix->areas[ix->n++];
    memset(a, 0, sizeof(*a));
    memcpy(a->code, code, strlen(code) + 1);
    a->level = level;
    a->geom = geom;
    geom = NULL;
    r = 0;
out:
    if (geom != NULL)
        GEOSGeom_destroy_r(ix->g->ctx, geom);
    return r;
}

static void geo_ignore_item(void *item, void *userdata)
{
    (void)item;
    (void)userdata;
}

int geo_index_build(struct geo_index *ix)
{
    int r = ERR_INTERNAL;
    GEOSContextHandle_t ctx = ix->g->ctx;
    GEOSGeometry *probe = NULL;
    size_t i;

    if (ix->is_built)
        return ERR_INVALID;
    /* Everything that can fail comes before the tree, so a failed build can be retried. */
    for (i = 0; i < ix->n; i++) {
        if (ix->areas[i].prep == NULL &&
            (ix->areas[i].prep = GEOSPrepare_r(ctx, ix->areas[i].geom)) == NULL)
            goto out;
    }
    if ((probe = GEOSGeom_createPointFromXY_r(ctx, 0.0, 0.0)) == NULL ||
        (ix->tree = GEOSSTRtree_create_r(ctx, GEO_STRTREE_NODE_CAPACITY)) == NULL)
        goto out;
    /* Items point into ix->areas, which no longer moves: adds are refused from here on. */
    for (i = 0; i < ix->n; i++)
        GEOSSTRtree_insert_r(ctx, ix->tree, ix->areas[i].geom, &ix->areas[i]);
    /* GEOS sorts the tree on its first query; pay for that now rather than on a request. */
    GEOSSTRtree_query_r(ctx, ix->tree, probe, geo_ignore_item, NULL);
    ix->is_built = 1;
    r = 0;
out:
    if (probe != NULL)
        GEOSGeom_destroy_r(ctx, probe);
    return r;
}

size_t geo_index_size(const struct geo_index *ix)
{
    return ix->n;
}

/* Does candidate a beat the best so far? Deeper wins; at equal depth the smaller code. */
static int geo_area_is_better(const struct geo_area *a, const struct geo_area *best)
{
    if (best == NULL)
        return 1;
    if (a->level != best->level)
        return a->level > best->level;
    return strcmp(a->code, best->code) < 0;
}

static void geo_locate_visit(void *item, void *userdata)
{
    struct geo_locate_state *st = userdata;
    const struct geo_area *a = item;
    char hit;

    /* Cheap ordering test first: most candidates cannot win, so skip their point-in-polygon. */
    if (!geo_area_is_better(a, st->best))
        return;
    /* Intersects, not contains: a point on the boundary counts as inside. */
    hit = GEOSPreparedIntersects_r(st->ctx, a->prep, st->point);
    if (hit == 1)
        st->best = a;
    else if (hit != 0)
        st->has_error = 1;
}

int geo_index_locate(struct geo_index *ix, double lon, double lat, char *out_code)
{
    int r = ERR_INTERNAL;
    GEOSContextHandle_t ctx = ix->g->ctx;
    struct geo_locate_state st = {ctx, NULL, NULL, 0};
    GEOSGeometry *point = NULL;

    out_code[0] = '\0';
    if (!ix->is_built || !geo_is_lonlat(lon, lat)) {
        r = ERR_INVALID;
        goto out;
    }
    if ((point = GEOSGeom_createPointFromXY_r(ctx, lon, lat)) == NULL)
        goto out;
    st.point = point;
    GEOSSTRtree_query_r(ctx, ix->tree, point, geo_locate_visit, &st);
    if (st.best == NULL) {
        r = st.has_error ? ERR_INTERNAL : ERR_NOT_FOUND;
        goto out;
    }
    memcpy(out_code, st.best->code, strlen(st.best->code) + 1);
    r = 0;
out:
    if (point != NULL)
        GEOSGeom_destroy_r(ctx, point);
    return r;
}
