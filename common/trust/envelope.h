/* SPDX-License-Identifier: Apache-2.0 */
/* envelope: sealing (sign) and opening (verify, then decode) the signed
 * envelopes that carry every call and reply between organisations.
 *
 * What is signed: "concord/v1/envelope" NUL || Envelope.signed, where
 * Envelope.signed is a packed Signed{Header, body}. Receivers verify the
 * bytes they received and only then unpack them; and the bytes must be the
 * canonical encoding of what they decode to (PROTOCOL.md 2.1), so that every
 * implementation reads them the same way. envelope_open fails closed: it never returns a partly
 * checked envelope. */
#ifndef CONCORD_ENVELOPE_H
#define CONCORD_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.pb-c.h"
#include "err.h"
#include "keys.h"
#include "roster.h"

#define ENVELOPE_DOMAIN "concord/v1/envelope"
#define ENVELOPE_VERSION 2
#define ENVELOPE_MAX (1024u * 1024u - 1024u) /* leaves room for link framing */
#define ENVELOPE_CALL_ID_LEN 16
#define ENVELOPE_METHOD_MAX 128
#define ENVELOPE_STATUS_MSG_MAX 1024
#define ENVELOPE_EVERYONE "*"   /* recipient of events for every member */
/* Recipient of events for the members of one board: "board:" then the
 * board id ([A-Za-z0-9-], 2..32), PROTOCOL.md "Audiences". */
#define ENVELOPE_BOARD_PREFIX "board:"
#define ENVELOPE_BOARD_PREFIX_LEN 6
#define ENVELOPE_AUDIENCE_MAX (ENVELOPE_BOARD_PREFIX_LEN + 32)
/* Largest body of an envelope that goes through the broker's log, which
 * takes envelopes up to ENVELOPE_MAX / 2 (so that each fits, alone, in a
 * Log/Read answer), less room for the header and signature. */
#define ENVELOPE_BODY_MAX (ENVELOPE_MAX / 2 - 8192)

/* What the sender states in a header (sender is always the signer). */
typedef struct {
    uint8_t call_id[ENVELOPE_CALL_ID_LEN];
    const char *method;      /* "concord.v1.Health/Check" */
    const char *recipient;   /* organisation code, "broker", or for an event "*" or
                              * "board:ID" */
    uint64_t sent_at_ms;
    uint64_t deadline_ms;    /* 0: none */
    uint64_t sequence;       /* >= 1 */
    int kind;                /* CONCORD__V1__KIND__KIND_REQUEST, _REPLY or _EVENT */
    cc_code_t status;        /* replies */
    const char *status_msg;  /* replies; may be NULL */
    const uint8_t *person_sig; /* KEYS_SIG_LEN bytes: a person's signature of an act
                                * (Envelope.person_signature, PROTOCOL.md 16.13); NULL: none */
} envelope_meta_t;

/* An opened (verified and decoded) envelope. All fields are owned by it. */
typedef struct {
    const Concord__V1__Header *header;
    const uint8_t *body;
    size_t body_len;
    const uint8_t *raw;      /* the packed Envelope exactly as received */
    size_t raw_len;
    uint8_t hash[32];        /* SHA-256 of raw */
    const uint8_t *person_sig; /* KEYS_SIG_LEN bytes, or NULL: Envelope.person_signature */
    void *priv_;             /* decoder state; not for callers */
} envelope_t;

/* The board id of an audience recipient "board:ID", or NULL for any
 * other recipient. */
const char *envelope_board_of(const char *recipient);

/* Whether an event addressed to recipient is for this member: "*", its
 * own code, or a board audience (the broker delivers those only to the
 * board's members, PROTOCOL.md "Audiences"). */
int envelope_event_for(const char *recipient, const char *code);

/* Builds, signs and packs an envelope from k with header m and body.
 * Checks m (method form, recipient code, sequence >= 1, kind) and sizes.
 * On success *out is a malloc'd packed Envelope the caller frees. Returns
 * 0 or -1 with err set. */
int envelope_seal(const keys_t *k, const envelope_meta_t *m, const uint8_t *body,
                  size_t body_len, uint8_t **out, size_t *out_len, cc_err_t *err);

/* Verifies and decodes len bytes. In order: size (empty: INVALID_ARGUMENT;
 * over ENVELOPE_MAX: RESOURCE_EXHAUSTED), Envelope decode, signature length,
 * signer known to the roster (else UNAUTHENTICATED "unknown sender"),
 * signature (else UNAUTHENTICATED "bad signature"), then the Signed decode
 * and header checks: version, sender == signer, call id length, method
 * form, recipient code, kind, sequence. Returns an envelope the caller
 * destroys, or NULL with err set. */
envelope_t *envelope_open(const uint8_t *buf, size_t len, const roster_t *roster, cc_err_t *err);

/* As envelope_open, judging the signer by the roster as it stood at
 * log_index (0: now): an envelope logged before a key rotation verifies
 * with the old key, one after it only with the new. A signature by a
 * retired key is refused UNAUTHENTICATED with a reason naming the
 * rotation or merger. */
envelope_t *envelope_open_at(const uint8_t *buf, size_t len, const roster_t *roster,
                             uint64_t log_index, cc_err_t *err);

/* As envelope_open, but against one known public key (for test vectors and
 * offline tools); signer must equal expected_code. */
envelope_t *envelope_open_with_key(const uint8_t *buf, size_t len, const char *expected_code,
                                   const uint8_t pk[KEYS_PK_LEN], cc_err_t *err);

void envelope_destroy(envelope_t **e);

/* The message a body of method carries for kind (KIND_REQUEST or
 * KIND_EVENT: the request or event; KIND_REPLY: the reply), for every
 * method PROTOCOL.md defines; NULL for any other method, or a method with
 * no reply. envelope_open checks the text of such a body (wire_check_text). */
const ProtobufCMessageDescriptor *envelope_body_descriptor(const char *method, int kind);

/* SHA-256 of buf. */
void envelope_hash(const uint8_t *buf, size_t len, uint8_t out[32]);

/* Fills call_id with 16 random bytes. */
void envelope_new_call_id(uint8_t call_id[ENVELOPE_CALL_ID_LEN]);

#endif
