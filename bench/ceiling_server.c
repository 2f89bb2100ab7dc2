/*
 * ceiling_server.c - the ceiling for case intake on this hardware: a bare libmicrohttpd
 * server (same thread pool + epoll as gridgov) that parses the same JSON body with jansson
 * and inserts one row into SQLite (WAL, synchronous=NORMAL) through one writer thread with
 * group commit, answering 201 only after the commit. No routing, no auth, no validation,
 * no locating, no history: what gridgov does on top is the difference to this.
 * With STATIC_FILE, every GET is answered 200 with that file's bytes (read once into memory):
 * the read ceiling of a bare libmicrohttpd server, for the mixed workload (bench/mixed).
 *
 * usage: ceiling_server DB PORT [THREADS [STATIC_FILE]]
 */
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct job {
    char *body;
    size_t len;
    int result;
    int is_done;
    struct job *next;
};

struct ceiling {
    sqlite3 *db;
    sqlite3_stmt *insert;
    pthread_mutex_t lock;
    pthread_cond_t has_work, has_done;
    struct job *head, *tail;
    char *static_body; /* owned; the GET answer, or NULL */
    size_t static_len;
};

struct upload {
    char *data;
    size_t len;
};

static void *writer_main(void *arg)
{
    struct ceiling *c = arg;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (c->head == NULL)
            pthread_cond_wait(&c->has_work, &c->lock);
        struct job *batch = c->head;
        c->head = c->tail = NULL;
        pthread_mutex_unlock(&c->lock);
        sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        for (struct job *j = batch; j; j = j->next) {
            json_error_t err;
            json_t *v = json_loadb(j->body, j->len, 0, &err);
            const char *desc = v ? json_string_value(json_object_get(v, "description")) : NULL;
            j->result = 400;
            if (json_is_object(v)) {
                /* A report's description; any other write (bench/mixed: comments, visits)
                 * is stored whole. */
                sqlite3_reset(c->insert);
                if (desc)
                    sqlite3_bind_text(c->insert, 1, desc, -1, SQLITE_TRANSIENT);
                else
                    sqlite3_bind_text(c->insert, 1, j->body, (int)j->len, SQLITE_TRANSIENT);
                sqlite3_bind_double(c->insert, 2, json_number_value(json_object_get(v, "lon")));
                sqlite3_bind_double(c->insert, 3, json_number_value(json_object_get(v, "lat")));
                j->result = sqlite3_step(c->insert) == SQLITE_DONE ? 201 : 500;
            }
            json_decref(v);
        }
        int ok = sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK;
        pthread_mutex_lock(&c->lock);
        for (struct job *j = batch; j; j = j->next) {
            if (!ok)
                j->result = 500;
            j->is_done = 1;
        }
        pthread_cond_broadcast(&c->has_done);
    }
    return NULL;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **state)
{
    struct ceiling *c = cls;
    struct upload *up = *state;
    (void)url;
    (void)version;
    if (c->static_body && strcmp(method, "GET") == 0) {
        struct MHD_Response *r =
            MHD_create_response_from_buffer(c->static_len, c->static_body, MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(r, "Content-Type", "application/json");
        enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (up == NULL) {
        *state = calloc(1, sizeof(*up));
        return MHD_YES;
    }
    if (*size) {
        up->data = realloc(up->data, up->len + *size + 1);
        memcpy(up->data + up->len, data, *size);
        up->len += *size;
        *size = 0;
        return MHD_YES;
    }
    struct job job = {up->data, up->len, 0, 0, NULL};
    pthread_mutex_lock(&c->lock);
    if (c->tail)
        c->tail->next = &job;
    else
        c->head = &job;
    c->tail = &job;
    pthread_cond_signal(&c->has_work);
    while (!job.is_done)
        pthread_cond_wait(&c->has_done, &c->lock);
    pthread_mutex_unlock(&c->lock);
    static const char ok[] = "{\"status\":\"reported\"}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(sizeof(ok) - 1, (void *)ok, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)job.result, r);
    MHD_destroy_response(r);
    return ret;
}

static void completed(void *cls, struct MHD_Connection *conn, void **state,
                      enum MHD_RequestTerminationCode toe)
{
    struct upload *up = *state;
    (void)cls;
    (void)conn;
    (void)toe;
    if (up) {
        free(up->data);
        free(up);
    }
}

/* Read a whole (small) file into *out (owned by the caller, free()). */
static int read_file(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (f == NULL)
        return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || n > (1L << 24) ||
        fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    *out = malloc((size_t)n + 1);
    if (*out == NULL || fread(*out, 1, (size_t)n, f) != (size_t)n) {
        free(*out);
        *out = NULL;
        fclose(f);
        return -1;
    }
    fclose(f);
    *len = (size_t)n;
    return 0;
}

int main(int argc, char **argv)
{
    struct ceiling c;
    pthread_t writer;
    sigset_t sigs;
    int sig;
    if (argc < 3) {
        fprintf(stderr, "usage: ceiling_server DB PORT [THREADS [STATIC_FILE]]\n");
        return 2;
    }
    memset(&c, 0, sizeof(c));
    if (argc > 4 && read_file(argv[4], &c.static_body, &c.static_len) != 0) {
        fprintf(stderr, "ceiling_server: cannot read %s\n", argv[4]);
        return 1;
    }
    if (sqlite3_open(argv[1], &c.db) != SQLITE_OK)
        return 1;
    sqlite3_exec(c.db,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 "CREATE TABLE IF NOT EXISTS cases(id INTEGER PRIMARY KEY, description TEXT,"
                 " lon REAL, lat REAL)",
                 NULL, NULL, NULL);
    sqlite3_prepare_v2(c.db, "INSERT INTO cases(description, lon, lat) VALUES (?1, ?2, ?3)", -1,
                       &c.insert, NULL);
    pthread_mutex_init(&c.lock, NULL);
    pthread_cond_init(&c.has_work, NULL);
    pthread_cond_init(&c.has_done, NULL);
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    pthread_create(&writer, NULL, writer_main, &c);
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD, (uint16_t)atoi(argv[2]), NULL, NULL, handle,
                         &c, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(argc > 3 ? atoi(argv[3]) : 4),
                         MHD_OPTION_NOTIFY_COMPLETED, completed, &c, MHD_OPTION_CONNECTION_LIMIT,
                         4096u, MHD_OPTION_END);
    if (d == NULL)
        return 1;
    printf("ceiling listening on %s\n", argv[2]);
    fflush(stdout);
    sigwait(&sigs, &sig);
    MHD_stop_daemon(d);
    free(c.static_body);
    return 0;
}
