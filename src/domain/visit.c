/*
 * visit.c - visit cadence by risk (see visit.h). Pure; thread-safe.
 */
#include "domain/visit.h"

#include "base/error.h"
#include "domain/basedata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Monthly for those standards.md names (困难家庭, 空巢老人, 社区矫正, 流动人员) and for the
 * groups a grid worker must follow as closely (disabilities, left-behind children, severe
 * mental disorders, drug rehabilitation, released prisoners, key youth, petitioners);
 * quarterly for the elderly, veterans, the unemployed and expectant mothers. */
static const struct visit_rule builtin[] = {
    {"elderly_alone", 30},     {"disabled", 30},
    {"left_behind_child", 30}, {"community_correction", 30},
    {"mental_disorder", 30},   {"drug_rehab", 30},
    {"released_prisoner", 30}, {"key_youth", 30},
    {"petitioner", 30},        {"low_income", 30},
    {"needs_assistance", 30},  {"kind:non_registered_family", 30},
    {"elderly", 90},           {"left_behind_elder", 90},
    {"veteran", 90},           {"unemployed", 90},
    {"pregnant", 90},
};

void visit_rules_default(struct visit_rules *out)
{
    memset(out, 0, sizeof(*out));
    out->default_days = VISIT_DEFAULT_DAYS;
    for (size_t i = 0; i < sizeof(builtin) / sizeof(builtin[0]); i++)
        out->rules[out->n++] = builtin[i];
}

static int is_person_tag(const char *name)
{
    for (const char *const *t = bd_person_tags; *t; t++)
        if (strcmp(*t, name) == 0)
            return 1;
    return 0;
}

static int is_household_kind(const char *name)
{
    static const char *const kinds[] = {"registered_family", "non_registered_family", "business",
                                        "social_org", NULL};
    for (const char *const *k = kinds; *k; k++)
        if (strcmp(*k, name) == 0)
            return 1;
    return 0;
}

/* Trim spaces and a trailing CR in place. */
static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

int visit_rules_parse(const char *text, size_t len, struct visit_rules *out, struct errbuf *eb)
{
    size_t pos = 0;
    int line = 0, seen_header = 0;
    memset(out, 0, sizeof(*out));
    out->default_days = VISIT_DEFAULT_DAYS;
    while (pos < len) {
        char row[128], *comma, *name, *days, *end;
        size_t n = 0;
        long v;
        line++;
        while (pos + n < len && text[pos + n] != '\n')
            n++;
        if (n >= sizeof(row))
            return errbuf_set(eb, ERR_INVALID, "visit rules line %d is too long", line);
        memcpy(row, text + pos, n);
        row[n] = '\0';
        pos += n + 1;
        if (trim(row)[0] == '\0')
            continue;
        if ((comma = strchr(row, ',')) == NULL || strchr(comma + 1, ',') != NULL)
            return errbuf_set(eb, ERR_INVALID, "visit rules line %d: expected rule,interval_days",
                              line);
        *comma = '\0';
        name = trim(row);
        days = trim(comma + 1);
        if (!seen_header) {
            if (strcmp(name, "rule") != 0 || strcmp(days, "interval_days") != 0)
                return errbuf_set(eb, ERR_INVALID,
                                  "visit rules line %d: the header must be rule,interval_days",
                                  line);
            seen_header = 1;
            continue;
        }
        v = strtol(days, &end, 10);
        if (end == days || *end != '\0' || v < 1 || v > 3660)
            return errbuf_set(eb, ERR_INVALID, "visit rules line %d: interval_days must be 1..3660",
                              line);
        if (strcmp(name, "default") == 0) {
            out->default_days = (int)v;
            continue;
        }
        if (!(is_person_tag(name) ||
              (strncmp(name, "kind:", 5) == 0 && is_household_kind(name + 5))))
            return errbuf_set(eb, ERR_INVALID,
                              "visit rules line %d: '%.40s' is neither a person tag nor "
                              "kind:<household kind>",
                              line, name);
        if (out->n >= VISIT_RULES_MAX)
            return errbuf_set(eb, ERR_INVALID, "at most %d visit rules", VISIT_RULES_MAX);
        snprintf(out->rules[out->n].name, VISIT_RULE_NAME_MAX, "%s", name);
        out->rules[out->n].interval_days = (int)v;
        out->n++;
    }
    if (!seen_header)
        return errbuf_set(eb, ERR_INVALID, "the visit rules are empty");
    return 0;
}

/* 1 when the comma list has tag as one of its items. */
static int list_has(const char *list, const char *tag)
{
    size_t n = strlen(tag);
    const char *p = list;
    while (p && *p) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, tag, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

int visit_interval_days(const struct visit_rules *r, const char *kind, const char *const *tags,
                        size_t n_tags, char *why)
{
    int best = r->default_days;
    if (why)
        snprintf(why, VISIT_RULE_NAME_MAX, "%s", "default");
    for (int i = 0; i < r->n; i++) {
        const struct visit_rule *rule = &r->rules[i];
        int applies = 0;
        if (strncmp(rule->name, "kind:", 5) == 0) {
            applies = kind != NULL && strcmp(kind, rule->name + 5) == 0;
        } else {
            for (size_t t = 0; t < n_tags && !applies; t++)
                applies = list_has(tags[t], rule->name);
        }
        if (applies && rule->interval_days < best) {
            best = rule->interval_days;
            if (why)
                snprintf(why, VISIT_RULE_NAME_MAX, "%s", rule->name);
        }
    }
    return best;
}

int64_t visit_days_overdue(int64_t last_visit_ms, int64_t since_ms, int interval_days,
                           int64_t now_ms)
{
    int64_t from = last_visit_ms > 0 ? last_visit_ms : since_ms;
    int64_t elapsed = now_ms - from;
    /* whole days elapsed, rounding towards minus infinity */
    int64_t days =
        elapsed >= 0 ? elapsed / VISIT_DAY_MS : -((-elapsed + VISIT_DAY_MS - 1) / VISIT_DAY_MS);
    return days - interval_days;
}
