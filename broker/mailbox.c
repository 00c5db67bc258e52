/* SPDX-License-Identifier: Apache-2.0 */
/* mailbox: deliveries from the broker's log to each member. */
#include "mailbox.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "clock.h"
#include "envelope.h"
#include "log.h"
#include "outbox.h"
#include "wire.h"

/* What the broker knows of one member's connection. */
typedef struct {
    char code[KEYS_CODE_MAX + 1];
    uint8_t id[OUTBOX_ID_MAX];     /* ROUTER routing id of its newest connection */
    size_t id_len;
    int online;
    int dirty;                     /* new mail since the last pump */
    uint32_t inflight;             /* deliveries sent, not yet acknowledged */
    uint64_t sent_upto;            /* highest log index delivered on this connection */
    uint64_t head_sent;            /* size of the tree head last sent on it (0: none) */
    uint64_t waiting;              /* bytes of its mailbox's envelopes, if waiting_known */
    int waiting_known;             /* waiting read from the ledger, kept up since */
    /* The deliveries in flight on this connection, with their sizes, so
     * that an acknowledgement takes its bytes off waiting (at most window
     * of them; an ack of any other is counted again from the ledger). */
    struct s_sent { uint64_t index; uint64_t bytes; } *sent;
    uint32_t n_sent;
} s_member_t;

/* Remembers the delivery of index (bytes long) on m's connection. */
static void s_sent_add(uint32_t window, s_member_t *m, uint64_t index, size_t bytes)
{
    if (!m->sent && !(m->sent = calloc(window, sizeof *m->sent))) {
        return; /* acks are counted from the ledger instead */
    }
    if (m->n_sent == window) {
        memmove(m->sent, m->sent + 1, (m->n_sent - 1) * sizeof *m->sent);
        m->n_sent--;
    }
    m->sent[m->n_sent].index = index;
    m->sent[m->n_sent].bytes = bytes;
    m->n_sent++;
}

/* An acknowledgement of index by m: its bytes leave waiting if it is a
 * delivery in flight, else waiting is read again when next needed. */
static void s_sent_acked(s_member_t *m, uint64_t index)
{
    for (uint32_t i = 0; i < m->n_sent; i++) {
        if (m->sent[i].index == index) {
            if (m->waiting >= m->sent[i].bytes) {
                m->waiting -= m->sent[i].bytes;
            } else {
                m->waiting_known = 0;
            }
            m->sent[i] = m->sent[--m->n_sent];
            return;
        }
    }
    m->waiting_known = 0;
}

struct mailbox {
    broker_store_t *ledger;
    const heads_t *heads;
    uint32_t window;
    const keys_t *keys;
    const broker_hooks_t *hooks;
    s_member_t *members;           /* every organisation ever in the roster */
    size_t n_members;
    char **member_codes;           /* current members' codes, as a list for fan-out */
    size_t n_codes;
};

mailbox_t *mailbox_new(broker_store_t *ledger, const heads_t *heads, uint32_t window,
                       const keys_t *keys, const broker_hooks_t *hooks)
{
    mailbox_t *mb = calloc(1, sizeof *mb);
    if (mb) {
        mb->ledger = ledger;
        mb->heads = heads;
        mb->window = window;
        mb->keys = keys;
        mb->hooks = hooks;
    }
    return mb;
}

static s_member_t *s_member(const mailbox_t *mb, const char *code)
{
    for (size_t i = 0; i < mb->n_members; i++) {
        if (strcmp(mb->members[i].code, code) == 0) {
            return &mb->members[i];
        }
    }
    return NULL;
}

int mailbox_sync(mailbox_t *mb, const roster_t *roster, uint64_t at_index)
{
    size_t n = roster_count(roster);
    char **codes = realloc(mb->member_codes, (n ? n : 1) * sizeof *codes);
    if (codes) {
        mb->member_codes = codes;
    }
    for (size_t i = 0; codes && i < n; i++) {
        roster_org_t o;
        roster_at(roster, i, &o);
        if (s_member(mb, o.code)) {
            continue;
        }
        s_member_t *grown = realloc(mb->members, (mb->n_members + 1) * sizeof *grown);
        if (!grown) {
            codes = NULL;
            break;
        }
        mb->members = grown;
        memset(&grown[mb->n_members], 0, sizeof *grown);
        snprintf(grown[mb->n_members].code, sizeof grown->code, "%s", o.code);
        mb->n_members++;
        if (at_index) {
            log_info("%s joins the roster after log index %llu", o.code,
                     (unsigned long long)at_index);
        }
    }
    if (!codes) {
        log_error("out of memory updating the members after a roster change");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        roster_org_t o;
        roster_at(roster, i, &o);
        mb->member_codes[i] = s_member(mb, o.code)->code;
    }
    mb->n_codes = n;
    return 0;
}

int mailbox_known(const mailbox_t *mb, const char *code)
{
    return s_member(mb, code) != NULL;
}

const char *const *mailbox_codes(const mailbox_t *mb, size_t *n)
{
    *n = mb->n_codes;
    return (const char *const *)mb->member_codes;
}

void mailbox_mark(mailbox_t *mb, const char *recipient)
{
    /* A board's audience: every mailbox is looked at (the pump reads only
     * what is there). */
    int everyone = strcmp(recipient, ENVELOPE_EVERYONE) == 0 || envelope_board_of(recipient);
    for (size_t i = 0; i < mb->n_members; i++) {
        if (everyone || strcmp(mb->members[i].code, recipient) == 0) {
            mb->members[i].dirty = 1;
        }
    }
}

uint64_t mailbox_waiting(mailbox_t *mb, const char *code)
{
    s_member_t *m = s_member(mb, code);
    if (!m) {
        return broker_store_mailbox_bytes(mb->ledger, code);
    }
    if (!m->waiting_known) {
        m->waiting = broker_store_mailbox_bytes(mb->ledger, code);
        m->waiting_known = 1;
    }
    return m->waiting;
}

void mailbox_added(mailbox_t *mb, const char *const *to, size_t n_to, size_t bytes)
{
    const char *const *codes = (const char *const *)mb->member_codes;
    if (to == codes && n_to == mb->n_codes) {
        /* Every current member: the list points into the members. */
        for (size_t i = 0; i < n_to; i++) {
            s_member_t *m = (s_member_t *)(void *)(to[i] - offsetof(s_member_t, code));
            m->waiting += bytes;
        }
        return;
    }
    if (n_to == 1) {
        s_member_t *m = s_member(mb, to[0]);
        if (m) {
            m->waiting += bytes;
        }
        return;
    }
    /* A board's audience: counted again when next needed. */
    mailbox_recount(mb);
}

void mailbox_recount(mailbox_t *mb)
{
    for (size_t i = 0; i < mb->n_members; i++) {
        mb->members[i].waiting_known = 0;
    }
}

void mailbox_rewind(mailbox_t *mb, const char *code)
{
    s_member_t *m = s_member(mb, code);
    if (m) {
        m->waiting_known = 0; /* rows were put back in its mailbox */
        /* What is in flight may come again; the node keeps it once. */
        m->inflight = 0;
        m->sent_upto = 0;
        m->n_sent = 0;
        m->dirty = 1;
    }
}

/* Sends a HandOver frame to the connection id; -1 if it is gone. */
static int s_hand_over(void *router, const char *who, const uint8_t *id, size_t id_len,
                       int to_you)
{
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__HandOver h = CONCORD__V1__HAND_OVER__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    cc_err_t err;
    h.organisation = (char *)who;
    h.to_you = to_you;
    h.at_ms = clock_wall_ms();
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_HAND_OVER;
    f.hand_over = &h;
    if (wire_pack(&f.base, WIRE_MAX_FRAME, &buf, &len, &err) < 0) {
        return -1;
    }
    int rc = outbox_send(router, id, id_len, buf, len);
    free(buf);
    return rc;
}

void mailbox_hello(mailbox_t *mb, void *router, const char *who, const uint8_t *id,
                   size_t id_len, const Concord__V1__Hello *hello)
{
    s_member_t *m = s_member(mb, who);
    if (!m || strcmp(hello->code, who) != 0 || id_len > sizeof m->id) {
        log_warn("hello claiming '%s' on the connection of %s ignored", hello->code, who);
        return;
    }
    /* Another connection of who holds the stream: if it is still there
     * (the router can still send to it), two instances of one
     * organisation are running. The newest takes the stream (a restarted
     * node must not wait for its old connection to time out) and both are
     * told; a HandOver to a connection that is gone fails, and nothing is
     * said. */
    if (router && m->online && (m->id_len != id_len || memcmp(m->id, id, id_len) != 0) &&
        s_hand_over(router, who, m->id, m->id_len, 0) == 0) {
        log_warn("HANDED_OVER: a second live connection of %s said Hello; its deliveries now go"
                 " to the new connection and the old one is told it has lost them: is another"
                 " concordd running with %s's keys?",
                 who, who);
        s_hand_over(router, who, id, id_len, 1);
    }
    memcpy(m->id, id, id_len);
    m->id_len = id_len;
    m->online = 1;
    m->inflight = 0;
    m->sent_upto = 0;
    m->n_sent = 0;
    m->head_sent = 0;
    m->dirty = 1;
    log_info("%s connected; %llu waiting in its mailbox", who,
             (unsigned long long)broker_store_mailbox_count(mb->ledger, who));
}

int mailbox_ack(mailbox_t *mb, const char *who, const Concord__V1__MailboxAck *ack)
{
    s_member_t *m = s_member(mb, who);
    cc_err_t err;
    if (!m) {
        return 0;
    }
    if (ack->n_log_index > mb->window) {
        /* A connection never has more than a window of deliveries in
         * flight, so a larger ack is not a node's: ignored whole, before
         * it costs the broker a write for each index (one frame can hold
         * hundreds of thousands). */
        log_warn("MailboxAck from %s with %zu indexes ignored: over the mailbox window of %u",
                 who, ack->n_log_index, mb->window);
        return 0;
    }
    for (size_t i = 0; i < ack->n_log_index; i++) {
        if (broker_store_mailbox_ack(mb->ledger, who, ack->log_index[i], &err) < 0) {
            log_error("mailbox ack: %s", err.msg);
            return -1;
        }
        /* Only acknowledgements of deliveries on this connection free
         * window space. */
        if (m->inflight && ack->log_index[i] <= m->sent_upto) {
            m->inflight--;
        }
        s_sent_acked(m, ack->log_index[i]);
    }
    m->dirty = 1;
    return 0;
}

typedef struct {
    mailbox_t *mb;
    void *router;
    s_member_t *m;
    int gone;                      /* the member's connection is gone */
    int full;                      /* its send queue is full: try again later */
} s_pump_t;

/* The hooks' way to send more on the connection a delivery went to. */
static void s_hook_send(void *arg, const uint8_t *frame, size_t len)
{
    s_pump_t *pc = arg;
    outbox_send(pc->router, pc->m->id, pc->m->id_len, frame, len);
}

static int s_deliver_entry(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    s_pump_t *pc = arg;
    const broker_hooks_t *hooks = pc->mb->hooks;
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
    uint8_t *buf = NULL;
    size_t len = 0;
    int ret = 0;
    heads_receipt_t rc;
    d.log_index = e->index;
    d.envelope = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, e->envelope, e->envelope_len, WIRE_MAX_FRAME, err);
    if (!d.envelope) {
        ret = -1;
        goto out;
    }
    /* The receipt proves the entry against the newest head, which goes
     * with it unless this connection was sent it already. */
    uint64_t size = heads_size(pc->mb->heads);
    heads_receipt(pc->mb->heads, e->index, e->time_ms, e->hash, pc->m->head_sent != size, &rc);
    d.receipt = &rc.r;
    if (hooks && hooks->delivery_receipt) {
        hooks->delivery_receipt(pc->m->code, heads_tree(pc->mb->heads), pc->mb->keys, &rc.r);
    }
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    f.delivery = &d;
    if (hooks && hooks->before_delivery && hooks->before_delivery(pc->m->code, &d)) {
        pc->m->inflight++;
        pc->m->sent_upto = e->index;
        s_sent_add(pc->mb->window, pc->m, e->index, e->envelope_len);
        goto out;
    }
    if (wire_pack(&f.base, WIRE_MAX_FRAME + 4096, &buf, &len, err) < 0) {
        ret = -1;
        goto out;
    }
    if (outbox_send(pc->router, pc->m->id, pc->m->id_len, buf, len) < 0) {
        /* EAGAIN: the connection holds its send high-water mark of frames
         * (a member that does not read); anything else: it is gone. */
        if (errno == EAGAIN) {
            pc->full = 1;
        } else {
            pc->gone = 1;
        }
        ret = -1;
        err_set(err, CC_UNAVAILABLE, "%s", zmq_strerror(errno));
        goto out;
    }
    pc->m->inflight++;
    pc->m->sent_upto = e->index;
    s_sent_add(pc->mb->window, pc->m, e->index, e->envelope_len);
    if (d.receipt->head == heads_current(pc->mb->heads)) {
        pc->m->head_sent = size;
    }
    if (hooks && hooks->after_delivery) {
        hooks->after_delivery(pc->m->code, &d, pc->mb->keys, s_hook_send, pc);
    }
out:
    free(buf);
    wire_free(d.envelope ? &d.envelope->base : NULL);
    return ret;
}

void mailbox_pump(mailbox_t *mb, void *router)
{
    for (size_t i = 0; i < mb->n_members; i++) {
        s_member_t *m = &mb->members[i];
        if (!m->online || !m->dirty || m->inflight >= mb->window) {
            continue;
        }
        m->dirty = 0;
        s_pump_t pc = {.mb = mb, .router = router, .m = m};
        cc_err_t err;
        if (broker_store_mailbox_read(mb->ledger, m->code, m->sent_upto, mb->window - m->inflight,
                                      s_deliver_entry, &pc, &err) < 0) {
            if (pc.gone) {
                log_info("%s is offline; its mail waits", m->code);
                m->online = 0;
            } else if (pc.full) {
                /* Back-pressure: the rest waits, in the ledger, for the
                 * next pump. */
                log_debug("send queue of %s is full; its mail waits", m->code);
                m->dirty = 1;
            } else {
                log_error("mailbox of %s: %s", m->code, err.msg);
                /* The store unreachable for a while: try again later. */
                m->dirty = err.code == CC_UNAVAILABLE;
            }
        }
    }
}

void mailbox_destroy(mailbox_t **mbp)
{
    if (!mbp || !*mbp) {
        return;
    }
    mailbox_t *mb = *mbp;
    for (size_t i = 0; i < mb->n_members; i++) {
        free(mb->members[i].sent);
    }
    free(mb->members);
    free(mb->member_codes);
    free(mb);
    *mbp = NULL;
}
