/*
 * demo_disputes.c - the demo year of disputes and the demo councils (see demo_disputes.h).
 * Everything goes through the use cases of service/disputes.c and service/councils.c with
 * simulated times, so the rows, counters and event logs are what real use would leave. The
 * demo users act in their roles with the district as scope, as in demo_cases.c. Random draws
 * come from base/rng streams of the seed: one for disputes, one for councils.
 */
#include "service/demo_disputes.h"

#include "base/rng.h"
#include "base/xalloc.h"
#include "domain/areacode.h"
#include "service/context.h"
#include "service/councils.h"
#include "service/disputes.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS      (3600LL * 1000)
#define DAY_MS       (24 * HOUR_MS)
#define YEAR_MS      (365 * DAY_MS)
#define BATCH_WRITES 200 /* use cases per outer transaction */
#define N_ELEMS(a)   (sizeof(a) / sizeof((a)[0]))

struct gen {
    struct service_ctx *ctx;
    struct demo_disputes_result *res;
    struct errbuf *eb;
    int64_t start_ms, end_ms;
    int writes;
    struct principal staff, worker, mediator;
    char district[AREA_CODE_BUF];
    char mediator_area[AREA_CODE_BUF]; /* the demo mediator's own area */
    char member_hash[USER_HASH_MAX + 1];
    char (*grids)[AREA_CODE_BUF];
    size_t n_grids, cap_grids;
    char (*villages)[AREA_CODE_BUF];
    size_t n_villages, cap_villages;
};

static const char *const surnames[] = {"陈", "黄", "梁", "李", "何", "林", "张", "罗",
                                       "冼", "区", "潘", "邓", "麦", "关", "吴", "谭"};
static const char *const given[] = {"伟", "芳", "强", "敏", "杰", "丽", "军", "婷",
                                    "志", "华", "勇", "玲", "浩", "霞", "明", "燕"};

/* ---- setup --------------------------------------------------------------------------------- */

static int principal_of(struct gen *g, const char *username, enum role role, const char *district,
                        struct principal *p, struct user *u_out)
{
    struct user u;
    int r = store_user_get_by_name(g->ctx->st, username, &u);
    if (r != 0)
        return errbuf_set(g->eb, r, "demo user '%s' %s", username,
                          r == ERR_NOT_FOUND ? "does not exist: generate the city first"
                                             : "cannot be read");
    memset(p, 0, sizeof(*p));
    p->user_id = u.id;
    p->role = role;
    snprintf(p->scope, sizeof(p->scope), "%s", district);
    if (u_out != NULL)
        *u_out = u;
    return 0;
}

static int collect_area(void *arg, const struct area *a)
{
    struct gen *g = arg;
    if (a->level == AREA_GRID) {
        if (g->n_grids == g->cap_grids) {
            g->cap_grids = g->cap_grids ? g->cap_grids * 2 : 64;
            g->grids = xreallocarray(g->grids, g->cap_grids, sizeof(*g->grids));
        }
        snprintf(g->grids[g->n_grids++], AREA_CODE_BUF, "%s", a->code);
    } else if (a->level == AREA_COMMUNITY && areacode_is_village(a->code)) {
        if (g->n_villages == g->cap_villages) {
            g->cap_villages = g->cap_villages ? g->cap_villages * 2 : 32;
            g->villages = xreallocarray(g->villages, g->cap_villages, sizeof(*g->villages));
        }
        snprintf(g->villages[g->n_villages++], AREA_CODE_BUF, "%s", a->code);
    }
    return 0;
}

/* Commit the batch every BATCH_WRITES use cases (each use case is a savepoint inside it). */
static int batch_tick(struct gen *g)
{
    int r;
    if (++g->writes % BATCH_WRITES != 0)
        return 0;
    if ((r = store_commit(g->ctx->st)) != 0)
        return r;
    return store_begin(g->ctx->st);
}

static void person_name(struct rng *r, char *out, size_t size)
{
    snprintf(out, size, "%s某%s", surnames[rng_below(r, (int)N_ELEMS(surnames))],
             given[rng_below(r, (int)N_ELEMS(given))]);
}

/* ---- disputes ------------------------------------------------------------------------------ */

struct dispute_kind {
    enum dispute_type type;
    int weight;
    const char *title;
    const char *other_party; /* NULL: two residents; else an organisation's name */
};

static const struct dispute_kind kinds[] = {
    {DISPUTE_TYPE_NEIGHBOUR, 30, "邻里漏水纠纷", NULL},
    {DISPUTE_TYPE_FAMILY, 18, "赡养老人纠纷", NULL},
    {DISPUTE_TYPE_LABOUR_WAGES, 12, "拖欠工资纠纷", "某建筑劳务公司"},
    {DISPUTE_TYPE_PROPERTY, 10, "物业费纠纷", "某物业服务公司"},
    {DISPUTE_TYPE_LAND_EXPROPRIATION, 6, "宅基地界线纠纷", NULL},
    {DISPUTE_TYPE_CONSUMER, 8, "预付卡退费纠纷", "某健身会所"},
    {DISPUTE_TYPE_TRAFFIC, 7, "电动车碰撞赔偿纠纷", NULL},
    {DISPUTE_TYPE_MEDICAL, 3, "诊疗费用纠纷", "某社区卫生服务站"},
    {DISPUTE_TYPE_OTHER, 6, "其他纠纷", NULL},
};

static const struct dispute_kind *pick_kind(struct rng *r, int64_t found_ms, int64_t end_ms)
{
    int total = 0, x;
    /* wage arrears peak in the six weeks before the Spring Festival (about the last weeks of
     * the demo year's January-February); approximated as the 8th and 9th month before end */
    int64_t months_before = (end_ms - found_ms) / (30 * DAY_MS);
    int boost = months_before >= 8 && months_before <= 9 ? 3 : 1;
    for (size_t i = 0; i < N_ELEMS(kinds); i++)
        total += kinds[i].weight * (kinds[i].type == DISPUTE_TYPE_LABOUR_WAGES ? boost : 1);
    x = rng_below(r, total);
    for (size_t i = 0; i < N_ELEMS(kinds); i++) {
        x -= kinds[i].weight * (kinds[i].type == DISPUTE_TYPE_LABOUR_WAGES ? boost : 1);
        if (x < 0)
            return &kinds[i];
    }
    return &kinds[0];
}

/* Move *t on by lo..hi hours; 0 when that passes the end of the year (stop there). */
static int advance(struct gen *g, struct rng *r, int64_t *t, int lo_h, int hi_h)
{
    *t += (int64_t)rng_range(r, lo_h, hi_h) * HOUR_MS + rng_below(r, 3600) * 1000LL;
    return *t < g->end_ms;
}

static int dact(struct gen *g, const struct principal *p, struct dispute_rec *d,
                enum dispute_action action, const char *text, const char *reason, const char *extra,
                int64_t mediator_user, int64_t at)
{
    struct dispute_input in;
    int r;
    memset(&in, 0, sizeof(in));
    in.action = action;
    in.text = text;
    in.reason = reason;
    if (action == DISPUTE_ACTION_REFER)
        in.referral = extra;
    if (action == DISPUTE_ACTION_ASSIGN_MEDIATOR) {
        in.mediator_role = extra;
        in.mediator_name = text;
        in.text = NULL;
    }
    if ((r = disputes_act(g->ctx, p, d->id, &in, mediator_user, at, d, g->eb)) != 0)
        return r;
    return batch_tick(g);
}

/* Parties remembered per grid so that some disputes recur between the same people. */
struct last_parties {
    char a[64], b[64];
    int is_set;
};

static int one_dispute(struct gen *g, struct rng *r, const char *grid, struct last_parties *last)
{
    static const char *const roles[] = {"peoples_mediator",
                                        "peoples_mediator",
                                        "peoples_mediator",
                                        "peoples_mediator",
                                        "police_officer",
                                        "lawyer",
                                        "judge",
                                        "prosecutor"};
    static const char *const referrals[] = {"court", "arbitration", "petition_office"};
    struct dispute_new in;
    struct dispute_rec d;
    const struct dispute_kind *k;
    const struct principal *med;
    char a[64], b[64], summary[160], mediator_name[64];
    int64_t t, mediator_user = 0;
    int risk = rng_below(r, 100), sessions, fate, rc;

    memset(&in, 0, sizeof(in));
    t = g->start_ms + (int64_t)rng_below(r, 365) * DAY_MS + rng_range(r, 8, 19) * HOUR_MS;
    if (t >= g->end_ms)
        return 0;
    k = pick_kind(r, t, g->end_ms);
    if (last->is_set && rng_chance(r, 0.06)) {
        snprintf(a, sizeof(a), "%s", last->a);
        snprintf(b, sizeof(b), "%s", last->b);
    } else {
        person_name(r, a, sizeof(a));
        if (k->other_party != NULL)
            snprintf(b, sizeof(b), "%s", k->other_party);
        else
            person_name(r, b, sizeof(b));
    }
    snprintf(last->a, sizeof(last->a), "%s", a);
    snprintf(last->b, sizeof(last->b), "%s", b);
    last->is_set = 1;
    snprintf(summary, sizeof(summary), "%s与%s之间的%s", a, b, k->title);
    in.area_code = grid;
    in.title = k->title;
    in.type = dispute_type_name(k->type);
    in.risk = risk < 60 ? "low" : risk < 88 ? "medium" : risk < 97 ? "high" : "major";
    in.summary = summary;
    in.parties[0] = (struct dispute_party_in){"outsider", 0, 0, a, "applicant"};
    in.parties[1] = (struct dispute_party_in){"outsider", 0, 0, b, "respondent"};
    in.n_parties = 2;
    in.found_ms = t;
    in.now_ms = t;
    if ((rc = disputes_register(g->ctx, rng_chance(r, 0.6) ? &g->worker : &g->staff, &in, &d,
                                g->eb)) != 0 ||
        (rc = batch_tick(g)) != 0)
        return rc;
    g->res->disputes++;
    g->res->recurrences += d.recurrence_of != 0;
    /* accept */
    if (!advance(g, r, &t, 1, 48))
        goto done;
    if ((rc = dact(g, &g->staff, &d, DISPUTE_ACTION_ACCEPT, NULL, NULL, NULL, 0, t)) != 0)
        return rc;
    /* high and major risks go up one more level */
    if (risk >= 88 && rng_chance(r, 0.5)) {
        if (!advance(g, r, &t, 2, 72))
            goto done;
        if ((rc = dact(g, &g->staff, &d, DISPUTE_ACTION_ESCALATE, NULL, "涉及人数多, 提请上级调处",
                       NULL, 0, t)) != 0)
            return rc;
        g->res->escalated++;
    }
    /* a mediator: the demo mediator where they work, else a named one without an account */
    if (!advance(g, r, &t, 1, 24))
        goto done;
    med = &g->staff;
    if (areacode_in_subtree(d.area_code, g->mediator_area) && rng_chance(r, 0.7)) {
        mediator_user = g->mediator.user_id;
        med = &g->mediator;
        snprintf(mediator_name, sizeof(mediator_name), "%s", "调解员");
    } else {
        person_name(r, mediator_name, sizeof(mediator_name));
    }
    if ((rc = dact(g, &g->staff, &d, DISPUTE_ACTION_ASSIGN_MEDIATOR, mediator_name, NULL,
                   mediator_user ? "peoples_mediator" : roles[rng_below(r, (int)N_ELEMS(roles))],
                   mediator_user, t)) != 0)
        return rc;
    if (!advance(g, r, &t, 4, 72))
        goto done;
    if ((rc = dact(g, med, &d, DISPUTE_ACTION_START_MEDIATION, NULL, NULL, NULL, 0, t)) != 0)
        return rc;
    fate = rng_below(r, 100);
    if (fate >= 95) { /* withdrawn before any session */
        if (!advance(g, r, &t, 24, 240))
            goto done;
        rc = dact(g, med, &d, DISPUTE_ACTION_WITHDRAW, NULL, "双方自行和解, 申请撤回", NULL, 0, t);
        goto finished;
    }
    sessions = rng_range(r, 1, 3);
    for (int i = 0; i < sessions; i++) {
        if (!advance(g, r, &t, 48, 168))
            goto done;
        if ((rc = dact(g, med, &d, DISPUTE_ACTION_RECORD_SESSION,
                       i == 0 ? "分别听取双方陈述, 释法明理" : "面对面调解, 提出调解方案", NULL,
                       NULL, 0, t)) != 0)
            return rc;
    }
    if (!advance(g, r, &t, 24, 120))
        goto done;
    if (fate >= 85) {
        rc = dact(g, med, &d, DISPUTE_ACTION_REFER, NULL, "调解不成, 引导通过法定途径解决",
                  referrals[rng_below(r, 3)], 0, t);
        goto finished;
    }
    if (fate >= 60) {
        rc =
            dact(g, med, &d, DISPUTE_ACTION_CONCLUDE, "经调解双方互谅, 纠纷调结", NULL, NULL, 0, t);
        goto finished;
    }
    if ((rc = dact(g, med, &d, DISPUTE_ACTION_REACH_AGREEMENT, "达成书面调解协议, 约定履行期限",
                   NULL, NULL, 0, t)) != 0)
        return rc;
    /* follow-up visits, and now and then an agreement that did not hold */
    for (int i = rng_range(r, 1, 2); i > 0; i--) {
        if (!advance(g, r, &t, 24 * 7, 24 * 30))
            goto done;
        if ((rc = dact(g, &g->worker, &d, DISPUTE_ACTION_FOLLOW_UP, "回访: 协议履行正常", NULL,
                       NULL, 0, t)) != 0)
            return rc;
        g->res->follow_ups++;
    }
    if (rng_chance(r, 0.04)) {
        if (!advance(g, r, &t, 24, 24 * 14))
            goto done;
        if ((rc = dact(g, med, &d, DISPUTE_ACTION_REOPEN, NULL, "一方未按协议履行", NULL, 0, t)) !=
            0)
            return rc;
        if (!advance(g, r, &t, 48, 168))
            goto done;
        if ((rc = dact(g, med, &d, DISPUTE_ACTION_RECORD_SESSION, "再次调解, 督促履行", NULL, NULL,
                       0, t)) != 0)
            return rc;
        if (!advance(g, r, &t, 24, 72))
            goto done;
        rc = dact(g, med, &d, DISPUTE_ACTION_CONCLUDE, "已履行完毕, 纠纷调结", NULL, NULL, 0, t);
        goto finished;
    }
    goto done;
finished:
    if (rc != 0)
        return rc;
done : {
    enum dispute_state s;
    if (dispute_state_parse(d.state, &s) == 0)
        g->res->by_state[s]++;
}
    return 0;
}

static int gen_disputes(struct gen *g, uint64_t seed)
{
    struct rng r;
    int rc;
    rng_seed(&r, seed, 0xd15b);
    for (size_t i = 0; i < g->n_grids; i++) {
        struct last_parties last;
        int n = rng_range(&r, 2, 5);
        memset(&last, 0, sizeof(last));
        for (int k = 0; k < n; k++)
            if ((rc = one_dispute(g, &r, g->grids[i], &last)) != 0)
                return rc;
    }
    return 0;
}

/* ---- councils ------------------------------------------------------------------------------ */

static const char *const topic_titles[COUNCIL_STATE_COUNT] = {
    [COUNCIL_STATE_PROPOSED] = "增设村口公交候车亭",
    [COUNCIL_STATE_CONSULTATION] = "村规民约修订",
    [COUNCIL_STATE_VOTING] = "文化室改建方案",
    [COUNCIL_STATE_REVIEW] = "公共水井改造",
    [COUNCIL_STATE_EXECUTING] = "垃圾分类投放点设置",
    [COUNCIL_STATE_SUPERVISION] = "村道硬化工程",
    [COUNCIL_STATE_DONE] = "修建村道路灯",
    [COUNCIL_STATE_REJECTED] = "出租祠堂前广场",
    [COUNCIL_STATE_WITHDRAWN] = "新建停车场",
};

static int supervisor_for(struct gen *g, const char *village, struct principal *p)
{
    struct user u;
    char name[USER_NAME_MAX + 1];
    int r;

    snprintf(name, sizeof(name), "supervisor_%s", village);
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.display_name, sizeof(u.display_name), "%s", "村务监督委员会");
    snprintf(u.role, sizeof(u.role), "%s", "council_member");
    snprintf(u.area_code, sizeof(u.area_code), "%s", village);
    snprintf(u.password_hash, sizeof(u.password_hash), "%s", g->member_hash);
    u.created_ms = g->start_ms;
    if ((r = store_user_insert(g->ctx->st, &u)) != 0)
        return errbuf_set(g->eb, r, "cannot add demo user %s", name);
    memset(p, 0, sizeof(*p));
    p->user_id = u.id;
    p->role = ROLE_COUNCIL_MEMBER;
    snprintf(p->scope, sizeof(p->scope), "%s", g->district);
    return 0;
}

static int tact(struct gen *g, const struct principal *p, struct topic_rec *t,
                struct topic_action_in *in, int64_t at)
{
    int r;
    in->now_ms = at;
    if ((r = councils_topic_act(g->ctx, p, t->id, in, t, g->eb)) != 0)
        return r;
    return batch_tick(g);
}

static int simple(struct gen *g, const struct principal *p, struct topic_rec *t,
                  enum council_action action, const char *text, const char *reason, int64_t at)
{
    struct topic_action_in in;
    memset(&in, 0, sizeof(in));
    in.action = action;
    in.text = text;
    in.reason = reason;
    return tact(g, p, t, &in, at);
}

/* Run the council vote of topic t: a meeting of most members, then paper ballots. */
static int council_vote(struct gen *g, struct rng *r, struct topic_rec *t,
                        const struct council_member_list *members, int is_passing, int is_closing,
                        int64_t *at)
{
    int64_t present[COUNCILS_MEMBERS_IN_MAX];
    size_t n = 0;
    int rc;

    /* all voting members but perhaps one: always a quorum (at least 6 of 7) */
    size_t absent = (size_t)rng_below(r, (int)members->len);
    for (size_t i = 0; i < members->len; i++) {
        if (strcmp(members->items[i].position, "supervisor") == 0 || (i == absent && i > 0))
            continue;
        present[n++] = members->items[i].id;
    }
    *at += 2 * HOUR_MS;
    if ((rc = councils_meeting(g->ctx, &g->staff, t->id, *at, "村委会议室", present, n, g->eb)) !=
            0 ||
        (rc = batch_tick(g)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++) {
        const char *choice;
        int x = rng_below(r, 100);
        /* open votes stay partly uncast */
        if (!is_closing && i * 2 >= n)
            break;
        if (is_passing)
            choice = i < n / 2 + 1 ? "yes" : x < 50 ? "no" : "abstain";
        else
            choice = i < n / 2 + 1 ? "no" : x < 50 ? "yes" : "abstain";
        *at += 60LL * 1000;
        if ((rc = councils_ballot(g->ctx, &g->staff, t->id, present[i], choice, *at, g->eb)) != 0 ||
            (rc = batch_tick(g)) != 0)
            return rc;
    }
    if (!is_closing)
        return 0;
    *at += HOUR_MS;
    return simple(g, &g->staff, t, COUNCIL_ACTION_CLOSE_VOTE, NULL, NULL, *at);
}

static const char *const task_what[] = {"编制实施方案并公示", "采购与施工", "竣工验收与结算"};

static int one_topic(struct gen *g, struct rng *r, const struct council_rec *c,
                     const struct council_member_list *members, const struct principal *supervisor,
                     enum council_state target, int64_t at)
{
    struct topic_new tn;
    struct topic_rec *t = xcalloc(1, sizeof(*t));
    struct topic_action_in in;
    int64_t households = 0, adults = 0;
    int rc, n_tasks;

    memset(&tn, 0, sizeof(tn));
    tn.title = topic_titles[target];
    tn.description = "经村两委提议, 提交村务商议团商议";
    tn.proposer = "committees";
    tn.vote_kind = "council";
    tn.is_secret = target == COUNCIL_STATE_REJECTED;
    tn.now_ms = at;
    /* the finished decision went to the households when the registry has them */
    if (target == COUNCIL_STATE_DONE &&
        (rc = store_village_voters(g->ctx->st, c->area_code, "9999-12-31", &households, &adults)) !=
            0)
        goto out;
    if (households > 0)
        tn.vote_kind = "households";
    if ((rc = councils_propose(g->ctx, &g->staff, c->id, &tn, t, g->eb)) != 0 ||
        (rc = batch_tick(g)) != 0)
        goto out;
    if (target == COUNCIL_STATE_PROPOSED)
        goto counted;
    at += rng_range(r, 24, 96) * HOUR_MS;
    if (target == COUNCIL_STATE_WITHDRAWN) {
        rc = simple(g, &g->staff, t, COUNCIL_ACTION_WITHDRAW, NULL, "与镇级项目重复, 撤回", at);
        goto checked;
    }
    if ((rc = simple(g, &g->staff, t, COUNCIL_ACTION_ACCEPT, NULL, NULL, at)) != 0)
        goto out;
    for (int i = rng_range(r, 2, 4); i > 0; i--) {
        static const char *const stances[] = {"support", "support", "neutral", "oppose"};
        memset(&in, 0, sizeof(in));
        in.action = COUNCIL_ACTION_RECORD_OPINION;
        in.text = "入户征求意见, 已记录";
        in.stance = stances[rng_below(r, 4)];
        in.member_id = members->items[rng_below(r, (int)members->len - 1)].id;
        at += rng_range(r, 12, 72) * HOUR_MS;
        if ((rc = tact(g, &g->staff, t, &in, at)) != 0)
            goto out;
    }
    if (target == COUNCIL_STATE_CONSULTATION)
        goto counted;
    at += rng_range(r, 24, 120) * HOUR_MS;
    if ((rc = simple(g, &g->staff, t, COUNCIL_ACTION_OPEN_VOTE, NULL, NULL, at)) != 0)
        goto out;
    if (strcmp(t->vote_kind, "council") == 0) {
        if ((rc = council_vote(g, r, t, members, target != COUNCIL_STATE_REJECTED,
                               target != COUNCIL_STATE_VOTING, &at)) != 0)
            goto out;
    } else {
        int present = (int)(households * rng_range(r, 70, 85) / 100);
        memset(&in, 0, sizeof(in));
        in.action = COUNCIL_ACTION_CLOSE_VOTE;
        in.present = present;
        in.yes = present * rng_range(r, 60, 80) / 100;
        in.no = (present - in.yes) / 2;
        in.abstain = present - in.yes - in.no;
        at += 3 * DAY_MS;
        if ((rc = tact(g, &g->staff, t, &in, at)) != 0)
            goto out;
    }
    if (target == COUNCIL_STATE_VOTING || target == COUNCIL_STATE_REVIEW)
        goto counted;
    if (target == COUNCIL_STATE_REJECTED) {
        at += DAY_MS;
        rc = simple(g, &g->staff, t, COUNCIL_ACTION_PUBLISH, NULL, NULL, at);
        goto checked;
    }
    at += rng_range(r, 24, 96) * HOUR_MS;
    if ((rc = simple(g, &g->staff, t, COUNCIL_ACTION_APPROVE, NULL, NULL, at)) != 0)
        goto out;
    n_tasks = rng_range(r, 2, (int)N_ELEMS(task_what));
    for (int i = 0; i < n_tasks && i < (int)N_ELEMS(task_what); i++) {
        memset(&in, 0, sizeof(in));
        in.action = COUNCIL_ACTION_ADD_TASK;
        in.text = task_what[i];
        in.owner = i == 0 ? "村委会主任" : "村民小组长";
        in.due_ms = at + (int64_t)(i + 1) * 30 * DAY_MS;
        at += HOUR_MS;
        if ((rc = tact(g, &g->staff, t, &in, at)) != 0)
            goto out;
    }
    {
        struct topic_entry_list tasks;
        size_t done;
        if ((rc = store_topic_entries(g->ctx->st, TOPIC_ENTRY_TASK, t->id, &tasks)) != 0)
            goto out;
        done = target == COUNCIL_STATE_EXECUTING ? 1 : tasks.len;
        for (size_t i = 0; i < done && rc == 0; i++) {
            memset(&in, 0, sizeof(in));
            in.action = COUNCIL_ACTION_COMPLETE_TASK;
            in.task_id = tasks.items[i].id;
            at += rng_range(r, 5, 20) * DAY_MS / 2;
            if (at >= g->end_ms)
                at = g->end_ms - HOUR_MS;
            rc = tact(g, &g->staff, t, &in, at);
        }
        topic_entry_list_cleanup(&tasks);
        if (rc != 0)
            goto out;
    }
    if (target == COUNCIL_STATE_EXECUTING) {
        rc = simple(g, &g->staff, t, COUNCIL_ACTION_PUBLISH, NULL, NULL, at + HOUR_MS);
        goto checked;
    }
    if ((rc = simple(g, supervisor, t, COUNCIL_ACTION_NOTE, "监委会全程跟踪, 资金使用公开", NULL,
                     at + HOUR_MS)) != 0 ||
        (rc = simple(g, &g->staff, t, COUNCIL_ACTION_SUBMIT, NULL, NULL, at + 2 * HOUR_MS)) != 0)
        goto out;
    if (target == COUNCIL_STATE_SUPERVISION)
        goto counted;
    if ((rc = simple(g, supervisor, t, COUNCIL_ACTION_NOTE, "现场验收, 工程质量合格", NULL,
                     at + 3 * HOUR_MS)) != 0 ||
        (rc = simple(g, supervisor, t, COUNCIL_ACTION_SIGN_OFF, "同意验收", NULL,
                     at + 4 * HOUR_MS)) != 0 ||
        (rc = simple(g, &g->staff, t, COUNCIL_ACTION_PUBLISH, NULL, NULL, at + 5 * HOUR_MS)) != 0)
        goto out;
    goto counted;
checked:
    if (rc != 0)
        goto out;
counted : {
    enum council_state s;
    g->res->topics++;
    if (council_state_parse(t->state, &s) == 0)
        g->res->topics_by_state[s]++;
    rc = 0;
}
out:
    free(t);
    return rc;
}

static int one_council(struct gen *g, struct rng *r, const char *village)
{
    struct council_new cn;
    struct council_rec c;
    struct council_member_list members;
    struct principal supervisor;
    char names[COUNCILS_MEMBERS_IN_MAX][64];
    int n_voting = rng_range(r, 7, 9), rc;
    int64_t at;

    if ((rc = supervisor_for(g, village, &supervisor)) != 0)
        return rc;
    memset(&cn, 0, sizeof(cn));
    cn.area_code = village;
    cn.name = "村务商议团";
    cn.min_cosigners = rng_range(r, 5, 15);
    cn.term_start_ms = g->end_ms - 730 * DAY_MS;
    cn.term_end_ms = cn.term_start_ms + 5LL * 365 * DAY_MS;
    cn.now_ms = g->start_ms;
    for (int i = 0; i < n_voting; i++) {
        person_name(r, names[i], sizeof(names[i]));
        cn.members[i] = (struct council_member_in){names[i], 0, 0, i == 0 ? "chair" : "member"};
    }
    cn.members[n_voting] =
        (struct council_member_in){"村务监督委员会主任", 0, supervisor.user_id, "supervisor"};
    cn.n_members = n_voting + 1;
    if ((rc = councils_create(g->ctx, &g->staff, &cn, &c, g->eb)) != 0 || (rc = batch_tick(g)) != 0)
        return rc;
    g->res->councils++;
    if ((rc = store_council_members(g->ctx->st, c.id, &members)) != 0)
        return rc;
    /* topics through the year, older ones further along */
    at = g->start_ms + 10 * DAY_MS;
    {
        static const enum council_state order[] = {
            COUNCIL_STATE_DONE,         COUNCIL_STATE_REJECTED,  COUNCIL_STATE_WITHDRAWN,
            COUNCIL_STATE_SUPERVISION,  COUNCIL_STATE_EXECUTING, COUNCIL_STATE_REVIEW,
            COUNCIL_STATE_CONSULTATION, COUNCIL_STATE_VOTING,    COUNCIL_STATE_PROPOSED};
        for (size_t i = 0; i < N_ELEMS(order) && rc == 0; i++) {
            rc = one_topic(g, r, &c, &members, &supervisor, order[i],
                           at + (int64_t)i * 30 * DAY_MS + rng_range(r, 0, 10) * DAY_MS);
        }
    }
    council_member_list_cleanup(&members);
    return rc;
}

static int gen_councils(struct gen *g, uint64_t seed)
{
    struct rng r;
    int rc;
    rng_seed(&r, seed, 0xc0c1);
    for (size_t i = 0; i < g->n_villages; i++)
        if ((rc = one_council(g, &r, g->villages[i])) != 0)
            return rc;
    return 0;
}

/* ---- entry --------------------------------------------------------------------------------- */

int demo_disputes_generate(struct service_ctx *ctx, const struct demo_disputes_options *opt,
                           struct demo_disputes_result *out, struct errbuf *eb)
{
    struct gen g;
    struct demo_disputes_result res;
    struct dispute_filter f;
    struct dispute_list existing;
    struct council_list councils;
    struct user med, member, dispatcher;
    const char *district;
    int r;

    memset(out, 0, sizeof(*out));
    memset(&g, 0, sizeof(g));
    memset(&res, 0, sizeof(res));
    g.ctx = ctx;
    g.res = &res;
    g.eb = eb;
    g.end_ms = opt->end_ms;
    g.start_ms = opt->end_ms - YEAR_MS;
    if ((r = store_user_get_by_name(ctx->st, "dispatcher", &dispatcher)) != 0)
        return errbuf_set(eb, r, "demo user 'dispatcher' is missing: generate the city first");
    district = dispatcher.area_code;
    if ((r = principal_of(&g, "community_staff", ROLE_COMMUNITY_STAFF, district, &g.staff, NULL)) !=
            0 ||
        (r = principal_of(&g, "grid_worker", ROLE_GRID_WORKER, district, &g.worker, NULL)) != 0 ||
        (r = principal_of(&g, "mediator", ROLE_MEDIATOR, district, &g.mediator, &med)) != 0 ||
        (r = store_user_get_by_name(ctx->st, "council_member", &member)) != 0)
        return r == ERR_NOT_FOUND ? errbuf_set(eb, r, "demo user 'council_member' is missing") : r;
    snprintf(g.district, sizeof(g.district), "%s", district);
    snprintf(g.mediator_area, sizeof(g.mediator_area), "%s", med.area_code);
    snprintf(g.member_hash, sizeof(g.member_hash), "%s", member.password_hash);

    memset(&f, 0, sizeof(f));
    f.area = district;
    f.limit = 1;
    if ((r = store_dispute_list(ctx->st, &f, &existing)) != 0)
        return r;
    r = existing.len > 0 ? ERR_EXISTS : 0;
    dispute_list_cleanup(&existing);
    if (r == 0 && (r = store_council_list(ctx->st, district, &councils)) == 0) {
        r = councils.len > 0 ? ERR_EXISTS : 0;
        council_list_cleanup(&councils);
    }
    if (r == ERR_EXISTS)
        return errbuf_set(eb, r, "the database already holds disputes or councils");
    if (r != 0)
        return r;
    if ((r = store_area_walk(ctx->st, district, AREA_GRID, 0, collect_area, &g)) != 0)
        goto out;
    if (g.n_grids == 0) {
        r = errbuf_set(eb, ERR_NOT_FOUND, "the demo city has no grids: generate it first");
        goto out;
    }
    if ((r = store_begin(ctx->st)) != 0)
        goto out;
    if ((r = gen_disputes(&g, opt->seed)) != 0 || (r = gen_councils(&g, opt->seed)) != 0) {
        store_rollback(ctx->st);
        goto out;
    }
    if ((r = store_commit(ctx->st)) != 0) {
        store_rollback(ctx->st);
        goto out;
    }
    *out = res;
out:
    free(g.grids);
    free(g.villages);
    return r;
}
