/* SPDX-License-Identifier: Apache-2.0 */
/* risk_share: how a pooled fund's overspend or underspend is shared among
 * its partners (the agreement's RiskShare), checked and applied. Pure
 * functions in integer pence: every node splits the same way. */
#include "risk_share.h"

#include <string.h>

static int s_find(const char *const *codes, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(codes[i], code) == 0) {
            return (int)i;
        }
    }
    return -1;
}

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
                    c->partner, money_text(c->cap_pence).s);
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

int risk_share_check(const Concord__V1__RiskShare *r, const char *const *codes, size_t n,
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

int risk_share_split(const Concord__V1__RiskShare *rule, const char *const *codes,
                     const int64_t *contributions, size_t n, int64_t variance,
                     risk_share_part_t *parts, cc_err_t *err)
{
    int64_t w[POOL_MAX_PARTNERS];
    money_part_t split[POOL_MAX_PARTNERS];
    if (risk_share_check(rule, codes, n, err) < 0) {
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
    if (money_split(variance, w, codes, n, split, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        parts[i] = (risk_share_part_t){.weight = split[i].weight,
                                       .quota = split[i].quota,
                                       .penny = split[i].penny,
                                       .share = split[i].share};
    }
    /* Caps: what each capped partner would bear above its cap moves to
     * the named partner, who has no cap. */
    int64_t moved = 0;
    for (size_t k = 0; k < rule->n_caps; k++) {
        risk_share_part_t *p = &parts[s_find(codes, n, rule->caps[k]->partner)];
        int64_t mag = p->share < 0 ? -p->share : p->share, cap = rule->caps[k]->cap_pence;
        if (mag > cap) {
            p->cut = mag - cap;
            p->share = p->share < 0 ? -cap : cap;
            moved += p->cut;
        }
    }
    if (moved) {
        risk_share_part_t *r = &parts[s_find(codes, n, rule->remainder_to)];
        r->share += variance < 0 ? -moved : moved;
    }
    return 0;
}
