/* SPDX-License-Identifier: Apache-2.0 */
/* ledger_fold: the store's side of folding: replaying stored events into
 * the engines at start. */
#ifndef CONCORD_LEDGER_FOLD_H
#define CONCORD_LEDGER_FOLD_H

#include "fold.h"
#include "ledger.h"
#include "roster.h"

/* Re-folds, at start, every event the ledger recorded as folded, in log
 * order: each stored envelope is opened again against the roster as it
 * stands at its log index (so fn must apply the roster changes it folds
 * before the next entry is opened) and handed to fn with its broker
 * receipt's time. Returns 0, or -1 with err
 * naming the entry that could not be read. */
int ledger_fold_replay(ledger_t *ledger, const roster_t *roster, fold_event_fn fn, void *arg,
                       cc_err_t *err);

#endif
