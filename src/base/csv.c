/*
 * csv.c - the CSV reader and field writer shared by every CSV format (see csv.h).
 */
#include "base/csv.h"

#include "base/error.h"

#include <stdio.h>
#include <string.h>

void csv_reader_init(struct csv_reader *rd, const char *text, size_t len)
{
    rd->p = text;
    rd->end = text + len;
    rd->line = 1;
    rd->max_fields = CSV_MAX_FIELDS;
    rd->is_truncating = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        rd->p += 3;
}

void csv_reader_set_wide(struct csv_reader *rd, int max_fields, int is_truncating)
{
    rd->max_fields = max_fields < 1                     ? 1
                     : max_fields > CSV_WIDE_MAX_FIELDS ? CSV_WIDE_MAX_FIELDS
                                                        : max_fields;
    rd->is_truncating = is_truncating != 0;
}

/* Consume one line end (LF, CRLF or a lone CR) at rd->p, if there is one. */
static int consume_eol(struct csv_reader *rd)
{
    if (rd->p < rd->end && *rd->p == '\r') {
        rd->p++;
        if (rd->p < rd->end && *rd->p == '\n')
            rd->p++;
        rd->line++;
        return 1;
    }
    if (rd->p < rd->end && *rd->p == '\n') {
        rd->p++;
        rd->line++;
        return 1;
    }
    return 0;
}

static void skip_rest_of_line(struct csv_reader *rd)
{
    while (rd->p < rd->end && *rd->p != '\n' && *rd->p != '\r')
        rd->p++;
    consume_eol(rd);
}

static void record_error(struct csv_record *rec, const char *msg)
{
    if (rec->error[0] == '\0')
        snprintf(rec->error, sizeof(rec->error), "%s", msg);
}

static void field_putc(const struct csv_reader *rd, struct csv_record *rec, int idx, char ch)
{
    if (idx >= rd->max_fields)
        return;
    if (rec->field_len[idx] >= CSV_FIELD_MAX && rd->is_truncating) {
        rec->is_truncated = 1;
        return;
    }
    if (rec->field_len[idx] >= CSV_FIELD_MAX) {
        char msg[80];
        snprintf(msg, sizeof(msg), "field %d is longer than %d bytes", idx + 1, CSV_FIELD_MAX);
        record_error(rec, msg);
        return;
    }
    rec->field[idx][rec->field_len[idx]++] = ch;
    rec->field[idx][rec->field_len[idx]] = '\0';
}

static int is_blank(char ch)
{
    return ch == ' ' || ch == '\t';
}

/* Read one field starting at rd->p (leading blanks already skipped); 0, or -1 when the record
 * is broken and the rest of it has been skipped. */
static int read_field(struct csv_reader *rd, struct csv_record *rec, int idx)
{
    if (rd->p < rd->end && *rd->p == '"') {
        rd->p++;
        for (;;) {
            if (rd->p >= rd->end) {
                record_error(rec, "unterminated quoted field");
                return -1;
            }
            char ch = *rd->p++;
            if (ch == '"') {
                if (rd->p < rd->end && *rd->p == '"') {
                    rd->p++;
                    field_putc(rd, rec, idx, '"');
                    continue;
                }
                break;
            }
            if (ch == '\n' || (ch == '\r' && (rd->p >= rd->end || *rd->p != '\n')))
                rd->line++;
            field_putc(rd, rec, idx, ch);
        }
        while (rd->p < rd->end && is_blank(*rd->p))
            rd->p++;
        if (rd->p < rd->end && *rd->p != ',' && *rd->p != '\n' && *rd->p != '\r') {
            record_error(rec, "unexpected text after a closing quote");
            skip_rest_of_line(rd);
            return -1;
        }
        return 0;
    }
    while (rd->p < rd->end && *rd->p != ',' && *rd->p != '\n' && *rd->p != '\r') {
        if (*rd->p == '"') {
            record_error(rec, "quote inside an unquoted field");
            skip_rest_of_line(rd);
            return -1;
        }
        field_putc(rd, rec, idx, *rd->p++);
    }
    if (idx < rd->max_fields) {
        while (rec->field_len[idx] > 0 && is_blank(rec->field[idx][rec->field_len[idx] - 1]))
            rec->field[idx][--rec->field_len[idx]] = '\0';
    }
    return 0;
}

int csv_read(struct csv_reader *rd, struct csv_record *rec)
{
    for (;;) {
        int quoted = 0;
        /* Every field empty, without clearing the whole record (10 KB) for each row. */
        rec->line = 0;
        rec->n_fields = 0;
        rec->is_truncated = 0;
        rec->error[0] = '\0';
        for (int i = 0; i < CSV_WIDE_MAX_FIELDS; i++) {
            rec->field[i][0] = '\0';
            rec->field_len[i] = 0;
        }
        while (consume_eol(rd))
            ;
        if (rd->p >= rd->end)
            return 0;
        rec->line = rd->line;
        for (int idx = 0;; idx++) {
            while (rd->p < rd->end && is_blank(*rd->p))
                rd->p++;
            if (idx == rd->max_fields) {
                char msg[80];
                snprintf(msg, sizeof(msg), "more than %d fields", rd->max_fields);
                record_error(rec, msg);
            }
            quoted |= rd->p < rd->end && *rd->p == '"';
            if (read_field(rd, rec, idx) != 0)
                return 1;
            rec->n_fields = idx + 1 < rd->max_fields ? idx + 1 : rd->max_fields;
            if (rd->p < rd->end && *rd->p == ',') {
                rd->p++;
                continue;
            }
            consume_eol(rd);
            break;
        }
        /* A line of blanks only is a blank line, not a record with one empty field. */
        if (rec->n_fields == 1 && rec->field_len[0] == 0 && !quoted && rec->error[0] == '\0')
            continue;
        return 1;
    }
}

int csv_write_field(struct buf *out, const char *s, int is_last)
{
    size_t len = strlen(s);
    int needs_quotes =
        strpbrk(s, ",\"\r\n") != NULL || (len > 0 && (is_blank(s[0]) || is_blank(s[len - 1])));
    int r = 0;
    if (!needs_quotes) {
        r = buf_append(out, s, len);
    } else {
        r = buf_append(out, "\"", 1);
        for (const char *p = s; r == 0 && *p != '\0'; p++)
            r = *p == '"' ? buf_append(out, "\"\"", 2) : buf_append(out, p, 1);
        if (r == 0)
            r = buf_append(out, "\"", 1);
    }
    if (r == 0)
        r = buf_append(out, is_last ? "\n" : ",", 1);
    return r;
}
