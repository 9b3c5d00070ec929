/*
 * main_arena and mp_ without symbols, by what they look like in the C
 * library's writable memory (Debian's libc is stripped, and most users do
 * not have its debug package).
 *
 * An arena is recognised by its bins: an empty bin's fd and bk both point
 * at the bin itself (malloc.c bin_at: &bins[2 (i - 1)] - 16), a non-empty
 * one at chunks whose bk and fd point back at the bin; and by a top chunk
 * in the core, a system_mem no larger than its maximum, small lock and
 * flag words.  The search starts from the self-pointing pairs, which only
 * bins produce, and tests the arena starts they imply.
 *
 * mp_ is recognised through main_arena: its sbrk_base is where the brk
 * heap starts, so sbrk_base + main_arena.system_mem is top's end; and its
 * counters and tunables must have possible values.
 */
#include <stdlib.h>
#include <string.h>

#include "addr_set.h"
#include "common/cleanup.h"
#include "glibc_arena_state.h"
#include "glibc_par.h"
#include "glibc_shape.h"

#define CANDIDATES_MAX 8192

/* Visits the 8-byte-aligned words of the library's writable ranges that the core holds. */
struct word_range {
        uint64_t lo;
        const uint8_t *p;
        size_t n;                   /* words */
};

static size_t rw_pieces(struct heap_ctx *h, struct word_range *out, size_t max)
{
        const struct core *c = &h->a->core;
        size_t k = 0;
        for (unsigned r = 0; r < h->libc.nrw; r++) {
                uint64_t lo = ALIGN_UP(h->libc.rw_lo[r], 8), hi = h->libc.rw_hi[r];
                while (lo + 8 <= hi && k < max) {
                        const struct core_segment *s = core_segment_at(c, lo);
                        if (!s) {
                                /* a hole in the core: on to the next segment that starts in the range */
                                const struct core_segment *above = core_segment_from(c, lo);
                                lo = above ? MIN(hi, above->vaddr) : hi;
                                continue;
                        }
                        uint64_t seg_hi = s->vaddr + s->memsz;
                        uint64_t have = s->vaddr + s->filesz;
                        if (lo < have) {
                                uint64_t end = MIN(hi, have);
                                out[k++] = (struct word_range){ lo, c->data + s->offset + (lo - s->vaddr), (size_t)((end - lo) / 8) };
                        }
                        lo = seg_hi;
                }
        }
        return k;
}

/* Whether arena start a was tried before; past CANDIDATES_MAX, starts are no longer remembered. */
static bool tested(struct addr_set *seen, uint64_t a)
{
        if (addr_set_contains(seen, a))
                return true;
        if (seen->n < CANDIDATES_MAX)
                (void)addr_set_add(seen, a); /* out of memory: it is tried again, no more */
        return false;
}

uint64_t glibc_shape_main_arena(struct heap_ctx *h, const struct glibc_layout *l)
{
        struct word_range pieces[32];
        size_t npieces = rw_pieces(h, pieces, ELEMENTSOF(pieces));
        _cleanup_(addr_set_free) struct addr_set seen = { 0 };

        for (size_t r = 0; r < npieces; r++) {
                const struct word_range *pc = &pieces[r];
                for (size_t w = 0; w + 1 < pc->n; w++) {
                        uint64_t x = pc->lo + 8 * w, fd, bk;
                        memcpy(&fd, pc->p + 8 * w, 8);
                        memcpy(&bk, pc->p + 8 * w + 8, 8);
                        if (fd != x - 16 || bk != x - 16)
                                continue;
                        /* x is &bins[2 (i - 1)] for some bin i: try each arena start it implies. */
                        for (unsigned i = 1; i < GLIBC_NBINS; i++) {
                                uint64_t a = x - 16 * (uint64_t)(i - 1) - (uint64_t)l->ms_bins;
                                if (a < pc->lo || tested(&seen, a))
                                        continue;
                                if (glibc_arena_state_plausible(h, a, l, true))
                                        return a;
                        }
                }
        }
        return 0;
}

static bool power_of_two_or_zero(int64_t v) { return v <= 0 || (v & (v - 1)) == 0; }

static bool par_plausible(struct heap_ctx *h, const struct glibc_layout *l, const struct malloc_par_info *m,
                          const struct glibc_arena_state *main, uint64_t main_top_size)
{
        const uint64_t page = h->page_size;
        if (m->n_mmaps < 0 || m->n_mmaps > m->max_n_mmaps || m->n_mmaps_max < 0 || m->max_n_mmaps < 0)
                return false;
        if (m->mmapped_mem > m->max_mmapped_mem || m->mmapped_mem % page || m->max_mmapped_mem % page ||
            (m->n_mmaps == 0) != (m->mmapped_mem == 0))
                return false;
        if (m->no_dyn_threshold != 0 && m->no_dyn_threshold != 1)
                return false;
        /* malloc.c: mmap_threshold <= HEAP_MAX_SIZE / 2 (DEFAULT_MMAP_THRESHOLD_MAX) */
        if (m->mmap_threshold > GLIBC_HEAP_MAX_SIZE / 2 || m->arena_test > (1u << 20) || m->arena_max > (1u << 20))
                return false;
        if (!power_of_two_or_zero(m->thp_pagesize) || !power_of_two_or_zero(m->hp_pagesize))
                return false;
        if (m->tcache_bins > l->tcache_bins || m->tcache_count > 65535 || m->tcache_max_bytes > (64ull << 20))
                return false;
        if (!main)
                return m->sbrk_base && !(m->sbrk_base & (GLIBC_MALLOC_ALIGNMENT - 1));
        if (main->flags & GLIBC_NONCONTIGUOUS_BIT)
                return m->sbrk_base && core_segment_at(&h->a->core, m->sbrk_base);
        /* A contiguous brk heap: sbrk_base + system_mem is where top ends. */
        return m->sbrk_base && m->sbrk_base <= main->top && main->top + main_top_size - m->sbrk_base == main->system_mem;
}

uint64_t glibc_shape_mp(struct heap_ctx *h, const struct glibc_layout *l, uint64_t main_arena)
{
        struct word_range pieces[32];
        size_t npieces = rw_pieces(h, pieces, ELEMENTSOF(pieces));
        struct glibc_arena_state st, *main = NULL;
        uint64_t top_size = 0, field;

        if (main_arena && glibc_arena_state_read(h, l, main_arena, &st)) {
                main = &st;
                if (glibc_mem_u64(&h->mem, st.top + 8, &field))
                        top_size = field & ~(uint64_t)GLIBC_SIZE_FLAGS;
        }
        for (size_t r = 0; r < npieces; r++) {
                const struct word_range *pc = &pieces[r];
                size_t words = (size_t)l->mp_size / 8;
                for (size_t w = 0; w + words <= pc->n; w++) {
                        uint64_t sbrk_base;
                        memcpy(&sbrk_base, pc->p + 8 * w + l->mp_sbrk_base, 8);
                        if (!sbrk_base || (main && !(main->flags & GLIBC_NONCONTIGUOUS_BIT) &&
                                           (sbrk_base > main->top || main->top + top_size - sbrk_base != main->system_mem)))
                                continue;
                        struct malloc_par_info m;
                        glibc_par_decode(l, pc->p + 8 * w, pc->lo + 8 * w, &m);
                        if (par_plausible(h, l, &m, main, top_size))
                                return pc->lo + 8 * w;
                }
        }
        return 0;
}

uint64_t glibc_shape_unused_main_arena(struct heap_ctx *h, const struct glibc_layout *l, enum allocator_state *use)
{
        struct word_range pieces[32];
        size_t npieces = rw_pieces(h, pieces, ELEMENTSOF(pieces));

        /* The one word such an arena is sure to hold: next, pointing at the arena itself. */
        for (size_t r = 0; r < npieces; r++) {
                const struct word_range *pc = &pieces[r];
                for (size_t w = 0; w < pc->n; w++) {
                        uint64_t x = pc->lo + 8 * w, next;
                        memcpy(&next, pc->p + 8 * w, 8);
                        if (x < (uint64_t)l->ms_next || next != x - (uint64_t)l->ms_next || next < pc->lo)
                                continue;
                        *use = glibc_arena_state_use(h, l, next);
                        if (*use != ALLOCATOR_IN_USE)
                                return next;
                }
        }
        *use = ALLOCATOR_IN_USE;
        return 0;
}
