/*
 * api_auth.c - login, logout, the current user, and user administration over HTTP.
 *
 *   POST /api/v1/auth/login  {"username","password"} -> 200 {"token","expires_at",
 *        "csrf_token","user"} and the gridgov_session cookie (HttpOnly, SameSite=Strict)
 *   POST /api/v1/auth/logout -> 204, session ended, cookie cleared
 *   GET  /api/v1/me          -> the user, their area name and the session's CSRF token
 *   GET  /api/v1/users       -> users inside the caller's subtree (admins), by username, one
 *                               page of ?limit= (1..500, default 100) after ?cursor=, with
 *                               next_cursor
 *   POST /api/v1/users       -> create a user inside the caller's subtree (admins)
 * (disabling, enabling and password resets: api_users.c)
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "service/areas.h"
#include "service/auth.h"
#include "service/context.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define USERS_PAGE_DEFAULT 100
#define USERS_PAGE_MAX     500

static json_t *user_json(const struct user *u, struct store *st)
{
    struct area a;
    const char *area_name = "";
    json_t *j;
    int found = store_area_get(st, u->area_code, 0, &a) == 0;
    if (found)
        area_name = a.name;
    j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)u->id, "username",
                  u->username, "display_name", u->display_name, "role", u->role, "area_code",
                  u->area_code, "area_name", area_name, "department", u->department, "disabled",
                  u->is_disabled != 0);
    if (found)
        area_cleanup(&a);
    return j;
}

int api_auth_login(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"username", "password", NULL};
    struct errbuf eb = {{0}};
    struct login_result login;
    const char *username, *password;
    json_t *body = NULL;
    char expires[32], cookie[256];
    int r;

    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "username", 1, USER_NAME_MAX, &username, &eb)) != 0 ||
        (r = json_get_string(body, "password", 1, AUTH_PASSWORD_MAX, &password, &eb)) != 0) {
        json_decref(body);
        return api_reply_errbuf(resp, r, &eb);
    }
    r = auth_login(req->svc->st, &req->svc->auth, username, password, time_now_ms(), &login, &eb);
    json_decref(body);
    if (r == ERR_RATE_LIMITED && login.retry_after_s > 0) {
        char secs[24];
        snprintf(secs, sizeof(secs), "%ld", login.retry_after_s);
        api_response_header(resp, "Retry-After", secs); /* the lock's end, not a guess */
    }
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);

    time_format_iso(login.expires_ms, expires, sizeof(expires));
    snprintf(cookie, sizeof(cookie),
             "gridgov_session=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld", login.token,
             (long long)(req->svc->auth.session_ttl_ms / 1000));
    api_response_header(resp, "Set-Cookie", cookie);
    r = api_reply_json(resp, 200,
                       json_pack("{s:s, s:s, s:s, s:o}", "token", login.token, "expires_at",
                                 expires, "csrf_token", login.csrf_token, "user",
                                 user_json(&login.user, req->svc->st)));
    memset(&login, 0, sizeof(login));
    return r;
}

int api_auth_logout(struct api_request *req, struct api_response *resp)
{
    int r = store_session_delete(req->svc->st, req->token_hash);
    if (r != 0)
        return r;
    api_response_header(resp, "Set-Cookie",
                        "gridgov_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    resp->status = 204;
    return 0;
}

int api_me(struct api_request *req, struct api_response *resp)
{
    struct user u;
    struct session sess;
    json_t *j;
    int r = store_user_get(req->svc->st, req->principal->user_id, &u);
    if (r != 0)
        return r == ERR_NOT_FOUND ? ERR_UNAUTHORIZED : r;
    j = user_json(&u, req->svc->st);
    if (store_session_get(req->svc->st, req->token_hash, time_now_ms(), &sess) == 0)
        json_object_set_new(j, "csrf_token", json_string(sess.csrf_token));
    return api_reply_json(resp, 200, j);
}

int api_users_list(struct api_request *req, struct api_response *resp)
{
    struct user_list list;
    json_t *items, *j;
    long limit;
    const char *cursor = api_query(req, "cursor");
    int r = access_check(req->principal, CAP_USER_ADMIN, req->principal->scope);
    if (r != 0)
        return api_reply_access(resp, r, req->principal->scope);
    if (api_query_int(req, resp, "limit", 1, USERS_PAGE_MAX, USERS_PAGE_DEFAULT, &limit) != 0)
        return 0;
    if (cursor != NULL && (strlen(cursor) > USER_NAME_MAX ||
                           strspn(cursor, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                          "0123456789_.-") != strlen(cursor)))
        return api_reply_error(resp, ERR_INVALID, "query parameter 'cursor' is malformed");
    if ((r = store_user_page(req->svc->st, req->principal->scope, cursor ? cursor : "", (int)limit,
                             &list)) != 0)
        return r;
    items = json_array();
    for (size_t i = 0; i < list.len; i++)
        json_array_append_new(items, user_json(&list.items[i], req->svc->st));
    j = json_pack("{s:o}", "items", items);
    json_object_set_new(j, "next_cursor",
                        list.len == (size_t)limit ? json_string(list.items[list.len - 1].username)
                                                  : json_null());
    user_list_cleanup(&list);
    return api_reply_json(resp, 200, j);
}

int api_users_create(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"username",  "display_name", "password", "role",
                                          "area_code", "department",   NULL};
    struct errbuf eb = {{0}};
    struct user_spec spec;
    struct user u;
    json_t *body = NULL;
    int64_t id;
    int r;

    memset(&spec, 0, sizeof(spec));
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "username", 1, USER_NAME_MAX, &spec.username, &eb)) != 0 ||
        (r = json_get_string(body, "display_name", 0, USER_NAME_MAX, &spec.display_name, &eb)) !=
            0 ||
        (r = json_get_string(body, "password", 1, AUTH_PASSWORD_MAX, &spec.password, &eb)) != 0 ||
        (r = json_get_string(body, "role", 1, USER_ROLE_MAX, &spec.role, &eb)) != 0 ||
        (r = json_get_string(body, "area_code", 1, 18, &spec.area_code, &eb)) != 0 ||
        (r = json_get_string(body, "department", 0, USER_DEPT_MAX, &spec.department, &eb)) != 0)
        goto out;
    if ((r = access_check(req->principal, CAP_USER_ADMIN, spec.area_code)) != 0) {
        r = api_reply_access(resp, r, spec.area_code);
        goto out_replied;
    }
    if ((r = auth_user_add(req->svc->st, &spec, &id, &eb)) != 0)
        goto out;
    if ((r = store_user_get(req->svc->st, id, &u)) != 0)
        goto out;
    r = api_reply_json(resp, 201, user_json(&u, req->svc->st));
    goto out_replied;
out:
    r = api_reply_errbuf(resp, r, &eb);
out_replied:
    json_decref(body);
    return r;
}
