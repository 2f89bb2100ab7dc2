/*
 * cli_areas.c - `gridgov init`, `import areas`, `export areas` and `locate`.
 */
#include "cli/cli.h"

#include "base/buf.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/areas.h"
#include "service/context.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT_FILE_MAX ((size_t)1024 * 1024 * 1024)

/* Parse "--db FILE" (the only flag these commands share) plus the given extra options. */
static int parse_db_flag(int argc, char **argv, struct config *cfg, const char *usage)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(cfg, "db", optarg, NULL) != 0)
                return 2;
            break;
        case 'h':
            printf("usage: gridgov %s\n", usage);
            exit(0);
        default:
            fprintf(stderr, "usage: gridgov %s\n", usage);
            return 2;
        }
    }
    return 0;
}

int cli_init(int argc, char **argv)
{
    static const char usage[] = "init --db FILE";
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    int version = 0, r;

    if (cli_config_load(&cfg) != 0 || parse_db_flag(argc, argv, &cfg, usage) != 0)
        return 2;
    if (optind != argc) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if ((r = store_open(cfg.db, STORE_CREATE, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    store_schema_version(st, &version);
    printf("%s: %s database at schema version %d\n", cfg.db, store_backend(st), version);
    store_close(st);
    if ((r = cli_ensure_key(&cfg)) != 0)
        return r;
    return cli_encrypt_plain_phones(&cfg);
}

int cli_import(int argc, char **argv)
{
    static const char usage[] = "import areas FILE.geojson --db FILE | import "
                                "categories|routing|deadlines FILE.csv --db FILE | import "
                                "open311 FILE.csv... --db FILE [--mapping MAP.csv]";
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct area_import_result *res = NULL;
    char *text = NULL;
    size_t len = 0;
    int r, status = 1;
    enum bd_kind kind;

    if (argc >= 2 && strcmp(argv[1], "open311") == 0)
        return cli_import_open311(argc - 1, argv + 1);
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (argc > 1 && bd_kind_parse(argv[1], &kind) == 0)
        return cli_import_basedata(argc, argv, &cfg);
    if (argc > 1 && strcmp(argv[1], "survey-responses") == 0)
        return cli_import_survey_responses(argc, argv, &cfg);
    if (argc > 1 && strcmp(argv[1], "rating-settings") == 0)
        return cli_import_rating_settings(argc, argv, &cfg);
    if (parse_db_flag(argc, argv, &cfg, usage) != 0)
        return 2;
    if (argc - optind == 2 &&
        (strcmp(argv[optind], "categories") == 0 || strcmp(argv[optind], "routing") == 0 ||
         strcmp(argv[optind], "deadlines") == 0))
        return cli_import_rules(argv[optind], argv[optind + 1], &cfg);
    if (argc - optind != 2 || strcmp(argv[optind], "areas") != 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    const char *path = argv[optind + 1];
    if ((r = cli_read_file(path, IMPORT_FILE_MAX, &text, &len)) != 0)
        return cli_fail(path, r, r == ERR_TOO_LARGE ? "file larger than 1 GiB" : strerror(errno));
    if ((r = service_ctx_open(&cfg, STORE_CREATE, &ctx, &eb)) != 0) {
        status = cli_fail(cfg.db, r, eb.msg);
        goto out;
    }
    res = xcalloc(1, sizeof(*res));
    r = areas_import_geojson(ctx, text, len, res, &eb);
    for (size_t i = 0; i < res->n_problems && i < AREAS_IMPORT_MAX_PROBLEMS; i++) {
        const struct area_import_problem *p = &res->problems[i];
        if (p->feature == 0)
            fprintf(stderr, "%s: %s\n", path, p->reason);
        else
            fprintf(stderr, "%s: feature %zu%s%s%s: %s\n", path, p->feature, p->code[0] ? " (" : "",
                    p->code, p->code[0] ? ")" : "", p->reason);
    }
    if (res->n_problems > AREAS_IMPORT_MAX_PROBLEMS)
        fprintf(stderr, "%s: ... and %zu more problems\n", path,
                res->n_problems - AREAS_IMPORT_MAX_PROBLEMS);
    if (r != 0) {
        status = cli_fail(path, r, eb.msg);
        goto out;
    }
    printf("%s: imported %zu areas\n", path, res->imported);
    status = 0;
out:
    free(res);
    free(text);
    service_ctx_free(ctx);
    return status;
}

int cli_export(int argc, char **argv)
{
    static const char usage[] = "export areas --db FILE [--root CODE] [--out FILE]";
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"root", required_argument, NULL, 'r'},
                                         {"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct buf out;
    const char *root = NULL, *out_path = NULL;
    int c, r, status = 1;
    enum bd_kind kind;

    if (cli_config_load(&cfg) != 0)
        return 2;
    if (argc > 1 && bd_kind_parse(argv[1], &kind) == 0)
        return cli_export_basedata(argc, argv, &cfg);
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:r:o:", opts, NULL)) != -1) {
        if (c == 'd' && config_set(&cfg, "db", optarg, NULL) == 0)
            continue;
        if (c == 'r') {
            root = optarg;
            continue;
        }
        if (c == 'o') {
            out_path = optarg;
            continue;
        }
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if (argc - optind == 1 && strcmp(argv[optind], "categories") == 0)
        return cli_export_categories(&cfg, stdout);
    if (argc - optind != 1 || strcmp(argv[optind], "areas") != 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    buf_init(&out, (size_t)4 << 30);
    if ((r = store_open(cfg.db, STORE_READONLY, &st, &eb)) != 0) {
        status = cli_fail(cfg.db, r, eb.msg);
        goto done;
    }
    r = areas_write_geojson(st, root ? root : "", 0, AREA_LEVEL_MAX, &out);
    if (r != 0) {
        status = cli_fail("export", r, r == ERR_NOT_FOUND ? "no such area" : NULL);
        goto done;
    }
    FILE *f = out_path ? fopen(out_path, "wb") : stdout;
    if (f == NULL) {
        status = cli_fail(out_path, ERR_IO, strerror(errno));
        goto done;
    }
    int is_written = fwrite(out.data, 1, out.len, f) == out.len && fputc('\n', f) != EOF;
    int is_closed;
    if (out_path != NULL)
        is_closed = fclose(f) == 0;
    else
        is_closed = fflush(f) == 0;
    if (!is_written || !is_closed) {
        status = cli_fail(out_path ? out_path : "stdout", ERR_IO, strerror(errno));
        goto done;
    }
    status = 0;
done:
    buf_cleanup(&out);
    store_close(st);
    return status;
}

static int parse_coordinate(const char *s, double min, double max, double *out)
{
    char *end = NULL;
    errno = 0;
    double d = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(d) || d < min || d > max)
        return ERR_INVALID;
    *out = d;
    return 0;
}

int cli_locate(int argc, char **argv)
{
    static const char usage[] = "locate --db FILE LON LAT";
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct area_path path;
    double lon, lat;
    int r;

    if (cli_config_load(&cfg) != 0 || parse_db_flag(argc, argv, &cfg, usage) != 0)
        return 2;
    if (argc - optind != 2 || parse_coordinate(argv[optind], -180, 180, &lon) != 0 ||
        parse_coordinate(argv[optind + 1], -90, 90, &lat) != 0) {
        fprintf(stderr, "usage: gridgov %s  (LON in -180..180, LAT in -90..90)\n", usage);
        return 2;
    }
    if ((r = service_ctx_open(&cfg, STORE_READONLY, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = areas_locate(ctx, lon, lat, &path);
    service_ctx_free(ctx);
    if (r == ERR_NOT_FOUND)
        return cli_fail("locate", r, "no area contains this point");
    if (r != 0)
        return cli_fail("locate", r, NULL);
    for (int i = 0; i < path.len; i++)
        printf("%-10s %-18s %s\n", areacode_level_name(path.items[i].level), path.items[i].code,
               path.items[i].name);
    return 0;
}
