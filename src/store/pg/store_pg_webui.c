/*
 * store_pg_webui.c - the PostgreSQL twin of store_sqlite_webui.c: enabling and disabling an
 * account, and the idempotency keys of household visits (schema version 12).
 *
 * visit_keys belongs to its visit's district (the key of the distribution) and references the
 * visit with it; a key is unique per user across districts, which the INSERT itself checks
 * (writes run under the backend's write lock, see store_pg.c).
 */
#include "store/pg/pg_internal.h"

#include <string.h>

const char pg_schema_webui[] = "CREATE TABLE visit_keys ("
                               "  district text COLLATE \"C\" NOT NULL,"
                               "  user_id bigint NOT NULL,"
                               "  key text COLLATE \"C\" NOT NULL,"
                               "  visit_id bigint NOT NULL,"
                               "  created_ms bigint NOT NULL,"
                               "  PRIMARY KEY (district, user_id, key),"
                               "  FOREIGN KEY (district, visit_id) REFERENCES visits(district, id)"
                               ");"
                               "CREATE INDEX visit_keys_user ON visit_keys(user_id, key);";

enum {
    WEBUI_USER_DISABLE = PG_SLOT_WEBUI,
    WEBUI_KEY_INSERT,
    WEBUI_KEY_GET,
};

int pg_user_set_disabled(struct store *st, int64_t id, int is_disabled)
{
    struct pg_params p;
    PGresult *res;
    int r;
    pgp_init(&p);
    pgp_int(&p, id);
    pgp_int(&p, is_disabled ? 1 : 0);
    if ((r = pg_query(pg(st), WEBUI_USER_DISABLE, "UPDATE users SET is_disabled = $2 WHERE id = $1",
                      &p, "user disable", &res)) != 0)
        return r;
    r = pg_affected(res) == 1 ? 0 : ERR_NOT_FOUND;
    PQclear(res);
    return r;
}

int pg_visit_key_insert(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                        int64_t now_ms)
{
    struct pg_params p;
    PGresult *res;
    int r;
    pgp_init(&p);
    pgp_int(&p, user_id);
    pgp_text(&p, key);
    pgp_int(&p, visit_id);
    pgp_int(&p, now_ms);
    /* No row when the key is taken or the visit does not exist: both are refused, as the
     * SQLite primary and foreign keys refuse them. */
    if ((r = pg_query(pg(st), WEBUI_KEY_INSERT,
                      "INSERT INTO visit_keys(district, user_id, key, visit_id, created_ms) "
                      "SELECT v.district, $1, $2, $3, $4 FROM visits v WHERE v.id = $3 AND NOT "
                      "EXISTS (SELECT 1 FROM visit_keys k WHERE k.user_id = $1 AND k.key = $2) "
                      "ON CONFLICT DO NOTHING RETURNING 1",
                      &p, "visit key insert", &res)) != 0)
        return r == ERR_CONFLICT ? ERR_EXISTS : r;
    r = PQntuples(res) == 1 ? 0 : ERR_EXISTS;
    PQclear(res);
    return r;
}

int pg_visit_key_get(struct store *st, int64_t user_id, const char *key, int64_t *visit_id)
{
    struct pg_params p;
    PGresult *res;
    int r;
    *visit_id = 0;
    pgp_init(&p);
    pgp_int(&p, user_id);
    pgp_text(&p, key);
    if ((r = pg_query(pg(st), WEBUI_KEY_GET,
                      "SELECT visit_id FROM visit_keys WHERE user_id = $1 AND key = $2", &p,
                      "visit key get", &res)) != 0)
        return r;
    if (PQntuples(res) >= 1)
        *visit_id = pg_int(res, 0, 0);
    else
        r = ERR_NOT_FOUND;
    PQclear(res);
    return r;
}
