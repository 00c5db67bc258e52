/* SPDX-License-Identifier: Apache-2.0 */
/* inbound: where a node's inbound pipeline stands after its ledger failed
 * to store a delivery (disk full, read-only, I/O error).
 *
 *            inbound_failed                 inbound_retry_due
 *   STORING ---------------> STALLED ------------------------> RETRYING
 *      ^                       ^  ^                              |  |
 *      |                       |  +------ inbound_failed --------+  |
 *      +------------------------------ inbound_done (the failed ----+
 *                                      delivery stored or dropped)
 *
 * STORING: every delivery is taken. STALLED: nothing is stored or
 * acknowledged, so no later delivery overtakes the failed one (its
 * sequence would make the earlier one look like a replay); the broker
 * keeps them all. RETRYING: the node has asked the broker (with a Hello)
 * to deliver its mailbox again from the oldest unacknowledged entry, and
 * takes deliveries up to the failed one. A failure in RETRYING stalls
 * again; storing (or dropping as invalid) the failed delivery returns to
 * STORING. The pipeline itself is rpc.c's s_on_delivery. */
#ifndef CONCORD_INBOUND_H
#define CONCORD_INBOUND_H

#include <stdint.h>

#include "err.h"

#define INBOUND_RETRY_MS 5000 /* after a ledger failure, try again this often */

typedef enum {
    INBOUND_STORING = 0,
    INBOUND_STALLED,
    INBOUND_RETRYING,
} inbound_phase_t;

typedef struct {
    inbound_phase_t phase;
    uint64_t failed_index; /* the oldest delivery not stored (not STORING) */
    uint64_t retry_ms;     /* monotonic: when to ask again (not STORING) */
    cc_err_t failure;      /* why: the ledger's own error (not STORING) */
    int clock;             /* held for the broker's clock (inbound_held), not the ledger */
} inbound_t;

/* 1 if the delivery at log_index (0 for a direct answer from the broker)
 * may be processed now: always while STORING, never while STALLED, and
 * while RETRYING only a logged delivery up to the failed one. */
int inbound_admits(const inbound_t *in, uint64_t log_index);

/* The ledger could not store the delivery at log_index, for err: to
 * STALLED, remembering the oldest such index, with a retry due
 * INBOUND_RETRY_MS after now_ms. */
void inbound_failed(inbound_t *in, uint64_t log_index, const cc_err_t *err, uint64_t now_ms);

/* The delivery at log_index carries a receipt time too far ahead of this
 * node's clock (err says how far): held exactly like a ledger failure
 * (STALLED, nothing later stored or acknowledged, retried), but the
 * refusal of new work names the clock. */
void inbound_held(inbound_t *in, uint64_t log_index, const cc_err_t *err, uint64_t now_ms);

/* 1 if the broker should be asked to deliver again now: not STORING,
 * connected, and the retry is due. Then RETRYING, with the next retry due
 * INBOUND_RETRY_MS after now_ms. */
int inbound_retry_due(inbound_t *in, int connected, uint64_t now_ms);

/* The delivery at log_index has been handled without a storage failure
 * (stored, or dropped as invalid). Returns 1 if that ended a failure
 * (back to STORING), else 0. */
int inbound_done(inbound_t *in, uint64_t log_index);

/* 1 unless STORING. */
int inbound_failing(const inbound_t *in);

/* While failing, nothing new is started: sets err to the refusal naming
 * the ledger's error (or the clock's) and returns -1; returns 0 while
 * STORING. */
int inbound_refuse(const inbound_t *in, cc_err_t *err);

/* Milliseconds until the next retry is due (0 if overdue), or -1 when
 * none is pending. */
long inbound_timeout_ms(const inbound_t *in, uint64_t now_ms);

#endif
