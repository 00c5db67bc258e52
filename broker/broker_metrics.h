/* SPDX-License-Identifier: Apache-2.0 */
/* broker_metrics: concord-broker's opt-in Prometheus endpoint (`metrics =
 * 127.0.0.1:9465` in [broker]): the log head and every member's mailbox
 * depth, published once a second from the broker's loop. */
#ifndef CONCORD_BROKER_METRICS_H
#define CONCORD_BROKER_METRICS_H

#include <stddef.h>

#include "broker.h"

/* Writes the broker's metrics, in the Prometheus text format 0.0.4, into
 * buf. Returns the length, or -1 when buf is too small. */
int broker_metrics_render(broker_t *b, char *buf, size_t size);

#endif
