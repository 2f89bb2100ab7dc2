/*
 * rules.c - loading and storing the case-handling configuration (see rules.h).
 */
#include "service/rules.h"

#include "base/buf.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/routing.h"
#include "domain/taxonomy.h"
#include "service/context.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_CATEGORIES "categories_csv"
#define KEY_CALENDAR   "calendar_csv"
#define KEY_ROUTING    "routing_csv"
#define KEY_DEADLINES  "deadlines_csv"
#define KEY_VERSION    RULES_VERSION_KEY

static int rules_version(struct store *st, int64_t *out)
{
    char v[32];
    int r = store_meta_get(st, KEY_VERSION, v, sizeof(v));
    *out = r == 0 ? strtoll(v, NULL, 10) : 0;
    return r == ERR_NOT_FOUND ? 0 : r;
}

static int bump_version(struct store *st)
{
    int64_t v;
    char text[32];
    int r = rules_version(st, &v);
    if (r != 0)
        return r;
    snprintf(text, sizeof(text), "%lld", (long long)(v + 1));
    return store_meta_set(st, KEY_VERSION, text);
}

void rules_free(struct case_rules *rules)
{
    if (rules == NULL)
        return;
    taxonomy_free(rules->tax);
    calendar_free(rules->cal);
    routing_free(rules->routing);
    deadline_rules_free(rules->deadlines);
    free(rules);
}

int rules_load(struct store *st, struct case_rules **out, struct errbuf *eb)
{
    struct case_rules *rules = xcalloc(1, sizeof(*rules));
    char *text = NULL;
    int r;

    *out = NULL;
    if ((r = rules_version(st, &rules->version)) != 0)
        goto out;

    r = store_meta_get_text(st, KEY_CATEGORIES, &text);
    if (r == ERR_NOT_FOUND) {
        rules->tax = taxonomy_new_default();
    } else if (r == 0) {
        r = taxonomy_parse_csv(text, strlen(text), &rules->tax, NULL, eb);
        free(text);
        text = NULL;
        if (r != 0)
            goto out;
    } else {
        goto out;
    }

    rules->cal = calendar_new();
    r = store_meta_get_text(st, KEY_CALENDAR, &text);
    if (r == 0) {
        struct calendar_import_result *res = xcalloc(1, sizeof(*res));
        r = calendar_parse_csv(rules->cal, text, strlen(text), res, eb);
        free(res);
        free(text);
        text = NULL;
        if (r != 0)
            goto out;
    } else if (r != ERR_NOT_FOUND) {
        goto out;
    }

    r = store_meta_get_text(st, KEY_ROUTING, &text);
    if (r == ERR_NOT_FOUND) {
        rules->routing = routing_new();
    } else if (r == 0) {
        r = routing_parse_csv(text, strlen(text), rules->tax, &rules->routing, NULL, eb);
        free(text);
        text = NULL;
        if (r != 0)
            goto out;
    } else {
        goto out;
    }

    rules->deadlines = deadline_rules_new();
    deadline_rules_defaults(rules->deadlines);
    r = store_meta_get_text(st, KEY_DEADLINES, &text);
    if (r == 0) {
        struct deadline_import_result *res = xcalloc(1, sizeof(*res));
        r = deadline_rules_parse_csv(rules->deadlines, text, strlen(text), res, eb);
        free(res);
        free(text);
        text = NULL;
        if (r != 0)
            goto out;
    } else if (r != ERR_NOT_FOUND) {
        goto out;
    }
    *out = rules;
    rules = NULL;
    r = 0;
out:
    free(text);
    rules_free(rules);
    return r;
}

int rules_get(struct service_ctx *ctx, const struct case_rules **out)
{
    struct errbuf eb = {{0}};
    struct case_rules *fresh = NULL;
    int64_t version, areas_version;
    int r;
    *out = NULL;
    /* Within a request, the version read at its first need (service_ctx_versions). */
    if ((r = service_ctx_versions(ctx, &version, &areas_version)) != 0)
        return r;
    if (ctx->rules != NULL && ctx->rules->version == version) {
        *out = ctx->rules;
        return 0;
    }
    if ((r = rules_load(ctx->st, &fresh, &eb)) != 0) {
        log_error("rules", "cannot load the case rules: %s", errbuf_message(&eb, r));
        return r;
    }
    rules_free(ctx->rules);
    ctx->rules = fresh;
    /* Loaded at the version in force now (at least the one kept): keep that one, or the next
     * call in this request would load them again. */
    service_ctx_request_rules_loaded(ctx, fresh->version);
    *out = fresh;
    return 0;
}

/* Store text under key and bump the version, in one transaction. */
static int store_document(struct store *st, const char *key, const char *text)
{
    int r;
    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = store_meta_set(st, key, text)) != 0 || (r = bump_version(st)) != 0) {
        store_rollback(st);
        return r;
    }
    return store_commit(st);
}

int rules_store_categories(struct store *st, const char *csv, size_t len, struct errbuf *eb)
{
    struct taxonomy *tax = NULL;
    struct buf canonical;
    int r = taxonomy_parse_csv(csv, len, &tax, NULL, eb);
    if (r != 0)
        return r;
    /* Store the canonical form, so an export gives back exactly what is in force. */
    buf_init(&canonical, (size_t)64 << 20);
    if ((r = taxonomy_write_csv(tax, &canonical)) == 0)
        r = store_document(st, KEY_CATEGORIES, canonical.data ? canonical.data : "");
    buf_cleanup(&canonical);
    taxonomy_free(tax);
    return r;
}

int rules_store_calendar(struct store *st, const char *csv, size_t len, size_t *days,
                         struct errbuf *eb)
{
    struct calendar *cal = calendar_new();
    struct calendar_import_result *res = xcalloc(1, sizeof(*res));
    char *copy = NULL;
    int r = calendar_parse_csv(cal, csv, len, res, eb);
    if (r == 0) {
        if (days)
            *days = res->applied;
        copy = xstrndup(csv, len);
        r = store_document(st, KEY_CALENDAR, copy);
    }
    free(copy);
    free(res);
    calendar_free(cal);
    return r;
}

int rules_store_deadlines(struct store *st, const char *csv, size_t len, size_t *count,
                          struct errbuf *eb)
{
    struct deadline_rules *rules = deadline_rules_new();
    struct deadline_import_result *res = xcalloc(1, sizeof(*res));
    char *copy = NULL;
    int r;
    deadline_rules_defaults(rules);
    r = deadline_rules_parse_csv(rules, csv, len, res, NULL);
    if (r != 0 && res->n_problems > 0)
        errbuf_set(eb, r, "line %zu: %s (%zu bad rows; nothing imported)", res->problems[0].line,
                   res->problems[0].reason, res->n_problems);
    if (r == 0) {
        if (count)
            *count = res->applied;
        copy = xstrndup(csv, len);
        r = store_document(st, KEY_DEADLINES, copy);
    }
    free(copy);
    free(res);
    deadline_rules_free(rules);
    return r;
}

int rules_store_routing(struct store *st, const char *csv, size_t len, size_t *count,
                        struct errbuf *eb)
{
    struct case_rules *current = NULL;
    struct routing *routing = NULL;
    struct buf canonical;
    int r;
    if ((r = rules_load(st, &current, eb)) != 0)
        return r;
    r = routing_parse_csv(csv, len, current->tax, &routing, NULL, eb);
    if (r == 0) {
        if (count)
            *count = routing_count(routing);
        buf_init(&canonical, (size_t)64 << 20);
        if ((r = routing_write_csv(routing, &canonical)) == 0)
            r = store_document(st, KEY_ROUTING, canonical.data ? canonical.data : "");
        buf_cleanup(&canonical);
    }
    routing_free(routing);
    rules_free(current);
    return r;
}
