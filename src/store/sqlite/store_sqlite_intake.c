/*
 * store_sqlite_intake.c - reads that every request makes, each in one statement, on SQLite
 * (see store.h, "the request path's reads"): a token's live session with its user, and two
 * meta values at once (the rules' and areas' versions). Each statement on SQLite runs in its
 * own read transaction when none is open, so folding two reads into one saves a transaction
 * as well as a statement on every request. Prepared once per connection (intake_stmts).
 */
#include "store/sqlite/sqlite_internal.h"

#include <stdlib.h>
#include <string.h>

#define INTAKE_STMT_MAP(X)                                                                         \
    /* The user's columns first, in USER_COLS order (sq_read_user), then the session's. */         \
    X(SESSION_USER,                                                                                \
      "SELECT u.id, u.username, u.display_name, u.role, u.area_code, u.department, "               \
      "u.password_hash, u.failed_logins, u.locked_until_ms, u.created_ms, u.is_disabled, "         \
      "s.token_hash, s.csrf_token, s.user_id, s.created_ms, s.expires_ms "                         \
      "FROM sessions s JOIN users u ON u.id = s.user_id "                                          \
      "WHERE s.token_hash = ?1 AND s.expires_ms > ?2")                                             \
    X(META_PAIR, "SELECT (SELECT value FROM meta WHERE key = ?1), "                                \
                 "(SELECT value FROM meta WHERE key = ?2)")

enum intake_stmt_id {
#define INTAKE_STMT_ENUM(name, sql) ISTMT_##name,
    INTAKE_STMT_MAP(INTAKE_STMT_ENUM)
#undef INTAKE_STMT_ENUM
        ISTMT_COUNT
};

_Static_assert(ISTMT_COUNT <= SQ_INTAKE_STMTS, "raise SQ_INTAKE_STMTS");

static const char *const intake_stmt_sql[ISTMT_COUNT] = {
#define INTAKE_STMT_SQL(name, sql) sql,
    INTAKE_STMT_MAP(INTAKE_STMT_SQL)
#undef INTAKE_STMT_SQL
};

static sqlite3_stmt *istmt(struct sqlite_store *s, enum intake_stmt_id id)
{
    return sq_prepare_slot(s, &s->intake_stmts[id], intake_stmt_sql[id]);
}

int sq_session_user_get(struct store *st, const char *token_hash, int64_t now_ms,
                        struct session *sess, struct user *user)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = istmt(s, ISTMT_SESSION_USER);
    int rc, r = 0;
    memset(sess, 0, sizeof(*sess));
    memset(user, 0, sizeof(*user));
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, token_hash);
    sqlite3_bind_int64(stmt, 2, now_ms);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        sq_read_user(stmt, user);
        copy_col(stmt, 11, sess->token_hash, sizeof(sess->token_hash));
        copy_col(stmt, 12, sess->csrf_token, sizeof(sess->csrf_token));
        sess->user_id = sqlite3_column_int64(stmt, 13);
        sess->created_ms = sqlite3_column_int64(stmt, 14);
        sess->expires_ms = sqlite3_column_int64(stmt, 15);
    } else if (rc == SQLITE_DONE) {
        r = ERR_NOT_FOUND;
    } else {
        r = sq_fail(s, "session user get");
    }
    sqlite3_reset(stmt);
    return r;
}

/* A meta value as an integer: NULL (no such key) reads as 0, text as strtoll reads it. */
static int64_t meta_int(sqlite3_stmt *stmt, int col)
{
    const unsigned char *v = sqlite3_column_text(stmt, col);
    return v != NULL ? strtoll((const char *)v, NULL, 10) : 0;
}

int sq_meta_get_int_pair(struct store *st, const char *key1, const char *key2, int64_t *v1,
                         int64_t *v2)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = istmt(s, ISTMT_META_PAIR);
    int rc, r = 0;
    *v1 = 0;
    *v2 = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, key1);
    bind_text(stmt, 2, key2);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *v1 = meta_int(stmt, 0);
        *v2 = meta_int(stmt, 1);
    } else {
        r = sq_fail(s, "meta get pair");
    }
    sqlite3_reset(stmt);
    return r;
}
