/*
 * rng.h - a small deterministic pseudo-random generator for generated data (the demo city,
 * its year of cases, benchmarks): xoshiro256** (Blackman and Vigna) seeded through
 * splitmix64, with independent streams from one seed, so the same seed gives the same data
 * on every machine. Not for secrets: tokens and keys come from libsodium.
 */
#ifndef GRIDGOV_BASE_RNG_H
#define GRIDGOV_BASE_RNG_H

#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* Seed stream `stream` of seed: different streams are independent sequences. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);
uint64_t rng_next(struct rng *r);
/* Uniform in [0, n) (0 when n <= 0); the modulo bias is below 2^-50 for the small n used. */
int rng_below(struct rng *r, int n);
/* Uniform in [lo, hi]. */
int rng_range(struct rng *r, int lo, int hi);
/* Uniform in [0, 1). */
double rng_unit(struct rng *r);
/* 1 with probability p. */
int rng_chance(struct rng *r, double p);

#endif
