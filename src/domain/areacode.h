/*
 * areacode.h - hierarchical area codes and levels (SPEC section 2).
 *
 * Codes follow China's statistical division codes: 2 digits province, +2 city, +2 district or
 * county, +3 street or town, +3 community or village (12 digits in all), then gridgov adds
 * +3 grid and +3 cell. A child's code always begins with its parent's, so "everything under X"
 * is "every code with prefix X", and the level of a code is given by its length alone.
 * Pure functions, no I/O.
 */
#ifndef GRIDGOV_DOMAIN_AREACODE_H
#define GRIDGOV_DOMAIN_AREACODE_H

#include <stddef.h>

enum area_level {
    AREA_PROVINCE = 1,
    AREA_CITY,
    AREA_DISTRICT,
    AREA_STREET,
    AREA_COMMUNITY,
    AREA_GRID,
    AREA_CELL,
};

#define AREA_LEVEL_MIN AREA_PROVINCE
#define AREA_LEVEL_MAX AREA_CELL
#define AREA_CODE_MAX  18 /* digits of the longest (cell) code */
#define AREA_CODE_BUF  (AREA_CODE_MAX + 1)

/* Level of a syntactically valid code (digits only, length 2/4/6/9/12/15/18), else 0. */
int areacode_level(const char *code);
/* Number of digits a code of this level has; 0 for an unknown level. */
size_t areacode_length(int level);
/* 1 if code is a valid code. */
int areacode_is_valid(const char *code);
/* Write the parent code of code into out (AREA_CODE_BUF bytes); ERR_NOT_FOUND for a province,
 * ERR_INVALID for an invalid code. */
int areacode_parent(const char *code, char *out);
/* 1 if code lies in the subtree rooted at root (code == root or code starts with root). Both
 * must be valid; an empty root is the whole tree. */
int areacode_in_subtree(const char *code, const char *root);
/* 1 if code lies in a village (村委会: community part 200-399 of the statistical code), i.e.
 * the countryside, where some time limits are longer; 0 for urban communities and for codes
 * above the community level. */
int areacode_is_village(const char *code);
/* Stable English level name ("province", ..., "cell"); NULL for an unknown level. */
const char *areacode_level_name(int level);
/* Chinese level name ("省", ..., "单元格"). */
const char *areacode_level_name_zh(int level);
/* Parse an English level name; 0 if unknown. */
int areacode_level_parse(const char *name);

#endif
