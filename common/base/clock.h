/* SPDX-License-Identifier: Apache-2.0 */
/* clock: wall time and monotonic time in milliseconds. */
#ifndef CONCORD_CLOCK_H
#define CONCORD_CLOCK_H

#include <stdint.h>

/* Unix time in milliseconds (what goes on the wire). */
uint64_t clock_wall_ms(void);

/* Monotonic milliseconds, for timers and round-trip times. */
uint64_t clock_mono_ms(void);

/* Monotonic microseconds. */
uint64_t clock_mono_us(void);

/* Formats Unix milliseconds as ISO 8601 UTC ("2026-11-24T12:00:00.123Z")
 * into buf (at least 32 bytes). Returns buf. */
char *clock_format(uint64_t wall_ms, char *buf, unsigned long size);

#endif
