/* fuzz_certificate: the decision certificate verifier (certificate_verify),
 * as `concord verify` runs it on a file anyone may hand over, against the
 * fixed federation's roster.
 *
 * The first byte picks how the rest is used:
 *   0  a packed SignedCertificate, as the file holds it;
 *   1  a packed DecisionCertificate that the target signs as organisation
 *      data[1] (so the checks after the outer signature are reached);
 *   2  the same, but the target also puts the trusted roster in, re-signs
 *      every event's envelope with its signer's key and every receipt
 *      with the broker's key (pointing it at its envelope), so hostile
 *      events reach the board rules and the tally comparison.
 * What must hold: no crash, leak or undefined behaviour, and a certificate
 * that verifies yields a complete report. */
#include <stdlib.h>
#include <string.h>

#include "board.pb-c.h"
#include "certificate.h"
#include "envelope.h"
#include "fixture.h"
#include "receipt.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

/* Outer signature, as certificate_build makes it. */
static int s_sign(const keys_t *k, const uint8_t *cert, size_t len, uint8_t **out, size_t *out_len)
{
    uint8_t sig[KEYS_SIG_LEN];
    Concord__V1__SignedCertificate sc = CONCORD__V1__SIGNED_CERTIFICATE__INIT;
    if (keys_sign(k, CERTIFICATE_DOMAIN, cert, len, sig, NULL) < 0) {
        return -1;
    }
    sc.certificate.data = (uint8_t *)cert;
    sc.certificate.len = len;
    sc.signer = (char *)keys_code(k);
    sc.signature.data = sig;
    sc.signature.len = sizeof sig;
    return wire_pack(&sc.base, CERTIFICATE_MAX, out, out_len, NULL);
}

/* Re-signs one event in place: its envelope by its signer (when that is
 * one of ours) and its receipt by the broker, naming the new envelope.
 * The replaced buffers are kept in *keep for freeing. */
static void s_resign_event(Concord__V1__CertifiedEnvelope *ce, uint8_t **keep)
{
    uint8_t *env = NULL, *rcpt = NULL;
    size_t env_len = 0, rcpt_len = 0;
    Concord__V1__Envelope *e =
        (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, ce->envelope.data,
                                             ce->envelope.len, WIRE_MAX_FRAME, NULL);
    const keys_t *k = e ? fixture_find(e->signer) : NULL;
    if (k && fixture_seal(k, e->signed_.data, e->signed_.len, &env, &env_len) == 0) {
        ce->envelope.data = env;
        ce->envelope.len = env_len;
        keep[0] = env;
    }
    wire_free(e ? &e->base : NULL);
    Concord__V1__SignedReceipt *sr = (Concord__V1__SignedReceipt *)wire_unpack(
        &concord__v1__signed_receipt__descriptor, ce->receipt.data, ce->receipt.len, WIRE_MAX_FRAME,
        NULL);
    Concord__V1__Receipt *r = sr ? (Concord__V1__Receipt *)wire_unpack(
                                       &concord__v1__receipt__descriptor, sr->receipt.data,
                                       sr->receipt.len, WIRE_MAX_FRAME, NULL)
                                 : NULL;
    if (r) {
        uint8_t hash[32];
        uint8_t *decoded = r->envelope_hash.data;
        envelope_hash(ce->envelope.data, ce->envelope.len, hash);
        if (r->envelope_hash.len == 32) {
            r->envelope_hash.data = hash;
        }
        if (receipt_sign(fixture_broker(), r, &rcpt, &rcpt_len, NULL) == 0) {
            ce->receipt.data = rcpt;
            ce->receipt.len = rcpt_len;
            keep[1] = rcpt;
        }
        r->envelope_hash.data = decoded; /* the decoder's, to free */
    }
    wire_free(r ? &r->base : NULL);
    wire_free(sr ? &sr->base : NULL);
}

/* Mode 2: the inner certificate made consistent with the fixture. The
 * decoder's own buffers are put back before the message is freed. */
static int s_resign_all(const uint8_t *buf, size_t len, uint8_t **out, size_t *out_len)
{
    int rc = -1;
    size_t roster_len;
    uint8_t **keep = NULL;
    ProtobufCBinaryData *saved = NULL, roster;
    Concord__V1__DecisionCertificate *dc = (Concord__V1__DecisionCertificate *)wire_unpack(
        &concord__v1__decision_certificate__descriptor, buf, len, CERTIFICATE_MAX, NULL);
    if (!dc || !(keep = calloc(2 * dc->n_events + 1, sizeof *keep)) ||
        !(saved = calloc(2 * dc->n_events + 1, sizeof *saved))) {
        goto out;
    }
    roster = dc->roster;
    dc->roster.data = (uint8_t *)fixture_roster_bytes(&roster_len);
    dc->roster.len = roster_len;
    for (size_t i = 0; i < dc->n_events; i++) {
        saved[2 * i] = dc->events[i]->envelope;
        saved[2 * i + 1] = dc->events[i]->receipt;
        s_resign_event(dc->events[i], keep + 2 * i);
    }
    rc = wire_pack(&dc->base, CERTIFICATE_MAX, out, out_len, NULL);
    dc->roster = roster;
    for (size_t i = 0; i < dc->n_events; i++) {
        dc->events[i]->envelope = saved[2 * i];
        dc->events[i]->receipt = saved[2 * i + 1];
        free(keep[2 * i]);
        free(keep[2 * i + 1]);
    }
out:
    free(keep);
    free(saved);
    wire_free(dc ? &dc->base : NULL);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *signed_cert = NULL, *inner = NULL;
    size_t signed_len = 0, inner_len = 0;
    certificate_report_t rep;
    cc_err_t err;
    int rc = -1;
    if (size < 2) {
        return 0;
    }
    if (data[0] == 0) {
        rc = certificate_verify(data + 1, size - 1, fixture_roster(), &rep, &err);
    } else if (data[0] == 1) {
        if (s_sign(fixture_keys(data[1]), data + 2, size - 2, &signed_cert, &signed_len) == 0) {
            rc = certificate_verify(signed_cert, signed_len, fixture_roster(), &rep, &err);
        }
    } else if (s_resign_all(data + 2, size - 2, &inner, &inner_len) == 0 &&
               s_sign(fixture_keys(data[1]), inner, inner_len, &signed_cert, &signed_len) == 0) {
        rc = certificate_verify(signed_cert, signed_len, fixture_roster(), &rep, &err);
    }
    if (rc == 0) {
        if (!rep.explanation || !rep.ballot_lines || !rep.outcome[0] || !rep.board_id[0]) {
            abort();
        }
        certificate_report_free(&rep);
    } else if (rc < 0 && (data[0] == 0 || signed_cert) && !err.msg[0]) {
        abort(); /* every refusal names the failed check */
    }
    free(signed_cert);
    free(inner);
    return 0;
}
