/*
 * basedata.h - the base-data use cases (SPEC section 3, 一户一档): create, change, read,
 * list, search and delete persons, households, buildings, organisations and facilities; the
 * household file; the access log; bulk import and export; retention.
 *
 * Personal data (ID numbers, phones): validated (domain/idcard.h), then stored encrypted with
 * the key of the key file (base/secret.h), with a keyed hash for exact lookup and a masked
 * form for display. A read is masked unless the caller asks to reveal with a reason and their
 * role holds CAP_PERSON_PII; every revealed record writes one access-log entry (who, whom,
 * when, which fields, why) in the same transaction as nothing else -- a reveal that cannot be
 * logged is refused.
 *
 * Scope: every record lies in an area (its cell); the caller needs CAP_PERSON_READ (reads) or
 * CAP_PERSON_WRITE (writes) over it (domain/access.h). A reference (a person's household) must
 * point at a record the caller may see.
 */
#ifndef GRIDGOV_SERVICE_BASEDATA_H
#define GRIDGOV_SERVICE_BASEDATA_H

#include "base/error.h"
#include "domain/access.h"
#include "domain/basedata.h"
#include "store/store.h"

#include <stdint.h>
#include <stdio.h>

struct service_ctx;
struct secret_key;

#define BASEDATA_PAGE_MAX   1000
#define BASEDATA_REASON_MAX 255

/* A create or change. value[i] is the new text of field i when given[i] (NULL or "" clears
 * it); fields not given keep their stored value (all absent on create). Strings borrowed. */
struct bd_change {
    const char *area_code; /* required on create; NULL keeps the stored area */
    const char *value[BD_FIELDS_MAX];
    unsigned char given[BD_FIELDS_MAX];
    int64_t now_ms;
};

/* A request to see personal fields unmasked. */
struct bd_reveal {
    const char *reason; /* 2..BASEDATA_REASON_MAX bytes: why (logged) */
    int64_t now_ms;
};

/* A record as the caller may see it: plain[i] is the decrypted value of personal field i
 * when revealed (else NULL; show rec.v[i].masked). Owned; bd_view_cleanup. */
struct bd_view {
    struct bd_record rec;
    char *plain[BD_FIELDS_MAX];
};
void bd_view_cleanup(struct bd_view *v);

/* Create (id 0) or change (id > 0) a record (write). On create with the kind's natural key
 * naming an existing record, ERR_EXISTS (imports update instead). Fills *out (may be NULL;
 * masked). Errors: ERR_INVALID naming the field, ERR_NOT_FOUND (record, area, reference),
 * ERR_FORBIDDEN, ERR_CONFLICT, ERR_EXISTS. */
int basedata_put(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind, int64_t id,
                 const struct bd_change *in, struct bd_view *out, struct errbuf *eb);

/* Read one record, masked, or revealed (logged) when reveal is not NULL. */
int basedata_get(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind, int64_t id,
                 const struct bd_reveal *reveal, struct bd_view *out, struct errbuf *eb);

/* Delete (write). ERR_CONFLICT while other records refer to it. */
int basedata_delete(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind,
                    int64_t id, struct errbuf *eb);

struct bd_query {
    enum bd_kind kind;
    const char *area;      /* subtree; NULL: the caller's scope */
    int64_t household_id;  /* persons of a household */
    int64_t building_id;   /* records in a building */
    const char *tag;       /* persons with a care/attention tag */
    const char *id_number; /* exact ID number (found by its keyed hash) */
    const char *phone;     /* exact phone */
    const char *q;         /* text in any searchable field */
    int64_t after_id;      /* keyset cursor */
    int limit;             /* 1..BASEDATA_PAGE_MAX */
};
typedef int (*bd_view_fn)(void *ctx, struct bd_view *v); /* v is cleaned up after the call */
/* List records in id order; reveal as in basedata_get (one log entry per revealed record). */
int basedata_list(struct service_ctx *ctx, const struct principal *p, const struct bd_query *q,
                  const struct bd_reveal *reveal, bd_view_fn fn, void *fctx, struct errbuf *eb);

/* Full-text search over every kind in area (NULL: the caller's scope), 3+ characters. */
int basedata_search(struct service_ctx *ctx, const struct principal *p, const char *area,
                    const char *q, int limit, store_bd_hit_fn fn, void *fctx, struct errbuf *eb);

/* The household file: the household, its members, its building (rec.id 0 when none) and the
 * links of everything that touched it, oldest first. Owned; household_file_cleanup. */
struct household_file {
    struct bd_view household;
    struct bd_view *members;
    size_t n_members;
    struct bd_view building;
    struct household_link *links;
    size_t n_links;
};
void household_file_cleanup(struct household_file *f);
int basedata_household_file(struct service_ctx *ctx, const struct principal *p, int64_t id,
                            const struct bd_reveal *reveal, struct household_file *out,
                            struct errbuf *eb);

/* The access log of subjects in area (NULL: the caller's scope); admins only
 * (CAP_USER_ADMIN). */
int basedata_access_log(struct service_ctx *ctx, const struct principal *p,
                        const struct access_filter *f, store_access_fn fn, void *fctx,
                        struct errbuf *eb);

/*
 * The stored forms of the personal value plain (already normalised) of field `field` of kind:
 * ciphertext, keyed hash and masked form, into out (strings owned by the caller: free them,
 * e.g. with bd_record_cleanup when they sit in a record). For generators that write records
 * themselves (the demo city). ERR_INVALID when the field is not personal.
 */
int basedata_seal(const struct secret_key *key, enum bd_kind kind, int field, const char *plain,
                  struct bd_value *out);

/* ERR_INVALID (with the message users see) unless reason has 2..BASEDATA_REASON_MAX bytes. */
int basedata_check_reason(const char *reason, struct errbuf *eb);

/*
 * Write one access-log entry (write): p read (or, p NULL, the system changed) the personal
 * fields `fields` of subject kind/id in area, for reason (2..BASEDATA_REASON_MAX bytes, checked
 * here; ERR_INVALID otherwise). The caller refuses to reveal anything when this fails.
 */
int basedata_log_access(struct service_ctx *ctx, const struct principal *p, const char *kind,
                        int64_t id, const char *area, const char *fields, const char *reason,
                        int64_t now_ms, struct errbuf *eb);

/* Record that ref (kind "case", "visit", "dispute", ...) touched a household (write), at at_ms,
 * summarised by the start of text. Called in the transaction that writes ref. */
int basedata_link_household(struct store *st, int64_t household_id, const char *kind,
                            int64_t ref_id, int64_t at_ms, const char *text);

/* ---- bulk import and export ----------------------------------------------------------- */

struct bd_import_report {
    int64_t rows;     /* data rows read */
    int64_t created;  /* new records */
    int64_t updated;  /* records found by their natural key and updated */
    int64_t rejected; /* bad rows, skipped */
};
/* Called for every rejected row (line of the file, reason). */
typedef void (*bd_reject_fn)(void *ctx, size_t line, const char *reason);
typedef void (*bd_progress_fn)(void *ctx, int64_t bytes_done);

struct bd_import_options {
    int batch;                  /* rows per transaction (default 20000) */
    bd_reject_fn on_reject;     /* may be NULL */
    bd_progress_fn on_progress; /* may be NULL; called once per batch */
    void *cb_ctx;
    int64_t now_ms;
};

/* A bulk load needs a file of at least this many data rows (see basedata_import). */
#define BD_IMPORT_BULK_MIN_ROWS 20000

/*
 * Import CSV text (UTF-8; the first record is the header of field names or their Chinese
 * labels, plus area_code; a reference may be given by the other kind's natural key, e.g.
 * household_no for a person's household). Every row is validated: a bad one is reported and
 * skipped, good ones land, each batch in one transaction. Rows are idempotent on the kind's
 * natural key (required on import): a re-run updates instead of duplicating, so an import
 * interrupted at any point is completed by running it again; a row repeating the key of an
 * earlier row of the file is rejected, naming that line. Runs as the system (the CLI). Rows
 * are read, validated and sealed on a second thread while this one stores the rows before.
 * ERR_INVALID for a bad header or text that is not UTF-8 (with the hint to convert it).
 *
 * Bulk load: when opt->batch is 0 (not asked for), the file has at least
 * BD_IMPORT_BULK_MIN_ROWS data rows and the table holds at most a quarter as many records as
 * the file has rows, the whole file is loaded in ONE transaction with the table's indexes
 * dropped and rebuilt at the end (store_bd_bulk_begin; a sort instead of a random B-tree
 * insert per row and index). Natural keys are then checked in memory against the records
 * already there and the rows before. A crash or an error
 * leaves the database exactly as before (indexes included), so a re-run starts over. Other
 * writers wait for the load's commit. A backend may decline (PostgreSQL): batches then.
 */
int basedata_import(struct service_ctx *ctx, enum bd_kind kind, const char *text, size_t len,
                    const struct bd_import_options *opt, struct bd_import_report *rep,
                    struct errbuf *eb);

enum bd_export_format { BD_EXPORT_CSV, BD_EXPORT_XLSX };
/*
 * Export the records of kind in area's subtree to path (CSV) -- masked, or revealed for a
 * caller with CAP_PERSON_PII and a reason, logged as one access-log entry for the export.
 * p NULL is the system (CLI; masked unless reveal). Writes a temporary file and renames it.
 */
int basedata_export(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind,
                    const char *area, const struct bd_reveal *reveal, enum bd_export_format fmt,
                    const char *path, int64_t *rows, struct errbuf *eb);

/* ---- retention -------------------------------------------------------------------------- */

struct bd_retention_report {
    int64_t persons;   /* persons anonymised (or, dry run, that would be) */
    int64_t reporters; /* closed cases whose reporter details were cleared */
};
/* Anonymise persons who moved away or died more than cfg->retention_moved_years ago and clear
 * the reporter name and phone of cases closed more than retention_reporter_years ago; each
 * anonymised person is logged in the access log (reason "retention"). Idempotent. */
int basedata_retention(struct service_ctx *ctx, int64_t now_ms, int dry_run,
                       struct bd_retention_report *rep, struct errbuf *eb);

#endif
