/*
 * The jemalloc 5.x walker (analyze/jemalloc/), in layers, each file using
 * only those before it:
 *
 *   layout     jemalloc.h                 5.3's x86-64 layouts as Debian builds
 *                                          libjemalloc2 (--with-lg-page=12,
 *                                          --enable-prof, stats on), the context
 *   sizes      jemalloc_sizes.c           size class index -> size (sc.c's rule)
 *   find       jemalloc_find.c            the arenas array and the extent map:
 *                                          by symbol when the module has them,
 *                                          else by their shape in its .bss
 *   extents    jemalloc_extents.c         every extent the map holds (rtree walk)
 *   tcaches    jemalloc_tcache.c          what each thread cache holds
 *   blocks     jemalloc_blocks.c          regions of slabs (bitmaps), large
 *                                          extents; per size class figures
 *   walker     jemalloc_heap.c            the heap stage's walker (analyze/heap.h)
 *
 * Every constant names the jemalloc 5.3.0 header it comes from; the
 * offsets were read with gdb's `ptype /o` from a -g build of Debian's
 * source package with Debian's configure options.
 */
#ifndef MEMSNAP_JEMALLOC_H
#define MEMSNAP_JEMALLOC_H

#include <stdbool.h>
#include <stdint.h>

#include "analyze/analysis.h"

/* ---- layout: jemalloc 5.3.0, x86-64, LG_PAGE 12, LG_VADDR 48 ------------ */

#define JE_LG_PAGE 12                        /* Debian's --with-lg-page=12 */
#define JE_PAGE (1ull << JE_LG_PAGE)
#define JE_SC_NBINS 36                       /* sc.h SC_NBINS with LG_PAGE 12: classes 8 .. 14336 */
#define JE_SC_NSIZES 232                     /* sc.h SC_NSIZES on 64-bit */
#define JE_SLAB_MAXREGS 512                  /* sc.h SC_SLAB_MAXREGS: 1 << (LG_PAGE - SC_LG_TINY_MIN) */
#define JE_MALLOCX_ARENA_LIMIT 4095          /* jemalloc_macros.h: arena indexes fit 12 bits (MALLOCX_ARENA_BITS) */

/* edata.h struct edata_s */
#define JE_EDATA_SIZE 128                    /* sizeof(edata_t); EDATA_ALIGNMENT */
#define JE_EDATA_BITS 0                      /* e_bits */
#define JE_EDATA_ADDR 8                      /* e_addr */
#define JE_EDATA_SIZE_ESN 16                 /* e_size_esn: size in the bits above EDATA_ESN_MASK */
#define JE_EDATA_SLAB_BITMAP 64              /* e_slab_data.bitmap: bit clear = region allocated (bitmap.h) */
/* edata.h EDATA_BITS_*: arena 0..11, slab 12, state 17..19, szind 20..27, nfree 28..37 */
#define JE_EBITS_ARENA(b) ((unsigned)((b) & 0xfff))
#define JE_EBITS_SLAB(b) ((bool)(((b) >> 12) & 1))
#define JE_EBITS_STATE(b) ((unsigned)(((b) >> 17) & 7))
#define JE_EBITS_SZIND(b) ((unsigned)(((b) >> 20) & 0xff))
#define JE_EBITS_NFREE(b) ((unsigned)(((b) >> 28) & 0x3ff))

/* rtree.h: RTREE_HEIGHT 2 with LG_VADDR 48, RTREE_NSB 36: 18 bits per level, compact leaves */
#define JE_RTREE_ROOT 120                    /* rtree_t.root, after base (8) and init_lock (112) */
#define JE_RTREE_LEVEL_BITS 18
#define JE_RTREE_FANOUT (1u << JE_RTREE_LEVEL_BITS)
#define JE_RTREE_LEAF_COVERS (1ull << (JE_RTREE_LEVEL_BITS + JE_LG_PAGE)) /* bytes of address space per leaf */
#define JE_LG_VADDR 48
#define JE_RTREE_STATE(bits) ((unsigned)(((bits) >> 2) & 7)) /* RTREE_LEAF_STATE_SHIFT 2 */
/* rtree_leaf_elm_bits_decode: sign-extend from LG_VADDR, clear the low bits below EDATA_ALIGNMENT */
#define JE_RTREE_EDATA(bits) ((uint64_t)((int64_t)((bits) << (64 - JE_LG_VADDR)) >> (64 - JE_LG_VADDR)) & ~(uint64_t)(JE_EDATA_SIZE - 1))

/* arena_structs.h struct arena_s */
#define JE_ARENA_NTHREADS 0                  /* nthreads[0] */
#define JE_ARENA_TCACHE_QL 10392             /* tcache_ql.qlh_first */
#define JE_ARENA_IND 78928
#define JE_ARENA_BASE 78936

/* base_structs.h struct base_s; ehooks.h ehooks_t begins with its arena index */
#define JE_BASE_IND 0
#define JE_BASE_ALLOCATED 3880
#define JE_BASE_RESIDENT 3888
#define JE_BASE_MAPPED 3896

/* tcache_structs.h struct tcache_slow_s, struct tcache_s; cache_bin.h struct cache_bin_s */
#define JE_TCACHE_SLOW_NEXT 0                /* link.qre_next: a ring */
#define JE_TCACHE_SLOW_TCACHE 168            /* tcache */
#define JE_TCACHE_BINS 8                     /* tcache_t.bins, after tcache_slow */
#define JE_TCACHE_NBINS_MAX 73               /* tcache_types.h TCACHE_NBINS_MAX */
#define JE_CACHE_BIN_SIZE 24
#define JE_CACHE_BIN_STACK_HEAD 0
#define JE_CACHE_BIN_LOW_BITS_EMPTY 20
#define JE_CACHE_BIN_NCACHED_MAX 8192        /* cache_bin.h CACHE_BIN_NCACHED_MAX: (1 << 16) / 8 */

/* An address a thread cache holds, and which cache (index into jemalloc_heap.tcaches). */
struct je_cached {
        uint64_t address;
        uint32_t tcache;
};

/* What one walk shares between the layers. */
struct je_ctx {
        struct analysis *a;
        struct warnings *w;
        struct jemalloc_heap *out;
        int module_id;              /* the module that carries jemalloc */
        struct je_cached *cached;   /* what the thread caches hold, sorted by address */
        size_t ncached;
        struct chunk *blocks;       /* this walker's blocks, in address order */
        size_t nblocks, blocks_cap;
};

/* jemalloc_sizes.c: the size of class szind (sz_index2size), 0 past the last class. */
uint64_t jemalloc_size_of(unsigned szind);

/* jemalloc_find.c: out->arenas_at, emap_at and found_by; false (with a warning) when not found. */
bool jemalloc_find(struct je_ctx *c);

/* jemalloc_extents.c: every extent the emap's radix tree maps, into out->extents sorted by address. */
int jemalloc_extents_collect(struct je_ctx *c);

/* jemalloc_tcache.c: the arenas (out->arenas), each one's thread caches, c->cached. */
int jemalloc_tcache_collect(struct je_ctx *c);

/* jemalloc_blocks.c: the regions and large blocks (c->blocks), and out->bins, out->lextents. */
int jemalloc_blocks_collect(struct je_ctx *c);

#endif
