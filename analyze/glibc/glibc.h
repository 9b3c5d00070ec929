/*
 * The glibc heap walker: the context its parts share, and the order they
 * are in.  Each file uses only the files above it (it includes their
 * headers, each named for its file), and glibc_heap.c, the heap stage,
 * runs them over one struct heap_ctx:
 *
 *   layout       glibc_layout.c     where each release keeps each field
 *                glibc_mem.h        word reads of the core for the hot loops
 *                addr_set.c         a set of addresses, to catch loops in lists
 *   library      glibc_libc.c       which mapping is the C library: path, load
 *                                   bias, writable ranges, build-id
 *                glibc_version.c    its release, from the banner in the file
 *                                   or the core
 *   structures   glibc_arena_state.c  one malloc_state: read, plausible, used
 *                glibc_par.c        malloc_par (mp_) decoded
 *   symbols      glibc_symbols.c    main_arena and mp_ from libc's symbol
 *                                   table (debug info)
 *   shape        glibc_shape.c      main_arena and mp_ by what they look like
 *   find         glibc_find.c       decides between the two and says how
 *   arenas       glibc_arena.c      the ring of arenas and each one's heap_info
 *                                   chain, giving the regions to walk
 *   chunks       glibc_chunks.c     the linear walk of each region, by size
 *                                   fields; a chunk marked free by a list
 *   lists        glibc_mmapped.c    mmapped chunks, found page by page in
 *                                   anonymous memory
 *                glibc_bins.c       fastbins and the unsorted, small and large
 *                                   bins
 *                glibc_tcache.c     each thread's tcache and what it holds
 *   orchestrator glibc_heap.c       the heap stage: the above in this order,
 *                                   chunks sorted, PREV_INUSE checked, arena
 *                                   ranges handed on
 *
 * Everything found wrong becomes a warning (stage "heap") naming the
 * address, and the walk goes on with the rest.
 */
#ifndef MEMSNAP_GLIBC_H
#define MEMSNAP_GLIBC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "analyze/analysis.h"
#include "glibc_layout.h"
#include "glibc_mem.h"

#define GLIBC_ARENAS_MAX 4096       /* arena_max defaults to 8 per core; far above any real ring */
#define GLIBC_HEAPS_MAX 16384       /* heap_info chain of one arena (64 MiB each: 1 TiB) */
#define GLIBC_LIBC_RANGES_MAX 8
#define GLIBC_VERSION_MAX 32

/* The C library the process runs, as far as the core and the disk tell. */
struct glibc_libc {
        bool found;
        char *path;                 /* as mapped; may be missing from this machine */
        uint64_t base;              /* load bias: address of the ELF's vaddr 0 */
        uint64_t start, end;        /* its mappings */
        int module_id;              /* index into a->modules.v, or NO_ID */
        Dwfl_Module *dwfl_mod;      /* from the modules stage, or NULL */
        char *build_id;             /* hex, from the core or the modules stage; NULL if unknown */
        bool file_matches;          /* path is on disk with the same build-id (or none to compare) */
        /* writable memory of the library: .data, .bss (where main_arena and mp_ live) */
        uint64_t rw_lo[GLIBC_LIBC_RANGES_MAX], rw_hi[GLIBC_LIBC_RANGES_MAX];
        unsigned nrw;
};

struct glibc_version {
        bool known;
        unsigned major, minor, patch;
        char text[GLIBC_VERSION_MAX]; /* "2.36" as the banner says it */
        const char *source;         /* "file", "core", "file name" */
};

/* The fields of struct malloc_state the analysis uses, as read from the core. */
struct glibc_arena_state {
        uint64_t address;
        uint32_t mutex, flags, have_fastchunks;
        uint64_t fastbins[GLIBC_NFASTBINS];
        uint64_t top, last_remainder;
        uint64_t bins[GLIBC_NBINS * 2 - 2];
        uint64_t next, attached_threads, system_mem, max_system_mem;
};

/* A stretch of one arena's memory to walk chunk by chunk. */
struct heap_region {
        uint64_t start;             /* the first chunk */
        uint64_t end;               /* end of the heap: top's end, or the heap_info's size */
        uint64_t top;               /* the arena's top chunk if it lies here, else 0 */
        int arena_id;
        int heap_id;                /* index into a->heap.heaps, NO_ID for the main arena's brk heap */
};

/* Where main_arena and mp_ are, and how each was found. */
struct glibc_roots {
        uint64_t main_arena, mp;
        const char *arena_found_by, *mp_found_by; /* "symbol", "shape", or NULL: not found */
        enum allocator_state use;   /* of main_arena: in use, idle or uninitialised */
        uint64_t tcache_key;        /* 2.34+: the value in freed tcache entries, 0 unknown */
};

struct heap_ctx {
        const struct analysis *a;   /* the earlier stages' results, read only */
        struct heap_result *out;    /* what the walk finds: a->heap */
        struct warnings *w;
        struct glibc_mem mem;
        struct glibc_libc libc;
        struct glibc_version version;
        struct glibc_layout layout;
        bool layout_guessed;        /* the version is unknown or outside the table */
        struct glibc_roots roots;
        uint64_t page_size;
        uint64_t heap_max;          /* HEAP_MAX_SIZE, or 4 * mp_.hp_pagesize */

        struct glibc_arena_state *states; /* one per a->heap.arenas */
        struct heap_region *regions;
        size_t nregions, regions_cap;
        /* allocated lengths of the analysis arrays the walker grows, and of states */
        size_t chunks_cap, heaps_cap, arenas_cap, states_cap, tcaches_cap;
        uint64_t *looks_free;       /* bit per chunk: the next chunk's PREV_INUSE is clear */
        uint64_t mmapped_bytes;     /* what munmap would release: chunk sizes plus alignment leads */
};

#endif
