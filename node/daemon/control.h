/* SPDX-License-Identifier: Apache-2.0 */
/* control: the node's local control socket, through which the `concord`
 * CLI (and the scenario runner, and the benchmark) drive their own node.
 * Each request is a ControlCall naming one method of the Control service
 * (proto/control.proto) with its packed request; each answer is a
 * ControlAnswer with a status and the method's packed reply. The socket
 * is a ZeroMQ ROUTER bound to an ipc path of mode 0600.
 *
 * Dispatch goes through an rpc_registry_t holding the one Control
 * service, a table of one handler per method: the node's own (status,
 * ping, ledger, log verification, roster) from control.c, the engines'
 * as node.c registers them from their rows (engine.h), each with the
 * engine it belongs to (control_self). A handler gets the call as
 * closure_data and answers it exactly once, at once or later (a ping, a
 * published event's fold), with control_answer or control_fail; the call
 * lives until then. */
#ifndef CONCORD_CONTROL_H
#define CONCORD_CONTROL_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "control.pb-c.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

typedef struct {
    void *socket;
    rpc_peer_t *peer;
    ledger_t *ledger;
    const roster_t *roster;
    const config_node_t *cfg;
    uint64_t started_ms;
    const int *failed;
    uint64_t log_missing; /* entries for this node the last log verify found missing */
} control_ctx_t;

/* One request being served; opaque to handlers. */
typedef struct control_call control_call_t;

/* The number of methods of the Control service, at most. */
#define CONTROL_METHODS_MAX 64

/* The Control service table, bound to a node's context. */
typedef struct {
    Concord__V1__Control_Service base;
    control_ctx_t *c;
    void *self[CONTROL_METHODS_MAX]; /* each method's engine, for control_self */
} control_service_t;

/* The Control service of context c, for an rpc_registry_t, holding the
 * node's own methods; the others answer UNIMPLEMENTED until added. c is
 * borrowed. */
void control_service_init(control_service_t *s, control_ctx_t *c);

/* Adds handler (of the method's protoc-c type, cast) for method (its
 * name in concord.v1.Control, "BoardList"), run with self as its
 * control_self. Returns 0, or -1 with err for an unknown method or one
 * that already has a handler. */
int control_service_add(control_service_t *s, const char *method, void (*handler)(void),
                        void *self, cc_err_t *err);

/* The methods whose handlers were added with old_self now get new_self
 * (an engine made again when the node folds its ledger again). */
void control_service_rebind(control_service_t *s, void *old_self, void *new_self);

/* The context a handler's service belongs to. */
control_ctx_t *control_ctx_of(Concord__V1__Control_Service *service);

/* The engine (the self it was added with) whose handler serves call. */
void *control_self(void *call);

/* Answers call OK with reply (a message of the method's reply type) and
 * frees the call. */
void control_answer(void *call, const ProtobufCMessage *reply);

/* Answers call with an error (code not OK) and frees the call. */
void control_fail(void *call, cc_code_t code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Handles every request waiting on the control socket of svc's context,
 * dispatching through reg (which holds svc). */
void control_handle(control_service_t *svc, rpc_registry_t *reg);

/* Allocations that one reply's nested messages need, freed together once
 * the reply is sent. control_alloc returns zeroed memory, or NULL (and
 * marks the arena failed) when memory runs out. */
typedef struct {
    void **ptrs;
    size_t n;
    int failed;
} control_arena_t;

void *control_alloc(control_arena_t *a, size_t size);
/* An array of n pointers to zeroed messages of descriptor d, initialised;
 * NULL when n is 0 or memory runs out (see failed). */
void *control_alloc_messages(control_arena_t *a, const ProtobufCMessageDescriptor *d, size_t n);
char *control_strdup(control_arena_t *a, const char *s);
void control_arena_free(control_arena_t *a);

/* Answers call with reply, or RESOURCE_EXHAUSTED if the arena failed;
 * then frees the arena. */
void control_answer_arena(void *call, const ProtobufCMessage *reply, control_arena_t *a);

/* A string field for a message: s, or "" for NULL (borrowed). */
char *control_str(const char *s);

#endif
