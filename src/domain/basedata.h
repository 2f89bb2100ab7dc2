/*
 * basedata.h - what the base data is (SPEC section 3, 人、地、物、组织): the five kinds of
 * record tied to a cell of the area tree -- persons, households, buildings, organisations and
 * facilities -- described once as tables of fields, and the validation of one record against
 * its table.
 *
 * Everything else is driven by these tables: the store builds its SQL from the column names
 * (store/sqlite/store_sqlite_basedata.c), the API reads and writes JSON with the field names,
 * CSV imports accept a header of field names (or their Chinese labels), exports write them,
 * and personal fields (ID numbers, phones) are encrypted, hashed and masked by type. Adding a
 * field is one line here and one column in a migration.
 *
 * Values travel as normalised text: "" is absent; integers and reals in C locale; booleans
 * "1"/"0"; dates "YYYY-MM-DD"; enums their code; tags a comma list of codes in table order;
 * references the decimal id of the other record. Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_BASEDATA_H
#define GRIDGOV_DOMAIN_BASEDATA_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;

enum bd_kind { BD_PERSON, BD_HOUSEHOLD, BD_BUILDING, BD_ORGANISATION, BD_FACILITY, BD_KIND_COUNT };

enum bd_type {
    BDT_TEXT,   /* UTF-8 text of at most max_len bytes, trimmed, no control characters */
    BDT_INT,    /* integer in [min, max] */
    BDT_REAL,   /* finite number in [min, max] */
    BDT_DATE,   /* a real calendar date YYYY-MM-DD from 1900-01-01 */
    BDT_BOOL,   /* 1/0, true/false, yes/no, 是/否 */
    BDT_ENUM,   /* one of values[] (or its Chinese label in labels_zh[]) */
    BDT_TAGS,   /* any subset of values[], comma separated */
    BDT_IDCARD, /* an 18-character ID number (GB 11643): personal data */
    BDT_PHONE,  /* a mobile or landline number: personal data */
    BDT_REF,    /* the id of a record of kind ref_kind */
};

enum bd_field_flags {
    BDF_REQUIRED = 1 << 0,    /* must be present on create */
    BDF_SEARCHABLE = 1 << 1,  /* part of the full-text search text */
    BDF_NATURAL_KEY = 1 << 2, /* the key an import is idempotent on; unique when present */
    BDF_LABEL = 1 << 3,       /* the field that names the record in lists and timelines */
};

#define BD_FIELDS_MAX 24  /* fields of one kind */
#define BD_VALUE_MAX  512 /* bytes of one normalised value, NUL included */

struct bd_field {
    const char *name;     /* JSON key, CSV header and column (personal: name_enc, ...) */
    const char *label_zh; /* Chinese header accepted on import, written on export */
    enum bd_type type;
    unsigned flags;
    int64_t min, max;             /* BDT_TEXT: max is the byte limit; BDT_INT/REAL: range */
    const char *const *values;    /* BDT_ENUM, BDT_TAGS: NULL-terminated codes */
    const char *const *labels_zh; /* same length as values, or NULL */
    enum bd_kind ref_kind;        /* BDT_REF */
};

struct bd_entity {
    const char *name;     /* "person" */
    const char *plural;   /* "persons": the URL segment and import/export word */
    const char *table;    /* SQL table */
    const char *label_zh; /* "人口" */
    const struct bd_field *fields;
    enum bd_kind kind;
    int n_fields;
    int natural_key; /* index of the BDF_NATURAL_KEY field, or -1 */
    int label;       /* index of the BDF_LABEL field */
};

/* The table of kind (NULL when out of range). */
const struct bd_entity *bd_entity(enum bd_kind kind);
/* The kind whose plural (or name) is word: 0, or ERR_INVALID. */
int bd_kind_parse(const char *word, enum bd_kind *out);
/* Index of the field called name (or whose Chinese label is name) in e, or -1. */
int bd_field_index(const struct bd_entity *e, const char *name);
/* 1 when the field holds personal data (encrypted, hashed, masked). */
int bd_field_is_personal(const struct bd_field *f);

/*
 * Validate and normalise one value of field f into out (BD_VALUE_MAX bytes). in may be NULL or
 * "" (absent: out is "", and 0 is returned even for required fields -- the record check
 * decides). now_ms bounds dates and ID numbers (no births in the future). Returns 0 or
 * ERR_INVALID with a reason naming the field in eb; the reason never repeats a personal value.
 */
int bd_normalize(const struct bd_field *f, const char *in, int64_t now_ms, char out[BD_VALUE_MAX],
                 struct errbuf *eb);

/*
 * Check a whole record after every value was normalised: values[i] is the value of field i
 * ("" when absent); required fields must be present (an update passes the stored record
 * merged with its changes). Cross-field rules: a person's birth
 * date and sex, when missing, are taken from the ID number, and must agree with it when given.
 * values may be rewritten in place (each is a BD_VALUE_MAX buffer). Returns 0 or ERR_INVALID.
 */
int bd_check_record(const struct bd_entity *e, char values[][BD_VALUE_MAX], int64_t now_ms,
                    struct errbuf *eb);

/* Care and attention tags of persons (SPEC section 3), for visit cadence and lists. */
extern const char *const bd_person_tags[];

#endif
