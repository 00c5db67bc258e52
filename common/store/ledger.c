/* SPDX-License-Identifier: Apache-2.0 */
/* ledger: SQLite storage for node ledgers and the broker's log. */
#include "ledger.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <sqlite3.h>

#include "clock.h"

#define LEDGER_SCHEMA_VERSION 2

/* Prepared statements, indexed by enum so each SQL text appears once. */
enum {
    Q_BEGIN,
    Q_COMMIT,
    Q_ROLLBACK,
    Q_N_APPEND,
    Q_N_FIND_HASH,
    Q_N_SET_RECEIPT,
    Q_N_FIND_REPLY,
    Q_N_REPLAY,
    Q_N_EVENTS,
    Q_N_SENT,
    Q_N_COUNT,
    Q_N_GET,
    Q_N_EVENT_ADD,
    Q_N_RESEAL,
    Q_B_HEAD,
    Q_B_APPEND,
    Q_B_MAILBOX_ADD,
    Q_B_FIND_HASH,
    Q_B_HAS_CALL,
    Q_B_READ,
    Q_B_SENDERS,
    Q_B_MAILBOX_READ,
    Q_B_MAILBOX_ACK,
    Q_B_MAILBOX_COUNT,
    Q_HEAD_ADD,
    Q_HEADS,
    Q_B_LEAVES,
    Q_B_BACKFILL,
    Q_B_MAILBOX_BYTES,
    Q_COUNT
};

static const char *const s_sql[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_N_APPEND] = "INSERT INTO entries(direction, hash, envelope, sender, recipient, method,"
                   " sequence, kind, call_id, log_index, receipt, stored_at_ms)"
                   " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
    [Q_N_FIND_HASH] = "SELECT id, log_index FROM entries WHERE hash = ?",
    [Q_N_SET_RECEIPT] = "UPDATE entries SET log_index = ?, receipt = ? WHERE hash = ?",
    [Q_N_FIND_REPLY] = "SELECT envelope FROM entries WHERE call_id = ? AND recipient = ?"
                       " AND direction = 1 AND kind = 2 ORDER BY id LIMIT 1",
    [Q_N_REPLAY] = "SELECT id, direction, hash, envelope, sender, recipient, method, sequence,"
                   " kind, call_id, log_index, receipt, stored_at_ms FROM entries ORDER BY id",
    [Q_N_EVENTS] = "SELECT e.id, e.direction, e.hash, e.envelope, e.sender, e.recipient,"
                   " e.method, e.sequence, e.kind, e.call_id, v.log_index, e.receipt,"
                   " e.stored_at_ms FROM events v JOIN entries e ON e.hash = v.hash"
                   " ORDER BY v.log_index",
    [Q_N_SENT] = "SELECT id, direction, hash, envelope, sender, recipient, method, sequence,"
                 " kind, call_id, log_index, receipt, stored_at_ms FROM entries"
                 " WHERE direction = 1 AND method = ?1 ORDER BY id", /* 1: LEDGER_OUT */
    [Q_N_COUNT] = "SELECT COUNT(*) FROM entries",
    [Q_N_GET] = "SELECT envelope, receipt FROM entries WHERE hash = ?",
    [Q_N_EVENT_ADD] = "INSERT OR IGNORE INTO events(log_index, hash) VALUES(?, ?)",
    [Q_N_RESEAL] = "UPDATE entries SET id = (SELECT MAX(id) + 1 FROM entries), hash = ?,"
                   " envelope = ?, sequence = ? WHERE hash = ? AND direction = 1"
                   " AND log_index = 0",
    [Q_B_HEAD] = "SELECT idx, leaf FROM log ORDER BY idx DESC LIMIT 1",
    [Q_B_APPEND] = "INSERT INTO log(idx, time_ms, leaf, hash, sender, recipient, sequence,"
                   " kind, call_id, envelope) VALUES(?,?,?,?,?,?,?,?,?,?)",
    [Q_B_MAILBOX_ADD] = "INSERT INTO mailbox(recipient, idx) VALUES(?,?)",
    [Q_B_FIND_HASH] = "SELECT idx, time_ms FROM log WHERE hash = ?",
    [Q_B_HAS_CALL] = "SELECT 1 FROM log WHERE sender = ? AND kind = ? AND call_id = ?",
    [Q_B_READ] = "SELECT idx, time_ms, leaf, hash, sender, recipient, sequence, kind, call_id,"
                 " envelope FROM log WHERE idx >= ? ORDER BY idx LIMIT ?",
    [Q_B_SENDERS] = "SELECT sender, MAX(sequence) FROM log GROUP BY sender",
    [Q_B_MAILBOX_READ] = "SELECT l.idx, l.time_ms, l.leaf, l.hash, l.sender, l.recipient,"
                         " l.sequence, l.kind, l.call_id, l.envelope"
                         " FROM mailbox m JOIN log l ON l.idx = m.idx"
                         " WHERE m.recipient = ? AND m.idx > ? ORDER BY m.idx LIMIT ?",
    [Q_B_MAILBOX_ACK] = "DELETE FROM mailbox WHERE recipient = ? AND idx = ?",
    [Q_B_MAILBOX_COUNT] = "SELECT COUNT(*) FROM mailbox WHERE recipient = ?",
    [Q_HEAD_ADD] = "INSERT OR IGNORE INTO heads(size, root, head) VALUES(?,?,?)",
    [Q_HEADS] = "SELECT size, root, head FROM heads ORDER BY size, rowid",
    [Q_B_LEAVES] = "SELECT idx, leaf FROM log WHERE idx >= ? ORDER BY idx LIMIT ?",
    [Q_B_BACKFILL] = "INSERT OR IGNORE INTO mailbox(recipient, idx)"
                     " SELECT ?1, idx FROM log WHERE recipient = ?2 AND idx < ?3",
    [Q_B_MAILBOX_BYTES] = "SELECT COALESCE(SUM(LENGTH(l.envelope)), 0) FROM mailbox m"
                          " JOIN log l ON l.idx = m.idx WHERE m.recipient = ?",
};

/* Signed tree heads: the broker's own, one per group commit; on a node,
 * every head it was shown (PROTOCOL.md section 13). */
#define S_SCHEMA_HEADS                                                                         \
    "CREATE TABLE IF NOT EXISTS heads("                                                        \
    " size INTEGER NOT NULL,"                                                                  \
    " root BLOB NOT NULL,"                                                                     \
    " head BLOB NOT NULL,"                                                                     \
    " UNIQUE(size, root));"

static const char s_schema_node[] =
    "CREATE TABLE IF NOT EXISTS entries("
    " id INTEGER PRIMARY KEY,"
    " direction INTEGER NOT NULL,"
    " hash BLOB NOT NULL UNIQUE,"
    " envelope BLOB NOT NULL,"
    " sender TEXT NOT NULL,"
    " recipient TEXT NOT NULL,"
    " method TEXT NOT NULL,"
    " sequence INTEGER NOT NULL,"
    " kind INTEGER NOT NULL,"
    " call_id BLOB NOT NULL,"
    " log_index INTEGER NOT NULL DEFAULT 0,"
    " receipt BLOB,"
    " stored_at_ms INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS entries_call ON entries(call_id, recipient);"
    "CREATE TABLE IF NOT EXISTS events("
    " log_index INTEGER PRIMARY KEY,"
    " hash BLOB NOT NULL);" S_SCHEMA_HEADS;

static const char s_schema_broker[] =
    "CREATE TABLE IF NOT EXISTS log("
    " idx INTEGER PRIMARY KEY,"
    " time_ms INTEGER NOT NULL,"
    " leaf BLOB NOT NULL,"
    " hash BLOB NOT NULL UNIQUE,"
    " sender TEXT NOT NULL,"
    " recipient TEXT NOT NULL,"
    " sequence INTEGER NOT NULL,"
    " kind INTEGER NOT NULL,"
    " call_id BLOB NOT NULL,"
    " envelope BLOB NOT NULL);"
    "CREATE UNIQUE INDEX IF NOT EXISTS log_call ON log(sender, kind, call_id);"
    "CREATE TABLE IF NOT EXISTS mailbox("
    " recipient TEXT NOT NULL,"
    " idx INTEGER NOT NULL,"
    " PRIMARY KEY(recipient, idx)) WITHOUT ROWID;" S_SCHEMA_HEADS;

struct ledger {
    sqlite3 *db;
    ledger_role_t role;
    int in_txn;
    int lock_fd; /* PATH.lock, held with flock while open; -1: none */
    char *path;
    sqlite3_stmt *stmt[Q_COUNT];
};

static void s_db_error(const ledger_t *l, cc_err_t *err, const char *what)
{
    int saved_errno = errno; /* the failed write's, before anything else runs */
    int rc = sqlite3_extended_errcode(l->db);
    cc_code_t code = CC_INTERNAL;
    if (rc == SQLITE_FULL || (rc & 0xff) == SQLITE_IOERR || rc == SQLITE_NOMEM) {
        code = CC_RESOURCE_EXHAUSTED;
    } else if ((rc & 0xff) == SQLITE_READONLY || (rc & 0xff) == SQLITE_CANTOPEN) {
        code = CC_FAILED_PRECONDITION;
    } else if ((rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB) {
        code = CC_DATA_LOSS;
    } else if ((rc & 0xff) == SQLITE_CONSTRAINT) {
        code = CC_ALREADY_EXISTS;
    } else if ((rc & 0xff) == SQLITE_BUSY) {
        code = CC_UNAVAILABLE;
    }
    /* The operating system's reason (no space, file too large, not
     * permitted) tells the operator what to fix; SQLite's alone ("disk
     * I/O error") does not. SQLite does not always keep it, but errno
     * still holds it when the failing call returns. */
    int os_errno = sqlite3_system_errno(l->db);
    if (os_errno == 0) {
        os_errno = saved_errno;
    }
    if (os_errno != 0 && (code == CC_RESOURCE_EXHAUSTED || code == CC_FAILED_PRECONDITION)) {
        err_set(err, code, "ledger %s: %s: %s (%s)", l->path, what, sqlite3_errmsg(l->db),
                strerror(os_errno));
        return;
    }
    err_set(err, code, "ledger %s: %s: %s", l->path, what, sqlite3_errmsg(l->db));
}

/* Returns the cached statement for q, reset and with bindings cleared. */
static sqlite3_stmt *s_stmt(ledger_t *l, int q, cc_err_t *err)
{
    if (!l->stmt[q]) {
        if (sqlite3_prepare_v3(l->db, s_sql[q], -1, SQLITE_PREPARE_PERSISTENT, &l->stmt[q],
                               NULL) != SQLITE_OK) {
            s_db_error(l, err, "prepare");
            return NULL;
        }
    }
    sqlite3_reset(l->stmt[q]);
    sqlite3_clear_bindings(l->stmt[q]);
    return l->stmt[q];
}

/* The statement for a log query (q) whose callback may run the same query
 * again before the first is done: the cached one while no such query runs
 * (most calls: no parse), else a fresh one, which s_log_query finalizes. */
static sqlite3_stmt *s_stmt_nested(ledger_t *l, int q, cc_err_t *err)
{
    if (!l->stmt[q] || !sqlite3_stmt_busy(l->stmt[q])) {
        return s_stmt(l, q, err);
    }
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, s_sql[q], -1, &st, NULL) != SQLITE_OK) {
        s_db_error(l, err, "prepare");
        return NULL;
    }
    return st;
}

/* Runs a statement that returns no rows. */
static int s_exec_stmt(ledger_t *l, sqlite3_stmt *st, const char *what, cc_err_t *err)
{
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) {
        s_db_error(l, err, what);
        sqlite3_reset(st);
        return -1;
    }
    sqlite3_reset(st);
    return 0;
}

static int s_exec(ledger_t *l, const char *sql, cc_err_t *err)
{
    char *msg = NULL;
    if (sqlite3_exec(l->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        int rc = sqlite3_errcode(l->db);
        err_set(err,
                rc == SQLITE_NOTADB  ? CC_DATA_LOSS
                : rc == SQLITE_NOMEM ? CC_RESOURCE_EXHAUSTED
                                     : CC_INTERNAL,
                "ledger %s: %s", l->path, msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

/* A brand-new file gets the role's schema and marks; an existing file must
 * carry the marks of this role. user_version holds the schema version and
 * application_id the role, so a node ledger can never be opened as a
 * broker log by mistake. */
static int s_schema(ledger_t *l, cc_err_t *err)
{
    sqlite3_stmt *st = NULL;
    int app = 0;
    int ver = 0;
    const int want_app = 0x434f4e00 | (int)l->role; /* "CON" + role */
    if (sqlite3_prepare_v2(l->db, "PRAGMA application_id", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        s_db_error(l, err, "reading file marks");
        sqlite3_finalize(st);
        return -1;
    }
    app = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(l->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        s_db_error(l, err, "reading schema version");
        sqlite3_finalize(st);
        return -1;
    }
    ver = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    if (app == 0 && ver == 0) {
        char sql[96];
        snprintf(sql, sizeof sql, "PRAGMA application_id = %d; PRAGMA user_version = %d;",
                 want_app, LEDGER_SCHEMA_VERSION);
        if (s_exec(l, "BEGIN IMMEDIATE", err) < 0) {
            return -1;
        }
        if (s_exec(l, l->role == LEDGER_NODE ? s_schema_node : s_schema_broker, err) < 0 ||
            s_exec(l, sql, err) < 0 || s_exec(l, "COMMIT", err) < 0) {
            s_exec(l, "ROLLBACK", NULL);
            return -1;
        }
        return 0;
    }
    if ((app & ~0xff) != 0x434f4e00) {
        err_set(err, CC_DATA_LOSS, "ledger %s: not a Concord store", l->path);
        return -1;
    }
    if (app != want_app) {
        err_set(err, CC_FAILED_PRECONDITION, "ledger %s: this is a %s store, not a %s store",
                l->path, (app & 0xff) == LEDGER_NODE ? "node" : "broker",
                l->role == LEDGER_NODE ? "node" : "broker");
        return -1;
    }
    if (ver == 1) {
        err_set(err, CC_FAILED_PRECONDITION,
                "ledger %s was written by Concord protocol version 1 (a hash-chained log with "
                "signed receipts); this is protocol version 2 (signed tree heads), which cannot "
                "read it. Version 1 logs are not converted: keep this file as the record of the "
                "version 1 federation, export the certificates you need with the version 1 "
                "tools, and start every node and the broker on an empty data directory "
                "(docs/PROTOCOL.md, section 15)",
                l->path);
        return -1;
    }
    if (ver != LEDGER_SCHEMA_VERSION) {
        err_set(err, CC_FAILED_PRECONDITION, "ledger %s: schema version %d, expected %d",
                l->path, ver, LEDGER_SCHEMA_VERSION);
        return -1;
    }
    return 0;
}

static const char *s_what(ledger_role_t role)
{
    return role == LEDGER_BROKER ? "broker database" : "ledger";
}

/* One process per store: a second on it would reuse sequence numbers or
 * log indexes and split deliveries between the two. PATH.lock (0600) is
 * held with flock for as long as the store is open, and names the
 * holder's pid; the lock dies with the process, so a crash leaves
 * nothing to clean up. */
static int s_lock(ledger_t *l, cc_err_t *err)
{
    char lock[4096];
    if (snprintf(lock, sizeof lock, "%s.lock", l->path) >= (int)sizeof lock) {
        err_set(err, CC_INVALID_ARGUMENT, "%s %s: path too long", s_what(l->role), l->path);
        return -1;
    }
    l->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (l->lock_fd < 0) {
        err_set(err, CC_FAILED_PRECONDITION, "%s %s: cannot open its lock file %s: %s",
                s_what(l->role), l->path, lock, strerror(errno));
        return -1;
    }
    if (flock(l->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        char pid[24] = "";
        ssize_t n = pread(l->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        err_set(err, CC_FAILED_PRECONDITION,
                "DATABASE_IN_USE: %s %s is in use by another process (pid %s, holding %s): "
                "one %s per database; stop the other first",
                s_what(l->role), l->path, pid[0] ? pid : "unknown", lock,
                l->role == LEDGER_BROKER ? "concord-broker" : "concordd");
        return -1;
    }
    char pid[24];
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(l->lock_fd, 0) != 0 || pwrite(l->lock_fd, pid, (size_t)len, 0) != len) {
        /* The lock holds without the pid: it only helps the message. */
        errno = 0;
    }
    return 0;
}

/* Creates the store 0600 whatever the umask (SQLite gives its WAL and
 * shared-memory files the same mode), and takes group and other access
 * away from one made before. */
static int s_private(const ledger_t *l, cc_err_t *err)
{
    int fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || ((st.st_mode & 077) && fchmod(fd, 0600) != 0)) {
        err_set(err, CC_FAILED_PRECONDITION, "%s %s: cannot open: %s", s_what(l->role), l->path,
                strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    close(fd);
    return 0;
}

ledger_t *ledger_open(const char *path, ledger_role_t role, int fsync, cc_err_t *err)
{
    assert(path && (role == LEDGER_NODE || role == LEDGER_BROKER));
    ledger_t *l = calloc(1, sizeof *l);
    if (!l || !(l->path = strdup(path))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        free(l);
        return NULL;
    }
    l->role = role;
    l->lock_fd = -1;
    if (s_lock(l, err) < 0 || s_private(l, err) < 0) {
        goto fail;
    }
    int rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, rc == SQLITE_NOMEM ? CC_RESOURCE_EXHAUSTED : CC_FAILED_PRECONDITION,
                "ledger %s: cannot open: %s", path,
                l->db ? sqlite3_errmsg(l->db) : "out of memory");
        goto fail;
    }
    sqlite3_extended_result_codes(l->db, 1);
    sqlite3_busy_timeout(l->db, 5000);
    if (s_exec(l, "PRAGMA journal_mode = WAL", err) < 0) {
        goto fail;
    }
    if (s_exec(l, fsync ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF", err) < 0) {
        goto fail;
    }
    if (s_exec(l, "PRAGMA foreign_keys = ON", err) < 0 || s_schema(l, err) < 0) {
        goto fail;
    }
    /* A node's lookups touch the indexes' upper pages and the newest
     * entries: 512 KiB of page cache instead of SQLite's 2 MiB keeps a
     * node's memory small when hundreds run on one machine (the kernel's
     * page cache holds the rest of the file). */
    if (role == LEDGER_NODE && s_exec(l, "PRAGMA cache_size = -512", err) < 0) {
        goto fail;
    }
    /* The broker looks up every envelope's hash and call id in indexes
     * that grow with the log: a page cache of 16 MiB (SQLite's default is
     * 2 MiB) keeps more of them in memory. (Not mmap_size: no gain we could
     * measure, and a mapped file turns a read error into SIGBUS;
     * docs/PERFORMANCE.md, figure 2.) */
    if (role == LEDGER_BROKER && s_exec(l, "PRAGMA cache_size = -16384", err) < 0) {
        goto fail;
    }
    return l;
fail:
    ledger_close(&l);
    return NULL;
}

ledger_t *ledger_open_readonly(const char *path, ledger_role_t role, cc_err_t *err)
{
    assert(path && (role == LEDGER_NODE || role == LEDGER_BROKER));
    ledger_t *l = calloc(1, sizeof *l);
    if (!l || !(l->path = strdup(path))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        free(l);
        return NULL;
    }
    l->role = role;
    l->lock_fd = -1;
    int rc = sqlite3_open_v2(path, &l->db, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        err_set(err, rc == SQLITE_NOMEM ? CC_RESOURCE_EXHAUSTED : CC_FAILED_PRECONDITION,
                "ledger %s: cannot open: %s", path,
                l->db ? sqlite3_errmsg(l->db) : "out of memory");
        ledger_close(&l);
        return NULL;
    }
    sqlite3_extended_result_codes(l->db, 1);
    sqlite3_busy_timeout(l->db, 5000);
    if (s_schema(l, err) < 0) {
        ledger_close(&l);
        return NULL;
    }
    return l;
}

void ledger_close(ledger_t **lp)
{
    if (!lp || !*lp) {
        return;
    }
    ledger_t *l = *lp;
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(l->stmt[i]);
    }
    if (l->db) {
        if (l->in_txn) {
            sqlite3_exec(l->db, "ROLLBACK", NULL, NULL, NULL);
        }
        sqlite3_close(l->db);
    }
    if (l->lock_fd >= 0) {
        close(l->lock_fd); /* releases the flock */
    }
    free(l->path);
    free(l);
    *lp = NULL;
}

int ledger_begin(ledger_t *l, cc_err_t *err)
{
    assert(!l->in_txn);
    sqlite3_stmt *st = s_stmt(l, Q_BEGIN, err);
    if (!st || s_exec_stmt(l, st, "begin", err) < 0) {
        return -1;
    }
    l->in_txn = 1;
    return 0;
}

int ledger_commit(ledger_t *l, cc_err_t *err)
{
    assert(l->in_txn);
    sqlite3_stmt *st = s_stmt(l, Q_COMMIT, err);
    if (!st || s_exec_stmt(l, st, "commit", err) < 0) {
        ledger_rollback(l);
        return -1;
    }
    l->in_txn = 0;
    return 0;
}

void ledger_rollback(ledger_t *l)
{
    if (!l->in_txn) {
        return;
    }
    sqlite3_stmt *st = s_stmt(l, Q_ROLLBACK, NULL);
    if (st) {
        s_exec_stmt(l, st, "rollback", NULL);
    }
    /* A failed COMMIT may already have rolled back; either way we are out. */
    l->in_txn = 0;
}

static int s_bind_blob(sqlite3_stmt *st, int i, const void *p, size_t n)
{
    if (!p) {
        return sqlite3_bind_null(st, i);
    }
    return sqlite3_bind_blob64(st, i, p, n, SQLITE_STATIC);
}

static int s_bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    /* SQLite integers are signed 64-bit; wire values above INT64_MAX are
     * refused by callers, so the cast keeps the value. */
    return sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

static uint64_t s_col_u64(sqlite3_stmt *st, int i)
{
    return (uint64_t)sqlite3_column_int64(st, i);
}

/* Copies one column's blob into a fresh buffer. */
static int s_col_dup(sqlite3_stmt *st, int i, uint8_t **out, size_t *len, cc_err_t *err)
{
    const void *p = sqlite3_column_blob(st, i);
    size_t n = (size_t)sqlite3_column_bytes(st, i);
    *out = malloc(n ? n : 1);
    if (!*out) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (n) {
        memcpy(*out, p, n);
    }
    *len = n;
    return 0;
}

/* Returns the id of the entry with this hash, 0 if none, -1 on error;
 * its log index goes to *log_index when that is not NULL. */
static int64_t s_find_hash(ledger_t *l, const uint8_t hash[32], uint64_t *log_index,
                           cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_N_FIND_HASH, err);
    if (!st) {
        return -1;
    }
    s_bind_blob(st, 1, hash, 32);
    int rc = sqlite3_step(st);
    int64_t id = 0;
    if (rc == SQLITE_ROW) {
        id = sqlite3_column_int64(st, 0);
        if (log_index) {
            *log_index = (uint64_t)sqlite3_column_int64(st, 1);
        }
    } else if (rc != SQLITE_DONE) {
        s_db_error(l, err, "lookup");
        id = -1;
    }
    sqlite3_reset(st);
    return id;
}

int ledger_append(ledger_t *l, const ledger_entry_t *e, int64_t *id_out, cc_err_t *err)
{
    assert(l->role == LEDGER_NODE && e->hash && e->envelope && e->call_id);
    int64_t existing = s_find_hash(l, e->hash, NULL, err);
    if (existing < 0) {
        return -1;
    }
    if (existing > 0) {
        if (id_out) {
            *id_out = existing;
        }
        err_set(err, CC_ALREADY_EXISTS, "envelope already in the ledger as entry %lld",
                (long long)existing);
        return -1;
    }
    sqlite3_stmt *st = s_stmt(l, Q_N_APPEND, err);
    if (!st) {
        return -1;
    }
    sqlite3_bind_int(st, 1, (int)e->direction);
    s_bind_blob(st, 2, e->hash, 32);
    s_bind_blob(st, 3, e->envelope, e->envelope_len);
    sqlite3_bind_text(st, 4, e->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->method, -1, SQLITE_STATIC);
    s_bind_u64(st, 7, e->sequence);
    sqlite3_bind_int(st, 8, e->kind);
    s_bind_blob(st, 9, e->call_id, 16);
    s_bind_u64(st, 10, e->log_index);
    s_bind_blob(st, 11, e->receipt, e->receipt_len);
    s_bind_u64(st, 12, clock_wall_ms());
    if (s_exec_stmt(l, st, "append", err) < 0) {
        return -1;
    }
    if (id_out) {
        *id_out = sqlite3_last_insert_rowid(l->db);
    }
    return 0;
}

int ledger_set_receipt(ledger_t *l, const uint8_t hash[32], uint64_t log_index,
                       const uint8_t *receipt, size_t receipt_len, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_N_SET_RECEIPT, err);
    if (!st) {
        return -1;
    }
    s_bind_u64(st, 1, log_index);
    s_bind_blob(st, 2, receipt, receipt_len);
    s_bind_blob(st, 3, hash, 32);
    if (s_exec_stmt(l, st, "storing receipt", err) < 0) {
        return -1;
    }
    if (sqlite3_changes(l->db) == 0) {
        err_set(err, CC_NOT_FOUND, "no ledger entry for that receipt");
        return -1;
    }
    return 0;
}

int ledger_reseal(ledger_t *l, const uint8_t old_hash[32], const uint8_t new_hash[32],
                  const uint8_t *env, size_t env_len, uint64_t sequence, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_N_RESEAL, err);
    if (!st) {
        return -1;
    }
    s_bind_blob(st, 1, new_hash, 32);
    s_bind_blob(st, 2, env, env_len);
    s_bind_u64(st, 3, sequence);
    s_bind_blob(st, 4, old_hash, 32);
    if (s_exec_stmt(l, st, "replacing a resealed envelope", err) < 0) {
        return -1;
    }
    if (sqlite3_changes(l->db) == 0) {
        err_set(err, CC_NOT_FOUND, "no unreceipted envelope of ours with that hash");
        return -1;
    }
    return 0;
}

int ledger_has(ledger_t *l, const uint8_t hash[32], uint64_t *log_index, cc_err_t *err)
{
    if (log_index) {
        *log_index = 0;
    }
    int64_t id = s_find_hash(l, hash, log_index, err);
    return id < 0 ? -1 : id > 0;
}

int ledger_find_reply(ledger_t *l, const uint8_t call_id[16], const char *requester,
                      uint8_t **env, size_t *env_len, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_N_FIND_REPLY, err);
    if (!st) {
        return -1;
    }
    s_bind_blob(st, 1, call_id, 16);
    sqlite3_bind_text(st, 2, requester, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        ret = s_col_dup(st, 0, env, env_len, err) < 0 ? -1 : 1;
    } else if (rc != SQLITE_DONE) {
        s_db_error(l, err, "finding reply");
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}

/* Steps st to the end, handing each row to row(); stops at the first
 * failure. Shared by every multi-row read. */
typedef int (*s_row_fn)(ledger_t *l, sqlite3_stmt *st, void *ctx, cc_err_t *err);

static int s_step_all(ledger_t *l, sqlite3_stmt *st, s_row_fn row, void *ctx, const char *what,
                      cc_err_t *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (row(l, st, ctx, err) < 0) {
            return -1;
        }
    }
    if (rc != SQLITE_DONE) {
        s_db_error(l, err, what);
        return -1;
    }
    return 0;
}

typedef struct {
    ledger_entry_fn fn;
    void *arg;
} s_entry_cb_t;

static int s_entry_row(ledger_t *l, sqlite3_stmt *st, void *ctx, cc_err_t *err)
{
    s_entry_cb_t *cb = ctx;
    ledger_entry_t e = {
        .id = sqlite3_column_int64(st, 0),
        .direction = (ledger_dir_t)sqlite3_column_int(st, 1),
        .hash = sqlite3_column_blob(st, 2),
        .envelope = sqlite3_column_blob(st, 3),
        .envelope_len = (size_t)sqlite3_column_bytes(st, 3),
        .sender = (const char *)sqlite3_column_text(st, 4),
        .recipient = (const char *)sqlite3_column_text(st, 5),
        .method = (const char *)sqlite3_column_text(st, 6),
        .sequence = s_col_u64(st, 7),
        .kind = sqlite3_column_int(st, 8),
        .call_id = sqlite3_column_blob(st, 9),
        .log_index = s_col_u64(st, 10),
        .receipt = sqlite3_column_blob(st, 11),
        .receipt_len = (size_t)sqlite3_column_bytes(st, 11),
        .stored_at_ms = s_col_u64(st, 12),
    };
    if (sqlite3_column_bytes(st, 2) != 32 || sqlite3_column_bytes(st, 9) != 16) {
        err_set(err, CC_DATA_LOSS, "ledger %s: entry %lld is damaged", l->path,
                (long long)e.id);
        return -1;
    }
    return cb->fn(&e, cb->arg, err);
}

/* Runs an entry query on its own statement: callbacks may write
 * (receipts, resubmission bookkeeping) while the cursor is open. */
/* Runs query q (its ?1 bound to text when not NULL) and hands each row
 * to fn as an entry. */
static int s_entries(ledger_t *l, int q, const char *text, ledger_entry_fn fn, void *arg,
                     cc_err_t *err)
{
    sqlite3_stmt *st = NULL;
    s_entry_cb_t cb = {.fn = fn, .arg = arg};
    if (sqlite3_prepare_v2(l->db, s_sql[q], -1, &st, NULL) != SQLITE_OK ||
        (text && sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC) != SQLITE_OK)) {
        s_db_error(l, err, "replay");
        sqlite3_finalize(st);
        return -1;
    }
    int ret = s_step_all(l, st, s_entry_row, &cb, "replay", err);
    sqlite3_finalize(st);
    return ret;
}

int ledger_replay(ledger_t *l, ledger_entry_fn fn, void *arg, cc_err_t *err)
{
    return s_entries(l, Q_N_REPLAY, NULL, fn, arg, err);
}

int ledger_sent_replay(ledger_t *l, const char *method, ledger_entry_fn fn, void *arg,
                       cc_err_t *err)
{
    return s_entries(l, Q_N_SENT, method, fn, arg, err);
}

int ledger_events_replay(ledger_t *l, ledger_entry_fn fn, void *arg, cc_err_t *err)
{
    return s_entries(l, Q_N_EVENTS, NULL, fn, arg, err);
}

int ledger_event_add(ledger_t *l, uint64_t log_index, const uint8_t hash[32], cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_N_EVENT_ADD, err);
    if (!st) {
        return -1;
    }
    s_bind_u64(st, 1, log_index);
    s_bind_blob(st, 2, hash, 32);
    if (s_exec_stmt(l, st, "recording event", err) < 0) {
        return -1;
    }
    return sqlite3_changes(l->db) > 0;
}

int ledger_get(ledger_t *l, const uint8_t hash[32], uint8_t **env, size_t *env_len,
               uint8_t **receipt, size_t *receipt_len, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_N_GET, err);
    int ret = 0;
    if (!st) {
        return -1;
    }
    *env = NULL;
    *receipt = NULL;
    *receipt_len = 0;
    s_bind_blob(st, 1, hash, 32);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        ret = 1;
        if (s_col_dup(st, 0, env, env_len, err) < 0 ||
            (sqlite3_column_type(st, 1) != SQLITE_NULL &&
             s_col_dup(st, 1, receipt, receipt_len, err) < 0)) {
            free(*env);
            *env = NULL;
            ret = -1;
        }
    } else if (rc != SQLITE_DONE) {
        s_db_error(l, err, "reading entry");
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}

/* Runs a one-row COUNT(*) with an optional text parameter. */
static uint64_t s_count(ledger_t *l, int q, const char *param)
{
    sqlite3_stmt *st = s_stmt(l, q, NULL);
    uint64_t n = 0;
    if (!st) {
        return 0;
    }
    if (param) {
        sqlite3_bind_text(st, 1, param, -1, SQLITE_STATIC);
    }
    if (sqlite3_step(st) == SQLITE_ROW) {
        n = s_col_u64(st, 0);
    }
    sqlite3_reset(st);
    return n;
}

uint64_t ledger_count(ledger_t *l)
{
    return s_count(l, Q_N_COUNT, NULL);
}

/* ---- broker log ---- */

int ledger_log_head(ledger_t *l, uint64_t *index, uint8_t leaf[32], cc_err_t *err)
{
    assert(l->role == LEDGER_BROKER);
    sqlite3_stmt *st = s_stmt(l, Q_B_HEAD, err);
    if (!st) {
        return -1;
    }
    int rc = sqlite3_step(st);
    int ret = 0;
    *index = 0;
    memset(leaf, 0, 32);
    if (rc == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 1) != 32) {
            err_set(err, CC_DATA_LOSS, "ledger %s: damaged leaf hash at the head", l->path);
            ret = -1;
        } else {
            *index = s_col_u64(st, 0);
            memcpy(leaf, sqlite3_column_blob(st, 1), 32);
        }
    } else if (rc != SQLITE_DONE) {
        s_db_error(l, err, "reading head");
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}

int ledger_log_append(ledger_t *l, const ledger_log_entry_t *e, const char *const *to,
                      size_t n_to, cc_err_t *err)
{
    uint64_t head = 0;
    uint8_t leaf[32];
    if (ledger_log_head(l, &head, leaf, err) < 0) {
        return -1;
    }
    if (e->index != head + 1) {
        err_set(err, CC_FAILED_PRECONDITION, "log append at %llu but the head is %llu",
                (unsigned long long)e->index, (unsigned long long)head);
        return -1;
    }
    sqlite3_stmt *st = s_stmt(l, Q_B_APPEND, err);
    if (!st) {
        return -1;
    }
    s_bind_u64(st, 1, e->index);
    s_bind_u64(st, 2, e->time_ms);
    s_bind_blob(st, 3, e->leaf, 32);
    s_bind_blob(st, 4, e->hash, 32);
    sqlite3_bind_text(st, 5, e->sender, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->recipient, -1, SQLITE_STATIC);
    s_bind_u64(st, 7, e->sequence);
    sqlite3_bind_int(st, 8, e->kind);
    s_bind_blob(st, 9, e->call_id, 16);
    s_bind_blob(st, 10, e->envelope, e->envelope_len);
    if (s_exec_stmt(l, st, "log append", err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n_to; i++) {
        st = s_stmt(l, Q_B_MAILBOX_ADD, err);
        if (!st) {
            return -1;
        }
        sqlite3_bind_text(st, 1, to[i], -1, SQLITE_STATIC);
        s_bind_u64(st, 2, e->index);
        if (s_exec_stmt(l, st, "mailbox append", err) < 0) {
            return -1;
        }
    }
    return 0;
}

int ledger_log_find(ledger_t *l, const uint8_t hash[32], uint64_t *index, uint64_t *time_ms,
                    cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_B_FIND_HASH, err);
    if (!st) {
        return -1;
    }
    s_bind_blob(st, 1, hash, 32);
    int rc = sqlite3_step(st);
    int ret = 0;
    if (rc == SQLITE_ROW) {
        *index = s_col_u64(st, 0);
        *time_ms = s_col_u64(st, 1);
        ret = 1;
    } else if (rc != SQLITE_DONE) {
        s_db_error(l, err, "finding envelope");
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}

int ledger_log_has_call(ledger_t *l, const char *sender, int kind, const uint8_t call_id[16],
                        cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_B_HAS_CALL, err);
    if (!st) {
        return -1;
    }
    sqlite3_bind_text(st, 1, sender, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, kind);
    s_bind_blob(st, 3, call_id, 16);
    int rc = sqlite3_step(st);
    int ret = rc == SQLITE_ROW ? 1 : 0;
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        s_db_error(l, err, "finding call id");
        ret = -1;
    }
    sqlite3_reset(st);
    return ret;
}

typedef struct {
    ledger_log_fn fn;
    void *arg;
} s_log_cb_t;

static int s_log_row(ledger_t *l, sqlite3_stmt *st, void *ctx, cc_err_t *err)
{
    s_log_cb_t *cb = ctx;
    ledger_log_entry_t e = {
        .index = s_col_u64(st, 0),
        .time_ms = s_col_u64(st, 1),
        .leaf = sqlite3_column_blob(st, 2),
        .hash = sqlite3_column_blob(st, 3),
        .sender = (const char *)sqlite3_column_text(st, 4),
        .recipient = (const char *)sqlite3_column_text(st, 5),
        .sequence = s_col_u64(st, 6),
        .kind = sqlite3_column_int(st, 7),
        .call_id = sqlite3_column_blob(st, 8),
        .envelope = sqlite3_column_blob(st, 9),
        .envelope_len = (size_t)sqlite3_column_bytes(st, 9),
    };
    if (sqlite3_column_bytes(st, 2) != 32 || sqlite3_column_bytes(st, 3) != 32 ||
        sqlite3_column_bytes(st, 8) != 16) {
        err_set(err, CC_DATA_LOSS, "ledger %s: log entry %llu is damaged", l->path,
                (unsigned long long)e.index);
        return -1;
    }
    return cb->fn(&e, cb->arg, err);
}

/* Runs a log query q (st: from s_stmt_nested, so that a callback may run
 * the same query again) and resets it if it is the cached one, else
 * finalizes it. */
static int s_log_query(ledger_t *l, int q, sqlite3_stmt *st, ledger_log_fn fn, void *arg,
                       cc_err_t *err)
{
    s_log_cb_t cb = {.fn = fn, .arg = arg};
    int ret = s_step_all(l, st, s_log_row, &cb, "reading log", err);
    if (st == l->stmt[q]) {
        sqlite3_reset(st);
    } else {
        sqlite3_finalize(st);
    }
    return ret;
}

int ledger_log_read(ledger_t *l, uint64_t from, uint32_t max, ledger_log_fn fn, void *arg,
                    cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt_nested(l, Q_B_READ, err);
    if (!st) {
        return -1;
    }
    s_bind_u64(st, 1, from);
    sqlite3_bind_int64(st, 2, max);
    return s_log_query(l, Q_B_READ, st, fn, arg, err);
}

typedef struct {
    ledger_sender_fn fn;
    void *arg;
} s_sender_cb_t;

static int s_sender_row(ledger_t *l, sqlite3_stmt *st, void *ctx, cc_err_t *err)
{
    (void)l;
    s_sender_cb_t *cb = ctx;
    if (cb->fn((const char *)sqlite3_column_text(st, 0), s_col_u64(st, 1), cb->arg) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory loading senders");
        return -1;
    }
    return 0;
}

int ledger_log_senders(ledger_t *l, ledger_sender_fn fn, void *arg, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_B_SENDERS, err);
    s_sender_cb_t cb = {.fn = fn, .arg = arg};
    if (!st) {
        return -1;
    }
    int ret = s_step_all(l, st, s_sender_row, &cb, "reading senders", err);
    sqlite3_reset(st);
    return ret;
}

int ledger_mailbox_read(ledger_t *l, const char *recipient, uint64_t after, uint32_t max,
                        ledger_log_fn fn, void *arg, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt_nested(l, Q_B_MAILBOX_READ, err);
    if (!st) {
        return -1;
    }
    sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
    s_bind_u64(st, 2, after);
    sqlite3_bind_int64(st, 3, max);
    return s_log_query(l, Q_B_MAILBOX_READ, st, fn, arg, err);
}

int ledger_mailbox_ack(ledger_t *l, const char *recipient, uint64_t index, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_B_MAILBOX_ACK, err);
    if (!st) {
        return -1;
    }
    sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
    s_bind_u64(st, 2, index);
    return s_exec_stmt(l, st, "mailbox ack", err);
}

int ledger_mailbox_backfill(ledger_t *l, const char *recipient, const char *audience,
                            uint64_t before, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_B_BACKFILL, err);
    if (!st) {
        return -1;
    }
    sqlite3_bind_text(st, 1, recipient, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, audience, -1, SQLITE_STATIC);
    s_bind_u64(st, 3, before);
    if (s_exec_stmt(l, st, "mailbox backfill", err) < 0) {
        return -1;
    }
    return sqlite3_changes(l->db);
}

uint64_t ledger_mailbox_count(ledger_t *l, const char *recipient)
{
    return s_count(l, Q_B_MAILBOX_COUNT, recipient);
}

/* ---- signed tree heads ---- */

int ledger_head_add(ledger_t *l, uint64_t size, const uint8_t root[32], const uint8_t *head,
                    size_t head_len, cc_err_t *err)
{
    sqlite3_stmt *st = s_stmt(l, Q_HEAD_ADD, err);
    if (!st) {
        return -1;
    }
    s_bind_u64(st, 1, size);
    s_bind_blob(st, 2, root, 32);
    s_bind_blob(st, 3, head, head_len);
    if (s_exec_stmt(l, st, "storing a tree head", err) < 0) {
        return -1;
    }
    return sqlite3_changes(l->db) > 0 ? 1 : 0;
}

typedef struct {
    ledger_head_fn fn;
    void *arg;
} s_head_cb_t;

static int s_head_row(ledger_t *l, sqlite3_stmt *st, void *ctx, cc_err_t *err)
{
    s_head_cb_t *cb = ctx;
    if (sqlite3_column_bytes(st, 1) != 32) {
        err_set(err, CC_DATA_LOSS, "ledger %s: a stored tree head is damaged", l->path);
        return -1;
    }
    return cb->fn(s_col_u64(st, 0), sqlite3_column_blob(st, 1), sqlite3_column_blob(st, 2),
                  (size_t)sqlite3_column_bytes(st, 2), cb->arg, err);
}

int ledger_heads(ledger_t *l, ledger_head_fn fn, void *arg, cc_err_t *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, s_sql[Q_HEADS], -1, &st, NULL) != SQLITE_OK) {
        s_db_error(l, err, "reading tree heads");
        return -1;
    }
    s_head_cb_t cb = {.fn = fn, .arg = arg};
    int ret = s_step_all(l, st, s_head_row, &cb, "reading tree heads", err);
    sqlite3_finalize(st);
    return ret;
}

typedef struct {
    ledger_leaf_fn fn;
    void *arg;
} s_leaf_cb_t;

static int s_leaf_row(ledger_t *l, sqlite3_stmt *st, void *ctx, cc_err_t *err)
{
    s_leaf_cb_t *cb = ctx;
    if (sqlite3_column_bytes(st, 1) != 32) {
        err_set(err, CC_DATA_LOSS, "ledger %s: log entry %llu is damaged", l->path,
                (unsigned long long)s_col_u64(st, 0));
        return -1;
    }
    return cb->fn(s_col_u64(st, 0), sqlite3_column_blob(st, 1), cb->arg, err);
}

int ledger_log_leaves(ledger_t *l, uint64_t from, uint32_t max, ledger_leaf_fn fn, void *arg,
                      cc_err_t *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(l->db, s_sql[Q_B_LEAVES], -1, &st, NULL) != SQLITE_OK) {
        s_db_error(l, err, "reading the log's leaves");
        return -1;
    }
    s_bind_u64(st, 1, from);
    sqlite3_bind_int64(st, 2, max);
    s_leaf_cb_t cb = {.fn = fn, .arg = arg};
    int ret = s_step_all(l, st, s_leaf_row, &cb, "reading the log's leaves", err);
    sqlite3_finalize(st);
    return ret;
}

int ledger_disk_check(const ledger_t *l, uint32_t reserve_mb, size_t need, const char *who,
                      const char *what, cc_err_t *err)
{
    struct statvfs vfs;
    if (!reserve_mb || statvfs(l->path, &vfs) != 0) {
        return 0;
    }
    uint64_t free_b = (uint64_t)vfs.f_bavail * vfs.f_frsize;
    uint64_t reserve = (uint64_t)reserve_mb << 20;
    if (free_b < reserve + (uint64_t)need * 4) {
        err_set(err, CC_RESOURCE_EXHAUSTED,
                "the %s's disk has %llu MB free, under its reserve (disk_reserve_mb = %u): new %s "
                "are refused until space returns",
                who, (unsigned long long)(free_b >> 20), reserve_mb, what);
        return -1;
    }
    return 0;
}

uint64_t ledger_size_bytes(ledger_t *l)
{
    sqlite3_stmt *st = NULL;
    uint64_t pages = 0, page = 0;
    if (sqlite3_prepare_v2(l->db, "PRAGMA page_count", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        pages = (uint64_t)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (sqlite3_prepare_v2(l->db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        page = (uint64_t)sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return pages * page;
}

uint64_t ledger_mailbox_bytes(ledger_t *l, const char *recipient)
{
    return s_count(l, Q_B_MAILBOX_BYTES, recipient);
}
