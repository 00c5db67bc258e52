/* SPDX-License-Identifier: Apache-2.0 */
/* log: one line per message on stderr, with a journald priority prefix
 * under systemd and a timestamp otherwise. */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "clock.h"

#define LOG_LINE_MAX 2048

static const char *s_ident = "concord";
static log_level_t s_level = LOG_LVL_INFO;
static char s_path[4096]; /* log_open_file's, or empty: stderr as given */
static char s_org[64];     /* log_set_organisation's, for journald */

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

const char *log_level_name(log_level_t level)
{
    return level >= LOG_LVL_ERROR && level <= LOG_LVL_DEBUG ? s_levels[level].name : "info";
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

int log_open_file(const char *path)
{
    if (strlen(path) >= sizeof s_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    char old[sizeof s_path];
    snprintf(old, sizeof old, "%s", s_path);
    snprintf(s_path, sizeof s_path, "%s", path);
    if (log_reopen() < 0) {
        int saved = errno;
        snprintf(s_path, sizeof s_path, "%s", old);
        errno = saved;
        return -1;
    }
    return 0;
}

int log_reopen(void)
{
    if (!s_path[0]) {
        return 0;
    }
    /* A new descriptor onto stderr's: on failure stderr stays as it was. */
    /* 0600 whatever the umask; an older file loses group and other access. */
    int fd = open(s_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    struct stat st;
    if (fd < 0) {
        return -1;
    }
    if (fstat(fd, &st) == 0 && (st.st_mode & 077) && fchmod(fd, 0600) != 0) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    fflush(stderr);
    int rc = dup2(fd, STDERR_FILENO) < 0 ? -1 : 0;
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

void log_set_organisation(const char *code)
{
    snprintf(s_org, sizeof s_org, "%s", code ? code : "");
}

/* 1 if stderr is the stream systemd connected to journald for this
 * service (JOURNAL_STREAM names its device and inode), and not a file
 * log_open_file or a shell redirected it to. */
static int s_on_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev = 0, ino = 0;
    struct stat st;
    if (!js || s_path[0] || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
        fstat(STDERR_FILENO, &st) != 0) {
        return 0;
    }
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
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

    /* On journald itself, the line goes with fields a monitoring query can
     * select on; if that fails it is written as below. */
    if (s_on_journal() &&
        sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", s_levels[level].syslog_prio,
                        "SYSLOG_IDENTIFIER=%s", s_ident, "CONCORD_LEVEL=%s",
                        s_levels[level].name, "CONCORD_ORGANISATION=%s",
                        s_org[0] ? s_org : "-", NULL) == 0) {
        return;
    }
    /* One fprintf per line keeps lines whole when threads log at once
     * (stdio locks the stream for the call). */
    if (getenv("JOURNAL_STREAM") != NULL) {
        fprintf(stderr, "<%d>%s\n", s_levels[level].syslog_prio, msg);
    } else {
        fprintf(stderr, "%s %s %s[%ld]: %s\n", clock_format(clock_wall_ms(), ts, sizeof ts),
                s_levels[level].label, s_ident, (long)getpid(), msg);
    }
}
