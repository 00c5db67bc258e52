/* SPDX-License-Identifier: Apache-2.0 */
/* broker_state: the broker's state, as the loop (broker.c) and the
 * accept path (accept.c) share it, and the metrics (broker_metrics.c)
 * read. Nothing else in broker/ includes this
 * header: ZAP, mailboxes, the outbox and the broker's own services are
 * modules with their own types, which this state holds. (The accept
 * path's unit test, tests/broker/test_accept.c, builds one from parts.) */
#ifndef CONCORD_BROKER_STATE_H
#define CONCORD_BROKER_STATE_H

#include <stdint.h>

#include "admission.h"
#include "broker_hooks.h"
#include "broker_store.h"
#include "config.h"
#include "gate.h"
#include "heads.h"
#include "keys.h"
#include "mailbox.h"
#include "outbox.h"
#include "quota.h"
#include "replay.h"
#include "services.h"
#include "vpool.h"
#include "zap.h"

struct broker {
    config_broker_t cfg;
    const broker_hooks_t *hooks;   /* NULL in the real broker */
    void *ctx;
    void *router;
    zap_t *zap;
    gate_t *gate;                  /* caps on un-authenticated connections */
    keys_t *keys;
    broker_store_t *ledger;
    /* The in-memory view of the log, rebuilt from disk at start and after
     * a batch failed to commit: */
    admission_t *adm;              /* the roster after everything logged */
    replay_t *replay;              /* each sender's highest logged sequence */
    uint64_t head_index;
    uint64_t store_ms;             /* monotonic time of the store's last transaction */
    heads_t *heads;                /* the log's tree and newest signed head */
    uint64_t last_time_ms;         /* receipt times never go backwards */
    uint64_t wall0_ms, mono0_ms;   /* both clocks at start: a jump is their drift */
    mailbox_t *mailbox;
    services_t *services;
    outbox_t *outbox;              /* answers of the batch running */
    quota_t *quota;                /* what each member may have logged (NULL: no limits) */
    int failed;                    /* the batch cannot commit / the log cannot be written */
    volatile int *stop;            /* broker_run's: set to stop (also while the store is away) */
    /* The loop's batch (broker.c): the messages read, and what the
     * verifier threads made of each. */
    vpool_t *pool;                 /* verify_threads threads (0: the loop alone) */
    struct broker_job *jobs;       /* two batches of OUTBOX_BATCH: this one, the next */
    int cur;                       /* which of the two is the next to handle */
    size_t n_held;                 /* its messages left by a failed batch, or */
    size_t n_next;                 /* its messages read ahead, their run started */
};

#endif
