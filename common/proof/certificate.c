/* SPDX-License-Identifier: Apache-2.0 */
/* certificate: verifying decision certificates, and the
 * parts every exported certificate shares (statement.c's too). */
#include "certificate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sys/stat.h>

#include "clock.h"
#include "envelope.h"
#include "exempt.h"
#include "grow.h"
#include "pool.h"
#include "text.h"
#include "receipt.h"
#include "wire.h"

int certificate_seal(const keys_t *signer, const char *domain, const uint8_t *cert,
                     size_t cert_len, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    uint8_t sig[KEYS_SIG_LEN];
    if (keys_sign(signer, domain, cert, cert_len, sig, err) < 0) {
        return -1;
    }
    Concord__V1__SignedCertificate sc = CONCORD__V1__SIGNED_CERTIFICATE__INIT;
    sc.certificate.data = (uint8_t *)cert;
    sc.certificate.len = cert_len;
    sc.signer = (char *)keys_code(signer);
    sc.signature.data = sig;
    sc.signature.len = sizeof sig;
    return wire_pack(&sc.base, CERTIFICATE_MAX, out, out_len, err);
}

envelope_t *certificate_open_event(receipt_heads_t *heads, const roster_t *roster,
                                   const Concord__V1__CertifiedEnvelope *ce, size_t i,
                                   uint64_t *log_index, uint64_t *time_ms, cc_err_t *err)
{
    envelope_t *env = NULL;
    receipt_t r;
    if (receipt_open(heads, roster, ce->receipt.data, ce->receipt.len, &r, err) < 0) {
        err_prefix(err, "event %zu: ", i + 1);
        return NULL;
    }
    /* Judged by the roster as it stood at its log position, rebuilt by the
     * events before it: keys rotated later do not matter. */
    env = envelope_open_at(ce->envelope.data, ce->envelope.len, roster, r.log_index, err);
    if (!env) {
        err_prefix(err, "event %zu: ", i + 1);
    } else if (memcmp(r.envelope_hash, env->hash, 32) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "event %zu: its receipt is for another envelope", i + 1);
        envelope_destroy(&env);
    } else if (env->header->kind != CONCORD__V1__KIND__KIND_EVENT ||
               (strcmp(env->header->recipient, ENVELOPE_EVERYONE) != 0 &&
                !envelope_board_of(env->header->recipient))) {
        err_set(err, CC_INVALID_ARGUMENT,
                "event %zu was not sent to every member or to a board's members", i + 1);
        envelope_destroy(&env);
    } else {
        *log_index = r.log_index;
        *time_ms = r.time_ms;
    }
    return env;
}

/* Checks one certified event and applies it to the engine. */
static int s_replay_event(board_engine_t *eng, receipt_heads_t *heads, const roster_t *roster,
                          const Concord__V1__CertifiedEnvelope *ce, size_t i, cc_err_t *err)
{
    uint64_t log_index = 0, time_ms = 0;
    envelope_t *env = certificate_open_event(heads, roster, ce, i, &log_index, &time_ms, err);
    if (!env) {
        return -1;
    }
    board_event_t ev = fold_event_of(env, log_index, time_ms);
    int ret = board_apply(eng, &ev, err);
    if (ret < 0) {
        err_prefix(err, "event %zu (log index %llu, from %s) is not valid: ", i + 1,
                   (unsigned long long)log_index, env->header->sender);
    }
    envelope_destroy(&env);
    return ret;
}

/* Writes the ballots of the proposal as text lines into the report. */
static void s_ballot_lines(const board_engine_t *eng, const board_proposal_view_t *pv,
                           certificate_report_t *out)
{
    static const char *const votes[] = {"?", "FOR", "AGAINST", "ABSTAIN"};
    size_t cap = pv->n_ballots * 160 + 1;
    out->ballot_lines = calloc(1, cap);
    if (!out->ballot_lines) {
        return;
    }
    size_t used = 0;
    for (size_t j = 0; j < pv->n_ballots; j++) {
        board_ballot_view_t bv;
        char when[40];
        board_ballot_at(eng, pv, j, &bv);
        clock_format(bv.time_ms, when, sizeof when);
        /* A member's words: no newline or escape sequence of its own. */
        char reason[64];
        text_t t;
        text_init_fixed(&t, reason, sizeof reason);
        text_add_safe(&t, bv.reason, NULL);
        int n = snprintf(out->ballot_lines + used, cap - used, "%-10s %-7s %s log %llu%s%.60s\n",
                         bv.member, bv.vote >= 1 && bv.vote <= 3 ? votes[bv.vote] : votes[0],
                         when, (unsigned long long)bv.log_index, bv.reason[0] ? "  " : "",
                         reason);
        if (n < 0 || (size_t)n >= cap - used) {
            break;
        }
        used += (size_t)n;
    }
}

ProtobufCMessage *certificate_unpack(const uint8_t *buf, size_t len,
                                     const ProtobufCMessageDescriptor *d,
                                     Concord__V1__SignedCertificate **sc, cc_err_t *err)
{
    *sc = (Concord__V1__SignedCertificate *)wire_unpack(
        &concord__v1__signed_certificate__descriptor, buf, len, CERTIFICATE_MAX, err);
    if (!*sc) {
        err_prefix(err, "not a signed certificate: ");
        return NULL;
    }
    /* Who signed is known only after the events; that someone did, now. */
    if (!(*sc)->signer[0] || (*sc)->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_UNAUTHENTICATED, "the certificate carries no signature");
        wire_free(&(*sc)->base);
        *sc = NULL;
        return NULL;
    }
    ProtobufCMessage *inner =
        wire_unpack(d, (*sc)->certificate.data, (*sc)->certificate.len, CERTIFICATE_MAX, err);
    if (!inner) {
        err_prefix(err, "not a %s: ", d->short_name);
        wire_free(&(*sc)->base);
        *sc = NULL;
    }
    return inner;
}

int certificate_check_signer(const Concord__V1__SignedCertificate *sc, const roster_t *roster,
                             const char *domain, char signer[KEYS_CODE_MAX + 1], cc_err_t *err)
{
    roster_org_t who;
    if (roster_lookup(roster, sc->signer, &who) < 0 ||
        strcmp(sc->signer, KEYS_BROKER_CODE) == 0 || sc->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_UNAUTHENTICATED, "certificate signer '%.16s' is not in the roster",
                sc->signer);
        return -1;
    }
    if (keys_verify(who.sign_pk, domain, sc->certificate.data, sc->certificate.len,
                    sc->signature.data, err) < 0) {
        err_set(err, CC_UNAUTHENTICATED,
                "certificate signature by %s does not verify: the file was altered, or is not a"
                " %s",
                sc->signer, domain);
        return -1;
    }
    snprintf(signer, KEYS_CODE_MAX + 1, "%s", sc->signer);
    return 0;
}

roster_t *certificate_roster(const ProtobufCBinaryData *bytes, const roster_t *trusted,
                             cc_err_t *err)
{
    uint8_t h1[32], h2[32];
    roster_t *roster = roster_from_bytes(bytes->data, bytes->len, err);
    if (!roster || roster_verify(roster, err) < 0) {
        err_prefix(err, "the certificate's roster: ");
        roster_destroy(&roster);
        return NULL;
    }
    roster_hash(roster, h1);
    roster_hash(trusted, h2);
    if (memcmp(h1, h2, 32) != 0) {
        err_set(err, CC_FAILED_PRECONDITION, "the certificate was made under another roster");
        roster_destroy(&roster);
    }
    return roster;
}

/* An exempt item as a certificate shows it: its ground, and its content
 * once its proposer released it (the engine checked that the released
 * key opens its ciphertext). NULL when memory runs out. */
static char *s_exempt_report(const board_proposal_view_t *pv)
{
    const Concord__V1__Exemption *x = pv->proposal->exempt;
    uint8_t hash[32];
    char hex[65];
    Concord__V1__ExemptContent *c =
        pv->released ? exempt_decrypt(x, pv->content_key, NULL) : NULL;
    if (pv->released && !c) {
        return NULL; /* the fold opened it with this key: only memory can fail here */
    }
    exempt_ciphertext_hash(x, hash);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    size_t need = 512 + (c ? strlen(c->title) + strlen(c->text) + strlen(c->paper_name) : 0);
    char *t = malloc(need);
    if (t && c) {
        snprintf(t, need,
                 "Exempt item: %s (%s), released by its proposer (due %s); ciphertext SHA-256 "
                 "%s.\nContent: %s%s%s%s%s",
                 x->reason, exempt_reason_about(x->reason), x->release_on, hex, c->title,
                 c->text[0] ? "\n" : "", c->text, c->paper_name[0] ? "\nPaper: " : "",
                 c->paper_name);
    } else if (t) {
        snprintf(t, need,
                 "Exempt item: %s (%s) until %s; ciphertext SHA-256 %s. Its content is sealed"
                 " to the board's members until its proposer releases it.",
                 x->reason, exempt_reason_about(x->reason), x->release_on, hex);
    }
    wire_free(c ? &c->base : NULL);
    return t;
}

/* 1 if field f of a and b packs differently: each copied alone into an
 * empty Tally, both packed. */
static int s_field_differs(const ProtobufCFieldDescriptor *f, const Concord__V1__Tally *a,
                           const Concord__V1__Tally *b)
{
    const Concord__V1__Tally *src[2] = {a, b};
    uint8_t *packed[2] = {NULL, NULL};
    size_t len[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        Concord__V1__Tally one = CONCORD__V1__TALLY__INIT;
        size_t width = f->label == PROTOBUF_C_LABEL_REPEATED || f->type == PROTOBUF_C_TYPE_MESSAGE ||
                               f->type == PROTOBUF_C_TYPE_STRING
                           ? sizeof(void *)
                       : f->type == PROTOBUF_C_TYPE_UINT64 ? sizeof(uint64_t)
                                                           : sizeof(uint32_t);
        memcpy((char *)&one + f->offset, (const char *)src[k] + f->offset, width);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            memcpy((char *)&one + f->quantifier_offset, (const char *)src[k] + f->quantifier_offset,
                   sizeof(size_t));
        }
        if (wire_pack(&one.base, CERTIFICATE_MAX, &packed[k], &len[k], NULL) < 0) {
            len[k] = (size_t)-1 - (size_t)k; /* unequal: reported as differing */
        }
    }
    int differs = len[0] != len[1] || (len[0] && memcmp(packed[0], packed[1], len[0]) != 0);
    free(packed[0]);
    free(packed[1]);
    return differs;
}

int certificate_tally_differs(const Concord__V1__Tally *mine, const Concord__V1__Tally *theirs,
                              char *why, size_t size)
{
    const ProtobufCMessageDescriptor *d = &concord__v1__tally__descriptor;
    why[0] = '\0';
    for (unsigned i = 0; i < d->n_fields; i++) {
        if (s_field_differs(&d->fields[i], mine, theirs)) {
            snprintf(why, size, "%s differs", d->fields[i].name);
            return 1;
        }
    }
    /* Unknown fields in the certificate's: not what was recomputed. */
    if (theirs->base.n_unknown_fields) {
        snprintf(why, size, "unknown fields");
        return 1;
    }
    return 0;
}

/* The decision dc certifies, as the engine recomputed it, into out. */
static int s_report(const board_engine_t *eng, const Concord__V1__DecisionCertificate *dc,
                    certificate_report_t *out, cc_err_t *err)
{
    /* Other boards' events come only for their roster changes. */
    board_view_t bv;
    if (board_get(eng, dc->board_id, &bv) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "the certificate holds no events of board %.32s",
                dc->board_id);
        return -1;
    }
    board_proposal_view_t pv;
    if (strlen(dc->proposal_id) != BOARD_PROPOSAL_ID_LEN ||
        board_proposal_find(eng, dc->proposal_id, dc->exported_at_ms, &pv, err) < 0 ||
        strcmp(pv.board_id, dc->board_id) != 0) {
        err_set(err, CC_NOT_FOUND, "the certificate's events do not include proposal %.40s",
                dc->proposal_id);
        return -1;
    }
    const char *outcome = pv.tally.passed ? "PASSED" : "FAILED";
    if (!dc->tally) {
        err_set(err, CC_INVALID_ARGUMENT, "the certificate carries no tally");
        return -1;
    }
    /* Data against data: the recomputed Tally and the certificate's, in
     * their one canonical encoding. The explanation is rendered from the
     * tally and never compared. */
    board_tally_data_t td;
    board_tally_data(&pv.tally, &td);
    char differs[96] = "";
    if (pv.closed && strcmp(outcome, dc->outcome) == 0) {
        certificate_tally_differs(&td.msg, dc->tally, differs, sizeof differs);
    }
    if (!pv.closed || strcmp(outcome, dc->outcome) != 0 || differs[0]) {
        err_set(err, CC_DATA_LOSS,
                "the recomputed tally (%s%s%s) differs from the certificate's (%.16s): a ballot"
                " was added, removed or changed, or the tally altered",
                pv.closed ? outcome : "still open", differs[0] ? ", " : "", differs,
                dc->outcome);
        return -1;
    }
    snprintf(out->board_id, sizeof out->board_id, "%s", pv.board_id);
    snprintf(out->proposal_id, sizeof out->proposal_id, "%s", pv.id);
    snprintf(out->title, sizeof out->title, "%s", pv.proposal->title);
    snprintf(out->outcome, sizeof out->outcome, "%s", outcome);
    out->events = dc->n_events;
    out->ballots = pv.n_ballots;
    out->explanation = strdup(pv.tally.explanation);
    size_t need = pool_describe(pv.proposal, NULL, 0);
    if (need && (out->subject = malloc(need + 1))) {
        pool_describe(pv.proposal, out->subject, need + 1);
    }
    if (pv.proposal->exempt && !(out->exempt = s_exempt_report(&pv))) {
        return err_oom(err);
    }
    s_ballot_lines(eng, &pv, out);
    return 0;
}

/* Steps 1 to 4 of verifying a decision certificate: unpacked, a version
 * we read, made under genesis. Returns it with *sc and *roster (its copy
 * of genesis) set, all three the caller's to free, or NULL with err. */
static Concord__V1__DecisionCertificate *s_open(const uint8_t *buf, size_t len,
                                                const roster_t *genesis,
                                                Concord__V1__SignedCertificate **sc,
                                                roster_t **roster, cc_err_t *err)
{
    Concord__V1__DecisionCertificate *dc = (Concord__V1__DecisionCertificate *)certificate_unpack(
        buf, len, &concord__v1__decision_certificate__descriptor, sc, err);
    if (!dc) {
        return NULL;
    }
    if (dc->version != CERTIFICATE_VERSION) {
        err_set(err, CC_UNIMPLEMENTED, "certificate version %u is not supported", dc->version);
    } else if ((*roster = certificate_roster(&dc->roster, genesis, err))) {
        return dc;
    }
    wire_free(&dc->base);
    wire_free(&(*sc)->base);
    *sc = NULL;
    return NULL;
}

int certificate_verify(const uint8_t *buf, size_t len, const roster_t *trusted,
                       certificate_report_t *out, cc_err_t *err)
{
    roster_t *roster = NULL;
    board_engine_t *eng = NULL;
    receipt_heads_t *heads = NULL;
    Concord__V1__SignedCertificate *sc = NULL;
    int ret = -1;
    memset(out, 0, sizeof *out);
    Concord__V1__DecisionCertificate *dc = s_open(buf, len, trusted, &sc, &roster, err);
    if (!dc) {
        return -1;
    }
    /* Each tree head's signature is checked once, however many events
     * it proves. */
    if (!(eng = board_engine_new(roster)) || !(heads = receipt_heads_new())) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < dc->n_events; i++) {
        if (s_replay_event(eng, heads, roster, dc->events[i], i, err) < 0) {
            goto out;
        }
    }
    if (certificate_check_signer(sc, roster, CERTIFICATE_DOMAIN, out->signer, err) < 0 ||
        s_report(eng, dc, out, err) < 0) {
        goto out;
    }
    ret = 0;
out:
    receipt_heads_destroy(&heads);
    board_engine_destroy(&eng);
    roster_destroy(&roster);
    wire_free(&dc->base);
    wire_free(&sc->base);
    if (ret < 0) {
        certificate_report_free(out);
    }
    return ret;
}

uint8_t *certificate_load(const char *path, size_t *len, cc_err_t *err)
{
    FILE *fp = fopen(path, "rb");
    uint8_t *buf = NULL;
    struct stat st;
    if (!fp) {
        err_set(err, CC_NOT_FOUND, "cannot open %s: %s", path, strerror(errno));
        return NULL;
    }
    /* Size first: a huge or endless file is refused before it is read. */
    if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > CERTIFICATE_MAX) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s: not a regular file of 1 to %u bytes", path,
                CERTIFICATE_MAX);
    } else if (!(buf = malloc((size_t)st.st_size))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
    } else if ((*len = fread(buf, 1, (size_t)st.st_size, fp)) != (size_t)st.st_size) {
        err_set(err, CC_UNAVAILABLE, "%s: read failed", path);
        free(buf);
        buf = NULL;
    }
    fclose(fp);
    return buf;
}

int certificate_replay(const uint8_t *buf, size_t len, const roster_t *roster,
                       certificate_event_fn fn, void *arg, cc_err_t *err)
{
    char signer[KEYS_CODE_MAX + 1];
    roster_t *theirs = NULL;
    Concord__V1__SignedCertificate *sc = NULL;
    int ret = -1;
    /* Made under our genesis; the events then change roster as fn folds
     * them, so the embedded copy is only compared. */
    Concord__V1__DecisionCertificate *dc = s_open(buf, len, roster, &sc, &theirs, err);
    if (!dc) {
        return -1;
    }
    receipt_heads_t *heads = receipt_heads_new(); /* NULL: each head checked every time */
    for (size_t i = 0; i < dc->n_events; i++) {
        uint64_t index = 0, time_ms = 0;
        envelope_t *env =
            certificate_open_event(heads, roster, dc->events[i], i, &index, &time_ms, err);
        if (!env) {
            goto out;
        }
        fn(env, index, time_ms, arg);
        envelope_destroy(&env);
    }
    ret = certificate_check_signer(sc, roster, CERTIFICATE_DOMAIN, signer, err);
out:
    receipt_heads_destroy(&heads);
    roster_destroy(&theirs);
    wire_free(&dc->base);
    wire_free(&sc->base);
    return ret;
}

void certificate_report_free(certificate_report_t *r)
{
    free(r->explanation);
    free(r->ballot_lines);
    free(r->subject);
    free(r->exempt);
    r->exempt = NULL;
    r->explanation = NULL;
    r->ballot_lines = NULL;
    r->subject = NULL;
}
