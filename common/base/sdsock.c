/* SPDX-License-Identifier: Apache-2.0 */
/* sdsock: systemd's notification and journal datagrams, spoken directly. */
#include "sdsock.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define S_JOURNAL_SOCKET "/run/systemd/journal/socket"
#define S_JOURNAL_MAX 8192 /* an entry larger than this is not sent (log lines are shorter) */

/* Sends len bytes as one datagram to the unix socket at path ('@' first:
 * the abstract namespace). 0 or -1. */
static int s_send(const char *path, const void *buf, size_t len)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    size_t plen = strlen(path);
    if (plen == 0 || plen >= sizeof sa.sun_path) {
        return -1;
    }
    memcpy(sa.sun_path, path, plen);
    if (sa.sun_path[0] == '@') {
        sa.sun_path[0] = '\0';
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return -1;
    }
    ssize_t n = sendto(fd, buf, len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
                       (socklen_t)(offsetof(struct sockaddr_un, sun_path) + plen));
    int saved = errno;
    close(fd);
    errno = saved;
    return n == (ssize_t)len ? 0 : -1;
}

int sdsock_notify(const char *state)
{
    const char *path = getenv("NOTIFY_SOCKET");
    if (!path || !path[0]) {
        return 0;
    }
    return s_send(path, state, strlen(state)) == 0 ? 1 : -1;
}

uint64_t sdsock_watchdog_usec(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    char *end = NULL;
    if (!usec || !usec[0]) {
        return 0;
    }
    if (pid && pid[0] && strtol(pid, NULL, 10) != (long)getpid()) {
        return 0; /* meant for another process of the unit */
    }
    errno = 0;
    unsigned long long v = strtoull(usec, &end, 10);
    return errno || *end ? 0 : (uint64_t)v;
}

int sdsock_journal(const char *const *fields, size_t n)
{
    char buf[S_JOURNAL_MAX];
    size_t len = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(fields[i], '=');
        if (!eq || eq == fields[i]) {
            return -1;
        }
        size_t field = strlen(fields[i]);
        /* NAME=value\n; a newline in the value would start another field. */
        if (strchr(eq + 1, '\n') || len + field + 1 > sizeof buf) {
            return -1;
        }
        memcpy(buf + len, fields[i], field);
        len += field;
        buf[len++] = '\n';
    }
    return s_send(S_JOURNAL_SOCKET, buf, len);
}
