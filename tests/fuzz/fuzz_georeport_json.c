/*
 * fuzz_georeport_json.c - the GeoReport JSON document reader (base/georeport.h) used by
 * `gridgov import open311`: no crash, leak or out-of-bounds read on any input, and every
 * record it hands over satisfies fuzz_georeport.h.
 */
#include "base/georeport.h"
#include "fuzz_georeport.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct errbuf eb = {{0}};
    size_t expected = 0;
    georeport_init();
    georeport_read((const char *)data, size, GEOREPORT_JSON, fuzz_georeport_check, &expected, &eb);
    return 0;
}
