/*
 * compliance.h - the field-work compliance report of an area over a period (SPEC section 5,
 * issue 5): every grid of the area with its patrols per day against the norm, households
 * unvisited for over 30 days or past their risk interval (as of the end of the period, or now
 * when it is earlier), and the share of cases found by grid workers; every station team linked
 * to the area with its sessions held against scheduled. The figures come from the store,
 * the arithmetic and orders from domain/compliance.h. Needs CAP_COMPLIANCE over the area.
 * Exports as CSV (one list) or XLSX (both lists, one sheet each, via libxlsxwriter).
 */
#ifndef GRIDGOV_SERVICE_COMPLIANCE_H
#define GRIDGOV_SERVICE_COMPLIANCE_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/compliance.h"

#include <stddef.h>
#include <stdint.h>

struct service_ctx;

#define COMPLIANCE_SPAN_MAX_MS (366LL * 86400000)

struct compliance_report {
    char area[19];
    int64_t from_ms, to_ms; /* the period [from, to) */
    int64_t at_ms;          /* the instant visits are judged at: min(to, now) */
    double days;
    struct grid_compliance *grids; /* owned, worst first */
    size_t n_grids;
    struct team_compliance *teams; /* owned, worst first */
    size_t n_teams;
};
void compliance_report_cleanup(struct compliance_report *r);

/* The report of area over [from_ms, to_ms) at now_ms, grids sorted by key. ERR_INVALID
 * (area, period longer than a year or empty), ERR_NOT_FOUND, ERR_FORBIDDEN. */
int compliance_report(struct service_ctx *ctx, const struct principal *p, const char *area,
                      int64_t from_ms, int64_t to_ms, int64_t now_ms, enum compliance_sort key,
                      struct compliance_report *out, struct errbuf *eb);

enum compliance_format { COMPLIANCE_CSV, COMPLIANCE_XLSX };
/* Write the report to path: CSV of the grids (teams when is_teams), or an XLSX workbook with a
 * sheet for each list. ERR_IO. */
int compliance_export(const struct compliance_report *r, enum compliance_format fmt, int is_teams,
                      const char *path, struct errbuf *eb);

#endif
