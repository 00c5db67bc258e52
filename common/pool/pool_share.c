/* pool_share: the arithmetic of pooled funds, all in integer pence. The
 * largest-remainder split so parts always sum to the whole, the risk
 * share with its caps, the sums of a BCF plan's streams, and the text of
 * a statement. Pure functions: every node computes and writes the same. */
#include "pool.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "pool_priv.h"

pool_money_t pool_money(int64_t pence)
{
    pool_money_t m;
    money_format(pence, m.s, sizeof m.s);
    return m;
}

char *pool_year_name(uint32_t year, char *buf, size_t size)
{
    snprintf(buf, size, "%u/%02u", year, (year + 1) % 100);
    return buf;
}

void pool_say(pool_text_t *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(t->used < t->size ? t->buf + t->used : NULL,
                      t->used < t->size ? t->size - t->used : 0, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        return;
    }
    t->need += (size_t)n;
    if (t->used < t->size) {
        size_t room = t->size - t->used - 1;
        t->used += (size_t)n < room ? (size_t)n : room;
    }
}

/* ---- largest remainder ---- */

static int s_find(const char *const *codes, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(codes[i], code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int pool_split(int64_t total, const int64_t *weights, const char *const *codes, size_t n,
               pool_part_t *parts, cc_err_t *err)
{
    __int128 rem[POOL_MAX_PARTNERS], sum = 0;
    if (n == 0 || n > POOL_MAX_PARTNERS || total == INT64_MIN) {
        err_set(err, CC_INVALID_ARGUMENT, "a split needs 1 to %d parts and a total above %lld",
                POOL_MAX_PARTNERS, (long long)INT64_MIN);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (weights[i] < 0) {
            err_set(err, CC_INVALID_ARGUMENT, "%s's weight %lld is negative", codes[i],
                    (long long)weights[i]);
            return -1;
        }
        sum += weights[i];
    }
    if (sum == 0) {
        err_set(err, CC_INVALID_ARGUMENT, "a split needs some weight: every weight is 0");
        return -1;
    }
    int64_t mag = total < 0 ? -total : total, given = 0;
    for (size_t i = 0; i < n; i++) {
        /* |total| and each weight are below 2^63: the product fits. */
        __int128 prod = (__int128)mag * weights[i];
        memset(&parts[i], 0, sizeof parts[i]);
        parts[i].weight = weights[i];
        parts[i].quota = (int64_t)(prod / sum);
        rem[i] = prod % sum;
        given += parts[i].quota;
    }
    /* Each quota lost less than a penny, so fewer than n pennies are
     * left, and more parts than that have a remainder: each takes at
     * most one. */
    for (int64_t left = mag - given; left > 0; left--) {
        size_t best = n;
        for (size_t i = 0; i < n; i++) {
            if (parts[i].penny) {
                continue;
            }
            if (best == n || rem[i] > rem[best] ||
                (rem[i] == rem[best] && strcmp(codes[i], codes[best]) < 0)) {
                best = i;
            }
        }
        parts[best].penny = 1;
    }
    for (size_t i = 0; i < n; i++) {
        int64_t s = parts[i].quota + parts[i].penny;
        parts[i].share = total < 0 ? -s : s;
    }
    return 0;
}

/* ---- risk share ---- */

static int s_check_fixed(const Concord__V1__RiskShare *r, const char *const *codes, size_t n,
                         cc_err_t *err)
{
    uint64_t sum = 0;
    if (r->basis != CONCORD__V1__RISK_SHARE_BASIS__FIXED) {
        if (r->n_fixed) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "fixed shares are given, but the risk share is not"
                    " by fixed percentages");
            return -1;
        }
        return 0;
    }
    if (!r->n_fixed || r->n_fixed > n) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a fixed risk share needs a percentage for 1 to %zu"
                " partners",
                n);
        return -1;
    }
    for (size_t i = 0; i < r->n_fixed; i++) {
        const Concord__V1__FixedShare *f = r->fixed[i];
        if (s_find(codes, n, f->partner) < 0) {
            err_set(err, CC_INVALID_ARGUMENT, "fixed share for '%.40s', who is not a partner",
                    f->partner);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(r->fixed[k]->partner, f->partner) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%s has two fixed shares", f->partner);
                return -1;
            }
        }
        sum += f->basis_points;
    }
    if (sum != POOL_BASIS_POINTS) {
        err_set(err, CC_INVALID_ARGUMENT,
                "fixed shares must sum to %d basis points (100%%):"
                " they sum to %llu",
                POOL_BASIS_POINTS, (unsigned long long)sum);
        return -1;
    }
    return 0;
}

static int s_check_caps(const Concord__V1__RiskShare *r, const char *const *codes, size_t n,
                        cc_err_t *err)
{
    if (r->n_caps > n) {
        err_set(err, CC_INVALID_ARGUMENT, "%zu caps for %zu partners", r->n_caps, n);
        return -1;
    }
    for (size_t i = 0; i < r->n_caps; i++) {
        const Concord__V1__RiskCap *c = r->caps[i];
        if (s_find(codes, n, c->partner) < 0 || c->cap_pence < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "a cap is on a partner and at least 0 ('%.40s',"
                    " %s)",
                    c->partner, pool_money(c->cap_pence).s);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(r->caps[k]->partner, c->partner) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%s has two caps", c->partner);
                return -1;
            }
        }
        if (strcmp(c->partner, r->remainder_to) == 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s takes what the caps cut off, so it cannot be"
                    " capped itself",
                    c->partner);
            return -1;
        }
    }
    if (r->n_caps && s_find(codes, n, r->remainder_to) < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a capped risk share must name the partner who takes"
                " the remainder above the caps ('%.40s' is not a partner)",
                r->remainder_to);
        return -1;
    }
    if (!r->n_caps && r->remainder_to[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "remainder_to names who takes what caps cut off, but"
                " there are no caps");
        return -1;
    }
    return 0;
}

int pool_rule_check(const Concord__V1__RiskShare *r, const char *const *codes, size_t n,
                    cc_err_t *err)
{
    if (!r || r->basis < 1 || r->basis > 3) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a risk share is pro rata to contributions, by fixed"
                " percentages or borne by one partner");
        return -1;
    }
    if (n == 0 || n > POOL_MAX_PARTNERS) {
        err_set(err, CC_INVALID_ARGUMENT, "a risk share is among 1 to %d partners",
                POOL_MAX_PARTNERS);
        return -1;
    }
    if (s_check_fixed(r, codes, n, err) < 0) {
        return -1;
    }
    if (r->basis == CONCORD__V1__RISK_SHARE_BASIS__BORNE_BY && s_find(codes, n, r->borne_by) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "the risk is borne by '%.40s', who is not a partner",
                r->borne_by);
        return -1;
    }
    if (r->basis != CONCORD__V1__RISK_SHARE_BASIS__BORNE_BY && r->borne_by[0]) {
        err_set(err, CC_INVALID_ARGUMENT,
                "borne_by is given, but the risk share is not borne by"
                " one partner");
        return -1;
    }
    return s_check_caps(r, codes, n, err);
}

int pool_risk_split(const Concord__V1__RiskShare *rule, const char *const *codes,
                    const int64_t *contributions, size_t n, int64_t variance, pool_part_t *parts,
                    cc_err_t *err)
{
    int64_t w[POOL_MAX_PARTNERS];
    if (pool_rule_check(rule, codes, n, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        switch (rule->basis) {
        case CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA:
            w[i] = contributions[i];
            break;
        case CONCORD__V1__RISK_SHARE_BASIS__FIXED:
            w[i] = 0;
            for (size_t k = 0; k < rule->n_fixed; k++) {
                if (strcmp(rule->fixed[k]->partner, codes[i]) == 0) {
                    w[i] = rule->fixed[k]->basis_points;
                }
            }
            break;
        default:
            w[i] = strcmp(codes[i], rule->borne_by) == 0;
            break;
        }
    }
    if (pool_split(variance, w, codes, n, parts, err) < 0) {
        return -1;
    }
    /* Caps: what each capped partner would bear above its cap moves to
     * the named partner, who has no cap. */
    int64_t moved = 0;
    for (size_t k = 0; k < rule->n_caps; k++) {
        pool_part_t *p = &parts[s_find(codes, n, rule->caps[k]->partner)];
        int64_t mag = p->share < 0 ? -p->share : p->share, cap = rule->caps[k]->cap_pence;
        if (mag > cap) {
            p->cut = mag - cap;
            p->share = p->share < 0 ? -cap : cap;
            moved += p->cut;
        }
    }
    if (moved) {
        pool_part_t *r = &parts[s_find(codes, n, rule->remainder_to)];
        r->share += variance < 0 ? -moved : moved;
    }
    return 0;
}

/* ---- BCF streams ---- */

static int s_add(int64_t *sum, int64_t v, const char *what, cc_err_t *err)
{
    if (v < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s of %s is negative", what, pool_money(v).s);
        return -1;
    }
    if (v > INT64_MAX - *sum) {
        err_set(err, CC_OUT_OF_RANGE, "the %s add up to more than %s", what,
                pool_money(INT64_MAX).s);
        return -1;
    }
    *sum += v;
    return 0;
}

int pool_bcf_totals(const Concord__V1__BcfPlan *p, pool_bcf_totals_t *out, cc_err_t *err)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < p->n_ccg_minimum; i++) {
        if (s_add(&out->ccg_minimum, p->ccg_minimum[i]->amount_pence, "CCG minimum contributions",
                  err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_additional; i++) {
        if (s_add(&out->additional, p->additional[i]->amount_pence, "additional contributions",
                  err) < 0) {
            return -1;
        }
    }
    for (size_t i = 0; i < p->n_dfg_allocations; i++) {
        const Concord__V1__DfgAllocation *d = p->dfg_allocations[i];
        int64_t ignored = 0;
        if (s_add(strcmp(d->district, p->hwb) ? &out->dfg_to_districts : &ignored, d->amount_pence,
                  "DFG allocations", err) < 0) {
            return -1;
        }
    }
    out->dfg = p->dfg_pence;
    out->ibcf = p->ibcf_pence;
    if (s_add(&out->total, out->ccg_minimum, "streams", err) < 0 ||
        s_add(&out->total, out->dfg, "streams (DFG)", err) < 0 ||
        s_add(&out->total, out->ibcf, "streams (iBCF)", err) < 0 ||
        s_add(&out->total, out->additional, "streams", err) < 0) {
        return -1;
    }
    return 0;
}

/* ---- statements ---- */

static const char *s_kind_name(int kind)
{
    static const char *const names[] = {"arrangement",        "pooled fund",  "aligned budgets",
                                        "lead commissioning", "s76 transfer", "s256 transfer"};
    return kind >= 1 && kind <= 5 ? names[kind] : names[0];
}

static void s_say_rule(pool_text_t *t, const pool_statement_t *s)
{
    const Concord__V1__RiskShare *r = s->rule;
    switch (r->basis) {
    case CONCORD__V1__RISK_SHARE_BASIS__PRO_RATA:
        pool_say(t, "Split pro rata to the year's contributions (%s in all)",
                 pool_money(s->total).s);
        break;
    case CONCORD__V1__RISK_SHARE_BASIS__FIXED:
        pool_say(t, "Split by fixed shares of %d basis points", POOL_BASIS_POINTS);
        break;
    default:
        pool_say(t, "Borne by %s", r->borne_by);
        break;
    }
    pool_say(t, r->n_caps ? ", capped, with what the caps cut off to %s" : "%s",
             r->n_caps ? r->remainder_to : "");
    pool_say(t, "; remainder pennies to the largest remainders, ties by partner code.\n");
}

static void s_say_split(pool_text_t *t, const pool_statement_t *s)
{
    int64_t mag = s->variance < 0 ? -s->variance : s->variance;
    pool_say(t, "Outturn %s: %s of %s.\n", pool_money(s->outturn).s,
             s->variance > 0   ? "overspend"
             : s->variance < 0 ? "underspend"
                               : "no variance",
             pool_money(mag).s);
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
        const pool_part_t *p = &l->part;
        pool_say(t, "  %s: %s x %lld/%lld = %s%s", l->partner, pool_money(mag).s,
                 (long long)p->weight, (long long)weight, pool_money(p->quota).s,
                 p->penny ? " + 1p" : "");
        if (p->cut) {
            pool_say(t, "; capped, %s to %s", pool_money(p->cut).s, s->rule->remainder_to);
        }
        if (cut && strcmp(l->partner, s->rule->remainder_to) == 0) {
            pool_say(t, "; takes the %s the caps cut off", pool_money(cut).s);
        }
        pool_say(t, "; bears %s.\n", pool_money(p->share).s);
    }
}

/* Four cells right-aligned in columns of S_CELL characters ("£" is two
 * bytes but one character), then the end of the line. */
#define S_CELL 22

static void s_row(pool_text_t *t, const char *a, const char *b, const char *c, const char *d)
{
    const char *cells[4] = {a, b, c, d};
    for (int i = 0; i < 4; i++) {
        size_t chars = 0;
        for (const char *p = cells[i]; *p; p++) {
            chars += ((unsigned char)*p & 0xc0) != 0x80;
        }
        pool_say(t, " %*s%s", chars < S_CELL ? (int)(S_CELL - chars) : 0, "", cells[i]);
    }
    pool_say(t, "\n");
}

size_t pool_statement_text(const pool_statement_t *s, char *buf, size_t size)
{
    pool_text_t t = {.buf = buf, .size = size};
    char y[16];
    if (size) {
        buf[0] = '\0';
    }
    pool_say(&t, "Pool %s \"%s\": %s", s->pool_id, s->name, s_kind_name(s->kind));
    pool_say(&t, s->accountable[0] ? ", accounts kept by %s.\n" : "%s.\n", s->accountable);
    pool_say(&t, "Year %s: contributions %s, pledged %s%s.\n", pool_year_name(s->year, y, sizeof y),
             pool_money(s->total).s, pool_money(s->pledged_total).s,
             s->complete ? ", all as agreed" : ", not all as agreed");
    pool_say(&t, "%-12s", "Partner");
    s_row(&t, "Contribution", "Pledged", "Share of variance", "Net");
    for (size_t i = 0; i < s->n_lines; i++) {
        const pool_line_t *l = &s->lines[i];
        pool_say(&t, "%-12s", l->partner);
        s_row(&t, pool_money(l->contribution).s, l->pledged ? pool_money(l->pledged).s : "-",
              pool_money(l->part.share).s, pool_money(l->net).s);
    }
    if (s->has_outturn) {
        s_say_split(&t, s);
    } else {
        pool_say(&t, "No outturn recorded.\n");
    }
    return t.need;
}
