/* SPDX-License-Identifier: Apache-2.0 */
/* dashboard_json: see dashboard_json.h. */
#include "dashboard_json.h"

#include <stdint.h>
#include <string.h>

/* The name of enum value v, or its number when the descriptor lacks it. */
static void s_enum(json_t *j, const char *key, const ProtobufCEnumDescriptor *d, int v)
{
    const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(d, v);
    if (ev) {
        json_str(j, key, ev->name);
    } else {
        json_i64(j, key, v);
    }
}

/* One value of field f at p. */
static void s_value(json_t *j, const char *key, const ProtobufCFieldDescriptor *f,
                    const void *p)
{
    switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
        json_i64(j, key, *(const int32_t *)p);
        break;
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
        json_u64(j, key, *(const uint32_t *)p);
        break;
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
        json_i64(j, key, *(const int64_t *)p);
        break;
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        json_u64(j, key, *(const uint64_t *)p);
        break;
    case PROTOBUF_C_TYPE_FLOAT:
        json_double(j, key, *(const float *)p, 6);
        break;
    case PROTOBUF_C_TYPE_DOUBLE:
        json_double(j, key, *(const double *)p, 6);
        break;
    case PROTOBUF_C_TYPE_BOOL:
        json_bool(j, key, *(const protobuf_c_boolean *)p);
        break;
    case PROTOBUF_C_TYPE_ENUM:
        s_enum(j, key, f->descriptor, *(const int *)p);
        break;
    case PROTOBUF_C_TYPE_STRING:
        json_str(j, key, *(char *const *)p ? *(char *const *)p : "");
        break;
    case PROTOBUF_C_TYPE_BYTES: {
        const ProtobufCBinaryData *b = p;
        json_hex(j, key, b->data, b->len);
        break;
    }
    case PROTOBUF_C_TYPE_MESSAGE:
        dashboard_json_message(j, key, *(ProtobufCMessage *const *)p);
        break;
    }
}

/* The size of one element of a repeated field of type t. */
static size_t s_size(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64:
        return 8;
    case PROTOBUF_C_TYPE_DOUBLE:
        return sizeof(double);
    case PROTOBUF_C_TYPE_BOOL:
        return sizeof(protobuf_c_boolean);
    case PROTOBUF_C_TYPE_ENUM:
        return sizeof(int);
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_MESSAGE:
        return sizeof(void *);
    case PROTOBUF_C_TYPE_BYTES:
        return sizeof(ProtobufCBinaryData);
    default:
        return 4;
    }
}

void dashboard_json_message(json_t *j, const char *key, const ProtobufCMessage *m)
{
    if (!m) {
        json_str(j, key, NULL);
        return;
    }
    const ProtobufCMessageDescriptor *d = m->descriptor;
    json_obj_begin(j, key);
    for (unsigned i = 0; i < d->n_fields; i++) {
        const ProtobufCFieldDescriptor *f = &d->fields[i];
        const char *base = (const char *)m + f->offset;
        if (f->label == PROTOBUF_C_LABEL_REPEATED) {
            size_t n = *(const size_t *)((const char *)m + f->quantifier_offset);
            const char *arr = *(const char *const *)base;
            json_arr_begin(j, f->name);
            for (size_t k = 0; k < n; k++) {
                s_value(j, NULL, f, arr + k * s_size(f->type));
            }
            json_arr_end(j);
        } else {
            s_value(j, f->name, f, base);
        }
    }
    json_obj_end(j);
}
