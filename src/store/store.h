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
 * Transactions: store_begin/commit/rollback bracket a unit of work. They nest: inside an open
 * transaction, begin opens a savepoint, and its rollback undoes only the inner work, so a
 * batch (group commit, demo generation) can run many use cases in one transaction while each
 * still fails on its own. A function documented as
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
#include "domain/basedata.h"
#include "domain/patrol.h"
#include "domain/station.h"

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_open_flags {
    STORE_CREATE = 1 << 0,   /* create the database when it does not exist */
    STORE_READONLY = 1 << 1, /* open for reading only (no migration is run) */
    STORE_WRITER = 1 << 2,   /* the serve-time bulk writer: commits do no housekeeping (WAL
                                checkpoints, text indexing); store_maintain does it instead */
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

/*
 * Housekeeping (write): index the text of new cases for search and checkpoint the WAL
 * without blocking readers. A connection opened without STORE_WRITER does both as part of
 * its own commits; with a STORE_WRITER connection taking the writes, a background thread
 * calls this every second, so search sees a new case within about a second.
 */
int store_maintain(struct store *st);

/*
 * Write a consistent copy of the open database to dest_path (which must not exist), while
 * other connections keep writing: the copy is the database as of one instant. The copy is
 * then checked (integrity check) before success is reported. ERR_EXISTS, ERR_IO.
 */
int store_backup(struct store *st, const char *dest_path, struct errbuf *eb);
/* Run the backend's integrity check; ERR_DB with the first problem in eb. */
int store_check_integrity(struct store *st, struct errbuf *eb);

int store_begin(struct store *st);
int store_commit(struct store *st);
/* Roll back the open transaction; a no-op when none is open. */
void store_rollback(struct store *st);

/* Settings and counters kept in the database (key/value). Missing key: ERR_NOT_FOUND. */
int store_meta_get(struct store *st, const char *key, char *out, size_t out_size);
int store_meta_set(struct store *st, const char *key, const char *value);
/* A value of any length (documents such as the category taxonomy, kept as CSV text) into a
 * new string the caller frees. ERR_NOT_FOUND when absent. */
int store_meta_get_text(struct store *st, const char *key, char **out);

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

/* ---- base data records: persons, households, buildings, organisations, facilities -------- */

/*
 * One record of any base-data kind, field by field in the order of its table in
 * domain/basedata.h. Values are normalised text ("" absent). A personal field (ID number,
 * phone) is stored as three strings: text is the ciphertext (base/secret.h), hash the keyed
 * index hash, masked the display form; the plaintext never reaches the store.
 *
 * Records the store fills (store_bd_get, store_bd_list) own their strings: release them with
 * bd_record_cleanup. A record the caller builds for store_bd_put may point at its own buffers;
 * the store only reads it.
 */
struct bd_value {
    char *text;
    char *hash;
    char *masked;
};

struct bd_record {
    enum bd_kind kind;
    int64_t id;
    char cell_code[19];
    int64_t created_ms;
    int64_t updated_ms;
    int64_t anonymised_ms; /* persons: when retention cleared the personal fields, else 0 */
    struct bd_value v[BD_FIELDS_MAX];
};

/* Free the strings of a record the store filled, and clear it. */
void bd_record_cleanup(struct bd_record *r);

/*
 * Write a record (write). With r->id > 0 the row with that id is updated (ERR_NOT_FOUND when
 * missing). Otherwise, when the kind's natural key (a personal key by its hash) is present and
 * a row with that key exists, that row is updated -- imports are idempotent on it -- else a
 * row is inserted. Sets r->id and *created (may be NULL). Keeps the full-text index in step.
 * created_ms is kept on update. ERR_EXISTS when an update would take another row's key.
 */
int store_bd_put(struct store *st, struct bd_record *r, int *created);
/* Read the record of kind with id into out. ERR_NOT_FOUND. */
int store_bd_get(struct store *st, enum bd_kind kind, int64_t id, struct bd_record *out);
/* Delete (write). ERR_NOT_FOUND; ERR_CONFLICT while other records refer to it (members of a
 * household, households in a building). */
int store_bd_delete(struct store *st, enum bd_kind kind, int64_t id);
/* The id of the record of kind whose field (by index) equals value -- for personal fields,
 * whose hash equals value -- or ERR_NOT_FOUND. The first by id when several match. */
int store_bd_find(struct store *st, enum bd_kind kind, int field, const char *value, int64_t *id);

struct bd_filter {
    enum bd_kind kind;
    const char *area; /* subtree root (required) */
    int ref_field;    /* with ref_id: field index of a reference (household_id, ...); -1 none */
    int64_t ref_id;
    int hash_field; /* with hash: a personal field whose hash must equal hash; -1 none */
    const char *hash;
    const char *tag;   /* persons: carries this tag */
    const char *query; /* text in any searchable field */
    int64_t after_id;  /* keyset: ids greater than this, ascending */
    int limit;         /* 1..10000 */
};
typedef int (*store_bd_fn)(void *ctx, struct bd_record *r); /* r is cleaned up after the call */
/* Records matching f in id order; a nonzero return of fn stops the walk and is returned. */
int store_bd_list(struct store *st, const struct bd_filter *f, store_bd_fn fn, void *ctx);
/* Count the records of kind in area's subtree. */
int store_bd_count(struct store *st, enum bd_kind kind, const char *area, int64_t *out);

struct bd_hit {
    enum bd_kind kind;
    int64_t id;
    char cell_code[19];
    char label[256];
};
typedef int (*store_bd_hit_fn)(void *ctx, const struct bd_hit *h);
/* Full-text search over every kind in area's subtree (query of 3+ characters), best first. */
int store_bd_search(struct store *st, const char *area, const char *query, int limit,
                    store_bd_hit_fn fn, void *ctx);
/* Rebuild the full-text index of the base data from the tables (write), e.g. after a bulk
 * load that bypassed store_bd_put. */
int store_bd_reindex(struct store *st);

/* ---- the access log of personal data (SPEC section 12: every read is logged) ---------- */

struct access_entry {
    int64_t id;
    int64_t at_ms;
    int64_t user_id;
    char username[USER_NAME_MAX + 1];
    char role[24];
    char subject_kind[16]; /* "person", "household", ..., "export" */
    int64_t subject_id;    /* 0 for an export */
    char subject_area[19]; /* the subject's cell (an export: its subtree root) */
    char fields[64];       /* "id_number,phone" */
    char reason[256];
};
/* Append (write); sets e->id. */
int store_access_log_append(struct store *st, struct access_entry *e);
struct access_filter {
    const char *area; /* subjects in this subtree (required) */
    int64_t user_id;  /* 0: anyone */
    const char *subject_kind;
    int64_t subject_id;     /* 0: any */
    int64_t from_ms, to_ms; /* [from, to); 0: open */
    int64_t before_id;      /* keyset: newest first, ids below this; 0: from the newest */
    int limit;
};
typedef int (*store_access_fn)(void *ctx, const struct access_entry *e);
int store_access_log_list(struct store *st, const struct access_filter *f, store_access_fn fn,
                          void *ctx);

/* ---- the household file's timeline: what touched a household ------------------------------ */

struct household_link {
    int64_t household_id;
    char kind[16];  /* "case", "visit", "dispute", "service", ... */
    int64_t ref_id; /* the case, visit, ... */
    int64_t at_ms;
    char summary[256];
};
/* Record that ref touched the household (write); linking the same (kind, ref) twice keeps
 * one entry. */
int store_household_link_add(struct store *st, const struct household_link *l);
typedef int (*store_link_fn)(void *ctx, const struct household_link *l);
/* The household's links, oldest first. */
int store_household_links(struct store *st, int64_t household_id, store_link_fn fn, void *ctx);

/* ---- retention (SPEC section 3 and 12) -------------------------------------------------- */

/* Persons whose status is not active and whose moved_out_date is before before_date
 * (YYYY-MM-DD), not yet anonymised, by id after after_id, at most limit. */
int store_bd_retention_persons(struct store *st, const char *before_date, int64_t after_id,
                               int limit, store_bd_fn fn, void *ctx);
/* Clear the personal fields of a person (write): name becomes "已匿名", ID number, phone,
 * address, workplace and note are emptied, the index entry removed, anonymised_ms set. */
int store_bd_anonymise_person(struct store *st, int64_t id, int64_t now_ms);
/* Closed cases (status closed or evaluated) last changed before before_ms whose reporter name
 * or phone are still kept: count them, and unless dry_run clear them (write). */
int store_case_clear_reporters(struct store *st, int64_t before_ms, int dry_run, int64_t *count);

/* ---- cases (SPEC section 4) ------------------------------------------------------------- */

#define CASE_NUMBER_MAX 31
#define CASE_TEXT_MAX   4000 /* bytes of a description */

/*
 * One case row. Enumerations (status, channel, urgency, outcome, supervision, step) are kept
 * as their stable names; the domain layer owns their meaning. description is owned.
 */
struct case_rec {
    int64_t id;
    char number[CASE_NUMBER_MAX + 1]; /* 440605-20260321-00042 */
    char area_code[19];
    char category[9];
    char channel[24];
    char urgency[12];
    char status[24];
    char state_before_suspend[24];
    int queue_level;     /* area level whose queue holds the case */
    char department[33]; /* the unit it was dispatched to; kept when routing changes */
    char *description;   /* owned */
    char address[256];
    double lon, lat;
    int has_location;
    int64_t reporter_user_id; /* 0 when reported by phone, Open311, ... */
    char reporter_name[64];
    char reporter_phone[32];
    int is_anonymous; /* the reporter asked to stay anonymous to handlers too */
    char outcome[24];
    char outcome_reason[32];
    int rating; /* 0 until evaluated */
    char supervision[12];
    int overdue_stage; /* the last overdue stage the sweep acted on (0 none) */
    int has_pending_extension;
    int extension_days;
    int reopen_count;
    char merged_into[CASE_NUMBER_MAX + 1];
    char step[12]; /* the step whose deadline runs (accept, dispatch, ...) or "" */
    int64_t step_started_ms;
    int64_t due_ms;         /* deadline of the running step; 0 when none runs */
    int64_t resolve_due_ms; /* deadline to resolve the case */
    int64_t sweep_at_ms;    /* when the sweep must next look at the case (0 = never): the
                               time the next overdue stage is reached */
    int64_t created_ms, updated_ms, closed_ms;
    int64_t event_seq;  /* number of events so far (the last event's seq) */
    char last_hash[65]; /* hash of the last event */
};

struct case_list {
    struct case_rec *items; /* owned */
    size_t len;
};

void case_rec_cleanup(struct case_rec *c);
void case_list_cleanup(struct case_list *list);

/* One event of a case's append-only history; each row carries the hash of the previous row
 * of its case (prev_hash) and its own (hash), computed by the service layer. */
struct case_event {
    int64_t case_id;
    int64_t seq; /* 1, 2, ... per case */
    int64_t at_ms;
    int64_t actor_user_id; /* 0 for the system (sweep) or anonymous channels */
    char actor_role[32];
    char action[24];
    char from_state[24];
    char to_state[24];
    char *payload; /* owned JSON text */
    char prev_hash[65];
    char hash[65];
};

struct case_event_list {
    struct case_event *items; /* owned */
    size_t len;
};

void case_event_cleanup(struct case_event *e);
void case_event_list_cleanup(struct case_event_list *list);

/* Filters of a case listing; zero/empty fields do not filter. */
struct case_filter {
    const char *area;         /* subtree root */
    const char *statuses[16]; /* any of these statuses (NULL-terminated) */
    const char *category;     /* code prefix */
    const char *channel;
    const char *department; /* dispatched to this unit */
    int64_t reporter_user_id;
    int is_overdue;    /* open with due_ms < now_ms */
    int is_supervised; /* supervision not "" / "none" */
    int64_t now_ms;
    int64_t from_ms, to_ms; /* created in [from, to) */
    const char *query;      /* full-text over description and address (3+ characters) */
    /* Keyset cursor: cases created before (created_ms, id) in the listing order. */
    int64_t before_created_ms;
    int64_t before_id;
    int limit; /* 1..1000 */
};

/* Insert a case (write); sets c->id. ERR_EXISTS when the number is taken. */
int store_case_insert(struct store *st, struct case_rec *c);
/*
 * Update a case's row (write) with what the workflow changes -- the report's own fields
 * (number, area, category, channel, place, reporter, text, time) are fixed -- but only if its
 * stored event_seq is expected_seq: a concurrent change in between makes this ERR_CONFLICT and
 * nothing is written (no lost update). ERR_NOT_FOUND if the id does not exist.
 */
int store_case_update(struct store *st, const struct case_rec *c, int64_t expected_seq);
/* Record a new last event (write): event_seq and last_hash only, if the stored event_seq is
 * expected_seq (ERR_CONFLICT otherwise). Cheaper than store_case_update when nothing else
 * changed (a report's first event). */
int store_case_set_head(struct store *st, int64_t id, int64_t event_seq, const char *last_hash,
                        int64_t expected_seq);
int store_case_get(struct store *st, int64_t id, struct case_rec *out);
int store_case_get_by_number(struct store *st, const char *number, struct case_rec *out);
/* Cases matching f, newest first (created_ms, id descending). */
int store_case_list(struct store *st, const struct case_filter *f, struct case_list *out);
/* Next serial number of district on day (YYYYMMDD) (write), starting at 1. */
int store_case_next_serial(struct store *st, const char *district, const char *day, int64_t *out);
/* Cases with 0 < sweep_at_ms <= now_ms, earliest first (sweep_at_ms, id), at most limit,
 * after the keyset position (after_ms, after_id) so a sweep pages through them once. */
int store_case_due(struct store *st, int64_t now_ms, int64_t after_ms, int64_t after_id, int limit,
                   struct case_list *out);
/* Recent cases of a category near a point (a bbox of +-delta degrees) created since
 * since_ms, for duplicate suggestions; at most limit. */
int store_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                      int64_t since_ms, int limit, struct case_list *out);
/* Open cases whose running step is past due at now_ms. */
int store_case_count_overdue(struct store *st, int64_t now_ms, int64_t *out);
/* Size of the database in bytes. */
int store_size_bytes(struct store *st, int64_t *out);
/* Count cases by status under a subtree (for /metrics and tests): fn per status. */
typedef int (*store_count_fn)(void *ctx, const char *key, int64_t count);
int store_case_count_by_status(struct store *st, const char *area, store_count_fn fn, void *ctx);

/* Append an event (write). ERR_CONFLICT if (case_id, seq) exists. */
int store_case_event_append(struct store *st, const struct case_event *e);
/* Events of a case in order. */
int store_case_events(struct store *st, int64_t case_id, struct case_event_list *out);
/* Every event of every case, ordered by case then seq; fn returning nonzero stops. */
typedef int (*store_event_fn)(void *ctx, const struct case_event *e);
int store_case_event_walk(struct store *st, store_event_fn fn, void *ctx);

/* ---- attachments (content-addressed) ------------------------------------------------------ */

struct attachment {
    char hash[65]; /* hex BLAKE2b-256 of the content */
    char mime[64];
    int64_t size;
    int64_t created_ms;
    unsigned char *data; /* owned; NULL unless asked for */
};

void attachment_cleanup(struct attachment *a);
/* Store content under its hash (write); storing the same content again is a no-op. */
int store_attachment_put(struct store *st, const struct attachment *a);
/* ERR_NOT_FOUND when absent. with_data loads the bytes. */
int store_attachment_get(struct store *st, const char *hash, int with_data, struct attachment *out);
/* Link an attachment to a case (write); linking twice is a no-op. */
int store_case_attachment_add(struct store *st, int64_t case_id, const char *hash);
/* Hashes of a case's attachments, in the order they were added: fn per hash. */
int store_case_attachments(struct store *st, int64_t case_id, store_count_fn fn, void *ctx);

/* ---- outbox (durable notifications) ------------------------------------------------------- */

struct outbox_msg {
    int64_t id;
    char idempotency_key[80]; /* unique; receivers de-duplicate on it */
    char topic[48];
    char *payload; /* owned JSON text */
    int attempts;
    int64_t created_ms;
    int64_t next_attempt_ms;
    int64_t delivered_ms; /* 0 until delivered */
    char last_error[200];
};

struct outbox_list {
    struct outbox_msg *items; /* owned */
    size_t len;
};

void outbox_list_cleanup(struct outbox_list *list);
/* Queue a message (write) in the caller's transaction. ERR_EXISTS for a duplicate key. */
int store_outbox_insert(struct store *st, const struct outbox_msg *m);
/* Undelivered messages due at now_ms, oldest first, at most limit. */
int store_outbox_due(struct store *st, int64_t now_ms, int limit, struct outbox_list *out);
/* Mark delivered (write). */
int store_outbox_delivered(struct store *st, int64_t id, int64_t now_ms);
/* Record a failed attempt and when to try again (write). */
int store_outbox_failed(struct store *st, int64_t id, int attempts, int64_t next_attempt_ms,
                        const char *error);
/* Number of undelivered messages. */
int store_outbox_backlog(struct store *st, int64_t *out);
/* Mark every undelivered message delivered at now_ms (write), e.g. the notices of generated
 * demo history, which describe the past and must not flood a webhook. */
int store_outbox_mark_all_delivered(struct store *st, int64_t now_ms);

/* ---- case series (analysis, issue 7: store_sqlite_series.c) ------------------------------- */

/* One row of daily counts: day = local day number (days since 1970-01-01 in the city's time),
 * category_class = the first 2 characters of the category ("" when not grouped by class).
 * A non-zero return stops the walk and is returned. */
typedef int (*store_series_fn)(void *ctx, int64_t day, const char *category_class, int64_t count);
/*
 * Daily counts of the cases created in [from_ms, to_ms) under area (an area code: its subtree;
 * NULL or "" for every case) and, when category is set, in that category or below it (a
 * class "03" includes "0301"). Days are local: (created_ms + utc_offset_min minutes) divided
 * into days. With by_class the counts are split by category class. Only days with cases are
 * reported, in day order then class order. Read-only.
 */
int store_case_daily_counts(struct store *st, const char *area, const char *category,
                            int64_t from_ms, int64_t to_ms, int utc_offset_min, int by_class,
                            store_series_fn fn, void *ctx);

/* ---- field work: patrols, links of cases to field work (issue 5: store_sqlite_fieldwork.c) -- */

struct patrol_rec {
    int64_t id;
    char grid_code[19]; /* the grid patrolled */
    int64_t user_id;    /* the grid worker */
    int64_t started_ms;
    int64_t ended_ms; /* 0 while the patrol runs */
    double distance_m;
    int64_t duration_ms;
    int64_t n_points, n_outside, n_fast;
};

/* Start a patrol (write); sets p->id. */
int store_patrol_insert(struct store *st, struct patrol_rec *p);
/* ERR_NOT_FOUND. */
int store_patrol_get(struct store *st, int64_t id, struct patrol_rec *out);
/* Record the end and the summary of a running patrol (write): ended_ms, distance, duration and
 * counts. ERR_NOT_FOUND; ERR_CONFLICT when it has already ended. */
int store_patrol_finish(struct store *st, const struct patrol_rec *p);
/* Keep the running counts of a patrol current after an upload (write). */
int store_patrol_set_counts(struct store *st, int64_t id, int64_t n_points, int64_t n_outside,
                            int64_t n_fast);

struct patrol_filter {
    const char *area;       /* grids in this subtree (required) */
    int64_t user_id;        /* 0: anyone */
    int is_running;         /* only patrols not ended */
    int64_t from_ms, to_ms; /* started in [from, to); 0: open */
    int64_t before_id;      /* keyset: newest first, ids below this; 0: from the newest */
    int limit;              /* 1..10000 */
};
typedef int (*store_patrol_fn)(void *ctx, const struct patrol_rec *p);
/* Patrols matching f, newest first (by id); a nonzero return of fn stops and is returned. */
int store_patrol_list(struct store *st, const struct patrol_filter *f, store_patrol_fn fn,
                      void *ctx);

/* Remember that batch_id of patrol was stored (write): *is_new 1 the first time, 0 when the
 * same batch id was seen before (a retried upload; store nothing then). */
int store_patrol_batch_add(struct store *st, int64_t patrol_id, const char *batch_id,
                           int64_t n_points, int *is_new);
/* Append points to a patrol's track (write). */
int store_patrol_points_add(struct store *st, int64_t patrol_id, const struct patrol_point *pts,
                            size_t n);
typedef int (*store_point_fn)(void *ctx, const struct patrol_point *pt);
/* The track in time order (then upload order). */
int store_patrol_points(struct store *st, int64_t patrol_id, store_point_fn fn, void *ctx);
/* Ended patrols per grid in area's subtree started in [from_ms, to_ms): fn(grid, count). */
int store_patrol_count_by_grid(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                               store_count_fn fn, void *ctx);

/* A case found by field work (source "patrol", "visit", "session") (write); linking twice
 * keeps one. */
int store_field_case_link_add(struct store *st, const char *source, int64_t source_id,
                              int64_t case_id);
typedef int (*store_id_fn)(void *ctx, int64_t id);
/* The cases linked to one piece of field work, in case id order. */
int store_field_case_links(struct store *st, const char *source, int64_t source_id, store_id_fn fn,
                           void *ctx);

/* ---- field work: household visits, campaigns, compliance figures (issue 5) ------------------ */

#define VISIT_FINDINGS_MAX 2000 /* bytes */

struct visit_rec {
    int64_t id;
    char subject_kind[16]; /* "household" | "organisation" */
    int64_t subject_id;
    char cell_code[19]; /* the subject's area at the time of the visit */
    int64_t user_id;    /* the visitor */
    int64_t visited_ms;
    char findings[VISIT_FINDINGS_MAX + 1];
    int64_t case_id; /* the follow-up case, 0 when none */
    int64_t created_ms;
};
/* Insert (write); sets v->id. */
int store_visit_insert(struct store *st, struct visit_rec *v);
/* ERR_NOT_FOUND. */
int store_visit_get(struct store *st, int64_t id, struct visit_rec *out);
/* Set the follow-up case of a visit (write). ERR_NOT_FOUND. */
int store_visit_set_case(struct store *st, int64_t id, int64_t case_id);

struct visit_filter {
    const char *area;         /* subjects in this subtree (required) */
    const char *subject_kind; /* NULL: any */
    int64_t subject_id;       /* 0: any */
    int64_t from_ms, to_ms;   /* visited in [from, to); 0: open */
    int64_t before_id;        /* keyset: newest first (by id) */
    int limit;                /* 1..10000 */
};
typedef int (*store_visit_fn)(void *ctx, const struct visit_rec *v);
int store_visit_list(struct store *st, const struct visit_filter *f, store_visit_fn fn, void *ctx);

/* A household (or organisation) with what visit planning needs. */
struct visit_state {
    char subject_kind[16];
    int64_t subject_id;
    char cell_code[19];
    char kind[24];   /* household kind / organisation kind */
    char label[256]; /* address / name */
    int64_t created_ms;
    int64_t last_visit_ms; /* 0: never visited */
    char tags[1024];       /* the tags of the household's active members, comma-joined */
};
typedef int (*store_visit_state_fn)(void *ctx, const struct visit_state *s);
/* Every household in area's subtree (and, with_orgs, every organisation), by kind then id,
 * with its last visit before before_ms (0: any time). A nonzero return of fn stops. */
int store_visit_states(struct store *st, const char *area, int with_orgs, int64_t before_ms,
                       store_visit_state_fn fn, void *ctx);

struct campaign_rec {
    int64_t id;
    char name[129];
    char area_code[19];
    int64_t from_ms, to_ms; /* visits in [from, to) count */
    int64_t created_ms;
    int64_t created_by;
    int64_t n_targets;
};
/* Insert a campaign and freeze its target set (write): every household and organisation in
 * its area at this moment. Sets c->id and c->n_targets. */
int store_campaign_insert(struct store *st, struct campaign_rec *c);
int store_campaign_get(struct store *st, int64_t id, struct campaign_rec *out);
typedef int (*store_coverage_fn)(void *ctx, const char *area, int64_t targets, int64_t covered);
/* Per grid (the first 15 digits of the target's cell), targets and how many of them had a
 * visit in the campaign's window, in grid order. */
int store_campaign_coverage(struct store *st, int64_t id, store_coverage_fn fn, void *ctx);

typedef int (*store_channel_fn)(void *ctx, const char *grid, const char *channel, int64_t count);
/* Cases created in [from_ms, to_ms) under area, counted per grid (the first 15 digits of the
 * case's area; shorter codes as they are) and channel, in grid order. */
int store_case_channel_counts(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                              store_channel_fn fn, void *ctx);

/* ---- field work: station teams and their office hours (issue 5) ------------------------------ */

struct station_team {
    int64_t id;
    char name[129];
    char area_code[19]; /* the street/town whose cadres form the team */
    char communities[STATION_COMMUNITIES_MAX][19];
    int n_communities;
    int64_t members[STATION_MEMBERS_MAX]; /* user ids */
    int n_members;
    struct station_slot slots[STATION_SLOTS_MAX];
    int n_slots;
    int64_t created_ms;
};
/* Insert a team with its communities, members and schedule (write); sets t->id. */
int store_station_team_insert(struct store *st, struct station_team *t);
/* ERR_NOT_FOUND. */
int store_station_team_get(struct store *st, int64_t id, struct station_team *out);
typedef int (*store_team_fn)(void *ctx, const struct station_team *t);
/* Teams whose street or one of whose communities lies in area's subtree, by id. */
int store_station_team_list(struct store *st, const char *area, store_team_fn fn, void *ctx);

#define STATION_SUMMARY_MAX 500

struct station_item {
    char kind[16]; /* enum station_item_kind name */
    char summary[STATION_SUMMARY_MAX + 1];
    int64_t case_id; /* the case of a ticketed item */
};
struct station_session {
    int64_t id;
    int64_t team_id;
    char community[19];
    int64_t held_ms;
    int64_t recorded_by;
    int64_t created_ms;
    struct station_item *items; /* filled by store_station_session_get: owned (cleanup); for
                                   insert: the caller's */
    size_t n_items;
};
void station_session_cleanup(struct station_session *s);
/* Insert a session and its items (write); sets s->id. */
int store_station_session_insert(struct store *st, struct station_session *s);
int store_station_session_get(struct store *st, int64_t id, struct station_session *out);
typedef int (*store_session_fn)(void *ctx, const struct station_session *s); /* no items */
/* Sessions of team (0: of every team whose community lies in area) held in [from, to) (0:
 * open), newest first, at most limit. */
int store_station_session_list(struct store *st, int64_t team_id, const char *area, int64_t from_ms,
                               int64_t to_ms, int limit, store_session_fn fn, void *ctx);

#endif
