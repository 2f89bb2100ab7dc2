/*
 * test_areacode.c - area code syntax, levels, parents and subtree prefixes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "base/error.h"
#include "domain/areacode.h"

#include <stdio.h>
#include <string.h>

static void test_levels_by_length(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        int level;
    } rows[] = {
        {"44", AREA_PROVINCE},
        {"4406", AREA_CITY},
        {"440605", AREA_DISTRICT},
        {"440605001", AREA_STREET},
        {"440605001001", AREA_COMMUNITY},
        {"440605001001001", AREA_GRID},
        {"440605001001001001", AREA_CELL},
        {"", 0},
        {"4", 0},
        {"440", 0},
        {"44060", 0},
        {"4406050011", 0},
        {"4406050010010010011", 0},
        {"44a6", 0},
        {"44 6", 0},
        {"-440", 0},
    };
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        assert_int_equal(areacode_level(rows[i].code), rows[i].level);
        assert_int_equal(areacode_is_valid(rows[i].code), rows[i].level != 0);
    }
    assert_int_equal(areacode_level(NULL), 0);
}

static void test_parent(void **state)
{
    char parent[AREA_CODE_BUF];
    (void)state;
    assert_int_equal(areacode_parent("440605001001001001", parent), 0);
    assert_string_equal(parent, "440605001001001");
    assert_int_equal(areacode_parent("440605001", parent), 0);
    assert_string_equal(parent, "440605");
    assert_int_equal(areacode_parent("4406", parent), 0);
    assert_string_equal(parent, "44");
    assert_int_equal(areacode_parent("44", parent), ERR_NOT_FOUND);
    assert_string_equal(parent, "");
    assert_int_equal(areacode_parent("123", parent), ERR_INVALID);
}

static void test_parent_chain_reaches_top(void **state)
{
    /* Property: for every level, walking parents reaches the province in level-1 steps and
     * every ancestor is a prefix of the code. */
    const char *cell = "440605102210007004";
    char code[AREA_CODE_BUF];
    (void)state;
    snprintf(code, sizeof(code), "%s", cell);
    int steps = 0;
    while (areacode_level(code) > AREA_PROVINCE) {
        char parent[AREA_CODE_BUF];
        assert_int_equal(areacode_parent(code, parent), 0);
        assert_int_equal(areacode_level(parent), areacode_level(code) - 1);
        assert_true(areacode_in_subtree(cell, parent));
        snprintf(code, sizeof(code), "%s", parent);
        steps++;
    }
    assert_int_equal(steps, AREA_CELL - AREA_PROVINCE);
}

static void test_subtree(void **state)
{
    (void)state;
    assert_true(areacode_in_subtree("440605001001", "440605"));
    assert_true(areacode_in_subtree("440605", "440605"));
    assert_true(areacode_in_subtree("440605", ""));
    assert_false(areacode_in_subtree("440604001", "440605"));
    assert_false(areacode_in_subtree("4406", "440605"));
    /* A sibling grid is outside. */
    assert_false(areacode_in_subtree("440605001001002", "440605001001001"));
}

static void test_level_names(void **state)
{
    (void)state;
    for (int l = AREA_LEVEL_MIN; l <= AREA_LEVEL_MAX; l++) {
        assert_non_null(areacode_level_name(l));
        assert_non_null(areacode_level_name_zh(l));
        assert_int_equal(areacode_level_parse(areacode_level_name(l)), l);
        assert_int_equal(areacode_length(l) > 0, 1);
    }
    assert_null(areacode_level_name(0));
    assert_null(areacode_level_name(8));
    assert_int_equal(areacode_level_parse("village"), 0);
    assert_string_equal(areacode_level_name(AREA_GRID), "grid");
    assert_string_equal(areacode_level_name_zh(AREA_GRID), "网格");
}

static void test_village(void **state)
{
    (void)state;
    assert_true(areacode_is_village("440605121201"));
    assert_true(areacode_is_village("440605121399001"));
    assert_false(areacode_is_village("440605011001"));
    assert_false(areacode_is_village("440605011199003"));
    assert_false(areacode_is_village("440605121"));
    assert_false(areacode_is_village("bad"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_levels_by_length),
        cmocka_unit_test(test_parent),
        cmocka_unit_test(test_parent_chain_reaches_top),
        cmocka_unit_test(test_subtree),
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_village),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
