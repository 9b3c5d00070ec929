/*
 * What the jemalloc walker (analyze/jemalloc/) hands to the database
 * writer (analyze/db/db_jemalloc.c): jemalloc's own structures, one struct
 * per table of schema/sql/schema.sql.  Its blocks are in heap_result's
 * chunks, like every allocator's (analyze/heap.h).
 */
#ifndef MEMSNAP_JEMALLOC_TABLES_H
#define MEMSNAP_JEMALLOC_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


#include "schema/schema_enum.h"

/* One arena_t of the arenas array (arenas[ind]). */
struct jemalloc_arena {
        unsigned ind;
        uint64_t address;
        uint64_t base;              /* its base_t: where its metadata comes from */
        uint32_t nthreads;          /* arena_t.nthreads[0]: threads bound to it for application allocations */
        int64_t base_allocated, base_resident, base_mapped; /* base_t's stats, bytes; -1 unread */
};

/* One extent (edata_t) the emap's radix tree maps. */
struct jemalloc_extent {
        uint64_t edata;             /* of its edata_t */
        uint64_t address;           /* edata_t.e_addr: the first region, or the large allocation */
        uint64_t size;              /* bytes of its pages */
        uint32_t arena;             /* arena index (e_bits) */
        uint32_t szind;             /* size class index (e_bits) */
        uint8_t state;              /* enum jemalloc_extent_state */
        bool slab;
        uint32_t nregs, nfree;      /* slabs: regions, and those its bitmap marks free */
};

/* Per arena and small size class: its slabs and what their regions hold. */
struct jemalloc_bin {
        uint32_t arena, bin;        /* bin = szind, below SC_NBINS */
        uint64_t size;              /* region size */
        uint32_t nregs;             /* regions per slab */
        uint64_t slabs, used, free, cached; /* cached: allocated from the slab, held by a thread cache */
};

/* Per arena and large size class: the large extents. */
struct jemalloc_lextent {
        uint32_t arena, lextent;    /* lextent = szind - SC_NBINS */
        uint64_t size;              /* usable size of the class */
        uint64_t used, cached;
};

/* One thread cache (tcache_t), found through its arena's tcache_ql. */
struct jemalloc_tcache {
        int tid;                    /* the thread whose TLS holds it, 0 when none does */
        uint64_t address;           /* of its tcache_t */
        uint32_t arena;             /* the arena it is tied to */
        uint32_t entries;           /* regions and large blocks it holds */
        uint64_t bytes;             /* their usable bytes */
};

/* The jemalloc walker's result, beside the blocks. */
struct jemalloc_heap {
        const char *found_by;       /* "symbol" or "shape", or NULL when not found */
        uint64_t arenas_at;         /* the arenas array */
        uint64_t emap_at;           /* arena_emap_global: the radix tree of extents */
        struct jemalloc_arena *arenas;     size_t narenas;
        struct jemalloc_extent *extents;   size_t nextents;
        struct jemalloc_bin *bins;         size_t nbins;
        struct jemalloc_lextent *lextents; size_t nlextents;
        struct jemalloc_tcache *tcaches;   size_t ntcaches;
};

#endif
