/* SPDX-License-Identifier: Apache-2.0 */
/* roster: the federation's membership. Binds each organisation's code to
 * its name, kind, Ed25519 signing key and CURVE transport key, and names
 * the broker's keys.
 *
 * The file is a packed SignedRoster (proto/roster.proto). The genesis
 * roster is valid only when every member organisation has signed exactly
 * the packed Roster bytes with domain "concord/v1/roster". A draft (not
 * yet fully signed) can be loaded, shown and signed; roster_verify says
 * whether it is complete. */
#ifndef CONCORD_ROSTER_H
#define CONCORD_ROSTER_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"
#include "keys.h"

#define ROSTER_MAX_ORGS 4096
#define ROSTER_DOMAIN "concord/v1/roster"
/* A log position after everything: the roster as it stands now. */
#define ROSTER_NOW UINT64_MAX

typedef struct roster roster_t;

/* One member as seen through the roster; pointers live as long as the
 * roster. kind is the OrgKind name ("CCG", "COUNCIL_UPPER", ...). */
typedef struct {
    const char *code;
    const char *name;
    const char *kind;
    const uint8_t *sign_pk;
    const uint8_t *curve_pk;
} roster_org_t;

/* Starts an unsigned draft for the named federation with the broker's
 * public identity. Returns NULL with err set on bad arguments. */
roster_t *roster_new(const char *federation, const keys_public_t *broker, cc_err_t *err);

/* Adds a member. Refuses (CC_ALREADY_EXISTS) a duplicate code, signing key
 * or transport key, an invalid code or an unknown kind, and any addition
 * once a signature exists (CC_FAILED_PRECONDITION). Returns 0 or -1. */
int roster_add(roster_t *r, const keys_public_t *org, cc_err_t *err);

/* Adds or replaces k's signature. k must be a member whose signing key
 * matches the roster (else CC_PERMISSION_DENIED). Returns 0 or -1. */
int roster_sign(roster_t *r, const keys_t *k, cc_err_t *err);

/* Writes the SignedRoster atomically (temporary file, fsync, rename).
 * Returns 0 or -1. */
int roster_save(const roster_t *r, const char *path, cc_err_t *err);

/* The packed SignedRoster, as roster_save writes it: for a loaded roster,
 * the genesis file's content whatever changed since. *out is malloc'd
 * (the caller frees it). Returns 0 or -1. */
int roster_signed_bytes(const roster_t *r, uint8_t **out, size_t *out_len, cc_err_t *err);

/* Reads and structurally validates a roster file (sizes, key lengths,
 * codes, no duplicates). Signatures are not required to be complete; use
 * roster_verify. Returns a roster the caller destroys, or NULL. */
roster_t *roster_load(const char *path, cc_err_t *err);

/* The same from bytes already in memory. */
roster_t *roster_from_bytes(const uint8_t *buf, size_t len, cc_err_t *err);

/* Checks that every member signed and every signature is valid; extra
 * signatures from non-members are an error too. Returns 0, or -1 with
 * CC_UNAUTHENTICATED naming the first missing or bad signature. */
int roster_verify(const roster_t *r, cc_err_t *err);

/* 1 if code has a valid signature, 0 if it has none, -1 if it has a bad
 * one. */
int roster_signature_state(const roster_t *r, const char *code);

/* Finds a current member by code, or the broker by KEYS_BROKER_CODE.
 * Returns 0 and fills *out, or -1 if absent. The pointers in *out live
 * until the roster next changes (roster_rotate, roster_merge). */
int roster_lookup(const roster_t *r, const char *code, roster_org_t *out);

/* Finds a current member (or the broker) by CURVE public key: a rotated
 * or merged-away key is not found. Returns 0 or -1. */
int roster_lookup_curve(const roster_t *r, const uint8_t curve_pk[KEYS_PK_LEN],
                        roster_org_t *out);

/* Number of current members (excluding the broker) and the i-th in
 * roster order: genesis members not merged away, then successors. */
size_t roster_count(const roster_t *r);
void roster_at(const roster_t *r, size_t i, roster_org_t *out);

/* The broker's identity (code KEYS_BROKER_CODE). */
void roster_broker(const roster_t *r, roster_org_t *out);

const char *roster_federation(const roster_t *r);
uint64_t roster_created_at_ms(const roster_t *r);

/* SHA-256 of the packed Roster bytes: the roster's identity. */
void roster_hash(const roster_t *r, uint8_t out[32]);

/* Exchanges the contents of a and b (a node folding its ledger again
 * from the genesis roster keeps the roster object others hold). */
void roster_swap(roster_t *a, roster_t *b);

void roster_destroy(roster_t **r);

/* ---- changes decided by boards ----
 *
 * After genesis the roster changes only by board decisions, each taking
 * effect after the log index of the ballot that decided it: envelopes at
 * a later index are judged by the new roster, earlier ones by the old.
 * Changes apply only to a signed roster (one loaded from bytes). */

/* The keys with which code signs an envelope at log_index (ROSTER_NOW:
 * the current ones). Returns 0 and fills *out, or -1 if code was not a
 * member at that position. */
int roster_lookup_at(const roster_t *r, const char *code, uint64_t log_index, roster_org_t *out);

/* The log index after which the i-th current member's keys sign: 0 for
 * genesis keys, else the decision that rotated them in or admitted the
 * member as a successor. */
uint64_t roster_since(const roster_t *r, size_t i);

/* A superseded entry: keys replaced by a rotation, or an organisation
 * merged into a successor. */
typedef struct {
    roster_org_t org;
    uint64_t from_index;         /* signed envelopes after this index... */
    uint64_t until_index;        /* ...up to and including this one */
    const char *successor;       /* merged into it; "" after a rotation */
} roster_past_t;

size_t roster_past_count(const roster_t *r);
void roster_past_at(const roster_t *r, size_t i, roster_past_t *out);

/* Returns 0 if neither key is or ever was used by a member or the
 * broker; else -1 with CC_ALREADY_EXISTS naming who used it. Reusing a
 * key would make old signatures ambiguous. */
int roster_keys_fresh(const roster_t *r, const uint8_t sign_pk[KEYS_PK_LEN],
                      const uint8_t curve_pk[KEYS_PK_LEN], cc_err_t *err);

/* Replaces code's keys after log index at_index, keeping the old ones
 * for envelopes up to it; decision names the proposal (for history).
 * Refuses NOT_FOUND (not a current member), ALREADY_EXISTS (keys not
 * fresh), INVALID_ARGUMENT (at_index not after the last change),
 * RESOURCE_EXHAUSTED. Returns 0 or -1; on failure nothing changed. */
int roster_rotate(roster_t *r, const char *code, const uint8_t sign_pk[KEYS_PK_LEN],
                  const uint8_t curve_pk[KEYS_PK_LEN], uint64_t at_index, const char *decision,
                  cc_err_t *err);

/* Whether successor may succeed preds (1..64 distinct current members):
 * either one of the predecessors continuing (then at least one other
 * predecessor; its keys stay and successor's keys are ignored) or a new
 * organisation whose code was never in the roster, with a valid kind and
 * name and fresh keys. Returns 0 or -1 with INVALID_ARGUMENT,
 * NOT_FOUND (a predecessor not a member) or ALREADY_EXISTS. */
int roster_merge_check(const roster_t *r, const keys_public_t *successor,
                       const char *const *preds, size_t n, cc_err_t *err);

/* Records the merger after at_index: the predecessors (except a
 * continuing successor) stop being members and can no longer sign; a new
 * successor joins with its keys. Same checks and errors as
 * roster_merge_check, plus those of roster_rotate's at_index. */
int roster_merge(roster_t *r, const keys_public_t *successor, const char *const *preds, size_t n,
                 uint64_t at_index, const char *decision, cc_err_t *err);

/* ---- splits ---- */

#define ROSTER_SPLIT_MAX 16 /* successors of one split */

/* A split's transfer scheme as the roster keeps it. */
typedef struct {
    size_t n;
    char successors[ROSTER_SPLIT_MAX][KEYS_CODE_MAX + 1]; /* principal first */
    uint32_t permille[ROSTER_SPLIT_MAX];                  /* sum to 1000 */
    uint64_t log_index;                                   /* takes effect after it */
    const char *decision;                                 /* the proposal that decided it */
} roster_split_t;

/* Whether code may split among successors (2..ROSTER_SPLIT_MAX distinct
 * current members other than code, each with a share of 1..1000 permille,
 * the shares summing to 1000). Returns 0 or -1 with NOT_FOUND (code or a
 * successor not in the roster), FAILED_PRECONDITION (code already split
 * or merged away) or INVALID_ARGUMENT. */
int roster_split_check(const roster_t *r, const char *code, const char *const *successors,
                       const uint32_t *permille, size_t n, cc_err_t *err);

/* Records the split after at_index: code stops being a member and can no
 * longer sign; its principal successor (the first) acts for it wherever
 * one organisation must (roster_past_t.successor), and the scheme is
 * kept for roster_split_of. Same checks as roster_split_check, plus
 * roster_rotate's at_index. */
int roster_split(roster_t *r, const char *code, const char *const *successors,
                 const uint32_t *permille, size_t n, uint64_t at_index, const char *decision,
                 cc_err_t *err);

/* The scheme code was split by: 0 and *out filled, or -1 if it never was. */
int roster_split_of(const roster_t *r, const char *code, roster_split_t *out);

/* Whether org may join the roster as a new organisation: a valid code
 * never in the roster (else ALREADY_EXISTS), a name and a member kind
 * (INVALID_ARGUMENT), keys never used (ALREADY_EXISTS). Returns 0 or -1. */
int roster_newcomer_check(const roster_t *r, const keys_public_t *org, cc_err_t *err);

/* Admits org after at_index, as roster_newcomer_check allows. Returns 0
 * or -1 (also for at_index out of order); on failure nothing changed. */
int roster_admit(roster_t *r, const keys_public_t *org, uint64_t at_index, const char *decision,
                 cc_err_t *err);

/* The history of changes, in the order they took effect. */
typedef struct {
    uint64_t log_index;          /* takes effect after this index */
    const char *what;            /* "rotate", "merge", "admit" or "split" */
    const char *code;            /* rotated organisation, the successor, or the one split */
    const char *predecessors;    /* merge: space-separated codes; split: "SUCC:PERMILLE ...";
                                  * else "" */
    const char *decision;        /* proposal id */
} roster_change_t;

size_t roster_change_count(const roster_t *r);
void roster_change_at(const roster_t *r, size_t i, roster_change_t *out);

#endif
