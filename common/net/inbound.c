/* SPDX-License-Identifier: Apache-2.0 */
/* inbound: the failure states of a node's inbound pipeline. */
#include "inbound.h"

int inbound_admits(const inbound_t *in, uint64_t log_index)
{
    switch (in->phase) {
    case INBOUND_STORING:
        return 1;
    case INBOUND_RETRYING:
        return log_index && log_index <= in->failed_index;
    case INBOUND_STALLED:
    default:
        return 0;
    }
}

void inbound_failed(inbound_t *in, uint64_t log_index, const cc_err_t *err, uint64_t now_ms)
{
    if (in->phase == INBOUND_STORING || log_index < in->failed_index) {
        in->failed_index = log_index;
    }
    in->phase = INBOUND_STALLED;
    in->failure = *err;
    in->clock = 0;
    in->retry_ms = now_ms + INBOUND_RETRY_MS;
}

void inbound_held(inbound_t *in, uint64_t log_index, const cc_err_t *err, uint64_t now_ms)
{
    inbound_failed(in, log_index, err, now_ms);
    in->clock = 1;
}

int inbound_retry_due(inbound_t *in, int connected, uint64_t now_ms)
{
    if (in->phase == INBOUND_STORING || !connected || now_ms < in->retry_ms) {
        return 0;
    }
    in->phase = INBOUND_RETRYING;
    in->retry_ms = now_ms + INBOUND_RETRY_MS;
    return 1;
}

int inbound_done(inbound_t *in, uint64_t log_index)
{
    if (in->phase == INBOUND_STORING || log_index != in->failed_index) {
        return 0;
    }
    in->phase = INBOUND_STORING;
    return 1;
}

int inbound_failing(const inbound_t *in)
{
    return in->phase != INBOUND_STORING;
}

int inbound_refuse(const inbound_t *in, cc_err_t *err)
{
    if (in->phase == INBOUND_STORING) {
        return 0;
    }
    if (in->clock) {
        err_set(err, CC_UNAVAILABLE,
                "this node takes no new work while the broker's log time is ahead of its "
                "clock: %s",
                in->failure.msg);
    } else {
        err_set(err, CC_UNAVAILABLE,
                "this node takes no new work until its ledger can be written again: %s",
                in->failure.msg);
    }
    return -1;
}

long inbound_timeout_ms(const inbound_t *in, uint64_t now_ms)
{
    if (in->phase == INBOUND_STORING) {
        return -1;
    }
    return in->retry_ms <= now_ms ? 0 : (long)(in->retry_ms - now_ms);
}
