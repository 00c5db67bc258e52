/* SPDX-License-Identifier: Apache-2.0 */
/* roster: federation membership, its file format and its signatures, and
 * the roster after genesis: key rotations, mergers and admissions decided
 * by boards, each taking effect after a log index, with the superseded
 * entries kept so that earlier signatures still verify. */
#include "roster.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "keys.h"
#include "log.h"
#include "roster.pb-c.h"
#include "wire.h"

/* 4096 members at a few hundred bytes each, plus their signatures. */
#define ROSTER_FILE_MAX (4u * 1024u * 1024u)
#define ROSTER_FEDERATION_MAX 128
#define ROSTER_PREDECESSORS_MAX 64

/* One organisation with one set of keys, and the stretch of the log in
 * which those keys sign: envelopes at log index L with
 * from_index < L <= until_index. */
typedef struct {
    keys_public_t pub; /* pub.kind holds the OrgKind name */
    int kind;          /* the OrgKind value */
    char **preds;      /* codes of merged predecessors, kept so a repack loses nothing */
    size_t npreds;
    uint64_t from_index;               /* 0 for the genesis roster */
    uint64_t until_index;              /* ROSTER_NOW while current */
    int genesis;                       /* listed in the signed genesis roster */
    char successor[KEYS_CODE_MAX + 1]; /* merged into this organisation; "" if not */
} roster_entry_t;

typedef struct {
    char code[KEYS_CODE_MAX + 1];
    uint8_t sig[KEYS_SIG_LEN];
} roster_sig_t;

/* One change as `roster show` lists it. */
typedef struct {
    uint64_t log_index;
    char what[8];
    char code[KEYS_CODE_MAX + 1];
    char preds[ROSTER_PREDECESSORS_MAX * (KEYS_CODE_MAX + 1) + 1];
    char decision[40];
} roster_event_t;

struct roster {
    char federation[ROSTER_FEDERATION_MAX + 1];
    uint64_t created_at_ms;
    keys_public_t broker;
    roster_entry_t *orgs; /* current members, genesis order then admissions */
    size_t norgs;
    roster_sig_t *sigs;
    size_t nsigs;
    /* The packed Roster bytes that signatures cover: those read from the
     * file, or frozen at the first signature. NULL while a draft is being
     * edited. Invariant: nsigs > 0 implies raw != NULL. */
    uint8_t *raw;
    size_t raw_len;
    roster_entry_t *past; /* superseded: rotated keys, merged organisations */
    size_t npast;
    roster_event_t *events; /* changes in the order they took effect */
    size_t nevents;
};

/* Checks a would-be member against the current ones (code, name, kind,
 * keys distinct from every member's and the broker's) and appends it as
 * a genesis entry, taking ownership of preds (freed here on failure).
 * Returns 0 or -1 with err set. */
static int s_append(roster_t *r, const keys_public_t *pub, char **preds, size_t npreds,
                    cc_err_t *err);

/* The OrgKind value of a kind name ("CCG", ...), or 0 if unknown. */
static int s_kind_value(const char *name);

/* Free text that ends up in logs and on screens (what names it): 1..max
 * bytes, no control characters. Returns 0 or -1 with INVALID_ARGUMENT. */
static int s_text_check(const char *what, const char *s, size_t max, cc_err_t *err);

/* Frees an entry's predecessor list. */
static void s_entry_clear(roster_entry_t *e);

#define ROSTER_VERSION 1

static const struct {
    int value;
    const char *name;
} s_kinds[] = {
    {CONCORD__V1__ORG_KIND__CCG, "CCG"},
    {CONCORD__V1__ORG_KIND__COUNCIL_UPPER, "COUNCIL_UPPER"},
    {CONCORD__V1__ORG_KIND__COUNCIL_DISTRICT, "COUNCIL_DISTRICT"},
    {CONCORD__V1__ORG_KIND__NHS_ENGLAND, "NHS_ENGLAND"},
    {CONCORD__V1__ORG_KIND__COMBINED_AUTHORITY, "COMBINED_AUTHORITY"},
    {CONCORD__V1__ORG_KIND__ICB, "ICB"},
    {CONCORD__V1__ORG_KIND__SUB_ICB_LOCATION, "SUB_ICB_LOCATION"},
    {CONCORD__V1__ORG_KIND__NHS_TRUST, "NHS_TRUST"},
    {CONCORD__V1__ORG_KIND__NHS_FOUNDATION_TRUST, "NHS_FOUNDATION_TRUST"},
    {CONCORD__V1__ORG_KIND__MAYORAL_CA, "MAYORAL_CA"},
    {CONCORD__V1__ORG_KIND__HEALTHWATCH, "HEALTHWATCH"},
};

static const char *s_kind_name(int value)
{
    size_t i;

    for (i = 0; i < sizeof s_kinds / sizeof s_kinds[0]; i++) {
        if (s_kinds[i].value == value) {
            return s_kinds[i].name;
        }
    }
    return NULL;
}

static int s_kind_value(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof s_kinds / sizeof s_kinds[0]; i++) {
        if (strcmp(s_kinds[i].name, name) == 0) {
            return s_kinds[i].value;
        }
    }
    return 0;
}

static int s_text_check(const char *what, const char *s, size_t max, cc_err_t *err)
{
    size_t n = strnlen(s, max + 1);
    size_t i;

    if (n == 0 || n > max) {
        err_set(err, CC_INVALID_ARGUMENT, "%s must be 1..%zu bytes", what, max);
        return -1;
    }
    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) {
            err_set(err, CC_INVALID_ARGUMENT, "%s holds a control character", what);
            return -1;
        }
    }
    return 0;
}

static const roster_entry_t *s_find(const roster_t *r, const char *code)
{
    size_t i;

    for (i = 0; i < r->norgs; i++) {
        if (strcmp(r->orgs[i].pub.code, code) == 0) {
            return &r->orgs[i];
        }
    }
    return NULL;
}

static const roster_sig_t *s_find_sig(const roster_t *r, const char *code)
{
    size_t i;

    for (i = 0; i < r->nsigs; i++) {
        if (strcmp(r->sigs[i].code, code) == 0) {
            return &r->sigs[i];
        }
    }
    return NULL;
}

static void s_free_preds(char **preds, size_t n)
{
    size_t i;

    for (i = 0; preds != NULL && i < n; i++) {
        free(preds[i]);
    }
    free(preds);
}

static void s_entry_clear(roster_entry_t *e)
{
    s_free_preds(e->preds, e->npreds);
    e->preds = NULL;
    e->npreds = 0;
}

static int s_append(roster_t *r, const keys_public_t *pub, char **preds, size_t npreds,
                    cc_err_t *err)
{
    roster_entry_t *grown;
    size_t i;
    int kind = s_kind_value(pub->kind);
    int rc = -1;

    if (keys_code_check(pub->code, err) != 0 ||
        s_text_check("organisation name", pub->name, KEYS_NAME_MAX, err) != 0) {
        goto out;
    }
    if (kind == 0 || strcmp(pub->code, KEYS_BROKER_CODE) == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: a member needs a member code and an organisation kind (CCG, ICB, "
                "COUNCIL_UPPER, ...: concord keygen --kinds)",
                pub->code);
        goto out;
    }
    if (r->norgs >= ROSTER_MAX_ORGS) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "roster is full (%d organisations)", ROSTER_MAX_ORGS);
        goto out;
    }
    /* A shared key would let one organisation sign or connect as another. */
    if (memcmp(pub->sign_pk, r->broker.sign_pk, KEYS_PK_LEN) == 0 ||
        memcmp(pub->curve_pk, r->broker.curve_pk, KEYS_PK_LEN) == 0) {
        err_set(err, CC_ALREADY_EXISTS, "%s uses a key of the broker", pub->code);
        goto out;
    }
    for (i = 0; i < r->norgs; i++) {
        const keys_public_t *o = &r->orgs[i].pub;
        const char *what = strcmp(o->code, pub->code) == 0                        ? "code"
                           : memcmp(o->sign_pk, pub->sign_pk, KEYS_PK_LEN) == 0   ? "signing key"
                           : memcmp(o->curve_pk, pub->curve_pk, KEYS_PK_LEN) == 0 ? "transport key"
                                                                                  : NULL;
        if (what != NULL) {
            if (strcmp(what, "code") == 0) {
                err_set(err, CC_ALREADY_EXISTS, "%s is already in the roster", pub->code);
            } else {
                err_set(err, CC_ALREADY_EXISTS, "%s: its %s is already used by %s", pub->code, what,
                        o->code);
            }
            goto out;
        }
    }
    grown = realloc(r->orgs, (r->norgs + 1) * sizeof *r->orgs);
    if (grown == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    r->orgs = grown;
    memset(&grown[r->norgs], 0, sizeof grown[r->norgs]);
    grown[r->norgs].pub = *pub;
    grown[r->norgs].kind = kind;
    grown[r->norgs].preds = preds;
    grown[r->norgs].npreds = npreds;
    grown[r->norgs].until_index = ROSTER_NOW;
    grown[r->norgs].genesis = 1;
    r->norgs++;
    preds = NULL;
    rc = 0;
out:
    s_free_preds(preds, npreds);
    return rc;
}

roster_t *roster_new(const char *federation, const keys_public_t *broker, cc_err_t *err)
{
    roster_t *r;

    assert(federation != NULL && broker != NULL);
    if (s_text_check("federation name", federation, ROSTER_FEDERATION_MAX, err) != 0 ||
        s_text_check("broker name", broker->name, KEYS_NAME_MAX, err) != 0) {
        return NULL;
    }
    if (strcmp(broker->code, KEYS_BROKER_CODE) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "the broker's keys must have code \"%s\", not %s",
                KEYS_BROKER_CODE, broker->code);
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    snprintf(r->federation, sizeof r->federation, "%s", federation);
    r->created_at_ms = clock_wall_ms();
    r->broker = *broker;
    snprintf(r->broker.kind, sizeof r->broker.kind, "BROKER");
    return r;
}

int roster_add(roster_t *r, const keys_public_t *org, cc_err_t *err)
{
    assert(r != NULL && org != NULL);
    /* Adding a member changes the signed bytes, which would silently
     * invalidate every signature already collected. */
    if (r->nsigs > 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "roster already has %zu signature(s); members can no longer be added", r->nsigs);
        return -1;
    }
    if (s_append(r, org, NULL, 0, err) != 0) {
        return -1;
    }
    free(r->raw);
    r->raw = NULL;
    r->raw_len = 0;
    return 0;
}

/* Packs the Roster message from the fields. */
static int s_pack(const roster_t *r, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    Concord__V1__Roster ro = CONCORD__V1__ROSTER__INIT;
    Concord__V1__BrokerIdentity bi = CONCORD__V1__BROKER_IDENTITY__INIT;
    Concord__V1__Organisation *orgs = NULL;
    Concord__V1__Organisation **ptrs = NULL;
    size_t i;
    int rc = -1;

    if (r->norgs > 0) {
        orgs = calloc(r->norgs, sizeof *orgs);
        ptrs = calloc(r->norgs, sizeof *ptrs);
        if (orgs == NULL || ptrs == NULL) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            goto out;
        }
    }
    for (i = 0; i < r->norgs; i++) {
        const roster_entry_t *o = &r->orgs[i];
        concord__v1__organisation__init(&orgs[i]);
        orgs[i].code = (char *)o->pub.code;
        orgs[i].name = (char *)o->pub.name;
        orgs[i].kind = (Concord__V1__OrgKind)o->kind;
        orgs[i].sign_key.len = KEYS_PK_LEN;
        orgs[i].sign_key.data = (uint8_t *)o->pub.sign_pk;
        orgs[i].transport_key.len = KEYS_PK_LEN;
        orgs[i].transport_key.data = (uint8_t *)o->pub.curve_pk;
        orgs[i].predecessors = o->preds;
        orgs[i].n_predecessors = o->npreds;
        ptrs[i] = &orgs[i];
    }
    bi.name = (char *)r->broker.name;
    bi.sign_key.len = KEYS_PK_LEN;
    bi.sign_key.data = (uint8_t *)r->broker.sign_pk;
    bi.transport_key.len = KEYS_PK_LEN;
    bi.transport_key.data = (uint8_t *)r->broker.curve_pk;
    ro.version = ROSTER_VERSION;
    ro.federation = (char *)r->federation;
    ro.created_at_ms = r->created_at_ms;
    ro.broker = &bi;
    ro.organisations = ptrs;
    ro.n_organisations = r->norgs;
    rc = wire_pack(&ro.base, ROSTER_FILE_MAX, out, out_len, err);
out:
    free(orgs);
    free(ptrs);
    return rc;
}

/* The signed bytes: raw if frozen, else a fresh packing in *tmp. */
static int s_bytes(const roster_t *r, const uint8_t **buf, size_t *len, uint8_t **tmp,
                   cc_err_t *err)
{
    *tmp = NULL;
    if (r->raw != NULL) {
        *buf = r->raw;
        *len = r->raw_len;
        return 0;
    }
    if (s_pack(r, tmp, len, err) != 0) {
        return -1;
    }
    *buf = *tmp;
    return 0;
}

/* Adds code's signature, or replaces the one it already has. */
static int s_put_sig(roster_t *r, const char *code, const uint8_t sig[KEYS_SIG_LEN], cc_err_t *err)
{
    roster_sig_t *slot = (roster_sig_t *)s_find_sig(r, code);

    if (slot == NULL) {
        if (r->nsigs >= ROSTER_MAX_ORGS + 1) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "too many signatures");
            return -1;
        }
        slot = realloc(r->sigs, (r->nsigs + 1) * sizeof *r->sigs);
        if (slot == NULL) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        r->sigs = slot;
        slot += r->nsigs++;
        memset(slot, 0, sizeof *slot);
        snprintf(slot->code, sizeof slot->code, "%s", code);
    }
    memcpy(slot->sig, sig, KEYS_SIG_LEN);
    return 0;
}

int roster_sign(roster_t *r, const keys_t *k, cc_err_t *err)
{
    const roster_entry_t *o;
    uint8_t sig[KEYS_SIG_LEN];

    assert(r != NULL && k != NULL);
    o = s_find(r, keys_code(k));
    if (o == NULL) {
        err_set(err, CC_PERMISSION_DENIED, "%s is not a member of the roster", keys_code(k));
        return -1;
    }
    if (memcmp(o->pub.sign_pk, keys_public(k)->sign_pk, KEYS_PK_LEN) != 0) {
        err_set(err, CC_PERMISSION_DENIED, "the signing key of %s does not match its roster entry",
                keys_code(k));
        return -1;
    }
    if (r->raw == NULL && s_pack(r, &r->raw, &r->raw_len, err) != 0) {
        return -1;
    }
    if (keys_sign(k, ROSTER_DOMAIN, r->raw, r->raw_len, sig, err) != 0) {
        return -1;
    }
    return s_put_sig(r, keys_code(k), sig, err);
}

/* Writes via a temporary file and rename, so a crash leaves either the
 * old roster or the new one, never a torn file. */
static int s_write_replace(const char *path, const uint8_t *data, size_t len, cc_err_t *err)
{
    char tmp[4096];
    size_t done = 0;
    int fd;
    int rc = -1;

    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp.XXXXXX", path) >= sizeof tmp) {
        err_set(err, CC_INVALID_ARGUMENT, "path %s is too long", path);
        return -1;
    }
    fd = mkstemp(tmp);
    if (fd < 0) {
        err_set(err, CC_UNAVAILABLE, "cannot create %s: %s", tmp, strerror(errno));
        return -1;
    }
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            break;
        }
        done += (size_t)w;
    }
    if (done < len || fchmod(fd, 0644) != 0 || fsync(fd) != 0) {
        err_set(err, CC_UNAVAILABLE, "cannot write %s: %s", tmp, strerror(errno));
        close(fd);
        goto out;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        err_set(err, CC_UNAVAILABLE, "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (rc != 0) {
        unlink(tmp);
    }
    return rc;
}

int roster_signed_bytes(const roster_t *r, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    Concord__V1__SignedRoster sr = CONCORD__V1__SIGNED_ROSTER__INIT;
    Concord__V1__RosterSignature *sigs = NULL;
    Concord__V1__RosterSignature **ptrs = NULL;
    const uint8_t *bytes = NULL;
    uint8_t *tmp = NULL;
    size_t len = 0;
    size_t i;
    int rc = -1;

    assert(r != NULL && out != NULL && out_len != NULL);
    if (s_bytes(r, &bytes, &len, &tmp, err) != 0) {
        goto out;
    }
    if (r->nsigs > 0) {
        sigs = calloc(r->nsigs, sizeof *sigs);
        ptrs = calloc(r->nsigs, sizeof *ptrs);
        if (sigs == NULL || ptrs == NULL) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            goto out;
        }
    }
    for (i = 0; i < r->nsigs; i++) {
        concord__v1__roster_signature__init(&sigs[i]);
        sigs[i].code = (char *)r->sigs[i].code;
        sigs[i].signature.len = KEYS_SIG_LEN;
        sigs[i].signature.data = (uint8_t *)r->sigs[i].sig;
        ptrs[i] = &sigs[i];
    }
    sr.roster.len = len;
    sr.roster.data = (uint8_t *)bytes;
    sr.signatures = ptrs;
    sr.n_signatures = r->nsigs;
    rc = wire_pack(&sr.base, ROSTER_FILE_MAX, out, out_len, err);
out:
    free(sigs);
    free(ptrs);
    free(tmp);
    return rc;
}

int roster_save(const roster_t *r, const char *path, cc_err_t *err)
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    assert(r != NULL && path != NULL);
    int rc = roster_signed_bytes(r, &packed, &packed_len, err) == 0 &&
                     s_write_replace(path, packed, packed_len, err) == 0
                 ? 0
                 : -1;
    free(packed);
    return rc;
}

/* Copies a decoded Organisation into the roster, checking every field. */
static int s_load_org(roster_t *r, const Concord__V1__Organisation *po, cc_err_t *err)
{
    keys_public_t pub;
    const char *kind = s_kind_name(po->kind);
    char **preds = NULL;
    size_t i;

    if (po->sign_key.len != KEYS_PK_LEN || po->transport_key.len != KEYS_PK_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "keys must be %d bytes", KEYS_PK_LEN);
        return -1;
    }
    if (kind == NULL || strlen(po->code) > KEYS_CODE_MAX || strlen(po->name) > KEYS_NAME_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "bad kind, code or name");
        return -1;
    }
    if (po->n_predecessors > ROSTER_PREDECESSORS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "more than %d predecessors", ROSTER_PREDECESSORS_MAX);
        return -1;
    }
    memset(&pub, 0, sizeof pub);
    snprintf(pub.code, sizeof pub.code, "%s", po->code);
    snprintf(pub.name, sizeof pub.name, "%s", po->name);
    snprintf(pub.kind, sizeof pub.kind, "%s", kind);
    memcpy(pub.sign_pk, po->sign_key.data, KEYS_PK_LEN);
    memcpy(pub.curve_pk, po->transport_key.data, KEYS_PK_LEN);
    for (i = 0; i < po->n_predecessors; i++) {
        if (keys_code_check(po->predecessors[i], err) != 0) {
            err_prefix(err, "predecessor: ");
            return -1;
        }
    }
    if (po->n_predecessors > 0 && (preds = calloc(po->n_predecessors, sizeof *preds)) == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    for (i = 0; i < po->n_predecessors; i++) {
        preds[i] = strdup(po->predecessors[i]);
        if (preds[i] == NULL) {
            s_free_preds(preds, po->n_predecessors);
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
    }
    return s_append(r, &pub, preds, po->n_predecessors, err);
}

static int s_load_sig(roster_t *r, const Concord__V1__RosterSignature *ps, cc_err_t *err)
{
    if (keys_code_check(ps->code, err) != 0) {
        return -1;
    }
    if (ps->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "signature by %s is not %d bytes", ps->code,
                KEYS_SIG_LEN);
        return -1;
    }
    /* Two signatures from one code would make "the" signature ambiguous. */
    if (s_find_sig(r, ps->code) != NULL) {
        err_set(err, CC_INVALID_ARGUMENT, "two signatures by %s", ps->code);
        return -1;
    }
    return s_put_sig(r, ps->code, ps->signature.data, err);
}

/* Fills the header fields of r from a decoded Roster. */
static int s_load_head(roster_t *r, const Concord__V1__Roster *ro, cc_err_t *err)
{
    const Concord__V1__BrokerIdentity *b = ro->broker;

    if (ro->version != ROSTER_VERSION) {
        err_set(err, CC_INVALID_ARGUMENT, "unsupported roster version %u", ro->version);
        return -1;
    }
    if (s_text_check("federation name", ro->federation, ROSTER_FEDERATION_MAX, err) != 0) {
        return -1;
    }
    if (b == NULL || b->sign_key.len != KEYS_PK_LEN || b->transport_key.len != KEYS_PK_LEN ||
        s_text_check("broker name", b->name, KEYS_NAME_MAX, err) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "missing or malformed broker identity");
        return -1;
    }
    if (ro->n_organisations > ROSTER_MAX_ORGS) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "roster lists %zu organisations, over %d",
                ro->n_organisations, ROSTER_MAX_ORGS);
        return -1;
    }
    snprintf(r->federation, sizeof r->federation, "%s", ro->federation);
    r->created_at_ms = ro->created_at_ms;
    snprintf(r->broker.code, sizeof r->broker.code, "%s", KEYS_BROKER_CODE);
    snprintf(r->broker.name, sizeof r->broker.name, "%s", b->name);
    snprintf(r->broker.kind, sizeof r->broker.kind, "BROKER");
    memcpy(r->broker.sign_pk, b->sign_key.data, KEYS_PK_LEN);
    memcpy(r->broker.curve_pk, b->transport_key.data, KEYS_PK_LEN);
    return 0;
}

roster_t *roster_from_bytes(const uint8_t *buf, size_t len, cc_err_t *err)
{
    Concord__V1__SignedRoster *sr = NULL;
    Concord__V1__Roster *ro = NULL;
    roster_t *r = NULL;
    size_t i;
    int ok = 0;

    sr = (Concord__V1__SignedRoster *)wire_unpack(&concord__v1__signed_roster__descriptor, buf, len,
                                                  ROSTER_FILE_MAX, err);
    if (sr == NULL) {
        goto out;
    }
    ro = (Concord__V1__Roster *)wire_unpack(&concord__v1__roster__descriptor, sr->roster.data,
                                            sr->roster.len, ROSTER_FILE_MAX, err);
    if (ro == NULL) {
        goto out;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    if (s_load_head(r, ro, err) != 0) {
        goto out;
    }
    for (i = 0; i < ro->n_organisations; i++) {
        if (s_load_org(r, ro->organisations[i], err) != 0) {
            err_prefix(err, "organisation %zu: ", i + 1);
            goto out;
        }
    }
    if (sr->n_signatures > ROSTER_MAX_ORGS) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "too many signatures (%zu)", sr->n_signatures);
        goto out;
    }
    for (i = 0; i < sr->n_signatures; i++) {
        if (s_load_sig(r, sr->signatures[i], err) != 0) {
            goto out;
        }
    }
    /* Keep the bytes exactly as signed; a repack need not reproduce them. */
    r->raw = malloc(sr->roster.len > 0 ? sr->roster.len : 1);
    if (r->raw == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    if (sr->roster.len > 0) {
        memcpy(r->raw, sr->roster.data, sr->roster.len);
    }
    r->raw_len = sr->roster.len;
    ok = 1;
out:
    if (!ok) {
        roster_destroy(&r);
        err_prefix(err, "roster: ");
    }
    wire_free((ProtobufCMessage *)ro);
    wire_free((ProtobufCMessage *)sr);
    return r;
}

roster_t *roster_load(const char *path, cc_err_t *err)
{
    roster_t *r = NULL;
    uint8_t *buf = NULL;
    struct stat st;
    size_t n = 0;
    FILE *f;

    assert(path != NULL);
    f = fopen(path, "rb");
    if (f == NULL) {
        err_set(err, errno == ENOENT ? CC_NOT_FOUND : CC_UNAVAILABLE, "cannot open %s: %s", path,
                strerror(errno));
        return NULL;
    }
    /* Size first: a huge or endless file is refused before it is read. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
        (uint64_t)st.st_size > ROSTER_FILE_MAX) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s: not a regular file of at most %u bytes", path,
                ROSTER_FILE_MAX);
        goto out;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    n = fread(buf, 1, (size_t)st.st_size + 1, f);
    if (ferror(f) || n != (size_t)st.st_size) {
        err_set(err, CC_UNAVAILABLE, "%s: read failed or the file changed while read", path);
        goto out;
    }
    r = roster_from_bytes(buf, n, err);
    if (r == NULL) {
        err_prefix(err, "%s: ", path);
    }
out:
    free(buf);
    fclose(f);
    return r;
}

/* The entry code had in the signed genesis roster, whatever has changed
 * since (its keys rotated, or it merged into another). */
static const roster_entry_t *s_find_genesis(const roster_t *r, const char *code)
{
    for (size_t i = 0; i < r->norgs + r->npast; i++) {
        const roster_entry_t *o = i < r->norgs ? &r->orgs[i] : &r->past[i - r->norgs];
        if (o->genesis && strcmp(o->pub.code, code) == 0) {
            return o;
        }
    }
    return NULL;
}

/* 1 valid, 0 absent, -1 bad or not verifiable (non-member). */
static int s_state(const roster_t *r, const char *code, cc_err_t *err)
{
    const roster_sig_t *sig = s_find_sig(r, code);
    const roster_entry_t *o = s_find_genesis(r, code);

    if (sig == NULL) {
        return 0;
    }
    assert(r->raw != NULL);
    if (o == NULL ||
        keys_verify(o->pub.sign_pk, ROSTER_DOMAIN, r->raw, r->raw_len, sig->sig, err) != 0) {
        return -1;
    }
    return 1;
}

int roster_verify(const roster_t *r, cc_err_t *err)
{
    size_t i;

    assert(r != NULL);
    if (r->norgs == 0) {
        err_set(err, CC_UNAUTHENTICATED, "roster has no members, so nobody vouches for it");
        return -1;
    }
    /* The genesis members signed, whatever boards decided since. */
    for (i = 0; i < r->norgs + r->npast; i++) {
        const roster_entry_t *e = i < r->norgs ? &r->orgs[i] : &r->past[i - r->norgs];
        const keys_public_t *o = &e->pub;
        if (!e->genesis || s_find_genesis(r, o->code) != e) {
            continue;
        }
        int state = s_state(r, o->code, NULL);
        if (state != 1) {
            err_set(err, CC_UNAUTHENTICATED, "roster: %s signature from %s (%s)",
                    state == 0 ? "no" : "bad", o->code, o->name);
            return -1;
        }
    }
    for (i = 0; i < r->nsigs; i++) {
        if (s_find_genesis(r, r->sigs[i].code) == NULL) {
            err_set(err, CC_UNAUTHENTICATED, "roster: signature from %s, who is not a member",
                    r->sigs[i].code);
            return -1;
        }
    }
    return 0;
}

int roster_signature_state(const roster_t *r, const char *code)
{
    assert(r != NULL && code != NULL);
    return s_state(r, code, NULL);
}

static void s_fill(const keys_public_t *pub, roster_org_t *out)
{
    out->code = pub->code;
    out->name = pub->name;
    out->kind = pub->kind;
    out->sign_pk = pub->sign_pk;
    out->curve_pk = pub->curve_pk;
}

int roster_lookup(const roster_t *r, const char *code, roster_org_t *out)
{
    const roster_entry_t *o;

    assert(r != NULL && code != NULL && out != NULL);
    if (strcmp(code, KEYS_BROKER_CODE) == 0) {
        s_fill(&r->broker, out);
        return 0;
    }
    o = s_find(r, code);
    if (o == NULL) {
        return -1;
    }
    s_fill(&o->pub, out);
    return 0;
}

int roster_lookup_curve(const roster_t *r, const uint8_t curve_pk[KEYS_PK_LEN], roster_org_t *out)
{
    size_t i;

    assert(r != NULL && curve_pk != NULL && out != NULL);
    if (memcmp(r->broker.curve_pk, curve_pk, KEYS_PK_LEN) == 0) {
        s_fill(&r->broker, out);
        return 0;
    }
    for (i = 0; i < r->norgs; i++) {
        if (memcmp(r->orgs[i].pub.curve_pk, curve_pk, KEYS_PK_LEN) == 0) {
            s_fill(&r->orgs[i].pub, out);
            return 0;
        }
    }
    return -1;
}

size_t roster_count(const roster_t *r)
{
    assert(r != NULL);
    return r->norgs;
}

void roster_at(const roster_t *r, size_t i, roster_org_t *out)
{
    assert(r != NULL && i < r->norgs && out != NULL);
    s_fill(&r->orgs[i].pub, out);
}

void roster_broker(const roster_t *r, roster_org_t *out)
{
    assert(r != NULL && out != NULL);
    s_fill(&r->broker, out);
}

const char *roster_federation(const roster_t *r)
{
    assert(r != NULL);
    return r->federation;
}

uint64_t roster_created_at_ms(const roster_t *r)
{
    assert(r != NULL);
    return r->created_at_ms;
}

void roster_hash(const roster_t *r, uint8_t out[32])
{
    const uint8_t *bytes = NULL;
    uint8_t *tmp = NULL;
    size_t len = 0;
    cc_err_t err;

    assert(r != NULL && out != NULL);
    /* Only an unsigned draft needs packing here; if even that fails
     * (out of memory) the all-zero hash matches no real roster. */
    if (s_bytes(r, &bytes, &len, &tmp, &err) != 0) {
        log_error("roster_hash: %s", err.msg);
        memset(out, 0, 32);
        return;
    }
    crypto_hash_sha256(out, bytes, len);
    free(tmp);
}

void roster_swap(roster_t *a, roster_t *b)
{
    roster_t t = *a;
    *a = *b;
    *b = t;
}

void roster_destroy(roster_t **r)
{
    size_t i;

    if (r == NULL || *r == NULL) {
        return;
    }
    for (i = 0; i < (*r)->norgs; i++) {
        s_entry_clear(&(*r)->orgs[i]);
    }
    for (i = 0; i < (*r)->npast; i++) {
        s_entry_clear(&(*r)->past[i]);
    }
    free((*r)->orgs);
    free((*r)->past);
    free((*r)->events);
    free((*r)->sigs);
    free((*r)->raw);
    free(*r);
    *r = NULL;
}

/* ---- the roster after genesis: rotations, mergers, admissions ---- */

static long s_current(const roster_t *r, const char *code)
{
    for (size_t i = 0; i < r->norgs; i++) {
        if (strcmp(r->orgs[i].pub.code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int roster_lookup_at(const roster_t *r, const char *code, uint64_t log_index, roster_org_t *out)
{
    assert(r != NULL && code != NULL && out != NULL);
    if (strcmp(code, KEYS_BROKER_CODE) == 0) {
        return roster_lookup(r, code, out);
    }
    long i = s_current(r, code);
    if (i >= 0 && r->orgs[i].from_index < log_index) {
        s_fill(&r->orgs[i].pub, out);
        return 0;
    }
    for (size_t j = 0; j < r->npast; j++) {
        const roster_entry_t *e = &r->past[j];
        if (strcmp(e->pub.code, code) == 0 && e->from_index < log_index &&
            log_index <= e->until_index) {
            s_fill(&e->pub, out);
            return 0;
        }
    }
    return -1;
}

uint64_t roster_since(const roster_t *r, size_t i)
{
    assert(r != NULL && i < r->norgs);
    return r->orgs[i].from_index;
}

size_t roster_past_count(const roster_t *r)
{
    assert(r != NULL);
    return r->npast;
}

void roster_past_at(const roster_t *r, size_t i, roster_past_t *out)
{
    assert(r != NULL && i < r->npast && out != NULL);
    s_fill(&r->past[i].pub, &out->org);
    out->from_index = r->past[i].from_index;
    out->until_index = r->past[i].until_index;
    out->successor = r->past[i].successor;
}

int roster_keys_fresh(const roster_t *r, const uint8_t sign_pk[KEYS_PK_LEN],
                      const uint8_t curve_pk[KEYS_PK_LEN], cc_err_t *err)
{
    if (memcmp(sign_pk, r->broker.sign_pk, KEYS_PK_LEN) == 0 ||
        memcmp(curve_pk, r->broker.curve_pk, KEYS_PK_LEN) == 0) {
        err_set(err, CC_ALREADY_EXISTS, "the new keys include a key of the broker");
        return -1;
    }
    for (size_t i = 0; i < r->norgs + r->npast; i++) {
        const roster_entry_t *e = i < r->norgs ? &r->orgs[i] : &r->past[i - r->norgs];
        int sign = memcmp(e->pub.sign_pk, sign_pk, KEYS_PK_LEN) == 0;
        if (sign || memcmp(e->pub.curve_pk, curve_pk, KEYS_PK_LEN) == 0) {
            err_set(err, CC_ALREADY_EXISTS, "the new %s key %s by %s",
                    sign ? "signing" : "transport",
                    i < r->norgs ? "is already used" : "was used before", e->pub.code);
            return -1;
        }
    }
    return 0;
}

/* Changes take effect in log order; one out of order would rewrite
 * history that envelopes were already judged by. */
static int s_order_ok(const roster_t *r, uint64_t at_index, cc_err_t *err)
{
    if (r->raw == NULL) {
        err_set(err, CC_FAILED_PRECONDITION, "an unsigned draft roster takes no changes");
        return -1;
    }
    if (at_index == 0 || at_index == ROSTER_NOW ||
        (r->nevents && at_index < r->events[r->nevents - 1].log_index)) {
        err_set(err, CC_INVALID_ARGUMENT, "a roster change at log index %llu is out of order",
                (unsigned long long)at_index);
        return -1;
    }
    return 0;
}

/* Room for one more past entry and one more event. */
static int s_reserve(roster_t *r, size_t more_past, cc_err_t *err)
{
    roster_entry_t *past = realloc(r->past, (r->npast + more_past + 1) * sizeof *past);
    if (past) {
        r->past = past;
    }
    roster_event_t *ev = realloc(r->events, (r->nevents + 1) * sizeof *ev);
    if (ev) {
        r->events = ev;
    }
    if (!past || !ev) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    return 0;
}

static roster_event_t *s_event(roster_t *r, const char *what, const char *code, uint64_t at,
                               const char *decision)
{
    roster_event_t *ev = &r->events[r->nevents++];
    memset(ev, 0, sizeof *ev);
    ev->log_index = at;
    snprintf(ev->what, sizeof ev->what, "%s", what);
    snprintf(ev->code, sizeof ev->code, "%s", code);
    snprintf(ev->decision, sizeof ev->decision, "%s", decision ? decision : "");
    return ev;
}

/* Moves current entry i to the past, closing it at at_index. Room was
 * reserved. */
static void s_retire(roster_t *r, size_t i, uint64_t at_index, const char *successor)
{
    roster_entry_t *p = &r->past[r->npast++];
    *p = r->orgs[i];
    p->until_index = at_index;
    snprintf(p->successor, sizeof p->successor, "%s", successor ? successor : "");
    memmove(&r->orgs[i], &r->orgs[i + 1], (r->norgs - i - 1) * sizeof *r->orgs);
    r->norgs--;
}

int roster_rotate(roster_t *r, const char *code, const uint8_t sign_pk[KEYS_PK_LEN],
                  const uint8_t curve_pk[KEYS_PK_LEN], uint64_t at_index, const char *decision,
                  cc_err_t *err)
{
    assert(r != NULL && code != NULL && sign_pk != NULL && curve_pk != NULL);
    long i = s_current(r, code);
    if (i < 0) {
        err_set(err, CC_NOT_FOUND, "%.16s is not a member of the roster", code);
        return -1;
    }
    if (s_order_ok(r, at_index, err) < 0 || roster_keys_fresh(r, sign_pk, curve_pk, err) < 0 ||
        s_reserve(r, 0, err) < 0) {
        return -1;
    }
    /* The old entry goes to the past with its own copy of everything; the
     * current one keeps the predecessor list and takes the new keys. */
    roster_entry_t *cur = &r->orgs[i];
    roster_entry_t *p = &r->past[r->npast++];
    *p = *cur;
    p->preds = NULL;
    p->npreds = 0;
    p->until_index = at_index;
    memcpy(cur->pub.sign_pk, sign_pk, KEYS_PK_LEN);
    memcpy(cur->pub.curve_pk, curve_pk, KEYS_PK_LEN);
    cur->from_index = at_index;
    cur->genesis = 0;
    s_event(r, "rotate", code, at_index, decision);
    return 0;
}

/* 1 if code ever was a member (now or in the past). */
static int s_ever(const roster_t *r, const char *code)
{
    for (size_t i = 0; i < r->npast; i++) {
        if (strcmp(r->past[i].pub.code, code) == 0) {
            return 1;
        }
    }
    return s_current(r, code) >= 0;
}

int roster_newcomer_check(const roster_t *r, const keys_public_t *org, cc_err_t *err)
{
    if (keys_code_check(org->code, err) < 0 || strcmp(org->code, KEYS_BROKER_CODE) == 0 ||
        s_text_check("organisation name", org->name, KEYS_NAME_MAX, err) < 0) {
        err_prefix(err, "%.16s: ", org->code);
        return -1;
    }
    if (!s_kind_value(org->kind)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: a kind of CCG, COUNCIL_UPPER, COUNCIL_DISTRICT, NHS_ENGLAND or"
                " COMBINED_AUTHORITY is needed",
                org->code);
        return -1;
    }
    if (s_ever(r, org->code)) {
        err_set(err, CC_ALREADY_EXISTS, "%s is already in the roster", org->code);
        return -1;
    }
    return roster_keys_fresh(r, org->sign_pk, org->curve_pk, err);
}

int roster_merge_check(const roster_t *r, const keys_public_t *successor, const char *const *preds,
                       size_t n, cc_err_t *err)
{
    int continuing = 0;
    if (n == 0 || n > ROSTER_PREDECESSORS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a merger names 1..%d predecessors",
                ROSTER_PREDECESSORS_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (s_current(r, preds[i]) < 0) {
            err_set(err, CC_NOT_FOUND, "predecessor %.16s is not a member of the roster", preds[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(preds[i], preds[j]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "predecessor %s is named twice", preds[i]);
                return -1;
            }
        }
        continuing |= strcmp(preds[i], successor->code) == 0;
    }
    if (continuing) {
        if (n < 2) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s cannot succeed only itself: name the organisations merging into it",
                    successor->code);
            return -1;
        }
        return 0;
    }
    if (s_ever(r, successor->code)) {
        err_set(err, CC_ALREADY_EXISTS,
                "successor code %.16s is already in the roster; a continuing successor must"
                " also be named as a predecessor",
                successor->code);
        return -1;
    }
    return roster_newcomer_check(r, successor, err);
}

/* Copies the predecessor codes into a list s_append can own. */
static char **s_pred_copy(const char *const *preds, size_t n)
{
    char **copy = calloc(n, sizeof *copy);
    for (size_t i = 0; copy && i < n; i++) {
        if (!(copy[i] = strdup(preds[i]))) {
            while (i--) {
                free(copy[i]);
            }
            free(copy);
            return NULL;
        }
    }
    return copy;
}

/* A new successor joins as the last current member. */
static int s_join(roster_t *r, const keys_public_t *successor, const char *const *preds, size_t n,
                  uint64_t at_index, cc_err_t *err)
{
    char **copy = n ? s_pred_copy(preds, n) : NULL;
    if (n && !copy) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (s_append(r, successor, copy, n, err) < 0) {
        return -1;
    }
    r->orgs[r->norgs - 1].from_index = at_index;
    r->orgs[r->norgs - 1].genesis = 0;
    return 0;
}

/* Adds the merged codes to a continuing successor's predecessor list. */
static int s_extend_preds(roster_entry_t *e, const char *const *preds, size_t n, cc_err_t *err)
{
    size_t add = 0;
    for (size_t i = 0; i < n; i++) {
        add += strcmp(preds[i], e->pub.code) != 0;
    }
    if (e->npreds + add > ROSTER_PREDECESSORS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "%s would have more than %d predecessors", e->pub.code,
                ROSTER_PREDECESSORS_MAX);
        return -1;
    }
    char **grown = realloc(e->preds, (e->npreds + add + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    e->preds = grown;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(preds[i], e->pub.code) != 0) {
            if (!(grown[e->npreds] = strdup(preds[i]))) {
                err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
                return -1;
            }
            e->npreds++;
        }
    }
    return 0;
}

int roster_merge(roster_t *r, const keys_public_t *successor, const char *const *preds, size_t n,
                 uint64_t at_index, const char *decision, cc_err_t *err)
{
    assert(r != NULL && successor != NULL && (preds != NULL || n == 0));
    if (s_order_ok(r, at_index, err) < 0 || roster_merge_check(r, successor, preds, n, err) < 0 ||
        s_reserve(r, n, err) < 0) {
        return -1;
    }
    long cont = s_current(r, successor->code);
    if (cont >= 0 ? s_extend_preds(&r->orgs[cont], preds, n, err) < 0
                  : s_join(r, successor, preds, n, at_index, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(preds[i], successor->code) != 0) {
            s_retire(r, (size_t)s_current(r, preds[i]), at_index, successor->code);
        }
    }
    roster_event_t *ev = s_event(r, "merge", successor->code, at_index, decision);
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(ev->preds);
        snprintf(ev->preds + used, sizeof ev->preds - used, "%s%s", used ? " " : "", preds[i]);
    }
    return 0;
}

int roster_split_check(const roster_t *r, const char *code, const char *const *successors,
                       const uint32_t *permille, size_t n, cc_err_t *err)
{
    roster_split_t was;
    uint32_t sum = 0;
    if (roster_split_of(r, code, &was) == 0) {
        err_set(err, CC_FAILED_PRECONDITION,
                "%.16s was already split by decision %.40s: an organisation splits once, its"
                " transfer scheme then fixes its successors (Health and Care Act 2022 Sch 4)",
                code, was.decision);
        return -1;
    }
    if (s_current(r, code) < 0) {
        err_set(err, CC_NOT_FOUND, "%.16s is not a member of the roster, so it cannot split", code);
        return -1;
    }
    if (n < 2 || n > ROSTER_SPLIT_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a split's transfer scheme names 2..%d successors (one successor is a merger or"
                " a change of code)",
                ROSTER_SPLIT_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(successors[i], code) == 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s cannot be its own successor in a split", code);
            return -1;
        }
        if (s_current(r, successors[i]) < 0) {
            err_set(err, CC_NOT_FOUND,
                    "successor %.16s is not a member of the roster: a transfer scheme apportions"
                    " to organisations already in the federation (admit it first)",
                    successors[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(successors[i], successors[j]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "successor %s is named twice", successors[i]);
                return -1;
            }
        }
        if (permille[i] == 0 || permille[i] > 1000) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "successor %s's share is %u permille: each share is 1..1000", successors[i],
                    permille[i]);
            return -1;
        }
        sum += permille[i];
    }
    if (sum != 1000) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the transfer scheme's shares sum to %u permille, not the whole (1000): every"
                " part of %s's contributions must pass to a successor (Health and Care Act 2022"
                " Sch 4)",
                sum, code);
        return -1;
    }
    return 0;
}

int roster_split(roster_t *r, const char *code, const char *const *successors,
                 const uint32_t *permille, size_t n, uint64_t at_index, const char *decision,
                 cc_err_t *err)
{
    assert(r != NULL && code != NULL && (successors != NULL || n == 0));
    if (s_order_ok(r, at_index, err) < 0 ||
        roster_split_check(r, code, successors, permille, n, err) < 0 ||
        s_reserve(r, 1, err) < 0) {
        return -1;
    }
    s_retire(r, (size_t)s_current(r, code), at_index, successors[0]);
    roster_event_t *ev = s_event(r, "split", code, at_index, decision);
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(ev->preds);
        snprintf(ev->preds + used, sizeof ev->preds - used, "%s%s:%u", used ? " " : "",
                 successors[i], permille[i]);
    }
    return 0;
}

int roster_split_of(const roster_t *r, const char *code, roster_split_t *out)
{
    for (size_t i = 0; i < r->nevents; i++) {
        const roster_event_t *ev = &r->events[i];
        if (strcmp(ev->what, "split") != 0 || strcmp(ev->code, code) != 0) {
            continue;
        }
        memset(out, 0, sizeof *out);
        out->log_index = ev->log_index;
        out->decision = ev->decision;
        for (const char *p = ev->preds; *p && out->n < ROSTER_SPLIT_MAX;) {
            size_t len = strcspn(p, ":");
            if (len > KEYS_CODE_MAX || p[len] != ':') {
                break;
            }
            memcpy(out->successors[out->n], p, len);
            out->successors[out->n][len] = 0;
            out->permille[out->n++] = (uint32_t)strtoul(p + len + 1, NULL, 10);
            p += len + 1 + strcspn(p + len + 1, " ");
            p += *p == ' ';
        }
        return 0;
    }
    return -1;
}

int roster_admit(roster_t *r, const keys_public_t *org, uint64_t at_index, const char *decision,
                 cc_err_t *err)
{
    assert(r != NULL && org != NULL);
    if (s_order_ok(r, at_index, err) < 0 || roster_newcomer_check(r, org, err) < 0 ||
        s_reserve(r, 0, err) < 0 || s_join(r, org, NULL, 0, at_index, err) < 0) {
        return -1;
    }
    s_event(r, "admit", org->code, at_index, decision);
    return 0;
}

size_t roster_change_count(const roster_t *r)
{
    assert(r != NULL);
    return r->nevents;
}

void roster_change_at(const roster_t *r, size_t i, roster_change_t *out)
{
    assert(r != NULL && i < r->nevents && out != NULL);
    const roster_event_t *ev = &r->events[i];
    out->log_index = ev->log_index;
    out->what = ev->what;
    out->code = ev->code;
    out->predecessors = ev->preds;
    out->decision = ev->decision;
}
