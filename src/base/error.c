/*
 * error.c - lookups over ERR_MAP (see error.h) and the errbuf helpers.
 * Pure functions; thread-safe.
 */
#include "base/error.h"

#include <stdarg.h>
#include <stdio.h>

struct err_row {
    const char *code;
    int status;
    const char *message;
};

static const struct err_row err_rows[ERR_INDEX_COUNT] = {
#define ERR_GEN_ROW(name, code, status, msg) {code, status, msg},
    ERR_MAP(ERR_GEN_ROW)
#undef ERR_GEN_ROW
};

static const struct err_row *err_row_of(int err)
{
    int idx = -err - 1;
    if (err >= 0 || idx >= ERR_INDEX_COUNT)
        return NULL;
    return &err_rows[idx];
}

const char *err_code(int err)
{
    const struct err_row *row = err_row_of(err);
    if (err == 0)
        return "ok";
    return row ? row->code : "internal_error";
}

const char *err_message(int err)
{
    const struct err_row *row = err_row_of(err);
    if (err == 0)
        return "ok";
    return row ? row->message : "internal error";
}

int err_http_status(int err)
{
    const struct err_row *row = err_row_of(err);
    if (err == 0)
        return 200;
    return row ? row->status : 500;
}

int errbuf_set(struct errbuf *eb, int err, const char *fmt, ...)
{
    va_list ap;
    if (eb == NULL || eb->msg[0] != '\0')
        return err;
    va_start(ap, fmt);
    vsnprintf(eb->msg, sizeof(eb->msg), fmt, ap);
    va_end(ap);
    return err;
}

void errbuf_clear(struct errbuf *eb)
{
    if (eb != NULL)
        eb->msg[0] = '\0';
}

const char *errbuf_message(const struct errbuf *eb, int err)
{
    if (eb != NULL && eb->msg[0] != '\0')
        return eb->msg;
    return err_message(err);
}
