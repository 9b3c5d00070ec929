/*
 * The growth part of a diff (diff_growth.c): used blocks counted per key
 * while each side is streamed (diff_stream.c), then turned into d->growth,
 * largest byte growth first.
 */
#ifndef MEMSNAP_DIFF_GROWTH_H
#define MEMSNAP_DIFF_GROWTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diff.h"

struct growth_slot {
        bool used;
        char *type;             /* the key: a type hint, or NULL and ... */
        int64_t size_class;     /* ... a size class (-1 for type keys) */
        int64_t count[2], bytes[2]; /* [0] before, [1] after */
};

struct growth_table {
        struct growth_slot *v;
        size_t cap, n;          /* cap is a power of two, n < cap / 2 */
};

/* Counts one used block of side 0 (before) or 1 (after). */
int growth_table_add(struct growth_table *t, int side, const char *type, int64_t size_class, uint64_t size);

/* Adds the counts of from into into. */
int growth_table_merge(struct growth_table *into, const struct growth_table *from);

/* Fills d->growth with the keys whose count or bytes differ. */
int growth_table_finish(struct growth_table *t, struct diff *d);

void growth_table_free(struct growth_table *t);

#endif
