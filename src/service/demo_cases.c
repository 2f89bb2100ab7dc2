/*
 * demo_cases.c - the year of demo cases (see demo_cases.h).
 *
 * Three stages.
 *
 * 1. Arrivals. For every day of the year and every category of the table below, the expected
 *    number of cases is the category's share × the weekday's shape × the category's season
 *    (month, Spring Festival distance, holiday distance) — all scaled so the year sums to the
 *    scale's target — and the count is drawn (binomial with many trials: a Poisson without
 *    libm). Each case then gets its channel (by the kind of category: things a grid worker
 *    finds on patrol, requests, questions), its urgency and a reporting minute shaped by the
 *    channel (web in the evening, patrols in working hours, office hours on Tuesdays). The
 *    arrivals are sorted by time; the index in that order is the case's identity in here.
 *
 * 2. The simulation: one event loop over simulated time, taking the earliest of the next
 *    arrival, the earliest pending action (a binary heap keyed by time and a sequence number,
 *    so ties resolve the same way every run) and the next daily sweep at 10:00. An arrival is
 *    located in a random cell (weighted by households) and reported through cases_report();
 *    its plan (the path it will take: dispatched, resolved on site, answered, rejected, merged,
 *    closed not resolved; and its detours: rework, return, escalation, extension, suspension,
 *    urging, supervision, evaluation, reopening, stalling near the end) is drawn from the
 *    case's own random stream, so plans do not depend on the order events run in. A pending
 *    action decides what to do from the state the case is in now (plan_next) and calls
 *    cases_act() as the demo user of the right role; the next action is scheduled a
 *    calendar-aware delay later: steps are mostly done within their limit (minutes to a
 *    working hour; handling a fraction of the category's working days), some late, a few very
 *    late. The sweep can move a case the plan did not expect (escalating it back to accepted
 *    at a higher level): cases whose pending step is late are kept on a watch list, re-read
 *    after a sweep that escalated, and re-planned from their new state, as the higher level
 *    would pick them up. Actions due after end_ms are never taken, so the last days' cases stay
 *    open; some cases of the last two weeks are also left stalled at a step on purpose.
 *
 * 3. The result: the states of the cases that are still open are re-read (the sweep may have
 *    carded or escalated them), counts are filled in, and every outbox message is marked
 *    delivered.
 *
 * Randomness: xoshiro256** seeded by splitmix64 (as demo.c), stream 1 for the arrivals and
 * one stream per case. Times come only from the simulation, never the clock.
 *
 * Called by `gridgov demo` on its own service context; single-threaded, no global state.
 */
#include "service/demo_cases.h"

#include "base/log.h"
#include "base/progress.h"
#include "base/rng.h"
#include "base/timeutil.h"
#include "base/xalloc.h"
#include "domain/access.h"
#include "domain/areacode.h"
#include "domain/calendar.h"
#include "domain/taxonomy.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/rollups.h"
#include "service/rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

#define MIN_MS       ((int64_t)60 * 1000)
#define HOUR_MS      (60 * MIN_MS)
#define DAY_MS       (24 * HOUR_MS)
#define YEAR_DAYS    365
#define BATCH_OPS    3000 /* reports and actions per outer transaction */
#define RECENT_CASES 16   /* per category, for choosing what a duplicate duplicates */
#define STALL_DAYS   14   /* cases this recent may be left stalled at a step */
#define NEVER        INT64_MAX

/* ---- random numbers: base/rng.h ---- */

/* A random second within a minute, in ms: times do not all fall on whole minutes. */
static int64_t jitter(struct rng *r)
{
    return (int64_t)rng_below(r, 60) * 1000;
}

static int rng_weighted(struct rng *r, const int *w, int n)
{
    int total = 0, x;
    for (int i = 0; i < n; i++)
        total += w[i];
    x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i])
            return i;
        x -= w[i];
    }
    return n - 1;
}

/* A Poisson-like count with mean lambda: binomial with many trials, no libm needed. */
static int rng_count(struct rng *r, double lambda)
{
    int n = 16 + 8 * ((int)lambda + 1), k = 0;
    double p = lambda / n;
    for (int i = 0; i < n; i++)
        k += rng_unit(r) < p;
    return k;
}

/* ---- tables ---------------------------------------------------------------------------- */

/* In the order of demo_cases_result.by_channel; names as cases.c spells them. */
enum channel {
    CH_WEB,
    CH_PHONE,
    CH_OPEN311,
    CH_PATROL,
    CH_VISIT,
    CH_OFFICE_HOURS,
    CH_BUILDING_CHIEF,
    CH_COUNCIL,
    CH_APP,
};
static const char *const channel_names[DEMO_CASES_CHANNELS] = {
    "web",          "phone",          "open311", "patrol", "visit",
    "office_hours", "building_chief", "council", "app",
};

/* What kind of thing a category is: it decides channels and paths. */
enum kind {
    K_FOUND,   /* seen in the street: a grid worker finds it on patrol as often as not */
    K_REQUEST, /* someone needs something done */
    K_CONSULT, /* a question: an answer is the whole service */
};

/* Channel weights (per mille) by kind. */
static const int channel_w[3][DEMO_CASES_CHANNELS] = {
    /* web phone o311 patrol visit office bchief council app */
    [K_FOUND] = {150, 155, 10, 600, 40, 5, 25, 10, 20},
    [K_REQUEST] = {290, 330, 10, 40, 140, 110, 30, 15, 35},
    [K_CONSULT] = {350, 450, 10, 0, 30, 120, 0, 0, 40},
};

enum season {
    S_FLAT,
    S_SCHOOL,      /* school places for non-registered children: March rising to July–August */
    S_SCHOOL_MILD, /* other enrolment questions: the same shape, flatter */
    S_WAGES,       /* wage arrears: the weeks before the Spring Festival */
    S_DISPUTE,     /* disputes: slightly up around holidays */
    S_RAIN,        /* street lights, roads: the May–September rainy season */
    S_RAIN_STRONG, /* drains and water */
    S_SUMMER,      /* mosquitoes and rats */
    S_TYPHOON,     /* damaged amenities: July–September */
};

/* Monthly multipliers (January first). */
static const double month_factor[][12] = {
    [S_FLAT] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    [S_SCHOOL] = {0.35, 0.45, 0.9, 1.3, 1.7, 2.2, 2.9, 3.1, 1.8, 0.6, 0.4, 0.35},
    [S_SCHOOL_MILD] = {0.6, 0.7, 1.0, 1.2, 1.4, 1.5, 1.7, 1.8, 1.3, 0.8, 0.6, 0.6},
    [S_WAGES] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    [S_DISPUTE] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
    [S_RAIN] = {0.8, 0.8, 0.9, 1.1, 1.5, 1.6, 1.6, 1.6, 1.4, 0.9, 0.8, 0.8},
    [S_RAIN_STRONG] = {0.6, 0.6, 0.8, 1.3, 2.1, 2.4, 2.3, 2.3, 1.9, 0.9, 0.6, 0.6},
    [S_SUMMER] = {0.5, 0.5, 0.7, 1.0, 1.4, 2.0, 2.2, 2.2, 1.8, 1.2, 0.7, 0.5},
    [S_TYPHOON] = {0.9, 0.9, 0.9, 0.9, 1.0, 1.1, 1.5, 1.6, 1.5, 1.0, 0.9, 0.9},
};

/* How urgent cases of a category tend to be: urgent and emergency shares in per mille. */
enum urgency_class { U_LOW, U_MID, U_HIGH };
static const int urgency_w[3][3] = {
    /* normal urgent emergency */
    [U_LOW] = {965, 35, 0},
    [U_MID] = {872, 120, 8},
    [U_HIGH] = {620, 300, 80},
};
static const char *const urgency_names[3] = {"normal", "urgent", "emergency"};
enum { URG_NORMAL, URG_URGENT, URG_EMERGENCY };

struct category_row {
    const char *code;
    int weight; /* share of the year's cases, in tenths of a per mille of the sum */
    enum season season;
    enum kind kind;
    enum urgency_class urgency;
};

static const struct category_row categories[] = {
    {"0101", 70, S_FLAT, K_FOUND, U_LOW},          /* 暴露垃圾 */
    {"0102", 25, S_FLAT, K_FOUND, U_LOW},          /* 积存垃圾渣土 */
    {"0103", 25, S_FLAT, K_FOUND, U_LOW},          /* 道路不洁 */
    {"0104", 30, S_FLAT, K_FOUND, U_LOW},          /* 违章广告 */
    {"0105", 45, S_FLAT, K_FOUND, U_LOW},          /* 占道经营 */
    {"0106", 20, S_FLAT, K_FOUND, U_LOW},          /* 私搭乱建 */
    {"0107", 20, S_FLAT, K_REQUEST, U_LOW},        /* 施工扰民 */
    {"0108", 30, S_FLAT, K_REQUEST, U_LOW},        /* 噪声油烟污染 */
    {"0201", 15, S_RAIN_STRONG, K_FOUND, U_HIGH},  /* 供水 */
    {"0202", 12, S_RAIN, K_REQUEST, U_HIGH},       /* 供电 */
    {"0203", 5, S_FLAT, K_REQUEST, U_HIGH},        /* 燃气 */
    {"0204", 35, S_RAIN, K_FOUND, U_MID},          /* 路灯 */
    {"0205", 30, S_RAIN, K_FOUND, U_MID},          /* 道路破损 */
    {"0206", 12, S_FLAT, K_FOUND, U_HIGH},         /* 井盖缺损 */
    {"0207", 25, S_RAIN_STRONG, K_FOUND, U_MID},   /* 排水管道堵塞 */
    {"0208", 20, S_TYPHOON, K_FOUND, U_LOW},       /* 公共设施损坏 */
    {"0301", 8, S_FLAT, K_REQUEST, U_MID},         /* 盗窃 */
    {"0303", 6, S_FLAT, K_REQUEST, U_MID},         /* 电信网络诈骗 */
    {"0304", 12, S_FLAT, K_FOUND, U_MID},          /* 治安隐患 */
    {"0401", 20, S_FLAT, K_FOUND, U_HIGH},         /* 堵塞消防通道 */
    {"0402", 10, S_FLAT, K_FOUND, U_MID},          /* 消防设施损坏 */
    {"0403", 35, S_FLAT, K_FOUND, U_MID},          /* 电动车违规充电 */
    {"0404", 10, S_FLAT, K_FOUND, U_HIGH},         /* 易燃物品堆放 */
    {"0405", 10, S_FLAT, K_FOUND, U_HIGH},         /* 安全生产隐患 */
    {"0501", 10, S_FLAT, K_FOUND, U_LOW},          /* 群租 */
    {"0502", 10, S_FLAT, K_FOUND, U_HIGH},         /* 出租房屋安全隐患 */
    {"0503", 15, S_FLAT, K_FOUND, U_LOW},          /* 租住人员未登记 */
    {"0504", 15, S_DISPUTE, K_REQUEST, U_LOW},     /* 租赁纠纷 */
    {"0601", 45, S_FLAT, K_FOUND, U_LOW},          /* 机动车乱停放 */
    {"0602", 25, S_FLAT, K_FOUND, U_LOW},          /* 非机动车乱停放 */
    {"0603", 8, S_TYPHOON, K_FOUND, U_MID},        /* 交通信号标志损坏 */
    {"0605", 8, S_FLAT, K_REQUEST, U_LOW},         /* 公交服务 */
    {"0701", 25, S_DISPUTE, K_REQUEST, U_LOW},     /* 邻里纠纷 */
    {"0702", 10, S_DISPUTE, K_REQUEST, U_LOW},     /* 婚姻家庭纠纷 */
    {"0704", 15, S_DISPUTE, K_REQUEST, U_LOW},     /* 消费纠纷 */
    {"0705", 8, S_FLAT, K_REQUEST, U_LOW},         /* 合同债务纠纷 */
    {"0706", 8, S_FLAT, K_REQUEST, U_LOW},         /* 房屋宅基地纠纷 */
    {"0801", 30, S_WAGES, K_REQUEST, U_MID},       /* 拖欠工资 */
    {"0802", 10, S_FLAT, K_REQUEST, U_LOW},        /* 劳动合同 */
    {"0803", 10, S_FLAT, K_REQUEST, U_LOW},        /* 社会保险 */
    {"0901", 4, S_FLAT, K_REQUEST, U_LOW},         /* 征地补偿 */
    {"0903", 6, S_FLAT, K_FOUND, U_LOW},           /* 违法占地 */
    {"1001", 10, S_SCHOOL_MILD, K_REQUEST, U_LOW}, /* 义务教育入学 */
    {"1002", 25, S_SCHOOL, K_REQUEST, U_LOW},      /* 非户籍子女入学 */
    {"1003", 8, S_SCHOOL_MILD, K_REQUEST, U_LOW},  /* 学前教育 */
    {"1005", 4, S_SCHOOL_MILD, K_REQUEST, U_LOW},  /* 教育收费 */
    {"1101", 8, S_FLAT, K_REQUEST, U_LOW},         /* 医疗服务 */
    {"1103", 12, S_SUMMER, K_REQUEST, U_MID},      /* 食品安全 */
    {"1104", 6, S_FLAT, K_REQUEST, U_LOW},         /* 医疗保障 */
    {"1105", 12, S_SUMMER, K_FOUND, U_LOW},        /* 病媒生物防制 */
    {"1201", 8, S_FLAT, K_REQUEST, U_LOW},         /* 居家养老服务 */
    {"1203", 5, S_FLAT, K_REQUEST, U_LOW},         /* 高龄津贴 */
    {"1204", 6, S_FLAT, K_REQUEST, U_LOW},         /* 独居老人关爱 */
    {"1301", 6, S_FLAT, K_REQUEST, U_LOW},         /* 最低生活保障 */
    {"1303", 4, S_FLAT, K_REQUEST, U_LOW},         /* 临时救助 */
    {"1401", 25, S_FLAT, K_REQUEST, U_LOW},        /* 物业服务质量 */
    {"1402", 12, S_FLAT, K_REQUEST, U_HIGH},       /* 电梯故障 */
    {"1403", 15, S_TYPHOON, K_REQUEST, U_LOW},     /* 小区公共设施 */
    {"1404", 8, S_FLAT, K_REQUEST, U_LOW},         /* 物业收费 */
    {"1501", 30, S_FLAT, K_CONSULT, U_LOW},        /* 政策咨询 */
    {"1502", 20, S_FLAT, K_CONSULT, U_LOW},        /* 办事指引 */
    {"1503", 12, S_FLAT, K_CONSULT, U_LOW},        /* 户籍证件 */
    {"1504", 14, S_FLAT, K_CONSULT, U_LOW},        /* 社保医保咨询 */
    {"1505", 6, S_FLAT, K_CONSULT, U_LOW},         /* 意见建议 */
    {"9901", 3, S_FLAT, K_CONSULT, U_LOW},         /* 表扬感谢 */
    {"9903", 8, S_FLAT, K_REQUEST, U_LOW},         /* 其他事项 */
};

/* What residents and grid workers write, three ways per category, in the order above. */
static const char *const category_texts[][3] = {
    /* 0101 */
    {"路边垃圾桶满溢，垃圾散落一地，气味很大，请尽快清运。",
     "绿化带内有人乱扔生活垃圾，已堆积多日，招来蚊蝇。",
     "巡查发现小区门口有暴露垃圾，需安排环卫清理。"},
    /* 0102 */
    {"空地上堆放大量建筑渣土和装修垃圾，长期无人清理。", "河涌边有人偷倒渣土，已堆成小山。",
     "巷口积存垃圾较多，影响通行。"},
    /* 0103 */
    {"路面油污严重，行人容易滑倒。", "菜市场周边路面污水横流，很不卫生。",
     "泥头车经过后路面满是泥土，请安排清扫。"},
    /* 0104 */
    {"电线杆和墙面贴满小广告，影响市容。", "有人在楼道里乱贴开锁、通下水道广告。",
     "路口竖立的违规广告牌存在倒塌隐患。"},
    /* 0105 */
    {"晚上有流动摊贩占用人行道经营烧烤，油烟大、垃圾多。",
     "店铺把货物摆到人行道上，行人只能走机动车道。", "学校门口早上有占道摆卖，造成拥堵。"},
    /* 0106 */
    {"楼顶有人私自加建铁皮房。", "一楼住户占用公共绿地搭建棚子。",
     "巡查发现村内有新建的违章建筑正在施工。"},
    /* 0107 */
    {"附近工地晚上十一点后还在施工，噪音很大影响休息。", "工地扬尘严重，没有洒水和覆盖。",
     "工地早上六点就开始打桩，请督促按时施工。"},
    /* 0108 */
    {"楼下餐馆油烟直排，熏得家里不能开窗。", "隔壁厂房机器噪声日夜不停。",
     "广场舞音响声音过大，晚上十点后仍未停止。"},
    /* 0201 */
    {"路边水管爆裂，水流满路面。", "小区停水一整天，没有任何通知。",
     "自来水发黄有异味，请检测水质。"},
    /* 0202 */
    {"整栋楼停电，电梯里可能有人被困。", "电线被风吹断垂落在路边，十分危险。",
     "电表箱冒烟，请供电部门尽快处理。"},
    /* 0203 */
    {"楼道里闻到很浓的燃气味，怀疑管道泄漏。", "燃气表附近有异味，请燃气公司上门检查。",
     "小区燃气管道施工后一直没有恢复供气。"},
    /* 0204 */
    {"路灯晚上不亮，整条路黑漆漆，行人不安全。", "路灯白天也一直亮着，浪费电。",
     "巡查发现多盏路灯灯杆倾斜、灯罩破损。"},
    /* 0205 */
    {"路面出现大坑，下雨积水，电动车经过容易摔倒。", "人行道砖块松动翘起，老人容易绊倒。",
     "暴雨后路面塌陷，需设置警示并修复。"},
    /* 0206 */
    {"路中间井盖缺失，已有车辆掉进去。", "井盖破裂下沉，车辆经过响声很大。",
     "人行道上的井盖松动，踩上去会翻转。"},
    /* 0207 */
    {"下雨后路口严重水浸，排水口被堵。", "小区化粪池满溢，污水流到路面。",
     "巷内排水沟堵塞发臭，请疏通。"},
    /* 0208 */
    {"公园健身器材损坏，存在安全隐患。", "公交站候车亭玻璃破碎。", "台风后街边护栏倒塌，需修复。"},
    /* 0301 */
    {"小区近期多次发生电动车电池被盗。", "出租屋夜间被撬门入室盗窃。",
     "停车场车辆被砸窗盗窃财物。"},
    /* 0303 */
    {"接到冒充客服的诈骗电话，已被骗转账，请求帮助。", "老人被拉进所谓理财群，担心被骗。",
     "网上兼职刷单被骗，请求追回损失。"},
    /* 0304 */
    {"出租屋附近经常有可疑人员聚集。", "巡查发现小区围墙破损，外来人员随意进出。",
     "夜间有人在巷内酗酒闹事。"},
    /* 0401 */
    {"消防通道被私家车长期占用。", "楼道堆放杂物堵塞安全出口。",
     "巡查发现厂房消防通道被货物堵死。"},
    /* 0402 */
    {"楼道里的灭火器已过期。", "消防栓被破坏，没有水。", "应急照明灯和疏散指示牌不亮。"},
    /* 0403 */
    {"有住户把电动车推进楼道充电，还飞线拉电。", "出租屋内电动车停放充电，存在火灾隐患。",
     "巡查发现楼梯间停放多辆电动车充电。"},
    /* 0404 */
    {"仓库门口堆放大量纸箱和泡沫，旁边就是配电箱。", "小作坊存放油漆等易燃物品。",
     "楼道里堆放煤气罐和纸皮。"},
    /* 0405 */
    {"工厂工人高空作业没有系安全带。", "小作坊粉尘很大，没有通风除尘设施。",
     "巡查发现危险化学品存放不规范。"},
    /* 0501 */
    {"一套两房住了十几个人，进出人员复杂。", "出租屋隔成多个小单间群租。",
     "巡查发现城中村出租屋存在群租现象。"},
    /* 0502 */
    {"出租屋电线老化裸露，租客担心起火。", "出租屋没有安装烟感报警器和逃生通道。",
     "出租屋内使用瓶装燃气，通风不良。"},
    /* 0503 */
    {"入户走访发现新入住租客未办理居住登记。", "出租屋房东未按规定登记租住人员。",
     "城中村新搬来多名租户，需要核实登记。"},
    /* 0504 */
    {"房东不退押金，协商无果。", "房东突然要求涨租，不同意就要求搬走。",
     "租客拖欠房租三个月，联系不上。"},
    /* 0601 */
    {"路口有车辆长期乱停放，影响通行。", "小区门口车辆乱停，救护车进不来。",
     "人行道上停满小汽车，行人只能走马路。"},
    /* 0602 */
    {"地铁口共享单车堆积，堵塞出入口。", "电动车乱停放占用盲道。",
     "巡查发现公交站周边非机动车无序停放。"},
    /* 0603 */
    {"路口红绿灯不亮，车辆通行混乱。", "交通标志牌被撞倒。", "斑马线标线磨损看不清。"},
    /* 0605 */
    {"公交车班次太少，早高峰等车要半小时。", "公交车司机不到站就不停车。",
     "希望增设到地铁站的公交线路。"},
    /* 0701 */
    {"楼上住户漏水到我家，协商多次不处理。", "邻居在公共走廊堆放杂物，沟通后发生争吵。",
     "邻居养狗不拴绳，经常吓到小孩。"},
    /* 0702 */
    {"夫妻因家务琐事经常吵架，请社区帮忙调解。", "家中老人赡养问题兄弟之间有矛盾。",
     "离婚后孩子探视问题协商不下。"},
    /* 0704 */
    {"在健身房办卡后门店关闭，无法退款。", "网购家电质量有问题，商家拒绝退换。",
     "装修公司收了定金后拖延施工。"},
    /* 0705 */
    {"朋友借款两年不还，请求调解。", "承包工程款被拖欠，对方一直推脱。",
     "合伙做生意散伙后账目有纠纷。"},
    /* 0706 */
    {"与邻居因宅基地边界发生纠纷。", "村民建房占用了我家的巷道。",
     "祖屋产权兄弟之间有争议，请求协调。"},
    /* 0801 */
    {"在工厂做了三个月，老板一直拖欠工资不发。",
     "工地包工头拖欠我们十几个工友的工资，快过年了还没结清。",
     "公司搬迁后老板失联，工资和补偿都没有着落。"},
    /* 0802 */
    {"公司不跟员工签劳动合同。", "公司单方面解除劳动合同，没有经济补偿。", "试用期被无故辞退。"},
    /* 0803 */
    {"单位没有给员工缴纳社保。", "社保断缴了几个月，单位说会补但一直没补。",
     "离职后单位不办理社保转移。"},
    /* 0901 */
    {"征地补偿款迟迟没有发放到位。", "对征地补偿标准有异议，请求解释。",
     "村集体土地被征收，分配方案不公开。"},
    /* 0903 */
    {"农田里有人违法挖土建房。", "鱼塘被填平准备建厂房。", "巡查发现有人占用耕地堆放物料。"},
    /* 1001 */
    {"孩子今年上一年级，学区划片不清楚，请求解答。", "户籍在本区，入学报名系统一直提交不了。",
     "孩子被分配到离家很远的学校，请求调整。"},
    /* 1002 */
    {"我们是外地来南海务工的，孩子今年要上小学，想了解积分入学怎么申请。",
     "非户籍子女积分入学排名靠后，没有分到学位，孩子九月就要开学了。",
     "在南海工作多年，孩子想在本地读初中，请问需要准备哪些材料。"},
    /* 1003 */
    {"附近公办幼儿园学位太少，报不上名。", "幼儿园收费太高，希望增加普惠性学位。",
     "孩子三岁了，想咨询幼儿园报名时间。"},
    /* 1005 */
    {"学校收取资料费没有公示。", "学校要求统一购买校服价格偏高。", "课后托管收费标准不清楚。"},
    /* 1101 */
    {"社区卫生服务站医生太少，排队时间很长。", "医院挂号难，希望增加号源。",
     "家庭医生签约后一直没有联系过我们。"},
    /* 1103 */
    {"在餐馆吃饭后全家腹泻，怀疑食物不干净。", "超市出售过期食品。",
     "无证小作坊生产食品，卫生条件很差。"},
    /* 1104 */
    {"医保异地报销手续太复杂。", "门诊费用医保没有按比例报销。", "新生儿医保怎么参保？"},
    /* 1105 */
    {"小区积水多，蚊子特别多，担心登革热。", "垃圾站附近老鼠成群。",
     "巡查发现空置地块积水孳生蚊虫。"},
    /* 1201 */
    {"家里老人行动不便，想申请居家养老上门服务。", "长者饭堂的饭菜希望增加送餐服务。",
     "社区养老服务中心开放时间太短。"},
    /* 1203 */
    {"老人满八十岁了，高龄津贴怎么申请？", "高龄津贴这几个月没有到账。",
     "老人户口迁入后高龄津贴停发了。"},
    /* 1204 */
    {"走访发现一位独居老人身体不好，家人在外地。", "独居老人家中电器老化，需要帮助检查。",
     "邻居独居老人几天没出门了，请社区上门看看。"},
    /* 1301 */
    {"家里有重病患者，收入很低，想申请低保。", "低保复核后被取消，请求说明原因。",
     "低保金发放时间推迟了。"},
    /* 1303 */
    {"家里遭遇火灾，生活困难，申请临时救助。", "突发重病医疗费负担重，申请救助。",
     "外来务工人员受伤失业，生活没有着落。"},
    /* 1401 */
    {"物业不作为，小区卫生越来越差。", "物业保安形同虚设，外来车辆随便进出。",
     "物业公司更换后服务质量下降。"},
    /* 1402 */
    {"电梯经常故障停运，老人上下楼很困难。", "电梯运行时有异响和抖动，担心安全。",
     "电梯困人，物业半小时都没来。"},
    /* 1403 */
    {"小区门禁坏了很久没修。", "小区儿童游乐设施损坏。", "小区地下车库照明灯大面积不亮。"},
    /* 1404 */
    {"物业费上涨没有经过业主大会。", "停车费收费标准不透明。", "物业收取装修押金不退。"},
    /* 1501 */
    {"想咨询一下最新的购房补贴政策。", "请问居住证满多久可以申请积分入户？",
     "想了解个体户创业补贴的申请条件。"},
    /* 1502 */
    {"办理居住证需要带什么材料，去哪里办？", "请问老年人优待证在哪里办理？",
     "新生儿出生证明和落户的办理流程是什么？"},
    /* 1503 */
    {"身份证丢了，在南海可以补办吗？", "孩子落户需要哪些材料？",
     "户口迁移到南海需要满足什么条件？"},
    /* 1504 */
    {"灵活就业人员怎么缴纳社保？", "医保卡在外地看病能不能直接结算？", "退休后养老金怎么领取？"},
    /* 1505 */
    {"建议在小区附近增设公交站。", "建议公园晚上延长开放时间。", "建议在学校周边增加交通协管员。"},
    /* 9901 */
    {"感谢网格员帮忙解决了楼道照明问题，服务很贴心。", "表扬社区工作人员耐心帮老人办事。",
     "感谢城管队及时清理了路边垃圾。"},
    /* 9903 */
    {"小区附近信号基站建设，居民担心辐射。", "流浪猫狗太多，希望有关部门处理。",
     "希望在村口增设快递收发点。"},
};

#define N_CATEGORIES ((int)N_ELEMS(categories))
_Static_assert(N_ELEMS(category_texts) == N_ELEMS(categories), "a text row per category");

/* Handling results by class (the first two digits), for handle and answer. */
static const struct class_text {
    const char *cls;
    const char *handle;
    const char *answer;
} class_texts[] = {
    {"01", "已安排环卫和执法队员到场清理整治，现场已恢复整洁，整改照片已上传。",
     "已向诉求人说明市容管理规定和清运时间。"},
    {"02", "已安排维修人员到场抢修，设施已恢复正常使用。",
     "已向诉求人说明设施维修计划和预计恢复时间。"},
    {"03", "已安排民警到场处置并登记，已加强该区域巡逻防控。", "已向诉求人说明报警和防范措施。"},
    {"04", "已联合消防和社区对隐患点进行整改，隐患已消除。",
     "已向诉求人说明消防安全要求和整改期限。"},
    {"05", "已上门核查出租屋情况，督促房东整改并完成租住人员登记。",
     "已向诉求人说明出租屋管理规定。"},
    {"06", "已安排交警和执法队员到场处置，通行秩序已恢复。", "已向诉求人说明交通管理措施。"},
    {"07", "已组织双方调解，达成调解协议，矛盾已化解。", "已向诉求人说明调解和诉讼途径。"},
    {"08", "已约谈用人单位负责人，督促依法支付工资和补缴社保，劳动者已确认收到。",
     "已向诉求人说明劳动监察投诉和劳动仲裁的办理途径。"},
    {"09", "已会同自然资源部门现场核查，依法依规处理并答复当事人。",
     "已向诉求人说明征地补偿政策和标准。"},
    {"10", "已与教育部门核实政策，协助家长提交积分入学申请，已安排学位。",
     "已电话答复：非户籍子女入学按积分入学办法办理，已告知申请时间、所需材料和查询渠道。"},
    {"11", "已会同卫生健康和市场监管部门核查处理，并向诉求人反馈结果。",
     "已向诉求人说明就医和报销相关政策。"},
    {"12", "已安排社工上门服务，落实相关待遇和关爱措施。", "已向诉求人说明申请条件和办理渠道。"},
    {"13", "已入户核查家庭情况，符合条件的已纳入救助并发放。",
     "已向诉求人说明救助申请条件和办理流程。"},
    {"14", "已督促物业公司整改，设施已修复，服务已改进。", "已向诉求人说明物业管理相关规定。"},
    {"15", "已转相关部门办理并答复诉求人。",
     "已电话答复诉求人，告知相关政策依据、办理条件、所需材料和办理地点。"},
    {"99", "已协调相关部门处理并答复诉求人。", "已答复诉求人，感谢对基层治理工作的支持。"},
};

static const char *const reject_reasons[] = {
    "诉求内容不完整，多次联系诉求人未果，无法受理。",
    "该事项已进入司法程序，已告知通过法律途径解决。",
    "该事项不属于基层治理平台受理范围，已引导至相关渠道。",
};
static const char *const escalate_reasons[] = {
    "涉及多个部门职责，社区层面无法协调解决，提请上级统筹处理。",
    "问题复杂，网格内无法解决，上报社区协调。",
    "需要街道层面协调多部门联合处置，提请上报。",
};
static const char *const surnames[] = {"陈", "李", "黄", "梁", "张", "林", "刘", "吴", "何",
                                       "罗", "王", "杨", "周", "郑", "谢", "冯", "邓", "叶"};
static const char *const honorifics[] = {"先生", "女士", "阿姨", "伯"};

/* Reporting hour shapes by channel group (weights per hour 0-23). */
enum hours_shape { H_ONLINE, H_PHONE, H_FIELD, H_OFFICE, H_COMMUNITY };
static const int hour_w[][24] = {
    [H_ONLINE] = {3, 2, 1, 1, 1, 1, 2, 5, 7, 8, 8, 7, 6, 6, 7, 7, 7, 7, 8, 10, 11, 11, 8, 5},
    [H_PHONE] = {1, 1, 0, 0, 0, 1, 2, 4, 8, 10, 10, 9, 6, 7, 9, 9, 8, 7, 5, 4, 4, 3, 2, 1},
    [H_FIELD] = {0, 0, 0, 0, 0, 0, 0, 1, 5, 9, 9, 7, 1, 1, 6, 9, 8, 5, 1, 0, 0, 0, 0, 0},
    [H_OFFICE] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 10, 7, 0, 0, 6, 9, 7, 0, 0, 0, 0, 0, 0, 0},
    [H_COMMUNITY] = {0, 0, 0, 0, 0, 0, 0, 1, 3, 6, 7, 5, 2, 2, 5, 6, 6, 4, 3, 5, 5, 2, 0, 0},
};
static const enum hours_shape channel_hours[DEMO_CASES_CHANNELS] = {
    H_ONLINE, H_PHONE, H_ONLINE, H_FIELD, H_FIELD, H_OFFICE, H_COMMUNITY, H_COMMUNITY, H_ONLINE,
};

/* Volume by weekday, Sunday first. */
static const double weekday_factor[7] = {0.62, 1.18, 1.12, 1.06, 1.04, 1.0, 0.78};

static const struct scale_row {
    const char *name;
    int cases; /* a year's target */
} scales[] = {
    {"small", 6000},
    {"city", 80000},
};

/* Lunar New Year's day by year, for years the calendar has no 春节 days for. */
static const struct {
    int y, m, d;
} lunar_new_year[] = {
    {2019, 2, 5},  {2020, 1, 25}, {2021, 2, 12}, {2022, 2, 1},  {2023, 1, 22}, {2024, 2, 10},
    {2025, 1, 29}, {2026, 2, 17}, {2027, 2, 6},  {2028, 1, 26}, {2029, 2, 13}, {2030, 2, 3},
    {2031, 1, 23}, {2032, 2, 11}, {2033, 1, 31}, {2034, 2, 19}, {2035, 2, 8},  {2036, 1, 28},
};

/* ---- the plan of one case ------------------------------------------------------------- */

enum path {
    PATH_DISPATCH,     /* accept, dispatch, sign, handle, verify, close resolved */
    PATH_ON_SITE,      /* the grid worker resolves it on site; closed resolved */
    PATH_ANSWER,       /* explained; closed answered */
    PATH_REJECT,       /* not accepted, with a reason */
    PATH_MERGE,        /* a duplicate of an earlier case */
    PATH_NOT_RESOLVED, /* handled as far as possible; closed not resolved, with a reason */
    PATH_COUNT
};

/* Path weights (per mille) by kind, and for found things reported from the field. */
static const int path_w_found_field[PATH_COUNT] = {540, 420, 5, 5, 10, 20};
static const int path_w[3][PATH_COUNT] = {
    [K_FOUND] = {835, 60, 10, 25, 40, 30},
    [K_REQUEST] = {800, 40, 40, 55, 20, 45},
    [K_CONSULT] = {35, 0, 945, 15, 5, 0},
};

enum reporter { REP_STAFF, REP_RESIDENT, REP_PUBLIC };

/* What the simulation keeps per case (index = arrival order). */
struct sim_case {
    int64_t at; /* reported at */
    int64_t id; /* 0 until reported */
    char number[CASE_NUMBER_MAX + 1];
    char department[TAXONOMY_DEPT_BUF];
    struct rng rng;
    int64_t due_ms, step_started_ms, closed_ms;
    int64_t handle_at; /* planned end of the running handle step (0: not planned) */
    double lon, lat;
    int cell;
    int merge_target; /* index of the case this one duplicates, -1 */
    uint32_t gen;     /* bumped to cancel a pending event */
    uint8_t cat, channel, urgency, reporter, path;
    uint8_t state, queue_level, outcome, has_pending_ext, is_reported;
    /* detours still to take */
    uint8_t escalations, returns, reworks, low_ratings, staff_reopens;
    uint8_t will_extend, will_deny, will_suspend, will_urge, will_supervise, will_evaluate;
    uint8_t redirect; /* returned once: dispatch to another unit */
    uint8_t stall;    /* leave it in this state (CASE_STATE_COUNT: never) */
    uint8_t stalled, watched, refusals;
    uint8_t prompt; /* steps to do in time after an escalation by the sweep */
};

struct event {
    int64_t at;
    uint32_t seq, idx, gen;
};

struct cell {
    char code[AREA_CODE_BUF];
    char address[256]; /* as struct case_rec's */
    double minx, miny, maxx, maxy;
};

struct gen {
    struct service_ctx *ctx;
    struct store *st;
    struct case_rules *rules; /* our own copy: the context's may be reloaded under us */
    const struct calendar *cal;
    const struct demo_cases_users *users;
    struct demo_cases_result *res;
    uint64_t seed;
    int64_t start_ms, end_ms;
    /* the city */
    struct cell *cells;
    int64_t *cell_cum; /* cumulative weights */
    size_t n_cells, cap_cells;
    /* Spring Festival starts (local midnight), ascending */
    int64_t festival[8];
    int n_festival;
    /* cases */
    struct sim_case *cases;
    size_t n_cases;
    int recent[N_CATEGORIES][RECENT_CASES];
    int recent_pos[N_CATEGORIES];
    /* the event heap and the watch list */
    struct event *heap;
    size_t n_heap, cap_heap;
    uint32_t seq;
    uint32_t *watch;
    size_t n_watch, cap_watch;
    int ops_in_batch;
    /* the live roll-up deltas of the running transaction, summed per cell and written before
     * each commit (service/rollups.h), as the server's single writer does */
    struct rollup_batch rollups;
};

/* ---- time helpers ---------------------------------------------------------------------- */

static int64_t local_midnight(const struct gen *g, int64_t ms)
{
    int64_t off = (int64_t)calendar_utc_offset(g->cal) * MIN_MS;
    int64_t local = ms + off;
    int64_t day = local / DAY_MS - (local % DAY_MS < 0);
    return day * DAY_MS - off;
}

/* Day of the week of the local date of ms, 0 = Sunday (1970-01-01 was a Thursday). */
static int local_weekday(const struct gen *g, int64_t ms)
{
    int64_t off = (int64_t)calendar_utc_offset(g->cal) * MIN_MS;
    int64_t local = ms + off;
    int64_t day = local / DAY_MS - (local % DAY_MS < 0);
    return (int)(((day + 4) % 7 + 7) % 7);
}

/* minutes working minutes after t (t itself when 0). */
static int64_t add_wmin(const struct gen *g, int64_t t, int64_t minutes)
{
    int64_t out;
    if (minutes <= 0)
        return t;
    if (calendar_add_working_minutes(g->cal, t, minutes, &out) != 0)
        return t + minutes * MIN_MS;
    return out;
}

/* t if it is working time, else a little after the next working moment. */
static int64_t to_working(const struct gen *g, struct rng *r, int64_t t)
{
    if (calendar_is_working_time(g->cal, t))
        return t;
    return add_wmin(g, t, rng_range(r, 1, 25)) + jitter(r);
}

/* ---- the city -------------------------------------------------------------------------- */

struct walk {
    struct gen *g;
    char street[AREA_NAME_MAX + 1], community[AREA_NAME_MAX + 1];
    int64_t cum;
};

static int collect_cell(void *arg, const struct area *a)
{
    struct walk *w = arg;
    struct gen *g = w->g;
    struct cell *c;
    if (a->level == AREA_STREET)
        snprintf(w->street, sizeof(w->street), "%s", a->name);
    else if (a->level == AREA_COMMUNITY)
        snprintf(w->community, sizeof(w->community), "%s", a->name);
    if (a->level != AREA_CELL || a->maxx <= a->minx || a->maxy <= a->miny)
        return 0;
    if (g->n_cells == g->cap_cells) {
        g->cap_cells = g->cap_cells ? g->cap_cells * 2 : 1024;
        g->cells = xreallocarray(g->cells, g->cap_cells, sizeof(*g->cells));
        g->cell_cum = xreallocarray(g->cell_cum, g->cap_cells, sizeof(*g->cell_cum));
    }
    c = &g->cells[g->n_cells];
    snprintf(c->code, sizeof(c->code), "%s", a->code);
    {
        char full[3 * (AREA_NAME_MAX + 1) + 32];
        snprintf(full, sizeof(full), "佛山市南海区%s%s%s", w->street, w->community, a->name);
        /* names are short; a long one would be cut inside a character, so fall back */
        if (strlen(full) < sizeof(c->address))
            memcpy(c->address, full, strlen(full) + 1);
        else
            snprintf(c->address, sizeof(c->address), "%s", a->name);
    }
    c->minx = a->minx;
    c->miny = a->miny;
    c->maxx = a->maxx;
    c->maxy = a->maxy;
    w->cum += a->households + 5; /* where people live, cases happen; empty cells a little */
    g->cell_cum[g->n_cells] = w->cum;
    g->n_cells++;
    return 0;
}

static int pick_cell(struct gen *g, struct rng *r)
{
    int64_t total = g->cell_cum[g->n_cells - 1];
    int64_t x = (int64_t)(rng_next(r) % (uint64_t)total);
    size_t lo = 0, hi = g->n_cells - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (g->cell_cum[mid] > x)
            hi = mid;
        else
            lo = mid + 1;
    }
    return (int)lo;
}

/* ---- seasons --------------------------------------------------------------------------- */

/* Spring Festival holiday starts: the calendar's first 春节 day off of each year, else the
 * day before Lunar New Year from the table. */
static void find_festivals(struct gen *g, int y0, int y1)
{
    for (int y = y0; y <= y1 && g->n_festival < (int)N_ELEMS(g->festival); y++) {
        int64_t at = 0;
        size_t n = calendar_day_count(g->cal);
        for (size_t i = 0; i < n; i++) {
            struct calendar_day d;
            if (calendar_day_at(g->cal, i, &d) != 0 || d.year != y || d.kind != DAY_OFF ||
                strstr(d.name, "春节") == NULL)
                continue;
            calendar_local_to_ms(g->cal, d.year, d.month, d.day, 0, 0, &at);
            break;
        }
        for (size_t i = 0; at == 0 && i < N_ELEMS(lunar_new_year); i++)
            if (lunar_new_year[i].y == y &&
                calendar_local_to_ms(g->cal, y, lunar_new_year[i].m, lunar_new_year[i].d, 0, 0,
                                     &at) == 0)
                at -= DAY_MS;
        if (at != 0)
            g->festival[g->n_festival++] = at;
    }
}

/* Wage arrears around the Spring Festival: rising over the six weeks before it (workers want
 * their pay to go home), low during it, a little up when they return. */
static double wages_factor(const struct gen *g, int64_t day)
{
    for (int i = 0; i < g->n_festival; i++) {
        int64_t d = (g->festival[i] - day) / DAY_MS; /* days until the holiday */
        if (d > 0 && d <= 42)
            return d <= 10 ? 5.0 : 1.0 + 4.0 * (double)(42 - d) / 32.0;
        if (d <= 0 && d > -8)
            return 0.4;
        if (d <= -8 && d > -22)
            return 1.4;
    }
    return 1.0;
}

/* 1 when a named holiday (a weekday off) lies within 4 days of day. */
static int near_holiday(const struct gen *g, int64_t day)
{
    for (int k = -4; k <= 4; k++) {
        int y, m, d;
        int64_t t = day + k * DAY_MS + 12 * HOUR_MS;
        calendar_local_date(g->cal, t, &y, &m, &d);
        if (calendar_day_kind(g->cal, y, m, d) == DAY_OFF && local_weekday(g, t) % 6 != 0)
            return 1;
    }
    return 0;
}

static double season_factor(const struct gen *g, enum season s, int month, int64_t day,
                            int is_near_holiday)
{
    double f = month_factor[s][month - 1];
    if (s == S_WAGES)
        f *= wages_factor(g, day);
    if (s == S_DISPUTE && is_near_holiday)
        f *= 1.3;
    return f;
}

/* ---- arrivals -------------------------------------------------------------------------- */

static int compare_arrival(const void *a, const void *b)
{
    const struct sim_case *x = a, *y = b;
    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    /* the draw order breaks ties: kept in id (set to the draw index before sorting) */
    return x->id < y->id ? -1 : x->id > y->id;
}

/* The next Tuesday on or after day that is a working day and inside the year, else 0. */
static int64_t office_day(const struct gen *g, int64_t day)
{
    for (int k = 0; k < 7; k++) {
        int64_t t = day + k * DAY_MS;
        int y, m, d;
        if (local_weekday(g, t + 12 * HOUR_MS) != 2)
            continue;
        calendar_local_date(g->cal, t + 12 * HOUR_MS, &y, &m, &d);
        if (!calendar_is_working_day(g->cal, y, m, d) || t + DAY_MS > g->end_ms)
            return 0;
        return t;
    }
    return 0;
}

static void add_arrival(struct gen *g, size_t *cap, struct rng *r, int64_t day, int cat)
{
    const struct category_row *row = &categories[cat];
    struct sim_case *s;
    int ch = rng_weighted(r, channel_w[row->kind], DEMO_CASES_CHANNELS);
    int hour, weekday = local_weekday(g, day + 12 * HOUR_MS), y, m, d;
    int is_workday;

    calendar_local_date(g->cal, day + 12 * HOUR_MS, &y, &m, &d);
    is_workday = calendar_is_working_day(g->cal, y, m, d);
    if (ch == CH_OFFICE_HOURS && weekday != 2) {
        /* 直联 office hours are on Tuesdays: the resident comes then, or phones instead. */
        int64_t tue = office_day(g, day);
        if (tue != 0)
            day = tue;
        else
            ch = CH_PHONE;
    } else if (ch == CH_OFFICE_HOURS && !is_workday) {
        ch = CH_PHONE;
    }
    if ((ch == CH_PATROL || ch == CH_VISIT) && !is_workday && rng_chance(r, 0.3))
        ch = CH_WEB; /* fewer patrols on days off */
    hour = rng_weighted(r, hour_w[channel_hours[ch]], 24);

    if (g->n_cases == *cap) {
        *cap = *cap ? *cap * 2 : 4096;
        g->cases = xreallocarray(g->cases, *cap, sizeof(*g->cases));
    }
    s = &g->cases[g->n_cases];
    memset(s, 0, sizeof(*s));
    s->at = day + hour * HOUR_MS + rng_below(r, 60) * MIN_MS + jitter(r);
    s->id = (int64_t)g->n_cases; /* draw order, for a stable sort */
    s->cat = (uint8_t)cat;
    s->channel = (uint8_t)ch;
    s->urgency = (uint8_t)rng_weighted(r, urgency_w[row->urgency], 3);
    if (s->at < g->start_ms || s->at >= g->end_ms)
        return;
    g->n_cases++;
}

static void make_arrivals(struct gen *g, int target)
{
    struct rng r;
    double(*lambda)[N_CATEGORIES] = xcalloc(YEAR_DAYS + 1, sizeof(*lambda));
    double total = 0, scale;
    int64_t first_day = local_midnight(g, g->start_ms);
    size_t cap = 0;

    rng_seed(&r, g->seed, 1);
    for (int k = 0; k <= YEAR_DAYS; k++) {
        int64_t day = first_day + k * DAY_MS;
        int y, m, d, holiday, is_off;
        double wf;
        calendar_local_date(g->cal, day + 12 * HOUR_MS, &y, &m, &d);
        wf = weekday_factor[local_weekday(g, day + 12 * HOUR_MS)];
        is_off = calendar_day_kind(g->cal, y, m, d);
        if (is_off == DAY_OFF)
            wf = weekday_factor[0] * 1.1; /* a holiday is like a Sunday */
        else if (is_off == DAY_WORK)
            wf = weekday_factor[5];
        holiday = near_holiday(g, day);
        for (int c = 0; c < N_CATEGORIES; c++) {
            const struct category_row *row = &categories[c];
            if (taxonomy_find(g->rules->tax, row->code) == NULL)
                continue; /* an imported taxonomy without it */
            lambda[k][c] = row->weight * wf * season_factor(g, row->season, m, day, holiday);
            total += lambda[k][c];
        }
    }
    scale = total > 0 ? (double)target / total : 0;
    for (int k = 0; k <= YEAR_DAYS; k++)
        for (int c = 0; c < N_CATEGORIES; c++) {
            int n = rng_count(&r, lambda[k][c] * scale);
            for (int i = 0; i < n; i++)
                add_arrival(g, &cap, &r, first_day + k * DAY_MS, c);
        }
    free(lambda);
    qsort(g->cases, g->n_cases, sizeof(*g->cases), compare_arrival);
    for (size_t i = 0; i < g->n_cases; i++) {
        g->cases[i].id = 0;
        g->cases[i].merge_target = -1;
        g->cases[i].stall = CASE_STATE_COUNT;
        rng_seed(&g->cases[i].rng, g->seed, 1000 + i);
    }
}

/* ---- the event heap and the watch list -------------------------------------------------- */

static int event_before(const struct event *a, const struct event *b)
{
    return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static void heap_push(struct gen *g, int64_t at, uint32_t idx)
{
    struct event e = {at, g->seq++, idx, g->cases[idx].gen};
    size_t i;
    if (g->n_heap == g->cap_heap) {
        g->cap_heap = g->cap_heap ? g->cap_heap * 2 : 4096;
        g->heap = xreallocarray(g->heap, g->cap_heap, sizeof(*g->heap));
    }
    i = g->n_heap++;
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!event_before(&e, &g->heap[parent]))
            break;
        g->heap[i] = g->heap[parent];
        i = parent;
    }
    g->heap[i] = e;
}

static struct event heap_pop(struct gen *g)
{
    struct event top = g->heap[0], last = g->heap[--g->n_heap];
    size_t i = 0;
    for (;;) {
        size_t child = 2 * i + 1;
        if (child >= g->n_heap)
            break;
        if (child + 1 < g->n_heap && event_before(&g->heap[child + 1], &g->heap[child]))
            child++;
        if (!event_before(&g->heap[child], &last))
            break;
        g->heap[i] = g->heap[child];
        i = child;
    }
    if (g->n_heap > 0)
        g->heap[i] = last;
    return top;
}

/* The sweep can only touch a case whose running step will be late: keep those in view. */
static void watch(struct gen *g, uint32_t idx)
{
    struct sim_case *s = &g->cases[idx];
    if (s->watched)
        return;
    if (g->n_watch == g->cap_watch) {
        g->cap_watch = g->cap_watch ? g->cap_watch * 2 : 256;
        g->watch = xreallocarray(g->watch, g->cap_watch, sizeof(*g->watch));
    }
    g->watch[g->n_watch++] = idx;
    s->watched = 1;
}

/* Schedule the case's next action at `at` (dropped past the end of the year). */
static void schedule(struct gen *g, uint32_t idx, int64_t at)
{
    struct sim_case *s = &g->cases[idx];
    if (s->due_ms > 0 && at > s->due_ms)
        watch(g, idx);
    if (at < g->end_ms)
        heap_push(g, at, idx);
}

/* ---- who acts -------------------------------------------------------------------------- */

static void principal_of(const struct gen *g, const struct sim_case *s, enum role role,
                         struct principal *p)
{
    const struct demo_cases_users *u = g->users;
    memset(p, 0, sizeof(*p));
    p->role = role;
    snprintf(p->scope, sizeof(p->scope), "%s", u->district);
    switch (role) {
    case ROLE_RESIDENT:
        p->user_id = u->resident;
        break;
    case ROLE_GRID_WORKER:
        p->user_id = u->grid_worker;
        break;
    case ROLE_COMMUNITY_STAFF:
        p->user_id = u->community_staff;
        break;
    case ROLE_STATION_CADRE:
        p->user_id = u->station_cadre;
        break;
    case ROLE_DEPARTMENT_HANDLER:
        p->user_id = u->department_handler;
        snprintf(p->department, sizeof(p->department), "%s", s->department);
        break;
    case ROLE_LEADER:
        p->user_id = u->leader;
        break;
    case ROLE_COUNCIL_MEMBER:
        p->user_id = u->council_member;
        break;
    case ROLE_ADMIN:
        p->user_id = u->admin;
        break;
    default:
        p->user_id = u->dispatcher;
        break;
    }
}

/* Cases from the field are the community's to run; the rest the command centre's. */
static int is_field(const struct sim_case *s)
{
    return s->channel == CH_PATROL || s->channel == CH_VISIT || s->channel == CH_BUILDING_CHIEF ||
           s->channel == CH_COUNCIL;
}

static enum role coordinator(const struct sim_case *s)
{
    if (s->channel == CH_OFFICE_HOURS)
        return ROLE_STATION_CADRE;
    return is_field(s) ? ROLE_COMMUNITY_STAFF : ROLE_DISPATCHER;
}

static const struct class_text *class_text_of(int cat)
{
    for (size_t i = 0; i < N_ELEMS(class_texts); i++)
        if (strncmp(class_texts[i].cls, categories[cat].code, 2) == 0)
            return &class_texts[i];
    return &class_texts[N_ELEMS(class_texts) - 1];
}

/* ---- planning -------------------------------------------------------------------------- */

/* The last RECENT_CASES reported cases of a category; the newest of the last 7 days that is
 * still a case of its own is what a duplicate duplicates (-1: none). */
static int find_original(const struct gen *g, int cat, int64_t now)
{
    for (int k = 0; k < RECENT_CASES; k++) {
        int pos = (g->recent_pos[cat] - 1 - k + 2 * RECENT_CASES) % RECENT_CASES;
        int j = g->recent[cat][pos] - 1;
        const struct sim_case *t;
        if (j < 0)
            continue;
        t = &g->cases[j];
        if (t->at >= now - 7 * DAY_MS && t->path != PATH_MERGE && t->path != PATH_REJECT)
            return j;
    }
    return -1;
}

/* Draw the case's plan and place (at its arrival, in time order). */
static void plan_case(struct gen *g, uint32_t idx)
{
    struct sim_case *s = &g->cases[idx];
    struct rng *r = &s->rng;
    const struct category_row *row = &categories[s->cat];
    const struct cell *c;
    int field = s->channel == CH_PATROL || s->channel == CH_VISIT;
    int dispatched, complex_cat;

    s->path = (uint8_t)rng_weighted(
        r, row->kind == K_FOUND && field ? path_w_found_field : path_w[row->kind], PATH_COUNT);
    if (s->path == PATH_MERGE && (s->merge_target = find_original(g, s->cat, s->at)) < 0)
        s->path = PATH_DISPATCH;
    if (s->path == PATH_ON_SITE && row->kind == K_CONSULT)
        s->path = PATH_ANSWER;

    /* where: a duplicate is reported next to what it duplicates */
    if (s->merge_target >= 0) {
        const struct sim_case *t = &g->cases[s->merge_target];
        double dx = (rng_unit(r) - 0.5) * 0.0006, dy = (rng_unit(r) - 0.5) * 0.0006;
        s->cell = t->cell;
        c = &g->cells[s->cell];
        s->lon = t->lon + dx;
        s->lat = t->lat + dy;
        if (s->lon <= c->minx || s->lon >= c->maxx)
            s->lon = t->lon;
        if (s->lat <= c->miny || s->lat >= c->maxy)
            s->lat = t->lat;
    } else {
        s->cell = pick_cell(g, r);
        c = &g->cells[s->cell];
        s->lon = c->minx + (0.02 + 0.96 * rng_unit(r)) * (c->maxx - c->minx);
        s->lat = c->miny + (0.02 + 0.96 * rng_unit(r)) * (c->maxy - c->miny);
    }

    /* who reports */
    if (s->channel == CH_APP)
        s->reporter = REP_RESIDENT;
    else if (s->channel == CH_OPEN311)
        s->reporter = REP_PUBLIC;
    else if (s->channel == CH_WEB)
        s->reporter = rng_chance(r, 0.65) ? REP_RESIDENT : REP_PUBLIC;
    else
        s->reporter = REP_STAFF;

    /* detours */
    dispatched = s->path == PATH_DISPATCH || s->path == PATH_NOT_RESOLVED;
    complex_cat = categories[s->cat].season == S_WAGES || strncmp(row->code, "07", 2) == 0 ||
                  strncmp(row->code, "09", 2) == 0 || strncmp(row->code, "10", 2) == 0;
    if (dispatched) {
        if (rng_chance(r, 0.04))
            s->escalations = (uint8_t)(rng_chance(r, 0.2) ? 2 : 1);
        s->returns = rng_chance(r, 0.025);
        s->reworks = (uint8_t)(rng_chance(r, 0.07) ? (rng_chance(r, 0.1) ? 2 : 1) : 0);
        s->will_extend = complex_cat && rng_chance(r, 0.12);
        s->will_deny = s->will_extend && rng_chance(r, 0.2);
        s->will_suspend = rng_chance(r, complex_cat ? 0.02 : 0.003);
        s->will_supervise = rng_chance(r, complex_cat ? 0.04 : 0.005);
    }
    if (s->reporter == REP_RESIDENT) {
        s->will_evaluate = rng_chance(r, 0.6);
        s->low_ratings = s->will_evaluate && rng_chance(r, 0.03);
    } else if (s->path != PATH_REJECT && s->path != PATH_MERGE) {
        s->staff_reopens = rng_chance(r, 0.006); /* 回访不满意: staff reopen for the resident */
    }

    /* the newest cases: some are left where they are */
    if (s->at >= g->end_ms - STALL_DAYS * DAY_MS && rng_chance(r, 0.35)) {
        int recent = s->at >= g->end_ms - 2 * DAY_MS;
        if (s->path == PATH_ON_SITE)
            s->stall = CASE_STATE_RESOLVED_ON_SITE;
        else if (s->path == PATH_ANSWER)
            s->stall = recent ? CASE_STATE_REPORTED : CASE_STATE_ANSWERED;
        else if (dispatched) {
            static const int w_recent[] = {10, 10, 45, 20, 15};
            static const int w_old[] = {0, 0, 60, 20, 20};
            static const uint8_t states[] = {CASE_STATE_ACCEPTED, CASE_STATE_DISPATCHED,
                                             CASE_STATE_IN_PROGRESS, CASE_STATE_HANDLED,
                                             CASE_STATE_VERIFIED};
            s->stall = states[rng_weighted(r, recent ? w_recent : w_old, 5)];
        }
    }
}

/* Limits of the short steps (deadline.h's defaults), by urgency: working minutes, clock
 * minutes for emergencies (someone is on duty day and night). */
enum step_kind { STEP_QUICK, STEP_SIGN_FOR, STEP_CHECK };
static const int step_limits[3][3] = {
    [STEP_QUICK] = {60, 10, 5},     /* accept, dispatch (and what replaces them) */
    [STEP_SIGN_FOR] = {60, 30, 10}, /* sign for */
    [STEP_CHECK] = {60, 60, 60},    /* verify */
};

/* When a short step gets done, counting from now: mostly in time, sometimes late, rarely very
 * late (days: the sweep cards it). */
static int64_t step_at(const struct gen *g, struct sim_case *s, int64_t now, enum step_kind k)
{
    struct rng *r = &s->rng;
    double u = rng_unit(r);
    int limit = step_limits[k][s->urgency], minutes;
    if (s->urgency == URG_EMERGENCY) {
        minutes = u < 0.92 ? rng_range(r, 1, limit - 1) : rng_range(r, limit + 2, limit + 60);
        return now + minutes * MIN_MS + jitter(r);
    }
    if (s->prompt > 0) {
        s->prompt--; /* just escalated: the level above acts at once */
        u = 0;
    }
    if (u < 0.935)
        minutes = rng_range(r, limit > 10 ? 3 : 1, limit - limit / 6);
    else if (u < 0.995)
        minutes = rng_range(r, limit + 5, limit * 3);
    else
        minutes = rng_range(r, limit * 4, limit * 10);
    return add_wmin(g, now, minutes) + jitter(r);
}

/* When the handling finishes: a fraction of the time the step allows (in working time, on the
 * clock for emergencies), late for some. */
static int64_t handle_time(const struct gen *g, struct sim_case *s, int64_t now)
{
    struct rng *r = &s->rng;
    double u = rng_unit(r), f;
    int64_t allowed;
    if (s->due_ms <= now)
        return step_at(g, s, now, STEP_QUICK);
    if (s->prompt > 0) {
        s->prompt = 0;
        u = 0;
    }
    if (u < 0.935)
        f = 0.04 + 0.82 * rng_unit(r) * rng_unit(r);
    else if (u < 0.99)
        f = 1.1 + 0.5 * rng_unit(r);
    else
        f = 2.4 + 0.6 * rng_unit(r);
    if (s->urgency == URG_EMERGENCY)
        return now + (int64_t)(f * (double)(s->due_ms - now));
    allowed = calendar_working_minutes_between(g->cal, now, s->due_ms);
    if (allowed < 1)
        allowed = 1;
    return add_wmin(g, now, (int64_t)(f * (double)allowed) + 1) + jitter(r);
}

/*
 * What to do next, from the state the case is in now and its plan: fills the action's fields
 * and the acting role. 0 when there is nothing more to do.
 */
static int plan_next(struct gen *g, struct sim_case *s, int64_t now, struct workflow_input *in,
                     enum role *role)
{
    struct rng *r = &s->rng;
    const struct class_text *ct = class_text_of(s->cat);
    static const char *const reasons[] = {"not_feasible", "not_feasible", "outside_jurisdiction",
                                          "resident_unreachable", "other"};

    memset(in, 0, sizeof(*in));
    in->now_ms = now;
    *role = coordinator(s);
    switch ((enum case_state)s->state) {
    case CASE_STATE_REPORTED:
        if (s->path == PATH_MERGE) {
            in->action = CASE_ACTION_MERGE;
            in->merge_into = g->cases[s->merge_target].number;
            *role = ROLE_DISPATCHER;
        } else if (s->path == PATH_REJECT) {
            in->action = CASE_ACTION_REJECT;
            in->reason = reject_reasons[rng_below(r, (int)N_ELEMS(reject_reasons))];
            if (*role == ROLE_STATION_CADRE)
                *role = ROLE_COMMUNITY_STAFF;
        } else if (s->path == PATH_ON_SITE) {
            in->action = CASE_ACTION_RESOLVE_ON_SITE;
            in->evidence = "网格员现场处置完毕，处置前后照片已留存。";
            *role = ROLE_GRID_WORKER;
        } else if (s->path == PATH_ANSWER && categories[s->cat].kind == K_CONSULT) {
            in->action = CASE_ACTION_ANSWER;
            in->text = ct->answer;
            if (*role == ROLE_COMMUNITY_STAFF)
                *role = ROLE_DISPATCHER;
        } else {
            in->action = CASE_ACTION_ACCEPT;
        }
        return 1;
    case CASE_STATE_ACCEPTED:
        if (s->escalations > 0 && s->queue_level > 3) {
            in->action = CASE_ACTION_ESCALATE;
            in->reason = escalate_reasons[rng_below(r, (int)N_ELEMS(escalate_reasons))];
            *role = s->queue_level == 6   ? ROLE_GRID_WORKER
                    : s->queue_level == 5 ? ROLE_COMMUNITY_STAFF
                                          : ROLE_DISPATCHER;
        } else if (s->path == PATH_ANSWER) {
            in->action = CASE_ACTION_ANSWER;
            in->text = ct->answer;
            *role = ROLE_DISPATCHER;
        } else if (s->path == PATH_ON_SITE) {
            in->action = CASE_ACTION_RESOLVE_ON_SITE;
            in->evidence = "网格员接单后到场处置完毕，照片已上传。";
            *role = ROLE_GRID_WORKER;
        } else {
            in->action = CASE_ACTION_DISPATCH;
            /* routing picks the unit; after a return, the street office takes it over */
            if (s->redirect)
                in->department = strcmp(s->department, "street_office") == 0 ? "urban_management"
                                                                             : "street_office";
            *role = *role == ROLE_STATION_CADRE ? ROLE_DISPATCHER : *role;
        }
        return 1;
    case CASE_STATE_REOPENED:
        in->action = CASE_ACTION_DISPATCH;
        *role = ROLE_DISPATCHER;
        return 1;
    case CASE_STATE_DISPATCHED:
    case CASE_STATE_REWORK:
        *role = ROLE_DEPARTMENT_HANDLER;
        if (s->state == CASE_STATE_DISPATCHED && s->returns > 0) {
            in->action = CASE_ACTION_RETURN;
            in->reason = "经核实不属于本单位职责范围，申请退回重新派遣。";
        } else {
            in->action = CASE_ACTION_START;
        }
        return 1;
    case CASE_STATE_IN_PROGRESS:
        if (s->has_pending_ext) {
            *role = ROLE_DISPATCHER;
            if (s->will_deny) {
                in->action = CASE_ACTION_DENY_EXTENSION;
                in->reason = "时限内可以办结，请抓紧处置。";
            } else {
                in->action = CASE_ACTION_APPROVE_EXTENSION;
            }
        } else if (s->will_extend) {
            in->action = CASE_ACTION_REQUEST_EXTENSION;
            in->reason = "需协调多个部门联合处置，申请延期。";
            in->extension_days = rng_range(r, 3, 10);
            *role = ROLE_DEPARTMENT_HANDLER;
        } else if (s->will_supervise) {
            in->action = CASE_ACTION_SUPERVISE;
            in->supervision = SUPERVISION_NORMAL;
            *role = ROLE_LEADER;
        } else if (s->will_suspend) {
            in->action = CASE_ACTION_SUSPEND;
            in->reason = "需纳入年度改造计划统筹解决，暂缓办理。";
            *role = ROLE_DISPATCHER;
        } else if (s->will_urge) {
            in->action = CASE_ACTION_URGE;
            *role = ROLE_DISPATCHER;
        } else {
            in->action = CASE_ACTION_HANDLE;
            in->text = s->path == PATH_NOT_RESOLVED ? "经现场核查，该问题涉及历史遗留和规划调整，目"
                                                      "前暂不具备解决条件，已向诉求人解释。"
                                                    : ct->handle;
            *role = ROLE_DEPARTMENT_HANDLER;
        }
        return 1;
    case CASE_STATE_SUSPENDED:
        in->action = CASE_ACTION_RESUME;
        *role = ROLE_DISPATCHER;
        return 1;
    case CASE_STATE_HANDLED:
        *role = rng_chance(r, 0.8) ? ROLE_GRID_WORKER : ROLE_COMMUNITY_STAFF;
        if (s->reworks > 0) {
            in->action = CASE_ACTION_REWORK;
            in->reason = "现场核查发现问题未整改到位，要求返工。";
        } else {
            in->action = CASE_ACTION_VERIFY;
            in->text = "网格员现场核查，情况属实。";
        }
        return 1;
    case CASE_STATE_VERIFIED:
    case CASE_STATE_RESOLVED_ON_SITE:
    case CASE_STATE_ANSWERED:
        in->action = CASE_ACTION_CLOSE;
        if (*role == ROLE_STATION_CADRE)
            *role = ROLE_COMMUNITY_STAFF;
        if (s->state == CASE_STATE_ANSWERED) {
            in->outcome = OUTCOME_ANSWERED;
        } else if (s->path == PATH_NOT_RESOLVED) {
            in->outcome = OUTCOME_NOT_RESOLVED;
            in->outcome_reason = reasons[rng_below(r, (int)N_ELEMS(reasons))];
            if (strcmp(in->outcome_reason, "other") == 0)
                in->reason = "涉及多方历史遗留问题，需区级层面统筹研究。";
        } else {
            in->outcome = OUTCOME_RESOLVED;
        }
        return 1;
    case CASE_STATE_CLOSED:
        if (s->reporter == REP_RESIDENT && s->will_evaluate) {
            static const int stars_w[] = {0, 0, 0, 10, 25, 65};
            static const char *const notes[] = {"",
                                                "没有解决，不满意。",
                                                "问题没有彻底解决。",
                                                "基本解决，速度可以再快一些。",
                                                "问题已解决，满意。",
                                                "处理及时，非常满意！"};
            in->action = CASE_ACTION_EVALUATE;
            in->rating = s->low_ratings > 0 ? rng_range(r, 1, 2) : rng_weighted(r, stars_w, 6);
            in->text = notes[in->rating];
            *role = ROLE_RESIDENT;
            return 1;
        }
        if (s->staff_reopens > 0) {
            in->action = CASE_ACTION_REOPEN;
            in->reason = "电话回访时群众反映问题仍未解决，代为申请重启。";
            *role = ROLE_DISPATCHER;
            return 1;
        }
        return 0;
    default:
        return 0;
    }
}

/* The time of the next action, given the state the case is now in. */
static int64_t next_time(struct gen *g, struct sim_case *s, int64_t now)
{
    struct rng *r = &s->rng;
    switch ((enum case_state)s->state) {
    case CASE_STATE_REPORTED:
        if (s->path == PATH_ON_SITE && (s->channel == CH_PATROL || s->channel == CH_VISIT))
            return now + rng_range(r, 3, 40) * MIN_MS; /* the grid worker is there */
        return step_at(g, s, now, STEP_QUICK);
    case CASE_STATE_ACCEPTED:
    case CASE_STATE_REOPENED:
        return step_at(g, s, now, STEP_QUICK);
    case CASE_STATE_DISPATCHED:
    case CASE_STATE_REWORK:
        return step_at(g, s, now, STEP_SIGN_FOR);
    case CASE_STATE_IN_PROGRESS:
        if (s->handle_at == 0)
            s->handle_at = handle_time(g, s, now);
        if (s->has_pending_ext)
            return add_wmin(g, now, rng_range(r, 20, 300));
        if (s->will_extend || s->will_supervise || s->will_suspend) {
            int64_t t = now + (s->handle_at - now) / 3;
            return to_working(g, r, t);
        }
        if (s->will_urge) {
            int64_t t = to_working(g, r, s->due_ms + rng_range(r, 1, 4) * HOUR_MS);
            if (t < s->handle_at)
                return t;
            s->will_urge = 0; /* done before anyone urges */
        }
        return s->handle_at;
    case CASE_STATE_SUSPENDED:
        return to_working(g, r, now + rng_range(r, 5, 30) * DAY_MS);
    case CASE_STATE_HANDLED:
        return step_at(g, s, now, STEP_CHECK);
    case CASE_STATE_VERIFIED:
    case CASE_STATE_RESOLVED_ON_SITE:
    case CASE_STATE_ANSWERED:
        return add_wmin(g, to_working(g, r, now), rng_range(r, 5, 180));
    case CASE_STATE_CLOSED:
        if (s->reporter == REP_RESIDENT && s->will_evaluate)
            return now + rng_range(r, 30, 5 * 24 * 60) * MIN_MS; /* when the resident looks */
        return to_working(g, r, now + rng_range(r, 1, 7) * DAY_MS);
    default:
        return NEVER;
    }
}

/* Copy what the simulation tracks from a case row. */
static void sync_case(struct sim_case *s, const struct case_rec *c)
{
    enum case_state st = CASE_STATE_REPORTED;
    enum case_outcome oc = OUTCOME_NONE;
    workflow_state_parse(c->status, &st);
    if (c->outcome[0])
        workflow_outcome_parse(c->outcome, &oc);
    s->state = (uint8_t)st;
    s->outcome = (uint8_t)oc;
    s->queue_level = (uint8_t)c->queue_level;
    s->has_pending_ext = (uint8_t)c->has_pending_extension;
    s->due_ms = c->due_ms;
    s->step_started_ms = c->step_started_ms;
    s->closed_ms = c->closed_ms;
    if (c->department[0])
        snprintf(s->department, sizeof(s->department), "%s", c->department);
}

/* Schedule the case's next action after it moved at `now` (unless it stalls here). */
static void plan_after(struct gen *g, uint32_t idx, int64_t now)
{
    struct sim_case *s = &g->cases[idx];
    int64_t at;
    if (s->stall == s->state) {
        s->stalled = 1;
        if (s->due_ms > 0)
            watch(g, idx); /* only an escalation by the sweep wakes it */
        return;
    }
    at = next_time(g, s, now);
    if (at == NEVER)
        return;
    if (at <= now)
        at = now + MIN_MS;
    schedule(g, idx, at);
}

/* Note what a successful action changes in the plan. */
static void count_action(struct gen *g, struct sim_case *s, enum case_action a)
{
    struct demo_cases_result *res = g->res;
    res->actions++;
    switch (a) {
    case CASE_ACTION_ESCALATE:
        s->escalations--;
        res->escalated++;
        break;
    case CASE_ACTION_RETURN:
        s->returns--;
        s->redirect = 1;
        res->returned++;
        break;
    case CASE_ACTION_REWORK:
        s->reworks--;
        res->reworked++;
        break;
    case CASE_ACTION_REQUEST_EXTENSION:
        s->will_extend = 0;
        res->extended++;
        break;
    case CASE_ACTION_SUPERVISE:
        s->will_supervise = 0;
        res->supervised++;
        break;
    case CASE_ACTION_SUSPEND:
        s->will_suspend = 0;
        res->suspended++;
        break;
    case CASE_ACTION_URGE:
        s->will_urge = 0;
        res->urged++;
        break;
    case CASE_ACTION_START:
        s->handle_at = 0;
        break;
    case CASE_ACTION_EVALUATE:
        res->evaluated++;
        if (s->state == CASE_STATE_REOPENED) {
            s->low_ratings--;
            res->reopened++;
        } else {
            s->will_evaluate = 0;
        }
        break;
    case CASE_ACTION_REOPEN:
        s->staff_reopens--;
        res->reopened++;
        break;
    default:
        break;
    }
}

/* ---- the simulation steps ------------------------------------------------------------- */

/* Write the roll-up deltas gathered since the last commit (ours only: a context that came
 * with a batch of its own is flushed by its owner). */
static int flush_rollups(struct gen *g)
{
    return g->ctx->rollup_batch == &g->rollups ? rollups_batch_flush(g->st, &g->rollups) : 0;
}

static int batch_tick(struct gen *g)
{
    int r;
    if (++g->ops_in_batch < BATCH_OPS)
        return 0;
    g->ops_in_batch = 0;
    if ((r = flush_rollups(g)) != 0 || (r = store_commit(g->st)) != 0)
        return r;
    return store_begin(g->st);
}

static int report_case(struct gen *g, uint32_t idx, struct errbuf *eb)
{
    struct sim_case *s = &g->cases[idx];
    const struct category_row *row = &categories[s->cat];
    struct case_report rep;
    struct principal p;
    const struct principal *pp = &p;
    struct case_rec out;
    char name[32];
    int r;

    plan_case(g, idx);
    memset(&rep, 0, sizeof(rep));
    rep.channel = channel_names[s->channel];
    rep.category = row->code;
    rep.description = category_texts[s->cat][rng_below(&s->rng, 3)];
    rep.urgency = urgency_names[s->urgency];
    rep.has_point = 1;
    rep.lon = s->lon;
    rep.lat = s->lat;
    rep.address = g->cells[s->cell].address;
    rep.now_ms = s->at;
    snprintf(name, sizeof(name), "%s%s", surnames[rng_below(&s->rng, (int)N_ELEMS(surnames))],
             honorifics[rng_below(&s->rng, (int)N_ELEMS(honorifics))]);
    switch (s->channel) {
    case CH_WEB:
    case CH_APP:
    case CH_OPEN311:
        if (s->reporter == REP_RESIDENT) {
            principal_of(g, s, ROLE_RESIDENT, &p);
            rep.is_anonymous = rng_chance(&s->rng, 0.1);
        } else {
            pp = NULL;
            rep.reporter_name = rng_chance(&s->rng, 0.5) ? name : NULL;
        }
        break;
    case CH_PHONE:
        principal_of(g, s, ROLE_DISPATCHER, &p);
        rep.reporter_name = name;
        rep.is_anonymous = rng_chance(&s->rng, 0.05);
        break;
    case CH_PATROL:
    case CH_VISIT:
        principal_of(g, s, ROLE_GRID_WORKER, &p);
        if (s->channel == CH_VISIT)
            rep.reporter_name = name;
        break;
    case CH_OFFICE_HOURS:
        principal_of(g, s, ROLE_STATION_CADRE, &p);
        rep.reporter_name = name;
        break;
    case CH_COUNCIL:
        principal_of(g, s, g->users->council_member ? ROLE_COUNCIL_MEMBER : ROLE_COMMUNITY_STAFF,
                     &p);
        break;
    default:
        principal_of(g, s, ROLE_COMMUNITY_STAFF, &p);
        rep.reporter_name = name;
        break;
    }
    r = cases_report(g->ctx, pp, &rep, &out, NULL, eb);
    if (r != 0)
        return errbuf_set(eb, r, "cannot report demo case %u (%s, %s): %s", idx, row->code,
                          rep.channel, errbuf_message(eb, r));
    s->id = out.id;
    s->is_reported = 1;
    snprintf(s->number, sizeof(s->number), "%s", out.number);
    sync_case(s, &out);
    case_rec_cleanup(&out);
    g->res->by_channel[s->channel]++;
    g->res->cases++;
    g->recent[s->cat][g->recent_pos[s->cat]] = (int)idx + 1;
    g->recent_pos[s->cat] = (g->recent_pos[s->cat] + 1) % RECENT_CASES;
    plan_after(g, idx, s->at);
    return batch_tick(g);
}

/* Re-read a case the workflow refused to move as planned and carry on from where it is. */
static int resync(struct gen *g, uint32_t idx, int64_t now)
{
    struct sim_case *s = &g->cases[idx];
    struct case_rec c;
    int r = store_case_get(g->st, s->id, &c);
    if (r != 0)
        return r;
    sync_case(s, &c);
    case_rec_cleanup(&c);
    g->res->replanned++;
    if (++s->refusals > 4)
        return 0; /* give up on this one rather than loop */
    s->handle_at = 0;
    s->gen++;
    plan_after(g, idx, now);
    return 0;
}

static int act_case(struct gen *g, uint32_t idx, int64_t now, struct errbuf *eb)
{
    struct sim_case *s = &g->cases[idx];
    struct workflow_input in;
    struct principal p;
    struct case_rec out;
    struct errbuf detail = {{0}};
    enum role role;
    int r;

    s->watched = 0;
    if (!plan_next(g, s, now, &in, &role))
        return 0;
    principal_of(g, s, role, &p);
    r = cases_act(g->ctx, &p, s->id, &in, &out, &detail);
    if (r == ERR_INVALID_TRANSITION || r == ERR_FORBIDDEN || r == ERR_CONFLICT) {
        log_debug("demo", "case %s: %s refused in state %s: %s", s->number,
                  workflow_action_name(in.action), workflow_state_name(s->state),
                  errbuf_message(&detail, r));
        if ((r = resync(g, idx, now)) != 0)
            return r;
        return batch_tick(g);
    }
    if (r != 0)
        return errbuf_set(eb, r, "demo case %s: %s as %s failed: %s", s->number,
                          workflow_action_name(in.action), access_role_name(role),
                          errbuf_message(&detail, r));
    sync_case(s, &out);
    case_rec_cleanup(&out);
    count_action(g, s, in.action);
    if (in.action == CASE_ACTION_START && s->handle_at == 0) {
        s->handle_at = handle_time(g, s, now);
        /* a late handling is often urged by the command centre first */
        s->will_urge =
            s->due_ms > 0 && s->handle_at > s->due_ms + HOUR_MS && rng_chance(&s->rng, 0.6);
    }
    plan_after(g, idx, now);
    return batch_tick(g);
}

/* After a sweep escalated something: the watched cases it moved are picked up by the level
 * that now holds them. */
static int after_sweep(struct gen *g, int64_t now)
{
    size_t kept = 0;
    for (size_t i = 0; i < g->n_watch; i++) {
        uint32_t idx = g->watch[i];
        struct sim_case *s = &g->cases[idx];
        struct case_rec c;
        int r;
        if (!s->watched)
            continue;
        if ((r = store_case_get(g->st, s->id, &c)) != 0)
            return r;
        if (c.queue_level != s->queue_level ||
            strcmp(c.status, workflow_state_name(s->state)) != 0) {
            sync_case(s, &c);
            s->watched = 0;
            s->stalled = 0;
            s->stall = CASE_STATE_COUNT;
            s->handle_at = 0;
            s->prompt = 4;
            s->gen++; /* the pending action was for the old state */
            plan_after(g, idx, now + rng_range(&s->rng, 5, 60) * MIN_MS);
        } else {
            s->due_ms = c.due_ms;
            g->watch[kept++] = idx;
        }
        case_rec_cleanup(&c);
    }
    g->n_watch = kept;
    return 0;
}

static int run_sweep(struct gen *g, int64_t now)
{
    struct sweep_stats st;
    int r = cases_sweep(g->ctx, now, &st);
    if (r != 0)
        return r;
    g->res->sweeps++;
    g->res->sweep_yellow += st.yellow;
    g->res->sweep_red += st.red;
    g->res->sweep_escalated += st.escalated;
    if (st.escalated > 0 && (r = after_sweep(g, now)) != 0)
        return r;
    return batch_tick(g);
}

static int simulate(struct gen *g, struct errbuf *eb)
{
    struct progress pg;
    size_t next_arrival = 0;
    int64_t next_sweep = local_midnight(g, g->start_ms) + 10 * HOUR_MS;
    int r;

    while (next_sweep <= g->start_ms)
        next_sweep += DAY_MS;
    progress_init(&pg, "cases", (int64_t)g->n_cases);
    if ((r = store_begin(g->st)) != 0)
        return r;
    for (;;) {
        int64_t ta = next_arrival < g->n_cases ? g->cases[next_arrival].at : NEVER;
        int64_t te = g->n_heap > 0 ? g->heap[0].at : NEVER;
        int64_t ts = next_sweep < g->end_ms ? next_sweep : NEVER;
        if (ta == NEVER && te == NEVER && ts == NEVER)
            break;
        if (ta <= te && ta <= ts) {
            r = report_case(g, (uint32_t)next_arrival++, eb);
            progress_update(&pg, (int64_t)next_arrival);
        } else if (te <= ts) {
            struct event e = heap_pop(g);
            r = e.gen == g->cases[e.idx].gen ? act_case(g, e.idx, e.at, eb) : 0;
        } else {
            r = run_sweep(g, next_sweep);
            next_sweep += DAY_MS;
        }
        if (r != 0) {
            store_rollback(g->st);
            progress_finish(&pg);
            return r;
        }
    }
    progress_finish(&pg);
    if ((r = flush_rollups(g)) != 0 || (r = store_commit(g->st)) != 0)
        store_rollback(g->st);
    return r;
}

/* ---- the result ------------------------------------------------------------------------ */

static int tally(struct gen *g)
{
    struct demo_cases_result *res = g->res;
    for (size_t i = 0; i < g->n_cases; i++) {
        struct sim_case *s = &g->cases[i];
        if (!s->is_reported)
            continue;
        if (workflow_state_is_open(s->state)) {
            struct case_rec c;
            int r = store_case_get(g->st, s->id, &c);
            if (r != 0)
                return r;
            sync_case(s, &c);
            case_rec_cleanup(&c);
            res->open++;
            if (s->due_ms > 0 && s->due_ms < g->end_ms)
                res->overdue++;
        } else if (s->state == CASE_STATE_CLOSED || s->state == CASE_STATE_EVALUATED) {
            if (s->outcome == OUTCOME_RESOLVED)
                res->resolved++;
            else if (s->outcome == OUTCOME_ANSWERED)
                res->answered++;
            else
                res->not_resolved++;
        }
        res->by_state[s->state]++;
    }
    return 0;
}

/* ---- public ---------------------------------------------------------------------------- */

const char *demo_cases_channel_name(int i)
{
    return i >= 0 && i < DEMO_CASES_CHANNELS ? channel_names[i] : NULL;
}

int demo_cases_find_users(struct store *st, struct demo_cases_users *out, struct errbuf *eb)
{
    static const char *const names[] = {"resident",      "grid_worker", "community_staff",
                                        "station_cadre", "dispatcher",  "department_handler",
                                        "leader",        "admin",       "council_member"};
    int64_t *ids[] = {&out->resident,      &out->grid_worker, &out->community_staff,
                      &out->station_cadre, &out->dispatcher,  &out->department_handler,
                      &out->leader,        &out->admin,       &out->council_member};
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < N_ELEMS(names); i++) {
        struct user u;
        int r = store_user_get_by_name(st, names[i], &u);
        if (r == ERR_NOT_FOUND && strcmp(names[i], "council_member") == 0)
            continue;
        if (r != 0)
            return errbuf_set(eb, r, "demo user '%s' %s", names[i],
                              r == ERR_NOT_FOUND ? "does not exist: generate the city first"
                                                 : "cannot be read");
        *ids[i] = u.id;
        if (strcmp(names[i], "dispatcher") == 0)
            snprintf(out->district, sizeof(out->district), "%s", u.area_code);
    }
    return 0;
}

static int count_cases(void *arg, const char *key, int64_t n)
{
    (void)key;
    *(int64_t *)arg += n;
    return 0;
}

int demo_cases_generate(struct service_ctx *ctx, const struct demo_cases_options *opt,
                        struct demo_cases_result *out, struct errbuf *eb)
{
    struct gen *g = xcalloc(1, sizeof(*g));
    struct demo_cases_users users;
    struct demo_cases_result res;
    struct walk w;
    const char *scale = opt->scale ? opt->scale : "small";
    int64_t started = time_mono_ms(), existing = 0;
    int target = 0, y0, y1, m, d, r;

    memset(out, 0, sizeof(*out));
    memset(&res, 0, sizeof(res));
    for (size_t i = 0; i < N_ELEMS(scales); i++)
        if (strcmp(scales[i].name, scale) == 0)
            target = scales[i].cases;
    if (target == 0) {
        r = errbuf_set(eb, ERR_INVALID, "unknown scale '%s' (small or city)", scale);
        goto out;
    }
    g->ctx = ctx;
    g->st = ctx->st;
    g->res = &res;
    g->seed = opt->seed;
    g->end_ms = opt->end_ms;
    g->start_ms = opt->end_ms - YEAR_DAYS * DAY_MS;
    if (opt->users == NULL) {
        if ((r = demo_cases_find_users(g->st, &users, eb)) != 0)
            goto out;
        g->users = &users;
    } else {
        g->users = opt->users;
    }
    if (!areacode_is_valid(g->users->district)) {
        r = errbuf_set(eb, ERR_NOT_FOUND, "the demo dispatcher has no district");
        goto out;
    }
    if ((r = store_case_count_by_status(g->st, "", count_cases, &existing)) != 0)
        goto out;
    if (existing > 0) {
        r = errbuf_set(eb, ERR_EXISTS, "the database already holds %lld cases",
                       (long long)existing);
        goto out;
    }
    if ((r = rules_load(g->st, &g->rules, eb)) != 0)
        goto out;
    g->cal = g->rules->cal;
    if (calendar_local_date(g->cal, g->start_ms, &y0, &m, &d) != 0 ||
        calendar_local_date(g->cal, g->end_ms, &y1, &m, &d) != 0 || y0 < CALENDAR_YEAR_MIN ||
        y1 > CALENDAR_YEAR_MAX - 1) {
        r = errbuf_set(eb, ERR_INVALID, "the end of the demo year is out of range");
        goto out;
    }
    find_festivals(g, y0, y1 + 1);

    memset(&w, 0, sizeof(w));
    w.g = g;
    if ((r = store_area_walk(g->st, g->users->district, AREA_CELL, 0, collect_cell, &w)) != 0)
        goto out;
    if (g->n_cells == 0) {
        r = errbuf_set(eb, ERR_NOT_FOUND, "the demo city has no cells: generate it first");
        goto out;
    }
    make_arrivals(g, target);
    /* Reports and actions book their roll-ups in g->rollups, written once per cell per
     * transaction: on PostgreSQL a few statements per batch rather than a round trip per
     * cell and event. */
    if (ctx->rollup_batch == NULL)
        ctx->rollup_batch = &g->rollups;
    r = simulate(g, eb);
    if (ctx->rollup_batch == &g->rollups)
        ctx->rollup_batch = NULL;
    if (r != 0)
        goto out;
    if ((r = tally(g)) != 0)
        goto out;
    if ((r = store_outbox_mark_all_delivered(g->st, g->end_ms)) != 0)
        goto out;
    res.elapsed_ms = time_mono_ms() - started;
    log_info("demo", "cases generated scale=%s seed=%llu cases=%lld actions=%lld ms=%lld", scale,
             (unsigned long long)opt->seed, (long long)res.cases, (long long)res.actions,
             (long long)res.elapsed_ms);
    *out = res;
    r = 0;
out:
    rules_free(g->rules);
    free(g->cells);
    free(g->cell_cum);
    free(g->cases);
    free(g->heap);
    free(g->watch);
    rollups_batch_cleanup(&g->rollups);
    free(g);
    return r;
}
