/*
 * cli_cases.c - cases from the command line, for operators without the web interface:
 *   gridgov case list|show|report|act, gridgov sweep, gridgov verify,
 *   gridgov import categories|routing, gridgov export categories, gridgov calendar import.
 * Every command acts through service/ with a principal: `--as USERNAME` names the user the
 * operator acts as, so the CLI obeys exactly the rules the API does.
 */
#include "cli/cli.h"

#include "base/buf.h"
#include "base/timeutil.h"
#include "domain/taxonomy.h"
#include "service/auth.h"
#include "service/cases.h"
#include "service/context.h"
#include "service/history.h"
#include "service/rules.h"
#include "store/store.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define CSV_FILE_MAX ((size_t)16 * 1024 * 1024)

struct case_opts {
    const char *as;
    const char *action, *reason, *evidence, *text, *department, *merge_into, *outcome;
    const char *outcome_reason, *supervision, *channel, *category, *description, *area;
    const char *status, *urgency, *address, *now;
    int rating, days, limit;
    double lon, lat;
    int has_lon, has_lat;
};

static const struct option case_options[] = {
    {"db", required_argument, NULL, 'd'},
    {"as", required_argument, NULL, 'u'},
    {"action", required_argument, NULL, 'a'},
    {"reason", required_argument, NULL, 'r'},
    {"evidence", required_argument, NULL, 'e'},
    {"text", required_argument, NULL, 't'},
    {"department", required_argument, NULL, 'D'},
    {"merge-into", required_argument, NULL, 'm'},
    {"outcome", required_argument, NULL, 'o'},
    {"outcome-reason", required_argument, NULL, 'O'},
    {"supervision", required_argument, NULL, 's'},
    {"rating", required_argument, NULL, 'R'},
    {"days", required_argument, NULL, 'n'},
    {"channel", required_argument, NULL, 'c'},
    {"category", required_argument, NULL, 'C'},
    {"description", required_argument, NULL, 'T'},
    {"area", required_argument, NULL, 'A'},
    {"status", required_argument, NULL, 'S'},
    {"urgency", required_argument, NULL, 'U'},
    {"address", required_argument, NULL, 'B'},
    {"lon", required_argument, NULL, 'x'},
    {"lat", required_argument, NULL, 'y'},
    {"limit", required_argument, NULL, 'l'},
    {"now", required_argument, NULL, 'N'},
    {NULL, 0, NULL, 0},
};

static const char case_usage[] =
    "usage: gridgov case list --db FILE --as USER [--area CODE] [--status S,S] [--limit N]\n"
    "       gridgov case show --db FILE --as USER ID|NUMBER\n"
    "       gridgov case report --db FILE --as USER --channel C --category CODE\n"
    "               --description TEXT (--lon X --lat Y | --area CODE) [--urgency U]\n"
    "       gridgov case act --db FILE --as USER ID|NUMBER --action ACTION [--reason R]\n"
    "               [--text T] [--evidence E] [--department UNIT] [--merge-into NUMBER]\n"
    "               [--rating 1-5] [--outcome resolved|not_resolved|answered]\n"
    "               [--outcome-reason R] [--days N] [--supervision normal|yellow_card|red_card]\n";

static int parse_number(const char *s, double *out)
{
    char *end = NULL;
    errno = 0;
    *out = strtod(s, &end);
    return errno == 0 && end != s && *end == '\0' ? 0 : ERR_INVALID;
}

/* Parse the options shared by the case commands into cfg and o; returns 2 on a usage error. */
static int parse_case_opts(int argc, char **argv, struct config *cfg, struct case_opts *o)
{
    int c;
    memset(o, 0, sizeof(*o));
    optind = 1;
    while ((c = getopt_long(argc, argv, "", case_options, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(cfg, "db", optarg, NULL) != 0)
                return 2;
            break;
        case 'u':
            o->as = optarg;
            break;
        case 'a':
            o->action = optarg;
            break;
        case 'r':
            o->reason = optarg;
            break;
        case 'e':
            o->evidence = optarg;
            break;
        case 't':
            o->text = optarg;
            break;
        case 'D':
            o->department = optarg;
            break;
        case 'm':
            o->merge_into = optarg;
            break;
        case 'o':
            o->outcome = optarg;
            break;
        case 'O':
            o->outcome_reason = optarg;
            break;
        case 's':
            o->supervision = optarg;
            break;
        case 'R':
            o->rating = atoi(optarg);
            break;
        case 'n':
            o->days = atoi(optarg);
            break;
        case 'c':
            o->channel = optarg;
            break;
        case 'C':
            o->category = optarg;
            break;
        case 'T':
            o->description = optarg;
            break;
        case 'A':
            o->area = optarg;
            break;
        case 'S':
            o->status = optarg;
            break;
        case 'U':
            o->urgency = optarg;
            break;
        case 'B':
            o->address = optarg;
            break;
        case 'N':
            o->now = optarg;
            break;
        case 'l':
            o->limit = atoi(optarg);
            break;
        case 'x':
            if (parse_number(optarg, &o->lon) != 0)
                return 2;
            o->has_lon = 1;
            break;
        case 'y':
            if (parse_number(optarg, &o->lat) != 0)
                return 2;
            o->has_lat = 1;
            break;
        default:
            return 2;
        }
    }
    return 0;
}

/* The principal of --as USERNAME. */
static int principal_of(struct store *st, const char *username, struct principal *p)
{
    struct user u;
    int r;
    if (username == NULL)
        return cli_fail("case", ERR_INVALID, "give --as USERNAME: the user you act as");
    if ((r = store_user_get_by_name(st, username, &u)) != 0)
        return cli_fail(username, r, r == ERR_NOT_FOUND ? "no such user" : NULL);
    if (auth_principal_from_user(&u, p) != 0)
        return cli_fail(username, ERR_INVALID, "the user has an unknown role");
    return 0;
}

static int resolve_id(struct store *st, const char *arg, int64_t *id)
{
    char *end = NULL;
    struct case_rec c;
    long long v = strtoll(arg, &end, 10);
    if (end != arg && *end == '\0' && v > 0) {
        *id = v;
        return 0;
    }
    if (strlen(arg) > CASE_NUMBER_MAX || store_case_get_by_number(st, arg, &c) != 0)
        return ERR_NOT_FOUND;
    *id = c.id;
    case_rec_cleanup(&c);
    return 0;
}

static void print_case_line(const struct case_rec *c)
{
    char created[32], due[32] = "-";
    time_format_iso(c->created_ms, created, sizeof(created));
    if (c->due_ms)
        time_format_iso(c->due_ms, due, sizeof(due));
    printf("%-24s %-17s %-5s %-18s %-20s %-20s %.40s\n", c->number, c->status, c->category,
           c->area_code, created, due, c->description ? c->description : "");
}

static void print_case(const struct case_rec *c)
{
    char t[32];
    printf("number       %s (id %lld)\n", c->number, (long long)c->id);
    printf("status       %s%s%s\n", c->status, c->outcome[0] ? ", outcome " : "", c->outcome);
    printf("area         %s (queue level %d)\n", c->area_code, c->queue_level);
    printf("category     %s   channel %s   urgency %s\n", c->category, c->channel, c->urgency);
    printf("department   %s\n", c->department[0] ? c->department : "-");
    if (c->due_ms) {
        time_format_iso(c->due_ms, t, sizeof(t));
        printf("deadline     %s due %s\n", c->step, t);
    }
    if (c->supervision[0] && strcmp(c->supervision, "none") != 0)
        printf("supervision  %s\n", c->supervision);
    if (c->rating)
        printf("rating       %d\n", c->rating);
    printf("description  %s\n", c->description ? c->description : "");
}

static int case_act(struct service_ctx *ctx, const struct principal *p, const char *arg,
                    const struct case_opts *o)
{
    struct errbuf eb = {{0}};
    struct workflow_input in;
    struct case_rec c;
    int64_t id;
    int r;
    memset(&in, 0, sizeof(in));
    if (o->action == NULL || workflow_action_parse(o->action, &in.action) != 0)
        return cli_fail("case act", ERR_INVALID, "give a known --action");
    if (o->outcome && workflow_outcome_parse(o->outcome, &in.outcome) != 0)
        return cli_fail("case act", ERR_INVALID, "unknown --outcome");
    if (o->supervision && workflow_supervision_parse(o->supervision, &in.supervision) != 0)
        return cli_fail("case act", ERR_INVALID, "unknown --supervision");
    in.reason = o->reason;
    in.evidence = o->evidence;
    in.text = o->text;
    in.department = o->department;
    in.merge_into = o->merge_into;
    in.rating = o->rating;
    in.outcome_reason = o->outcome_reason;
    in.extension_days = o->days;
    in.now_ms = time_now_ms();
    if (resolve_id(ctx->st, arg, &id) != 0)
        return cli_fail(arg, ERR_NOT_FOUND, "no such case");
    if ((r = cases_act(ctx, p, id, &in, &c, &eb)) != 0)
        return cli_fail("case act", r, eb.msg);
    print_case(&c);
    case_rec_cleanup(&c);
    return 0;
}

static int case_report(struct service_ctx *ctx, const struct principal *p,
                       const struct case_opts *o)
{
    struct errbuf eb = {{0}};
    struct case_report in;
    struct case_rec c;
    struct case_near_list dups;
    int r;
    memset(&in, 0, sizeof(in));
    in.channel = o->channel;
    in.category = o->category;
    in.description = o->description;
    in.urgency = o->urgency;
    in.address = o->address;
    in.has_point = o->has_lon && o->has_lat;
    in.lon = o->lon;
    in.lat = o->lat;
    in.area_code = o->area;
    in.now_ms = time_now_ms();
    if ((r = cases_report(ctx, p, &in, &c, &dups, &eb)) != 0)
        return cli_fail("case report", r, eb.msg);
    print_case(&c);
    for (size_t i = 0; i < dups.len; i++)
        printf("possible duplicate: %s %s\n", dups.items[i].number, dups.items[i].status);
    case_near_list_cleanup(&dups);
    case_rec_cleanup(&c);
    return 0;
}

int cli_case(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct case_opts o;
    struct principal p;
    const char *sub;
    int r, status = 1;

    if (cli_config_load(&cfg) != 0)
        return 2;
    if (parse_case_opts(argc, argv, &cfg, &o) != 0 || argc - optind < 1) {
        fputs(case_usage, stderr);
        return 2;
    }
    sub = argv[optind];
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    if ((status = principal_of(ctx->st, o.as, &p)) != 0)
        goto out;
    if (strcmp(sub, "list") == 0 && argc - optind == 1) {
        struct case_filter f;
        struct case_list list;
        char statuses[256];
        memset(&f, 0, sizeof(f));
        f.area = o.area;
        f.limit = o.limit > 0 && o.limit <= 1000 ? o.limit : 50;
        f.now_ms = time_now_ms();
        if (o.status) {
            char *save = NULL;
            int n = 0;
            snprintf(statuses, sizeof(statuses), "%s", o.status);
            for (char *t = strtok_r(statuses, ",", &save); t && n < 15;
                 t = strtok_r(NULL, ",", &save))
                f.statuses[n++] = t;
        }
        if ((r = cases_list(ctx, &p, &f, &list)) != 0) {
            status = cli_fail("case list", r, NULL);
            goto out;
        }
        printf("%-24s %-17s %-5s %-18s %-20s %-20s %s\n", "number", "status", "cat", "area",
               "reported", "due", "description");
        for (size_t i = 0; i < list.len; i++)
            print_case_line(&list.items[i]);
        case_list_cleanup(&list);
        status = 0;
    } else if (strcmp(sub, "show") == 0 && argc - optind == 2) {
        struct case_rec c;
        struct case_event_list events;
        int64_t id;
        if (resolve_id(ctx->st, argv[optind + 1], &id) != 0 || cases_get(ctx, &p, id, &c) != 0) {
            status = cli_fail(argv[optind + 1], ERR_NOT_FOUND, "no such case");
            goto out;
        }
        print_case(&c);
        if (cases_events(ctx, &p, id, &events) == 0) {
            printf("history\n");
            for (size_t i = 0; i < events.len; i++) {
                char at[32];
                time_format_iso(events.items[i].at_ms, at, sizeof(at));
                printf("  %3lld %s %-12s %-18s %s -> %s %s\n", (long long)events.items[i].seq, at,
                       events.items[i].actor_role, events.items[i].action,
                       events.items[i].from_state[0] ? events.items[i].from_state : "-",
                       events.items[i].to_state, events.items[i].payload);
            }
            case_event_list_cleanup(&events);
        }
        case_rec_cleanup(&c);
        status = 0;
    } else if (strcmp(sub, "act") == 0 && argc - optind == 2) {
        status = case_act(ctx, &p, argv[optind + 1], &o);
    } else if (strcmp(sub, "report") == 0 && argc - optind == 1) {
        status = case_report(ctx, &p, &o);
    } else {
        fputs(case_usage, stderr);
        status = 2;
    }
out:
    service_ctx_free(ctx);
    return status;
}

int cli_sweep(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct case_opts o;
    struct sweep_stats s;
    int64_t now = time_now_ms();
    int r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (parse_case_opts(argc, argv, &cfg, &o) != 0 || optind != argc) {
        fputs("usage: gridgov sweep --db FILE [--now YYYY-MM-DDTHH:MM:SSZ]\n", stderr);
        return 2;
    }
    if (o.now && time_parse_iso(o.now, &now) != 0)
        return cli_fail("--now", ERR_INVALID, "not a time YYYY-MM-DDTHH:MM:SSZ");
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    int64_t t0 = time_mono_ms();
    r = cases_sweep(ctx, now, &s);
    service_ctx_free(ctx);
    if (r != 0)
        return cli_fail("sweep", r, NULL);
    printf("sweep: %lld cases examined, %lld yellow cards, %lld red cards, %lld escalated, "
           "%lld skipped in %lld ms\n",
           (long long)s.examined, (long long)s.yellow, (long long)s.red, (long long)s.escalated,
           (long long)s.skipped, (long long)(time_mono_ms() - t0));
    if (s.skipped > 0)
        fputs("sweep: the skipped cases could not be acted on; the log above names each\n", stderr);
    return 0;
}

int cli_verify(int argc, char **argv)
{
    struct config cfg;
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct history_verify_result res;
    struct case_opts o;
    int r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (parse_case_opts(argc, argv, &cfg, &o) != 0 || optind != argc) {
        fputs("usage: gridgov verify --db FILE\n", stderr);
        return 2;
    }
    if ((r = store_open(cfg.db, STORE_READONLY, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = history_verify_all(st, &res);
    store_close(st);
    if (r != 0)
        return cli_fail("verify", r, NULL);
    if (res.broken_case_id != 0) {
        fprintf(stderr,
                "gridgov: verify: BROKEN: case %s (id %lld), event %lld: %s\n"
                "(checked %lld events of %lld intact cases before it)\n",
                res.broken_number, (long long)res.broken_case_id, (long long)res.broken_seq,
                res.reason, (long long)res.events, (long long)res.cases);
        return 1;
    }
    printf("verify: %lld cases, %lld events: every hash chain is intact\n", (long long)res.cases,
           (long long)res.events);
    return 0;
}

/* `import categories|routing FILE` and `calendar import FILE`: documents of the rules. */
int cli_import_rules(const char *what, const char *path, const struct config *cfg)
{
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    char *text = NULL;
    size_t len = 0, count = 0;
    int r;
    if ((r = cli_read_file(path, CSV_FILE_MAX, &text, &len)) != 0)
        return cli_fail(path, r, r == ERR_TOO_LARGE ? "file larger than 16 MiB" : strerror(errno));
    if ((r = store_open(cfg->db, STORE_CREATE, &st, &eb)) != 0) {
        free(text);
        return cli_fail(cfg->db, r, eb.msg);
    }
    if (strcmp(what, "categories") == 0)
        r = rules_store_categories(st, text, len, &eb);
    else if (strcmp(what, "routing") == 0)
        r = rules_store_routing(st, text, len, &count, &eb);
    else if (strcmp(what, "deadlines") == 0)
        r = rules_store_deadlines(st, text, len, &count, &eb);
    else
        r = rules_store_calendar(st, text, len, &count, &eb);
    store_close(st);
    free(text);
    if (r != 0)
        return cli_fail(path, r, eb.msg);
    if (strcmp(what, "categories") == 0)
        printf("%s: categories replaced\n", path);
    else
        printf("%s: %zu %s imported\n", path, count,
               strcmp(what, "routing") == 0     ? "routing rules"
               : strcmp(what, "deadlines") == 0 ? "deadline rules"
                                                : "calendar days");
    return 0;
}

int cli_calendar(int argc, char **argv)
{
    struct config cfg;
    struct case_opts o;
    if (cli_config_load(&cfg) != 0)
        return 2;
    if (parse_case_opts(argc, argv, &cfg, &o) != 0 || argc - optind != 2 ||
        strcmp(argv[optind], "import") != 0) {
        fputs("usage: gridgov calendar import FILE.csv --db FILE   (columns date,name,kind; "
              "kind off|work)\n",
              stderr);
        return 2;
    }
    return cli_import_rules("calendar", argv[optind + 1], &cfg);
}

int cli_export_categories(const struct config *cfg, FILE *out)
{
    struct errbuf eb = {{0}};
    struct store *st = NULL;
    struct case_rules *rules = NULL;
    struct buf csv;
    int r;
    if ((r = store_open(cfg->db, STORE_READONLY, &st, &eb)) != 0)
        return cli_fail(cfg->db, r, eb.msg);
    r = rules_load(st, &rules, &eb);
    store_close(st);
    if (r != 0)
        return cli_fail("export categories", r, eb.msg);
    buf_init(&csv, (size_t)64 << 20);
    r = taxonomy_write_csv(rules->tax, &csv);
    if (r == 0)
        fwrite(csv.data, 1, csv.len, out);
    buf_cleanup(&csv);
    rules_free(rules);
    return r == 0 ? 0 : cli_fail("export categories", r, NULL);
}
