/*
 * router.c - matching a request's method and path against a route table (see router.h).
 *
 * A path is compared segment by segment with a route's pattern: a literal segment must be
 * equal, a "{name}" segment matches any one non-empty segment and its value is returned as a
 * path parameter. Matching is exact: no trailing slash is tolerated and empty segments only
 * match empty segments, so "/api/v1/areas/" is not "/api/v1/areas". The first route in table
 * order whose pattern and method both match wins, so a literal route meant to shadow a
 * parameter route ("/areas/search" before "/areas/{code}") must come first in the table.
 * A "GET" route also answers "HEAD" (libmicrohttpd sends the headers only).
 *
 * The path is copied into the caller's scratch buffer and split there in place, so the
 * parameters point into scratch and no allocation happens. Pure functions; thread-safe.
 * Called by the HTTP server (server.c) for every /api/ request.
 */
#include "http/router.h"

#include <stddef.h>
#include <string.h>

/* Paths deeper than this match nothing (no route is anywhere near this deep). */
#define ROUTER_MAX_SEGMENTS 16

/*
 * Split path (copied into scratch) into segments at '/'. The path must start with '/'.
 * Returns the number of segments, or -1 when the path is malformed or too deep.
 */
static int router_split(const char *path, char *scratch, char *segs[ROUTER_MAX_SEGMENTS])
{
    size_t len = strlen(path);
    int n = 0;

    if (path[0] != '/')
        return -1;
    memcpy(scratch, path, len + 1);
    char *p = scratch + 1;
    for (;;) {
        if (n == ROUTER_MAX_SEGMENTS)
            return -1;
        segs[n++] = p;
        char *slash = strchr(p, '/');
        if (slash == NULL)
            break;
        *slash = '\0';
        p = slash + 1;
    }
    return n;
}

/*
 * Compare the pattern with the path's segments; on a match store the {x} values in params.
 * Returns the number of parameters, or -1 when the pattern does not match.
 */
static int router_match_pattern(const char *pattern, char *const *segs, int n_segs,
                                const char *params[API_MAX_PATH_PARAMS])
{
    const char *p = pattern;
    int n_params = 0;

    if (p[0] != '/')
        return -1;
    p++;
    for (int i = 0; i < n_segs; i++) {
        const char *end = strchr(p, '/');
        size_t seg_len = end ? (size_t)(end - p) : strlen(p);

        if (seg_len >= 2 && p[0] == '{' && p[seg_len - 1] == '}') {
            if (segs[i][0] == '\0' || n_params == API_MAX_PATH_PARAMS)
                return -1;
            params[n_params++] = segs[i];
        } else if (strlen(segs[i]) != seg_len || memcmp(segs[i], p, seg_len) != 0) {
            return -1;
        }
        if (end == NULL)
            return i == n_segs - 1 ? n_params : -1; /* pattern ends with the path? */
        p = end + 1;
    }
    return -1; /* pattern has more segments than the path */
}

static int router_method_matches(const char *route_method, const char *method)
{
    if (strcmp(route_method, method) == 0)
        return 1;
    return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

const struct api_route *router_match(const struct api_route *routes, const char *method,
                                     const char *path, char *scratch,
                                     const char *params[API_MAX_PATH_PARAMS], int *n_params,
                                     int *is_method_mismatch)
{
    char *segs[ROUTER_MAX_SEGMENTS];
    const char *found[API_MAX_PATH_PARAMS];

    *n_params = 0;
    *is_method_mismatch = 0;
    int n_segs = router_split(path, scratch, segs);
    if (n_segs < 0)
        return NULL;
    for (const struct api_route *rt = routes; rt->method != NULL; rt++) {
        int n = router_match_pattern(rt->pattern, segs, n_segs, found);
        if (n < 0)
            continue;
        if (!router_method_matches(rt->method, method)) {
            *is_method_mismatch = 1;
            continue;
        }
        for (int i = 0; i < n; i++)
            params[i] = found[i];
        *n_params = n;
        *is_method_mismatch = 0;
        return rt;
    }
    return NULL;
}
