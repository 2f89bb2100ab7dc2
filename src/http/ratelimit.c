/*
 * ratelimit.c - per-client token buckets in a fixed-size set-associative table (see
 * ratelimit.h). Owns the table, its stripe locks and the hash key.
 *
 * A token is MINUTE_MS units, so a bucket refilling per_min tokens a minute gains exactly
 * per_min units every millisecond: integer arithmetic, nothing rounded, nothing lost between
 * calls. A bucket holds up to burst * MINUTE_MS units.
 */
#include "http/ratelimit.h"

#include "base/error.h"
#include "base/xalloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATELIMIT_STRIPES 64
#define MINUTE_MS         60000

struct ratelimit_slot {
    char key[RATELIMIT_KEY_MAX]; /* "" = free */
    int64_t tokens;              /* units: MINUTE_MS per token */
    int64_t refilled_ms;         /* time the tokens were last brought up to date */
};

struct ratelimit {
    int64_t per_min;
    int64_t burst;
    size_t n_sets;
    struct ratelimit_slot *slots; /* owned: n_sets * RATELIMIT_WAYS */
    pthread_mutex_t locks[RATELIMIT_STRIPES];
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
};

int ratelimit_new(long per_min, long burst, size_t clients, struct ratelimit **out)
{
    *out = NULL;
    if (per_min <= 0 || burst < 1 || per_min > 100000000L || burst > 100000000L || clients < 1 ||
        clients > ((size_t)1 << 24))
        return ERR_INVALID;
    if (sodium_init() < 0)
        return ERR_INTERNAL;
    struct ratelimit *rl = xcalloc(1, sizeof(*rl));
    rl->per_min = per_min;
    rl->burst = burst;
    rl->n_sets = (clients + RATELIMIT_WAYS - 1) / RATELIMIT_WAYS;
    rl->slots = xcalloc(rl->n_sets * RATELIMIT_WAYS, sizeof(*rl->slots));
    for (int i = 0; i < RATELIMIT_STRIPES; i++)
        pthread_mutex_init(&rl->locks[i], NULL);
    crypto_shorthash_keygen(rl->hash_key);
    *out = rl;
    return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (rl == NULL)
        return;
    for (int i = 0; i < RATELIMIT_STRIPES; i++)
        pthread_mutex_destroy(&rl->locks[i]);
    free(rl->slots);
    free(rl);
}

/* Bring s's tokens up to date at now_ms. */
static void ratelimit_refill(const struct ratelimit *rl, struct ratelimit_slot *s, int64_t now_ms)
{
    int64_t full = rl->burst * MINUTE_MS;
    if (now_ms <= s->refilled_ms)
        return; /* a clock that went backwards refills nothing */
    int64_t elapsed = now_ms - s->refilled_ms;
    s->refilled_ms = now_ms;
    /* Compare before multiplying: a long idle time must not overflow. */
    if (elapsed >= (full - s->tokens) / rl->per_min + 1)
        s->tokens = full;
    else
        s->tokens += elapsed * rl->per_min;
    if (s->tokens > full)
        s->tokens = full;
}

void ratelimit_client_key(const char *addr, char *out, size_t size)
{
    struct in6_addr a6;

    if (size == 0)
        return;
    if (strchr(addr, ':') != NULL && inet_pton(AF_INET6, addr, &a6) == 1) {
        memset(&a6.s6_addr[8], 0, 8);
        char text[INET6_ADDRSTRLEN];
        if (inet_ntop(AF_INET6, &a6, text, sizeof(text)) != NULL) {
            snprintf(out, size, "%s/64", text);
            return;
        }
    }
    snprintf(out, size, "%s", addr);
}

int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, long *retry_after_s)
{
    unsigned char h[crypto_shorthash_BYTES];
    char k[RATELIMIT_KEY_MAX];
    uint64_t hv = 0;

    *retry_after_s = 0;
    snprintf(k, sizeof(k), "%s", key[0] != '\0' ? key : "-");
    crypto_shorthash(h, (const unsigned char *)k, strlen(k), rl->hash_key);
    memcpy(&hv, h, sizeof(hv));
    size_t set = (size_t)(hv % rl->n_sets);
    pthread_mutex_t *lock = &rl->locks[set % RATELIMIT_STRIPES];
    struct ratelimit_slot *ways = &rl->slots[set * RATELIMIT_WAYS];
    struct ratelimit_slot *s = NULL;

    pthread_mutex_lock(lock);
    for (int i = 0; i < RATELIMIT_WAYS && s == NULL; i++) {
        if (strcmp(ways[i].key, k) == 0)
            s = &ways[i];
    }
    if (s == NULL) {
        /* A free slot, else the one idle longest. */
        s = &ways[0];
        for (int i = 0; i < RATELIMIT_WAYS; i++) {
            if (ways[i].key[0] == '\0') {
                s = &ways[i];
                break;
            }
            if (ways[i].refilled_ms < s->refilled_ms)
                s = &ways[i];
        }
        memcpy(s->key, k, sizeof(k));
        s->tokens = rl->burst * MINUTE_MS;
        s->refilled_ms = now_ms;
    }
    ratelimit_refill(rl, s, now_ms);
    int r = 0;
    if (s->tokens >= MINUTE_MS) {
        s->tokens -= MINUTE_MS;
    } else {
        /* ms until the missing units have been refilled, rounded up to whole seconds. */
        int64_t ms = (MINUTE_MS - s->tokens + rl->per_min - 1) / rl->per_min;
        *retry_after_s = (long)((ms + 999) / 1000);
        if (*retry_after_s < 1)
            *retry_after_s = 1;
        r = ERR_RATE_LIMITED;
    }
    pthread_mutex_unlock(lock);
    return r;
}
