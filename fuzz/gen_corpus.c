/* gen_corpus: writes the generated seeds of the fuzz corpora from real
 * messages of the fixed federation (fixture.h): envelopes sealed by its
 * members, broker receipts, board and pool event streams that the
 * engines accept (a Greater Manchester board deciding a pooled budget,
 * Plymouth's s75 fund through pledges and outturn, Cumbria's BCF plan
 * through its sign-off chain), a decision certificate, control requests.
 * Every stream is checked against the engine as it is written, so a seed
 * is a real, accepted history, not a guess.
 *
 * Usage: gen_corpus CORPUS_DIR (fuzz/corpus); files are named gen-*. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "board.h"
#include "certificate.h"
#include "control.pb-c.h"
#include "envelope.h"
#include "fixture.h"
#include "health.pb-c.h"
#include "link.pb-c.h"
#include "log.pb-c.h"
#include "pool.h"
#include "receipt.h"
#include "wire.h"

#define DAY 86400000ull
#define POUNDS(x) ((int64_t)(x) * 100)

static const char *s_root;

static void s_die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s\n", what);
    exit(1);
}

/* Writes prefix (plen bytes) then body to CORPUS/target/gen-name. */
static void s_put(const char *target, const char *name, const uint8_t *prefix, size_t plen,
                  const uint8_t *body, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", s_root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        s_die(path);
    }
    snprintf(path, sizeof path, "%s/%s/gen-%s", s_root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(prefix, 1, plen, f) != plen || fwrite(body, 1, len, f) != len ||
        fclose(f) != 0) {
        s_die(path);
    }
}

static void s_put1(const char *target, const char *name, uint8_t mode, const uint8_t *body,
                   size_t len)
{
    s_put(target, name, &mode, 1, body, len);
}

static void s_pack(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
    if (wire_pack(m, 64u * 1024 * 1024, out, len, NULL) < 0) {
        s_die("pack");
    }
}

/* fuzz_messages: type index (its table order) then the message. */
static void s_message(const char *name, uint8_t type, const ProtobufCMessage *m)
{
    uint8_t *b;
    size_t n;
    s_pack(m, &b, &n);
    s_put1("messages", name, type, b, n);
    free(b);
}

enum {
    T_ENVELOPE, T_SIGNED, T_SIGNED_RECEIPT, T_RECEIPT, T_NODE_FRAME, T_BROKER_FRAME,
    T_HEALTH_REQ, T_HEALTH_RESP, T_LIST_REQ, T_LIST_RESP, T_LOG_REQ, T_LOG_RESP,
    T_PROPOSAL, T_BALLOT, T_AGREEMENT, T_CONSENT, T_PLEDGE, T_VARIATION, T_OUTTURN,
    T_BCF_PLAN, T_BCF_SIGNOFF, T_CONTROL_REQ, T_CONTROL_REPLY, T_ROSTER, T_SIGNED_CERT,
    T_CERT
};

/* ---- event streams, logged as the broker would ---- */

typedef struct {
    FILE *f;
    char *buf;
    size_t len;
    size_t n;
    uint64_t now;
    uint64_t seq[FIX_COUNT];
    uint8_t chain[32];
    board_engine_t *board;
    pool_engine_t *pool;
    Concord__V1__CertifiedEnvelope *events[64];
    size_t n_events;
    int pools;
} s_stream_t;

static void s_stream_init(s_stream_t *s, int pools)
{
    static const char *const districts[] = {"E07000026", "E07000027", "E07000028",
                                            "E07000029", "E07000030", "E07000031"};
    static const char *const ccgs[] = {"E38000215", "E38000216"};
    pool_area_t cumbria = {.hwb = "E10000006", .districts = districts, .n_districts = 6,
                           .ccgs = ccgs, .n_ccgs = 2};
    memset(s, 0, sizeof *s);
    s->pools = pools;
    s->f = open_memstream(&s->buf, &s->len);
    s->now = FIXTURE_T0;
    s->board = board_engine_new(fixture_roster());
    s->pool = pool_engine_new(fixture_roster());
    if (!s->f || !s->board || !s->pool ||
        (pools && pool_engine_add_area(s->pool, &cumbria, NULL) < 0)) {
        s_die("stream");
    }
}

/* Seals the event as its sender would and receipts it as the broker
 * would: the certificate's CertifiedEnvelope. */
static Concord__V1__CertifiedEnvelope *s_certify(s_stream_t *s, size_t sender, const char *method,
                                                 const uint8_t *body, size_t len, uint8_t hash[32])
{
    Concord__V1__CertifiedEnvelope *ce = calloc(1, sizeof *ce);
    envelope_meta_t m = {.method = method, .recipient = ENVELOPE_EVERYONE,
                         .sent_at_ms = s->now, .sequence = ++s->seq[sender],
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    Concord__V1__Receipt r = CONCORD__V1__RECEIPT__INIT;
    if (!ce) {
        s_die("memory");
    }
    concord__v1__certified_envelope__init(ce);
    fixture_call_id(s->n, m.call_id);
    if (envelope_seal(fixture_keys(sender), &m, body, len, &ce->envelope.data, &ce->envelope.len,
                      NULL) < 0) {
        s_die("seal");
    }
    envelope_hash(ce->envelope.data, ce->envelope.len, hash);
    receipt_chain(s->chain, s->n + 1, s->now, hash, s->chain);
    r.log_index = s->n + 1;
    r.chain_hash.data = s->chain;
    r.chain_hash.len = 32;
    r.time_ms = s->now;
    r.envelope_hash.data = hash;
    r.envelope_hash.len = 32;
    r.sender = (char *)fixture_code(sender);
    r.recipient = ENVELOPE_EVERYONE;
    r.sequence = m.sequence;
    r.call_id.data = m.call_id;
    r.call_id.len = 16;
    if (receipt_sign(fixture_broker(), &r, &ce->receipt.data, &ce->receipt.len, NULL) < 0) {
        s_die("receipt");
    }
    return ce;
}

/* Appends an event; want_ok says whether the engine must accept it (a
 * seed may hold a refused event on purpose). */
static void s_event(s_stream_t *s, size_t sender, size_t method, unsigned gap_s,
                    const ProtobufCMessage *m, int want_ok)
{
    uint8_t *body, hash[32], call_id[16];
    size_t len;
    cc_err_t err;
    int rc;
    s_pack(m, &body, &len);
    s->now += gap_s == 255 ? DAY : gap_s * 1000ull;
    if (fixture_write(s->f, sender, method, gap_s, body, len) < 0) {
        s_die("write");
    }
    fixture_call_id(s->n, call_id);
    Concord__V1__CertifiedEnvelope *ce =
        s_certify(s, sender, s->pools ? fixture_pool_methods[method] : fixture_board_methods[method],
                  body, len, hash);
    memset(hash, 0, sizeof hash);
    memcpy(hash, call_id, 16);
    if (!s->pools) {
        board_event_t ev = {fixture_code(sender), s->n + 1, s->now, call_id, hash,
                            fixture_board_methods[method], body, len};
        rc = board_apply(s->board, &ev, &err);
    } else {
        pool_event_t ev = {fixture_code(sender), s->n + 1, s->now, call_id, hash,
                           fixture_pool_methods[method], body, len};
        rc = pool_apply(s->pool, &ev, &err);
    }
    if (rc == 0 && s->n_events < 64) {
        s->events[s->n_events++] = ce; /* a certificate carries accepted events only */
    } else {
        free(ce->envelope.data);
        free(ce->receipt.data);
        free(ce);
    }
    if ((rc == 0) != want_ok) {
        fprintf(stderr, "event %zu: %s\n", s->n, rc ? err.msg : "accepted");
        s_die("the engine disagrees with the seed");
    }
    s->n++;
    free(body);
}

static void s_id(size_t n, char out[33])
{
    uint8_t call_id[16];
    fixture_call_id(n, call_id);
    board_proposal_id(call_id, out);
}

static void s_stream_end(s_stream_t *s, const char *target, const char *name)
{
    fclose(s->f);
    s_put(target, name, NULL, 0, (uint8_t *)s->buf, s->len);
    free(s->buf);
    board_engine_destroy(&s->board);
    pool_engine_destroy(&s->pool);
    for (size_t i = 0; i < s->n_events; i++) {
        free(s->events[i]->envelope.data);
        free(s->events[i]->receipt.data);
        free(s->events[i]);
    }
}

/* ---- boards ---- */

enum { B_PROPOSE, B_VOTE, B_NONSENSE };

/* The Greater Manchester board of the fixture: two CCGs and NHS England
 * (NHS), two councils (local government), double majority. */
static void s_gm_charter(Concord__V1__Charter *ch, Concord__V1__BoardMember *m,
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
        m[i].constituency = i < 3 ? CONCORD__V1__CONSTITUENCY__NHS
                                  : CONCORD__V1__CONSTITUENCY__LOCAL_GOVERNMENT;
        m[i].weight = 1;
        mp[i] = &m[i];
    }
    ch->members = mp;
    ch->n_members = 5;
}

static void s_vote(s_stream_t *s, size_t who, const char *pid, int vote, const char *reason,
                   int want_ok)
{
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.board_id = "GM-JCB";
    b.proposal_id = (char *)pid;
    b.vote = (Concord__V1__Vote)vote;
    b.reason = (char *)(reason ? reason : "");
    s_event(s, who, B_VOTE, 1, &b.base, want_ok);
}

/* Adoption by all five members: board GM-JCB active. Returns the index
 * of the next record. */
static void s_gm_adopted(s_stream_t *s)
{
    Concord__V1__Charter ch;
    Concord__V1__BoardMember m[5], *mp[5];
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    char pid[33];
    static const size_t who[] = {FIX_MANCHESTER_CCG, FIX_BOLTON_CCG, FIX_NHSE, FIX_MANCHESTER,
                                 FIX_BOLTON};
    s_gm_charter(&ch, m, mp);
    p.board_id = "GM-JCB";
    p.title = "Adopt the charter of the Greater Manchester Joint Commissioning Board";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.closes_at_ms = s->now + 7 * DAY;
    p.charter = &ch;
    s_id(s->n, pid);
    s_event(s, FIX_MANCHESTER, B_PROPOSE, 1, &p.base, 1);
    for (size_t i = 0; i < 5; i++) {
        s_vote(s, who[i], pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    }
}

static size_t s_gm_decision(s_stream_t *s, const char *title, int64_t pence)
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
    s_event(s, FIX_MANCHESTER_CCG, B_PROPOSE, 1, &p.base, 1);
    return at;
}

static void s_certificate(s_stream_t *s, const char *pid);

static void s_boards(void)
{
    s_stream_t s;
    char pid[33];
    /* Adopted, then a decision the councils refuse: fails on double majority. */
    s_stream_init(&s, 0);
    s_gm_adopted(&s);
    s_id(s_gm_decision(&s, "Pool the health and social care budget", POUNDS(6200000000ll)), pid);
    s_vote(&s, FIX_MANCHESTER_CCG, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_NHSE, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_BOLTON, pid, CONCORD__V1__VOTE__AGAINST, "Above what Bolton can commit", 1);
    /* The councils can no longer agree: voting closed early. */
    s_vote(&s, FIX_MANCHESTER, pid, CONCORD__V1__VOTE__AGAINST, NULL, 0);
    s_certificate(&s, pid);
    s_stream_end(&s, "board", "gm-double-majority");

    /* Adopted; a decision passes; refused ballots: twice, non-member. */
    s_stream_init(&s, 0);
    s_gm_adopted(&s);
    s_id(s_gm_decision(&s, "Align the intermediate care budgets", POUNDS(120000000)), pid);
    s_vote(&s, FIX_MANCHESTER_CCG, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_MANCHESTER_CCG, pid, CONCORD__V1__VOTE__FOR, NULL, 0);
    s_vote(&s, FIX_PLYMOUTH, pid, CONCORD__V1__VOTE__FOR, NULL, 0);
    s_vote(&s, FIX_MANCHESTER, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_NHSE, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_vote(&s, FIX_BOLTON, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
    s_stream_end(&s, "board", "gm-passes-with-refusals");

    /* Adopted; amendment, admission and realignment proposals; a late vote. */
    s_stream_init(&s, 0);
    s_gm_adopted(&s);
    {
        Concord__V1__Charter ch;
        Concord__V1__BoardMember m[5], *mp[5];
        Concord__V1__BoardMember gmca = CONCORD__V1__BOARD_MEMBER__INIT;
        Concord__V1__MembershipChange mc = CONCORD__V1__MEMBERSHIP_CHANGE__INIT;
        Concord__V1__Realignment re = CONCORD__V1__REALIGNMENT__INIT;
        Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
        s_gm_charter(&ch, m, mp);
        ch.rule = CONCORD__V1__VOTING_RULE__QUALIFIED_MAJORITY;
        ch.qualified_numerator = 2;
        ch.qualified_denominator = 3;
        p.board_id = "GM-JCB";
        p.title = "Decide by a two-thirds majority";
        p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT;
        p.closes_at_ms = s.now + 3 * DAY;
        p.charter = &ch;
        s_event(&s, FIX_BOLTON_CCG, B_PROPOSE, 1, &p.base, 1);
        gmca.code = (char *)fixture_code(FIX_GMCA);
        gmca.constituency = CONCORD__V1__CONSTITUENCY__OTHER;
        gmca.weight = 1;
        mc.action = CONCORD__V1__MEMBERSHIP_ACTION__ADMIT;
        mc.member = &gmca;
        p.title = "Admit the combined authority";
        p.kind = CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE;
        p.charter = NULL;
        p.membership = &mc;
        s_event(&s, FIX_MANCHESTER, B_PROPOSE, 1, &p.base, 1);
        re.organisation = (char *)fixture_code(FIX_BOLTON);
        re.footprint = "E54000007";
        p.title = "Bolton's primary footprint is Greater Manchester";
        p.kind = CONCORD__V1__PROPOSAL_KIND__FOOTPRINT_REALIGNMENT;
        p.membership = NULL;
        p.realignment = &re;
        s_id(s.n, pid);
        s_event(&s, FIX_BOLTON, B_PROPOSE, 1, &p.base, 1);
        s_vote(&s, FIX_BOLTON, pid, CONCORD__V1__VOTE__FOR, NULL, 1);
        Concord__V1__Ballot late = CONCORD__V1__BALLOT__INIT;
        late.board_id = "GM-JCB";
        late.proposal_id = pid;
        late.vote = CONCORD__V1__VOTE__AGAINST;
        s_event(&s, FIX_NHSE, B_VOTE, 255, &late.base, 1);
        s_event(&s, FIX_MANCHESTER, B_VOTE, 255, &late.base, 1);
        s_event(&s, FIX_BOLTON_CCG, B_VOTE, 255, &late.base, 0); /* after the deadline */
    }
    s_stream_end(&s, "board", "gm-amend-admit-realign");
}

/* A decision certificate over the stream so far, for proposal pid. */
static void s_certificate(s_stream_t *s, const char *pid)
{
    Concord__V1__DecisionCertificate dc = CONCORD__V1__DECISION_CERTIFICATE__INIT;
    board_proposal_view_t pv;
    uint8_t *inner, *outer, sig[KEYS_SIG_LEN];
    size_t inner_len, outer_len, roster_len;
    uint64_t exported = s->now + 8 * DAY;
    if (board_proposal_find(s->board, pid, exported, &pv, NULL) < 0) {
        s_die("certificate proposal");
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
    s_pack(&dc.base, &inner, &inner_len);
    Concord__V1__SignedCertificate sc = CONCORD__V1__SIGNED_CERTIFICATE__INIT;
    if (keys_sign(fixture_keys(FIX_MANCHESTER_CCG), CERTIFICATE_DOMAIN, inner, inner_len, sig,
                  NULL) < 0) {
        s_die("certificate signature");
    }
    sc.certificate.data = inner;
    sc.certificate.len = inner_len;
    sc.signer = (char *)fixture_code(FIX_MANCHESTER_CCG);
    sc.signature.data = sig;
    sc.signature.len = sizeof sig;
    s_pack(&sc.base, &outer, &outer_len);
    certificate_report_t rep;
    cc_err_t err;
    if (certificate_verify(outer, outer_len, fixture_roster(), &rep, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        s_die("the generated certificate does not verify");
    }
    certificate_report_free(&rep);
    s_put1("certificate", "gm-double-majority", 0, outer, outer_len);
    uint8_t mode2[2] = {2, FIX_MANCHESTER_CCG};
    s_put("certificate", "gm-double-majority-inner", mode2, 2, inner, inner_len);
    s_message("signed-certificate", T_SIGNED_CERT, &sc.base);
    s_message("decision-certificate", T_CERT, &dc.base);
    /* The first event, as envelope, receipt and link frames. */
    const Concord__V1__CertifiedEnvelope *ce = s->events[0];
    s_put1("envelope", "board-event", 0, ce->envelope.data, ce->envelope.len);
    s_put1("receipt", "board-event", 0, ce->receipt.data, ce->receipt.len);
    s_put1("messages", "envelope", T_ENVELOPE, ce->envelope.data, ce->envelope.len);
    s_put1("messages", "signed-receipt", T_SIGNED_RECEIPT, ce->receipt.data, ce->receipt.len);
    free(inner);
    free(outer);
}

/* ---- pools ---- */

enum { P_PROPOSE, P_CONSENT, P_PLEDGE, P_VARY, P_OUTTURN, P_BCF_PLAN, P_BCF_SIGN };

static void s_pledge(s_stream_t *s, size_t sender, const char *pool, size_t partner,
                     int64_t pence, int want_ok)
{
    Concord__V1__Pledge p = CONCORD__V1__PLEDGE__INIT;
    p.pool_id = (char *)pool;
    p.partner = (char *)fixture_code(partner);
    p.financial_year = 2017;
    p.amount_pence = pence;
    s_event(s, sender, P_PLEDGE, 1, &p.base, want_ok);
    s_message(want_ok ? "pledge" : "pledge-wrong-partner", T_PLEDGE, &p.base);
}

/* Plymouth's integrated fund (seed 000 pp.25-26): council 131m, CCG 331m,
 * hosted by the council, overspend shared pro rata. */
static void s_plymouth(void)
{
    s_stream_t s;
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
    s_message("agreement-plymouth", T_AGREEMENT, &a.base);

    s_stream_init(&s, 1);
    s_id(s.n, ref);
    s_event(&s, FIX_PLYMOUTH, P_PROPOSE, 1, &a.base, 1);
    Concord__V1__Consent cs = CONCORD__V1__CONSENT__INIT;
    cs.pool_id = "PLY-IF";
    cs.subject_id = ref;
    cs.decision = CONCORD__V1__CONSENT_DECISION__AGREE;
    cs.reason = "Agreed by the governing body";
    s_event(&s, FIX_NEW_DEVON, P_CONSENT, 1, &cs.base, 1);
    s_message("consent", T_CONSENT, &cs.base);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 0);
    s_pledge(&s, FIX_PLYMOUTH, "PLY-IF", FIX_PLYMOUTH, POUNDS(131000000), 1);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(331000000), 1);
    Concord__V1__Outturn o = CONCORD__V1__OUTTURN__INIT;
    o.pool_id = "PLY-IF";
    o.financial_year = 2017;
    o.spend_pence = POUNDS(470000000);
    s_event(&s, FIX_NEW_DEVON, P_OUTTURN, 1, &o.base, 0); /* not the host */
    s_event(&s, FIX_PLYMOUTH, P_OUTTURN, 1, &o.base, 1);
    s_message("outturn", T_OUTTURN, &o.base);
    s_stream_end(&s, "pool", "plymouth-lifecycle");

    /* A variation the CCG agrees, then pledges again. */
    s_stream_init(&s, 1);
    s_id(s.n, ref);
    s_event(&s, FIX_PLYMOUTH, P_PROPOSE, 1, &a.base, 1);
    s_event(&s, FIX_NEW_DEVON, P_CONSENT, 1, &cs.base, 1);
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
    s_id(s.n, ref);
    s_event(&s, FIX_PLYMOUTH, P_VARY, 1, &v.base, 1);
    s_message("variation", T_VARIATION, &v.base);
    cs.subject_id = ref;
    s_event(&s, FIX_NEW_DEVON, P_CONSENT, 1, &cs.base, 1);
    s_pledge(&s, FIX_NEW_DEVON, "PLY-IF", FIX_NEW_DEVON, POUNDS(340000000), 1);
    o.spend_pence = POUNDS(450000000);
    s_event(&s, FIX_PLYMOUTH, P_OUTTURN, 1, &o.base, 1);
    s_stream_end(&s, "pool", "plymouth-variation-underspend");
}

/* Cumbria's BCF plan (test_pool.c's illustrative amounts): its two CCGs,
 * the DFG passed to its six districts, through the sign-off chain. */
static void s_cumbria(void)
{
    static const char *const districts[] = {"E07000026", "E07000027", "E07000028",
                                            "E07000029", "E07000030", "E07000031"};
    s_stream_t s;
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
    s_message("bcf-plan", T_BCF_PLAN, &p.base);

    s_stream_init(&s, 1);
    s_id(s.n, ref);
    s_event(&s, FIX_CUMBRIA, P_BCF_PLAN, 1, &p.base, 1);
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
        s_event(&s, chain[i].who, P_BCF_SIGN, 1, &so.base, chain[i].ok);
        if (i == 1) {
            s_message("bcf-signoff", T_BCF_SIGNOFF, &so.base);
        }
    }
    s_stream_end(&s, "pool", "cumbria-bcf-chain");

    /* The DFG left with the county: refused, naming the rule. */
    p.n_dfg_allocations = 0;
    s_stream_init(&s, 1);
    s_event(&s, FIX_CUMBRIA, P_BCF_PLAN, 1, &p.base, 0);
    s_stream_end(&s, "pool", "cumbria-dfg-left-with-county");
}

/* ---- envelopes, receipts, link frames, services ---- */

static void s_envelopes(void)
{
    uint8_t call_id[16], *env, *req_env, hash[32];
    size_t env_len, req_len;
    Concord__V1__HealthCheckRequest hq = CONCORD__V1__HEALTH_CHECK_REQUEST__INIT;
    Concord__V1__HealthCheckResponse hr = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    uint8_t *body;
    size_t body_len;
    fixture_call_id(7, call_id);
    envelope_meta_t m = {.method = "concord.v1.Health/Check", .recipient = "E08000003",
                         .sent_at_ms = FIXTURE_T0, .deadline_ms = FIXTURE_T0 + 10000,
                         .sequence = 1, .kind = CONCORD__V1__KIND__KIND_REQUEST};
    memcpy(m.call_id, call_id, 16);
    s_pack(&hq.base, &body, &body_len);
    if (envelope_seal(fixture_keys(FIX_MANCHESTER_CCG), &m, body, body_len, &req_env, &req_len,
                      NULL) < 0) {
        s_die("seal");
    }
    free(body);
    s_put1("envelope", "health-request", 0, req_env, req_len);
    hr.status = CONCORD__V1__SERVING_STATUS__SERVING;
    hr.code = "E08000003";
    hr.time_ms = FIXTURE_T0 + 3;
    hr.ledger_entries = 12;
    s_message("health-request", T_HEALTH_REQ, &hq.base);
    s_message("health-response", T_HEALTH_RESP, &hr.base);
    s_pack(&hr.base, &body, &body_len);
    m.recipient = "E38000217";
    m.kind = CONCORD__V1__KIND__KIND_REPLY;
    m.status = CC_OK;
    m.sequence = 4;
    if (envelope_seal(fixture_keys(FIX_MANCHESTER), &m, body, body_len, &env, &env_len, NULL) < 0) {
        s_die("seal");
    }
    s_put1("envelope", "health-reply", 0, env, env_len);
    free(env);
    m.status = CC_PERMISSION_DENIED;
    m.status_msg = "E38000129 cannot pledge E06000026's contribution";
    if (envelope_seal(fixture_keys(FIX_MANCHESTER), &m, NULL, 0, &env, &env_len, NULL) < 0) {
        s_die("seal");
    }
    s_put1("envelope", "error-reply", 0, env, env_len);
    free(body);
    /* Mode 2+: the Signed bytes of each, re-signed by the target. */
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, env, env_len, WIRE_MAX_FRAME, NULL);
    if (!e) {
        s_die("unpack");
    }
    s_put1("envelope", "signed-error-reply", 2 + FIX_MANCHESTER, e->signed_.data, e->signed_.len);
    s_put1("messages", "signed", T_SIGNED, e->signed_.data, e->signed_.len);
    wire_free(&e->base);
    free(env);
    e = (Concord__V1__Envelope *)wire_unpack(&concord__v1__envelope__descriptor, req_env, req_len,
                                             WIRE_MAX_FRAME, NULL);
    s_put1("envelope", "signed-health-request", 2 + FIX_MANCHESTER_CCG, e->signed_.data,
           e->signed_.len);

    /* The broker's receipt for the request, and the frames around it. */
    Concord__V1__Receipt r = CONCORD__V1__RECEIPT__INIT;
    uint8_t chain[32] = {0}, *rc;
    size_t rc_len;
    envelope_hash(req_env, req_len, hash);
    receipt_chain(chain, 1, FIXTURE_T0 + 1, hash, chain);
    r.log_index = 1;
    r.chain_hash = (ProtobufCBinaryData){32, chain};
    r.time_ms = FIXTURE_T0 + 1;
    r.envelope_hash = (ProtobufCBinaryData){32, hash};
    r.sender = "E38000217";
    r.recipient = "E08000003";
    r.sequence = 1;
    r.call_id = (ProtobufCBinaryData){16, call_id};
    s_message("receipt", T_RECEIPT, &r.base);
    s_pack(&r.base, &body, &body_len);
    s_put1("receipt", "receipt-to-sign", 1, body, body_len);
    free(body);
    if (receipt_sign(fixture_broker(), &r, &rc, &rc_len, NULL) < 0) {
        s_die("receipt");
    }
    s_put1("receipt", "health-request", 0, rc, rc_len);
    Concord__V1__SignedReceipt *sr = (Concord__V1__SignedReceipt *)wire_unpack(
        &concord__v1__signed_receipt__descriptor, rc, rc_len, WIRE_MAX_FRAME, NULL);

    Concord__V1__NodeFrame nf = CONCORD__V1__NODE_FRAME__INIT;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_SUBMIT;
    nf.submit = e;
    s_message("node-frame-submit", T_NODE_FRAME, &nf.base);
    Concord__V1__Hello hello = CONCORD__V1__HELLO__INIT;
    hello.code = "E38000217";
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_HELLO;
    nf.hello = &hello;
    s_message("node-frame-hello", T_NODE_FRAME, &nf.base);
    uint64_t acks[3] = {1, 2, 5};
    Concord__V1__MailboxAck ack = CONCORD__V1__MAILBOX_ACK__INIT;
    ack.log_index = acks;
    ack.n_log_index = 3;
    nf.frame_case = CONCORD__V1__NODE_FRAME__FRAME_ACK;
    nf.ack = &ack;
    s_message("node-frame-ack", T_NODE_FRAME, &nf.base);

    Concord__V1__BrokerFrame bf = CONCORD__V1__BROKER_FRAME__INIT;
    Concord__V1__Delivery d = CONCORD__V1__DELIVERY__INIT;
    d.log_index = 1;
    d.envelope = e;
    d.receipt = sr;
    bf.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    bf.delivery = &d;
    s_message("broker-frame-delivery", T_BROKER_FRAME, &bf.base);
    Concord__V1__SubmitResult res = CONCORD__V1__SUBMIT_RESULT__INIT;
    Concord__V1__Status st = CONCORD__V1__STATUS__INIT;
    res.envelope_hash = (ProtobufCBinaryData){32, hash};
    res.status = &st;
    res.receipt = sr;
    bf.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_RESULT;
    bf.result = &res;
    s_message("broker-frame-result", T_BROKER_FRAME, &bf.base);
    st.code = CONCORD__V1__STATUS_CODE__ALREADY_EXISTS;
    st.message = "sequence 1 from E38000217 already seen (replay)";
    res.receipt = NULL;
    s_message("broker-frame-replay", T_BROKER_FRAME, &bf.base);

    Concord__V1__ListMethodsRequest lq = CONCORD__V1__LIST_METHODS_REQUEST__INIT;
    Concord__V1__ListMethodsResponse lr = CONCORD__V1__LIST_METHODS_RESPONSE__INIT;
    char *methods[] = {"concord.v1.Health/Check", "concord.v1.Reflection/ListMethods"};
    lr.methods = methods;
    lr.n_methods = 2;
    s_message("list-request", T_LIST_REQ, &lq.base);
    s_message("list-response", T_LIST_RESP, &lr.base);
    Concord__V1__LogReadRequest lgq = CONCORD__V1__LOG_READ_REQUEST__INIT;
    lgq.from_index = 1;
    lgq.max_entries = 100;
    s_message("log-request", T_LOG_REQ, &lgq.base);
    Concord__V1__LogEntry le = CONCORD__V1__LOG_ENTRY__INIT, *lep[1] = {&le};
    Concord__V1__LogReadResponse lgr = CONCORD__V1__LOG_READ_RESPONSE__INIT;
    le.index = 1;
    le.time_ms = FIXTURE_T0 + 1;
    le.chain_hash = (ProtobufCBinaryData){32, chain};
    le.envelope = (ProtobufCBinaryData){req_len, req_env};
    lgr.entries = lep;
    lgr.n_entries = 1;
    lgr.head = sr;
    lgr.head_index = 1;
    s_message("log-response", T_LOG_RESP, &lgr.base);

    wire_free(&sr->base);
    wire_free(&e->base);
    free(rc);
    free(req_env);
}

/* ---- control requests, as the CLI sends them ---- */

static void s_control_put(FILE *f, const Concord__V1__ControlRequest *rq)
{
    uint8_t *b;
    size_t n;
    s_pack(&rq->base, &b, &n);
    uint8_t len[2] = {(uint8_t)(n & 0xff), (uint8_t)(n >> 8)};
    if (n > 0xffff || fwrite(len, 1, 2, f) != 2 || fwrite(b, 1, n, f) != n) {
        s_die("control");
    }
    free(b);
}

static void s_control_one(const char *name, const char *cmd, char **args, size_t n_args,
                          const ProtobufCMessage *payload)
{
    Concord__V1__ControlRequest rq = CONCORD__V1__CONTROL_REQUEST__INIT;
    char *buf;
    size_t len;
    uint8_t *p = NULL;
    FILE *f = open_memstream(&buf, &len);
    rq.command = (char *)cmd;
    rq.args = args;
    rq.n_args = n_args;
    if (payload) {
        s_pack(payload, &p, &rq.payload.len);
        rq.payload.data = p;
    }
    s_control_put(f, &rq);
    fclose(f);
    s_put("control", name, NULL, 0, (uint8_t *)buf, len);
    if (strcmp(name, "propose") == 0) {
        s_message("control-request", T_CONTROL_REQ, &rq.base);
    }
    free(buf);
    free(p);
}

static void s_control(void)
{
    char *ledger_args[] = {"5"}, *ping_args[] = {"E08000003", "50"}, *gm[] = {"GM-JCB"};
    char *ply[] = {"PLY-IF"}, *stmt[] = {"PLY-IF", "2017"}, *bcf[] = {"BCF-CUMBRIA-17"};
    char *pledge[] = {POOL_METHOD_PLEDGE}, *agree[] = {POOL_METHOD_PROPOSE};
    char *prop[] = {"f00000000000000000000000000000000"};
    s_control_one("status", "status", NULL, 0, NULL);
    s_control_one("ledger", "ledger", ledger_args, 1, NULL);
    s_control_one("ping", "ping", ping_args, 2, NULL);
    s_control_one("log-verify", "log-verify", NULL, 0, NULL);
    s_control_one("board-list", "board-list", NULL, 0, NULL);
    s_control_one("board-show", "board-show", gm, 1, NULL);
    s_control_one("proposal-list", "proposal-list", NULL, 0, NULL);
    s_control_one("proposal-show", "proposal-show", prop, 1, NULL);
    s_control_one("decision-export", "decision-export", prop, 1, NULL);
    s_control_one("realignments", "realignments", NULL, 0, NULL);
    s_control_one("pool-list", "pool-list", NULL, 0, NULL);
    s_control_one("pool-show", "pool-show", ply, 1, NULL);
    s_control_one("pool-statement", "pool-statement", stmt, 2, NULL);
    s_control_one("bcf-show", "bcf-show", bcf, 1, NULL);
    s_control_one("pool-rejections", "pool-rejections", NULL, 0, NULL);
    s_control_one("unknown", "frobnicate", NULL, 0, NULL);

    Concord__V1__Charter ch;
    Concord__V1__BoardMember m[5], *mp[5];
    Concord__V1__Proposal p = CONCORD__V1__PROPOSAL__INIT;
    s_gm_charter(&ch, m, mp);
    p.board_id = "GM-JCB";
    p.title = "Adopt the charter";
    p.kind = CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION;
    p.closes_at_ms = (uint64_t)time(NULL) * 1000 + 7 * DAY;
    p.charter = &ch;
    s_control_one("propose", "propose", NULL, 0, &p.base);
    s_message("proposal-adoption", T_PROPOSAL, &p.base);
    Concord__V1__Ballot b = CONCORD__V1__BALLOT__INIT;
    b.proposal_id = "f00000";
    b.vote = CONCORD__V1__VOTE__FOR;
    b.reason = "For the people of Greater Manchester";
    s_control_one("vote", "vote", NULL, 0, &b.base);
    s_message("ballot", T_BALLOT, &b.base);
    Concord__V1__Pledge pl = CONCORD__V1__PLEDGE__INIT;
    pl.pool_id = "PLY-IF";
    pl.financial_year = 2017;
    pl.amount_pence = POUNDS(331000000);
    s_control_one("pool-pledge", "pool-publish", pledge, 1, &pl.base);
    Concord__V1__PoolAgreement a = CONCORD__V1__POOL_AGREEMENT__INIT;
    a.pool_id = "X";
    s_control_one("pool-propose-bad", "pool-publish", agree, 1, &a.base);

    Concord__V1__ControlReply rep = CONCORD__V1__CONTROL_REPLY__INIT;
    rep.code = CONCORD__V1__STATUS_CODE__PERMISSION_DENIED;
    rep.message = "E38000129 cannot pledge E06000026's contribution";
    s_message("control-reply", T_CONTROL_REPLY, &rep.base);
}

static void s_control_session(void)
{
    /* status, then a proposal, a vote and a pledge in one input. */
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    Concord__V1__ControlRequest rq = CONCORD__V1__CONTROL_REQUEST__INIT;
    rq.command = "status";
    s_control_put(f, &rq);
    rq.command = "proposal-list";
    s_control_put(f, &rq);
    rq.command = "pool-list";
    s_control_put(f, &rq);
    fclose(f);
    s_put("control", "session", NULL, 0, (uint8_t *)buf, len);
    free(buf);
}

/* ---- files: ONS lookups, CSV, configuration, roster ---- */

/* The header and the lines of src holding any of the needles (all lines
 * when needles is NULL), at most max of them, appended to f. */
static void s_excerpt(FILE *f, const char *src, const char *const *needles, size_t max)
{
    char path[1024], line[4096];
    size_t kept = 0, n = 0;
    snprintf(path, sizeof path, "%s/%s", CONCORD_SOURCE_DIR, src);
    FILE *in = fopen(path, "r");
    if (!in) {
        s_die(path);
    }
    while (fgets(line, sizeof line, in) && kept < max) {
        int keep = n++ == 0 || !needles;
        for (size_t i = 0; !keep && needles[i]; i++) {
            keep = strstr(line, needles[i]) != NULL;
        }
        if (keep) {
            fputs(line, f);
            kept++;
        }
    }
    fclose(in);
}

static void s_file(const char *target, const char *name, uint8_t mode, int with_mode,
                   const char *src, const char *const *needles, size_t max, const char *src2,
                   const char *const *needles2)
{
    char *buf;
    size_t len;
    FILE *f = open_memstream(&buf, &len);
    if (with_mode) {
        fputc(mode, f);
    }
    s_excerpt(f, src, needles, max);
    if (src2) {
        fputs("--\n", f);
        s_excerpt(f, src2, needles2, max);
    }
    fclose(f);
    s_put(target, name, NULL, 0, (uint8_t *)buf, len);
    free(buf);
}

static void s_files(void)
{
    static const char *const cumbria[] = {"E07000026", "E07000028", "E07000031", "E08000003",
                                          NULL};
    static const char *const ons[] = {"data/ons/ons_CCG17_to_NHSRLO17_NHSER17_Apr2017_v3.csv",
                                      "data/ons/ons_CCG17_to_STP17_Apr2017_v3.csv",
                                      "data/ons/ons_LAD17_to_CAUTH17_Mar2017.csv",
                                      "data/ons/ons_LAD17_to_CTY17_Dec2017.csv"};
    static const char *const geo[] = {"ccg18_nhser18", "ccg18_stp18", "lad17_cauth17",
                                      "lad18_cty18", "lsoa11_ccg18_lad18"};
    static const char *const bad[] = {"bad_code", "dup_conflict", "empty_key", "latin1",
                                      "name_without_code", "no_code", "one_code", "ragged",
                                      "two_lad"};
    char src[256], name[64];
    const char *lsoa = "data/ons/ons_LSOA11_CCG17_STP17_LAD17_Apr2017.csv";
    s_file("ons", "lsoa-cumbria-manchester+cty", 0, 0, lsoa, cumbria, 40,
           "data/ons/ons_LAD17_to_CTY17_Dec2017.csv", cumbria);
    s_file("ons", "lsoa-cumbria-manchester", 0, 0, lsoa, cumbria, 40, NULL, NULL);
    for (size_t i = 0; i < sizeof ons / sizeof ons[0]; i++) {
        snprintf(name, sizeof name, "ons-%zu", i);
        s_file("ons", name, 0, 0, ons[i], NULL, 30, NULL, NULL);
    }
    for (size_t i = 0; i < sizeof geo / sizeof geo[0]; i++) {
        snprintf(src, sizeof src, "tests/data/geo/%s.csv", geo[i]);
        s_file("ons", geo[i], 0, 0, src, NULL, 1000, NULL, NULL);
        s_file("csv", geo[i], 0, 1, src, NULL, 1000, NULL, NULL);
    }
    s_file("ons", "lsoa11_ccg18_lad18+lad18_cty18", 0, 0, "tests/data/geo/lsoa11_ccg18_lad18.csv",
           NULL, 1000, "tests/data/geo/lad18_cty18.csv", NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snprintf(src, sizeof src, "tests/data/geo-bad/%s.csv", bad[i]);
        snprintf(name, sizeof name, "bad-%s", bad[i]);
        s_file("ons", name, 0, 0, src, NULL, 1000, NULL, NULL);
        s_file("csv", name, 7, 1, src, NULL, 1000, NULL, NULL);
    }
    s_file("csv", "tricky", 3, 1, "tests/data/csv/tricky.csv", NULL, 1000, NULL, NULL);

    static const char node_ini[] =
        "; NHS Manchester CCG's node\n[node]\ncode = E38000217\nkey = keys/E38000217.key\n"
        "roster = roster.bin\nbroker = tcp://broker.example:7400\nledger = data/E38000217.db\n"
        "control = run/E38000217.sock\nlog_level = info\ncall_timeout_ms = 10000\nfsync = true\n"
        "auto_vote = true\nauto_vote_abstain_areas = primary-care, specialised\n"
        "auto_vote_against_areas = acute\nauto_vote_against_above = 100000000\n"
        "auto_vote_for_below = 0\n";
    static const char broker_ini[] =
        "[broker]\nlisten = tcp://0.0.0.0:7400        ; where nodes connect\n"
        "key = keys/broker.key\nroster = roster.bin\ndata = data/broker.db\nlog_level = info\n"
        "mailbox_window = 64\nfsync = true\n";
    s_put1("config", "node", 0, (const uint8_t *)node_ini, sizeof node_ini - 1);
    s_put1("config", "broker", 1, (const uint8_t *)broker_ini, sizeof broker_ini - 1);

    size_t roster_len;
    const uint8_t *roster = fixture_roster_bytes(&roster_len);
    s_put("roster", "fixture", NULL, 0, roster, roster_len);
    s_put1("messages", "signed-roster", T_ROSTER, roster, roster_len);
}

/* The golden vector of tests/vectors/envelope.txt, for mode 1. */
static void s_vector(void)
{
    char path[1024], line[4096];
    snprintf(path, sizeof path, "%s/tests/vectors/envelope.txt", CONCORD_SOURCE_DIR);
    FILE *in = fopen(path, "r");
    while (in && fgets(line, sizeof line, in)) {
        uint8_t buf[1024];
        size_t n = strcspn(line + 11, "\n") / 2;
        if (strncmp(line, "envelope = ", 11) == 0 && n <= sizeof buf) {
            line[11 + 2 * n] = 0;
            if (wire_unhex(line + 11, buf, n) == 0) {
                s_put1("envelope", "vector", 1, buf, n);
            }
        }
    }
    if (in) {
        fclose(in);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus CORPUS_DIR\n");
        return 2;
    }
    s_root = argv[1];
    fixture_init();
    s_boards();
    s_plymouth();
    s_cumbria();
    s_envelopes();
    s_control();
    s_control_session();
    s_files();
    s_vector();
    return 0;
}
