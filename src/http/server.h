/*
 * server.h - the HTTP server: libmicrohttpd (thread pool + epoll) in front of the API routes
 * and the static files of the web interface.
 *
 * The server owns nothing of the application: it borrows an array of service contexts, one per
 * worker thread, and lends one to each request for the duration of its handler (a context
 * holds a store connection and a geometry index, which are not thread-safe). Requests are
 * matched against api_routes (src/api/api.h); anything else under /api/ is a JSON 404; other
 * GET paths are static files from web_root.
 */
#ifndef GRIDGOV_HTTP_SERVER_H
#define GRIDGOV_HTTP_SERVER_H

#include <stddef.h>

struct service_ctx;
struct http_server;

struct http_server_config {
    const char *listen_host; /* "127.0.0.1", "0.0.0.0" or "::1" */
    int port;                /* 0 = pick a free port (see http_server_port) */
    int threads;             /* worker threads; also the number of service contexts given */
    size_t body_max;         /* largest request body accepted (413 beyond) */
    size_t upload_max;       /* the same for API_UPLOAD routes */
    unsigned connection_limit;
    unsigned connection_limit_per_ip; /* 0 = no per-address limit */
    unsigned connection_timeout_s;    /* idle connections are dropped after this */
    /* A request (headers and body) must arrive within this many seconds of its first byte
     * (or of the previous response on a kept-alive connection), however steadily it
     * trickles in; the connection is closed otherwise. 0 = no such deadline. */
    unsigned request_timeout_s;
    const char *web_root;    /* directory of the web interface; NULL disables static files */
    struct metrics *metrics; /* request counters (base/metrics.h), borrowed; may be NULL */
    /* Anonymous calls to API_RATE_LIMITED routes, per client address (http/ratelimit.h):
     * tokens a minute (0 = no limit) and bucket size. */
    long ratelimit_per_min;
    long ratelimit_burst;
    /* Native HTTPS (libmicrohttpd with GnuTLS): the certificate chain and private key as PEM
     * text, both NULL for plain HTTP. Copied; the server wipes its copy of the key on stop. */
    const char *tls_cert_pem;
    const char *tls_key_pem;
};

/*
 * Start serving. ctxs holds cfg->threads contexts, borrowed until http_server_stop returns.
 * Errors: ERR_IO when the address cannot be bound (message in the log).
 */
int http_server_start(const struct http_server_config *cfg, struct service_ctx **ctxs,
                      struct http_server **out);
/* 1 if this libmicrohttpd can serve HTTPS. */
int http_server_has_tls(void);
/* The port actually bound. */
int http_server_port(const struct http_server *srv);
/* Stop accepting, finish requests in flight, free the server. NULL is a no-op. */
void http_server_stop(struct http_server *srv);

#endif
