/* SPDX-License-Identifier: Apache-2.0 */
/* wire: the one place that packs and unpacks protobuf messages. */
#include "wire.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "text.h"

int wire_pack(const ProtobufCMessage *msg, size_t max, uint8_t **out, size_t *out_len,
              cc_err_t *err)
{
    uint8_t *buf;
    size_t size;
    size_t written;

    assert(msg != NULL && out != NULL && out_len != NULL);
    *out = NULL;
    *out_len = 0;
    size = protobuf_c_message_get_packed_size(msg);
    if (size > max) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s is %zu bytes packed, over the limit of %zu",
                msg->descriptor->name, size, max);
        return -1;
    }
    /* malloc(0) may return NULL; an empty message still gets a buffer so
     * that NULL always means failure. */
    buf = malloc(size > 0 ? size : 1);
    if (buf == NULL) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory packing %s", msg->descriptor->name);
        return -1;
    }
    written = protobuf_c_message_pack(msg, buf);
    if (written != size) {
        free(buf);
        err_set(err, CC_INTERNAL, "packing %s wrote %zu bytes, expected %zu", msg->descriptor->name,
                written, size);
        return -1;
    }
    *out = buf;
    *out_len = size;
    return 0;
}

/* protobuf-c takes a tag of field number 0 written in a long varint
 * (80 00) as an unknown field, and packs it back as 00 00, which it then
 * refuses: field number 0 is invalid in protobuf, and other decoders
 * refuse it at once. Such a message is refused here, in any nested
 * message too, so that every implementation reads the same bytes alike. */
static int s_has_field_zero(const ProtobufCMessage *m)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    for (unsigned i = 0; i < m->n_unknown_fields; i++) {
        if (m->unknown_fields[i].tag == 0) {
            return 1;
        }
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m;
        if (f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)(base + f->quantifier_offset);
            ProtobufCMessage *const *items = *(ProtobufCMessage *const *const *)(base + f->offset);
            for (size_t k = 0; k < n; k++) {
                if (items[k] && s_has_field_zero(items[k])) {
                    return 1;
                }
            }
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id) {
            continue;
        }
        const ProtobufCMessage *sub = *(ProtobufCMessage *const *)(base + f->offset);
        if (sub && s_has_field_zero(sub)) {
            return 1;
        }
    }
    return 0;
}

/* A varint at *pos of len bytes: 0 and *pos moved past it, or -1. */
static int s_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *v)
{
    *v = 0;
    for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
        uint8_t b = buf[(*pos)++];
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80)) {
            return 0;
        }
    }
    return -1;
}

#define S_TEXT_DEPTH 32

/* The wire type a field of type t is written with: 0 varint, 1 64-bit,
 * 5 32-bit, 2 length-delimited. */
static unsigned s_wire_type(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return 5;
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return 1;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return 2;
    default:
        return 0;
    }
}

/* The checks of wire_check_text, reading the wire bytes themselves:
 * protobuf-c hands strings over NUL-terminated, so a NUL inside one, and
 * what follows it, can only be seen here; and protobuf-c reads a single
 * scalar written length-delimited as if packed (a bool `declined` written
 * as 0a 09 ... would be true), where other decoders keep it as an unknown
 * field and read false. Structure it cannot follow is left to the
 * decoder, which refuses it. */
static int s_text(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len, int depth,
                  cc_err_t *err)
{
    size_t pos = 0;
    if (depth > S_TEXT_DEPTH) {
        return 0;
    }
    while (pos < len) {
        uint64_t tag, n = 0;
        if (s_varint(buf, len, &pos, &tag) < 0) {
            return 0;
        }
        unsigned wt = (unsigned)(tag & 7);
        switch (wt) {
        case 0:
            if (s_varint(buf, len, &pos, &n) < 0) {
                return 0;
            }
            break;
        case 1:
            pos += 8;
            break;
        case 5:
            pos += 4;
            break;
        case 2:
            if (s_varint(buf, len, &pos, &n) < 0 || n > len - pos) {
                return 0;
            }
            pos += (size_t)n;
            break;
        default:
            return 0;
        }
        const ProtobufCFieldDescriptor *f =
            tag >> 3 <= UINT32_MAX ? protobuf_c_message_descriptor_get_field(d, (unsigned)(tag >> 3))
                                   : NULL;
        if (f == NULL) {
            continue;
        }
        unsigned want = s_wire_type(f->type);
        if (wt != want && !(wt == 2 && f->label == PROTOBUF_C_LABEL_REPEATED)) {
            err_set(err, CC_INVALID_ARGUMENT,
                    "%s.%s is written with wire type %u, which its type does not allow",
                    d->short_name, f->name, wt);
            return -1;
        }
        if (wt != 2) {
            continue;
        }
        const uint8_t *val = buf + pos - (size_t)n;
        if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
            if (s_text(f->descriptor, val, (size_t)n, depth + 1, err) < 0) {
                return -1;
            }
            continue;
        }
        size_t at = 0;
        int nul = 0;
        if (f->type == PROTOBUF_C_TYPE_STRING && text_utf8_check(val, (size_t)n, &at, &nul) < 0) {
            if (nul) {
                err_set(err, CC_INVALID_ARGUMENT, "%s.%s holds a NUL at byte %zu", d->short_name,
                        f->name, at);
            } else {
                err_set(err, CC_INVALID_ARGUMENT, "%s.%s is not valid UTF-8 at byte %zu",
                        d->short_name, f->name, at);
            }
            return -1;
        }
    }
    return 0;
}

int wire_check_text(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                    cc_err_t *err)
{
    return buf ? s_text(d, buf, len, 0, err) : 0;
}

/* The address of the pointer to every string slot of m (repeated, oneof
 * and sub-messages included), handed to fn; stops at fn's first -1. */
static int s_each_string(ProtobufCMessage *m, int (*fn)(char **s, const char *field, void *arg),
                         void *arg, int depth)
{
    const ProtobufCMessageDescriptor *d = m->descriptor;
    char *base = (char *)m;
    if (depth > S_TEXT_DEPTH) {
        return 0;
    }
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE) {
            continue;
        }
        if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) &&
            *(const uint32_t *)(base + f->quantifier_offset) != f->id) {
            continue;
        }
        size_t n = 1;
        void **slots = (void **)(base + f->offset);
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            n = *(const size_t *)(base + f->quantifier_offset);
            slots = *(void ***)(base + f->offset);
        }
        for (size_t k = 0; k < n; k++) {
            if (slots[k] == NULL) {
                continue;
            }
            int rc = f->type == PROTOBUF_C_TYPE_STRING
                         ? fn((char **)&slots[k], f->name, arg)
                         : s_each_string((ProtobufCMessage *)slots[k], fn, arg, depth + 1);
            if (rc < 0) {
                return -1;
            }
        }
    }
    return 0;
}

int wire_each_string(ProtobufCMessage *m, int (*fn)(char **s, const char *field, void *arg),
                     void *arg)
{
    return m ? s_each_string(m, fn, arg, 0) : 0;
}

/* protobuf-c's default allocator, except that a refused allocation is noted, so that
 * wire_unpack can tell running out of memory from malformed bytes (protobuf-c returns
 * NULL for both). What it allocates is freed with free(), as the default's. */
static void *s_unpack_alloc(void *data, size_t size)
{
    void *p = malloc(size);
    if (p == NULL) {
        *(int *)data = 1;
    }
    return p;
}

static void s_unpack_free(void *data, void *p)
{
    (void)data;
    free(p);
}

ProtobufCMessage *wire_unpack(const ProtobufCMessageDescriptor *d, const uint8_t *buf, size_t len,
                              size_t max, cc_err_t *err)
{
    static const uint8_t empty[1];
    ProtobufCMessage *msg;

    assert(d != NULL);
    if (len > max) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "%s of %zu bytes is over the limit of %zu", d->name,
                len, max);
        return NULL;
    }
    if (buf == NULL) {
        if (len != 0) {
            err_set(err, CC_INVALID_ARGUMENT, "no data for %s", d->name);
            return NULL;
        }
        buf = empty;
    }
    int oom = 0;
    ProtobufCAllocator alloc = {s_unpack_alloc, s_unpack_free, &oom};
    msg = protobuf_c_message_unpack(d, &alloc, len, buf);
    if (msg == NULL) {
        if (oom) {
            err_oom(err);
            err_prefix(err, "unpacking %s (%zu bytes): ", d->name, len);
            return NULL;
        }
        err_set(err, CC_INVALID_ARGUMENT, "malformed %s (%zu bytes)", d->name, len);
        return NULL;
    }
    if (s_has_field_zero(msg)) {
        protobuf_c_message_free_unpacked(msg, NULL);
        err_set(err, CC_INVALID_ARGUMENT, "malformed %s (%zu bytes): field number 0", d->name,
                len);
        return NULL;
    }
    if (s_text(d, buf, len, 0, err) < 0) {
        protobuf_c_message_free_unpacked(msg, NULL);
        return NULL;
    }
    return msg;
}

void wire_free(ProtobufCMessage *msg)
{
    if (msg != NULL) {
        protobuf_c_message_free_unpacked(msg, NULL);
    }
}

ProtobufCMessage *wire_copy(const ProtobufCMessage *msg, size_t max, cc_err_t *err)
{
    uint8_t *buf = NULL;
    size_t len = 0;

    if (wire_pack(msg, max, &buf, &len, err) < 0) {
        return NULL;
    }
    ProtobufCMessage *copy = wire_unpack(msg->descriptor, buf, len, max, err);
    free(buf);
    return copy;
}

char *wire_hex(const uint8_t *buf, size_t len)
{
    if (len > (SIZE_MAX - 1) / 2) {
        return NULL;
    }
    char *out = malloc(len * 2 + 1);
    if (out == NULL) {
        return NULL;
    }
    return sodium_bin2hex(out, len * 2 + 1, buf, len);
}

int wire_unhex(const char *hex, uint8_t *out, size_t out_len)
{
    size_t got = 0;

    if (hex == NULL || out_len > SIZE_MAX / 2 || strlen(hex) != out_len * 2) {
        return -1;
    }
    /* Without hex_end, libsodium refuses anything but hex digits. */
    if (sodium_hex2bin(out, out_len, hex, out_len * 2, NULL, &got, NULL) != 0 || got != out_len) {
        return -1;
    }
    return 0;
}
