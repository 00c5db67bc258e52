/* SPDX-License-Identifier: Apache-2.0 */
/* gen_corpus: writes the generated seeds of the fuzz corpora from real
 * messages of the fixed federation (fixture.h): envelopes sealed by its
 * members, broker receipts, board and pool event streams that the
 * engines accept (a Greater Manchester board deciding a pooled budget,
 * Plymouth's s75 fund agreed by its partners' board, through pledges,
 * variation, outturn and the host's signed statement, Cumbria's BCF plan
 * through its sign-off chain), decision and statement certificates,
 * control requests.
 * Every stream is checked against the engine as it is written, so a seed
 * is a real, accepted history, not a guess.
 *
 * Usage: gen_corpus CORPUS_DIR (fuzz/corpus); files are named gen-*. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "certificate.h"
#include "envelope.h"
#include "gen_corpus.h"
#include "merkle.h"
#include "receipt.h"
#include "statement.h"
#include "wire.h"

static const char *gen_root;

void gen_die(const char *what)
{
    fprintf(stderr, "gen_corpus: %s\n", what);
    exit(1);
}

/* Writes prefix (plen bytes) then body to CORPUS/target/gen-name. */
void gen_put(const char *target, const char *name, const uint8_t *prefix, size_t plen,
             const uint8_t *body, size_t len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", gen_root, target);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        gen_die(path);
    }
    snprintf(path, sizeof path, "%s/%s/gen-%s", gen_root, target, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(prefix, 1, plen, f) != plen || fwrite(body, 1, len, f) != len ||
        fclose(f) != 0) {
        gen_die(path);
    }
}

void gen_put1(const char *target, const char *name, uint8_t mode, const uint8_t *body, size_t len)
{
    gen_put(target, name, &mode, 1, body, len);
}

void gen_pack(const ProtobufCMessage *m, uint8_t **out, size_t *len)
{
    if (wire_pack(m, 64u * 1024 * 1024, out, len, NULL) < 0) {
        gen_die("pack");
    }
}

/* fuzz_messages: type index (its table order) then the message. */
void gen_message(const char *name, uint8_t type, const ProtobufCMessage *m)
{
    uint8_t *b;
    size_t n;
    gen_pack(m, &b, &n);
    gen_put1("messages", name, type, b, n);
    free(b);
}

void gen_certificate(const char *name, int statement, size_t signer, const uint8_t *inner,
                     size_t len)
{
    uint8_t *outer, mode[2] = {statement ? 5 : 2, (uint8_t)signer};
    size_t outer_len;
    char path[128];
    cc_err_t err;
    int rc;
    if (certificate_seal(fixture_keys(signer), statement ? STATEMENT_DOMAIN : CERTIFICATE_DOMAIN,
                         inner, len, &outer, &outer_len, &err) < 0) {
        gen_die("certificate signature");
    }
    if (statement) {
        statement_report_t rep;
        if ((rc = statement_verify(outer, outer_len, fixture_roster(), &rep, &err)) == 0) {
            statement_report_free(&rep);
        }
    } else {
        certificate_report_t rep;
        if ((rc = certificate_verify(outer, outer_len, fixture_roster(), &rep, &err)) == 0) {
            certificate_report_free(&rep);
        }
    }
    if (rc < 0) {
        fprintf(stderr, "%s\n", err.msg);
        gen_die("the generated certificate does not verify");
    }
    gen_put1("certificate", name, statement ? 3 : 0, outer, outer_len);
    snprintf(path, sizeof path, "%s-inner", name);
    gen_put("certificate", path, mode, 2, inner, len);
    gen_put1("messages", statement ? "signed-statement-certificate" : "signed-certificate",
             T_SIGNED_CERT, outer, outer_len);
    free(outer);
}

/* ---- event streams, logged as the broker would ---- */

void gen_stream_init(gen_stream_t *s, int pools)
{
    static const char *const districts[] = {"E07000026", "E07000027", "E07000028",
                                            "E07000029", "E07000030", "E07000031"};
    static const char *const ccgs[] = {"E38000215", "E38000216"};
    pool_area_t cumbria = {
        .hwb = "E10000006", .districts = districts, .n_districts = 6, .ccgs = ccgs, .n_ccgs = 2};
    memset(s, 0, sizeof *s);
    s->pools = pools;
    s->f = open_memstream(&s->buf, &s->len);
    s->now = FIXTURE_T0;
    s->roster = fixture_roster_fresh();
    s->board = board_engine_new(s->roster);
    s->pool = pool_engine_new(s->roster);
    s->tree = merkle_new();
    if (!s->f || !s->tree || !s->board || !s->pool ||
        (pools && pool_engine_add_area(s->pool, &cumbria, NULL) < 0)) {
        gen_die("stream");
    }
}

/* Seals the event as its sender would and receipts it as the broker
 * would: the certificate's CertifiedEnvelope. */
static Concord__V1__CertifiedEnvelope *s_certify(gen_stream_t *s, size_t sender, const char *method,
                                                 const uint8_t *body, size_t len, uint8_t hash[32])
{
    Concord__V1__CertifiedEnvelope *ce = calloc(1, sizeof *ce);
    envelope_meta_t m = {.method = method,
                         .recipient = ENVELOPE_EVERYONE,
                         .sent_at_ms = s->now,
                         .sequence = ++s->seq[sender],
                         .kind = CONCORD__V1__KIND__KIND_EVENT};
    uint8_t leaf[32];
    if (!ce) {
        gen_die("memory");
    }
    concord__v1__certified_envelope__init(ce);
    fixture_call_id(s->n, m.call_id);
    if (envelope_seal(fixture_keys(sender), &m, body, len, &ce->envelope.data, &ce->envelope.len,
                      NULL) < 0) {
        gen_die("seal");
    }
    envelope_hash(ce->envelope.data, ce->envelope.len, hash);
    merkle_leaf_hash(s->n + 1, s->now, hash, leaf);
    if (merkle_append(s->tree, leaf, NULL) < 0 ||
        receipt_issue(fixture_broker(), s->tree, s->now, s->n + 1, s->now, hash, &ce->receipt.data,
                      &ce->receipt.len, NULL) < 0) {
        gen_die("receipt");
    }
    return ce;
}

/* Appends an event; want_ok says whether the engine must accept it (a
 * seed may hold a refused event on purpose). */
void gen_event(gen_stream_t *s, size_t sender, size_t method, unsigned gap_s,
               const ProtobufCMessage *m, int want_ok)
{
    uint8_t *body, hash[32], call_id[16];
    size_t len;
    cc_err_t err;
    int rc;
    gen_pack(m, &body, &len);
    s->now += gap_s == 255 ? DAY : gap_s * 1000ull;
    if (fixture_write(s->f, sender, method, gap_s, body, len) < 0) {
        gen_die("write");
    }
    fixture_call_id(s->n, call_id);
    Concord__V1__CertifiedEnvelope *ce = s_certify(
        s, sender, s->pools ? fixture_pool_methods[method] : fixture_board_methods[method], body,
        len, hash);
    memset(hash, 0, sizeof hash);
    memcpy(hash, call_id, 16);
    fold_event_t ev = {fixture_code(sender), s->n + 1, s->now, call_id, hash,
                       s->pools ? fixture_pool_methods[method] : fixture_board_methods[method],
                       body, len};
    rc = s->pools ? fixture_pool_step(s->board, s->pool, &ev, 1, &err)
                  : board_apply(s->board, &ev, &err);
    if (rc == 0 && s->n_events < 64) {
        s->events[s->n_events++] = ce; /* a certificate carries accepted events only */
    } else {
        free(ce->envelope.data);
        free(ce->receipt.data);
        free(ce);
    }
    if ((rc == 0) != want_ok) {
        fprintf(stderr, "event %zu: %s\n", s->n, rc ? err.msg : "accepted");
        gen_die("the engine disagrees with the seed");
    }
    s->n++;
    free(body);
}

void gen_id(size_t n, char out[33])
{
    uint8_t call_id[16];
    fixture_call_id(n, call_id);
    board_proposal_id(call_id, out);
}

void gen_stream_end(gen_stream_t *s, const char *target, const char *name)
{
    fclose(s->f);
    gen_put(target, name, NULL, 0, (uint8_t *)s->buf, s->len);
    free(s->buf);
    board_engine_destroy(&s->board);
    pool_engine_destroy(&s->pool);
    merkle_destroy(&s->tree);
    roster_destroy(&s->roster);
    for (size_t i = 0; i < s->n_events; i++) {
        free(s->events[i]->envelope.data);
        free(s->events[i]->receipt.data);
        free(s->events[i]);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen_corpus CORPUS_DIR\n");
        return 2;
    }
    gen_root = argv[1];
    fixture_init();
    gen_boards();
    gen_plymouth();
    gen_cumbria();
    gen_envelopes();
    gen_control();
    gen_control_session();
    gen_files();
    gen_vector();
    return 0;
}
