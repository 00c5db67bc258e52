/* SPDX-License-Identifier: Apache-2.0 */
/* quota: how much each member may have the broker log.
 *
 * Every member's envelopes are stored by the broker and, for an event,
 * by every node: one member's volume is everyone's cost. The broker
 * therefore counts, per sender, the envelopes it logs and their bytes in
 * the current minute and the current day (fixed windows that start with
 * the first envelope counted), and refuses an envelope that would take a
 * sender over a limit, or an event over its size limit, with
 * RESOURCE_EXHAUSTED naming the limit, the member and when the window
 * resets. Nothing is dropped silently: the sender hears the refusal and
 * may resend after the reset. Counts live in memory: a restart of the
 * broker starts new windows. */
#ifndef CONCORD_QUOTA_H
#define CONCORD_QUOTA_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* The limits, from the broker's config; 0 means no limit. */
typedef struct {
    uint32_t envelopes_per_second; /* bursts */
    uint32_t bytes_per_second;
    uint32_t envelopes_per_minute;
    uint32_t bytes_per_minute;
    uint32_t envelopes_per_day;
    uint32_t bytes_per_day;
    uint32_t event_bytes; /* largest event (KIND_EVENT) envelope */
    uint32_t vote_bytes;  /* largest concord.v1.Board/Vote event */
    uint32_t direct_per_batch; /* requests to the broker itself answered per batch */
} quota_limits_t;

typedef struct quota quota_t;

/* Counts under limits (copied). Returns NULL when out of memory. */
quota_t *quota_new(const quota_limits_t *limits);

/* Per-member overrides, from the config key quota_scale: spec is a
 * comma-separated list of CODE:N (e.g. "E38000217:4, X24:0"), each
 * member's limits multiplied by N, 0 meaning no limits for it; empty:
 * none. Returns 0, or -1 with err set to INVALID_ARGUMENT naming the
 * part that is not CODE:N. */
int quota_scale(quota_t *q, const char *spec, cc_err_t *err);

/* Whether sender may have one more envelope of bytes bytes (an event if
 * is_event, with this method) logged at monotonic time now_ms. Returns 0,
 * or -1 with err set to RESOURCE_EXHAUSTED naming the limit (by its
 * config key), the sender and when it resets; or when out of memory. A
 * NULL q has no limits. */
int quota_check(quota_t *q, const char *sender, int is_event, const char *method, size_t bytes,
                uint64_t now_ms, cc_err_t *err);

/* Counts an envelope of bytes bytes from sender, logged at now_ms (after
 * quota_check allowed it). NULL-safe. */
void quota_charge(quota_t *q, const char *sender, size_t bytes, uint64_t now_ms);

/* A new batch of the broker's loop begins: every member's count of
 * requests to the broker itself starts again. NULL-safe. */
void quota_batch_begin(quota_t *q);

/* Whether sender may have one more request to the broker itself (a
 * Log/Read answer costs up to half a megabyte) answered in this batch.
 * A member that waits for each answer before asking again never meets
 * the limit; one that pipelines requests gets the rest refused cheaply,
 * so that one member's reads cannot fill a batch. Returns 0, or -1 with
 * err set to RESOURCE_EXHAUSTED. A NULL q has no limits. */
int quota_direct(quota_t *q, const char *sender, cc_err_t *err);

void quota_destroy(quota_t **q);

#endif
