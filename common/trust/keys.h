/* SPDX-License-Identifier: Apache-2.0 */
/* keys: an organisation's (or the broker's) identity: an Ed25519 signing
 * key pair and a CURVE (X25519) transport key pair.
 *
 * Secret halves live in sodium_malloc'd memory and are wiped when the keys
 * are destroyed. Secret key files must be readable by their owner only:
 * keys_load refuses a file whose mode grants anything to group or others.
 *
 * Secret key file (text, mode 0600):
 *     concord-secret-key v1
 *     code E38000217
 *     name Manchester CCG
 *     kind CCG
 *     sign-secret <128 hex digits: libsodium's 64-byte Ed25519 secret key>
 *     curve-secret <64 hex digits>
 * Public key file (text, any mode):
 *     concord-public-key v1
 *     code / name / kind lines as above
 *     sign-public <64 hex digits>
 *     curve-public <64 hex digits>
 * Lines end in LF; the order is fixed; nothing else is accepted. */
#ifndef CONCORD_KEYS_H
#define CONCORD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define KEYS_CODE_MAX 16   /* longest organisation code, excluding NUL */
#define KEYS_NAME_MAX 120  /* longest organisation name, excluding NUL */
#define KEYS_KIND_MAX 24   /* longest kind name, excluding NUL */
#define KEYS_PK_LEN 32
#define KEYS_SIG_LEN 64

/* The reserved code under which the broker signs. */
#define KEYS_BROKER_CODE "broker"

typedef struct keys keys_t;

/* The public half, as carried in a roster or a .pub file. */
typedef struct {
    char code[KEYS_CODE_MAX + 1];
    char name[KEYS_NAME_MAX + 1];
    char kind[KEYS_KIND_MAX + 1];   /* "CCG", "COUNCIL_UPPER", ... or "BROKER" */
    uint8_t sign_pk[KEYS_PK_LEN];
    uint8_t curve_pk[KEYS_PK_LEN];
} keys_public_t;

/* The organisation kinds a key may carry (CCG, ICB, SUB_ICB_LOCATION,
 * NHS_TRUST, NHS_FOUNDATION_TRUST, NHS_ENGLAND, COUNCIL_UPPER,
 * COUNCIL_DISTRICT, COMBINED_AUTHORITY, MAYORAL_CA, HEALTHWATCH, BROKER):
 * i < keys_kind_count gives the kind and a line saying what it is. */
size_t keys_kind_count(void);
const char *keys_kind_name(size_t i);
const char *keys_kind_about(size_t i);

/* A kind's constituency on a board: "nhs", "local" or "other"; NULL if
 * the kind is unknown. */
const char *keys_kind_constituency(const char *kind);

/* Checks an organisation code: 2..16 characters, upper-case letters and
 * digits, starting with a letter; or exactly "broker". Returns 0 or -1 with
 * CC_INVALID_ARGUMENT naming the problem. */
int keys_code_check(const char *code, cc_err_t *err);

/* Generates fresh key pairs. Returns NULL with err set on a bad code, name
 * or kind (kind is free text of at most KEYS_KIND_MAX characters with no
 * spaces) or if secure memory cannot be had. */
keys_t *keys_generate(const char *code, const char *name, const char *kind, cc_err_t *err);

/* Derives both key pairs deterministically from a 32-byte seed (for test
 * vectors only). Same errors as keys_generate. */
keys_t *keys_from_seed(const char *code, const char *name, const char *kind,
                       const uint8_t seed[32], cc_err_t *err);

/* Writes the secret file (created with mode 0600; fails with
 * CC_ALREADY_EXISTS if it exists) and the public file (mode 0644,
 * replaced if present). Both are fsync'd. Returns 0 or -1. */
int keys_save(const keys_t *k, const char *secret_path, const char *public_path,
              cc_err_t *err);

/* Loads a secret key file. Refuses with CC_PERMISSION_DENIED a file that
 * group or others may read or write ("key file X is readable by others
 * (mode 0644); run chmod 600 X"), and with CC_INVALID_ARGUMENT a file that
 * is not exactly the format above, naming the line. Checks that the stored
 * public halves match the secret halves. Returns a keys_t the caller
 * destroys, or NULL. */
keys_t *keys_load(const char *secret_path, cc_err_t *err);

/* Loads a public key file into *out. Returns 0 or -1 with err set. */
int keys_load_public(const char *path, keys_public_t *out, cc_err_t *err);

/* Wipes and frees; NULLs *k. Safe on NULL and on *k == NULL. */
void keys_destroy(keys_t **k);

/* Accessors; the returned pointers live as long as k. */
const char *keys_code(const keys_t *k);
const keys_public_t *keys_public(const keys_t *k);
const uint8_t *keys_curve_sk(const keys_t *k);

/* Sealed boxes to an organisation's signing key (docs/PROTOCOL.md
 * section 16.10): the Ed25519 public key is converted to X25519
 * (crypto_sign_ed25519_pk_to_curve25519) and msg sealed to it with
 * crypto_box_seal into out (len + crypto_box_SEALBYTES bytes). Returns 0,
 * or -1 with err (INVALID_ARGUMENT: not a valid key). */
int keys_seal_to(const uint8_t sign_pk[KEYS_PK_LEN], const uint8_t *msg, size_t len,
                 uint8_t *out, cc_err_t *err);

/* Opens a sealed box made by keys_seal_to for k's signing key (its
 * secret key converted with crypto_sign_ed25519_sk_to_curve25519) into
 * out (len - crypto_box_SEALBYTES bytes). Returns 0, or -1 with err
 * (UNAUTHENTICATED: not sealed to k, or altered). */
int keys_seal_open(const keys_t *k, const uint8_t *sealed, size_t len, uint8_t *out,
                   cc_err_t *err);

/* Signs domain || NUL || msg with the Ed25519 secret key into sig.
 * domain is an ASCII string such as "concord/v1/envelope". Returns 0, or -1
 * (CC_RESOURCE_EXHAUSTED) if len is absurd or memory runs out. */
int keys_sign(const keys_t *k, const char *domain, const uint8_t *msg, size_t len,
              uint8_t sig[KEYS_SIG_LEN], cc_err_t *err);

/* Verifies sig over domain || NUL || msg with public key pk. Returns 0 if
 * valid, -1 (CC_UNAUTHENTICATED) otherwise. */
int keys_verify(const uint8_t pk[KEYS_PK_LEN], const char *domain, const uint8_t *msg,
                size_t len, const uint8_t sig[KEYS_SIG_LEN], cc_err_t *err);

#endif
