/* SPDX-License-Identifier: Apache-2.0 */
/* broker_store: the broker's durable state behind one interface: its log
 * of accepted envelopes, the signed tree heads, the mailboxes, and through
 * the log the sequences and call ids already taken.
 *
 * Two implementations: a SQLite file (the ledger module's LEDGER_BROKER
 * role, the default and the embedded choice) and a PostgreSQL database
 * (store_pg), chosen by what the broker's configuration names: a path
 * selects SQLite, a "postgresql://" or "postgres://" URI PostgreSQL.
 * Both give the same group commit: writes between broker_store_begin and
 * broker_store_commit are one transaction, and a commit that returns 0
 * has reached the disk (SQLite's synchronous=FULL, PostgreSQL's
 * synchronous_commit = on) unless opened with fsync off (benchmarks). */
#ifndef CONCORD_BROKER_STORE_H
#define CONCORD_BROKER_STORE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "err.h"
#include "ledger.h"

typedef struct broker_store broker_store_t;

/* 1 if where names a PostgreSQL database ("postgresql://" or
 * "postgres://"), 0 if it is a SQLite path. Inline: the configuration
 * check calls it in every program, and only the broker links the store
 * itself (and libpq with it). */
static inline int broker_store_is_postgresql(const char *where)
{
    return !strncmp(where, "postgresql://", 13) || !strncmp(where, "postgres://", 11);
}

/* Opens the store at where. A SQLite file is created if absent (and init
 * changes nothing more). A PostgreSQL database must hold the broker's
 * schema at the current version: with init the schema is created or
 * migrated first (concord-broker --init-store); without it a database
 * without the schema, or with an older one, is refused
 * (CC_FAILED_PRECONDITION, saying to run --init-store). Returns NULL with
 * err set. */
broker_store_t *broker_store_open(const char *where, int fsync, int init, cc_err_t *err);

void broker_store_close(broker_store_t **s);

/* "sqlite <path>" or "postgresql database D on H:P as U" (never a
 * password), for the broker's own log. */
const char *broker_store_name(const broker_store_t *s);

/* "sqlite" or "postgresql": what the broker tells members (Health). */
const char *broker_store_kind(const broker_store_t *s);

/* Active and standby brokers (PostgreSQL only; store_pg.h): waits until
 * this broker is the active one of its store, polling until *stop.
 * Returns 1 when active, 0 if stopped, -1 on error. A SQLite store is
 * one broker's alone: 1 at once. */
int broker_store_acquire(broker_store_t *s, volatile int *stop, cc_err_t *err);

/* The fencing epoch this broker holds (0 for SQLite). */
uint64_t broker_store_epoch(const broker_store_t *s);

/* 1 once another broker has taken over this one's store: nothing more
 * of this broker's commits, and it must stop. */
int broker_store_fenced(const broker_store_t *s);

/* Called about once a second while idle: keeps a PostgreSQL session alive
 * (a silent one loses the active role), reconnects after a broken
 * connection and checks the fence. Nothing for SQLite. */
int broker_store_keepalive(broker_store_t *s, cc_err_t *err);

/* Group commit: ledger_begin/ledger_commit/ledger_rollback. */
int broker_store_begin(broker_store_t *s, cc_err_t *err);
int broker_store_commit(broker_store_t *s, cc_err_t *err);
void broker_store_rollback(broker_store_t *s);

/* The log, mailboxes and heads, as the ledger_log_*, ledger_mailbox_*,
 * ledger_head_add and ledger_heads functions of ledger.h (same
 * arguments, results and error codes). */
int broker_store_log_head(broker_store_t *s, uint64_t *index, uint8_t leaf[32], cc_err_t *err);
int broker_store_log_append(broker_store_t *s, const ledger_log_entry_t *e, const char *const *to,
                            size_t n_to, cc_err_t *err);
int broker_store_log_find(broker_store_t *s, const uint8_t hash[32], uint64_t *index,
                          uint64_t *time_ms, cc_err_t *err);
int broker_store_log_has_call(broker_store_t *s, const char *sender, int kind,
                              const uint8_t call_id[16], cc_err_t *err);
int broker_store_log_read(broker_store_t *s, uint64_t from, uint32_t max, ledger_log_fn fn,
                          void *arg, cc_err_t *err);
int broker_store_log_senders(broker_store_t *s, ledger_sender_fn fn, void *arg, cc_err_t *err);
int broker_store_mailbox_read(broker_store_t *s, const char *recipient, uint64_t after,
                              uint32_t max, ledger_log_fn fn, void *arg, cc_err_t *err);
int broker_store_mailbox_ack(broker_store_t *s, const char *recipient, uint64_t index,
                             cc_err_t *err);
uint64_t broker_store_mailbox_count(broker_store_t *s, const char *recipient);
/* As ledger_log_leaves, ledger_mailbox_bytes and ledger_mailbox_backfill
 * (ledger.h). */
int broker_store_log_leaves(broker_store_t *s, uint64_t from, uint32_t max, ledger_leaf_fn fn,
                            void *arg, cc_err_t *err);
uint64_t broker_store_mailbox_bytes(broker_store_t *s, const char *recipient);
int broker_store_mailbox_backfill(broker_store_t *s, const char *recipient, const char *audience,
                                  uint64_t before, cc_err_t *err);
/* As ledger_disk_check for an SQLite store; 0 for PostgreSQL, whose disk
 * is the database server's and watched by its operators. */
int broker_store_disk_check(const broker_store_t *s, uint32_t reserve_mb, size_t need,
                            const char *who, const char *what, cc_err_t *err);
int broker_store_head_add(broker_store_t *s, uint64_t size, const uint8_t root[32],
                          const uint8_t *head, size_t head_len, cc_err_t *err);
int broker_store_heads(broker_store_t *s, ledger_head_fn fn, void *arg, cc_err_t *err);

#endif
