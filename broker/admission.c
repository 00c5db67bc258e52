/* SPDX-License-Identifier: Apache-2.0 */
/* admission: the broker's roster, folded from its own log. */
#include "admission.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board_pool.h"
#include "log.h"
#include "pool.pb-c.h"
#include "wire.h"

#define ADMISSION_PAGE 256
#define S_POOL_PREFIX "concord.v1.Pool/"

/* One board's audience as last seen, to notice who joins it. */
typedef struct {
    char id[BOARD_ID_MAX + 1];
    char **codes;
    size_t n;
} s_audience_t;

struct admission {
    roster_t *roster;
    board_engine_t *engine;
    uint64_t folded; /* log index of the last entry read at start */
    admission_join_fn on_join;
    void *join_arg;
    int live; /* past the fold at start: joins are reported */
    s_audience_t *auds;
    size_t n_auds;
};

const roster_t *admission_roster(const admission_t *a)
{
    return a->roster;
}

static int s_has(char *const *codes, size_t n, const char *code)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(codes[i], code) == 0) {
            return 1;
        }
    }
    return 0;
}

typedef struct {
    admission_t *a;
    s_audience_t *aud;
    uint64_t at_index;
    int failed;
} s_sync_t;

/* One member of a board's audience now: reported if it was not before. */
static int s_sync_member(const char *code, void *arg)
{
    s_sync_t *sc = arg;
    s_audience_t *aud = sc->aud;
    if (s_has(aud->codes, aud->n, code)) {
        return 0;
    }
    char **grown = realloc(aud->codes, (aud->n + 1) * sizeof *grown);
    if (!grown || !(grown[aud->n] = strdup(code))) {
        if (grown) {
            aud->codes = grown;
        }
        sc->failed = 1;
        return 1;
    }
    aud->codes = grown;
    aud->n++;
    if (sc->a->live && sc->a->on_join) {
        sc->a->on_join(aud->id, code, sc->at_index, sc->a->join_arg);
    }
    return 0;
}

/* After each fold: who joined which board's audience. (One who leaves
 * stays in the list: only joins are reported, and one who rejoins has
 * already received what it missed.) */
static int s_sync_audiences(admission_t *a, uint64_t at_index, cc_err_t *err)
{
    for (size_t i = 0; i < board_count(a->engine); i++) {
        board_view_t v;
        board_at(a->engine, i, &v);
        if (!v.active) {
            continue;
        }
        s_audience_t *aud = NULL;
        for (size_t k = 0; k < a->n_auds; k++) {
            if (strcmp(a->auds[k].id, v.board_id) == 0) {
                aud = &a->auds[k];
            }
        }
        if (!aud) {
            s_audience_t *grown = realloc(a->auds, (a->n_auds + 1) * sizeof *grown);
            if (!grown) {
                return err_oom(err);
            }
            a->auds = grown;
            aud = &a->auds[a->n_auds++];
            memset(aud, 0, sizeof *aud);
            snprintf(aud->id, sizeof aud->id, "%s", v.board_id);
        }
        s_sync_t sc = {.a = a, .aud = aud, .at_index = at_index};
        board_audience_members(a->engine, v.board_id, s_sync_member, &sc);
        if (sc.failed) {
            return err_oom(err);
        }
    }
    return 0;
}

int admission_fold(admission_t *a, const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                   cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    if (h->kind != CONCORD__V1__KIND__KIND_EVENT) {
        return 0;
    }
    cc_err_t why;
    int rc;
    if (board_method(h->method) && (strcmp(h->recipient, ENVELOPE_EVERYONE) == 0 ||
                                      envelope_board_of(h->recipient))) {
        board_event_t ev = fold_event_of(env, log_index, time_ms);
        rc = board_apply(a->engine, &ev, &why);
    } else {
        /* Any other event: decisions due before it close first, as on
         * every node (a membership change by deadline, say). */
        rc = board_advance(a->engine, log_index, time_ms, &why);
    }
    /* A refused event is the nodes' business; only memory matters here. */
    if (rc < 0 && why.code == CC_RESOURCE_EXHAUSTED) {
        *err = why;
        return -1;
    }
    return s_sync_audiences(a, log_index, err);
}

int admission_audience(const admission_t *a, const envelope_t *env,
                       char out[BOARD_AUDIENCE_MAX + 1], cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    if (h->kind != CONCORD__V1__KIND__KIND_EVENT) {
        return 1;
    }
    if (board_method(h->method)) {
        board_event_t ev = fold_event_of(env, UINT64_MAX, 0);
        ev.recipient = NULL;
        ev.time_ms = 0;
        return board_audience(a->engine, &ev, out, err) == 0 ? 0 : -1;
    }
    if (strncmp(h->method, S_POOL_PREFIX, strlen(S_POOL_PREFIX)) != 0) {
        return 1;
    }
    if (board_pool_method_public(h->method)) {
        snprintf(out, BOARD_AUDIENCE_MAX + 1, "%s", ENVELOPE_EVERYONE);
        return 0;
    }
    Concord__V1__PoolRef *ref = (Concord__V1__PoolRef *)wire_unpack(
        &concord__v1__pool_ref__descriptor, env->body, env->body_len, WIRE_MAX_FRAME, err);
    const char *board = NULL;
    int rc = ref && board_pool_board(a->engine, ref->pool_id, &board) == 0 ? 0 : -1;
    if (rc == 0) {
        snprintf(out, BOARD_AUDIENCE_MAX + 1, "%s%s", ENVELOPE_BOARD_PREFIX, board);
    } else if (ref) {
        err_set(err, CC_NOT_FOUND, "no pool '%.40s' agreed by a board", ref->pool_id);
    }
    wire_free(ref ? &ref->base : NULL);
    return rc;
}

int admission_members(const admission_t *a, const char *board_id,
                      int (*fn)(const char *code, void *arg), void *arg)
{
    return board_audience_members(a->engine, board_id, fn, arg);
}

/* Folds one stored log entry, checked against the roster as it stood at
 * its position, as when it was accepted. */
static int s_fold_entry(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    admission_t *a = arg;
    a->folded = e->index;
    /* Only board events change the roster and the boards' audiences;
     * other events only move the boards' clock, and need not be opened
     * again, which keeps a restart quick on a long log. */
    if (e->kind != CONCORD__V1__KIND__KIND_EVENT || !e->recipient) {
        return 0;
    }
    if (strcmp(e->recipient, ENVELOPE_EVERYONE) != 0 && !envelope_board_of(e->recipient)) {
        return 0;
    }
    envelope_t *env = envelope_open_at(e->envelope, e->envelope_len, a->roster, e->index, err);
    if (!env) {
        err_prefix(err, "log index %llu: ", (unsigned long long)e->index);
        return -1;
    }
    int rc = admission_fold(a, env, e->index, e->time_ms, err);
    envelope_destroy(&env);
    return rc;
}

admission_t *admission_new(const char *roster_path, broker_store_t *ledger, board_roster_fn on_change,
                           admission_join_fn on_join, void *arg, cc_err_t *err)
{
    admission_t *a = calloc(1, sizeof *a);
    if (!a) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    if (!(a->roster = roster_load(roster_path, err))) {
        goto fail;
    }
    if (roster_verify(a->roster, err) < 0) {
        err_prefix(err, "roster %s: ", roster_path);
        goto fail;
    }
    if (!(a->engine = board_engine_new(a->roster))) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    board_engine_on_roster(a->engine, on_change, arg);
    a->on_join = on_join;
    a->join_arg = arg;
    for (;;) {
        uint64_t before = a->folded;
        err_clear(err);
        if (broker_store_log_read(ledger, before + 1, ADMISSION_PAGE, s_fold_entry, a, err) < 0) {
            goto fail;
        }
        if (a->folded == before) {
            break;
        }
    }
    a->live = 1;
    if (roster_change_count(a->roster)) {
        log_info("roster: %zu change(s) folded from the log", roster_change_count(a->roster));
    }
    return a;
fail:
    admission_destroy(&a);
    return NULL;
}

void admission_destroy(admission_t **ap)
{
    if (!ap || !*ap) {
        return;
    }
    for (size_t i = 0; i < (*ap)->n_auds; i++) {
        for (size_t k = 0; k < (*ap)->auds[i].n; k++) {
            free((*ap)->auds[i].codes[k]);
        }
        free((*ap)->auds[i].codes);
    }
    free((*ap)->auds);
    board_engine_destroy(&(*ap)->engine);
    roster_destroy(&(*ap)->roster);
    free(*ap);
    *ap = NULL;
}
