/*
 * Unit tests for analyze/glibc/glibc_chunks.c: the linear chunk walk over
 * fabricated heaps in a fake core — a sound heap, an older heap ending in
 * fenceposts, and each kind of bad size field, which must end the walk with
 * a warning naming the chunk while the top chunk stays listed.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/glibc/glibc_chunks.h"
#include "core_run.h"

#define BASE 0x10000ull
#define LEN 0x1000u
#define P GLIBC_PREV_INUSE

struct fixture {
        struct analysis a;
        struct heap_ctx h;
        uint8_t mem[LEN];
};

static void head(struct fixture *f, uint64_t addr, uint64_t prev_size, uint64_t field)
{
        memcpy(f->mem + (addr - BASE), &prev_size, 8);
        memcpy(f->mem + (addr - BASE) + 8, &field, 8);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        f->a.core.fd = -1;
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        free(f->a.heap.chunks);
        free(f->a.heap.arenas);
        core_close(&f->a.core);
        warnings_free(&f->a.warnings);
        free(f);
        return 0;
}

/* Opens the fake core over f->mem and walks one region of arena 0. */
static int walk(struct fixture *f, uint64_t start, uint64_t end, uint64_t top)
{
        struct core_builder b;
        cb_init(&b);
        cb_load(&b, BASE, LEN, f->mem, LEN, PF_R | PF_W);
        core_run_open_core(&f->a.core, &b);
        cb_free(&b);
        f->h.a = &f->a;
        f->h.out = &f->a.heap;
        f->h.w = &f->a.warnings;
        f->h.page_size = 4096;
        glibc_mem_init(&f->h.mem, &f->a.core);
        glibc_layout_for(2, 36, 0, &f->h.layout);
        f->a.heap.arenas = calloc(1, sizeof(*f->a.heap.arenas));
        f->a.heap.narenas = 1;
        f->a.heap.arenas[0] = (struct arena){ .address = 0x5000, .top = top, .top_size = top ? BASE + LEN - top : 0 };
        struct heap_region r = { .start = start, .end = end, .top = top, .arena_id = 0, .heap_id = NO_ID };
        return glibc_chunks_walk(&f->h, &r);
}

static void sound_heap(struct fixture *f)
{
        head(f, BASE, 0, 0x20 | P);
        head(f, BASE + 0x20, 0, 0x30 | P);
        head(f, BASE + 0x50, 0, 0x40 | P);
        head(f, BASE + 0x90, 0, (LEN - 0x90) | P);
}

static void test_sound_heap(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        assert_int_equal(f->a.heap.nchunks, 4);
        static const uint64_t addr[] = { BASE, BASE + 0x20, BASE + 0x50, BASE + 0x90 };
        static const uint64_t size[] = { 0x20, 0x30, 0x40, LEN - 0x90 };
        for (size_t i = 0; i < 4; i++) {
                assert_int_equal(f->a.heap.chunks[i].address, addr[i]);
                assert_int_equal(f->a.heap.chunks[i].size, size[i]);
                assert_int_equal(f->a.heap.chunks[i].state, i == 3 ? CHUNK_TOP : CHUNK_USED);
                assert_int_equal(f->a.heap.chunks[i].arena_id, 0);
                assert_false(f->a.heap.chunks[i].mmapped);
        }
        assert_int_equal(f->a.warnings.n, 0);
}

static void test_free_chunk_footer(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        head(f, BASE + 0x50, 0x30, 0x40);          /* B free: prev_size = B's size, PREV_INUSE clear */
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        assert_int_equal(f->a.heap.nchunks, 4);
        assert_int_equal(f->a.warnings.n, 0);
}

static void test_bad_prev_size(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        head(f, BASE + 0x50, 0x99, 0x40);          /* PREV_INUSE clear, prev_size wrong */
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        assert_int_equal(f->a.heap.nchunks, 4);
        assert_true(core_run_warned_at(&f->a.warnings, BASE + 0x50, "prev_size 153 differs from the size 48"));
}

static void test_impossible_size(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        head(f, BASE + 0x20, 0, 0x13371337);
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        /* A, then the walk stops; top is still listed */
        assert_int_equal(f->a.heap.nchunks, 2);
        assert_int_equal(f->a.heap.chunks[0].address, BASE);
        assert_int_equal(f->a.heap.chunks[1].state, CHUNK_TOP);
        assert_true(core_run_warned_at(&f->a.warnings, BASE + 0x20, "size field 0x13371337"));
}

static void test_size_too_small_or_misaligned(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        head(f, BASE + 0x20, 0, 0x18 | P);
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        assert_int_equal(f->a.heap.nchunks, 2);
        assert_true(core_run_warned_at(&f->a.warnings, BASE + 0x20, "an impossible size"));
}

static void test_size_past_top(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        head(f, BASE + 0x20, 0, 0x800 | P);
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        assert_int_equal(f->a.heap.nchunks, 2);
        assert_true(core_run_warned_at(&f->a.warnings, BASE + 0x20, "runs past the top chunk"));
}

static void test_mmapped_bit_in_arena(void **state)
{
        struct fixture *f = *state;
        sound_heap(f);
        head(f, BASE + 0x20, 0, 0x30 | GLIBC_IS_MMAPPED | P);
        assert_int_equal(walk(f, BASE, BASE + LEN, BASE + 0x90), 0);
        assert_int_equal(f->a.heap.nchunks, 2);
        assert_true(core_run_warned_at(&f->a.warnings, BASE + 0x20, "IS_MMAPPED"));
}

static void test_older_heap_fenceposts(void **state)
{
        struct fixture *f = *state;
        /* malloc.c sysmalloc: old top freed, then a CHUNK_HDR_SZ fencepost and a zero size */
        head(f, BASE, 0, 0x20 | P);
        head(f, BASE + 0x20, 0, 0x100 | P);
        head(f, BASE + 0x120, 0x100, 0x10);
        head(f, BASE + 0x130, 0, 0 | P);
        assert_int_equal(walk(f, BASE, BASE + LEN, 0), 0);
        assert_int_equal(f->a.heap.nchunks, 2);
        assert_int_equal(f->a.warnings.n, 0);
}

static void test_walk_leaves_the_core(void **state)
{
        struct fixture *f = *state;
        head(f, BASE, 0, 0x20 | P);
        head(f, BASE + 0x20, 0, (LEN - 0x20) | P);
        /* the region claims more than the core holds: the walk stops at the edge with a warning */
        assert_int_equal(walk(f, BASE, BASE + 2 * LEN, 0), 0);
        assert_int_equal(f->a.heap.nchunks, 2);
        assert_true(core_run_warned_at(&f->a.warnings, BASE + LEN, "is not in the core"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sound_heap, setup, teardown),
                cmocka_unit_test_setup_teardown(test_free_chunk_footer, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_prev_size, setup, teardown),
                cmocka_unit_test_setup_teardown(test_impossible_size, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_too_small_or_misaligned, setup, teardown),
                cmocka_unit_test_setup_teardown(test_size_past_top, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mmapped_bit_in_arena, setup, teardown),
                cmocka_unit_test_setup_teardown(test_older_heap_fenceposts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_walk_leaves_the_core, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
