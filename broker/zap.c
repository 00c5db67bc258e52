/* SPDX-License-Identifier: Apache-2.0 */
/* zap: the broker's ZAP handler. */
#include "zap.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <zmq.h>

#include "frames.h"
#include "keys.h"
#include "log.h"

/* A ZAP request: version, request id, domain, address, routing id,
 * mechanism, then the mechanism's credentials (CURVE: one 32-byte key).
 * One frame more is kept than a CURVE request has, as always. */
#define ZAP_FRAMES 8

struct zap {
    void *socket;
};

zap_t *zap_new(void *ctx, cc_err_t *err)
{
    zap_t *z = calloc(1, sizeof *z);
    if (!z) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    z->socket = zmq_socket(ctx, ZMQ_REP);
    if (!z->socket || zmq_bind(z->socket, "inproc://zeromq.zap.01") != 0) {
        err_set(err, CC_INTERNAL, "ZAP handler: %s", zmq_strerror(errno));
        zap_destroy(&z);
        return NULL;
    }
    return z;
}

void *zap_socket(zap_t *z)
{
    return z->socket;
}

int zap_handle(zap_t *z, const roster_t *roster)
{
    frames_t f;
    /* A request longer than any real one is drained by frames_recv and,
     * as ever, judged by its first frames. */
    int n = frames_recv(&f, z->socket, ZAP_FRAMES);
    if (n == 0) {
        frames_close(&f);
        return 0;
    }
    const char *status = "400", *text = "not in the roster";
    roster_org_t org = {.code = ""};
    if (n >= 7 && frames_size(&f, 5) == 5 && memcmp(frames_data(&f, 5), "CURVE", 5) == 0 &&
        frames_size(&f, 6) == 32) {
        if (roster_lookup_curve(roster, frames_data(&f, 6), &org) == 0 &&
            strcmp(org.code, KEYS_BROKER_CODE) != 0) {
            status = "200";
            text = "OK";
        } else {
            char hex[2 * 32 + 1];
            sodium_bin2hex(hex, sizeof hex, frames_data(&f, 6), 32);
            log_warn("refused a connection with transport key %s: not in the roster", hex);
            org.code = "";
        }
    }
    /* A REP socket must answer before it can read again, so even a request
     * too short to carry a request id gets its refusal (with an empty id):
     * only libzmq itself can reach this socket. */
    const void *request_id = n >= 2 ? frames_data(&f, 1) : "";
    size_t request_id_len = n >= 2 ? frames_size(&f, 1) : 0;
    zmq_send(z->socket, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(z->socket, request_id, request_id_len, ZMQ_SNDMORE);
    zmq_send(z->socket, status, 3, ZMQ_SNDMORE);
    zmq_send(z->socket, text, strlen(text), ZMQ_SNDMORE);
    zmq_send(z->socket, org.code, strlen(org.code), ZMQ_SNDMORE);
    zmq_send(z->socket, "", 0, 0);
    frames_close(&f);
    return 1;
}

void zap_destroy(zap_t **zp)
{
    if (!zp || !*zp) {
        return;
    }
    zap_t *z = *zp;
    if (z->socket) {
        zmq_close(z->socket);
    }
    free(z);
    *zp = NULL;
}
