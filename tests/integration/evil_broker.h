/* SPDX-License-Identifier: Apache-2.0 */
/* evil_broker: the test broker. The `evil_broker` program links the
 * broker's own code (the concord_broker library) and runs it with the
 * hooks below (broker_hooks.h); the shipped concord-broker runs with none
 * and holds none of this code. It lets the integration tests check that
 * nodes do not trust the broker: every alteration, replay, reordering or
 * dropped log entry must be detected.
 *
 * Chosen by environment variables read at start:
 *   CONCORD_EVIL=alter|replay|reorder|log-drop|log-reorder|lose|fork|log-leaves|smuggle|impersonate
 *   CONCORD_EVIL_VICTIM=CODE     deliveries to this organisation only
 *                                (alter, replay, reorder; default: all)
 *   CONCORD_EVIL_METHOD=TEXT     envelopes whose method contains TEXT only
 *                                (default: all)
 *   CONCORD_EVIL_INDEX=N         the log entry hidden or swapped with N+1
 *                                (log-drop, log-reorder), or where the
 *                                victim's history forks (fork)
 *   CONCORD_EVIL_FILE=PATH       a packed Envelope (smuggle)
 *   CONCORD_EVIL_CLAIM=CODE      who the broker's Health answers claim to be
 *                                (impersonate)
 *   CONCORD_EVIL_RECHAIN=1       rewrite the log consistently: renumber,
 *                                recompute the leaves, re-sign the head
 *
 * alter:   flips one byte of the signed bytes of each matching delivery.
 * replay:  sends each matching delivery again at a new log index, with a
 *          receipt proved in a tree the broker signs for it.
 * reorder: holds a matching delivery back and sends it after the next
 *          matching delivery to the same organisation (what comes in
 *          between, such as votes, passes as usual).
 * log-drop, log-reorder: Log/Read answers hide entry N or swap N and N+1.
 * lose:    ignores the first two submissions whose envelope bytes contain
 *          CONCORD_EVIL_METHOD (any text: a pool id will do), as if they
 *          had gone down with a connection.
 * log-leaves: an honest Log/Read, except that entries of even index come
 *          as their leaf hash without their envelope, as to a reader not
 *          entitled to them.
 * fork:    proves every delivery to the victim (after entry N) in a tree
 *          whose leaf N differs, under heads signed for it alone: the
 *          victim holds two heads of one size (its own results carry the
 *          honest ones).
 * smuggle: after the first matching delivery, sends the envelope in
 *          CONCORD_EVIL_FILE (one the honest broker refuses, such as a
 *          proposal whose title is not UTF-8) at the next log index, with
 *          a receipt the broker signs for it.
 * impersonate: the broker's own Health/Check answers (which it signs)
 *          claim to come from CONCORD_EVIL_CLAIM. */
#ifndef CONCORD_EVIL_BROKER_H
#define CONCORD_EVIL_BROKER_H

#include "broker_hooks.h"

/* The misbehaviour, as hooks for broker_new. */
extern const broker_hooks_t evil_broker_hooks;

#endif
