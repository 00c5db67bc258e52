/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_roster: the roster file (roster_from_bytes, roster_verify), as every
 * node, the broker and `concord verify` load it, and as a certificate
 * carries it. What must hold: a roster is loaded whole or refused with a
 * reason; a loaded one can be verified, hashed and looked up (by code and
 * by transport key) without crashing; no leak. */
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "roster.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cc_err_t err;
    roster_t *r = roster_from_bytes(data, size, &err);
    if (!r) {
        if (!err.msg[0]) {
            abort();
        }
        return 0;
    }
    uint8_t hash[32];
    roster_org_t o, back;
    roster_verify(r, NULL);
    roster_hash(r, hash);
    roster_broker(r, &o);
    for (size_t i = 0; i < roster_count(r); i++) {
        roster_at(r, i, &o);
        if (roster_lookup(r, o.code, &back) < 0 || strcmp(back.code, o.code) != 0) {
            abort();
        }
        (void)roster_signature_state(r, o.code);
        (void)roster_lookup_curve(r, o.curve_pk, &back);
    }
    (void)roster_federation(r);
    roster_destroy(&r);
    return 0;
}
