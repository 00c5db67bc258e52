/* broker: routing, ZAP, mailboxes, receipts and the hash-chained log. */
#include "broker.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "admission.h"
#include "clock.h"
#include "envelope.h"
#include "health.pb-c.h"
#include "keys.h"
#include "ledger.h"
#include "link.pb-c.h"
#include "log.h"
#include "log.pb-c.h"
#include "receipt.h"
#include "replay.h"
#include "roster.h"
#include "rpc.h"
#include "wire.h"
#ifdef CONCORD_EVIL_BROKER
#include "evil_broker.h" /* test-only misbehaviour; never in concord-broker */
#endif

#define BROKER_BATCH 256           /* frames per group commit */
#define BROKER_LOG_READ_MAX 256    /* entries per Log/Read answer */
/* Every log entry must fit, alone, in one Log/Read answer (itself an
 * envelope), so the broker accepts envelopes up to half the envelope
 * limit, and an answer carries at most that much beyond its first entry. */
#define BROKER_ENVELOPE_MAX (ENVELOPE_MAX / 2)
#define BROKER_LOG_READ_BYTES (ENVELOPE_MAX / 2)
#define BROKER_ID_MAX 256

/* What the broker knows of one member's connection. */
typedef struct {
    char code[KEYS_CODE_MAX + 1];
    uint8_t id[BROKER_ID_MAX];     /* ROUTER routing id of its newest connection */
    size_t id_len;
    int online;
    int dirty;                     /* new mail since the last pump */
    uint32_t inflight;             /* deliveries sent, not yet acknowledged */
    uint64_t sent_upto;            /* highest log index delivered on this connection */
} s_member_t;

/* A frame to send once the batch that produced it is durable. */
typedef struct {
    uint8_t id[BROKER_ID_MAX];
    size_t id_len;
    uint8_t *frame;
    size_t frame_len;
} s_out_t;

typedef struct {
    Concord__V1__Health_Service base;
    broker_t *b;
} s_health_t;

typedef struct {
    Concord__V1__Log_Service base;
    broker_t *b;
} s_logsvc_t;

struct broker {
    config_broker_t cfg;
    void *ctx;
    void *router;
    void *zap;
    keys_t *keys;
    admission_t *adm;              /* the roster after everything logged */
    ledger_t *ledger;
    replay_t *replay;
    rpc_registry_t *registry;
    s_health_t health;
    s_logsvc_t logsvc;
    s_member_t *members;           /* every organisation ever in the roster */
    size_t n_members;
    char **member_codes;           /* current members' codes, as a list for fan-out */
    size_t n_codes;
    uint64_t head_index;
    uint8_t head_chain[32];
    uint64_t last_time_ms;
    uint64_t direct_seq;
    s_out_t outs[BROKER_BATCH * 2];
    size_t n_outs;
    int failed;
};

static s_member_t *s_member(broker_t *b, const char *code)
{
    for (size_t i = 0; i < b->n_members; i++) {
        if (strcmp(b->members[i].code, code) == 0) {
            return &b->members[i];
        }
    }
    return NULL;
}

static int s_load_sender(const char *sender, uint64_t last, void *arg)
{
    return replay_commit(arg, sender, last);
}

static int s_head_time(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    *(uint64_t *)arg = e->time_ms;
    return 0;
}

/* Gives every current member of roster a mailbox slot (a successor
 * joining by a merger gets one) and lists the current members for the
 * fan-out of events: a merged-away predecessor gets no new events. */
static void s_members_sync(const roster_t *roster, uint64_t at_index, void *arg)
{
    broker_t *b = arg;
    size_t n = roster_count(roster);
    char **codes = realloc(b->member_codes, (n ? n : 1) * sizeof *codes);
    if (codes) {
        b->member_codes = codes;
    }
    for (size_t i = 0; codes && i < n; i++) {
        roster_org_t o;
        roster_at(roster, i, &o);
        if (s_member(b, o.code)) {
            continue;
        }
        s_member_t *grown = realloc(b->members, (b->n_members + 1) * sizeof *grown);
        if (!grown) {
            codes = NULL;
            break;
        }
        b->members = grown;
        memset(&grown[b->n_members], 0, sizeof *grown);
        snprintf(grown[b->n_members].code, sizeof grown->code, "%s", o.code);
        b->n_members++;
        if (at_index) {
            log_info("%s joins the roster after log index %llu", o.code,
                     (unsigned long long)at_index);
        }
    }
    if (!codes) {
        log_error("out of memory updating the members after a roster change");
        b->failed = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        roster_org_t o;
        roster_at(roster, i, &o);
        b->member_codes[i] = s_member(b, o.code)->code;
    }
    b->n_codes = n;
}

/* The roster as folded from the log: the genesis file, then every board
 * decision that changed it. */
static int s_load_roster(broker_t *b, cc_err_t *err)
{
    admission_destroy(&b->adm);
    if (!(b->adm = admission_new(b->cfg.roster, b->ledger, s_members_sync, b, err))) {
        return -1;
    }
    s_members_sync(admission_roster(b->adm), 0, b);
    return b->failed ? -1 : 0;
}

/* Rebuilds the in-memory view of the log (head, sequences, roster) from
 * disk: at start, and after a batch failed to commit. */
static int s_reload(broker_t *b, cc_err_t *err)
{
    replay_destroy(&b->replay);
    if (!(b->replay = replay_new())) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (ledger_log_head(b->ledger, &b->head_index, b->head_chain, err) < 0 ||
        ledger_log_senders(b->ledger, s_load_sender, b->replay, err) < 0) {
        return -1;
    }
    /* Receipt times never go backwards, even across a restart onto a
     * clock that was set back. */
    if (b->head_index &&
        ledger_log_read(b->ledger, b->head_index, 1, s_head_time, &b->last_time_ms, err) < 0) {
        return -1;
    }
    return s_load_roster(b, err);
}

/* Queues a frame for id; sent after the batch commits. */
static void s_queue(broker_t *b, const uint8_t *id, size_t id_len,
                    const Concord__V1__BrokerFrame *f)
{
    cc_err_t err;
    assert(b->n_outs < sizeof b->outs / sizeof b->outs[0]);
    s_out_t *o = &b->outs[b->n_outs];
    if (wire_pack(&f->base, WIRE_MAX_FRAME + 4096, &o->frame, &o->frame_len, &err) < 0) {
        log_error("cannot encode frame: %s", err.msg);
        return;
    }
    memcpy(o->id, id, id_len);
    o->id_len = id_len;
    b->n_outs++;
}

/* Sends one frame now. Returns -1 if the peer is gone. */
static int s_send(broker_t *b, const uint8_t *id, size_t id_len, const uint8_t *frame,
                  size_t len)
{
    if (zmq_send(b->router, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        return -1;
    }
    if (zmq_send(b->router, frame, len, ZMQ_DONTWAIT) < 0) {
        return -1;
    }
    return 0;
}

static void s_flush(broker_t *b)
{
    for (size_t i = 0; i < b->n_outs; i++) {
        s_out_t *o = &b->outs[i];
        if (s_send(b, o->id, o->id_len, o->frame, o->frame_len) < 0) {
            log_debug("result not sent: %s", zmq_strerror(errno));
        }
        free(o->frame);
    }
    b->n_outs = 0;
}

static void s_result(broker_t *b, const uint8_t *id, size_t id_len, const uint8_t hash[32],
                     cc_code_t code, const char *msg, const uint8_t *receipt, size_t receipt_len)
{
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__SubmitResult res = CONCORD__V1__SUBMIT_RESULT__INIT;
    Concord__V1__Status st = CONCORD__V1__STATUS__INIT;
    Concord__V1__SignedReceipt *sr = NULL;
    st.code = (Concord__V1__StatusCode)code;
    st.message = (char *)msg;
    res.status = &st;
    res.envelope_hash.data = (uint8_t *)hash;
    res.envelope_hash.len = hash ? 32 : 0;
    if (receipt) {
        sr = (Concord__V1__SignedReceipt *)wire_unpack(&concord__v1__signed_receipt__descriptor,
                                                       receipt, receipt_len, WIRE_MAX_FRAME,
                                                       NULL);
        res.receipt = sr;
    }
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_RESULT;
    f.result = &res;
    s_queue(b, id, id_len, &f);
    wire_free(sr ? &sr->base : NULL);
}

/* Appends an accepted envelope to the log and queues its receipt. */
static int s_accept(broker_t *b, const envelope_t *env, const uint8_t *id, size_t id_len,
                    cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    uint8_t chain[32];
    uint8_t *receipt = NULL;
    size_t receipt_len = 0;
    uint64_t now = clock_wall_ms();
    if (now < b->last_time_ms) {
        now = b->last_time_ms; /* receipt times never go backwards */
    }
    uint64_t index = b->head_index + 1;
    receipt_chain(b->head_chain, index, now, env->hash, chain);
    Concord__V1__Receipt r = CONCORD__V1__RECEIPT__INIT;
    r.log_index = index;
    r.chain_hash.data = chain;
    r.chain_hash.len = 32;
    r.time_ms = now;
    r.envelope_hash.data = (uint8_t *)env->hash;
    r.envelope_hash.len = 32;
    r.sender = h->sender;
    r.recipient = h->recipient;
    r.sequence = h->sequence;
    r.call_id = h->call_id;
    if (receipt_sign(b->keys, &r, &receipt, &receipt_len, err) < 0) {
        return -1;
    }
    ledger_log_entry_t e = {
        .index = index,
        .time_ms = now,
        .chain = chain,
        .hash = env->hash,
        .sender = h->sender,
        .recipient = h->recipient,
        .sequence = h->sequence,
        .kind = h->kind,
        .call_id = h->call_id.data,
        .envelope = env->raw,
        .envelope_len = env->raw_len,
        .receipt = receipt,
        .receipt_len = receipt_len,
    };
    /* An event to "*" goes into every member's mailbox, the sender's too,
     * so that every node folds the same events in the same order. */
    int everyone = strcmp(h->recipient, ENVELOPE_EVERYONE) == 0;
    const char *one = h->recipient;
    const char *const *to = everyone ? (const char *const *)b->member_codes : &one;
    size_t n_to = everyone ? b->n_codes : 1;
    if (ledger_log_append(b->ledger, &e, to, n_to, err) < 0) {
        free(receipt);
        return -1;
    }
    /* The next envelope, even in this batch, is judged by the roster
     * after this one (a key rotation it decides, say). */
    if (admission_fold(b->adm, env, index, now, err) < 0) {
        free(receipt);
        return -1;
    }
    b->head_index = index;
    memcpy(b->head_chain, chain, 32);
    b->last_time_ms = now;
    replay_commit(b->replay, h->sender, h->sequence);
    for (size_t i = 0; i < b->n_members; i++) {
        if (everyone || strcmp(b->members[i].code, h->recipient) == 0) {
            b->members[i].dirty = 1;
        }
    }
    s_result(b, id, id_len, env->hash, CC_OK, "", receipt, receipt_len);
    free(receipt);
    return 0;
}

/* Answers a request addressed to the broker itself, directly. */
static void s_serve_direct(broker_t *b, const envelope_t *req, const uint8_t *id, size_t id_len)
{
    const Concord__V1__Header *h = req->header;
    uint8_t *body = NULL, *env = NULL;
    size_t body_len = 0, env_len = 0;
    cc_err_t status, err;
    err_clear(&status);
    if (h->kind != CONCORD__V1__KIND__KIND_REQUEST) {
        return;
    }
    rpc_registry_dispatch(b->registry, req, &body, &body_len, &status);
    envelope_meta_t m = {
        .method = h->method,
        .recipient = h->sender,
        .sent_at_ms = clock_wall_ms(),
        .sequence = ++b->direct_seq,
        .kind = CONCORD__V1__KIND__KIND_REPLY,
        .status = status.code,
        .status_msg = status.code == CC_OK ? NULL : status.msg,
    };
    memcpy(m.call_id, h->call_id.data, 16);
    if (envelope_seal(b->keys, &m, body, body_len, &env, &env_len, &err) == 0) {
        Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
            &concord__v1__envelope__descriptor, env, env_len, WIRE_MAX_FRAME, &err);
        if (e) {
            Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
            Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
            d.envelope = e;
            f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
            f.delivery = &d;
            s_queue(b, id, id_len, &f);
            wire_free(&e->base);
        }
    } else {
        log_error("cannot seal reply: %s", err.msg);
    }
    free(env);
    free(body);
}

static void s_on_submit(broker_t *b, const char *who, const uint8_t *id, size_t id_len,
                        const uint8_t *raw, size_t raw_len)
{
    cc_err_t err;
    uint8_t hash[32];
    uint8_t *receipt = NULL;
    size_t receipt_len = 0;
#ifdef CONCORD_EVIL_BROKER
    if (evil_lose_submit(raw, raw_len)) {
        return;
    }
#endif
    envelope_hash(raw, raw_len, hash);
    if (raw_len > BROKER_ENVELOPE_MAX) {
        err_set(&err, CC_RESOURCE_EXHAUSTED,
                "envelope of %zu bytes exceeds the broker's limit of %u bytes", raw_len,
                BROKER_ENVELOPE_MAX);
        log_warn("rejected envelope from connection of %s: %s", who, err.msg);
        s_result(b, id, id_len, hash, err.code, err.msg, NULL, 0);
        return;
    }
    envelope_t *env = envelope_open(raw, raw_len, admission_roster(b->adm), &err);
    if (!env) {
        log_warn("rejected envelope from connection of %s: %s: %s", who,
                 err_code_name(err.code), err.msg);
        s_result(b, id, id_len, hash, err.code, err.msg, NULL, 0);
        return;
    }
    const Concord__V1__Header *h = env->header;
    roster_org_t to;
    int found;
    if (strcmp(h->sender, who) != 0) {
        err_set(&err, CC_PERMISSION_DENIED,
                "envelope signed by %s arrived on the connection of %s", h->sender, who);
    } else if (strcmp(h->recipient, KEYS_BROKER_CODE) == 0) {
        s_serve_direct(b, env, id, id_len);
        goto out;
    } else if (strcmp(h->recipient, ENVELOPE_EVERYONE) != 0 &&
               roster_lookup(admission_roster(b->adm), h->recipient, &to) != 0) {
        /* Only current members: not an organisation merged into another. */
        err_set(&err, CC_NOT_FOUND, "recipient %s is not in the roster", h->recipient);
    } else if ((found = ledger_log_find(b->ledger, env->hash, &receipt, &receipt_len, &err)) !=
               0) {
        /* Checked before the deadline: a resend of an accepted envelope
         * must still get its receipt, however late. */
        if (found > 0) {
            log_info("duplicate envelope from %s (sequence %llu) answered with its receipt",
                     h->sender, (unsigned long long)h->sequence);
            s_result(b, id, id_len, hash, CC_ALREADY_EXISTS,
                     "replay: this envelope was already accepted", receipt, receipt_len);
            free(receipt);
            goto out;
        }
        b->failed = 1;
        err.code = CC_UNAVAILABLE;
    } else if (h->deadline_ms && clock_wall_ms() > h->deadline_ms) {
        err_set(&err, CC_DEADLINE_EXCEEDED, "deadline passed before the broker received it");
    } else if ((found = ledger_log_has_call(b->ledger, h->sender, h->kind, h->call_id.data,
                                            &err)) != 0) {
        if (found > 0) {
            err_set(&err, CC_ALREADY_EXISTS, "replay: call id already used by %s", h->sender);
        } else {
            b->failed = 1;
            err.code = CC_UNAVAILABLE;
        }
    } else if (replay_check(b->replay, h->sender, h->sequence, &err) == 0) {
        if (s_accept(b, env, id, id_len, &err) == 0) {
            goto out;
        }
        log_error("cannot append to the log: %s", err.msg);
        b->failed = 1;
        err.code = CC_UNAVAILABLE;
    }
    log_warn("rejected envelope from %s: %s: %s", h->sender, err_code_name(err.code), err.msg);
    s_result(b, id, id_len, hash, err.code, err.msg, NULL, 0);
out:
    envelope_destroy(&env);
}

static void s_on_ack(broker_t *b, const char *who, const Concord__V1__MailboxAck *ack)
{
    s_member_t *m = s_member(b, who);
    cc_err_t err;
    if (!m) {
        return;
    }
    for (size_t i = 0; i < ack->n_log_index; i++) {
        if (ledger_mailbox_ack(b->ledger, who, ack->log_index[i], &err) < 0) {
            log_error("mailbox ack: %s", err.msg);
            b->failed = 1;
            return;
        }
        /* Only acknowledgements of deliveries on this connection free
         * window space. */
        if (m->inflight && ack->log_index[i] <= m->sent_upto) {
            m->inflight--;
        }
    }
    m->dirty = 1;
}

static void s_on_hello(broker_t *b, const char *who, const uint8_t *id, size_t id_len,
                       const Concord__V1__Hello *hello)
{
    s_member_t *m = s_member(b, who);
    if (!m || strcmp(hello->code, who) != 0) {
        log_warn("hello claiming '%s' on the connection of %s ignored", hello->code, who);
        return;
    }
    memcpy(m->id, id, id_len);
    m->id_len = id_len;
    m->online = 1;
    m->inflight = 0;
    m->sent_upto = 0;
    m->dirty = 1;
    log_info("%s connected; %llu waiting in its mailbox", who,
             (unsigned long long)ledger_mailbox_count(b->ledger, who));
}

/* Handles one [routing id][frame] message. who is the organisation the
 * connection authenticated as (ZAP User-Id). */
static void s_on_frame(broker_t *b, const char *who, const uint8_t *id, size_t id_len,
                       const uint8_t *buf, size_t len)
{
    cc_err_t err;
    Concord__V1__NodeFrame *f = (Concord__V1__NodeFrame *)wire_unpack(
        &concord__v1__node_frame__descriptor, buf, len, WIRE_MAX_FRAME + 4096, &err);
    if (!f) {
        log_warn("undecodable frame from %s: %s", who, err.msg);
        s_result(b, id, id_len, NULL, err.code, err.msg, NULL, 0);
        return;
    }
    switch (f->frame_case) {
    case CONCORD__V1__NODE_FRAME__FRAME_SUBMIT: {
        uint8_t *raw = NULL;
        size_t raw_len = 0;
        /* Re-packing a decoded Envelope reproduces its bytes: it has only
         * bytes and string fields, each written once in field order. */
        if (wire_pack(&f->submit->base, WIRE_MAX_FRAME, &raw, &raw_len, &err) == 0) {
            s_on_submit(b, who, id, id_len, raw, raw_len);
        } else {
            log_warn("rejected envelope from connection of %s: %s", who, err.msg);
            s_result(b, id, id_len, NULL, err.code, err.msg, NULL, 0);
        }
        free(raw);
        break;
    }
    case CONCORD__V1__NODE_FRAME__FRAME_ACK:
        s_on_ack(b, who, f->ack);
        break;
    case CONCORD__V1__NODE_FRAME__FRAME_HELLO:
        s_on_hello(b, who, id, id_len, f->hello);
        break;
    default:
        log_warn("unknown frame from %s", who);
        break;
    }
    wire_free(&f->base);
}

typedef struct {
    broker_t *b;
    s_member_t *m;
    int gone;
} s_pump_t;

#ifdef CONCORD_EVIL_BROKER
static void s_evil_send(void *arg, const uint8_t *frame, size_t len)
{
    s_pump_t *pc = arg;
    s_send(pc->b, pc->m->id, pc->m->id_len, frame, len);
}
#endif

static int s_deliver_entry(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    s_pump_t *pc = arg;
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = 0;
    d.log_index = e->index;
    d.envelope = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, e->envelope, e->envelope_len, WIRE_MAX_FRAME, err);
    d.receipt = (Concord__V1__SignedReceipt *)wire_unpack(
        &concord__v1__signed_receipt__descriptor, e->receipt, e->receipt_len, WIRE_MAX_FRAME,
        err);
    if (!d.envelope || !d.receipt) {
        ret = -1;
        goto out;
    }
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    f.delivery = &d;
#ifdef CONCORD_EVIL_BROKER
    if (evil_before_delivery(pc->m->code, &d)) {
        pc->m->inflight++;
        pc->m->sent_upto = e->index;
        goto out;
    }
#endif
    if (wire_pack(&f.base, WIRE_MAX_FRAME + 4096, &buf, &len, err) < 0) {
        ret = -1;
        goto out;
    }
    if (s_send(pc->b, pc->m->id, pc->m->id_len, buf, len) < 0) {
        pc->gone = 1;
        ret = -1;
        err_set(err, CC_UNAVAILABLE, "%s", zmq_strerror(errno));
        goto out;
    }
    pc->m->inflight++;
    pc->m->sent_upto = e->index;
#ifdef CONCORD_EVIL_BROKER
    evil_after_delivery(pc->m->code, &d, pc->b->keys, s_evil_send, pc);
#endif
out:
    free(buf);
    wire_free(d.envelope ? &d.envelope->base : NULL);
    wire_free(d.receipt ? &d.receipt->base : NULL);
    return ret;
}

/* Sends each online member the next part of its mailbox, keeping at most
 * mailbox_window deliveries unacknowledged. */
static void s_pump(broker_t *b)
{
    for (size_t i = 0; i < b->n_members; i++) {
        s_member_t *m = &b->members[i];
        if (!m->online || !m->dirty || m->inflight >= b->cfg.mailbox_window) {
            continue;
        }
        m->dirty = 0;
        s_pump_t pc = {.b = b, .m = m};
        cc_err_t err;
        if (ledger_mailbox_read(b->ledger, m->code, m->sent_upto,
                                b->cfg.mailbox_window - m->inflight, s_deliver_entry, &pc,
                                &err) < 0) {
            if (pc.gone) {
                log_info("%s is offline; its mail waits", m->code);
                m->online = 0;
            } else {
                log_error("mailbox of %s: %s", m->code, err.msg);
            }
        }
    }
}

/* Answers ZAP requests: CURVE keys in the roster pass, with the member's
 * code as User-Id; everything else is refused. */
static void s_on_zap(broker_t *b)
{
    zmq_msg_t parts[8];
    int n = 0;
    int more = 1;
    while (more && n < 8) {
        zmq_msg_init(&parts[n]);
        if (zmq_msg_recv(&parts[n], b->zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&parts[n]);
            break;
        }
        more = zmq_msg_more(&parts[n]);
        n++;
    }
    while (more) { /* a request longer than any real one: drain it */
        zmq_msg_t extra;
        zmq_msg_init(&extra);
        if (zmq_msg_recv(&extra, b->zap, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&extra);
            break;
        }
        more = zmq_msg_more(&extra);
        zmq_msg_close(&extra);
    }
    const char *status = "400", *text = "not in the roster";
    roster_org_t org = {.code = ""};
    if (n >= 7 && zmq_msg_size(&parts[5]) == 5 && memcmp(zmq_msg_data(&parts[5]), "CURVE", 5) == 0 &&
        zmq_msg_size(&parts[6]) == 32) {
        if (roster_lookup_curve(admission_roster(b->adm), zmq_msg_data(&parts[6]), &org) == 0 &&
            strcmp(org.code, KEYS_BROKER_CODE) != 0) {
            status = "200";
            text = "OK";
        } else {
            char *hex = wire_hex(zmq_msg_data(&parts[6]), 32);
            log_warn("refused a connection with transport key %s: not in the roster",
                     hex ? hex : "?");
            free(hex);
            org.code = "";
        }
    }
    if (n >= 2) {
        zmq_send(b->zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(b->zap, zmq_msg_data(&parts[1]), zmq_msg_size(&parts[1]), ZMQ_SNDMORE);
        zmq_send(b->zap, status, 3, ZMQ_SNDMORE);
        zmq_send(b->zap, text, strlen(text), ZMQ_SNDMORE);
        zmq_send(b->zap, org.code, strlen(org.code), ZMQ_SNDMORE);
        zmq_send(b->zap, "", 0, 0);
    }
    for (int i = 0; i < n; i++) {
        zmq_msg_close(&parts[i]);
    }
}

/* Reads up to BROKER_BATCH messages, handling them in one transaction;
 * results go out only after the commit. */
static void s_on_router(broker_t *b)
{
    cc_err_t err;
    if (ledger_begin(b->ledger, &err) < 0) {
        log_error("%s", err.msg);
        b->failed = 1;
        return;
    }
    for (int n = 0; n < BROKER_BATCH; n++) {
        zmq_msg_t id, body;
        zmq_msg_init(&id);
        zmq_msg_init(&body);
        if (zmq_msg_recv(&id, b->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&id);
            zmq_msg_close(&body);
            break;
        }
        int ok = zmq_msg_more(&id) && zmq_msg_recv(&body, b->router, 0) >= 0 &&
                 !zmq_msg_more(&body) && zmq_msg_size(&id) <= BROKER_ID_MAX;
        const char *who = ok ? zmq_msg_gets(&body, "User-Id") : NULL;
        if (ok && who && s_member(b, who)) {
            s_on_frame(b, who, zmq_msg_data(&id), zmq_msg_size(&id), zmq_msg_data(&body),
                       zmq_msg_size(&body));
        } else {
            log_warn("dropped a malformed or unauthenticated message");
            while (zmq_msg_more(&body)) { /* discard the rest of a multipart */
                zmq_msg_close(&body);
                zmq_msg_init(&body);
                if (zmq_msg_recv(&body, b->router, 0) < 0) {
                    break;
                }
            }
        }
        zmq_msg_close(&id);
        zmq_msg_close(&body);
        if (b->failed) {
            break;
        }
    }
    if (b->failed || ledger_commit(b->ledger, &err) < 0) {
        /* Nothing of this batch is durable, so none of its answers may go
         * out: senders hear nothing and resend. Rebuild the in-memory view
         * from disk. */
        ledger_rollback(b->ledger);
        log_error("log write failed; batch refused");
        for (size_t i = 0; i < b->n_outs; i++) {
            free(b->outs[i].frame);
        }
        b->n_outs = 0;
        b->failed = 0;
        if (s_reload(b, &err) < 0) {
            log_error("%s", err.msg);
            b->failed = 1;
        }
        return;
    }
    s_flush(b);
    s_pump(b);
}

int broker_run(broker_t *b, volatile int *stop)
{
    zmq_pollitem_t items[2] = {{.socket = b->router, .events = ZMQ_POLLIN},
                               {.socket = b->zap, .events = ZMQ_POLLIN}};
    log_info("listening on %s; log head %llu; %zu organisations in the roster", b->cfg.listen,
             (unsigned long long)b->head_index, b->n_codes);
    while (!*stop && !b->failed) {
        int rc = zmq_poll(items, 2, 1000);
        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            log_error("poll: %s", zmq_strerror(errno));
            return -1;
        }
        if (items[1].revents & ZMQ_POLLIN) {
            s_on_zap(b);
        }
        if (items[0].revents & ZMQ_POLLIN) {
            s_on_router(b);
        }
    }
    if (b->failed) {
        log_error("stopping: the log cannot be written");
        return -1;
    }
    log_info("stopping cleanly at log head %llu", (unsigned long long)b->head_index);
    return 0;
}

/* ---- services the broker answers itself ---- */

static void s_health_check(Concord__V1__Health_Service *service,
                           const Concord__V1__HealthCheckRequest *input,
                           Concord__V1__HealthCheckResponse_Closure closure, void *closure_data)
{
    (void)input;
    broker_t *b = ((s_health_t *)service)->b;
    Concord__V1__HealthCheckResponse out = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    out.status = CONCORD__V1__SERVING_STATUS__SERVING;
    out.code = KEYS_BROKER_CODE;
    out.time_ms = clock_wall_ms();
    out.ledger_entries = b->head_index;
    closure(&out, closure_data);
}

typedef struct {
    Concord__V1__LogReadResponse *out;
    size_t bytes;
} s_read_t;

static int s_read_entry(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    s_read_t *rd = arg;
    Concord__V1__LogReadResponse *out = rd->out;
    if (rd->bytes + e->envelope_len > BROKER_LOG_READ_BYTES && out->n_entries > 0) {
        return -1; /* enough for one answer; the reader asks again */
    }
    Concord__V1__LogEntry *le = calloc(1, sizeof *le);
    uint8_t *copy = malloc(e->envelope_len + 32);
    if (!le || !copy) {
        free(le);
        free(copy);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    concord__v1__log_entry__init(le);
    le->index = e->index;
    le->time_ms = e->time_ms;
    memcpy(copy, e->chain, 32);
    memcpy(copy + 32, e->envelope, e->envelope_len);
    le->chain_hash.data = copy;
    le->chain_hash.len = 32;
    le->envelope.data = copy + 32;
    le->envelope.len = e->envelope_len;
    out->entries[out->n_entries++] = le;
    rd->bytes += e->envelope_len;
    return 0;
}

static int s_head_receipt(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    Concord__V1__LogReadResponse *out = arg;
    out->head = (Concord__V1__SignedReceipt *)wire_unpack(
        &concord__v1__signed_receipt__descriptor, e->receipt, e->receipt_len, WIRE_MAX_FRAME,
        NULL);
    return 0;
}

static void s_log_read(Concord__V1__Log_Service *service, const Concord__V1__LogReadRequest *in,
                       Concord__V1__LogReadResponse_Closure closure, void *closure_data)
{
    broker_t *b = ((s_logsvc_t *)service)->b;
    Concord__V1__LogReadResponse out = CONCORD__V1__LOG_READ_RESPONSE__INIT;
    Concord__V1__LogEntry *entries[BROKER_LOG_READ_MAX];
    s_read_t rd = {.out = &out};
    cc_err_t err;
    uint32_t max = in->max_entries;
    if (max == 0 || max > BROKER_LOG_READ_MAX) {
        max = BROKER_LOG_READ_MAX;
    }
#ifdef CONCORD_EVIL_BROKER
    if (in->from_index && evil_log_read(b->ledger, b->keys, b->head_index, in, &out)) {
        closure(&out, closure_data);
        evil_log_read_free(&out);
        return;
    }
#endif
    out.entries = entries;
    out.head_index = b->head_index;
    err_clear(&err);
    if (in->from_index == 0) {
        rpc_registry_fail(closure_data, CC_INVALID_ARGUMENT, "from_index starts at 1");
        closure(NULL, closure_data);
        return;
    }
    if (ledger_log_read(b->ledger, in->from_index, max, s_read_entry, &rd, &err) < 0 &&
        err.code != CC_OK) {
        rpc_registry_fail(closure_data, err.code, "%s", err.msg);
        closure(NULL, closure_data);
    } else {
        if (b->head_index) {
            ledger_log_read(b->ledger, b->head_index, 1, s_head_receipt, &out, &err);
        }
        closure(&out, closure_data);
    }
    for (size_t i = 0; i < out.n_entries; i++) {
        free(entries[i]->chain_hash.data);
        free(entries[i]);
    }
    wire_free(out.head ? &out.head->base : NULL);
}

static int s_bind(broker_t *b, cc_err_t *err)
{
    int one = 1, linger = 0, hb = 1000, hb_timeout = 5000, hwm = 100000;
    int64_t maxmsg = WIRE_MAX_FRAME + 4096;
    b->zap = zmq_socket(b->ctx, ZMQ_REP);
    if (!b->zap || zmq_bind(b->zap, "inproc://zeromq.zap.01") != 0) {
        err_set(err, CC_INTERNAL, "ZAP handler: %s", zmq_strerror(errno));
        return -1;
    }
    b->router = zmq_socket(b->ctx, ZMQ_ROUTER);
    if (!b->router || zmq_setsockopt(b->router, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(b->router, ZMQ_CURVE_SECRETKEY, keys_curve_sk(b->keys), 32) ||
        zmq_setsockopt(b->router, ZMQ_ZAP_DOMAIN, "concord", 7) ||
        zmq_setsockopt(b->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
        zmq_setsockopt(b->router, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(b->router, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb) ||
        zmq_setsockopt(b->router, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout) ||
        zmq_setsockopt(b->router, ZMQ_SNDHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(b->router, ZMQ_RCVHWM, &hwm, sizeof hwm) ||
        zmq_setsockopt(b->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg)) {
        err_set(err, CC_INTERNAL, "configuring the router: %s", zmq_strerror(errno));
        return -1;
    }
    if (zmq_bind(b->router, b->cfg.listen) != 0) {
        err_set(err, CC_UNAVAILABLE, "cannot listen on %s: %s", b->cfg.listen,
                zmq_strerror(errno));
        return -1;
    }
    return 0;
}

broker_t *broker_new(const config_broker_t *cfg, cc_err_t *err)
{
    broker_t *b = calloc(1, sizeof *b);
    if (!b) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    b->cfg = *cfg;
    if (!(b->keys = keys_load(cfg->key, err)) ||
        !(b->ledger = ledger_open(cfg->data, LEDGER_BROKER, cfg->fsync, err)) ||
        s_reload(b, err) < 0) {
        goto fail;
    }
    roster_org_t me;
    roster_broker(admission_roster(b->adm), &me);
    if (memcmp(me.sign_pk, keys_public(b->keys)->sign_pk, 32) != 0 ||
        memcmp(me.curve_pk, keys_public(b->keys)->curve_pk, 32) != 0) {
        err_set(err, CC_PERMISSION_DENIED, "key %s is not the broker named in roster %s",
                cfg->key, cfg->roster);
        goto fail;
    }
    b->direct_seq = clock_wall_ms() * 1000;
    Concord__V1__Health_Service h = CONCORD__V1__HEALTH__INIT(s_health_);
    Concord__V1__Log_Service l = CONCORD__V1__LOG__INIT(s_log_);
    b->health.base = h;
    b->health.b = b;
    b->logsvc.base = l;
    b->logsvc.b = b;
    if (!(b->registry = rpc_registry_new()) ||
        rpc_registry_add(b->registry, &b->health.base.base) < 0 ||
        rpc_registry_add(b->registry, &b->logsvc.base.base) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (!(b->ctx = zmq_ctx_new()) || s_bind(b, err) < 0) {
        goto fail;
    }
    return b;
fail:
    broker_destroy(&b);
    return NULL;
}

void broker_destroy(broker_t **bp)
{
    if (!bp || !*bp) {
        return;
    }
    broker_t *b = *bp;
    for (size_t i = 0; i < b->n_outs; i++) {
        free(b->outs[i].frame);
    }
    if (b->router) {
        zmq_close(b->router);
    }
    if (b->zap) {
        zmq_close(b->zap);
    }
    if (b->ctx) {
        zmq_ctx_term(b->ctx);
    }
    rpc_registry_destroy(&b->registry);
    ledger_close(&b->ledger);
    replay_destroy(&b->replay);
    admission_destroy(&b->adm);
    keys_destroy(&b->keys);
    free(b->members);
    free(b->member_codes);
    free(b);
    *bp = NULL;
}
