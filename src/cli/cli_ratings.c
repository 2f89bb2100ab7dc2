/*
 * cli_ratings.c - the ratings and surveys commands (issue 7, item 4):
 *
 *   gridgov rate stars --year Y [--area CODE] --db FILE
 *       rate the year's communities (once; every top-level area when --area is absent)
 *   gridgov import survey-responses SURVEY_ID FILE.csv --db FILE
 *       paper answers: good rows imported, bad rows listed with their line (exit 1 if any)
 *   gridgov import rating-settings FILE.csv --db FILE
 *       the weights and star thresholds (docs/INDICATORS.md, "Ratings")
 */
#include "cli/cli.h"

#include "base/config.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/ratings.h"
#include "service/surveys.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SURVEY_CSV_MAX (64u << 20) /* bytes of an imported file */

/* --db (and the extra options of opts) into cfg; positional arguments stay from optind. */
static int parse_db(int argc, char **argv, struct config *cfg, const char *usage, int *year,
                    const char **area)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"year", required_argument, NULL, 'y'},
                                         {"area", required_argument, NULL, 'a'},
                                         {NULL, 0, NULL, 0}};
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:y:a:", opts, NULL)) != -1) {
        if (c == 'd' && config_set(cfg, "db", optarg, NULL) == 0)
            continue;
        if (c == 'y' && year != NULL) {
            char *end = NULL;
            long y = strtol(optarg, &end, 10);
            if (*end == '\0' && y >= 2000 && y <= 2199) {
                *year = (int)y;
                continue;
            }
        }
        if (c == 'a' && area != NULL) {
            *area = optarg;
            continue;
        }
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    return 0;
}

/* Rate one root; prints what happened. 0 or the error. */
static int rate_one(struct service_ctx *ctx, const struct config *cfg, const char *area, int year)
{
    struct errbuf eb = {{0}};
    int64_t rated = 0;
    int r = ratings_rate_stars(ctx->st, cfg, area, year, 0, time_now_ms(), &rated, &eb);
    if (r != 0)
        return cli_fail(area, r, eb.msg), r;
    printf("%s: rated %lld communities for %d\n", area, (long long)rated, year);
    return 0;
}

/* The shallowest areas (the roots of the tree). */
struct roots {
    int level;
    char (*codes)[AREA_CODE_BUF];
    size_t n, cap;
};

static int on_root(void *arg, const struct area *a)
{
    struct roots *roots = arg;
    if (a->level != roots->level)
        return 0;
    if (roots->n == roots->cap) {
        roots->cap = roots->cap ? roots->cap * 2 : 8;
        roots->codes = xrealloc(roots->codes, roots->cap * sizeof(*roots->codes));
    }
    snprintf(roots->codes[roots->n++], AREA_CODE_BUF, "%s", a->code);
    return 0;
}

int cli_rate(int argc, char **argv)
{
    static const char usage[] = "rate stars --year Y [--area CODE] --db FILE";
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    const char *area = NULL;
    int year = 0, status = 1;
    if (cli_config_load(&cfg) != 0 || parse_db(argc, argv, &cfg, usage, &year, &area) != 0)
        return 2;
    if (argc - optind != 1 || strcmp(argv[optind], "stars") != 0 || year == 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if (service_ctx_open(&cfg, 0, &ctx, &eb) != 0)
        return cli_fail(cfg.db, ERR_IO, eb.msg);
    if (area != NULL) {
        status = rate_one(ctx, &cfg, area, year) == 0 ? 0 : 1;
    } else {
        struct roots roots = {0};
        int r = store_area_min_level(ctx->st, &roots.level);
        if (r == 0 && roots.level > 0)
            r = store_area_walk(ctx->st, "", roots.level, 0, on_root, &roots);
        if (r != 0)
            cli_fail(cfg.db, r, "cannot list the areas");
        else if (roots.n == 0)
            cli_fail(cfg.db, ERR_NOT_FOUND, "no areas imported");
        else
            status = 0;
        for (size_t i = 0; r == 0 && i < roots.n; i++)
            if (rate_one(ctx, &cfg, roots.codes[i], year) != 0)
                status = 1;
        free(roots.codes);
    }
    service_ctx_free(ctx);
    return status;
}

static void print_reject(void *ctx, size_t line, const char *reason)
{
    fprintf(stderr, "%s:%zu: %s\n", (const char *)ctx, line, reason);
}

int cli_import_survey_responses(int argc, char **argv, const struct config *cfg_in)
{
    static const char usage[] = "import survey-responses SURVEY_ID FILE.csv --db FILE";
    struct config cfg = *cfg_in;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct survey_import_stats stats;
    char *text = NULL, *end = NULL;
    size_t len = 0;
    long long id;
    const char *path;
    int r, status = 1;
    if (parse_db(argc, argv, &cfg, usage, NULL, NULL) != 0)
        return 2;
    if (argc - optind != 3 || strcmp(argv[optind], "survey-responses") != 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    id = strtoll(argv[optind + 1], &end, 10);
    if (*end != '\0' || id <= 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    path = argv[optind + 2];
    if ((r = cli_read_file(path, SURVEY_CSV_MAX, &text, &len)) != 0)
        return cli_fail(path, r, r == ERR_TOO_LARGE ? "file larger than 64 MiB" : strerror(errno));
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0) {
        status = cli_fail(cfg.db, r, eb.msg);
        goto out;
    }
    r = surveys_import_csv(ctx->st, id, text, len, time_now_ms(), print_reject, (void *)path,
                           &stats, &eb);
    if (r != 0) {
        status = cli_fail(path, r, eb.msg);
        goto out;
    }
    printf("%s: %lld rows: %lld imported, %lld already there, %lld rejected\n", path,
           (long long)stats.rows, (long long)stats.imported, (long long)stats.already,
           (long long)stats.rejected);
    status = stats.rejected > 0 ? 1 : 0;
out:
    free(text);
    service_ctx_free(ctx);
    return status;
}

int cli_import_rating_settings(int argc, char **argv, const struct config *cfg_in)
{
    static const char usage[] = "import rating-settings FILE.csv --db FILE";
    struct config cfg = *cfg_in;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    char *text = NULL;
    size_t len = 0;
    const char *path;
    int r, status = 1;
    if (parse_db(argc, argv, &cfg, usage, NULL, NULL) != 0)
        return 2;
    if (argc - optind != 2 || strcmp(argv[optind], "rating-settings") != 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    path = argv[optind + 1];
    if ((r = cli_read_file(path, SURVEY_CSV_MAX, &text, &len)) != 0)
        return cli_fail(path, r, r == ERR_TOO_LARGE ? "file larger than 64 MiB" : strerror(errno));
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0) {
        status = cli_fail(cfg.db, r, eb.msg);
        goto out;
    }
    if ((r = ratings_settings_store(ctx->st, text, len, &eb)) != 0) {
        status = cli_fail(path, r, eb.msg);
        goto out;
    }
    printf("%s: rating settings stored\n", path);
    status = 0;
out:
    free(text);
    service_ctx_free(ctx);
    return status;
}
