/*
 * history.h - the tamper-evident case history (SPEC section 4: "every change is an event in
 * an append-only log ... chained by hash so that a rewritten history is detectable").
 *
 * Each event's hash is BLAKE2b-256 over its previous event's hash and every field of the
 * event, each field length-prefixed so no two different events serialise alike. The first
 * event of a case chains to the empty string. A case row keeps the hash and number of its
 * last event, so a truncated chain is detected as well as an edited one.
 */
#ifndef GRIDGOV_SERVICE_HISTORY_H
#define GRIDGOV_SERVICE_HISTORY_H

#include "store/store.h"

#include <stdint.h>

/* Compute e's hash from its fields and e->prev_hash into out (65 bytes, hex). */
void history_event_hash(const struct case_event *e, char out[65]);

struct history_verify_result {
    int64_t cases;          /* cases whose chain was checked */
    int64_t events;         /* events checked */
    int64_t broken_case_id; /* 0 when every chain holds; else the first broken case */
    int64_t broken_seq;     /* the first broken event of that case (0: the case row) */
    char broken_number[CASE_NUMBER_MAX + 1];
    char reason[200];
};

/* Check every chain in the store. 0 when the check ran (look at res->broken_case_id);
 * a storage error otherwise. */
int history_verify_all(struct store *st, struct history_verify_result *res);

#endif
