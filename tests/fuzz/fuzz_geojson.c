/*
 * fuzz_geojson.c - area geometry validation (geo_polygon_check): whatever GeoJSON text comes
 * in an import, it is accepted as a valid polygon or refused with a reason, never a crash.
 */
#include "geo/geo.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct geo *g;
    struct geo_bbox bbox;
    double area;
    if (g == NULL && geo_new(&g) != 0)
        abort();
    if (size > 65536)
        return 0;
    geo_polygon_check(g, (const char *)data, size, &bbox, &area, NULL);
    return 0;
}
