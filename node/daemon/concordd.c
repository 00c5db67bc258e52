/* SPDX-License-Identifier: Apache-2.0 */
/* concordd: entry point. */
#include <sys/stat.h>

#include "config.h"
#include "daemon.h"
#include "log.h"
#include "metrics_http.h"
#include "node.h"
#include "node_metrics.h"

/* The node and its endpoint, for the tick that publishes the metrics. */
typedef struct {
    node_t *node;
    const char *code;
    metrics_http_t *http;
} s_metrics_t;

static void s_publish(void *arg)
{
    s_metrics_t *m = arg;
    char text[8192];
    if (node_metrics_render(m->node, m->code, text, sizeof text) < 0 ||
        metrics_http_publish(m->http, text) < 0) {
        log_warn("metrics: cannot publish this second's figures");
    }
}

/* SIGHUP (daemon_service): the config's automatic voting policy again. */
static void s_reload(const char *config_path, void *arg)
{
    config_node_t fresh;
    cc_err_t err;
    if (config_load_node(config_path, &fresh, &err) < 0) {
        log_error("SIGHUP: %s; keeping the settings in force", err.msg);
        return;
    }
    node_reload(arg, &fresh);
}

static int s_run(const char *config_path, int level, volatile int *stop)
{
    config_node_t cfg;
    cc_err_t err;
    if (config_load_node(config_path, &cfg, &err) < 0) {
        log_error("%s", err.msg);
        return DAEMON_EXIT_START;
    }
    log_set_level(level >= 0 ? (log_level_t)level : cfg.log_level);
    log_set_organisation(cfg.code);
    /* Every file the daemon creates (its database, WAL and sockets) is
     * its own alone, whatever umask it was started with. */
    umask(077);
    node_t *n = node_new(&cfg, &err);
    if (!n) {
        log_error("cannot start: %s", err.msg);
        return DAEMON_EXIT_START;
    }
    s_metrics_t m = {.node = n, .code = cfg.code};
    if (cfg.metrics[0]) {
        if (!(m.http = metrics_http_start(cfg.metrics, &err))) {
            log_error("cannot start: %s", err.msg);
            node_destroy(&n);
            return DAEMON_EXIT_START;
        }
        s_publish(&m);
        daemon_on_tick(s_publish, &m);
        log_info("metrics at http://%s/metrics", cfg.metrics);
    }
    daemon_on_reload(s_reload, n);
    daemon_ready();
    int rc = node_run(n, stop);
    daemon_on_reload(NULL, NULL);
    daemon_on_tick(NULL, NULL);
    metrics_http_stop(&m.http);
    node_destroy(&n);
    return rc == 0 ? DAEMON_EXIT_OK : DAEMON_EXIT_STORE;
}

int main(int argc, char **argv)
{
    return daemon_main(
        argc, argv, "concordd",
        "One organisation's Concord node. Connects to the federation's broker with\n"
        "its own keys, verifies every envelope it receives against the roster and\n"
        "stores it in its ledger before acknowledging it, answers calls from other\n"
        "organisations, and serves the local `concord` CLI on its control socket.\n"
        "Configuration: [node] code, key, roster, broker, ledger, control.",
        s_run);
}
