/*
 * The heap stage's seam between allocators (heap.c): what every walker
 * shares, whatever allocator it reads.
 *
 * A walker reads one allocator's structures out of the core and hands on
 * blocks, the same struct chunk for every allocator: .allocator says whose,
 * .address is the user address (glibc alone puts its chunk header there),
 * .size what is usable, .state used or free, and .bin the cache or list
 * that holds a free one.  Reach, verdicts, type hints, hashes, owners, the
 * database and diff read blocks through chunk_mem and chunk_usable
 * (analysis.h) and need nothing else.  The walker's own structures (arenas,
 * extents, spans, caches) go into a struct of its own in struct
 * heap_result, written by a file of its own in analyze/db/.
 *
 * To add a walker: a folder beside analyze/glibc/ with its entry points
 * declared below, defined in its `*_heap.c`, and named in its row of
 * analyze/allocators.c's table (walk, reset).  glibc's walker runs first,
 * outside that table, because it finds the C library whose GOT says which
 * allocator serves malloc (allocators_detect).
 */
#ifndef MEMSNAP_HEAP_H
#define MEMSNAP_HEAP_H

#include "analysis.h"

/*
 * A walker: reads the allocator of row (an allocators row, detected)
 * and appends its blocks to a->heap.chunks (heap_chunks_append, sorted by
 * address among themselves) and the memory they live in to
 * a->heap.ranges (heap_ranges_append, for the heap-kinds stage), fills its
 * own tables, and sets row->state and row->walked.  What it cannot read
 * becomes a warning of stage "heap" naming the address; it returns a
 * negative errno (logged) only for what ends the analysis (-ENOMEM).
 */
typedef int heap_walker_fn(struct analysis *a, struct allocator *row);

/* Frees what a walker put in its own part of struct heap_result, leaving it zeroed. */
typedef void heap_walker_reset_fn(struct heap_result *heap);

/* Appends n blocks to heap->chunks; 0 or -ENOMEM (nothing appended). */
int heap_chunks_append(struct heap_result *heap, const struct chunk *v, size_t n);

/* Appends n ranges to heap->ranges; 0 or -ENOMEM (nothing appended). */
int heap_ranges_append(struct heap_result *heap, const struct heap_range *v, size_t n);

/* qsort's order of blocks: by address. */
int heap_chunk_cmp(const void *x, const void *y);

/*
 * glibc/glibc_heap.c, run first: the C library, the allocators
 * (allocators_detect), and glibc malloc's arenas, heaps, tcaches and
 * chunks.
 */
int glibc_heap_walk(struct analysis *a);

/*
 * jemalloc/jemalloc_heap.c: jemalloc 5.x's arenas, extents, slabs and
 * their bitmaps, large extents and thread caches (analyze/jemalloc_tables.h).
 */
int jemalloc_heap_walk(struct analysis *a, struct allocator *row);
void jemalloc_heap_reset(struct heap_result *heap);

/*
 * tcmalloc/tcmalloc_heap.c: gperftools 2.10's page heap spans, central,
 * transfer and thread caches; its tables in heap->tcmalloc.
 */
heap_walker_fn tcmalloc_heap_walk;
heap_walker_reset_fn tcmalloc_heap_reset;

#endif
