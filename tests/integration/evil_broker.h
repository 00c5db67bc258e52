/* evil_broker: test-only misbehaviour compiled into a copy of the broker
 * (the `evil_broker` test program, built with CONCORD_EVIL_BROKER; never
 * the shipped concord-broker). It lets the integration tests check that
 * nodes do not trust the broker: every alteration, replay, reordering or
 * dropped log entry must be detected.
 *
 * Chosen by environment variables read at start:
 *   CONCORD_EVIL=alter|replay|reorder|log-drop|log-reorder|lose
 *   CONCORD_EVIL_VICTIM=CODE     deliveries to this organisation only
 *                                (alter, replay, reorder; default: all)
 *   CONCORD_EVIL_METHOD=TEXT     envelopes whose method contains TEXT only
 *                                (default: all)
 *   CONCORD_EVIL_INDEX=N         the log entry hidden or swapped with N+1
 *                                (log-drop, log-reorder)
 *   CONCORD_EVIL_RECHAIN=1       rewrite the log consistently: renumber,
 *                                recompute the chain, re-sign the head
 *
 * alter:   flips one byte of the signed bytes of each matching delivery.
 * replay:  sends each matching delivery again at a new log index, with a
 *          receipt the broker signs for it.
 * reorder: holds a matching delivery back and sends it after the next
 *          matching delivery to the same organisation (what comes in
 *          between, such as votes, passes as usual).
 * log-drop, log-reorder: Log/Read answers hide entry N or swap N and N+1.
 * lose:    ignores the first two submissions whose envelope bytes contain
 *          CONCORD_EVIL_METHOD (any text: a pool id will do), as if they
 *          had gone down with a connection. */
#ifndef CONCORD_EVIL_BROKER_H
#define CONCORD_EVIL_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"
#include "ledger.h"
#include "link.pb-c.h"
#include "log.pb-c.h"

/* Before a submission is handled: returns 1 if the broker should act as
 * if it never arrived. */
int evil_lose_submit(const uint8_t *raw, size_t len);

typedef void (*evil_send_fn)(void *arg, const uint8_t *frame, size_t len);

/* Before a delivery to `to` is packed: may alter d in place. Returns 1 if
 * the delivery is held back (the caller must not send it), else 0. */
int evil_before_delivery(const char *to, Concord__V1__Delivery *d);

/* After a delivery to `to` was sent: sends a replay of it, or the
 * delivery held back before it, through send. */
void evil_after_delivery(const char *to, const Concord__V1__Delivery *d, const keys_t *keys,
                         evil_send_fn send, void *arg);

/* Log/Read in a log-* mode: fills *out from the falsified log and returns
 * 1 (free with evil_log_read_free); returns 0 when not in such a mode. */
int evil_log_read(ledger_t *ledger, const keys_t *keys, uint64_t head_index,
                  const Concord__V1__LogReadRequest *in, Concord__V1__LogReadResponse *out);
void evil_log_read_free(Concord__V1__LogReadResponse *out);

#endif
