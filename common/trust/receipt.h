/* SPDX-License-Identifier: Apache-2.0 */
/* receipt: the broker's signed receipts and the hash chain of its log.
 *
 * Chain: chain[0] is 32 zero bytes; for the entry at index i >= 1,
 *   chain[i] = SHA-256("concord/v1/chain" NUL || chain[i-1] || be64(i)
 *                      || be64(time_ms) || SHA-256(envelope))
 * A receipt is a packed Receipt signed by the broker over
 * "concord/v1/receipt" NUL || receipt bytes. */
#ifndef CONCORD_RECEIPT_H
#define CONCORD_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.pb-c.h"
#include "err.h"
#include "keys.h"
#include "roster.h"

#define RECEIPT_DOMAIN "concord/v1/receipt"
#define CHAIN_DOMAIN "concord/v1/chain"

/* Computes chain[i] from chain[i-1] (prev). */
void receipt_chain(const uint8_t prev[32], uint64_t index, uint64_t time_ms,
                   const uint8_t envelope_hash[32], uint8_t out[32]);

/* Packs r, signs it with the broker's keys and packs the SignedReceipt
 * into a malloc'd buffer. Returns 0 or -1. */
int receipt_sign(const keys_t *broker, const Concord__V1__Receipt *r, uint8_t **out,
                 size_t *out_len, cc_err_t *err);

/* Verifies a SignedReceipt (packed in buf, or already decoded in sr)
 * against the roster's broker key, then decodes it. Checks the chain and
 * envelope hashes are 32 bytes and the call id 16. Returns the Receipt
 * (free with wire_free) or NULL with CC_UNAUTHENTICATED or
 * CC_INVALID_ARGUMENT. */
Concord__V1__Receipt *receipt_open(const roster_t *roster, const uint8_t *buf, size_t len,
                                   cc_err_t *err);
Concord__V1__Receipt *receipt_open_pb(const roster_t *roster,
                                      const Concord__V1__SignedReceipt *sr, cc_err_t *err);

#endif
