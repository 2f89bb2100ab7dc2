/*
 * test_store_disputes.c - the storage of disputes and deliberation councils, through store.h
 * only, on the run's backend (testdb.h: SQLite by default, PostgreSQL in the 'pg' suite):
 * round trips, subtree scoping, optimistic updates, recurrences, append-only logs, statistics,
 * co-signers once, tasks, attendance, ballots that come back only as totals (and secret ones
 * that are not even linked to their voter in the database), and eligible voters of a village.
 * Only the secret-ballot and append-only tests read or write the database directly, in SQL
 * both backends take.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "store/store.h"
#include "testdb.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define T0  1767225600000LL /* 2026-01-01 */
#define DAY (24LL * 3600 * 1000)

/* The integer in the first column of the first row of sql, read directly from the database
 * (bypassing the store); -1 when the query fails or returns no row. */
static long long query_int(const struct store_fixture *f, const char *sql)
{
    long long v = -1;
    if (f->db.is_pg) {
        PGconn *conn = PQconnectdb(f->db.url);
        PGresult *res = PQexec(conn, sql);
        if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
            v = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
        PQclear(res);
        PQfinish(conn);
    } else {
        sqlite3 *db = NULL;
        sqlite3_stmt *stmt = NULL;
        if (sqlite3_open_v2(f->db.url, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
            sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
            sqlite3_step(stmt) == SQLITE_ROW)
            v = sqlite3_column_int64(stmt, 0);
        sqlite3_finalize(stmt);
        sqlite3_close(db);
    }
    return v;
}

static struct dispute_rec make_dispute(const char *area, const char *type, const char *key,
                                       int64_t found_ms)
{
    struct dispute_rec d;
    memset(&d, 0, sizeof(d));
    snprintf(d.area_code, sizeof(d.area_code), "%s", area);
    snprintf(d.title, sizeof(d.title), "%s", "邻里漏水");
    snprintf(d.type, sizeof(d.type), "%s", type);
    snprintf(d.risk, sizeof(d.risk), "%s", "low");
    snprintf(d.state, sizeof(d.state), "%s", "registered");
    snprintf(d.outcome, sizeof(d.outcome), "%s", "none");
    snprintf(d.parties_key, sizeof(d.parties_key), "%s", key);
    d.level = 5;
    d.found_ms = d.created_ms = d.updated_ms = found_ms;
    return d;
}

static void test_dispute_round_trip(void **state)
{
    struct store_fixture *f = *state;
    struct dispute_rec d = make_dispute("440605001001001", "neighbour", "p:1|p:2", T0);
    struct dispute_rec got;
    int64_t seq0;

    snprintf(d.summary, sizeof(d.summary), "%s", "楼上漏水到楼下");
    d.case_id = 42;
    assert_int_equal(store_dispute_insert(f->st, &d), 0);
    assert_true(d.id > 0);
    assert_int_equal(store_dispute_get(f->st, d.id, &got), 0);
    assert_string_equal(got.title, "邻里漏水");
    assert_string_equal(got.summary, "楼上漏水到楼下");
    assert_int_equal(got.case_id, 42);
    assert_int_equal(got.level, 5);
    assert_string_equal(got.outcome, "none");

    /* optimistic update: the right seq wins, a stale one conflicts */
    seq0 = got.event_seq;
    snprintf(got.state, sizeof(got.state), "%s", "accepted");
    got.event_seq = seq0 + 1;
    got.level = 4;
    assert_int_equal(store_dispute_update(f->st, &got, seq0), 0);
    got.event_seq = seq0 + 2;
    assert_int_equal(store_dispute_update(f->st, &got, seq0), ERR_CONFLICT);
    assert_int_equal(store_dispute_get(f->st, d.id, &got), 0);
    assert_string_equal(got.state, "accepted");
    assert_int_equal(got.level, 4);
    assert_int_equal(got.event_seq, seq0 + 1);
    /* the report's own fields are fixed */
    snprintf(got.title, sizeof(got.title), "%s", "changed");
    got.event_seq = seq0 + 2;
    assert_int_equal(store_dispute_update(f->st, &got, seq0 + 1), 0);
    assert_int_equal(store_dispute_get(f->st, d.id, &got), 0);
    assert_string_equal(got.title, "邻里漏水");
    got.id = 9999;
    assert_int_equal(store_dispute_update(f->st, &got, 0), ERR_NOT_FOUND);
    assert_int_equal(store_dispute_get(f->st, 9999, &got), ERR_NOT_FOUND);
}

static void test_dispute_list_and_recurrence(void **state)
{
    struct store_fixture *f = *state;
    struct dispute_rec a = make_dispute("440605001001001", "neighbour", "p:1|p:2", T0);
    struct dispute_rec b = make_dispute("440605001002001", "family", "p:3|p:4", T0 + DAY);
    struct dispute_rec c = make_dispute("440605002001001", "neighbour", "p:1|p:2", T0 + 2 * DAY);
    struct dispute_list list;
    struct dispute_filter flt;
    int64_t rec;

    assert_int_equal(store_dispute_insert(f->st, &a), 0);
    assert_int_equal(store_dispute_insert(f->st, &b), 0);
    assert_int_equal(store_dispute_insert(f->st, &c), 0);

    memset(&flt, 0, sizeof(flt));
    flt.area = "440605001";
    flt.limit = 10;
    assert_int_equal(store_dispute_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 2);
    assert_int_equal(list.items[0].id, b.id); /* newest first */
    assert_int_equal(list.items[1].id, a.id);
    dispute_list_cleanup(&list);

    flt.area = "440605";
    flt.type = "neighbour";
    assert_int_equal(store_dispute_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 2);
    dispute_list_cleanup(&list);
    flt.type = NULL;
    flt.from_ms = T0 + DAY;
    flt.to_ms = T0 + 2 * DAY;
    assert_int_equal(store_dispute_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 1);
    assert_int_equal(list.items[0].id, b.id);
    dispute_list_cleanup(&list);
    memset(&flt, 0, sizeof(flt));
    flt.area = "440605";
    flt.limit = 1;
    flt.before_id = c.id;
    assert_int_equal(store_dispute_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 1);
    assert_int_equal(list.items[0].id, b.id);
    dispute_list_cleanup(&list);

    assert_int_equal(store_dispute_find_recurrence(f->st, "p:1|p:2", c.id, &rec), 0);
    assert_int_equal(rec, a.id);
    assert_int_equal(store_dispute_find_recurrence(f->st, "p:1|p:2", a.id, &rec), 0);
    assert_int_equal(rec, 0);
    assert_int_equal(store_dispute_find_recurrence(f->st, "p:3|p:4", 0, &rec), 0);
    assert_int_equal(rec, b.id);
    assert_int_equal(store_dispute_find_recurrence(f->st, "", 0, &rec), 0);
    assert_int_equal(rec, 0);
}

static void test_dispute_children(void **state)
{
    struct store_fixture *f = *state;
    struct dispute_rec d = make_dispute("440605001001001", "labour_wages", "", T0);
    struct dispute_party p;
    struct dispute_mediator m;
    struct dispute_entry e;
    struct dispute_party_list parties;
    struct dispute_mediator_list mediators;
    struct dispute_entry_list entries;
    struct gov_event ev;
    struct gov_event_list events;
    int is_mediator;

    assert_int_equal(store_dispute_insert(f->st, &d), 0);
    memset(&p, 0, sizeof(p));
    p.dispute_id = d.id;
    snprintf(p.kind, sizeof(p.kind), "%s", "person");
    p.person_id = 7;
    snprintf(p.side, sizeof(p.side), "%s", "applicant");
    assert_int_equal(store_dispute_party_add(f->st, &p), 0);
    assert_int_equal(p.seq, 1);
    snprintf(p.kind, sizeof(p.kind), "%s", "outsider");
    p.person_id = 0;
    snprintf(p.name, sizeof(p.name), "%s", "包工头李某");
    snprintf(p.side, sizeof(p.side), "%s", "respondent");
    assert_int_equal(store_dispute_party_add(f->st, &p), 0);
    assert_int_equal(p.seq, 2);
    snprintf(p.kind, sizeof(p.kind), "%s", "alien"); /* refused by the schema */
    assert_int_not_equal(store_dispute_party_add(f->st, &p), 0);
    /* a party, mediator or session of a dispute that does not exist */
    snprintf(p.kind, sizeof(p.kind), "%s", "outsider");
    p.dispute_id = d.id + 100;
    assert_int_equal(store_dispute_party_add(f->st, &p), ERR_EXISTS);
    p.dispute_id = d.id;
    assert_int_equal(store_dispute_parties(f->st, d.id, &parties), 0);
    assert_int_equal(parties.len, 2);
    assert_int_equal(parties.items[0].person_id, 7);
    assert_string_equal(parties.items[1].name, "包工头李某");
    assert_string_equal(parties.items[1].side, "respondent");
    dispute_party_list_cleanup(&parties);

    memset(&m, 0, sizeof(m));
    m.dispute_id = d.id;
    snprintf(m.role, sizeof(m.role), "%s", "lawyer");
    snprintf(m.name, sizeof(m.name), "%s", "张律师");
    m.user_id = 5;
    m.assigned_ms = T0;
    assert_int_equal(store_dispute_mediator_add(f->st, &m), 0);
    assert_int_equal(store_dispute_mediators(f->st, d.id, &mediators), 0);
    assert_int_equal(mediators.len, 1);
    assert_string_equal(mediators.items[0].role, "lawyer");
    dispute_mediator_list_cleanup(&mediators);
    assert_int_equal(store_dispute_is_mediator(f->st, d.id, 5, &is_mediator), 0);
    assert_int_equal(is_mediator, 1);
    assert_int_equal(store_dispute_is_mediator(f->st, d.id, 6, &is_mediator), 0);
    assert_int_equal(is_mediator, 0);
    assert_int_equal(store_dispute_is_mediator(f->st, d.id, 0, &is_mediator), 0);
    assert_int_equal(is_mediator, 0);

    memset(&e, 0, sizeof(e));
    e.dispute_id = d.id;
    e.at_ms = T0 + DAY;
    e.user_id = 5;
    snprintf(e.text, sizeof(e.text), "%s", "first session");
    assert_int_equal(store_dispute_entry_add(f->st, DISPUTE_ENTRY_SESSION, &e), 0);
    snprintf(e.text, sizeof(e.text), "%s", "second session");
    assert_int_equal(store_dispute_entry_add(f->st, DISPUTE_ENTRY_SESSION, &e), 0);
    assert_int_equal(e.seq, 2);
    snprintf(e.text, sizeof(e.text), "%s", "visit: wages paid");
    assert_int_equal(store_dispute_entry_add(f->st, DISPUTE_ENTRY_FOLLOW_UP, &e), 0);
    assert_int_equal(e.seq, 1);
    assert_int_equal(store_dispute_entries(f->st, DISPUTE_ENTRY_SESSION, d.id, &entries), 0);
    assert_int_equal(entries.len, 2);
    assert_string_equal(entries.items[1].text, "second session");
    dispute_entry_list_cleanup(&entries);
    assert_int_equal(store_dispute_entries(f->st, DISPUTE_ENTRY_FOLLOW_UP, d.id, &entries), 0);
    assert_int_equal(entries.len, 1);
    assert_string_equal(entries.items[0].text, "visit: wages paid");
    dispute_entry_list_cleanup(&entries);

    memset(&ev, 0, sizeof(ev));
    ev.owner_id = d.id;
    ev.seq = 1;
    ev.at_ms = T0;
    snprintf(ev.action, sizeof(ev.action), "%s", "register");
    snprintf(ev.to_state, sizeof(ev.to_state), "%s", "registered");
    ev.payload = (char *)"{\"x\":1}";
    assert_int_equal(store_dispute_event_append(f->st, &ev), 0);
    assert_int_equal(store_dispute_event_append(f->st, &ev), ERR_CONFLICT);
    assert_int_equal(store_dispute_events(f->st, d.id, &events), 0);
    assert_int_equal(events.len, 1);
    assert_string_equal(events.items[0].payload, "{\"x\":1}");
    gov_event_list_cleanup(&events);
}

struct stats_acc {
    struct dispute_stats_row rows[8];
    int n;
};

static int collect_stats(void *ctx, const struct dispute_stats_row *row)
{
    struct stats_acc *acc = ctx;
    if (acc->n < 8)
        acc->rows[acc->n++] = *row;
    return 0;
}

static void test_dispute_stats(void **state)
{
    struct store_fixture *f = *state;
    struct {
        const char *area, *type, *state, *outcome;
        int sessions;
        int64_t recurrence_of;
        int64_t found;
    } rows[] = {
        {"440605001001001", "neighbour", "agreed", "agreement", 2, 0, T0},
        {"440605001001002", "neighbour", "concluded", "concluded", 1, 1, T0 + DAY},
        {"440605001002001", "neighbour", "referred", "referred_court", 1, 0, T0 + DAY},
        {"440605001002001", "neighbour", "mediating", "none", 1, 0, T0 + DAY},
        {"440605001002001", "family", "registered", "none", 0, 0, T0 + DAY},
        {"440605001002001", "family", "withdrawn", "withdrawn", 0, 0, T0 + 40 * DAY},
        {"440605002001001", "neighbour", "agreed", "agreement", 1, 0, T0}, /* other street */
    };
    struct stats_acc acc;

    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct dispute_rec d = make_dispute(rows[i].area, rows[i].type, "", rows[i].found);
        snprintf(d.state, sizeof(d.state), "%s", rows[i].state);
        snprintf(d.outcome, sizeof(d.outcome), "%s", rows[i].outcome);
        d.session_count = rows[i].sessions;
        d.recurrence_of = rows[i].recurrence_of;
        assert_int_equal(store_dispute_insert(f->st, &d), 0);
    }
    memset(&acc, 0, sizeof(acc));
    assert_int_equal(store_dispute_stats(f->st, "440605001", 0, 0, collect_stats, &acc), 0);
    assert_int_equal(acc.n, 2);
    assert_string_equal(acc.rows[0].type, "family");
    assert_int_equal(acc.rows[0].found, 2);
    assert_int_equal(acc.rows[0].mediated, 0);
    assert_int_equal(acc.rows[0].concluded, 1);
    assert_int_equal(acc.rows[0].success, 0);
    assert_string_equal(acc.rows[1].type, "neighbour");
    assert_int_equal(acc.rows[1].found, 4);
    assert_int_equal(acc.rows[1].mediated, 4);
    assert_int_equal(acc.rows[1].concluded, 3);
    assert_int_equal(acc.rows[1].success, 2);
    assert_int_equal(acc.rows[1].recurrences, 1);
    /* a period */
    memset(&acc, 0, sizeof(acc));
    assert_int_equal(
        store_dispute_stats(f->st, "440605001", T0 + DAY, T0 + 30 * DAY, collect_stats, &acc), 0);
    assert_int_equal(acc.n, 2);
    assert_int_equal(acc.rows[0].found, 1);
    assert_int_equal(acc.rows[1].found, 3);
}

static struct council_rec make_council(struct store *st, const char *area)
{
    struct council_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.area_code, sizeof(c.area_code), "%s", area);
    snprintf(c.name, sizeof(c.name), "%s", "村务商议团");
    c.min_cosigners = 10;
    c.term_start_ms = T0;
    c.term_end_ms = T0 + 5LL * 365 * DAY;
    c.created_ms = T0;
    assert_int_equal(store_council_insert(st, &c), 0);
    return c;
}

static struct topic_rec make_topic(struct store *st, const struct council_rec *c)
{
    struct topic_rec t;
    memset(&t, 0, sizeof(t));
    t.council_id = c->id;
    snprintf(t.area_code, sizeof(t.area_code), "%s", c->area_code);
    snprintf(t.title, sizeof(t.title), "%s", "修建村道路灯");
    snprintf(t.proposer, sizeof(t.proposer), "%s", "committees");
    snprintf(t.vote_kind, sizeof(t.vote_kind), "%s", "council");
    snprintf(t.state, sizeof(t.state), "%s", "proposed");
    t.created_ms = t.updated_ms = T0;
    assert_int_equal(store_topic_insert(st, &t), 0);
    return t;
}

static void test_councils_and_members(void **state)
{
    struct store_fixture *f = *state;
    struct council_rec a = make_council(f->st, "440605001201");
    struct council_rec b = make_council(f->st, "440605002201");
    struct council_rec got;
    struct council_list list;
    struct council_member_rec m;
    struct council_member_list members;

    assert_int_equal(store_council_get(f->st, a.id, &got), 0);
    assert_int_equal(got.min_cosigners, 10);
    assert_int_equal(store_council_list(f->st, "440605001", &list), 0);
    assert_int_equal(list.len, 1);
    assert_int_equal(list.items[0].id, a.id);
    council_list_cleanup(&list);
    assert_int_equal(store_council_list(f->st, "", &list), 0);
    assert_int_equal(list.len, 2);
    assert_int_equal(list.items[1].id, b.id);
    council_list_cleanup(&list);
    assert_int_equal(store_council_get(f->st, 999, &got), ERR_NOT_FOUND);

    memset(&m, 0, sizeof(m));
    m.council_id = a.id;
    m.user_id = 11;
    snprintf(m.name, sizeof(m.name), "%s", "陈委员");
    snprintf(m.position, sizeof(m.position), "%s", "chair");
    m.term_start_ms = T0;
    m.term_end_ms = T0 + DAY * 365;
    assert_int_equal(store_council_member_add(f->st, &m), 0);
    assert_int_equal(store_council_member_add(f->st, &m), ERR_EXISTS);
    snprintf(m.position, sizeof(m.position), "%s", "supervisor"); /* another position */
    assert_int_equal(store_council_member_add(f->st, &m), 0);
    snprintf(m.position, sizeof(m.position), "%s", "king");
    assert_int_not_equal(store_council_member_add(f->st, &m), 0);
    assert_int_equal(store_council_members(f->st, a.id, &members), 0);
    assert_int_equal(members.len, 2);
    assert_string_equal(members.items[0].position, "chair");
    assert_string_equal(members.items[1].position, "supervisor");
    council_member_list_cleanup(&members);
}

static void test_topics(void **state)
{
    struct store_fixture *f = *state;
    struct council_rec c = make_council(f->st, "440605001201");
    struct council_rec c2 = make_council(f->st, "440605002201");
    struct topic_rec t = make_topic(f->st, &c);
    struct topic_rec t2 = make_topic(f->st, &c2);
    struct topic_rec got;
    struct topic_list list;
    struct topic_filter flt;

    assert_int_equal(store_topic_get(f->st, t.id, &got), 0);
    assert_string_equal(got.title, "修建村道路灯");
    got.event_seq = 1;
    snprintf(got.state, sizeof(got.state), "%s", "review");
    got.vote_eligible = 9;
    got.vote_present = 7;
    got.vote_yes = 5;
    got.is_passed = 1;
    got.is_published = 1;
    assert_int_equal(store_topic_update(f->st, &got, 0), 0);
    assert_int_equal(store_topic_update(f->st, &got, 0), ERR_CONFLICT);
    assert_int_equal(store_topic_get(f->st, t.id, &got), 0);
    assert_string_equal(got.state, "review");
    assert_int_equal(got.vote_yes, 5);
    assert_int_equal(got.is_passed, 1);

    memset(&flt, 0, sizeof(flt));
    flt.area = "440605";
    flt.limit = 10;
    assert_int_equal(store_topic_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 2);
    topic_list_cleanup(&list);
    flt.is_published_only = 1;
    assert_int_equal(store_topic_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 1);
    assert_int_equal(list.items[0].id, t.id);
    topic_list_cleanup(&list);
    flt.is_published_only = 0;
    flt.council_id = c2.id;
    assert_int_equal(store_topic_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 1);
    assert_int_equal(list.items[0].id, t2.id);
    topic_list_cleanup(&list);
    flt.council_id = 0;
    flt.area = "440605001";
    flt.state = "review";
    assert_int_equal(store_topic_list(f->st, &flt, &list), 0);
    assert_int_equal(list.len, 1);
    topic_list_cleanup(&list);
}

static void test_topic_entries(void **state)
{
    struct store_fixture *f = *state;
    struct council_rec c = make_council(f->st, "440605001201");
    struct topic_rec t = make_topic(f->st, &c);
    struct topic_entry e;
    struct topic_entry_list list;
    int64_t task_id;

    memset(&e, 0, sizeof(e));
    e.topic_id = t.id;
    e.user_id = 21;
    e.at_ms = T0;
    snprintf(e.name, sizeof(e.name), "%s", "村民甲");
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_COSIGNER, &e), 0);
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_COSIGNER, &e), ERR_EXISTS);
    e.user_id = 22;
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_COSIGNER, &e), 0);
    assert_int_equal(store_topic_entries(f->st, TOPIC_ENTRY_COSIGNER, t.id, &list), 0);
    assert_int_equal(list.len, 2);
    topic_entry_list_cleanup(&list);
    /* inside a transaction a refused duplicate leaves the transaction usable */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_COSIGNER, &e), ERR_EXISTS);
    e.user_id = 23;
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_COSIGNER, &e), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_topic_entries(f->st, TOPIC_ENTRY_COSIGNER, t.id, &list), 0);
    assert_int_equal(list.len, 3);
    assert_int_equal(list.items[2].user_id, 23);
    topic_entry_list_cleanup(&list);
    /* an entry of a topic that does not exist */
    e.topic_id = t.id + 100;
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_COSIGNER, &e), ERR_EXISTS);
    e.topic_id = t.id;

    e.member_id = 3;
    e.household_id = 77;
    snprintf(e.stance, sizeof(e.stance), "%s", "support");
    snprintf(e.text, sizeof(e.text), "%s", "路太黑, 支持");
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_OPINION, &e), 0);
    assert_int_equal(store_topic_entries(f->st, TOPIC_ENTRY_OPINION, t.id, &list), 0);
    assert_int_equal(list.len, 1);
    assert_int_equal(list.items[0].household_id, 77);
    assert_string_equal(list.items[0].stance, "support");
    topic_entry_list_cleanup(&list);

    snprintf(e.text, sizeof(e.text), "%s", "采购路灯");
    snprintf(e.owner, sizeof(e.owner), "%s", "村委会 王主任");
    e.due_ms = T0 + 30 * DAY;
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_TASK, &e), 0);
    task_id = e.id;
    assert_int_equal(store_topic_task_done(f->st, t.id, task_id, T0 + 10 * DAY), 0);
    assert_int_equal(store_topic_task_done(f->st, t.id, task_id, T0 + 11 * DAY), ERR_NOT_FOUND);
    assert_int_equal(store_topic_task_done(f->st, t.id + 1, task_id, T0), ERR_NOT_FOUND);
    assert_int_equal(store_topic_entries(f->st, TOPIC_ENTRY_TASK, t.id, &list), 0);
    assert_int_equal(list.len, 1);
    assert_string_equal(list.items[0].owner, "村委会 王主任");
    assert_int_equal(list.items[0].due_ms, T0 + 30 * DAY);
    assert_int_equal(list.items[0].done_ms, T0 + 10 * DAY);
    topic_entry_list_cleanup(&list);

    snprintf(e.stance, sizeof(e.stance), "%s", "sign_off");
    snprintf(e.text, sizeof(e.text), "%s", "验收合格");
    assert_int_equal(store_topic_entry_add(f->st, TOPIC_ENTRY_NOTE, &e), 0);
    assert_int_equal(store_topic_entries(f->st, TOPIC_ENTRY_NOTE, t.id, &list), 0);
    assert_int_equal(list.len, 1);
    assert_string_equal(list.items[0].stance, "sign_off");
    topic_entry_list_cleanup(&list);
}

static void test_meetings_and_ballots(void **state)
{
    struct store_fixture *f = *state;
    struct council_rec c = make_council(f->st, "440605001201");
    struct topic_rec t = make_topic(f->st, &c);
    struct council_member_rec m;
    int64_t ids[3], meeting;
    int present, yes, no, abstain;

    memset(&m, 0, sizeof(m));
    m.council_id = c.id;
    snprintf(m.position, sizeof(m.position), "%s", "member");
    m.term_start_ms = T0;
    m.term_end_ms = T0 + DAY;
    for (int i = 0; i < 3; i++) {
        m.person_id = 100 + i;
        snprintf(m.name, sizeof(m.name), "member %d", i);
        assert_int_equal(store_council_member_add(f->st, &m), 0);
        ids[i] = m.id;
    }
    assert_int_equal(store_topic_meeting_latest(f->st, t.id, &meeting, &present), 0);
    assert_int_equal(meeting, 0);
    assert_int_equal(store_topic_meeting_add(f->st, t.id, T0, "村委会议室", ids, 2, &meeting), 0);
    assert_true(meeting > 0);
    assert_int_equal(store_topic_meeting_add(f->st, t.id, T0 + DAY, "", ids, 3, &meeting), 0);
    assert_int_equal(store_topic_meeting_latest(f->st, t.id, &meeting, &present), 0);
    assert_int_equal(present, 3);

    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:1", "yes", 0, T0), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:2", "no", 0, T0), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:3", "abstain", 0, T0), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:4", "yes", 0, T0), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:1", "no", 0, T0), ERR_EXISTS);
    assert_int_not_equal(store_topic_ballot_add(f->st, t.id, "m:5", "maybe", 0, T0), 0);
    assert_int_equal(store_topic_ballot_totals(f->st, t.id, &yes, &no, &abstain), 0);
    assert_int_equal(yes, 2);
    assert_int_equal(no, 1);
    assert_int_equal(abstain, 1);
    assert_int_equal(store_topic_ballot_totals(f->st, t.id + 100, &yes, &no, &abstain), 0);
    assert_int_equal(yes + no + abstain, 0);
    /* a ballot on a topic that does not exist; a meeting with a member who does not exist or
     * is listed twice */
    assert_int_equal(store_topic_ballot_add(f->st, t.id + 100, "m:1", "yes", 0, T0), ERR_EXISTS);
    ids[2] = ids[0] + 1000;
    assert_int_equal(store_topic_meeting_add(f->st, t.id, T0, "", ids, 3, &meeting), ERR_EXISTS);
    ids[2] = ids[0];
    assert_int_equal(store_topic_meeting_add(f->st, t.id, T0, "", ids, 3, &meeting), ERR_EXISTS);
    /* a duplicate ballot inside a transaction leaves it usable */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:2", "yes", 0, T0), ERR_EXISTS);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:6", "yes", 0, T0), 0);
    assert_int_equal(store_commit(f->st), 0);
    assert_int_equal(store_topic_ballot_totals(f->st, t.id, &yes, &no, &abstain), 0);
    assert_int_equal(yes, 3);
}

static void test_secret_ballots(void **state)
{
    struct store_fixture *f = *state;
    struct council_rec c = make_council(f->st, "440605001201");
    struct topic_rec t = make_topic(f->st, &c);
    int yes, no, abstain;
    char sql[200];

    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:1", "yes", 1, T0), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:2", "yes", 1, T0), 0);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:3", "no", 1, T0), 0);
    /* a second ballot of the same voter is refused and counts nothing */
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:3", "yes", 1, T0), ERR_EXISTS);
    assert_int_equal(store_topic_ballot_add(f->st, t.id, "m:4", "maybe", 1, T0), ERR_INVALID);
    assert_int_equal(store_topic_ballot_totals(f->st, t.id, &yes, &no, &abstain), 0);
    assert_int_equal(yes, 2);
    assert_int_equal(no, 1);
    assert_int_equal(abstain, 0);
    /* in the database itself, no voter row carries a choice */
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM topic_ballots WHERE topic_id = %lld",
             (long long)t.id);
    assert_int_equal(query_int(f, sql), 3);
    snprintf(sql, sizeof(sql), "SELECT count(choice) FROM topic_ballots WHERE topic_id = %lld",
             (long long)t.id);
    assert_int_equal(query_int(f, sql), 0);
    if (f->db.is_pg) {
        /* PostgreSQL stamps each row version with its writer's transaction (xmin): every tally
         * row carries the last voter's, so the stamp points at no choice */
        snprintf(sql, sizeof(sql),
                 "SELECT count(DISTINCT xmin::text) FROM topic_secret_tally WHERE topic_id = %lld",
                 (long long)t.id);
        assert_int_equal(query_int(f, sql), 1);
    }
}

static void test_logs_append_only(void **state)
{
    struct store_fixture *f = *state;
    struct dispute_rec d = make_dispute("440605001001001", "neighbour", "", T0);
    struct council_rec c = make_council(f->st, "440605001201");
    struct topic_rec t = make_topic(f->st, &c);
    struct gov_event ev;
    struct gov_event_list events;

    assert_int_equal(store_dispute_insert(f->st, &d), 0);
    memset(&ev, 0, sizeof(ev));
    ev.owner_id = d.id;
    ev.seq = 1;
    ev.at_ms = T0;
    snprintf(ev.action, sizeof(ev.action), "%s", "register");
    assert_int_equal(store_dispute_event_append(f->st, &ev), 0);
    ev.owner_id = t.id;
    assert_int_equal(store_topic_event_append(f->st, &ev), 0);
    /* a log of a dispute / topic that does not exist is refused */
    ev.owner_id = d.id + 100;
    assert_int_equal(store_dispute_event_append(f->st, &ev), ERR_CONFLICT);
    ev.owner_id = t.id + 100;
    assert_int_equal(store_topic_event_append(f->st, &ev), ERR_CONFLICT);

    /* the database itself refuses to change or remove an event; other rows it changes */
    assert_int_equal(testdb_exec(&f->db, f->db.url, "UPDATE dispute_events SET payload = 'x'"), -1);
    assert_int_equal(testdb_exec(&f->db, f->db.url, "DELETE FROM dispute_events"), -1);
    assert_int_equal(testdb_exec(&f->db, f->db.url, "UPDATE topic_events SET action = 'x'"), -1);
    assert_int_equal(testdb_exec(&f->db, f->db.url, "DELETE FROM topic_events"), -1);
    assert_int_equal(testdb_exec(&f->db, f->db.url, "UPDATE disputes SET summary = 'x'"), 0);
    assert_int_equal(store_dispute_events(f->st, d.id, &events), 0);
    assert_int_equal(events.len, 1);
    assert_string_equal(events.items[0].action, "register");
    assert_string_equal(events.items[0].payload, "{}");
    gov_event_list_cleanup(&events);
    assert_int_equal(store_topic_events(f->st, t.id, &events), 0);
    assert_int_equal(events.len, 1);
    gov_event_list_cleanup(&events);
}

static void test_village_voters(void **state)
{
    struct store_fixture *f = *state;
    struct {
        const char *cell, *kind;
        int members; /* born 1980, 2015 alternately; registered unless odd index */
    } homes[] = {
        {"440605001201001001", "registered_family", 3},
        {"440605001201002001", "registered_family", 2},
        {"440605001201002001", "non_registered_family", 2},
        {"440605001201002001", "business", 0},
        {"440605001202001001", "registered_family", 4}, /* another village */
    };
    int64_t households, adults;

    for (size_t i = 0; i < sizeof(homes) / sizeof(homes[0]); i++) {
        struct household h;
        memset(&h, 0, sizeof(h));
        snprintf(h.cell_code, sizeof(h.cell_code), "%s", homes[i].cell);
        snprintf(h.address, sizeof(h.address), "addr %zu", i);
        snprintf(h.kind, sizeof(h.kind), "%s", homes[i].kind);
        assert_int_equal(store_household_insert(f->st, &h), 0);
        for (int k = 0; k < homes[i].members; k++) {
            struct person p;
            memset(&p, 0, sizeof(p));
            p.household_id = h.id;
            snprintf(p.cell_code, sizeof(p.cell_code), "%s", homes[i].cell);
            snprintf(p.name, sizeof(p.name), "p%d", k);
            snprintf(p.sex, sizeof(p.sex), "%s", "F");
            snprintf(p.birth_date, sizeof(p.birth_date), "%s",
                     k % 2 == 0 ? "1980-05-01" : "2015-05-01");
            p.is_registered = strcmp(homes[i].kind, "registered_family") == 0;
            assert_int_equal(store_person_insert(f->st, &p), 0);
        }
    }
    /* adults on 2026-06-01: born on or before 2008-06-01 */
    assert_int_equal(
        store_village_voters(f->st, "440605001201", "2008-06-01", &households, &adults), 0);
    assert_int_equal(households, 2);
    assert_int_equal(adults, 3); /* k = 0, 2 of the first home, k = 0 of the second */
    assert_int_equal(
        store_village_voters(f->st, "440605001202", "2008-06-01", &households, &adults), 0);
    assert_int_equal(households, 1);
    assert_int_equal(adults, 2);
    /* a child becomes an adult on their 18th birthday */
    assert_int_equal(
        store_village_voters(f->st, "440605001201", "2033-05-01", &households, &adults), 0);
    assert_int_equal(adults, 5);
}

/* PostgreSQL: every table of this module is ready to be distributed by district (issue 10):
 * it has a primary key, and every primary key, unique index and foreign key (but those to the
 * reference table users) starts with the district. */
static void test_distribution_keys(void **state)
{
    struct store_fixture *f = *state;
    static const char tables[] =
        "('disputes', 'dispute_parties', 'dispute_mediators', 'dispute_sessions', "
        "'dispute_follow_ups', 'dispute_events', 'councils', 'council_members', "
        "'topics', 'topic_cosigners', 'topic_opinions', 'topic_tasks', 'topic_notes', "
        "'topic_meetings', 'topic_attendance', 'topic_ballots', 'topic_secret_tally', "
        "'topic_events')";
    char sql[1024];
    if (!f->db.is_pg)
        return; /* SQLite is one file: nothing to distribute */
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
             "WHERE c.contype = 'p' AND t.relname IN %s",
             tables);
    assert_int_equal(query_int(f, sql), 18);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
             "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0] "
             "WHERE i.indisunique AND t.relname IN %s AND a.attname <> 'district'",
             tables);
    assert_int_equal(query_int(f, sql), 0);
    snprintf(sql, sizeof(sql),
             "SELECT count(*) FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid "
             "JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1] "
             "WHERE c.contype = 'f' AND t.relname IN %s AND a.attname <> 'district' "
             "AND c.confrelid <> 'users'::regclass",
             tables);
    assert_int_equal(query_int(f, sql), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_dispute_round_trip, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_dispute_list_and_recurrence, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_dispute_children, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_dispute_stats, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_councils_and_members, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_topics, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_topic_entries, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_meetings_and_ballots, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_secret_ballots, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_logs_append_only, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_distribution_keys, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_village_voters, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
