/*
 * buf.c - capped growable buffer (see buf.h).
 */
#include "base/buf.h"

#include "base/error.h"
#include "base/xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_cleanup(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

static void buf_reserve(struct buf *b, size_t need)
{
    size_t cap = b->cap ? b->cap : 64;
    if (need + 1 <= b->cap)
        return;
    while (cap < need + 1)
        cap *= 2;
    /* Never hold more than max + 1 bytes: doubling past the cap would let a buffer near its
     * limit take up to twice the memory it may ever use. */
    if (b->max < SIZE_MAX && cap > b->max + 1 && need + 1 <= b->max + 1)
        cap = b->max + 1;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
}

int buf_append(struct buf *b, const void *data, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return ERR_TOO_LARGE;
    buf_reserve(b, b->len + n);
    if (n > 0)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int buf_append_str(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return ERR_INTERNAL;
    if ((size_t)n < sizeof(small))
        return buf_append(b, small, (size_t)n);
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    int r = buf_append(b, big, (size_t)n);
    free(big);
    return r;
}

char *buf_take(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}
