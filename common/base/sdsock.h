/* SPDX-License-Identifier: Apache-2.0 */
/* sdsock: the two datagram protocols a service speaks to systemd, without
 * libsystemd (which would bring libgcrypt and three compressors into every
 * process): service notifications (sd_notify(3): READY=1, WATCHDOG=1...)
 * and native journal entries (systemd.journal-fields(7)). */
#ifndef CONCORD_SDSOCK_H
#define CONCORD_SDSOCK_H

#include <stddef.h>
#include <stdint.h>

/* Sends state ("READY=1\nSTATUS=serving") to $NOTIFY_SOCKET. 1 if sent, 0
 * if there is no such socket (not started by systemd), -1 if sending
 * failed. */
int sdsock_notify(const char *state);

/* The watchdog interval systemd asks this process for (WatchdogSec=, from
 * $WATCHDOG_USEC, when $WATCHDOG_PID is unset or names this process), in
 * microseconds; 0 when there is none. */
uint64_t sdsock_watchdog_usec(void);

/* Sends one journal entry of n fields, each "NAME=value" (NAME in capitals,
 * digits and underscores; the value on one line: log lines are sanitised
 * before they come here), to journald's socket. 0 if sent, -1 if not (no
 * journald, a value with a newline, or an entry too large). */
int sdsock_journal(const char *const *fields, size_t n);

#endif
