/* SPDX-License-Identifier: Apache-2.0 */
/* mailbox: the broker's delivery of the log to each member.
 *
 * Every accepted envelope has a mailbox row in the broker's ledger for
 * each recipient (an event to "*" for every current member, its sender
 * included) until that recipient acknowledges having stored it. This
 * module keeps what the broker knows of each member's connection (its
 * newest routing id, whether it is online, what was sent on it and not
 * yet acknowledged) and pumps each online member the next part of its
 * mailbox, at most mailbox_window deliveries unacknowledged, in log
 * order. Mail for an offline member waits in the ledger. */
#ifndef CONCORD_MAILBOX_H
#define CONCORD_MAILBOX_H

#include <stddef.h>
#include <stdint.h>

#include "broker_hooks.h"
#include "broker_store.h"
#include "heads.h"
#include "keys.h"
#include "link.pb-c.h"
#include "roster.h"

typedef struct mailbox mailbox_t;

/* Mailboxes over ledger (a broker ledger, which outlives them), each
 * member holding at most window deliveries unacknowledged; receipts are
 * proved against the newest head of heads. keys (the
 * broker's) and hooks (NULL in the real broker) are for the test broker's
 * hooks only. Returns NULL when out of memory. */
mailbox_t *mailbox_new(broker_store_t *ledger, const heads_t *heads, uint32_t window,
                       const keys_t *keys, const broker_hooks_t *hooks);

/* Gives every current member of roster a mailbox (a successor joining by
 * a merger gets one; at_index, if not 0, is logged as when) and lists the
 * current members for the fan-out of events: a merged-away predecessor
 * keeps its mailbox but gets no new events. Returns -1 (logged) when out
 * of memory. */
int mailbox_sync(mailbox_t *mb, const roster_t *roster, uint64_t at_index);

/* 1 if code has a mailbox (it is or was in the roster), else 0. */
int mailbox_known(const mailbox_t *mb, const char *code);

/* The current members' codes, valid until the next mailbox_sync. */
const char *const *mailbox_codes(const mailbox_t *mb, size_t *n);

/* New mail for recipient (ENVELOPE_EVERYONE: for every mailbox): the next
 * mailbox_pump looks at it. */
void mailbox_mark(mailbox_t *mb, const char *recipient);

/* The bytes of the envelopes waiting in code's mailbox (the quota
 * quota_mailbox_bytes bounds): read from the ledger once, then kept up by
 * mailbox_added, and read again after anything else changed the mailbox
 * (an acknowledgement, a rewind, mailbox_recount). */
uint64_t mailbox_waiting(mailbox_t *mb, const char *code);

/* An envelope of bytes bytes was put in the mailboxes to (n_to codes; the
 * list mailbox_codes gave, or any other). */
void mailbox_added(mailbox_t *mb, const char *const *to, size_t n_to, size_t bytes);

/* The ledger's mailboxes changed in a way this module did not see (a
 * batch rolled back): every mailbox_waiting is read again. */
void mailbox_recount(mailbox_t *mb);

/* Mail older than what was sent to code was put in its mailbox (a board
 * it joined): the next pump sends its mailbox again from the oldest row,
 * as after a Hello. */
void mailbox_rewind(mailbox_t *mb, const char *code);

/* A Hello on the connection who authenticated as, with routing id id:
 * that connection now receives who's mail from the oldest row on. When
 * another connection of who still holds the stream and is still
 * connected (a cloned VM, a standby started by mistake), the hand-over is
 * logged as a warning and a HandOver frame goes through router to both
 * connections (router NULL: no notices). A hello naming another
 * organisation is logged and ignored. */
void mailbox_hello(mailbox_t *mb, void *router, const char *who, const uint8_t *id,
                   size_t id_len, const Concord__V1__Hello *hello);

/* who has stored the deliveries ack lists: drops their rows. An ack of
 * more indexes than the window is ignored whole (logged). Returns -1
 * (logged) if the ledger failed. */
int mailbox_ack(mailbox_t *mb, const char *who, const Concord__V1__MailboxAck *ack);

/* Sends each online member with new mail the next part of its mailbox
 * through router. A member whose connection is gone goes offline; one
 * whose send queue is full (it does not read) keeps the rest for a later
 * pump. */
void mailbox_pump(mailbox_t *mb, void *router);

void mailbox_destroy(mailbox_t **mb);

#endif
