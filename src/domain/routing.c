/*
 * routing.c - the area x category -> handling unit table (see routing.h for the precedence).
 *
 * Rules live in one array sorted by (area code, category) with strcmp, so an exact rule is a
 * binary search away. Resolving walks the candidate keys in precedence order - A's own code
 * and each ancestor code (areacode lengths) down to "", and for each the category, its class
 * and "" - and takes the first key present: at most 8 x 3 searches whatever the table's size,
 * and the precedence is the order of that walk, nothing else.
 *
 * Called by the case service when it dispatches and by the routing import. Pure; a table is
 * not locked (see routing.h).
 */
#include "domain/routing.h"

#include "base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct routing {
    struct routing_rule *rules; /* sorted by (area_code, category) */
    size_t n;
    size_t cap;
};

static const char *const csv_header[] = {"area_code", "category", "unit"};

#define N_CSV_COLUMNS ((int)(sizeof(csv_header) / sizeof(csv_header[0])))

struct routing *routing_new(void)
{
    return xcalloc(1, sizeof(struct routing));
}

void routing_free(struct routing *r)
{
    if (r == NULL)
        return;
    free(r->rules);
    free(r);
}

size_t routing_count(const struct routing *r)
{
    return r->n;
}

const struct routing_rule *routing_at(const struct routing *r, size_t i)
{
    return i < r->n ? &r->rules[i] : NULL;
}

static int compare_key(const char *area_a, const char *cat_a, const char *area_b, const char *cat_b)
{
    int c = strcmp(area_a, area_b);
    return c != 0 ? c : strcmp(cat_a, cat_b);
}

/* Index of the first rule not less than (area_code, category); *found when it is equal. */
static size_t lower_bound(const struct routing *r, const char *area_code, const char *category,
                          int *found)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const struct routing_rule *m = &r->rules[mid];
        if (compare_key(m->area_code, m->category, area_code, category) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < r->n &&
             compare_key(r->rules[lo].area_code, r->rules[lo].category, area_code, category) == 0;
    return lo;
}

const struct routing_rule *routing_find(const struct routing *r, const char *area_code,
                                        const char *category)
{
    int found;
    size_t i = lower_bound(r, area_code, category, &found);
    return found ? &r->rules[i] : NULL;
}

/* Check a rule's fields alone; on failure write why into reason and return -1. */
static int check_rule(const struct routing_rule *rule, char *reason, size_t cap)
{
    if (memchr(rule->area_code, '\0', sizeof(rule->area_code)) == NULL ||
        (rule->area_code[0] != '\0' && !areacode_is_valid(rule->area_code))) {
        snprintf(reason, cap, "area_code must be empty or an area code of 2 to %d digits",
                 AREA_CODE_MAX);
        return -1;
    }
    if (memchr(rule->category, '\0', sizeof(rule->category)) == NULL ||
        (rule->category[0] != '\0' && !taxonomy_code_is_valid(rule->category))) {
        snprintf(reason, cap, "category must be empty or 2 or 4 digits with no 00 part");
        return -1;
    }
    if (memchr(rule->unit, '\0', sizeof(rule->unit)) == NULL ||
        !taxonomy_unit_code_is_valid(rule->unit)) {
        snprintf(reason, cap, "unit must be letters a-z, digits and _, 1 to %d bytes",
                 TAXONOMY_DEPT_MAX);
        return -1;
    }
    return 0;
}

int routing_add(struct routing *r, const struct routing_rule *rule, struct errbuf *eb)
{
    char reason[200];
    int found;
    if (check_rule(rule, reason, sizeof(reason)) != 0)
        return errbuf_set(eb, ERR_INVALID, "routing rule: %s", reason);
    size_t at = lower_bound(r, rule->area_code, rule->category, &found);
    if (found)
        return errbuf_set(eb, ERR_EXISTS, "routing rule for area '%s' and category '%s' exists",
                          rule->area_code, rule->category);
    if (r->n >= ROUTING_MAX_RULES)
        return errbuf_set(eb, ERR_TOO_LARGE, "routing: more than %d rules", ROUTING_MAX_RULES);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->rules = xreallocarray(r->rules, r->cap, sizeof(r->rules[0]));
    }
    memmove(&r->rules[at + 1], &r->rules[at], (r->n - at) * sizeof(r->rules[0]));
    r->rules[at] = *rule;
    r->n++;
    return 0;
}

int routing_remove(struct routing *r, const char *area_code, const char *category)
{
    int found;
    size_t at = lower_bound(r, area_code, category, &found);
    if (!found)
        return ERR_NOT_FOUND;
    memmove(&r->rules[at], &r->rules[at + 1], (r->n - at - 1) * sizeof(r->rules[0]));
    r->n--;
    return 0;
}

int routing_resolve(const struct routing *r, const struct taxonomy *tax, const char *area_code,
                    const char *category, struct routing_decision *out, struct errbuf *eb)
{
    memset(out, 0, sizeof(*out));
    int level = areacode_level(area_code);
    if (level == 0)
        return errbuf_set(eb, ERR_INVALID, "routing: not an area code");
    if (!taxonomy_code_is_valid(category))
        return errbuf_set(eb, ERR_INVALID, "routing: not a category code");
    if (tax != NULL && taxonomy_find(tax, category) == NULL)
        return errbuf_set(eb, ERR_NOT_FOUND, "routing: unknown category %s", category);

    /* Candidate categories, most specific first. */
    char cats[3][TAXONOMY_CODE_BUF];
    int n_cats = 0;
    snprintf(cats[n_cats++], sizeof(cats[0]), "%s", category);
    if (strlen(category) == 4)
        snprintf(cats[n_cats++], sizeof(cats[0]), "%.2s", category);
    cats[n_cats++][0] = '\0';

    /* Areas: the case's own code, each ancestor, then "" (level 0). */
    for (int lv = level; lv >= 0; lv--) {
        char area[AREA_CODE_BUF];
        size_t len = lv > 0 ? areacode_length(lv) : 0;
        memcpy(area, area_code, len);
        area[len] = '\0';
        for (int k = 0; k < n_cats; k++) {
            const struct routing_rule *rule = routing_find(r, area, cats[k]);
            if (rule != NULL) {
                out->rule = *rule;
                snprintf(out->unit, sizeof(out->unit), "%s", rule->unit);
                return 0;
            }
        }
    }

    const struct category *c = tax != NULL ? taxonomy_find(tax, category) : NULL;
    const char *dept = c != NULL ? taxonomy_department_of(tax, category) : NULL;
    if (dept == NULL || dept[0] == '\0')
        return errbuf_set(eb, ERR_NOT_FOUND, "routing: no rule and no default unit for %s",
                          category);
    snprintf(out->default_from, sizeof(out->default_from), "%s",
             c->department[0] != '\0' ? c->code : c->parent);
    snprintf(out->unit, sizeof(out->unit), "%s", dept);
    out->is_default = 1;
    return 0;
}

/* ---- CSV ---- */

struct sink {
    struct routing_import_result *res; /* may be NULL */
    size_t count;
    size_t first_line;
    char first_reason[200];
};

static void sink_add(struct sink *s, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void sink_add(struct sink *s, size_t line, const char *fmt, ...)
{
    char reason[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (s->count == 0 || line < s->first_line) {
        s->first_line = line;
        snprintf(s->first_reason, sizeof(s->first_reason), "%s", reason);
    }
    s->count++;
    if (s->res == NULL)
        return;
    s->res->n_problems++;
    if (s->res->n_problems > ROUTING_IMPORT_MAX_PROBLEMS)
        return;
    /* Problems are found in line order except duplicates, found later: keep the list sorted
     * (stable) by line. */
    struct routing_import_problem *list = s->res->problems;
    size_t n = s->res->n_problems - 1;
    size_t at = n;
    while (at > 0 && list[at - 1].line > line)
        at--;
    memmove(&list[at + 1], &list[at], (n - at) * sizeof(list[0]));
    list[at].line = line;
    snprintf(list[at].reason, sizeof(list[at].reason), "%s", reason);
}

struct pending {
    struct routing_rule rule;
    size_t line;
    int is_bad;
};

static int compare_pending(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    int c = compare_key(x->rule.area_code, x->rule.category, y->rule.area_code, y->rule.category);
    if (c != 0)
        return c;
    return (x->line > y->line) - (x->line < y->line);
}

/* Copy field idx into dst (cap bytes with the NUL); -1 when it does not fit or holds a NUL. */
static int copy_field(const struct csv_record *rec, int idx, char *dst, size_t cap)
{
    size_t len = rec->field_len[idx];
    if (len >= cap || memchr(rec->field[idx], '\0', len) != NULL)
        return -1;
    memcpy(dst, rec->field[idx], len + 1);
    return 0;
}

/* Read and check one row into p; report and return -1 when it is bad. */
static int pending_from_record(const struct csv_record *rec, const struct taxonomy *tax,
                               struct pending *p, struct sink *s)
{
    char reason[200];
    memset(p, 0, sizeof(*p));
    p->line = rec->line;
    if (rec->error[0] != '\0') {
        sink_add(s, rec->line, "%s", rec->error);
        return -1;
    }
    if (rec->n_fields != N_CSV_COLUMNS) {
        sink_add(s, rec->line, "expected %d fields, found %d", N_CSV_COLUMNS, rec->n_fields);
        return -1;
    }
    /* A value too long for its field (or holding a NUL) is replaced by a malformed one so
     * that check_rule() words the reason, the same as for any other bad value. */
    if (copy_field(rec, 0, p->rule.area_code, sizeof(p->rule.area_code)) != 0)
        snprintf(p->rule.area_code, sizeof(p->rule.area_code), "x");
    if (copy_field(rec, 1, p->rule.category, sizeof(p->rule.category)) != 0)
        snprintf(p->rule.category, sizeof(p->rule.category), "x");
    if (copy_field(rec, 2, p->rule.unit, sizeof(p->rule.unit)) != 0)
        snprintf(p->rule.unit, sizeof(p->rule.unit), "X");
    if (check_rule(&p->rule, reason, sizeof(reason)) != 0) {
        sink_add(s, rec->line, "%s", reason);
        return -1;
    }
    if (tax != NULL && p->rule.category[0] != '\0' &&
        taxonomy_find(tax, p->rule.category) == NULL) {
        sink_add(s, rec->line, "category %s is not in the taxonomy", p->rule.category);
        return -1;
    }
    return 0;
}

static int header_is_valid(const struct csv_record *rec)
{
    if (rec->error[0] != '\0' || rec->n_fields != N_CSV_COLUMNS)
        return 0;
    for (int i = 0; i < N_CSV_COLUMNS; i++) {
        if (strcmp(rec->field[i], csv_header[i]) != 0)
            return 0;
    }
    return 1;
}

int routing_parse_csv(const char *text, size_t len, const struct taxonomy *tax,
                      struct routing **out, struct routing_import_result *res, struct errbuf *eb)
{
    struct csv_reader rd;
    struct csv_record *rec = xmalloc(sizeof(*rec));
    struct sink s = {.res = res};
    struct pending *rows = NULL;
    size_t n = 0, cap = 0;
    struct routing *table = NULL;
    int r = ERR_INVALID;

    *out = NULL;
    if (res != NULL)
        memset(res, 0, sizeof(*res));
    csv_reader_init(&rd, text, len);
    if (!csv_read(&rd, rec)) {
        sink_add(&s, 0, "the file is empty");
        goto out;
    }
    if (!header_is_valid(rec)) {
        sink_add(&s, rec->line, "the header must be area_code,category,unit");
        goto out;
    }
    while (csv_read(&rd, rec)) {
        if (res != NULL)
            res->rows++;
        if (n == ROUTING_MAX_RULES) {
            sink_add(&s, rec->line, "more than %d rules", ROUTING_MAX_RULES);
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = xreallocarray(rows, cap, sizeof(rows[0]));
        }
        struct pending *p = &rows[n++];
        p->is_bad = pending_from_record(rec, tax, p, &s) != 0;
    }
    /* Duplicates among the good rows, reported on the later line. An empty file of rules is
     * fine: every case then goes to its category's default department. */
    if (n > 0)
        qsort(rows, n, sizeof(rows[0]), compare_pending);
    size_t first = 0;
    for (size_t i = 0; i < n; i++) {
        if (rows[i].is_bad)
            continue;
        if (i > first && !rows[first].is_bad &&
            compare_key(rows[first].rule.area_code, rows[first].rule.category,
                        rows[i].rule.area_code, rows[i].rule.category) == 0) {
            sink_add(&s, rows[i].line,
                     "duplicate rule for area '%s' and category '%s' (first "
                     "on line %zu)",
                     rows[i].rule.area_code, rows[i].rule.category, rows[first].line);
            continue;
        }
        first = i;
    }
    if (s.count > 0)
        goto out;
    table = routing_new();
    table->rules = xcalloc(n ? n : 1, sizeof(table->rules[0]));
    table->cap = n ? n : 1;
    for (size_t i = 0; i < n; i++)
        table->rules[i] = rows[i].rule;
    table->n = n;
    if (res != NULL)
        res->imported = n;
    *out = table;
    table = NULL;
    r = 0;
out:
    if (r != 0) {
        if (s.count == 0)
            r = errbuf_set(eb, ERR_INTERNAL, "routing file: failed without a reason");
        else if (s.first_line == 0)
            r = errbuf_set(eb, ERR_INVALID, "routing file: %zu problem%s; %s", s.count,
                           s.count == 1 ? "" : "s", s.first_reason);
        else
            r = errbuf_set(eb, ERR_INVALID, "routing file: %zu problem%s; line %zu: %s", s.count,
                           s.count == 1 ? "" : "s", s.first_line, s.first_reason);
    }
    routing_free(table);
    free(rows);
    free(rec);
    return r;
}

int routing_write_csv(const struct routing *r, struct buf *out)
{
    int rc = 0;
    for (int i = 0; rc == 0 && i < N_CSV_COLUMNS; i++)
        rc = csv_write_field(out, csv_header[i], i == N_CSV_COLUMNS - 1);
    for (size_t i = 0; rc == 0 && i < r->n; i++) {
        const struct routing_rule *rule = &r->rules[i];
        rc = csv_write_field(out, rule->area_code, 0);
        if (rc == 0)
            rc = csv_write_field(out, rule->category, 0);
        if (rc == 0)
            rc = csv_write_field(out, rule->unit, 1);
    }
    return rc;
}
