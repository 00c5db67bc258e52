/* SPDX-License-Identifier: Apache-2.0 */
/* zap: the broker's ZeroMQ authentication handler (ZAP, RFC 27).
 *
 * libzmq asks it, over inproc://zeromq.zap.01 in the broker's context,
 * whether each connection to the CURVE ROUTER may proceed. A CURVE key
 * listed in the roster passes, with the member's code as User-Id (the
 * broker reads it back from every message as the sender's identity);
 * anything else, the broker's own key included, is refused. */
#ifndef CONCORD_ZAP_H
#define CONCORD_ZAP_H

#include "err.h"
#include "roster.h"

typedef struct zap zap_t;

/* Binds the handler in ctx (before any CURVE server socket is bound).
 * Returns NULL with err set. */
zap_t *zap_new(void *ctx, cc_err_t *err);

/* The handler's socket, to poll for ZMQ_POLLIN. */
void *zap_socket(zap_t *z);

/* Answers one waiting request against roster. Returns 1 if a request was
 * answered (or a malformed one dropped), 0 if none was waiting. */
int zap_handle(zap_t *z, const roster_t *roster);

void zap_destroy(zap_t **z);

#endif
