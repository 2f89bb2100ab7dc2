/*
 * keyset.h - an in-memory map from 16-byte keys to 64-bit values (open addressing, linear
 * probing, grows at 3/4 full). Keys are expected to be hashes already (uniformly spread bytes,
 * e.g. a keyed or generic hash of the real key): the first 8 bytes pick the slot. An all-zero
 * key is stored like any other; a value must not be 0 (0 marks a free slot). The bulk import uses
 * it to check natural keys in memory while the table's indexes are dropped. Not thread-safe; one
 * owner.
 */
#ifndef GRIDGOV_BASE_KEYSET_H
#define GRIDGOV_BASE_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#define KEYSET_KEY 16

struct keyset_slot {
    unsigned char key[KEYSET_KEY];
    int64_t value; /* 0: the slot is free */
};

struct keyset {
    struct keyset_slot *slots; /* owned; cap entries, cap a power of two */
    size_t cap, n;
};

/* An empty set sized for about expected keys (0: small). */
void keyset_init(struct keyset *ks, size_t expected);
void keyset_cleanup(struct keyset *ks);
/* 1 and *value when key is present, else 0. value may be NULL. */
int keyset_get(const struct keyset *ks, const unsigned char key[KEYSET_KEY], int64_t *value);
/* Add key with value (not 0), or replace its value when present. */
void keyset_put(struct keyset *ks, const unsigned char key[KEYSET_KEY], int64_t value);
/* The key of a text (a generic BLAKE2b hash of it): how the bulk import and the demo key a
 * record's natural key, whatever its length. */
void keyset_key_of_text(const char *text, unsigned char out[KEYSET_KEY]);

#endif
