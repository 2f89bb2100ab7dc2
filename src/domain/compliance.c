/*
 * compliance.c - compliance rates and worst-first orders (see compliance.h). Pure;
 * thread-safe.
 */
#include "domain/compliance.h"

#include <stdlib.h>
#include <string.h>

enum compliance_channel_class compliance_channel_class(const char *channel)
{
    static const char *const found[] = {"patrol", "visit", NULL};
    static const char *const resident[] = {"web", "phone", "open311", "app", NULL};
    for (const char *const *c = found; *c; c++)
        if (strcmp(*c, channel) == 0)
            return COMPLIANCE_FOUND;
    for (const char *const *c = resident; *c; c++)
        if (strcmp(*c, channel) == 0)
            return COMPLIANCE_RESIDENT;
    return COMPLIANCE_OTHER;
}

void compliance_grid_finish(struct grid_compliance *g, double days)
{
    double expected = days * COMPLIANCE_PATROL_NORM;
    int64_t cases = g->cases_found + g->cases_resident;
    g->patrols_per_day = days > 0 ? (double)g->patrols / days : 0.0;
    g->patrol_rate = g->patrols_per_day / COMPLIANCE_PATROL_NORM;
    g->patrol_shortfall = 0;
    if ((double)g->patrols < expected) {
        /* whole patrols: a shortfall of 1.5 is 2 patrols missing */
        double miss = expected - (double)g->patrols;
        g->patrol_shortfall = (int64_t)miss;
        if ((double)g->patrol_shortfall < miss)
            g->patrol_shortfall++;
    }
    g->found_share = cases > 0 ? (double)g->cases_found / (double)cases : -1.0;
}

void compliance_team_finish(struct team_compliance *t)
{
    t->missed = t->scheduled > t->held ? t->scheduled - t->held : 0;
    if (t->scheduled <= 0)
        t->held_rate = 1.0;
    else
        t->held_rate = t->held >= t->scheduled ? 1.0 : (double)t->held / (double)t->scheduled;
}

int compliance_sort_parse(const char *name)
{
    static const char *const names[] = {"patrols", "unvisited", "overdue", "found"};
    for (int i = 0; i < 4; i++)
        if (name != NULL && strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

static double unvisited_share(const struct grid_compliance *g)
{
    return g->households > 0 ? (double)g->unvisited_30 / (double)g->households : 0.0;
}

/* Negative when a is worse (comes first). */
static int cmp_patrols(const struct grid_compliance *a, const struct grid_compliance *b)
{
    if (a->patrol_rate != b->patrol_rate)
        return a->patrol_rate < b->patrol_rate ? -1 : 1;
    return 0;
}

static int cmp_unvisited(const struct grid_compliance *a, const struct grid_compliance *b)
{
    double x = unvisited_share(a), y = unvisited_share(b);
    if (x != y)
        return x > y ? -1 : 1;
    if (a->unvisited_30 != b->unvisited_30)
        return a->unvisited_30 > b->unvisited_30 ? -1 : 1;
    return 0;
}

static int cmp_overdue(const struct grid_compliance *a, const struct grid_compliance *b)
{
    if (a->overdue != b->overdue)
        return a->overdue > b->overdue ? -1 : 1;
    return 0;
}

static int cmp_found(const struct grid_compliance *a, const struct grid_compliance *b)
{
    /* grids without cases (share -1) go last */
    double x = a->found_share < 0 ? 2.0 : a->found_share;
    double y = b->found_share < 0 ? 2.0 : b->found_share;
    if (x != y)
        return x < y ? -1 : 1;
    return 0;
}

typedef int (*grid_cmp)(const struct grid_compliance *, const struct grid_compliance *);

static const grid_cmp orders[4][4] = {
    [COMPLIANCE_SORT_PATROLS] = {cmp_patrols, cmp_overdue, cmp_unvisited, cmp_found},
    [COMPLIANCE_SORT_UNVISITED] = {cmp_unvisited, cmp_overdue, cmp_patrols, cmp_found},
    [COMPLIANCE_SORT_OVERDUE] = {cmp_overdue, cmp_unvisited, cmp_patrols, cmp_found},
    [COMPLIANCE_SORT_FOUND] = {cmp_found, cmp_patrols, cmp_overdue, cmp_unvisited},
};

/* qsort has no context argument: sort with an insertion sort over the chosen order (grid
 * lists are a few thousand at most, already in code order). */
void compliance_sort_grids(struct grid_compliance *g, size_t n, enum compliance_sort key)
{
    const grid_cmp *order = orders[(int)key >= 0 && (int)key < 4 ? key : 0];
    for (size_t i = 1; i < n; i++) {
        struct grid_compliance cur = g[i];
        size_t j = i;
        while (j > 0) {
            int c = 0;
            for (int k = 0; k < 4 && c == 0; k++)
                c = order[k](&cur, &g[j - 1]);
            if (c == 0)
                c = strcmp(cur.grid, g[j - 1].grid);
            if (c >= 0)
                break;
            g[j] = g[j - 1];
            j--;
        }
        g[j] = cur;
    }
}

static int team_cmp(const void *pa, const void *pb)
{
    const struct team_compliance *a = pa, *b = pb;
    if (a->missed != b->missed)
        return a->missed > b->missed ? -1 : 1;
    if (a->held_rate != b->held_rate)
        return a->held_rate < b->held_rate ? -1 : 1;
    return a->team_id < b->team_id ? -1 : a->team_id > b->team_id;
}

void compliance_sort_teams(struct team_compliance *t, size_t n)
{
    if (n > 1)
        qsort(t, n, sizeof(*t), team_cmp);
}
