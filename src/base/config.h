/*
 * config.h - the effective configuration: one immutable struct.
 *
 * Filled in this order, each overriding the last: built-in defaults, GRIDGOV_* environment
 * variables, then command-line flags (the CLI calls config_set for each flag). Every key is
 * one row of the descriptor table in config.c, which also drives `gridgov config` and the
 * environment lookup, so adding a setting is adding a row. After startup the struct is only
 * read, from any thread.
 */
#ifndef GRIDGOV_BASE_CONFIG_H
#define GRIDGOV_BASE_CONFIG_H

#include "base/error.h"

#include <stddef.h>
#include <stdio.h>

struct config {
    char db[1024];               /* database URL or file */
    char read_db[1024];          /* a read replica for analytics reads; "" = db */
    char listen[128];            /* ADDR:PORT to serve on */
    char web_root[1024];         /* directory of the web interface; "" = next to the binary */
    int threads;                 /* HTTP worker threads */
    long body_max;               /* bytes; largest request body */
    long session_ttl_s;          /* session lifetime */
    int login_max_failures;      /* failed logins before a lock */
    long login_lock_s;           /* first lock, doubling per further failure */
    long login_lock_max_s;       /* longest lock */
    int connection_limit;        /* simultaneous connections */
    int connection_limit_per_ip; /* simultaneous connections from one address; 0 = any */
    int connection_timeout_s;    /* idle connections are closed after this */
    int request_timeout_s;       /* a request must arrive within this; 0 = no deadline */
    char tls_cert[1024];         /* PEM certificate file for native HTTPS; "" = plain HTTP */
    char tls_key[1024];          /* PEM private key file, with tls_cert */
    char log_level[16];          /* debug | info | warn | error */
    int reopen_window_days;      /* how long after closing a resident may reopen a case */
    int sweep_interval_s;        /* how often `serve` runs the deadline sweep */
    char webhook_urls[2048];     /* comma-separated URLs that receive notifications */
    long upload_max;             /* bytes; largest attachment */
    long ratelimit_per_min;      /* anonymous requests a minute per client address; 0 = no limit */
    long ratelimit_burst;        /* bucket size of that limit */
    char key_file[1024];         /* personal-data key; "" = the database path + ".key" */
    int retention_moved_years;
    int retention_reporter_years;
    /* indicators (docs/INDICATORS.md) */
    int indicators_exclude_suspended; /* 1: suspended cases leave 应结案 (金华 variant) */
    int points_base;                  /* monthly points table: start */
    int points_yellow;                /* deduction per yellow card */
    int points_red;                   /* deduction per red card */
    int public_stats_min_count;       /* k: published counts below k are suppressed */
    /* Open311 GeoReport v2 (api/api_open311.c) */
    char open311_jurisdiction[128]; /* the jurisdiction_id served; "" = do not check it */
    int open311_charset;            /* 1: content types end in "; charset=utf-8" */
    char open311_base_url[256];     /* public URL of the server; "" = from the Host header */
    char open311_service_type[16];  /* realtime (POST returns the id) | batch (a token) */
    char open311_test_url[256];     /* discovery's test endpoint; "" = this server's own */
    char open311_contact[256];      /* discovery's contact text */
};

/* The key file path in effect: cfg->key_file, or the database file's path + ".key" (after
 * a "sqlite:" prefix). ERR_TOO_LARGE when it does not fit out; ERR_INVALID for a PostgreSQL
 * database without key_file (it must be set explicitly). */
int config_key_path(const struct config *cfg, char *out, size_t size);
/* Why config_key_path failed (its error code), in words for the operator. */
const char *config_key_path_problem(int err);

/* Built-in defaults. */
void config_defaults(struct config *cfg);
/* Apply GRIDGOV_<KEY> environment variables (KEY upper-cased). ERR_INVALID naming the first bad
 * one. */
int config_load_env(struct config *cfg, struct errbuf *eb);
/* Set one key ("body_max") from text. ERR_INVALID for an unknown key or a bad value. */
int config_set(struct config *cfg, const char *key, const char *value, struct errbuf *eb);
/* Print every key = value, one a line, with its source description. */
void config_print(const struct config *cfg, FILE *out);

#endif
