/* SPDX-License-Identifier: Apache-2.0 */
/* fold: the log-order guard every domain engine (boards, pools) applies
 * before folding an event: events must come in strictly rising broker log
 * order, or the engines of different nodes could diverge. */
#ifndef CONCORD_FOLD_H
#define CONCORD_FOLD_H

#include <stdint.h>

#include "envelope.h"
#include "err.h"
#include "roster.h"

typedef struct {
    int started;
    uint64_t last_index;
} fold_order_t;

/* One event as the broker logged it, as the engines fold it (board_event_t
 * and pool_event_t are this type). The sender is already verified
 * (signature against the roster) by the caller. */
typedef struct {
    const char *sender;
    uint64_t log_index;     /* strictly increasing across calls */
    uint64_t time_ms;       /* broker receipt time */
    const uint8_t *call_id; /* 16 bytes; a proposal's id is its lower-case hex */
    const uint8_t *hash;    /* 32 bytes: SHA-256 of the packed Envelope */
    const char *method;     /* the engine's method names */
    const char *recipient;  /* "*" or "board:ID" as addressed; NULL: not checked */
    const uint8_t *body;    /* the packed message the method names */
    size_t body_len;
    const uint8_t *person_sig; /* KEYS_SIG_LEN bytes: the person's signature, or NULL */
} fold_event_t;

/* The event of the opened envelope env, logged at log_index and received
 * by the broker at time_ms. Its pointers borrow from env. */
fold_event_t fold_event_of(const envelope_t *env, uint64_t log_index, uint64_t time_ms);

/* Returns 1 if log_index comes after everything folded so far; otherwise
 * 0 with FAILED_PRECONDITION in err. */
int fold_order_ok(const fold_order_t *o, uint64_t log_index, cc_err_t *err);

/* Records that the event at log_index has been folded. */
void fold_order_advance(fold_order_t *o, uint64_t log_index);

/* Whether env may be folded at all: only events sent to every member
 * ("*") or to a board's members ("board:ID") count, since one sent to a
 * single node would put it out of step with the others (whether a board
 * event has the audience it must have is its engine's check). Logs
 * (naming `what`, e.g. "board") and returns 0 if not. */
int fold_broadcast_ok(const envelope_t *env, uint64_t log_index, const char *what);

/* Logs an engine's verdict on an event: accepted or refused with the
 * reason; nothing while quiet (replaying at start) unless memory ran out,
 * which leaves this node behind the federation until it restarts. */
void fold_log_verdict(const char *what, const envelope_t *env, uint64_t log_index, int accepted,
                      const cc_err_t *why, int quiet);

/* An opened event handed to an engine by a replay (ledger_fold_replay,
 * certificate_replay), with its broker receipt's time. */
typedef void (*fold_event_fn)(const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                              void *arg);

#endif
