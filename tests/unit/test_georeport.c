/*
 * test_georeport.c - the GeoReport document reader (base/georeport.h): format detection, the
 * JSON and XML shapes accepted, sloppy values (letter case, blanks, numbers, empty and nested
 * elements, unknown fields, over-long text), and the refusals (error answers, wrong roots,
 * malformed text, DOCTYPE and entities, UTF-16, oversize).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "base/georeport.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECS 8

/* What the reader handed over. */
struct got {
    size_t n;
    struct georeport_record recs[MAX_RECS];
    int stop_after; /* return ERR_IO after this many records; 0 never */
};

static int collect(void *arg, const struct georeport_record *rec)
{
    struct got *g = arg;
    if (g->n < MAX_RECS)
        g->recs[g->n] = *rec;
    g->n++;
    if (g->stop_after && (int)g->n >= g->stop_after)
        return ERR_IO;
    return 0;
}

static int read_doc(const char *text, enum georeport_format fmt, struct got *g, struct errbuf *eb)
{
    memset(g, 0, sizeof(*g));
    errbuf_clear(eb);
    return georeport_read(text, strlen(text), fmt, collect, g, eb);
}

static void test_detect(void **state)
{
    (void)state;
    assert_int_equal(georeport_detect("\xef\xbb\xbf  \n<x/>", 10), GEOREPORT_XML);
    assert_int_equal(georeport_detect(" [1]", 4), GEOREPORT_JSON);
    assert_int_equal(georeport_detect("{}", 2), GEOREPORT_JSON);
    assert_int_equal(georeport_detect("case_enquiry_id,open_dt\n", 24), GEOREPORT_CSV);
    assert_int_equal(georeport_detect("", 0), GEOREPORT_CSV);
    assert_string_equal(georeport_field_name(GR_REQUESTED), "requested_datetime");
    assert_null(georeport_field_name(GR_FIELD_COUNT));
}

static void test_json_shapes(void **state)
{
    struct errbuf eb = {{0}};
    struct got *g = malloc(sizeof(*g));
    (void)state;
    /* A plain array; numbers, booleans, nulls and nested values become text. */
    assert_int_equal(read_doc("[{\"service_request_id\": 12, \"lat\": 42.3594, \"long\": -71,"
                              " \"status\": \"Open\", \"media_url\": null, \"token\": true,"
                              " \"address\": {\"x\": 1}, \"Description\": \"  Hole \\n\","
                              " \"votes\": 3, \"notes\": []}, 7]",
                              GEOREPORT_JSON, g, &eb),
                     0);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->recs[0].number, 1);
    assert_int_equal(g->recs[0].is_request, 1);
    assert_string_equal(g->recs[0].field[GR_ID], "12");
    assert_string_equal(g->recs[0].field[GR_LAT], "42.3594");
    assert_string_equal(g->recs[0].field[GR_LONG], "-71");
    assert_string_equal(g->recs[0].field[GR_STATUS], "Open");
    assert_string_equal(g->recs[0].field[GR_MEDIA_URL], "");
    assert_string_equal(g->recs[0].field[GR_TOKEN], "true");
    assert_string_equal(g->recs[0].field[GR_ADDRESS], "");
    assert_string_equal(g->recs[0].field[GR_DESCRIPTION], "Hole");
    assert_int_equal(g->recs[0].n_unknown, 1); /* votes; notes is a known extension */
    assert_string_equal(g->recs[0].unknown, "votes");
    assert_int_equal(g->recs[1].number, 2);
    assert_int_equal(g->recs[1].is_request, 0);

    /* Wrapped: service_requests as an array, as {request: [...]}, {request: {...}}, requests,
     * and a lone request object. */
    assert_int_equal(
        read_doc("{\"service_requests\": [{\"status\": \"closed\"}]}", GEOREPORT_JSON, g, &eb), 0);
    assert_int_equal(g->n, 1);
    assert_int_equal(read_doc("{\"service_requests\": {\"request\": [{\"status\": \"a\"}, "
                              "{\"status\": \"b\"}]}}",
                              GEOREPORT_JSON, g, &eb),
                     0);
    assert_int_equal(g->n, 2);
    assert_string_equal(g->recs[1].field[GR_STATUS], "b");
    assert_int_equal(read_doc("{\"service_requests\": {\"request\": {\"service_request_id\": "
                              "\"S\"}}}",
                              GEOREPORT_JSON, g, &eb),
                     0);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->recs[0].field[GR_ID], "S");
    assert_int_equal(read_doc("{\"requests\": []}", GEOREPORT_JSON, g, &eb), 0);
    assert_int_equal(g->n, 0);
    assert_int_equal(read_doc("{\"SERVICE_REQUEST_ID\": \"L\"}", GEOREPORT_JSON, g, &eb), 0);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->recs[0].field[GR_ID], "L");

    /* Refusals. */
    assert_int_equal(read_doc("[{\"code\": 404, \"description\": \"jurisdiction_id not found\"}]",
                              GEOREPORT_JSON, g, &eb),
                     ERR_INVALID);
    assert_non_null(strstr(eb.msg, "error answer: jurisdiction_id not found"));
    assert_int_equal(read_doc("{\"errors\": {\"error\": {\"code\": 403, \"description\": \"k\"}}}",
                              GEOREPORT_JSON, g, &eb),
                     ERR_INVALID);
    assert_non_null(strstr(eb.msg, "error answer: k"));
    assert_int_equal(read_doc("{\"service_requests\": 5}", GEOREPORT_JSON, g, &eb), ERR_INVALID);
    assert_int_equal(read_doc("{\"hello\": 1}", GEOREPORT_JSON, g, &eb), ERR_INVALID);
    assert_int_equal(read_doc("\"text\"", GEOREPORT_JSON, g, &eb), ERR_INVALID);
    assert_int_equal(read_doc("[{\"status\":", GEOREPORT_JSON, g, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "not JSON"));
    assert_int_equal(g->n, 0);
    /* The callback's error stops the reading. */
    memset(g, 0, sizeof(*g));
    g->stop_after = 1;
    assert_int_equal(georeport_read("[{}, {}, {}]", 12, GEOREPORT_JSON, collect, g, &eb), ERR_IO);
    assert_int_equal(g->n, 1);
    free(g);
}

static void test_xml_shapes(void **state)
{
    struct errbuf eb = {{0}};
    struct got *g = malloc(sizeof(*g));
    (void)state;
    assert_int_equal(
        read_doc("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                 "<service_requests>\n"
                 "  <request>\n"
                 "    <service_request_id> 7 </service_request_id>\n"
                 "    <STATUS>CLOSED</STATUS>\n"
                 "    <description>A &amp; B <![CDATA[<c>]]></description>\n"
                 "    <media_url/>\n"
                 "    <lat>\n 23.05\n </lat>\n"
                 "    <address><line>1</line></address>\n"
                 "    <ward>7</ward><extended_attributes><x>1</x></extended_attributes>\n"
                 "  </request>\n"
                 "  <!-- a comment -->\n"
                 "  <note>x</note>\n"
                 "  <request/>\n"
                 "</service_requests>\n",
                 GEOREPORT_XML, g, &eb),
        0);
    assert_int_equal(g->n, 3);
    assert_int_equal(g->recs[0].number, 1);
    assert_int_equal(g->recs[0].line, 3);
    assert_string_equal(g->recs[0].field[GR_ID], "7");
    assert_string_equal(g->recs[0].field[GR_STATUS], "CLOSED");
    assert_string_equal(g->recs[0].field[GR_DESCRIPTION], "A & B <c>");
    assert_string_equal(g->recs[0].field[GR_MEDIA_URL], "");
    assert_string_equal(g->recs[0].field[GR_LAT], "23.05");
    assert_string_equal(g->recs[0].field[GR_ADDRESS], ""); /* nested: ignored */
    assert_int_equal(g->recs[0].n_unknown, 1);
    assert_string_equal(g->recs[0].unknown, "ward");
    assert_int_equal(g->recs[1].is_request, 0);
    assert_int_equal(g->recs[1].number, 2);
    assert_int_equal(g->recs[2].is_request, 1);
    assert_int_equal(g->recs[2].number, 3);
    assert_string_equal(g->recs[2].field[GR_ID], "");

    /* A lone request as the root; an 8-bit encoding declared; an empty list. */
    assert_int_equal(read_doc("<request><service_request_id>R</service_request_id></request>",
                              GEOREPORT_XML, g, &eb),
                     0);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->recs[0].field[GR_ID], "R");
    assert_int_equal(read_doc("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><requests><request>"
                              "<description>caf\xe9</description></request></requests>",
                              GEOREPORT_XML, g, &eb),
                     0);
    assert_string_equal(g->recs[0].field[GR_DESCRIPTION], "caf\xc3\xa9");
    assert_int_equal(read_doc("<service_requests/>", GEOREPORT_XML, g, &eb), 0);
    assert_int_equal(g->n, 0);

    /* Refusals. */
    assert_int_equal(read_doc("<errors><error><code>404</code><description>no such service"
                              "</description></error></errors>",
                              GEOREPORT_XML, g, &eb),
                     ERR_INVALID);
    assert_non_null(strstr(eb.msg, "error answer: no such service"));
    assert_int_equal(read_doc("<html><body/></html>", GEOREPORT_XML, g, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "<html>"));
    assert_int_equal(read_doc("<service_requests>\n<request><status>open</request>\n"
                              "</service_requests>",
                              GEOREPORT_XML, g, &eb),
                     ERR_INVALID);
    assert_non_null(strstr(eb.msg, "not well-formed XML (line 2"));
    assert_int_equal(read_doc("", GEOREPORT_XML, g, &eb), ERR_INVALID);
    assert_int_equal(read_doc("not xml", GEOREPORT_XML, g, &eb), ERR_INVALID);
    free(g);
}

static void test_xml_safety(void **state)
{
    struct errbuf eb = {{0}};
    struct got *g = malloc(sizeof(*g));
    static const char utf16[] = "\xff\xfe<\0s\0/\0>\0";
    (void)state;
    /* Entities can neither be declared (no DOCTYPE) nor fetched. */
    assert_int_equal(read_doc("<?xml version=\"1.0\"?>\n<!DOCTYPE l [<!ENTITY a \"aaaa\">"
                              "<!ENTITY b \"&a;&a;&a;&a;\">]>\n<service_requests><request>"
                              "<description>&b;</description></request></service_requests>",
                              GEOREPORT_XML, g, &eb),
                     ERR_INVALID);
    assert_non_null(strstr(eb.msg, "DOCTYPE"));
    assert_int_equal(g->n, 0);
    assert_int_equal(read_doc("<!DOCTYPE r SYSTEM \"http://127.0.0.1:1/x.dtd\"><service_requests/>",
                              GEOREPORT_XML, g, &eb),
                     ERR_INVALID);
    assert_int_equal(g->n, 0);
    /* An undeclared entity is an error, not a lookup. */
    assert_int_equal(read_doc("<service_requests><request><description>&xxe;</description>"
                              "</request></service_requests>",
                              GEOREPORT_XML, g, &eb),
                     ERR_INVALID);
    /* UTF-16 (NUL bytes) is refused before parsing. */
    memset(g, 0, sizeof(*g));
    assert_int_equal(georeport_read(utf16, sizeof(utf16) - 1, GEOREPORT_XML, collect, g, &eb),
                     ERR_INVALID);
    /* Oversize documents are refused unread, in both formats. */
    assert_int_equal(georeport_read("[]", GEOREPORT_DOC_MAX + 1, GEOREPORT_JSON, collect, g, &eb),
                     ERR_TOO_LARGE);
    assert_int_equal(georeport_read("<a/>", GEOREPORT_DOC_MAX + 1, GEOREPORT_XML, collect, g, &eb),
                     ERR_TOO_LARGE);
    assert_int_equal(georeport_read("a,b", 3, GEOREPORT_CSV, collect, g, &eb), ERR_INVALID);
    free(g);
}

static void test_truncation(void **state)
{
    struct errbuf eb = {{0}};
    struct got *g = malloc(sizeof(*g));
    char doc[1024];
    char *p = doc;
    (void)state;
    /* 255 ASCII bytes then a 2-byte character: the cut keeps 255 bytes, not half of it. */
    p += sprintf(p, "[{\"description\": \"");
    for (int i = 0; i < 255; i++)
        *p++ = 'a';
    sprintf(p, "\xc3\xa9zzz\", \"status\": \"open\"}]");
    assert_int_equal(read_doc(doc, GEOREPORT_JSON, g, &eb), 0);
    assert_int_equal(g->recs[0].is_truncated, 1);
    assert_int_equal(strlen(g->recs[0].field[GR_DESCRIPTION]), 255);
    assert_string_equal(g->recs[0].field[GR_STATUS], "open");
    /* Exactly the maximum is not cut. */
    p = doc;
    p += sprintf(p, "<request><description>");
    for (int i = 0; i < GEOREPORT_VALUE_MAX; i++)
        *p++ = 'b';
    sprintf(p, "</description></request>");
    assert_int_equal(read_doc(doc, GEOREPORT_XML, g, &eb), 0);
    assert_int_equal(g->recs[0].is_truncated, 0);
    assert_int_equal(strlen(g->recs[0].field[GR_DESCRIPTION]), GEOREPORT_VALUE_MAX);
    free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect),     cmocka_unit_test(test_json_shapes),
        cmocka_unit_test(test_xml_shapes), cmocka_unit_test(test_xml_safety),
        cmocka_unit_test(test_truncation),
    };
    georeport_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
