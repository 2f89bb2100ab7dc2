/*
 * council.h - village deliberation councils (村务商议团; SPEC section 7): the topic state
 * machine, the membership rules, and the quorum and majority arithmetic of votes.
 *
 * A council of COUNCIL_MEMBERS_MIN..COUNCIL_MEMBERS_MAX elected members serves one village for
 * a term of at most COUNCIL_TERM_YEARS_MAX years. A topic (议题) is proposed by the two
 * committees (村两委) or by residents with at least the council's min_cosigners co-signers;
 * members consult households and record opinions; the council meets and votes (council vote),
 * or the village votes (villagers' vote: one vote per registered household or per adult
 * resident, as the topic says); the two committees review; execution is tracked as tasks; the
 * supervision committee (村务监督委员会) signs off, without which the topic cannot be done.
 * Pure: no I/O, no allocation, no clock. Thread-safe.
 *
 * States (stable name; 中文):
 *   proposed 已提议 · consultation 征求意见 · voting 表决中 · review 两委审核 ·
 *   executing 实施中 · supervision 监督验收 · done 已办结 · rejected 未通过 · withdrawn 已撤回
 *
 * Transitions ("=" keeps the state; every pair not listed is ERR_INVALID_TRANSITION):
 *   proposed      cosign=, accept→consultation, reject→rejected, withdraw→withdrawn, comment=
 *   consultation  record_opinion=, open_vote→voting, withdraw→withdrawn, comment=
 *   voting        close_vote→review (passed) or →rejected (not passed), comment=
 *   review        approve→executing, send_back→consultation, reject→rejected, comment=
 *   executing     add_task=, complete_task=, note=, submit→supervision, publish=, comment=
 *   supervision   note=, sign_off→done, send_back→executing, publish=, comment=
 *   done          note=, publish=, comment=
 *   rejected      publish=, comment=
 *   withdrawn     comment=
 *
 * Conditions that also make an action ERR_INVALID_TRANSITION:
 *   - accept of a residents' topic with fewer co-signers than the council's minimum;
 *   - open_vote before any consultation opinion was recorded;
 *   - submit with no task, or with a task not done; complete_task with no open task;
 *   - sign_off without a supervision note (the supervisors say what they checked);
 *   - cosign of a committees' topic (only residents' topics collect co-signers);
 *   - publish of a topic already published.
 *
 * Who (action → roles; all need is_in_scope: the topic's village in the actor's subtree):
 *   cosign                        resident, not the proposer
 *   accept, reject, approve, send_back, add_task, complete_task, submit, publish
 *                                 community_staff (the two committees), admin
 *   withdraw                      community_staff, admin, and the proposer
 *   record_opinion, open_vote, close_vote
 *                                 council_member who is a member of this council
 *                                 (is_member), community_staff, admin
 *   note                          council_member who is a member or a supervisor of this
 *                                 council, community_staff, admin
 *   sign_off                      council_member who is a supervisor of this council only
 *   comment                       council_member (member or supervisor), community_staff,
 *                                 leader, admin
 *
 * Fields (ERR_INVALID naming the field): reason for reject, send_back and withdraw; text for
 * record_opinion, note, sign_off, add_task, comment; close_vote carries the tally
 * (struct council_tally) and whether the vote was secret.
 */
#ifndef GRIDGOV_DOMAIN_COUNCIL_H
#define GRIDGOV_DOMAIN_COUNCIL_H

#include "base/error.h"
#include "domain/access.h"

#include <stdint.h>

#define COUNCIL_MEMBERS_MIN    7
#define COUNCIL_MEMBERS_MAX    9
#define COUNCIL_TERM_YEARS_MAX 5 /* a village committee's term (村民委员会组织法, art. 11) */
#define COUNCIL_COSIGNERS_MAX  1000
#define COUNCIL_TEXT_MAX       4000

#define COUNCIL_STATE_MAP(X)                                                                       \
    X(PROPOSED, "proposed", "已提议")                                                              \
    X(CONSULTATION, "consultation", "征求意见")                                                    \
    X(VOTING, "voting", "表决中")                                                                  \
    X(REVIEW, "review", "两委审核")                                                                \
    X(EXECUTING, "executing", "实施中")                                                            \
    X(SUPERVISION, "supervision", "监督验收")                                                      \
    X(DONE, "done", "已办结")                                                                      \
    X(REJECTED, "rejected", "未通过")                                                              \
    X(WITHDRAWN, "withdrawn", "已撤回")

enum council_state {
#define COUNCIL_STATE_GEN_ENUM(name, str, zh) COUNCIL_STATE_##name,
    COUNCIL_STATE_MAP(COUNCIL_STATE_GEN_ENUM)
#undef COUNCIL_STATE_GEN_ENUM
        COUNCIL_STATE_COUNT
};

#define COUNCIL_ACTION_MAP(X)                                                                      \
    X(COSIGN, "cosign", "附议")                                                                    \
    X(ACCEPT, "accept", "立项")                                                                    \
    X(REJECT, "reject", "否决")                                                                    \
    X(WITHDRAW, "withdraw", "撤回")                                                                \
    X(RECORD_OPINION, "record_opinion", "记录意见")                                                \
    X(OPEN_VOTE, "open_vote", "开始表决")                                                          \
    X(CLOSE_VOTE, "close_vote", "结束表决")                                                        \
    X(APPROVE, "approve", "两委审核通过")                                                          \
    X(SEND_BACK, "send_back", "退回")                                                              \
    X(ADD_TASK, "add_task", "分解任务")                                                            \
    X(COMPLETE_TASK, "complete_task", "完成任务")                                                  \
    X(SUBMIT, "submit", "提请验收")                                                                \
    X(NOTE, "note", "监督记录")                                                                    \
    X(SIGN_OFF, "sign_off", "监督验收签字")                                                        \
    X(PUBLISH, "publish", "公开")                                                                  \
    X(COMMENT, "comment", "留言")

enum council_action {
#define COUNCIL_ACTION_GEN_ENUM(name, str, zh) COUNCIL_ACTION_##name,
    COUNCIL_ACTION_MAP(COUNCIL_ACTION_GEN_ENUM)
#undef COUNCIL_ACTION_GEN_ENUM
        COUNCIL_ACTION_COUNT
};

#define COUNCIL_ACTION_BIT(action) (1u << (unsigned)(action))

/* Who proposed a topic. */
enum council_proposer {
    COUNCIL_PROPOSER_COMMITTEES, /* "committees": the two committees (村两委) */
    COUNCIL_PROPOSER_RESIDENTS,  /* "residents": residents with co-signers */
    COUNCIL_PROPOSER_COUNT
};

/* Who votes on a topic. */
enum council_vote_kind {
    COUNCIL_VOTE_COUNCIL,         /* "council": the council's members */
    COUNCIL_VOTE_HOUSEHOLDS,      /* "households": one vote per registered household */
    COUNCIL_VOTE_ADULT_RESIDENTS, /* "adults": one vote per registered resident aged 18+ */
    COUNCIL_VOTE_KIND_COUNT
};

/* What the machine needs to know about a topic. */
struct council_topic_facts {
    enum council_state state;
    enum council_proposer proposer;
    int cosigners;     /* co-signers so far */
    int min_cosigners; /* the council's minimum for residents' topics */
    int opinions;      /* consultation records */
    int tasks;         /* execution tasks */
    int open_tasks;    /* of which not done */
    int notes;         /* supervision notes */
    int is_published;
};

struct council_actor {
    enum role role;
    int is_in_scope;
    int is_member;     /* a (current) voting member of this council */
    int is_supervisor; /* on this council's supervision committee */
    int is_proposer;   /* the user who proposed the topic */
};

/* A vote's count. Ballots of a secret vote are never shown: only these totals. */
struct council_tally {
    int eligible; /* members of the council, households, or adult residents */
    int present;  /* who took part (attendance; for a villagers' vote: ballots handed in) */
    int yes, no, abstain;
};

/* One threshold: count >= num/den of base (or > if is_strict). */
struct council_fraction {
    int num, den;
    int is_strict;
};

/*
 * The rules of a vote kind, recorded with every vote:
 *   council      quorum: at least 2/3 of the members present; passed: more than half of the
 *                members present vote yes (abstaining is not yes).
 *   households   quorum: at least 2/3 of the households represented; passed: more than half
 *                of those present (村民委员会组织法 art. 22).
 *   adults       quorum: more than half of the adult residents present; passed: more than half
 *                of those present (art. 22).
 */
struct council_vote_rule {
    struct council_fraction quorum;   /* of eligible */
    struct council_fraction majority; /* of present */
};

struct council_vote_result {
    int is_quorate;
    int is_passed;       /* quorate and majority reached */
    int quorum_needed;   /* the least present that makes a quorum */
    int majority_needed; /* the least yes votes that pass, given present */
};

struct council_input {
    enum council_action action;
    const char *text;
    const char *reason;
    struct council_tally tally;       /* close_vote */
    enum council_vote_kind vote_kind; /* close_vote */
};

struct council_result {
    enum council_state to;
    int is_published;
    struct council_vote_result vote; /* close_vote */
};

/*
 * The topic decision. ERR_INVALID (bad facts or action), ERR_INVALID_TRANSITION,
 * ERR_FORBIDDEN, ERR_INVALID (a field, or a tally that does not add up), in that order.
 */
int council_apply(const struct council_topic_facts *f, const struct council_actor *a,
                  const struct council_input *in, struct council_result *out, struct errbuf *eb);
/* Actions this actor may take now (mask); agrees with council_apply() given valid fields. */
unsigned council_allowed_actions(const struct council_topic_facts *f,
                                 const struct council_actor *a);

/* The rule of a vote kind; ERR_INVALID for an unknown kind. */
int council_vote_rule(enum council_vote_kind kind, struct council_vote_rule *out);
/*
 * Count a vote under a rule. ERR_INVALID unless 0 < eligible, 0 <= yes, no, abstain,
 * yes + no + abstain <= present <= eligible (eb names the problem).
 */
int council_count_vote(const struct council_vote_rule *rule, const struct council_tally *t,
                       struct council_vote_result *out, struct errbuf *eb);
/* The least count c with c >= (or >) num/den of base. */
int council_fraction_least(const struct council_fraction *f, int base);

/* A council's size is valid: COUNCIL_MEMBERS_MIN..MAX voting members. ERR_INVALID if not. */
int council_check_size(int members, struct errbuf *eb);
/* A term from start_ms to end_ms (ms since epoch): end after start, at most
 * COUNCIL_TERM_YEARS_MAX years (366-day years). ERR_INVALID if not. */
int council_check_term(int64_t start_ms, int64_t end_ms, struct errbuf *eb);
/* 1 if the term covers at_ms: start_ms <= at_ms < end_ms. */
int council_term_covers(int64_t start_ms, int64_t end_ms, int64_t at_ms);
/* min_cosigners within 1..COUNCIL_COSIGNERS_MAX. */
int council_check_min_cosigners(int n, struct errbuf *eb);

/* 1 while the topic is still being worked on (proposed .. supervision). */
int council_state_is_open(enum council_state s);

const char *council_state_name(enum council_state s);
const char *council_state_name_zh(enum council_state s);
int council_state_parse(const char *name, enum council_state *out);
const char *council_action_name(enum council_action a);
const char *council_action_name_zh(enum council_action a);
int council_action_parse(const char *name, enum council_action *out);
const char *council_proposer_name(enum council_proposer p);
int council_proposer_parse(const char *name, enum council_proposer *out);
const char *council_vote_kind_name(enum council_vote_kind k);
int council_vote_kind_parse(const char *name, enum council_vote_kind *out);

#endif
