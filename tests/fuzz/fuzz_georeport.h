/*
 * fuzz_georeport.h - what every record base/georeport.h hands over must satisfy, shared by the
 * JSON and XML fuzz targets: numbered 1, 2, 3... in order; every field NUL-terminated within
 * GEOREPORT_VALUE_MAX bytes with no blank at either end; an item that is not a request carries
 * no field. A broken rule aborts (a finding).
 */
#ifndef GRIDGOV_FUZZ_GEOREPORT_H
#define GRIDGOV_FUZZ_GEOREPORT_H

#include "base/georeport.h"

#include <stdlib.h>
#include <string.h>

static int fuzz_georeport_check(void *arg, const struct georeport_record *rec)
{
    size_t *expected = arg;
    if (rec->number != ++*expected)
        abort();
    for (int f = 0; f < GR_FIELD_COUNT; f++) {
        const char *v = rec->field[f];
        size_t n = strnlen(v, GEOREPORT_VALUE_MAX + 1);
        if (n > GEOREPORT_VALUE_MAX)
            abort();
        if (n > 0 && (strchr(" \t\r\n", v[0]) != NULL || strchr(" \t\r\n", v[n - 1]) != NULL))
            abort();
        if (!rec->is_request && n > 0)
            abort();
    }
    return 0;
}

#endif
