/*
 * cli_import311.c - `gridgov import open311 FILE... [--mapping MAP.csv] [--area CODE]
 * [--default-category CODE] [--zone ZONE] [--format csv|json|xml]`: other cities' 311 exports
 * (CSV, or GeoReport JSON/XML responses) as historical cases (service/import311.h). Prints the
 * first warnings, a summary per run and the services that went to the default category, so a
 * mapping file can be written for them.
 */
#include "cli/cli.h"

#include "service/context.h"
#include "service/import311.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT311_FILE_MAX   ((size_t)1024 * 1024 * 1024)
#define IMPORT311_WARN_SHOWN 50

static const char import311_usage[] =
    "usage: gridgov import open311 FILE... --db FILE [--mapping MAP.csv] [--area CODE]\n"
    "                              [--default-category CODE] [--zone UTC|+HH:MM|US/Eastern|"
    "US/Pacific]\n"
    "                              [--format csv|json|xml]\n"
    "FILE is a CSV export or a GeoReport v2 response (requests.json / requests.xml); the\n"
    "format is detected from the content unless --format is given. Boston, San Francisco and\n"
    "GeoReport bulk CSV layouts are recognised by their header; other layouts need\n"
    "'column,ROLE,HEADER' rows in the mapping file (kind,from,to).\n";

struct warn_sink {
    const char *file;
    int64_t shown;
};

static void print_warning(void *ctx, size_t line, const char *message)
{
    struct warn_sink *w = ctx;
    if (w->shown++ >= IMPORT311_WARN_SHOWN)
        return;
    if (line)
        fprintf(stderr, "%s:%zu: warning: %s\n", w->file, line, message);
    else
        fprintf(stderr, "%s: warning: %s\n", w->file, message);
}

int cli_import_open311(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"mapping", required_argument, NULL, 'm'},
                                         {"area", required_argument, NULL, 'a'},
                                         {"default-category", required_argument, NULL, 'c'},
                                         {"zone", required_argument, NULL, 'z'},
                                         {"format", required_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct import311_options opt;
    struct import311_mapping *mapping = NULL;
    struct import311_stats *stats = NULL;
    struct service_ctx *ctx = NULL;
    const char *mapping_path = NULL;
    struct warn_sink sink = {NULL, 0};
    int c, r, status = 1;

    memset(&opt, 0, sizeof(opt));
    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:m:a:c:z:f:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, &eb) != 0)
                return cli_fail("--db", ERR_INVALID, eb.msg);
            break;
        case 'm':
            mapping_path = optarg;
            break;
        case 'a':
            opt.fallback_area = optarg;
            break;
        case 'c':
            opt.default_category = optarg;
            break;
        case 'z':
            opt.zone = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "csv") == 0)
                opt.format = IMPORT311_CSV;
            else if (strcmp(optarg, "json") == 0)
                opt.format = IMPORT311_JSON;
            else if (strcmp(optarg, "xml") == 0)
                opt.format = IMPORT311_XML;
            else
                return cli_fail("--format", ERR_INVALID, "must be csv, json or xml");
            break;
        default:
            fputs(import311_usage, stderr);
            return 2;
        }
    }
    if (optind >= argc) {
        fputs(import311_usage, stderr);
        return 2;
    }
    if (mapping_path != NULL) {
        char *text = NULL;
        size_t len = 0;
        if ((r = cli_read_file(mapping_path, (size_t)16 << 20, &text, &len)) != 0)
            return cli_fail(mapping_path, r, strerror(errno));
        r = import311_mapping_parse(text, len, &mapping, &eb);
        free(text);
        if (r != 0)
            return cli_fail(mapping_path, r, eb.msg);
        opt.mapping = mapping;
    }
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0) {
        status = cli_fail(cfg.db, r, eb.msg);
        goto out;
    }
    stats = calloc(1, sizeof(*stats));
    if (stats == NULL)
        goto out;
    for (int i = optind; i < argc; i++) {
        char *text = NULL;
        size_t len = 0;
        int64_t before = stats->imported;
        if ((r = cli_read_file(argv[i], IMPORT311_FILE_MAX, &text, &len)) != 0) {
            status = cli_fail(argv[i], r, strerror(errno));
            goto out;
        }
        sink.file = argv[i];
        errbuf_clear(&eb);
        r = import311_file(ctx, argv[i], text, len, &opt, stats, print_warning, &sink, &eb);
        free(text);
        if (r != 0) {
            status = cli_fail(argv[i], r, eb.msg);
            goto out;
        }
        printf("%s: %s layout, %lld cases imported\n", argv[i], stats->layout,
               (long long)(stats->imported - before));
    }
    if (sink.shown > IMPORT311_WARN_SHOWN)
        fprintf(stderr, "... and %lld more warnings\n",
                (long long)(sink.shown - IMPORT311_WARN_SHOWN));
    printf("rows %lld: imported %lld (closed %lld), already imported %lld, skipped %lld, "
           "warnings %lld\n",
           (long long)stats->rows, (long long)stats->imported, (long long)stats->closed,
           (long long)stats->duplicates, (long long)stats->skipped, (long long)stats->warnings);
    if (stats->unmapped > 0) {
        printf("%lld rows went to the default category; most frequent unmapped services:\n",
               (long long)stats->unmapped);
        for (int k = 0; k < IMPORT311_TOP_UNMAPPED && stats->top_unmapped[k].count > 0; k++)
            printf("  %6lld  %s\n", (long long)stats->top_unmapped[k].count,
                   stats->top_unmapped[k].name);
        printf("map them with lines like: service,<name>,<category code> in --mapping\n");
    }
    status = 0;
out:
    free(stats);
    import311_mapping_free(mapping);
    service_ctx_free(ctx);
    return status;
}
