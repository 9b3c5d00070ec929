/*
 * The tcmalloc walk: from where gperftools keeps its heap
 * (tcmalloc_find.h) to every block, span, thread cache and size class,
 * and the figures MallocExtension would report, read from the core alone.
 *
 * The pagemap gives every span (tcmalloc_pagemap.h); the spans give every
 * block, all used at first (tcmalloc_blocks.h); the central caches, their
 * transfer slots and the thread caches then mark the objects they hold
 * free (tcmalloc_central.h, tcmalloc_thread_cache.h).  A pure function of
 * the core: what is damaged becomes a warning naming its address.
 */
#ifndef MEMSNAP_TCMALLOC_WALK_H
#define MEMSNAP_TCMALLOC_WALK_H

#include "analyze/core/core.h"
#include "analyze/warnings.h"
#include "analyze/tcmalloc_tables.h"
#include "tcmalloc_layout.h"
#include "tcmalloc_find.h"

/*
 * Walks the heap r names (all but thread_heaps must be set) into *h,
 * which starts zeroed; free it with tcmalloc_heap_free.  0, or -ENOMEM
 * (h then holds what was walked).
 */
int tcmalloc_walk(const struct core *c, const struct tcmalloc_roots *r, struct tcmalloc_heap *h, struct warnings *w);

#endif
