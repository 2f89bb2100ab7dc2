/*
 * ceiling_server.c - the ceiling for case intake on this hardware: a bare libmicrohttpd
 * server (same thread pool + epoll as gridgov) that parses the same JSON body with jansson
 * and inserts one row into SQLite (WAL, synchronous=NORMAL) through one writer thread with
 * group commit, answering 201 only after the commit. No routing, no auth, no validation,
 * no locating, no history: what gridgov does on top is the difference to this.
 *
 * usage: ceiling_server DB PORT [THREADS]
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
            if (desc) {
                sqlite3_reset(c->insert);
                sqlite3_bind_text(c->insert, 1, desc, -1, SQLITE_TRANSIENT);
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
    (void)method;
    (void)version;
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

int main(int argc, char **argv)
{
    struct ceiling c;
    pthread_t writer;
    sigset_t sigs;
    int sig;
    if (argc < 3) {
        fprintf(stderr, "usage: ceiling_server DB PORT [THREADS]\n");
        return 2;
    }
    memset(&c, 0, sizeof(c));
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
    return 0;
}
