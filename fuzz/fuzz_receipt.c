/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_receipt: the broker's signed receipts (receipt_open), as a node
 * reads them in every submit result, delivery and log page.
 *
 * First byte 0: the rest is a packed SignedReceipt as received. Any other
 * first byte: the rest is a packed Receipt that the target signs with the
 * broker's key first, so the checks after the signature see hostile
 * fields too. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "receipt.h"
#include "wire.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

static void s_check(const Concord__V1__Receipt *r)
{
    if (r->chain_hash.len != 32 || r->envelope_hash.len != 32 ||
        (r->call_id.len != 16 && r->call_id.len != 0) || r->log_index == 0) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t sig[KEYS_SIG_LEN];
    uint8_t *packed = NULL;
    size_t packed_len = 0;
    Concord__V1__Receipt *r = NULL;
    if (size < 1) {
        return 0;
    }
    if (data[0] == 0) {
        r = receipt_open(fixture_roster(), data + 1, size - 1, NULL);
    } else if (keys_sign(fixture_broker(), RECEIPT_DOMAIN, data + 1, size - 1, sig, NULL) == 0) {
        Concord__V1__SignedReceipt sr = CONCORD__V1__SIGNED_RECEIPT__INIT;
        sr.receipt.data = (uint8_t *)data + 1;
        sr.receipt.len = size - 1;
        sr.signature.data = sig;
        sr.signature.len = sizeof sig;
        if (wire_pack(&sr.base, WIRE_MAX_FRAME + size, &packed, &packed_len, NULL) == 0) {
            r = receipt_open(fixture_roster(), packed, packed_len, NULL);
        }
    }
    if (r) {
        s_check(r);
    }
    wire_free(r ? &r->base : NULL);
    free(packed);
    return 0;
}
