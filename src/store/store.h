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
#include "base/rollup_fields.h"
#include "domain/patrol.h"
#include "domain/station.h"
#include "domain/volunteer.h"

#include <stddef.h>
#include <stdint.h>

struct store;

enum store_open_flags {
    STORE_CREATE = 1 << 0,   /* create the database when it does not exist */
    STORE_READONLY = 1 << 1, /* open for reading only (no migration is run) */
    STORE_WRITER = 1 << 2,   /* the serve-time bulk writer: commits do no housekeeping (WAL
                                checkpoints, text indexing); store_maintain does it instead */
    STORE_BULK = 1 << 3,     /* a bulk load (imports): a page cache of a quarter of the
                                machine's memory (at least 512 MB), so a load of millions of
                                rows and its index builds stay in memory until the commit */
};

/*
 * Once per process, from main before any other thread starts and before store_open: settings
 * of the storage libraries that apply to the whole process (SQLite keeps no memory statistics,
 * so its allocator takes no global lock on every call from the server's threads). A process
 * that skips it works the same, only slower. ERR_DB when a library refused.
 */
int store_process_init(void);

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
 * Refresh the planner's statistics after a large load (write, outside a transaction): gridgov
 * migrate's target, a bulk import, a benchmark's fill. On PostgreSQL this is ANALYZE of the
 * gridgov tables — without it, the minute until autovacuum gets there plans a district list
 * as if the district held a few dozen rows. SQLite keeps no statistics here (its plans come
 * from the indexes alone and were chosen that way), so it has nothing to do. Empty tables are
 * left unanalyzed (an empty table analyzed would be planned as empty while it fills).
 */
int store_refresh_statistics(struct store *st);

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
 * missing); with r->id < 0 a row is inserted (the caller looked the key up itself). With 0,
 * when the kind's natural key (a personal key by its hash) is present and
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

/* ---- bulk load of base data (import of a large file into a nearly empty table) --------- */
/*
 * Inside the caller's transaction (store_begin), before inserting many rows of kind: drop the
 * secondary indexes of kind's table (the unique natural-key index too) and stop queueing
 * search-index entries for inserted rows, so that store_bd_bulk_end builds both once, from
 * sorted keys, instead of one random B-tree insert per row and index. *started is 1 when that
 * was done, 0 when the backend writes rows as usual (PostgreSQL; then nothing changes).
 * While started, the caller must not look kind up by an indexed column (it would scan the
 * table) and guarantees the natural key's uniqueness itself; store_bd_put with id < 0 inserts,
 * with id > 0 updates by id. The transaction must end with store_bd_bulk_end and a commit, or
 * a rollback (or a crash): the dropped indexes are then back as they were, since SQLite's
 * schema changes are transactional -- no committed state ever lacks them. A commit without
 * store_bd_bulk_end runs it first. ERR_CONFLICT when a bulk load is already open.
 */
int store_bd_bulk_begin(struct store *st, enum bd_kind kind, int *started);
/* Build what store_bd_bulk_begin dropped: the indexes (ERR_CONFLICT when a unique one cannot
 * be built because of duplicate keys; roll back then) and the search entries of the rows
 * inserted since. No-op when no bulk load is open. */
int store_bd_bulk_end(struct store *st);

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
/* Cases whose reporter phone is still stored in plain text (written before encryption
 * existed), by id, at most limit: fn gets the id and the plain phone. */
typedef int (*store_phone_fn)(void *ctx, int64_t case_id, const char *phone);
int store_case_plain_phones(struct store *st, int limit, store_phone_fn fn, void *ctx);
/* Replace a case's reporter phone with its encrypted and masked forms (write). */
int store_case_set_reporter_phone(struct store *st, int64_t case_id, const char *sealed,
                                  const char *masked);

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
    char reporter_phone[128];       /* ciphertext (base/secret.h, context "case.reporter_phone"),
                                       or a plain number stored before encryption existed */
    char reporter_phone_masked[32]; /* "138****8000" */
    int is_anonymous;               /* the reporter asked to stay anonymous to handlers too */
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
/* A possible duplicate (store_case_nearby): only what a report's answer shows and what
 * deciding whether its reporter may see it needs (cases_can_see_near). */
struct case_near {
    int64_t id;
    int64_t created_ms;
    char number[CASE_NUMBER_MAX + 1];
    char status[24];
    char area_code[19];
    char department[33];
    int64_t reporter_user_id;
    char *description; /* owned */
};

struct case_near_list {
    struct case_near *items; /* owned */
    size_t len;
};

void case_near_list_cleanup(struct case_near_list *list);

/* Recent cases of a category near a point (a bbox of +-delta degrees) created since
 * since_ms, not merged or rejected, for duplicate suggestions, newest first (created_ms, id
 * descending); at most limit. The cases are indexed by category and a cell of
 * 1/STORE_NEAR_CELLS_PER_DEGREE degree of their point (store_near_cell), with their point and
 * status, so the search reads the 3 x 3 cells around the point from the index alone and reads
 * only the rows it returns: delta may be at most one cell (ERR_INVALID beyond). */
#define STORE_NEAR_CELLS_PER_DEGREE 500
int store_case_nearby(struct store *st, const char *category, double lon, double lat, double delta,
                      int64_t since_ms, int limit, struct case_near_list *out);
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

/* ---- hardening: who may read an attachment ---------------------------------------------- */

/* The ids of the cases an attachment is linked to, oldest link first: fn(ctx, hash, case_id)
 * per case, stopping at the first non-zero return (which is returned). None: 0, no calls. */
int store_attachment_cases(struct store *st, const char *hash, store_count_fn fn, void *ctx);
/* One page of store_user_list: at most limit (1..1000) users of root's subtree whose
 * username sorts after after_username ("" = from the start), ordered by username. */
int store_user_page(struct store *st, const char *root, const char *after_username, int limit,
                    struct user_list *out);

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
/* ---- disputes and deliberation councils (SPEC sections 6, 7; store_sqlite_disputes.c) ---- */

#define DISPUTE_REC_TEXT_MAX 4000

/* One dispute. Enumerations are kept as the stable names of domain/dispute.h. */
struct dispute_rec {
    int64_t id;
    char area_code[19];
    char title[129];
    char type[24];
    char risk[12];
    char state[16];
    char outcome[24];
    int level; /* area level holding it (domain/dispute.h) */
    char summary[DISPUTE_REC_TEXT_MAX + 1];
    int64_t case_id;       /* the case it started from; 0 if none */
    char parties_key[200]; /* the parties, normalised, to find recurrences (service-defined) */
    int64_t recurrence_of; /* an earlier dispute between the same parties; 0 if none */
    int mediator_count, session_count, follow_up_count;
    int64_t created_by;
    int64_t found_ms, created_ms, updated_ms, closed_ms;
    int64_t event_seq; /* events so far */
};

struct dispute_list {
    struct dispute_rec *items; /* owned */
    size_t len;
};
void dispute_list_cleanup(struct dispute_list *list);

struct dispute_filter {
    const char *area;  /* subtree root (required) */
    const char *state; /* "" or NULL: any */
    const char *type;
    int64_t case_id;        /* 0: any */
    int64_t from_ms, to_ms; /* found in [from, to); 0 = open-ended */
    int64_t before_id;      /* keyset: ids below this (0 = from the newest) */
    int limit;              /* 1..1000 */
};

/* A party: a person of the base data, an organisation, or an outsider named in free text. */
struct dispute_party {
    int64_t dispute_id;
    int seq;
    char kind[16]; /* person | organisation | outsider */
    int64_t person_id;
    int64_t organisation_id;
    char name[64];
    char side[16]; /* applicant | respondent | other */
};

struct dispute_party_list {
    struct dispute_party *items; /* owned */
    size_t len;
};
void dispute_party_list_cleanup(struct dispute_party_list *list);

struct dispute_mediator {
    int64_t dispute_id;
    int seq;
    char role[24]; /* domain/dispute.h MEDIATOR_ROLE_MAP name */
    char name[64];
    int64_t user_id; /* 0 when the mediator has no account */
    int64_t assigned_ms;
};

struct dispute_mediator_list {
    struct dispute_mediator *items; /* owned */
    size_t len;
};
void dispute_mediator_list_cleanup(struct dispute_mediator_list *list);

/* A mediation session or a follow-up visit. */
enum dispute_entry_kind { DISPUTE_ENTRY_SESSION, DISPUTE_ENTRY_FOLLOW_UP };

struct dispute_entry {
    int64_t dispute_id;
    int seq;
    int64_t at_ms;
    int64_t user_id;
    char text[DISPUTE_REC_TEXT_MAX + 1];
};

struct dispute_entry_list {
    struct dispute_entry *items; /* owned */
    size_t len;
};
void dispute_entry_list_cleanup(struct dispute_entry_list *list);

/* One event of a dispute's or topic's log (who, when, what, why). */
struct gov_event {
    int64_t owner_id; /* dispute or topic id */
    int64_t seq;
    int64_t at_ms;
    int64_t actor_user_id;
    char actor_role[32];
    char action[24];
    char from_state[16];
    char to_state[16];
    char *payload; /* owned JSON text */
};

struct gov_event_list {
    struct gov_event *items; /* owned */
    size_t len;
};
void gov_event_list_cleanup(struct gov_event_list *list);

/* Counts of disputes found in a subtree and period, per type. */
struct dispute_stats_row {
    char type[24];
    int64_t found;     /* registered in the period */
    int64_t mediated;  /* with at least one mediation session */
    int64_t concluded; /* ended: agreement, concluded, referred or withdrawn */
    int64_t success;   /* ended in an agreement or concluded (调结) */
    int64_t recurrences;
};
typedef int (*store_dispute_stats_fn)(void *ctx, const struct dispute_stats_row *row);

/* Insert (write); sets d->id. */
int store_dispute_insert(struct store *st, struct dispute_rec *d);
/* Update what actions change (state, outcome, level, counts, updated/closed, event_seq) if
 * the stored event_seq is expected_seq (write); ERR_CONFLICT otherwise, ERR_NOT_FOUND. */
int store_dispute_update(struct store *st, const struct dispute_rec *d, int64_t expected_seq);
int store_dispute_get(struct store *st, int64_t id, struct dispute_rec *out);
/* Disputes matching f, newest first (id descending). */
int store_dispute_list(struct store *st, const struct dispute_filter *f, struct dispute_list *out);
/* The most recent earlier dispute (id < before_id) with this parties_key, in *id (0 if none). */
int store_dispute_find_recurrence(struct store *st, const char *parties_key, int64_t before_id,
                                  int64_t *id);
/* Add a party / a mediator (write); seq is assigned (1, 2, ...). */
int store_dispute_party_add(struct store *st, struct dispute_party *p);
int store_dispute_parties(struct store *st, int64_t dispute_id, struct dispute_party_list *out);
int store_dispute_mediator_add(struct store *st, struct dispute_mediator *m);
int store_dispute_mediators(struct store *st, int64_t dispute_id,
                            struct dispute_mediator_list *out);
/* 1 in *is_mediator if user_id is one of the dispute's mediators. */
int store_dispute_is_mediator(struct store *st, int64_t dispute_id, int64_t user_id,
                              int *is_mediator);
/* Sessions and follow-up visits, in order (write / read); seq is assigned. */
int store_dispute_entry_add(struct store *st, enum dispute_entry_kind kind,
                            struct dispute_entry *e);
int store_dispute_entries(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                          struct dispute_entry_list *out);
/* The dispute's log (write: ERR_CONFLICT if (id, seq) exists). */
int store_dispute_event_append(struct store *st, const struct gov_event *e);
int store_dispute_events(struct store *st, int64_t dispute_id, struct gov_event_list *out);
/* Per type, disputes under area found in [from_ms, to_ms) (0 = open-ended); fn per type
 * with at least one dispute, ordered by type. */
int store_dispute_stats(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                        store_dispute_stats_fn fn, void *ctx);

/* A village's deliberation council. */
struct council_rec {
    int64_t id;
    char area_code[19]; /* the village (community level) */
    char name[129];
    int min_cosigners; /* for residents' topics */
    int64_t term_start_ms, term_end_ms;
    int64_t created_ms;
};

struct council_list {
    struct council_rec *items; /* owned */
    size_t len;
};
void council_list_cleanup(struct council_list *list);

struct council_member_rec {
    int64_t id;
    int64_t council_id;
    int64_t person_id; /* 0 if not in the base data */
    int64_t user_id;   /* 0 if the member has no account */
    char name[64];
    char position[16]; /* chair | member | supervisor (村务监督委员会) */
    int64_t term_start_ms, term_end_ms;
};

struct council_member_list {
    struct council_member_rec *items; /* owned */
    size_t len;
};
void council_member_list_cleanup(struct council_member_list *list);

/* A topic; vote figures are totals only (ballots are never served one by one). */
struct topic_rec {
    int64_t id;
    int64_t council_id;
    char area_code[19]; /* the council's village */
    char title[129];
    char description[DISPUTE_REC_TEXT_MAX + 1];
    char proposer[16];   /* committees | residents */
    int64_t proposed_by; /* user id */
    char vote_kind[16];  /* council | households | adults */
    int is_secret;       /* secret ballot */
    char state[16];
    int is_published;
    int cosigners, opinions, tasks, open_tasks, notes;
    int vote_eligible, vote_present, vote_yes, vote_no, vote_abstain;
    int is_quorate, is_passed, quorum_needed, majority_needed;
    int64_t case_id; /* a case the topic came from; 0 if none */
    int64_t created_ms, updated_ms, voted_ms, done_ms;
    int64_t event_seq;
};

struct topic_list {
    struct topic_rec *items; /* owned */
    size_t len;
};
void topic_list_cleanup(struct topic_list *list);

struct topic_filter {
    const char *area;   /* subtree root (required) */
    int64_t council_id; /* 0: any */
    const char *state;  /* "" or NULL: any */
    int is_published_only;
    int64_t before_id;
    int limit; /* 1..1000 */
};

/* A co-signer, a consultation opinion, an execution task or a supervision note of a topic. */
enum topic_entry_kind {
    TOPIC_ENTRY_COSIGNER, /* user_id, name */
    TOPIC_ENTRY_OPINION,  /* member_id, household_id, text (the opinion), stance */
    TOPIC_ENTRY_TASK,     /* text (what), owner, due_ms, done_ms */
    TOPIC_ENTRY_NOTE,     /* user_id, text, stance = "note" or "sign_off" */
};

struct topic_entry {
    int64_t id;
    int64_t topic_id;
    int64_t user_id;
    int64_t member_id;
    int64_t household_id;
    char name[64];
    char owner[64];
    char stance[16]; /* opinion: support | oppose | neutral; note: note | sign_off */
    char text[DISPUTE_REC_TEXT_MAX + 1];
    int64_t at_ms, due_ms, done_ms;
};

struct topic_entry_list {
    struct topic_entry *items; /* owned */
    size_t len;
};
void topic_entry_list_cleanup(struct topic_entry_list *list);

int store_council_insert(struct store *st, struct council_rec *c);
int store_council_get(struct store *st, int64_t id, struct council_rec *out);
/* Councils whose village is in area's subtree, by area code. */
int store_council_list(struct store *st, const char *area, struct council_list *out);
/* Add a member (write); ERR_EXISTS if the user or person is already a member with the same
 * position. */
int store_council_member_add(struct store *st, struct council_member_rec *m);
int store_council_members(struct store *st, int64_t council_id, struct council_member_list *out);

int store_topic_insert(struct store *st, struct topic_rec *t);
/* Update state, publication, counts, vote figures, times and event_seq if the stored
 * event_seq is expected_seq (write); ERR_CONFLICT otherwise. */
int store_topic_update(struct store *st, const struct topic_rec *t, int64_t expected_seq);
int store_topic_get(struct store *st, int64_t id, struct topic_rec *out);
/* Newest first (id descending). */
int store_topic_list(struct store *st, const struct topic_filter *f, struct topic_list *out);
/* Add an entry (write); sets e->id. A co-signer twice (same topic and user) is ERR_EXISTS. */
int store_topic_entry_add(struct store *st, enum topic_entry_kind kind, struct topic_entry *e);
/* Mark a task done at done_ms (write); ERR_NOT_FOUND unless it is an open task of the topic. */
int store_topic_task_done(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms);
int store_topic_entries(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                        struct topic_entry_list *out);
/* A meeting of the council on a topic with the members present (write); sets *meeting_id. */
int store_topic_meeting_add(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                            const int64_t *member_ids, size_t n_present, int64_t *meeting_id);
/* The latest meeting's attendance count (0 and *meeting_id 0 if none). */
int store_topic_meeting_latest(struct store *st, int64_t topic_id, int64_t *meeting_id,
                               int *present);
/* 1 in *attended if the member is on the meeting's attendance. */
int store_topic_attended(struct store *st, int64_t meeting_id, int64_t member_id, int *attended);
/* A ballot (write): voter_key identifies the voter (e.g. "m:12" for a member), choice yes |
 * no | abstain. ERR_EXISTS if that voter already voted on the topic. A secret ballot records
 * that the voter voted and, apart, one more for the choice: nothing links the two. */
int store_topic_ballot_add(struct store *st, int64_t topic_id, const char *voter_key,
                           const char *choice, int is_secret, int64_t at_ms);
/* Totals of the topic's ballots; individual ballots are never read back. */
int store_topic_ballot_totals(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain);
int store_topic_event_append(struct store *st, const struct gov_event *e);
int store_topic_events(struct store *st, int64_t topic_id, struct gov_event_list *out);
/* Voters of a village subtree for a villagers' vote: registered-family households, and
 * registered persons born on or before adult_born_by (YYYY-MM-DD). */
int store_village_voters(struct store *st, const char *area, const char *adult_born_by,
                         int64_t *households, int64_t *adults);
/* ---- indicator roll-ups (indicators module: store_sqlite_rollups.c) -------------------------
 * Counters per cell (level, area, day, category): level and area name one area of a case's
 * path, day is YYYYMMDD in city time, category the case's code. What a counter means is
 * domain/indicators.h's business; here they are additive numbers (base/rollup_fields.h). */

/* The live roll-ups, or the scratch copy `rollups verify` recounts into. */
enum rollup_table { ROLLUP_LIVE, ROLLUP_CHECK };

/* Add d to one cell of table t (write), creating it at zero first: one prepared upsert, plus
 * one per non-zero histogram bucket of d. */
int store_rollup_add(struct store *st, enum rollup_table t, int level, const char *area, int day,
                     const char *category, const struct rollup_counters *d);
/* One cell's delta for store_rollup_add_many. */
struct rollup_cell {
    int level, day;
    char area[19];
    char category[16];
    struct rollup_counters d;
};
/* store_rollup_add for each of cells[0..n-1] (write), in one statement where the backend can
 * (PostgreSQL: one multi-row upsert per few hundred cells instead of a round trip per cell). A
 * cell may appear more than once: its deltas add up (summed in memory first, so each distinct
 * cell is written once). cells is only read. */
int store_rollup_add_many(struct store *st, enum rollup_table t, const struct rollup_cell *cells,
                          size_t n);
/* Delete every cell of table t (write). */
int store_rollup_clear(struct store *st, enum rollup_table t);
/* Number of cells (counters or non-zero histogram buckets) that differ between the live
 * table and the check table; 0 when they are equal. */
int store_rollup_diff(struct store *st, int64_t *cells_differing);

/* How store_rollup_sum groups: one total; per day; per category; per child area. */
enum rollup_group { ROLLUP_BY_TOTAL, ROLLUP_BY_DAY, ROLLUP_BY_CATEGORY, ROLLUP_BY_CHILD };
/* One group of a sum: key is the day (BY_DAY), the category code (BY_CATEGORY) or the child
 * area code (BY_CHILD), "" / 0 otherwise. Borrowed for the call; nonzero stops the walk. */
typedef int (*store_rollup_fn)(void *ctx, const char *key, int day,
                               const struct rollup_counters *sum);
/*
 * Sum the live cells of area (of level `level`) for days from_day..to_day (both included),
 * restricted to categories starting with category_prefix ("" = all), grouped by g in key
 * order; BY_CHILD sums the cells of the areas of level child_level under area. Groups without
 * any cell are not reported (BY_TOTAL reports nothing for an empty selection).
 */
int store_rollup_sum(struct store *st, int level, const char *area, int child_level, int from_day,
                     int to_day, const char *category_prefix, enum rollup_group g,
                     store_rollup_fn fn, void *ctx);
/*
 * Every case event with its case's fixed fields, ordered by case then seq, for a recount: c
 * has only id, area_code, category, channel, urgency, created_ms and resolve_due_ms set. Both
 * are borrowed for the call; fn returning nonzero stops.
 */
typedef int (*store_rollup_event_fn)(void *ctx, const struct case_event *e,
                                     const struct case_rec *c);
int store_rollup_event_walk(struct store *st, store_rollup_event_fn fn, void *ctx);
/* ---- Idempotency keys of case reports (api_cases.c, the web's offline queue) ------------- */

#define CASE_REPORT_KEY_MAX 64

/* Remember that user_id's report with key made case_id. ERR_EXISTS when the user already used
 * the key (the caller's transaction then rolls back and the first case stands). */
int store_case_report_key_insert(struct store *st, int64_t user_id, const char *key,
                                 int64_t case_id, int64_t now_ms);
/* The case user_id's report with key made, or ERR_NOT_FOUND. */
int store_case_report_key_get(struct store *st, int64_t user_id, const char *key, int64_t *case_id);

/* ---- The grid worker's app and user administration (issue 8, api_users.c, api_fieldwork.c) */

/* Disable (is_disabled 1) or enable (0) a user's account (write). ERR_NOT_FOUND. A disabled
 * user cannot log in and no session of theirs authenticates (auth.c). */
int store_user_set_disabled(struct store *st, int64_t id, int is_disabled);
/* Remember that user_id's visit with key (a client's Idempotency-Key, 1..CASE_REPORT_KEY_MAX
 * characters) made visit_id. ERR_EXISTS when the user already used the key (the caller's
 * transaction then rolls back and the first visit stands). */
int store_visit_key_insert(struct store *st, int64_t user_id, const char *key, int64_t visit_id,
                           int64_t now_ms);
/* The visit user_id's request with key made, or ERR_NOT_FOUND. */
int store_visit_key_get(struct store *st, int64_t user_id, const char *key, int64_t *visit_id);

/* ---- Open311: API keys and the details of requests made through it (api_open311.c) ------ */

#define API_KEY_NAME_MAX 64

/* A client's API key. Only the hash of the key is stored (like session tokens). */
struct api_key {
    int64_t id;
    char name[API_KEY_NAME_MAX + 1]; /* the client, unique */
    char key_hash[65];               /* hex hash of the key (auth_token_hash) */
    int64_t user_id;                 /* the account the client acts as for updates; 0 none */
    int64_t created_ms;
};

struct api_key_list {
    struct api_key *items; /* owned */
    size_t len;
};

void api_key_list_cleanup(struct api_key_list *list);
/* Insert (write); sets k->id. ERR_EXISTS when the name is taken. */
int store_api_key_insert(struct store *st, struct api_key *k);
/* ERR_NOT_FOUND when no key has this hash. */
int store_api_key_get_by_hash(struct store *st, const char *key_hash, struct api_key *out);
/* Every key, by name. */
int store_api_key_list(struct store *st, struct api_key_list *out);

/* What an Open311 POST brought beyond the case itself. */
struct open311_request {
    int64_t case_id;
    char token[40];        /* returned by batch services, resolved by tokens/{token} */
    int64_t api_key_id;    /* the client that posted it */
    char service_name[97]; /* the service's name as the client saw it */
    char email[129];
    char device_id[65];
    char account_id[65];
    char media_url[512]; /* a picture the client hosts itself, "" if none */
    char *attributes;    /* owned JSON object text: attribute code -> string or list */
    int64_t created_ms;
};

void open311_request_cleanup(struct open311_request *r);
/* Insert (write), normally inside the case report's transaction. ERR_EXISTS for a taken
 * token or case. */
int store_open311_request_insert(struct store *st, const struct open311_request *r);
/* ERR_NOT_FOUND when the case did not come through Open311 / the token is unknown. */
int store_open311_request_get(struct store *st, int64_t case_id, struct open311_request *out);
int store_open311_request_by_token(struct store *st, const char *token,
                                   struct open311_request *out);

#define OPEN311_FILTER_CODES 32

/* A GeoReport listing: cases created in [from_ms, to_ms), newest first. */
struct open311_filter {
    const char *codes[OPEN311_FILTER_CODES]; /* category codes (exact); n_codes 0 = all */
    int n_codes;
    const char *statuses[16]; /* NULL-terminated; empty = all */
    int64_t from_ms, to_ms;
    int64_t offset; /* rows to skip (page/page_size) */
    int limit;      /* 1..1000 */
};

/* The ids of the matching cases into ids (room for f->limit), *n how many. */
int store_open311_case_ids(struct store *st, const struct open311_filter *f, int64_t *ids,
                           size_t *n);
/* The case (*case_id) a request picture belongs to: an attachment of a case reported through
 * Open311. ERR_NOT_FOUND for any other attachment. */
int store_open311_media_case(struct store *st, const char *hash, int64_t *case_id);
/* For history imports (import311.c): the highest outbox id so far (0 when empty), and mark
 * delivered (write) every undelivered message after after_id, i.e. the notices the import
 * itself queued, which describe the past and must not reach a webhook. */
int store_outbox_last_id(struct store *st, int64_t *out);
int store_outbox_mark_delivered_after(struct store *st, int64_t after_id, int64_t now_ms);
/* The ids of cases with an event at [from_ms, to_ms), by their latest such event, newest
 * first, skipping offset, at most limit (room in ids). */
int store_open311_updated_case_ids(struct store *st, int64_t from_ms, int64_t to_ms, int64_t offset,
                                   int limit, int64_t *ids, size_t *n);
/* FixMyStreet updates (POST servicerequestupdates) carry the client's update_id: the event an
 * update made is recorded under (client's key, update_id) in the update's transaction (write;
 * ERR_EXISTS when taken), so the same update posted again is found (ERR_NOT_FOUND if not). */
int store_open311_update_key_insert(struct store *st, int64_t api_key_id, const char *update_id,
                                    int64_t case_id, int64_t event_seq, int64_t now_ms);
int store_open311_update_key_get(struct store *st, int64_t api_key_id, const char *update_id,
                                 int64_t *case_id, int64_t *event_seq);

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

/* ---- copying a whole database between backends (store_copy.c: gridgov migrate) ---- */

/* Progress of a copy: rows done of total so far, the table being copied. */
typedef void (*store_copy_progress_fn)(void *ctx, const char *table, int64_t done, int64_t total);

struct store_copy_result {
    int64_t tables; /* tables copied and verified */
    int64_t rows;   /* rows copied (meta aside) */
};

/*
 * Copy every row of the database at from_url into the new or empty database at to_url, one
 * of them SQLite and the other PostgreSQL (either way), both at this gridgov's schema version.
 * The source is read in one snapshot, so it may keep serving; the target is written in one
 * transaction (all or nothing) and refused when it already holds data (ERR_EXISTS). Row
 * counts are compared table by table before committing; text indexes are rebuilt on the
 * target; the indicator roll-ups are marked stale there (meta rollups_stale), for the service
 * layer to rebuild from the events (service_ctx_open does). fn (may be NULL) is called as rows
 * go.
 */
int store_copy(const char *from_url, const char *to_url, store_copy_progress_fn fn, void *fn_ctx,
               struct store_copy_result *res, struct errbuf *eb);
/* ---- volunteers, needs, posts, hours, chiefs (issue 5, SPEC section 8:
 *      store_sqlite_volunteers.c) ------------------------------------------------------------ */

#define VOLUNTEER_NAME_MAX 64
#define NEED_TITLE_MAX     128
#define POST_DUTIES_MAX    1000
#define POST_DUTY_MAX      200
#define HOURS_NOTE_MAX     200

struct volunteer_rec {
    int64_t id;
    char area_code[19]; /* the cell (or any area) the volunteer belongs to */
    int64_t person_id;  /* the base-data person, 0 when none */
    int64_t user_id;    /* the volunteer's login, 0 when none */
    char name[VOLUNTEER_NAME_MAX + 1];
    char skills[VOL_SKILLS_TEXT_MAX]; /* text form, domain/volunteer.h */
    int64_t availability;             /* bit set, domain/volunteer.h */
    int has_home;
    double lon, lat; /* home, WGS84 */
    char status[12]; /* enum volunteer_status name */
    int64_t created_ms, updated_ms;
};
/* Insert (write); sets v->id. */
int store_volunteer_insert(struct store *st, struct volunteer_rec *v);
/* Replace every field but id and created_ms (write). ERR_NOT_FOUND. */
int store_volunteer_update(struct store *st, const struct volunteer_rec *v);
/* ERR_NOT_FOUND. */
int store_volunteer_get(struct store *st, int64_t id, struct volunteer_rec *out);
struct volunteer_filter {
    const char *area;   /* subtree (required) */
    const char *status; /* NULL: any */
    const char *skill;  /* a skill code the volunteer holds (any level); NULL: any */
    int64_t after_id;   /* keyset: ids above this, ascending */
    int limit;          /* 1..10000 */
};
typedef int (*store_volunteer_fn)(void *ctx, const struct volunteer_rec *v);
/* Volunteers matching f in id order; a nonzero return of fn stops and is returned. */
int store_volunteer_list(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                         void *ctx);
typedef int (*store_load_fn)(void *ctx, int64_t volunteer_id, int64_t minutes, int64_t assignments);
/* The load of every volunteer in area's subtree who has any since since_ms: minutes logged for
 * days from since_ms on, and need assignments made from since_ms on; in volunteer id order. */
int store_volunteer_loads(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                          void *ctx);

struct need_rec {
    int64_t id;
    char source[12];   /* enum need_source name */
    int64_t source_id; /* the case or post; 0 for a service request */
    char title[NEED_TITLE_MAX + 1];
    char area_code[19];
    int has_point;
    double lon, lat;
    double radius_m;                  /* volunteers farther away are not matched */
    char skills[VOL_SKILLS_TEXT_MAX]; /* required, text form */
    int64_t starts_ms;
    int64_t duration_min;
    int64_t wanted;   /* volunteers wanted, >= 1 */
    int64_t assigned; /* volunteers assigned so far */
    char status[12];  /* "open" until assigned == wanted, then "filled" */
    int64_t created_by, created_ms;
};
/* Insert (write); sets n->id; assigned 0, status "open". */
int store_need_insert(struct store *st, struct need_rec *n);
int store_need_get(struct store *st, int64_t id, struct need_rec *out);
struct need_filter {
    const char *area;   /* subtree (required) */
    const char *status; /* NULL: any */
    int64_t before_id;  /* keyset: newest first, ids below this; 0: from the newest */
    int limit;          /* 1..10000 */
};
typedef int (*store_need_fn)(void *ctx, const struct need_rec *n);
int store_need_list(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx);
/* Assign a volunteer to a need (write): ERR_EXISTS when already assigned, ERR_CONFLICT when
 * the need is filled; counts the assignment and marks the need filled at its number. */
int store_need_assign(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                      int64_t at_ms);
struct need_assignment {
    int64_t need_id, volunteer_id, assigned_by, assigned_ms;
};
typedef int (*store_assignment_fn)(void *ctx, const struct need_assignment *a);
/* The assignments of a need in the order they were made. */
int store_need_assignments(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx);

struct post_rec {
    int64_t id;
    char area_code[19];
    char kind[24]; /* enum post_kind name */
    char name[129];
    char duties[POST_DUTIES_MAX + 1];
    int64_t created_by, created_ms;
};
int store_post_insert(struct store *st, struct post_rec *p);
int store_post_get(struct store *st, int64_t id, struct post_rec *out);
typedef int (*store_post_fn)(void *ctx, const struct post_rec *p);
/* Posts in area's subtree, by id. */
int store_post_list(struct store *st, const char *area, store_post_fn fn, void *ctx);

struct post_member {
    int64_t id;
    int64_t post_id;
    int64_t member_id;
    int64_t since_ms;
    int64_t minutes;      /* read only: every minute logged for this member at this post */
    int64_t entries;      /* read only: entries logged */
    char member_kind[12]; /* "volunteer" | "person" (with member_id: who) */
    char duty[POST_DUTY_MAX + 1];
};
/* Add a member to a post (write); sets m->id. ERR_EXISTS when already a member of it. */
int store_post_member_add(struct store *st, struct post_member *m);
/* ERR_NOT_FOUND. */
int store_post_member_get(struct store *st, int64_t id, struct post_member *out);
typedef int (*store_member_fn)(void *ctx, const struct post_member *m);
/* The members of a post with their totals, by id. */
int store_post_members(struct store *st, int64_t post_id, store_member_fn fn, void *ctx);

struct hours_rec {
    int64_t id;
    int64_t post_id;
    int64_t member_id; /* the post_member row */
    char member_kind[12];
    int64_t person_key; /* the volunteer or person id (with member_kind: who worked) */
    int64_t day_ms;     /* local midnight of the day worked */
    int64_t minutes;
    char note[HOURS_NOTE_MAX + 1];
    int64_t logged_by, created_ms;
};
/* Insert (write); sets h->id. */
int store_hours_insert(struct store *st, struct hours_rec *h);
/* Minutes logged on day_ms for (member_kind, person_key) at every post. */
int store_hours_day_total(struct store *st, const char *member_kind, int64_t person_key,
                          int64_t day_ms, int64_t *minutes);
typedef int (*store_hours_total_fn)(void *ctx, int64_t post_id, int64_t minutes, int64_t entries);
/* Totals of (member_kind, person_key) per post for days in [from_ms, to_ms) (0: open), by
 * post id. */
int store_hours_totals(struct store *st, const char *member_kind, int64_t person_key,
                       int64_t from_ms, int64_t to_ms, store_hours_total_fn fn, void *ctx);

struct chief_rec {
    int64_t id;
    char kind[12];       /* enum chief_kind name */
    char area_code[19];  /* the cell the chief answers for */
    int64_t building_id; /* the base-data building, 0 when none */
    int64_t person_id;   /* the base-data person, 0 when none */
    int64_t user_id;     /* the chief's login (role chief), 0 when none */
    char name[VOLUNTEER_NAME_MAX + 1];
    int64_t created_ms;
};
int store_chief_insert(struct store *st, struct chief_rec *c);
int store_chief_get(struct store *st, int64_t id, struct chief_rec *out);
typedef int (*store_chief_fn)(void *ctx, const struct chief_rec *c);
/* Chiefs in area's subtree, by id. */
int store_chief_list(struct store *st, const char *area, store_chief_fn fn, void *ctx);
/* A chief's relayed cases are field_case_links with source "chief". */
/* ---- ratings and surveys (ratings module, issue 7: store_sqlite_ratings.c) -------------------
 * Questionnaires of resident surveys, their responses (scores computed by domain/survey.c at
 * insert) and the yearly star ratings of communities. Days are YYYYMMDD integers. */

#define SURVEY_TITLE_BUF 401

struct survey_rec {
    int64_t id;
    char title[SURVEY_TITLE_BUF];
    char area[19]; /* the subtree it is held in: responses come from inside it */
    int year, quarter;
    int opens_day, closes_day; /* inclusive */
    char *definition;          /* JSON of the questionnaire: owned when read (cleanup),
                                  borrowed for insert; NULL in store_survey_list */
    int64_t created_by;        /* user id */
    int64_t created_ms;
};
void survey_rec_cleanup(struct survey_rec *s);
/* Insert s (write); sets s->id. */
int store_survey_insert(struct store *st, struct survey_rec *s);
/* One survey with its definition; ERR_NOT_FOUND. */
int store_survey_get(struct store *st, int64_t id, struct survey_rec *out);
typedef int (*store_survey_fn)(void *ctx, const struct survey_rec *s);
/* Every survey (without definition), newest first, at most limit. */
int store_survey_list(struct store *st, int limit, store_survey_fn fn, void *ctx);

/* The score columns of a response, in order (domain/survey.h enum survey_score_kind). */
#define SURVEY_SCORES 3

struct survey_response_rec {
    int64_t survey_id;
    char respondent[65];         /* hex hash of the respondent key */
    char area[19];               /* the respondent's area (grid or cell) */
    const char *answers;         /* borrowed JSON text: {"question id": answer, ...} */
    double score[SURVEY_SCORES]; /* NAN is stored as NULL */
    char source[8];              /* "web" or "csv" */
    int64_t created_ms;
};
/* Insert a response (write); ERR_EXISTS when this respondent already answered this survey. */
int store_survey_response_insert(struct store *st, const struct survey_response_rec *r);

struct survey_sums {
    int64_t responses;
    double sum[SURVEY_SCORES];    /* of the non-NULL scores */
    int64_t count[SURVEY_SCORES]; /* non-NULL scores */
};
typedef int (*store_survey_sums_fn)(void *ctx, const char *key, const struct survey_sums *s);
/*
 * Sums of the scores of the responses whose area lies in area's subtree, grouped by the first
 * key_len characters of the response's area (key_len = strlen(area): one row, the total; the
 * length of the child level: one row per child), in key order; groups without responses are
 * not called. survey_id > 0: that survey's responses; 0: the responses of every survey whose
 * period overlaps from_day..to_day.
 */
int store_survey_sums(struct store *st, int64_t survey_id, int from_day, int to_day,
                      const char *area, int key_len, store_survey_sums_fn fn, void *ctx);

struct star_rating_rec {
    int year;
    char area[19];
    double score;        /* composite score of the year; NAN stored as NULL */
    double survey_score; /* the year's survey score; NAN when none or suppressed */
    int64_t survey_responses;
    int stars;              /* 0 (not rated: no data) .. 5 */
    const char *components; /* JSON of the sub-scores: borrowed (insert, and in callbacks) */
    int64_t rated_by;
    int64_t rated_ms;
};
/* Insert one rating (write); ERR_EXISTS when the area already has one for the year. */
int store_star_rating_insert(struct store *st, const struct star_rating_rec *r);
/* Number of ratings of year for areas in area's subtree. */
int store_star_rating_count(struct store *st, int year, const char *area, int64_t *out);
typedef int (*store_star_fn)(void *ctx, const struct star_rating_rec *r);
/* The ratings of year for areas in area's subtree, in area order. */
int store_star_rating_list(struct store *st, int year, const char *area, store_star_fn fn,
                           void *ctx);

/* ---- task lists: households that may be due for a visit (store_*_tasks.c) ------------------ */

/*
 * The households in area's subtree whose visit base -- the last visit (any time), or created_ms
 * when never visited -- is at most base_max_ms; kind non-NULL: of that household kind only;
 * tagged: only those with at least one active member carrying a tag. Each as a visit_state
 * exactly as store_visit_states (before_ms 0) gives it (last visit, members' tags), by id.
 * Served by indexes on the base (migration 15), so the work follows the number of households
 * found, not the size of the area. A nonzero return of fn stops.
 */
int store_visit_due(struct store *st, const char *area, const char *kind, int tagged,
                    int64_t base_max_ms, store_visit_state_fn fn, void *ctx);

/* ---- the request path's reads (intake: store_sqlite_intake.c, store_pg_intake.c) ---------- */

/*
 * The live session of a token (expires_ms > now_ms) and its user, in one statement (each
 * request's authentication): ERR_NOT_FOUND when there is no such session or its user is gone.
 * Whether the user may still sign in (is_disabled) is the caller's to decide, as with
 * store_session_get followed by store_user_get.
 */
int store_session_user_get(struct store *st, const char *token_hash, int64_t now_ms,
                           struct session *sess, struct user *user);
/* The integer values of two meta keys in one statement, a missing key reading as 0 (as
 * store_areas_version reads its key): for what is checked on every request, such as the
 * rules' and the areas' versions (service_ctx_versions). */
#define STORE_AREAS_VERSION_KEY "areas_version" /* the key store_areas_version reads */
int store_meta_get_int_pair(struct store *st, const char *key1, const char *key2, int64_t *v1,
                            int64_t *v2);

#endif
