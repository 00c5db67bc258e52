/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_control: the node's control socket, as the `concord` CLI (or any
 * local process that can open the socket) talks to it. A real node of the
 * fixed federation (E38000217, its key file, roster and SQLite ledger in a
 * temporary directory) runs in this process; each input is a sequence of
 * requests sent over the real ipc socket, each answered before the next:
 *   length (2 bytes, little-endian), then that many bytes of a packed
 *   ControlCall (a Control method's name and its packed request).
 * The node has no broker, so what it publishes stays pending and expires;
 * every method's request checks, decoding and precheck are reached.
 *
 * What must hold: the node neither crashes nor leaks, and answers every
 * request that needs no network with one ControlAnswer that decodes, and
 * whose body, when the answer is OK, decodes as the method's reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "config.h"
#include "control.pb-c.h"
#include "fixture.h"
#include "log.h"
#include "node.h"
#include "wire.h"

static node_t *s_node;
static void *s_zmq;
static void *s_cli;
static char s_dir[128];
static char s_method[64]; /* the method (short name) of the request last sent */

static void s_cleanup(void)
{
    char path[256];
    zmq_close(s_cli);
    zmq_ctx_term(s_zmq);
    node_destroy(&s_node);
    static const char *const files[] = {"node.key",    "node.pub",    "roster.bin",  "node.db",
                                        "node.db-wal", "node.db-shm", "node.db.lock"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", s_dir, files[i]);
        unlink(path);
    }
    rmdir(s_dir);
}

static void s_start_node(void)
{
    cc_err_t err;
    config_node_t cfg;
    memset(&cfg, 0, sizeof cfg);
    snprintf(s_dir, sizeof s_dir, "%s/concord-fuzz-control-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(s_dir)) {
        abort();
    }
    snprintf(cfg.code, sizeof cfg.code, "%s", fixture_code(FIX_MANCHESTER_CCG));
    snprintf(cfg.key, sizeof cfg.key, "%s/node.key", s_dir);
    snprintf(cfg.roster, sizeof cfg.roster, "%s/roster.bin", s_dir);
    snprintf(cfg.ledger, sizeof cfg.ledger, "%s/node.db", s_dir);
    snprintf(cfg.control, sizeof cfg.control, "%s/node.sock", s_dir);
    snprintf(cfg.broker, sizeof cfg.broker, "tcp://127.0.0.1:9"); /* nobody there */
    cfg.log_level = LOG_LVL_ERROR;
    cfg.call_timeout_ms = 20; /* what waits on the network gives up quickly */
    cfg.fsync = 0;
    char pub[256];
    snprintf(pub, sizeof pub, "%s/node.pub", s_dir);
    size_t roster_len;
    const uint8_t *roster = fixture_roster_bytes(&roster_len);
    const char *tmp = fixture_file("roster.bin", roster, roster_len);
    if (keys_save(fixture_keys(FIX_MANCHESTER_CCG), cfg.key, pub, &err) < 0 || !tmp ||
        rename(tmp, cfg.roster) != 0 || !(s_node = node_new(&cfg, &err))) {
        fprintf(stderr, "fuzz_control: cannot start the node: %s\n", err.msg);
        abort();
    }
    char ep[CONFIG_PATH_MAX + 8];
    int linger = 0;
    snprintf(ep, sizeof ep, "ipc://%s", cfg.control);
    if (!(s_zmq = zmq_ctx_new()) || !(s_cli = zmq_socket(s_zmq, ZMQ_DEALER)) ||
        zmq_setsockopt(s_cli, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
        zmq_connect(s_cli, ep) != 0) {
        abort();
    }
    atexit(s_cleanup);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    log_set_level(LOG_LVL_ERROR);
    s_start_node();
    return 0;
}

/* Receives one reply if there is one; checks it decodes, and with check
 * that an OK answer's body is a reply of s_method. Returns 1 if one came. */
static int s_take_reply(int check)
{
    zmq_msg_t parts[2];
    int got = 0, more = 1;
    while (more && got < 2) {
        zmq_msg_init(&parts[got]);
        if (zmq_msg_recv(&parts[got], s_cli, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&parts[got]);
            break;
        }
        more = zmq_msg_more(&parts[got]);
        got++;
    }
    if (got == 2) {
        Concord__V1__ControlAnswer *a = (Concord__V1__ControlAnswer *)wire_unpack(
            &concord__v1__control_answer__descriptor, zmq_msg_data(&parts[1]),
            zmq_msg_size(&parts[1]), SIZE_MAX, NULL);
        if (!a) {
            abort(); /* the node answered with something the CLI cannot read */
        }
        if (check && s_method[0] && a->code == CONCORD__V1__STATUS_CODE__OK) {
            /* An OK answer carries the reply of the method last asked. */
            const ProtobufCMethodDescriptor *m =
                protobuf_c_service_descriptor_get_method_by_name(&concord__v1__control__descriptor,
                                                                 s_method);
            ProtobufCMessage *r = m ? wire_unpack(m->output, a->body.data, a->body.len,
                                                  SIZE_MAX, NULL)
                                    : NULL;
            if (!r) {
                abort(); /* an OK answer the CLI cannot read as the method's reply */
            }
            wire_free(r);
        }
        wire_free(&a->base);
    }
    for (int i = 0; i < got; i++) {
        zmq_msg_close(&parts[i]);
    }
    return got == 2;
}

/* The short method name a request names, for checking its answer. */
static void s_note_method(const uint8_t *req, size_t len)
{
    static const char prefix[] = "concord.v1.Control/";
    Concord__V1__ControlCall *c = (Concord__V1__ControlCall *)wire_unpack(
        &concord__v1__control_call__descriptor, req, len, SIZE_MAX, NULL);
    s_method[0] = '\0';
    if (c && strncmp(c->method, prefix, sizeof prefix - 1) == 0) {
        snprintf(s_method, sizeof s_method, "%s", c->method + sizeof prefix - 1);
    }
    wire_free(c ? &c->base : NULL);
}

static void s_request(const uint8_t *req, size_t len)
{
    while (s_take_reply(0)) {
        /* late answers to earlier requests: which method is not known */
    }
    s_note_method(req, len);
    if (zmq_send(s_cli, "", 0, ZMQ_SNDMORE) < 0 || zmq_send(s_cli, req, len, 0) < 0) {
        abort();
    }
    /* Local commands answer within a turn or two; network ones time out
     * after call_timeout_ms. */
    for (int turn = 0; turn < 40; turn++) {
        if (node_step(s_node, 5) < 0) {
            abort();
        }
        if (s_take_reply(1)) {
            return;
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int n = 0; n < 8 && size >= 2; n++) {
        size_t len = (size_t)data[0] | (size_t)data[1] << 8;
        if (size - 2 < len) {
            len = size - 2;
        }
        s_request(data + 2, len);
        data += 2 + len;
        size -= 2 + len;
    }
    return 0;
}
