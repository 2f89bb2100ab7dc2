/*
 * cli_analysis.c - `gridgov backtest`: how well the forecast model (domain/forecast.h) would
 * have predicted the cases in a database, by rolling origin, against the seasonal naive
 * baseline (service/analysis.h, docs/FORECASTING.md).
 *
 *   gridgov backtest --db FILE [--json] [--area CODE] [--by day|week]
 *
 * One series per category class with at least ANALYSIS_BACKTEST_MIN_CASES cases. Prints a
 * table, or with --json one object: by, area, mase_ratio, coverage_80, coverage_95, outcomes
 * and the per-series detail. Read-only.
 */
#include "cli/cli.h"

#include "base/error.h"
#include "base/timeutil.h"
#include "domain/areacode.h"
#include "service/analysis.h"
#include "service/context.h"
#include "store/store.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char backtest_usage[] =
    "usage: gridgov backtest --db FILE [--json] [--area CODE] [--by day|week]\n";

static json_t *backtest_json(const struct analysis_backtest *b, const char *area)
{
    json_t *series = json_array();
    for (size_t i = 0; i < b->len; i++) {
        const struct analysis_backtest_series *s = &b->series[i];
        const struct forecast_backtest_result *res = &s->res;
        json_array_append_new(
            series,
            json_pack("{s:s, s:I, s:I, s:i, s:I, s:f, s:f, s:f, s:f, s:f, s:f}", "category",
                      s->category, "periods", (json_int_t)s->n, "cases", (json_int_t)s->total,
                      "origins", res->origins_used, "outcomes", (json_int_t)res->outcomes, "mase",
                      res->mase_model, "mase_snaive", res->mase_snaive, "mae", res->mae_model,
                      "mae_snaive", res->mae_snaive, "coverage_80",
                      (double)res->covered80 / (double)res->outcomes, "coverage_95",
                      (double)res->covered95 / (double)res->outcomes));
    }
    return json_pack("{s:s, s:o, s:f, s:f, s:f, s:I, s:o}", "by", analysis_by_name(b->by), "area",
                     area[0] ? json_string(area) : json_null(), "mase_ratio", b->mase_ratio,
                     "coverage_80", b->coverage_80, "coverage_95", b->coverage_95, "outcomes",
                     (json_int_t)b->outcomes, "series", series);
}

static void backtest_table(const struct analysis_backtest *b, const char *area)
{
    printf("backtest by %s of %s: rolling origin, %s ahead, against seasonal naive\n",
           analysis_by_name(b->by), area[0] ? area : "every area",
           b->by == ANALYSIS_BY_DAY ? "7 days" : "4 weeks");
    printf("%-8s %8s %8s %8s %8s %8s %8s %8s %8s\n", "category", "cases", "periods", "outcomes",
           "mase", "snaive", "ratio", "cover80", "cover95");
    for (size_t i = 0; i < b->len; i++) {
        const struct analysis_backtest_series *s = &b->series[i];
        const struct forecast_backtest_result *res = &s->res;
        printf("%-8s %8.0f %8zu %8zu %8.3f %8.3f %8.3f %8.3f %8.3f\n", s->category, s->total, s->n,
               res->outcomes, res->mase_model, res->mase_snaive, res->mase_model / res->mase_snaive,
               (double)res->covered80 / (double)res->outcomes,
               (double)res->covered95 / (double)res->outcomes);
    }
    printf("mase_ratio %.3f  coverage_80 %.3f  coverage_95 %.3f  (%zu series, %zu outcomes)\n",
           b->mase_ratio, b->coverage_80, b->coverage_95, b->len, b->outcomes);
}

int cli_backtest(int argc, char **argv)
{
    static const struct option options[] = {
        {"db", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"area", required_argument, NULL, 'a'},
        {"by", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct analysis_backtest bt;
    enum analysis_by by = ANALYSIS_BY_DAY;
    const char *area = "";
    int is_json = 0, c, r;

    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, NULL) != 0)
                return 2;
            break;
        case 'j':
            is_json = 1;
            break;
        case 'a':
            area = optarg;
            break;
        case 'b':
            if (analysis_by_parse(optarg, &by) != 0 || by == ANALYSIS_BY_MONTH) {
                fprintf(stderr, "gridgov: --by must be day or week\n");
                return 2;
            }
            break;
        default:
            fputs(backtest_usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(backtest_usage, stderr);
        return 2;
    }
    if (area[0] && !areacode_is_valid(area)) {
        fprintf(stderr, "gridgov: --area must be an area code (2 to 18 digits)\n");
        return 2;
    }
    if ((r = service_ctx_open(&cfg, STORE_READONLY, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = analysis_backtest(ctx, area, by, time_now_ms(), &bt);
    service_ctx_free(ctx);
    if (r == ERR_NOT_FOUND)
        return cli_fail("backtest", r, "no category has enough cases to backtest");
    if (r != 0)
        return cli_fail("backtest", r, NULL);
    if (is_json) {
        json_t *j = backtest_json(&bt, area);
        char *text = json_dumps(j, JSON_INDENT(2));
        json_decref(j);
        if (text == NULL) {
            analysis_backtest_cleanup(&bt);
            return cli_fail("backtest", ERR_INTERNAL, "cannot format JSON");
        }
        printf("%s\n", text);
        free(text);
    } else {
        backtest_table(&bt, area);
    }
    analysis_backtest_cleanup(&bt);
    return 0;
}
