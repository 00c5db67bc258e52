/* SPDX-License-Identifier: Apache-2.0 */
/* pool_statement: the text of a year's statement, in integer pence (the
 * split itself is risk_share.c's). Pure functions: every node computes and writes the same. */
#include "pool_statement.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "text.h"

static const char *s_kind_name(int kind)
{
    static const char *const names[] = {"arrangement",        "pooled fund",  "aligned budgets",
                                        "lead commissioning", "s76 transfer", "s256 transfer"};
    return kind >= 1 && kind <= 5 ? names[kind] : names[0];
}

static void s_say_rule(text_t *t, const pool_statement_t *s)
{
    const Concord__V1__RiskShare *r = s->rule;
    switch (r->basis) {
    case CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA:
        text_put(t, "Split pro rata to the year's contributions (%s in all)",
                 money_text(s->total).s);
        break;
    case CONCORD__V1__RISK_SHARE_BASIS__FIXED:
        text_put(t, "Split by fixed shares of %d basis points", POOL_BASIS_POINTS);
        break;
    default:
        text_put(t, "Borne by %s", r->borne_by);
        break;
    }
    text_put(t, r->n_caps ? ", capped, with what the caps cut off to %s" : "%s",
             r->n_caps ? r->remainder_to : "");
    text_put(t, "; remainder pennies to the largest remainders, ties by partner code.\n");
}

static void s_say_split(text_t *t, const pool_statement_t *s)
{
    int64_t mag = s->variance < 0 ? -s->variance : s->variance;
    text_put(t, "Outturn %s: %s of %s.\n", money_text(s->outturn).s,
             s->variance > 0   ? "overspend"
             : s->variance < 0 ? "underspend"
                               : "no variance",
             money_text(mag).s);
    if (!s->variance || !s->rule) {
        return;
    }
    s_say_rule(t, s);
    int64_t weight = 0, cut = 0;
    for (size_t i = 0; i < s->n_lines; i++) {
        weight += s->lines[i].part.weight;
        cut += s->lines[i].part.cut;
    }
    for (size_t i = 0; i < s->n_lines; i++) {
        const pool_line_t *l = &s->lines[i];
        const risk_share_part_t *p = &l->part;
        text_put(t, "  %s: %s x %lld/%lld = %s%s", l->partner, money_text(mag).s,
                 (long long)p->weight, (long long)weight, money_text(p->quota).s,
                 p->penny ? " + 1p" : "");
        if (p->cut) {
            text_put(t, "; capped, %s to %s", money_text(p->cut).s, s->rule->remainder_to);
        }
        if (cut && strcmp(l->partner, s->rule->remainder_to) == 0) {
            text_put(t, "; takes the %s the caps cut off", money_text(cut).s);
        }
        text_put(t, "; bears %s.\n", money_text(p->share).s);
    }
}

/* Four cells right-aligned in columns of S_CELL characters ("£" is two
 * bytes but one character), then the end of the line. */
#define S_CELL 22

static void s_row(text_t *t, const char *a, const char *b, const char *c, const char *d)
{
    const char *cells[4] = {a, b, c, d};
    for (int i = 0; i < 4; i++) {
        size_t chars = 0;
        for (const char *p = cells[i]; *p; p++) {
            chars += ((unsigned char)*p & 0xc0) != 0x80;
        }
        text_put(t, " %*s%s", chars < S_CELL ? (int)(S_CELL - chars) : 0, "", cells[i]);
    }
    text_put(t, "\n");
}

size_t pool_statement_text(const pool_statement_t *s, char *buf, size_t size)
{
    text_t t;
    text_init_fixed(&t, buf, size);
    char y[16];
    text_put(&t, "Pool %s \"%s\": %s", s->pool_id, s->name, s_kind_name(s->kind));
    text_put(&t, s->accountable[0] ? ", accounts kept by %s.\n" : "%s.\n", s->accountable);
    text_put(&t, "Year %s: contributions %s, pledged %s%s.\n",
             money_year_name(s->year, y, sizeof y), money_text(s->total).s,
             money_text(s->pledged_total).s,
             s->complete ? ", all as agreed" : ", not all as agreed");
    text_put(&t, "%-12s", "Partner");
    s_row(&t, "Contribution", "Pledged", "Share of variance", "Net");
    for (size_t i = 0; i < s->n_lines; i++) {
        const pool_line_t *l = &s->lines[i];
        text_put(&t, "%-12s", l->partner);
        s_row(&t, money_text(l->contribution).s, l->pledged ? money_text(l->pledged).s : "-",
              money_text(l->part.share).s, money_text(l->net).s);
    }
    for (size_t i = 0; i < s->n_lines; i++) {
        const pool_line_t *l = &s->lines[i];
        if (!l->split_by || !l->split_by[0]) {
            continue;
        }
        text_put(&t, "%s was split by decision %s (transfer scheme, Health and Care Act 2022 Sch 4):",
                 l->partner, l->split_by);
        for (size_t k = 0; k < l->n_successors; k++) {
            text_put(&t, "%s %s %u/1000 owes %s, pledged %s", k ? ";" : "", l->successors[k],
                     l->permille[k], money_text(l->owed[k]).s,
                     l->owed_pledged[k] ? money_text(l->owed_pledged[k]).s : "-");
            if (s->has_outturn && l->part.share) {
                text_put(&t, ", bears %s of the variance", money_text(l->owed_variance[k]).s);
            }
        }
        text_put(&t, ".\n");
    }
    if (s->has_outturn) {
        s_say_split(&t, s);
    } else {
        text_put(&t, "No outturn recorded.\n");
    }
    return t.need;
}
