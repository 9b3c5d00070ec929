/*
 * The arenas: main_arena, then around the ring by malloc_state.next until
 * it comes back; for each other arena its heap_info chain, from the heap
 * that holds top (heap_for_ptr: top rounded down to HEAP_MAX_SIZE) back
 * through `prev` to the first heap, whose malloc_state follows heap_info.
 * The result is h->out->arenas, h->out->heaps and the regions glibc_chunks.c walks:
 *   main arena   mp_.sbrk_base (aligned) .. top + size
 *   first heap   after heap_info and malloc_state (aligned) .. heap end
 *   later heaps  after heap_info .. heap end (top's end for the newest)
 * Older heaps end in fenceposts (malloc.c sysmalloc), which the walk knows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/cleanup.h"
#include "addr_set.h"
#include "common/array.h"
#include "common/log.h"
#include "glibc_arena.h"
#include "glibc_arena_state.h"
#include "glibc_par.h"

static int add_region(struct heap_ctx *h, const struct heap_region *r)
{
        if (ARRAY_RESERVE(h->regions, h->regions_cap, h->nregions + 1) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", h->a->opt.core_path);
        h->regions[h->nregions++] = *r;
        return 0;
}

static int add_heap(struct heap_ctx *h, const struct heap *hp)
{
        const struct analysis *a = h->a;
        if (ARRAY_RESERVE(h->out->heaps, h->heaps_cap, h->out->nheaps + 1) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        h->out->heaps[h->out->nheaps++] = *hp;
        return 0;
}

/* malloc.c: the first chunk sits where chunk2mem (p) is MALLOC_ALIGNMENT-aligned. */
static uint64_t first_chunk_at(uint64_t p)
{
        return ALIGN_UP(p + GLIBC_CHUNK_HDR_SZ, (uint64_t)GLIBC_MALLOC_ALIGNMENT) - GLIBC_CHUNK_HDR_SZ;
}

static bool top_size(struct heap_ctx *h, uint64_t top, uint64_t *size)
{
        uint64_t field;
        if (!top || (top & (GLIBC_MALLOC_ALIGNMENT - 1)) || !glibc_mem_u64(&h->mem, top + 8, &field))
                return false;
        *size = field & ~(uint64_t)GLIBC_SIZE_FLAGS;
        return true;
}

static int main_region(struct heap_ctx *h, int arena_id)
{
        const struct glibc_arena_state *s = &h->states[arena_id];
        const struct malloc_par_info *mp = &h->out->malloc_par;
        struct arena *ar = &h->out->arenas[arena_id];

        /* Initialised, never given memory (its mmapped chunks, if any, are elsewhere): nothing to walk. */
        if (s->top == glibc_arena_state_initial_top(&h->layout, s->address) && !s->system_mem)
                return 0;
        if (!mp->found || !mp->sbrk_base) {
                /* Without mp_ the brk heap's start is where the [heap] mapping starts. */
                const struct core_segment *cs = core_segment_at(&h->a->core, s->top);
                if (!cs) {
                        warnings_add(h->w, "heap", s->top, "main arena: its top chunk is in no mapping; its chunks are not listed");
                        return 0;
                }
                warnings_add(h->w, "heap", cs->vaddr,
                             "main arena: mp_ was not found; the chunk walk starts at the start of the mapping that holds top");
                return add_region(h, &(struct heap_region){ .start = first_chunk_at(cs->vaddr), .end = s->top + ar->top_size,
                                                            .top = s->top, .arena_id = arena_id, .heap_id = NO_ID });
        }
        uint64_t start = first_chunk_at(mp->sbrk_base);
        uint64_t end = s->top + ar->top_size;
        if (s->top < start || s->top - start > s->system_mem) {
                /* sysmalloc fell back to mmap when brk failed: top is elsewhere (NONCONTIGUOUS_BIT). */
                warnings_add(h->w, "heap", s->top,
                             "main arena is not contiguous (flags 0x%x): top lies outside the brk heap at 0x%llx; chunks of its mmapped extensions other than top are not listed",
                             s->flags, (unsigned long long)mp->sbrk_base);
                const struct core_segment *cs = core_segment_at(&h->a->core, mp->sbrk_base);
                int r = add_region(h, &(struct heap_region){ .start = start,
                                                             .end = cs ? cs->vaddr + cs->memsz : start,
                                                             .arena_id = arena_id, .heap_id = NO_ID });
                if (r < 0)
                        return r;
                return add_region(h, &(struct heap_region){ .start = s->top, .end = end, .top = s->top,
                                                            .arena_id = arena_id, .heap_id = NO_ID });
        }
        return add_region(h, &(struct heap_region){ .start = start, .end = end, .top = s->top, .arena_id = arena_id,
                                                    .heap_id = NO_ID });
}

/* Reads the heap_info chain of a non-main arena, newest heap first, and adds its heaps and regions. */
static int heap_chain(struct heap_ctx *h, int arena_id)
{
        const struct glibc_layout *l = &h->layout;
        const struct glibc_arena_state *s = &h->states[arena_id];
        struct arena *ar = &h->out->arenas[arena_id];
        uint64_t hi_addr = s->top & ~(h->heap_max - 1);
        uint64_t sum = 0;
        size_t first_heap = h->out->nheaps;
        _cleanup_(addr_set_free) struct addr_set seen = { 0 };

        for (unsigned n = 0; hi_addr; n++) {
                uint8_t buf[64];
                if (n >= GLIBC_HEAPS_MAX) {
                        warnings_add(h->w, "heap", hi_addr, "arena 0x%llx: more than %u heaps; the rest are not read",
                                     (unsigned long long)s->address, GLIBC_HEAPS_MAX);
                        break;
                }
                int r = addr_set_add(&seen, hi_addr);
                if (r < 0)
                        return log_error_errno(r, "cannot analyze the heap of '%s': %m", h->a->opt.core_path);
                if (r == 0) {
                        warnings_add(h->w, "heap", hi_addr, "arena 0x%llx: the heap_info chain loops back to heap 0x%llx",
                                     (unsigned long long)s->address, (unsigned long long)hi_addr);
                        break;
                }
                if (!core_read(&h->a->core, hi_addr, buf, (size_t)l->hi_size_of)) {
                        warnings_add(h->w, "heap", hi_addr, "arena 0x%llx: heap_info is not in the core; this heap and older ones are not listed",
                                     (unsigned long long)s->address);
                        break;
                }
                uint64_t ar_ptr = glibc_layout_u64(buf, l->hi_ar_ptr), prev = glibc_layout_u64(buf, l->hi_prev);
                uint64_t size = glibc_layout_u64(buf, l->hi_size), mprotect_size = glibc_layout_u64(buf, l->hi_mprotect_size);
                if (ar_ptr != s->address) {
                        warnings_add(h->w, "heap", hi_addr, "arena 0x%llx: heap_info names arena 0x%llx; this heap and older ones are not listed",
                                     (unsigned long long)s->address, (unsigned long long)ar_ptr);
                        break;
                }
                if (size > h->heap_max || size < (uint64_t)l->hi_size_of || (prev & (h->heap_max - 1))) {
                        warnings_add(h->w, "heap", hi_addr,
                                     "arena 0x%llx: heap_info has size %llu and prev 0x%llx, impossible for %llu-byte heaps; this heap and older ones are not listed",
                                     (unsigned long long)s->address, (unsigned long long)size, (unsigned long long)prev,
                                     (unsigned long long)h->heap_max);
                        break;
                }
                /* The arena's own heap holds its malloc_state right after heap_info. */
                bool first = s->address == hi_addr + (uint64_t)l->hi_size_of;
                uint64_t start = first ? first_chunk_at(s->address + (uint64_t)l->ms_size) : hi_addr + (uint64_t)l->hi_size_of;
                bool newest = n == 0;
                struct heap hp = { .address = hi_addr, .arena_id = arena_id, .size = size,
                                   .mprotect_size = mprotect_size, .prev = prev };
                r = add_heap(h, &hp);
                if (r < 0)
                        return r;
                r = add_region(h, &(struct heap_region){
                                          .start = start, .end = newest ? s->top + ar->top_size : hi_addr + size,
                                          .top = newest ? s->top : 0, .arena_id = arena_id,
                                          .heap_id = (int)h->out->nheaps - 1 });
                if (r < 0)
                        return r;
                sum += size;
                if (first && prev)
                        warnings_add(h->w, "heap", hi_addr, "arena 0x%llx: its first heap has a previous heap 0x%llx; ignored",
                                     (unsigned long long)s->address, (unsigned long long)prev);
                if (first)
                        break;
                if (!prev)
                        warnings_add(h->w, "heap", hi_addr,
                                     "arena 0x%llx: the heap_info chain ends before the heap that holds the arena", (unsigned long long)s->address);
                hi_addr = prev;
        }
        ar->heaps = (int)(h->out->nheaps - first_heap);
        if (sum != s->system_mem && ar->heaps)
                warnings_add(h->w, "heap", s->address, "arena 0x%llx: its heaps add up to %llu bytes, but system_mem says %llu",
                             (unsigned long long)s->address, (unsigned long long)sum, (unsigned long long)s->system_mem);
        return 0;
}

static int add_arena(struct heap_ctx *h, const struct glibc_arena_state *s, bool is_main, const char *found_by)
{
        const struct analysis *a = h->a;
        size_t n = h->out->narenas;
        if (ARRAY_RESERVE(h->out->arenas, h->arenas_cap, n + 1) < 0 || ARRAY_RESERVE(h->states, h->states_cap, n + 1) < 0)
                return log_error_errno(ENOMEM, "cannot analyze the heap of '%s': %m", a->opt.core_path);
        h->states[n] = *s;

        uint64_t tsize = 0;
        bool idle = s->top == glibc_arena_state_initial_top(&h->layout, s->address) && !s->system_mem;
        if (!idle && !top_size(h, s->top, &tsize))
                warnings_add(h->w, "heap", s->top, "arena 0x%llx: its top chunk cannot be read", (unsigned long long)s->address);
        h->out->arenas[n] = (struct arena){
                .address = s->address, .is_main = is_main, .top = s->top, .top_size = tsize,
                .system_mem = s->system_mem, .max_system_mem = s->max_system_mem, .next = s->next,
                .found_by = found_by, .mutex = s->mutex, .flags = s->flags, .attached_threads = s->attached_threads,
        };
        h->out->narenas++;
        if (s->mutex)
                warnings_add(h->w, "heap", s->address,
                             "arena 0x%llx was locked when the core was taken (mutex %u): a thread was inside malloc or free, and its lists may be half-updated",
                             (unsigned long long)s->address, s->mutex);
        return 0;
}

int glibc_arenas_collect(struct heap_ctx *h)
{
        struct glibc_arena_state s;
        int r;

        if (!glibc_arena_state_read(h, &h->layout, h->roots.main_arena, &s)) {
                warnings_add(h->w, "heap", h->roots.main_arena, "main_arena is not in the core; no heap is listed");
                return 0;
        }
        if ((r = add_arena(h, &s, true, h->roots.arena_found_by)) < 0)
                return r;

        _cleanup_(addr_set_free) struct addr_set seen = { 0 };
        if ((r = addr_set_add(&seen, h->roots.main_arena)) < 0)
                return log_error_errno(r, "cannot analyze the heap of '%s': %m", h->a->opt.core_path);
        uint64_t next = s.next;
        while (next && next != h->roots.main_arena) {
                if (h->out->narenas >= GLIBC_ARENAS_MAX) {
                        warnings_add(h->w, "heap", next, "more than %u arenas in the ring; the rest are not read", GLIBC_ARENAS_MAX);
                        break;
                }
                if ((r = addr_set_add(&seen, next)) < 0)
                        return log_error_errno(r, "cannot analyze the heap of '%s': %m", h->a->opt.core_path);
                if (r == 0) {
                        warnings_add(h->w, "heap", next, "the arena ring loops back to arena 0x%llx without passing main_arena",
                                     (unsigned long long)next);
                        break;
                }
                if (!glibc_arena_state_read(h, &h->layout, next, &s) || !glibc_arena_state_plausible(h, next, &h->layout, false)) {
                        warnings_add(h->w, "heap", next, "arena ring: 0x%llx (next of arena 0x%llx) is not an arena; the ring is not followed further",
                                     (unsigned long long)next, (unsigned long long)h->out->arenas[h->out->narenas - 1].address);
                        break;
                }
                if ((r = add_arena(h, &s, false, "ring")) < 0)
                        return r;
                next = s.next;
        }
        if (!next)
                warnings_add(h->w, "heap", h->out->arenas[h->out->narenas - 1].address,
                             "the arena ring ends in a NULL next pointer instead of returning to main_arena");

        for (size_t i = 0; i < h->out->narenas; i++) {
                r = h->out->arenas[i].is_main ? main_region(h, (int)i) : heap_chain(h, (int)i);
                if (r < 0)
                        return r;
        }
        return 0;
}
