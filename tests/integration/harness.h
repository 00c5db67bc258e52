/* SPDX-License-Identifier: Apache-2.0 */
/* harness: real federations for integration tests: keys and a signed
 * roster made with the `concord` CLI, the real concord-broker and concordd
 * processes on loopback TCP, temporary directories removed afterwards. */
#ifndef CONCORD_TEST_HARNESS_H
#define CONCORD_TEST_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "keys.h"
#include "link.pb-c.h"
#include "roster.h"

#define FED_MAX 32

typedef struct {
    char dir[128];
    int port;
    int n;                         /* organisations in the roster */
    char codes[FED_MAX][KEYS_CODE_MAX + 1];
    pid_t node_pid[FED_MAX];
    pid_t broker_pid;
    pid_t proxy_pid[FED_MAX];      /* fed_proxy_node: a cuttable TCP relay */
    uint64_t node_fsize[FED_MAX];  /* RLIMIT_FSIZE for node i's process; 0: none */
    /* Active and standby brokers (CONCORD_TEST_BROKERS=2 on a PostgreSQL
     * store): broker_pid is the active one; the standby runs the other
     * config (broker.ini on port, broker-b.ini on port_b); every node's
     * config names both. 0: one broker. */
    int port_b;
    pid_t standby_pid;
    int active_b;                  /* the active one runs broker-b.ini */
    int brokers_started;           /* each logs to logs/broker.log, then broker-<N>.log */
    char standby_log[16];
} fed_t;

/* A loopback TCP port the kernel says is free right now. */
int fed_free_port(void);

/* Creates n organisations (n <= FED_MAX) with keys, a roster signed by all
 * and configs, in a fresh temporary directory, on a free port. */
void fed_create(fed_t *f, int n);

/* The same with the caller's organisations (codes and names, n <= FED_MAX). */
void fed_create_from(fed_t *f, const char *const *codes, const char *const *names, int n);

/* Appends lines (e.g. "auto_vote = true\n") to node i's [node] section;
 * call before starting the node. */
void fed_node_config_append(const fed_t *f, int i, const char *text);
/* Appends text to the broker's config ([broker] section); call before
 * starting the broker. */
void fed_broker_config_append(const fed_t *f, const char *text);

/* Replaces the line `from` (which must be there) in node i's config with
 * `to`; call before starting the node. */
void fed_node_config_replace(const fed_t *f, int i, const char *from, const char *to);

/* With two brokers (fed_t port_b): starts the active one and then the
 * standby, waiting for each to say which it is; or, once the active one
 * was stopped, waits for the standby to take over and starts the stopped
 * one's config again as the new standby (a supervisor's restart). */
void fed_start_broker(fed_t *f);
/* Starts the broker and every node, and waits until all are connected. */
void fed_start_all(fed_t *f);
/* Starts another broker program built into the build directory (e.g.
 * "evil_broker") with the same configuration. */
void fed_start_broker_as(fed_t *f, const char *prog);
void fed_start_node(fed_t *f, int i);

/* Waits until node i reports a completed broker handshake (20 s max). */
void fed_wait_connected(fed_t *f, int i);

/* Sends sig and waits for the process to end; returns its exit status
 * (128+signal if killed). With two brokers: the active one (the standby
 * takes over). */
int fed_stop_broker(fed_t *f, int sig);
/* Starts another concord-broker with config (a file in the federation's
 * directory), logging to logs/<name>.log; the caller reaps it. */
pid_t fed_spawn_broker(fed_t *f, const char *name, const char *config);
int fed_stop_node(fed_t *f, int i, int sig);

/* Runs `concord --config <node i>.ini ARGS` (i < 0: no config), capturing
 * stdout and stderr into *out (caller frees; may be NULL). Returns the exit
 * status. */
int fed_cli(fed_t *f, int i, char **out, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Runs `ARGS` on node i (as fed_cli) until its output contains needle
 * (present = 1) or no longer contains it (present = 0), for at most
 * timeout_ms; returns that output (caller frees) or fails the test. */
char *fed_cli_until(fed_t *f, int i, const char *needle, int present, int timeout_ms,
                    const char *args);

/* Copies the 32-character id following "\"id\":\"" in JSON output, or
 * fails the test. */
void fed_json_id(const char *json, char id[33]);

/* Starts the same in the background; fed_cli_wait collects it. */
pid_t fed_cli_bg(fed_t *f, int i, const char *outfile, const char *args);
int fed_cli_wait(pid_t pid);

/* 1 if the log of `name` ("broker" or a code) contains needle. */
int fed_log_contains(const fed_t *f, const char *name, const char *needle);

/* Reads a whole file into a malloc'd string (NULL if unreadable). */
char *fed_slurp(const char *path);

/* ---- faults ---- */

/* The seed for a randomised test: CONCORD_SEED if set, otherwise one
 * derived from the time and process id. Printed to stderr with the line
 * that replays it. */
uint64_t fed_seed(const char *test);

/* A number in [0, n) from the generator state *rng (n > 0). */
uint32_t fed_rand(uint64_t *rng, uint32_t n);

/* One CLI command of a chaos run and how it ended: rc is the CLI's exit
 * status (0: acknowledged), or -1 if the test killed it with its node. */
typedef struct {
    int node;
    char args[512];
    int rc;
    char *out; /* its output, malloc'd (fed_chaos_free) */
} fed_step_t;

#define FED_BROKER (-1)
#define FED_ANY_NODE (-2)

/* Runs the steps' commands in the background, in order, a random 0-300 ms
 * apart, while killing the victim (FED_BROKER, FED_ANY_NODE: a random node
 * each time, or a node index) with SIGKILL `kills` times at random moments
 * and restarting it after a random 50-1200 ms. A CLI still waiting on a
 * killed node is killed too (its command is then unacknowledged). Returns
 * once every command has ended and the victim runs again, with the number
 * of kill/restart cycles done. */
int fed_chaos(fed_t *f, fed_step_t *steps, int n, int victim, int kills, uint64_t *rng);
void fed_chaos_free(fed_step_t *steps, int n);

/* Puts a TCP relay between node i and the broker (call before starting
 * the node): node i's config then names the relay. fed_proxy_cut stops
 * the relay (SIGSTOP: connections stay open, nothing passes, as in a
 * network partition); fed_proxy_mend lets traffic through again. */
void fed_proxy_node(fed_t *f, int i);
void fed_proxy_cut(fed_t *f, int i);
void fed_proxy_mend(fed_t *f, int i);

/* Sets the largest file node i's process may write (RLIMIT_FSIZE, with
 * SIGXFSZ ignored, so a write past it fails with EFBIG as on a full
 * disk), from its next start; or, with the node running, changes it in
 * place (prlimit). bytes 0: no limit. */
void fed_node_fsize(fed_t *f, int i, uint64_t bytes);

/* Waits until node i is connected with nothing left unreceipted and no
 * call waiting (60 s max). */
void fed_wait_settled(fed_t *f, int i);

/* Remembers a directory made with `concord federation init` so that
 * fed_dir_teardown, a cmocka teardown, stops its processes (`concord
 * federation stop`) and removes it, even when the test failed half-way. */
void fed_dir_track(const char *dir);
int fed_dir_teardown(void **state);

/* Kills whatever still runs and removes the directory. Safe to call again
 * (it then does nothing). */
void fed_destroy(fed_t *f);

/* A cmocka teardown for a test given a fed_t as its initial state (with
 * cmocka_unit_test_prestate_setup_teardown): destroys it even when the
 * test failed, so that no process outlives the test. */
int fed_teardown(void **state);

/* Runs `ARGS` (which must succeed) on nodes i and j and fails the test
 * unless both print exactly the same. */
void fed_assert_same(fed_t *f, int i, int j, const char *args);

/* Occurrences of needle in hay. */
int fed_count(const char *hay, const char *needle);

/* Waits up to timeout_ms for the log of `name` to contain needle;
 * returns 1 if it does. */
int fed_wait_log(const fed_t *f, const char *name, const char *needle, int timeout_ms);

/* Waits until node i holds proposal id, then votes on it (vote: "for",
 * "against" or "abstain", optionally followed by more arguments), which
 * must succeed. */
void fed_vote(fed_t *f, int i, const char *id, const char *vote);

/* Creates board id from node members[0]: the members (node indexes, n of
 * them), deciding by rule ("majority", "unanimity", ...) with quorum 1/2
 * and no reserved matters. Each member votes FOR the charter, explicitly
 * unless auto_vote (their nodes then vote by themselves: auto_vote = true
 * in their configs). Returns once every member's node sees it active. */
void fed_board_create(fed_t *f, const char *id, const char *rule, const int *members, int n,
                      int auto_vote);

/* The board that decides the agreements of fed_pool_agreement. */
#define FED_POOL_BOARD "PLY-JCB"

/* Sets auto_vote = true on every node, starts the federation (fed_start_all)
 * and creates FED_POOL_BOARD of every organisation by majority, so that
 * any two FOR pass a proposal without the third member. The federation's
 * organisations must include both partners of fed_pool_agreement. */
void fed_start_with_pool_board(fed_t *f);

/* Writes a s75 pooled-fund agreement with this id between Plymouth City
 * Council (E06000026, the host) and NHS Northern, Eastern and Western
 * Devon CCG (E38000129), to be decided by FED_POOL_BOARD, into the
 * federation directory; its path goes to path. */
void fed_pool_agreement(const fed_t *f, const char *id, char *path, size_t size);

/* Proposes that agreement with this id from node i to FED_POOL_BOARD,
 * which must accept it (the node has then folded the proposal); the
 * proposal's id goes to proposal unless NULL. The pool exists once the
 * board has voted it through (automatically after
 * fed_start_with_pool_board). */
void fed_pool_propose(fed_t *f, int i, const char *id, char proposal[33]);

/* How many times a crash test kills the broker in one phase:
 * CONCORD_CRASH_BROKER_KILLS, or dflt when unset. */
int fed_broker_kills(int dflt);

/* For randomised tests: runs round(seed) for CONCORD_CRASH_ROUNDS
 * consecutive seeds (default_rounds when unset) from fed_seed(test). */
void fed_rounds(const char *test, int default_rounds, void (*round)(uint64_t seed));

/* Loads organisation i's secret keys from the federation directory. */
keys_t *fed_keys(const fed_t *f, int i);
roster_t *fed_roster(const fed_t *f);

/* A bare DEALER connected to the broker with k's transport keys, for
 * sending hand-made frames. */
typedef struct {
    void *ctx;
    void *sock;
} raw_t;

void raw_connect(raw_t *r, const fed_t *f, const keys_t *k, const uint8_t *curve_pk_override,
                 const uint8_t *curve_sk_override);
/* Submits packed envelope bytes; returns the broker's result (wire_free it)
 * or NULL if none came within timeout_ms. */
Concord__V1__SubmitResult *raw_submit(raw_t *r, const uint8_t *env, size_t len, int timeout_ms);
/* Sends one frame exactly as given (for frames no node would send) and
 * returns the broker's next result, or NULL. */
Concord__V1__SubmitResult *raw_send_frame(raw_t *r, const uint8_t *frame, size_t len,
                                          int timeout_ms);
void raw_close(raw_t *r);

#endif
