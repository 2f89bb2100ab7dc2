/*
 * auth.c - users, password hashing, login with lockout, sessions (see auth.h).
 *
 * Lockout: after policy.max_failures failed logins in a row the account is locked for
 * lock_base_ms, doubling with every further failure up to lock_max_ms. While locked every
 * attempt (even with the right password) answers ERR_RATE_LIMITED and does no hash work, so
 * an attacker gets a handful of guesses per lock period. A success resets the counter.
 */
#include "service/auth.h"

#include "base/log.h"
#include "domain/areacode.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

void auth_policy_default(struct auth_policy *p)
{
    p->session_ttl_ms = 12LL * 3600 * 1000;
    p->max_failures = 5;
    p->lock_base_ms = 30LL * 1000;
    p->lock_max_ms = 15LL * 60 * 1000;
}

int auth_global_init(void)
{
    return sodium_init() < 0 ? ERR_INTERNAL : 0;
}

static int auth_hash_password(const char *password, char out[USER_HASH_MAX + 1])
{
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return ERR_INTERNAL; /* out of memory */
    snprintf(out, USER_HASH_MAX + 1, "%s", hash);
    sodium_memzero(hash, sizeof(hash));
    return 0;
}

static int valid_username(const char *s)
{
    size_t n = 0;
    for (; s[n] != '\0'; n++) {
        char c = s[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-'))
            return 0;
    }
    return n >= 1 && n <= USER_NAME_MAX;
}

static int check_password(const char *password, struct errbuf *eb)
{
    size_t n = password ? strlen(password) : 0;
    if (n < AUTH_PASSWORD_MIN)
        return errbuf_set(eb, ERR_INVALID, "password must have at least %d characters",
                          AUTH_PASSWORD_MIN);
    if (n > AUTH_PASSWORD_MAX)
        return errbuf_set(eb, ERR_INVALID, "password must have at most %d characters",
                          AUTH_PASSWORD_MAX);
    return 0;
}

int auth_user_add(struct store *st, const struct user_spec *spec, int64_t *id_out,
                  struct errbuf *eb)
{
    struct user u;
    enum role role;
    int exists = 0;
    int r;

    memset(&u, 0, sizeof(u));
    if (id_out)
        *id_out = 0;
    if (spec->username == NULL || !valid_username(spec->username))
        return errbuf_set(eb, ERR_INVALID,
                          "username must be 1-64 characters of letters, digits, '_', '.', '-'");
    if (spec->role == NULL || access_role_parse(spec->role, &role) != 0)
        return errbuf_set(eb, ERR_INVALID, "unknown role '%s'", spec->role ? spec->role : "");
    if (spec->area_code == NULL || !areacode_is_valid(spec->area_code))
        return errbuf_set(eb, ERR_INVALID, "area must be a valid area code");
    if (role == ROLE_DEPARTMENT_HANDLER && (spec->department == NULL || !spec->department[0]))
        return errbuf_set(eb, ERR_INVALID, "a department_handler needs a department");
    if (spec->department != NULL && strlen(spec->department) > USER_DEPT_MAX)
        return errbuf_set(eb, ERR_INVALID, "department is longer than %d bytes", USER_DEPT_MAX);
    if (spec->display_name != NULL && strlen(spec->display_name) > USER_NAME_MAX)
        return errbuf_set(eb, ERR_INVALID, "display name is longer than %d bytes", USER_NAME_MAX);
    if ((r = check_password(spec->password, eb)) != 0)
        return r;
    if ((r = store_area_exists(st, spec->area_code, &exists)) != 0)
        return r;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", spec->area_code);

    snprintf(u.username, sizeof(u.username), "%s", spec->username);
    snprintf(u.display_name, sizeof(u.display_name), "%s",
             spec->display_name && spec->display_name[0] ? spec->display_name : spec->username);
    snprintf(u.role, sizeof(u.role), "%s", access_role_name(role));
    snprintf(u.area_code, sizeof(u.area_code), "%s", spec->area_code);
    snprintf(u.department, sizeof(u.department), "%s", spec->department ? spec->department : "");
    if ((r = auth_hash_password(spec->password, u.password_hash)) != 0)
        return r;
    r = store_user_insert(st, &u);
    if (r == ERR_EXISTS)
        return errbuf_set(eb, ERR_EXISTS, "user '%s' already exists", spec->username);
    if (r != 0)
        return r;
    if (id_out)
        *id_out = u.id;
    return 0;
}

int auth_user_set_password(struct store *st, const char *username, const char *password,
                           struct errbuf *eb)
{
    struct user u;
    char hash[USER_HASH_MAX + 1];
    int r;
    if ((r = check_password(password, eb)) != 0)
        return r;
    if ((r = store_user_get_by_name(st, username, &u)) != 0)
        return r == ERR_NOT_FOUND ? errbuf_set(eb, r, "no user '%s'", username) : r;
    if ((r = auth_hash_password(password, hash)) != 0)
        return r;
    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = store_user_set_password(st, u.id, hash)) != 0 ||
        (r = store_session_delete_user(st, u.id)) != 0) {
        store_rollback(st);
        return r;
    }
    return store_commit(st);
}

int auth_user_set_disabled(struct store *st, int64_t id, int is_disabled, struct errbuf *eb)
{
    int r;
    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = store_user_set_disabled(st, id, is_disabled)) != 0 ||
        (is_disabled && (r = store_session_delete_user(st, id)) != 0)) {
        store_rollback(st);
        return r == ERR_NOT_FOUND ? errbuf_set(eb, r, "no user %lld", (long long)id) : r;
    }
    return store_commit(st);
}

void auth_token_hash(const char *token, char out[65])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof(h), (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, 65, h, sizeof(h));
}

int auth_principal_from_user(const struct user *u, struct principal *out)
{
    memset(out, 0, sizeof(*out));
    if (access_role_parse(u->role, &out->role) != 0)
        return ERR_INVALID;
    out->user_id = u->id;
    snprintf(out->scope, sizeof(out->scope), "%s", u->area_code);
    snprintf(out->department, sizeof(out->department), "%s", u->department);
    return 0;
}

/* Spend the work a real verification costs, so a login for an unknown user takes as long
 * as one for a known user (no username probing by timing). */
static void dummy_verify(const char *password)
{
    char scratch[USER_HASH_MAX + 1];
    (void)auth_hash_password(password, scratch);
}

/*
 * Count one failed login for user id and lock the account once there are too many. The count
 * is re-read inside a write transaction: logins verify in parallel on several threads, and
 * writing back "the count read before the slow password check, plus one" would lose the
 * failures of concurrent attempts (8 simultaneous wrong guesses counted as 1 or 2), letting
 * a guesser get many more tries than max_failures.
 */
static int auth_count_failure(struct store *st, const struct auth_policy *policy, int64_t id,
                              int64_t now_ms, struct errbuf *eb)
{
    struct user fresh;
    int r;

    if ((r = store_begin(st)) != 0)
        return r;
    if ((r = store_user_get(st, id, &fresh)) != 0) {
        store_rollback(st);
        return r;
    }
    int failures = fresh.failed_logins + 1;
    int64_t until = 0;
    if (failures >= policy->max_failures) {
        int shift = failures - policy->max_failures;
        int64_t lock = policy->lock_base_ms;
        while (shift-- > 0 && lock < policy->lock_max_ms)
            lock *= 2;
        if (lock > policy->lock_max_ms)
            lock = policy->lock_max_ms;
        until = now_ms + lock;
        log_warn("auth", "user_id=%lld locked after %d failed logins", (long long)id, failures);
    }
    memset(fresh.password_hash, 0, sizeof(fresh.password_hash));
    if ((r = store_user_set_login_state(st, id, failures, until)) != 0 ||
        (r = store_commit(st)) != 0) {
        store_rollback(st);
        return r;
    }
    return errbuf_set(eb, ERR_BAD_LOGIN, "wrong username or password");
}

int auth_login(struct store *st, const struct auth_policy *policy, const char *username,
               const char *password, int64_t now_ms, struct login_result *out, struct errbuf *eb)
{
    struct user u;
    struct session sess;
    unsigned char raw[32];
    int r;

    memset(out, 0, sizeof(*out));
    if (username == NULL || password == NULL || strlen(password) > AUTH_PASSWORD_MAX)
        return errbuf_set(eb, ERR_BAD_LOGIN, "wrong username or password");
    r = store_user_get_by_name(st, username, &u);
    if (r == ERR_NOT_FOUND || (r == 0 && u.is_disabled)) {
        dummy_verify(password);
        return errbuf_set(eb, ERR_BAD_LOGIN, "wrong username or password");
    }
    if (r != 0)
        return r;
    if (u.locked_until_ms > now_ms) {
        long secs = (long)((u.locked_until_ms - now_ms + 999) / 1000);
        out->retry_after_s = secs;
        return errbuf_set(eb, ERR_RATE_LIMITED, "too many failed logins; try again in %ld seconds",
                          secs);
    }
    if (crypto_pwhash_str_verify(u.password_hash, password, strlen(password)) != 0)
        return auth_count_failure(st, policy, u.id, now_ms, eb);

    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(out->token, sizeof(out->token), raw, sizeof(raw),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2hex(out->csrf_token, sizeof(out->csrf_token), raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));

    memset(&sess, 0, sizeof(sess));
    auth_token_hash(out->token, sess.token_hash);
    snprintf(sess.csrf_token, sizeof(sess.csrf_token), "%s", out->csrf_token);
    sess.user_id = u.id;
    sess.created_ms = now_ms;
    sess.expires_ms = now_ms + policy->session_ttl_ms;

    if ((r = store_begin(st)) != 0)
        goto fail;
    if ((r = store_session_insert(st, &sess)) != 0 ||
        (u.failed_logins != 0 && (r = store_user_set_login_state(st, u.id, 0, 0)) != 0) ||
        (r = store_session_purge(st, now_ms)) != 0) {
        store_rollback(st);
        goto fail;
    }
    if ((r = store_commit(st)) != 0)
        goto fail;
    out->expires_ms = sess.expires_ms;
    memset(u.password_hash, 0, sizeof(u.password_hash));
    out->user = u;
    return 0;
fail:
    memset(out, 0, sizeof(*out));
    return r;
}

int auth_authenticate(struct store *st, const char *token, int64_t now_ms, struct principal *out,
                      struct session *sess_out)
{
    char hash[65];
    struct session sess;
    struct user u;
    int r;

    memset(out, 0, sizeof(*out));
    if (token == NULL || token[0] == '\0' || strlen(token) > AUTH_TOKEN_MAX)
        return ERR_UNAUTHORIZED;
    auth_token_hash(token, hash);
    /* The session and its user in one statement: no live session, no user, or a disabled
     * user are all "not signed in". */
    r = store_session_user_get(st, hash, now_ms, &sess, &u);
    if (r == ERR_NOT_FOUND || (r == 0 && u.is_disabled))
        return ERR_UNAUTHORIZED;
    if (r != 0)
        return r;
    if (auth_principal_from_user(&u, out) != 0)
        return ERR_UNAUTHORIZED;
    if (sess_out)
        *sess_out = sess;
    return 0;
}

int auth_logout(struct store *st, const char *token)
{
    char hash[65];
    if (token == NULL || token[0] == '\0' || strlen(token) > AUTH_TOKEN_MAX)
        return 0;
    auth_token_hash(token, hash);
    return store_session_delete(st, hash);
}
