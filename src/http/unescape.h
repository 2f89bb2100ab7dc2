/*
 * unescape.h - percent-decoding of request paths, query keys and values, as the HTTP server
 * hands them to libmicrohttpd (MHD_OPTION_UNESCAPE_CALLBACK). Pure; thread-safe.
 */
#ifndef GRIDGOV_HTTP_UNESCAPE_H
#define GRIDGOV_HTTP_UNESCAPE_H

#include <stddef.h>

/*
 * Decode "%XY" (two hex digits) in the NUL-terminated string s, in place, and return the new
 * length. "+" is left alone (libmicrohttpd decodes it in query strings before this), as is
 * any "%" not followed by two hex digits, and "%00": decoded, a NUL would silently cut the C
 * string short (GET /api/v1/cases/12%00junk would read case 12). So the result never holds a
 * NUL byte before its end, and is never longer than s.
 */
size_t http_unescape_inplace(char *s);

#endif
