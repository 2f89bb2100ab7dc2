/*
 * indicator_report.c - writing the indicator report as XLSX or CSV (see indicator_report.h).
 *
 * The figures are gathered first into tables in memory (a few hundred rows at most: months,
 * areas of a level, categories), then written; nothing here computes a figure itself —
 * indicator_compute does, as for the API.
 */
#include "service/indicator_report.h"

#include "base/buf.h"
#include "base/csv.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "domain/indicators.h"
#include "domain/taxonomy.h"
#include "service/context.h"
#include "service/rollups.h"
#include "service/rules.h"
#include "store/store.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

#define REPORT_LEVELS_MAX 3 /* sheets for at most this many levels below the area */
#define REPORT_CSV_MAX    (64L << 20)

/* The counters a report shows (all indicators are shown), with their labels. */
static const struct {
    enum rollup_field f;
    const char *zh;
} shown_counters[] = {
    {RF_collected, "采集数"},          {RF_accepted, "立案数"},   {RF_rejected, "不予受理"},
    {RF_resolved_on_site, "现场解决"}, {RF_answered, "解释答复"}, {RF_closed, "结案数"},
    {RF_closed_on_time, "按期结案数"}, {RF_reworks, "返工次数"},  {RF_extensions, "延期次数"},
    {RF_escalated_cases, "上报案件"},  {RF_evaluated, "参评数"},  {RF_satisfied, "满意数"},
    {RF_yellow_cards, "黄牌"},         {RF_red_cards, "红牌"},
};
#define N_SHOWN (sizeof(shown_counters) / sizeof(shown_counters[0]))

/* One row of a table: its key (month, area code, category), a label and the sums. */
struct row {
    char key[24];
    char name[AREA_NAME_MAX + 1];
    struct rollup_counters c;
};

struct table {
    struct row *rows; /* owned */
    size_t len, cap;
};

static int add_row(void *arg, const char *key, const struct rollup_counters *sum)
{
    struct table *t = arg;
    if (t->len == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 32;
        t->rows = xrealloc(t->rows, t->cap * sizeof(*t->rows));
    }
    memset(&t->rows[t->len], 0, sizeof(t->rows[0]));
    snprintf(t->rows[t->len].key, sizeof(t->rows[0].key), "%s", key);
    t->rows[t->len].c = *sum;
    t->len++;
    return 0;
}

static void table_free(struct table *t)
{
    free(t->rows);
    memset(t, 0, sizeof(*t));
}

/* Everything the report shows, gathered before writing. */
struct report {
    struct area area;
    int from_day, to_day;
    struct indicator_settings settings;
    struct table total, months, categories;
    struct table levels[REPORT_LEVELS_MAX];
    int level_of[REPORT_LEVELS_MAX];
    int n_levels;
    struct table *child_months; /* per row of levels[0]: its months; owned array */
};

static void report_free(struct report *rep)
{
    table_free(&rep->total);
    table_free(&rep->months);
    table_free(&rep->categories);
    for (int i = 0; i < rep->n_levels; i++) {
        if (i == 0 && rep->child_months)
            for (size_t k = 0; k < rep->levels[0].len; k++)
                table_free(&rep->child_months[k]);
        table_free(&rep->levels[i]);
    }
    free(rep->child_months);
    area_cleanup(&rep->area);
}

static int gather(struct service_ctx *ctx, struct report *rep, struct errbuf *eb)
{
    const struct case_rules *rules;
    int level = rep->area.level, r;
    if ((r = rollups_query(service_ctx_reader(ctx), rep->area.code, rep->from_day, rep->to_day, "",
                           ROLLUPS_BY_TOTAL, add_row, &rep->total)) != 0 ||
        (r = rollups_query(service_ctx_reader(ctx), rep->area.code, rep->from_day, rep->to_day, "",
                           ROLLUPS_BY_MONTH, add_row, &rep->months)) != 0 ||
        (r = rollups_query(service_ctx_reader(ctx), rep->area.code, rep->from_day, rep->to_day, "",
                           ROLLUPS_BY_CATEGORY, add_row, &rep->categories)) != 0)
        return errbuf_set(eb, r, "cannot read the roll-ups");
    for (int l = level + 1; l <= AREA_GRID && rep->n_levels < REPORT_LEVELS_MAX; l++) {
        struct table *t = &rep->levels[rep->n_levels];
        rep->level_of[rep->n_levels++] = l;
        if ((r = rollups_query_level(service_ctx_reader(ctx), rep->area.code, l, rep->from_day,
                                     rep->to_day, "", add_row, t)) != 0)
            return errbuf_set(eb, r, "cannot read the roll-ups");
        for (size_t i = 0; i < t->len; i++) {
            struct area a;
            if (store_area_get(ctx->st, t->rows[i].key, 0, &a) == 0) {
                snprintf(t->rows[i].name, sizeof(t->rows[i].name), "%s", a.name);
                area_cleanup(&a);
            }
        }
    }
    if (rep->n_levels > 0) {
        rep->child_months =
            xcalloc(rep->levels[0].len ? rep->levels[0].len : 1, sizeof(*rep->child_months));
        for (size_t i = 0; i < rep->levels[0].len; i++)
            if ((r = rollups_query(service_ctx_reader(ctx), rep->levels[0].rows[i].key,
                                   rep->from_day, rep->to_day, "", ROLLUPS_BY_MONTH, add_row,
                                   &rep->child_months[i])) != 0)
                return errbuf_set(eb, r, "cannot read the roll-ups");
    }
    if (rules_get(ctx, &rules) == 0)
        for (size_t i = 0; i < rep->categories.len; i++) {
            const struct category *cat = taxonomy_find(rules->tax, rep->categories.rows[i].key);
            if (cat)
                snprintf(rep->categories.rows[i].name, sizeof(rep->categories.rows[i].name), "%s",
                         cat->name_zh);
        }
    return 0;
}

static int is_rate(enum indicator_value v)
{
    return v != IV_DUE_TO_CLOSE && v != IV_MEAN_RATING && v != IV_MEAN_HANDLING_HOURS &&
           v != IV_MEDIAN_HANDLING_HOURS && v != IV_P90_HANDLING_HOURS && v != IV_POINTS;
}

/* ---- XLSX ---------------------------------------------------------------------------------- */

struct xlsx {
    lxw_workbook *wb;
    lxw_format *bold, *pct, *num;
};

static void write_value(struct xlsx *x, lxw_worksheet *ws, int row, int col, enum indicator_value v,
                        double value)
{
    if (isnan(value))
        worksheet_write_string(ws, (lxw_row_t)row, (lxw_col_t)col, "", NULL);
    else
        worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)col, value,
                               is_rate(v) ? x->pct : x->num);
}

/* A table sheet: key, name, the shown counters, every indicator. Columns of the rates named
 * in `charted` are charted against the keys when the table has rows. */
static lxw_worksheet *table_sheet(struct xlsx *x, const struct report *rep, const char *title,
                                  const char *key_label, const struct table *t)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, title);
    int col = 0;
    if (ws == NULL)
        return NULL;
    worksheet_write_string(ws, 0, (lxw_col_t)col++, key_label, x->bold);
    worksheet_write_string(ws, 0, (lxw_col_t)col++, "名称", x->bold);
    for (size_t i = 0; i < N_SHOWN; i++)
        worksheet_write_string(ws, 0, (lxw_col_t)col++, shown_counters[i].zh, x->bold);
    for (int v = 0; v < INDICATOR_VALUE_COUNT; v++)
        worksheet_write_string(ws, 0, (lxw_col_t)col++,
                               indicator_value_name_zh((enum indicator_value)v), x->bold);
    for (size_t i = 0; i < t->len; i++) {
        double values[INDICATOR_VALUE_COUNT];
        lxw_row_t row = (lxw_row_t)(i + 1);
        col = 0;
        indicator_compute(&t->rows[i].c, &rep->settings, values);
        worksheet_write_string(ws, row, (lxw_col_t)col++, t->rows[i].key, NULL);
        worksheet_write_string(ws, row, (lxw_col_t)col++, t->rows[i].name, NULL);
        for (size_t k = 0; k < N_SHOWN; k++)
            worksheet_write_number(ws, row, (lxw_col_t)col++,
                                   (double)t->rows[i].c.v[shown_counters[k].f], NULL);
        for (int v = 0; v < INDICATOR_VALUE_COUNT; v++)
            write_value(x, ws, (int)row, col++, (enum indicator_value)v, values[v]);
    }
    worksheet_freeze_panes(ws, 1, 2);
    worksheet_set_column(ws, 0, 1, 14, NULL);
    return ws;
}

/* Column of indicator v in a table sheet. */
static int value_col(enum indicator_value v)
{
    return 2 + (int)N_SHOWN + (int)v;
}

static void rate_chart(struct xlsx *x, lxw_worksheet *ws, const char *sheet, size_t n,
                       lxw_chart_type type, const char *title, const enum indicator_value *vs,
                       int nv, int at_row)
{
    lxw_chart *chart;
    if (n == 0)
        return;
    chart = workbook_add_chart(x->wb, (uint8_t)type);
    chart_title_set_name(chart, title);
    for (int i = 0; i < nv; i++) {
        lxw_chart_series *s = chart_add_series(chart, NULL, NULL);
        chart_series_set_categories(s, sheet, 1, 0, (lxw_row_t)n, 0);
        chart_series_set_values(s, sheet, 1, (lxw_col_t)value_col(vs[i]), (lxw_row_t)n,
                                (lxw_col_t)value_col(vs[i]));
        chart_series_set_name(s, indicator_value_name_zh(vs[i]));
    }
    worksheet_insert_chart(ws, (lxw_row_t)at_row, 2, chart);
}

static void volume_chart(struct xlsx *x, lxw_worksheet *ws, const char *sheet, size_t n, int at_row)
{
    lxw_chart *chart;
    lxw_chart_series *s;
    if (n == 0)
        return;
    chart = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    chart_title_set_name(chart, "采集数");
    s = chart_add_series(chart, NULL, NULL);
    chart_series_set_categories(s, sheet, 1, 0, (lxw_row_t)n, 0);
    chart_series_set_values(s, sheet, 1, 2, (lxw_row_t)n, 2); /* collected */
    chart_series_set_name(s, "采集数");
    worksheet_insert_chart(ws, (lxw_row_t)at_row, 10, chart);
}

static void summary_sheet(struct xlsx *x, const struct report *rep)
{
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, "总览");
    double values[INDICATOR_VALUE_COUNT];
    char period[40];
    struct rollup_counters zero;
    const struct rollup_counters *c = &zero;
    int row = 0;
    indicator_counters_clear(&zero);
    if (rep->total.len > 0)
        c = &rep->total.rows[0].c;
    indicator_compute(c, &rep->settings, values);
    snprintf(period, sizeof(period), "%d – %d", rep->from_day, rep->to_day);
    worksheet_write_string(ws, (lxw_row_t)row, 0, "区域 area", x->bold);
    worksheet_write_string(ws, (lxw_row_t)row++, 1, rep->area.code, NULL);
    worksheet_write_string(ws, (lxw_row_t)row, 0, "名称 name", x->bold);
    worksheet_write_string(ws, (lxw_row_t)row++, 1, rep->area.name, NULL);
    worksheet_write_string(ws, (lxw_row_t)row, 0, "期间 period (reported)", x->bold);
    worksheet_write_string(ws, (lxw_row_t)row++, 1, period, NULL);
    worksheet_write_string(ws, (lxw_row_t)row, 0, "挂账不计入应结案", x->bold);
    worksheet_write_string(ws, (lxw_row_t)row++, 1,
                           rep->settings.is_suspended_excluded ? "是 yes" : "否 no", NULL);
    row++;
    for (size_t i = 0; i < N_SHOWN; i++) {
        worksheet_write_string(ws, (lxw_row_t)row, 0, shown_counters[i].zh, NULL);
        worksheet_write_string(ws, (lxw_row_t)row, 1, indicator_field_name(shown_counters[i].f),
                               NULL);
        worksheet_write_number(ws, (lxw_row_t)row++, 2, (double)c->v[shown_counters[i].f], NULL);
    }
    row++;
    for (int v = 0; v < INDICATOR_VALUE_COUNT; v++) {
        worksheet_write_string(ws, (lxw_row_t)row, 0,
                               indicator_value_name_zh((enum indicator_value)v), NULL);
        worksheet_write_string(ws, (lxw_row_t)row, 1, indicator_value_name((enum indicator_value)v),
                               NULL);
        write_value(x, ws, row++, 2, (enum indicator_value)v, values[v]);
    }
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 28, NULL);
    worksheet_set_column(ws, 2, 2, 14, NULL);
}

static void points_sheet(struct xlsx *x, const struct report *rep)
{
    lxw_worksheet *ws;
    const struct table *kids = &rep->levels[0];
    if (rep->n_levels == 0)
        return;
    ws = workbook_add_worksheet(x->wb, "月度考核");
    worksheet_write_string(ws, 0, 0, "区域", x->bold);
    worksheet_write_string(ws, 0, 1, "名称", x->bold);
    for (size_t m = 0; m < rep->months.len; m++)
        worksheet_write_string(ws, 0, (lxw_col_t)(2 + m), rep->months.rows[m].key, x->bold);
    for (size_t i = 0; i < kids->len; i++) {
        lxw_row_t row = (lxw_row_t)(i + 1);
        worksheet_write_string(ws, row, 0, kids->rows[i].key, NULL);
        worksheet_write_string(ws, row, 1, kids->rows[i].name, NULL);
        for (size_t m = 0; m < rep->months.len; m++) {
            struct rollup_counters zero;
            const struct rollup_counters *c = &zero;
            double values[INDICATOR_VALUE_COUNT];
            indicator_counters_clear(&zero);
            for (size_t k = 0; k < rep->child_months[i].len; k++)
                if (strcmp(rep->child_months[i].rows[k].key, rep->months.rows[m].key) == 0)
                    c = &rep->child_months[i].rows[k].c;
            indicator_compute(c, &rep->settings, values);
            worksheet_write_number(ws, row, (lxw_col_t)(2 + m), values[IV_POINTS], x->num);
        }
    }
    worksheet_freeze_panes(ws, 1, 2);
    worksheet_set_column(ws, 0, 1, 16, NULL);
}

static int write_xlsx(const struct report *rep, const char *path, struct errbuf *eb)
{
    static const enum indicator_value month_rates[] = {IV_CLOSURE_RATE, IV_ON_TIME_CLOSURE_RATE,
                                                       IV_SATISFACTION_RATE};
    static const enum indicator_value child_rates[] = {IV_ON_TIME_CLOSURE_RATE};
    struct xlsx x;
    lxw_worksheet *ws;
    lxw_error err;
    memset(&x, 0, sizeof(x));
    if ((x.wb = workbook_new(path)) == NULL)
        return errbuf_set(eb, ERR_IO, "cannot create %s", path);
    x.bold = workbook_add_format(x.wb);
    format_set_bold(x.bold);
    x.pct = workbook_add_format(x.wb);
    format_set_num_format(x.pct, "0.0%");
    x.num = workbook_add_format(x.wb);
    format_set_num_format(x.num, "0.0");

    summary_sheet(&x, rep);
    if ((ws = table_sheet(&x, rep, "按月", "月份", &rep->months)) != NULL) {
        int below = (int)rep->months.len + 3;
        rate_chart(&x, ws, "按月", rep->months.len, LXW_CHART_LINE, "结案率 / 按期结案率 / 满意率",
                   month_rates, 3, below);
        volume_chart(&x, ws, "按月", rep->months.len, below);
    }
    for (int i = 0; i < rep->n_levels; i++) {
        char name[32];
        /* "街道/镇": a sheet name may not hold [ ] : * ? / \ */
        snprintf(name, sizeof(name), "%s", areacode_level_name_zh(rep->level_of[i]));
        for (char *p = name; *p; p++)
            if (strchr("[]:*?/\\", *p) != NULL)
                *p = '-';
        if ((ws = table_sheet(&x, rep, name, "代码", &rep->levels[i])) != NULL && i == 0)
            rate_chart(&x, ws, name, rep->levels[i].len, LXW_CHART_BAR, "按期结案率", child_rates,
                       1, (int)rep->levels[i].len + 3);
    }
    table_sheet(&x, rep, "按类别", "类别", &rep->categories);
    points_sheet(&x, rep);
    if ((err = workbook_close(x.wb)) != LXW_NO_ERROR)
        return errbuf_set(eb, ERR_IO, "cannot write %s: %s", path, lxw_strerror(err));
    return 0;
}

/* ---- CSV ----------------------------------------------------------------------------------- */

static int csv_table(struct buf *out, const char *group, const struct table *t,
                     const struct indicator_settings *s)
{
    int r = 0;
    for (size_t i = 0; i < t->len && r == 0; i++) {
        if ((r = csv_write_field(out, group, 0)) == 0 &&
            (r = csv_write_field(out, t->rows[i].name, 0)) == 0)
            r = rollups_csv_row(out, t->rows[i].key, &t->rows[i].c, s);
    }
    return r;
}

static int write_csv(const struct report *rep, const char *path, struct errbuf *eb)
{
    struct buf out;
    FILE *f;
    int r;
    buf_init(&out, REPORT_CSV_MAX);
    if ((r = csv_write_field(&out, "group", 0)) == 0 && (r = csv_write_field(&out, "name", 0)) == 0)
        r = rollups_csv_header(&out, "key");
    if (r == 0)
        r = csv_table(&out, "total", &rep->total, &rep->settings);
    if (r == 0)
        r = csv_table(&out, "month", &rep->months, &rep->settings);
    for (int i = 0; i < rep->n_levels && r == 0; i++)
        r = csv_table(&out, areacode_level_name(rep->level_of[i]), &rep->levels[i], &rep->settings);
    if (r == 0)
        r = csv_table(&out, "category", &rep->categories, &rep->settings);
    if (r != 0) {
        buf_cleanup(&out);
        return errbuf_set(eb, r, "the report is too large for CSV");
    }
    if ((f = fopen(path, "wb")) == NULL) {
        buf_cleanup(&out);
        return errbuf_set(eb, ERR_IO, "cannot create %s: %s", path, strerror(errno));
    }
    r = fwrite(out.data, 1, out.len, f) == out.len ? 0 : ERR_IO;
    if (fclose(f) != 0)
        r = ERR_IO;
    buf_cleanup(&out);
    return r != 0 ? errbuf_set(eb, r, "cannot write %s", path) : 0;
}

int indicator_report_write(struct service_ctx *ctx, const char *area, int from_day, int to_day,
                           enum indicator_report_format format, const char *path, struct errbuf *eb)
{
    struct report rep;
    char tmp[4200];
    int r;
    memset(&rep, 0, sizeof(rep));
    if (!areacode_is_valid(area ? area : ""))
        return errbuf_set(eb, ERR_INVALID, "'%s' is not an area code", area ? area : "");
    if (!indicator_day_is_valid(from_day) || !indicator_day_is_valid(to_day) || from_day > to_day)
        return errbuf_set(eb, ERR_INVALID, "the period is not valid");
    if (strlen(path) + 5 > sizeof(tmp))
        return errbuf_set(eb, ERR_INVALID, "the output path is too long");
    if ((r = store_area_get(ctx->st, area, 0, &rep.area)) != 0)
        return errbuf_set(eb, r, "area %s does not exist", area);
    rep.from_day = from_day;
    rep.to_day = to_day;
    rollups_settings(ctx->cfg, &rep.settings);
    snprintf(tmp, sizeof(tmp), "%s.tmp", path);
    if ((r = gather(ctx, &rep, eb)) == 0)
        r = format == INDICATOR_REPORT_XLSX ? write_xlsx(&rep, tmp, eb) : write_csv(&rep, tmp, eb);
    if (r == 0 && rename(tmp, path) != 0)
        r = errbuf_set(eb, ERR_IO, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
    if (r != 0)
        remove(tmp);
    report_free(&rep);
    return r;
}
