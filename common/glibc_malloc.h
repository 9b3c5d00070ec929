/*
 * glibc malloc's facts that are the same in every release memsnap reads,
 * on x86-64 (glibc malloc/malloc.c and malloc/arena.c): the chunk header,
 * its flag bits, the bin counts, the size of a non-main arena's heap.
 * Capture uses them to recognise malloc's mappings, analyze to walk them;
 * what changed from release to release is in analyze/glibc/glibc_layout.h.
 */
#ifndef MEMSNAP_GLIBC_MALLOC_H
#define MEMSNAP_GLIBC_MALLOC_H

#define GLIBC_SIZE_SZ 8u
#define GLIBC_MALLOC_ALIGNMENT 16u          /* 2 * SIZE_SZ */
#define GLIBC_CHUNK_HDR_SZ 16u              /* prev_size + size: mem2chunk() */
#define GLIBC_MINSIZE 32u
#define GLIBC_PREV_INUSE 0x1u
#define GLIBC_IS_MMAPPED 0x2u
#define GLIBC_NON_MAIN_ARENA 0x4u
#define GLIBC_SIZE_FLAGS (GLIBC_PREV_INUSE | GLIBC_IS_MMAPPED | GLIBC_NON_MAIN_ARENA) /* SIZE_BITS */
#define GLIBC_NBINS 128u                    /* bins[NBINS * 2 - 2] */
#define GLIBC_NSMALLBINS 64u
#define GLIBC_MIN_LARGE_SIZE 1024u          /* (NSMALLBINS - SMALLBIN_CORRECTION) * SMALLBIN_WIDTH */
#define GLIBC_NFASTBINS 10u                 /* fastbin_index (request2size (MAX_FAST_SIZE)) + 1 */
#define GLIBC_BINMAPSIZE 4u
#define GLIBC_NONCONTIGUOUS_BIT 0x2u        /* malloc_state.flags */
#define GLIBC_TCACHE_SMALL_BINS 64u         /* TCACHE_MAX_BINS before 2.42, TCACHE_SMALL_BINS since */
#define GLIBC_TCACHE_BINS_MAX 76u           /* 2.42: TCACHE_SMALL_BINS + TCACHE_LARGE_BINS */
/* arena.c: HEAP_MAX_SIZE = 2 * DEFAULT_MMAP_THRESHOLD_MAX (4 MiB * sizeof (long)) on 64-bit */
#define GLIBC_HEAP_MAX_SIZE (64ull << 20)

#endif
