/*
 * test_routing.c - routing precedence (area subtree first, then category specificity), the
 * fallback to the taxonomy's default department, rule validation and the routing CSV file.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/error.h"
#include "domain/routing.h"
#include "domain/taxonomy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISTRICT  "440605"
#define STREET1   "440605001"
#define STREET2   "440605002"
#define STREET3   "440605003"
#define COMMUNITY "440605001001"

/* District rules for class 02 and subcategory 0201, a street override for class 02, a
 * community override for 0202, a street taking every category, and a city-wide rule for
 * 0301. */
static const struct routing_rule fixture_rules[] = {
    {DISTRICT, "02", "district_facilities"}, {DISTRICT, "0201", "district_water"},
    {STREET1, "02", "street1_facilities"},   {COMMUNITY, "0202", "community_power"},
    {STREET2, "", "street2_everything"},     {"", "0301", "city_police"},
};

static struct routing *fixture(void)
{
    struct routing *r = routing_new();
    /* added out of order on purpose */
    for (size_t i = sizeof(fixture_rules) / sizeof(fixture_rules[0]); i-- > 0;)
        assert_int_equal(routing_add(r, &fixture_rules[i], NULL), 0);
    return r;
}

static void test_precedence(void **state)
{
    (void)state;
    static const struct {
        const char *area;
        const char *category;
        const char *unit;
        const char *rule_area; /* NULL = the default department */
        const char *rule_category;
    } rows[] = {
        /* a street without rules: the district decides, sub over class */
        {STREET3 "001", "0202", "district_facilities", DISTRICT, "02"},
        {STREET3 "001", "0201", "district_water", DISTRICT, "0201"},
        {STREET3 "001", "02", "district_facilities", DISTRICT, "02"},
        {DISTRICT, "0201", "district_water", DISTRICT, "0201"},
        {DISTRICT, "0208", "district_facilities", DISTRICT, "02"},
        /* street 1 overrides the district for the whole class, even for 0201, which only
         * the district names exactly: the area decides first */
        {STREET1, "0201", "street1_facilities", STREET1, "02"},
        {COMMUNITY, "0201", "street1_facilities", STREET1, "02"},
        {STREET1 "002", "0202", "street1_facilities", STREET1, "02"},
        {STREET1 "002001", "02", "street1_facilities", STREET1, "02"},
        /* the community overrides its street for 0202 only; grids below inherit it */
        {COMMUNITY, "0202", "community_power", COMMUNITY, "0202"},
        {COMMUNITY "001", "0202", "community_power", COMMUNITY, "0202"},
        {COMMUNITY "001001", "0202", "community_power", COMMUNITY, "0202"},
        {COMMUNITY, "02", "street1_facilities", STREET1, "02"},
        /* street 2 takes every category, over the district's 0201 and the city's 0301 */
        {STREET2 "001", "0201", "street2_everything", STREET2, ""},
        {STREET2 "001", "0301", "street2_everything", STREET2, ""},
        {STREET2, "99", "street2_everything", STREET2, ""},
        /* the city-wide rule applies where nothing nearer does */
        {STREET3 "001", "0301", "city_police", "", "0301"},
        {STREET1, "0301", "city_police", "", "0301"},
        {"44", "0301", "city_police", "", "0301"},
        /* no rule: the category's default department */
        {STREET3 "001", "0302", "public_security", NULL, "0302"},
        {STREET3 "001", "03", "public_security", NULL, "03"},
        {"440606", "0201", "water_affairs", NULL, "0201"},
        {"44", "0202", "power_supply", NULL, "0202"},
        {STREET1, "1002", "education", NULL, "1002"},
        {DISTRICT "004", "0701", "justice", NULL, "0701"},
    };
    struct taxonomy *tax = taxonomy_new_default();
    struct routing *r = fixture();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct routing_decision d;
        struct errbuf eb = {{0}};
        int rc = routing_resolve(r, tax, rows[i].area, rows[i].category, &d, &eb);
        if (rc != 0)
            fail_msg("row %zu: %s", i, eb.msg);
        if (strcmp(d.unit, rows[i].unit) != 0)
            fail_msg("row %zu (%s x %s): got %s, want %s", i, rows[i].area, rows[i].category,
                     d.unit, rows[i].unit);
        assert_int_equal(d.is_default, rows[i].rule_area == NULL);
        if (rows[i].rule_area != NULL) {
            assert_string_equal(d.rule.area_code, rows[i].rule_area);
            assert_string_equal(d.rule.category, rows[i].rule_category);
            assert_string_equal(d.rule.unit, rows[i].unit);
            assert_string_equal(d.default_from, "");
        } else {
            assert_string_equal(d.default_from, rows[i].rule_category);
        }
    }
    routing_free(r);
    taxonomy_free(tax);
}

/* Without any rule every category goes to its default department; a subcategory without one
 * uses its class's. */
static void test_fallback(void **state)
{
    (void)state;
    struct taxonomy *def = taxonomy_new_default();
    struct routing *empty = routing_new();
    struct routing_decision d;
    for (size_t i = 0; i < taxonomy_count(def); i++) {
        const struct category *c = taxonomy_at(def, i);
        assert_int_equal(routing_resolve(empty, def, COMMUNITY, c->code, &d, NULL), 0);
        assert_string_equal(d.unit, c->department);
        assert_true(d.is_default);
        assert_string_equal(d.default_from, c->code);
    }

    static const char csv[] =
        "code,parent,name_zh,name_en,department,response_normal,response_urgent,"
        "response_emergency,resolve_normal,resolve_urgent,resolve_emergency\n"
        "02,,公共设施,Facilities,urban_management,60,10,10,1d,4h,2h\n"
        "0201,02,供水,Water,water_affairs,60,10,10,1d,4h,2h\n"
        "0209,02,其他设施,Other facilities,,60,10,10,1d,4h,2h\n";
    struct taxonomy *tax = NULL;
    assert_int_equal(taxonomy_parse_csv(csv, strlen(csv), &tax, NULL, NULL), 0);
    assert_int_equal(routing_resolve(empty, tax, COMMUNITY, "0209", &d, NULL), 0);
    assert_string_equal(d.unit, "urban_management");
    assert_string_equal(d.default_from, "02");
    assert_int_equal(routing_resolve(empty, tax, COMMUNITY, "0201", &d, NULL), 0);
    assert_string_equal(d.unit, "water_affairs");
    assert_string_equal(d.default_from, "0201");

    /* without a taxonomy only rules count */
    struct errbuf eb = {{0}};
    assert_int_equal(routing_resolve(empty, NULL, COMMUNITY, "0201", &d, &eb), ERR_NOT_FOUND);
    assert_string_equal(d.unit, "");
    assert_non_null(strstr(eb.msg, "no rule and no default unit for 0201"));
    struct routing *r = fixture();
    assert_int_equal(routing_resolve(r, NULL, COMMUNITY, "0201", &d, NULL), 0);
    assert_string_equal(d.unit, "street1_facilities");
    assert_int_equal(routing_resolve(r, NULL, STREET3, "0399", &d, NULL), ERR_NOT_FOUND);

    routing_free(r);
    routing_free(empty);
    taxonomy_free(tax);
    taxonomy_free(def);
}

static void test_resolve_errors(void **state)
{
    (void)state;
    static const struct {
        const char *area;
        const char *category;
        int err;
    } rows[] = {
        {"123", "0201", ERR_INVALID},        {"", "0201", ERR_INVALID},
        {"4406050011", "0201", ERR_INVALID}, {COMMUNITY, "2", ERR_INVALID},
        {COMMUNITY, "", ERR_INVALID},        {COMMUNITY, "0200", ERR_INVALID},
        {COMMUNITY, "02011", ERR_INVALID},   {COMMUNITY, "0299", ERR_NOT_FOUND},
        {COMMUNITY, "77", ERR_NOT_FOUND},
    };
    struct taxonomy *tax = taxonomy_new_default();
    struct routing *r = fixture();
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct routing_decision d;
        struct errbuf eb = {{0}};
        if (routing_resolve(r, tax, rows[i].area, rows[i].category, &d, &eb) != rows[i].err)
            fail_msg("row %zu ('%s', '%s')", i, rows[i].area, rows[i].category);
        assert_true(eb.msg[0] != '\0');
        assert_string_equal(d.unit, "");
    }
    routing_free(r);
    taxonomy_free(tax);
}

static void test_rules_add_find_remove(void **state)
{
    (void)state;
    static const struct {
        struct routing_rule rule;
        int err;
    } rows[] = {
        {{"", "", "everything"}, 0},
        {{"44", "", "province"}, 0},
        {{"440605001001001001", "0201", "cell_water"}, 0},
        {{"123", "02", "unit"}, ERR_INVALID},
        {{"4406050011", "02", "unit"}, ERR_INVALID},
        {{"44a6", "02", "unit"}, ERR_INVALID},
        {{DISTRICT, "2", "unit"}, ERR_INVALID},
        {{DISTRICT, "020", "unit"}, ERR_INVALID},
        {{DISTRICT, "00", "unit"}, ERR_INVALID},
        {{DISTRICT, "0200", "unit"}, ERR_INVALID},
        {{DISTRICT, "0x", "unit"}, ERR_INVALID},
        {{DISTRICT, "02", ""}, ERR_INVALID},
        {{DISTRICT, "02", "Water"}, ERR_INVALID},
        {{DISTRICT, "02", "water-affairs"}, ERR_INVALID},
        {{DISTRICT, "02", "district_facilities"}, ERR_EXISTS},
        {{DISTRICT, "0201", "another"}, ERR_EXISTS},
    };
    struct routing *r = fixture();
    size_t n0 = routing_count(r);
    size_t added = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct errbuf eb = {{0}};
        int rc = routing_add(r, &rows[i].rule, &eb);
        if (rc != rows[i].err)
            fail_msg("rule %zu: got %d (%s)", i, rc, eb.msg);
        if (rc != 0)
            assert_true(eb.msg[0] != '\0');
        added += rc == 0;
    }
    assert_int_equal(routing_count(r), n0 + added);

    /* an unterminated field is rejected, not read past */
    struct routing_rule junk;
    memset(&junk, '1', sizeof(junk));
    assert_int_equal(routing_add(r, &junk, NULL), ERR_INVALID);

    /* ordered by area, then category */
    for (size_t i = 1; i < routing_count(r); i++) {
        const struct routing_rule *a = routing_at(r, i - 1), *b = routing_at(r, i);
        int c = strcmp(a->area_code, b->area_code);
        assert_true(c < 0 || (c == 0 && strcmp(a->category, b->category) < 0));
    }
    assert_string_equal(routing_at(r, 0)->unit, "everything");
    assert_null(routing_at(r, routing_count(r)));

    assert_string_equal(routing_find(r, STREET1, "02")->unit, "street1_facilities");
    assert_null(routing_find(r, STREET1, "0201"));
    assert_int_equal(routing_remove(r, STREET1, "02"), 0);
    assert_int_equal(routing_remove(r, STREET1, "02"), ERR_NOT_FOUND);
    assert_null(routing_find(r, STREET1, "02"));
    assert_int_equal(routing_count(r), n0 + added - 1);
    routing_free(r);
    routing_free(NULL);

    struct routing *empty = routing_new();
    assert_int_equal(routing_count(empty), 0);
    assert_null(routing_find(empty, "", ""));
    assert_int_equal(routing_remove(empty, "", ""), ERR_NOT_FOUND);
    routing_free(empty);
}

/* The decision is a copy: changing the rules later does not change a case's unit. */
static void test_decision_is_a_value(void **state)
{
    (void)state;
    struct taxonomy *tax = taxonomy_new_default();
    struct routing *r = fixture();
    struct routing_decision d;
    assert_int_equal(routing_resolve(r, tax, COMMUNITY, "0202", &d, NULL), 0);
    assert_string_equal(d.unit, "community_power");
    assert_int_equal(routing_remove(r, COMMUNITY, "0202"), 0);
    struct routing_rule moved = {COMMUNITY, "0202", "new_power_unit"};
    assert_int_equal(routing_add(r, &moved, NULL), 0);
    assert_string_equal(d.unit, "community_power");
    assert_string_equal(d.rule.unit, "community_power");
    struct routing_decision now;
    assert_int_equal(routing_resolve(r, tax, COMMUNITY, "0202", &now, NULL), 0);
    assert_string_equal(now.unit, "new_power_unit");
    routing_free(r);
    taxonomy_free(tax);
}

/* ---- CSV ---- */

static const struct routing_import_problem *find_problem(const struct routing_import_result *res,
                                                         size_t line)
{
    for (size_t i = 0; i < res->n_problems && i < ROUTING_IMPORT_MAX_PROBLEMS; i++) {
        if (res->problems[i].line == line)
            return &res->problems[i];
    }
    return NULL;
}

static void test_csv_good_and_round_trip(void **state)
{
    (void)state;
    static const char text[] = "\xef\xbb\xbf"
                               "area_code,category,unit\r\n"
                               "440605,02,district_facilities\r\n"
                               "\r\n"
                               "\"440605\",\"0201\",\"district_water\"\r\n"
                               " 440605001 , 02 , street1_facilities \r\n"
                               "440605001001,0202,community_power\r\n"
                               "440605002,,street2_everything\r\n"
                               ",0301,city_police"; /* no final line end */
    struct taxonomy *tax = taxonomy_new_default();
    struct routing *r = NULL, *back = NULL, *expect = fixture();
    struct routing_import_result *res = calloc(1, sizeof(*res));
    struct errbuf eb = {{0}};
    if (routing_parse_csv(text, strlen(text), tax, &r, res, &eb) != 0)
        fail_msg("%s", eb.msg);
    assert_int_equal(res->rows, 6);
    assert_int_equal(res->imported, 6);
    assert_int_equal(res->n_problems, 0);
    assert_int_equal(routing_count(r), routing_count(expect));
    for (size_t i = 0; i < routing_count(r); i++) {
        assert_string_equal(routing_at(r, i)->area_code, routing_at(expect, i)->area_code);
        assert_string_equal(routing_at(r, i)->category, routing_at(expect, i)->category);
        assert_string_equal(routing_at(r, i)->unit, routing_at(expect, i)->unit);
    }
    struct routing_decision d;
    assert_int_equal(routing_resolve(r, tax, COMMUNITY, "0201", &d, NULL), 0);
    assert_string_equal(d.unit, "street1_facilities");
    /* a parsed table can still grow */
    struct routing_rule extra = {STREET3, "0201", "street3_water"};
    assert_int_equal(routing_add(r, &extra, NULL), 0);
    assert_int_equal(routing_remove(r, STREET3, "0201"), 0);

    struct buf b, again;
    buf_init(&b, 1 << 16);
    buf_init(&again, 1 << 16);
    assert_int_equal(routing_write_csv(r, &b), 0);
    assert_string_equal(b.data, "area_code,category,unit\n"
                                ",0301,city_police\n"
                                "440605,02,district_facilities\n"
                                "440605,0201,district_water\n"
                                "440605001,02,street1_facilities\n"
                                "440605001001,0202,community_power\n"
                                "440605002,,street2_everything\n");
    assert_int_equal(routing_parse_csv(b.data, b.len, tax, &back, NULL, NULL), 0);
    assert_int_equal(routing_write_csv(back, &again), 0);
    assert_string_equal(again.data, b.data);

    /* a header alone is a valid, empty table */
    routing_free(back);
    assert_int_equal(routing_parse_csv("area_code,category,unit\n", 24, tax, &back, res, NULL), 0);
    assert_int_equal(routing_count(back), 0);
    assert_int_equal(res->imported, 0);

    struct buf small;
    buf_init(&small, 30);
    assert_int_equal(routing_write_csv(r, &small), ERR_TOO_LARGE);
    buf_cleanup(&small);
    buf_cleanup(&b);
    buf_cleanup(&again);
    routing_free(back);
    routing_free(r);
    routing_free(expect);
    taxonomy_free(tax);
    free(res);
}

static void test_csv_bad_rows(void **state)
{
    (void)state;
    static const struct {
        const char *row;
        const char *reason; /* NULL = a good row */
    } rows[] = {
        /* 2 */ {"440605,02,district_facilities", NULL},
        /* 3 */ {"12345,02,unit", "area_code must be empty or an area code"},
        /* 4 */ {"440605,2,unit", "category must be empty or 2 or 4 digits"},
        /* 5 */ {"440605,0299,unit", "category 0299 is not in the taxonomy"},
        /* 6 */ {"440605,0201,Water Affairs", "unit must be letters a-z"},
        /* 7 */ {"440605,0201,", "unit must be letters a-z"},
        /* 8 */ {"440605,0201", "expected 3 fields, found 2"},
        /* 9 */
        {"440605,02,other_unit", "duplicate rule for area '440605' and category '02' "
                                 "(first on line 2)"},
        /* 10 */ {"4406050010010010011,02,unit", "area_code must be empty"},
        /* 11 */
        {"440605,0201,unit_name_that_is_far_too_long_to_be_a_code", "unit must be letters a-z"},
        /* 12 */ {"440605,\"02,unit", "unterminated quoted field"},
    };
    struct buf b;
    buf_init(&b, 1 << 16);
    buf_append_str(&b, "area_code,category,unit\n");
    size_t n_bad = 0;
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        buf_append_str(&b, rows[i].row);
        buf_append_str(&b, "\n");
        n_bad += rows[i].reason != NULL;
    }
    struct taxonomy *tax = taxonomy_new_default();
    struct routing *r = routing_new(); /* must come back NULL; freed first */
    struct routing *keep = r;
    struct routing_import_result *res = calloc(1, sizeof(*res));
    struct errbuf eb = {{0}};
    assert_int_equal(routing_parse_csv(b.data, b.len, tax, &r, res, &eb), ERR_INVALID);
    assert_null(r);
    assert_int_equal(res->rows, sizeof(rows) / sizeof(rows[0]));
    assert_int_equal(res->imported, 0);
    assert_int_equal(res->n_problems, n_bad);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        const struct routing_import_problem *p = find_problem(res, i + 2);
        if (rows[i].reason == NULL) {
            assert_null(p);
            continue;
        }
        if (p == NULL)
            fail_msg("line %zu: no problem (want %s)", i + 2, rows[i].reason);
        else if (strstr(p->reason, rows[i].reason) == NULL)
            fail_msg("line %zu: '%s' does not say '%s'", i + 2, p->reason, rows[i].reason);
    }
    for (size_t i = 1; i < res->n_problems; i++)
        assert_true(res->problems[i - 1].line <= res->problems[i].line);
    assert_non_null(strstr(eb.msg, "routing file: 10 problems; line 3: area_code"));

    /* without a taxonomy an unknown category is only checked for syntax */
    static const char loose[] = "area_code,category,unit\n440605,0299,unit\n";
    assert_int_equal(routing_parse_csv(loose, strlen(loose), NULL, &r, NULL, NULL), 0);
    assert_int_equal(routing_count(r), 1);
    routing_free(r);

    /* file-level problems */
    static const struct {
        const char *text;
        size_t line;
        const char *reason;
    } files[] = {
        {"", 0, "the file is empty"},
        {"area,category,unit\n440605,02,x\n", 1, "the header must be"},
        {"\n\narea_code,category\n", 3, "the header must be"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        memset(res, 0, sizeof(*res));
        assert_int_equal(
            routing_parse_csv(files[i].text, strlen(files[i].text), tax, &r, res, NULL),
            ERR_INVALID);
        assert_null(r);
        assert_int_equal(res->n_problems, 1);
        assert_int_equal(res->problems[0].line, files[i].line);
        assert_non_null(strstr(res->problems[0].reason, files[i].reason));
    }
    routing_free(keep);
    taxonomy_free(tax);
    buf_cleanup(&b);
    free(res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_precedence),          cmocka_unit_test(test_fallback),
        cmocka_unit_test(test_resolve_errors),      cmocka_unit_test(test_rules_add_find_remove),
        cmocka_unit_test(test_decision_is_a_value), cmocka_unit_test(test_csv_good_and_round_trip),
        cmocka_unit_test(test_csv_bad_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
