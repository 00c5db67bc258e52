/* SPDX-License-Identifier: Apache-2.0 */
/* clock: wall and monotonic time in milliseconds. */
#include "clock.h"

#include <assert.h>
#include <stdio.h>
#include <time.h>

static uint64_t s_read(clockid_t id, uint64_t div_ns)
{
    struct timespec ts;

    /* clock_gettime only fails for an invalid clock id, which would be a
     * programming error here. */
    if (clock_gettime(id, &ts) != 0) {
        assert(0 && "clock_gettime");
        return 0;
    }
    return (uint64_t)ts.tv_sec * (1000000000u / div_ns) + (uint64_t)ts.tv_nsec / div_ns;
}

uint64_t clock_wall_ms(void)
{
    return s_read(CLOCK_REALTIME, 1000000u);
}

uint64_t clock_mono_ms(void)
{
    return s_read(CLOCK_MONOTONIC, 1000000u);
}

uint64_t clock_mono_us(void)
{
    return s_read(CLOCK_MONOTONIC, 1000u);
}

char *clock_format(uint64_t wall_ms, char *buf, unsigned long size)
{
    struct tm tm;
    time_t secs;

    assert(buf != NULL && size > 0);
    /* Times past what time_t or gmtime can express (far future values
     * from a hostile peer) print as the epoch rather than garbage. */
    secs = (time_t)(wall_ms / 1000u);
    if ((uint64_t)secs != wall_ms / 1000u || gmtime_r(&secs, &tm) == NULL) {
        secs = 0;
        wall_ms = 0;
        gmtime_r(&secs, &tm);
    }
    snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (unsigned)(wall_ms % 1000u));
    return buf;
}
