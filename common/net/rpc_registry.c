/* SPDX-License-Identifier: Apache-2.0 */
/* rpc_registry: the registry of services and method dispatch, shared by
 * the node and the broker. */
#include "rpc_registry.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.pb-c.h"
#include "wire.h"

#define RPC_MAX_SERVICES 32

typedef struct {
    Concord__V1__Reflection_Service base;
    rpc_registry_t *reg;
} s_reflection_t;

struct rpc_registry {
    ProtobufCService *services[RPC_MAX_SERVICES];
    size_t n;
    s_reflection_t reflection;
};

/* State of one request while its handler runs; handlers see it as their
 * closure_data. */
typedef struct {
    const envelope_t *req;
    const ProtobufCMethodDescriptor *method;
    int answered;
    cc_err_t status;
    uint8_t *body;
    size_t body_len;
} s_call_t;

typedef struct {
    Concord__V1__ListMethodsResponse *out;
    int failed;
} s_names_t;

static void s_add_name(const char *name, void *arg)
{
    s_names_t *n = arg;
    Concord__V1__ListMethodsResponse *out = n->out;
    char **grown = realloc(out->methods, (out->n_methods + 1) * sizeof *grown);
    char *copy = strdup(name);
    if (!grown || !copy) {
        free(copy);
        if (grown) {
            out->methods = grown;
        }
        n->failed = 1;
        return;
    }
    out->methods = grown;
    out->methods[out->n_methods++] = copy;
}

static void s_list_methods(Concord__V1__Reflection_Service *service,
                           const Concord__V1__ListMethodsRequest *input,
                           Concord__V1__ListMethodsResponse_Closure closure, void *closure_data)
{
    (void)input;
    s_reflection_t *self = (s_reflection_t *)service;
    Concord__V1__ListMethodsResponse out = CONCORD__V1__LIST_METHODS_RESPONSE__INIT;
    s_names_t names = {.out = &out};
    rpc_registry_methods(self->reg, s_add_name, &names);
    if (names.failed) {
        rpc_registry_fail(closure_data, CC_RESOURCE_EXHAUSTED, "out of memory listing methods");
        closure(NULL, closure_data);
    } else {
        closure(&out, closure_data);
    }
    for (size_t i = 0; i < out.n_methods; i++) {
        free(out.methods[i]);
    }
    free(out.methods);
}

rpc_registry_t *rpc_registry_new(void)
{
    rpc_registry_t *reg = calloc(1, sizeof *reg);
    if (!reg) {
        return NULL;
    }
    Concord__V1__Reflection_Service init = CONCORD__V1__REFLECTION__INIT(s_);
    reg->reflection.base = init;
    reg->reflection.reg = reg;
    reg->services[reg->n++] = &reg->reflection.base.base;
    return reg;
}

int rpc_registry_add(rpc_registry_t *reg, ProtobufCService *service)
{
    assert(reg && service && service->descriptor);
    for (size_t i = 0; i < reg->n; i++) {
        if (strcmp(reg->services[i]->descriptor->name, service->descriptor->name) == 0) {
            return -1;
        }
    }
    if (reg->n == RPC_MAX_SERVICES) {
        return -1;
    }
    reg->services[reg->n++] = service;
    return 0;
}

void rpc_registry_methods(const rpc_registry_t *reg, void (*fn)(const char *name, void *arg),
                          void *arg)
{
    char name[ENVELOPE_METHOD_MAX + 1];
    for (size_t i = 0; i < reg->n; i++) {
        const ProtobufCServiceDescriptor *d = reg->services[i]->descriptor;
        for (unsigned m = 0; m < d->n_methods; m++) {
            snprintf(name, sizeof name, "%s/%s", d->name, d->methods[m].name);
            fn(name, arg);
        }
    }
}

void rpc_registry_destroy(rpc_registry_t **reg)
{
    if (reg && *reg) {
        free(*reg);
        *reg = NULL;
    }
}

void rpc_registry_fail(void *closure_data, cc_code_t code, const char *fmt, ...)
{
    s_call_t *call = closure_data;
    va_list ap;
    va_start(ap, fmt);
    call->status.code = code;
    vsnprintf(call->status.msg, sizeof call->status.msg, fmt, ap);
    va_end(ap);
}

const envelope_t *rpc_registry_request(void *closure_data)
{
    return ((s_call_t *)closure_data)->req;
}

static void s_closure(const ProtobufCMessage *out, void *closure_data)
{
    s_call_t *call = closure_data;
    if (call->answered) {
        return; /* a handler that answers twice keeps its first answer */
    }
    call->answered = 1;
    if (!out) {
        if (call->status.code == CC_OK) {
            err_set(&call->status, CC_INTERNAL, "%s failed without a reason", call->method->name);
        }
        return;
    }
    if (out->descriptor != call->method->output) {
        err_set(&call->status, CC_INTERNAL, "%s answered with the wrong message type",
                call->method->name);
        return;
    }
    call->status.code = CC_OK;
    /* Room for the header around the body inside one envelope. */
    if (wire_pack(out, ENVELOPE_MAX - 8192, &call->body, &call->body_len, &call->status) < 0) {
        call->body = NULL;
    }
}

int rpc_registry_invoke(rpc_registry_t *reg, const char *full, const uint8_t *body,
                        size_t body_len, size_t max_len, ProtobufCClosure closure,
                        void *closure_data, const ProtobufCMethodDescriptor **method,
                        cc_err_t *status)
{
    const char *slash = strchr(full, '/');
    ProtobufCService *svc = NULL;
    ProtobufCMessage *input = NULL;
    const ProtobufCMethodDescriptor *m = NULL;

    err_clear(status);
    if (!slash) {
        err_set(status, CC_UNIMPLEMENTED, "malformed method name '%s'", full);
        return -1;
    }
    size_t svc_len = (size_t)(slash - full);
    for (size_t i = 0; i < reg->n; i++) {
        const char *name = reg->services[i]->descriptor->name;
        if (strlen(name) == svc_len && memcmp(name, full, svc_len) == 0) {
            svc = reg->services[i];
            break;
        }
    }
    if (!svc) {
        err_set(status, CC_UNIMPLEMENTED, "unknown service in '%s'", full);
        return -1;
    }
    m = protobuf_c_service_descriptor_get_method_by_name(svc->descriptor, slash + 1);
    if (!m) {
        err_set(status, CC_UNIMPLEMENTED, "unknown method '%s'", full);
        return -1;
    }
    if (method) {
        *method = m;
    }
    input = wire_unpack(m->input, body, body_len, max_len, status);
    if (!input) {
        err_prefix(status, "%s request", full);
        status->code = CC_INVALID_ARGUMENT;
        return -1;
    }
    unsigned index = (unsigned)(m - svc->descriptor->methods);
    svc->invoke(svc, index, input, closure, closure_data);
    wire_free(input);
    return 0;
}

int rpc_registry_dispatch(rpc_registry_t *reg, const envelope_t *req, uint8_t **body,
                          size_t *body_len, cc_err_t *status)
{
    const char *full = req->header->method;
    s_call_t call = {.req = req};
    int ret = -1;

    if (rpc_registry_invoke(reg, full, req->body, req->body_len, ENVELOPE_MAX, s_closure, &call,
                            &call.method, status) < 0) {
        return -1;
    }
    if (!call.answered) {
        err_set(status, CC_INTERNAL, "%s gave no answer", full);
    } else if (call.status.code == CC_OK && call.body) {
        *body = call.body;
        *body_len = call.body_len;
        call.body = NULL;
        ret = 0;
    } else {
        *status = call.status;
        if (status->code == CC_OK) {
            err_set(status, CC_INTERNAL, "%s produced no response", full);
        }
    }
    free(call.body);
    return ret;
}
