/* SPDX-License-Identifier: Apache-2.0 */
/* ledger_fold: re-folds, at start, the events the ledger recorded as folded. */
#include "ledger_fold.h"

#include "receipt.h"
#include "wire.h"

typedef struct {
    const roster_t *roster;
    fold_event_fn fn;
    void *arg;
} s_replay_t;

static int s_replay_entry(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    s_replay_t *rp = arg;
    envelope_t *env = envelope_open_at(e->envelope, e->envelope_len, rp->roster, e->log_index, err);
    Concord__V1__Receipt *r =
        env && e->receipt ? receipt_open(rp->roster, e->receipt, e->receipt_len, err) : NULL;
    int ret = -1;
    if (env && r) {
        rp->fn(env, e->log_index, r->time_ms, rp->arg);
        ret = 0;
    } else {
        if (env && !e->receipt) {
            err_set(err, CC_DATA_LOSS, "no broker receipt stored");
        }
        err_prefix(err, "folding ledger entry %lld: ", (long long)e->id);
    }
    envelope_destroy(&env);
    wire_free(r ? &r->base : NULL);
    return ret;
}

int ledger_fold_replay(ledger_t *ledger, const roster_t *roster, fold_event_fn fn, void *arg,
                cc_err_t *err)
{
    s_replay_t rp = {.roster = roster, .fn = fn, .arg = arg};
    return ledger_events_replay(ledger, s_replay_entry, &rp, err);
}

