/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_certificate: the certificate verifiers, as `concord verify`
 * (certificate_verify, decision certificates) and `concord pool verify`
 * (statement_verify, a host's signed year-end statement) run them on a
 * file anyone may hand over, against the fixed federation's roster.
 *
 * The first byte picks how the rest is used (modulo 6):
 *   0  a packed SignedCertificate of a decision, as the file holds it;
 *   1  a packed DecisionCertificate that the target signs as organisation
 *      data[1] (so the checks after the outer signature are reached);
 *   2  the same, but the target also puts the trusted roster in, re-signs
 *      every event's envelope with its signer's key and every receipt
 *      with the broker's key (pointing it at its envelope), so hostile
 *      events reach the board rules and the tally comparison;
 *   3, 4, 5  the same three for a statement certificate
 *      (StatementCertificate), so hostile events reach the board and pool
 *      engines and the statement comparison.
 * What must hold: no crash, leak or undefined behaviour; a certificate
 * that verifies yields a complete report; every refusal names its check. */
#include <stdlib.h>
#include <string.h>

#include "board.pb-c.h"
#include "certificate.h"
#include "envelope.h"
#include "fixture.h"
#include "merkle.h"
#include "receipt.h"
#include "statement.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
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
    /* The receipt: issued again in a tree whose other leaves are filler,
     * for logs of a size worth building. */
    Concord__V1__Receipt *r = (Concord__V1__Receipt *)wire_unpack(
        &concord__v1__receipt__descriptor, ce->receipt.data, ce->receipt.len, WIRE_MAX_FRAME,
        NULL);
    merkle_t *tree = r && r->log_index >= 1 && r->log_index <= 4096 ? merkle_new() : NULL;
    if (tree) {
        uint8_t hash[32], leaf[32], filler[32] = {0};
        envelope_hash(ce->envelope.data, ce->envelope.len, hash);
        for (uint64_t i = 1; i < r->log_index; i++) {
            merkle_append(tree, filler, NULL);
        }
        merkle_leaf_hash(r->log_index, r->time_ms, hash, leaf);
        if (merkle_append(tree, leaf, NULL) == 0 &&
            receipt_issue(fixture_broker(), tree, r->time_ms, r->log_index, r->time_ms, hash, &rcpt,
                          &rcpt_len, NULL) == 0) {
            ce->receipt.data = rcpt;
            ce->receipt.len = rcpt_len;
            keep[1] = rcpt;
        }
        merkle_destroy(&tree);
    }
    wire_free(r ? &r->base : NULL);
}

/* Modes 2 and 5: the inner certificate (a DecisionCertificate, or with
 * statement set a StatementCertificate) made consistent with the
 * fixture. The decoder's own buffers are put back before the message is
 * freed. */
static int s_resign_all(int statement, const uint8_t *buf, size_t len, uint8_t **out,
                        size_t *out_len)
{
    int rc = -1;
    size_t roster_len, n_events = 0;
    uint8_t **keep = NULL;
    ProtobufCBinaryData *saved = NULL, roster, *in_roster = NULL;
    Concord__V1__CertifiedEnvelope **events = NULL;
    ProtobufCMessage *m = wire_unpack(statement ? &concord__v1__statement_certificate__descriptor
                                                : &concord__v1__decision_certificate__descriptor,
                                      buf, len, CERTIFICATE_MAX, NULL);
    if (m && statement) {
        Concord__V1__StatementCertificate *sc = (Concord__V1__StatementCertificate *)m;
        in_roster = &sc->roster;
        events = sc->events;
        n_events = sc->n_events;
    } else if (m) {
        Concord__V1__DecisionCertificate *dc = (Concord__V1__DecisionCertificate *)m;
        in_roster = &dc->roster;
        events = dc->events;
        n_events = dc->n_events;
    }
    if (!m || !(keep = calloc(2 * n_events + 1, sizeof *keep)) ||
        !(saved = calloc(2 * n_events + 1, sizeof *saved))) {
        goto out;
    }
    roster = *in_roster;
    in_roster->data = (uint8_t *)fixture_roster_bytes(&roster_len);
    in_roster->len = roster_len;
    for (size_t i = 0; i < n_events; i++) {
        saved[2 * i] = events[i]->envelope;
        saved[2 * i + 1] = events[i]->receipt;
        s_resign_event(events[i], keep + 2 * i);
    }
    rc = wire_pack(m, CERTIFICATE_MAX, out, out_len, NULL);
    *in_roster = roster;
    for (size_t i = 0; i < n_events; i++) {
        events[i]->envelope = saved[2 * i];
        events[i]->receipt = saved[2 * i + 1];
        free(keep[2 * i]);
        free(keep[2 * i + 1]);
    }
out:
    free(keep);
    free(saved);
    wire_free(m);
    return rc;
}

/* Verifies as `concord verify` or `concord pool verify`, checking that an
 * accepted certificate yields a full report and a refused one a reason. */
static void s_verify(int statement, const uint8_t *buf, size_t len)
{
    cc_err_t err;
    int rc;
    err_clear(&err);
    if (statement) {
        statement_report_t rep;
        rc = statement_verify(buf, len, fixture_roster(), &rep, &err);
        if (rc == 0) {
            if (!rep.text || !rep.csv || !rep.pool_id[0] || !rep.host[0] || !rep.statement_id[0]) {
                abort();
            }
            statement_report_free(&rep);
        }
    } else {
        certificate_report_t rep;
        rc = certificate_verify(buf, len, fixture_roster(), &rep, &err);
        if (rc == 0) {
            if (!rep.explanation || !rep.ballot_lines || !rep.outcome[0] || !rep.board_id[0]) {
                abort();
            }
            certificate_report_free(&rep);
        }
    }
    if (rc < 0 && !err.msg[0]) {
        abort(); /* every refusal names the failed check */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t *signed_cert = NULL, *inner = NULL;
    size_t signed_len = 0, inner_len = 0;
    if (size < 2) {
        return 0;
    }
    int mode = data[0] % 6, statement = mode >= 3;
    const char *domain = statement ? STATEMENT_DOMAIN : CERTIFICATE_DOMAIN;
    const keys_t *k = fixture_keys(data[1]);
    if (mode % 3 == 0) {
        s_verify(statement, data + 1, size - 1);
    } else if (mode % 3 == 1) {
        if (certificate_seal(k, domain, data + 2, size - 2, &signed_cert, &signed_len, NULL) == 0) {
            s_verify(statement, signed_cert, signed_len);
        }
    } else if (s_resign_all(statement, data + 2, size - 2, &inner, &inner_len) == 0 &&
               certificate_seal(k, domain, inner, inner_len, &signed_cert, &signed_len, NULL) ==
                   0) {
        s_verify(statement, signed_cert, signed_len);
    }
    free(signed_cert);
    free(inner);
    return 0;
}
