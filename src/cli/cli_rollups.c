/*
 * cli_rollups.c - `gridgov rollups rebuild|verify --db FILE`: rebuild the indicator roll-ups
 * from the case event log, or recount them aside and compare (service/rollups.h).
 *
 * rebuild is what an operator runs after changing the working-day calendar (handling times
 * are counted in working hours) or to repair roll-ups verify found wrong; a database from
 * before the roll-ups is rebuilt automatically the first time it is opened for writing.
 */
#include "cli/cli.h"

#include "base/timeutil.h"
#include "service/rollups.h"
#include "service/rules.h"
#include "store/store.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char rollups_usage[] = "usage: gridgov rollups rebuild|verify --db FILE\n";

int cli_rollups(int argc, char **argv)
{
    static const struct option options[] = {{"db", required_argument, NULL, 'd'},
                                            {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct case_rules *rules = NULL;
    struct rollups_recount_stats stats;
    const char *sub;
    int64_t t0 = time_mono_ms();
    int c, r, is_rebuild;
    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c != 'd' || config_set(&cfg, "db", optarg, NULL) != 0) {
            fputs(rollups_usage, stderr);
            return 2;
        }
    }
    if (argc - optind != 1 ||
        (strcmp(argv[optind], "rebuild") != 0 && strcmp(argv[optind], "verify") != 0)) {
        fputs(rollups_usage, stderr);
        return 2;
    }
    sub = argv[optind];
    is_rebuild = strcmp(sub, "rebuild") == 0;
    if ((r = store_open(cfg.db, 0, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    if ((r = rules_load(st, &rules, &eb)) != 0) {
        store_close(st);
        return cli_fail("rules", r, eb.msg);
    }
    r = is_rebuild ? rollups_rebuild(st, rules->cal, &stats)
                   : rollups_verify(st, rules->cal, &stats);
    rules_free(rules);
    store_close(st);
    if (r != 0)
        return cli_fail(sub, r, NULL);
    if (is_rebuild) {
        printf("rollups rebuild: %lld cases, %lld events in %lld ms\n", (long long)stats.cases,
               (long long)stats.events, (long long)(time_mono_ms() - t0));
        return 0;
    }
    if (stats.cells_differing != 0) {
        fprintf(stderr,
                "gridgov: rollups verify: %lld cells differ from a recount of %lld cases "
                "(run `gridgov rollups rebuild`)\n",
                (long long)stats.cells_differing, (long long)stats.cases);
        return 1;
    }
    printf("rollups verify: %lld cases, %lld events: roll-ups equal a full recount\n",
           (long long)stats.cases, (long long)stats.events);
    return 0;
}
