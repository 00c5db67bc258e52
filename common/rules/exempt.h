/* SPDX-License-Identifier: Apache-2.0 */
/* exempt: the grounds on which a proposal of a board may be kept from
 * the public, and the exact bytes of an exempt item (docs/PROTOCOL.md
 * section 16.10).
 *
 * A reason is either a paragraph of Part 1 of Schedule 12A to the Local
 * Government Act 1972 (exempt information, as access to local authority
 * meetings and papers is refused for it: 1 to 7), or an exemption in Part
 * II of the Freedom of Information Act 2000 (sections 21 to 44). The
 * canonical forms are "LGA 1972 Sch 12A para N" and "FOIA 2000 sN". */
#ifndef CONCORD_EXEMPT_H
#define CONCORD_EXEMPT_H

#include <stddef.h>
#include <stdint.h>

#include "board.pb-c.h"
#include "err.h"
#include "keys.h"

#define EXEMPT_REASON_MAX 40
#define EXEMPT_KEY_LEN 32      /* crypto_aead_xchacha20poly1305_ietf_KEYBYTES */
#define EXEMPT_NONCE_LEN 24    /* crypto_aead_xchacha20poly1305_ietf_NPUBBYTES */
#define EXEMPT_SEALED_LEN 80   /* crypto_box_SEALBYTES + EXEMPT_KEY_LEN */
#define EXEMPT_DOMAIN "concord/v1/exempt"
#define EXEMPT_CONTENT_MAX (256u * 1024u)

/* Reads a reason as a user writes it ("Sch12A para 3", "Sch 12A 3",
 * "FOIA s43", "s.43", "section 43") into its canonical form in out.
 * Returns 0, or -1 with INVALID_ARGUMENT naming what the statute allows
 * (the paragraphs 1 to 7 of Sch 12A Part 1, or the sections of FOIA
 * Part II) and what each is for. */
int exempt_reason_parse(const char *in, char out[EXEMPT_REASON_MAX + 1], cc_err_t *err);

/* 1 if reason is already in canonical form and valid. */
int exempt_reason_ok(const char *reason);

/* What the ground is for, in a few words ("financial or business
 * affairs"), or "" for an invalid reason. */
const char *exempt_reason_about(const char *reason);

/* Encrypts content (title and text) under a fresh random content key
 * into e (nonce, ciphertext), and seals the key to each of the n
 * members' Ed25519 public keys (converted to X25519) into e->keys, in
 * the order given. The caller frees what it set with exempt_clear. The
 * key goes to key_out (may be NULL). Returns 0, or -1 with err. */
int exempt_seal(Concord__V1__Exemption *e, const Concord__V1__ExemptContent *content,
                const char *const *members, const uint8_t (*sign_pks)[32], size_t n,
                uint8_t key_out[EXEMPT_KEY_LEN], cc_err_t *err);

/* Frees what exempt_seal set in e (not e itself). */
void exempt_clear(Concord__V1__Exemption *e);

/* Opens the content key sealed to k's organisation (keys_seal_open).
 * Returns 0, 1 if nothing is sealed to it, or -1 with err
 * (UNAUTHENTICATED: it does not open). */
int exempt_open_key(const Concord__V1__Exemption *e, const keys_t *k,
                    uint8_t key[EXEMPT_KEY_LEN], cc_err_t *err);

/* Decrypts e's ciphertext with key. Returns the content (free with
 * wire_free), or NULL with err (UNAUTHENTICATED: the key does not open
 * it; INVALID_ARGUMENT: what it opens to is not an ExemptContent). */
Concord__V1__ExemptContent *exempt_decrypt(const Concord__V1__Exemption *e,
                                           const uint8_t key[EXEMPT_KEY_LEN], cc_err_t *err);

/* SHA-256 of e's ciphertext, the hash the log and certificates show. */
void exempt_ciphertext_hash(const Concord__V1__Exemption *e, uint8_t out[32]);

#endif
