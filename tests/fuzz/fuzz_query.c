/*
 * fuzz_query.c - the percent-decoding of request paths, query keys and values
 * (http/unescape.h), then route matching of the decoded path, as the server does them. The
 * input up to its first NUL byte is the raw text (the server sees C strings). The decoded
 * text must be a C string of the returned length (no NUL byte inside: "%00" stays as it is),
 * never longer than the input, and equal to a reference decoding written out independently;
 * path parameters must point into the decoded path.
 */
#include "api/api.h"
#include "http/router.h"
#include "http/unescape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int ref_hex(unsigned char c)
{
    const char *digits = "0123456789abcdef";
    const char *p;
    if (c == '\0')
        return -1;
    if (c >= 'A' && c <= 'F')
        c = (unsigned char)(c - 'A' + 'a');
    p = strchr(digits, c);
    return p ? (int)(p - digits) : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text, *ref, *scratch;
    const char *params[API_MAX_PATH_PARAMS];
    size_t in_len, n, k = 0;
    int n_params = 0, mismatch = 0;
    if (size > 65536)
        return 0;
    text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0';
    in_len = strlen(text);
    /* The reference: the same rule written out differently. */
    ref = malloc(in_len + 1);
    for (size_t i = 0; i < in_len;) {
        int hi = text[i] == '%' ? ref_hex((unsigned char)text[i + 1]) : -1;
        int lo = hi >= 0 ? ref_hex((unsigned char)text[i + 2]) : -1;
        if (hi >= 0 && lo >= 0 && hi * 16 + lo != 0) {
            ref[k++] = (char)(hi * 16 + lo);
            i += 3;
        } else {
            ref[k++] = text[i++];
        }
    }
    ref[k] = '\0';
    n = http_unescape_inplace(text);
    if (n > in_len || strlen(text) != n || n != k || memcmp(text, ref, n) != 0)
        abort();
    scratch = malloc(n + 1);
    router_match(api_routes, "GET", text, scratch, params, &n_params, &mismatch);
    for (int i = 0; i < n_params; i++) {
        if (params[i] < scratch || params[i] > scratch + n)
            abort(); /* a parameter outside the decoded path */
    }
    free(scratch);
    free(ref);
    free(text);
    return 0;
}
