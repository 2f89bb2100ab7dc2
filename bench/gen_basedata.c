/*
 * gen_basedata.c - write the CSV files of the base-data import benchmark: PERSONS persons in
 * PERSONS/3 households spread over every cell of a database's area tree, with valid ID numbers
 * (GB 11643 check characters), phones, names and addresses in Chinese. Deterministic.
 *
 *   gen_basedata DB PERSONS OUT_DIR     writes OUT_DIR/households.csv and OUT_DIR/persons.csv
 */
#include "base/rng.h"
#include "domain/idcard.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct cells {
    char (*code)[19];
    size_t n, cap;
};

static int add_cell(void *arg, const struct area *a)
{
    struct cells *c = arg;
    if (a->level != 7)
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4096;
        c->code = realloc(c->code, c->cap * sizeof(*c->code));
        if (c->code == NULL)
            return 1;
    }
    memcpy(c->code[c->n++], a->code, sizeof(a->code));
    return 0;
}

static const char *const surnames[] = {"陈", "李", "黄", "梁", "何", "张", "罗", "吴", "林", "冯"};
static const char *const given[] = {"志强", "美玲", "嘉欣", "建华", "晓东", "丽娟", "国平", "雪梅",
                                    "俊杰", "婉婷", "家豪", "淑芬", "伟明", "慧敏", "子轩", "诗琪"};
static const char *const relations[] = {"户主", "配偶", "子女", "父母", "其他"};

int main(int argc, char **argv)
{
    struct store *st = NULL;
    struct cells cells = {NULL, 0, 0};
    struct rng r;
    FILE *hf, *pf;
    char path[1024];
    long persons;

    if (argc != 4 || (persons = atol(argv[2])) <= 0) {
        fprintf(stderr, "usage: gen_basedata DB PERSONS OUT_DIR\n");
        return 2;
    }
    if (store_open(argv[1], 0, &st, NULL) != 0 ||
        store_area_walk(st, "", 7, 0, add_cell, &cells) != 0 || cells.n == 0) {
        fprintf(stderr, "gen_basedata: cannot read the cells of %s\n", argv[1]);
        return 1;
    }
    store_close(st);
    snprintf(path, sizeof(path), "%s/households.csv", argv[3]);
    hf = fopen(path, "w");
    snprintf(path, sizeof(path), "%s/persons.csv", argv[3]);
    pf = fopen(path, "w");
    if (hf == NULL || pf == NULL) {
        fprintf(stderr, "gen_basedata: cannot write into %s\n", argv[3]);
        return 1;
    }
    rng_seed(&r, 20261122, 4);
    fputs("household_no,kind,address,head_name,area_code\n", hf);
    fputs("name,id_number,phone,is_registered,household_no,relation,tags,area_code\n", pf);
    for (long i = 0; i < persons; i++) {
        long h = i / 3;
        /* Households come cell by cell, as a district's export sorted by address does. */
        const char *cell =
            cells.code[(size_t)((double)h * 3.0 / (double)(persons + 3) * (double)cells.n)];
        char id[IDCARD_BUF];
        /* Birth dates 1930-2019 (days 1-28 of each month) and a sequence number make every ID
         * unique: two digits of i in mixed radix, 30,240 dates x 1,000 sequences. */
        long day = i % 30240, seq = i / 30240 % 1000;
        int y = 1930 + (int)(day / 336), m = (int)(day % 336) / 28 + 1, d = (int)(day % 28) + 1;
        snprintf(id, sizeof(id), "440605%04d%02d%02d%03ld", y, m, d, seq);
        id[17] = idcard_check_char(id);
        id[18] = '\0';
        if (i % 3 == 0)
            fprintf(hf, "H%09ld,%s,佛山市南海区桂城街道南桂东路%ld号,%s%s,%s\n", h,
                    rng_chance(&r, 0.6) ? "registered_family" : "non_registered_family",
                    h % 997 + 1, surnames[rng_below(&r, 10)], given[rng_below(&r, 16)], cell);
        fprintf(pf, "%s%s,%s,1%d%09d,%d,H%09ld,%s,%s,%s\n", surnames[rng_below(&r, 10)],
                given[rng_below(&r, 16)], id, 3 + rng_below(&r, 7), rng_below(&r, 1000000000),
                rng_chance(&r, 0.6), h, relations[i % 3 == 0 ? 0 : 1 + rng_below(&r, 4)],
                rng_chance(&r, 0.03) ? "elderly_alone" : "", cell);
    }
    if (fclose(hf) != 0 || fclose(pf) != 0) {
        fprintf(stderr, "gen_basedata: write failed\n");
        return 1;
    }
    free(cells.code);
    return 0;
}
