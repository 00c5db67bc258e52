/* SPDX-License-Identifier: Apache-2.0 */
/* merkle: RFC 9162 Merkle trees with Concord's domain prefix. */
#include "merkle.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>


/* Level h holds the hash of every complete subtree of 2^h leaves, in
 * order: levels[0] are the leaves. */
#define S_LEVELS 64

struct merkle {
    uint8_t (*levels[S_LEVELS])[32];
    size_t n[S_LEVELS];
    size_t cap[S_LEVELS];
};

static void s_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

static void s_start(crypto_hash_sha256_state *st)
{
    crypto_hash_sha256_init(st);
    crypto_hash_sha256_update(st, (const uint8_t *)MERKLE_DOMAIN, sizeof MERKLE_DOMAIN);
}

void merkle_leaf_hash(uint64_t index, uint64_t time_ms, const uint8_t envelope_hash[32],
                      uint8_t out[32])
{
    crypto_hash_sha256_state st;
    uint8_t buf[1 + 8 + 8];
    buf[0] = 0x00;
    s_be64(buf + 1, index);
    s_be64(buf + 9, time_ms);
    s_start(&st);
    crypto_hash_sha256_update(&st, buf, sizeof buf);
    crypto_hash_sha256_update(&st, envelope_hash, 32);
    crypto_hash_sha256_final(&st, out);
}

void merkle_node_hash(const uint8_t left[32], const uint8_t right[32], uint8_t out[32])
{
    crypto_hash_sha256_state st;
    const uint8_t one = 0x01;
    s_start(&st);
    crypto_hash_sha256_update(&st, &one, 1);
    crypto_hash_sha256_update(&st, left, 32);
    crypto_hash_sha256_update(&st, right, 32);
    crypto_hash_sha256_final(&st, out);
}

void merkle_empty_root(uint8_t out[32])
{
    crypto_hash_sha256_state st;
    s_start(&st);
    crypto_hash_sha256_final(&st, out);
}

merkle_t *merkle_new(void)
{
    return calloc(1, sizeof(merkle_t));
}

static int s_push(merkle_t *t, int h, const uint8_t hash[32], cc_err_t *err)
{
    if (t->n[h] == t->cap[h]) {
        size_t cap = t->cap[h] ? t->cap[h] * 2 : 64;
        void *p = realloc(t->levels[h], cap * 32);
        if (!p) {
            err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory for the log's tree");
            return -1;
        }
        t->levels[h] = p;
        t->cap[h] = cap;
    }
    memcpy(t->levels[h][t->n[h]++], hash, 32);
    return 0;
}

int merkle_append(merkle_t *t, const uint8_t leaf[32], cc_err_t *err)
{
    if (s_push(t, 0, leaf, err) < 0) {
        return -1;
    }
    /* Each completed pair at level h completes one subtree at h + 1. */
    for (int h = 0; h + 1 < S_LEVELS && t->n[h] % 2 == 0 && t->n[h + 1] < t->n[h] / 2; h++) {
        uint8_t up[32];
        merkle_node_hash(t->levels[h][t->n[h] - 2], t->levels[h][t->n[h] - 1], up);
        if (s_push(t, h + 1, up, err) < 0) {
            /* Keep the tree whole: without its parent the leaf goes too. */
            merkle_truncate(t, t->n[0] - 1);
            return -1;
        }
    }
    return 0;
}

uint64_t merkle_size(const merkle_t *t)
{
    return t->n[0];
}

void merkle_truncate(merkle_t *t, uint64_t size)
{
    for (int h = 0; h < S_LEVELS; h++) {
        uint64_t keep = size >> h;
        if (t->n[h] > keep) {
            t->n[h] = (size_t)keep;
        }
    }
}

const uint8_t *merkle_leaf(const merkle_t *t, uint64_t m)
{
    return t->levels[0][m];
}

/* The largest power of two below n (n >= 2). */
static uint64_t s_split(uint64_t n)
{
    uint64_t k = 1;
    while (k << 1 < n) {
        k <<= 1;
    }
    return k;
}

/* MTH(D[a : a + n]), n >= 1. */
static void s_mth(const merkle_t *t, uint64_t a, uint64_t n, uint8_t out[32])
{
    if ((n & (n - 1)) == 0 && a % n == 0) {
        int h = 0;
        while ((1ull << h) < n) {
            h++;
        }
        memcpy(out, t->levels[h][a >> h], 32);
        return;
    }
    uint64_t k = s_split(n);
    uint8_t l[32], r[32];
    s_mth(t, a, k, l);
    s_mth(t, a + k, n - k, r);
    merkle_node_hash(l, r, out);
}

void merkle_root(const merkle_t *t, uint64_t n, uint8_t out[32])
{
    if (n == 0) {
        merkle_empty_root(out);
        return;
    }
    s_mth(t, 0, n, out);
}

/* PATH(m, D[a : a + n]), appended in proof order (leaf upwards). */
static void s_path(const merkle_t *t, uint64_t m, uint64_t a, uint64_t n,
                   uint8_t path[MERKLE_PATH_MAX][32], size_t *n_path)
{
    if (n <= 1) {
        return;
    }
    uint64_t k = s_split(n);
    if (m < k) {
        s_path(t, m, a, k, path, n_path);
        s_mth(t, a + k, n - k, path[(*n_path)++]);
    } else {
        s_path(t, m - k, a + k, n - k, path, n_path);
        s_mth(t, a, k, path[(*n_path)++]);
    }
}

void merkle_inclusion(const merkle_t *t, uint64_t m, uint64_t n,
                      uint8_t path[MERKLE_PATH_MAX][32], size_t *n_path)
{
    *n_path = 0;
    s_path(t, m, 0, n, path, n_path);
}

/* SUBPROOF(m, D[a : a + n], b). */
static void s_subproof(const merkle_t *t, uint64_t m, uint64_t a, uint64_t n, int b,
                       uint8_t path[MERKLE_PATH_MAX][32], size_t *n_path)
{
    if (m == n) {
        if (!b) {
            s_mth(t, a, n, path[(*n_path)++]);
        }
        return;
    }
    uint64_t k = s_split(n);
    if (m <= k) {
        s_subproof(t, m, a, k, b, path, n_path);
        s_mth(t, a + k, n - k, path[(*n_path)++]);
    } else {
        s_subproof(t, m - k, a + k, n - k, 0, path, n_path);
        s_mth(t, a, k, path[(*n_path)++]);
    }
}

void merkle_consistency(const merkle_t *t, uint64_t m, uint64_t n,
                        uint8_t path[MERKLE_PATH_MAX][32], size_t *n_path)
{
    *n_path = 0;
    if (m > 0 && m < n) {
        s_subproof(t, m, 0, n, 1, path, n_path);
    }
}

void merkle_destroy(merkle_t **tp)
{
    if (!tp || !*tp) {
        return;
    }
    for (int h = 0; h < S_LEVELS; h++) {
        free((*tp)->levels[h]);
    }
    free(*tp);
    *tp = NULL;
}

int merkle_verify_inclusion(const uint8_t leaf[32], uint64_t m, uint64_t n,
                            const uint8_t (*path)[32], size_t n_path, const uint8_t root[32])
{
    if (m >= n) {
        return 0;
    }
    uint64_t fn = m, sn = n - 1;
    uint8_t r[32];
    memcpy(r, leaf, 32);
    for (size_t i = 0; i < n_path; i++) {
        if (sn == 0) {
            return 0;
        }
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(path[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, 32) == 0;
}

int merkle_verify_consistency(uint64_t m, uint64_t n, const uint8_t root_m[32],
                              const uint8_t root_n[32], const uint8_t (*path)[32],
                              size_t n_path)
{
    if (m == 0 || m > n) {
        return 0;
    }
    if (m == n) {
        return n_path == 0 && sodium_memcmp(root_m, root_n, 32) == 0;
    }
    if (n_path == 0) {
        return 0;
    }
    size_t i = 0;
    uint8_t fr[32], sr[32];
    /* A first tree of 2^k leaves is itself a node of the second: its
     * root starts the path. */
    if ((m & (m - 1)) == 0) {
        memcpy(fr, root_m, 32);
    } else {
        memcpy(fr, path[i++], 32);
    }
    memcpy(sr, fr, 32);
    uint64_t fn = m - 1, sn = n - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    for (; i < n_path; i++) {
        if (sn == 0) {
            return 0;
        }
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(path[i], fr, fr);
            merkle_node_hash(path[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            merkle_node_hash(sr, path[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, root_m, 32) == 0 && sodium_memcmp(sr, root_n, 32) == 0;
}
