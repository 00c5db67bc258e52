/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for roster: building, signing, files, and forgeries. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "roster.h"
#include "roster.pb-c.h"
#include "wire.h"

typedef struct {
    char dir[512];
    keys_t *broker;
    keys_t *org[3];
    keys_t *outsider;
} s_fix_t;

static const char *const s_codes[3] = {"E38000217", "E08000003", "X24"};
static const char *const s_kinds[3] = {"CCG", "COUNCIL_UPPER", "NHS_ENGLAND"};

static int s_setup(void **state)
{
    s_fix_t *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    int i;

    if (f == NULL) {
        return -1;
    }
    snprintf(f->dir, sizeof f->dir, "%s/test_roster.XXXXXX", tmp != NULL ? tmp : "/tmp");
    if (mkdtemp(f->dir) == NULL) {
        return -1;
    }
    f->broker = keys_generate("broker", "GMCA broker", "BROKER", NULL);
    for (i = 0; i < 3; i++) {
        f->org[i] = keys_generate(s_codes[i], "Member organisation", s_kinds[i], NULL);
    }
    f->outsider = keys_generate("E38000999", "Outsider", "CCG", NULL);
    *state = f;
    return f->broker == NULL || f->org[2] == NULL || f->outsider == NULL ? -1 : 0;
}

static int s_teardown(void **state)
{
    s_fix_t *f = *state;
    DIR *d = opendir(f->dir);
    struct dirent *de;
    char p[1024];
    int i;

    while (d != NULL && (de = readdir(d)) != NULL) {
        if (de->d_name[0] != '.') {
            snprintf(p, sizeof p, "%s/%s", f->dir, de->d_name);
            unlink(p);
        }
    }
    if (d != NULL) {
        closedir(d);
    }
    rmdir(f->dir);
    keys_destroy(&f->broker);
    for (i = 0; i < 3; i++) {
        keys_destroy(&f->org[i]);
    }
    keys_destroy(&f->outsider);
    free(f);
    return 0;
}

static const char *s_path(const s_fix_t *f, const char *name)
{
    static char p[1024];

    snprintf(p, sizeof p, "%s/%s", f->dir, name);
    return p;
}

/* The three members added; signed by the first nsign of them. */
static roster_t *s_build(const s_fix_t *f, int nsign)
{
    cc_err_t err;
    roster_t *r = roster_new("Greater Manchester", keys_public(f->broker), &err);
    int i;

    assert_non_null(r);
    for (i = 0; i < 3; i++) {
        assert_int_equal(roster_add(r, keys_public(f->org[i]), &err), 0);
    }
    for (i = 0; i < nsign; i++) {
        assert_int_equal(roster_sign(r, f->org[i], &err), 0);
    }
    return r;
}

static uint8_t *s_file(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = malloc(1 << 16);

    assert_non_null(fp);
    assert_non_null(buf);
    *len = fread(buf, 1, 1 << 16, fp);
    fclose(fp);
    return buf;
}

static void s_put(const char *path, const uint8_t *buf, size_t len)
{
    FILE *fp = fopen(path, "wb");

    assert_non_null(fp);
    assert_int_equal(fwrite(buf, 1, len, fp), len);
    fclose(fp);
}

static int s_contains(const uint8_t *buf, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    size_t i;

    for (i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, needle, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static void test_roster_sign_save_load_verify(void **state)
{
    s_fix_t *f = *state;
    uint64_t before = clock_wall_ms();
    roster_t *r = s_build(f, 3);
    roster_t *l;
    roster_org_t o;
    uint8_t h1[32], h2[32];
    cc_err_t err;
    size_t i;

    assert_true(roster_created_at_ms(r) >= before);
    assert_int_equal(roster_verify(r, &err), 0);
    assert_int_equal(roster_save(r, s_path(f, "roster.bin"), &err), 0);
    l = roster_load(s_path(f, "roster.bin"), &err);
    assert_non_null(l);
    assert_int_equal(roster_verify(l, &err), 0);
    assert_int_equal(roster_count(l), 3);
    assert_string_equal(roster_federation(l), "Greater Manchester");
    assert_true(roster_created_at_ms(l) == roster_created_at_ms(r));
    for (i = 0; i < 3; i++) {
        roster_at(l, i, &o);
        assert_string_equal(o.code, s_codes[i]);
        assert_string_equal(o.kind, s_kinds[i]);
        assert_string_equal(o.name, "Member organisation");
        assert_memory_equal(o.sign_pk, keys_public(f->org[i])->sign_pk, KEYS_PK_LEN);
        assert_memory_equal(o.curve_pk, keys_public(f->org[i])->curve_pk, KEYS_PK_LEN);
        assert_int_equal(roster_signature_state(l, s_codes[i]), 1);
    }
    roster_broker(l, &o);
    assert_string_equal(o.code, "broker");
    assert_string_equal(o.kind, "BROKER");
    assert_string_equal(o.name, "GMCA broker");
    roster_hash(r, h1);
    roster_hash(l, h2);
    assert_memory_equal(h1, h2, 32);
    roster_destroy(&r);
    roster_destroy(&l);
    assert_null(l);
    roster_destroy(&l);
    roster_destroy(NULL);
}

static void test_roster_missing_signature_named(void **state)
{
    s_fix_t *f = *state;
    roster_t *r = s_build(f, 2);
    roster_t *l;
    cc_err_t err;

    assert_int_equal(roster_verify(r, &err), -1);
    assert_int_equal(err.code, CC_UNAUTHENTICATED);
    assert_non_null(strstr(err.msg, "X24"));
    assert_int_equal(roster_signature_state(r, "X24"), 0);
    assert_int_equal(roster_signature_state(r, "E38000217"), 1);
    /* A draft survives a save and load, and can then be completed. */
    assert_int_equal(roster_save(r, s_path(f, "draft.bin"), &err), 0);
    l = roster_load(s_path(f, "draft.bin"), &err);
    assert_non_null(l);
    assert_int_equal(roster_verify(l, &err), -1);
    assert_int_equal(roster_sign(l, f->org[2], &err), 0);
    assert_int_equal(roster_verify(l, &err), 0);
    roster_destroy(&r);
    roster_destroy(&l);

    /* No members at all is never a valid roster. */
    r = roster_new("Empty", keys_public(f->broker), &err);
    assert_non_null(r);
    assert_int_equal(roster_verify(r, &err), -1);
    roster_destroy(&r);
}

static void test_roster_non_member_signature_rejected(void **state)
{
    s_fix_t *f = *state;
    roster_t *r = s_build(f, 3);
    roster_t *l;
    keys_t *imp;
    cc_err_t err;
    uint8_t *buf;
    size_t len;
    Concord__V1__SignedRoster *sr;
    Concord__V1__RosterSignature extra = CONCORD__V1__ROSTER_SIGNATURE__INIT;
    Concord__V1__RosterSignature **sigs;
    uint8_t sig[KEYS_SIG_LEN];
    uint8_t *out = NULL;
    size_t out_len = 0;

    assert_int_equal(roster_sign(r, f->outsider, &err), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    assert_int_equal(roster_sign(r, f->broker, &err), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    /* A member's code with somebody else's key. */
    imp = keys_generate("E38000217", "Impostor", "CCG", NULL);
    assert_non_null(imp);
    assert_int_equal(roster_sign(r, imp, &err), -1);
    assert_int_equal(err.code, CC_PERMISSION_DENIED);
    keys_destroy(&imp);

    /* Append a non-member's valid signature to the file by hand. */
    assert_int_equal(roster_save(r, s_path(f, "nm.bin"), &err), 0);
    buf = s_file(s_path(f, "nm.bin"), &len);
    sr = (Concord__V1__SignedRoster *)wire_unpack(&concord__v1__signed_roster__descriptor, buf, len,
                                                  1 << 20, &err);
    assert_non_null(sr);
    assert_int_equal(
        keys_sign(f->outsider, ROSTER_DOMAIN, sr->roster.data, sr->roster.len, sig, &err), 0);
    extra.code = (char *)"E38000999";
    extra.signature.data = sig;
    extra.signature.len = sizeof sig;
    sigs = calloc(sr->n_signatures + 1, sizeof *sigs);
    assert_non_null(sigs);
    memcpy(sigs, sr->signatures, sr->n_signatures * sizeof *sigs);
    sigs[sr->n_signatures] = &extra;
    {
        Concord__V1__RosterSignature **old = sr->signatures;
        size_t n = sr->n_signatures;
        sr->signatures = sigs;
        sr->n_signatures = n + 1;
        assert_int_equal(wire_pack(&sr->base, 1 << 20, &out, &out_len, &err), 0);
        sr->signatures = old;
        sr->n_signatures = n;
    }
    l = roster_from_bytes(out, out_len, &err);
    assert_non_null(l);
    assert_int_equal(roster_signature_state(l, "E38000999"), -1);
    assert_int_equal(roster_verify(l, &err), -1);
    assert_non_null(strstr(err.msg, "E38000999"));
    roster_destroy(&l);
    wire_free(&sr->base);
    free(sigs);
    free(out);
    free(buf);
    roster_destroy(&r);
}

static void test_roster_tampered_bytes_fail(void **state)
{
    s_fix_t *f = *state;
    roster_t *r = s_build(f, 3);
    roster_t *l;
    uint8_t *buf;
    size_t len;
    size_t i;
    cc_err_t err;

    assert_int_equal(roster_save(r, s_path(f, "t.bin"), &err), 0);
    buf = s_file(s_path(f, "t.bin"), &len);
    for (i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        l = roster_from_bytes(buf, len, &err);
        if (l != NULL && roster_verify(l, &err) == 0) {
            fail_msg("flipping byte %zu still verifies", i);
        }
        roster_destroy(&l);
        buf[i] ^= 0x01;
    }
    roster_destroy(&r);
    free(buf);
}

static void test_roster_truncated_and_garbage(void **state)
{
    s_fix_t *f = *state;
    roster_t *r = s_build(f, 3);
    roster_t *l;
    uint8_t *buf;
    uint8_t junk[256];
    size_t len;
    size_t n;
    cc_err_t err;

    assert_int_equal(roster_save(r, s_path(f, "x.bin"), &err), 0);
    buf = s_file(s_path(f, "x.bin"), &len);
    for (n = 0; n < len; n++) {
        s_put(s_path(f, "cut.bin"), buf, n);
        l = roster_load(s_path(f, "cut.bin"), &err);
        if (l != NULL && roster_verify(l, &err) == 0) {
            fail_msg("truncation to %zu bytes still verifies", n);
        }
        roster_destroy(&l);
    }
    for (n = 0; n < sizeof junk; n++) {
        junk[n] = (uint8_t)(n * 37 + 11);
    }
    s_put(s_path(f, "junk.bin"), junk, sizeof junk);
    assert_null(roster_load(s_path(f, "junk.bin"), &err));
    assert_non_null(strstr(err.msg, "junk.bin"));
    assert_null(roster_load(s_path(f, "absent.bin"), &err));
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_null(roster_from_bytes(NULL, 0, &err));
    assert_null(roster_from_bytes(junk, SIZE_MAX, &err));
    assert_int_equal(err.code, CC_RESOURCE_EXHAUSTED);
    free(buf);
    roster_destroy(&r);
}

static void test_roster_duplicates_refused(void **state)
{
    s_fix_t *f = *state;
    roster_t *r = s_build(f, 0);
    keys_public_t p;
    keys_t *fresh = keys_generate("E38000100", "Fresh", "CCG", NULL);
    cc_err_t err;

    assert_non_null(fresh);
    p = *keys_public(fresh);
    memcpy(p.code, "E38000217", 10);
    assert_int_equal(roster_add(r, &p, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    p = *keys_public(fresh);
    memcpy(p.sign_pk, keys_public(f->org[1])->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_add(r, &p, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    p = *keys_public(fresh);
    memcpy(p.curve_pk, keys_public(f->org[2])->curve_pk, KEYS_PK_LEN);
    assert_int_equal(roster_add(r, &p, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    p = *keys_public(fresh);
    memcpy(p.sign_pk, keys_public(f->broker)->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_add(r, &p, &err), -1);
    /* Bad kinds and codes. */
    p = *keys_public(fresh);
    strcpy(p.kind, "BROKER");
    assert_int_equal(roster_add(r, &p, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    strcpy(p.kind, "HOSPITAL");
    assert_int_equal(roster_add(r, &p, &err), -1);
    p = *keys_public(fresh);
    strcpy(p.code, "broker");
    assert_int_equal(roster_add(r, &p, &err), -1);
    strcpy(p.code, "lower");
    assert_int_equal(roster_add(r, &p, &err), -1);
    assert_int_equal(roster_count(r), 3);
    /* The genuine article goes in; then signing freezes membership. */
    assert_int_equal(roster_add(r, keys_public(fresh), &err), 0);
    assert_int_equal(roster_sign(r, fresh, &err), 0);
    assert_int_equal(roster_add(r, keys_public(f->outsider), &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    keys_destroy(&fresh);
    roster_destroy(&r);
}

static void test_roster_lookup_by_code_and_curve(void **state)
{
    s_fix_t *f = *state;
    roster_t *r = s_build(f, 3);
    roster_org_t o;

    assert_int_equal(roster_lookup(r, "E08000003", &o), 0);
    assert_string_equal(o.kind, "COUNCIL_UPPER");
    assert_memory_equal(o.sign_pk, keys_public(f->org[1])->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup(r, "broker", &o), 0);
    assert_memory_equal(o.sign_pk, keys_public(f->broker)->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup(r, "E38000999", &o), -1);
    assert_int_equal(roster_lookup(r, "", &o), -1);
    assert_int_equal(roster_lookup_curve(r, keys_public(f->org[2])->curve_pk, &o), 0);
    assert_string_equal(o.code, "X24");
    assert_int_equal(roster_lookup_curve(r, keys_public(f->broker)->curve_pk, &o), 0);
    assert_string_equal(o.code, "broker");
    assert_int_equal(roster_lookup_curve(r, keys_public(f->outsider)->curve_pk, &o), -1);
    /* A signing key is not a transport key. */
    assert_int_equal(roster_lookup_curve(r, keys_public(f->org[0])->sign_pk, &o), -1);
    roster_destroy(&r);
}

static void test_roster_new_refuses_bad_arguments(void **state)
{
    s_fix_t *f = *state;
    keys_public_t b = *keys_public(f->broker);
    cc_err_t err;

    assert_null(roster_new("", &b, &err));
    assert_null(roster_new("Two\nlines", &b, &err));
    assert_null(roster_new("GM", keys_public(f->org[0]), &err));
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
}

static void test_roster_predecessors_kept(void **state)
{
    s_fix_t *f = *state;
    Concord__V1__Roster ro = CONCORD__V1__ROSTER__INIT;
    Concord__V1__BrokerIdentity bi = CONCORD__V1__BROKER_IDENTITY__INIT;
    Concord__V1__Organisation org = CONCORD__V1__ORGANISATION__INIT;
    Concord__V1__Organisation *orgs[1] = {&org};
    Concord__V1__SignedRoster sr = CONCORD__V1__SIGNED_ROSTER__INIT;
    char *preds[2] = {(char *)"E38000001", (char *)"E38000002"};
    uint8_t *rb = NULL, *sb = NULL;
    size_t rl = 0, sl = 0;
    roster_t *r;
    cc_err_t err;

    bi.name = (char *)"B";
    bi.sign_key.data = (uint8_t *)keys_public(f->broker)->sign_pk;
    bi.sign_key.len = KEYS_PK_LEN;
    bi.transport_key.data = (uint8_t *)keys_public(f->broker)->curve_pk;
    bi.transport_key.len = KEYS_PK_LEN;
    org.code = (char *)"E38000217";
    org.name = (char *)"Manchester CCG";
    org.kind = CONCORD__V1__ORG_KIND__CCG;
    org.sign_key.data = (uint8_t *)keys_public(f->org[0])->sign_pk;
    org.sign_key.len = KEYS_PK_LEN;
    org.transport_key.data = (uint8_t *)keys_public(f->org[0])->curve_pk;
    org.transport_key.len = KEYS_PK_LEN;
    org.predecessors = preds;
    org.n_predecessors = 2;
    ro.version = 1;
    ro.federation = (char *)"GM";
    ro.broker = &bi;
    ro.organisations = orgs;
    ro.n_organisations = 1;
    assert_int_equal(wire_pack(&ro.base, 1 << 20, &rb, &rl, &err), 0);
    sr.roster.data = rb;
    sr.roster.len = rl;
    assert_int_equal(wire_pack(&sr.base, 1 << 20, &sb, &sl, &err), 0);
    r = roster_from_bytes(sb, sl, &err);
    assert_non_null(r);
    /* Adding to the draft repacks it; the predecessors must survive. */
    assert_int_equal(roster_add(r, keys_public(f->org[1]), &err), 0);
    assert_int_equal(roster_save(r, s_path(f, "p.bin"), &err), 0);
    roster_destroy(&r);
    free(sb);
    sb = s_file(s_path(f, "p.bin"), &sl);
    assert_true(s_contains(sb, sl, "E38000002"));
    free(sb);

    preds[1] = (char *)"bad code";
    assert_int_equal(wire_pack(&ro.base, 1 << 20, &sb, &sl, &err), 0);
    free(rb);
    sr.roster.data = sb;
    sr.roster.len = sl;
    assert_int_equal(wire_pack(&sr.base, 1 << 20, &rb, &rl, &err), 0);
    assert_null(roster_from_bytes(rb, rl, &err));
    free(sb);
    free(rb);
}


/* Rotation and merger on the roster itself: the old entry keeps its
 * stretch of the log, changes only in order and only on a signed
 * roster, keys never reused, and the genesis signatures still check. */
static void test_roster_changes_keep_history(void **state)
{
    s_fix_t *f = *state;
    roster_t *draft = s_build(f, 0);
    roster_t *r = NULL;
    roster_org_t o;
    roster_past_t past;
    cc_err_t err;
    keys_t *next = keys_generate(s_codes[0], "Member organisation", "CCG", NULL);
    assert_non_null(next);
    const keys_public_t *np = keys_public(next);

    /* A draft takes no changes. */
    assert_int_equal(roster_rotate(draft, s_codes[0], np->sign_pk, np->curve_pk, 5, "p", &err),
                     -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    roster_destroy(&draft);
    draft = s_build(f, 3);
    assert_int_equal(roster_save(draft, s_path(f, "signed.bin"), &err), 0);
    r = roster_load(s_path(f, "signed.bin"), &err);
    assert_non_null(r);
    assert_int_equal(roster_rotate(r, "E38000999", np->sign_pk, np->curve_pk, 5, "p", &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_int_equal(roster_rotate(r, s_codes[0], np->sign_pk, keys_public(f->broker)->curve_pk,
                                   5, "p", &err),
                     -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    assert_int_equal(roster_rotate(r, s_codes[0], np->sign_pk, np->curve_pk, 5, "p1", &err), 0);
    /* Out of order, or at no position at all: refused. */
    keys_t *later = keys_generate(s_codes[1], "Member organisation", "COUNCIL_UPPER", NULL);
    const keys_public_t *lp = keys_public(later);
    assert_int_equal(roster_rotate(r, s_codes[1], lp->sign_pk, lp->curve_pk, 4, "p", &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_int_equal(roster_rotate(r, s_codes[1], lp->sign_pk, lp->curve_pk, ROSTER_NOW, "p",
                                   &err),
                     -1);
    /* Lookups by position. */
    assert_int_equal(roster_lookup_at(r, s_codes[0], 5, &o), 0);
    assert_memory_equal(o.sign_pk, keys_public(f->org[0])->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup_at(r, s_codes[0], 6, &o), 0);
    assert_memory_equal(o.sign_pk, np->sign_pk, KEYS_PK_LEN);
    assert_int_equal(roster_lookup_at(r, s_codes[0], 0, &o), -1);
    assert_int_equal(roster_past_count(r), 1);
    roster_past_at(r, 0, &past);
    assert_int_equal(past.until_index, 5);
    assert_string_equal(past.successor, "");
    /* The genesis keys are used up for good. */
    assert_int_equal(roster_keys_fresh(r, keys_public(f->org[0])->sign_pk, lp->curve_pk, &err),
                     -1);
    assert_non_null(strstr(err.msg, "was used before by E38000217"));
    /* NHS England absorbs the council (a continuing successor). */
    const char *preds[] = {s_codes[2], s_codes[1]};
    keys_public_t succ = *keys_public(f->org[2]);
    assert_int_equal(roster_merge(r, &succ, preds, 1, 7, "p2", &err), -1);
    assert_int_equal(roster_merge(r, &succ, preds, 2, 7, "p2", &err), 0);
    assert_int_equal(roster_count(r), 2);
    assert_int_equal(roster_lookup(r, s_codes[1], &o), -1);
    assert_int_equal(roster_lookup_at(r, s_codes[1], 7, &o), 0);
    assert_int_equal(roster_lookup_curve(r, keys_public(f->org[1])->curve_pk, &o), -1);
    /* A successor cannot take a code that was ever in the roster. */
    keys_public_t again = *lp;
    const char *one[] = {s_codes[0]};
    assert_int_equal(roster_merge_check(r, &again, one, 1, &err), -1);
    assert_int_equal(err.code, CC_ALREADY_EXISTS);
    assert_int_equal(roster_verify(r, &err), 0);
    assert_int_equal(roster_signature_state(r, s_codes[1]), 1);
    assert_int_equal(roster_change_count(r), 2);
    roster_change_t ch;
    roster_change_at(r, 1, &ch);
    assert_string_equal(ch.what, "merge");
    assert_string_equal(ch.predecessors, "X24 E08000003");
    roster_destroy(&r);
    roster_destroy(&draft);
    keys_destroy(&next);
    keys_destroy(&later);
}

/* A split: each check of the scheme named, then the roster's record of it
 * and the principal successor acting for the organisation that split. */
static void test_roster_split(void **state)
{
    s_fix_t *f = *state;
    roster_t *draft = s_build(f, 3);
    cc_err_t err;
    roster_split_t sc;
    roster_past_t past;
    assert_int_equal(roster_save(draft, s_path(f, "split.bin"), &err), 0);
    roster_t *r = roster_load(s_path(f, "split.bin"), &err);
    assert_non_null(r);
    const char *two[] = {s_codes[1], s_codes[2]};
    const char *self[] = {s_codes[1], s_codes[0]};
    const char *twice[] = {s_codes[1], s_codes[1]};
    const char *stranger[] = {s_codes[1], "E38000999"};
    uint32_t whole[] = {600, 400}, short_of[] = {600, 300}, zero[] = {1000, 0};
    assert_int_equal(roster_split_check(r, s_codes[0], two, short_of, 2, &err), -1);
    assert_int_equal(err.code, CC_INVALID_ARGUMENT);
    assert_non_null(strstr(err.msg, "sum to 900 permille, not the whole (1000)"));
    assert_int_equal(roster_split_check(r, s_codes[0], two, zero, 2, &err), -1);
    assert_non_null(strstr(err.msg, "each share is 1..1000"));
    assert_int_equal(roster_split_check(r, s_codes[0], two, whole, 1, &err), -1);
    assert_non_null(strstr(err.msg, "2..16 successors"));
    assert_int_equal(roster_split_check(r, s_codes[0], self, whole, 2, &err), -1);
    assert_non_null(strstr(err.msg, "cannot be its own successor"));
    assert_int_equal(roster_split_check(r, s_codes[0], twice, whole, 2, &err), -1);
    assert_non_null(strstr(err.msg, "named twice"));
    assert_int_equal(roster_split_check(r, s_codes[0], stranger, whole, 2, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_int_equal(roster_split_check(r, "E38000999", two, whole, 2, &err), -1);
    assert_int_equal(err.code, CC_NOT_FOUND);
    assert_int_equal(roster_split_of(r, s_codes[0], &sc), -1);
    assert_int_equal(roster_split(r, s_codes[0], two, whole, 2, 9, "p9", &err), 0);
    assert_int_equal(roster_count(r), 2);
    assert_int_equal(roster_split_of(r, s_codes[0], &sc), 0);
    assert_int_equal(sc.n, 2);
    assert_string_equal(sc.successors[0], s_codes[1]);
    assert_string_equal(sc.successors[1], s_codes[2]);
    assert_int_equal(sc.permille[0], 600);
    assert_int_equal(sc.permille[1], 400);
    assert_int_equal(sc.log_index, 9);
    assert_string_equal(sc.decision, "p9");
    roster_past_at(r, 0, &past);
    assert_string_equal(past.org.code, s_codes[0]);
    assert_string_equal(past.successor, s_codes[1]);
    assert_int_equal(past.until_index, 9);
    /* Once split, never again. */
    assert_int_equal(roster_split_check(r, s_codes[0], two, whole, 2, &err), -1);
    assert_int_equal(err.code, CC_FAILED_PRECONDITION);
    assert_non_null(strstr(err.msg, "was already split by decision p9"));
    roster_change_t ch;
    roster_change_at(r, 0, &ch);
    assert_string_equal(ch.what, "split");
    assert_string_equal(ch.code, s_codes[0]);
    roster_destroy(&r);
    roster_destroy(&draft);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roster_split),
        cmocka_unit_test(test_roster_sign_save_load_verify),
        cmocka_unit_test(test_roster_missing_signature_named),
        cmocka_unit_test(test_roster_non_member_signature_rejected),
        cmocka_unit_test(test_roster_tampered_bytes_fail),
        cmocka_unit_test(test_roster_truncated_and_garbage),
        cmocka_unit_test(test_roster_duplicates_refused),
        cmocka_unit_test(test_roster_lookup_by_code_and_curve),
        cmocka_unit_test(test_roster_new_refuses_bad_arguments),
        cmocka_unit_test(test_roster_predecessors_kept),
        cmocka_unit_test(test_roster_changes_keep_history),
    };
    return cmocka_run_group_tests(tests, s_setup, s_teardown);
}
