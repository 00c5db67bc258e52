/* SPDX-License-Identifier: Apache-2.0 */
/* heads: the broker's Merkle tree and signed tree heads. */
#include "heads.h"

#include <stdlib.h>
#include <string.h>

#include "receipt.h"
#include "wire.h"

struct heads {
    const keys_t *keys;
    broker_store_t *ledger;
    merkle_t *tree;
    Concord__V1__SignedTreeHead *head;   /* the newest, decoded */
    uint64_t head_size;
};

heads_t *heads_new(const keys_t *keys, broker_store_t *ledger)
{
    heads_t *h = calloc(1, sizeof *h);
    if (!h || !(h->tree = merkle_new())) {
        free(h);
        return NULL;
    }
    h->keys = keys;
    h->ledger = ledger;
    return h;
}

static int s_leaf(uint64_t index, const uint8_t leaf[32], void *arg, cc_err_t *err)
{
    heads_t *h = arg;
    if (index != merkle_size(h->tree) + 1) {
        err_set(err, CC_DATA_LOSS, "the log skips from index %llu to %llu",
                (unsigned long long)merkle_size(h->tree), (unsigned long long)index);
        return -1;
    }
    return merkle_append(h->tree, leaf, err);
}

typedef struct {
    heads_t *h;
    uint64_t size;
} s_newest_t;

static int s_head_row(uint64_t size, const uint8_t root[32], const uint8_t *head,
                      size_t head_len, void *arg, cc_err_t *err)
{
    (void)root;
    s_newest_t *nw = arg;
    if (size < nw->size) {
        return 0;
    }
    Concord__V1__SignedTreeHead *sth = (Concord__V1__SignedTreeHead *)wire_unpack(
        &concord__v1__signed_tree_head__descriptor, head, head_len, WIRE_MAX_FRAME, err);
    if (!sth) {
        return -1;
    }
    wire_free(nw->h->head ? &nw->h->head->base : NULL);
    nw->h->head = sth;
    nw->size = size;
    return 0;
}

int heads_load(heads_t *h, cc_err_t *err)
{
    merkle_truncate(h->tree, 0);
    wire_free(h->head ? &h->head->base : NULL);
    h->head = NULL;
    h->head_size = 0;
    /* Leaves are read in pages, so that a long log is never one answer. */
    for (;;) {
        uint64_t before = merkle_size(h->tree);
        if (broker_store_log_leaves(h->ledger, before + 1, 65536, s_leaf, h, err) < 0) {
            return -1;
        }
        if (merkle_size(h->tree) == before) {
            break;
        }
    }
    s_newest_t nw = {.h = h};
    if (broker_store_heads(h->ledger, s_head_row, &nw, err) < 0) {
        return -1;
    }
    h->head_size = nw.size;
    if (h->head_size != merkle_size(h->tree)) {
        err_set(err, CC_DATA_LOSS,
                "the log holds %llu entries but its newest signed tree head is of %llu",
                (unsigned long long)merkle_size(h->tree), (unsigned long long)h->head_size);
        return -1;
    }
    return 0;
}

int heads_append(heads_t *h, uint64_t index, uint64_t time_ms, const uint8_t envelope_hash[32],
                 uint8_t leaf[32], cc_err_t *err)
{
    if (index != merkle_size(h->tree) + 1) {
        err_set(err, CC_FAILED_PRECONDITION, "leaf %llu appended to a tree of %llu",
                (unsigned long long)index, (unsigned long long)merkle_size(h->tree));
        return -1;
    }
    merkle_leaf_hash(index, time_ms, envelope_hash, leaf);
    return merkle_append(h->tree, leaf, err);
}

int heads_sign(heads_t *h, uint64_t time_ms, cc_err_t *err)
{
    uint64_t size = merkle_size(h->tree);
    if (size == h->head_size) {
        return 0;
    }
    uint8_t root[32];
    uint8_t *packed = NULL;
    size_t len = 0;
    merkle_root(h->tree, size, root);
    if (receipt_head_sign(h->keys, size, root, time_ms, &packed, &len, err) < 0) {
        return -1;
    }
    Concord__V1__SignedTreeHead *sth = (Concord__V1__SignedTreeHead *)wire_unpack(
        &concord__v1__signed_tree_head__descriptor, packed, len, WIRE_MAX_FRAME, err);
    if (!sth || broker_store_head_add(h->ledger, size, root, packed, len, err) < 0) {
        wire_free(sth ? &sth->base : NULL);
        free(packed);
        return -1;
    }
    free(packed);
    wire_free(h->head ? &h->head->base : NULL);
    h->head = sth;
    h->head_size = size;
    return 0;
}

const Concord__V1__SignedTreeHead *heads_current(const heads_t *h)
{
    return h->head;
}

const merkle_t *heads_tree(const heads_t *h)
{
    return h->tree;
}

uint64_t heads_size(const heads_t *h)
{
    return h->head_size;
}

void heads_receipt(const heads_t *h, uint64_t index, uint64_t time_ms,
                   const uint8_t envelope_hash[32], int with_head, heads_receipt_t *out)
{
    size_t n_path = 0;
    concord__v1__receipt__init(&out->r);
    memcpy(out->hash, envelope_hash, 32);
    merkle_inclusion(h->tree, index - 1, h->head_size, out->path, &n_path);
    for (size_t i = 0; i < n_path; i++) {
        out->items[i].data = out->path[i];
        out->items[i].len = 32;
    }
    out->r.log_index = index;
    out->r.time_ms = time_ms;
    out->r.envelope_hash.data = out->hash;
    out->r.envelope_hash.len = 32;
    out->r.tree_size = h->head_size;
    out->r.n_path = n_path;
    out->r.path = out->items;
    out->r.head = with_head ? h->head : NULL;
}

void heads_destroy(heads_t **hp)
{
    if (!hp || !*hp) {
        return;
    }
    merkle_destroy(&(*hp)->tree);
    wire_free((*hp)->head ? &(*hp)->head->base : NULL);
    free(*hp);
    *hp = NULL;
}
