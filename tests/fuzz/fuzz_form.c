/*
 * fuzz_form.c - the form parsers (base/form.h). The input's first line is the Content-Type
 * header, the rest the body, so one corpus covers urlencoded and multipart bodies. Neither
 * parser may crash, leak or read out of bounds; a urlencoded form it accepts, encoded again,
 * must parse to the same fields; every field kept has a non-empty value and a text value has
 * no NUL byte.
 */
#include "base/buf.h"
#include "base/form.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void encode(struct buf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '.')
            buf_append(b, &s[i], 1);
        else
            buf_printf(b, "%%%02X", c);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    char ctype[256];
    struct form f = {NULL, 0}, again = {NULL, 0};
    struct form_limits lim = {64, 64, 4096, 65536};
    size_t clen, off;

    if (size > 1 << 20)
        return 0;
    clen = nl ? (size_t)(nl - text) : 0;
    off = nl ? clen + 1 : 0;
    if (clen >= sizeof(ctype))
        clen = sizeof(ctype) - 1;
    memcpy(ctype, text, clen);
    ctype[clen] = '\0';

    if (form_parse_body(ctype, text + off, size - off, &lim, &f, NULL) == 0) {
        for (size_t i = 0; i < f.len; i++) {
            char code[64];
            int is_list;
            if (f.fields[i].value_len == 0 || f.fields[i].name[0] == '\0')
                abort();
            if (f.fields[i].filename == NULL && strlen(f.fields[i].value) != f.fields[i].value_len)
                abort();
            form_attribute_name(f.fields[i].name, code, sizeof(code), &is_list);
        }
        if (strstr(ctype, "urlencoded") != NULL) {
            struct buf b;
            buf_init(&b, (size_t)8 << 20);
            for (size_t i = 0; i < f.len; i++) {
                if (i)
                    buf_append(&b, "&", 1);
                encode(&b, f.fields[i].name, strlen(f.fields[i].name));
                buf_append(&b, "=", 1);
                encode(&b, f.fields[i].value, f.fields[i].value_len);
            }
            if (form_parse_urlencoded(b.data ? b.data : "", b.len, &lim, &again, NULL) != 0 ||
                again.len != f.len)
                abort();
            for (size_t i = 0; i < f.len; i++)
                if (strcmp(again.fields[i].name, f.fields[i].name) != 0 ||
                    strcmp(again.fields[i].value, f.fields[i].value) != 0)
                    abort();
            buf_cleanup(&b);
        }
    }
    form_cleanup(&f);
    form_cleanup(&again);
    return 0;
}
