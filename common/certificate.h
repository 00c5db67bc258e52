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

/* The whole board history of the federation as a certificate, for an
 * organisation that joined the roster after genesis (a new successor of a
 * merger) to start its node from: every accepted event of every board,
 * certifying the latest roster change's decision. FAILED_PRECONDITION if
 * the roster never changed; otherwise as certificate_build. */
int certificate_build_history(const board_engine_t *e, const roster_t *roster, ledger_t *ledger,
                              const uint8_t *roster_bytes, size_t roster_len,
                              const keys_t *signer, uint64_t now_ms, uint8_t **out,
                              size_t *out_len, cc_err_t *err);

/* Reads a certificate file: a regular file of 1 to CERTIFICATE_MAX bytes.
 * Returns a malloc'd buffer (the caller frees it) with *len set, or NULL
 * with err. */
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

#endif
