/* SPDX-License-Identifier: Apache-2.0 */
/* Integration tests for people, registers of interests and declarations
 * (docs/BOARDS.md "People and interests", PROTOCOL.md 16.13): four
 * organisations, each its own concordd, register persons with signed
 * delegations; a board whose charter requires person-signed acts takes
 * ballots signed by persons through the chain organisation -> delegation
 * -> person, refuses acts outside a delegation, excludes conflicted
 * members (NHS Act 2006 s14O; 2017 CCG guidance; Localism Act 2011 s31)
 * and refers a proposal that exclusions leave inquorate; certificates
 * carrying signers, declarations and exclusions verify offline. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "board.pb-c.h"
#include "certificate.h"
#include "harness.h"
#include "keys.h"
#include "wire.h"

static const char *const s_codes[] = {"E38000217", "E38000205", "E08000003", "E08000010"};
static const char *const s_names[] = {"NHS Manchester CCG", "NHS Wigan Borough CCG",
                                      "Manchester City Council", "Wigan Council"};
#define MCR_CCG 0
#define WIGAN_CCG 1
#define MCR_COUNCIL 2
#define WIGAN_COUNCIL 3
#define N_ORGS 4

static fed_t s_fed;
static char s_p1[33], s_p3[33];

static char *s_ok(int i, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *s_ok(int i, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    if (fed_cli(&s_fed, i, &out, "%s", args) != 0) {
        fail_msg("`concord %s` on %s failed: %s", args, s_codes[i], out);
    }
    return out;
}

/* A command that must fail with needle in its output. */
static void s_refused(int i, const char *needle, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void s_refused(int i, const char *needle, const char *fmt, ...)
{
    char args[4096];
    char *out = NULL;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int rc = fed_cli(&s_fed, i, &out, "%s", args);
    if (rc == 0 || !out || !strstr(out, needle)) {
        fail_msg("`concord %s` on %s: expected a refusal with '%s', got %d: %s", args,
                 s_codes[i], needle, rc, out ? out : "");
    }
    free(out);
}

/* The person key file of person id of node i. */
static const char *s_key(int i, const char *id)
{
    static char path[8][256];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, 256, "%s/%s-%s.pkey", s_fed.dir, s_codes[i], id);
    return p;
}

/* Makes a key for person id of node i and registers it with these extra
 * arguments (e.g. "--acts vote --from ... --to ..."). */
static void s_person(int i, const char *id, const char *extra)
{
    free(s_ok(i, "person keygen --id %s --out %s", id, s_key(i, id)));
    free(s_ok(i, "person add %s --name 'Person %s' --role Member --key %s --board PPL-JCB %s", id,
              id, s_key(i, id), extra));
}

static char *s_show(int i, const char *id)
{
    return s_ok(i, "--json proposal show %s", id);
}

static int s_setup(void **state)
{
    (void)state;
    fed_create_from(&s_fed, s_codes, s_names, N_ORGS);
    fed_start_broker(&s_fed);
    for (int i = 0; i < N_ORGS; i++) {
        fed_start_node(&s_fed, i);
    }
    for (int i = 0; i < N_ORGS; i++) {
        fed_wait_connected(&s_fed, i);
    }
    char id[33];
    char *out = s_ok(MCR_COUNCIL,
                     "--json board create --id PPL-JCB --name 'People test board' --rule majority"
                     " --quorum 3/4 --person-signed --conflicts exclude --conflicts-referral"
                     " 'Governing Body' --closes-in 120s --member E38000217 --member E38000205"
                     " --member E08000003 --member E08000010");
    fed_json_id(out, id);
    free(out);
    for (int i = 0; i < N_ORGS; i++) {
        fed_vote(&s_fed, i, id, "for");
    }
    free(fed_cli_until(&s_fed, MCR_COUNCIL, "\"active\":true", 1, 60000,
                       "--json board show PPL-JCB"));
    const char *always = "--acts vote,propose --from 2020-01-01 --to 2099-12-31";
    s_person(MCR_CCG, "ao", always);
    s_person(WIGAN_CCG, "gp-lead", always);
    s_person(WIGAN_CCG, "former", always);
    s_person(MCR_COUNCIL, "cllr-leese", always);
    s_person(WIGAN_COUNCIL, "cllr-smith", always);
    s_person(MCR_CCG, "expired", "--acts vote --from 2020-01-01 --to 2020-12-31");
    s_person(MCR_CCG, "proposer-only", "--acts propose --from 2020-01-01 --to 2099-12-31");
    s_person(MCR_CCG, "observer", "--acts vote --non-voting --from 2020-01-01 --to 2099-12-31");
    /* Every node folds the registrations before the tests start. */
    free(fed_cli_until(&s_fed, WIGAN_COUNCIL, "observer", 1, 30000, "person list"));
    return 0;
}

static int s_teardown(void **state)
{
    (void)state;
    fed_destroy(&s_fed);
    return 0;
}

/* A ballot signed by a person verifies through organisation ->
 * delegation -> person on every node; acts outside a delegation are
 * refused with named errors and change nothing. */
static void test_it_people_chain(void **state)
{
    (void)state;
    char *out = s_ok(MCR_COUNCIL,
                     "--json propose --board PPL-JCB --title 'Intermediate care beds' --area"
                     " community --amount 1m --closes-in 120s --as %s",
                     s_key(MCR_COUNCIL, "cllr-leese"));
    fed_json_id(out, s_p1);
    assert_non_null(strstr(out, "\"person\":\"cllr-leese\""));
    free(out);
    /* The charter requires person-signed acts. */
    s_refused(WIGAN_CCG, "requires every proposal, ballot", "vote %s for", s_p1);
    /* Outside the delegation's dates, acts, and a non-voting member. */
    s_refused(MCR_CCG, "expired delegation", "vote %s for --as %s", s_p1,
              s_key(MCR_CCG, "expired"));
    s_refused(MCR_CCG, "out of scope", "vote %s for --as %s", s_p1,
              s_key(MCR_CCG, "proposer-only"));
    s_refused(MCR_CCG, "non-voting member", "vote %s for --as %s", s_p1,
              s_key(MCR_CCG, "observer"));
    /* A key never registered: unknown person. */
    free(s_ok(MCR_CCG, "person keygen --id stranger --out %s", s_key(MCR_CCG, "stranger")));
    s_refused(MCR_CCG, "unknown person", "vote %s for --as %s", s_p1,
              s_key(MCR_CCG, "stranger"));
    /* A revoked delegation. */
    free(s_ok(WIGAN_CCG, "person revoke former --reason 'left the CCG'"));
    s_refused(WIGAN_CCG, "was revoked", "vote %s for --as %s", s_p1,
              s_key(WIGAN_CCG, "former"));
    /* Each refusal changed nothing. */
    out = s_show(MCR_COUNCIL, s_p1);
    assert_non_null(strstr(out, "\"votes_for\":0"));
    free(out);
    /* The persons of the four members vote; the organisation stays the
     * voter of record, the person recorded with it. */
    free(s_ok(MCR_CCG, "vote %s for --as %s", s_p1, s_key(MCR_CCG, "ao")));
    free(s_ok(WIGAN_CCG, "vote %s for --as %s", s_p1, s_key(WIGAN_CCG, "gp-lead")));
    free(s_ok(MCR_COUNCIL, "vote %s for --as %s", s_p1, s_key(MCR_COUNCIL, "cllr-leese")));
    free(s_ok(WIGAN_COUNCIL, "vote %s for --as %s", s_p1, s_key(WIGAN_COUNCIL, "cllr-smith")));
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", s_p1);
    out = fed_cli_until(&s_fed, MCR_CCG, "\"outcome\":\"PASSED\"", 1, 60000, args);
    assert_non_null(strstr(out, "{\"member\":\"E38000205\",\"person\":\"gp-lead\",\"name\":"
                                "\"Person gp-lead\",\"role\":\"Member\"}"));
    /* Signers: the proposer and the 4 voters; and each of the 4 ballots. */
    assert_int_equal(fed_count(out, "\"person\":"), 5 + 4);
    assert_non_null(strstr(out, "{\"member\":\"E38000217\",\"person\":\"ao\",\"vote\":\"for\""));
    free(out);
    /* A declaration on a closed proposal is refused. */
    s_refused(WIGAN_CCG, "declaration on a closed proposal",
              "declare %s --concerns Acme-Health --kind financial --as %s", s_p1,
              s_key(WIGAN_CCG, "gp-lead"));
}

/* A member with a registered interest in a provider a proposal names is
 * excluded: its ballot refused with the reason, the quorum recomputed
 * over the others. A declaration excludes another, and the board, left
 * inquorate, refers the proposal to the body its charter names. */
static void test_it_people_conflicts(void **state)
{
    (void)state;
    free(s_ok(WIGAN_CCG, "interests add gp-lead --kind financial --concerns Acme-Health --from"
                         " 2020-01-01 --description 'Partner, Acme Health GP practice'"));
    free(fed_cli_until(&s_fed, MCR_COUNCIL, "Acme-Health", 1, 30000,
                       "interests export --board PPL-JCB"));
    char *out = s_ok(MCR_COUNCIL, "interests export --org E38000205");
    assert_non_null(strstr(out, "organisation,person,name,role,kind,concerns,from,to"));
    assert_non_null(strstr(out, "E38000205,gp-lead,Person gp-lead,Member,financial,Acme-Health"));
    free(out);
    out = s_ok(MCR_COUNCIL, "--json interests export --board PPL-JCB");
    assert_non_null(strstr(out, "\"kind\":\"financial\""));
    free(out);

    char p2[33];
    out = s_ok(MCR_COUNCIL,
               "--json propose --board PPL-JCB --title 'Acme Health contract' --area primary-care"
               " --amount 2m --closes-in 120s --concerns Acme-Health --as %s",
               s_key(MCR_COUNCIL, "cllr-leese"));
    fed_json_id(out, p2);
    free(out);
    s_refused(WIGAN_CCG, "excluded: E38000205 has a registered interest in 'Acme-Health'",
              "vote %s for --as %s", p2, s_key(WIGAN_CCG, "gp-lead"));
    out = s_show(MCR_CCG, p2);
    /* 3 of 4 members remain; the quorum 3/4 of them needs 3. */
    assert_non_null(strstr(out, "\"members\":3"));
    assert_non_null(strstr(out, "\"quorum_needed\":3"));
    assert_non_null(strstr(out, "\"exclusions\":[{\"member\":\"E38000205\",\"person\":"
                                "\"gp-lead\",\"concerns\":\"Acme-Health\""));
    free(out);
    free(s_ok(MCR_CCG, "vote %s for --as %s", p2, s_key(MCR_CCG, "ao")));
    free(s_ok(MCR_COUNCIL, "vote %s for --as %s", p2, s_key(MCR_COUNCIL, "cllr-leese")));
    free(s_ok(WIGAN_COUNCIL, "vote %s against --as %s", p2, s_key(WIGAN_COUNCIL, "cllr-smith")));
    char args[64];
    snprintf(args, sizeof args, "--json proposal show %s", p2);
    free(fed_cli_until(&s_fed, MCR_CCG, "\"outcome\":\"PASSED\"", 1, 60000, args));

    /* Two subjects: Wigan CCG is excluded by the register, Wigan Council
     * declares an interest in the other; 2 of 4 may vote, the quorum
     * needs 3: referred to the Governing Body. */
    out = s_ok(MCR_COUNCIL,
               "--json propose --board PPL-JCB --title 'Acme and Beta community contract' --area"
               " community --amount 3m --closes-in 120s --concerns Acme-Health --concerns"
               " Beta-Care --as %s",
               s_key(MCR_COUNCIL, "cllr-leese"));
    fed_json_id(out, s_p3);
    free(out);
    s_refused(WIGAN_COUNCIL, "names no provider or subject 'Gamma-Care'",
              "declare %s --concerns Gamma-Care --kind indirect --as %s", s_p3,
              s_key(WIGAN_COUNCIL, "cllr-smith"));
    free(s_ok(WIGAN_COUNCIL,
              "declare %s --concerns Beta-Care --kind non-financial-personal --description"
              " 'Spouse is a Beta Care director' --as %s",
              s_p3, s_key(WIGAN_COUNCIL, "cllr-smith")));
    snprintf(args, sizeof args, "--json proposal show %s", s_p3);
    out = fed_cli_until(&s_fed, MCR_CCG, "\"outcome\":\"REFERRED\"", 1, 60000, args);
    assert_non_null(strstr(out, "\"referred_to\":\"Governing Body\""));
    assert_non_null(strstr(out, "\"declared\":true"));
    assert_non_null(strstr(out, "Spouse is a Beta Care director"));
    free(out);
    out = s_ok(MCR_CCG, "proposal show %.10s", s_p3);
    assert_non_null(strstr(out, "REFERRED to Governing Body"));
    assert_non_null(strstr(out, "NHS Act 2006 s14O"));
    free(out);
    s_refused(WIGAN_COUNCIL, "declaration on a closed proposal",
              "declare %s --concerns Acme-Health --kind financial --as %s", s_p3,
              s_key(WIGAN_COUNCIL, "cllr-smith"));
}

static void s_resign(Concord__V1__DecisionCertificate *dc, uint8_t **out, size_t *len)
{
    uint8_t *packed = NULL, sig[64];
    size_t packed_len = 0;
    keys_t *k = fed_keys(&s_fed, MCR_CCG);
    assert_int_equal(wire_pack(&dc->base, CERTIFICATE_MAX, &packed, &packed_len, NULL), 0);
    assert_int_equal(keys_sign(k, CERTIFICATE_DOMAIN, packed, packed_len, sig, NULL), 0);
    Concord__V1__SignedCertificate sc = CONCORD__V1__SIGNED_CERTIFICATE__INIT;
    sc.certificate.data = packed;
    sc.certificate.len = packed_len;
    sc.signer = (char *)s_codes[MCR_CCG];
    sc.signature.data = sig;
    sc.signature.len = 64;
    assert_int_equal(wire_pack(&sc.base, CERTIFICATE_MAX, out, len, NULL), 0);
    free(packed);
    keys_destroy(&k);
}

static void s_expect(const uint8_t *buf, size_t len, const roster_t *r, const char *needle)
{
    certificate_report_t rep;
    cc_err_t err;
    assert_int_equal(certificate_verify(buf, len, r, &rep, &err), -1);
    if (!strstr(err.msg, needle)) {
        fail_msg("expected '%s' in '%s'", needle, err.msg);
    }
}

/* Exports id's certificate, checks it verifies offline, and returns its
 * inner DecisionCertificate. */
static Concord__V1__DecisionCertificate *s_cert(const char *id, const char *name)
{
    char path[256], roster[256];
    snprintf(path, sizeof path, "%s/%s.cert", s_fed.dir, name);
    snprintf(roster, sizeof roster, "%s/roster.bin", s_fed.dir);
    free(s_ok(MCR_CCG, "decision export %s --out %s", id, path));
    char *out = s_ok(MCR_CCG, "--json verify %s --roster %s", path, roster);
    assert_null(strstr(out, "\"ok\":false"));
    free(out);
    char *raw = fed_slurp(path);
    assert_non_null(raw);
    free(raw);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static uint8_t buf[4 * 1024 * 1024];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    Concord__V1__SignedCertificate *sc = (Concord__V1__SignedCertificate *)wire_unpack(
        &concord__v1__signed_certificate__descriptor, buf, len, CERTIFICATE_MAX, NULL);
    assert_non_null(sc);
    Concord__V1__DecisionCertificate *dc = (Concord__V1__DecisionCertificate *)wire_unpack(
        &concord__v1__decision_certificate__descriptor, sc->certificate.data,
        sc->certificate.len, CERTIFICATE_MAX, NULL);
    wire_free(&sc->base);
    assert_non_null(dc);
    return dc;
}

/* Certificates carry signers, declarations and exclusions; each is
 * recomputed offline from the events, and any one altered is refused. */
static void test_it_people_certificates(void **state)
{
    (void)state;
    roster_t *r = fed_roster(&s_fed);
    uint8_t *out = NULL;
    size_t out_len = 0;
    certificate_report_t rep;
    cc_err_t err;

    Concord__V1__DecisionCertificate *dc = s_cert(s_p1, "p1");
    char *text = s_ok(MCR_CCG, "verify %s/p1.cert --roster %s/roster.bin", s_fed.dir, s_fed.dir);
    assert_non_null(strstr(text, "signed by gp-lead"));
    free(text);

    assert_non_null(dc->tally);
    assert_int_equal(dc->tally->n_signers, 5);
    s_resign(dc, &out, &out_len);
    assert_int_equal(certificate_verify(out, out_len, r, &rep, &err), 0);
    certificate_report_free(&rep);
    free(out);
    char *was = dc->tally->signers[1]->person;
    dc->tally->signers[1]->person = "former";
    s_resign(dc, &out, &out_len);
    s_expect(out, out_len, r, "signers differs");
    free(out);
    dc->tally->signers[1]->person = was;
    dc->tally->n_signers--;
    s_resign(dc, &out, &out_len);
    s_expect(out, out_len, r, "signers differs");
    free(out);
    dc->tally->n_signers++;
    wire_free(&dc->base);

    dc = s_cert(s_p3, "p3");
    text = s_ok(MCR_CCG, "verify %s/p3.cert --roster %s/roster.bin", s_fed.dir, s_fed.dir);
    assert_non_null(strstr(text, "referred to Governing Body"));
    assert_non_null(strstr(text, "E08000010 is excluded: a declared interest in 'Beta-Care'"));
    assert_non_null(strstr(text, "Declared by E08000010, person cllr-smith: a non-financial"
                                 " personal interest in 'Beta-Care': Spouse is a Beta Care"
                                 " director."));
    free(text);
    assert_int_equal(dc->tally->n_exclusions, 2);
    assert_int_equal(dc->tally->n_declarations, 1);
    assert_string_equal(dc->tally->referred_to, "Governing Body");
    dc->tally->n_exclusions--;
    s_resign(dc, &out, &out_len);
    s_expect(out, out_len, r, "exclusions differs");
    free(out);
    dc->tally->n_exclusions++;
    char *desc = dc->tally->declarations[0]->description;
    dc->tally->declarations[0]->description = "nothing to declare";
    s_resign(dc, &out, &out_len);
    s_expect(out, out_len, r, "declarations differs");
    free(out);
    dc->tally->declarations[0]->description = desc;
    char *to = dc->tally->referred_to;
    dc->tally->referred_to = "";
    s_resign(dc, &out, &out_len);
    s_expect(out, out_len, r, "referred_to differs");
    free(out);
    dc->tally->referred_to = to;
    /* The person-signed events travel with their persons' signatures, for
     * the verifier to check the chain again (each under its receipt, so
     * a signature stripped changes the envelope its receipt proves). */
    int stripped = 0;
    for (size_t i = 0; i < dc->n_events && !stripped; i++) {
        Concord__V1__Envelope *env = (Concord__V1__Envelope *)wire_unpack(
            &concord__v1__envelope__descriptor, dc->events[i]->envelope.data,
            dc->events[i]->envelope.len, CERTIFICATE_MAX, NULL);
        assert_non_null(env);
        if (env->person_signature.len) {
            stripped = 1;
        }
        wire_free(&env->base);
    }
    assert_true(stripped);
    wire_free(&dc->base);
    roster_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_it_people_chain),
        cmocka_unit_test(test_it_people_conflicts),
        cmocka_unit_test(test_it_people_certificates),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
