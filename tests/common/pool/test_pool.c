/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the pool engine: every validation rule of s75
 * agreements, the alternatives and BCF plans; agreements and variations
 * decided by the partners' board; pledges, outturns and the host's signed
 * statement; the risk-share arithmetic against properties
 * over many random cases; worked cases from the seeds; the BCF sign-off
 * chain; determinism and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "board.h"
#include "keys.h"
#include "money.h"
#include "pool.h"
#include "roster.h"
#include "statement.h"
#include "unit_fixture.h"
#include "wire.h"

#define T0 1795521600000ull /* 2026-11-24T12:00:00Z */

#define POOLED CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND
#define ALIGNED CONCORD__V1__ARRANGEMENT_KIND__ALIGNED_BUDGETS
#define LEAD CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING
#define S76 CONCORD__V1__ARRANGEMENT_KIND__SECTION_76_TRANSFER
#define S256 CONCORD__V1__ARRANGEMENT_KIND__SECTION_256_TRANSFER
#define FOR CONCORD__V1__VOTE__FOR
#define AGAINST CONCORD__V1__VOTE__AGAINST
#define BOARD "JCB" /* every test organisation but Carlisle and the GMCA */
#define PRO_RATA CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA
#define FIXED CONCORD__V1__RISK_SHARE_BASIS__FIXED
#define BORNE_BY CONCORD__V1__RISK_SHARE_BASIS__BORNE_BY
#define HWB CONCORD__V1__BCF_ACT__HWB_AGREEMENT
#define COUNCIL CONCORD__V1__BCF_ACT__COUNCIL_SIGN_OFF
#define CCG_SIGN CONCORD__V1__BCF_ACT__CCG_SIGN_OFF
#define APPROVE CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL
#define APPROVE_IF CONCORD__V1__BCF_ACT__NHS_ENGLAND_APPROVAL_WITH_CONDITIONS
#define NOT_APPROVED CONCORD__V1__BCF_ACT__NHS_ENGLAND_NOT_APPROVED
#define MET CONCORD__V1__BCF_ACT__CONDITION_MET
#define DFG_AGREE CONCORD__V1__BCF_ACT__DFG_JOINT_AGREEMENT

/* Organisations, with their real GSS codes. */
#define PLYMOUTH "E06000026"  /* Plymouth City Council */
#define NEW_DEVON "E38000129" /* NHS Northern, Eastern and Western Devon CCG */
#define SHEFFIELD "E08000019" /* Sheffield City Council */
#define SHEFF_CCG "E38000146" /* NHS Sheffield CCG */
#define NHSE "X24"            /* NHS England */
#define GMCA "E47000001"      /* Greater Manchester Combined Authority */
#define CUMBRIA "E10000006"   /* Cumbria County Council */
#define N_CUMBRIA "E38000215" /* NHS North Cumbria CCG */
#define MORECAMBE "E38000216" /* NHS Morecambe Bay CCG */
#define CARLISLE "E07000028"  /* Carlisle City Council, a Cumbrian district */
#define S_LAKES "E07000031"   /* South Lakeland District Council, another */
#define HEALTHWATCH "HWPLYMOUTH" /* Healthwatch Plymouth: no GSS code */
#define PLY_TRUST "RK9"          /* University Hospitals Plymouth NHS Trust */
#define STRANGER "E99"        /* not in the roster */

/* The districts of Cumbria (CTY17CD E10000006), copied from
 * ../shared/data/ons/ons_LAD17_to_CTY17_Dec2017.csv (ONS Local authority
 * district to county, December 2017). Its CCGs, North Cumbria and
 * Morecambe Bay, are those of its LSOAs in
 * ons_LSOA11_CCG17_STP17_LAD17_Apr2017.csv (207 and 114 LSOAs). */
static const char *const s_cumbria_districts[6] = {
    "E07000026", /* Allerdale */
    "E07000027", /* Barrow-in-Furness */
    "E07000028", /* Carlisle */
    "E07000029", /* Copeland */
    "E07000030", /* Eden */
    "E07000031", /* South Lakeland */
};
static const char *const s_cumbria_ccgs[2] = {N_CUMBRIA, MORECAMBE};

static roster_t *s_roster;

/* The members of BOARD, in the order they vote. */
static const char *const s_members[] = {PLYMOUTH, NEW_DEVON, SHEFFIELD, SHEFF_CCG, NHSE,
                                        CUMBRIA,  N_CUMBRIA, MORECAMBE};
#define N_MEMBERS (sizeof s_members / sizeof s_members[0])

static const char *const s_codes_all[] = {PLYMOUTH,  NEW_DEVON, SHEFFIELD,   SHEFF_CCG,
                                          NHSE,      GMCA,      CUMBRIA,     N_CUMBRIA,
                                          MORECAMBE, CARLISLE,  HEALTHWATCH, PLY_TRUST,
                                          S_LAKES};
static const char *const s_kinds_all[] = {"COUNCIL_UPPER", "CCG",           "COUNCIL_UPPER",
                                          "CCG",           "NHS_ENGLAND",   "COMBINED_AUTHORITY",
                                          "COUNCIL_UPPER", "CCG",           "CCG",
                                          "COUNCIL_DISTRICT", "HEALTHWATCH", "NHS_TRUST",
                                          "COUNCIL_DISTRICT"};

static int s_setup(void **state)
{
    (void)state;
    s_roster = unit_roster("Pools", s_codes_all, s_kinds_all,
                           sizeof s_codes_all / sizeof s_codes_all[0]);
    return s_roster ? 0 : -1;
}

static int s_teardown(void **state)
{
    (void)state;
    roster_destroy(&s_roster);
    return 0;
}

static int64_t s_pounds(const char *text)
{
    int64_t p = 0;
    cc_err_t err;
    assert_int_equal(money_parse(text, &p, &err), 0);
    return p;
}

/* Asserts rc is a refusal with code and a reason containing text. */
static void s_refused_err(int rc, const cc_err_t *err, cc_code_t code, const char *text)
{
    if (rc != -1 || err->code != code || !strstr(err->msg, text)) {
        print_error("expected %s containing \"%s\", got rc %d %s: %s\n", err_code_name(code), text,
                    rc, err_code_name(err->code), err->msg);
    }
    assert_int_equal(rc, -1);
    assert_int_equal(err->code, code);
    assert_non_null(strstr(err->msg, text));
}

/* ---- agreements, built in place ---- */

#define S_MAXP 8

typedef struct {
    Concord__V1__PoolAgreement a;
    Concord__V1__PoolPartner p[S_MAXP];
    Concord__V1__PoolPartner *pp[S_MAXP];
    Concord__V1__Contribution c[S_MAXP][8];
    Concord__V1__Contribution *cp[S_MAXP][8];
    char *nhs[8], *council[8], *hosts[4], *groups[4];
    Concord__V1__RiskShare rs;
    Concord__V1__FixedShare fx[S_MAXP];
    Concord__V1__FixedShare *fxp[S_MAXP];
    Concord__V1__RiskCap cap[S_MAXP];
    Concord__V1__RiskCap *capp[S_MAXP];
    Concord__V1__LeadCommissioning lead;
    Concord__V1__Delegation del[4];
    Concord__V1__Delegation *delp[4];
    char *delfn[4][4];
    Concord__V1__Transfer tr;
} s_agr_t;

static void s_agr(s_agr_t *g, const char *id, int kind)
{
    memset(g, 0, sizeof *g);
    concord__v1__pool_agreement__init(&g->a);
    concord__v1__risk_share__init(&g->rs);
    g->a.pool_id = (char *)id;
    g->a.name = "Test pool";
    g->a.kind = (Concord__V1__ArrangementKind)kind;
    g->a.aims_and_outcomes = "Joined-up care for older people, fewer emergency admissions";
    g->a.partners = g->pp;
    g->a.nhs_functions = g->nhs;
    g->a.council_functions = g->council;
    g->a.hosts = g->hosts;
    g->a.client_groups = g->groups;
    g->rs.fixed = g->fxp;
    g->rs.caps = g->capp;
}

static void s_partner(s_agr_t *g, const char *code)
{
    size_t i = g->a.n_partners++;
    assert_true(i < S_MAXP);
    concord__v1__pool_partner__init(&g->p[i]);
    g->p[i].code = (char *)code;
    g->p[i].contributions = g->cp[i];
    g->pp[i] = &g->p[i];
}

static void s_contrib(s_agr_t *g, const char *code, uint32_t year, int64_t pence)
{
    for (size_t i = 0; i < g->a.n_partners; i++) {
        if (strcmp(g->p[i].code, code) == 0) {
            size_t j = g->p[i].n_contributions++;
            concord__v1__contribution__init(&g->c[i][j]);
            g->c[i][j].financial_year = year;
            g->c[i][j].amount_pence = pence;
            g->cp[i][j] = &g->c[i][j];
            return;
        }
    }
    fail_msg("no partner %s", code);
}

static void s_rule(s_agr_t *g, int basis)
{
    g->rs.basis = (Concord__V1__RiskShareBasis)basis;
    g->a.risk_share = &g->rs;
}

static void s_fixed(s_agr_t *g, const char *code, uint32_t bp)
{
    size_t i = g->rs.n_fixed++;
    concord__v1__fixed_share__init(&g->fx[i]);
    g->fx[i].partner = (char *)code;
    g->fx[i].basis_points = bp;
    g->fxp[i] = &g->fx[i];
}

static void s_cap(s_agr_t *g, const char *code, int64_t cap)
{
    size_t i = g->rs.n_caps++;
    concord__v1__risk_cap__init(&g->cap[i]);
    g->cap[i].partner = (char *)code;
    g->cap[i].cap_pence = cap;
    g->capp[i] = &g->cap[i];
}

/* The parts every s75 pooled fund states (seed 000 App. 2). */
static void s_pooled_texts(s_agr_t *g, const char *host)
{
    g->nhs[g->a.n_nhs_functions++] = "Community health services";
    g->nhs[g->a.n_nhs_functions++] = "Continuing healthcare";
    g->council[g->a.n_council_functions++] = "Adult social care";
    g->council[g->a.n_council_functions++] = "Public health";
    g->hosts[g->a.n_hosts++] = (char *)host;
    g->groups[g->a.n_client_groups++] = "Adults";
    g->groups[g->a.n_client_groups++] = "Children and young people";
    g->a.management_and_monitoring = "Monthly finance report to the integrated commissioning board";
    g->a.governance = "Integrated commissioning board, accountable to the HWB";
}

/* Plymouth's integrated fund (seed 000 pp.25-26): the council's £131m net
 * and the CCG's £331m net, hosted by the council, shared pro rata. */
static void s_plymouth(s_agr_t *g)
{
    s_agr(g, "PLY-IF", POOLED);
    g->a.name = "Plymouth integrated fund";
    s_partner(g, PLYMOUTH);
    s_partner(g, NEW_DEVON);
    s_contrib(g, PLYMOUTH, 2015, s_pounds("131m"));
    s_contrib(g, NEW_DEVON, 2015, s_pounds("331m"));
    s_pooled_texts(g, PLYMOUTH);
    s_rule(g, PRO_RATA);
}

static int s_check(const s_agr_t *g, cc_err_t *err)
{
    err_clear(err);
    return agreement_check(s_roster, NULL, &g->a, err);
}

/* ---- an engine fed events with increasing log index and time ---- */


typedef struct {
    pool_engine_t *e;
    board_engine_t *b; /* the partners' board decides agreements and variations */
    uint64_t index;
    uint64_t now;
    uint32_t calls;
    cc_err_t err;
    unit_log_t log; /* every event, for replaying into other engines */
} s_run_t;

static pool_engine_t *s_engine(void)
{
    pool_engine_t *e = pool_engine_new(s_roster);
    assert_non_null(e);
    pool_area_t cumbria = {.hwb = CUMBRIA,
                           .districts = s_cumbria_districts,
                           .n_districts = 6,
                           .ccgs = s_cumbria_ccgs,
                           .n_ccgs = 2};
    assert_int_equal(pool_engine_add_area(e, &cumbria, NULL), 0);
    /* A few rows of data/bcf/conditions.csv: 2017-19 in full, two of
     * 2016/17's eight. */
    static const pool_condition_t conds[] = {
        {"2016/17", 2016, 2016, "jointly_agreed_plan", "Plans to be jointly agreed",
         "2016/17 Policy Framework", 1},
        {"2016/17", 2016, 2016, "seven_day_services", "7-day services", "2016/17 Policy Framework",
         0},
        {"2017-19", 2017, 2018, "jointly_agreed_plan", "A jointly agreed plan", "Annex A", 1},
        {"2017-19", 2017, 2018, "nhs_social_care_maintained",
         "NHS contribution to adult social care maintained in line with inflation", "Annex A", 0},
        {"2017-19", 2017, 2018, "out_of_hospital_investment",
         "Investment in NHS-commissioned out-of-hospital services", "Annex A", 0},
        {"2017-19", 2017, 2018, "managing_transfers_of_care", "Managing transfers of care",
         "Annex A", 0},
    };
    for (size_t i = 0; i < sizeof conds / sizeof conds[0]; i++) {
        assert_int_equal(pool_engine_add_condition(e, &conds[i], NULL), 0);
    }
    return e;
}

static int s_raw(s_run_t *r, const char *sender, const char *method, const uint8_t *body,
                 size_t len, char ref[POOL_REF_LEN + 1]);
static int s_msg(s_run_t *r, const char *sender, const char *method, const ProtobufCMessage *m,
                 char ref[POOL_REF_LEN + 1]);
static void s_all_vote(s_run_t *r, const char *ref, int vote);
static void s_replay_same(const s_run_t *r);

/* BOARD adopted: majority of votes cast, quorum half the members. */
static void s_adopt_board(s_run_t *r)
{
    Concord__V1__BoardMember m[N_MEMBERS], *mp[N_MEMBERS];
    Concord__V1__Charter c = CONCORD__V1__CHARTER__INIT;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    char ref[33];
    for (size_t i = 0; i < N_MEMBERS; i++) {
        concord__v1__board_member__init(&m[i]);
        m[i].code = (char *)s_members[i];
        m[i].constituency = s_members[i][1] == '3' || s_members[i][0] == 'X'
                                ? CONCORD__V1__CONSTITUENCY__NHS
                                : CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
        mp[i] = &m[i];
    }
    c.board_id = BOARD;
    c.name = "Joint commissioning board";
    c.members = mp;
    c.n_members = N_MEMBERS;
    c.rule = CONCORD__V1__VOTING_RULE__MAJORITY_OF_VOTES_CAST;
    c.quorum_numerator = 1;
    c.quorum_denominator = 2;
    c.hwb_area = CUMBRIA; /* the tests' HWB decisions for Cumbria's plans */
    p.board_id = BOARD;
    p.title = "Adopt the charter";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.charter = &c;
    p.closes_at_ms = r->now + 7ull * 86400000;
    assert_int_equal(s_msg(r, PLYMOUTH, BOARD_METHOD_PROPOSE, &p.base, ref), 0);
    s_all_vote(r, ref, FOR);
    board_view_t v;
    assert_int_equal(board_get(r->b, BOARD, &v), 0);
    assert_true(v.active);
}

static void s_run_init(s_run_t *r)
{
    memset(r, 0, sizeof *r);
    r->e = s_engine();
    r->b = board_engine_new(s_roster);
    assert_non_null(r->b);
    r->now = T0;
    s_adopt_board(r);
}

static void s_run_free(s_run_t *r)
{
    pool_engine_destroy(&r->e);
    board_engine_destroy(&r->b);
    assert_null(r->e);
    unit_log_free(&r->log);
}

static int s_is_board(const char *method)
{
    return strcmp(method, BOARD_METHOD_PROPOSE) == 0 || strcmp(method, BOARD_METHOD_VOTE) == 0 ||
           strcmp(method, PEOPLE_METHOD_PERSON) == 0;
}

/* The person's signature the next event's envelope carries (NULL: none);
 * s_fold consumes it. */
static const uint8_t *s_next_person_sig;

/* Folds one logged event as a node does: the board engine first (or its
 * clock moved on), then the board's pool decisions up to the event, then
 * the pool engine. */
static int s_fold(board_engine_t *b, pool_engine_t *e, const unit_logged_t *l, cc_err_t *err)
{
    fold_event_t ev = unit_log_event(l);
    ev.person_sig = s_next_person_sig;
    s_next_person_sig = NULL;
    int board = s_is_board(l->method);
    int rc = board ? board_apply(b, &ev, err) : 0;
    if (!board) {
        assert_int_equal(board_advance(b, l->log_index, l->time_ms, NULL), 0);
    }
    assert_int_equal(pool_follow(e, b, l->log_index, NULL), 0);
    return board ? rc : pool_apply(e, &ev, err);
}

/* Applies raw bytes as the next event; logs it for replay. ref receives
 * the event's id when not NULL. */
static int s_raw(s_run_t *r, const char *sender, const char *method, const uint8_t *body,
                 size_t len, char ref[POOL_REF_LEN + 1])
{
    uint8_t call_id[16] = {0};
    r->calls++;
    memcpy(call_id, &r->calls, sizeof r->calls);
    call_id[15] = 0x9c;
    unit_logged_t *l =
        unit_log_add(&r->log, sender, method, body, len, call_id, ++r->index, r->now);
    r->now += 1000;
    if (ref) {
        pool_ref(l->call_id, ref);
    }
    err_clear(&r->err);
    return s_fold(r->b, r->e, l, &r->err);
}

static int s_msg(s_run_t *r, const char *sender, const char *method, const ProtobufCMessage *m,
                 char ref[POOL_REF_LEN + 1])
{
    uint8_t *body = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(m, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    int rc = s_raw(r, sender, method, body, len, ref);
    free(body);
    return rc;
}

static void s_refused(const s_run_t *r, int rc, cc_code_t code, const char *text)
{
    s_refused_err(rc, &r->err, code, text);
}

/* Proposes an agreement to BOARD. */
static int s_propose(s_run_t *r, const char *sender, const s_agr_t *g, char ref[33])
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = BOARD;
    p.title = "Pool agreement";
    p.kind = CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT;
    p.pool_agreement = (Concord__V1__PoolAgreement *)&g->a;
    p.closes_at_ms = r->now + 7ull * 86400000;
    return s_msg(r, sender, BOARD_METHOD_PROPOSE, &p.base, ref);
}

static int s_vote(s_run_t *r, const char *member, const char *ref, int vote)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = BOARD;
    b.proposal_id = (char *)ref;
    b.vote = (Concord__V1__Vote)vote;
    return s_msg(r, member, BOARD_METHOD_VOTE, &b.base, NULL);
}

/* Every member who has not voted votes, in s_members order, until
 * voting closes. */
static void s_all_vote(s_run_t *r, const char *ref, int vote)
{
    for (size_t i = 0; i < N_MEMBERS; i++) {
        if (s_vote(r, s_members[i], ref, vote) < 0) {
            if (r->err.code == CC_ALREADY_EXISTS) {
                continue;
            }
            assert_non_null(strstr(r->err.msg, "closed"));
            break;
        }
    }
}

/* The outcome of proposal ref, now. */
static int s_passed(const s_run_t *r, const char *ref, board_tally_t *t)
{
    board_proposal_view_t pv;
    assert_int_equal(board_proposal_find(r->b, ref, r->now, &pv, NULL), 0);
    assert_true(pv.closed);
    if (t) {
        *t = pv.tally;
    }
    return pv.tally.passed;
}

static int s_pledge(s_run_t *r, const char *sender, const char *pool, const char *partner,
                    uint32_t year, int64_t pence)
{
    Concord__V1__Pledge p = CONCORD__V1__PLEDGE__INIT;
    p.pool_id = (char *)pool;
    p.partner = (char *)partner;
    p.financial_year = year;
    p.amount_pence = pence;
    return s_msg(r, sender, POOL_METHOD_PLEDGE, &p.base, NULL);
}

/* Proposes to BOARD a variation of one contribution. */
static int s_vary(s_run_t *r, const char *sender, const char *pool, const char *partner,
                  uint32_t year, int64_t pence, char ref[33])
{
    Concord__V1__VariedContribution c = CONCORD__V1__VARIED_CONTRIBUTION__INIT;
    Concord__V1__VariedContribution *cp[1] = {&c};
    Concord__V1__Variation v = CONCORD__V1__VARIATION__INIT;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    c.partner = (char *)partner;
    c.financial_year = year;
    c.amount_pence = pence;
    v.pool_id = (char *)pool;
    v.changes = cp;
    v.n_changes = 1;
    v.reason = "Revised allocation";
    p.board_id = BOARD;
    p.title = "Variation";
    p.kind = CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION;
    p.pool_variation = &v;
    p.closes_at_ms = r->now + 7ull * 86400000;
    return s_msg(r, sender, BOARD_METHOD_PROPOSE, &p.base, ref);
}

static int s_outturn(s_run_t *r, const char *sender, const char *pool, uint32_t year, int64_t spend)
{
    Concord__V1__Outturn o = CONCORD__V1__OUTTURN__INIT;
    o.pool_id = (char *)pool;
    o.financial_year = year;
    o.spend_pence = spend;
    return s_msg(r, sender, POOL_METHOD_OUTTURN, &o.base, NULL);
}

/* Every partner of every pool awaiting execution executes it, as the
 * body that decided (each party enters the agreement itself). */
static void s_execute_all(s_run_t *r)
{
    static const uint8_t doc[32] = {0x5a, 0x75};
    for (size_t i = 0; i < pool_count(r->e); i++) {
        pool_view_t v;
        pool_at(r->e, i, &v);
        if (v.status != POOL_AWAITING_EXECUTION) {
            continue;
        }
        char instrument[33];
        snprintf(instrument, sizeof instrument, "%s", v.instrument);
        for (size_t p = 0; p < v.agreement->n_partners; p++) {
            pool_view_t now;
            assert_int_equal(pool_get(r->e, v.pool_id, &now), 0);
            if (now.withdrawn[p] || (now.acts[p] && !now.acts[p]->declined)) {
                continue;
            }
            Concord__V1__Execution x = CONCORD__V1__EXECUTION__INIT;
            x.pool_id = (char *)v.pool_id;
            x.instrument = instrument;
            x.authority = "Cabinet";
            x.decision_ref = "Minute 12/2015";
            x.decision_date = "2015-03-01";
            x.signatory_role = "Chief Finance Officer";
            x.document_sha256.data = (uint8_t *)doc;
            x.document_sha256.len = sizeof doc;
            const char *code = v.agreement->partners[p]->code;
            assert_int_equal(s_msg(r, code, POOL_METHOD_EXECUTE, &x.base, NULL), 0);
        }
    }
}

static pool_status_t s_status(const s_run_t *r, const char *pool)
{
    pool_view_t v;
    assert_int_equal(pool_get(r->e, pool, &v), 0);
    return v.status;
}

/* Plymouth proposed by the council, passed by the board, both pledged. */
static void s_plymouth_active(s_run_t *r, s_agr_t *g)
{
    char ref[33];
    pool_view_t v;
    s_plymouth(g);
    assert_int_equal(s_propose(r, PLYMOUTH, g, ref), 0);
    assert_int_equal(pool_get(r->e, "PLY-IF", &v), -1); /* nothing until the board decides */
    s_all_vote(r, ref, FOR);
    /* Recommended: not in force until both partners execute it. */
    assert_int_equal(s_status(r, "PLY-IF"), POOL_AWAITING_EXECUTION);
    s_execute_all(r);
    assert_int_equal(s_status(r, "PLY-IF"), POOL_AWAITING_PLEDGES);
    assert_int_equal(s_pledge(r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(s_pledge(r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")), 0);
    assert_int_equal(s_status(r, "PLY-IF"), POOL_ACTIVE);
}

/* One partner's act on PLY-IF's instrument. */
static int s_act_on(s_run_t *r, const char *sender, const char *instrument, int declined,
                    const char *ref)
{
    static const uint8_t doc[32] = {1, 2, 3};
    Concord__V1__Execution x = CONCORD__V1__EXECUTION__INIT;
    x.pool_id = "PLY-IF";
    x.instrument = (char *)instrument;
    x.declined = declined;
    x.authority = declined ? "Cabinet" : "Governing Body";
    x.decision_ref = (char *)ref;
    x.decision_date = "2015-03-10";
    if (declined) {
        x.reason = "Above what it can commit";
    } else {
        x.signatory_role = "Chief Finance Officer";
        x.document_sha256.data = (uint8_t *)doc;
        x.document_sha256.len = sizeof doc;
    }
    return s_msg(r, sender, POOL_METHOD_EXECUTE, &x.base, NULL);
}

/* An agreement every party executed is in force only from its start date,
 * judged by the broker's time: before then it is EXECUTED ("in force from
 * DATE") and a pledge is refused naming the date; from then it takes
 * pledges. */
static void test_pool_in_force_from_start_date(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    pool_view_t v;
    s_run_init(&r);
    s_plymouth(&g);
    g.a.start_date = "2026-12-01"; /* a week after T0 */
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    assert_int_equal(s_act_on(&r, PLYMOUTH, ref, 0, "Cabinet 2026/31"), 0);
    assert_int_equal(s_act_on(&r, NEW_DEVON, ref, 0, "GB 2026/7"), 0);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.status, POOL_EXECUTED);
    assert_string_equal(v.missing, "Executed by every party; in force from 2026-12-01, its start"
                                   " date.");
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")),
              CC_FAILED_PRECONDITION, "is executed but in force only from its start date,"
                                      " 2026-12-01");
    r.now = T0 + 7ull * 86400000; /* 2026-12-01T12:00Z */
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.status, POOL_AWAITING_PLEDGES);
    s_run_free(&r);
}

/* A board recommends; each partner enters the agreement itself. One that
 * declines keeps it out of force, named; a variation leaving it out, then
 * executed again by the others, brings it into force without it. */
static void test_pool_partners_execute_the_agreement(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33], var[33];
    pool_view_t v;
    s_run_init(&r);
    s_plymouth(&g);
    s_partner(&g, SHEFFIELD); /* a third partner, who will not enter it */
    s_contrib(&g, SHEFFIELD, 2015, s_pounds("10m"));
    g.a.start_date = "2015-04-01";
    g.a.end_date = "2018-03-31";
    g.a.review_date = "2016-10-01";
    g.a.notice_months = 12;
    g.a.exit_terms = "Balances returned pro rata to contributions";
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.status, POOL_AWAITING_EXECUTION);
    assert_string_equal(v.instrument, ref);
    assert_non_null(strstr(v.missing, "Not in force: awaiting execution by E06000026, E38000129,"
                                      " E08000019 (0 of 3 parties executed)."));
    /* Only the partner itself, on the instrument in force, with its
     * authority, the signatory and the signed document. */
    s_refused(&r, s_act_on(&r, NHSE, ref, 0, "M1"), CC_PERMISSION_DENIED, "not a partner");
    s_refused(&r, s_act_on(&r, PLYMOUTH, "0123456789abcdef0123456789abcdef", 0, "M1"),
              CC_FAILED_PRECONDITION, "is executed as");
    s_refused(&r, s_act_on(&r, PLYMOUTH, ref, 0, ""), CC_INVALID_ARGUMENT,
              "names the body that decided");
    assert_int_equal(s_act_on(&r, PLYMOUTH, ref, 0, "Cabinet 2015/31"), 0);
    s_refused(&r, s_act_on(&r, PLYMOUTH, ref, 1, "Cabinet 2015/40"), CC_ALREADY_EXISTS,
              "already executed pool PLY-IF");
    assert_int_equal(s_act_on(&r, NEW_DEVON, ref, 0, "GB 2015/7"), 0);
    assert_int_equal(s_act_on(&r, SHEFFIELD, ref, 1, "Cabinet 2015/12"), 0);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.status, POOL_AWAITING_EXECUTION);
    assert_int_equal(v.executed, 2);
    assert_non_null(strstr(v.missing, "awaiting execution by E08000019 (declined by Cabinet,"
                                      " Cabinet 2015/12 of 2015-03-10: Above what it can commit)"));
    /* No pledge before it is in force, from anyone. */
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")),
              CC_FAILED_PRECONDITION, "awaits execution by E08000019");
    /* A majority cannot leave out a partner that executed. */
    Concord__V1__Variation vr = CONCORD__V1__VARIATION__INIT;
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    char *out[1] = {NEW_DEVON};
    vr.pool_id = "PLY-IF";
    vr.withdrawn = out;
    vr.n_withdrawn = 1;
    vr.reason = "Without the CCG";
    p.board_id = BOARD;
    p.title = "Leave out";
    p.kind = CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION;
    p.pool_variation = &vr;
    p.closes_at_ms = r.now + 7ull * 86400000;
    assert_int_equal(s_msg(&r, PLYMOUTH, BOARD_METHOD_PROPOSE, &p.base, var), 0);
    s_all_vote(&r, var, FOR);
    pool_variation_view_t vv;
    assert_int_equal(pool_variation_get(r.e, var, &vv), 0);
    assert_int_equal(vv.status, POOL_VARIATION_LAPSED);
    assert_non_null(strstr(vv.missing, "E38000129 has not declined to execute pool PLY-IF"));
    /* The partners agree a variation without the one that declined. */
    out[0] = SHEFFIELD;
    vr.reason = "Without Sheffield, which declined";
    p.closes_at_ms = r.now + 7ull * 86400000;
    assert_int_equal(s_msg(&r, PLYMOUTH, BOARD_METHOD_PROPOSE, &p.base, var), 0);
    s_all_vote(&r, var, FOR);
    assert_int_equal(pool_variation_get(r.e, var, &vv), 0);
    assert_int_equal(vv.status, POOL_VARIATION_PASSED);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.status, POOL_AWAITING_EXECUTION); /* executed again, as varied */
    assert_string_equal(v.instrument, var);
    assert_int_equal(v.parties, 2);
    assert_true(v.withdrawn[2]);
    s_refused(&r, s_act_on(&r, SHEFFIELD, var, 0, "Cabinet 2015/50"), CC_FAILED_PRECONDITION,
              "was left out of pool PLY-IF");
    s_refused(&r, s_act_on(&r, PLYMOUTH, ref, 0, "Cabinet 2015/51"), CC_FAILED_PRECONDITION,
              "is executed as");
    assert_int_equal(s_act_on(&r, PLYMOUTH, var, 0, "Cabinet 2015/51"), 0);
    assert_int_equal(s_act_on(&r, NEW_DEVON, var, 0, "GB 2015/9"), 0);
    assert_int_equal(s_status(&r, "PLY-IF"), POOL_AWAITING_PLEDGES);
    s_refused(&r, s_pledge(&r, SHEFFIELD, "PLY-IF", SHEFFIELD, 2015, s_pounds("10m")),
              CC_INVALID_ARGUMENT, "has no contribution from E08000019 in 2015/16");
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")), 0);
    assert_int_equal(s_status(&r, "PLY-IF"), POOL_ACTIVE);
    s_replay_same(&r);
    s_run_free(&r);
}

/* The term an agreement states is checked when given. */
static void test_pool_agreement_term(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    g.a.start_date = "2015-04-01";
    g.a.end_date = "2015-02-30";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "'2015-02-30', is not a");
    g.a.end_date = "2014-03-31";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "ends (2014-03-31) before");
    g.a.end_date = "2018-03-31";
    g.a.review_date = "2019-01-01";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "outside its term");
    g.a.review_date = "2016-10-01";
    assert_int_equal(s_check(&g, &err), 0);
    g.a.start_date = "";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "but no start date");
}

/* ---- validation of agreements ---- */

static void test_pool_agreement_plymouth_valid(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    assert_int_equal(s_check(&g, &err), 0);
    /* £131m + £331m = £462m: the seed's "approximately £460 million". */
    assert_int_equal(g.c[0][0].amount_pence + g.c[1][0].amount_pence, s_pounds("462m"));
}

static void test_pool_agreement_needs_nhs_body_and_local_authority(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    g.p[1].code = SHEFFIELD; /* two councils */
    g.hosts[0] = PLYMOUTH;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "needs at least one NHS body and one local authority");
    s_plymouth(&g);
    g.p[0].code = SHEFF_CCG; /* two CCGs */
    g.hosts[0] = SHEFF_CCG;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "it has 2 NHS bodies and 0 local");
    s_plymouth(&g);
    g.p[0].code = GMCA; /* a combined authority is a local authority since the 2016 Act */
    g.hosts[0] = GMCA;
    assert_int_equal(s_check(&g, &err), 0);
    s_plymouth(&g);
    g.p[1].code = PLY_TRUST; /* an NHS trust is an NHS body */
    assert_int_equal(s_check(&g, &err), 0);
    s_plymouth(&g);
    g.p[0].code = HEALTHWATCH; /* Healthwatch is neither */
    g.hosts[0] = HEALTHWATCH;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "is for NHS bodies (CCGs");
    s_plymouth(&g);
    g.p[0].code = CARLISLE; /* a district council is a local authority */
    g.hosts[0] = CARLISLE;
    assert_int_equal(s_check(&g, &err), 0);
    s_plymouth(&g);
    g.p[0].code = STRANGER;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "not an organisation in the roster");
    s_plymouth(&g);
    g.p[1].code = PLYMOUTH;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "named twice as a partner");
    s_plymouth(&g);
    g.a.n_partners = 1;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "needs 2 to 64");
}

static void test_pool_agreement_exactly_one_host_a_partner(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    g.a.n_hosts = 0;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "names 0 hosts: exactly one");
    s_plymouth(&g);
    g.hosts[g.a.n_hosts++] = NEW_DEVON;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "names 2 hosts: exactly one");
    s_plymouth(&g);
    g.hosts[0] = SHEFFIELD;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "the host must be a partner");
    s_plymouth(&g);
    g.hosts[0] = NEW_DEVON; /* either partner may host */
    assert_int_equal(s_check(&g, &err), 0);
}

static void test_pool_excluded_nhs_functions_named(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *excluded;
    } cases[] = {
        {"General surgery", "surgery"},
        {"Day-case surgical procedures", "surgery"},
        {"Radiotherapy", "radiotherapy"},
        {"Termination of pregnancy services", "termination of pregnancy"},
        {"Endoscopy", "endoscopy"},
        {"Class 4 laser treatment", "class 4 laser treatment"},
        {"Other invasive treatments", "other invasive treatment"},
        {"Emergency ambulance services", "emergency ambulance services"},
        {"Ambulance services", "emergency ambulance services"},
        {"Non-surgical emergency admissions", NULL}, /* Sheffield's pool includes these */
        {"Non-emergency patient transport", NULL},
        {"Non-invasive ventilation at home", NULL},
        {"Community equipment and adaptations", NULL},
        {"", NULL},
    };
    s_agr_t g;
    cc_err_t err;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = agreement_excluded_function(cases[i].text);
        if (cases[i].excluded) {
            assert_non_null(got);
            assert_string_equal(got, cases[i].excluded);
            s_plymouth(&g);
            g.nhs[g.a.n_nhs_functions++] = (char *)cases[i].text;
            s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, cases[i].excluded);
            assert_non_null(strstr(err.msg, cases[i].text));
            assert_non_null(strstr(err.msg, "excluded from s75"));
        } else {
            assert_null(got);
        }
    }
    /* The exclusion is of NHS functions: a council's own functions are
     * not matched against it. */
    s_plymouth(&g);
    g.council[g.a.n_council_functions++] = "Home adaptations (no surgery)";
    assert_int_equal(s_check(&g, &err), 0);
}

static void test_pool_primary_medical_needs_nhs_england_and_everyone(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_run_t r;
    char ref[33];
    assert_true(agreement_names_primary_medical("Primary medical services"));
    assert_true(agreement_names_primary_medical("GP services"));
    assert_false(agreement_names_primary_medical("Community nursing"));
    s_plymouth(&g);
    g.nhs[g.a.n_nhs_functions++] = "Primary medical services";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "may be pooled only with NHS England a party, or by commissioners holding them"
                  " by delegation on its start date");
    /* The register of delegations: once NHS England has delegated primary
     * medical services to the CCG partner, the CCG exercises the function
     * and may pool it without NHS England, from the delegation's date. */
    g.a.start_date = "2015-04-01";
    delegation_register_t *reg = delegation_register_new();
    assert_non_null(reg);
    Concord__V1__DelegationRecord d = CONCORD__V1__DELEGATION_RECORD__INIT;
    d.organisation = NEW_DEVON;
    d.line = CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL;
    d.from_date = "2015-04-01";
    d.level = CONCORD__V1__DELEGATION_LEVEL__DELEGATED;
    d.agreement_ref = "NEW Devon delegation agreement 2015";
    static const uint8_t hash[32] = {1};
    assert_int_equal(delegation_check(s_roster, NHSE, &d, &err), 0);
    s_refused_err(delegation_check(s_roster, NEW_DEVON, &d, &err), &err, CC_PERMISSION_DENIED,
                  "only NHS England records the delegation");
    assert_int_equal(delegation_add(reg, &d, NHSE, 10, 0, hash, &err), 0);
    assert_int_equal(agreement_check(s_roster, reg, &g.a, &err), 0);
    g.a.start_date = "2015-03-31"; /* before the delegation: NHS England's function still */
    s_refused_err(agreement_check(s_roster, reg, &g.a, &err), &err, CC_INVALID_ARGUMENT,
                  "the register does not show them delegated to every commissioner partner");
    /* A joint arrangement is not a delegation: NHS England keeps the function. */
    d.from_date = "2015-03-01";
    d.level = CONCORD__V1__DELEGATION_LEVEL__JOINT;
    assert_int_equal(delegation_add(reg, &d, NHSE, 11, 0, hash, &err), 0);
    assert_int_equal(delegation_level(reg, NULL, NEW_DEVON, d.line, "2015-03-31", UINT64_MAX, NULL),
                     CONCORD__V1__DELEGATION_LEVEL__JOINT);
    assert_int_equal(delegation_level(reg, NULL, NEW_DEVON, d.line, "2016-01-01", UINT64_MAX, NULL),
                     CONCORD__V1__DELEGATION_LEVEL__DELEGATED);
    assert_int_equal(delegation_level(reg, NULL, NEW_DEVON, d.line, "2016-01-01", 11, NULL),
                     CONCORD__V1__DELEGATION_LEVEL__DELEGATED);
    assert_int_equal(delegation_level(reg, NULL, NEW_DEVON, d.line, "2015-03-31", 11, NULL),
                     CONCORD__V1__DELEGATION_LEVEL__NHS_ENGLAND_DIRECT);
    assert_string_equal(delegation_provision("2022-06-30"), "NHS Act 2006 s13Z");
    assert_string_equal(delegation_provision("2022-07-01"), "NHS Act 2006 s65Z5");
    delegation_register_destroy(&reg);
    g.a.start_date = "";
    s_partner(&g, NHSE);
    s_contrib(&g, NHSE, 2015, s_pounds("20m"));
    assert_int_equal(s_check(&g, &err), 0);
    /* On the board: a majority FOR is not enough; every partner must vote
     * FOR, whatever the board's rule. */
    s_run_init(&r);
    board_tally_t t;
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    for (size_t i = 0; i < N_MEMBERS; i++) {
        if (strcmp(s_members[i], NHSE) != 0) {
            assert_int_equal(s_vote(&r, s_members[i], ref, FOR), 0);
        }
    }
    pool_view_t v;
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), -1); /* 7 of 8 FOR: still open */
    assert_int_equal(s_vote(&r, NHSE, ref, AGAINST), 0);
    assert_false(s_passed(&r, ref, &t));
    assert_non_null(strstr(t.explanation, "Majority of votes cast: 7 FOR, 1 AGAINST"));
    assert_non_null(strstr(t.explanation, "primary medical services are pooled only with every"
                                          " party agreeing (SI 2015/1940): X24 voted AGAINST"));
    assert_non_null(strstr(t.explanation, "no FOR from X24, whose consent it needs"));
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), -1); /* failed: no pool */
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")),
              CC_NOT_FOUND, "no pool");
    /* Proposed again, with everyone FOR: the pool exists. */
    assert_int_equal(s_propose(&r, NEW_DEVON, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_true(s_passed(&r, ref, NULL));
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_string_equal(v.agreement_id, ref);
    assert_string_equal(v.board_id, BOARD);
    s_run_free(&r);
}

static void test_pool_agreement_amounts_and_texts(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    g.c[0][0].amount_pence = 0;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "positive whole pence");
    g.c[0][0].amount_pence = -100;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "-£1.00: amounts are positive");
    s_plymouth(&g);
    g.c[0][0].amount_pence = INT64_MAX / 2 + 1;
    g.c[1][0].amount_pence = INT64_MAX / 2 + 1;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "add up to more than");
    s_plymouth(&g);
    g.c[0][0].amount_pence = INT64_MAX / 2;
    g.c[1][0].amount_pence = INT64_MAX / 2; /* just fits */
    assert_int_equal(s_check(&g, &err), 0);
    s_plymouth(&g);
    s_contrib(&g, PLYMOUTH, 2015, 5);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "two contributions for 2015/16");
    s_plymouth(&g);
    g.c[0][0].financial_year = 1999;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "years run 2000 to 2099");
    s_plymouth(&g);
    g.p[1].n_contributions = 0;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "states no contribution");
    s_plymouth(&g);
    g.a.pool_id = "a";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "pool id 'a' must be 2 to 32");
    s_plymouth(&g);
    g.a.pool_id = "PLY IF";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "letters, digits or hyphens");
    s_plymouth(&g);
    g.a.name = "";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "needs a name");
    s_plymouth(&g);
    g.a.aims_and_outcomes = "";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "aims and outcomes");
    s_plymouth(&g);
    g.a.kind = 0;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "what kind of arrangement");
    static const char *const missing[] = {"NHS functions", "council functions",
                                          "management and monitoring", "governance",
                                          "client groups"};
    for (int i = 0; i < 5; i++) {
        s_plymouth(&g);
        if (i == 0) {
            g.a.n_nhs_functions = 0;
        } else if (i == 1) {
            g.a.n_council_functions = 0;
        } else if (i == 2) {
            g.a.management_and_monitoring = "";
        } else if (i == 3) {
            g.a.governance = "";
        } else {
            g.a.n_client_groups = 0;
        }
        s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, missing[i]);
        assert_non_null(strstr(err.msg, "seed 000 App. 2"));
    }
}

static void test_pool_agreement_year_limit(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    /* 8 years from one partner and 8 more from the other: 16 fits. */
    for (uint32_t k = 2016; k < 2023; k++) {
        s_contrib(&g, PLYMOUTH, k, 100);
        s_contrib(&g, NEW_DEVON, k + 7, 100);
    }
    assert_int_equal(s_check(&g, &err), 0);
    /* Push past POOL_MAX_YEARS with a third partner. */
    s_partner(&g, SHEFF_CCG);
    for (uint32_t k = 2030; k < 2038; k++) {
        s_contrib(&g, SHEFF_CCG, k, 100);
    }
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "at most 20 years");
}

static void test_pool_risk_share_rules(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    s_plymouth(&g);
    g.a.risk_share = NULL;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "how an overspend or underspend");
    s_plymouth(&g);
    s_rule(&g, 0);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "pro rata to contributions, by");
    s_plymouth(&g);
    s_rule(&g, FIXED);
    s_fixed(&g, PLYMOUTH, 3000);
    s_fixed(&g, NEW_DEVON, 6000);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "sum to 10000 basis points (100%): they sum to 9000");
    g.fx[1].basis_points = 7000;
    assert_int_equal(s_check(&g, &err), 0);
    g.fx[1].partner = SHEFFIELD;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "who is not a partner");
    g.fx[1].partner = PLYMOUTH;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "two fixed shares");
    s_plymouth(&g);
    s_fixed(&g, PLYMOUTH, 10000); /* fixed shares on a pro rata rule */
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "not by fixed percentages");
    s_plymouth(&g);
    s_rule(&g, BORNE_BY);
    g.rs.borne_by = SHEFFIELD;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "borne by 'E08000019', who is not");
    g.rs.borne_by = NEW_DEVON;
    assert_int_equal(s_check(&g, &err), 0);
    s_plymouth(&g);
    g.rs.borne_by = NEW_DEVON; /* on a pro rata rule */
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "not borne by one partner");
    s_plymouth(&g);
    s_cap(&g, PLYMOUTH, s_pounds("1m"));
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "must name the partner who takes");
    g.rs.remainder_to = PLYMOUTH;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "cannot be capped itself");
    g.rs.remainder_to = NEW_DEVON;
    assert_int_equal(s_check(&g, &err), 0);
    g.cap[0].cap_pence = -1;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "at least 0");
    g.cap[0].cap_pence = 0; /* a partner may bear nothing */
    assert_int_equal(s_check(&g, &err), 0);
    s_cap(&g, PLYMOUTH, 5);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "two caps");
    s_plymouth(&g);
    g.rs.remainder_to = NEW_DEVON;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "there are no caps");
}

static void s_aligned(s_agr_t *g)
{
    s_agr(g, "SHF-ALIGN", ALIGNED);
    s_partner(g, SHEFFIELD);
    s_partner(g, SHEFF_CCG);
    s_contrib(g, SHEFFIELD, 2016, s_pounds("40m"));
    s_contrib(g, SHEFF_CCG, 2016, s_pounds("60m"));
    g->council[g->a.n_council_functions++] = "Community equipment";
}

static void s_transfer(s_agr_t *g, int kind, const char *from, const char *to)
{
    s_agr(g, "XFER", kind);
    s_partner(g, from);
    s_partner(g, to);
    s_contrib(g, from, 2017, s_pounds("2.5m"));
    concord__v1__transfer__init(&g->tr);
    g->tr.from = (char *)from;
    g->tr.to = (char *)to;
    g->tr.service = "Reablement after hospital discharge";
    g->a.transfer = &g->tr;
}

static void s_lead(s_agr_t *g)
{
    s_agr(g, "SHF-LEAD", LEAD);
    s_partner(g, SHEFFIELD);
    s_partner(g, SHEFF_CCG);
    s_contrib(g, SHEFFIELD, 2016, s_pounds("10m"));
    s_contrib(g, SHEFF_CCG, 2016, s_pounds("30m"));
    concord__v1__lead_commissioning__init(&g->lead);
    g->lead.lead = SHEFFIELD;
    g->lead.delegations = g->delp;
    concord__v1__delegation__init(&g->del[0]);
    g->del[0].from = SHEFF_CCG;
    g->delfn[0][0] = "Community mental health services";
    g->del[0].functions = g->delfn[0];
    g->del[0].n_functions = 1;
    g->delp[0] = &g->del[0];
    g->lead.n_delegations = 1;
    g->a.lead = &g->lead;
    s_rule(g, FIXED);
    s_fixed(g, SHEFFIELD, 2500);
    s_fixed(g, SHEFF_CCG, 7500);
}

static void test_pool_alternative_arrangements(void **state)
{
    (void)state;
    s_agr_t g;
    cc_err_t err;
    /* Aligned budgets: no host, no risk share, no pooled balance. */
    s_aligned(&g);
    assert_int_equal(s_check(&g, &err), 0);
    g.hosts[g.a.n_hosts++] = SHEFFIELD;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "only a pooled fund has a host");
    s_aligned(&g);
    s_rule(&g, PRO_RATA);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "no risk share");
    /* Lead commissioning records the delegation. */
    s_lead(&g);
    assert_int_equal(s_check(&g, &err), 0);
    g.lead.n_delegations = 0;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "must record what the other");
    s_lead(&g);
    g.lead.lead = NEW_DEVON;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "must name its lead commissioner");
    s_lead(&g);
    g.del[0].from = SHEFFIELD; /* the lead delegates to itself */
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "not a partner other than the lead");
    s_lead(&g);
    g.del[0].n_functions = 0;
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "must name the functions");
    s_lead(&g);
    g.delfn[0][0] = "Emergency ambulance services"; /* delegated NHS functions are checked too */
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "delegated NHS function 'Emergency ambulance services'");
    /* s76: a council pays an NHS body; s256: an NHS body pays a council. */
    s_transfer(&g, S76, SHEFFIELD, SHEFF_CCG);
    assert_int_equal(s_check(&g, &err), 0);
    s_transfer(&g, S76, SHEFF_CCG, SHEFFIELD);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT,
                  "s76 of the NHS Act 2006 lets a"
                  " local authority pay an NHS body");
    s_transfer(&g, S256, SHEFF_CCG, SHEFFIELD);
    assert_int_equal(s_check(&g, &err), 0);
    s_transfer(&g, S256, SHEFFIELD, SHEFF_CCG);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "lets an NHS body pay a local");
    s_transfer(&g, S256, SHEFF_CCG, SHEFFIELD);
    g.tr.service = "";
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "the service it supports");
    s_transfer(&g, S256, SHEFF_CCG, SHEFFIELD);
    s_contrib(&g, SHEFFIELD, 2017, 100);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "contributes nothing");
    s_transfer(&g, S256, SHEFF_CCG, SHEFFIELD);
    s_partner(&g, PLYMOUTH);
    s_contrib(&g, PLYMOUTH, 2017, 100);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "exactly its payer and its");
    s_transfer(&g, S76, SHEFFIELD, SHEFF_CCG);
    g.a.lead = &g.lead; /* a transfer delegates nothing */
    concord__v1__lead_commissioning__init(&g.lead);
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "involves no delegation");
    s_transfer(&g, S76, SHEFFIELD, SHEFF_CCG);
    s_contrib(&g, SHEFF_CCG, 2017, 100);
    s_pooled_texts(&g, SHEFFIELD);
    s_rule(&g, PRO_RATA);
    g.a.kind = POOLED; /* a transfer's details on a pooled fund */
    s_refused_err(s_check(&g, &err), &err, CC_INVALID_ARGUMENT, "not a s76 or s256 transfer");
}

/* ---- the engine: agreements, consents, pledges ---- */

static void test_pool_plymouth_lifecycle_and_split(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    pool_statement_t st;
    cc_err_t err;
    s_run_init(&r);
    s_plymouth_active(&r, &g);
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, &err), 0);
    assert_int_equal(st.total, s_pounds("462m"));
    assert_true(st.complete);
    assert_false(st.has_outturn);
    /* An overspend of £8,000,000.01 pro rata 131:331. Quotas 226839827p
     * and 573160173p leave one penny, which goes to the larger remainder
     * (the CCG's: 40.5e9 against 5.7e9 of 46.2e9). */
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("470,000,000.01")), 0);
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, &err), 0);
    assert_true(st.has_outturn);
    assert_int_equal(st.variance, 800000001);
    assert_int_equal(st.lines[0].part.share, 226839827);
    assert_int_equal(st.lines[0].part.penny, 0);
    assert_int_equal(st.lines[1].part.share, 573160174);
    assert_int_equal(st.lines[1].part.penny, 1);
    assert_int_equal(st.lines[0].part.share + st.lines[1].part.share, st.variance);
    assert_int_equal(st.lines[0].net, s_pounds("131m") + 226839827);
    char text[4096];
    size_t need = pool_statement_text(&st, text, sizeof text);
    assert_int_equal(need, strlen(text));
    assert_non_null(strstr(text, "Pool PLY-IF \"Plymouth integrated fund\": pooled fund,"
                                 " accounts kept by E06000026."));
    assert_non_null(strstr(text, "Year 2015/16: contributions £462,000,000.00, pledged"
                                 " £462,000,000.00, all as agreed."));
    assert_non_null(strstr(text, "Outturn £470,000,000.01: overspend of £8,000,000.01."));
    assert_non_null(strstr(text, "E38000129: £8,000,000.01 x 33100000000/46200000000 ="
                                 " £5,731,601.73 + 1p; bears £5,731,601.74."));
    /* Truncation keeps the text terminated and reports the length needed. */
    char small[32];
    assert_int_equal(pool_statement_text(&st, small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
    /* No statement for a year without contributions. */
    s_refused_err(pool_statement(r.e, "PLY-IF", 2016, &st, &err), &err, CC_NOT_FOUND, "2016/17");
    s_refused_err(pool_statement(r.e, "NOPE", 2015, &st, &err), &err, CC_NOT_FOUND, "NOPE");
    s_run_free(&r);
}

/* The same overspend with the council's share capped at £1m: what the
 * cap cuts off goes to the CCG, named to take it. */
static void test_pool_capped_split_in_the_statement(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33], text[4096];
    pool_statement_t st;
    s_run_init(&r);
    s_plymouth(&g);
    s_cap(&g, PLYMOUTH, s_pounds("1m"));
    g.rs.remainder_to = NEW_DEVON;
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")), 0);
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("470,000,000.01")), 0);
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, NULL), 0);
    assert_int_equal(st.lines[0].part.share, s_pounds("1m"));
    assert_int_equal(st.lines[0].part.cut, s_pounds("1,268,398.27"));
    assert_int_equal(st.lines[1].part.share, s_pounds("7,000,000.01"));
    pool_statement_text(&st, text, sizeof text);
    assert_non_null(strstr(text, "E06000026: £8,000,000.01 x 13100000000/46200000000 ="
                                 " £2,268,398.27; capped, £1,268,398.27 to E38000129; bears"
                                 " £1,000,000.00."));
    assert_non_null(strstr(text, "takes the £1,268,398.27 the caps cut off; bears"
                                 " £7,000,000.01."));
    /* Columns line up: "£" is one character in two bytes. */
    assert_non_null(strstr(text, "E06000026           £131,000,000.00        £131,000,000.00"));
    s_run_free(&r);
}

static void test_pool_pledge_only_by_its_partner(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    pool_view_t v;
    s_run_init(&r);
    s_plymouth(&g);
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    /* Before the board decides there is no pool to pledge to. */
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")),
              CC_NOT_FOUND, "no pool 'PLY-IF'");
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    /* The council signs a pledge of the CCG's contribution: refused. */
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")),
              CC_PERMISSION_DENIED, "E06000026 cannot pledge E38000129's contribution");
    s_refused(&r, s_pledge(&r, SHEFFIELD, "PLY-IF", SHEFFIELD, 2015, 1), CC_PERMISSION_DENIED,
              "'E08000019' is not a partner of pool PLY-IF");
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2016, 1), CC_INVALID_ARGUMENT,
              "no contribution from E06000026 in 2016/17");
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, 0), CC_INVALID_ARGUMENT,
              "positive whole number of pence");
    s_refused(&r, s_pledge(&r, PLYMOUTH, "NOPE", PLYMOUTH, 2015, 1), CC_NOT_FOUND, "no pool");
    /* A pledge short of the agreement is recorded but does not activate. */
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("130m")), 0);
    assert_int_equal(s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")), 0);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.status, POOL_AWAITING_PLEDGES);
    assert_string_equal(v.missing, "Awaiting pledges: E06000026 for 2015/16: agreed"
                                   " £131,000,000.00, pledged £130,000,000.00.");
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("130m")),
              CC_ALREADY_EXISTS, "already pledged");
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(s_status(&r, "PLY-IF"), POOL_ACTIVE);
    /* A pledge matching the agreement binds: changing it is a variation. */
    s_refused(&r, s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("300m")),
              CC_FAILED_PRECONDITION, "changing a contribution needs a variation");
    /* Every refusal is on record with its reason. */
    pool_rejection_t rj;
    assert_int_equal(pool_rejection_count(r.e), 8);
    pool_rejection_at(r.e, 1, &rj);
    assert_int_equal(rj.code, CC_PERMISSION_DENIED);
    assert_string_equal(rj.subject, "PLY-IF");
    assert_string_equal(rj.method, POOL_METHOD_PLEDGE);
    s_run_free(&r);
}

static void test_pool_agreement_decided_by_the_board(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33], again[33];
    board_tally_t t;
    pool_view_t v;
    s_run_init(&r);
    s_plymouth(&g);
    /* A partner outside the board: refused on submission, naming it. */
    s_partner(&g, CARLISLE);
    s_contrib(&g, CARLISLE, 2015, s_pounds("1m"));
    s_refused(&r, s_propose(&r, PLYMOUTH, &g, ref), CC_PERMISSION_DENIED,
              "E07000028 is a partner of pool PLY-IF but not a member of board JCB");
    s_plymouth(&g);
    g.a.n_hosts = 0;
    s_refused(&r, s_propose(&r, PLYMOUTH, &g, ref), CC_INVALID_ARGUMENT, "names 0 hosts");
    s_plymouth(&g);
    g.a.board_id = "OTHER";
    s_refused(&r, s_propose(&r, PLYMOUTH, &g, ref), CC_INVALID_ARGUMENT,
              "names board 'OTHER', not JCB");
    s_plymouth(&g);
    /* The board's rule decides: a majority AGAINST fails it, no pool. */
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, AGAINST);
    assert_false(s_passed(&r, ref, &t));
    assert_int_equal(pool_count(r.e), 0);
    /* A majority FOR, with a partner against, passes: no unanimity is
     * needed for an agreement without primary medical services. */
    assert_int_equal(s_propose(&r, NEW_DEVON, &g, again), 0);
    assert_int_equal(s_vote(&r, NEW_DEVON, again, AGAINST), 0);
    s_all_vote(&r, again, FOR);
    assert_true(s_passed(&r, again, &t));
    assert_int_equal(pool_count(r.e), 1);
    pool_at(r.e, 0, &v);
    assert_string_equal(v.agreement_id, again);
    assert_string_equal(v.proposer, NEW_DEVON);
    assert_string_equal(v.board_id, BOARD);
    assert_int_equal(v.n_years, 1);
    assert_int_equal(v.years[0], 2015);
    /* A second agreement for the same pool passes on the board but
     * creates nothing: the refusal is on record. */
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_int_equal(pool_count(r.e), 1);
    pool_rejection_t rj;
    assert_true(pool_rejection_count(r.e) > 0);
    pool_rejection_at(r.e, pool_rejection_count(r.e) - 1, &rj);
    assert_int_equal(rj.code, CC_ALREADY_EXISTS);
    assert_non_null(strstr(rj.reason, "already exists"));
    s_run_free(&r);
}

static void test_pool_variation_needs_the_partners_consent(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char var[33], var2[33], var3[33];
    pool_variation_view_t vv;
    pool_statement_t st;
    board_tally_t t;
    s_run_init(&r);
    s_plymouth_active(&r, &g);
    /* The host proposes a change to the CCG's contribution; every other
     * member votes FOR, so the board's rule passes, but the CCG votes
     * AGAINST: the variation fails. */
    assert_int_equal(s_vary(&r, PLYMOUTH, "PLY-IF", NEW_DEVON, 2015, s_pounds("340m"), var), 0);
    for (size_t i = 0; i < N_MEMBERS; i++) {
        if (strcmp(s_members[i], NEW_DEVON) != 0) {
            assert_int_equal(s_vote(&r, s_members[i], var, FOR), 0);
        }
    }
    assert_int_equal(s_vote(&r, NEW_DEVON, var, AGAINST), 0);
    assert_false(s_passed(&r, var, &t));
    assert_non_null(strstr(t.explanation, "7 is more than 1"));
    assert_non_null(strstr(t.explanation, "a change to a partner's contribution needs that"
                                          " partner's FOR: E38000129 voted AGAINST"));
    assert_int_equal(pool_variation_get(r.e, var, &vv), -1);
    assert_int_equal(s_status(&r, "PLY-IF"), POOL_ACTIVE); /* nothing changed */
    /* Again, and this time the CCG votes FOR. */
    assert_int_equal(s_vary(&r, PLYMOUTH, "PLY-IF", NEW_DEVON, 2015, s_pounds("340m"), var2), 0);
    s_all_vote(&r, var2, FOR);
    assert_int_equal(pool_variation_get(r.e, var2, &vv), 0);
    assert_int_equal(vv.status, POOL_VARIATION_PASSED);
    /* The old pledge no longer matches: the CCG pledges again. */
    assert_int_equal(s_status(&r, "PLY-IF"), POOL_AWAITING_PLEDGES);
    assert_int_equal(s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("340m")), 0);
    assert_int_equal(s_status(&r, "PLY-IF"), POOL_ACTIVE);
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, NULL), 0);
    assert_int_equal(st.total, s_pounds("471m"));
    /* A variation may add a year; the year then awaits its pledges. */
    assert_int_equal(s_vary(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2016, s_pounds("335m"), var3), 0);
    s_all_vote(&r, var3, FOR);
    pool_view_t v;
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_int_equal(v.n_years, 2);
    assert_int_equal(v.years[1], 2016);
    assert_int_equal(v.status, POOL_AWAITING_PLEDGES);
    /* Refused on submission: a partner outside the board, a bad amount. */
    s_refused(&r, s_vary(&r, PLYMOUTH, "PLY-IF", CARLISLE, 2015, 1, NULL), CC_PERMISSION_DENIED,
              "not a member of board JCB");
    s_refused(&r, s_vary(&r, PLYMOUTH, "PLY-IF", NEW_DEVON, 2015, 0, NULL), CC_INVALID_ARGUMENT,
              "positive amount");
    s_refused(&r, s_vary(&r, CARLISLE, "PLY-IF", NEW_DEVON, 2015, 1, NULL), CC_PERMISSION_DENIED,
              "not a member");
    /* The pool engine's own rules, on what it can know only itself. */
    Concord__V1__VariedContribution c = CONCORD__V1__VARIED_CONTRIBUTION__INIT;
    Concord__V1__VariedContribution *cp[1] = {&c};
    Concord__V1__Variation bad = CONCORD__V1__VARIATION__INIT;
    cc_err_t err;
    c.partner = SHEFFIELD;
    c.financial_year = 2015;
    c.amount_pence = 1;
    bad.pool_id = "PLY-IF";
    bad.changes = cp;
    bad.n_changes = 1;
    s_refused_err(pool_variation_check(r.e, &bad, &err), &err, CC_INVALID_ARGUMENT,
                  "a varied contribution is a partner's positive amount");
    c.partner = NEW_DEVON;
    c.amount_pence = INT64_MAX - 5;
    s_refused_err(pool_variation_check(r.e, &bad, &err), &err, CC_INVALID_ARGUMENT,
                  "more than int64");
    bad.pool_id = "NOPE";
    s_refused_err(pool_variation_check(r.e, &bad, &err), &err, CC_NOT_FOUND, "no pool");
    /* A closed year cannot be varied. */
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("471m")), 0);
    bad.pool_id = "PLY-IF";
    c.amount_pence = 1;
    s_refused_err(pool_variation_check(r.e, &bad, &err), &err, CC_FAILED_PRECONDITION,
                  "2015/16 of pool PLY-IF is closed");
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, 5), CC_FAILED_PRECONDITION,
              "is closed");
    assert_int_equal(pool_variation_count(r.e), 2);
    s_run_free(&r);
}

static int s_statement_event(s_run_t *r, const char *sender, const Concord__V1__PoolStatement *m,
                             char ref[33])
{
    return s_msg(r, sender, POOL_METHOD_STATEMENT, &m->base, ref);
}

/* The host signs the year's statement; every node checks it against its
 * own computation, field by field and byte for byte. */
static void test_pool_signed_statement(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    cc_err_t err;
    pool_canonical_t c;
    pool_statement_t st;
    Concord__V1__PoolStatement empty = CONCORD__V1__POOL_STATEMENT__INIT;
    s_run_init(&r);
    s_plymouth_active(&r, &g);
    empty.pool_id = "PLY-IF";
    empty.financial_year = 2015;
    /* Not before the year is closed. */
    s_refused_err(pool_canonical(r.e, "PLY-IF", 2015, &c, &err), &err, CC_FAILED_PRECONDITION,
                  "is not recorded yet");
    s_refused(&r, s_statement_event(&r, PLYMOUTH, &empty, NULL), CC_FAILED_PRECONDITION,
              "not recorded yet");
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("470,000,000.01")), 0);
    assert_int_equal(pool_canonical(r.e, "PLY-IF", 2015, &c, &err), 0);
    assert_int_equal(c.msg.n_lines, 2);
    assert_int_equal(c.msg.lines[1]->variance_share_pence, 573160174);
    assert_non_null(strstr(c.msg.text, "bears £5,731,601.74."));
    /* Only the host signs it. */
    s_refused(&r, s_statement_event(&r, NEW_DEVON, &c.msg, NULL), CC_PERMISSION_DENIED,
              "E38000129 cannot sign the statement of pool PLY-IF: only E06000026");
    /* A statement that differs from this node's is refused, naming the
     * difference. */
    c.lines[1].variance_share_pence += 1;
    s_refused(&r, s_statement_event(&r, PLYMOUTH, &c.msg, NULL), CC_FAILED_PRECONDITION,
              "differs from the one computed here: E38000129's share of the variance: signed"
              " £5,731,601.75, computed here £5,731,601.74");
    c.lines[1].variance_share_pence -= 1;
    /* The text is rendered from the figures and never compared: a
     * statement reworded, with the same figures, is the same statement. */
    pool_canonical_t again;
    assert_int_equal(pool_canonical(r.e, "PLY-IF", 2015, &again, &err), 0);
    again.msg.text = "Pool PLY-IF: the same figures, in other words";
    char why[256];
    assert_int_equal(pool_canonical_equal(&again.msg, &c.msg, why, sizeof why), 1);
    pool_canonical_free(&again);
    c.msg.agreement_id = "00";
    s_refused(&r, s_statement_event(&r, PLYMOUTH, &c.msg, NULL), CC_FAILED_PRECONDITION,
              "agreement: signed '00'");
    pool_canonical_free(&c);
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, NULL), 0);
    assert_string_equal(st.signed_id, "");
    /* The host's own, as computed: accepted, once. */
    assert_int_equal(pool_canonical(r.e, "PLY-IF", 2015, &c, &err), 0);
    assert_int_equal(s_statement_event(&r, PLYMOUTH, &c.msg, ref), 0);
    uint64_t signed_at = r.index;
    s_refused(&r, s_statement_event(&r, PLYMOUTH, &c.msg, NULL), CC_ALREADY_EXISTS,
              "already signed");
    pool_canonical_free(&c);
    pool_canonical_free(&c); /* safe twice */
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, NULL), 0);
    assert_string_equal(st.signed_id, ref);
    assert_int_equal(st.signed_index, signed_at);
    s_refused(&r, s_statement_event(&r, PLYMOUTH, &empty, NULL), CC_ALREADY_EXISTS, "");
    empty.pool_id = "NOPE";
    s_refused(&r, s_statement_event(&r, PLYMOUTH, &empty, NULL), CC_NOT_FOUND, "no pool");
    s_replay_same(&r);
    s_run_free(&r);
}

/* Registers person id of org on BOARD for the one act, with key pk. */
static void s_person(s_run_t *r, const char *org, const char *id, int act, const uint8_t pk[32])
{
    char *boards[] = {BOARD};
    Concord__V1__PersonAct acts[] = {(Concord__V1__PersonAct)act};
    Concord__V1__Person p = CONCORD__V1__PERSON__INIT;
    p.person_id = (char *)id;
    p.name = "A Signatory";
    p.role = "Chief Finance Officer";
    p.public_key.data = (uint8_t *)pk;
    p.public_key.len = 32;
    p.boards = boards;
    p.n_boards = 1;
    p.acts = acts;
    p.n_acts = 1;
    p.valid_from = "2020-01-01";
    p.valid_to = "2099-12-31";
    assert_int_equal(s_msg(r, org, PEOPLE_METHOD_PERSON, &p.base, NULL), 0);
}

/* m, sent by org under method, signed by the person with secret key sk
 * (NULL: naming the person, unsigned). */
static int s_person_msg(s_run_t *r, const char *org, const char *method, const ProtobufCMessage *m,
                        const uint8_t *sk, char ref[POOL_REF_LEN + 1])
{
    uint8_t *body = NULL, *msg = NULL, sig[64];
    size_t len = 0, ml = 0;
    assert_int_equal(wire_pack(m, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    if (sk) {
        assert_int_equal(people_act_message(org, method, body, len, &msg, &ml, NULL), 0);
        size_t dl = strlen(PEOPLE_ACT_DOMAIN) + 1;
        uint8_t *all = malloc(dl + ml);
        assert_non_null(all);
        memcpy(all, PEOPLE_ACT_DOMAIN, dl);
        memcpy(all + dl, msg, ml);
        crypto_sign_detached(sig, NULL, all, dl + ml, sk);
        free(all);
        free(msg);
        s_next_person_sig = sig;
    }
    int rc = s_raw(r, org, method, body, len, ref);
    free(body);
    return rc;
}

/* A partner's execution and the host's statement signed by persons under
 * delegations with ACT_EXECUTE and ACT_SIGN_STATEMENT (PROTOCOL.md 16.13):
 * accepted and recorded with the person; a delegation without the act, or
 * a person named without a signature, refused. */
static void test_pool_person_signed_execution_and_statement(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    uint8_t pk_cfo[32], sk_cfo[64], pk_clerk[32], sk_clerk[64], pk_s151[32], sk_s151[64];
    crypto_sign_keypair(pk_cfo, sk_cfo);
    crypto_sign_keypair(pk_clerk, sk_clerk);
    crypto_sign_keypair(pk_s151, sk_s151);
    s_run_init(&r);
    s_person(&r, PLYMOUTH, "cfo", CONCORD__V1__PERSON_ACT__ACT_EXECUTE, pk_cfo);
    s_person(&r, NEW_DEVON, "clerk", CONCORD__V1__PERSON_ACT__ACT_VOTE, pk_clerk);
    s_plymouth(&g);
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    pool_view_t v;
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    char instrument[33];
    snprintf(instrument, sizeof instrument, "%s", v.instrument);
    static const uint8_t doc[32] = {7};
    Concord__V1__Execution x = CONCORD__V1__EXECUTION__INIT;
    x.pool_id = "PLY-IF";
    x.instrument = instrument;
    x.authority = "Cabinet";
    x.decision_ref = "Minute 9/2015";
    x.decision_date = "2015-03-01";
    x.signatory_role = "Chief Finance Officer";
    x.document_sha256.data = (uint8_t *)doc;
    x.document_sha256.len = sizeof doc;
    /* A delegation that covers voting only does not cover executing. */
    x.person = "clerk";
    s_refused(&r, s_person_msg(&r, NEW_DEVON, POOL_METHOD_EXECUTE, &x.base, sk_clerk, NULL),
              CC_PERMISSION_DENIED,
              "out of scope: E38000129's delegation to 'clerk' does not cover execute on board");
    /* A person named, no person's signature. */
    x.person = "cfo";
    s_refused(&r, s_person_msg(&r, PLYMOUTH, POOL_METHOD_EXECUTE, &x.base, NULL, NULL),
              CC_UNAUTHENTICATED, "carries no person's signature");
    /* Signed by another person's key. */
    s_refused(&r, s_person_msg(&r, PLYMOUTH, POOL_METHOD_EXECUTE, &x.base, sk_clerk, NULL),
              CC_UNAUTHENTICATED, "bad person's signature");
    /* A person's signature on an execution naming no person. */
    x.person = "";
    s_refused(&r, s_person_msg(&r, PLYMOUTH, POOL_METHOD_EXECUTE, &x.base, sk_cfo, NULL),
              CC_INVALID_ARGUMENT, "names no person");
    x.person = "cfo";
    assert_int_equal(s_person_msg(&r, PLYMOUTH, POOL_METHOD_EXECUTE, &x.base, sk_cfo, NULL), 0);
    x.person = "";
    assert_int_equal(s_msg(&r, NEW_DEVON, POOL_METHOD_EXECUTE, &x.base, NULL), 0);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_string_equal(v.acts[0]->person, "cfo");
    assert_string_equal(v.acts[1]->person, "");
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")), 0);
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("470m")), 0);
    /* The statement: the cfo's delegation covers executing, not signing
     * statements; a second person of the host's covers it. */
    pool_canonical_t c;
    assert_int_equal(pool_canonical(r.e, "PLY-IF", 2015, &c, NULL), 0);
    c.msg.person = "cfo";
    s_refused(&r, s_person_msg(&r, PLYMOUTH, POOL_METHOD_STATEMENT, &c.msg.base, sk_cfo, NULL),
              CC_PERMISSION_DENIED, "does not cover sign-statement");
    s_person(&r, PLYMOUTH, "s151", CONCORD__V1__PERSON_ACT__ACT_SIGN_STATEMENT, pk_s151);
    c.msg.person = "s151";
    assert_int_equal(
        s_person_msg(&r, PLYMOUTH, POOL_METHOD_STATEMENT, &c.msg.base, sk_s151, ref), 0);
    pool_canonical_free(&c);
    pool_statement_t st;
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, NULL), 0);
    assert_string_equal(st.signed_id, ref);
    assert_string_equal(st.signed_person, "s151");
    s_run_free(&r);
}

/* A decision closed by its deadline takes effect just before the first
 * event after the deadline, whatever that event is: the pledge that
 * comes first finds the pool. */
static void test_pool_agreement_closed_by_deadline(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    pool_view_t v;
    s_run_init(&r);
    s_plymouth(&g);
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    /* Four FOR of eight: quorate, but four AGAINST could still tie it. */
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(s_vote(&r, s_members[i], ref, FOR), 0);
    }
    board_proposal_view_t pv;
    assert_int_equal(board_proposal_find(r.b, ref, r.now, &pv, NULL), 0);
    assert_false(pv.closed);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), -1);
    r.now += 8ull * 86400000; /* past the deadline */
    /* The first event after it finds the pool decided, but not yet in
     * force: nothing is pledged before the partners execute it. */
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")),
              CC_FAILED_PRECONDITION, "pool PLY-IF is not in force");
    uint64_t first_after = r.index;
    s_execute_all(&r);
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    assert_int_equal(pool_get(r.e, "PLY-IF", &v), 0);
    assert_string_equal(v.agreement_id, ref);
    board_pool_decision_t d;
    assert_int_equal(board_pool_decision_count(r.b), 1);
    board_pool_decision_at(r.b, 0, &d);
    assert_int_equal(d.effect_index, first_after); /* before that event, at its position */
    s_replay_same(&r);
    s_run_free(&r);
}

/* Hostile statement certificates are refused before anything is read. */
static void test_pool_statement_certificate_hostile(void **state)
{
    (void)state;
    static const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f};
    statement_report_t rep;
    cc_err_t err;
    s_refused_err(statement_verify(junk, sizeof junk, s_roster, &rep, &err), &err,
                  CC_INVALID_ARGUMENT, "not a signed certificate");
    s_refused_err(statement_verify(junk, 0, s_roster, &rep, &err), &err, CC_UNAUTHENTICATED,
                  "carries no signature");
    statement_report_free(&rep); /* safe after a failure */
}

/* What `proposal show` and `verify` print of a pool proposal. */
static void test_pool_describe_proposals(void **state)
{
    (void)state;
    s_agr_t g;
    char text[512], small[16];
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    s_plymouth(&g);
    p.kind = CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT;
    p.pool_agreement = &g.a;
    size_t need = pool_describe(&p, text, sizeof text);
    assert_int_equal(need, strlen(text));
    assert_string_equal(text, "Pool PLY-IF \"Plymouth integrated fund\", hosted by E06000026.\n"
                              "  E06000026  2015/16 £131,000,000.00\n"
                              "  E38000129  2015/16 £331,000,000.00\n");
    assert_int_equal(pool_describe(&p, small, sizeof small), need);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_int_equal(pool_describe(&p, NULL, 0), need);
    g.nhs[g.a.n_nhs_functions++] = "Primary medical services";
    pool_describe(&p, text, sizeof text);
    assert_non_null(strstr(text, "every partner must vote FOR"));
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    assert_int_equal(pool_describe(&p, text, sizeof text), 0);
    assert_string_equal(text, "");
}

static void test_pool_variation_lapses_when_year_closes(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char var[33];
    pool_variation_view_t vv;
    s_run_init(&r);
    s_plymouth_active(&r, &g);
    assert_int_equal(s_vary(&r, PLYMOUTH, "PLY-IF", NEW_DEVON, 2015, s_pounds("340m"), var), 0);
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("462m")), 0);
    s_all_vote(&r, var, FOR);
    assert_int_equal(pool_variation_get(r.e, var, &vv), 0);
    assert_int_equal(vv.status, POOL_VARIATION_LAPSED);
    assert_non_null(strstr(vv.missing, "lapsed: 2015/16 of pool PLY-IF is closed"));
    s_run_free(&r);
}

static void test_pool_outturn_rules(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    pool_statement_t st;
    s_run_init(&r);
    s_plymouth(&g);
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_refused(&r, s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, 1), CC_NOT_FOUND, "no pool");
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_int_equal(s_pledge(&r, PLYMOUTH, "PLY-IF", PLYMOUTH, 2015, s_pounds("131m")), 0);
    s_refused(&r, s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, 1), CC_FAILED_PRECONDITION,
              "not fully pledged: E38000129 for 2015/16: agreed £331,000,000.00, no pledge");
    assert_int_equal(s_pledge(&r, NEW_DEVON, "PLY-IF", NEW_DEVON, 2015, s_pounds("331m")), 0);
    s_refused(&r, s_outturn(&r, NEW_DEVON, "PLY-IF", 2015, 1), CC_PERMISSION_DENIED,
              "only E06000026, who keeps pool PLY-IF's accounts");
    s_refused(&r, s_outturn(&r, PLYMOUTH, "PLY-IF", 2016, 1), CC_NOT_FOUND, "no contributions");
    s_refused(&r, s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, -1), CC_INVALID_ARGUMENT,
              "spend of at least 0");
    /* An underspend of £2,000,000.01: shares are negative and sum to it. */
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("459,999,999.99")), 0);
    assert_int_equal(pool_statement(r.e, "PLY-IF", 2015, &st, NULL), 0);
    assert_int_equal(st.variance, -200000001);
    assert_true(st.lines[0].part.share < 0 && st.lines[1].part.share < 0);
    assert_int_equal(st.lines[0].part.share + st.lines[1].part.share, -200000001);
    s_refused(&r, s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, 1), CC_ALREADY_EXISTS,
              "already recorded");
    /* Aligned budgets keep no pooled balance. */
    s_aligned(&g);
    assert_int_equal(s_propose(&r, SHEFFIELD, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_int_equal(s_pledge(&r, SHEFFIELD, "SHF-ALIGN", SHEFFIELD, 2016, s_pounds("40m")), 0);
    assert_int_equal(s_pledge(&r, SHEFF_CCG, "SHF-ALIGN", SHEFF_CCG, 2016, s_pounds("60m")), 0);
    assert_int_equal(s_status(&r, "SHF-ALIGN"), POOL_ACTIVE);
    s_refused(&r, s_outturn(&r, SHEFFIELD, "SHF-ALIGN", 2016, 1), CC_FAILED_PRECONDITION,
              "keeps no pooled balance (aligned budgets)");
    assert_int_equal(pool_statement(r.e, "SHF-ALIGN", 2016, &st, NULL), 0);
    assert_string_equal(st.accountable, "");
    assert_null(st.rule);
    s_run_free(&r);
}

static void test_pool_transfer_and_lead_commissioning_in_the_engine(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    pool_statement_t st;
    s_run_init(&r);
    /* s256: only the paying CCG pledges; the council receives. */
    s_transfer(&g, S256, SHEFF_CCG, SHEFFIELD);
    assert_int_equal(s_propose(&r, SHEFF_CCG, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    s_refused(&r, s_pledge(&r, SHEFFIELD, "XFER", SHEFFIELD, 2017, 1), CC_INVALID_ARGUMENT,
              "no contribution from E08000019");
    assert_int_equal(s_pledge(&r, SHEFF_CCG, "XFER", SHEFF_CCG, 2017, s_pounds("2.5m")), 0);
    assert_int_equal(s_status(&r, "XFER"), POOL_ACTIVE);
    s_refused(&r, s_outturn(&r, SHEFF_CCG, "XFER", 2017, 1), CC_FAILED_PRECONDITION,
              "(a transfer)");
    /* A variation the board passes but the pool cannot take lapses. */
    char var[33];
    pool_variation_view_t vv;
    assert_int_equal(s_vary(&r, SHEFF_CCG, "XFER", SHEFFIELD, 2017, 1, var), 0);
    s_all_vote(&r, var, FOR);
    assert_int_equal(pool_variation_get(r.e, var, &vv), 0);
    assert_int_equal(vv.status, POOL_VARIATION_LAPSED);
    assert_non_null(strstr(vv.missing, "receives the transfer"));
    /* Lead commissioning: the lead keeps the accounts; fixed 25:75. */
    s_lead(&g);
    assert_int_equal(s_propose(&r, SHEFF_CCG, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_int_equal(s_pledge(&r, SHEFFIELD, "SHF-LEAD", SHEFFIELD, 2016, s_pounds("10m")), 0);
    assert_int_equal(s_pledge(&r, SHEFF_CCG, "SHF-LEAD", SHEFF_CCG, 2016, s_pounds("30m")), 0);
    s_refused(&r, s_outturn(&r, SHEFF_CCG, "SHF-LEAD", 2016, 1), CC_PERMISSION_DENIED,
              "only E08000019");
    assert_int_equal(s_outturn(&r, SHEFFIELD, "SHF-LEAD", 2016, s_pounds("40m") + 3), 0);
    assert_int_equal(pool_statement(r.e, "SHF-LEAD", 2016, &st, NULL), 0);
    /* 3p at 2500:7500 of 10000: 3 x 2500 = 7500 gives the council quota
     * 0, remainder 7500; 3 x 7500 = 22500 gives the CCG quota 2,
     * remainder 2500. The one penny left goes to the larger remainder:
     * the council. */
    assert_int_equal(st.lines[0].part.share, 1);
    assert_int_equal(st.lines[1].part.share, 2);
    s_run_free(&r);
}

/* ---- the arithmetic ---- */

/* A small deterministic generator, so failures reproduce. */
static uint64_t s_rand_state = 0x9e3779b97f4a7c15ull;

static uint64_t s_rand(void)
{
    s_rand_state ^= s_rand_state << 13;
    s_rand_state ^= s_rand_state >> 7;
    s_rand_state ^= s_rand_state << 17;
    return s_rand_state;
}

static int64_t s_rand_amount(void)
{
    switch (s_rand() % 4) {
    case 0:
        return (int64_t)(s_rand() % 1000);
    case 1:
        return (int64_t)(s_rand() % 100000000000ull);
    case 2:
        return (int64_t)(s_rand() >> 1); /* up to 2^63 - 1 */
    default:
        return (int64_t)(s_rand() % 3);
    }
}

static void s_codes(char codes[][8], const char **ptrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        snprintf(codes[i], 8, "P%05u", (unsigned)(s_rand() % 100000));
        for (size_t k = 0; k < i; k++) {
            if (strcmp(codes[k], codes[i]) == 0) {
                i--; /* draw again: codes are distinct */
                break;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        ptrs[i] = codes[i];
    }
}

static void test_pool_split_properties(void **state)
{
    (void)state;
    char codes[16][8];
    const char *ptrs[16], *perm_codes[16];
    int64_t w[16], perm_w[16];
    money_part_t parts[16], perm[16];
    for (int round = 0; round < 20000; round++) {
        size_t n = 1 + s_rand() % 12;
        s_codes(codes, ptrs, n);
        int64_t wsum_small = 0;
        for (size_t i = 0; i < n; i++) {
            w[i] = round % 3 ? (int64_t)(s_rand() % 5) : s_rand_amount();
            wsum_small += w[i] > 0;
        }
        if (!wsum_small) {
            w[s_rand() % n] = 1;
        }
        int64_t total = s_rand_amount();
        total = s_rand() % 2 ? -total : total;
        assert_int_equal(money_split(total, w, ptrs, n, parts, NULL), 0);
        __int128 W = 0, sum = 0;
        int64_t mag = total < 0 ? -total : total, quotas = 0;
        int pennies = 0;
        for (size_t i = 0; i < n; i++) {
            W += w[i];
        }
        for (size_t i = 0; i < n; i++) {
            sum += parts[i].share;
            quotas += parts[i].quota;
            pennies += parts[i].penny;
            /* Same sign as the total; the exact share rounded down, plus
             * at most a penny. */
            assert_true(total >= 0 ? parts[i].share >= 0 : parts[i].share <= 0);
            assert_true((__int128)parts[i].quota == (__int128)mag * w[i] / W);
            assert_true(parts[i].penny == 0 || parts[i].penny == 1);
            assert_true(w[i] > 0 || parts[i].share == 0);
        }
        assert_true(sum == total);
        assert_int_equal(pennies, mag - quotas);
        /* Remainder order: no part without a penny has a larger remainder
         * (or an equal one and a smaller code) than one with a penny. */
        for (size_t i = 0; i < n; i++) {
            for (size_t j = 0; j < n; j++) {
                if (parts[i].penny && !parts[j].penny) {
                    __int128 ri = (__int128)mag * w[i] % W, rj = (__int128)mag * w[j] % W;
                    assert_true(ri > rj || (ri == rj && strcmp(ptrs[i], ptrs[j]) < 0));
                }
            }
        }
        /* The order of the inputs does not matter. */
        for (size_t i = 0; i < n; i++) {
            perm_codes[i] = ptrs[n - 1 - i];
            perm_w[i] = w[n - 1 - i];
        }
        assert_int_equal(money_split(total, perm_w, perm_codes, n, perm, NULL), 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(perm[i].share, parts[n - 1 - i].share);
        }
    }
}

static void test_pool_split_ties_go_by_code(void **state)
{
    (void)state;
    const char *codes[3] = {"E38000146", "E08000019", "E06000026"};
    int64_t w[3] = {1, 1, 1};
    money_part_t parts[3];
    /* 100p three ways: 33 each, one penny to the smallest code. */
    assert_int_equal(money_split(100, w, codes, 3, parts, NULL), 0);
    assert_int_equal(parts[0].share, 33);
    assert_int_equal(parts[1].share, 33);
    assert_int_equal(parts[2].share, 34);
    /* 200p: two pennies, to the two smallest codes. */
    assert_int_equal(money_split(-200, w, codes, 3, parts, NULL), 0);
    assert_int_equal(parts[0].share, -66);
    assert_int_equal(parts[1].share, -67);
    assert_int_equal(parts[2].share, -67);
}

static void test_pool_split_refusals(void **state)
{
    (void)state;
    const char *codes[2] = {"A1", "B2"};
    int64_t w[2] = {1, 1}, zero[2] = {0, 0}, neg[2] = {1, -1};
    money_part_t parts[2];
    cc_err_t err;
    s_refused_err(money_split(INT64_MIN, w, codes, 2, parts, &err), &err, CC_INVALID_ARGUMENT,
                  "a split needs");
    s_refused_err(money_split(5, zero, codes, 2, parts, &err), &err, CC_INVALID_ARGUMENT,
                  "every weight is 0");
    s_refused_err(money_split(5, neg, codes, 2, parts, &err), &err, CC_INVALID_ARGUMENT, "negative");
    s_refused_err(money_split(5, w, codes, 0, parts, &err), &err, CC_INVALID_ARGUMENT,
                  "1 or more parts");
    /* The largest totals and weights do not overflow. */
    int64_t big[2] = {INT64_MAX, INT64_MAX};
    assert_int_equal(money_split(INT64_MAX, big, codes, 2, parts, &err), 0);
    assert_int_equal(parts[0].share, INT64_MAX / 2 + 1); /* "A1" takes the odd penny */
    assert_int_equal(parts[1].share, INT64_MAX / 2);
}

static void test_pool_risk_split_caps_property(void **state)
{
    (void)state;
    char codes[8][8];
    const char *ptrs[8];
    int64_t contrib[8];
    risk_share_part_t parts[8], plain[8];
    Concord__V1__RiskShare rule;
    Concord__V1__RiskCap caps[8], *capp[8];
    Concord__V1__FixedShare fx[8], *fxp[8];
    for (int round = 0; round < 10000; round++) {
        size_t n = 2 + s_rand() % 6;
        s_codes(codes, ptrs, n);
        concord__v1__risk_share__init(&rule);
        rule.basis = (Concord__V1__RiskShareBasis)(1 + s_rand() % 3);
        uint32_t left = POOL_BASIS_POINTS;
        for (size_t i = 0; i < n; i++) {
            contrib[i] = 1 + (int64_t)(s_rand() % 50000000000ull);
            concord__v1__fixed_share__init(&fx[i]);
            fx[i].partner = (char *)ptrs[i];
            fx[i].basis_points = i + 1 < n ? (uint32_t)(s_rand() % (left + 1)) : left;
            left -= fx[i].basis_points;
            fxp[i] = &fx[i];
        }
        if (rule.basis == FIXED) {
            rule.fixed = fxp;
            rule.n_fixed = n;
        }
        rule.borne_by = rule.basis == BORNE_BY ? (char *)ptrs[s_rand() % n] : "";
        int64_t variance = (int64_t)(s_rand() % 4000000000ull) - 2000000000;
        /* The split without caps, for comparison. */
        assert_int_equal(risk_share_split(&rule, ptrs, contrib, n, variance, plain, NULL), 0);
        /* Caps on some partners; the last is the remainder partner. */
        size_t rem = n - 1;
        rule.remainder_to = (char *)ptrs[rem];
        rule.caps = capp;
        rule.n_caps = 0;
        for (size_t i = 0; i < rem; i++) {
            if (s_rand() % 2) {
                concord__v1__risk_cap__init(&caps[rule.n_caps]);
                caps[rule.n_caps].partner = (char *)ptrs[i];
                caps[rule.n_caps].cap_pence = (int64_t)(s_rand() % 500000000ull);
                capp[rule.n_caps] = &caps[rule.n_caps];
                rule.n_caps++;
            }
        }
        if (!rule.n_caps) {
            rule.remainder_to = "";
        }
        assert_int_equal(risk_share_split(&rule, ptrs, contrib, n, variance, parts, NULL), 0);
        int64_t sum = 0, cut = 0;
        for (size_t i = 0; i < n; i++) {
            sum += parts[i].share;
            cut += parts[i].cut;
            int64_t cap = -1;
            for (size_t k = 0; k < rule.n_caps; k++) {
                cap = strcmp(caps[k].partner, ptrs[i]) == 0 ? caps[k].cap_pence : cap;
            }
            int64_t mag = parts[i].share < 0 ? -parts[i].share : parts[i].share;
            if (cap >= 0) {
                assert_true(mag <= cap);
                assert_int_equal(mag + parts[i].cut,
                                 plain[i].share < 0 ? -plain[i].share : plain[i].share);
            } else if (i != rem || !rule.n_caps) {
                assert_int_equal(parts[i].share, plain[i].share);
            }
            assert_true(variance >= 0 ? parts[i].share >= 0 : parts[i].share <= 0);
        }
        assert_int_equal(sum, variance);
        if (rule.n_caps) {
            assert_int_equal(parts[rem].share, plain[rem].share + (variance < 0 ? -cut : cut));
        }
    }
}

static void test_pool_risk_split_bases(void **state)
{
    (void)state;
    const char *codes[3] = {SHEFFIELD, SHEFF_CCG, NHSE};
    int64_t contrib[3] = {100, 0, 300};
    risk_share_part_t parts[3];
    Concord__V1__RiskShare rule = CONCORD__V1__RISK_SHARE__INIT;
    Concord__V1__FixedShare fx[3], *fxp[3] = {&fx[0], &fx[1], &fx[2]};
    cc_err_t err;
    rule.basis = PRO_RATA;
    assert_int_equal(risk_share_split(&rule, codes, contrib, 3, 1001, parts, &err), 0);
    assert_int_equal(parts[0].share, 250); /* 1001/4 = 250.25 */
    assert_int_equal(parts[1].share, 0);   /* no contribution this year, no share */
    assert_int_equal(parts[2].share, 751); /* 750.75 takes the penny */
    rule.basis = FIXED;
    rule.fixed = fxp;
    rule.n_fixed = 3;
    for (int i = 0; i < 3; i++) {
        concord__v1__fixed_share__init(&fx[i]);
        fx[i].partner = (char *)codes[i];
        fx[i].basis_points = i == 2 ? 3334 : 3333;
    }
    assert_int_equal(risk_share_split(&rule, codes, contrib, 3, -100, parts, &err), 0);
    assert_int_equal(parts[0].share, -33);
    assert_int_equal(parts[1].share, -33);
    assert_int_equal(parts[2].share, -34);
    rule.basis = BORNE_BY;
    rule.n_fixed = 0;
    rule.borne_by = SHEFF_CCG;
    assert_int_equal(risk_share_split(&rule, codes, contrib, 3, 12345, parts, &err), 0);
    assert_int_equal(parts[1].share, 12345);
    assert_int_equal(parts[0].share + parts[2].share, 0);
    /* PRO_RATA with nothing contributed cannot split. */
    int64_t none[3] = {0, 0, 0};
    rule.basis = PRO_RATA;
    rule.borne_by = "";
    s_refused_err(risk_share_split(&rule, codes, none, 3, 5, parts, &err), &err, CC_INVALID_ARGUMENT,
                  "every weight is 0");
    s_refused_err(risk_share_split(NULL, codes, none, 3, 5, parts, &err), &err, CC_INVALID_ARGUMENT,
                  "a risk share is");
}

/* Sheffield's planned pool (seed 000 p.25): £270m between Sheffield CCG
 * and Sheffield City Council. The seed gives only the total; the equal
 * contributions here are this test's assumption, chosen so that a 50:50
 * fixed risk share meets a tie on the odd penny. */
static void test_pool_sheffield_planned_pool(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    char ref[33];
    pool_statement_t st;
    s_run_init(&r);
    s_agr(&g, "SHF-POOL", POOLED);
    g.a.name = "Sheffield health and social care fund";
    s_partner(&g, SHEFF_CCG);
    s_partner(&g, SHEFFIELD);
    s_contrib(&g, SHEFF_CCG, 2016, s_pounds("135m"));
    s_contrib(&g, SHEFFIELD, 2016, s_pounds("135m"));
    s_pooled_texts(&g, SHEFFIELD);
    g.nhs[g.a.n_nhs_functions++] = "Non-surgical emergency admissions";
    s_rule(&g, FIXED);
    s_fixed(&g, SHEFF_CCG, 5000);
    s_fixed(&g, SHEFFIELD, 5000);
    assert_int_equal(s_propose(&r, SHEFF_CCG, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    assert_int_equal(s_pledge(&r, SHEFF_CCG, "SHF-POOL", SHEFF_CCG, 2016, s_pounds("135m")), 0);
    assert_int_equal(s_pledge(&r, SHEFFIELD, "SHF-POOL", SHEFFIELD, 2016, s_pounds("135m")), 0);
    assert_int_equal(pool_statement(r.e, "SHF-POOL", 2016, &st, NULL), 0);
    assert_int_equal(st.total, s_pounds("270m"));
    /* £1,000.01 over: 50000.5p each; the tie goes to the smaller code,
     * the council (E08... before E38...). */
    assert_int_equal(s_outturn(&r, SHEFFIELD, "SHF-POOL", 2016, s_pounds("270,001,000.01")), 0);
    assert_int_equal(pool_statement(r.e, "SHF-POOL", 2016, &st, NULL), 0);
    assert_int_equal(st.lines[0].part.share, 50000); /* the CCG */
    assert_int_equal(st.lines[1].part.share, 50001); /* the council */
    s_run_free(&r);
}

/* ---- Better Care Fund ---- */

typedef struct {
    Concord__V1__BcfPlan p;
    Concord__V1__BcfCcgContribution ccg[4];
    Concord__V1__BcfCcgContribution *ccgp[4];
    Concord__V1__DfgAllocation dfg[8];
    Concord__V1__DfgAllocation *dfgp[8];
    Concord__V1__AdditionalContribution add[2];
    Concord__V1__AdditionalContribution *addp[2];
    char *conds[4];
    Concord__V1__BcfPlanYear year2;
    Concord__V1__BcfPlanYear *year2p[1];
} s_plan_t;

static void s_plan_init(s_plan_t *b, const char *id, const char *hwb, uint32_t year)
{
    memset(b, 0, sizeof *b);
    concord__v1__bcf_plan__init(&b->p);
    b->p.plan_id = (char *)id;
    b->p.hwb = (char *)hwb;
    b->p.financial_year = year;
    b->p.ccg_minimum = b->ccgp;
    b->p.dfg_allocations = b->dfgp;
    b->p.additional = b->addp;
    b->conds[0] = "nhs_social_care_maintained";
    b->conds[1] = "out_of_hospital_investment";
    b->conds[2] = "managing_transfers_of_care";
    b->p.conditions_met = b->conds;
    b->p.n_conditions_met = 3;
    b->p.pool_id = "CUM-POOL";
}

static void s_plan_ccg(s_plan_t *b, const char *ccg, int64_t pence)
{
    size_t i = b->p.n_ccg_minimum++;
    concord__v1__bcf_ccg_contribution__init(&b->ccg[i]);
    b->ccg[i].ccg = (char *)ccg;
    b->ccg[i].amount_pence = pence;
    b->ccgp[i] = &b->ccg[i];
}

static void s_plan_dfg(s_plan_t *b, const char *district, int64_t pence)
{
    size_t i = b->p.n_dfg_allocations++;
    concord__v1__dfg_allocation__init(&b->dfg[i]);
    b->dfg[i].district = (char *)district;
    b->dfg[i].amount_pence = pence;
    b->dfgp[i] = &b->dfg[i];
}

static void s_plan_total(s_plan_t *b)
{
    pool_bcf_totals_t t;
    assert_int_equal(pool_bcf_totals(&b->p, &t, NULL), 0);
    b->p.total_pence = t.total;
}

/* Cumbria's plan: its two CCGs, DFG passed to its six districts. The
 * amounts are illustrative, not Cumbria's real allocations. */
static void s_cumbria(s_plan_t *b, const char *id)
{
    s_plan_init(b, id, CUMBRIA, 2017);
    s_plan_ccg(b, N_CUMBRIA, s_pounds("30m"));
    s_plan_ccg(b, MORECAMBE, s_pounds("12m"));
    b->p.dfg_pence = s_pounds("4.2m");
    for (int i = 0; i < 6; i++) {
        s_plan_dfg(b, s_cumbria_districts[i], s_pounds("700k"));
    }
    b->p.ibcf_pence = s_pounds("9.5m");
    s_plan_total(b);
}

/* The plan made a 2017-19 plan: 2018/19 with the same streams, but an
 * iBCF of £12m (the total its sum). */
static void s_second_year(s_plan_t *b)
{
    Concord__V1__BcfPlanYear *y = &b->year2;
    concord__v1__bcf_plan_year__init(y);
    y->financial_year = b->p.financial_year + 1;
    y->ccg_minimum = b->p.ccg_minimum;
    y->n_ccg_minimum = b->p.n_ccg_minimum;
    y->dfg_pence = b->p.dfg_pence;
    y->dfg_allocations = b->p.dfg_allocations;
    y->n_dfg_allocations = b->p.n_dfg_allocations;
    y->ibcf_pence = s_pounds("12m");
    y->total_pence = b->p.total_pence - b->p.ibcf_pence + y->ibcf_pence;
    b->year2p[0] = y;
    b->p.later_years = b->year2p;
    b->p.n_later_years = 1;
}

static int s_plan_check(const s_plan_t *b, int with_area, cc_err_t *err)
{
    pool_area_t cumbria = {.hwb = CUMBRIA,
                           .districts = s_cumbria_districts,
                           .n_districts = 6,
                           .ccgs = s_cumbria_ccgs,
                           .n_ccgs = 2};
    err_clear(err);
    return pool_bcf_plan_check(s_roster, &b->p, with_area ? &cumbria : NULL, err);
}

static void test_pool_bcf_england_minimum_2017_19(void **state)
{
    (void)state;
    /* England's BCF minimum (seed 003 s2.2, DoH & DCLG policy framework
     * 2017-19): the streams summed reproduce the totals. */
    static const struct {
        uint32_t year;
        const char *ccg, *dfg, *ibcf, *total;
    } years[] = {
        {2017, "3.582bn", "0.431bn", "1.115bn", "5.128bn"},
        {2018, "3.650bn", "0.468bn", "1.499bn", "5.617bn"},
    };
    for (size_t i = 0; i < 2; i++) {
        s_plan_t b;
        pool_bcf_totals_t t;
        s_plan_init(&b, "ENGLAND", "E92000001", years[i].year);
        s_plan_ccg(&b, "CCGS", s_pounds(years[i].ccg));
        b.p.dfg_pence = s_pounds(years[i].dfg);
        b.p.ibcf_pence = s_pounds(years[i].ibcf);
        assert_int_equal(pool_bcf_totals(&b.p, &t, NULL), 0);
        assert_int_equal(t.ccg_minimum, s_pounds(years[i].ccg));
        assert_int_equal(t.total, s_pounds(years[i].total));
    }
    assert_int_equal(s_pounds("5.128bn"), 512800000000);
    assert_int_equal(s_pounds("5.617bn"), 561700000000);
}

static void test_pool_bcf_two_tier_dfg_to_districts(void **state)
{
    (void)state;
    s_plan_t b;
    cc_err_t err;
    s_cumbria(&b, "BCF-CUMBRIA-17");
    assert_int_equal(s_plan_check(&b, 1, &err), 0);
    /* The DFG left with the county is refused. */
    b.p.n_dfg_allocations = 0;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "leaves £4,200,000.00 of the Disabled Facilities Grant with county E10000006");
    assert_non_null(strstr(err.msg, "must go to the district councils"));
    assert_non_null(strstr(err.msg, "unless a district and the county jointly agree otherwise"));
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.dfg[5].district = CUMBRIA; /* South Lakeland's part kept by the county */
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "leaves £700,000.00 of the Disabled Facilities Grant with county");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.n_dfg_allocations = 5; /* South Lakeland gets nothing */
    b.dfg[0].amount_pence += s_pounds("700k");
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "gives no DFG to district E07000031");
    /* ... unless South Lakeland and the county jointly agree it: the
     * county keeps its part, and South Lakeland gets nothing. */
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.dfg[5].amount_pence = 0;
    b.dfg[5].county_keeps_pence = s_pounds("700k");
    assert_int_equal(s_plan_check(&b, 1, &err), 0);
    pool_bcf_totals_t t;
    assert_int_equal(pool_bcf_totals(&b.p, &t, NULL), 0);
    assert_int_equal(t.dfg_to_districts, s_pounds("3.5m"));
    assert_int_equal(t.dfg_county_keeps, s_pounds("700k"));
    b.dfg[5].county_keeps_pence = s_pounds("800k"); /* more than the grant */
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "more than the grant");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.dfg[0].district = "E07000177"; /* Cherwell, in Oxfordshire */
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "'E07000177', which is not a district of E10000006");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.dfg[0].amount_pence += 1;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "more than the grant");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.dfg[1].district = b.dfg[0].district;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "DFG allocated twice");
    /* A county without its districts cannot be judged. */
    s_cumbria(&b, "BCF-CUMBRIA-17");
    s_refused_err(s_plan_check(&b, 0, &err), &err, CC_FAILED_PRECONDITION,
                  "E10000006 is a shire county: its districts");
}

static void test_pool_bcf_plan_rules(void **state)
{
    (void)state;
    s_plan_t b;
    cc_err_t err;
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.total_pence += 1;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "states a total of £55,700,000.01, but its streams sum to £55,700,000.00");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.n_ccg_minimum = 1; /* Morecambe Bay left out */
    s_plan_total(&b);
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "no minimum contribution from E38000216, a relevant CCG");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.ccg[1].ccg = NEW_DEVON;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT,
                  "E38000129 is not a relevant CCG of HWB area E10000006");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.ccg[1].ccg = CARLISLE;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "is not a CCG");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.ccg[1].amount_pence = 0;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "must be positive");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.ccg[1].ccg = N_CUMBRIA;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "named twice");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.hwb = CARLISLE;
    s_refused_err(s_plan_check(&b, 0, &err), &err, CC_INVALID_ARGUMENT,
                  "which is not an upper-tier council");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.dfg_pence = 0;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "must include the");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.ibcf_pence = -5;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "negative");
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.financial_year = 3000;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "years run");
    s_cumbria(&b, "x");
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "plan id 'x'");
    /* A second year is checked as the first is. */
    s_cumbria(&b, "BCF-CUMBRIA-17-19");
    s_second_year(&b);
    assert_int_equal(pool_bcf_year_check(s_roster, &b.p, 1, NULL, &err), -1); /* no districts */
    pool_area_t cumbria = {.hwb = CUMBRIA, .districts = s_cumbria_districts, .n_districts = 6,
                           .ccgs = s_cumbria_ccgs, .n_ccgs = 2};
    assert_int_equal(pool_bcf_year_check(s_roster, &b.p, 1, &cumbria, &err), 0);
    b.year2.total_pence += 1;
    s_refused_err(pool_bcf_year_check(s_roster, &b.p, 1, &cumbria, &err), &err,
                  CC_INVALID_ARGUMENT, "2018/19: BCF plan BCF-CUMBRIA-17-19 states a total");
    b.year2.total_pence -= 1;
    b.year2.financial_year = 2019;
    s_refused_err(pool_bcf_year_check(s_roster, &b.p, 1, &cumbria, &err), &err,
                  CC_INVALID_ARGUMENT, "must be 2018/19");
    /* Additional voluntary contributions count in the total. */
    s_cumbria(&b, "BCF-CUMBRIA-17");
    concord__v1__additional_contribution__init(&b.add[0]);
    b.add[0].contributor = CUMBRIA;
    b.add[0].amount_pence = s_pounds("5m");
    b.add[0].purpose = "Intermediate care beds";
    b.addp[0] = &b.add[0];
    b.p.n_additional = 1;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "streams sum to");
    s_plan_total(&b);
    assert_int_equal(s_plan_check(&b, 1, &err), 0);
    assert_int_equal(b.p.total_pence, s_pounds("60.7m"));
    b.add[0].contributor = STRANGER;
    s_refused_err(s_plan_check(&b, 1, &err), &err, CC_INVALID_ARGUMENT, "in the roster");
    /* A single-tier area keeps its DFG: the council is the housing
     * authority. */
    s_plan_init(&b, "BCF-PLY-17", PLYMOUTH, 2017);
    s_plan_ccg(&b, NEW_DEVON, s_pounds("20m"));
    b.p.dfg_pence = s_pounds("1.9m");
    s_plan_total(&b);
    assert_int_equal(pool_bcf_plan_check(s_roster, &b.p, NULL, &err), 0);
    s_plan_dfg(&b, CARLISLE, s_pounds("1m"));
    s_refused_err(pool_bcf_plan_check(s_roster, &b.p, NULL, &err), &err, CC_INVALID_ARGUMENT,
                  "single-tier area");
}

static int s_plan_submit(s_run_t *r, const char *sender, const s_plan_t *b, char ref[33])
{
    return s_msg(r, sender, POOL_METHOD_BCF_PLAN, &b->p.base, ref);
}

static int s_act(s_run_t *r, const char *sender, const char *plan, const char *version, int act)
{
    Concord__V1__BcfSignoff s = CONCORD__V1__BCF_SIGNOFF__INIT;
    s.plan_id = (char *)plan;
    s.plan_version = (char *)version;
    s.act = (Concord__V1__BcfAct)act;
    return s_msg(r, sender, POOL_METHOD_BCF_SIGN, &s.base, NULL);
}

/* The HWB's agreement by the council, citing its board's decision. */
static int s_hwb(s_run_t *r, const char *sender, const char *plan, const char *version,
                 const char *decision)
{
    Concord__V1__BcfSignoff s = CONCORD__V1__BCF_SIGNOFF__INIT;
    s.plan_id = (char *)plan;
    s.plan_version = (char *)version;
    s.act = HWB;
    s.board_decision = (char *)decision;
    return s_msg(r, sender, POOL_METHOD_BCF_SIGN, &s.base, NULL);
}

/* A decision of BOARD (marked as Cumbria's HWB) agreeing plan: passed
 * when vote is FOR. */
static void s_hwb_decide(s_run_t *r, const char *plan, int vote, char ref[33])
{
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    p.board_id = BOARD;
    p.title = "Agree the Better Care Fund plan";
    p.kind = CONCORD__V1__PROPOSAL_KIND__COMMISSIONING_DECISION;
    p.area = CONCORD__V1__SERVICE_AREA__SOCIAL_CARE;
    p.bcf_plan = (char *)plan;
    p.closes_at_ms = r->now + 7ull * 86400000;
    assert_int_equal(s_msg(r, CUMBRIA, BOARD_METHOD_PROPOSE, &p.base, ref), 0);
    s_all_vote(r, ref, vote);
}

/* CUM-POOL, the s75 pooled fund of the county and its two CCGs that holds
 * Cumbria's BCF (NHS Act 2006 s223GA): recommended by BOARD and, with
 * executed = 1, executed by every partner. */
static void s_cumbria_pool(s_run_t *r, int executed)
{
    s_agr_t g;
    char ref[33];
    s_agr(&g, "CUM-POOL", POOLED);
    g.a.name = "Cumbria Better Care Fund";
    s_partner(&g, CUMBRIA);
    s_partner(&g, N_CUMBRIA);
    s_partner(&g, MORECAMBE);
    s_contrib(&g, CUMBRIA, 2017, s_pounds("14.7m"));
    s_contrib(&g, N_CUMBRIA, 2017, s_pounds("30m"));
    s_contrib(&g, MORECAMBE, 2017, s_pounds("12m"));
    s_pooled_texts(&g, CUMBRIA);
    s_rule(&g, PRO_RATA);
    assert_int_equal(s_propose(r, CUMBRIA, &g, ref), 0);
    s_all_vote(r, ref, FOR);
    if (executed) {
        s_execute_all(r);
    }
}

static void test_pool_bcf_needs_an_executed_pool(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b;
    s_run_init(&r);
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.pool_id = "";
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_FAILED_PRECONDITION,
              "BCF plan BCF-CUMBRIA-17 names no pool: the Better Care Fund must be held in a"
              " pooled fund under s75 (NHS Act 2006 s223GA)");
    b.p.pool_id = "CUM-POOL";
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_NOT_FOUND,
              "names pool 'CUM-POOL', which does not exist");
    s_cumbria_pool(&r, 0); /* recommended, not executed */
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_FAILED_PRECONDITION,
              "names pool CUM-POOL, which is not in force (awaiting execution by E10000006");
    assert_non_null(strstr(r.err.msg, "executed s75 pooled fund (NHS Act 2006 s223GA)"));
    s_execute_all(&r);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, NULL), 0);
    s_run_free(&r);
}

static void test_pool_bcf_national_conditions_by_year(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b;
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, "BCF-CUMBRIA-17");
    b.p.n_conditions_met = 2; /* managing transfers of care not confirmed */
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "does not confirm the 2017-19 national condition 'Managing transfers of care'"
              " (managing_transfers_of_care) for 2017/18 (Annex A)");
    b.p.n_conditions_met = 3;
    /* 2016/17 had other conditions: seven-day services among them. */
    b.p.financial_year = 2016;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "does not confirm the 2016/17 national condition '7-day services'");
    b.conds[0] = "seven_day_services";
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "confirms 'out_of_hospital_investment', which is no national condition of its years");
    b.p.n_conditions_met = 1;
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, NULL), 0);
    /* No conditions known for 2019/20. */
    s_cumbria(&b, "BCF-CUMBRIA-19");
    b.p.financial_year = 2019;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_FAILED_PRECONDITION,
              "no national conditions are known for 2019/20");
    /* A 2017-19 plan: two years, one chain. */
    s_cumbria(&b, "BCF-CUMBRIA-17-19");
    s_second_year(&b);
    char v[33];
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v), 0);
    pool_bcf_view_t view;
    assert_int_equal(pool_bcf_get(r.e, "BCF-CUMBRIA-17-19", &view), 0);
    assert_int_equal(view.plan->n_later_years, 1);
    /* It holds 2018/19 too: no second plan for that year. */
    s_cumbria(&b, "BCF-CUMBRIA-18");
    b.p.financial_year = 2018;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_ALREADY_EXISTS,
              "HWB E10000006 already has BCF plan BCF-CUMBRIA-17-19 for 2017/18");
    s_run_free(&r);
}

static void test_pool_bcf_signoff_any_order(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b;
    char v1[33], dec[33], other[33];
    pool_bcf_view_t view;
    const char *id = "BCF-CUMBRIA-17";
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, id);
    s_refused(&r, s_plan_submit(&r, N_CUMBRIA, &b, v1), CC_PERMISSION_DENIED,
              "submitted by its HWB council E10000006");
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v1), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_string_equal(view.missing,
                        "HWB agreement (by E10000006); council sign-off by E10000006; CCG sign-off"
                        " by E38000215; CCG sign-off by E38000216; NHS England's outcome");
    assert_int_equal(view.totals.total, s_pounds("55.7m"));
    /* Sign-off in any order: the CCGs first, then the council. */
    assert_int_equal(s_act(&r, MORECAMBE, id, v1, CCG_SIGN), 0);
    assert_int_equal(s_act(&r, N_CUMBRIA, id, v1, CCG_SIGN), 0);
    s_refused(&r, s_act(&r, N_CUMBRIA, id, v1, CCG_SIGN), CC_ALREADY_EXISTS, "already did that");
    s_refused(&r, s_act(&r, NEW_DEVON, id, v1, CCG_SIGN), CC_PERMISSION_DENIED,
              "is not a CCG of BCF plan");
    assert_int_equal(s_act(&r, CUMBRIA, id, v1, COUNCIL), 0);
    /* The HWB's agreement is its board's decision, named and checked. */
    s_refused(&r, s_act(&r, CUMBRIA, id, v1, HWB), CC_INVALID_ARGUMENT,
              "is a decision of its Health and Wellbeing Board: name that board's passed"
              " proposal");
    s_refused(&r, s_hwb(&r, CUMBRIA, id, v1, "0123456789abcdef0123456789abcdef"), CC_NOT_FOUND,
              "no board proposal 0123456789abcdef0123456789abcdef");
    s_hwb_decide(&r, "BCF-OTHER", FOR, other);
    s_refused(&r, s_hwb(&r, CUMBRIA, id, v1, other), CC_FAILED_PRECONDITION,
              "does not agree BCF plan BCF-CUMBRIA-17: it agrees BCF-OTHER");
    s_hwb_decide(&r, id, AGAINST, other);
    s_refused(&r, s_hwb(&r, CUMBRIA, id, v1, other), CC_FAILED_PRECONDITION,
              "has not passed and taken effect");
    s_hwb_decide(&r, id, FOR, dec);
    s_refused(&r, s_hwb(&r, N_CUMBRIA, id, v1, dec), CC_PERMISSION_DENIED,
              "only an HWB council of BCF plan BCF-CUMBRIA-17");
    /* NHS England cannot decide before the HWB has agreed. */
    s_refused(&r, s_act(&r, NHSE, id, v1, APPROVE), CC_FAILED_PRECONDITION,
              "cannot approve BCF plan BCF-CUMBRIA-17 yet: missing HWB agreement (by E10000006)");
    assert_int_equal(s_hwb(&r, CUMBRIA, id, v1, dec), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_true(view.approvable);
    assert_string_equal(view.missing, "NHS England's outcome");
    s_refused(&r, s_act(&r, N_CUMBRIA, id, v1, APPROVE), CC_PERMISSION_DENIED,
              "only NHS England approves");
    assert_int_equal(s_act(&r, NHSE, id, v1, APPROVE), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_true(view.approved);
    assert_int_equal(view.outcome, POOL_BCF_APPROVED);
    assert_false(view.approvable);
    assert_string_equal(view.missing, "");
    s_refused(&r, s_act(&r, NHSE, id, v1, APPROVE), CC_FAILED_PRECONDITION, "already approved");
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_FAILED_PRECONDITION,
              "can no longer be revised");
    s_refused(&r, s_act(&r, CUMBRIA, "NOPE", v1, HWB), CC_NOT_FOUND, "no BCF plan");
    s_refused(&r, s_act(&r, CUMBRIA, id, v1, 9), CC_INVALID_ARGUMENT, "a BCF act is");
    assert_int_equal(pool_bcf_count(r.e), 1);
    s_run_free(&r);
}

/* Signs off plan version v by everyone but NHS England. */
static void s_sign_all(s_run_t *r, const char *id, const char *v)
{
    char dec[33];
    s_hwb_decide(r, id, FOR, dec);
    assert_int_equal(s_hwb(r, CUMBRIA, id, v, dec), 0);
    assert_int_equal(s_act(r, CUMBRIA, id, v, COUNCIL), 0);
    assert_int_equal(s_act(r, N_CUMBRIA, id, v, CCG_SIGN), 0);
    assert_int_equal(s_act(r, MORECAMBE, id, v, CCG_SIGN), 0);
}

static void test_pool_bcf_nhs_england_outcomes(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b;
    char v1[33], v2[33];
    pool_bcf_view_t view;
    Concord__V1__BcfSignoff s = CONCORD__V1__BCF_SIGNOFF__INIT;
    Concord__V1__BcfApprovalCondition c[2], *cp[2] = {&c[0], &c[1]};
    const char *id = "BCF-CUMBRIA-17";
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, id);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v1), 0);
    s_sign_all(&r, id, v1);
    /* Not approved: the escalation is recorded, and the plan is revised. */
    s.plan_id = (char *)id;
    s.plan_version = v1;
    s.act = NOT_APPROVED;
    s_refused(&r, s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), CC_INVALID_ARGUMENT,
              "records its escalation");
    s.escalation = "Escalated to the BCF national team and the DH and DCLG ministers";
    assert_int_equal(s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_int_equal(view.outcome, POOL_BCF_NOT_APPROVED);
    assert_false(view.approved);
    assert_string_equal(view.decision->escalation, s.escalation);
    s_refused(&r, s_act(&r, CUMBRIA, id, v1, COUNCIL), CC_FAILED_PRECONDITION,
              "was not approved by NHS England: revise it");
    b.p.ibcf_pence += s_pounds("1m");
    s_plan_total(&b);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v2), 0);
    s_sign_all(&r, id, v2);
    /* Approved with conditions, each with a deadline, then met. */
    concord__v1__bcf_approval_condition__init(&c[0]);
    concord__v1__bcf_approval_condition__init(&c[1]);
    c[0].text = "Agree a delayed transfers of care trajectory";
    c[0].deadline = "2017-11-30";
    c[1].text = "Confirm the iBCF spending plan";
    c[1].deadline = "31/12/2017";
    s = (Concord__V1__BcfSignoff)CONCORD__V1__BCF_SIGNOFF__INIT;
    s.plan_id = (char *)id;
    s.plan_version = v2;
    s.act = APPROVE_IF;
    s_refused(&r, s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), CC_INVALID_ARGUMENT,
              "states 1 to 16 conditions");
    s.conditions = cp;
    s.n_conditions = 2;
    s_refused(&r, s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), CC_INVALID_ARGUMENT,
              "condition 2 of NHS England's approval");
    c[1].deadline = "2026-12-31";
    assert_int_equal(s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_int_equal(view.outcome, POOL_BCF_APPROVED_WITH_CONDITIONS);
    assert_true(view.approved);
    /* Overdue by the day of the latest event folded, not by any clock:
     * the first deadline has passed, the second not yet. */
    assert_string_equal(view.judged_on, "2026-11-24");
    assert_string_equal(view.missing,
                        "condition 1 (by 2017-11-30, OVERDUE); condition 2 (by 2026-12-31)");
    assert_int_equal(view.n_conditions_overdue, 1);
    assert_true(view.condition_overdue[0]);
    assert_false(view.condition_overdue[1]);
    s = (Concord__V1__BcfSignoff)CONCORD__V1__BCF_SIGNOFF__INIT;
    s.plan_id = (char *)id;
    s.plan_version = v2;
    s.act = MET;
    s.condition = 3;
    s_refused(&r, s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), CC_FAILED_PRECONDITION,
              "has no condition 3");
    s.condition = 1;
    s_refused(&r, s_msg(&r, CUMBRIA, POOL_METHOD_BCF_SIGN, &s.base, NULL), CC_PERMISSION_DENIED,
              "only NHS England records its conditions met");
    assert_int_equal(s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), 0);
    s_refused(&r, s_msg(&r, NHSE, POOL_METHOD_BCF_SIGN, &s.base, NULL), CC_ALREADY_EXISTS,
              "already met");
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_int_equal(view.n_conditions_met, 1);
    assert_string_equal(view.missing, "condition 2 (by 2026-12-31)");
    assert_int_equal(view.n_conditions_overdue, 0);
    s_replay_same(&r);
    s_run_free(&r);
}

/* The county's side of a DFG joint agreement with one district. */
static int s_dfg_county(s_run_t *r, const char *sender, const char *plan, const char *version,
                        const char *district)
{
    Concord__V1__BcfSignoff s = CONCORD__V1__BCF_SIGNOFF__INIT;
    s.plan_id = (char *)plan;
    s.plan_version = (char *)version;
    s.act = DFG_AGREE;
    s.district = (char *)district;
    return s_msg(r, sender, POOL_METHOD_BCF_SIGN, &s.base, NULL);
}

/* The county keeps part of a district's DFG only by a joint agreement
 * with that district: one per district that keeps none in full, each
 * signed by the district and by the county naming it, which NHS
 * England's outcome waits for; the other districts get theirs in full
 * and sign nothing. */
static void test_pool_bcf_dfg_joint_agreement(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b;
    char v1[33];
    pool_bcf_view_t view;
    const char *id = "BCF-CUMBRIA-17";
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, id);
    b.dfg[2].amount_pence = s_pounds("300k"); /* Carlisle */
    b.dfg[2].county_keeps_pence = s_pounds("400k");
    b.dfg[5].amount_pence = s_pounds("500k"); /* South Lakeland */
    b.dfg[5].county_keeps_pence = s_pounds("200k");
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v1), 0);
    s_sign_all(&r, id, v1);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_string_equal(view.missing,
                        "DFG joint agreement by district E07000028; DFG joint agreement by the"
                        " county with district E07000028; DFG joint agreement by district"
                        " E07000031; DFG joint agreement by the county with district E07000031;"
                        " NHS England's outcome");
    s_refused(&r, s_act(&r, NHSE, id, v1, APPROVE), CC_FAILED_PRECONDITION,
              "missing DFG joint agreement by district E07000028");
    s_refused(&r, s_act(&r, N_CUMBRIA, id, v1, DFG_AGREE),
              CC_PERMISSION_DENIED, "is not a district whose DFG the county keeps part of");
    assert_int_equal(s_act(&r, CARLISLE, id, v1, DFG_AGREE), 0);
    /* The county records its side for each district, naming it. */
    s_refused(&r, s_dfg_county(&r, CARLISLE, id, v1, CARLISLE), CC_PERMISSION_DENIED,
              "only county E10000006 records its side of the joint agreement on district"
              " E07000028's DFG");
    s_refused(&r, s_dfg_county(&r, CUMBRIA, id, v1, "E07000026"), CC_NOT_FOUND,
              "keeps no part of the DFG of district 'E07000026'");
    assert_int_equal(s_dfg_county(&r, CUMBRIA, id, v1, CARLISLE), 0);
    s_refused(&r, s_dfg_county(&r, CUMBRIA, id, v1, CARLISLE), CC_ALREADY_EXISTS,
              "already agreed with district E07000028");
    /* One district's agreement is not the other's. */
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_false(view.approvable);
    assert_string_equal(view.missing,
                        "DFG joint agreement by district E07000031; DFG joint agreement by the"
                        " county with district E07000031; NHS England's outcome");
    assert_int_equal(s_act(&r, S_LAKES, id, v1, DFG_AGREE), 0);
    s_refused(&r, s_act(&r, S_LAKES, id, v1, DFG_AGREE), CC_ALREADY_EXISTS,
              "E07000031 already did that");
    assert_int_equal(s_dfg_county(&r, CUMBRIA, id, v1, S_LAKES), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_true(view.approvable);
    assert_int_equal(view.totals.dfg_county_keeps, s_pounds("600k"));
    assert_non_null(strstr(view.signed_by, "DFG joint agreement by E07000028"));
    assert_non_null(strstr(view.signed_by, "DFG joint agreement by county E10000006 with district"
                                           " E07000031"));
    assert_int_equal(s_act(&r, NHSE, id, v1, APPROVE), 0);
    s_run_free(&r);
}

/* A revision that leaves the DFG with the county is refused by the engine,
 * and the plan in force, its totals and its sign-offs stay as they were. */
static void test_pool_bcf_dfg_with_county_changes_nothing(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b;
    char v1[33];
    pool_bcf_view_t before, after;
    const char *id = "BCF-CUMBRIA-17";
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, id);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v1), 0);
    assert_int_equal(s_act(&r, CUMBRIA, id, v1, COUNCIL), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &before), 0);
    b.p.n_dfg_allocations = 0;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "leaves £4,200,000.00 of the Disabled Facilities Grant with county E10000006");
    assert_int_equal(pool_bcf_count(r.e), 1);
    assert_int_equal(pool_bcf_get(r.e, id, &after), 0);
    assert_string_equal(after.version, v1);
    assert_memory_equal(&after.totals, &before.totals, sizeof before.totals);
    assert_int_equal(after.council_signed, 1);
    assert_string_equal(after.missing, before.missing);
    assert_int_equal(after.totals.dfg_to_districts, s_pounds("4.2m"));
    s_run_free(&r);
}

static void test_pool_bcf_revision_restarts_the_chain(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b, other;
    char v1[33], v2[33], dec[33];
    pool_bcf_view_t view;
    const char *id = "BCF-CUMBRIA-17";
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, id);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v1), 0);
    s_hwb_decide(&r, id, FOR, dec);
    assert_int_equal(s_hwb(&r, CUMBRIA, id, v1, dec), 0);
    assert_int_equal(s_act(&r, CUMBRIA, id, v1, COUNCIL), 0);
    b.p.ibcf_pence += s_pounds("1m");
    s_plan_total(&b);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v2), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_string_equal(view.version, v2);
    assert_false(view.hwb_agreed);
    assert_false(view.council_signed);
    s_refused(&r, s_act(&r, CUMBRIA, id, v1, COUNCIL), CC_FAILED_PRECONDITION,
              "the plan was revised");
    assert_int_equal(s_hwb(&r, CUMBRIA, id, v2, dec), 0);
    /* One plan per HWB area and year. */
    s_cumbria(&other, "BCF-CUMBRIA-B");
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &other, NULL), CC_ALREADY_EXISTS,
              "already has BCF plan BCF-CUMBRIA-17 for 2017/18");
    other.p.financial_year = 2018;
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &other, NULL), 0);
    /* A plan id keeps its area and year. */
    b.p.financial_year = 2018;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "belongs to HWB E10000006 for 2017/18");
    s_run_free(&r);
}

/* A joint plan of two HWB areas: each HWB agrees it by its own board's
 * decision, and each council signs it off. */
static void test_pool_bcf_joint_plan_of_two_hwbs(void **state)
{
    (void)state;
    s_run_t r;
    s_plan_t b, other;
    char v[33], dec[33];
    char *hwbs[1] = {PLYMOUTH};
    pool_bcf_view_t view;
    const char *id = "BCF-JOINT-17";
    s_run_init(&r);
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, id);
    b.p.other_hwbs = hwbs;
    b.p.n_other_hwbs = 1;
    hwbs[0] = CARLISLE;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "names HWB 'E07000028', which is not an upper-tier council");
    hwbs[0] = CUMBRIA;
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &b, NULL), CC_INVALID_ARGUMENT,
              "HWB E10000006 is named twice");
    hwbs[0] = PLYMOUTH;
    s_plan_ccg(&b, NEW_DEVON, s_pounds("20m")); /* Plymouth's CCG */
    s_plan_total(&b);
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_string_equal(view.missing,
                        "HWB agreement (by E10000006); HWB agreement (by E06000026); council"
                        " sign-off by E10000006; council sign-off by E06000026; CCG sign-off by"
                        " E38000215; CCG sign-off by E38000216; CCG sign-off by E38000129; NHS"
                        " England's outcome");
    /* Each HWB's own board: BOARD is Cumbria's, not Plymouth's. */
    s_hwb_decide(&r, id, FOR, dec);
    s_refused(&r, s_hwb(&r, PLYMOUTH, id, v, dec), CC_FAILED_PRECONDITION,
              "whose charter does not mark it as the Health and Wellbeing Board of E06000026");
    assert_int_equal(s_hwb(&r, CUMBRIA, id, v, dec), 0);
    assert_int_equal(s_act(&r, PLYMOUTH, id, v, COUNCIL), 0);
    assert_int_equal(pool_bcf_get(r.e, id, &view), 0);
    assert_false(view.hwb_agreed);
    assert_false(view.council_signed);
    assert_non_null(strstr(view.missing, "HWB agreement (by E06000026)"));
    /* The joint plan holds each HWB's year. */
    s_cumbria(&other, "BCF-CUMBRIA-17");
    s_refused(&r, s_plan_submit(&r, CUMBRIA, &other, NULL), CC_ALREADY_EXISTS,
              "HWB E10000006 already has BCF plan BCF-JOINT-17 for 2017/18");
    s_run_free(&r);
}

/* Councils that share a BCF area (Cornwall and the Isles of Scilly): one
 * plan, which the sharing council signs off, and none of its own. */
static void test_pool_bcf_shared_area(void **state)
{
    (void)state;
    pool_engine_t *e = pool_engine_new(s_roster);
    cc_err_t err;
    assert_non_null(e);
    const char *sharing[1] = {SHEFFIELD}; /* standing in for the Isles of Scilly */
    pool_area_t a = {.hwb = PLYMOUTH, .councils = sharing, .n_councils = 1};
    assert_int_equal(pool_engine_add_area(e, &a, &err), 0);
    pool_area_t b = {.hwb = SHEFFIELD};
    s_refused_err(pool_engine_add_area(e, &b, &err), &err, CC_ALREADY_EXISTS, "already added");
    pool_engine_destroy(&e);

    s_run_t r;
    s_plan_t p;
    char v[33];
    memset(&r, 0, sizeof r);
    r.e = pool_engine_new(s_roster);
    r.b = board_engine_new(s_roster);
    assert_non_null(r.e);
    assert_non_null(r.b);
    r.now = T0;
    assert_int_equal(pool_engine_add_area(r.e, &a, &err), 0);
    pool_condition_t c = {"2017-19", 2017, 2018, "nhs_social_care_maintained", "NHS", "A", 0};
    assert_int_equal(pool_engine_add_condition(r.e, &c, NULL), 0);
    s_refused_err(pool_engine_add_condition(r.e, &c, &err), &err, CC_INVALID_ARGUMENT,
                  "given twice for 2017");
    s_adopt_board(&r);
    s_agr_t g;
    char ref[33];
    s_plymouth(&g);
    assert_int_equal(s_propose(&r, PLYMOUTH, &g, ref), 0);
    s_all_vote(&r, ref, FOR);
    s_execute_all(&r);
    s_plan_init(&p, "BCF-SCILLY", SHEFFIELD, 2017);
    s_plan_ccg(&p, SHEFF_CCG, s_pounds("20m"));
    p.p.dfg_pence = s_pounds("1m");
    p.p.n_conditions_met = 1;
    p.p.pool_id = "PLY-IF";
    s_plan_total(&p);
    s_refused(&r, s_plan_submit(&r, SHEFFIELD, &p, NULL), CC_INVALID_ARGUMENT,
              "E08000019 has no BCF plan of its own: it shares the Better Care Fund area of"
              " E06000026");
    s_plan_init(&p, "BCF-PLY", PLYMOUTH, 2017);
    s_plan_ccg(&p, NEW_DEVON, s_pounds("20m"));
    p.p.dfg_pence = s_pounds("1m");
    p.p.n_conditions_met = 1;
    p.p.pool_id = "PLY-IF";
    s_plan_total(&p);
    assert_int_equal(s_plan_submit(&r, PLYMOUTH, &p, v), 0);
    pool_bcf_view_t view;
    assert_int_equal(pool_bcf_get(r.e, "BCF-PLY", &view), 0);
    assert_non_null(strstr(view.missing, "council sign-off by E06000026; council sign-off by"
                                         " E08000019"));
    assert_int_equal(s_act(&r, SHEFFIELD, "BCF-PLY", v, COUNCIL), 0);
    s_run_free(&r);
}

/* ---- determinism and hostile input ---- */

static void s_replay_same(const s_run_t *r)
{
    pool_engine_t *e2 = s_engine();
    board_engine_t *b2 = board_engine_new(s_roster);
    assert_non_null(b2);
    for (size_t i = 0; i < r->log.n; i++) {
        pool_event_t ev = unit_log_event(&r->log.at[i]);
        cc_err_t a, b;
        if (!s_is_board(ev.method)) {
            /* The precheck sees the decisions taken up before the event. */
            assert_int_equal(board_advance(b2, ev.log_index, ev.time_ms, NULL), 0);
            assert_int_equal(pool_follow(e2, b2, ev.log_index, NULL), 0);
            int rc1 = pool_precheck(e2, &ev, &a);
            int rc2 = pool_apply(e2, &ev, &b);
            assert_int_equal(rc1, rc2);
            if (rc2 < 0) {
                assert_string_equal(a.msg, b.msg);
            }
        } else {
            s_fold(b2, e2, &r->log.at[i], &a);
        }
    }
    assert_int_equal(pool_count(e2), pool_count(r->e));
    assert_int_equal(pool_rejection_count(e2), pool_rejection_count(r->e));
    for (size_t i = 0; i < pool_count(e2); i++) {
        pool_view_t v1, v2;
        pool_at(r->e, i, &v1);
        pool_at(e2, i, &v2);
        assert_string_equal(v1.missing, v2.missing);
        for (size_t y = 0; y < v1.n_years; y++) {
            pool_statement_t s1, s2;
            char t1[4096], t2[4096];
            assert_int_equal(pool_statement(r->e, v1.pool_id, v1.years[y], &s1, NULL), 0);
            assert_int_equal(pool_statement(e2, v2.pool_id, v2.years[y], &s2, NULL), 0);
            pool_statement_text(&s1, t1, sizeof t1);
            pool_statement_text(&s2, t2, sizeof t2);
            assert_string_equal(t1, t2);
        }
    }
    for (size_t i = 0; i < pool_bcf_count(e2); i++) {
        pool_bcf_view_t p1, p2;
        pool_bcf_at(r->e, i, &p1);
        pool_bcf_at(e2, i, &p2);
        assert_string_equal(p1.missing, p2.missing);
        assert_string_equal(p1.version, p2.version);
    }
    pool_engine_destroy(&e2);
    board_engine_destroy(&b2);
}

static int s_count_events(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    (void)hash;
    (void)log_index;
    (*(size_t *)arg)++;
    return 0;
}

static void test_pool_same_events_same_state(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    s_plan_t b;
    char v1[33];
    s_run_init(&r);
    s_plymouth_active(&r, &g);
    assert_int_equal(s_outturn(&r, PLYMOUTH, "PLY-IF", 2015, s_pounds("470m") + 7), 0);
    s_refused(&r, s_pledge(&r, PLYMOUTH, "PLY-IF", NEW_DEVON, 2015, 1), CC_PERMISSION_DENIED,
              "cannot pledge");
    s_cumbria_pool(&r, 1);
    s_cumbria(&b, "BCF-C");
    assert_int_equal(s_plan_submit(&r, CUMBRIA, &b, v1), 0);
    assert_int_equal(s_act(&r, CUMBRIA, "BCF-C", v1, COUNCIL), 0);
    s_replay_same(&r);
    size_t n = 0;
    assert_int_equal(pool_events(r.e, "PLY-IF", 0, UINT64_MAX, s_count_events, &n), 0);
    assert_int_equal(n, 5); /* two executions, two pledges, outturn: not the refusal */
    n = 0;
    assert_int_equal(pool_events(r.e, "BCF-C", 1, UINT64_MAX, s_count_events, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pool_events(r.e, "NOPE", 0, UINT64_MAX, s_count_events, &n), -1);
    s_run_free(&r);
}

static void test_pool_hostile_input(void **state)
{
    (void)state;
    s_run_t r;
    s_agr_t g;
    static const uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f, 0x12};
    cc_err_t err;
    s_run_init(&r);
    static const char *const methods[] = {POOL_METHOD_PLEDGE, POOL_METHOD_OUTTURN,
                                          POOL_METHOD_STATEMENT, POOL_METHOD_BCF_PLAN,
                                          POOL_METHOD_BCF_SIGN};
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
        s_refused(&r, s_raw(&r, PLYMOUTH, methods[i], junk, sizeof junk, NULL), CC_INVALID_ARGUMENT,
                  "");
        /* Empty bodies decode to empty messages, which every rule refuses. */
        assert_int_equal(s_raw(&r, PLYMOUTH, methods[i], junk, 0, NULL), -1);
    }
    s_refused(&r, s_raw(&r, PLYMOUTH, "concord.v1.Pool/Propose", junk, 0, NULL),
              CC_INVALID_ARGUMENT, "is not a pool method"); /* agreements go to the board */
    /* Events out of log order change nothing. */
    s_plymouth(&g);
    Concord__V1__Pledge pl = CONCORD__V1__PLEDGE__INIT;
    pl.pool_id = "PLY-IF";
    pl.partner = PLYMOUTH;
    pl.financial_year = 2015;
    pl.amount_pence = 1;
    uint8_t *body = NULL;
    size_t len = 0;
    assert_int_equal(wire_pack(&pl.base, WIRE_MAX_FRAME, &body, &len, NULL), 0);
    uint8_t call_id[16] = {1}, hash[32] = {2};
    pool_event_t ev = {.sender = PLYMOUTH,
                       .log_index = 1,
                       .time_ms = T0,
                       .call_id = call_id,
                       .hash = hash,
                       .method = POOL_METHOD_PLEDGE,
                       .body = body,
                       .body_len = len};
    s_refused_err(pool_apply(r.e, &ev, &err), &err, CC_FAILED_PRECONDITION, "out of log order");
    s_refused_err(pool_precheck(r.e, &ev, &err), &err, CC_FAILED_PRECONDITION, "out of log order");
    ev.log_index = r.index + 1;
    ev.sender = NULL;
    s_refused_err(pool_apply(r.e, &ev, &err), &err, CC_INVALID_ARGUMENT, "incomplete");
    free(body);
    /* Areas are fixed before the first BCF event. */
    pool_area_t a = {.hwb = PLYMOUTH};
    s_refused_err(pool_engine_add_area(r.e, &a, &err), &err, CC_FAILED_PRECONDITION, "before");
    pool_engine_t *e = pool_engine_new(s_roster);
    assert_non_null(e);
    assert_int_equal(pool_engine_add_area(e, &a, &err), 0);
    s_refused_err(pool_engine_add_area(e, &a, &err), &err, CC_ALREADY_EXISTS, "already added");
    const char *twice[2] = {CARLISLE, CARLISLE};
    pool_area_t b = {.hwb = CUMBRIA, .districts = twice, .n_districts = 2};
    s_refused_err(pool_engine_add_area(e, &b, &err), &err, CC_INVALID_ARGUMENT, "listed twice");
    pool_engine_destroy(&e);
    pool_engine_destroy(&e); /* safe on NULL */
    s_run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pool_agreement_plymouth_valid),
        cmocka_unit_test(test_pool_agreement_needs_nhs_body_and_local_authority),
        cmocka_unit_test(test_pool_agreement_exactly_one_host_a_partner),
        cmocka_unit_test(test_pool_excluded_nhs_functions_named),
        cmocka_unit_test(test_pool_primary_medical_needs_nhs_england_and_everyone),
        cmocka_unit_test(test_pool_agreement_amounts_and_texts),
        cmocka_unit_test(test_pool_agreement_year_limit),
        cmocka_unit_test(test_pool_risk_share_rules),
        cmocka_unit_test(test_pool_alternative_arrangements),
        cmocka_unit_test(test_pool_plymouth_lifecycle_and_split),
        cmocka_unit_test(test_pool_partners_execute_the_agreement),
        cmocka_unit_test(test_pool_in_force_from_start_date),
        cmocka_unit_test(test_pool_agreement_term),
        cmocka_unit_test(test_pool_capped_split_in_the_statement),
        cmocka_unit_test(test_pool_pledge_only_by_its_partner),
        cmocka_unit_test(test_pool_agreement_decided_by_the_board),
        cmocka_unit_test(test_pool_signed_statement),
        cmocka_unit_test(test_pool_person_signed_execution_and_statement),
        cmocka_unit_test(test_pool_describe_proposals),
        cmocka_unit_test(test_pool_agreement_closed_by_deadline),
        cmocka_unit_test(test_pool_statement_certificate_hostile),
        cmocka_unit_test(test_pool_variation_needs_the_partners_consent),
        cmocka_unit_test(test_pool_variation_lapses_when_year_closes),
        cmocka_unit_test(test_pool_outturn_rules),
        cmocka_unit_test(test_pool_transfer_and_lead_commissioning_in_the_engine),
        cmocka_unit_test(test_pool_split_properties),
        cmocka_unit_test(test_pool_split_ties_go_by_code),
        cmocka_unit_test(test_pool_split_refusals),
        cmocka_unit_test(test_pool_risk_split_caps_property),
        cmocka_unit_test(test_pool_risk_split_bases),
        cmocka_unit_test(test_pool_sheffield_planned_pool),
        cmocka_unit_test(test_pool_bcf_england_minimum_2017_19),
        cmocka_unit_test(test_pool_bcf_two_tier_dfg_to_districts),
        cmocka_unit_test(test_pool_bcf_plan_rules),
        cmocka_unit_test(test_pool_bcf_signoff_any_order),
        cmocka_unit_test(test_pool_bcf_needs_an_executed_pool),
        cmocka_unit_test(test_pool_bcf_national_conditions_by_year),
        cmocka_unit_test(test_pool_bcf_nhs_england_outcomes),
        cmocka_unit_test(test_pool_bcf_dfg_joint_agreement),
        cmocka_unit_test(test_pool_bcf_shared_area),
        cmocka_unit_test(test_pool_bcf_joint_plan_of_two_hwbs),
        cmocka_unit_test(test_pool_bcf_revision_restarts_the_chain),
        cmocka_unit_test(test_pool_bcf_dfg_with_county_changes_nothing),
        cmocka_unit_test(test_pool_same_events_same_state),
        cmocka_unit_test(test_pool_hostile_input),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
