/* SPDX-License-Identifier: Apache-2.0 */
/* wire_accepts: whether Concord's decoder (wire_unpack) accepts bytes as
 * a message, for the differential check against a standard proto3
 * decoder (tests/differential/decoders_agree.py).
 *
 * Reads lines "<full message name> <hex bytes>" on standard input and
 * writes one line per input: "1" if wire_unpack accepts the bytes as that
 * message, or "0 <reason>". The messages are the signed ones: the
 * envelope and its parts, receipts, and the body of every method of the
 * protocol (envelope_body_descriptor). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "board.pb-c.h"
#include "envelope.h"
#include "wire.h"

static const char *const s_methods[] = {
    "concord.v1.Health/Check", "concord.v1.Reflection/ListMethods", "concord.v1.Log/Read",
    "concord.v1.Board/Propose", "concord.v1.Board/Vote", "concord.v1.Board/Ratify",
    "concord.v1.Board/CallIn", "concord.v1.Board/Delegation", "concord.v1.Board/Release",
    "concord.v1.Pool/Execute", "concord.v1.Pool/Pledge",
    "concord.v1.Pool/Outturn", "concord.v1.Pool/Statement", "concord.v1.Bcf/Plan",
    "concord.v1.Bcf/Sign", "concord.v1.Board/Meeting", "concord.v1.Board/Agenda",
    "concord.v1.Board/Attendance", "concord.v1.Board/Minutes", "concord.v1.Board/ForwardPlan",
};

static const ProtobufCMessageDescriptor *s_find(const char *name)
{
    static const ProtobufCMessageDescriptor *const fixed[] = {
        &concord__v1__envelope__descriptor,
        &concord__v1__signed__descriptor,
        &concord__v1__header__descriptor,
        &concord__v1__receipt__descriptor,
        &concord__v1__signed_tree_head__descriptor,
        &concord__v1__tree_head__descriptor,
        &concord__v1__signed_certificate__descriptor,
    };
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (strcmp(fixed[i]->name, name) == 0) {
            return fixed[i];
        }
    }
    for (size_t i = 0; i < sizeof s_methods / sizeof s_methods[0]; i++) {
        for (int kind = CONCORD__V1__KIND__KIND_REQUEST; kind <= CONCORD__V1__KIND__KIND_REPLY;
             kind++) {
            const ProtobufCMessageDescriptor *d = envelope_body_descriptor(s_methods[i], kind);
            if (d && strcmp(d->name, name) == 0) {
                return d;
            }
        }
    }
    return NULL;
}

int main(void)
{
    static char line[1 << 20];
    static uint8_t buf[1 << 19];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *hex = strchr(line, ' ');
        if (!hex) {
            hex = line + strlen(line);
        } else {
            *hex++ = '\0';
        }
        const ProtobufCMessageDescriptor *d = s_find(line);
        size_t len = strlen(hex) / 2;
        if (!d || len > sizeof buf || (len && wire_unhex(hex, buf, len) != 0)) {
            fprintf(stderr, "wire_accepts: bad input line for %s\n", line);
            return 2;
        }
        cc_err_t err;
        ProtobufCMessage *m = wire_unpack(d, buf, len, sizeof buf, &err);
        if (m) {
            puts("1");
            wire_free(m);
        } else {
            printf("0 %s\n", err.msg);
        }
        fflush(stdout);
    }
    return 0;
}
