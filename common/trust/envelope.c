/* SPDX-License-Identifier: Apache-2.0 */
/* envelope: seal (build, sign, pack) and open (verify, then unpack). */
#include "envelope.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "board.pb-c.h"
#include "people.pb-c.h"
#include "health.pb-c.h"
#include "log.pb-c.h"
#include "pool.pb-c.h"
#include "wire.h"

/* Decoder state behind envelope_t.priv_. */
typedef struct {
    Concord__V1__Signed *signed_msg;
    uint8_t *raw;
    uint8_t person_sig[KEYS_SIG_LEN];
} s_priv_t;

/* The body of every method of the protocol, by kind: what a request or
 * event carries (in) and what a reply carries (out; NULL: none). */
static const struct {
    const char *method;
    const ProtobufCMessageDescriptor *in, *out;
} s_bodies[] = {
    {"concord.v1.Health/Check", &concord__v1__health_check_request__descriptor,
     &concord__v1__health_check_response__descriptor},
    {"concord.v1.Reflection/ListMethods", &concord__v1__list_methods_request__descriptor,
     &concord__v1__list_methods_response__descriptor},
    {"concord.v1.Log/Read", &concord__v1__log_read_request__descriptor,
     &concord__v1__log_read_response__descriptor},
    {"concord.v1.Board/Propose", &concord__v1__proposal__descriptor, NULL},
    {"concord.v1.Board/Vote", &concord__v1__ballot__descriptor, NULL},
    {"concord.v1.Board/Ratify", &concord__v1__ratification__descriptor, NULL},
    {"concord.v1.Board/CallIn", &concord__v1__call_in__descriptor, NULL},
    {"concord.v1.Board/Delegation", &concord__v1__delegation_record__descriptor, NULL},
    {"concord.v1.Board/Release", &concord__v1__release__descriptor, NULL},
    {"concord.v1.Board/Person", &concord__v1__person__descriptor, NULL},
    {"concord.v1.Board/PersonRevoke", &concord__v1__person_revocation__descriptor, NULL},
    {"concord.v1.Board/Interest", &concord__v1__interest__descriptor, NULL},
    {"concord.v1.Board/Declare", &concord__v1__declaration__descriptor, NULL},
    {"concord.v1.Board/Meeting", &concord__v1__meeting__descriptor, NULL},
    {"concord.v1.Board/Agenda", &concord__v1__agenda_addition__descriptor, NULL},
    {"concord.v1.Board/Attendance", &concord__v1__attendance__descriptor, NULL},
    {"concord.v1.Board/Minutes", &concord__v1__minutes_approval__descriptor, NULL},
    {"concord.v1.Board/ForwardPlan", &concord__v1__forward_plan_entry__descriptor, NULL},
    {"concord.v1.Pool/Execute", &concord__v1__execution__descriptor, NULL},
    {"concord.v1.Pool/Pledge", &concord__v1__pledge__descriptor, NULL},
    {"concord.v1.Pool/Outturn", &concord__v1__outturn__descriptor, NULL},
    {"concord.v1.Pool/Statement", &concord__v1__pool_statement__descriptor, NULL},
    {"concord.v1.Bcf/Plan", &concord__v1__bcf_plan__descriptor, NULL},
    {"concord.v1.Bcf/Sign", &concord__v1__bcf_signoff__descriptor, NULL},
};

const ProtobufCMessageDescriptor *envelope_body_descriptor(const char *method, int kind)
{
    for (size_t i = 0; method && i < sizeof s_bodies / sizeof s_bodies[0]; i++) {
        if (strcmp(method, s_bodies[i].method) == 0) {
            return kind == CONCORD__V1__KIND__KIND_REPLY ? s_bodies[i].out : s_bodies[i].in;
        }
    }
    return NULL;
}

/* Method names are "package.Service/Method": the form a gRPC client
 * expects, and nothing a log line or a path could misread. */
static int s_method_check(const char *method, cc_err_t *err)
{
    size_t n = strnlen(method, ENVELOPE_METHOD_MAX + 1);
    const char *slash = strchr(method, '/');
    size_t i;

    if (n == 0 || n > ENVELOPE_METHOD_MAX || slash == NULL || slash == method || slash[1] == '\0') {
        err_set(err, CC_INVALID_ARGUMENT,
                "method must be 'package.Service/Method', at most %d characters",
                ENVELOPE_METHOD_MAX);
        return -1;
    }
    for (i = 0; i < n; i++) {
        char c = method[i];
        int alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (&method[i] == slash) {
            continue;
        }
        if (!alnum && c != '_' && !(c == '.' && &method[i] < slash)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "method may hold only [A-Za-z0-9_.] before the '/' and [A-Za-z0-9_] after");
            return -1;
        }
    }
    return 0;
}

static int s_kind_check(int kind, cc_err_t *err)
{
    if (kind != CONCORD__V1__KIND__KIND_REQUEST && kind != CONCORD__V1__KIND__KIND_REPLY &&
        kind != CONCORD__V1__KIND__KIND_EVENT) {
        err_set(err, CC_INVALID_ARGUMENT, "kind %d is not REQUEST, REPLY or EVENT", kind);
        return -1;
    }
    return 0;
}

const char *envelope_board_of(const char *recipient)
{
    if (!recipient ||
        strncmp(recipient, ENVELOPE_BOARD_PREFIX, ENVELOPE_BOARD_PREFIX_LEN) != 0) {
        return NULL;
    }
    const char *id = recipient + ENVELOPE_BOARD_PREFIX_LEN;
    size_t n = strlen(id);
    if (n < 2 || n > ENVELOPE_AUDIENCE_MAX - ENVELOPE_BOARD_PREFIX_LEN) {
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-')) {
            return NULL;
        }
    }
    return id;
}

int envelope_event_for(const char *recipient, const char *code)
{
    return strcmp(recipient, ENVELOPE_EVERYONE) == 0 || strcmp(recipient, code) == 0 ||
           envelope_board_of(recipient) != NULL;
}

/* The header checks shared by seal and open. */
static int s_fields_check(const char *method, const char *recipient, uint64_t sequence, int kind,
                          cc_err_t *err)
{
    if (s_method_check(method, err) != 0) {
        return -1;
    }
    if (s_kind_check(kind, err) != 0) {
        return -1;
    }
    /* "*" (every member) is only for one-way events: a request to
     * everyone would draw a reply storm. */
    if (strcmp(recipient, ENVELOPE_EVERYONE) == 0) {
        if (kind != CONCORD__V1__KIND__KIND_EVENT) {
            err_set(err, CC_INVALID_ARGUMENT, "recipient \"*\" is only for events");
            return -1;
        }
    } else if (strncmp(recipient, ENVELOPE_BOARD_PREFIX, ENVELOPE_BOARD_PREFIX_LEN) == 0) {
        /* A board's audience, like "*", only for one-way events. */
        if (kind != CONCORD__V1__KIND__KIND_EVENT) {
            err_set(err, CC_INVALID_ARGUMENT, "recipient \"%.40s\" is only for events",
                    recipient);
            return -1;
        }
        if (!envelope_board_of(recipient)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "recipient \"%.40s\" must be \"board:\" then a board id of 2..32 "
                    "characters [A-Za-z0-9-]",
                    recipient);
            return -1;
        }
    } else if (keys_code_check(recipient, err) != 0) {
        err_prefix(err, "recipient: ");
        return -1;
    }
    /* Sequences start at 1 so that 0 can mean "nothing seen yet". */
    if (sequence == 0) {
        err_set(err, CC_INVALID_ARGUMENT, "sequence must be at least 1");
        return -1;
    }
    /* Stores keep sequences as signed 64-bit integers. */
    if (sequence > (uint64_t)INT64_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "sequence is above 2^63 - 1");
        return -1;
    }
    return 0;
}

int envelope_seal(const keys_t *k, const envelope_meta_t *m, const uint8_t *body, size_t body_len,
                  uint8_t **out, size_t *out_len, cc_err_t *err)
{
    Concord__V1__Envelope env = CONCORD__V1__ENVELOPE__INIT;
    Concord__V1__Signed sig_msg = CONCORD__V1__SIGNED__INIT;
    Concord__V1__Header h = CONCORD__V1__HEADER__INIT;
    Concord__V1__Status st = CONCORD__V1__STATUS__INIT;
    uint8_t sig[KEYS_SIG_LEN];
    uint8_t *signed_buf = NULL;
    size_t signed_len = 0;
    int rc = -1;

    assert(k != NULL && m != NULL && out != NULL && out_len != NULL);
    assert(body != NULL || body_len == 0);
    *out = NULL;
    *out_len = 0;
    if (m->method == NULL || m->recipient == NULL) {
        err_set(err, CC_INVALID_ARGUMENT, "method and recipient are required");
        goto out;
    }
    if (s_fields_check(m->method, m->recipient, m->sequence, m->kind, err) != 0) {
        goto out;
    }
    if ((int)m->status < 0 || m->status > CC_UNAUTHENTICATED ||
        (m->status_msg != NULL && strlen(m->status_msg) > ENVELOPE_STATUS_MSG_MAX)) {
        err_set(err, CC_INVALID_ARGUMENT, "bad status code or status message over %d bytes",
                ENVELOPE_STATUS_MSG_MAX);
        goto out;
    }
    if (body_len > ENVELOPE_MAX) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "body of %zu bytes is over the limit of %u", body_len,
                ENVELOPE_MAX);
        goto out;
    }
    h.version = ENVELOPE_VERSION;
    h.call_id.len = ENVELOPE_CALL_ID_LEN;
    h.call_id.data = (uint8_t *)m->call_id;
    h.method = (char *)m->method;
    h.sender = (char *)keys_code(k);
    h.recipient = (char *)m->recipient;
    h.sent_at_ms = m->sent_at_ms;
    h.deadline_ms = m->deadline_ms;
    h.sequence = m->sequence;
    h.kind = (Concord__V1__Kind)m->kind;
    if (m->kind == CONCORD__V1__KIND__KIND_REPLY) {
        st.code = (Concord__V1__StatusCode)m->status;
        st.message = (char *)(m->status_msg != NULL ? m->status_msg : "");
        h.status = &st;
    }
    sig_msg.header = &h;
    sig_msg.body.len = body_len;
    sig_msg.body.data = (uint8_t *)body;
    if (wire_pack(&sig_msg.base, ENVELOPE_MAX, &signed_buf, &signed_len, err) != 0 ||
        keys_sign(k, ENVELOPE_DOMAIN, signed_buf, signed_len, sig, err) != 0) {
        goto out;
    }
    env.signed_.len = signed_len;
    env.signed_.data = signed_buf;
    env.signature.len = KEYS_SIG_LEN;
    env.signature.data = sig;
    env.signer = (char *)keys_code(k);
    if (m->person_sig) {
        env.person_signature.len = KEYS_SIG_LEN;
        env.person_signature.data = (uint8_t *)m->person_sig;
    }
    rc = wire_pack(&env.base, ENVELOPE_MAX, out, out_len, err);
out:
    free(signed_buf);
    return rc;
}

/* Checks the decoded header against the already verified signer. */
static int s_header_check(const Concord__V1__Header *h, const char *signer, cc_err_t *err)
{
    if (h == NULL) {
        err_set(err, CC_INVALID_ARGUMENT, "envelope has no header");
        return -1;
    }
    if (h->version != ENVELOPE_VERSION) {
        err_set(err, CC_INVALID_ARGUMENT, "unsupported protocol version %u", h->version);
        return -1;
    }
    /* The signer field is outside the signature; only this check ties
     * the signed header to the key that verified it. */
    if (strcmp(h->sender, signer) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "header sender does not match signer %s", signer);
        return -1;
    }
    if (h->call_id.len != ENVELOPE_CALL_ID_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "call id is %zu bytes, not %d", h->call_id.len,
                ENVELOPE_CALL_ID_LEN);
        return -1;
    }
    if (s_fields_check(h->method, h->recipient, h->sequence, (int)h->kind, err) != 0) {
        return -1;
    }
    if (h->status != NULL &&
        ((int)h->status->code < 0 || h->status->code > (int)CC_UNAUTHENTICATED ||
         strlen(h->status->message) > ENVELOPE_STATUS_MSG_MAX)) {
        err_set(err, CC_INVALID_ARGUMENT, "malformed status");
        return -1;
    }
    return 0;
}

/* The one opening path. With a roster, the signer's key comes from it;
 * otherwise signer must be expected_code and the key is pk. */
/* The signed bytes must be exactly what re-encoding their decoded form
 * gives. That leaves one reading of every signed envelope in every
 * language: no NUL hidden inside a string (which C would cut short), no
 * repeated or reordered fields, no unknown fields, no explicit defaults. */
static int s_canonical(const ProtobufCMessage *m, const uint8_t *bytes, size_t len,
                       cc_err_t *err)
{
    uint8_t *again = NULL;
    size_t again_len = 0;
    if (wire_pack(m, ENVELOPE_MAX, &again, &again_len, err) != 0) {
        return -1;
    }
    /* Empty signed bytes arrive as NULL, which memcmp must not see. */
    int same = again_len == len && (len == 0 || memcmp(again, bytes, len) == 0);
    free(again);
    /* protobuf-c keeps unknown fields and writes them back unchanged, so
     * they are refused separately: version 1 has none. */
    const Concord__V1__Signed *sm = (const Concord__V1__Signed *)m;
    if (sm->base.n_unknown_fields || (sm->header && sm->header->base.n_unknown_fields) ||
        (sm->header && sm->header->status && sm->header->status->base.n_unknown_fields)) {
        same = 0;
    }
    if (!same) {
        err_set(err, CC_INVALID_ARGUMENT,
                "signed bytes are not in canonical form (PROTOCOL.md section 2.1)");
        return -1;
    }
    return 0;
}

/* Why a signer's keys at log index `at` do not verify, when keys it held
 * at another position would: named, so that an operator sees a rotated
 * or merged-away key rather than a forgery. */
static void s_explain(const roster_t *roster, const Concord__V1__Envelope *env, uint64_t at,
                      cc_err_t *err)
{
    for (size_t i = 0; i < roster_past_count(roster); i++) {
        roster_past_t p;
        roster_past_at(roster, i, &p);
        if (strcmp(p.org.code, env->signer) != 0 || p.until_index >= at ||
            keys_verify(p.org.sign_pk, ENVELOPE_DOMAIN, env->signed_.data, env->signed_.len,
                        env->signature.data, NULL) != 0) {
            continue;
        }
        if (p.successor[0]) {
            err_set(err, CC_UNAUTHENTICATED,
                    "%s merged into %s after log index %llu and can no longer sign", p.org.code,
                    p.successor, (unsigned long long)p.until_index);
        } else {
            err_set(err, CC_UNAUTHENTICATED,
                    "signed with a key of %s retired by a key rotation after log index %llu;"
                    " it now signs with its new key",
                    p.org.code, (unsigned long long)p.until_index);
        }
        return;
    }
}

/* The signer must be a member at `at` whose key at that position made
 * the signature. */
static int s_signer_check(const roster_t *roster, const Concord__V1__Envelope *env, uint64_t at,
                          cc_err_t *err)
{
    roster_org_t org;
    if (roster_lookup_at(roster, env->signer, at, &org) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "unknown sender %s", env->signer);
        s_explain(roster, env, at, err);
        return -1;
    }
    if (keys_verify(org.sign_pk, ENVELOPE_DOMAIN, env->signed_.data, env->signed_.len,
                    env->signature.data, err) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "bad signature from %s", env->signer);
        s_explain(roster, env, at, err);
        return -1;
    }
    return 0;
}

static envelope_t *s_open(const uint8_t *buf, size_t len, const roster_t *roster, uint64_t at,
                          const char *expected_code, const uint8_t *pk, cc_err_t *err)
{
    static const uint8_t empty_body[1];
    Concord__V1__Envelope *env = NULL;
    Concord__V1__Signed *sm = NULL;
    envelope_t *e = NULL;
    s_priv_t *priv = NULL;
    uint8_t *raw = NULL;

    if (buf == NULL || len == 0) {
        err_set(err, CC_INVALID_ARGUMENT, "empty envelope");
        goto out;
    }
    if (len > ENVELOPE_MAX) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "envelope of %zu bytes is over the limit of %u", len,
                ENVELOPE_MAX);
        goto out;
    }
    env = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, buf, len,
                                               ENVELOPE_MAX, err);
    if (env == NULL) {
        goto out;
    }
    if (env->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_UNAUTHENTICATED, "signature is %zu bytes, not %d", env->signature.len,
                KEYS_SIG_LEN);
        goto out;
    }
    if (env->person_signature.len != 0 && env->person_signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "a person's signature is %zu bytes, not %d",
                env->person_signature.len, KEYS_SIG_LEN);
        goto out;
    }
    /* The signer is checked as a code first so that only well-formed
     * text ever reaches a lookup or an error message. */
    if (keys_code_check(env->signer, NULL) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "unknown sender (malformed signer)");
        goto out;
    }
    if (roster != NULL ? s_signer_check(roster, env, at, err) != 0
                       : strcmp(env->signer, expected_code) != 0) {
        if (roster == NULL) {
            err_set(err, CC_UNAUTHENTICATED, "unknown sender %s", env->signer);
        }
        goto out;
    }
    if (roster == NULL && keys_verify(pk, ENVELOPE_DOMAIN, env->signed_.data, env->signed_.len,
                                      env->signature.data, err) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "bad signature from %s", env->signer);
        goto out;
    }
    /* Only now, with the bytes authenticated, is the content decoded. */
    sm = (Concord__V1__Signed *)wire_unpack(&concord__v1__signed__descriptor, env->signed_.data,
                                            env->signed_.len, ENVELOPE_MAX, err);
    if (sm == NULL || s_canonical(&sm->base, env->signed_.data, env->signed_.len, err) != 0 ||
        s_header_check(sm->header, env->signer, err) != 0) {
        goto out;
    }
    /* The body of a method the protocol defines: every string in it is
     * UTF-8 with no NUL, as in the header (PROTOCOL.md 2.2), so that no
     * two implementations read one signed body two ways. */
    const ProtobufCMessageDescriptor *bd =
        envelope_body_descriptor(sm->header->method, (int)sm->header->kind);
    if (bd && wire_check_text(bd, sm->body.data, sm->body.len, err) != 0) {
        goto out;
    }
    e = calloc(1, sizeof *e);
    priv = calloc(1, sizeof *priv);
    raw = malloc(len);
    if (e == NULL || priv == NULL || raw == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        free(e);
        free(priv);
        free(raw);
        e = NULL;
        goto out;
    }
    memcpy(raw, buf, len);
    e->header = sm->header;
    e->body = sm->body.len > 0 ? sm->body.data : empty_body;
    e->body_len = sm->body.len;
    e->raw = raw;
    e->raw_len = len;
    envelope_hash(raw, len, e->hash);
    priv->signed_msg = sm;
    priv->raw = raw;
    if (env->person_signature.len == KEYS_SIG_LEN) {
        memcpy(priv->person_sig, env->person_signature.data, KEYS_SIG_LEN);
        e->person_sig = priv->person_sig;
    }
    e->priv_ = priv;
    sm = NULL;
out:
    wire_free((ProtobufCMessage *)sm);
    wire_free((ProtobufCMessage *)env);
    return e;
}

envelope_t *envelope_open(const uint8_t *buf, size_t len, const roster_t *roster, cc_err_t *err)
{
    assert(roster != NULL);
    return s_open(buf, len, roster, ROSTER_NOW, NULL, NULL, err);
}

envelope_t *envelope_open_at(const uint8_t *buf, size_t len, const roster_t *roster,
                             uint64_t log_index, cc_err_t *err)
{
    assert(roster != NULL);
    return s_open(buf, len, roster, log_index ? log_index : ROSTER_NOW, NULL, NULL, err);
}

envelope_t *envelope_open_with_key(const uint8_t *buf, size_t len, const char *expected_code,
                                   const uint8_t pk[KEYS_PK_LEN], cc_err_t *err)
{
    assert(expected_code != NULL && pk != NULL);
    return s_open(buf, len, NULL, ROSTER_NOW, expected_code, pk, err);
}

void envelope_destroy(envelope_t **e)
{
    s_priv_t *priv;

    if (e == NULL || *e == NULL) {
        return;
    }
    priv = (*e)->priv_;
    if (priv != NULL) {
        wire_free((ProtobufCMessage *)priv->signed_msg);
        free(priv->raw);
        free(priv);
    }
    free(*e);
    *e = NULL;
}

void envelope_hash(const uint8_t *buf, size_t len, uint8_t out[32])
{
    assert((buf != NULL || len == 0) && out != NULL);
    crypto_hash_sha256(out, buf, len);
}

void envelope_new_call_id(uint8_t call_id[ENVELOPE_CALL_ID_LEN])
{
    /* sodium_init only fails when the system has no usable randomness,
     * and a call id must never be predictable. */
    if (sodium_init() < 0) {
        abort();
    }
    randombytes_buf(call_id, ENVELOPE_CALL_ID_LEN);
}
