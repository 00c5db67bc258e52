/* SPDX-License-Identifier: Apache-2.0 */
/* services: the requests the broker answers itself.
 *
 * An envelope addressed to the broker (KEYS_BROKER_CODE) is not logged:
 * it is dispatched to the broker's own services (Health/Check;
 * Log/Read, through which every node audits the broker's log; and
 * Reflection) and answered directly with a reply envelope the broker
 * seals, delivered on the asking connection after the batch commits. */
#ifndef CONCORD_SERVICES_H
#define CONCORD_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "broker_hooks.h"
#include "broker_store.h"
#include "envelope.h"
#include "err.h"
#include "heads.h"
#include "keys.h"
#include "outbox.h"

/* Entries per Log/Read answer, at most. */
#define SERVICES_LOG_READ_MAX 256

typedef struct services services_t;

/* Services over the broker's keys and ledger (both outlive them); hooks
 * is NULL in the real broker. Returns NULL with err set. */
services_t *services_new(const keys_t *keys, broker_store_t *ledger, const heads_t *heads,
                         const broker_hooks_t *hooks, cc_err_t *err);

/* Answers req (verified, addressed to the broker) when it is a request,
 * with the log's head at head_index: queues the sealed reply for the
 * connection id in out. Anything else addressed to the broker is
 * ignored. */
void services_answer(services_t *s, const envelope_t *req, uint64_t head_index, outbox_t *out,
                     const uint8_t *id, size_t id_len);

/* Whether organisation code is in the audience of board_id now. */
typedef int (*services_audience_fn)(const char *board_id, const char *code, void *arg);

/* Log/Read gives a reader the envelope of an entry only if it is
 * addressed to "*", to the reader, sent by the reader, or addressed to a
 * board whose audience fn (arg) says the reader is in; of any other
 * entry only its hash (PROTOCOL.md "Audiences"). Without fn, no board's
 * entries are given. */
void services_on_audience(services_t *s, services_audience_fn fn, void *arg);

void services_destroy(services_t **s);

#endif
