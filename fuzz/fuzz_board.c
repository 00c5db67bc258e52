/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_board: the board engine (board_apply) over a stream of events as
 * every node folds them from the broker's log: proposals and ballots from
 * any member of the fixed federation, with hostile bodies. Input format:
 * fixture.h (records of sender, method, gap and body).
 *
 * What must hold: no crash, no leak, no undefined behaviour; board_precheck
 * agrees with board_apply on every event (the CLI's immediate answer must
 * be the answer the fold gives); and every view (boards, proposals with
 * tallies, ballots, rejections, realignments) can be read afterwards. */
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "fixture.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

static int s_count_event(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    (void)log_index;
    (void)hash;
    (*(size_t *)arg)++;
    return 0;
}

/* Reads every view, as `board list`, `proposal show` and a certificate
 * export would. */
static void s_views(const board_engine_t *e, uint64_t now)
{
    for (size_t i = 0; i < board_count(e); i++) {
        board_view_t v;
        size_t n = 0;
        board_at(e, i, &v);
        board_events(e, v.board_id, UINT64_MAX, s_count_event, &n);
    }
    for (size_t i = 0; i < board_proposal_count(e); i++) {
        board_proposal_view_t pv;
        board_proposal_at(e, i, now, &pv);
        for (size_t j = 0; j < pv.n_ballots; j++) {
            board_ballot_view_t bv;
            board_ballot_at(e, &pv, j, &bv);
        }
        if (!memchr(pv.tally.explanation, 0, sizeof pv.tally.explanation)) {
            abort();
        }
    }
    for (size_t i = 0; i < board_rejection_count(e); i++) {
        board_rejection_t r;
        board_rejection_at(e, i, &r);
    }
    for (size_t i = 0; i < board_realignment_count(e); i++) {
        board_realignment_t r;
        board_realignment_at(e, i, &r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    roster_t *roster = fixture_roster_fresh();
    board_engine_t *e = board_engine_new(roster);
    fixture_record_t rec;
    uint64_t now = FIXTURE_T0;
    size_t n = 0;
    if (!e) {
        abort();
    }
    while (fixture_next(&data, &size, fixture_board_n_methods, &rec)) {
        uint8_t call_id[16], hash[32] = {0};
        fixture_call_id(n, call_id);
        now += rec.gap_ms;
        memcpy(hash, call_id, 16);
        board_event_t ev = {.sender = fixture_code(rec.sender),
                            .log_index = n + 1,
                            .time_ms = now,
                            .call_id = call_id,
                            .hash = hash,
                            .method = fixture_board_methods[rec.method],
                            .body = rec.body,
                            .body_len = rec.body_len};
        cc_err_t pre, app;
        int p = board_precheck(e, &ev, &pre);
        int a = board_apply(e, &ev, &app);
        if (p != a) {
            fprintf(stderr, "precheck %d (%s) but apply %d (%s)\n", p, p ? pre.msg : "", a,
                    a ? app.msg : "");
            abort();
        }
        n++;
    }
    s_views(e, now);
    s_views(e, now + 500ull * 86400000ull);
    board_engine_destroy(&e);
    roster_destroy(&roster);
    return 0;
}
