/*
 * rating.c - composite community score, star rating and sibling ranks (see rating.h;
 * docs/INDICATORS.md, "Ratings").
 */
#include "domain/rating.h"

#include "base/csv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    const char *name, *zh;
    int is_lower_better;
    double weight;
} components[RATING_COMPONENT_COUNT] = {
#define RATING_COMPONENT_ROW(e, name, zh, lower, w) {name, zh, lower, w},
    RATING_COMPONENT_MAP(RATING_COMPONENT_ROW)
#undef RATING_COMPONENT_ROW
};

#define WEIGHT_MAX 1000.0

void rating_settings_default(struct rating_settings *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
        s->weight[i] = components[i].weight;
    s->star_min[5] = 90;
    s->star_min[4] = 80;
    s->star_min[3] = 70;
    s->star_min[2] = 60;
}

int rating_settings_validate(const struct rating_settings *s, struct errbuf *eb)
{
    double sum = 0;
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++) {
        double w = s->weight[i];
        if (!isfinite(w) || w < 0 || w > WEIGHT_MAX)
            return errbuf_set(eb, ERR_INVALID, "weight.%s must be a number from 0 to %g",
                              components[i].name, WEIGHT_MAX);
        sum += w;
    }
    if (!(sum > 0))
        return errbuf_set(eb, ERR_INVALID, "the weights must not all be 0");
    for (int k = 2; k <= RATING_STARS_MAX; k++) {
        double t = s->star_min[k];
        if (!isfinite(t) || t < 0 || t > 100)
            return errbuf_set(eb, ERR_INVALID, "stars.%d must be a score from 0 to 100", k);
        if (k > 2 && t < s->star_min[k - 1])
            return errbuf_set(eb, ERR_INVALID, "stars.%d must not be below stars.%d", k, k - 1);
    }
    return 0;
}

const char *rating_component_name(enum rating_component c)
{
    return (unsigned)c < RATING_COMPONENT_COUNT ? components[c].name : NULL;
}

const char *rating_component_name_zh(enum rating_component c)
{
    return (unsigned)c < RATING_COMPONENT_COUNT ? components[c].zh : NULL;
}

int rating_component_is_lower_better(enum rating_component c)
{
    return (unsigned)c < RATING_COMPONENT_COUNT ? components[c].is_lower_better : 0;
}

/* A finite decimal number (the whole field), or ERR_INVALID. */
static int parse_number(const char *s, double *out)
{
    char *end = NULL;
    double v;
    if (s[0] == '\0')
        return ERR_INVALID;
    v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v))
        return ERR_INVALID;
    *out = v;
    return 0;
}

/* Settings are numbered: the weights 0..RATING_COMPONENT_COUNT-1, then stars.k at
 * RATING_COMPONENT_COUNT + k. */
#define SETTING_COUNT (RATING_COMPONENT_COUNT + RATING_STARS_MAX + 1)

/* The number of a setting name, or -1. */
static int setting_index(const char *name)
{
    if (strncmp(name, "weight.", 7) == 0) {
        for (int i = 0; i < RATING_COMPONENT_COUNT; i++)
            if (strcmp(name + 7, components[i].name) == 0)
                return i;
        return -1;
    }
    if (strncmp(name, "stars.", 6) == 0 && name[6] >= '2' && name[6] <= '5' && name[7] == '\0')
        return RATING_COMPONENT_COUNT + (name[6] - '0');
    return -1;
}

static double *setting_slot(struct rating_settings *s, int index)
{
    return index < RATING_COMPONENT_COUNT ? &s->weight[index]
                                          : &s->star_min[index - RATING_COMPONENT_COUNT];
}

int rating_settings_parse(const char *text, size_t len, struct rating_settings *out,
                          struct errbuf *eb)
{
    struct csv_reader rd;
    struct csv_record rec_storage, *rec = &rec_storage; /* ~10 KB on the stack */
    struct rating_settings s;
    unsigned char seen[SETTING_COUNT] = {0};
    int r = 0, is_header = 1;
    rating_settings_default(&s);
    csv_reader_init(&rd, text, len);
    while (r == 0 && csv_read(&rd, rec)) {
        double v;
        int index = -1;
        if (rec->error[0] != '\0') {
            r = errbuf_set(eb, ERR_INVALID, "line %zu: %s", rec->line, rec->error);
        } else if (is_header) {
            is_header = 0;
            if (rec->n_fields != 2 || strcmp(rec->field[0], "setting") != 0 ||
                strcmp(rec->field[1], "value") != 0)
                r = errbuf_set(eb, ERR_INVALID, "line %zu: the header must be 'setting,value'",
                               rec->line);
        } else if (rec->n_fields != 2) {
            r = errbuf_set(eb, ERR_INVALID, "line %zu: expected 2 fields, found %d", rec->line,
                           rec->n_fields);
        } else if ((index = setting_index(rec->field[0])) < 0) {
            r = errbuf_set(eb, ERR_INVALID, "line %zu: unknown setting '%s'", rec->line,
                           rec->field[0]);
        } else if (seen[index]) {
            r = errbuf_set(eb, ERR_INVALID, "line %zu: setting '%s' given twice", rec->line,
                           rec->field[0]);
        } else if (parse_number(rec->field[1], &v) != 0) {
            r = errbuf_set(eb, ERR_INVALID, "line %zu: '%s' is not a number", rec->line,
                           rec->field[1]);
        } else {
            seen[index] = 1;
            *setting_slot(&s, index) = v;
        }
    }
    if (r == 0 && is_header)
        r = errbuf_set(eb, ERR_INVALID, "the document is empty (header 'setting,value' expected)");
    if (r == 0)
        r = rating_settings_validate(&s, eb);
    if (r == 0)
        *out = s;
    return r;
}

void rating_components(const double iv[INDICATOR_VALUE_COUNT], double survey_security,
                       double survey_satisfaction, double out[RATING_COMPONENT_COUNT])
{
    out[RC_CLOSURE_RATE] = iv[IV_CLOSURE_RATE];
    out[RC_ON_TIME_CLOSURE_RATE] = iv[IV_ON_TIME_CLOSURE_RATE];
    out[RC_SATISFACTION_RATE] = iv[IV_SATISFACTION_RATE];
    out[RC_REWORK_RATE] = iv[IV_REWORK_RATE];
    out[RC_ESCALATION_RATE] = iv[IV_ESCALATION_RATE];
    out[RC_PATROL_FOUND_SHARE] = iv[IV_PATROL_FOUND_SHARE];
    out[RC_RESPONSE_RATE] = iv[IV_RESPONSE_RATE];
    out[RC_SURVEY_SECURITY] = survey_security;
    out[RC_SURVEY_SATISFACTION] = survey_satisfaction;
}

static double clamp100(double v)
{
    return v < 0 ? 0 : v > 100 ? 100 : v;
}

void rating_score(const double values[RATING_COMPONENT_COUNT], const struct rating_settings *s,
                  struct rating_result *out)
{
    double sum = 0, weights = 0, all = 0;
    for (int i = 0; i < RATING_COMPONENT_COUNT; i++) {
        double v = values[i], sub;
        all += s->weight[i];
        if (isnan(v)) {
            out->sub[i] = NAN;
            continue;
        }
        if (i == RC_SURVEY_SECURITY || i == RC_SURVEY_SATISFACTION)
            sub = clamp100(v);
        else if (components[i].is_lower_better)
            sub = clamp100(100.0 * (1.0 - v));
        else
            sub = clamp100(100.0 * v);
        out->sub[i] = sub;
        if (s->weight[i] > 0) {
            sum += s->weight[i] * sub;
            weights += s->weight[i];
        }
    }
    out->score = weights > 0 ? sum / weights : NAN;
    out->coverage = all > 0 ? weights / all : 0;
}

int rating_stars_of(double score, const struct rating_settings *s)
{
    if (isnan(score))
        return 0;
    for (int k = RATING_STARS_MAX; k >= 2; k--)
        if (score >= s->star_min[k])
            return k;
    return 1;
}

int rating_stars(double score, double survey_score, const struct rating_settings *s)
{
    int stars = rating_stars_of(score, s), cap;
    if (stars == 0 || isnan(survey_score))
        return stars;
    cap = rating_stars_of(survey_score, s);
    return cap < stars ? cap : stars;
}

void rating_rank(const double *values, size_t n, int *ranks)
{
    for (size_t i = 0; i < n; i++) {
        int better = 0;
        if (isnan(values[i])) {
            ranks[i] = 0;
            continue;
        }
        for (size_t j = 0; j < n; j++)
            if (!isnan(values[j]) && values[j] > values[i])
                better++;
        ranks[i] = better + 1;
    }
}
