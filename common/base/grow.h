/* SPDX-License-Identifier: Apache-2.0 */
/* grow: room for one more element in an array that doubles as it fills,
 * for the engines' growing lists (proposals, ballots, events, refusals). */
#ifndef CONCORD_GROW_H
#define CONCORD_GROW_H

#include <stddef.h>

/* Makes room for element n of arr (n elements of size bytes in use, *cap
 * allocated): returns arr itself when there is room, else the array grown
 * to twice its capacity (8 at first) with *cap updated. NULL when memory
 * runs out or the size would overflow; arr is then intact and still the
 * caller's. */
void *grow_reserve(void *arr, size_t *cap, size_t n, size_t size);

/* grow_reserve for the array whose address is arrp (a T ** passed as
 * void *): 0 with *arrp updated, or -1 with *arrp and *cap intact. */
int grow_reserve_at(void *arrp, size_t *cap, size_t n, size_t size);

#endif
