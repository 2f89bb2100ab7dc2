/*
 * keyset.c - an in-memory map from 16-byte hash keys to 64-bit values (see keyset.h).
 */
#include "base/keyset.h"

#include "base/xalloc.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

static size_t slot_of(const struct keyset *ks, const unsigned char *key)
{
    uint64_t h;
    memcpy(&h, key, sizeof(h));
    return (size_t)h & (ks->cap - 1);
}

void keyset_init(struct keyset *ks, size_t expected)
{
    size_t cap = 64;
    while (cap / 4 * 3 < expected)
        cap *= 2;
    ks->slots = xcalloc(cap, sizeof(*ks->slots));
    ks->cap = cap;
    ks->n = 0;
}

void keyset_cleanup(struct keyset *ks)
{
    free(ks->slots);
    memset(ks, 0, sizeof(*ks));
}

/* The slot holding key, or the free slot where it would go. */
static struct keyset_slot *find(const struct keyset *ks, const unsigned char *key)
{
    size_t i = slot_of(ks, key);
    for (;;) {
        struct keyset_slot *sl = &ks->slots[i];
        if (sl->value == 0 || memcmp(sl->key, key, KEYSET_KEY) == 0)
            return sl;
        i = (i + 1) & (ks->cap - 1);
    }
}

int keyset_get(const struct keyset *ks, const unsigned char key[KEYSET_KEY], int64_t *value)
{
    const struct keyset_slot *sl = find(ks, key);
    if (sl->value == 0)
        return 0;
    if (value)
        *value = sl->value;
    return 1;
}

static void grow(struct keyset *ks)
{
    struct keyset old = *ks;
    ks->cap = old.cap * 2;
    ks->slots = xcalloc(ks->cap, sizeof(*ks->slots));
    for (size_t i = 0; i < old.cap; i++)
        if (old.slots[i].value != 0)
            *find(ks, old.slots[i].key) = old.slots[i];
    free(old.slots);
}

void keyset_put(struct keyset *ks, const unsigned char key[KEYSET_KEY], int64_t value)
{
    struct keyset_slot *sl;
    if ((ks->n + 1) > ks->cap / 4 * 3)
        grow(ks);
    sl = find(ks, key);
    if (sl->value == 0) {
        memcpy(sl->key, key, KEYSET_KEY);
        ks->n++;
    }
    sl->value = value;
}

void keyset_key_of_text(const char *text, unsigned char out[KEYSET_KEY])
{
    crypto_generichash(out, KEYSET_KEY, (const unsigned char *)text, strlen(text), NULL, 0);
}
