/*
 * deadline.c - step and urgency names, the time-limit text form, the rules table and its
 * precedence, due times and overdue stages (see deadline.h).
 *
 * The rules table is a plain array kept unique on its key; a lookup scans it once and scores
 * the rows that apply, which is cheap for the few hundred rows a city configures. The practice
 * defaults are a table of limit texts, parsed when the defaults are loaded (a test checks each
 * one parses). Called by the case service (due times when a step starts), the overdue sweep
 * (stages) and the rules' import and API. Pure; a table is written by its owner only, then read
 * concurrently.
 */
#include "domain/deadline.h"

#include "base/csv.h"
#include "base/xalloc.h"
#include "domain/areacode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS ((int64_t)60000)

static const char *const step_names[STEP_COUNT] = {
#define STEP_GEN_NAME(name, str, zh) str,
    CASE_STEP_MAP(STEP_GEN_NAME)
#undef STEP_GEN_NAME
};

static const char *const step_names_zh[STEP_COUNT] = {
#define STEP_GEN_ZH(name, str, zh) zh,
    CASE_STEP_MAP(STEP_GEN_ZH)
#undef STEP_GEN_ZH
};

static const char *const urgency_names[URGENCY_COUNT] = {
#define URGENCY_GEN_NAME(name, str, zh) str,
    URGENCY_MAP(URGENCY_GEN_NAME)
#undef URGENCY_GEN_NAME
};

static const char *const urgency_names_zh[URGENCY_COUNT] = {
#define URGENCY_GEN_ZH(name, str, zh) zh,
    URGENCY_MAP(URGENCY_GEN_ZH)
#undef URGENCY_GEN_ZH
};

static const char *const stage_names[STAGE_COUNT] = {
#define STAGE_GEN_NAME(name, str, zh) str,
    OVERDUE_STAGE_MAP(STAGE_GEN_NAME)
#undef STAGE_GEN_NAME
};

static const char *const stage_names_zh[STAGE_COUNT] = {
#define STAGE_GEN_ZH(name, str, zh) zh,
    OVERDUE_STAGE_MAP(STAGE_GEN_ZH)
#undef STAGE_GEN_ZH
};

static const char *const setting_names[] = {"any", "town", "rural"};
#define SETTING_COUNT ((int)(sizeof(setting_names) / sizeof(setting_names[0])))

/* Practice defaults (standards.md 3.3), one row per step and setting, limits per urgency. */
static const struct {
    enum case_step step;
    enum area_setting setting;
    const char *limit[URGENCY_COUNT]; /* normal, urgent, emergency */
} default_rows[] = {
    {STEP_ACCEPT, SETTING_ANY, {"1wh", "10wmin", "5min"}},
    {STEP_DISPATCH, SETTING_ANY, {"1wh", "10wmin", "5min"}},
    {STEP_SIGN, SETTING_ANY, {"1wh", "30wmin", "10min"}},
    {STEP_HANDLE, SETTING_ANY, {"5wd", "1wd", "2h"}},
    {STEP_VERIFY, SETTING_TOWN, {"1wh", "1wh", "1h"}},
    {STEP_VERIFY, SETTING_RURAL, {"2wh", "2wh", "2h"}},
};

/* Text units: suffix, unit, minutes per amount (0 for days). Longer suffixes first, so "wmin"
 * is tried before "min" (matching is on the whole tail, so order is only for clarity). */
static const struct {
    const char *suffix;
    enum limit_unit unit;
    int scale;
} limit_units[] = {
    {"wmin", LIMIT_WORKING_MINUTES, 1}, {"wh", LIMIT_WORKING_MINUTES, 60},
    {"wd", LIMIT_WORKING_DAYS, 1},      {"min", LIMIT_MINUTES, 1},
    {"h", LIMIT_MINUTES, 60},
};

struct deadline_rules {
    struct deadline_rule *rows;
    size_t n;
    size_t cap;
};

/* ---- names ---- */

static int name_parse(const char *const *names, int count, const char *name, int *out)
{
    if (name == NULL)
        return ERR_INVALID;
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return 0;
        }
    }
    return ERR_INVALID;
}

const char *deadline_step_name(enum case_step step)
{
    return ((int)step >= 0 && step < STEP_COUNT) ? step_names[step] : NULL;
}

const char *deadline_step_name_zh(enum case_step step)
{
    return ((int)step >= 0 && step < STEP_COUNT) ? step_names_zh[step] : NULL;
}

int deadline_step_parse(const char *name, enum case_step *out)
{
    int i, r;
    if ((r = name_parse(step_names, STEP_COUNT, name, &i)) != 0)
        return r;
    *out = (enum case_step)i;
    return 0;
}

const char *deadline_urgency_name(enum urgency u)
{
    return ((int)u >= 0 && u < URGENCY_COUNT) ? urgency_names[u] : NULL;
}

const char *deadline_urgency_name_zh(enum urgency u)
{
    return ((int)u >= 0 && u < URGENCY_COUNT) ? urgency_names_zh[u] : NULL;
}

int deadline_urgency_parse(const char *name, enum urgency *out)
{
    int i, r;
    if ((r = name_parse(urgency_names, URGENCY_COUNT, name, &i)) != 0)
        return r;
    *out = (enum urgency)i;
    return 0;
}

const char *deadline_stage_name(enum overdue_stage s)
{
    return ((int)s >= 0 && s < STAGE_COUNT) ? stage_names[s] : NULL;
}

const char *deadline_stage_name_zh(enum overdue_stage s)
{
    return ((int)s >= 0 && s < STAGE_COUNT) ? stage_names_zh[s] : NULL;
}

int deadline_stage_parse(const char *name, enum overdue_stage *out)
{
    int i, r;
    if ((r = name_parse(stage_names, STAGE_COUNT, name, &i)) != 0)
        return r;
    *out = (enum overdue_stage)i;
    return 0;
}

const char *deadline_setting_name(enum area_setting s)
{
    return ((int)s >= 0 && (int)s < SETTING_COUNT) ? setting_names[s] : NULL;
}

int deadline_setting_parse(const char *name, enum area_setting *out)
{
    int i, r;
    if ((r = name_parse(setting_names, SETTING_COUNT, name, &i)) != 0)
        return r;
    *out = (enum area_setting)i;
    return 0;
}

/* ---- limits ---- */

int deadline_limit_is_valid(const struct time_limit *lim)
{
    if (lim == NULL)
        return 0;
    switch (lim->unit) {
    case LIMIT_MINUTES:
    case LIMIT_WORKING_MINUTES:
        return lim->amount >= 1 && lim->amount <= DEADLINE_LIMIT_MINUTES_MAX;
    case LIMIT_WORKING_DAYS:
        return lim->amount >= 0 && lim->amount <= DEADLINE_LIMIT_DAYS_MAX;
    default:
        return 0;
    }
}

int deadline_limit_parse(const char *text, struct time_limit *out, struct errbuf *eb)
{
    const char *p = text;
    long amount = 0;
    int digits = 0;
    struct time_limit lim;

    if (text == NULL || *text == '\0')
        return errbuf_set(eb, ERR_INVALID, "time limit is empty");
    while (*p >= '0' && *p <= '9') {
        if (digits == 7)
            return errbuf_set(eb, ERR_INVALID, "time limit '%.20s' is too large", text);
        amount = amount * 10 + (*p++ - '0');
        digits++;
    }
    if (digits == 0 || (digits > 1 && text[0] == '0'))
        return errbuf_set(eb, ERR_INVALID,
                          "bad time limit '%.20s': expected a number then min, h, wmin, wh or wd "
                          "(as 10min, 1wh, 15wd)",
                          text);
    for (size_t i = 0; i < sizeof(limit_units) / sizeof(limit_units[0]); i++) {
        if (strcmp(p, limit_units[i].suffix) != 0)
            continue;
        if (amount > DEADLINE_LIMIT_MINUTES_MAX / limit_units[i].scale)
            return errbuf_set(eb, ERR_INVALID, "time limit '%.20s' is too large", text);
        lim.unit = limit_units[i].unit;
        lim.amount = (int)amount * limit_units[i].scale;
        if (!deadline_limit_is_valid(&lim))
            return errbuf_set(eb, ERR_INVALID, "time limit '%.20s' is out of range (%s)", text,
                              lim.unit == LIMIT_WORKING_DAYS ? "0 to 366 working days"
                                                             : "1 minute to 365 days");
        *out = lim;
        return 0;
    }
    return errbuf_set(eb, ERR_INVALID,
                      "bad time limit '%.20s': unit must be min, h, wmin, wh or wd", text);
}

int deadline_limit_format(const struct time_limit *lim, char *out, size_t size)
{
    const char *suffix;
    int amount;
    if (size == 0)
        return ERR_INVALID;
    out[0] = '\0';
    if (!deadline_limit_is_valid(lim))
        return ERR_INVALID;
    amount = lim->amount;
    if (lim->unit == LIMIT_WORKING_DAYS) {
        suffix = "wd";
    } else if (amount % 60 == 0) {
        amount /= 60;
        suffix = lim->unit == LIMIT_MINUTES ? "h" : "wh";
    } else {
        suffix = lim->unit == LIMIT_MINUTES ? "min" : "wmin";
    }
    if ((size_t)snprintf(out, size, "%d%s", amount, suffix) >= size) {
        out[0] = '\0';
        return ERR_INVALID;
    }
    return 0;
}

/* ---- due times and stages ---- */

int deadline_compute(const struct calendar *cal, int64_t start_ms, const struct time_limit *lim,
                     int64_t *due_ms)
{
    if (!deadline_limit_is_valid(lim))
        return ERR_INVALID;
    switch (lim->unit) {
    case LIMIT_MINUTES:
        /* The range the calendar accepts, so every unit fails alike on absurd instants. */
        if (start_ms < CALENDAR_MS_MIN || start_ms > CALENDAR_MS_MAX)
            return ERR_INVALID;
        *due_ms = start_ms + lim->amount * MIN_MS;
        return 0;
    case LIMIT_WORKING_MINUTES:
        return cal ? calendar_add_working_minutes(cal, start_ms, lim->amount, due_ms) : ERR_INVALID;
    case LIMIT_WORKING_DAYS:
        return cal ? calendar_add_working_days(cal, start_ms, lim->amount, due_ms) : ERR_INVALID;
    }
    return ERR_INVALID;
}

/* The lateness at which the red and escalate stages begin (see deadline.h). */
static void stage_thresholds(const struct calendar *cal, enum limit_unit unit, int64_t start_ms,
                             int64_t due_ms, int64_t *red_after, int64_t *escalate_after)
{
    int64_t allowed, floor_ms;
    if (unit == LIMIT_MINUTES || cal == NULL) {
        allowed = due_ms > start_ms ? due_ms - start_ms : 0;
        floor_ms = 5 * MIN_MS;
    } else {
        allowed = calendar_working_ms_between(cal, start_ms, due_ms);
        floor_ms = 60 * MIN_MS;
    }
    *red_after = allowed / 2 > floor_ms ? allowed / 2 : floor_ms;
    *escalate_after = allowed > 2 * floor_ms ? allowed : 2 * floor_ms;
}

int deadline_stage_starts_at(const struct calendar *cal, enum limit_unit unit, int64_t start_ms,
                             int64_t due_ms, enum overdue_stage stage, int64_t *out_ms)
{
    int64_t red_after, escalate_after, late;
    *out_ms = 0;
    if ((int)stage < 0 || stage >= STAGE_COUNT)
        return ERR_INVALID;
    if (stage == STAGE_NONE) {
        *out_ms = due_ms;
        return 0;
    }
    stage_thresholds(cal, unit, start_ms, due_ms, &red_after, &escalate_after);
    late = stage == STAGE_YELLOW ? 1 : stage == STAGE_RED ? red_after : escalate_after;
    if (unit == LIMIT_MINUTES || cal == NULL) {
        *out_ms = due_ms + late;
        return 0;
    }
    /* Working time runs in whole minutes here: the instant is at most a minute late. */
    return calendar_add_working_minutes(cal, due_ms, (late + MIN_MS - 1) / MIN_MS, out_ms);
}

enum overdue_stage deadline_overdue_stage(const struct calendar *cal, enum limit_unit unit,
                                          int64_t start_ms, int64_t due_ms, int64_t now_ms)
{
    int64_t late, red_after, escalate_after;
    if (unit == LIMIT_MINUTES || cal == NULL)
        late = now_ms > due_ms ? now_ms - due_ms : 0;
    else
        late = calendar_working_ms_between(cal, due_ms, now_ms);
    if (late <= 0)
        return STAGE_NONE;
    stage_thresholds(cal, unit, start_ms, due_ms, &red_after, &escalate_after);
    if (late < red_after)
        return STAGE_YELLOW;
    if (late < escalate_after)
        return STAGE_RED;
    return STAGE_ESCALATE;
}

enum overdue_stage deadline_stage_to_act(enum overdue_stage recorded, enum overdue_stage current)
{
    return current > recorded ? current : STAGE_NONE;
}

/* ---- rules ---- */

struct deadline_rules *deadline_rules_new(void)
{
    return xcalloc(1, sizeof(struct deadline_rules));
}

void deadline_rules_free(struct deadline_rules *rules)
{
    if (rules == NULL)
        return;
    free(rules->rows);
    free(rules);
}

void deadline_rules_clear(struct deadline_rules *rules)
{
    rules->n = 0;
}

void deadline_rules_defaults(struct deadline_rules *rules)
{
    deadline_rules_clear(rules);
    for (size_t i = 0; i < sizeof(default_rows) / sizeof(default_rows[0]); i++) {
        for (int u = 0; u < URGENCY_COUNT; u++) {
            struct deadline_rule row;
            memset(&row, 0, sizeof(row));
            row.urgency = (enum urgency)u;
            row.step = default_rows[i].step;
            row.setting = default_rows[i].setting;
            /* The table is constant and a unit test parses every entry. */
            if (deadline_limit_parse(default_rows[i].limit[u], &row.limit, NULL) == 0)
                deadline_rules_add(rules, &row, NULL);
        }
    }
}

static int category_is_valid(const char *c)
{
    size_t n = strnlen(c, DEADLINE_CATEGORY_MAX + 1);
    if (n > DEADLINE_CATEGORY_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = c[i];
        if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
              ch == '-' || ch == '_' || ch == '.'))
            return 0;
    }
    return 1;
}

static int same_key(const struct deadline_rule *a, const struct deadline_rule *b)
{
    return a->urgency == b->urgency && a->step == b->step && a->area_level == b->area_level &&
           a->setting == b->setting && strcmp(a->category, b->category) == 0;
}

int deadline_rules_add(struct deadline_rules *rules, const struct deadline_rule *row,
                       struct errbuf *eb)
{
    if (!category_is_valid(row->category))
        return errbuf_set(eb, ERR_INVALID,
                          "category prefix must be at most %d letters, digits, '-', '_' or '.'",
                          DEADLINE_CATEGORY_MAX);
    if ((int)row->urgency < 0 || row->urgency >= URGENCY_COUNT)
        return errbuf_set(eb, ERR_INVALID, "unknown urgency %d", (int)row->urgency);
    if ((int)row->step < 0 || row->step >= STEP_COUNT)
        return errbuf_set(eb, ERR_INVALID, "unknown step %d", (int)row->step);
    if (row->area_level != 0 &&
        (row->area_level < AREA_LEVEL_MIN || row->area_level > AREA_LEVEL_MAX))
        return errbuf_set(eb, ERR_INVALID, "unknown area level %d", row->area_level);
    if ((int)row->setting < 0 || (int)row->setting >= SETTING_COUNT)
        return errbuf_set(eb, ERR_INVALID, "unknown area setting %d", (int)row->setting);
    if (!deadline_limit_is_valid(&row->limit))
        return errbuf_set(eb, ERR_INVALID, "time limit out of range");
    for (size_t i = 0; i < rules->n; i++) {
        if (same_key(&rules->rows[i], row)) {
            rules->rows[i].limit = row->limit;
            return 0;
        }
    }
    if (rules->n >= DEADLINE_RULES_MAX)
        return errbuf_set(eb, ERR_TOO_LARGE, "at most %d time-limit rules", DEADLINE_RULES_MAX);
    if (rules->n == rules->cap) {
        rules->cap = rules->cap ? rules->cap * 2 : 32;
        rules->rows = xreallocarray(rules->rows, rules->cap, sizeof(*rules->rows));
    }
    rules->rows[rules->n] = *row;
    /* Normalise the tail so stored rows compare and copy byte for byte. */
    size_t len = strlen(row->category);
    memset(rules->rows[rules->n].category + len, 0, sizeof(row->category) - len);
    rules->n++;
    return 0;
}

size_t deadline_rules_count(const struct deadline_rules *rules)
{
    return rules->n;
}

int deadline_rules_at(const struct deadline_rules *rules, size_t i, struct deadline_rule *out)
{
    if (i >= rules->n)
        return ERR_NOT_FOUND;
    *out = rules->rows[i];
    return 0;
}

/* Score of a row that applies (higher wins), or -1 when it does not. Category length dominates,
 * then a specific area level, then a specific setting (see deadline.h). */
static long rule_score(const struct deadline_rule *row, const char *code, enum urgency urgency,
                       enum case_step step, int area_level, int is_rural)
{
    size_t len = strlen(row->category);
    if (row->step != step || row->urgency != urgency)
        return -1;
    if (len > 0 && strncmp(row->category, code, len) != 0)
        return -1; /* also rejects a prefix longer than code: code's NUL differs */
    if (row->area_level != 0 && row->area_level != area_level)
        return -1;
    if (row->setting != SETTING_ANY && row->setting != (is_rural ? SETTING_RURAL : SETTING_TOWN))
        return -1;
    return (long)len * 4 + (long)(row->area_level != 0) * 2 + (long)(row->setting != SETTING_ANY);
}

int deadline_rules_lookup(const struct deadline_rules *rules, const char *category_code,
                          enum urgency urgency, enum case_step step, int area_level, int is_rural,
                          const struct time_limit *category_default, struct time_limit *out)
{
    const struct deadline_rule *best = NULL;
    long best_score = -1;
    const char *code = category_code ? category_code : "";

    if ((int)urgency < 0 || urgency >= URGENCY_COUNT || (int)step < 0 || step >= STEP_COUNT)
        return ERR_INVALID;
    for (size_t i = 0; i < rules->n; i++) {
        long score = rule_score(&rules->rows[i], code, urgency, step, area_level, is_rural);
        if (score > best_score) {
            best_score = score;
            best = &rules->rows[i];
        }
    }
    /* A row naming a category beats the category's own limit; that beats rows for all. */
    if (best != NULL && best->category[0] != '\0') {
        *out = best->limit;
        return 0;
    }
    if (deadline_limit_is_valid(category_default)) {
        *out = *category_default;
        return 0;
    }
    if (best == NULL)
        return ERR_NOT_FOUND;
    *out = best->limit;
    return 0;
}

/* ---- CSV ---- */

static void deadline_import_problem(struct deadline_import_result *res, size_t line,
                                    const char *reason)
{
    if (res->n_problems < DEADLINE_IMPORT_MAX_PROBLEMS) {
        res->problems[res->n_problems].line = line;
        snprintf(res->problems[res->n_problems].reason,
                 sizeof(res->problems[res->n_problems].reason), "%.159s", reason);
    }
    res->n_problems++;
}

static const char *const deadline_csv_header[] = {"category",   "urgency", "step",
                                                  "area_level", "setting", "limit"};

int deadline_rules_parse_csv(struct deadline_rules *rules, const char *text, size_t len,
                             struct deadline_import_result *res, struct errbuf *eb)
{
    struct deadline_rules *staged = deadline_rules_new();
    struct csv_reader rd;
    struct csv_record *rec = xmalloc(sizeof(*rec));
    int have_header = 0, r = 0;

    memset(res, 0, sizeof(*res));
    csv_reader_init(&rd, text ? text : "", text ? len : 0);
    for (size_t i = 0; i < deadline_rules_count(rules); i++) {
        struct deadline_rule row;
        deadline_rules_at(rules, i, &row);
        deadline_rules_add(staged, &row, NULL);
    }
    while (csv_read(&rd, rec)) {
        struct deadline_rule row;
        struct errbuf row_eb = {{0}};
        if (!have_header) {
            have_header = 1;
            int ok = rec->error[0] == '\0' && rec->n_fields == 6;
            for (int i = 0; ok && i < 6; i++)
                ok = strcmp(rec->field[i], deadline_csv_header[i]) == 0;
            if (!ok) {
                deadline_import_problem(res, rec->line,
                                        "the header must be "
                                        "category,urgency,step,area_level,setting,limit");
                break;
            }
            continue;
        }
        res->rows++;
        if (rec->error[0] != '\0') {
            deadline_import_problem(res, rec->line, rec->error);
            continue;
        }
        if (rec->n_fields != 6) {
            deadline_import_problem(res, rec->line, "expected 6 fields");
            continue;
        }
        memset(&row, 0, sizeof(row));
        if (strlen(rec->field[0]) > DEADLINE_CATEGORY_MAX) {
            deadline_import_problem(res, rec->line, "category is too long");
            continue;
        }
        memcpy(row.category, rec->field[0], strlen(rec->field[0]) + 1);
        if (deadline_urgency_parse(rec->field[1], &row.urgency) != 0) {
            deadline_import_problem(res, rec->line, "urgency must be normal, urgent or emergency");
            continue;
        }
        if (deadline_step_parse(rec->field[2], &row.step) != 0) {
            deadline_import_problem(res, rec->line,
                                    "step must be accept, dispatch, sign, handle or verify");
            continue;
        }
        if (rec->field[3][0] != '\0' &&
            (row.area_level = areacode_level_parse(rec->field[3])) == 0) {
            deadline_import_problem(res, rec->line,
                                    "area_level must be empty (any) or province, city, "
                                    "district, street, community, grid or cell");
            continue;
        }
        if (rec->field[4][0] == '\0')
            row.setting = SETTING_ANY;
        else if (deadline_setting_parse(rec->field[4], &row.setting) != 0) {
            deadline_import_problem(res, rec->line, "setting must be empty, any, town or rural");
            continue;
        }
        if (deadline_limit_parse(rec->field[5], &row.limit, &row_eb) != 0) {
            deadline_import_problem(res, rec->line, row_eb.msg);
            continue;
        }
        if (deadline_rules_add(staged, &row, &row_eb) != 0) {
            deadline_import_problem(res, rec->line, row_eb.msg);
            continue;
        }
        res->applied++;
    }
    if (!have_header)
        deadline_import_problem(res, 1, "empty file: expected the header line");
    if (res->n_problems > 0) {
        res->applied = 0;
        r = errbuf_set(eb, ERR_INVALID, "%zu problems in the deadline rules; nothing applied",
                       res->n_problems);
    } else {
        /* All good: the staged table (old rows plus the file's) replaces the rules. */
        deadline_rules_clear(rules);
        for (size_t i = 0; i < deadline_rules_count(staged); i++) {
            struct deadline_rule row;
            deadline_rules_at(staged, i, &row);
            deadline_rules_add(rules, &row, NULL);
        }
    }
    free(rec);
    deadline_rules_free(staged);
    return r;
}
