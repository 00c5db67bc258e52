/* SPDX-License-Identifier: Apache-2.0 */
/* outbox: the broker's answers held back until the batch that produced
 * them is durable (group commit). Results, receipts and the replies of
 * the broker's own services are queued while a batch runs; the loop
 * sends them all after the commit, or drops them all if it failed, so
 * that no sender hears of an envelope the log does not hold. */
#ifndef CONCORD_OUTBOX_H
#define CONCORD_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "heads.h"
#include "link.pb-c.h"

/* Frames a batch may queue: at most one answer per message read, and a
 * batch reads at most OUTBOX_BATCH messages. */
#define OUTBOX_BATCH 256
/* The longest ROUTER routing id kept (libzmq's are 5 bytes). */
#define OUTBOX_ID_MAX 256

typedef struct outbox outbox_t;

outbox_t *outbox_new(void);

/* Queues frame f for the connection id (id_len <= OUTBOX_ID_MAX). A frame
 * that cannot be encoded is logged and dropped. */
void outbox_queue(outbox_t *o, const uint8_t *id, size_t id_len,
                  const Concord__V1__BrokerFrame *f);

/* Queues a SubmitResult for the envelope hash (NULL if the frame was not
 * even an envelope), with status code and msg, and, when log_index is not
 * 0 (accepted, or already accepted), a receipt for that entry (accepted
 * at time_ms): built at the flush, against the head the batch signed. */
void outbox_result(outbox_t *o, const uint8_t *id, size_t id_len, const uint8_t hash[32],
                   cc_code_t code, const char *msg, uint64_t log_index, uint64_t time_ms);

/* How many SubmitResults were queued with each status code (index: the
 * cc_code_t, 0..OUTBOX_CODES-1) since the outbox was made: the envelopes
 * submitted, accepted (CC_OK), resent (CC_ALREADY_EXISTS) and refused by
 * reason, for the metrics. */
#define OUTBOX_CODES 17
const uint64_t *outbox_result_counts(const outbox_t *o);

/* Sends one packed frame to id on router now, without waiting. Returns -1
 * (errno set) if the peer is gone or its queue is full. */
int outbox_send(void *router, const uint8_t *id, size_t id_len, const uint8_t *frame,
                size_t len);

/* Sends everything queued on router, in order, receipts proved against
 * the newest head of heads; a frame whose peer is gone is dropped.
 * Empties the outbox. */
void outbox_flush(outbox_t *o, void *router, const heads_t *heads);

/* Drops everything queued. */
void outbox_drop(outbox_t *o);

void outbox_destroy(outbox_t **o);

#endif
