/* SPDX-License-Identifier: Apache-2.0 */
/* engine: what an engine of the node (the boards, the pools) gives the
 * node, as one row of node.c's table: its name, how it is made from the
 * node's parts, the event handler every broadcast event goes through (in
 * broker log order, live and in the replay at start), the end of the
 * replay, its timers' next deadline and their work, its Control methods
 * and how it is destroyed. node.c only wires the rows together: adding an
 * engine is a row there and the engine's own files, and touches no other
 * engine (one that follows another finds it by name). */
#ifndef CONCORD_ENGINE_H
#define CONCORD_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

#include "board.h"
#include "config.h"
#include "envelope.h"
#include "ledger.h"
#include "roster.h"
#include "rpc.h"

/* What an engine is made from. */
typedef struct engine_env {
    const config_node_t *cfg;
    roster_t *roster; /* changes as the boards decide (key rotations, mergers) */
    ledger_t *ledger;
    rpc_peer_t *peer;
    board_roster_fn on_roster; /* the node's, after each roster change */
    void *on_roster_arg;
    /* The engine named name made before this one (rows are made in table
     * order), or NULL. */
    void *(*find)(const struct engine_env *env, const char *name);
    void *node; /* for find */
} engine_env_t;

/* One Control method an engine answers: its name in concord.v1.Control
 * ("BoardList") and its handler, of the type protoc-c gives that method
 * in Concord__V1__Control_Service, cast to this generic form. The handler
 * finds its engine with control_self(call). */
typedef struct {
    const char *method;
    void (*handler)(void);
} engine_method_t;

typedef struct {
    const char *name;
    /* Makes the engine for replaying; NULL with err set. */
    void *(*create)(const engine_env_t *env, cc_err_t *err);
    /* An rpc_event_fn: every broadcast event, in broker log order. */
    void (*on_event)(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *self);
    /* The replay is over: the engine acts live from now on. May be NULL. */
    void (*start)(void *self);
    /* The monotonic clock (clock_mono_ms) at which its next timer is due,
     * or 0 for none; the node sleeps no longer. May be NULL. */
    uint64_t (*deadline)(const void *self);
    /* Runs the timers that are due (called after every turn of the loop,
     * whether or not one is). May be NULL. */
    void (*tick)(void *self);
    /* Frees the engine; requests it still holds are answered first. */
    void (*destroy)(void *self);
    const engine_method_t *methods;
    size_t n_methods;
    /* The node's config was read again (SIGHUP, node_reload): the engine
     * takes the settings it keeps from it afresh. May be NULL. */
    void (*reload)(void *self);
    /* The broker refused, for good, an event this node published (hash):
     * a request waiting for its fold is answered with why. May be NULL. */
    void (*refused)(void *self, const uint8_t hash[32], const cc_err_t *why);
    /* An event this node published was sealed again: it will be folded
     * as new_hash, not old_hash. May be NULL. */
    void (*resealed)(void *self, const uint8_t old_hash[32], const uint8_t new_hash[32]);
} engine_t;

/* A method row of handler h (cast to the generic form). */
#define ENGINE_METHOD(name, h)                                                                     \
    {                                                                                              \
        name, (void (*)(void))(h)                                                                  \
    }

#endif
