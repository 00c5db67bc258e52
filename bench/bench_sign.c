/* SPDX-License-Identifier: Apache-2.0 */
/* bench_sign: figure 1, the signing limit. envelope_seal and envelope_open
 * on a typical envelope (a 200-byte body) beside raw libsodium Ed25519
 * over exactly the bytes they sign, on one core. Concord and raw batches
 * alternate, so that drift in the machine's speed hits both alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "bench.h"
#include "clock.h"
#include "envelope.h"
#include "wire.h"

typedef struct {
    keys_t *keys;
    roster_t *roster;
    envelope_meta_t meta;
    uint8_t body[BENCH_BODY_BYTES];
    uint8_t *env;              /* one sealed envelope, for opening */
    size_t env_len;
    uint8_t *msg;              /* domain || NUL || Envelope.signed */
    size_t msg_len;
    uint8_t sig[64];
    uint8_t pk[32];
    uint8_t sk[64];
    unsigned long long failures;
} s_sign_t;

typedef void (*s_op_fn)(s_sign_t *s);

static void s_seal(s_sign_t *s)
{
    uint8_t *out = NULL;
    size_t len = 0;
    cc_err_t err;
    s->meta.sequence++;
    if (envelope_seal(s->keys, &s->meta, s->body, sizeof s->body, &out, &len, &err) < 0) {
        s->failures++;
    }
    free(out);
}

static void s_raw_sign(s_sign_t *s)
{
    crypto_sign_detached(s->sig, NULL, s->msg, s->msg_len, s->sk);
}

static void s_open(s_sign_t *s)
{
    cc_err_t err;
    envelope_t *e = envelope_open(s->env, s->env_len, s->roster, &err);
    if (!e) {
        s->failures++;
    }
    envelope_destroy(&e);
}

static void s_raw_verify(s_sign_t *s)
{
    if (crypto_sign_verify_detached(s->sig, s->msg, s->msg_len, s->pk) != 0) {
        s->failures++;
    }
}

/* Runs batches of per_batch operations of a and of b, alternating, and
 * stores each batch's rate (operations per second). */
static void s_alternate(s_sign_t *s, s_op_fn a, s_op_fn b, size_t batches, size_t per_batch,
                        double *rate_a, double *rate_b)
{
    for (size_t i = 0; i < batches; i++) {
        double t0 = bench_now();
        for (size_t k = 0; k < per_batch; k++) {
            a(s);
        }
        double t1 = bench_now();
        for (size_t k = 0; k < per_batch; k++) {
            b(s);
        }
        double t2 = bench_now();
        rate_a[i] = (double)per_batch / (t1 - t0);
        rate_b[i] = (double)per_batch / (t2 - t1);
    }
}

/* A member with a known seed, so that raw libsodium can use the very
 * same key pair, and a roster naming it. */
static void s_setup(s_sign_t *s)
{
    uint8_t seed[32];
    cc_err_t err;
    keys_t *broker = keys_generate(KEYS_BROKER_CODE, "Bench broker", "BROKER", &err);
    randombytes_buf(seed, sizeof seed);
    s->keys = keys_from_seed("E38000217", "NHS Manchester CCG", "CCG", seed, &err);
    if (!broker || !s->keys) {
        bench_die("keys: %s", err.msg);
    }
    crypto_sign_seed_keypair(s->pk, s->sk, seed);
    sodium_memzero(seed, sizeof seed);
    if (!(s->roster = roster_new("bench", keys_public(broker), &err)) ||
        roster_add(s->roster, keys_public(s->keys), &err) < 0 ||
        roster_sign(s->roster, s->keys, &err) < 0) {
        bench_die("roster: %s", err.msg);
    }
    keys_destroy(&broker);
    randombytes_buf(s->body, sizeof s->body);
    s->meta = (envelope_meta_t){.method = "concord.v1.Board/CastBallot",
                                .recipient = "E08000003",
                                .sent_at_ms = clock_wall_ms(),
                                .deadline_ms = clock_wall_ms() + 60000,
                                .sequence = 1,
                                .kind = CONCORD__V1__KIND__KIND_REQUEST};
    envelope_new_call_id(s->meta.call_id);
    if (envelope_seal(s->keys, &s->meta, s->body, sizeof s->body, &s->env, &s->env_len, &err) <
        0) {
        bench_die("seal: %s", err.msg);
    }
    /* The exact bytes the envelope's signature covers. */
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, s->env, s->env_len, WIRE_MAX_FRAME, &err);
    if (!e) {
        bench_die("unpack: %s", err.msg);
    }
    size_t dlen = strlen(ENVELOPE_DOMAIN) + 1;
    s->msg_len = dlen + e->signed_.len;
    if (!(s->msg = malloc(s->msg_len))) {
        bench_die("out of memory");
    }
    memcpy(s->msg, ENVELOPE_DOMAIN, dlen);
    memcpy(s->msg + dlen, e->signed_.data, e->signed_.len);
    wire_free(&e->base);
    crypto_sign_detached(s->sig, NULL, s->msg, s->msg_len, s->sk);
}

static void s_teardown(s_sign_t *s)
{
    free(s->env);
    free(s->msg);
    sodium_memzero(s->sk, sizeof s->sk);
    keys_destroy(&s->keys);
    roster_destroy(&s->roster);
}

static void s_fill(bench_row_t *r, const char *measure, const char *baseline, const char *unit,
                   double *a, double *c, size_t batches, size_t per_batch, size_t bytes)
{
    snprintf(r->measure, sizeof r->measure, "%s", measure);
    snprintf(r->baseline, sizeof r->baseline, "%s", baseline);
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    r->higher_better = 1;
    bench_stats(a, batches, &r->concord);
    bench_stats(c, batches, &r->base);
    r->bytes = bytes;
    r->count = batches * per_batch;
    bench_row_finish(r);
}

void bench_fig_signing(bench_t *b)
{
    s_sign_t s;
    memset(&s, 0, sizeof s);
    s_setup(&s);
    size_t batches = b->quick ? 7 : 41, per = b->quick ? 60 : 500;
    double *a = calloc(batches, sizeof *a), *c = calloc(batches, sizeof *c);
    if (!a || !c) {
        bench_die("out of memory");
    }
    bench_note("figure 1: %zu batches of %zu signatures and verifications", batches, per);

    /* Warm the caches and the CPU's clock before anything counts. */
    s_alternate(&s, s_seal, s_raw_sign, 1, per, a, c);
    s_alternate(&s, s_seal, s_raw_sign, batches, per, a, c);
    bench_row_t *r = bench_row(b, "1");
    s_fill(r, "envelope_seal (pack + Ed25519 sign)", "crypto_sign_detached, same bytes",
           "sign/s", a, c, batches, per, s.env_len);
    snprintf(r->note, sizeof r->note,
             "%zu-byte body, %zu-byte signed message, %zu-byte envelope; one core",
             sizeof s.body, s.msg_len, s.env_len);

    s_alternate(&s, s_open, s_raw_verify, batches, per, a, c);
    r = bench_row(b, "1");
    s_fill(r, "envelope_open (verify + decode + checks)", "crypto_sign_verify_detached",
           "verify/s", a, c, batches, per, s.env_len);
    b->verify_stats = r->base;
    b->verify_rate = r->base.median;
    if (s.failures) {
        bench_die("figure 1: %llu operations failed", s.failures);
    }
    free(a);
    free(c);
    s_teardown(&s);
}
