/*
 * One arena's struct malloc_state as the core holds it: read with a
 * layout (glibc_layout.h), whether what is there can be an arena at all,
 * and whether malloc ever used it.  The shape search, the choice between
 * symbols and shape and the ring of arenas all ask these.
 */
#include <string.h>

#include "common/glibc_malloc.h"
#include "glibc_arena_state.h"

#define BROKEN_BINS_MAX 2           /* a corrupted bin or two must not hide the arena */

static void decode(const struct glibc_layout *l, const uint8_t *buf, uint64_t addr, struct glibc_arena_state *out)
{
        *out = (struct glibc_arena_state){ .address = addr };
        out->mutex = glibc_layout_u32(buf, l->ms_mutex);
        out->flags = glibc_layout_u32(buf, l->ms_flags);
        if (l->ms_have_fastchunks >= 0)
                out->have_fastchunks = glibc_layout_u32(buf, l->ms_have_fastchunks);
        for (unsigned i = 0; i < l->nfastbins; i++)
                out->fastbins[i] = glibc_layout_u64(buf, l->ms_fastbins + 8 * (int)i);
        out->top = glibc_layout_u64(buf, l->ms_top);
        out->last_remainder = glibc_layout_u64(buf, l->ms_last_remainder);
        memcpy(out->bins, buf + l->ms_bins, sizeof(out->bins));
        out->next = glibc_layout_u64(buf, l->ms_next);
        out->attached_threads = glibc_layout_u64(buf, l->ms_attached_threads);
        out->system_mem = glibc_layout_u64(buf, l->ms_system_mem);
        out->max_system_mem = glibc_layout_u64(buf, l->ms_max_system_mem);
}

bool glibc_arena_state_read(struct heap_ctx *h, const struct glibc_layout *l, uint64_t addr,
                            struct glibc_arena_state *out)
{
        uint8_t buf[4096];
        _Static_assert(sizeof(buf) >= 2200, "a malloc_state fits");
        if (l->ms_size <= 0 || (size_t)l->ms_size > sizeof(buf) || !core_read(&h->a->core, addr, buf, (size_t)l->ms_size))
                return false;
        decode(l, buf, addr, out);
        return true;
}

bool glibc_arena_state_plausible(struct heap_ctx *h, uint64_t addr, const struct glibc_layout *l, bool main)
{
        struct glibc_arena_state s;
        struct glibc_mem *m = &h->mem;

        if (!addr || (addr & 7) || !glibc_arena_state_read(h, l, addr, &s))
                return false;
        if (s.mutex > 2 || s.flags > 7 || s.have_fastchunks > 1)
                return false;
        if (!s.system_mem || s.system_mem > s.max_system_mem || !s.next || (s.next & 7))
                return false;
        /* Heaps and their tops end on page boundaries (sysmalloc keeps brk page-aligned; heap_info sizes are pages). */
        uint64_t field, top_end;
        if (!s.top || (s.top & (GLIBC_MALLOC_ALIGNMENT - 1)) || (s.top >= addr && s.top < addr + (uint64_t)l->ms_size) ||
            !glibc_mem_u64(m, s.top + 8, &field) || !(field & GLIBC_PREV_INUSE))
                return false;
        top_end = s.top + (field & ~(uint64_t)GLIBC_SIZE_FLAGS);
        if (top_end % h->page_size || s.system_mem % h->page_size || (s.last_remainder & (GLIBC_MALLOC_ALIGNMENT - 1)))
                return false;
        for (unsigned i = 0; i < l->nfastbins; i++)
                if (s.fastbins[i] & (GLIBC_MALLOC_ALIGNMENT - 1))
                        return false;

        unsigned broken = 0, empty = 0;
        for (unsigned i = 1; i < GLIBC_NBINS; i++) {
                uint64_t b = addr + (uint64_t)l->ms_bins + 16 * (uint64_t)(i - 1) - 16;
                uint64_t fd = s.bins[2 * (i - 1)], bk = s.bins[2 * (i - 1) + 1];
                if (fd == b && bk == b) {
                        empty++;
                        continue;
                }
                uint64_t back_fd, back_bk;
                if (!fd || !bk || ((fd | bk) & (GLIBC_MALLOC_ALIGNMENT - 1)) || !glibc_mem_u64(m, fd + 24, &back_bk) ||
                    !glibc_mem_u64(m, bk + 16, &back_fd) || back_bk != b || back_fd != b)
                        broken++;
                if (broken > BROKEN_BINS_MAX)
                        return false;
        }
        if (!main)
                return true;
        /* The main arena always has some empty bins; a heap that fills all 127 is not one we can tell from noise. */
        if (empty == 0)
                return false;
        /* Its ring: next is itself, or an arena read with the same layout.  This rejects a
         * layout that fits only because its fields sit at a shifted start. */
        return s.next == addr || glibc_arena_state_plausible(h, s.next, l, false);
}

/*
 * malloc.c: main_arena is a static whose initialiser sets only the mutex,
 * next (itself) and attached_threads; ptmalloc_init's malloc_init_state
 * then points every bin at itself and top at initial_top, and nothing
 * else changes until sysmalloc gives the arena memory (system_mem).  An
 * arena in either state holds no chunk, whatever its bins seem to say.
 */
enum allocator_state glibc_arena_state_use(struct heap_ctx *h, const struct glibc_layout *l, uint64_t addr)
{
        struct glibc_arena_state s;
        if (!addr || (addr & 7) || !glibc_arena_state_read(h, l, addr, &s))
                return ALLOCATOR_IN_USE;
        /* A second arena in the ring means a thread's malloc made one: glibc is in use. */
        if (s.next != addr || s.system_mem || s.max_system_mem || s.last_remainder || s.mutex > 2 || s.flags > 7)
                return ALLOCATOR_IN_USE;
        for (unsigned i = 0; i < l->nfastbins; i++)
                if (s.fastbins[i])
                        return ALLOCATOR_IN_USE;
        bool zero = s.top == 0, self = s.top == glibc_arena_state_initial_top(l, addr);
        for (unsigned i = 1; i < GLIBC_NBINS && (zero || self); i++) {
                uint64_t b = addr + (uint64_t)l->ms_bins + 16 * (uint64_t)(i - 1) - 16;
                uint64_t fd = s.bins[2 * (i - 1)], bk = s.bins[2 * (i - 1) + 1];
                zero &= fd == 0 && bk == 0;
                self &= fd == b && bk == b;
        }
        return zero ? ALLOCATOR_UNINITIALISED : self ? ALLOCATOR_IDLE : ALLOCATOR_IN_USE;
}
