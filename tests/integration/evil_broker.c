/* SPDX-License-Identifier: Apache-2.0 */
/* evil_broker: a broker that lies, for tests only (see evil_broker.h). */
#include "evil_broker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "broker_main.h"
#include "envelope.h"
#include "log.h"
#include "merkle.h"
#include "receipt.h"
#include "wire.h"

typedef enum {
    S_HONEST,
    S_ALTER,
    S_REPLAY,
    S_REORDER,
    S_LOG_DROP,
    S_LOG_REORDER,
    S_LOSE,
    S_FORK,
    S_LOG_LEAVES,
    S_SMUGGLE,
    S_IMPERSONATE
} s_mode_t;

static struct {
    int loaded;
    s_mode_t mode;
    const char *victim;
    const char *method;
    uint64_t index;
    int rechain;
    int held_once; /* reorder: only the first matching delivery */
    int lost;      /* lose: submissions ignored so far */
    uint8_t *held; /* reorder: the frame held back */
    size_t held_len;
    char held_for[KEYS_CODE_MAX + 1];
    int smuggled; /* smuggle: sent */
} s_evil;

static void s_load(void)
{
    static const char *const names[] = {"",         "alter",       "replay", "reorder",
                                        "log-drop", "log-reorder", "lose",   "fork",
                                        "log-leaves", "smuggle", "impersonate"};
    const char *mode = getenv("CONCORD_EVIL");
    const char *index = getenv("CONCORD_EVIL_INDEX");
    const char *rechain = getenv("CONCORD_EVIL_RECHAIN");
    if (s_evil.loaded) {
        return;
    }
    s_evil.loaded = 1;
    for (size_t i = 1; mode && i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(mode, names[i]) == 0) {
            s_evil.mode = (s_mode_t)i;
        }
    }
    s_evil.victim = getenv("CONCORD_EVIL_VICTIM");
    s_evil.method = getenv("CONCORD_EVIL_METHOD");
    s_evil.index = index ? strtoull(index, NULL, 10) : 0;
    s_evil.rechain = rechain && strcmp(rechain, "1") == 0;
    log_warn("EVIL BROKER (test only): mode %s, victim %s, method %s, index %llu%s",
             s_evil.mode ? names[s_evil.mode] : "honest", s_evil.victim ? s_evil.victim : "all",
             s_evil.method ? s_evil.method : "all", (unsigned long long)s_evil.index,
             s_evil.rechain ? ", rechained" : "");
}

/* 1 if CONCORD_EVIL_METHOD (or nothing) is in len bytes: the method name
 * sits in the packed header inside the signed bytes. */
static int s_contains(const uint8_t *buf, size_t len)
{
    size_t n = s_evil.method ? strlen(s_evil.method) : 0;
    if (!n) {
        return 1;
    }
    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(buf + i, s_evil.method, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int s_matches(const char *to, const Concord__V1__Delivery *d)
{
    if (s_evil.victim && strcmp(s_evil.victim, to) != 0) {
        return 0;
    }
    return s_contains(d->envelope->signed_.data, d->envelope->signed_.len);
}

static int s_lose_submit(const uint8_t *raw, size_t len)
{
    s_load();
    if (s_evil.mode != S_LOSE || s_evil.lost >= 2 || !s_contains(raw, len)) {
        return 0;
    }
    s_evil.lost++;
    log_warn("EVIL: lost submission %d of a matching envelope", s_evil.lost);
    return 1;
}

static int s_pack_delivery(const Concord__V1__Delivery *d, uint8_t **frame, size_t *len)
{
    Concord__V1__BrokerFrame f = CONCORD__V1__BROKER_FRAME__INIT;
    f.frame_case = CONCORD__V1__BROKER_FRAME__FRAME_DELIVERY;
    f.delivery = (Concord__V1__Delivery *)d;
    return wire_pack(&f.base, WIRE_MAX_FRAME + 4096, frame, len, NULL);
}

static int s_before_delivery(const char *to, Concord__V1__Delivery *d)
{
    s_load();
    if (!d->envelope || !d->envelope->signed_.len || !s_matches(to, d)) {
        return 0;
    }
    if (s_evil.mode == S_ALTER) {
        d->envelope->signed_.data[d->envelope->signed_.len / 2] ^= 0x01;
        log_warn("EVIL: altered one byte of delivery %llu to %s", (unsigned long long)d->log_index,
                 to);
    } else if (s_evil.mode == S_REORDER && !s_evil.held_once &&
               s_pack_delivery(d, &s_evil.held, &s_evil.held_len) == 0) {
        s_evil.held_once = 1;
        snprintf(s_evil.held_for, sizeof s_evil.held_for, "%s", to);
        log_warn("EVIL: holding back delivery %llu to %s", (unsigned long long)d->log_index, to);
        return 1;
    }
    return 0;
}

/* Issues, as the broker, a receipt for the entry (index, time, hash) in a
 * tree of index leaves whose others are filler: a history nobody else
 * was shown. */
static Concord__V1__Receipt *s_lone_receipt(const keys_t *keys, uint64_t index, uint64_t time_ms,
                                            const uint8_t hash[32])
{
    uint8_t leaf[32], filler[32] = {0}, *buf = NULL;
    size_t len = 0;
    merkle_t *tree = merkle_new();
    Concord__V1__Receipt *r = NULL;
    for (uint64_t i = 1; tree && i < index; i++) {
        merkle_append(tree, filler, NULL);
    }
    merkle_leaf_hash(index, time_ms, hash, leaf);
    if (tree && merkle_append(tree, leaf, NULL) == 0 &&
        receipt_issue(keys, tree, time_ms, index, time_ms, hash, &buf, &len, NULL) == 0) {
        r = (Concord__V1__Receipt *)wire_unpack(&concord__v1__receipt__descriptor, buf, len,
                                                WIRE_MAX_FRAME, NULL);
    }
    merkle_destroy(&tree);
    free(buf);
    return r;
}

/* The same envelope at a new log index, with a receipt for that index
 * proved in a tree the broker signs for it. */
static void s_replay(const char *to, const Concord__V1__Delivery *d, const keys_t *keys,
                     broker_hooks_send_fn send, void *arg)
{
    uint8_t *frame = NULL;
    size_t frame_len = 0;
    if (d->receipt->envelope_hash.len != 32) {
        return;
    }
    uint64_t index = d->log_index + 1000;
    Concord__V1__Receipt *r =
        s_lone_receipt(keys, index, d->receipt->time_ms, d->receipt->envelope_hash.data);
    if (r) {
        Concord__V1__Delivery again = *d;
        again.log_index = index;
        again.receipt = r;
        if (s_pack_delivery(&again, &frame, &frame_len) == 0) {
            send(arg, frame, frame_len);
            log_warn("EVIL: replayed delivery %llu to %s as %llu", (unsigned long long)d->log_index,
                     to, (unsigned long long)index);
        }
    }
    free(frame);
    wire_free(r ? &r->base : NULL);
}

/* fork: the victim is shown another history from entry N on. Its
 * receipts are proved, and their heads signed, in a tree whose leaf N
 * differs from the one every other member's heads sign; the rest of the
 * log is the same. The victim's own submissions are still answered with
 * the honest head, so it ends up holding two heads of one size. */
static struct {
    Concord__V1__SignedTreeHead *head;
    uint8_t path[MERKLE_PATH_MAX][32];
    ProtobufCBinaryData items[MERKLE_PATH_MAX];
} s_fork;

static void s_delivery_receipt(const char *to, const merkle_t *tree, const keys_t *keys,
                               Concord__V1__Receipt *r)
{
    s_load();
    if (s_evil.mode != S_FORK || !s_evil.index || (s_evil.victim && strcmp(s_evil.victim, to)) ||
        r->log_index == s_evil.index || r->tree_size < s_evil.index) {
        return;
    }
    merkle_t *fork = merkle_new();
    uint8_t root[32], *packed = NULL;
    size_t len = 0, n_path = 0;
    for (uint64_t i = 0; fork && i < r->tree_size; i++) {
        uint8_t leaf[32];
        memcpy(leaf, merkle_leaf(tree, i), 32);
        if (i + 1 == s_evil.index) {
            leaf[0] ^= 0xff; /* the entry the victim is told is there */
        }
        merkle_append(fork, leaf, NULL);
    }
    if (!fork || merkle_size(fork) != r->tree_size) {
        merkle_destroy(&fork);
        return;
    }
    merkle_root(fork, r->tree_size, root);
    merkle_inclusion(fork, r->log_index - 1, r->tree_size, s_fork.path, &n_path);
    merkle_destroy(&fork);
    if (receipt_head_sign(keys, r->tree_size, root, r->time_ms, &packed, &len, NULL) < 0) {
        return;
    }
    wire_free(s_fork.head ? &s_fork.head->base : NULL);
    s_fork.head = (Concord__V1__SignedTreeHead *)wire_unpack(
        &concord__v1__signed_tree_head__descriptor, packed, len, WIRE_MAX_FRAME, NULL);
    free(packed);
    for (size_t i = 0; i < n_path; i++) {
        s_fork.items[i].data = s_fork.path[i];
        s_fork.items[i].len = 32;
    }
    r->path = s_fork.items;
    r->n_path = n_path;
    r->head = s_fork.head;
    log_warn("EVIL: delivery %llu to %s proved in a forked tree of %llu",
             (unsigned long long)r->log_index, to, (unsigned long long)r->tree_size);
}

/* Sends the envelope in the file CONCORD_EVIL_FILE, which the broker
 * never accepted (a member signed it; the honest broker refuses it), as
 * if logged after d: at a new index, with a receipt proved in a tree the
 * broker signs for it. */
static void s_smuggle(const char *to, const Concord__V1__Delivery *d, const keys_t *keys,
                      broker_hooks_send_fn send, void *arg)
{
    const char *path = getenv("CONCORD_EVIL_FILE");
    uint8_t raw[65536], hash[32];
    size_t len = 0;
    FILE *fp = path ? fopen(path, "rb") : NULL;
    if (!fp) {
        return;
    }
    len = fread(raw, 1, sizeof raw, fp);
    fclose(fp);
    s_evil.smuggled = 1;
    Concord__V1__Envelope *e = (Concord__V1__Envelope *)wire_unpack(
        &concord__v1__envelope__descriptor, raw, len, WIRE_MAX_FRAME, NULL);
    uint8_t *frame = NULL;
    size_t frame_len = 0;
    Concord__V1__Receipt *r = NULL;
    if (e) {
        envelope_hash(raw, len, hash);
        r = s_lone_receipt(keys, d->log_index + 1, d->receipt->time_ms, hash);
    }
    if (r) {
        Concord__V1__Delivery more = *d;
        more.log_index = r->log_index;
        more.envelope = e;
        more.receipt = r;
        if (s_pack_delivery(&more, &frame, &frame_len) == 0) {
            send(arg, frame, frame_len);
            log_warn("EVIL: smuggled an envelope the broker refused to %s as log index %llu",
                     to, (unsigned long long)more.log_index);
        }
    }
    free(frame);
    wire_free(r ? &r->base : NULL);
    wire_free(e ? &e->base : NULL);
}

static void s_after_delivery(const char *to, const Concord__V1__Delivery *d, const keys_t *keys,
                         broker_hooks_send_fn send, void *arg)
{
    if (s_evil.mode == S_SMUGGLE && !s_evil.smuggled && d->envelope && d->receipt &&
        s_matches(to, d)) {
        s_smuggle(to, d, keys, send, arg);
    }
    if (s_evil.mode == S_REPLAY && d->envelope && d->receipt && s_matches(to, d)) {
        s_replay(to, d, keys, send, arg);
    }
    if (s_evil.held && strcmp(s_evil.held_for, to) == 0 && s_matches(to, d)) {
        send(arg, s_evil.held, s_evil.held_len);
        log_warn("EVIL: sent the held-back delivery to %s after delivery %llu", to,
                 (unsigned long long)d->log_index);
        free(s_evil.held);
        s_evil.held = NULL;
    }
}

/* ---- the falsified log ---- */

typedef struct {
    uint64_t index;
    uint64_t time_ms;
    uint8_t leaf[32];
    uint8_t hash[32];
    char sender[KEYS_CODE_MAX + 1];
    char recipient[KEYS_CODE_MAX + 1];
    uint64_t sequence;
    uint8_t call_id[16];
    uint8_t *envelope;
    size_t envelope_len;
} s_row_t;

typedef struct {
    s_row_t *rows;
    size_t n;
} s_rows_t;

static int s_collect(const ledger_log_entry_t *e, void *arg, cc_err_t *err)
{
    s_rows_t *rs = arg;
    s_row_t *grown = realloc(rs->rows, (rs->n + 1) * sizeof *grown);
    uint8_t *copy = malloc(e->envelope_len);
    if (!grown || !copy) {
        free(copy);
        if (grown) {
            rs->rows = grown;
        }
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return -1;
    }
    rs->rows = grown;
    s_row_t *r = &rs->rows[rs->n++];
    r->index = e->index;
    r->time_ms = e->time_ms;
    memcpy(r->leaf, e->leaf, 32);
    memcpy(r->hash, e->hash, 32);
    snprintf(r->sender, sizeof r->sender, "%s", e->sender);
    snprintf(r->recipient, sizeof r->recipient, "%s", e->recipient);
    r->sequence = e->sequence;
    memcpy(r->call_id, e->call_id, 16);
    memcpy(copy, e->envelope, e->envelope_len);
    r->envelope = copy;
    r->envelope_len = e->envelope_len;
    return 0;
}

/* Hides or swaps the chosen entry; when rechaining, renumbers the rest
 * and computes their leaves again so that the log looks whole. */
static void s_falsify(s_rows_t *rs)
{
    size_t at = 0;
    while (at < rs->n && rs->rows[at].index != s_evil.index) {
        at++;
    }
    if (at >= rs->n || (s_evil.mode == S_LOG_REORDER && at + 1 >= rs->n)) {
        return;
    }
    if (s_evil.mode == S_LOG_DROP) {
        free(rs->rows[at].envelope);
        memmove(&rs->rows[at], &rs->rows[at + 1], (rs->n - at - 1) * sizeof *rs->rows);
        rs->n--;
    } else {
        s_row_t tmp = rs->rows[at];
        rs->rows[at] = rs->rows[at + 1];
        rs->rows[at + 1] = tmp;
    }
    if (!s_evil.rechain) {
        return;
    }
    for (size_t i = 0; i < rs->n; i++) {
        rs->rows[i].index = i + 1;
        merkle_leaf_hash(i + 1, rs->rows[i].time_ms, rs->rows[i].hash, rs->rows[i].leaf);
    }
}

/* A head signed by the broker over the rows as they stand. */
static Concord__V1__SignedTreeHead *s_head(const s_rows_t *rs, const keys_t *keys)
{
    uint8_t root[32], *packed = NULL;
    size_t len = 0;
    merkle_t *tree = merkle_new();
    Concord__V1__SignedTreeHead *sth = NULL;
    for (size_t i = 0; tree && i < rs->n; i++) {
        merkle_append(tree, rs->rows[i].leaf, NULL);
    }
    if (tree && rs->n) {
        merkle_root(tree, rs->n, root);
        if (receipt_head_sign(keys, rs->n, root, rs->rows[rs->n - 1].time_ms, &packed, &len,
                              NULL) == 0) {
            sth = (Concord__V1__SignedTreeHead *)wire_unpack(
                &concord__v1__signed_tree_head__descriptor, packed, len, WIRE_MAX_FRAME, NULL);
        }
    }
    merkle_destroy(&tree);
    free(packed);
    return sth;
}

static void s_fill(const s_rows_t *rs, const Concord__V1__LogReadRequest *in,
                   Concord__V1__LogReadResponse *out)
{
    uint32_t max = in->max_entries ? in->max_entries : 256;
    size_t first = 0;
    while (first < rs->n && rs->rows[first].index < in->from_index) {
        first++;
    }
    out->entries = calloc(max, sizeof *out->entries);
    for (size_t i = first; out->entries && i < rs->n && out->n_entries < max; i++) {
        Concord__V1__LogEntry *le = calloc(1, sizeof *le);
        if (!le) {
            break;
        }
        concord__v1__log_entry__init(le);
        le->index = rs->rows[i].index;
        le->time_ms = rs->rows[i].time_ms;
        le->leaf_hash.data = malloc(32);
        le->envelope.data = malloc(rs->rows[i].envelope_len);
        if (le->leaf_hash.data) {
            memcpy(le->leaf_hash.data, rs->rows[i].leaf, 32);
            le->leaf_hash.len = 32;
        }
        if (le->envelope.data) {
            memcpy(le->envelope.data, rs->rows[i].envelope, rs->rows[i].envelope_len);
            le->envelope.len = rs->rows[i].envelope_len;
        }
        out->entries[out->n_entries++] = le;
    }
}

static int s_log_read(broker_store_t *ledger, const keys_t *keys, const merkle_t *tree,
                      uint64_t head_index, const Concord__V1__LogReadRequest *in,
                      Concord__V1__LogReadResponse *out)
{
    s_rows_t rs = {0};
    cc_err_t err;
    (void)tree;
    s_load();
    if ((s_evil.mode != S_LOG_DROP && s_evil.mode != S_LOG_REORDER &&
         s_evil.mode != S_LOG_LEAVES) ||
        head_index == 0 || head_index > UINT32_MAX) {
        return 0;
    }
    if (s_evil.mode == S_LOG_LEAVES) {
        /* Honest, but as to a reader entitled to no entry of even index:
         * those come as their leaf hash alone. */
        if (broker_store_log_read(ledger, 1, (uint32_t)head_index, s_collect, &rs, &err) == 0) {
            s_fill(&rs, in, out);
            for (size_t i = 0; i < out->n_entries; i++) {
                if (out->entries[i]->index % 2 == 0) {
                    free(out->entries[i]->envelope.data);
                    out->entries[i]->envelope.data = NULL;
                    out->entries[i]->envelope.len = 0;
                }
            }
            out->head_index = head_index;
            out->head = s_head(&rs, keys);
            log_warn("EVIL: answered Log/Read from %llu with leaf hashes for even entries",
                     (unsigned long long)in->from_index);
        }
        for (size_t i = 0; i < rs.n; i++) {
            free(rs.rows[i].envelope);
        }
        free(rs.rows);
        return 1;
    }
    if (broker_store_log_read(ledger, 1, (uint32_t)head_index, s_collect, &rs, &err) == 0 && rs.n > 1) {
        /* The genuine head, before the log is falsified: without
         * rechaining the broker keeps answering with it. */
        Concord__V1__SignedTreeHead *real_head = s_evil.rechain ? NULL : s_head(&rs, keys);
        s_falsify(&rs);
        s_fill(&rs, in, out);
        out->head_index = s_evil.rechain ? rs.rows[rs.n - 1].index : head_index;
        out->head = s_evil.rechain ? s_head(&rs, keys) : real_head;
        log_warn("EVIL: answered Log/Read from %llu with a falsified log",
                 (unsigned long long)in->from_index);
    }
    for (size_t i = 0; i < rs.n; i++) {
        free(rs.rows[i].envelope);
    }
    free(rs.rows);
    return 1;
}

static void s_log_read_free(Concord__V1__LogReadResponse *out)
{
    for (size_t i = 0; i < out->n_entries; i++) {
        free(out->entries[i]->leaf_hash.data);
        free(out->entries[i]->envelope.data);
        free(out->entries[i]);
    }
    free(out->entries);
    wire_free(out->head ? &out->head->base : NULL);
}

/* A wrong clock: the offset in ms (either way) written in the file
 * CONCORD_EVIL_CLOCK_FILE, read at every look at the clock, so that a
 * test can make the clock jump and set it right while the broker runs. */
static int64_t s_clock_offset_ms(void)
{
    const char *path = getenv("CONCORD_EVIL_CLOCK_FILE");
    long long off = 0;
    FILE *fp = path ? fopen(path, "r") : NULL;
    if (fp) {
        if (fscanf(fp, "%lld", &off) != 1) {
            off = 0;
        }
        fclose(fp);
    }
    return (int64_t)off;
}

/* impersonate: the broker's own Health/Check answers claim to come from
 * CONCORD_EVIL_CLAIM, though the broker signs them. */
static const char *s_health_code(void)
{
    s_load();
    return s_evil.mode == S_IMPERSONATE ? getenv("CONCORD_EVIL_CLAIM") : NULL;
}

const broker_hooks_t evil_broker_hooks = {
    .clock_offset_ms = s_clock_offset_ms,
    .lose_submit = s_lose_submit,
    .before_delivery = s_before_delivery,
    .after_delivery = s_after_delivery,
    .delivery_receipt = s_delivery_receipt,
    .log_read = s_log_read,
    .log_read_free = s_log_read_free,
    .health_code = s_health_code,
};

int main(int argc, char **argv)
{
    return broker_main(argc, argv, &evil_broker_hooks);
}
