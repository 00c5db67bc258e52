/* SPDX-License-Identifier: Apache-2.0 */
/* node_metrics: concordd's opt-in Prometheus endpoint (`metrics =
 * 127.0.0.1:9464` in [node]): the node's counters in the text exposition
 * format, published once a second from the node's loop. */
#ifndef CONCORD_NODE_METRICS_H
#define CONCORD_NODE_METRICS_H

#include <stddef.h>

#include "node.h"

/* Writes the node's metrics, in the Prometheus text format 0.0.4, into
 * buf. Returns the length, or -1 when buf is too small. */
int node_metrics_render(node_t *n, const char *code, char *buf, size_t size);

#endif
