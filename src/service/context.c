/*
 * context.c - per-thread service context (see context.h).
 */
#include "service/context.h"

#include "base/log.h"
#include "base/secret.h"
#include "base/xalloc.h"
#include "geo/geo.h"
#include "service/areas.h"
#include "service/rollups.h"
#include "service/rules.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int service_ctx_open(const struct config *cfg, unsigned store_flags, struct service_ctx **out,
                     struct errbuf *eb)
{
    struct service_ctx *ctx = xcalloc(1, sizeof(*ctx));
    int r;
    *out = NULL;
    ctx->cfg = cfg;
    ctx->index_version = -1;
    auth_policy_default(&ctx->auth);
    ctx->auth.session_ttl_ms = cfg->session_ttl_s * 1000;
    ctx->auth.max_failures = cfg->login_max_failures;
    ctx->auth.lock_base_ms = cfg->login_lock_s * 1000;
    ctx->auth.lock_max_ms = cfg->login_lock_max_s * 1000;
    if ((r = store_open(cfg->db, store_flags, &ctx->st, eb)) != 0)
        goto out;
    if (cfg->read_db[0] != '\0' && strcmp(cfg->read_db, cfg->db) != 0 &&
        (r = store_open(cfg->read_db, STORE_READONLY, &ctx->read_st, eb)) != 0)
        goto out;
    if ((r = geo_new(&ctx->geo)) != 0) {
        errbuf_set(eb, r, "cannot create a GEOS context");
        goto out;
    }
    /* A database from before the indicator roll-ups gets them from its event log, once. */
    if ((store_flags & STORE_READONLY) == 0) {
        int rebuilt;
        if ((r = rollups_ensure(ctx, &rebuilt)) != 0) {
            errbuf_set(eb, r, "cannot rebuild the indicator roll-ups");
            goto out;
        }
    }
    *out = ctx;
    ctx = NULL;
    r = 0;
out:
    service_ctx_free(ctx);
    return r;
}

void service_ctx_free(struct service_ctx *ctx)
{
    if (ctx == NULL)
        return;
    geo_index_free(ctx->index);
    free(ctx->area_names);
    rules_free(ctx->rules);
    secret_key_free(ctx->key);
    geo_free(ctx->geo);
    store_close(ctx->read_st);
    store_close(ctx->st);
    free(ctx);
}

struct store *service_ctx_reader(struct service_ctx *ctx)
{
    return ctx->read_st != NULL ? ctx->read_st : ctx->st;
}

struct index_load {
    struct geo_index *ix;
    size_t bad;
    struct area_ref *names;
    size_t n_names, cap_names;
};

static int index_add_area(void *arg, const struct area *a)
{
    struct index_load *load = arg;
    struct errbuf eb = {{0}};
    if (load->n_names == load->cap_names) {
        load->cap_names = load->cap_names ? load->cap_names * 2 : 1024;
        load->names = xreallocarray(load->names, load->cap_names, sizeof(*load->names));
    }
    struct area_ref *ref = &load->names[load->n_names++];
    snprintf(ref->code, sizeof(ref->code), "%s", a->code);
    snprintf(ref->name, sizeof(ref->name), "%s", a->name);
    ref->level = a->level;
    if (a->geometry == NULL)
        return 0;
    if (geo_index_add(load->ix, a->code, a->level, a->geometry, strlen(a->geometry), &eb) != 0) {
        /* Areas are validated on import; a bad one here means the database was edited. */
        log_warn("geo", "area %s skipped in the index: %s", a->code, eb.msg);
        load->bad++;
    }
    return 0;
}

void service_ctx_request_begin(struct service_ctx *ctx)
{
    ctx->in_request = 1;
    ctx->has_versions = 0;
}

void service_ctx_request_end(struct service_ctx *ctx)
{
    ctx->in_request = 0;
    ctx->has_versions = 0;
}

int service_ctx_versions(struct service_ctx *ctx, int64_t *rules_version, int64_t *areas_version)
{
    int64_t rv, av;
    int r;
    if (ctx->in_request && ctx->has_versions) {
        *rules_version = ctx->rules_version;
        *areas_version = ctx->areas_version;
        return 0;
    }
    if ((r = store_meta_get_int_pair(ctx->st, RULES_VERSION_KEY, STORE_AREAS_VERSION_KEY, &rv,
                                     &av)) != 0)
        return r;
    if (ctx->in_request) {
        ctx->rules_version = rv;
        ctx->areas_version = av;
        ctx->has_versions = 1;
    }
    *rules_version = rv;
    *areas_version = av;
    return 0;
}

void service_ctx_request_adopt(struct service_ctx *ctx, int64_t rules_version,
                               int64_t areas_version)
{
    if (!ctx->in_request || ctx->has_versions)
        return;
    ctx->rules_version = rules_version;
    ctx->areas_version = areas_version;
    ctx->has_versions = 1;
}

void service_ctx_request_rules_loaded(struct service_ctx *ctx, int64_t rules_version)
{
    if (ctx->in_request && ctx->has_versions)
        ctx->rules_version = rules_version;
}

int service_ctx_index(struct service_ctx *ctx, struct geo_index **out)
{
    int64_t version, rules_version;
    int r;
    struct index_load load = {NULL, 0, NULL, 0, 0};
    *out = NULL;
    if ((r = service_ctx_versions(ctx, &rules_version, &version)) != 0)
        return r;
    if (ctx->index != NULL && version == ctx->index_version) {
        *out = ctx->index;
        return 0;
    }
    if ((r = geo_index_new(ctx->geo, &load.ix)) != 0)
        return r;
    if ((r = store_area_walk(ctx->st, "", 7, 1, index_add_area, &load)) != 0)
        goto out;
    if ((r = geo_index_build(load.ix)) != 0)
        goto out;
    log_info("geo", "area index built: %zu areas, version %lld", geo_index_size(load.ix),
             (long long)version);
    geo_index_free(ctx->index);
    free(ctx->area_names);
    ctx->index = load.ix;
    ctx->area_names = load.names;
    ctx->n_area_names = load.n_names;
    ctx->index_version = version;
    load.ix = NULL;
    load.names = NULL;
    *out = ctx->index;
    r = 0;
out:
    geo_index_free(load.ix);
    free(load.names);
    return r;
}

int service_ctx_key(struct service_ctx *ctx, const struct secret_key **out, struct errbuf *eb)
{
    char path[1100];
    int r;
    *out = NULL;
    if (ctx->key == NULL) {
        if ((r = config_key_path(ctx->cfg, path, sizeof(path))) != 0)
            return errbuf_set(eb, ERR_INVALID, "%s", config_key_path_problem(r));
        struct errbuf inner = {{0}};
        r = secret_key_load(path, &ctx->key, &inner);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, ERR_NOT_FOUND,
                              "no personal-data key file %s: run gridgov init --db %s to create "
                              "it (or set GRIDGOV_KEY_FILE)",
                              path, ctx->cfg->db);
        if (r != 0)
            return errbuf_set(eb, r, "%s", errbuf_message(&inner, r));
        if (secret_key_is_exposed(ctx->key))
            log_warn("secret", "key file %s is readable by others: chmod 600 it", path);
    }
    *out = ctx->key;
    return 0;
}
