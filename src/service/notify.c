/*
 * notify.c - outbox delivery over HTTP webhooks with libcurl (see notify.h).
 * Called from the server's background worker thread (one at a time), and from tests.
 */
#include "service/notify.h"

#include "base/log.h"
#include "service/context.h"
#include "store/store.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

int notify_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : ERR_INTERNAL;
}

void notify_global_cleanup(void)
{
    curl_global_cleanup();
}

int64_t notify_backoff_ms(int attempts)
{
    int64_t secs = 1;
    for (int i = 0; i < attempts && secs < 3600; i++)
        secs *= 2;
    if (secs > 3600)
        secs = 3600;
    return secs * 1000;
}

static size_t discard_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * nmemb;
}

/* POST one message to one URL; 0 on a 2xx answer, else ERR_IO with the reason in why. */
static int post_one(const char *url, const struct outbox_msg *m, long timeout_ms, char *why,
                    size_t why_size)
{
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = NULL;
    char header[160];
    long status = 0;
    CURLcode rc;
    int r = ERR_IO;

    if (curl == NULL) {
        snprintf(why, why_size, "cannot create a curl handle");
        return ERR_INTERNAL;
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    snprintf(header, sizeof(header), "Idempotency-Key: %s", m->idempotency_key);
    headers = curl_slist_append(headers, header);
    snprintf(header, sizeof(header), "X-Gridgov-Topic: %s", m->topic);
    headers = curl_slist_append(headers, header);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, m->payload);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard_body);
    rc = curl_easy_perform(curl);
    if (rc != CURLE_OK) {
        snprintf(why, why_size, "%s", curl_easy_strerror(rc));
    } else {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200 && status < 300)
            r = 0;
        else
            snprintf(why, why_size, "HTTP %ld", status);
    }
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return r;
}

/* POST to every URL of the comma-separated list. */
static int post_all(const char *urls, const struct outbox_msg *m, long timeout_ms, char *why,
                    size_t why_size)
{
    const char *p = urls;
    while (*p) {
        char url[1024];
        size_t n = strcspn(p, ",");
        if (n > 0 && n < sizeof(url)) {
            memcpy(url, p, n);
            url[n] = '\0';
            int r = post_one(url, m, timeout_ms, why, why_size);
            if (r != 0)
                return r;
        }
        p += n;
        if (*p == ',')
            p++;
    }
    return 0;
}

int notify_deliver_due(struct service_ctx *ctx, const char *urls, int64_t now_ms, int limit,
                       long timeout_ms, struct notify_stats *stats)
{
    struct outbox_list due;
    int r;
    memset(stats, 0, sizeof(*stats));
    if (urls == NULL || urls[0] == '\0')
        return 0;
    if ((r = store_outbox_due(ctx->st, now_ms, limit, &due)) != 0)
        return r;
    for (size_t i = 0; i < due.len; i++) {
        const struct outbox_msg *m = &due.items[i];
        char why[200] = "";
        if (post_all(urls, m, timeout_ms, why, sizeof(why)) == 0) {
            r = store_outbox_delivered(ctx->st, m->id, now_ms);
            stats->delivered++;
        } else {
            int attempts = m->attempts + 1;
            int64_t delay = notify_backoff_ms(attempts);
            delay += (int64_t)randombytes_uniform((uint32_t)(delay / 4 + 1)); /* jitter */
            r = store_outbox_failed(ctx->st, m->id, attempts, now_ms + delay, why);
            stats->failed++;
            log_warn("notify", "message %s attempt %d failed: %s; next in %lld ms",
                     m->idempotency_key, attempts, why, (long long)delay);
        }
        if (r != 0)
            break;
    }
    outbox_list_cleanup(&due);
    return r;
}
