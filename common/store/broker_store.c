/* SPDX-License-Identifier: Apache-2.0 */
/* broker_store: the broker's store, SQLite or PostgreSQL. */
#include "broker_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

/* Exactly one of the two is set. */
struct broker_store {
    ledger_t *sqlite;
    store_pg_t *pg;
    char name[CC_ERR_MSG_MAX];
};

broker_store_t *broker_store_open(const char *where, int fsync, int init, cc_err_t *err)
{
    broker_store_t *s = calloc(1, sizeof *s);
    if (!s) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    if (broker_store_is_postgresql(where)) {
        if (!(s->pg = store_pg_open(where, fsync, init, err))) {
            free(s);
            return NULL;
        }
        snprintf(s->name, sizeof s->name, "%s", store_pg_name(s->pg));
        return s;
    }
    if (!(s->sqlite = ledger_open(where, LEDGER_BROKER, fsync, err))) {
        free(s);
        return NULL;
    }
    snprintf(s->name, sizeof s->name, "sqlite %s", where);
    return s;
}

void broker_store_close(broker_store_t **sp)
{
    if (!sp || !*sp) {
        return;
    }
    ledger_close(&(*sp)->sqlite);
    store_pg_close(&(*sp)->pg);
    free(*sp);
    *sp = NULL;
}

const char *broker_store_name(const broker_store_t *s)
{
    return s->name;
}

const char *broker_store_kind(const broker_store_t *s)
{
    return s->pg ? "postgresql" : "sqlite";
}

int broker_store_acquire(broker_store_t *s, volatile int *stop, cc_err_t *err)
{
    return s->pg ? store_pg_acquire(s->pg, stop, err) : 1;
}

uint64_t broker_store_epoch(const broker_store_t *s)
{
    return s->pg ? store_pg_epoch(s->pg) : 0;
}

int broker_store_fenced(const broker_store_t *s)
{
    return s->pg ? store_pg_fenced(s->pg) : 0;
}

int broker_store_keepalive(broker_store_t *s, cc_err_t *err)
{
    return s->pg ? store_pg_keepalive(s->pg, err) : 0;
}

int broker_store_begin(broker_store_t *s, cc_err_t *err)
{
    return s->pg ? store_pg_begin(s->pg, err) : ledger_begin(s->sqlite, err);
}

int broker_store_commit(broker_store_t *s, cc_err_t *err)
{
    return s->pg ? store_pg_commit(s->pg, err) : ledger_commit(s->sqlite, err);
}

void broker_store_rollback(broker_store_t *s)
{
    if (s->pg) {
        store_pg_rollback(s->pg);
    } else {
        ledger_rollback(s->sqlite);
    }
}

int broker_store_log_head(broker_store_t *s, uint64_t *index, uint8_t leaf[32], cc_err_t *err)
{
    return s->pg ? store_pg_log_head(s->pg, index, leaf, err)
                 : ledger_log_head(s->sqlite, index, leaf, err);
}

int broker_store_log_append(broker_store_t *s, const ledger_log_entry_t *e, const char *const *to,
                            size_t n_to, cc_err_t *err)
{
    return s->pg ? store_pg_log_append(s->pg, e, to, n_to, err)
                 : ledger_log_append(s->sqlite, e, to, n_to, err);
}

int broker_store_log_find(broker_store_t *s, const uint8_t hash[32], uint64_t *index,
                          uint64_t *time_ms, cc_err_t *err)
{
    return s->pg ? store_pg_log_find(s->pg, hash, index, time_ms, err)
                 : ledger_log_find(s->sqlite, hash, index, time_ms, err);
}

int broker_store_log_has_call(broker_store_t *s, const char *sender, int kind,
                              const uint8_t call_id[16], cc_err_t *err)
{
    return s->pg ? store_pg_log_has_call(s->pg, sender, kind, call_id, err)
                 : ledger_log_has_call(s->sqlite, sender, kind, call_id, err);
}

int broker_store_log_read(broker_store_t *s, uint64_t from, uint32_t max, ledger_log_fn fn,
                          void *arg, cc_err_t *err)
{
    return s->pg ? store_pg_log_read(s->pg, from, max, fn, arg, err)
                 : ledger_log_read(s->sqlite, from, max, fn, arg, err);
}

int broker_store_log_senders(broker_store_t *s, ledger_sender_fn fn, void *arg, cc_err_t *err)
{
    return s->pg ? store_pg_log_senders(s->pg, fn, arg, err)
                 : ledger_log_senders(s->sqlite, fn, arg, err);
}

int broker_store_mailbox_read(broker_store_t *s, const char *recipient, uint64_t after,
                              uint32_t max, ledger_log_fn fn, void *arg, cc_err_t *err)
{
    return s->pg ? store_pg_mailbox_read(s->pg, recipient, after, max, fn, arg, err)
                 : ledger_mailbox_read(s->sqlite, recipient, after, max, fn, arg, err);
}

int broker_store_mailbox_ack(broker_store_t *s, const char *recipient, uint64_t index,
                             cc_err_t *err)
{
    return s->pg ? store_pg_mailbox_ack(s->pg, recipient, index, err)
                 : ledger_mailbox_ack(s->sqlite, recipient, index, err);
}

uint64_t broker_store_mailbox_count(broker_store_t *s, const char *recipient)
{
    return s->pg ? store_pg_mailbox_count(s->pg, recipient)
                 : ledger_mailbox_count(s->sqlite, recipient);
}

int broker_store_log_leaves(broker_store_t *s, uint64_t from, uint32_t max, ledger_leaf_fn fn,
                            void *arg, cc_err_t *err)
{
    return s->pg ? store_pg_log_leaves(s->pg, from, max, fn, arg, err)
                 : ledger_log_leaves(s->sqlite, from, max, fn, arg, err);
}

uint64_t broker_store_mailbox_bytes(broker_store_t *s, const char *recipient)
{
    return s->pg ? store_pg_mailbox_bytes(s->pg, recipient)
                 : ledger_mailbox_bytes(s->sqlite, recipient);
}

int broker_store_mailbox_backfill(broker_store_t *s, const char *recipient, const char *audience,
                                  uint64_t before, cc_err_t *err)
{
    return s->pg ? store_pg_mailbox_backfill(s->pg, recipient, audience, before, err)
                 : ledger_mailbox_backfill(s->sqlite, recipient, audience, before, err);
}

int broker_store_disk_check(const broker_store_t *s, uint32_t reserve_mb, size_t need,
                            const char *who, const char *what, cc_err_t *err)
{
    return s->pg ? 0 : ledger_disk_check(s->sqlite, reserve_mb, need, who, what, err);
}

int broker_store_head_add(broker_store_t *s, uint64_t size, const uint8_t root[32],
                          const uint8_t *head, size_t head_len, cc_err_t *err)
{
    return s->pg ? store_pg_head_add(s->pg, size, root, head, head_len, err)
                 : ledger_head_add(s->sqlite, size, root, head, head_len, err);
}

int broker_store_heads(broker_store_t *s, ledger_head_fn fn, void *arg, cc_err_t *err)
{
    return s->pg ? store_pg_heads(s->pg, fn, arg, err) : ledger_heads(s->sqlite, fn, arg, err);
}
