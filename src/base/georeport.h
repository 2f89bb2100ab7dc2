/*
 * georeport.h - reading GeoReport v2 service_requests documents (the answer of GET
 * requests.json / requests.xml, as other cities' servers and exports write them) into flat
 * records of text fields, for `gridgov import open311` (service/import311.h). Pure: no I/O, no
 * global state of ours (libxml2 keeps its own; call georeport_init once before threads).
 *
 * Accepted shapes, read leniently because real documents are sloppy:
 *   JSON  [ {request}, ... ]; {"service_requests": [...]} or {"service_requests": {"request":
 *         [...] or {...}}} (XML converted mechanically); {"requests": [...]}; one {request}.
 *   XML   <service_requests><request>...</request>...</service_requests> (root "requests"
 *         too), or one <request> as the root.
 * A GeoReport error answer (errors/error{code, description}) is refused naming its description.
 * Field names match in any letter case; unknown fields are ignored (reported in the record);
 * values are text with blanks trimmed: JSON numbers and booleans written out ("42.35", "true"),
 * null, empty elements and nested objects/elements are "". A value longer than
 * GEOREPORT_VALUE_MAX bytes is cut at a character boundary (is_truncated). Items that are not
 * objects / elements named request are handed over with is_request 0 so the caller can warn.
 *
 * XML safety: the document must be an ASCII-compatible encoding (UTF-8 or a declared 8-bit
 * one; no NUL bytes, so no UTF-16), must not contain a DOCTYPE (so no DTD is parsed and no
 * entity is declared: none can be expanded or loaded), is read with XML_PARSE_NONET and
 * without XML_PARSE_NOENT / DTD loading, streamed one request at a time (xmlTextReader), and
 * both formats are bounded by GEOREPORT_DOC_MAX bytes.
 */
#ifndef GRIDGOV_BASE_GEOREPORT_H
#define GRIDGOV_BASE_GEOREPORT_H

#include "base/error.h"

#include <stddef.h>

#define GEOREPORT_DOC_MAX   ((size_t)64 << 20) /* bytes of one JSON or XML document */
#define GEOREPORT_VALUE_MAX 256                /* bytes kept of one field */

/* X(NAME, "field name in the spec") - the request fields kept. */
#define GEOREPORT_FIELD_MAP(X)                                                                     \
    X(ID, "service_request_id")                                                                    \
    X(STATUS, "status")                                                                            \
    X(STATUS_NOTES, "status_notes")                                                                \
    X(SERVICE_NAME, "service_name")                                                                \
    X(SERVICE_CODE, "service_code")                                                                \
    X(DESCRIPTION, "description")                                                                  \
    X(AGENCY, "agency_responsible")                                                                \
    X(SERVICE_NOTICE, "service_notice")                                                            \
    X(REQUESTED, "requested_datetime")                                                             \
    X(UPDATED, "updated_datetime")                                                                 \
    X(EXPECTED, "expected_datetime")                                                               \
    X(ADDRESS, "address")                                                                          \
    X(ADDRESS_ID, "address_id")                                                                    \
    X(ZIPCODE, "zipcode")                                                                          \
    X(LAT, "lat")                                                                                  \
    X(LONG, "long")                                                                                \
    X(MEDIA_URL, "media_url")                                                                      \
    X(TOKEN, "token")

enum georeport_field {
#define GEOREPORT_GEN_ENUM(name, str) GR_##name,
    GEOREPORT_FIELD_MAP(GEOREPORT_GEN_ENUM)
#undef GEOREPORT_GEN_ENUM
        GR_FIELD_COUNT
};

enum georeport_format { GEOREPORT_CSV, GEOREPORT_JSON, GEOREPORT_XML };

struct georeport_record {
    size_t number;  /* 1-based position of the item in the document */
    size_t line;    /* XML: the line of the item's element; JSON: 0 */
    int is_request; /* 0: the item is not a request (not an object, another element) */
    char field[GR_FIELD_COUNT][GEOREPORT_VALUE_MAX + 1]; /* NUL-terminated, "" when absent */
    int is_truncated;                                    /* a value was cut */
    int n_unknown;                                       /* fields not in the map above */
    char unknown[64]; /* the first unknown field's name (cut), "" if none */
};

/* Called for each item in document order; a non-zero result stops the reading and is returned
 * by georeport_read. The record is valid during the call only. */
typedef int (*georeport_record_fn)(void *arg, const struct georeport_record *rec);

/* The format of text from its first significant byte (after a UTF-8 BOM and blanks): '<' XML,
 * '[' or '{' JSON, anything else CSV. */
enum georeport_format georeport_detect(const char *text, size_t len);

/* The spec's name of a field ("status"). */
const char *georeport_field_name(enum georeport_field f);

/* Initialise libxml2 and silence its generic error output, process-wide (errors reach the
 * caller through georeport_read's errbuf instead). Idempotent; call from the main thread
 * before any reading. */
void georeport_init(void);

/*
 * Read a JSON or XML document (fmt GEOREPORT_JSON or GEOREPORT_XML), calling fn for each
 * item. 0 when the whole document was read; ERR_TOO_LARGE over GEOREPORT_DOC_MAX;
 * ERR_INVALID when it is not well-formed, not a service_requests document, an error answer,
 * or carries a DOCTYPE (eb names the reason and, for XML, the line); or fn's result. Items
 * before a syntax error may already have been handed to fn (XML is streamed).
 */
int georeport_read(const char *text, size_t len, enum georeport_format fmt, georeport_record_fn fn,
                   void *arg, struct errbuf *eb);

#endif
