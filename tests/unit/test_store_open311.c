/*
 * test_store_open311.c - the Open311 store ops (API keys, request details, the GeoReport
 * listings) and the API key service on top of them (service/apikeys.h), on the run's backend
 * (testdb.h: SQLite by default, PostgreSQL in the 'pg' suite).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "service/apikeys.h"
#include "service/auth.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t add_case(struct store *st, const char *number, const char *category,
                        const char *status, int64_t created)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "%s", number);
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001001001");
    snprintf(c.category, sizeof(c.category), "%s", category);
    snprintf(c.channel, sizeof(c.channel), "%s", "open311");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", status);
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = created;
    c.updated_ms = created;
    assert_int_equal(store_case_insert(st, &c), 0);
    return c.id;
}

static void test_api_keys(void **state)
{
    struct store_fixture *f = *state;
    struct errbuf eb = {{0}};
    struct user_spec spec = {.username = "dispatcher",
                             .password = "test-password-1",
                             .role = "dispatcher",
                             .area_code = "440605"};
    struct area district;
    struct api_key k, got;
    struct api_key_list list;
    char key[APIKEY_TEXT_MAX + 1], key2[APIKEY_TEXT_MAX + 1], hash[65];
    int64_t uid;

    assert_int_equal(auth_global_init(), 0);
    memset(&district, 0, sizeof(district));
    snprintf(district.code, sizeof(district.code), "%s", "440605");
    snprintf(district.name, sizeof(district.name), "%s", "Nanhai");
    district.level = 3;
    assert_int_equal(store_area_put(f->st, &district), 0);
    assert_int_equal(auth_user_add(f->st, &spec, &uid, &eb), 0);
    assert_int_equal(apikey_add(f->st, "fixmystreet", "dispatcher", 5, key, &k, &eb), 0);
    assert_int_equal(strncmp(key, "g311_", 5), 0);
    assert_int_equal(strlen(key), 48);
    assert_int_equal(k.user_id, uid);
    /* Only the hash is stored. */
    auth_token_hash(key, hash);
    assert_string_equal(k.key_hash, hash);
    assert_int_equal(store_api_key_get_by_hash(f->st, hash, &got), 0);
    assert_string_equal(got.name, "fixmystreet");
    assert_int_equal(got.created_ms, 5);
    assert_int_equal(apikey_check(f->st, key, &got), 0);
    assert_int_equal(got.id, k.id);

    assert_int_equal(apikey_add(f->st, "app", NULL, 6, key2, NULL, &eb), 0);
    assert_string_not_equal(key, key2);
    assert_int_equal(apikey_add(f->st, "app", NULL, 7, key2, NULL, &eb), ERR_EXISTS);
    assert_string_equal(key2, ""); /* nothing shown for a key that was not issued */
    errbuf_clear(&eb);
    assert_int_equal(apikey_add(f->st, "bad name", NULL, 7, key2, NULL, &eb), ERR_INVALID);
    assert_int_equal(apikey_add(f->st, "x", "nobody", 7, key2, NULL, &eb), ERR_NOT_FOUND);

    assert_int_equal(apikey_check(f->st, NULL, &got), ERR_FORBIDDEN);
    assert_int_equal(apikey_check(f->st, "g311_", &got), ERR_FORBIDDEN);
    assert_int_equal(apikey_check(f->st, "g311_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &got),
                     ERR_FORBIDDEN);
    key[10] ^= 1;
    assert_int_equal(apikey_check(f->st, key, &got), ERR_FORBIDDEN);

    assert_int_equal(store_api_key_list(f->st, &list), 0);
    assert_int_equal(list.len, 2);
    assert_string_equal(list.items[0].name, "app");
    assert_string_equal(list.items[1].name, "fixmystreet");
    assert_int_equal(list.items[0].user_id, 0);
    api_key_list_cleanup(&list);
}

static void test_requests(void **state)
{
    struct store_fixture *f = *state;
    struct open311_request q, got;
    int64_t id = add_case(f->st, "N-1", "0204", "reported", 1000);
    int64_t other = add_case(f->st, "N-2", "0204", "reported", 1001);
    struct attachment a;
    int64_t case_id;

    memset(&q, 0, sizeof(q));
    q.case_id = id;
    snprintf(q.token, sizeof(q.token), "%s", "0123456789abcdef0123456789abcdef");
    q.api_key_id = 3;
    snprintf(q.service_name, sizeof(q.service_name), "%s", "Street lights out");
    snprintf(q.email, sizeof(q.email), "%s", "a@example.org");
    snprintf(q.media_url, sizeof(q.media_url), "%s", "https://example.org/p.jpg");
    q.attributes = (char *)"{\"urgency\":\"urgent\"}";
    q.created_ms = 1000;
    assert_int_equal(store_open311_request_insert(f->st, &q), 0);
    assert_int_equal(store_open311_request_insert(f->st, &q), ERR_EXISTS);
    assert_int_equal(store_open311_request_get(f->st, id, &got), 0);
    assert_string_equal(got.token, q.token);
    assert_string_equal(got.email, "a@example.org");
    assert_string_equal(got.media_url, "https://example.org/p.jpg");
    assert_string_equal(got.attributes, "{\"urgency\":\"urgent\"}");
    assert_int_equal(got.api_key_id, 3);
    open311_request_cleanup(&got);
    assert_int_equal(store_open311_request_by_token(f->st, q.token, &got), 0);
    assert_int_equal(got.case_id, id);
    open311_request_cleanup(&got);
    assert_int_equal(store_open311_request_get(f->st, other, &got), ERR_NOT_FOUND);
    assert_int_equal(store_open311_request_by_token(f->st, "nope", &got), ERR_NOT_FOUND);

    /* Media: only attachments of Open311 cases are public. */
    memset(&a, 0, sizeof(a));
    snprintf(a.hash, sizeof(a.hash), "%064d", 1);
    snprintf(a.mime, sizeof(a.mime), "%s", "image/png");
    a.size = 1;
    a.data = (unsigned char *)"x";
    assert_int_equal(store_attachment_put(f->st, &a), 0);
    assert_int_equal(store_open311_media_case(f->st, a.hash, &case_id), ERR_NOT_FOUND);
    assert_int_equal(store_case_attachment_add(f->st, other, a.hash), 0);
    assert_int_equal(store_open311_media_case(f->st, a.hash, &case_id), ERR_NOT_FOUND);
    assert_int_equal(store_case_attachment_add(f->st, id, a.hash), 0);
    assert_int_equal(store_open311_media_case(f->st, a.hash, &case_id), 0);
    assert_int_equal(case_id, id);
}

static void test_listing(void **state)
{
    struct store_fixture *f = *state;
    struct open311_filter flt;
    int64_t ids[10];
    size_t n;
    int64_t a = add_case(f->st, "A", "0204", "reported", 100);
    int64_t b = add_case(f->st, "B", "0101", "closed", 200);
    int64_t c = add_case(f->st, "C", "0204", "closed", 300);
    int64_t d = add_case(f->st, "D", "0301", "dispatched", 400);

    memset(&flt, 0, sizeof(flt));
    flt.from_ms = 0;
    flt.to_ms = 1000;
    flt.limit = 10;
    assert_int_equal(store_open311_case_ids(f->st, &flt, ids, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(ids[0], d); /* newest first */
    assert_int_equal(ids[3], a);

    flt.codes[0] = "0204";
    flt.codes[1] = "0101";
    flt.n_codes = 2;
    assert_int_equal(store_open311_case_ids(f->st, &flt, ids, &n), 0);
    assert_int_equal(n, 3);
    flt.statuses[0] = "closed";
    assert_int_equal(store_open311_case_ids(f->st, &flt, ids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], c);
    assert_int_equal(ids[1], b);
    /* The window is [from, to). */
    flt.from_ms = 200;
    flt.to_ms = 300;
    assert_int_equal(store_open311_case_ids(f->st, &flt, ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], b);
    /* Paging. */
    memset(&flt, 0, sizeof(flt));
    flt.to_ms = 1000;
    flt.limit = 3;
    flt.offset = 3;
    assert_int_equal(store_open311_case_ids(f->st, &flt, ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], a);
    flt.limit = 0;
    assert_int_equal(store_open311_case_ids(f->st, &flt, ids, &n), ERR_INVALID);

    /* Cases by their events in a window, latest event first. */
    struct case_event e;
    memset(&e, 0, sizeof(e));
    snprintf(e.actor_role, sizeof(e.actor_role), "%s", "public");
    snprintf(e.action, sizeof(e.action), "%s", "report");
    snprintf(e.to_state, sizeof(e.to_state), "%s", "reported");
    e.payload = (char *)"{}";
    snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", "");
    snprintf(e.hash, sizeof(e.hash), "%s", "h");
    e.case_id = a;
    e.seq = 1;
    e.at_ms = 150;
    assert_int_equal(store_case_event_append(f->st, &e), 0);
    e.case_id = b;
    e.at_ms = 120;
    assert_int_equal(store_case_event_append(f->st, &e), 0);
    e.seq = 2;
    e.at_ms = 900;
    assert_int_equal(store_case_event_append(f->st, &e), 0);
    assert_int_equal(store_open311_updated_case_ids(f->st, 100, 200, 0, 10, ids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    assert_int_equal(store_open311_updated_case_ids(f->st, 0, 1000, 0, 10, ids, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], b);
    assert_int_equal(store_open311_updated_case_ids(f->st, 0, 1000, 1, 10, ids, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], a);
}

static void test_outbox_after(void **state)
{
    struct store_fixture *f = *state;
    struct outbox_msg m;
    int64_t last = -1, backlog = -1;
    assert_int_equal(store_outbox_last_id(f->st, &last), 0);
    assert_int_equal(last, 0);
    memset(&m, 0, sizeof(m));
    m.payload = (char *)"{}";
    snprintf(m.topic, sizeof(m.topic), "%s", "case.report");
    for (int i = 1; i <= 3; i++) {
        snprintf(m.idempotency_key, sizeof(m.idempotency_key), "k%d", i);
        assert_int_equal(store_outbox_insert(f->st, &m), 0);
        if (i == 1)
            assert_int_equal(store_outbox_last_id(f->st, &last), 0);
    }
    /* Only the messages after the first are the import's own. */
    assert_int_equal(store_outbox_mark_delivered_after(f->st, last, 99), 0);
    assert_int_equal(store_outbox_backlog(f->st, &backlog), 0);
    assert_int_equal(backlog, 1);
    assert_int_equal(store_outbox_last_id(f->st, &last), 0);
    assert_int_equal(last, 3);
}

/* FixMyStreet update_id keys: per client, unique, found again with their event. */
static void test_update_keys(void **state)
{
    struct store_fixture *f = *state;
    int64_t a = add_case(f->st, "440605-20260301-00001", "0204", "accepted", 10);
    int64_t b = add_case(f->st, "440605-20260301-00002", "0204", "reported", 20);
    int64_t case_id = -1, seq = -1;
    assert_int_equal(store_open311_update_key_get(f->st, 1, "u1", &case_id, &seq), ERR_NOT_FOUND);
    assert_int_equal(case_id, 0);
    assert_int_equal(store_open311_update_key_insert(f->st, 1, "u1", a, 2, 100), 0);
    assert_int_equal(store_open311_update_key_insert(f->st, 1, "u1", b, 1, 101), ERR_EXISTS);
    /* Another client may use the same update_id. */
    assert_int_equal(store_open311_update_key_insert(f->st, 2, "u1", b, 1, 102), 0);
    assert_int_equal(store_open311_update_key_get(f->st, 1, "u1", &case_id, &seq), 0);
    assert_int_equal(case_id, a);
    assert_int_equal(seq, 2);
    assert_int_equal(store_open311_update_key_get(f->st, 2, "u1", &case_id, &seq), 0);
    assert_int_equal(case_id, b);
    assert_int_equal(seq, 1);
    assert_int_equal(store_open311_update_key_get(f->st, 1, "U1", &case_id, &seq), ERR_NOT_FOUND);
    /* Inside a rolled-back transaction nothing stays. */
    assert_int_equal(store_begin(f->st), 0);
    assert_int_equal(store_open311_update_key_insert(f->st, 1, "u2", a, 3, 103), 0);
    store_rollback(f->st);
    assert_int_equal(store_open311_update_key_get(f->st, 1, "u2", &case_id, &seq), ERR_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_api_keys, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_requests, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_listing, store_fixture_setup, store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_outbox_after, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_update_keys, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
