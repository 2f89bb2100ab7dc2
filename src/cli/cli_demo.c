/*
 * cli_demo.c - `gridgov demo`: create a database holding the demo city (src/service/demo.c)
 * and print the logins.
 */
#include "cli/cli.h"

#include "service/demo.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

int cli_demo(int argc, char **argv)
{
    static const char usage[] =
        "usage: gridgov demo --db FILE [--scale small|city] [--seed N] [--password PW]\n";
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"scale", required_argument, NULL, 's'},
                                         {"seed", required_argument, NULL, 'S'},
                                         {"password", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct demo_options opt = {"small", 1, NULL};
    struct demo_result res;
    struct store *st = NULL;
    int c, r;

    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:s:S:p:", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, &eb) != 0)
                return cli_fail("--db", ERR_INVALID, eb.msg);
            break;
        case 's':
            if (strcmp(optarg, "small") != 0 && strcmp(optarg, "city") != 0) {
                fputs(usage, stderr);
                return 2;
            }
            opt.scale = optarg;
            break;
        case 'S':
            errno = 0;
            opt.seed = strtoull(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0') {
                fprintf(stderr, "gridgov: --seed must be a non-negative integer\n");
                return 2;
            }
            break;
        case 'p':
            opt.password = optarg;
            break;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    if ((r = store_open(cfg.db, STORE_CREATE, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = demo_generate(st, &opt, &res, &eb);
    store_close(st);
    if (r == ERR_EXISTS)
        return cli_fail(cfg.db, r, "the database already holds areas; use a new file");
    if (r != 0)
        return cli_fail("demo", r, eb.msg);
    printf("demo city (%s, seed %llu) in %s: %lld areas, %lld households, %lld persons\n",
           opt.scale, (unsigned long long)opt.seed, cfg.db, (long long)res.areas,
           (long long)res.households, (long long)res.persons);
    printf("logins (password: %s):\n", res.password);
    for (int i = 0; i < res.n_users; i++)
        printf("  %-20s %-20s area %s\n", res.users[i].username, res.users[i].role,
               res.users[i].area_code);
    return 0;
}
