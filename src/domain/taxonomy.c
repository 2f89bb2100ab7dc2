/*
 * taxonomy.c - case categories, their departments and deadlines, and the category CSV file
 * (see taxonomy.h for the model and the file format).
 *
 * The default taxonomy is the table default_rows below: one row per category, with a deadline
 * profile instead of six numbers, because categories of one kind share their limits. The
 * profiles follow published practice (docs: standards reference section 3.3): dispatch within
 * 1 working hour normally and 10 minutes when urgent (Fuzhou, Taiyuan); utility failures fixed
 * within 2 hours to 1 working day (Taiyuan: manhole cover 2 h, street lights 1 day; Beijing
 * hotline: water/power/gas within 24 h); general requests within 5-7 days and complex ones
 * (land, school places, disputes) within 15 working days (Beijing hotline; Tianque's red
 * warning after 10 working days).
 *
 * Invariants of a built struct taxonomy: categories sorted by code (so a class is directly
 * followed by its subcategories), codes unique, every subcategory's parent present, every row
 * passing check_category(). Every constructor goes through build_checked(), which checks rows
 * one by one and then as a set, reporting each problem to a sink (the import result or an
 * errbuf), so the CSV import and taxonomy_new() accept exactly the same taxonomies.
 *
 * The CSV reader here is also used by routing.c. Pure: no I/O; a taxonomy is immutable and
 * safe to share between threads.
 */
#include "domain/taxonomy.h"

#include "base/xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct taxonomy {
    struct category *cats; /* sorted by code */
    size_t n;
};

/* ---- Departments ---- */

static const struct taxonomy_department departments[] = {
    {"urban_management", "城市管理局", "Urban Management Bureau"},
    {"water_affairs", "水务局", "Water Affairs Bureau"},
    {"power_supply", "供电公司", "Power Supply Company"},
    {"gas_supply", "燃气公司", "Gas Supply Company"},
    {"transport", "交通运输局", "Transport Bureau"},
    {"traffic_police", "公安交警大队", "Traffic Police Brigade"},
    {"public_security", "公安分局", "Public Security Sub-bureau"},
    {"fire_rescue", "消防救援大队", "Fire and Rescue Brigade"},
    {"emergency_management", "应急管理局", "Emergency Management Bureau"},
    {"housing", "住房和城乡建设局", "Housing and Urban-Rural Development Bureau"},
    {"human_resources", "人力资源和社会保障局", "Human Resources and Social Security Bureau"},
    {"natural_resources", "自然资源局", "Natural Resources Bureau"},
    {"education", "教育局", "Education Bureau"},
    {"health", "卫生健康局", "Health Commission"},
    {"medical_security", "医疗保障局", "Healthcare Security Bureau"},
    {"civil_affairs", "民政局", "Civil Affairs Bureau"},
    {"disabled_federation", "残疾人联合会", "Disabled Persons' Federation"},
    {"justice", "司法所", "Judicial Office"},
    {"market_regulation", "市场监督管理局", "Market Regulation Bureau"},
    {"ecology_environment", "生态环境局", "Ecology and Environment Bureau"},
    {"property", "物业服务企业", "Property Management Company"},
    {"street_office", "街道办事处", "Street Office"},
};

#define N_DEPARTMENTS (sizeof(departments) / sizeof(departments[0]))

/* ---- Deadline profiles ---- */

enum profile {
    P_FACILITY, /* utility and facility failures: hours */
    P_STREET,   /* street order and sanitation: a day or two */
    P_SAFETY,   /* security and fire hazards: fast response, quick when it is an emergency */
    P_SERVICE,  /* public services and complaints: a working week */
    P_COMPLEX,  /* land, labour, school places, disputes: up to 15 working days */
    P_CONSULT,  /* questions: an answer within days */
};

struct profile_row {
    int response_minutes[TAXONOMY_URGENCY_COUNT];
    struct taxonomy_limit resolve[TAXONOMY_URGENCY_COUNT];
};

static const struct profile_row profiles[] = {
    [P_FACILITY] = {{60, 10, 10}, {{1, 'd'}, {4, 'h'}, {2, 'h'}}},
    [P_STREET] = {{60, 10, 10}, {{2, 'd'}, {1, 'd'}, {4, 'h'}}},
    [P_SAFETY] = {{30, 10, 10}, {{3, 'd'}, {1, 'd'}, {2, 'h'}}},
    [P_SERVICE] = {{60, 10, 10}, {{5, 'd'}, {2, 'd'}, {1, 'd'}}},
    [P_COMPLEX] = {{60, 10, 10}, {{15, 'd'}, {5, 'd'}, {2, 'd'}}},
    [P_CONSULT] = {{60, 10, 10}, {{3, 'd'}, {1, 'd'}, {4, 'h'}}},
};

/* ---- The default taxonomy ---- */

struct default_row {
    const char *code;
    const char *name_zh;
    const char *name_en;
    const char *department;
    enum profile profile;
};

static const struct default_row default_rows[] = {
    {"01", "市容环境", "City appearance and sanitation", "urban_management", P_STREET},
    {"0101", "暴露垃圾", "Exposed garbage", "urban_management", P_STREET},
    {"0102", "积存垃圾渣土", "Accumulated garbage and muck", "urban_management", P_STREET},
    {"0103", "道路不洁", "Dirty streets", "urban_management", P_STREET},
    {"0104", "违章广告", "Illegal advertising and flyers", "urban_management", P_STREET},
    {"0105", "占道经营", "Street vending on roads and pavements", "urban_management", P_STREET},
    {"0106", "私搭乱建", "Illegal structures", "urban_management", P_SERVICE},
    {"0107", "施工扰民", "Construction noise and dust", "housing", P_STREET},
    {"0108", "噪声油烟污染", "Noise and cooking fume pollution", "ecology_environment", P_SERVICE},

    {"02", "公共设施", "Public facilities", "urban_management", P_FACILITY},
    {"0201", "供水", "Water supply failures", "water_affairs", P_FACILITY},
    {"0202", "供电", "Power supply failures", "power_supply", P_FACILITY},
    {"0203", "燃气", "Gas supply failures and leaks", "gas_supply", P_FACILITY},
    {"0204", "路灯", "Street lights out", "urban_management", P_FACILITY},
    {"0205", "道路破损", "Damaged roads and pavements", "urban_management", P_STREET},
    {"0206", "井盖缺损", "Missing or damaged manhole covers", "urban_management", P_FACILITY},
    {"0207", "排水管道堵塞", "Blocked drains and sewers", "water_affairs", P_FACILITY},
    {"0208", "公共设施损坏", "Damaged public amenities", "urban_management", P_STREET},

    {"03", "社会治安", "Public security", "public_security", P_SAFETY},
    {"0301", "盗窃", "Theft", "public_security", P_SAFETY},
    {"0302", "黄赌毒", "Gambling, drugs and prostitution", "public_security", P_SAFETY},
    {"0303", "电信网络诈骗", "Telephone and online fraud", "public_security", P_SAFETY},
    {"0304", "治安隐患", "Public order hazards", "public_security", P_SAFETY},
    {"0305", "技防物防设施", "Security cameras and barriers", "public_security", P_SERVICE},

    {"04", "消防安全", "Fire safety", "fire_rescue", P_SAFETY},
    {"0401", "堵塞消防通道", "Blocked fire lanes", "fire_rescue", P_SAFETY},
    {"0402", "消防设施损坏", "Damaged fire-fighting equipment", "fire_rescue", P_SAFETY},
    {"0403", "电动车违规充电", "Unsafe e-bike parking and charging", "fire_rescue", P_SAFETY},
    {"0404", "易燃物品堆放", "Stored flammable materials", "fire_rescue", P_SAFETY},
    {"0405", "安全生产隐患", "Workplace safety hazards", "emergency_management", P_SAFETY},

    {"05", "出租房屋", "Rental housing", "housing", P_SERVICE},
    {"0501", "群租", "Overcrowded rentals", "housing", P_SERVICE},
    {"0502", "出租房屋安全隐患", "Safety hazards in rented homes", "fire_rescue", P_SAFETY},
    {"0503", "租住人员未登记", "Unregistered tenants", "public_security", P_SERVICE},
    {"0504", "租赁纠纷", "Lease disputes", "housing", P_SERVICE},

    {"06", "道路交通", "Traffic", "transport", P_STREET},
    {"0601", "机动车乱停放", "Illegal parking", "traffic_police", P_STREET},
    {"0602", "非机动车乱停放", "Misparked bicycles and e-bikes", "urban_management", P_STREET},
    {"0603", "交通信号标志损坏", "Damaged traffic lights and signs", "traffic_police", P_FACILITY},
    {"0604", "交通拥堵", "Traffic congestion", "traffic_police", P_STREET},
    {"0605", "公交服务", "Bus services", "transport", P_SERVICE},
    {"0606", "出租车网约车", "Taxis and ride-hailing", "transport", P_SERVICE},

    {"07", "矛盾纠纷", "Disputes", "justice", P_COMPLEX},
    {"0701", "邻里纠纷", "Neighbour disputes", "justice", P_COMPLEX},
    {"0702", "婚姻家庭纠纷", "Marriage and family disputes", "justice", P_COMPLEX},
    {"0703", "医患纠纷", "Disputes between patients and hospitals", "health", P_COMPLEX},
    {"0704", "消费纠纷", "Consumer disputes", "market_regulation", P_SERVICE},
    {"0705", "合同债务纠纷", "Contract and debt disputes", "justice", P_COMPLEX},
    {"0706", "房屋宅基地纠纷", "Disputes over houses and homesteads", "natural_resources",
     P_COMPLEX},

    {"08", "劳动保障", "Labour and wages", "human_resources", P_COMPLEX},
    {"0801", "拖欠工资", "Wage arrears", "human_resources", P_COMPLEX},
    {"0802", "劳动合同", "Labour contracts", "human_resources", P_COMPLEX},
    {"0803", "社会保险", "Social insurance contributions", "human_resources", P_SERVICE},
    {"0804", "就业服务", "Employment services", "human_resources", P_SERVICE},
    {"0805", "工伤认定", "Work injuries", "human_resources", P_COMPLEX},

    {"09", "征地拆迁", "Land and expropriation", "natural_resources", P_COMPLEX},
    {"0901", "征地补偿", "Land expropriation compensation", "natural_resources", P_COMPLEX},
    {"0902", "房屋征收安置", "Housing expropriation and resettlement", "housing", P_COMPLEX},
    {"0903", "违法占地", "Illegal land use", "natural_resources", P_COMPLEX},
    {"0904", "农村土地承包", "Rural land contracts", "natural_resources", P_COMPLEX},

    {"10", "教育", "Education", "education", P_COMPLEX},
    {"1001", "义务教育入学", "Compulsory school enrolment", "education", P_COMPLEX},
    {"1002", "非户籍子女入学", "School places for non-registered children", "education", P_COMPLEX},
    {"1003", "学前教育", "Kindergarten places", "education", P_COMPLEX},
    {"1004", "校园安全", "School safety", "education", P_SAFETY},
    {"1005", "教育收费", "School fees", "education", P_SERVICE},
    {"1006", "校外培训", "Off-campus tutoring", "education", P_SERVICE},

    {"11", "卫生健康", "Health", "health", P_SERVICE},
    {"1101", "医疗服务", "Medical services", "health", P_SERVICE},
    {"1102", "传染病防控", "Infectious disease control", "health", P_SAFETY},
    {"1103", "食品安全", "Food safety", "market_regulation", P_SERVICE},
    {"1104", "医疗保障", "Medical insurance", "medical_security", P_SERVICE},
    {"1105", "病媒生物防制", "Rats, mosquitoes and other pests", "health", P_STREET},
    {"1106", "妇幼健康", "Maternal and child health", "health", P_SERVICE},

    {"12", "养老助残", "Elderly and disabled care", "civil_affairs", P_SERVICE},
    {"1201", "居家养老服务", "Home care for the elderly", "civil_affairs", P_SERVICE},
    {"1202", "养老机构", "Care homes", "civil_affairs", P_SERVICE},
    {"1203", "高龄津贴", "Old-age allowances", "civil_affairs", P_SERVICE},
    {"1204", "独居老人关爱", "Elderly people living alone", "civil_affairs", P_SERVICE},
    {"1205", "残疾人服务", "Services for disabled people", "disabled_federation", P_SERVICE},
    {"1206", "无障碍设施", "Accessibility facilities", "housing", P_SERVICE},

    {"13", "社会救助", "Social assistance", "civil_affairs", P_SERVICE},
    {"1301", "最低生活保障", "Minimum living allowance", "civil_affairs", P_SERVICE},
    {"1302", "特困人员供养", "Support for people in extreme poverty", "civil_affairs", P_SERVICE},
    {"1303", "临时救助", "Temporary assistance", "civil_affairs", P_SERVICE},
    {"1304", "医疗救助", "Medical assistance", "medical_security", P_SERVICE},
    {"1305", "住房保障", "Housing assistance", "housing", P_COMPLEX},
    {"1306", "流浪乞讨救助", "Help for homeless people and beggars", "civil_affairs", P_STREET},

    {"14", "物业管理", "Property management", "property", P_SERVICE},
    {"1401", "物业服务质量", "Property service quality", "property", P_SERVICE},
    {"1402", "电梯故障", "Lift failures", "property", P_FACILITY},
    {"1403", "小区公共设施", "Shared facilities in housing estates", "property", P_STREET},
    {"1404", "物业收费", "Property management fees", "housing", P_SERVICE},
    {"1405", "业主委员会", "Owners' committees", "street_office", P_COMPLEX},
    {"1406", "小区违建", "Illegal building in housing estates", "urban_management", P_SERVICE},

    {"15", "咨询", "Consultation and policy questions", "street_office", P_CONSULT},
    {"1501", "政策咨询", "Policy questions", "street_office", P_CONSULT},
    {"1502", "办事指引", "Where and how to get things done", "street_office", P_CONSULT},
    {"1503", "户籍证件", "Household registration and ID papers", "public_security", P_CONSULT},
    {"1504", "社保医保咨询", "Social and medical insurance questions", "human_resources",
     P_CONSULT},
    {"1505", "意见建议", "Suggestions", "street_office", P_CONSULT},

    /* 99 by the standards' habit, so new classes can be numbered before it. */
    {"99", "其他", "Other", "street_office", P_SERVICE},
    {"9901", "表扬感谢", "Praise and thanks", "street_office", P_CONSULT},
    {"9902", "跨部门事项", "Matters involving several departments", "street_office", P_COMPLEX},
    {"9903", "其他事项", "Other matters", "street_office", P_SERVICE},
};

#define N_DEFAULT_ROWS (sizeof(default_rows) / sizeof(default_rows[0]))

static const char *const urgency_names[TAXONOMY_URGENCY_COUNT] = {"normal", "urgent", "emergency"};
static const char *const urgency_names_zh[TAXONOMY_URGENCY_COUNT] = {"一般", "紧急", "特急"};

static const char *const csv_header[] = {
    "code",           "parent",          "name_zh",           "name_en",
    "department",     "response_normal", "response_urgent",   "response_emergency",
    "resolve_normal", "resolve_urgent",  "resolve_emergency",
};

#define N_CSV_COLUMNS ((int)(sizeof(csv_header) / sizeof(csv_header[0])))

/* ---- Small checks ---- */

int taxonomy_code_is_valid(const char *code)
{
    size_t len = 0;
    if (code == NULL)
        return 0;
    for (; code[len] != '\0'; len++) {
        if (code[len] < '0' || code[len] > '9' || len >= 4)
            return 0;
    }
    if (len != 2 && len != 4)
        return 0;
    if (code[0] == '0' && code[1] == '0')
        return 0;
    return len == 2 || code[2] != '0' || code[3] != '0';
}

int taxonomy_unit_code_is_valid(const char *code)
{
    size_t len = 0;
    if (code == NULL)
        return 0;
    for (; code[len] != '\0'; len++) {
        char ch = code[len];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
        if (!ok || len >= TAXONOMY_DEPT_MAX)
            return 0;
    }
    return len > 0;
}

/* 1 if s (len bytes) is well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF)
 * without control characters. */
static int is_clean_utf8(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned c = p[i];
        size_t n;
        unsigned cp;
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((p[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
            return 0;
        i += n + 1;
    }
    return 1;
}

/* Limit in working minutes, with the nominal day length; for ordering checks only. */
static long limit_nominal_minutes(struct taxonomy_limit limit)
{
    long per_unit = limit.unit == 'd' ? 60L * TAXONOMY_NOMINAL_DAY_HOURS : 60L;
    return (long)limit.amount * per_unit;
}

static int limit_is_valid(struct taxonomy_limit limit)
{
    if (limit.unit == 'h')
        return limit.amount >= 1 && limit.amount <= TAXONOMY_RESOLVE_MAX_HOURS;
    if (limit.unit == 'd')
        return limit.amount >= 1 && limit.amount <= TAXONOMY_RESOLVE_MAX_DAYS;
    return 0;
}

/* Parse 1 to 6 decimal digits exactly filling s[0..len); -1 otherwise. */
static int parse_small_int(const char *s, size_t len)
{
    int v = 0;
    if (len == 0 || len > 6)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* "<n>h" / "<n>d" without bounds checks; {0, '?'} when malformed. */
static struct taxonomy_limit limit_scan(const char *s, size_t len)
{
    struct taxonomy_limit limit = {0, '?'};
    if (len < 2 || (s[len - 1] != 'h' && s[len - 1] != 'd'))
        return limit;
    int v = parse_small_int(s, len - 1);
    if (v < 0)
        return limit;
    limit.amount = v;
    limit.unit = s[len - 1];
    return limit;
}

int taxonomy_limit_parse(const char *text, struct taxonomy_limit *out)
{
    struct taxonomy_limit limit = limit_scan(text, strlen(text));
    out->amount = 0;
    out->unit = '\0';
    if (!limit_is_valid(limit))
        return ERR_INVALID;
    *out = limit;
    return 0;
}

void taxonomy_limit_format(struct taxonomy_limit limit, char *out)
{
    snprintf(out, TAXONOMY_LIMIT_BUF, "%d%c", limit.amount, limit.unit);
}

const char *taxonomy_urgency_name(int urgency)
{
    if (urgency < 0 || urgency >= TAXONOMY_URGENCY_COUNT)
        return NULL;
    return urgency_names[urgency];
}

const char *taxonomy_urgency_name_zh(int urgency)
{
    if (urgency < 0 || urgency >= TAXONOMY_URGENCY_COUNT)
        return NULL;
    return urgency_names_zh[urgency];
}

int taxonomy_urgency_parse(const char *name)
{
    for (int i = 0; name != NULL && i < TAXONOMY_URGENCY_COUNT; i++) {
        if (strcmp(name, urgency_names[i]) == 0)
            return i;
    }
    return -1;
}

/* ---- Departments ---- */

size_t taxonomy_department_count(void)
{
    return N_DEPARTMENTS;
}

const struct taxonomy_department *taxonomy_department_at(size_t i)
{
    return i < N_DEPARTMENTS ? &departments[i] : NULL;
}

const char *taxonomy_department_name(const char *code, const char *lang)
{
    int is_zh = lang != NULL && strncmp(lang, "zh", 2) == 0;
    for (size_t i = 0; code != NULL && i < N_DEPARTMENTS; i++) {
        if (strcmp(departments[i].code, code) == 0)
            return is_zh ? departments[i].name_zh : departments[i].name_en;
    }
    return NULL;
}

/* ---- Checking categories ---- */

static int check_name(const char *field, const char *name, size_t cap, char *reason,
                      size_t reason_cap)
{
    const char *nul = memchr(name, '\0', cap);
    if (nul == NULL) {
        snprintf(reason, reason_cap, "%s is longer than %d bytes", field, TAXONOMY_NAME_MAX);
        return -1;
    }
    if (nul == name) {
        snprintf(reason, reason_cap, "%s is empty", field);
        return -1;
    }
    if (!is_clean_utf8(name, (size_t)(nul - name))) {
        snprintf(reason, reason_cap, "%s is not valid UTF-8 text", field);
        return -1;
    }
    return 0;
}

/* Check one category on its own; on failure write why into reason and return -1. */
static int check_category(const struct category *c, char *reason, size_t cap)
{
    if (memchr(c->code, '\0', sizeof(c->code)) == NULL || !taxonomy_code_is_valid(c->code)) {
        snprintf(reason, cap, "code must be 2 or 4 digits with no 00 part");
        return -1;
    }
    int is_class = c->code[2] == '\0';
    if (is_class && c->parent[0] != '\0') {
        snprintf(reason, cap, "parent must be empty for a top-level category");
        return -1;
    }
    if (!is_class && (memchr(c->parent, '\0', sizeof(c->parent)) == NULL ||
                      strlen(c->parent) != 2 || strncmp(c->parent, c->code, 2) != 0)) {
        snprintf(reason, cap, "parent must be %.2s, the first 2 digits of the code", c->code);
        return -1;
    }
    if (check_name("name_zh", c->name_zh, sizeof(c->name_zh), reason, cap) != 0 ||
        check_name("name_en", c->name_en, sizeof(c->name_en), reason, cap) != 0)
        return -1;
    if (memchr(c->department, '\0', sizeof(c->department)) == NULL ||
        (c->department[0] != '\0' && !taxonomy_unit_code_is_valid(c->department))) {
        snprintf(reason, cap, "department must be letters a-z, digits and _, at most %d bytes",
                 TAXONOMY_DEPT_MAX);
        return -1;
    }
    if (is_class && c->department[0] == '\0') {
        snprintf(reason, cap, "department is required for a top-level category");
        return -1;
    }
    for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
        if (c->response_minutes[u] < 1 || c->response_minutes[u] > TAXONOMY_RESPONSE_MAX_MINUTES) {
            snprintf(reason, cap, "response_%s must be whole working minutes from 1 to %d",
                     urgency_names[u], TAXONOMY_RESPONSE_MAX_MINUTES);
            return -1;
        }
    }
    for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
        if (!limit_is_valid(c->resolve[u])) {
            snprintf(reason, cap, "resolve_%s must be <n>h (n from 1 to %d) or <n>d (1 to %d)",
                     urgency_names[u], TAXONOMY_RESOLVE_MAX_HOURS, TAXONOMY_RESOLVE_MAX_DAYS);
            return -1;
        }
    }
    for (int u = 1; u < TAXONOMY_URGENCY_COUNT; u++) {
        if (c->response_minutes[u] > c->response_minutes[u - 1]) {
            snprintf(reason, cap, "response_%s is longer than response_%s", urgency_names[u],
                     urgency_names[u - 1]);
            return -1;
        }
        if (limit_nominal_minutes(c->resolve[u]) > limit_nominal_minutes(c->resolve[u - 1])) {
            snprintf(reason, cap, "resolve_%s is longer than resolve_%s", urgency_names[u],
                     urgency_names[u - 1]);
            return -1;
        }
    }
    for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
        if (limit_nominal_minutes(c->resolve[u]) < c->response_minutes[u]) {
            snprintf(reason, cap, "resolve_%s is shorter than response_%s", urgency_names[u],
                     urgency_names[u]);
            return -1;
        }
    }
    return 0;
}

/* ---- Problem reporting ---- */

/* Where problems go: the import result (all of them, up to its capacity) and a summary of the
 * first one by line for the errbuf. */
struct sink {
    struct taxonomy_import_result *res; /* may be NULL */
    const char *where;                  /* "line" (CSV) or "row" (taxonomy_new) */
    size_t count;
    size_t first_line;
    char first_reason[200];
};

static void sink_add(struct sink *s, size_t line, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void sink_add(struct sink *s, size_t line, const char *code, const char *fmt, ...)
{
    char reason[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (s->count == 0 || line < s->first_line) {
        s->first_line = line;
        snprintf(s->first_reason, sizeof(s->first_reason), "%s", reason);
    }
    s->count++;
    if (s->res == NULL)
        return;
    s->res->n_problems++;
    if (s->res->n_problems > TAXONOMY_IMPORT_MAX_PROBLEMS)
        return;
    /* Keep the list ordered by line (stable): insert after every problem on an earlier or
     * the same line. */
    struct taxonomy_import_problem *list = s->res->problems;
    size_t n = s->res->n_problems - 1;
    size_t at = n;
    while (at > 0 && list[at - 1].line > line)
        at--;
    memmove(&list[at + 1], &list[at], (n - at) * sizeof(list[0]));
    list[at].line = line;
    snprintf(list[at].code, sizeof(list[at].code), "%s", code ? code : "");
    snprintf(list[at].reason, sizeof(list[at].reason), "%s", reason);
}

static int sink_finish(const struct sink *s, const char *what, struct errbuf *eb)
{
    if (s->count == 0)
        return 0;
    if (s->first_line == 0)
        return errbuf_set(eb, ERR_INVALID, "%s: %zu problem%s; %s", what, s->count,
                          s->count == 1 ? "" : "s", s->first_reason);
    return errbuf_set(eb, ERR_INVALID, "%s: %zu problem%s; %s %zu: %s", what, s->count,
                      s->count == 1 ? "" : "s", s->where, s->first_line, s->first_reason);
}

/* ---- Building ---- */

struct pending {
    struct category c;
    size_t line;
    int has_code; /* the code is well formed (even if the row is otherwise bad) */
    int is_bad;
};

static int compare_pending(const void *a, const void *b)
{
    const struct pending *x = a, *y = b;
    int r = strcmp(x->c.code, y->c.code);
    if (r != 0)
        return r;
    return (x->line > y->line) - (x->line < y->line);
}

static int compare_category_code(const void *key, const void *elem)
{
    return strcmp(key, ((const struct category *)elem)->code);
}

static int compare_pending_code(const void *key, const void *elem)
{
    return strcmp(key, ((const struct pending *)elem)->c.code);
}

/*
 * Check rows as a set (rows that failed alone are already reported) and, when nothing is
 * wrong at all, build the taxonomy. rows is sorted in place. Rows without a well-formed code
 * have code "" so they sort first and never match a parent.
 */
static struct taxonomy *build_checked(struct pending *rows, size_t n, struct sink *s)
{
    if (n > 0)
        qsort(rows, n, sizeof(rows[0]), compare_pending);
    size_t run = 0; /* first row of the current run of equal codes */
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].has_code)
            continue;
        if (i > 0 && rows[i - 1].has_code && strcmp(rows[i - 1].c.code, rows[i].c.code) == 0) {
            /* One reason per row: a row already reported is not reported again. */
            if (!rows[i].is_bad)
                sink_add(s, rows[i].line, rows[i].c.code, "duplicate code %s (first on %s %zu)",
                         rows[i].c.code, s->where, rows[run].line);
            rows[i].is_bad = 1;
        } else {
            run = i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        char parent[3];
        if (!rows[i].has_code || rows[i].is_bad || rows[i].c.code[2] == '\0')
            continue;
        memcpy(parent, rows[i].c.code, 2);
        parent[2] = '\0';
        if (bsearch(parent, rows, n, sizeof(rows[0]), compare_pending_code) == NULL)
            sink_add(s, rows[i].line, rows[i].c.code, "parent category %s is not defined", parent);
    }
    if (s->count > 0)
        return NULL;
    struct taxonomy *tax = xcalloc(1, sizeof(*tax));
    tax->cats = xcalloc(n ? n : 1, sizeof(tax->cats[0]));
    for (size_t i = 0; i < n; i++)
        tax->cats[i] = rows[i].c;
    tax->n = n;
    return tax;
}

/* Check one row, reporting it; marks it bad and notes whether its code can still be used. */
static void check_pending(struct pending *p, struct sink *s, int already_bad)
{
    char reason[200];
    p->has_code =
        memchr(p->c.code, '\0', sizeof(p->c.code)) != NULL && taxonomy_code_is_valid(p->c.code);
    if (!p->has_code)
        memset(p->c.code, 0, sizeof(p->c.code));
    if (already_bad) {
        p->is_bad = 1;
        return;
    }
    if (check_category(&p->c, reason, sizeof(reason)) != 0) {
        sink_add(s, p->line, p->c.code, "%s", reason);
        p->is_bad = 1;
    }
}

int taxonomy_new(const struct category *cats, size_t n, struct taxonomy **out, struct errbuf *eb)
{
    struct sink s = {.where = "row"};
    struct pending *rows = NULL;
    *out = NULL;
    if (n == 0)
        return errbuf_set(eb, ERR_INVALID, "taxonomy: no categories");
    if (n > TAXONOMY_MAX_CATEGORIES)
        return errbuf_set(eb, ERR_INVALID, "taxonomy: more than %d categories",
                          TAXONOMY_MAX_CATEGORIES);
    rows = xcalloc(n, sizeof(rows[0]));
    for (size_t i = 0; i < n; i++) {
        rows[i].c = cats[i];
        rows[i].line = i + 1;
        check_pending(&rows[i], &s, 0);
    }
    struct taxonomy *tax = build_checked(rows, n, &s);
    free(rows);
    int r = sink_finish(&s, "taxonomy", eb);
    if (r != 0)
        return r;
    *out = tax;
    return 0;
}

struct taxonomy *taxonomy_new_default(void)
{
    struct category *cats = xcalloc(N_DEFAULT_ROWS, sizeof(cats[0]));
    struct taxonomy *tax = NULL;
    for (size_t i = 0; i < N_DEFAULT_ROWS; i++) {
        const struct default_row *row = &default_rows[i];
        const struct profile_row *pr = &profiles[row->profile];
        struct category *c = &cats[i];
        snprintf(c->code, sizeof(c->code), "%s", row->code);
        if (strlen(row->code) == 4)
            snprintf(c->parent, sizeof(c->parent), "%.2s", row->code);
        snprintf(c->name_zh, sizeof(c->name_zh), "%s", row->name_zh);
        snprintf(c->name_en, sizeof(c->name_en), "%s", row->name_en);
        snprintf(c->department, sizeof(c->department), "%s", row->department);
        memcpy(c->response_minutes, pr->response_minutes, sizeof(c->response_minutes));
        memcpy(c->resolve, pr->resolve, sizeof(c->resolve));
    }
    /* The table is ours: a failure here is a programming error the unit test catches. */
    if (taxonomy_new(cats, N_DEFAULT_ROWS, &tax, NULL) != 0)
        abort();
    free(cats);
    return tax;
}

void taxonomy_free(struct taxonomy *tax)
{
    if (tax == NULL)
        return;
    free(tax->cats);
    free(tax);
}

size_t taxonomy_count(const struct taxonomy *tax)
{
    return tax->n;
}

const struct category *taxonomy_at(const struct taxonomy *tax, size_t i)
{
    return i < tax->n ? &tax->cats[i] : NULL;
}

const struct category *taxonomy_find(const struct taxonomy *tax, const char *code)
{
    if (code == NULL || tax->n == 0)
        return NULL;
    return bsearch(code, tax->cats, tax->n, sizeof(tax->cats[0]), compare_category_code);
}

/* Index of the first category whose code is >= code. */
static size_t lower_bound(const struct taxonomy *tax, const char *code)
{
    size_t lo = 0, hi = tax->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(tax->cats[mid].code, code) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

const struct category *taxonomy_next_child(const struct taxonomy *tax, const char *parent,
                                           size_t *pos)
{
    size_t plen = strlen(parent);
    size_t i = *pos;
    if (plen > 0 && i == 0)
        i = lower_bound(tax, parent);
    for (; i < tax->n; i++) {
        const struct category *c = &tax->cats[i];
        if (plen > 0 && strncmp(c->code, parent, plen) != 0)
            break; /* past the class's block */
        if (strcmp(c->parent, parent) == 0) {
            *pos = i + 1;
            return c;
        }
    }
    *pos = tax->n;
    return NULL;
}

const char *taxonomy_department_of(const struct taxonomy *tax, const char *code)
{
    const struct category *c = taxonomy_find(tax, code);
    if (c == NULL)
        return NULL;
    if (c->department[0] != '\0')
        return c->department;
    const struct category *top = taxonomy_find(tax, c->parent);
    return top ? top->department : NULL;
}

/* ---- Category CSV ---- */

/* Copy field idx into dst (cap bytes with the NUL); -1 when it does not fit or holds a NUL. */
static int copy_field(const struct csv_record *rec, int idx, char *dst, size_t cap)
{
    size_t len = rec->field_len[idx];
    if (len >= cap || memchr(rec->field[idx], '\0', len) != NULL)
        return -1;
    memcpy(dst, rec->field[idx], len + 1);
    return 0;
}

enum column {
    COL_CODE,
    COL_PARENT,
    COL_NAME_ZH,
    COL_NAME_EN,
    COL_DEPARTMENT,
    COL_RESPONSE, /* + urgency */
    COL_RESOLVE = COL_RESPONSE + TAXONOMY_URGENCY_COUNT,
};

/* Fill p from a record; on a problem that the category checks cannot see (a value that does
 * not fit its field) report it and return -1. Values that merely fail a check are stored so
 * check_category() explains them in the same words for both constructors. */
static int pending_from_record(const struct csv_record *rec, struct pending *p, struct sink *s)
{
    static const struct {
        enum column col;
        size_t offset;
        size_t cap;
        const char *what;
    } text_cols[] = {
        {COL_CODE, offsetof(struct category, code), TAXONOMY_CODE_BUF,
         "code must be 2 or 4 digits with no 00 part"},
        {COL_PARENT, offsetof(struct category, parent), TAXONOMY_CODE_BUF,
         "parent must be empty or the first 2 digits of the code"},
        {COL_NAME_ZH, offsetof(struct category, name_zh), TAXONOMY_NAME_BUF,
         "name_zh is longer than 96 bytes or holds a NUL"},
        {COL_NAME_EN, offsetof(struct category, name_en), TAXONOMY_NAME_BUF,
         "name_en is longer than 96 bytes or holds a NUL"},
        {COL_DEPARTMENT, offsetof(struct category, department), TAXONOMY_DEPT_BUF,
         "department must be letters a-z, digits and _, at most 32 bytes"},
    };
    memset(p, 0, sizeof(*p));
    p->line = rec->line;
    if (rec->error[0] != '\0') {
        sink_add(s, rec->line, "", "%s", rec->error);
        return -1;
    }
    if (rec->n_fields != N_CSV_COLUMNS) {
        sink_add(s, rec->line, "", "expected %d fields, found %d", N_CSV_COLUMNS, rec->n_fields);
        return -1;
    }
    /* The code first, so later problems can name it. */
    if (copy_field(rec, COL_CODE, p->c.code, sizeof(p->c.code)) != 0)
        memset(p->c.code, 0, sizeof(p->c.code));
    const char *code = taxonomy_code_is_valid(p->c.code) ? p->c.code : "";
    for (size_t i = 0; i < sizeof(text_cols) / sizeof(text_cols[0]); i++) {
        char *dst = (char *)&p->c + text_cols[i].offset;
        if (copy_field(rec, text_cols[i].col, dst, text_cols[i].cap) != 0) {
            sink_add(s, rec->line, code, "%s", text_cols[i].what);
            return -1;
        }
    }
    for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
        const char *f = rec->field[COL_RESPONSE + u];
        p->c.response_minutes[u] = parse_small_int(f, rec->field_len[COL_RESPONSE + u]);
        f = rec->field[COL_RESOLVE + u];
        p->c.resolve[u] = limit_scan(f, rec->field_len[COL_RESOLVE + u]);
    }
    return 0;
}

static int header_is_valid(const struct csv_record *rec)
{
    if (rec->error[0] != '\0' || rec->n_fields != N_CSV_COLUMNS)
        return 0;
    for (int i = 0; i < N_CSV_COLUMNS; i++) {
        if (strcmp(rec->field[i], csv_header[i]) != 0)
            return 0;
    }
    return 1;
}

int taxonomy_parse_csv(const char *text, size_t len, struct taxonomy **out,
                       struct taxonomy_import_result *res, struct errbuf *eb)
{
    struct csv_reader rd;
    struct csv_record *rec = xmalloc(sizeof(*rec));
    struct sink s = {.res = res, .where = "line"};
    struct pending *rows = NULL;
    size_t n = 0, cap = 0;
    struct taxonomy *tax = NULL;
    int r = ERR_INVALID;

    *out = NULL;
    if (res != NULL)
        memset(res, 0, sizeof(*res));
    csv_reader_init(&rd, text, len);
    if (!csv_read(&rd, rec)) {
        sink_add(&s, 0, "", "the file is empty");
        goto out;
    }
    if (!header_is_valid(rec)) {
        sink_add(&s, rec->line, "", "the header must be %s,%s,%s,...,%s", csv_header[0],
                 csv_header[1], csv_header[2], csv_header[N_CSV_COLUMNS - 1]);
        goto out;
    }
    while (csv_read(&rd, rec)) {
        if (res != NULL)
            res->rows++;
        if (n == TAXONOMY_MAX_CATEGORIES) {
            sink_add(&s, rec->line, "", "more than %d categories", TAXONOMY_MAX_CATEGORIES);
            break;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            rows = xreallocarray(rows, cap, sizeof(rows[0]));
        }
        struct pending *p = &rows[n++];
        int is_bad = pending_from_record(rec, p, &s) != 0;
        check_pending(p, &s, is_bad);
    }
    if (n == 0 && s.count == 0)
        sink_add(&s, 0, "", "the file has no categories");
    tax = build_checked(rows, n, &s);
    if (tax == NULL)
        goto out;
    if (res != NULL)
        res->imported = tax->n;
    *out = tax;
    tax = NULL;
    r = 0;
out:
    if (r != 0 && sink_finish(&s, "categories file", eb) == 0)
        r = errbuf_set(eb, ERR_INTERNAL, "categories file: failed without a reason");
    taxonomy_free(tax);
    free(rows);
    free(rec);
    return r;
}

int taxonomy_write_csv(const struct taxonomy *tax, struct buf *out)
{
    int r = 0;
    for (int i = 0; r == 0 && i < N_CSV_COLUMNS; i++)
        r = csv_write_field(out, csv_header[i], i == N_CSV_COLUMNS - 1);
    for (size_t i = 0; r == 0 && i < tax->n; i++) {
        const struct category *c = &tax->cats[i];
        const char *text[] = {c->code, c->parent, c->name_zh, c->name_en, c->department};
        char limits[2 * TAXONOMY_URGENCY_COUNT][TAXONOMY_LIMIT_BUF];
        for (size_t k = 0; r == 0 && k < sizeof(text) / sizeof(text[0]); k++)
            r = csv_write_field(out, text[k], 0);
        for (int u = 0; u < TAXONOMY_URGENCY_COUNT; u++) {
            snprintf(limits[u], sizeof(limits[u]), "%d", c->response_minutes[u]);
            taxonomy_limit_format(c->resolve[u], limits[TAXONOMY_URGENCY_COUNT + u]);
        }
        for (int k = 0; r == 0 && k < 2 * TAXONOMY_URGENCY_COUNT; k++)
            r = csv_write_field(out, limits[k], k == 2 * TAXONOMY_URGENCY_COUNT - 1);
    }
    return r;
}
