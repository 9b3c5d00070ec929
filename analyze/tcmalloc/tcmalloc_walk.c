/*
 * The tcmalloc walk, in order, and its figures (tcmalloc_walk.h).
 */
#include <errno.h>

#include "tcmalloc_blocks.h"
#include "tcmalloc_central.h"
#include "tcmalloc_pagemap.h"
#include "tcmalloc_sizemap.h"
#include "tcmalloc_thread_cache.h"
#include "tcmalloc_walk.h"

/*
 * The figures as tcmalloc.cc's ExtractStats and GetNumericProperty make
 * them, from the walk: free bytes of each kind, the central caches'
 * OverheadBytes (each span's tail too short for one more object), and
 * current_allocated_bytes as heap_size less all free bytes.
 */
static void count_figures(struct tcmalloc_heap *h)
{
        struct tcmalloc_figures *f = &h->figures;
        for (size_t i = 0; i < h->nspans; i++) {
                const struct tcmalloc_span *s = &h->spans[i];
                uint64_t bytes = s->pages << TCMALLOC_PAGE_SHIFT;
                f->heap_size += bytes;
                if (s->location == TCMALLOC_ON_NORMAL_FREELIST)
                        f->pageheap_free_bytes += bytes;
                else if (s->location == TCMALLOC_ON_RETURNED_FREELIST)
                        f->pageheap_unmapped_bytes += bytes;
        }
        for (size_t i = 0; i < h->nblocks; i++)
                if (h->blocks[i].sizeclass)
                        h->classes[h->blocks[i].sizeclass].count[h->blocks[i].state]++;
        for (uint32_t cl = 1; cl < h->nclasses; cl++) {
                const struct tcmalloc_class *k = &h->classes[cl];
                uint64_t span_bytes = (uint64_t)k->pages << TCMALLOC_PAGE_SHIFT;
                f->central_cache_free_bytes += k->size * k->count[TCMALLOC_CENTRAL] + k->central_spans * (span_bytes % k->size);
                f->transfer_cache_free_bytes += k->size * k->count[TCMALLOC_TRANSFER];
                f->thread_cache_free_bytes += k->size * k->count[TCMALLOC_THREAD];
        }
        uint64_t free_bytes = f->pageheap_free_bytes + f->pageheap_unmapped_bytes + f->central_cache_free_bytes +
                              f->transfer_cache_free_bytes + f->thread_cache_free_bytes;
        f->current_allocated_bytes = f->heap_size >= free_bytes ? f->heap_size - free_bytes : 0;
}

/* The page heap's own Stats beside the walk's sums: a difference is damage, or a walk that missed spans. */
static void compare_stats(const struct core *c, uint64_t pageheap, struct tcmalloc_heap *h, struct warnings *w)
{
        struct tcmalloc_figures *f = &h->figures;
        uint64_t stats[3];
        uint64_t at = pageheap + TCMALLOC_PAGEHEAP_STATS;
        if (!core_read(c, at, stats, sizeof(stats))) {
                warnings_add(w, "heap", at, "tcmalloc page heap stats are not in the core");
                return;
        }
        f->stats_system_bytes = stats[0];
        f->stats_free_bytes = stats[1];
        f->stats_unmapped_bytes = stats[2];
        static const char *const names[] = { "system_bytes", "free_bytes", "unmapped_bytes" };
        const uint64_t walked[] = { f->heap_size, f->pageheap_free_bytes, f->pageheap_unmapped_bytes };
        for (size_t i = 0; i < 3; i++)
                if (walked[i] != stats[i])
                        warnings_add(w, "heap", at + 8 * i, "tcmalloc page heap stats say %s is %llu, its spans hold %llu",
                                     names[i], (unsigned long long)stats[i], (unsigned long long)walked[i]);
}

int tcmalloc_walk(const struct core *c, const struct tcmalloc_roots *r, struct tcmalloc_heap *h, struct warnings *w)
{
        h->page_size = TCMALLOC_PAGE_SIZE;
        h->roots = *r;
        if (!tcmalloc_sizemap_read(c, r->sizemap, h->classes, &h->nclasses)) {
                warnings_add(w, "heap", r->sizemap, "tcmalloc size map cannot be read: the heap is not walked");
                return 0;
        }
        int ret = tcmalloc_pagemap_walk(c, r->pageheap, h, w);
        if (ret < 0)
                return ret;
        struct tcmalloc_blocks b = { 0 };
        bool capped;
        ret = tcmalloc_blocks_build(h, &b, &capped);
        if (ret < 0) {
                tcmalloc_blocks_free(&b);
                return ret;
        }
        if (capped)
                warnings_add(w, "heap", r->pageheap, "more than %u tcmalloc blocks: the spans past them have none",
                             TCMALLOC_BLOCKS_MAX);
        tcmalloc_central_walk(c, r->central, h, &b, w);
        if (r->thread_heaps)
                tcmalloc_thread_cache_walk(c, r->thread_heaps, h, &b, w);
        tcmalloc_blocks_free(&b);
        count_figures(h);
        compare_stats(c, r->pageheap, h, w);
        return 0;
}
