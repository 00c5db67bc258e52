/* SPDX-License-Identifier: Apache-2.0 */
/* broker_main: concord-broker's command line. */
#include "broker_main.h"

#include <sys/stat.h>

#include "broker.h"
#include "broker_metrics.h"
#include "broker_store.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "metrics_http.h"
#include "recover.h"

#include <stdlib.h>
#include <string.h>

/* The broker and its endpoint, for the tick that publishes the metrics. */
typedef struct {
    broker_t *broker;
    metrics_http_t *http;
} s_metrics_t;

static void s_publish(void *arg)
{
    s_metrics_t *m = arg;
    size_t size = 1 << 20; /* a line per member: room for thousands */
    char *text = malloc(size);
    if (!text || broker_metrics_render(m->broker, text, size) < 0 ||
        metrics_http_publish(m->http, text) < 0) {
        log_warn("metrics: cannot publish this second's figures");
    }
    free(text);
}

/* daemon_main's callback takes no argument of ours. */
static const broker_hooks_t *s_hooks;
static int s_init_store; /* --init-store: create or migrate the store, then exit */
static const char **s_recover; /* --recover LEDGER...: rebuild the log's tail, then exit */
static size_t s_n_recover;

/* concord-broker --init-store: creates the store the configuration names
 * (a PostgreSQL schema, or a SQLite file) or migrates it to this
 * version's schema, and exits. */
static int s_init(const config_broker_t *cfg)
{
    cc_err_t err;
    const char *where = cfg->store[0] ? cfg->store : cfg->data;
    broker_store_t *s = broker_store_open(where, cfg->fsync, 1, &err);
    if (!s) {
        log_error("cannot initialise the store: %s", err.msg);
        return DAEMON_EXIT_STORE;
    }
    log_info("store ready: %s", broker_store_name(s));
    broker_store_close(&s);
    return DAEMON_EXIT_OK;
}

static int s_run(const char *config_path, int level, volatile int *stop)
{
    config_broker_t cfg;
    cc_err_t err;
    if (config_load_broker(config_path, &cfg, &err) < 0) {
        log_error("%s", err.msg);
        return DAEMON_EXIT_START;
    }
    log_set_level(level >= 0 ? (log_level_t)level : cfg.log_level);
    log_set_organisation("broker");
    /* Every file the daemon creates (its database, WAL and sockets) is
     * its own alone, whatever umask it was started with. */
    umask(077);
    if (s_init_store) {
        return s_init(&cfg);
    }
    broker_t *b = broker_new(&cfg, s_hooks, stop, &err);
    if (!b && *stop) {
        return DAEMON_EXIT_OK; /* stopped while a standby */
    }
    if (!b) {
        log_error("cannot start: %s", err.msg);
        return DAEMON_EXIT_START;
    }
    if (s_n_recover) {
        int rc = broker_recover(b, s_recover, s_n_recover, &err);
        if (rc < 0) {
            log_error("recover: %s; the log is unchanged", err.msg);
        }
        broker_destroy(&b);
        return rc < 0 ? DAEMON_EXIT_STORE : DAEMON_EXIT_OK;
    }
    s_metrics_t m = {.broker = b};
    if (cfg.metrics[0]) {
        if (!(m.http = metrics_http_start(cfg.metrics, &err))) {
            log_error("cannot start: %s", err.msg);
            broker_destroy(&b);
            return DAEMON_EXIT_START;
        }
        s_publish(&m);
        daemon_on_tick(s_publish, &m);
        log_info("metrics at http://%s/metrics", cfg.metrics);
    }
    daemon_ready();
    int rc = broker_run(b, stop);
    daemon_on_tick(NULL, NULL);
    metrics_http_stop(&m.http);
    broker_destroy(&b);
    return rc == 0 ? DAEMON_EXIT_OK : DAEMON_EXIT_STORE;
}

int broker_main(int argc, char **argv, const broker_hooks_t *hooks)
{
    s_hooks = hooks;
    /* --init-store is the broker's own; daemon_main parses the rest. */
    int n = 0;
    s_recover = calloc((size_t)argc + 1, sizeof *s_recover);
    for (int i = 0; i < argc; i++) {
        if (i > 0 && !strcmp(argv[i], "--init-store")) {
            s_init_store = 1;
        } else if (i > 0 && i + 1 < argc && !strcmp(argv[i], "--recover") && s_recover) {
            s_recover[s_n_recover++] = argv[++i];
        } else {
            argv[n++] = argv[i];
        }
    }
    argv[n] = NULL;
    int rc = daemon_main(
        n, argv, "concord-broker",
        "Routes signed Concord envelopes between the organisations of one federation.\n"
        "Admits only transport keys listed in the roster, verifies every envelope,\n"
        "appends each to a Merkle-tree log, signs one tree head per batch, returns a\n"
        "receipt with an inclusion proof, and keeps every envelope in its recipient's\n"
        "mailbox until the recipient has stored it.\n"
        "Configuration: [broker] listen, key, roster, data or store (see\n"
        "docs/OPERATIONS.md). With --init-store it creates or migrates the store the\n"
        "configuration names (the schema of a PostgreSQL store: run it once before the\n"
        "first start and after an upgrade) and exits. With --recover LEDGER (once per\n"
        "member ledger file) it rebuilds the entries its log lost (a WAL lost after a\n"
        "crash) from those ledgers, signs a tree head over them, and exits\n"
        "(docs/FAULTS.md, \"A lost log tail\").",
        s_run);
    free(s_recover);
    s_recover = NULL;
    return rc;
}
