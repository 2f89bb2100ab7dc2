/*
 * static.h - serving the web interface's files from a directory.
 * Pure path logic plus a stat(); thread-safe.
 */
#ifndef GRIDGOV_HTTP_STATIC_H
#define GRIDGOV_HTTP_STATIC_H

#include <stddef.h>

/*
 * Resolve a URL path (already percent-decoded) to a regular file under root. "/" and paths
 * without an extension that do not exist resolve to root/index.html (the single-page app).
 * Rejects any path with a ".." segment, a NUL, a backslash or a hidden (dot) segment:
 * ERR_NOT_FOUND. out receives the file path (out_size bytes), mime the content type.
 */
int static_resolve(const char *root, const char *url_path, char *out, size_t out_size,
                   const char **mime);
/* Content type for a file name by its extension ("application/octet-stream" if unknown). */
const char *static_mime_type(const char *filename);

#endif
