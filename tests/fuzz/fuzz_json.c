/*
 * fuzz_json.c - the validation every JSON request body goes through (jsonutil.h): parse as
 * an object, check keys, and read each kind of field, with the time and UTF-8 checks.
 */
#include "base/jsonutil.h"
#include "base/timeutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const allowed[] = {"channel", "category", "description", "lon", "lat",
                                          "rating", NULL};
    struct errbuf eb = {{0}};
    json_t *obj = NULL;
    const char *s;
    double d;
    long long i;
    int64_t ms;
    char *text;

    utf8_is_clean_text((const char *)data, size);
    if (json_parse_object((const char *)data, size, &obj, &eb) == 0) {
        json_check_keys(obj, allowed, &eb);
        json_get_string(obj, "description", 1, 4000, &s, &eb);
        json_get_number(obj, "lon", 0, -180, 180, &d, NULL, &eb);
        json_get_int(obj, "rating", 0, 1, 5, &i, NULL, &eb);
        json_decref(obj);
    }
    text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    time_parse_iso(text, &ms);
    free(text);
    return 0;
}
