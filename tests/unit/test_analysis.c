/* Unit tests for analyze/analysis.c: segments found by address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "analyze/analysis.h"

static void test_segment_index_from(void **state)
{
        (void)state;
        /* Sorted and disjoint, with a hole between the second and the third. */
        const struct segment v[] = {
                { .start = 0x1000, .end = 0x2000 },
                { .start = 0x2000, .end = 0x4000 },
                { .start = 0x8000, .end = 0x9000 },
        };

        assert_int_equal(segment_index_from(v, 3, 0), 0);       /* below all: the first */
        assert_int_equal(segment_index_from(v, 3, 0x1fff), 0);
        assert_int_equal(segment_index_from(v, 3, 0x2000), 1);  /* an end belongs to the next */
        assert_int_equal(segment_index_from(v, 3, 0x4000), 2);  /* in the hole: the next above */
        assert_int_equal(segment_index_from(v, 3, 0x8fff), 2);
        assert_int_equal(segment_index_from(v, 3, 0x9000), 3);  /* above all: n */
        assert_int_equal(segment_index_from(v, 2, 0x4000), 2);  /* only the first n count */
        assert_int_equal(segment_index_from(v, 0, 0), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_segment_index_from),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
