/*
 * secret.c - the key file, field encryption and the keyed index hash (see secret.h).
 *
 * Invariants: key material lives only in sodium_malloc'd memory (guard pages, locked where the
 * system allows, read-only after loading) or in stack buffers wiped before return; the master
 * key is not kept once the subkeys are derived. Decryption trusts nothing: the text's length
 * is bounded before decoding, base64 must be canonical, and the AEAD tag is checked before a
 * byte of plaintext is returned. The only I/O is reading and writing the key file.
 *
 * Called by `gridgov init` (secret_key_create), at start-up (secret_key_load) and by the
 * services that store and read persons. A loaded key is immutable, so encryption, decryption
 * and hashing are thread-safe; libsodium's randombytes is thread-safe after sodium_init().
 */
#include "base/secret.h"

#include "base/error.h"
#include "base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SECRET_MASTER_BYTES crypto_kdf_KEYBYTES
#define SECRET_MASTER_HEX   64         /* characters of the key file's hex text */
#define SECRET_KDF_CONTEXT  "gridgov1" /* crypto_kdf_CONTEXTBYTES (8) characters */
#define SECRET_SUBKEY_ENC   1
#define SECRET_SUBKEY_INDEX 2
#define SECRET_VERSION      "v1:"
#define SECRET_VERSION_LEN  3
#define SECRET_NONCE_BYTES  crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SECRET_TAG_BYTES    crypto_aead_xchacha20poly1305_ietf_ABYTES
#define SECRET_B64_VARIANT  sodium_base64_VARIANT_URLSAFE_NO_PADDING
/* Largest decoded text: nonce, the longest plaintext, tag. */
#define SECRET_RAW_MAX (SECRET_NONCE_BYTES + SECRET_PLAINTEXT_MAX + SECRET_TAG_BYTES)
/* A key file is 64 hex characters and a newline; anything much longer is not a key file. */
#define SECRET_FILE_MAX 256

_Static_assert(SECRET_MASTER_HEX == 2 * SECRET_MASTER_BYTES,
               "key file holds the master key in hex");

struct secret_key {
    unsigned char enc[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
    unsigned char index[crypto_generichash_KEYBYTES];
    int is_exposed;
};

/* write(2) all of buf, retrying on EINTR and short writes. */
static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* fsync the directory holding path, so the new name survives a crash. */
static int fsync_parent_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir =
        slash == NULL ? xstrdup(".") : xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r = -1;
    if (fd >= 0) {
        r = fsync(fd);
        close(fd);
    }
    free(dir);
    return r;
}

int secret_key_create(const char *path, struct errbuf *eb)
{
    int r = ERR_INTERNAL, fd = -1;
    char *tmp = NULL;
    unsigned char master[SECRET_MASTER_BYTES];
    char hex[SECRET_MASTER_HEX + 2];
    struct stat st;

    if (path == NULL || path[0] == '\0') {
        r = errbuf_set(eb, ERR_INVALID, "key file path is empty");
        goto out;
    }
    if (lstat(path, &st) == 0) {
        r = errbuf_set(eb, ERR_EXISTS, "key file %s already exists; refusing to overwrite it",
                       path);
        goto out;
    }
    tmp = xasprintf("%s.tmp-XXXXXX", path);
    if ((fd = mkstemp(tmp)) < 0) {
        r = errbuf_set(eb, ERR_IO, "cannot create a file beside %s: %s", path, strerror(errno));
        free(tmp);
        tmp = NULL;
        goto out;
    }
    crypto_kdf_keygen(master);
    sodium_bin2hex(hex, sizeof(hex) - 1, master, sizeof(master));
    hex[SECRET_MASTER_HEX] = '\n';
    hex[SECRET_MASTER_HEX + 1] = '\0';
    if (fchmod(fd, S_IRUSR | S_IWUSR) != 0 || write_all(fd, hex, strlen(hex)) != 0 ||
        fsync(fd) != 0) {
        r = errbuf_set(eb, ERR_IO, "cannot write key file %s: %s", tmp, strerror(errno));
        goto out;
    }
    if (close(fd) != 0) {
        fd = -1;
        r = errbuf_set(eb, ERR_IO, "cannot write key file %s: %s", tmp, strerror(errno));
        goto out;
    }
    fd = -1;
    /* link() never replaces an existing file, unlike rename(). Filesystems without hard links
     * get rename() after a fresh check, with a race window only against another `init`. */
    if (link(tmp, path) != 0) {
        int e = errno;
        if (e == EEXIST) {
            r = errbuf_set(eb, ERR_EXISTS, "key file %s already exists; refusing to overwrite it",
                           path);
            goto out;
        }
        if (e != EPERM && e != ENOTSUP && e != EOPNOTSUPP && e != ENOSYS) {
            r = errbuf_set(eb, ERR_IO, "cannot create key file %s: %s", path, strerror(e));
            goto out;
        }
        if (lstat(path, &st) == 0) {
            r = errbuf_set(eb, ERR_EXISTS, "key file %s already exists; refusing to overwrite it",
                           path);
            goto out;
        }
        if (rename(tmp, path) != 0) {
            r = errbuf_set(eb, ERR_IO, "cannot create key file %s: %s", path, strerror(errno));
            goto out;
        }
    }
    if (fsync_parent_dir(path) != 0) {
        r = errbuf_set(eb, ERR_IO, "cannot sync the directory of %s: %s", path, strerror(errno));
        goto out;
    }
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    if (tmp != NULL) {
        (void)unlink(tmp); /* after link() or on failure; gone already after rename() */
        free(tmp);
    }
    sodium_memzero(master, sizeof(master));
    sodium_memzero(hex, sizeof(hex));
    return r;
}

/* Read the whole (small) key file behind fd into buf; *len is its size. */
static int read_key_file(int fd, const char *path, char *buf, size_t cap, size_t *len,
                         struct errbuf *eb)
{
    *len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + *len, cap - *len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return errbuf_set(eb, ERR_IO, "cannot read key file %s: %s", path, strerror(errno));
        if (n == 0)
            return 0;
        *len += (size_t)n;
        if (*len == cap)
            return errbuf_set(eb, ERR_INVALID,
                              "key file %s is malformed: expected 64 hexadecimal characters", path);
    }
}

/* Decode a key file's text: exactly 64 hex digits, then nothing but white space. 1 if good. */
static int key_text_decode(const char *text, size_t len, unsigned char master[SECRET_MASTER_BYTES])
{
    const size_t hex_len = SECRET_MASTER_HEX;
    size_t bin_len = 0;
    if (len < hex_len)
        return 0;
    for (size_t i = hex_len; i < len; i++) {
        if (text[i] != '\n' && text[i] != '\r' && text[i] != ' ' && text[i] != '\t')
            return 0;
    }
    return sodium_hex2bin(master, SECRET_MASTER_BYTES, text, hex_len, NULL, &bin_len, NULL) == 0 &&
           bin_len == SECRET_MASTER_BYTES;
}

/* Subkeys from the master key into a new read-only secret_key. */
static int secret_key_from_master(const unsigned char master[SECRET_MASTER_BYTES], int is_exposed,
                                  struct secret_key **out, struct errbuf *eb)
{
    struct secret_key *k = sodium_malloc(sizeof(*k));
    *out = NULL;
    if (k == NULL)
        return errbuf_set(eb, ERR_INTERNAL, "cannot allocate secure memory for the key");
    if (crypto_kdf_derive_from_key(k->enc, sizeof(k->enc), SECRET_SUBKEY_ENC, SECRET_KDF_CONTEXT,
                                   master) != 0 ||
        crypto_kdf_derive_from_key(k->index, sizeof(k->index), SECRET_SUBKEY_INDEX,
                                   SECRET_KDF_CONTEXT, master) != 0) {
        sodium_memzero(k, sizeof(*k));
        sodium_free(k);
        return errbuf_set(eb, ERR_INTERNAL, "cannot derive subkeys");
    }
    k->is_exposed = is_exposed;
    (void)sodium_mprotect_readonly(k); /* defence in depth; failure leaves it writable */
    *out = k;
    return 0;
}

int secret_key_load(const char *path, struct secret_key **out, struct errbuf *eb)
{
    int r = ERR_INTERNAL, fd = -1;
    char buf[SECRET_FILE_MAX];
    unsigned char master[SECRET_MASTER_BYTES];
    size_t len = 0;
    struct stat st;
    struct secret_key *k = NULL;

    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        r = errbuf_set(eb, ERR_INVALID, "key file path is empty");
        goto out;
    }
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) < 0) {
        if (errno == ENOENT)
            r = errbuf_set(eb, ERR_NOT_FOUND,
                           "key file %s does not exist (`gridgov init` creates it)", path);
        else
            r = errbuf_set(eb, ERR_IO, "cannot open key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (fstat(fd, &st) != 0) {
        r = errbuf_set(eb, ERR_IO, "cannot stat key file %s: %s", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(st.st_mode)) {
        r = errbuf_set(eb, ERR_INVALID, "key file %s is not a regular file", path);
        goto out;
    }
    if (st.st_mode & S_IWOTH) {
        r = errbuf_set(eb, ERR_FORBIDDEN,
                       "key file %s is writable by anyone; refusing it (chmod 600 it)", path);
        goto out;
    }
    if ((r = read_key_file(fd, path, buf, sizeof(buf), &len, eb)) != 0)
        goto out;
    if (!key_text_decode(buf, len, master)) {
        r = errbuf_set(eb, ERR_INVALID,
                       "key file %s is malformed: expected 64 hexadecimal characters", path);
        goto out;
    }
    if ((r = secret_key_from_master(master, (st.st_mode & (S_IRGRP | S_IROTH)) != 0, &k, eb)) != 0)
        goto out;
    *out = k;
    k = NULL;
    r = 0;
out:
    if (fd >= 0)
        close(fd);
    sodium_memzero(buf, sizeof(buf));
    sodium_memzero(master, sizeof(master));
    secret_key_free(k);
    return r;
}

int secret_key_is_exposed(const struct secret_key *k)
{
    return k != NULL && k->is_exposed;
}

void secret_key_free(struct secret_key *k)
{
    if (k == NULL)
        return;
    (void)sodium_mprotect_readwrite(k);
    sodium_memzero(k, sizeof(*k));
    sodium_free(k);
}

/* 1 if context is a usable associated-data name. */
static int context_is_valid(const char *context)
{
    size_t n;
    if (context == NULL)
        return 0;
    n = strnlen(context, SECRET_CONTEXT_MAX + 1);
    return n >= 1 && n <= SECRET_CONTEXT_MAX;
}

void secret_nonce_pool_init(struct secret_nonce_pool *pool)
{
    pool->used = sizeof(pool->bytes); /* empty: the first take fills it */
}

/* The next unused nonce of pool, refilled from the system's generator when spent. */
static void nonce_take(struct secret_nonce_pool *pool, unsigned char nonce[SECRET_NONCE_BYTES])
{
    _Static_assert(SECRET_NONCE_BYTES == 24, "the pool's size counts XChaCha20 nonces");
    if (pool->used + SECRET_NONCE_BYTES > sizeof(pool->bytes)) {
        randombytes_buf(pool->bytes, sizeof(pool->bytes));
        pool->used = 0;
    }
    memcpy(nonce, pool->bytes + pool->used, SECRET_NONCE_BYTES);
    sodium_memzero(pool->bytes + pool->used, SECRET_NONCE_BYTES); /* never handed out twice */
    pool->used += SECRET_NONCE_BYTES;
}

int secret_encrypt(const struct secret_key *k, const char *plaintext, const char *context,
                   char **out_b64)
{
    return secret_encrypt_pooled(k, NULL, plaintext, context, out_b64);
}

int secret_encrypt_pooled(const struct secret_key *k, struct secret_nonce_pool *pool,
                          const char *plaintext, const char *context, char **out_b64)
{
    int r = ERR_INVALID;
    unsigned char *raw = NULL;
    char *b64 = NULL;
    size_t mlen, raw_len, b64_size;
    unsigned long long clen = 0;

    assert(k != NULL);
    *out_b64 = NULL;
    if (plaintext == NULL || !context_is_valid(context))
        goto out;
    mlen = strnlen(plaintext, SECRET_PLAINTEXT_MAX + 1);
    if (mlen > SECRET_PLAINTEXT_MAX)
        goto out;
    raw_len = SECRET_NONCE_BYTES + mlen + SECRET_TAG_BYTES;
    raw = xmalloc(raw_len);
    if (pool != NULL)
        nonce_take(pool, raw);
    else
        randombytes_buf(raw, SECRET_NONCE_BYTES);
    if (crypto_aead_xchacha20poly1305_ietf_encrypt(
            raw + SECRET_NONCE_BYTES, &clen, (const unsigned char *)plaintext, mlen,
            (const unsigned char *)context, strlen(context), NULL, raw, k->enc) != 0 ||
        clen != mlen + SECRET_TAG_BYTES) {
        r = ERR_INTERNAL;
        goto out;
    }
    b64_size = sodium_base64_ENCODED_LEN(raw_len, SECRET_B64_VARIANT);
    b64 = xmalloc(SECRET_VERSION_LEN + b64_size);
    memcpy(b64, SECRET_VERSION, SECRET_VERSION_LEN + 1);
    sodium_bin2base64(b64 + SECRET_VERSION_LEN, b64_size, raw, raw_len, SECRET_B64_VARIANT);
    *out_b64 = b64;
    b64 = NULL;
    r = 0;
out:
    free(raw);
    free(b64);
    return r;
}

int secret_decrypt(const struct secret_key *k, const char *b64, const char *context,
                   char **out_plaintext)
{
    /* Longest acceptable text: the prefix and the encoding of SECRET_RAW_MAX bytes. */
    enum {
        B64_MAX =
            SECRET_VERSION_LEN + sodium_base64_ENCODED_LEN(SECRET_RAW_MAX, SECRET_B64_VARIANT) - 1,
    };
    int r = ERR_INVALID;
    unsigned char *raw = NULL;
    char *plain = NULL;
    size_t len, raw_len = 0, mlen;
    unsigned long long out_len = 0;

    assert(k != NULL);
    *out_plaintext = NULL;
    if (b64 == NULL || !context_is_valid(context))
        goto out;
    len = strnlen(b64, B64_MAX + 1);
    if (len > B64_MAX || len <= SECRET_VERSION_LEN ||
        memcmp(b64, SECRET_VERSION, SECRET_VERSION_LEN) != 0)
        goto out;
    raw = xmalloc(SECRET_RAW_MAX);
    /* No ignore set and no end pointer: any character outside the alphabet, padding or
     * non-zero trailing bits make the whole text invalid. */
    if (sodium_base642bin(raw, SECRET_RAW_MAX, b64 + SECRET_VERSION_LEN, len - SECRET_VERSION_LEN,
                          NULL, &raw_len, NULL, SECRET_B64_VARIANT) != 0)
        goto out;
    if (raw_len < SECRET_NONCE_BYTES + SECRET_TAG_BYTES)
        goto out;
    mlen = raw_len - SECRET_NONCE_BYTES - SECRET_TAG_BYTES;
    plain = xmalloc(mlen + 1);
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            (unsigned char *)plain, &out_len, NULL, raw + SECRET_NONCE_BYTES,
            raw_len - SECRET_NONCE_BYTES, (const unsigned char *)context, strlen(context), raw,
            k->enc) != 0 ||
        out_len != mlen)
        goto out;
    plain[mlen] = '\0';
    /* secret_encrypt only ever seals C strings; a NUL inside cannot come from it. */
    if (memchr(plain, '\0', mlen) != NULL)
        goto out;
    *out_plaintext = plain;
    plain = NULL;
    r = 0;
out:
    if (plain != NULL) {
        sodium_memzero(plain, mlen + 1);
        free(plain);
    }
    free(raw);
    return r;
}

void secret_plaintext_free(char *plaintext)
{
    if (plaintext == NULL)
        return;
    sodium_memzero(plaintext, strlen(plaintext));
    free(plaintext);
}

void secret_index_hash(const struct secret_key *k, const char *normalized_value,
                       const char *context, char out[SECRET_HASH_HEX + 1])
{
    crypto_generichash_state st;
    unsigned char h[SECRET_HASH_HEX / 2];
    static const unsigned char separator = 0;

    assert(k != NULL && normalized_value != NULL && context != NULL);
    /* context || 0x00 || value: the context has no NUL, so distinct pairs never collide. */
    crypto_generichash_init(&st, k->index, sizeof(k->index), sizeof(h));
    crypto_generichash_update(&st, (const unsigned char *)context, strlen(context));
    crypto_generichash_update(&st, &separator, 1);
    crypto_generichash_update(&st, (const unsigned char *)normalized_value,
                              strlen(normalized_value));
    crypto_generichash_final(&st, h, sizeof(h));
    sodium_bin2hex(out, SECRET_HASH_HEX + 1, h, sizeof(h));
    sodium_memzero(&st, sizeof(st));
}
