/*
 * Recognising glibc malloc's memory among anonymous mappings, so that
 * `--segments heap` takes all of it and not only [heap]:
 *
 *  - a non-main arena's heap: a mapping at a HEAP_MAX_SIZE-aligned address
 *    that starts with a consistent heap_info (glibc malloc/arena.c);
 *  - an mmapped chunk: a mapping that starts with a chunk header whose size
 *    has IS_MMAPPED set (glibc malloc/malloc.c sysmalloc_mmap).
 *
 * Pure: the caller reads the first bytes of the mapping (only when its first
 * page is present, so nothing is faulted in) and asks.
 *
 * A guess, by nature: capture decides what to dump before any heap walk,
 * from one mapping's first bytes, without main_arena.  The guess enters the
 * classifier as segment_facts.malloc_use, where the rule analyze applies to
 * its walk's findings (common/segment_kind.h segment_kind_malloc) makes a
 * kind of it; a heap_info heap's PROT_NONE reserve, which only the walk
 * ties to its heap, stays a guard here.
 */
#ifndef MEMSNAP_HEAP_GUESS_H
#define MEMSNAP_HEAP_GUESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/glibc_malloc.h"

/* The bytes heap_guess looks at: heap_info's first four fields, or a chunk header. */
#define HEAP_GUESS_HEAD_BYTES 32

/*
 * A heap_info at start: { ar_ptr, prev, size, mprotect_size }.  rw_len is
 * the length of the readable-writable mapping that starts there.
 */
bool heap_guess_arena_heap(uint64_t start, uint64_t rw_len, const uint64_t head[4], size_t page_size);

/* A chunk header at start: { prev_size, size }, len the mapping's length. */
bool heap_guess_mmapped_chunk(uint64_t start, uint64_t len, const uint64_t head[2], size_t page_size);

#endif
