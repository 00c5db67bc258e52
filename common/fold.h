/* fold: the log-order guard every domain engine (boards, pools) applies
 * before folding an event: events must come in strictly rising broker log
 * order, or the engines of different nodes could diverge. */
#ifndef CONCORD_FOLD_H
#define CONCORD_FOLD_H

#include <stdint.h>

#include "err.h"

typedef struct {
    int started;
    uint64_t last_index;
} fold_order_t;

/* Returns 1 if log_index comes after everything folded so far; otherwise
 * 0 with FAILED_PRECONDITION in err. */
int fold_order_ok(const fold_order_t *o, uint64_t log_index, cc_err_t *err);

/* Records that the event at log_index has been folded. */
void fold_order_advance(fold_order_t *o, uint64_t log_index);

#endif
