/*
 * csv.h - reading and writing CSV (RFC 4180) for the import and export formats: UTF-8 with an
 * optional byte order mark, LF, CRLF or lone CR line ends, fields quoted with double quotes
 * (a quote inside doubled), spaces around unquoted fields ignored, blank lines skipped. Every
 * record knows the line it starts on, so importers can name the line of a bad row. Bounded:
 * at most CSV_MAX_FIELDS fields of CSV_FIELD_MAX bytes are kept per record. Pure; no I/O.
 */
#ifndef GRIDGOV_BASE_CSV_H
#define GRIDGOV_BASE_CSV_H

#include "base/buf.h"

#include <stddef.h>

/* A reader reads text it does not own. */
#define CSV_MAX_FIELDS      32  /* fields a record may have (csv_reader_init) */
#define CSV_WIDE_MAX_FIELDS 40  /* ... for a wide reader (csv_reader_set_wide: 311 exports) */
#define CSV_FIELD_MAX       256 /* bytes in one field */

struct csv_reader {
    const char *p;
    const char *end;
    size_t line;       /* 1-based line of p */
    int max_fields;    /* more is an error; CSV_MAX_FIELDS unless set wide */
    int is_truncating; /* wide readers: cut over-long fields (rec->is_truncated) */
};

struct csv_record {
    size_t line;  /* line where the record starts */
    int n_fields; /* fields read (at most the reader's max_fields are kept) */
    char field[CSV_WIDE_MAX_FIELDS][CSV_FIELD_MAX + 1]; /* NUL-terminated */
    size_t field_len[CSV_WIDE_MAX_FIELDS];              /* may include NULs */
    int is_truncated; /* a truncating reader cut a field to CSV_FIELD_MAX bytes */
    char error[120];  /* non-empty when the record is malformed; its fields are then unusable */
};

/* Start reading text (len bytes); a UTF-8 byte order mark at the start is skipped. */
void csv_reader_init(struct csv_reader *rd, const char *text, size_t len);
/* Let rd read records of up to max_fields (at most CSV_WIDE_MAX_FIELDS) fields, and with
 * is_truncating cut fields longer than CSV_FIELD_MAX instead of failing the record: for other
 * systems' exports (gridgov import open311), where a long free-text column must not cost the
 * row. */
void csv_reader_set_wide(struct csv_reader *rd, int max_fields, int is_truncating);
/* Read the next record into rec, skipping blank lines: 1 when one was read (check rec->error),
 * 0 at the end of the text. A malformed record is skipped to the end of its line, or to the end
 * of the text for an unterminated quote. */
int csv_read(struct csv_reader *rd, struct csv_record *rec);
/* Append s as one field, quoted when needed, followed by ',' or (is_last) '\n'. ERR_TOO_LARGE. */
int csv_write_field(struct buf *out, const char *s, int is_last);

#endif
