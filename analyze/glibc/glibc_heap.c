/*
 * glibc malloc's part of the heap stage (analyze/heap.c): its arenas, heaps,
 * tcaches and every chunk, each free one classified by the list that holds
 * it, so that the database adds up to what mallinfo2() said at the moment
 * of the snapshot (glibc.h lists the parts and their order).
 *
 * Chunks come out sorted by address without a sort in the usual case: the
 * mmapped ones are found first, then merged in while the arena regions are
 * walked in address order.  The ranges of arena memory are handed on:
 * the heap-kinds stage makes heap of the segments holding them
 * (segments.c), and of those where mmapped chunks lie.
 *
 * First, though, which allocators the process carries (allocators.h): a
 * process served by jemalloc or the Go runtime leaves glibc's main_arena
 * as it was loaded; the heap stage walks the others and its note says what
 * was not read, instead of a heap of warnings.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "analyze/allocators.h"
#include "analyze/heap.h"
#include "glibc_arena.h"
#include "glibc_bins.h"
#include "glibc_chunks.h"
#include "glibc_find.h"
#include "glibc_libc.h"
#include "glibc_mmapped.h"
#include "glibc_tcache.h"
#include "glibc_version.h"

#define MISMATCH_WARNINGS_MAX 20    /* per kind of PREV_INUSE disagreement; the rest are counted */
#define DEFAULT_PAGE_SIZE 4096

static void heap_ctx_free(struct heap_ctx *h)
{
        glibc_libc_free(&h->libc);
        free(h->states);
        free(h->regions);
        free(h->looks_free);
}

static int region_cmp(const void *x, const void *y)
{
        const struct heap_region *a = x, *b = y;
        return a->start < b->start ? -1 : a->start > b->start;
}

/* Appends the mmapped chunks below `below` from mm[*next..n). */
static int flush_mmapped(struct heap_ctx *h, const struct chunk *mm, size_t n, size_t *next, uint64_t below)
{
        for (; *next < n && mm[*next].address < below; (*next)++) {
                int r = glibc_chunks_add(h, mm[*next].address, mm[*next].size, NO_ID, CHUNK_USED, true);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Walks every region in address order, merging in the mmapped chunks found before. */
static int walk_all(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        int r = glibc_mmapped_scan(h);
        if (r < 0)
                return r;
        size_t nmm = h->out->nchunks;
        _cleanup_free_ struct chunk *mm = nmm ? malloc(nmm * sizeof(*mm)) : NULL;
        if (nmm && !mm)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        if (nmm)
                memcpy(mm, h->out->chunks, nmm * sizeof(*mm));
        h->out->nchunks = 0;

        qsort_safe(h->regions, h->nregions, sizeof(*h->regions), region_cmp);
        size_t next = 0;
        uint64_t walked_to = 0;
        for (size_t i = 0; i < h->nregions; i++) {
                const struct heap_region *reg = &h->regions[i];
                /* Only a corrupt heap_info or arena makes two regions overlap: walk the memory once. */
                if (reg->start < walked_to) {
                        warnings_add(h->w, "heap", reg->start,
                                     "arena 0x%llx: heap memory at 0x%llx overlaps memory already walked; not walked again",
                                     (unsigned long long)h->out->arenas[reg->arena_id].address, (unsigned long long)reg->start);
                        continue;
                }
                if ((r = flush_mmapped(h, mm, nmm, &next, reg->start)) < 0 || (r = glibc_chunks_walk(h, reg)) < 0)
                        return r;
                walked_to = reg->end;
        }
        if ((r = flush_mmapped(h, mm, nmm, &next, UINT64_MAX)) < 0)
                return r;

        for (size_t i = 1; i < h->out->nchunks; i++)
                if (h->out->chunks[i].address <= h->out->chunks[i - 1].address) {
                        /* Overlapping regions (a corrupt heap_info) or a non-contiguous main arena. */
                        qsort_safe(h->out->chunks, h->out->nchunks, sizeof(*h->out->chunks), heap_chunk_cmp);
                        break;
                }
        return 0;
}

/* The PREV_INUSE bit of each arena chunk's successor: clear means glibc sees the chunk as free. */
static int compute_looks_free(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        h->looks_free = calloc(h->out->nchunks / 64 + 1, sizeof(*h->looks_free));
        if (!h->looks_free)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        for (size_t i = 0; i < h->out->nchunks; i++) {
                const struct chunk *c = &h->out->chunks[i];
                uint64_t field;
                if (c->mmapped || c->state == CHUNK_TOP)
                        continue;
                if (glibc_mem_u64(&h->mem, c->address + c->size + 8, &field) && !(field & GLIBC_PREV_INUSE))
                        h->looks_free[i / 64] |= 1ull << (i % 64);
        }
        return 0;
}

/* Free lists and PREV_INUSE bits must agree, except for tcache and fastbins, which keep chunks "in use". */
static void check_prev_inuse(struct heap_ctx *h)
{
        size_t orphans = 0, listed = 0;

        for (size_t i = 0; i < h->out->nchunks; i++) {
                const struct chunk *c = &h->out->chunks[i];
                if (c->mmapped || c->state == CHUNK_TOP)
                        continue;
                bool looks = glibc_chunk_looks_free(h, i);
                if (c->state == CHUNK_USED && looks && orphans++ < MISMATCH_WARNINGS_MAX)
                        warnings_add(h->w, "heap", c->address,
                                     "chunk 0x%llx looks free (the next chunk's PREV_INUSE is clear) but is on no free list",
                                     (unsigned long long)c->address);
                if ((c->bin == BIN_UNSORTED || c->bin == BIN_SMALL || c->bin == BIN_LARGE) && !looks &&
                    listed++ < MISMATCH_WARNINGS_MAX)
                        warnings_add(h->w, "heap", c->address,
                                     "chunk 0x%llx is in %s but the next chunk's PREV_INUSE says it is in use",
                                     (unsigned long long)c->address, glibc_chunk_bin_label((enum chunk_bin)c->bin));
        }
        if (orphans > MISMATCH_WARNINGS_MAX)
                warnings_add(h->w, "heap", 0, "%zu chunks in all look free but are on no free list", orphans);
        if (listed > MISMATCH_WARNINGS_MAX)
                warnings_add(h->w, "heap", 0, "%zu chunks in all are on a free list but look in use", listed);
}

static int add_range(struct heap_result *out, size_t *cap, uint64_t start, uint64_t end, int arena_id)
{
        if (ARRAY_RESERVE(out->ranges, *cap, out->nranges + 1) < 0)
                return -ENOMEM;
        out->ranges[out->nranges++] = (struct heap_range){ start, end, arena_id };
        return 0;
}

/*
 * The arena memory the heap-kinds stage makes heap (segments.c): the
 * regions walked, the whole reservation of each non-main heap, its
 * PROT_NONE tail included, and the main arena's brk heap from its start.
 */
static int list_ranges(struct heap_ctx *h)
{
        struct heap_result *out = h->out;
        size_t cap = 0;
        int r = 0;
        for (size_t i = 0; i < h->nregions && r == 0; i++)
                r = add_range(out, &cap, h->regions[i].start, h->regions[i].end, h->regions[i].arena_id);
        for (size_t i = 0; i < out->nheaps && r == 0; i++)
                r = add_range(out, &cap, out->heaps[i].address, out->heaps[i].address + h->heap_max, out->heaps[i].arena_id);
        if (r == 0 && out->malloc_par.found && out->malloc_par.sbrk_base && out->narenas && out->arenas[0].is_main &&
            !(out->arenas[0].flags & GLIBC_NONCONTIGUOUS_BIT))
                r = add_range(out, &cap, out->malloc_par.sbrk_base, out->arenas[0].top + out->arenas[0].top_size, 0);
        if (r < 0)
                return log_error_errno(r, "cannot analyze the heap of '%s': %m", h->a->opt.core_path);
        return 0;
}

static uint64_t page_size_of(const struct analysis *a)
{
        uint64_t v;
        if (a->snap.page_size)
                return a->snap.page_size;
        if (core_auxv(&a->core, AT_PAGESZ, &v) && v >= 4096 && (v & (v - 1)) == 0)
                return v;
        return DEFAULT_PAGE_SIZE;
}

/* glibc malloc's heap; g is its allocators row, whose state and walked this sets. */
static int walk_glibc(struct heap_ctx *h, struct allocator *g)
{
        const struct analysis *a = h->a;
        int r;

        if ((r = glibc_version_detect(h)) < 0)
                return log_error_errno(r, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        if ((r = glibc_find_roots(h)) < 0)
                return r;
        if (!h->roots.main_arena)
                return 0;
        g->state = h->roots.use;
        char *evidence;
        if (asprintf(&evidence, "main_arena at 0x%llx (found by %s)%s%s", (unsigned long long)h->roots.main_arena,
                     h->roots.arena_found_by, g->evidence[0] ? "; " : "", g->evidence) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        free(g->evidence);
        g->evidence = evidence;
        /* Never initialised: no arena was ever set up.  Idle: the arena is listed, and glibc's mmapped chunks if mp_ counts any. */
        if (g->state == ALLOCATOR_UNINITIALISED)
                return 0;

        h->heap_max = GLIBC_HEAP_MAX_SIZE;
        /* arena.c heap_max_size (2.35+): huge-page heaps are 4 huge pages */
        if (h->out->malloc_par.found && h->out->malloc_par.hp_pagesize > 0)
                h->heap_max = 4 * (uint64_t)h->out->malloc_par.hp_pagesize;

        if ((r = glibc_arenas_collect(h)) < 0)
                return r;
        if (g->state == ALLOCATOR_IDLE && !(h->out->malloc_par.found && h->out->malloc_par.n_mmaps > 0))
                return 0;
        if ((r = walk_all(h)) < 0)
                return r;
        if ((r = compute_looks_free(h)) < 0)
                return r;
        glibc_bins_classify(h);
        if ((r = glibc_tcache_classify(h)) < 0)
                return r;
        check_prev_inuse(h);
        if ((r = list_ranges(h)) < 0)
                return r;
        g->walked = true;

        if (h->out->nchunks < h->chunks_cap && h->out->nchunks) {
                struct chunk *v = realloc(h->out->chunks, h->out->nchunks * sizeof(*v));
                if (v)
                        h->out->chunks = v;
        }
        log_debug("heap: %zu arenas, %zu heaps, %zu chunks, %zu tcaches", h->out->narenas, h->out->nheaps, h->out->nchunks,
                  h->out->ntcaches);
        return 0;
}

int glibc_heap_walk(struct analysis *a)
{
        _cleanup_(heap_ctx_free) struct heap_ctx h = { .a = a, .out = &a->heap, .w = &a->warnings };
        struct allocator *g;
        int r;

        glibc_mem_init(&h.mem, &a->core);
        h.page_size = page_size_of(a);
        if ((r = glibc_libc_find(&h)) < 0)
                return r;
        bool libc_static = h.libc.found && h.libc.module_id != NO_ID && a->modules.v[h.libc.module_id].is_main;
        if ((r = allocators_detect(a, h.out, h.libc.found, h.libc.module_id, libc_static, &g)) < 0)
                return r;
        if (!g && !h.out->nallocators)
                warnings_add(h.w, "heap", 0, "no C library is mapped (and no static executable carries one): no heap is listed");
        if (g && (r = walk_glibc(&h, g)) < 0)
                return r;
        return 0;
}
