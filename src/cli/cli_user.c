/*
 * cli_user.c - `gridgov user add|list|passwd`: user administration without the web interface.
 */
#include "cli/cli.h"

#include "service/auth.h"
#include "store/store.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char user_usage[] =
    "usage: gridgov user add --db FILE --username NAME --password PW --role ROLE --area CODE\n"
    "                        [--department CODE] [--display-name NAME]\n"
    "       gridgov user list --db FILE [--area CODE]\n"
    "       gridgov user passwd --db FILE --username NAME [--password PW]\n"
    "roles: resident grid_worker community_staff station_cadre dispatcher department_handler\n"
    "       mediator council_member volunteer leader admin chief\n";

/* Read a password from stdin (no echo on a terminal). */
static int read_password(char *out, size_t size)
{
    struct termios old, quiet;
    int is_tty = isatty(STDIN_FILENO);
    if (is_tty) {
        fprintf(stderr, "new password: ");
        tcgetattr(STDIN_FILENO, &old);
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    char *got = fgets(out, (int)size, stdin);
    if (is_tty) {
        tcsetattr(STDIN_FILENO, TCSANOW, &old);
        fputc('\n', stderr);
    }
    if (got == NULL)
        return ERR_INVALID;
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int cli_user(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"username", required_argument, NULL, 'u'},
                                         {"password", required_argument, NULL, 'p'},
                                         {"role", required_argument, NULL, 'r'},
                                         {"area", required_argument, NULL, 'a'},
                                         {"department", required_argument, NULL, 'D'},
                                         {"display-name", required_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct user_spec spec;
    struct store *st = NULL;
    char password[AUTH_PASSWORD_MAX + 2];
    const char *action;
    int c, r, status = 1;

    memset(&spec, 0, sizeof(spec));
    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:u:p:r:a:D:n:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, &eb) != 0)
                return cli_fail("--db", ERR_INVALID, eb.msg);
            break;
        case 'u':
            spec.username = optarg;
            break;
        case 'p':
            spec.password = optarg;
            break;
        case 'r':
            spec.role = optarg;
            break;
        case 'a':
            spec.area_code = optarg;
            break;
        case 'D':
            spec.department = optarg;
            break;
        case 'n':
            spec.display_name = optarg;
            break;
        default:
            fputs(user_usage, stderr);
            return 2;
        }
    }
    if (argc - optind != 1) {
        fputs(user_usage, stderr);
        return 2;
    }
    action = argv[optind];
    if (strcmp(action, "add") != 0 && strcmp(action, "list") != 0 &&
        strcmp(action, "passwd") != 0) {
        fputs(user_usage, stderr);
        return 2;
    }
    if ((r = store_open(cfg.db, 0, &st, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);

    if (strcmp(action, "add") == 0) {
        int64_t id;
        if (spec.username == NULL || spec.password == NULL || spec.role == NULL ||
            spec.area_code == NULL) {
            fputs(user_usage, stderr);
            status = 2;
            goto out;
        }
        if ((r = auth_user_add(st, &spec, &id, &eb)) != 0) {
            status = cli_fail("user add", r, eb.msg);
            goto out;
        }
        printf("user %s added (id %lld, role %s, area %s)\n", spec.username, (long long)id,
               spec.role, spec.area_code);
    } else if (strcmp(action, "list") == 0) {
        struct user_list list;
        if ((r = store_user_list(st, spec.area_code ? spec.area_code : "", &list)) != 0) {
            status = cli_fail("user list", r, NULL);
            goto out;
        }
        printf("%-6s %-20s %-20s %-18s %s\n", "id", "username", "role", "area", "department");
        for (size_t i = 0; i < list.len; i++) {
            const struct user *u = &list.items[i];
            printf("%-6lld %-20s %-20s %-18s %s%s\n", (long long)u->id, u->username, u->role,
                   u->area_code, u->department, u->is_disabled ? " (disabled)" : "");
        }
        user_list_cleanup(&list);
    } else {
        if (spec.username == NULL) {
            fputs(user_usage, stderr);
            status = 2;
            goto out;
        }
        if (spec.password == NULL) {
            if (read_password(password, sizeof(password)) != 0) {
                status = cli_fail("user passwd", ERR_INVALID, "no password given");
                goto out;
            }
            spec.password = password;
        }
        if ((r = auth_user_set_password(st, spec.username, spec.password, &eb)) != 0) {
            status = cli_fail("user passwd", r, eb.msg);
            goto out;
        }
        printf("password of %s changed; their sessions were ended\n", spec.username);
    }
    status = 0;
out:
    memset(password, 0, sizeof(password));
    store_close(st);
    return status;
}
