/* SPDX-License-Identifier: Apache-2.0 */
/* log: one line per message on stderr, with a journald priority prefix
 * under systemd and a timestamp otherwise. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"

#define LOG_LINE_MAX 2048

static const char *s_ident = "concord";
static log_level_t s_level = LOG_LVL_INFO;

static const struct {
    const char *name;  /* as in configs */
    const char *label; /* as printed */
    int syslog_prio;   /* for journald's "<N>" prefix */
} s_levels[] = {
    [LOG_LVL_ERROR] = {"error", "ERROR", 3},
    [LOG_LVL_WARN] = {"warn", "WARN", 4},
    [LOG_LVL_INFO] = {"info", "INFO", 6},
    [LOG_LVL_DEBUG] = {"debug", "DEBUG", 7},
};

void log_set_ident(const char *ident)
{
    s_ident = ident != NULL ? ident : "concord";
}

void log_set_level(log_level_t level)
{
    if (level >= LOG_LVL_ERROR && level <= LOG_LVL_DEBUG) {
        s_level = level;
    }
}

log_level_t log_get_level(void)
{
    return s_level;
}

int log_level_parse(const char *name, log_level_t *out)
{
    size_t i;

    if (name == NULL) {
        return -1;
    }
    for (i = 0; i < sizeof s_levels / sizeof s_levels[0]; i++) {
        if (strcmp(name, s_levels[i].name) == 0) {
            if (out != NULL) {
                *out = (log_level_t)i;
            }
            return 0;
        }
    }
    return -1;
}

/* Messages often quote names and codes that came off the network; a
 * newline or escape sequence in one must not forge a log line. */
static void s_sanitise(char *s)
{
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            *s = '?';
        }
    }
}

void log_msg(log_level_t level, const char *fmt, ...)
{
    char msg[LOG_LINE_MAX];
    char ts[32];
    va_list ap;

    if (level < LOG_LVL_ERROR || level > LOG_LVL_DEBUG || level > s_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    s_sanitise(msg);

    /* One fprintf per line keeps lines whole when threads log at once
     * (stdio locks the stream for the call). */
    if (getenv("JOURNAL_STREAM") != NULL) {
        fprintf(stderr, "<%d>%s\n", s_levels[level].syslog_prio, msg);
    } else {
        fprintf(stderr, "%s %s %s[%ld]: %s\n", clock_format(clock_wall_ms(), ts, sizeof ts),
                s_levels[level].label, s_ident, (long)getpid(), msg);
    }
}
