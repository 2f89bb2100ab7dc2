/*
 * store_pg_tasks.c - the PostgreSQL twin of store_sqlite_tasks.c: the households that may be
 * due for a visit (task lists), and the schema of version 15 that keeps what they need.
 *
 * households.last_visit_ms (the latest visited_ms of the household's visits, 0 when none) and
 * households.member_tags (its active members' tags joined by commas in person id order, as
 * store_visit_states joins them) are kept by triggers in the transaction that writes the visit
 * or the person, and back-filled here. The visit base (last visit, else created_ms) is indexed
 * with the cell code for every household, per kind, and for households with tagged members.
 * The query is run unprepared (slot -1): a task list is a few requests per user and day, and
 * the planner then sees the actual bound to choose between the base index and the cell index.
 */
#include "store/pg/pg_internal.h"

#include "base/buf.h"

#include <stdio.h>
#include <string.h>

#define VISIT_BASE "(CASE WHEN last_visit_ms > 0 THEN last_visit_ms ELSE created_ms END)"

/* The tags of household `hid`'s active members, as store_visit_states joins them. */
#define MEMBER_TAGS(hid)                                                                           \
    "coalesce((SELECT string_agg(p.tags, ',' ORDER BY p.id) FROM persons p "                       \
    "WHERE p.household_id = " hid " AND p.status IN ('', 'active') AND p.tags <> ''), '')"

/* clang-format off: the schema reads as SQL, one clause per line */
const char pg_schema_tasks[] =
    "ALTER TABLE households ADD COLUMN last_visit_ms bigint NOT NULL DEFAULT 0;"
    "ALTER TABLE households ADD COLUMN member_tags text NOT NULL DEFAULT '';"
    "UPDATE households h SET"
    "  last_visit_ms = coalesce((SELECT max(v.visited_ms) FROM visits v"
    "    WHERE v.subject_kind = 'household' AND v.subject_id = h.id), 0),"
    "  member_tags = " MEMBER_TAGS(
        "h.id") ";"
                "CREATE INDEX households_visit_base ON households(" VISIT_BASE ", cell_code);"
                "CREATE INDEX households_visit_kind ON households(kind, " VISIT_BASE ", cell_code);"
                "CREATE INDEX households_visit_tagged ON households(" VISIT_BASE ", cell_code)"
                "  WHERE member_tags <> '';"
                "CREATE FUNCTION visits_last_visit() RETURNS trigger LANGUAGE plpgsql AS $$"
                "BEGIN"
                "  IF TG_OP = 'INSERT' THEN"
                "    IF NEW.subject_kind = 'household' THEN"
                "      UPDATE households SET last_visit_ms = NEW.visited_ms"
                "        WHERE id = NEW.subject_id AND last_visit_ms < NEW.visited_ms;"
                "    END IF;"
                "    RETURN NULL;"
                "  END IF;"
                /* visits are not changed or deleted by the service; if they are, recount */
                "  UPDATE households h SET last_visit_ms = coalesce((SELECT max(v.visited_ms) FROM "
                "visits v"
                "    WHERE v.subject_kind = 'household' AND v.subject_id = h.id), 0)"
                "    WHERE h.id = OLD.subject_id OR (TG_OP = 'UPDATE' AND h.id = NEW.subject_id);"
                "  RETURN NULL;"
                "END $$;"
                "CREATE TRIGGER visits_last_visit AFTER INSERT OR UPDATE OF subject_kind, "
                "subject_id,"
                "  visited_ms OR DELETE ON visits FOR EACH ROW EXECUTE FUNCTION "
                "visits_last_visit();"
                /* A person counts for its household's tags when it has a household, tags and is
                 * active; a change that touches a counting person (before or after) recomputes both
                 * households. */
                "CREATE FUNCTION persons_member_tags() RETURNS trigger LANGUAGE plpgsql AS $$"
                "DECLARE old_counts boolean := false; new_counts boolean := false;"
                "BEGIN"
                "  IF TG_OP <> 'INSERT' THEN"
                "    old_counts := OLD.household_id IS NOT NULL AND OLD.tags <> ''"
                "      AND OLD.status IN ('', 'active');"
                "  END IF;"
                "  IF TG_OP <> 'DELETE' THEN"
                "    new_counts := NEW.household_id IS NOT NULL AND NEW.tags <> ''"
                "      AND NEW.status IN ('', 'active');"
                "  END IF;"
                "  IF NOT (old_counts OR new_counts) THEN RETURN NULL; END IF;"
                "  IF TG_OP <> 'INSERT' AND OLD.household_id IS NOT NULL THEN"
                "    UPDATE households SET member_tags = " MEMBER_TAGS(
                    "OLD.household_id") "      WHERE id = OLD.household_id;"
                                        "  END IF;"
                                        "  IF TG_OP <> 'DELETE' AND NEW.household_id IS NOT NULL "
                                        "AND (TG_OP = 'INSERT'"
                                        "      OR NEW.household_id IS DISTINCT FROM "
                                        "OLD.household_id) THEN"
                                        "    UPDATE households SET member_tags = " MEMBER_TAGS(
                                            "NEW.household_id") "      WHERE id = NEW.household_id;"
                                                                "  END IF;"
                                                                "  RETURN NULL;"
                                                                "END $$;"
                                                                "CREATE TRIGGER "
                                                                "persons_member_tags AFTER INSERT "
                                                                "OR UPDATE OR DELETE ON persons"
                                                                "  FOR EACH ROW EXECUTE FUNCTION "
                                                                "persons_member_tags();";
/* clang-format on */

int pg_visit_due(struct store *st, const char *area, const char *kind, int tagged,
                 int64_t base_max_ms, store_visit_state_fn fn, void *ctx)
{
    struct pg_params p;
    PGresult *res;
    struct buf sql;
    int r, n;
    buf_init(&sql, 1024);
    buf_append_str(&sql, "SELECT id, cell_code, kind, address, created_ms, last_visit_ms, "
                         "member_tags FROM households WHERE " VISIT_BASE " <= $2 "
                         "AND cell_code >= $1 AND cell_code < $1 || ':'");
    pgp_init(&p);
    pgp_text(&p, area ? area : "");
    pgp_int(&p, base_max_ms);
    if (kind != NULL) {
        buf_append_str(&sql, " AND kind = $3");
        pgp_text(&p, kind);
    }
    if (tagged)
        buf_append_str(&sql, " AND member_tags <> ''");
    buf_append_str(&sql, " ORDER BY id");
    r = pg_query(pg(st), -1, sql.data, &p, "visits due", &res);
    buf_cleanup(&sql);
    if (r != 0)
        return r;
    n = PQntuples(res);
    for (int i = 0; i < n && r == 0; i++) {
        struct visit_state vs;
        memset(&vs, 0, sizeof(vs));
        memcpy(vs.subject_kind, "household", sizeof("household"));
        vs.subject_id = pg_int(res, i, 0);
        pg_copy(res, i, 1, vs.cell_code, sizeof(vs.cell_code));
        pg_copy(res, i, 2, vs.kind, sizeof(vs.kind));
        pg_copy(res, i, 3, vs.label, sizeof(vs.label));
        vs.created_ms = pg_int(res, i, 4);
        vs.last_visit_ms = pg_int(res, i, 5);
        pg_copy(res, i, 6, vs.tags, sizeof(vs.tags));
        r = fn(ctx, &vs);
    }
    PQclear(res);
    return r;
}
