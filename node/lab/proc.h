/* SPDX-License-Identifier: Apache-2.0 */
/* proc: starting and stopping Concord's processes (a broker, nodes, the
 * CLI) as children: the one launcher that `concord federation`, the
 * integration tests and the benchmark share. */
#ifndef CONCORD_PROC_H
#define CONCORD_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

typedef struct {
    char *const *argv;  /* argv[0] is the program's path; NULL-terminated */
    const char *log;    /* stdout and stderr appended here; NULL keeps ours */
    int detach;         /* a session of its own (survives our exit) */
    int die_with_us;    /* killed (SIGKILL) when this process exits */
    uint64_t fsize_max; /* a soft RLIMIT_FSIZE with SIGXFSZ ignored; 0 for none */
} proc_spec_t;

/* Starts spec's program with stdin from /dev/null. Returns its pid, or -1
 * with err (RESOURCE_EXHAUSTED when fork fails). A program that cannot be
 * executed exits with status 127. */
pid_t proc_spawn(const proc_spec_t *spec, cc_err_t *err);

/* Waits up to timeout_ms for our child pid to end. Returns its exit
 * status, 128 + the signal that killed it, or -1 if it still runs (or is
 * not our child). */
int proc_wait(pid_t pid, uint64_t timeout_ms);

/* Sends sig to our child pid and waits up to timeout_ms for it to end,
 * then kills it with SIGKILL and reaps it. Returns its status as
 * proc_wait does; *forced (if not NULL) says whether SIGKILL was needed.
 * -1 for pid <= 0. */
int proc_stop(pid_t pid, int sig, uint64_t timeout_ms, int *forced);

/* How a status from proc_wait ended, in words ("exited with status 2",
 * "was killed by signal 9"), into buf. */
const char *proc_status_text(int status, char *buf, size_t size);

#endif
