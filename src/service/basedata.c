/*
 * basedata.c - the base-data use cases (see basedata.h).
 */
#include "service/basedata.h"

#include "base/csv.h"
#include "base/jsonutil.h"
#include "base/keyset.h"
#include "base/log.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/idcard.h"
#include "service/context.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

void bd_view_cleanup(struct bd_view *v)
{
    if (v == NULL)
        return;
    bd_record_cleanup(&v->rec);
    for (int i = 0; i < BD_FIELDS_MAX; i++)
        secret_plaintext_free(v->plain[i]);
    memset(v, 0, sizeof(*v));
}

void household_file_cleanup(struct household_file *f)
{
    if (f == NULL)
        return;
    bd_view_cleanup(&f->household);
    for (size_t i = 0; i < f->n_members; i++)
        bd_view_cleanup(&f->members[i]);
    free(f->members);
    bd_view_cleanup(&f->building);
    free(f->links);
    memset(f, 0, sizeof(*f));
}

/* The secret context of a personal field: "person.id_number". */
static void field_context(const struct bd_entity *e, const struct bd_field *f, char *out,
                          size_t size)
{
    snprintf(out, size, "%s.%s", e->name, f->name);
}

/* Map a failed access check to the error and message the caller sees. */
static int deny(int r, struct errbuf *eb, const char *what)
{
    if (r == ERR_UNAUTHORIZED)
        return errbuf_set(eb, r, "log in first");
    return errbuf_set(eb, ERR_FORBIDDEN, "%s is outside your area or not for your role", what);
}

/* Copy an area code into a record's cell (19 bytes); ERR_INVALID when it cannot be one. */
static int copy_code(char out[19], const char *code)
{
    size_t n = strlen(code);
    if (n >= 19)
        return ERR_INVALID;
    memcpy(out, code, n + 1);
    return 0;
}

/* ---- personal fields -------------------------------------------------------------------- */

/* Owned strings for the three stored forms of one personal value. */
struct sealed {
    char *text, *hash, *masked;
};

static void sealed_free(struct sealed *s)
{
    free(s->text);
    free(s->hash);
    free(s->masked);
    memset(s, 0, sizeof(*s));
}

static int seal(const struct secret_key *key, struct secret_nonce_pool *pool,
                const struct bd_entity *e, const struct bd_field *f, const char *plain,
                struct sealed *out)
{
    char context[SECRET_CONTEXT_MAX + 1];
    char masked[BD_VALUE_MAX];
    memset(out, 0, sizeof(*out));
    if (plain == NULL || plain[0] == '\0') {
        out->text = xstrdup("");
        out->hash = xstrdup("");
        out->masked = xstrdup("");
        return 0;
    }
    field_context(e, f, context, sizeof(context));
    if (secret_encrypt_pooled(key, pool, plain, context, &out->text) != 0)
        return ERR_INTERNAL;
    out->hash = xmalloc(SECRET_HASH_HEX + 1);
    secret_index_hash(key, plain, context, out->hash);
    if (f->type == BDT_IDCARD)
        mask_idcard(plain, masked);
    else
        mask_phone(plain, masked, sizeof(masked));
    out->masked = xstrdup(masked);
    return 0;
}

/* The keyed hash of a value typed by a user for an exact lookup of field f. */
static int lookup_hash(const struct secret_key *key, const struct bd_entity *e,
                       const struct bd_field *f, const char *typed, char out[SECRET_HASH_HEX + 1],
                       struct errbuf *eb)
{
    char norm[BD_VALUE_MAX], context[SECRET_CONTEXT_MAX + 1];
    int r;
    if ((r = bd_normalize(f, typed, time_now_ms(), norm, eb)) != 0)
        return r;
    field_context(e, f, context, sizeof(context));
    secret_index_hash(key, norm, context, out);
    return 0;
}

/* Decrypt the personal fields of v->rec into v->plain; the names of the revealed fields go to
 * fields ("id_number,phone"). */
static int unseal(const struct secret_key *key, struct bd_view *v, char *fields, size_t size)
{
    const struct bd_entity *e = bd_entity(v->rec.kind);
    char context[SECRET_CONTEXT_MAX + 1];
    size_t len = 0;
    fields[0] = '\0';
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        if (!bd_field_is_personal(f) || v->rec.v[i].text == NULL || v->rec.v[i].text[0] == '\0')
            continue;
        field_context(e, f, context, sizeof(context));
        if (secret_decrypt(key, v->rec.v[i].text, context, &v->plain[i]) != 0)
            return ERR_INTERNAL; /* another key, or an altered row */
        len += (size_t)snprintf(fields + len, size - len, "%s%s", len ? "," : "", f->name);
        if (len >= size)
            len = size - 1;
    }
    return 0;
}

int basedata_check_reason(const char *reason, struct errbuf *eb)
{
    size_t n = reason ? strlen(reason) : 0;
    if (n < 2 || n > BASEDATA_REASON_MAX)
        return errbuf_set(eb, ERR_INVALID,
                          "a reason of 2 to %d bytes is required to see personal data",
                          BASEDATA_REASON_MAX);
    return 0;
}

int basedata_log_access(struct service_ctx *ctx, const struct principal *p, const char *kind,
                        int64_t id, const char *area, const char *fields, const char *reason,
                        int64_t now_ms, struct errbuf *eb)
{
    struct access_entry a;
    struct user u;
    int r;
    if ((r = basedata_check_reason(reason, eb)) != 0)
        return r;
    memset(&a, 0, sizeof(a));
    a.at_ms = now_ms;
    a.user_id = p ? p->user_id : 0;
    snprintf(a.username, sizeof(a.username), "%s",
             p == NULL                                      ? "system"
             : store_user_get(ctx->st, p->user_id, &u) == 0 ? u.username
                                                            : "?");
    snprintf(a.role, sizeof(a.role), "%s", p ? access_role_name(p->role) : "system");
    snprintf(a.subject_kind, sizeof(a.subject_kind), "%s", kind);
    a.subject_id = id;
    snprintf(a.subject_area, sizeof(a.subject_area), "%s", area);
    snprintf(a.fields, sizeof(a.fields), "%s", fields);
    memcpy(a.reason, reason, strlen(reason) + 1);
    if ((r = store_access_log_append(ctx->st, &a)) != 0)
        return errbuf_set(eb, r, "the access log cannot be written, so nothing is revealed");
    return 0;
}

int basedata_link_household(struct store *st, int64_t household_id, const char *kind,
                            int64_t ref_id, int64_t at_ms, const char *text)
{
    struct household_link link;
    memset(&link, 0, sizeof(link));
    link.household_id = household_id;
    snprintf(link.kind, sizeof(link.kind), "%s", kind);
    link.ref_id = ref_id;
    link.at_ms = at_ms;
    utf8_prefix(link.summary, sizeof(link.summary), text ? text : "");
    return store_household_link_add(st, &link);
}

/* Reveal v for p: decrypt and log (one entry). Nothing is logged when v has no personal value. */
static int reveal_record(struct service_ctx *ctx, const struct principal *p,
                         const struct bd_reveal *reveal, struct bd_view *v, struct errbuf *eb)
{
    const struct secret_key *key;
    char fields[64];
    int r;
    if ((r = service_ctx_key(ctx, &key, eb)) != 0)
        return r;
    if ((r = unseal(key, v, fields, sizeof(fields))) != 0)
        return errbuf_set(eb, r, "personal data of %s %lld cannot be decrypted with this key",
                          bd_entity(v->rec.kind)->name, (long long)v->rec.id);
    if (fields[0] == '\0')
        return 0;
    return basedata_log_access(ctx, p, bd_entity(v->rec.kind)->name, v->rec.id, v->rec.cell_code,
                               fields, reveal->reason, reveal->now_ms, eb);
}

/* ---- create and change ------------------------------------------------------------------ */

/* Check that a referenced record exists and that p may see it. */
static int check_reference(struct service_ctx *ctx, const struct principal *p,
                           const struct bd_field *f, const char *value, struct errbuf *eb)
{
    struct bd_record other;
    int r;
    if (value[0] == '\0')
        return 0;
    r = store_bd_get(ctx->st, f->ref_kind, strtoll(value, NULL, 10), &other);
    if (r == ERR_NOT_FOUND)
        return errbuf_set(eb, ERR_NOT_FOUND, "field '%s': no %s %s", f->name,
                          bd_entity(f->ref_kind)->name, value);
    if (r != 0)
        return errbuf_set(eb, r, "cannot read %s %s", bd_entity(f->ref_kind)->name, value);
    if (p && (r = access_check(p, CAP_PERSON_READ, other.cell_code)) != 0)
        r = deny(r, eb, "the referenced record");
    bd_record_cleanup(&other);
    return r;
}

/* The validated, sealed record of a change: values normalised, personal ones sealed. */
struct prepared {
    struct bd_record rec; /* pointers into text[] and sealed[] */
    char text[BD_FIELDS_MAX][BD_VALUE_MAX];
    struct sealed sealed[BD_FIELDS_MAX];
};

static void prepared_free(struct prepared *pr)
{
    for (int i = 0; i < BD_FIELDS_MAX; i++)
        sealed_free(&pr->sealed[i]);
}

/* Merge in over old (NULL on create), validate, and seal into pr. Plaintexts of personal
 * fields that are not changed stay sealed as stored. Pure (no store), so that the import's
 * reader thread can prepare rows while the writer stores earlier ones. */
static int prepare(const struct bd_entity *e, const struct bd_record *old,
                   const struct bd_change *in, const struct secret_key *key,
                   struct secret_nonce_pool *pool, struct prepared *pr, struct errbuf *eb)
{
    int changed_personal[BD_FIELDS_MAX] = {0};
    int r;
    memset(&pr->rec, 0, sizeof(pr->rec));
    pr->rec.kind = e->kind;
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        pr->text[i][0] = '\0';
        if (in->given[i]) {
            if ((r = bd_normalize(f, in->value[i], in->now_ms, pr->text[i], eb)) != 0)
                return r;
            changed_personal[i] = bd_field_is_personal(f);
        } else if (old != NULL && !bd_field_is_personal(f)) {
            snprintf(pr->text[i], BD_VALUE_MAX, "%s", old->v[i].text ? old->v[i].text : "");
        } else if (old != NULL && bd_field_is_personal(f) && old->v[i].text && old->v[i].text[0]) {
            /* Kept: the cross-field check needs the plaintext of a kept ID number. */
            char context[SECRET_CONTEXT_MAX + 1], *plain = NULL;
            field_context(e, f, context, sizeof(context));
            if (secret_decrypt(key, old->v[i].text, context, &plain) != 0)
                return errbuf_set(eb, ERR_INTERNAL, "stored %s cannot be decrypted", f->name);
            snprintf(pr->text[i], BD_VALUE_MAX, "%s", plain);
            secret_plaintext_free(plain);
            changed_personal[i] = 1;
        }
    }
    if ((r = bd_check_record(e, pr->text, in->now_ms, eb)) != 0)
        return r;
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        if (bd_field_is_personal(f)) {
            if (changed_personal[i] || pr->text[i][0] == '\0') {
                if (seal(key, pool, e, f, pr->text[i], &pr->sealed[i]) != 0)
                    return errbuf_set(eb, ERR_INTERNAL, "cannot encrypt %s", f->name);
            }
            pr->rec.v[i].text = pr->sealed[i].text;
            pr->rec.v[i].hash = pr->sealed[i].hash;
            pr->rec.v[i].masked = pr->sealed[i].masked;
            /* Never keep a plaintext longer than needed. */
            sodium_memzero(pr->text[i], BD_VALUE_MAX);
        } else {
            pr->rec.v[i].text = pr->text[i];
        }
    }
    return 0;
}

/* Check references and the area, for p (NULL: the system). */
static int check_place(struct service_ctx *ctx, const struct principal *p,
                       const struct bd_entity *e, const struct prepared *pr, struct errbuf *eb)
{
    int exists = 0, r;
    if (!areacode_is_valid(pr->rec.cell_code))
        return errbuf_set(eb, ERR_INVALID, "field 'area_code' must be an area code");
    if (p && (r = access_check(p, CAP_PERSON_WRITE, pr->rec.cell_code)) != 0)
        return deny(r, eb, "the area");
    if ((r = store_area_exists(ctx->st, pr->rec.cell_code, &exists)) != 0)
        return errbuf_set(eb, r, "cannot read the area");
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "no area %s", pr->rec.cell_code);
    for (int i = 0; i < e->n_fields; i++)
        if (e->fields[i].type == BDT_REF &&
            (r = check_reference(ctx, p, &e->fields[i], pr->text[i], eb)) != 0)
            return r;
    return 0;
}

static void fill_view_masked(struct bd_view *out, struct bd_record *rec)
{
    memset(out, 0, sizeof(*out));
    out->rec = *rec;
    memset(rec, 0, sizeof(*rec));
}

int basedata_put(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind, int64_t id,
                 const struct bd_change *in, struct bd_view *out, struct errbuf *eb)
{
    const struct bd_entity *e = bd_entity(kind);
    const struct secret_key *key;
    struct bd_record old, stored;
    struct prepared *pr;
    int have_old = 0, created = 0, r;

    if (out)
        memset(out, 0, sizeof(*out));
    memset(&old, 0, sizeof(old));
    if (e == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown kind of record");
    if (p && !access_role_has(p->role, CAP_PERSON_WRITE))
        return deny(ERR_FORBIDDEN, eb, "changing base data");
    if ((r = service_ctx_key(ctx, &key, eb)) != 0)
        return r;
    if (id > 0) {
        if ((r = store_bd_get(ctx->st, kind, id, &old)) != 0)
            return r == ERR_NOT_FOUND ? errbuf_set(eb, r, "no %s %lld", e->name, (long long)id)
                                      : errbuf_set(eb, r, "cannot read the %s", e->name);
        have_old = 1;
        if (p && (r = access_check(p, CAP_PERSON_WRITE, old.cell_code)) != 0) {
            bd_record_cleanup(&old);
            return deny(r, eb, "this record");
        }
    }
    pr = xcalloc(1, sizeof(*pr));
    if ((r = prepare(e, have_old ? &old : NULL, in, key, NULL, pr, eb)) != 0)
        goto done;
    if (copy_code(pr->rec.cell_code,
                  in->area_code ? in->area_code : (have_old ? old.cell_code : "")) != 0) {
        r = errbuf_set(eb, ERR_INVALID, "field 'area_code' must be an area code");
        goto done;
    }
    if (pr->rec.cell_code[0] == '\0') {
        r = errbuf_set(eb, ERR_INVALID, "field 'area_code' is required");
        goto done;
    }
    if ((r = check_place(ctx, p, e, pr, eb)) != 0)
        goto done;
    pr->rec.id = id;
    pr->rec.created_ms = have_old ? old.created_ms : in->now_ms;
    pr->rec.updated_ms = in->now_ms;
    if (id == 0 && e->natural_key >= 0) {
        const struct bd_field *nk = &e->fields[e->natural_key];
        const char *key_value = bd_field_is_personal(nk) ? pr->rec.v[e->natural_key].hash
                                                         : pr->rec.v[e->natural_key].text;
        int64_t other;
        if (key_value && key_value[0] &&
            store_bd_find(ctx->st, kind, e->natural_key, key_value, &other) == 0) {
            r = errbuf_set(eb, ERR_EXISTS, "a %s with this %s already exists (id %lld)", e->name,
                           nk->name, (long long)other);
            goto done;
        }
    }
    if ((r = store_begin(ctx->st)) != 0) {
        r = errbuf_set(eb, r, "cannot start a transaction");
        goto done;
    }
    r = store_bd_put(ctx->st, &pr->rec, &created);
    if (r == 0)
        r = store_commit(ctx->st);
    else
        store_rollback(ctx->st);
    if (r == ERR_EXISTS) {
        r = errbuf_set(eb, r, "another %s already has this %s", e->name,
                       e->natural_key >= 0 ? e->fields[e->natural_key].name : "key");
        goto done;
    }
    if (r != 0) {
        r = errbuf_set(eb, r, "cannot store the %s", e->name);
        goto done;
    }
    if (out && (r = store_bd_get(ctx->st, kind, pr->rec.id, &stored)) == 0)
        fill_view_masked(out, &stored);
    else if (out)
        r = errbuf_set(eb, r, "cannot read the %s back", e->name);
done:
    prepared_free(pr);
    sodium_memzero(pr, sizeof(*pr));
    free(pr);
    bd_record_cleanup(&old);
    return r;
}

/* ---- reads ------------------------------------------------------------------------------ */

static int may_reveal(const struct principal *p, const struct bd_reveal *reveal, struct errbuf *eb)
{
    int r;
    if ((r = basedata_check_reason(reveal->reason, eb)) != 0)
        return r;
    if (p == NULL || !access_role_has(p->role, CAP_PERSON_PII))
        return errbuf_set(eb, ERR_FORBIDDEN, "your role may not see personal data unmasked");
    return 0;
}

int basedata_get(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind, int64_t id,
                 const struct bd_reveal *reveal, struct bd_view *out, struct errbuf *eb)
{
    const struct bd_entity *e = bd_entity(kind);
    struct bd_record rec;
    int r;
    memset(out, 0, sizeof(*out));
    if (e == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown kind of record");
    if (reveal && (r = may_reveal(p, reveal, eb)) != 0)
        return r;
    if ((r = store_bd_get(ctx->st, kind, id, &rec)) != 0)
        return r == ERR_NOT_FOUND ? errbuf_set(eb, r, "no %s %lld", e->name, (long long)id)
                                  : errbuf_set(eb, r, "cannot read the %s", e->name);
    if ((r = access_check(p, CAP_PERSON_READ, rec.cell_code)) != 0) {
        bd_record_cleanup(&rec);
        return deny(r, eb, "this record");
    }
    fill_view_masked(out, &rec);
    if (reveal && (r = reveal_record(ctx, p, reveal, out, eb)) != 0)
        bd_view_cleanup(out);
    return r;
}

int basedata_delete(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind,
                    int64_t id, struct errbuf *eb)
{
    const struct bd_entity *e = bd_entity(kind);
    struct bd_record rec;
    int r;
    if (e == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown kind of record");
    if ((r = store_bd_get(ctx->st, kind, id, &rec)) != 0)
        return r == ERR_NOT_FOUND ? errbuf_set(eb, r, "no %s %lld", e->name, (long long)id)
                                  : errbuf_set(eb, r, "cannot read the %s", e->name);
    r = access_check(p, CAP_PERSON_WRITE, rec.cell_code);
    bd_record_cleanup(&rec);
    if (r != 0)
        return deny(r, eb, "this record");
    if ((r = store_begin(ctx->st)) != 0)
        return errbuf_set(eb, r, "cannot start a transaction");
    r = store_bd_delete(ctx->st, kind, id);
    if (r == 0)
        r = store_commit(ctx->st);
    else
        store_rollback(ctx->st);
    if (r == ERR_CONFLICT)
        return errbuf_set(eb, r,
                          "this %s is still referred to (members, households in a building, "
                          "cases or visits in its file); remove those first",
                          e->name);
    if (r != 0)
        return errbuf_set(eb, r, "cannot delete the %s", e->name);
    return 0;
}

struct list_walk {
    struct service_ctx *ctx;
    const struct principal *p;
    const struct bd_reveal *reveal;
    bd_view_fn fn;
    void *fctx;
    struct errbuf *eb;
};

static int list_one(void *arg, struct bd_record *rec)
{
    struct list_walk *w = arg;
    struct bd_view v;
    int r;
    fill_view_masked(&v, rec);
    if (w->reveal && (r = reveal_record(w->ctx, w->p, w->reveal, &v, w->eb)) != 0) {
        bd_view_cleanup(&v);
        return r;
    }
    r = w->fn(w->fctx, &v);
    bd_view_cleanup(&v);
    return r;
}

/* The subtree a query covers: area if p may read it, else the caller's scope. */
static int query_area(const struct principal *p, const char *area, const char **out,
                      struct errbuf *eb)
{
    int r;
    if (p == NULL) {
        *out = area ? area : "";
        return 0;
    }
    *out = area ? area : p->scope;
    if ((r = access_check(p, CAP_PERSON_READ, *out)) != 0)
        return deny(r, eb, "this area");
    return 0;
}

int basedata_list(struct service_ctx *ctx, const struct principal *p, const struct bd_query *q,
                  const struct bd_reveal *reveal, bd_view_fn fn, void *fctx, struct errbuf *eb)
{
    const struct bd_entity *e = bd_entity(q->kind);
    struct list_walk w = {ctx, p, reveal, fn, fctx, eb};
    struct bd_filter f;
    char hash[SECRET_HASH_HEX + 1];
    const char *typed = NULL;
    int r;
    if (e == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown kind of record");
    memset(&f, 0, sizeof(f));
    f.kind = q->kind;
    f.ref_field = -1;
    f.hash_field = -1;
    if ((r = query_area(p, q->area, &f.area, eb)) != 0)
        return r;
    if (reveal && (r = may_reveal(p, reveal, eb)) != 0)
        return r;
    if (q->household_id > 0 || q->building_id > 0) {
        const char *name = q->household_id > 0 ? "household_id" : "building_id";
        f.ref_field = bd_field_index(e, name);
        f.ref_id = q->household_id > 0 ? q->household_id : q->building_id;
        if (f.ref_field < 0)
            return errbuf_set(eb, ERR_INVALID, "%s have no %s", e->plural, name);
    }
    if (q->id_number && q->id_number[0]) {
        f.hash_field = bd_field_index(e, "id_number");
        typed = q->id_number;
    } else if (q->phone && q->phone[0]) {
        /* The kind's first phone field. */
        for (int i = 0; i < e->n_fields && f.hash_field < 0; i++)
            if (e->fields[i].type == BDT_PHONE)
                f.hash_field = i;
        typed = q->phone;
    }
    if (typed) {
        const struct secret_key *key;
        if (f.hash_field < 0)
            return errbuf_set(eb, ERR_INVALID, "%s cannot be searched by that number", e->plural);
        if ((r = service_ctx_key(ctx, &key, eb)) != 0)
            return r;
        if ((r = lookup_hash(key, e, &e->fields[f.hash_field], typed, hash, eb)) != 0)
            return r;
        f.hash = hash;
    }
    if (q->tag && q->tag[0]) {
        int t = bd_field_index(e, "tags");
        char norm[BD_VALUE_MAX];
        if (t < 0)
            return errbuf_set(eb, ERR_INVALID, "%s have no tags", e->plural);
        if ((r = bd_normalize(&e->fields[t], q->tag, 0, norm, eb)) != 0)
            return r;
        if (strchr(norm, ',') != NULL)
            return errbuf_set(eb, ERR_INVALID, "filter by one tag at a time");
        f.tag = q->tag;
    }
    if (q->q && strlen(q->q) > BD_VALUE_MAX - 1)
        return errbuf_set(eb, ERR_INVALID, "the search text is too long");
    f.query = q->q;
    f.after_id = q->after_id;
    f.limit = q->limit > 0 && q->limit <= BASEDATA_PAGE_MAX ? q->limit : 50;
    if (reveal && (r = store_begin(ctx->st)) != 0)
        return errbuf_set(eb, r, "cannot start a transaction");
    r = store_bd_list(ctx->st, &f, list_one, &w);
    if (r != 0)
        errbuf_set(eb, r, "cannot list %s", e->plural);
    if (reveal) {
        if (r == 0)
            r = store_commit(ctx->st);
        else
            store_rollback(ctx->st);
    }
    return r;
}

int basedata_search(struct service_ctx *ctx, const struct principal *p, const char *area,
                    const char *q, int limit, store_bd_hit_fn fn, void *fctx, struct errbuf *eb)
{
    const char *root;
    size_t chars = 0;
    int r;
    if ((r = query_area(p, area, &root, eb)) != 0)
        return r;
    for (const char *s = q ? q : ""; *s; s++)
        chars += ((unsigned char)*s & 0xc0) != 0x80;
    if (chars < 3 || strlen(q) > BD_VALUE_MAX - 1)
        return errbuf_set(eb, ERR_INVALID,
                          "search text must be 3 or more characters (for a 2-character name, "
                          "list persons with q=)");
    if ((r = store_bd_search(ctx->st, root, q, limit, fn, fctx)) != 0)
        return errbuf_set(eb, r, "search failed");
    return 0;
}

/* ---- the household file ----------------------------------------------------------------- */

struct file_walk {
    struct household_file *f;
    size_t cap;
};

static int file_member(void *arg, struct bd_view *v)
{
    struct file_walk *w = arg;
    if (w->f->n_members == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 8;
        w->f->members = xrealloc(w->f->members, w->cap * sizeof(*w->f->members));
    }
    w->f->members[w->f->n_members++] = *v;
    memset(v, 0, sizeof(*v)); /* moved: the caller's cleanup finds nothing */
    return 0;
}

static int file_link(void *arg, const struct household_link *l)
{
    struct file_walk *w = arg;
    if (w->f->n_links == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 16;
        w->f->links = xrealloc(w->f->links, w->cap * sizeof(*w->f->links));
    }
    w->f->links[w->f->n_links++] = *l;
    return 0;
}

int basedata_household_file(struct service_ctx *ctx, const struct principal *p, int64_t id,
                            const struct bd_reveal *reveal, struct household_file *out,
                            struct errbuf *eb)
{
    struct bd_query q;
    struct file_walk w;
    int b, r;
    memset(out, 0, sizeof(*out));
    w.f = out;
    w.cap = 0;
    if ((r = basedata_get(ctx, p, BD_HOUSEHOLD, id, reveal, &out->household, eb)) != 0)
        return r;
    memset(&q, 0, sizeof(q));
    q.kind = BD_PERSON;
    q.household_id = id;
    q.limit = BASEDATA_PAGE_MAX;
    /* Members are listed wherever they live (a member may be registered in another cell),
     * but only those the caller may see. */
    q.area = p ? p->scope : "";
    if ((r = basedata_list(ctx, p, &q, reveal, file_member, &w, eb)) != 0)
        goto fail;
    b = bd_field_index(bd_entity(BD_HOUSEHOLD), "building_id");
    if (out->household.rec.v[b].text && out->household.rec.v[b].text[0]) {
        struct errbuf ignore = {{0}};
        /* A building outside the caller's scope is simply not shown. */
        basedata_get(ctx, p, BD_BUILDING, strtoll(out->household.rec.v[b].text, NULL, 10), NULL,
                     &out->building, &ignore);
    }
    w.cap = 0;
    if ((r = store_household_links(ctx->st, id, file_link, &w)) != 0) {
        r = errbuf_set(eb, r, "cannot read the household's timeline");
        goto fail;
    }
    return 0;
fail:
    household_file_cleanup(out);
    return r;
}

int basedata_access_log(struct service_ctx *ctx, const struct principal *p,
                        const struct access_filter *f, store_access_fn fn, void *fctx,
                        struct errbuf *eb)
{
    struct access_filter scoped = *f;
    int r;
    if (scoped.area == NULL)
        scoped.area = p ? p->scope : "";
    if (p && (r = access_check(p, CAP_USER_ADMIN, scoped.area)) != 0)
        return deny(r, eb, "the access log");
    if ((r = store_access_log_list(ctx->st, &scoped, fn, fctx)) != 0)
        return errbuf_set(eb, r, "cannot read the access log");
    return 0;
}

/* ---- bulk import ------------------------------------------------------------------------ */

/* Every area code, sorted, to check a row's area without a query. */
struct area_codes {
    char (*codes)[19];
    size_t n, cap;
};

static int collect_code(void *arg, const struct area *a)
{
    struct area_codes *ac = arg;
    if (ac->n == ac->cap) {
        ac->cap = ac->cap ? ac->cap * 2 : 1024;
        ac->codes = xrealloc(ac->codes, ac->cap * sizeof(*ac->codes));
    }
    memcpy(ac->codes[ac->n++], a->code, sizeof(a->code));
    return 0;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static int area_known(const struct area_codes *ac, const char *code)
{
    char key[19];
    if (strlen(code) >= sizeof(key))
        return 0;
    memset(key, 0, sizeof(key));
    memcpy(key, code, strlen(code) + 1);
    return ac->n > 0 && bsearch(key, ac->codes, ac->n, sizeof(*ac->codes), cmp_code) != NULL;
}

/* 1 when the first bytes of text are well-formed UTF-8 (a cut character at the end is fine). */
static int looks_utf8(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + (len < 65536 ? len : 65536);
    while (p < end) {
        int n = *p < 0x80                  ? 0
                : *p >= 0xc2 && *p <= 0xdf ? 1
                : *p >= 0xe0 && *p <= 0xef ? 2
                : *p >= 0xf0 && *p <= 0xf4 ? 3
                                           : -1;
        if (n < 0)
            return 0;
        for (int i = 1; i <= n; i++)
            if (p + i < end && (p[i] & 0xc0) != 0x80)
                return 0;
        p += n + 1;
    }
    return 1;
}

enum { COL_FIELD, COL_AREA, COL_REF_KEY, COL_ID };

struct column {
    int what;              /* COL_* */
    int field;             /* the field it fills */
    enum bd_kind ref_kind; /* COL_REF_KEY: the kind whose natural key it names */
};

static int map_header(const struct bd_entity *e, const struct csv_record *h, struct column *cols,
                      struct errbuf *eb)
{
    int have_key = e->natural_key < 0, have_area = 0;
    for (int c = 0; c < h->n_fields; c++) {
        const char *name = h->field[c];
        int i = bd_field_index(e, name);
        cols[c].field = i;
        if (i >= 0) {
            cols[c].what = COL_FIELD;
            have_key |= i == e->natural_key;
            continue;
        }
        if (!strcmp(name, "area_code") || !strcmp(name, "cell_code") || !strcmp(name, "所属网格") ||
            !strcmp(name, "区域代码")) {
            cols[c].what = COL_AREA;
            have_area = 1;
            continue;
        }
        if (!strcmp(name, "id")) {
            cols[c].what = COL_ID; /* ignored on import: records are matched by natural key */
            continue;
        }
        /* household_no for a person's household_id, building_no for a building_id, ... */
        for (int f = 0; f < e->n_fields && cols[c].field < 0; f++) {
            const struct bd_entity *other;
            if (e->fields[f].type != BDT_REF)
                continue;
            other = bd_entity(e->fields[f].ref_kind);
            if (other->natural_key >= 0 &&
                (!strcmp(name, other->fields[other->natural_key].name) ||
                 !strcmp(name, other->fields[other->natural_key].label_zh))) {
                cols[c].what = COL_REF_KEY;
                cols[c].field = f;
                cols[c].ref_kind = other->kind;
            }
        }
        if (cols[c].field < 0)
            return errbuf_set(eb, ERR_INVALID, "line 1: unknown column '%.60s' for %s", name,
                              e->plural);
    }
    if (!have_area)
        return errbuf_set(eb, ERR_INVALID, "line 1: the column area_code is required");
    if (!have_key)
        return errbuf_set(eb, ERR_INVALID,
                          "line 1: the column %s is required (imports are matched on it)",
                          e->fields[e->natural_key].name);
    return 0;
}

/* What every row of one import is checked against; set up before the rows are read, then
 * only read, by the reader thread and the writer alike. */
struct import_rules {
    const struct bd_entity *e;
    const struct secret_key *key;
    int64_t now_ms;
    struct area_codes areas;
    struct column cols[CSV_MAX_FIELDS];
    int n_cols;
};

/* The writer's side of an import: the caller's thread, the only one that uses the store. */
struct importer {
    struct service_ctx *ctx;
    struct import_rules rules;
    const struct bd_import_options *opt;
    struct bd_import_report *rep;
    int in_tx; /* a transaction is open */
    /* Records created and updated by the transactions committed so far: what a rollback of
     * the open one leaves of rep's counts. */
    int64_t committed_created, committed_updated;
    /* The last reference resolved per field: rows of one household come together. */
    char last_ref_key[BD_FIELDS_MAX][BD_VALUE_MAX];
    char last_ref_id[BD_FIELDS_MAX][24];
    /* A bulk load (store_bd_bulk_begin started): the table's indexes are dropped, so natural
     * keys are checked here -- key (a generic hash of the stored lookup value) to the id of a
     * record that was there before (> 0) or to -line of the file row that wrote it (< 0).
     * Without a bulk load, keys holds only the latter: the store is asked for the rest. */
    int bulk;
    struct keyset keys;
    int64_t last_id, listed; /* bulk_load_keys' walk */
};

static int bulk_collect(void *arg, struct bd_record *rec)
{
    struct importer *im = arg;
    const struct bd_entity *e = im->rules.e;
    const char *v = bd_field_is_personal(&e->fields[e->natural_key]) ? rec->v[e->natural_key].hash
                                                                     : rec->v[e->natural_key].text;
    unsigned char k[KEYSET_KEY];
    if (v != NULL && v[0] != '\0') {
        keyset_key_of_text(v, k); /* the lookup value: a keyed hash or the text */
        keyset_put(&im->keys, k, rec->id);
    }
    im->last_id = rec->id;
    im->listed++;
    return 0;
}

/* Load the natural keys of the records already in the table into im->keys. */
static int bulk_load_keys(struct importer *im)
{
    struct bd_filter f;
    int r;
    memset(&f, 0, sizeof(f));
    f.kind = im->rules.e->kind;
    f.area = "";
    f.ref_field = -1;
    f.hash_field = -1;
    f.limit = 10000;
    do {
        im->listed = 0;
        f.after_id = im->last_id;
        if ((r = store_bd_list(im->ctx->st, &f, bulk_collect, im)) != 0)
            return r;
    } while (im->listed == f.limit);
    return 0;
}

static void reject(struct importer *im, size_t line, const char *reason)
{
    im->rep->rejected++;
    if (im->opt->on_reject)
        im->opt->on_reject(im->opt->cb_ctx, line, reason);
}

/*
 * One data row as the reader thread leaves it for the writer: read, checked and sealed as far
 * as that needs no database. Its checks are kept apart so that the writer reports the first
 * that fails in the order users see: the row's shape, then its references (resolved by the
 * writer), then its area and natural key, then the record. Owned by its block (below).
 */
struct staged_row {
    struct csv_record row; /* the row's text; ch's values and area point into it */
    size_t read_to;        /* bytes of the file read through this row (progress) */
    struct bd_change ch;   /* the row's values; references by key are left to the writer */
    const char *area;
    int shape_r; /* 0, or why the row cannot be read at all (CSV, field count, NUL) */
    struct errbuf shape_eb;
    int key_r; /* 0, or what is wrong with its area or natural key */
    struct errbuf key_eb;
    char lookup[BD_VALUE_MAX];     /* the natural key as stored: text, or a keyed hash */
    unsigned char key[KEYSET_KEY]; /* keyset_key_of_text(lookup) */
    int prep_r;                    /* 0: pr is the row as a new record; else why it cannot be */
    struct errbuf prep_eb;
    struct prepared pr; /* its sealed strings are owned while the block is full */
};

/* Read one row's shape, area and natural key, and prepare it as a new record: pure, so the
 * reader thread does it while the writer stores the rows before. */
static void stage_row(const struct import_rules *ru, struct secret_nonce_pool *pool,
                      struct staged_row *s)
{
    const struct bd_entity *e = ru->e;
    const struct csv_record *row = &s->row;
    const struct bd_field *nk = &e->fields[e->natural_key];
    char norm[BD_VALUE_MAX];

    memset(&s->ch, 0, sizeof(s->ch));
    memset(s->pr.sealed, 0, sizeof(s->pr.sealed));
    s->ch.now_ms = ru->now_ms;
    s->area = NULL;
    s->shape_r = s->key_r = s->prep_r = 0;
    if (row->error[0]) {
        s->shape_r = errbuf_set(&s->shape_eb, ERR_INVALID, "%s", row->error);
        return;
    }
    if (row->n_fields != ru->n_cols) {
        s->shape_r = errbuf_set(&s->shape_eb, ERR_INVALID, "expected %d fields, found %d",
                                ru->n_cols, row->n_fields);
        return;
    }
    for (int c = 0; c < ru->n_cols; c++) {
        const char *v = row->field[c];
        int f = ru->cols[c].field;
        if (strlen(v) != row->field_len[c]) {
            s->shape_r =
                errbuf_set(&s->shape_eb, ERR_INVALID, "column %d contains a NUL byte", c + 1);
            return;
        }
        if (ru->cols[c].what == COL_AREA) {
            s->area = v;
        } else if (ru->cols[c].what == COL_FIELD) {
            s->ch.value[f] = v;
            s->ch.given[f] = 1;
        }
    }
    if (s->area == NULL || !area_known(&ru->areas, s->area)) {
        s->key_r = errbuf_set(&s->key_eb, ERR_NOT_FOUND, "no area %.20s", s->area ? s->area : "");
        return;
    }
    s->ch.area_code = s->area;
    /* The natural key decides create or update (the writer looks it up). */
    if ((s->key_r =
             bd_normalize(nk, s->ch.value[e->natural_key], s->ch.now_ms, norm, &s->key_eb)) != 0)
        return;
    if (norm[0] == '\0') {
        s->key_r =
            errbuf_set(&s->key_eb, ERR_INVALID, "field '%s' is required on import", nk->name);
        return;
    }
    if (bd_field_is_personal(nk)) {
        char context[SECRET_CONTEXT_MAX + 1];
        field_context(e, nk, context, sizeof(context));
        secret_index_hash(ru->key, norm, context, s->lookup);
    } else {
        memcpy(s->lookup, norm, sizeof(norm));
    }
    sodium_memzero(norm, sizeof(norm)); /* it may be an ID number */
    keyset_key_of_text(s->lookup, s->key);
    s->prep_r = prepare(e, NULL, &s->ch, ru->key, pool, &s->pr, &s->prep_eb);
}

/* Store one staged row (the writer); 0, or the error that rejects the row (reason in eb). */
static int store_row(struct importer *im, struct staged_row *s, struct errbuf *eb)
{
    const struct bd_entity *e = im->rules.e;
    struct bd_record old;
    struct prepared *pr = &s->pr, *fresh = NULL;
    unsigned char resolved[BD_FIELDS_MAX] = {0};
    int64_t existing = 0, v = 0;
    int created = 0, r;

    if (s->shape_r != 0)
        return errbuf_set(eb, s->shape_r, "%s", errbuf_message(&s->shape_eb, s->shape_r));
    /* References by the other kind's natural key (household_no for a person's household). */
    for (int c = 0; c < im->rules.n_cols; c++) {
        const struct bd_entity *other;
        const char *ref = s->row.field[c];
        int f = im->rules.cols[c].field;
        int64_t id;
        if (im->rules.cols[c].what != COL_REF_KEY || ref[0] == '\0')
            continue;
        other = bd_entity(im->rules.cols[c].ref_kind);
        if (strcmp(im->last_ref_key[f], ref) != 0) {
            if ((r = store_bd_find(im->ctx->st, other->kind, other->natural_key, ref, &id)) != 0)
                return errbuf_set(eb, r, "no %s with %s %.40s", other->name,
                                  other->fields[other->natural_key].name, ref);
            snprintf(im->last_ref_key[f], BD_VALUE_MAX, "%s", ref);
            snprintf(im->last_ref_id[f], sizeof(im->last_ref_id[f]), "%lld", (long long)id);
        }
        s->ch.value[f] = im->last_ref_id[f];
        s->ch.given[f] = 1;
        resolved[f] = 1;
    }
    if (s->key_r != 0)
        return errbuf_set(eb, s->key_r, "%s", errbuf_message(&s->key_eb, s->key_r));
    /* Bulk or not, a file holds each record once: a second row with the key of an earlier one
     * (created or updated by this file) is reported, not applied over it. */
    if (keyset_get(&im->keys, s->key, &v) && v < 0)
        return errbuf_set(eb, ERR_INVALID,
                          "field '%s': the same as on line %lld (a file may hold each record "
                          "once)",
                          e->fields[e->natural_key].name, (long long)-v);
    if (im->bulk) {
        existing = v;
        r = v > 0 ? 0 : ERR_NOT_FOUND;
    } else {
        r = store_bd_find(im->ctx->st, e->kind, e->natural_key, s->lookup, &existing);
    }
    if (r != 0 && r != ERR_NOT_FOUND)
        return errbuf_set(eb, r, "cannot look the record up");
    memset(&old, 0, sizeof(old));
    if (r == 0) {
        /* An update keeps the columns the file lacks: prepare again over the stored record. */
        if ((r = store_bd_get(im->ctx->st, e->kind, existing, &old)) != 0)
            return errbuf_set(eb, r, "cannot read the record");
        fresh = xcalloc(1, sizeof(*fresh));
        pr = fresh;
        if ((r = prepare(e, &old, &s->ch, im->rules.key, NULL, pr, eb)) != 0)
            goto done;
    } else {
        existing = 0;
        if (s->prep_r != 0) {
            r = errbuf_set(eb, s->prep_r, "%s", errbuf_message(&s->prep_eb, s->prep_r));
            goto done;
        }
        for (int i = 0; i < e->n_fields; i++) /* references are never personal fields */
            if (resolved[i])
                snprintf(pr->text[i], BD_VALUE_MAX, "%s", s->ch.value[i]);
    }
    if (copy_code(pr->rec.cell_code, s->area) != 0) { /* area_known() checked it already */
        r = errbuf_set(eb, ERR_INVALID, "bad area code");
        goto done;
    }
    /* References given by the other record's key were resolved above; ids given as such, and
     * ids kept from the stored record, are checked. */
    for (int i = 0; i < e->n_fields; i++)
        if (e->fields[i].type == BDT_REF && !resolved[i] &&
            (r = check_reference(im->ctx, NULL, &e->fields[i], pr->text[i], eb)) != 0)
            goto done;
    /* Known to be new: the store need not look the key up again. */
    pr->rec.id = existing ? existing : -1;
    pr->rec.created_ms = existing ? old.created_ms : s->ch.now_ms;
    pr->rec.updated_ms = s->ch.now_ms;
    /* Everything was checked above, so a failure here is the database's: the caller rolls
     * the batch back and stops (a re-run completes the import). */
    if ((r = store_bd_put(im->ctx->st, &pr->rec, &created)) != 0) {
        r = errbuf_set(eb, r == ERR_EXISTS ? ERR_DB : r, "cannot store the row");
        goto done;
    }
    if (created)
        im->rep->created++;
    else
        im->rep->updated++;
    keyset_put(&im->keys, s->key, -(int64_t)s->row.line);
done:
    if (fresh) {
        prepared_free(fresh);
        sodium_memzero(fresh, sizeof(*fresh));
        free(fresh);
    }
    bd_record_cleanup(&old);
    return r;
}

/*
 * The reader thread: it reads rows into blocks of a ring and stages them (stage_row) ahead of
 * the writer, which takes the blocks in the same order. On two cores a row's CPU work outside
 * the database (CSV, validation, encryption, keyed hashes) then overlaps the database's.
 * A block is the reader's while not full, the writer's while full; the lock guards is_full,
 * is_done and stop.
 */
#define IMPORT_BLOCK_ROWS 64
#define IMPORT_BLOCKS     8

struct import_block {
    struct staged_row rows[IMPORT_BLOCK_ROWS];
    int n;       /* rows staged; fewer than IMPORT_BLOCK_ROWS only in the last block */
    int is_full; /* handed to the writer */
};

struct import_reader {
    const struct import_rules *rules; /* read only */
    struct csv_reader rd;             /* the reader thread's once started */
    const char *text;                 /* the file (for the progress offset) */
    struct import_block *blocks;      /* IMPORT_BLOCKS, owned */
    struct secret_nonce_pool nonces;  /* the reader thread's */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed; /* a block was filled or emptied, or stop was set */
    int stop;               /* the writer gave up: the reader ends */
};

static void *reader_main(void *arg)
{
    struct import_reader *rr = arg;
    for (int b = 0;; b = (b + 1) % IMPORT_BLOCKS) {
        struct import_block *blk = &rr->blocks[b];
        int is_last;
        pthread_mutex_lock(&rr->lock);
        while (blk->is_full && !rr->stop)
            pthread_cond_wait(&rr->changed, &rr->lock);
        if (rr->stop) {
            pthread_mutex_unlock(&rr->lock);
            return NULL;
        }
        pthread_mutex_unlock(&rr->lock);
        blk->n = 0;
        while (blk->n < IMPORT_BLOCK_ROWS && csv_read(&rr->rd, &blk->rows[blk->n].row)) {
            stage_row(rr->rules, &rr->nonces, &blk->rows[blk->n]);
            blk->rows[blk->n].read_to = (size_t)(rr->rd.p - rr->text);
            blk->n++;
        }
        is_last = blk->n < IMPORT_BLOCK_ROWS;
        pthread_mutex_lock(&rr->lock);
        blk->is_full = 1;
        pthread_cond_broadcast(&rr->changed);
        pthread_mutex_unlock(&rr->lock);
        if (is_last)
            return NULL;
    }
}

/* Start reading the rows after the header (rd) on a new thread. */
static int reader_start(struct import_reader *rr, const struct import_rules *rules,
                        const struct csv_reader *rd, const char *text)
{
    memset(rr, 0, sizeof(*rr));
    rr->rules = rules;
    rr->rd = *rd;
    rr->text = text;
    rr->blocks = xcalloc(IMPORT_BLOCKS, sizeof(*rr->blocks));
    secret_nonce_pool_init(&rr->nonces);
    pthread_mutex_init(&rr->lock, NULL);
    pthread_cond_init(&rr->changed, NULL);
    if (pthread_create(&rr->thread, NULL, reader_main, rr) != 0) {
        pthread_cond_destroy(&rr->changed);
        pthread_mutex_destroy(&rr->lock);
        free(rr->blocks);
        return ERR_INTERNAL;
    }
    return 0;
}

/* The next full block, waiting for the reader. */
static struct import_block *reader_take(struct import_reader *rr, int b)
{
    struct import_block *blk = &rr->blocks[b];
    pthread_mutex_lock(&rr->lock);
    while (!blk->is_full)
        pthread_cond_wait(&rr->changed, &rr->lock);
    pthread_mutex_unlock(&rr->lock);
    return blk;
}

/* Give a block back to the reader, its rows' sealed strings freed. */
static void block_release(struct import_reader *rr, struct import_block *blk)
{
    for (int i = 0; i < blk->n; i++)
        prepared_free(&blk->rows[i].pr);
    pthread_mutex_lock(&rr->lock);
    blk->is_full = 0;
    pthread_cond_broadcast(&rr->changed);
    pthread_mutex_unlock(&rr->lock);
}

/* Stop the reader (wherever it is) and free the ring, plaintexts wiped. */
static void reader_finish(struct import_reader *rr)
{
    pthread_mutex_lock(&rr->lock);
    rr->stop = 1;
    pthread_cond_broadcast(&rr->changed);
    pthread_mutex_unlock(&rr->lock);
    pthread_join(rr->thread, NULL);
    for (int b = 0; b < IMPORT_BLOCKS; b++)
        if (rr->blocks[b].is_full)
            for (int i = 0; i < rr->blocks[b].n; i++)
                prepared_free(&rr->blocks[b].rows[i].pr);
    pthread_cond_destroy(&rr->changed);
    pthread_mutex_destroy(&rr->lock);
    sodium_memzero(rr->blocks, IMPORT_BLOCKS * sizeof(*rr->blocks));
    free(rr->blocks);
}

/* Store the rows the reader stages, in file order: each batch one transaction, or all of
 * them in the bulk load's. 0, or the error that stops the import (message in eb). */
static int import_rows(struct importer *im, struct import_reader *rr, struct errbuf *eb)
{
    struct store *st = im->ctx->st;
    int batch = im->opt->batch > 0 ? im->opt->batch : 20000, in_batch = 0, r;
    for (int b = 0;; b = (b + 1) % IMPORT_BLOCKS) {
        struct import_block *blk = reader_take(rr, b);
        int n = blk->n;
        for (int i = 0; i < n; i++) {
            struct staged_row *s = &blk->rows[i];
            struct errbuf row_eb = {{0}};
            im->rep->rows++;
            if (!im->in_tx) {
                if ((r = store_begin(st)) != 0)
                    return errbuf_set(eb, r, "cannot start a transaction");
                im->in_tx = 1;
            }
            in_batch++;
            if ((r = store_row(im, s, &row_eb)) != 0) {
                if (r == ERR_DB || r == ERR_BUSY || r == ERR_IO || r == ERR_INTERNAL ||
                    r == ERR_CONFLICT)
                    return errbuf_set(eb, r, "line %zu: %s", s->row.line,
                                      errbuf_message(&row_eb, r));
                reject(im, s->row.line, errbuf_message(&row_eb, r));
            }
            /* A bulk load is one transaction; otherwise each batch is one. */
            if (!im->bulk && in_batch >= batch) {
                if ((r = store_commit(st)) != 0)
                    return errbuf_set(eb, r, "cannot commit the rows up to line %zu", s->row.line);
                im->in_tx = 0;
                in_batch = 0;
                im->committed_created = im->rep->created;
                im->committed_updated = im->rep->updated;
            }
            if (im->opt->on_progress && im->rep->rows % 4096 == 0)
                im->opt->on_progress(im->opt->cb_ctx, (int64_t)s->read_to);
        }
        block_release(rr, blk);
        if (n < IMPORT_BLOCK_ROWS)
            return 0;
    }
}

/* Data lines of text, about (a quoted field may hold a newline): the header is not counted. */
static int64_t count_lines(const char *text, size_t len)
{
    const char *p = text, *end = text + len;
    int64_t n = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    if (len > 0 && text[len - 1] != '\n')
        n++;
    return n > 0 ? n - 1 : 0;
}

/* Whether to load the file as one bulk transaction (see basedata.h): a large file, no batch
 * size asked for, and a table that holds at most a quarter as many rows as the file. */
static int want_bulk(struct service_ctx *ctx, enum bd_kind kind, const char *text, size_t len,
                     const struct bd_import_options *opt, int64_t *lines)
{
    int64_t existing = 0;
    *lines = count_lines(text, len);
    if (opt->batch > 0 || *lines < BD_IMPORT_BULK_MIN_ROWS)
        return 0;
    if (store_bd_count(ctx->st, kind, "", &existing) != 0)
        return 0; /* the usual path then reports the database's trouble */
    return existing <= *lines / 4;
}

/* Open the bulk load in a new transaction: 0 with im->bulk set (or not, when the backend
 * declines: the transaction is then closed again and rows are written in batches). */
static int bulk_open(struct importer *im, int64_t lines, struct errbuf *eb)
{
    struct store *st = im->ctx->st;
    int started = 0, r;
    if ((r = store_begin(st)) != 0)
        return errbuf_set(eb, r, "cannot start a transaction");
    if ((r = store_bd_bulk_begin(st, im->rules.e->kind, &started)) != 0) {
        store_rollback(st);
        return errbuf_set(eb, r, "cannot prepare the bulk load");
    }
    if (!started) {
        store_rollback(st); /* nothing was written */
        return 0;
    }
    keyset_init(&im->keys, (size_t)lines);
    if ((r = bulk_load_keys(im)) != 0) {
        store_rollback(st);
        keyset_cleanup(&im->keys);
        return errbuf_set(eb, r, "cannot read the records already there");
    }
    im->bulk = 1;
    im->in_tx = 1;
    return 0;
}

int basedata_import(struct service_ctx *ctx, enum bd_kind kind, const char *text, size_t len,
                    const struct bd_import_options *opt, struct bd_import_report *rep,
                    struct errbuf *eb)
{
    struct importer *im;
    struct import_reader rr;
    struct csv_reader rd;
    struct csv_record *row;
    int64_t lines = 0, started_ms, rows_ms, indexed_ms;
    int r;

    memset(rep, 0, sizeof(*rep));
    if (bd_entity(kind) == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown kind of record");
    if (!looks_utf8(text, len))
        return errbuf_set(eb, ERR_INVALID,
                          "the file is not UTF-8 text (it looks like GBK/GB18030, as Excel "
                          "saves Chinese CSV): import it with --encoding gb18030, or convert "
                          "it with iconv -f GB18030 -t UTF-8");
    im = xcalloc(1, sizeof(*im));
    row = xmalloc(sizeof(*row));
    im->ctx = ctx;
    im->rules.e = bd_entity(kind);
    im->rules.now_ms = opt->now_ms;
    im->opt = opt;
    im->rep = rep;
    if ((r = service_ctx_key(ctx, &im->rules.key, eb)) != 0)
        goto out;
    if ((r = store_area_walk(ctx->st, "", 7, 0, collect_code, &im->rules.areas)) != 0) {
        r = errbuf_set(eb, r, "cannot read the areas");
        goto out;
    }
    if (im->rules.areas.n > 1)
        qsort(im->rules.areas.codes, im->rules.areas.n, sizeof(*im->rules.areas.codes), cmp_code);
    csv_reader_init(&rd, text, len);
    if (!csv_read(&rd, row)) {
        r = errbuf_set(eb, ERR_INVALID, "the file is empty");
        goto out;
    }
    if (row->error[0]) {
        r = errbuf_set(eb, ERR_INVALID, "line %zu: %s", row->line, row->error);
        goto out;
    }
    im->rules.n_cols = row->n_fields;
    if ((r = map_header(im->rules.e, row, im->rules.cols, eb)) != 0)
        goto out;
    if (want_bulk(ctx, kind, text, len, opt, &lines) && (r = bulk_open(im, lines, eb)) != 0)
        goto out;
    if (!im->bulk) /* the keys this file wrote (a bulk load's set also holds those before) */
        keyset_init(&im->keys, 0);
    if (reader_start(&rr, &im->rules, &rd, text) != 0) {
        r = errbuf_set(eb, ERR_INTERNAL, "cannot start the thread that reads the file");
        goto out;
    }
    started_ms = time_now_ms();
    r = import_rows(im, &rr, eb);
    reader_finish(&rr);
    if (r != 0)
        goto out;
    rows_ms = time_now_ms();
    if (im->bulk && (r = store_bd_bulk_end(ctx->st)) != 0) {
        r = errbuf_set(eb, r, "cannot build the indexes of the %s", im->rules.e->plural);
        goto out;
    }
    indexed_ms = time_now_ms();
    if (im->in_tx && (r = store_commit(ctx->st)) != 0) {
        r = errbuf_set(eb, r, "cannot commit the last rows");
        goto out;
    }
    im->in_tx = 0;
    log_info("import", "%s: rows stored in %lld ms, indexes built in %lld ms, committed in %lld ms",
             im->rules.e->plural, (long long)(rows_ms - started_ms),
             (long long)(indexed_ms - rows_ms), (long long)(time_now_ms() - indexed_ms));
    /* A large file (a bulk load, or PostgreSQL's batches, which it declines) may have changed
     * the table's size by orders of magnitude: plan with that. The rows are committed by now,
     * so a failure here is reported but does not fail the import. */
    if (lines >= BD_IMPORT_BULK_MIN_ROWS && (r = store_refresh_statistics(ctx->st)) != 0)
        log_warn("import", "the rows landed, but refreshing the statistics of the %s failed: %s",
                 im->rules.e->plural, err_message(r));
    if (opt->on_progress)
        opt->on_progress(opt->cb_ctx, (int64_t)len);
    r = 0;
out:
    if (im->in_tx) {
        store_rollback(ctx->st);              /* a bulk load's indexes come back with it */
        rep->created = im->committed_created; /* the open batch (a bulk load: all) is undone */
        rep->updated = im->committed_updated;
    }
    keyset_cleanup(&im->keys); /* zeroed when never set up: a no-op */
    free(im->rules.areas.codes);
    sodium_memzero(im, sizeof(*im));
    free(im);
    free(row);
    return r;
}

/* ---- export ----------------------------------------------------------------------------- */

struct exporter {
    const struct bd_entity *e;
    const struct secret_key *key; /* NULL: masked */
    FILE *csv;
    lxw_workbook *book;
    lxw_worksheet *sheet;
    lxw_format *bold;
    uint32_t row;
    int64_t rows;
    int64_t last_id;
    int failed;
};

/* Write one cell (CSV field or worksheet cell). */
static void put_cell(struct exporter *x, int col, int last, const char *v)
{
    if (x->csv) {
        struct buf b;
        buf_init(&b, (size_t)4 * BD_VALUE_MAX);
        if (csv_write_field(&b, v, last) != 0 || fwrite(b.data, 1, b.len, x->csv) != b.len)
            x->failed = 1;
        buf_cleanup(&b);
    } else if (worksheet_write_string(x->sheet, x->row, (lxw_col_t)col, v,
                                      x->row == 0 ? x->bold : NULL) != LXW_NO_ERROR) {
        x->failed = 1;
    }
}

static void put_header(struct exporter *x)
{
    const struct bd_entity *e = x->e;
    put_cell(x, 0, 0, "id");
    put_cell(x, 1, e->n_fields == 0, "area_code");
    for (int i = 0; i < e->n_fields; i++)
        put_cell(x, i + 2, i == e->n_fields - 1, e->fields[i].name);
    x->row++;
}

static int export_one(void *arg, struct bd_view *v)
{
    struct exporter *x = arg;
    const struct bd_entity *e = x->e;
    char id[24], context[SECRET_CONTEXT_MAX + 1];
    snprintf(id, sizeof(id), "%lld", (long long)v->rec.id);
    put_cell(x, 0, 0, id);
    put_cell(x, 1, 0, v->rec.cell_code);
    for (int i = 0; i < e->n_fields; i++) {
        const struct bd_field *f = &e->fields[i];
        const char *value = v->rec.v[i].text ? v->rec.v[i].text : "";
        char *plain = NULL;
        if (bd_field_is_personal(f)) {
            value = v->rec.v[i].masked ? v->rec.v[i].masked : "";
            if (x->key && v->rec.v[i].text && v->rec.v[i].text[0]) {
                field_context(e, f, context, sizeof(context));
                if (secret_decrypt(x->key, v->rec.v[i].text, context, &plain) != 0)
                    return ERR_INTERNAL;
                value = plain;
            }
        }
        put_cell(x, i + 2, i == e->n_fields - 1, value);
        secret_plaintext_free(plain);
    }
    x->row++;
    x->rows++;
    x->last_id = v->rec.id;
    return x->failed ? ERR_IO : 0;
}

int basedata_export(struct service_ctx *ctx, const struct principal *p, enum bd_kind kind,
                    const char *area, const struct bd_reveal *reveal, enum bd_export_format fmt,
                    const char *path, int64_t *rows, struct errbuf *eb)
{
    struct exporter x;
    struct bd_query q;
    char tmp[1100];
    int r = 0;

    memset(&x, 0, sizeof(x));
    *rows = 0;
    x.e = bd_entity(kind);
    if (x.e == NULL)
        return errbuf_set(eb, ERR_INVALID, "unknown kind of record");
    if (p && (r = query_area(p, area, &area, eb)) != 0)
        return r;
    if (area == NULL)
        area = "";
    if (reveal) {
        if (p && (r = may_reveal(p, reveal, eb)) != 0)
            return r;
        if (!p && (r = basedata_check_reason(reveal->reason, eb)) != 0)
            return r;
        if ((r = service_ctx_key(ctx, &x.key, eb)) != 0)
            return r;
    }
    if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
        return errbuf_set(eb, ERR_INVALID, "the output path is too long");
    if (fmt == BD_EXPORT_CSV) {
        if ((x.csv = fopen(tmp, "w")) == NULL)
            return errbuf_set(eb, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    } else {
        if ((x.book = workbook_new(tmp)) == NULL)
            return errbuf_set(eb, ERR_IO, "cannot write %s", tmp);
        x.sheet = workbook_add_worksheet(x.book, x.e->label_zh);
        x.bold = workbook_add_format(x.book);
        format_set_bold(x.bold);
    }
    put_header(&x);
    memset(&q, 0, sizeof(q));
    q.kind = kind;
    q.area = area;
    q.limit = BASEDATA_PAGE_MAX;
    for (;;) {
        int64_t before = x.rows;
        q.after_id = x.last_id;
        /* Listed as the system: scope was checked above; decryption is this function's. */
        if ((r = basedata_list(ctx, NULL, &q, NULL, export_one, &x, eb)) != 0)
            break;
        if (x.rows - before < q.limit)
            break;
    }
    if (r == 0 && reveal) {
        /* One entry for the whole export: who, the subtree, which fields, why. */
        char fields[64] = "", reason[BASEDATA_REASON_MAX + 1];
        size_t len = 0;
        for (int i = 0; i < x.e->n_fields; i++)
            if (bd_field_is_personal(&x.e->fields[i]))
                len += (size_t)snprintf(fields + len, sizeof(fields) - len, "%s%s", len ? "," : "",
                                        x.e->fields[i].name);
        if (snprintf(reason, sizeof(reason), "%s (%s, %lld rows)", reveal->reason, x.e->plural,
                     (long long)x.rows) >= (int)sizeof(reason))
            reason[sizeof(reason) - 2] = '~'; /* cut: mark it */
        r = basedata_log_access(ctx, p, "export", 0, area, fields, reason, reveal->now_ms, eb);
    }
    if (x.csv && fclose(x.csv) != 0 && r == 0)
        r = errbuf_set(eb, ERR_IO, "cannot write %s: %s", tmp, strerror(errno));
    if (x.book && workbook_close(x.book) != LXW_NO_ERROR && r == 0)
        r = errbuf_set(eb, ERR_IO, "cannot write the workbook %s", tmp);
    if (r == 0 && x.failed)
        r = errbuf_set(eb, ERR_IO, "cannot write %s", tmp);
    if (r == 0 && rename(tmp, path) != 0)
        r = errbuf_set(eb, ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (r != 0)
        unlink(tmp);
    *rows = x.rows;
    return r;
}

/* ---- retention -------------------------------------------------------------------------- */

struct retention_walk {
    struct service_ctx *ctx;
    int dry_run;
    int64_t now_ms;
    int64_t last_id;
    int64_t seen;
    const char *before;
};

static int retain_one(void *arg, struct bd_record *rec)
{
    struct retention_walk *w = arg;
    char reason[64];
    int r;
    w->last_id = rec->id;
    w->seen++;
    if (w->dry_run)
        return 0;
    if ((r = store_bd_anonymise_person(w->ctx->st, rec->id, w->now_ms)) != 0)
        return r;
    snprintf(reason, sizeof(reason), "retention: left before %s", w->before);
    return basedata_log_access(w->ctx, NULL, "person", rec->id, rec->cell_code, "anonymised",
                               reason, w->now_ms, NULL);
}

int basedata_retention(struct service_ctx *ctx, int64_t now_ms, int dry_run,
                       struct bd_retention_report *rep, struct errbuf *eb)
{
    struct retention_walk w;
    char before[24];
    int key = time_local_date_key(now_ms, 8 * 60), r;
    int64_t reporter_before =
        now_ms - (int64_t)ctx->cfg->retention_reporter_years * 365 * 86400 * 1000;

    memset(rep, 0, sizeof(*rep));
    snprintf(before, sizeof(before), "%04d-%02d-%02d",
             key / 10000 - ctx->cfg->retention_moved_years, key / 100 % 100, key % 100);
    memset(&w, 0, sizeof(w));
    w.ctx = ctx;
    w.dry_run = dry_run;
    w.now_ms = now_ms;
    w.before = before;
    for (;;) {
        int64_t seen = w.seen;
        if ((r = store_begin(ctx->st)) != 0)
            return errbuf_set(eb, r, "cannot start a transaction");
        r = store_bd_retention_persons(ctx->st, before, w.last_id, 1000, retain_one, &w);
        if (r == 0)
            r = store_commit(ctx->st);
        else
            store_rollback(ctx->st);
        if (r != 0)
            return errbuf_set(eb, r, "retention of persons failed");
        if (w.seen - seen < 1000)
            break;
    }
    rep->persons = w.seen;
    if ((r = store_case_clear_reporters(ctx->st, reporter_before, dry_run, &rep->reporters)) != 0)
        return errbuf_set(eb, r, "retention of case reporters failed");
    if (!dry_run)
        log_info("retention",
                 "anonymised %lld persons who left before %s; cleared the reporters "
                 "of %lld closed cases",
                 (long long)rep->persons, before, (long long)rep->reporters);
    return 0;
}

int basedata_seal(const struct secret_key *key, enum bd_kind kind, int field, const char *plain,
                  struct bd_value *out)
{
    const struct bd_entity *e = bd_entity(kind);
    struct sealed sd;
    memset(out, 0, sizeof(*out));
    if (e == NULL || field < 0 || field >= e->n_fields || !bd_field_is_personal(&e->fields[field]))
        return ERR_INVALID;
    if (seal(key, NULL, e, &e->fields[field], plain, &sd) != 0)
        return ERR_INTERNAL;
    out->text = sd.text;
    out->hash = sd.hash;
    out->masked = sd.masked;
    return 0;
}
