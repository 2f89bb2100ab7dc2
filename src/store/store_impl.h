/*
 * store_impl.h - what a storage backend implements (private to src/store/).
 *
 * A backend embeds struct store as its first member and points ops at its table of
 * functions; store.c forwards every public store_* call through it, so the public interface
 * (store.h) stays identical whatever the backend.
 */
#ifndef GRIDGOV_STORE_STORE_IMPL_H
#define GRIDGOV_STORE_STORE_IMPL_H

#include "store/store.h"

struct store_ops {
    const char *name;
    void (*close)(struct store *st);
    int (*schema_version)(struct store *st, int *out);
    int (*begin)(struct store *st);
    int (*commit)(struct store *st);
    void (*rollback)(struct store *st);
    int (*meta_get)(struct store *st, const char *key, char *out, size_t out_size);
    int (*meta_set)(struct store *st, const char *key, const char *value);

    int (*area_put)(struct store *st, const struct area *a);
    int (*area_get)(struct store *st, const char *code, int with_geometry, struct area *out);
    int (*area_exists)(struct store *st, const char *code, int *exists);
    int (*area_children)(struct store *st, const char *parent, int with_geometry,
                         struct area_list *out);
    int (*area_walk)(struct store *st, const char *root, int max_level, int with_geometry,
                     store_area_fn fn, void *ctx);
    int (*area_min_level)(struct store *st, int *out);
    int (*area_count)(struct store *st, int64_t *out);
    int (*areas_version)(struct store *st, int64_t *out);
    int (*area_recount)(struct store *st);

    int (*user_insert)(struct store *st, struct user *u);
    int (*user_get_by_name)(struct store *st, const char *username, struct user *out);
    int (*user_get)(struct store *st, int64_t id, struct user *out);
    int (*user_list)(struct store *st, const char *root, struct user_list *out);
    int (*user_set_password)(struct store *st, int64_t id, const char *password_hash);
    int (*user_set_login_state)(struct store *st, int64_t id, int failed_logins,
                                int64_t locked_until_ms);

    int (*session_insert)(struct store *st, const struct session *s);
    int (*session_get)(struct store *st, const char *token_hash, int64_t now_ms,
                       struct session *out);
    int (*session_delete)(struct store *st, const char *token_hash);
    int (*session_delete_user)(struct store *st, int64_t user_id);
    int (*session_purge)(struct store *st, int64_t now_ms);

    int (*household_insert)(struct store *st, struct household *h);
    int (*person_insert)(struct store *st, struct person *p);
    int (*household_count)(struct store *st, const char *root, int64_t *households,
                           int64_t *persons);
};

struct store {
    const struct store_ops *ops;
};

/* The SQLite backend (src/store/sqlite/store_sqlite.c). path is a file name. */
int store_sqlite_open(const char *path, unsigned flags, struct store **out, struct errbuf *eb);

/* Newest schema version of the SQLite backend (src/store/sqlite/migrations.c). */
int sqlite_schema_latest(void);

#endif
