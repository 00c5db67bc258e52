/* SPDX-License-Identifier: Apache-2.0 */
/* gate: caps on un-authenticated connections, through a socket monitor. */
#include "gate.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/tcp.h>
#include <zmq.h>

#include "clock.h"
#include "log.h"

#define S_ADDR_MAX 64

/* Bytes a client sends before its CURVE handshake can end: greeting (64),
 * HELLO (200) and INITIATE (at least 257). A connection that has sent
 * this many is past its handshake: authenticated, or refused and
 * closing. (libzmq's handshake events do not say which descriptor they
 * are about, and 4.3 names the wrong peer in them.) */
#define S_HANDSHAKE_BYTES 521

/* One accepted connection whose handshake has not ended. */
typedef struct {
    int fd;
    char peer[S_ADDR_MAX];         /* "tcp://ip:port", as libzmq names it */
    char host[S_ADDR_MAX];         /* "ip" */
    uint64_t since_ms;
} s_conn_t;

struct gate {
    void *mon;
    uint32_t max_total, max_per_address;
    uint64_t stale_ms;             /* an entry older than this missed its event */
    s_conn_t *conns;               /* oldest first */
    uint32_t n, cap;
};

gate_t *gate_new(void *ctx, void *router, uint32_t max_total, uint32_t max_per_address,
                 uint32_t handshake_ms, cc_err_t *err)
{
    static int s_seq;
    char ep[64];
    gate_t *g = calloc(1, sizeof *g);
    if (!g) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    g->max_total = max_total;
    g->max_per_address = max_per_address;
    g->stale_ms = (uint64_t)handshake_ms + 5000;
    snprintf(ep, sizeof ep, "inproc://broker-gate-%d", s_seq++);
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED;
    int linger = 0;
    if (zmq_socket_monitor(router, ep, events) != 0 || !(g->mon = zmq_socket(ctx, ZMQ_PAIR)) ||
        zmq_setsockopt(g->mon, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(g->mon, ep) != 0) {
        err_set(err, CC_INTERNAL, "watching the broker's connections: %s", zmq_strerror(errno));
        gate_destroy(&g);
        return NULL;
    }
    return g;
}

void *gate_socket(gate_t *g)
{
    return g->mon;
}

uint32_t gate_pending(const gate_t *g)
{
    return g->n;
}

static void s_remove(gate_t *g, uint32_t i)
{
    memmove(&g->conns[i], &g->conns[i + 1], (g->n - i - 1) * sizeof *g->conns);
    g->n--;
}

/* The peer of fd as libzmq writes it, and its host alone. */
static int s_peer(int fd, char peer[S_ADDR_MAX], char host[S_ADDR_MAX])
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char ip[INET6_ADDRSTRLEN];
    if (getpeername(fd, (struct sockaddr *)&ss, &len) != 0) {
        return -1;
    }
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
        snprintf(host, S_ADDR_MAX, "%s", ip);
        snprintf(peer, S_ADDR_MAX, "tcp://%s:%u", ip, ntohs(a->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
        snprintf(host, S_ADDR_MAX, "%s", ip);
        snprintf(peer, S_ADDR_MAX, "tcp://[%s]:%u", ip, ntohs(a->sin6_port));
    } else {
        return -1;
    }
    return 0;
}

/* 1 if fd is still the connection c and has not got past its handshake. */
static int s_still_pending(const s_conn_t *c)
{
    char peer[S_ADDR_MAX], host[S_ADDR_MAX];
    struct tcp_info ti;
    socklen_t len = sizeof ti;
    if (s_peer(c->fd, peer, host) < 0 || strcmp(peer, c->peer) != 0) {
        return 0; /* closed, perhaps its descriptor reused */
    }
    memset(&ti, 0, sizeof ti);
    if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) != 0) {
        return 0;
    }
    return ti.tcpi_bytes_received < S_HANDSHAKE_BYTES;
}

/* Forgets the connections that closed or got past their handshake. */
static void s_prune(gate_t *g)
{
    for (uint32_t i = 0; i < g->n;) {
        if (s_still_pending(&g->conns[i])) {
            i++;
        } else {
            s_remove(g, i);
        }
    }
}

/* Shuts connection i down (libzmq then sees it end and closes it). */
static void s_drop(gate_t *g, uint32_t i, const char *why)
{
    s_conn_t *c = &g->conns[i];
    if (s_still_pending(c)) {
        shutdown(c->fd, SHUT_RDWR);
        log_warn("closed an unauthenticated connection from %s: %s", c->peer, why);
    }
    s_remove(g, i);
}

static void s_accepted(gate_t *g, int fd)
{
    s_conn_t c = {.fd = fd, .since_ms = clock_mono_ms()};
    if (s_peer(fd, c.peer, c.host) < 0) {
        return;
    }
    if (g->n == g->cap) {
        uint32_t cap = g->cap ? g->cap * 2 : 64;
        s_conn_t *grown = realloc(g->conns, cap * sizeof *grown);
        if (!grown) {
            shutdown(fd, SHUT_RDWR);
            log_error("out of memory: closed a new connection from %s", c.peer);
            return;
        }
        g->conns = grown;
        g->cap = cap;
    }
    s_prune(g);
    g->conns[g->n++] = c;
    uint32_t same = 0;
    for (uint32_t i = 0; i < g->n; i++) {
        same += strcmp(g->conns[i].host, c.host) == 0;
    }
    if (g->max_per_address && same > g->max_per_address) {
        for (uint32_t i = 0; i < g->n; i++) {
            if (strcmp(g->conns[i].host, c.host) == 0) {
                char why[128];
                snprintf(why, sizeof why, "over unauthenticated_per_address = %u from %s",
                         g->max_per_address, c.host);
                s_drop(g, i, why);
                break;
            }
        }
    }
    if (g->max_total && g->n > g->max_total) {
        char why[128];
        snprintf(why, sizeof why, "over unauthenticated_max = %u", g->max_total);
        s_drop(g, 0, why);
    }
}

/* A connection closed: it no longer counts. */
static void s_ended(gate_t *g, int fd)
{
    for (uint32_t i = 0; i < g->n; i++) {
        if (g->conns[i].fd == fd) {
            s_remove(g, i);
            return;
        }
    }
}

void gate_handle(gate_t *g)
{
    for (int k = 0; k < 1024; k++) {
        zmq_msg_t ev, addr;
        zmq_msg_init(&ev);
        zmq_msg_init(&addr);
        if (zmq_msg_recv(&ev, g->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            zmq_msg_close(&addr);
            break;
        }
        int more = zmq_msg_more(&ev);
        if (more) {
            zmq_msg_recv(&addr, g->mon, 0);
        }
        if (zmq_msg_size(&ev) == 6) {
            const uint8_t *d = zmq_msg_data(&ev);
            uint16_t event;
            uint32_t value;
            memcpy(&event, d, 2);
            memcpy(&value, d + 2, 4);
            char peer[S_ADDR_MAX] = "";
            size_t n = zmq_msg_size(&addr) < sizeof peer - 1 ? zmq_msg_size(&addr)
                                                             : sizeof peer - 1;
            memcpy(peer, zmq_msg_data(&addr), n);
            peer[n] = '\0';
            log_debug("connection event 0x%x value %u peer '%s'; %u unauthenticated", event,
                      value, peer, g->n);
            if (event == ZMQ_EVENT_ACCEPTED) {
                s_accepted(g, (int)value);
            } else if (event == ZMQ_EVENT_DISCONNECTED) {
                s_ended(g, (int)value);
            }
        }
        zmq_msg_close(&ev);
        zmq_msg_close(&addr);
    }
    /* An entry older than the handshake timeout has got past it, one way
     * or the other. */
    uint64_t now = clock_mono_ms();
    while (g->n && now > g->conns[0].since_ms + g->stale_ms) {
        s_remove(g, 0);
    }
}

void gate_destroy(gate_t **gp)
{
    if (!gp || !*gp) {
        return;
    }
    gate_t *g = *gp;
    if (g->mon) {
        zmq_close(g->mon);
    }
    free(g->conns);
    free(g);
    *gp = NULL;
}

int gate_close_all(int port)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d) {
        return 0;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end = NULL;
        long fd = strtol(e->d_name, &end, 10);
        if (end == e->d_name || *end || fd == dirfd(d)) {
            continue;
        }
        struct sockaddr_storage local, peer;
        socklen_t llen = sizeof local, plen = sizeof peer;
        if (getsockname((int)fd, (struct sockaddr *)&local, &llen) != 0 ||
            getpeername((int)fd, (struct sockaddr *)&peer, &plen) != 0) {
            continue; /* not a socket, or not connected (a listener) */
        }
        int lport = local.ss_family == AF_INET
                        ? ntohs(((struct sockaddr_in *)&local)->sin_port)
                        : local.ss_family == AF_INET6
                              ? ntohs(((struct sockaddr_in6 *)&local)->sin6_port)
                              : -1;
        if (lport == port && shutdown((int)fd, SHUT_RDWR) == 0) {
            n++;
        }
    }
    closedir(d);
    return n;
}
