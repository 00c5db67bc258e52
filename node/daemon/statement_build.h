/* SPDX-License-Identifier: Apache-2.0 */
/* statement_build: building a pool's statement certificate from a node's ledger. */
#ifndef CONCORD_STATEMENT_BUILD_H
#define CONCORD_STATEMENT_BUILD_H

#include "ledger.h"
#include "statement.h"

/* Builds the statement certificate of pool_id's year (whose statement the
 * host has signed) from the engines and the ledger's stored envelopes and
 * receipts, signed by signer. roster_bytes is the packed SignedRoster.
 * Returns 0 with *out a malloc'd packed SignedCertificate, or -1 with
 * NOT_FOUND (no pool, year or signed statement), DATA_LOSS (an event
 * missing from the ledger), RESOURCE_EXHAUSTED. */
int statement_build(const board_engine_t *b, const pool_engine_t *e, ledger_t *ledger,
                    const uint8_t *roster_bytes, size_t roster_len, const keys_t *signer,
                    const char *pool_id, uint32_t year, uint64_t now_ms, uint8_t **out,
                    size_t *out_len, cc_err_t *err);

#endif
