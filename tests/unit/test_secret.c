/*
 * test_secret.c - the key file (creation, permissions, malformed content), field encryption
 * (round trip, random nonces, every kind of bad input) and the keyed index hash. The stored
 * formats are pinned by decrypting and hashing here with libsodium directly, from the key
 * file's hex, so a change that would orphan existing databases fails a test.
 * Each test works in its own temporary directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/secret.h"

#include <dirent.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CTX_ID    "person.id_number"
#define CTX_PHONE "person.phone"

struct fixture {
    char dir[64];
    char key_path[128];
    char other_path[128];
    struct secret_key *key;
    struct secret_key *other;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return -1;
    snprintf(f->dir, sizeof(f->dir), "/tmp/test_secret.XXXXXX");
    if (mkdtemp(f->dir) == NULL) {
        free(f);
        return -1;
    }
    snprintf(f->key_path, sizeof(f->key_path), "%s/gridgov.key", f->dir);
    snprintf(f->other_path, sizeof(f->other_path), "%s/other.key", f->dir);
    *state = f;
    return 0;
}

/* setup, plus two keys created and loaded. */
static int setup_keys(void **state)
{
    struct fixture *f;
    if (setup(state) != 0)
        return -1;
    f = *state;
    if (secret_key_create(f->key_path, NULL) != 0 || secret_key_create(f->other_path, NULL) != 0 ||
        secret_key_load(f->key_path, &f->key, NULL) != 0 ||
        secret_key_load(f->other_path, &f->other, NULL) != 0)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    secret_key_free(f->key);
    secret_key_free(f->other);
    while (d != NULL && (e = readdir(d)) != NULL) {
        char p[512];
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof(p), "%s/%s", f->dir, e->d_name);
        chmod(p, 0700);
        if (unlink(p) != 0)
            rmdir(p);
    }
    if (d != NULL)
        closedir(d);
    rmdir(f->dir);
    free(f);
    return 0;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int n = 0;
    assert_non_null(d);
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    }
    closedir(d);
    return n;
}

/* Read a small file into buf (NUL-terminated); its length. */
static size_t slurp(const char *path, char *buf, size_t cap)
{
    FILE *fp = fopen(path, "rb");
    size_t n;
    assert_non_null(fp);
    n = fread(buf, 1, cap - 1, fp);
    buf[n] = '\0';
    fclose(fp);
    return n;
}

static void write_file(const char *path, const char *content, size_t len, mode_t mode)
{
    FILE *fp;
    unlink(path);
    fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(content, 1, len, fp), len);
    fclose(fp);
    assert_int_equal(chmod(path, mode), 0);
}

static const char good_hex[] = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

static void test_create_key(void **state)
{
    struct fixture *f = *state;
    struct stat st;
    char buf[256], again[256];
    struct errbuf eb = {{0}};

    assert_int_equal(secret_key_create(f->key_path, &eb), 0);
    assert_int_equal(stat(f->key_path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(slurp(f->key_path, buf, sizeof(buf)), 65);
    for (int i = 0; i < 64; i++)
        assert_non_null(strchr("0123456789abcdef", buf[i]));
    assert_int_equal(buf[64], '\n');
    /* No temporary file is left beside it. */
    assert_int_equal(count_entries(f->dir), 1);

    /* A second create refuses and leaves the key as it was. */
    assert_int_equal(secret_key_create(f->key_path, &eb), ERR_EXISTS);
    assert_non_null(strstr(eb.msg, "already exists"));
    slurp(f->key_path, again, sizeof(again));
    assert_string_equal(again, buf);
    assert_int_equal(count_entries(f->dir), 1);

    /* Two keys differ. */
    assert_int_equal(secret_key_create(f->other_path, NULL), 0);
    slurp(f->other_path, again, sizeof(again));
    assert_string_not_equal(again, buf);

    /* A dangling symlink counts as existing: never write through it. */
    snprintf(buf, sizeof(buf), "%s/link.key", f->dir);
    assert_int_equal(symlink("/nonexistent/target", buf), 0);
    assert_int_equal(secret_key_create(buf, NULL), ERR_EXISTS);
}

static void test_create_key_errors(void **state)
{
    struct fixture *f = *state;
    char path[256];
    struct errbuf eb = {{0}};
    assert_int_equal(secret_key_create(NULL, NULL), ERR_INVALID);
    assert_int_equal(secret_key_create("", NULL), ERR_INVALID);
    snprintf(path, sizeof(path), "%s/no/such/dir/gridgov.key", f->dir);
    assert_int_equal(secret_key_create(path, &eb), ERR_IO);
    assert_non_null(strstr(eb.msg, "cannot create"));
    assert_int_equal(count_entries(f->dir), 0);
}

static void test_load_key(void **state)
{
    struct fixture *f = *state;
    struct secret_key *k = (struct secret_key *)&k;
    struct errbuf eb = {{0}};
    char text[200];

    assert_int_equal(secret_key_load(f->key_path, &k, &eb), ERR_NOT_FOUND);
    assert_null(k);
    assert_non_null(strstr(eb.msg, "gridgov init"));

    assert_int_equal(secret_key_create(f->key_path, NULL), 0);
    assert_int_equal(secret_key_load(f->key_path, &k, NULL), 0);
    assert_non_null(k);
    assert_false(secret_key_is_exposed(k));
    secret_key_free(k);
    secret_key_free(NULL);

    /* Upper-case hex, CRLF, no newline at all: all fine. */
    snprintf(text, sizeof(text), "%s\r\n", good_hex);
    for (char *c = text; *c; c++)
        *c = (*c >= 'a' && *c <= 'f') ? (char)(*c - 32) : *c;
    write_file(f->other_path, text, strlen(text), 0600);
    assert_int_equal(secret_key_load(f->other_path, &k, NULL), 0);
    secret_key_free(k);
    write_file(f->other_path, good_hex, 64, 0400);
    assert_int_equal(secret_key_load(f->other_path, &k, NULL), 0);
    secret_key_free(k);

    /* Readable by others loads, flagged for a warning; writable by others is refused. */
    write_file(f->other_path, good_hex, 64, 0644);
    assert_int_equal(secret_key_load(f->other_path, &k, NULL), 0);
    assert_true(secret_key_is_exposed(k));
    secret_key_free(k);
    write_file(f->other_path, good_hex, 64, 0640);
    assert_int_equal(secret_key_load(f->other_path, &k, NULL), 0);
    assert_true(secret_key_is_exposed(k));
    secret_key_free(k);
    write_file(f->other_path, good_hex, 64, 0602);
    eb.msg[0] = '\0';
    assert_int_equal(secret_key_load(f->other_path, &k, &eb), ERR_FORBIDDEN);
    assert_null(k);
    assert_non_null(strstr(eb.msg, "writable"));

    /* A directory is not a key file. */
    assert_int_equal(secret_key_load(f->dir, &k, NULL), ERR_INVALID);
    assert_int_equal(secret_key_load("", &k, NULL), ERR_INVALID);
    assert_int_equal(secret_key_load(NULL, &k, NULL), ERR_INVALID);
}

static void test_load_malformed(void **state)
{
    struct fixture *f = *state;
    char text[2048];
    static const char *bad[] = {
        "",
        "\n",
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1",     /* 63 */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f0",   /* 65 */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1g",    /* not hex */
        " 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",   /* leading */
        "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\nx", /* trailer */
        "00:01:02:03:04:05:06:07:08:09:0a:0b:0c:0d:0e:0f:10:11:12:13:14:15",
        "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct secret_key *k = NULL;
        struct errbuf eb = {{0}};
        write_file(f->key_path, bad[i], strlen(bad[i]), 0600);
        if (secret_key_load(f->key_path, &k, &eb) != ERR_INVALID)
            fail_msg("'%s' accepted", bad[i]);
        assert_null(k);
        assert_non_null(strstr(eb.msg, "malformed"));
    }
    /* A key followed by a NUL byte; a huge file of hex. */
    memcpy(text, good_hex, 64);
    text[64] = '\0';
    write_file(f->key_path, text, 65, 0600);
    struct secret_key *k = NULL;
    assert_int_equal(secret_key_load(f->key_path, &k, NULL), ERR_INVALID);
    memset(text, 'a', sizeof(text));
    write_file(f->key_path, text, sizeof(text), 0600);
    assert_int_equal(secret_key_load(f->key_path, &k, NULL), ERR_INVALID);
    assert_null(k);
}

static void test_round_trip(void **state)
{
    struct fixture *f = *state;
    static const char *values[] = {"440605199001011234",
                                   "11010519491231002X",
                                   "13800138000",
                                   "0757-86123456-12",
                                   "",
                                   "陈小明 ✓"};
    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        char *c = NULL, *p = NULL;
        assert_int_equal(secret_encrypt(f->key, values[i], CTX_ID, &c), 0);
        assert_non_null(c);
        assert_memory_equal(c, "v1:", 3);
        /* URL-safe base64 without padding. */
        for (const char *s = c + 3; *s; s++)
            assert_non_null(
                strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", *s));
        assert_int_equal(secret_decrypt(f->key, c, CTX_ID, &p), 0);
        assert_string_equal(p, values[i]);
        secret_plaintext_free(p);
        free(c);
    }
    secret_plaintext_free(NULL);

    /* Largest value and one byte more. */
    char *big = malloc(SECRET_PLAINTEXT_MAX + 2);
    char *c = NULL, *p = NULL;
    assert_non_null(big);
    memset(big, 'z', SECRET_PLAINTEXT_MAX);
    big[SECRET_PLAINTEXT_MAX] = '\0';
    assert_int_equal(secret_encrypt(f->key, big, CTX_ID, &c), 0);
    assert_int_equal(secret_decrypt(f->key, c, CTX_ID, &p), 0);
    assert_string_equal(p, big);
    secret_plaintext_free(p);
    free(c);
    big[SECRET_PLAINTEXT_MAX] = 'z';
    big[SECRET_PLAINTEXT_MAX + 1] = '\0';
    c = (char *)big;
    assert_int_equal(secret_encrypt(f->key, big, CTX_ID, &c), ERR_INVALID);
    assert_null(c);
    free(big);
}

static void test_key_survives_reload(void **state)
{
    struct fixture *f = *state;
    struct secret_key *again = NULL;
    char *c = NULL, *p = NULL;
    char h1[SECRET_HASH_HEX + 1], h2[SECRET_HASH_HEX + 1];
    assert_int_equal(secret_encrypt(f->key, "13800138000", CTX_PHONE, &c), 0);
    secret_index_hash(f->key, "13800138000", CTX_PHONE, h1);
    assert_int_equal(secret_key_load(f->key_path, &again, NULL), 0);
    assert_int_equal(secret_decrypt(again, c, CTX_PHONE, &p), 0);
    assert_string_equal(p, "13800138000");
    secret_index_hash(again, "13800138000", CTX_PHONE, h2);
    assert_string_equal(h1, h2);
    secret_plaintext_free(p);
    secret_key_free(again);
    free(c);
}

static void test_nonces_are_random(void **state)
{
    struct fixture *f = *state;
    char *a = NULL, *b = NULL;
    assert_int_equal(secret_encrypt(f->key, "440605199001011234", CTX_ID, &a), 0);
    assert_int_equal(secret_encrypt(f->key, "440605199001011234", CTX_ID, &b), 0);
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(a), strlen(b));
    free(a);
    free(b);
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Nonces from a pool: every text decrypts, and no nonce repeats across the pool's refills
 * (equal plaintexts give distinct texts only with distinct nonces). */
static void test_pooled_nonces_are_unique(void **state)
{
    enum { N = 300 }; /* more than two pools' worth (128 each) */
    struct fixture *f = *state;
    struct secret_nonce_pool pool;
    char *texts[N];
    secret_nonce_pool_init(&pool);
    for (int i = 0; i < N; i++) {
        char *p = NULL;
        assert_int_equal(secret_encrypt_pooled(f->key, &pool, "13800138000", CTX_PHONE, &texts[i]),
                         0);
        assert_int_equal(secret_decrypt(f->key, texts[i], CTX_PHONE, &p), 0);
        assert_string_equal(p, "13800138000");
        secret_plaintext_free(p);
    }
    qsort(texts, N, sizeof(texts[0]), cmp_text);
    for (int i = 1; i < N; i++)
        assert_string_not_equal(texts[i - 1], texts[i]);
    for (int i = 0; i < N; i++)
        free(texts[i]);
}

static void test_ciphertext_hides_plaintext(void **state)
{
    struct fixture *f = *state;
    const char *id = "440605199001011234";
    char *c = NULL;
    unsigned char raw[256];
    size_t raw_len = 0;
    assert_int_equal(secret_encrypt(f->key, id, CTX_ID, &c), 0);
    assert_null(strstr(c, id));
    assert_null(strstr(c, "1234"));
    assert_int_equal(sodium_base642bin(raw, sizeof(raw), c + 3, strlen(c + 3), NULL, &raw_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    assert_int_equal(raw_len, 24 + strlen(id) + 16);
    for (size_t i = 0; i + strlen(id) <= raw_len; i++)
        assert_memory_not_equal(raw + i, id, strlen(id));
    free(c);
}

static void expect_refused(const struct secret_key *k, const char *text, const char *context)
{
    char *p = (char *)&p;
    int r = secret_decrypt(k, text, context, &p);
    if (r != ERR_INVALID)
        fail_msg("decrypt of '%.60s' in '%s' gave %d", text ? text : "(null)",
                 context ? context : "(null)", r);
    assert_null(p);
}

static void test_wrong_context_and_key(void **state)
{
    struct fixture *f = *state;
    char *c = NULL, ctx[SECRET_CONTEXT_MAX + 2];
    assert_int_equal(secret_encrypt(f->key, "440605199001011234", CTX_ID, &c), 0);
    expect_refused(f->key, c, CTX_PHONE);
    expect_refused(f->key, c, "person.id_numbe");
    expect_refused(f->key, c, "person.id_number ");
    expect_refused(f->other, c, CTX_ID);
    expect_refused(f->key, c, "");
    expect_refused(f->key, c, NULL);
    memset(ctx, 'c', sizeof(ctx) - 1);
    ctx[sizeof(ctx) - 1] = '\0';
    expect_refused(f->key, c, ctx);
    free(c);

    /* Bad contexts cannot be used for encryption either. */
    c = (char *)&c;
    assert_int_equal(secret_encrypt(f->key, "x", "", &c), ERR_INVALID);
    assert_null(c);
    assert_int_equal(secret_encrypt(f->key, "x", NULL, &c), ERR_INVALID);
    assert_int_equal(secret_encrypt(f->key, "x", ctx, &c), ERR_INVALID);
    assert_int_equal(secret_encrypt(f->key, NULL, CTX_ID, &c), ERR_INVALID);
    ctx[SECRET_CONTEXT_MAX] = '\0';
    assert_int_equal(secret_encrypt(f->key, "x", ctx, &c), 0);
    free(c);
}

static void test_tampering(void **state)
{
    struct fixture *f = *state;
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *c = NULL, *t;
    size_t len;
    assert_int_equal(secret_encrypt(f->key, "13800138000", CTX_PHONE, &c), 0);
    len = strlen(c);
    t = malloc(len + 2);
    assert_non_null(t);

    /* Every character replaced by another of the alphabet (nonce, ciphertext, tag, and the
     * trailing bits of the last character). */
    for (size_t i = 3; i < len; i++) {
        memcpy(t, c, len + 1);
        t[i] = alphabet[(strchr(alphabet, t[i]) - alphabet + 1) % 64];
        expect_refused(f->key, t, CTX_PHONE);
    }
    /* Every truncation, and one character more. */
    for (size_t n = 0; n < len; n++) {
        memcpy(t, c, n);
        t[n] = '\0';
        expect_refused(f->key, t, CTX_PHONE);
    }
    memcpy(t, c, len);
    t[len] = 'A';
    t[len + 1] = '\0';
    expect_refused(f->key, t, CTX_PHONE);
    /* Another version, padding, standard-alphabet characters, white space. */
    memcpy(t, c, len + 1);
    t[1] = '2';
    expect_refused(f->key, t, CTX_PHONE);
    memcpy(t, c, len + 1);
    t[5] = '+';
    expect_refused(f->key, t, CTX_PHONE);
    memcpy(t, c, len + 1);
    t[5] = ' ';
    expect_refused(f->key, t, CTX_PHONE);
    memcpy(t, c, len);
    t[len] = '=';
    t[len + 1] = '\0';
    expect_refused(f->key, t, CTX_PHONE);
    free(t);
    free(c);
}

static void test_garbage(void **state)
{
    struct fixture *f = *state;
    static const char *junk[] = {
        "",
        "v1:",
        "v1",
        "v2:AAAA",
        "V1:AAAA",
        "v1:AAAA",
        "v1:!!!!",
        "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "v1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "13800138000",
        "v1:\xff\xfe",
    };
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
        expect_refused(f->key, junk[i], CTX_ID);
    expect_refused(f->key, NULL, CTX_ID);

    /* Far longer than any text secret_encrypt makes: refused before decoding. */
    size_t n = 100000;
    char *huge = malloc(n + 1);
    assert_non_null(huge);
    memcpy(huge, "v1:", 3);
    memset(huge + 3, 'A', n - 3);
    huge[n] = '\0';
    expect_refused(f->key, huge, CTX_ID);

    /* Random texts, with and without the prefix (a fixed seed keeps failures reproducible). */
    uint32_t x = 12345;
    for (int round = 0; round < 3000; round++) {
        size_t len = 0, want;
        x = x * 1103515245u + 12345u;
        want = (x >> 8) % 200;
        if (round % 2 == 0) {
            memcpy(huge, "v1:", 3);
            len = 3;
        }
        while (len < want) {
            x = x * 1103515245u + 12345u;
            huge[len++] =
                (char)(round % 3 == 0 ? "AZaz09-_"[(x >> 16) % 8] : (char)(((x >> 16) % 255) + 1));
        }
        huge[len] = '\0';
        expect_refused(f->key, huge, CTX_ID);
    }
    free(huge);
}

/* Rebuild the subkeys from the key file's hex with libsodium directly. */
static void subkeys_from_file(const char *path, unsigned char enc[32], unsigned char idx[32])
{
    char text[128];
    unsigned char master[32];
    size_t bin_len = 0;
    slurp(path, text, sizeof(text));
    assert_int_equal(sodium_hex2bin(master, sizeof(master), text, 64, NULL, &bin_len, NULL), 0);
    assert_int_equal(crypto_kdf_derive_from_key(enc, 32, 1, "gridgov1", master), 0);
    assert_int_equal(crypto_kdf_derive_from_key(idx, 32, 2, "gridgov1", master), 0);
}

static void test_stored_format_is_pinned(void **state)
{
    struct fixture *f = *state;
    unsigned char enc[32], idx[32], raw[256], plain[64], h[32];
    char *c = NULL, hex[65], got[SECRET_HASH_HEX + 1];
    size_t raw_len = 0;
    unsigned long long mlen = 0;
    crypto_generichash_state st;

    subkeys_from_file(f->key_path, enc, idx);
    assert_int_equal(secret_encrypt(f->key, "440605199001011234", CTX_ID, &c), 0);
    assert_int_equal(sodium_base642bin(raw, sizeof(raw), c + 3, strlen(c + 3), NULL, &raw_len, NULL,
                                       sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    assert_int_equal(crypto_aead_xchacha20poly1305_ietf_decrypt(
                         plain, &mlen, NULL, raw + 24, raw_len - 24, (const unsigned char *)CTX_ID,
                         strlen(CTX_ID), raw, enc),
                     0);
    assert_int_equal(mlen, 18);
    assert_memory_equal(plain, "440605199001011234", 18);
    free(c);

    crypto_generichash_init(&st, idx, 32, 32);
    crypto_generichash_update(&st, (const unsigned char *)CTX_ID, strlen(CTX_ID) + 1);
    crypto_generichash_update(&st, (const unsigned char *)"440605199001011234", 18);
    crypto_generichash_final(&st, h, 32);
    sodium_bin2hex(hex, sizeof(hex), h, 32);
    secret_index_hash(f->key, "440605199001011234", CTX_ID, got);
    assert_string_equal(got, hex);
}

static void test_index_hash(void **state)
{
    struct fixture *f = *state;
    char a[SECRET_HASH_HEX + 1], b[SECRET_HASH_HEX + 1];

    secret_index_hash(f->key, "440605199001011234", CTX_ID, a);
    assert_int_equal(strlen(a), SECRET_HASH_HEX);
    for (const char *s = a; *s; s++)
        assert_non_null(strchr("0123456789abcdef", *s));
    assert_null(strstr(a, "440605"));
    secret_index_hash(f->key, "440605199001011234", CTX_ID, b);
    assert_string_equal(a, b);

    secret_index_hash(f->key, "440605199001011234", CTX_PHONE, b);
    assert_string_not_equal(a, b);
    secret_index_hash(f->other, "440605199001011234", CTX_ID, b);
    assert_string_not_equal(a, b);
    secret_index_hash(f->key, "440605199001011235", CTX_ID, b);
    assert_string_not_equal(a, b);

    /* The context/value boundary is part of the hash. */
    secret_index_hash(f->key, "bc", "a", a);
    secret_index_hash(f->key, "c", "ab", b);
    assert_string_not_equal(a, b);
    secret_index_hash(f->key, "", CTX_ID, a);
    assert_int_equal(strlen(a), SECRET_HASH_HEX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_create_key_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_load_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_key_survives_reload, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_nonces_are_random, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_ciphertext_hides_plaintext, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_context_and_key, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_tampering, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_garbage, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_stored_format_is_pinned, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_index_hash, setup_keys, teardown),
        cmocka_unit_test_setup_teardown(test_pooled_nonces_are_unique, setup_keys, teardown),
    };
    if (sodium_init() < 0)
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
