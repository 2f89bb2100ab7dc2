/*
 * cli_migrate.c - `gridgov migrate --from SRC --to DST`: move a whole database between
 * SQLite and PostgreSQL, either way (store_copy), with a progress bar, then prove the copy:
 * the row counts of every table were compared before the commit; here the indicator roll-ups
 * are rebuilt on the target from its events and every case's hash chain is verified there.
 */
#include "cli/cli.h"

#include "base/progress.h"
#include "service/context.h"
#include "service/history.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static void on_progress(void *ctx, const char *table, int64_t done, int64_t total)
{
    struct progress *p = ctx;
    (void)table;
    p->total = total;
    progress_update(p, done);
}

int cli_migrate(int argc, char **argv)
{
    static const char usage[] =
        "usage: gridgov migrate --from SOURCE --to TARGET\n"
        "  SOURCE and TARGET are a SQLite file and a postgresql:// URL (either way round);\n"
        "  TARGET must be new or empty.\n";
    static const struct option opts[] = {{"from", required_argument, NULL, 'f'},
                                         {"to", required_argument, NULL, 't'},
                                         {NULL, 0, NULL, 0}};
    const char *from = NULL, *to = NULL;
    struct errbuf eb = {{0}};
    struct store_copy_result res;
    struct history_verify_result hv;
    struct progress bar;
    struct service_ctx *ctx = NULL;
    struct config cfg;
    int c, r;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f')
            from = optarg;
        else if (c == 't')
            to = optarg;
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (from == NULL || to == NULL || optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    progress_init(&bar, "migrate", 0);
    r = store_copy(from, to, on_progress, &bar, &res, &eb);
    if (r != 0)
        return cli_fail("migrate", r, eb.msg);
    progress_update(&bar, res.rows);
    progress_finish(&bar);
    /* Opening the target as the server would rebuilds its roll-ups (marked stale). */
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (config_set(&cfg, "db", to, &eb) != 0)
        return cli_fail("migrate", ERR_INVALID, eb.msg);
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(to, r, eb.msg);
    r = history_verify_all(ctx->st, &hv);
    service_ctx_free(ctx);
    if (r != 0)
        return cli_fail("migrate: verify", r, NULL);
    if (hv.broken_case_id != 0) {
        fprintf(stderr,
                "gridgov: migrate: the copy's hash chain is BROKEN at case %lld, event %lld: %s\n",
                (long long)hv.broken_case_id, (long long)hv.broken_seq, hv.reason);
        return 1;
    }
    printf("migrate: %lld tables, %lld rows copied and counted on both sides; %lld cases, %lld "
           "events: every hash chain is intact\n",
           (long long)res.tables, (long long)res.rows, (long long)hv.cases, (long long)hv.events);
    return 0;
}
