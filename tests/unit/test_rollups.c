/*
 * test_rollups.c - the roll-up property: after a random workload driven through the real case
 * service (the demo city's year of cases: reports on every channel, accept/dispatch/sign/
 * handle/verify/close, rework, escalation, extensions, suspension, ratings and reopening,
 * yellow and red cards from the deadline sweep), the incrementally kept roll-ups equal a full
 * recount from the event log, cell by cell and bucket by bucket. The seed is random (printed;
 * GRIDGOV_TEST_SEED repeats one).
 *
 * Also: the totals agree with the cases' current state counted with plain SQL (so the deltas
 * are right, not merely consistent); a tampered cell is caught by verify and repaired by a
 * rebuild; a community's months and children read the same after a recount and match the
 * cases counted with plain SQL; a database marked stale by the migration is rebuilt when a
 * context opens it; and
 * every grouping of rollups_query sums to the total; reports written by the group-commit writer
 * from several threads at once (roll-up deltas summed per batch in memory), with a job that is
 * undone after its report succeeded in the same batches, still equal a recount.
 *
 * The database is a testdb (testdb.h), so the test runs on either backend; the plain-SQL checks
 * read the backend directly (sql_text).
 */
#include "service/rollups.h"

#include "base/config.h"
#include "base/timeutil.h"
#include "domain/calendar.h"
#include "service/auth.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/demo.h"
#include "service/demo_cases.h"
#include "service/rules.h"
#include "service/writer.h"
#include "testdb.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define END_MS 1780243200000LL /* 2026-06-01 00:00 in UTC+8 */

static struct testdb tdb; /* the group's database, on the run's backend */
static uint64_t seed;

/* A context on the test database over cfg, which the context borrows until freed: each
 * thread needs its own (config_defaults rewrites it while other contexts would read it). */
static int open_ctx_on(struct config *cfg, struct service_ctx **ctx)
{
    struct errbuf eb = {{0}};
    int r;
    config_defaults(cfg);
    if (config_set(cfg, "db", tdb.url, &eb) != 0)
        return -1;
    if ((r = service_ctx_open(cfg, 0, ctx, &eb)) != 0)
        print_message("# service_ctx_open: %s\n", errbuf_message(&eb, r));
    return r;
}

/* The main thread's contexts, one at a time. */
static int open_ctx(struct service_ctx **ctx)
{
    static struct config cfg;
    return open_ctx_on(&cfg, ctx);
}

/* A context on the test database; the test cannot go on without one. */
static struct service_ctx *open_ctx_or_abort(void)
{
    struct service_ctx *ctx = NULL;
    if (open_ctx(&ctx) != 0 || ctx == NULL) {
        print_message("# cannot open a service context on %s\n", tdb.url);
        abort();
    }
    return ctx;
}

static int group_setup(void **state)
{
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct service_ctx *ctx = NULL;
    struct demo_result city_res;
    struct demo_cases_options opt;
    struct demo_cases_result res;
    const char *env = getenv("GRIDGOV_TEST_SEED");
    int r;
    (void)state;
    seed = env ? strtoull(env, NULL, 10) : (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 20);
    print_message("# seed %llu (GRIDGOV_TEST_SEED=%llu repeats this run)\n",
                  (unsigned long long)seed, (unsigned long long)seed);
    if (auth_global_init() != 0)
        return -1;
    if (testdb_create(&tdb) != 0)
        return -1;
    {
        struct demo_options city = {"small", seed, "demo-password-1", NULL};
        if (store_open(tdb.url, STORE_CREATE, &st, &eb) != 0) {
            print_message("# open %s: %s\n", tdb.url, eb.msg);
            return -1;
        }
        r = demo_generate(st, &city, &city_res, &eb);
        store_close(st);
        if (r != 0) {
            print_message("# demo_generate: %s\n", errbuf_message(&eb, r));
            return -1;
        }
    }
    if (open_ctx(&ctx) != 0)
        return -1;
    memset(&opt, 0, sizeof(opt));
    opt.scale = "small";
    opt.seed = seed;
    opt.end_ms = END_MS;
    r = demo_cases_generate(ctx, &opt, &res, &eb);
    service_ctx_free(ctx);
    if (r != 0) {
        print_message("# demo_cases_generate: %s\n", errbuf_message(&eb, r));
        return -1;
    }
    print_message("# %lld cases, %lld actions\n", (long long)res.cases, (long long)res.actions);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    testdb_destroy(&tdb);
    return 0;
}

/* The first column of the one row sql returns, as text, read on the backend directly (plain
 * SQL that both backends understand). */
static void sql_text(const char *sql, char *out, size_t size)
{
    char err[256] = "";
    out[0] = '\0';
    if (tdb.is_pg) {
        PGconn *conn = PQconnectdb(tdb.url);
        PGresult *res = PQexec(conn, sql);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
            snprintf(out, size, "%s", PQgetvalue(res, 0, 0));
        else
            snprintf(err, sizeof(err), "%s", PQerrorMessage(conn));
        PQclear(res);
        PQfinish(conn);
    } else {
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_open_v2(tdb.url, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
            snprintf(err, sizeof(err), "%s", sqlite3_errmsg(db));
        else if (sqlite3_step(stmt) == SQLITE_ROW)
            snprintf(out, size, "%s", (const char *)sqlite3_column_text(stmt, 0));
        else
            snprintf(err, sizeof(err), "no row");
        sqlite3_finalize(stmt);
        sqlite3_close(db);
    }
    if (err[0] != '\0')
        fail_msg("%s: %s", sql, err);
}

static int64_t sql_count(const char *sql)
{
    char text[64];
    sql_text(sql, text, sizeof(text));
    return strtoll(text, NULL, 10);
}

static void verify_equal(struct service_ctx *ctx, struct rollups_recount_stats *stats)
{
    const struct case_rules *rules;
    assert_int_equal(rules_get(ctx, &rules), 0);
    assert_int_equal(rollups_verify(ctx->st, rules->cal, stats), 0);
}

static void test_rollups_equal_recount(void **state)
{
    struct service_ctx *ctx = NULL;
    struct rollups_recount_stats stats;
    (void)state;
    ctx = open_ctx_or_abort();
    verify_equal(ctx, &stats);
    assert_int_equal(stats.cells_differing, 0);
    assert_int_equal(stats.cases, sql_count("SELECT count(*) FROM cases"));
    assert_int_equal(stats.events, sql_count("SELECT count(*) FROM case_events"));
    assert_true(stats.cases > 1000);
    service_ctx_free(ctx);
}

struct total {
    struct rollup_counters c;
    int rows;
};

static int take_total(void *arg, const char *key, const struct rollup_counters *sum)
{
    struct total *t = arg;
    (void)key;
    indicator_counters_add(&t->c, sum);
    t->rows++;
    return 0;
}

static void query(struct store *st, const char *area, enum rollups_by by, struct total *t)
{
    memset(t, 0, sizeof(*t));
    assert_int_equal(rollups_query(st, area, 20250101, 20261231, "", by, take_total, t), 0);
}

static void test_totals_match_case_states(void **state)
{
    struct service_ctx *ctx = NULL;
    struct total t;
    const int64_t *v;
    (void)state;
    ctx = open_ctx_or_abort();
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &t);
    assert_int_equal(t.rows, 1);
    v = t.c.v;
    assert_int_equal(v[RF_collected], sql_count("SELECT count(*) FROM cases"));
    assert_int_equal(v[RF_patrol_found],
                     sql_count("SELECT count(*) FROM cases WHERE channel = 'patrol'"));
    assert_int_equal(v[RF_rejected],
                     sql_count("SELECT count(*) FROM cases WHERE status = 'rejected'"));
    assert_int_equal(v[RF_merged], sql_count("SELECT count(*) FROM cases WHERE status = 'merged'"));
    assert_int_equal(v[RF_suspended],
                     sql_count("SELECT count(*) FROM cases WHERE status = 'suspended'"));
    assert_int_equal(v[RF_closed], sql_count("SELECT count(*) FROM cases WHERE status IN "
                                             "('closed', 'evaluated')"));
    assert_true(v[RF_closed] > 0);
    assert_int_equal(v[RF_closed_on_time],
                     sql_count("SELECT count(*) FROM cases WHERE status IN ('closed', "
                               "'evaluated') AND (resolve_due_ms = 0 OR closed_ms <= "
                               "resolve_due_ms)"));
    assert_int_equal(v[RF_closed_resolved],
                     sql_count("SELECT count(*) FROM cases WHERE status IN ('closed', "
                               "'evaluated') AND outcome = 'resolved'"));
    assert_int_equal(v[RF_closed_low_level],
                     sql_count("SELECT count(*) FROM cases WHERE status IN ('closed', "
                               "'evaluated') AND queue_level >= 5"));
    assert_int_equal(v[RF_evaluated], sql_count("SELECT count(*) FROM cases WHERE rating > 0"));
    assert_int_equal(v[RF_satisfied], sql_count("SELECT count(*) FROM cases WHERE rating >= 4"));
    assert_int_equal(v[RF_rating_sum], sql_count("SELECT coalesce(sum(rating), 0) FROM cases"));
    assert_int_equal(v[RF_reworks],
                     sql_count("SELECT count(*) FROM case_events WHERE action = 'rework'"));
    assert_int_equal(v[RF_escalated_cases],
                     sql_count("SELECT count(DISTINCT case_id) FROM case_events WHERE action = "
                               "'escalate'"));
    assert_int_equal(v[RF_red_cards],
                     sql_count("SELECT count(*) FROM case_events WHERE action = 'supervise' AND "
                               "payload LIKE '%\"red_card\"%'"));
    {
        int64_t closes = 0;
        for (int k = 0; k < ROLLUP_HIST_BUCKETS; k++) {
            assert_true(t.c.hist[k] >= 0);
            closes += t.c.hist[k];
        }
        assert_int_equal(closes, v[RF_closed]);
    }
    service_ctx_free(ctx);
}

static void test_groupings_sum_to_total(void **state)
{
    struct service_ctx *ctx = NULL;
    struct total all, part;
    static const enum rollups_by bys[] = {ROLLUPS_BY_DAY, ROLLUPS_BY_WEEK, ROLLUPS_BY_MONTH,
                                          ROLLUPS_BY_CATEGORY, ROLLUPS_BY_CHILD};
    (void)state;
    ctx = open_ctx_or_abort();
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &all);
    for (size_t i = 0; i < sizeof(bys) / sizeof(bys[0]); i++) {
        query(ctx->st, "440605", bys[i], &part);
        assert_true(part.rows > 1);
        assert_memory_equal(&part.c, &all.c, sizeof(all.c));
    }
    /* Weeks and months are fewer than days. */
    query(ctx->st, "440605", ROLLUPS_BY_DAY, &part);
    assert_in_range(part.rows, 300, 366);
    query(ctx->st, "440605", ROLLUPS_BY_MONTH, &part);
    assert_in_range(part.rows, 12, 13);
    /* Upper levels hold the same totals (the province and city of the district). */
    query(ctx->st, "44", ROLLUPS_BY_TOTAL, &part);
    assert_memory_equal(&part.c, &all.c, sizeof(all.c));
    query(ctx->st, "4406", ROLLUPS_BY_TOTAL, &part);
    assert_memory_equal(&part.c, &all.c, sizeof(all.c));
    /* An empty selection is one row of zeros; bad input is refused. */
    memset(&part, 0, sizeof(part));
    assert_int_equal(rollups_query(ctx->st, "440605", 20200101, 20200131, "", ROLLUPS_BY_TOTAL,
                                   take_total, &part),
                     0);
    assert_int_equal(part.rows, 1);
    assert_true(indicator_counters_is_zero(&part.c));
    assert_int_equal(rollups_query(ctx->st, "4406x5", 20250101, 20250131, "", ROLLUPS_BY_TOTAL,
                                   take_total, &part),
                     ERR_INVALID);
    assert_int_equal(rollups_query(ctx->st, "440605", 20250231, 20250301, "", ROLLUPS_BY_TOTAL,
                                   take_total, &part),
                     ERR_INVALID);
    assert_int_equal(rollups_query(ctx->st, "440605", 20250301, 20250201, "", ROLLUPS_BY_TOTAL,
                                   take_total, &part),
                     ERR_INVALID);
    service_ctx_free(ctx);
}

static void query_range(struct store *st, const char *area, int from, int to, enum rollups_by by,
                        struct total *t)
{
    memset(t, 0, sizeof(*t));
    assert_int_equal(rollups_query(st, area, from, to, "", by, take_total, t), 0);
}

/* Month cells (district and above) and day cells agree for ranges with and without whole
 * months, partial months at either end, across a year end. */
static void test_ranges_agree(void **state)
{
    static const int ranges[][2] = {
        {20250715, 20260210}, {20250801, 20250831}, {20250801, 20250830}, {20250802, 20250831},
        {20251215, 20260115}, {20250601, 20260531}, {20260201, 20260228}, {20251231, 20260101},
        {20250701, 20251130}, {20251115, 20251231},
    };
    /* The city's province, the district, and the street and community of the first case. */
    int64_t community = sql_count("SELECT substr(area_code, 1, 12) FROM cases ORDER BY id LIMIT 1");
    char areas[4][24];
    struct service_ctx *ctx = NULL;
    struct total days, t;
    (void)state;
    snprintf(areas[0], sizeof(areas[0]), "44");
    snprintf(areas[1], sizeof(areas[1]), "440605");
    snprintf(areas[2], sizeof(areas[2]), "%09lld", (long long)(community / 1000));
    snprintf(areas[3], sizeof(areas[3]), "%012lld", (long long)community);
    ctx = open_ctx_or_abort();
    for (size_t a = 0; a < sizeof(areas) / sizeof(areas[0]); a++) {
        const char *area = areas[a];
        query_range(ctx->st, area, 20250101, 20261231, ROLLUPS_BY_TOTAL, &t);
        assert_true(t.c.v[RF_collected] > 0);
        for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
            query_range(ctx->st, area, ranges[i][0], ranges[i][1], ROLLUPS_BY_DAY, &days);
            for (int by = ROLLUPS_BY_TOTAL; by <= ROLLUPS_BY_CHILD; by++) {
                query_range(ctx->st, area, ranges[i][0], ranges[i][1], (enum rollups_by)by, &t);
                if (memcmp(&t.c, &days.c, sizeof(t.c)) != 0)
                    fail_msg("area %s %d..%d by %s differs from the sum of its days", area,
                             ranges[i][0], ranges[i][1], rollups_by_name((enum rollups_by)by));
            }
        }
    }
    /* The demo year lies inside June 2025 .. May 2026: whole months give everything. */
    query_range(ctx->st, "440605", 20250601, 20260531, ROLLUPS_BY_TOTAL, &t);
    query_range(ctx->st, "440605", 20250101, 20261231, ROLLUPS_BY_TOTAL, &days);
    assert_memory_equal(&t.c, &days.c, sizeof(t.c));
    service_ctx_free(ctx);
}

/* The rows of a grouped query, by key. */
struct keyed {
    char key[32][24];
    struct rollup_counters c[32];
    int n;
};

static int take_keyed(void *arg, const char *key, const struct rollup_counters *sum)
{
    struct keyed *k = arg;
    assert_true(k->n < 32);
    snprintf(k->key[k->n], sizeof(k->key[k->n]), "%s", key);
    k->c[k->n++] = *sum;
    return 0;
}

static void query_keyed(struct store *st, const char *area, enum rollups_by by, struct keyed *k)
{
    memset(k, 0, sizeof(*k));
    assert_int_equal(rollups_query(st, area, 20250101, 20261231, "", by, take_keyed, k), 0);
}

/*
 * A community's year by month (its month cells, level 5 + ROLLUPS_MONTH_LEVEL) and by child
 * (its grids' cells), as kept live, equal the same queries after a full recount from the event
 * log, row by row and counter by counter, and each row's cases equal the cases counted with
 * plain SQL (reported that month in city time; of that grid).
 */
static void test_community_months_and_children_equal_recount(void **state)
{
    struct service_ctx *ctx = NULL;
    const struct case_rules *rules;
    struct rollups_recount_stats stats;
    struct keyed live_month, live_child, month, child;
    char community[AREA_CODE_BUF] = "", sql[512];
    int64_t total = 0;
    (void)state;
    sql_text("SELECT substr(area_code, 1, 12) FROM cases GROUP BY substr(area_code, 1, 12) "
             "ORDER BY count(*) DESC, substr(area_code, 1, 12) LIMIT 1",
             community, sizeof(community));
    assert_int_equal(strlen(community), 12);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM rollups WHERE level = %d AND area = '%s'",
             5 + ROLLUPS_MONTH_LEVEL, community);
    assert_true(sql_count(sql) > 0); /* the community keeps month cells */
    ctx = open_ctx_or_abort();
    query_keyed(ctx->st, community, ROLLUPS_BY_MONTH, &live_month);
    query_keyed(ctx->st, community, ROLLUPS_BY_CHILD, &live_child);
    assert_true(live_month.n >= 6);
    assert_true(live_child.n >= 2);
    assert_int_equal(rules_get(ctx, &rules), 0);
    assert_int_equal(rollups_rebuild(ctx->st, rules->cal, &stats), 0);
    query_keyed(ctx->st, community, ROLLUPS_BY_MONTH, &month);
    query_keyed(ctx->st, community, ROLLUPS_BY_CHILD, &child);
    assert_int_equal(month.n, live_month.n);
    assert_int_equal(child.n, live_child.n);
    for (int i = 0; i < month.n; i++) {
        int y = atoi(month.key[i]), m = atoi(month.key[i] + 5);
        int64_t from = time_days_from_civil(y, m, 1) * 86400000LL - 8LL * 3600000;
        int64_t to = from + (int64_t)time_days_in_month(y, m) * 86400000LL;
        assert_string_equal(month.key[i], live_month.key[i]);
        assert_memory_equal(&month.c[i], &live_month.c[i], sizeof(month.c[i]));
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM cases WHERE substr(area_code, 1, 12) = '%s' AND "
                 "created_ms >= %lld AND created_ms < %lld",
                 community, (long long)from, (long long)to);
        assert_int_equal(month.c[i].v[RF_collected], sql_count(sql));
        total += month.c[i].v[RF_collected];
    }
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM cases WHERE substr(area_code, 1, 12) = '%s'",
             community);
    assert_int_equal(total, sql_count(sql));
    for (int i = 0; i < child.n; i++) {
        assert_string_equal(child.key[i], live_child.key[i]);
        assert_int_equal(strlen(child.key[i]), 15);
        assert_memory_equal(&child.c[i], &live_child.c[i], sizeof(child.c[i]));
        snprintf(sql, sizeof(sql),
                 "SELECT count(*) FROM cases WHERE substr(area_code, 1, 15) = '%s'", child.key[i]);
        assert_int_equal(child.c[i].v[RF_collected], sql_count(sql));
    }
    service_ctx_free(ctx);
}

static void test_tamper_caught_and_rebuilt(void **state)
{
    struct service_ctx *ctx = NULL;
    struct rollups_recount_stats stats;
    struct rollup_counters d;
    const struct case_rules *rules;
    struct total before, after;
    (void)state;
    ctx = open_ctx_or_abort();
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &before);
    indicator_counters_clear(&d);
    d.v[RF_closed] = 1;
    d.hist[7] = 1;
    assert_int_equal(store_rollup_add(ctx->st, ROLLUP_LIVE, 3, "440605", 20250704, "0101", &d), 0);
    verify_equal(ctx, &stats);
    assert_true(stats.cells_differing >= 1);
    assert_int_equal(rules_get(ctx, &rules), 0);
    assert_int_equal(rollups_rebuild(ctx->st, rules->cal, &stats), 0);
    verify_equal(ctx, &stats);
    assert_int_equal(stats.cells_differing, 0);
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &after);
    assert_memory_equal(&before.c, &after.c, sizeof(before.c));
    service_ctx_free(ctx);
}

static void test_stale_database_rebuilt_on_open(void **state)
{
    struct service_ctx *ctx = NULL;
    struct rollups_recount_stats stats;
    struct total t;
    char stale[8];
    (void)state;
    /* As a database migrated from before the roll-ups: empty tables, marked stale. */
    ctx = open_ctx_or_abort();
    assert_int_equal(store_rollup_clear(ctx->st, ROLLUP_LIVE), 0);
    assert_int_equal(store_meta_set(ctx->st, "rollups_stale", "1"), 0);
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &t);
    assert_int_equal(t.c.v[RF_collected], 0);
    service_ctx_free(ctx);

    ctx = open_ctx_or_abort();
    assert_int_equal(store_meta_get(ctx->st, "rollups_stale", stale, sizeof(stale)), 0);
    assert_string_equal(stale, "0");
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &t);
    assert_int_equal(t.c.v[RF_collected], sql_count("SELECT count(*) FROM cases"));
    verify_equal(ctx, &stats);
    assert_int_equal(stats.cells_differing, 0);
    service_ctx_free(ctx);
}

/* ---- the group-commit writer's per-batch roll-ups ----------------------------------------- */

#define WRITER_THREADS 4
#define WRITER_REPORTS 60 /* per thread */

struct reporter {
    struct writer *w;
    const char *area;
    int failures;
};

static void fill_report(struct case_report *in, const char *area, int i)
{
    static const char *const categories[] = {"0101", "0204", "0801"};
    memset(in, 0, sizeof(*in));
    in->channel = i % 5 == 0 ? "patrol" : "phone";
    in->category = categories[i % 3];
    in->description = "a street light is out";
    in->area_code = area;
    in->now_ms = END_MS - (int64_t)(i % 4) * 86400000LL; /* several day cells */
}

static void *reporter_main(void *arg)
{
    struct reporter *rep = arg;
    struct config cfg; /* this thread's: its context borrows it until freed below */
    struct service_ctx *ctx = NULL;
    struct principal p;
    if (open_ctx_on(&cfg, &ctx) != 0) {
        rep->failures = WRITER_REPORTS;
        return NULL;
    }
    ctx->writer = rep->w;
    memset(&p, 0, sizeof(p));
    p.user_id = 1;
    p.role = ROLE_DISPATCHER;
    snprintf(p.scope, sizeof(p.scope), "440605");
    for (int i = 0; i < WRITER_REPORTS; i++) {
        struct case_report in;
        struct case_rec c;
        struct errbuf eb = {{0}};
        fill_report(&in, rep->area, i);
        if (cases_report(ctx, &p, &in, &c, NULL, &eb) != 0)
            rep->failures++;
        else
            case_rec_cleanup(&c);
    }
    service_ctx_free(ctx);
    return NULL;
}

/* A writer job that reports a case and then fails: its savepoint is rolled back, so its
 * roll-up deltas must not be written with the batch. */
static int undone_job(struct service_ctx *ctx, void *arg)
{
    struct reporter *rep = arg;
    struct principal p;
    struct case_report in;
    struct case_rec c;
    struct errbuf eb = {{0}};
    int r;
    memset(&p, 0, sizeof(p));
    p.user_id = 1;
    p.role = ROLE_DISPATCHER;
    snprintf(p.scope, sizeof(p.scope), "440605");
    fill_report(&in, rep->area, 1);
    if ((r = store_begin(ctx->st)) != 0)
        return r;
    r = cases_report(ctx, &p, &in, &c, NULL, &eb);
    if (r == 0)
        case_rec_cleanup(&c);
    else
        rep->failures++;
    store_rollback(ctx->st);
    return ERR_CONFLICT;
}

static void *undoer_main(void *arg)
{
    struct reporter *rep = arg;
    for (int i = 0; i < WRITER_REPORTS / 4; i++)
        if (writer_run(rep->w, undone_job, rep) != ERR_CONFLICT)
            rep->failures++;
    return NULL;
}

static void test_writer_batches_equal_recount(void **state)
{
    static struct config cfg; /* the writer borrows it until stopped */
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct writer *w = NULL;
    struct writer_stats ws;
    struct rollups_recount_stats stats;
    struct reporter reps[WRITER_THREADS + 1];
    pthread_t threads[WRITER_THREADS + 1];
    struct total before, after;
    int64_t cases_before = sql_count("SELECT count(*) FROM cases");
    char area[AREA_CODE_BUF] = "";
    (void)state;
    sql_text("SELECT code FROM areas WHERE level = 6 AND code LIKE '440605%' ORDER BY code LIMIT 1",
             area, sizeof(area));
    ctx = open_ctx_or_abort();
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &before);
    config_defaults(&cfg);
    assert_int_equal(config_set(&cfg, "db", tdb.url, &eb), 0);
    assert_int_equal(writer_start(&cfg, &w, &eb), 0);
    for (int i = 0; i <= WRITER_THREADS; i++) {
        reps[i] = (struct reporter){w, area, 0};
        assert_int_equal(pthread_create(&threads[i], NULL,
                                        i < WRITER_THREADS ? reporter_main : undoer_main, &reps[i]),
                         0);
    }
    for (int i = 0; i <= WRITER_THREADS; i++) {
        pthread_join(threads[i], NULL);
        assert_int_equal(reps[i].failures, 0);
    }
    writer_get_stats(w, &ws);
    writer_stop(w);
    print_message("# %lld writer jobs in %lld batches\n", ws.jobs, ws.batches);
    assert_int_equal(ws.failed_commits, 0);
    assert_int_equal(sql_count("SELECT count(*) FROM cases") - cases_before,
                     WRITER_THREADS * WRITER_REPORTS);
    query(ctx->st, "440605", ROLLUPS_BY_TOTAL, &after);
    assert_int_equal(after.c.v[RF_collected] - before.c.v[RF_collected],
                     WRITER_THREADS * WRITER_REPORTS);
    verify_equal(ctx, &stats);
    assert_int_equal(stats.cells_differing, 0);
    service_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollups_equal_recount),
        cmocka_unit_test(test_totals_match_case_states),
        cmocka_unit_test(test_groupings_sum_to_total),
        cmocka_unit_test(test_ranges_agree),
        cmocka_unit_test(test_community_months_and_children_equal_recount),
        cmocka_unit_test(test_tamper_caught_and_rebuilt),
        cmocka_unit_test(test_stale_database_rebuilt_on_open),
        cmocka_unit_test(test_writer_batches_equal_recount),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
