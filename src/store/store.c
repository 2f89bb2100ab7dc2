/*
 * store.c - the storage interface's front: picks a backend from the URL and forwards every
 * call to it (see store.h for the contract, store_impl.h for what a backend provides).
 * Also the record helpers (area_cleanup, ...), which do not depend on a backend.
 */
#include "store/store_impl.h"

#include <stdlib.h>
#include <string.h>

int store_open(const char *url, unsigned flags, struct store **out, struct errbuf *eb)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return errbuf_set(eb, ERR_INVALID, "no database given (use --db FILE)");
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return errbuf_set(eb, ERR_INVALID,
                          "the PostgreSQL backend is not built into this gridgov yet");
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    if (url[0] == '\0')
        return errbuf_set(eb, ERR_INVALID, "empty SQLite file name");
    return store_sqlite_open(url, flags, out, eb);
}

void store_close(struct store *st)
{
    if (st != NULL)
        st->ops->close(st);
}

const char *store_backend(const struct store *st)
{
    return st->ops->name;
}

int store_schema_version(struct store *st, int *out)
{
    return st->ops->schema_version(st, out);
}

int store_schema_latest(void)
{
    return sqlite_schema_latest();
}

int store_begin(struct store *st)
{
    return st->ops->begin(st);
}

int store_commit(struct store *st)
{
    return st->ops->commit(st);
}

void store_rollback(struct store *st)
{
    st->ops->rollback(st);
}

int store_meta_get(struct store *st, const char *key, char *out, size_t out_size)
{
    return st->ops->meta_get(st, key, out, out_size);
}

int store_meta_set(struct store *st, const char *key, const char *value)
{
    return st->ops->meta_set(st, key, value);
}

void area_cleanup(struct area *a)
{
    if (a == NULL)
        return;
    free(a->geometry);
    a->geometry = NULL;
}

void area_list_cleanup(struct area_list *list)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < list->len; i++)
        area_cleanup(&list->items[i]);
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

int store_area_put(struct store *st, const struct area *a)
{
    return st->ops->area_put(st, a);
}

int store_area_get(struct store *st, const char *code, int with_geometry, struct area *out)
{
    return st->ops->area_get(st, code, with_geometry, out);
}

int store_area_exists(struct store *st, const char *code, int *exists)
{
    return st->ops->area_exists(st, code, exists);
}

int store_area_children(struct store *st, const char *parent, int with_geometry,
                        struct area_list *out)
{
    return st->ops->area_children(st, parent, with_geometry, out);
}

int store_area_walk(struct store *st, const char *root, int max_level, int with_geometry,
                    store_area_fn fn, void *ctx)
{
    return st->ops->area_walk(st, root, max_level, with_geometry, fn, ctx);
}

int store_area_min_level(struct store *st, int *out)
{
    return st->ops->area_min_level(st, out);
}

int store_area_count(struct store *st, int64_t *out)
{
    return st->ops->area_count(st, out);
}

int store_areas_version(struct store *st, int64_t *out)
{
    return st->ops->areas_version(st, out);
}

int store_area_recount(struct store *st)
{
    return st->ops->area_recount(st);
}

void user_list_cleanup(struct user_list *list)
{
    if (list == NULL)
        return;
    free(list->items);
    list->items = NULL;
    list->len = 0;
}

int store_user_insert(struct store *st, struct user *u)
{
    return st->ops->user_insert(st, u);
}

int store_user_get_by_name(struct store *st, const char *username, struct user *out)
{
    return st->ops->user_get_by_name(st, username, out);
}

int store_user_get(struct store *st, int64_t id, struct user *out)
{
    return st->ops->user_get(st, id, out);
}

int store_user_list(struct store *st, const char *root, struct user_list *out)
{
    return st->ops->user_list(st, root, out);
}

int store_user_set_password(struct store *st, int64_t id, const char *password_hash)
{
    return st->ops->user_set_password(st, id, password_hash);
}

int store_user_set_login_state(struct store *st, int64_t id, int failed_logins,
                               int64_t locked_until_ms)
{
    return st->ops->user_set_login_state(st, id, failed_logins, locked_until_ms);
}

int store_session_insert(struct store *st, const struct session *s)
{
    return st->ops->session_insert(st, s);
}

int store_session_get(struct store *st, const char *token_hash, int64_t now_ms, struct session *out)
{
    return st->ops->session_get(st, token_hash, now_ms, out);
}

int store_session_delete(struct store *st, const char *token_hash)
{
    return st->ops->session_delete(st, token_hash);
}

int store_session_delete_user(struct store *st, int64_t user_id)
{
    return st->ops->session_delete_user(st, user_id);
}

int store_session_purge(struct store *st, int64_t now_ms)
{
    return st->ops->session_purge(st, now_ms);
}

int store_household_insert(struct store *st, struct household *h)
{
    return st->ops->household_insert(st, h);
}

int store_person_insert(struct store *st, struct person *p)
{
    return st->ops->person_insert(st, p);
}

int store_household_count(struct store *st, const char *root, int64_t *households, int64_t *persons)
{
    return st->ops->household_count(st, root, households, persons);
}
