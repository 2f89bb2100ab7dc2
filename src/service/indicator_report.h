/*
 * indicator_report.h - the indicator report of an area and period as a file: an XLSX workbook
 * (libxlsxwriter) or one CSV, from the roll-ups (docs/INDICATORS.md).
 *
 * Workbook sheets: 总览 (every indicator of the area, with the settings), 按月 (by month, with
 * charts of volume and of the closure, on-time closure and satisfaction rates), one sheet per
 * level below the area down to three levels (or the grid), 按类别 (by category), 月度考核 (the
 * monthly points table of the area's children). The CSV holds the same rows as the
 * sheets, one table, its first column saying which group a row belongs to.
 *
 * Files are written to PATH.tmp and renamed into place only when complete, so a failure
 * leaves no partial report. Runs on the caller's thread; reads only.
 */
#ifndef GRIDGOV_SERVICE_INDICATOR_REPORT_H
#define GRIDGOV_SERVICE_INDICATOR_REPORT_H

#include "base/error.h"

struct service_ctx;

enum indicator_report_format { INDICATOR_REPORT_XLSX, INDICATOR_REPORT_CSV };

/* Write the report of area (which must exist) for from_day..to_day (YYYYMMDD) to path.
 * ERR_INVALID (bad area or period), ERR_NOT_FOUND (no such area), ERR_IO; eb says which. */
int indicator_report_write(struct service_ctx *ctx, const char *area, int from_day, int to_day,
                           enum indicator_report_format format, const char *path,
                           struct errbuf *eb);

#endif
