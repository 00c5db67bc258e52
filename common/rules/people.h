/* SPDX-License-Identifier: Apache-2.0 */
/* people: the individuals organisations register, the delegations they
 * issue them, their registers of interests, and the rules that follow
 * (PROTOCOL.md 16.13, docs/BOARDS.md "People and interests").
 *
 *  - An organisation registers a person (Board/Person, signed by the
 *    organisation's key: the delegation) with the person's own Ed25519
 *    key, the boards and acts it covers and its dates; it revokes it with
 *    Board/PersonRevoke. An act signed by a person is valid only if, at
 *    the act's log position, the person is registered by the act's
 *    organisation, not revoked, the act's board and kind are in scope,
 *    the act's receipt date is within the dates, and the person's
 *    signature over "concord/v2/person-act" NUL || organisation NUL ||
 *    method NUL || body verifies with the registered key.
 *  - Registers of interests (NHS Act 2006 s14O; Managing Conflicts of
 *    Interest: Revised Statutory Guidance for CCGs, NHS England 2017;
 *    Localism Act 2011 s29-31): entries made by a person's organisation,
 *    in force from their from date to their to date (inclusive).
 *  - A member is conflicted on a proposal naming subjects when a person of
 *    it whose delegation covers the board has an interest in force, on the
 *    proposal's date and by the register as it stood when the proposal was
 *    made, in one of those subjects (people_conflict). */
#ifndef CONCORD_PEOPLE_H
#define CONCORD_PEOPLE_H

#include <stddef.h>
#include <stdint.h>

#include "board.pb-c.h"
#include "err.h"
#include "keys.h"
#include "people.pb-c.h"

#define PEOPLE_METHOD_PERSON "concord.v1.Board/Person"
#define PEOPLE_METHOD_REVOKE "concord.v1.Board/PersonRevoke"
#define PEOPLE_METHOD_INTEREST "concord.v1.Board/Interest"
#define PEOPLE_METHOD_DECLARE "concord.v1.Board/Declare"
#define PEOPLE_ACT_DOMAIN "concord/v2/person-act"
#define PEOPLE_ID_MAX 32
#define PEOPLE_TEXT_MAX 120
#define PEOPLE_NOTE_MAX 400
#define PEOPLE_SUBJECT_MAX 40
#define PEOPLE_SUBJECTS_MAX 16 /* subjects one proposal may name */
#define PEOPLE_BOARDS_MAX 16
#define PEOPLE_MAX 8192        /* persons in a register */
#define PEOPLE_INTERESTS_MAX 16384
#define PEOPLE_CITATION                                                                            \
    "NHS Act 2006 s14O; Managing Conflicts of Interest: Revised Statutory Guidance for CCGs"     \
    " (NHS England, 2017); Localism Act 2011 s31"

typedef struct people_register people_register_t;

typedef struct {
    const char *org;
    const Concord__V1__Person *person;
    uint64_t log_index;
    uint64_t time_ms;
    int revoked;
    uint64_t revoked_index; /* log index of the revocation */
    const char *revoke_reason;
} people_entry_t;

typedef struct {
    const char *org;
    const Concord__V1__Interest *interest;
    uint64_t log_index;
    uint64_t time_ms;
} people_interest_t;

people_register_t *people_register_new(void);
void people_register_destroy(people_register_t **r);

/* A person id: [a-z0-9-], 2..PEOPLE_ID_MAX. A subject: [A-Za-z0-9-],
 * 2..PEOPLE_SUBJECT_MAX. Return 0 or -1 with INVALID_ARGUMENT naming what. */
int people_id_check(const char *id, const char *what, cc_err_t *err);
int people_subject_check(const char *s, cc_err_t *err);

/* Whether org may register p: a well-formed record (INVALID_ARGUMENT),
 * a person id not yet used by org (ALREADY_EXISTS), a key never
 * registered before (ALREADY_EXISTS), a deputy_for naming a person of org
 * (NOT_FOUND). */
int people_check_person(const people_register_t *r, const char *org, const Concord__V1__Person *p,
                        cc_err_t *err);
/* Whether org may revoke: its person (NOT_FOUND: "unknown person"), not
 * yet revoked (FAILED_PRECONDITION). */
int people_check_revocation(const people_register_t *r, const char *org,
                            const Concord__V1__PersonRevocation *rv, cc_err_t *err);
/* Whether org may record in: its person (NOT_FOUND), a known kind, a
 * subject, real dates in order (INVALID_ARGUMENT). */
int people_check_interest(const people_register_t *r, const char *org,
                          const Concord__V1__Interest *in, cc_err_t *err);

/* Add checked records (hash: the event's envelope hash, for
 * certificates). Return 0, or -1 with FAILED_PRECONDITION (register full)
 * or RESOURCE_EXHAUSTED. */
int people_add_person(people_register_t *r, const char *org, const Concord__V1__Person *p,
                      uint64_t log_index, uint64_t time_ms, const uint8_t hash[32], cc_err_t *err);
int people_revoke(people_register_t *r, const char *org, const Concord__V1__PersonRevocation *rv,
                  uint64_t log_index, uint64_t time_ms, const uint8_t hash[32], cc_err_t *err);
int people_add_interest(people_register_t *r, const char *org, const Concord__V1__Interest *in,
                        uint64_t log_index, uint64_t time_ms, const uint8_t hash[32],
                        cc_err_t *err);

/* The person person_id of org, or -1. */
long people_find(const people_register_t *r, const char *org, const char *person_id);
size_t people_count(const people_register_t *r);
void people_at(const people_register_t *r, size_t i, people_entry_t *out);
size_t people_interest_count(const people_register_t *r);
void people_interest_at(const people_register_t *r, size_t i, people_interest_t *out);

/* Every event of the register (persons, revocations, interests) in log
 * order: what a certificate carries. */
size_t people_event_count(const people_register_t *r);
void people_event_at(const people_register_t *r, size_t i, uint64_t *log_index,
                     const uint8_t **hash);

/* The bytes a person signs for an act (after the domain and its NUL):
 * org NUL method NUL body. *out is malloc'd. Returns 0 or -1
 * (RESOURCE_EXHAUSTED). */
int people_act_message(const char *org, const char *method, const uint8_t *body, size_t len,
                       uint8_t **out, size_t *out_len, cc_err_t *err);

/* The chain organisation -> delegation -> person for one act: person_id
 * of org signed (sig, KEYS_SIG_LEN bytes, or NULL when absent) the act of
 * kind act (PersonAct) on board_id, logged at log_index and received at
 * time_ms, with body under method. Refusals: NOT_FOUND "unknown person",
 * FAILED_PRECONDITION (revoked before the act; not yet valid; expired),
 * PERMISSION_DENIED (board or act outside the delegation; a non-voting
 * member voting), UNAUTHENTICATED (signature missing or bad). Returns 0
 * and *which (may be NULL) the person's index. */
int people_check_act(const people_register_t *r, const char *org, const char *person_id,
                     const char *board_id, int act, uint64_t log_index, uint64_t time_ms,
                     const uint8_t *sig, const char *method, const uint8_t *body, size_t len,
                     long *which, cc_err_t *err);

/* Whether org is conflicted on subjects (n of them) for board_id: a person
 * of org registered before log index before, whose delegation covers
 * board_id and is not revoked before then, with an interest recorded
 * before then and in force on date (YYYY-MM-DD) in one of the subjects.
 * Returns 1 with *person and *subject (borrowed) set to the first found
 * (persons in log order, then interests in log order), else 0. */
int people_conflict(const people_register_t *r, const char *org, const char *board_id,
                    char *const *subjects, size_t n, const char *date, uint64_t before,
                    const char **person, const char **subject);

/* "financial", "non-financial professional", "non-financial personal",
 * "indirect", or "unspecified"; and the acts' names "vote", "propose",
 * "execute", "sign-statement". */
const char *people_interest_name(int kind);
const char *people_act_name(int act);
/* The InterestKind / PersonAct value of a name above, or 0. */
int people_interest_parse(const char *name);
int people_act_parse(const char *name);

/* The UTC date YYYY-MM-DD of time_ms into out (11 bytes). */
void people_date_of(uint64_t time_ms, char out[11]);

#endif
