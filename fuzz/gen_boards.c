/* SPDX-License-Identifier: Apache-2.0 */
/* gen_boards: seeds of fuzz_board (a Greater Manchester board's event
 * streams) and fuzz_certificate (a decision certificate that verifies). */
#include <stdlib.h>
#include <string.h>

#include "certificate.h"
#include "envelope.h"
#include "gen_corpus.h"
#include "wire.h"

/* ---- boards ---- */

enum { B_PROPOSE, B_VOTE, B_NONSENSE, B_CALL_IN };

/* The Greater Manchester board of the fixture: two CCGs and NHS England
 * (NHS), two councils (local government), double majority. */
void gen_gm_charter(Concord__V1__Charter *ch, Concord__V1__BoardMember *m,
                    Concord__V1__BoardMember **mp)
{
    static const size_t who[] = {FIX_MANCHESTER_CCG, FIX_BOLTON_CCG, FIX_NHSE, FIX_MANCHESTER,
                                 FIX_BOLTON};
    concord__v1__charter__init(ch);
    ch->board_id = "GM-JCB";
    ch->name = "Greater Manchester Joint Commissioning Board";
    ch->rule = CONCORD__V1__VOTING_RULE__DOUBLE_MAJORITY;
    ch->quorum_numerator = 1;
    ch->quorum_denominator = 2;
    ch->quorum_each_constituency = 1;
    for (size_t i = 0; i < 5; i++) {
        concord__v1__board_member__init(&m[i]);
        m[i].code = (char *)fixture_code(who[i]);
        m[i].constituency =
            i < 3 ? CONCORD__V1__CONSTITUENCY__NHS : CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
        m[i].weight = 1;
        mp[i] = &m[i];
    }
    ch->members = mp;
    ch->n_members = 5;
}

static void s_vote(gen_stream_t *s, size_t who, const char *pid, int vote, const char *reason,
                   int want_ok)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "GM-JCB";
    b.proposal_id = (char *)pid;
    b.vote = (Concord__V1__Vote)vote;
    b.reason = (char *)(reason ? reason : "");
    gen_event(s, who, B_VOTE, 1, &b.base, want_ok);
}

/* Adoption by all five members: board GM-JCB active. Returns the index
 * of the next record. */
static void s_gm_adopted(gen_stream_t *s)
{
    Concord__V1__Charter ch;
    Concord__V1__BoardMember m[5], *mp[5];
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    char pid[33];
    static const size_t who[] = {FIX_MANCHESTER_CCG, FIX_BOLTON_CCG, FIX_NHSE, FIX_MANCHESTER,
                                 FIX_BOLTON};
    gen_gm_charter(&ch, m, mp);
    p.board_id = "GM-JCB";
    p.title = "Adopt the charter of the Greater Manchester Joint Commissioning Board";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.closes_at_ms = s->now + 7 * DAY;
    p.charter = &ch;
    gen_id(s->n, pid);
    gen_event(s, FIX_MANCHESTER, B_PROPOSE, 1, &p.base, 1);
    for (size_t i = 0; i < 5; i++) {
        s_vote(s, who[i], pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    }
}

static size_t s_gm_decision(gen_stream_t *s, const char *title, int64_t pence)
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    size_t at = s->n;
    p.board_id = "GM-JCB";
    p.title = (char *)title;
    p.text = "Pool health and social care budgets across Greater Manchester (seed 003 4.1).";
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    p.area = CONCORD__V1__SERVICE_AREA__SOCIAL_CARE;
    p.amount_pence = pence;
    p.effective_date = "2017-04-01";
    p.closes_at_ms = s->now + 7 * DAY;
    gen_event(s, FIX_MANCHESTER_CCG, B_PROPOSE, 1, &p.base, 1);
    return at;
}

static void s_certificate(gen_stream_t *s, const char *pid);

void gen_boards(void)
{
    gen_stream_t s;
    char pid[33];
    /* Adopted, then a decision the councils refuse: fails on double majority. */
    gen_stream_init(&s, 0);
    s_gm_adopted(&s);
    gen_id(s_gm_decision(&s, "Pool the health and social care budget", POUNDS(6200000000ll)), pid);
    s_vote(&s, FIX_MANCHESTER_CCG, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_NHSE, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_BOLTON, pid, CONCORD__V1__VOTE__AGAINST, "Above what Bolton can commit", 1);
    /* The councils can no longer agree: voting closed early. */
    s_vote(&s, FIX_MANCHESTER, pid, CONCORD__V1__VOTE__AGAINST, NULL, 0);
    s_certificate(&s, pid);
    gen_stream_end(&s, "board", "gm-double-majority");

    /* Adopted; a decision passes; refused ballots: twice, non-member. */
    gen_stream_init(&s, 0);
    s_gm_adopted(&s);
    gen_id(s_gm_decision(&s, "Align the intermediate care budgets", POUNDS(120000000)), pid);
    s_vote(&s, FIX_MANCHESTER_CCG, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_MANCHESTER_CCG, pid, CONCORD__V1__VOTE__FOR, NULL, 0);
    s_vote(&s, FIX_PLYMOUTH, pid, CONCORD__V1__VOTE__FOR, NULL, 0);
    s_vote(&s, FIX_MANCHESTER, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_NHSE, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_BOLTON, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    gen_stream_end(&s, "board", "gm-passes-with-refusals");

    /* Adopted; amendment, admission and realignment proposals; a late vote. */
    gen_stream_init(&s, 0);
    s_gm_adopted(&s);
    {
        Concord__V1__Charter ch;
        Concord__V1__BoardMember m[5], *mp[5];
        Concord__V1__BoardMember gmca = CONCORD__V1__BOARD_MEMBER__INIT;
        Concord__V1__MembershipChange mc = CONCORD__V1__MEMBERSHIP_CHANGE__INIT;
        Concord__V1__Realignment re = CONCORD__V1__REALIGNMENT__INIT;
        Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
        gen_gm_charter(&ch, m, mp);
        ch.rule = CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY;
        ch.qualified_numerator = 2;
        ch.qualified_denominator = 3;
        p.board_id = "GM-JCB";
        p.title = "Decide by a two-thirds majority";
        p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT;
        p.closes_at_ms = s.now + 3 * DAY;
        p.charter = &ch;
        gen_event(&s, FIX_BOLTON_CCG, B_PROPOSE, 1, &p.base, 1);
        gmca.code = (char *)fixture_code(FIX_GMCA);
        gmca.constituency = CONCORD__V1__CONSTITUENCY__OTHER;
        gmca.weight = 1;
        mc.action = CONCORD__V1__MEMBERSHIP_ACTION__ADMIT;
        mc.member = &gmca;
        p.title = "Admit the combined authority";
        p.kind = CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE;
        p.charter = NULL;
        p.membership = &mc;
        gen_event(&s, FIX_MANCHESTER, B_PROPOSE, 1, &p.base, 1);
        re.organisation = (char *)fixture_code(FIX_BOLTON);
        re.footprint = "E54000007";
        p.title = "Bolton's primary footprint is Greater Manchester";
        p.kind = CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT;
        p.membership = NULL;
        p.realignment = &re;
        gen_id(s.n, pid);
        gen_event(&s, FIX_BOLTON, B_PROPOSE, 1, &p.base, 1);
        s_vote(&s, FIX_BOLTON, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
        Concord__V1__Ballot late = CONCORD__V1__BALLOT__INIT;
        late.board_id = "GM-JCB";
        late.proposal_id = pid;
        late.vote = CONCORD__V1__VOTE__AGAINST;
        gen_event(&s, FIX_NHSE, B_VOTE, 255, &late.base, 1);
        gen_event(&s, FIX_MANCHESTER, B_VOTE, 255, &late.base, 1);
        gen_event(&s, FIX_BOLTON_CCG, B_VOTE, 255, &late.base, 0); /* after the deadline */
    }
    gen_stream_end(&s, "board", "gm-amend-admit-realign");
}

/* A decision certificate over the stream so far, for proposal pid. */
static void s_certificate(gen_stream_t *s, const char *pid)
{
    Concord__V1__DecisionCertificate dc = CONCORD__V1__DECISION_CERTIFICATE__INIT;
    board_proposal_view_t pv;
    uint8_t *inner;
    size_t inner_len, roster_len;
    uint64_t exported = s->now + 8 * DAY;
    if (board_proposal_find(s->board, pid, exported, &pv, NULL) < 0) {
        gen_die("certificate proposal");
    }
    dc.version = CERTIFICATE_VERSION;
    dc.roster.data = (uint8_t *)fixture_roster_bytes(&roster_len);
    dc.roster.len = roster_len;
    dc.board_id = "GM-JCB";
    dc.proposal_id = (char *)pid;
    dc.events = s->events;
    dc.n_events = s->n_events;
    dc.outcome = pv.tally.passed ? "PASSED" : "FAILED";
    dc.explanation = pv.tally.explanation;
    dc.exported_at_ms = exported;
    gen_pack(&dc.base, &inner, &inner_len);
    gen_certificate("gm-double-majority", 0, FIX_MANCHESTER_CCG, inner, inner_len);
    gen_message("decision-certificate", T_CERT, &dc.base);
    /* The first event, as envelope, receipt and link frames. */
    const Concord__V1__CertifiedEnvelope *ce = s->events[0];
    gen_put1("envelope", "board-event", 0, ce->envelope.data, ce->envelope.len);
    gen_put1("receipt", "board-event", 0, ce->receipt.data, ce->receipt.len);
    gen_put1("messages", "envelope", T_ENVELOPE, ce->envelope.data, ce->envelope.len);
    gen_put1("messages", "signed-receipt", T_SIGNED_RECEIPT, ce->receipt.data, ce->receipt.len);
    free(inner);
}
