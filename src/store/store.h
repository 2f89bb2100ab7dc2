/*
 * store.h - the storage interface: the only door to persistent data.
 *
 * All SQL lives behind this interface, as prepared statements with bound parameters. A
 * struct store is one connection to one backend (SQLite today; PostgreSQL implements the same
 * struct store_ops later), used by one thread at a time: each worker thread opens its own.
 * No backend type (sqlite3, PGconn, statements, result handles) ever leaves src/store/.
 *
 * Records cross the interface as plain structs defined here. Functions that fill a record
 * clear it on entry; strings inside a record that are heap-allocated are named in the struct
 * comment and released by the matching *_cleanup function.
 *
 * Transactions: store_begin/commit/rollback bracket a unit of work. A function documented as
 * a "write" works inside the caller's transaction if one is open, otherwise it is atomic on
 * its own. Multi-row writes (imports, demo generation) are done by the service layer inside
 * one transaction, so a failure leaves nothing behind.
 *
 * Versioned schema: opening a database upgrades an older schema in one transaction; a schema
 * newer than this binary knows is refused with ERR_DB_TOO_NEW.
 */
#ifndef GRIDGOV_STORE_STORE_H
#define GRIDGOV_STORE_STORE_H

#include "base/error.h"

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_open_flags {
    STORE_CREATE = 1 << 0,   /* create the database when it does not exist */
    STORE_READONLY = 1 << 1, /* open for reading only (no migration is run) */
};

/*
 * Open url: "FILE", "sqlite:FILE" (SQLite). Without STORE_CREATE a missing database is
 * ERR_NOT_FOUND. Migrates an older schema; ERR_DB_TOO_NEW for a newer one. Caller closes.
 */
int store_open(const char *url, unsigned flags, struct store **out, struct errbuf *eb);
/* Close; NULL is a no-op. Rolls back an open transaction. */
void store_close(struct store *st);
/* Backend name: "sqlite". */
const char *store_backend(const struct store *st);
/* Schema version of the open database, and the newest this binary knows. */
int store_schema_version(struct store *st, int *out);
int store_schema_latest(void);

int store_begin(struct store *st);
int store_commit(struct store *st);
/* Roll back the open transaction; a no-op when none is open. */
void store_rollback(struct store *st);

/* Settings and counters kept in the database (key/value). Missing key: ERR_NOT_FOUND. */
int store_meta_get(struct store *st, const char *key, char *out, size_t out_size);
int store_meta_set(struct store *st, const char *key, const char *value);

/* ---- areas ---------------------------------------------------------------------------- */

#define AREA_NAME_MAX 128

struct area {
    char code[19];
    char name[AREA_NAME_MAX + 1];
    int level;                     /* enum area_level */
    double minx, miny, maxx, maxy; /* bbox in degrees; all 0 if no geometry */
    char *geometry;                /* owned GeoJSON geometry text; NULL unless asked for */
    int64_t households;            /* counts of what lies inside (maintained by recount) */
    int64_t persons;
    int64_t children; /* number of direct children */
};

struct area_list {
    struct area *items; /* owned array */
    size_t len;
};

void area_cleanup(struct area *a);
void area_list_cleanup(struct area_list *list);

/* Insert or replace an area (write). Bumps the areas version. */
int store_area_put(struct store *st, const struct area *a);
/* One area; ERR_NOT_FOUND. with_geometry loads a->geometry. */
int store_area_get(struct store *st, const char *code, int with_geometry, struct area *out);
/* 1/0 in *exists. */
int store_area_exists(struct store *st, const char *code, int *exists);
/* Direct children of parent ordered by code; parent "" lists the top-level areas. */
int store_area_children(struct store *st, const char *parent, int with_geometry,
                        struct area_list *out);
/*
 * Visit root and its descendants down to max_level (inclusive), ordered by code, calling fn
 * for each; fn returning nonzero stops the walk with that value. The area passed is borrowed
 * for the call. root "" walks the whole tree.
 */
typedef int (*store_area_fn)(void *ctx, const struct area *a);
int store_area_walk(struct store *st, const char *root, int max_level, int with_geometry,
                    store_area_fn fn, void *ctx);
/* The shallowest level of any area (0 when there are none). */
int store_area_min_level(struct store *st, int *out);
/* Number of areas. */
int store_area_count(struct store *st, int64_t *out);
/* A number that changes whenever any area changes (to know when to rebuild indexes). */
int store_areas_version(struct store *st, int64_t *out);
/* Recompute households, persons and children counts of every area (write). */
int store_area_recount(struct store *st);

/* ---- users and sessions --------------------------------------------------------------- */

#define USER_NAME_MAX 64
#define USER_ROLE_MAX 31
#define USER_DEPT_MAX 32
#define USER_HASH_MAX 127

struct user {
    int64_t id;
    char username[USER_NAME_MAX + 1];
    char display_name[USER_NAME_MAX + 1];
    char role[USER_ROLE_MAX + 1];
    char area_code[19];
    char department[USER_DEPT_MAX + 1];
    char password_hash[USER_HASH_MAX + 1]; /* argon2id string */
    int failed_logins;
    int64_t locked_until_ms; /* 0 = not locked */
    int64_t created_ms;
    int is_disabled;
};

struct user_list {
    struct user *items; /* owned */
    size_t len;
};

void user_list_cleanup(struct user_list *list);

/* Insert (write); sets u->id. ERR_EXISTS when the username is taken. */
int store_user_insert(struct store *st, struct user *u);
/* ERR_NOT_FOUND when absent. */
int store_user_get_by_name(struct store *st, const char *username, struct user *out);
int store_user_get(struct store *st, int64_t id, struct user *out);
/* Users whose area lies in root's subtree ("" = all), ordered by username. */
int store_user_list(struct store *st, const char *root, struct user_list *out);
/* Replace the password hash and clear failed logins (write). ERR_NOT_FOUND. */
int store_user_set_password(struct store *st, int64_t id, const char *password_hash);
/* Record the outcome of a login attempt (write). */
int store_user_set_login_state(struct store *st, int64_t id, int failed_logins,
                               int64_t locked_until_ms);

struct session {
    char token_hash[65]; /* hex of the token's hash; the token itself is never stored */
    char csrf_token[65];
    int64_t user_id;
    int64_t created_ms;
    int64_t expires_ms;
};

/* Insert a session (write). */
int store_session_insert(struct store *st, const struct session *s);
/* The live session with this token hash at now_ms; ERR_NOT_FOUND if absent or expired. */
int store_session_get(struct store *st, const char *token_hash, int64_t now_ms,
                      struct session *out);
/* Delete one session (write); deleting a missing one is not an error. */
int store_session_delete(struct store *st, const char *token_hash);
/* Delete every session of a user (write), e.g. after a password change. */
int store_session_delete_user(struct store *st, int64_t user_id);
/* Delete sessions expired before now_ms (write). */
int store_session_purge(struct store *st, int64_t now_ms);

/* ---- base data (households and persons; see SPEC section 3) --------------------------- */

struct household {
    int64_t id;
    char cell_code[19];
    char address[256];
    char kind[24]; /* registered_family | non_registered_family | business | social_org */
    int64_t created_ms;
};

struct person {
    int64_t id;
    int64_t household_id;
    char cell_code[19];
    char name[64];
    char sex[2];         /* "M" | "F" */
    char birth_date[11]; /* YYYY-MM-DD */
    int is_registered;   /* 户籍 (1) or 非户籍 (0) */
    char relation[24];   /* relation to the head of household */
    char tags[128];      /* comma-separated care/attention tags */
    int64_t created_ms;
};

/* Insert (write); sets ->id. */
int store_household_insert(struct store *st, struct household *h);
int store_person_insert(struct store *st, struct person *p);
/* Count households and persons under root's subtree. */
int store_household_count(struct store *st, const char *root, int64_t *households,
                          int64_t *persons);

#endif
