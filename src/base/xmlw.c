/*
 * xmlw.c - the XML writer (see xmlw.h).
 */
#include "base/xmlw.h"

#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void put(struct xmlw *w, const char *s, size_t n)
{
    if (w->err == 0 && n > 0)
        w->err = buf_append(w->out, s, n);
}

static void puts_(struct xmlw *w, const char *s)
{
    put(w, s, strlen(s));
}

void xmlw_init(struct xmlw *w, struct buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    puts_(w, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
}

void xmlw_open(struct xmlw *w, const char *name)
{
    if (w->depth >= XMLW_MAX_DEPTH) {
        if (w->err == 0)
            w->err = ERR_INTERNAL;
        return;
    }
    w->open[w->depth++] = name;
    puts_(w, "<");
    puts_(w, name);
    puts_(w, ">");
}

void xmlw_close(struct xmlw *w)
{
    if (w->depth == 0) {
        if (w->err == 0)
            w->err = ERR_INTERNAL;
        return;
    }
    const char *name = w->open[--w->depth];
    puts_(w, "</");
    puts_(w, name);
    puts_(w, ">");
    if (w->depth == 0)
        puts_(w, "\n");
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    size_t extra;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        extra = 1;
        cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        extra = 2;
        cp = s[0] & 0x0fu;
    } else if ((s[0] & 0xf8) == 0xf0) {
        extra = 3;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n <= extra)
        return 0;
    for (size_t k = 1; k <= extra; k++) {
        if ((s[k] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3fu);
    }
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
        (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff) ||
        cp == 0xfffe || cp == 0xffff)
        return 0;
    return extra + 1;
}

void xmlw_text(struct xmlw *w, const char *text, size_t len)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, run = 0; /* bytes from run_start that need no escaping */
    size_t run_start = 0;
    while (i < len) {
        const char *rep = NULL;
        size_t n = 1;
        unsigned char c = s[i];
        if (c == '&')
            rep = "&amp;";
        else if (c == '<')
            rep = "&lt;";
        else if (c == '>')
            rep = "&gt;";
        else if (c == '"')
            rep = "&quot;";
        else if (c == '\'')
            rep = "&apos;";
        else if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
            rep = "\xef\xbf\xbd";
        else if (c >= 0x80 && (n = utf8_seq(s + i, len - i)) == 0) {
            rep = "\xef\xbf\xbd";
            n = 1;
        } else if (c == '\r') {
            rep = "&#13;"; /* a bare CR would be normalised away by the reader */
        }
        if (rep == NULL) {
            run += n;
            i += n;
            continue;
        }
        put(w, text + run_start, run);
        puts_(w, rep);
        i += n;
        run_start = i;
        run = 0;
    }
    put(w, text + run_start, run);
}

void xmlw_element(struct xmlw *w, const char *name, const char *text)
{
    if (text == NULL || text[0] == '\0') {
        puts_(w, "<");
        puts_(w, name);
        puts_(w, "/>");
        return;
    }
    puts_(w, "<");
    puts_(w, name);
    puts_(w, ">");
    xmlw_text(w, text, strlen(text));
    puts_(w, "</");
    puts_(w, name);
    puts_(w, ">");
}

void xmlw_elementf(struct xmlw *w, const char *name, const char *fmt, ...)
{
    char text[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(text)) {
        if (w->err == 0)
            w->err = ERR_INTERNAL;
        return;
    }
    xmlw_element(w, name, text);
}

int xmlw_finish(struct xmlw *w)
{
    if (w->err != 0)
        return w->err;
    return w->depth == 0 ? 0 : ERR_INTERNAL;
}
