/* SPDX-License-Identifier: Apache-2.0 */
/* accept: what the broker does with an envelope a member submits.
 *
 * It opens the envelope (size, signature against the roster as it stands
 * after everything logged, sender = the connection's authenticated
 * organisation), checks where it goes, answers a resend of an accepted
 * envelope with its receipt, checks the deadline, the call id and the
 * sequence, and then appends it to the hash-chained log with a mailbox
 * row for each recipient and queues its signed receipt. Envelopes to the
 * broker itself go to its services instead. Every refusal is answered
 * with its status and reason. All of it within the running batch: no
 * answer leaves before the batch commits. */
#ifndef CONCORD_ACCEPT_H
#define CONCORD_ACCEPT_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "err.h"

struct broker; /* broker_state.h */

/* The broker accepts envelopes up to half the envelope limit, so that
 * every log entry fits, alone, in one Log/Read answer (an envelope). */
#define ACCEPT_ENVELOPE_MAX (ENVELOPE_MAX / 2)

/* The broker's wall clock in ms (the test broker's hooks may set it
 * off). */
uint64_t accept_wall_ms(const struct broker *b);

/* Whether the wall clock has drifted from the monotonic clock since the
 * broker started by more than clock_jump_max_ms (someone set it, or a
 * virtual machine was restored). Returns 0, or -1 with err set to
 * UNAVAILABLE naming the jump: no receipt is issued meanwhile, so that a
 * wrong time never enters the log, and senders retry until the clock is
 * set right again. */
int accept_clock_check(const struct broker *b, cc_err_t *err);

/* Handles the envelope raw (raw_len bytes) submitted on the connection id
 * of who (its ZAP User-Id). Sets b's failed flag if the log could not be
 * read or written. */
void accept_submit(struct broker *b, const char *who, const uint8_t *id, size_t id_len,
                   const uint8_t *raw, size_t raw_len);

/* Appends env, an entry rebuilt from members' ledgers (broker_recover),
 * at the next log index with the time its receipt carried, with its
 * mailbox rows, as an accepted envelope is; nothing is answered. Within a
 * transaction the caller opened. Returns 0 or -1. */
int accept_restore(struct broker *b, const envelope_t *env, uint64_t time_ms, cc_err_t *err);

/* As accept_submit, with what a verifier thread did beforehand (broker.c):
 * hash is the SHA-256 of raw, and pre (NULL: none) the envelope opened
 * with pk (NULL: none), the signing key who had in the roster when the
 * batch was read. pre stands in for opening the envelope only if who
 * still has that key; otherwise, or without pre, the envelope is opened
 * here against the roster as it stands, which also gives every refusal
 * its reason. Takes pre (frees it in every case). */
void accept_submit_opened(struct broker *b, const char *who, const uint8_t *id, size_t id_len,
                          const uint8_t *raw, size_t raw_len, const uint8_t hash[32],
                          envelope_t *pre, const uint8_t *pk);

#endif
