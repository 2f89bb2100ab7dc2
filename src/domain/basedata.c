/*
 * basedata.c - the field tables of the base data and the validation of a record (see
 * basedata.h). Field lists follow the national 综治 data sets summarised in
 * shared/reference/standards.md section 4, kept to what grid work uses day to day.
 */
#include "domain/basedata.h"

#include "base/error.h"
#include "base/jsonutil.h"
#include "base/timeutil.h"
#include "domain/idcard.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* ---- value lists ----------------------------------------------------------------------- */

static const char *const sex_values[] = {"M", "F", NULL};
static const char *const sex_zh[] = {"男", "女", NULL};

const char *const bd_person_tags[] = {"elderly_alone",
                                      "elderly",
                                      "disabled",
                                      "left_behind_child",
                                      "left_behind_elder",
                                      "veteran",
                                      "released_prisoner",
                                      "community_correction",
                                      "mental_disorder",
                                      "drug_rehab",
                                      "key_youth",
                                      "petitioner",
                                      "low_income",
                                      "needs_assistance",
                                      "unemployed",
                                      "pregnant",
                                      NULL};
static const char *const person_tags_zh[] = {
    "独居老人", "老年人",   "残疾人",       "留守儿童", "留守老人",   "退役军人",
    "刑满释放", "社区矫正", "严重精神障碍", "戒毒康复", "重点青少年", "重点上访",
    "低保",     "需救助",   "失业人员",     "孕产妇",   NULL};

static const char *const person_status_values[] = {"active", "moved_away", "deceased", NULL};
static const char *const person_status_zh[] = {"在册", "迁出", "死亡", NULL};

static const char *const household_kinds[] = {"registered_family", "non_registered_family",
                                              "business", "social_org", NULL};
static const char *const household_kinds_zh[] = {"户籍家庭", "非户籍家庭", "经营户", "社会组织",
                                                 NULL};

static const char *const building_uses[] = {"residential", "commercial", "mixed", "industrial",
                                            "public",      "other",      NULL};
static const char *const building_uses_zh[] = {"住宅", "商业", "商住", "工业",
                                               "公共", "其他", NULL};

static const char *const org_kinds[] = {"business",       "social_org",         "party_org",
                                        "stationed_unit", "public_institution", NULL};
static const char *const org_kinds_zh[] = {"企业",     "社会组织", "党组织",
                                           "驻区单位", "事业单位", NULL};

static const char *const risk_levels[] = {"none", "low", "medium", "high", NULL};
static const char *const risk_levels_zh[] = {"无", "低", "中", "高", NULL};

static const char *const facility_kinds[] = {"street_light", "manhole",  "water_meter", "camera",
                                             "hydrant",      "bus_stop", "trash_bin",   "sign",
                                             "bench",        "other",    NULL};
static const char *const facility_kinds_zh[] = {
    "路灯", "井盖", "水表", "监控", "消防栓", "公交站", "垃圾桶", "标识牌", "座椅", "其他", NULL};

static const char *const facility_status[] = {"ok", "damaged", "missing", "removed", NULL};
static const char *const facility_status_zh[] = {"完好", "损坏", "丢失", "拆除", NULL};

/* ---- field tables ---------------------------------------------------------------------- */

#define TEXT(n, zh, fl, len)                                                                       \
    {                                                                                              \
        n, zh, BDT_TEXT, fl, 0, len, NULL, NULL, BD_PERSON                                         \
    }
#define INT(n, zh, fl, lo, hi)                                                                     \
    {                                                                                              \
        n, zh, BDT_INT, fl, lo, hi, NULL, NULL, BD_PERSON                                          \
    }
#define REAL(n, zh, fl, lo, hi)                                                                    \
    {                                                                                              \
        n, zh, BDT_REAL, fl, lo, hi, NULL, NULL, BD_PERSON                                         \
    }
#define DATE(n, zh, fl)                                                                            \
    {                                                                                              \
        n, zh, BDT_DATE, fl, 0, 0, NULL, NULL, BD_PERSON                                           \
    }
#define BOOL(n, zh, fl)                                                                            \
    {                                                                                              \
        n, zh, BDT_BOOL, fl, 0, 0, NULL, NULL, BD_PERSON                                           \
    }
#define ENUM(n, zh, fl, v, vzh)                                                                    \
    {                                                                                              \
        n, zh, BDT_ENUM, fl, 0, 0, v, vzh, BD_PERSON                                               \
    }
#define TAGS(n, zh, fl, v, vzh)                                                                    \
    {                                                                                              \
        n, zh, BDT_TAGS, fl, 0, 0, v, vzh, BD_PERSON                                               \
    }
#define IDCARD(n, zh, fl)                                                                          \
    {                                                                                              \
        n, zh, BDT_IDCARD, fl, 0, 0, NULL, NULL, BD_PERSON                                         \
    }
#define PHONE(n, zh, fl)                                                                           \
    {                                                                                              \
        n, zh, BDT_PHONE, fl, 0, 0, NULL, NULL, BD_PERSON                                          \
    }
#define REF(n, zh, fl, k)                                                                          \
    {                                                                                              \
        n, zh, BDT_REF, fl, 1, INT64_MAX, NULL, NULL, k                                            \
    }

/* Longitude/latitude bounds of China and its neighbours, wide enough for any deployment. */
#define LON_LAT(fl) REAL("lon", "经度", fl, -180, 180), REAL("lat", "纬度", fl, -90, 90)

static const struct bd_field person_fields[] = {
    TEXT("name", "姓名", BDF_REQUIRED | BDF_SEARCHABLE | BDF_LABEL, 64),
    IDCARD("id_number", "公民身份号码", BDF_NATURAL_KEY),
    ENUM("sex", "性别", BDF_REQUIRED, sex_values, sex_zh),
    DATE("birth_date", "出生日期", BDF_REQUIRED),
    PHONE("phone", "联系方式", 0),
    TEXT("ethnicity", "民族", 0, 32),
    BOOL("is_registered", "户籍", BDF_REQUIRED),
    REF("household_id", "户", 0, BD_HOUSEHOLD),
    TEXT("relation", "与户主关系", 0, 24),
    REF("building_id", "楼栋", 0, BD_BUILDING),
    TEXT("address", "现住址", BDF_SEARCHABLE, 255),
    TEXT("occupation", "职业", 0, 64),
    TEXT("workplace", "服务处所", BDF_SEARCHABLE, 128),
    TAGS("tags", "关怀关注类型", 0, bd_person_tags, person_tags_zh),
    ENUM("status", "人员状态", 0, person_status_values, person_status_zh),
    DATE("moved_out_date", "迁出日期", 0),
    TEXT("note", "备注", 0, 255),
};

static const struct bd_field household_fields[] = {
    TEXT("household_no", "户号", BDF_NATURAL_KEY | BDF_SEARCHABLE, 32),
    ENUM("kind", "户类型", BDF_REQUIRED, household_kinds, household_kinds_zh),
    TEXT("address", "地址", BDF_REQUIRED | BDF_SEARCHABLE | BDF_LABEL, 255),
    TEXT("head_name", "户主姓名", BDF_SEARCHABLE, 64),
    PHONE("phone", "联系电话", 0),
    REF("building_id", "楼栋", 0, BD_BUILDING),
    TEXT("title", "家庭称号", 0, 64),
    TEXT("note", "备注", 0, 255),
};

static const struct bd_field building_fields[] = {
    TEXT("building_no", "建筑物编号", BDF_NATURAL_KEY | BDF_SEARCHABLE, 32),
    TEXT("name", "楼栋名称", BDF_REQUIRED | BDF_SEARCHABLE | BDF_LABEL, 128),
    TEXT("estate", "小区名称", BDF_SEARCHABLE, 128),
    TEXT("address", "地址", BDF_SEARCHABLE, 255),
    ENUM("use", "建筑物用途", 0, building_uses, building_uses_zh),
    INT("floors", "层数", 0, 1, 200),
    INT("units", "单元数", 0, 1, 100),
    INT("year_built", "建成年份", 0, 1800, 2100),
    BOOL("is_rental", "是否出租", 0),
    TEXT("manager_name", "楼栋长", 0, 64),
    PHONE("manager_phone", "楼栋长电话", 0),
    LON_LAT(0),
};

static const struct bd_field organisation_fields[] = {
    TEXT("credit_code", "统一社会信用代码", BDF_NATURAL_KEY | BDF_SEARCHABLE, 18),
    TEXT("name", "名称", BDF_REQUIRED | BDF_SEARCHABLE | BDF_LABEL, 128),
    ENUM("kind", "类别", BDF_REQUIRED, org_kinds, org_kinds_zh),
    TEXT("address", "地址", BDF_SEARCHABLE, 255),
    TEXT("industry", "所属行业", 0, 64),
    INT("employees", "员工数", 0, 0, 10000000),
    TEXT("legal_rep", "法定代表人", BDF_SEARCHABLE, 64),
    TEXT("contact_name", "联系人", 0, 64),
    PHONE("contact_phone", "联系电话", 0),
    ENUM("risk_level", "风险级别", 0, risk_levels, risk_levels_zh),
    BOOL("is_hazardous", "是否危化企业", 0),
    REF("building_id", "楼栋", 0, BD_BUILDING),
    TEXT("note", "备注", 0, 255),
};

static const struct bd_field facility_fields[] = {
    TEXT("facility_no", "部件编号", BDF_NATURAL_KEY | BDF_SEARCHABLE, 32),
    ENUM("kind", "部件类型", BDF_REQUIRED, facility_kinds, facility_kinds_zh),
    TEXT("name", "名称", BDF_SEARCHABLE | BDF_LABEL, 128),
    TEXT("address", "地址", BDF_SEARCHABLE, 255),
    ENUM("status", "状态", 0, facility_status, facility_status_zh),
    TEXT("owner_department", "责任单位", 0, 32),
    LON_LAT(0),
};

#define ENTITY(k, nm, pl, zh, f, key, lab)                                                         \
    [k] = {.name = nm,                                                                             \
           .plural = pl,                                                                           \
           .table = pl,                                                                            \
           .label_zh = zh,                                                                         \
           .fields = f,                                                                            \
           .kind = k,                                                                              \
           .n_fields = N_ELEMS(f),                                                                 \
           .natural_key = key,                                                                     \
           .label = lab}

static const struct bd_entity entities[BD_KIND_COUNT] = {
    ENTITY(BD_PERSON, "person", "persons", "实有人口", person_fields, 1, 0),
    ENTITY(BD_HOUSEHOLD, "household", "households", "户", household_fields, 0, 2),
    ENTITY(BD_BUILDING, "building", "buildings", "楼栋", building_fields, 0, 1),
    ENTITY(BD_ORGANISATION, "organisation", "organisations", "组织", organisation_fields, 0, 1),
    ENTITY(BD_FACILITY, "facility", "facilities", "部件", facility_fields, 0, 2),
};

_Static_assert(N_ELEMS(person_fields) <= BD_FIELDS_MAX, "person fields");
_Static_assert(N_ELEMS(building_fields) <= BD_FIELDS_MAX, "building fields");
_Static_assert(N_ELEMS(organisation_fields) <= BD_FIELDS_MAX, "organisation fields");

const struct bd_entity *bd_entity(enum bd_kind kind)
{
    if ((int)kind < 0 || kind >= BD_KIND_COUNT)
        return NULL;
    return &entities[kind];
}

int bd_kind_parse(const char *word, enum bd_kind *out)
{
    if (word == NULL)
        return ERR_INVALID;
    for (int k = 0; k < BD_KIND_COUNT; k++) {
        if (strcmp(word, entities[k].plural) == 0 || strcmp(word, entities[k].name) == 0) {
            *out = (enum bd_kind)k;
            return 0;
        }
    }
    return ERR_INVALID;
}

int bd_field_index(const struct bd_entity *e, const char *name)
{
    for (int i = 0; i < e->n_fields; i++)
        if (strcmp(e->fields[i].name, name) == 0 || strcmp(e->fields[i].label_zh, name) == 0)
            return i;
    return -1;
}

int bd_field_is_personal(const struct bd_field *f)
{
    return f->type == BDT_IDCARD || f->type == BDT_PHONE;
}

/* ---- normalisation --------------------------------------------------------------------- */

/* Copy in without leading/trailing ASCII white space into out; ERR_TOO_LARGE when longer. */
static int trim_copy(const char *in, char *out, size_t size)
{
    const char *end;
    size_t len;
    while (*in == ' ' || *in == '\t' || *in == '\r' || *in == '\n')
        in++;
    end = in + strlen(in);
    while (end > in && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    len = (size_t)(end - in);
    if (len >= size)
        return ERR_TOO_LARGE;
    memmove(out, in, len); /* in and out may be the same buffer */
    out[len] = '\0';
    return 0;
}

/* 1 when s is well-formed UTF-8 on one line: no control characters, not even tabs. */
static int text_ok(const char *s)
{
    return utf8_is_clean_text(s, strlen(s)) && strpbrk(s, "\t\n") == NULL;
}

static int normalize_date(const struct bd_field *f, const char *s, int64_t now_ms, char *out,
                          struct errbuf *eb)
{
    int y, m, d, n = 0;
    /* Accept 2026-03-21, 2026/3/21 and 20260321. */
    if (strlen(s) == 8 && strspn(s, "0123456789") == 8) {
        if (sscanf(s, "%4d%2d%2d", &y, &m, &d) != 3)
            goto bad;
    } else if ((sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 &&
                sscanf(s, "%4d/%2d/%2d%n", &y, &m, &d, &n) != 3) ||
               s[n] != '\0') {
        goto bad;
    }
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > time_days_in_month(y, m))
        goto bad;
    if (y * 10000 + m * 100 + d > time_local_date_key(now_ms, 8 * 60))
        return errbuf_set(eb, ERR_INVALID, "field '%s' is in the future", f->name);
    snprintf(out, BD_VALUE_MAX, "%04d-%02d-%02d", y, m, d);
    return 0;
bad:
    return errbuf_set(eb, ERR_INVALID, "field '%s' must be a date YYYY-MM-DD", f->name);
}

static int find_value(const struct bd_field *f, const char *s)
{
    for (int i = 0; f->values[i] != NULL; i++)
        if (strcmp(s, f->values[i]) == 0 || (f->labels_zh && strcmp(s, f->labels_zh[i]) == 0))
            return i;
    return -1;
}

static int normalize_tags(const struct bd_field *f, const char *s, char *out, struct errbuf *eb)
{
    unsigned long long seen = 0;
    char item[BD_VALUE_MAX];
    size_t len = 0;
    const char *p = s;
    while (*p) {
        /* Separators: comma, semicolon, '|', the Chinese comma and enumeration comma. */
        size_t n = strcspn(p, ",;|");
        const char *cn = strstr(p, "，"), *dn = strstr(p, "、");
        if (cn && (size_t)(cn - p) < n)
            n = (size_t)(cn - p);
        if (dn && (size_t)(dn - p) < n)
            n = (size_t)(dn - p);
        memcpy(item, p, n);
        item[n] = '\0';
        if (trim_copy(item, item, sizeof(item)) == 0 && item[0] != '\0') {
            int i = find_value(f, item);
            if (i < 0)
                return errbuf_set(eb, ERR_INVALID, "field '%s': unknown tag '%.40s'", f->name,
                                  item);
            seen |= 1ull << i;
        }
        p += n;
        if (*p == ',' || *p == ';' || *p == '|')
            p++;
        else if (*p)
            p += 3; /* both Chinese separators are 3 bytes in UTF-8 */
    }
    out[0] = '\0';
    for (int i = 0; f->values[i] != NULL; i++) {
        if (!(seen & (1ull << i)))
            continue;
        len +=
            (size_t)snprintf(out + len, BD_VALUE_MAX - len, "%s%s", len ? "," : "", f->values[i]);
    }
    return 0;
}

int bd_normalize(const struct bd_field *f, const char *in, int64_t now_ms, char out[BD_VALUE_MAX],
                 struct errbuf *eb)
{
    char s[BD_VALUE_MAX];
    out[0] = '\0';
    if (in == NULL)
        return 0;
    if (trim_copy(in, s, sizeof(s)) != 0)
        return errbuf_set(eb, ERR_INVALID, "field '%s' is too long", f->name);
    if (s[0] == '\0')
        return 0;
    if (!text_ok(s))
        return errbuf_set(eb, ERR_INVALID,
                          "field '%s' is not valid UTF-8 text (control characters or another "
                          "encoding such as GBK)",
                          f->name);
    switch (f->type) {
    case BDT_TEXT:
        if ((int64_t)strlen(s) > f->max)
            return errbuf_set(eb, ERR_INVALID, "field '%s' is longer than %lld bytes", f->name,
                              (long long)f->max);
        memcpy(out, s, strlen(s) + 1);
        return 0;
    case BDT_INT:
    case BDT_REF: {
        char *end;
        long long v;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0' || end == s || v < f->min || v > f->max)
            return errbuf_set(eb, ERR_INVALID, "field '%s' must be an integer from %lld to %lld",
                              f->name, (long long)f->min, (long long)f->max);
        snprintf(out, BD_VALUE_MAX, "%lld", v);
        return 0;
    }
    case BDT_REAL: {
        char *end;
        double v;
        errno = 0;
        v = strtod(s, &end);
        if (errno != 0 || *end != '\0' || end == s || !isfinite(v) || v < (double)f->min ||
            v > (double)f->max)
            return errbuf_set(eb, ERR_INVALID, "field '%s' must be a number from %lld to %lld",
                              f->name, (long long)f->min, (long long)f->max);
        snprintf(out, BD_VALUE_MAX, "%.7f", v);
        return 0;
    }
    case BDT_DATE:
        return normalize_date(f, s, now_ms, out, eb);
    case BDT_BOOL:
        if (!strcmp(s, "1") || !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "是") ||
            !strcmp(s, "TRUE") || !strcmp(s, "Y") || !strcmp(s, "y")) {
            memcpy(out, "1", 2);
            return 0;
        }
        if (!strcmp(s, "0") || !strcmp(s, "false") || !strcmp(s, "no") || !strcmp(s, "否") ||
            !strcmp(s, "FALSE") || !strcmp(s, "N") || !strcmp(s, "n")) {
            memcpy(out, "0", 2);
            return 0;
        }
        return errbuf_set(eb, ERR_INVALID, "field '%s' must be true or false", f->name);
    case BDT_ENUM: {
        int i = find_value(f, s);
        if (i < 0)
            return errbuf_set(eb, ERR_INVALID, "field '%s': unknown value '%.40s'", f->name, s);
        snprintf(out, BD_VALUE_MAX, "%s", f->values[i]);
        return 0;
    }
    case BDT_TAGS:
        return normalize_tags(f, s, out, eb);
    case BDT_IDCARD: {
        struct idcard_info info;
        struct errbuf inner = {{0}};
        if (idcard_validate(s, now_ms, &info, &inner) != 0)
            return errbuf_set(eb, ERR_INVALID, "field '%s': %s", f->name,
                              errbuf_message(&inner, ERR_INVALID));
        snprintf(out, BD_VALUE_MAX, "%s", info.normalized);
        return 0;
    }
    case BDT_PHONE: {
        char phone[PHONE_BUF];
        struct errbuf inner = {{0}};
        if (phone_validate(s, phone, &inner) != 0)
            return errbuf_set(eb, ERR_INVALID, "field '%s': %s", f->name,
                              errbuf_message(&inner, ERR_INVALID));
        snprintf(out, BD_VALUE_MAX, "%s", phone);
        return 0;
    }
    }
    return errbuf_set(eb, ERR_INTERNAL, "field '%s' has an unknown type", f->name);
}

int bd_check_record(const struct bd_entity *e, char values[][BD_VALUE_MAX], int64_t now_ms,
                    struct errbuf *eb)
{
    if (e->kind == BD_PERSON) {
        int id = bd_field_index(e, "id_number"), sex = bd_field_index(e, "sex");
        int birth = bd_field_index(e, "birth_date");
        int status = bd_field_index(e, "status"), moved = bd_field_index(e, "moved_out_date");
        if (values[id][0] != '\0') {
            struct idcard_info info;
            if (idcard_validate(values[id], now_ms, &info, NULL) != 0)
                return errbuf_set(eb, ERR_INVALID, "field 'id_number' is not a valid ID number");
            if (values[birth][0] == '\0')
                snprintf(values[birth], BD_VALUE_MAX, "%s", info.birth_date);
            else if (strcmp(values[birth], info.birth_date) != 0)
                return errbuf_set(eb, ERR_INVALID,
                                  "field 'birth_date' does not match the ID number");
            if (values[sex][0] == '\0')
                snprintf(values[sex], BD_VALUE_MAX, "%c", info.sex);
            else if (values[sex][0] != info.sex)
                return errbuf_set(eb, ERR_INVALID, "field 'sex' does not match the ID number");
        }
        if (values[status][0] == '\0')
            snprintf(values[status], BD_VALUE_MAX, "active");
        if (strcmp(values[status], "active") != 0 && values[moved][0] == '\0')
            return errbuf_set(eb, ERR_INVALID,
                              "field 'moved_out_date' is required when status is %s",
                              values[status]);
    }
    for (int i = 0; i < e->n_fields; i++)
        if ((e->fields[i].flags & BDF_REQUIRED) && values[i][0] == '\0')
            return errbuf_set(eb, ERR_INVALID, "field '%s' is required", e->fields[i].name);
    return 0;
}
