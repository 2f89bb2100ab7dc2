/*
 * areas.c - area tree use cases: GeoJSON import with full validation, GeoJSON export,
 * ancestry paths, point location (see areas.h).
 *
 * Import works in two passes over the parsed file. Pass one checks every feature on its own
 * (properties, geometry) and indexes the good ones by code. Pass two checks the tree: no
 * duplicate codes, every area's parent present in the file or the database (only the
 * shallowest level of the tree may be parentless), and every polygon nested in its parent's.
 * Only when both passes found nothing is anything written, in one transaction.
 */
#include "service/areas.h"

#include "base/jsonutil.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "geo/geo.h"
#include "service/context.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Share of a child's area allowed to stick out of its parent (digitising slivers). */
#define NESTING_TOLERANCE 0.01

struct import_feature {
    size_t number; /* 1-based */
    struct area area;
    int is_ok;
};

static void add_problem(struct area_import_result *res, size_t feature, const char *code,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_problem(struct area_import_result *res, size_t feature, const char *code,
                        const char *fmt, ...)
{
    if (res->n_problems < AREAS_IMPORT_MAX_PROBLEMS) {
        struct area_import_problem *p = &res->problems[res->n_problems];
        va_list ap;
        p->feature = feature;
        snprintf(p->code, sizeof(p->code), "%s", code ? code : "");
        va_start(ap, fmt);
        vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
        va_end(ap);
    }
    res->n_problems++;
}

static int level_from_json(const json_t *v, int *out)
{
    *out = 0;
    if (v == NULL || json_is_null(v))
        return 0;
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < AREA_LEVEL_MIN || i > AREA_LEVEL_MAX)
            return ERR_INVALID;
        *out = (int)i;
        return 0;
    }
    if (json_is_string(v)) {
        *out = areacode_level_parse(json_string_value(v));
        return *out ? 0 : ERR_INVALID;
    }
    return ERR_INVALID;
}

/* Pass one: one feature on its own. */
static void check_feature(struct service_ctx *ctx, const json_t *feature, struct import_feature *f,
                          struct area_import_result *res)
{
    struct errbuf eb = {{0}};
    const json_t *props, *geometry, *code_v, *name_v;
    const char *code;
    struct geo_bbox bbox;
    int level = 0;
    char *text = NULL;

    if (!json_is_object(feature) || !json_is_string(json_object_get(feature, "type")) ||
        strcmp(json_string_value(json_object_get(feature, "type")), "Feature") != 0) {
        add_problem(res, f->number, NULL, "not a GeoJSON Feature object");
        return;
    }
    props = json_object_get(feature, "properties");
    if (!json_is_object(props)) {
        add_problem(res, f->number, NULL, "missing properties object");
        return;
    }
    code_v = json_object_get(props, "code");
    if (!json_is_string(code_v)) {
        add_problem(res, f->number, NULL, "property 'code' must be a string of digits");
        return;
    }
    code = json_string_value(code_v);
    if (!areacode_is_valid(code)) {
        add_problem(res, f->number, NULL,
                    "code '%.40s' is not an area code (2, 4, 6, 9, 12, 15 or 18 digits)", code);
        return;
    }
    if (level_from_json(json_object_get(props, "level"), &level) != 0) {
        add_problem(res, f->number, code, "property 'level' is not a known level");
        return;
    }
    if (level != 0 && level != areacode_level(code)) {
        add_problem(res, f->number, code, "level '%s' does not match the code, which is a %s",
                    areacode_level_name(level), areacode_level_name(areacode_level(code)));
        return;
    }
    name_v = json_object_get(props, "name");
    if (!json_is_string(name_v) || json_string_length(name_v) == 0 ||
        json_string_length(name_v) > AREA_NAME_MAX ||
        !utf8_is_clean_text(json_string_value(name_v), json_string_length(name_v))) {
        add_problem(res, f->number, code, "property 'name' must be a text of 1-%d bytes",
                    AREA_NAME_MAX);
        return;
    }
    geometry = json_object_get(feature, "geometry");
    if (!json_is_object(geometry)) {
        add_problem(res, f->number, code, "missing geometry");
        return;
    }
    text = json_dump_compact(geometry);
    if (text == NULL) {
        add_problem(res, f->number, code, "geometry cannot be serialised");
        return;
    }
    if (geo_polygon_check(ctx->geo, text, strlen(text), &bbox, NULL, &eb) != 0) {
        add_problem(res, f->number, code, "%s", errbuf_message(&eb, ERR_BAD_GEOMETRY));
        free(text);
        return;
    }
    snprintf(f->area.code, sizeof(f->area.code), "%s", code);
    snprintf(f->area.name, sizeof(f->area.name), "%s", json_string_value(name_v));
    f->area.level = areacode_level(code);
    f->area.minx = bbox.minx;
    f->area.miny = bbox.miny;
    f->area.maxx = bbox.maxx;
    f->area.maxy = bbox.maxy;
    f->area.geometry = text;
    f->is_ok = 1;
}

static int compare_feature_code(const void *a, const void *b)
{
    const struct import_feature *fa = a, *fb = b;
    int c = strcmp(fa->area.code, fb->area.code);
    if (c != 0)
        return c;
    return fa->number < fb->number ? -1 : fa->number > fb->number;
}

static struct import_feature *find_feature(struct import_feature *sorted, size_t n,
                                           const char *code)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(sorted[mid].area.code, code);
        if (c == 0)
            return &sorted[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Pass two: the tree (duplicates, parents, nesting). good[] is sorted by code. */
static int check_tree(struct service_ctx *ctx, struct import_feature *good, size_t n,
                      struct area_import_result *res)
{
    int top_level = AREA_LEVEL_MAX + 1;
    int db_level = 0;
    int r;

    /* The shallowest level present in the file or the database may be parentless. */
    for (size_t i = 0; i < n; i++)
        if (good[i].area.level < top_level)
            top_level = good[i].area.level;
    if ((r = store_area_min_level(ctx->st, &db_level)) != 0)
        return r;
    if (db_level != 0 && db_level < top_level)
        top_level = db_level;

    for (size_t i = 0; i < n; i++) {
        struct import_feature *f = &good[i];
        char parent_code[AREA_CODE_BUF];
        struct import_feature *pf;
        struct area parent_db;
        const char *parent_geometry = NULL;
        struct errbuf eb = {{0}};
        int within = 0;

        if (i > 0 && strcmp(good[i - 1].area.code, f->area.code) == 0) {
            add_problem(res, f->number, f->area.code, "duplicate code (also feature %zu)",
                        good[i - 1].number);
            continue;
        }
        if (f->area.level <= top_level)
            continue;
        areacode_parent(f->area.code, parent_code);
        memset(&parent_db, 0, sizeof(parent_db));
        pf = find_feature(good, n, parent_code);
        if (pf != NULL) {
            parent_geometry = pf->area.geometry;
        } else {
            r = store_area_get(ctx->st, parent_code, 1, &parent_db);
            if (r == ERR_NOT_FOUND) {
                add_problem(res, f->number, f->area.code,
                            "orphan: parent %s is neither in the file nor in the database",
                            parent_code);
                continue;
            }
            if (r != 0)
                return r;
            parent_geometry = parent_db.geometry;
        }
        if (parent_geometry != NULL &&
            geo_polygon_within(ctx->geo, f->area.geometry, parent_geometry, NESTING_TOLERANCE,
                               &within, &eb) == 0 &&
            !within)
            add_problem(res, f->number, f->area.code,
                        "wrong nesting: the polygon is not inside its parent %s", parent_code);
        area_cleanup(&parent_db);
    }
    return 0;
}

int areas_import_geojson(struct service_ctx *ctx, const char *text, size_t len,
                         struct area_import_result *res, struct errbuf *eb)
{
    json_t *root = NULL;
    json_error_t jerr;
    struct import_feature *features = NULL;
    size_t n = 0, n_good = 0;
    const json_t *list;
    int r = ERR_INVALID;

    memset(res, 0, sizeof(*res));
    root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        add_problem(res, 0, NULL, "not valid JSON: line %d column %d: %s", jerr.line, jerr.column,
                    jerr.text);
        r = errbuf_set(eb, ERR_INVALID, "not valid JSON at line %d: %s", jerr.line, jerr.text);
        goto out;
    }
    if (!json_is_string(json_object_get(root, "type")) ||
        strcmp(json_string_value(json_object_get(root, "type")), "FeatureCollection") != 0 ||
        !json_is_array(list = json_object_get(root, "features"))) {
        add_problem(res, 0, NULL, "not a GeoJSON FeatureCollection with a features array");
        r = errbuf_set(eb, ERR_INVALID, "not a GeoJSON FeatureCollection");
        goto out;
    }
    n = json_array_size(list);
    res->features = n;
    features = xcalloc(n ? n : 1, sizeof(*features));
    for (size_t i = 0; i < n; i++) {
        struct import_feature *f = &features[n_good];
        memset(f, 0, sizeof(*f));
        f->number = i + 1;
        check_feature(ctx, json_array_get(list, i), f, res);
        if (f->is_ok)
            n_good++;
    }
    qsort(features, n_good, sizeof(*features), compare_feature_code);
    if ((r = check_tree(ctx, features, n_good, res)) != 0)
        goto out;
    if (res->n_problems > 0) {
        r = errbuf_set(eb, ERR_INVALID, "%zu of %zu features have problems; nothing imported",
                       res->n_problems, n);
        goto out;
    }
    if ((r = store_begin(ctx->st)) != 0)
        goto out;
    for (size_t i = 0; i < n_good; i++) {
        if ((r = store_area_put(ctx->st, &features[i].area)) != 0) {
            store_rollback(ctx->st);
            goto out;
        }
    }
    if ((r = store_area_recount(ctx->st)) != 0) {
        store_rollback(ctx->st);
        goto out;
    }
    if ((r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        goto out;
    }
    res->imported = n_good;
    log_info("areas", "imported %zu areas", n_good);
    r = 0;
out:
    if (features != NULL) {
        for (size_t i = 0; i < n; i++)
            area_cleanup(&features[i].area);
        free(features);
    }
    json_decref(root);
    return r;
}

/* ---- export ----------------------------------------------------------------------------- */

struct geojson_writer {
    struct buf *out;
    int min_level, max_level;
    size_t count;
};

static int write_feature(void *arg, const struct area *a)
{
    struct geojson_writer *w = arg;
    char parent[AREA_CODE_BUF] = "";
    json_t *props;
    char *props_text;
    int r;

    if (a->level < w->min_level || a->geometry == NULL)
        return 0;
    areacode_parent(a->code, parent);
    props = json_pack("{s:s, s:s, s:s, s:s?, s:I, s:I}", "code", a->code, "name", a->name, "level",
                      areacode_level_name(a->level), "parent", parent[0] ? parent : NULL,
                      "households", (json_int_t)a->households, "persons", (json_int_t)a->persons);
    if (props == NULL)
        return ERR_INTERNAL;
    if (!parent[0])
        json_object_set_new(props, "parent", json_null());
    props_text = json_dump_compact(props);
    json_decref(props);
    if (props_text == NULL)
        return ERR_INTERNAL;
    r = buf_printf(w->out,
                   "%s{\"type\":\"Feature\",\"properties\":%s,\"geometry\":", w->count ? "," : "",
                   props_text);
    free(props_text);
    if (r == 0)
        r = buf_append_str(w->out, a->geometry);
    if (r == 0)
        r = buf_append_str(w->out, "}");
    w->count++;
    return r;
}

int areas_write_geojson(struct store *st, const char *root, int min_depth, int max_depth,
                        struct buf *out)
{
    int level = areacode_level(root);
    int exists = 0;
    int r;
    struct geojson_writer w = {out, 0, 0, 0};

    if (root[0] != '\0') {
        if (level == 0)
            return ERR_INVALID;
        if ((r = store_area_exists(st, root, &exists)) != 0)
            return r;
        if (!exists)
            return ERR_NOT_FOUND;
    }
    w.min_level = level + min_depth;
    w.max_level = level + max_depth > AREA_LEVEL_MAX ? AREA_LEVEL_MAX : level + max_depth;
    if ((r = buf_append_str(out, "{\"type\":\"FeatureCollection\",\"features\":[")) != 0)
        return r;
    if ((r = store_area_walk(st, root, w.max_level, 1, write_feature, &w)) != 0)
        return r;
    return buf_append_str(out, "]}");
}

int areas_path(struct store *st, const char *code, struct area_path *out)
{
    int level = areacode_level(code);
    int r;
    memset(out, 0, sizeof(*out));
    if (level == 0)
        return ERR_INVALID;
    for (int l = AREA_LEVEL_MIN; l <= level; l++) {
        char prefix[AREA_CODE_BUF];
        struct area a;
        size_t n = areacode_length(l);
        memcpy(prefix, code, n);
        prefix[n] = '\0';
        r = store_area_get(st, prefix, 0, &a);
        if (r == ERR_NOT_FOUND && l < level)
            continue; /* the tree may start below the province */
        if (r != 0)
            return r;
        struct area_ref *ref = &out->items[out->len++];
        snprintf(ref->code, sizeof(ref->code), "%s", a.code);
        snprintf(ref->name, sizeof(ref->name), "%s", a.name);
        ref->level = a.level;
    }
    return 0;
}

static const struct area_ref *find_name(const struct service_ctx *ctx, const char *code)
{
    size_t lo = 0, hi = ctx->n_area_names;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ctx->area_names[mid].code, code);
        if (c == 0)
            return &ctx->area_names[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

int areas_locate(struct service_ctx *ctx, double lon, double lat, struct area_path *out)
{
    struct geo_index *ix;
    char code[AREA_CODE_BUF];
    int level, r;
    memset(out, 0, sizeof(*out));
    if ((r = service_ctx_index(ctx, &ix)) != 0)
        return r;
    if ((r = geo_index_locate(ix, lon, lat, code)) != 0)
        return r;
    /* The names were loaded with the index (same version), so no query is needed. */
    level = areacode_level(code);
    for (int l = AREA_LEVEL_MIN; l <= level; l++) {
        char prefix[AREA_CODE_BUF];
        size_t n = areacode_length(l);
        memcpy(prefix, code, n);
        prefix[n] = '\0';
        const struct area_ref *ref = find_name(ctx, prefix);
        if (ref != NULL)
            out->items[out->len++] = *ref;
    }
    return out->len > 0 ? 0 : ERR_NOT_FOUND;
}
