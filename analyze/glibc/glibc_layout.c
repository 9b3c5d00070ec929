/*
 * The release table behind glibc_layout.h.  Each row names the first
 * release of a layout and the fields that release's malloc.c and arena.c
 * declare; lay_out() then places them with LP64 alignment, exactly as gcc
 * does for those structs.  Sources (glibc git, malloc/malloc.c, arena.c):
 *   2.26  tcache (char counts[64], entries[64]); mp_ gains tcache_bins,
 *         tcache_max_bytes, tcache_count, tcache_unsorted_limit
 *   2.27  malloc_state gains `int have_fastchunks` after flags
 *   2.29  tcache_entry gains `key` (the owning tcache)
 *   2.30  tcache counts become uint16_t
 *   2.32  safe-linking: PROTECT_PTR on tcache next and fastbin fd
 *   2.34  tcache_entry.key becomes the random process-wide tcache_key
 *   2.35  mp_ gains thp_pagesize, hp_pagesize, hp_flags after arena_max
 *         (under HAVE_TUNABLES, which every distribution builds with);
 *         heap_info gains pagesize (sizeof 48 instead of 32)
 *   2.42  tcache: 64 small + 12 large bins, counts become num_slots (room
 *         left); mp_.tcache_bins renamed tcache_small_bins, same place
 *   2.43  (development tree as of January 2026, VERSION 2.42.9000)
 *         fastbins and have_fastchunks removed; mp_ gains `thp_mode`
 *         (an enum) before thp_pagesize; TCACHE_FILL_COUNT 16
 */
#include "glibc_layout.h"

#include <stddef.h>
#include <stdio.h>

#include "common/cleanup.h"

struct release {
        unsigned major, minor;
        const char *name;
        bool have_fastchunks, fastbins;
        bool mp_thp_mode, mp_hugepages;
        bool heap_info_pagesize;
        unsigned tcache_bins, tcache_count_bytes, tcache_fill;
        bool tcache_free_slots;
        enum glibc_tcache_key key;
        bool safe_linking;
};

static const struct release releases[] = {
        { 2, 26, "2.26", false, true, false, false, false, 64, 1, 7, false, GLIBC_TCACHE_KEY_NONE, false },
        { 2, 27, "2.27", true, true, false, false, false, 64, 1, 7, false, GLIBC_TCACHE_KEY_NONE, false },
        { 2, 29, "2.29", true, true, false, false, false, 64, 1, 7, false, GLIBC_TCACHE_KEY_PERTHREAD, false },
        { 2, 30, "2.30", true, true, false, false, false, 64, 2, 7, false, GLIBC_TCACHE_KEY_PERTHREAD, false },
        { 2, 32, "2.32", true, true, false, false, false, 64, 2, 7, false, GLIBC_TCACHE_KEY_PERTHREAD, true },
        { 2, 34, "2.34", true, true, false, false, false, 64, 2, 7, false, GLIBC_TCACHE_KEY_RANDOM, true },
        { 2, 35, "2.35", true, true, false, true, true, 64, 2, 7, false, GLIBC_TCACHE_KEY_RANDOM, true },
        { 2, 42, "2.42", true, true, false, true, true, 76, 2, 7, true, GLIBC_TCACHE_KEY_RANDOM, true },
        { 2, 43, "2.43", false, false, true, true, true, 76, 2, 16, true, GLIBC_TCACHE_KEY_RANDOM, true },
};

/* The newest release whose layout is known from a tagged glibc release. */
#define LATEST_RELEASED_MINOR 42

/* Places fields one after another with natural alignment, as gcc does on LP64. */
struct placer {
        int off;
};

static int place(struct placer *p, int size, int align)
{
        p->off = (int)ALIGN_UP((unsigned)p->off, (unsigned)align);
        int at = p->off;
        p->off += size;
        return at;
}

static int finish(struct placer *p, int align) { return (int)ALIGN_UP((unsigned)p->off, (unsigned)align); }

static void lay_out(const struct release *r, struct glibc_layout *l)
{
        *l = (struct glibc_layout){ .major = r->major, .minor = r->minor };
        snprintf(l->name, sizeof(l->name), "%s", r->name);

        struct placer ms = { 0 };
        l->ms_mutex = place(&ms, 4, 4);            /* __libc_lock_define: int */
        l->ms_flags = place(&ms, 4, 4);
        l->ms_have_fastchunks = r->have_fastchunks ? place(&ms, 4, 4) : -1;
        l->ms_fastbins = r->fastbins ? place(&ms, 8 * GLIBC_NFASTBINS, 8) : -1;
        l->nfastbins = r->fastbins ? GLIBC_NFASTBINS : 0;
        l->ms_top = place(&ms, 8, 8);
        l->ms_last_remainder = place(&ms, 8, 8);
        l->ms_bins = place(&ms, 8 * (GLIBC_NBINS * 2 - 2), 8);
        l->ms_binmap = place(&ms, 4 * GLIBC_BINMAPSIZE, 4);
        l->ms_next = place(&ms, 8, 8);
        l->ms_next_free = place(&ms, 8, 8);
        l->ms_attached_threads = place(&ms, 8, 8);
        l->ms_system_mem = place(&ms, 8, 8);
        l->ms_max_system_mem = place(&ms, 8, 8);
        l->ms_size = finish(&ms, 8);

        struct placer mp = { 0 };
        l->mp_trim_threshold = place(&mp, 8, 8);
        l->mp_top_pad = place(&mp, 8, 8);
        l->mp_mmap_threshold = place(&mp, 8, 8);
        l->mp_arena_test = place(&mp, 8, 8);
        l->mp_arena_max = place(&mp, 8, 8);
        l->mp_thp_mode = r->mp_thp_mode ? place(&mp, 4, 4) : -1;
        l->mp_thp_pagesize = r->mp_hugepages ? place(&mp, 8, 8) : -1;
        l->mp_hp_pagesize = r->mp_hugepages ? place(&mp, 8, 8) : -1;
        l->mp_hp_flags = r->mp_hugepages ? place(&mp, 4, 4) : -1;
        l->mp_n_mmaps = place(&mp, 4, 4);
        l->mp_n_mmaps_max = place(&mp, 4, 4);
        l->mp_max_n_mmaps = place(&mp, 4, 4);
        l->mp_no_dyn_threshold = place(&mp, 4, 4);
        l->mp_mmapped_mem = place(&mp, 8, 8);
        l->mp_max_mmapped_mem = place(&mp, 8, 8);
        l->mp_sbrk_base = place(&mp, 8, 8);
        l->mp_tcache_bins = place(&mp, 8, 8);
        l->mp_tcache_max_bytes = place(&mp, 8, 8);
        l->mp_tcache_count = place(&mp, 8, 8);
        l->mp_tcache_unsorted_limit = place(&mp, 8, 8);
        l->mp_size = finish(&mp, 8);

        struct placer hi = { 0 };
        l->hi_ar_ptr = place(&hi, 8, 8);
        l->hi_prev = place(&hi, 8, 8);
        l->hi_size = place(&hi, 8, 8);
        l->hi_mprotect_size = place(&hi, 8, 8);
        l->hi_pagesize = r->heap_info_pagesize ? place(&hi, 8, 8) : -1;
        /* arena.c: pad so that sizeof (heap_info) + 2 * SIZE_SZ is a multiple of MALLOC_ALIGNMENT */
        hi.off = (int)ALIGN_UP((unsigned)hi.off + 2 * GLIBC_SIZE_SZ, GLIBC_MALLOC_ALIGNMENT) - 2 * (int)GLIBC_SIZE_SZ;
        l->hi_size_of = hi.off;

        l->tcache = true;
        l->tcache_bins = r->tcache_bins;
        l->tcache_count_bytes = r->tcache_count_bytes;
        l->tcache_counts_free_slots = r->tcache_free_slots;
        struct placer tc = { 0 };
        l->tc_counts = place(&tc, (int)(r->tcache_count_bytes * r->tcache_bins), (int)r->tcache_count_bytes);
        l->tc_entries = place(&tc, 8 * (int)r->tcache_bins, 8);
        l->tc_size = finish(&tc, 8);
        l->tcache_key = r->key;
        l->tcache_fill_count = r->tcache_fill;
        l->safe_linking = r->safe_linking;
}

static unsigned version_key(unsigned major, unsigned minor) { return major * 1000 + minor; }

enum glibc_layout_match glibc_layout_for(unsigned major, unsigned minor, unsigned patch, struct glibc_layout *out)
{
        /* glibc's version.h says "2.42.9000" between the 2.42 and 2.43 releases. */
        if (patch >= 9000)
                minor++;
        unsigned want = version_key(major, minor);
        const struct release *best = NULL;

        for (size_t i = 0; i < ELEMENTSOF(releases); i++)
                if (version_key(releases[i].major, releases[i].minor) <= want)
                        best = &releases[i];
        if (!best) {
                lay_out(&releases[0], out);
                return GLIBC_LAYOUT_OLDER;
        }
        lay_out(best, out);
        if (want > version_key(2, LATEST_RELEASED_MINOR + 1))
                return GLIBC_LAYOUT_NEWER;
        snprintf(out->name, sizeof(out->name), "%u.%u", major, minor);
        return GLIBC_LAYOUT_EXACT;
}

unsigned glibc_layout_count(void) { return ELEMENTSOF(releases); }

void glibc_layout_row(unsigned i, struct glibc_layout *out)
{
        lay_out(&releases[i < ELEMENTSOF(releases) ? i : ELEMENTSOF(releases) - 1], out);
}

void glibc_layout_latest_known(unsigned *major, unsigned *minor)
{
        *major = 2;
        *minor = LATEST_RELEASED_MINOR + 1;
}

uint64_t glibc_layout_tcache_chunk_size(const struct glibc_layout *l)
{
        /* malloc.c: request2size (req) = (req + SIZE_SZ + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK */
        return ALIGN_UP((uint64_t)l->tc_size + GLIBC_SIZE_SZ, GLIBC_MALLOC_ALIGNMENT);
}

unsigned glibc_layout_bin_index(uint64_t sz)
{
        if (sz < GLIBC_MIN_LARGE_SIZE)
                return (unsigned)(sz >> 4); /* smallbin_index, SMALLBIN_WIDTH 16 */
        /* malloc.c: largebin_index_64 */
        if ((sz >> 6) <= 48)
                return 48 + (unsigned)(sz >> 6);
        if ((sz >> 9) <= 20)
                return 91 + (unsigned)(sz >> 9);
        if ((sz >> 12) <= 10)
                return 110 + (unsigned)(sz >> 12);
        if ((sz >> 15) <= 4)
                return 119 + (unsigned)(sz >> 15);
        if ((sz >> 18) <= 2)
                return 124 + (unsigned)(sz >> 18);
        return 126;
}

void glibc_layout_tcache_bin_sizes(unsigned tidx, uint64_t *lo, uint64_t *hi)
{
        if (tidx < GLIBC_TCACHE_SMALL_BINS) {
                /* malloc.c: tidx2usize (idx) + SIZE_SZ, i.e. MINSIZE + idx * MALLOC_ALIGNMENT */
                *lo = *hi = GLIBC_MINSIZE + (uint64_t)tidx * GLIBC_MALLOC_ALIGNMENT;
                return;
        }
        /* 2.42 large_csize2tidx: TCACHE_SMALL_BINS + clz (MAX_TCACHE_SMALL_SIZE) - clz (nb):
         * bin 64 + k holds sizes whose highest set bit is 10 + k, above the small bins. */
        unsigned bit = 10 + (tidx - GLIBC_TCACHE_SMALL_BINS);
        uint64_t small_max = GLIBC_MINSIZE + (uint64_t)(GLIBC_TCACHE_SMALL_BINS - 1) * GLIBC_MALLOC_ALIGNMENT;
        *lo = MAX(1ull << bit, small_max + GLIBC_MALLOC_ALIGNMENT);
        *hi = (2ull << bit) - GLIBC_MALLOC_ALIGNMENT;
}
