/* pool_view: what the engine shows of pools and variations, and the
 * year statement every partner computes alike from the engine's state. */
#include "pool.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "pool_priv.h"
#include "text.h"

size_t pool_count(const pool_engine_t *e)
{
    return e->n_funds;
}

static void s_view(const pool_fund_t *f, pool_view_t *out)
{
    char lacking[sizeof out->missing];
    text_t t;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    text_t m;
    text_init_fixed(&m, lacking, sizeof lacking);
    memset(out, 0, sizeof *out);
    lacking[0] = '\0';
    out->pool_id = f->id;
    out->agreement_id = f->ref;
    out->board_id = f->board_id;
    out->proposer = f->proposer;
    out->agreement = f->agreement;
    out->status = pool_fund_status(f);
    for (size_t i = 0; i < f->n_years; i++) {
        out->years[out->n_years++] = f->years[i].year;
    }
    if (out->status == POOL_AWAITING_PLEDGES) {
        for (size_t i = 0; i < f->n_years; i++) {
            pool_say_missing(f, &f->years[i], &m);
        }
        text_put(&t, "Awaiting pledges: %s.", lacking);
    }
}

void pool_at(const pool_engine_t *e, size_t i, pool_view_t *out)
{
    assert(i < e->n_funds);
    s_view(e->funds[i], out);
}

int pool_get(const pool_engine_t *e, const char *pool_id, pool_view_t *out)
{
    const pool_fund_t *f = pool_id ? pool_fund_find(e, pool_id) : NULL;
    if (!f) {
        return -1;
    }
    s_view(f, out);
    return 0;
}

int pool_statement(const pool_engine_t *e, const char *pool_id, uint32_t year,
                   pool_statement_t *out, cc_err_t *err)
{
    const pool_fund_t *f = pool_id ? pool_fund_find(e, pool_id) : NULL;
    const pool_year_t *y = NULL;
    char name[16];
    for (size_t i = 0; f && i < f->n_years && !y; i++) {
        y = f->years[i].year == year ? &f->years[i] : NULL;
    }
    if (!y) {
        err_set(err, CC_NOT_FOUND, "pool '%.40s' has no contributions in %s",
                pool_id ? pool_id : "", money_year_name(year, name, sizeof name));
        return -1;
    }
    const Concord__V1__PoolAgreement *a = f->agreement;
    memset(out, 0, sizeof *out);
    out->pool_id = f->id;
    out->name = a->name;
    out->kind = a->kind;
    out->accountable = pool_accountable(a);
    out->year = year;
    out->n_lines = a->n_partners;
    out->complete = 1;
    out->agreement_id = f->ref;
    out->signed_id = y->statement;
    out->signed_index = y->statement_index;
    out->has_outturn = y->has_outturn;
    out->outturn = y->outturn;
    out->rule = a->risk_share;
    for (size_t p = 0; p < a->n_partners; p++) {
        pool_line_t *l = &out->lines[p];
        l->partner = a->partners[p]->code;
        l->contribution = y->amount[p];
        l->pledged = y->pledged[p];
        l->matches = l->pledged == l->contribution;
        l->part = y->parts[p];
        l->net = l->contribution + l->part.share;
        out->total += l->contribution;
        out->pledged_total += l->pledged;
        out->complete &= l->matches || !l->contribution;
    }
    out->variance = y->has_outturn ? y->outturn - out->total : 0;
    return 0;
}

size_t pool_variation_count(const pool_engine_t *e)
{
    return e->n_vars;
}

static void s_var_view(const pool_var_t *v, pool_variation_view_t *out)
{
    text_t t;
    text_init_fixed(&t, out->missing, sizeof out->missing);
    memset(out, 0, sizeof *out);
    out->id = v->ref;
    out->pool_id = v->fund->id;
    out->proposer = v->proposer;
    out->variation = v->variation;
    out->status = v->status;
    text_put(&t, "%s", v->why);
}

void pool_variation_at(const pool_engine_t *e, size_t i, pool_variation_view_t *out)
{
    assert(i < e->n_vars);
    s_var_view(e->vars[i], out);
}

int pool_variation_get(const pool_engine_t *e, const char *id, pool_variation_view_t *out)
{
    const pool_var_t *v = id ? pool_var_find(e, id) : NULL;
    if (!v) {
        return -1;
    }
    s_var_view(v, out);
    return 0;
}

static void s_describe_agreement(const Concord__V1__PoolAgreement *a, text_t *t)
{
    char y[16];
    text_put(t, "Pool %s \"%s\"", a->pool_id, a->name);
    if (a->n_hosts) {
        text_put(t, ", hosted by %s", a->hosts[0]);
    }
    text_put(t, ".\n");
    for (size_t i = 0; i < a->n_partners; i++) {
        text_put(t, "  %-10s", a->partners[i]->code);
        for (size_t k = 0; k < a->partners[i]->n_contributions; k++) {
            const Concord__V1__Contribution *c = a->partners[i]->contributions[k];
            text_put(t, " %s %s", money_year_name(c->financial_year, y, sizeof y),
                     money_text(c->amount_pence).s);
        }
        text_put(t, "\n");
    }
    if (agreement_primary_medical(a)) {
        text_put(t, "  Includes primary medical services: every partner must vote FOR.\n");
    }
}

size_t pool_describe(const Concord__V1__Proposal *p, char *buf, size_t size)
{
    char y[16];
    text_t t;
    text_init_fixed(&t, buf, size);
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT && p->pool_agreement) {
        s_describe_agreement(p->pool_agreement, &t);
    } else if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION && p->pool_variation) {
        const Concord__V1__Variation *v = p->pool_variation;
        text_put(&t, "Variation of pool %s:\n", v->pool_id);
        for (size_t i = 0; i < v->n_changes; i++) {
            const Concord__V1__VariedContribution *c = v->changes[i];
            text_put(&t, "  %-10s %s becomes %s\n", c->partner,
                     money_year_name(c->financial_year, y, sizeof y),
                     money_text(c->amount_pence).s);
        }
    }
    return t.need;
}
