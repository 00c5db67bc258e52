/* SPDX-License-Identifier: Apache-2.0 */
/* rpc: a node's link to the broker: outgoing calls with deadlines and
 * retries, incoming envelopes verified and stored before acknowledgement,
 * idempotent answers to requests. */
#include "rpc.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "grow.h"
#include "inbound.h"
#include "link.pb-c.h"
#include "log.h"
#include "receipt.h"
#include "replay.h"
#include "wire.h"

#define RPC_FIRST_BACKOFF_MS 250
#define RPC_MAX_BACKOFF_MS 4000
/* With several brokers configured: how long one may go without a completed
 * handshake before the peer tries the next. */
#define RPC_BROKER_MOVE_MS 1000
#define RPC_MONITOR_EVENTS                                                                   \
    (ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_DISCONNECTED |                                \
     ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)

/* One envelope this peer sent that still needs something: a receipt from
 * the broker, a reply from the recipient, or both. */
typedef struct s_pending {
    struct s_pending *next;
    uint8_t hash[32];
    uint8_t call_id[ENVELOPE_CALL_ID_LEN];
    uint8_t *env;
    size_t env_len;
    char recipient[KEYS_CODE_MAX + 1];
    const ProtobufCMethodDescriptor *method; /* calls only */
    rpc_done_fn done;                        /* NULL: nobody waits for a reply */
    void *arg;
    int direct;                              /* addressed to the broker itself */
    int accepted;                            /* receipt received */
    int retries;
    int reseals;                             /* times sealed again, overtaken */
    uint64_t started_us;
    uint64_t deadline_ms;                    /* monotonic; 0 = none */
    uint64_t next_send_ms;                   /* monotonic */
    uint32_t backoff_ms;
    uint64_t req_log_index;
    uint64_t req_time_ms;
    uint8_t req_leaf[32];
} s_pending_t;

/* What a delivery of the current batch does once the batch is durable. */
typedef enum {
    S_AFTER_NONE = 0, /* only the acknowledgement */
    S_AFTER_FOLD,     /* an event for the engines */
    S_AFTER_REPLY,    /* a reply completing one of our calls */
    S_AFTER_HISTORY,  /* a board's history: fold the ledger again */
} s_after_t;

/* One delivery read in this wake-up: stored (or judged) inside the
 * batch's transaction, acknowledged and acted on after its commit. */
typedef struct {
    uint64_t log_index;
    uint64_t time_ms;
    s_after_t after;
    envelope_t *env;        /* FOLD, REPLY: the opened envelope */
    uint8_t *raw;           /* the bytes env was opened from */
    s_pending_t *answer;    /* a request's answer, sent once durable */
    uint64_t sequence;      /* stored new: the sender's sequence, for the replay guard */
    char sender[KEYS_CODE_MAX + 1];
} s_item_t;

/* The deliveries of one wake-up (PROTOCOL.md section 8.5, "Batches"):
 * verified one by one, stored in one ledger transaction, then folded in
 * log order and acknowledged. */
typedef struct {
    s_item_t *items;
    size_t n, cap;
    int open;               /* the batch's ledger transaction is open */
    uint64_t fold_upto;     /* highest log index queued to fold */
} s_batch_t;

struct rpc_peer {
    uint64_t skew_warned_ms;       /* when a receipt ahead of our clock was last logged */
    uint32_t max_skew_ms;          /* rpc_peer_set_max_clock_skew */
    uint64_t acked_upto;           /* highest log index acknowledged since start */
    uint32_t disk_reserve_mb;      /* rpc_peer_set_disk_reserve; 0: none */
    uint32_t ledger_max_mb;        /* rpc_peer_set_ledger_max; 0: none */
    int handed_over;               /* the broker gave our deliveries to another connection */
    uint64_t handed_over_ms;
    void *ctx;
    void *dealer;
    void *monitor;
    char monitor_ep[96];
    unsigned connections;          /* sockets made so far: each monitor gets a fresh name */
    char endpoint[1024];           /* as configured: one broker address or several */
    char brokers[CONFIG_BROKERS_MAX][CONFIG_BROKER_ADDR]; /* endpoint's brokers, in turn */
    int n_brokers;
    int broker_at;                 /* the one the socket is connected to */
    uint64_t down_since_ms;        /* monotonic: connecting, or disconnected, since */
    keys_t *keys;
    const roster_t *roster;
    ledger_t *ledger;
    rpc_registry_t *registry;
    replay_t *replay;
    receipt_heads_t *heads;        /* tree heads verified once each */
    uint64_t next_seq;
    s_pending_t *pending;
    int connected;
    inbound_t inbound;           /* storing, or stalled after a ledger failure */
    rpc_peer_stats_t stats;
    rpc_event_fn on_event;
    void *on_event_arg;
    uint64_t folded_upto;          /* highest log index the engines have folded */
    void (*on_history)(uint64_t log_index, void *arg);
    void *on_history_arg;
    rpc_refused_fn on_refused;
    void *on_refused_arg;
    rpc_resealed_fn on_resealed;
    void *on_resealed_arg;
    s_batch_t batch;               /* deliveries read in this wake-up */
    uint64_t *acks;                /* room for a batch's acknowledgements */
    size_t acks_cap;
};

static __thread const rpc_result_t *s_current_result;

static void s_pending_free(s_pending_t *pc)
{
    if (pc) {
        free(pc->env);
        free(pc);
    }
}

static void s_unlink(rpc_peer_t *p, s_pending_t *pc)
{
    for (s_pending_t **pp = &p->pending; *pp; pp = &(*pp)->next) {
        if (*pp == pc) {
            *pp = pc->next;
            return;
        }
    }
}

/* This node's own new requests and events need room: its disk above the
 * reserve, its ledger under ledger_max_mb (deliveries are stored past
 * either). Returns 0, or -1 with err set to RESOURCE_EXHAUSTED. */
static int s_room(rpc_peer_t *p, cc_err_t *err)
{
    if (ledger_disk_check(p->ledger, p->disk_reserve_mb, ENVELOPE_MAX, "node",
                          "requests and events of this node", err) < 0) {
        return -1;
    }
    uint64_t size = p->ledger_max_mb ? ledger_size_bytes(p->ledger) : 0;
    if (p->ledger_max_mb && size >= (uint64_t)p->ledger_max_mb << 20) {
        err_set(err, CC_RESOURCE_EXHAUSTED,
                "LEDGER_FULL: this node's ledger holds %llu MB, at its cap (ledger_max_mb = %u): "
                "new requests and events of this node are refused; deliveries are still stored "
                "(raise ledger_max_mb, with the disk to match)",
                (unsigned long long)(size >> 20), p->ledger_max_mb);
        return -1;
    }
    return 0;
}

/* While the ledger cannot store, nothing new is started: the refusal names
 * the ledger and the cause. Returns 0, or -1 with err set. */
static int s_refuse_if_failed(const rpc_peer_t *p, cc_err_t *err)
{
    return inbound_refuse(&p->inbound, err);
}

const uint64_t rpc_histogram_bounds_us[RPC_HISTOGRAM_BOUNDS] = {
    1000, 2000, 5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000, 2500000, 5000000,
    10000000};

static void s_observe(rpc_histogram_t *h, uint64_t us)
{
    size_t i = 0;
    while (i < RPC_HISTOGRAM_BOUNDS && us > rpc_histogram_bounds_us[i]) {
        i++;
    }
    h->buckets[i]++;
    h->count++;
    h->sum_us += us;
}

/* Finishes a call: runs its callback once and forgets it. */
static void s_complete(rpc_peer_t *p, s_pending_t *pc, cc_code_t code, const char *msg,
                       const ProtobufCMessage *response, uint64_t reply_index)
{
    s_unlink(p, pc);
    if (pc->done && code == CC_OK) {
        s_observe(&p->stats.round_trip, clock_mono_us() - pc->started_us);
    }
    if (pc->done) {
        rpc_result_t r = {
            .code = code,
            .message = msg ? msg : "",
            .response = code == CC_OK ? response : NULL,
            .responder = pc->recipient,
            .rtt_us = clock_mono_us() - pc->started_us,
            .request_log_index = pc->req_log_index,
            .request_leaf = pc->req_log_index ? pc->req_leaf : NULL,
            .request_time_ms = pc->req_time_ms,
            .reply_log_index = reply_index,
            .retries = pc->retries,
        };
        pc->done(&r, pc->arg);
    }
    s_pending_free(pc);
}

/* Sends one link frame; a full queue is not an error (the retry timer
 * will send again). */
static void s_send_frame(rpc_peer_t *p, const Concord__V1__NodeFrame *f)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;
    if (!p->dealer) {
        return; /* not connected yet: the handshake sends what is pending */
    }
    if (wire_pack(&f->base, WIRE_MAX_FRAME, &buf, &len, &err) < 0) {
        log_error("cannot encode frame: %s", err.msg);
        return;
    }
    if (zmq_send(p->dealer, buf, len, ZMQ_DONTWAIT) < 0 && errno != EAGAIN) {
        log_warn("send to broker failed: %s", zmq_strerror(errno));
    }
    free(buf);
}

/* Submits a packed Envelope (already stored) to the broker. */
static void s_submit_raw(rpc_peer_t *p, const uint8_t *env, size_t env_len)
{
    Concord__V1__NodeFrame f = CONCORD__V1__NODE_FRAME__INIT;
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, env, env_len, WIRE_MAX_FRAME, NULL);
    if (!e) {
        log_error("stored envelope no longer decodes; not resubmitting");
        return;
    }
    f.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    f.submit = e;
    s_send_frame(p, &f);
    wire_free(&e->base);
}

static void s_send_pending(rpc_peer_t *p, s_pending_t *pc, uint64_t now)
{
    s_submit_raw(p, pc->env, pc->env_len);
    pc->next_send_ms = now + pc->backoff_ms;
    if (pc->backoff_ms < RPC_MAX_BACKOFF_MS) {
        pc->backoff_ms *= 2;
    }
}

static void s_send_hello(rpc_peer_t *p)
{
    /* A Hello takes the delivery stream back (the broker tells the other
     * instance, if one is still connected). */
    p->handed_over = 0;
    Concord__V1__NodeFrame f = CONCORD__V1__NODE_FRAME__INIT;
    Concord__V1__Hello hello = CONCORD__V1__HELLO__INIT;
    hello.code = (char *)keys_code(p->keys);
    f.frame_case = CONCORD__V1__NODE_FRAME__FRAME_HELLO;
    f.hello = &hello;
    s_send_frame(p, &f);
}

/* Puts pc at the end of the pending list. The list is kept in sending
 * order, so that resubmissions after a reconnect go out in rising sequence
 * order: the broker refuses a sequence below one it has already accepted. */
static void s_append(rpc_peer_t *p, s_pending_t *pc)
{
    s_pending_t **tail = &p->pending;
    pc->next = NULL;
    while (*tail) {
        tail = &(*tail)->next;
    }
    *tail = pc;
}

/* Tracks an envelope until the broker receipts it (and, for a call, until
 * the reply comes). Takes env. */
static s_pending_t *s_track(rpc_peer_t *p, uint8_t **env, size_t env_len, const char *recipient,
                            const uint8_t call_id[16])
{
    s_pending_t *pc = calloc(1, sizeof *pc);
    if (!pc) {
        return NULL;
    }
    pc->env = *env;
    *env = NULL;
    pc->env_len = env_len;
    envelope_hash(pc->env, env_len, pc->hash);
    memcpy(pc->call_id, call_id, sizeof pc->call_id);
    snprintf(pc->recipient, sizeof pc->recipient, "%s", recipient);
    pc->backoff_ms = RPC_FIRST_BACKOFF_MS;
    pc->started_us = clock_mono_us();
    s_append(p, pc);
    return pc;
}

typedef struct {
    rpc_peer_t *p;
    uint64_t max_seq;
} s_replay_ctx_t;

static int s_replay_entry(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_replay_ctx_t *rc = arg;
    rpc_peer_t *p = rc->p;
    if (e->direction == LEDGER_OUT) {
        if (e->sequence > rc->max_seq) {
            rc->max_seq = e->sequence;
        }
        if (!e->receipt) {
            uint8_t *copy = malloc(e->envelope_len);
            if (!copy) {
                err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
                return -1;
            }
            memcpy(copy, e->envelope, e->envelope_len);
            if (!s_track(p, &copy, e->envelope_len, e->recipient, e->call_id)) {
                free(copy);
                err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
                return -1;
            }
        }
    } else if (replay_commit(p->replay, e->sender, e->sequence) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    return 0;
}

rpc_peer_t *rpc_peer_new(void *zmq_ctx, keys_t **keys, const roster_t *roster, ledger_t *ledger,
                         rpc_registry_t *registry, cc_err_t *err)
{
    assert(zmq_ctx && keys && *keys && roster && ledger && registry);
    rpc_peer_t *p = calloc(1, sizeof *p);
    if (!p || !(p->replay = replay_new()) || !(p->heads = receipt_heads_new())) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        if (p) {
            replay_destroy(&p->replay);
        }
        free(p);
        return NULL;
    }
    p->max_skew_ms = RPC_MAX_CLOCK_SKEW_MS;
    p->ctx = zmq_ctx;
    p->keys = *keys;
    *keys = NULL;
    p->roster = roster;
    p->ledger = ledger;
    p->registry = registry;
    s_replay_ctx_t rc = {.p = p};
    if (ledger_replay(ledger, s_replay_entry, &rc, err) < 0) {
        rpc_peer_destroy(&p);
        return NULL;
    }
    p->next_seq = rc.max_seq + 1;
    for (s_pending_t *pc = p->pending; pc; pc = pc->next) {
        p->stats.unreceipted++;
    }
    if (p->stats.unreceipted) {
        log_info("%llu sent envelopes await a broker receipt; resubmitting on connect",
                 (unsigned long long)p->stats.unreceipted);
    }
    return p;
}

static int s_open(rpc_peer_t *p, cc_err_t *err);

int rpc_peer_connect(rpc_peer_t *p, const char *endpoint, cc_err_t *err)
{
    if (endpoint != p->endpoint) {
        snprintf(p->endpoint, sizeof p->endpoint, "%s", endpoint);
    }
    int n = config_brokers(p->endpoint, p->brokers, err);
    if (n < 0) {
        return -1;
    }
    p->n_brokers = n;
    p->broker_at = 0;
    return s_open(p, err);
}

/* Connects the DEALER to the broker p->brokers[p->broker_at]. */
static int s_open(rpc_peer_t *p, cc_err_t *err)
{
    const char *endpoint = p->brokers[p->broker_at];
    roster_org_t broker;
    const keys_public_t *pub = keys_public(p->keys);
    int hb = 1000, hb_timeout = 5000, reconnect = 100, reconnect_max = 2000, linger = 0;
    int hwm = 100000;
    int64_t maxmsg = WIRE_MAX_FRAME + 4096;
    roster_broker(p->roster, &broker);
    p->dealer = zmq_socket(p->ctx, ZMQ_DEALER);
    if (!p->dealer) {
        err_set(err, CC_INTERNAL, "zmq_socket: %s", zmq_strerror(errno));
        return -1;
    }
    snprintf(p->monitor_ep, sizeof p->monitor_ep, "inproc://concord-monitor-%p-%u", (void *)p,
             p->connections++);
    p->down_since_ms = clock_mono_ms();
    if (zmq_setsockopt(p->dealer, ZMQ_CURVE_SERVERKEY, broker.curve_pk, 32) ||
        zmq_setsockopt(p->dealer, ZMQ_CURVE_PUBLICKEY, pub->curve_pk, 32) ||
        zmq_setsockopt(p->dealer, ZMQ_CURVE_SECRETKEY, keys_curve_sk(p->keys), 32) ||
        zmq_setsockopt(p->dealer, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb) ||
        zmq_setsockopt(p->dealer, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout) ||
        zmq_setsockopt(p->dealer, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect) ||
        zmq_setsockopt(p->dealer, ZMQ_RECONNECT_IVL_MAX, &reconnect_max,
                       sizeof reconnect_max) ||
        zmq_setsockopt(p->dealer, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(p->dealer, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(p->dealer, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(p->dealer, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg) ||
        zmq_socket_monitor(p->dealer, p->monitor_ep, RPC_MONITOR_EVENTS)) {
        err_set(err, CC_INTERNAL, "configuring the broker connection: %s",
                zmq_strerror(errno));
        return -1;
    }
    p->monitor = zmq_socket(p->ctx, ZMQ_PAIR);
    if (!p->monitor || zmq_connect(p->monitor, p->monitor_ep) != 0) {
        err_set(err, CC_INTERNAL, "connection monitor: %s", zmq_strerror(errno));
        return -1;
    }
    if (zmq_connect(p->dealer, endpoint) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "cannot connect to broker '%s': %s", endpoint,
                zmq_strerror(errno));
        return -1;
    }
    return 0;
}

/* Seals an envelope from this peer and advances the sequence. */
static int s_seal(rpc_peer_t *p, envelope_meta_t *m, const uint8_t *body, size_t body_len,
                  uint8_t **env, size_t *env_len, cc_err_t *err)
{
    m->sequence = p->next_seq;
    m->sent_at_ms = clock_wall_ms();
    if (envelope_seal(p->keys, m, body, body_len, env, env_len, err) < 0) {
        return -1;
    }
    p->next_seq++;
    return 0;
}

/* Stores an outgoing envelope before it leaves, so that a crash after
 * this point resubmits it on restart rather than losing it. */
static int s_store_out(rpc_peer_t *p, const envelope_meta_t *m, const uint8_t *env,
                       size_t env_len, cc_err_t *err)
{
    uint8_t hash[32];
    envelope_hash(env, env_len, hash);
    ledger_entry_t e = {
        .direction = LEDGER_OUT,
        .hash = hash,
        .envelope = env,
        .envelope_len = env_len,
        .sender = keys_code(p->keys),
        .recipient = m->recipient,
        .method = m->method,
        .sequence = m->sequence,
        .kind = m->kind,
        .call_id = m->call_id,
    };
    return ledger_append(p->ledger, &e, NULL, err);
}

/* Seals a new envelope, stores it (when store is set: a crash after this
 * point resubmits it on restart rather than losing it) and tracks it
 * until its receipt. Returns the tracking entry, not yet sent, or NULL. */
static s_pending_t *s_originate(rpc_peer_t *p, envelope_meta_t *m, const uint8_t *body,
                                size_t body_len, int store, cc_err_t *err)
{
    uint8_t *env = NULL;
    size_t env_len = 0;
    s_pending_t *pc = NULL;
    if (s_seal(p, m, body, body_len, &env, &env_len, err) < 0 ||
        (store && s_store_out(p, m, env, env_len, err) < 0)) {
        goto out;
    }
    if (!(pc = s_track(p, &env, env_len, m->recipient, m->call_id))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
    }
out:
    free(env);
    return pc;
}

int rpc_peer_call(rpc_peer_t *p, const char *recipient, const ProtobufCServiceDescriptor *svc,
                  unsigned method_index, const ProtobufCMessage *input, uint32_t timeout_ms,
                  rpc_done_fn done, void *arg, cc_err_t *err)
{
    assert(method_index < svc->n_methods && done);
    const ProtobufCMethodDescriptor *md = &svc->methods[method_index];
    char method[ENVELOPE_METHOD_MAX + 1];
    uint8_t *body = NULL;
    size_t body_len = 0;
    int ret = -1;
    int direct = strcmp(recipient, KEYS_BROKER_CODE) == 0;
    roster_org_t who;

    if (!direct && roster_lookup(p->roster, recipient, &who) < 0) {
        err_set(err, CC_NOT_FOUND, "%s is not in the roster", recipient);
        return -1;
    }
    if (input->descriptor != md->input) {
        err_set(err, CC_INVALID_ARGUMENT, "wrong input type for %s", md->name);
        return -1;
    }
    if (s_refuse_if_failed(p, err) < 0 || (!direct && s_room(p, err) < 0)) {
        return -1;
    }
    snprintf(method, sizeof method, "%s/%s", svc->name, md->name);
    if (wire_pack(input, direct ? ENVELOPE_MAX / 2 : ENVELOPE_BODY_MAX, &body, &body_len, err) <
        0) {
        goto out;
    }
    envelope_meta_t m = {
        .method = method,
        .recipient = recipient,
        .deadline_ms = clock_wall_ms() + timeout_ms,
        .kind = CONCORD__V1__KIND__KIND_REQUEST,
    };
    envelope_new_call_id(m.call_id);
    /* Queries to the broker itself are not logged anywhere. */
    s_pending_t *pc = s_originate(p, &m, body, body_len, !direct, err);
    if (!pc) {
        goto out;
    }
    pc->method = md;
    pc->done = done;
    pc->arg = arg;
    pc->direct = direct;
    pc->deadline_ms = clock_mono_ms() + timeout_ms;
    s_send_pending(p, pc, clock_mono_ms());
    p->stats.sent++;
    ret = 0;
out:
    free(body);
    return ret;
}

void rpc_peer_poll_items(rpc_peer_t *p, zmq_pollitem_t items[2])
{
    items[0] = (zmq_pollitem_t){.socket = p->dealer, .events = ZMQ_POLLIN};
    items[1] = (zmq_pollitem_t){.socket = p->monitor, .events = ZMQ_POLLIN};
}

static s_pending_t *s_find_hash(rpc_peer_t *p, const uint8_t *hash)
{
    for (s_pending_t *pc = p->pending; pc; pc = pc->next) {
        if (memcmp(pc->hash, hash, 32) == 0) {
            return pc;
        }
    }
    return NULL;
}

static s_pending_t *s_find_call(rpc_peer_t *p, const uint8_t *call_id, const char *responder)
{
    for (s_pending_t *pc = p->pending; pc; pc = pc->next) {
        if (pc->done && memcmp(pc->call_id, call_id, 16) == 0 &&
            strcmp(pc->recipient, responder) == 0) {
            return pc;
        }
    }
    return NULL;
}

/* The broker holds a sequence of ours above any this node sealed (its
 * ledger is older than what it sent, or its key signed elsewhere): the
 * broker's "replay: sequence S from CODE is not above M" names the
 * highest, and sealing goes on from M + 1, so that the next envelope
 * (a key rotation, the remedy for a key used elsewhere, included) is
 * accepted at once instead of every one being refused as a replay. A
 * jump of 2^32 or more is not taken from the broker's word. */
static void s_sequence_floor(rpc_peer_t *p, const char *msg)
{
    const char *at = strstr(msg, " is not above ");
    unsigned long long m = 0;
    if (!at || sscanf(at, " is not above %llu", &m) != 1 || m < p->next_seq ||
        m - p->next_seq >= (1ull << 32)) {
        return;
    }
    log_warn("the broker has sequence %llu of %s, above the %llu this node was at (its ledger is"
             " older than what was sent with its key): continuing from %llu",
             m, keys_code(p->keys), (unsigned long long)p->next_seq, m + 1);
    p->next_seq = m + 1;
}

/* Our stored envelope was refused because a later one of ours reached the
 * broker first. That can happen across a reconnection: the earlier one
 * went down with the old connection while the later one was queued for
 * the new one. Dropping it would lose something already stored (and
 * perhaps promised to a user), so it is sealed again with the next
 * sequence, replaces the stored copy and goes out again. Returns 0, or
 * -1 with err set (the caller then gives up on it). */
static int s_reseal(rpc_peer_t *p, s_pending_t *pc, cc_err_t *err)
{
    uint8_t *env = NULL, hash[32];
    size_t env_len = 0;
    int ret = -1;
    envelope_t *old = envelope_open_with_key(pc->env, pc->env_len, keys_code(p->keys),
                                             keys_public(p->keys)->sign_pk, err);
    if (!old) {
        return -1;
    }
    const Concord__V1__Header *h = old->header;
    envelope_meta_t m = {
        .method = h->method,
        .recipient = h->recipient,
        .deadline_ms = h->deadline_ms,
        .kind = h->kind,
        .status = h->status ? (cc_code_t)h->status->code : CC_OK,
        .status_msg = h->status && h->status->code ? h->status->message : NULL,
        /* A person's signature covers the signer, method and body, not the
         * sequence: it stays valid, and the act stays the person's. */
        .person_sig = old->person_sig,
    };
    memcpy(m.call_id, h->call_id.data, ENVELOPE_CALL_ID_LEN);
    if (s_seal(p, &m, old->body, old->body_len, &env, &env_len, err) < 0) {
        goto out;
    }
    envelope_hash(env, env_len, hash);
    if (ledger_reseal(p->ledger, pc->hash, hash, env, env_len, m.sequence, err) < 0) {
        goto out;
    }
    log_warn("envelope of sequence %llu was overtaken by a later one of ours; sent again as "
             "sequence %llu",
             (unsigned long long)h->sequence, (unsigned long long)m.sequence);
    free(pc->env);
    pc->env = env;
    pc->env_len = env_len;
    env = NULL;
    if (!pc->done && p->on_resealed) {
        p->on_resealed(pc->hash, hash, p->on_resealed_arg);
    }
    memcpy(pc->hash, hash, 32);
    pc->reseals++;
    /* Its new sequence is our highest: it goes to the end of the list,
     * which is kept in sequence order. */
    s_unlink(p, pc);
    s_append(p, pc);
    pc->backoff_ms = RPC_FIRST_BACKOFF_MS;
    s_send_pending(p, pc, clock_mono_ms());
    ret = 0;
out:
    free(env);
    envelope_destroy(&old);
    return ret;
}

/* Verifies a receipt from the broker: its tree head's signature once per
 * head (a new head is kept in the ledger too, for log verify), then the
 * inclusion proof. A receipt without its head names, by its tree size, one
 * sent before on this connection; CC_UNAVAILABLE if there is none. On
 * success *packed is the receipt with its head, as stored. */
static int s_receipt(rpc_peer_t *p, const Concord__V1__Receipt *r, receipt_t *out,
                     uint8_t **packed, size_t *packed_len, cc_err_t *err)
{
    receipt_head_t head;
    const Concord__V1__SignedTreeHead *sth = r->head;
    *packed = NULL;
    if (sth) {
        int fork = 0;
        int fresh = receipt_heads_check(p->heads, p->roster, sth, &head, &fork, err);
        if (fresh < 0) {
            return -1;
        }
        if (fresh) {
            uint8_t *buf = NULL;
            size_t len = 0;
            cc_err_t e2;
            p->stats.heads_verified++;
            if (wire_pack(&sth->base, WIRE_MAX_FRAME, &buf, &len, &e2) < 0 ||
                ledger_head_add(p->ledger, head.size, head.root, buf, len, &e2) < 0) {
                log_error("cannot keep the broker's tree head of %llu entries: %s",
                          (unsigned long long)head.size, e2.msg);
            }
            free(buf);
        }
        if (fork) {
            log_error("the broker signed two different tree heads of %llu entries: it has "
                      "forked its log (both are kept; concord log verify reports it)",
                      (unsigned long long)head.size);
        }
    } else if (!(sth = receipt_heads_find(p->heads, r->tree_size, &head))) {
        err_set(err, CC_UNAVAILABLE,
                "receipt names a tree head of %llu entries that this node was not sent",
                (unsigned long long)r->tree_size);
        return -1;
    }
    if (receipt_prove(r, &head, out, err) < 0) {
        return -1;
    }
    Concord__V1__Receipt copy = *r;
    copy.head = (Concord__V1__SignedTreeHead *)sth;
    return wire_pack(&copy.base, WIRE_MAX_FRAME, packed, packed_len, err);
}

static int s_batch_begin(rpc_peer_t *p, cc_err_t *err);
static void s_batch_commit(rpc_peer_t *p);

/* The broker's answer to one of our submissions. */
static void s_on_result(rpc_peer_t *p, const Concord__V1__SubmitResult *res)
{
    if (res->envelope_hash.len != 32) {
        log_warn("broker sent a result without an envelope hash");
        return;
    }
    s_pending_t *pc = s_find_hash(p, res->envelope_hash.data);
    if (!pc) {
        return; /* an answer to a resend we already settled */
    }
    cc_code_t code = res->status ? (cc_code_t)res->status->code : CC_OK;
    const char *msg = res->status ? res->status->message : "";
    if (code == CC_OK && !res->receipt) {
        log_warn("broker accepted an envelope without a receipt; resending");
        return;
    }
    if ((code == CC_OK || code == CC_ALREADY_EXISTS) && res->receipt) {
        cc_err_t err;
        receipt_t r;
        uint8_t *packed = NULL;
        size_t packed_len = 0;
        /* The receipt (and a new tree head) joins the batch's transaction:
         * nothing waits on it being durable, and were it lost, the
         * envelope would be submitted again at start and receipted again.
         * If the transaction cannot begin the writes below fail and say so. */
        if (s_batch_begin(p, &err) < 0) {
            log_error("storing receipt: %s", err.msg);
        }
        if (s_receipt(p, res->receipt, &r, &packed, &packed_len, &err) < 0 ||
            memcmp(r.envelope_hash, pc->hash, 32) != 0) {
            log_error("broker receipt rejected: %s",
                      packed ? "it names another envelope" : err.msg);
            free(packed);
            return;
        }
        if (ledger_set_receipt(p->ledger, pc->hash, r.log_index, packed, packed_len, &err) < 0) {
            log_error("storing receipt: %s", err.msg);
        }
        free(packed);
        if (!pc->accepted) {
            s_observe(&p->stats.commit, clock_mono_us() - pc->started_us);
        }
        pc->accepted = 1;
        pc->req_log_index = r.log_index;
        pc->req_time_ms = r.time_ms;
        memcpy(pc->req_leaf, r.leaf, 32);
        if (!pc->done) {
            s_unlink(p, pc);
            s_pending_free(pc);
        }
        return;
    }
    if (code == CC_UNAVAILABLE) {
        log_info("broker unavailable (%s); will retry", msg);
        return;
    }
    /* What follows completes calls or tells the engines, whose callbacks
     * may write to the ledger: the batch so far is made durable first. */
    s_batch_commit(p);
    if (code == CC_ALREADY_EXISTS && !pc->direct && !pc->accepted && pc->reseals < 3 &&
        strstr(msg, "replay: sequence")) {
        cc_err_t err;
        s_sequence_floor(p, msg);
        if (s_reseal(p, pc, &err) == 0) {
            return;
        }
        log_error("cannot send overtaken envelope again: %s", err.msg);
    }
    log_warn("broker refused envelope to %s: %s: %s", pc->recipient, err_code_name(code), msg);
    if (!pc->done && !pc->direct && p->on_refused) {
        /* A published event: whoever waits for its fold hears why not. */
        p->on_refused(pc->hash, code, msg, p->on_refused_arg);
    }
    s_complete(p, pc, code, msg, NULL, 0);
}

/* Prepares the answer to a stored request: the stored reply if there is
 * one (the request was served before), otherwise a new one from the
 * handler, stored. Returns it tracked but not yet sent (the caller sends
 * once it is durable), or NULL. */
static s_pending_t *s_answer(rpc_peer_t *p, const envelope_t *req, cc_err_t *err)
{
    const Concord__V1__Header *h = req->header;
    uint8_t *env = NULL, *body = NULL;
    size_t env_len = 0, body_len = 0;
    int found = ledger_find_reply(p->ledger, h->call_id.data, h->sender, &env, &env_len, err);
    if (found < 0) {
        return NULL;
    }
    if (found == 0) {
        cc_err_t status;
        err_clear(&status);
        if (h->deadline_ms && clock_wall_ms() > h->deadline_ms) {
            err_set(&status, CC_DEADLINE_EXCEEDED, "request arrived after its deadline");
        } else {
            rpc_registry_dispatch(p->registry, req, &body, &body_len, &status);
        }
        if (status.code == CC_OK && body_len > ENVELOPE_BODY_MAX) {
            /* The broker would refuse it and the caller would only time out. */
            free(body);
            body = NULL;
            body_len = 0;
            err_set(&status, CC_RESOURCE_EXHAUSTED, "the answer is larger than %u bytes",
                    (unsigned)ENVELOPE_BODY_MAX);
        }
        envelope_meta_t m = {
            .method = h->method,
            .recipient = h->sender,
            .kind = CONCORD__V1__KIND__KIND_REPLY,
            .status = status.code,
            .status_msg = status.code == CC_OK ? NULL : status.msg,
        };
        memcpy(m.call_id, h->call_id.data, 16);
        int rc = s_seal(p, &m, body, body_len, &env, &env_len, err);
        free(body);
        if (rc < 0 || s_store_out(p, &m, env, env_len, err) < 0) {
            free(env);
            return NULL;
        }
    }
    s_pending_t *pc = s_track(p, &env, env_len, h->sender, h->call_id.data);
    if (!pc) {
        free(env);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
    }
    return pc;
}

static void s_send_answer(rpc_peer_t *p, s_pending_t *pc)
{
    if (pc) {
        s_send_pending(p, pc, clock_mono_ms());
        p->stats.sent++;
    }
}

/* Completes the call a verified reply answers. */
static void s_on_reply(rpc_peer_t *p, const envelope_t *rep, uint64_t log_index)
{
    const Concord__V1__Header *h = rep->header;
    s_pending_t *pc = s_find_call(p, h->call_id.data, h->sender);
    if (!pc) {
        log_debug("reply from %s for a call no longer waiting", h->sender);
        return;
    }
    cc_code_t code = h->status ? (cc_code_t)h->status->code : CC_OK;
    const char *msg = h->status ? h->status->message : "";
    if (code != CC_OK) {
        s_complete(p, pc, code, msg, NULL, log_index);
        return;
    }
    cc_err_t err;
    ProtobufCMessage *out =
        wire_unpack(pc->method->output, rep->body, rep->body_len, ENVELOPE_MAX, &err);
    if (!out) {
        s_complete(p, pc, CC_INTERNAL, err.msg, NULL, log_index);
        return;
    }
    s_complete(p, pc, CC_OK, "", out, log_index);
    wire_free(out);
}

/* Checks a delivery's receipt: proved by a tree head the broker signed
 * and about exactly this envelope at this log position. *packed is the
 * receipt with its head, as stored. Returns 0, -1 (reject), or -2 when it
 * names a head this node was not sent (not acknowledged: the broker sends
 * it again, with its head, after the next Hello), or -3 when its time is
 * too far ahead of this node's clock (held). */
static int s_check_receipt(rpc_peer_t *p, const Concord__V1__Delivery *d, const envelope_t *env,
                           uint64_t *time_ms, uint8_t **packed, size_t *packed_len,
                           cc_err_t *err)
{
    receipt_t r;
    if (!d->receipt) {
        err_set(err, CC_UNAUTHENTICATED, "delivery %llu has no receipt",
                (unsigned long long)d->log_index);
        return -1;
    }
    if (s_receipt(p, d->receipt, &r, packed, packed_len, err) < 0) {
        return err->code == CC_UNAVAILABLE ? -2 : -1;
    }
    int ok = r.log_index == d->log_index && memcmp(r.envelope_hash, env->hash, 32) == 0;
    *time_ms = r.time_ms;
    /* The broker's clock decides log time (deadlines): a receipt time
     * further ahead of our clock than max_clock_skew_ms is not folded (it
     * could close proposals early) but held, unacknowledged, until our
     * clock comes within it (PROTOCOL.md 13.1). */
    uint64_t now = clock_wall_ms();
    if (ok && r.time_ms > now + p->max_skew_ms) {
        err_set(err, CC_UNAVAILABLE,
                "the broker's receipt for log index %llu is %llu s ahead of this node's clock, "
                "over max_clock_skew_ms = %u: held until this node's clock is within it (one "
                "of the two clocks is wrong: docs/OPERATIONS.md, \"Clock\")",
                (unsigned long long)r.log_index,
                (unsigned long long)((r.time_ms - now) / 1000), p->max_skew_ms);
        if (!p->skew_warned_ms || now > p->skew_warned_ms + 60000) {
            p->skew_warned_ms = now;
            log_error("%s", err->msg);
        }
        free(*packed);
        *packed = NULL;
        return -3;
    }
    if (!ok) {
        free(*packed);
        *packed = NULL;
        err_set(err, CC_UNAUTHENTICATED, "receipt for delivery %llu names another envelope",
                (unsigned long long)d->log_index);
        return -1;
    }
    return 0;
}

/* Opens the batch's ledger transaction if it is not open yet. */
static int s_batch_begin(rpc_peer_t *p, cc_err_t *err)
{
    if (p->batch.open) {
        return 0;
    }
    if (ledger_begin(p->ledger, err) < 0) {
        return -1;
    }
    p->batch.open = 1;
    return 0;
}

/* Room for one more delivery in the batch: the new item, zeroed, or NULL. */
static s_item_t *s_batch_item(rpc_peer_t *p, uint64_t log_index)
{
    s_batch_t *b = &p->batch;
    if (grow_reserve_at(&b->items, &b->cap, b->n, sizeof *b->items) < 0) {
        return NULL;
    }
    s_item_t *it = &b->items[b->n++];
    memset(it, 0, sizeof *it);
    it->log_index = log_index;
    return it;
}

static void s_item_free(s_item_t *it)
{
    envelope_destroy(&it->env);
    free(it->raw);
    it->raw = NULL;
}

/* The replay guard over what is durable and what this batch has stored
 * so far: a sender's sequences must rise within a batch too. */
static int s_batch_replay_check(const rpc_peer_t *p, const char *sender, uint64_t seq,
                                cc_err_t *err)
{
    if (replay_check(p->replay, sender, seq, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < p->batch.n; i++) {
        const s_item_t *it = &p->batch.items[i];
        if (it->sequence && seq <= it->sequence && strcmp(it->sender, sender) == 0) {
            err_set(err, CC_ALREADY_EXISTS, "replay: sequence %llu from %s is not above %llu",
                    (unsigned long long)seq, sender, (unsigned long long)it->sequence);
            return -1;
        }
    }
    return 0;
}

static void s_batch_reset(rpc_peer_t *p)
{
    for (size_t i = 0; i < p->batch.n; i++) {
        s_item_free(&p->batch.items[i]);
    }
    p->batch.n = 0;
    p->batch.open = 0;
    p->batch.fold_upto = 0;
}

/* The batch cannot be made durable (a delivery at log index failed_at
 * could not be stored, or the commit failed): nothing of it is kept,
 * acknowledged or acted on. The broker sends it all again from the
 * oldest delivery not acknowledged once the ledger takes writes again. */
static void s_batch_abort(rpc_peer_t *p, uint64_t failed_at, const cc_err_t *why)
{
    uint64_t first = failed_at;
    if (p->batch.open) {
        ledger_rollback(p->ledger);
    }
    for (size_t i = 0; i < p->batch.n; i++) {
        s_item_t *it = &p->batch.items[i];
        if (it->log_index && (!first || it->log_index < first)) {
            first = it->log_index;
        }
        if (it->answer) {
            s_unlink(p, it->answer);
            s_pending_free(it->answer);
        }
    }
    s_batch_reset(p);
    if (first) {
        log_error("cannot store delivery %llu: %s", (unsigned long long)first, why->msg);
        inbound_failed(&p->inbound, first, why, clock_mono_ms());
    }
}

/* Sends the acknowledgements of n deliveries, in frames of at most
 * S_ACKS_PER_FRAME indexes (a broker ignores an ack larger than its
 * mailbox window). */
#define S_ACKS_PER_FRAME 64
static void s_send_acks(rpc_peer_t *p, uint64_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (idx[i] > p->acked_upto) {
            p->acked_upto = idx[i];
        }
    }
    for (size_t at = 0; at < n; at += S_ACKS_PER_FRAME) {
        Concord__V1__NodeFrame f = CONCORD__V1__NODE_FRAME__INIT;
        Concord__V1__MailboxAck ack = CONCORD__V1__MAILBOX_ACK__INIT;
        ack.n_log_index = n - at < S_ACKS_PER_FRAME ? n - at : S_ACKS_PER_FRAME;
        ack.log_index = idx + at;
        f.frame_case = CONCORD__V1__NODE_FRAME__FRAME_ACK;
        f.ack = &ack;
        s_send_frame(p, &f);
    }
}

static void s_fire_event(rpc_peer_t *p, const envelope_t *env, uint64_t log_index,
                         uint64_t time_ms)
{
    if (p->on_event) {
        p->on_event(env, log_index, time_ms, p->on_event_arg);
    }
}

static void s_on_reply(rpc_peer_t *p, const envelope_t *rep, uint64_t log_index);

/* Makes the batch durable with one commit (one fsync), acknowledges
 * every delivery of it (which frees the broker's window for the next
 * ones while this node folds), then, in the order the deliveries came
 * (log order), sends the answers to requests, completes calls and folds
 * events. */
static void s_batch_commit(rpc_peer_t *p)
{
    s_batch_t *b = &p->batch;
    cc_err_t err;
    if (b->open && ledger_commit(p->ledger, &err) < 0) {
        b->open = 0; /* ledger_commit rolled back */
        s_batch_abort(p, 0, &err);
        return;
    }
    b->open = 0;
    size_t n = b->n, n_acks = 0;
    while (p->acks_cap < n) {
        if (grow_reserve_at(&p->acks, &p->acks_cap, p->acks_cap, sizeof *p->acks) < 0) {
            /* Durable but not acknowledged: the broker sends them again
             * after the next Hello and the ledger knows them then. */
            log_error("out of memory acknowledging %zu deliveries", n);
            break;
        }
    }
    for (size_t i = 0; i < n; i++) {
        s_item_t *it = &b->items[i];
        if (it->sequence) {
            replay_commit(p->replay, it->sender, it->sequence);
            p->stats.received++;
        }
        if (it->log_index && p->acks_cap >= n) {
            p->acks[n_acks++] = it->log_index;
        }
    }
    /* The batch is emptied before anything runs that may start a new
     * one (a fold can publish, a completed call can call again). */
    b->n = 0;
    b->fold_upto = 0;
    s_send_acks(p, p->acks, n_acks);
    for (size_t i = 0; i < n; i++) {
        s_item_t *it = &b->items[i];
        s_send_answer(p, it->answer);
        it->answer = NULL;
        switch (it->after) {
        case S_AFTER_REPLY:
            s_on_reply(p, it->env, it->log_index);
            break;
        case S_AFTER_FOLD:
            s_fire_event(p, it->env, it->log_index, it->time_ms);
            break;
        case S_AFTER_HISTORY:
            if (p->on_history) {
                p->on_history(it->log_index, p->on_history_arg);
            }
            break;
        case S_AFTER_NONE:
        default:
            break;
        }
        s_item_free(it);
    }
}

/* The ledger row of an opened envelope logged at log_index with its
 * receipt (a delivery, or an entry fetched from the broker's log). */
static ledger_entry_t s_entry_of(const envelope_t *env, ledger_dir_t dir, uint64_t log_index,
                                 const uint8_t *receipt, size_t receipt_len)
{
    const Concord__V1__Header *h = env->header;
    return (ledger_entry_t){
        .direction = dir,
        .hash = env->hash,
        .envelope = env->raw,
        .envelope_len = env->raw_len,
        .sender = h->sender,
        .recipient = h->recipient,
        .method = h->method,
        .sequence = h->sequence,
        .kind = h->kind,
        .call_id = h->call_id.data,
        .log_index = log_index,
        .receipt = receipt,
        .receipt_len = receipt_len,
    };
}

/* Stores a new verified delivery and, for a request, answers it, in the
 * batch's transaction: a crash leaves either nothing of the batch or all
 * of it. */
static int s_store_in(rpc_peer_t *p, const Concord__V1__Delivery *d, const envelope_t *env,
                      const uint8_t *receipt, size_t receipt_len, s_pending_t **answer,
                      cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    ledger_entry_t e = s_entry_of(env, LEDGER_IN, d->log_index, receipt, receipt_len);
    if (s_batch_begin(p, err) < 0 || ledger_append(p->ledger, &e, NULL, err) < 0 ||
        (h->kind == CONCORD__V1__KIND__KIND_EVENT &&
         ledger_event_add(p->ledger, d->log_index, env->hash, err) < 0) ||
        (h->kind == CONCORD__V1__KIND__KIND_REQUEST && !(*answer = s_answer(p, env, err)))) {
        return -1;
    }
    return 0;
}

/* Records, in the batch's transaction, that a stored event was delivered
 * at this log index (and, for our own event, keeps the receipt the
 * delivery carries: folding at start needs the receipt's time). Returns 1
 * if it had not been folded before, 0 if it had, -1 on error. */
static int s_note_event(rpc_peer_t *p, const Concord__V1__Delivery *d, const envelope_t *env,
                        const uint8_t *receipt, size_t receipt_len, cc_err_t *err)
{
    if (s_batch_begin(p, err) < 0) {
        return -1;
    }
    int fresh = ledger_event_add(p->ledger, d->log_index, env->hash, err);
    if (fresh == 1 &&
        ledger_set_receipt(p->ledger, env->hash, d->log_index, receipt, receipt_len, err) < 0) {
        fresh = -1;
    }
    return fresh;
}

/* A direct answer from the broker (log index 0): accepted only as the
 * reply to a query we are waiting for, so it cannot be replayed. */
static void s_on_direct(rpc_peer_t *p, const Concord__V1__Delivery *d)
{
    cc_err_t err;
    uint8_t *raw = NULL;
    size_t raw_len = 0;
    envelope_t *env = NULL;
    if (!d->envelope || wire_pack(&d->envelope->base, WIRE_MAX_FRAME, &raw, &raw_len, &err) < 0) {
        log_warn("direct answer carries no envelope");
    } else if (!(env = envelope_open_at(raw, raw_len, p->roster, 0, &err))) {
        log_error("rejected direct answer: %s", err.msg);
    } else if (strcmp(env->header->sender, KEYS_BROKER_CODE) == 0 &&
               env->header->kind == CONCORD__V1__KIND__KIND_REPLY &&
               strcmp(env->header->recipient, keys_code(p->keys)) == 0) {
        s_on_reply(p, env, 0);
    }
    envelope_destroy(&env);
    free(raw);
}

/* One delivery of the batch: verified, judged and, when new, stored in
 * the batch's transaction; what follows from it waits for the commit. */
static void s_on_delivery(rpc_peer_t *p, const Concord__V1__Delivery *d)
{
    cc_err_t err;
    int failed_now = 0;
    if (!inbound_admits(&p->inbound, d->log_index)) {
        /* After a storage failure nothing later is stored or acknowledged
         * until the failed delivery is: a later one must never overtake it
         * (its sequence would make the earlier one look like a replay).
         * The broker keeps everything and sends it again on retry. */
        return;
    }
    uint8_t *raw = NULL, *receipt = NULL;
    size_t raw_len = 0, receipt_len = 0;
    envelope_t *env = NULL;
    s_item_t *it = s_batch_item(p, d->log_index);
    if (!it) {
        err_set(&err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (!d->envelope || wire_pack(&d->envelope->base, WIRE_MAX_FRAME, &raw, &raw_len, &err) < 0) {
        log_warn("delivery %llu carries no envelope", (unsigned long long)d->log_index);
        goto drop;
    }
    env = envelope_open_at(raw, raw_len, p->roster, d->log_index, &err);
    if (!env) {
        log_error("rejected delivery %llu: %s", (unsigned long long)d->log_index, err.msg);
        goto drop;
    }
    const Concord__V1__Header *h = env->header;
    int is_event = h->kind == CONCORD__V1__KIND__KIND_EVENT;
    int for_me = strcmp(h->recipient, keys_code(p->keys)) == 0 ||
                 (is_event && envelope_event_for(h->recipient, keys_code(p->keys)));
    uint64_t time_ms = 0;
    p->stats.envelopes_opened++;
    int checked = s_check_receipt(p, d, env, &time_ms, &receipt, &receipt_len, &err);
    if (checked == -2) {
        goto fail;
    }
    if (checked == -3) {
        /* Held, like a failed store: nothing later overtakes it. It leaves
         * the batch (it was the last item added), so it is neither stored
         * nor acknowledged; the deliveries before it commit as usual. */
        p->batch.n--;
        inbound_held(&p->inbound, d->log_index, &err, clock_mono_ms());
        failed_now = 1;
        goto out;
    }
    if (checked < 0 || !for_me) {
        log_error("rejected delivery %llu: %s", (unsigned long long)d->log_index,
                  for_me ? err.msg : "addressed to someone else");
        goto drop;
    }
    uint64_t held_at = 0;
    int have = ledger_has(p->ledger, env->hash, &held_at, &err);
    if (have < 0) {
        goto fail;
    }
    if (have && held_at && held_at != d->log_index) {
        /* An honest broker logs an envelope once, so it always comes back
         * at the same index; at another index it is a replay, and folding
         * it there would apply it twice. */
        log_error("rejected delivery %llu: replay: %s's envelope (sequence %llu) was already "
                  "delivered at log index %llu",
                  (unsigned long long)d->log_index, h->sender,
                  (unsigned long long)h->sequence, (unsigned long long)held_at);
        goto drop;
    }
    it->time_ms = time_ms;
    if (have && is_event) {
        /* Our own event coming back through the broker, or a redelivery:
         * fold it if it has not been folded yet. */
        int fresh = s_note_event(p, d, env, receipt, receipt_len, &err);
        if (fresh < 0) {
            goto fail;
        }
        if (fresh) {
            it->after = S_AFTER_FOLD;
            if (d->log_index > p->batch.fold_upto) {
                p->batch.fold_upto = d->log_index;
            }
        }
        goto keep;
    }
    if (have) {
        /* Redelivered after a restart: serve the stored answer again. */
        if (h->kind == CONCORD__V1__KIND__KIND_REQUEST &&
            (s_batch_begin(p, &err) < 0 || !(it->answer = s_answer(p, env, &err)))) {
            goto fail;
        }
        goto out;
    }
    /* A board's event below what the engines have folded (or this batch
     * will fold): history of a board this node has joined, which the
     * broker sends it (PROTOCOL.md "Audiences"), or a delivery a broker
     * held back. Its sender's later envelopes may already be here, so the
     * sequence guard does not apply; its receipt does, and its hash is
     * new. */
    uint64_t folded = p->folded_upto > p->batch.fold_upto ? p->folded_upto : p->batch.fold_upto;
    int history = is_event && envelope_board_of(h->recipient) && d->log_index <= folded;
    if (!history && s_batch_replay_check(p, h->sender, h->sequence, &err) < 0) {
        log_warn("rejected delivery %llu: %s", (unsigned long long)d->log_index, err.msg);
        goto drop;
    }
    if (s_store_in(p, d, env, receipt, receipt_len, &it->answer, &err) < 0) {
        goto fail;
    }
    it->sequence = h->sequence;
    snprintf(it->sender, sizeof it->sender, "%s", h->sender);
    if (h->kind == CONCORD__V1__KIND__KIND_REPLY) {
        it->after = S_AFTER_REPLY;
    } else if (history) {
        /* Stored; the engines fold it in log order when they fold the
         * ledger again. */
        log_info("history: log index %llu (%s from %s) stored", (unsigned long long)d->log_index,
                 h->method, h->sender);
        it->after = S_AFTER_HISTORY;
    } else if (is_event) {
        it->after = S_AFTER_FOLD;
        if (d->log_index > p->batch.fold_upto) {
            p->batch.fold_upto = d->log_index;
        }
    }
keep:
    if (it->after == S_AFTER_FOLD || it->after == S_AFTER_REPLY) {
        it->env = env;
        it->raw = raw;
        env = NULL;
        raw = NULL;
    }
    goto out;
fail:
    /* Not acknowledged: the broker keeps it and delivers it again. */
    s_batch_abort(p, d->log_index, &err);
    failed_now = 1;
    goto out;
drop:
    p->stats.rejected++;
out:
    /* Later deliveries of this wake-up may join the batch now: if its
     * commit fails, the oldest of them is the failed one again. */
    if (!failed_now && inbound_done(&p->inbound, d->log_index)) {
        log_info("delivery %llu stored on retry; taking new work again",
                 (unsigned long long)d->log_index);
    }
    envelope_destroy(&env);
    free(raw);
    free(receipt);
}

static void s_on_frame(rpc_peer_t *p, const uint8_t *buf, size_t len)
{
    cc_err_t err;
    Concord__V1__BrokerFrame *f = (Concord__V1__BrokerFrame *)wire_unpack(
        &concord__v1__broker_frame__descriptor, buf, len, WIRE_MAX_FRAME, &err);
    if (!f) {
        log_warn("undecodable frame from broker: %s", err.msg);
        return;
    }
    if (f->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_HAND_OVER ||
        (f->frame_case == CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY && !f->delivery->log_index)) {
        /* What follows may complete calls, whose callbacks may write to
         * the ledger: the batch so far is made durable first (a result
         * does this itself when it must). */
        s_batch_commit(p);
    }
    switch (f->frame_case) {
    case CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY:
        if (f->delivery->log_index) {
            s_on_delivery(p, f->delivery);
        } else {
            s_on_direct(p, f->delivery);
        }
        break;
    case CONCORD__V1__BROKER_FRAME__FRAME_RESULT:
        s_on_result(p, f->result);
        break;
    case CONCORD__V1__BROKER_FRAME__FRAME_HAND_OVER:
        if (strcmp(f->hand_over->organisation, keys_code(p->keys)) != 0) {
            log_warn("hand-over notice for '%s' ignored: this node is %s",
                     f->hand_over->organisation, keys_code(p->keys));
        } else if (f->hand_over->to_you) {
            log_warn("HANDED_OVER: the broker moved %s's deliveries to this node from another"
                     " live connection with the same keys: another concordd of %s is running"
                     " (a cloned machine or a standby?); stop one of them",
                     keys_code(p->keys), keys_code(p->keys));
        } else {
            p->handed_over = 1;
            p->handed_over_ms = f->hand_over->at_ms;
            log_error("DELIVERY_LOST: the broker handed %s's deliveries to another live"
                      " connection with the same keys (another concordd of %s): this node"
                      " receives nothing until it is restarted; stop the other instance first",
                      keys_code(p->keys), keys_code(p->keys));
        }
        break;
    default:
        log_warn("unknown frame from broker");
        break;
    }
    wire_free(&f->base);
}

static void s_on_monitor(rpc_peer_t *p)
{
    zmq_msg_t ev;
    zmq_msg_init(&ev);
    if (zmq_msg_recv(&ev, p->monitor, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&ev);
        return;
    }
    uint16_t event = 0;
    if (zmq_msg_size(&ev) >= 2) {
        memcpy(&event, zmq_msg_data(&ev), 2);
    }
    int more = zmq_msg_more(&ev);
    zmq_msg_close(&ev);
    if (more) { /* the second frame holds the endpoint */
        zmq_msg_init(&ev);
        zmq_msg_recv(&ev, p->monitor, ZMQ_DONTWAIT);
        zmq_msg_close(&ev);
    }
    uint64_t now = clock_mono_ms();
    switch (event) {
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        if (p->n_brokers > 1) {
            log_info("connected to broker %s", p->brokers[p->broker_at]);
        } else {
            log_info("connected to broker");
        }
        p->connected = 1;
        s_send_hello(p);
        for (s_pending_t *pc = p->pending; pc; pc = pc->next) {
            if (!pc->accepted) {
                pc->backoff_ms = RPC_FIRST_BACKOFF_MS;
                s_send_pending(p, pc, now);
            }
        }
        break;
    case ZMQ_EVENT_DISCONNECTED:
        if (p->connected) {
            log_warn("lost the broker connection; reconnecting");
            p->down_since_ms = now;
        }
        p->connected = 0;
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        log_error("broker refused our transport key: is this organisation in its roster?");
        break;
    default:
        log_warn("broker handshake failed (protocol error)");
        break;
    }
}

static void s_disconnect(rpc_peer_t *p);

/* Of several brokers, the one connected to has not completed a handshake
 * for RPC_BROKER_MOVE_MS (it died, is a standby that does not listen, or
 * stopped answering and its heartbeat timed out): try the next. What is
 * unreceipted goes to it on its handshake. */
static void s_move_on(rpc_peer_t *p, uint64_t now)
{
    if (p->connected || p->n_brokers < 2 || !p->dealer ||
        now - p->down_since_ms < RPC_BROKER_MOVE_MS) {
        return;
    }
    const char *from = p->brokers[p->broker_at];
    p->broker_at = (p->broker_at + 1) % p->n_brokers;
    log_info("broker %s does not answer; trying %s", from, p->brokers[p->broker_at]);
    s_disconnect(p);
    cc_err_t err;
    if (s_open(p, &err) < 0) {
        log_error("%s", err.msg);
        p->down_since_ms = now; /* the next one, a little later */
    }
}

static void s_timers(rpc_peer_t *p)
{
    uint64_t now = clock_mono_ms();
    int resend = 0;
    s_move_on(p, now);
    if (inbound_retry_due(&p->inbound, p->connected, now)) {
        /* A Hello makes the broker send the mailbox again from its oldest
         * unacknowledged entry: the failed delivery comes first. */
        log_info("trying the ledger again with delivery %llu",
                 (unsigned long long)p->inbound.failed_index);
        s_send_hello(p);
    }
    s_pending_t *pc = p->pending;
    while (pc) {
        s_pending_t *next = pc->next;
        if (pc->done && pc->deadline_ms && now >= pc->deadline_ms) {
            char msg[160];
            snprintf(msg, sizeof msg, "no reply from %s before the deadline%s", pc->recipient,
                     pc->accepted ? "" : " (the broker never acknowledged the request)");
            s_complete(p, pc, CC_DEADLINE_EXCEEDED, msg, NULL, 0);
        } else if (!pc->accepted && now >= pc->next_send_ms && p->connected) {
            resend = 1;
        }
        pc = next;
    }
    /* When one envelope needs resending, all unreceipted ones go again, in
     * sequence order: resending one alone could put a later sequence ahead
     * of an earlier one at the broker, which would then refuse the earlier. */
    for (pc = p->pending; resend && pc; pc = pc->next) {
        if (!pc->accepted) {
            pc->retries += now >= pc->next_send_ms;
            p->stats.resent++;
            s_send_pending(p, pc, now);
        }
    }
}

int rpc_peer_process(rpc_peer_t *p)
{
    zmq_msg_t msg;
    for (int n = 0; n < 1000; n++) {
        zmq_msg_init(&msg);
        if (zmq_msg_recv(&msg, p->dealer, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            break;
        }
        s_on_frame(p, zmq_msg_data(&msg), zmq_msg_size(&msg));
        zmq_msg_close(&msg);
    }
    s_batch_commit(p);
    for (int n = 0; n < 100; n++) {
        int events = 0;
        size_t sz = sizeof events;
        if (zmq_getsockopt(p->monitor, ZMQ_EVENTS, &events, &sz) != 0 ||
            !(events & ZMQ_POLLIN)) {
            break;
        }
        s_on_monitor(p);
    }
    s_timers(p);
    return inbound_failing(&p->inbound) ? -1 : 0;
}

long rpc_peer_timeout_ms(const rpc_peer_t *p)
{
    uint64_t now = clock_mono_ms();
    long best = p->connected ? inbound_timeout_ms(&p->inbound, now) : -1;
    if (!p->connected && p->n_brokers > 1 && p->dealer) {
        uint64_t due = p->down_since_ms + RPC_BROKER_MOVE_MS;
        best = due <= now ? 0 : (long)(due - now);
    }
    for (const s_pending_t *pc = p->pending; pc; pc = pc->next) {
        uint64_t due = UINT64_MAX;
        if (!pc->accepted && p->connected) {
            due = pc->next_send_ms;
        }
        if (pc->done && pc->deadline_ms && pc->deadline_ms < due) {
            due = pc->deadline_ms;
        }
        if (due == UINT64_MAX) {
            continue;
        }
        long wait = due <= now ? 0 : (long)(due - now);
        if (best < 0 || wait < best) {
            best = wait;
        }
    }
    return best;
}

void rpc_peer_stats(const rpc_peer_t *p, rpc_peer_stats_t *out)
{
    *out = p->stats;
    out->connected = p->connected;
    out->handed_over = p->handed_over;
    out->handed_over_ms = p->handed_over_ms;
    out->acked_upto = p->acked_upto;
    out->ledger_max_mb = p->ledger_max_mb;
    out->ledger_bytes = p->ledger_max_mb ? ledger_size_bytes(p->ledger) : 0;
    out->holding[0] = '\0';
    if (inbound_failing(&p->inbound)) {
        snprintf(out->holding, sizeof out->holding, "%s", p->inbound.failure.msg);
    }
    out->pending_calls = 0;
    out->unreceipted = 0;
    for (const s_pending_t *pc = p->pending; pc; pc = pc->next) {
        out->pending_calls += pc->done != NULL;
        out->unreceipted += !pc->accepted && !pc->direct;
    }
}

int rpc_peer_store_fetched(rpc_peer_t *p, uint64_t log_index, const uint8_t *raw, size_t raw_len,
                           const uint8_t *receipt, size_t receipt_len, cc_err_t *err)
{
    const char *me = keys_code(p->keys);
    envelope_t *env = envelope_open_at(raw, raw_len, p->roster, log_index, err);
    if (!env) {
        err_prefix(err, "log index %llu: ", (unsigned long long)log_index);
        return -1;
    }
    const Concord__V1__Header *h = env->header;
    int is_event = h->kind == CONCORD__V1__KIND__KIND_EVENT;
    int mine = strcmp(h->sender, me) == 0;
    int ret = 0;
    if (!log_index || !(mine || strcmp(h->recipient, me) == 0 ||
                        (is_event && envelope_event_for(h->recipient, me)))) {
        goto out;
    }
    int have = ledger_has(p->ledger, env->hash, NULL, err);
    if (have != 0) {
        ret = have < 0 ? -1 : 0;
        goto out;
    }
    ledger_entry_t e =
        s_entry_of(env, mine ? LEDGER_OUT : LEDGER_IN, log_index, receipt, receipt_len);
    ret = -1;
    if (ledger_begin(p->ledger, err) < 0) {
        goto out;
    }
    if (ledger_append(p->ledger, &e, NULL, err) < 0 ||
        (is_event && ledger_event_add(p->ledger, log_index, env->hash, err) < 0)) {
        ledger_rollback(p->ledger);
        goto out;
    }
    if (ledger_commit(p->ledger, err) < 0) {
        goto out;
    }
    ret = 1;
    replay_commit(p->replay, h->sender, h->sequence);
    if (mine && h->sequence >= p->next_seq) {
        /* The other instance sealed with our keys: never reuse its sequences. */
        p->next_seq = h->sequence + 1;
    }
    p->stats.received++;
    log_info("fetched log index %llu (%s from %s) from the broker's log",
             (unsigned long long)log_index, h->method, h->sender);
    if (is_event && p->on_history) {
        p->on_history(log_index, p->on_history_arg);
    }
out:
    envelope_destroy(&env);
    return ret;
}

void rpc_peer_set_max_clock_skew(rpc_peer_t *p, uint32_t skew_ms)
{
    p->max_skew_ms = skew_ms;
}

int rpc_peer_clock_held(const rpc_peer_t *p)
{
    return inbound_failing(&p->inbound) && p->inbound.clock;
}

void rpc_peer_set_ledger_max(rpc_peer_t *p, uint32_t max_mb)
{
    p->ledger_max_mb = max_mb;
}

void rpc_peer_set_disk_reserve(rpc_peer_t *p, uint32_t reserve_mb)
{
    p->disk_reserve_mb = reserve_mb;
}

const char *rpc_peer_code(const rpc_peer_t *p)
{
    return keys_code(p->keys);
}

const keys_t *rpc_peer_keys(const rpc_peer_t *p)
{
    return p->keys;
}

void rpc_peer_folded(rpc_peer_t *p, uint64_t log_index)
{
    if (log_index > p->folded_upto) {
        p->folded_upto = log_index;
    }
}

void rpc_peer_on_history(rpc_peer_t *p, void (*fn)(uint64_t log_index, void *arg), void *arg)
{
    p->on_history = fn;
    p->on_history_arg = arg;
}

void rpc_peer_on_event(rpc_peer_t *p, rpc_event_fn fn, void *arg)
{
    p->on_event = fn;
    p->on_event_arg = arg;
}

void rpc_peer_on_refused(rpc_peer_t *p, rpc_refused_fn fn, void *arg)
{
    p->on_refused = fn;
    p->on_refused_arg = arg;
}

void rpc_peer_on_resealed(rpc_peer_t *p, rpc_resealed_fn fn, void *arg)
{
    p->on_resealed = fn;
    p->on_resealed_arg = arg;
}

int rpc_peer_publish(rpc_peer_t *p, const char *recipient, const char *method,
                     const ProtobufCMessage *body, uint8_t hash_out[32], cc_err_t *err)
{
    return rpc_peer_publish_as(p, recipient, method, body, NULL, hash_out, err);
}

int rpc_peer_publish_as(rpc_peer_t *p, const char *recipient, const char *method,
                        const ProtobufCMessage *body, const uint8_t *person_sig,
                        uint8_t hash_out[32], cc_err_t *err)
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    int ret = -1;
    if (s_refuse_if_failed(p, err) < 0 || s_room(p, err) < 0) {
        return -1;
    }
    if (wire_pack(body, ENVELOPE_BODY_MAX, &packed, &packed_len, err) < 0) {
        return -1;
    }
    envelope_meta_t m = {
        .method = method,
        .recipient = recipient,
        .kind = CONCORD__V1__KIND__KIND_EVENT,
        .person_sig = person_sig,
    };
    envelope_new_call_id(m.call_id);
    s_pending_t *pc = s_originate(p, &m, packed, packed_len, 1, err);
    if (!pc) {
        goto out;
    }
    if (hash_out) {
        memcpy(hash_out, pc->hash, 32);
    }
    s_send_pending(p, pc, clock_mono_ms());
    p->stats.sent++;
    ret = 0;
out:
    free(packed);
    return ret;
}

/* ---- protobuf-c client stubs ---- */

typedef struct {
    ProtobufCService base;
    rpc_peer_t *peer;
    char recipient[KEYS_CODE_MAX + 1];
    uint32_t timeout_ms;
} s_client_t;

typedef struct {
    ProtobufCClosure closure;
    void *closure_data;
} s_client_call_t;

const rpc_result_t *rpc_last_result(void)
{
    return s_current_result;
}

static void s_client_done(const rpc_result_t *r, void *arg)
{
    s_client_call_t *cc = arg;
    const rpc_result_t *saved = s_current_result;
    s_current_result = r;
    cc->closure(r->response, cc->closure_data);
    s_current_result = saved;
    free(cc);
}

static void s_client_invoke(ProtobufCService *service, unsigned method_index,
                            const ProtobufCMessage *input, ProtobufCClosure closure,
                            void *closure_data)
{
    s_client_t *c = (s_client_t *)service;
    s_client_call_t *cc = malloc(sizeof *cc);
    cc_err_t err;
    if (cc) {
        cc->closure = closure;
        cc->closure_data = closure_data;
        if (rpc_peer_call(c->peer, c->recipient, service->descriptor, method_index, input,
                          c->timeout_ms, s_client_done, cc, &err) == 0) {
            return;
        }
        free(cc);
    } else {
        err_set(&err, CC_RESOURCE_EXHAUSTED, "out of memory");
    }
    rpc_result_t r = {.code = err.code, .message = err.msg, .responder = c->recipient};
    const rpc_result_t *saved = s_current_result;
    s_current_result = &r;
    closure(NULL, closure_data);
    s_current_result = saved;
}

static void s_client_destroy(ProtobufCService *service)
{
    free(service);
}

ProtobufCService *rpc_peer_client(rpc_peer_t *p, const char *recipient,
                                  const ProtobufCServiceDescriptor *svc, uint32_t timeout_ms)
{
    s_client_t *c = calloc(1, sizeof *c);
    if (!c) {
        return NULL;
    }
    c->base.descriptor = svc;
    c->base.invoke = s_client_invoke;
    c->base.destroy = s_client_destroy;
    c->peer = p;
    c->timeout_ms = timeout_ms;
    snprintf(c->recipient, sizeof c->recipient, "%s", recipient);
    return &c->base;
}

/* Closes the broker connection and its monitor. */
static void s_disconnect(rpc_peer_t *p)
{
    if (p->dealer) {
        zmq_socket_monitor(p->dealer, NULL, 0);
        zmq_close(p->dealer);
    }
    if (p->monitor) {
        zmq_close(p->monitor);
    }
    p->dealer = p->monitor = NULL;
    p->connected = 0;
}

int rpc_peer_rekey(rpc_peer_t *p, keys_t **keys, cc_err_t *err)
{
    assert(keys && *keys && strcmp(keys_code(*keys), keys_code(p->keys)) == 0);
    keys_destroy(&p->keys);
    p->keys = *keys;
    *keys = NULL;
    if (!p->dealer) {
        return 0; /* not connected yet: rpc_peer_connect uses the new keys */
    }
    s_disconnect(p);
    return s_open(p, err);
}

void rpc_peer_destroy(rpc_peer_t **pp)
{
    if (!pp || !*pp) {
        return;
    }
    rpc_peer_t *p = *pp;
    while (p->pending) {
        s_complete(p, p->pending, CC_CANCELLED, "node shutting down", NULL, 0);
    }
    s_disconnect(p);
    s_batch_reset(p);
    free(p->batch.items);
    free(p->acks);
    replay_destroy(&p->replay);
    receipt_heads_destroy(&p->heads);
    keys_destroy(&p->keys);
    free(p);
    *pp = NULL;
}
