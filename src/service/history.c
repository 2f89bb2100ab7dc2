/*
 * history.c - hashing and verifying the case event chains (see history.h).
 *
 * Verification walks all events in (case, seq) order, checking for each case that the seqs
 * run 1, 2, 3, ... without gaps, that each event's prev_hash is the previous event's hash, that
 * each hash recomputes from the event's fields, and finally that the case row's last_hash and
 * event_seq name the last event (so dropping the newest events is caught too).
 */
#include "service/history.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void hash_field(crypto_generichash_state *h, const void *data, size_t len)
{
    unsigned char prefix[8];
    uint64_t n = len;
    for (int i = 0; i < 8; i++)
        prefix[i] = (unsigned char)(n >> (8 * i));
    crypto_generichash_update(h, prefix, sizeof(prefix));
    crypto_generichash_update(h, data, len);
}

static void hash_str(crypto_generichash_state *h, const char *s)
{
    hash_field(h, s ? s : "", s ? strlen(s) : 0);
}

static void hash_int(crypto_generichash_state *h, int64_t v)
{
    char text[24];
    int n = snprintf(text, sizeof(text), "%lld", (long long)v);
    hash_field(h, text, (size_t)n);
}

void history_event_hash(const struct case_event *e, char out[65])
{
    crypto_generichash_state h;
    unsigned char digest[32];
    crypto_generichash_init(&h, NULL, 0, sizeof(digest));
    hash_str(&h, "gridgov-case-event-v1");
    hash_str(&h, e->prev_hash);
    hash_int(&h, e->case_id);
    hash_int(&h, e->seq);
    hash_int(&h, e->at_ms);
    hash_int(&h, e->actor_user_id);
    hash_str(&h, e->actor_role);
    hash_str(&h, e->action);
    hash_str(&h, e->from_state);
    hash_str(&h, e->to_state);
    hash_str(&h, e->payload);
    crypto_generichash_final(&h, digest, sizeof(digest));
    sodium_bin2hex(out, 65, digest, sizeof(digest));
}

struct verify_walk {
    struct store *st;
    struct history_verify_result *res;
    int64_t case_id; /* case being walked, 0 before the first */
    int64_t last_seq;
    char last_hash[65];
    int is_broken;
};

static void mark_broken(struct verify_walk *w, int64_t case_id, int64_t seq, const char *why)
{
    struct case_rec c;
    w->is_broken = 1;
    w->res->broken_case_id = case_id;
    w->res->broken_seq = seq;
    snprintf(w->res->reason, sizeof(w->res->reason), "%s", why);
    if (store_case_get(w->st, case_id, &c) == 0) {
        snprintf(w->res->broken_number, sizeof(w->res->broken_number), "%s", c.number);
        case_rec_cleanup(&c);
    }
}

/* The case row must point at the last event the walk saw. */
static int check_case_tail(struct verify_walk *w)
{
    struct case_rec c;
    int r = store_case_get(w->st, w->case_id, &c);
    if (r == ERR_NOT_FOUND) {
        mark_broken(w, w->case_id, 0, "events exist for a case that does not");
        return 1;
    }
    if (r != 0)
        return r;
    if (c.event_seq != w->last_seq || strcmp(c.last_hash, w->last_hash) != 0) {
        char why[160];
        snprintf(why, sizeof(why),
                 "the case records %lld events but its chain ends at event %lld (events "
                 "missing or the case row altered)",
                 (long long)c.event_seq, (long long)w->last_seq);
        case_rec_cleanup(&c);
        mark_broken(w, w->case_id, w->last_seq + 1, why);
        return 1;
    }
    case_rec_cleanup(&c);
    w->res->cases++;
    return 0;
}

static int verify_event(void *arg, const struct case_event *e)
{
    struct verify_walk *w = arg;
    char expected[65];
    int r;
    if (e->case_id != w->case_id) {
        if (w->case_id != 0 && (r = check_case_tail(w)) != 0)
            return r;
        w->case_id = e->case_id;
        w->last_seq = 0;
        w->last_hash[0] = '\0';
    }
    w->res->events++;
    if (e->seq != w->last_seq + 1) {
        mark_broken(w, e->case_id, w->last_seq + 1, "an event is missing from the chain");
        return 1;
    }
    if (strcmp(e->prev_hash, w->last_hash) != 0) {
        mark_broken(w, e->case_id, e->seq, "prev_hash does not match the previous event");
        return 1;
    }
    history_event_hash(e, expected);
    if (strcmp(expected, e->hash) != 0) {
        mark_broken(w, e->case_id, e->seq, "the event was altered: its hash does not match");
        return 1;
    }
    w->last_seq = e->seq;
    snprintf(w->last_hash, sizeof(w->last_hash), "%s", e->hash);
    return 0;
}

int history_verify_all(struct store *st, struct history_verify_result *res)
{
    struct verify_walk w;
    int r;
    memset(res, 0, sizeof(*res));
    memset(&w, 0, sizeof(w));
    w.st = st;
    w.res = res;
    r = store_case_event_walk(st, verify_event, &w);
    if (r == 0 && w.case_id != 0)
        r = check_case_tail(&w);
    if (w.is_broken)
        return 0;
    return r;
}
