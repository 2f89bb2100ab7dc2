/*
 * router.h - matching a method and path against a route table (src/api/api.h).
 * Pure functions; thread-safe.
 */
#ifndef GRIDGOV_HTTP_ROUTER_H
#define GRIDGOV_HTTP_ROUTER_H

#include "api/api.h"

/*
 * Find the route for method and path. On a match returns the route and fills params with
 * pointers into scratch (a copy of path split into segments; scratch must hold strlen(path)+1
 * bytes) for each {x} segment. When the path matches some route but not with this method,
 * returns NULL and sets *is_method_mismatch (so the caller answers 405, not 404).
 */
const struct api_route *router_match(const struct api_route *routes, const char *method,
                                     const char *path, char *scratch,
                                     const char *params[API_MAX_PATH_PARAMS], int *n_params,
                                     int *is_method_mismatch);

#endif
