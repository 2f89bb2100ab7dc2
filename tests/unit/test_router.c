/*
 * test_router.c - unit tests for src/http/router.c and src/http/static.c: route matching
 * against a local table (parameters, misses, method mismatches, trailing slashes, depth) and
 * static file resolution over a temporary directory (MIME types, the single-page-app
 * fallback, traversal and hidden-file rejection).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "http/router.h"
#include "http/static.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- router ---- */

static int route_dummy(struct api_request *req, struct api_response *resp)
{
    (void)req;
    (void)resp;
    return 0;
}

static const struct api_route test_routes[] = {
    {"GET", "/healthz", route_dummy, API_PUBLIC},
    {"GET", "/api/v1/areas", route_dummy, 0},
    {"POST", "/api/v1/areas", route_dummy, 0},
    {"GET", "/api/v1/areas/search", route_dummy, 0},
    {"GET", "/api/v1/areas/{code}", route_dummy, 0},
    {"DELETE", "/api/v1/areas/{code}", route_dummy, 0},
    {"GET", "/api/v1/areas/{code}/geojson", route_dummy, 0},
    {"PUT", "/api/v1/cases/{id}/notes/{note}", route_dummy, 0},
    {NULL, NULL, NULL, 0},
};

struct match_result {
    const struct api_route *route;
    const char *params[API_MAX_PATH_PARAMS];
    int n_params;
    int is_mismatch;
    char scratch[512];
};

static const struct api_route *match(struct match_result *m, const char *method, const char *path)
{
    assert_true(strlen(path) < sizeof(m->scratch));
    memset(m, 0, sizeof(*m));
    m->n_params = -1;
    m->is_mismatch = -1;
    m->route = router_match(test_routes, method, path, m->scratch, m->params, &m->n_params,
                            &m->is_mismatch);
    return m->route;
}

static void test_router_literal(void **state)
{
    struct match_result m;
    (void)state;

    assert_ptr_equal(match(&m, "GET", "/healthz"), &test_routes[0]);
    assert_int_equal(m.n_params, 0);
    assert_int_equal(m.is_mismatch, 0);
    assert_ptr_equal(match(&m, "GET", "/api/v1/areas"), &test_routes[1]);
    assert_ptr_equal(match(&m, "POST", "/api/v1/areas"), &test_routes[2]);
    /* A literal row listed before a parameter row wins. */
    assert_ptr_equal(match(&m, "GET", "/api/v1/areas/search"), &test_routes[3]);
    assert_int_equal(m.n_params, 0);
}

static void test_router_params(void **state)
{
    struct match_result m;
    (void)state;

    assert_ptr_equal(match(&m, "GET", "/api/v1/areas/110105"), &test_routes[4]);
    assert_int_equal(m.n_params, 1);
    assert_string_equal(m.params[0], "110105");
    assert_true(m.params[0] >= m.scratch && m.params[0] < m.scratch + sizeof(m.scratch));

    assert_ptr_equal(match(&m, "DELETE", "/api/v1/areas/x"), &test_routes[5]);
    assert_string_equal(m.params[0], "x");

    assert_ptr_equal(match(&m, "GET", "/api/v1/areas/110105/geojson"), &test_routes[6]);
    assert_int_equal(m.n_params, 1);
    assert_string_equal(m.params[0], "110105");

    assert_ptr_equal(match(&m, "PUT", "/api/v1/cases/42/notes/7"), &test_routes[7]);
    assert_int_equal(m.n_params, 2);
    assert_string_equal(m.params[0], "42");
    assert_string_equal(m.params[1], "7");

    /* Parameters are whatever the decoded segment holds. */
    assert_ptr_equal(match(&m, "GET", "/api/v1/areas/a b%c"), &test_routes[4]);
    assert_string_equal(m.params[0], "a b%c");
}

static void test_router_head_matches_get(void **state)
{
    struct match_result m;
    (void)state;

    assert_ptr_equal(match(&m, "HEAD", "/api/v1/areas/1"), &test_routes[4]);
    assert_string_equal(m.params[0], "1");
    assert_null(match(&m, "HEAD", "/api/v1/cases/1/notes/2"));
    assert_int_equal(m.is_mismatch, 1);
}

static void test_router_no_match(void **state)
{
    struct match_result m;
    (void)state;
    static const char *const misses[] = {
        "/",
        "",
        "api/v1/areas",
        "/api",
        "/api/v1",
        "/api/v1/area",
        "/api/v1/areasx",
        "/API/v1/areas",
        "/healthz/x",
        "/api/v1/areas/1/geojson/x",
        "/api/v1/cases/42/notes",
        "/api/v1/cases//notes/7",
        "/api//v1/areas",
    };

    for (size_t i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
        assert_null(match(&m, "GET", misses[i]));
        assert_int_equal(m.is_mismatch, 0);
        assert_int_equal(m.n_params, 0);
    }
    /* PUT on a path nothing answers is a 404, not a 405. */
    assert_null(match(&m, "PUT", "/nothing/here"));
    assert_int_equal(m.is_mismatch, 0);
}

static void test_router_method_mismatch(void **state)
{
    struct match_result m;
    (void)state;

    assert_null(match(&m, "DELETE", "/api/v1/areas"));
    assert_int_equal(m.is_mismatch, 1);
    assert_int_equal(m.n_params, 0);
    assert_null(match(&m, "POST", "/api/v1/areas/110105"));
    assert_int_equal(m.is_mismatch, 1);
    assert_null(match(&m, "GET", "/api/v1/cases/1/notes/2"));
    assert_int_equal(m.is_mismatch, 1);
    assert_null(match(&m, "get", "/healthz")); /* methods are case-sensitive */
    assert_int_equal(m.is_mismatch, 1);
}

static void test_router_trailing_slash(void **state)
{
    struct match_result m;
    (void)state;

    assert_null(match(&m, "GET", "/api/v1/areas/"));
    assert_int_equal(m.is_mismatch, 0);
    assert_null(match(&m, "GET", "/healthz/"));
    /* "{code}" needs a non-empty segment. */
    assert_null(match(&m, "GET", "/api/v1/areas//geojson"));
    assert_null(match(&m, "GET", "/api/v1/areas/1/geojson/"));
}

static void test_router_too_many_segments(void **state)
{
    struct match_result m;
    char path[400] = "/api/v1/areas";
    size_t len = strlen(path);
    (void)state;

    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(path + len, sizeof(path) - len, "/x");
    assert_null(match(&m, "GET", path));
    assert_int_equal(m.is_mismatch, 0);
    assert_int_equal(m.n_params, 0);
}

/* ---- static files ---- */

struct web_dir {
    char root[64];
};

static void write_file(const char *root, const char *rel, const char *content)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static void make_dir(const char *root, const char *rel)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    assert_int_equal(mkdir(path, 0700), 0);
}

static int web_setup(void **state)
{
    struct web_dir *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return -1;
    snprintf(w->root, sizeof(w->root), "/tmp/gridgov_test_web_XXXXXX");
    if (mkdtemp(w->root) == NULL) {
        free(w);
        return -1;
    }
    write_file(w->root, "index.html", "<!doctype html>");
    write_file(w->root, "app.js", "export {};");
    make_dir(w->root, "sub");
    write_file(w->root, "sub/x.css", "body{}");
    write_file(w->root, "manifest.webmanifest", "{}");
    write_file(w->root, "logo.SVG", "<svg/>");
    write_file(w->root, "LICENSE", "text");
    make_dir(w->root, ".git");
    write_file(w->root, ".git/config", "[core]");
    write_file(w->root, ".env", "SECRET=1");
    make_dir(w->root, "sub/.hidden");
    write_file(w->root, "sub/.hidden/a.js", "x");
    make_dir(w->root, "dir.js");
    *state = w;
    return 0;
}

static void remove_rel(const char *root, const char *rel, int is_dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    if (is_dir)
        rmdir(path);
    else
        unlink(path);
}

static int web_teardown(void **state)
{
    struct web_dir *w = *state;
    static const char *const files[] = {"index.html",           "app.js",   "sub/x.css",
                                        "manifest.webmanifest", "logo.SVG", "LICENSE",
                                        ".git/config",          ".env",     "sub/.hidden/a.js"};
    static const char *const dirs[] = {"sub/.hidden", "sub", ".git", "dir.js"};

    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
        remove_rel(w->root, files[i], 0);
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
        remove_rel(w->root, dirs[i], 1);
    rmdir(w->root);
    free(w);
    return 0;
}

/* Resolve url and check it maps to root/rel with the given type. */
static void expect_file(const char *root, const char *url, const char *rel, const char *mime)
{
    char out[PATH_MAX];
    char want[PATH_MAX];
    const char *got_mime = NULL;

    size_t root_len = strlen(root);
    snprintf(want, sizeof(want), "%s%s%s", root, root[root_len - 1] == '/' ? "" : "/", rel);
    assert_int_equal(static_resolve(root, url, out, sizeof(out), &got_mime), 0);
    assert_string_equal(out, want);
    assert_non_null(got_mime);
    assert_string_equal(got_mime, mime);
}

static void expect_not_found(const char *root, const char *url)
{
    char out[PATH_MAX];
    const char *mime = "unset";

    if (static_resolve(root, url, out, sizeof(out), &mime) != ERR_NOT_FOUND)
        fail_msg("expected ERR_NOT_FOUND for \"%s\"", url);
    assert_null(mime);
    assert_string_equal(out, "");
}

static void test_static_files(void **state)
{
    struct web_dir *w = *state;
    const char *html = "text/html; charset=utf-8";

    expect_file(w->root, "/index.html", "index.html", html);
    expect_file(w->root, "/app.js", "app.js", "text/javascript; charset=utf-8");
    expect_file(w->root, "/sub/x.css", "sub/x.css", "text/css; charset=utf-8");
    expect_file(w->root, "/manifest.webmanifest", "manifest.webmanifest",
                "application/manifest+json");
    expect_file(w->root, "/logo.SVG", "logo.SVG", "image/svg+xml");
    expect_file(w->root, "/LICENSE", "LICENSE", "application/octet-stream");
    /* Empty segments are harmless and tolerated. */
    expect_file(w->root, "//app.js", "/app.js", "text/javascript; charset=utf-8");
}

static void test_static_root_with_slash(void **state)
{
    struct web_dir *w = *state;
    char root[80];

    snprintf(root, sizeof(root), "%s/", w->root);
    expect_file(root, "/app.js", "app.js", "text/javascript; charset=utf-8");
    expect_file(root, "/", "index.html", "text/html; charset=utf-8");
}

static void test_static_spa_fallback(void **state)
{
    struct web_dir *w = *state;
    const char *html = "text/html; charset=utf-8";

    expect_file(w->root, "/", "index.html", html);
    expect_file(w->root, "/dashboard", "index.html", html);
    expect_file(w->root, "/cases/42", "index.html", html);
    expect_file(w->root, "/sub", "index.html", html); /* a directory is not a file */
    expect_file(w->root, "/sub/", "index.html", html);
}

static void test_static_missing(void **state)
{
    struct web_dir *w = *state;

    expect_not_found(w->root, "/missing.js");
    expect_not_found(w->root, "/sub/missing.css");
    expect_not_found(w->root, "/dir.js"); /* a directory with an extension */
    expect_not_found(w->root, "");
    expect_not_found(w->root, "app.js");
    expect_not_found(NULL, "/app.js");
    expect_not_found("", "/app.js");
    expect_not_found("/nonexistent/gridgov/web", "/");
    expect_not_found("/nonexistent/gridgov/web", "/dashboard");
}

static void test_static_traversal(void **state)
{
    struct web_dir *w = *state;
    static const char *const bad[] = {
        "/..",
        "/../",
        "/../etc/passwd",
        "/../../../../etc/passwd",
        "/sub/../index.html",
        "/sub/../../etc/passwd",
        "/sub/..",
        "/.",
        "/./index.html",
        "/sub/./x.css",
        "/..\\etc\\passwd",
        "/sub\\x.css",
        "\\app.js",
        "/app.js\n",
        "/app\r.js",
        "/\x01",
        "/...",
        "/..%2fetc/passwd", /* not decoded here, but still a dot segment */
    };

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        expect_not_found(w->root, bad[i]);
}

static void test_static_hidden(void **state)
{
    struct web_dir *w = *state;

    expect_not_found(w->root, "/.git/config");
    expect_not_found(w->root, "/.git");
    expect_not_found(w->root, "/.git/");
    expect_not_found(w->root, "/.env");
    expect_not_found(w->root, "/sub/.hidden/a.js");
    expect_not_found(w->root, "/.htaccess");
    expect_not_found(w->root, "/.well-known/x"); /* no dot segments at all, by design */
}

static void test_static_out_too_small(void **state)
{
    struct web_dir *w = *state;
    char out[8];
    const char *mime = NULL;

    assert_int_equal(static_resolve(w->root, "/app.js", out, sizeof(out), &mime), ERR_NOT_FOUND);
    assert_null(mime);
}

static void test_static_mime_types(void **state)
{
    (void)state;
    assert_string_equal(static_mime_type("a.html"), "text/html; charset=utf-8");
    assert_string_equal(static_mime_type("a.js"), "text/javascript; charset=utf-8");
    assert_string_equal(static_mime_type("a.mjs"), "text/javascript; charset=utf-8");
    assert_string_equal(static_mime_type("a.css"), "text/css; charset=utf-8");
    assert_string_equal(static_mime_type("a.json"), "application/json");
    assert_string_equal(static_mime_type("a.png"), "image/png");
    assert_string_equal(static_mime_type("a.svg"), "image/svg+xml");
    assert_string_equal(static_mime_type("favicon.ico"), "image/x-icon");
    assert_string_equal(static_mime_type("app.webmanifest"), "application/manifest+json");
    assert_string_equal(static_mime_type("f.woff2"), "font/woff2");
    assert_string_equal(static_mime_type("robots.txt"), "text/plain; charset=utf-8");
    assert_string_equal(static_mime_type("/x/y.tar.PNG"), "image/png");
    assert_string_equal(static_mime_type("a.exe"), "application/octet-stream");
    assert_string_equal(static_mime_type("Makefile"), "application/octet-stream");
    assert_string_equal(static_mime_type("/dir.d/file"), "application/octet-stream");
    assert_string_equal(static_mime_type(".bashrc"), "application/octet-stream");
    assert_string_equal(static_mime_type("a."), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_router_literal),
        cmocka_unit_test(test_router_params),
        cmocka_unit_test(test_router_head_matches_get),
        cmocka_unit_test(test_router_no_match),
        cmocka_unit_test(test_router_method_mismatch),
        cmocka_unit_test(test_router_trailing_slash),
        cmocka_unit_test(test_router_too_many_segments),
        cmocka_unit_test(test_static_mime_types),
        cmocka_unit_test_setup_teardown(test_static_files, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_static_root_with_slash, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_static_spa_fallback, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_static_missing, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_static_traversal, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_static_hidden, web_setup, web_teardown),
        cmocka_unit_test_setup_teardown(test_static_out_too_small, web_setup, web_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
