/* SPDX-License-Identifier: Apache-2.0 */
/* recover: `concord-broker --recover LEDGER...` rebuilds the tail of the
 * log that the broker lost (a WAL gone after a crash: acknowledged entries
 * missing) from members' ledgers (PROTOCOL.md 13.3). Every receipted
 * entry beyond the broker's head is taken with its receipt proved against
 * the broker's own signed head; the entries are appended again in log
 * order with the times their receipts carry, as accepted envelopes are
 * (mailbox rows included), so the tree has the same leaves and every head
 * a member holds is a head of it, which is checked before the one
 * transaction commits with a head signed over the rebuilt tree. */
#ifndef CONCORD_RECOVER_H
#define CONCORD_RECOVER_H

#include <stddef.h>

#include "err.h"

struct broker; /* broker_state.h */

/* Reads the ledgers (node ledger files, opened read-only: their nodes may
 * be running) and rebuilds the log up to the largest tree head they hold,
 * and on through every entry after it that they all hold without a gap.
 * Refuses (CC_DATA_LOSS, naming the index) when an entry up to that head
 * is in none of them, or when two ledgers disagree about an index.
 * Returns 0 (nothing to do, or rebuilt) or -1 with err set; on failure the
 * log is unchanged. */
int recover_run(struct broker *b, const char *const *ledgers, size_t n, cc_err_t *err);

#endif
