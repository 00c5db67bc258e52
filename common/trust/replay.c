/* SPDX-License-Identifier: Apache-2.0 */
/* replay: the highest accepted sequence per sender, in an open-addressing
 * hash table. */
#include "replay.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#define REPLAY_MIN_SLOTS 16

typedef struct {
    char *sender; /* NULL: empty slot */
    uint64_t seq;
} s_slot_t;

struct replay {
    s_slot_t *slots;
    size_t nslots; /* a power of two */
    size_t used;
    /* SipHash with a per-table random key: sender codes are chosen by
     * others, and must not be able to force every key into one chain. */
    uint8_t key[crypto_shorthash_KEYBYTES];
};

static size_t s_index(const replay_t *r, const char *sender)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t v = 0;
    size_t i;

    crypto_shorthash(h, (const unsigned char *)sender, strlen(sender), r->key);
    for (i = 0; i < sizeof h; i++) {
        v = v << 8 | h[i];
    }
    return (size_t)v & (r->nslots - 1);
}

/* The slot holding sender, or the empty slot where it would go. */
static s_slot_t *s_probe(const replay_t *r, const char *sender)
{
    size_t i = s_index(r, sender);

    while (r->slots[i].sender != NULL && strcmp(r->slots[i].sender, sender) != 0) {
        i = (i + 1) & (r->nslots - 1);
    }
    return &r->slots[i];
}

replay_t *replay_new(void)
{
    replay_t *r;

    if (sodium_init() < 0) {
        return NULL;
    }
    r = calloc(1, sizeof *r);
    if (r == NULL) {
        return NULL;
    }
    r->slots = calloc(REPLAY_MIN_SLOTS, sizeof *r->slots);
    if (r->slots == NULL) {
        free(r);
        return NULL;
    }
    r->nslots = REPLAY_MIN_SLOTS;
    crypto_shorthash_keygen(r->key);
    return r;
}

/* Doubles the table; entries keep their sender strings. */
static int s_grow(replay_t *r)
{
    s_slot_t *old = r->slots;
    size_t old_n = r->nslots;
    size_t i;

    if (old_n > SIZE_MAX / 2 / sizeof *old) {
        return -1;
    }
    r->slots = calloc(old_n * 2, sizeof *r->slots);
    if (r->slots == NULL) {
        r->slots = old;
        return -1;
    }
    r->nslots = old_n * 2;
    for (i = 0; i < old_n; i++) {
        if (old[i].sender != NULL) {
            *s_probe(r, old[i].sender) = old[i];
        }
    }
    free(old);
    return 0;
}

int replay_check(const replay_t *r, const char *sender, uint64_t seq, cc_err_t *err)
{
    const s_slot_t *slot;

    assert(r != NULL && sender != NULL);
    slot = s_probe(r, sender);
    if (slot->sender != NULL && seq <= slot->seq) {
        err_set(err, CC_ALREADY_EXISTS, "replay: sequence %llu from %s is not above %llu",
                (unsigned long long)seq, sender, (unsigned long long)slot->seq);
        return -1;
    }
    return 0;
}

int replay_commit(replay_t *r, const char *sender, uint64_t seq)
{
    s_slot_t *slot;

    assert(r != NULL && sender != NULL);
    /* Keep the load at most one half so probes stay short. */
    if ((r->used + 1) * 2 > r->nslots && s_grow(r) != 0) {
        return -1;
    }
    slot = s_probe(r, sender);
    if (slot->sender == NULL) {
        slot->sender = strdup(sender);
        if (slot->sender == NULL) {
            return -1;
        }
        slot->seq = seq;
        r->used++;
    } else if (seq > slot->seq) {
        slot->seq = seq;
    }
    return 0;
}

uint64_t replay_last(const replay_t *r, const char *sender)
{
    const s_slot_t *slot;

    assert(r != NULL && sender != NULL);
    slot = s_probe(r, sender);
    return slot->sender != NULL ? slot->seq : 0;
}

void replay_destroy(replay_t **r)
{
    size_t i;

    if (r == NULL || *r == NULL) {
        return;
    }
    for (i = 0; i < (*r)->nslots; i++) {
        free((*r)->slots[i].sender);
    }
    free((*r)->slots);
    free(*r);
    *r = NULL;
}
