/* SPDX-License-Identifier: Apache-2.0 */
/* agreement: the rules a pooled-fund agreement (s75 pooled fund, aligned
 * budgets, lead commissioning, s76 or s256 transfer) must meet on its own,
 * whatever any engine's state. Pure functions, so every node refuses the
 * same things with the same words. Each reason names the rule and, where
 * there is one, its source. */
#include "agreement.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "date.h"
#include "keys.h"
#include "money.h"
#include "risk_share.h"

int agreement_org(const roster_t *roster, const char *code, roster_org_t *out)
{
    roster_org_t o;
    if (strcmp(code, KEYS_BROKER_CODE) == 0 || roster_lookup(roster, code, &o) != 0) {
        return 0;
    }
    if (out) {
        *out = o;
    }
    return 1;
}

int agreement_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 2 || n > POOL_ID_MAX) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (!isalnum((unsigned char)id[i]) && id[i] != '-') {
            return 0;
        }
    }
    return 1;
}

int agreement_year_ok(uint32_t year)
{
    return year >= POOL_YEAR_MIN && year <= POOL_YEAR_MAX;
}

/* The organisations s75 calls NHS bodies: CCGs and, after them, ICBs;
 * NHS England; NHS trusts and foundation trusts (NHS Act 2006 s75(8);
 * the 2000 Regulations reg. 3). A sub-ICB location is part of its ICB,
 * not a body of its own. */
static int s_nhs_kind(const char *kind)
{
    return strcmp(kind, "CCG") == 0 || strcmp(kind, "NHS_ENGLAND") == 0 ||
           strcmp(kind, "ICB") == 0 || strcmp(kind, "NHS_TRUST") == 0 ||
           strcmp(kind, "NHS_FOUNDATION_TRUST") == 0;
}

/* Local authorities: councils, and combined authorities, which may be
 * s75 parties for the health functions conferred on them since the Cities
 * and Local Government Devolution Act 2016 (as Greater Manchester's). */
static int s_la_kind(const char *kind)
{
    return strcmp(kind, "COUNCIL_UPPER") == 0 || strcmp(kind, "COUNCIL_DISTRICT") == 0 ||
           strcmp(kind, "COMBINED_AUTHORITY") == 0 || strcmp(kind, "MAYORAL_CA") == 0;
}

static const char *s_kind_words(int kind)
{
    switch (kind) {
    case CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND:
        return "a pooled fund";
    case CONCORD__V1__ARRANGEMENT_KIND__ALIGNED_BUDGETS:
        return "aligned budgets";
    case CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING:
        return "lead commissioning";
    case CONCORD__V1__ARRANGEMENT_KIND__SECTION_76_TRANSFER:
        return "a s76 transfer";
    case CONCORD__V1__ARRANGEMENT_KIND__SECTION_256_TRANSFER:
        return "a s256 transfer";
    default:
        return "an arrangement of unknown kind";
    }
}

static int s_s75(int kind)
{
    return kind == CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND ||
           kind == CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING;
}

static int s_transfer(int kind)
{
    return kind == CONCORD__V1__ARRANGEMENT_KIND__SECTION_76_TRANSFER ||
           kind == CONCORD__V1__ARRANGEMENT_KIND__SECTION_256_TRANSFER;
}

static long s_partner(const Concord__V1__PoolAgreement *a, const char *code)
{
    for (size_t i = 0; i < a->n_partners; i++) {
        if (strcmp(a->partners[i]->code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

/* ---- excluded functions, matched by whole words ---- */

#define S_WORDS_MAX (POOL_NAME_MAX / 2 + 1) /* every word of a name that passes the limit */
#define S_WORD_LEN 32

typedef struct {
    char w[S_WORDS_MAX][S_WORD_LEN];
    size_t n;
} s_words_t;

/* Lower-case words split at anything but letters, digits and hyphens, so
 * "non-surgical" stays one word and never reads as "surgical". */
static void s_split(const char *text, s_words_t *out)
{
    size_t len = 0;
    out->n = 0;
    for (const char *p = text;; p++) {
        unsigned char c = (unsigned char)*p;
        if (c && (isalnum(c) || c == '-')) {
            if (len < S_WORD_LEN - 1 && out->n < S_WORDS_MAX) {
                out->w[out->n][len++] = (char)tolower(c);
            }
            continue;
        }
        if (len && out->n < S_WORDS_MAX) {
            out->w[out->n++][len] = '\0';
        }
        len = 0;
        if (!c) {
            return;
        }
    }
}

static int s_has(const s_words_t *ws, const char *word)
{
    for (size_t i = 0; i < ws->n; i++) {
        if (strcmp(ws->w[i], word) == 0) {
            return 1;
        }
    }
    return 0;
}

/* Consecutive words: phrase is space-separated. */
static int s_has_phrase(const s_words_t *ws, const char *phrase)
{
    s_words_t ph;
    s_split(phrase, &ph);
    for (size_t i = 0; ph.n && i + ph.n <= ws->n; i++) {
        size_t k = 0;
        while (k < ph.n && strcmp(ws->w[i + k], ph.w[k]) == 0) {
            k++;
        }
        if (k == ph.n) {
            return 1;
        }
    }
    return 0;
}

static int s_any(const s_words_t *ws, const char *const *words)
{
    for (; *words; words++) {
        if (strchr(*words, ' ') ? s_has_phrase(ws, *words) : s_has(ws, *words)) {
            return 1;
        }
    }
    return 0;
}

const char *agreement_excluded_function(const char *description)
{
    /* The NHS Bodies and Local Authorities Partnership Arrangements
     * Regulations 2000 keep these out of s75 arrangements. */
    static const struct {
        const char *name;
        const char *words[8];
    } rules[] = {
        {"surgery", {"surgery", "surgeries", "surgical", NULL}},
        {"radiotherapy", {"radiotherapy", "radiotherapies", "radiation therapy", NULL}},
        {"termination of pregnancy",
         {"termination of pregnancy", "terminations of pregnancy", "termination of pregnancies",
          "terminations of pregnancies", "abortion", "abortions", NULL}},
        {"endoscopy", {"endoscopy", "endoscopies", "endoscopic", NULL}},
        {"class 4 laser treatment", {"laser", "lasers", NULL}},
        {"other invasive treatment", {"invasive", NULL}},
    };
    static const char *const non_emergency[] = {"non-emergency", "patient transport", NULL};
    s_words_t ws;
    /* Longer text could hide a word past what is split: fail closed. */
    if (strlen(description) > POOL_NAME_MAX) {
        return "a description too long to judge";
    }
    s_split(description, &ws);
    for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
        if (s_any(&ws, rules[i].words)) {
            return rules[i].name;
        }
    }
    /* Seed 000 says "ambulance services"; the regulations, emergency
     * ambulance services. Fail closed: any ambulance service unless it is
     * said to be non-emergency transport. */
    if ((s_has(&ws, "ambulance") || s_has(&ws, "ambulances")) && !s_any(&ws, non_emergency)) {
        return "emergency ambulance services";
    }
    return NULL;
}

int agreement_names_primary_medical(const char *description)
{
    static const char *const words[] = {"primary medical",
                                        "primary care",
                                        "general practice",
                                        "general medical services",
                                        "gp",
                                        "gps",
                                        NULL};
    s_words_t ws;
    s_split(description, &ws);
    return s_any(&ws, words);
}

/* ---- agreements ---- */

static int s_text_ok(const char *s, size_t max, int required)
{
    size_t n = strlen(s);
    return n <= max && (!required || n > 0);
}

/* A list of names (functions, client groups): 0..POOL_MAX_ITEMS entries
 * of 1..POOL_NAME_MAX characters. */
static int s_list_ok(char **items, size_t n, const char *what, cc_err_t *err)
{
    if (n > POOL_MAX_ITEMS) {
        err_set(err, CC_INVALID_ARGUMENT, "%zu %s; at most %d", n, what, POOL_MAX_ITEMS);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (!s_text_ok(items[i], POOL_NAME_MAX, 1)) {
            err_set(err, CC_INVALID_ARGUMENT, "each of the %s needs a name of 1 to %d characters",
                    what, POOL_NAME_MAX);
            return -1;
        }
    }
    return 0;
}

static int s_check_texts(const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    if (!agreement_id_ok(a->pool_id)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "pool id '%.40s' must be 2 to %d letters, digits or"
                " hyphens",
                a->pool_id, POOL_ID_MAX);
        return -1;
    }
    if (!s_text_ok(a->name, POOL_NAME_MAX, 1)) {
        err_set(err, CC_INVALID_ARGUMENT, "pool %s needs a name of 1 to %d characters", a->pool_id,
                POOL_NAME_MAX);
        return -1;
    }
    if (a->kind < 1 || a->kind > 5) {
        err_set(err, CC_INVALID_ARGUMENT, "pool %s does not say what kind of arrangement it is",
                a->pool_id);
        return -1;
    }
    if (!s_text_ok(a->aims_and_outcomes, POOL_TEXT_MAX, 1) ||
        !s_text_ok(a->management_and_monitoring, POOL_TEXT_MAX, 0) ||
        !s_text_ok(a->governance, POOL_TEXT_MAX, 0)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "pool %s must state its aims and outcomes (seed 000 App. 2), and its texts are at"
                " most %d bytes",
                a->pool_id, POOL_TEXT_MAX);
        return -1;
    }
    if (a->board_id[0] && !agreement_id_ok(a->board_id)) {
        err_set(err, CC_INVALID_ARGUMENT, "board id '%.40s' is not a board id", a->board_id);
        return -1;
    }
    return s_list_ok(a->nhs_functions, a->n_nhs_functions, "NHS functions", err) ||
                   s_list_ok(a->council_functions, a->n_council_functions, "council functions",
                             err) ||
                   s_list_ok(a->client_groups, a->n_client_groups, "client groups", err) ||
                   s_list_ok(a->hosts, a->n_hosts, "hosts", err)
               ? -1
               : 0;
}

/* Adds up one partner's contributions into the year table and the grand
 * total, refusing bad years, repeats and overflow. */
static int s_check_contributions(const Concord__V1__PoolPartner *p, uint32_t *years,
                                 size_t *n_years, int64_t *total, cc_err_t *err)
{
    for (size_t j = 0; j < p->n_contributions; j++) {
        const Concord__V1__Contribution *c = p->contributions[j];
        char y[16];
        money_year_name(c->financial_year, y, sizeof y);
        if (!agreement_year_ok(c->financial_year)) {
            err_set(err, CC_INVALID_ARGUMENT, "%s contributes in year %u: years run %d to %d",
                    p->code, c->financial_year, POOL_YEAR_MIN, POOL_YEAR_MAX);
            return -1;
        }
        for (size_t k = 0; k < j; k++) {
            if (p->contributions[k]->financial_year == c->financial_year) {
                err_set(err, CC_INVALID_ARGUMENT, "%s has two contributions for %s", p->code, y);
                return -1;
            }
        }
        if (c->amount_pence <= 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s's contribution for %s is %s: amounts are positive whole pence", p->code, y,
                    money_text(c->amount_pence).s);
            return -1;
        }
        if (c->amount_pence > INT64_MAX - *total) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "the contributions to the pool add up to more than %s (int64 pence)",
                    money_text(INT64_MAX).s);
            return -1;
        }
        *total += c->amount_pence;
        size_t k = 0;
        while (k < *n_years && years[k] != c->financial_year) {
            k++;
        }
        if (k == *n_years) {
            if (*n_years == POOL_MAX_YEARS) {
                err_set(err, CC_INVALID_ARGUMENT, "an agreement covers at most %d years",
                        POOL_MAX_YEARS);
                return -1;
            }
            years[(*n_years)++] = c->financial_year;
        }
    }
    return 0;
}

/* Partners: in the roster, once each, contributions sound; counts NHS
 * bodies and local authorities. */
static int s_check_partners(const roster_t *roster, const Concord__V1__PoolAgreement *a, int *nhs,
                            int *la, cc_err_t *err)
{
    uint32_t years[POOL_MAX_YEARS];
    size_t n_years = 0;
    int64_t total = 0;
    *nhs = *la = 0;
    if (a->n_partners < 2 || a->n_partners > POOL_MAX_PARTNERS) {
        err_set(err, CC_INVALID_ARGUMENT, "pool %s has %zu partners; an arrangement needs 2 to %d",
                a->pool_id, a->n_partners, POOL_MAX_PARTNERS);
        return -1;
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        const Concord__V1__PoolPartner *p = a->partners[i];
        roster_org_t o;
        if (!agreement_org(roster, p->code, &o)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "partner '%.40s' of pool %s is not an organisation"
                    " in the roster",
                    p->code, a->pool_id);
            return -1;
        }
        if (s_partner(a, p->code) != (long)i) {
            err_set(err, CC_INVALID_ARGUMENT, "%s is named twice as a partner of pool %s", p->code,
                    a->pool_id);
            return -1;
        }
        if (s_s75(a->kind) && !s_nhs_kind(o.kind) && !s_la_kind(o.kind)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s (%s) cannot be a party to %s: s75 of the NHS Act 2006 is for NHS bodies"
                    " (CCGs, ICBs, NHS England, NHS trusts and foundation trusts) and local"
                    " authorities (councils and combined authorities)",
                    p->code, o.kind, s_kind_words(a->kind));
            return -1;
        }
        *nhs += s_nhs_kind(o.kind);
        *la += s_la_kind(o.kind);
        if (s_check_contributions(p, years, &n_years, &total, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int s_check_excluded(char **functions, size_t n, const char *whose, cc_err_t *err)
{
    for (size_t i = 0; i < n; i++) {
        const char *why = agreement_excluded_function(functions[i]);
        if (why) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s function '%.80s' cannot be included: %s is an NHS function excluded from"
                    " s75 arrangements (NHS Bodies and Local Authorities Partnership"
                    " Arrangements Regulations 2000; seed 000 App. 2)",
                    whose, functions[i], why);
            return -1;
        }
    }
    return 0;
}

static int s_primary_medical(char **functions, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (agreement_names_primary_medical(functions[i])) {
            return 1;
        }
    }
    return 0;
}

int agreement_primary_medical(const Concord__V1__PoolAgreement *a)
{
    int primary = s_primary_medical(a->nhs_functions, a->n_nhs_functions);
    for (size_t i = 0; a->lead && i < a->lead->n_delegations; i++) {
        primary |= s_primary_medical(a->lead->delegations[i]->functions,
                                     a->lead->delegations[i]->n_functions);
    }
    return primary;
}

/* NHS functions in an s75 arrangement: none excluded; primary medical
 * services only with NHS England a party. */
static int s_check_functions(const roster_t *roster, const delegation_register_t *reg,
                             const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    int primary = s_primary_medical(a->nhs_functions, a->n_nhs_functions);
    if (s_check_excluded(a->nhs_functions, a->n_nhs_functions, "NHS", err) < 0) {
        return -1;
    }
    for (size_t i = 0; a->lead && i < a->lead->n_delegations; i++) {
        const Concord__V1__Delegation *d = a->lead->delegations[i];
        roster_org_t o;
        if (agreement_org(roster, d->from, &o) && s_nhs_kind(o.kind)) {
            if (s_check_excluded(d->functions, d->n_functions, "delegated NHS", err) < 0) {
                return -1;
            }
            primary |= s_primary_medical(d->functions, d->n_functions);
        }
    }
    if (!primary) {
        return 0;
    }
    char *codes[POOL_MAX_PARTNERS];
    size_t n = 0;
    for (size_t i = 0; i < a->n_partners; i++) {
        roster_org_t o;
        if (agreement_org(roster, a->partners[i]->code, &o) && strcmp(o.kind, "NHS_ENGLAND") == 0) {
            return 0;
        }
        if (n < POOL_MAX_PARTNERS) {
            codes[n++] = a->partners[i]->code;
        }
    }
    /* Where NHS England delegated primary medical services to every
     * commissioner among the partners (the register of delegations), they
     * exercise its functions and may pool them without it. */
    if (a->start_date[0] && delegation_primary_delegated(reg, roster, codes, n, a->start_date)) {
        return 0;
    }
    err_set(err, CC_INVALID_ARGUMENT,
            "pool %s includes primary medical services, which may be pooled only with NHS England"
            " a party, or by commissioners holding them by delegation on its start date (the"
            " register of delegations: NHS Act 2006 s13Z / s65Z5), and every party agreeing (SI"
            " 2015/1940; seed 003 s2.2): NHS England is not a partner and the register does not"
            " show them delegated to every commissioner partner%s",
            a->pool_id, a->start_date[0] ? "" : " (the agreement states no start date)");
    return -1;
}

static int s_check_host(const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    if (a->kind != CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND) {
        if (a->n_hosts) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "only a pooled fund has a host; %s keeps no pooled balance to host",
                    s_kind_words(a->kind));
            return -1;
        }
        return 0;
    }
    if (a->n_hosts != 1) {
        err_set(err, CC_INVALID_ARGUMENT,
                "pooled fund %s names %zu hosts: exactly one partner hosts a pooled fund, keeping"
                " its accounts and audit and paying suppliers (seed 000 App. 2)",
                a->pool_id, a->n_hosts);
        return -1;
    }
    if (s_partner(a, a->hosts[0]) < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "host '%.40s' of pooled fund %s is not one of its"
                " partners: the host must be a partner (seed 000 App. 2)",
                a->hosts[0], a->pool_id);
        return -1;
    }
    return 0;
}

/* What a signed s75 pooled fund agreement states (seed 000 App. 2). */
static int s_check_pooled(const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    const char *missing = !a->n_nhs_functions                ? "the NHS functions included"
                          : !a->n_council_functions          ? "the council functions included"
                          : !a->management_and_monitoring[0] ? "its management and monitoring"
                          : !a->governance[0]                ? "its governance"
                          : !a->n_client_groups              ? "the client groups covered"
                                                             : NULL;
    if (missing) {
        err_set(err, CC_INVALID_ARGUMENT,
                "pooled fund %s must state %s: a s75 agreement states aims and outcomes,"
                " functions, host, management and monitoring, governance, client groups and"
                " contributions (seed 000 App. 2)",
                a->pool_id, missing);
        return -1;
    }
    return 0;
}

static int s_check_lead(const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    const Concord__V1__LeadCommissioning *l = a->lead;
    if (a->kind != CONCORD__V1__ARRANGEMENT_KIND__LEAD_COMMISSIONING) {
        if (l) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "only lead commissioning delegates functions; %s"
                    " involves no delegation (seed 000 App. 2)",
                    s_kind_words(a->kind));
            return -1;
        }
        return 0;
    }
    if (!l || s_partner(a, l->lead) < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "lead commissioning %s must name its lead commissioner,"
                " one of the partners",
                a->pool_id);
        return -1;
    }
    if (!l->n_delegations || l->n_delegations > POOL_MAX_ITEMS) {
        err_set(err, CC_INVALID_ARGUMENT,
                "lead commissioning %s must record what the other"
                " partners delegate to %s",
                a->pool_id, l->lead);
        return -1;
    }
    for (size_t i = 0; i < l->n_delegations; i++) {
        const Concord__V1__Delegation *d = l->delegations[i];
        if (s_partner(a, d->from) < 0 || strcmp(d->from, l->lead) == 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "a delegation of %s comes from '%.40s', who is not"
                    " a partner other than the lead",
                    a->pool_id, d->from);
            return -1;
        }
        for (size_t k = 0; k < i; k++) {
            if (strcmp(l->delegations[k]->from, d->from) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "%s's delegation is recorded twice", d->from);
                return -1;
            }
        }
        if (!d->n_functions ||
            s_list_ok(d->functions, d->n_functions, "delegated functions", err) < 0) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s's delegation to %s must name the functions"
                    " delegated",
                    d->from, l->lead);
            return -1;
        }
    }
    return 0;
}

static int s_check_transfer(const roster_t *roster, const Concord__V1__PoolAgreement *a,
                            cc_err_t *err)
{
    const Concord__V1__Transfer *t = a->transfer;
    int s76 = a->kind == CONCORD__V1__ARRANGEMENT_KIND__SECTION_76_TRANSFER;
    roster_org_t from = {0}, to = {0};
    if (!s_transfer(a->kind)) {
        if (t) {
            err_set(err, CC_INVALID_ARGUMENT, "%s is not a s76 or s256 transfer",
                    s_kind_words(a->kind));
            return -1;
        }
        return 0;
    }
    if (!t || !s_text_ok(t->service, POOL_NAME_MAX, 1)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s must name its payer, recipient and the service it"
                " supports (seed 000 App. 2)",
                s_kind_words(a->kind));
        return -1;
    }
    if (a->n_partners != 2 || s_partner(a, t->from) < 0 || s_partner(a, t->to) < 0 ||
        strcmp(t->from, t->to) == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the partners of %s are exactly its payer and its"
                " recipient",
                s_kind_words(a->kind));
        return -1;
    }
    if (!agreement_org(roster, t->from, &from) || !agreement_org(roster, t->to, &to)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the payer and recipient are organisations in the"
                " roster");
        return -1;
    }
    if (s76 ? !(s_la_kind(from.kind) && s_nhs_kind(to.kind))
            : !(s_nhs_kind(from.kind) && s_la_kind(to.kind))) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: s%s of the NHS Act 2006 lets %s pay %s; %s is %s"
                " and %s is %s",
                s_kind_words(a->kind), s76 ? "76" : "256",
                s76 ? "a local authority" : "an NHS body",
                s76 ? "an NHS body" : "a local authority", t->from, from.kind, t->to, to.kind);
        return -1;
    }
    if (a->partners[s_partner(a, t->to)]->n_contributions) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s receives the transfer and contributes nothing to"
                " it",
                t->to);
        return -1;
    }
    if (!a->partners[s_partner(a, t->from)]->n_contributions) {
        err_set(err, CC_INVALID_ARGUMENT, "%s must state what %s pays", s_kind_words(a->kind),
                t->from);
        return -1;
    }
    return 0;
}

int agreement_date_ok(const char *s)
{
    int y, m, d;
    return date_parse(s, &y, &m, &d) == 0;
}

/* The term: each date well formed when given, in order start <= review
 * <= end, start < end; exit terms within limits. */
static int s_check_term(const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    const char *dates[] = {a->start_date, a->end_date, a->review_date};
    const char *names[] = {"start date", "end date", "review date"};
    for (int i = 0; i < 3; i++) {
        if (dates[i][0] && !agreement_date_ok(dates[i])) {
            err_set(err, CC_INVALID_ARGUMENT, "the %s of pool %s, '%.20s', is not a YYYY-MM-DD date",
                    names[i], a->pool_id, dates[i]);
            return -1;
        }
    }
    if ((a->end_date[0] || a->review_date[0]) && !a->start_date[0]) {
        err_set(err, CC_INVALID_ARGUMENT, "pool %s states an end or review date but no start date",
                a->pool_id);
        return -1;
    }
    if (a->end_date[0] && strcmp(a->end_date, a->start_date) <= 0) {
        err_set(err, CC_INVALID_ARGUMENT, "the term of pool %s ends (%s) before it starts (%s)",
                a->pool_id, a->end_date, a->start_date);
        return -1;
    }
    if (a->review_date[0] && (strcmp(a->review_date, a->start_date) < 0 ||
                              (a->end_date[0] && strcmp(a->review_date, a->end_date) > 0))) {
        err_set(err, CC_INVALID_ARGUMENT,
                "the review date of pool %s (%s) is outside its term (%s to %s)", a->pool_id,
                a->review_date, a->start_date, a->end_date[0] ? a->end_date : "open-ended");
        return -1;
    }
    if (a->notice_months > 120 || !s_text_ok(a->exit_terms, POOL_TEXT_MAX, 0)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "pool %s: notice is at most 120 months and exit terms at most %d bytes",
                a->pool_id, POOL_TEXT_MAX);
        return -1;
    }
    return 0;
}

int agreement_check(const roster_t *roster, const delegation_register_t *reg,
                    const Concord__V1__PoolAgreement *a, cc_err_t *err)
{
    int nhs, la;
    if (s_check_texts(a, err) < 0 || s_check_term(a, err) < 0 ||
        s_check_partners(roster, a, &nhs, &la, err) < 0) {
        return -1;
    }
    if (!s_transfer(a->kind) && (!nhs || !la)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s %s needs at least one NHS body and one local authority as partners (NHS Act"
                " 2006 s75): it has %d NHS bodies and %d local authorities",
                s_kind_words(a->kind), a->pool_id, nhs, la);
        return -1;
    }
    for (size_t i = 0; !s_transfer(a->kind) && i < a->n_partners; i++) {
        if (!a->partners[i]->n_contributions) {
            err_set(err, CC_INVALID_ARGUMENT, "partner %s states no contribution to pool %s",
                    a->partners[i]->code, a->pool_id);
            return -1;
        }
    }
    if (s_check_host(a, err) < 0 || s_check_lead(a, err) < 0 ||
        s_check_transfer(roster, a, err) < 0) {
        return -1;
    }
    if (s_s75(a->kind) && s_check_functions(roster, reg, a, err) < 0) {
        return -1;
    }
    if (a->kind == CONCORD__V1__ARRANGEMENT_KIND__POOLED_FUND && s_check_pooled(a, err) < 0) {
        return -1;
    }
    if (!s_s75(a->kind)) {
        if (a->risk_share) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s keeps no pooled balance, so it has no risk"
                    " share: each partner bears its own",
                    s_kind_words(a->kind));
            return -1;
        }
        return 0;
    }
    if (!a->risk_share) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s %s must say how an overspend or underspend is"
                " shared",
                s_kind_words(a->kind), a->pool_id);
        return -1;
    }
    return agreement_risk_share_check(a, a->risk_share, err);
}

int agreement_risk_share_check(const Concord__V1__PoolAgreement *a, const Concord__V1__RiskShare *r,
                               cc_err_t *err)
{
    const char *codes[POOL_MAX_PARTNERS];
    if (a->n_partners > POOL_MAX_PARTNERS) {
        err_set(err, CC_INVALID_ARGUMENT, "more than %d partners", POOL_MAX_PARTNERS);
        return -1;
    }
    for (size_t i = 0; i < a->n_partners; i++) {
        codes[i] = a->partners[i]->code;
    }
    return risk_share_check(r, codes, a->n_partners, err);
}
