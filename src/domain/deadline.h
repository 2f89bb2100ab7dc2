/*
 * deadline.h - time limits per case step, their configuration table, due times and the
 * supervision stages of an overdue step (SPEC section 4; standards.md section 3.3).
 *
 * A case moves through steps (accept, dispatch, sign for, handle, verify); each step gets a
 * time limit looked up in a rules table by category × urgency × step, with overrides per area
 * level and for town or countryside; the limit turns into a due instant on the working-day
 * calendar (calendar.h); and when a step runs late, supervision rises in stages: a yellow card,
 * a red card, then escalation to the level above. Everything here is pure: times are
 * parameters, nothing reads the clock or storage. A rules table is built once and then read
 * concurrently (const functions only).
 */
#ifndef GRIDGOV_DOMAIN_DEADLINE_H
#define GRIDGOV_DOMAIN_DEADLINE_H

#include "base/error.h"
#include "domain/calendar.h"

#include <stddef.h>
#include <stdint.h>

/* X(NAME, "stable name", "中文") — stable names are stored and sent over the API. */
#define CASE_STEP_MAP(X)                                                                           \
    X(ACCEPT, "accept", "受理")                                                                    \
    X(DISPATCH, "dispatch", "派遣")                                                                \
    X(SIGN, "sign", "签收")                                                                        \
    X(HANDLE, "handle", "处置")                                                                    \
    X(VERIFY, "verify", "核查")

enum case_step {
#define STEP_GEN_ENUM(name, str, zh) STEP_##name,
    CASE_STEP_MAP(STEP_GEN_ENUM)
#undef STEP_GEN_ENUM
        STEP_COUNT
};

#define URGENCY_MAP(X)                                                                             \
    X(NORMAL, "normal", "一般")                                                                    \
    X(URGENT, "urgent", "紧急")                                                                    \
    X(EMERGENCY, "emergency", "特急")

enum urgency {
#define URGENCY_GEN_ENUM(name, str, zh) URGENCY_##name,
    URGENCY_MAP(URGENCY_GEN_ENUM)
#undef URGENCY_GEN_ENUM
        URGENCY_COUNT
};

/* Supervision of an overdue step, in the order it rises (see deadline_overdue_stage). */
#define OVERDUE_STAGE_MAP(X)                                                                       \
    X(NONE, "none", "未超时")                                                                      \
    X(YELLOW, "yellow", "黄牌督办")                                                                \
    X(RED, "red", "红牌督办")                                                                      \
    X(ESCALATE, "escalate", "超时上报")

enum overdue_stage {
#define STAGE_GEN_ENUM(name, str, zh) STAGE_##name,
    OVERDUE_STAGE_MAP(STAGE_GEN_ENUM)
#undef STAGE_GEN_ENUM
        STAGE_COUNT
};

/* Stable names ("accept", "urgent", "yellow") and Chinese labels; NULL if out of range. Parse
 * functions take the stable name only and return ERR_INVALID if it is unknown. */
const char *deadline_step_name(enum case_step step);
const char *deadline_step_name_zh(enum case_step step);
int deadline_step_parse(const char *name, enum case_step *out);
const char *deadline_urgency_name(enum urgency u);
const char *deadline_urgency_name_zh(enum urgency u);
int deadline_urgency_parse(const char *name, enum urgency *out);
const char *deadline_stage_name(enum overdue_stage s);
const char *deadline_stage_name_zh(enum overdue_stage s);
int deadline_stage_parse(const char *name, enum overdue_stage *out);

/*
 * A time limit. amount is minutes for the two minute units and days for LIMIT_WORKING_DAYS.
 * LIMIT_MINUTES runs on the clock, day and night (for emergencies: someone is on duty);
 * the working units run on the calendar.
 *
 * Text form (CSV files, configuration, the API): an unsigned decimal amount, no sign, no
 * leading zeros, no spaces, then a lowercase unit:
 *   "10min"  10 minutes on the clock          "2h"   2 hours on the clock (= "120min")
 *   "90wmin" 90 working minutes               "1wh"  1 working hour (= "60wmin")
 *   "15wd"   15 working days (calendar_add_working_days; "0wd" = the same working day, 当日)
 * Formatting is canonical: minutes that make whole hours print as "h"/"wh", so
 * parse(format(x)) == x for every valid x, and format(parse(s)) == s for canonical s.
 */
enum limit_unit {
    LIMIT_MINUTES,
    LIMIT_WORKING_MINUTES,
    LIMIT_WORKING_DAYS,
};

struct time_limit {
    int amount;
    enum limit_unit unit;
};

#define DEADLINE_LIMIT_MINUTES_MAX 525600 /* a year of minutes */
#define DEADLINE_LIMIT_DAYS_MAX    366
#define DEADLINE_LIMIT_TEXT_MAX    16

/* 1 if lim has a known unit and an amount in range (1..MINUTES_MAX minutes, 0..DAYS_MAX days). */
int deadline_limit_is_valid(const struct time_limit *lim);
/* Parse the text form into *out; ERR_INVALID with the reason in eb. */
int deadline_limit_parse(const char *text, struct time_limit *out, struct errbuf *eb);
/* Format into out (DEADLINE_LIMIT_TEXT_MAX bytes); ERR_INVALID (and "") for an invalid limit. */
int deadline_limit_format(const struct time_limit *lim, char *out, size_t size);

/*
 * The instant a step started at start_ms with limit lim is due: LIMIT_MINUTES adds clock
 * minutes; LIMIT_WORKING_MINUTES is calendar_add_working_minutes, LIMIT_WORKING_DAYS is
 * calendar_add_working_days (their conventions apply). cal may be NULL for LIMIT_MINUTES.
 * ERR_INVALID for an invalid limit or an instant out of the calendar's range.
 */
int deadline_compute(const struct calendar *cal, int64_t start_ms, const struct time_limit *lim,
                     int64_t *due_ms);

/*
 * Supervision stage at now_ms of a step that started at start_ms and is due at due_ms, timed
 * in unit (the limit's unit). Lateness and the allowed time are measured the way the limit
 * runs: on the clock for LIMIT_MINUTES, in working time otherwise (so a step due 17:30 is not
 * late in the evening; it turns late at 08:30 the next working day). With
 *     allowed = time from start to due,   late = time from due to now,
 *     red_after = max(allowed / 2, F),     escalate_after = max(allowed, 2F),
 * where F is 1 working hour for working units and 5 minutes for LIMIT_MINUTES:
 *     late == 0                → STAGE_NONE     (not due yet)
 *     0 < late < red_after     → STAGE_YELLOW   (黄牌: past due)
 *     late < escalate_after    → STAGE_RED      (红牌: late by half the allowed time again)
 *     otherwise                → STAGE_ESCALATE (late by the whole allowed time again: 上报)
 * So 1 working hour goes yellow at due, red 1 wh later, escalates 2 wh later; 5 working days
 * (plus the rest of the reporting day) goes red about 2.5 and escalates about 5 working days
 * after due, close to C1's 办理 default (yellow after 5 working days, red after 10).
 * escalate_after >= 2 × red_after, so the stages never collapse. Deterministic, and
 * non-decreasing in now_ms for fixed start, due and unit. cal may be NULL for LIMIT_MINUTES.
 */
enum overdue_stage deadline_overdue_stage(const struct calendar *cal, enum limit_unit unit,
                                          int64_t start_ms, int64_t due_ms, int64_t now_ms);

/*
 * The first instant (to the minute, for working units) at which a step's overdue stage reaches
 * `stage` — so a sweep can sleep until then instead of looking again and again. The stage at
 * *out_ms is at least `stage`. STAGE_NONE gives due_ms. ERR_INVALID for an unknown stage or an
 * instant out of the calendar's range.
 */
int deadline_stage_starts_at(const struct calendar *cal, enum limit_unit unit, int64_t start_ms,
                             int64_t due_ms, enum overdue_stage stage, int64_t *out_ms);

/*
 * What an overdue sweep should act on: current when it is above recorded (the last stage the
 * sweep acted on for this step, STAGE_NONE at first), else STAGE_NONE (nothing to do). The
 * sweep records the stage it acted on, so running it twice acts once; a sweep that was down
 * acts once on the highest stage reached, not on each stage it missed.
 */
enum overdue_stage deadline_stage_to_act(enum overdue_stage recorded, enum overdue_stage current);

/*
 * The rules table: limits per category × urgency × step, with overrides per area level and for
 * town or countryside.
 *
 * A row applies to a case when its step and urgency are the case's, its category is "" (every
 * category) or a prefix of the case's category code, its area_level is 0 (any) or the level of
 * the area that holds the step, and its setting is SETTING_ANY or matches is_rural. Among the
 * rows that apply, precedence is:
 *   1. rows naming a category (non-empty prefix): the longest prefix wins; then a specific
 *      area level over any; then a specific setting over any;
 *   2. otherwise the category's own limit, when the caller passes one (a category carries its
 *      handling limit per urgency; pass NULL for steps where it has none);
 *   3. otherwise rows for every category (""): a specific area level over any, then a specific
 *      setting over any.
 * Rows are unique on (category, urgency, step, area_level, setting): adding a row with the key
 * of an existing one replaces it, so the winner is always unique.
 */
enum area_setting {
    SETTING_ANY = 0,
    SETTING_TOWN,  /* 城区: streets and communities */
    SETTING_RURAL, /* 农村: towns' villages, the countryside */
};

#define DEADLINE_CATEGORY_MAX 32 /* bytes of a category prefix: ASCII letters, digits, - _ . */
#define DEADLINE_RULES_MAX    4096

struct deadline_rule {
    char category[DEADLINE_CATEGORY_MAX + 1]; /* code prefix; "" = every category */
    enum urgency urgency;
    enum case_step step;
    int area_level; /* enum area_level (areacode.h), or 0 for any */
    enum area_setting setting;
    struct time_limit limit;
};

struct deadline_rules;

/* An empty table; caller frees. */
struct deadline_rules *deadline_rules_new(void);
/* NULL-safe. */
void deadline_rules_free(struct deadline_rules *rules);
void deadline_rules_clear(struct deadline_rules *rules);
/*
 * Replace the table's rows with the practice defaults (standards.md 3.3). Every category,
 * any area level:
 *                   normal   urgent   emergency
 *   accept          1wh      10wmin   5min      (核实立案 ≤1 working hour, urgent ≤10 min)
 *   dispatch        1wh      10wmin   5min      (派遣 likewise)
 *   sign            1wh      30wmin   10min     (责任单位签收 ≤1 working hour)
 *   handle          5wd      1wd      2h        (fallback when the category has no limit)
 *   verify, town    1wh      1wh      1h        (核查 1 h in town,
 *   verify, rural   2wh      2wh      2h         2 h in the countryside)
 * Emergencies run on the clock; everything else on working time.
 */
void deadline_rules_defaults(struct deadline_rules *rules);
/* Add or replace a row (copied). ERR_INVALID with the reason in eb for a bad category,
 * urgency, step, area level, setting or limit; ERR_TOO_LARGE past DEADLINE_RULES_MAX rows. */
int deadline_rules_add(struct deadline_rules *rules, const struct deadline_rule *row,
                       struct errbuf *eb);
/* Rows in the order they were first added, for listing and storing. */
size_t deadline_rules_count(const struct deadline_rules *rules);
int deadline_rules_at(const struct deadline_rules *rules, size_t i, struct deadline_rule *out);
/*
 * The limit for a step (precedence above). category_code may be NULL or "" (uncategorised:
 * only "" rows apply); area_level 0 means unknown (only any-level rows apply); category_default
 * may be NULL, and is ignored when it is not a valid limit. ERR_NOT_FOUND when nothing applies
 * (never after deadline_rules_defaults), ERR_INVALID for an out-of-range urgency or step.
 */
int deadline_rules_lookup(const struct deadline_rules *rules, const char *category_code,
                          enum urgency urgency, enum case_step step, int area_level, int is_rural,
                          const struct time_limit *category_default, struct time_limit *out);

#define DEADLINE_IMPORT_MAX_PROBLEMS 50

struct deadline_import_result {
    size_t rows;       /* data rows read */
    size_t applied;    /* rows added or replaced (0 unless every row was good) */
    size_t n_problems; /* bad rows; the first DEADLINE_IMPORT_MAX_PROBLEMS are kept */
    struct {
        size_t line;
        char reason[160];
    } problems[DEADLINE_IMPORT_MAX_PROBLEMS];
};

/*
 * Add the rows of a deadline CSV to rules (overrides: a row with the key of an existing one
 * replaces it). Format (csv.h dialect), header exactly
 *     category,urgency,step,area_level,setting,limit
 * category a code prefix or empty (every category); urgency normal|urgent|emergency; step
 * accept|dispatch|sign|handle|verify; area_level empty (any) or an area level name (grid,
 * community, street, ...); setting empty (any), town or rural; limit in the text form above
 * ("1wh", "15wd", "10min"). All or nothing: every bad row is reported with its line and rules
 * is left unchanged. res is caller storage.
 */
int deadline_rules_parse_csv(struct deadline_rules *rules, const char *text, size_t len,
                             struct deadline_import_result *res, struct errbuf *eb);

/* "any", "town", "rural"; NULL if out of range. Parse: ERR_INVALID if unknown. */
const char *deadline_setting_name(enum area_setting s);
int deadline_setting_parse(const char *name, enum area_setting *out);

#endif
