/*
 * visit.h - how often a household must be visited (SPEC section 5; the county practice in
 * reference/standards.md section 5.4: ordinary households twice a year; households in need or
 * under attention -- empty-nest elderly, people under community correction, families in
 * difficulty, migrants -- monthly) and how overdue a household is.
 *
 * The rules are a small table: a default interval, and one interval per person tag (the
 * care/attention tags of domain/basedata.h) or per household kind ("kind:<code>"). A
 * household's interval is the shortest that applies to it or to any of its members. The table
 * has built-in defaults and may be replaced by a CSV document "rule,interval_days" (kept in
 * the database, see service/visits.h). Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_VISIT_H
#define GRIDGOV_DOMAIN_VISIT_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;

#define VISIT_RULES_MAX     48
#define VISIT_RULE_NAME_MAX 40
#define VISIT_DEFAULT_DAYS  182 /* ordinary households: twice a year */
#define VISIT_DAY_MS        ((int64_t)86400000)

struct visit_rule {
    char name[VISIT_RULE_NAME_MAX]; /* a person tag, "kind:<household kind>" or "default" */
    int interval_days;              /* 1..3660 */
};

struct visit_rules {
    int default_days;
    struct visit_rule rules[VISIT_RULES_MAX];
    int n;
};

/* The built-in rules (standards.md 5.4). */
void visit_rules_default(struct visit_rules *out);
/*
 * Parse a CSV document "rule,interval_days" (a header row naming those two columns first; a
 * "default" row sets the default; other rows name a person tag of bd_person_tags or
 * "kind:" + a household kind). Returns 0 or ERR_INVALID naming the line.
 */
int visit_rules_parse(const char *text, size_t len, struct visit_rules *out, struct errbuf *eb);

/* The visit interval in days of a household of kind (may be NULL) whose members carry tags:
 * tags[i] is one member's comma-separated tag list. The reason (the rule that set it, or
 * "default") goes to why (may be NULL, VISIT_RULE_NAME_MAX bytes). */
int visit_interval_days(const struct visit_rules *r, const char *kind, const char *const *tags,
                        size_t n_tags, char *why);

/* How many whole days past due the household is at now_ms: since the last visit (or, never
 * visited, since its file was opened at since_ms) minus the interval. Negative: not due yet. */
int64_t visit_days_overdue(int64_t last_visit_ms, int64_t since_ms, int interval_days,
                           int64_t now_ms);

#endif
