/*
 * store_sqlite_disputes.c - disputes (parties, mediators, sessions, follow-up visits, event
 * log, statistics) and deliberation councils (members, topics, co-signers, opinions, tasks,
 * notes, meetings with attendance, ballots, event log) on SQLite; contracts in store.h.
 *
 * Rows are keyed by area code like cases, so "under X" is the range [X, X || ':'). Optional
 * filters are written as "(?n = '' OR col = ?n)" with every value bound: the SQL text never
 * contains input. Updates of a dispute or topic are conditional on the event count the caller
 * read (optimistic concurrency, as for cases). Ballots are written and counted, never read
 * back one by one: no statement here selects a ballot's choice with its voter. The event logs
 * are append-only (triggers in migrations.c). Statements are cached in dispute_stmts.
 */
#include "store/sqlite/sqlite_internal.h"

#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DISPUTE_COLS                                                                               \
    "id, area_code, title, type, risk, state, outcome, level, summary, case_id, parties_key, "     \
    "recurrence_of, mediator_count, session_count, follow_up_count, created_by, found_ms, "        \
    "created_ms, updated_ms, closed_ms, event_seq"

#define TOPIC_COLS                                                                                 \
    "id, council_id, area_code, title, description, proposer, proposed_by, vote_kind, "            \
    "is_secret, state, is_published, cosigners, opinions, tasks, open_tasks, notes, "              \
    "vote_eligible, vote_present, vote_yes, vote_no, vote_abstain, is_quorate, is_passed, "        \
    "quorum_needed, majority_needed, case_id, created_ms, updated_ms, voted_ms, done_ms, "         \
    "event_seq"

#define SUBTREE(col, n) col " >= ?" #n " AND " col " < ?" #n " || ':'"

#define DSTMT_MAP(X)                                                                               \
    X(D_INSERT, "INSERT INTO disputes(area_code, title, type, risk, state, outcome, level, "       \
                "summary, case_id, parties_key, recurrence_of, mediator_count, session_count, "    \
                "follow_up_count, created_by, found_ms, created_ms, updated_ms, closed_ms, "       \
                "event_seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "      \
                "?14, ?15, ?16, ?17, ?18, ?19, ?20)")                                              \
    X(D_UPDATE, "UPDATE disputes SET state = ?5, outcome = ?6, level = ?7, recurrence_of = ?11, "  \
                "mediator_count = ?12, session_count = ?13, follow_up_count = ?14, "               \
                "updated_ms = ?18, closed_ms = ?19, event_seq = ?20 "                              \
                "WHERE id = ?21 AND event_seq = ?22")                                              \
    X(D_EXISTS, "SELECT 1 FROM disputes WHERE id = ?1")                                            \
    X(D_GET, "SELECT " DISPUTE_COLS " FROM disputes WHERE id = ?1")                                \
    X(D_LIST,                                                                                      \
      "SELECT " DISPUTE_COLS " FROM disputes WHERE " SUBTREE(                                      \
          "area_code",                                                                             \
          1) " AND (?2 = '' OR state = ?2) AND (?3 = '' OR type = ?3) "                            \
             "AND (?4 = 0 OR case_id = ?4) AND found_ms >= ?5 AND (?6 = 0 OR found_ms < ?6) "      \
             "AND (?7 = 0 OR id < ?7) ORDER BY id DESC LIMIT ?8")                                  \
    X(D_RECURRENCE, "SELECT id FROM disputes WHERE parties_key = ?1 AND id < ?2 "                  \
                    "ORDER BY id DESC LIMIT 1")                                                    \
    X(D_PARTY_ADD, "INSERT INTO dispute_parties(dispute_id, seq, kind, person_id, "                \
                   "organisation_id, name, side) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 "   \
                   "FROM dispute_parties WHERE dispute_id = ?1), ?2, ?3, ?4, ?5, ?6) "             \
                   "RETURNING seq")                                                                \
    X(D_PARTIES, "SELECT dispute_id, seq, kind, person_id, organisation_id, name, side "           \
                 "FROM dispute_parties WHERE dispute_id = ?1 ORDER BY seq")                        \
    X(D_MEDIATOR_ADD, "INSERT INTO dispute_mediators(dispute_id, seq, role, name, user_id, "       \
                      "assigned_ms) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM "           \
                      "dispute_mediators WHERE dispute_id = ?1), ?2, ?3, ?4, ?5) RETURNING seq")   \
    X(D_MEDIATORS, "SELECT dispute_id, seq, role, name, user_id, assigned_ms "                     \
                   "FROM dispute_mediators WHERE dispute_id = ?1 ORDER BY seq")                    \
    X(D_IS_MEDIATOR, "SELECT count(*) FROM dispute_mediators WHERE dispute_id = ?1 "               \
                     "AND user_id = ?2 AND user_id <> 0")                                          \
    X(D_SESSION_ADD, "INSERT INTO dispute_sessions(dispute_id, seq, at_ms, user_id, notes) "       \
                     "VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM dispute_sessions "        \
                     "WHERE dispute_id = ?1), ?2, ?3, ?4) RETURNING seq")                          \
    X(D_FOLLOW_UP_ADD, "INSERT INTO dispute_follow_ups(dispute_id, seq, at_ms, user_id, "          \
                       "findings) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM "             \
                       "dispute_follow_ups WHERE dispute_id = ?1), ?2, ?3, ?4) RETURNING seq")     \
    X(D_SESSIONS, "SELECT dispute_id, seq, at_ms, user_id, notes FROM dispute_sessions "           \
                  "WHERE dispute_id = ?1 ORDER BY seq")                                            \
    X(D_FOLLOW_UPS, "SELECT dispute_id, seq, at_ms, user_id, findings FROM dispute_follow_ups "    \
                    "WHERE dispute_id = ?1 ORDER BY seq")                                          \
    X(D_EVENT_APPEND, "INSERT INTO dispute_events(dispute_id, seq, at_ms, actor_user_id, "         \
                      "actor_role, action, from_state, to_state, payload) "                        \
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                               \
    X(D_EVENTS, "SELECT dispute_id, seq, at_ms, actor_user_id, actor_role, action, from_state, "   \
                "to_state, payload FROM dispute_events WHERE dispute_id = ?1 ORDER BY seq")        \
    X(D_STATS, "SELECT type, count(*), sum(session_count > 0), "                                   \
               "sum(state IN ('agreed', 'concluded', 'referred', 'withdrawn')), "                  \
               "sum(outcome IN ('agreement', 'concluded')), sum(recurrence_of <> 0) "              \
               "FROM disputes WHERE " SUBTREE(                                                     \
                   "area_code", 1) " AND found_ms >= ?2 "                                          \
                                   "AND (?3 = 0 OR found_ms < ?3) GROUP BY type ORDER BY type")    \
    X(C_INSERT, "INSERT INTO councils(area_code, name, min_cosigners, term_start_ms, "             \
                "term_end_ms, created_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                        \
    X(C_GET, "SELECT id, area_code, name, min_cosigners, term_start_ms, term_end_ms, created_ms "  \
             "FROM councils WHERE id = ?1")                                                        \
    X(C_LIST, "SELECT id, area_code, name, min_cosigners, term_start_ms, term_end_ms, "            \
              "created_ms FROM councils WHERE " SUBTREE("area_code", 1) " ORDER BY area_code, id") \
    X(C_MEMBER_ADD, "INSERT INTO council_members(council_id, person_id, user_id, name, position, " \
                    "term_start_ms, term_end_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")             \
    X(C_MEMBERS, "SELECT id, council_id, person_id, user_id, name, position, term_start_ms, "      \
                 "term_end_ms FROM council_members WHERE council_id = ?1 ORDER BY id")             \
    X(T_INSERT, "INSERT INTO topics(council_id, area_code, title, description, proposer, "         \
                "proposed_by, vote_kind, is_secret, state, is_published, cosigners, opinions, "    \
                "tasks, open_tasks, notes, vote_eligible, vote_present, vote_yes, vote_no, "       \
                "vote_abstain, is_quorate, is_passed, quorum_needed, majority_needed, case_id, "   \
                "created_ms, updated_ms, voted_ms, done_ms, event_seq) VALUES (?1, ?2, ?3, ?4, "   \
                "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, " \
                "?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)")                                    \
    X(T_UPDATE,                                                                                    \
      "UPDATE topics SET state = ?9, is_published = ?10, cosigners = ?11, "                        \
      "opinions = ?12, tasks = ?13, open_tasks = ?14, notes = ?15, vote_eligible = ?16, "          \
      "vote_present = ?17, vote_yes = ?18, vote_no = ?19, vote_abstain = ?20, "                    \
      "is_quorate = ?21, is_passed = ?22, quorum_needed = ?23, majority_needed = ?24, "            \
      "updated_ms = ?27, voted_ms = ?28, done_ms = ?29, event_seq = ?30 "                          \
      "WHERE id = ?31 AND event_seq = ?32")                                                        \
    X(T_EXISTS, "SELECT 1 FROM topics WHERE id = ?1")                                              \
    X(T_GET, "SELECT " TOPIC_COLS " FROM topics WHERE id = ?1")                                    \
    X(T_LIST, "SELECT " TOPIC_COLS " FROM topics WHERE " SUBTREE(                                  \
                  "area_code", 1) " AND (?2 = 0 OR council_id = ?2) AND (?3 = '' OR state = ?3) "  \
                                  "AND (?4 = 0 OR is_published = 1) AND (?5 = 0 OR id < ?5) "      \
                                  "ORDER BY id DESC LIMIT ?6")                                     \
    X(T_COSIGNER_ADD, "INSERT INTO topic_cosigners(topic_id, user_id, name, at_ms) "               \
                      "VALUES (?1, ?2, ?3, ?4)")                                                   \
    X(T_OPINION_ADD, "INSERT INTO topic_opinions(topic_id, member_id, household_id, stance, "      \
                     "opinion, user_id, at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")               \
    X(T_TASK_ADD, "INSERT INTO topic_tasks(topic_id, what, owner, due_ms, user_id, at_ms) "        \
                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")                                               \
    X(T_NOTE_ADD, "INSERT INTO topic_notes(topic_id, user_id, kind, text, at_ms) "                 \
                  "VALUES (?1, ?2, ?3, ?4, ?5)")                                                   \
    X(T_COSIGNERS, "SELECT id, topic_id, user_id, 0, 0, name, '', '', '', at_ms, 0, 0 "            \
                   "FROM topic_cosigners WHERE topic_id = ?1 ORDER BY id")                         \
    X(T_OPINIONS, "SELECT id, topic_id, user_id, member_id, household_id, '', '', stance, "        \
                  "opinion, at_ms, 0, 0 FROM topic_opinions WHERE topic_id = ?1 ORDER BY id")      \
    X(T_TASKS, "SELECT id, topic_id, user_id, 0, 0, '', owner, '', what, at_ms, due_ms, done_ms "  \
               "FROM topic_tasks WHERE topic_id = ?1 ORDER BY id")                                 \
    X(T_NOTES, "SELECT id, topic_id, user_id, 0, 0, '', '', kind, text, at_ms, 0, 0 "              \
               "FROM topic_notes WHERE topic_id = ?1 ORDER BY id")                                 \
    X(T_TASK_DONE, "UPDATE topic_tasks SET done_ms = ?3 WHERE topic_id = ?1 AND id = ?2 "          \
                   "AND done_ms = 0")                                                              \
    X(T_MEETING_ADD, "INSERT INTO topic_meetings(topic_id, at_ms, place) VALUES (?1, ?2, ?3)")     \
    X(T_ATTEND, "INSERT INTO topic_attendance(meeting_id, member_id) VALUES (?1, ?2)")             \
    X(T_MEETING_LATEST, "SELECT m.id, (SELECT count(*) FROM topic_attendance a "                   \
                        "WHERE a.meeting_id = m.id) FROM topic_meetings m WHERE m.topic_id = ?1 "  \
                        "ORDER BY m.id DESC LIMIT 1")                                              \
    X(T_ATTENDED,                                                                                  \
      "SELECT count(*) FROM topic_attendance WHERE meeting_id = ?1 AND member_id = ?2")            \
    X(T_BALLOT_ADD, "INSERT INTO topic_ballots(topic_id, voter_key, choice, at_ms) "               \
                    "VALUES (?1, ?2, CASE WHEN ?5 THEN NULL ELSE ?3 END, ?4)")                     \
    X(T_SECRET_ADD, "INSERT INTO topic_secret_tally(topic_id, choice, n) VALUES (?1, ?2, 1) "      \
                    "ON CONFLICT(topic_id, choice) DO UPDATE SET n = n + 1")                       \
    X(T_BALLOT_TOTALS,                                                                             \
      "SELECT coalesce(sum(CASE WHEN choice = 'yes' THEN n END), 0), "                             \
      "coalesce(sum(CASE WHEN choice = 'no' THEN n END), 0), "                                     \
      "coalesce(sum(CASE WHEN choice = 'abstain' THEN n END), 0) FROM "                            \
      "(SELECT choice, 1 AS n FROM topic_ballots WHERE topic_id = ?1 AND choice IS NOT NULL "      \
      "UNION ALL SELECT choice, n FROM topic_secret_tally WHERE topic_id = ?1)")                   \
    X(T_EVENT_APPEND, "INSERT INTO topic_events(topic_id, seq, at_ms, actor_user_id, actor_role, " \
                      "action, from_state, to_state, payload) "                                    \
                      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)")                               \
    X(T_EVENTS, "SELECT topic_id, seq, at_ms, actor_user_id, actor_role, action, from_state, "     \
                "to_state, payload FROM topic_events WHERE topic_id = ?1 ORDER BY seq")            \
    X(V_VOTERS,                                                                                    \
      "SELECT (SELECT count(*) FROM households WHERE " SUBTREE(                                    \
          "cell_code", 1) " AND kind = 'registered_family'), (SELECT count(*) FROM persons "       \
                          "WHERE " SUBTREE("cell_code",                                            \
                                           1) " AND is_registered = 1 AND birth_date <= ?2)")

enum dispute_stmt_id {
#define DSTMT_ENUM(name, sql) DSTMT_##name,
    DSTMT_MAP(DSTMT_ENUM)
#undef DSTMT_ENUM
        DSTMT_COUNT
};

_Static_assert(DSTMT_COUNT <= SQ_DISPUTE_STMTS, "raise SQ_DISPUTE_STMTS");

static const char *const dstmt_sql[DSTMT_COUNT] = {
#define DSTMT_SQL(name, sql) sql,
    DSTMT_MAP(DSTMT_SQL)
#undef DSTMT_SQL
};

static sqlite3_stmt *dstmt(struct sqlite_store *s, enum dispute_stmt_id id)
{
    return sq_prepare_slot(s, &s->dispute_stmts[id], dstmt_sql[id]);
}

/* Grow an owned array by one (amortised doubling); returns the new last element, zeroed. */
#define LIST_PUSH(list, cap)                                                                       \
    ((list)->len == (cap)                                                                          \
         ? ((cap) = (cap) ? (cap)*2 : 8,                                                           \
            (list)->items = xreallocarray((list)->items, (cap), sizeof(*(list)->items)))           \
         : (void *)0,                                                                              \
     memset(&(list)->items[(list)->len], 0, sizeof(*(list)->items)),                               \
     &(list)->items[(list)->len++])

static const char *nz(const char *s)
{
    return s != NULL ? s : "";
}

/* Step a one-row INSERT ... RETURNING or INSERT; map a constraint to ERR_EXISTS. */
static int insert_step(struct sqlite_store *s, sqlite3_stmt *stmt, const char *what,
                       int64_t *returned)
{
    int rc = sqlite3_step(stmt);
    int r = 0;
    if (rc == SQLITE_ROW && returned != NULL)
        *returned = sqlite3_column_int64(stmt, 0);
    else if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        r = (rc & 0xff) == SQLITE_CONSTRAINT ? ERR_EXISTS : sq_fail(s, what);
    sqlite3_reset(stmt);
    return r;
}

/* Does row id exist (stmt selects 1 for it)? */
static int row_exists(struct sqlite_store *s, enum dispute_stmt_id id, int64_t row, int *exists)
{
    sqlite3_stmt *stmt = dstmt(s, id);
    int rc;
    *exists = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, row);
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_ROW)
        *exists = 1;
    else if (rc != SQLITE_DONE)
        return sq_fail(s, "exists");
    return 0;
}

/* ---- disputes ----------------------------------------------------------------------------- */

static void bind_dispute(sqlite3_stmt *stmt, const struct dispute_rec *d)
{
    bind_text(stmt, 1, d->area_code);
    bind_text(stmt, 2, d->title);
    bind_text(stmt, 3, d->type);
    bind_text(stmt, 4, d->risk);
    bind_text(stmt, 5, d->state);
    bind_text(stmt, 6, d->outcome[0] ? d->outcome : "none");
    sqlite3_bind_int(stmt, 7, d->level);
    bind_text(stmt, 8, d->summary);
    sqlite3_bind_int64(stmt, 9, d->case_id);
    bind_text(stmt, 10, d->parties_key);
    sqlite3_bind_int64(stmt, 11, d->recurrence_of);
    sqlite3_bind_int(stmt, 12, d->mediator_count);
    sqlite3_bind_int(stmt, 13, d->session_count);
    sqlite3_bind_int(stmt, 14, d->follow_up_count);
    sqlite3_bind_int64(stmt, 15, d->created_by);
    sqlite3_bind_int64(stmt, 16, d->found_ms);
    sqlite3_bind_int64(stmt, 17, d->created_ms);
    sqlite3_bind_int64(stmt, 18, d->updated_ms);
    sqlite3_bind_int64(stmt, 19, d->closed_ms);
    sqlite3_bind_int64(stmt, 20, d->event_seq);
}

static void read_dispute(sqlite3_stmt *stmt, struct dispute_rec *d)
{
    memset(d, 0, sizeof(*d));
    d->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, d->area_code, sizeof(d->area_code));
    copy_col(stmt, 2, d->title, sizeof(d->title));
    copy_col(stmt, 3, d->type, sizeof(d->type));
    copy_col(stmt, 4, d->risk, sizeof(d->risk));
    copy_col(stmt, 5, d->state, sizeof(d->state));
    copy_col(stmt, 6, d->outcome, sizeof(d->outcome));
    d->level = sqlite3_column_int(stmt, 7);
    copy_col(stmt, 8, d->summary, sizeof(d->summary));
    d->case_id = sqlite3_column_int64(stmt, 9);
    copy_col(stmt, 10, d->parties_key, sizeof(d->parties_key));
    d->recurrence_of = sqlite3_column_int64(stmt, 11);
    d->mediator_count = sqlite3_column_int(stmt, 12);
    d->session_count = sqlite3_column_int(stmt, 13);
    d->follow_up_count = sqlite3_column_int(stmt, 14);
    d->created_by = sqlite3_column_int64(stmt, 15);
    d->found_ms = sqlite3_column_int64(stmt, 16);
    d->created_ms = sqlite3_column_int64(stmt, 17);
    d->updated_ms = sqlite3_column_int64(stmt, 18);
    d->closed_ms = sqlite3_column_int64(stmt, 19);
    d->event_seq = sqlite3_column_int64(stmt, 20);
}

int sq_dispute_insert(struct store *st, struct dispute_rec *d)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_INSERT);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_dispute(stmt, d);
    if ((r = insert_step(s, stmt, "dispute insert", NULL)) != 0)
        return r;
    d->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_dispute_update(struct store *st, const struct dispute_rec *d, int64_t expected_seq)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_UPDATE);
    int r, exists;
    if (stmt == NULL)
        return ERR_DB;
    bind_dispute(stmt, d);
    sqlite3_bind_int64(stmt, 21, d->id);
    sqlite3_bind_int64(stmt, 22, expected_seq);
    if ((r = sq_exec_done(s, stmt, "dispute update")) != 0)
        return r;
    if (sqlite3_changes(s->db) == 1)
        return 0;
    if ((r = row_exists(s, DSTMT_D_EXISTS, d->id, &exists)) != 0)
        return r;
    return exists ? ERR_CONFLICT : ERR_NOT_FOUND;
}

int sq_dispute_get(struct store *st, int64_t id, struct dispute_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_GET);
    int rc, r = 0;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        read_dispute(stmt, out);
    else
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "dispute get");
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_list(struct store *st, const struct dispute_filter *f, struct dispute_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_LIST);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, nz(f->area));
    bind_text(stmt, 2, nz(f->state));
    bind_text(stmt, 3, nz(f->type));
    sqlite3_bind_int64(stmt, 4, f->case_id);
    sqlite3_bind_int64(stmt, 5, f->from_ms);
    sqlite3_bind_int64(stmt, 6, f->to_ms);
    sqlite3_bind_int64(stmt, 7, f->before_id);
    sqlite3_bind_int(stmt, 8, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        read_dispute(stmt, LIST_PUSH(out, cap));
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "dispute list");
        dispute_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_find_recurrence(struct store *st, const char *parties_key, int64_t before_id,
                               int64_t *id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_RECURRENCE);
    int rc, r = 0;
    *id = 0;
    if (stmt == NULL)
        return ERR_DB;
    if (parties_key == NULL || parties_key[0] == '\0')
        return 0;
    bind_text(stmt, 1, parties_key);
    sqlite3_bind_int64(stmt, 2, before_id > 0 ? before_id : INT64_MAX);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(stmt, 0);
    else if (rc != SQLITE_DONE)
        r = sq_fail(s, "dispute recurrence");
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_party_add(struct store *st, struct dispute_party *p)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_PARTY_ADD);
    int64_t seq = 0;
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, p->dispute_id);
    bind_text(stmt, 2, p->kind);
    sqlite3_bind_int64(stmt, 3, p->person_id);
    sqlite3_bind_int64(stmt, 4, p->organisation_id);
    bind_text(stmt, 5, p->name);
    bind_text(stmt, 6, p->side[0] ? p->side : "other");
    if ((r = insert_step(s, stmt, "dispute party add", &seq)) != 0)
        return r;
    p->seq = (int)seq;
    return 0;
}

int sq_dispute_parties(struct store *st, int64_t dispute_id, struct dispute_party_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_PARTIES);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, dispute_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct dispute_party *p = LIST_PUSH(out, cap);
        p->dispute_id = sqlite3_column_int64(stmt, 0);
        p->seq = sqlite3_column_int(stmt, 1);
        copy_col(stmt, 2, p->kind, sizeof(p->kind));
        p->person_id = sqlite3_column_int64(stmt, 3);
        p->organisation_id = sqlite3_column_int64(stmt, 4);
        copy_col(stmt, 5, p->name, sizeof(p->name));
        copy_col(stmt, 6, p->side, sizeof(p->side));
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "dispute parties");
        dispute_party_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_mediator_add(struct store *st, struct dispute_mediator *m)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_MEDIATOR_ADD);
    int64_t seq = 0;
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, m->dispute_id);
    bind_text(stmt, 2, m->role);
    bind_text(stmt, 3, m->name);
    sqlite3_bind_int64(stmt, 4, m->user_id);
    sqlite3_bind_int64(stmt, 5, m->assigned_ms);
    if ((r = insert_step(s, stmt, "dispute mediator add", &seq)) != 0)
        return r;
    m->seq = (int)seq;
    return 0;
}

int sq_dispute_mediators(struct store *st, int64_t dispute_id, struct dispute_mediator_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_MEDIATORS);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, dispute_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct dispute_mediator *m = LIST_PUSH(out, cap);
        m->dispute_id = sqlite3_column_int64(stmt, 0);
        m->seq = sqlite3_column_int(stmt, 1);
        copy_col(stmt, 2, m->role, sizeof(m->role));
        copy_col(stmt, 3, m->name, sizeof(m->name));
        m->user_id = sqlite3_column_int64(stmt, 4);
        m->assigned_ms = sqlite3_column_int64(stmt, 5);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "dispute mediators");
        dispute_mediator_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_is_mediator(struct store *st, int64_t dispute_id, int64_t user_id, int *is_mediator)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_IS_MEDIATOR);
    int rc, r = 0;
    *is_mediator = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, dispute_id);
    sqlite3_bind_int64(stmt, 2, user_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *is_mediator = sqlite3_column_int(stmt, 0) > 0;
    else
        r = sq_fail(s, "dispute is mediator");
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_entry_add(struct store *st, enum dispute_entry_kind kind, struct dispute_entry *e)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        dstmt(s, kind == DISPUTE_ENTRY_SESSION ? DSTMT_D_SESSION_ADD : DSTMT_D_FOLLOW_UP_ADD);
    int64_t seq = 0;
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, e->dispute_id);
    sqlite3_bind_int64(stmt, 2, e->at_ms);
    sqlite3_bind_int64(stmt, 3, e->user_id);
    bind_text(stmt, 4, e->text);
    if ((r = insert_step(s, stmt, "dispute entry add", &seq)) != 0)
        return r;
    e->seq = (int)seq;
    return 0;
}

int sq_dispute_entries(struct store *st, enum dispute_entry_kind kind, int64_t dispute_id,
                       struct dispute_entry_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt =
        dstmt(s, kind == DISPUTE_ENTRY_SESSION ? DSTMT_D_SESSIONS : DSTMT_D_FOLLOW_UPS);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, dispute_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct dispute_entry *e = LIST_PUSH(out, cap);
        e->dispute_id = sqlite3_column_int64(stmt, 0);
        e->seq = sqlite3_column_int(stmt, 1);
        e->at_ms = sqlite3_column_int64(stmt, 2);
        e->user_id = sqlite3_column_int64(stmt, 3);
        copy_col(stmt, 4, e->text, sizeof(e->text));
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "dispute entries");
        dispute_entry_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

static int event_append(struct sqlite_store *s, enum dispute_stmt_id id, const struct gov_event *e)
{
    sqlite3_stmt *stmt = dstmt(s, id);
    int rc;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, e->owner_id);
    sqlite3_bind_int64(stmt, 2, e->seq);
    sqlite3_bind_int64(stmt, 3, e->at_ms);
    sqlite3_bind_int64(stmt, 4, e->actor_user_id);
    bind_text(stmt, 5, e->actor_role);
    bind_text(stmt, 6, e->action);
    bind_text(stmt, 7, e->from_state);
    bind_text(stmt, 8, e->to_state);
    bind_text(stmt, 9, e->payload != NULL ? e->payload : "{}");
    rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    if (rc == SQLITE_DONE)
        return 0;
    return (rc & 0xff) == SQLITE_CONSTRAINT ? ERR_CONFLICT : sq_fail(s, "event append");
}

static int events_read(struct sqlite_store *s, enum dispute_stmt_id id, int64_t owner,
                       struct gov_event_list *out)
{
    sqlite3_stmt *stmt = dstmt(s, id);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, owner);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct gov_event *e = LIST_PUSH(out, cap);
        const unsigned char *payload = sqlite3_column_text(stmt, 8);
        e->owner_id = sqlite3_column_int64(stmt, 0);
        e->seq = sqlite3_column_int64(stmt, 1);
        e->at_ms = sqlite3_column_int64(stmt, 2);
        e->actor_user_id = sqlite3_column_int64(stmt, 3);
        copy_col(stmt, 4, e->actor_role, sizeof(e->actor_role));
        copy_col(stmt, 5, e->action, sizeof(e->action));
        copy_col(stmt, 6, e->from_state, sizeof(e->from_state));
        copy_col(stmt, 7, e->to_state, sizeof(e->to_state));
        e->payload = xstrdup(payload ? (const char *)payload : "{}");
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "events");
        gov_event_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_dispute_event_append(struct store *st, const struct gov_event *e)
{
    return event_append(sq(st), DSTMT_D_EVENT_APPEND, e);
}

int sq_dispute_events(struct store *st, int64_t dispute_id, struct gov_event_list *out)
{
    return events_read(sq(st), DSTMT_D_EVENTS, dispute_id, out);
}

int sq_dispute_stats(struct store *st, const char *area, int64_t from_ms, int64_t to_ms,
                     store_dispute_stats_fn fn, void *ctx)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_D_STATS);
    int rc, r = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, nz(area));
    sqlite3_bind_int64(stmt, 2, from_ms);
    sqlite3_bind_int64(stmt, 3, to_ms);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct dispute_stats_row row;
        memset(&row, 0, sizeof(row));
        copy_col(stmt, 0, row.type, sizeof(row.type));
        row.found = sqlite3_column_int64(stmt, 1);
        row.mediated = sqlite3_column_int64(stmt, 2);
        row.concluded = sqlite3_column_int64(stmt, 3);
        row.success = sqlite3_column_int64(stmt, 4);
        row.recurrences = sqlite3_column_int64(stmt, 5);
        if ((r = fn(ctx, &row)) != 0)
            break;
    }
    if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
        r = sq_fail(s, "dispute stats");
    sqlite3_reset(stmt);
    return r;
}

/* ---- councils ------------------------------------------------------------------------------ */

static void read_council(sqlite3_stmt *stmt, struct council_rec *c)
{
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(stmt, 0);
    copy_col(stmt, 1, c->area_code, sizeof(c->area_code));
    copy_col(stmt, 2, c->name, sizeof(c->name));
    c->min_cosigners = sqlite3_column_int(stmt, 3);
    c->term_start_ms = sqlite3_column_int64(stmt, 4);
    c->term_end_ms = sqlite3_column_int64(stmt, 5);
    c->created_ms = sqlite3_column_int64(stmt, 6);
}

int sq_council_insert(struct store *st, struct council_rec *c)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_C_INSERT);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, c->area_code);
    bind_text(stmt, 2, c->name);
    sqlite3_bind_int(stmt, 3, c->min_cosigners);
    sqlite3_bind_int64(stmt, 4, c->term_start_ms);
    sqlite3_bind_int64(stmt, 5, c->term_end_ms);
    sqlite3_bind_int64(stmt, 6, c->created_ms);
    if ((r = insert_step(s, stmt, "council insert", NULL)) != 0)
        return r;
    c->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_council_get(struct store *st, int64_t id, struct council_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_C_GET);
    int rc, r = 0;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        read_council(stmt, out);
    else
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "council get");
    sqlite3_reset(stmt);
    return r;
}

int sq_council_list(struct store *st, const char *area, struct council_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_C_LIST);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, nz(area));
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        read_council(stmt, LIST_PUSH(out, cap));
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "council list");
        council_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_council_member_add(struct store *st, struct council_member_rec *m)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_C_MEMBER_ADD);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, m->council_id);
    sqlite3_bind_int64(stmt, 2, m->person_id);
    sqlite3_bind_int64(stmt, 3, m->user_id);
    bind_text(stmt, 4, m->name);
    bind_text(stmt, 5, m->position);
    sqlite3_bind_int64(stmt, 6, m->term_start_ms);
    sqlite3_bind_int64(stmt, 7, m->term_end_ms);
    if ((r = insert_step(s, stmt, "council member add", NULL)) != 0)
        return r;
    m->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_council_members(struct store *st, int64_t council_id, struct council_member_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_C_MEMBERS);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, council_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct council_member_rec *m = LIST_PUSH(out, cap);
        m->id = sqlite3_column_int64(stmt, 0);
        m->council_id = sqlite3_column_int64(stmt, 1);
        m->person_id = sqlite3_column_int64(stmt, 2);
        m->user_id = sqlite3_column_int64(stmt, 3);
        copy_col(stmt, 4, m->name, sizeof(m->name));
        copy_col(stmt, 5, m->position, sizeof(m->position));
        m->term_start_ms = sqlite3_column_int64(stmt, 6);
        m->term_end_ms = sqlite3_column_int64(stmt, 7);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "council members");
        council_member_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

/* ---- topics ------------------------------------------------------------------------------- */

static void bind_topic(sqlite3_stmt *stmt, const struct topic_rec *t)
{
    sqlite3_bind_int64(stmt, 1, t->council_id);
    bind_text(stmt, 2, t->area_code);
    bind_text(stmt, 3, t->title);
    bind_text(stmt, 4, t->description);
    bind_text(stmt, 5, t->proposer);
    sqlite3_bind_int64(stmt, 6, t->proposed_by);
    bind_text(stmt, 7, t->vote_kind);
    sqlite3_bind_int(stmt, 8, t->is_secret);
    bind_text(stmt, 9, t->state);
    sqlite3_bind_int(stmt, 10, t->is_published);
    sqlite3_bind_int(stmt, 11, t->cosigners);
    sqlite3_bind_int(stmt, 12, t->opinions);
    sqlite3_bind_int(stmt, 13, t->tasks);
    sqlite3_bind_int(stmt, 14, t->open_tasks);
    sqlite3_bind_int(stmt, 15, t->notes);
    sqlite3_bind_int(stmt, 16, t->vote_eligible);
    sqlite3_bind_int(stmt, 17, t->vote_present);
    sqlite3_bind_int(stmt, 18, t->vote_yes);
    sqlite3_bind_int(stmt, 19, t->vote_no);
    sqlite3_bind_int(stmt, 20, t->vote_abstain);
    sqlite3_bind_int(stmt, 21, t->is_quorate);
    sqlite3_bind_int(stmt, 22, t->is_passed);
    sqlite3_bind_int(stmt, 23, t->quorum_needed);
    sqlite3_bind_int(stmt, 24, t->majority_needed);
    sqlite3_bind_int64(stmt, 25, t->case_id);
    sqlite3_bind_int64(stmt, 26, t->created_ms);
    sqlite3_bind_int64(stmt, 27, t->updated_ms);
    sqlite3_bind_int64(stmt, 28, t->voted_ms);
    sqlite3_bind_int64(stmt, 29, t->done_ms);
    sqlite3_bind_int64(stmt, 30, t->event_seq);
}

static void read_topic(sqlite3_stmt *stmt, struct topic_rec *t)
{
    memset(t, 0, sizeof(*t));
    t->id = sqlite3_column_int64(stmt, 0);
    t->council_id = sqlite3_column_int64(stmt, 1);
    copy_col(stmt, 2, t->area_code, sizeof(t->area_code));
    copy_col(stmt, 3, t->title, sizeof(t->title));
    copy_col(stmt, 4, t->description, sizeof(t->description));
    copy_col(stmt, 5, t->proposer, sizeof(t->proposer));
    t->proposed_by = sqlite3_column_int64(stmt, 6);
    copy_col(stmt, 7, t->vote_kind, sizeof(t->vote_kind));
    t->is_secret = sqlite3_column_int(stmt, 8);
    copy_col(stmt, 9, t->state, sizeof(t->state));
    t->is_published = sqlite3_column_int(stmt, 10);
    t->cosigners = sqlite3_column_int(stmt, 11);
    t->opinions = sqlite3_column_int(stmt, 12);
    t->tasks = sqlite3_column_int(stmt, 13);
    t->open_tasks = sqlite3_column_int(stmt, 14);
    t->notes = sqlite3_column_int(stmt, 15);
    t->vote_eligible = sqlite3_column_int(stmt, 16);
    t->vote_present = sqlite3_column_int(stmt, 17);
    t->vote_yes = sqlite3_column_int(stmt, 18);
    t->vote_no = sqlite3_column_int(stmt, 19);
    t->vote_abstain = sqlite3_column_int(stmt, 20);
    t->is_quorate = sqlite3_column_int(stmt, 21);
    t->is_passed = sqlite3_column_int(stmt, 22);
    t->quorum_needed = sqlite3_column_int(stmt, 23);
    t->majority_needed = sqlite3_column_int(stmt, 24);
    t->case_id = sqlite3_column_int64(stmt, 25);
    t->created_ms = sqlite3_column_int64(stmt, 26);
    t->updated_ms = sqlite3_column_int64(stmt, 27);
    t->voted_ms = sqlite3_column_int64(stmt, 28);
    t->done_ms = sqlite3_column_int64(stmt, 29);
    t->event_seq = sqlite3_column_int64(stmt, 30);
}

int sq_topic_insert(struct store *st, struct topic_rec *t)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_INSERT);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    bind_topic(stmt, t);
    if ((r = insert_step(s, stmt, "topic insert", NULL)) != 0)
        return r;
    t->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_topic_update(struct store *st, const struct topic_rec *t, int64_t expected_seq)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_UPDATE);
    int r, exists;
    if (stmt == NULL)
        return ERR_DB;
    bind_topic(stmt, t);
    sqlite3_bind_int64(stmt, 31, t->id);
    sqlite3_bind_int64(stmt, 32, expected_seq);
    if ((r = sq_exec_done(s, stmt, "topic update")) != 0)
        return r;
    if (sqlite3_changes(s->db) == 1)
        return 0;
    if ((r = row_exists(s, DSTMT_T_EXISTS, t->id, &exists)) != 0)
        return r;
    return exists ? ERR_CONFLICT : ERR_NOT_FOUND;
}

int sq_topic_get(struct store *st, int64_t id, struct topic_rec *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_GET);
    int rc, r = 0;
    memset(out, 0, sizeof(*out));
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        read_topic(stmt, out);
    else
        r = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(s, "topic get");
    sqlite3_reset(stmt);
    return r;
}

int sq_topic_list(struct store *st, const struct topic_filter *f, struct topic_list *out)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_LIST);
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, nz(f->area));
    sqlite3_bind_int64(stmt, 2, f->council_id);
    bind_text(stmt, 3, nz(f->state));
    sqlite3_bind_int(stmt, 4, f->is_published_only);
    sqlite3_bind_int64(stmt, 5, f->before_id);
    sqlite3_bind_int(stmt, 6, f->limit > 0 && f->limit <= 1000 ? f->limit : 100);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        read_topic(stmt, LIST_PUSH(out, cap));
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "topic list");
        topic_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_topic_entry_add(struct store *st, enum topic_entry_kind kind, struct topic_entry *e)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = NULL;
    int r;

    switch (kind) {
    case TOPIC_ENTRY_COSIGNER:
        if ((stmt = dstmt(s, DSTMT_T_COSIGNER_ADD)) == NULL)
            return ERR_DB;
        sqlite3_bind_int64(stmt, 1, e->topic_id);
        sqlite3_bind_int64(stmt, 2, e->user_id);
        bind_text(stmt, 3, e->name);
        sqlite3_bind_int64(stmt, 4, e->at_ms);
        break;
    case TOPIC_ENTRY_OPINION:
        if ((stmt = dstmt(s, DSTMT_T_OPINION_ADD)) == NULL)
            return ERR_DB;
        sqlite3_bind_int64(stmt, 1, e->topic_id);
        sqlite3_bind_int64(stmt, 2, e->member_id);
        sqlite3_bind_int64(stmt, 3, e->household_id);
        bind_text(stmt, 4, e->stance);
        bind_text(stmt, 5, e->text);
        sqlite3_bind_int64(stmt, 6, e->user_id);
        sqlite3_bind_int64(stmt, 7, e->at_ms);
        break;
    case TOPIC_ENTRY_TASK:
        if ((stmt = dstmt(s, DSTMT_T_TASK_ADD)) == NULL)
            return ERR_DB;
        sqlite3_bind_int64(stmt, 1, e->topic_id);
        bind_text(stmt, 2, e->text);
        bind_text(stmt, 3, e->owner);
        sqlite3_bind_int64(stmt, 4, e->due_ms);
        sqlite3_bind_int64(stmt, 5, e->user_id);
        sqlite3_bind_int64(stmt, 6, e->at_ms);
        break;
    case TOPIC_ENTRY_NOTE:
        if ((stmt = dstmt(s, DSTMT_T_NOTE_ADD)) == NULL)
            return ERR_DB;
        sqlite3_bind_int64(stmt, 1, e->topic_id);
        sqlite3_bind_int64(stmt, 2, e->user_id);
        bind_text(stmt, 3, e->stance[0] ? e->stance : "note");
        bind_text(stmt, 4, e->text);
        sqlite3_bind_int64(stmt, 5, e->at_ms);
        break;
    default:
        return ERR_INVALID;
    }
    if ((r = insert_step(s, stmt, "topic entry add", NULL)) != 0)
        return r;
    e->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int sq_topic_task_done(struct store *st, int64_t topic_id, int64_t task_id, int64_t done_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_TASK_DONE);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, topic_id);
    sqlite3_bind_int64(stmt, 2, task_id);
    sqlite3_bind_int64(stmt, 3, done_ms);
    if ((r = sq_exec_done(s, stmt, "topic task done")) != 0)
        return r;
    return sqlite3_changes(s->db) == 1 ? 0 : ERR_NOT_FOUND;
}

int sq_topic_entries(struct store *st, enum topic_entry_kind kind, int64_t topic_id,
                     struct topic_entry_list *out)
{
    static const enum dispute_stmt_id ids[] = {
        [TOPIC_ENTRY_COSIGNER] = DSTMT_T_COSIGNERS,
        [TOPIC_ENTRY_OPINION] = DSTMT_T_OPINIONS,
        [TOPIC_ENTRY_TASK] = DSTMT_T_TASKS,
        [TOPIC_ENTRY_NOTE] = DSTMT_T_NOTES,
    };
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt;
    size_t cap = 0;
    int rc, r = 0;
    out->items = NULL;
    out->len = 0;
    if ((int)kind < 0 || kind > TOPIC_ENTRY_NOTE)
        return ERR_INVALID;
    if ((stmt = dstmt(s, ids[kind])) == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, topic_id);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        struct topic_entry *e = LIST_PUSH(out, cap);
        e->id = sqlite3_column_int64(stmt, 0);
        e->topic_id = sqlite3_column_int64(stmt, 1);
        e->user_id = sqlite3_column_int64(stmt, 2);
        e->member_id = sqlite3_column_int64(stmt, 3);
        e->household_id = sqlite3_column_int64(stmt, 4);
        copy_col(stmt, 5, e->name, sizeof(e->name));
        copy_col(stmt, 6, e->owner, sizeof(e->owner));
        copy_col(stmt, 7, e->stance, sizeof(e->stance));
        copy_col(stmt, 8, e->text, sizeof(e->text));
        e->at_ms = sqlite3_column_int64(stmt, 9);
        e->due_ms = sqlite3_column_int64(stmt, 10);
        e->done_ms = sqlite3_column_int64(stmt, 11);
    }
    if (rc != SQLITE_DONE) {
        r = sq_fail(s, "topic entries");
        topic_entry_list_cleanup(out);
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_topic_meeting_add(struct store *st, int64_t topic_id, int64_t at_ms, const char *place,
                         const int64_t *member_ids, size_t n_present, int64_t *meeting_id)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_MEETING_ADD);
    int64_t id;
    int r;
    *meeting_id = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, topic_id);
    sqlite3_bind_int64(stmt, 2, at_ms);
    bind_text(stmt, 3, nz(place));
    if ((r = insert_step(s, stmt, "topic meeting add", NULL)) != 0)
        return r;
    id = sqlite3_last_insert_rowid(s->db);
    for (size_t i = 0; i < n_present; i++) {
        if ((stmt = dstmt(s, DSTMT_T_ATTEND)) == NULL)
            return ERR_DB;
        sqlite3_bind_int64(stmt, 1, id);
        sqlite3_bind_int64(stmt, 2, member_ids[i]);
        if ((r = insert_step(s, stmt, "topic attendance", NULL)) != 0)
            return r;
    }
    *meeting_id = id;
    return 0;
}

int sq_topic_meeting_latest(struct store *st, int64_t topic_id, int64_t *meeting_id, int *present)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_MEETING_LATEST);
    int rc, r = 0;
    *meeting_id = 0;
    *present = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, topic_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *meeting_id = sqlite3_column_int64(stmt, 0);
        *present = sqlite3_column_int(stmt, 1);
    } else if (rc != SQLITE_DONE) {
        r = sq_fail(s, "topic meeting latest");
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_topic_attended(struct store *st, int64_t meeting_id, int64_t member_id, int *attended)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_ATTENDED);
    int rc, r = 0;
    *attended = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, meeting_id);
    sqlite3_bind_int64(stmt, 2, member_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW)
        *attended = sqlite3_column_int(stmt, 0) > 0;
    else
        r = sq_fail(s, "topic attended");
    sqlite3_reset(stmt);
    return r;
}

int sq_topic_ballot_add(struct store *st, int64_t topic_id, const char *voter_key,
                        const char *choice, int is_secret, int64_t at_ms)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_BALLOT_ADD);
    int r;
    if (stmt == NULL)
        return ERR_DB;
    /* the choice is checked here too: a secret ballot's voter row does not carry it */
    if (choice == NULL ||
        (strcmp(choice, "yes") != 0 && strcmp(choice, "no") != 0 && strcmp(choice, "abstain") != 0))
        return ERR_INVALID;
    sqlite3_bind_int64(stmt, 1, topic_id);
    bind_text(stmt, 2, voter_key);
    bind_text(stmt, 3, choice);
    sqlite3_bind_int64(stmt, 4, at_ms);
    sqlite3_bind_int(stmt, 5, is_secret != 0);
    if ((r = insert_step(s, stmt, "topic ballot add", NULL)) != 0 || !is_secret)
        return r;
    if ((stmt = dstmt(s, DSTMT_T_SECRET_ADD)) == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, topic_id);
    bind_text(stmt, 2, choice);
    return insert_step(s, stmt, "topic secret tally", NULL);
}

int sq_topic_ballot_totals(struct store *st, int64_t topic_id, int *yes, int *no, int *abstain)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_T_BALLOT_TOTALS);
    int rc, r = 0;
    *yes = *no = *abstain = 0;
    if (stmt == NULL)
        return ERR_DB;
    sqlite3_bind_int64(stmt, 1, topic_id);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *yes = sqlite3_column_int(stmt, 0);
        *no = sqlite3_column_int(stmt, 1);
        *abstain = sqlite3_column_int(stmt, 2);
    } else {
        r = sq_fail(s, "topic ballot totals");
    }
    sqlite3_reset(stmt);
    return r;
}

int sq_topic_event_append(struct store *st, const struct gov_event *e)
{
    return event_append(sq(st), DSTMT_T_EVENT_APPEND, e);
}

int sq_topic_events(struct store *st, int64_t topic_id, struct gov_event_list *out)
{
    return events_read(sq(st), DSTMT_T_EVENTS, topic_id, out);
}

int sq_village_voters(struct store *st, const char *area, const char *adult_born_by,
                      int64_t *households, int64_t *adults)
{
    struct sqlite_store *s = sq(st);
    sqlite3_stmt *stmt = dstmt(s, DSTMT_V_VOTERS);
    int rc, r = 0;
    *households = 0;
    *adults = 0;
    if (stmt == NULL)
        return ERR_DB;
    bind_text(stmt, 1, nz(area));
    bind_text(stmt, 2, nz(adult_born_by));
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *households = sqlite3_column_int64(stmt, 0);
        *adults = sqlite3_column_int64(stmt, 1);
    } else {
        r = sq_fail(s, "village voters");
    }
    sqlite3_reset(stmt);
    return r;
}
