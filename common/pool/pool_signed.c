/* pool_signed: the host's signed year-end statement. Its canonical
 * content (a PoolStatement: the figures of pool_statement and the text of
 * pool_statement_text), and the check every node makes of a Statement
 * event: only the partner that keeps the accounts signs it, once per
 * closed year, and it must equal what this node computes itself. */
#include "pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool_priv.h"

int pool_canonical(const pool_engine_t *e, const char *pool_id, uint32_t year,
                   pool_canonical_t *out, cc_err_t *err)
{
    pool_statement_t *st = calloc(1, sizeof *st);
    char y[16];
    memset(out, 0, sizeof *out);
    if (!st) {
        return err_oom(err);
    }
    if (pool_statement(e, pool_id, year, st, err) < 0) {
        free(st);
        return -1;
    }
    if (!st->has_outturn) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the outturn of pool %s for %s is not recorded yet: a year is stated once closed",
                st->pool_id, money_year_name(year, y, sizeof y));
        free(st);
        return -1;
    }
    size_t need = pool_statement_text(st, NULL, 0);
    if (!(out->text = malloc(need + 1))) {
        free(st);
        return err_oom(err);
    }
    pool_statement_text(st, out->text, need + 1);
    Concord__V1__PoolStatement *m = &out->msg;
    concord__v1__pool_statement__init(m);
    m->pool_id = (char *)st->pool_id;
    m->financial_year = year;
    m->agreement_id = (char *)st->agreement_id;
    m->total_pence = st->total;
    m->outturn_pence = st->outturn;
    m->variance_pence = st->variance;
    m->text = out->text;
    for (size_t i = 0; i < st->n_lines; i++) {
        Concord__V1__StatementLine *l = &out->lines[i];
        concord__v1__statement_line__init(l);
        l->partner = (char *)st->lines[i].partner;
        l->contribution_pence = st->lines[i].contribution;
        l->pledged_pence = st->lines[i].pledged;
        l->variance_share_pence = st->lines[i].part.share;
        l->net_pence = st->lines[i].net;
        out->ptrs[i] = l;
    }
    m->lines = out->ptrs;
    m->n_lines = st->n_lines;
    free(st);
    return 0;
}

void pool_canonical_free(pool_canonical_t *c)
{
    if (c) {
        free(c->text);
        c->text = NULL;
    }
}

static int s_differs(char *why, size_t size, const char *what, int64_t got, int64_t want)
{
    snprintf(why, size, "%s: signed %s, computed here %s", what, money_text(got).s,
             money_text(want).s);
    return 0;
}

int pool_canonical_equal(const Concord__V1__PoolStatement *got,
                         const Concord__V1__PoolStatement *want, char *why, size_t size)
{
    char what[96];
    if (strcmp(got->agreement_id, want->agreement_id) != 0) {
        snprintf(why, size, "agreement: signed '%.40s', decided here %s", got->agreement_id,
                 want->agreement_id);
        return 0;
    }
    if (got->total_pence != want->total_pence) {
        return s_differs(why, size, "contributions", got->total_pence, want->total_pence);
    }
    if (got->outturn_pence != want->outturn_pence) {
        return s_differs(why, size, "outturn", got->outturn_pence, want->outturn_pence);
    }
    if (got->variance_pence != want->variance_pence) {
        return s_differs(why, size, "variance", got->variance_pence, want->variance_pence);
    }
    if (got->n_lines != want->n_lines) {
        snprintf(why, size, "signed %zu partner lines, computed here %zu", got->n_lines,
                 want->n_lines);
        return 0;
    }
    for (size_t i = 0; i < want->n_lines; i++) {
        const Concord__V1__StatementLine *g = got->lines[i], *w = want->lines[i];
        if (strcmp(g->partner, w->partner) != 0) {
            snprintf(why, size, "line %zu: signed for '%.40s', computed here for %s", i + 1,
                     g->partner, w->partner);
            return 0;
        }
        const struct {
            const char *name;
            int64_t got, want;
        } f[] = {{"contribution", g->contribution_pence, w->contribution_pence},
                 {"pledge", g->pledged_pence, w->pledged_pence},
                 {"share of the variance", g->variance_share_pence, w->variance_share_pence},
                 {"net", g->net_pence, w->net_pence}};
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++) {
            if (f[k].got != f[k].want) {
                snprintf(what, sizeof what, "%s's %s", w->partner, f[k].name);
                return s_differs(why, size, what, f[k].got, f[k].want);
            }
        }
    }
    if (strcmp(got->text, want->text) != 0) {
        size_t at = 0;
        while (got->text[at] && got->text[at] == want->text[at]) {
            at++;
        }
        snprintf(why, size, "the text differs from byte %zu on", at);
        return 0;
    }
    return 1;
}

int pool_signed_check(const pool_engine_t *e, const pool_event_t *ev, pool_fund_checked_t *chk,
                      cc_err_t *err)
{
    const Concord__V1__PoolStatement *s = (const Concord__V1__PoolStatement *)chk->msg;
    char y[16], why[600];
    pool_canonical_t mine;
    snprintf(chk->subject, sizeof chk->subject, "%s", s->pool_id);
    pool_fund_t *f = chk->fund = pool_fund_find(e, s->pool_id);
    if (!f) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s'", s->pool_id);
        return -1;
    }
    const char *host = pool_accountable(f->agreement);
    if (strcmp(ev->sender, host) != 0 || !f->agreement->risk_share) {
        err_set(err, CC_PERMISSION_DENIED,
                "%.40s cannot sign the statement of pool %s: only %s, who keeps its accounts,"
                " signs it",
                ev->sender, f->id, f->agreement->risk_share && host[0] ? host : "a host");
        return -1;
    }
    for (size_t i = 0; i < f->n_years && !chk->year; i++) {
        chk->year = f->years[i].year == s->financial_year ? &f->years[i] : NULL;
    }
    money_year_name(s->financial_year, y, sizeof y);
    if (chk->year && chk->year->statement[0]) {
        err_set(err, CC_ALREADY_EXISTS, "the statement of pool %s for %s is already signed (%s)",
                f->id, y, chk->year->statement);
        return -1;
    }
    if (pool_canonical(e, s->pool_id, s->financial_year, &mine, err) < 0) {
        return -1;
    }
    int same = pool_canonical_equal(s, &mine.msg, why, sizeof why);
    pool_canonical_free(&mine);
    if (!same) {
        err_set(err, CC_FAILED_PRECONDITION,
                "the statement of pool %s for %s signed by %s differs from the one computed here:"
                " %s",
                f->id, y, ev->sender, why);
        return -1;
    }
    return 0;
}

int pool_signed_accept(const pool_event_t *ev, pool_fund_checked_t *chk, cc_err_t *err)
{
    if (pool_evlist_reserve(&chk->fund->events) < 0) {
        return err_oom(err);
    }
    pool_evlist_add(&chk->fund->events, ev);
    memcpy(chk->year->statement, chk->ref, sizeof chk->year->statement);
    chk->year->statement_index = ev->log_index;
    return 0;
}
