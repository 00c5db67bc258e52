/* certificate: building and verifying decision certificates. */
#include "certificate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "clock.h"
#include "envelope.h"
#include "receipt.h"
#include "wire.h"

typedef struct {
    ledger_t *ledger;
    Concord__V1__CertifiedEnvelope **items;
    size_t n;
    size_t cap;
    cc_err_t *err;
} s_collect_t;

static void s_items_free(Concord__V1__CertifiedEnvelope **items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(items[i]->envelope.data);
        free(items[i]->receipt.data);
        free(items[i]);
    }
    free(items);
}

/* Adds the stored envelope and receipt of one board event. */
static int s_collect(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    s_collect_t *c = arg;
    uint8_t *env = NULL, *receipt = NULL;
    size_t env_len = 0, receipt_len = 0;
    int found = ledger_get(c->ledger, hash, &env, &env_len, &receipt, &receipt_len, c->err);
    if (found <= 0 || !receipt) {
        if (found >= 0) {
            err_set(c->err, CC_DATA_LOSS, "event at log index %llu is missing from the ledger",
                    (unsigned long long)log_index);
        }
        free(env);
        free(receipt);
        return -1;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 64;
        Concord__V1__CertifiedEnvelope **grown = realloc(c->items, cap * sizeof *grown);
        if (!grown) {
            goto oom;
        }
        c->items = grown;
        c->cap = cap;
    }
    Concord__V1__CertifiedEnvelope *ce = malloc(sizeof *ce);
    if (!ce) {
        goto oom;
    }
    concord__v1__certified_envelope__init(ce);
    ce->envelope.data = env;
    ce->envelope.len = env_len;
    ce->receipt.data = receipt;
    ce->receipt.len = receipt_len;
    c->items[c->n++] = ce;
    return 0;
oom:
    free(env);
    free(receipt);
    err_set(c->err, CC_RESOURCE_EXHAUSTED, "out of memory");
    return -1;
}

/* Signs a packed DecisionCertificate into a packed SignedCertificate. */
static int s_sign(const keys_t *signer, const uint8_t *cert, size_t cert_len, uint8_t **out,
                  size_t *out_len, cc_err_t *err)
{
    uint8_t sig[KEYS_SIG_LEN];
    if (keys_sign(signer, CERTIFICATE_DOMAIN, cert, cert_len, sig, err) < 0) {
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

/* certificate_build, or with all set certificate_build_history. */
static int s_build(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                   size_t roster_len, const keys_t *signer, const char *proposal_id, int all,
                   uint64_t now_ms, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    board_proposal_view_t pv;
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    int ret = -1;
    if (board_proposal_find(e, proposal_id, now_ms, &pv, err) < 0) {
        return -1;
    }
    if (!pv.closed) {
        err_set(err, CC_FAILED_PRECONDITION,
                "proposal %s is still open; a certificate is issued once voting has closed",
                pv.id);
        return -1;
    }
    uint64_t upto = pv.log_index;
    if (pv.n_ballots) {
        board_ballot_view_t last;
        board_ballot_at(e, &pv, pv.n_ballots - 1, &last);
        upto = last.log_index;
    }
    s_collect_t c = {.ledger = ledger, .err = err};
    err_clear(err);
    /* -1 with err still clear: the engine ran out of memory (the board
     * exists, the proposal was found on it). */
    if (board_certificate_events(e, all ? NULL : pv.board_id, upto, s_collect, &c) != 0) {
        if (err->code == CC_OK) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        }
        goto out;
    }
    Concord__V1__DecisionCertificate dc = CONCORD__V1__DECISION_CERTIFICATE__INIT;
    dc.version = CERTIFICATE_VERSION;
    dc.roster.data = (uint8_t *)roster_bytes;
    dc.roster.len = roster_len;
    dc.board_id = (char *)pv.board_id;
    dc.proposal_id = (char *)pv.id;
    dc.events = c.items;
    dc.n_events = c.n;
    dc.outcome = pv.tally.passed ? "PASSED" : "FAILED";
    dc.explanation = pv.tally.explanation;
    dc.exported_at_ms = now_ms;
    if (wire_pack(&dc.base, CERTIFICATE_MAX, &packed, &packed_len, err) < 0) {
        goto out;
    }
    ret = s_sign(signer, packed, packed_len, out, out_len, err);
out:
    free(packed);
    s_items_free(c.items, c.n);
    return ret;
}

int certificate_build(const board_engine_t *e, ledger_t *ledger, const uint8_t *roster_bytes,
                      size_t roster_len, const keys_t *signer, const char *proposal_id,
                      uint64_t now_ms, uint8_t **out, size_t *out_len, cc_err_t *err)
{
    return s_build(e, ledger, roster_bytes, roster_len, signer, proposal_id, 0, now_ms, out,
                   out_len, err);
}

int certificate_build_history(const board_engine_t *e, const roster_t *roster, ledger_t *ledger,
                              const uint8_t *roster_bytes, size_t roster_len,
                              const keys_t *signer, uint64_t now_ms, uint8_t **out,
                              size_t *out_len, cc_err_t *err)
{
    roster_change_t last;
    size_t n = roster_change_count(roster);
    if (!n) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the roster has not changed since genesis: a new node needs only the roster file");
        return -1;
    }
    roster_change_at(roster, n - 1, &last);
    return s_build(e, ledger, roster_bytes, roster_len, signer, last.decision, 1, now_ms, out,
                   out_len, err);
}

/* Checks one certified event against roster at its log position; returns
 * it opened (the caller destroys it) with its receipt's index and time,
 * or NULL with err. */
static envelope_t *s_open_event(const roster_t *roster, const Concord__V1__CertifiedEnvelope *ce,
                                size_t i, uint64_t *index, uint64_t *time_ms, cc_err_t *err)
{
    envelope_t *env = NULL;
    Concord__V1__Receipt *r = receipt_open(roster, ce->receipt.data, ce->receipt.len, err);
    if (!r) {
        err_prefix(err, "event %zu: ", i + 1);
        return NULL;
    }
    /* Judged by the roster as it stood at its log position, rebuilt by the
     * events before it: keys rotated later do not matter. */
    env = envelope_open_at(ce->envelope.data, ce->envelope.len, roster, r->log_index, err);
    if (!env) {
        err_prefix(err, "event %zu: ", i + 1);
    } else if (memcmp(r->envelope_hash.data, env->hash, 32) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "event %zu: its receipt is for another envelope", i + 1);
        envelope_destroy(&env);
    } else if (env->header->kind != CONCORD__V1__KIND__KIND_EVENT ||
               strcmp(env->header->recipient, ENVELOPE_EVERYONE) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "event %zu was not sent to every member", i + 1);
        envelope_destroy(&env);
    } else {
        *index = r->log_index;
        *time_ms = r->time_ms;
    }
    wire_free(&r->base);
    return env;
}

/* Checks one certified event and applies it to the engine. */
static int s_replay_event(board_engine_t *eng, const roster_t *roster,
                          const Concord__V1__CertifiedEnvelope *ce, size_t i, cc_err_t *err)
{
    uint64_t index = 0, time_ms = 0;
    envelope_t *env = s_open_event(roster, ce, i, &index, &time_ms, err);
    if (!env) {
        return -1;
    }
    board_event_t ev = {
        .sender = env->header->sender,
        .log_index = index,
        .time_ms = time_ms,
        .call_id = env->header->call_id.data,
        .hash = env->hash,
        .method = env->header->method,
        .body = env->body,
        .body_len = env->body_len,
    };
    int ret = board_apply(eng, &ev, err);
    if (ret < 0) {
        err_prefix(err, "event %zu (log index %llu, from %s) is not valid: ", i + 1,
                   (unsigned long long)index, env->header->sender);
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
        int n = snprintf(out->ballot_lines + used, cap - used, "%-10s %-7s %s log %llu%s%.60s\n",
                         bv.member, bv.vote >= 1 && bv.vote <= 3 ? votes[bv.vote] : votes[0],
                         when, (unsigned long long)bv.log_index, bv.reason[0] ? "  " : "",
                         bv.reason);
        if (n < 0 || (size_t)n >= cap - used) {
            break;
        }
        used += (size_t)n;
    }
}

/* Unpacks the certificate inside a signed one. Its signature is checked
 * after the events are re-run (s_check_signer): the exporter may sign
 * with a key rotated after genesis, which only the events can show.
 * Until then nothing in it is trusted: every event carries its own
 * signature and broker receipt. */
static Concord__V1__DecisionCertificate *s_open(const uint8_t *buf, size_t len,
                                                Concord__V1__SignedCertificate **sc,
                                                cc_err_t *err)
{
    *sc = (Concord__V1__SignedCertificate *)wire_unpack(
        &concord__v1__signed_certificate__descriptor, buf, len, CERTIFICATE_MAX, err);
    if (!*sc) {
        err_prefix(err, "not a decision certificate: ");
        return NULL;
    }
    return (Concord__V1__DecisionCertificate *)wire_unpack(
        &concord__v1__decision_certificate__descriptor, (*sc)->certificate.data,
        (*sc)->certificate.len, CERTIFICATE_MAX, err);
}

/* The exporter's signature, by its key as the roster stands after every
 * event of the certificate. */
static int s_check_signer(const Concord__V1__SignedCertificate *sc, const roster_t *roster,
                          certificate_report_t *out, cc_err_t *err)
{
    roster_org_t who;
    if (roster_lookup(roster, sc->signer, &who) < 0 ||
        strcmp(sc->signer, KEYS_BROKER_CODE) == 0 || sc->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_UNAUTHENTICATED, "certificate signer '%.16s' is not in the roster",
                sc->signer);
        return -1;
    }
    if (keys_verify(who.sign_pk, CERTIFICATE_DOMAIN, sc->certificate.data, sc->certificate.len,
                    sc->signature.data, err) < 0) {
        err_set(err, CC_UNAUTHENTICATED,
                "certificate signature by %s does not verify: the file was altered", sc->signer);
        return -1;
    }
    snprintf(out->signer, sizeof out->signer, "%s", sc->signer);
    return 0;
}

int certificate_verify(const uint8_t *buf, size_t len, const roster_t *trusted,
                       certificate_report_t *out, cc_err_t *err)
{
    roster_t *roster = NULL;
    board_engine_t *eng = NULL;
    int ret = -1;
    uint8_t h1[32], h2[32];
    memset(out, 0, sizeof *out);
    Concord__V1__SignedCertificate *sc = NULL;
    Concord__V1__DecisionCertificate *dc = s_open(buf, len, &sc, err);
    if (!dc) {
        wire_free(sc ? &sc->base : NULL);
        return -1;
    }
    if (dc->version != CERTIFICATE_VERSION) {
        err_set(err, CC_UNIMPLEMENTED, "certificate version %u is not supported", dc->version);
        goto out;
    }
    if (!(roster = roster_from_bytes(dc->roster.data, dc->roster.len, err)) ||
        roster_verify(roster, err) < 0) {
        err_prefix(err, "the certificate's roster: ");
        goto out;
    }
    roster_hash(roster, h1);
    roster_hash(trusted, h2);
    if (memcmp(h1, h2, 32) != 0) {
        err_set(err, CC_FAILED_PRECONDITION, "the certificate was made under another roster");
        goto out;
    }
    if (!(eng = board_engine_new(roster))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < dc->n_events; i++) {
        if (s_replay_event(eng, roster, dc->events[i], i, err) < 0) {
            goto out;
        }
    }
    if (s_check_signer(sc, roster, out, err) < 0) {
        goto out;
    }
    /* Other boards' events come only for their roster changes. */
    board_view_t bv;
    if (board_get(eng, dc->board_id, &bv) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "the certificate holds no events of board %.32s",
                dc->board_id);
        goto out;
    }
    board_proposal_view_t pv;
    if (strlen(dc->proposal_id) != BOARD_PROPOSAL_ID_LEN ||
        board_proposal_find(eng, dc->proposal_id, dc->exported_at_ms, &pv, err) < 0 ||
        strcmp(pv.board_id, dc->board_id) != 0) {
        err_set(err, CC_NOT_FOUND, "the certificate's events do not include proposal %.40s",
                dc->proposal_id);
        goto out;
    }
    const char *outcome = pv.tally.passed ? "PASSED" : "FAILED";
    if (!pv.closed || strcmp(outcome, dc->outcome) != 0 ||
        strcmp(pv.tally.explanation, dc->explanation) != 0) {
        err_set(err, CC_DATA_LOSS,
                "the recomputed tally (%s) differs from the certificate's (%.16s): a ballot was"
                " added, removed or changed",
                pv.closed ? outcome : "still open", dc->outcome);
        goto out;
    }
    snprintf(out->board_id, sizeof out->board_id, "%s", pv.board_id);
    snprintf(out->proposal_id, sizeof out->proposal_id, "%s", pv.id);
    snprintf(out->title, sizeof out->title, "%s", pv.proposal->title);
    snprintf(out->outcome, sizeof out->outcome, "%s", outcome);
    out->events = dc->n_events;
    out->ballots = pv.n_ballots;
    out->explanation = strdup(pv.tally.explanation);
    s_ballot_lines(eng, &pv, out);
    ret = 0;
out:
    board_engine_destroy(&eng);
    roster_destroy(&roster);
    wire_free(&dc->base);
    wire_free(&sc->base);
    if (ret < 0) {
        certificate_report_free(out);
    }
    return ret;
}

/* Whether dc was made under the roster whose genesis is `genesis`. */
static int s_same_genesis(const Concord__V1__DecisionCertificate *dc, const roster_t *genesis,
                          cc_err_t *err)
{
    uint8_t h1[32], h2[32];
    roster_t *theirs = roster_from_bytes(dc->roster.data, dc->roster.len, err);
    if (!theirs) {
        err_prefix(err, "the certificate's roster: ");
        return -1;
    }
    roster_hash(theirs, h1);
    roster_hash(genesis, h2);
    roster_destroy(&theirs);
    if (memcmp(h1, h2, 32) != 0) {
        err_set(err, CC_FAILED_PRECONDITION, "the certificate was made under another roster");
        return -1;
    }
    return 0;
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
    certificate_report_t rep;
    Concord__V1__SignedCertificate *sc = NULL;
    Concord__V1__DecisionCertificate *dc = s_open(buf, len, &sc, err);
    int ret = -1;
    memset(&rep, 0, sizeof rep);
    if (!dc) {
        goto out;
    }
    if (dc->version != CERTIFICATE_VERSION) {
        err_set(err, CC_UNIMPLEMENTED, "certificate version %u is not supported", dc->version);
        goto out;
    }
    if (s_same_genesis(dc, roster, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < dc->n_events; i++) {
        uint64_t index = 0, time_ms = 0;
        envelope_t *env = s_open_event(roster, dc->events[i], i, &index, &time_ms, err);
        if (!env) {
            goto out;
        }
        fn(env, index, time_ms, arg);
        envelope_destroy(&env);
    }
    ret = s_check_signer(sc, roster, &rep, err);
out:
    wire_free(dc ? &dc->base : NULL);
    wire_free(sc ? &sc->base : NULL);
    return ret;
}

void certificate_report_free(certificate_report_t *r)
{
    free(r->explanation);
    free(r->ballot_lines);
    r->explanation = NULL;
    r->ballot_lines = NULL;
}
