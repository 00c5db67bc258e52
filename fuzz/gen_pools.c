/* SPDX-License-Identifier: Apache-2.0 */
/* gen_pools: seeds of fuzz_pool: Plymouth's s75 fund, agreed and varied
 * by its partners' board, and Cumbria's BCF plan as event streams the
 * board and pool engines accept; a statement certificate of the fund. */
#include <stdlib.h>
#include <string.h>

#include "gen_corpus.h"
#include "statement.h"

/* ---- pools ---- */

enum { P_PROPOSE, P_VOTE, P_PLEDGE, P_OUTTURN, P_STATEMENT, P_BCF_PLAN, P_BCF_SIGN, P_NONSENSE,
       P_EXECUTE };

#define PLY_BOARD "PLY-ICB"

static void s_pledge(gen_stream_t *s, size_t sender, const char *pool, size_t partner,
                     int64_t pence, int want_ok)
{
    Concord__V1__Pledge p = CONCORD__V1__PLEDGE__INIT;
    p.pool_id = (char *)pool;
    p.partner = (char *)fixture_code(partner);
    p.financial_year = 2017;
    p.amount_pence = pence;
    gen_event(s, sender, P_PLEDGE, 1, &p.base, want_ok);
    gen_message(want_ok ? "pledge" : "pledge-wrong-partner", T_PLEDGE, &p.base);
}

static void s_vote(gen_stream_t *s, size_t who, const char *pid, int vote, int want_ok)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = PLY_BOARD;
    b.proposal_id = (char *)pid;
    b.vote = (Concord__V1__Vote)vote;
    b.reason = "";
    gen_event(s, who, P_VOTE, 1, &b.base, want_ok);
}

/* Proposes p (a new id) on the Plymouth board; the council and the CCG
 * vote as told. */
/* The partner executes (or declines) the pool's instrument pid. */
static void s_execute(gen_stream_t *s, size_t partner, const char *pid, int declined, int want_ok)
{
    static const uint8_t doc[32] = {0x5a, 0x75, 0x01};
    Concord__V1__Execution x = CONCORD__V1__EXECUTION__INIT;
    x.pool_id = "PLY-IF";
    x.instrument = (char *)pid;
    x.declined = declined;
    x.authority = declined ? "Cabinet" : "Governing Body";
    x.decision_ref = "M/2017/12";
    x.decision_date = "2017-03-20";
    if (!declined) {
        x.signatory_role = "Chief Finance Officer";
        x.document_sha256.data = (uint8_t *)doc;
        x.document_sha256.len = sizeof doc;
    }
    gen_event(s, partner, P_EXECUTE, 1, &x.base, want_ok);
}

static void s_decide(gen_stream_t *s, Concord__V1__Proposal *p, int council, int ccg)
{
    char pid[33];
    p->board_id = PLY_BOARD;
    p->closes_at_ms = s->now + 14 * DAY;
    gen_id(s->n, pid);
    gen_event(s, FIX_PLYMOUTH, P_PROPOSE, 1, &p->base, 1);
    s_vote(s, FIX_PLYMOUTH, pid, council, 1);
    s_vote(s, FIX_NEW_DEVON, pid, ccg, 1);
}

/* Plymouth's integrated commissioning board: the council and the CCG,
 * deciding by unanimity; adopted by both. */
static void s_board(gen_stream_t *s)
{
    Concord__V1__Charter ch = CONCORD__V1__CHARTER__INIT;
    Concord__V1__BoardMember m[2], *mp[2] = {&m[0], &m[1]};
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    for (int i = 0; i < 2; i++) {
        concord__v1__board_member__init(&m[i]);
        m[i].weight = 1;
    }
    m[0].code = (char *)fixture_code(FIX_PLYMOUTH);
    m[0].constituency = CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
    m[1].code = (char *)fixture_code(FIX_NEW_DEVON);
    m[1].constituency = CONCORD__V1__CONSTITUENCY__NHS;
    ch.board_id = PLY_BOARD;
    ch.name = "Plymouth Integrated Commissioning Board";
    ch.rule = CONCORD__V1__VOTING_RULE__UNANIMITY;
    ch.quorum_numerator = 1;
    ch.quorum_denominator = 1;
    ch.members = mp;
    ch.n_members = 2;
    p.title = "Adopt the charter of the Plymouth Integrated Commissioning Board";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.charter = &ch;
    s_decide(s, &p, CONCORD__V1__VOTE__FOR, CONCORD__V1__VOTE__FOR);
}

/* The agreement proposed to the board; the CCG votes as told. Passed,
 * both partners execute it (the council first declining once). */
static void s_agree(gen_stream_t *s, Concord__V1__PoolAgreement *a, int ccg)
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    char pid[33];
    gen_id(s->n, pid);
    p.title = "Pool the integrated fund under section 75";
    p.kind = CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT;
    p.pool_agreement = a;
    s_decide(s, &p, CONCORD__V1__VOTE__FOR, ccg);
    gen_message("proposal-pool-agreement", T_PROPOSAL, &p.base);
    if (ccg == CONCORD__V1__VOTE__FOR) {
        s_execute(s, FIX_PLYMOUTH, pid, 1, 1);
        s_execute(s, FIX_PLYMOUTH, pid, 0, 1);
        s_execute(s, FIX_PLYMOUTH, pid, 1, 0); /* bound once executed */
        s_execute(s, FIX_NEW_DEVON, pid, 0, 1);
    }
}

/* The host's statement of 2017 as the engine computes it: signed as it
 * is (accepted), then with the variance changed (refused). Returns the
 * id of the accepted Statement event. */
static void s_statement(gen_stream_t *s, char id[33])
{
    pool_canonical_t c;
    if (pool_canonical(s->pool, "PLY-IF", 2017, &c, NULL) < 0) {
        gen_die("canonical statement");
    }
    c.msg.variance_pence += 1;
    gen_event(s, FIX_PLYMOUTH, P_STATEMENT, 1, &c.msg.base, 0);
    c.msg.variance_pence -= 1;
    gen_event(s, FIX_NEW_DEVON, P_STATEMENT, 1, &c.msg.base, 0); /* not the host */
    gen_id(s->n, id);
    gen_event(s, FIX_PLYMOUTH, P_STATEMENT, 1, &c.msg.base, 1);
    gen_message("pool-statement", T_STATEMENT, &c.msg.base);
    pool_canonical_free(&c);
}

/* Plymouth's integrated fund (seed 000 pp.25-26): council 131m, CCG 331m,
 * hosted by the council, overspend shared pro rata. */
static void s_plymouth_agreement(Concord__V1__PoolAgreement *a)
{
    static Concord__V1__PoolPartner pp[2], *ppp[2] = {&pp[0], &pp[1]};
    static Concord__V1__Contribution c[2], *cp0[1] = {&c[0]}, *cp1[1] = {&c[1]};
    static Concord__V1__RiskShare rs = CONCORD__V1__RISK_SHARE__INIT;
    static char *nhs[] = {"Community health services", "Continuing healthcare"};
    static char *council[] = {"Adult social care", "Public health"};
    static char *hosts[1];
    static char *groups[] = {"Adults", "Children and young people"};
    for (int i = 0; i < 2; i++) {
        concord__v1__pool_partner__init(&pp[i]);
        concord__v1__contribution__init(&c[i]);
        c[i].financial_year = 2017;
    }
    hosts[0] = (char *)fixture_code(FIX_PLYMOUTH);
    pp[0].code = (char *)fixture_code(FIX_PLYMOUTH);
    pp[0].contributions = cp0;
    pp[0].n_contributions = 1;
    c[0].amount_pence = POUNDS(131000000);
    pp[1].code = (char *)fixture_code(FIX_NEW_DEVON);
    pp[1].contributions = cp1;
    pp[1].n_contributions = 1;
    c[1].amount_pence = POUNDS(331000000);
    rs.basis = CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA;
    concord__v1__pool_agreement__init(a);
    a->pool_id = "PLY-IF";
    a->board_id = PLY_BOARD;
    a->name = "Plymouth integrated fund";
    a->kind = CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND;
    a->aims_and_outcomes = "Joined-up care for older people, fewer emergency admissions";
    a->nhs_functions = nhs;
    a->n_nhs_functions = 2;
    a->council_functions = council;
    a->n_council_functions = 2;
    a->hosts = hosts;
    a->n_hosts = 1;
    a->management_and_monitoring = "Monthly finance report to the integrated commissioning board";
    a->governance = "Integrated commissioning board, accountable to the HWB";
    a->client_groups = groups;
    a->n_client_groups = 2;
    a->partners = ppp;
    a->n_partners = 2;
    a->risk_share = &rs;
}

static void s_statement_certificate(gen_stream_t *s, const char *statement_id);

void gen_ply_variation(Concord__V1__Variation *v, Concord__V1__VariedContribution *vc[1])
{
    concord__v1__variation__init(v);
    concord__v1__varied_contribution__init(vc[0]);
    vc[0]->partner = (char *)fixture_code(FIX_NEW_DEVON);
    vc[0]->financial_year = 2017;
    vc[0]->amount_pence = POUNDS(340000000);
    v->pool_id = "PLY-IF";
    v->changes = vc;
    v->n_changes = 1;
    v->reason = "Revised allocation";
}

void gen_plymouth(void)
{
    gen_stream_t s;
    char id[33];
    Concord__V1__PoolAgreement a;
    s_plymouth_agreement(&a);
    gen_message("agreement-plymouth", T_AGREEMENT, &a.base);

    /* Agreed by the board, pledged, overspent, stated by the host. */
    gen_stream_init(&s, 1);
    s_board(&s);
    s_agree(&s, &a, CONCORD__V1__VOTE__FOR);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 0);
    s_pledge(&s, FIX_PLYMOUTH, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 1);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(331000000), 1);
    Concord__V1__Outturn o = CONCORD__V1__OUTTURN__INIT;
    o.pool_id = "PLY-IF";
    o.financial_year = 2017;
    o.spend_pence = POUNDS(470000000);
    gen_event(&s, FIX_NEW_DEVON, P_OUTTURN, 1, &o.base, 0); /* not the host */
    gen_event(&s, FIX_PLYMOUTH, P_OUTTURN, 1, &o.base, 1);
    gen_message("outturn", T_OUTTURN, &o.base);
    s_statement(&s, id);
    s_statement_certificate(&s, id);
    gen_stream_end(&s, "pool", "plymouth-lifecycle");

    /* The CCG votes against: no pool, so no pledge. */
    gen_stream_init(&s, 1);
    s_board(&s);
    s_agree(&s, &a, CONCORD__V1__VOTE__AGAINST);
    s_pledge(&s, FIX_PLYMOUTH, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 0);
    gen_stream_end(&s, "pool", "plymouth-agreement-refused");

    /* A variation the board passes, then the CCG pledges again. */
    gen_stream_init(&s, 1);
    s_board(&s);
    s_agree(&s, &a, CONCORD__V1__VOTE__FOR);
    s_pledge(&s, FIX_PLYMOUTH, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 1);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(331000000), 1);
    Concord__V1__VariedContribution vc, *vcp[1] = {&vc};
    Concord__V1__Variation v;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    gen_ply_variation(&v, vcp);
    p.title = "Vary the CCG's contribution to the integrated fund";
    p.kind = CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION;
    p.pool_variation = &v;
    s_decide(&s, &p, CONCORD__V1__VOTE__FOR, CONCORD__V1__VOTE__FOR);
    gen_message("variation", T_VARIATION, &v.base);
    gen_message("proposal-pool-variation", T_PROPOSAL, &p.base);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(340000000), 1);
    o.spend_pence = POUNDS(450000000);
    gen_event(&s, FIX_PLYMOUTH, P_OUTTURN, 1, &o.base, 1);
    s_statement(&s, id);
    gen_stream_end(&s, "pool", "plymouth-variation-underspend");
}

/* A statement certificate over the stream so far (every accepted event
 * is of the Plymouth board or fund), as `concord pool verify` reads it:
 * checked to verify before it is written. */
static void s_statement_certificate(gen_stream_t *s, const char *statement_id)
{
    Concord__V1__StatementCertificate sc = CONCORD__V1__STATEMENT_CERTIFICATE__INIT;
    uint8_t *inner;
    size_t inner_len, roster_len;
    sc.version = STATEMENT_VERSION;
    sc.roster.data = (uint8_t *)fixture_roster_bytes(&roster_len);
    sc.roster.len = roster_len;
    sc.pool_id = "PLY-IF";
    sc.financial_year = 2017;
    sc.statement_id = (char *)statement_id;
    sc.events = s->events;
    sc.n_events = s->n_events;
    sc.exported_at_ms = s->now + DAY;
    gen_pack(&sc.base, &inner, &inner_len);
    gen_certificate("plymouth-statement", 1, FIX_NEW_DEVON, inner, inner_len);
    gen_message("statement-certificate", T_STATEMENT_CERT, &sc.base);
    free(inner);
}

/* Cumbria's BCF plan (test_pool.c's illustrative amounts): its two CCGs,
 * the DFG passed to its six districts, through the sign-off chain. */
void gen_cumbria(void)
{
    static const char *const districts[] = {"E07000026", "E07000027", "E07000028",
                                            "E07000029", "E07000030", "E07000031"};
    gen_stream_t s;
    char ref[33];
    Concord__V1__BcfPlan p = CONCORD__V1__BCF_PLAN__INIT;
    Concord__V1__BcfCcgContribution cc[2], *ccp[2] = {&cc[0], &cc[1]};
    Concord__V1__DfgAllocation d[6], *dp[6];
    static char *const conditions[] = {"nhs_social_care_maintained", "out_of_hospital_investment",
                                       "managing_transfers_of_care"};
    for (int i = 0; i < 2; i++) {
        concord__v1__bcf_ccg_contribution__init(&cc[i]);
    }
    cc[0].ccg = (char *)fixture_code(FIX_NORTH_CUMBRIA);
    cc[0].amount_pence = POUNDS(30000000);
    cc[1].ccg = (char *)fixture_code(FIX_MORECAMBE);
    cc[1].amount_pence = POUNDS(12000000);
    for (int i = 0; i < 6; i++) {
        concord__v1__dfg_allocation__init(&d[i]);
        d[i].district = (char *)districts[i];
        d[i].amount_pence = POUNDS(700000);
        dp[i] = &d[i];
    }
    p.plan_id = "BCF-CUMBRIA-17";
    p.hwb = (char *)fixture_code(FIX_CUMBRIA);
    p.financial_year = 2017;
    p.ccg_minimum = ccp;
    p.n_ccg_minimum = 2;
    p.dfg_pence = POUNDS(4200000);
    p.dfg_allocations = dp;
    p.n_dfg_allocations = 6;
    p.ibcf_pence = POUNDS(9500000);
    p.conditions_met = (char **)conditions;
    p.n_conditions_met = 3;
    p.pool_id = "CUM-POOL";
    p.total_pence = POUNDS(30000000 + 12000000 + 4200000 + 9500000);
    p.narrative = "Integrated discharge and reablement across Cumbria";
    gen_message("bcf-plan", T_BCF_PLAN, &p.base);

    gen_stream_init(&s, 1);
    gen_id(s.n, ref);
    /* The fixture holds no s75 pool CUM-POOL and no national conditions, so
     * the plan is refused and so is every act on it: the stream feeds the
     * refusal paths (tests/common/pool/test_pool.c runs the accepted chain). */
    gen_event(&s, FIX_CUMBRIA, P_BCF_PLAN, 1, &p.base, 0);
    static const struct {
        size_t who;
        int act;
    } chain[] = {
        {FIX_NORTH_CUMBRIA, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF},
        {FIX_CUMBRIA, CONCORD__V1__BCF_ACT__HWB_AGREEMENT},
        {FIX_CUMBRIA, CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF},
        {FIX_NORTH_CUMBRIA, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF},
        {FIX_NHSE, CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL},
        {FIX_MORECAMBE, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF},
        {FIX_NHSE, CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL},
    };
    for (size_t i = 0; i < sizeof chain / sizeof chain[0]; i++) {
        Concord__V1__BcfSignoff so = CONCORD__V1__BCF_SIGNOFF__INIT;
        so.plan_id = "BCF-CUMBRIA-17";
        so.plan_version = ref;
        so.act = (Concord__V1__BcfAct)chain[i].act;
        gen_event(&s, chain[i].who, P_BCF_SIGN, 1, &so.base, 0);
        if (i == 1) {
            gen_message("bcf-signoff", T_BCF_SIGNOFF, &so.base);
        }
    }
    gen_stream_end(&s, "pool", "cumbria-bcf-chain");

    /* The DFG left with the county: refused, naming the rule. */
    p.n_dfg_allocations = 0;
    gen_stream_init(&s, 1);
    gen_event(&s, FIX_CUMBRIA, P_BCF_PLAN, 1, &p.base, 0);
    gen_stream_end(&s, "pool", "cumbria-dfg-left-with-county");
}
