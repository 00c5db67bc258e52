/* SPDX-License-Identifier: Apache-2.0 */
/* accept: opening, checking and logging a submitted envelope. */
#include "accept.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#include "broker_state.h"
#include "clock.h"
#include "log.h"
#include "receipt.h"
#include "roster.h"

uint64_t accept_wall_ms(const struct broker *b)
{
    uint64_t now = clock_wall_ms();
    if (b->hooks && b->hooks->clock_offset_ms) {
        now = (uint64_t)((int64_t)now + b->hooks->clock_offset_ms());
    }
    return now;
}

/* A request or reply for one member waits in its mailbox until that member
 * stores it. A member that is offline, or never reads, must not make the
 * broker hold without end what others send it: past quota_mailbox_bytes
 * waiting for it, more requests and replies to it are refused. Events are
 * not: they are every member's, bounded by their senders' quotas, and one
 * member away must not stop the federation's decisions. */
static int s_mailbox_check(struct broker *b, const Concord__V1__Header *h, size_t bytes,
                           cc_err_t *err)
{
    uint32_t max = b->cfg.quota_mailbox_bytes;
    if (!max || h->kind == CONCORD__V1__KIND__KIND_EVENT || !mailbox_known(b->mailbox, h->recipient)) {
        return 0;
    }
    uint64_t waiting = mailbox_waiting(b->mailbox, h->recipient);
    if (waiting + bytes <= max) {
        return 0;
    }
    err_set(err, CC_RESOURCE_EXHAUSTED,
            "quota exceeded: quota_mailbox_bytes of %u reached by the mailbox of %s (%llu bytes "
            "waiting, this envelope %zu); it frees as %s stores its deliveries",
            max, h->recipient, (unsigned long long)waiting, bytes, h->recipient);
    return -1;
}

int accept_clock_check(const struct broker *b, cc_err_t *err)
{
    if (!b->cfg.clock_jump_max_ms || !b->mono0_ms) {
        return 0;
    }
    int64_t expected = (int64_t)b->wall0_ms + (int64_t)(clock_mono_ms() - b->mono0_ms);
    int64_t drift = (int64_t)accept_wall_ms(b) - expected;
    int64_t size = drift < 0 ? -drift : drift;
    if (size > (int64_t)b->cfg.clock_jump_max_ms) {
        err_set(err, CC_UNAVAILABLE,
                "the broker's clock jumped %lld s %s since it started (over clock_jump_max_ms = "
                "%u): no receipt is issued until it is set right, or the broker restarts "
                "(docs/OPERATIONS.md, \"Clock\")",
                (long long)(size / 1000), drift > 0 ? "ahead" : "back", b->cfg.clock_jump_max_ms);
        return -1;
    }
    return 0;
}

/* Refuses new work while the disk holding the log has less than
 * disk_reserve_mb free (plus what this envelope needs), so that the
 * log never meets a full disk halfway through a batch: reads and
 * resends of logged envelopes are still answered, and new envelopes are
 * taken again as soon as space returns. */
static int s_disk_check(const struct broker *b, size_t need, cc_err_t *err)
{
    return broker_store_disk_check(b->ledger, b->cfg.disk_reserve_mb, need, "broker", "envelopes", err);
}

/* The mailboxes an event to a board's audience goes to: the board's
 * members and ratifiers, and its sender. */
typedef struct {
    const char **to;
    size_t n, cap;
    int failed;
} s_fanout_t;

static int s_fanout_add(const char *code, void *arg)
{
    s_fanout_t *f = arg;
    for (size_t i = 0; i < f->n; i++) {
        if (strcmp(f->to[i], code) == 0) {
            return 0;
        }
    }
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        const char **grown = realloc(f->to, cap * sizeof *grown);
        if (!grown) {
            f->failed = 1;
            return 1;
        }
        f->to = grown;
        f->cap = cap;
    }
    f->to[f->n++] = code;
    return 0;
}

/* Appends an accepted envelope to the log and the tree, and queues its
 * result: the receipt is proved at the flush against the head the batch
 * signs. */
static int s_append_at(struct broker *b, const envelope_t *env, const uint8_t *id,
                       size_t id_len, uint64_t now, cc_err_t *err);

static int s_append(struct broker *b, const envelope_t *env, const uint8_t *id, size_t id_len,
                    cc_err_t *err)
{
    uint64_t now = accept_wall_ms(b);
    if (now < b->last_time_ms) {
        now = b->last_time_ms; /* receipt times never go backwards */
    }
    return s_append_at(b, env, id, id_len, now, err);
}

int accept_restore(struct broker *b, const envelope_t *env, uint64_t time_ms, cc_err_t *err)
{
    if (time_ms < b->last_time_ms) {
        err_set(err, CC_DATA_LOSS,
                "log index %llu: its receipt time is before the previous entry's",
                (unsigned long long)(b->head_index + 1));
        return -1;
    }
    return s_append_at(b, env, NULL, 0, time_ms, err);
}

/* s_append at a given time; id NULL: no result to queue (a restored
 * entry). */
static int s_append_at(struct broker *b, const envelope_t *env, const uint8_t *id,
                       size_t id_len, uint64_t now, cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    uint8_t leaf[32];
    uint64_t index = b->head_index + 1;
    if (heads_append(b->heads, index, now, env->hash, leaf, err) < 0) {
        return -1;
    }
    ledger_log_entry_t e = {
        .index = index,
        .time_ms = now,
        .leaf = leaf,
        .hash = env->hash,
        .sender = h->sender,
        .recipient = h->recipient,
        .sequence = h->sequence,
        .kind = h->kind,
        .call_id = h->call_id.data,
        .envelope = env->raw,
        .envelope_len = env->raw_len,
    };
    /* An event to "*" goes into every member's mailbox, the sender's too,
     * so that every node folds the same events in the same order; one to
     * "board:ID" into the mailboxes of the board's audience and its
     * sender's. */
    int everyone = strcmp(h->recipient, ENVELOPE_EVERYONE) == 0;
    const char *board = envelope_board_of(h->recipient);
    const char *one = h->recipient;
    size_t n_codes = 0;
    const char *const *codes = mailbox_codes(b->mailbox, &n_codes);
    const char *const *to = everyone ? codes : &one;
    size_t n_to = everyone ? n_codes : 1;
    s_fanout_t fan = {0};
    if (board) {
        admission_members(b->adm, board, s_fanout_add, &fan);
        s_fanout_add(h->sender, &fan);
        if (fan.failed) {
            free(fan.to);
            return err_oom(err);
        }
        to = fan.to;
        n_to = fan.n;
    }
    int appended = broker_store_log_append(b->ledger, &e, to, n_to, err);
    if (appended >= 0) {
        mailbox_added(b->mailbox, to, n_to, env->raw_len);
    }
    free(fan.to);
    if (appended < 0) {
        return -1;
    }
    /* The next envelope, even in this batch, is judged by the roster
     * after this one (a key rotation it decides, say). */
    if (admission_fold(b->adm, env, index, now, err) < 0) {
        return -1;
    }
    b->head_index = index;
    b->last_time_ms = now;
    replay_commit(b->replay, h->sender, h->sequence);
    mailbox_mark(b->mailbox, h->recipient);
    if (id) {
        outbox_result(b->outbox, id, id_len, env->hash, CC_OK, "", index, now);
    }
    return 0;
}

/* A board or pool event must be addressed to its audience as the boards
 * stand after everything logged (PROTOCOL.md "Audiences"); one the boards
 * would refuse whatever its address goes as addressed (every node that
 * receives it refuses it), but only to a board the broker knows. */
static int s_audience_check(const struct broker *b, const envelope_t *env, cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    const char *board = envelope_board_of(h->recipient);
    char want[BOARD_AUDIENCE_MAX + 1];
    cc_err_t why;
    int rc = admission_audience(b->adm, env, want, &why);
    if (rc == 0 && strcmp(want, h->recipient) != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s event addressed to \"%.40s\": its audience is \"%s\" (%s)", h->method,
                h->recipient, want,
                want[0] == '*' ? "every node folds a board's charter, membership and the roster"
                               : "a board's business goes only to its members");
        return -1;
    }
    if (board && admission_members(b->adm, board, NULL, NULL) < 0) {
        err_set(err, CC_NOT_FOUND, "recipient %s: no board %s is known to the broker",
                h->recipient, board);
        return -1;
    }
    return 0;
}

void accept_submit(struct broker *b, const char *who, const uint8_t *id, size_t id_len,
                   const uint8_t *raw, size_t raw_len)
{
    uint8_t hash[32];
    envelope_hash(raw, raw_len, hash);
    accept_submit_opened(b, who, id, id_len, raw, raw_len, hash, NULL, NULL);
}

/* The envelope a verifier opened with the key pk that who had when the
 * batch was read, if who signs with that key still (a key rotation
 * earlier in the batch, or a reload of the log, may have changed it);
 * NULL otherwise, and pre is freed. Opened with who's key as the roster
 * names it, it is what envelope_open against the roster now would give:
 * the signer is who, and the rest of the opening reads only the bytes. */
static envelope_t *s_preopened(const struct broker *b, const char *who, envelope_t **pre,
                               const uint8_t *pk)
{
    roster_org_t org;
    envelope_t *env = NULL;
    if (*pre && pk &&
        roster_lookup_at(admission_roster(b->adm), who, ROSTER_NOW, &org) == 0 &&
        memcmp(org.sign_pk, pk, KEYS_PK_LEN) == 0) {
        env = *pre;
        *pre = NULL;
    }
    envelope_destroy(pre);
    return env;
}

void accept_submit_opened(struct broker *b, const char *who, const uint8_t *id, size_t id_len,
                          const uint8_t *raw, size_t raw_len, const uint8_t hash[32],
                          envelope_t *pre, const uint8_t *pk)
{
    cc_err_t err;
    uint64_t at = 0, at_ms = 0;
    if (b->hooks && b->hooks->lose_submit && b->hooks->lose_submit(raw, raw_len)) {
        envelope_destroy(&pre);
        return;
    }
    if (raw_len > ACCEPT_ENVELOPE_MAX) {
        err_set(&err, CC_RESOURCE_EXHAUSTED,
                "envelope of %zu bytes exceeds the broker's limit of %u bytes", raw_len,
                ACCEPT_ENVELOPE_MAX);
        log_warn("rejected envelope from connection of %s: %s", who, err.msg);
        outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, 0, 0);
        envelope_destroy(&pre);
        return;
    }
    /* A member already over a quota window is refused before its
     * envelope is even opened: a flood costs the broker a hash, not a
     * signature check each. (Checked again, by the signed sender and
     * kind, after opening.) */
    if (quota_check(b->quota, who, 0, NULL, raw_len, clock_mono_ms(), &err) < 0) {
        log_warn("rejected envelope from connection of %s: %s: %s", who,
                 err_code_name(err.code), err.msg);
        outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, 0, 0);
        envelope_destroy(&pre);
        return;
    }
    envelope_t *env = s_preopened(b, who, &pre, pk);
    if (!env) {
        env = envelope_open(raw, raw_len, admission_roster(b->adm), &err);
    }
    if (!env) {
        log_warn("rejected envelope from connection of %s: %s: %s", who,
                 err_code_name(err.code), err.msg);
        outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, 0, 0);
        return;
    }
    const Concord__V1__Header *h = env->header;
    roster_org_t to;
    int found;
    if (strcmp(h->sender, who) != 0) {
        err_set(&err, CC_PERMISSION_DENIED,
                "envelope signed by %s arrived on the connection of %s", h->sender, who);
    } else if (strcmp(h->recipient, KEYS_BROKER_CODE) == 0 &&
               (h->kind != CONCORD__V1__KIND__KIND_REQUEST ||
                quota_direct(b->quota, h->sender, &err) == 0)) {
        services_answer(b->services, env, b->head_index, b->outbox, id, id_len);
        goto out;
    } else if (strcmp(h->recipient, KEYS_BROKER_CODE) == 0) {
        /* Over direct_per_batch: refused below, without reading the log. */
    } else if (strcmp(h->recipient, ENVELOPE_EVERYONE) != 0 && !envelope_board_of(h->recipient) &&
               roster_lookup(admission_roster(b->adm), h->recipient, &to) != 0) {
        /* Only current members: not an organisation merged into another. */
        err_set(&err, CC_NOT_FOUND, "recipient %s is not in the roster", h->recipient);
    } else if ((found = broker_store_log_find(b->ledger, env->hash, &at, &at_ms, &err)) != 0) {
        /* Checked before the deadline: a resend of an accepted envelope
         * must still get its receipt, however late. */
        if (found > 0) {
            log_info("duplicate envelope from %s (sequence %llu) answered with its receipt",
                     h->sender, (unsigned long long)h->sequence);
            outbox_result(b->outbox, id, id_len, hash, CC_ALREADY_EXISTS,
                          "replay: this envelope was already accepted", at, at_ms);
            goto out;
        }
        b->failed = 1;
        err.code = CC_UNAVAILABLE;
    } else if (s_audience_check(b, env, &err) < 0) {
        /* Refused below: a board's business is never logged for the wrong
         * audience (checked after the duplicate answer, so that a resend
         * gets its receipt whatever the boards have become since). */
    } else if (accept_clock_check(b, &err) < 0) {
        /* Refused below as UNAVAILABLE: the sender retries. */
    } else if (h->deadline_ms && accept_wall_ms(b) > h->deadline_ms) {
        err_set(&err, CC_DEADLINE_EXCEEDED, "deadline passed before the broker received it");
    } else if ((found = broker_store_log_has_call(b->ledger, h->sender, h->kind, h->call_id.data,
                                                  &err)) != 0) {
        if (found > 0) {
            err_set(&err, CC_ALREADY_EXISTS, "replay: call id already used by %s", h->sender);
        } else {
            b->failed = 1;
            err.code = CC_UNAVAILABLE;
        }
    } else if (s_disk_check(b, env->raw_len, &err) < 0) {
        /* Refused below; logged envelopes are still answered above. */
    } else if (h->kind != CONCORD__V1__KIND__KIND_REPLY &&
               quota_check(b->quota, h->sender, h->kind == CONCORD__V1__KIND__KIND_EVENT, h->method,
                           env->raw_len, clock_mono_ms(), &err) < 0) {
        /* Refused with its reason below; the sender may resend after the
         * reset the message names. Replies are not counted: a member's
         * replies answer other members' requests, which were, so that a
         * flood of requests cannot use up the quota of the member it
         * floods. */
    } else if (s_mailbox_check(b, h, env->raw_len, &err) < 0) {
        /* Refused with its reason below: it frees as the recipient reads. */
    } else if (b->cfg.sequence_step_max &&
               h->sequence > replay_last(b->replay, h->sender) &&
               h->sequence - replay_last(b->replay, h->sender) > b->cfg.sequence_step_max) {
        /* Nodes count their sequences up by one; one huge step, validly
         * signed, would leave the sender no sequence above it. */
        err_set(&err, CC_OUT_OF_RANGE,
                "sequence %llu from %s is more than sequence_step_max (%u) above its last, "
                "%llu: refused, so that one envelope cannot use up the sequence space",
                (unsigned long long)h->sequence, h->sender, b->cfg.sequence_step_max,
                (unsigned long long)replay_last(b->replay, h->sender));
    } else if (replay_check(b->replay, h->sender, h->sequence, &err) == 0) {
        if (s_append(b, env, id, id_len, &err) == 0) {
            if (h->kind != CONCORD__V1__KIND__KIND_REPLY) {
                quota_charge(b->quota, h->sender, env->raw_len, clock_mono_ms());
            }
            goto out;
        }
        log_error("cannot append to the log: %s", err.msg);
        b->failed = 1;
        err.code = CC_UNAVAILABLE;
    }
    log_warn("rejected envelope from %s: %s: %s", h->sender, err_code_name(err.code), err.msg);
    outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, 0, 0);
out:
    envelope_destroy(&env);
}
