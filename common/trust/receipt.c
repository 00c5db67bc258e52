/* SPDX-License-Identifier: Apache-2.0 */
/* receipt: broker receipts and the log's hash chain. */
#include "receipt.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "wire.h"

static void s_be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--) {
        out[i] = (uint8_t)(v & 0xff);
        v >>= 8;
    }
}

void receipt_chain(const uint8_t prev[32], uint64_t index, uint64_t time_ms,
                   const uint8_t envelope_hash[32], uint8_t out[32])
{
    crypto_hash_sha256_state st;
    uint8_t num[8];
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)CHAIN_DOMAIN, sizeof CHAIN_DOMAIN);
    crypto_hash_sha256_update(&st, prev, 32);
    s_be64(num, index);
    crypto_hash_sha256_update(&st, num, 8);
    s_be64(num, time_ms);
    crypto_hash_sha256_update(&st, num, 8);
    crypto_hash_sha256_update(&st, envelope_hash, 32);
    crypto_hash_sha256_final(&st, out);
}

int receipt_sign(const keys_t *broker, const Concord__V1__Receipt *r, uint8_t **out,
                 size_t *out_len, cc_err_t *err)
{
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    uint8_t sig[KEYS_SIG_LEN];
    int ret = -1;
    if (wire_pack(&r->base, WIRE_MAX_FRAME, &packed, &packed_len, err) < 0) {
        goto out;
    }
    if (keys_sign(broker, RECEIPT_DOMAIN, packed, packed_len, sig, err) < 0) {
        goto out;
    }
    Concord__V1__SignedReceipt sr = CONCORD__V1__SIGNED_RECEIPT__INIT;
    sr.receipt.data = packed;
    sr.receipt.len = packed_len;
    sr.signature.data = sig;
    sr.signature.len = sizeof sig;
    ret = wire_pack(&sr.base, WIRE_MAX_FRAME, out, out_len, err);
out:
    free(packed);
    return ret;
}

Concord__V1__Receipt *receipt_open_pb(const roster_t *roster,
                                      const Concord__V1__SignedReceipt *sr, cc_err_t *err)
{
    roster_org_t broker;
    roster_broker(roster, &broker);
    if (sr->signature.len != KEYS_SIG_LEN) {
        err_set(err, CC_UNAUTHENTICATED, "receipt signature is %zu bytes, not 64",
                sr->signature.len);
        return NULL;
    }
    if (keys_verify(broker.sign_pk, RECEIPT_DOMAIN, sr->receipt.data, sr->receipt.len,
                    sr->signature.data, err) < 0) {
        err_set(err, CC_UNAUTHENTICATED, "receipt is not signed by this federation's broker");
        return NULL;
    }
    Concord__V1__Receipt *r = (Concord__V1__Receipt *)wire_unpack(
        &concord__v1__receipt__descriptor, sr->receipt.data, sr->receipt.len, WIRE_MAX_FRAME,
        err);
    if (!r) {
        return NULL;
    }
    if (r->chain_hash.len != 32 || r->envelope_hash.len != 32 ||
        (r->call_id.len != 16 && r->call_id.len != 0) || r->log_index == 0) {
        err_set(err, CC_INVALID_ARGUMENT, "receipt has malformed fields");
        wire_free(&r->base);
        return NULL;
    }
    return r;
}

Concord__V1__Receipt *receipt_open(const roster_t *roster, const uint8_t *buf, size_t len,
                                   cc_err_t *err)
{
    Concord__V1__SignedReceipt *sr = (Concord__V1__SignedReceipt *)wire_unpack(
        &concord__v1__signed_receipt__descriptor, buf, len, WIRE_MAX_FRAME, err);
    if (!sr) {
        return NULL;
    }
    Concord__V1__Receipt *r = receipt_open_pb(roster, sr, err);
    wire_free(&sr->base);
    return r;
}
