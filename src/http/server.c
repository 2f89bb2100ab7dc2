/*
 * server.c - the libmicrohttpd adapter: connections in, api_request/api_response through the
 * route table, static files for everything else (see server.h).
 *
 * libmicrohttpd runs a pool of cfg->threads worker threads, each with its own epoll loop.
 * It calls http_access() several times per request: once when the headers are in, once per
 * chunk of upload data, and once more when the body is complete. The first call only
 * allocates the request's state (struct http_request) and returns; the response is queued on
 * the last call. Queuing on the first call would make libmicrohttpd give up on the request and
 * answer "Connection: close", killing keep-alive, so that is done only on purpose: for a body
 * whose declared Content-Length is over the limit by more than HTTP_DISCARD_MAX, where closing
 * is exactly what we want (we refuse to read it; with "Expect: 100-continue" the client never
 * even sends it). A body over the limit by less than that, declared or chunked, is discarded
 * as it arrives and answered 413 at the end, so ordinary clients see the 413; past
 * HTTP_DISCARD_MAX discarded bytes the connection is dropped (libmicrohttpd refuses a response
 * queued while the body is still arriving).
 * The state is freed in http_completed() (MHD_OPTION_NOTIFY_COMPLETED), which also writes the
 * request's one log line.
 *
 * Slow clients: libmicrohttpd's connection timeout only counts idle time, so a client that
 * sends a header byte every second keeps its connection forever (slowloris). Each connection
 * is therefore tracked from MHD_OPTION_NOTIFY_CONNECTION with a deadline by which its current
 * request must have fully arrived (request_timeout_s after the connection opened or after the
 * previous response); a reaper thread shuts down the socket of any connection past its
 * deadline, and libmicrohttpd, seeing the socket end, closes the connection itself. The list
 * is locked, and libmicrohttpd reports a connection closed before it closes the descriptor,
 * so the reaper never touches a descriptor that was reused. The per-address connection limit
 * keeps one client from holding all connections meanwhile.
 *
 * Memory per connection is bounded: headers by libmicrohttpd's connection memory limit
 * (HTTP_CONN_MEMORY, 431 beyond), bodies by body_max, or upload_max on API_UPLOAD routes.
 *
 * Service contexts are borrowed from the caller, one per worker thread, and lent to one
 * handler at a time through a small pool (mutex + condition variable). With as many contexts
 * as threads and handlers that never block on each other, acquiring one never waits in
 * practice; the pool makes that an invariant rather than a coincidence of thread identity.
 *
 * Deferred answers (api_defer, api.h): a handler whose work waits for something else -- a case
 * report waiting for the single writer's group commit -- suspends its connection
 * (MHD_suspend_connection, allowed only inside the access handler, hence transport.defer) and
 * returns; the worker thread and its service context go on with other connections. Whoever
 * finishes the work calls http_resume (MHD_resume_connection, from any thread), libmicrohttpd
 * calls http_access once more, and the deferral's finish function answers with a context from
 * the pool. So a batch of the writer is no longer capped by the number of worker threads. A
 * suspended connection must not outlive the daemon: http_server_stop waits for every deferred
 * request to be answered.
 *
 * Security headers (nosniff, no-referrer, a CSP on HTML) go on every response; API answers
 * are never cached (Cache-Control: no-store), static files are revalidated (no-cache).
 *
 * Threading: http_access() and http_completed() run on libmicrohttpd's worker threads; the
 * only shared mutable state is the context pool (locked), the request id counter and the
 * in-flight and deferred counts (atomics); http_resume runs on the thread that finished the
 * deferred work. http_server_start/stop are called by the CLI's main thread.
 */
#include "http/server.h"

#include "base/metrics.h"

#include "api/api.h"
#include "base/buf.h"
#include "base/error.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "http/ratelimit.h"
#include "http/router.h"
#include "http/static.h"
#include "http/unescape.h"
#include "service/context.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Bytes of an oversized chunked body we read and throw away before dropping the connection. */
#define HTTP_DISCARD_MAX ((size_t)16 * 1024 * 1024)
/* Client addresses the rate limiter remembers (about 100 bytes each). */
#define HTTP_RATELIMIT_CLIENTS 16384
/* libmicrohttpd's per-connection memory: request line and headers must fit. */
#define HTTP_CONN_MEMORY ((size_t)64 * 1024)
/* How often the reaper looks for requests past their deadline. */
#define HTTP_REAP_MS 250
/* How long http_server_stop waits for requests in flight before cutting them off. */
#define HTTP_DRAIN_MS 5000

#define HTTP_CSP                                                                                   \
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "                 \
    "object-src 'none'; frame-ancestors 'none'"

/* One open connection, for the request deadline (see the top comment). */
struct http_conn {
    struct http_conn *prev, *next;
    int fd;
    int64_t deadline_ms; /* CLOCK_MONOTONIC ms; INT64_MAX while a request is being handled */
};

struct http_server {
    struct MHD_Daemon *daemon;
    char *web_root; /* owned copy; NULL disables static files */
    size_t body_max;
    size_t upload_max;
    int port;

    /* Open connections and the reaper that enforces request_timeout_s. */
    int64_t request_timeout_ms; /* 0 = no deadline, no reaper */
    pthread_mutex_t conn_lock;
    pthread_cond_t reap_cond;
    struct http_conn *conns; /* owned list, head */
    int is_reap_stop;
    int is_conn_init;
    int is_reaper_running;
    pthread_t reaper;

    /* Pool of borrowed service contexts: pool_free[0..n_free-1] are not in use. */
    pthread_mutex_t pool_lock;
    pthread_cond_t pool_cond;
    struct service_ctx **pool_free; /* owned array of borrowed pointers */
    int n_free;
    int is_pool_init;

    atomic_uint_fast64_t next_rid;
    atomic_int in_flight;        /* requests between the first handler call and completion */
    atomic_int deferred;         /* requests between api_defer and their answer (http_defer) */
    struct metrics *metrics;     /* borrowed; may be NULL */
    struct ratelimit *ratelimit; /* owned; NULL = no rate limit */
    char *tls_cert;              /* owned PEM copies while serving HTTPS, else NULL */
    char *tls_key;               /* wiped before it is freed */
};

/* One request's state, from the first access-handler call to http_completed(). */
struct http_request {
    struct timespec start;
    char rid[24];
    char method[16]; /* for the log line: sanitised, may be truncated */
    char path[256];  /* for the log line: sanitised, may be truncated */
    char remote[INET6_ADDRSTRLEN];
    struct buf body;
    size_t body_max;  /* the limit for this request's body */
    size_t discarded; /* upload bytes thrown away once the body was over the limit */
    int is_too_large;
    int is_queued;
    int status;   /* status queued, 0 if none yet */
    size_t bytes; /* response body bytes */
    size_t route; /* index in api_routes, or SIZE_MAX for static files and unknown paths */
    /* A deferred answer (api_defer): set while the connection is suspended and until the
     * resumed request has been answered; deferred.state is owned here meanwhile. */
    struct api_deferred deferred;
    struct http_server *srv;     /* for http_resume */
    struct MHD_Connection *conn; /* for http_resume */
};

static int http_is_api_path(const char *url);

static int64_t http_now_ms(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
}

/* libmicrohttpd's own diagnostics, as one log line each. */
__attribute__((format(printf, 2, 0))) static void http_mhd_log(void *cls, const char *fmt,
                                                               va_list ap)
{
    char msg[512];
    (void)cls;
    vsnprintf(msg, sizeof(msg), fmt, ap);
    size_t len = strlen(msg);
    while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == '\r'))
        msg[--len] = '\0';
    log_warn("http", "libmicrohttpd: %s", msg);
}

/*
 * Copy s for a log line: bytes that would break "key=value" parsing or the terminal (controls,
 * space, '"', '%') are percent-encoded, the result truncated to fit.
 */
static void http_log_copy(char *out, size_t size, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c <= 0x20 || c == 0x7f || c == '"' || c == '%') {
            if (o + 4 > size)
                break;
            out[o++] = '%';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 0xf];
        } else {
            if (o + 2 > size)
                break;
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

static void http_remote_addr(struct MHD_Connection *conn, char *out, size_t size)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const struct sockaddr *sa = ci ? ci->client_addr : NULL;

    snprintf(out, size, "-");
    if (sa == NULL)
        return;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &sin->sin_addr, out, (socklen_t)size);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) /* a dual-stack socket's IPv4 client */
            inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], out, (socklen_t)size);
        else
            inet_ntop(AF_INET6, &sin6->sin6_addr, out, (socklen_t)size);
    }
}

/* The largest body url accepts: upload_max on API_UPLOAD routes, else body_max. */
static size_t http_body_max(const struct http_server *srv, const char *url, const char *method)
{
    const char *params[API_MAX_PATH_PARAMS];
    int n = 0, mismatch = 0;
    size_t max = srv->body_max;
    char *scratch = xmalloc(strlen(url) + 1);
    const struct api_route *rt =
        router_match(api_routes, method, url, scratch, params, &n, &mismatch);
    if (rt != NULL && (rt->flags & API_UPLOAD) && srv->upload_max > max)
        max = srv->upload_max;
    free(scratch);
    return max;
}

static struct http_request *http_request_new(struct http_server *srv, struct MHD_Connection *conn,
                                             const char *url, const char *method)
{
    struct http_request *hr = xcalloc(1, sizeof(*hr));
    clock_gettime(CLOCK_MONOTONIC, &hr->start);
    unsigned long long id = (unsigned long long)atomic_fetch_add(&srv->next_rid, 1) + 1;
    snprintf(hr->rid, sizeof(hr->rid), "%llx", id);
    http_log_copy(hr->method, sizeof(hr->method), method);
    http_log_copy(hr->path, sizeof(hr->path), url);
    http_remote_addr(conn, hr->remote, sizeof(hr->remote));
    hr->body_max = http_is_api_path(url) ? http_body_max(srv, url, method) : srv->body_max;
    buf_init(&hr->body, hr->body_max);
    atomic_fetch_add(&srv->in_flight, 1);
    hr->route = SIZE_MAX;
    hr->srv = srv;
    hr->conn = conn;
    return hr;
}

/* Is the Content-Length the client announced beyond max? */
/* The declared Content-Length: 0 = none or within max, 1 = over max but small enough to read
 * and discard, 2 = over max + HTTP_DISCARD_MAX (refused without reading). */
static int http_declared_too_large(struct MHD_Connection *conn, size_t max)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end = NULL;
    if (cl == NULL)
        return 0;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (end == cl)
        return 0; /* libmicrohttpd rejects a malformed length itself */
    if (errno == ERANGE || n > (unsigned long long)max + HTTP_DISCARD_MAX)
        return 2;
    return n > max;
}

/* ---- the service context pool ---- */

static struct service_ctx *http_pool_acquire(struct http_server *srv)
{
    pthread_mutex_lock(&srv->pool_lock);
    while (srv->n_free == 0)
        pthread_cond_wait(&srv->pool_cond, &srv->pool_lock);
    struct service_ctx *ctx = srv->pool_free[--srv->n_free];
    pthread_mutex_unlock(&srv->pool_lock);
    service_ctx_request_begin(ctx); /* lent to one request (or one deferred answer) */
    return ctx;
}

static void http_pool_release(struct http_server *srv, struct service_ctx *ctx)
{
    service_ctx_request_end(ctx);
    pthread_mutex_lock(&srv->pool_lock);
    srv->pool_free[srv->n_free++] = ctx;
    pthread_cond_signal(&srv->pool_cond);
    pthread_mutex_unlock(&srv->pool_lock);
}

/* ---- transport callbacks for struct api_request ---- */

static const char *http_query(void *conn, const char *key)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, key);
    return (v != NULL && v[0] != '\0') ? v : NULL;
}

static const char *http_header(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

static const char *http_cookie(void *conn, const char *name)
{
    return MHD_lookup_connection_value(conn, MHD_COOKIE_KIND, name);
}

/* ---- responses ---- */

static int http_resp_has_header(const struct api_response *resp, const char *name)
{
    for (int i = 0; i < resp->n_headers; i++) {
        if (strcasecmp(resp->headers[i].name, name) == 0)
            return 1;
    }
    return 0;
}

/* A response for a regular file (takes the descriptor), or NULL if it cannot be opened. */
static struct MHD_Response *http_file_response(const char *path, size_t *bytes)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return NULL;
    }
    struct MHD_Response *mr = MHD_create_response_from_fd((size_t)st.st_size, fd);
    if (mr == NULL) {
        close(fd);
        return NULL;
    }
    *bytes = (size_t)st.st_size;
    return mr;
}

/*
 * Turn resp into a libmicrohttpd response and queue it; cleans resp up. cache_control, when
 * not NULL, is sent unless the handler set its own.
 */
static enum MHD_Result http_send(struct MHD_Connection *conn, struct http_request *hr,
                                 struct api_response *resp, const char *cache_control)
{
    struct MHD_Response *mr = NULL;
    const char *ctype = NULL;
    size_t bytes = 0;

    if (resp->file_path != NULL) {
        mr = http_file_response(resp->file_path, &bytes);
        if (mr != NULL) {
            ctype = resp->content_type ? resp->content_type : static_mime_type(resp->file_path);
        } else {
            log_warn("http", "rid=%s cannot open %s", hr->rid, resp->file_path);
            api_response_cleanup(resp);
            api_response_init(resp);
            api_reply_error(resp, ERR_NOT_FOUND, NULL);
        }
    }
    if (mr == NULL) {
        bytes = resp->body.len;
        char *data = buf_take(&resp->body);
        mr = MHD_create_response_from_buffer(bytes, data, MHD_RESPMEM_MUST_FREE);
        if (mr == NULL) {
            free(data);
            api_response_cleanup(resp);
            return MHD_NO;
        }
        ctype = resp->content_type ? resp->content_type : "application/json";
    }
    if (resp->status < 100 || resp->status > 599) {
        log_error("http", "rid=%s handler left status %d", hr->rid, resp->status);
        resp->status = 500;
    }

    if (!http_resp_has_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    for (int i = 0; i < resp->n_headers; i++) {
        if (MHD_add_response_header(mr, resp->headers[i].name, resp->headers[i].value) != MHD_YES)
            log_warn("http", "rid=%s cannot add header %s", hr->rid, resp->headers[i].name);
    }
    MHD_add_response_header(mr, "X-Request-Id", hr->rid);
    MHD_add_response_header(mr, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(mr, "Referrer-Policy", "no-referrer");
    if (strncasecmp(ctype, "text/html", 9) == 0)
        MHD_add_response_header(mr, "Content-Security-Policy", HTTP_CSP);
    if (cache_control != NULL && !http_resp_has_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(mr, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);

    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, mr);
    MHD_destroy_response(mr);
    hr->is_queued = 1;
    if (ret == MHD_YES) {
        hr->status = resp->status;
        hr->bytes = bytes;
    }
    api_response_cleanup(resp);
    return ret;
}

static enum MHD_Result http_send_error(struct MHD_Connection *conn, struct http_request *hr,
                                       int err, const char *message, const char *allow)
{
    struct api_response resp;
    api_response_init(&resp);
    api_reply_error(&resp, err, message);
    if (allow != NULL && allow[0] != '\0')
        api_response_header(&resp, "Allow", allow);
    return http_send(conn, hr, &resp, NULL);
}

/* ---- API requests ---- */

static int http_is_api_path(const char *url)
{
    return strncmp(url, "/api/", 5) == 0 || strcmp(url, "/api") == 0 ||
           strncmp(url, "/open311/", 9) == 0 || strcmp(url, "/healthz") == 0 ||
           strcmp(url, "/metrics") == 0;
}

/* "GET, HEAD, POST" for the methods that path answers to (scratch as for router_match). */
static void http_allowed_methods(const char *path, char *scratch, char *out, size_t size)
{
    static const char *const methods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"};
    const char *params[API_MAX_PATH_PARAMS];
    size_t len = 0;

    out[0] = '\0';
    for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
        int n = 0;
        int mismatch = 0;
        if (router_match(api_routes, methods[i], path, scratch, params, &n, &mismatch) == NULL)
            continue;
        int w = snprintf(out + len, size - len, "%s%s", len ? ", " : "", methods[i]);
        if (w < 0 || (size_t)w >= size - len)
            break;
        len += (size_t)w;
    }
}

/* Charge an anonymous call to a rate-limited route to its client address; 1 (and resp holds
 * the 429) when over the limit. */
static int http_rate_limited(struct http_server *srv, const struct api_route *rt,
                             const struct api_request *req, struct api_response *resp)
{
    long retry_after = 0;
    char value[24];
    char key[RATELIMIT_KEY_MAX];

    if (srv->ratelimit == NULL || !(rt->flags & API_RATE_LIMITED) || req->principal != NULL)
        return 0;
    ratelimit_client_key(req->remote_addr, key, sizeof(key));
    if (ratelimit_take(srv->ratelimit, key, http_now_ms(), &retry_after) == 0)
        return 0;
    snprintf(value, sizeof(value), "%ld", retry_after);
    api_response_header(resp, "Retry-After", value);
    api_reply_error(resp, ERR_RATE_LIMITED, "too many requests from this address; try again later");
    return 1;
}

/* ---- deferred answers (api_defer) ---- */

/* api_resume_fn: the deferred work is done; libmicrohttpd calls http_access again. Runs on
 * any thread (the writer's); hr may be freed as soon as the connection is resumed. */
static void http_resume(void *arg)
{
    struct http_request *hr = arg;
    MHD_resume_connection(hr->conn);
}

/* transport.defer: suspend the connection (we are inside the access handler, the only place
 * libmicrohttpd allows it) and keep the deferral until the request is resumed. */
static int http_defer(void *defer_ctx, const struct api_deferred *d, api_resume_fn *resume,
                      void **resume_arg)
{
    struct http_request *hr = defer_ctx;
    if (hr->deferred.finish != NULL || d->finish == NULL)
        return ERR_BUSY;
    hr->deferred = *d;
    atomic_fetch_add(&hr->srv->deferred, 1);
    MHD_suspend_connection(hr->conn);
    *resume = http_resume;
    *resume_arg = hr;
    return 0;
}

/* The resumed request: its finish function on a worker context, then the answer. */
static enum MHD_Result http_finish_deferred(struct http_server *srv, struct MHD_Connection *conn,
                                            struct http_request *hr)
{
    struct service_ctx *ctx = http_pool_acquire(srv);
    struct api_response resp;
    api_response_init(&resp);
    int r = hr->deferred.finish(ctx, hr->deferred.state, &resp);
    if (r != 0 && resp.status == 0) {
        api_reply_error(&resp, r, NULL);
    } else if (r == 0 && resp.status == 0) {
        log_error("http", "rid=%s deferred answer set no response", hr->rid);
        api_reply_error(&resp, ERR_INTERNAL, NULL);
    }
    http_pool_release(srv, ctx);
    hr->deferred.free_state(hr->deferred.state);
    memset(&hr->deferred, 0, sizeof(hr->deferred));
    enum MHD_Result ret = http_send(conn, hr, &resp, "no-store");
    atomic_fetch_sub(&srv->deferred, 1);
    return ret;
}

/* Authenticate, authorise and run the handler; resp ends up holding the answer. */
static void http_call(struct http_server *srv, const struct api_route *rt, struct api_request *req,
                      struct api_response *resp)
{
    struct service_ctx *ctx = http_pool_acquire(srv);
    int r;

    req->svc = ctx;
    if ((r = api_authenticate(req)) != 0) {
        api_reply_error(resp, r, NULL);
    } else if (http_rate_limited(srv, rt, req, resp)) {
        /* answered 429 */
    } else if (!(rt->flags & API_PUBLIC) && req->principal == NULL) {
        api_reply_error(resp, ERR_UNAUTHORIZED, NULL);
    } else {
        r = rt->handler(req, resp);
        if (r == 0 && resp->status == 0 && req->transport.defer_ctx != NULL &&
            ((struct http_request *)req->transport.defer_ctx)->deferred.finish != NULL) {
            /* deferred (api_defer): answered once resumed */
        } else if (r != 0 && resp->status == 0) {
            api_reply_error(resp, r, NULL);
        } else if (r == 0 && resp->status == 0) {
            log_error("http", "rid=%s handler for %s %s set no response", req->request_id,
                      rt->method, rt->pattern);
            api_reply_error(resp, ERR_INTERNAL, NULL);
        }
    }
    req->svc = NULL;
    http_pool_release(srv, ctx);
}

static enum MHD_Result http_serve_api(struct http_server *srv, struct MHD_Connection *conn,
                                      struct http_request *hr, const char *url, const char *method)
{
    struct api_request req;
    struct api_response resp;
    int is_mismatch = 0;
    char *scratch = xmalloc(strlen(url) + 1);

    memset(&req, 0, sizeof(req));
    api_response_init(&resp);
    const struct api_route *rt = router_match(api_routes, method, url, scratch, req.path_params,
                                              &req.n_path_params, &is_mismatch);
    if (rt == NULL && is_mismatch) {
        char allow[64];
        http_allowed_methods(url, scratch, allow, sizeof(allow));
        api_reply_error(&resp, ERR_METHOD, NULL);
        if (allow[0] != '\0')
            api_response_header(&resp, "Allow", allow);
    } else if (rt == NULL) {
        api_reply_error(&resp, ERR_NOT_FOUND, "no such endpoint");
    } else {
        hr->route = (size_t)(rt - api_routes);
        req.method = method;
        req.path = url;
        req.body = hr->body.len > 0 ? hr->body.data : NULL;
        req.body_len = hr->body.len;
        req.remote_addr = hr->remote;
        snprintf(req.request_id, sizeof(req.request_id), "%s", hr->rid);
        req.transport.conn = conn;
        req.transport.query = http_query;
        req.transport.header = http_header;
        req.transport.cookie = http_cookie;
        req.transport.defer = http_defer;
        req.transport.defer_ctx = hr;
        http_call(srv, rt, &req, &resp);
        if (hr->deferred.finish != NULL) { /* suspended: http_finish_deferred answers */
            api_response_cleanup(&resp);
            free(scratch);
            return MHD_YES;
        }
    }
    enum MHD_Result ret = http_send(conn, hr, &resp, "no-store");
    free(scratch);
    return ret;
}

/* ---- static files ---- */

static enum MHD_Result http_serve_static(struct http_server *srv, struct MHD_Connection *conn,
                                         struct http_request *hr, const char *url,
                                         const char *method)
{
    struct api_response resp;
    char path[PATH_MAX];
    const char *mime = NULL;

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return http_send_error(conn, hr, ERR_METHOD, NULL, "GET, HEAD");
    if (static_resolve(srv->web_root, url, path, sizeof(path), &mime) != 0)
        return http_send_error(conn, hr, ERR_NOT_FOUND, NULL, NULL);
    api_response_init(&resp);
    resp.status = 200;
    resp.content_type = mime;
    resp.file_path = path;
    return http_send(conn, hr, &resp, "no-cache");
}

/* ---- percent-decoding ---- */

/* MHD_OPTION_UNESCAPE_CALLBACK for the path, query keys and values: http/unescape.h (which
 * leaves "%00" undecoded). */
static size_t http_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    (void)conn;
    return http_unescape_inplace(s);
}

/* ---- connections and their request deadline ---- */

static void http_conn_set_deadline(struct http_server *srv, struct MHD_Connection *conn,
                                   int64_t deadline_ms)
{
    if (srv->request_timeout_ms <= 0)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct http_conn *hc = ci ? ci->socket_context : NULL;
    if (hc == NULL)
        return;
    pthread_mutex_lock(&srv->conn_lock);
    hc->deadline_ms = deadline_ms;
    pthread_mutex_unlock(&srv->conn_lock);
}

static void http_notify_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                                   enum MHD_ConnectionNotificationCode toe)
{
    struct http_server *srv = cls;
    struct http_conn *hc = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci == NULL)
            return;
        hc = xcalloc(1, sizeof(*hc));
        hc->fd = ci->connect_fd;
        hc->deadline_ms = http_now_ms() + srv->request_timeout_ms;
        pthread_mutex_lock(&srv->conn_lock);
        hc->next = srv->conns;
        if (srv->conns != NULL)
            srv->conns->prev = hc;
        srv->conns = hc;
        pthread_mutex_unlock(&srv->conn_lock);
        *socket_context = hc;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED && hc != NULL) {
        pthread_mutex_lock(&srv->conn_lock);
        if (hc->prev != NULL)
            hc->prev->next = hc->next;
        else
            srv->conns = hc->next;
        if (hc->next != NULL)
            hc->next->prev = hc->prev;
        pthread_mutex_unlock(&srv->conn_lock);
        free(hc);
        *socket_context = NULL;
    }
}

/* The reaper thread: every HTTP_REAP_MS, end the connections past their deadline. */
static void *http_reaper(void *arg)
{
    struct http_server *srv = arg;

    pthread_mutex_lock(&srv->conn_lock);
    while (!srv->is_reap_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)HTTP_REAP_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&srv->reap_cond, &srv->conn_lock, &until);
        int64_t now = http_now_ms();
        for (struct http_conn *hc = srv->conns; hc != NULL; hc = hc->next) {
            if (hc->deadline_ms > now)
                continue;
            /* Still listed, so libmicrohttpd has not closed fd: it sees the end and closes. */
            shutdown(hc->fd, SHUT_RDWR);
            hc->deadline_ms = INT64_MAX;
            log_info("http", "closed a connection whose request took longer than %lld s",
                     (long long)(srv->request_timeout_ms / 1000));
        }
    }
    pthread_mutex_unlock(&srv->conn_lock);
    return NULL;
}

/* ---- libmicrohttpd callbacks ---- */

static enum MHD_Result http_access(void *cls, struct MHD_Connection *conn, const char *url,
                                   const char *method, const char *version, const char *upload_data,
                                   size_t *upload_data_size, void **con_cls)
{
    struct http_server *srv = cls;
    struct http_request *hr = *con_cls;
    (void)version;

    if (hr == NULL) {
        hr = http_request_new(srv, conn, url, method);
        *con_cls = hr;
        int too_large = http_declared_too_large(conn, hr->body_max);
        if (too_large == 2) {
            /* Answering now makes libmicrohttpd close instead of reading the body. */
            hr->is_too_large = 1;
            return http_send_error(conn, hr, ERR_TOO_LARGE, NULL, NULL);
        }
        /* Somewhat too large: read and discard it, then answer 413 on a connection that
         * stays usable (clients that send the body before reading an answer, as most do
         * without Expect: 100-continue, would otherwise see a reset instead of the 413). */
        hr->is_too_large = too_large;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (hr->is_queued)
            return MHD_YES;
        if (!hr->is_too_large && buf_append(&hr->body, upload_data, n) != 0) {
            hr->is_too_large = 1;
            buf_cleanup(&hr->body);
        }
        if (hr->is_too_large) {
            hr->discarded += n;
            if (hr->discarded > HTTP_DISCARD_MAX)
                return MHD_NO; /* drop the connection */
        }
        return MHD_YES;
    }
    if (hr->is_queued)
        return MHD_YES;
    if (hr->deferred.finish != NULL) /* resumed after api_defer */
        return http_finish_deferred(srv, conn, hr);
    http_conn_set_deadline(srv, conn, INT64_MAX); /* all in: the request is ours now */
    if (hr->is_too_large)
        return http_send_error(conn, hr, ERR_TOO_LARGE, NULL, NULL);
    if (http_is_api_path(url))
        return http_serve_api(srv, conn, hr, url, method);
    return http_serve_static(srv, conn, hr, url, method);
}

static const char *http_termination_name(enum MHD_RequestTerminationCode toe)
{
    switch (toe) {
    case MHD_REQUEST_TERMINATED_COMPLETED_OK:
        return "ok";
    case MHD_REQUEST_TERMINATED_WITH_ERROR:
        return "error";
    case MHD_REQUEST_TERMINATED_TIMEOUT_REACHED:
        return "timeout";
    case MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN:
        return "shutdown";
    case MHD_REQUEST_TERMINATED_READ_ERROR:
        return "read_error";
    case MHD_REQUEST_TERMINATED_CLIENT_ABORT:
        return "client_abort";
    }
    return "unknown";
}

static void http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                           enum MHD_RequestTerminationCode toe)
{
    struct http_server *srv = cls;
    struct http_request *hr = *con_cls;
    struct timespec now;

    if (hr == NULL)
        return;
    *con_cls = NULL;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double ms = (double)(now.tv_sec - hr->start.tv_sec) * 1e3 +
                (double)(now.tv_nsec - hr->start.tv_nsec) / 1e6;
    metrics_observe(srv->metrics, hr->route, hr->status, ms);
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        log_info("http", "rid=%s method=%s path=%s status=%d ms=%.1f bytes=%zu", hr->rid,
                 hr->method, hr->path, hr->status, ms, hr->bytes);
    else
        log_info("http", "rid=%s method=%s path=%s status=%d ms=%.1f bytes=%zu end=%s", hr->rid,
                 hr->method, hr->path, hr->status, ms, hr->bytes, http_termination_name(toe));
    if (hr->deferred.free_state != NULL) { /* never finished (the connection ended first) */
        hr->deferred.free_state(hr->deferred.state);
        atomic_fetch_sub(&srv->deferred, 1);
    }
    buf_cleanup(&hr->body);
    free(hr);
    /* A kept-alive connection has request_timeout_s for its next request. */
    if (srv->request_timeout_ms > 0)
        http_conn_set_deadline(srv, conn, http_now_ms() + srv->request_timeout_ms);
    atomic_fetch_sub(&srv->in_flight, 1);
}

/* ---- lifecycle ---- */

static void http_server_free(struct http_server *srv)
{
    if (srv == NULL)
        return;
    if (srv->is_conn_init) {
        while (srv->conns != NULL) { /* only after the daemon stopped: normally empty */
            struct http_conn *next = srv->conns->next;
            free(srv->conns);
            srv->conns = next;
        }
        pthread_cond_destroy(&srv->reap_cond);
        pthread_mutex_destroy(&srv->conn_lock);
    }
    if (srv->is_pool_init) {
        pthread_cond_destroy(&srv->pool_cond);
        pthread_mutex_destroy(&srv->pool_lock);
    }
    ratelimit_free(srv->ratelimit);
    if (srv->tls_key != NULL)
        sodium_memzero(srv->tls_key, strlen(srv->tls_key));
    free(srv->tls_key);
    free(srv->tls_cert);
    free(srv->pool_free);
    free(srv->web_root);
    free(srv);
}

/* Resolve host ("127.0.0.1", "::1", "0.0.0.0"; NULL = 127.0.0.1) and port into ss. */
static int http_listen_addr(const char *host, int port, struct sockaddr_storage *ss,
                            socklen_t *ss_len)
{
    struct addrinfo hints;
    struct addrinfo *ai = NULL;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int rc = getaddrinfo(host ? host : "127.0.0.1", NULL, &hints, &ai);
    if (rc != 0 || ai == NULL || ai->ai_addrlen > sizeof(*ss)) {
        log_error("http", "cannot resolve listen address %s: %s", host ? host : "127.0.0.1",
                  rc != 0 ? gai_strerror(rc) : "no address");
        if (ai != NULL)
            freeaddrinfo(ai);
        return ERR_INVALID;
    }
    memset(ss, 0, sizeof(*ss));
    memcpy(ss, ai->ai_addr, ai->ai_addrlen);
    *ss_len = (socklen_t)ai->ai_addrlen;
    freeaddrinfo(ai);
    if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)(void *)ss)->sin6_port = htons((uint16_t)port);
    else if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)(void *)ss)->sin_port = htons((uint16_t)port);
    else
        return ERR_INVALID;
    return 0;
}

int http_server_start(const struct http_server_config *cfg, struct service_ctx **ctxs,
                      struct http_server **out)
{
    int r = ERR_INTERNAL;
    struct http_server *srv = NULL;
    struct sockaddr_storage ss;
    socklen_t ss_len = 0;
    struct MHD_OptionItem opts[12];
    int n_opts = 0;

    *out = NULL;
    if (cfg->threads < 1 || cfg->port < 0 || cfg->port > 65535 || ctxs == NULL)
        return ERR_INVALID;
    if ((cfg->tls_cert_pem == NULL) != (cfg->tls_key_pem == NULL))
        return ERR_INVALID;
    if (cfg->tls_cert_pem != NULL && !http_server_has_tls()) {
        log_error("http", "this libmicrohttpd was built without TLS support");
        return ERR_INVALID;
    }
    if ((r = http_listen_addr(cfg->listen_host, cfg->port, &ss, &ss_len)) != 0)
        return r;

    srv = xcalloc(1, sizeof(*srv));
    srv->web_root = cfg->web_root ? xstrdup(cfg->web_root) : NULL;
    srv->body_max = cfg->body_max;
    srv->upload_max = cfg->upload_max;
    srv->request_timeout_ms = (int64_t)cfg->request_timeout_s * 1000;
    srv->metrics = cfg->metrics;
    if (cfg->ratelimit_per_min > 0 &&
        (r = ratelimit_new(cfg->ratelimit_per_min, cfg->ratelimit_burst, HTTP_RATELIMIT_CLIENTS,
                           &srv->ratelimit)) != 0)
        goto out;
    r = ERR_INTERNAL; /* for the failures below */
    srv->pool_free = xcalloc((size_t)cfg->threads, sizeof(struct service_ctx *));
    for (int i = 0; i < cfg->threads; i++)
        srv->pool_free[i] = ctxs[i];
    srv->n_free = cfg->threads;
    atomic_init(&srv->next_rid, 0);
    atomic_init(&srv->in_flight, 0);
    atomic_init(&srv->deferred, 0);
    if (pthread_mutex_init(&srv->pool_lock, NULL) != 0)
        goto out;
    if (pthread_cond_init(&srv->pool_cond, NULL) != 0) {
        pthread_mutex_destroy(&srv->pool_lock);
        goto out;
    }
    srv->is_pool_init = 1;
    if (pthread_mutex_init(&srv->conn_lock, NULL) != 0)
        goto out;
    if (pthread_cond_init(&srv->reap_cond, NULL) != 0) {
        pthread_mutex_destroy(&srv->conn_lock);
        goto out;
    }
    srv->is_conn_init = 1;

    /* Options that are only passed when set; the rest are in the call below. */
    if (cfg->threads > 1)
        opts[n_opts++] =
            (struct MHD_OptionItem){MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)cfg->threads, NULL};
    if (cfg->connection_limit > 0)
        opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT,
                                                 (intptr_t)cfg->connection_limit, NULL};
    if (cfg->connection_limit_per_ip > 0)
        opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                                                 (intptr_t)cfg->connection_limit_per_ip, NULL};
    if (srv->request_timeout_ms > 0)
        opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_CONNECTION,
                                                 (intptr_t)http_notify_connection, srv};
    opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT,
                                             (intptr_t)cfg->connection_timeout_s, NULL};
    opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                                             (intptr_t)HTTP_CONN_MEMORY, NULL};
    opts[n_opts++] =
        (struct MHD_OptionItem){MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)http_unescape, NULL};
    if (cfg->tls_cert_pem != NULL) {
        srv->tls_cert = xstrdup(cfg->tls_cert_pem);
        srv->tls_key = xstrdup(cfg->tls_key_pem);
        opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, srv->tls_cert};
        opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, srv->tls_key};
    }
    opts[n_opts++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};

    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (cfg->tls_cert_pem != NULL)
        flags |= MHD_USE_TLS;
    srv->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, http_access, srv,
        /* the logger first, or libmicrohttpd prints its own complaints about the rest */
        MHD_OPTION_EXTERNAL_LOGGER, http_mhd_log, NULL, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv, MHD_OPTION_ARRAY,
        opts, MHD_OPTION_END);
    if (srv->daemon == NULL) {
        log_error("http", "cannot listen on %s port %d",
                  cfg->listen_host ? cfg->listen_host : "127.0.0.1", cfg->port);
        r = ERR_IO;
        goto out;
    }
    if (srv->request_timeout_ms > 0) {
        if (pthread_create(&srv->reaper, NULL, http_reaper, srv) != 0) {
            log_error("http", "cannot start the request deadline thread");
            MHD_stop_daemon(srv->daemon);
            r = ERR_INTERNAL;
            goto out;
        }
        srv->is_reaper_running = 1;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
    srv->port = di ? (int)di->port : cfg->port;
    log_info("http", "listening on %s port %d threads=%d tls=%s",
             cfg->listen_host ? cfg->listen_host : "127.0.0.1", srv->port, cfg->threads,
             srv->tls_cert ? "yes" : "no");
    *out = srv;
    srv = NULL;
    r = 0;
out:
    http_server_free(srv);
    return r;
}

int http_server_has_tls(void)
{
    return MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;
}

int http_server_port(const struct http_server *srv)
{
    return srv->port;
}

void http_server_stop(struct http_server *srv)
{
    struct timespec pause = {0, 10L * 1000 * 1000};

    if (srv == NULL)
        return;
    MHD_socket lfd = MHD_quiesce_daemon(srv->daemon);
    for (int waited = 0; atomic_load(&srv->in_flight) > 0 && waited < HTTP_DRAIN_MS; waited += 10)
        nanosleep(&pause, NULL);
    if (atomic_load(&srv->in_flight) > 0)
        log_warn("http", "stopping with %d requests in flight", atomic_load(&srv->in_flight));
    /* Stopping the daemon with a suspended connection is undefined in libmicrohttpd: wait until
     * every deferred request was resumed and answered (the writer finishes every job it took;
     * cli_serve stops it after the server). */
    if (atomic_load(&srv->deferred) > 0)
        log_warn("http", "waiting for %d deferred requests", atomic_load(&srv->deferred));
    while (atomic_load(&srv->deferred) > 0)
        nanosleep(&pause, NULL);
    MHD_stop_daemon(srv->daemon);
    if (srv->is_reaper_running) {
        pthread_mutex_lock(&srv->conn_lock);
        srv->is_reap_stop = 1;
        pthread_cond_signal(&srv->reap_cond);
        pthread_mutex_unlock(&srv->conn_lock);
        pthread_join(srv->reaper, NULL);
    }
    /* After quiescing, the listening socket is ours to close (and only after the stop). */
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    http_server_free(srv);
}
