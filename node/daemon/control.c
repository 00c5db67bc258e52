/* SPDX-License-Identifier: Apache-2.0 */
/* control: the CLI's requests to its own node: the socket, the Control
 * service table, and the node's own methods (status, ping, ledger, log
 * verification). */
#include "control.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "certificate.h"
#include "envelope.h"
#include "frames.h"
#include "health.pb-c.h"
#include "log.h"
#include "log.pb-c.h"
#include "merkle.h"
#include "receipt.h"
#include "wire.h"

#define CONTROL_ID_MAX 256
#define CONTROL_TEXT_MAX 4096
#define CONTROL_LOG_PAGE 256
#define CONTROL_SERVICE "concord.v1.Control/"

struct control_call {
    control_ctx_t *c;
    uint8_t id[CONTROL_ID_MAX];
    size_t id_len;
    const ProtobufCMethodDescriptor *method;
    void *self; /* the engine whose handler serves it */
};

/* ---- answers ---- */

static void s_send(control_ctx_t *c, const uint8_t *id, size_t id_len, cc_code_t code,
                   const char *message, const uint8_t *body, size_t body_len)
{
    Concord__V1__ControlAnswer a = CONCORD__V1__CONTROL_ANSWER__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    a.code = (Concord__V1__StatusCode)code;
    a.message = (char *)(message ? message : "");
    a.body.data = (uint8_t *)body;
    a.body.len = body ? body_len : 0;
    /* Certificates can be large; the CLI on the same machine takes them. */
    if (wire_pack(&a.base, CERTIFICATE_MAX + WIRE_MAX_FRAME, &buf, &len, NULL) < 0) {
        return;
    }
    zmq_send(c->socket, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(c->socket, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(c->socket, buf, len, ZMQ_DONTWAIT);
    free(buf);
}

void control_fail(void *call, cc_code_t code, const char *fmt, ...)
{
    control_call_t *k = call;
    char msg[CC_ERR_MSG_MAX + 256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_send(k->c, k->id, k->id_len, code == CC_OK ? CC_INTERNAL : code, msg, NULL, 0);
    free(k);
}

void control_answer(void *call, const ProtobufCMessage *reply)
{
    control_call_t *k = call;
    uint8_t *body = NULL;
    size_t len = 0;
    cc_err_t err;
    if (!reply) {
        control_fail(call, CC_INTERNAL, "%s gave no answer", k->method ? k->method->name : "?");
        return;
    }
    if (k->method && reply->descriptor != k->method->output) {
        control_fail(call, CC_INTERNAL, "%s answered with the wrong message type",
                     k->method->name);
        return;
    }
    if (wire_pack(reply, CERTIFICATE_MAX + WIRE_MAX_FRAME / 2, &body, &len, &err) < 0) {
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    s_send(k->c, k->id, k->id_len, CC_OK, NULL, body, len);
    free(body);
    free(k);
}

/* The closure protobuf-c hands to handlers. */
static void s_closure(const ProtobufCMessage *reply, void *closure_data)
{
    control_answer(closure_data, reply);
}

/* ---- arena ---- */

void *control_alloc(control_arena_t *a, size_t size)
{
    void **grown = realloc(a->ptrs, (a->n + 1) * sizeof *grown);
    void *p = grown ? calloc(1, size ? size : 1) : NULL;
    if (grown) {
        a->ptrs = grown;
    }
    if (!p) {
        a->failed = 1;
        return NULL;
    }
    a->ptrs[a->n++] = p;
    return p;
}

void *control_alloc_messages(control_arena_t *a, const ProtobufCMessageDescriptor *d, size_t n)
{
    if (n == 0) {
        return NULL;
    }
    ProtobufCMessage **v = control_alloc(a, n * sizeof *v);
    for (size_t i = 0; v && i < n; i++) {
        if (!(v[i] = control_alloc(a, d->sizeof_message))) {
            return NULL;
        }
        protobuf_c_message_init(d, v[i]);
    }
    return v;
}

char *control_strdup(control_arena_t *a, const char *s)
{
    size_t n = strlen(s ? s : "");
    char *d = control_alloc(a, n + 1);
    if (d) {
        memcpy(d, s ? s : "", n);
    }
    return d ? d : (char *)"";
}

void control_arena_free(control_arena_t *a)
{
    for (size_t i = 0; i < a->n; i++) {
        free(a->ptrs[i]);
    }
    free(a->ptrs);
    memset(a, 0, sizeof *a);
}

void control_answer_arena(void *call, const ProtobufCMessage *reply, control_arena_t *a)
{
    if (a->failed) {
        control_fail(call, CC_RESOURCE_EXHAUSTED, "out of memory");
    } else {
        control_answer(call, reply);
    }
    control_arena_free(a);
}

char *control_str(const char *s)
{
    return (char *)(s ? s : "");
}

/* ---- status and ledger ---- */

static void s_status(Concord__V1__Control_Service *service, const Concord__V1__StatusRequest *in,
                     Concord__V1__StatusReply_Closure closure, void *call)
{
    control_ctx_t *c = control_ctx_of(service);
    rpc_peer_stats_t st;
    Concord__V1__StatusReply r = CONCORD__V1__STATUS_REPLY__INIT;
    (void)in;
    rpc_peer_stats(c->peer, &st);
    r.organisation = (char *)c->cfg->code;
    r.federation = control_str(roster_federation(c->roster));
    r.members = roster_count(c->roster);
    r.broker = (char *)c->cfg->broker;
    r.connected = st.connected != 0;
    r.serving = !*c->failed;
    r.ledger_entries = ledger_count(c->ledger);
    r.ledger_path = (char *)c->cfg->ledger;
    r.sent = st.sent;
    r.received = st.received;
    r.rejected = st.rejected;
    r.calls_waiting = st.pending_calls;
    r.unreceipted = st.unreceipted;
    r.envelopes_verified = st.envelopes_opened;
    r.tree_heads_verified = st.heads_verified;
    r.started_ms = c->started_ms;
    r.delivery_lost = st.handed_over != 0;
    r.delivery_lost_ms = st.handed_over_ms;
    r.holding = st.holding;
    r.log_missing = c->log_missing;
    r.ledger_bytes = st.ledger_bytes;
    r.ledger_max_mb = st.ledger_max_mb;
    closure(&r, call);
}

typedef struct {
    control_arena_t *a;
    Concord__V1__LedgerRow **rows;
    size_t n, cap;
    uint64_t skip;
} s_ledger_list_t;

static int s_ledger_row(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_ledger_list_t *ll = arg;
    if (ll->skip) {
        ll->skip--;
        return 0;
    }
    Concord__V1__LedgerRow *row = ll->n < ll->cap ? ll->rows[ll->n] : NULL;
    uint8_t *hash = control_alloc(ll->a, 32);
    if (!row || !hash) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    memcpy(hash, e->hash, 32);
    row->id = e->id;
    row->inbound = e->direction == LEDGER_IN;
    row->kind = (Concord__V1__Kind)e->kind;
    row->method = control_strdup(ll->a, e->method);
    row->sender = control_strdup(ll->a, e->sender);
    row->recipient = control_strdup(ll->a, e->recipient);
    row->sequence = e->sequence;
    row->log_index = e->log_index;
    row->hash.data = hash;
    row->hash.len = 32;
    row->stored_at_ms = e->stored_at_ms;
    ll->n++;
    return 0;
}

/* The newest `limit` ledger entries (all when limit is 0). */
static void s_ledger(Concord__V1__Control_Service *service, const Concord__V1__LedgerRequest *in,
                     Concord__V1__LedgerReply_Closure closure, void *call)
{
    control_ctx_t *c = control_ctx_of(service);
    control_arena_t a = {0};
    cc_err_t err;
    Concord__V1__LedgerReply r = CONCORD__V1__LEDGER_REPLY__INIT;
    (void)closure;
    if (in->limit > 86400000u) {
        control_fail(call, CC_INVALID_ARGUMENT, "ledger: limit must be a positive number");
        return;
    }
    uint64_t count = ledger_count(c->ledger);
    uint64_t want = in->limit && count > in->limit ? in->limit : count;
    s_ledger_list_t ll = {.a = &a, .skip = count - want, .cap = (size_t)want};
    ll.rows = control_alloc_messages(&a, &concord__v1__ledger_row__descriptor, ll.cap);
    if (ll.cap && !ll.rows) {
        control_arena_free(&a);
        control_fail(call, CC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (ledger_replay(c->ledger, s_ledger_row, &ll, &err) < 0) {
        control_arena_free(&a);
        control_fail(call, err.code, "%s", err.msg);
        return;
    }
    r.entries = ll.rows;
    r.n_entries = ll.n;
    control_answer_arena(call, &r.base, &a);
}

/* ---- ping ---- */

/* A log index and the leaf hash a receipt held by this node proves. */
typedef struct {
    uint64_t index;
    uint8_t leaf[32];
} s_claim_t;

/* A signed tree head this node holds (its signature checked). */
typedef struct {
    uint64_t size;
    uint8_t root[32];
} s_held_t;

/* An entry of the log for this node that its ledger lacks (log fetch). */
typedef struct {
    uint64_t index;
    uint64_t time_ms;
    uint8_t hash[32];
    uint8_t *env;
    size_t env_len;
} s_missing_t;

/* One request waiting for the network. */
typedef struct {
    control_ctx_t *c;
    void *call;
    char target[KEYS_CODE_MAX + 1];
    uint32_t timeout_ms;
    /* log verification */
    uint64_t next;
    uint64_t head_index;
    s_claim_t *claims;
    size_t n_claims;
    s_held_t *held;
    size_t n_held;
    merkle_t *tree;                /* the log as read */
    receipt_heads_t *cache;        /* each head's signature checked once */
    int fetch;                     /* log fetch: store what is missing */
    uint64_t bound;                /* entries above it may be in flight, not missing */
    uint64_t n_missing;            /* entries for this node its ledger lacks */
    s_missing_t *kept;             /* their envelopes, to store (log fetch) */
    size_t n_kept;
} s_req_t;

static void s_req_free(s_req_t *rq)
{
    free(rq->claims);
    free(rq->held);
    for (size_t i = 0; i < rq->n_kept; i++) {
        free(rq->kept[i].env);
    }
    free(rq->kept);
    merkle_destroy(&rq->tree);
    receipt_heads_destroy(&rq->cache);
    free(rq);
}

static void s_fail(s_req_t *rq, cc_code_t code, const char *msg)
{
    control_fail(rq->call, code, "%s", msg);
    s_req_free(rq);
}

static s_req_t *s_req_new(control_ctx_t *c, void *call)
{
    s_req_t *rq = calloc(1, sizeof *rq);
    if (!rq) {
        control_fail(call, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    rq->c = c;
    rq->call = call;
    rq->timeout_ms = c->cfg->call_timeout_ms;
    return rq;
}

static void s_ping_done(const rpc_result_t *r, void *arg)
{
    s_req_t *rq = arg;
    if (r->code != CC_OK) {
        char msg[CC_ERR_MSG_MAX + 64];
        snprintf(msg, sizeof msg, "ping %s: %s: %s", rq->target, err_code_name(r->code),
                 r->message);
        s_fail(rq, r->code, msg);
        return;
    }
    const Concord__V1__HealthCheckResponse *h =
        (const Concord__V1__HealthCheckResponse *)r->response;
    /* Who answered is the reply's verified signer (a reply is matched to
     * the call only when it is the organisation called), never the code
     * the body claims: a reply claiming to be another organisation is
     * refused. */
    if (strcmp(h->code, r->responder) != 0) {
        char msg[CC_ERR_MSG_MAX];
        snprintf(msg, sizeof msg,
                 "ping %s: the reply signed by %s claims to come from '%.32s': refused",
                 rq->target, r->responder, h->code);
        s_fail(rq, CC_PERMISSION_DENIED, msg);
        return;
    }
    Concord__V1__PingReply out = CONCORD__V1__PING_REPLY__INIT;
    out.target = rq->target;
    out.responder = (char *)r->responder;
    out.serving = h->status == CONCORD__V1__SERVING_STATUS__SERVING;
    out.rtt_us = r->rtt_us;
    out.retries = (uint32_t)r->retries;
    out.request_log_index = r->request_log_index;
    out.request_time_ms = r->request_time_ms;
    if (r->request_leaf) {
        out.request_leaf_hash.data = (uint8_t *)r->request_leaf;
        out.request_leaf_hash.len = 32;
    }
    out.reply_log_index = r->reply_log_index;
    out.responder_ledger_entries = h->ledger_entries;
    out.broker_role = h->broker_role;
    out.broker_store = h->broker_store;
    out.broker_epoch = h->broker_epoch;
    control_answer(rq->call, &out.base);
    free(rq);
}

static void s_ping(Concord__V1__Control_Service *service, const Concord__V1__PingRequest *in,
                   Concord__V1__PingReply_Closure closure, void *call)
{
    control_ctx_t *c = control_ctx_of(service);
    cc_err_t err;
    (void)closure;
    if (!in->target[0] || in->timeout_ms > 86400000u) {
        control_fail(call, CC_INVALID_ARGUMENT,
                     "ping: expected an organisation code and an optional timeout in"
                     " milliseconds");
        return;
    }
    if (keys_code_check(in->target, &err) < 0) {
        control_fail(call, CC_INVALID_ARGUMENT, "ping: '%.32s': %s", in->target, err.msg);
        return;
    }
    s_req_t *rq = s_req_new(c, call);
    if (!rq) {
        return;
    }
    snprintf(rq->target, sizeof rq->target, "%s", in->target);
    if (in->timeout_ms) {
        rq->timeout_ms = in->timeout_ms;
    }
    Concord__V1__HealthCheckRequest hc = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    if (rpc_peer_call(c->peer, rq->target, &concord__v1__health__descriptor, 0, &hc.base,
                      rq->timeout_ms, s_ping_done, rq, &err) < 0) {
        s_fail(rq, err.code, err.msg);
    }
}

/* ---- log verification ---- */

static int s_claim_cmp(const void *a, const void *b)
{
    const s_claim_t *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int s_held_cmp(const void *a, const void *b)
{
    const s_held_t *x = a, *y = b;
    if (x->size != y->size) {
        return x->size < y->size ? -1 : 1;
    }
    return memcmp(x->root, y->root, 32);
}

/* Keeps a verified head among those this node holds. */
static int s_hold(s_req_t *rq, const receipt_head_t *h, cc_err_t *err)
{
    for (size_t i = 0; i < rq->n_held; i++) {
        if (rq->held[i].size == h->size && memcmp(rq->held[i].root, h->root, 32) == 0) {
            return 0;
        }
    }
    s_held_t *grown = realloc(rq->held, (rq->n_held + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    rq->held = grown;
    rq->held[rq->n_held].size = h->size;
    memcpy(rq->held[rq->n_held].root, h->root, 32);
    rq->n_held++;
    return 0;
}

static int s_hold_signed(s_req_t *rq, const Concord__V1__SignedTreeHead *sth, cc_err_t *err)
{
    receipt_head_t h;
    int fork = 0;
    if (receipt_heads_check(rq->cache, rq->c->roster, sth, &h, &fork, err) < 0) {
        return -1;
    }
    return s_hold(rq, &h, err);
}

/* Collects the (index, leaf) pair of every receipt this node holds, each
 * proved against its head, and the heads. */
static int s_collect_claim(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_req_t *rq = arg;
    receipt_t r;
    if (!e->receipt) {
        return 0;
    }
    if (receipt_open(rq->cache, rq->c->roster, e->receipt, e->receipt_len, &r, err) < 0) {
        err_prefix(err, "receipt stored with ledger entry %lld: ", (long long)e->id);
        return -1;
    }
    s_claim_t *grown = realloc(rq->claims, (rq->n_claims + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    rq->claims = grown;
    rq->claims[rq->n_claims].index = r.log_index;
    memcpy(rq->claims[rq->n_claims].leaf, r.leaf, 32);
    rq->n_claims++;
    return s_hold(rq, &r.head, err);
}

/* Every head the node kept from the broker's frames. */
static int s_collect_head(uint64_t size, const uint8_t root[32], const uint8_t *head,
                          size_t head_len, void *arg, cc_err_t *err)
{
    (void)size;
    (void)root;
    s_req_t *rq = arg;
    Concord__V1__SignedTreeHead *sth = (Concord__V1__SignedTreeHead *)wire_unpack(
        &concord__v1__signed_tree_head__descriptor, head, head_len, WIRE_MAX_FRAME, err);
    int ret = sth ? s_hold_signed(rq, sth, err) : -1;
    if (ret < 0) {
        err_prefix(err, "a tree head stored in the ledger: ");
    }
    wire_free(sth ? &sth->base : NULL);
    return ret;
}

/* Two validly signed heads of one size with different roots: the broker
 * showed two histories. */
static int s_check_fork(s_req_t *rq, char *why, size_t why_len)
{
    if (rq->n_held) {
        qsort(rq->held, rq->n_held, sizeof *rq->held, s_held_cmp);
    }
    for (size_t i = 1; i < rq->n_held; i++) {
        if (rq->held[i].size == rq->held[i - 1].size) {
            snprintf(why, why_len,
                     "the broker signed two tree heads of %llu entries with different roots: it "
                     "has shown different histories of its log (a fork)",
                     (unsigned long long)rq->held[i].size);
            return -1;
        }
    }
    return 0;
}

/* Checks that every receipt this node holds for index proves this leaf. */
static int s_check_claims(s_req_t *rq, uint64_t index, const uint8_t leaf[32], char *why,
                          size_t why_len)
{
    s_claim_t key = {.index = index};
    /* A node that holds no receipt yet has no array at all (NULL). */
    s_claim_t *hit = rq->n_claims ? bsearch(&key, rq->claims, rq->n_claims, sizeof key, s_claim_cmp)
                                  : NULL;
    if (hit && memcmp(hit->leaf, leaf, 32) != 0) {
        snprintf(why, why_len,
                 "the broker's log at index %llu differs from the receipt this node holds for it",
                 (unsigned long long)index);
        return -1;
    }
    return 0;
}

/* Every head held, in order of size, is a prefix of the next: the
 * consistency proof between them, computed from the log as read, verifies
 * against both signed roots. */
static int s_check_consistency(s_req_t *rq, char *why, size_t why_len)
{
    uint8_t path[MERKLE_PATH_MAX][32];
    size_t n_path;
    for (size_t i = 0; i < rq->n_held; i++) {
        const s_held_t *a = &rq->held[i];
        if (a->size > merkle_size(rq->tree)) {
            snprintf(why, why_len,
                     "the broker signed a tree head of %llu entries, but its log has %llu: "
                     "entries it signed for were lost",
                     (unsigned long long)a->size, (unsigned long long)merkle_size(rq->tree));
            return -1;
        }
        const s_held_t *b = i + 1 < rq->n_held ? &rq->held[i + 1] : NULL;
        if (!b || b->size > merkle_size(rq->tree)) {
            /* The newest: against the log itself. */
            uint8_t root[32];
            merkle_root(rq->tree, a->size, root);
            if (memcmp(root, a->root, 32) != 0) {
                snprintf(why, why_len,
                         "the broker's signed tree head of %llu entries does not match its log: "
                         "it has rewritten its log",
                         (unsigned long long)a->size);
                return -1;
            }
            continue;
        }
        merkle_consistency(rq->tree, a->size, b->size, path, &n_path);
        if (!merkle_verify_consistency(a->size, b->size, a->root, b->root,
                                       (const uint8_t(*)[32])path, n_path)) {
            snprintf(why, why_len,
                     "the broker's signed tree heads of %llu and %llu entries are not consistent: "
                     "it has rewritten its log between them",
                     (unsigned long long)a->size, (unsigned long long)b->size);
            return -1;
        }
    }
    return 0;
}

static void s_verify_page(s_req_t *rq);
static int s_store_kept(s_req_t *rq, const Concord__V1__SignedTreeHead *sth, uint64_t *fetched,
                        cc_err_t *err);

static void s_verify_finish(s_req_t *rq, const Concord__V1__LogReadResponse *resp)
{
    char why[CONTROL_TEXT_MAX];
    cc_err_t err;
    uint8_t root[32];
    if (rq->next - 1 != rq->head_index) {
        snprintf(why, sizeof why, "log ended at %llu but the broker's head is %llu",
                 (unsigned long long)(rq->next - 1), (unsigned long long)rq->head_index);
        s_fail(rq, CC_DATA_LOSS, why);
        return;
    }
    merkle_root(rq->tree, rq->head_index, root);
    if (rq->head_index) {
        receipt_head_t head;
        int ok = resp->head && receipt_head_open(rq->c->roster, resp->head, &head, &err) == 0 &&
                 head.size == rq->head_index && memcmp(head.root, root, 32) == 0;
        if (!ok) {
            s_fail(rq, CC_DATA_LOSS, "the broker's signed head does not match its log");
            return;
        }
    }
    if (s_check_fork(rq, why, sizeof why) < 0 || s_check_consistency(rq, why, sizeof why) < 0) {
        s_fail(rq, CC_DATA_LOSS, why);
        return;
    }
    for (size_t i = 0; i < rq->n_claims; i++) {
        if (rq->claims[i].index > rq->head_index) {
            snprintf(why, sizeof why,
                     "this node holds a receipt for log index %llu, beyond the broker's head %llu:"
                     " acknowledged entries were lost",
                     (unsigned long long)rq->claims[i].index,
                     (unsigned long long)rq->head_index);
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
    }
    Concord__V1__LogVerifyReply out = CONCORD__V1__LOG_VERIFY_REPLY__INIT;
    if (rq->fetch && s_store_kept(rq, resp->head, &out.fetched, &err) < 0) {
        err_prefix(&err, "storing what the log holds for this node: ");
        s_fail(rq, err.code, err.msg);
        return;
    }
    out.missing = rq->n_missing;
    rq->c->log_missing = rq->fetch ? 0 : rq->n_missing;
    out.entries = rq->head_index;
    out.head_root_hash.data = root;
    out.head_root_hash.len = 32;
    out.receipts_checked = rq->n_claims;
    out.heads_checked = rq->n_held;
    out.organisation = (char *)rq->c->cfg->code;
    control_answer(rq->call, &out.base);
    s_req_free(rq);
}

/* 1 if env, read from the log, is for this node (to it, to every member
 * or one of its boards, or sent by it) and its ledger lacks it; 0 if not;
 * -1 on error. */
static int s_missing(s_req_t *rq, const envelope_t *env, cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    const char *me = rq->c->cfg->code;
    if (strcmp(h->sender, me) != 0 && strcmp(h->recipient, me) != 0 &&
        !(h->kind == CONCORD__V1__KIND__KIND_EVENT && envelope_event_for(h->recipient, me))) {
        return 0;
    }
    int have = ledger_has(rq->c->ledger, env->hash, NULL, err);
    if (have < 0) {
        return -1;
    }
    rq->n_missing += !have;
    return !have;
}

static int s_keep(s_req_t *rq, const Concord__V1__LogEntry *e, const uint8_t hash[32],
                  cc_err_t *err)
{
    s_missing_t *grown = realloc(rq->kept, (rq->n_kept + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    rq->kept = grown;
    s_missing_t *m = &rq->kept[rq->n_kept];
    if (!(m->env = malloc(e->envelope.len))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    memcpy(m->env, e->envelope.data, e->envelope.len);
    m->env_len = e->envelope.len;
    m->index = e->index;
    m->time_ms = e->time_ms;
    memcpy(m->hash, hash, 32);
    rq->n_kept++;
    return 0;
}

/* log fetch, once the log verified: stores each kept entry with its
 * receipt against the newest head (sth, which signs the tree read). */
static int s_store_kept(s_req_t *rq, const Concord__V1__SignedTreeHead *sth, uint64_t *fetched,
                        cc_err_t *err)
{
    for (size_t i = 0; i < rq->n_kept; i++) {
        const s_missing_t *m = &rq->kept[i];
        uint8_t *receipt = NULL;
        size_t receipt_len = 0;
        if (receipt_pack(rq->tree, sth, rq->head_index, m->index, m->time_ms, m->hash, &receipt,
                         &receipt_len, err) < 0) {
            return -1;
        }
        int rc = rpc_peer_store_fetched(rq->c->peer, m->index, m->env, m->env_len, receipt,
                                        receipt_len, err);
        free(receipt);
        if (rc < 0) {
            return -1;
        }
        *fetched += (uint64_t)rc;
    }
    return 0;
}

static void s_verify_done(const rpc_result_t *r, void *arg)
{
    s_req_t *rq = arg;
    char why[CONTROL_TEXT_MAX];
    cc_err_t err;
    if (r->code != CC_OK) {
        snprintf(why, sizeof why, "reading the broker's log: %s: %s", err_code_name(r->code),
                 r->message);
        s_fail(rq, r->code, why);
        return;
    }
    const Concord__V1__LogReadResponse *resp = (const Concord__V1__LogReadResponse *)r->response;
    /* The log may grow while it is read: follow the newest head, which
     * comes with the same answer; every head seen is held. */
    rq->head_index = resp->head_index;
    if (resp->head && s_hold_signed(rq, resp->head, &err) < 0) {
        snprintf(why, sizeof why, "the broker's signed head: %s", err.msg);
        s_fail(rq, CC_DATA_LOSS, why);
        return;
    }
    for (size_t i = 0; i < resp->n_entries; i++) {
        const Concord__V1__LogEntry *e = resp->entries[i];
        uint8_t hash[32], leaf[32];
        if (e->index != rq->next) {
            snprintf(why, sizeof why, "log entry %llu missing or out of order (got %llu)",
                     (unsigned long long)rq->next, (unsigned long long)e->index);
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        if (e->envelope.len) {
            /* The envelope decides the leaf, and must be validly signed. */
            envelope_hash(e->envelope.data, e->envelope.len, hash);
            merkle_leaf_hash(e->index, e->time_ms, hash, leaf);
            if (e->leaf_hash.len && (e->leaf_hash.len != 32 ||
                                     memcmp(e->leaf_hash.data, leaf, 32) != 0)) {
                snprintf(why, sizeof why, "log index %llu: its leaf hash is not its envelope's",
                         (unsigned long long)e->index);
                s_fail(rq, CC_DATA_LOSS, why);
                return;
            }
            envelope_t *env = envelope_open_at(e->envelope.data, e->envelope.len,
                                               rq->c->roster, e->index, &err);
            if (!env) {
                snprintf(why, sizeof why, "log index %llu: %s", (unsigned long long)e->index,
                         err.msg);
                s_fail(rq, CC_DATA_LOSS, why);
                return;
            }
            int missing = e->index <= rq->bound ? s_missing(rq, env, &err) : 0;
            envelope_destroy(&env);
            if (missing < 0 || (missing && rq->fetch && s_keep(rq, e, hash, &err) < 0)) {
                s_fail(rq, err.code, err.msg);
                return;
            }
        } else if (e->leaf_hash.len == 32) {
            /* An entry this member may not read: its leaf stands for it. */
            memcpy(leaf, e->leaf_hash.data, 32);
        } else {
            snprintf(why, sizeof why, "log index %llu has neither envelope nor leaf hash",
                     (unsigned long long)e->index);
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        if (s_check_claims(rq, e->index, leaf, why, sizeof why) < 0) {
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        if (merkle_append(rq->tree, leaf, &err) < 0) {
            s_fail(rq, err.code, err.msg);
            return;
        }
        rq->next++;
    }
    if (resp->n_entries == 0 || rq->next > rq->head_index) {
        s_verify_finish(rq, resp);
    } else {
        s_verify_page(rq);
    }
}

static void s_verify_page(s_req_t *rq)
{
    cc_err_t err;
    Concord__V1__LogReadRequest in = CONCORD__V1__LOG_READ_REQUEST__INIT;
    in.from_index = rq->next;
    in.max_entries = CONTROL_LOG_PAGE;
    if (rpc_peer_call(rq->c->peer, KEYS_BROKER_CODE, &concord__v1__log__descriptor, 0, &in.base,
                      rq->timeout_ms, s_verify_done, rq, &err) < 0) {
        s_fail(rq, err.code, err.msg);
    }
}

static void s_log_verify(Concord__V1__Control_Service *service,
                         const Concord__V1__LogVerifyRequest *in,
                         Concord__V1__LogVerifyReply_Closure closure, void *call)
{
    cc_err_t err;
    char why[CONTROL_TEXT_MAX];
    (void)closure;
    s_req_t *rq = s_req_new(control_ctx_of(service), call);
    if (!rq) {
        return;
    }
    if (!(rq->tree = merkle_new()) || !(rq->cache = receipt_heads_new())) {
        s_fail(rq, CC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    if (ledger_replay(rq->c->ledger, s_collect_claim, rq, &err) < 0 ||
        ledger_heads(rq->c->ledger, s_collect_head, rq, &err) < 0) {
        s_fail(rq, err.code, err.msg);
        return;
    }
    if (rq->n_claims) {
        qsort(rq->claims, rq->n_claims, sizeof *rq->claims, s_claim_cmp);
    }
    /* Entries above what this node has acknowledged or holds a receipt for
     * may simply be on their way to it. */
    rpc_peer_stats_t st;
    rpc_peer_stats(rq->c->peer, &st);
    rq->bound = st.acked_upto;
    if (rq->n_claims && rq->claims[rq->n_claims - 1].index > rq->bound) {
        rq->bound = rq->claims[rq->n_claims - 1].index;
    }
    rq->fetch = in->fetch;
    /* A member holding two heads of one size with different roots has
     * caught a fork before it reads a byte of the log. */
    if (s_check_fork(rq, why, sizeof why) < 0) {
        s_fail(rq, CC_DATA_LOSS, why);
        return;
    }
    rq->next = 1;
    s_verify_page(rq);
}

/* ---- the service ---- */

/* The node's own methods; the engines' rows add theirs (engine.h), and
 * node.c the roster's (roster_view.c). */
static const struct {
    const char *method;
    void (*handler)(void);
} s_own[] = {
    {"Status", (void (*)(void))s_status},
    {"Ping", (void (*)(void))s_ping},
    {"Ledger", (void (*)(void))s_ledger},
    {"LogVerify", (void (*)(void))s_log_verify},
};

/* The handlers, in the order of the methods in the service descriptor,
 * as protobuf-c's invoke reads them after the service's base. */
static void (**s_handlers(control_service_t *s))(void)
{
    return (void (**)(void))(void *)(&s->base.base + 1);
}

void control_service_init(control_service_t *s, control_ctx_t *c)
{
    Concord__V1__Control_Service base = {.base = CONCORD__V1__CONTROL__BASE_INIT};
    memset(s, 0, sizeof *s);
    s->base = base;
    s->c = c;
    for (size_t i = 0; i < sizeof s_own / sizeof s_own[0]; i++) {
        control_service_add(s, s_own[i].method, s_own[i].handler, c, NULL);
    }
}

int control_service_add(control_service_t *s, const char *method, void (*handler)(void),
                        void *self, cc_err_t *err)
{
    const ProtobufCMethodDescriptor *m =
        protobuf_c_service_descriptor_get_method_by_name(&concord__v1__control__descriptor,
                                                         method);
    size_t i = m ? (size_t)(m - concord__v1__control__descriptor.methods) : 0;
    if (!m || i >= CONTROL_METHODS_MAX || s_handlers(s)[i]) {
        err_set(err, m ? CC_ALREADY_EXISTS : CC_NOT_FOUND, "control method %s: %s", method,
                m ? "already has a handler" : "no such method");
        return -1;
    }
    s_handlers(s)[i] = handler;
    s->self[i] = self;
    return 0;
}

void control_service_rebind(control_service_t *s, void *old_self, void *new_self)
{
    for (size_t i = 0; i < CONTROL_METHODS_MAX; i++) {
        if (s->self[i] == old_self) {
            s->self[i] = new_self;
        }
    }
}

control_ctx_t *control_ctx_of(Concord__V1__Control_Service *service)
{
    return ((control_service_t *)service)->c;
}

void *control_self(void *call)
{
    return ((control_call_t *)call)->self;
}

/* The handler's index of a full method name of the Control service, if
 * it has a handler; -1 otherwise. */
static int s_served(control_service_t *s, const char *full)
{
    const char *name = full + strlen(CONTROL_SERVICE);
    const ProtobufCMethodDescriptor *m =
        protobuf_c_service_descriptor_get_method_by_name(&concord__v1__control__descriptor,
                                                         name);
    size_t i = m ? (size_t)(m - concord__v1__control__descriptor.methods) : 0;
    return m && i < CONTROL_METHODS_MAX && s_handlers(s)[i] ? (int)i : -1;
}

/* Decodes one ControlCall and invokes its method. */
static void s_dispatch(control_ctx_t *c, control_service_t *svc, rpc_registry_t *reg,
                       const uint8_t *id, size_t id_len, const uint8_t *buf, size_t len)
{
    cc_err_t err;
    Concord__V1__ControlCall *cc = (Concord__V1__ControlCall *)wire_unpack(
        &concord__v1__control_call__descriptor, buf, len, WIRE_MAX_FRAME, &err);
    if (!cc) {
        s_send(c, id, id_len, CC_INVALID_ARGUMENT, err.msg, NULL, 0);
        return;
    }
    /* Only the Control service (the registry's Reflection service answers
     * through the federation's closures, not these), and only methods
     * with a handler. */
    int at = strncmp(cc->method, CONTROL_SERVICE, strlen(CONTROL_SERVICE)) == 0
                 ? s_served(svc, cc->method)
                 : -1;
    if (at < 0) {
        s_send(c, id, id_len, CC_UNIMPLEMENTED, "unknown control method", NULL, 0);
        wire_free(&cc->base);
        return;
    }
    control_call_t *call = calloc(1, sizeof *call);
    if (!call) {
        s_send(c, id, id_len, CC_RESOURCE_EXHAUSTED, "out of memory", NULL, 0);
        wire_free(&cc->base);
        return;
    }
    call->c = c;
    call->self = svc->self[at];
    memcpy(call->id, id, id_len);
    call->id_len = id_len;
    if (rpc_registry_invoke(reg, cc->method, cc->body.data, cc->body.len, WIRE_MAX_FRAME,
                            s_closure, call, &call->method, &err) < 0) {
        /* Not invoked (the body is not the method's request): the call is
         * still ours. */
        s_send(c, id, id_len, err.code, err.msg, NULL, 0);
        free(call);
    }
    wire_free(&cc->base);
}

void control_handle(control_service_t *svc, rpc_registry_t *reg)
{
    control_ctx_t *c = svc->c;
    for (int n = 0; n < 64; n++) {
        frames_t f;
        if (frames_recv(&f, c->socket, 3) == 0) {
            frames_close(&f);
            return;
        }
        if (frames_exact(&f, 3) && frames_size(&f, 0) <= CONTROL_ID_MAX &&
            frames_size(&f, 1) == 0) {
            s_dispatch(c, svc, reg, frames_data(&f, 0), frames_size(&f, 0), frames_data(&f, 2),
                       frames_size(&f, 2));
        } else {
            log_warn("malformed control request ignored");
        }
        frames_close(&f);
    }
}
