/*
 * api_users.c - user administration over HTTP beyond listing and creating (api_auth.c):
 *
 *   POST /api/v1/users/{id}/disable  -> 200 the user ("disabled": true); every session of
 *                                       theirs ends, and they cannot log in
 *   POST /api/v1/users/{id}/enable   -> 200 the user ("disabled": false)
 *   POST /api/v1/users/{id}/password {"password"} -> 200 the user; every session of theirs ends
 *
 * Admins only (CAP_USER_ADMIN), over users whose area lies in their own subtree; a user outside
 * it is answered 404 like a missing one (its existence is not disclosed). An admin cannot
 * disable their own account (409: nobody would be left to enable it). Every change is written
 * to the server log ("users" module: who did what to whom; never the password).
 */
#include "api/api_handlers.h"

#include "base/jsonutil.h"
#include "base/log.h"
#include "service/auth.h"
#include "service/context.h"
#include "store/store.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The user named by the path, checked against the caller's scope. Writes the error reply and
 * returns nonzero when there is none the caller may administer. */
static int target_user(struct api_request *req, struct api_response *resp, struct user *u)
{
    char *end;
    long long id;
    int r;
    if (req->principal == NULL) {
        api_reply_error(resp, ERR_UNAUTHORIZED, "log in first");
        return ERR_UNAUTHORIZED;
    }
    if (!access_role_has(req->principal->role, CAP_USER_ADMIN)) {
        api_reply_error(resp, ERR_FORBIDDEN, "only administrators manage users");
        return ERR_FORBIDDEN;
    }
    if (req->n_path_params < 1) {
        api_reply_error(resp, ERR_NOT_FOUND, NULL);
        return ERR_NOT_FOUND;
    }
    errno = 0;
    id = strtoll(req->path_params[0], &end, 10);
    if (errno != 0 || *end != '\0' || id <= 0) {
        api_reply_error(resp, ERR_NOT_FOUND, "no such user");
        return ERR_NOT_FOUND;
    }
    r = store_user_get(req->svc->st, id, u);
    if (r == 0 && access_check(req->principal, CAP_USER_ADMIN, u->area_code) != 0)
        r = ERR_NOT_FOUND;
    if (r == ERR_NOT_FOUND) {
        char msg[64];
        snprintf(msg, sizeof(msg), "no user %lld", id);
        api_reply_error(resp, ERR_NOT_FOUND, msg);
        return r;
    }
    if (r != 0)
        api_reply_error(resp, r, NULL);
    return r;
}

static int reply_user(struct api_request *req, struct api_response *resp, int64_t id)
{
    struct user u;
    int r = store_user_get(req->svc->st, id, &u);
    if (r != 0)
        return api_reply_error(resp, r, NULL);
    return api_reply_json(resp, 200,
                          json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)u.id,
                                    "username", u.username, "display_name", u.display_name, "role",
                                    u.role, "area_code", u.area_code, "department", u.department,
                                    "disabled", u.is_disabled != 0));
}

static int set_disabled(struct api_request *req, struct api_response *resp, int is_disabled)
{
    struct errbuf eb = {{0}};
    struct user u;
    int r;
    if (target_user(req, resp, &u) != 0)
        return 0;
    if (is_disabled && u.id == req->principal->user_id)
        return api_reply_error(resp, ERR_CONFLICT,
                               "an administrator cannot disable their own "
                               "account");
    if ((r = auth_user_set_disabled(req->svc->st, u.id, is_disabled, &eb)) != 0)
        return api_reply_errbuf(resp, r, &eb);
    log_info("users", "user_id=%lld %s user_id=%lld (%s)", (long long)req->principal->user_id,
             is_disabled ? "disabled" : "enabled", (long long)u.id, u.username);
    return reply_user(req, resp, u.id);
}

int api_user_disable(struct api_request *req, struct api_response *resp)
{
    return set_disabled(req, resp, 1);
}

int api_user_enable(struct api_request *req, struct api_response *resp)
{
    return set_disabled(req, resp, 0);
}

int api_user_password(struct api_request *req, struct api_response *resp)
{
    static const char *const allowed[] = {"password", NULL};
    struct errbuf eb = {{0}};
    struct user u;
    const char *password = NULL;
    json_t *body = NULL;
    int r;
    if (target_user(req, resp, &u) != 0)
        return 0;
    if (api_body_object(req, resp, allowed, &body) != 0)
        return 0;
    if ((r = json_get_string(body, "password", 1, AUTH_PASSWORD_MAX, &password, &eb)) == 0)
        r = auth_user_set_password(req->svc->st, u.username, password, &eb);
    json_decref(body);
    if (r != 0)
        return api_reply_errbuf(resp, r, &eb);
    log_info("users", "user_id=%lld reset the password of user_id=%lld (%s)",
             (long long)req->principal->user_id, (long long)u.id, u.username);
    return reply_user(req, resp, u.id);
}
