/* SPDX-License-Identifier: Apache-2.0 */
/* statement_build: a host's signed year-end statement certificate, built
 * from the node's engines and its ledger (common/proof verifies it). */
#include "statement_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate_build.h"
#include "grow.h"
#include "wire.h"

typedef struct {
    uint64_t log_index;
    uint8_t hash[32];
} s_ref_t;

typedef struct {
    s_ref_t *at;
    size_t n, cap;
} s_refs_t;

static int s_note(uint64_t log_index, const uint8_t hash[32], void *arg)
{
    s_refs_t *r = arg;
    s_ref_t *grown = grow_reserve(r->at, &r->cap, r->n, sizeof *r->at);
    if (!grown) {
        return -1;
    }
    r->at = grown;
    r->at[r->n].log_index = log_index;
    memcpy(r->at[r->n].hash, hash, 32);
    r->n++;
    return 0;
}

static int s_by_index(const void *a, const void *b)
{
    const s_ref_t *x = a, *y = b;
    return x->log_index < y->log_index ? -1 : x->log_index > y->log_index;
}

/* The board's events and the pool's up to the statement, merged in log
 * order, with every board's events up to its latest roster change (as a
 * decision certificate carries them: signatures under rotated keys, the
 * exporter's among them, can then be checked). */
static int s_gather(const board_engine_t *b, const pool_engine_t *e, const char *board_id,
                    const char *pool_id, uint64_t upto, s_refs_t *refs, cc_err_t *err)
{
    if (board_certificate_events(b, board_id, upto, s_note, refs) != 0 ||
        pool_events(e, pool_id, 0, upto, s_note, refs) != 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory gathering the events of pool %s",
                pool_id);
        return -1;
    }
    qsort(refs->at, refs->n, sizeof *refs->at, s_by_index);
    return 0;
}

int statement_build(const board_engine_t *b, const pool_engine_t *e, ledger_t *ledger,
                    const uint8_t *roster_bytes, size_t roster_len, const keys_t *signer,
                    const char *pool_id, uint32_t year, uint64_t now_ms, uint8_t **out,
                    size_t *out_len, cc_err_t *err)
{
    pool_statement_t *st = calloc(1, sizeof *st);
    pool_view_t v;
    s_refs_t refs = {0};
    certificate_build_events_t c = {.ledger = ledger, .err = err};
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    int ret = -1;
    char y[16];
    if (!st) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (pool_statement(e, pool_id, year, st, err) < 0 || pool_get(e, pool_id, &v) < 0) {
        goto out;
    }
    if (!st->signed_id[0]) {
        err_set(err, CC_NOT_FOUND, "the host has not signed the statement of pool %s for %s",
                pool_id, money_year_name(year, y, sizeof y));
        goto out;
    }
    if (s_gather(b, e, v.board_id, pool_id, st->signed_index, &refs, err) < 0) {
        goto out;
    }
    for (size_t i = 0; i < refs.n; i++) {
        if (certificate_build_collect(refs.at[i].log_index, refs.at[i].hash, &c) < 0) {
            goto out;
        }
    }
    Concord__V1__StatementCertificate sc = CONCORD__V1__STATEMENT_CERTIFICATE__INIT;
    sc.version = STATEMENT_VERSION;
    sc.roster.data = (uint8_t *)roster_bytes;
    sc.roster.len = roster_len;
    sc.pool_id = (char *)st->pool_id;
    sc.financial_year = year;
    sc.statement_id = (char *)st->signed_id;
    sc.events = c.items;
    sc.n_events = c.n;
    sc.exported_at_ms = now_ms;
    if (wire_pack(&sc.base, CERTIFICATE_MAX, &packed, &packed_len, err) < 0) {
        goto out;
    }
    ret = certificate_seal(signer, STATEMENT_DOMAIN, packed, packed_len, out, out_len, err);
out:
    free(packed);
    free(refs.at);
    certificate_build_events_free(&c);
    free(st);
    return ret;
}

