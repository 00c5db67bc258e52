/* SPDX-License-Identifier: Apache-2.0 */
/* store_pg: the broker's store in a PostgreSQL database (libpq), the
 * second implementation behind broker_store.h, with the same tables,
 * results and error codes as the SQLite broker ledger.
 *
 * Every write of a batch is in one transaction; the session runs with
 * synchronous_commit = on (off only when opened with fsync off, for
 * benchmarks), so a commit that returns 0 is on the server's disk. The
 * schema is versioned in the table schema_version and is created or
 * migrated only by store_pg_open with init (concord-broker --init-store),
 * under a transaction-scoped advisory lock so two brokers initialising at
 * once do not race. A lost connection fails the call in progress
 * (CC_UNAVAILABLE); the next transaction reconnects. */
#ifndef CONCORD_STORE_PG_H
#define CONCORD_STORE_PG_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "ledger.h"

/* The schema version this build writes. */
#define STORE_PG_SCHEMA_VERSION 2

/* How long a session may be silent before the server ends it (and with it
 * the active broker's lock): the longest a paused active broker holds up
 * its standbys. */
#define STORE_PG_SILENCE_MS 3000

typedef struct store_pg store_pg_t;

/* uri: a libpq connection URI. Returns NULL with err set: CC_UNAVAILABLE
 * when the server cannot be reached, CC_FAILED_PRECONDITION for a
 * database without the schema at this version (and no init). */
store_pg_t *store_pg_open(const char *uri, int fsync, int init, cc_err_t *err);
void store_pg_close(store_pg_t **p);

/* "postgresql database D on H:P as U" (never the password). */
const char *store_pg_name(const store_pg_t *p);

/* Active and standby brokers on one database: store_pg_acquire waits
 * (polling, until *stop) for the session advisory lock only the active
 * broker holds, then raises the fencing epoch in broker_epoch and keeps
 * it. From then on every transaction begins by checking, under a row
 * lock, that this epoch is still the newest: a broker that lost the lock
 * (its session ended while it was paused or cut off, and a standby raised
 * the epoch) can never commit again; its begin fails with CC_ABORTED and
 * store_pg_fenced becomes 1. Tries at least once. Returns 1 when
 * active, 0 if stopped, -1. */
int store_pg_acquire(store_pg_t *p, volatile int *stop, cc_err_t *err);
uint64_t store_pg_epoch(const store_pg_t *p);
int store_pg_fenced(const store_pg_t *p);

/* An empty transaction: keeps the session from being ended as silent,
 * reconnects after a broken connection, and checks the fence. */
int store_pg_keepalive(store_pg_t *p, cc_err_t *err);

int store_pg_begin(store_pg_t *p, cc_err_t *err);
int store_pg_commit(store_pg_t *p, cc_err_t *err);
void store_pg_rollback(store_pg_t *p);

int store_pg_log_head(store_pg_t *p, uint64_t *index, uint8_t leaf[32], cc_err_t *err);
int store_pg_log_append(store_pg_t *p, const ledger_log_entry_t *e, const char *const *to,
                        size_t n_to, cc_err_t *err);
int store_pg_log_find(store_pg_t *p, const uint8_t hash[32], uint64_t *index, uint64_t *time_ms,
                      cc_err_t *err);
int store_pg_log_has_call(store_pg_t *p, const char *sender, int kind, const uint8_t call_id[16],
                          cc_err_t *err);
int store_pg_log_read(store_pg_t *p, uint64_t from, uint32_t max, ledger_log_fn fn, void *arg,
                      cc_err_t *err);
int store_pg_log_senders(store_pg_t *p, ledger_sender_fn fn, void *arg, cc_err_t *err);
int store_pg_mailbox_read(store_pg_t *p, const char *recipient, uint64_t after, uint32_t max,
                          ledger_log_fn fn, void *arg, cc_err_t *err);
int store_pg_mailbox_ack(store_pg_t *p, const char *recipient, uint64_t index, cc_err_t *err);
uint64_t store_pg_mailbox_count(store_pg_t *p, const char *recipient);
uint64_t store_pg_mailbox_bytes(store_pg_t *p, const char *recipient);
int store_pg_log_leaves(store_pg_t *p, uint64_t from, uint32_t max, ledger_leaf_fn fn, void *arg,
                        cc_err_t *err);
int store_pg_mailbox_backfill(store_pg_t *p, const char *recipient, const char *audience,
                              uint64_t before, cc_err_t *err);
int store_pg_head_add(store_pg_t *p, uint64_t size, const uint8_t root[32], const uint8_t *head,
                      size_t head_len, cc_err_t *err);
int store_pg_heads(store_pg_t *p, ledger_head_fn fn, void *arg, cc_err_t *err);

#endif
