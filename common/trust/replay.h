/* SPDX-License-Identifier: Apache-2.0 */
/* replay: per-sender sequence guard. A sender's sequence numbers must rise
 * strictly; anything at or below the highest accepted one is a replay.
 * The guard is in memory; its owner rebuilds it from durable storage at
 * start (replay_commit for every stored envelope). */
#ifndef CONCORD_REPLAY_H
#define CONCORD_REPLAY_H

#include <stdint.h>

#include "err.h"

typedef struct replay replay_t;

replay_t *replay_new(void);

/* Returns 0 if seq is above the highest committed for sender, else -1 with
 * CC_ALREADY_EXISTS: "replay: sequence 4 from E38000217 is not above 7". */
int replay_check(const replay_t *r, const char *sender, uint64_t seq, cc_err_t *err);

/* Records seq as accepted for sender (keeps the maximum). Returns 0, or -1
 * if memory runs out. */
int replay_commit(replay_t *r, const char *sender, uint64_t seq);

/* The highest committed sequence for sender, 0 if none. */
uint64_t replay_last(const replay_t *r, const char *sender);

void replay_destroy(replay_t **r);

#endif
