/* SPDX-License-Identifier: Apache-2.0 */
/* fixture: what the broker's unit tests share. Three organisations' keys
 * (A and B in the roster, C not), the broker's, a broker ledger in a
 * temporary directory, and a ROUTER configured as the broker's answering
 * side (inproc, ROUTER_MANDATORY) with a DEALER standing in for B's node.
 * Failures are cmocka assertions. */
#ifndef CONCORD_TESTS_BROKER_FIXTURE_H
#define CONCORD_TESTS_BROKER_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "broker_store.h"
#include "heads.h"
#include "keys.h"
#include "link.pb-c.h"
#include "roster.h"

#define FIXTURE_A "E38000217"
#define FIXTURE_B "E08000003"
#define FIXTURE_C "E06000001"

typedef struct {
    char dir[64];
    keys_t *a, *b, *c, *broker;
    roster_t *roster; /* the broker, A and B */
    broker_store_t *ledger; /* a broker ledger in dir */
    void *ctx;
    void *router;
    void *dealer;    /* B's node */
    uint8_t id[256]; /* its routing id at the router */
    size_t id_len;
    uint64_t head; /* the log as fixture_log wrote it */
    uint8_t leaf[32];      /* the newest entry's leaf hash */
    heads_t *heads;        /* its tree, a head signed after each entry */
    uint64_t seq; /* A's last sequence */
} fixture_t;

fixture_t *fixture_new(void);
void fixture_free(fixture_t *fx);

/* Connects a fresh DEALER for B (fx->dealer) and learns its routing id. */
void fixture_connect(fixture_t *fx);

/* Logs a real envelope from A to `to` (a code, "*" or "board:ID") as the broker does:
 * sealed, a leaf of the tree under a newly signed head, with a mailbox row for each of the n_rows
 * recipients. Returns its log index. */
uint64_t fixture_log(fixture_t *fx, const char *to, const char *const *rows, size_t n_rows);

/* The next frame on B's DEALER within ms, or NULL. */
Concord__V1__BrokerFrame *fixture_recv(fixture_t *fx, int ms);

#endif
