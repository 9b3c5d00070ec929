/* Unit tests for analyze/reach/reach_index.c: lookups agree with a plain search over synthetic heaps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "analyze/reach/reach.h"

/* The answer by brute force: the used chunk whose user area holds addr. */
static long brute(const struct chunk *c, size_t n, uint64_t addr)
{
        long u = 0;
        for (size_t i = 0; i < n; i++) {
                if (c[i].state != CHUNK_USED)
                        continue;
                uint64_t mem = chunk_mem(&c[i]), end = mem + chunk_usable(&c[i]);
                bool next_free = !c[i].mmapped && i + 1 < n && c[i + 1].state != CHUNK_USED &&
                                 c[i + 1].address == c[i].address + c[i].size;
                if (addr >= mem && addr < end && !(next_free && addr == end - 8))
                        return u;
                u++;
        }
        return -1;
}

static uint64_t rnd(uint64_t *s)
{
        *s ^= *s << 13;
        *s ^= *s >> 7;
        *s ^= *s << 17;
        return *s;
}

/* A main heap of small chunks, a far arena heap, and mmapped chunks in between. */
static struct chunk *make_heap(size_t *n, uint64_t seed)
{
        size_t cap = 20000, k = 0;
        struct chunk *c = calloc(cap, sizeof(*c));
        uint64_t s = seed, addr = 0x555555559000ull;

        for (int i = 0; i < 8000; i++) {
                uint64_t size = 32 + 16 * (rnd(&s) % 40);
                uint8_t state = rnd(&s) % 4 == 0 ? CHUNK_FREE : CHUNK_USED;
                c[k++] = (struct chunk){ .address = addr, .size = size, .state = state };
                addr += size;
        }
        c[k++] = (struct chunk){ .address = addr, .size = 0x20000, .state = CHUNK_TOP };
        addr = 0x7ffff0000000ull;
        for (int i = 0; i < 16; i++) {
                uint64_t size = 0x21000 + 0x1000 * (rnd(&s) % 8);
                c[k++] = (struct chunk){ .address = addr, .size = size, .state = CHUNK_USED, .mmapped = true };
                addr += size + (i % 3 ? 0 : 0x100000);
        }
        addr = 0x7ffff4000000ull + 0x8a0;
        for (int i = 0; i < 6000; i++) {
                uint64_t size = 32 + 16 * (rnd(&s) % 200);
                c[k++] = (struct chunk){ .address = addr, .size = size, .state = rnd(&s) % 5 ? CHUNK_USED : CHUNK_FREE };
                addr += size;
        }
        *n = k;
        return c;
}

static void test_matches_brute_force(void **state)
{
        (void)state;
        size_t n;
        struct chunk *c = make_heap(&n, 88172645463325252ull);
        struct warnings w = { 0 };
        struct reach_index ix;

        assert_int_equal(reach_index_build(&ix, c, n, &w), 0);
        assert_int_equal(w.n, 0);
        assert_true(ix.nspans >= 3);

        uint64_t s = 1234567;
        for (int i = 0; i < 10000; i++) {
                /* Addresses near chunk boundaries, where mistakes live. */
                const struct chunk *at = &c[rnd(&s) % n];
                uint64_t addr = at->address + (rnd(&s) % (at->size + 64)) - 32;
                long got = reach_index_find(&ix, addr);
                long want = brute(c, n, addr);
                if (got != want)
                        fail_msg("addr 0x%llx: index says %ld, brute force %ld", (unsigned long long)addr, got, want);
        }
        assert_int_equal(reach_index_find(&ix, 0), -1);
        assert_int_equal(reach_index_find(&ix, UINT64_MAX), -1);
        assert_int_equal(reach_index_find(&ix, 0x7ffff0000000ull + 0x10000000), -1);
        reach_index_free(&ix);
        warnings_free(&w);
        free(c);
}

static void test_start_and_bounds(void **state)
{
        (void)state;
        struct chunk c[] = {
                { .address = 0x1000, .size = 0x20, .state = CHUNK_USED },
                { .address = 0x1020, .size = 0x30, .state = CHUNK_FREE, .bin = BIN_TCACHE },
                { .address = 0x1050, .size = 0x20, .state = CHUNK_USED },
                { .address = 0x1070, .size = 0x40, .state = CHUNK_USED },
                { .address = 0x10b0, .size = 0x1000, .state = CHUNK_TOP },
        };
        struct warnings w = { 0 };
        struct reach_index ix;

        assert_int_equal(reach_index_build(&ix, c, 5, &w), 0);
        assert_int_equal(ix.n, 3);
        assert_int_equal(reach_index_find(&ix, 0x1010), 0);       /* mem of the first */
        assert_int_equal(reach_index_find(&ix, 0x101f), 0);
        assert_int_equal(reach_index_find(&ix, 0x1020), -1);      /* the free chunk's header: bookkeeping */
        assert_int_equal(reach_index_find(&ix, 0x1030), -1);      /* a tcache entry points at a free mem */
        assert_int_equal(reach_index_find(&ix, 0x1060), 1);
        assert_int_equal(reach_index_find(&ix, 0x1070), 1);       /* next is used: its prev_size is ours */
        assert_int_equal(reach_index_find(&ix, 0x1078), -1);      /* its size field is not */
        assert_int_equal(reach_index_find(&ix, 0x10a8), 2);
        assert_int_equal(reach_index_find(&ix, 0x10b0), -1);      /* top's header: main_arena.top */
        assert_int_equal(reach_index_find(&ix, 0x10c0), -1);      /* inside top */
        assert_int_equal(ix.area[2].chunk, 3);
        reach_index_free(&ix);
        warnings_free(&w);
}

static void test_overlap_is_refused(void **state)
{
        (void)state;
        struct chunk c[] = {
                { .address = 0x1000, .size = 0x40, .state = CHUNK_USED },
                { .address = 0x1020, .size = 0x40, .state = CHUNK_USED }, /* overlaps the first */
                { .address = 0x1080, .size = 0x20, .state = CHUNK_USED },
                { .address = 0x2000, .size = 0x8, .state = CHUNK_USED },  /* smaller than a header */
                { .address = UINT64_MAX - 8, .size = 0x40, .state = CHUNK_USED }, /* wraps */
        };
        struct warnings w = { 0 };
        struct reach_index ix;

        assert_int_equal(reach_index_build(&ix, c, 5, &w), 0);
        assert_int_equal(ix.n, 2);
        assert_int_equal(w.n, 1);
        assert_int_equal(reach_index_find(&ix, 0x1090), 1);
        assert_int_equal(reach_index_find(&ix, UINT64_MAX - 4), -1);
        reach_index_free(&ix);
        warnings_free(&w);
}

static void test_empty(void **state)
{
        (void)state;
        struct warnings w = { 0 };
        struct reach_index ix;
        struct chunk c = { .address = 0x1000, .size = 0x1000, .state = CHUNK_TOP };

        assert_int_equal(reach_index_build(&ix, &c, 1, &w), 0);
        assert_int_equal(reach_index_find(&ix, 0), -1);
        assert_int_equal(reach_index_find(&ix, 0x1010), -1);
        reach_index_free(&ix);
        warnings_free(&w);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_matches_brute_force),
                cmocka_unit_test(test_start_and_bounds),
                cmocka_unit_test(test_overlap_is_refused),
                cmocka_unit_test(test_empty),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
