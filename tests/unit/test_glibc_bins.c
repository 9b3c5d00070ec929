/*
 * Unit tests for analyze/glibc/glibc_bins.c: fastbins (safe-linked, glibc 2.36
 * layout) and the doubly linked bins over a fabricated heap in a fake core.
 * Sound lists mark their chunks free with the right bin; a loop, a wild
 * pointer, a chunk of the wrong size and a chunk on two lists each end
 * or flag the walk with a warning naming the address.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/glibc/glibc_bins.h"
#include "analyze/glibc/glibc_chunks.h"
#include "core_run.h"

#define BASE 0x10000ull
#define LEN 0x1000u
#define ARENA 0x5000ull
#define P GLIBC_PREV_INUSE
#define WILD 0x4141414141410ull

/* The heap: two fastbin-sized chunks, two small-bin chunks with guards, then top. */
#define A (BASE)
#define B (BASE + 0x20)
#define C (BASE + 0x40)
#define D (BASE + 0x150)
#define E (BASE + 0x170)
#define F (BASE + 0x280)
#define TOP (BASE + 0x2a0)

struct fixture {
        struct analysis a;
        struct heap_ctx h;
        uint8_t mem[LEN];
};

static void put(struct fixture *f, uint64_t addr, uint64_t v) { memcpy(f->mem + (addr - BASE), &v, 8); }

static uint64_t bin_at(const struct fixture *f, unsigned i)
{
        return ARENA + (uint64_t)f->h.layout.ms_bins + 16 * (uint64_t)(i - 1) - 16;
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        f->a.core.fd = -1;
        glibc_layout_for(2, 36, 0, &f->h.layout);
        put(f, A + 8, 0x20 | P);
        put(f, B + 8, 0x20 | P);
        put(f, C + 8, 0x110 | P);
        put(f, D, 0x110); /* C and E look free to their successors */
        put(f, D + 8, 0x20);
        put(f, E + 8, 0x110 | P);
        put(f, F, 0x110);
        put(f, F + 8, 0x20);
        put(f, TOP + 8, (LEN - 0x2a0) | P);
        /* an arena whose every bin is empty: fd = bk = the bin itself */
        f->h.states = calloc(1, sizeof(*f->h.states));
        f->h.states[0].address = ARENA;
        for (unsigned i = 1; i < GLIBC_NBINS; i++)
                f->h.states[0].bins[2 * (i - 1)] = f->h.states[0].bins[2 * (i - 1) + 1] = bin_at(f, i);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        free(f->a.heap.chunks);
        free(f->a.heap.arenas);
        free(f->h.states);
        core_close(&f->a.core);
        warnings_free(&f->a.warnings);
        free(f);
        return 0;
}

/* Walks the fake heap for its chunks, then classifies by the lists set up in f. */
static void classify(struct fixture *f)
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
        f->a.heap.arenas = calloc(1, sizeof(*f->a.heap.arenas));
        f->a.heap.narenas = 1;
        f->a.heap.arenas[0] = (struct arena){ .address = ARENA, .is_main = true, .top = TOP, .top_size = LEN - 0x2a0 };
        struct heap_region r = { .start = BASE, .end = BASE + LEN, .top = TOP, .arena_id = 0, .heap_id = NO_ID };
        assert_int_equal(glibc_chunks_walk(&f->h, &r), 0);
        assert_int_equal(f->a.heap.nchunks, 7);
        assert_int_equal(f->a.warnings.n, 0);
        glibc_bins_classify(&f->h);
}

static const struct chunk *chunk(const struct fixture *f, uint64_t addr)
{
        ssize_t k = glibc_chunk_find(&f->a.heap, addr);
        assert_true(k >= 0);
        return &f->a.heap.chunks[k];
}

/* malloc.c PROTECT_PTR: a fastbin fd is stored as (&fd >> 12) ^ next */
static void fd_of(struct fixture *f, uint64_t chunk_addr, uint64_t next)
{
        put(f, chunk_addr + 16, ((chunk_addr + 16) >> 12) ^ next);
}

/* Links the chunks into small bin i in fd order. */
static void small_bin(struct fixture *f, unsigned i, const uint64_t *chunks, size_t n)
{
        uint64_t b = bin_at(f, i);
        for (size_t k = 0; k < n; k++) {
                put(f, chunks[k] + 16, k + 1 < n ? chunks[k + 1] : b); /* fd */
                put(f, chunks[k] + 24, k > 0 ? chunks[k - 1] : b);     /* bk */
        }
        f->h.states[0].bins[2 * (i - 1)] = chunks[0];
        f->h.states[0].bins[2 * (i - 1) + 1] = chunks[n - 1];
}

static void test_sound_lists(void **state)
{
        struct fixture *f = *state;
        f->h.states[0].fastbins[0] = A;
        fd_of(f, A, B);
        fd_of(f, B, 0);
        small_bin(f, 17, (const uint64_t[]){ C, E }, 2); /* 0x110 >> 4 = 17 */
        classify(f);
        assert_int_equal(f->a.warnings.n, 0);
        assert_int_equal(chunk(f, A)->bin, BIN_FAST);
        assert_int_equal(chunk(f, B)->bin, BIN_FAST);
        assert_int_equal(chunk(f, A)->state, CHUNK_FREE);
        assert_int_equal(chunk(f, C)->bin, BIN_SMALL);
        assert_int_equal(chunk(f, E)->bin, BIN_SMALL);
        assert_int_equal(chunk(f, D)->state, CHUNK_USED);
        assert_int_equal(chunk(f, D)->bin, BIN_NONE);
        assert_int_equal(chunk(f, TOP)->state, CHUNK_TOP);
}

static void test_fastbin_loop(void **state)
{
        struct fixture *f = *state;
        /* free (a); free (b); free (a): a -> b -> a -> ... */
        f->h.states[0].fastbins[0] = A;
        fd_of(f, A, B);
        fd_of(f, B, A);
        classify(f);
        assert_true(core_run_warned_at(&f->a.warnings, A, "fastbin 0 of arena 0x5000 loops"));
        assert_int_equal(chunk(f, A)->bin, BIN_FAST);
        assert_int_equal(chunk(f, B)->bin, BIN_FAST);
}

static void test_fastbin_without_safe_linking(void **state)
{
        struct fixture *f = *state;
        glibc_layout_for(2, 31, 0, &f->h.layout);
        for (unsigned i = 1; i < GLIBC_NBINS; i++) /* 2.31's bins sit elsewhere in the arena */
                f->h.states[0].bins[2 * (i - 1)] = f->h.states[0].bins[2 * (i - 1) + 1] = bin_at(f, i);
        f->h.states[0].fastbins[0] = A;
        put(f, A + 16, B); /* plain pointers before 2.32 */
        put(f, B + 16, 0);
        classify(f);
        assert_int_equal(f->a.warnings.n, 0);
        assert_int_equal(chunk(f, B)->bin, BIN_FAST);
}

static void test_fastbin_wrong_size_and_wild(void **state)
{
        struct fixture *f = *state;
        f->h.states[0].fastbins[1] = A; /* bin 1 holds 0x30 chunks, A is 0x20 */
        fd_of(f, A, WILD);
        classify(f);
        assert_true(core_run_warned_at(&f->a.warnings, A, "of size 32, not 48"));
        assert_true(core_run_warned_at(&f->a.warnings, WILD, "is not a chunk of the heap walk"));
}

static void test_small_bin_wild_bk(void **state)
{
        struct fixture *f = *state;
        small_bin(f, 17, (const uint64_t[]){ C, E }, 2);
        put(f, C + 24, WILD); /* the walk goes E -> C -> WILD */
        classify(f);
        assert_int_equal(chunk(f, E)->bin, BIN_SMALL);
        assert_int_equal(chunk(f, C)->bin, BIN_SMALL);
        assert_true(core_run_warned_at(&f->a.warnings, WILD, "small bin 17 of arena 0x5000: 0x4141414141410 is not a chunk"));
}

static void test_bin_loop_and_bad_fd(void **state)
{
        struct fixture *f = *state;
        small_bin(f, 17, (const uint64_t[]){ C, E }, 2);
        put(f, C + 24, E); /* C's bk goes back to E: a loop */
        classify(f);
        assert_true(core_run_warned_at(&f->a.warnings, E, "small bin 17 of arena 0x5000 loops"));
}

static void test_chunk_in_two_lists(void **state)
{
        struct fixture *f = *state;
        f->h.states[0].fastbins[0] = A;
        fd_of(f, A, 0);
        small_bin(f, 1, (const uint64_t[]){ A }, 1); /* the unsorted bin holds A too */
        classify(f);
        assert_true(core_run_warned_at(&f->a.warnings, A, "is in a fastbin and also in unsorted bin 1"));
        assert_int_equal(chunk(f, A)->bin, BIN_FAST);
}

static void test_wrong_small_bin(void **state)
{
        struct fixture *f = *state;
        small_bin(f, 18, (const uint64_t[]){ C }, 1);
        classify(f);
        assert_true(core_run_warned_at(&f->a.warnings, C, "which belongs in bin 17"));
        assert_int_equal(chunk(f, C)->bin, BIN_SMALL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_sound_lists, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fastbin_loop, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fastbin_without_safe_linking, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fastbin_wrong_size_and_wild, setup, teardown),
                cmocka_unit_test_setup_teardown(test_small_bin_wild_bk, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bin_loop_and_bad_fd, setup, teardown),
                cmocka_unit_test_setup_teardown(test_chunk_in_two_lists, setup, teardown),
                cmocka_unit_test_setup_teardown(test_wrong_small_bin, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
