/*
 * xmlw.h - a small streaming XML writer for the Open311 responses: elements, escaped text,
 * empty elements, nothing else (no attributes, namespaces or mixed content are needed).
 *
 * The writer appends to a caller's struct buf and remembers the open elements, so closing is
 * one call and an unbalanced document is caught at xmlw_finish. Text is escaped (& < > " ')
 * and characters XML 1.0 cannot carry (C0 controls other than tab, LF, CR; invalid UTF-8) are
 * replaced by U+FFFD, so any string a case holds gives a well-formed document. Element names
 * come from the program, never from input. The first error (a full buffer, too deep) sticks
 * and is returned by xmlw_finish; calls after it do nothing. Not thread-safe per writer.
 */
#ifndef GRIDGOV_BASE_XMLW_H
#define GRIDGOV_BASE_XMLW_H

#include "base/buf.h"

#include <stddef.h>

#define XMLW_MAX_DEPTH 16

struct xmlw {
    struct buf *out;                  /* borrowed */
    const char *open[XMLW_MAX_DEPTH]; /* names of the open elements (borrowed, static) */
    int depth;
    int err;
};

/* Start a document on out: writes the <?xml version="1.0" encoding="utf-8"?> declaration. */
void xmlw_init(struct xmlw *w, struct buf *out);
/* <name> ... (name must stay valid until it is closed: use string literals). */
void xmlw_open(struct xmlw *w, const char *name);
/* </name> of the innermost open element. */
void xmlw_close(struct xmlw *w);
/* <name>escaped text</name>, or <name/> when text is NULL or "". */
void xmlw_element(struct xmlw *w, const char *name, const char *text);
/* <name>formatted</name> (the formatted text is escaped too). */
void xmlw_elementf(struct xmlw *w, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append escaped text inside the open element. */
void xmlw_text(struct xmlw *w, const char *text, size_t len);
/* 0 when the document is complete (every element closed) and was written whole; else the
 * first error (ERR_TOO_LARGE from the buffer, ERR_INTERNAL for misuse). */
int xmlw_finish(struct xmlw *w);

#endif
