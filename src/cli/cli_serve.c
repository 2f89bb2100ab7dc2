/*
 * cli_serve.c - `gridgov serve`: open one service context per worker thread, start the HTTP
 * server, and wait for SIGINT or SIGTERM to shut down gracefully (requests in flight finish,
 * connections close, the database is closed cleanly).
 *
 * The signals are blocked before any thread starts, so only the main thread receives them,
 * through sigwait; no handler runs in an arbitrary thread.
 */
#include "cli/cli.h"

#include "base/log.h"
#include "api/api.h"
#include "base/metrics.h"
#include "http/server.h"
#include "service/background.h"
#include "service/writer.h"
#include "service/notify.h"
#include "service/context.h"
#include "store/store.h"

#include <errno.h>
#include <sodium.h>
#include <getopt.h>
#include <pthread.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SERVE_MAX_THREADS 256
#define SERVE_PEM_MAX     ((size_t)1024 * 1024)

/* Split "HOST:PORT" or "[V6]:PORT" into host and port. */
static int parse_listen(const char *s, char *host, size_t host_size, int *port)
{
    const char *colon;
    char *end = NULL;
    size_t hlen;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (close == NULL || close[1] != ':')
            return ERR_INVALID;
        hlen = (size_t)(close - s - 1);
        if (hlen == 0 || hlen >= host_size)
            return ERR_INVALID;
        memcpy(host, s + 1, hlen);
        colon = close + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL)
            return ERR_INVALID;
        hlen = (size_t)(colon - s);
        if (hlen == 0 || hlen >= host_size)
            return ERR_INVALID;
        memcpy(host, s, hlen);
    }
    host[hlen] = '\0';
    errno = 0;
    long p = strtol(colon + 1, &end, 10);
    if (errno != 0 || end == colon + 1 || *end != '\0' || p < 0 || p > 65535)
        return ERR_INVALID;
    *port = (int)p;
    return 0;
}

/* web/ next to the running binary, if it exists. */
static void default_web_root(char *out, size_t size)
{
    char exe[PATH_MAX];
    struct stat sb;
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    out[0] = '\0';
    if (n <= 0)
        return;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    if (slash == NULL)
        return;
    *slash = '\0';
    size_t len = strlen(exe);
    if (len + sizeof("/web") > size)
        return;
    memcpy(out, exe, len);
    memcpy(out + len, "/web", sizeof("/web"));
    if (stat(out, &sb) != 0 || !S_ISDIR(sb.st_mode))
        out[0] = '\0';
}

int cli_serve(int argc, char **argv)
{
    static const char usage[] =
        "usage: gridgov serve --db FILE [--listen ADDR:PORT] [--threads N] [--web DIR]\n"
        "                     [--tls-cert FILE --tls-key FILE] [--read-db URL]\n";
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"listen", required_argument, NULL, 'l'},
        {"threads", required_argument, NULL, 't'},  {"web", required_argument, NULL, 'w'},
        {"tls-cert", required_argument, NULL, 'C'}, {"tls-key", required_argument, NULL, 'K'},
        {"read-db", required_argument, NULL, 'R'},  {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctxs[SERVE_MAX_THREADS] = {0};
    struct http_server *srv = NULL;
    struct background *bg = NULL;
    struct writer *writer = NULL;
    struct metrics *metrics = NULL;
    size_t n_routes = 0;
    int is_curl_ready = 0;
    char *tls_cert = NULL, *tls_key = NULL; /* PEM text, owned; the key is wiped */
    struct http_server_config hc;
    char host[128];
    int port = 0, c, r, sig, status = 1;
    sigset_t signals;

    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:l:t:w:", opts, NULL)) != -1) {
        const char *key = c == 'd'   ? "db"
                          : c == 'l' ? "listen"
                          : c == 't' ? "threads"
                          : c == 'w' ? "web_root"
                          : c == 'C' ? "tls_cert"
                          : c == 'K' ? "tls_key"
                          : c == 'R' ? "read_db"
                                     : NULL;
        if (key == NULL) {
            fputs(usage, stderr);
            return 2;
        }
        if (config_set(&cfg, key, optarg, &eb) != 0)
            return cli_fail("serve", ERR_INVALID, eb.msg);
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    if (parse_listen(cfg.listen, host, sizeof(host), &port) != 0)
        return cli_fail("serve", ERR_INVALID, "--listen must be ADDR:PORT, e.g. 127.0.0.1:8080");
    if ((cfg.tls_cert[0] == '\0') != (cfg.tls_key[0] == '\0'))
        return cli_fail("serve", ERR_INVALID, "--tls-cert and --tls-key go together");
    if (cfg.tls_cert[0] != '\0') {
        size_t len = 0;
        if (!http_server_has_tls())
            return cli_fail("serve", ERR_INVALID, "this libmicrohttpd has no TLS support");
        if ((r = cli_read_file(cfg.tls_cert, SERVE_PEM_MAX, &tls_cert, &len)) != 0 ||
            strstr(tls_cert, "-----BEGIN CERTIFICATE-----") == NULL) {
            status = cli_fail(cfg.tls_cert, r ? r : ERR_INVALID, "not a readable PEM certificate");
            goto out;
        }
        if ((r = cli_read_file(cfg.tls_key, SERVE_PEM_MAX, &tls_key, &len)) != 0 ||
            strstr(tls_key, "PRIVATE KEY-----") == NULL) {
            status = cli_fail(cfg.tls_key, r ? r : ERR_INVALID, "not a readable PEM private key");
            goto out;
        }
    }
    if (cfg.web_root[0] == '\0')
        default_web_root(cfg.web_root, sizeof(cfg.web_root));
    if (cfg.web_root[0] == '\0')
        log_warn("serve", "no web interface found next to the binary; serving the API only");

    /* Only the main thread takes SIGINT/SIGTERM (see the comment at the top). */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (int i = 0; i < cfg.threads; i++) {
        if ((r = service_ctx_open(&cfg, 0, &ctxs[i], &eb)) != 0) {
            status = cli_fail(cfg.db, r, eb.msg);
            goto out;
        }
    }
    /* Build every worker's point-location index before taking traffic: reports are located
     * on the request's own thread (the writer only writes, service/cases.c), and an index
     * built on first use would stall the first reports each worker takes. */
    for (int i = 0; i < cfg.threads; i++) {
        struct geo_index *ix;
        if ((r = service_ctx_index(ctxs[i], &ix)) != 0) {
            status = cli_fail("area index", r, NULL);
            goto out;
        }
    }

    if (notify_global_init() != 0) {
        status = cli_fail("serve", ERR_INTERNAL, "cannot initialise libcurl");
        goto out;
    }
    is_curl_ready = 1;
    if ((r = writer_start(&cfg, &writer, &eb)) != 0) {
        status = cli_fail("serve", r, eb.msg);
        goto out;
    }
    while (api_routes[n_routes].method != NULL)
        n_routes++;
    metrics = metrics_new(n_routes);
    for (int i = 0; i < cfg.threads; i++) {
        ctxs[i]->writer = writer;
        ctxs[i]->metrics = metrics;
    }
    if ((r = background_start(&cfg, metrics, &bg, &eb)) != 0) {
        status = cli_fail("serve", r, eb.msg);
        goto out;
    }

    memset(&hc, 0, sizeof(hc));
    hc.listen_host = host;
    hc.port = port;
    hc.threads = cfg.threads;
    hc.body_max = (size_t)cfg.body_max;
    hc.upload_max = (size_t)cfg.upload_max;
    hc.connection_limit = (unsigned)cfg.connection_limit;
    hc.connection_limit_per_ip = (unsigned)cfg.connection_limit_per_ip;
    hc.request_timeout_s = (unsigned)cfg.request_timeout_s;
    hc.connection_timeout_s = (unsigned)cfg.connection_timeout_s;
    hc.web_root = cfg.web_root[0] ? cfg.web_root : NULL;
    hc.metrics = metrics;
    hc.ratelimit_per_min = cfg.ratelimit_per_min;
    hc.ratelimit_burst = cfg.ratelimit_burst;
    hc.tls_cert_pem = tls_cert;
    hc.tls_key_pem = tls_key;
    if ((r = http_server_start(&hc, ctxs, &srv)) != 0) {
        status = cli_fail("serve", r, "cannot listen on that address (in use?)");
        goto out;
    }
    if (strchr(host, ':') != NULL)
        printf("gridgov listening on %s://[%s]:%d\n", tls_cert ? "https" : "http", host,
               http_server_port(srv));
    else
        printf("gridgov listening on %s://%s:%d\n", tls_cert ? "https" : "http", host,
               http_server_port(srv));
    fflush(stdout);
    log_info("serve", "db=%s threads=%d web=%s", cfg.db, cfg.threads,
             cfg.web_root[0] ? cfg.web_root : "-");

    while (sigwait(&signals, &sig) != 0)
        ;
    log_info("serve", "signal %d: shutting down", sig);
    http_server_stop(srv);
    srv = NULL;
    status = 0;
out:
    http_server_stop(srv);
    background_stop(bg);
    writer_stop(writer);
    metrics_free(metrics);
    if (is_curl_ready)
        notify_global_cleanup();
    for (int i = 0; i < cfg.threads && i < SERVE_MAX_THREADS; i++)
        service_ctx_free(ctxs[i]);
    if (tls_key != NULL)
        sodium_memzero(tls_key, strlen(tls_key));
    free(tls_key);
    free(tls_cert);
    return status;
}
