/*
 * Walking one of gperftools' singly linked lists of free objects (a
 * span's objects, a transfer slot's batch, a thread cache's FreeList):
 * each object's first word is the next one's address (linked_list.h,
 * SLL_Next), the last one's is NULL.  Every object is marked free as it
 * is passed (tcmalloc_blocks_mark), so a list that reaches an object
 * already free, or a pointer that is not an object of the list's size
 * class, or more objects than the list may hold, ends the walk with a
 * warning that names the address; a walk never loops.
 */
#ifndef MEMSNAP_TCMALLOC_FREELIST_H
#define MEMSNAP_TCMALLOC_FREELIST_H

#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/warnings.h"
#include "tcmalloc_blocks.h"

struct tcmalloc_freelist {
        uint64_t head;          /* the first object, or 0 */
        uint32_t cl;            /* size class of every object */
        enum tcmalloc_state state; /* what the objects are marked */
        uint64_t max;           /* objects it may hold */
        uint64_t owner;         /* the structure holding the list, for messages */
        const char *what;       /* "tcmalloc thread cache list", ... */
};

/*
 * Walks l, marking each object; returns how many were marked.  *last is
 * the last one marked (0 for none); *ended says the walk reached the
 * list's NULL (false when stopped by damage or by l->max: with a warning).
 */
uint64_t tcmalloc_freelist_walk(const struct core *c, struct tcmalloc_heap *h, const struct tcmalloc_blocks *b,
                                const struct tcmalloc_freelist *l, uint64_t *last, bool *ended, struct warnings *w);

#endif
