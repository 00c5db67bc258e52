/* SPDX-License-Identifier: Apache-2.0 */
/* proc: one launcher for Concord's child processes. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

/* In the child, before exec: only async-signal-safe calls. */
static void s_child(const proc_spec_t *spec)
{
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0) {
        _exit(127);
    }
    if (spec->log) {
        int out = open(spec->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (out < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) {
            _exit(127);
        }
    }
    if (spec->detach && setsid() < 0) {
        _exit(127);
    }
    if (spec->die_with_us) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
    }
    if (spec->fsize_max) {
        /* Soft limit only: the caller can raise it again unprivileged. */
        struct rlimit rl = {.rlim_cur = spec->fsize_max, .rlim_max = RLIM_INFINITY};
        signal(SIGXFSZ, SIG_IGN); /* stays ignored across exec */
        setrlimit(RLIMIT_FSIZE, &rl);
    }
    execv(spec->argv[0], spec->argv);
    _exit(127);
}

pid_t proc_spawn(const proc_spec_t *spec, cc_err_t *err)
{
    pid_t pid = fork();
    if (pid < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "cannot start %s: %s", spec->argv[0],
                strerror(errno));
        return -1;
    }
    if (pid == 0) {
        s_child(spec);
    }
    return pid;
}

static int s_status(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int proc_wait(pid_t pid, uint64_t timeout_ms)
{
    uint64_t end = clock_mono_ms() + timeout_ms;
    for (;;) {
        int status = 0;
        pid_t got = waitpid(pid, &status, WNOHANG);
        if (got == pid) {
            return s_status(status);
        }
        if (got < 0 || clock_mono_ms() >= end) {
            return -1;
        }
        struct timespec ts = {0, 5 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
}

int proc_stop(pid_t pid, int sig, uint64_t timeout_ms, int *forced)
{
    int status = 0;
    if (forced) {
        *forced = 0;
    }
    if (pid <= 0) {
        return -1;
    }
    kill(pid, sig);
    int rc = proc_wait(pid, timeout_ms);
    if (rc >= 0) {
        return rc;
    }
    if (forced) {
        *forced = 1;
    }
    kill(pid, SIGKILL);
    if (waitpid(pid, &status, 0) != pid) {
        return -1;
    }
    return s_status(status);
}

const char *proc_status_text(int status, char *buf, size_t size)
{
    if (status > 128) {
        snprintf(buf, size, "was killed by signal %d", status - 128);
    } else if (status >= 0) {
        snprintf(buf, size, "exited with status %d", status);
    } else {
        snprintf(buf, size, "is still running");
    }
    return buf;
}
