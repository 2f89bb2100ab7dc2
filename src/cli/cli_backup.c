/*
 * cli_backup.c - `gridgov backup` and `gridgov restore`.
 *
 * backup takes a consistent online copy (the server may keep running and writing); restore
 * checks a copy (integrity, schema not newer than this gridgov) and puts it in place of the
 * database, through a temporary file and a rename so a failure leaves the old file intact.
 * Stop the server before a restore.
 */
#include "cli/cli.h"

#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int parse_backup_args(int argc, char **argv, struct config *cfg, int *is_forced)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"force", no_argument, NULL, 'f'},
                                         {NULL, 0, NULL, 0}};
    int c;
    *is_forced = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd' && config_set(cfg, "db", optarg, NULL) == 0)
            continue;
        if (c == 'f') {
            *is_forced = 1;
            continue;
        }
        return 2;
    }
    return argc - optind == 1 ? 0 : 2;
}

int cli_backup(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct stat sb;
    int forced, r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (parse_backup_args(argc, argv, &cfg, &forced) != 0 || forced) {
        fputs("usage: gridgov backup --db FILE DEST   (a consistent copy, while serving)\n",
              stderr);
        return 2;
    }
    const char *dest = argv[optind];
    if ((r = store_open(cfg.db, STORE_READONLY, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = store_backup(st, dest, &eb);
    store_close(st);
    if (r != 0)
        return cli_fail("backup", r, eb.msg);
    stat(dest, &sb);
    printf("%s: backup of %s written and checked (%lld bytes)\n", dest, cfg.db,
           (long long)sb.st_size);
    return 0;
}

int cli_restore(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *src = NULL;
    struct stat sb;
    char tmp[1100], side[1100];
    int forced, r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (parse_backup_args(argc, argv, &cfg, &forced) != 0) {
        fputs("usage: gridgov restore --db FILE BACKUP [--force]   (stop the server first)\n",
              stderr);
        return 2;
    }
    const char *backup = argv[optind];
    if (stat(cfg.db, &sb) == 0 && !forced)
        return cli_fail(cfg.db, ERR_EXISTS,
                        "the database exists; add --force to replace it with the backup");
    /* The backup must open as a gridgov database this version understands, and be intact. */
    if ((r = store_open(backup, STORE_READONLY, &src, &eb)) != 0)
        return cli_fail(backup, r, eb.msg);
    if ((r = store_check_integrity(src, &eb)) != 0) {
        store_close(src);
        return cli_fail(backup, r, eb.msg);
    }
    snprintf(tmp, sizeof(tmp), "%s.restoring", cfg.db);
    unlink(tmp);
    r = store_backup(src, tmp, &eb);
    store_close(src);
    if (r != 0)
        return cli_fail("restore", r, eb.msg);
    /* The old database's WAL must not be replayed onto the restored file. */
    snprintf(side, sizeof(side), "%s-wal", cfg.db);
    unlink(side);
    snprintf(side, sizeof(side), "%s-shm", cfg.db);
    unlink(side);
    if (rename(tmp, cfg.db) != 0) {
        int e = errno;
        unlink(tmp);
        return cli_fail("restore", ERR_IO, strerror(e));
    }
    printf("%s: restored from %s\n", cfg.db, backup);
    return 0;
}
