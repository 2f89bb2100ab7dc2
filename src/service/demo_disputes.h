/*
 * demo_disputes.h - a simulated year of disputes and a deliberation council per village over
 * the demo city (service/demo.h), run through the real use cases (service/disputes.h,
 * service/councils.h) by the demo users acting in their roles, as demo_cases.h does for cases.
 *
 * Disputes: a few per grid a year (the seeds: ~12,000 a year in a city of 2,000 grids), of
 * every type (neighbour and family most, wage arrears peaking before the Spring Festival),
 * mostly low risk; each is registered, accepted, given a mediator (people's mediators mostly,
 * judges, prosecutors, police officers and lawyers for the rest), mediated in one to three
 * sessions and ends agreed, concluded (调结), referred or withdrawn; agreements get follow-up
 * visits, a few are reopened; high risks are escalated; some recur between the same parties;
 * those found in the last weeks are still open.
 *
 * Councils: one per village (村, areacode_is_village), 7–9 members with a chair and a
 * supervisor who has an account ("supervisor_<village code>", role council_member, sharing the
 * demo password: it is made from the demo council_member's password hash, so no new secret is
 * created and the demo stays fast), and nine topics, one in each topic state: proposed,
 * consultation, voting, review, executing, supervision, done (published), rejected after a
 * failed vote (published), withdrawn; one of the decisions is a villagers' vote of the
 * households.
 *
 * Deterministic: the same seed, end_ms and demo city give the same disputes, councils and
 * topics (ids included, in a fresh database). Nothing reads the clock.
 */
#ifndef GRIDGOV_SERVICE_DEMO_DISPUTES_H
#define GRIDGOV_SERVICE_DEMO_DISPUTES_H

#include "base/error.h"
#include "domain/council.h"
#include "domain/dispute.h"

#include <stdint.h>

struct service_ctx;

struct demo_disputes_options {
    uint64_t seed;
    int64_t end_ms; /* the year is [end_ms - 365 days, end_ms) */
};

struct demo_disputes_result {
    int64_t disputes;
    int64_t by_state[DISPUTE_STATE_COUNT];
    int64_t recurrences, escalated, follow_ups;
    int64_t councils;
    int64_t topics;
    int64_t topics_by_state[COUNCIL_STATE_COUNT];
};

/*
 * Generate into ctx's store, which must hold the demo city (its users) and no disputes or
 * councils yet (ERR_EXISTS otherwise). Writes in batches (an outer transaction per few hundred
 * use cases, each a savepoint). ERR_NOT_FOUND when a demo user or the city is missing.
 * *out is cleared on entry and filled on success.
 */
int demo_disputes_generate(struct service_ctx *ctx, const struct demo_disputes_options *opt,
                           struct demo_disputes_result *out, struct errbuf *eb);

#endif
