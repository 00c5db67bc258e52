/* SPDX-License-Identifier: Apache-2.0 */
/* merkle: the broker's log as a Merkle tree (RFC 9162's construction,
 * with Concord's own domain prefix; PROTOCOL.md section 9.2).
 *
 *   leaf  = SHA-256("concord/v2/tree" NUL || 0x00 || be64(index)
 *                   || be64(time_ms) || envelope_hash)
 *   node  = SHA-256("concord/v2/tree" NUL || 0x01 || left || right)
 *   empty = SHA-256("concord/v2/tree" NUL)
 *
 * The tree of n leaves is RFC 9162's MTH: split at the largest power of
 * two below n. Log index i (from 1) is leaf i - 1. Inclusion and
 * consistency proofs are RFC 9162's PATH and PROOF, verified by its
 * sections 2.1.3.2 and 2.1.4.2. */
#ifndef CONCORD_MERKLE_H
#define CONCORD_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define MERKLE_DOMAIN "concord/v2/tree"
/* The most hashes a proof over a tree of up to 2^63 leaves holds. */
#define MERKLE_PATH_MAX 64

void merkle_leaf_hash(uint64_t index, uint64_t time_ms, const uint8_t envelope_hash[32],
                      uint8_t out[32]);
void merkle_node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32]);
void merkle_empty_root(uint8_t out[32]);

/* A tree held in memory: the leaves and the hash of every complete
 * subtree, so that roots and proofs take O(log^2 n) hashes. */
typedef struct merkle merkle_t;

merkle_t *merkle_new(void);
/* Appends one leaf hash. Returns 0, or -1 with CC_RESOURCE_EXHAUSTED. */
int merkle_append(merkle_t *t, const uint8_t leaf[32], cc_err_t *err);
uint64_t merkle_size(const merkle_t *t);
/* Forgets every leaf after the first size. */
void merkle_truncate(merkle_t *t, uint64_t size);
/* The leaf hash at position m (from 0), m < size. */
const uint8_t *merkle_leaf(const merkle_t *t, uint64_t m);
/* The root of the tree of the first n leaves (n <= size). */
void merkle_root(const merkle_t *t, uint64_t n, uint8_t out[32]);
/* The inclusion proof of leaf m in the tree of the first n leaves
 * (m < n <= size): *n_path hashes of 32 bytes into path, leaf upwards. */
void merkle_inclusion(const merkle_t *t, uint64_t m, uint64_t n,
                      uint8_t path[MERKLE_PATH_MAX][32], size_t *n_path);
/* The consistency proof from the tree of the first m leaves to that of
 * the first n (0 < m <= n <= size). */
void merkle_consistency(const merkle_t *t, uint64_t m, uint64_t n,
                        uint8_t path[MERKLE_PATH_MAX][32], size_t *n_path);
void merkle_destroy(merkle_t **t);

/* 1 if path proves leaf at position m in the tree of size n with root,
 * else 0. */
int merkle_verify_inclusion(const uint8_t leaf[32], uint64_t m, uint64_t n,
                            const uint8_t (*path)[32], size_t n_path, const uint8_t root[32]);
/* 1 if path proves that the tree of size m with root_m is a prefix of the
 * tree of size n with root_n (0 < m <= n; for m == n the path is empty
 * and the roots equal), else 0. */
int merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t root_m[32],
                              const uint8_t root_n[32], const uint8_t (*path)[32],
                              size_t n_path);

#endif
