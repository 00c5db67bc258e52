/* SPDX-License-Identifier: Apache-2.0 */
/* heads: the broker's Merkle tree over its log and its signed tree heads
 * (PROTOCOL.md section 9).
 *
 * Every accepted envelope is a leaf; at the end of each group commit
 * that appended anything the broker signs ONE tree head (size, root,
 * newest entry's time) and stores it with the batch. Receipts, in
 * results and deliveries, are inclusion proofs against the newest head.
 * The tree is held in memory, rebuilt from the ledger at start and after
 * a batch failed. */
#ifndef CONCORD_HEADS_H
#define CONCORD_HEADS_H

#include <stddef.h>
#include <stdint.h>

#include "broker_store.h"
#include "envelope.pb-c.h"
#include "err.h"
#include "keys.h"
#include "merkle.h"

typedef struct heads heads_t;

heads_t *heads_new(const keys_t *keys, broker_store_t *ledger);

/* Rebuilds the tree and the newest head from the ledger. A log without a
 * head for its size (never written by this version) is refused. */
int heads_load(heads_t *h, cc_err_t *err);

/* Adds the leaf of the entry (index must be size + 1); out gets the leaf
 * hash. Returns 0 or -1 (out of memory). */
int heads_append(heads_t *h, uint64_t index, uint64_t time_ms, const uint8_t envelope_hash[32],
                 uint8_t leaf[32], cc_err_t *err);

/* Signs and stores (in the ledger's open transaction) the head of the
 * tree as it now stands, unless the newest head already covers it.
 * time_ms is the newest entry's time. Returns 0 or -1. */
int heads_sign(heads_t *h, uint64_t time_ms, cc_err_t *err);

/* The newest signed head, NULL for an empty log; and its tree. */
const Concord__V1__SignedTreeHead *heads_current(const heads_t *h);
const merkle_t *heads_tree(const heads_t *h);
uint64_t heads_size(const heads_t *h);

/* A receipt built in place: r points into this struct. */
typedef struct {
    Concord__V1__Receipt r;
    ProtobufCBinaryData items[MERKLE_PATH_MAX];
    uint8_t path[MERKLE_PATH_MAX][32];
    uint8_t hash[32];
} heads_receipt_t;

/* The receipt of the entry at index (time, envelope hash) against the
 * newest head, with the head unless with_head is 0. The entry must be in
 * the newest head's tree. */
void heads_receipt(const heads_t *h, uint64_t index, uint64_t time_ms,
                   const uint8_t envelope_hash[32], int with_head, heads_receipt_t *out);

void heads_destroy(heads_t **h);

#endif
