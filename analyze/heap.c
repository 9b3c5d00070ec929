/*
 * The heap stage of `memsnap analyze`: every allocator the process carries,
 * each read by its own walker into the one list of blocks (heap.h).
 *
 * glibc's walker goes first (it finds the allocators); then each other
 * allocator's row with a walker in allocators.c's table.  The blocks of
 * all of them become one list sorted by address, which is what the stages
 * after this one expect, each tied to the segment that holds it; and a
 * note names the allocators whose blocks are not listed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "allocators.h"
#include "common/array.h"
#include "common/log.h"
#include "heap.h"
#include "stages.h"

int heap_chunk_cmp(const void *x, const void *y)
{
        const struct chunk *a = x, *b = y;
        return a->address < b->address ? -1 : a->address > b->address;
}

int heap_chunks_append(struct heap_result *heap, const struct chunk *v, size_t n)
{
        if (!n)
                return 0;
        if (heap->nchunks > SIZE_MAX / sizeof(*v) - n)
                return -ENOMEM;
        struct chunk *grown = realloc(heap->chunks, (heap->nchunks + n) * sizeof(*v));
        if (!grown)
                return -ENOMEM;
        memcpy(grown + heap->nchunks, v, n * sizeof(*v));
        heap->chunks = grown;
        heap->nchunks += n;
        return 0;
}

int heap_ranges_append(struct heap_result *heap, const struct heap_range *v, size_t n)
{
        if (!n)
                return 0;
        if (heap->nranges > SIZE_MAX / sizeof(*v) - n)
                return -ENOMEM;
        struct heap_range *grown = realloc(heap->ranges, (heap->nranges + n) * sizeof(*v));
        if (!grown)
                return -ENOMEM;
        memcpy(grown + heap->nranges, v, n * sizeof(*v));
        heap->ranges = grown;
        heap->nranges += n;
        return 0;
}

/* chunks[].segment_id, one pass with a cursor: both lists are sorted. */
static void assign_segments(const struct analysis *a, struct heap_result *heap)
{
        size_t s = 0;
        for (size_t i = 0; i < heap->nchunks; i++) {
                uint64_t p = heap->chunks[i].address;
                while (s < a->segments.n && a->segments.v[s].end <= p)
                        s++;
                heap->chunks[i].segment_id = s < a->segments.n && a->segments.v[s].start <= p ? (int32_t)s : NO_ID;
        }
}

int heap_walk(struct analysis *a)
{
        struct heap_result *heap = &a->heap;
        int r;

        if ((r = glibc_heap_walk(a)) < 0)
                return r;
        size_t sorted_to = heap->nchunks;
        for (size_t i = 0; i < heap->nallocators; i++) {
                heap_walker_fn *walk = allocator_walker(heap->allocators[i].kind);
                if (walk && (r = walk(a, &heap->allocators[i])) < 0)
                        return r;
        }
        /* Each walker's blocks are sorted; blocks of two allocators interleave only when their memory does. */
        for (size_t i = sorted_to ? sorted_to : 1; i < heap->nchunks; i++)
                if (heap->chunks[i].address <= heap->chunks[i - 1].address) {
                        qsort_safe(heap->chunks, heap->nchunks, sizeof(*heap->chunks), heap_chunk_cmp);
                        break;
                }
        assign_segments(a, heap);
        allocators_note(a, heap, &a->warnings);
        return 0;
}

void heap_reset(struct analysis *a)
{
        struct heap_result *h = &a->heap;
        for (size_t k = 0; k < schema_enum_allocator_kind.count; k++) {
                heap_walker_reset_fn *reset = allocator_walker_reset((enum allocator_kind)k);
                if (reset)
                        reset(h);
        }
        free(h->glibc_version);
        free(h->glibc_build_id);
        for (size_t i = 0; i < h->nallocators; i++)
                free(h->allocators[i].evidence);
        free(h->allocators);
        free(h->arenas);
        free(h->heaps);
        free(h->chunks);
        free(h->tcaches);
        free(h->ranges);
        *h = (struct heap_result){ 0 };
}
