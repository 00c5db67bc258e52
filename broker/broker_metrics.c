/* SPDX-License-Identifier: Apache-2.0 */
/* broker_metrics: the broker's state as Prometheus metrics. It reads the
 * state the loop keeps (broker_state.h), from the loop's own thread. */
#include "broker_metrics.h"

#include <stdarg.h>
#include <stdio.h>

#include "broker_state.h"

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
              " hash-chained log\n# TYPE concord_broker_log_head gauge\n"
              "concord_broker_log_head %llu\n",
          (unsigned long long)b->head_index);
    s_put(&o, "# HELP concord_broker_serving 1 while the broker's log can be written\n"
              "# TYPE concord_broker_serving gauge\nconcord_broker_serving %d\n",
          b->failed ? 0 : 1);
    s_put(&o, "# HELP concord_broker_members organisations in the roster\n"
              "# TYPE concord_broker_members gauge\nconcord_broker_members %zu\n",
          n);
    s_put(&o, "# HELP concord_broker_mailbox_depth envelopes logged for a member that it has"
              " not yet acknowledged\n# TYPE concord_broker_mailbox_depth gauge\n");
    for (size_t i = 0; i < n; i++) {
        /* Codes are checked at admission (keys_code_check): no quotes or backslashes. */
        s_put(&o, "concord_broker_mailbox_depth{member=\"%s\"} %llu\n", codes[i],
              (unsigned long long)ledger_mailbox_count(b->ledger, codes[i]));
    }
    return o.full ? -1 : (int)o.len;
}
