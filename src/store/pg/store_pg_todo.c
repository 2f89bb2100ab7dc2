/*
 * store_pg_todo.c - TEMPORARY: the PostgreSQL ops not yet written, each failing with
 * ERR_INTERNAL. Porting a module means deleting its block here. This file goes once empty.
 */
#include "store/pg/pg_internal.h"

/* ==== volunteers (store_pg_volunteers.c) ==== */

const char pg_schema_volunteers[] = "";

int pg_volunteer_insert(struct store *st, struct volunteer_rec *v)
{
    (void)st;
    (void)v;
    return ERR_INTERNAL;
}

int pg_volunteer_update(struct store *st, const struct volunteer_rec *v)
{
    (void)st;
    (void)v;
    return ERR_INTERNAL;
}

int pg_volunteer_get(struct store *st, int64_t id, struct volunteer_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_volunteer_list(struct store *st, const struct volunteer_filter *f, store_volunteer_fn fn,
                      void *ctx)
{
    (void)st;
    (void)f;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_volunteer_loads(struct store *st, const char *area, int64_t since_ms, store_load_fn fn,
                       void *ctx)
{
    (void)st;
    (void)area;
    (void)since_ms;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_need_insert(struct store *st, struct need_rec *n)
{
    (void)st;
    (void)n;
    return ERR_INTERNAL;
}

int pg_need_get(struct store *st, int64_t id, struct need_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_need_list(struct store *st, const struct need_filter *f, store_need_fn fn, void *ctx)
{
    (void)st;
    (void)f;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_need_assign(struct store *st, int64_t need_id, int64_t volunteer_id, int64_t by,
                   int64_t at_ms)
{
    (void)st;
    (void)need_id;
    (void)volunteer_id;
    (void)by;
    (void)at_ms;
    return ERR_INTERNAL;
}

int pg_need_assignments(struct store *st, int64_t need_id, store_assignment_fn fn, void *ctx)
{
    (void)st;
    (void)need_id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_post_insert(struct store *st, struct post_rec *p)
{
    (void)st;
    (void)p;
    return ERR_INTERNAL;
}

int pg_post_get(struct store *st, int64_t id, struct post_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_post_list(struct store *st, const char *area, store_post_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_post_member_add(struct store *st, struct post_member *m)
{
    (void)st;
    (void)m;
    return ERR_INTERNAL;
}

int pg_post_member_get(struct store *st, int64_t id, struct post_member *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_post_members(struct store *st, int64_t post_id, store_member_fn fn, void *ctx)
{
    (void)st;
    (void)post_id;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_hours_insert(struct store *st, struct hours_rec *h)
{
    (void)st;
    (void)h;
    return ERR_INTERNAL;
}

int pg_hours_day_total(struct store *st, const char *member_kind, int64_t person_key,
                       int64_t day_ms, int64_t *minutes)
{
    (void)st;
    (void)member_kind;
    (void)person_key;
    (void)day_ms;
    (void)minutes;
    return ERR_INTERNAL;
}

int pg_hours_totals(struct store *st, const char *member_kind, int64_t person_key, int64_t from_ms,
                    int64_t to_ms, store_hours_total_fn fn, void *ctx)
{
    (void)st;
    (void)member_kind;
    (void)person_key;
    (void)from_ms;
    (void)to_ms;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_chief_insert(struct store *st, struct chief_rec *c)
{
    (void)st;
    (void)c;
    return ERR_INTERNAL;
}

int pg_chief_get(struct store *st, int64_t id, struct chief_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_chief_list(struct store *st, const char *area, store_chief_fn fn, void *ctx)
{
    (void)st;
    (void)area;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

/* ==== end of volunteers ==== */

/* ==== ratings (store_pg_ratings.c) ==== */

const char pg_schema_ratings[] = "";

int pg_survey_insert(struct store *st, struct survey_rec *s)
{
    (void)st;
    (void)s;
    return ERR_INTERNAL;
}

int pg_survey_get(struct store *st, int64_t id, struct survey_rec *out)
{
    (void)st;
    (void)id;
    (void)out;
    return ERR_INTERNAL;
}

int pg_survey_list(struct store *st, int limit, store_survey_fn fn, void *ctx)
{
    (void)st;
    (void)limit;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_survey_response_insert(struct store *st, const struct survey_response_rec *r)
{
    (void)st;
    (void)r;
    return ERR_INTERNAL;
}

int pg_survey_sums(struct store *st, int64_t survey_id, int from_day, int to_day, const char *area,
                   int key_len, store_survey_sums_fn fn, void *ctx)
{
    (void)st;
    (void)survey_id;
    (void)from_day;
    (void)to_day;
    (void)area;
    (void)key_len;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

int pg_star_rating_insert(struct store *st, const struct star_rating_rec *r)
{
    (void)st;
    (void)r;
    return ERR_INTERNAL;
}

int pg_star_rating_count(struct store *st, int year, const char *area, int64_t *out)
{
    (void)st;
    (void)year;
    (void)area;
    (void)out;
    return ERR_INTERNAL;
}

int pg_star_rating_list(struct store *st, int year, const char *area, store_star_fn fn, void *ctx)
{
    (void)st;
    (void)year;
    (void)area;
    (void)fn;
    (void)ctx;
    return ERR_INTERNAL;
}

/* ==== end of ratings ==== */
