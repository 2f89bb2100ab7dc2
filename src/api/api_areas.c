/*
 * api_areas.c - the area tree over HTTP (SPEC section 2).
 *
 *   GET /api/v1/areas?parent=CODE      children of CODE; without parent, the caller's own area
 *   GET /api/v1/areas/CODE             one area with its path from the top and its bbox
 *   GET /api/v1/areas/CODE/geojson?depth=N   FeatureCollection of the descendants N levels
 *                                      below CODE (0 = CODE itself; default 1)
 *   GET /api/v1/locate?lon=&lat=       the deepest area containing the point, with its path
 *                                      (public: residents locate their report before login)
 *
 * Every area endpoint except locate checks CAP_AREA_READ on the area asked for, so a user
 * sees their subtree and nothing beside or above it (403).
 */
#include "api/api_handlers.h"

#include "domain/areacode.h"
#include "service/areas.h"
#include "service/context.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

static json_t *area_summary_json(const struct area *a)
{
    char parent[AREA_CODE_BUF] = "";
    areacode_parent(a->code, parent);
    json_t *j = json_pack("{s:s, s:s, s:i, s:s, s:I, s:I, s:I}", "code", a->code, "name", a->name,
                          "level", a->level, "level_name", areacode_level_name(a->level),
                          "households", (json_int_t)a->households, "persons",
                          (json_int_t)a->persons, "children", (json_int_t)a->children);
    json_object_set_new(j, "parent", parent[0] ? json_string(parent) : json_null());
    return j;
}

static json_t *path_json(const struct area_path *path)
{
    json_t *items = json_array();
    for (int i = 0; i < path->len; i++)
        json_array_append_new(items,
                              json_pack("{s:s, s:s, s:i, s:s}", "code", path->items[i].code, "name",
                                        path->items[i].name, "level", path->items[i].level,
                                        "level_name", areacode_level_name(path->items[i].level)));
    return items;
}

/* Validate the {code} path parameter and the caller's right to read it. 0 = go ahead;
 * otherwise the reply is written. */
static int check_area_param(struct api_request *req, struct api_response *resp, const char *code)
{
    int r;
    if (!areacode_is_valid(code)) {
        api_reply_error(resp, ERR_INVALID, "area code must be 2, 4, 6, 9, 12, 15 or 18 digits");
        return ERR_INVALID;
    }
    if ((r = access_check(req->principal, CAP_AREA_READ, code)) != 0) {
        api_reply_access(resp, r, code);
        return r;
    }
    return 0;
}

int api_areas_list(struct api_request *req, struct api_response *resp)
{
    const char *parent = api_query(req, "parent");
    struct area_list list;
    json_t *items;
    int r;

    if (parent == NULL) {
        struct area a;
        r = store_area_get(req->svc->st, req->principal->scope, 0, &a);
        if (r == ERR_NOT_FOUND)
            return api_reply_json(resp, 200, json_pack("{s:[]}", "items"));
        if (r != 0)
            return r;
        return api_reply_json(resp, 200, json_pack("{s:[o]}", "items", area_summary_json(&a)));
    }
    if (check_area_param(req, resp, parent) != 0)
        return 0;
    if ((r = store_area_children(req->svc->st, parent, 0, &list)) != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < list.len; i++)
        json_array_append_new(items, area_summary_json(&list.items[i]));
    area_list_cleanup(&list);
    return api_reply_json(resp, 200, json_pack("{s:o}", "items", items));
}

int api_area_get(struct api_request *req, struct api_response *resp)
{
    const char *code = req->path_params[0];
    struct area a;
    struct area_path path;
    json_t *j;
    int r;

    if (check_area_param(req, resp, code) != 0)
        return 0;
    r = store_area_get(req->svc->st, code, 0, &a);
    if (r == ERR_NOT_FOUND)
        return api_reply_error(resp, r, "no such area");
    if (r != 0)
        return r;
    if ((r = areas_path(req->svc->st, code, &path)) != 0)
        return r;
    j = area_summary_json(&a);
    json_object_set_new(j, "path", path_json(&path));
    json_object_set_new(j, "bbox", json_pack("[f,f,f,f]", a.minx, a.miny, a.maxx, a.maxy));
    return api_reply_json(resp, 200, j);
}

int api_area_geojson(struct api_request *req, struct api_response *resp)
{
    const char *code = req->path_params[0];
    long depth;
    int r;

    if (check_area_param(req, resp, code) != 0)
        return 0;
    if (api_query_int(req, resp, "depth", 0, AREA_LEVEL_MAX, 1, &depth) != 0)
        return 0;
    buf_reset(&resp->body);
    r = areas_write_geojson(req->svc->st, code, (int)depth, (int)depth, &resp->body);
    if (r == ERR_NOT_FOUND)
        return api_reply_error(resp, r, "no such area");
    if (r != 0)
        return r;
    resp->status = 200;
    resp->content_type = "application/geo+json";
    return 0;
}

int api_locate(struct api_request *req, struct api_response *resp)
{
    struct area_path path;
    double lon, lat;
    json_t *j;
    int r;

    if (api_query_number(req, resp, "lon", 1, -180, 180, &lon) != 0 ||
        api_query_number(req, resp, "lat", 1, -90, 90, &lat) != 0)
        return 0;
    r = areas_locate(req->svc, lon, lat, &path);
    if (r == ERR_NOT_FOUND)
        return api_reply_error(resp, r, "no area contains this point");
    if (r != 0)
        return r;
    j = json_pack("{s:s, s:s, s:i, s:o}", "code", path.items[path.len - 1].code, "name",
                  path.items[path.len - 1].name, "level", path.items[path.len - 1].level, "path",
                  path_json(&path));
    return api_reply_json(resp, 200, j);
}
