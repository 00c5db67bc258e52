/* SPDX-License-Identifier: Apache-2.0 */
/* grow: see grow.h. */
#include "grow.h"

#include <stdint.h>
#include <stdlib.h>

void *grow_reserve(void *arr, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) {
        return arr;
    }
    size_t want = *cap ? *cap * 2 : 8;
    if (want < *cap || want > SIZE_MAX / size) {
        return NULL;
    }
    void *grown = realloc(arr, want * size);
    if (grown) {
        *cap = want;
    }
    return grown;
}

int grow_reserve_at(void *arrp, size_t *cap, size_t n, size_t size)
{
    void **p = arrp;
    void *grown = grow_reserve(*p, cap, n, size);
    if (!grown) {
        return -1;
    }
    *p = grown;
    return 0;
}
