/*
 * cli_report.c - `gridgov report indicators --db FILE --area CODE [--from DATE] [--to DATE]
 * (--xlsx FILE | --csv FILE)`: the indicator report of an area and period as a workbook or a
 * CSV file (service/indicator_report.h). Dates are YYYY-MM-DD; --to defaults to today (city
 * time), --from to 1 January of --to's year.
 */
#include "cli/cli.h"

#include "base/timeutil.h"
#include "domain/indicators.h"
#include "service/context.h"
#include "service/indicator_report.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char report_usage[] =
    "usage: gridgov report indicators --db FILE --area CODE [--from YYYY-MM-DD] "
    "[--to YYYY-MM-DD] (--xlsx FILE | --csv FILE)\n";

static int parse_date(const char *s, int *out)
{
    int y, m, d, n = 0;
    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
        n != 10 || !indicator_day_is_valid(y * 10000 + m * 100 + d))
        return ERR_INVALID;
    *out = y * 10000 + m * 100 + d;
    return 0;
}

int cli_report(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {"area", required_argument, NULL, 'a'},
                                            {"from", required_argument, NULL, 'f'},
                                            {"to", required_argument, NULL, 't'},
                                            {"xlsx", required_argument, NULL, 'x'},
                                            {"csv", required_argument, NULL, 'c'},
                                            {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    const char *area = NULL, *from = NULL, *to = NULL, *xlsx = NULL, *csv = NULL;
    int from_day, to_day, c, r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, NULL) != 0)
                return fputs(report_usage, stderr), 2;
            break;
        case 'a':
            area = optarg;
            break;
        case 'f':
            from = optarg;
            break;
        case 't':
            to = optarg;
            break;
        case 'x':
            xlsx = optarg;
            break;
        case 'c':
            csv = optarg;
            break;
        default:
            return fputs(report_usage, stderr), 2;
        }
    }
    if (argc - optind != 1 || strcmp(argv[optind], "indicators") != 0 || area == NULL ||
        (xlsx == NULL) == (csv == NULL)) {
        fputs(report_usage, stderr);
        return 2;
    }
    to_day = indicator_day(time_now_ms());
    if (to != NULL && parse_date(to, &to_day) != 0)
        return cli_fail("report", ERR_INVALID, "--to must be a date YYYY-MM-DD");
    from_day = to_day / 10000 * 10000 + 101;
    if (from != NULL && parse_date(from, &from_day) != 0)
        return cli_fail("report", ERR_INVALID, "--from must be a date YYYY-MM-DD");
    if ((r = service_ctx_open(&cfg, STORE_READONLY, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = indicator_report_write(ctx, area, from_day, to_day,
                               xlsx ? INDICATOR_REPORT_XLSX : INDICATOR_REPORT_CSV,
                               xlsx ? xlsx : csv, &eb);
    service_ctx_free(ctx);
    if (r != 0)
        return cli_fail("report", r, eb.msg);
    printf("report: indicators of %s from %d to %d written to %s\n", area, from_day, to_day,
           xlsx ? xlsx : csv);
    return 0;
}
