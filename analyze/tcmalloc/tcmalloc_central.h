/*
 * gperftools' central caches (central_freelist.h), one per size class:
 * the spans of that class that the central cache holds, on two doubly
 * linked lists with dummy heads (empty_: no free object left; nonempty_),
 * each span with its own list of free objects; and the transfer cache,
 * up to 64 slots of one batch (num_objects_to_move objects) each, handed
 * between thread caches whole.
 *
 * Objects on a span's list are marked TCMALLOC_CENTRAL, those in a slot
 * TCMALLOC_TRANSFER.  A span list is walked at most as many steps as the
 * heap has spans, and each span on it must be one the pagemap holds, of
 * the list's size class; anything else ends that list with a warning that
 * names the address.
 */
#ifndef MEMSNAP_TCMALLOC_CENTRAL_H
#define MEMSNAP_TCMALLOC_CENTRAL_H

#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/warnings.h"
#include "tcmalloc_blocks.h"

/* Walks the central cache of every size class, from Static::central_cache_ at central. */
void tcmalloc_central_walk(const struct core *c, uint64_t central, struct tcmalloc_heap *h,
                           const struct tcmalloc_blocks *b, struct warnings *w);

#endif
