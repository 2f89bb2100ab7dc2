/*
 * apikeys.c - issuing and checking Open311 API keys (see apikeys.h).
 */
#include "service/apikeys.h"

#include "service/auth.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define KEY_PREFIX "g311_"

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > API_KEY_NAME_MAX)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == n;
}

int apikey_add(struct store *st, const char *name, const char *username, int64_t now_ms,
               char key_out[APIKEY_TEXT_MAX + 1], struct api_key *out, struct errbuf *eb)
{
    unsigned char raw[32];
    char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
    struct api_key k;
    int r;

    key_out[0] = '\0';
    memset(&k, 0, sizeof(k));
    if (name == NULL || !valid_name(name))
        return errbuf_set(eb, ERR_INVALID,
                          "the client name must be 1 to %d characters of A-Z a-z 0-9 . _ -",
                          API_KEY_NAME_MAX);
    if (username != NULL) {
        struct user u;
        r = store_user_get_by_name(st, username, &u);
        if (r == ERR_NOT_FOUND)
            return errbuf_set(eb, r, "no user named %.64s", username);
        if (r != 0)
            return r;
        k.user_id = u.id;
        memset(u.password_hash, 0, sizeof(u.password_hash));
    }
    randombytes_buf(raw, sizeof(raw));
    sodium_bin2base64(b64, sizeof(b64), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof(raw));
    snprintf(key_out, APIKEY_TEXT_MAX + 1, "%s%s", KEY_PREFIX, b64);
    sodium_memzero(b64, sizeof(b64));
    snprintf(k.name, sizeof(k.name), "%s", name);
    auth_token_hash(key_out, k.key_hash);
    k.created_ms = now_ms;
    if ((r = store_api_key_insert(st, &k)) != 0) {
        sodium_memzero(key_out, APIKEY_TEXT_MAX + 1);
        if (r == ERR_EXISTS)
            return errbuf_set(eb, r, "a key for client %s already exists", name);
        return r;
    }
    if (out)
        *out = k;
    return 0;
}

int apikey_check(struct store *st, const char *key, struct api_key *out)
{
    char hash[65];
    size_t n;
    int r;
    memset(out, 0, sizeof(*out));
    if (key == NULL)
        return ERR_FORBIDDEN;
    n = strlen(key);
    if (n <= strlen(KEY_PREFIX) || n > APIKEY_TEXT_MAX ||
        strncmp(key, KEY_PREFIX, strlen(KEY_PREFIX)) != 0)
        return ERR_FORBIDDEN;
    auth_token_hash(key, hash);
    r = store_api_key_get_by_hash(st, hash, out);
    return r == ERR_NOT_FOUND ? ERR_FORBIDDEN : r;
}
