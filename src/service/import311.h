/*
 * import311.h - loading other cities' 311 exports as historical cases (`gridgov import
 * open311`): the GeoReport bulk CSV layout and the Boston and San Francisco layouts are built
 * in; any other CSV layout is described by a mapping file. GeoReport v2 responses (what GET
 * requests.json / requests.xml answer: a service_requests document, base/georeport.h) are read
 * as well, JSON with jansson and XML with libxml2: a closed request closes at its
 * updated_datetime, service_code counts as the group, times without a zone are read in UTC
 * (or --zone), a status in other letter cases is normalised, numbers written as strings are
 * read, unknown fields are ignored; each is warned about naming the record number. The format
 * is detected from the content ('<' XML, '[' or '{' JSON, else CSV) unless given.
 *
 * Every row becomes a case through the case service (cases_report at its original open time,
 * so it has its number, deadlines, its first event and hash chain), reported by the importer
 * (an admin acting on the whole tree, channel from the row's source). A row closed in the
 * source is then answered and closed at its original close time (two more events, outcome
 * from the status notes: duplicate and transferred cases close not_resolved, others
 * resolved). The original service name, source id, source, agency, group and status notes are
 * kept beside the case in open311_requests (service_name, attributes), so a backtest can group
 * by the source's own services. The notices these reports and actions queue are marked delivered
 * (history must not reach webhooks). A row is identified by its layout and source id: importing a
 * file again skips the rows already in (counted as duplicates).
 *
 * Sloppy input is normalised with a warning, never fatal for the file: times without a zone
 * are read in the layout's zone (US/Eastern for Boston, US/Pacific for San Francisco with US
 * daylight saving, UTC otherwise, or --zone), "MM/DD/YYYY hh:mm:ss AM" and "YYYY-MM-DD hh:mm"
 * forms are accepted, a status in any case or a synonym is mapped to open/closed (or inferred
 * from the close time), a close before the open is moved to the open, over-long or non-UTF-8
 * text is cut or replaced. A row that cannot be a case (no open time, no place in the area
 * tree and no fallback area) is skipped with a warning naming its line.
 *
 * Mapping file (CSV, header "kind,from,to"):
 *   service,<the source's service name>,<category code>   e.g. service,Street Light Outages,0204
 *   group,<the source's service group>,<category code>     used when the service is not mapped
 *   column,<role>,<the source's column header>             a column map for other layouts;
 *       roles: id opened closed updated expected status notes service group description
 *              agency address lat long source media
 * Names match without regard to letter case. Unmapped services go to the default category
 * (99 "Other" unless --default-category), and the most frequent unmapped names are reported.
 */
#ifndef GRIDGOV_SERVICE_IMPORT311_H
#define GRIDGOV_SERVICE_IMPORT311_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;
struct import311_mapping;

/* Parse a mapping file (format above). Caller frees *out. ERR_INVALID naming the line. */
int import311_mapping_parse(const char *text, size_t len, struct import311_mapping **out,
                            struct errbuf *eb);
void import311_mapping_free(struct import311_mapping *m);

enum import311_format { IMPORT311_AUTO, IMPORT311_CSV, IMPORT311_JSON, IMPORT311_XML };

struct import311_options {
    const struct import311_mapping *mapping; /* may be NULL */
    const char *default_category;            /* NULL: "99" */
    const char *fallback_area;               /* area for rows that locate nowhere; NULL: skip */
    const char *zone; /* NULL: the layout's; "UTC", "+HH:MM", "US/Eastern", "US/Pacific" */
    enum import311_format format; /* IMPORT311_AUTO (0): from the content */
};

#define IMPORT311_TOP_UNMAPPED 10

struct import311_stats {
    int64_t rows, imported, closed, duplicates, skipped, warnings;
    int64_t unmapped; /* rows that went to the default category */
    char layout[16];  /* "boston", "sf", "bulk", "mapped", "georeport-json", "georeport-xml" */
    struct {
        char name[97];
        int64_t count;
    } top_unmapped[IMPORT311_TOP_UNMAPPED];
};

/* Called for each warning: line 0 is about the whole file, or about a record of a GeoReport
 * document (the message then begins "record N: " or "record N (line L): "). */
typedef void (*import311_warn_fn)(void *ctx, size_t line, const char *message);

/*
 * Import one file (text of len bytes, named name in warnings) into ctx's store, in one
 * transaction (all rows or, on a storage error, none). stats accumulate (zero them before the
 * first file). ERR_INVALID when the layout is not recognised and the mapping has no column map,
 * or an option is bad; ERR_NOT_FOUND for an unknown fallback area or default category.
 */
int import311_file(struct service_ctx *ctx, const char *name, const char *text, size_t len,
                   const struct import311_options *opt, struct import311_stats *stats,
                   import311_warn_fn warn, void *warn_ctx, struct errbuf *eb);

/* Exposed for tests: read a sloppy time in zone ("UTC", "+HH:MM", "US/Eastern", "US/Pacific")
 * into ms since the epoch. 1 when text is empty or "NA"/"null" (absent), 0 read, ERR_INVALID
 * unreadable. */
int import311_parse_time(const char *text, const char *zone, int64_t *out);

#endif
