/*
 * taxonomy.h - the case category taxonomy and the handling departments (SPEC section 4).
 *
 * Categories form two levels with digit codes after the city-management standards (CJ/T 214,
 * GB/T 30428): a top-level class has 2 digits ("03"), a subcategory 4 digits whose first two
 * are its class ("0301"). Neither part may be "00" (the standards use 00 for "the class
 * itself"). A case may be categorised at either level; a 2-digit category means "this class,
 * no finer subcategory fits".
 *
 * Each category carries its default handling department (a stable unit code such as
 * "water_affairs") and its deadlines per urgency (normal, urgent, emergency), both counted in
 * working time on the work calendar:
 *   - the response limit (accept or contact the reporter) in working minutes;
 *   - the resolution limit as an amount and a unit, 'h' working hours or 'd' working days,
 *     because practice ranges from "2 hours" (a missing manhole cover) to "15 working days"
 *     (land, school places). Converting days to a moment is the calendar's business.
 * A more urgent level never has a longer limit than a less urgent one, and each resolution
 * limit is at least its response limit; for these comparisons only, a working day counts as
 * TAXONOMY_NOMINAL_DAY_HOURS hours.
 *
 * A taxonomy is immutable once built, so any number of threads may read one at a time. The
 * built-in default is a table in taxonomy.c; `gridgov import categories FILE.csv` replaces it
 * with taxonomy_parse_csv() and `gridgov export categories` writes it with taxonomy_write_csv().
 *
 * Category CSV format (UTF-8, optional BOM, LF or CRLF line ends, RFC 4180 quoting: fields
 * with commas, quotes or line breaks are enclosed in double quotes and a quote inside is
 * doubled; spaces around unquoted fields are ignored; blank lines are skipped). The first line
 * is exactly this header, one row per category after it, in any order:
 *
 *   code,parent,name_zh,name_en,department,response_normal,response_urgent,response_emergency,
 *   resolve_normal,resolve_urgent,resolve_emergency          (one line in the file)
 *
 *   code        2 digits (class) or 4 digits (subcategory), unique
 *   parent      empty for a class; for a subcategory its first 2 digits, a class in the file
 *   name_zh     Chinese name, name_en English name: non-empty UTF-8, at most 96 bytes each
 *   department  unit code [a-z0-9_], at most 32 bytes; required for a class, may be empty for a
 *               subcategory, which then uses its class's department
 *   response_*  working minutes, a positive integer, e.g. "60" (at most 2400)
 *   resolve_*   "<n>h" working hours (n at most 72) or "<n>d" working days (n at most 60),
 *               e.g. "4h", "5d"
 *
 * The file is taken all or nothing: every row is checked, every bad row is reported with its
 * line number and reason, and nothing is returned unless all rows are good.
 */
#ifndef GRIDGOV_DOMAIN_TAXONOMY_H
#define GRIDGOV_DOMAIN_TAXONOMY_H

#include "base/buf.h"
#include "base/csv.h"
#include "base/error.h"

#include <stddef.h>

#define TAXONOMY_CODE_BUF       9  /* category code: 2 or 4 digits (room for a longer scheme) */
#define TAXONOMY_NAME_MAX       96 /* bytes of UTF-8 in a name */
#define TAXONOMY_NAME_BUF       (TAXONOMY_NAME_MAX + 1)
#define TAXONOMY_DEPT_MAX       32 /* bytes of a department / handling unit code */
#define TAXONOMY_DEPT_BUF       (TAXONOMY_DEPT_MAX + 1)
#define TAXONOMY_LIMIT_BUF      16   /* formatted limit ("2400", "15d") with its NUL */
#define TAXONOMY_MAX_CATEGORIES 9900 /* 99 classes x (1 + 99 subcategories) */

/* Bounds on the limits a taxonomy may hold ("sane": a typo like 6000d is caught). */
#define TAXONOMY_RESPONSE_MAX_MINUTES 2400 /* 5 working days of 8 hours */
#define TAXONOMY_RESOLVE_MAX_HOURS    72
#define TAXONOMY_RESOLVE_MAX_DAYS     60
#define TAXONOMY_NOMINAL_DAY_HOURS    8 /* only for ordering checks, see above */

enum taxonomy_urgency {
    TAXONOMY_NORMAL = 0,
    TAXONOMY_URGENT,
    TAXONOMY_EMERGENCY,
};
#define TAXONOMY_URGENCY_COUNT 3

/* A resolution limit: amount working hours ('h') or working days ('d'). */
struct taxonomy_limit {
    int amount;
    char unit;
};

struct category {
    char code[TAXONOMY_CODE_BUF];
    char parent[TAXONOMY_CODE_BUF]; /* "" for a class */
    char name_zh[TAXONOMY_NAME_BUF];
    char name_en[TAXONOMY_NAME_BUF];
    char department[TAXONOMY_DEPT_BUF];           /* "" only in a subcategory: use the class's */
    int response_minutes[TAXONOMY_URGENCY_COUNT]; /* indexed by enum taxonomy_urgency */
    struct taxonomy_limit resolve[TAXONOMY_URGENCY_COUNT];
};

struct taxonomy;

/* The built-in taxonomy (table in taxonomy.c). Caller owns the result; never NULL. */
struct taxonomy *taxonomy_new_default(void);

/*
 * Build a taxonomy from n categories in any order (copied; the caller keeps cats), checking
 * everything the CSV import checks. ERR_INVALID with the first problem in eb ("row N" is
 * 1-based in cats). *out is set only on success; the caller owns it.
 */
int taxonomy_new(const struct category *cats, size_t n, struct taxonomy **out, struct errbuf *eb);

/* Free a taxonomy; NULL is a no-op. */
void taxonomy_free(struct taxonomy *tax);

/* Number of categories (classes and subcategories). */
size_t taxonomy_count(const struct taxonomy *tax);

/* The i-th category in code order (a class directly precedes its subcategories); NULL when
 * i is out of range. Borrowed: valid while tax lives. */
const struct category *taxonomy_at(const struct taxonomy *tax, size_t i);

/* The category with this code, or NULL. Borrowed. O(log n). */
const struct category *taxonomy_find(const struct taxonomy *tax, const char *code);

/*
 * Iterate over the children of parent in code order: parent "" yields the classes, a class
 * code its subcategories. Start with *pos = 0; each call returns the next child (borrowed) or
 * NULL at the end:
 *     size_t pos = 0;
 *     for (const struct category *c; (c = taxonomy_next_child(tax, "03", &pos)) != NULL;)
 */
const struct category *taxonomy_next_child(const struct taxonomy *tax, const char *parent,
                                           size_t *pos);

/* The department handling code by default: the category's own, else its class's. NULL for an
 * unknown code. Borrowed. */
const char *taxonomy_department_of(const struct taxonomy *tax, const char *code);

/* 1 if code is a well-formed category code (2 or 4 digits, no "00" part), else 0. */
int taxonomy_code_is_valid(const char *code);

/* 1 if code is a well-formed department / handling unit code ([a-z0-9_], 1 to 32 bytes). */
int taxonomy_unit_code_is_valid(const char *code);

/* Stable name of an urgency ("normal", "urgent", "emergency"); NULL if out of range. */
const char *taxonomy_urgency_name(int urgency);
/* Chinese name ("一般", "紧急", "特急"); NULL if out of range. */
const char *taxonomy_urgency_name_zh(int urgency);
/* Parse a stable urgency name; -1 if unknown. */
int taxonomy_urgency_parse(const char *name);

/* Parse "<n>h" / "<n>d" within the bounds above into *out. ERR_INVALID otherwise. */
int taxonomy_limit_parse(const char *text, struct taxonomy_limit *out);
/* Format a limit as the CSV writes it ("4h", "15d") into out (TAXONOMY_LIMIT_BUF bytes). */
void taxonomy_limit_format(struct taxonomy_limit limit, char *out);

/* ---- Departments ----
 * The default handling units, with stable codes. Imported taxonomies may name other units;
 * those have no entry here and are named by their code. */
struct taxonomy_department {
    const char *code;
    const char *name_zh;
    const char *name_en;
};

/* Number of built-in departments and the i-th (static storage; NULL when out of range). */
size_t taxonomy_department_count(void);
const struct taxonomy_department *taxonomy_department_at(size_t i);
/* Name of a built-in department in lang ("zh..." for Chinese, anything else English); NULL
 * for a code that is not built in. Static storage. */
const char *taxonomy_department_name(const char *code, const char *lang);

/* ---- CSV import and export ---- */

#define TAXONOMY_IMPORT_MAX_PROBLEMS 100

struct taxonomy_import_problem {
    size_t line;                  /* 1-based line where the row starts; 0 = the whole file */
    char code[TAXONOMY_CODE_BUF]; /* the row's code if it was well formed, else "" */
    char reason[200];             /* echoes only values that passed validation */
};

struct taxonomy_import_result {
    size_t rows;       /* data rows read (blank lines not counted) */
    size_t imported;   /* categories in the new taxonomy (0 unless all rows were good) */
    size_t n_problems; /* problems found; only the first TAXONOMY_IMPORT_MAX_PROBLEMS are kept */
    struct taxonomy_import_problem problems[TAXONOMY_IMPORT_MAX_PROBLEMS]; /* by line */
};

/*
 * Parse a category CSV file (text of len bytes, need not be NUL-terminated; format above).
 * On success *out is a new taxonomy the caller owns. ERR_INVALID when any row or the file is
 * bad: res lists the problems and eb summarises them; *out stays NULL. res is caller storage
 * (about 22 KB: allocate it) and may be NULL.
 */
int taxonomy_parse_csv(const char *text, size_t len, struct taxonomy **out,
                       struct taxonomy_import_result *res, struct errbuf *eb);

/* Append tax in the CSV format above (header, then every category in code order, LF line
 * ends, no BOM) to out; taxonomy_parse_csv() reads it back to an equal taxonomy.
 * ERR_TOO_LARGE when out's cap is reached (out then holds a prefix). */
int taxonomy_write_csv(const struct taxonomy *tax, struct buf *out);

#endif
