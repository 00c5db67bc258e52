/* SPDX-License-Identifier: Apache-2.0 */
/* waits: CLI requests that published an event and wait for it to come
 * back through the broker and be folded, so that the CLI can report the
 * verdict every node reached, not merely that something was sent. Shared
 * by boards and pools. */
#ifndef CONCORD_WAITS_H
#define CONCORD_WAITS_H

#include <stddef.h>
#include <stdint.h>

#include "control.h"
#include "envelope.h"

typedef struct waits waits_t;

/* What the answer callback learns of a resolved wait. */
typedef struct {
    void *call;          /* the control call to answer (control_answer) */
    const char *subject; /* what the request was about (a pool id, ...), or "" */
    int tag;             /* the caller's own marker */
} waits_entry_t;

/* Called for a wait whose event was accepted; it must answer the CLI. */
typedef void (*waits_answer_fn)(const waits_entry_t *w, const envelope_t *env, void *arg);

/* Waits give up after timeout_ms, telling the CLI to look with `hint`
 * (e.g. "concord pool show"). NULL when out of memory. */
waits_t *waits_new(uint32_t timeout_ms, const char *hint);

/* Waits for the event with this hash, keeping control call `call` to
 * answer then. Answers RESOURCE_EXHAUSTED at once if it cannot. */
void waits_add(waits_t *w, void *call, const uint8_t hash[32], const char *subject, int tag);

/* The event env was folded: a refused one answers its waiting request with
 * the refusal; an accepted one calls fn to answer. */
void waits_resolve(waits_t *w, const envelope_t *env, int accepted, const cc_err_t *why,
                   waits_answer_fn fn, void *arg);

/* The monotonic time (clock_mono_ms) at which the first request still
 * waiting gives up, or 0 if none waits: the node's timer for waits_tick. */
uint64_t waits_deadline(const waits_t *w);

/* Answers DEADLINE_EXCEEDED to requests that waited too long. */
void waits_tick(waits_t *w);

/* The broker refused the event hash: its request (if one waits) is
 * answered with why. */
void waits_refuse(waits_t *w, const uint8_t hash[32], const cc_err_t *why);

/* The event old_hash was sealed again as new_hash: its request now waits
 * for that. */
void waits_rehash(waits_t *w, const uint8_t old_hash[32], const uint8_t new_hash[32]);

/* Answers CANCELLED to every request still waiting, then frees. */
void waits_destroy(waits_t **w);

#endif
