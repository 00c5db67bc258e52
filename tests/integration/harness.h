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
} fed_t;

/* Creates n organisations (n <= FED_MAX) with keys, a roster signed by all
 * and configs, in a fresh temporary directory, on a free port. */
void fed_create(fed_t *f, int n);

/* The same with the caller's organisations (codes and names, n <= FED_MAX). */
void fed_create_from(fed_t *f, const char *const *codes, const char *const *names, int n);

/* Appends lines (e.g. "auto_vote = true\n") to node i's [node] section;
 * call before starting the node. */
void fed_node_config_append(const fed_t *f, int i, const char *text);

void fed_start_broker(fed_t *f);
void fed_start_node(fed_t *f, int i);

/* Waits until node i reports a completed broker handshake (20 s max). */
void fed_wait_connected(fed_t *f, int i);

/* Sends sig and waits for the process to end; returns its exit status
 * (128+signal if killed). */
int fed_stop_broker(fed_t *f, int sig);
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

/* Kills whatever still runs and removes the directory. */
void fed_destroy(fed_t *f);

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
