/* SPDX-License-Identifier: Apache-2.0 */
/* gen_corpus: the generator of the fuzz seed corpora (gen_corpus.c), in
 * parts: boards and a certificate (gen_boards.c), pooled funds and BCF
 * plans (gen_pools.c), envelopes, frames, control requests and files
 * (gen_wire.c). Every helper here exits the program on failure: a seed
 * that cannot be written is a broken generator, not an input to judge. */
#ifndef CONCORD_FUZZ_GEN_CORPUS_H
#define CONCORD_FUZZ_GEN_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "envelope.pb-c.h"
#include "fixture.h"
#include "pool.h"

#define DAY 86400000ull
#define POUNDS(x) ((int64_t)(x)*100)

/* fuzz_messages' type indices (its table order). */
enum {
    T_ENVELOPE,
    T_SIGNED,
    T_TREE_HEAD,
    T_RECEIPT,
    T_NODE_FRAME,
    T_BROKER_FRAME,
    T_HEALTH_REQ,
    T_HEALTH_RESP,
    T_LIST_REQ,
    T_LIST_RESP,
    T_LOG_REQ,
    T_LOG_RESP,
    T_PROPOSAL,
    T_BALLOT,
    T_AGREEMENT,
    T_STATEMENT,
    T_PLEDGE,
    T_VARIATION,
    T_OUTTURN,
    T_BCF_PLAN,
    T_BCF_SIGNOFF,
    T_CONTROL_REQ,
    T_CONTROL_REPLY,
    T_ROSTER,
    T_SIGNED_CERT,
    T_CERT,
    T_STATEMENT_CERT
};

/* An event stream, logged as the broker would: the fuzz_board or
 * fuzz_pool records, the engine that judged each event, and the accepted
 * events sealed and receipted for a certificate. */
typedef struct {
    FILE *f;
    char *buf;
    size_t len;
    size_t n;
    uint64_t now;
    uint64_t seq[FIX_COUNT];
    struct merkle *tree;           /* the log of the stream's events */
    roster_t *roster; /* a fresh copy: roster changes may pass */
    board_engine_t *board;
    pool_engine_t *pool;
    Concord__V1__CertifiedEnvelope *events[64];
    size_t n_events;
    int pools;
} gen_stream_t;

/* Prints what failed and exits 1. */
void gen_die(const char *what) __attribute__((noreturn));

/* Writes prefix (plen bytes) then body to CORPUS/target/gen-name. */
void gen_put(const char *target, const char *name, const uint8_t *prefix, size_t plen,
             const uint8_t *body, size_t len);
/* The same with a one-byte prefix (a target's mode byte). */
void gen_put1(const char *target, const char *name, uint8_t mode, const uint8_t *body, size_t len);
/* Packs m into a malloc'd buffer. */
void gen_pack(const ProtobufCMessage *m, uint8_t **out, size_t *len);
/* A fuzz_messages seed: the type index, then m packed. */
void gen_message(const char *name, uint8_t type, const ProtobufCMessage *m);

/* Starts a stream (pools = 1: pool methods, partners' boards and
 * Cumbria's area, folded by fixture_pool_step). */
void gen_stream_init(gen_stream_t *s, int pools);
/* Appends an event from sender; the engine must accept it iff want_ok. */
void gen_event(gen_stream_t *s, size_t sender, size_t method, unsigned gap_s,
               const ProtobufCMessage *m, int want_ok);
/* The id of the n-th event of a stream (its call id in hex). */
void gen_id(size_t n, char out[33]);
/* Writes the stream as CORPUS/target/gen-name and frees it. */
void gen_stream_end(gen_stream_t *s, const char *target, const char *name);

/* The fixture's Greater Manchester board charter, built in m and mp. */
void gen_gm_charter(Concord__V1__Charter *ch, Concord__V1__BoardMember *m,
                    Concord__V1__BoardMember **mp);

/* Seals inner (a packed DecisionCertificate, or with statement set a
 * StatementCertificate) as organisation signer, checks that it verifies,
 * and writes the fuzz_certificate seeds gen-name (the file, mode 0 or 3)
 * and gen-name-inner (mode 2 or 5) and the SignedCertificate as a
 * fuzz_messages seed. */
void gen_certificate(const char *name, int statement, size_t signer, const uint8_t *inner,
                     size_t len);

/* Plymouth's variation: the CCG's 2017 contribution to 340m. */
void gen_ply_variation(Concord__V1__Variation *v, Concord__V1__VariedContribution *vc[1]);

/* The seed families. */
void gen_boards(void);
void gen_plymouth(void);
void gen_cumbria(void);
void gen_envelopes(void);
void gen_control(void);
void gen_control_session(void);
void gen_files(void);
void gen_vector(void);

#endif
