/* SPDX-License-Identifier: Apache-2.0 */
/* fold: log-order guard for domain engines. */
#include "fold.h"

#include <string.h>

#include "log.h"
#include "wire.h"

int fold_order_ok(const fold_order_t *o, uint64_t log_index, cc_err_t *err)
{
    if (o->started && log_index <= o->last_index) {
        err_set(err, CC_FAILED_PRECONDITION,
                "event at log index %llu is out of log order: already at %llu",
                (unsigned long long)log_index, (unsigned long long)o->last_index);
        return 0;
    }
    return 1;
}

void fold_order_advance(fold_order_t *o, uint64_t log_index)
{
    o->started = 1;
    o->last_index = log_index;
}

int fold_broadcast_ok(const envelope_t *env, uint64_t log_index, const char *what)
{
    const Concord__V1__Header *h = env->header;
    if (h->kind != CONCORD__V1__KIND__KIND_EVENT ||
        (strcmp(h->recipient, ENVELOPE_EVERYONE) != 0 && !envelope_board_of(h->recipient))) {
        log_warn("%s event at log %llu from %s ignored: not sent to every member or to a "
                 "board's members", what,
                 (unsigned long long)log_index, h->sender);
        return 0;
    }
    return 1;
}

void fold_log_verdict(const char *what, const envelope_t *env, uint64_t log_index, int accepted,
                      const cc_err_t *why, int quiet)
{
    const Concord__V1__Header *h = env->header;
    if (!accepted && why->code == CC_RESOURCE_EXHAUSTED) {
        log_error("%s event at log %llu: out of memory; this node's %ss are behind the"
                  " federation's until it restarts",
                  what, (unsigned long long)log_index, what);
    } else if (quiet) {
        return;
    } else if (accepted) {
        log_info("%s event at log %llu from %s accepted (%s)", what,
                 (unsigned long long)log_index, h->sender, h->method);
    } else {
        log_warn("%s event at log %llu from %s refused: %s: %s", what,
                 (unsigned long long)log_index, h->sender, err_code_name(why->code), why->msg);
    }
}

fold_event_t fold_event_of(const envelope_t *env, uint64_t log_index, uint64_t time_ms)
{
    const Concord__V1__Header *h = env->header;
    return (fold_event_t){.sender = h->sender,
                          .log_index = log_index,
                          .time_ms = time_ms,
                          .call_id = h->call_id.data,
                          .hash = env->hash,
                          .method = h->method,
                          .recipient = h->recipient,
                          .body = env->body,
                          .body_len = env->body_len,
                          .person_sig = env->person_sig};
}
