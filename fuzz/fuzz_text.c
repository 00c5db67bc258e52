/* SPDX-License-Identifier: Apache-2.0 */
/* fuzz_text: the text and wire-type rules of the decoder (wire_unpack,
 * wire_check_text) on the signed messages: the envelope and its parts,
 * receipts, and the body of every method of the protocol.
 *
 * The first byte picks the message (modulo the table); the rest is the
 * packed message. What must hold for every input, besides no crash or
 * leak: wire_unpack accepts exactly when protobuf-c decodes the bytes and
 * wire_check_text passes them; an accepted message holds only valid UTF-8
 * with no NUL in every string, at any depth; it packs to bytes that pass
 * wire_check_text and decode again; and a body the envelope opener checks
 * (envelope_body_descriptor) is checked against the same descriptor.
 * tests/differential/decoders_agree.py feeds this corpus, with generated
 * edge cases, to Python's protobuf to check that the same bytes are
 * accepted by a standard proto3 decoder (but for Concord's documented
 * extra rules). */
#include <stdlib.h>
#include <string.h>

#include "board.pb-c.h"
#include "envelope.h"
#include "fixture.h"
#include "health.pb-c.h"
#include "log.pb-c.h"
#include "pool.pb-c.h"
#include "text.h"
#include "wire.h"

static const ProtobufCMessageDescriptor *const s_types[] = {
    &concord__v1__envelope__descriptor,
    &concord__v1__signed__descriptor,
    &concord__v1__header__descriptor,
    &concord__v1__receipt__descriptor,
    &concord__v1__signed_tree_head__descriptor,
    &concord__v1__tree_head__descriptor,
    &concord__v1__signed_certificate__descriptor,
    &concord__v1__health_check_request__descriptor,
    &concord__v1__health_check_response__descriptor,
    &concord__v1__list_methods_response__descriptor,
    &concord__v1__log_read_request__descriptor,
    &concord__v1__log_read_response__descriptor,
    &concord__v1__proposal__descriptor,
    &concord__v1__ballot__descriptor,
    &concord__v1__ratification__descriptor,
    &concord__v1__call_in__descriptor,
    &concord__v1__execution__descriptor,
    &concord__v1__pledge__descriptor,
    &concord__v1__outturn__descriptor,
    &concord__v1__pool_statement__descriptor,
    &concord__v1__bcf_plan__descriptor,
    &concord__v1__bcf_signoff__descriptor,
};
#define S_NTYPES (sizeof s_types / sizeof s_types[0])

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fixture_init();
    return 0;
}

static int s_valid(char **s, const char *field, void *arg)
{
    (void)field;
    (void)arg;
    if (text_utf8_check((const unsigned char *)*s, strlen(*s), NULL, NULL) != 0) {
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    const ProtobufCMessageDescriptor *d = s_types[data[0] % S_NTYPES];
    const uint8_t *buf = data + 1;
    size_t len = size - 1;
    int text_ok = wire_check_text(d, buf, len, NULL) == 0;
    ProtobufCMessage *raw = protobuf_c_message_unpack(d, NULL, len, len ? buf : (const uint8_t *)"");
    ProtobufCMessage *m = wire_unpack(d, buf, len, WIRE_MAX_FRAME, NULL);
    if (m && (!raw || !text_ok)) {
        abort(); /* accepted what the decoder or the text check refuses */
    }
    if (m) {
        wire_each_string(m, s_valid, NULL);
        uint8_t *again = NULL;
        size_t again_len = 0;
        if (wire_pack(m, SIZE_MAX, &again, &again_len, NULL) < 0 ||
            wire_check_text(d, again, again_len, NULL) != 0) {
            abort();
        }
        ProtobufCMessage *m2 = wire_unpack(d, again, again_len, SIZE_MAX, NULL);
        if (!m2) {
            abort();
        }
        wire_free(m2);
        free(again);
    }
    if (raw) {
        protobuf_c_message_free_unpacked(raw, NULL);
    }
    wire_free(m);
    return 0;
}
