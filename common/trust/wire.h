/* SPDX-License-Identifier: Apache-2.0 */
/* wire: the only module that calls protobuf-c's pack and unpack.
 *
 * Every decode checks the size before anything is parsed, so a hostile
 * length never reaches the decoder, and never hands back a half-decoded
 * message. */
#ifndef CONCORD_WIRE_H
#define CONCORD_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "err.h"

/* Largest frame any Concord socket accepts: 1 MiB. */
#define WIRE_MAX_FRAME (1024u * 1024u)

/* Packs msg into a fresh malloc'd buffer (*out, *out_len); the caller frees
 * it with free(). Returns 0, or -1 with CC_RESOURCE_EXHAUSTED if the packed
 * size exceeds max or memory runs out. */
int wire_pack(const ProtobufCMessage *msg, size_t max, uint8_t **out, size_t *out_len,
              cc_err_t *err);

/* Unpacks len bytes as a message of descriptor d. Refuses len > max with
 * CC_RESOURCE_EXHAUSTED before decoding; malformed bytes give
 * CC_INVALID_ARGUMENT naming the message type. Returns the message (free
 * it with wire_free) or NULL. */
ProtobufCMessage *wire_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *buf,
                              size_t len, size_t max, cc_err_t *err);

/* Every string field of the message of descriptor d packed in buf (its
 * sub-messages' too, at any depth) must be valid UTF-8 (RFC 3629) with no
 * NUL, as proto3 requires and Concord adds (PROTOCOL.md 2.2). Reads the
 * wire bytes, so a NUL inside a string is seen. Returns 0, or -1 with
 * CC_INVALID_ARGUMENT naming the message, the field and the offset in
 * the string: "Header.method is not valid UTF-8 at byte 4". A known field
 * written with a wire type its type does not allow (a single bool written
 * length-delimited, which protobuf-c would read as packed and other
 * decoders keep as an unknown field) is refused the same way. Bytes whose
 * structure does not decode are not judged here (the decoder refuses
 * them). wire_unpack applies it to everything it decodes. */
int wire_check_text(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                    cc_err_t *err);

/* Calls fn with the address of every string set in m and its
 * sub-messages (repeated and oneof fields included) and the field's name.
 * fn may replace the string: in a message from wire_unpack or wire_copy,
 * free() the old one (unless it is "", which may be protobuf-c's shared
 * empty string) and store a malloc'd one. Stops at fn's first -1 and
 * returns it; else 0. */
int wire_each_string(ProtobufCMessage *m, int (*fn)(char **s, const char *field, void *arg),
                     void *arg);

/* A deep copy of msg (at most max bytes packed), made by packing and
 * unpacking it; free it with wire_free. NULL with err set when it does
 * not fit or memory runs out. */
ProtobufCMessage *wire_copy(const ProtobufCMessage *msg, size_t max, cc_err_t *err);

/* Frees a message returned by wire_unpack. Safe on NULL. */
void wire_free(ProtobufCMessage *msg);

/* Hex helpers for text formats and printing. wire_hex returns a malloc'd
 * NUL-terminated lower-case string (NULL on allocation failure).
 * wire_unhex decodes exactly out_len bytes from a string that must hold
 * exactly 2*out_len hex digits; returns 0 or -1. */
char *wire_hex(const uint8_t *buf, size_t len);
int wire_unhex(const char *hex, uint8_t *out, size_t out_len);

#endif
