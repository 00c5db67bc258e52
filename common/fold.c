/* fold: log-order guard for domain engines. */
#include "fold.h"

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
