/* SPDX-License-Identifier: Apache-2.0 */
/* unit_fixture: what the engine unit tests (test_board, test_pool) share:
 * a roster of made-up keys for real organisation codes, and a log of the
 * events fed to an engine, kept so that the same events can be replayed
 * into another engine. Failures are cmocka assertions. */
#ifndef CONCORD_UNIT_FIXTURE_H
#define CONCORD_UNIT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "fold.h"
#include "roster.h"

/* A roster named federation of n organisations, codes[i] of kinds[i]
 * (KIND names as keys_generate takes them), each with fresh keys, and a
 * broker. NULL if any cannot be made. The caller destroys it. */
roster_t *unit_roster(const char *federation, const char *const *codes,
                      const char *const *kinds, size_t n);

/* One event as fed to an engine, with its own copies of the bytes. */
typedef struct {
    char *sender;
    char *method;
    uint8_t call_id[16];
    uint8_t hash[32];
    uint8_t *body;
    size_t body_len;
    uint64_t log_index;
    uint64_t time_ms;
} unit_logged_t;

typedef struct {
    unit_logged_t *at; /* log order */
    size_t n;
} unit_log_t;

/* Appends a copy of an event logged at log_index and received at time_ms,
 * with a hash derived from the log index; returns the entry, valid until
 * the next append. (Tests choose the index to feed events out of order.) */
unit_logged_t *unit_log_add(unit_log_t *log, const char *sender, const char *method,
                            const uint8_t *body, size_t len, const uint8_t call_id[16],
                            uint64_t log_index, uint64_t time_ms);

/* The event an engine folds for a logged entry (pointers into it). */
fold_event_t unit_log_event(const unit_logged_t *l);

void unit_log_free(unit_log_t *log);

#endif
