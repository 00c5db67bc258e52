/* gen_pools: seeds of fuzz_pool: Plymouth's s75 fund and Cumbria's BCF
 * plan as event streams the pool engine accepts. */
#include <stdlib.h>
#include <string.h>

#include "gen_corpus.h"

/* ---- pools ---- */

enum { P_PROPOSE, P_CONSENT, P_PLEDGE, P_VARY, P_OUTTURN, P_BCF_PLAN, P_BCF_SIGN };

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

/* Plymouth's integrated fund (seed 000 pp.25-26): council 131m, CCG 331m,
 * hosted by the council, overspend shared pro rata. */
void gen_plymouth(void)
{
    gen_stream_t s;
    char ref[33];
    Concord__V1__PoolAgreement a = CONCORD__V1__POOL_AGREEMENT__INIT;
    Concord__V1__PoolPartner pp[2], *ppp[2] = {&pp[0], &pp[1]};
    Concord__V1__Contribution c[2], *cp0[1] = {&c[0]}, *cp1[1] = {&c[1]};
    Concord__V1__RiskShare rs = CONCORD__V1__RISK_SHARE__INIT;
    char *nhs[] = {"Community health services", "Continuing healthcare"};
    char *council[] = {"Adult social care", "Public health"};
    char *hosts[] = {(char *)fixture_code(FIX_PLYMOUTH)};
    char *groups[] = {"Adults", "Children and young people"};
    for (int i = 0; i < 2; i++) {
        concord__v1__pool_partner__init(&pp[i]);
        concord__v1__contribution__init(&c[i]);
        c[i].financial_year = 2017;
    }
    pp[0].code = (char *)fixture_code(FIX_PLYMOUTH);
    pp[0].contributions = cp0;
    pp[0].n_contributions = 1;
    c[0].amount_pence = POUNDS(131000000);
    pp[1].code = (char *)fixture_code(FIX_NEW_DEVON);
    pp[1].contributions = cp1;
    pp[1].n_contributions = 1;
    c[1].amount_pence = POUNDS(331000000);
    rs.basis = CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA;
    a.pool_id = "PLY-IF";
    a.name = "Plymouth integrated fund";
    a.kind = CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND;
    a.aims_and_outcomes = "Joined-up care for older people, fewer emergency admissions";
    a.nhs_functions = nhs;
    a.n_nhs_functions = 2;
    a.council_functions = council;
    a.n_council_functions = 2;
    a.hosts = hosts;
    a.n_hosts = 1;
    a.management_and_monitoring = "Monthly finance report to the integrated commissioning board";
    a.governance = "Integrated commissioning board, accountable to the HWB";
    a.client_groups = groups;
    a.n_client_groups = 2;
    a.partners = ppp;
    a.n_partners = 2;
    a.risk_share = &rs;
    gen_message("agreement-plymouth", T_AGREEMENT, &a.base);

    gen_stream_init(&s, 1);
    gen_id(s.n, ref);
    gen_event(&s, FIX_PLYMOUTH, P_PROPOSE, 1, &a.base, 1);
    Concord__V1__Consent cs = CONCORD__V1__CONSENT__INIT;
    cs.pool_id = "PLY-IF";
    cs.subject_id = ref;
    cs.decision = CONCORD__V1__CONSENT_DECISION__AGREE;
    cs.reason = "Agreed by the governing body";
    gen_event(&s, FIX_NEW_DEVON, P_CONSENT, 1, &cs.base, 1);
    gen_message("consent", T_CONSENT, &cs.base);
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
    gen_stream_end(&s, "pool", "plymouth-lifecycle");

    /* A variation the CCG agrees, then pledges again. */
    gen_stream_init(&s, 1);
    gen_id(s.n, ref);
    gen_event(&s, FIX_PLYMOUTH, P_PROPOSE, 1, &a.base, 1);
    gen_event(&s, FIX_NEW_DEVON, P_CONSENT, 1, &cs.base, 1);
    s_pledge(&s, FIX_PLYMOUTH, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 1);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(331000000), 1);
    Concord__V1__VariedContribution vc = CONCORD__V1__VARIED_CONTRIBUTION__INIT;
    Concord__V1__VariedContribution *vcp[1] = {&vc};
    Concord__V1__Variation v = CONCORD__V1__VARIATION__INIT;
    vc.partner = (char *)fixture_code(FIX_NEW_DEVON);
    vc.financial_year = 2017;
    vc.amount_pence = POUNDS(340000000);
    v.pool_id = "PLY-IF";
    v.changes = vcp;
    v.n_changes = 1;
    v.reason = "Revised allocation";
    gen_id(s.n, ref);
    gen_event(&s, FIX_PLYMOUTH, P_VARY, 1, &v.base, 1);
    gen_message("variation", T_VARIATION, &v.base);
    cs.subject_id = ref;
    gen_event(&s, FIX_NEW_DEVON, P_CONSENT, 1, &cs.base, 1);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(340000000), 1);
    o.spend_pence = POUNDS(450000000);
    gen_event(&s, FIX_PLYMOUTH, P_OUTTURN, 1, &o.base, 1);
    gen_stream_end(&s, "pool", "plymouth-variation-underspend");
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
    Concord__V1__NationalConditions nc = CONCORD__V1__NATIONAL_CONDITIONS__INIT;
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
    nc.nhs_social_care_maintained = 1;
    nc.out_of_hospital_investment = 1;
    nc.managing_transfers_of_care = 1;
    p.plan_id = "BCF-CUMBRIA-17";
    p.hwb = (char *)fixture_code(FIX_CUMBRIA);
    p.financial_year = 2017;
    p.ccg_minimum = ccp;
    p.n_ccg_minimum = 2;
    p.dfg_pence = POUNDS(4200000);
    p.dfg_allocations = dp;
    p.n_dfg_allocations = 6;
    p.ibcf_pence = POUNDS(9500000);
    p.conditions = &nc;
    p.total_pence = POUNDS(30000000 + 12000000 + 4200000 + 9500000);
    p.narrative = "Integrated discharge and reablement across Cumbria";
    gen_message("bcf-plan", T_BCF_PLAN, &p.base);

    gen_stream_init(&s, 1);
    gen_id(s.n, ref);
    gen_event(&s, FIX_CUMBRIA, P_BCF_PLAN, 1, &p.base, 1);
    static const struct {
        size_t who;
        int act;
        int ok;
    } chain[] = {
        {FIX_NORTH_CUMBRIA, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF, 0}, /* before the HWB */
        {FIX_CUMBRIA, CONCORD__V1__BCF_ACT__HWB_AGREEMENT, 1},
        {FIX_CUMBRIA, CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF, 1},
        {FIX_NORTH_CUMBRIA, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF, 1},
        {FIX_NHSE, CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL, 0}, /* Morecambe Bay missing */
        {FIX_MORECAMBE, CONCORD__V1__BCF_ACT__CCG_SIGN_OFF, 1},
        {FIX_NHSE, CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL, 1},
    };
    for (size_t i = 0; i < sizeof chain / sizeof chain[0]; i++) {
        Concord__V1__BcfSignoff so = CONCORD__V1__BCF_SIGNOFF__INIT;
        so.plan_id = "BCF-CUMBRIA-17";
        so.plan_version = ref;
        so.act = (Concord__V1__BcfAct)chain[i].act;
        gen_event(&s, chain[i].who, P_BCF_SIGN, 1, &so.base, chain[i].ok);
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
