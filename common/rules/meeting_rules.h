/* SPDX-License-Identifier: Apache-2.0 */
/* meeting_rules: the pure rules of board meetings and councils' forward
 * plans (docs/BOARDS.md "Meetings and the forward plan"), below the board
 * engine, which keeps the meetings and applies these to them.
 *
 *  - Notice: an agenda item published fewer than five clear working days
 *    (England and Wales: weekdays that are not bank holidays, workdays.h)
 *    before the day of the meeting needs the chair's reason for taking it
 *    as a matter of urgency (Local Government Act 1972 s100B(3), (4)(b)).
 *    Days are UTC days; neither the day of publication nor the day of the
 *    meeting counts.
 *  - Remote meetings: a council's committee, joint committee or Health and
 *    Wellbeing Board must meet in person (LGA 1972 s100 and Sch 12; R
 *    (Hertfordshire County Council) v Secretary of State for Housing,
 *    Communities and Local Government [2021] EWHC 1093 (Admin)): a board
 *    with a LOCAL_GOVERNMENT member or an HWB area. NHS bodies' committees
 *    may meet remotely.
 *  - Quorum by attendance: for a meeting item the quorum counts the members
 *    recorded present or substituted, not the voters, and only they vote.
 *  - Casting vote (LGA 1972 Sch 12 para 39(2)): where the charter gives
 *    the chair one, an equality of votes under MAJORITY_OF_VOTES_CAST is
 *    broken by it once every member who may vote has voted, or voting has
 *    closed; without one an equality fails.
 *  - Key decisions (SI 2012/2089 regs 9-11): a council member's proposal
 *    is a key decision when flagged or when its amount reaches the
 *    council's threshold in the charter; it must rest on that council's
 *    forward plan entry for the board published at least 28 clear days
 *    before the proposal, unless proposed under the general exception
 *    (reg 10) or special urgency (reg 11) with its reason. */
#ifndef CONCORD_MEETING_RULES_H
#define CONCORD_MEETING_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "board.pb-c.h"
#include "board_tally.h"
#include "err.h"

#define MEETING_NOTICE_WORKING_DAYS 5
#define MEETING_FORWARD_PLAN_DAYS 28
#define MEETING_ITEMS_MAX 64
#define MEETING_CO_CHAIRS_MAX 4
#define MEETING_LENGTH_MAX_MS (24ull * 3600 * 1000)
#define MEETING_TEXT_MAX 200
#define MEETING_PERSON_MAX 120

/* Clear days between the UTC days of from_ms and to_ms: the days after the
 * first and before the second (0 if none). */
long meeting_rules_clear_days(uint64_t from_ms, uint64_t to_ms);

/* 1 if the board of charter c is a council's committee (a LOCAL_GOVERNMENT
 * member, or an HWB area), which must meet in person. */
int meeting_rules_council_committee(const Concord__V1__Charter *c);

/* The charter's meeting fields: chair and co-chairs members (at most
 * MEETING_CO_CHAIRS_MAX, none twice, not the chair), a casting vote only
 * with a chair, key-decision thresholds of LOCAL_GOVERNMENT members, each
 * once, positive. Returns 0, or -1 with INVALID_ARGUMENT. */
int meeting_rules_check_charter(const Concord__V1__Charter *c, cc_err_t *err);

/* A meeting called at now_ms (its receipt time) by a board of charter c:
 * title and place, a start after now_ms (FAILED_PRECONDITION: a meeting in
 * the past), an end after the start within MEETING_LENGTH_MAX_MS, remote
 * only for a board that is not a council's committee (FAILED_PRECONDITION),
 * at most MEETING_ITEMS_MAX items, each checked as below. */
int meeting_rules_check_meeting(const Concord__V1__Charter *c, const Concord__V1__Meeting *m,
                                uint64_t now_ms, cc_err_t *err);

/* One agenda item published at published_ms for a meeting starting at
 * starts_ms: its sizes (INVALID_ARGUMENT), and its notice: fewer than
 * MEETING_NOTICE_WORKING_DAYS clear working days needs an urgency reason
 * (FAILED_PRECONDITION). */
int meeting_rules_check_item(const Concord__V1__AgendaItem *it, uint64_t published_ms,
                             uint64_t starts_ms, cc_err_t *err);

/* An attendance record's own fields (INVALID_ARGUMENT). */
int meeting_rules_check_attendance(const Concord__V1__Attendance *a, cc_err_t *err);

/* 1 if p, proposed by proposer on the board of charter c, is a council's
 * key decision: proposer is a LOCAL_GOVERNMENT member and p is flagged, or
 * its amount reaches proposer's threshold in c. */
int meeting_rules_key_decision(const Concord__V1__Charter *c, const Concord__V1__Proposal *p,
                               const char *proposer);

/* Whether key decision p, proposed at decision_ms, may be taken: under
 * reg 10 or 11 with a reason (INVALID_ARGUMENT without one); else on the
 * forward plan entry it names, published at plan_ms (0: no such entry of
 * the proposer on this board), at least MEETING_FORWARD_PLAN_DAYS clear
 * days before (FAILED_PRECONDITION). */
int meeting_rules_check_key_decision(const Concord__V1__Proposal *p, uint64_t plan_ms,
                                     uint64_t decision_ms, cc_err_t *err);

/* Adjusts t, the tally of a proposal of kind under c with these ballots,
 * for a meeting: present (one byte per charter member, non-zero: present
 * or substituted; NULL: not a meeting item) makes the quorum count
 * attendance; the chair's casting vote (chair_casting: FOR or AGAINST, 0:
 * as its own vote) breaks an equality where c gives one. Explains both. */
void meeting_rules_tally(const Concord__V1__Charter *c, int kind, const uint8_t *present,
                         const board_ballot_t *cast, size_t n, int chair_casting, int final,
                         board_tally_t *t);

#endif
