/*
 * The glibc heap walker's parts and what they hand each other.  heap.c runs
 * them in this order over one struct heap_ctx:
 *
 *   glibc_libc.c      which mapping is the C library: path, load bias,
 *                     writable ranges, build-id
 *   glibc_version.c   its release, from the banner in the file or the core
 *   glibc_symbols.c   main_arena and mp_ from libc's symbol table (debug info)
 *   glibc_shape.c     main_arena and mp_ by what they look like
 *   glibc_find.c      decides between the two and says how
 *   glibc_arena.c     the ring of arenas and each one's heap_info chain,
 *                     giving the regions to walk
 *   glibc_chunks.c    the linear walk of each region, by size fields
 *   glibc_mmapped.c   mmapped chunks, found page by page in anonymous memory
 *   glibc_bins.c      fastbins and the unsorted, small and large bins
 *   glibc_tcache.c    each thread's tcache and what it holds
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
        int module_id;              /* index into a->modules, or NO_ID */
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
        int heap_id;                /* index into a->heaps, NO_ID for the main arena's brk heap */
};

/* Where main_arena and mp_ are, and how each was found. */
struct glibc_roots {
        uint64_t main_arena, mp;
        const char *arena_found_by, *mp_found_by; /* "symbol", "shape", or NULL: not found */
        enum allocator_state use;   /* of main_arena: in use, idle or uninitialised */
        uint64_t tcache_key;        /* 2.34+: the value in freed tcache entries, 0 unknown */
};

/* Symbols read from libc's symbol table; 0 = not there. */
struct glibc_symbols {
        uint64_t main_arena, main_arena_size;
        uint64_t mp, mp_size;
        uint64_t tcache_key;        /* address of the variable */
        bool have_symtab;           /* a full .symtab (debug info) was read, not only .dynsym */
};

struct heap_ctx {
        struct analysis *a;
        struct warnings *w;
        struct gmem mem;
        struct glibc_libc libc;
        struct glibc_version version;
        struct glibc_layout layout;
        bool layout_guessed;        /* the version is unknown or outside the table */
        struct glibc_roots roots;
        uint64_t page_size;
        uint64_t heap_max;          /* HEAP_MAX_SIZE, or 4 * mp_.hp_pagesize */

        struct glibc_arena_state *states; /* one per a->arenas */
        struct heap_region *regions;
        size_t nregions, regions_cap;
        /* allocated lengths of the analysis arrays the walker grows, and of states */
        size_t chunks_cap, heaps_cap, arenas_cap, states_cap, tcaches_cap;
        uint64_t *looks_free;       /* bit per chunk: the next chunk's PREV_INUSE is clear */
        uint64_t mmapped_bytes;     /* what munmap would release: chunk sizes plus alignment leads */
};

/* glibc_libc.c */
int glibc_libc_find(struct heap_ctx *h);
void glibc_libc_free(struct glibc_libc *l);

/* glibc_version.c */
bool glibc_version_parse(const void *buf, size_t len, struct glibc_version *v);
bool glibc_version_from_filename(const char *path, struct glibc_version *v);
int glibc_version_detect(struct heap_ctx *h);

/* glibc_symbols.c: 0, or -ENOENT when no symbol table could be read. */
int glibc_symbols_lookup(struct heap_ctx *h, struct glibc_symbols *out);

/* malloc.c initial_top: the top of an arena that never got memory is its unsorted bin's header */
static inline uint64_t glibc_initial_top(const struct glibc_layout *l, uint64_t arena)
{
        return arena + (uint64_t)l->ms_bins - 16;
}

/* glibc_shape.c */
bool glibc_arena_plausible(struct heap_ctx *h, uint64_t addr, const struct glibc_layout *l, bool main);
/*
 * Whether the main_arena at addr was ever used: ALLOCATOR_UNINITIALISED as
 * the library was loaded (malloc never ran), ALLOCATOR_IDLE initialised
 * but without memory, else ALLOCATOR_IN_USE.
 */
enum allocator_state glibc_arena_use(struct heap_ctx *h, const struct glibc_layout *l, uint64_t addr);
/* An unused main_arena by its shape, or 0; *use says which kind. */
uint64_t glibc_shape_unused_main_arena(struct heap_ctx *h, const struct glibc_layout *l, enum allocator_state *use);
uint64_t glibc_shape_main_arena(struct heap_ctx *h, const struct glibc_layout *l);
uint64_t glibc_shape_mp(struct heap_ctx *h, const struct glibc_layout *l, uint64_t main_arena);

/* glibc_find.c: fills h->roots (and h->layout when the version was unknown). */
int glibc_find_roots(struct heap_ctx *h);

/* glibc_arena.c */
void glibc_par_decode(const struct glibc_layout *l, const uint8_t *buf, uint64_t addr,
                      struct malloc_par_info *out);
bool glibc_arena_read(struct heap_ctx *h, const struct glibc_layout *l, uint64_t addr, struct glibc_arena_state *out);
int glibc_arenas_collect(struct heap_ctx *h);

/* glibc_chunks.c */
int glibc_chunks_add(struct heap_ctx *h, uint64_t address, uint64_t size, int arena_id, enum chunk_state state,
                     bool mmapped);
int glibc_chunks_walk(struct heap_ctx *h, const struct heap_region *r);
ssize_t glibc_chunk_find(const struct analysis *a, uint64_t address);
static inline bool glibc_looks_free(const struct heap_ctx *h, size_t i)
{
        return (h->looks_free[i / 64] >> (i % 64)) & 1;
}

/* glibc_mmapped.c */
int glibc_mmapped_scan(struct heap_ctx *h);

/* glibc_bins.c */
void glibc_bins_classify(struct heap_ctx *h);

/* glibc_tcache.c */
int glibc_tcache_classify(struct heap_ctx *h);

/* heap.c: marks chunk i free in bin b; false (and a warning) when it already is. */
bool glibc_chunk_mark_free(struct heap_ctx *h, size_t i, enum chunk_bin bin, const char *list);

#endif
