/*
 * fuzz_csv.c - every CSV import format (categories, routing, calendar, deadline rules) on the
 * same input. The parsers must never crash, leak or read out of bounds, and a category file
 * they accept must write back to CSV and parse again to the same taxonomy.
 */
#include "base/buf.h"
#include "domain/calendar.h"
#include "domain/deadline.h"
#include "domain/routing.h"
#include "domain/taxonomy.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    struct taxonomy *tax = NULL, *again = NULL;
    struct routing *routing = NULL;
    struct calendar *cal = calendar_new();
    struct deadline_rules *rules = deadline_rules_new();
    struct calendar_import_result *cres = calloc(1, sizeof(*cres));
    struct deadline_import_result *dres = calloc(1, sizeof(*dres));
    struct taxonomy_import_result *tres = calloc(1, sizeof(*tres));
    struct routing_import_result *rres = calloc(1, sizeof(*rres));

    if (taxonomy_parse_csv(text, size, &tax, tres, NULL) == 0) {
        struct buf out;
        buf_init(&out, (size_t)16 << 20);
        if (taxonomy_write_csv(tax, &out) == 0 &&
            taxonomy_parse_csv(out.data, out.len, &again, NULL, NULL) != 0)
            abort(); /* what we write, we must read back */
        buf_cleanup(&out);
    }
    routing_parse_csv(text, size, NULL, &routing, rres, NULL);
    calendar_parse_csv(cal, text, size, cres, NULL);
    deadline_rules_parse_csv(rules, text, size, dres, NULL);

    taxonomy_free(tax);
    taxonomy_free(again);
    routing_free(routing);
    calendar_free(cal);
    deadline_rules_free(rules);
    free(cres);
    free(dres);
    free(tres);
    free(rres);
    return 0;
}
