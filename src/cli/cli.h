/*
 * cli.h - the `gridgov` command line: a table of subcommands (cli.c), each in its own file.
 *
 * Every subcommand gets argv from its own name on, parses its flags with getopt_long, builds
 * the configuration (defaults, GRIDGOV_* environment, then flags) and calls service/ — the CLI
 * does what the API does, through the same use cases. Exit status: 0 success, 1 failure,
 * 2 usage error.
 */
#ifndef GRIDGOV_CLI_CLI_H
#define GRIDGOV_CLI_CLI_H

#include "base/config.h"

#include <stdio.h>

/* Entry point from main(). */
int cli_main(int argc, char **argv);

/* Subcommands (argv[0] is the subcommand's name). */
int cli_init(int argc, char **argv);
int cli_demo(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_import(int argc, char **argv);
int cli_export(int argc, char **argv);
int cli_locate(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_config(int argc, char **argv);
int cli_case(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_verify(int argc, char **argv);
int cli_calendar(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_migrate(int argc, char **argv);
int cli_restore(int argc, char **argv);
int cli_backtest(int argc, char **argv); /* cli_analysis.c (issue 7) */
int cli_rollups(int argc, char **argv);
int cli_report(int argc, char **argv);
int cli_apikey(int argc, char **argv);
/* `gridgov import open311 ...` (argv[0] is "open311"). */
int cli_import_open311(int argc, char **argv);
/* Import a rules document (categories, routing, calendar) from path into cfg->db. */
int cli_import_rules(const char *what, const char *path, const struct config *cfg);
/* Write the categories in force as CSV to out. */
int cli_export_categories(const struct config *cfg, FILE *out);

/* Shared helpers. */
/* Defaults + environment into cfg; prints the problem and returns nonzero on a bad variable. */
int cli_config_load(struct config *cfg);
/* Report a failure as "gridgov: what: detail" on stderr; returns 1 (the exit status). */
int cli_fail(const char *what, int err, const char *detail);
/* Read a whole file (at most max bytes) into a new NUL-terminated buffer the caller frees. */
/* base data (cli_basedata.c) */
int cli_import_basedata(int argc, char **argv, const struct config *cfg);
int cli_export_basedata(int argc, char **argv, const struct config *cfg);
/* cli_ratings.c (issue 7, item 4): rate stars; import survey-responses|rating-settings */
int cli_rate(int argc, char **argv);
int cli_import_survey_responses(int argc, char **argv, const struct config *cfg);
int cli_import_rating_settings(int argc, char **argv, const struct config *cfg);
int cli_retention(int argc, char **argv);
int cli_accesslog(int argc, char **argv);
/* Create the personal-data key file named by cfg if it does not exist yet (init, demo);
 * prints where it is. 0, or the exit status of the failure. */
int cli_ensure_key(const struct config *cfg);
/* Encrypt case reporter phones an earlier version stored in plain text (init). */
int cli_encrypt_plain_phones(const struct config *cfg);

int cli_read_file(const char *path, size_t max, char **out, size_t *len);

#endif
