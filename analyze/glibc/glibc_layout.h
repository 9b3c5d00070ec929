/*
 * Where glibc malloc keeps its state, release by release: the offsets of
 * struct malloc_state (an arena), struct malloc_par (mp_), heap_info and
 * tcache_perthread_struct on x86-64, and the behaviours that changed with
 * them (tcache, its count width, safe-linking, fastbins).
 *
 * The offsets are not typed in per release: each release row lists which
 * fields exist, and glibc_layout_for() lays the structs out as the C
 * compiler does for LP64.  A version between two rows uses the older row
 * (nothing changed in between); one outside the table uses the nearest row
 * and says it is a guess.  Pure: no core, no I/O, so unit tests check it
 * against the DWARF of a real libc.
 */
#ifndef MEMSNAP_GLIBC_LAYOUT_H
#define MEMSNAP_GLIBC_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "common/glibc_malloc.h"            /* what every supported release shares */

/* What a freed tcache entry's `key` field holds. */
enum glibc_tcache_key {
        GLIBC_TCACHE_KEY_NONE,      /* 2.26-2.28: no key field */
        GLIBC_TCACHE_KEY_PERTHREAD, /* 2.29-2.33: the owning tcache_perthread_struct */
        GLIBC_TCACHE_KEY_RANDOM,    /* 2.34+: the process-wide random tcache_key */
};

/* Byte offsets and facts for one glibc release line; -1 marks an absent field. */
struct glibc_layout {
        unsigned major, minor;      /* the release this row starts at */
        char name[16];              /* "2.36": the release asked for when the table covers it, else the row's */

        /* struct malloc_state */
        int ms_mutex, ms_flags, ms_have_fastchunks, ms_fastbins, ms_top, ms_last_remainder, ms_bins,
            ms_binmap, ms_next, ms_next_free, ms_attached_threads, ms_system_mem, ms_max_system_mem;
        int ms_size;
        unsigned nfastbins;         /* 0 when the release has no fastbins (2.43+) */

        /* struct malloc_par */
        int mp_trim_threshold, mp_top_pad, mp_mmap_threshold, mp_arena_test, mp_arena_max, mp_thp_mode,
            mp_thp_pagesize, mp_hp_pagesize, mp_hp_flags, mp_n_mmaps, mp_n_mmaps_max, mp_max_n_mmaps,
            mp_no_dyn_threshold, mp_mmapped_mem, mp_max_mmapped_mem, mp_sbrk_base, mp_tcache_bins,
            mp_tcache_max_bytes, mp_tcache_count, mp_tcache_unsorted_limit;
        int mp_size;

        /* heap_info */
        int hi_ar_ptr, hi_prev, hi_size, hi_mprotect_size, hi_pagesize;
        int hi_size_of;             /* sizeof (heap_info): chunks of later heaps start here */

        /* tcache_perthread_struct and tcache_entry */
        bool tcache;
        unsigned tcache_bins;       /* TCACHE_MAX_BINS: 64, 76 since 2.42 */
        unsigned tcache_count_bytes; /* counts[] element: 1 (char) before 2.30, 2 (uint16_t) since */
        bool tcache_counts_free_slots; /* 2.42+: num_slots[] counts room left, not entries */
        int tc_counts, tc_entries, tc_size;
        enum glibc_tcache_key tcache_key;
        unsigned tcache_fill_count; /* TCACHE_FILL_COUNT: mp_.tcache_count's default */

        bool safe_linking;          /* 2.32+: PROTECT_PTR on tcache next and fastbin fd */
};

/* How well the table knows a version. */
enum glibc_layout_match {
        GLIBC_LAYOUT_EXACT,         /* a release the table covers */
        GLIBC_LAYOUT_OLDER,         /* before the first row: the first row is used */
        GLIBC_LAYOUT_NEWER,         /* after the last known release: the last row is used */
};

/*
 * Fills *out for glibc major.minor (patch 9000 and up, a development
 * snapshot, counts as the next release).  Never fails: see the match.
 */
enum glibc_layout_match glibc_layout_for(unsigned major, unsigned minor, unsigned patch, struct glibc_layout *out);

/* The number of release rows, and row i's layout, newest last (for trying each when the version is unknown). */
unsigned glibc_layout_count(void);
void glibc_layout_row(unsigned i, struct glibc_layout *out);

/* The last release the table knows (its newest row may be a development snapshot). */
void glibc_layout_latest_known(unsigned *major, unsigned *minor);

/* Chunk size a tcache_perthread_struct occupies: request2size (sizeof). */
uint64_t glibc_layout_tcache_chunk_size(const struct glibc_layout *l);

/* glibc malloc.c: bin_index() for a free chunk of this size (64-bit). */
unsigned glibc_layout_bin_index(uint64_t size);

/* Chunk sizes a tcache bin holds: [*lo, *hi].  Small bins hold one size. */
void glibc_layout_tcache_bin_sizes(unsigned tidx, uint64_t *lo, uint64_t *hi);

/* A field of a struct read whole into buf, at a layout's offset. */
static inline uint64_t glibc_layout_u64(const uint8_t *buf, int off)
{
        uint64_t v;
        memcpy(&v, buf + off, sizeof(v));
        return v;
}

static inline uint32_t glibc_layout_u32(const uint8_t *buf, int off)
{
        uint32_t v;
        memcpy(&v, buf + off, sizeof(v));
        return v;
}

/* glibc malloc.c: REVEAL_PTR — a safe-linked pointer stored at pos. */
static inline uint64_t glibc_layout_reveal_ptr(uint64_t pos, uint64_t stored) { return (pos >> 12) ^ stored; }

#endif
