/*
 * fuzz_api.c - every route's handler on whatever request comes in: the JSON (and form)
 * request bodies of each resource, path parameters and query strings, through the real route
 * table and the real service and store on a small database made once per process (two
 * districts, one user per role, a case, a household, a person). No input may make a handler
 * crash, leak, or answer 5xx.
 *
 * Input, HTTP-like:
 *   ROLE METHOD PATH[?QUERY]\n        ROLE: a role name (the user of that role) or "-"
 *   Name: value\n ...                  headers, up to an empty line
 *   \n
 *   BODY
 * The path and query are percent-decoded as the server does (http/unescape.h, "+" is a space
 * in the query), routed with router_match; a private route without a user is skipped (the
 * server answers 401 before any handler). FUZZ_API_TRACE=1 prints each answer (corpus work).
 */
#include "api/api.h"
#include "base/config.h"
#include "base/log.h"
#include "base/secret.h"
#include "http/router.h"
#include "http/unescape.h"
#include "service/areas.h"
#include "service/auth.h"
#include "service/context.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_PAIRS 32

struct fake_conn {
    const char *query[MAX_PAIRS][2];
    int n_query;
    const char *header[MAX_PAIRS][2];
    int n_header;
};

static const char *fake_query(void *conn, const char *key)
{
    struct fake_conn *c = conn;
    for (int i = 0; i < c->n_query; i++)
        if (strcmp(c->query[i][0], key) == 0)
            return c->query[i][1];
    return NULL;
}

static const char *fake_header(void *conn, const char *name)
{
    struct fake_conn *c = conn;
    for (int i = 0; i < c->n_header; i++)
        if (strcasecmp(c->header[i][0], name) == 0)
            return c->header[i][1];
    return NULL;
}

static const char *fake_cookie(void *conn, const char *name)
{
    (void)conn;
    (void)name;
    return NULL;
}

/* ---- the fixture: made once, removed at exit ---- */

static const char *const roles[] = {
    "admin",         "leader",     "grid_worker",       "community_staff",
    "station_cadre", "dispatcher", "resident",          "council_member",
    "volunteer",     "mediator",   "department_handler"};
#define N_ROLES (sizeof(roles) / sizeof(roles[0]))

struct fixture {
    char dir[64];
    char db[128];
    struct config cfg;
    struct service_ctx *ctx;
    struct principal principals[N_ROLES];
};

static struct fixture *fx;

/* The area tree: two districts; in 440605 a street, a community and a grid. */
static const struct {
    const char *code, *name;
    double x0, y0, x1, y1;
} areas[] = {
    {"440605", "南海区", 113.0, 23.0, 113.4, 23.2},
    {"440606", "顺德区", 113.5, 23.0, 113.7, 23.2},
    {"440605001", "桂城街道", 113.0, 23.0, 113.2, 23.2},
    {"440605001001", "平洲社区", 113.0, 23.0, 113.1, 23.2},
    {"440605001001001", "第1网格", 113.0, 23.0, 113.1, 23.1},
};

/* The tree as a GeoJSON FeatureCollection (caller frees). */
static char *areas_geojson(void)
{
    size_t cap = 4096, n = 0;
    char *out = malloc(cap);
    n += (size_t)snprintf(out + n, cap - n, "{\"type\":\"FeatureCollection\",\"features\":[");
    for (size_t i = 0; i < sizeof(areas) / sizeof(areas[0]); i++)
        n += (size_t)snprintf(out + n, cap - n,
                              "%s{\"type\":\"Feature\",\"properties\":{\"code\":\"%s\","
                              "\"name\":\"%s\"},\"geometry\":{\"type\":\"Polygon\","
                              "\"coordinates\":[[[%g,%g],[%g,%g],[%g,%g],[%g,%g],[%g,%g]]]}}",
                              i ? "," : "", areas[i].code, areas[i].name, areas[i].x0, areas[i].y0,
                              areas[i].x1, areas[i].y0, areas[i].x1, areas[i].y1, areas[i].x0,
                              areas[i].y1, areas[i].x0, areas[i].y0);
    snprintf(out + n, cap - n, "]}");
    return out;
}

static void fixture_remove(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", ".key"};
    char path[200];
    if (fx == NULL)
        return;
    service_ctx_free(fx->ctx);
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        snprintf(path, sizeof(path), "%s%s", fx->db, suffixes[i]);
        unlink(path);
    }
    rmdir(fx->dir);
    free(fx);
    fx = NULL;
}

static void fail(const char *what, const struct errbuf *eb)
{
    fprintf(stderr, "fuzz_api: fixture: %s: %s\n", what, eb ? eb->msg : "");
    abort();
}

static const char *area_of(const char *role)
{
    if (strcmp(role, "grid_worker") == 0)
        return "440605001001001";
    if (strcmp(role, "community_staff") == 0 || strcmp(role, "resident") == 0 ||
        strcmp(role, "mediator") == 0 || strcmp(role, "council_member") == 0 ||
        strcmp(role, "volunteer") == 0)
        return "440605001001";
    if (strcmp(role, "station_cadre") == 0)
        return "440605001";
    return "440605";
}

static int dispatch(const char *input, size_t len, int must_succeed);

static void fixture_make(void)
{
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct area_import_result *res;
    char key_path[200], *geojson;
    const char *tmp = getenv("TMPDIR");
    fx = calloc(1, sizeof(*fx));
    snprintf(fx->dir, sizeof(fx->dir), "%s/gridgov-fuzz-api-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(fx->dir) == NULL)
        fail("mkdtemp", NULL);
    snprintf(fx->db, sizeof(fx->db), "%s/fuzz.db", fx->dir);
    atexit(fixture_remove);
    log_set_level(LOG_ERROR); /* handlers log refused input as warnings: too many to read */
    if (auth_global_init() != 0)
        fail("auth_global_init", NULL);
    config_defaults(&fx->cfg);
    if (config_set(&fx->cfg, "db", fx->db, &eb) != 0)
        fail("config", &eb);
    snprintf(key_path, sizeof(key_path), "%s.key", fx->db);
    if (secret_key_create(key_path, &eb) != 0)
        fail("key", &eb);
    if (service_ctx_open(&fx->cfg, STORE_CREATE, &fx->ctx, &eb) != 0)
        fail("open", &eb);
    res = calloc(1, sizeof(*res));
    geojson = areas_geojson();
    if (areas_import_geojson(fx->ctx, geojson, strlen(geojson), res, &eb) != 0)
        fail("areas", &eb);
    free(geojson);
    free(res);
    st = fx->ctx->st;
    for (size_t i = 0; i < N_ROLES; i++) {
        struct user_spec spec = {
            roles[i],
            NULL,
            "fuzz-password-1",
            roles[i],
            area_of(roles[i]),
            strcmp(roles[i], "department_handler") == 0 ? "urban_management" : NULL};
        struct user u;
        if (auth_user_add(st, &spec, NULL, &eb) != 0)
            fail("user", &eb);
        if (store_user_get_by_name(st, roles[i], &u) != 0 ||
            auth_principal_from_user(&u, &fx->principals[i]) != 0)
            fail("principal", NULL);
    }
    /* Records for the ids in the corpus: case 1, household 1, person 1. */
    static const char *const setup[] = {
        "grid_worker POST /api/v1/cases\n\n{\"channel\":\"patrol\",\"category\":\"0204\","
        "\"description\":\"路灯不亮\",\"area_code\":\"440605001001001\"}",
        "grid_worker POST /api/v1/households\n\n{\"area_code\":\"440605001001001\","
        "\"household_no\":\"HH-1\",\"kind\":\"户籍家庭\",\"address\":\"桂城街道1号\","
        "\"head_name\":\"陈大文\"}",
        "grid_worker POST "
        "/api/v1/persons\n\n{\"area_code\":\"440605001001001\",\"name\":\"陈大文\","
        "\"sex\":\"M\",\"birth_date\":\"1980-01-01\",\"is_registered\":true,\"household_id\":1,"
        "\"relation\":\"户主\"}",
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++)
        dispatch(setup[i], strlen(setup[i]), 1);
}

/* ---- one request ---- */

/* Split "k=v&k2=v2" (in place) into decoded pairs. */
static void parse_query(char *q, struct fake_conn *c)
{
    char *save = NULL;
    for (char *kv = strtok_r(q, "&", &save); kv && c->n_query < MAX_PAIRS;
         kv = strtok_r(NULL, "&", &save)) {
        char *eq = strchr(kv, '=');
        char *v = eq ? eq + 1 : kv + strlen(kv);
        if (eq)
            *eq = '\0';
        for (char *p = kv; *p; p++)
            if (*p == '+')
                *p = ' ';
        for (char *p = v; *p; p++)
            if (*p == '+')
                *p = ' ';
        http_unescape_inplace(kv);
        http_unescape_inplace(v);
        c->query[c->n_query][0] = kv;
        c->query[c->n_query][1] = v;
        c->n_query++;
    }
}

static int dispatch(const char *input, size_t len, int must_succeed)
{
    char *text = malloc(len + 1), *line, *rest, *role, *method, *target, *q, *scratch = NULL;
    struct fake_conn conn;
    struct api_request req;
    struct api_response resp;
    const struct api_route *rt;
    int is_mismatch = 0, r, status = 0;
    memcpy(text, input, len);
    text[len] = '\0';
    memset(&conn, 0, sizeof(conn));
    memset(&req, 0, sizeof(req));
    api_response_init(&resp);

    /* Request line. */
    line = text;
    rest = strchr(text, '\n');
    if (rest)
        *rest++ = '\0';
    role = strtok_r(line, " ", &q);
    method = role ? strtok_r(NULL, " ", &q) : NULL;
    target = method ? strtok_r(NULL, " ", &q) : NULL;
    if (target == NULL)
        goto out;
    /* Headers up to an empty line; the rest is the body. */
    while (rest && *rest && *rest != '\n' && conn.n_header < MAX_PAIRS) {
        char *next = strchr(rest, '\n'), *colon;
        if (next)
            *next++ = '\0';
        if ((colon = strchr(rest, ':')) != NULL) {
            *colon = '\0';
            conn.header[conn.n_header][0] = rest;
            conn.header[conn.n_header][1] = colon[1] == ' ' ? colon + 2 : colon + 1;
            conn.n_header++;
        }
        rest = next;
    }
    if (rest && *rest == '\n')
        rest++;
    if ((q = strchr(target, '?')) != NULL) {
        *q++ = '\0';
        parse_query(q, &conn);
    }
    http_unescape_inplace(target);

    scratch = malloc(strlen(target) + 1);
    rt = router_match(api_routes, method, target, scratch, req.path_params, &req.n_path_params,
                      &is_mismatch);
    if (rt == NULL)
        goto out;
    for (size_t i = 0; i < N_ROLES; i++)
        if (strcmp(role, roles[i]) == 0)
            req.principal = &fx->principals[i];
    if (req.principal == NULL && !(rt->flags & API_PUBLIC))
        goto out;
    req.method = method;
    req.path = target;
    req.body = rest ? rest : "";
    req.body_len = rest ? (size_t)(text + len - rest) : 0;
    req.remote_addr = "127.0.0.1";
    snprintf(req.request_id, sizeof(req.request_id), "fuzz");
    req.transport = (struct api_transport){&conn, fake_query, fake_header, fake_cookie, NULL, NULL};
    req.svc = fx->ctx;
    r = rt->handler(&req, &resp);
    if (r != 0 && resp.status == 0)
        api_reply_error(&resp, r, NULL);
    status = resp.status;
    if (getenv("FUZZ_API_TRACE")) /* for corpus work: what each input got */
        fprintf(stderr, "fuzz_api: %s %s %s -> %d %.*s\n", role, method, rt->pattern, status,
                (int)(resp.body.len < 160 ? resp.body.len : 160),
                resp.body.data ? resp.body.data : "");
    if (status == 0 || status >= 500 || (must_succeed && (status < 200 || status > 299))) {
        fprintf(stderr, "fuzz_api: %s %s %s answered %d: %.*s\n", role, method, rt->pattern, status,
                (int)(resp.body.len < 400 ? resp.body.len : 400),
                resp.body.data ? resp.body.data : "");
        abort();
    }
out:
    api_response_cleanup(&resp);
    free(scratch);
    free(text);
    return status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (fx == NULL)
        fixture_make();
    if (size > 65536)
        return 0;
    dispatch((const char *)data, size, 0);
    return 0;
}
