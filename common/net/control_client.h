/* SPDX-License-Identifier: Apache-2.0 */
/* control_client: one call of the Control service (proto/control.proto)
 * on a node's local control socket, and its typed reply. Used by the
 * `concord` CLI and by anything else on the machine that drives nodes the
 * same way (the scenario runner, benchmarks). */
#ifndef CONCORD_CONTROL_CLIENT_H
#define CONCORD_CONTROL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"
#include "err.h"

/* How long past a request's own wait (e.g. a ping's deadline) a caller
 * should wait for the node to answer. */
#define CONTROL_CLIENT_SLACK_MS 5000

/* Calls method (a method name of concord.v1.Control: "Status",
 * "PoolShow") with request in, a message of the method's request type, on
 * the node whose control socket is at path, waiting up to timeout_ms.
 * Returns the reply, a message of the method's reply type (the caller
 * frees it with wire_free), or NULL with err set. *refused (may be NULL)
 * is 1 when the node answered with an error (err holds its code and
 * message), else 0: NOT_FOUND when there is no socket at path or no such
 * method, INVALID_ARGUMENT for a request of the wrong type, UNAVAILABLE
 * when the node cannot be reached or does not answer in time, DATA_LOSS
 * (or the decoder's code) when the answer cannot be decoded. */
ProtobufCMessage *control_client_call(const char *path, const char *method,
                                      const ProtobufCMessage *in, int timeout_ms, int *refused,
                                      cc_err_t *err);

#endif
