/*
 * buf.h - a growable byte buffer with a hard cap.
 *
 * Every buffer filled from outside (request bodies, file lines) is created with the most it may
 * ever hold; an append past the cap fails with ERR_TOO_LARGE and leaves the buffer unchanged, so
 * a client cannot make the server allocate without bound (curl's dynbuf works the same way).
 * The data is always NUL-terminated for convenience; len does not count the NUL.
 */
#ifndef GRIDGOV_BASE_BUF_H
#define GRIDGOV_BASE_BUF_H

#include <stddef.h>

struct buf {
    char *data; /* owned; NULL until the first append */
    size_t len;
    size_t cap;
    size_t max; /* hard limit on len */
};

/* Initialise an empty buffer that will refuse to grow beyond max bytes. */
void buf_init(struct buf *b, size_t max);
/* Free the storage; the buffer is empty and reusable afterwards. */
void buf_cleanup(struct buf *b);
/* Append n bytes; ERR_TOO_LARGE when len + n would exceed max. */
int buf_append(struct buf *b, const void *data, size_t n);
/* Append a NUL-terminated string. */
int buf_append_str(struct buf *b, const char *s);
/* Append formatted text. */
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Give the data to the caller (who frees it) and reset the buffer; "" if empty. */
char *buf_take(struct buf *b);
/* Forget the contents, keep the storage. */
void buf_reset(struct buf *b);

#endif
