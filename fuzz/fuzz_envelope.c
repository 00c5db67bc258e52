/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_envelope: envelope decoding and verification (envelope_open).
 *
 * The first byte picks how the rest is used:
 *   0  a packed Envelope as it arrives from the broker, opened against
 *      the fixed roster;
 *   1  the same, opened with the golden vector's key (tests/vectors) as
 *      E38000217, as offline tools do;
 *   2+ a packed Signed (header and body): the target signs it with the
 *      key of organisation (first byte - 2) and opens the result, so the
 *      checks after the signature (canonical bytes, header fields) see
 *      hostile input too; a real sender could sign anything. */
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "fixture.h"
#include "wire.h"

/* keys_from_seed(00 01 .. 1f) as in tests/vectors/envelope.txt. */
static const uint8_t s_vector_pk[KEYS_PK_LEN] = {
    0x03, 0xa1, 0x07, 0xbf, 0xf3, 0xce, 0x10, 0xbe, 0x1d, 0x70, 0xdd, 0x18, 0xe7, 0x4b, 0xc0, 0x99,
    0x67, 0xe4, 0xd6, 0x30, 0x9b, 0xa5, 0x0d, 0x5f, 0x1d, 0xdc, 0x86, 0x64, 0x12, 0x55, 0x31, 0xb8};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

/* What an opened envelope promises its callers. */
static void s_check(const envelope_t *e, const uint8_t *buf, size_t len, const char *signer)
{
    uint8_t hash[32];
    if (e->raw_len != len || memcmp(e->raw, buf, len) != 0) {
        abort();
    }
    envelope_hash(buf, len, hash);
    if (memcmp(hash, e->hash, 32) != 0 || !e->header || !e->header->sender ||
        (signer && strcmp(e->header->sender, signer) != 0) ||
        e->header->call_id.len != ENVELOPE_CALL_ID_LEN || e->header->sequence == 0 ||
        (e->body_len > 0 && !e->body)) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    envelope_t *e = NULL;
    uint8_t *sealed = NULL;
    size_t sealed_len = 0;
    cc_err_t err;
    if (size < 1) {
        return 0;
    }
    if (data[0] == 0) {
        e = envelope_open(data + 1, size - 1, fixture_roster(), &err);
        if (e) {
            s_check(e, data + 1, size - 1, NULL);
        }
    } else if (data[0] == 1) {
        e = envelope_open_with_key(data + 1, size - 1, "E38000217", s_vector_pk, &err);
        if (e) {
            s_check(e, data + 1, size - 1, "E38000217");
        }
    } else {
        const keys_t *k = fixture_keys((size_t)(data[0] - 2));
        if (fixture_seal(k, data + 1, size - 1, &sealed, &sealed_len) == 0) {
            e = envelope_open(sealed, sealed_len, fixture_roster(), &err);
            if (e) {
                s_check(e, sealed, sealed_len, keys_code(k));
            }
        }
    }
    envelope_destroy(&e);
    free(sealed);
    return 0;
}
