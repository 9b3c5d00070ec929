/*
 * Unit tests for glibc_arena_state_use and glibc_shape_unused_main_arena
 * (analyze/glibc/glibc_arena_state.c, glibc_shape.c): a main_arena as the C
 * library was loaded (malloc never ran), as ptmalloc_init leaves it
 * (initialised, no memory), and in use, in a fake core of libc's writable
 * memory (glibc 2.36 layout).  Only the first two are unused, and neither is
 * mistaken for the other, nor for an arena with one stray word.
 */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "analyze/glibc/glibc_arena_state.h"
#include "analyze/glibc/glibc_shape.h"
#include "core_run.h"

#define BASE 0x7f0000010000ull      /* libc's .data */
#define LEN 0x2000u
#define ARENA (BASE + 0x340)

struct fixture {
        struct analysis a;
        struct heap_ctx h;
        uint8_t mem[LEN];
};

static void put(struct fixture *f, uint64_t addr, uint64_t v) { memcpy(f->mem + (addr - BASE), &v, 8); }

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        f->a.core.fd = -1;
        glibc_layout_for(2, 36, 0, &f->h.layout);
        f->h.a = &f->a;
        f->h.out = &f->a.heap;
        f->h.w = &f->a.warnings;
        f->h.page_size = 4096;
        f->h.libc.nrw = 1;
        f->h.libc.rw_lo[0] = BASE;
        f->h.libc.rw_hi[0] = BASE + LEN;
        /* malloc.c: the static initialiser sets next and attached_threads */
        put(f, ARENA + (uint64_t)f->h.layout.ms_next, ARENA);
        put(f, ARENA + (uint64_t)f->h.layout.ms_attached_threads, 1);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        core_close(&f->a.core);
        warnings_free(&f->a.warnings);
        free(f);
        return 0;
}

static void open_core(struct fixture *f)
{
        struct core_builder b;
        cb_init(&b);
        cb_load(&b, BASE, LEN, f->mem, LEN, PF_R | PF_W);
        core_run_open_core(&f->a.core, &b);
        cb_free(&b);
        glibc_mem_init(&f->h.mem, &f->a.core);
}

/* malloc.c malloc_init_state: every bin points at itself, top at initial_top. */
static void init_state(struct fixture *f)
{
        const struct glibc_layout *l = &f->h.layout;
        for (unsigned i = 1; i < GLIBC_NBINS; i++) {
                uint64_t b = ARENA + (uint64_t)l->ms_bins + 16 * (uint64_t)(i - 1) - 16;
                put(f, ARENA + (uint64_t)l->ms_bins + 16 * (uint64_t)(i - 1), b);
                put(f, ARENA + (uint64_t)l->ms_bins + 16 * (uint64_t)(i - 1) + 8, b);
        }
        put(f, ARENA + (uint64_t)l->ms_top, glibc_arena_state_initial_top(l, ARENA));
}

static void expect(struct fixture *f, enum allocator_state want)
{
        open_core(f);
        assert_int_equal(glibc_arena_state_use(&f->h, &f->h.layout, ARENA), want);
        enum allocator_state use;
        uint64_t found = glibc_shape_unused_main_arena(&f->h, &f->h.layout, &use);
        assert_int_equal(found, want == ALLOCATOR_IN_USE ? 0 : ARENA);
        assert_int_equal(use, want);
        assert_int_equal(f->a.warnings.n, 0);
}

static void test_never_initialised(void **state)
{
        expect(*state, ALLOCATOR_UNINITIALISED);
}

static void test_idle(void **state)
{
        struct fixture *f = *state;
        init_state(f);
        expect(f, ALLOCATOR_IDLE);
}

static void test_in_use(void **state)
{
        struct fixture *f = *state;
        const struct glibc_layout *l = &f->h.layout;
        init_state(f);
        put(f, ARENA + (uint64_t)l->ms_top, 0x555555580000);
        put(f, ARENA + (uint64_t)l->ms_system_mem, 0x21000);
        put(f, ARENA + (uint64_t)l->ms_max_system_mem, 0x21000);
        expect(f, ALLOCATOR_IN_USE);
}

/* One word off the pristine or initialised shape is an arena in use (or damaged): walked, not excused. */
static void test_one_word_off(void **state)
{
        struct fixture *f = *state;
        const struct glibc_layout *l = &f->h.layout;
        put(f, ARENA + (uint64_t)l->ms_bins + 16 * 5, 0x555555580010); /* one bin's fd in a zero arena */
        expect(f, ALLOCATOR_IN_USE);
}

static void test_idle_with_a_fastbin(void **state)
{
        struct fixture *f = *state;
        init_state(f);
        put(f, ARENA + (uint64_t)f->h.layout.ms_fastbins, 0x555555580020);
        expect(f, ALLOCATOR_IN_USE);
}

/* A second arena in the ring: a thread's malloc made it, so glibc is in use. */
static void test_ring_of_two(void **state)
{
        struct fixture *f = *state;
        init_state(f);
        put(f, ARENA + (uint64_t)f->h.layout.ms_next, 0x7effe8000030);
        expect(f, ALLOCATOR_IN_USE);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_never_initialised, setup, teardown),
                cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
                cmocka_unit_test_setup_teardown(test_in_use, setup, teardown),
                cmocka_unit_test_setup_teardown(test_one_word_off, setup, teardown),
                cmocka_unit_test_setup_teardown(test_idle_with_a_fastbin, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ring_of_two, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
