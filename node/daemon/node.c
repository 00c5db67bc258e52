/* SPDX-License-Identifier: Apache-2.0 */
/* node: the concordd daemon's core: broker link, services and the
 * control socket. */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zmq.h>

#include "boards.h"
#include "certificate.h"
#include "pools.h"
#include "clock.h"
#include "control.h"
#include "daemon.h"
#include "dashboard.h"
#include "fold.h"
#include "ledger_fold.h"
#include "health.pb-c.h"
#include "keys.h"
#include "ledger.h"
#include "log.h"
#include "roster.h"
#include "roster_view.h"
#include "rpc.h"
#include "wire.h"

typedef struct {
    Concord__V1__Health_Service base;
    node_t *n;
} s_health_t;

/* The engines, in the order they are made, see every event and are
 * destroyed in reverse: one that follows another comes after it. */
static const engine_t *const s_engines[] = {&boards_as_engine, &pools_as_engine};
#define S_ENGINES (sizeof s_engines / sizeof s_engines[0])

struct node {
    config_node_t cfg;
    void *ctx;
    void *control;
    roster_t *roster;
    ledger_t *ledger;
    rpc_registry_t *registry;
    rpc_peer_t *peer;
    void *engines[S_ENGINES];      /* one per row of s_engines, in its order */
    size_t n_engines;              /* made so far */
    keys_t *key_next;              /* keys a rotation of this organisation switches to */
    s_health_t health;
    control_ctx_t control_ctx;
    control_service_t control_service;
    rpc_registry_t *control_registry; /* the Control service, for the control socket */
    uint64_t started_ms;
    int failed;
    int clock_held; /* failed because receipt times are ahead of our clock */
    dashboard_t *dashboard; /* the web dashboard, when configured; reads via the control socket */
    uint64_t refold_at_ms;  /* history arrived: fold the ledger again then (monotonic); 0: no */
};

/* How long after the last history delivery the node folds its ledger
 * again: the broker sends a board's history as one run. */
#define S_REFOLD_QUIET_MS 300

static void s_health_check(Concord__V1__Health_Service *service,
                           const Concord__V1__HealthCheckRequest *input,
                           Concord__V1__HealthCheckResponse_Closure closure, void *closure_data)
{
    node_t *n = ((s_health_t *)service)->n;
    Concord__V1__HealthCheckResponse out = CONCORD__V1__HEALTH_CHECK_RESPONSE__INIT;
    if (input->service[0] && strncmp(input->service, "concord.v1.", 11) != 0) {
        rpc_registry_fail(closure_data, CC_NOT_FOUND, "no service '%s' here", input->service);
        closure(NULL, closure_data);
        return;
    }
    rpc_peer_stats_t st;
    rpc_peer_stats(n->peer, &st);
    out.status = n->failed || st.handed_over ? CONCORD__V1__SERVING_STATUS__NOT_SERVING
                                             : CONCORD__V1__SERVING_STATUS__SERVING;
    out.code = (char *)n->cfg.code;
    out.time_ms = clock_wall_ms();
    out.ledger_entries = ledger_count(n->ledger);
    closure(&out, closure_data);
}

static int s_same_keys(const roster_org_t *o, const keys_t *k)
{
    return k && memcmp(o->sign_pk, keys_public(k)->sign_pk, 32) == 0 &&
           memcmp(o->curve_pk, keys_public(k)->curve_pk, 32) == 0;
}

/* The key files must belong to the configured organisation. */
static int s_check_code(const node_t *n, const keys_t *k, const char *path, cc_err_t *err)
{
    if (k && strcmp(keys_code(k), n->cfg.code) != 0) {
        err_set(err, CC_INVALID_ARGUMENT, "key file %s belongs to %s, but the config says %s",
                path, keys_code(k), n->cfg.code);
        return -1;
    }
    return 0;
}

/* After a key rotation of this organisation passed (now, or while the
 * ledger was replayed): the node signs with key_next from here on. */
static void s_on_roster(const roster_t *roster, uint64_t at_index, void *arg)
{
    node_t *n = arg;
    roster_org_t me;
    cc_err_t err;
    if (roster_lookup(roster, n->cfg.code, &me) < 0) {
        log_warn("%s merged into another organisation after log index %llu: it can no longer"
                 " sign", n->cfg.code, (unsigned long long)at_index);
        return;
    }
    if (s_same_keys(&me, rpc_peer_keys(n->peer))) {
        return;
    }
    if (!s_same_keys(&me, n->key_next)) {
        log_error("the roster holds new keys for %s after log index %llu, but key_next (%s)"
                  " does not hold them: this node's envelopes will be refused",
                  n->cfg.code, (unsigned long long)at_index,
                  n->cfg.key_next[0] ? n->cfg.key_next : "not set");
        return;
    }
    if (rpc_peer_rekey(n->peer, &n->key_next, &err) < 0) {
        log_error("switching to the new keys: %s", err.msg);
        return;
    }
    log_info("%s signs with its new keys (%s) after log index %llu", n->cfg.code,
             n->cfg.key_next, (unsigned long long)at_index);
}

/* The roster as folded from the ledger must name this organisation with
 * exactly the keys the node signs with, or the broker and every peer
 * would reject what it signs. */
static int s_check_identity(node_t *n, cc_err_t *err)
{
    roster_org_t me;
    if (roster_lookup(n->roster, n->cfg.code, &me) < 0) {
        err_set(err, CC_NOT_FOUND, "%s is not a member of the roster (%s and the decisions in"
                " the ledger)", n->cfg.code, n->cfg.roster);
        return -1;
    }
    if (!s_same_keys(&me, rpc_peer_keys(n->peer))) {
        err_set(err, CC_PERMISSION_DENIED,
                "neither key (%s) nor key_next (%s) matches %s's keys in the roster",
                n->cfg.key, n->cfg.key_next[0] ? n->cfg.key_next : "not set", n->cfg.code);
        return -1;
    }
    return 0;
}

static int s_bind_control(node_t *n, cc_err_t *err)
{
    char ep[CONFIG_PATH_MAX + 8];
    int linger = 0;
    snprintf(ep, sizeof ep, "ipc://%s", n->cfg.control);
    /* A stale socket file from a crashed run would make bind fail; but
     * only a socket is removed: a control path naming the ledger or a
     * key file by mistake must not delete it. */
    struct stat st;
    if (lstat(n->cfg.control, &st) == 0 && !S_ISSOCK(st.st_mode)) {
        err_set(err, CC_FAILED_PRECONDITION,
                "control = %s names an existing file that is not a socket; it is left as it "
                "is: choose another path for the control socket",
                n->cfg.control);
        return -1;
    }
    unlink(n->cfg.control);
    n->control = zmq_socket(n->ctx, ZMQ_ROUTER);
    if (!n->control) {
        err_set(err, CC_INTERNAL, "control socket: %s", zmq_strerror(errno));
        return -1;
    }
    zmq_setsockopt(n->control, ZMQ_LINGER, &linger, sizeof linger);
    /* control_group: its members may use the CLI (docs/DEPLOYMENT.md). */
    gid_t gid = (gid_t)-1;
    if (n->cfg.control_group[0]) {
        errno = 0;
        struct group *g = getgrnam(n->cfg.control_group);
        if (!g) {
            err_set(err, CC_INVALID_ARGUMENT, "control_group '%s': %s", n->cfg.control_group,
                    errno ? strerror(errno) : "no such group");
            return -1;
        }
        gid = g->gr_gid;
    }
    mode_t mode = gid == (gid_t)-1 ? 0600 : 0660;
    mode_t old = umask(gid == (gid_t)-1 ? 077 : 007);
    int rc = zmq_bind(n->control, ep);
    umask(old);
    if (rc != 0 || (gid != (gid_t)-1 && chown(n->cfg.control, (uid_t)-1, gid) != 0) ||
        chmod(n->cfg.control, mode) != 0) {
        err_set(err, CC_UNAVAILABLE, "cannot bind control socket %s: %s", n->cfg.control,
                rc != 0 ? zmq_strerror(errno) : strerror(errno));
        return -1;
    }
    return 0;
}

/* The one event callback: every engine, in table order, folds the
 * methods that are its own and ignores the rest. */
static void s_on_event(const envelope_t *env, uint64_t log_index, uint64_t time_ms, void *arg)
{
    node_t *n = arg;
    for (size_t i = 0; i < n->n_engines; i++) {
        s_engines[i]->on_event(env, log_index, time_ms, n->engines[i]);
    }
    rpc_peer_folded(n->peer, log_index);
}

/* A board's history arrived (rpc_peer_on_history): fold the ledger again
 * once the run of it is over. */
static void s_on_history(uint64_t log_index, void *arg)
{
    (void)log_index;
    node_t *n = arg;
    n->refold_at_ms = clock_mono_ms() + S_REFOLD_QUIET_MS;
}

/* The broker refused an event this node published: every engine may be
 * waiting for it. */
static void s_on_refused(const uint8_t hash[32], cc_code_t code, const char *msg, void *arg)
{
    node_t *n = arg;
    cc_err_t why;
    err_set(&why, code, "refused by the broker: %s: %s", err_code_name(code), msg);
    for (size_t i = 0; i < n->n_engines; i++) {
        if (s_engines[i]->refused) {
            s_engines[i]->refused(n->engines[i], hash, &why);
        }
    }
}

/* An event this node published was sealed again with a new sequence. */
static void s_on_resealed(const uint8_t old_hash[32], const uint8_t new_hash[32], void *arg)
{
    node_t *n = arg;
    for (size_t i = 0; i < n->n_engines; i++) {
        if (s_engines[i]->resealed) {
            s_engines[i]->resealed(n->engines[i], old_hash, new_hash);
        }
    }
}

/* engine_env_t's find: an engine already made, by name. */
static void *s_find(const engine_env_t *env, const char *name)
{
    const node_t *n = env->node;
    for (size_t i = 0; i < n->n_engines; i++) {
        if (strcmp(s_engines[i]->name, name) == 0) {
            return n->engines[i];
        }
    }
    return NULL;
}

/* Makes every engine of the table, for replaying. */
static int s_make_engines(node_t *n, cc_err_t *err)
{
    engine_env_t env = {.cfg = &n->cfg,
                        .roster = n->roster,
                        .ledger = n->ledger,
                        .peer = n->peer,
                        .on_roster = s_on_roster,
                        .on_roster_arg = n,
                        .find = s_find,
                        .node = n};
    for (size_t i = 0; i < S_ENGINES; i++) {
        if (!(n->engines[i] = s_engines[i]->create(&env, err))) {
            err_prefix(err, "%s", s_engines[i]->name);
            return -1;
        }
        n->n_engines = i + 1;
    }
    return 0;
}

/* Adds every engine's Control methods to the node's Control service. */
static int s_add_methods(node_t *n, cc_err_t *err)
{
    for (size_t i = 0; i < n->n_engines; i++) {
        for (size_t k = 0; k < s_engines[i]->n_methods; k++) {
            const engine_method_t *m = &s_engines[i]->methods[k];
            if (control_service_add(&n->control_service, m->method, m->handler, n->engines[i],
                                    err) < 0) {
                err_prefix(err, "%s", s_engines[i]->name);
                return -1;
            }
        }
    }
    return 0;
}

/* An organisation that joined the roster after genesis has none of the
 * earlier board events in its ledger (its mailbox starts when it joined):
 * it folds them first from a member's `roster export`. Events that its
 * ledger holds too come again later and are refused as out of order,
 * which changes nothing. */
static int s_bootstrap(node_t *n, cc_err_t *err)
{
    size_t len = 0;
    uint8_t *buf = NULL;
    if (!n->cfg.bootstrap[0]) {
        return 0;
    }
    if (!(buf = certificate_load(n->cfg.bootstrap, &len, err)) ||
        certificate_replay(buf, len, n->roster, s_on_event, n, err) < 0) {
        err_prefix(err, "bootstrap %s: ", n->cfg.bootstrap);
        free(buf);
        return -1;
    }
    free(buf);
    log_info("folded the board history in %s (%zu roster change(s))", n->cfg.bootstrap,
             roster_change_count(n->roster));
    return 0;
}

/* Folds the whole ledger again, in log order, into new engines from the
 * genesis roster: after the broker sent the history of a board this
 * node joined, which lies before events already folded. The engines'
 * Control methods move to the new engines; requests the old ones held
 * are answered as when the node stops. */
static int s_refold(node_t *n, cc_err_t *err)
{
    void *old[S_ENGINES];
    roster_t *genesis = roster_load(n->cfg.roster, err);
    if (!genesis) {
        return -1;
    }
    memcpy(old, n->engines, sizeof old);
    while (n->n_engines) {
        n->n_engines--;
        s_engines[n->n_engines]->destroy(n->engines[n->n_engines]);
    }
    roster_swap(n->roster, genesis);
    roster_destroy(&genesis);
    if (s_make_engines(n, err) < 0 || s_bootstrap(n, err) < 0 ||
        ledger_fold_replay(n->ledger, n->roster, s_on_event, n, err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < n->n_engines; i++) {
        control_service_rebind(&n->control_service, old[i], n->engines[i]);
        if (s_engines[i]->start) {
            s_engines[i]->start(n->engines[i]);
        }
    }
    log_info("folded the ledger again with the history the broker sent (%zu roster change(s))",
             roster_change_count(n->roster));
    return 0;
}

node_t *node_new(const config_node_t *cfg, cc_err_t *err)
{
    keys_t *keys = NULL;
    node_t *n = calloc(1, sizeof *n);
    if (!n) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        return NULL;
    }
    n->cfg = *cfg;
    n->started_ms = clock_wall_ms();
    /* A dashboard exposed without TLS and a token is refused before anything starts. */
    if (dashboard_check(cfg, err) < 0) {
        goto fail;
    }
    if (!(keys = keys_load(cfg->key, err)) || !(n->roster = roster_load(cfg->roster, err))) {
        goto fail;
    }
    if (roster_verify(n->roster, err) < 0) {
        err_prefix(err, "roster %s", cfg->roster);
        goto fail;
    }
    if ((cfg->key_next[0] && !(n->key_next = keys_load(cfg->key_next, err))) ||
        s_check_code(n, keys, cfg->key, err) < 0 ||
        s_check_code(n, n->key_next, cfg->key_next, err) < 0) {
        goto fail;
    }
    if (!(n->ledger = ledger_open(cfg->ledger, LEDGER_NODE, cfg->fsync, err))) {
        goto fail;
    }
    Concord__V1__Health_Service h = CONCORD__V1__HEALTH__INIT(s_health_);
    n->health.base = h;
    n->health.n = n;
    if (!(n->registry = rpc_registry_new()) ||
        rpc_registry_add(n->registry, &n->health.base.base) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (!(n->ctx = zmq_ctx_new())) {
        err_set(err, CC_INTERNAL, "zmq_ctx_new: %s", zmq_strerror(errno));
        goto fail;
    }
    n->peer = rpc_peer_new(n->ctx, &keys, n->roster, n->ledger, n->registry, err);
    if (!n->peer) {
        goto fail;
    }
    rpc_peer_set_disk_reserve(n->peer, cfg->disk_reserve_mb);
    rpc_peer_set_max_clock_skew(n->peer, cfg->max_clock_skew_ms);
    rpc_peer_set_ledger_max(n->peer, cfg->ledger_max_mb);
    /* The ledger is folded before the first delivery can arrive, so that
     * events are always folded in log order; boards and pools in one
     * pass, each event judged by the roster as it then stood, and each
     * pool event after the board decisions that took effect before it. */
    if (s_make_engines(n, err) < 0 || s_bootstrap(n, err) < 0 || ledger_fold_replay(n->ledger, n->roster, s_on_event, n, err) < 0 ||
        s_check_identity(n, err) < 0) {
        goto fail;
    }
    for (size_t i = 0; i < n->n_engines; i++) {
        if (s_engines[i]->start) {
            s_engines[i]->start(n->engines[i]);
        }
    }
    rpc_peer_on_event(n->peer, s_on_event, n);
    rpc_peer_on_history(n->peer, s_on_history, n);
    rpc_peer_on_refused(n->peer, s_on_refused, n);
    rpc_peer_on_resealed(n->peer, s_on_resealed, n);
    if (rpc_peer_connect(n->peer, cfg->broker, err) < 0 || s_bind_control(n, err) < 0) {
        goto fail;
    }
    n->control_ctx = (control_ctx_t){
        .socket = n->control,
        .peer = n->peer,
        .ledger = n->ledger,
        .roster = n->roster,
        .cfg = &n->cfg,
        .started_ms = n->started_ms,
        .failed = &n->failed,
    };
    control_service_init(&n->control_service, &n->control_ctx);
    if (control_service_add(&n->control_service, "RosterShow",
                            (void (*)(void))roster_view_on_show, &n->control_ctx, err) < 0 ||
        s_add_methods(n, err) < 0) {
        goto fail;
    }
    if (!(n->control_registry = rpc_registry_new()) ||
        rpc_registry_add(n->control_registry, &n->control_service.base.base) < 0) {
        err_set(err, CC_RESOURCE_EXHAUSTED, "out of memory");
        goto fail;
    }
    if (cfg->dashboard[0] && !(n->dashboard = dashboard_start(&n->cfg, err))) {
        goto fail;
    }
    return n;
fail:
    keys_destroy(&keys);
    node_destroy(&n);
    return NULL;
}

int node_step(node_t *n, long max_wait_ms)
{
    zmq_pollitem_t items[3];
    /* Afresh each time: a key rotation replaces the broker socket. */
    rpc_peer_poll_items(n->peer, items);
    items[2] = (zmq_pollitem_t){.socket = n->control, .events = ZMQ_POLLIN};
    long wait = rpc_peer_timeout_ms(n->peer);
    if (wait < 0 || wait > max_wait_ms) {
        wait = max_wait_ms;
    }
    /* No longer than the engines' first timer. */
    uint64_t now = clock_mono_ms();
    for (size_t i = 0; i < n->n_engines; i++) {
        uint64_t due = s_engines[i]->deadline ? s_engines[i]->deadline(n->engines[i]) : 0;
        if (due && (due <= now || (long)(due - now) < wait)) {
            wait = due <= now ? 0 : (long)(due - now);
        }
    }
    if (n->refold_at_ms && (n->refold_at_ms <= now || (long)(n->refold_at_ms - now) < wait)) {
        wait = n->refold_at_ms <= now ? 0 : (long)(n->refold_at_ms - now);
    }
    if (zmq_poll(items, 3, wait) < 0) {
        if (errno == EINTR) {
            return 0;
        }
        log_error("poll: %s", zmq_strerror(errno));
        return -1;
    }
    int ok = rpc_peer_process(n->peer) == 0;
    int clock_held = rpc_peer_clock_held(n->peer);
    if (!ok && !n->failed) {
        if (clock_held) {
            log_error("holding deliveries whose receipt times are ahead of this node's clock: "
                      "refusing new work, serving reads, trying again every few seconds");
        } else {
            log_error("ledger %s cannot be written: refusing new work, serving reads, "
                      "trying again every few seconds", n->cfg.ledger);
        }
    } else if (ok && n->failed) {
        if (n->clock_held) {
            log_info("the broker's receipt times are within this node's clock again; taking "
                     "new work");
        } else {
            log_info("ledger %s can be written again", n->cfg.ledger);
        }
    }
    n->clock_held = clock_held;
    n->failed = !ok;
    if (items[2].revents & ZMQ_POLLIN) {
        control_handle(&n->control_service, n->control_registry);
    }
    for (size_t i = 0; i < n->n_engines; i++) {
        if (s_engines[i]->tick) {
            s_engines[i]->tick(n->engines[i]);
        }
    }
    if (n->refold_at_ms && clock_mono_ms() >= n->refold_at_ms) {
        cc_err_t err;
        n->refold_at_ms = 0;
        if (s_refold(n, &err) < 0) {
            log_error("folding the ledger again: %s", err.msg);
            return -1;
        }
    }
    return 0;
}

int node_run(node_t *n, volatile int *stop)
{
    log_info("%s serving; broker %s; control %s; ledger holds %llu entries", n->cfg.code,
             n->cfg.broker, n->cfg.control, (unsigned long long)ledger_count(n->ledger));
    while (!*stop) {
        if (node_step(n, 1000) < 0) {
            return -1;
        }
        daemon_service(); /* SIGHUP, SIGUSR1 */
    }
    log_info("%s stopping cleanly", n->cfg.code);
    return n->failed ? -1 : 0;
}

void node_stats(node_t *n, node_stats_t *out)
{
    memset(out, 0, sizeof *out);
    rpc_peer_stats(n->peer, &out->peer);
    out->serving = !n->failed;
    out->ledger_entries = ledger_count(n->ledger);
    out->started_ms = n->started_ms;
}

void node_reload(node_t *n, const config_node_t *fresh)
{
    n->cfg.log_level = fresh->log_level;
    n->cfg.auto_vote = fresh->auto_vote;
    n->cfg.auto_vote_against_above = fresh->auto_vote_against_above;
    n->cfg.auto_vote_for_below = fresh->auto_vote_for_below;
    snprintf(n->cfg.auto_vote_abstain_areas, sizeof n->cfg.auto_vote_abstain_areas, "%s",
             fresh->auto_vote_abstain_areas);
    snprintf(n->cfg.auto_vote_against_areas, sizeof n->cfg.auto_vote_against_areas, "%s",
             fresh->auto_vote_against_areas);
    for (size_t i = 0; i < n->n_engines; i++) {
        if (s_engines[i]->reload) {
            s_engines[i]->reload(n->engines[i]);
        }
    }
}

void node_destroy(node_t **np)
{
    if (!np || !*np) {
        return;
    }
    node_t *n = *np;
    /* The dashboard first: its pages call the control socket. */
    dashboard_stop(&n->dashboard);
    /* Engines (in reverse: one may follow another) and peer first:
     * requests they cancel still answer the CLI on the control socket. */
    while (n->n_engines) {
        n->n_engines--;
        s_engines[n->n_engines]->destroy(n->engines[n->n_engines]);
    }
    rpc_peer_destroy(&n->peer);
    if (n->control) {
        zmq_close(n->control);
        unlink(n->cfg.control);
    }
    if (n->ctx) {
        zmq_ctx_term(n->ctx);
    }
    rpc_registry_destroy(&n->registry);
    rpc_registry_destroy(&n->control_registry);
    ledger_close(&n->ledger);
    roster_destroy(&n->roster);
    keys_destroy(&n->key_next);
    free(n);
    *np = NULL;
}
