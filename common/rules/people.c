/* SPDX-License-Identifier: Apache-2.0 */
/* people: persons, their delegations and registers of interests, and the
 * chain check of a person-signed act (people.h). */
#include "people.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "grow.h"
#include "wire.h"

typedef struct {
    char org[KEYS_CODE_MAX + 1];
    Concord__V1__Person *person;
    uint64_t log_index;
    uint64_t time_ms;
    int revoked;
    uint64_t revoked_index;
    char *revoke_reason;
} s_person_t;

typedef struct {
    char org[KEYS_CODE_MAX + 1];
    Concord__V1__Interest *interest;
    uint64_t log_index;
    uint64_t time_ms;
} s_interest_t;

typedef struct {
    uint64_t log_index;
    uint8_t hash[32];
} s_event_t;

struct people_register {
    s_person_t *persons; /* log order */
    size_t n_persons, cap_persons;
    s_interest_t *interests; /* log order */
    size_t n_interests, cap_interests;
    s_event_t *events; /* log order */
    size_t n_events, cap_events;
};

people_register_t *people_register_new(void)
{
    return calloc(1, sizeof(people_register_t));
}

void people_register_destroy(people_register_t **rp)
{
    if (!rp || !*rp) {
        return;
    }
    people_register_t *r = *rp;
    for (size_t i = 0; i < r->n_persons; i++) {
        wire_free(&r->persons[i].person->base);
        free(r->persons[i].revoke_reason);
    }
    for (size_t i = 0; i < r->n_interests; i++) {
        wire_free(&r->interests[i].interest->base);
    }
    free(r->persons);
    free(r->interests);
    free(r->events);
    free(r);
    *rp = NULL;
}

static const char *const s_interests[] = {"unspecified", "financial", "non-financial professional",
                                          "non-financial personal", "indirect"};
static const char *const s_acts[] = {"unspecified", "vote", "propose", "execute",
                                     "sign-statement"};

const char *people_interest_name(int kind)
{
    return kind > 0 && kind < 5 ? s_interests[kind] : s_interests[0];
}

const char *people_act_name(int act)
{
    return act > 0 && act < 5 ? s_acts[act] : s_acts[0];
}

/* Names as users type them: spaces or hyphens, any case. */
static int s_parse(const char *name, const char *const *names)
{
    for (int i = 1; name && i < 5; i++) {
        size_t k = 0;
        for (; names[i][k] && name[k]; k++) {
            char a = names[i][k], b = name[k];
            b = (char)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
            b = b == '_' || b == ' ' ? '-' : b;
            a = a == ' ' ? '-' : a;
            if (a != b) {
                break;
            }
        }
        if (!names[i][k] && !name[k]) {
            return i;
        }
    }
    return 0;
}

int people_interest_parse(const char *name)
{
    return s_parse(name, s_interests);
}

int people_act_parse(const char *name)
{
    return s_parse(name, s_acts);
}

void people_date_of(uint64_t time_ms, char out[11])
{
    time_t t = (time_t)(time_ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    unsigned y = (unsigned)(tm.tm_year + 1900) % 10000u, m = (unsigned)(tm.tm_mon + 1) % 13u,
             d = (unsigned)tm.tm_mday % 32u;
    snprintf(out, 11, "%04u-%02u-%02u", y, m, d);
}

int people_id_check(const char *id, const char *what, cc_err_t *err)
{
    size_t n = id ? strnlen(id, PEOPLE_ID_MAX + 1) : 0;
    int ok = n >= 2 && n <= PEOPLE_ID_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = id[i];
        ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    }
    if (!ok) {
        err_set(err, CC_INVALID_ARGUMENT, "%s must be 2..%d of [a-z0-9-]", what, PEOPLE_ID_MAX);
        return -1;
    }
    return 0;
}

int people_subject_check(const char *s, cc_err_t *err)
{
    size_t n = s ? strnlen(s, PEOPLE_SUBJECT_MAX + 1) : 0;
    int ok = n >= 2 && n <= PEOPLE_SUBJECT_MAX;
    for (size_t i = 0; ok && i < n; i++) {
        char c = s[i];
        ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             c == '-';
    }
    if (!ok) {
        err_set(err, CC_INVALID_ARGUMENT,
                "a provider or subject of interest must be 2..%d of [A-Za-z0-9-]",
                PEOPLE_SUBJECT_MAX);
        return -1;
    }
    return 0;
}

static int s_date_check(const char *d, const char *what, int optional, cc_err_t *err)
{
    int y, m, dd;
    if (optional && !d[0]) {
        return 0;
    }
    if (date_parse(d, &y, &m, &dd) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s '%.16s' is not a real date YYYY-MM-DD", what, d);
        return -1;
    }
    return 0;
}

static int s_text_check(const char *s, size_t min, size_t max, const char *what, cc_err_t *err)
{
    size_t n = strnlen(s, max + 1);
    if (n < min || n > max) {
        err_set(err, CC_INVALID_ARGUMENT, "%s must be %zu..%zu bytes", what, min, max);
        return -1;
    }
    return 0;
}

long people_find(const people_register_t *r, const char *org, const char *person_id)
{
    for (size_t i = 0; r && org && person_id && i < r->n_persons; i++) {
        if (strcmp(r->persons[i].org, org) == 0 &&
            strcmp(r->persons[i].person->person_id, person_id) == 0) {
            return (long)i;
        }
    }
    return -1;
}

int people_check_person(const people_register_t *r, const char *org, const Concord__V1__Person *p,
                        cc_err_t *err)
{
    if (people_id_check(p->person_id, "a person id", err) < 0 ||
        s_text_check(p->name, 1, PEOPLE_TEXT_MAX, "a person's name", err) < 0 ||
        s_text_check(p->role, 0, PEOPLE_TEXT_MAX, "a person's role", err) < 0 ||
        s_date_check(p->valid_from, "a delegation's valid-from date", 0, err) < 0 ||
        s_date_check(p->valid_to, "a delegation's valid-to date", 0, err) < 0) {
        return -1;
    }
    if (strcmp(p->valid_to, p->valid_from) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "a delegation's valid-to date %s is before its"
                " valid-from date %s", p->valid_to, p->valid_from);
        return -1;
    }
    if (p->public_key.len != KEYS_PK_LEN) {
        err_set(err, CC_INVALID_ARGUMENT, "a person's key is %d bytes (Ed25519), not %zu",
                KEYS_PK_LEN, p->public_key.len);
        return -1;
    }
    if (p->n_boards < 1 || p->n_boards > PEOPLE_BOARDS_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "a delegation covers 1..%d boards, not %zu",
                PEOPLE_BOARDS_MAX, p->n_boards);
        return -1;
    }
    for (size_t i = 0; i < p->n_boards; i++) {
        if (people_subject_check(p->boards[i], NULL) < 0 || strlen(p->boards[i]) > 32) {
            err_set(err, CC_INVALID_ARGUMENT, "'%.40s' is not a board id", p->boards[i]);
            return -1;
        }
    }
    unsigned seen = 0;
    if (p->n_acts < 1 || p->n_acts > 4) {
        err_set(err, CC_INVALID_ARGUMENT, "a delegation names 1..4 acts, not %zu", p->n_acts);
        return -1;
    }
    for (size_t i = 0; i < p->n_acts; i++) {
        int a = (int)p->acts[i];
        if (a < 1 || a > 4 || (seen & (1u << a))) {
            err_set(err, CC_INVALID_ARGUMENT, "a delegation's acts are distinct, each vote,"
                    " propose, execute or sign-statement");
            return -1;
        }
        seen |= 1u << a;
    }
    if (people_find(r, org, p->person_id) >= 0) {
        err_set(err, CC_ALREADY_EXISTS, "%s has already registered person '%s' (a changed"
                " delegation is a new person id after a revocation)", org, p->person_id);
        return -1;
    }
    for (size_t i = 0; r && i < r->n_persons; i++) {
        if (memcmp(r->persons[i].person->public_key.data, p->public_key.data, KEYS_PK_LEN) == 0) {
            err_set(err, CC_ALREADY_EXISTS, "this key is already %s's person '%s': each"
                    " person's key is registered once", r->persons[i].org,
                    r->persons[i].person->person_id);
            return -1;
        }
    }
    if (p->deputy_for[0] && people_find(r, org, p->deputy_for) < 0) {
        err_set(err, CC_NOT_FOUND, "unknown person: %s has no person '%.32s' to deputise for",
                org, p->deputy_for);
        return -1;
    }
    return 0;
}

int people_check_revocation(const people_register_t *r, const char *org,
                            const Concord__V1__PersonRevocation *rv, cc_err_t *err)
{
    if (s_text_check(rv->reason, 0, PEOPLE_NOTE_MAX, "a revocation's reason", err) < 0) {
        return -1;
    }
    long i = people_find(r, org, rv->person_id);
    if (i < 0) {
        err_set(err, CC_NOT_FOUND, "unknown person: %s has registered no person '%.32s'", org,
                rv->person_id);
        return -1;
    }
    if (r->persons[i].revoked) {
        err_set(err, CC_FAILED_PRECONDITION, "%s's person '%s' is already revoked", org,
                rv->person_id);
        return -1;
    }
    return 0;
}

int people_check_interest(const people_register_t *r, const char *org,
                          const Concord__V1__Interest *in, cc_err_t *err)
{
    if (in->kind < 1 || in->kind > 4) {
        err_set(err, CC_INVALID_ARGUMENT, "an interest is financial, non-financial professional,"
                " non-financial personal or indirect (%s)", PEOPLE_CITATION);
        return -1;
    }
    if (people_subject_check(in->concerns, err) < 0 ||
        s_text_check(in->description, 0, PEOPLE_NOTE_MAX, "an interest's description", err) < 0 ||
        s_date_check(in->from_date, "an interest's from date", 0, err) < 0 ||
        s_date_check(in->to_date, "an interest's to date", 1, err) < 0) {
        return -1;
    }
    if (in->to_date[0] && strcmp(in->to_date, in->from_date) < 0) {
        err_set(err, CC_INVALID_ARGUMENT, "an interest's to date %s is before its from date %s",
                in->to_date, in->from_date);
        return -1;
    }
    if (people_find(r, org, in->person_id) < 0) {
        err_set(err, CC_NOT_FOUND, "unknown person: %s has registered no person '%.32s'", org,
                in->person_id);
        return -1;
    }
    return 0;
}

static int s_event(people_register_t *r, uint64_t log_index, const uint8_t hash[32],
                   cc_err_t *err)
{
    if (grow_reserve_at(&r->events, &r->cap_events, r->n_events + 1, sizeof *r->events) < 0) {
        return err_oom(err);
    }
    r->events[r->n_events].log_index = log_index;
    memcpy(r->events[r->n_events].hash, hash, 32);
    r->n_events++;
    return 0;
}

int people_add_person(people_register_t *r, const char *org, const Concord__V1__Person *p,
                      uint64_t log_index, uint64_t time_ms, const uint8_t hash[32], cc_err_t *err)
{
    if (r->n_persons >= PEOPLE_MAX) {
        err_set(err, CC_FAILED_PRECONDITION, "the register holds %d persons, its limit",
                PEOPLE_MAX);
        return -1;
    }
    if (grow_reserve_at(&r->persons, &r->cap_persons, r->n_persons + 1, sizeof *r->persons) < 0 ||
        grow_reserve_at(&r->events, &r->cap_events, r->n_events + 1, sizeof *r->events) < 0) {
        return err_oom(err);
    }
    Concord__V1__Person *copy = (Concord__V1__Person *)wire_copy(&p->base, WIRE_MAX_FRAME, err);
    if (!copy) {
        return -1;
    }
    s_person_t *e = &r->persons[r->n_persons++];
    memset(e, 0, sizeof *e);
    snprintf(e->org, sizeof e->org, "%s", org);
    e->person = copy;
    e->log_index = log_index;
    e->time_ms = time_ms;
    return s_event(r, log_index, hash, err);
}

int people_revoke(people_register_t *r, const char *org, const Concord__V1__PersonRevocation *rv,
                  uint64_t log_index, uint64_t time_ms, const uint8_t hash[32], cc_err_t *err)
{
    (void)time_ms;
    long i = people_find(r, org, rv->person_id);
    char *reason = strdup(rv->reason);
    if (i < 0 || !reason ||
        grow_reserve_at(&r->events, &r->cap_events, r->n_events + 1, sizeof *r->events) < 0) {
        free(reason);
        if (i < 0) {
            err_set(err, CC_NOT_FOUND, "unknown person '%.32s'", rv->person_id);
            return -1;
        }
        return err_oom(err);
    }
    r->persons[i].revoked = 1;
    r->persons[i].revoked_index = log_index;
    r->persons[i].revoke_reason = reason;
    return s_event(r, log_index, hash, err);
}

int people_add_interest(people_register_t *r, const char *org, const Concord__V1__Interest *in,
                        uint64_t log_index, uint64_t time_ms, const uint8_t hash[32],
                        cc_err_t *err)
{
    if (r->n_interests >= PEOPLE_INTERESTS_MAX) {
        err_set(err, CC_FAILED_PRECONDITION, "the register holds %d interests, its limit",
                PEOPLE_INTERESTS_MAX);
        return -1;
    }
    if (grow_reserve_at(&r->interests, &r->cap_interests, r->n_interests + 1,
                        sizeof *r->interests) < 0 ||
        grow_reserve_at(&r->events, &r->cap_events, r->n_events + 1, sizeof *r->events) < 0) {
        return err_oom(err);
    }
    Concord__V1__Interest *copy =
        (Concord__V1__Interest *)wire_copy(&in->base, WIRE_MAX_FRAME, err);
    if (!copy) {
        return -1;
    }
    s_interest_t *e = &r->interests[r->n_interests++];
    snprintf(e->org, sizeof e->org, "%s", org);
    e->interest = copy;
    e->log_index = log_index;
    e->time_ms = time_ms;
    return s_event(r, log_index, hash, err);
}

size_t people_count(const people_register_t *r)
{
    return r ? r->n_persons : 0;
}

void people_at(const people_register_t *r, size_t i, people_entry_t *out)
{
    const s_person_t *e = &r->persons[i];
    out->org = e->org;
    out->person = e->person;
    out->log_index = e->log_index;
    out->time_ms = e->time_ms;
    out->revoked = e->revoked;
    out->revoked_index = e->revoked_index;
    out->revoke_reason = e->revoke_reason ? e->revoke_reason : "";
}

size_t people_interest_count(const people_register_t *r)
{
    return r ? r->n_interests : 0;
}

void people_interest_at(const people_register_t *r, size_t i, people_interest_t *out)
{
    const s_interest_t *e = &r->interests[i];
    out->org = e->org;
    out->interest = e->interest;
    out->log_index = e->log_index;
    out->time_ms = e->time_ms;
}

size_t people_event_count(const people_register_t *r)
{
    return r ? r->n_events : 0;
}

void people_event_at(const people_register_t *r, size_t i, uint64_t *log_index,
                     const uint8_t **hash)
{
    *log_index = r->events[i].log_index;
    *hash = r->events[i].hash;
}

int people_act_message(const char *org, const char *method, const uint8_t *body, size_t len,
                       uint8_t **out, size_t *out_len, cc_err_t *err)
{
    size_t a = strlen(org), b = strlen(method);
    uint8_t *m = malloc(a + b + 2 + len + 1);
    if (!m) {
        return err_oom(err);
    }
    memcpy(m, org, a + 1);
    memcpy(m + a + 1, method, b + 1);
    if (len) {
        memcpy(m + a + b + 2, body, len);
    }
    *out = m;
    *out_len = a + b + 2 + len;
    return 0;
}

static int s_covers(const Concord__V1__Person *p, const char *board_id, int act)
{
    int board = 0, can = 0;
    for (size_t i = 0; i < p->n_boards; i++) {
        board |= strcmp(p->boards[i], board_id) == 0;
    }
    for (size_t i = 0; i < p->n_acts; i++) {
        can |= (int)p->acts[i] == act;
    }
    return board && can;
}

/* Whether entry e is in force at log index at: registered before it and
 * not revoked before it. */
static int s_live(const s_person_t *e, uint64_t at)
{
    return e->log_index < at && !(e->revoked && e->revoked_index < at);
}

int people_check_act(const people_register_t *r, const char *org, const char *person_id,
                     const char *board_id, int act, uint64_t log_index, uint64_t time_ms,
                     const uint8_t *sig, const char *method, const uint8_t *body, size_t len,
                     long *which, cc_err_t *err)
{
    long i = people_find(r, org, person_id);
    if (i < 0 || r->persons[i].log_index >= log_index) {
        err_set(err, CC_NOT_FOUND, "unknown person: %.16s has registered no person '%.32s'",
                org, person_id);
        return -1;
    }
    const s_person_t *e = &r->persons[i];
    const Concord__V1__Person *p = e->person;
    char today[11];
    people_date_of(time_ms, today);
    if (!s_live(e, log_index)) {
        err_set(err, CC_FAILED_PRECONDITION, "%s's delegation to '%s' was revoked at log index"
                " %llu, before this act%s%s", org, person_id,
                (unsigned long long)e->revoked_index, e->revoke_reason[0] ? ": " : "",
                e->revoke_reason);
        return -1;
    }
    if (strcmp(today, p->valid_from) < 0) {
        err_set(err, CC_FAILED_PRECONDITION, "%s's delegation to '%s' is valid only from %s; this"
                " act was received on %s", org, person_id, p->valid_from, today);
        return -1;
    }
    if (strcmp(today, p->valid_to) > 0) {
        err_set(err, CC_FAILED_PRECONDITION, "expired delegation: %s's delegation to '%s' ended"
                " on %s; this act was received on %s", org, person_id, p->valid_to, today);
        return -1;
    }
    if (!s_covers(p, board_id, act)) {
        err_set(err, CC_PERMISSION_DENIED, "out of scope: %s's delegation to '%s' does not"
                " cover %s on board %.32s", org, person_id, people_act_name(act), board_id);
        return -1;
    }
    if (act == CONCORD__V1__PERSON_ACT__ACT_VOTE && !p->voting) {
        err_set(err, CC_PERMISSION_DENIED, "%s's person '%s' (%s) is a non-voting member and"
                " casts no vote", org, person_id, p->role[0] ? p->role : "no role");
        return -1;
    }
    if (!sig) {
        err_set(err, CC_UNAUTHENTICATED, "the act names %s's person '%s' but carries no"
                " person's signature (PROTOCOL.md 16.13)", org, person_id);
        return -1;
    }
    uint8_t *msg = NULL;
    size_t mlen = 0;
    if (people_act_message(org, method, body, len, &msg, &mlen, err) < 0) {
        return -1;
    }
    int bad = keys_verify(p->public_key.data, PEOPLE_ACT_DOMAIN, msg, mlen, sig, NULL);
    free(msg);
    if (bad) {
        err_set(err, CC_UNAUTHENTICATED, "bad person's signature: not by %s's person '%s'", org,
                person_id);
        return -1;
    }
    if (which) {
        *which = i;
    }
    return 0;
}

int people_conflict(const people_register_t *r, const char *org, const char *board_id,
                    char *const *subjects, size_t n, const char *date, uint64_t before,
                    const char **person, const char **subject)
{
    for (size_t i = 0; r && i < r->n_persons; i++) {
        const s_person_t *e = &r->persons[i];
        if (strcmp(e->org, org) != 0 || !s_live(e, before) ||
            !(s_covers(e->person, board_id, CONCORD__V1__PERSON_ACT__ACT_VOTE) ||
              s_covers(e->person, board_id, CONCORD__V1__PERSON_ACT__ACT_PROPOSE))) {
            continue;
        }
        for (size_t j = 0; j < r->n_interests; j++) {
            const s_interest_t *in = &r->interests[j];
            const Concord__V1__Interest *x = in->interest;
            if (in->log_index >= before || strcmp(in->org, org) != 0 ||
                strcmp(x->person_id, e->person->person_id) != 0 ||
                strcmp(date, x->from_date) < 0 || (x->to_date[0] && strcmp(date, x->to_date) > 0)) {
                continue;
            }
            for (size_t k = 0; k < n; k++) {
                if (strcmp(subjects[k], x->concerns) == 0) {
                    *person = e->person->person_id;
                    *subject = subjects[k];
                    return 1;
                }
            }
        }
    }
    return 0;
}
