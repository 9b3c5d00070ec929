/* Implementation of heap_guess.h: glibc's invariants, checked. */
#include "heap_guess.h"

/* sizeof(heap_info) has been 32 and 48 bytes; the arena follows it. */
#define HEAP_INFO_MAX_BYTES 128

bool heap_guess_arena_heap(uint64_t start, uint64_t rw_len, const uint64_t head[4], size_t page_size)
{
        uint64_t ar_ptr = head[0], prev = head[1], size = head[2], mprotect_size = head[3];

        if (start % GLIBC_HEAP_MAX_SIZE != 0)
                return false;
        /* arena.c grow_heap/shrink_heap keep both page multiples, size <= mprotect_size. */
        if (size < page_size || size % page_size || size > GLIBC_HEAP_MAX_SIZE)
                return false;
        if (mprotect_size < size || mprotect_size % page_size || mprotect_size > GLIBC_HEAP_MAX_SIZE)
                return false;
        if (size > rw_len)
                return false;
        if (ar_ptr % GLIBC_MALLOC_ALIGNMENT)
                return false;
        uint64_t ar_off = ar_ptr % GLIBC_HEAP_MAX_SIZE;
        if (ar_off == 0 || ar_off > HEAP_INFO_MAX_BYTES)
                return false;
        if (prev == 0)
                /* An arena's first heap holds the arena right after heap_info. */
                return ar_ptr - ar_off == start;
        /* A later heap points back at the previous one and at the arena in the first. */
        return prev % GLIBC_HEAP_MAX_SIZE == 0 && prev != start && ar_ptr - ar_off != start;
}

bool heap_guess_mmapped_chunk(uint64_t start, uint64_t len, const uint64_t head[2], size_t page_size)
{
        uint64_t prev_size = head[0], size = head[1];

        (void)start;
        /* malloc.c sysmalloc_mmap: set_head (p, size | IS_MMAPPED), prev_size 0 when aligned. */
        if (prev_size != 0 || (size & GLIBC_SIZE_FLAGS) != GLIBC_IS_MMAPPED)
                return false;
        uint64_t chunk = size & ~(uint64_t)GLIBC_SIZE_FLAGS;
        return chunk >= page_size && chunk % page_size == 0 && chunk <= len;
}
