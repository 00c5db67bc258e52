/* SPDX-License-Identifier: Apache-2.0 */
/* certificate: decision certificates. A certificate holds the genesis
 * roster, every event of one board (proposals and ballots, each with its
 * broker receipt) up to the decision, the events of every board up to its
 * latest decision that changed the roster (key rotations, mergers: so
 * that signatures under rotated keys can be checked), and the outcome
 * with its arithmetic, signed by the organisation that exported it.
 * Anyone holding the federation's roster can check it offline: every
 * signature, every receipt, every rule, and the tally, recomputed by the
 * same board engine every node runs. */
#ifndef CONCORD_CERTIFICATE_H
#define CONCORD_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "envelope.h"
#include "err.h"
#include "keys.h"
#include "receipt.h"
#include "roster.h"

#define CERTIFICATE_DOMAIN "concord/v1/certificate"
#define CERTIFICATE_VERSION 1
#define CERTIFICATE_MAX (64u * 1024u * 1024u)

/* What a verified certificate says. Strings are owned by the report. */
typedef struct {
    char signer[KEYS_CODE_MAX + 1];
    char board_id[BOARD_ID_MAX + 1];
    char proposal_id[BOARD_PROPOSAL_ID_LEN + 1];
    char title[BOARD_TITLE_MAX + 1];
    char outcome[16];
    size_t events;
    size_t ballots;
    char *explanation;   /* the recomputed arithmetic */
    char *ballot_lines;  /* one line per ballot: member, vote, time, reason */
    char *subject;       /* what a pool proposal carries (board_pool_describe), or NULL */
    char *exempt;        /* an exempt item: its ground, and its content once released; or NULL */
} certificate_report_t;

/* Verifies a packed SignedCertificate against the trusted (genesis)
 * roster, in this order: size, embedded roster identical to the trusted
 * one and fully signed, each event's broker receipt (signed by the
 * roster's broker and naming exactly that envelope) and signature by the
 * sender's key at that log position, log order, every event valid under
 * the board rules (roster changes applied as they pass), the exporter's
 * signature by its key after the last event, and the recomputed outcome
 * and arithmetic equal to the certificate's. Returns 0 with *out
 * filled (release with certificate_report_free), or -1 with err naming
 * the first failed check. */
int certificate_verify(const uint8_t *buf, size_t len, const roster_t *trusted,
                       certificate_report_t *out, cc_err_t *err);

void certificate_report_free(certificate_report_t *r);

/* Whether the certificate's tally (theirs) differs from the one
 * recomputed from its events (mine), compared as data, field by field in
 * their canonical encoding: 1 with why naming the first field that
 * differs ("votes differ" style: "all differs", "reasons differs"), or 0. */
int certificate_tally_differs(const Concord__V1__Tally *mine, const Concord__V1__Tally *theirs,
                              char *why, size_t size);

/* Reads a certificate file (decision or statement): a regular file of 1
 * to CERTIFICATE_MAX bytes. Returns a malloc'd buffer (the caller frees
 * it) with *len set, or NULL with err. */
uint8_t *certificate_load(const char *path, size_t *len, cc_err_t *err);

/* Feeds the events of a certificate made under roster's genesis to fn,
 * in order, each checked (receipt by the roster's broker, signature by
 * its sender's key at its log position) against roster as fn leaves it:
 * fn folds each event, applying the roster changes it decides. Then
 * checks the exporter's signature with its key as the roster then
 * stands. Returns 0, or -1 with err naming the first failed check (the
 * events before it have been handed to fn). */
typedef void (*certificate_event_fn)(const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                                     void *arg);
int certificate_replay(const uint8_t *buf, size_t len, const roster_t *roster,
                       certificate_event_fn fn, void *arg, cc_err_t *err);

/* ---- the parts every exported certificate shares (statement.c too) ---- */

/* Signs packed content over domain NUL || content into a packed
 * SignedCertificate (*out malloc'd). Returns 0, or -1 with err. */
int certificate_seal(const keys_t *signer, const char *domain, const uint8_t *content,
                     size_t len, uint8_t **out, size_t *out_len, cc_err_t *err);

/* Unpacks a packed SignedCertificate (size first) and the content inside
 * it as d. Nothing in it is trusted yet: every event carries its own
 * signature and broker receipt, and the exporter's signature is checked
 * after the events (certificate_check_signer), because the exporter may
 * sign with a key rotated after genesis, which only the events show.
 * Returns the content (free with wire_free) with *sc set (free it too),
 * or NULL with err and *sc NULL. */
ProtobufCMessage *certificate_unpack(const uint8_t *buf, size_t len,
                                     const ProtobufCMessageDescriptor *d,
                                     Concord__V1__SignedCertificate **sc, cc_err_t *err);

/* The exporter's signature on sc over domain, by its key as roster
 * stands (after the certificate's events). Returns 0 with signer filled,
 * or -1 with UNAUTHENTICATED (not a member then, or altered). */
int certificate_check_signer(const Concord__V1__SignedCertificate *sc, const roster_t *roster,
                             const char *domain, char signer[KEYS_CODE_MAX + 1], cc_err_t *err);

/* The roster a certificate embeds, verified and identical to trusted
 * (the genesis roster). Returns it (release with roster_destroy), or
 * NULL with err. */
roster_t *certificate_roster(const ProtobufCBinaryData *bytes, const roster_t *trusted,
                             cc_err_t *err);

/* Opens certified event i: its broker receipt (a tree head signed by the
 * roster's broker, checked once per head through heads when not NULL,
 * and an inclusion proof naming exactly this envelope), its envelope's
 * signature by the
 * sender's key at the receipt's log position (roster as the events
 * before it have left it), and that it went to every member. Returns the
 * envelope (release with envelope_destroy) with its log index and
 * receipt time, or NULL with err naming the event. */
envelope_t *certificate_open_event(receipt_heads_t *heads, const roster_t *roster,
                                   const Concord__V1__CertifiedEnvelope *ce, size_t i,
                                   uint64_t *log_index, uint64_t *time_ms, cc_err_t *err);

#endif
