/* SPDX-License-Identifier: Apache-2.0 */
/* rpc: gRPC-style unary calls carried in signed envelopes through the
 * broker, plugged into protobuf-c's service machinery.
 *
 * Server side: the registry of services (rpc_registry.h).
 *
 * Client and peer side: an rpc_peer_t is one organisation's connection to
 * the broker: a DEALER socket with CURVE, its keys, the roster and its
 * ledger. It seals and stores every outgoing envelope before sending it,
 * verifies and stores every incoming one before acknowledging it, answers
 * requests through its registry (idempotently: a repeated call id gets the
 * stored reply and the handler does not run again), resubmits anything
 * the broker has not yet receipted, and runs outgoing calls with
 * deadlines and retries with backoff. */
#ifndef CONCORD_RPC_H
#define CONCORD_RPC_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>
#include <zmq.h>

#include "envelope.h"
#include "err.h"
#include "keys.h"
#include "ledger.h"
#include "roster.h"
#include "rpc_registry.h"

/* A delivery whose receipt time is further ahead of the node's own clock
 * than this (max_clock_skew_ms, by default) is held, not stored, folded or
 * acknowledged, until the node's clock comes within it (PROTOCOL.md 13.1). */
#define RPC_MAX_CLOCK_SKEW_MS 300000

/* ---- peer (a node's link to the broker) ---- */

typedef struct rpc_peer rpc_peer_t;

/* The outcome of one call, valid only during the rpc_done_fn callback. */
typedef struct {
    cc_code_t code;
    const char *message;                /* never NULL */
    const ProtobufCMessage *response;   /* set when code == CC_OK */
    const char *responder;              /* recipient of the call: a reply is matched to
                                         * the call only when its verified signer is it */
    uint64_t rtt_us;                    /* first send to reply */
    uint64_t request_log_index;         /* broker receipt for the request; 0 if none */
    const uint8_t *request_leaf;        /* its leaf hash in the log's tree (32 bytes) or NULL */
    uint64_t request_time_ms;           /* broker time on that receipt */
    uint64_t reply_log_index;           /* broker receipt for the reply; 0 if none */
    int retries;                        /* resends before the outcome */
} rpc_result_t;

typedef void (*rpc_done_fn)(const rpc_result_t *result, void *arg);

/* A latency histogram: counts per bucket (not cumulative), bucket i
 * holding values at most rpc_histogram_bounds_us[i] and above the one
 * before; the last bucket everything above the last bound. */
#define RPC_HISTOGRAM_BOUNDS 13
extern const uint64_t rpc_histogram_bounds_us[RPC_HISTOGRAM_BOUNDS];
typedef struct {
    uint64_t buckets[RPC_HISTOGRAM_BOUNDS + 1];
    uint64_t count;
    uint64_t sum_us;
} rpc_histogram_t;

typedef struct {
    uint64_t sent;              /* envelopes sealed and sent */
    uint64_t resent;            /* envelopes sent again, unreceipted at their deadline */
    rpc_histogram_t commit;     /* first send to the broker's receipt */
    rpc_histogram_t round_trip; /* a call's first send to its answer (successful calls) */
    uint64_t received;          /* envelopes verified and stored */
    uint64_t rejected;          /* deliveries refused (signature, replay, ...) */
    uint64_t pending_calls;     /* calls awaiting a reply */
    uint64_t unreceipted;       /* sent envelopes the broker has not receipted */
    uint64_t heads_verified;    /* signed tree heads whose signature was checked */
    uint64_t envelopes_opened;  /* delivered envelopes whose signature was checked */
    int connected;              /* handshake with the broker completed */
    int handed_over;            /* the broker gave this organisation's deliveries to another
                                   live connection (another instance): none arrive here */
    uint64_t handed_over_ms;    /* when, by the broker's clock */
    uint64_t acked_upto;        /* highest log index acknowledged since the node started */
    uint32_t ledger_max_mb;     /* rpc_peer_set_ledger_max; 0: none */
    uint64_t ledger_bytes;      /* what the ledger holds (only with a cap) */
    char holding[CC_ERR_MSG_MAX]; /* why deliveries are held (ledger failure, or a receipt
                                     time ahead of this node's clock); empty: none */
} rpc_peer_stats_t;

/* Creates a peer for keys (taken: *keys is NULLed) with the roster and
 * ledger borrowed. Replays the ledger to restore the next sequence number,
 * the replay guard and the list of envelopes still awaiting a receipt.
 * Returns NULL with err set. */
rpc_peer_t *rpc_peer_new(void *zmq_ctx, keys_t **keys, const roster_t *roster, ledger_t *ledger,
                         rpc_registry_t *registry, cc_err_t *err);

/* Connects to the broker at endpoint with CURVE (the broker's key from the
 * roster). The handshake completes in the background; Hello and any
 * resubmissions go out when it does. Returns 0 or -1.
 * endpoint may name several brokers sharing one store, separated by spaces
 * (or commas), at most CONFIG_BROKERS_MAX (config_brokers): the active one
 * and its standbys,
 * all with the roster's broker key. The peer connects to one at a time,
 * and moves to the next when that one has not completed a handshake for a
 * second (it is a standby, which does not listen, or it died, or it stopped
 * answering and its heartbeat timed out), round and round until one
 * answers; on that handshake it resends everything unreceipted. */
int rpc_peer_connect(rpc_peer_t *p, const char *endpoint, cc_err_t *err);

/* Starts a call of method method_index of service svc on recipient with
 * input. timeout_ms bounds the whole call (it becomes the header's
 * deadline). done runs exactly once, from rpc_peer_process or
 * rpc_peer_destroy, never from inside rpc_peer_call. Returns 0, or -1 with
 * err set (and done not run) if the call cannot even be started. */
int rpc_peer_call(rpc_peer_t *p, const char *recipient, const ProtobufCServiceDescriptor *svc,
                  unsigned method_index, const ProtobufCMessage *input, uint32_t timeout_ms,
                  rpc_done_fn done, void *arg, cc_err_t *err);

/* The sockets to poll for input: items[0] the DEALER, items[1] the
 * connection monitor. */
void rpc_peer_poll_items(rpc_peer_t *p, zmq_pollitem_t items[2]);

/* Handles all pending input and due timers without blocking. Returns 0, or
 * -1 while the ledger cannot store deliveries (disk full, read-only, I/O
 * error). Meanwhile nothing is acknowledged, rpc_peer_call and
 * rpc_peer_publish refuse with the ledger's own error, and every few
 * seconds the peer asks the broker to deliver again; once the failed
 * delivery is stored it returns 0 again. */
int rpc_peer_process(rpc_peer_t *p);

/* Milliseconds until the next timer is due (for zmq_poll), -1 if none. */
long rpc_peer_timeout_ms(const rpc_peer_t *p);

void rpc_peer_stats(const rpc_peer_t *p, rpc_peer_stats_t *out);
const char *rpc_peer_code(const rpc_peer_t *p);

/* Keeps reserve_mb MB free on the ledger's disk: below it, rpc_peer_call
 * (to a member) and rpc_peer_publish refuse with RESOURCE_EXHAUSTED
 * (ledger_disk_check) before storing anything; deliveries are still
 * stored and reads served. 0 (the default): no reserve. */
void rpc_peer_set_disk_reserve(rpc_peer_t *p, uint32_t reserve_mb);

/* Caps what the ledger holds at max_mb MB (ledger_size_bytes): at the cap,
 * rpc_peer_call (to a member) and rpc_peer_publish refuse with
 * RESOURCE_EXHAUSTED "LEDGER_FULL: ..." before storing anything;
 * deliveries are still stored (a node that refused them would fold
 * differently from the others) and reads served. 0 (the default): none. */
void rpc_peer_set_ledger_max(rpc_peer_t *p, uint32_t max_mb);

/* Receipt times more than skew_ms ahead of this node's clock are held
 * (RPC_MAX_CLOCK_SKEW_MS unless set). */
void rpc_peer_set_max_clock_skew(rpc_peer_t *p, uint32_t skew_ms);

/* 1 while deliveries are held because the broker's receipt times are ahead
 * of this node's clock (rpc_peer_process then returns -1 too). */
int rpc_peer_clock_held(const rpc_peer_t *p);

/* Stores an entry of the broker's log that this node should hold and does
 * not (acknowledged by another instance of this organisation while it had
 * the delivery stream): raw is the envelope at log_index, receipt its
 * receipt (packed, with its head), both already verified against the
 * broker's signed tree by the caller (`concord log fetch`). The envelope
 * is opened against the roster at log_index; one not for this node (nor
 * sent by it) or already held is skipped. Stored like history (section
 * 16.9): no sequence check, no answer to a request (the other instance
 * answered), events folded by a fold of the whole ledger again. Returns 1
 * if stored, 0 if skipped, -1 with err set. */
int rpc_peer_store_fetched(rpc_peer_t *p, uint64_t log_index, const uint8_t *raw, size_t raw_len,
                           const uint8_t *receipt, size_t receipt_len, cc_err_t *err);

/* The peer's own keys (for signing documents such as certificates); they
 * live as long as the peer. */
const keys_t *rpc_peer_keys(const rpc_peer_t *p);

/* A protobuf-c client stub for svc on recipient: calling
 * concord__v1__health__check(service, ...) starts a call whose closure
 * receives the response, or NULL on failure (rpc_last_result() then tells
 * why). Destroy with service->destroy(service). NULL when out of memory. */
ProtobufCService *rpc_peer_client(rpc_peer_t *p, const char *recipient,
                                  const ProtobufCServiceDescriptor *svc, uint32_t timeout_ms);

/* Events: one-way envelopes to every member ("*") or to a board's
 * members ("board:ID"), folded by each node that receives them in broker
 * log order. rpc_peer_publish seals one to recipient, stores and sends
 * it; its hash goes to hash_out (may be NULL). Returns 0, or -1 with err
 * set. */
int rpc_peer_publish(rpc_peer_t *p, const char *recipient, const char *method,
                     const ProtobufCMessage *body, uint8_t hash_out[32], cc_err_t *err);
/* The same for an act a person signed: person_sig (KEYS_SIG_LEN bytes, or
 * NULL) travels as Envelope.person_signature (PROTOCOL.md 16.13). */
int rpc_peer_publish_as(rpc_peer_t *p, const char *recipient, const char *method,
                        const ProtobufCMessage *body, const uint8_t *person_sig,
                        uint8_t hash_out[32], cc_err_t *err);

/* The engines have folded the event at log_index (live or from the
 * ledger): a later delivery of an event at or below the highest such
 * index is history (a board this node joined: PROTOCOL.md "Audiences"),
 * stored without the sequence guard and not handed to the event
 * callback; fn (rpc_peer_on_history) runs instead, and the node folds its
 * ledger again. */
void rpc_peer_folded(rpc_peer_t *p, uint64_t log_index);
void rpc_peer_on_history(rpc_peer_t *p, void (*fn)(uint64_t log_index, void *arg), void *arg);

/* fn runs once for every event this node folds, in broker log order, as
 * it arrives (its own events included, when the broker delivers them
 * back). time_ms is the broker's receipt time. */
typedef void (*rpc_event_fn)(const envelope_t *env, uint64_t log_index, uint64_t time_ms,
                             void *arg);
void rpc_peer_on_event(rpc_peer_t *p, rpc_event_fn fn, void *arg);

/* fn runs when the broker refuses, for good, an event this node published
 * (rpc_peer_publish): hash is the envelope's, code and msg the broker's
 * reason. Nothing of it will be folded. */
typedef void (*rpc_refused_fn)(const uint8_t hash[32], cc_code_t code, const char *msg,
                               void *arg);
void rpc_peer_on_refused(rpc_peer_t *p, rpc_refused_fn fn, void *arg);

/* fn runs when an event this node published was sealed again with a new
 * sequence (the broker had a later one of ours): the event that will be
 * folded is new_hash, no longer old_hash. */
typedef void (*rpc_resealed_fn)(const uint8_t old_hash[32], const uint8_t new_hash[32],
                                void *arg);
void rpc_peer_on_resealed(rpc_peer_t *p, rpc_resealed_fn fn, void *arg);

/* Switches to new keys (taken: *keys is NULLed), after a key rotation
 * of this organisation passed: what the peer signs from now on is
 * signed with them, and a connected peer reconnects to the broker with
 * the new transport key (envelopes awaiting a receipt go again). The
 * sockets change: callers poll rpc_peer_poll_items afresh. Returns 0, or
 * -1 with err if the new connection cannot be set up. */
int rpc_peer_rekey(rpc_peer_t *p, keys_t **keys, cc_err_t *err);

/* Inside a client stub's closure: the full result of the call. */
const rpc_result_t *rpc_last_result(void);

/* Cancels outstanding calls (done runs with CC_CANCELLED), closes the
 * sockets, destroys the keys. Safe on NULL. */
void rpc_peer_destroy(rpc_peer_t **p);

#endif
