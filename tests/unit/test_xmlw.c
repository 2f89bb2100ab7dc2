/*
 * test_xmlw.c - the XML writer (base/xmlw.h): structure, empty elements, escaping, bad bytes,
 * balance and the buffer cap.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/xmlw.h"

#include <string.h>

#define DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"

static void test_document(void **state)
{
    struct buf b;
    struct xmlw w;
    (void)state;
    buf_init(&b, 4096);
    xmlw_init(&w, &b);
    xmlw_open(&w, "service_requests");
    xmlw_open(&w, "request");
    xmlw_element(&w, "service_request_id", "440605-20260321-00001");
    xmlw_element(&w, "status_notes", NULL);
    xmlw_element(&w, "media_url", "");
    xmlw_elementf(&w, "lat", "%.6f", 23.05);
    xmlw_close(&w);
    xmlw_close(&w);
    assert_int_equal(xmlw_finish(&w), 0);
    assert_string_equal(b.data, DECL "<service_requests><request><service_request_id>440605-"
                                     "20260321-00001</service_request_id><status_notes/>"
                                     "<media_url/><lat>23.050000</lat></request>"
                                     "</service_requests>\n");
    buf_cleanup(&b);
}

static void test_escaping(void **state)
{
    struct buf b;
    struct xmlw w;
    (void)state;
    buf_init(&b, 4096);
    xmlw_init(&w, &b);
    xmlw_element(&w, "d", "a<b>&\"c'\r\n\t\x01z \xe5\xb9\xb3 \xff \xc0\xaf end");
    assert_int_equal(xmlw_finish(&w), 0);
    assert_string_equal(b.data, DECL "<d>a&lt;b&gt;&amp;&quot;c&apos;&#13;\n\t\xef\xbf\xbdz "
                                     "\xe5\xb9\xb3 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd end</d>");
    buf_cleanup(&b);
}

static void test_balance_and_cap(void **state)
{
    struct buf b;
    struct xmlw w;
    (void)state;
    buf_init(&b, 4096);
    xmlw_init(&w, &b);
    xmlw_open(&w, "a");
    assert_int_equal(xmlw_finish(&w), ERR_INTERNAL); /* left open */
    xmlw_close(&w);
    assert_int_equal(xmlw_finish(&w), 0);
    xmlw_close(&w); /* one too many */
    assert_int_equal(xmlw_finish(&w), ERR_INTERNAL);
    buf_cleanup(&b);

    buf_init(&b, 64);
    xmlw_init(&w, &b);
    xmlw_open(&w, "a");
    for (int i = 0; i < 10; i++)
        xmlw_element(&w, "item", "some text");
    xmlw_close(&w);
    assert_int_equal(xmlw_finish(&w), ERR_TOO_LARGE);
    assert_true(b.len <= 64);
    buf_cleanup(&b);

    buf_init(&b, 4096);
    xmlw_init(&w, &b);
    for (int i = 0; i <= XMLW_MAX_DEPTH; i++)
        xmlw_open(&w, "x");
    assert_int_equal(xmlw_finish(&w), ERR_INTERNAL);
    buf_cleanup(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_document),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_balance_and_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
