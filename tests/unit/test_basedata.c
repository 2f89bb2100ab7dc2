/*
 * test_basedata.c - the base-data field tables and the validation of values and records
 * (domain/basedata.h): every field type, the Chinese spellings imports use, the cross-field
 * rules between an ID number, a birth date and a sex, and the shape of the tables themselves.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/basedata.h"

#include <stdio.h>
#include <string.h>

/* 2026-03-21T00:00:00Z (08:00 in China). */
#define NOW_MS 1774051200000LL

static const struct bd_field *field(enum bd_kind kind, const char *name)
{
    const struct bd_entity *e = bd_entity(kind);
    int i = bd_field_index(e, name);
    assert_true(i >= 0);
    return &e->fields[i];
}

/* Normalise in as field name of kind: the error code, and the result in out. */
static int norm(enum bd_kind kind, const char *name, const char *in, char out[BD_VALUE_MAX],
                char *msg, size_t msg_size)
{
    struct errbuf eb = {{0}};
    int r = bd_normalize(field(kind, name), in, NOW_MS, out, &eb);
    if (msg)
        snprintf(msg, msg_size, "%s", errbuf_message(&eb, r));
    return r;
}

static void test_tables_are_consistent(void **state)
{
    (void)state;
    for (int k = 0; k < BD_KIND_COUNT; k++) {
        const struct bd_entity *e = bd_entity((enum bd_kind)k);
        enum bd_kind parsed;
        int labels = 0, keys = 0;
        assert_non_null(e);
        assert_int_equal(e->kind, k);
        assert_int_equal(bd_kind_parse(e->plural, &parsed), 0);
        assert_int_equal(parsed, k);
        assert_int_equal(bd_kind_parse(e->name, &parsed), 0);
        assert_true(e->n_fields > 0 && e->n_fields <= BD_FIELDS_MAX);
        for (int i = 0; i < e->n_fields; i++) {
            const struct bd_field *f = &e->fields[i];
            /* Names are unique, in English and Chinese, and found by both. */
            assert_int_equal(bd_field_index(e, f->name), i);
            assert_int_equal(bd_field_index(e, f->label_zh), i);
            labels += (f->flags & BDF_LABEL) != 0;
            keys += (f->flags & BDF_NATURAL_KEY) != 0;
            if (f->type == BDT_ENUM || f->type == BDT_TAGS)
                assert_non_null(f->values);
            if (f->type == BDT_REF)
                assert_true(f->ref_kind != e->kind);
        }
        assert_int_equal(labels, 1);
        assert_int_equal(keys, 1); /* every kind has one natural key (imports need it) */
        assert_true(e->fields[e->label].flags & BDF_LABEL);
        assert_true(e->fields[e->natural_key].flags & BDF_NATURAL_KEY);
    }
    assert_null(bd_entity(BD_KIND_COUNT));
    enum bd_kind dummy;
    assert_int_equal(bd_kind_parse("people", &dummy), ERR_INVALID);
    assert_int_equal(bd_kind_parse(NULL, &dummy), ERR_INVALID);
    assert_true(bd_field_is_personal(field(BD_PERSON, "id_number")));
    assert_true(bd_field_is_personal(field(BD_PERSON, "phone")));
    assert_false(bd_field_is_personal(field(BD_PERSON, "name")));
}

static void test_text(void **state)
{
    char out[BD_VALUE_MAX], msg[160], longer[400];
    (void)state;
    assert_int_equal(norm(BD_PERSON, "name", "  陈小明 ", out, NULL, 0), 0);
    assert_string_equal(out, "陈小明");
    assert_int_equal(norm(BD_PERSON, "name", "", out, NULL, 0), 0);
    assert_string_equal(out, "");
    assert_int_equal(norm(BD_PERSON, "name", NULL, out, NULL, 0), 0);
    assert_string_equal(out, "");
    /* 64 bytes allowed: 21 three-byte characters fit, 22 do not. */
    for (int i = 0; i < 22; i++)
        memcpy(longer + (ptrdiff_t)3 * i, "陈", 3);
    longer[66] = '\0';
    assert_int_equal(norm(BD_PERSON, "name", longer, out, msg, sizeof(msg)), ERR_INVALID);
    assert_non_null(strstr(msg, "name"));
    longer[63] = '\0';
    assert_int_equal(norm(BD_PERSON, "name", longer, out, NULL, 0), 0);
    /* Control characters and invalid UTF-8 (GBK bytes of 陈 are C2 C0) are refused. */
    assert_int_equal(norm(BD_PERSON, "name",
                          "a\x01"
                          "b",
                          out, NULL, 0),
                     ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "name", "\xb3\xc2", out, msg, sizeof(msg)), ERR_INVALID);
    assert_non_null(strstr(msg, "GBK"));
    assert_int_equal(norm(BD_PERSON, "name", "\xed\xa0\x80", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "name", "\xc0\xaf", out, NULL, 0), ERR_INVALID);
}

static void test_numbers_dates_booleans(void **state)
{
    char out[BD_VALUE_MAX];
    (void)state;
    assert_int_equal(norm(BD_BUILDING, "floors", "33", out, NULL, 0), 0);
    assert_string_equal(out, "33");
    assert_int_equal(norm(BD_BUILDING, "floors", "0", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_BUILDING, "floors", "201", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_BUILDING, "floors", "3.5", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_BUILDING, "floors", "99999999999999999999", out, NULL, 0),
                     ERR_INVALID);
    assert_int_equal(norm(BD_BUILDING, "lon", "113.15", out, NULL, 0), 0);
    assert_string_equal(out, "113.1500000");
    assert_int_equal(norm(BD_BUILDING, "lon", "181", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_BUILDING, "lat", "nan", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_BUILDING, "lat", "1e400", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "household_id", "12", out, NULL, 0), 0);
    assert_int_equal(norm(BD_PERSON, "household_id", "0", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "household_id", "-3", out, NULL, 0), ERR_INVALID);

    assert_int_equal(norm(BD_PERSON, "birth_date", "1990-01-01", out, NULL, 0), 0);
    assert_string_equal(out, "1990-01-01");
    assert_int_equal(norm(BD_PERSON, "birth_date", "1990/1/2", out, NULL, 0), 0);
    assert_string_equal(out, "1990-01-02");
    assert_int_equal(norm(BD_PERSON, "birth_date", "20000229", out, NULL, 0), 0);
    assert_string_equal(out, "2000-02-29");
    assert_int_equal(norm(BD_PERSON, "birth_date", "1900-02-29", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "birth_date", "1899-12-31", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "birth_date", "2026-03-21", out, NULL, 0), 0);
    assert_int_equal(norm(BD_PERSON, "birth_date", "2026-03-22", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "birth_date", "1990-01-01x", out, NULL, 0), ERR_INVALID);
    assert_int_equal(norm(BD_PERSON, "birth_date", "1990-13-01", out, NULL, 0), ERR_INVALID);

    static const char *const yes[] = {"1", "true", "yes", "是", "Y"};
    static const char *const no[] = {"0", "false", "no", "否", "N"};
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(norm(BD_PERSON, "is_registered", yes[i], out, NULL, 0), 0);
        assert_string_equal(out, "1");
        assert_int_equal(norm(BD_PERSON, "is_registered", no[i], out, NULL, 0), 0);
        assert_string_equal(out, "0");
    }
    assert_int_equal(norm(BD_PERSON, "is_registered", "maybe", out, NULL, 0), ERR_INVALID);
}

static void test_enums_and_tags(void **state)
{
    char out[BD_VALUE_MAX], msg[160];
    (void)state;
    assert_int_equal(norm(BD_HOUSEHOLD, "kind", "business", out, NULL, 0), 0);
    assert_string_equal(out, "business");
    assert_int_equal(norm(BD_HOUSEHOLD, "kind", "非户籍家庭", out, NULL, 0), 0);
    assert_string_equal(out, "non_registered_family");
    assert_int_equal(norm(BD_HOUSEHOLD, "kind", "family", out, msg, sizeof(msg)), ERR_INVALID);
    assert_non_null(strstr(msg, "kind"));
    assert_int_equal(norm(BD_PERSON, "sex", "女", out, NULL, 0), 0);
    assert_string_equal(out, "F");

    /* Tags in any order and spelling come out as codes in table order, without repeats. */
    assert_int_equal(norm(BD_PERSON, "tags", "veteran, 独居老人；disabled", out, NULL, 0),
                     ERR_INVALID); /* ';' is a separator, the Chinese '；' is not */
    assert_int_equal(norm(BD_PERSON, "tags", "veteran, 独居老人、disabled,veteran", out, NULL, 0),
                     0);
    assert_string_equal(out, "elderly_alone,disabled,veteran");
    assert_int_equal(norm(BD_PERSON, "tags", "留守儿童，低保|unemployed;", out, NULL, 0), 0);
    assert_string_equal(out, "left_behind_child,low_income,unemployed");
    assert_int_equal(norm(BD_PERSON, "tags", " , ", out, NULL, 0), 0);
    assert_string_equal(out, "");
    assert_int_equal(norm(BD_PERSON, "tags", "vip", out, msg, sizeof(msg)), ERR_INVALID);
    assert_non_null(strstr(msg, "vip"));
}

static void test_personal_fields(void **state)
{
    char out[BD_VALUE_MAX], msg[160];
    (void)state;
    assert_int_equal(norm(BD_PERSON, "id_number", " 11010519491231002x ", out, NULL, 0), 0);
    assert_string_equal(out, "11010519491231002X");
    assert_int_equal(norm(BD_PERSON, "id_number", "110105194912310021", out, msg, sizeof(msg)),
                     ERR_INVALID);
    assert_non_null(strstr(msg, "id_number"));
    assert_null(strstr(msg, "110105194912310021")); /* the number is never repeated */
    assert_int_equal(norm(BD_PERSON, "phone", "+86 138-0013-8000", out, NULL, 0), 0);
    assert_string_equal(out, "13800138000");
    assert_int_equal(norm(BD_PERSON, "phone", "12345", out, NULL, 0), ERR_INVALID);
}

/* A person's values, all absent, then name, sex, birth date and registration set. */
static void person(char v[][BD_VALUE_MAX])
{
    const struct bd_entity *e = bd_entity(BD_PERSON);
    for (int i = 0; i < BD_FIELDS_MAX; i++)
        v[i][0] = '\0';
    snprintf(v[bd_field_index(e, "name")], BD_VALUE_MAX, "%s", "陈小明");
    snprintf(v[bd_field_index(e, "is_registered")], BD_VALUE_MAX, "%s", "1");
}

static void test_person_record(void **state)
{
    const struct bd_entity *e = bd_entity(BD_PERSON);
    static char v[BD_FIELDS_MAX][BD_VALUE_MAX];
    int id = bd_field_index(e, "id_number"), sex = bd_field_index(e, "sex");
    int birth = bd_field_index(e, "birth_date"), status = bd_field_index(e, "status");
    int moved = bd_field_index(e, "moved_out_date");
    struct errbuf eb = {{0}};
    (void)state;

    /* Birth date and sex come from the ID number when missing. */
    person(v);
    snprintf(v[id], BD_VALUE_MAX, "%s", "11010519491231002X");
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), 0);
    assert_string_equal(v[birth], "1949-12-31");
    assert_string_equal(v[sex], "F");
    assert_string_equal(v[status], "active");

    /* Given ones must agree with it. */
    person(v);
    snprintf(v[id], BD_VALUE_MAX, "%s", "11010519491231002X");
    snprintf(v[sex], BD_VALUE_MAX, "%s", "M");
    assert_int_equal(bd_check_record(e, v, NOW_MS, &eb), ERR_INVALID);
    assert_non_null(strstr(errbuf_message(&eb, ERR_INVALID), "sex"));
    person(v);
    snprintf(v[id], BD_VALUE_MAX, "%s", "11010519491231002X");
    snprintf(v[birth], BD_VALUE_MAX, "%s", "1949-12-30");
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), ERR_INVALID);

    /* Without an ID number, sex and birth date are required. */
    person(v);
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), ERR_INVALID);
    snprintf(v[sex], BD_VALUE_MAX, "%s", "M");
    snprintf(v[birth], BD_VALUE_MAX, "%s", "2001-05-06");
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), 0);

    /* Leaving needs a date. */
    snprintf(v[status], BD_VALUE_MAX, "%s", "moved_away");
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), ERR_INVALID);
    snprintf(v[moved], BD_VALUE_MAX, "%s", "2020-01-01");
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), 0);

    /* Name is required. */
    v[bd_field_index(e, "name")][0] = '\0';
    assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), ERR_INVALID);
}

static void test_other_records_require_their_fields(void **state)
{
    static char v[BD_FIELDS_MAX][BD_VALUE_MAX];
    (void)state;
    for (int k = BD_HOUSEHOLD; k < BD_KIND_COUNT; k++) {
        const struct bd_entity *e = bd_entity((enum bd_kind)k);
        for (int i = 0; i < BD_FIELDS_MAX; i++)
            v[i][0] = '\0';
        assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), ERR_INVALID);
        /* Fill every required field with a valid value: then it passes. */
        for (int i = 0; i < e->n_fields; i++) {
            const struct bd_field *f = &e->fields[i];
            if (!(f->flags & BDF_REQUIRED))
                continue;
            if (f->type == BDT_ENUM)
                snprintf(v[i], BD_VALUE_MAX, "%s", f->values[0]);
            else
                snprintf(v[i], BD_VALUE_MAX, "%s", "名称");
        }
        assert_int_equal(bd_check_record(e, v, NOW_MS, NULL), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_are_consistent),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_numbers_dates_booleans),
        cmocka_unit_test(test_enums_and_tags),
        cmocka_unit_test(test_personal_fields),
        cmocka_unit_test(test_person_record),
        cmocka_unit_test(test_other_records_require_their_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
