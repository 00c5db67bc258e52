/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_receipt: the broker's receipts (receipt_open: a signed tree head
 * and an inclusion proof), as a node reads them in every submit result,
 * delivery and log page.
 *
 * First byte 0: the rest is a packed Receipt as received. Any other first
 * byte: the rest is a packed TreeHead that the target signs with the
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t sig[KEYS_SIG_LEN];
    receipt_t r;
    receipt_head_t h;
    if (size < 1) {
        return 0;
    }
    if (data[0] == 0) {
        if (receipt_open(NULL, fixture_roster(), data + 1, size - 1, &r, NULL) == 0 &&
            (r.log_index == 0 || r.log_index > r.head.size)) {
            abort(); /* a proof of a leaf outside its tree */
        }
    } else if (keys_sign(fixture_broker(), TREE_HEAD_DOMAIN, data + 1, size - 1, sig, NULL) ==
               0) {
        Concord__V1__SignedTreeHead sth = CONCORD__V1__SIGNED_TREE_HEAD__INIT;
        sth.tree_head.data = (uint8_t *)data + 1;
        sth.tree_head.len = size - 1;
        sth.signature.data = sig;
        sth.signature.len = sizeof sig;
        if (receipt_head_open(fixture_roster(), &sth, &h, NULL) == 0 && h.size == 0) {
            abort();
        }
    }
    return 0;
}
