/* SPDX-License-Identifier: Apache-2.0 */
/* store_pg: the broker's store in PostgreSQL. */
#include "store_pg.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

/* Statements, prepared once per connection, each SQL text once. Every
 * parameter carries its type, since all are sent in binary. */
enum {
    Q_HEAD,
    Q_APPEND,
    Q_FIND_HASH,
    Q_HAS_CALL,
    Q_READ,
    Q_SENDERS,
    Q_MAILBOX_READ,
    Q_MAILBOX_ACK,
    Q_MAILBOX_COUNT,
    Q_MAILBOX_BYTES,
    Q_BACKFILL,
    Q_LEAVES,
    Q_HEAD_ADD,
    Q_HEADS,
    Q_FENCE,
    Q_COUNT
};

static const char *const s_sql[Q_COUNT] = {
    [Q_HEAD] = "SELECT idx, leaf FROM log ORDER BY idx DESC LIMIT 1",
    /* One round trip per envelope: the entry, only if it extends the head
     * ($1 = head + 1) and repeats no hash or call id (a conflict inserts
     * nothing rather than failing, which would abort the whole batch's
     * transaction), and its mailbox rows. Answers 1 if appended, else 0. */
    [Q_APPEND] = "WITH e AS (INSERT INTO log(idx, time_ms, leaf, hash, sender, recipient,"
                 " sequence, kind, call_id, envelope) SELECT $1::bigint, $2::bigint, $3::bytea,"
                 " $4::bytea, $5::text, $6::text, $7::bigint, $8::integer, $9::bytea, $10::bytea"
                 " WHERE (SELECT COALESCE(MAX(idx), 0) FROM log) = $1::bigint - 1"
                 " ON CONFLICT DO NOTHING RETURNING idx),"
                 " m AS (INSERT INTO mailbox(recipient, idx)"
                 " SELECT r, e.idx FROM e, unnest($11::text[]) AS r)"
                 " SELECT COUNT(*) FROM e",
    [Q_FIND_HASH] = "SELECT idx, time_ms FROM log WHERE hash = $1::bytea",
    [Q_HAS_CALL] = "SELECT 1 FROM log WHERE sender = $1::text AND kind = $2::integer"
                   " AND call_id = $3::bytea",
    [Q_READ] = "SELECT idx, time_ms, leaf, hash, sender, recipient, sequence, kind, call_id,"
               " envelope FROM log WHERE idx >= $1::bigint ORDER BY idx LIMIT $2::bigint",
    [Q_SENDERS] = "SELECT sender, MAX(sequence) FROM log GROUP BY sender",
    [Q_MAILBOX_READ] = "SELECT l.idx, l.time_ms, l.leaf, l.hash, l.sender, l.recipient,"
                       " l.sequence, l.kind, l.call_id, l.envelope"
                       " FROM mailbox m JOIN log l ON l.idx = m.idx"
                       " WHERE m.recipient = $1::text AND m.idx > $2::bigint ORDER BY m.idx"
                       " LIMIT $3::bigint",
    [Q_MAILBOX_ACK] = "DELETE FROM mailbox WHERE recipient = $1::text AND idx = $2::bigint",
    [Q_MAILBOX_COUNT] = "SELECT COUNT(*) FROM mailbox WHERE recipient = $1::text",
    [Q_MAILBOX_BYTES] = "SELECT COALESCE(SUM(octet_length(l.envelope)), 0) FROM mailbox m"
                        " JOIN log l ON l.idx = m.idx WHERE m.recipient = $1::text",
    [Q_LEAVES] = "SELECT idx, leaf FROM log WHERE idx >= $1::bigint ORDER BY idx LIMIT $2::bigint",
    [Q_BACKFILL] = "INSERT INTO mailbox(recipient, idx) SELECT $1::text, idx FROM log"
                   " WHERE recipient = $2::text AND idx < $3::bigint ON CONFLICT DO NOTHING",
    [Q_HEAD_ADD] = "INSERT INTO heads(size, root, head) VALUES($1::bigint, $2::bytea, $3::bytea)"
                   " ON CONFLICT (size, root) DO NOTHING",
    [Q_HEADS] = "SELECT size, root, head FROM heads ORDER BY size, seq",
    [Q_FENCE] = "SELECT 1 FROM broker_epoch WHERE epoch = $1::bigint FOR SHARE",
};

/* The schema, one migration per version: migration[v - 1] takes a
 * database at version v - 1 to version v. */
static const char *const s_migration[STORE_PG_SCHEMA_VERSION] = {
    /* 1: the log, mailboxes and heads. */
    "CREATE TABLE log("
    " idx bigint PRIMARY KEY,"
    " time_ms bigint NOT NULL,"
    " leaf bytea NOT NULL,"
    " hash bytea NOT NULL UNIQUE,"
    " sender text NOT NULL,"
    " recipient text NOT NULL,"
    " sequence bigint NOT NULL,"
    " kind integer NOT NULL,"
    " call_id bytea NOT NULL,"
    " envelope bytea NOT NULL);"
    "CREATE UNIQUE INDEX log_call ON log(sender, kind, call_id);"
    "CREATE TABLE mailbox("
    " recipient text NOT NULL,"
    " idx bigint NOT NULL,"
    " PRIMARY KEY(recipient, idx));"
    "CREATE TABLE heads("
    " seq bigserial PRIMARY KEY,"
    " size bigint NOT NULL,"
    " root bytea NOT NULL,"
    " head bytea NOT NULL,"
    " UNIQUE(size, root));",
    /* 2: the fencing epoch, one row, raised by each broker that becomes
     * the active one. */
    "CREATE TABLE broker_epoch(epoch bigint NOT NULL);"
    "INSERT INTO broker_epoch VALUES(0);",
};

/* What marks the schema_version table as Concord's broker store. */
#define S_APPLICATION "concord-broker"
/* The advisory lock key --init-store holds while it creates or migrates
 * ("CONCORD" in ASCII, read as a number). */
#define S_INIT_LOCK "67797867798268"
/* The session advisory lock the active broker holds ("CONCORDA"). */
#define S_ACTIVE_LOCK "6779786779826865"

struct store_pg {
    PGconn *conn;
    int fsync;
    int in_txn;
    uint64_t epoch; /* 0 until store_pg_acquire made this broker the active one */
    int fenced;     /* another broker has taken over since */
    int prepared[Q_COUNT];
    char name[512];
};

#define S_MAX_PARAMS 11

typedef struct {
    int n;
    const char *val[S_MAX_PARAMS];
    int len[S_MAX_PARAMS];
    int fmt[S_MAX_PARAMS];
    char num[S_MAX_PARAMS][8];
} s_params_t;

static void s_p_u64(s_params_t *p, uint64_t v)
{
    assert(p->n < S_MAX_PARAMS);
    for (int i = 0; i < 8; i++) {
        p->num[p->n][i] = (char)(v >> (56 - 8 * i));
    }
    p->val[p->n] = p->num[p->n];
    p->len[p->n] = 8;
    p->fmt[p->n++] = 1;
}

static void s_p_i32(s_params_t *p, int32_t v)
{
    assert(p->n < S_MAX_PARAMS);
    uint32_t u = (uint32_t)v;
    for (int i = 0; i < 4; i++) {
        p->num[p->n][i] = (char)(u >> (24 - 8 * i));
    }
    p->val[p->n] = p->num[p->n];
    p->len[p->n] = 4;
    p->fmt[p->n++] = 1;
}

static void s_p_bytes(s_params_t *p, const void *data, size_t len)
{
    assert(p->n < S_MAX_PARAMS);
    p->val[p->n] = len ? data : "";
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static void s_p_text(s_params_t *p, const char *s)
{
    s_p_bytes(p, s, strlen(s));
}

/* A parameter in text format (an array literal). */
static void s_p_literal(s_params_t *p, const char *s)
{
    assert(p->n < S_MAX_PARAMS);
    p->val[p->n] = s;
    p->len[p->n] = 0;
    p->fmt[p->n++] = 0;
}

static uint64_t s_get_u64(const PGresult *r, int row, int col)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    uint64_t x = 0;
    if (PQgetlength(r, row, col) == 8) {
        for (int i = 0; i < 8; i++) {
            x = x << 8 | v[i];
        }
    }
    return x;
}

static int s_get_i32(const PGresult *r, int row, int col)
{
    const unsigned char *v = (const unsigned char *)PQgetvalue(r, row, col);
    if (PQgetlength(r, row, col) != 4) {
        return 0;
    }
    return (int)(int32_t)((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 |
                          (uint32_t)v[3]);
}

/* libpq's messages end with a newline; err messages do not. */
static void s_error(const store_pg_t *p, const PGresult *r, const char *what, cc_err_t *err)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    const char *msg =
        r && PQresultErrorMessage(r)[0] ? PQresultErrorMessage(r) : PQerrorMessage(p->conn);
    cc_code_t code = CC_INTERNAL;
    if (PQstatus(p->conn) != CONNECTION_OK ||
        (state && (!strncmp(state, "08", 2) || !strncmp(state, "57P", 3)))) {
        code = CC_UNAVAILABLE;
    } else if (state && !strncmp(state, "23", 2)) {
        code = CC_ALREADY_EXISTS;
    } else if (state && !strncmp(state, "53", 2)) {
        code = CC_RESOURCE_EXHAUSTED;
    } else if (state && (!strncmp(state, "40", 2) || !strcmp(state, "55P03"))) {
        code = CC_ABORTED;
    } else if (state &&
               (!strcmp(state, "42P01") || !strcmp(state, "42501") || !strcmp(state, "25006"))) {
        code = CC_FAILED_PRECONDITION; /* no table, no privilege, read-only */
    }
    int n = (int)strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' ')) {
        n--;
    }
    err_set(err, code, "store %s: %s: %.*s", p->name, what, n, msg);
}

/* Runs an SQL text with no parameters (schema, transactions). */
static int s_run(store_pg_t *p, const char *sql, const char *what, cc_err_t *err)
{
    PGresult *r = PQexec(p->conn, sql);
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok) {
        s_error(p, r, what, err);
    }
    PQclear(r);
    return ok ? 0 : -1;
}

/* Runs statement q with the parameters, binary results. Returns the
 * result (PQclear it) or NULL with err set. */
static PGresult *s_query(store_pg_t *p, int q, const s_params_t *params, const char *what,
                         cc_err_t *err)
{
    char name[16];
    snprintf(name, sizeof name, "concord_%d", q);
    int n = params ? params->n : 0;
    if (!p->prepared[q]) {
        PGresult *r = PQprepare(p->conn, name, s_sql[q], n, NULL);
        if (PQresultStatus(r) != PGRES_COMMAND_OK) {
            s_error(p, r, what, err);
            PQclear(r);
            return NULL;
        }
        PQclear(r);
        p->prepared[q] = 1;
    }
    PGresult *r = PQexecPrepared(p->conn, name, n, params ? params->val : NULL,
                                 params ? params->len : NULL, params ? params->fmt : NULL, 1);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        s_error(p, r, what, err);
        PQclear(r);
        return NULL;
    }
    return r;
}

/* Rows changed by an INSERT or DELETE. */
static int s_changed(PGresult *r)
{
    return atoi(PQcmdTuples(r));
}

static void s_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* notices such as "relation exists, skipping" are not errors */
}

/* Session settings, after every (re)connection. */
static int s_session(store_pg_t *p, cc_err_t *err)
{
    memset(p->prepared, 0, sizeof p->prepared);
    PQsetNoticeProcessor(p->conn, s_quiet, NULL);
    /* A session that says nothing for this long is ended by the server,
     * and with it the active broker's lock: a broker that is paused or cut
     * off loses the active role to a standby (the broker's loop speaks at
     * least once a second, store_pg_keepalive). */
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET synchronous_commit = %s; SET idle_session_timeout = %d;"
             " SET idle_in_transaction_session_timeout = %d",
             p->fsync ? "on" : "off", STORE_PG_SILENCE_MS, STORE_PG_SILENCE_MS);
    return s_run(p, sql, "session settings", err);
}

/* The version stored in schema_version: 0 when the table is absent. */
static int s_version(store_pg_t *p, int *version, cc_err_t *err)
{
    PGresult *r = PQexec(p->conn, "SELECT to_regclass('schema_version') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        s_error(p, r, "reading the schema version", err);
        PQclear(r);
        return -1;
    }
    int present = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    *version = 0;
    if (!present) {
        return 0;
    }
    r = PQexec(p->conn, "SELECT application, version FROM schema_version");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        s_error(p, r, "reading the schema version", err);
        PQclear(r);
        return -1;
    }
    int ok = PQntuples(r) == 1 && PQnfields(r) == 2 && !strcmp(PQgetvalue(r, 0, 0), S_APPLICATION);
    if (ok) {
        *version = atoi(PQgetvalue(r, 0, 1));
        ok = *version >= 1;
    }
    PQclear(r);
    if (!ok) {
        err_set(err, CC_DATA_LOSS,
                "store %s: its table schema_version is not a Concord broker store's", p->name);
        return -1;
    }
    return 0;
}

/* Creates or migrates the schema, in one transaction under the init lock. */
static int s_init(store_pg_t *p, cc_err_t *err)
{
    int version = 0;
    if (s_run(p, "BEGIN", "initialising", err) < 0) {
        return -1;
    }
    if (s_run(p, "SELECT pg_advisory_xact_lock(" S_INIT_LOCK ")", "initialising", err) < 0 ||
        s_version(p, &version, err) < 0) {
        goto fail;
    }
    if (version > STORE_PG_SCHEMA_VERSION) {
        err_set(err, CC_FAILED_PRECONDITION,
                "store %s: schema version %d was written by a newer Concord (this one writes "
                "%d); it is left as it is",
                p->name, version, STORE_PG_SCHEMA_VERSION);
        goto fail;
    }
    if (version == 0 &&
        s_run(p,
              "CREATE TABLE schema_version(application text NOT NULL, version integer NOT NULL);"
              "INSERT INTO schema_version VALUES('" S_APPLICATION "', 0)",
              "creating schema_version", err) < 0) {
        goto fail;
    }
    for (int v = version + 1; v <= STORE_PG_SCHEMA_VERSION; v++) {
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE schema_version SET version = %d", v);
        if (s_run(p, s_migration[v - 1], "creating the schema", err) < 0 ||
            s_run(p, sql, "recording the schema version", err) < 0) {
            goto fail;
        }
    }
    if (s_run(p, "COMMIT", "initialising", err) < 0) {
        return -1;
    }
    return 0;
fail:
    s_run(p, "ROLLBACK", "initialising", NULL);
    return -1;
}

store_pg_t *store_pg_open(const char *uri, int fsync, int init, cc_err_t *err)
{
    store_pg_t *p = calloc(1, sizeof *p);
    if (!p) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    p->fsync = fsync;
    snprintf(p->name, sizeof p->name, "postgresql");
    p->conn = PQconnectdb(uri);
    if (!p->conn) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        s_error(p, NULL, "cannot connect", err);
        goto fail;
    }
    const char *host = PQhost(p->conn);
    snprintf(p->name, sizeof p->name, "postgresql database %s on %s:%s as %s", PQdb(p->conn),
             host && host[0] ? host : "localhost", PQport(p->conn), PQuser(p->conn));
    if (s_session(p, err) < 0 || (init && s_init(p, err) < 0)) {
        goto fail;
    }
    int version = 0;
    if (s_version(p, &version, err) < 0) {
        goto fail;
    }
    if (version == 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "store %s holds no Concord broker schema: create it with concord-broker "
                "--config FILE --init-store",
                p->name);
        goto fail;
    }
    if (version != STORE_PG_SCHEMA_VERSION) {
        err_set(err, CC_FAILED_PRECONDITION, "store %s: schema version %d, this broker needs %d%s",
                p->name, version, STORE_PG_SCHEMA_VERSION,
                version < STORE_PG_SCHEMA_VERSION
                    ? ": migrate it with concord-broker --config FILE --init-store"
                    : " (it was written by a newer Concord)");
        goto fail;
    }
    return p;
fail:
    store_pg_close(&p);
    return NULL;
}

void store_pg_close(store_pg_t **pp)
{
    if (!pp || !*pp) {
        return;
    }
    store_pg_t *p = *pp;
    if (p->conn) {
        PQfinish(p->conn);
    }
    free(p);
    *pp = NULL;
}

const char *store_pg_name(const store_pg_t *p)
{
    return p->name;
}

/* 1 if this session now holds the active broker's lock, 0 if another
 * does, -1 on error. */
static int s_try_lock(store_pg_t *p, cc_err_t *err)
{
    PGresult *r = PQexec(p->conn, "SELECT pg_try_advisory_lock(" S_ACTIVE_LOCK ")");
    if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
        s_error(p, r, "taking the active broker's lock", err);
        PQclear(r);
        return -1;
    }
    int got = PQgetvalue(r, 0, 0)[0] == 't';
    PQclear(r);
    return got;
}

static int s_fence(store_pg_t *p, cc_err_t *err)
{
    p->fenced = 1;
    err_set(err, CC_ABORTED,
            "store %s: this broker is no longer the active one: another broker has taken over "
            "since its epoch %llu, and nothing more of this one's is committed",
            p->name, (unsigned long long)p->epoch);
    return -1;
}

/* After a broken connection (the server restarted, the network broke, or
 * the server ended a silent session): one attempt to come back. */
static int s_reconnect(store_pg_t *p, cc_err_t *err)
{
    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK) {
        s_error(p, NULL, "reconnecting", err);
        return -1;
    }
    if (s_session(p, err) < 0) {
        return -1;
    }
    /* The old session's lock went with it: take it again, or another
     * broker has it and this one is no longer the active one. */
    if (p->epoch) {
        int got = s_try_lock(p, err);
        if (got < 0) {
            return -1;
        }
        if (!got) {
            return s_fence(p, err);
        }
    }
    return 0;
}

int store_pg_begin(store_pg_t *p, cc_err_t *err)
{
    assert(!p->in_txn);
    if (PQstatus(p->conn) != CONNECTION_OK && s_reconnect(p, err) < 0) {
        return -1;
    }
    if (s_run(p, "BEGIN", "begin", err) < 0) {
        /* libpq learns that the server closed the connection only when
         * it next uses it: here. */
        if (PQstatus(p->conn) == CONNECTION_OK || s_reconnect(p, err) < 0 ||
            s_run(p, "BEGIN", "begin", err) < 0) {
            return -1;
        }
    }
    p->in_txn = 1;
    if (p->epoch) {
        /* The fence: the epoch this broker raised must still be the
         * newest. The row lock it takes holds off a successor's raise
         * until this transaction ends, so a transaction that passes here
         * commits before any successor begins. */
        s_params_t a = {0};
        s_p_u64(&a, p->epoch);
        PGresult *r = s_query(p, Q_FENCE, &a, "checking the epoch", err);
        if (!r) {
            store_pg_rollback(p);
            return -1;
        }
        int current = PQntuples(r) == 1;
        PQclear(r);
        if (!current) {
            store_pg_rollback(p);
            return s_fence(p, err);
        }
    }
    return 0;
}

int store_pg_keepalive(store_pg_t *p, cc_err_t *err)
{
    if (store_pg_begin(p, err) < 0) {
        return -1;
    }
    return store_pg_commit(p, err);
}

int store_pg_fenced(const store_pg_t *p)
{
    return p->fenced;
}

uint64_t store_pg_epoch(const store_pg_t *p)
{
    return p->epoch;
}

int store_pg_acquire(store_pg_t *p, volatile int *stop, cc_err_t *err)
{
    for (;;) {
        int got = s_try_lock(p, err);
        if (got < 0) {
            return -1;
        }
        if (got) {
            PGresult *r =
                PQexec(p->conn, "UPDATE broker_epoch SET epoch = epoch + 1 RETURNING epoch");
            if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1) {
                s_error(p, r, "raising the epoch", err);
                PQclear(r);
                return -1;
            }
            p->epoch = (uint64_t)strtoull(PQgetvalue(r, 0, 0), NULL, 10);
            PQclear(r);
            return 1;
        }
        if (stop && *stop) {
            return 0;
        }
        struct timespec ts = {0, 250 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int store_pg_commit(store_pg_t *p, cc_err_t *err)
{
    assert(p->in_txn);
    PGresult *r = PQexec(p->conn, "COMMIT");
    /* COMMIT of a transaction a statement aborted answers ROLLBACK. */
    int ok = PQresultStatus(r) == PGRES_COMMAND_OK && !strcmp(PQcmdStatus(r), "COMMIT");
    if (!ok) {
        if (PQresultStatus(r) == PGRES_COMMAND_OK) {
            err_set(err, CC_ABORTED, "store %s: commit: the transaction was rolled back", p->name);
        } else {
            s_error(p, r, "commit", err);
        }
    }
    PQclear(r);
    if (!ok) {
        store_pg_rollback(p);
        return -1;
    }
    p->in_txn = 0;
    return 0;
}

void store_pg_rollback(store_pg_t *p)
{
    if (!p->in_txn) {
        return;
    }
    if (PQstatus(p->conn) == CONNECTION_OK && PQtransactionStatus(p->conn) != PQTRANS_IDLE) {
        PQclear(PQexec(p->conn, "ROLLBACK"));
    }
    p->in_txn = 0;
}

int store_pg_log_head(store_pg_t *p, uint64_t *index, uint8_t leaf[32], cc_err_t *err)
{
    PGresult *r = s_query(p, Q_HEAD, NULL, "reading head", err);
    if (!r) {
        return -1;
    }
    int ret = 0;
    *index = 0;
    memset(leaf, 0, 32);
    if (PQntuples(r) == 1) {
        if (PQgetlength(r, 0, 1) != 32) {
            err_set(err, CC_DATA_LOSS, "store %s: damaged leaf hash at the head", p->name);
            ret = -1;
        } else {
            *index = s_get_u64(r, 0, 0);
            memcpy(leaf, PQgetvalue(r, 0, 1), 32);
        }
    }
    PQclear(r);
    return ret;
}

/* The recipients as a PostgreSQL array literal, each element quoted.
 * Returns a malloc'd string or NULL. */
static char *s_array(const char *const *to, size_t n_to)
{
    size_t size = 3;
    for (size_t i = 0; i < n_to; i++) {
        size += 2 * strlen(to[i]) + 3;
    }
    char *out = malloc(size);
    if (!out) {
        return NULL;
    }
    char *w = out;
    *w++ = '{';
    for (size_t i = 0; i < n_to; i++) {
        if (i) {
            *w++ = ',';
        }
        *w++ = '"';
        for (const char *c = to[i]; *c; c++) {
            if (*c == '"' || *c == '\\') {
                *w++ = '\\';
            }
            *w++ = *c;
        }
        *w++ = '"';
    }
    *w++ = '}';
    *w = '\0';
    return out;
}

int store_pg_log_append(store_pg_t *p, const ledger_log_entry_t *e, const char *const *to,
                        size_t n_to, cc_err_t *err)
{
    char *array = s_array(to, n_to);
    if (!array) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    s_params_t a = {0};
    s_p_u64(&a, e->index);
    s_p_u64(&a, e->time_ms);
    s_p_bytes(&a, e->leaf, 32);
    s_p_bytes(&a, e->hash, 32);
    s_p_text(&a, e->sender);
    s_p_text(&a, e->recipient);
    s_p_u64(&a, e->sequence);
    s_p_i32(&a, e->kind);
    s_p_bytes(&a, e->call_id, 16);
    s_p_bytes(&a, e->envelope, e->envelope_len);
    s_p_literal(&a, array);
    PGresult *r = s_query(p, Q_APPEND, &a, "log append", err);
    free(array);
    if (!r) {
        return -1;
    }
    uint64_t added = PQntuples(r) == 1 ? s_get_u64(r, 0, 0) : 0;
    PQclear(r);
    if (added == 1) {
        return 0;
    }
    /* Nothing appended: say why, as the SQLite store does. */
    uint64_t head = 0;
    uint8_t leaf[32];
    if (store_pg_log_head(p, &head, leaf, err) < 0) {
        return -1;
    }
    if (e->index != head + 1) {
        err_set(err, CC_FAILED_PRECONDITION, "log append at %llu but the head is %llu",
                (unsigned long long)e->index, (unsigned long long)head);
        return -1;
    }
    err_set(err, CC_ALREADY_EXISTS,
            "store %s: log append: this envelope or its (sender, kind, call id) is already "
            "logged",
            p->name);
    return -1;
}

int store_pg_log_find(store_pg_t *p, const uint8_t hash[32], uint64_t *index, uint64_t *time_ms,
                      cc_err_t *err)
{
    s_params_t a = {0};
    s_p_bytes(&a, hash, 32);
    PGresult *r = s_query(p, Q_FIND_HASH, &a, "finding envelope", err);
    if (!r) {
        return -1;
    }
    int found = PQntuples(r) > 0;
    if (found) {
        *index = s_get_u64(r, 0, 0);
        *time_ms = s_get_u64(r, 0, 1);
    }
    PQclear(r);
    return found;
}

int store_pg_log_has_call(store_pg_t *p, const char *sender, int kind, const uint8_t call_id[16],
                          cc_err_t *err)
{
    s_params_t a = {0};
    s_p_text(&a, sender);
    s_p_i32(&a, kind);
    s_p_bytes(&a, call_id, 16);
    PGresult *r = s_query(p, Q_HAS_CALL, &a, "finding call id", err);
    if (!r) {
        return -1;
    }
    int found = PQntuples(r) > 0;
    PQclear(r);
    return found;
}

/* Calls fn for every row of a log query's result (held whole, so fn may
 * use the store), then frees it. */
static int s_log_rows(store_pg_t *p, PGresult *r, ledger_log_fn fn, void *arg, cc_err_t *err)
{
    int ret = 0;
    for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
        ledger_log_entry_t e = {
            .index = s_get_u64(r, i, 0),
            .time_ms = s_get_u64(r, i, 1),
            .leaf = (const uint8_t *)PQgetvalue(r, i, 2),
            .hash = (const uint8_t *)PQgetvalue(r, i, 3),
            .sender = PQgetvalue(r, i, 4),
            .recipient = PQgetvalue(r, i, 5),
            .sequence = s_get_u64(r, i, 6),
            .kind = s_get_i32(r, i, 7),
            .call_id = (const uint8_t *)PQgetvalue(r, i, 8),
            .envelope = (const uint8_t *)PQgetvalue(r, i, 9),
            .envelope_len = (size_t)PQgetlength(r, i, 9),
        };
        if (PQgetlength(r, i, 2) != 32 || PQgetlength(r, i, 3) != 32 ||
            PQgetlength(r, i, 8) != 16) {
            err_set(err, CC_DATA_LOSS, "store %s: log entry %llu is damaged", p->name,
                    (unsigned long long)e.index);
            ret = -1;
        } else {
            ret = fn(&e, arg, err) < 0 ? -1 : 0;
        }
    }
    PQclear(r);
    return ret;
}

int store_pg_log_read(store_pg_t *p, uint64_t from, uint32_t max, ledger_log_fn fn, void *arg,
                      cc_err_t *err)
{
    s_params_t a = {0};
    s_p_u64(&a, from);
    s_p_u64(&a, max);
    PGresult *r = s_query(p, Q_READ, &a, "reading log", err);
    return r ? s_log_rows(p, r, fn, arg, err) : -1;
}

int store_pg_log_leaves(store_pg_t *p, uint64_t from, uint32_t max, ledger_leaf_fn fn, void *arg,
                        cc_err_t *err)
{
    s_params_t a = {0};
    s_p_u64(&a, from);
    s_p_u64(&a, max);
    PGresult *r = s_query(p, Q_LEAVES, &a, "reading the log's leaves", err);
    if (!r) {
        return -1;
    }
    int ret = 0;
    for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
        if (PQgetlength(r, i, 1) != 32) {
            err_set(err, CC_DATA_LOSS, "store %s: log entry %llu is damaged", p->name,
                    (unsigned long long)s_get_u64(r, i, 0));
            ret = -1;
        } else {
            ret = fn(s_get_u64(r, i, 0), (const uint8_t *)PQgetvalue(r, i, 1), arg, err) < 0 ? -1
                                                                                             : 0;
        }
    }
    PQclear(r);
    return ret;
}

int store_pg_log_senders(store_pg_t *p, ledger_sender_fn fn, void *arg, cc_err_t *err)
{
    PGresult *r = s_query(p, Q_SENDERS, NULL, "reading senders", err);
    if (!r) {
        return -1;
    }
    int ret = 0;
    for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
        if (fn(PQgetvalue(r, i, 0), s_get_u64(r, i, 1), arg) < 0) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory loading senders");
            ret = -1;
        }
    }
    PQclear(r);
    return ret;
}

int store_pg_mailbox_read(store_pg_t *p, const char *recipient, uint64_t after, uint32_t max,
                          ledger_log_fn fn, void *arg, cc_err_t *err)
{
    s_params_t a = {0};
    s_p_text(&a, recipient);
    s_p_u64(&a, after);
    s_p_u64(&a, max);
    PGresult *r = s_query(p, Q_MAILBOX_READ, &a, "reading mailbox", err);
    return r ? s_log_rows(p, r, fn, arg, err) : -1;
}

int store_pg_mailbox_ack(store_pg_t *p, const char *recipient, uint64_t index, cc_err_t *err)
{
    s_params_t a = {0};
    s_p_text(&a, recipient);
    s_p_u64(&a, index);
    PGresult *r = s_query(p, Q_MAILBOX_ACK, &a, "mailbox ack", err);
    if (!r) {
        return -1;
    }
    PQclear(r);
    return 0;
}

uint64_t store_pg_mailbox_count(store_pg_t *p, const char *recipient)
{
    s_params_t a = {0};
    s_p_text(&a, recipient);
    PGresult *r = s_query(p, Q_MAILBOX_COUNT, &a, "counting mail", NULL);
    if (!r) {
        return 0;
    }
    uint64_t n = PQntuples(r) == 1 ? s_get_u64(r, 0, 0) : 0;
    PQclear(r);
    return n;
}

uint64_t store_pg_mailbox_bytes(store_pg_t *p, const char *recipient)
{
    s_params_t a = {0};
    s_p_text(&a, recipient);
    PGresult *r = s_query(p, Q_MAILBOX_BYTES, &a, "counting mailbox bytes", NULL);
    if (!r) {
        return 0;
    }
    uint64_t n = PQntuples(r) == 1 ? s_get_u64(r, 0, 0) : 0;
    PQclear(r);
    return n;
}

int store_pg_mailbox_backfill(store_pg_t *p, const char *recipient, const char *audience,
                              uint64_t before, cc_err_t *err)
{
    s_params_t a = {0};
    s_p_text(&a, recipient);
    s_p_text(&a, audience);
    s_p_u64(&a, before);
    PGresult *r = s_query(p, Q_BACKFILL, &a, "mailbox backfill", err);
    if (!r) {
        return -1;
    }
    int added = s_changed(r);
    PQclear(r);
    return added;
}

int store_pg_head_add(store_pg_t *p, uint64_t size, const uint8_t root[32], const uint8_t *head,
                      size_t head_len, cc_err_t *err)
{
    s_params_t a = {0};
    s_p_u64(&a, size);
    s_p_bytes(&a, root, 32);
    s_p_bytes(&a, head, head_len);
    PGresult *r = s_query(p, Q_HEAD_ADD, &a, "storing a tree head", err);
    if (!r) {
        return -1;
    }
    int added = s_changed(r) > 0 ? 1 : 0;
    PQclear(r);
    return added;
}

int store_pg_heads(store_pg_t *p, ledger_head_fn fn, void *arg, cc_err_t *err)
{
    PGresult *r = s_query(p, Q_HEADS, NULL, "reading tree heads", err);
    if (!r) {
        return -1;
    }
    int ret = 0;
    for (int i = 0; i < PQntuples(r) && ret == 0; i++) {
        if (PQgetlength(r, i, 1) != 32) {
            err_set(err, CC_DATA_LOSS, "store %s: a stored tree head is damaged", p->name);
            ret = -1;
        } else {
            ret =
                fn(s_get_u64(r, i, 0), (const uint8_t *)PQgetvalue(r, i, 1),
                   (const uint8_t *)PQgetvalue(r, i, 2), (size_t)PQgetlength(r, i, 2), arg, err) < 0
                    ? -1
                    : 0;
        }
    }
    PQclear(r);
    return ret;
}
