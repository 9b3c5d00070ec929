/*
 * Growing arrays: the one place that doubles a capacity, checks the
 * multiplication for overflow and reallocs.  Callers keep (pointer, count,
 * capacity) in their own structs and ask for room before they append:
 *
 *     if (ARRAY_RESERVE(l->v, l->cap, l->n + 1) < 0)
 *             return -ENOMEM;
 *     l->v[l->n++] = x;
 *
 * An array nothing was appended to is still NULL, which qsort must not be
 * given even with a count of 0 (C11 7.22.5): sort with qsort_safe.
 */
#ifndef MEMSNAP_ARRAY_H
#define MEMSNAP_ARRAY_H

#include <stddef.h>
#include <stdlib.h>

/*
 * Makes *v (elements of elem bytes, *cap of them allocated) hold at least
 * need elements, growing geometrically from a first allocation of 16.
 * Returns 0, or -ENOMEM (nothing changed) when memory or size_t runs out.
 */
int array_reserve(void **v, size_t *cap, size_t need, size_t elem);

#define ARRAY_RESERVE(v, cap, need) array_reserve((void **)&(v), &(cap), (need), sizeof(*(v)))

/* qsort for n elements at base, which may be NULL when n is 0 (as systemd's qsort_safe). */
static inline void qsort_safe(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
        if (n > 1)
                qsort(base, n, size, cmp);
}

#endif
