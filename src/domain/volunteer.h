/*
 * volunteer.h - the vocabulary of volunteers, posts and chiefs (SPEC section 8, issue 5):
 * the controlled list of skill codes (with zh/en names) and their levels, a volunteer's skill
 * list and weekly availability, the kinds of post (设岗定责), of need source and of chief
 * (三长), and the validation of logged hours.
 *
 * Text forms (what the store keeps and the API shows):
 *   skills        "medical:3,legal:1": code:level pairs in table order, each code once;
 *   availability  a bit set of (weekday, slot) pairs, bit = (weekday - 1) * 3 + slot, weekday
 *                 1 = Monday .. 7 = Sunday, slot 0 morning (before 12:00), 1 afternoon
 *                 (12:00-18:00), 2 evening (from 18:00), in the city's local time; in JSON a
 *                 list of "mon:morning" strings.
 * Pure; no I/O; thread-safe.
 */
#ifndef GRIDGOV_DOMAIN_VOLUNTEER_H
#define GRIDGOV_DOMAIN_VOLUNTEER_H

#include <stddef.h>
#include <stdint.h>

struct errbuf;

#define VOL_SKILLS_MAX      8   /* skills of one volunteer or one need */
#define VOL_SKILLS_TEXT_MAX 160 /* bytes of the text form, NUL included */
#define VOL_LEVEL_MIN       1   /* 1 basic, 2 skilled, 3 professional (a licensed doctor) */
#define VOL_LEVEL_MAX       3
#define VOL_SLOTS_PER_DAY   3
#define VOL_AVAIL_BITS      21 /* 7 days x 3 slots */
#define VOL_AVAIL_ALL       ((1u << 21) - 1)
#define VOL_DAY_MINUTES     ((int64_t)24 * 60)

/* One skill: index into the table (volunteer_skill_code) and a level 1..3. */
struct vol_skill {
    int skill;
    int level;
};
struct vol_skills {
    struct vol_skill items[VOL_SKILLS_MAX]; /* in table order, each skill once */
    int n;
};

/* The skill table: count, and the code / Chinese / English name of entry i (NULL when out of
 * range). Codes are stable: they are stored. */
int volunteer_skill_count(void);
const char *volunteer_skill_code(int i);
const char *volunteer_skill_name_zh(int i);
const char *volunteer_skill_name_en(int i);
/* Index of code, or -1. */
int volunteer_skill_find(const char *code);

/* Parse a skill list "code:level,..." (a code alone means level 1) into out, sorted in table
 * order. ERR_INVALID with the reason in eb for an unknown code, a level outside 1..3, a code
 * given twice, more than VOL_SKILLS_MAX or text over VOL_SKILLS_TEXT_MAX. "" is no skill. */
int volunteer_skills_parse(const char *text, struct vol_skills *out, struct errbuf *eb);
/* Add one skill (code, level) to a list kept in table order; same errors. */
int volunteer_skills_add(struct vol_skills *s, const char *code, int level, struct errbuf *eb);
/* The text form into out (size >= VOL_SKILLS_TEXT_MAX is always enough). */
void volunteer_skills_format(const struct vol_skills *s, char *out, size_t size);
/* The level of skill (index) in s, 0 when absent. */
int volunteer_skills_level(const struct vol_skills *s, int skill);

/* Weekday names "mon".."sun" (1..7) and slot names "morning", "afternoon", "evening". */
const char *volunteer_weekday_name(int weekday);
const char *volunteer_slot_name(int slot);
/* Parse "mon:morning" into its availability bit index (0..20). ERR_INVALID. */
int volunteer_avail_parse(const char *text, int *bit);
/* The text of bit index (0..20) into out (at least 16 bytes). ERR_INVALID when out of range. */
int volunteer_avail_format(int bit, char *out, size_t size);
/* The availability bit of the local (weekday, slot) an instant falls in, at a fixed UTC offset
 * of utc_offset_min minutes. */
int volunteer_slot_of(int64_t ms, int utc_offset_min);

/* Post kinds (设岗定责). */
enum post_kind {
    POST_DISPUTE_MEDIATION, /* 矛盾调解岗 */
    POST_POLICY_PUBLICITY,  /* 政策宣传岗 */
    POST_SANITATION_WATCH,  /* 环境卫生监督岗 */
    POST_SAFETY_INSPECTION, /* 安全巡查岗 */
    POST_ELDERLY_VISITING,  /* 关爱探访岗 */
    POST_CIVILITY_GUIDANCE, /* 文明劝导岗 */
    POST_OTHER,             /* 其他 */
    POST_KIND_COUNT
};
/* Need sources: a case, a service request (free-standing, described by its title), a post. */
enum need_source { NEED_CASE, NEED_SERVICE, NEED_POST, NEED_SOURCE_COUNT };
/* Chiefs (三长). */
enum chief_kind { CHIEF_BUILDING, CHIEF_LANE, CHIEF_STREET, CHIEF_KIND_COUNT };
/* Volunteer states: active volunteers are matched; paused ones are kept but not matched;
 * left ones (DELETE) are kept for the record of their hours. */
enum volunteer_status { VOL_ACTIVE, VOL_PAUSED, VOL_LEFT, VOL_STATUS_COUNT };

/* Stable names and Chinese labels; NULL out of range. Parse: ERR_INVALID when unknown. */
const char *volunteer_post_kind_name(enum post_kind k);
const char *volunteer_post_kind_zh(enum post_kind k);
int volunteer_post_kind_parse(const char *name, enum post_kind *out);
const char *volunteer_need_source_name(enum need_source s);
int volunteer_need_source_parse(const char *name, enum need_source *out);
const char *volunteer_chief_kind_name(enum chief_kind k);
const char *volunteer_chief_kind_zh(enum chief_kind k);
int volunteer_chief_kind_parse(const char *name, enum chief_kind *out);
const char *volunteer_status_name(enum volunteer_status s);
int volunteer_status_parse(const char *name, enum volunteer_status *out);

/*
 * Validate one entry of logged hours: minutes worked on the day starting at day_ms (a local
 * midnight at utc_offset_min), logged at now_ms, with already_minutes logged for the same
 * person on that day. ERR_INVALID with the reason when minutes < 1 (no negative or empty
 * entries), when the day is not a local midnight, lies after today or more than 366 days
 * back, or when the day's total would pass 24 h.
 */
int volunteer_hours_check(int64_t minutes, int64_t day_ms, int64_t now_ms, int utc_offset_min,
                          int64_t already_minutes, struct errbuf *eb);

#endif
