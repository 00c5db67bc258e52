/* SPDX-License-Identifier: Apache-2.0 */
/* receipt: the broker's signed tree heads and the receipts they prove
 * (PROTOCOL.md section 9).
 *
 * For every group commit the broker signs one TreeHead (size, Merkle
 * root, time) over "concord/v2/tree-head" NUL || the packed TreeHead.
 * A receipt is a (head, inclusion proof) pair: it proves that the log
 * entry at log_index, with its time and envelope hash, is leaf
 * log_index - 1 of the tree the head signs (merkle.h). A node verifies
 * each head's signature once and keeps it in a receipt_heads_t, so that
 * a receipt whose head it has seen costs hashes, not a signature. */
#ifndef CONCORD_RECEIPT_H
#define CONCORD_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.pb-c.h"
#include "err.h"
#include "keys.h"
#include "roster.h"

#define TREE_HEAD_DOMAIN "concord/v2/tree-head"

/* A tree head whose signature has verified. */
typedef struct {
    uint64_t size;
    uint8_t root[32];
    uint64_t time_ms;
} receipt_head_t;

/* A receipt whose head and proof have verified. */
typedef struct {
    uint64_t log_index;
    uint64_t time_ms;
    uint8_t envelope_hash[32];
    uint8_t leaf[32];                 /* its leaf hash */
    receipt_head_t head;
} receipt_t;

/* Signs the head of a tree of size entries with this root, its newest
 * entry at time_ms: a packed SignedTreeHead, malloc'd. Returns 0 or -1. */
int receipt_head_sign(const keys_t *broker, uint64_t size, const uint8_t root[32],
                      uint64_t time_ms, uint8_t **out, size_t *out_len, cc_err_t *err);

/* Verifies a SignedTreeHead against the roster's broker key and decodes
 * it. Returns 0, or -1 with CC_UNAUTHENTICATED or CC_INVALID_ARGUMENT. */
int receipt_head_open(const roster_t *roster, const Concord__V1__SignedTreeHead *sth,
                      receipt_head_t *out, cc_err_t *err);

/* Heads already verified, newest first, at most RECEIPT_HEADS_CACHED. */
#define RECEIPT_HEADS_CACHED 16
typedef struct receipt_heads receipt_heads_t;
receipt_heads_t *receipt_heads_new(void);
/* Verifies sth unless these exact bytes were verified before. Returns 1
 * if it was new (its signature checked now: the caller may store it), 0
 * if known, -1 with err. *fork is set to 1 when a different head of the
 * same size, with another root, was verified before: both are validly
 * signed, and together they prove that the broker forked its log. */
int receipt_heads_check(receipt_heads_t *c, const roster_t *roster,
                        const Concord__V1__SignedTreeHead *sth, receipt_head_t *out, int *fork,
                        cc_err_t *err);
/* The verified head of this size most recently seen, or NULL. */
const Concord__V1__SignedTreeHead *receipt_heads_find(const receipt_heads_t *c, uint64_t size,
                                                      receipt_head_t *out);
/* How many head signatures this cache has verified. */
uint64_t receipt_heads_verified(const receipt_heads_t *c);
void receipt_heads_destroy(receipt_heads_t **c);

/* Checks a receipt's fields and its inclusion proof against a verified
 * head (which must be of r->tree_size). Returns 0, or -1 with
 * CC_INVALID_ARGUMENT (malformed) or CC_UNAUTHENTICATED (does not prove). */
int receipt_prove(const Concord__V1__Receipt *r, const receipt_head_t *head, receipt_t *out,
                  cc_err_t *err);

/* Verifies a receipt carrying its head: the head through the cache c
 * (NULL: verified every time), then the proof. Returns 0 or -1. */
int receipt_open_pb(receipt_heads_t *c, const roster_t *roster, const Concord__V1__Receipt *r,
                    receipt_t *out, cc_err_t *err);
/* The same for a packed Receipt (as stored and carried in certificates). */
int receipt_open(receipt_heads_t *c, const roster_t *roster, const uint8_t *buf, size_t len,
                 receipt_t *out, cc_err_t *err);

/* Issues, as the broker, the receipt of the entry at index (from 1, at
 * time_ms, with envelope_hash) in tree, which must hold it: a head signed
 * over the whole tree (its newest entry at head_ms) and the inclusion
 * proof, as a packed Receipt, malloc'd. Returns 0 or -1. */
struct merkle;
int receipt_issue(const keys_t *broker, const struct merkle *tree, uint64_t head_ms,
                  uint64_t index, uint64_t time_ms, const uint8_t envelope_hash[32],
                  uint8_t **out, size_t *out_len, cc_err_t *err);

/* The receipt of the entry at index (from 1, at time_ms, with
 * envelope_hash) against sth, a head over the first size leaves of tree
 * (the caller has checked that sth signs tree's root at size): the
 * inclusion proof with sth, as a packed Receipt, malloc'd. Returns 0 or
 * -1. */
int receipt_pack(const struct merkle *tree, const Concord__V1__SignedTreeHead *sth,
                 uint64_t size, uint64_t index, uint64_t time_ms,
                 const uint8_t envelope_hash[32], uint8_t **out, size_t *out_len,
                 cc_err_t *err);

#endif
