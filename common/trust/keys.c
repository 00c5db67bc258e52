/* SPDX-License-Identifier: Apache-2.0 */
/* keys: Ed25519 signing and CURVE transport identities, their files, and
 * domain-separated signatures. */
#include "keys.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "wire.h"

#define KEYS_FILE_MAX 4096
/* Largest message keys_sign accepts; rosters and envelopes are far
 * smaller, and the limit keeps the length arithmetic far from overflow. */
#define KEYS_SIGN_MAX (64u * 1024u * 1024u)
#define KEYS_SIGN_SK_LEN crypto_sign_SECRETKEYBYTES
#define KEYS_CURVE_SK_LEN crypto_scalarmult_BYTES
#define KEYS_SECRET_LEN (KEYS_SIGN_SK_LEN + KEYS_CURVE_SK_LEN)
#define KEYS_CURVE_SEED_KEY "concord/v1/curve-seed"

struct keys {
    keys_public_t pub;
    uint8_t *secret; /* sodium_malloc'd: Ed25519 secret key, then CURVE secret key */
};

/* The kinds of organisation a key may belong to, what each is, and its
 * constituency on a board. Since 1 July 2022 integrated care boards
 * replaced CCGs; a former CCG's E38 code names a sub-ICB location, and the
 * E54 code of an STP footprint names its ICB: the vintage of the geography
 * a code came from decides its kind, not its prefix (see keygen). */
static const struct {
    const char *kind, *about, *constituency;
} s_kinds[] = {
    {"CCG", "clinical commissioning group (E38, to June 2022)", "nhs"},
    {"ICB", "integrated care board (E54, from July 2022)", "nhs"},
    {"SUB_ICB_LOCATION", "sub-ICB location of an ICB (E38, from July 2022)", "nhs"},
    {"NHS_TRUST", "NHS trust (ODS code, such as RW3)", "nhs"},
    {"NHS_FOUNDATION_TRUST", "NHS foundation trust (ODS code, such as RBQ)", "nhs"},
    {"NHS_ENGLAND", "NHS England or one of its regions (X24, E40)", "nhs"},
    {"COUNCIL_UPPER", "upper-tier council (E06, E08, E09, E10)", "local"},
    {"COUNCIL_DISTRICT", "district council (E07)", "local"},
    {"COMBINED_AUTHORITY", "combined authority (E47)", "local"},
    {"MAYORAL_CA", "mayoral combined authority (E47 with an elected mayor)", "local"},
    {"HEALTHWATCH", "local Healthwatch (no GSS code)", "other"},
    {"BROKER", "the Concord broker (code \"broker\" only)", "other"},
};

size_t keys_kind_count(void)
{
    return sizeof s_kinds / sizeof s_kinds[0];
}

const char *keys_kind_name(size_t i)
{
    return i < keys_kind_count() ? s_kinds[i].kind : NULL;
}

const char *keys_kind_about(size_t i)
{
    return i < keys_kind_count() ? s_kinds[i].about : NULL;
}

const char *keys_kind_constituency(const char *kind)
{
    for (size_t i = 0; kind && i < keys_kind_count(); i++) {
        if (strcmp(kind, s_kinds[i].kind) == 0) {
            return s_kinds[i].constituency;
        }
    }
    return NULL;
}

static const char *const s_lines_secret[] = {
    "concord-secret-key v1", "code", "name", "kind", "sign-secret", "curve-secret",
};
static const char *const s_lines_public[] = {
    "concord-public-key v1", "code", "name", "kind", "sign-public", "curve-public",
};

static int s_sodium(cc_err_t *err)
{
    if (sodium_init() < 0) {
        err_set(err, CC_INTERNAL, "libsodium failed to initialise");
        return -1;
    }
    return 0;
}

static cc_code_t s_errno_code(int e)
{
    switch (e) {
    case ENOENT:
        return CC_NOT_FOUND;
    case EACCES:
    case EPERM:
        return CC_PERMISSION_DENIED;
    case EEXIST:
        return CC_ALREADY_EXISTS;
    case ENOSPC:
        return CC_RESOURCE_EXHAUSTED;
    default:
        return CC_INTERNAL;
    }
}

int keys_code_check(const char *code, cc_err_t *err)
{
    size_t n;
    size_t i;

    if (code == NULL) {
        err_set(err, CC_INVALID_ARGUMENT, "organisation code is missing");
        return -1;
    }
    if (strcmp(code, KEYS_BROKER_CODE) == 0) {
        return 0;
    }
    n = strnlen(code, KEYS_CODE_MAX + 1);
    if (n < 2 || n > KEYS_CODE_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "organisation code must be 2..%d characters",
                KEYS_CODE_MAX);
        return -1;
    }
    if (code[0] < 'A' || code[0] > 'Z') {
        err_set(err, CC_INVALID_ARGUMENT, "organisation code must start with a letter A-Z");
        return -1;
    }
    for (i = 1; i < n; i++) {
        if (!((code[i] >= 'A' && code[i] <= 'Z') || (code[i] >= '0' && code[i] <= '9'))) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "organisation code %s may hold only upper-case letters and digits", code);
            return -1;
        }
    }
    return 0;
}

/* Names go on one line of a key file and into logs, so no control
 * characters; UTF-8 is allowed for names such as "Ynys Môn". */
static int s_name_check(const char *name, cc_err_t *err)
{
    size_t n = strnlen(name, KEYS_NAME_MAX + 1);
    size_t i;

    if (n == 0 || n > KEYS_NAME_MAX) {
        err_set(err, CC_INVALID_ARGUMENT, "organisation name must be 1..%d bytes", KEYS_NAME_MAX);
        return -1;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f) {
            err_set(err, CC_INVALID_ARGUMENT, "organisation name holds a control character");
            return -1;
        }
    }
    return 0;
}

static int s_kind_check(const char *code, const char *kind, cc_err_t *err)
{
    size_t i;
    int broker_code = strcmp(code, KEYS_BROKER_CODE) == 0;

    for (i = 0; i < sizeof s_kinds / sizeof s_kinds[0]; i++) {
        if (strcmp(kind, s_kinds[i].kind) == 0) {
            /* The broker's reserved code and kind go together, so a member
             * can never pass itself off as the broker or the reverse. */
            if (broker_code != (strcmp(kind, "BROKER") == 0)) {
                err_set(err, CC_INVALID_ARGUMENT,
                        "kind BROKER goes with code \"%s\" and only with it", KEYS_BROKER_CODE);
                return -1;
            }
            return 0;
        }
    }
    err_set(err, CC_INVALID_ARGUMENT,
            "unknown kind (expected CCG, ICB, SUB_ICB_LOCATION, NHS_TRUST, "
            "NHS_FOUNDATION_TRUST, NHS_ENGLAND, COUNCIL_UPPER, COUNCIL_DISTRICT, "
            "COMBINED_AUTHORITY, MAYORAL_CA, HEALTHWATCH or BROKER)");
    return -1;
}

static int s_identity_check(const char *code, const char *name, const char *kind, cc_err_t *err)
{
    assert(code != NULL && name != NULL && kind != NULL);
    if (keys_code_check(code, err) != 0 || s_name_check(name, err) != 0 ||
        s_kind_check(code, kind, err) != 0) {
        return -1;
    }
    return 0;
}

/* A keys_t with zeroed, writable secret memory and no identity yet. */
static keys_t *s_alloc(cc_err_t *err)
{
    keys_t *k;

    if (s_sodium(err) != 0) {
        return NULL;
    }
    k = calloc(1, sizeof *k);
    if (k == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    k->secret = sodium_malloc(KEYS_SECRET_LEN);
    if (k->secret == NULL) {
        free(k);
        err_set(err, CC_RESOURCE_EXHAUSTED, "cannot allocate secure memory for keys");
        return NULL;
    }
    sodium_memzero(k->secret, KEYS_SECRET_LEN);
    return k;
}

static keys_t *s_new(const char *code, const char *name, const char *kind, cc_err_t *err)
{
    keys_t *k;

    if (s_identity_check(code, name, kind, err) != 0 || (k = s_alloc(err)) == NULL) {
        return NULL;
    }
    snprintf(k->pub.code, sizeof k->pub.code, "%s", code);
    snprintf(k->pub.name, sizeof k->pub.name, "%s", name);
    snprintf(k->pub.kind, sizeof k->pub.kind, "%s", kind);
    return k;
}

/* Once filled, the secrets are only ever read; a stray write faults. */
static keys_t *s_seal(keys_t *k)
{
    sodium_mprotect_readonly(k->secret);
    return k;
}

keys_t *keys_generate(const char *code, const char *name, const char *kind, cc_err_t *err)
{
    keys_t *k = s_new(code, name, kind, err);

    if (k == NULL) {
        return NULL;
    }
    crypto_sign_keypair(k->pub.sign_pk, k->secret);
    crypto_box_keypair(k->pub.curve_pk, k->secret + KEYS_SIGN_SK_LEN);
    return s_seal(k);
}

keys_t *keys_from_seed(const char *code, const char *name, const char *kind, const uint8_t seed[32],
                       cc_err_t *err)
{
    keys_t *k = s_new(code, name, kind, err);
    uint8_t *curve_sk;

    if (k == NULL) {
        return NULL;
    }
    assert(seed != NULL);
    curve_sk = k->secret + KEYS_SIGN_SK_LEN;
    crypto_sign_seed_keypair(k->pub.sign_pk, k->secret, seed);
    /* A keyed hash, so the CURVE secret is independent of the Ed25519
     * one although both come from the same seed. */
    crypto_generichash(curve_sk, KEYS_CURVE_SK_LEN, seed, 32,
                       (const unsigned char *)KEYS_CURVE_SEED_KEY, strlen(KEYS_CURVE_SEED_KEY));
    crypto_scalarmult_base(k->pub.curve_pk, curve_sk);
    return s_seal(k);
}

void keys_destroy(keys_t **k)
{
    if (k == NULL || *k == NULL) {
        return;
    }
    sodium_free((*k)->secret); /* wipes before unmapping */
    free(*k);
    *k = NULL;
}

const char *keys_code(const keys_t *k)
{
    assert(k != NULL);
    return k->pub.code;
}

const keys_public_t *keys_public(const keys_t *k)
{
    assert(k != NULL);
    return &k->pub;
}

int keys_seal_to(const uint8_t sign_pk[KEYS_PK_LEN], const uint8_t *msg, size_t len,
                 uint8_t *out, cc_err_t *err)
{
    uint8_t x_pk[crypto_scalarmult_curve25519_BYTES];
    if (crypto_sign_ed25519_pk_to_curve25519(x_pk, sign_pk) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "signing key is not a valid Ed25519 point");
        return -1;
    }
    if (crypto_box_seal(out, msg, len, x_pk) != 0) {
        err_set(err, CC_INTERNAL, "crypto_box_seal failed");
        return -1;
    }
    return 0;
}

int keys_seal_open(const keys_t *k, const uint8_t *sealed, size_t len, uint8_t *out,
                   cc_err_t *err)
{
    uint8_t x_pk[crypto_scalarmult_curve25519_BYTES];
    uint8_t x_sk[crypto_scalarmult_curve25519_BYTES];
    int rc = -1;
    if (len < crypto_box_SEALBYTES) {
        err_set(err, CC_INVALID_ARGUMENT, "sealed box of %zu bytes is too short", len);
        return -1;
    }
    if (crypto_sign_ed25519_pk_to_curve25519(x_pk, k->pub.sign_pk) != 0 ||
        crypto_sign_ed25519_sk_to_curve25519(x_sk, k->secret) != 0) {
        err_set(err, CC_INTERNAL, "cannot derive the X25519 keys of %s", k->pub.code);
    } else if (crypto_box_seal_open(out, sealed, len, x_pk, x_sk) != 0) {
        err_set(err, CC_UNAUTHENTICATED, "the sealed box does not open with the keys of %s",
                k->pub.code);
    } else {
        rc = 0;
    }
    sodium_memzero(x_sk, sizeof x_sk);
    return rc;
}

const uint8_t *keys_curve_sk(const keys_t *k)
{
    assert(k != NULL);
    return k->secret + KEYS_SIGN_SK_LEN;
}

/* domain || NUL || msg in a fresh buffer, the exact bytes signed. */
static uint8_t *s_domain_msg(const char *domain, const uint8_t *msg, size_t len, size_t *out_len,
                             cc_err_t *err)
{
    size_t dlen;
    uint8_t *buf;

    assert(domain != NULL && domain[0] != '\0');
    assert(msg != NULL || len == 0);
    dlen = strlen(domain);
    if (len > KEYS_SIGN_MAX || dlen > KEYS_SIGN_MAX) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "message of %zu bytes is too large to sign", len);
        return NULL;
    }
    buf = malloc(dlen + 1 + len);
    if (buf == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    memcpy(buf, domain, dlen + 1);
    if (len > 0) {
        memcpy(buf + dlen + 1, msg, len);
    }
    *out_len = dlen + 1 + len;
    return buf;
}

int keys_sign(const keys_t *k, const char *domain, const uint8_t *msg, size_t len,
              uint8_t sig[KEYS_SIG_LEN], cc_err_t *err)
{
    uint8_t *buf;
    size_t blen = 0;

    assert(k != NULL && sig != NULL);
    buf = s_domain_msg(domain, msg, len, &blen, err);
    if (buf == NULL) {
        return -1;
    }
    crypto_sign_detached(sig, NULL, buf, blen, k->secret);
    free(buf);
    return 0;
}

int keys_verify(const uint8_t pk[KEYS_PK_LEN], const char *domain, const uint8_t *msg, size_t len,
                const uint8_t sig[KEYS_SIG_LEN], cc_err_t *err)
{
    uint8_t *buf;
    size_t blen = 0;
    int rc;

    assert(pk != NULL && sig != NULL);
    if (s_sodium(err) != 0) {
        return -1;
    }
    buf = s_domain_msg(domain, msg, len, &blen, err);
    if (buf == NULL) {
        return -1;
    }
    rc = crypto_sign_verify_detached(sig, buf, blen, pk);
    free(buf);
    if (rc != 0) {
        err_set(err, CC_UNAUTHENTICATED, "bad signature");
        return -1;
    }
    return 0;
}

/* ---- files ---- */

/* libsodium's encoder runs in constant time, which suits secret keys. */
static void s_hex_into(char *dst, const uint8_t *src, size_t len)
{
    sodium_bin2hex(dst, 2 * len + 1, src, len);
}

/* Formats a key file into buf (KEYS_FILE_MAX bytes). For the secret file
 * buf is secure memory, and the hex is written straight into it so that
 * no copy of a secret lands in ordinary memory. */
static size_t s_format(const keys_t *k, int secret, char *buf)
{
    const char *const *names = secret ? s_lines_secret : s_lines_public;
    const uint8_t *a = secret ? k->secret : k->pub.sign_pk;
    const uint8_t *b = secret ? k->secret + KEYS_SIGN_SK_LEN : k->pub.curve_pk;
    size_t alen = secret ? KEYS_SIGN_SK_LEN : KEYS_PK_LEN;
    size_t blen = secret ? KEYS_CURVE_SK_LEN : KEYS_PK_LEN;
    size_t n;

    n = (size_t)snprintf(buf, KEYS_FILE_MAX, "%s\ncode %s\nname %s\nkind %s\n%s ", names[0],
                         k->pub.code, k->pub.name, k->pub.kind, names[4]);
    s_hex_into(buf + n, a, alen);
    n += 2 * alen;
    n += (size_t)snprintf(buf + n, KEYS_FILE_MAX - n, "\n%s ", names[5]);
    s_hex_into(buf + n, b, blen);
    n += 2 * blen;
    buf[n++] = '\n';
    return n;
}

static int s_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, buf, len);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        buf += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Writes data to path and fsyncs it. With excl the file must not exist
 * (and is removed again on failure); otherwise it is replaced. */
static int s_write_file(const char *path, const char *data, size_t len, int excl, mode_t mode,
                        cc_err_t *err)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), mode);
    int e = errno;
    int rc = -1;

    if (fd < 0) {
        err_set(err, s_errno_code(e), "cannot create %s: %s%s", path, strerror(e),
                e == EEXIST ? " (refusing to overwrite a key)" : "");
        return -1;
    }
    /* The umask could only narrow the mode, but make it exact anyway. */
    if (fchmod(fd, mode) != 0 || s_write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        err_set(err, s_errno_code(errno), "cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    if (close(fd) != 0 && rc == 0) {
        err_set(err, s_errno_code(errno), "cannot write %s: %s", path, strerror(errno));
        rc = -1;
    }
    if (rc != 0 && excl) {
        unlink(path);
    }
    return rc;
}

int keys_save(const keys_t *k, const char *secret_path, const char *public_path, cc_err_t *err)
{
    char pub[KEYS_FILE_MAX];
    char *text;
    size_t len;
    int rc = -1;

    assert(k != NULL && secret_path != NULL && public_path != NULL);
    text = sodium_malloc(KEYS_FILE_MAX);
    if (text == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "cannot allocate secure memory");
        return -1;
    }
    /* Exclusive creation: an existing secret key is someone's identity,
     * and replacing it by accident would be unrecoverable. */
    len = s_format(k, 1, text);
    if (s_write_file(secret_path, text, len, 1, 0600, err) != 0) {
        goto out;
    }
    len = s_format(k, 0, pub);
    if (s_write_file(public_path, pub, len, 0, 0644, err) != 0) {
        unlink(secret_path);
        goto out;
    }
    rc = 0;
out:
    sodium_free(text);
    return rc;
}

/* Reads a whole small file into buf (cap + 1 bytes) and NUL-terminates it.
 * For secret files it first refuses any mode beyond owner read/write. */
static int s_read_file(const char *path, int secret, char *buf, size_t cap, size_t *out_len,
                       cc_err_t *err)
{
    struct stat st;
    size_t n = 0;
    int fd;
    int rc = -1;

    fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        err_set(err, s_errno_code(errno), "cannot open key file %s: %s", path, strerror(errno));
        return -1;
    }
    /* fstat on the open descriptor: the mode checked is that of the file
     * read, with no window for a swap in between. */
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        err_set(err, CC_INVALID_ARGUMENT, "key file %s is not a regular file", path);
        goto out;
    }
    if (secret && (st.st_mode & 077) != 0) {
        err_set(err, CC_PERMISSION_DENIED,
                "key file %s is readable or writable by group or others (mode %04o); "
                "run chmod 600 %s",
                path, (unsigned)(st.st_mode & 07777), path);
        goto out;
    }
    while (n <= cap) {
        ssize_t r = read(fd, buf + n, cap + 1 - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            err_set(err, s_errno_code(errno), "cannot read %s: %s", path, strerror(errno));
            goto out;
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    if (n > cap) {
        err_set(err, CC_INVALID_ARGUMENT, "key file %s is larger than %zu bytes", path, cap);
        goto out;
    }
    buf[n] = '\0';
    *out_len = n;
    rc = 0;
out:
    close(fd);
    return rc;
}

/* Splits off the next LF-terminated line of text, NUL-terminating it in
 * place, and checks that it reads "<key> <value>" (or exactly key when
 * value is NULL). */
static int s_line(char **p, const char *end, int lineno, const char *key, const char **value,
                  const char *path, cc_err_t *err)
{
    char *nl = memchr(*p, '\n', (size_t)(end - *p));
    char *line = *p;
    size_t klen = strlen(key);

    if (nl == NULL) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: truncated (expected a line '%s')", path, lineno,
                key);
        return -1;
    }
    *nl = '\0';
    *p = nl + 1;
    if (value == NULL ? strcmp(line, key) != 0
                      : strncmp(line, key, klen) != 0 || line[klen] != ' ') {
        err_set(err, CC_INVALID_ARGUMENT, "%s:%d: expected '%s%s'", path, lineno, key,
                value == NULL ? "" : " ...");
        return -1;
    }
    if (value != NULL) {
        *value = line + klen + 1;
    }
    return 0;
}

/* Parses a key file in place. For a secret file a and b receive the two
 * secret keys; for a public file they are pub's two public keys. */
static int s_parse(char *text, size_t len, int secret, const char *path, keys_public_t *pub,
                   uint8_t *a, uint8_t *b, cc_err_t *err)
{
    const char *const *names = secret ? s_lines_secret : s_lines_public;
    size_t alen = secret ? KEYS_SIGN_SK_LEN : KEYS_PK_LEN;
    size_t blen = secret ? KEYS_CURVE_SK_LEN : KEYS_PK_LEN;
    const char *end = text + len;
    const char *code = NULL, *name = NULL, *kind = NULL, *ha = NULL, *hb = NULL;
    char *p = text;

    if (memchr(text, '\0', len) != NULL) {
        err_set(err, CC_INVALID_ARGUMENT, "%s: contains a NUL byte", path);
        return -1;
    }
    if (s_line(&p, end, 1, names[0], NULL, path, err) != 0 ||
        s_line(&p, end, 2, names[1], &code, path, err) != 0 ||
        s_line(&p, end, 3, names[2], &name, path, err) != 0 ||
        s_line(&p, end, 4, names[3], &kind, path, err) != 0 ||
        s_line(&p, end, 5, names[4], &ha, path, err) != 0 ||
        s_line(&p, end, 6, names[5], &hb, path, err) != 0) {
        return -1;
    }
    if (p != end) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:7: unexpected data after the last line", path);
        return -1;
    }
    if (s_identity_check(code, name, kind, err) != 0) {
        err_prefix(err, "%s:2-4: ", path);
        return -1;
    }
    if (wire_unhex(ha, a, alen) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:5: %s needs %zu hex digits", path, names[4],
                2 * alen);
        return -1;
    }
    if (wire_unhex(hb, b, blen) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:6: %s needs %zu hex digits", path, names[5],
                2 * blen);
        return -1;
    }
    snprintf(pub->code, sizeof pub->code, "%s", code);
    snprintf(pub->name, sizeof pub->name, "%s", name);
    snprintf(pub->kind, sizeof pub->kind, "%s", kind);
    return 0;
}

/* libsodium's Ed25519 secret key is seed || public key. Re-deriving from
 * the seed catches a file whose public half was edited, which would
 * otherwise sign with one key while advertising another. */
static int s_check_secret(keys_t *k, const char *path, cc_err_t *err)
{
    uint8_t *scratch = sodium_malloc(crypto_sign_SEEDBYTES + KEYS_SIGN_SK_LEN);
    uint8_t pk[KEYS_PK_LEN];
    int rc = -1;

    if (scratch == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "cannot allocate secure memory");
        return -1;
    }
    crypto_sign_ed25519_sk_to_seed(scratch, k->secret);
    crypto_sign_seed_keypair(pk, scratch + crypto_sign_SEEDBYTES, scratch);
    if (sodium_memcmp(pk, k->secret + crypto_sign_SEEDBYTES, KEYS_PK_LEN) != 0) {
        err_set(err, CC_INVALID_ARGUMENT,
                "%s:5: the public half of sign-secret does not match its secret half", path);
        goto out;
    }
    if (crypto_scalarmult_base(k->pub.curve_pk, k->secret + KEYS_SIGN_SK_LEN) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "%s:6: curve-secret is not a usable key", path);
        goto out;
    }
    memcpy(k->pub.sign_pk, pk, KEYS_PK_LEN);
    rc = 0;
out:
    sodium_free(scratch);
    return rc;
}

keys_t *keys_load(const char *secret_path, cc_err_t *err)
{
    char *text = NULL;
    keys_t *k = NULL;
    size_t len = 0;

    assert(secret_path != NULL);
    k = s_alloc(err);
    if (k == NULL) {
        goto out;
    }
    text = sodium_malloc(KEYS_FILE_MAX + 1);
    if (text == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "cannot allocate secure memory");
        keys_destroy(&k);
        goto out;
    }
    if (s_read_file(secret_path, 1, text, KEYS_FILE_MAX, &len, err) != 0 ||
        s_parse(text, len, 1, secret_path, &k->pub, k->secret, k->secret + KEYS_SIGN_SK_LEN, err) !=
            0 ||
        s_check_secret(k, secret_path, err) != 0) {
        keys_destroy(&k);
        goto out;
    }
    s_seal(k);
out:
    sodium_free(text);
    return k;
}

int keys_load_public(const char *path, keys_public_t *out, cc_err_t *err)
{
    char text[KEYS_FILE_MAX + 1];
    keys_public_t pub;
    size_t len = 0;

    assert(path != NULL && out != NULL);
    memset(&pub, 0, sizeof pub);
    if (s_read_file(path, 0, text, KEYS_FILE_MAX, &len, err) != 0 ||
        s_parse(text, len, 0, path, &pub, pub.sign_pk, pub.curve_pk, err) != 0) {
        return -1;
    }
    *out = pub;
    return 0;
}
