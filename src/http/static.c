/*
 * static.c - mapping URL paths to the web interface's files (see static.h).
 *
 * The only defence against path traversal is here, so it is deliberately blunt: a path is
 * refused outright (ERR_NOT_FOUND, indistinguishable from a missing file) if it has a ".."
 * or "." segment, any segment starting with a dot (".git", ".env"), a backslash, or a
 * control character; nothing is normalised or repaired. Only regular files are served.
 * Symbolic links inside the root are followed (stat, not lstat): the root is the operator's
 * directory, and a link in it is the operator's decision.
 *
 * The web interface is a single-page app, so a path that names no file and has no extension
 * ("/dashboard", "/cases/42") resolves to root/index.html and the client-side router takes it
 * from there; a missing path with an extension ("/missing.js") stays a 404 so a broken asset
 * reference fails loudly instead of loading HTML as a script.
 *
 * Pure path logic plus stat(); thread-safe. Called by the HTTP server (server.c).
 */
#include "http/static.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

struct static_mime {
    const char *ext;
    const char *type;
};

static const struct static_mime static_mimes[] = {
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"svg", "image/svg+xml"},
    {"ico", "image/x-icon"},
    {"woff2", "font/woff2"},
    {"woff", "font/woff"},
};

const char *static_mime_type(const char *filename)
{
    const char *base = strrchr(filename, '/');
    base = base ? base + 1 : filename;
    const char *dot = strrchr(base, '.');
    if (dot == NULL || dot == base)
        return "application/octet-stream";
    for (size_t i = 0; i < sizeof(static_mimes) / sizeof(static_mimes[0]); i++) {
        if (strcasecmp(dot + 1, static_mimes[i].ext) == 0)
            return static_mimes[i].type;
    }
    return "application/octet-stream";
}

/*
 * Check every segment of url_path (which starts with '/'). Returns 0 when safe; sets
 * *has_ext when the last segment has an extension.
 */
static int static_check_path(const char *url_path, int *has_ext)
{
    const char *seg = url_path + 1;

    *has_ext = 0;
    for (const char *p = url_path; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 || c == 0x7f || c == '\\')
            return ERR_NOT_FOUND;
    }
    for (;;) {
        /* A segment starting with '.' covers ".", ".." and hidden files alike. */
        if (seg[0] == '.')
            return ERR_NOT_FOUND;
        const char *slash = strchr(seg, '/');
        if (slash == NULL)
            break;
        seg = slash + 1;
    }
    *has_ext = strchr(seg, '.') != NULL;
    return 0;
}

/* Join root and rel into out; 0 if it fits and names a regular file. */
static int static_regular_file(const char *root, const char *rel, char *out, size_t out_size)
{
    struct stat st;
    int n = snprintf(out, out_size, "%s%s", root, rel);
    if (n < 0 || (size_t)n >= out_size)
        return ERR_NOT_FOUND;
    if (stat(out, &st) != 0 || !S_ISREG(st.st_mode))
        return ERR_NOT_FOUND;
    return 0;
}

int static_resolve(const char *root, const char *url_path, char *out, size_t out_size,
                   const char **mime)
{
    int has_ext = 0;
    int r;

    *mime = NULL;
    if (out_size > 0)
        out[0] = '\0';
    if (root == NULL || root[0] == '\0' || url_path == NULL || url_path[0] != '/')
        return ERR_NOT_FOUND;
    if ((r = static_check_path(url_path, &has_ext)) != 0)
        return r;
    /* root "web/" and path "/app.js" must not give "web//app.js"; harmless, but untidy. */
    size_t root_len = strlen(root);
    const char *rel = url_path;
    if (root[root_len - 1] == '/')
        rel++;
    if (strcmp(url_path, "/") != 0 && static_regular_file(root, rel, out, out_size) == 0) {
        *mime = static_mime_type(out);
        return 0;
    }
    if (has_ext)
        goto not_found;
    if (static_regular_file(root, root[root_len - 1] == '/' ? "index.html" : "/index.html", out,
                            out_size) != 0)
        goto not_found;
    *mime = static_mime_type(out);
    return 0;
not_found:
    if (out_size > 0)
        out[0] = '\0';
    return ERR_NOT_FOUND;
}
