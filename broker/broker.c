/* SPDX-License-Identifier: Apache-2.0 */
/* broker: the loop and its group commit. Reads up to a batch of messages
 * from the ROUTER, has the verifier threads (vpool.h) decode and open
 * them, hands each in the order read to the accept path or the mailboxes
 * within one ledger transaction, commits, and only then sends the
 * batch's answers and pumps the mailboxes. Also answers ZAP between
 * batches. The jobs themselves live in accept.c, mailbox.c, services.c,
 * zap.c, outbox.c and admission.c. */
#include "broker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <zmq.h>

#include "accept.h"
#include "broker_state.h"
#include "clock.h"
#include "daemon.h"
#include "frames.h"
#include "log.h"
#include "recover.h"
#include "wire.h"

static int s_load_sender(const char *sender, uint64_t last, void *arg)
{
    return replay_commit(arg, sender, last);
}

static int s_head_time(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    (void)err;
    *(uint64_t *)arg = e->time_ms;
    return 0;
}

/* After each roster change, during the fold of the log too: every member
 * gets a mailbox. */
static void s_on_roster(const roster_t *roster, uint64_t at_index, void *arg)
{
    broker_t *b = arg;
    if (mailbox_sync(b->mailbox, roster, at_index) < 0) {
        b->failed = 1;
    }
}

/* An organisation joined a board's audience at log index at_index (in
 * the batch being written): it receives, from the broker, every event of
 * the board logged before, in log order (PROTOCOL.md "Audiences"). */
static void s_on_join(const char *board_id, const char *code, uint64_t at_index, void *arg)
{
    broker_t *b = arg;
    char audience[BOARD_AUDIENCE_MAX + 1];
    cc_err_t err;
    snprintf(audience, sizeof audience, "%s%s", ENVELOPE_BOARD_PREFIX, board_id);
    int added = broker_store_mailbox_backfill(b->ledger, code, audience, at_index, &err);
    if (added < 0) {
        log_error("%s", err.msg);
        b->failed = 1;
        return;
    }
    log_info("%s joins board %s at log index %llu: %d earlier event(s) of the board put in its "
             "mailbox", code, board_id, (unsigned long long)at_index, added);
    if (added) {
        mailbox_rewind(b->mailbox, code);
    }
}

static int s_member_of_board(const char *code, void *arg)
{
    return strcmp(code, (const char *)arg) == 0;
}

/* Log/Read: whether a reader is in a board's audience now. */
static int s_in_audience(const char *board_id, const char *code, void *arg)
{
    broker_t *b = arg;
    return b->adm && admission_members(b->adm, board_id, s_member_of_board, (void *)code) == 1;
}

/* The roster as folded from the log: the genesis file, then every board
 * decision that changed it. */
static int s_load_roster(broker_t *b, cc_err_t *err)
{
    admission_destroy(&b->adm);
    if (!(b->adm = admission_new(b->cfg.roster, b->ledger, s_on_roster, s_on_join, b, err))) {
        return -1;
    }
    s_on_roster(admission_roster(b->adm), 0, b);
    return b->failed ? -1 : 0;
}

/* Rebuilds the in-memory view of the log (head, sequences, roster) from
 * disk: at start, and after a batch failed to commit. */
static int s_reload(broker_t *b, cc_err_t *err)
{
    replay_destroy(&b->replay);
    if (!(b->replay = replay_new())) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    uint8_t leaf[32];
    if (broker_store_log_head(b->ledger, &b->head_index, leaf, err) < 0 ||
        heads_load(b->heads, err) < 0 ||
        broker_store_log_senders(b->ledger, s_load_sender, b->replay, err) < 0) {
        return -1;
    }
    /* Receipt times never go backwards, even across a restart onto a
     * clock that was set back. */
    if (b->head_index && broker_store_log_read(b->ledger, b->head_index, 1, s_head_time,
                                               &b->last_time_ms, err) < 0) {
        return -1;
    }
    return s_load_roster(b, err);
}

/* One message of a batch, and what a verifier thread made of it
 * (s_job_run): the work on it that needs none of the broker's state, so
 * that it runs on any thread. The loop then handles the messages one by
 * one in the order read (s_on_job), with everything that does. */
struct broker_job {
    frames_t msg;
    /* Set by the loop before the run: */
    char who[KEYS_CODE_MAX + 1];   /* the connection's organisation; "": dropped */
    const uint8_t *frame;          /* the NodeFrame, frame_len bytes */
    size_t frame_len;
    int open;                      /* a Submit's envelope is opened with pk */
    uint8_t pk[KEYS_PK_LEN];       /* who's signing key in the roster at the read */
    /* Set by s_job_run: */
    Concord__V1__NodeFrame *f;     /* NULL: undecodable, err says why */
    cc_err_t err;
    uint8_t *raw;                  /* a Submit's envelope, re-packed (NULL: err) */
    size_t raw_len;
    uint8_t hash[32];              /* SHA-256 of raw */
    envelope_t *env;               /* opened with pk; NULL: not, or refused */
};

/* The verifier threads' part: decoding the frame, re-packing a Submit's
 * envelope, hashing it and opening it (signature, decoding, canonical form,
 * header checks) with the key its connection's organisation had when the
 * batch was read. Reads only the job. A refusal is not explained here:
 * the loop opens the envelope again against the roster as it stands, which
 * names the reason. */
static void s_job_run(void *arg)
{
    struct broker_job *j = arg;
    if (!j->frame) {
        return; /* dropped in its turn */
    }
    j->f = (Concord__V1__NodeFrame *)wire_unpack(&concord__v1__node_frame__descriptor, j->frame,
                                                 j->frame_len, WIRE_MAX_FRAME + 4096, &j->err);
    if (!j->f || j->f->frame_case != CONCORD__V1__NODE_FRAME__FRAME_SUBMIT) {
        return;
    }
    /* Re-packing a decoded Envelope reproduces its bytes: it has only
     * bytes and string fields, each written once in field order. */
    if (wire_pack(&j->f->submit->base, WIRE_MAX_FRAME, &j->raw, &j->raw_len, &j->err) != 0) {
        free(j->raw);
        j->raw = NULL;
        return;
    }
    envelope_hash(j->raw, j->raw_len, j->hash);
    if (j->open && j->raw_len <= ACCEPT_ENVELOPE_MAX) {
        cc_err_t err;
        j->env = envelope_open_with_key(j->raw, j->raw_len, j->who, j->pk, &err);
    }
}

/* Frees what s_job_run made and the message. */
static void s_job_clear(struct broker_job *j, int keep_msg)
{
    wire_free(j->f ? &j->f->base : NULL);
    j->f = NULL;
    free(j->raw);
    j->raw = NULL;
    envelope_destroy(&j->env);
    if (!keep_msg) {
        frames_close(&j->msg);
    }
}

/* Handles one [routing id][frame] message, in the order read. who is the
 * organisation the connection authenticated as (ZAP User-Id). */
static void s_on_job(broker_t *b, struct broker_job *j)
{
    const uint8_t *id = frames_data(&j->msg, 0);
    size_t id_len = frames_size(&j->msg, 0);
    const char *who = j->who;
    Concord__V1__NodeFrame *f = j->f;
    if (!f) {
        log_warn("undecodable frame from %s: %s", who, j->err.msg);
        outbox_result(b->outbox, id, id_len, NULL, j->err.code, j->err.msg, 0, 0);
        return;
    }
    switch (f->frame_case) {
    case CONCORD__V1__NODE_FRAME__FRAME_SUBMIT:
        if (j->raw) {
            accept_submit_opened(b, who, id, id_len, j->raw, j->raw_len, j->hash, j->env,
                                 j->open ? j->pk : NULL);
            j->env = NULL; /* taken */
        } else {
            log_warn("rejected envelope from connection of %s: %s", who, j->err.msg);
            outbox_result(b->outbox, id, id_len, NULL, j->err.code, j->err.msg, 0, 0);
        }
        break;
    case CONCORD__V1__NODE_FRAME__FRAME_ACK:
        if (mailbox_ack(b->mailbox, who, f->ack) < 0) {
            b->failed = 1;
        }
        break;
    case CONCORD__V1__NODE_FRAME__FRAME_HELLO:
        mailbox_hello(b->mailbox, b->router, who, id, id_len, f->hello);
        break;
    default:
        log_warn("unknown frame from %s", who);
        break;
    }
}

/* Unreachable this long, the store's session of this broker has ended (the
 * server ends one silent for 3 s) and a standby may be the active broker. */
#define BROKER_STORE_UNLISTEN_MS 4000

/* The store cannot be reached (a PostgreSQL server restarting, or its
 * network cut): waits, trying again twice a second, until it can be with
 * this broker still the active one (the reconnection takes the advisory
 * lock again and the next transaction checks the fencing epoch, so a
 * broker another has replaced meanwhile stops). Nothing is answered
 * meanwhile: the batch that failed was dropped, its senders resend; after
 * BROKER_STORE_UNLISTEN_MS it stops listening, until the store is back.
 * Returns 0 once the store answers again; -1 (err set) if err was not the
 * store being unreachable, this broker was fenced, or it was told to stop. */
static int s_store_wait(broker_t *b, cc_err_t *err)
{
    if (err->code != CC_UNAVAILABLE || broker_store_fenced(b->ledger)) {
        return -1;
    }
    log_warn("store unreachable, waiting for it (nothing is answered meanwhile): %s", err->msg);
    uint64_t since = clock_mono_ms(), said = since;
    char bound[256] = "";
    for (;;) {
        if (b->stop && *b->stop) {
            err_set(err, CC_CANCELLED, "stopped while waiting for the store");
            return -1;
        }
        struct timespec ts = {0, 500 * 1000 * 1000};
        nanosleep(&ts, NULL);
        daemon_service();
        if (broker_store_keepalive(b->ledger, err) == 0) {
            break;
        }
        if (err->code != CC_UNAVAILABLE || broker_store_fenced(b->ledger)) {
            return -1;
        }
        uint64_t now = clock_mono_ms();
        if (!bound[0] && now - since >= BROKER_STORE_UNLISTEN_MS) {
            /* By now a standby that still reaches the store may have
             * taken over: close this broker's connections, so that nodes
             * move to it rather than wait here. */
            size_t len = sizeof bound;
            const char *colon = NULL;
            if (zmq_getsockopt(b->router, ZMQ_LAST_ENDPOINT, bound, &len) == 0 && bound[0] &&
                zmq_unbind(b->router, bound) == 0) {
                int closed = (colon = strrchr(bound, ':')) ? gate_close_all(atoi(colon + 1)) : 0;
                log_warn("store unreachable for %llu s: stopped listening on %s and closed %d "
                         "connection(s), so that nodes move to another broker; listening again "
                         "once the store answers",
                         (unsigned long long)((now - since) / 1000), bound, closed);
            } else {
                snprintf(bound, sizeof bound, "-"); /* tried */
            }
        }
        if (now - said >= 10000) {
            said = now;
            log_warn("store still unreachable after %llu s: %s",
                     (unsigned long long)((said - since) / 1000), err->msg);
        }
    }
    b->store_ms = clock_mono_ms();
    log_info("store reachable again after %llu ms; still the active broker, epoch %llu",
             (unsigned long long)(b->store_ms - since),
             (unsigned long long)broker_store_epoch(b->ledger));
    if (bound[0] && strcmp(bound, "-") != 0) {
        if (zmq_bind(b->router, bound) != 0) {
            err_set(err, CC_UNAVAILABLE, "cannot listen on %s again: %s", bound,
                    zmq_strerror(errno));
            return -1;
        }
        log_info("listening again on %s", bound);
    }
    return 0;
}

/* Moves the message of job from to job to (to's is closed). */
static void s_job_move(struct broker_job *to, struct broker_job *from)
{
    if (to == from) {
        return;
    }
    for (int i = 0; i < from->msg.n; i++) {
        zmq_msg_init(&to->msg.part[i]);
        zmq_msg_move(&to->msg.part[i], &from->msg.part[i]);
    }
    to->msg.n = from->msg.n;
    to->msg.too_many = from->msg.too_many;
    frames_close(&from->msg);
}

/* Reads up to OUTBOX_BATCH messages into jobs, after the n messages a
 * failed batch left there, prepares a job for each (who sent it, and
 * whether its envelope may be opened before its turn) and starts the
 * verifier threads on them. Returns the number of messages. */
static size_t s_read_batch(broker_t *b, struct broker_job *jobs, size_t n)
{
    while (n < OUTBOX_BATCH) {
        if (frames_recv(&jobs[n].msg, b->router, 2) == 0) {
            frames_close(&jobs[n].msg);
            break;
        }
        n++;
    }
    uint64_t now = clock_mono_ms();
    for (size_t i = 0; i < n; i++) {
        struct broker_job *j = &jobs[i];
        frames_t *msg = &j->msg;
        j->who[0] = '\0';
        j->open = 0;
        j->frame = NULL;
        j->frame_len = 0;
        /* [routing id][frame], nothing more, from an authenticated member. */
        int ok = frames_exact(msg, 2) && frames_size(msg, 0) <= OUTBOX_ID_MAX;
        const char *who = ok ? zmq_msg_gets(&msg->part[1], "User-Id") : NULL;
        if (!who || strlen(who) > KEYS_CODE_MAX) {
            continue;
        }
        strcpy(j->who, who);
        j->frame = frames_data(msg, 1);
        j->frame_len = frames_size(msg, 1);
        /* Opened ahead only for a member under its quotas now (the frame
         * is a little longer than its envelope): over one, the envelope is
         * refused in its turn before it is opened, and costs a hash. */
        roster_org_t org;
        cc_err_t err;
        if (roster_lookup_at(admission_roster(b->adm), who, ROSTER_NOW, &org) == 0 &&
            quota_check(b->quota, who, 0, NULL, j->frame_len, now, &err) == 0) {
            memcpy(j->pk, org.sign_pk, sizeof j->pk);
            j->open = 1;
        }
    }
    if (n && vpool_start(b->pool, jobs, sizeof *jobs, n) < 0) {
        for (size_t i = 0; i < n; i++) {
            s_job_run(&jobs[i]); /* no memory for the run: the loop does it */
        }
    }
    return n;
}

/* Handles up to OUTBOX_BATCH messages in one transaction, in the order
 * read, while the verifier threads decode and open them; results go out
 * only after the commit. The batch is the one read ahead during the last
 * commit, if any, else what is waiting now. While this batch commits, the
 * threads open the next one: the roster they are given is the one after
 * this batch, and each envelope is checked again against the roster in
 * its turn (accept_submit_opened). */
static void s_on_router(broker_t *b)
{
    cc_err_t err;
    b->store_ms = clock_mono_ms();
    if (broker_store_begin(b->ledger, &err) < 0 &&
        (s_store_wait(b, &err) < 0 || broker_store_begin(b->ledger, &err) < 0)) {
        log_error("%s", err.msg);
        b->failed = 1;
        return;
    }
    quota_batch_begin(b->quota);
    struct broker_job *jobs = b->jobs + b->cur * OUTBOX_BATCH;
    size_t n = b->n_next, done = 0;
    if (!n) {
        n = s_read_batch(b, jobs, b->n_held);
    }
    b->n_next = b->n_held = 0;
    for (; done < n && !b->failed; done++) {
        struct broker_job *j = &jobs[done];
        vpool_wait(b->pool, done);
        if (j->who[0] && mailbox_known(b->mailbox, j->who)) {
            s_on_job(b, j);
        } else {
            log_warn("dropped a malformed or unauthenticated message");
        }
    }
    vpool_finish(b->pool);
    /* A failed batch leaves the messages it did not handle for the next
     * one, as if they had not been read. */
    for (size_t i = 0; i < n; i++) {
        s_job_clear(&jobs[i], i >= done);
    }
    for (size_t i = done; i < n; i++) {
        s_job_move(&jobs[b->n_held++], &jobs[i]);
    }
    /* One signature for the whole batch: the tree head over the log as
     * the batch leaves it, stored with it. */
    if (!b->failed && heads_sign(b->heads, b->last_time_ms, &err) < 0) {
        log_error("cannot sign the tree head: %s", err.msg);
        b->failed = 1;
    }
    if (!b->failed) {
        /* The next batch, opened while this one commits (every message of
         * this one was handled: none is left for it). */
        b->n_next = s_read_batch(b, b->jobs + !b->cur * OUTBOX_BATCH, 0);
        if (b->n_next) {
            b->cur = !b->cur;
        }
    }
    if (b->failed || broker_store_commit(b->ledger, &err) < 0) {
        /* Nothing of this batch is durable, so none of its answers may go
         * out: senders hear nothing and resend. Rebuild the in-memory view
         * from disk. */
        broker_store_rollback(b->ledger);
        mailbox_recount(b->mailbox);
        log_error("log write failed; batch refused");
        outbox_drop(b->outbox);
        if (broker_store_fenced(b->ledger)) {
            log_error("%s", err.msg);
            b->failed = 1; /* another broker is the active one: stop */
            return;
        }
        b->failed = 0;
        if (s_reload(b, &err) < 0 && (s_store_wait(b, &err) < 0 || s_reload(b, &err) < 0)) {
            log_error("%s", err.msg);
            b->failed = 1;
        }
        return;
    }
    outbox_flush(b->outbox, b->router, b->heads);
    mailbox_pump(b->mailbox, b->router);
}

int broker_run(broker_t *b, volatile int *stop)
{
    zmq_pollitem_t items[3] = {{.socket = b->router, .events = ZMQ_POLLIN},
                               {.socket = zap_socket(b->zap), .events = ZMQ_POLLIN},
                               {.socket = gate_socket(b->gate), .events = ZMQ_POLLIN}};
    size_t n_codes = 0;
    b->stop = stop;
    mailbox_codes(b->mailbox, &n_codes);
    log_info("listening on %s; store %s; log head %llu; %zu organisations in the roster",
             b->cfg.listen, broker_store_name(b->ledger), (unsigned long long)b->head_index,
             n_codes);
    while (!*stop && !b->failed) {
        /* Messages a failed batch left are handled at once. */
        int rc = zmq_poll(items, 3, b->n_held || b->n_next ? 0 : 1000);
        daemon_service(); /* SIGHUP: log level; SIGUSR1: log file */
        if (rc < 0) {
            if (errno == EINTR) {
                continue;
            }
            log_error("poll: %s", zmq_strerror(errno));
            return -1;
        }
        if (items[2].revents & ZMQ_POLLIN) {
            gate_handle(b->gate);
        }
        if (items[1].revents & ZMQ_POLLIN) {
            zap_handle(b->zap, admission_roster(b->adm));
        }
        if (clock_mono_ms() - b->store_ms >= 1000) {
            /* Idle: a PostgreSQL session that stays silent loses the
             * active role; this also finds out if it was lost. */
            cc_err_t err;
            b->store_ms = clock_mono_ms();
            if (broker_store_keepalive(b->ledger, &err) < 0) {
                if (broker_store_fenced(b->ledger) ||
                    (err.code == CC_UNAVAILABLE && s_store_wait(b, &err) < 0)) {
                    log_error("%s", err.msg);
                    return -1;
                }
                if (err.code != CC_UNAVAILABLE) {
                    log_warn("store: %s", err.msg);
                }
            }
        }
        if ((items[0].revents & ZMQ_POLLIN) || b->n_held || b->n_next) {
            s_on_router(b);
        } else {
            /* Mail held back by a full send queue is tried again. */
            mailbox_pump(b->mailbox, b->router);
        }
    }
    if (b->failed) {
        log_error("stopping: the log cannot be written");
        return -1;
    }
    log_info("stopping cleanly at log head %llu", (unsigned long long)b->head_index);
    return 0;
}

/* Compares the clock with the log's last receipt time: behind it, or
 * further ahead than clock_ahead_max_ms, the clock is probably wrong and
 * every receipt would carry a wrong time, which boards fold as log time.
 * clock_override = true starts anyway (logged). Then remembers both
 * clocks, to notice a jump while running (accept_clock_check). */
static int s_clock_at_start(broker_t *b, cc_err_t *err)
{
    uint64_t now = accept_wall_ms(b), last = b->last_time_ms;
    char now_s[64], last_s[64];
    clock_format(now, now_s, sizeof now_s);
    clock_format(last, last_s, sizeof last_s);
    b->wall0_ms = now;
    b->mono0_ms = clock_mono_ms();
    if (!b->head_index) {
        return 0;
    }
    log_info("clock: %s; the log's last receipt (index %llu): %s", now_s,
             (unsigned long long)b->head_index, last_s);
    const char *problem = NULL;
    char why[256];
    if (now + 60000 < last) {
        snprintf(why, sizeof why, "the clock (%s) is %llu s behind the log's last receipt "
                 "(index %llu at %s)", now_s, (unsigned long long)((last - now) / 1000),
                 (unsigned long long)b->head_index, last_s);
        problem = why;
    } else if (b->cfg.clock_ahead_max_ms && now > last + b->cfg.clock_ahead_max_ms) {
        snprintf(why, sizeof why, "the clock (%s) is %llu s ahead of the log's last receipt "
                 "(index %llu at %s), over clock_ahead_max_ms = %u", now_s,
                 (unsigned long long)((now - last) / 1000), (unsigned long long)b->head_index,
                 last_s, b->cfg.clock_ahead_max_ms);
        problem = why;
    }
    if (!problem) {
        return 0;
    }
    if (b->cfg.clock_override) {
        log_warn("%s; starting anyway (clock_override = true)", problem);
        return 0;
    }
    err_set(err, CC_FAILED_PRECONDITION,
            "%s: set the clock right, or, if it is right, set clock_override = true for one "
            "start (docs/OPERATIONS.md, \"Clock\")",
            problem);
    return -1;
}

/* Raises the descriptor limit to its hard maximum: the caps on
 * un-authenticated connections (gate.h) must stay well below it, since
 * libzmq retries a failed accept() at once, forever. */
static void s_raise_nofile(const broker_t *b)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur < (rlim_t)b->cfg.unauthenticated_max * 2 + 64) {
        log_warn("the descriptor limit (%llu) is low for unauthenticated_max = %u: raise "
                 "LimitNOFILE",
                 (unsigned long long)rl.rlim_cur, b->cfg.unauthenticated_max);
    }
}

static int s_bind(broker_t *b, cc_err_t *err)
{
    /* The high-water marks bound, per connection, the frames queued each
     * way (each at most WIRE_MAX_FRAME + 4096 bytes): a member that never
     * reads holds at most send_hwm frames of the broker's memory; past
     * it, deliveries wait in the ledger and other answers are dropped
     * (the sender resends). */
    int one = 1, linger = 0, hb = 1000, hb_timeout = 5000;
    int handshake = (int)b->cfg.handshake_ms;
    int sndhwm = (int)b->cfg.send_hwm, rcvhwm = (int)b->cfg.recv_hwm;
    int64_t maxmsg = WIRE_MAX_FRAME + 4096;
    if (!(b->zap = zap_new(b->ctx, err))) {
        return -1;
    }
    b->router = zmq_socket(b->ctx, ZMQ_ROUTER);
    if (!b->router || zmq_setsockopt(b->router, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(b->router, ZMQ_CURVE_SECRETKEY, keys_curve_sk(b->keys), 32) ||
        zmq_setsockopt(b->router, ZMQ_ZAP_DOMAIN, "concord", 7) ||
        zmq_setsockopt(b->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
        zmq_setsockopt(b->router, ZMQ_LINGER, &linger, sizeof linger) ||
        zmq_setsockopt(b->router, ZMQ_HEARTBEAT_IVL, &hb, sizeof hb) ||
        zmq_setsockopt(b->router, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof hb_timeout) ||
        zmq_setsockopt(b->router, ZMQ_HANDSHAKE_IVL, &handshake, sizeof handshake) ||
        zmq_setsockopt(b->router, ZMQ_SNDHWM, &sndhwm, sizeof sndhwm) ||
        zmq_setsockopt(b->router, ZMQ_RCVHWM, &rcvhwm, sizeof rcvhwm) ||
        zmq_setsockopt(b->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg)) {
        err_set(err, CC_INTERNAL, "configuring the router: %s", zmq_strerror(errno));
        return -1;
    }
    if (!(b->gate = gate_new(b->ctx, b->router, b->cfg.unauthenticated_max,
                             b->cfg.unauthenticated_per_address, b->cfg.handshake_ms, err))) {
        return -1;
    }
    if (zmq_bind(b->router, b->cfg.listen) != 0) {
        err_set(err, CC_UNAVAILABLE, "cannot listen on %s: %s", b->cfg.listen,
                zmq_strerror(errno));
        return -1;
    }
    return 0;
}

broker_t *broker_new(const config_broker_t *cfg, const broker_hooks_t *hooks, volatile int *stop,
                     cc_err_t *err)
{
    broker_t *b = calloc(1, sizeof *b);
    if (!b) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    b->cfg = *cfg;
    b->hooks = hooks;
    if (!(b->keys = keys_load(cfg->key, err)) ||
        !(b->ledger =
              broker_store_open(cfg->store[0] ? cfg->store : cfg->data, cfg->fsync, 0, err))) {
        goto fail;
    }
    /* Of the brokers sharing a PostgreSQL store, one is active; the others
     * wait here, not listening, and take over when its session ends. */
    if (cfg->store[0]) {
        log_info("standby: waiting to become the active broker of %s",
                 broker_store_name(b->ledger));
    }
    int active = broker_store_acquire(b->ledger, stop, err);
    if (active <= 0) {
        if (active == 0) {
            err_set(err, CC_CANCELLED, "stopped while a standby");
        }
        goto fail;
    }
    if (cfg->store[0]) {
        log_info("active: this broker now holds %s, epoch %llu", broker_store_name(b->ledger),
                 (unsigned long long)broker_store_epoch(b->ledger));
    }
    quota_limits_t limits = {
        .envelopes_per_second = cfg->quota_envelopes_per_second,
        .bytes_per_second = cfg->quota_bytes_per_second,
        .envelopes_per_minute = cfg->quota_envelopes_per_minute,
        .bytes_per_minute = cfg->quota_bytes_per_minute,
        .envelopes_per_day = cfg->quota_envelopes_per_day,
        .bytes_per_day = cfg->quota_bytes_per_day,
        .event_bytes = cfg->quota_event_bytes,
        .vote_bytes = cfg->quota_vote_bytes,
        .direct_per_batch = cfg->direct_per_batch,
    };
    if (!(b->outbox = outbox_new()) || !(b->quota = quota_new(&limits)) ||
        !(b->heads = heads_new(b->keys, b->ledger)) ||
        !(b->mailbox = mailbox_new(b->ledger, b->heads, cfg->mailbox_window, b->keys, hooks))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (quota_scale(b->quota, cfg->quota_scale, err) < 0) {
        goto fail;
    }
    if (s_reload(b, err) < 0) {
        goto fail;
    }
    if (!(b->jobs = calloc(2 * OUTBOX_BATCH, sizeof *b->jobs))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (!(b->pool = vpool_new(cfg->verify_threads, s_job_run, err))) {
        goto fail;
    }
    if (cfg->verify_threads) {
        log_info("%u verifier thread(s)", vpool_threads(b->pool));
    }
    roster_org_t me;
    roster_broker(admission_roster(b->adm), &me);
    if (memcmp(me.sign_pk, keys_public(b->keys)->sign_pk, 32) != 0 ||
        memcmp(me.curve_pk, keys_public(b->keys)->curve_pk, 32) != 0) {
        err_set(err, CC_PERMISSION_DENIED, "key %s is not the broker named in roster %s",
                cfg->key, cfg->roster);
        goto fail;
    }
    if (s_clock_at_start(b, err) < 0) {
        goto fail;
    }
    if (!(b->services = services_new(b->keys, b->ledger, b->heads, hooks, err))) {
        goto fail;
    }
    services_on_audience(b->services, s_in_audience, b);
    s_raise_nofile(b);
    if (!(b->ctx = zmq_ctx_new()) || s_bind(b, err) < 0) {
        goto fail;
    }
    return b;
fail:
    broker_destroy(&b);
    return NULL;
}

int broker_recover(broker_t *b, const char *const *ledgers, size_t n, cc_err_t *err)
{
    return recover_run(b, ledgers, n, err);
}

void broker_destroy(broker_t **bp)
{
    if (!bp || !*bp) {
        return;
    }
    broker_t *b = *bp;
    vpool_destroy(&b->pool);
    /* Messages read and not handled: a failed batch's, or the batch read
     * ahead. */
    for (size_t i = 0; b->jobs && i < b->n_held + b->n_next; i++) {
        s_job_clear(&b->jobs[b->cur * OUTBOX_BATCH + i], 0);
    }
    free(b->jobs);
    outbox_destroy(&b->outbox);
    quota_destroy(&b->quota);
    if (b->router) {
        zmq_close(b->router);
    }
    zap_destroy(&b->zap);
    gate_destroy(&b->gate);
    if (b->ctx) {
        zmq_ctx_term(b->ctx);
    }
    services_destroy(&b->services);
    broker_store_close(&b->ledger);
    replay_destroy(&b->replay);
    admission_destroy(&b->adm);
    mailbox_destroy(&b->mailbox);
    heads_destroy(&b->heads);
    keys_destroy(&b->keys);
    free(b);
    *bp = NULL;
}
