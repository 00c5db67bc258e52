/* SPDX-License-Identifier: Apache-2.0 */
/* board_pool: pooled-fund agreements and variations as board proposals.
 * What a POOL_AGREEMENT or POOL_VARIATION proposal must satisfy on its
 * board, and whose FOR it needs whatever the board's rule. The pool
 * engine takes up the passed ones (pool_follow); the rules of the
 * agreement itself are agreement_check's. */
#include "board_pool.h"

#include <stdio.h>
#include <string.h>

#include "agreement.h"
#include "pool_methods.h"

static int s_member(const Concord__V1__Charter *c, const char *code)
{
    for (size_t i = 0; i < c->n_members; i++) {
        if (strcmp(c->members[i]->code, code) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Whether code, or the organisation it was merged into (through any chain
 * of mergers in roster), is a member of c: a successor answers for its
 * predecessors' lines. */
static int s_seated(const roster_t *roster, const Concord__V1__Charter *c, const char *code)
{
    char cur[KEYS_CODE_MAX + 1];
    snprintf(cur, sizeof cur, "%s", code);
    for (int hops = 0; hops < 64; hops++) {
        if (s_member(c, cur)) {
            return 1;
        }
        int moved = 0;
        for (size_t k = 0; roster && k < roster_past_count(roster) && !moved; k++) {
            roster_past_t past;
            roster_past_at(roster, k, &past);
            if (past.successor[0] && strcmp(past.org.code, cur) == 0 &&
                strcmp(past.successor, cur) != 0) {
                snprintf(cur, sizeof cur, "%s", past.successor);
                moved = 1;
            }
        }
        if (!moved) {
            return 0;
        }
    }
    return 0;
}

static int s_not_member(const Concord__V1__Charter *c, const char *code, const char *pool_id,
                        cc_err_t *err)
{
    err_set(err, CC_PERMISSION_DENIED,
            "%.40s is a partner of pool %.40s but not a member of board %s: the partners' board"
            " decides the agreement, so every partner must be one of its members",
            code, pool_id, c->board_id);
    return -1;
}

static int s_check_agreement(const roster_t *roster, const delegation_register_t *reg,
                             const Concord__V1__Charter *c, const Concord__V1__PoolAgreement *a,
                             cc_err_t *err)
{
    if (agreement_check(roster, reg, a, err) < 0) {
        return -1;
    }
    if (a->board_id[0] && strcmp(a->board_id, c->board_id) != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the agreement of pool %s names board '%.40s', not %s, which it is proposed to",
                a->pool_id, a->board_id, c->board_id);
        return -1;
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        if (!s_member(c, a->partners[i]->code)) {
            return s_not_member(c, a->partners[i]->code, a->pool_id, err);
        }
    }
    return 0;
}

static int s_check_variation(const roster_t *roster, const Concord__V1__Charter *c,
                             const Concord__V1__Variation *v, cc_err_t *err)
{
    size_t n = strlen(v->pool_id);
    if (n < 2 || n > POOL_ID_MAX ||
        strspn(v->pool_id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-") !=
            n) {
        err_set(err, CC_INVALID_ARGUMENT, "a variation names its pool ([A-Za-z0-9-], 2 to %d)",
                POOL_ID_MAX);
        return -1;
    }
    if ((!v->n_changes && !v->n_withdrawn) || v->n_changes > POOL_MAX_ITEMS ||
        v->n_withdrawn > POOL_MAX_ITEMS || strlen(v->reason) > POOL_REASON_MAX) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a variation changes up to %d contributions or leaves out up to %d partners (at"
                " least one of either), with a reason of at most %d bytes",
                POOL_MAX_ITEMS, POOL_MAX_ITEMS, POOL_REASON_MAX);
        return -1;
    }
    for (size_t i = 0; i < v->n_withdrawn; i++) {
        if (!s_member(c, v->withdrawn[i])) {
            return s_not_member(c, v->withdrawn[i], v->pool_id, err);
        }
        for (size_t k = 0; k < v->n_changes; k++) {
            if (strcmp(v->changes[k]->partner, v->withdrawn[i]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT,
                        "a variation cannot both leave out %.40s and change its contribution",
                        v->withdrawn[i]);
                return -1;
            }
        }
    }
    for (size_t i = 0; i < v->n_changes; i++) {
        const Concord__V1__VariedContribution *ch = v->changes[i];
        if (ch->amount_pence <= 0 || ch->financial_year < POOL_YEAR_MIN ||
            ch->financial_year > POOL_YEAR_MAX) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "a varied contribution is a positive amount for a year %d to %d ('%.40s', %u)",
                    POOL_YEAR_MIN, POOL_YEAR_MAX, ch->partner, ch->financial_year);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (v->changes[k]->financial_year == ch->financial_year &&
                strcmp(v->changes[k]->partner, ch->partner) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%.40s's %u contribution is varied twice",
                        ch->partner, ch->financial_year);
                return -1;
            }
        }
        if (!s_seated(roster, c, ch->partner)) {
            return s_not_member(c, ch->partner, v->pool_id, err);
        }
    }
    return 0;
}

int board_pool_check(const roster_t *roster, const delegation_register_t *reg,
                     const Concord__V1__Charter *c, const Concord__V1__Proposal *p, cc_err_t *err)
{
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT) {
        if (!p->pool_agreement || p->pool_variation) {
            err_set(err, CC_INVALID_ARGUMENT, "a pool agreement proposal carries the agreement");
            return -1;
        }
        return s_check_agreement(roster, reg, c, p->pool_agreement, err);
    }
    if (!p->pool_variation || p->pool_agreement) {
        err_set(err, CC_INVALID_ARGUMENT, "a pool variation proposal carries the variation");
        return -1;
    }
    return s_check_variation(roster, c, p->pool_variation, err);
}

/* Adds code once. */
static void s_add(board_consents_t *out, const char *code)
{
    for (size_t i = 0; i < out->n; i++) {
        if (strcmp(out->codes[i], code) == 0) {
            return;
        }
    }
    if (out->n < BOARD_MAX_CONSENTS) {
        out->codes[out->n++] = code;
    }
}

void board_pool_consents(const Concord__V1__Proposal *p, board_consents_t *out)
{
    memset(out, 0, sizeof *out);
    const Concord__V1__PoolAgreement *a = p->pool_agreement;
    const Concord__V1__Variation *v = p->pool_variation;
    if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_AGREEMENT && a &&
        agreement_primary_medical(a)) {
        out->why = "primary medical services are pooled only with every party agreeing"
                   " (SI 2015/1940)";
        for (size_t i = 0; i < a->n_partners; i++) {
            s_add(out, a->partners[i]->code);
        }
    } else if (p->kind == CONCORD__V1__PROPOSAL_KIND__POOL_VARIATION && v) {
        out->why = "a change to a partner's contribution needs that partner's FOR";
        for (size_t i = 0; i < v->n_changes; i++) {
            s_add(out, v->changes[i]->partner);
        }
    }
}

int board_pool_method_public(const char *method)
{
    return method && strcmp(method, POOL_METHOD_EXECUTE) == 0;
}
