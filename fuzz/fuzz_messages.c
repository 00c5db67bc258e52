/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_messages: every protobuf message a node, the broker or the CLI
 * unpacks from the network, a control socket or a file, through the one
 * decoder (wire_unpack), and then the checks each receiver applies on its
 * own.
 *
 * The first byte picks the message type (modulo the table); the rest is
 * the packed message. What must hold for every input: decoding never
 * crashes or leaks; a decoded message packs again, and what it packs to
 * decodes to the same bytes again (protobuf-c's canonical form is
 * stable); and the validation functions of the receivers (charter,
 * proposal, pool proposal on its board, agreement, risk share, BCF plan,
 * signed statement, receipt, roster) answer without crashing whatever
 * the fields hold. */
#include <stdlib.h>
#include <string.h>

#include "board.h"
#include "board.pb-c.h"
#include "control.pb-c.h"
#include "envelope.pb-c.h"
#include "fixture.h"
#include "health.pb-c.h"
#include "link.pb-c.h"
#include "log.pb-c.h"
#include "pool.h"
#include "pool.pb-c.h"
#include "receipt.h"
#include "roster.h"
#include "roster.pb-c.h"
#include "wire.h"

static const ProtobufCMessageDescriptor *const s_types[] = {
    /* envelopes, link frames and receipts (every node and the broker) */
    &concord__v1__envelope__descriptor,
    &concord__v1__signed__descriptor,
    &concord__v1__signed_tree_head__descriptor,
    &concord__v1__receipt__descriptor,
    &concord__v1__node_frame__descriptor,
    &concord__v1__broker_frame__descriptor,
    /* service requests and replies */
    &concord__v1__health_check_request__descriptor,
    &concord__v1__health_check_response__descriptor,
    &concord__v1__list_methods_request__descriptor,
    &concord__v1__list_methods_response__descriptor,
    &concord__v1__log_read_request__descriptor,
    &concord__v1__log_read_response__descriptor,
    /* board events */
    &concord__v1__proposal__descriptor,
    &concord__v1__ballot__descriptor,
    /* pool and BCF events */
    &concord__v1__pool_agreement__descriptor,
    &concord__v1__pool_statement__descriptor,
    &concord__v1__pledge__descriptor,
    &concord__v1__variation__descriptor,
    &concord__v1__outturn__descriptor,
    &concord__v1__bcf_plan__descriptor,
    &concord__v1__bcf_signoff__descriptor,
    /* the control socket (node side and CLI side) */
    &concord__v1__control_call__descriptor,
    &concord__v1__control_answer__descriptor,
    /* files: roster and decision certificate */
    &concord__v1__signed_roster__descriptor,
    &concord__v1__signed_certificate__descriptor,
    &concord__v1__decision_certificate__descriptor,
    &concord__v1__statement_certificate__descriptor,
};
#define S_NTYPES (sizeof s_types / sizeof s_types[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

/* Packs m twice through a decode and insists the bytes are stable. */
static void s_roundtrip(const ProtobufCMessage *m)
{
    uint8_t *a = NULL, *b = NULL;
    size_t alen = 0, blen = 0;
    ProtobufCMessage *again = NULL;
    if (wire_pack(m, SIZE_MAX, &a, &alen, NULL) < 0 ||
        !(again = wire_unpack(m->descriptor, a, alen, SIZE_MAX, NULL)) ||
        wire_pack(again, SIZE_MAX, &b, &blen, NULL) < 0 || alen != blen ||
        memcmp(a, b, alen) != 0) {
        abort();
    }
    wire_free(again);
    free(a);
    free(b);
}

/* What the CLI shows of a pool proposal and whose FOR it needs. */
static void s_pool_proposal(const Concord__V1__Proposal *p)
{
    char text[4096];
    board_consents_t c;
    pool_describe(p, text, sizeof text);
    board_pool_consents(p, &c);
    if (p->pool_agreement) {
        agreement_primary_medical(p->pool_agreement);
    }
}

static void s_validate(const ProtobufCMessage *m, const uint8_t *buf, size_t len)
{
    const roster_t *roster = fixture_roster();
    const ProtobufCMessageDescriptor *d = m->descriptor;
    if (d == &concord__v1__proposal__descriptor) {
        const Concord__V1__Proposal *p = (const Concord__V1__Proposal *)m;
        board_check_proposal(p, FIXTURE_T0, NULL);
        if (p->charter) {
            board_check_charter(roster, p->charter, NULL);
            board_pool_check(roster, NULL, p->charter, p, NULL);
        }
        s_pool_proposal(p);
    } else if (d == &concord__v1__pool_statement__descriptor) {
        char why[256];
        const Concord__V1__PoolStatement *st = (const Concord__V1__PoolStatement *)m;
        if (!pool_canonical_equal(st, st, why, sizeof why)) {
            abort(); /* a statement is always equal to itself */
        }
    } else if (d == &concord__v1__pool_agreement__descriptor) {
        const Concord__V1__PoolAgreement *a = (const Concord__V1__PoolAgreement *)m;
        agreement_check(roster, NULL, a, NULL);
        if (a->risk_share) {
            agreement_risk_share_check(a, a->risk_share, NULL);
        }
    } else if (d == &concord__v1__bcf_plan__descriptor) {
        pool_bcf_totals_t t;
        pool_bcf_plan_check(roster, (const Concord__V1__BcfPlan *)m, NULL, NULL);
        pool_bcf_totals((const Concord__V1__BcfPlan *)m, &t, NULL);
    } else if (d == &concord__v1__signed_tree_head__descriptor) {
        receipt_head_t h;
        receipt_head_open(roster, (const Concord__V1__SignedTreeHead *)m, &h, NULL);
    } else if (d == &concord__v1__receipt__descriptor) {
        receipt_t r;
        receipt_open_pb(NULL, roster, (const Concord__V1__Receipt *)m, &r, NULL);
    } else if (d == &concord__v1__signed_roster__descriptor) {
        roster_t *r = roster_from_bytes(buf, len, NULL);
        if (r) {
            roster_verify(r, NULL);
        }
        roster_destroy(&r);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const ProtobufCMessageDescriptor *d = s_types[data[0] % S_NTYPES];
    ProtobufCMessage *m = wire_unpack(d, data + 1, size - 1, WIRE_MAX_FRAME, NULL);
    if (m) {
        s_roundtrip(m);
        s_validate(m, data + 1, size - 1);
    }
    wire_free(m);
    return 0;
}
