/*
 * secret.h - encryption at rest of personal data (ID numbers, phones) and the keyed hash that
 * finds a row by exact value without decrypting every row (SPEC sections 3 and 12).
 *
 * One master key lives in a key file outside the database, created by `gridgov init`: 32
 * random bytes written as 64 hexadecimal characters and a newline, mode 0600. A copy of the
 * database without that file reveals no ID number and no phone. Two subkeys are derived from
 * the master key with crypto_kdf (context "gridgov1"): subkey 1 encrypts (XChaCha20-Poly1305,
 * a random 24-byte nonce per value), subkey 2 keys the BLAKE2b index hash. Losing the key file
 * loses the encrypted fields, so operators back it up separately from the database.
 *
 * Stored formats (never change them in place; add "v2:" beside "v1:" instead):
 *   ciphertext  "v1:" + base64url without padding of nonce(24) || ciphertext || tag(16), with
 *               the field's context ("person.id_number") as associated data, so a value moved
 *               to another field or another row's column of a different kind does not decrypt;
 *   index hash  64 lower-case hex characters of BLAKE2b-256 keyed with subkey 2 over
 *               context || 0x00 || value.
 *
 * Callers must have called sodium_init() first (auth_global_init does). A loaded key is
 * read-only and may be shared by every thread.
 */
#ifndef GRIDGOV_BASE_SECRET_H
#define GRIDGOV_BASE_SECRET_H

#include <stddef.h>

struct errbuf;
struct secret_key;

#define SECRET_PLAINTEXT_MAX 4096 /* bytes of one value; longer is refused */
#define SECRET_CONTEXT_MAX   64   /* bytes of a context name such as "person.phone" */
#define SECRET_HASH_HEX      64   /* characters of secret_index_hash's output, without NUL */

/*
 * Create a new key file at path: 32 random bytes, hex-encoded, newline, mode 0600. The file
 * appears atomically, complete and fsync'd, or not at all: it is written to a temporary file
 * in the same directory and hard-linked into place, which fails rather than replace an
 * existing file. The directory must exist.
 * Errors: ERR_EXISTS if path already exists (the old key is never overwritten: the data
 * encrypted with it would be lost); ERR_IO if the directory or the file cannot be written;
 * ERR_INVALID for a NULL or empty path. Details in eb (may be NULL).
 */
int secret_key_create(const char *path, struct errbuf *eb);

/*
 * Load the key file at path into *out (cleared on entry; free with secret_key_free). The key
 * is kept in sodium_malloc'd, read-only memory; the master key is wiped once the subkeys are
 * derived.
 * Errors: ERR_NOT_FOUND if the file does not exist; ERR_FORBIDDEN if it is writable by
 * others (anyone could replace the key); ERR_INVALID if it is not a regular file or its
 * content is not exactly 64 hex characters (optionally followed by white space); ERR_IO if it
 * cannot be read; ERR_INTERNAL if secure memory cannot be allocated.
 * A key file that group or others can read loads, and secret_key_is_exposed says so: the
 * caller logs the warning, once, at its boundary.
 */
int secret_key_load(const char *path, struct secret_key **out, struct errbuf *eb);

/* 1 if the key file was readable by group or others when loaded (should be chmod 600). */
int secret_key_is_exposed(const struct secret_key *k);

/* Wipe and release k. NULL is a no-op. */
void secret_key_free(struct secret_key *k);

/*
 * Encrypt plaintext (a NUL-terminated string of at most SECRET_PLAINTEXT_MAX bytes, "" allowed)
 * for the field named context (1 to SECRET_CONTEXT_MAX bytes, e.g. "person.id_number") into
 * *out_b64 ("v1:..."; caller frees with free()). Encrypting the same value twice gives
 * different texts; use secret_index_hash to find equal values.
 * Errors: ERR_INVALID for a NULL, too long plaintext or a bad context; *out_b64 stays NULL.
 */
int secret_encrypt(const struct secret_key *k, const char *plaintext, const char *context,
                   char **out_b64);

/*
 * Nonces fetched from the system's generator in bulk, for a thread that encrypts many values
 * (an import): one call per 128 nonces instead of one per value. Each nonce is handed out once
 * and wiped from the pool. Used by one thread at a time; initialise with
 * secret_nonce_pool_init (no cleanup needed).
 */
struct secret_nonce_pool {
    unsigned char bytes[24 * 128]; /* 128 XChaCha20 nonces */
    size_t used;                   /* bytes already handed out */
};
void secret_nonce_pool_init(struct secret_nonce_pool *pool);

/* secret_encrypt with its nonce from pool (NULL: from the system's generator, as
 * secret_encrypt). The same stored format. */
int secret_encrypt_pooled(const struct secret_key *k, struct secret_nonce_pool *pool,
                          const char *plaintext, const char *context, char **out_b64);

/*
 * Decrypt a text made by secret_encrypt with the same key and context into *out_plaintext
 * (caller frees, preferably with secret_plaintext_free). Any input is safe: NULL, empty, a
 * different version, bad base64, a truncated, altered or oversized text, another context or
 * another key all give ERR_INVALID and leave *out_plaintext NULL.
 */
int secret_decrypt(const struct secret_key *k, const char *b64, const char *context,
                   char **out_plaintext);

/* Wipe a decrypted string and free it. NULL is a no-op. */
void secret_plaintext_free(char *plaintext);

/*
 * Keyed hash of normalized_value in context, as SECRET_HASH_HEX lower-case hex characters and
 * a NUL in out, for exact-match lookup: the same key, value and context always give the same
 * hash; another key or another context gives an unrelated one. Normalise first (idcard.h), so
 * that spellings of one value meet. k, normalized_value and context must not be NULL.
 */
void secret_index_hash(const struct secret_key *k, const char *normalized_value,
                       const char *context, char out[SECRET_HASH_HEX + 1]);

#endif
