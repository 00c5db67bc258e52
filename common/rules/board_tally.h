/* SPDX-License-Identifier: Apache-2.0 */
/* board_tally: the arithmetic of a board's vote, whether it is already
 * decided, and the sentences that explain it. Pure functions below the
 * board engine, so every node (and `concord verify`) reaches the same
 * outcome and writes the same explanation word for word. */
#ifndef CONCORD_BOARD_TALLY_H
#define CONCORD_BOARD_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "board.pb-c.h"
#include "board_limits.h"
#include "keys.h"

/* Members named as blocking a proposal, at most. */
#define BOARD_TALLY_BLOCKED_MAX 16

typedef struct {
    uint32_t members;
    uint32_t voters; /* FOR + AGAINST + ABSTAIN */
    uint32_t votes_for;
    uint32_t votes_against;
    uint32_t abstentions;
} board_count_t;

/* People (people.h): who signed, who was excluded by an interest, and the
 * declarations made, as a tally lists them (at most this many of each). */
#define BOARD_TALLY_PEOPLE_MAX 32

typedef struct {
    char member[KEYS_CODE_MAX + 1];
    char person[33];
    char name[61];
    char role[61];
} board_tally_signer_t;

typedef struct {
    char member[KEYS_CODE_MAX + 1];
    char person[33];
    char concerns[41];
    int declared;
    int remains;
} board_tally_exclusion_t;

typedef struct {
    char member[KEYS_CODE_MAX + 1];
    char person[33];
    int kind;
    char concerns[41];
    char description[121];
} board_tally_declaration_t;

typedef struct {
    int passed;  /* 1 passed, 0 failed (or would fail now) */
    int decided; /* outcome can no longer change */
    int quorate;
    board_count_t all;
    board_count_t by_constituency[4]; /* index: Constituency value; 0 unused */
    uint64_t weight_for;
    uint64_t weight_against;
    uint64_t weight_total;  /* of all members */
    int reserved_blocked;   /* a reserved matter's member, or a consent, did not vote FOR */
    /* What the Tally message carries besides the above (board_tally_data). */
    int rule;               /* the charter's VotingRule */
    int adoption;           /* CHARTER_ADOPTION: unanimity of all, full quorum, instead */
    int final;              /* voting has closed */
    int rule_holds;
    int constituency_absent; /* quorum_each_constituency and one with members has no voter */
    int reserved_missing;    /* a reserved matter's member did not vote FOR */
    int consent_missing;     /* a partner whose consent is needed did not vote FOR */
    int predecessor_missing; /* a MERGE: a predecessor did not vote FOR (board_roster_consent) */
    int roster_undecided;    /* a roster change undecided at its deadline (likewise) */
    uint32_t quorum_numerator, quorum_denominator, quorum_needed;
    int quorum_each_constituency;
    uint32_t qualified_numerator, qualified_denominator;
    size_t n_blocked;        /* members whose missing FOR blocks it */
    char blocked[BOARD_TALLY_BLOCKED_MAX][KEYS_CODE_MAX + 1];
    /* A meeting item (meeting_rules.h): quorum by attendance, and the
     * chair's casting vote. */
    int by_attendance;
    uint32_t present;        /* members recorded present or substituted */
    int casting_used;
    char casting_by[KEYS_CODE_MAX + 1];
    char explanation[4096]; /* the arithmetic, in sentences, one per line */
    size_t n_signers, n_exclusions, n_declarations;
    board_tally_signer_t signers[BOARD_TALLY_PEOPLE_MAX];
    board_tally_exclusion_t exclusions[BOARD_TALLY_PEOPLE_MAX];
    board_tally_declaration_t declarations[BOARD_TALLY_PEOPLE_MAX];
    int referred;           /* exclusions left it without a quorum: referred */
    char referred_to[81];   /* to this body (the charter's conflicts_referral) */
} board_tally_t;

/* The tally as a Concord__V1__Tally message (proto/board.proto), built in
 * place: the message points into this struct, which must stay where it is
 * while the message is used. */
typedef struct {
    Concord__V1__Tally msg;
    Concord__V1__TallyCount all, by[3];
    Concord__V1__TallyCount *by_ptrs[3];
    Concord__V1__TallyReason reasons[7];
    char *blocked[BOARD_TALLY_BLOCKED_MAX];
    Concord__V1__ActSigner signers[BOARD_TALLY_PEOPLE_MAX];
    Concord__V1__ActSigner *signer_ptrs[BOARD_TALLY_PEOPLE_MAX];
    Concord__V1__Exclusion exclusions[BOARD_TALLY_PEOPLE_MAX];
    Concord__V1__Exclusion *exclusion_ptrs[BOARD_TALLY_PEOPLE_MAX];
    Concord__V1__DeclarationEntry declarations[BOARD_TALLY_PEOPLE_MAX];
    Concord__V1__DeclarationEntry *declaration_ptrs[BOARD_TALLY_PEOPLE_MAX];
} board_tally_data_t;

/* Names code as blocking the proposal in t (up to BOARD_TALLY_BLOCKED_MAX). */
void board_tally_block(board_tally_t *t, const char *code);

/* Fills out from t: the data a certificate carries and a verifier
 * compares (PROTOCOL.md 16.5). */
void board_tally_data(const board_tally_t *t, board_tally_data_t *out);

/* One ballot for board_tally: the index of the voting member in
 * charter->members, and its vote (Vote enum). */
typedef struct {
    size_t member;
    int vote;
    uint32_t reps[3]; /* COMMITTEE_IN_COMMON: its representatives FOR, AGAINST, ABSTAIN */
} board_ballot_t;

/* Tallies ballots under charter for a proposal in area (reserved matters
 * apply) and of kind (CHARTER_ADOPTION always uses unanimity of all
 * members with full quorum). final = 1 when voting has closed (nobody
 * else can vote); with final = 0, `decided` says whether the outcome is
 * already fixed. Rules, with FOR/AGAINST/ABSTAIN counts among voters:
 *   quorum: voters * qden >= qnum * members, and, with
 *           quorum_each_constituency, at least one voter in every
 *           constituency that has members. Abstentions count as voters.
 *   MAJORITY_OF_VOTES_CAST: FOR > AGAINST.
 *   ABSOLUTE_MAJORITY: 2 * FOR > members.
 *   QUALIFIED_MAJORITY: FOR > 0 and FOR * den >= num * (FOR + AGAINST).
 *   UNANIMITY: FOR == members.
 *   CONSENSUS: AGAINST == 0.
 *   DOUBLE_MAJORITY: FOR > AGAINST within every constituency that has
 *           members (a constituency with no FOR or AGAINST fails).
 *   WEIGHTED: 2 * weight(FOR) > weight(FOR) + weight(AGAINST), and
 *           weight(FOR) > 0.
 * A proposal passes when quorate, the rule holds and no reserved matter
 * blocks it.
 * A COMMITTEE_IN_COMMON charter (not for its adoption) has no joint rule
 * or quorum: each body decides its own motion, agreeing when its own
 * ballot is FOR (a body without representatives) or when, among its
 * representatives' votes (reps), at least own_quorum voted and own_rule
 * holds (majority of votes cast: FOR > AGAINST; absolute majority: 2 *
 * FOR > representatives; unanimity: FOR = representatives; consensus:
 * someone voted, nobody AGAINST). The joint outcome passes when every
 * body in must_agree (every member if none) agreed. Arithmetic is integer (128-bit where products could
 * overflow). */
void board_tally(const Concord__V1__Charter *charter, int kind, int area,
                 const board_ballot_t *ballots, size_t n_ballots, int final, board_tally_t *out);

/* Members whose FOR a proposal needs whatever the board's rule, besides
 * its reserved matters, and why (a sentence for the explanation). */
#define BOARD_MAX_CONSENTS 64
typedef struct {
    const char *codes[BOARD_MAX_CONSENTS]; /* borrowed from the proposal */
    size_t n;
    const char *why;
    /* each[i] set: codes[i]'s FOR is a reserved matter for this reason
     * (the register of NHS England delegations), explained as one. */
    const char *each[BOARD_MAX_CONSENTS];
} board_consents_t;

/* board_tally, where the proposal passes only if every member in
 * consents (may be NULL) voted FOR; a consent blocks like a reserved
 * matter and is explained with consents->why. */
void board_tally_with(const Concord__V1__Charter *charter, int kind, int area,
                      const board_consents_t *consents, const board_ballot_t *ballots,
                      size_t n_ballots, int final, board_tally_t *out);

#endif
