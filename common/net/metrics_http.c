/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_http: GET /metrics in the Prometheus text format, served from
 * libmicrohttpd's thread out of a snapshot the daemon's loop publishes. */
#include "metrics_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

struct metrics_http {
    struct MHD_Daemon *mhd;
    pthread_mutex_t lock; /* guards text */
    char *text;
};

/* "host:port", "[v6]:port" or ":port" into an address. */
static int s_parse(const char *listen, struct sockaddr_storage *ss, cc_err_t *err)
{
    char host[128];
    const char *colon = strrchr(listen, ':');
    char *end = NULL;
    memset(ss, 0, sizeof *ss);
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        err_set(err, CC_INVALID_ARGUMENT, "metrics '%s': expected HOST:PORT, like 127.0.0.1:9464",
                listen);
        return -1;
    }
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || !colon[1] || *end || port < 1 || port > 65535) {
        err_set(err, CC_INVALID_ARGUMENT, "metrics '%s': the port must be 1..65535", listen);
        return -1;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    size_t hl = strlen(host);
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        host[hl - 1] = '\0';
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host + 1, &v6->sin6_addr) == 1) {
            return 0;
        }
    } else {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        if (!host[0]) {
            v4->sin_addr.s_addr = htonl(INADDR_ANY);
            return 0;
        }
        if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
            return 0;
        }
    }
    err_set(err, CC_INVALID_ARGUMENT,
            "metrics '%s': '%s' is not an IP address (use 127.0.0.1, [::1] or nothing for all)",
            listen, host);
    return -1;
}

static enum MHD_Result s_answer(void *cls, struct MHD_Connection *conn, const char *url,
                                const char *method, const char *version, const char *upload,
                                size_t *upload_size, void **con_cls)
{
    metrics_http_t *m = cls;
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)con_cls;
    struct MHD_Response *r;
    unsigned code = MHD_HTTP_OK;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        static const char msg[] = "only GET /metrics\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_METHOD_NOT_ALLOWED;
    } else if (strcmp(url, "/metrics") != 0) {
        static const char msg[] = "not found: the metrics are at /metrics\n";
        r = MHD_create_response_from_buffer(sizeof msg - 1, (void *)msg, MHD_RESPMEM_PERSISTENT);
        code = MHD_HTTP_NOT_FOUND;
    } else {
        pthread_mutex_lock(&m->lock);
        const char *t = m->text ? m->text : "";
        r = MHD_create_response_from_buffer(strlen(t), (void *)t, MHD_RESPMEM_MUST_COPY);
        pthread_mutex_unlock(&m->lock);
        if (r) {
            MHD_add_response_header(r, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
        }
    }
    if (!r) {
        return MHD_NO;
    }
    enum MHD_Result ok = MHD_queue_response(conn, code, r);
    MHD_destroy_response(r);
    return ok;
}

metrics_http_t *metrics_http_start(const char *listen, cc_err_t *err)
{
    struct sockaddr_storage ss;
    if (s_parse(listen, &ss, err) < 0) {
        return NULL;
    }
    metrics_http_t *m = calloc(1, sizeof *m);
    if (!m) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&m->lock, NULL);
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    if (ss.ss_family == AF_INET6) {
        flags |= MHD_USE_IPv6;
    }
    uint16_t port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    errno = 0;
    m->mhd = MHD_start_daemon(flags, port, NULL, NULL, s_answer, m, MHD_OPTION_SOCK_ADDR,
                              (struct sockaddr *)&ss, MHD_OPTION_CONNECTION_LIMIT, 16u,
                              MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
    if (!m->mhd) {
        err_set(err, CC_UNAVAILABLE, "metrics: cannot listen on %s: %s", listen,
                errno ? strerror(errno) : "libmicrohttpd refused");
        pthread_mutex_destroy(&m->lock);
        free(m);
        return NULL;
    }
    return m;
}

int metrics_http_publish(metrics_http_t *m, const char *text)
{
    char *copy = strdup(text);
    if (!copy) {
        return -1;
    }
    pthread_mutex_lock(&m->lock);
    char *old = m->text;
    m->text = copy;
    pthread_mutex_unlock(&m->lock);
    free(old);
    return 0;
}

void metrics_http_stop(metrics_http_t **mp)
{
    if (!mp || !*mp) {
        return;
    }
    metrics_http_t *m = *mp;
    MHD_stop_daemon(m->mhd);
    pthread_mutex_destroy(&m->lock);
    free(m->text);
    free(m);
    *mp = NULL;
}
