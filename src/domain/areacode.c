/*
 * areacode.c - area code syntax, levels and prefixes (see areacode.h). Pure; thread-safe.
 */
#include "domain/areacode.h"

#include "base/error.h"

#include <string.h>

struct level_row {
    size_t length;
    const char *name;
    const char *name_zh;
};

/* Indexed by enum area_level; row 0 unused. */
static const struct level_row level_rows[] = {
    {0, NULL, NULL},          {2, "province", "省"},    {4, "city", "市"},
    {6, "district", "区/县"}, {9, "street", "街道/镇"}, {12, "community", "社区/村"},
    {15, "grid", "网格"},     {18, "cell", "单元格"},
};

int areacode_level(const char *code)
{
    size_t len = 0;
    if (code == NULL)
        return 0;
    for (; code[len] != '\0'; len++) {
        if (code[len] < '0' || code[len] > '9' || len >= AREA_CODE_MAX)
            return 0;
    }
    for (int level = AREA_LEVEL_MIN; level <= AREA_LEVEL_MAX; level++) {
        if (level_rows[level].length == len)
            return level;
    }
    return 0;
}

size_t areacode_length(int level)
{
    if (level < AREA_LEVEL_MIN || level > AREA_LEVEL_MAX)
        return 0;
    return level_rows[level].length;
}

int areacode_is_valid(const char *code)
{
    return areacode_level(code) != 0;
}

int areacode_parent(const char *code, char *out)
{
    int level = areacode_level(code);
    out[0] = '\0';
    if (level == 0)
        return ERR_INVALID;
    if (level == AREA_LEVEL_MIN)
        return ERR_NOT_FOUND;
    size_t n = level_rows[level - 1].length;
    memcpy(out, code, n);
    out[n] = '\0';
    return 0;
}

int areacode_in_subtree(const char *code, const char *root)
{
    size_t n = strlen(root);
    return strncmp(code, root, n) == 0 && strlen(code) >= n;
}

int areacode_is_village(const char *code)
{
    if (areacode_level(code) < AREA_COMMUNITY)
        return 0;
    return code[9] == '2' || code[9] == '3';
}

const char *areacode_level_name(int level)
{
    if (level < AREA_LEVEL_MIN || level > AREA_LEVEL_MAX)
        return NULL;
    return level_rows[level].name;
}

const char *areacode_level_name_zh(int level)
{
    if (level < AREA_LEVEL_MIN || level > AREA_LEVEL_MAX)
        return NULL;
    return level_rows[level].name_zh;
}

int areacode_level_parse(const char *name)
{
    for (int level = AREA_LEVEL_MIN; level <= AREA_LEVEL_MAX; level++) {
        if (strcmp(level_rows[level].name, name) == 0)
            return level;
    }
    return 0;
}
