/* SPDX-License-Identifier: Apache-2.0 */
/* statement: building and verifying signed pool statement certificates.
 * The envelope, receipt and signature checks are certificate.c's. */
#include "statement.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "certificate.h"
#include "envelope.h"
#include "wire.h"

/* Where a verification stands: the statement is the pool's last event;
 * what follows it are board events carrying roster changes. */
typedef struct {
    const char *statement_id;
    char *host; /* who signed it, once seen */
} s_seen_t;

/* One certified event through both engines, as a node folds it: the
 * board engine first, then the pool decisions taken up to it, then the
 * pool engine. After the statement only the board engine takes events. */
static int s_replay(board_engine_t *b, pool_engine_t *e, receipt_heads_t *heads,
                    const roster_t *roster, const Concord__V1__CertifiedEnvelope *ce, size_t i,
                    s_seen_t *seen, cc_err_t *err)
{
    uint64_t log_index = 0, time_ms = 0;
    envelope_t *env = certificate_open_event(heads, roster, ce, i, &log_index, &time_ms, err);
    if (!env) {
        return -1;
    }
    const Concord__V1__Header *h = env->header;
    int board = board_method(h->method);
    fold_event_t ev = fold_event_of(env, log_index, time_ms);
    int rc = -1;
    if (seen->host[0] && !board) {
        err_set(err, CC_INVALID_ARGUMENT, "a pool event follows the statement");
    } else if (board) {
        rc = board_apply(b, &ev, err);
    } else {
        rc = board_advance(b, log_index, time_ms, err);
    }
    if (rc == 0 && !seen->host[0]) {
        rc = pool_follow(e, b, log_index, err);
    }
    if (rc == 0 && !board) {
        rc = pool_apply(e, &ev, err);
    }
    if (rc == 0 && !board && strcmp(h->method, POOL_METHOD_STATEMENT) == 0) {
        char ref[POOL_REF_LEN + 1];
        pool_ref(h->call_id.data, ref);
        if (strcmp(ref, seen->statement_id) == 0) {
            snprintf(seen->host, KEYS_CODE_MAX + 1, "%s", h->sender);
        }
    }
    if (rc < 0) {
        err_prefix(err, "event %zu (log index %llu, %s from %s) is not valid: ", i + 1,
                   (unsigned long long)log_index, h->method, h->sender);
    }
    envelope_destroy(&env);
    return rc;
}

char *statement_csv(const pool_statement_t *s)
{
    size_t cap = 128 + s->n_lines * 160;
    char *buf = malloc(cap);
    if (!buf) {
        return NULL;
    }
    size_t used = (size_t)snprintf(buf, cap,
                                   "pool_id,financial_year,partner,contribution_pence,"
                                   "pledged_pence,matches,variance_share_pence,net_pence\n");
    for (size_t i = 0; i < s->n_lines && used < cap; i++) {
        const pool_line_t *l = &s->lines[i];
        int n = snprintf(buf + used, cap - used, "%s,%u,%s,%lld,%lld,%d,%lld,%lld\n", s->pool_id,
                         s->year, l->partner, (long long)l->contribution, (long long)l->pledged,
                         l->matches, (long long)l->part.share, (long long)l->net);
        used += n > 0 ? (size_t)n : 0;
    }
    return buf;
}

/* The report of a verified certificate: the recomputed statement. */
static int s_report(const pool_engine_t *e, const Concord__V1__StatementCertificate *sc,
                    statement_report_t *out, cc_err_t *err)
{
    pool_statement_t *st = calloc(1, sizeof *st);
    int ret = -1;
    if (!st) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (pool_statement(e, sc->pool_id, sc->financial_year, st, err) < 0) {
        goto out;
    }
    if (strcmp(st->signed_id, sc->statement_id) != 0 || !out->host[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the certificate's pool events do not end with the host's accepted statement"
                " %.40s",
                sc->statement_id);
        goto out;
    }
    size_t need = pool_statement_text(st, NULL, 0);
    if (!(out->text = malloc(need + 1)) || !(out->csv = statement_csv(st))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    pool_statement_text(st, out->text, need + 1);
    snprintf(out->pool_id, sizeof out->pool_id, "%s", st->pool_id);
    snprintf(out->statement_id, sizeof out->statement_id, "%s", st->signed_id);
    out->year = sc->financial_year;
    out->events = sc->n_events;
    ret = 0;
out:
    free(st);
    return ret;
}

int statement_verify(const uint8_t *buf, size_t len, const roster_t *trusted,
                     statement_report_t *out, cc_err_t *err)
{
    roster_t *roster = NULL;
    board_engine_t *b = NULL;
    pool_engine_t *e = NULL;
    receipt_heads_t *heads = NULL;
    int ret = -1;
    Concord__V1__SignedCertificate *signed_cert = NULL;
    memset(out, 0, sizeof *out);
    Concord__V1__StatementCertificate *sc = (Concord__V1__StatementCertificate *)certificate_unpack(
        buf, len, &concord__v1__statement_certificate__descriptor, &signed_cert, err);
    if (!sc) {
        return -1;
    }
    if (sc->version != STATEMENT_VERSION) {
        err_set(err, CC_UNIMPLEMENTED, "statement certificate version %u is not supported",
                sc->version);
        goto out;
    }
    if (!(roster = certificate_roster(&sc->roster, trusted, err))) {
        goto out;
    }
    if (!(b = board_engine_new(roster)) || !(e = pool_engine_new(roster)) ||
        !(heads = receipt_heads_new())) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto out;
    }
    s_seen_t seen = {.statement_id = sc->statement_id, .host = out->host};
    for (size_t i = 0; i < sc->n_events; i++) {
        if (s_replay(b, e, heads, roster, sc->events[i], i, &seen, err) < 0) {
            goto out;
        }
    }
    if (certificate_check_signer(signed_cert, roster, STATEMENT_DOMAIN, out->signer, err) < 0) {
        goto out;
    }
    ret = s_report(e, sc, out, err);
out:
    receipt_heads_destroy(&heads);
    pool_engine_destroy(&e);
    board_engine_destroy(&b);
    roster_destroy(&roster);
    wire_free(&sc->base);
    wire_free(&signed_cert->base);
    if (ret < 0) {
        statement_report_free(out);
    }
    return ret;
}

void statement_report_free(statement_report_t *r)
{
    free(r->text);
    free(r->csv);
    r->text = NULL;
    r->csv = NULL;
}
