/*
 * fuzz_path.c - the HTTP path handling: route matching against the real route table and
 * static-file resolution (no traversal out of the web root, whatever the path). The input is
 * split at the first NUL byte into a method and a path.
 */
#include "api/api.h"
#include "http/router.h"
#include "http/static.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy, *path, *scratch;
    const char *method, *params[API_MAX_PATH_PARAMS], *mime;
    char resolved[4096];
    int n = 0, mismatch = 0;
    if (size > 4096)
        return 0;
    copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    path = memchr(copy, '\0', size) ? copy + strlen(copy) + 1 : copy;
    method = path == copy ? "GET" : copy;
    if (path > copy + size)
        path = copy + size;
    scratch = malloc(strlen(path) + 1);
    router_match(api_routes, method, path, scratch, params, &n, &mismatch);
    if (static_resolve("/nonexistent-gridgov-root", path, resolved, sizeof(resolved), &mime) ==
            0 &&
        strncmp(resolved, "/nonexistent-gridgov-root/", 26) != 0)
        abort(); /* resolved outside the root */
    free(scratch);
    free(copy);
    return 0;
}
