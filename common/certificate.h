/* certificate: decision certificates. A certificate holds the roster, every
 * event of one board (proposals and ballots, each with its broker receipt)
 * up to the decision, and the outcome with its arithmetic, signed by the
 * organisation that exported it. Anyone holding the federation's roster
 * can check it offline: every signature, every receipt, every rule, and
 * the tally, recomputed by the same board engine every node runs. */
#ifndef CONCORD_CERTIFICATE_H
#define CONCORD_CERTIFICATE_H

#include <stddef.h>
#include <stdint.h>

#include "board.h"
#include "envelope.h"
#include "err.h"
#include "keys.h"
#include "ledger.h"
#include "roster.h"

#define CERTIFICATE_DOMAIN "concord/v1/certificate"
#define CERTIFICATE_VERSION 1
#define CERTIFICATE_MAX (64u * 1024u * 1024u)

/* Builds and signs the certificate of a closed proposal from the engine's
 * view and the ledger's stored envelopes and receipts. roster_bytes is the
 * packed SignedRoster file. now_ms decides whether the proposal has
 * closed (FAILED_PRECONDITION if it is still open). On success *out is a
 * malloc'd packed SignedCertificate. */
int certificate_build(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                      size_t roster_len, const keys_t *signer, const char *proposal_id,
                      uint64_t now_ms, uint8_t **out, size_t *out_len, cc_err_t *err);

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
} certificate_report_t;

/* Verifies a packed SignedCertificate against the trusted roster, in this
 * order: size, signature by a roster member, embedded roster identical to
 * the trusted one and fully signed, each event's broker receipt (signed by
 * the roster's broker and naming exactly that envelope) and signature,
 * log order, every event valid under the board rules, and the recomputed
 * outcome and arithmetic equal to the certificate's. Returns 0 with *out
 * filled (release with certificate_report_free), or -1 with err naming
 * the first failed check. */
int certificate_verify(const uint8_t *buf, size_t len, const roster_t *trusted,
                       certificate_report_t *out, cc_err_t *err);

void certificate_report_free(certificate_report_t *r);

/* ---- the parts every exported certificate shares (statement.c too) ---- */

/* Certified events gathered from a ledger. */
typedef struct {
    ledger_t *ledger;
    Concord__V1__CertifiedEnvelope **items;
    size_t n;
    size_t cap;
    cc_err_t *err;
} certificate_events_t;

/* A walker (for board_events, pool_events) that appends the stored
 * envelope and broker receipt of the event with that hash to arg, a
 * certificate_events_t. Returns 0, or -1 with arg's err set (DATA_LOSS
 * when the ledger lacks it, RESOURCE_EXHAUSTED). */
int certificate_collect(uint64_t log_index, const uint8_t hash[32], void *arg);
void certificate_events_free(certificate_events_t *c);

/* Signs packed content over domain NUL || content into a packed
 * SignedCertificate (*out malloc'd). Returns 0, or -1 with err. */
int certificate_seal(const keys_t *signer, const char *domain, const uint8_t *content,
                     size_t len, uint8_t **out, size_t *out_len, cc_err_t *err);

/* Checks a packed SignedCertificate: its signer is in trusted and its
 * signature over domain verifies; then unpacks the content as d. Returns
 * the message (free with wire_free) with signer filled, or NULL with
 * err. */
ProtobufCMessage *certificate_unseal(const uint8_t *buf, size_t len, const roster_t *trusted,
                                     const char *domain, const ProtobufCMessageDescriptor *d,
                                     char signer[KEYS_CODE_MAX + 1], cc_err_t *err);

/* The roster a certificate embeds, verified and identical to trusted.
 * Returns it (release with roster_destroy), or NULL with err. */
roster_t *certificate_roster(const ProtobufCBinaryData *bytes, const roster_t *trusted,
                             cc_err_t *err);

/* Opens certified event i: its broker receipt (signed by the roster's
 * broker, naming exactly this envelope), its envelope's signature, and
 * that it went to every member. Returns the envelope (release with
 * envelope_destroy) with its log index and receipt time, or NULL with
 * err naming the event. */
envelope_t *certificate_open_event(const roster_t *roster,
                                   const Concord__V1__CertifiedEnvelope *ce, size_t i,
                                   uint64_t *log_index, uint64_t *time_ms, cc_err_t *err);

#endif
