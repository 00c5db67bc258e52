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
 * data = broker.db                   (required; SQLite log and mailboxes)
 * log_level = info                   (error|warn|info|debug)
 * metrics = 127.0.0.1:9465           (optional: Prometheus text at /metrics)
 * mailbox_window = 64                (deliveries in flight per node, 1..4096)
 * fsync = true                       (false only for benchmarks) */
typedef struct {
    char listen[CONFIG_PATH_MAX];
    char key[CONFIG_PATH_MAX];
    char roster[CONFIG_PATH_MAX];
    char data[CONFIG_PATH_MAX];
    log_level_t log_level;
    uint32_t mailbox_window;
    int fsync;
    char metrics[64]; /* "127.0.0.1:9465": Prometheus endpoint; empty: none */
} config_broker_t;

/* [node]
 * code = E38000217                   (required; must match the key file)
 * key = E38000217.key                (required)
 * key_next = E38000217-next.key      (keys a pending rotation switches to)
 * bootstrap = history.cert           (a member's `roster export`: for an
 *                                     organisation admitted after genesis)
 * roster = roster.bin                (required)
 * broker = tcp://127.0.0.1:7400      (required)
 * ledger = E38000217.db              (required)
 * control = E38000217.sock           (required; ipc socket path for the CLI)
 * metrics = 127.0.0.1:9464           (optional: Prometheus text at /metrics)
 * control_group = concord            (optional: the socket is 0660 and owned by
 *                                     this group, so its members may use the CLI;
 *                                     without it 0600, the service user only)
 * log_level = info
 * call_timeout_ms = 10000            (default deadline of a call, 1..86400000)
 * fsync = true
 * Automatic voting, for simulations and rehearsals (manual by default):
 * auto_vote = false                  (true: this node votes by the policy below)
 * auto_vote_abstain_areas = ...      (service areas, comma-separated: ABSTAIN)
 * auto_vote_against_areas = ...      (service areas: AGAINST)
 * auto_vote_against_above = 0        (pence; above it AGAINST; 0 = no limit)
 * auto_vote_for_below = 0            (pence; at or above it no vote; 0 = no limit)
 * Otherwise FOR. Charter adoptions naming this node are voted FOR. */
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
    int auto_vote;
    uint64_t auto_vote_against_above;
    uint64_t auto_vote_for_below;
    char auto_vote_abstain_areas[256];
    char auto_vote_against_areas[256];
} config_node_t;

/* Load and validate. Return 0 or -1 with CC_INVALID_ARGUMENT (or
 * CC_NOT_FOUND for a missing file) and a reason such as
 * "node.ini:4: unknown key 'brokr' in [node]". */
int config_load_broker(const char *path, config_broker_t *out, cc_err_t *err);
int config_load_node(const char *path, config_node_t *out, cc_err_t *err);

#endif
