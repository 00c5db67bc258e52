/* SPDX-License-Identifier: Apache-2.0 */
/* accept: opening, checking and logging a submitted envelope. */
#include "accept.h"

#include <stdlib.h>
#include <string.h>

#include "broker_state.h"
#include "clock.h"
#include "log.h"
#include "receipt.h"
#include "roster.h"

/* Appends an accepted envelope to the log and queues its receipt. */
static int s_append(struct broker *b, const envelope_t *env, const uint8_t *id, size_t id_len,
                    cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    uint8_t chain[32];
    uint8_t *receipt = NULL;
    size_t receipt_len = 0;
    uint64_t now = clock_wall_ms();
    if (now < b->last_time_ms) {
        now = b->last_time_ms; /* receipt times never go backwards */
    }
    uint64_t index = b->head_index + 1;
    receipt_chain(b->head_chain, index, now, env->hash, chain);
    Concord__V1__Receipt r = CONCORD__V1__RECEIPT__INIT;
    r.log_index = index;
    r.chain_hash.data = chain;
    r.chain_hash.len = 32;
    r.time_ms = now;
    r.envelope_hash.data = (uint8_t *)env->hash;
    r.envelope_hash.len = 32;
    r.sender = h->sender;
    r.recipient = h->recipient;
    r.sequence = h->sequence;
    r.call_id = h->call_id;
    if (receipt_sign(b->keys, &r, &receipt, &receipt_len, err) < 0) {
        return -1;
    }
    ledger_log_entry_t e = {
        .index = index,
        .time_ms = now,
        .chain = chain,
        .hash = env->hash,
        .sender = h->sender,
        .recipient = h->recipient,
        .sequence = h->sequence,
        .kind = h->kind,
        .call_id = h->call_id.data,
        .envelope = env->raw,
        .envelope_len = env->raw_len,
        .receipt = receipt,
        .receipt_len = receipt_len,
    };
    /* An event to "*" goes into every member's mailbox, the sender's too,
     * so that every node folds the same events in the same order. */
    int everyone = strcmp(h->recipient, ENVELOPE_EVERYONE) == 0;
    const char *one = h->recipient;
    size_t n_codes = 0;
    const char *const *codes = mailbox_codes(b->mailbox, &n_codes);
    const char *const *to = everyone ? codes : &one;
    size_t n_to = everyone ? n_codes : 1;
    if (ledger_log_append(b->ledger, &e, to, n_to, err) < 0) {
        free(receipt);
        return -1;
    }
    /* The next envelope, even in this batch, is judged by the roster
     * after this one (a key rotation it decides, say). */
    if (admission_fold(b->adm, env, index, now, err) < 0) {
        free(receipt);
        return -1;
    }
    b->head_index = index;
    memcpy(b->head_chain, chain, 32);
    b->last_time_ms = now;
    replay_commit(b->replay, h->sender, h->sequence);
    mailbox_mark(b->mailbox, h->recipient);
    outbox_result(b->outbox, id, id_len, env->hash, CC_OK, "", receipt, receipt_len);
    free(receipt);
    return 0;
}

void accept_submit(struct broker *b, const char *who, const uint8_t *id, size_t id_len,
                   const uint8_t *raw, size_t raw_len)
{
    cc_err_t err;
    uint8_t hash[32];
    uint8_t *receipt = NULL;
    size_t receipt_len = 0;
    if (b->hooks && b->hooks->lose_submit && b->hooks->lose_submit(raw, raw_len)) {
        return;
    }
    envelope_hash(raw, raw_len, hash);
    if (raw_len > ACCEPT_ENVELOPE_MAX) {
        err_set(&err, CC_RESOURCE_EXHAUSTED,
                "envelope of %zu bytes exceeds the broker's limit of %u bytes", raw_len,
                ACCEPT_ENVELOPE_MAX);
        log_warn("rejected envelope from connection of %s: %s", who, err.msg);
        outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, NULL, 0);
        return;
    }
    envelope_t *env = envelope_open(raw, raw_len, admission_roster(b->adm), &err);
    if (!env) {
        log_warn("rejected envelope from connection of %s: %s: %s", who,
                 err_code_name(err.code), err.msg);
        outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, NULL, 0);
        return;
    }
    const Concord__V1__Header *h = env->header;
    roster_org_t to;
    int found;
    if (strcmp(h->sender, who) != 0) {
        err_set(&err, CC_PERMISSION_DENIED,
                "envelope signed by %s arrived on the connection of %s", h->sender, who);
    } else if (strcmp(h->recipient, KEYS_BROKER_CODE) == 0) {
        services_answer(b->services, env, b->head_index, b->outbox, id, id_len);
        goto out;
    } else if (strcmp(h->recipient, ENVELOPE_EVERYONE) != 0 &&
               roster_lookup(admission_roster(b->adm), h->recipient, &to) != 0) {
        /* Only current members: not an organisation merged into another. */
        err_set(&err, CC_NOT_FOUND, "recipient %s is not in the roster", h->recipient);
    } else if ((found = ledger_log_find(b->ledger, env->hash, &receipt, &receipt_len, &err)) !=
               0) {
        /* Checked before the deadline: a resend of an accepted envelope
         * must still get its receipt, however late. */
        if (found > 0) {
            log_info("duplicate envelope from %s (sequence %llu) answered with its receipt",
                     h->sender, (unsigned long long)h->sequence);
            outbox_result(b->outbox, id, id_len, hash, CC_ALREADY_EXISTS,
                          "replay: this envelope was already accepted", receipt, receipt_len);
            free(receipt);
            goto out;
        }
        b->failed = 1;
        err.code = CC_UNAVAILABLE;
    } else if (h->deadline_ms && clock_wall_ms() > h->deadline_ms) {
        err_set(&err, CC_DEADLINE_EXCEEDED, "deadline passed before the broker received it");
    } else if ((found = ledger_log_has_call(b->ledger, h->sender, h->kind, h->call_id.data,
                                            &err)) != 0) {
        if (found > 0) {
            err_set(&err, CC_ALREADY_EXISTS, "replay: call id already used by %s", h->sender);
        } else {
            b->failed = 1;
            err.code = CC_UNAVAILABLE;
        }
    } else if (replay_check(b->replay, h->sender, h->sequence, &err) == 0) {
        if (s_append(b, env, id, id_len, &err) == 0) {
            goto out;
        }
        log_error("cannot append to the log: %s", err.msg);
        b->failed = 1;
        err.code = CC_UNAVAILABLE;
    }
    log_warn("rejected envelope from %s: %s: %s", h->sender, err_code_name(err.code), err.msg);
    outbox_result(b->outbox, id, id_len, hash, err.code, err.msg, NULL, 0);
out:
    envelope_destroy(&env);
}
