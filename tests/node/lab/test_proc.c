/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for proc: the one launcher of Concord's child processes. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "proc.h"

static pid_t s_sh(const char *script, const char *log)
{
    char *argv[] = {"/bin/sh", "-c", (char *)script, NULL};
    proc_spec_t spec = {.argv = argv, .log = log};
    cc_err_t err;
    pid_t pid = proc_spawn(&spec, &err);
    assert_true(pid > 0);
    return pid;
}

static void test_proc_exit_status(void **state)
{
    (void)state;
    assert_int_equal(proc_wait(s_sh("exit 3", NULL), 10000), 3);
    assert_int_equal(proc_wait(s_sh("exit 0", NULL), 10000), 0);
}

static void test_proc_killed_and_still_running(void **state)
{
    (void)state;
    pid_t pid = s_sh("sleep 30", NULL);
    assert_int_equal(proc_wait(pid, 50), -1); /* still running */
    int forced = -1;
    assert_int_equal(proc_stop(pid, SIGTERM, 10000, &forced), 128 + SIGTERM);
    assert_int_equal(forced, 0);
    char buf[64];
    assert_string_equal(proc_status_text(128 + SIGTERM, buf, sizeof buf),
                        "was killed by signal 15");
    assert_string_equal(proc_status_text(2, buf, sizeof buf), "exited with status 2");
}

static void test_proc_stop_forces_what_ignores_term(void **state)
{
    (void)state;
    pid_t pid = s_sh("trap '' TERM; echo ready; while :; do sleep 1; done", NULL);
    usleep(200 * 1000); /* let the shell install its trap */
    int forced = 0;
    assert_int_equal(proc_stop(pid, SIGTERM, 300, &forced), 128 + SIGKILL);
    assert_int_equal(forced, 1);
    assert_int_equal(proc_stop(0, SIGTERM, 10, NULL), -1);
}

static void test_proc_log_appended_and_missing_program(void **state)
{
    (void)state;
    char dir[] = "/tmp/concord-proc-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char log[128];
    snprintf(log, sizeof log, "%s/child.log", dir);
    assert_int_equal(proc_wait(s_sh("echo one; echo two >&2", log), 10000), 0);
    assert_int_equal(proc_wait(s_sh("echo three", log), 10000), 0);
    FILE *fp = fopen(log, "r");
    assert_non_null(fp);
    char text[64] = {0};
    size_t n = fread(text, 1, sizeof text - 1, fp);
    fclose(fp);
    text[n] = '\0';
    assert_string_equal(text, "one\ntwo\nthree\n");
    char *argv[] = {"/nonexistent/concordd", NULL};
    proc_spec_t spec = {.argv = argv, .log = log};
    pid_t pid = proc_spawn(&spec, NULL);
    assert_true(pid > 0);
    assert_int_equal(proc_wait(pid, 10000), 127);
    unlink(log);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_proc_exit_status),
        cmocka_unit_test(test_proc_killed_and_still_running),
        cmocka_unit_test(test_proc_stop_forces_what_ignores_term),
        cmocka_unit_test(test_proc_log_appended_and_missing_program),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
