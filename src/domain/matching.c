/*
 * matching.c - filter and score volunteers for a need (see matching.h). Pure; thread-safe.
 */
#include "domain/matching.h"

#include "base/error.h"
#include "domain/patrol.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const reason_names[MATCH_REASON_COUNT] = {"inactive", "assigned", "unavailable",
                                                             "no_skill", "too_far"};

const char *matching_reason_name(enum match_reason r)
{
    return (int)r >= 0 && r < MATCH_REASON_COUNT ? reason_names[r] : NULL;
}

static int point_ok(double lon, double lat)
{
    return isfinite(lon) && isfinite(lat) && fabs(lon) <= 180 && fabs(lat) <= 90;
}

static int skills_ok(const struct vol_skills *s)
{
    if (s->n < 0 || s->n > VOL_SKILLS_MAX)
        return 0;
    for (int i = 0; i < s->n; i++) {
        if (s->items[i].skill < 0 || s->items[i].skill >= volunteer_skill_count() ||
            s->items[i].level < VOL_LEVEL_MIN || s->items[i].level > VOL_LEVEL_MAX)
            return 0;
        for (int k = 0; k < i; k++)
            if (s->items[k].skill == s->items[i].skill)
                return 0;
    }
    return 1;
}

static int check_need(const struct match_need *need, struct errbuf *eb)
{
    if (!isfinite(need->radius_m) || need->radius_m <= 0 || need->radius_m > MATCH_RADIUS_MAX_M)
        return errbuf_set(eb, ERR_INVALID, "the need's radius must be in (0, %.0f] m",
                          MATCH_RADIUS_MAX_M);
    if (need->has_point && !point_ok(need->lon, need->lat))
        return errbuf_set(eb, ERR_INVALID, "the need's place is not a WGS84 point");
    if (!skills_ok(&need->skills))
        return errbuf_set(eb, ERR_INVALID, "the need's skills are not valid");
    if (need->slot_bit < -1 || need->slot_bit >= VOL_AVAIL_BITS)
        return errbuf_set(eb, ERR_INVALID, "the need's time slot is not a weekly slot");
    return 0;
}

static int check_candidate(const struct match_candidate *c, size_t i, struct errbuf *eb)
{
    if (c->id <= 0)
        return errbuf_set(eb, ERR_INVALID, "candidate %zu has no id", i);
    if (!skills_ok(&c->skills))
        return errbuf_set(eb, ERR_INVALID, "candidate %lld: skills are not valid",
                          (long long)c->id);
    if (c->has_home && !point_ok(c->lon, c->lat))
        return errbuf_set(eb, ERR_INVALID, "candidate %lld: home is not a WGS84 point",
                          (long long)c->id);
    if (!isfinite(c->hours_30d) || c->hours_30d < 0 || c->assignments_30d < 0)
        return errbuf_set(eb, ERR_INVALID, "candidate %lld: the load must be 0 or more",
                          (long long)c->id);
    return 0;
}

static double skill_fit(const struct vol_skills *want, const struct vol_skills *have)
{
    double sum = 0;
    if (want->n == 0)
        return 1.0;
    for (int i = 0; i < want->n; i++) {
        int level = volunteer_skills_level(have, want->items[i].skill);
        if (level >= want->items[i].level)
            sum += 1.0;
        else
            sum += (double)level / (double)want->items[i].level;
    }
    return sum / want->n;
}

static int by_rank(const void *pa, const void *pb)
{
    const struct match_score *a = pa, *b = pb;
    if (a->total != b->total)
        return a->total > b->total ? -1 : 1;
    if (a->skill != b->skill)
        return a->skill > b->skill ? -1 : 1;
    if (a->distance_m != b->distance_m) {
        if (a->distance_m < 0 || b->distance_m < 0) /* unknown last */
            return a->distance_m < 0 ? 1 : -1;
        return a->distance_m < b->distance_m ? -1 : 1;
    }
    return a->id < b->id ? -1 : a->id > b->id ? 1 : 0;
}

int matching_rank(const struct match_need *need, const struct match_candidate *c, size_t n,
                  struct match_score *out, size_t *n_out, int64_t excluded[MATCH_REASON_COUNT],
                  struct errbuf *eb)
{
    size_t k = 0;
    int r;
    if (need == NULL || (n > 0 && (c == NULL || out == NULL)) || n_out == NULL || excluded == NULL)
        return errbuf_set(eb, ERR_INVALID, "matching: missing argument");
    if ((r = check_need(need, eb)) != 0)
        return r;
    for (size_t i = 0; i < n; i++)
        if ((r = check_candidate(&c[i], i, eb)) != 0)
            return r;
    memset(excluded, 0, sizeof(int64_t) * MATCH_REASON_COUNT);
    for (size_t i = 0; i < n; i++) {
        const struct match_candidate *v = &c[i];
        struct match_score s;
        double load;
        memset(&s, 0, sizeof(s));
        if (!v->is_active) {
            excluded[MATCH_INACTIVE]++;
            continue;
        }
        if (v->is_assigned) {
            excluded[MATCH_ASSIGNED]++;
            continue;
        }
        if (need->slot_bit >= 0 && (v->availability & (1u << need->slot_bit)) == 0) {
            excluded[MATCH_UNAVAILABLE]++;
            continue;
        }
        s.skill = skill_fit(&need->skills, &v->skills);
        if (s.skill <= 0) {
            excluded[MATCH_NO_SKILL]++;
            continue;
        }
        s.distance_m = -1;
        s.distance = 0.5;
        if (need->has_point && v->has_home) {
            s.distance_m = patrol_haversine_m(need->lon, need->lat, v->lon, v->lat);
            if (s.distance_m > need->radius_m) {
                excluded[MATCH_TOO_FAR]++;
                continue;
            }
            s.distance = 1.0 - s.distance_m / need->radius_m;
        }
        load =
            v->hours_30d / MATCH_LOAD_HOURS + (double)v->assignments_30d / MATCH_LOAD_ASSIGNMENTS;
        s.load = 1.0 / (1.0 + load);
        s.total = MATCH_W_SKILL * s.skill + MATCH_W_DISTANCE * s.distance + MATCH_W_LOAD * s.load;
        s.index = i;
        s.id = v->id;
        out[k++] = s;
    }
    if (k > 1)
        qsort(out, k, sizeof(*out), by_rank);
    *n_out = k;
    return 0;
}
