/*
 * gperftools' thread caches (thread_cache.h): one ThreadCache per thread
 * that has called malloc, on a list from the exported
 * ThreadCache::thread_heaps_ through next_, each with a FreeList per size
 * class (a singly linked list and its length_).  Their objects are marked
 * TCMALLOC_THREAD; each cache becomes a row of h->caches.  The list of
 * caches is walked at most TCMALLOC_THREAD_CACHES_MAX steps and each
 * cache only once.
 */
#ifndef MEMSNAP_TCMALLOC_THREAD_CACHE_H
#define MEMSNAP_TCMALLOC_THREAD_CACHE_H

#include <stdint.h>

#include "analyze/core/core.h"
#include "analyze/warnings.h"
#include "tcmalloc_blocks.h"

#define TCMALLOC_THREAD_CACHES_MAX (1u << 20)

/* Walks the caches listed from the pointer at thread_heaps (&ThreadCache::thread_heaps_). */
void tcmalloc_thread_cache_walk(const struct core *c, uint64_t thread_heaps, struct tcmalloc_heap *h,
                                const struct tcmalloc_blocks *b, struct warnings *w);

#endif
