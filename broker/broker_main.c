/* SPDX-License-Identifier: Apache-2.0 */
/* broker_main: concord-broker's command line. */
#include "broker_main.h"

#include "broker.h"
#include "config.h"
#include "daemon.h"
#include "log.h"

/* daemon_main's callback takes no argument of ours. */
static const broker_hooks_t *s_hooks;

static int s_run(const char *config_path, int level, volatile int *stop)
{
    config_broker_t cfg;
    cc_err_t err;
    if (config_load_broker(config_path, &cfg, &err) < 0) {
        log_error("%s", err.msg);
        return DAEMON_EXIT_START;
    }
    log_set_level(level >= 0 ? (log_level_t)level : cfg.log_level);
    broker_t *b = broker_new(&cfg, s_hooks, &err);
    if (!b) {
        log_error("cannot start: %s", err.msg);
        return DAEMON_EXIT_START;
    }
    int rc = broker_run(b, stop);
    broker_destroy(&b);
    return rc == 0 ? DAEMON_EXIT_OK : DAEMON_EXIT_STORE;
}

int broker_main(int argc, char **argv, const broker_hooks_t *hooks)
{
    s_hooks = hooks;
    return daemon_main(
        argc, argv, "concord-broker",
        "Routes signed Concord envelopes between the organisations of one federation.\n"
        "Admits only transport keys listed in the roster, verifies every envelope,\n"
        "appends each to a hash-chained log, returns a signed receipt, and keeps\n"
        "every envelope in its recipient's mailbox until the recipient has stored it.\n"
        "Configuration: [broker] listen, key, roster, data (see docs/OPERATIONS.md).",
        s_run);
}
