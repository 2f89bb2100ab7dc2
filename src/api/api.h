/*
 * api.h - the HTTP JSON API as data: requests in, responses out, route tables.
 *
 * This is the only layer that knows HTTP status codes and JSON field names. It does not know
 * libmicrohttpd: src/http/ adapts each connection into a struct api_request, finds the route
 * (api_routes, the concatenation of every resource's table), authenticates the caller
 * (api_authenticate) and calls the handler, then sends the struct api_response.
 *
 * Threading: a request is handled on one worker thread; req->svc is that thread's service
 * context (its own store connection and geometry index) for the duration of the call.
 */
#ifndef GRIDGOV_API_API_H
#define GRIDGOV_API_API_H

#include "base/buf.h"
#include "base/error.h"
#include "domain/access.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct service_ctx;
struct api_response;

#define API_MAX_PATH_PARAMS 4
#define API_MAX_HEADERS     8

/*
 * A deferred answer (api_defer): the handler's work goes on elsewhere (a case report waits
 * for the writer's group commit) and the request holds no worker thread meanwhile. Once
 * resumed, the transport calls finish on a worker thread with that thread's service context
 * to fill resp (as a handler would: return 0 with resp set, or an error code), then
 * free_state(state) -- also when the request dies before finishing.
 */
typedef int (*api_finish_fn)(struct service_ctx *svc, void *state, struct api_response *resp);
struct api_deferred {
    api_finish_fn finish;
    void (*free_state)(void *state);
    void *state; /* owned by the deferral from api_defer on */
};
/* Wakes a deferred request; callable from any thread, exactly once. */
typedef void (*api_resume_fn)(void *resume_arg);

/* Callbacks the transport provides to look up request data (borrowed, valid during the call). */
struct api_transport {
    void *conn;
    const char *(*query)(void *conn, const char *key);   /* decoded query parameter or NULL */
    const char *(*header)(void *conn, const char *name); /* header (case-insensitive) or NULL */
    const char *(*cookie)(void *conn, const char *name); /* cookie value or NULL */
    /* Optional (NULL when the transport cannot defer): see api_defer. */
    int (*defer)(void *defer_ctx, const struct api_deferred *d, api_resume_fn *resume,
                 void **resume_arg);
    void *defer_ctx;
};

struct api_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* decoded path without the query string */
    const char *body;   /* NULL or body_len bytes (NUL-terminated for convenience) */
    size_t body_len;
    const char *remote_addr;                      /* "127.0.0.1" */
    char request_id[24];                          /* for logs and X-Request-Id */
    const char *path_params[API_MAX_PATH_PARAMS]; /* the {x} segments of the route, in order */
    int n_path_params;
    struct api_transport transport;
    struct service_ctx *svc; /* this worker thread's context */
    /* Set by api_authenticate: the caller (NULL when anonymous) and how they authenticated. */
    struct principal principal_storage;
    const struct principal *principal;
    int is_cookie_auth;
    char token_hash[65]; /* hex hash of the session token in use, "" if none */
};

struct api_header {
    char *name;  /* owned */
    char *value; /* owned */
};

struct api_response {
    int status;
    const char *content_type; /* static string; default application/json */
    struct buf body;
    struct api_header headers[API_MAX_HEADERS];
    int n_headers;
    const char *file_path; /* when set (static files), the transport sends this file instead */
};

typedef int (*api_handler_fn)(struct api_request *req, struct api_response *resp);

enum api_route_flags {
    API_PUBLIC = 1 << 0, /* no login needed (the handler may still use a principal if present) */
    /* Anonymous calls are limited per client address (ratelimit_per_min, ratelimit_burst):
     * over the limit they are answered 429 with Retry-After before the handler runs. Calls
     * with a session are not counted. Every public route that does work for anonymous
     * callers (reporting, tracking, login, Open311, published statistics) declares it. */
    API_RATE_LIMITED = 1 << 1,
    /* The body may be up to upload_max bytes (attachments); other routes get body_max, and a
     * larger body is refused by the transport before it is buffered. */
    API_UPLOAD = 1 << 2,
};

struct api_route {
    const char *method;  /* "GET", "POST", "DELETE", ... */
    const char *pattern; /* "/api/v1/areas/{code}/geojson": {x} matches one non-empty segment */
    api_handler_fn handler;
    unsigned flags;
};

/* All routes, terminated by a row with method NULL. */
extern const struct api_route api_routes[];

/* Query/header/cookie accessors (NULL when absent). Empty query values count as absent. */
const char *api_query(const struct api_request *req, const char *key);
const char *api_header(const struct api_request *req, const char *name);
const char *api_cookie(const struct api_request *req, const char *name);

void api_response_init(struct api_response *resp);
void api_response_cleanup(struct api_response *resp);
/* Add a header (copied). Silently ignored beyond API_MAX_HEADERS (a programming error). */
void api_response_header(struct api_response *resp, const char *name, const char *value);
/* Has a header of that name (case-insensitive) been added? */
int api_response_has_header(const struct api_response *resp, const char *name);
/* Serialise value as the body with the status; steals the reference to value. */
int api_reply_json(struct api_response *resp, int status, json_t *value);
/* {"error":{"code":...,"message":...}} with the status err maps to; message NULL = default. */
int api_reply_error(struct api_response *resp, int err, const char *message);
/* Same, with the errbuf detail when one was set. */
int api_reply_errbuf(struct api_response *resp, int err, const struct errbuf *eb);

/*
 * Answer later. On 0 the request is suspended: the transport owns d->state, the handler
 * returns 0 without setting resp, and whoever finishes the work calls resume(resume_arg)
 * exactly once (from any thread; it may be called before the handler returned). ERR_BUSY when
 * the transport cannot defer: nothing changed, the handler does its work synchronously.
 */
int api_defer(struct api_request *req, const struct api_deferred *d, api_resume_fn *resume,
              void **resume_arg);

/*
 * Authenticate from "Authorization: Bearer TOKEN" or the gridgov_session cookie; sets
 * req->principal on success. No credentials: 0 with principal NULL. Bad or expired token:
 * ERR_UNAUTHORIZED.
 */
int api_authenticate(struct api_request *req);

#endif
