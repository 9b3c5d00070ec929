/*
 * Growing arrays: the one place that doubles a capacity, checks the
 * multiplication for overflow and reallocs.  Callers keep (pointer, count,
 * capacity) in their own structs and ask for room before they append:
 *
 *     if (ARRAY_RESERVE(l->v, l->cap, l->n + 1) < 0)
 *             return -ENOMEM;
 *     l->v[l->n++] = x;
 */
#ifndef MEMSNAP_ARRAY_H
#define MEMSNAP_ARRAY_H

#include <stddef.h>

/*
 * Makes *v (elements of elem bytes, *cap of them allocated) hold at least
 * need elements, growing geometrically from a first allocation of 16.
 * Returns 0, or -ENOMEM (nothing changed) when memory or size_t runs out.
 */
int array_reserve(void **v, size_t *cap, size_t need, size_t elem);

#define ARRAY_RESERVE(v, cap, need) array_reserve((void **)&(v), &(cap), (need), sizeof(*(v)))

#endif
