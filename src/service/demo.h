/*
 * demo.h - generate a plausible demo city (Foshan, Nanhai district 440605) into an empty
 * database: the area tree down to cells with polygons, households, persons and one user per
 * role, so that every screen of gridgov has something real-looking to show.
 *
 * The data is made up but shaped like the seeds describe: streets and towns of Nanhai, ~300
 * households per grid, about 40% of families non-registered (migrant workers), persons with
 * Guangdong-flavoured names, an age pyramid, and a few percent with care/attention tags.
 * It is deterministic: the same seed gives byte-identical areas, households and persons
 * (ids included, in a fresh database) except for created_ms/updated_ms timestamps and the
 * random password. Ages are computed as of DEMO_REFERENCE_YEAR-01-01, not today, for that
 * reason. No ID numbers or phone numbers are generated.
 */
#ifndef GRIDGOV_SERVICE_DEMO_H
#define GRIDGOV_SERVICE_DEMO_H

#include "base/error.h"
#include "store/store.h"

#include <stdint.h>

/* Birth dates are drawn so that ages are realistic on 1 January of this year. */
#define DEMO_REFERENCE_YEAR 2025
/* Longest demo password (also the room in demo_result.password, minus the NUL). */
#define DEMO_PASSWORD_MAX 64
#define DEMO_USERS_MAX    16

struct secret_key;

struct demo_options {
    const char *scale;            /* "small" (3 streets, ~60 grids, ~18k households) or "city"
                                     (7 streets, ~290 communities, ~2,000 grids, ~600k households);
                                     NULL means "small" */
    uint64_t seed;                /* same seed, same data */
    const char *password;         /* for every demo user; NULL: a random 12-character one is made
                                     and reported in demo_result.password */
    const struct secret_key *key; /* personal-data key: persons get ID numbers and phones
                                     (encrypted); NULL: they get none */
};

struct demo_user_info {
    char username[65]; /* equal to the role name */
    char role[32];
    char area_code[19]; /* root of the user's scope */
};

struct demo_result {
    int64_t areas; /* areas inserted, all levels */
    int64_t households;
    int64_t persons;
    struct demo_user_info users[DEMO_USERS_MAX];
    int n_users;
    char password[DEMO_PASSWORD_MAX + 1]; /* the password of every demo user (a secret: show it
                                             to the operator once, never log it) */
};

/*
 * Generate the demo city into st, which must hold no areas yet, in ONE transaction
 * (store_begin/commit; rolled back on any failure, so nothing is half-written). Creates the
 * area tree 44 → 4406 → 440605 → streets → communities/villages → grids → cells, every area
 * with a rectangular GeoJSON polygon (6 decimals, counter-clockwise) that its siblings and it
 * tile exactly inside the parent; households and persons in the cells; one user per role
 * (username = role name) through auth_user_add, so auth_global_init() must have run; then
 * store_area_recount(). Draws a progress bar labelled "demo" on stderr.
 *
 * Errors: ERR_INVALID (unknown scale; password shorter than AUTH_PASSWORD_MIN, longer than
 * DEMO_PASSWORD_MAX or otherwise rejected by auth_user_add); ERR_EXISTS when the database
 * already has areas, or a demo username is taken (e.g. an admin made by hand: nothing is
 * written then); store errors (ERR_DB, ERR_BUSY, ...). Detail in eb. *out is cleared on
 * entry and filled only on success.
 */
int demo_generate(struct store *st, const struct demo_options *opt, struct demo_result *out,
                  struct errbuf *eb);

#endif
