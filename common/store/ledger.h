/* SPDX-License-Identifier: Apache-2.0 */
/* ledger: durable storage in SQLite, and the only module that speaks SQL.
 *
 * A node's ledger (LEDGER_NODE) is an append-only record of every verified
 * envelope the node sent or received, with the broker's receipt for each.
 * The broker's store (LEDGER_BROKER) is its log of accepted
 * envelopes plus a mailbox row per recipient until that recipient has
 * acknowledged the delivery.
 *
 * Files use WAL with synchronous=FULL unless opened with fsync off (for
 * benchmarks only): a call that returns success has reached the disk.
 * Writes outside ledger_begin/ledger_commit commit one by one; between
 * them they commit together (group commit). */
#ifndef CONCORD_LEDGER_H
#define CONCORD_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

typedef enum { LEDGER_NODE = 1, LEDGER_BROKER = 2 } ledger_role_t;
typedef enum { LEDGER_IN = 0, LEDGER_OUT = 1 } ledger_dir_t;

typedef struct ledger ledger_t;

/* Opens (creating if needed) the store at path for role, created 0600
 * whatever the umask (an existing one loses group and other access), and
 * holds an exclusive lock on path.lock (flock, with this process's pid in
 * it) until ledger_close. Refuses a store another process holds
 * (CC_FAILED_PRECONDITION, "DATABASE_IN_USE: ... pid N ..."), a file made
 * for the other role (CC_FAILED_PRECONDITION) and a file that is not a
 * Concord store (CC_DATA_LOSS). Returns NULL with err set. */
ledger_t *ledger_open(const char *path, ledger_role_t role, int fsync, cc_err_t *err);

/* Opens an existing store read-only, without its lock (another process,
 * a running node, may hold it): for reading only, as `concord-broker
 * --recover` reads members' ledgers. Returns NULL with err set. */
ledger_t *ledger_open_readonly(const char *path, ledger_role_t role, cc_err_t *err);

void ledger_close(ledger_t **l);

/* Group commit. ledger_begin fails if a transaction is open. On commit
 * failure the transaction is rolled back and -1 returned. */
int ledger_begin(ledger_t *l, cc_err_t *err);
int ledger_commit(ledger_t *l, cc_err_t *err);
void ledger_rollback(ledger_t *l);

/* ---- node ledger ---- */

/* One envelope as stored. Pointers are borrowed (for appends) or valid
 * only during a callback (for reads). */
typedef struct {
    int64_t id;
    ledger_dir_t direction;
    const uint8_t *hash;             /* 32 bytes: SHA-256 of envelope */
    const uint8_t *envelope;
    size_t envelope_len;
    const char *sender;
    const char *recipient;
    const char *method;
    uint64_t sequence;
    int kind;                        /* Kind enum value */
    const uint8_t *call_id;          /* 16 bytes */
    uint64_t log_index;              /* 0 until a receipt is known */
    const uint8_t *receipt;          /* packed Receipt (head and proof), or NULL */
    size_t receipt_len;
    uint64_t stored_at_ms;
} ledger_entry_t;

/* Appends e (id and stored_at_ms are assigned). An envelope already
 * stored (same hash) is not stored twice: returns -1 with
 * CC_ALREADY_EXISTS and *id_out set to the existing entry. */
int ledger_append(ledger_t *l, const ledger_entry_t *e, int64_t *id_out, cc_err_t *err);

/* Records the broker's receipt for the stored envelope with this hash.
 * CC_NOT_FOUND if there is none. */
int ledger_set_receipt(ledger_t *l, const uint8_t hash[32], uint64_t log_index,
                       const uint8_t *receipt, size_t receipt_len, cc_err_t *err);

/* Replaces an envelope this node sent that has no receipt (old_hash) with
 * the same content sealed again under a new, higher sequence (new_hash,
 * env, sequence), and moves it to the end of append order, where that
 * sequence belongs. CC_NOT_FOUND if there is no such entry. Returns 0 or
 * -1. */
int ledger_reseal(ledger_t *l, const uint8_t old_hash[32], const uint8_t new_hash[32],
                  const uint8_t *env, size_t env_len, uint64_t sequence, cc_err_t *err);

/* 1 if an envelope with this hash is stored, 0 if not, -1 on error. When
 * log_index is not NULL it receives the broker log index stored for the
 * envelope (0 while none is known). */
int ledger_has(ledger_t *l, const uint8_t hash[32], uint64_t *log_index, cc_err_t *err);

/* Finds the reply this node sent for call_id to requester. Returns 1 and
 * a malloc'd copy in *env (caller frees), 0 if none, -1 on error. */
int ledger_find_reply(ledger_t *l, const uint8_t call_id[16], const char *requester,
                      uint8_t **env, size_t *env_len, cc_err_t *err);

/* Calls fn for every entry in append order; fn returns 0 to go on or -1 to
 * stop (ledger_replay then returns -1 with err as fn left it). */
typedef int (*ledger_entry_fn)(const ledger_entry_t *e, void *arg, cc_err_t *err);
int ledger_replay(ledger_t *l, ledger_entry_fn fn, void *arg, cc_err_t *err);

/* As ledger_replay, for the entries this node sent with this method only. */
int ledger_sent_replay(ledger_t *l, const char *method, ledger_entry_fn fn, void *arg,
                       cc_err_t *err);

/* Number of entries. */
uint64_t ledger_count(ledger_t *l);

/* Copies the stored envelope and receipt with this hash (malloc'd; the
 * receipt may come back NULL if none is known). Returns 1 if found, 0 if
 * not, -1 on error. */
int ledger_get(ledger_t *l, const uint8_t hash[32], uint8_t **env, size_t *env_len,
               uint8_t **receipt, size_t *receipt_len, cc_err_t *err);

/* Events (one-way envelopes to every member) are folded into domain state
 * in broker log order, once each. ledger_event_add records that the event
 * at log_index (an entry with this hash) has been folded: returns 1 if
 * newly recorded, 0 if it already was, -1 on error. */
int ledger_event_add(ledger_t *l, uint64_t log_index, const uint8_t hash[32], cc_err_t *err);

/* Calls fn for every recorded event's entry in log index order (the
 * entry's log_index field is the event's). */
int ledger_events_replay(ledger_t *l, ledger_entry_fn fn, void *arg, cc_err_t *err);

/* ---- broker log ---- */

typedef struct {
    uint64_t index;
    uint64_t time_ms;
    const uint8_t *leaf;             /* 32 bytes: its leaf hash (merkle.h) */
    const uint8_t *hash;             /* 32 bytes */
    const char *sender;
    const char *recipient;
    uint64_t sequence;
    int kind;
    const uint8_t *call_id;          /* 16 bytes */
    const uint8_t *envelope;
    size_t envelope_len;
} ledger_log_entry_t;

/* The newest entry's index and leaf hash; index 0 and 32 zero bytes for
 * an empty log. */
int ledger_log_head(ledger_t *l, uint64_t *index, uint8_t leaf[32], cc_err_t *err);

/* Appends e and a mailbox row for each of the n_to recipients (the
 * recipient itself, or every member for an event to "*"). e->index must be
 * head+1 (CC_FAILED_PRECONDITION otherwise); a duplicate hash or (sender,
 * kind, call id) gives CC_ALREADY_EXISTS. */
int ledger_log_append(ledger_t *l, const ledger_log_entry_t *e, const char *const *to,
                      size_t n_to, cc_err_t *err);

/* Looks up an accepted envelope by hash. Returns 1 with its log index and
 * time, 0 if absent, -1 on error. */
int ledger_log_find(ledger_t *l, const uint8_t hash[32], uint64_t *index, uint64_t *time_ms,
                    cc_err_t *err);

/* 1 if (sender, kind, call_id) was accepted before, 0 if not, -1 on error. */
int ledger_log_has_call(ledger_t *l, const char *sender, int kind, const uint8_t call_id[16],
                        cc_err_t *err);

/* Entries with index >= from, ascending, at most max. */
typedef int (*ledger_log_fn)(const ledger_log_entry_t *e, void *arg, cc_err_t *err);
int ledger_log_read(ledger_t *l, uint64_t from, uint32_t max, ledger_log_fn fn, void *arg,
                    cc_err_t *err);

/* The leaf hashes of the entries with index >= from, ascending, at most
 * max (what rebuilding the log's tree needs, without the envelopes). */
typedef int (*ledger_leaf_fn)(uint64_t index, const uint8_t leaf[32], void *arg, cc_err_t *err);
int ledger_log_leaves(ledger_t *l, uint64_t from, uint32_t max, ledger_leaf_fn fn, void *arg,
                      cc_err_t *err);

/* For every sender, the highest sequence accepted. */
typedef int (*ledger_sender_fn)(const char *sender, uint64_t last_sequence, void *arg);
int ledger_log_senders(ledger_t *l, ledger_sender_fn fn, void *arg, cc_err_t *err);

/* The recipient's undelivered entries with index > after, ascending, at
 * most max. */
int ledger_mailbox_read(ledger_t *l, const char *recipient, uint64_t after, uint32_t max,
                        ledger_log_fn fn, void *arg, cc_err_t *err);

/* Drops one mailbox row once its recipient has stored the delivery.
 * Acknowledging an index not in that mailbox is harmless (returns 0). */
int ledger_mailbox_ack(ledger_t *l, const char *recipient, uint64_t index, cc_err_t *err);

/* Puts into recipient's mailbox every logged entry addressed to audience
 * (a board's, "board:ID") with index < before that is not there yet: what
 * a new member of a board missed. Returns the number of rows added, or -1
 * with err. */
int ledger_mailbox_backfill(ledger_t *l, const char *recipient, const char *audience,
                            uint64_t before, cc_err_t *err);

/* Undelivered entries waiting for recipient. */
uint64_t ledger_mailbox_count(ledger_t *l, const char *recipient);
/* Whether the disk holding the store keeps reserve_mb MB free after need
 * more bytes (counted four times over: the WAL, the index, the
 * checkpoint). Returns 0 (also when reserve_mb is 0 or the disk cannot be
 * asked), or -1 with err set to RESOURCE_EXHAUSTED: "the WHO's disk has N
 * MB free, under its reserve (disk_reserve_mb = R): new WHAT are refused
 * until space returns". */
int ledger_disk_check(const ledger_t *l, uint32_t reserve_mb, size_t need, const char *who,
                      const char *what, cc_err_t *err);

/* The bytes the store holds (its pages, as this connection sees them,
 * whether checkpointed or still in the WAL); 0 on error. */
uint64_t ledger_size_bytes(ledger_t *l);

/* The bytes of the envelopes waiting in recipient's mailbox (0 on error). */
uint64_t ledger_mailbox_bytes(ledger_t *l, const char *recipient);

/* ---- signed tree heads (both roles) ---- */

/* Stores a packed SignedTreeHead of a tree of size entries with root.
 * Returns 1 if new, 0 if that (size, root) was already stored, -1. */
int ledger_head_add(ledger_t *l, uint64_t size, const uint8_t root[32], const uint8_t *head,
                    size_t head_len, cc_err_t *err);

/* Calls fn for every stored head, by ascending size (heads of one size
 * in the order stored). */
typedef int (*ledger_head_fn)(uint64_t size, const uint8_t root[32], const uint8_t *head,
                              size_t head_len, void *arg, cc_err_t *err);
int ledger_heads(ledger_t *l, ledger_head_fn fn, void *arg, cc_err_t *err);

#endif
