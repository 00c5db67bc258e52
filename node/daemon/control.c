/* control: the CLI's requests to its own node. */
#include "control.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "boards.h"
#include "pools.h"
#include "roster_view.h"
#include "clock.h"
#include "control.pb-c.h"
#include "certificate.h"
#include "envelope.h"
#include "health.pb-c.h"
#include "json.h"
#include "log.h"
#include "log.pb-c.h"
#include "receipt.h"
#include "wire.h"

#define CONTROL_ID_MAX 256
#define CONTROL_TEXT_MAX 4096
#define CONTROL_LOG_PAGE 256

/* A log index and the chain hash a receipt held by this node claims. */
typedef struct {
    uint64_t index;
    uint8_t chain[32];
} s_claim_t;

/* One CLI request waiting for the network. */
typedef struct {
    control_ctx_t *c;
    uint8_t id[CONTROL_ID_MAX];
    size_t id_len;
    char target[KEYS_CODE_MAX + 1];
    uint32_t timeout_ms;
    /* log verification */
    uint64_t next;
    uint8_t chain[32];
    uint64_t head_index;
    uint64_t bad_signatures;
    s_claim_t *claims;
    size_t n_claims;
} s_req_t;

void control_reply(control_ctx_t *c, const uint8_t *id, size_t id_len, cc_code_t code,
                   const char *message, const char *text, const char *json,
                   const uint8_t *payload, size_t payload_len)
{
    Concord__V1__ControlReply r = CONCORD__V1__CONTROL_REPLY__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    r.code = (Concord__V1__StatusCode)code;
    r.message = (char *)(message ? message : "");
    r.text = (char *)(text ? text : "");
    r.json = (char *)(json ? json : "");
    r.payload.data = (uint8_t *)payload;
    r.payload.len = payload ? payload_len : 0;
    /* Certificates can be large; the CLI on the same machine takes them. */
    if (wire_pack(&r.base, CERTIFICATE_MAX + WIRE_MAX_FRAME, &buf, &len, NULL) < 0) {
        return;
    }
    zmq_send(c->socket, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(c->socket, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(c->socket, buf, len, ZMQ_DONTWAIT);
    free(buf);
}

void control_text_put(control_text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return;
    }
    char *grown = realloc(t->buf, t->len + (size_t)n + 1);
    if (!grown) {
        return;
    }
    t->buf = grown;
    va_start(ap, fmt);
    vsnprintf(t->buf + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void control_reply_view(control_ctx_t *c, const uint8_t *id, size_t id_len, control_text_t *t,
                        json_t *j)
{
    char *js = json_take(j);
    control_reply(c, id, id_len, CC_OK, NULL, t->buf ? t->buf : "", js, NULL, 0);
    free(js);
    free(t->buf);
    t->buf = NULL;
    t->len = 0;
}

static void s_reply(control_ctx_t *c, const uint8_t *id, size_t id_len, cc_code_t code,
                    const char *message, const char *text, const char *json)
{
    control_reply(c, id, id_len, code, message, text, json, NULL, 0);
}

static void s_fail(s_req_t *rq, cc_code_t code, const char *msg)
{
    s_reply(rq->c, rq->id, rq->id_len, code, msg, NULL, NULL);
    free(rq->claims);
    free(rq);
}

static void s_status(control_ctx_t *c, const uint8_t *id, size_t id_len)
{
    rpc_peer_stats_t st;
    char text[CONTROL_TEXT_MAX];
    char since[40];
    json_t j;
    uint64_t entries = ledger_count(c->ledger);
    rpc_peer_stats(c->peer, &st);
    clock_format(c->started_ms, since, sizeof since);
    snprintf(text, sizeof text,
             "organisation   %s\n"
             "federation     %s (%zu members)\n"
             "broker         %s (%s)\n"
             "serving        %s\n"
             "ledger         %llu entries in %s\n"
             "sent           %llu\n"
             "received       %llu\n"
             "rejected       %llu\n"
             "calls waiting  %llu\n"
             "unreceipted    %llu\n"
             "running since  %s\n",
             c->cfg->code, roster_federation(c->roster), roster_count(c->roster), c->cfg->broker,
             st.connected ? "connected" : "not connected", *c->failed ? "no (ledger failed)" : "yes",
             (unsigned long long)entries, c->cfg->ledger, (unsigned long long)st.sent,
             (unsigned long long)st.received, (unsigned long long)st.rejected,
             (unsigned long long)st.pending_calls, (unsigned long long)st.unreceipted, since);
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "organisation", c->cfg->code);
    json_str(&j, "federation", roster_federation(c->roster));
    json_u64(&j, "members", roster_count(c->roster));
    json_str(&j, "broker", c->cfg->broker);
    json_bool(&j, "connected", st.connected);
    json_bool(&j, "serving", !*c->failed);
    json_u64(&j, "ledger_entries", entries);
    json_u64(&j, "sent", st.sent);
    json_u64(&j, "received", st.received);
    json_u64(&j, "rejected", st.rejected);
    json_u64(&j, "calls_waiting", st.pending_calls);
    json_u64(&j, "unreceipted", st.unreceipted);
    json_str(&j, "running_since", since);
    json_obj_end(&j);
    char *js = json_take(&j);
    s_reply(c, id, id_len, CC_OK, NULL, text, js);
    free(js);
}

typedef struct {
    json_t *j;
    char *text;
    size_t text_len;
    uint64_t skip;
} s_ledger_list_t;

static const char *s_kind_word(int kind)
{
    return kind == CONCORD__V1__KIND__KIND_REQUEST ? "request"
           : kind == CONCORD__V1__KIND__KIND_EVENT ? "event"
                                                    : "reply";
}

static int s_ledger_row(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    s_ledger_list_t *ll = arg;
    char when[40];
    char line[256];
    if (ll->skip) {
        ll->skip--;
        return 0;
    }
    clock_format(e->stored_at_ms, when, sizeof when);
    json_obj_begin(ll->j, NULL);
    json_i64(ll->j, "id", e->id);
    json_str(ll->j, "direction", e->direction == LEDGER_IN ? "in" : "out");
    json_str(ll->j, "kind", s_kind_word(e->kind));
    json_str(ll->j, "method", e->method);
    json_str(ll->j, "sender", e->sender);
    json_str(ll->j, "recipient", e->recipient);
    json_u64(ll->j, "sequence", e->sequence);
    json_u64(ll->j, "log_index", e->log_index);
    json_hex(ll->j, "hash", e->hash, 32);
    json_str(ll->j, "stored_at", when);
    json_obj_end(ll->j);
    int n = snprintf(line, sizeof line, "%6lld %-3s %-7s %-28s %-10s -> %-10s seq %-6llu log %llu\n",
                     (long long)e->id, e->direction == LEDGER_IN ? "in" : "out",
                     s_kind_word(e->kind), e->method,
                     e->sender, e->recipient, (unsigned long long)e->sequence,
                     (unsigned long long)e->log_index);
    char *grown = realloc(ll->text, ll->text_len + (size_t)n + 1);
    if (grown) {
        ll->text = grown;
        memcpy(ll->text + ll->text_len, line, (size_t)n + 1);
        ll->text_len += (size_t)n;
    }
    return 0;
}

/* Lists the newest `limit` ledger entries (all when limit is 0). */
static void s_ledger(control_ctx_t *c, const uint8_t *id, size_t id_len, uint64_t limit)
{
    json_t j;
    cc_err_t err;
    uint64_t count = ledger_count(c->ledger);
    s_ledger_list_t ll = {.j = &j, .skip = limit && count > limit ? count - limit : 0};
    json_init(&j);
    json_arr_begin(&j, NULL);
    int rc = ledger_replay(c->ledger, s_ledger_row, &ll, &err);
    json_arr_end(&j);
    char *js = json_take(&j);
    if (rc < 0) {
        s_reply(c, id, id_len, err.code, err.msg, NULL, NULL);
    } else {
        s_reply(c, id, id_len, CC_OK, NULL, ll.text ? ll.text : "(ledger is empty)\n", js);
    }
    free(js);
    free(ll.text);
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
    const char *serving = h->status == CONCORD__V1__SERVING_STATUS__SERVING ? "SERVING"
                                                                          : "NOT_SERVING";
    char when[40], text[CONTROL_TEXT_MAX];
    char *chain = r->request_chain ? wire_hex(r->request_chain, 32) : NULL;
    double rtt_ms = (double)r->rtt_us / 1000.0;
    clock_format(r->request_time_ms, when, sizeof when);
    if (r->request_log_index) {
        snprintf(text, sizeof text,
                 "reply from %s: %s, round trip %.3f ms\n"
                 "broker receipt: log index %llu at %s\n"
                 "chain hash: %s\n",
                 h->code, serving, rtt_ms, (unsigned long long)r->request_log_index, when,
                 chain ? chain : "(none)");
    } else {
        /* Queries to the broker itself are answered directly, unlogged. */
        snprintf(text, sizeof text, "reply from %s: %s, round trip %.3f ms (direct, not logged)\n",
                 h->code, serving, rtt_ms);
    }
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_str(&j, "target", rq->target);
    json_str(&j, "responder", h->code);
    json_str(&j, "serving", serving);
    json_double(&j, "rtt_ms", rtt_ms, 3);
    json_u64(&j, "retries", (uint64_t)r->retries);
    json_u64(&j, "request_log_index", r->request_log_index);
    json_str(&j, "request_receipt_time", when);
    json_str(&j, "request_chain_hash", chain);
    json_u64(&j, "reply_log_index", r->reply_log_index);
    json_u64(&j, "responder_ledger_entries", h->ledger_entries);
    json_obj_end(&j);
    char *js = json_take(&j);
    s_reply(rq->c, rq->id, rq->id_len, CC_OK, NULL, text, js);
    free(js);
    free(chain);
    free(rq);
}

static void s_ping(s_req_t *rq)
{
    cc_err_t err;
    Concord__V1__HealthCheckRequest in = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    if (rpc_peer_call(rq->c->peer, rq->target, &concord__v1__health__descriptor, 0, &in.base,
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

/* Collects the (index, chain) pair of every receipt this node holds. */
static int s_collect_claim(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_req_t *rq = arg;
    if (!e->receipt) {
        return 0;
    }
    Concord__V1__Receipt *r = receipt_open(rq->c->roster, e->receipt, e->receipt_len, err);
    if (!r) {
        err_prefix(err, "receipt stored with ledger entry %lld", (long long)e->id);
        return -1;
    }
    s_claim_t *grown = realloc(rq->claims, (rq->n_claims + 1) * sizeof *grown);
    if (!grown) {
        wire_free(&r->base);
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    rq->claims = grown;
    rq->claims[rq->n_claims].index = r->log_index;
    memcpy(rq->claims[rq->n_claims].chain, r->chain_hash.data, 32);
    rq->n_claims++;
    wire_free(&r->base);
    return 0;
}

/* Checks that every receipt this node holds for index lies on the chain. */
static int s_check_claims(s_req_t *rq, uint64_t index, const uint8_t chain[32], char *why,
                          size_t why_len)
{
    s_claim_t key = {.index = index};
    /* A node that holds no receipt yet has no array at all (NULL). */
    s_claim_t *hit = rq->n_claims ? bsearch(&key, rq->claims, rq->n_claims, sizeof key, s_claim_cmp)
                                  : NULL;
    if (hit && memcmp(hit->chain, chain, 32) != 0) {
        snprintf(why, why_len,
                 "the broker's log at index %llu differs from the receipt this node holds for it",
                 (unsigned long long)index);
        return -1;
    }
    return 0;
}

static void s_verify_page(s_req_t *rq);

static void s_verify_finish(s_req_t *rq, const Concord__V1__LogReadResponse *resp)
{
    char why[CONTROL_TEXT_MAX];
    cc_err_t err;
    if (rq->next - 1 != rq->head_index) {
        snprintf(why, sizeof why, "log ended at %llu but the broker's head is %llu",
                 (unsigned long long)(rq->next - 1), (unsigned long long)rq->head_index);
        s_fail(rq, CC_DATA_LOSS, why);
        return;
    }
    if (rq->head_index) {
        Concord__V1__Receipt *head = resp->head ? receipt_open_pb(rq->c->roster, resp->head, &err)
                                                : NULL;
        int ok = head && head->log_index == rq->head_index &&
                 memcmp(head->chain_hash.data, rq->chain, 32) == 0;
        wire_free(head ? &head->base : NULL);
        if (!ok) {
            s_fail(rq, CC_DATA_LOSS, "the broker's signed head does not match its log");
            return;
        }
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
    char *chain = wire_hex(rq->chain, 32);
    char text[CONTROL_TEXT_MAX];
    snprintf(text, sizeof text,
             "broker log verified: %llu entries, every signature and chain link checked\n"
             "head chain hash: %s\n"
             "receipts held by %s: %zu, all on the chain\n",
             (unsigned long long)rq->head_index, chain ? chain : "?", rq->c->cfg->code,
             rq->n_claims);
    json_t j;
    json_init(&j);
    json_obj_begin(&j, NULL);
    json_bool(&j, "verified", 1);
    json_u64(&j, "entries", rq->head_index);
    json_str(&j, "head_chain_hash", chain);
    json_u64(&j, "receipts_checked", rq->n_claims);
    json_obj_end(&j);
    char *js = json_take(&j);
    s_reply(rq->c, rq->id, rq->id_len, CC_OK, NULL, text, js);
    free(js);
    free(chain);
    free(rq->claims);
    free(rq);
}

static void s_verify_done(const rpc_result_t *r, void *arg)
{
    s_req_t *rq = arg;
    char why[CONTROL_TEXT_MAX];
    if (r->code != CC_OK) {
        snprintf(why, sizeof why, "reading the broker's log: %s: %s", err_code_name(r->code),
                 r->message);
        s_fail(rq, r->code, why);
        return;
    }
    const Concord__V1__LogReadResponse *resp = (const Concord__V1__LogReadResponse *)r->response;
    /* The log may grow while it is read: follow the newest head, whose
     * signed receipt comes with the same answer. */
    rq->head_index = resp->head_index;
    for (size_t i = 0; i < resp->n_entries; i++) {
        const Concord__V1__LogEntry *e = resp->entries[i];
        uint8_t hash[32], chain[32];
        cc_err_t err;
        if (e->index != rq->next || e->chain_hash.len != 32) {
            snprintf(why, sizeof why, "log entry %llu missing or out of order (got %llu)",
                     (unsigned long long)rq->next, (unsigned long long)e->index);
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        envelope_hash(e->envelope.data, e->envelope.len, hash);
        receipt_chain(rq->chain, e->index, e->time_ms, hash, chain);
        if (memcmp(chain, e->chain_hash.data, 32) != 0) {
            snprintf(why, sizeof why, "chain broken at log index %llu",
                     (unsigned long long)e->index);
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        envelope_t *env =
            envelope_open_at(e->envelope.data, e->envelope.len, rq->c->roster, e->index, &err);
        if (!env) {
            snprintf(why, sizeof why, "log index %llu: %s", (unsigned long long)e->index,
                     err.msg);
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        envelope_destroy(&env);
        if (s_check_claims(rq, e->index, chain, why, sizeof why) < 0) {
            s_fail(rq, CC_DATA_LOSS, why);
            return;
        }
        memcpy(rq->chain, chain, 32);
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

static void s_log_verify(s_req_t *rq)
{
    cc_err_t err;
    if (ledger_replay(rq->c->ledger, s_collect_claim, rq, &err) < 0) {
        s_fail(rq, err.code, err.msg);
        return;
    }
    if (rq->n_claims) {
        qsort(rq->claims, rq->n_claims, sizeof *rq->claims, s_claim_cmp);
    }
    rq->next = 1;
    memset(rq->chain, 0, 32);
    s_verify_page(rq);
}

/* Parses an optional unsigned argument; returns 0 or -1. */
static int s_arg_u32(const Concord__V1__ControlRequest *req, size_t i, uint32_t *out)
{
    if (req->n_args <= i) {
        return 0;
    }
    char *end = NULL;
    unsigned long v = strtoul(req->args[i], &end, 10);
    if (!*req->args[i] || *end || v == 0 || v > 86400000UL) {
        return -1;
    }
    *out = (uint32_t)v;
    return 0;
}

static void s_dispatch(control_ctx_t *c, const uint8_t *id, size_t id_len,
                       const Concord__V1__ControlRequest *req)
{
    const char *cmd = req->command;
    if (strcmp(cmd, "status") == 0) {
        s_status(c, id, id_len);
        return;
    }
    if (strcmp(cmd, "ledger") == 0) {
        uint32_t limit = 0;
        if (s_arg_u32(req, 0, &limit) < 0) {
            s_reply(c, id, id_len, CC_INVALID_ARGUMENT, "ledger: limit must be a positive number",
                    NULL, NULL);
            return;
        }
        s_ledger(c, id, id_len, limit);
        return;
    }
    if (strcmp(cmd, "roster-show") == 0) {
        roster_view_reply(c, id, id_len);
        return;
    }
    if (strcmp(cmd, "ping") != 0 && strcmp(cmd, "log-verify") != 0) {
        if ((!c->boards || boards_control(c->boards, c, id, id_len, req) < 0) &&
            (!c->pools || pools_control(c->pools, c, id, id_len, req) < 0)) {
            s_reply(c, id, id_len, CC_UNIMPLEMENTED, "unknown control command", NULL, NULL);
        }
        return;
    }
    s_req_t *rq = calloc(1, sizeof *rq);
    if (!rq) {
        s_reply(c, id, id_len, CC_RESOURCE_EXHAUSTED, "out of memory", NULL, NULL);
        return;
    }
    rq->c = c;
    memcpy(rq->id, id, id_len);
    rq->id_len = id_len;
    rq->timeout_ms = c->cfg->call_timeout_ms;
    if (strcmp(cmd, "ping") == 0) {
        cc_err_t err;
        if (req->n_args < 1 || s_arg_u32(req, 1, &rq->timeout_ms) < 0) {
            s_fail(rq, CC_INVALID_ARGUMENT, "ping: expected an organisation code and an optional"
                                            " timeout in milliseconds");
            return;
        }
        if (keys_code_check(req->args[0], &err) < 0) {
            char msg[CC_ERR_MSG_MAX + 64];
            snprintf(msg, sizeof msg, "ping: '%.32s': %s", req->args[0], err.msg);
            s_fail(rq, CC_INVALID_ARGUMENT, msg);
            return;
        }
        snprintf(rq->target, sizeof rq->target, "%s", req->args[0]);
        s_ping(rq);
    } else {
        s_log_verify(rq);
    }
}

void control_handle(control_ctx_t *c)
{
    for (int n = 0; n < 64; n++) {
        zmq_msg_t parts[3];
        int got = 0, more = 1;
        while (more && got < 3) {
            zmq_msg_init(&parts[got]);
            if (zmq_msg_recv(&parts[got], c->socket, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&parts[got]);
                break;
            }
            more = zmq_msg_more(&parts[got]);
            got++;
        }
        if (got == 0) {
            return;
        }
        int too_long = more;
        while (more) { /* a request of more frames than any real one: drain it */
            zmq_msg_t extra;
            zmq_msg_init(&extra);
            if (zmq_msg_recv(&extra, c->socket, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&extra);
                break;
            }
            more = zmq_msg_more(&extra);
            zmq_msg_close(&extra);
        }
        if (got == 3 && !too_long && zmq_msg_size(&parts[0]) <= CONTROL_ID_MAX &&
            zmq_msg_size(&parts[1]) == 0) {
            cc_err_t err;
            Concord__V1__ControlRequest *req = (Concord__V1__ControlRequest *)wire_unpack(
                &concord__v1__control_request__descriptor, zmq_msg_data(&parts[2]),
                zmq_msg_size(&parts[2]), WIRE_MAX_FRAME, &err);
            if (req) {
                s_dispatch(c, zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0]), req);
                wire_free(&req->base);
            } else {
                s_reply(c, zmq_msg_data(&parts[0]), zmq_msg_size(&parts[0]),
                        CC_INVALID_ARGUMENT, err.msg, NULL, NULL);
            }
        } else {
            log_warn("malformed control request ignored");
        }
        for (int i = 0; i < got; i++) {
            zmq_msg_close(&parts[i]);
        }
    }
}
