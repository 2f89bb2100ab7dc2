/*
 * rules.h - the case-handling configuration a city sets: the category taxonomy, the
 * working-day calendar, the routing table and the deadline rules.
 *
 * Each is kept in the store as a document in its own CSV format (meta keys categories_csv,
 * calendar_csv, routing_csv, deadlines_csv), written by `gridgov import
 * categories|routing|deadlines` and `gridgov
 * calendar import` through rules_store_*, so there is one parser per format and the same text
 * can be exported and re-imported. A missing document means the built-in default (the default
 * taxonomy, Monday–Friday without holidays, no routing rules: every category goes to its
 * default department, the practice deadline defaults of deadline.h with no overrides).
 *
 * A loaded struct case_rules is immutable and owned by one service context; rules_get
 * reloads it when the store's rules_version changed (another process imported something),
 * which a request checks once, at its first need (service_ctx_versions, context.h).
 */
#ifndef GRIDGOV_SERVICE_RULES_H
#define GRIDGOV_SERVICE_RULES_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

struct store;
struct taxonomy;
struct calendar;
struct routing;
struct deadline_rules;
struct service_ctx;

#define RULES_VERSION_KEY "rules_version" /* the meta key bumped by every rules_store_* */

struct case_rules {
    struct taxonomy *tax;             /* owned */
    struct calendar *cal;             /* owned */
    struct routing *routing;          /* owned */
    struct deadline_rules *deadlines; /* owned */
    int64_t version;                  /* the store's rules_version it was loaded at */
};

/* Load the rules from the store (defaults for missing documents). Caller frees. */
int rules_load(struct store *st, struct case_rules **out, struct errbuf *eb);
void rules_free(struct case_rules *rules);
/* The context's rules, reloaded if the store's rules_version moved (within a request: since the
 * version the request read first, service_ctx_versions). Borrowed until the next call on this
 * context. */
int rules_get(struct service_ctx *ctx, const struct case_rules **out);

/* Validate and store a new document (write, one transaction, bumps rules_version). Each is
 * all or nothing; problems are printed by the caller from eb and the parse results. */
int rules_store_categories(struct store *st, const char *csv, size_t len, struct errbuf *eb);
int rules_store_calendar(struct store *st, const char *csv, size_t len, size_t *days,
                         struct errbuf *eb);
int rules_store_routing(struct store *st, const char *csv, size_t len, size_t *rules,
                        struct errbuf *eb);
/* Deadline overrides (deadline.h's CSV), applied on top of the practice defaults. */
int rules_store_deadlines(struct store *st, const char *csv, size_t len, size_t *rows,
                          struct errbuf *eb);

#endif
