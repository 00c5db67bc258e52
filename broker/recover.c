/* SPDX-License-Identifier: Apache-2.0 */
/* recover: rebuilds the tail of the broker's log that it lost (a WAL gone
 * after a crash) from members' ledgers (PROTOCOL.md 13.3). */
#include "recover.h"

#include <stdlib.h>
#include <string.h>

#include "accept.h"
#include "admission.h"
#include "broker_state.h"
#include "broker_store.h"
#include "envelope.h"
#include "heads.h"
#include "ledger.h"
#include "log.h"
#include "merkle.h"
#include "receipt.h"
#include "wire.h"

/* One entry beyond the broker's head, as a member's ledger holds it. */
typedef struct {
    uint64_t time_ms;
    uint8_t hash[32];
    uint8_t *env;
    size_t env_len;
} s_slot_t;

typedef struct {
    struct broker *b;
    const char *path;             /* the ledger being read */
    receipt_heads_t *cache;
    uint64_t head;                /* the broker's log head before recovery */
    s_slot_t *slots;              /* slots[i]: log index head + 1 + i */
    size_t n_slots;
    receipt_head_t *heads;        /* every head the ledgers hold */
    size_t n_heads;
} s_ctx_t;

static int s_keep_head(s_ctx_t *c, const receipt_head_t *h, cc_err_t *err)
{
    for (size_t i = 0; i < c->n_heads; i++) {
        if (c->heads[i].size == h->size && memcmp(c->heads[i].root, h->root, 32) == 0) {
            return 0;
        }
    }
    receipt_head_t *grown = realloc(c->heads, (c->n_heads + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    c->heads = grown;
    c->heads[c->n_heads++] = *h;
    return 0;
}

/* Every receipted entry of a ledger: its receipt proved against the
 * broker's signed head, about exactly this envelope. */
static int s_collect(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_ctx_t *c = arg;
    receipt_t r;
    uint8_t hash[32];
    if (!e->receipt) {
        return 0;
    }
    if (receipt_open(c->cache, admission_roster(c->b->adm), e->receipt, e->receipt_len, &r,
                     err) < 0) {
        err_prefix(err, "ledger %s, entry %lld: ", c->path, (long long)e->id);
        return -1;
    }
    envelope_hash(e->envelope, e->envelope_len, hash);
    if (memcmp(hash, r.envelope_hash, 32) != 0) {
        err_set(err, CC_DATA_LOSS, "ledger %s, entry %lld: its receipt names another envelope",
                c->path, (long long)e->id);
        return -1;
    }
    if (s_keep_head(c, &r.head, err) < 0) {
        return -1;
    }
    if (r.log_index <= c->head) {
        return 0;
    }
    size_t at = (size_t)(r.log_index - c->head - 1);
    if (at >= c->n_slots) {
        s_slot_t *grown = realloc(c->slots, (at + 1) * sizeof *grown);
        if (!grown) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        memset(grown + c->n_slots, 0, (at + 1 - c->n_slots) * sizeof *grown);
        c->slots = grown;
        c->n_slots = at + 1;
    }
    s_slot_t *s = &c->slots[at];
    if (s->env) {
        if (memcmp(s->hash, hash, 32) != 0 || s->time_ms != r.time_ms) {
            err_set(err, CC_DATA_LOSS,
                    "ledger %s holds another entry at log index %llu than an earlier ledger: "
                    "the broker signed two histories (a fork)",
                    c->path, (unsigned long long)r.log_index);
            return -1;
        }
        return 0;
    }
    if (!(s->env = malloc(e->envelope_len))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    memcpy(s->env, e->envelope, e->envelope_len);
    s->env_len = e->envelope_len;
    s->time_ms = r.time_ms;
    memcpy(s->hash, hash, 32);
    return 0;
}

static int s_collect_head(uint64_t size, const uint8_t root[32], const uint8_t *head,
                          size_t head_len, void *arg, cc_err_t *err)
{
    s_ctx_t *c = arg;
    receipt_head_t h;
    int fork = 0;
    (void)size;
    (void)root;
    Concord__V1__SignedTreeHead *sth = (Concord__V1__SignedTreeHead *)wire_unpack(
        &concord__v1__signed_tree_head__descriptor, head, head_len, WIRE_MAX_FRAME, err);
    if (!sth) {
        return -1;
    }
    int rc = receipt_heads_check(c->cache, admission_roster(c->b->adm), sth, &h, &fork, err);
    wire_free(&sth->base);
    if (rc < 0) {
        err_prefix(err, "ledger %s, a stored tree head: ", c->path);
        return -1;
    }
    return s_keep_head(c, &h, err);
}

static int s_read_ledger(s_ctx_t *c, const char *path, cc_err_t *err)
{
    ledger_t *l = ledger_open_readonly(path, LEDGER_NODE, err);
    if (!l) {
        return -1;
    }
    c->path = path;
    int rc = ledger_replay(l, s_collect, c, err) < 0 || ledger_heads(l, s_collect_head, c, err) < 0
                 ? -1
                 : 0;
    ledger_close(&l);
    return rc;
}

/* Appends the slots from the head on, in one transaction with the head
 * signed over them, after checking that the rebuilt tree matches every
 * head the members hold. Returns the entries appended, or -1. */
static long s_rebuild(s_ctx_t *c, cc_err_t *err)
{
    struct broker *b = c->b;
    uint64_t signed_max = 0;
    for (size_t i = 0; i < c->n_heads; i++) {
        if (c->heads[i].size > signed_max) {
            signed_max = c->heads[i].size;
        }
    }
    if (signed_max <= c->head) {
        return 0;
    }
    /* Every entry up to the largest head a member holds is needed. */
    for (uint64_t i = c->head + 1; i <= signed_max; i++) {
        size_t at = (size_t)(i - c->head - 1);
        if (at >= c->n_slots || !c->slots[at].env) {
            err_set(err, CC_DATA_LOSS,
                    "log index %llu is in none of the ledgers given, and a member holds a tree "
                    "head of %llu entries: add the ledger of the envelope's sender or "
                    "recipient (every member's, if unsure)",
                    (unsigned long long)i, (unsigned long long)signed_max);
            return -1;
        }
    }
    uint64_t upto = c->head + c->n_slots;
    for (uint64_t i = signed_max + 1; i <= upto; i++) {
        if (!c->slots[i - c->head - 1].env) {
            upto = i - 1;
            break;
        }
    }
    if (broker_store_begin(b->ledger, err) < 0) {
        return -1;
    }
    for (uint64_t i = c->head + 1; i <= upto; i++) {
        const s_slot_t *s = &c->slots[i - c->head - 1];
        envelope_t *env = envelope_open_at(s->env, s->env_len, admission_roster(b->adm), i, err);
        int rc = env ? accept_restore(b, env, s->time_ms, err) : -1;
        envelope_destroy(&env);
        if (rc < 0) {
            err_prefix(err, "log index %llu: ", (unsigned long long)i);
            goto fail;
        }
    }
    /* The same leaves in the same order give the same roots: every head a
     * member holds must be a head of the rebuilt tree. */
    for (size_t i = 0; i < c->n_heads; i++) {
        uint8_t root[32];
        merkle_root(heads_tree(b->heads), c->heads[i].size, root);
        if (memcmp(root, c->heads[i].root, 32) != 0) {
            err_set(err, CC_DATA_LOSS,
                    "the rebuilt log does not match the broker's signed tree head of %llu "
                    "entries that a member holds",
                    (unsigned long long)c->heads[i].size);
            goto fail;
        }
    }
    if (heads_sign(b->heads, b->last_time_ms, err) < 0 ||
        broker_store_commit(b->ledger, err) < 0) {
        goto fail;
    }
    return (long)(upto - c->head);
fail:
    broker_store_rollback(b->ledger);
    return -1;
}

int recover_run(struct broker *b, const char *const *ledgers, size_t n, cc_err_t *err)
{
    s_ctx_t c = {.b = b, .head = b->head_index};
    long rebuilt = -1;
    if (!(c.cache = receipt_heads_new())) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (s_read_ledger(&c, ledgers[i], err) < 0) {
            goto out;
        }
    }
    rebuilt = s_rebuild(&c, err);
    if (rebuilt == 0) {
        log_info("recover: the log (head %llu) already holds every entry the %zu ledgers hold "
                 "receipts for; nothing to rebuild",
                 (unsigned long long)c.head, n);
    } else if (rebuilt > 0) {
        log_warn("recover: rebuilt log entries %llu to %llu from %zu members' ledgers, each "
                 "with its receipt time and signature, and signed the tree head of %llu entries",
                 (unsigned long long)(c.head + 1), (unsigned long long)b->head_index, n,
                 (unsigned long long)b->head_index);
    }
out:
    for (size_t i = 0; i < c.n_slots; i++) {
        free(c.slots[i].env);
    }
    free(c.slots);
    free(c.heads);
    receipt_heads_destroy(&c.cache);
    return rebuilt < 0 ? -1 : 0;
}
