/* SPDX-License-Identifier: Apache-2.0 */
/* waits: CLI requests waiting for their event's fold. */
#include "waits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

#define WAITS_SUBJECT_MAX 64

typedef struct s_wait {
    struct s_wait *next;
    void *call;
    uint8_t hash[32];
    char subject[WAITS_SUBJECT_MAX];
    int tag;
    uint64_t give_up_ms; /* monotonic */
} s_wait_t;

struct waits {
    s_wait_t *head;
    uint32_t timeout_ms;
    char hint[64];
};

waits_t *waits_new(uint32_t timeout_ms, const char *hint)
{
    waits_t *w = calloc(1, sizeof *w);
    if (w) {
        w->timeout_ms = timeout_ms;
        snprintf(w->hint, sizeof w->hint, "%s", hint);
    }
    return w;
}

void waits_add(waits_t *w, void *call, const uint8_t hash[32], const char *subject, int tag)
{
    s_wait_t *e = calloc(1, sizeof *e);
    if (!e) {
        control_fail(call, CC_RESOURCE_EXHAUSTED, "out of memory");
        return;
    }
    e->call = call;
    memcpy(e->hash, hash, 32);
    snprintf(e->subject, sizeof e->subject, "%s", subject ? subject : "");
    e->tag = tag;
    e->give_up_ms = clock_mono_ms() + w->timeout_ms;
    e->next = w->head;
    w->head = e;
}

void waits_resolve(waits_t *w, const envelope_t *env, int accepted, const cc_err_t *why,
                   waits_answer_fn fn, void *arg)
{
    for (s_wait_t **pe = &w->head; *pe; pe = &(*pe)->next) {
        s_wait_t *e = *pe;
        if (memcmp(e->hash, env->hash, 32) != 0) {
            continue;
        }
        *pe = e->next;
        if (!accepted) {
            control_fail(e->call, why->code, "%s", why->msg);
        } else {
            waits_entry_t we = {.call = e->call, .subject = e->subject, .tag = e->tag};
            fn(&we, env, arg);
        }
        free(e);
        return;
    }
}

void waits_refuse(waits_t *w, const uint8_t hash[32], const cc_err_t *why)
{
    for (s_wait_t **pe = &w->head; *pe; pe = &(*pe)->next) {
        s_wait_t *e = *pe;
        if (memcmp(e->hash, hash, 32) == 0) {
            *pe = e->next;
            control_fail(e->call, why->code, "%s", why->msg);
            free(e);
            return;
        }
    }
}

void waits_rehash(waits_t *w, const uint8_t old_hash[32], const uint8_t new_hash[32])
{
    for (s_wait_t *e = w->head; e; e = e->next) {
        if (memcmp(e->hash, old_hash, 32) == 0) {
            memcpy(e->hash, new_hash, 32);
        }
    }
}

uint64_t waits_deadline(const waits_t *w)
{
    uint64_t first = 0;
    for (const s_wait_t *e = w->head; e; e = e->next) {
        if (!first || e->give_up_ms < first) {
            first = e->give_up_ms;
        }
    }
    return first;
}

void waits_tick(waits_t *w)
{
    uint64_t now = clock_mono_ms();
    char msg[160];
    s_wait_t **pe = &w->head;
    while (*pe) {
        s_wait_t *e = *pe;
        if (now < e->give_up_ms) {
            pe = &e->next;
            continue;
        }
        *pe = e->next;
        snprintf(msg, sizeof msg,
                 "published, but not yet delivered back by the broker; it will be applied when"
                 " it is (see `%s`)",
                 w->hint);
        control_fail(e->call, CC_DEADLINE_EXCEEDED, "%s", msg);
        free(e);
    }
}

void waits_destroy(waits_t **wp)
{
    if (!wp || !*wp) {
        return;
    }
    waits_t *w = *wp;
    while (w->head) {
        s_wait_t *e = w->head;
        w->head = e->next;
        control_fail(e->call, CC_CANCELLED, "node shutting down");
        free(e);
    }
    free(w);
    *wp = NULL;
}
