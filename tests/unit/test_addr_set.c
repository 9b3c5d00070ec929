/* Unit tests for analyze/glibc/addr_set.c: membership, duplicates, growth, and the keys at the edges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analyze/glibc/addr_set.h"

static void test_add_and_contains(void **state)
{
        (void)state;
        struct addr_set s = { 0 };
        assert_false(addr_set_contains(&s, 0x1000));
        assert_int_equal(addr_set_add(&s, 0x1000), 1);
        assert_int_equal(addr_set_add(&s, 0x1000), 0);
        assert_true(addr_set_contains(&s, 0x1000));
        assert_false(addr_set_contains(&s, 0x1010));
        assert_int_equal(s.n, 1);
        addr_set_free(&s);
        assert_false(addr_set_contains(&s, 0x1000));
}

static void test_edge_keys(void **state)
{
        (void)state;
        struct addr_set s = { 0 };
        assert_false(addr_set_contains(&s, 0));
        assert_false(addr_set_contains(&s, UINT64_MAX));
        assert_int_equal(addr_set_add(&s, 0), 1);
        assert_int_equal(addr_set_add(&s, UINT64_MAX), 1);
        assert_int_equal(addr_set_add(&s, UINT64_MAX), 0);
        assert_true(addr_set_contains(&s, 0));
        assert_true(addr_set_contains(&s, UINT64_MAX));
        assert_false(addr_set_contains(&s, UINT64_MAX - 1));
        addr_set_free(&s);
}

/* Heap addresses: 64 MiB apart (heap_info), so the low bits say nothing; the table must still spread them. */
static void test_many(void **state)
{
        (void)state;
        struct addr_set s = { 0 };
        const uint64_t n = 200000, step = 64ull << 20;
        for (uint64_t i = 0; i < n; i++)
                assert_int_equal(addr_set_add(&s, 0x7f0000000000ull + i * step), 1);
        assert_int_equal(s.n, n);
        assert_true(s.cap >= 2 * n);
        for (uint64_t i = 0; i < n; i++) {
                assert_true(addr_set_contains(&s, 0x7f0000000000ull + i * step));
                assert_false(addr_set_contains(&s, 0x7f0000000000ull + i * step + 16));
        }
        assert_int_equal(addr_set_add(&s, 0x7f0000000000ull + 7 * step), 0);
        addr_set_free(&s);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_add_and_contains),
                cmocka_unit_test(test_edge_keys),
                cmocka_unit_test(test_many),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
