/*
 * context.h - what one worker thread needs to run use cases: its own store connection, its
 * own GEOS context and point-location index, and the (shared, read-only) configuration.
 *
 * The server creates one context per worker thread and lends it to one request at a time;
 * the CLI creates one for the command it runs. Nothing in a context is shared between
 * threads except cfg, which is immutable.
 */
#ifndef GRIDGOV_SERVICE_CONTEXT_H
#define GRIDGOV_SERVICE_CONTEXT_H

#include "base/config.h"
#include "base/error.h"
#include "service/auth.h"

#include <stdint.h>

struct store;
struct geo;
struct geo_index;
struct area_ref;
struct case_rules;
struct writer;
struct rollup_batch;

struct service_ctx {
    struct store *st;            /* owned */
    struct store *read_st;       /* owned; the replica of cfg->read_db, or NULL (see
                                    service_ctx_reader) */
    struct geo *geo;             /* owned */
    struct geo_index *index;     /* owned; NULL until first needed */
    int64_t index_version;       /* areas version the index was built from */
    struct area_ref *area_names; /* owned; every area's code, name, level sorted by code,
                                    loaded with the index so a located point's path needs
                                    no query */
    size_t n_area_names;
    struct case_rules *rules; /* owned; NULL until first needed (service/rules.h) */
    struct secret_key *key;   /* owned; NULL until first needed (service_ctx_key) */
    struct metrics *metrics;  /* borrowed; may be NULL: the server's counters (/metrics) */
    struct writer *writer;    /* borrowed; when set (serve), case writes go through the single
                                 writer with group commit (service/writer.h) */
    struct rollup_batch *rollup_batch; /* borrowed; the writer's own context only: live
                                          roll-up deltas of the running batch, written
                                          before its commit (service/rollups.h) */
    const struct config *cfg;          /* borrowed, immutable */
    struct auth_policy auth;           /* derived from cfg */
    /* The request the context is lent to (service_ctx_request_begin ... end): the rules' and
     * areas' versions it runs with, read at its first need (has_versions) and then kept. */
    int in_request;
    int has_versions;
    int64_t rules_version, areas_version;
};

/* Open the store named by cfg->db (flags as store_open) and a GEOS context. Caller frees. */
int service_ctx_open(const struct config *cfg, unsigned store_flags, struct service_ctx **out,
                     struct errbuf *eb);
/* Free; NULL is a no-op. */
void service_ctx_free(struct service_ctx *ctx);
/*
 * The store analytics reads go to (indicators, hot spots, forecasts, alerts, compliance,
 * reports): the read replica when cfg->read_db names one, else the main store. Reads there
 * may lag the primary by the replication delay, which analytics over days can afford;
 * nothing that a user just wrote and reads back goes through it. Borrowed.
 */
struct store *service_ctx_reader(struct service_ctx *ctx);
/*
 * Versions of what a context caches (the case rules, service/rules.h; the point-location
 * index, from the areas), checked before each use so that a change made by another process
 * (gridgov import ...) is picked up. Within a request they are read once: the server lends a
 * context to one request at a time between service_ctx_request_begin and _end, and the first
 * service_ctx_versions of the request reads both in one statement (store_meta_get_int_pair)
 * and keeps them until the end; so a request sees the versions in force when it first needed
 * them, and every request after a change sees the change. Outside a request (CLI, the writer,
 * the background thread) every call reads them.
 */
void service_ctx_request_begin(struct service_ctx *ctx);
void service_ctx_request_end(struct service_ctx *ctx);
int service_ctx_versions(struct service_ctx *ctx, int64_t *rules_version, int64_t *areas_version);
/* A request continued on another context (a report's answer after the writer's commit): the
 * versions its first part read (service_ctx_versions there), unless ctx already read its own
 * in this request. No-op outside a request. */
void service_ctx_request_adopt(struct service_ctx *ctx, int64_t rules_version,
                               int64_t areas_version);
/* The version of rules loaded within the request (rules_get) replaces the one kept, so the
 * request does not load them again. */
void service_ctx_request_rules_loaded(struct service_ctx *ctx, int64_t rules_version);
/*
 * The point-location index (and area_names), (re)built from the store when the areas changed
 * since they were last built. Borrowed: valid until the next call on this context.
 */
int service_ctx_index(struct service_ctx *ctx, struct geo_index **out);
/*
 * The personal-data key (base/secret.h) from the key file in effect (config_key_path), loaded
 * on first use. Borrowed: valid as long as ctx. ERR_NOT_FOUND with a hint when the file is
 * missing ("run gridgov init"), or the loader's error.
 */
int service_ctx_key(struct service_ctx *ctx, const struct secret_key **out, struct errbuf *eb);

#endif
