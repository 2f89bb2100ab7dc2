/*
 * unescape.c - percent-decoding for the HTTP server (see unescape.h). Owns nothing.
 */
#include "http/unescape.h"

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t http_unescape_inplace(char *s)
{
    char *w = s;
    for (const char *r = s; *r != '\0';) {
        int hi = r[0] == '%' ? hex_value(r[1]) : -1;
        int lo = hi >= 0 ? hex_value(r[2]) : -1;
        if (lo >= 0 && (hi | lo) != 0) {
            *w++ = (char)((hi << 4) | lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}
