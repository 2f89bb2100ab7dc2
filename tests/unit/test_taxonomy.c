/*
 * test_taxonomy.c - the default category taxonomy, departments, limits and the category CSV
 * file (parse, every kind of bad row, dialect, all-or-nothing, write -> parse round trip).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/buf.h"
#include "base/error.h"
#include "domain/taxonomy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HEADER                                                                                     \
    "code,parent,name_zh,name_en,department,response_normal,response_urgent,response_emergency,"   \
    "resolve_normal,resolve_urgent,resolve_emergency\n"

/* Working minutes of a resolution limit at 8 hours a day, for bounds checks. */
static long nominal_minutes(struct taxonomy_limit l)
{
    return (long)l.amount * (l.unit == 'd' ? 480 : 60);
}

static const struct taxonomy_import_problem *find_problem(const struct taxonomy_import_result *res,
                                                          size_t line)
{
    size_t kept = res->n_problems < TAXONOMY_IMPORT_MAX_PROBLEMS ? res->n_problems
                                                                 : TAXONOMY_IMPORT_MAX_PROBLEMS;
    for (size_t i = 0; i < kept; i++) {
        if (res->problems[i].line == line)
            return &res->problems[i];
    }
    return NULL;
}

static int parse(const char *text, struct taxonomy **out, struct taxonomy_import_result *res,
                 struct errbuf *eb)
{
    return taxonomy_parse_csv(text, strlen(text), out, res, eb);
}

/* ---- The default taxonomy ---- */

static void test_default_covers_required_domains(void **state)
{
    (void)state;
    /* One row per domain the issue requires, by a code and its Chinese name. */
    static const struct {
        const char *code;
        const char *name_zh;
    } required[] = {
        {"01", "市容环境"},
        {"0101", "暴露垃圾"},
        {"0104", "违章广告"},
        {"0105", "占道经营"},
        {"02", "公共设施"},
        {"0201", "供水"},
        {"0202", "供电"},
        {"0204", "路灯"},
        {"0205", "道路破损"},
        {"0206", "井盖缺损"},
        {"03", "社会治安"},
        {"04", "消防安全"},
        {"0401", "堵塞消防通道"},
        {"05", "出租房屋"},
        {"06", "道路交通"},
        {"07", "矛盾纠纷"},
        {"0701", "邻里纠纷"},
        {"08", "劳动保障"},
        {"0801", "拖欠工资"},
        {"09", "征地拆迁"},
        {"10", "教育"},
        {"1001", "义务教育入学"},
        {"1002", "非户籍子女入学"},
        {"11", "卫生健康"},
        {"12", "养老助残"},
        {"1205", "残疾人服务"},
        {"13", "社会救助"},
        {"14", "物业管理"},
        {"15", "咨询"},
        {"1501", "政策咨询"},
        {"99", "其他"},
    };
    struct taxonomy *tax = taxonomy_new_default();
    for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
        const struct category *c = taxonomy_find(tax, required[i].code);
        if (c == NULL) {
            fail_msg("missing category %s %s", required[i].code, required[i].name_zh);
        } else {
            assert_string_equal(c->name_zh, required[i].name_zh);
            assert_true(c->name_en[0] != '\0');
        }
    }
    assert_string_equal(taxonomy_find(tax, "1002")->name_en,
                        "School places for non-registered children");
    taxonomy_free(tax);
}

static void test_default_structure(void **state)
{
    (void)state;
    struct taxonomy *tax = taxonomy_new_default();
    size_t n = taxonomy_count(tax);
    size_t classes = 0;
    assert_true(n > 60);
    for (size_t i = 0; i < n; i++) {
        const struct category *c = taxonomy_at(tax, i);
        assert_true(taxonomy_code_is_valid(c->code));
        if (i > 0) /* sorted and unique */
            assert_true(strcmp(taxonomy_at(tax, i - 1)->code, c->code) < 0);
        assert_ptr_equal(taxonomy_find(tax, c->code), c);
        if (strlen(c->code) == 2) {
            classes++;
            assert_string_equal(c->parent, "");
            continue;
        }
        const struct category *parent = taxonomy_find(tax, c->parent);
        assert_non_null(parent);
        assert_int_equal(strlen(parent->code), 2);
        assert_memory_equal(c->code, parent->code, 2);
    }
    assert_true(classes >= 16);
    assert_null(taxonomy_at(tax, n));

    /* Every class has 3 to 8 subcategories. */
    size_t pos = 0, seen = 0;
    for (const struct category *top; (top = taxonomy_next_child(tax, "", &pos)) != NULL;) {
        size_t sub_pos = 0, subs = 0;
        seen++;
        for (const struct category *sub; (sub = taxonomy_next_child(tax, top->code, &sub_pos));) {
            assert_string_equal(sub->parent, top->code);
            subs++;
        }
        if (subs < 3 || subs > 8)
            fail_msg("class %s has %zu subcategories", top->code, subs);
    }
    assert_int_equal(seen, classes);
    taxonomy_free(tax);
}

static void test_default_departments(void **state)
{
    (void)state;
    struct taxonomy *tax = taxonomy_new_default();
    size_t nd = taxonomy_department_count();
    int *used = calloc(nd, sizeof(int));
    assert_true(nd >= 16);
    for (size_t i = 0; i < nd; i++) {
        const struct taxonomy_department *d = taxonomy_department_at(i);
        assert_true(taxonomy_unit_code_is_valid(d->code));
        assert_true(d->name_zh[0] != '\0' && d->name_en[0] != '\0');
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(taxonomy_department_at(k)->code, d->code);
    }
    assert_null(taxonomy_department_at(nd));
    for (size_t i = 0; i < taxonomy_count(tax); i++) {
        const struct category *c = taxonomy_at(tax, i);
        size_t k = 0;
        while (k < nd && strcmp(taxonomy_department_at(k)->code, c->department) != 0)
            k++;
        if (k == nd)
            fail_msg("category %s: department '%s' is not in the table", c->code, c->department);
        else
            used[k] = 1;
    }
    for (size_t k = 0; k < nd; k++) {
        if (!used[k])
            fail_msg("department %s is used by no category", taxonomy_department_at(k)->code);
    }
    free(used);
    taxonomy_free(tax);
}

static void test_default_limits(void **state)
{
    (void)state;
    struct taxonomy *tax = taxonomy_new_default();
    for (size_t i = 0; i < taxonomy_count(tax); i++) {
        const struct category *c = taxonomy_at(tax, i);
        for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
            long res = nominal_minutes(c->resolve[u]);
            assert_in_range(c->response_minutes[u], 10, 60);
            assert_true(c->resolve[u].unit == 'h' || c->resolve[u].unit == 'd');
            /* from 2 working hours to 15 working days */
            assert_true(c->resolve[u].unit == 'd' ? c->resolve[u].amount <= 15
                                                  : c->resolve[u].amount >= 2);
            assert_true(res >= 120 && res <= 15L * 480);
            if (u > 0) {
                assert_true(c->response_minutes[u] <= c->response_minutes[u - 1]);
                assert_true(res <= nominal_minutes(c->resolve[u - 1]));
            }
        }
    }
    /* Spot checks against practice: manhole cover 2 h in an emergency, school places and land
     * 15 working days, dispatch within 1 working hour normally and 10 minutes when urgent. */
    const struct category *manhole = taxonomy_find(tax, "0206");
    assert_int_equal(manhole->resolve[TAXONOMY_EMERGENCY].amount, 2);
    assert_int_equal(manhole->resolve[TAXONOMY_EMERGENCY].unit, 'h');
    assert_int_equal(manhole->response_minutes[TAXONOMY_NORMAL], 60);
    assert_int_equal(manhole->response_minutes[TAXONOMY_URGENT], 10);
    const struct category *school = taxonomy_find(tax, "1002");
    assert_int_equal(school->resolve[TAXONOMY_NORMAL].amount, 15);
    assert_int_equal(school->resolve[TAXONOMY_NORMAL].unit, 'd');
    assert_int_equal(taxonomy_find(tax, "0901")->resolve[TAXONOMY_NORMAL].amount, 15);
    taxonomy_free(tax);
}

static void test_find_children_departments(void **state)
{
    (void)state;
    struct taxonomy *tax = taxonomy_new_default();
    static const char *const facilities[] = {"0201", "0202", "0203", "0204",
                                             "0205", "0206", "0207", "0208"};
    size_t pos = 0, k = 0;
    for (const struct category *c; (c = taxonomy_next_child(tax, "02", &pos)) != NULL; k++) {
        assert_true(k < 8);
        assert_string_equal(c->code, facilities[k]);
    }
    assert_int_equal(k, 8);
    assert_null(taxonomy_next_child(tax, "02", &pos)); /* stays at the end */
    pos = 0;
    assert_null(taxonomy_next_child(tax, "77", &pos));
    pos = 0;
    assert_null(taxonomy_next_child(tax, "0201", &pos));
    pos = 0;
    assert_string_equal(taxonomy_next_child(tax, "99", &pos)->code, "9901");

    assert_null(taxonomy_find(tax, "0299"));
    assert_null(taxonomy_find(tax, ""));
    assert_null(taxonomy_find(tax, NULL));
    assert_string_equal(taxonomy_department_of(tax, "0201"), "water_affairs");
    assert_string_equal(taxonomy_department_of(tax, "02"), "urban_management");
    assert_null(taxonomy_department_of(tax, "0299"));

    assert_string_equal(taxonomy_department_name("water_affairs", "zh"), "水务局");
    assert_string_equal(taxonomy_department_name("water_affairs", "zh-CN"), "水务局");
    assert_string_equal(taxonomy_department_name("water_affairs", "en"), "Water Affairs Bureau");
    assert_string_equal(taxonomy_department_name("justice", NULL), "Judicial Office");
    assert_null(taxonomy_department_name("no_such_unit", "zh"));
    assert_null(taxonomy_department_name(NULL, "zh"));
    taxonomy_free(tax);
    taxonomy_free(NULL);
}

static void test_code_syntax(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        int ok;
    } cats[] = {
        {"01", 1}, {"99", 1},  {"0101", 1},  {"1099", 1}, {"00", 0}, {"0100", 0}, {"0001", 0},
        {"1", 0},  {"123", 0}, {"12345", 0}, {"1a", 0},   {"", 0},   {" 01", 0},  {"01 ", 0},
    };
    for (size_t i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
        if (taxonomy_code_is_valid(cats[i].code) != cats[i].ok)
            fail_msg("category code '%s'", cats[i].code);
    }
    assert_false(taxonomy_code_is_valid(NULL));

    static const struct {
        const char *code;
        int ok;
    } units[] = {
        {"water_affairs", 1},
        {"unit_440605001", 1},
        {"a", 1},
        {"abcdefghijklmnopqrstuvwxyz012345", 1},  /* 32 */
        {"abcdefghijklmnopqrstuvwxyz0123456", 0}, /* 33 */
        {"", 0},
        {"Water", 0},
        {"water-affairs", 0},
        {"water affairs", 0},
        {"水务", 0},
    };
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (taxonomy_unit_code_is_valid(units[i].code) != units[i].ok)
            fail_msg("unit code '%s'", units[i].code);
    }
    assert_false(taxonomy_unit_code_is_valid(NULL));
}

static void test_limits_and_urgency(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int amount;
        char unit; /* 0 = invalid */
    } rows[] = {
        {"4h", 4, 'h'}, {"2h", 2, 'h'}, {"72h", 72, 'h'}, {"15d", 15, 'd'},   {"60d", 60, 'd'},
        {"1d", 1, 'd'}, {"0h", 0, 0},   {"73h", 0, 0},    {"61d", 0, 0},      {"0d", 0, 0},
        {"5", 0, 0},    {"d", 0, 0},    {"5x", 0, 0},     {"-1d", 0, 0},      {"5dd", 0, 0},
        {" 5d", 0, 0},  {"5D", 0, 0},   {"", 0, 0},       {"1234567d", 0, 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        struct taxonomy_limit l = {99, 'z'};
        int r = taxonomy_limit_parse(rows[i].text, &l);
        if (rows[i].unit == 0) {
            if (r != ERR_INVALID)
                fail_msg("limit '%s' accepted", rows[i].text);
            assert_int_equal(l.amount, 0);
            continue;
        }
        if (r != 0)
            fail_msg("limit '%s' rejected", rows[i].text);
        assert_int_equal(l.amount, rows[i].amount);
        assert_int_equal(l.unit, rows[i].unit);
        char text[TAXONOMY_LIMIT_BUF];
        taxonomy_limit_format(l, text);
        assert_string_equal(text, rows[i].text);
    }

    assert_string_equal(taxonomy_urgency_name(TAXONOMY_NORMAL), "normal");
    assert_string_equal(taxonomy_urgency_name(TAXONOMY_URGENT), "urgent");
    assert_string_equal(taxonomy_urgency_name(TAXONOMY_EMERGENCY), "emergency");
    assert_string_equal(taxonomy_urgency_name_zh(TAXONOMY_EMERGENCY), "特急");
    assert_null(taxonomy_urgency_name(3));
    assert_null(taxonomy_urgency_name(-1));
    assert_null(taxonomy_urgency_name_zh(3));
    assert_int_equal(taxonomy_urgency_parse("urgent"), TAXONOMY_URGENT);
    assert_int_equal(taxonomy_urgency_parse("emergency"), TAXONOMY_EMERGENCY);
    assert_int_equal(taxonomy_urgency_parse("Urgent"), -1);
    assert_int_equal(taxonomy_urgency_parse(NULL), -1);
}

/* ---- CSV ---- */

static const char good_csv[] =
    HEADER "01,,市容环境,City appearance,urban_management,60,10,10,2d,1d,4h\n"
           "0101,01,暴露垃圾,\"Garbage, exposed\",,60,10,10,2d,1d,4h\n"
           "02,,公共设施,\"The \"\"public\"\" facilities\",urban_management,60,30,10,1d,4h,2h\n"
           "0201,02,供水,Water,water_affairs,45,10,5,1d,4h,2h\n"
           "\n"
           "  0202 , 02 ,供电, Power ,power_supply,60,10,10,15d,5d,2h\n";

static void check_good_taxonomy(const struct taxonomy *tax)
{
    assert_int_equal(taxonomy_count(tax), 5);
    const struct category *c = taxonomy_find(tax, "0101");
    assert_non_null(c);
    assert_string_equal(c->parent, "01");
    assert_string_equal(c->name_en, "Garbage, exposed");
    assert_string_equal(c->department, "");
    assert_string_equal(taxonomy_department_of(tax, "0101"), "urban_management");
    c = taxonomy_find(tax, "02");
    assert_string_equal(c->name_en, "The \"public\" facilities");
    assert_int_equal(c->response_minutes[TAXONOMY_URGENT], 30);
    c = taxonomy_find(tax, "0201");
    assert_int_equal(c->response_minutes[TAXONOMY_NORMAL], 45);
    assert_int_equal(c->response_minutes[TAXONOMY_EMERGENCY], 5);
    assert_int_equal(c->resolve[TAXONOMY_URGENT].amount, 4);
    assert_int_equal(c->resolve[TAXONOMY_URGENT].unit, 'h');
    c = taxonomy_find(tax, "0202");
    assert_string_equal(c->code, "0202");
    assert_string_equal(c->parent, "02");
    assert_string_equal(c->name_en, "Power");
    assert_int_equal(c->resolve[TAXONOMY_NORMAL].amount, 15);
    assert_int_equal(c->resolve[TAXONOMY_NORMAL].unit, 'd');
    assert_string_equal(taxonomy_at(tax, 0)->code, "01");
    assert_string_equal(taxonomy_at(tax, 4)->code, "0202");
}

static void test_csv_good(void **state)
{
    (void)state;
    struct taxonomy *tax = NULL;
    struct taxonomy_import_result *res = calloc(1, sizeof(*res));
    struct errbuf eb = {{0}};
    assert_int_equal(parse(good_csv, &tax, res, &eb), 0);
    assert_non_null(tax);
    assert_int_equal(res->rows, 5);
    assert_int_equal(res->imported, 5);
    assert_int_equal(res->n_problems, 0);
    check_good_taxonomy(tax);
    taxonomy_free(tax);

    /* res and eb are optional */
    assert_int_equal(parse(good_csv, &tax, NULL, NULL), 0);
    check_good_taxonomy(tax);
    taxonomy_free(tax);
    free(res);
}

/* The same file with a BOM, CRLF line ends, a quoted line break and lines in another order. */
static void test_csv_bom_crlf_quotes(void **state)
{
    (void)state;
    static const char text[] =
        "\xef\xbb\xbf"
        "code,parent,name_zh,name_en,department,response_normal,response_urgent,"
        "response_emergency,resolve_normal,resolve_urgent,resolve_emergency\r\n"
        "0202,02,供电,Power,power_supply,60,10,10,15d,5d,2h\r\n"
        "\r\n"
        "0201,02,供水,Water,water_affairs,45,10,5,1d,4h,2h\r\n"
        "02,,公共设施,\"The \"\"public\"\"\r\nfacilities\",urban_management,60,30,10,1d,4h,2h\r\n"
        "01,,市容环境,City appearance,urban_management,60,10,10,2d,1d,4h\r\n"
        "0101,01,暴露垃圾,\"Garbage, exposed\",,60,10,10,2d,1d,4h"; /* no final line end */
    struct taxonomy *tax = NULL;
    struct taxonomy_import_result *res = calloc(1, sizeof(*res));
    /* A name may not hold a line break (control character): reported on the line the row
     * starts, and the rows after it keep their true line numbers. */
    assert_int_equal(parse(text, &tax, res, NULL), ERR_INVALID);
    assert_null(tax);
    assert_int_equal(res->n_problems, 1);
    assert_int_equal(res->problems[0].line, 5);
    assert_string_equal(res->problems[0].code, "02");
    assert_non_null(strstr(res->problems[0].reason, "name_en is not valid UTF-8 text"));

    char *fixed = strdup(text);
    char *brk = strstr(fixed, "\r\nfacilities");
    brk[0] = ' '; /* the same length: "The \"public\"  facilities" */
    brk[1] = ' ';
    assert_int_equal(parse(fixed, &tax, res, NULL), 0);
    assert_int_equal(res->rows, 5);
    assert_string_equal(taxonomy_find(tax, "02")->name_en, "The \"public\"  facilities");
    assert_string_equal(taxonomy_find(tax, "0101")->name_en, "Garbage, exposed");
    assert_int_equal(taxonomy_find(tax, "0101")->resolve[TAXONOMY_EMERGENCY].unit, 'h');
    taxonomy_free(tax);
    free(fixed);
    free(res);
}

/* Every kind of bad row, each on a known line; the good rows around them do not count. */
static void test_csv_bad_rows(void **state)
{
    (void)state;
    char long_name[120];
    memset(long_name, 'a', 97);
    long_name[97] = '\0';
    char long_field[300];
    memset(long_field, 'b', 299);
    long_field[299] = '\0';
    struct buf b;
    buf_init(&b, 1 << 20);
    static const struct {
        const char *row; /* @ is replaced by a long value */
        const char *reason;
    } bad[] = {
        /* 2 */ {"03,,社会治安,Security,public_security,30,10,10,3d,1d,2h", NULL},
        /* 3 */ {"0301,03,盗窃,Theft,public_security,30,10,10,3d,1d", "expected 11 fields"},
        /* 4 */ {"1a,,X,X,unit,60,10,10,5d,2d,1d", "code must be 2 or 4 digits"},
        /* 5 */ {"00,,X,X,unit,60,10,10,5d,2d,1d", "code must be 2 or 4 digits"},
        /* 6 */ {"0300,03,X,X,unit,60,10,10,5d,2d,1d", "code must be 2 or 4 digits"},
        /* 7 */ {"04,03,X,X,unit,60,10,10,5d,2d,1d", "parent must be empty"},
        /* 8 */ {"0302,04,X,X,unit,60,10,10,5d,2d,1d", "parent must be 03"},
        /* 9 */ {"0701,07,X,X,unit,60,10,10,5d,2d,1d", "parent category 07 is not defined"},
        /* 10 */ {"03,,重复,Dup,unit,60,10,10,5d,2d,1d", "duplicate code 03 (first on line 2)"},
        /* 11 */ {"0303,03,,X,unit,60,10,10,5d,2d,1d", "name_zh is empty"},
        /* 12 */ {"0304,03,X,@,unit,60,10,10,5d,2d,1d", "name_en is longer than 96 bytes"},
        /* 13 */ {"0305,03,\xff\xfe,X,unit,60,10,10,5d,2d,1d", "name_zh is not valid UTF-8"},
        /* 14 */ {"0306,03,X,X,Water,60,10,10,5d,2d,1d", "department must be"},
        /* 15 */ {"05,,X,X,,60,10,10,5d,2d,1d", "department is required"},
        /* 16 */ {"0307,03,X,X,unit,0,10,10,5d,2d,1d", "response_normal must be"},
        /* 17 */ {"0308,03,X,X,unit,60,abc,10,5d,2d,1d", "response_urgent must be"},
        /* 18 */ {"0309,03,X,X,unit,60,10,2401,5d,2d,1d", "response_emergency must be"},
        /* 19 */ {"0310,03,X,X,unit,60,10,10,5x,2d,1d", "resolve_normal must be"},
        /* 20 */ {"0311,03,X,X,unit,60,10,10,5d,0d,1d", "resolve_urgent must be"},
        /* 21 */ {"0312,03,X,X,unit,60,10,10,5d,2d,73h", "resolve_emergency must be"},
        /* 22 */ {"0313,03,X,X,unit,10,60,10,5d,2d,1d", "response_urgent is longer than"},
        /* 23 */ {"0314,03,X,X,unit,60,10,10,1d,2d,1d", "resolve_urgent is longer than"},
        /* 24 */ {"0315,03,X,X,unit,120,10,10,1h,1h,1h", "resolve_normal is shorter than resp"},
        /* 25 */ {"0316,03,X\"Y,X,unit,60,10,10,5d,2d,1d", "quote inside an unquoted field"},
        /* 26 */ {"0317,03,\"X\"Y,X,unit,60,10,10,5d,2d,1d", "unexpected text after a closing"},
        /* 27 */ {"0318,03,X,X,@,60,10,10,5d,2d,1d", "field 5 is longer than 256 bytes"},
        /* 28 */ {"0319,03,X,X,unit,60,10,10,5d,2d,1d,extra", "expected 11 fields, found 12"},
        /* 29 */
        {"0320,03,X,X,unit_too_long_for_a_department_code_,60,10,10,5d,2d,1d",
         "department must be"},
        /* 30 */ {"0321,03,X,X,unit,60,10,10,5d,2d,1d", NULL},
    };
    size_t n_bad = 0;
    buf_append_str(&b, HEADER);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const char *arg = i == 10 ? long_name : long_field;
        const char *at = strchr(bad[i].row, '@');
        if (at == NULL) {
            buf_append_str(&b, bad[i].row);
        } else {
            buf_append(&b, bad[i].row, (size_t)(at - bad[i].row));
            buf_append_str(&b, arg);
            buf_append_str(&b, at + 1);
        }
        buf_append_str(&b, "\n");
        n_bad += bad[i].reason != NULL;
    }

    struct taxonomy *tax = (struct taxonomy *)&b; /* must be reset to NULL */
    struct taxonomy_import_result *res = calloc(1, sizeof(*res));
    struct errbuf eb = {{0}};
    assert_int_equal(taxonomy_parse_csv(b.data, b.len, &tax, res, &eb), ERR_INVALID);
    assert_null(tax);
    assert_int_equal(res->rows, sizeof(bad) / sizeof(bad[0]));
    assert_int_equal(res->imported, 0);
    assert_int_equal(res->n_problems, n_bad);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        const struct taxonomy_import_problem *p = find_problem(res, i + 2);
        if (bad[i].reason == NULL) {
            if (p != NULL)
                fail_msg("line %zu: unexpected problem %s", i + 2, p->reason);
            continue;
        }
        if (p == NULL)
            fail_msg("line %zu: no problem reported (want %s)", i + 2, bad[i].reason);
        else if (strstr(p->reason, bad[i].reason) == NULL)
            fail_msg("line %zu: '%s' does not say '%s'", i + 2, p->reason, bad[i].reason);
    }
    /* sorted by line; codes only when well formed */
    for (size_t i = 1; i < res->n_problems; i++)
        assert_true(res->problems[i - 1].line <= res->problems[i].line);
    assert_string_equal(find_problem(res, 4)->code, "");
    assert_string_equal(find_problem(res, 9)->code, "0701");
    assert_string_equal(find_problem(res, 10)->code, "03");
    assert_non_null(strstr(eb.msg, "line 3: expected 11 fields"));
    assert_non_null(strstr(eb.msg, "categories file: 27 problems"));
    free(res);
    buf_cleanup(&b);
}

static void test_csv_file_problems(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t line;
        const char *reason;
    } files[] = {
        {"", 0, "the file is empty"},
        {"\xef\xbb\xbf\r\n\r\n", 0, "the file is empty"},
        {HEADER, 0, "the file has no categories"},
        {HEADER "\n\n", 0, "the file has no categories"},
        {"code,parent,name_zh\n01,,X\n", 1, "the header must be"},
        {"\n\nCODE,parent,name_zh,name_en,department,response_normal,response_urgent,"
         "response_emergency,resolve_normal,resolve_urgent,resolve_emergency\n",
         3, "the header must be"},
        {HEADER "01,,\"市容环境,X,unit,60,10,10,2d,1d,4h\n02,,X,X,unit,60,10,10,2d,1d,4h\n", 2,
         "unterminated quoted field"},
    };
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        struct taxonomy *tax = NULL;
        struct taxonomy_import_result *res = calloc(1, sizeof(*res));
        struct errbuf eb = {{0}};
        assert_int_equal(parse(files[i].text, &tax, res, &eb), ERR_INVALID);
        assert_null(tax);
        assert_int_equal(res->n_problems, 1);
        assert_int_equal(res->problems[0].line, files[i].line);
        if (strstr(res->problems[0].reason, files[i].reason) == NULL)
            fail_msg("file %zu: '%s'", i, res->problems[0].reason);
        assert_non_null(strstr(eb.msg, files[i].reason));
        free(res);
    }
}

/* More bad rows than the result keeps: all are counted, the first 100 kept in line order,
 * and one good row among them changes nothing (all or nothing). */
static void test_csv_many_problems(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 1 << 20);
    buf_append_str(&b, HEADER "01,,X,X,unit,60,10,10,2d,1d,4h\n");
    for (int i = 1; i <= 150; i++)
        buf_printf(&b, "01%02d,01,X,X,unit,60,10,10,2d,1d,%s\n", i % 99 + 1, "0h");
    struct taxonomy *tax = NULL;
    struct taxonomy_import_result *res = calloc(1, sizeof(*res));
    assert_int_equal(taxonomy_parse_csv(b.data, b.len, &tax, res, NULL), ERR_INVALID);
    assert_null(tax);
    assert_int_equal(res->rows, 151);
    assert_int_equal(res->n_problems, 150);
    for (size_t i = 0; i < TAXONOMY_IMPORT_MAX_PROBLEMS; i++)
        assert_int_equal(res->problems[i].line, i + 3);
    free(res);
    buf_cleanup(&b);
}

static void test_csv_round_trip_default(void **state)
{
    (void)state;
    struct taxonomy *def = taxonomy_new_default();
    struct taxonomy *back = NULL;
    struct buf b, again;
    struct taxonomy_import_result *res = calloc(1, sizeof(*res));
    struct errbuf eb = {{0}};
    buf_init(&b, 1 << 20);
    buf_init(&again, 1 << 20);
    assert_int_equal(taxonomy_write_csv(def, &b), 0);
    assert_memory_equal(b.data, HEADER, strlen(HEADER));
    assert_non_null(strstr(b.data, "\n1002,10,非户籍子女入学,School places for non-registered "
                                   "children,education,60,10,10,15d,5d,2d\n"));
    assert_non_null(strstr(b.data, "\n0302,03,黄赌毒,\"Gambling, drugs and prostitution\","));
    if (taxonomy_parse_csv(b.data, b.len, &back, res, &eb) != 0)
        fail_msg("%s", eb.msg);
    assert_int_equal(taxonomy_count(back), taxonomy_count(def));
    assert_int_equal(res->imported, taxonomy_count(def));
    for (size_t i = 0; i < taxonomy_count(def); i++) {
        const struct category *x = taxonomy_at(def, i), *y = taxonomy_at(back, i);
        assert_string_equal(x->code, y->code);
        assert_string_equal(x->parent, y->parent);
        assert_string_equal(x->name_zh, y->name_zh);
        assert_string_equal(x->name_en, y->name_en);
        assert_string_equal(x->department, y->department);
        for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
            assert_int_equal(x->response_minutes[u], y->response_minutes[u]);
            assert_int_equal(x->resolve[u].amount, y->resolve[u].amount);
            assert_int_equal(x->resolve[u].unit, y->resolve[u].unit);
        }
    }
    assert_int_equal(taxonomy_write_csv(back, &again), 0);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.data, b.data, b.len);

    /* the good file survives a round trip as well (quotes, empty department) */
    struct taxonomy *good = NULL, *good2 = NULL;
    buf_reset(&b);
    assert_int_equal(parse(good_csv, &good, NULL, NULL), 0);
    assert_int_equal(taxonomy_write_csv(good, &b), 0);
    assert_int_equal(taxonomy_parse_csv(b.data, b.len, &good2, NULL, NULL), 0);
    check_good_taxonomy(good2);

    /* a cap too small for the file */
    struct buf small;
    buf_init(&small, 100);
    assert_int_equal(taxonomy_write_csv(def, &small), ERR_TOO_LARGE);
    buf_cleanup(&small);

    taxonomy_free(good);
    taxonomy_free(good2);
    taxonomy_free(def);
    taxonomy_free(back);
    buf_cleanup(&b);
    buf_cleanup(&again);
    free(res);
}

static void test_new_from_array(void **state)
{
    (void)state;
    struct taxonomy *def = taxonomy_new_default();
    size_t n = taxonomy_count(def);
    struct category *cats = calloc(n, sizeof(*cats));
    /* reversed order is fine */
    for (size_t i = 0; i < n; i++)
        cats[i] = *taxonomy_at(def, n - 1 - i);
    struct taxonomy *tax = NULL;
    struct errbuf eb = {{0}};
    assert_int_equal(taxonomy_new(cats, n, &tax, &eb), 0);
    assert_int_equal(taxonomy_count(tax), n);
    assert_string_equal(taxonomy_at(tax, 0)->code, "01");
    taxonomy_free(tax);

    /* a duplicate, named by its 1-based row */
    cats[5] = cats[4];
    tax = (struct taxonomy *)cats;
    assert_int_equal(taxonomy_new(cats, n, &tax, &eb), ERR_INVALID);
    assert_null(tax);
    assert_non_null(strstr(eb.msg, "row 6: duplicate code"));

    /* an unterminated name */
    errbuf_clear(&eb);
    cats[5] = *taxonomy_at(def, n - 6);
    memset(cats[2].name_en, 'x', sizeof(cats[2].name_en));
    assert_int_equal(taxonomy_new(cats, n, &tax, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "row 3: name_en is longer than 96 bytes"));

    errbuf_clear(&eb);
    assert_int_equal(taxonomy_new(cats, 0, &tax, &eb), ERR_INVALID);
    assert_non_null(strstr(eb.msg, "no categories"));
    free(cats);
    taxonomy_free(def);
}

static void test_csv_reader(void **state)
{
    (void)state;
    static const char text[] = "a, b ,\"c,\"\"d\"\"\"\r\n"
                               "\n"
                               "  \t \n"
                               "\"multi\nline\",x\r"
                               "\"\"\n"
                               "last,";
    struct csv_reader rd;
    struct csv_record *rec = calloc(1, sizeof(*rec));
    csv_reader_init(&rd, text, sizeof(text) - 1);

    assert_int_equal(csv_read(&rd, rec), 1);
    assert_int_equal(rec->line, 1);
    assert_int_equal(rec->n_fields, 3);
    assert_string_equal(rec->field[0], "a");
    assert_string_equal(rec->field[1], "b");
    assert_string_equal(rec->field[2], "c,\"d\"");

    assert_int_equal(csv_read(&rd, rec), 1);
    assert_int_equal(rec->line, 4);
    assert_int_equal(rec->n_fields, 2);
    assert_string_equal(rec->field[0], "multi\nline");
    assert_string_equal(rec->field[1], "x");

    assert_int_equal(csv_read(&rd, rec), 1); /* a quoted empty field is a record */
    assert_int_equal(rec->line, 6);
    assert_int_equal(rec->n_fields, 1);
    assert_int_equal(rec->field_len[0], 0);

    assert_int_equal(csv_read(&rd, rec), 1);
    assert_int_equal(rec->line, 7);
    assert_int_equal(rec->n_fields, 2);
    assert_string_equal(rec->field[0], "last");
    assert_string_equal(rec->field[1], "");
    assert_int_equal(csv_read(&rd, rec), 0);
    assert_int_equal(csv_read(&rd, rec), 0);

    /* too many fields */
    char wide[256];
    size_t wl = 0;
    for (int i = 1; i <= CSV_MAX_FIELDS + 1; i++)
        wl += (size_t)snprintf(wide + wl, sizeof(wide) - wl, "%d%s", i,
                               i <= CSV_MAX_FIELDS ? "," : "\nok\n");
    csv_reader_init(&rd, wide, wl);
    assert_int_equal(csv_read(&rd, rec), 1);
    assert_non_null(strstr(rec->error, "more than 32 fields"));
    assert_int_equal(csv_read(&rd, rec), 1);
    assert_string_equal(rec->field[0], "ok");
    assert_int_equal(rec->line, 2);

    /* writing: quotes only when needed */
    struct buf b;
    buf_init(&b, 1024);
    assert_int_equal(csv_write_field(&b, "plain", 0), 0);
    assert_int_equal(csv_write_field(&b, "a,b", 0), 0);
    assert_int_equal(csv_write_field(&b, "say \"hi\"", 0), 0);
    assert_int_equal(csv_write_field(&b, " pad", 0), 0);
    assert_int_equal(csv_write_field(&b, "", 0), 0);
    assert_int_equal(csv_write_field(&b, "two\nlines", 1), 0);
    assert_string_equal(b.data, "plain,\"a,b\",\"say \"\"hi\"\"\",\" pad\",,\"two\nlines\"\n");
    csv_reader_init(&rd, b.data, b.len);
    assert_int_equal(csv_read(&rd, rec), 1);
    assert_int_equal(rec->n_fields, 6);
    assert_string_equal(rec->field[2], "say \"hi\"");
    assert_string_equal(rec->field[3], " pad");
    assert_string_equal(rec->field[5], "two\nlines");
    buf_cleanup(&b);
    free(rec);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_covers_required_domains),
        cmocka_unit_test(test_default_structure),
        cmocka_unit_test(test_default_departments),
        cmocka_unit_test(test_default_limits),
        cmocka_unit_test(test_find_children_departments),
        cmocka_unit_test(test_code_syntax),
        cmocka_unit_test(test_limits_and_urgency),
        cmocka_unit_test(test_csv_good),
        cmocka_unit_test(test_csv_bom_crlf_quotes),
        cmocka_unit_test(test_csv_bad_rows),
        cmocka_unit_test(test_csv_file_problems),
        cmocka_unit_test(test_csv_many_problems),
        cmocka_unit_test(test_csv_round_trip_default),
        cmocka_unit_test(test_new_from_array),
        cmocka_unit_test(test_csv_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
