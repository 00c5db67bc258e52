/* SPDX-License-Identifier: Apache-2.0 */
/* certificate_build: building decision certificates from a node's ledger. */
#ifndef CONCORD_CERTIFICATE_BUILD_H
#define CONCORD_CERTIFICATE_BUILD_H

#include "board.h"
#include "certificate.h"
#include "ledger.h"

/* Builds and signs the certificate of a closed proposal from the engine's
 * view and the ledger's stored envelopes and receipts. roster_bytes is the
 * packed SignedRoster file. now_ms decides whether the proposal has
 * closed (FAILED_PRECONDITION if it is still open). On success *out is a
 * malloc'd packed SignedCertificate. */
int certificate_build(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                      size_t roster_len, const keys_t *signer, const char *proposal_id,
                      uint64_t now_ms, uint8_t **out, size_t *out_len, cc_err_t *err);

/* The whole board history of the federation as a certificate, for an
 * organisation that joined the roster after genesis (a new successor of a
 * merger) to start its node from: every accepted event of every board,
 * certifying the latest roster change's decision. FAILED_PRECONDITION if
 * the roster never changed; otherwise as certificate_build. */
int certificate_build_history(const board_engine_t *e, const roster_t *roster, ledger_t *ledger,
                              const uint8_t *roster_bytes, size_t roster_len,
                              const keys_t *signer, uint64_t now_ms, uint8_t **out,
                              size_t *out_len, cc_err_t *err);

/* Certified events gathered from a ledger. */
typedef struct {
    ledger_t *ledger;
    Concord__V1__CertifiedEnvelope **items;
    size_t n;
    size_t cap;
    cc_err_t *err;
} certificate_build_events_t;

/* A walker (for board_certificate_events, pool_events) that appends the
 * stored envelope and broker receipt of the event with that hash to arg,
 * a certificate_build_events_t. Returns 0, or -1 with arg's err set (DATA_LOSS
 * when the ledger lacks it, RESOURCE_EXHAUSTED). */
int certificate_build_collect(uint64_t log_index, const uint8_t hash[32], void *arg);
void certificate_build_events_free(certificate_build_events_t *c);

#endif
