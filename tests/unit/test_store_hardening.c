/*
 * test_store_hardening.c - the hardening module's store ops: store_attachment_cases (the
 * cases an attachment is linked to, in link order, none for an unlinked or unknown hash, early
 * stop, hostile hashes as plain values) and store_user_page (keyset pages of a subtree's
 * users that add up to store_user_list, bounds checked).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "store/store.h"
#include "testdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int64_t add_case(struct store *st, int n)
{
    struct case_rec c;
    memset(&c, 0, sizeof(c));
    snprintf(c.number, sizeof(c.number), "440605-T-%d", n);
    snprintf(c.area_code, sizeof(c.area_code), "%s", "440605001");
    snprintf(c.category, sizeof(c.category), "%s", "0301");
    snprintf(c.channel, sizeof(c.channel), "%s", "web");
    snprintf(c.urgency, sizeof(c.urgency), "%s", "normal");
    snprintf(c.status, sizeof(c.status), "%s", "reported");
    c.queue_level = 6;
    c.description = (char *)"x";
    c.created_ms = n;
    c.updated_ms = n;
    assert_int_equal(store_case_insert(st, &c), 0);
    return c.id;
}

static void add_attachment(struct store *st, const char *hash)
{
    struct attachment a;
    unsigned char bytes[] = {0x89, 'P', 'N', 'G'};
    memset(&a, 0, sizeof(a));
    snprintf(a.hash, sizeof(a.hash), "%s", hash);
    snprintf(a.mime, sizeof(a.mime), "%s", "image/png");
    a.size = sizeof(bytes);
    a.data = bytes;
    assert_int_equal(store_attachment_put(st, &a), 0);
}

struct seen {
    int64_t ids[8];
    int n;
    int stop_after; /* 0 = never */
};

static int collect(void *ctx, const char *hash, int64_t case_id)
{
    struct seen *s = ctx;
    (void)hash;
    s->ids[s->n++] = case_id;
    return s->stop_after > 0 && s->n >= s->stop_after ? 7 : 0;
}

static void test_linked_cases_in_order(void **state)
{
    struct store_fixture *f = *state;
    struct seen s;
    int64_t a = add_case(f->st, 1), b = add_case(f->st, 2), c = add_case(f->st, 3);
    add_attachment(f->st, "h1");
    add_attachment(f->st, "h2");
    assert_int_equal(store_case_attachment_add(f->st, b, "h1"), 0);
    usleep(2000); /* links are ordered by the time they were made */
    assert_int_equal(store_case_attachment_add(f->st, a, "h1"), 0);
    assert_int_equal(store_case_attachment_add(f->st, c, "h2"), 0);

    memset(&s, 0, sizeof(s));
    assert_int_equal(store_attachment_cases(f->st, "h1", collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], b);
    assert_int_equal(s.ids[1], a);

    memset(&s, 0, sizeof(s));
    assert_int_equal(store_attachment_cases(f->st, "h2", collect, &s), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], c);
}

static void test_unlinked_and_unknown(void **state)
{
    struct store_fixture *f = *state;
    struct seen s;
    add_attachment(f->st, "lonely");
    memset(&s, 0, sizeof(s));
    assert_int_equal(store_attachment_cases(f->st, "lonely", collect, &s), 0);
    assert_int_equal(s.n, 0);
    assert_int_equal(store_attachment_cases(f->st, "missing", collect, &s), 0);
    assert_int_equal(store_attachment_cases(f->st, "' OR 1=1--", collect, &s), 0);
    assert_int_equal(store_attachment_cases(f->st, "%", collect, &s), 0);
    assert_int_equal(s.n, 0);
}

static void test_stops_early(void **state)
{
    struct store_fixture *f = *state;
    struct seen s;
    add_attachment(f->st, "h");
    for (int i = 1; i <= 4; i++)
        assert_int_equal(store_case_attachment_add(f->st, add_case(f->st, i), "h"), 0);
    memset(&s, 0, sizeof(s));
    s.stop_after = 2;
    assert_int_equal(store_attachment_cases(f->st, "h", collect, &s), 7);
    assert_int_equal(s.n, 2);
}

static void add_user(struct store *st, const char *name, const char *area)
{
    struct user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.display_name, sizeof(u.display_name), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", "resident");
    snprintf(u.area_code, sizeof(u.area_code), "%s", area);
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", "x");
    assert_int_equal(store_user_insert(st, &u), 0);
}

static void test_user_pages(void **state)
{
    struct store_fixture *f = *state;
    struct user_list all, page;
    char after[USER_NAME_MAX + 1] = "";
    char name[32];
    size_t seen = 0;
    for (int i = 0; i < 23; i++) {
        snprintf(name, sizeof(name), "u%02d", (i * 7) % 23); /* inserted out of order */
        add_user(f->st, name, i % 3 == 0 ? "440606" : "440605001");
    }
    assert_int_equal(store_user_list(f->st, "440605", &all), 0);
    /* Pages of 4 walk the same users in the same order, and end with a short page. */
    for (;;) {
        assert_int_equal(store_user_page(f->st, "440605", after, 4, &page), 0);
        for (size_t i = 0; i < page.len; i++) {
            assert_true(seen < all.len);
            assert_string_equal(page.items[i].username, all.items[seen].username);
            assert_string_equal(page.items[i].area_code, "440605001");
            seen++;
        }
        size_t n = page.len;
        if (n > 0)
            snprintf(after, sizeof(after), "%s", page.items[n - 1].username);
        user_list_cleanup(&page);
        if (n < 4)
            break;
    }
    assert_int_equal(seen, all.len);
    assert_int_equal(all.len, 15);
    user_list_cleanup(&all);
    /* The whole table from "", bounds refused, hostile cursors are plain values. */
    assert_int_equal(store_user_page(f->st, "", "", 1000, &page), 0);
    assert_int_equal(page.len, 23);
    user_list_cleanup(&page);
    assert_int_equal(store_user_page(f->st, "", "", 0, &page), ERR_INVALID);
    assert_int_equal(store_user_page(f->st, "", "", 1001, &page), ERR_INVALID);
    assert_int_equal(store_user_page(f->st, "440605", "' OR 1=1--", 100, &page), 0);
    assert_int_equal(page.len, 15); /* every name sorts after a quote */
    user_list_cleanup(&page);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_linked_cases_in_order, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unlinked_and_unknown, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_stops_early, store_fixture_setup,
                                        store_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_user_pages, store_fixture_setup,
                                        store_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
