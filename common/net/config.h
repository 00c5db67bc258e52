/* SPDX-License-Identifier: Apache-2.0 */
/* config: INI configuration for the broker and the node, parsed with
 * libinih. Relative paths are resolved against the directory holding the
 * config file. Unknown sections or keys, missing required keys and bad
 * values are errors naming the file, line and key. */
#ifndef CONCORD_CONFIG_H
#define CONCORD_CONFIG_H

#include <stdint.h>

#include "err.h"
#include "log.h"

#define CONFIG_PATH_MAX 1024

/* [broker]
 * listen = tcp://127.0.0.1:7400      (required)
 * key = broker.key                   (required; secret key file)
 * roster = roster.bin                (required)
 * data = broker.db                   (the SQLite file of the log and mailboxes;
 *                                     required unless store is set)
 * store = postgresql://...           (instead of data: the log and mailboxes in
 *                                     this PostgreSQL database, a libpq URI)
 * log_level = info                   (error|warn|info|debug)
 * metrics = 127.0.0.1:9465           (optional: Prometheus text at /metrics)
 * mailbox_window = 64                (deliveries in flight per node, 1..4096)
 * fsync = true                       (false only for benchmarks)
 * send_hwm = 256                     (frames queued to one connection, 16..100000)
 * recv_hwm = 256                     (frames queued from one connection, 16..100000)
 * handshake_ms = 5000                (CURVE handshake timeout, 500..60000)
 * unauthenticated_max = 256          (connections not yet authenticated, 0: no cap)
 * unauthenticated_per_address = 32   (of them from one source address, 0: no cap)
 * sequence_step_max = 1000000        (largest rise of a sender's sequence; 0: none)
 * disk_reserve_mb = 64               (free space below which new envelopes are
 *                                     refused; 0: none)
 * clock_jump_max_ms = 3600000        (wall clock drift while running that stops
 *                                     receipts; 0: none)
 * clock_ahead_max_ms = 604800000     (clock ahead of the last receipt refused at
 *                                     start; 0: no limit)
 * clock_override = false             (start despite a clock behind or far ahead)
 * direct_per_batch = 4               (requests to the broker itself, such as
 *                                     Log/Read, answered per member per batch; 0: all)
 * verify_threads = (cores)           (threads opening envelopes beside the loop,
 *                                     0..64; default: the cores online; 0: the
 *                                     loop opens each itself)
 * Per-member quotas on what the broker logs (0: no limit), see
 * docs/OPERATIONS.md "Quotas":
 * quota_envelopes_per_second = 50     (bursts)
 * quota_bytes_per_second = 1048576
 * quota_envelopes_per_minute = 1200
 * quota_bytes_per_minute = 8388608
 * quota_envelopes_per_day = 200000
 * quota_bytes_per_day = 268435456
 * quota_event_bytes = 131072         (largest event envelope)
 * quota_vote_bytes = 4096            (largest concord.v1.Board/Vote event)
 * quota_mailbox_bytes = 67108864     (requests and replies waiting for one
 *                                     recipient: more to it are refused)
 * quota_scale = E38000217:4, X24:0   (per member: its limits times N, 0: none) */
typedef struct {
    char listen[CONFIG_PATH_MAX];
    char key[CONFIG_PATH_MAX];
    char roster[CONFIG_PATH_MAX];
    char data[CONFIG_PATH_MAX];
    char store[CONFIG_PATH_MAX]; /* a PostgreSQL URI; empty: the SQLite file data */
    log_level_t log_level;
    uint32_t mailbox_window;
    int fsync;
    uint32_t send_hwm;
    uint32_t recv_hwm;
    uint32_t direct_per_batch;
    uint32_t verify_threads;
    uint32_t handshake_ms;
    uint32_t clock_jump_max_ms;
    uint32_t disk_reserve_mb;
    uint32_t sequence_step_max;
    uint32_t clock_ahead_max_ms;
    int clock_override;
    uint32_t unauthenticated_max;
    uint32_t unauthenticated_per_address;
    uint32_t quota_envelopes_per_second;
    uint32_t quota_bytes_per_second;
    uint32_t quota_envelopes_per_minute;
    uint32_t quota_bytes_per_minute;
    uint32_t quota_envelopes_per_day;
    uint32_t quota_bytes_per_day;
    uint32_t quota_event_bytes;
    uint32_t quota_vote_bytes;
    uint32_t quota_mailbox_bytes;
    char quota_scale[256];
    char metrics[64]; /* "127.0.0.1:9465": Prometheus endpoint; empty: none */
} config_broker_t;

/* [node]
 * code = E38000217                   (required; must match the key file)
 * key = E38000217.key                (required)
 * key_next = E38000217-next.key      (keys a pending rotation switches to)
 * bootstrap = history.cert           (a member's `roster export`: for an
 *                                     organisation admitted after genesis)
 * roster = roster.bin                (required)
 * broker = tcp://127.0.0.1:7400      (required; several brokers sharing one
 *                                     PostgreSQL store separated by spaces:
 *                                     rpc_peer_connect, docs/DEPLOYMENT.md)
 * ledger = E38000217.db              (required)
 * control = E38000217.sock           (required; ipc socket path for the CLI)
 * metrics = 127.0.0.1:9464           (optional: Prometheus text at /metrics)
 * control_group = concord            (optional: the socket is 0660 and owned by
 *                                     this group, so its members may use the CLI;
 *                                     without it 0600, the service user only)
 * log_level = info
 * call_timeout_ms = 10000            (default deadline of a call, 1..86400000)
 * fsync = true
 * disk_reserve_mb = 64               (free space below which this node's own
 *                                     new requests and events are refused;
 *                                     0: none)
 * ledger_max_mb = 0                  (what the ledger may hold: at it this
 *                                     node's own new requests and events are
 *                                     refused, LEDGER_FULL; 0: no cap)
 * max_clock_skew_ms = 300000         (a receipt time further ahead of this
 *                                     node's clock is held, not folded:
 *                                     PROTOCOL.md 13.1; 1000..2592000000)
 * Automatic voting, for simulations and rehearsals (manual by default):
 * auto_vote = false                  (true: this node votes by the policy below)
 * auto_vote_abstain_areas = ...      (service areas, comma-separated: ABSTAIN)
 * auto_vote_against_areas = ...      (service areas: AGAINST)
 * auto_vote_against_above = 0        (pence; above it AGAINST; 0 = no limit)
 * auto_vote_for_below = 0            (pence; at or above it no vote; 0 = no limit)
 * Otherwise FOR. Charter adoptions naming this node are voted FOR.
 * The read-only web dashboard (docs/DASHBOARD.md), off unless set:
 * dashboard = 127.0.0.1:8470         (address:port; a non-loopback address
 *                                     needs all three below)
 * dashboard_cert = dashboard.crt     (TLS certificate chain, PEM)
 * dashboard_key = dashboard.key.pem  (its private key, PEM)
 * dashboard_token = dashboard.token  (file holding the access token) */
typedef struct {
    char code[32];
    char key[CONFIG_PATH_MAX];
    char key_next[CONFIG_PATH_MAX];
    char bootstrap[CONFIG_PATH_MAX];
    char roster[CONFIG_PATH_MAX];
    char broker[CONFIG_PATH_MAX];
    char ledger[CONFIG_PATH_MAX];
    char control[CONFIG_PATH_MAX];
    char control_group[64]; /* empty: the socket is the service user's alone */
    char metrics[64];       /* "127.0.0.1:9464": Prometheus endpoint; empty: none */
    log_level_t log_level;
    uint32_t call_timeout_ms;
    int fsync;
    uint32_t disk_reserve_mb;
    uint32_t max_clock_skew_ms;
    uint32_t ledger_max_mb;
    int auto_vote;
    uint64_t auto_vote_against_above;
    uint64_t auto_vote_for_below;
    char auto_vote_abstain_areas[256];
    char auto_vote_against_areas[256];
    char dashboard[256];
    char dashboard_cert[CONFIG_PATH_MAX];
    char dashboard_key[CONFIG_PATH_MAX];
    char dashboard_token[CONFIG_PATH_MAX];
} config_node_t;

/* The brokers of a node's broker value: addresses separated by spaces (or
 * commas), at most CONFIG_BROKERS_MAX, each shorter than
 * CONFIG_BROKER_ADDR and starting tcp:// or ipc://, copied to out.
 * Returns how many (at least 1), or -1 with CC_INVALID_ARGUMENT. */
#define CONFIG_BROKERS_MAX 8
#define CONFIG_BROKER_ADDR 256
int config_brokers(const char *value, char out[][CONFIG_BROKER_ADDR], cc_err_t *err);

/* Load and validate. Return 0 or -1 with CC_INVALID_ARGUMENT (or
 * CC_NOT_FOUND for a missing file) and a reason such as
 * "node.ini:4: unknown key 'brokr' in [node]". */
int config_load_broker(const char *path, config_broker_t *out, cc_err_t *err);
int config_load_node(const char *path, config_node_t *out, cc_err_t *err);

#endif
