/* SPDX-License-Identifier: Apache-2.0 */
/* quota: per-member counts of what the broker logs, in fixed windows. */
#include "quota.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"

/* The windows, shortest first: a burst, a minute, a day. */
enum { S_SECOND, S_MINUTE, S_DAY, S_WINDOWS };
static const uint64_t s_len_ms[S_WINDOWS] = {1000, 60000, 86400000};
static const char *const s_env_key[S_WINDOWS] = {
    "quota_envelopes_per_second", "quota_envelopes_per_minute", "quota_envelopes_per_day"};
static const char *const s_bytes_key[S_WINDOWS] = {
    "quota_bytes_per_second", "quota_bytes_per_minute", "quota_bytes_per_day"};

/* One fixed window: its start and what was counted in it. */
typedef struct {
    uint64_t start_ms;
    uint64_t envelopes;
    uint64_t bytes;
} s_window_t;

typedef struct {
    char code[KEYS_CODE_MAX + 1];
    s_window_t w[S_WINDOWS];
    uint32_t direct;               /* requests to the broker in this batch */
    uint32_t scale;                /* its limits times this (quota_scale); 0: none */
} s_member_t;

struct quota {
    quota_limits_t limits;
    s_member_t *members;
    size_t n, cap;
};

quota_t *quota_new(const quota_limits_t *limits)
{
    quota_t *q = calloc(1, sizeof *q);
    if (q) {
        q->limits = *limits;
    }
    return q;
}

/* The counts of code, created on first sight; NULL when out of memory. */
static s_member_t *s_member(quota_t *q, const char *code)
{
    for (size_t i = 0; i < q->n; i++) {
        if (strcmp(q->members[i].code, code) == 0) {
            return &q->members[i];
        }
    }
    if (q->n == q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 16;
        s_member_t *m = realloc(q->members, cap * sizeof *m);
        if (!m) {
            return NULL;
        }
        q->members = m;
        q->cap = cap;
    }
    s_member_t *m = &q->members[q->n++];
    memset(m, 0, sizeof *m);
    snprintf(m->code, sizeof m->code, "%s", code);
    m->scale = 1;
    return m;
}

int quota_scale(quota_t *q, const char *spec, cc_err_t *err)
{
    const char *p = spec;
    while (p && *p) {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        if (!*p) {
            break;
        }
        size_t len = strcspn(p, ",");
        char part[64], code[KEYS_CODE_MAX + 2];
        unsigned long n = 0;
        int used = 0;
        snprintf(part, sizeof part, "%.*s", (int)(len < 63 ? len : 63), p);
        if (len >= sizeof part || sscanf(part, " %17[A-Za-z0-9] : %lu %n", code, &n, &used) != 2 ||
            part[used] != '\0' || strlen(code) > KEYS_CODE_MAX || n > 1000000) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "quota_scale: '%s' is not CODE:N (an organisation code and a whole number "
                    "up to 1000000, 0 for no limits)",
                    part);
            return -1;
        }
        s_member_t *m = s_member(q, code);
        if (!m) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
            return -1;
        }
        m->scale = (uint32_t)n;
        p += len;
    }
    return 0;
}

/* Starts a new window if the current one (len_ms long) is over. */
static void s_roll(s_window_t *w, uint64_t len_ms, uint64_t now_ms)
{
    if (w->envelopes == 0 || now_ms >= w->start_ms + len_ms || now_ms < w->start_ms) {
        w->start_ms = now_ms;
        w->envelopes = 0;
        w->bytes = 0;
    }
}

/* Seconds until w (len_ms long) resets, at least 1. */
static uint64_t s_resets_in(const s_window_t *w, uint64_t len_ms, uint64_t now_ms)
{
    uint64_t end = w->start_ms + len_ms;
    uint64_t left = end > now_ms ? end - now_ms : 0;
    return left / 1000 + 1;
}

/* Refuses if one more envelope of bytes bytes takes window w over a limit. */
static int s_over(const s_window_t *w, uint64_t len_ms, uint64_t now_ms, uint32_t max_envelopes,
                  uint32_t max_bytes, const char *env_key, const char *bytes_key,
                  const char *sender, size_t bytes, cc_err_t *err)
{
    if (max_envelopes && w->envelopes + 1 > max_envelopes) {
        err_set(err, CC_RESOURCE_EXHAUSTED,
                "quota exceeded: %s of %u reached by %s; resets in %llu s", env_key,
                max_envelopes, sender, (unsigned long long)s_resets_in(w, len_ms, now_ms));
        return -1;
    }
    if (max_bytes && w->bytes + bytes > max_bytes) {
        err_set(err, CC_RESOURCE_EXHAUSTED,
                "quota exceeded: %s of %u reached by %s (%llu bytes logged, this envelope %zu); "
                "resets in %llu s",
                bytes_key, max_bytes, sender, (unsigned long long)w->bytes, bytes,
                (unsigned long long)s_resets_in(w, len_ms, now_ms));
        return -1;
    }
    return 0;
}

int quota_check(quota_t *q, const char *sender, int is_event, const char *method, size_t bytes,
                uint64_t now_ms, cc_err_t *err)
{
    if (!q) {
        return 0;
    }
    s_member_t *m = s_member(q, sender);
    if (!m) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (m->scale == 0) {
        return 0; /* quota_scale CODE:0: no limits for this member */
    }
    /* This member's limits: the config's times its scale (saturating). */
    quota_limits_t scaled = q->limits;
    uint32_t *all[] = {&scaled.envelopes_per_second, &scaled.bytes_per_second,
                       &scaled.envelopes_per_minute, &scaled.bytes_per_minute,
                       &scaled.envelopes_per_day, &scaled.bytes_per_day,
                       &scaled.event_bytes, &scaled.vote_bytes};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        uint64_t v = (uint64_t)*all[i] * m->scale;
        *all[i] = v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
    }
    const quota_limits_t *l = &scaled;
    if (is_event) {
        int vote = method && strcmp(method, "concord.v1.Board/Vote") == 0;
        uint32_t max = vote ? l->vote_bytes : l->event_bytes;
        if (max && bytes > max) {
            err_set(err, CC_RESOURCE_EXHAUSTED,
                    "quota exceeded: event of %zu bytes from %s is over %s = %u", bytes, sender,
                    vote ? "quota_vote_bytes" : "quota_event_bytes", max);
            return -1;
        }
    }
    const uint32_t max_env[S_WINDOWS] = {l->envelopes_per_second, l->envelopes_per_minute,
                                         l->envelopes_per_day};
    const uint32_t max_bytes[S_WINDOWS] = {l->bytes_per_second, l->bytes_per_minute,
                                           l->bytes_per_day};
    /* The longest window first: its reset is the one worth naming. */
    for (int i = S_WINDOWS - 1; i >= 0; i--) {
        s_roll(&m->w[i], s_len_ms[i], now_ms);
        if (s_over(&m->w[i], s_len_ms[i], now_ms, max_env[i], max_bytes[i], s_env_key[i],
                   s_bytes_key[i], sender, bytes, err) < 0) {
            return -1;
        }
    }
    return 0;
}

void quota_charge(quota_t *q, const char *sender, size_t bytes, uint64_t now_ms)
{
    if (!q) {
        return;
    }
    s_member_t *m = s_member(q, sender);
    if (!m) {
        return;
    }
    for (int i = 0; i < S_WINDOWS; i++) {
        s_roll(&m->w[i], s_len_ms[i], now_ms);
        m->w[i].envelopes++;
        m->w[i].bytes += bytes;
    }
}

void quota_batch_begin(quota_t *q)
{
    for (size_t i = 0; q && i < q->n; i++) {
        q->members[i].direct = 0;
    }
}

int quota_direct(quota_t *q, const char *sender, cc_err_t *err)
{
    if (!q || !q->limits.direct_per_batch) {
        return 0;
    }
    s_member_t *m = s_member(q, sender);
    if (!m) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    if (m->direct >= q->limits.direct_per_batch) {
        err_set(err, CC_RESOURCE_EXHAUSTED,
                "quota exceeded: direct_per_batch of %u reached by %s; ask again once the "
                "answers already asked for have come",
                q->limits.direct_per_batch, sender);
        return -1;
    }
    m->direct++;
    return 0;
}

void quota_destroy(quota_t **qp)
{
    if (!qp || !*qp) {
        return;
    }
    free((*qp)->members);
    free(*qp);
    *qp = NULL;
}
