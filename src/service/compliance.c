/*
 * compliance.c - the compliance report and its exports (see compliance.h).
 *
 * One pass per source: the grids of the area (area walk), ended patrols per grid, every
 * household with its last visit and members' tags, cases per grid and channel, the teams and
 * their sessions. Grids are kept in code order while they are filled (bsearch), then sorted.
 */
#include "service/compliance.h"

#include "base/buf.h"
#include "base/csv.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/station.h"
#include "domain/visit.h"
#include "service/context.h"
#include "service/visits.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define DAY_MS      ((int64_t)86400000)
#define CITY_OFFSET 480 /* minutes: weekly schedules are local (UTC+8) */

void compliance_report_cleanup(struct compliance_report *r)
{
    if (r == NULL)
        return;
    free(r->grids);
    free(r->teams);
    memset(r, 0, sizeof(*r));
}

struct fill {
    struct compliance_report *r;
    size_t cap;
    const struct visit_rules *rules;
};

static int add_grid(void *arg, const struct area *a)
{
    struct fill *f = arg;
    struct grid_compliance *g;
    if (a->level != AREA_GRID)
        return 0;
    if (f->r->n_grids == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 64;
        f->r->grids = xrealloc(f->r->grids, f->cap * sizeof(*f->r->grids));
    }
    g = &f->r->grids[f->r->n_grids++];
    memset(g, 0, sizeof(*g));
    snprintf(g->grid, sizeof(g->grid), "%s", a->code);
    snprintf(g->name, sizeof(g->name), "%s", a->name);
    return 0;
}

static int grid_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct grid_compliance *)elem)->grid);
}

/* The grid holding code (a grid or a cell code), or NULL. */
static struct grid_compliance *find_grid(struct compliance_report *r, const char *code)
{
    char grid[16];
    if (strlen(code) < 15)
        return NULL;
    memcpy(grid, code, 15);
    grid[15] = '\0';
    return bsearch(grid, r->grids, r->n_grids, sizeof(*r->grids), grid_key_cmp);
}

static int add_patrols(void *arg, const char *grid, int64_t count)
{
    struct grid_compliance *g = find_grid(((struct fill *)arg)->r, grid);
    if (g)
        g->patrols += count;
    return 0;
}

static int add_household(void *arg, const struct visit_state *s)
{
    struct fill *f = arg;
    struct grid_compliance *g = find_grid(f->r, s->cell_code);
    const char *tags[1] = {s->tags};
    int interval;
    if (g == NULL || s->created_ms > f->r->at_ms)
        return 0;
    g->households++;
    if (visit_days_overdue(s->last_visit_ms, s->created_ms, COMPLIANCE_UNVISITED_DAYS,
                           f->r->at_ms) > 0)
        g->unvisited_30++;
    interval = visit_interval_days(f->rules, s->kind, tags, 1, NULL);
    if (visit_days_overdue(s->last_visit_ms, s->created_ms, interval, f->r->at_ms) > 0)
        g->overdue++;
    return 0;
}

static int add_cases(void *arg, const char *grid, const char *channel, int64_t count)
{
    struct grid_compliance *g = find_grid(((struct fill *)arg)->r, grid);
    if (g == NULL)
        return 0;
    switch (compliance_channel_class(channel)) {
    case COMPLIANCE_FOUND:
        g->cases_found += count;
        break;
    case COMPLIANCE_RESIDENT:
        g->cases_resident += count;
        break;
    default:
        break;
    }
    return 0;
}

static int count_session(void *arg, const struct station_session *s)
{
    (void)s;
    (*(int64_t *)arg)++;
    return 0;
}

struct team_fill {
    struct service_ctx *ctx;
    struct compliance_report *r;
    size_t cap;
};

static int add_team(void *arg, const struct station_team *t)
{
    struct team_fill *f = arg;
    struct team_compliance *tc;
    int r;
    if (f->r->n_teams == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->r->teams = xrealloc(f->r->teams, f->cap * sizeof(*f->r->teams));
    }
    tc = &f->r->teams[f->r->n_teams];
    memset(tc, 0, sizeof(*tc));
    tc->team_id = t->id;
    snprintf(tc->name, sizeof(tc->name), "%s", t->name);
    tc->scheduled = station_scheduled_count(t->slots, (size_t)t->n_slots, f->r->from_ms,
                                            f->r->to_ms, CITY_OFFSET);
    if ((r = store_station_session_list(service_ctx_reader(f->ctx), t->id, NULL, f->r->from_ms,
                                        f->r->to_ms, 100000, count_session, &tc->held)) != 0)
        return r;
    compliance_team_finish(tc);
    f->r->n_teams++;
    return 0;
}

int compliance_report(struct service_ctx *ctx, const struct principal *p, const char *area,
                      int64_t from_ms, int64_t to_ms, int64_t now_ms, enum compliance_sort key,
                      struct compliance_report *out, struct errbuf *eb)
{
    struct compliance_report r;
    struct visit_rules rules;
    struct fill f;
    struct team_fill tf;
    int exists = 0, rc;
    memset(out, 0, sizeof(*out));
    if (p == NULL)
        return ERR_UNAUTHORIZED;
    if (area == NULL)
        area = p->scope;
    if (!areacode_is_valid(area))
        return errbuf_set(eb, ERR_INVALID, "query parameter 'area' must be an area code");
    if (to_ms <= from_ms || to_ms - from_ms > COMPLIANCE_SPAN_MAX_MS)
        return errbuf_set(eb, ERR_INVALID, "'to' must follow 'from', at most 366 days later");
    if ((rc = store_area_exists(ctx->st, area, &exists)) != 0)
        return rc;
    if (!exists)
        return errbuf_set(eb, ERR_NOT_FOUND, "area %s does not exist", area);
    if (access_check(p, CAP_COMPLIANCE, area) != 0)
        return errbuf_set(eb, ERR_FORBIDDEN, "this user may not read the compliance of %s", area);
    if ((rc = visits_rules(ctx, &rules, eb)) != 0)
        return rc;

    memset(&r, 0, sizeof(r));
    snprintf(r.area, sizeof(r.area), "%s", area);
    r.from_ms = from_ms;
    r.to_ms = to_ms;
    r.at_ms = to_ms < now_ms ? to_ms : now_ms;
    r.days = (double)(to_ms - from_ms) / (double)DAY_MS;
    memset(&f, 0, sizeof(f));
    f.r = &r;
    f.rules = &rules;
    if ((rc = store_area_walk(service_ctx_reader(ctx), area, AREA_GRID, 0, add_grid, &f)) != 0 ||
        (rc = store_patrol_count_by_grid(service_ctx_reader(ctx), area, from_ms, to_ms, add_patrols,
                                         &f)) != 0 ||
        (rc = store_visit_states(service_ctx_reader(ctx), area, 0, r.at_ms + 1, add_household,
                                 &f)) != 0 ||
        (rc = store_case_channel_counts(service_ctx_reader(ctx), area, from_ms, to_ms, add_cases,
                                        &f)) != 0)
        goto fail;
    for (size_t i = 0; i < r.n_grids; i++)
        compliance_grid_finish(&r.grids[i], r.days);
    compliance_sort_grids(r.grids, r.n_grids, key);
    tf.ctx = ctx;
    tf.r = &r;
    tf.cap = 0;
    if ((rc = store_station_team_list(service_ctx_reader(ctx), area, add_team, &tf)) != 0)
        goto fail;
    compliance_sort_teams(r.teams, r.n_teams);
    *out = r;
    return 0;
fail:
    compliance_report_cleanup(&r);
    return rc;
}

/* ---- export ----------------------------------------------------------------------------- */

#define GRID_COLS 13
#define TEAM_COLS 6

static const char *const grid_header[GRID_COLS] = {"grid",
                                                   "name",
                                                   "patrols",
                                                   "patrols_per_day",
                                                   "norm_per_day",
                                                   "patrol_shortfall",
                                                   "households",
                                                   "unvisited_30d",
                                                   "overdue",
                                                   "cases_found",
                                                   "cases_resident",
                                                   "found_share",
                                                   "days"};
static const char *const team_header[TEAM_COLS] = {"team_id", "name",   "scheduled",
                                                   "held",    "missed", "held_rate"};

/* The cells of one row as text (rates with 3 decimals; a share without cases is empty). */
static void grid_cells(const struct compliance_report *r, const struct grid_compliance *g,
                       char cells[GRID_COLS][160])
{
    snprintf(cells[0], 160, "%s", g->grid);
    snprintf(cells[1], 160, "%s", g->name);
    snprintf(cells[2], 160, "%lld", (long long)g->patrols);
    snprintf(cells[3], 160, "%.3f", g->patrols_per_day);
    snprintf(cells[4], 160, "%d", COMPLIANCE_PATROL_NORM);
    snprintf(cells[5], 160, "%lld", (long long)g->patrol_shortfall);
    snprintf(cells[6], 160, "%lld", (long long)g->households);
    snprintf(cells[7], 160, "%lld", (long long)g->unvisited_30);
    snprintf(cells[8], 160, "%lld", (long long)g->overdue);
    snprintf(cells[9], 160, "%lld", (long long)g->cases_found);
    snprintf(cells[10], 160, "%lld", (long long)g->cases_resident);
    if (g->found_share >= 0)
        snprintf(cells[11], 160, "%.3f", g->found_share);
    else
        cells[11][0] = '\0';
    snprintf(cells[12], 160, "%.2f", r->days);
}

static void team_cells(const struct team_compliance *t, char cells[TEAM_COLS][160])
{
    snprintf(cells[0], 160, "%lld", (long long)t->team_id);
    snprintf(cells[1], 160, "%s", t->name);
    snprintf(cells[2], 160, "%lld", (long long)t->scheduled);
    snprintf(cells[3], 160, "%lld", (long long)t->held);
    snprintf(cells[4], 160, "%lld", (long long)t->missed);
    snprintf(cells[5], 160, "%.3f", t->held_rate);
}

static int write_csv(const struct compliance_report *r, int is_teams, const char *path,
                     struct errbuf *eb)
{
    struct buf out;
    char cells[GRID_COLS][160];
    int ncols = is_teams ? TEAM_COLS : GRID_COLS;
    size_t n = is_teams ? r->n_teams : r->n_grids;
    FILE *fp;
    int rc = 0;
    buf_init(&out, (size_t)64 * 1024 * 1024);
    for (int c = 0; c < ncols; c++)
        csv_write_field(&out, is_teams ? team_header[c] : grid_header[c], c == ncols - 1);
    for (size_t i = 0; i < n; i++) {
        if (is_teams)
            team_cells(&r->teams[i], cells);
        else
            grid_cells(r, &r->grids[i], cells);
        for (int c = 0; c < ncols; c++)
            if ((rc = csv_write_field(&out, cells[c], c == ncols - 1)) != 0)
                break;
    }
    if (rc == 0) {
        if ((fp = fopen(path, "wb")) == NULL || fwrite(out.data, 1, out.len, fp) != out.len) {
            rc = errbuf_set(eb, ERR_IO, "cannot write %s", path);
            if (fp)
                fclose(fp);
        } else if (fclose(fp) != 0) {
            rc = errbuf_set(eb, ERR_IO, "cannot write %s", path);
        }
    }
    buf_cleanup(&out);
    return rc;
}

/* A numeric cell as a number, text as a string. */
static void xlsx_cell(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *v, int is_num)
{
    if (is_num && v[0] != '\0')
        worksheet_write_number(ws, row, col, strtod(v, NULL), NULL);
    else
        worksheet_write_string(ws, row, col, v, NULL);
}

static int write_xlsx(const struct compliance_report *r, const char *path, struct errbuf *eb)
{
    lxw_workbook *book = workbook_new(path);
    lxw_worksheet *grids, *teams;
    lxw_format *bold;
    char cells[GRID_COLS][160];
    if (book == NULL)
        return errbuf_set(eb, ERR_IO, "cannot create the workbook %s", path);
    bold = workbook_add_format(book);
    format_set_bold(bold);
    grids = workbook_add_worksheet(book, "grids");
    teams = workbook_add_worksheet(book, "station teams");
    for (int c = 0; c < GRID_COLS; c++)
        worksheet_write_string(grids, 0, (lxw_col_t)c, grid_header[c], bold);
    for (size_t i = 0; i < r->n_grids; i++) {
        grid_cells(r, &r->grids[i], cells);
        for (int c = 0; c < GRID_COLS; c++)
            xlsx_cell(grids, (lxw_row_t)(i + 1), (lxw_col_t)c, cells[c], c >= 2);
    }
    for (int c = 0; c < TEAM_COLS; c++)
        worksheet_write_string(teams, 0, (lxw_col_t)c, team_header[c], bold);
    for (size_t i = 0; i < r->n_teams; i++) {
        team_cells(&r->teams[i], cells);
        for (int c = 0; c < TEAM_COLS; c++)
            xlsx_cell(teams, (lxw_row_t)(i + 1), (lxw_col_t)c, cells[c], c != 1);
    }
    if (workbook_close(book) != LXW_NO_ERROR)
        return errbuf_set(eb, ERR_IO, "cannot write the workbook %s", path);
    return 0;
}

int compliance_export(const struct compliance_report *r, enum compliance_format fmt, int is_teams,
                      const char *path, struct errbuf *eb)
{
    return fmt == COMPLIANCE_XLSX ? write_xlsx(r, path, eb) : write_csv(r, is_teams, path, eb);
}
