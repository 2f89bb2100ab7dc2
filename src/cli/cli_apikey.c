/*
 * cli_apikey.c - `gridgov apikey add|list`: API keys for Open311 clients. The key is printed
 * once, by add; the database keeps only its hash.
 */
#include "cli/cli.h"

#include "base/timeutil.h"
#include "service/apikeys.h"
#include "store/store.h"

#include <getopt.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char apikey_usage[] =
    "usage: gridgov apikey add --db FILE --name CLIENT [--user USERNAME]\n"
    "       gridgov apikey list --db FILE\n"
    "A key bound to --user may post status updates (servicerequestupdates) as that user.\n";

int cli_apikey(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"name", required_argument, NULL, 'n'},
                                         {"user", required_argument, NULL, 'u'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    const char *name = NULL, *username = NULL, *action;
    int c, r, status = 1;

    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:n:u:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, &eb) != 0)
                return cli_fail("--db", ERR_INVALID, eb.msg);
            break;
        case 'n':
            name = optarg;
            break;
        case 'u':
            username = optarg;
            break;
        default:
            fputs(apikey_usage, stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fputs(apikey_usage, stderr);
        return 2;
    }
    action = argv[optind];
    if ((strcmp(action, "add") != 0 && strcmp(action, "list") != 0) ||
        (strcmp(action, "add") == 0 && name == NULL)) {
        fputs(apikey_usage, stderr);
        return 2;
    }
    if ((r = store_open(cfg.db, 0, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    if (strcmp(action, "add") == 0) {
        char key[APIKEY_TEXT_MAX + 1];
        if ((r = apikey_add(st, name, username, time_now_ms(), key, NULL, &eb)) != 0) {
            status = cli_fail("apikey add", r, eb.msg);
            goto out;
        }
        fprintf(stderr, "API key for %s (shown only now; keep it secret):\n", name);
        printf("%s\n", key);
        sodium_memzero(key, sizeof(key));
    } else {
        struct api_key_list list;
        if ((r = store_api_key_list(st, &list)) != 0) {
            status = cli_fail("apikey list", r, NULL);
            goto out;
        }
        printf("%-6s %-32s %-8s %s\n", "id", "client", "user_id", "created");
        for (size_t i = 0; i < list.len; i++) {
            char when[32];
            time_format_iso(list.items[i].created_ms, when, sizeof(when));
            printf("%-6lld %-32s %-8lld %s\n", (long long)list.items[i].id, list.items[i].name,
                   (long long)list.items[i].user_id, when);
        }
        api_key_list_cleanup(&list);
    }
    status = 0;
out:
    store_close(st);
    return status;
}
