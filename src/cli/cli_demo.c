/*
 * cli_demo.c - `gridgov demo`: create a database holding the demo city (src/service/demo.c)
 * and a year of cases run through the case workflow (src/service/demo_cases.c), then a year of
 * field work through the field-work services (src/service/demo_fieldwork.c), volunteers, posts,
 * needs and chiefs (src/service/demo_volunteers.c), and print the
 * totals and the logins.
 *
 * Before the cases, the holiday calendar the repository ships (data/holidays-cn.csv) is
 * imported when the database has no holidays yet, so deadlines skip the Spring Festival and
 * the other statutory holidays; it is looked for next to the binary (<exe>/../data, as in a
 * build directory inside the source tree, and <exe>/../share/gridgov) and in ./data. Without
 * it the year is generated on a Monday–Friday calendar, and the command says so.
 */
#include "cli/cli.h"

#include "base/secret.h"

#include "base/timeutil.h"
#include "domain/calendar.h"
#include "service/context.h"
#include "service/demo.h"
#include "service/demo_cases.h"
#include "service/demo_disputes.h"
#include "service/demo_fieldwork.h"
#include "service/demo_volunteers.h"
#include "service/rules.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOLIDAYS_FILE     "holidays-cn.csv"
#define HOLIDAYS_FILE_MAX (4u << 20)
#define DAY_MS            (24LL * 3600 * 1000)

/* The first readable holiday file among the usual places; 0 when found (path in out). */
static int find_holidays(char *out, size_t size)
{
    static const char *const rel[] = {"/../data/", "/../share/gridgov/", "/data/"};
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        char *slash;
        exe[n] = '\0';
        if ((slash = strrchr(exe, '/')) != NULL) {
            *slash = '\0';
            for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
                snprintf(out, size, "%s%s%s", exe, rel[i], HOLIDAYS_FILE);
                if (access(out, R_OK) == 0)
                    return 0;
            }
        }
    }
    snprintf(out, size, "data/%s", HOLIDAYS_FILE);
    return access(out, R_OK) == 0 ? 0 : ERR_NOT_FOUND;
}

/* Import the shipped holidays when the database has none; a missing file is not an error. */
static int ensure_holidays(struct service_ctx *ctx)
{
    const struct case_rules *rules;
    struct errbuf eb = {{0}};
    char path[PATH_MAX + 64];
    char *text = NULL;
    size_t len = 0, days = 0;
    int r;
    if ((r = rules_get(ctx, &rules)) != 0)
        return cli_fail("rules", r, NULL);
    if (calendar_day_count(rules->cal) > 0)
        return 0;
    if (find_holidays(path, sizeof(path)) != 0) {
        printf("no holiday calendar found (%s): deadlines count Monday to Friday only\n",
               HOLIDAYS_FILE);
        return 0;
    }
    if ((r = cli_read_file(path, HOLIDAYS_FILE_MAX, &text, &len)) != 0)
        return cli_fail(path, r, r == ERR_TOO_LARGE ? "file too large" : strerror(errno));
    r = rules_store_calendar(ctx->st, text, len, &days, &eb);
    free(text);
    if (r != 0)
        return cli_fail(path, r, eb.msg);
    printf("holiday calendar: %zu days from %s\n", days, path);
    return 0;
}

/* The year of disputes and a council per village (service/demo_disputes.h), same year. */
static int generate_disputes(struct service_ctx *ctx, const struct demo_options *city,
                             int64_t end_ms)
{
    struct errbuf eb = {{0}};
    struct demo_disputes_options opt = {city->seed, end_ms};
    struct demo_disputes_result res;
    int r;

    if ((r = demo_disputes_generate(ctx, &opt, &res, &eb)) != 0)
        return cli_fail("demo disputes", r, eb.msg);
    printf("a year of disputes: %lld found, %lld agreed, %lld concluded, %lld referred, "
           "%lld withdrawn, %lld open; %lld recurrences, %lld escalated, %lld follow-up visits\n",
           (long long)res.disputes, (long long)res.by_state[DISPUTE_STATE_AGREED],
           (long long)res.by_state[DISPUTE_STATE_CONCLUDED],
           (long long)res.by_state[DISPUTE_STATE_REFERRED],
           (long long)res.by_state[DISPUTE_STATE_WITHDRAWN],
           (long long)(res.by_state[DISPUTE_STATE_REGISTERED] +
                       res.by_state[DISPUTE_STATE_ACCEPTED] +
                       res.by_state[DISPUTE_STATE_MEDIATING]),
           (long long)res.recurrences, (long long)res.escalated, (long long)res.follow_ups);
    printf("deliberation councils: %lld villages, %lld topics (", (long long)res.councils,
           (long long)res.topics);
    for (int i = 0; i < COUNCIL_STATE_COUNT; i++)
        printf("%s%s %lld", i ? ", " : "", council_state_name((enum council_state)i),
               (long long)res.topics_by_state[i]);
    printf(")\n");
    return 0;
}

/* Run the year of cases on the new database and print what it holds. */
static int generate_cases(const struct config *cfg, const struct demo_options *city)
{
    struct service_ctx *ctx = NULL;
    struct errbuf eb = {{0}};
    struct demo_cases_options opt;
    struct demo_cases_result res;
    const struct case_rules *rules;
    int64_t now = time_now_ms(), off, closed;
    int r;

    if ((r = service_ctx_open(cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg->db, r, eb.msg);
    if ((r = ensure_holidays(ctx)) != 0)
        goto out;
    if ((r = rules_get(ctx, &rules)) != 0) {
        r = cli_fail("rules", r, NULL);
        goto out;
    }
    /* The year ends at today's local midnight, so the demo looks current. */
    off = (int64_t)calendar_utc_offset(rules->cal) * 60000;
    memset(&opt, 0, sizeof(opt));
    opt.scale = city->scale;
    opt.seed = city->seed;
    opt.end_ms = (now + off) / DAY_MS * DAY_MS - off;
    if ((r = demo_cases_generate(ctx, &opt, &res, &eb)) != 0) {
        r = cli_fail("demo cases", r, eb.msg);
        goto out;
    }
    closed = res.by_state[CASE_STATE_CLOSED] + res.by_state[CASE_STATE_EVALUATED];
    printf("a year of cases: %lld reported, %lld actions in %.1f s\n", (long long)res.cases,
           (long long)res.actions, (double)res.elapsed_ms / 1000.0);
    printf("  closed %lld (resolved %lld, answered %lld, not resolved %lld: %.1f%% resolved or "
           "answered)\n",
           (long long)closed, (long long)res.resolved, (long long)res.answered,
           (long long)res.not_resolved,
           closed ? 100.0 * (double)(res.resolved + res.answered) / (double)closed : 0.0);
    printf("  rejected %lld, merged %lld, open %lld (%lld overdue)\n",
           (long long)res.by_state[CASE_STATE_REJECTED], (long long)res.by_state[CASE_STATE_MERGED],
           (long long)res.open, (long long)res.overdue);
    printf("  evaluated %lld, reworked %lld, reopened %lld, escalated %lld + %lld by the sweep, "
           "yellow cards %lld, red cards %lld\n",
           (long long)res.evaluated, (long long)res.reworked, (long long)res.reopened,
           (long long)res.escalated, (long long)res.sweep_escalated, (long long)res.sweep_yellow,
           (long long)res.sweep_red);
    printf("  channels:");
    for (int i = 0; i < DEMO_CASES_CHANNELS; i++)
        printf(" %s %lld", demo_cases_channel_name(i), (long long)res.by_channel[i]);
    printf("\n");
    if ((r = generate_disputes(ctx, city, opt.end_ms)) != 0)
        goto out;
    /* then a year of field work (issue 5): patrols, visits, station sessions */
    {
        struct demo_fieldwork_options fo = {opt.scale, opt.seed, opt.end_ms};
        struct demo_fieldwork_result fr;
        if ((r = demo_fieldwork_generate(ctx, &fo, &fr, &eb)) != 0) {
            r = cli_fail("demo field work", r, eb.msg);
            goto out;
        }
        printf("a year of field work in %.1f s: %lld patrols (%lld GPS fixes, %lld outside "
               "their grid), %lld household visits, %lld station teams holding %lld sessions "
               "(%lld items, %lld ticketed); %lld of %lld grids lag behind the norms\n",
               (double)fr.elapsed_ms / 1000.0, (long long)fr.patrols, (long long)fr.points,
               (long long)fr.outside_points, (long long)fr.visits, (long long)fr.teams,
               (long long)fr.sessions, (long long)fr.items, (long long)fr.tickets,
               (long long)fr.lagging_grids, (long long)fr.grid_workers + 1);
    }
    /* then volunteers, posts with hours, needs, chiefs and their relayed cases (issue 5) */
    {
        struct demo_volunteers_options vo = {opt.seed, opt.end_ms};
        struct demo_volunteers_result vr;
        if ((r = demo_volunteers_generate(ctx, &vo, &vr, &eb)) != 0) {
            r = cli_fail("demo volunteers", r, eb.msg);
            goto out;
        }
        printf("volunteers in %.1f s: %lld registered (%lld active), %lld posts with %lld members "
               "and %.0f h logged (%lld posts idle for a month), %lld needs (%lld filled, %lld "
               "with no match), %lld assignments; %lld chiefs relayed %lld cases (login %s)\n",
               (double)vr.elapsed_ms / 1000.0, (long long)vr.volunteers, (long long)vr.active,
               (long long)vr.posts, (long long)vr.members, (double)vr.hours_minutes / 60.0,
               (long long)vr.idle_posts, (long long)vr.needs, (long long)vr.needs_filled,
               (long long)vr.needs_unmatched, (long long)vr.assignments, (long long)vr.chiefs,
               (long long)vr.relayed_cases, vr.chief_login[0] ? vr.chief_login : "-");
    }
    r = 0;
out:
    service_ctx_free(ctx);
    return r;
}

int cli_demo(int argc, char **argv)
{
    static const char usage[] = "usage: gridgov demo --db FILE [--scale small|city] [--seed N] "
                                "[--password PW] [--no-cases]\n";
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},   {"scale", required_argument, NULL, 's'},
        {"seed", required_argument, NULL, 'S'}, {"password", required_argument, NULL, 'p'},
        {"no-cases", no_argument, NULL, 'n'},   {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct demo_options opt = {"small", 1, NULL, NULL};
    struct demo_result res;
    struct store *st = NULL;
    int c, r, with_cases = 1;

    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:s:S:p:n", opts, NULL)) != -1) {
        char *end = NULL;
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, &eb) != 0)
                return cli_fail("--db", ERR_INVALID, eb.msg);
            break;
        case 's':
            if (strcmp(optarg, "small") != 0 && strcmp(optarg, "city") != 0) {
                fputs(usage, stderr);
                return 2;
            }
            opt.scale = optarg;
            break;
        case 'S':
            errno = 0;
            opt.seed = strtoull(optarg, &end, 10);
            if (errno != 0 || end == optarg || *end != '\0') {
                fprintf(stderr, "gridgov: --seed must be a non-negative integer\n");
                return 2;
            }
            break;
        case 'p':
            opt.password = optarg;
            break;
        case 'n':
            with_cases = 0;
            break;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (optind != argc) {
        fputs(usage, stderr);
        return 2;
    }
    if ((r = store_open(cfg.db, STORE_CREATE, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    /* The key first: the demo's persons get encrypted ID numbers and phones. */
    if ((r = cli_ensure_key(&cfg)) != 0) {
        store_close(st);
        return r;
    }
    {
        char key_path[1100];
        struct secret_key *key = NULL;
        if ((r = config_key_path(&cfg, key_path, sizeof(key_path))) != 0) {
            store_close(st);
            return cli_fail("key file", r, config_key_path_problem(r));
        }
        if ((r = secret_key_load(key_path, &key, &eb)) != 0) {
            store_close(st);
            return cli_fail(key_path, r, eb.msg);
        }
        opt.key = key;
        r = demo_generate(st, &opt, &res, &eb);
        secret_key_free(key);
    }
    store_close(st);
    if (r == ERR_EXISTS)
        return cli_fail(cfg.db, r, "the database already holds areas; use a new file");
    if (r != 0)
        return cli_fail("demo", r, eb.msg);
    printf("demo city (%s, seed %llu) in %s: %lld areas, %lld households, %lld persons\n",
           opt.scale, (unsigned long long)opt.seed, cfg.db, (long long)res.areas,
           (long long)res.households, (long long)res.persons);
    fflush(stdout);
    /* The logins come last, and even when the cases fail: the city is there to log in to. */
    r = with_cases ? generate_cases(&cfg, &opt) : 0;
    printf("logins (password: %s):\n", res.password);
    for (int i = 0; i < res.n_users; i++)
        printf("  %-20s %-20s area %s\n", res.users[i].username, res.users[i].role,
               res.users[i].area_code);
    return r;
}
