/* Unit tests for capture/heap_guess.c: glibc's heap_info and mmapped chunk headers, real and not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/heap_guess.h"

#define PS 4096
#define H (64ull << 20)
#define HEAP1 (0x7f0000000000ull)       /* an arena's first heap */
#define HEAP2 (HEAP1 + 4 * H)           /* its second heap */

static void test_arena_heaps(void **state)
{
        (void)state;
        /* glibc 2.36: sizeof(heap_info) is 48, the arena right after it. */
        uint64_t first[4] = { HEAP1 + 48, 0, 0x21000, 0x21000 };
        assert_true(heap_guess_arena_heap(HEAP1, 0x21000, first, PS));
        /* Older glibc: 32 bytes. */
        uint64_t old[4] = { HEAP1 + 32, 0, 0x21000, 0x30000 };
        assert_true(heap_guess_arena_heap(HEAP1, 0x30000, old, PS));
        /* A later heap: prev points at a heap, ar_ptr into the first one. */
        uint64_t later[4] = { HEAP1 + 48, HEAP1, 0x1000000, 0x1000000 };
        assert_true(heap_guess_arena_heap(HEAP2, 0x1000000, later, PS));

        /* Not aligned to HEAP_MAX_SIZE. */
        assert_false(heap_guess_arena_heap(HEAP1 + PS, 0x21000, first, PS));
        /* Sizes that are not page multiples, or beyond HEAP_MAX_SIZE, or larger than the mapping. */
        uint64_t odd[4] = { HEAP1 + 48, 0, 0x21010, 0x22000 };
        assert_false(heap_guess_arena_heap(HEAP1, 0x22000, odd, PS));
        uint64_t huge[4] = { HEAP1 + 48, 0, 2 * H, 2 * H };
        assert_false(heap_guess_arena_heap(HEAP1, 2 * H, huge, PS));
        assert_false(heap_guess_arena_heap(HEAP1, 0x10000, first, PS));
        /* mprotect_size below size breaks arena.c's invariant. */
        uint64_t shrunk[4] = { HEAP1 + 48, 0, 0x21000, 0x20000 };
        assert_false(heap_guess_arena_heap(HEAP1, 0x21000, shrunk, PS));
        /* A first heap whose arena is elsewhere, a later heap pointing at itself. */
        uint64_t stray[4] = { HEAP2 + 48, 0, 0x21000, 0x21000 };
        assert_false(heap_guess_arena_heap(HEAP1, 0x21000, stray, PS));
        uint64_t self[4] = { HEAP2 + 48, HEAP2, 0x21000, 0x21000 };
        assert_false(heap_guess_arena_heap(HEAP2, 0x21000, self, PS));
        /* Zeros: an untouched aligned mapping. */
        uint64_t zero[4] = { 0 };
        assert_false(heap_guess_arena_heap(HEAP1, 0x21000, zero, PS));
}

static void test_mmapped_chunks(void **state)
{
        (void)state;
        uint64_t chunk[2] = { 0, 0x21000 | 0x2 };
        assert_true(heap_guess_mmapped_chunk(HEAP1, 0x21000, chunk, PS));
        /* Merged with a neighbour: the mapping is longer than the chunk. */
        assert_true(heap_guess_mmapped_chunk(HEAP1, 0x80000, chunk, PS));
        /* Longer than the mapping. */
        assert_false(heap_guess_mmapped_chunk(HEAP1, 0x20000, chunk, PS));
        /* PREV_INUSE or NON_MAIN_ARENA set: a chunk inside a heap, not an mmapped one. */
        uint64_t inuse[2] = { 0, 0x21000 | 0x3 };
        assert_false(heap_guess_mmapped_chunk(HEAP1, 0x21000, inuse, PS));
        uint64_t arena[2] = { 0, 0x21000 | 0x6 };
        assert_false(heap_guess_mmapped_chunk(HEAP1, 0x21000, arena, PS));
        /* Not a page multiple, or an alignment correction in prev_size. */
        uint64_t odd[2] = { 0, 0x21010 | 0x2 };
        assert_false(heap_guess_mmapped_chunk(HEAP1, 0x22000, odd, PS));
        uint64_t shifted[2] = { 0x10, 0x21000 | 0x2 };
        assert_false(heap_guess_mmapped_chunk(HEAP1, 0x21000, shifted, PS));
        uint64_t zero[2] = { 0, 0 };
        assert_false(heap_guess_mmapped_chunk(HEAP1, 0x21000, zero, PS));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_arena_heaps),
                cmocka_unit_test(test_mmapped_chunks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
