/*
 * cli_basedata.c - `gridgov import persons|households|buildings|organisations|facilities`,
 * `gridgov export <kind>`, `gridgov retention run` and `gridgov accesslog`: the base data for
 * operators (service/basedata.h does the work).
 *
 * An import file is mapped into memory (6 million rows are several hundred MB); a file in
 * another encoding (--encoding gb18030, as Excel saves Chinese CSV) is converted with iconv
 * first. Rejected rows are printed to stderr as "FILE:LINE: reason".
 */
#include "base/progress.h"
#include "base/secret.h"
#include "base/timeutil.h"
#include "cli/cli.h"
#include "service/basedata.h"
#include "service/cases.h"
#include "service/context.h"
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define REJECTS_SHOWN 1000 /* rejected rows printed; the count is always exact */

struct import_ui {
    const char *path;
    struct progress bar;
    int64_t rejects_shown;
};

static void on_reject(void *arg, size_t line, const char *reason)
{
    struct import_ui *ui = arg;
    if (ui->rejects_shown++ < REJECTS_SHOWN)
        fprintf(stderr, "%s:%zu: %s\n", ui->path, line, reason);
    else if (ui->rejects_shown == REJECTS_SHOWN + 1)
        fprintf(stderr, "%s: more rejected rows not shown\n", ui->path);
}

static void on_progress(void *arg, int64_t bytes)
{
    struct import_ui *ui = arg;
    progress_update(&ui->bar, bytes);
}

/* Convert len bytes of text from encoding to UTF-8 into *out (caller frees). */
static int convert_to_utf8(const char *encoding, const char *text, size_t len, char **out,
                           size_t *out_len)
{
    iconv_t cd = iconv_open("UTF-8", encoding);
    size_t cap = len * 2 + 16, left_in = len, left_out = cap;
    char *in = (char *)text, *buf, *o;
    if (cd == (iconv_t)-1)
        return ERR_INVALID;
    buf = malloc(cap);
    if (buf == NULL) {
        iconv_close(cd);
        return ERR_INTERNAL;
    }
    o = buf;
    if (iconv(cd, &in, &left_in, &o, &left_out) == (size_t)-1) {
        iconv_close(cd);
        free(buf);
        return ERR_INVALID;
    }
    iconv_close(cd);
    *out = buf;
    *out_len = (size_t)(o - buf);
    return 0;
}

static int import_kind(enum bd_kind kind, const char *path, const char *encoding, int batch,
                       const struct config *cfg)
{
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct bd_import_options opt;
    struct bd_import_report rep;
    struct import_ui ui;
    struct stat sb;
    char *converted = NULL;
    const char *text;
    size_t len;
    void *map = MAP_FAILED;
    int fd, r;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
        return cli_fail(path, ERR_IO, strerror(errno));
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return cli_fail(path, ERR_INVALID, "not a regular file");
    }
    len = (size_t)sb.st_size;
    if (len > 0 && (map = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
        close(fd);
        return cli_fail(path, ERR_IO, strerror(errno));
    }
    close(fd);
    text = len > 0 ? map : "";
    if (encoding && strcasecmp(encoding, "utf-8") != 0 && strcasecmp(encoding, "utf8") != 0) {
        if ((r = convert_to_utf8(encoding, text, len, &converted, &len)) != 0) {
            if (map != MAP_FAILED)
                munmap(map, (size_t)sb.st_size);
            return cli_fail(path, r, "cannot convert the file from that encoding to UTF-8");
        }
        text = converted;
    }
    if (map != MAP_FAILED)
        madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
    if ((r = service_ctx_open(cfg, STORE_BULK, &ctx, &eb)) != 0) {
        r = cli_fail(cfg->db, r, eb.msg);
        goto out;
    }
    memset(&ui, 0, sizeof(ui));
    ui.path = path;
    progress_init(&ui.bar, "bytes", (int64_t)len);
    memset(&opt, 0, sizeof(opt));
    opt.batch = batch;
    opt.on_reject = on_reject;
    opt.on_progress = on_progress;
    opt.cb_ctx = &ui;
    opt.now_ms = time_now_ms();
    r = basedata_import(ctx, kind, text, len, &opt, &rep, &eb);
    progress_finish(&ui.bar);
    if (r != 0) {
        fprintf(stderr, "%s: %lld rows read, %lld created, %lld updated before the error\n", path,
                (long long)rep.rows, (long long)rep.created, (long long)rep.updated);
        r = cli_fail(path, r, errbuf_message(&eb, r));
        goto out;
    }
    printf("%s: %lld rows: %lld created, %lld updated, %lld rejected\n", path, (long long)rep.rows,
           (long long)rep.created, (long long)rep.updated, (long long)rep.rejected);
    /* The area counts shown on the map include base data. */
    if (kind == BD_PERSON || kind == BD_HOUSEHOLD)
        store_area_recount(ctx->st);
    r = rep.rejected > 0 ? 3 : 0;
out:
    service_ctx_free(ctx);
    free(converted);
    if (map != MAP_FAILED)
        munmap(map, (size_t)sb.st_size);
    return r;
}

int cli_import_basedata(int argc, char **argv, const struct config *cfg_in)
{
    static const char usage[] =
        "import persons|households|buildings|organisations|facilities FILE.csv --db FILE "
        "[--encoding gb18030] [--batch ROWS]";
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"encoding", required_argument, NULL, 'e'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg = *cfg_in;
    const char *encoding = NULL;
    enum bd_kind kind;
    int batch = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:e:b:", opts, NULL)) != -1) {
        if (c == 'd' && config_set(&cfg, "db", optarg, NULL) == 0)
            continue;
        if (c == 'e') {
            encoding = optarg;
            continue;
        }
        if (c == 'b' && (batch = atoi(optarg)) >= 1 && batch <= 1000000)
            continue;
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if (argc - optind != 2 || bd_kind_parse(argv[optind], &kind) != 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    return import_kind(kind, argv[optind + 1], encoding, batch, &cfg);
}

int cli_export_basedata(int argc, char **argv, const struct config *cfg_in)
{
    static const char usage[] =
        "export persons|households|buildings|organisations|facilities --db FILE --out FILE "
        "[--area CODE] [--format csv|xlsx] [--reveal REASON]";
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"out", required_argument, NULL, 'o'},
        {"area", required_argument, NULL, 'a'},   {"format", required_argument, NULL, 'f'},
        {"reveal", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
    struct config cfg = *cfg_in;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct bd_reveal reveal;
    const char *out = NULL, *area = "", *reason = NULL;
    enum bd_export_format fmt = BD_EXPORT_CSV;
    enum bd_kind kind;
    int64_t rows = 0;
    int c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:o:a:f:r:", opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            if (config_set(&cfg, "db", optarg, NULL) != 0)
                return 2;
            break;
        case 'o':
            out = optarg;
            break;
        case 'a':
            area = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "csv") == 0)
                fmt = BD_EXPORT_CSV;
            else if (strcmp(optarg, "xlsx") == 0)
                fmt = BD_EXPORT_XLSX;
            else
                goto bad;
            break;
        case 'r':
            reason = optarg;
            break;
        default:
            goto bad;
        }
    }
    if (argc - optind != 1 || out == NULL || bd_kind_parse(argv[optind], &kind) != 0)
        goto bad;
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    reveal.reason = reason;
    reveal.now_ms = time_now_ms();
    r = basedata_export(ctx, NULL, kind, area, reason ? &reveal : NULL, fmt, out, &rows, &eb);
    service_ctx_free(ctx);
    if (r != 0)
        return cli_fail(out, r, errbuf_message(&eb, r));
    printf("%s: %lld %s%s\n", out, (long long)rows, bd_entity(kind)->plural,
           reason ? " (unmasked; logged)" : " (masked)");
    return 0;
bad:
    fprintf(stderr, "usage: gridgov %s\n", usage);
    return 2;
}

int cli_retention(int argc, char **argv)
{
    static const char usage[] = "retention run --db FILE [--dry-run]";
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"dry-run", no_argument, NULL, 'n'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct bd_retention_report rep;
    int dry_run = 0, c, r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:n", opts, NULL)) != -1) {
        if (c == 'd' && config_set(&cfg, "db", optarg, NULL) == 0)
            continue;
        if (c == 'n') {
            dry_run = 1;
            continue;
        }
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if (argc - optind != 1 || strcmp(argv[optind], "run") != 0) {
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    r = basedata_retention(ctx, time_now_ms(), dry_run, &rep, &eb);
    service_ctx_free(ctx);
    if (r != 0)
        return cli_fail(cfg.db, r, errbuf_message(&eb, r));
    printf("%s%lld persons who left more than %d years ago %s; reporter details of %lld cases "
           "closed more than %d years ago %s\n",
           dry_run ? "dry run: " : "", (long long)rep.persons, cfg.retention_moved_years,
           dry_run ? "would be anonymised" : "anonymised", (long long)rep.reporters,
           cfg.retention_reporter_years, dry_run ? "would be cleared" : "cleared");
    return 0;
}

static int print_access(void *arg, const struct access_entry *e)
{
    char at[32];
    (void)arg;
    time_format_iso(e->at_ms, at, sizeof(at));
    printf("%s\t%s\t%s\t%s %lld\t%s\t%s\t%s\n", at, e->username, e->role, e->subject_kind,
           (long long)e->subject_id, e->subject_area, e->fields, e->reason);
    return 0;
}

int cli_accesslog(int argc, char **argv)
{
    static const char usage[] = "accesslog --db FILE [--area CODE] [--limit N]";
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"area", required_argument, NULL, 'a'},
                                         {"limit", required_argument, NULL, 'l'},
                                         {NULL, 0, NULL, 0}};
    struct config cfg;
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    struct access_filter f;
    int c, r;
    if (cli_config_load(&cfg) != 0)
        return 2;
    memset(&f, 0, sizeof(f));
    f.area = "";
    f.limit = 100;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:a:l:", opts, NULL)) != -1) {
        if (c == 'd' && config_set(&cfg, "db", optarg, NULL) == 0)
            continue;
        if (c == 'a') {
            f.area = optarg;
            continue;
        }
        if (c == 'l') {
            f.limit = atoi(optarg);
            continue;
        }
        fprintf(stderr, "usage: gridgov %s\n", usage);
        return 2;
    }
    if ((r = service_ctx_open(&cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg.db, r, eb.msg);
    printf("time\tuser\trole\tsubject\tarea\tfields\treason\n");
    r = basedata_access_log(ctx, NULL, &f, print_access, NULL, &eb);
    service_ctx_free(ctx);
    return r != 0 ? cli_fail(cfg.db, r, errbuf_message(&eb, r)) : 0;
}

int cli_ensure_key(const struct config *cfg)
{
    struct errbuf eb = {{0}};
    char path[1100];
    int r;
    if ((r = config_key_path(cfg, path, sizeof(path))) != 0)
        return cli_fail("key file", r, config_key_path_problem(r));
    r = secret_key_create(path, &eb);
    if (r == ERR_EXISTS)
        return 0;
    if (r != 0)
        return cli_fail(path, r, errbuf_message(&eb, r));
    printf("%s: created the key that encrypts ID numbers and phones; back it up apart from the "
           "database (without it they cannot be read)\n",
           path);
    return 0;
}

int cli_encrypt_plain_phones(const struct config *cfg)
{
    struct errbuf eb = {{0}};
    struct service_ctx *ctx = NULL;
    int64_t count = 0;
    int r;
    if ((r = service_ctx_open(cfg, 0, &ctx, &eb)) != 0)
        return cli_fail(cfg->db, r, eb.msg);
    r = cases_encrypt_plain_phones(ctx, &count, &eb);
    service_ctx_free(ctx);
    if (r != 0)
        return cli_fail(cfg->db, r, errbuf_message(&eb, r));
    if (count > 0)
        printf("%s: encrypted the reporter phones of %lld cases\n", cfg->db, (long long)count);
    return 0;
}
