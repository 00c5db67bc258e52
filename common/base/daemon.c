/* SPDX-License-Identifier: Apache-2.0 */
/* daemon: shared main() for the long-running programs. */
#include "daemon.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

static volatile int s_stop;

static void s_on_signal(int sig)
{
    (void)sig;
    s_stop = 1;
}

static void s_usage(FILE *to, const char *ident, const char *description)
{
    fprintf(to,
            "Usage: %s --config FILE [--log-level LEVEL]\n"
            "\n"
            "%s\n"
            "\n"
            "  -c, --config FILE      INI configuration file\n"
            "  -l, --log-level LEVEL  error, warn, info or debug (overrides the file)\n"
            "  -h, --help             this help\n"
            "  -V, --version          version\n"
            "\n"
            "SIGTERM or SIGINT stops it cleanly. Exit status: 0 clean stop, 1 start-up\n"
            "error, 2 usage error, 3 durable storage could not be written.\n",
            ident, description);
}

int daemon_main(int argc, char **argv, const char *ident, const char *description,
                daemon_run_fn run)
{
    static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
                                         {"log-level", required_argument, NULL, 'l'},
                                         {"help", no_argument, NULL, 'h'},
                                         {"version", no_argument, NULL, 'V'},
                                         {NULL, 0, NULL, 0}};
    const char *config_path = NULL;
    int level = -1;
    int c;
    log_set_ident(ident);
    while ((c = getopt_long(argc, argv, "c:l:hV", opts, NULL)) != -1) {
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = s_on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return run(config_path, level, &s_stop);
}
