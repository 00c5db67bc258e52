/* SPDX-License-Identifier: Apache-2.0 */
/* exempt: grounds for exempt items and their encryption. */
#include "exempt.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wire.h"

/* Local Government Act 1972 Schedule 12A Part 1 (as substituted in
 * England by SI 2006/88): the descriptions of exempt information. */
static const char *const s_sch12a[] = {
    "information relating to any individual",
    "information likely to reveal the identity of an individual",
    "information relating to the financial or business affairs of any particular person"
    " (including the authority holding it)",
    "consultations or negotiations on a labour relations matter with the authority's"
    " employees or office holders",
    "information subject to legal professional privilege",
    "a notice, order or direction the authority proposes to give or make under an enactment",
    "the prevention, investigation or prosecution of crime",
};

/* Freedom of Information Act 2000 Part II: the exemptions. */
static const struct {
    const char *section, *about;
} s_foia[] = {
    {"21", "information accessible by other means"},
    {"22", "information intended for future publication"},
    {"22A", "research"},
    {"23", "security bodies"},
    {"24", "national security"},
    {"26", "defence"},
    {"27", "international relations"},
    {"28", "relations within the United Kingdom"},
    {"29", "the economy"},
    {"30", "investigations and proceedings by public authorities"},
    {"31", "law enforcement"},
    {"32", "court records"},
    {"33", "audit functions"},
    {"34", "parliamentary privilege"},
    {"35", "formulation of government policy"},
    {"36", "prejudice to the effective conduct of public affairs"},
    {"37", "communications with the Sovereign, and honours"},
    {"38", "health and safety"},
    {"39", "environmental information"},
    {"40", "personal information"},
    {"41", "information provided in confidence"},
    {"42", "legal professional privilege"},
    {"43", "commercial interests"},
    {"44", "prohibitions on disclosure"},
};

#define S_N_FOIA (sizeof s_foia / sizeof s_foia[0])

/* in, lower-cased, without spaces, dots or commas. */
static void s_squash(const char *in, char *out, size_t size)
{
    size_t n = 0;
    for (; *in && n + 1 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if (c == ' ' || c == '.' || c == ',' || c == '\t') {
            continue;
        }
        out[n++] = (char)tolower(c);
    }
    out[n] = 0;
}

static int s_skip(const char **p, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(*p, word, n) == 0) {
        *p += n;
        return 1;
    }
    return 0;
}

static int s_foia_find(const char *section)
{
    for (size_t i = 0; i < S_N_FOIA; i++) {
        if (strcmp(s_foia[i].section, section) == 0) {
            return (int)i;
        }
    }
    return -1;
}

int exempt_reason_parse(const char *in, char out[EXEMPT_REASON_MAX + 1], cc_err_t *err)
{
    char sq[64];
    if (!in || strlen(in) > 60) {
        err_set(err, CC_INVALID_ARGUMENT, "an exemption reason is at most 60 characters");
        return -1;
    }
    s_squash(in, sq, sizeof sq);
    const char *p = sq;
    s_skip(&p, "localgovernmentact1972");
    s_skip(&p, "lga1972");
    s_skip(&p, "lga");
    if (s_skip(&p, "schedule12a") || s_skip(&p, "sch12a")) {
        s_skip(&p, "part1");
        if (!s_skip(&p, "paragraph")) {
            s_skip(&p, "para");
        }
        if (p[0] >= '1' && p[0] <= '7' && !p[1]) {
            snprintf(out, EXEMPT_REASON_MAX + 1, "LGA 1972 Sch 12A para %c", p[0]);
            return 0;
        }
        err_set(err, CC_INVALID_ARGUMENT,
                "'%s': Schedule 12A to the Local Government Act 1972 (Part 1) has paragraphs 1"
                " to 7 only: 1 an individual, 2 identity of an individual, 3 financial or"
                " business affairs, 4 labour relations, 5 legal professional privilege, 6"
                " notices, orders or directions, 7 crime",
                in);
        return -1;
    }
    const char *q = p;
    if (!s_skip(&q, "freedomofinformationact2000") && !s_skip(&q, "foia2000")) {
        s_skip(&q, "foia");
    }
    if (s_skip(&q, "section") || s_skip(&q, "s")) {
        char sec[8];
        size_t n = 0;
        while (*q >= '0' && *q <= '9' && n < 3) {
            sec[n++] = *q++;
        }
        if (*q == 'a' && n) {
            sec[n++] = 'A';
            q++;
        }
        sec[n] = 0;
        if (n && !*q && s_foia_find(sec) >= 0) {
            snprintf(out, EXEMPT_REASON_MAX + 1, "FOIA 2000 s%s", sec);
            return 0;
        }
        if (n && !*q) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "'%s': section %s of the Freedom of Information Act 2000 is not an exemption:"
                    " the exemptions of Part II are sections 21, 22, 22A, 23, 24 and 26 to 44"
                    " (e.g. s43 commercial interests, s41 information provided in confidence,"
                    " s40 personal information, s42 legal professional privilege)",
                    in, sec);
            return -1;
        }
    }
    err_set(err, CC_INVALID_ARGUMENT,
            "'%s' is not an exemption: give a paragraph of Schedule 12A to the Local Government Act"
            " 1972 ('Sch12A para 3', paragraphs 1 to 7) or a section of Part II of the Freedom of"
            " Information Act 2000 ('FOIA s43', sections 21 to 44)",
            in);
    return -1;
}

int exempt_reason_ok(const char *reason)
{
    char canon[EXEMPT_REASON_MAX + 1];
    return reason && exempt_reason_parse(reason, canon, NULL) == 0 && strcmp(canon, reason) == 0;
}

const char *exempt_reason_about(const char *reason)
{
    if (!exempt_reason_ok(reason)) {
        return "";
    }
    if (strncmp(reason, "LGA", 3) == 0) {
        return s_sch12a[reason[strlen(reason) - 1] - '1'];
    }
    return s_foia[s_foia_find(reason + strlen("FOIA 2000 s"))].about;
}

void exempt_clear(Concord__V1__Exemption *e)
{
    for (size_t i = 0; i < e->n_keys; i++) {
        free(e->keys[i]->sealed.data);
        free(e->keys[i]);
    }
    free(e->keys);
    free(e->nonce.data);
    free(e->ciphertext.data);
    e->keys = NULL;
    e->n_keys = 0;
    e->nonce.data = e->ciphertext.data = NULL;
    e->nonce.len = e->ciphertext.len = 0;
}

int exempt_seal(Concord__V1__Exemption *e, const Concord__V1__ExemptContent *content,
                const char *const *members, const uint8_t (*sign_pks)[32], size_t n,
                uint8_t key_out[EXEMPT_KEY_LEN], cc_err_t *err)
{
    uint8_t key[EXEMPT_KEY_LEN];
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    int rc = -1;
    if (wire_pack(&content->base, EXEMPT_CONTENT_MAX, &plain, &plain_len, err) < 0) {
        return -1;
    }
    crypto_aead_xchacha20poly1305_ietf_keygen(key);
    e->nonce.data = malloc(EXEMPT_NONCE_LEN);
    e->ciphertext.data = malloc(plain_len + crypto_aead_xchacha20poly1305_ietf_ABYTES);
    e->keys = calloc(n ? n : 1, sizeof *e->keys);
    if (!e->nonce.data || !e->ciphertext.data || !e->keys) {
        err_oom(err);
        goto out;
    }
    e->nonce.len = EXEMPT_NONCE_LEN;
    randombytes_buf(e->nonce.data, EXEMPT_NONCE_LEN);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        e->ciphertext.data, &clen, plain, plain_len, (const uint8_t *)EXEMPT_DOMAIN,
        sizeof EXEMPT_DOMAIN, NULL, e->nonce.data, key);
    e->ciphertext.len = (size_t)clen;
    for (size_t i = 0; i < n; i++) {
        Concord__V1__SealedKey *sk = calloc(1, sizeof *sk);
        if (!sk) {
            err_oom(err);
            goto out;
        }
        concord__v1__sealed_key__init(sk);
        e->keys[e->n_keys++] = sk;
        sk->member = (char *)members[i];
        if (!(sk->sealed.data = malloc(EXEMPT_SEALED_LEN))) {
            err_oom(err);
            goto out;
        }
        sk->sealed.len = EXEMPT_SEALED_LEN;
        if (keys_seal_to(sign_pks[i], key, EXEMPT_KEY_LEN, sk->sealed.data, err) < 0) {
            err_prefix(err, "sealing the content key to %s: ", members[i]);
            goto out;
        }
    }
    if (key_out) {
        memcpy(key_out, key, EXEMPT_KEY_LEN);
    }
    rc = 0;
out:
    if (rc < 0) {
        exempt_clear(e);
    }
    sodium_memzero(key, sizeof key);
    if (plain) {
        sodium_memzero(plain, plain_len);
    }
    free(plain);
    return rc;
}

int exempt_open_key(const Concord__V1__Exemption *e, const keys_t *k,
                    uint8_t key[EXEMPT_KEY_LEN], cc_err_t *err)
{
    for (size_t i = 0; i < e->n_keys; i++) {
        const Concord__V1__SealedKey *sk = e->keys[i];
        if (strcmp(sk->member, keys_code(k)) != 0) {
            continue;
        }
        if (sk->sealed.len != EXEMPT_SEALED_LEN) {
            err_set(err, CC_INVALID_ARGUMENT, "the key sealed to %s is not %d bytes",
                    sk->member, EXEMPT_SEALED_LEN);
            return -1;
        }
        return keys_seal_open(k, sk->sealed.data, sk->sealed.len, key, err) < 0 ? -1 : 0;
    }
    return 1;
}

Concord__V1__ExemptContent *exempt_decrypt(const Concord__V1__Exemption *e,
                                           const uint8_t key[EXEMPT_KEY_LEN], cc_err_t *err)
{
    size_t abytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
    if (e->nonce.len != EXEMPT_NONCE_LEN || e->ciphertext.len < abytes ||
        e->ciphertext.len > EXEMPT_CONTENT_MAX + abytes) {
        err_set(err, CC_INVALID_ARGUMENT,
                "an exempt item carries a %d-byte nonce and 16 to %u bytes of ciphertext",
                EXEMPT_NONCE_LEN, EXEMPT_CONTENT_MAX + (unsigned)abytes);
        return NULL;
    }
    uint8_t *plain = malloc(e->ciphertext.len);
    if (!plain) {
        err_oom(err);
        return NULL;
    }
    unsigned long long plen = 0;
    Concord__V1__ExemptContent *c = NULL;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(
            plain, &plen, NULL, e->ciphertext.data, e->ciphertext.len,
            (const uint8_t *)EXEMPT_DOMAIN, sizeof EXEMPT_DOMAIN, e->nonce.data, key) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "the content key does not open the exempt item");
    } else {
        c = (Concord__V1__ExemptContent *)wire_unpack(&concord__v1__exempt_content__descriptor,
                                                      plain, (size_t)plen, EXEMPT_CONTENT_MAX,
                                                      err);
    }
    sodium_memzero(plain, e->ciphertext.len);
    free(plain);
    return c;
}

void exempt_ciphertext_hash(const Concord__V1__Exemption *e, uint8_t out[32])
{
    crypto_hash_sha256(out, e->ciphertext.data ? e->ciphertext.data : (const uint8_t *)"",
                       e->ciphertext.len);
}
