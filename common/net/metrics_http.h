/* SPDX-License-Identifier: Apache-2.0 */
/* metrics_http: the opt-in Prometheus endpoint of concordd and
 * concord-broker (`metrics = 127.0.0.1:9464` in their config). It serves
 * GET /metrics from its own thread (libmicrohttpd), answering with the
 * last text the daemon's loop published, so the loop's state is read by
 * the loop alone. The text is the Prometheus exposition format 0.0.4. */
#ifndef CONCORD_METRICS_HTTP_H
#define CONCORD_METRICS_HTTP_H

#include "err.h"

typedef struct metrics_http metrics_http_t;

/* Listens on listen ("127.0.0.1:9464", "[::1]:9464" or ":9464" for every
 * address). Returns the server, or NULL with err (INVALID_ARGUMENT for a
 * bad address, UNAVAILABLE when it cannot listen). */
metrics_http_t *metrics_http_start(const char *listen, cc_err_t *err);

/* Replaces the text served (copied). Returns 0, or -1 when out of memory
 * (the old text stays). */
int metrics_http_publish(metrics_http_t *m, const char *text);

/* Stops serving and frees the server; NULL-safe. */
void metrics_http_stop(metrics_http_t **m);

#endif
