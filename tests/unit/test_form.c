/*
 * test_form.c - the urlencoded and multipart/form-data parsers (base/form.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/form.h"

#include <stdlib.h>
#include <string.h>

static int parse_url(const char *s, struct form *f, struct errbuf *eb)
{
    return form_parse_urlencoded(s, strlen(s), NULL, f, eb);
}

static void test_urlencoded_decoding(void **state)
{
    struct errbuf eb = {{0}};
    struct form f;
    (void)state;
    assert_int_equal(parse_url("a=1&b=hello+world&c=%E5%B9%B3%2B&d=x%0D%0Ay", &f, &eb), 0);
    assert_int_equal(f.len, 4);
    assert_string_equal(form_get(&f, "a"), "1");
    assert_string_equal(form_get(&f, "b"), "hello world");
    assert_string_equal(form_get(&f, "c"), "\xe5\xb9\xb3+");
    assert_string_equal(form_get(&f, "d"), "x\r\ny");
    assert_int_equal(f.fields[3].value_len, 4);
    assert_null(f.fields[0].filename);
    assert_null(form_get(&f, "missing"));
    form_cleanup(&f);
    form_cleanup(&f); /* idempotent */
}

static void test_urlencoded_empty_is_absent_and_repeats_kept(void **state)
{
    struct errbuf eb = {{0}};
    struct form f;
    (void)state;
    assert_int_equal(parse_url("email=&flag&&x=1&attribute[t][]=a&attribute[t][]=b&x=2", &f, &eb),
                     0);
    assert_null(form_find(&f, "email"));
    assert_null(form_find(&f, "flag"));
    assert_int_equal(form_count(&f, "x"), 2);
    assert_string_equal(form_get(&f, "x"), "1"); /* the first */
    assert_int_equal(form_count(&f, "attribute[t][]"), 2);
    assert_string_equal(f.fields[1].value, "a");
    assert_string_equal(f.fields[2].value, "b");
    form_cleanup(&f);
    assert_int_equal(parse_url("", &f, &eb), 0);
    assert_int_equal(f.len, 0);
    form_cleanup(&f);
}

static void test_urlencoded_strict(void **state)
{
    static const char *const bad[] = {"a=%zz",
                                      "a=%4",
                                      "a=%",
                                      "%G0=1",
                                      "=v",
                                      "a=%00",
                                      "a=%C0%AF" /* overlong */,
                                      "a=%FF",
                                      "a=%ED%A0%80" /* surrogate */,
                                      NULL};
    (void)state;
    for (const char *const *s = bad; *s; s++) {
        struct errbuf eb = {{0}};
        struct form f = {NULL, 0};
        assert_int_equal(parse_url(*s, &f, &eb), ERR_INVALID);
        assert_null(f.fields);
        assert_true(eb.msg[0] != '\0');
    }
}

static void test_urlencoded_limits(void **state)
{
    struct form_limits lim = {3, 4, 5, 0};
    struct errbuf eb = {{0}};
    struct form f = {NULL, 0};
    (void)state;
    assert_int_equal(form_parse_urlencoded("a=1&b=2&c=3", 11, &lim, &f, &eb), 0);
    form_cleanup(&f);
    assert_int_equal(form_parse_urlencoded("a=1&b=2&c=3&d=4", 15, &lim, &f, &eb), ERR_TOO_LARGE);
    errbuf_clear(&eb);
    assert_int_equal(form_parse_urlencoded("abcd=12345", 10, &lim, &f, &eb), 0);
    form_cleanup(&f);
    assert_int_equal(form_parse_urlencoded("abcde=1", 7, &lim, &f, &eb), ERR_TOO_LARGE);
    errbuf_clear(&eb);
    assert_int_equal(form_parse_urlencoded("a=123456", 8, &lim, &f, &eb), ERR_TOO_LARGE);
    /* An escape counts once decoded: %41 x5 is 5 bytes. */
    assert_int_equal(form_parse_urlencoded("a=%41%41%41%41%41", 17, &lim, &f, &eb), 0);
    assert_string_equal(form_get(&f, "a"), "AAAAA");
    form_cleanup(&f);
}

static const char multipart[] = "preamble ignored\r\n"
                                "--XyZ\r\n"
                                "Content-Disposition: form-data; name=\"service_code\"\r\n"
                                "\r\n"
                                "0301\r\n"
                                "--XyZ\r\n"
                                "Content-Disposition: form-data; name=\"media\"; "
                                "filename=\"p.png\"\r\n"
                                "Content-Type: Image/PNG\r\n"
                                "\r\n"
                                "\x89PNG\r\n\x1a\n\0\0\r\n"
                                "--XyZ\r\n"
                                "Content-Disposition: form-data; name=\"empty\"\r\n"
                                "\r\n"
                                "\r\n"
                                "--XyZ\r\n"
                                "content-disposition: form-data; name=\"attribute[t][]\"\r\n"
                                "X-Other: ignored\r\n"
                                "\r\n"
                                "line1\r\nline2\r\n"
                                "--XyZ--\r\n"
                                "epilogue";

static void test_multipart(void **state)
{
    struct errbuf eb = {{0}};
    struct form f;
    const struct form_field *media;
    (void)state;
    assert_int_equal(form_parse_body("multipart/form-data; boundary=XyZ", multipart,
                                     sizeof(multipart) - 1, NULL, &f, &eb),
                     0);
    assert_int_equal(f.len, 3);
    assert_string_equal(form_get(&f, "service_code"), "0301");
    media = form_find(&f, "media");
    assert_non_null(media);
    /* The CRLF before the next delimiter belongs to the delimiter. */
    assert_int_equal(media->value_len, 10);
    assert_memory_equal(media->value, "\x89PNG\r\n\x1a\n\0\0", 10);
    assert_string_equal(media->filename, "p.png");
    assert_string_equal(media->content_type, "image/png");
    assert_null(form_find(&f, "empty"));
    assert_string_equal(form_get(&f, "attribute[t][]"), "line1\r\nline2");
    assert_null(f.fields[2].filename);
    form_cleanup(&f);

    /* Quoted boundary, no preamble, escaped quote in a name. */
    static const char q[] = "--a b\r\nContent-Disposition: form-data; name=\"x\\\"y\"\r\n\r\n"
                            "v\r\n--a b--";
    assert_int_equal(form_parse_multipart(q, sizeof(q) - 1,
                                          "multipart/form-data; charset=utf-8; boundary=\"a b\"",
                                          NULL, &f, &eb),
                     0);
    assert_string_equal(form_get(&f, "x\"y"), "v");
    form_cleanup(&f);
}

static void test_multipart_strict(void **state)
{
    static const struct {
        const char *ctype, *body;
        int err;
    } cases[] = {
        {"multipart/form-data", "--B--", ERR_INVALID},                 /* no boundary */
        {"multipart/form-data; boundary=", "--B--", ERR_INVALID},      /* empty boundary */
        {"multipart/form-data; boundary=a\x01", "--B--", ERR_INVALID}, /* bad character */
        {"multipart/mixed; boundary=B", "--B--", ERR_UNSUPPORTED_MEDIA},
        {"multipart/form-data; boundary=B", "no delimiter", ERR_INVALID},
        {"multipart/form-data; boundary=B",
         "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\nunterminated", ERR_INVALID},
        {"multipart/form-data; boundary=B",
         "--B\r\nContent-Disposition: attachment; name=x\r\n\r\nv\r\n--B--", ERR_INVALID},
        {"multipart/form-data; boundary=B", "--B\r\nContent-Type: text/plain\r\n\r\nv\r\n--B--",
         ERR_INVALID}, /* no disposition */
        {"multipart/form-data; boundary=B",
         "--B\r\nContent-Disposition: form-data\r\n\r\nv\r\n--B--", ERR_INVALID}, /* no name */
        {"multipart/form-data; boundary=B",
         "--B\r\nContent-Disposition: form-data; name=\"x\r\n\r\nv\r\n--B--", ERR_INVALID},
        {"multipart/form-data; boundary=B",
         "--B\r\nContent-Disposition: form-data; name=x\r\n\r\n\xff\r\n--B--", ERR_INVALID},
        {"multipart/form-data; boundary=B", "--Bjunk\r\n", ERR_INVALID},
        {"multipart/form-data; boundary=B",
         "--B\r\nContent-Disposition: form-data; name=x\r\n\r\n0123456789\r\n--B--",
         ERR_TOO_LARGE}, /* over max_value */
    };
    struct form_limits lim = {8, 16, 8, 32};
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct errbuf eb = {{0}};
        struct form f = {NULL, 0};
        int r = form_parse_multipart(cases[i].body, strlen(cases[i].body), cases[i].ctype, &lim, &f,
                                     &eb);
        if (r != cases[i].err)
            fail_msg("case %zu: got %d want %d (%s)", i, r, cases[i].err, eb.msg);
        assert_null(f.fields);
    }
}

static void test_body_dispatch(void **state)
{
    struct errbuf eb = {{0}};
    struct form f;
    (void)state;
    assert_int_equal(form_parse_body("Application/X-WWW-Form-Urlencoded; charset=utf-8", "a=1", 3,
                                     NULL, &f, &eb),
                     0);
    assert_string_equal(form_get(&f, "a"), "1");
    form_cleanup(&f);
    assert_int_equal(form_parse_body(NULL, NULL, 0, NULL, &f, &eb), 0);
    assert_int_equal(f.len, 0);
    assert_int_equal(form_parse_body(NULL, "a=1", 3, NULL, &f, &eb), ERR_UNSUPPORTED_MEDIA);
    assert_int_equal(form_parse_body("application/json", "{}", 2, NULL, &f, &eb),
                     ERR_UNSUPPORTED_MEDIA);
}

static void test_attribute_names(void **state)
{
    char code[16];
    int is_list = 5;
    (void)state;
    assert_int_equal(form_attribute_name("attribute[urgency]", code, sizeof(code), &is_list), 1);
    assert_string_equal(code, "urgency");
    assert_int_equal(is_list, 0);
    assert_int_equal(form_attribute_name("attribute[tags][]", code, sizeof(code), &is_list), 1);
    assert_string_equal(code, "tags");
    assert_int_equal(is_list, 1);
    static const char *const no[] = {"attribute[]",
                                     "attribute[x",
                                     "attribute[x]y",
                                     "attribute[x][]]",
                                     "attribute[a[b]",
                                     "attr[x]",
                                     "attribute[x][0]",
                                     "attribute[0123456789abcdef]",
                                     NULL};
    for (const char *const *s = no; *s; s++) {
        assert_int_equal(form_attribute_name(*s, code, sizeof(code), &is_list), 0);
        assert_string_equal(code, "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urlencoded_decoding),
        cmocka_unit_test(test_urlencoded_empty_is_absent_and_repeats_kept),
        cmocka_unit_test(test_urlencoded_strict),
        cmocka_unit_test(test_urlencoded_limits),
        cmocka_unit_test(test_multipart),
        cmocka_unit_test(test_multipart_strict),
        cmocka_unit_test(test_body_dispatch),
        cmocka_unit_test(test_attribute_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
