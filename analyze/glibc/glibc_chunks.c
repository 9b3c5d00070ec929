/*
 * The linear chunk walk: from a region's first chunk, chunk after chunk by
 * the size fields, to its top chunk or the heap's end.  This is one pass
 * over the core's mapped bytes with no allocation per chunk (the chunks
 * array grows geometrically), since heaps have many millions of chunks.
 *
 * Every size is checked before it is trusted (MALLOC_ALIGNMENT multiple,
 * at least MINSIZE, inside the region, no IS_MMAPPED in an arena; a clear
 * PREV_INUSE needs a matching prev_size).  A size that fails ends the walk
 * of that region with a warning naming the chunk; the rest of the regions
 * are still walked.  Chunks start as used; the free lists say later which
 * are free.
 */
#include <errno.h>
#include <stdlib.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "glibc_chunks.h"

#define CHUNKS_INITIAL (1u << 14)

int glibc_chunks_add(struct heap_ctx *h, uint64_t address, uint64_t size, int arena_id, enum chunk_state state,
                     bool mmapped)
{
        const struct analysis *a = h->a;
        if (ARRAY_RESERVE(h->out->chunks, h->chunks_cap, MAX(h->out->nchunks + 1, (size_t)CHUNKS_INITIAL)) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %zu chunks: %m", a->opt.core_path,
                                       h->out->nchunks + 1);
        h->out->chunks[h->out->nchunks++] = (struct chunk){
                .address = address, .size = size, .arena_id = arena_id, .segment_id = NO_ID, .type_id = NO_ID,
                .state = (uint8_t)state, .bin = BIN_NONE, .leak = LEAK_NONE, .mmapped = mmapped,
        };
        return 0;
}

ssize_t glibc_chunk_find(const struct heap_result *heap, uint64_t address)
{
        size_t lo = 0, hi = heap->nchunks;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                uint64_t x = heap->chunks[mid].address;
                if (x < address)
                        lo = mid + 1;
                else if (x > address)
                        hi = mid;
                else
                        return (ssize_t)mid;
        }
        return -1;
}

/* How a walk that stops early describes what it leaves out. */
static void warn_rest(struct heap_ctx *h, const struct heap_region *r, uint64_t p, const char *why, uint64_t field)
{
        const struct arena *ar = &h->out->arenas[r->arena_id];
        warnings_add(h->w, "heap", p,
                     "arena 0x%llx: chunk at 0x%llx has %s (size field 0x%llx); the walk of this heap stops there and %llu bytes up to 0x%llx are not listed",
                     (unsigned long long)ar->address, (unsigned long long)p, why, (unsigned long long)field,
                     (unsigned long long)(r->end - p), (unsigned long long)r->end);
}

/* After a walk that stopped early the top chunk is still known from the arena: keep it listed. */
static int add_top(struct heap_ctx *h, const struct heap_region *r)
{
        if (!r->top)
                return 0;
        return glibc_chunks_add(h, r->top, h->out->arenas[r->arena_id].top_size, r->arena_id, CHUNK_TOP, false);
}

int glibc_chunks_walk(struct heap_ctx *h, const struct heap_region *r)
{
        struct glibc_mem *m = &h->mem;
        uint64_t p = r->start;
        uint64_t limit = r->top ? r->top : r->end; /* ordinary chunks end at or before this */
        uint64_t prev_size_of_last = 0;           /* size of the chunk before p, 0 at the start */
        int e;

        if (r->top && (r->top < r->start || r->top >= r->end)) {
                warnings_add(h->w, "heap", r->top, "arena 0x%llx: top chunk 0x%llx lies outside its heap 0x%llx..0x%llx; the heap is not walked",
                             (unsigned long long)h->out->arenas[r->arena_id].address, (unsigned long long)r->top,
                             (unsigned long long)r->start, (unsigned long long)r->end);
                return 0;
        }
        while (p < r->end) {
                if (p == r->top) {
                        uint64_t field;
                        uint64_t size = h->out->arenas[r->arena_id].top_size;
                        if (glibc_mem_u64(m, p + 8, &field) && !(field & GLIBC_PREV_INUSE) && prev_size_of_last)
                                warnings_add(h->w, "heap", p,
                                             "arena 0x%llx: top chunk's PREV_INUSE is clear: the chunk before it should have merged into top",
                                             (unsigned long long)h->out->arenas[r->arena_id].address);
                        return glibc_chunks_add(h, p, size, r->arena_id, CHUNK_TOP, false);
                }
                uint64_t head[2];
                if (!glibc_mem_u64(m, p, &head[0]) || !glibc_mem_u64(m, p + 8, &head[1])) {
                        warnings_add(h->w, "heap", p,
                                     "arena 0x%llx: chunk at 0x%llx is not in the core; the walk of this heap stops there and %llu bytes up to 0x%llx are not listed",
                                     (unsigned long long)h->out->arenas[r->arena_id].address, (unsigned long long)p,
                                     (unsigned long long)(r->end - p), (unsigned long long)r->end);
                        return add_top(h, r);
                }
                uint64_t field = head[1];
                uint64_t size = field & ~(uint64_t)GLIBC_SIZE_FLAGS;

                /* malloc.c sysmalloc: an older heap ends in a CHUNK_HDR_SZ fencepost, then a zero size. */
                if (!r->top && (size == GLIBC_CHUNK_HDR_SZ || size == 0)) {
                        uint64_t next = 0;
                        if (size == 0 || (glibc_mem_u64(m, p + size + 8, &next) &&
                                          ((next & ~(uint64_t)GLIBC_SIZE_FLAGS) == 0 ||
                                           (next & ~(uint64_t)GLIBC_SIZE_FLAGS) == GLIBC_CHUNK_HDR_SZ)))
                                return 0;
                }
                if (size < GLIBC_MINSIZE || (size & (GLIBC_MALLOC_ALIGNMENT - 1))) {
                        warn_rest(h, r, p, "an impossible size", field);
                        return add_top(h, r);
                }
                if (size > limit - p) {
                        warn_rest(h, r, p, r->top ? "a size that runs past the top chunk" : "a size that runs past the end of the heap", field);
                        return add_top(h, r);
                }
                if (field & GLIBC_IS_MMAPPED) {
                        warn_rest(h, r, p, "IS_MMAPPED set inside an arena", field);
                        return add_top(h, r);
                }
                if (!(field & GLIBC_PREV_INUSE)) {
                        if (!prev_size_of_last)
                                warnings_add(h->w, "heap", p, "first chunk of a heap has PREV_INUSE clear (size field 0x%llx)",
                                             (unsigned long long)field);
                        else if (head[0] != prev_size_of_last)
                                warnings_add(h->w, "heap", p,
                                             "chunk's PREV_INUSE is clear but its prev_size %llu differs from the size %llu of the chunk before it",
                                             (unsigned long long)head[0], (unsigned long long)prev_size_of_last);
                }
                if ((e = glibc_chunks_add(h, p, size, r->arena_id, CHUNK_USED, false)) < 0)
                        return e;
                prev_size_of_last = size;
                p += size;
        }
        if (r->top && p != r->top) {
                warnings_add(h->w, "heap", p, "arena 0x%llx: the chunk walk passed 0x%llx without meeting the top chunk at 0x%llx",
                             (unsigned long long)h->out->arenas[r->arena_id].address, (unsigned long long)p,
                             (unsigned long long)r->top);
                return add_top(h, r);
        }
        return 0;
}

const char *glibc_chunk_bin_label(enum chunk_bin b)
{
        switch (b) {
        case BIN_TCACHE: return "a tcache";
        case BIN_FAST: return "a fastbin";
        case BIN_UNSORTED: return "the unsorted bin";
        case BIN_SMALL: return "a small bin";
        case BIN_LARGE: return "a large bin";
        default: return "no list";
        }
}

bool glibc_chunk_mark_free(struct heap_ctx *h, size_t i, enum chunk_bin bin, const char *list)
{
        struct chunk *c = &h->out->chunks[i];
        if (c->state == CHUNK_TOP) {
                warnings_add(h->w, "heap", c->address, "%s lists the top chunk 0x%llx", list, (unsigned long long)c->address);
                return false;
        }
        if (c->state == CHUNK_FREE) {
                warnings_add(h->w, "heap", c->address, "chunk 0x%llx is in %s and also in %s (a double free?)",
                             (unsigned long long)c->address, glibc_chunk_bin_label((enum chunk_bin)c->bin), list);
                return false;
        }
        if (c->mmapped) {
                warnings_add(h->w, "heap", c->address, "%s lists the mmapped chunk 0x%llx", list, (unsigned long long)c->address);
                return false;
        }
        c->state = CHUNK_FREE;
        c->bin = (uint8_t)bin;
        return true;
}
