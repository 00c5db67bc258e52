/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for broker_store: the same cases against every store the run
 * has, so the two give the same results and error codes. Always a SQLite
 * file; with CONCORD_TEST_STORE=postgresql (tests/support/pg_cluster.sh,
 * ctest label ha) also a fresh PostgreSQL database per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "broker_store.h"

static char s_dir[64];
static int s_dbs; /* databases made so far, for unique names */

static int s_setup(void **state)
{
    (void)state;
    snprintf(s_dir, sizeof s_dir, "/tmp/concord-test-bstore-XXXXXX");
    return mkdtemp(s_dir) ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", s_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static int s_pg(void)
{
    const char *s = getenv("CONCORD_TEST_STORE");
    return s && !strcmp(s, "postgresql");
}

/* Runs sql on database db of the test cluster. */
static void s_pg_exec(const char *db, const char *sql)
{
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo, "host=%s port=%s user=%s dbname=%s",
             getenv("CONCORD_TEST_PG_HOST"), getenv("CONCORD_TEST_PG_PORT"),
             getenv("CONCORD_TEST_PG_USER"), db);
    PGconn *c = PQconnectdb(conninfo);
    PGresult *r = PQexec(c, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
        fail_msg("%s: %s", sql, PQerrorMessage(c));
    }
    PQclear(r);
    PQfinish(c);
}

/* A fresh PostgreSQL database (empty: no schema) and its URI in out. */
static void s_pg_fresh(char *out, size_t size, char *db, size_t db_size)
{
    char sql[128];
    snprintf(db, db_size, "bstore_%d_%d", (int)getpid(), ++s_dbs);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    s_pg_exec("postgres", sql);
    snprintf(out, size, "postgresql:///%s?host=%s&port=%s&user=%s", db,
             getenv("CONCORD_TEST_PG_HOST"), getenv("CONCORD_TEST_PG_PORT"),
             getenv("CONCORD_TEST_PG_USER"));
}

/* The stores of this run: where[0] a new SQLite file, where[1] (with
 * PostgreSQL) a new database holding the schema. Returns how many. */
static int s_stores(char where[2][512], const char *name)
{
    snprintf(where[0], 512, "%s/%s.db", s_dir, name);
    if (!s_pg()) {
        return 1;
    }
    char db[64];
    cc_err_t err;
    s_pg_fresh(where[1], 512, db, sizeof db);
    broker_store_t *s = broker_store_open(where[1], 1, 1, &err);
    assert_non_null(s);
    broker_store_close(&s);
    return 2;
}

static void s_log_entry(ledger_log_entry_t *e, uint64_t index, uint8_t *leaf, uint8_t *hash,
                        uint8_t *call, const char *recipient)
{
    memset(leaf, (int)index, 32);
    memset(hash, (int)index, 32);
    memset(call, (int)index, 16);
    *e = (ledger_log_entry_t){
        .index = index,
        .time_ms = 1700000000000ull + index,
        .leaf = leaf,
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
    char recipient[16][16];
    int n;
} s_idx_t;

static int s_log_collect(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    s_idx_t *s = arg;
    assert_true(s->n < 16);
    assert_int_equal(e->envelope_len, 32);
    assert_int_equal(e->time_ms, 1700000000000ull + e->index);
    assert_int_equal(e->kind, 1);
    snprintf(s->recipient[s->n], sizeof s->recipient[0], "%s", e->recipient);
    s->idx[s->n++] = e->index;
    return 0;
}

static int s_sender(const char *sender, uint64_t last, void *arg)
{
    assert_string_equal(sender, "E38000217");
    *(uint64_t *)arg = last;
    return 0;
}

static void s_log_and_mailbox(const char *where)
{
    uint8_t leaf[32], hash[32], call[16], head_leaf[32];
    ledger_log_entry_t e;
    cc_err_t err;
    uint64_t head = 99;
    broker_store_t *s = broker_store_open(where, 1, 0, &err);
    assert_non_null(s);
    assert_int_equal(broker_store_log_head(s, &head, head_leaf, &err), 0);
    assert_int_equal(head, 0);
    for (uint64_t i = 1; i <= 4; i++) {
        s_log_entry(&e, i, leaf, hash, call, i % 2 ? "E08000003" : "X24");
        assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), 0);
    }
    /* An event to every member: one mailbox row each. */
    const char *all[] = {"E08000003", "X24", "E38000217"};
    s_log_entry(&e, 5, leaf, hash, call, "*");
    assert_int_equal(broker_store_log_append(s, &e, all, 3, &err), 0);
    /* Gaps and rewrites of the log are refused. */
    s_log_entry(&e, 7, leaf, hash, call, "X24");
    assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    s_log_entry(&e, 6, leaf, hash, call, "X24");
    memset(hash, 2, 32); /* same envelope as entry 2 */
    assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    s_log_entry(&e, 6, leaf, hash, call, "X24");
    memset(call, 3, 16); /* same (sender, kind, call id) as entry 3 */
    assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    broker_store_close(&s);

    s = broker_store_open(where, 1, 0, &err);
    assert_non_null(s);
    assert_int_equal(broker_store_log_head(s, &head, head_leaf, &err), 0);
    assert_int_equal(head, 5);
    memset(leaf, 5, 32);
    assert_memory_equal(head_leaf, leaf, 32);
    uint64_t at = 0, at_ms = 0;
    memset(hash, 3, 32);
    assert_int_equal(broker_store_log_find(s, hash, &at, &at_ms, &err), 1);
    assert_int_equal(at, 3);
    assert_int_equal(at_ms, 1700000000003ull);
    memset(hash, 9, 32);
    assert_int_equal(broker_store_log_find(s, hash, &at, &at_ms, &err), 0);
    memset(call, 3, 16);
    assert_int_equal(broker_store_log_has_call(s, "E38000217", 1, call, &err), 1);
    assert_int_equal(broker_store_log_has_call(s, "E38000217", 2, call, &err), 0);
    assert_int_equal(broker_store_log_has_call(s, "X24", 1, call, &err), 0);
    uint64_t last = 0;
    assert_int_equal(broker_store_log_senders(s, s_sender, &last, &err), 0);
    assert_int_equal(last, 5);

    /* Mailboxes: E08000003 has 1, 3 and 5 until it acknowledges them. */
    assert_int_equal(broker_store_mailbox_count(s, "E08000003"), 3);
    assert_int_equal(broker_store_mailbox_count(s, "E38000217"), 1);
    s_idx_t got = {0};
    assert_int_equal(broker_store_mailbox_read(s, "E08000003", 0, 10, s_log_collect, &got, &err),
                     0);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.idx[0], 1);
    assert_int_equal(got.idx[1], 3);
    assert_int_equal(got.idx[2], 5);
    assert_string_equal(got.recipient[2], "*");
    got.n = 0;
    assert_int_equal(broker_store_mailbox_read(s, "E08000003", 1, 1, s_log_collect, &got, &err), 0);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.idx[0], 3);
    assert_int_equal(broker_store_mailbox_ack(s, "E08000003", 1, &err), 0);
    assert_int_equal(broker_store_mailbox_ack(s, "E08000003", 1, &err), 0); /* harmless twice */
    assert_int_equal(broker_store_mailbox_ack(s, "X24", 3, &err), 0);       /* not X24's */
    assert_int_equal(broker_store_mailbox_count(s, "E08000003"), 2);
    got.n = 0;
    assert_int_equal(broker_store_log_read(s, 2, 2, s_log_collect, &got, &err), 0);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.idx[0], 2);
    assert_int_equal(got.idx[1], 3);
    got.n = 0;
    assert_int_equal(broker_store_log_read(s, 1, 0, s_log_collect, &got, &err), 0);
    assert_int_equal(got.n, 0);
    broker_store_close(&s);
}

static void test_broker_store_log_and_mailbox(void **state)
{
    (void)state;
    char where[2][512];
    int n = s_stores(where, "log");
    for (int i = 0; i < n; i++) {
        s_log_and_mailbox(where[i]);
    }
}

static void s_group_commit(const char *where)
{
    uint8_t leaf[32], hash[32], call[16], head_leaf[32];
    ledger_log_entry_t e;
    cc_err_t err;
    uint64_t head = 0;
    broker_store_t *s = broker_store_open(where, 1, 0, &err);
    assert_non_null(s);
    /* A batch rolled back leaves nothing. */
    assert_int_equal(broker_store_begin(s, &err), 0);
    s_log_entry(&e, 1, leaf, hash, call, "X24");
    assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), 0);
    assert_int_equal(broker_store_head_add(s, 1, leaf, hash, 32, &err), 1);
    broker_store_rollback(s);
    assert_int_equal(broker_store_log_head(s, &head, head_leaf, &err), 0);
    assert_int_equal(head, 0);
    assert_int_equal(broker_store_mailbox_count(s, "X24"), 0);
    /* A batch in which one envelope was refused as a duplicate still
     * commits the others. */
    assert_int_equal(broker_store_begin(s, &err), 0);
    for (uint64_t i = 1; i <= 2; i++) {
        s_log_entry(&e, i, leaf, hash, call, "X24");
        assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), 0);
    }
    s_log_entry(&e, 3, leaf, hash, call, "X24");
    memset(hash, 1, 32);
    assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    s_log_entry(&e, 3, leaf, hash, call, "X24");
    assert_int_equal(broker_store_log_append(s, &e, &e.recipient, 1, &err), 0);
    assert_int_equal(broker_store_head_add(s, 3, leaf, hash, 32, &err), 1);
    assert_int_equal(broker_store_commit(s, &err), 0);
    broker_store_close(&s);
    s = broker_store_open(where, 1, 0, &err);
    assert_non_null(s);
    assert_int_equal(broker_store_log_head(s, &head, head_leaf, &err), 0);
    assert_int_equal(head, 3);
    assert_int_equal(broker_store_mailbox_count(s, "X24"), 3);
    broker_store_close(&s);
}

static void test_broker_store_group_commit(void **state)
{
    (void)state;
    char where[2][512];
    int n = s_stores(where, "batch");
    for (int i = 0; i < n; i++) {
        s_group_commit(where[i]);
    }
}

typedef struct {
    uint64_t size[8];
    uint8_t first[8];
    int n;
} s_heads_t;

static int s_head_collect(uint64_t size, const uint8_t root[32], const uint8_t *head,
                          size_t head_len, void *arg, cc_err_t *err)
{
    (void)err;
    (void)head;
    s_heads_t *h = arg;
    assert_true(h->n < 8);
    assert_int_equal(head_len, 5);
    h->size[h->n] = size;
    h->first[h->n++] = root[0];
    return 0;
}

static void s_heads(const char *where)
{
    cc_err_t err;
    uint8_t root[32];
    const uint8_t head[5] = {1, 2, 3, 4, 5};
    broker_store_t *s = broker_store_open(where, 1, 0, &err);
    assert_non_null(s);
    memset(root, 7, 32);
    assert_int_equal(broker_store_head_add(s, 7, root, head, 5, &err), 1);
    assert_int_equal(broker_store_head_add(s, 7, root, head, 5, &err), 0); /* stored already */
    memset(root, 2, 32);
    assert_int_equal(broker_store_head_add(s, 2, root, head, 5, &err), 1);
    memset(root, 3, 32); /* a second root of size 2, in the order stored */
    assert_int_equal(broker_store_head_add(s, 2, root, head, 5, &err), 1);
    s_heads_t got = {0};
    assert_int_equal(broker_store_heads(s, s_head_collect, &got, &err), 0);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.size[0], 2);
    assert_int_equal(got.first[0], 2);
    assert_int_equal(got.size[1], 2);
    assert_int_equal(got.first[1], 3);
    assert_int_equal(got.size[2], 7);
    broker_store_close(&s);
}

static void test_broker_store_heads(void **state)
{
    (void)state;
    char where[2][512];
    int n = s_stores(where, "heads");
    for (int i = 0; i < n; i++) {
        s_heads(where[i]);
    }
}

/* Only --init-store makes or migrates a PostgreSQL schema; a database
 * without it, with a newer one or with another program's schema_version
 * is refused and left as it is. */
static void test_broker_store_pg_schema(void **state)
{
    (void)state;
    if (!s_pg()) {
        skip();
    }
    char uri[512], db[64];
    cc_err_t err;
    s_pg_fresh(uri, sizeof uri, db, sizeof db);
    assert_null(broker_store_open(uri, 1, 0, &err));
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "--init-store"));
    assert_null(strstr(err.msg, "password"));
    broker_store_t *s = broker_store_open(uri, 1, 1, &err);
    assert_non_null(s);
    assert_non_null(strstr(broker_store_name(s), db));
    broker_store_close(&s);
    assert_non_null(s = broker_store_open(uri, 1, 1, &err)); /* again: nothing to do */
    broker_store_close(&s);
    s_pg_exec(db, "UPDATE schema_version SET version = 99");
    assert_null(broker_store_open(uri, 1, 0, &err));
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "newer"));
    assert_null(broker_store_open(uri, 1, 1, &err));
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);

    s_pg_fresh(uri, sizeof uri, db, sizeof db);
    s_pg_exec(db, "CREATE TABLE schema_version(application text, version integer);"
                  "INSERT INTO schema_version VALUES('someone else', 3)");
    assert_null(broker_store_open(uri, 1, 1, &err));
    assert_int_equal(err.code, CC_DATA_LOSS);
}

/* One active broker per store: the lock's holder raises the epoch; once
 * its session is gone and another has taken over, its transactions are
 * refused by the fence, even after it reconnects. */
static void test_broker_store_pg_fence(void **state)
{
    (void)state;
    if (!s_pg()) {
        skip();
    }
    char where[2][512];
    assert_int_equal(s_stores(where, "fence"), 2);
    cc_err_t err;
    volatile int stop = 0;
    broker_store_t *a = broker_store_open(where[1], 1, 0, &err);
    broker_store_t *b = broker_store_open(where[1], 1, 0, &err);
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(broker_store_acquire(a, &stop, &err), 1);
    assert_int_equal(broker_store_epoch(a), 1);
    assert_int_equal(broker_store_keepalive(a, &err), 0);
    stop = 1; /* one try: a holds the lock */
    assert_int_equal(broker_store_acquire(b, &stop, &err), 0);
    assert_int_equal(broker_store_epoch(b), 0);

    /* a's session ends (as the server ends a silent one); b takes over. */
    const char *db = strstr(where[1], ":///") + 4;
    char name[64], sql[256];
    snprintf(name, sizeof name, "%.*s", (int)(strchr(db, '?') - db), db);
    snprintf(sql, sizeof sql,
             "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
             " AND granted AND database = (SELECT oid FROM pg_database WHERE datname = '%s')",
             name);
    s_pg_exec("postgres", sql);
    stop = 0;
    assert_int_equal(broker_store_acquire(b, &stop, &err), 1);
    assert_int_equal(broker_store_epoch(b), 2);

    uint8_t leaf[32], hash[32], call[16];
    ledger_log_entry_t e;
    s_log_entry(&e, 1, leaf, hash, call, "X24");
    assert_int_equal(broker_store_begin(a, &err), -1);
    assert_int_equal(err.code, CC_ABORTED);
    assert_non_null(strstr(err.msg, "no longer the active one"));
    assert_int_equal(broker_store_fenced(a), 1);
    assert_int_equal(broker_store_keepalive(a, &err), -1);
    assert_int_equal(broker_store_fenced(b), 0);
    assert_int_equal(broker_store_begin(b, &err), 0);
    assert_int_equal(broker_store_log_append(b, &e, &e.recipient, 1, &err), 0);
    assert_int_equal(broker_store_commit(b, &err), 0);
    broker_store_close(&a);
    broker_store_close(&b);
}

/* No server there: unavailable, with libpq's reason; and a config's store
 * that is no URI is a SQLite path. */
static void test_broker_store_pg_unreachable(void **state)
{
    (void)state;
    cc_err_t err;
    assert_null(broker_store_open("postgresql:///nowhere?host=/nonexistent&port=1", 1, 0, &err));
    assert_int_equal(err.code, CC_UNAVAILABLE);
    assert_non_null(strstr(err.msg, "cannot connect"));
    assert_true(broker_store_is_postgresql("postgres://db.example/concord"));
    assert_false(broker_store_is_postgresql("/var/lib/concord/broker.db"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broker_store_log_and_mailbox),
        cmocka_unit_test(test_broker_store_group_commit),
        cmocka_unit_test(test_broker_store_heads),
        cmocka_unit_test(test_broker_store_pg_schema),
        cmocka_unit_test(test_broker_store_pg_fence),
        cmocka_unit_test(test_broker_store_pg_unreachable),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
