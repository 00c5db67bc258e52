/* SPDX-License-Identifier: Apache-2.0 */
/* daemon: shared main() for the long-running programs. */
#include "daemon.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>
#include <systemd/sd-daemon.h>

#include "clock.h"

static volatile int s_stop;
static volatile sig_atomic_t s_hup;  /* SIGHUP: reload */
static volatile sig_atomic_t s_usr1; /* SIGUSR1: reopen the log file */
static const char *s_config_path;
static int s_level_override = -1; /* --log-level, or -1 */
static daemon_reload_fn s_reload;
static daemon_tick_fn s_tick;
static void *s_tick_arg;
static uint64_t s_tick_last_ms;
static uint64_t s_watchdog_ms;      /* half of WatchdogSec=, or 0: no watchdog */
static uint64_t s_watchdog_last_ms;
static void *s_reload_arg;
/* Reads the log level from a config file: daemon.c sits below config.c,
 * so it reads the one key itself ([node] or [broker] log_level). */
static int s_config_level(const char *path, log_level_t *out);

static void s_on_signal(int sig)
{
    if (sig == SIGHUP) {
        s_hup = 1;
    } else if (sig == SIGUSR1) {
        s_usr1 = 1;
    } else {
        s_stop = 1;
    }
}

void daemon_on_reload(daemon_reload_fn fn, void *arg)
{
    s_reload = fn;
    s_reload_arg = arg;
}

void daemon_on_tick(daemon_tick_fn fn, void *arg)
{
    s_tick = fn;
    s_tick_arg = arg;
    s_tick_last_ms = 0;
}

void daemon_ready(void)
{
    uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
        s_watchdog_ms = usec / 2000;
        s_watchdog_last_ms = clock_mono_ms();
    }
    /* Outside systemd (no NOTIFY_SOCKET) this does nothing. */
    sd_notify(0, "READY=1\nSTATUS=serving");
}

void daemon_service(void)
{
    uint64_t now = clock_mono_ms();
    /* The loop turns at least once a second: while it does, systemd hears so. */
    if (s_watchdog_ms && now - s_watchdog_last_ms >= s_watchdog_ms) {
        s_watchdog_last_ms = now;
        sd_notify(0, "WATCHDOG=1");
    }
    if (s_tick && now - s_tick_last_ms >= 1000) {
        s_tick_last_ms = now;
        s_tick(s_tick_arg);
    }
    if (s_usr1) {
        s_usr1 = 0;
        if (log_reopen() < 0) {
            log_error("SIGUSR1: cannot reopen the log file: %s", strerror(errno));
        } else {
            log_info("SIGUSR1: log file reopened");
        }
    }
    if (s_hup) {
        s_hup = 0;
        sd_notify(0, "RELOADING=1");
        log_level_t lv;
        if (s_level_override >= 0) {
            log_info("SIGHUP: reloading %s (log level stays %s, set by --log-level)",
                     s_config_path, log_level_name(log_get_level()));
        } else if (s_config_level(s_config_path, &lv) < 0) {
            log_warn("SIGHUP: cannot read log_level from %s; log level stays %s", s_config_path,
                     log_level_name(log_get_level()));
        } else {
            log_set_level(lv);
            log_msg(LOG_LVL_INFO > lv ? lv : LOG_LVL_INFO, "SIGHUP: reloading %s: log level %s",
                    s_config_path, log_level_name(lv));
        }
        if (s_reload) {
            s_reload(s_config_path, s_reload_arg);
        }
        sd_notify(0, "READY=1");
    }
}

static int s_config_level(const char *path, log_level_t *out)
{
    FILE *fp = fopen(path, "r");
    char line[1024];
    int found = -1;
    if (!fp) {
        return -1;
    }
    *out = LOG_LVL_INFO; /* the default when the file names none */
    found = 0;
    while (fgets(line, sizeof line, fp)) {
        char *p = line;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (strncmp(p, "log_level", 9) != 0) {
            continue;
        }
        p += 9;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (*p++ != '=') {
            continue;
        }
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        p[strcspn(p, " \t\r\n;#")] = '\0';
        if (log_level_parse(p, out) < 0) {
            found = -1;
            break;
        }
    }
    fclose(fp);
    return found;
}

static void s_usage(FILE *to, const char *ident, const char *description)
{
    fprintf(to,
            "Usage: %s --config FILE [--log-level LEVEL] [--log-file FILE]\n"
            "\n"
            "%s\n"
            "\n"
            "  -c, --config FILE      INI configuration file\n"
            "  -l, --log-level LEVEL  error, warn, info or debug (overrides the file)\n"
            "  -L, --log-file FILE    log to FILE (appending) instead of stderr\n"
            "  -h, --help             this help\n"
            "  -V, --version          version\n"
            "\n"
            "SIGTERM or SIGINT stops it cleanly; SIGHUP reloads the log level (and\n"
            "concordd's automatic voting policy) from the file; SIGUSR1 reopens the\n"
            "--log-file after a rotation. Exit status: 0 clean stop, 1 start-up\n"
            "error, 2 usage error, 3 durable storage could not be written.\n",
            ident, description);
}

int daemon_main(int argc, char **argv, const char *ident, const char *description,
                daemon_run_fn run)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"log-file", required_argument, NULL, 'L'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    const char *log_file = NULL;
    int level = -1;
    int c;
    log_set_ident(ident);
    while ((c = getopt_long(argc, argv, "c:l:L:hV", opts, NULL)) != -1) {
        log_level_t lv;
        switch (c) {
        case 'c':
            config_path = optarg;
            break;
        case 'l':
            if (log_level_parse(optarg, &lv) < 0) {
                fprintf(stderr, "%s: unknown log level '%s' (error, warn, info, debug)\n", ident,
                        optarg);
                return DAEMON_EXIT_USAGE;
            }
            level = (int)lv;
            break;
        case 'L':
            log_file = optarg;
            break;
        case 'h':
            s_usage(stdout, ident, description);
            return DAEMON_EXIT_OK;
        case 'V':
            printf("%s 0.1.0\n", ident);
            return DAEMON_EXIT_OK;
        default:
            s_usage(stderr, ident, description);
            return DAEMON_EXIT_USAGE;
        }
    }
    if (!config_path || optind != argc) {
        fprintf(stderr, "%s: %s\n", ident,
                config_path ? "unexpected argument" : "--config FILE is required");
        s_usage(stderr, ident, description);
        return DAEMON_EXIT_USAGE;
    }
    if (sodium_init() < 0) {
        log_error("libsodium failed to initialise");
        return DAEMON_EXIT_START;
    }
    if (log_file && log_open_file(log_file) < 0) {
        fprintf(stderr, "%s: cannot open log file %s: %s\n", ident, log_file, strerror(errno));
        return DAEMON_EXIT_START;
    }
    s_config_path = config_path;
    s_level_override = level;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    int rc = run(config_path, level, &s_stop);
    sd_notify(0, "STOPPING=1");
    return rc;
}
