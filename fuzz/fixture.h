/* SPDX-License-Identifier: Apache-2.0 */
/* fixture: the fixed federation every fuzz target runs against, and the
 * record format of event streams.
 *
 * Keys come from fixed seeds, so a corpus file written by gen_corpus
 * stays valid for every later build: an envelope the generator signed as
 * E38000217 verifies in the target too. The roster is fully signed.
 *
 * An event stream (fuzz_board, fuzz_pool) is a sequence of records:
 *   sender (1 byte, index into the organisations, modulo their count)
 *   method (1 byte, index into the target's method table, modulo its size)
 *   gap    (1 byte, seconds since the previous event; 255 = one day)
 *   length (2 bytes, little-endian)
 *   body   (length bytes, the packed message)
 * The n-th record (from 0) carries call id fixture_call_id(n), so a
 * proposal's id is predictable and a later ballot can name it. */
#ifndef CONCORD_FUZZ_FIXTURE_H
#define CONCORD_FUZZ_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "board.h"
#include "keys.h"
#include "pool.h"
#include "roster.h"

/* libFuzzer's entry points, declared for -Wmissing-prototypes. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Time of the first event of a stream: 2017-04-01T00:00:00Z. */
#define FIXTURE_T0 1491004800000ull

/* Organisations of the fixed federation, by index. */
enum {
    FIX_MANCHESTER_CCG, /* E38000217 */
    FIX_BOLTON_CCG,     /* E38000016 */
    FIX_MANCHESTER,     /* E08000003 */
    FIX_BOLTON,         /* E08000001 */
    FIX_NHSE,           /* X24 */
    FIX_PLYMOUTH,       /* E06000026 */
    FIX_NEW_DEVON,      /* E38000129 */
    FIX_CUMBRIA,        /* E10000006 */
    FIX_CARLISLE,       /* E07000028 */
    FIX_NORTH_CUMBRIA,  /* E38000215 */
    FIX_GMCA,           /* E47000001 */
    FIX_MORECAMBE,      /* E38000216 */
    FIX_COUNT
};

/* Builds the keys and the signed roster once; later calls do nothing.
 * Aborts if that fails (a fuzz target cannot run without them). */
void fixture_init(void);

const roster_t *fixture_roster(void);
/* A fresh copy of the roster, for an engine that may change it (roster
 * changes decided by boards): every input starts from genesis. The caller
 * destroys it with roster_destroy. Aborts if memory runs out. */
roster_t *fixture_roster_fresh(void);
/* The packed SignedRoster, as a roster file holds it. */
const uint8_t *fixture_roster_bytes(size_t *len);
const keys_t *fixture_keys(size_t i);
const keys_t *fixture_broker(void);
const char *fixture_code(size_t i);
/* The keys of code, or NULL when it is not one of ours. */
const keys_t *fixture_find(const char *code);

/* Wraps signed_bytes (a packed Signed) in an Envelope signed by k, as
 * signer k's code. *out is malloc'd. Returns 0 or -1. */
int fixture_seal(const keys_t *k, const uint8_t *signed_bytes, size_t len, uint8_t **out,
                 size_t *out_len);

/* The methods of fuzz_board and fuzz_pool streams, by record method
 * index; the last of each is no real method. */
extern const char *const fixture_board_methods[];
extern const size_t fixture_board_n_methods;
extern const char *const fixture_pool_methods[];
extern const size_t fixture_pool_n_methods;

/* Folds one event of a pool stream into the partners' boards and the
 * pool engine as a node does (node/boards.c, then node/pools.c): a board
 * method through board_apply, any other through board_advance; then
 * pool_follow up to the event (decisions that took effect by then); then
 * any non-board event through pool_apply. With check set, each engine's
 * precheck must agree with its apply, or the process aborts. Returns the
 * verdict of the engine that judged the event: 0 accepted, -1 with err. */
int fixture_pool_step(board_engine_t *b, pool_engine_t *e, const pool_event_t *ev, int check,
                      cc_err_t *err);

/* The call id of the n-th record of a stream. */
void fixture_call_id(size_t n, uint8_t out[16]);

typedef struct {
    size_t sender;
    size_t method;
    uint64_t gap_ms;
    const uint8_t *body;
    size_t body_len;
} fixture_record_t;

/* Reads the next record from *data, advancing it. Returns 1 with *rec
 * filled, or 0 at the end (including a truncated last record). */
int fixture_next(const uint8_t **data, size_t *size, size_t n_methods, fixture_record_t *rec);

/* Appends one record to f (for gen_corpus). Returns 0 or -1. */
int fixture_write(FILE *f, size_t sender, size_t method, unsigned gap_s, const uint8_t *body,
                  size_t len);

/* Writes a whole temporary file for the loaders that read paths: the
 * same path every call (one per process), overwritten. Returns the path
 * or NULL. */
const char *fixture_file(const char *name, const uint8_t *data, size_t size);

#endif
