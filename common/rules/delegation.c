/* SPDX-License-Identifier: Apache-2.0 */
/* delegation: the register of NHS England delegations, and the reserved
 * matters and pooling rule that follow from it (delegation.h). */
#include "delegation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_names.h"
#include "clock.h"
#include "date.h"
#include "grow.h"
#include "wire.h"

typedef struct {
    Concord__V1__DelegationRecord *record;
    char signer[KEYS_CODE_MAX + 1];
    uint64_t log_index;
    uint64_t time_ms;
    uint8_t hash[32];
} s_entry_t;

struct delegation_register {
    s_entry_t *entries; /* log order */
    size_t n;
    size_t cap;
};

delegation_register_t *delegation_register_new(void)
{
    return calloc(1, sizeof(delegation_register_t));
}

void delegation_register_destroy(delegation_register_t **rp)
{
    if (!rp || !*rp) {
        return;
    }
    delegation_register_t *r = *rp;
    for (size_t i = 0; i < r->n; i++) {
        wire_free(&r->entries[i].record->base);
    }
    free(r->entries);
    free(r);
    *rp = NULL;
}

const char *delegation_provision(const char *date)
{
    return date && strcmp(date, DELEGATION_ICB_FROM) >= 0 ? "NHS Act 2006 s65Z5"
                                                           : "NHS Act 2006 s13Z";
}

static int s_commissioner(const char *kind)
{
    return strcmp(kind, "CCG") == 0 || strcmp(kind, "ICB") == 0;
}

static int s_printable(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < 0x20 || *s == 0x7f) {
            return 0;
        }
    }
    return 1;
}

int delegation_check(const roster_t *roster, const char *sender,
                     const Concord__V1__DelegationRecord *d, cc_err_t *err)
{
    roster_org_t who, org;
    int y, m, day;
    if (roster_lookup(roster, sender, &who) < 0 || strcmp(who.kind, "NHS_ENGLAND") != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "only NHS England records the delegation of its commissioning functions (NHS Act"
                " 2006 s13Z / s65Z5): %.16s is not an NHS England organisation",
                sender);
        return -1;
    }
    if (!d->organisation[0] || roster_lookup(roster, d->organisation, &org) < 0) {
        err_set(err, CC_NOT_FOUND, "delegation: organisation '%.40s' is not in the roster",
                d->organisation);
        return -1;
    }
    if (strcmp(board_names_line((int)d->line), "?") == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation: unknown service line %d (primary-medical, dental, pharmacy,"
                " optometry, specialised-acute, specialised-mental-health)",
                (int)d->line);
        return -1;
    }
    if (strcmp(board_names_level((int)d->level), "?") == 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation: unknown level %d (direct, joint, delegated)", (int)d->level);
        return -1;
    }
    if (date_parse(d->from_date, &y, &m, &day) < 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation: from date '%.20s' is not a real date written YYYY-MM-DD",
                d->from_date);
        return -1;
    }
    int icb_era = strcmp(d->from_date, DELEGATION_ICB_FROM) >= 0;
    if (!s_commissioner(org.kind) ||
        (strcmp(org.kind, "CCG") == 0) == icb_era) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation to %.16s (%s) from %s: NHS England delegates commissioning to a CCG"
                " before 1 July 2022 (NHS Act 2006 s13Z) and to an ICB from then (s65Z5, Health"
                " and Care Act 2022)",
                d->organisation, org.kind, d->from_date);
        return -1;
    }
    size_t ref = strlen(d->agreement_ref);
    if (d->level != CONCORD__V1__DELEGATION_LEVEL__NHS_ENGLAND_DIRECT &&
        (ref == 0 || ref > DELEGATION_REF_MAX || !s_printable(d->agreement_ref))) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation: a %s arrangement names its agreement (1 to %d printable bytes,"
                " --agreement-ref): NHS England arranges it in writing (%s)",
                board_names_level((int)d->level), DELEGATION_REF_MAX,
                delegation_provision(d->from_date));
        return -1;
    }
    if (ref > DELEGATION_REF_MAX || !s_printable(d->agreement_ref)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation: agreement reference of more than %d bytes, or not printable",
                DELEGATION_REF_MAX);
        return -1;
    }
    if (!icb_era && d->level == CONCORD__V1__DELEGATION_LEVEL__DELEGATED &&
        d->line != CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL) {
        err_set(err, CC_INVALID_ARGUMENT,
                "delegation of %s to CCG %.16s: co-commissioning delegated primary medical"
                " services only (NHS England, Next steps towards primary care co-commissioning,"
                " 2014); other lines could be delegated to ICBs from 1 July 2022 (NHS Act 2006"
                " s65Z5)",
                board_names_line((int)d->line), d->organisation);
        return -1;
    }
    return 0;
}

int delegation_add(delegation_register_t *r, const Concord__V1__DelegationRecord *d,
                   const char *signer, uint64_t log_index, uint64_t time_ms,
                   const uint8_t hash[32], cc_err_t *err)
{
    if (r->n >= DELEGATION_MAX) {
        err_set(err, CC_FAILED_PRECONDITION, "the register of delegations holds %d records, its"
                " limit", DELEGATION_MAX);
        return -1;
    }
    if (grow_reserve_at(&r->entries, &r->cap, r->n + 1, sizeof *r->entries) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory for the register of delegations");
        return -1;
    }
    Concord__V1__DelegationRecord *copy =
        (Concord__V1__DelegationRecord *)wire_copy(&d->base, WIRE_MAX_FRAME, err);
    if (!copy) {
        return -1;
    }
    s_entry_t *e = &r->entries[r->n++];
    memset(e, 0, sizeof *e);
    e->record = copy;
    snprintf(e->signer, sizeof e->signer, "%s", signer);
    e->log_index = log_index;
    e->time_ms = time_ms;
    memcpy(e->hash, hash, sizeof e->hash);
    return 0;
}

size_t delegation_count(const delegation_register_t *r)
{
    return r ? r->n : 0;
}

void delegation_at(const delegation_register_t *r, size_t i, delegation_entry_t *out)
{
    const s_entry_t *e = &r->entries[i];
    out->record = e->record;
    out->signer = e->signer;
    out->log_index = e->log_index;
    out->time_ms = e->time_ms;
    out->hash = e->hash;
}

/* Adds code to the list unless it is there; 0 when there was no room. */
static int s_holder_add(char codes[][KEYS_CODE_MAX + 1], size_t *n, size_t max, const char *code)
{
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(codes[i], code) == 0) {
            return 1;
        }
    }
    if (*n >= max) {
        return 0;
    }
    snprintf(codes[(*n)++], KEYS_CODE_MAX + 1, "%s", code);
    return 1;
}

size_t delegation_holders(const roster_t *roster, const char *org, uint64_t before,
                          char codes[][KEYS_CODE_MAX + 1], size_t max)
{
    size_t n = 0;
    if (!max) {
        return 0;
    }
    s_holder_add(codes, &n, max, org);
    for (size_t k = 0; roster && k < n; k++) {
        /* Merged into codes[k] (or split with it the principal successor)... */
        for (size_t i = 0; i < roster_past_count(roster); i++) {
            roster_past_t past;
            roster_past_at(roster, i, &past);
            if (past.successor[0] && past.until_index < before &&
                strcmp(past.successor, codes[k]) == 0 &&
                !s_holder_add(codes, &n, max, past.org.code)) {
                return n;
            }
        }
        /* ...or split with codes[k] among its successors. */
        for (size_t i = 0; i < roster_change_count(roster); i++) {
            roster_change_t ch;
            roster_split_t sc;
            roster_change_at(roster, i, &ch);
            if (strcmp(ch.what, "split") != 0 || ch.log_index >= before ||
                roster_split_of(roster, ch.code, &sc) < 0) {
                continue;
            }
            for (size_t s = 0; s < sc.n; s++) {
                if (strcmp(sc.successors[s], codes[k]) == 0 &&
                    !s_holder_add(codes, &n, max, ch.code)) {
                    return n;
                }
            }
        }
    }
    return n;
}

int delegation_level(const delegation_register_t *r, const roster_t *roster, const char *org,
                     int line, const char *date, uint64_t before, long *which)
{
    char holders[DELEGATION_HOLDERS_MAX][KEYS_CODE_MAX + 1];
    size_t n = delegation_holders(roster, org, before, holders, DELEGATION_HOLDERS_MAX);
    long best = -1;
    int best_own = 0;
    for (size_t i = 0; r && i < r->n && r->entries[i].log_index < before; i++) {
        const Concord__V1__DelegationRecord *d = r->entries[i].record;
        size_t h = 0;
        while (h < n && strcmp(d->organisation, holders[h]) != 0) {
            h++;
        }
        if ((int)d->line != line || h == n || strcmp(d->from_date, date) > 0) {
            continue;
        }
        int cmp = best < 0 ? 1 : strcmp(d->from_date, r->entries[best].record->from_date);
        if (cmp > 0 || (cmp == 0 && (h == 0 || !best_own))) {
            best = (long)i;
            best_own = h == 0;
        }
    }
    if (which) {
        *which = best;
    }
    return best < 0 ? CONCORD__V1__DELEGATION_LEVEL__NHS_ENGLAND_DIRECT
                    : (int)r->entries[best].record->level;
}

size_t delegation_lines(const Concord__V1__Proposal *p, int lines[DELEGATION_LINES_MAX])
{
    size_t n = 0;
    for (size_t i = 0; i < p->n_service_lines && n < DELEGATION_LINES_MAX; i++) {
        int dup = 0;
        for (size_t k = 0; k < n; k++) {
            dup |= lines[k] == (int)p->service_lines[i];
        }
        if (!dup) {
            lines[n++] = (int)p->service_lines[i];
        }
    }
    if (n || p->n_service_lines) {
        return n;
    }
    if (p->area == CONCORD__V1__SERVICE_AREA__PRIMARY_CARE) {
        lines[n++] = CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL;
    } else if (p->area == CONCORD__V1__SERVICE_AREA__SPECIALISED) {
        lines[n++] = CONCORD__V1__SERVICE_LINE__SPECIALISED_ACUTE;
    }
    return n;
}

/* The proposal's date: its effective date, else the day of time_ms. */
static void s_date_of(const Concord__V1__Proposal *p, uint64_t time_ms, char out[11])
{
    int y, m, d;
    if (p->effective_date && date_parse(p->effective_date, &y, &m, &d) == 0) {
        snprintf(out, 11, "%s", p->effective_date);
        return;
    }
    char when[40];
    clock_format(time_ms, when, sizeof when);
    snprintf(out, 11, "%.10s", when);
}

/* Says why line stays with NHS England on date for the board ch: the first
 * commissioner on it that does not hold the line by delegation. */
static void s_why(const delegation_register_t *r, const roster_t *roster,
                  const Concord__V1__Charter *ch, int line, const char *date, uint64_t before,
                  char *why, size_t size)
{
    const char *name = board_names_line(line);
    for (size_t i = 0; i < ch->n_members; i++) {
        roster_org_t o;
        const char *code = ch->members[i]->code;
        if (roster_lookup(roster, code, &o) < 0 || !s_commissioner(o.kind)) {
            continue;
        }
        long k;
        int level = delegation_level(r, roster, code, line, date, before, &k);
        if (level == CONCORD__V1__DELEGATION_LEVEL__DELEGATED) {
            continue;
        }
        if (k < 0) {
            snprintf(why, size,
                     "%s for %.16s on %s is NHS England's to commission (no delegation in the"
                     " register; NHS Act 2006 s13Z / s65Z5)",
                     name, code, date);
        } else {
            const Concord__V1__DelegationRecord *d = r->entries[k].record;
            int carried = strcmp(d->organisation, code) != 0;
            snprintf(why, size, "%s for %.16s on %s is commissioned by NHS England %s (%.80s%s"
                     "from %s, %s%s%.16s)",
                     name, code, date, level == CONCORD__V1__DELEGATION_LEVEL__JOINT
                                           ? "jointly with it" : "directly",
                     d->agreement_ref, d->agreement_ref[0] ? " " : "", d->from_date,
                     delegation_provision(d->from_date),
                     carried ? "; carried from its predecessor " : "",
                     carried ? d->organisation : "");
        }
        return;
    }
    snprintf(why, size,
             "%s on %s is NHS England's to commission: no commissioner on board %s holds it by"
             " delegation (NHS Act 2006 s13Z / s65Z5)",
             name, date, ch->board_id);
}

/* 1 if line is delegated to every commissioner member of ch on date, and
 * ch has at least one. */
static int s_all_delegated(const delegation_register_t *r, const roster_t *roster,
                           char *const *codes, size_t n, int line, const char *date,
                           uint64_t before)
{
    size_t commissioners = 0;
    for (size_t i = 0; i < n; i++) {
        roster_org_t o;
        if (roster_lookup(roster, codes[i], &o) < 0 || !s_commissioner(o.kind)) {
            continue;
        }
        commissioners++;
        if (delegation_level(r, roster, codes[i], line, date, before, NULL) !=
            CONCORD__V1__DELEGATION_LEVEL__DELEGATED) {
            return 0;
        }
    }
    return commissioners > 0;
}

void delegation_reserved(const delegation_register_t *r, const roster_t *roster,
                         const Concord__V1__Charter *ch, const Concord__V1__Proposal *p,
                         uint64_t time_ms, uint64_t at, board_consents_t *out,
                         char why[DELEGATION_LINES_MAX][256])
{
    int lines[DELEGATION_LINES_MAX];
    size_t n = delegation_lines(p, lines);
    if (!n || p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_ADOPTION ||
        p->kind == CONCORD__V1__PROPOSAL_KIND__CHARTER_AMENDMENT ||
        p->kind == CONCORD__V1__PROPOSAL_KIND__MEMBERSHIP_CHANGE) {
        return;
    }
    char date[11];
    s_date_of(p, time_ms, date);
    char *codes[BOARD_MAX_MEMBERS];
    size_t n_codes = 0;
    for (size_t i = 0; i < ch->n_members && n_codes < BOARD_MAX_MEMBERS; i++) {
        codes[n_codes++] = ch->members[i]->code;
    }
    for (size_t l = 0; l < n; l++) {
        if (s_all_delegated(r, roster, codes, n_codes, lines[l], date, at)) {
            continue;
        }
        int said = 0;
        for (size_t i = 0; i < ch->n_members && out->n < BOARD_MAX_CONSENTS; i++) {
            roster_org_t o;
            if (roster_lookup(roster, ch->members[i]->code, &o) < 0 ||
                strcmp(o.kind, "NHS_ENGLAND") != 0) {
                continue;
            }
            if (!said) {
                s_why(r, roster, ch, lines[l], date, at, why[l], sizeof why[l]);
                said = 1;
            }
            out->each[out->n] = why[l];
            out->codes[out->n++] = ch->members[i]->code;
        }
    }
}

int delegation_primary_delegated(const delegation_register_t *r, const roster_t *roster,
                                 char *const *codes, size_t n, const char *date)
{
    return s_all_delegated(r, roster, codes, n, CONCORD__V1__SERVICE_LINE__PRIMARY_MEDICAL, date,
                           UINT64_MAX);
}
