/*
 * test_geo.c - unit tests for src/geo: polygon validation, containment with tolerance, and
 * point location over a nested area tree (including shared edges, gaps and a randomized
 * comparison against arithmetic on a regular grid).
 */
#include "geo/geo.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Room for a rectangle polygon as GeoJSON. */
#define RECT_MAX 256

static void rect_geojson(char *buf, size_t size, double x0, double y0, double x1, double y1)
{
    int n = snprintf(buf, size,
                     "{\"type\":\"Polygon\",\"coordinates\":[[[%.17g,%.17g],[%.17g,%.17g],"
                     "[%.17g,%.17g],[%.17g,%.17g],[%.17g,%.17g]]]}",
                     x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
    assert_true(n > 0 && (size_t)n < size);
}

static int check(struct geo *g, const char *text, struct geo_bbox *bbox, double *area,
                 struct errbuf *eb)
{
    return geo_polygon_check(g, text, strlen(text), bbox, area, eb);
}

static int setup_geo(void **state)
{
    struct geo *g = NULL;
    if (geo_new(&g) != 0)
        return -1;
    *state = g;
    return 0;
}

static int teardown_geo(void **state)
{
    geo_free(*state);
    return 0;
}

static void test_new_free(void **state)
{
    struct geo *g = (void *)1;
    struct geo_index *ix = (void *)1;
    (void)state;
    assert_int_equal(geo_new(&g), 0);
    assert_non_null(g);
    assert_int_equal(geo_index_new(g, &ix), 0);
    assert_int_equal(geo_index_size(ix), 0);
    geo_index_free(ix);
    geo_index_free(NULL);
    geo_free(g);
    geo_free(NULL);
}

static void test_check_valid_polygon(void **state)
{
    struct geo *g = *state;
    struct geo_bbox bb;
    struct errbuf eb = {""};
    double area = -1;
    char text[RECT_MAX];

    rect_geojson(text, sizeof(text), 116.25, 39.5, 116.75, 40.0);
    assert_int_equal(check(g, text, &bb, &area, &eb), 0);
    assert_string_equal(eb.msg, "");
    assert_true(bb.minx == 116.25 && bb.miny == 39.5 && bb.maxx == 116.75 && bb.maxy == 40.0);
    assert_true(fabs(area - 0.25) < 1e-12);

    /* Outputs are optional, and so is the errbuf. */
    assert_int_equal(check(g, text, NULL, NULL, NULL), 0);
}

static void test_check_polygon_with_hole(void **state)
{
    struct geo *g = *state;
    double area = 0;
    const char *text = "{\"type\":\"Polygon\",\"coordinates\":["
                       "[[0,0],[4,0],[4,4],[0,4],[0,0]],"
                       "[[1,1],[1,2],[2,2],[2,1],[1,1]]]}";
    assert_int_equal(check(g, text, NULL, &area, NULL), 0);
    assert_true(fabs(area - 15.0) < 1e-12);
}

static void test_check_multipolygon(void **state)
{
    struct geo *g = *state;
    struct geo_bbox bb;
    double area = 0;
    const char *text = "{\"type\":\"MultiPolygon\",\"coordinates\":["
                       "[[[10,10],[11,10],[11,11],[10,11],[10,10]]],"
                       "[[[12,-5],[14,-5],[14,-4],[12,-4],[12,-5]]]]}";
    assert_int_equal(check(g, text, &bb, &area, NULL), 0);
    assert_true(bb.minx == 10 && bb.miny == -5 && bb.maxx == 14 && bb.maxy == 11);
    assert_true(fabs(area - 3.0) < 1e-12);
}

static void test_check_wrong_type(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    struct geo_bbox bb = {1, 2, 3, 4};
    double area = 5;

    assert_int_equal(check(g, "{\"type\":\"Point\",\"coordinates\":[116.4,39.9]}", &bb, &area, &eb),
                     ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "Point"));
    /* Out-parameters are cleared on failure. */
    assert_true(bb.minx == 0 && bb.miny == 0 && bb.maxx == 0 && bb.maxy == 0 && area == 0);

    errbuf_clear(&eb);
    assert_int_equal(
        check(g, "{\"type\":\"LineString\",\"coordinates\":[[0,0],[1,1]]}", NULL, NULL, &eb),
        ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "LineString"));

    errbuf_clear(&eb);
    assert_int_equal(
        check(g, "{\"type\":\"GeometryCollection\",\"geometries\":[]}", NULL, NULL, &eb),
        ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "GeometryCollection"));
}

static void test_check_empty(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};

    assert_int_equal(check(g, "{\"type\":\"Polygon\",\"coordinates\":[]}", NULL, NULL, &eb),
                     ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "empty"));
    errbuf_clear(&eb);
    assert_int_equal(geo_polygon_check(g, "", 0, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "empty"));
}

/* Found by fuzzing: GEOS 3.11 crashes on an empty position; it must be refused before. */
static void test_check_malformed_positions(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    static const char *const bad[] = {
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[[[0,0],[1,0],[]]],[[[2,2],[3,3],[2,2]]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1,5],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[\"1\",1],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[0,0]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
        "{\"type\":\"MultiPolygon\",\"coordinates\":[[]]}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        errbuf_clear(&eb);
        assert_int_equal(check(g, bad[i], NULL, NULL, &eb), ERR_BAD_GEOMETRY);
        assert_true(eb.msg[0] != '\0');
    }
}

static void test_check_self_intersection(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    /* Bow-tie: the edges cross at (113.1, 23.0). */
    const char *text = "{\"type\":\"Polygon\",\"coordinates\":[[[113.0,22.9],[113.2,23.1],"
                       "[113.2,22.9],[113.0,23.1],[113.0,22.9]]]}";

    assert_int_equal(check(g, text, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "Self-intersection"));
    assert_non_null(strstr(eb.msg, "113.1"));
}

static void test_check_overlapping_multipolygon(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    const char *text = "{\"type\":\"MultiPolygon\",\"coordinates\":["
                       "[[[0,0],[2,0],[2,2],[0,2],[0,0]]],"
                       "[[[1,1],[3,1],[3,3],[1,3],[1,1]]]]}";
    assert_int_equal(check(g, text, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "invalid geometry"));
}

static void test_check_unparseable(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    const char *unclosed = "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1]]]}";
    const char *cases[] = {
        unclosed,
        "not json at all",
        "{\"type\":\"Polygon\"}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[\"a\",0],[1,1],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1e999,0],[1,1],[0,0]]]}",
        "{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[0,0]]]}",
    };
    char with_nul[] = "{\"type\":\"Polygon\"\0}";
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        errbuf_clear(&eb);
        assert_int_equal(check(g, cases[i], NULL, NULL, &eb), ERR_BAD_GEOMETRY);
        assert_true(eb.msg[0] != '\0');
    }
    errbuf_clear(&eb);
    assert_int_equal(check(g, unclosed, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "closed"));

    /* Only len bytes are read: a truncated valid polygon does not parse. */
    errbuf_clear(&eb);
    assert_int_equal(geo_polygon_check(g, cases[0], 20, NULL, NULL, &eb), ERR_BAD_GEOMETRY);

    errbuf_clear(&eb);
    assert_int_equal(geo_polygon_check(g, with_nul, sizeof(with_nul) - 1, NULL, NULL, &eb),
                     ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "NUL"));
}

static void test_check_out_of_range(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    char text[RECT_MAX];

    rect_geojson(text, sizeof(text), 179.5, 10, 200, 11);
    assert_int_equal(check(g, text, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "200"));
    assert_non_null(strstr(eb.msg, "range"));

    errbuf_clear(&eb);
    rect_geojson(text, sizeof(text), 10, 89.5, 11, 95);
    assert_int_equal(check(g, text, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "range"));

    errbuf_clear(&eb);
    rect_geojson(text, sizeof(text), -180.5, -10, -179, -9);
    assert_int_equal(check(g, text, NULL, NULL, &eb), ERR_BAD_GEOMETRY);
    assert_non_null(strstr(eb.msg, "range"));

    /* The limits themselves are allowed. */
    rect_geojson(text, sizeof(text), -180, -90, 180, 90);
    assert_int_equal(check(g, text, NULL, NULL, NULL), 0);
}

static void test_within(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    char outer[RECT_MAX], inside[RECT_MAX], sliver[RECT_MAX], apart[RECT_MAX];
    int is_within = -1;

    rect_geojson(outer, sizeof(outer), 0, 0, 10, 10);
    rect_geojson(inside, sizeof(inside), 2, 2, 5, 5);
    /* 10 x 1 rectangle poking 0.005 out of outer: 0.5% of its area is outside. */
    rect_geojson(sliver, sizeof(sliver), 0, 9.005, 10, 10.005);
    rect_geojson(apart, sizeof(apart), 20, 20, 21, 21);

    assert_int_equal(geo_polygon_within(g, inside, outer, 0, &is_within, &eb), 0);
    assert_int_equal(is_within, 1);
    /* A polygon is within itself; sharing the boundary is fine. */
    assert_int_equal(geo_polygon_within(g, outer, outer, 0, &is_within, &eb), 0);
    assert_int_equal(is_within, 1);

    assert_int_equal(geo_polygon_within(g, outer, inside, 0, &is_within, &eb), 0);
    assert_int_equal(is_within, 0);
    assert_int_equal(geo_polygon_within(g, apart, outer, 0.5, &is_within, &eb), 0);
    assert_int_equal(is_within, 0);

    assert_int_equal(geo_polygon_within(g, sliver, outer, 0, &is_within, &eb), 0);
    assert_int_equal(is_within, 0);
    assert_int_equal(geo_polygon_within(g, sliver, outer, 0.001, &is_within, &eb), 0);
    assert_int_equal(is_within, 0);
    assert_int_equal(geo_polygon_within(g, sliver, outer, 0.01, &is_within, &eb), 0);
    assert_int_equal(is_within, 1);
    assert_string_equal(eb.msg, "");
}

static void test_within_errors(void **state)
{
    struct geo *g = *state;
    struct errbuf eb = {""};
    char square[RECT_MAX];
    int is_within = -1;

    rect_geojson(square, sizeof(square), 0, 0, 1, 1);
    assert_int_equal(geo_polygon_within(g, "garbage", square, 0, &is_within, &eb),
                     ERR_BAD_GEOMETRY);
    assert_int_equal(is_within, 0);
    assert_non_null(strstr(eb.msg, "inner"));

    errbuf_clear(&eb);
    is_within = -1;
    assert_int_equal(geo_polygon_within(g, square, "{\"type\":\"Point\",\"coordinates\":[0,0]}", 0,
                                        &is_within, &eb),
                     ERR_BAD_GEOMETRY);
    assert_int_equal(is_within, 0);
    assert_non_null(strstr(eb.msg, "outer"));

    errbuf_clear(&eb);
    assert_int_equal(geo_polygon_within(g, square, square, NAN, &is_within, NULL), ERR_INVALID);
    assert_int_equal(geo_polygon_within(g, square, square, -0.1, &is_within, NULL), ERR_INVALID);
}

/*
 * The nested tree: district "11" covers [0,16]x[0,16] (level 1); every area splits into 2x2
 * children with code = parent code + two digits 01..04 (SW, SE, NW, NE), down to level 4, so
 * leaves are 2x2 squares with 8-digit codes. Leaf "11010101" (child 01 of community "110101")
 * is skipped when with_gap is set, so points there must land on the community.
 */
#define TREE_LEVELS 4
#define TREE_SIZE   16.0

static void tree_add(struct geo_index *ix, const char *code, int level, double x0, double y0,
                     double size, int with_gap)
{
    char text[RECT_MAX], child[19];
    double half = size / 2;
    int k;

    rect_geojson(text, sizeof(text), x0, y0, x0 + size, y0 + size);
    assert_int_equal(geo_index_add(ix, code, level, text, strlen(text), NULL), 0);
    if (level == TREE_LEVELS)
        return;
    for (k = 0; k < 4; k++) {
        int col = k % 2, row = k / 2;

        snprintf(child, sizeof(child), "%s%02d", code, k + 1);
        if (with_gap && strcmp(child, "11010101") == 0)
            continue;
        tree_add(ix, child, level + 1, x0 + col * half, y0 + row * half, half, with_gap);
    }
}

/* The leaf code for (x, y) strictly inside a leaf, computed arithmetically. */
static void tree_expected(double x, double y, char *out)
{
    double x0 = 0, y0 = 0, size = TREE_SIZE;
    int level;

    snprintf(out, 3, "11");
    for (level = 2; level <= TREE_LEVELS; level++) {
        int col, row;

        size /= 2;
        col = x >= x0 + size;
        row = y >= y0 + size;
        x0 += col * size;
        y0 += row * size;
        snprintf(out + strlen(out), 3, "%02d", col + 2 * row + 1);
    }
}

static struct geo_index *tree_build(struct geo *g, int with_gap)
{
    struct geo_index *ix = NULL;

    assert_int_equal(geo_index_new(g, &ix), 0);
    tree_add(ix, "11", 1, 0, 0, TREE_SIZE, with_gap);
    assert_int_equal(geo_index_build(ix), 0);
    return ix;
}

static void test_index_leaves(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = tree_build(g, 0);
    char code[19], want[19];
    int i, j;

    assert_int_equal(geo_index_size(ix), 1 + 4 + 16 + 64);
    /* The centre of every leaf. */
    for (i = 0; i < 8; i++) {
        for (j = 0; j < 8; j++) {
            double x = 2 * i + 1, y = 2 * j + 1;

            tree_expected(x, y, want);
            assert_int_equal(geo_index_locate(ix, x, y, code), 0);
            assert_string_equal(code, want);
        }
    }
    geo_index_free(ix);
}

static void test_index_boundaries(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = tree_build(g, 0);
    char code[19];

    /* Edge shared by leaves 11010101 (SW) and 11010102 (SE): the smaller code. */
    assert_int_equal(geo_index_locate(ix, 2, 1, code), 0);
    assert_string_equal(code, "11010101");
    /* Corner shared by four streets (and their leaves): the smallest deepest code. */
    assert_int_equal(geo_index_locate(ix, 8, 8, code), 0);
    assert_string_equal(code, "11010404");
    /* The district's outer boundary and corner count as inside. */
    assert_int_equal(geo_index_locate(ix, 16, 16, code), 0);
    assert_string_equal(code, "11040404");
    assert_int_equal(geo_index_locate(ix, 0, 0, code), 0);
    assert_string_equal(code, "11010101");
    /* Repeated lookups answer the same. */
    assert_int_equal(geo_index_locate(ix, 2, 1, code), 0);
    assert_string_equal(code, "11010101");
    geo_index_free(ix);
}

static void test_index_outside_and_invalid(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = tree_build(g, 0);
    char code[19] = "x";

    assert_int_equal(geo_index_locate(ix, 16.001, 5, code), ERR_NOT_FOUND);
    assert_string_equal(code, "");
    assert_int_equal(geo_index_locate(ix, -0.5, -0.5, code), ERR_NOT_FOUND);
    assert_int_equal(geo_index_locate(ix, 120, 30, code), ERR_NOT_FOUND);
    assert_int_equal(geo_index_locate(ix, NAN, 5, code), ERR_INVALID);
    assert_int_equal(geo_index_locate(ix, 5, NAN, code), ERR_INVALID);
    assert_int_equal(geo_index_locate(ix, INFINITY, 5, code), ERR_INVALID);
    assert_int_equal(geo_index_locate(ix, 180.5, 5, code), ERR_INVALID);
    assert_int_equal(geo_index_locate(ix, 5, -90.5, code), ERR_INVALID);
    assert_int_equal(geo_index_locate(ix, 180, 90, code), ERR_NOT_FOUND);
    geo_index_free(ix);
}

static void test_index_gap(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = tree_build(g, 1);
    char code[19];

    assert_int_equal(geo_index_size(ix), 1 + 4 + 16 + 64 - 1);
    /* Where leaf 11010101 would be, the community answers. */
    assert_int_equal(geo_index_locate(ix, 1, 1, code), 0);
    assert_string_equal(code, "110101");
    /* Its siblings are still found, including on the edge with the missing leaf. */
    assert_int_equal(geo_index_locate(ix, 3, 1, code), 0);
    assert_string_equal(code, "11010102");
    assert_int_equal(geo_index_locate(ix, 2, 1, code), 0);
    assert_string_equal(code, "11010102");
    geo_index_free(ix);
}

static void test_index_add_errors(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = NULL;
    struct errbuf eb = {""};
    char text[RECT_MAX], code[19];
    const char *point = "{\"type\":\"Point\",\"coordinates\":[0,0]}";

    rect_geojson(text, sizeof(text), 0, 0, 1, 1);
    assert_int_equal(geo_index_new(g, &ix), 0);
    assert_int_equal(geo_index_add(ix, "12a", 1, text, strlen(text), &eb), ERR_INVALID);
    assert_int_equal(geo_index_add(ix, "", 1, text, strlen(text), NULL), ERR_INVALID);
    assert_int_equal(geo_index_add(ix, "1234567890123456789", 1, text, strlen(text), NULL),
                     ERR_INVALID);
    assert_int_equal(geo_index_add(ix, "11", 0, text, strlen(text), NULL), ERR_INVALID);
    assert_int_equal(geo_index_add(ix, "11", 8, text, strlen(text), NULL), ERR_INVALID);
    errbuf_clear(&eb);
    assert_int_equal(geo_index_add(ix, "11", 1, "nope", 4, &eb), ERR_BAD_GEOMETRY);
    assert_true(eb.msg[0] != '\0');
    assert_int_equal(geo_index_add(ix, "11", 1, point, strlen(point), NULL), ERR_BAD_GEOMETRY);
    assert_int_equal(geo_index_size(ix), 0);

    /* Locating before the build is a misuse, not a miss. */
    assert_int_equal(geo_index_locate(ix, 0.5, 0.5, code), ERR_INVALID);
    assert_int_equal(geo_index_add(ix, "123456789012345678", 7, text, strlen(text), NULL), 0);
    assert_int_equal(geo_index_build(ix), 0);
    assert_int_equal(geo_index_build(ix), ERR_INVALID);
    assert_int_equal(geo_index_add(ix, "12", 1, text, strlen(text), NULL), ERR_INVALID);
    assert_int_equal(geo_index_size(ix), 1);
    assert_int_equal(geo_index_locate(ix, 0.5, 0.5, code), 0);
    assert_string_equal(code, "123456789012345678");
    geo_index_free(ix);
}

static void test_index_empty(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = NULL;
    char code[19];

    assert_int_equal(geo_index_new(g, &ix), 0);
    assert_int_equal(geo_index_build(ix), 0);
    assert_int_equal(geo_index_locate(ix, 1, 1, code), ERR_NOT_FOUND);
    geo_index_free(ix);
}

static void test_index_multipolygon_area(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = NULL;
    char code[19];
    const char *text = "{\"type\":\"MultiPolygon\",\"coordinates\":["
                       "[[[0,0],[1,0],[1,1],[0,1],[0,0]]],"
                       "[[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}";

    assert_int_equal(geo_index_new(g, &ix), 0);
    assert_int_equal(geo_index_add(ix, "42", 2, text, strlen(text), NULL), 0);
    assert_int_equal(geo_index_build(ix), 0);
    assert_int_equal(geo_index_locate(ix, 5.5, 5.5, code), 0);
    assert_string_equal(code, "42");
    /* Inside the envelope, between the parts. */
    assert_int_equal(geo_index_locate(ix, 3, 3, code), ERR_NOT_FOUND);
    geo_index_free(ix);
}

/* Deterministic xorshift64*, so a failure reproduces. */
static uint64_t prng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double prng_unit(uint64_t *s)
{
    return (double)(prng_next(s) >> 11) / 9007199254740992.0;
}

#define GRID_N  16
#define GRID_X0 100.0
#define GRID_Y0 20.0
#define GRID_DX 0.5
#define GRID_DY 0.25

/*
 * Property: on a 16x16 grid of rectangles (level 2) under one covering area (level 1), the
 * index answers what arithmetic says for 1000 random points, and the parent just outside.
 */
static void test_index_random_grid(void **state)
{
    struct geo *g = *state;
    struct geo_index *ix = NULL;
    char text[RECT_MAX], code[19], want[19];
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    int i, j, checked = 0;

    assert_int_equal(geo_index_new(g, &ix), 0);
    rect_geojson(text, sizeof(text), GRID_X0 - 1, GRID_Y0 - 1, GRID_X0 + GRID_N * GRID_DX + 1,
                 GRID_Y0 + GRID_N * GRID_DY + 1);
    assert_int_equal(geo_index_add(ix, "9", 1, text, strlen(text), NULL), 0);
    for (i = 0; i < GRID_N; i++) {
        for (j = 0; j < GRID_N; j++) {
            snprintf(code, sizeof(code), "9%02d%02d", i, j);
            rect_geojson(text, sizeof(text), GRID_X0 + i * GRID_DX, GRID_Y0 + j * GRID_DY,
                         GRID_X0 + (i + 1) * GRID_DX, GRID_Y0 + (j + 1) * GRID_DY);
            assert_int_equal(geo_index_add(ix, code, 2, text, strlen(text), NULL), 0);
        }
    }
    assert_int_equal(geo_index_build(ix), 0);
    assert_int_equal(geo_index_size(ix), 1 + GRID_N * GRID_N);

    while (checked < 1000) {
        /* Sample a margin around the grid too, where the parent must answer. */
        double u = prng_unit(&seed) * (GRID_N + 1.0) - 0.5;
        double v = prng_unit(&seed) * (GRID_N + 1.0) - 0.5;
        double x = GRID_X0 + u * GRID_DX, y = GRID_Y0 + v * GRID_DY;
        double fu = u - floor(u), fv = v - floor(v);

        /* Exactly on a grid line the tie rule answers, not floor(); those have their test. */
        if (fu < 1e-9 || fu > 1 - 1e-9 || fv < 1e-9 || fv > 1 - 1e-9)
            continue;
        i = (int)floor((x - GRID_X0) / GRID_DX);
        j = (int)floor((y - GRID_Y0) / GRID_DY);
        if (i < 0 || i >= GRID_N || j < 0 || j >= GRID_N)
            snprintf(want, sizeof(want), "9");
        else
            snprintf(want, sizeof(want), "9%02d%02d", i, j);
        assert_int_equal(geo_index_locate(ix, x, y, code), 0);
        assert_string_equal(code, want);
        checked++;
    }
    geo_index_free(ix);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_free),
        cmocka_unit_test(test_check_valid_polygon),
        cmocka_unit_test(test_check_polygon_with_hole),
        cmocka_unit_test(test_check_multipolygon),
        cmocka_unit_test(test_check_wrong_type),
        cmocka_unit_test(test_check_empty),
        cmocka_unit_test(test_check_malformed_positions),
        cmocka_unit_test(test_check_self_intersection),
        cmocka_unit_test(test_check_overlapping_multipolygon),
        cmocka_unit_test(test_check_unparseable),
        cmocka_unit_test(test_check_out_of_range),
        cmocka_unit_test(test_within),
        cmocka_unit_test(test_within_errors),
        cmocka_unit_test(test_index_leaves),
        cmocka_unit_test(test_index_boundaries),
        cmocka_unit_test(test_index_outside_and_invalid),
        cmocka_unit_test(test_index_gap),
        cmocka_unit_test(test_index_add_errors),
        cmocka_unit_test(test_index_empty),
        cmocka_unit_test(test_index_multipolygon_area),
        cmocka_unit_test(test_index_random_grid),
    };
    return cmocka_run_group_tests(tests, setup_geo, teardown_geo);
}
