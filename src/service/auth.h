/*
 * auth.h - users, passwords and sessions (SPEC section 12: "nobody is let in").
 *
 * Passwords are hashed with libsodium's argon2id (crypto_pwhash_str, interactive limits).
 * A login yields an opaque random token: 32 random bytes, base64url; only its BLAKE2b hash is
 * stored, so a copy of the database gives no usable session. Sessions expire. Repeated failed
 * logins lock the account for a growing time (answered as ERR_RATE_LIMITED), and a login for
 * an unknown user costs the same hash work as for a known one.
 *
 * Each call works on the caller's store connection (one thread). sodium_init() must have run
 * (auth_global_init, from main or a test's setup).
 */
#ifndef GRIDGOV_SERVICE_AUTH_H
#define GRIDGOV_SERVICE_AUTH_H

#include "base/error.h"
#include "domain/access.h"
#include "store/store.h"

#include <stdint.h>

#define AUTH_TOKEN_MAX    64 /* characters of a token (43 in practice) */
#define AUTH_PASSWORD_MIN 8
#define AUTH_PASSWORD_MAX 256

/* Policy knobs (from the configuration). */
struct auth_policy {
    int64_t session_ttl_ms; /* how long a session lives */
    int max_failures;       /* failed logins in a row before the account is locked */
    int64_t lock_base_ms;   /* first lock; doubles with every further failure */
    int64_t lock_max_ms;    /* cap on a lock */
};

/* Defaults: 12 h sessions, lock after 5 failures for 30 s, doubling up to 15 min. */
void auth_policy_default(struct auth_policy *p);

/* Initialise libsodium; call once before any other auth function. ERR_INTERNAL on failure. */
int auth_global_init(void);

/* What a new user is. */
struct user_spec {
    const char *username;     /* 1..64 of [A-Za-z0-9_.-] */
    const char *display_name; /* optional; defaults to username */
    const char *password;     /* AUTH_PASSWORD_MIN..MAX bytes */
    const char *role;         /* a role name, see access.h */
    const char *area_code;    /* an existing area: the root of the user's scope */
    const char *department;   /* required for department_handler, else optional */
};

/*
 * Validate and create a user (write). ERR_INVALID with the field named in eb;
 * ERR_NOT_FOUND when the area does not exist; ERR_EXISTS when the username is taken.
 * Sets *id_out (may be NULL).
 */
int auth_user_add(struct store *st, const struct user_spec *spec, int64_t *id_out,
                  struct errbuf *eb);
/* Set a new password (write) and end every session of that user. */
int auth_user_set_password(struct store *st, const char *username, const char *password,
                           struct errbuf *eb);

/* Disable (is_disabled 1) or enable (0) the account id (write). Disabling also ends every
 * session of that user, in the same transaction. ERR_NOT_FOUND. */
int auth_user_set_disabled(struct store *st, int64_t id, int is_disabled, struct errbuf *eb);

struct login_result {
    char token[AUTH_TOKEN_MAX + 1];
    char csrf_token[65];
    int64_t expires_ms;
    struct user user;   /* password_hash cleared */
    long retry_after_s; /* with ERR_RATE_LIMITED: seconds until the account's lock ends */
};

/*
 * Check username/password at now_ms and open a session (write). Wrong username or password:
 * ERR_BAD_LOGIN (the same for both). Locked account: ERR_RATE_LIMITED.
 */
int auth_login(struct store *st, const struct auth_policy *policy, const char *username,
               const char *password, int64_t now_ms, struct login_result *out, struct errbuf *eb);

/*
 * The principal behind a token at now_ms. ERR_UNAUTHORIZED when the token is unknown,
 * expired, or its user is disabled. sess_out (may be NULL) receives the session row.
 */
int auth_authenticate(struct store *st, const char *token, int64_t now_ms, struct principal *out,
                      struct session *sess_out);
/* End the session of this token (write); an unknown token is not an error. */
int auth_logout(struct store *st, const char *token);
/* Hex BLAKE2b-256 of token into out (65 bytes). */
void auth_token_hash(const char *token, char out[65]);
/* Fill a principal from a user row; ERR_INVALID if its role is unknown. */
int auth_principal_from_user(const struct user *u, struct principal *out);

#endif
