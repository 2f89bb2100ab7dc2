/*
 * store_pg_intake.c - reads that every request makes, each in one statement, on PostgreSQL
 * (see store.h, "the request path's reads"; the SQLite twin is store_sqlite_intake.c): a
 * token's live session with its user, and two meta values at once (the rules' and areas'
 * versions). One round trip each instead of two.
 */
#include "store/pg/pg_internal.h"

#include <string.h>

#define INTAKE_STMT_MAP(X)                                                                         \
    /* The user's columns first, in PG_USER_COLS order (pg_read_user), then the session's. */      \
    X(SESSION_USER,                                                                                \
      "SELECT u.id, u.username, u.display_name, u.role, u.area_code, u.department, "               \
      "u.password_hash, u.failed_logins, u.locked_until_ms, u.created_ms, u.is_disabled, "         \
      "s.token_hash, s.csrf_token, s.user_id, s.created_ms, s.expires_ms "                         \
      "FROM sessions s JOIN users u ON u.id = s.user_id "                                          \
      "WHERE s.token_hash = $1 AND s.expires_ms > $2")                                             \
    X(META_PAIR, "SELECT (SELECT value FROM meta WHERE key = $1::text), "                          \
                 "(SELECT value FROM meta WHERE key = $2::text)")

enum intake_stmt {
#define INTAKE_STMT_ENUM(name, sql) INTAKE_##name,
    INTAKE_STMT_MAP(INTAKE_STMT_ENUM)
#undef INTAKE_STMT_ENUM
        INTAKE_STMT_COUNT
};

_Static_assert(PG_SLOT_INTAKE + INTAKE_STMT_COUNT <= PG_SLOT_COUNT, "raise PG_SLOT_COUNT");

static const char *const intake_sql[INTAKE_STMT_COUNT] = {
#define INTAKE_STMT_SQL(name, sql) sql,
    INTAKE_STMT_MAP(INTAKE_STMT_SQL)
#undef INTAKE_STMT_SQL
};

static int intake_query(struct pg_store *s, enum intake_stmt id, const struct pg_params *p,
                        const char *what, PGresult **res)
{
    return pg_query(s, PG_SLOT_INTAKE + (int)id, intake_sql[id], p, what, res);
}

int pg_session_user_get(struct store *st, const char *token_hash, int64_t now_ms,
                        struct session *sess, struct user *user)
{
    struct pg_params p;
    PGresult *res;
    int r;
    memset(sess, 0, sizeof(*sess));
    memset(user, 0, sizeof(*user));
    pgp_init(&p);
    pgp_text(&p, token_hash);
    pgp_int(&p, now_ms);
    if ((r = intake_query(pg(st), INTAKE_SESSION_USER, &p, "session user get", &res)) != 0)
        return r;
    if (PQntuples(res) == 1) {
        pg_read_user(res, 0, user);
        pg_copy(res, 0, 11, sess->token_hash, sizeof(sess->token_hash));
        pg_copy(res, 0, 12, sess->csrf_token, sizeof(sess->csrf_token));
        sess->user_id = pg_int(res, 0, 13);
        sess->created_ms = pg_int(res, 0, 14);
        sess->expires_ms = pg_int(res, 0, 15);
    } else {
        r = ERR_NOT_FOUND;
    }
    PQclear(res);
    return r;
}

int pg_meta_get_int_pair(struct store *st, const char *key1, const char *key2, int64_t *v1,
                         int64_t *v2)
{
    struct pg_params p;
    PGresult *res;
    int r;
    *v1 = 0;
    *v2 = 0;
    pgp_init(&p);
    pgp_text(&p, key1);
    pgp_text(&p, key2);
    if ((r = intake_query(pg(st), INTAKE_META_PAIR, &p, "meta get pair", &res)) != 0)
        return r;
    if (PQntuples(res) == 1) {
        *v1 = pg_int(res, 0, 0); /* NULL (no such key) reads as 0 */
        *v2 = pg_int(res, 0, 1);
    } else {
        r = ERR_DB;
    }
    PQclear(res);
    return r;
}
