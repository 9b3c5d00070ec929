/*
 * The heap stage of `memsnap analyze`: glibc malloc's arenas, heaps,
 * tcaches and every chunk, each free one classified by the list that holds
 * it, so that the database adds up to what mallinfo2() said at the moment
 * of the snapshot (glibc.h lists the parts and their order).
 *
 * Chunks come out sorted by address without a sort in the usual case: the
 * mmapped ones are found first, then merged in while the arena regions are
 * walked in address order.  Segments holding malloc memory become kind
 * heap with their arena.
 *
 * First, though, which allocators the process carries (allocators.h): a
 * process served by jemalloc or the Go runtime leaves glibc's main_arena
 * as it was loaded, and a note says so instead of a heap of warnings.
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
#include "glibc.h"
#include "analyze/stages.h"

#define MISMATCH_WARNINGS_MAX 20    /* per kind of PREV_INUSE disagreement; the rest are counted */
#define DEFAULT_PAGE_SIZE 4096

static void heap_ctx_free(struct heap_ctx *h)
{
        glibc_libc_free(&h->libc);
        free(h->states);
        free(h->regions);
        free(h->looks_free);
}

static const char *bin_label(enum chunk_bin b)
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
        struct chunk *c = &h->a->chunks[i];
        if (c->state == CHUNK_TOP) {
                warn_add(h->w, "heap", c->address, "%s lists the top chunk 0x%llx", list, (unsigned long long)c->address);
                return false;
        }
        if (c->state == CHUNK_FREE) {
                warn_add(h->w, "heap", c->address, "chunk 0x%llx is in %s and also in %s (a double free?)",
                         (unsigned long long)c->address, bin_label((enum chunk_bin)c->bin), list);
                return false;
        }
        if (c->mmapped) {
                warn_add(h->w, "heap", c->address, "%s lists the mmapped chunk 0x%llx", list, (unsigned long long)c->address);
                return false;
        }
        c->state = CHUNK_FREE;
        c->bin = (uint8_t)bin;
        return true;
}

static int chunk_cmp(const void *x, const void *y)
{
        const struct chunk *a = x, *b = y;
        return a->address < b->address ? -1 : a->address > b->address;
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
        struct analysis *a = h->a;
        int r = glibc_mmapped_scan(h);
        if (r < 0)
                return r;
        size_t nmm = a->nchunks;
        _cleanup_free_ struct chunk *mm = nmm ? malloc(nmm * sizeof(*mm)) : NULL;
        if (nmm && !mm)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        if (nmm)
                memcpy(mm, a->chunks, nmm * sizeof(*mm));
        a->nchunks = 0;

        qsort_safe(h->regions, h->nregions, sizeof(*h->regions), region_cmp);
        size_t next = 0;
        uint64_t walked_to = 0;
        for (size_t i = 0; i < h->nregions; i++) {
                const struct heap_region *reg = &h->regions[i];
                /* Only a corrupt heap_info or arena makes two regions overlap: walk the memory once. */
                if (reg->start < walked_to) {
                        warn_add(h->w, "heap", reg->start,
                                 "arena 0x%llx: heap memory at 0x%llx overlaps memory already walked; not walked again",
                                 (unsigned long long)a->arenas[reg->arena_id].address, (unsigned long long)reg->start);
                        continue;
                }
                if ((r = flush_mmapped(h, mm, nmm, &next, reg->start)) < 0 || (r = glibc_chunks_walk(h, reg)) < 0)
                        return r;
                walked_to = reg->end;
        }
        if ((r = flush_mmapped(h, mm, nmm, &next, UINT64_MAX)) < 0)
                return r;

        for (size_t i = 1; i < a->nchunks; i++)
                if (a->chunks[i].address <= a->chunks[i - 1].address) {
                        /* Overlapping regions (a corrupt heap_info) or a non-contiguous main arena. */
                        qsort_safe(a->chunks, a->nchunks, sizeof(*a->chunks), chunk_cmp);
                        break;
                }
        return 0;
}

/* chunks[].segment_id, one pass with a cursor: both lists are sorted. */
static void assign_segments(struct analysis *a)
{
        size_t s = 0;
        for (size_t i = 0; i < a->nchunks; i++) {
                uint64_t p = a->chunks[i].address;
                while (s < a->nsegments && a->segments[s].end <= p)
                        s++;
                a->chunks[i].segment_id = s < a->nsegments && a->segments[s].start <= p ? (int32_t)s : NO_ID;
        }
}

/* The PREV_INUSE bit of each arena chunk's successor: clear means glibc sees the chunk as free. */
static int compute_looks_free(struct heap_ctx *h)
{
        struct analysis *a = h->a;
        h->looks_free = calloc(a->nchunks / 64 + 1, sizeof(*h->looks_free));
        if (!h->looks_free)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        for (size_t i = 0; i < a->nchunks; i++) {
                const struct chunk *c = &a->chunks[i];
                uint64_t field;
                if (c->mmapped || c->state == CHUNK_TOP)
                        continue;
                if (gmem_u64(&h->mem, c->address + c->size + 8, &field) && !(field & GLIBC_PREV_INUSE))
                        h->looks_free[i / 64] |= 1ull << (i % 64);
        }
        return 0;
}

/* Free lists and PREV_INUSE bits must agree, except for tcache and fastbins, which keep chunks "in use". */
static void check_prev_inuse(struct heap_ctx *h)
{
        const struct analysis *a = h->a;
        size_t orphans = 0, listed = 0;

        for (size_t i = 0; i < a->nchunks; i++) {
                const struct chunk *c = &a->chunks[i];
                if (c->mmapped || c->state == CHUNK_TOP)
                        continue;
                bool looks = glibc_looks_free(h, i);
                if (c->state == CHUNK_USED && looks && orphans++ < MISMATCH_WARNINGS_MAX)
                        warn_add(h->w, "heap", c->address,
                                 "chunk 0x%llx looks free (the next chunk's PREV_INUSE is clear) but is on no free list",
                                 (unsigned long long)c->address);
                if ((c->bin == BIN_UNSORTED || c->bin == BIN_SMALL || c->bin == BIN_LARGE) && !looks &&
                    listed++ < MISMATCH_WARNINGS_MAX)
                        warn_add(h->w, "heap", c->address,
                                 "chunk 0x%llx is in %s but the next chunk's PREV_INUSE says it is in use",
                                 (unsigned long long)c->address, bin_label((enum chunk_bin)c->bin));
        }
        if (orphans > MISMATCH_WARNINGS_MAX)
                warn_add(h->w, "heap", 0, "%zu chunks in all look free but are on no free list", orphans);
        if (listed > MISMATCH_WARNINGS_MAX)
                warn_add(h->w, "heap", 0, "%zu chunks in all are on a free list but look in use", listed);
}

/* Called per region and per heap: a search, not a pass over every segment, keeps it linear. */
static void mark_range(struct analysis *a, uint64_t lo, uint64_t hi, int arena_id)
{
        for (size_t i = segment_index_from(a->segments, a->nsegments, lo); i < a->nsegments && a->segments[i].start < hi; i++) {
                struct segment *s = &a->segments[i];
                if (s->kind == SEG_STACK || s->kind == SEG_THREAD_STACK)
                        continue;
                s->kind = SEG_HEAP;
                if (arena_id != NO_ID)
                        s->arena_id = arena_id;
        }
}

/* Segments that hold malloc memory become kind heap; arena memory also names its arena. */
static void mark_segments(struct heap_ctx *h)
{
        struct analysis *a = h->a;
        for (size_t i = 0; i < h->nregions; i++)
                mark_range(a, h->regions[i].start, h->regions[i].end, h->regions[i].arena_id);
        /* The whole reservation of each non-main heap, its PROT_NONE tail included. */
        for (size_t i = 0; i < a->nheaps; i++)
                mark_range(a, a->heaps[i].address, a->heaps[i].address + h->heap_max, a->heaps[i].arena_id);
        if (a->malloc_par.found && a->malloc_par.sbrk_base && a->narenas && a->arenas[0].is_main &&
            !(a->arenas[0].flags & GLIBC_NONCONTIGUOUS_BIT))
                mark_range(a, a->malloc_par.sbrk_base, a->arenas[0].top + a->arenas[0].top_size, 0);
        for (size_t i = 0; i < a->nchunks; i++) {
                const struct chunk *c = &a->chunks[i];
                if (c->mmapped && c->segment_id != NO_ID && a->segments[c->segment_id].kind == SEG_ANON)
                        a->segments[c->segment_id].kind = SEG_HEAP;
        }
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
        struct analysis *a = h->a;
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
        if (a->malloc_par.found && a->malloc_par.hp_pagesize > 0)
                h->heap_max = 4 * (uint64_t)a->malloc_par.hp_pagesize;

        if ((r = glibc_arenas_collect(h)) < 0)
                return r;
        if (g->state == ALLOCATOR_IDLE && !(a->malloc_par.found && a->malloc_par.n_mmaps > 0))
                return 0;
        if ((r = walk_all(h)) < 0)
                return r;
        assign_segments(a);
        if ((r = compute_looks_free(h)) < 0)
                return r;
        glibc_bins_classify(h);
        if ((r = glibc_tcache_classify(h)) < 0)
                return r;
        check_prev_inuse(h);
        mark_segments(h);
        g->walked = true;

        if (a->nchunks < h->chunks_cap && a->nchunks) {
                struct chunk *v = realloc(a->chunks, a->nchunks * sizeof(*v));
                if (v)
                        a->chunks = v;
        }
        log_debug("heap: %zu arenas, %zu heaps, %zu chunks, %zu tcaches", a->narenas, a->nheaps, a->nchunks,
                  a->ntcaches);
        return 0;
}

int heap_walk(struct analysis *a)
{
        _cleanup_(heap_ctx_free) struct heap_ctx h = { .a = a, .w = &a->warnings };
        struct allocator *g;
        int r;

        gmem_init(&h.mem, &a->core);
        h.page_size = page_size_of(a);
        if ((r = glibc_libc_find(&h)) < 0)
                return r;
        bool libc_static = h.libc.found && h.libc.module_id != NO_ID && a->modules[h.libc.module_id].is_main;
        if ((r = allocators_detect(a, h.libc.found, h.libc.module_id, libc_static, &g)) < 0)
                return r;
        if (!g && !a->nallocators)
                warn_add(h.w, "heap", 0, "no C library is mapped (and no static executable carries one): no heap is listed");
        if (g && (r = walk_glibc(&h, g)) < 0)
                return r;
        allocators_note(a);
        return 0;
}
