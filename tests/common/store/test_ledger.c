/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for ledger: node ledger append/replay and the broker's log
 * and mailboxes, on real SQLite files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "ledger.h"

static char s_dir[64];

static int s_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/concord-test-ledger-XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void s_path(char *out, size_t size, const char *name)
{
    snprintf(out, size, "%s/%s", s_dir, name);
}

/* Fills an entry whose bytes all derive from n. */
static void s_entry(ledger_entry_t *e, uint8_t *hash, uint8_t *env, uint8_t *call, int n,
                    ledger_dir_t dir)
{
    memset(hash, n, 32);
    memset(env, n, 40);
    memset(call, n, 16);
    *e = (ledger_entry_t){
        .direction = dir,
        .hash = hash,
        .envelope = env,
        .envelope_len = 40,
        .sender = dir == LEDGER_OUT ? "E38000217" : "E08000003",
        .recipient = dir == LEDGER_OUT ? "E08000003" : "E38000217",
        .method = "concord.v1.Health/Check",
        .sequence = (uint64_t)n,
        .kind = dir == LEDGER_OUT ? 2 : 1,
        .call_id = call,
    };
}

typedef struct {
    int count;
    uint64_t seqs[16];
    int with_receipt;
} s_seen_t;

static int s_collect(const ledger_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    s_seen_t *s = arg;
    s->seqs[s->count++] = e->sequence;
    s->with_receipt += e->receipt != NULL;
    return 0;
}

static void test_ledger_append_replay(void **state)
{
    (void)state;
    char path[128];
    uint8_t hash[32], env[40], call[16];
    ledger_entry_t e;
    cc_err_t err;
    int64_t id = 0;
    s_path(path, sizeof path, "node.db");
    ledger_t *l = ledger_open(path, LEDGER_NODE, 1, &err);
    assert_non_null(l);
    for (int n = 1; n <= 5; n++) {
        s_entry(&e, hash, env, call, n, n % 2 ? LEDGER_IN : LEDGER_OUT);
        assert_int_equal(ledger_append(l, &e, &id, &err), 0);
        assert_int_equal(id, n);
    }
    /* The same envelope again is refused and names the stored entry. */
    s_entry(&e, hash, env, call, 3, LEDGER_IN);
    assert_int_equal(ledger_append(l, &e, &id, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    assert_int_equal(id, 3);
    memset(hash, 4, 32);
    assert_int_equal(ledger_set_receipt(l, hash, 77, (const uint8_t *)"rcpt", 4, &err), 0);
    memset(hash, 99, 32);
    assert_int_equal(ledger_set_receipt(l, hash, 78, (const uint8_t *)"rcpt", 4, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    ledger_close(&l);
    assert_null(l);

    /* Reopened, the ledger replays exactly what was appended, in order. */
    l = ledger_open(path, LEDGER_NODE, 1, &err);
    assert_non_null(l);
    assert_int_equal(ledger_count(l), 5);
    s_seen_t seen = {0};
    assert_int_equal(ledger_replay(l, s_collect, &seen, &err), 0);
    assert_int_equal(seen.count, 5);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(seen.seqs[i], (uint64_t)(i + 1));
    }
    assert_int_equal(seen.with_receipt, 1);
    /* Only what this node sent, by method: entries 2 and 4. */
    memset(&seen, 0, sizeof seen);
    assert_int_equal(ledger_sent_replay(l, "concord.v1.Health/Check", s_collect, &seen, &err), 0);
    assert_int_equal(seen.count, 2);
    assert_int_equal(seen.seqs[0], 2);
    assert_int_equal(seen.seqs[1], 4);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(ledger_sent_replay(l, "concord.v1.Board/Vote", s_collect, &seen, &err), 0);
    assert_int_equal(seen.count, 0);
    uint64_t at = 9;
    memset(hash, 2, 32);
    assert_int_equal(ledger_has(l, hash, &at, &err), 1);
    assert_int_equal(at, 0); /* no receipt yet: no log index */
    memset(hash, 4, 32);
    assert_int_equal(ledger_has(l, hash, &at, &err), 1);
    assert_int_equal(at, 77);
    memset(hash, 42, 32);
    assert_int_equal(ledger_has(l, hash, &at, &err), 0);
    assert_int_equal(at, 0);
    ledger_close(&l);
}

static void test_ledger_find_reply(void **state)
{
    (void)state;
    char path[128];
    uint8_t hash[32], env[40], call[16];
    ledger_entry_t e;
    cc_err_t err;
    uint8_t *out = NULL;
    size_t out_len = 0;
    s_path(path, sizeof path, "reply.db");
    ledger_t *l = ledger_open(path, LEDGER_NODE, 0, &err);
    assert_non_null(l);
    s_entry(&e, hash, env, call, 7, LEDGER_OUT); /* a reply to E08000003 */
    assert_int_equal(ledger_append(l, &e, NULL, &err), 0);
    assert_int_equal(ledger_find_reply(l, call, "E08000003", &out, &out_len, &err), 1);
    assert_int_equal(out_len, 40);
    assert_memory_equal(out, env, 40);
    free(out);
    /* Not for another requester, nor another call. */
    assert_int_equal(ledger_find_reply(l, call, "X24", &out, &out_len, &err), 0);
    memset(call, 8, 16);
    assert_int_equal(ledger_find_reply(l, call, "E08000003", &out, &out_len, &err), 0);
    ledger_close(&l);
}

static void test_ledger_transaction_rollback(void **state)
{
    (void)state;
    char path[128];
    uint8_t hash[32], env[40], call[16];
    ledger_entry_t e;
    cc_err_t err;
    s_path(path, sizeof path, "txn.db");
    ledger_t *l = ledger_open(path, LEDGER_NODE, 1, &err);
    assert_non_null(l);
    assert_int_equal(ledger_begin(l, &err), 0);
    s_entry(&e, hash, env, call, 1, LEDGER_IN);
    assert_int_equal(ledger_append(l, &e, NULL, &err), 0);
    ledger_rollback(l);
    assert_int_equal(ledger_count(l), 0);
    assert_int_equal(ledger_begin(l, &err), 0);
    assert_int_equal(ledger_append(l, &e, NULL, &err), 0);
    assert_int_equal(ledger_commit(l, &err), 0);
    ledger_close(&l);
    l = ledger_open(path, LEDGER_NODE, 1, &err);
    assert_non_null(l);
    assert_int_equal(ledger_count(l), 1);
    ledger_close(&l);
}

static void test_ledger_refuses_wrong_role_and_garbage(void **state)
{
    (void)state;
    char path[128];
    cc_err_t err;
    s_path(path, sizeof path, "role.db");
    ledger_t *l = ledger_open(path, LEDGER_NODE, 1, &err);
    assert_non_null(l);
    ledger_close(&l);
    assert_null(ledger_open(path, LEDGER_BROKER, 1, &err));
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "node store"));

    s_path(path, sizeof path, "garbage.db");
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++) {
        fputs("this is not a database file at all ", f);
    }
    fclose(f);
    assert_null(ledger_open(path, LEDGER_NODE, 1, &err));
    assert_int_equal(err.code, CC_DATA_LOSS);
}

static void s_log_entry(ledger_log_entry_t *e, uint64_t index, uint8_t *chain, uint8_t *hash,
                        uint8_t *call, const char *recipient)
{
    memset(chain, (int)index, 32);
    memset(hash, (int)index, 32);
    memset(call, (int)index, 16);
    *e = (ledger_log_entry_t){
        .index = index,
        .time_ms = 1700000000000ull + index,
        .leaf = chain,
        .hash = hash,
        .sender = "E38000217",
        .recipient = recipient,
        .sequence = index,
        .kind = 1,
        .call_id = call,
        .envelope = hash,
        .envelope_len = 32,
    };
}

typedef struct {
    uint64_t idx[16];
    int n;
} s_idx_t;

static int s_log_collect(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    s_idx_t *s = arg;
    s->idx[s->n++] = e->index;
    return 0;
}

static int s_leaf_collect(uint64_t index, const uint8_t leaf[32], void *arg, cc_err_t *err)
{
    (void)err;
    s_idx_t *s = arg;
    assert_int_equal(leaf[0], (uint8_t)index); /* s_log_entry's leaf is its index */
    s->idx[s->n++] = index;
    return 0;
}

static int s_sender(const char *sender, uint64_t last, void *arg)
{
    assert_string_equal(sender, "E38000217");
    *(uint64_t *)arg = last;
    return 0;
}

static void test_ledger_broker_log_and_mailbox(void **state)
{
    (void)state;
    char path[128];
    uint8_t chain[32], hash[32], call[16], head_chain[32];
    ledger_log_entry_t e;
    cc_err_t err;
    uint64_t head = 99;
    s_path(path, sizeof path, "broker.db");
    ledger_t *l = ledger_open(path, LEDGER_BROKER, 1, &err);
    assert_non_null(l);
    assert_int_equal(ledger_log_head(l, &head, head_chain, &err), 0);
    assert_int_equal(head, 0);
    for (uint64_t i = 1; i <= 4; i++) {
        s_log_entry(&e, i, chain, hash, call, i % 2 ? "E08000003" : "X24");
        assert_int_equal(ledger_log_append(l, &e, &e.recipient, 1, &err), 0);
    }
    /* Gaps and rewrites of the log are refused. */
    s_log_entry(&e, 6, chain, hash, call, "X24");
    assert_int_equal(ledger_log_append(l, &e, &e.recipient, 1, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    s_log_entry(&e, 5, chain, hash, call, "X24");
    memset(hash, 2, 32); /* same envelope as entry 2 */
    assert_int_equal(ledger_log_append(l, &e, &e.recipient, 1, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    ledger_close(&l);

    l = ledger_open(path, LEDGER_BROKER, 1, &err);
    assert_non_null(l);
    assert_int_equal(ledger_log_head(l, &head, head_chain, &err), 0);
    assert_int_equal(head, 4);
    memset(chain, 4, 32);
    assert_memory_equal(head_chain, chain, 32);
    /* The leaves alone, from 2, two of them. */
    s_idx_t leaves = {0};
    assert_int_equal(ledger_log_leaves(l, 2, 2, s_leaf_collect, &leaves, &err), 0);
    assert_int_equal(leaves.n, 2);
    assert_int_equal(leaves.idx[0], 2);
    assert_int_equal(leaves.idx[1], 3);
    uint64_t at = 0, at_ms = 0;
    memset(hash, 3, 32);
    assert_int_equal(ledger_log_find(l, hash, &at, &at_ms, &err), 1);
    assert_int_equal(at, 3);
    assert_int_equal(at_ms, 1700000000003ull);
    memset(call, 3, 16);
    assert_int_equal(ledger_log_has_call(l, "E38000217", 1, call, &err), 1);
    assert_int_equal(ledger_log_has_call(l, "E38000217", 2, call, &err), 0);
    uint64_t last = 0;
    assert_int_equal(ledger_log_senders(l, s_sender, &last, &err), 0);
    assert_int_equal(last, 4);

    /* Mailboxes: E08000003 has 1 and 3 until it acknowledges them. */
    assert_int_equal(ledger_mailbox_count(l, "E08000003"), 2);
    s_idx_t got = {0};
    assert_int_equal(ledger_mailbox_read(l, "E08000003", 0, 10, s_log_collect, &got, &err), 0);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.idx[0], 1);
    assert_int_equal(got.idx[1], 3);
    assert_int_equal(ledger_mailbox_ack(l, "E08000003", 1, &err), 0);
    assert_int_equal(ledger_mailbox_ack(l, "E08000003", 1, &err), 0); /* harmless twice */
    assert_int_equal(ledger_mailbox_ack(l, "X24", 3, &err), 0);       /* not X24's: no effect */
    assert_int_equal(ledger_mailbox_count(l, "E08000003"), 1);
    got.n = 0;
    assert_int_equal(ledger_log_read(l, 2, 2, s_log_collect, &got, &err), 0);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.idx[0], 2);
    assert_int_equal(got.idx[1], 3);

    /* A board's history for one who joins it: every earlier entry to the
     * board's audience goes into its mailbox, once, and nothing later. */
    for (uint64_t i = 5; i <= 7; i++) {
        s_log_entry(&e, i, chain, hash, call, i == 6 ? "X24" : "board:GM-JCB");
        const char *to = "E38000217";
        assert_int_equal(ledger_log_append(l, &e, &to, 1, &err), 0);
    }
    assert_int_equal(ledger_mailbox_backfill(l, "E08000003", "board:GM-JCB", 7, &err), 1);
    assert_int_equal(ledger_mailbox_backfill(l, "E08000003", "board:GM-JCB", 7, &err), 0);
    got.n = 0;
    assert_int_equal(ledger_mailbox_read(l, "E08000003", 0, 10, s_log_collect, &got, &err), 0);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.idx[0], 3);
    assert_int_equal(got.idx[1], 5);
    ledger_close(&l);
}

/* An unreceipted envelope of ours sealed again moves to the end with its
 * new sequence; a receipted one, or one of someone else's, cannot be. */
static void test_ledger_reseal_moves_to_the_end(void **state)
{
    (void)state;
    char path[128];
    uint8_t hash[32], env[40], call[16], fresh[32], fresh_env[40];
    ledger_entry_t e;
    cc_err_t err;
    s_path(path, sizeof path, "reseal.db");
    ledger_t *l = ledger_open(path, LEDGER_NODE, 1, &err);
    assert_non_null(l);
    for (int n = 1; n <= 4; n++) { /* 1, 3: in; 2, 4: out */
        s_entry(&e, hash, env, call, n, n % 2 ? LEDGER_IN : LEDGER_OUT);
        assert_int_equal(ledger_append(l, &e, NULL, &err), 0);
    }
    memset(hash, 2, 32);
    memset(fresh, 9, 32);
    memset(fresh_env, 9, 40);
    assert_int_equal(ledger_reseal(l, hash, fresh, fresh_env, 40, 5, &err), 0);
    uint64_t at = 1;
    assert_int_equal(ledger_has(l, hash, &at, &err), 0);
    assert_int_equal(ledger_has(l, fresh, &at, &err), 1);
    s_seen_t seen = {0};
    assert_int_equal(ledger_replay(l, s_collect, &seen, &err), 0);
    assert_int_equal(seen.count, 4);
    assert_int_equal(seen.seqs[0], 1);
    assert_int_equal(seen.seqs[1], 3);
    assert_int_equal(seen.seqs[2], 4);
    assert_int_equal(seen.seqs[3], 5);
    /* Receipted, incoming, or absent: refused. */
    memset(hash, 4, 32);
    assert_int_equal(ledger_set_receipt(l, hash, 7, (const uint8_t *)"rcpt", 4, &err), 0);
    memset(fresh, 10, 32);
    assert_int_equal(ledger_reseal(l, hash, fresh, fresh_env, 40, 6, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    memset(hash, 3, 32);
    assert_int_equal(ledger_reseal(l, hash, fresh, fresh_env, 40, 6, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    memset(hash, 42, 32);
    assert_int_equal(ledger_reseal(l, hash, fresh, fresh_env, 40, 6, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    ledger_close(&l);
}

/* A ledger written by protocol version 1 (schema 1) is refused at start
 * with a message that says how to move on. */
static void test_ledger_refuses_version_1(void **state)
{
    (void)state;
    char path[128];
    cc_err_t err;
    sqlite3 *db = NULL;
    s_path(path, sizeof path, "v1.db");
    for (int role = LEDGER_NODE; role <= LEDGER_BROKER; role++) {
        unlink(path);
        ledger_t *l = ledger_open(path, (ledger_role_t)role, 0, &err);
        assert_non_null(l);
        ledger_close(&l);
        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 1", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        assert_null(ledger_open(path, (ledger_role_t)role, 0, &err));
        assert_int_equal(err.code, CC_FAILED_PRECONDITION);
        assert_non_null(strstr(err.msg, "protocol version 1"));
        assert_non_null(strstr(err.msg, "empty data directory"));
    }
}

static int s_head_seen(uint64_t size, const uint8_t root[32], const uint8_t *head,
                       size_t head_len, void *arg, cc_err_t *err)
{
    (void)err;
    uint64_t *sizes = arg;
    assert_int_equal(head_len, 4);
    assert_int_equal(head[0], root[0]);
    sizes[sizes[0]++ + 1] = size;
    return 0;
}

/* Signed tree heads: kept by (size, root), returned by size. */
static void test_ledger_heads(void **state)
{
    (void)state;
    char path[128];
    cc_err_t err;
    uint8_t root[32], head[4];
    uint64_t sizes[8] = {0};
    s_path(path, sizeof path, "heads.db");
    ledger_t *l = ledger_open(path, LEDGER_NODE, 0, &err);
    assert_non_null(l);
    for (int i = 0; i < 3; i++) {
        memset(root, 7 - i, 32);
        memset(head, 7 - i, 4);
        assert_int_equal(ledger_head_add(l, (uint64_t)(7 - i), root, head, 4, &err), 1);
    }
    /* The same again: nothing new. Another root for size 5: kept too. */
    assert_int_equal(ledger_head_add(l, 5, root, head, 4, &err), 0);
    memset(root, 9, 32);
    memset(head, 9, 4);
    assert_int_equal(ledger_head_add(l, 5, root, head, 4, &err), 1);
    assert_int_equal(ledger_heads(l, s_head_seen, sizes, &err), 0);
    assert_int_equal(sizes[0], 4);
    assert_int_equal(sizes[1], 5);
    assert_int_equal(sizes[2], 5);
    assert_int_equal(sizes[3], 6);
    assert_int_equal(sizes[4], 7);
    ledger_close(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger_append_replay),
        cmocka_unit_test(test_ledger_find_reply),
        cmocka_unit_test(test_ledger_reseal_moves_to_the_end),
        cmocka_unit_test(test_ledger_transaction_rollback),
        cmocka_unit_test(test_ledger_refuses_wrong_role_and_garbage),
        cmocka_unit_test(test_ledger_broker_log_and_mailbox),
        cmocka_unit_test(test_ledger_refuses_version_1),
        cmocka_unit_test(test_ledger_heads),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
