/*
 * import311.c - other cities' 311 exports as historical cases (see import311.h).
 *
 * One pass over the CSV: the header picks the layout (built-in by its column names, or the
 * mapping file's column map), then each row is normalised and reported through the case
 * service inside its own savepoint of the file's transaction, so a row either becomes a whole
 * case (report, and answer + close for a closed row, plus its open311_requests row) or leaves
 * nothing. Called by the CLI only; single-threaded on the caller's context.
 */
#include "service/import311.h"

#include "base/csv.h"
#include "base/georeport.h"
#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/taxonomy.h"
#include "service/areas.h"
#include "service/auth.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/rules.h"
#include "store/store.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_CATEGORY  "99"
#define UNMAPPED_DISTINCT 512 /* distinct unmapped names counted for the report */
#define MAPPING_MAX_ROWS  10000

/* X(NAME, "role") - what a column means to us. */
#define COLUMN_ROLE_MAP(X)                                                                         \
    X(ID, "id")                                                                                    \
    X(OPENED, "opened")                                                                            \
    X(CLOSED, "closed")                                                                            \
    X(UPDATED, "updated")                                                                          \
    X(EXPECTED, "expected")                                                                        \
    X(STATUS, "status")                                                                            \
    X(NOTES, "notes")                                                                              \
    X(SERVICE, "service")                                                                          \
    X(GROUP, "group")                                                                              \
    X(DESCRIPTION, "description")                                                                  \
    X(AGENCY, "agency")                                                                            \
    X(ADDRESS, "address")                                                                          \
    X(LAT, "lat")                                                                                  \
    X(LONG, "long")                                                                                \
    X(SOURCE, "source")                                                                            \
    X(MEDIA, "media")

enum col_role {
#define COLUMN_ROLE_GEN_ENUM(name, str) COL_##name,
    COLUMN_ROLE_MAP(COLUMN_ROLE_GEN_ENUM)
#undef COLUMN_ROLE_GEN_ENUM
        COL_COUNT
};

static const char *const role_names[] = {
#define COLUMN_ROLE_GEN_NAME(name, str) str,
    COLUMN_ROLE_MAP(COLUMN_ROLE_GEN_NAME)
#undef COLUMN_ROLE_GEN_NAME
};

struct layout {
    const char *name;
    const char *zone;
    const char *cols[COL_COUNT]; /* header names; NULL = not in this layout */
    const char *key;             /* prefix of a row's identity; NULL: the name */
};

/* The built-in layouts, recognised by their opened and id columns. */
static const struct layout layouts[] = {
    {"boston",
     "US/Eastern",
     {[COL_ID] = "case_enquiry_id",
      [COL_OPENED] = "open_dt",
      [COL_CLOSED] = "closed_dt",
      [COL_EXPECTED] = "target_dt",
      [COL_STATUS] = "case_status",
      [COL_SERVICE] = "type",
      [COL_GROUP] = "reason",
      [COL_DESCRIPTION] = "case_title",
      [COL_AGENCY] = "department",
      [COL_LAT] = "latitude",
      [COL_LONG] = "longitude",
      [COL_SOURCE] = "source"},
     NULL},
    {"sf",
     "US/Pacific",
     {[COL_ID] = "CaseID",
      [COL_OPENED] = "Opened",
      [COL_CLOSED] = "Closed",
      [COL_UPDATED] = "Updated",
      [COL_STATUS] = "Status",
      [COL_NOTES] = "Status.Notes",
      [COL_AGENCY] = "Responsible.Agency",
      [COL_GROUP] = "Category",
      [COL_SERVICE] = "Request.Type",
      [COL_DESCRIPTION] = "Request.Details",
      [COL_ADDRESS] = "Address",
      [COL_SOURCE] = "Source",
      [COL_MEDIA] = "Media.URL",
      [COL_LAT] = "Lat",
      [COL_LONG] = "Long"},
     NULL},
    {"bulk",
     "UTC",
     {[COL_ID] = "service_request_id",
      [COL_OPENED] = "requested_datetime",
      [COL_UPDATED] = "updated_datetime",
      [COL_CLOSED] = "closed_date",
      [COL_STATUS] = "status_description",
      [COL_NOTES] = "status_notes",
      [COL_SOURCE] = "source",
      [COL_SERVICE] = "service_name",
      [COL_GROUP] = "service_subtype",
      [COL_DESCRIPTION] = "description",
      [COL_AGENCY] = "agency_responsible",
      [COL_ADDRESS] = "address",
      [COL_LAT] = "lat",
      [COL_LONG] = "long"},
     NULL},
};

struct map_row {
    char kind[8]; /* service | group */
    char from[CSV_FIELD_MAX + 1];
    char to[TAXONOMY_CODE_BUF];
};

struct import311_mapping {
    struct map_row *rows; /* owned */
    size_t n;
    char cols[COL_COUNT][CSV_FIELD_MAX + 1]; /* "" = not mapped */
    int has_cols;
};

/* ---- mapping file ------------------------------------------------------------------------ */

void import311_mapping_free(struct import311_mapping *m)
{
    if (m == NULL)
        return;
    free(m->rows);
    free(m);
}

int import311_mapping_parse(const char *text, size_t len, struct import311_mapping **out,
                            struct errbuf *eb)
{
    struct import311_mapping *m = xcalloc(1, sizeof(*m));
    struct csv_record *rec = xmalloc(sizeof(*rec));
    struct csv_reader rd;
    int first = 1, r = 0;

    *out = NULL;
    csv_reader_init(&rd, text, len);
    while (csv_read(&rd, rec)) {
        if (rec->error[0]) {
            r = errbuf_set(eb, ERR_INVALID, "mapping line %zu: %s", rec->line, rec->error);
            goto fail;
        }
        if (first) {
            first = 0;
            if (rec->n_fields != 3 || strcmp(rec->field[0], "kind") != 0 ||
                strcmp(rec->field[1], "from") != 0 || strcmp(rec->field[2], "to") != 0) {
                r = errbuf_set(eb, ERR_INVALID, "mapping line %zu: the header must be kind,from,to",
                               rec->line);
                goto fail;
            }
            continue;
        }
        if (rec->n_fields != 3 || rec->field[1][0] == '\0') {
            r = errbuf_set(eb, ERR_INVALID, "mapping line %zu: want kind,from,to", rec->line);
            goto fail;
        }
        if (strcmp(rec->field[0], "column") == 0) {
            int role = -1;
            for (int i = 0; i < COL_COUNT; i++)
                if (strcmp(rec->field[1], role_names[i]) == 0)
                    role = i;
            if (role < 0 || rec->field[2][0] == '\0') {
                r = errbuf_set(eb, ERR_INVALID, "mapping line %zu: unknown column role '%.32s'",
                               rec->line, rec->field[1]);
                goto fail;
            }
            snprintf(m->cols[role], sizeof(m->cols[role]), "%s", rec->field[2]);
            m->has_cols = 1;
        } else if (strcmp(rec->field[0], "service") == 0 || strcmp(rec->field[0], "group") == 0) {
            if (!taxonomy_code_is_valid(rec->field[2])) {
                r = errbuf_set(eb, ERR_INVALID, "mapping line %zu: '%.16s' is not a category code",
                               rec->line, rec->field[2]);
                goto fail;
            }
            if (m->n >= MAPPING_MAX_ROWS) {
                r = errbuf_set(eb, ERR_TOO_LARGE, "mapping: more than %d rows", MAPPING_MAX_ROWS);
                goto fail;
            }
            m->rows = xreallocarray(m->rows, m->n + 1, sizeof(*m->rows));
            snprintf(m->rows[m->n].kind, sizeof(m->rows[m->n].kind), "%.7s", rec->field[0]);
            snprintf(m->rows[m->n].from, sizeof(m->rows[m->n].from), "%s", rec->field[1]);
            snprintf(m->rows[m->n].to, sizeof(m->rows[m->n].to), "%.8s", rec->field[2]);
            m->n++;
        } else {
            r = errbuf_set(eb, ERR_INVALID,
                           "mapping line %zu: kind must be service, group or column", rec->line);
            goto fail;
        }
    }
    if (first) {
        r = errbuf_set(eb, ERR_INVALID, "mapping: the file is empty");
        goto fail;
    }
    free(rec);
    *out = m;
    return 0;
fail:
    free(rec);
    import311_mapping_free(m);
    return r;
}

static const char *map_lookup(const struct import311_mapping *m, const char *kind, const char *from)
{
    if (m == NULL || from[0] == '\0')
        return NULL;
    for (size_t i = 0; i < m->n; i++)
        if (strcmp(m->rows[i].kind, kind) == 0 && strcasecmp(m->rows[i].from, from) == 0)
            return m->rows[i].to;
    return NULL;
}

/* ---- times ------------------------------------------------------------------------------- */

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Day of month of the n-th Sunday (n >= 1) of month m of year y. */
static int nth_sunday(int y, int m, int n)
{
    int64_t first = days_from_civil(y, m, 1);
    int dow = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday (4) */
    int first_sunday = 1 + (7 - dow) % 7;
    return first_sunday + 7 * (n - 1);
}

/* Whether US daylight saving time is in force at wall-clock time (y, m, d, h): from 02:00 on
 * the start day to 02:00 on the end day (the repeated hour 01:00-02:00 on the end day is read
 * as its first, daylight, occurrence). */
static int us_dst(int y, int m, int d, int h)
{
    int start_m, start_d, end_m, end_d;
    if (y >= 2007) {
        start_m = 3;
        start_d = nth_sunday(y, 3, 2);
        end_m = 11;
        end_d = nth_sunday(y, 11, 1);
    } else {
        start_m = 4;
        start_d = nth_sunday(y, 4, 1);
        end_m = 10;
        end_d = nth_sunday(y, 10, 5) > 31 ? nth_sunday(y, 10, 4) : nth_sunday(y, 10, 5);
    }
    int key = m * 10000 + d * 100 + h;
    return key >= start_m * 10000 + start_d * 100 + 2 && key < end_m * 10000 + end_d * 100 + 2;
}

/* Minutes to add to UTC to get local time in zone at a local time; ERR_INVALID for a bad zone. */
static int zone_offset(const char *zone, int y, int m, int d, int h, int *minutes)
{
    if (zone == NULL || strcmp(zone, "UTC") == 0 || strcmp(zone, "Z") == 0) {
        *minutes = 0;
        return 0;
    }
    if (strcmp(zone, "US/Eastern") == 0 || strcmp(zone, "America/New_York") == 0) {
        *minutes = (-5 + us_dst(y, m, d, h)) * 60;
        return 0;
    }
    if (strcmp(zone, "US/Pacific") == 0 || strcmp(zone, "America/Los_Angeles") == 0) {
        *minutes = (-8 + us_dst(y, m, d, h)) * 60;
        return 0;
    }
    if ((zone[0] == '+' || zone[0] == '-') && strlen(zone) == 6 && zone[3] == ':' &&
        isdigit((unsigned char)zone[1]) && isdigit((unsigned char)zone[2]) &&
        isdigit((unsigned char)zone[4]) && isdigit((unsigned char)zone[5])) {
        int v =
            ((zone[1] - '0') * 10 + (zone[2] - '0')) * 60 + (zone[4] - '0') * 10 + (zone[5] - '0');
        if (v > 14 * 60)
            return ERR_INVALID;
        *minutes = zone[0] == '-' ? -v : v;
        return 0;
    }
    return ERR_INVALID;
}

int import311_parse_time(const char *text, const char *zone, int64_t *out)
{
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, n = 0, offset = 0, has_offset = 0;
    char ampm[3] = "";
    const char *p;
    char canon[32];
    int64_t check;

    while (*text == ' ')
        text++;
    if (text[0] == '\0' || strcasecmp(text, "NA") == 0 || strcasecmp(text, "null") == 0 ||
        strcasecmp(text, "none") == 0)
        return 1;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) == 3 && n == 10) {
        p = text + 10;
        if (*p == 'T' || *p == ' ') {
            int k = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2 || k != 5)
                return ERR_INVALID;
            p += 1 + k;
            if (*p == ':') {
                if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]))
                    return ERR_INVALID;
                s = (p[1] - '0') * 10 + (p[2] - '0');
                p += 3;
                if (*p == '.')
                    for (p++; isdigit((unsigned char)*p); p++)
                        ;
            }
        }
        while (*p == ' ')
            p++;
        if (*p == 'Z' || *p == 'z') {
            has_offset = 1;
            p++;
        } else if ((*p == '+' || *p == '-') && isdigit((unsigned char)p[1]) &&
                   isdigit((unsigned char)p[2])) {
            int oh = (p[1] - '0') * 10 + (p[2] - '0'), om = 0;
            const char *q = p + 3;
            if (*q == ':')
                q++;
            if (isdigit((unsigned char)q[0]) && isdigit((unsigned char)q[1])) {
                om = (q[0] - '0') * 10 + (q[1] - '0');
                q += 2;
            }
            if (oh > 14 || om > 59)
                return ERR_INVALID;
            offset = (oh * 60 + om) * (*p == '-' ? -1 : 1);
            has_offset = 1;
            p = q;
        }
        if (*p != '\0')
            return ERR_INVALID;
    } else if (sscanf(text, "%2d/%2d/%4d%n", &mo, &d, &y, &n) == 3) {
        p = text + n;
        if (*p == ' ') {
            int k = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &k) != 2)
                return ERR_INVALID;
            p += 1 + k;
            if (*p == ':' && isdigit((unsigned char)p[1]) && isdigit((unsigned char)p[2])) {
                s = (p[1] - '0') * 10 + (p[2] - '0');
                p += 3;
            }
            while (*p == ' ')
                p++;
            if (strncasecmp(p, "AM", 2) == 0 || strncasecmp(p, "PM", 2) == 0) {
                ampm[0] = (char)toupper((unsigned char)p[0]);
                ampm[1] = 'M';
                p += 2;
                if (h < 1 || h > 12)
                    return ERR_INVALID;
                if (ampm[0] == 'A' && h == 12)
                    h = 0;
                else if (ampm[0] == 'P' && h != 12)
                    h += 12;
            }
        }
        if (*p != '\0')
            return ERR_INVALID;
    } else {
        return ERR_INVALID;
    }
    if (y < 1970 || y > 2100)
        return ERR_INVALID;
    snprintf(canon, sizeof(canon), "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    if (time_parse_iso(canon, &check) != 0)
        return ERR_INVALID;
    if (!has_offset && zone_offset(zone, y, mo, d, h, &offset) != 0)
        return ERR_INVALID;
    *out = check - (int64_t)offset * 60000;
    return 0;
}

/* ---- rows -------------------------------------------------------------------------------- */

struct run {
    struct service_ctx *ctx;
    const char *name;
    const struct import311_options *opt;
    struct import311_stats *stats;
    import311_warn_fn warn;
    void *warn_ctx;
    const struct layout *layout; /* built-in, or NULL with a mapping's columns */
    const char *zone;
    int idx[COL_COUNT]; /* column index of each role, -1 absent */
    struct principal importer;
    struct {
        char name[97];
        int64_t count;
    } * unmapped;
    size_t n_unmapped;
    int is_doc;        /* reading a GeoReport document: warnings name the record */
    size_t doc_record; /* ... the record's number */
    size_t doc_line;   /* ... and its XML line (0 for JSON) */
};

__attribute__((format(printf, 3, 4))) static void warnf(struct run *run, size_t line,
                                                        const char *fmt, ...)
{
    char msg[300];
    size_t n = 0;
    va_list ap;
    if (run->is_doc) {
        /* Documents have records, not lines: "record 3 (line 41): ..." and no line. */
        if (run->doc_line > 0)
            n = (size_t)snprintf(msg, sizeof(msg), "record %zu (line %zu): ", run->doc_record,
                                 run->doc_line);
        else
            n = (size_t)snprintf(msg, sizeof(msg), "record %zu: ", run->doc_record);
        line = 0;
    }
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof(msg) - n, fmt, ap);
    va_end(ap);
    run->stats->warnings++;
    if (run->warn)
        run->warn(run->warn_ctx, line, msg);
}

/* Text fit for a case: valid UTF-8 (bad bytes become '?'), control characters spaces, no
 * leading or trailing blanks, at most max bytes (cut at a character boundary). */
static void clean_text(const char *in, char *out, size_t max)
{
    const unsigned char *s = (const unsigned char *)in;
    size_t n = 0;
    while (*s == ' ')
        s++;
    while (*s && n < max) {
        size_t len = 1;
        if (*s >= 0x80) {
            len = (*s & 0xe0) == 0xc0 ? 2 : (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;
            if (len == 0 || !utf8_is_clean_text((const char *)s, len)) {
                out[n++] = '?';
                s++;
                continue;
            }
            if (n + len > max)
                break;
            memcpy(out + n, s, len);
            n += len;
            s += len;
            continue;
        }
        out[n++] = (*s < 0x20 && *s != '\n') || *s == 0x7f ? ' ' : (char)*s;
        s++;
    }
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static const char *field(const struct run *run, const struct csv_record *rec, enum col_role r)
{
    int i = run->idx[r];
    if (i < 0 || i >= rec->n_fields)
        return "";
    const char *v = rec->field[i];
    return strcasecmp(v, "NA") == 0 || strcasecmp(v, "null") == 0 ? "" : v;
}

/* Our channel for the source's (Boston "Constituent Call", SF "Voice In", ...). */
static const char *channel_of(const char *source)
{
    char low[CSV_FIELD_MAX + 1];
    size_t i;
    for (i = 0; i < sizeof(low) - 1 && source[i]; i++)
        low[i] = (char)tolower((unsigned char)source[i]);
    low[i] = '\0';
    if (strstr(low, "open311"))
        return "open311";
    if (strstr(low, "call") || strstr(low, "voice") || strstr(low, "phone"))
        return "phone";
    if (strstr(low, "app") || strstr(low, "twitter") || strstr(low, "mobile"))
        return "app";
    if (strstr(low, "web") || strstr(low, "self service") || strstr(low, "internet") ||
        strstr(low, "email") || strstr(low, "e-mail"))
        return "web";
    if (strstr(low, "employee") || strstr(low, "worker") || strstr(low, "internal") ||
        strstr(low, "agency") || strstr(low, "department"))
        return "patrol";
    return "open311";
}

/* open (0) or closed (1) from a status in any spelling; -1 when unknown. */
static int status_closed(const char *status)
{
    static const char *const closed[] = {"closed",   "close", "resolved", "completed",
                                         "complete", "done",  "fixed",    NULL};
    static const char *const open[] = {"open",        "opened",       "new",
                                       "in progress", "in_progress",  "assigned",
                                       "pending",     "acknowledged", NULL};
    for (const char *const *s = closed; *s; s++)
        if (strcasecmp(status, *s) == 0)
            return 1;
    for (const char *const *s = open; *s; s++)
        if (strcasecmp(status, *s) == 0)
            return 0;
    return -1;
}

static void count_unmapped(struct run *run, const char *name)
{
    for (size_t i = 0; i < run->n_unmapped; i++) {
        if (strcmp(run->unmapped[i].name, name) == 0) {
            run->unmapped[i].count++;
            return;
        }
    }
    if (run->n_unmapped >= UNMAPPED_DISTINCT)
        return;
    snprintf(run->unmapped[run->n_unmapped].name, sizeof(run->unmapped[0].name), "%s", name);
    run->unmapped[run->n_unmapped].count = 1;
    run->n_unmapped++;
}

struct row_extra {
    struct open311_request q;
};

static int row_on_insert(void *arg, struct store *st, const struct case_rec *c)
{
    struct row_extra *x = arg;
    x->q.case_id = c->id;
    x->q.created_ms = c->created_ms;
    return store_open311_request_insert(st, &x->q);
}

/* 0 imported, 1 skipped or duplicate (counted), or a storage error that ends the file. */
static int import_row(struct run *run, const struct csv_record *rec)
{
    const struct case_rules *rules;
    struct case_report in;
    struct case_rec c, after;
    struct row_extra x;
    struct errbuf eb = {{0}};
    char desc[CSV_FIELD_MAX * 2 + 1], service[97], address[256], notes[CSV_FIELD_MAX + 1];
    char key[CSV_FIELD_MAX + 64];
    const char *category, *v;
    int64_t opened, closed = 0, updated = 0;
    int is_closed, r;
    unsigned char digest[16];
    json_t *attrs;

    memset(&in, 0, sizeof(in));
    memset(&x, 0, sizeof(x));
    memset(&c, 0, sizeof(c));
    if ((r = rules_get(run->ctx, &rules)) != 0)
        return r;

    /* When. */
    v = field(run, rec, COL_OPENED);
    r = import311_parse_time(v, run->zone, &opened);
    if (r != 0) {
        warnf(run, rec->line, "no readable open time ('%.40s'): row skipped", v);
        run->stats->skipped++;
        return 1;
    }
    v = field(run, rec, COL_CLOSED);
    if ((r = import311_parse_time(v, run->zone, &closed)) < 0) {
        warnf(run, rec->line, "unreadable close time '%.40s' ignored", v);
        closed = 0;
    } else if (r == 1) {
        closed = 0;
    }
    v = field(run, rec, COL_UPDATED);
    if (import311_parse_time(v, run->zone, &updated) != 0)
        updated = 0;
    v = field(run, rec, COL_STATUS);
    is_closed = status_closed(v);
    if (is_closed < 0) {
        if (v[0] != '\0')
            warnf(run, rec->line, "status '%.40s' is neither open nor closed: %s by its close time",
                  v, closed ? "closed" : "open");
        is_closed = closed != 0;
    }
    if (is_closed && closed == 0) {
        closed = updated ? updated : opened;
        warnf(run, rec->line, "closed without a close time: closed at its %s time",
              updated ? "last update" : "open");
    }
    if (is_closed && closed < opened) {
        warnf(run, rec->line, "closed before it was opened: closed at its open time");
        closed = opened;
    }

    /* What. */
    clean_text(field(run, rec, COL_SERVICE), service, sizeof(service) - 1);
    category = map_lookup(run->opt->mapping, "service", service);
    if (category == NULL)
        category = map_lookup(run->opt->mapping, "group", field(run, rec, COL_GROUP));
    if (category == NULL || taxonomy_find(rules->tax, category) == NULL) {
        if (category != NULL)
            warnf(run, rec->line, "mapped category %s does not exist: default used", category);
        category = run->opt->default_category ? run->opt->default_category : DEFAULT_CATEGORY;
        run->stats->unmapped++;
        count_unmapped(run, service[0] ? service : "(no service)");
    }
    clean_text(field(run, rec, COL_DESCRIPTION), desc, CSV_FIELD_MAX);
    if (desc[0] == '\0')
        snprintf(desc, sizeof(desc), "%s", service[0] ? service : "(no description)");
    clean_text(field(run, rec, COL_NOTES), notes, sizeof(notes) - 1);
    clean_text(field(run, rec, COL_ADDRESS), address, sizeof(address) - 1);

    /* Where: the point if it lies in our tree, else the fallback area. */
    {
        const char *lat = field(run, rec, COL_LAT), *lon = field(run, rec, COL_LONG);
        char *e1 = NULL, *e2 = NULL;
        double la = strtod(lat, &e1), lo = strtod(lon, &e2);
        struct area_path path;
        int has_point = lat[0] && lon[0] && *e1 == '\0' && *e2 == '\0' && isfinite(la) &&
                        isfinite(lo) && fabs(la) <= 90 && fabs(lo) <= 180 && (la != 0 || lo != 0);
        if (has_point && areas_locate(run->ctx, lo, la, &path) == 0 &&
            areacode_level(path.items[path.len - 1].code) >= AREA_DISTRICT) {
            in.has_point = 1;
            in.lat = la;
            in.lon = lo;
        } else if (run->opt->fallback_area != NULL) {
            in.area_code = run->opt->fallback_area;
        } else {
            warnf(run, rec->line, "%s: row skipped (give --area for such rows)",
                  has_point ? "the point lies in no district of the area tree" : "no location");
            run->stats->skipped++;
            return 1;
        }
    }

    /* The row's identity makes a re-import skip it: the token of its request row. */
    v = field(run, rec, COL_ID);
    {
        const char *prefix = run->layout == NULL ? "mapped"
                             : run->layout->key  ? run->layout->key
                                                 : run->layout->name;
        if (v[0] != '\0')
            snprintf(key, sizeof(key), "%s|%s", prefix, v);
        else
            snprintf(key, sizeof(key), "%s|%.40s|%zu", prefix, run->name, rec->line);
    }
    crypto_generichash(digest, sizeof(digest), (const unsigned char *)key, strlen(key), NULL, 0);
    x.q.token[0] = 'i';
    sodium_bin2hex(x.q.token + 1, sizeof(x.q.token) - 1, digest, sizeof(digest));
    snprintf(x.q.service_name, sizeof(x.q.service_name), "%s", service);
    v = field(run, rec, COL_MEDIA);
    if ((strncmp(v, "http://", 7) == 0 || strncmp(v, "https://", 8) == 0) && !strpbrk(v, " \"<>"))
        snprintf(x.q.media_url, sizeof(x.q.media_url), "%s", v);
    attrs = json_object();
    {
        static const enum col_role kept[] = {COL_ID,     COL_SOURCE, COL_AGENCY,  COL_GROUP,
                                             COL_STATUS, COL_NOTES,  COL_EXPECTED};
        for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++) {
            char clean[CSV_FIELD_MAX + 1];
            clean_text(field(run, rec, kept[i]), clean, sizeof(clean) - 1);
            if (clean[0])
                json_object_set_new(attrs, role_names[kept[i]], json_string(clean));
        }
        json_object_set_new(attrs, "layout",
                            json_string(run->layout ? run->layout->name : "mapped"));
    }
    x.q.attributes = json_dumps(attrs, JSON_COMPACT);
    json_decref(attrs);

    in.channel = channel_of(field(run, rec, COL_SOURCE));
    in.category = category;
    in.description = desc;
    in.address = address[0] ? address : NULL;
    in.now_ms = opened;
    in.on_insert = row_on_insert;
    in.on_insert_arg = &x;

    if ((r = store_begin(run->ctx->st)) != 0) {
        free(x.q.attributes);
        return r;
    }
    r = cases_report(run->ctx, &run->importer, &in, &c, NULL, &eb);
    free(x.q.attributes);
    if (r == ERR_EXISTS) {
        store_rollback(run->ctx->st);
        run->stats->duplicates++;
        return 1;
    }
    if (r == 0 && is_closed) {
        struct workflow_input act;
        const char *why = notes[0] ? notes : "Closed in the source system.";
        char low[CSV_FIELD_MAX + 1];
        size_t i;
        for (i = 0; i < sizeof(low) - 1 && notes[i]; i++)
            low[i] = (char)tolower((unsigned char)notes[i]);
        low[i] = '\0';
        memset(&act, 0, sizeof(act));
        act.action = CASE_ACTION_ANSWER;
        act.text = why;
        act.now_ms = closed;
        r = cases_act(run->ctx, &run->importer, c.id, &act, &after, &eb);
        if (r == 0) {
            case_rec_cleanup(&after);
            memset(&act, 0, sizeof(act));
            act.action = CASE_ACTION_CLOSE;
            act.now_ms = closed;
            act.outcome = OUTCOME_RESOLVED;
            if (strstr(low, "duplicate")) {
                act.outcome = OUTCOME_NOT_RESOLVED;
                act.outcome_reason = "duplicate";
            } else if (strstr(low, "transfer") || strstr(low, "jurisdiction") ||
                       strstr(low, "not responsib")) {
                act.outcome = OUTCOME_NOT_RESOLVED;
                act.outcome_reason = "outside_jurisdiction";
            }
            r = cases_act(run->ctx, &run->importer, c.id, &act, &after, &eb);
            if (r == 0)
                case_rec_cleanup(&after);
        }
    }
    case_rec_cleanup(&c);
    if (r == ERR_DB || r == ERR_BUSY || r == ERR_IO || r == ERR_INTERNAL) {
        store_rollback(run->ctx->st);
        return r;
    }
    if (r != 0) {
        store_rollback(run->ctx->st);
        warnf(run, rec->line, "row skipped: %s", eb.msg[0] ? eb.msg : err_message(r));
        run->stats->skipped++;
        return 1;
    }
    if ((r = store_commit(run->ctx->st)) != 0)
        return r;
    run->stats->imported++;
    run->stats->closed += is_closed != 0;
    return 0;
}

/* Pick the layout from the header: the mapping's column map, else a built-in one. */
static int choose_layout(struct run *run, const struct csv_record *hdr, struct errbuf *eb)
{
    const struct import311_mapping *m = run->opt->mapping;
    for (int r = 0; r < COL_COUNT; r++)
        run->idx[r] = -1;
    run->layout = NULL;
    if (m != NULL && m->has_cols) {
        for (int r = 0; r < COL_COUNT; r++)
            for (int i = 0; m->cols[r][0] && i < hdr->n_fields; i++)
                if (strcasecmp(hdr->field[i], m->cols[r]) == 0)
                    run->idx[r] = i;
        snprintf(run->stats->layout, sizeof(run->stats->layout), "%s", "mapped");
        run->zone = run->opt->zone ? run->opt->zone : "UTC";
    } else {
        for (size_t l = 0; l < sizeof(layouts) / sizeof(layouts[0]) && !run->layout; l++) {
            int found = 0;
            for (int i = 0; i < hdr->n_fields; i++)
                found += strcasecmp(hdr->field[i], layouts[l].cols[COL_OPENED]) == 0 ||
                         strcasecmp(hdr->field[i], layouts[l].cols[COL_ID]) == 0;
            if (found >= 2)
                run->layout = &layouts[l];
        }
        if (run->layout == NULL)
            return errbuf_set(eb, ERR_INVALID,
                              "%s: the columns are not the Boston, San Francisco or GeoReport "
                              "bulk layout; give a column map in the mapping file",
                              run->name);
        for (int r = 0; r < COL_COUNT; r++)
            for (int i = 0; run->layout->cols[r] && i < hdr->n_fields; i++)
                if (strcasecmp(hdr->field[i], run->layout->cols[r]) == 0)
                    run->idx[r] = i;
        snprintf(run->stats->layout, sizeof(run->stats->layout), "%s", run->layout->name);
        run->zone = run->opt->zone ? run->opt->zone : run->layout->zone;
    }
    if (run->idx[COL_OPENED] < 0)
        return errbuf_set(eb, ERR_INVALID, "%s: no column holds the open time", run->name);
    return 0;
}

/* GeoReport JSON and XML responses (base/georeport.h): each request becomes a record with one
 * field per role. Both formats share the identity key "georeport", so the same requests
 * loaded once as JSON and once as XML are one set of cases. */
static const struct layout json_layout = {"georeport-json", "UTC", {NULL}, "georeport"};
static const struct layout xml_layout = {"georeport-xml", "UTC", {NULL}, "georeport"};

/* A W3C time without "Z" or an offset (the spec requires one); a date alone counts too. */
static int lacks_zone(const char *t)
{
    size_t n = strlen(t);
    const char *clock = strpbrk(t, "T ");
    if (n == 0)
        return 0;
    if (clock == NULL)
        return 1;
    if (t[n - 1] == 'Z' || t[n - 1] == 'z')
        return 0;
    return strpbrk(clock, "+-") == NULL;
}

struct doc_run {
    struct run *run;
    struct csv_record *rec;
    struct errbuf *eb;
    char warned_unknown[8][64]; /* unknown field names already warned about in this file */
    int n_warned_unknown;
};

static void warn_unknown_once(struct doc_run *d, const char *name)
{
    for (int i = 0; i < d->n_warned_unknown; i++)
        if (strcmp(d->warned_unknown[i], name) == 0)
            return;
    if (d->n_warned_unknown >= (int)(sizeof(d->warned_unknown) / sizeof(d->warned_unknown[0])))
        return; /* enough said about this file's fields */
    snprintf(d->warned_unknown[d->n_warned_unknown++], sizeof(d->warned_unknown[0]), "%s", name);
    warnf(d->run, 1, "unknown field '%.63s' ignored", name);
}

/* One item of a GeoReport document: normalise it into a record and import it. */
static int import_doc_record(void *arg, const struct georeport_record *g)
{
    static const struct {
        enum col_role role;
        enum georeport_field field;
    } keys[] = {
        {COL_ID, GR_ID},
        {COL_OPENED, GR_REQUESTED},
        {COL_UPDATED, GR_UPDATED},
        {COL_EXPECTED, GR_EXPECTED},
        {COL_STATUS, GR_STATUS},
        {COL_NOTES, GR_STATUS_NOTES},
        {COL_SERVICE, GR_SERVICE_NAME},
        {COL_GROUP, GR_SERVICE_CODE},
        {COL_DESCRIPTION, GR_DESCRIPTION},
        {COL_AGENCY, GR_AGENCY},
        {COL_ADDRESS, GR_ADDRESS},
        {COL_LAT, GR_LAT},
        {COL_LONG, GR_LONG},
        {COL_MEDIA, GR_MEDIA_URL},
    };
    struct doc_run *d = arg;
    struct run *run = d->run;
    struct csv_record *rec = d->rec;
    const char *status;
    int64_t when;
    int r;

    run->doc_record = g->number;
    run->doc_line = g->line;
    memset(rec, 0, sizeof(*rec));
    rec->line = g->number;
    rec->n_fields = COL_COUNT;
    run->stats->rows++;
    if (!g->is_request) {
        warnf(run, 1, "not a request: skipped");
        run->stats->skipped++;
        return 0;
    }
    for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
        snprintf(rec->field[keys[k].role], sizeof(rec->field[0]), "%s", g->field[keys[k].field]);
        rec->field_len[keys[k].role] = strlen(rec->field[keys[k].role]);
    }
    if (g->n_unknown > 0)
        warn_unknown_once(d, g->unknown);
    if (g->is_truncated)
        warnf(run, 1, "a field longer than %d bytes was cut", GEOREPORT_VALUE_MAX);
    if (rec->field[COL_SERVICE][0] == '\0')
        snprintf(rec->field[COL_SERVICE], sizeof(rec->field[COL_SERVICE]), "%s",
                 rec->field[COL_GROUP]);
    /* The spec's status is "open" or "closed" in lower case; anything else is read as
     * status_closed() does (any case, synonyms) with a warning. */
    status = rec->field[COL_STATUS];
    if (status[0] != '\0' && strcmp(status, "open") != 0 && strcmp(status, "closed") != 0 &&
        status_closed(status) >= 0)
        warnf(run, 1, "status '%.40s' read as %s", status,
              status_closed(status) ? "closed" : "open");
    /* A closed request's updated_datetime is its closing time. */
    if (status_closed(status) == 1)
        memcpy(rec->field[COL_CLOSED], rec->field[COL_UPDATED], sizeof(rec->field[COL_CLOSED]));
    if (lacks_zone(rec->field[COL_OPENED]))
        warnf(run, 1, "time '%.40s' has no time zone: read as %s", rec->field[COL_OPENED],
              run->zone);
    if (lacks_zone(rec->field[COL_UPDATED]) &&
        import311_parse_time(rec->field[COL_UPDATED], "UTC", &when) == 0)
        warnf(run, 1, "time '%.40s' has no time zone: read as %s", rec->field[COL_UPDATED],
              run->zone);
    if ((r = import_row(run, rec)) < 0)
        return errbuf_set(d->eb, r,
                          "%s request %zu: storage failed; nothing of this file was imported",
                          run->name, g->number);
    return 0;
}

/* Import every request of a GeoReport JSON or XML document (inside the caller's
 * transaction). */
static int import_doc(struct run *run, enum georeport_format fmt, const char *text, size_t len,
                      struct csv_record *rec, struct errbuf *eb)
{
    struct doc_run d;
    int r;

    memset(&d, 0, sizeof(d));
    d.run = run;
    d.rec = rec;
    d.eb = eb;
    run->layout = fmt == GEOREPORT_XML ? &xml_layout : &json_layout;
    run->is_doc = 1;
    snprintf(run->stats->layout, sizeof(run->stats->layout), "%s", run->layout->name);
    run->zone = run->opt->zone ? run->opt->zone : "UTC";
    for (int k = 0; k < COL_COUNT; k++)
        run->idx[k] = k;
    r = georeport_read(text, len, fmt, import_doc_record, &d, eb);
    run->is_doc = 0;
    return r;
}

int import311_file(struct service_ctx *ctx, const char *name, const char *text, size_t len,
                   const struct import311_options *opt, struct import311_stats *stats,
                   import311_warn_fn warn, void *warn_ctx, struct errbuf *eb)
{
    struct run run;
    struct csv_reader rd;
    struct csv_record *rec = xmalloc(sizeof(*rec));
    const struct case_rules *rules;
    int64_t probe, last_outbox = 0;
    enum georeport_format fmt;
    int r, has_header = 0;

    memset(&run, 0, sizeof(run));
    run.ctx = ctx;
    run.name = name;
    run.opt = opt;
    run.stats = stats;
    run.warn = warn;
    run.warn_ctx = warn_ctx;
    run.importer.user_id = 0;
    run.importer.role = ROLE_ADMIN;
    run.importer.scope[0] = '\0';
    run.unmapped = xcalloc(UNMAPPED_DISTINCT, sizeof(*run.unmapped));

    georeport_init();
    if (opt->zone && import311_parse_time("2015-01-01T00:00:00", opt->zone, &probe) != 0) {
        r = errbuf_set(eb, ERR_INVALID, "--zone must be UTC, +HH:MM, US/Eastern or US/Pacific");
        goto out;
    }
    if ((r = rules_get(ctx, &rules)) != 0)
        goto out;
    if (opt->default_category && taxonomy_find(rules->tax, opt->default_category) == NULL) {
        r = errbuf_set(eb, ERR_NOT_FOUND, "default category %.16s does not exist",
                       opt->default_category);
        goto out;
    }
    if (opt->fallback_area) {
        int exists = 0;
        if (!areacode_is_valid(opt->fallback_area) ||
            areacode_level(opt->fallback_area) < AREA_DISTRICT) {
            r = errbuf_set(eb, ERR_INVALID, "--area must be a district or an area below one");
            goto out;
        }
        if ((r = store_area_exists(ctx->st, opt->fallback_area, &exists)) != 0)
            goto out;
        if (!exists) {
            r = errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", opt->fallback_area);
            goto out;
        }
    }
    /* Historical cases must not notify anyone: the notices the import queues (after this id)
     * are marked delivered in the same transaction. */
    if ((r = store_outbox_last_id(ctx->st, &last_outbox)) != 0)
        goto out;

    if (len >= 2 && ((unsigned char)text[0] == 0xff || (unsigned char)text[0] == 0xfe) &&
        ((unsigned char)text[1] == 0xfe || (unsigned char)text[1] == 0xff)) {
        r = errbuf_set(eb, ERR_INVALID, "the file is UTF-16; save it as UTF-8");
        goto out;
    }
    fmt = opt->format == IMPORT311_AUTO   ? georeport_detect(text, len)
          : opt->format == IMPORT311_JSON ? GEOREPORT_JSON
          : opt->format == IMPORT311_XML  ? GEOREPORT_XML
                                          : GEOREPORT_CSV;
    if (fmt != GEOREPORT_CSV) {
        if ((r = store_begin(ctx->st)) != 0)
            goto out;
        if ((r = import_doc(&run, fmt, text, len, rec, eb)) != 0) {
            store_rollback(ctx->st);
            goto out;
        }
        goto commit;
    }
    csv_reader_init(&rd, text, len);
    csv_reader_set_wide(&rd, CSV_WIDE_MAX_FIELDS, 1);
    if ((r = store_begin(ctx->st)) != 0)
        goto out;
    while (csv_read(&rd, rec)) {
        if (!has_header) {
            if (rec->error[0]) {
                store_rollback(ctx->st);
                r = errbuf_set(eb, ERR_INVALID, "%s: the header is malformed: %s", name,
                               rec->error);
                goto out;
            }
            if ((r = choose_layout(&run, rec, eb)) != 0) {
                store_rollback(ctx->st);
                goto out;
            }
            has_header = 1;
            continue;
        }
        stats->rows++;
        if (rec->error[0]) {
            warnf(&run, rec->line, "malformed row skipped: %s", rec->error);
            stats->skipped++;
            continue;
        }
        if (rec->is_truncated)
            warnf(&run, rec->line, "a field longer than %d bytes was cut", CSV_FIELD_MAX);
        if ((r = import_row(&run, rec)) < 0) {
            store_rollback(ctx->st);
            errbuf_set(eb, r, "%s line %zu: storage failed; nothing of this file was imported",
                       name, rec->line);
            goto out;
        }
    }
    if (!has_header) {
        store_rollback(ctx->st);
        r = errbuf_set(eb, ERR_INVALID, "%s: the file is empty", name);
        goto out;
    }
commit:
    if ((r = store_outbox_mark_delivered_after(ctx->st, last_outbox, time_now_ms())) != 0 ||
        (r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        goto out;
    }
    /* Merge this file's unmapped names into the top list. */
    for (size_t i = 0; i < run.n_unmapped; i++) {
        int64_t count = run.unmapped[i].count;
        int slot = -1;
        for (int k = 0; k < IMPORT311_TOP_UNMAPPED && slot < 0; k++)
            if (strcmp(stats->top_unmapped[k].name, run.unmapped[i].name) == 0)
                slot = k;
        if (slot >= 0) {
            stats->top_unmapped[slot].count += count;
            continue;
        }
        for (int k = 0; k < IMPORT311_TOP_UNMAPPED; k++) {
            if (count > stats->top_unmapped[k].count) {
                memmove(&stats->top_unmapped[k + 1], &stats->top_unmapped[k],
                        (size_t)(IMPORT311_TOP_UNMAPPED - 1 - k) * sizeof(stats->top_unmapped[0]));
                snprintf(stats->top_unmapped[k].name, sizeof(stats->top_unmapped[k].name), "%s",
                         run.unmapped[i].name);
                stats->top_unmapped[k].count = count;
                break;
            }
        }
    }
    /* Keep the top list ordered by count after the merge. */
    for (int k = 1; k < IMPORT311_TOP_UNMAPPED; k++)
        for (int j = k; j > 0 && stats->top_unmapped[j].count > stats->top_unmapped[j - 1].count;
             j--) {
            char name_tmp[97];
            int64_t count_tmp = stats->top_unmapped[j].count;
            memcpy(name_tmp, stats->top_unmapped[j].name, sizeof(name_tmp));
            stats->top_unmapped[j] = stats->top_unmapped[j - 1];
            memcpy(stats->top_unmapped[j - 1].name, name_tmp, sizeof(name_tmp));
            stats->top_unmapped[j - 1].count = count_tmp;
        }
    r = 0;
out:
    free(run.unmapped);
    free(rec);
    return r;
}
