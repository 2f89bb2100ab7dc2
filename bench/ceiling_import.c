/*
 * ceiling_import.c - the ceiling of the base-data import on this machine: a raw SQLite insert
 * loop that writes N person rows of the same size into the same table (gridgov's schema, with
 * its indexes) with one prepared statement, 20,000 rows per transaction -- no CSV parsing, no
 * validation, no encryption, no search index. What `gridgov import persons` achieves is quoted
 * as a share of this. Not product code: the product's SQL lives in src/store/.
 *
 *   ceiling_import DB N      (DB: a fresh database made by `gridgov init` + areas)
 */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    static const char sql[] =
        "INSERT INTO persons(cell_code, name, id_number_enc, id_number_hash, id_number_masked, "
        "sex, birth_date, phone_enc, phone_hash, phone_masked, is_registered, relation, tags, "
        "status, created_ms, updated_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, "
        "?12, ?13, 'active', ?14, ?14)";
    sqlite3 *db;
    sqlite3_stmt *stmt;
    char enc[96], hash[65], phone_enc[80], phone_hash[65], cell[19];
    long n;
    double t0;

    if (argc != 3 || (n = atol(argv[2])) <= 0) {
        fprintf(stderr, "usage: ceiling_import DB N\n");
        return 2;
    }
    if (sqlite3_open(argv[1], &db) != SQLITE_OK ||
        sqlite3_exec(db,
                     "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; "
                     "PRAGMA cache_size = -524288",
                     NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        fprintf(stderr, "ceiling_import: %s\n", sqlite3_errmsg(db));
        return 1;
    }
    t0 = now_s();
    for (long i = 0; i < n; i++) {
        if (i % 20000 == 0 && sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
            return 1;
        /* Values of the sizes the real rows have (ciphertexts, hashes), unique where indexed. */
        snprintf(enc, sizeof(enc), "v1:%075ld", i * 7919);
        snprintf(hash, sizeof(hash), "%064ld", i);
        snprintf(phone_enc, sizeof(phone_enc), "v1:%067ld", i * 104729);
        snprintf(phone_hash, sizeof(phone_hash), "%063ldp", i);
        snprintf(cell, sizeof(cell), "440605%03ld%03ld%03ld%03ld", 1 + i % 17, 1 + i / 17 % 23,
                 1 + i / 391 % 9, 1 + i / 3519 % 30);
        sqlite3_bind_text(stmt, 1, cell, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, "陈志强", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 3, enc, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 4, hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 5, "4406**********1234", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 6, i % 2 ? "M" : "F", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 7, "1970-01-01", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 8, phone_enc, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 9, phone_hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 10, "138****8000", -1, SQLITE_STATIC);
        sqlite3_bind_int(stmt, 11, 1);
        sqlite3_bind_text(stmt, 12, "子女", -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 13, "", -1, SQLITE_STATIC);
        sqlite3_bind_int64(stmt, 14, 1);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            fprintf(stderr, "ceiling_import: %s\n", sqlite3_errmsg(db));
            return 1;
        }
        sqlite3_reset(stmt);
        if ((i + 1) % 20000 == 0 || i + 1 == n)
            if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
                return 1;
    }
    double s = now_s() - t0;
    printf("ceiling_import rows=%ld seconds=%.2f rows_per_s=%.0f\n", n, s, (double)n / s);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return 0;
}
