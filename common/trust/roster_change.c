/* roster_change: the roster after genesis. Key rotations and mergers
 * decided by boards, each taking effect after a log index, with the
 * superseded entries kept so that earlier signatures still verify. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "roster_priv.h"

static void s_fill(const roster_entry_t *e, roster_org_t *out)
{
    out->code = e->pub.code;
    out->name = e->pub.name;
    out->kind = e->pub.kind;
    out->sign_pk = e->pub.sign_pk;
    out->curve_pk = e->pub.curve_pk;
}

static long s_current(const roster_t *r, const char *code)
{
    for (size_t i = 0; i < r->norgs; i++) {
        if (strcmp(r->orgs[i].pub.code, code) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int roster_lookup_at(const roster_t *r, const char *code, uint64_t log_index, roster_org_t *out)
{
    assert(r != NULL && code != NULL && out != NULL);
    if (strcmp(code, KEYS_BROKER_CODE) == 0) {
        return roster_lookup(r, code, out);
    }
    long i = s_current(r, code);
    if (i >= 0 && r->orgs[i].from_index < log_index) {
        s_fill(&r->orgs[i], out);
        return 0;
    }
    for (size_t j = 0; j < r->npast; j++) {
        const roster_entry_t *e = &r->past[j];
        if (strcmp(e->pub.code, code) == 0 && e->from_index < log_index &&
            log_index <= e->until_index) {
            s_fill(e, out);
            return 0;
        }
    }
    return -1;
}

uint64_t roster_since(const roster_t *r, size_t i)
{
    assert(r != NULL && i < r->norgs);
    return r->orgs[i].from_index;
}

size_t roster_past_count(const roster_t *r)
{
    assert(r != NULL);
    return r->npast;
}

void roster_past_at(const roster_t *r, size_t i, roster_past_t *out)
{
    assert(r != NULL && i < r->npast && out != NULL);
    s_fill(&r->past[i], &out->org);
    out->from_index = r->past[i].from_index;
    out->until_index = r->past[i].until_index;
    out->successor = r->past[i].successor;
}

int roster_keys_fresh(const roster_t *r, const uint8_t sign_pk[KEYS_PK_LEN],
                      const uint8_t curve_pk[KEYS_PK_LEN], cc_err_t *err)
{
    if (memcmp(sign_pk, r->broker.sign_pk, KEYS_PK_LEN) == 0 ||
        memcmp(curve_pk, r->broker.curve_pk, KEYS_PK_LEN) == 0) {
        err_set(err, CC_ALREADY_EXISTS, "the new keys include a key of the broker");
        return -1;
    }
    for (size_t i = 0; i < r->norgs + r->npast; i++) {
        const roster_entry_t *e = i < r->norgs ? &r->orgs[i] : &r->past[i - r->norgs];
        int sign = memcmp(e->pub.sign_pk, sign_pk, KEYS_PK_LEN) == 0;
        if (sign || memcmp(e->pub.curve_pk, curve_pk, KEYS_PK_LEN) == 0) {
            err_set(err, CC_ALREADY_EXISTS, "the new %s key %s by %s",
                    sign ? "signing" : "transport",
                    i < r->norgs ? "is already used" : "was used before", e->pub.code);
            return -1;
        }
    }
    return 0;
}

/* Changes take effect in log order; one out of order would rewrite
 * history that envelopes were already judged by. */
static int s_order_ok(const roster_t *r, uint64_t at_index, cc_err_t *err)
{
    if (r->raw == NULL) {
        err_set(err, CC_FAILED_PRECONDITION, "an unsigned draft roster takes no changes");
        return -1;
    }
    if (at_index == 0 || at_index == ROSTER_NOW ||
        (r->nevents && at_index < r->events[r->nevents - 1].log_index)) {
        err_set(err, CC_INVALID_ARGUMENT, "a roster change at log index %llu is out of order",
                (unsigned long long)at_index);
        return -1;
    }
    return 0;
}

/* Room for one more past entry and one more event. */
static int s_reserve(roster_t *r, size_t more_past, cc_err_t *err)
{
    roster_entry_t *past = realloc(r->past, (r->npast + more_past + 1) * sizeof *past);
    if (past) {
        r->past = past;
    }
    roster_event_t *ev = realloc(r->events, (r->nevents + 1) * sizeof *ev);
    if (ev) {
        r->events = ev;
    }
    if (!past || !ev) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    return 0;
}

static roster_event_t *s_event(roster_t *r, const char *what, const char *code, uint64_t at,
                               const char *decision)
{
    roster_event_t *ev = &r->events[r->nevents++];
    memset(ev, 0, sizeof *ev);
    ev->log_index = at;
    snprintf(ev->what, sizeof ev->what, "%s", what);
    snprintf(ev->code, sizeof ev->code, "%s", code);
    snprintf(ev->decision, sizeof ev->decision, "%s", decision ? decision : "");
    return ev;
}

/* Moves current entry i to the past, closing it at at_index. Room was
 * reserved. */
static void s_retire(roster_t *r, size_t i, uint64_t at_index, const char *successor)
{
    roster_entry_t *p = &r->past[r->npast++];
    *p = r->orgs[i];
    p->until_index = at_index;
    snprintf(p->successor, sizeof p->successor, "%s", successor ? successor : "");
    memmove(&r->orgs[i], &r->orgs[i + 1], (r->norgs - i - 1) * sizeof *r->orgs);
    r->norgs--;
}

int roster_rotate(roster_t *r, const char *code, const uint8_t sign_pk[KEYS_PK_LEN],
                  const uint8_t curve_pk[KEYS_PK_LEN], uint64_t at_index, const char *decision,
                  cc_err_t *err)
{
    assert(r != NULL && code != NULL && sign_pk != NULL && curve_pk != NULL);
    long i = s_current(r, code);
    if (i < 0) {
        err_set(err, CC_NOT_FOUND, "%.16s is not a member of the roster", code);
        return -1;
    }
    if (s_order_ok(r, at_index, err) < 0 || roster_keys_fresh(r, sign_pk, curve_pk, err) < 0 ||
        s_reserve(r, 0, err) < 0) {
        return -1;
    }
    /* The old entry goes to the past with its own copy of everything; the
     * current one keeps the predecessor list and takes the new keys. */
    roster_entry_t *cur = &r->orgs[i];
    roster_entry_t *p = &r->past[r->npast++];
    *p = *cur;
    p->preds = NULL;
    p->npreds = 0;
    p->until_index = at_index;
    memcpy(cur->pub.sign_pk, sign_pk, KEYS_PK_LEN);
    memcpy(cur->pub.curve_pk, curve_pk, KEYS_PK_LEN);
    cur->from_index = at_index;
    cur->genesis = 0;
    s_event(r, "rotate", code, at_index, decision);
    return 0;
}

/* 1 if code ever was a member (now or in the past). */
static int s_ever(const roster_t *r, const char *code)
{
    for (size_t i = 0; i < r->npast; i++) {
        if (strcmp(r->past[i].pub.code, code) == 0) {
            return 1;
        }
    }
    return s_current(r, code) >= 0;
}

int roster_newcomer_check(const roster_t *r, const keys_public_t *org, cc_err_t *err)
{
    if (keys_code_check(org->code, err) < 0 || strcmp(org->code, KEYS_BROKER_CODE) == 0 ||
        roster_text_check("organisation name", org->name, KEYS_NAME_MAX, err) < 0) {
        err_prefix(err, "%.16s: ", org->code);
        return -1;
    }
    if (!roster_kind_value(org->kind)) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s: a kind of CCG, COUNCIL_UPPER, COUNCIL_DISTRICT, NHS_ENGLAND or"
                " COMBINED_AUTHORITY is needed",
                org->code);
        return -1;
    }
    if (s_ever(r, org->code)) {
        err_set(err, CC_ALREADY_EXISTS, "%s is already in the roster", org->code);
        return -1;
    }
    return roster_keys_fresh(r, org->sign_pk, org->curve_pk, err);
}

int roster_merge_check(const roster_t *r, const keys_public_t *successor, const char *const *preds,
                       size_t n, cc_err_t *err)
{
    int continuing = 0;
    if (n == 0 || n > ROSTER_PREDECESSORS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a merger names 1..%d predecessors",
                ROSTER_PREDECESSORS_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (s_current(r, preds[i]) < 0) {
            err_set(err, CC_NOT_FOUND, "predecessor %.16s is not a member of the roster", preds[i]);
            return -1;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(preds[i], preds[j]) == 0) {
                err_set(err, CC_INVALID_ARGUMENT, "predecessor %s is named twice", preds[i]);
                return -1;
            }
        }
        continuing |= strcmp(preds[i], successor->code) == 0;
    }
    if (continuing) {
        if (n < 2) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s cannot succeed only itself: name the organisations merging into it",
                    successor->code);
            return -1;
        }
        return 0;
    }
    if (s_ever(r, successor->code)) {
        err_set(err, CC_ALREADY_EXISTS,
                "successor code %.16s is already in the roster; a continuing successor must"
                " also be named as a predecessor",
                successor->code);
        return -1;
    }
    return roster_newcomer_check(r, successor, err);
}

/* Copies the predecessor codes into a list roster_append can own. */
static char **s_pred_copy(const char *const *preds, size_t n)
{
    char **copy = calloc(n, sizeof *copy);
    for (size_t i = 0; copy && i < n; i++) {
        if (!(copy[i] = strdup(preds[i]))) {
            while (i--) {
                free(copy[i]);
            }
            free(copy);
            return NULL;
        }
    }
    return copy;
}

/* A new successor joins as the last current member. */
static int s_join(roster_t *r, const keys_public_t *successor, const char *const *preds, size_t n,
                  uint64_t at_index, cc_err_t *err)
{
    char **copy = n ? s_pred_copy(preds, n) : NULL;
    if (n && !copy) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (roster_append(r, successor, copy, n, err) < 0) {
        return -1;
    }
    r->orgs[r->norgs - 1].from_index = at_index;
    r->orgs[r->norgs - 1].genesis = 0;
    return 0;
}

/* Adds the merged codes to a continuing successor's predecessor list. */
static int s_extend_preds(roster_entry_t *e, const char *const *preds, size_t n, cc_err_t *err)
{
    size_t add = 0;
    for (size_t i = 0; i < n; i++) {
        add += strcmp(preds[i], e->pub.code) != 0;
    }
    if (e->npreds + add > ROSTER_PREDECESSORS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "%s would have more than %d predecessors", e->pub.code,
                ROSTER_PREDECESSORS_MAX);
        return -1;
    }
    char **grown = realloc(e->preds, (e->npreds + add + 1) * sizeof *grown);
    if (!grown) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    e->preds = grown;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(preds[i], e->pub.code) != 0) {
            if (!(grown[e->npreds] = strdup(preds[i]))) {
                err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
                return -1;
            }
            e->npreds++;
        }
    }
    return 0;
}

int roster_merge(roster_t *r, const keys_public_t *successor, const char *const *preds, size_t n,
                 uint64_t at_index, const char *decision, cc_err_t *err)
{
    assert(r != NULL && successor != NULL && (preds != NULL || n == 0));
    if (s_order_ok(r, at_index, err) < 0 || roster_merge_check(r, successor, preds, n, err) < 0 ||
        s_reserve(r, n, err) < 0) {
        return -1;
    }
    long cont = s_current(r, successor->code);
    if (cont >= 0 ? s_extend_preds(&r->orgs[cont], preds, n, err) < 0
                  : s_join(r, successor, preds, n, at_index, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        if (strcmp(preds[i], successor->code) != 0) {
            s_retire(r, (size_t)s_current(r, preds[i]), at_index, successor->code);
        }
    }
    roster_event_t *ev = s_event(r, "merge", successor->code, at_index, decision);
    for (size_t i = 0; i < n; i++) {
        size_t used = strlen(ev->preds);
        snprintf(ev->preds + used, sizeof ev->preds - used, "%s%s", used ? " " : "", preds[i]);
    }
    return 0;
}

int roster_admit(roster_t *r, const keys_public_t *org, uint64_t at_index, const char *decision,
                 cc_err_t *err)
{
    assert(r != NULL && org != NULL);
    if (s_order_ok(r, at_index, err) < 0 || roster_newcomer_check(r, org, err) < 0 ||
        s_reserve(r, 0, err) < 0 || s_join(r, org, NULL, 0, at_index, err) < 0) {
        return -1;
    }
    s_event(r, "admit", org->code, at_index, decision);
    return 0;
}

size_t roster_change_count(const roster_t *r)
{
    assert(r != NULL);
    return r->nevents;
}

void roster_change_at(const roster_t *r, size_t i, roster_change_t *out)
{
    assert(r != NULL && i < r->nevents && out != NULL);
    const roster_event_t *ev = &r->events[i];
    out->log_index = ev->log_index;
    out->what = ev->what;
    out->code = ev->code;
    out->predecessors = ev->preds;
    out->decision = ev->decision;
}
