/* SPDX-License-Identifier: Apache-2.0 */
/* broker_metrics: the broker's state as Prometheus metrics. It reads the
 * state the loop keeps (broker_state.h), from the loop's own thread. */
#include "broker_metrics.h"

#include <stdarg.h>
#include <stdio.h>

#include "broker_state.h"
#include "err.h"
#include "outbox.h"

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

int broker_metrics_render(broker_t *b, char *buf, size_t size)
{
    s_out_t o = {.buf = buf, .size = size};
    size_t n = 0;
    if (size == 0) {
        return -1;
    }
    buf[0] = '\0';
    const char *const *codes = mailbox_codes(b->mailbox, &n);
    s_put(&o, "# HELP concord_broker_log_head the index of the newest entry in the broker's"
              " Merkle-tree log\n# TYPE concord_broker_log_head gauge\n"
              "concord_broker_log_head %llu\n",
          (unsigned long long)b->head_index);
    s_put(&o, "# HELP concord_broker_serving 1 while the broker's log can be written\n"
              "# TYPE concord_broker_serving gauge\nconcord_broker_serving %d\n",
          b->failed ? 0 : 1);
    s_put(&o,
          "# HELP concord_broker_epoch the fencing epoch this broker holds as the active"
          " broker of a PostgreSQL store (0: a SQLite store)\n"
          "# TYPE concord_broker_epoch gauge\nconcord_broker_epoch %llu\n",
          (unsigned long long)broker_store_epoch(b->ledger));
    s_put(&o, "# HELP concord_broker_members organisations in the roster\n"
              "# TYPE concord_broker_members gauge\nconcord_broker_members %zu\n",
          n);
    const uint64_t *res = outbox_result_counts(b->outbox);
    uint64_t all = 0;
    for (int c = 0; c < OUTBOX_CODES; c++) {
        all += res[c];
    }
    s_put(&o, "# HELP concord_broker_envelopes_submitted_total envelopes members submitted"
              " (each answered with a result)\n# TYPE concord_broker_envelopes_submitted_total"
              " counter\nconcord_broker_envelopes_submitted_total %llu\n",
          (unsigned long long)all);
    s_put(&o, "# HELP concord_broker_envelopes_accepted_total envelopes logged and receipted\n"
              "# TYPE concord_broker_envelopes_accepted_total counter\n"
              "concord_broker_envelopes_accepted_total %llu\n",
          (unsigned long long)res[CC_OK]);
    s_put(&o, "# HELP concord_broker_envelopes_resent_total envelopes submitted again after"
              " they were accepted (answered with their receipt)\n"
              "# TYPE concord_broker_envelopes_resent_total counter\n"
              "concord_broker_envelopes_resent_total %llu\n",
          (unsigned long long)res[CC_ALREADY_EXISTS]);
    s_put(&o, "# HELP concord_broker_envelopes_refused_total envelopes refused, by reason\n"
              "# TYPE concord_broker_envelopes_refused_total counter\n");
    for (int c = 1; c < OUTBOX_CODES; c++) {
        if (c != CC_ALREADY_EXISTS) {
            s_put(&o, "concord_broker_envelopes_refused_total{reason=\"%s\"} %llu\n",
                  err_code_name((cc_code_t)c), (unsigned long long)res[c]);
        }
    }
    s_put(&o, "# HELP concord_broker_mailbox_depth envelopes logged for a member that it has"
              " not yet acknowledged\n# TYPE concord_broker_mailbox_depth gauge\n");
    for (size_t i = 0; i < n; i++) {
        /* Codes are checked at admission (keys_code_check): no quotes or backslashes. */
        s_put(&o, "concord_broker_mailbox_depth{member=\"%s\"} %llu\n", codes[i],
              (unsigned long long)broker_store_mailbox_count(b->ledger, codes[i]));
    }
    return o.full ? -1 : (int)o.len;
}
