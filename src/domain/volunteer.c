/*
 * volunteer.c - skill codes, availability, kinds and the hours rule of volunteers, posts and
 * chiefs (see volunteer.h). The tables below are the controlled lists; their order is the
 * order skills are kept and shown in. Pure; thread-safe.
 */
#include "domain/volunteer.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS ((int64_t)86400000)

struct skill_def {
    const char *code, *zh, *en;
};

/* The skills the seeds ask volunteers for: care, law, health, repairs, teaching, language,
 * counselling, and the everyday help of a community. */
static const struct skill_def skills[] = {
    {"medical", "医疗", "medical care"},
    {"nursing", "护理", "nursing"},
    {"legal", "法律", "legal advice"},
    {"mediation", "调解", "mediation"},
    {"psychology", "心理咨询", "psychological counselling"},
    {"elderly_care", "养老助老", "elderly care"},
    {"childcare", "儿童关爱", "childcare"},
    {"teaching", "教育辅导", "teaching and tutoring"},
    {"translation", "翻译", "translation"},
    {"sign_language", "手语", "sign language"},
    {"repair", "家电维修", "household repairs"},
    {"electrician", "电工", "electrical work"},
    {"plumbing", "水管维修", "plumbing"},
    {"it_support", "信息技术", "IT support"},
    {"first_aid", "急救", "first aid"},
    {"fire_safety", "消防安全", "fire safety"},
    {"policy_publicity", "政策宣传", "policy publicity"},
    {"sanitation", "环境卫生", "sanitation"},
    {"driving", "驾驶", "driving"},
    {"culture_arts", "文体艺术", "culture and arts"},
};
#define N_SKILLS ((int)(sizeof(skills) / sizeof(skills[0])))

static const char *const weekdays[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
static const char *const slots[VOL_SLOTS_PER_DAY] = {"morning", "afternoon", "evening"};

static const char *const post_kinds[POST_KIND_COUNT] = {"dispute_mediation",
                                                        "policy_publicity",
                                                        "sanitation_watch",
                                                        "safety_inspection",
                                                        "elderly_visiting",
                                                        "civility_guidance",
                                                        "other"};
static const char *const post_kinds_zh[POST_KIND_COUNT] = {
    "矛盾调解岗", "政策宣传岗", "环境卫生监督岗", "安全巡查岗",
    "关爱探访岗", "文明劝导岗", "其他岗位"};
static const char *const need_sources[NEED_SOURCE_COUNT] = {"case", "service", "post"};
static const char *const chief_kinds[CHIEF_KIND_COUNT] = {"building", "lane", "street"};
static const char *const chief_kinds_zh[CHIEF_KIND_COUNT] = {"楼长", "巷长", "街长"};
static const char *const statuses[VOL_STATUS_COUNT] = {"active", "paused", "left"};

int volunteer_skill_count(void)
{
    return N_SKILLS;
}

const char *volunteer_skill_code(int i)
{
    return i >= 0 && i < N_SKILLS ? skills[i].code : NULL;
}

const char *volunteer_skill_name_zh(int i)
{
    return i >= 0 && i < N_SKILLS ? skills[i].zh : NULL;
}

const char *volunteer_skill_name_en(int i)
{
    return i >= 0 && i < N_SKILLS ? skills[i].en : NULL;
}

int volunteer_skill_find(const char *code)
{
    for (int i = 0; code != NULL && i < N_SKILLS; i++)
        if (strcmp(skills[i].code, code) == 0)
            return i;
    return -1;
}

int volunteer_skills_level(const struct vol_skills *s, int skill)
{
    for (int i = 0; i < s->n; i++)
        if (s->items[i].skill == skill)
            return s->items[i].level;
    return 0;
}

int volunteer_skills_add(struct vol_skills *s, const char *code, int level, struct errbuf *eb)
{
    int k = volunteer_skill_find(code), at;
    if (k < 0)
        return errbuf_set(eb, ERR_INVALID, "'%.32s' is not a skill code (see /api/v1/skills)",
                          code ? code : "");
    if (level < VOL_LEVEL_MIN || level > VOL_LEVEL_MAX)
        return errbuf_set(eb, ERR_INVALID, "skill %s: the level must be 1..3", code);
    if (volunteer_skills_level(s, k) != 0)
        return errbuf_set(eb, ERR_INVALID, "skill %s is given twice", code);
    if (s->n >= VOL_SKILLS_MAX)
        return errbuf_set(eb, ERR_INVALID, "at most %d skills", VOL_SKILLS_MAX);
    /* keep table order: insertion into a sorted array of at most 8 */
    for (at = s->n; at > 0 && s->items[at - 1].skill > k; at--)
        s->items[at] = s->items[at - 1];
    s->items[at].skill = k;
    s->items[at].level = level;
    s->n++;
    return 0;
}

int volunteer_skills_parse(const char *text, struct vol_skills *out, struct errbuf *eb)
{
    char buf[VOL_SKILLS_TEXT_MAX];
    char *save = NULL, *tok;
    int r;
    memset(out, 0, sizeof(*out));
    if (text == NULL || text[0] == '\0')
        return 0;
    if (strlen(text) >= sizeof(buf))
        return errbuf_set(eb, ERR_INVALID, "the skill list is too long");
    snprintf(buf, sizeof(buf), "%s", text);
    for (tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(tok, ':');
        int level = 1;
        if (colon != NULL) {
            char *end = NULL;
            long v;
            *colon = '\0';
            v = strtol(colon + 1, &end, 10);
            if (colon[1] < '0' || colon[1] > '9' || *end != '\0' || v < VOL_LEVEL_MIN ||
                v > VOL_LEVEL_MAX)
                return errbuf_set(eb, ERR_INVALID, "skill %.32s: the level must be 1..3", tok);
            level = (int)v;
        }
        if ((r = volunteer_skills_add(out, tok, level, eb)) != 0)
            return r;
    }
    return 0;
}

void volunteer_skills_format(const struct vol_skills *s, char *out, size_t size)
{
    size_t len = 0;
    if (size == 0)
        return;
    out[0] = '\0';
    for (int i = 0; i < s->n && len < size; i++) {
        int n = snprintf(out + len, size - len, "%s%s:%d", i ? "," : "",
                         volunteer_skill_code(s->items[i].skill), s->items[i].level);
        if (n < 0)
            break;
        len += (size_t)n;
    }
}

const char *volunteer_weekday_name(int weekday)
{
    return weekday >= 1 && weekday <= 7 ? weekdays[weekday - 1] : NULL;
}

const char *volunteer_slot_name(int slot)
{
    return slot >= 0 && slot < VOL_SLOTS_PER_DAY ? slots[slot] : NULL;
}

int volunteer_avail_parse(const char *text, int *bit)
{
    const char *colon;
    if (text == NULL || (colon = strchr(text, ':')) == NULL || colon - text != 3)
        return ERR_INVALID;
    for (int d = 0; d < 7; d++) {
        if (strncmp(text, weekdays[d], 3) != 0)
            continue;
        for (int s = 0; s < VOL_SLOTS_PER_DAY; s++) {
            if (strcmp(colon + 1, slots[s]) == 0) {
                *bit = d * VOL_SLOTS_PER_DAY + s;
                return 0;
            }
        }
    }
    return ERR_INVALID;
}

int volunteer_avail_format(int bit, char *out, size_t size)
{
    if (bit < 0 || bit >= VOL_AVAIL_BITS)
        return ERR_INVALID;
    snprintf(out, size, "%s:%s", weekdays[bit / VOL_SLOTS_PER_DAY], slots[bit % VOL_SLOTS_PER_DAY]);
    return 0;
}

int volunteer_slot_of(int64_t ms, int utc_offset_min)
{
    int64_t local = ms + (int64_t)utc_offset_min * 60000;
    int64_t day = local >= 0 ? local / DAY_MS : (local - DAY_MS + 1) / DAY_MS;
    int64_t minute = (local - day * DAY_MS) / 60000;
    /* 1970-01-01 was a Thursday: day 0 -> weekday index 3 (Monday 0) */
    int wd = (int)(((day % 7) + 7 + 3) % 7);
    int slot = minute < 12 * 60LL ? 0 : minute < 18 * 60LL ? 1 : 2;
    return wd * VOL_SLOTS_PER_DAY + slot;
}

static int parse_name(const char *const *names, int n, const char *name, int *out)
{
    for (int i = 0; name != NULL && i < n; i++) {
        if (strcmp(names[i], name) == 0) {
            *out = i;
            return 0;
        }
    }
    return ERR_INVALID;
}

const char *volunteer_post_kind_name(enum post_kind k)
{
    return (int)k >= 0 && k < POST_KIND_COUNT ? post_kinds[k] : NULL;
}

const char *volunteer_post_kind_zh(enum post_kind k)
{
    return (int)k >= 0 && k < POST_KIND_COUNT ? post_kinds_zh[k] : NULL;
}

int volunteer_post_kind_parse(const char *name, enum post_kind *out)
{
    int v, r = parse_name(post_kinds, POST_KIND_COUNT, name, &v);
    if (r == 0)
        *out = (enum post_kind)v;
    return r;
}

const char *volunteer_need_source_name(enum need_source s)
{
    return (int)s >= 0 && s < NEED_SOURCE_COUNT ? need_sources[s] : NULL;
}

int volunteer_need_source_parse(const char *name, enum need_source *out)
{
    int v, r = parse_name(need_sources, NEED_SOURCE_COUNT, name, &v);
    if (r == 0)
        *out = (enum need_source)v;
    return r;
}

const char *volunteer_chief_kind_name(enum chief_kind k)
{
    return (int)k >= 0 && k < CHIEF_KIND_COUNT ? chief_kinds[k] : NULL;
}

const char *volunteer_chief_kind_zh(enum chief_kind k)
{
    return (int)k >= 0 && k < CHIEF_KIND_COUNT ? chief_kinds_zh[k] : NULL;
}

int volunteer_chief_kind_parse(const char *name, enum chief_kind *out)
{
    int v, r = parse_name(chief_kinds, CHIEF_KIND_COUNT, name, &v);
    if (r == 0)
        *out = (enum chief_kind)v;
    return r;
}

const char *volunteer_status_name(enum volunteer_status s)
{
    return (int)s >= 0 && s < VOL_STATUS_COUNT ? statuses[s] : NULL;
}

int volunteer_status_parse(const char *name, enum volunteer_status *out)
{
    int v, r = parse_name(statuses, VOL_STATUS_COUNT, name, &v);
    if (r == 0)
        *out = (enum volunteer_status)v;
    return r;
}

int volunteer_hours_check(int64_t minutes, int64_t day_ms, int64_t now_ms, int utc_offset_min,
                          int64_t already_minutes, struct errbuf *eb)
{
    int64_t off = (int64_t)utc_offset_min * 60000;
    int64_t local_now = now_ms + off;
    int64_t today =
        (local_now >= 0 ? local_now / DAY_MS : (local_now - DAY_MS + 1) / DAY_MS) * DAY_MS - off;
    if (minutes < 1)
        return errbuf_set(eb, ERR_INVALID, "field 'hours' must be more than 0");
    if (minutes > VOL_DAY_MINUTES)
        return errbuf_set(eb, ERR_INVALID, "field 'hours' must be at most 24");
    if (((day_ms + off) % DAY_MS + DAY_MS) % DAY_MS != 0)
        return errbuf_set(eb, ERR_INVALID, "field 'date' must be a calendar date");
    if (day_ms > today)
        return errbuf_set(eb, ERR_INVALID, "field 'date' lies in the future");
    if (day_ms < today - 366 * DAY_MS)
        return errbuf_set(eb, ERR_INVALID, "field 'date' is more than a year ago");
    if (already_minutes < 0 || already_minutes + minutes > VOL_DAY_MINUTES)
        return errbuf_set(eb, ERR_INVALID,
                          "more than 24 hours on one day for this person (%lld min already "
                          "logged)",
                          (long long)already_minutes);
    return 0;
}
