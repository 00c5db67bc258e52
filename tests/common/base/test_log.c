/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for log: journald fields. journald listens on a datagram
 * socket at a fixed path; where no journald runs (a container, CI), the
 * test binds that socket itself and reads what the log sends. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "log.h"

#define S_JOURNAL_DIR "/run/systemd/journal"
#define S_JOURNAL_SOCKET S_JOURNAL_DIR "/socket"

/* Sets JOURNAL_STREAM to stderr's device and inode, as systemd does. */
static void s_stream_is_stderr(void)
{
    struct stat st;
    char v[64];
    assert_int_equal(fstat(STDERR_FILENO, &st), 0);
    snprintf(v, sizeof v, "%llu:%llu", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    assert_int_equal(setenv("JOURNAL_STREAM", v, 1), 0);
}

static void test_log_fields_on_journald(void **state)
{
    (void)state;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", S_JOURNAL_SOCKET);
    int probe = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(probe >= 0);
    if (connect(probe, (struct sockaddr *)&sa, sizeof sa) == 0 || geteuid() != 0) {
        close(probe);
        skip(); /* a real journald listens here, or we may not stand in for one */
    }
    close(probe);
    unlink(S_JOURNAL_SOCKET); /* left by an earlier run that was killed */
    mkdir("/run/systemd", 0755);
    mkdir(S_JOURNAL_DIR, 0755);
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);

    s_stream_is_stderr();
    log_set_ident("concordd");
    log_set_organisation("E38000217");
    log_warn("ballot on %s refused: %s", "bd0aa527", "late\nforged line");

    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(S_JOURNAL_SOCKET);
    unsetenv("JOURNAL_STREAM");
    assert_true(n > 0);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "MESSAGE=ballot on bd0aa527 refused: late?forged line\n"));
    assert_non_null(strstr(buf, "PRIORITY=4\n"));
    assert_non_null(strstr(buf, "SYSLOG_IDENTIFIER=concordd\n"));
    assert_non_null(strstr(buf, "CONCORD_LEVEL=warn\n"));
    assert_non_null(strstr(buf, "CONCORD_ORGANISATION=E38000217\n"));
}

/* JOURNAL_STREAM naming another stream (stderr redirected to a file by a
 * shell) is not journald: the line is written, nothing is sent. */
static void test_log_other_stream_is_not_journald(void **state)
{
    (void)state;
    assert_int_equal(setenv("JOURNAL_STREAM", "1:2", 1), 0);
    char path[] = "/tmp/concord-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(fd, STDERR_FILENO), STDERR_FILENO);
    log_error("written, not sent");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char buf[256] = {0};
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    close(fd);
    unlink(path);
    unsetenv("JOURNAL_STREAM");
    assert_true(n > 0);
    assert_string_equal(buf, "<3>written, not sent\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_log_fields_on_journald),
        cmocka_unit_test(test_log_other_stream_is_not_journald),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
