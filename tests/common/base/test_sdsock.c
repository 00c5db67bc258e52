/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for sdsock: a notification reaches $NOTIFY_SOCKET (a path or
 * the abstract namespace) as systemd reads it, nothing is sent without
 * one, the watchdog interval is read only for this process, and a journal
 * entry that could forge a field is not sent (test_log covers the rest). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "sdsock.h"

/* A datagram socket bound at name ('@' first: abstract); its descriptor. */
static int s_listen(const char *name)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    memcpy(sa.sun_path, name, len);
    if (name[0] == '@') {
        sa.sun_path[0] = '\0';
    } else {
        unlink(name);
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&sa,
                          (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)),
                     0);
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void s_expect(int fd, const char *want)
{
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_string_equal(buf, want);
}

static void test_sdsock_notify_path_and_abstract(void **state)
{
    (void)state;
    char path[64], abstract[64];
    snprintf(path, sizeof path, "/tmp/concord-sdsock-%ld.sock", (long)getpid());
    snprintf(abstract, sizeof abstract, "@concord-sdsock-%ld", (long)getpid());
    int fd = s_listen(path);
    assert_int_equal(setenv("NOTIFY_SOCKET", path, 1), 0);
    assert_int_equal(sdsock_notify("READY=1\nSTATUS=serving"), 1);
    s_expect(fd, "READY=1\nSTATUS=serving");
    close(fd);
    unlink(path);
    fd = s_listen(abstract);
    assert_int_equal(setenv("NOTIFY_SOCKET", abstract, 1), 0);
    assert_int_equal(sdsock_notify("WATCHDOG=1"), 1);
    s_expect(fd, "WATCHDOG=1");
    close(fd);
    /* Nobody listens there any more: said, not hidden. */
    assert_int_equal(sdsock_notify("STOPPING=1"), -1);
    unsetenv("NOTIFY_SOCKET");
    assert_int_equal(sdsock_notify("READY=1"), 0);
}

static void test_sdsock_watchdog_for_this_process_only(void **state)
{
    (void)state;
    char pid[32];
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    assert_int_equal(sdsock_watchdog_usec(), 0);
    setenv("WATCHDOG_USEC", "30000000", 1);
    assert_int_equal(sdsock_watchdog_usec(), 30000000);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(sdsock_watchdog_usec(), 30000000);
    snprintf(pid, sizeof pid, "%ld", (long)getpid() + 1);
    setenv("WATCHDOG_PID", pid, 1);
    assert_int_equal(sdsock_watchdog_usec(), 0);
    unsetenv("WATCHDOG_PID");
    setenv("WATCHDOG_USEC", "30s", 1);
    assert_int_equal(sdsock_watchdog_usec(), 0);
    unsetenv("WATCHDOG_USEC");
}

static void test_sdsock_journal_refuses_malformed_fields(void **state)
{
    (void)state;
    const char *nameless[] = {"=value"};
    const char *no_value[] = {"MESSAGE"};
    const char *two_lines[] = {"MESSAGE=late\nPRIORITY=0"};
    assert_int_equal(sdsock_journal(nameless, 1), -1);
    assert_int_equal(sdsock_journal(no_value, 1), -1);
    assert_int_equal(sdsock_journal(two_lines, 1), -1);
    /* Too large for one entry: not sent, whether or not journald runs. */
    static char big[9000];
    memset(big, 'x', sizeof big - 1);
    memcpy(big, "MESSAGE=", 8);
    const char *large[] = {big};
    assert_int_equal(sdsock_journal(large, 1), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sdsock_notify_path_and_abstract),
        cmocka_unit_test(test_sdsock_watchdog_for_this_process_only),
        cmocka_unit_test(test_sdsock_journal_refuses_malformed_fields),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
