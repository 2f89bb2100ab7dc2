/*
 * routing.h - which unit handles a case: a table of area x category -> handling unit
 * (SPEC section 4).
 *
 * A rule names an area subtree (an area code; "" = everywhere), a category (a class "03", a
 * subcategory "0301", or "" = every category) and the handling unit. The rule for a case at
 * area A with category C is chosen by this precedence, the first that exists winning:
 *
 *   1. the area: the rule whose area is the longest prefix of A, i.e. A's own code, then its
 *      parent's, and so on up to the province, then "" (a subtree overrides its parent);
 *   2. within one area, the category: C itself when it is a subcategory, then C's class, then
 *      "" (4 digits over 2 digits over all).
 *
 * So the area decides first: a street's rule for every category beats its district's rule
 * for exactly C. When no rule matches, the case goes to the category's default department in
 * the taxonomy (the subcategory's own, else its class's).
 *
 * Routing only proposes: the unit a case was dispatched to is copied onto the case (the
 * decision is a value, not a pointer into the table), so later changes to the rules never
 * move cases already dispatched.
 *
 * Routing CSV format: the category file's dialect (see taxonomy.h: UTF-8, optional BOM, LF or
 * CRLF, RFC 4180 quotes, blank lines skipped) with the header `area_code,category,unit` and
 * one rule per row: area_code empty or a valid area code (areacode.h), category empty or a
 * category code (of the taxonomy, when one is given), unit a unit code [a-z0-9_] of at most 32
 * bytes; no two rows with the same area_code and category. All or nothing, every bad row
 * reported with its line number.
 *
 * A struct routing is not locked: build it, then share it read-only (routing_resolve() and
 * the getters only read).
 */
#ifndef GRIDGOV_DOMAIN_ROUTING_H
#define GRIDGOV_DOMAIN_ROUTING_H

#include "base/buf.h"
#include "base/error.h"
#include "domain/areacode.h"
#include "domain/taxonomy.h"

#include <stddef.h>

#define ROUTING_MAX_RULES 100000

struct routing_rule {
    char area_code[AREA_CODE_BUF];    /* "" = everywhere */
    char category[TAXONOMY_CODE_BUF]; /* 2 or 4 digits; "" = every category */
    char unit[TAXONOMY_DEPT_BUF];     /* handling unit code */
};

struct routing;

/* An empty table. Caller owns it; never NULL. */
struct routing *routing_new(void);
/* Free a table; NULL is a no-op. */
void routing_free(struct routing *r);

/*
 * Add a copy of rule. ERR_INVALID (reason in eb) for a malformed area code, category code
 * or unit; ERR_EXISTS when a rule for the same area and category is already present;
 * ERR_TOO_LARGE past ROUTING_MAX_RULES.
 */
int routing_add(struct routing *r, const struct routing_rule *rule, struct errbuf *eb);
/* Remove the rule for exactly (area_code, category). ERR_NOT_FOUND. */
int routing_remove(struct routing *r, const char *area_code, const char *category);

/* Number of rules, and the i-th ordered by area code then category (NULL when out of
 * range). Borrowed until the table next changes. */
size_t routing_count(const struct routing *r);
const struct routing_rule *routing_at(const struct routing *r, size_t i);
/* The rule for exactly (area_code, category), or NULL. Borrowed. */
const struct routing_rule *routing_find(const struct routing *r, const char *area_code,
                                        const char *category);

struct routing_decision {
    char unit[TAXONOMY_DEPT_BUF];         /* the handling unit */
    int is_default;                       /* 1: no rule matched; unit is the taxonomy's default */
    struct routing_rule rule;             /* the rule that matched (when !is_default) */
    char default_from[TAXONOMY_CODE_BUF]; /* category whose department was used (is_default) */
};

/*
 * Decide the unit for a case at area_code (a valid area code) with category (2 or 4 digits),
 * by the precedence above. tax supplies the fallback and may be NULL (rules only). Fills *out
 * (cleared on entry). ERR_INVALID for a malformed area or category code; ERR_NOT_FOUND when
 * tax is given and lacks the category, or when no rule matches and there is no default.
 */
int routing_resolve(const struct routing *r, const struct taxonomy *tax, const char *area_code,
                    const char *category, struct routing_decision *out, struct errbuf *eb);

#define ROUTING_IMPORT_MAX_PROBLEMS 100

struct routing_import_problem {
    size_t line;      /* 1-based line where the row starts; 0 = the whole file */
    char reason[200]; /* echoes only values that passed validation */
};

struct routing_import_result {
    size_t rows;       /* data rows read */
    size_t imported;   /* rules in the new table (0 unless all rows were good) */
    size_t n_problems; /* problems found; the first ROUTING_IMPORT_MAX_PROBLEMS are kept */
    struct routing_import_problem problems[ROUTING_IMPORT_MAX_PROBLEMS]; /* by line */
};

/*
 * Parse a routing CSV file (text of len bytes; format above). When tax is not NULL every
 * category must exist in it. On success *out is a new table the caller owns. ERR_INVALID when
 * any row or the file is bad: res lists the problems, eb summarises; *out stays NULL. res is
 * caller storage (about 21 KB) and may be NULL.
 */
int routing_parse_csv(const char *text, size_t len, const struct taxonomy *tax,
                      struct routing **out, struct routing_import_result *res, struct errbuf *eb);

/* Append the table in the CSV format above (header, rules in order, LF line ends) to out.
 * ERR_TOO_LARGE when out's cap is reached. */
int routing_write_csv(const struct routing *r, struct buf *out);

#endif
