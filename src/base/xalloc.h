/*
 * xalloc.h - allocation that aborts on failure.
 *
 * Small allocations in gridgov do not fail gracefully: running out of memory for a few bytes
 * means the process cannot continue, so these log and abort (as tmux's xmalloc does). Sizes a
 * client controls are capped before they reach here (see buf.h).
 */
#ifndef GRIDGOV_BASE_XALLOC_H
#define GRIDGOV_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Growable array helper: ptr resized to nmemb * size, aborting on overflow. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string the caller frees. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
