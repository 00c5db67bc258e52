/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_pool: the board and pooled-funds engines together over a stream of
 * events as every node folds them from the broker's log (board_apply or
 * board_advance, then pool_follow, then pool_apply: fixture_pool_step):
 * board proposals (charters, POOL_AGREEMENT and POOL_VARIATION among
 * them) and ballots, pledges, outturns, the host's signed statements, BCF
 * plans and sign-offs from any member of the fixed federation, with
 * hostile bodies. Cumbria is known as a two-tier HWB area (as the node
 * learns it from the ONS lookups). Input format: fixture.h.
 *
 * What must hold: no crash, leak or undefined behaviour (amounts are
 * int64 pence from the wire: every sum and split must be guarded);
 * board_precheck agrees with board_apply and pool_precheck with
 * pool_apply; every statement's shares sum to its variance; and every
 * view, statement and canonical statement can be read and printed
 * afterwards. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pool.h"
#include "wire.h"

static const char *const s_cumbria_districts[] = {"E07000026", "E07000027", "E07000028",
                                                  "E07000029", "E07000030", "E07000031"};
static const char *const s_cumbria_ccgs[] = {"E38000215", "E38000216"};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

static void s_statements(const pool_engine_t *e, const pool_view_t *v)
{
    static char text[64 * 1024];
    for (size_t y = 0; y < v->n_years; y++) {
        pool_statement_t st;
        if (pool_statement(e, v->pool_id, v->years[y], &st, NULL) < 0) {
            continue;
        }
        if (st.has_outturn && st.rule) {
            __int128 sum = 0;
            for (size_t i = 0; i < st.n_lines; i++) {
                sum += st.lines[i].part.share;
            }
            if (sum != st.variance) {
                fprintf(stderr, "shares sum to %lld, variance %lld\n", (long long)sum,
                        (long long)st.variance);
                abort();
            }
        }
        pool_statement_text(&st, text, sizeof text);
        pool_canonical_t c;
        if (pool_canonical(e, v->pool_id, v->years[y], &c, NULL) == 0) {
            char why[256];
            if (!st.has_outturn || !pool_canonical_equal(&c.msg, &c.msg, why, sizeof why)) {
                abort(); /* stated only when closed; equal to itself */
            }
            pool_canonical_free(&c);
        }
    }
}

static void s_views(const pool_engine_t *e)
{
    for (size_t i = 0; i < pool_count(e); i++) {
        pool_view_t v;
        pool_at(e, i, &v);
        s_statements(e, &v);
    }
    for (size_t i = 0; i < pool_variation_count(e); i++) {
        pool_variation_view_t v;
        pool_variation_at(e, i, &v);
    }
    for (size_t i = 0; i < pool_bcf_count(e); i++) {
        pool_bcf_view_t v;
        pool_bcf_at(e, i, &v);
    }
    for (size_t i = 0; i < pool_rejection_count(e); i++) {
        pool_rejection_t r;
        pool_rejection_at(e, i, &r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    roster_t *roster = fixture_roster_fresh();
    board_engine_t *b = board_engine_new(roster);
    pool_engine_t *e = pool_engine_new(roster);
    pool_area_t cumbria = {.hwb = "E10000006",
                           .districts = s_cumbria_districts,
                           .n_districts = 6,
                           .ccgs = s_cumbria_ccgs,
                           .n_ccgs = 2};
    fixture_record_t rec;
    uint64_t now = FIXTURE_T0;
    size_t n = 0;
    if (!b || !e || pool_engine_add_area(e, &cumbria, NULL) < 0) {
        abort();
    }
    while (fixture_next(&data, &size, fixture_pool_n_methods, &rec)) {
        uint8_t call_id[16], hash[32] = {0};
        fixture_call_id(n, call_id);
        now += rec.gap_ms;
        memcpy(hash, call_id, 16);
        pool_event_t ev = {.sender = fixture_code(rec.sender),
                           .log_index = n + 1,
                           .time_ms = now,
                           .call_id = call_id,
                           .hash = hash,
                           .method = fixture_pool_methods[rec.method],
                           .body = rec.body,
                           .body_len = rec.body_len};
        cc_err_t err;
        fixture_pool_step(b, e, &ev, 1, &err); /* aborts when a precheck disagrees */
        n++;
    }
    s_views(e);
    pool_engine_destroy(&e);
    board_engine_destroy(&b);
    roster_destroy(&roster);
    return 0;
}
