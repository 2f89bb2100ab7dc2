/*
 * calendar.c - working days, working hours and the arithmetic of working time (see calendar.h).
 *
 * Internally every instant is split into a local day number (days since 1970-01-01 in the
 * calendar's zone) and the milliseconds into that day. Special days are an array sorted by day
 * number with no duplicates and no DAY_NORMAL entries, so a lookup is a binary search and the
 * arithmetic walks day by day: adding 15 working days or measuring a year is a few hundred
 * iterations, never a loop over minutes. Every loop is bounded by the supported range of
 * instants (1900..2200 in, results before 2300), checked before it starts or on each day.
 *
 * The CSV import parses everything into a pending list first and touches the calendar only when
 * every row is good, so a failed import leaves the calendar as it was.
 *
 * Called by the rules service (import, storage) and by deadline.c. Pure: no I/O, no clock,
 * no globals; a calendar is mutated only by its owner and read concurrently afterwards.
 */
#include "domain/calendar.h"

#include "base/csv.h"
#include "base/timeutil.h"

#include "base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS ((int64_t)60000)
#define DAY_MS ((int64_t)86400000)

struct special {
    int32_t day; /* local day number */
    unsigned char kind;
    char name[CALENDAR_NAME_MAX];
};

struct calendar {
    int offset_min;
    size_t nspans;
    struct calendar_span spans[CALENDAR_SPANS_MAX];
    struct special *days; /* sorted by day, unique, kind != DAY_NORMAL */
    size_t ndays;
    size_t cap;
};

static const struct calendar_span default_spans[] = {
    {8 * 60 + 30, 12 * 60},
    {14 * 60, 17 * 60 + 30},
};

static const char *const day_kind_names[] = {"normal", "off", "work"};

static const char *const weekday_names[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                            "Thursday", "Friday", "Saturday"};

/* ---- civil dates ---- */

static int date_is_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= time_days_in_month(y, m);
}

/* 0 = Sunday ... 6 = Saturday; 1970-01-01 was a Thursday. */
static int weekday_of(int64_t day)
{
    return (int)(((day + 4) % 7 + 7) % 7);
}

static int is_weekend(int64_t day)
{
    int wd = weekday_of(day);
    return wd == 0 || wd == 6;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Results of the arithmetic must come before 2300 (see calendar.h). */
static int64_t result_max(void)
{
    return time_days_from_civil(2300, 1, 1) * DAY_MS;
}

/* ---- special days ---- */

/* Index of the first entry with day >= day. */
static size_t special_lower_bound(const struct calendar *cal, int64_t day)
{
    size_t lo = 0, hi = cal->ndays;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cal->days[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static enum day_kind kind_of_day(const struct calendar *cal, int64_t day)
{
    size_t i = special_lower_bound(cal, day);
    if (i < cal->ndays && cal->days[i].day == day)
        return (enum day_kind)cal->days[i].kind;
    return DAY_NORMAL;
}

static int is_working_daynum(const struct calendar *cal, int64_t day)
{
    switch (kind_of_day(cal, day)) {
    case DAY_WORK:
        return 1;
    case DAY_OFF:
        return 0;
    default:
        return !is_weekend(day);
    }
}

/* Copy name into dst (CALENDAR_NAME_MAX bytes, zero-filled so entries compare byte for byte),
 * cutting at a UTF-8 character boundary. */
static void copy_name(char *dst, const char *name)
{
    size_t n = name ? strlen(name) : 0;
    memset(dst, 0, CALENDAR_NAME_MAX);
    if (n > CALENDAR_NAME_MAX - 1) {
        n = CALENDAR_NAME_MAX - 1;
        while (n > 0 && ((unsigned char)name[n] & 0xC0) == 0x80)
            n--;
    }
    if (n > 0)
        memcpy(dst, name, n);
    dst[n] = '\0';
}

static void special_reserve(struct calendar *cal, size_t want)
{
    if (want <= cal->cap)
        return;
    size_t cap = cal->cap ? cal->cap : 64;
    while (cap < want)
        cap *= 2;
    cal->days = xreallocarray(cal->days, cap, sizeof(*cal->days));
    cal->cap = cap;
}

/* Validate a date for a special day and return its day number in *day. */
static int special_date(int y, int m, int d, int64_t *day)
{
    if (y < CALENDAR_YEAR_MIN || y > CALENDAR_YEAR_MAX || !date_is_valid(y, m, d))
        return ERR_INVALID;
    *day = time_days_from_civil(y, m, d);
    return 0;
}

/* ---- public: lifecycle, names, zone, hours ---- */

struct calendar *calendar_new(void)
{
    struct calendar *cal = xcalloc(1, sizeof(*cal));
    cal->offset_min = CALENDAR_UTC_OFFSET_DEFAULT;
    cal->nspans = sizeof(default_spans) / sizeof(default_spans[0]);
    memcpy(cal->spans, default_spans, sizeof(default_spans));
    return cal;
}

void calendar_free(struct calendar *cal)
{
    if (cal == NULL)
        return;
    free(cal->days);
    free(cal);
}

const char *calendar_day_kind_name(enum day_kind kind)
{
    if ((int)kind < 0 || (size_t)kind >= sizeof(day_kind_names) / sizeof(day_kind_names[0]))
        return NULL;
    return day_kind_names[kind];
}

int calendar_day_kind_parse(const char *name, enum day_kind *out)
{
    if (name == NULL)
        return ERR_INVALID;
    for (size_t i = 0; i < sizeof(day_kind_names) / sizeof(day_kind_names[0]); i++) {
        if (strcmp(name, day_kind_names[i]) == 0) {
            *out = (enum day_kind)i;
            return 0;
        }
    }
    if (strcmp(name, "休") == 0) {
        *out = DAY_OFF;
        return 0;
    }
    if (strcmp(name, "班") == 0) {
        *out = DAY_WORK;
        return 0;
    }
    return ERR_INVALID;
}

int calendar_set_utc_offset(struct calendar *cal, int offset_min)
{
    if (offset_min < -CALENDAR_UTC_OFFSET_MAX || offset_min > CALENDAR_UTC_OFFSET_MAX)
        return ERR_INVALID;
    cal->offset_min = offset_min;
    return 0;
}

int calendar_utc_offset(const struct calendar *cal)
{
    return cal->offset_min;
}

static int spans_validate(const struct calendar_span *spans, size_t n, struct errbuf *eb)
{
    if (n == 0 || n > CALENDAR_SPANS_MAX)
        return errbuf_set(eb, ERR_INVALID, "working hours need 1 to %d spans, got %zu",
                          CALENDAR_SPANS_MAX, n);
    for (size_t i = 0; i < n; i++) {
        if (spans[i].start_min < 0 || spans[i].end_min > 24 * 60 ||
            spans[i].start_min >= spans[i].end_min)
            return errbuf_set(eb, ERR_INVALID,
                              "working-hour span %zu must start before it ends, within 00:00-24:00",
                              i + 1);
        if (i > 0 && spans[i].start_min < spans[i - 1].end_min)
            return errbuf_set(eb, ERR_INVALID,
                              "working-hour span %zu overlaps or precedes the one before it",
                              i + 1);
    }
    return 0;
}

int calendar_set_hours(struct calendar *cal, const struct calendar_span *spans, size_t n,
                       struct errbuf *eb)
{
    int r;
    if ((r = spans_validate(spans, n, eb)) != 0)
        return r;
    memcpy(cal->spans, spans, n * sizeof(*spans));
    cal->nspans = n;
    return 0;
}

size_t calendar_hours(const struct calendar *cal, struct calendar_span *out, size_t cap)
{
    for (size_t i = 0; i < cal->nspans && i < cap; i++)
        out[i] = cal->spans[i];
    return cal->nspans;
}

int calendar_minutes_per_day(const struct calendar *cal)
{
    int total = 0;
    for (size_t i = 0; i < cal->nspans; i++)
        total += cal->spans[i].end_min - cal->spans[i].start_min;
    return total;
}

static const char *skip_blanks(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* "HH:MM" (one or two digits of hour) into minutes since midnight; NULL on bad syntax. */
static const char *parse_hhmm(const char *p, int *out)
{
    int h = 0, m = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 2) {
        h = h * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || *p != ':')
        return NULL;
    p++;
    if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
        return NULL;
    m = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return NULL;
    *out = h * 60 + m;
    return p;
}

int calendar_hours_parse(const char *text, struct calendar_span *out, size_t *n, struct errbuf *eb)
{
    struct calendar_span spans[CALENDAR_SPANS_MAX];
    size_t count = 0;
    const char *p = text;
    int r;
    *n = 0;
    if (text == NULL)
        return errbuf_set(eb, ERR_INVALID, "working hours are missing");
    for (;;) {
        int start, end;
        const char *q;
        if (count == CALENDAR_SPANS_MAX)
            return errbuf_set(eb, ERR_INVALID, "at most %d working-hour spans", CALENDAR_SPANS_MAX);
        p = skip_blanks(p);
        q = parse_hhmm(p, &start);
        if (q != NULL) {
            q = skip_blanks(q);
            q = *q == '-' ? parse_hhmm(skip_blanks(q + 1), &end) : NULL;
        }
        if (q == NULL)
            return errbuf_set(eb, ERR_INVALID,
                              "bad working hours '%s': expected HH:MM-HH:MM[,HH:MM-HH:MM...]",
                              text);
        spans[count].start_min = start;
        spans[count].end_min = end;
        count++;
        p = skip_blanks(q);
        if (*p == '\0')
            break;
        if (*p != ',')
            return errbuf_set(eb, ERR_INVALID,
                              "bad working hours '%s': expected HH:MM-HH:MM[,HH:MM-HH:MM...]",
                              text);
        p++;
    }
    if ((r = spans_validate(spans, count, eb)) != 0)
        return r;
    memcpy(out, spans, count * sizeof(*spans));
    *n = count;
    return 0;
}

void calendar_hours_format(const struct calendar_span *spans, size_t n, char *out, size_t size)
{
    size_t used = 0;
    if (size == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < n && used < size; i++) {
        int w = snprintf(out + used, size - used, "%s%02d:%02d-%02d:%02d", i > 0 ? "," : "",
                         spans[i].start_min / 60, spans[i].start_min % 60, spans[i].end_min / 60,
                         spans[i].end_min % 60);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* ---- public: special days ---- */

static int set_day_daynum(struct calendar *cal, int64_t day, enum day_kind kind, const char *name)
{
    size_t i = special_lower_bound(cal, day);
    int present = i < cal->ndays && cal->days[i].day == day;
    if (kind == DAY_NORMAL) {
        if (present) {
            memmove(&cal->days[i], &cal->days[i + 1], (cal->ndays - i - 1) * sizeof(*cal->days));
            cal->ndays--;
        }
        return 0;
    }
    if (!present) {
        special_reserve(cal, cal->ndays + 1);
        memmove(&cal->days[i + 1], &cal->days[i], (cal->ndays - i) * sizeof(*cal->days));
        cal->ndays++;
        cal->days[i].day = (int32_t)day;
    }
    cal->days[i].kind = (unsigned char)kind;
    copy_name(cal->days[i].name, name);
    return 0;
}

int calendar_set_day_named(struct calendar *cal, int y, int m, int d, enum day_kind kind,
                           const char *name)
{
    int64_t day;
    if (special_date(y, m, d, &day) != 0)
        return ERR_INVALID;
    if (kind != DAY_NORMAL && kind != DAY_OFF && kind != DAY_WORK)
        return ERR_INVALID;
    return set_day_daynum(cal, day, kind, name);
}

int calendar_set_day(struct calendar *cal, int y, int m, int d, enum day_kind kind)
{
    return calendar_set_day_named(cal, y, m, d, kind, NULL);
}

void calendar_clear_days(struct calendar *cal)
{
    cal->ndays = 0;
}

enum day_kind calendar_day_kind(const struct calendar *cal, int y, int m, int d)
{
    int64_t day;
    if (special_date(y, m, d, &day) != 0)
        return DAY_NORMAL;
    return kind_of_day(cal, day);
}

int calendar_is_working_day(const struct calendar *cal, int y, int m, int d)
{
    if (!date_is_valid(y, m, d))
        return 0;
    return is_working_daynum(cal, time_days_from_civil(y, m, d));
}

size_t calendar_day_count(const struct calendar *cal)
{
    return cal->ndays;
}

int calendar_day_at(const struct calendar *cal, size_t i, struct calendar_day *out)
{
    memset(out, 0, sizeof(*out));
    if (i >= cal->ndays)
        return ERR_NOT_FOUND;
    time_civil_from_days(cal->days[i].day, &out->year, &out->month, &out->day);
    out->kind = (enum day_kind)cal->days[i].kind;
    memcpy(out->name, cal->days[i].name, sizeof(out->name));
    return 0;
}

/* ---- CSV import (the reader is base/csv.h) ---- */

/* A blank line, or a row of empty fields (",,", as spreadsheets export trailing rows). */
static int csv_is_blank(const struct csv_record *rec)
{
    if (rec->error[0] != '\0')
        return 0;
    for (int i = 0; i < rec->n_fields; i++)
        if (rec->field[i][0] != '\0')
            return 0;
    return 1;
}

static int ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = (*a >= 'A' && *a <= 'Z') ? (char)(*a + 32) : *a;
        char cb = (*b >= 'A' && *b <= 'Z') ? (char)(*b + 32) : *b;
        if (ca != cb)
            return 0;
    }
    return *a == *b;
}

/* Digits [min, max] at p into *v; pointer past them, or NULL. */
static const char *parse_digits(const char *p, int min, int max, int *v)
{
    int n = 0;
    *v = 0;
    while (*p >= '0' && *p <= '9' && n < max) {
        *v = *v * 10 + (*p++ - '0');
        n++;
    }
    if (n < min || (*p >= '0' && *p <= '9'))
        return NULL;
    return p;
}

/* YYYY-MM-DD or YYYY/M/D; 0 and the parts, or ERR_INVALID. */
static int parse_date(const char *s, int *y, int *m, int *d)
{
    const char *p = parse_digits(s, 4, 4, y);
    char sep;
    if (p == NULL || (*p != '-' && *p != '/'))
        return ERR_INVALID;
    sep = *p++;
    if ((p = parse_digits(p, 1, 2, m)) == NULL || *p++ != sep)
        return ERR_INVALID;
    if ((p = parse_digits(p, 1, 2, d)) == NULL || *p != '\0')
        return ERR_INVALID;
    return date_is_valid(*y, *m, *d) ? 0 : ERR_INVALID;
}

static int utf8_is_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        int n;
        unsigned cp;
        if (*p < 0x80) {
            if (*p < 0x20 || *p == 0x7F) /* control characters have no place in a name */
                return 0;
            p++;
            continue;
        }
        if ((*p & 0xE0) == 0xC0) {
            n = 1;
            cp = *p & 0x1F;
        } else if ((*p & 0xF0) == 0xE0) {
            n = 2;
            cp = *p & 0x0F;
        } else if ((*p & 0xF8) == 0xF0) {
            n = 3;
            cp = *p & 0x07;
        } else {
            return 0;
        }
        p++;
        for (int i = 0; i < n; i++, p++) {
            if ((*p & 0xC0) != 0x80)
                return 0;
            cp = (cp << 6) | (*p & 0x3F);
        }
        if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
    }
    return 1;
}

struct pending_day {
    int64_t day;
    size_t line;
    enum day_kind kind;
    char name[CALENDAR_NAME_MAX];
};

struct import_error_list {
    struct calendar_import_error *v;
    size_t n, cap;
};

static void import_error_add(struct import_error_list *l, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void import_error_add(struct import_error_list *l, size_t line, const char *fmt, ...)
{
    va_list ap;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
    }
    l->v[l->n].line = line;
    va_start(ap, fmt);
    vsnprintf(l->v[l->n].reason, sizeof(l->v[l->n].reason), fmt, ap);
    va_end(ap);
    l->n++;
}

static int cmp_error_line(const void *a, const void *b)
{
    const struct calendar_import_error *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static int cmp_pending_day_line(const void *a, const void *b)
{
    const struct pending_day *x = a, *y = b;
    if (x->day != y->day)
        return (x->day > y->day) - (x->day < y->day);
    return (x->line > y->line) - (x->line < y->line);
}

static int ymd_of(int64_t day)
{
    int y, m, d;
    time_civil_from_days(day, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

/* Check one data row and append it to pending, or record why it is bad. */
static void import_row(const struct csv_record *rec, int date_col, int kind_col, int name_col,
                       struct pending_day **pending, size_t *npending, size_t *pcap,
                       struct import_error_list *errs, struct calendar_import_result *res)
{
    int y, m, d;
    enum day_kind kind;
    int64_t day;
    const char *name = "";
    struct pending_day *pd;

    if (rec->error[0] != '\0') {
        import_error_add(errs, rec->line, "%s", rec->error);
        return;
    }
    if (date_col >= rec->n_fields || kind_col >= rec->n_fields) {
        import_error_add(errs, rec->line, "missing field '%s' (%d fields, expected at least %d)",
                         date_col >= rec->n_fields ? "date" : "kind", rec->n_fields,
                         (date_col > kind_col ? date_col : kind_col) + 1);
        return;
    }
    if (parse_date(rec->field[date_col], &y, &m, &d) != 0) {
        import_error_add(errs, rec->line, "bad date '%.40s' (expected YYYY-MM-DD)",
                         rec->field[date_col]);
        return;
    }
    if (special_date(y, m, d, &day) != 0) {
        import_error_add(errs, rec->line, "date %04d-%02d-%02d outside the years %d-%d", y, m, d,
                         CALENDAR_YEAR_MIN, CALENDAR_YEAR_MAX);
        return;
    }
    if (calendar_day_kind_parse(rec->field[kind_col], &kind) != 0 || kind == DAY_NORMAL) {
        import_error_add(errs, rec->line, "unknown kind '%.30s' (expected off or work)",
                         rec->field[kind_col]);
        return;
    }
    if (name_col >= 0 && name_col < rec->n_fields) {
        name = rec->field[name_col];
        if (strlen(name) > CALENDAR_NAME_MAX - 1) {
            import_error_add(errs, rec->line, "name longer than %d bytes", CALENDAR_NAME_MAX - 1);
            return;
        }
        if (!utf8_is_valid(name)) {
            import_error_add(errs, rec->line, "name is not UTF-8 text without control characters");
            return;
        }
    }
    if (kind == DAY_OFF && is_weekend(day))
        res->weekend_off++;
    if (kind == DAY_WORK && !is_weekend(day)) {
        if (res->warning_count < CALENDAR_IMPORT_WARNINGS_MAX) {
            struct calendar_import_error *w = &res->warnings[res->warning_count];
            w->line = rec->line;
            snprintf(w->reason, sizeof(w->reason),
                     "'work' on %04d-%02d-%02d, a %s, already a working day", y, m, d,
                     weekday_names[weekday_of(day)]);
        }
        res->warning_count++;
    }
    if (*npending == *pcap) {
        *pcap = *pcap ? *pcap * 2 : 256;
        *pending = xreallocarray(*pending, *pcap, sizeof(**pending));
    }
    pd = &(*pending)[(*npending)++];
    pd->day = day;
    pd->line = rec->line;
    pd->kind = kind;
    copy_name(pd->name, name);
}

/* Sort pending by (day, line) and report a date given both kinds. */
static void import_conflicts(struct pending_day *pending, size_t n, struct import_error_list *errs)
{
    if (n < 2)
        return;
    qsort(pending, n, sizeof(*pending), cmp_pending_day_line);
    for (size_t i = 1; i < n; i++) {
        if (pending[i].day == pending[i - 1].day && pending[i].kind != pending[i - 1].kind) {
            int ymd = ymd_of(pending[i].day);
            import_error_add(errs, pending[i].line,
                             "%04d-%02d-%02d is '%s' here but '%s' on line %zu", ymd / 10000,
                             ymd / 100 % 100, ymd % 100, day_kind_names[pending[i].kind],
                             day_kind_names[pending[i - 1].kind], pending[i - 1].line);
        }
    }
}

/* Merge pending (sorted by day, then line) into the calendar: the file's last row for a day wins
 * over an earlier row and over the calendar's own entry. */
static void import_apply(struct calendar *cal, const struct pending_day *pending, size_t n)
{
    struct special *merged = xreallocarray(NULL, cal->ndays + n + 1, sizeof(*merged));
    size_t i = 0, j = 0, k = 0;
    while (i < cal->ndays || j < n) {
        if (j < n && (i >= cal->ndays || pending[j].day <= cal->days[i].day)) {
            if (i < cal->ndays && pending[j].day == cal->days[i].day)
                i++; /* the file replaces this day */
            while (j + 1 < n && pending[j + 1].day == pending[j].day)
                j++; /* same day again later in the file: keep the last */
            merged[k].day = (int32_t)pending[j].day;
            merged[k].kind = (unsigned char)pending[j].kind;
            memcpy(merged[k].name, pending[j].name, sizeof(merged[k].name));
            k++;
            j++;
        } else {
            merged[k++] = cal->days[i++];
        }
    }
    free(cal->days);
    cal->days = merged;
    cal->ndays = k;
    cal->cap = cal->ndays + n + 1;
}

int calendar_parse_csv(struct calendar *cal, const char *text, size_t len,
                       struct calendar_import_result *res, struct errbuf *eb)
{
    int r = ERR_INVALID;
    struct csv_reader rd;
    struct csv_record *rec = NULL;
    struct pending_day *pending = NULL;
    size_t npending = 0, pcap = 0;
    struct import_error_list errs = {NULL, 0, 0};
    int date_col = -1, kind_col = -1, name_col = -1, have_header = 0;

    memset(res, 0, sizeof(*res));
    if (len > CALENDAR_IMPORT_MAX_BYTES) {
        r = errbuf_set(eb, ERR_TOO_LARGE, "calendar file is over %u bytes",
                       CALENDAR_IMPORT_MAX_BYTES);
        goto out;
    }
    if (text == NULL)
        len = 0;
    csv_reader_init(&rd, text ? text : "", len);
    rec = xmalloc(sizeof(*rec));

    while (len > 0 && csv_read(&rd, rec)) {
        if (csv_is_blank(rec))
            continue;
        if (!have_header) {
            have_header = 1;
            for (int i = 0; i < rec->n_fields; i++) {
                const char *h = skip_blanks(rec->field[i]);
                if (ascii_ieq(h, "date") && date_col < 0)
                    date_col = (int)i;
                else if (ascii_ieq(h, "kind") && kind_col < 0)
                    kind_col = (int)i;
                else if (ascii_ieq(h, "name") && name_col < 0)
                    name_col = (int)i;
            }
            if (rec->error[0] != '\0' || date_col < 0 || kind_col < 0) {
                import_error_add(&errs, rec->line,
                                 "header must name the columns date and kind (as date,name,kind)");
                break;
            }
            continue;
        }
        if (++res->rows > CALENDAR_IMPORT_MAX_ROWS) {
            r = errbuf_set(eb, ERR_TOO_LARGE, "calendar file has over %d rows",
                           CALENDAR_IMPORT_MAX_ROWS);
            res->rows--;
            goto out;
        }
        import_row(rec, date_col, kind_col, name_col, &pending, &npending, &pcap, &errs, res);
    }
    if (!have_header)
        import_error_add(&errs, 1, "empty file: expected a header date,name,kind");

    import_conflicts(pending, npending, &errs);
    if (errs.n > 0) {
        qsort(errs.v, errs.n, sizeof(*errs.v), cmp_error_line);
        res->error_count = errs.n;
        for (size_t i = 0; i < errs.n && i < CALENDAR_IMPORT_ERRORS_MAX; i++)
            res->errors[i] = errs.v[i];
        res->weekend_off = 0;
        res->warning_count = 0;
        r = errbuf_set(eb, ERR_INVALID, "%zu bad row%s, nothing imported; line %zu: %s", errs.n,
                       errs.n == 1 ? "" : "s", errs.v[0].line, errs.v[0].reason);
        goto out;
    }
    if (npending > 0) {
        res->first_ymd = ymd_of(pending[0].day);
        res->last_ymd = ymd_of(pending[npending - 1].day);
    }
    import_apply(cal, pending, npending);
    res->applied = res->rows;
    r = 0;
out:
    free(errs.v);
    free(pending);
    free(rec);
    return r;
}

/* ---- time arithmetic ---- */

static int64_t span_start_ms(const struct calendar *cal, size_t i)
{
    return cal->spans[i].start_min * MIN_MS;
}

static int64_t span_end_ms(const struct calendar *cal, size_t i)
{
    return cal->spans[i].end_min * MIN_MS;
}

/* Split an instant into local day number and milliseconds into that day. */
static void split_local(const struct calendar *cal, int64_t ms, int64_t *day, int64_t *t)
{
    int64_t local = ms + cal->offset_min * MIN_MS;
    *day = floor_div(local, DAY_MS);
    *t = local - *day * DAY_MS;
}

static int64_t join_local(const struct calendar *cal, int64_t day, int64_t t)
{
    return day * DAY_MS + t - cal->offset_min * MIN_MS;
}

static int in_range(int64_t ms)
{
    return ms >= CALENDAR_MS_MIN && ms <= CALENDAR_MS_MAX;
}

int calendar_local_date(const struct calendar *cal, int64_t ms, int *y, int *m, int *d)
{
    int64_t day, t;
    if (!in_range(ms))
        return ERR_INVALID;
    split_local(cal, ms, &day, &t);
    time_civil_from_days(day, y, m, d);
    return 0;
}

int calendar_local_to_ms(const struct calendar *cal, int y, int m, int d, int hh, int mm,
                         int64_t *out_ms)
{
    int64_t ms;
    if (!date_is_valid(y, m, d) || hh < 0 || hh > 24 || mm < 0 || mm > 59 || (hh == 24 && mm != 0))
        return ERR_INVALID;
    ms = join_local(cal, time_days_from_civil(y, m, d), (hh * 60 + mm) * MIN_MS);
    if (!in_range(ms))
        return ERR_INVALID;
    *out_ms = ms;
    return 0;
}

int calendar_is_working_time(const struct calendar *cal, int64_t ms)
{
    int64_t day, t;
    if (!in_range(ms))
        return 0;
    split_local(cal, ms, &day, &t);
    if (!is_working_daynum(cal, day))
        return 0;
    for (size_t i = 0; i < cal->nspans; i++)
        if (t >= span_start_ms(cal, i) && t < span_end_ms(cal, i))
            return 1;
    return 0;
}

int calendar_add_working_minutes(const struct calendar *cal, int64_t start_ms, int64_t minutes,
                                 int64_t *out_ms)
{
    int64_t day, t, rem;
    const int64_t limit = result_max();
    if (!in_range(start_ms) || minutes < 0 || minutes > CALENDAR_ADD_MINUTES_MAX)
        return ERR_INVALID;
    if (minutes == 0) {
        *out_ms = start_ms;
        return 0;
    }
    split_local(cal, start_ms, &day, &t);
    rem = minutes * MIN_MS;
    for (;;) {
        if (join_local(cal, day, 0) > limit)
            return ERR_INVALID;
        if (is_working_daynum(cal, day)) {
            for (size_t i = 0; i < cal->nspans; i++) {
                int64_t s = span_start_ms(cal, i), e = span_end_ms(cal, i);
                int64_t from = t > s ? t : s;
                if (from >= e)
                    continue;
                if (rem <= e - from) {
                    *out_ms = join_local(cal, day, from + rem);
                    return 0;
                }
                rem -= e - from;
            }
        }
        day++;
        t = 0;
    }
}

int calendar_add_working_days(const struct calendar *cal, int64_t start_ms, int64_t days,
                              int64_t *out_ms)
{
    int64_t day, t, count = 0;
    const int64_t limit = result_max();
    const int64_t end_of_work = span_end_ms(cal, cal->nspans - 1);
    if (!in_range(start_ms) || days < 0 || days > CALENDAR_ADD_DAYS_MAX)
        return ERR_INVALID;
    split_local(cal, start_ms, &day, &t);
    if (days == 0 && is_working_daynum(cal, day) && t < end_of_work) {
        *out_ms = join_local(cal, day, end_of_work);
        return 0;
    }
    if (days == 0)
        days = 1; /* after hours or on a day off: the next working day */
    while (count < days) {
        day++;
        if (join_local(cal, day, 0) > limit)
            return ERR_INVALID;
        if (is_working_daynum(cal, day))
            count++;
    }
    *out_ms = join_local(cal, day, end_of_work);
    return 0;
}

int64_t calendar_working_ms_between(const struct calendar *cal, int64_t a_ms, int64_t b_ms)
{
    int64_t da, ta, db, tb, total = 0;
    const int64_t lo = CALENDAR_MS_MIN, hi = CALENDAR_MS_MAX;
    a_ms = a_ms < lo ? lo : (a_ms > hi ? hi : a_ms);
    b_ms = b_ms < lo ? lo : (b_ms > hi ? hi : b_ms);
    if (b_ms <= a_ms)
        return 0;
    split_local(cal, a_ms, &da, &ta);
    split_local(cal, b_ms, &db, &tb);
    for (int64_t day = da; day <= db; day++) {
        int64_t from = day == da ? ta : 0;
        int64_t to = day == db ? tb : DAY_MS;
        if (!is_working_daynum(cal, day))
            continue;
        for (size_t i = 0; i < cal->nspans; i++) {
            int64_t s = span_start_ms(cal, i), e = span_end_ms(cal, i);
            int64_t x = from > s ? from : s;
            int64_t y = to < e ? to : e;
            if (y > x)
                total += y - x;
        }
    }
    return total;
}

int64_t calendar_working_minutes_between(const struct calendar *cal, int64_t a_ms, int64_t b_ms)
{
    return calendar_working_ms_between(cal, a_ms, b_ms) / MIN_MS;
}
