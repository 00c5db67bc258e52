/* SPDX-License-Identifier: Apache-2.0 */
/* receipt: signed tree heads and (head, inclusion proof) receipts. */
#include "receipt.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "merkle.h"
#include "wire.h"

int receipt_head_sign(const keys_t *broker, uint64_t size, const uint8_t root[32],
                      uint64_t time_ms, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    uint8_t sig[KEYS_SIG_LEN];
    int ret = -1;
    Concord__V1__TreeHead th = CONCORD__V1__TREE_HEAD__INIT;
    th.tree_size = size;
    th.root_hash.data = (uint8_t *)root;
    th.root_hash.len = 32;
    th.time_ms = time_ms;
    if (wire_pack(&th.base, WIRE_MAX_FRAME, &packed, &packed_len, err) < 0) {
        goto out;
    }
    if (keys_sign(broker, TREE_HEAD_DOMAIN, packed, packed_len, sig, err) < 0) {
        goto out;
    }
    Concord__V1__SignedTreeHead sth = CONCORD__V1__SIGNED_TREE_HEAD__INIT;
    sth.tree_head.data = packed;
    sth.tree_head.len = packed_len;
    sth.signature.data = sig;
    sth.signature.len = sizeof sig;
    ret = wire_pack(&sth.base, WIRE_MAX_FRAME, out, out_len, err);
out:
    free(packed);
    return ret;
}

int receipt_head_open(const roster_t *roster, const Concord__V1__SignedTreeHead *sth,
                      receipt_head_t *out, cc_err_t *err)
{
    roster_org_t broker;
    roster_broker(roster, &broker);
    if (sth->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_UNAUTHENTICATED, "tree head signature is %zu bytes, not 64",
                sth->signature.len);
        return -1;
    }
    if (keys_verify(broker.sign_pk, TREE_HEAD_DOMAIN, sth->tree_head.data, sth->tree_head.len,
                    sth->signature.data, err) < 0) {
        err_set(err, CC_UNAUTHENTICATED, "tree head is not signed by this federation's broker");
        return -1;
    }
    Concord__V1__TreeHead *th = (Concord__V1__TreeHead *)wire_unpack(
        &concord__v1__tree_head__descriptor, sth->tree_head.data, sth->tree_head.len,
        WIRE_MAX_FRAME, err);
    if (!th) {
        return -1;
    }
    int ok = th->root_hash.len == 32 && th->tree_size >= 1;
    if (ok) {
        out->size = th->tree_size;
        out->time_ms = th->time_ms;
        memcpy(out->root, th->root_hash.data, 32);
    } else {
        err_set(err, CC_INVALID_ARGUMENT, "tree head has malformed fields");
    }
    wire_free(&th->base);
    return ok ? 0 : -1;
}

typedef struct {
    Concord__V1__SignedTreeHead *sth;   /* a copy */
    receipt_head_t head;
} s_cached_t;

struct receipt_heads {
    s_cached_t slot[RECEIPT_HEADS_CACHED];  /* slot[0] newest */
    size_t n;
    uint64_t verified;
};

receipt_heads_t *receipt_heads_new(void)
{
    return calloc(1, sizeof(receipt_heads_t));
}

static int s_same(const Concord__V1__SignedTreeHead *a, const Concord__V1__SignedTreeHead *b)
{
    return a->tree_head.len == b->tree_head.len && a->signature.len == b->signature.len &&
           memcmp(a->tree_head.data, b->tree_head.data, a->tree_head.len) == 0 &&
           memcmp(a->signature.data, b->signature.data, a->signature.len) == 0;
}

int receipt_heads_check(receipt_heads_t *c, const roster_t *roster,
                        const Concord__V1__SignedTreeHead *sth, receipt_head_t *out, int *fork,
                        cc_err_t *err)
{
    *fork = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (s_same(c->slot[i].sth, sth)) {
            *out = c->slot[i].head;
            return 0;
        }
    }
    c->verified++;
    if (receipt_head_open(roster, sth, out, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < c->n; i++) {
        if (c->slot[i].head.size == out->size &&
            memcmp(c->slot[i].head.root, out->root, 32) != 0) {
            *fork = 1;
        }
    }
    Concord__V1__SignedTreeHead *copy =
        (Concord__V1__SignedTreeHead *)wire_copy(&sth->base, WIRE_MAX_FRAME, err);
    if (!copy) {
        return -1;
    }
    if (c->n == RECEIPT_HEADS_CACHED) {
        wire_free(&c->slot[--c->n].sth->base);
    }
    memmove(&c->slot[1], &c->slot[0], c->n * sizeof c->slot[0]);
    c->slot[0].sth = copy;
    c->slot[0].head = *out;
    c->n++;
    return 1;
}

const Concord__V1__SignedTreeHead *receipt_heads_find(const receipt_heads_t *c, uint64_t size,
                                                      receipt_head_t *out)
{
    for (size_t i = 0; c && i < c->n; i++) {
        if (c->slot[i].head.size == size) {
            *out = c->slot[i].head;
            return c->slot[i].sth;
        }
    }
    return NULL;
}

uint64_t receipt_heads_verified(const receipt_heads_t *c)
{
    return c ? c->verified : 0;
}

void receipt_heads_destroy(receipt_heads_t **cp)
{
    if (!cp || !*cp) {
        return;
    }
    for (size_t i = 0; i < (*cp)->n; i++) {
        wire_free(&(*cp)->slot[i].sth->base);
    }
    free(*cp);
    *cp = NULL;
}

int receipt_prove(const Concord__V1__Receipt *r, const receipt_head_t *head, receipt_t *out,
                  cc_err_t *err)
{
    uint8_t path[MERKLE_PATH_MAX][32];
    if (r->envelope_hash.len != 32 || r->log_index == 0 || r->n_path > MERKLE_PATH_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "receipt has malformed fields");
        return -1;
    }
    for (size_t i = 0; i < r->n_path; i++) {
        if (r->path[i].len != 32) {
            err_set(err, CC_INVALID_ARGUMENT, "receipt has malformed fields");
            return -1;
        }
        memcpy(path[i], r->path[i].data, 32);
    }
    out->log_index = r->log_index;
    out->time_ms = r->time_ms;
    memcpy(out->envelope_hash, r->envelope_hash.data, 32);
    merkle_leaf_hash(r->log_index, r->time_ms, out->envelope_hash, out->leaf);
    if (r->tree_size != head->size ||
        !merkle_verify_inclusion(out->leaf, r->log_index - 1, r->tree_size,
                                 (const uint8_t(*)[32])path, r->n_path, head->root)) {
        err_set(err, CC_UNAUTHENTICATED,
                "receipt for log index %llu does not prove it in the broker's signed tree of "
                "%llu entries",
                (unsigned long long)r->log_index, (unsigned long long)head->size);
        return -1;
    }
    out->head = *head;
    return 0;
}

int receipt_open_pb(receipt_heads_t *c, const roster_t *roster, const Concord__V1__Receipt *r,
                    receipt_t *out, cc_err_t *err)
{
    receipt_head_t head;
    int fork = 0;
    if (!r->head) {
        err_set(err, CC_UNAUTHENTICATED, "receipt carries no signed tree head");
        return -1;
    }
    if ((c ? receipt_heads_check(c, roster, r->head, &head, &fork, err)
           : receipt_head_open(roster, r->head, &head, err)) < 0) {
        return -1;
    }
    return receipt_prove(r, &head, out, err);
}

int receipt_open(receipt_heads_t *c, const roster_t *roster, const uint8_t *buf, size_t len,
                 receipt_t *out, cc_err_t *err)
{
    Concord__V1__Receipt *r = (Concord__V1__Receipt *)wire_unpack(
        &concord__v1__receipt__descriptor, buf, len, WIRE_MAX_FRAME, err);
    if (!r) {
        return -1;
    }
    int ret = receipt_open_pb(c, roster, r, out, err);
    wire_free(&r->base);
    return ret;
}

int receipt_pack(const merkle_t *tree, const Concord__V1__SignedTreeHead *sth, uint64_t size,
                 uint64_t index, uint64_t time_ms, const uint8_t envelope_hash[32], uint8_t **out,
                 size_t *out_len, cc_err_t *err)
{
    uint8_t path[MERKLE_PATH_MAX][32];
    ProtobufCBinaryData items[MERKLE_PATH_MAX];
    size_t n_path = 0;
    if (index == 0 || index > size || size > merkle_size(tree)) {
        err_set(err, CC_INVALID_ARGUMENT, "log index %llu is not in a tree of %llu",
                (unsigned long long)index, (unsigned long long)size);
        return -1;
    }
    merkle_inclusion(tree, index - 1, size, path, &n_path);
    for (size_t i = 0; i < n_path; i++) {
        items[i].data = path[i];
        items[i].len = 32;
    }
    Concord__V1__Receipt r = CONCORD__V1__RECEIPT__INIT;
    r.log_index = index;
    r.time_ms = time_ms;
    r.envelope_hash.data = (uint8_t *)envelope_hash;
    r.envelope_hash.len = 32;
    r.tree_size = size;
    r.n_path = n_path;
    r.path = items;
    r.head = (Concord__V1__SignedTreeHead *)sth;
    return wire_pack(&r.base, WIRE_MAX_FRAME, out, out_len, err);
}

int receipt_issue(const keys_t *broker, const merkle_t *tree, uint64_t head_ms, uint64_t index,
                  uint64_t time_ms, const uint8_t envelope_hash[32], uint8_t **out,
                  size_t *out_len, cc_err_t *err)
{
    uint8_t root[32];
    size_t head_len = 0;
    uint8_t *head = NULL;
    uint64_t size = merkle_size(tree);
    if (index == 0 || index > size) {
        err_set(err, CC_INVALID_ARGUMENT, "log index %llu is not in a tree of %llu",
                (unsigned long long)index, (unsigned long long)size);
        return -1;
    }
    merkle_root(tree, size, root);
    if (receipt_head_sign(broker, size, root, head_ms, &head, &head_len, err) < 0) {
        return -1;
    }
    Concord__V1__SignedTreeHead *sth = (Concord__V1__SignedTreeHead *)wire_unpack(
        &concord__v1__signed_tree_head__descriptor, head, head_len, WIRE_MAX_FRAME, err);
    free(head);
    if (!sth) {
        return -1;
    }
    int ret = receipt_pack(tree, sth, size, index, time_ms, envelope_hash, out, out_len, err);
    wire_free(&sth->base);
    return ret;
}
