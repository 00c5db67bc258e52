/* SPDX-License-Identifier: Apache-2.0 */
/* certificate_build: a node's decision certificates and history exports,
 * built from its board engine and its ledger's stored envelopes and
 * receipts (common/proof verifies them without any store). */
#include "certificate_build.h"

#include <stdlib.h>

#include "grow.h"
#include "wire.h"

void certificate_build_events_free(certificate_build_events_t *c)
{
    for (size_t i = 0; i < c->n; i++) {
        free(c->items[i]->envelope.data);
        free(c->items[i]->receipt.data);
        free(c->items[i]);
    }
    free(c->items);
    c->items = NULL;
    c->n = c->cap = 0;
}

int certificate_build_collect(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    certificate_build_events_t *c = arg;
    uint8_t *env = NULL, *receipt = NULL;
    size_t env_len = 0, receipt_len = 0;
    int found = ledger_get(c->ledger, hash, &env, &env_len, &receipt, &receipt_len, c->err);
    if (found <= 0 || !receipt) {
        if (found >= 0) {
            err_set(c->err, CC_DATA_LOSS, "event at log index %llu is missing from the ledger",
                    (unsigned long long)log_index);
        }
        free(env);
        free(receipt);
        return -1;
    }
    Concord__V1__CertifiedEnvelope **grown = grow_reserve(c->items, &c->cap, c->n,
                                                          sizeof *c->items);
    if (!grown) {
        goto oom;
    }
    c->items = grown;
    Concord__V1__CertifiedEnvelope *ce = malloc(sizeof *ce);
    if (!ce) {
        goto oom;
    }
    concord__v1__certified_envelope__init(ce);
    ce->envelope.data = env;
    ce->envelope.len = env_len;
    ce->receipt.data = receipt;
    ce->receipt.len = receipt_len;
    c->items[c->n++] = ce;
    return 0;
oom:
    free(env);
    free(receipt);
    err_set(c->err, CC_RESOURCE_EXHAUSTED, "out of memory");
    return -1;
}

/* Packs and signs the certificate of pv with the events the tier keeps
 * (board_certificate_events_for). */
static int s_seal_tier(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                       size_t roster_len, const keys_t *signer, const board_proposal_view_t *pv,
                       int all, int tier, uint64_t upto, uint64_t now_ms, uint8_t **out,
                       size_t *out_len, cc_err_t *err)
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    int ret = -1;
    certificate_build_events_t c = {.ledger = ledger, .err = err};
    err_clear(err);
    /* -1 with err still clear: the engine ran out of memory (the board
     * exists, the proposal was found on it). */
    if (board_certificate_events_for(e, all ? NULL : pv->board_id, pv->id, upto, tier,
                                     certificate_build_collect, &c) != 0) {
        if (err->code == CC_OK) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        }
        goto out;
    }
    Concord__V1__DecisionCertificate dc = CONCORD__V1__DECISION_CERTIFICATE__INIT;
    dc.version = CERTIFICATE_VERSION;
    dc.roster.data = (uint8_t *)roster_bytes;
    dc.roster.len = roster_len;
    dc.board_id = (char *)pv->board_id;
    dc.proposal_id = (char *)pv->id;
    dc.events = c.items;
    dc.n_events = c.n;
    dc.outcome = pv->tally.passed ? "PASSED" : "FAILED";
    dc.explanation = (char *)pv->tally.explanation;
    board_tally_data_t td;
    board_tally_data(&pv->tally, &td);
    dc.tally = &td.msg;
    dc.exported_at_ms = now_ms;
    if (wire_pack(&dc.base, CERTIFICATE_MAX, &packed, &packed_len, err) < 0) {
        goto out;
    }
    ret = certificate_seal(signer, CERTIFICATE_DOMAIN, packed, packed_len, out, out_len, err);
out:
    free(packed);
    certificate_build_events_free(&c);
    return ret;
}

/* certificate_build, or with all set certificate_build_history. A
 * decision's certificate is compact: the events that decide the board and
 * the roster, and the proposal's own (BOARD_CERT_COMPACT). The exporter
 * verifies it as any verifier would; should the fold need more (a pool
 * variation rests on its agreement), it takes the next tier, so that a
 * certificate it issues always verifies. */
static int s_build(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                   size_t roster_len, const keys_t *signer, const char *proposal_id, int all,
                   uint64_t now_ms, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    board_proposal_view_t pv;
    if (board_proposal_find(e, proposal_id, now_ms, &pv, err) < 0) {
        return -1;
    }
    if (!pv.closed) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %s is still undecided; a certificate is issued once its outcome is"
                " settled or its deadline has passed",
                pv.id);
        return -1;
    }
    /* Up to its latest event: the last ballot, or a call-in after it. */
    uint64_t upto = pv.last_index;
    if (pv.n_ballots) {
        board_ballot_view_t last;
        board_ballot_at(e, &pv, pv.n_ballots - 1, &last);
        upto = last.log_index > upto ? last.log_index : upto;
    }
    if (all) {
        return s_seal_tier(e, ledger, roster_bytes, roster_len, signer, &pv, 1, BOARD_CERT_ALL,
                           upto, now_ms, out, out_len, err);
    }
    roster_t *trusted = roster_from_bytes(roster_bytes, roster_len, err);
    if (!trusted) {
        return -1;
    }
    int ret = -1;
    for (int tier = BOARD_CERT_COMPACT; tier <= BOARD_CERT_ALL; tier++) {
        certificate_report_t rep;
        cc_err_t why;
        if (s_seal_tier(e, ledger, roster_bytes, roster_len, signer, &pv, 0, tier, upto, now_ms,
                        out, out_len, err) < 0) {
            break;
        }
        if (tier == BOARD_CERT_ALL || certificate_verify(*out, *out_len, trusted, &rep, &why) == 0) {
            if (tier < BOARD_CERT_ALL) {
                certificate_report_free(&rep);
            }
            ret = 0;
            break;
        }
        free(*out);
        *out = NULL;
    }
    roster_destroy(&trusted);
    return ret;
}

int certificate_build(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                      size_t roster_len, const keys_t *signer, const char *proposal_id,
                      uint64_t now_ms, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    return s_build(e, ledger, roster_bytes, roster_len, signer, proposal_id, 0, now_ms, out,
                   out_len, err);
}

int certificate_build_history(const board_engine_t *e, const roster_t *roster, ledger_t *ledger,
                              const uint8_t *roster_bytes, size_t roster_len,
                              const keys_t *signer, uint64_t now_ms, uint8_t **out,
                              size_t *out_len, cc_err_t *err)
{
    roster_change_t last;
    size_t n = roster_change_count(roster);
    if (!n) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the roster has not changed since genesis: a new node needs only the roster file");
        return -1;
    }
    roster_change_at(roster, n - 1, &last);
    return s_build(e, ledger, roster_bytes, roster_len, signer, last.decision, 1, now_ms, out,
                   out_len, err);
}

