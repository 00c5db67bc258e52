/* control_client: one request to a node's local control socket and its
 * reply (proto/control.proto). Used by the `concord` CLI and by anything
 * else on the machine that drives nodes the same way (benchmarks, the
 * scenario runner). */
#ifndef CONCORD_CONTROL_CLIENT_H
#define CONCORD_CONTROL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "control.pb-c.h"
#include "err.h"

/* How long past a request's own wait (e.g. a ping's deadline) a caller
 * should wait for the node to answer. */
#define CONTROL_CLIENT_SLACK_MS 5000

/* Sends ControlRequest{command, args, payload} to the node whose control
 * socket is at path and waits up to timeout_ms for the reply. Returns the
 * reply (the caller frees it with wire_free), or NULL with err set:
 * NOT_FOUND when there is no socket at path, UNAVAILABLE when the node
 * cannot be reached or does not answer in time, DATA_LOSS (or the decoder's
 * code) when the answer cannot be decoded. The reply's own code may still
 * be an error: that is the node's answer. */
Concord__V1__ControlReply *control_client_call(const char *path, const char *command,
                                               char **args, size_t n_args,
                                               const uint8_t *payload, size_t payload_len,
                                               int timeout_ms, cc_err_t *err);

#endif
