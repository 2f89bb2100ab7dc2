/*
 * cli.c - the subcommand table and helpers shared by subcommands (see cli.h).
 * Runs on the main thread before any server thread exists.
 */
#include "cli/cli.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "service/auth.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
};

static const struct cli_command cli_commands[] = {
    {"init", cli_init, "init --db FILE                      create or upgrade a database"},
    {"demo", cli_demo,
     "demo --db FILE [--scale small|city] [--seed N] [--password PW]\n"
     "                                           generate the demo city (Nanhai, Foshan)"},
    {"serve", cli_serve,
     "serve --db FILE [--listen ADDR:PORT] [--threads N] [--web DIR]\n"
     "                                           run the HTTP server"},
    {"import", cli_import,
     "import areas|categories|routing|deadlines FILE --db FILE\n"
     "  import persons|households|buildings|organisations|facilities FILE.csv --db FILE\n"
     "              [--encoding gb18030]      import areas (GeoJSON), rules or base data (CSV)\n"
     "  gridgov import open311 FILE.csv... --db FILE [--mapping MAP.csv] [--area CODE]\n"
     "                                           other cities' 311 exports as history\n"
     "  gridgov import survey-responses SURVEY_ID FILE.csv --db FILE   paper survey answers\n"
     "  gridgov import rating-settings FILE.csv --db FILE   score weights, star thresholds"},
    {"export", cli_export,
     "export areas --db FILE [--root CODE] [--out FILE] | export categories --db FILE\n"
     "  export persons|households|... --db FILE --out FILE [--area CODE] [--format csv|xlsx]\n"
     "              [--reveal REASON]\n"
     "                                           export areas (GeoJSON) or categories (CSV)"},
    {"locate", cli_locate, "locate --db FILE LON LAT            the areas containing a point"},
    {"user", cli_user,
     "user add --db FILE --username NAME --password PW --role ROLE --area CODE\n"
     "              [--department CODE] [--display-name NAME]\n"
     "  user list --db FILE [--area CODE]\n"
     "  user passwd --db FILE --username NAME [--password PW]"},
    {"case", cli_case,
     "case list|show|report|act --db FILE --as USER ...   cases (see gridgov case --help)"},
    {"sweep", cli_sweep, "sweep --db FILE [--now TIME]         run the deadline sweep once"},
    {"verify", cli_verify, "verify --db FILE                    check every case's hash chain"},
    {"report", cli_report,
     "report indicators --db FILE --area CODE [--from D] [--to D] (--xlsx F | --csv F)"},
    {"rate", cli_rate,
     "rate stars --year Y [--area CODE] --db FILE   rate the year's communities (once)"},
    {"rollups", cli_rollups,
     "rollups rebuild|verify --db FILE    rebuild the indicator roll-ups, or check them"},
    {"calendar", cli_calendar,
     "calendar import FILE.csv --db FILE  load holidays and make-up working days"},
    {"backup", cli_backup, "backup --db FILE DEST               a consistent copy, while serving"},
    {"migrate", cli_migrate,
     "migrate --from SRC --to DST        copy a database between SQLite and PostgreSQL"},
    {"restore", cli_restore,
     "restore --db FILE BACKUP [--force]  put a backup in place (stop the server first)"},
    {"retention", cli_retention,
     "retention run --db FILE [--dry-run]  anonymise who left long ago, clear old reporters"},
    {"accesslog", cli_accesslog,
     "accesslog --db FILE [--area CODE]   who saw which personal data, when and why"},
    {"apikey", cli_apikey,
     "apikey add --db FILE --name CLIENT [--user USERNAME] | apikey list --db FILE\n"
     "                                           API keys for Open311 clients"},
    {"config", cli_config, "config                              print the effective settings"},
    /* analysis (issue 7): cli_analysis.c */
    {"backtest", cli_backtest,
     "backtest --db FILE [--json] [--area CODE] [--by day|week]\n"
     "                                           forecast accuracy against seasonal naive"},
};

#define CLI_COMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

static void cli_usage(FILE *out)
{
    fprintf(out, "gridgov - grid-based grassroots governance platform\n\nusage:\n");
    for (size_t i = 0; i < CLI_COMMANDS; i++)
        fprintf(out, "  gridgov %s\n", cli_commands[i].usage);
    fprintf(out, "\nSettings also come from GRIDGOV_* environment variables "
                 "(see gridgov config).\n");
}

int cli_config_load(struct config *cfg)
{
    struct errbuf eb = {{0}};
    enum log_level level;
    config_defaults(cfg);
    if (config_load_env(cfg, &eb) != 0) {
        fprintf(stderr, "gridgov: %s\n", eb.msg);
        return 2;
    }
    if (log_level_parse(cfg->log_level, &level) == 0)
        log_set_level(level);
    return 0;
}

int cli_fail(const char *what, int err, const char *detail)
{
    fprintf(stderr, "gridgov: %s: %s\n", what, detail && detail[0] ? detail : err_message(err));
    return 1;
}

int cli_read_file(const char *path, size_t max, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    *len = 0;
    if (f == NULL)
        return ERR_IO;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            data = xrealloc(data, cap + 1);
        }
        size_t got = fread(data + n, 1, cap - n, f);
        n += got;
        if (n > max) {
            free(data);
            fclose(f);
            return ERR_TOO_LARGE;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(data);
        fclose(f);
        return ERR_IO;
    }
    fclose(f);
    data[n] = '\0';
    *out = data;
    *len = n;
    return 0;
}

int cli_config(int argc, char **argv)
{
    struct config cfg;
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: gridgov config\n");
        return 2;
    }
    if (cli_config_load(&cfg) != 0)
        return 2;
    config_print(&cfg, stdout);
    return 0;
}

int cli_main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
        strcmp(argv[1], "-h") == 0) {
        cli_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "version") == 0 || strcmp(argv[1], "--version") == 0) {
        printf("gridgov 0.1.0\n");
        return 0;
    }
    if (auth_global_init() != 0) {
        fprintf(stderr, "gridgov: cannot initialise libsodium\n");
        return 1;
    }
    for (size_t i = 0; i < CLI_COMMANDS; i++) {
        if (strcmp(argv[1], cli_commands[i].name) == 0)
            return cli_commands[i].run(argc - 1, argv + 1);
    }
    fprintf(stderr, "gridgov: unknown command '%s'\n\n", argv[1]);
    cli_usage(stderr);
    return 2;
}
