/*
 * config.c - the configuration descriptor table and its loaders (see config.h).
 */
#include "base/config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum config_type { CONFIG_STRING, CONFIG_INT, CONFIG_LONG };

struct config_row {
    const char *key;
    enum config_type type;
    size_t offset;
    size_t size; /* for strings */
    long min, max;
    const char *def;
    const char *help;
};

#define STR_ROW(field, def, help)                                                                  \
    {                                                                                              \
#field, CONFIG_STRING, offsetof(struct config, field),                                     \
            sizeof(((struct config *)0)->field), 0, 0, def, help                                   \
    }
#define INT_ROW(field, min, max, def, help)                                                        \
    {                                                                                              \
#field, CONFIG_INT, offsetof(struct config, field), 0, min, max, def, help                 \
    }
#define LONG_ROW(field, min, max, def, help)                                                       \
    {                                                                                              \
#field, CONFIG_LONG, offsetof(struct config, field), 0, min, max, def, help                \
    }

static const struct config_row config_rows[] = {
    STR_ROW(db, "gridgov.db", "database: FILE, sqlite:FILE or postgresql://..."),
    STR_ROW(read_db, "", "replica for analytics reads (postgresql://...); \"\" = db"),
    STR_ROW(listen, "127.0.0.1:8080", "address and port to serve on"),
    STR_ROW(web_root, "", "web interface directory (default: web/ next to the binary)"),
    INT_ROW(threads, 1, 256, "16", "HTTP worker threads (actions wait on them for the writer)"),
    LONG_ROW(body_max, 1024, 1L << 30, "1048576", "largest request body in bytes"),
    LONG_ROW(session_ttl_s, 1, 30L * 86400, "43200", "session lifetime in seconds"),
    INT_ROW(login_max_failures, 1, 1000, "5", "failed logins in a row before a lock"),
    LONG_ROW(login_lock_s, 1, 86400, "30", "first lock in seconds; doubles per failure"),
    LONG_ROW(login_lock_max_s, 1, 86400, "900", "longest lock in seconds"),
    INT_ROW(connection_limit, 1, 100000, "1024", "simultaneous connections"),
    INT_ROW(connection_limit_per_ip, 0, 100000, "128",
            "simultaneous connections from one address; 0 = no limit"),
    INT_ROW(connection_timeout_s, 1, 3600, "30", "idle connection timeout in seconds"),
    INT_ROW(request_timeout_s, 0, 86400, "120",
            "seconds for a whole request (headers and body) to arrive; 0 = no limit"),
    STR_ROW(tls_cert, "", "PEM certificate chain for native HTTPS (with tls_key)"),
    STR_ROW(tls_key, "", "PEM private key for native HTTPS (with tls_cert)"),
    STR_ROW(log_level, "info", "debug | info | warn | error"),
    INT_ROW(reopen_window_days, 0, 365, "15", "days after closing a resident may reopen"),
    INT_ROW(sweep_interval_s, 1, 86400, "60", "seconds between deadline sweeps in serve"),
    STR_ROW(webhook_urls, "", "comma-separated webhook URLs for notifications"),
    LONG_ROW(upload_max, 1024, 64L << 20, "10485760", "largest attachment in bytes"),
    STR_ROW(key_file, "", "key file encrypting ID numbers and phones (default: DB.key)"),
    INT_ROW(retention_moved_years, 1, 100, "5",
            "years after moving away or death before a person is anonymised"),
    INT_ROW(retention_reporter_years, 1, 100, "3",
            "years after closing before a case's reporter name and phone are cleared"),
    INT_ROW(indicators_exclude_suspended, 0, 1, "0",
            "1: suspended cases leave the closure-rate denominator"),
    INT_ROW(points_base, 0, 1000, "100", "monthly points table: base points"),
    INT_ROW(points_yellow, 0, 1000, "5", "monthly points: deduction per yellow card"),
    INT_ROW(points_red, 0, 1000, "10", "monthly points: deduction per red card"),
    INT_ROW(public_stats_min_count, 1, 1000, "5",
            "published statistics suppress counts below this (k)"),
    STR_ROW(open311_jurisdiction, "", "Open311 jurisdiction_id served (empty: not checked)"),
    INT_ROW(open311_charset, 0, 1, "1", "Open311 content types carry ; charset=utf-8"),
    STR_ROW(open311_base_url, "", "public base URL for Open311 links (empty: Host header)"),
    STR_ROW(open311_service_type, "realtime", "Open311 service type: realtime | batch"),
    STR_ROW(open311_test_url, "", "Open311 test endpoint URL (empty: this server's own)"),
    STR_ROW(open311_contact, "The city's gridgov administrator", "Open311 discovery contact"),
    LONG_ROW(ratelimit_per_min, 0, 1000000, "60",
             "anonymous requests a minute per address on public routes; 0 = off"),
    LONG_ROW(ratelimit_burst, 1, 1000000, "30", "requests one address may make at once"),
};

#define CONFIG_ROWS (sizeof(config_rows) / sizeof(config_rows[0]))

static int config_apply(struct config *cfg, const struct config_row *row, const char *value,
                        const char *source, struct errbuf *eb)
{
    char *base = (char *)cfg + row->offset;
    if (row->type == CONFIG_STRING) {
        if (strlen(value) >= row->size)
            return errbuf_set(eb, ERR_INVALID, "%s %s: value too long", source, row->key);
        memcpy(base, value, strlen(value) + 1);
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (errno != 0 || end == value || *end != '\0' || v < row->min || v > row->max)
        return errbuf_set(eb, ERR_INVALID, "%s %s: '%s' is not a number between %ld and %ld",
                          source, row->key, value, row->min, row->max);
    if (row->type == CONFIG_INT)
        *(int *)(void *)base = (int)v;
    else
        *(long *)(void *)base = v;
    return 0;
}

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    for (size_t i = 0; i < CONFIG_ROWS; i++)
        config_apply(cfg, &config_rows[i], config_rows[i].def, "default", NULL);
}

int config_load_env(struct config *cfg, struct errbuf *eb)
{
    for (size_t i = 0; i < CONFIG_ROWS; i++) {
        char name[64] = "GRIDGOV_";
        size_t n = strlen(name);
        for (const char *k = config_rows[i].key; *k && n < sizeof(name) - 1; k++)
            name[n++] = (char)toupper((unsigned char)*k);
        name[n] = '\0';
        const char *v = getenv(name);
        int r;
        if (v != NULL && (r = config_apply(cfg, &config_rows[i], v, name, eb)) != 0)
            return r;
    }
    return 0;
}

int config_set(struct config *cfg, const char *key, const char *value, struct errbuf *eb)
{
    for (size_t i = 0; i < CONFIG_ROWS; i++) {
        if (strcmp(config_rows[i].key, key) == 0)
            return config_apply(cfg, &config_rows[i], value, "setting", eb);
    }
    return errbuf_set(eb, ERR_INVALID, "unknown setting '%s'", key);
}

void config_print(const struct config *cfg, FILE *out)
{
    for (size_t i = 0; i < CONFIG_ROWS; i++) {
        const struct config_row *row = &config_rows[i];
        const char *base = (const char *)cfg + row->offset;
        if (row->type == CONFIG_STRING)
            fprintf(out, "%-22s = %-24s # %s\n", row->key, base, row->help);
        else if (row->type == CONFIG_INT)
            fprintf(out, "%-22s = %-24d # %s\n", row->key, *(const int *)(const void *)base,
                    row->help);
        else
            fprintf(out, "%-22s = %-24ld # %s\n", row->key, *(const long *)(const void *)base,
                    row->help);
    }
}

int config_key_path(const struct config *cfg, char *out, size_t size)
{
    const char *db = cfg->db;
    int n;
    if (cfg->key_file[0] != '\0')
        n = snprintf(out, size, "%s", cfg->key_file);
    else if (strncmp(db, "postgresql:", 11) == 0 || strncmp(db, "postgres:", 9) == 0)
        return ERR_INVALID; /* a server's database has no file beside which to keep a key */
    else {
        if (strncmp(db, "sqlite:", 7) == 0)
            db += 7;
        n = snprintf(out, size, "%s.key", db);
    }
    return n < 0 || (size_t)n >= size ? ERR_TOO_LARGE : 0;
}

const char *config_key_path_problem(int err)
{
    if (err == ERR_INVALID)
        return "a PostgreSQL database needs key_file set (GRIDGOV_KEY_FILE or --set "
               "key_file=PATH): the key must live apart from the database";
    return "the key file path is too long";
}
