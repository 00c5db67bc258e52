/* SPDX-License-Identifier: Apache-2.0 */
/* broker: the combined authority's router. Admits only roster transport
 * keys (ZAP), verifies every envelope's signature and sequence before
 * routing it, appends it to a hash-chained log, answers with a signed
 * receipt, and keeps it in the recipient's durable mailbox until the
 * recipient acknowledges it. */
#ifndef CONCORD_BROKER_H
#define CONCORD_BROKER_H

#include <stddef.h>

#include "broker_hooks.h"
#include "config.h"
#include "err.h"

typedef struct broker broker_t;

/* Loads keys, roster and log; binds the ZAP handler and the ROUTER.
 * hooks is NULL, except in the test broker (broker_hooks.h); it must
 * outlive the broker. Returns NULL with err set (the caller logs it and
 * exits). */
/* With a PostgreSQL store shared by several brokers, waits (a standby,
 * not listening) until this one is the active broker, or until *stop is
 * set (then NULL with CC_CANCELLED); stop may be NULL (no end). */
broker_t *broker_new(const config_broker_t *cfg, const broker_hooks_t *hooks, volatile int *stop,
                     cc_err_t *err);

/* Serves until *stop becomes non-zero (set from a signal handler).
 * Returns 0 on a clean stop, -1 if the log failed. */
int broker_run(broker_t *b, volatile int *stop);

/* Rebuilds the log's lost tail from members' ledgers (recover.h), before
 * the broker serves. Returns 0 or -1 with err set (the log unchanged). */
int broker_recover(broker_t *b, const char *const *ledgers, size_t n, cc_err_t *err);

void broker_destroy(broker_t **b);

#endif
