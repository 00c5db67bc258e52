/* SPDX-License-Identifier: Apache-2.0 */
/* ledger_fold: re-folds, at start, the events the ledger recorded as folded. */
#include "ledger_fold.h"

#include <string.h>

#include "receipt.h"
#include "wire.h"

typedef struct {
    const roster_t *roster;
    receipt_heads_t *heads;        /* each head's signature checked once */
    fold_event_fn fn;
    void *arg;
} s_replay_t;

static int s_replay_entry(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_replay_t *rp = arg;
    envelope_t *env = envelope_open_at(e->envelope, e->envelope_len, rp->roster, e->log_index, err);
    receipt_t r;
    int ok = env && e->receipt &&
             receipt_open(rp->heads, rp->roster, e->receipt, e->receipt_len, &r, err) == 0;
    int ret = -1;
    if (ok && (r.log_index != e->log_index ||
               memcmp(r.envelope_hash, e->hash, 32) != 0)) {
        err_set(err, CC_DATA_LOSS, "its stored receipt is for another entry");
        ok = 0;
    }
    if (ok) {
        rp->fn(env, e->log_index, r.time_ms, rp->arg);
        ret = 0;
    } else {
        if (env && !e->receipt) {
            err_set(err, CC_DATA_LOSS, "no broker receipt stored");
        }
        err_prefix(err, "folding ledger entry %lld: ", (long long)e->id);
    }
    envelope_destroy(&env);
    return ret;
}

int ledger_fold_replay(ledger_t *ledger, const roster_t *roster, fold_event_fn fn, void *arg,
                cc_err_t *err)
{
    s_replay_t rp = {.roster = roster, .fn = fn, .arg = arg, .heads = receipt_heads_new()};
    if (!rp.heads) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    int ret = ledger_events_replay(ledger, s_replay_entry, &rp, err);
    receipt_heads_destroy(&rp.heads);
    return ret;
}

