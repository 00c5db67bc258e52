/* SPDX-License-Identifier: Apache-2.0 */
/* node_metrics: the node's counters as Prometheus metrics. Every series
 * carries the organisation's code as the label `organisation`. */
#include "node_metrics.h"

#include <stdarg.h>
#include <stdio.h>

typedef struct {
    char *buf;
    size_t size, len;
    int full;
} s_out_t;

static void s_put(s_out_t *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void s_put(s_out_t *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= o->size - o->len) {
        o->full = 1;
        return;
    }
    o->len += (size_t)n;
}

/* One metric: its help, type and one sample. */
static void s_metric(s_out_t *o, const char *name, const char *type, const char *help,
                     const char *code, unsigned long long v)
{
    s_put(o, "# HELP %s %s\n# TYPE %s %s\n%s{organisation=\"%s\"} %llu\n", name, help, name,
          type, name, code, v);
}

/* A histogram in seconds: cumulative buckets, +Inf, sum and count. */
static void s_histogram(s_out_t *o, const char *name, const char *help, const char *code,
                        const rpc_histogram_t *h)
{
    uint64_t cum = 0;
    s_put(o, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
    for (size_t i = 0; i < RPC_HISTOGRAM_BOUNDS; i++) {
        cum += h->buckets[i];
        s_put(o, "%s_bucket{organisation=\"%s\",le=\"%g\"} %llu\n", name, code,
              (double)rpc_histogram_bounds_us[i] / 1e6, (unsigned long long)cum);
    }
    s_put(o, "%s_bucket{organisation=\"%s\",le=\"+Inf\"} %llu\n", name, code,
          (unsigned long long)h->count);
    s_put(o, "%s_sum{organisation=\"%s\"} %.6f\n", name, code, (double)h->sum_us / 1e6);
    s_put(o, "%s_count{organisation=\"%s\"} %llu\n", name, code,
          (unsigned long long)h->count);
}

int node_metrics_render(node_t *n, const char *code, char *buf, size_t size)
{
    node_stats_t st;
    s_out_t o = {.buf = buf, .size = size};
    if (size == 0) {
        return -1;
    }
    buf[0] = '\0';
    node_stats(n, &st);
    s_metric(&o, "concord_node_connected", "gauge",
             "1 while the node's handshake with the broker holds", code,
             st.peer.connected ? 1 : 0);
    s_metric(&o, "concord_node_serving", "gauge",
             "1 while the node takes new work (0 once its ledger cannot be written)", code,
             st.serving ? 1 : 0);
    s_metric(&o, "concord_node_envelopes_submitted_total", "counter",
             "envelopes this node sealed and sent to the broker", code, st.peer.sent);
    s_metric(&o, "concord_node_envelopes_delivered_total", "counter",
             "envelopes delivered to this node, verified and stored", code, st.peer.received);
    s_metric(&o, "concord_node_envelopes_refused_total", "counter",
             "deliveries this node refused (signature, replay, sequence, roster)", code,
             st.peer.rejected);
    s_metric(&o, "concord_node_envelopes_verified_total", "counter",
             "delivered log entries whose envelope signature this node checked", code,
             st.peer.envelopes_opened);
    s_metric(&o, "concord_node_tree_heads_verified_total", "counter",
             "signed tree heads of the broker whose signature this node checked (once each)",
             code, st.peer.heads_verified);
    s_metric(&o, "concord_node_unreceipted", "gauge",
             "envelopes sent that the broker has not yet receipted", code, st.peer.unreceipted);
    s_metric(&o, "concord_node_calls_waiting", "gauge", "calls waiting for their answer", code,
             st.peer.pending_calls);
    s_metric(&o, "concord_node_ledger_entries", "gauge",
             "log entries held in this node's ledger (its log head)", code, st.ledger_entries);
    s_metric(&o, "concord_node_envelopes_resent_total", "counter",
             "envelopes sent again because the broker had not receipted them in time", code,
             st.peer.resent);
    s_histogram(&o, "concord_node_commit_seconds",
                "from an envelope's first send to the broker's signed receipt", code,
                &st.peer.commit);
    s_histogram(&o, "concord_node_round_trip_seconds",
                "from a call's first send to its answer (calls answered)", code,
                &st.peer.round_trip);
    s_metric(&o, "concord_node_start_time_seconds", "gauge",
             "when the node started, in seconds since the Unix epoch", code,
             st.started_ms / 1000);
    return o.full ? -1 : (int)o.len;
}
