/*
 * The blocks of a gperftools heap, laid out from its spans before any free
 * list is read: every object of a small-object span as used, every large
 * span as one used block, every free span as one free block.  Walking a
 * free list then marks objects free by address: the span holding an
 * address is found by binary search over the spans, its object by
 * division, so marking costs no search of the blocks.  An object marked
 * twice is on two lists, or twice on one (a cycle): the mark is refused
 * and the list walk stops there, so no damaged list can loop.
 */
#ifndef MEMSNAP_TCMALLOC_BLOCKS_H
#define MEMSNAP_TCMALLOC_BLOCKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyze/tcmalloc_tables.h"
#include "tcmalloc_layout.h"

#define TCMALLOC_BLOCKS_MAX (1u << 28) /* objects; past them spans are left out, with a warning */

/* Per span, where its blocks start in h->blocks (what marking needs beside the heap). */
struct tcmalloc_blocks {
        uint64_t *first;        /* h->nspans entries */
};

/*
 * Fills h->blocks from h->spans.  Returns 0 or -ENOMEM; *capped is set
 * when TCMALLOC_BLOCKS_MAX stopped it (the spans past it have no blocks).
 */
int tcmalloc_blocks_build(struct tcmalloc_heap *h, struct tcmalloc_blocks *b, bool *capped);

/* The index of the span whose pages hold addr, or -1 (binary search: h->spans are in address order). */
ptrdiff_t tcmalloc_blocks_span(const struct tcmalloc_heap *h, uint64_t addr);

/* Why a mark was refused, for the list walker's warning. */
enum tcmalloc_mark {
        TCMALLOC_MARKED,
        TCMALLOC_MARK_NO_SPAN,          /* in no in-use span of that size class */
        TCMALLOC_MARK_MISALIGNED,       /* inside an object, not at its start */
        TCMALLOC_MARK_TWICE,            /* already free: on another list, or a cycle */
};

/* Marks the object at addr of size class cl with state; what it refused and why. */
enum tcmalloc_mark tcmalloc_blocks_mark(struct tcmalloc_heap *h, const struct tcmalloc_blocks *b, uint64_t addr,
                                        uint32_t cl, enum tcmalloc_state state);

/* What tcmalloc_blocks_mark would say, without marking. */
enum tcmalloc_mark tcmalloc_blocks_check(const struct tcmalloc_heap *h, const struct tcmalloc_blocks *b, uint64_t addr,
                                         uint32_t cl);

/* The message for a refusal: "is in no in-use span of its size class", ... */
const char *tcmalloc_blocks_mark_reason(enum tcmalloc_mark m);

void tcmalloc_blocks_free(struct tcmalloc_blocks *b);

#endif
