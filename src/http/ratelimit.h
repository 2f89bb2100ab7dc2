/*
 * ratelimit.h - per-client token buckets: "at most R requests a minute, bursts of B", keyed by
 * the client's address, in a fixed-size table (memory does not grow with the number of
 * clients).
 *
 * Each key (ratelimit_client_key: an IPv4 address or an IPv6 /64) has a bucket of up to `burst`
 * tokens that refills at `per_min` tokens a minute; a request takes one token or is refused with
 * the number of seconds until one is available. The table is set-associative: a key hashes (keyed
 * SipHash, so clients cannot aim at one set) to a set of RATELIMIT_WAYS slots; a new key takes a
 * free slot, else the slot that has been idle longest. Evicting a client only ever forgets its
 * debt, so under a flood of distinct addresses the limit gets looser for them, never tighter for
 * anyone else.
 *
 * Time is passed in (milliseconds on any monotonic clock), so tests drive it directly.
 * Threading: ratelimit_take may be called from any thread (a mutex per stripe of sets);
 * ratelimit_new/free by the owner only.
 */
#ifndef GRIDGOV_HTTP_RATELIMIT_H
#define GRIDGOV_HTTP_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

#define RATELIMIT_WAYS    4
#define RATELIMIT_KEY_MAX 64 /* longest key kept (an IPv6 address is at most 45 bytes) */

struct ratelimit;

/*
 * A limiter with room for about `clients` keys (rounded up to whole sets). per_min > 0 tokens
 * a minute, burst >= 1. ERR_INVALID for bad parameters.
 */
int ratelimit_new(long per_min, long burst, size_t clients, struct ratelimit **out);
/* NULL is a no-op. */
void ratelimit_free(struct ratelimit *rl);

/*
 * The bucket key for a client address (text, as inet_ntop writes it): an IPv4 address as is;
 * an IPv6 address reduced to its /64 network ("2001:db8:1:2::"), since one subscriber
 * usually holds a whole /64 and could otherwise take a fresh bucket per address. Anything
 * else is copied (truncated to size). size >= RATELIMIT_KEY_MAX is always enough.
 */
void ratelimit_client_key(const char *addr, char *out, size_t size);

/*
 * Take one token from key's bucket at time now_ms. 0 if allowed; ERR_RATE_LIMITED if not,
 * with *retry_after_s (>= 1) the whole seconds until a token is available.
 */
int ratelimit_take(struct ratelimit *rl, const char *key, int64_t now_ms, long *retry_after_s);

#endif
