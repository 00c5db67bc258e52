/* SPDX-License-Identifier: Apache-2.0 */
/* broker_hooks: the points where a test broker may misbehave.
 *
 * The real broker runs with no hooks (NULL). The `evil_broker` test
 * program (tests/integration/evil_broker.c) links the same broker code
 * and passes a table of these, so that the integration tests can check
 * that nodes catch a broker that alters, replays, reorders or loses
 * envelopes, or falsifies its log. Any entry may be NULL. */
#ifndef CONCORD_BROKER_HOOKS_H
#define CONCORD_BROKER_HOOKS_H

#include <stddef.h>
#include <stdint.h>

#include "broker_store.h"
#include "keys.h"
#include "link.pb-c.h"
#include "log.pb-c.h"
#include "merkle.h"

/* Sends one packed BrokerFrame on the connection a delivery went to. */
typedef void (*broker_hooks_send_fn)(void *arg, const uint8_t *frame, size_t len);

typedef struct {
    /* Before a submission is handled: 1 if the broker should act as if it
     * never arrived. */
    int (*lose_submit)(const uint8_t *raw, size_t len);
    /* Before a delivery to `to` is packed: may alter d in place. 1 if the
     * delivery is held back (the broker counts it as sent but does not
     * send it), else 0. */
    int (*before_delivery)(const char *to, Concord__V1__Delivery *d);
    /* Before a delivery to `to` is packed, with the log's tree: may
     * replace the receipt's head and path (with storage of its own, valid
     * until the next call): a broker that forks its log. */
    void (*delivery_receipt)(const char *to, const merkle_t *tree, const keys_t *keys,
                             Concord__V1__Receipt *r);
    /* After a delivery to `to` was sent: may send more through send. */
    void (*after_delivery)(const char *to, const Concord__V1__Delivery *d, const keys_t *keys,
                           broker_hooks_send_fn send, void *arg);
    /* Log/Read (from_index >= 1): 1 if it filled *out itself (then
     * log_read_free releases it after the answer is sent), 0 to let the
     * broker answer. */
    int (*log_read)(broker_store_t *ledger, const keys_t *keys, const merkle_t *tree,
                    uint64_t head_index, const Concord__V1__LogReadRequest *in,
                    Concord__V1__LogReadResponse *out);
    void (*log_read_free)(Concord__V1__LogReadResponse *out);
    /* How far the broker's wall clock is off (ms, either way): a broker
     * whose clock is wrong, or jumps, while it runs. */
    int64_t (*clock_offset_ms)(void);
    /* The organisation code the broker's Health/Check answer claims
     * (NULL: "broker"): a broker answering as someone else. */
    const char *(*health_code)(void);
} broker_hooks_t;

#endif
