/* SPDX-License-Identifier: Apache-2.0 */
/* admission: the broker's roster, folded from its own log. */
#include "admission.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define ADMISSION_PAGE 256

struct admission {
    roster_t *roster;
    board_engine_t *engine;
    uint64_t folded; /* log index of the last entry read at start */
};

const roster_t *admission_roster(const admission_t *a)
{
    return a->roster;
}

int admission_fold(admission_t *a, const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                   cc_err_t *err)
{
    const Concord__V1__Header *h = env->header;
    if (h->kind != CONCORD__V1__KIND__KIND_EVENT || strcmp(h->recipient, ENVELOPE_EVERYONE) != 0 ||
        (strcmp(h->method, BOARD_METHOD_PROPOSE) != 0 &&
         strcmp(h->method, BOARD_METHOD_VOTE) != 0)) {
        return 0;
    }
    board_event_t ev = fold_event_of(env, log_index, time_ms);
    cc_err_t why;
    /* A refused event is the nodes' business; only memory matters here. */
    if (board_apply(a->engine, &ev, &why) < 0 && why.code == CC_RESOURCE_EXHAUSTED) {
        *err = why;
        return -1;
    }
    return 0;
}

/* Folds one stored log entry, checked against the roster as it stood at
 * its position, as when it was accepted. */
static int s_fold_entry(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    admission_t *a = arg;
    a->folded = e->index;
    /* Only board events change the roster; the rest need not be opened
     * again, which keeps a restart quick on a long log. */
    if (e->kind != CONCORD__V1__KIND__KIND_EVENT || !e->recipient ||
        strcmp(e->recipient, ENVELOPE_EVERYONE) != 0) {
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

admission_t *admission_new(const char *roster_path, broker_store_t *ledger,
                           board_roster_fn on_change, void *arg, cc_err_t *err)
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
    board_engine_destroy(&(*ap)->engine);
    roster_destroy(&(*ap)->roster);
    free(*ap);
    *ap = NULL;
}
