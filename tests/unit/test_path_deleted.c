/* Unit tests for common/path_deleted.c: the kernel's " (deleted)" taken off a path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/path_deleted.h"

static size_t strip(const char *p, bool *deleted) { return path_deleted_strip(p, strlen(p), deleted); }

static void test_strip(void **state)
{
        (void)state;
        bool d;
        assert_int_equal(strip("/usr/lib/libx.so (deleted)", &d), strlen("/usr/lib/libx.so"));
        assert_true(d);
        assert_int_equal(strip("/memfd:ring (deleted)", &d), strlen("/memfd:ring"));
        assert_true(d);
        assert_int_equal(strip("/usr/lib/libx.so", &d), strlen("/usr/lib/libx.so"));
        assert_false(d);
        /* only at the end, only once, and not a path that is nothing else */
        assert_int_equal(strip("/a (deleted)/b", &d), strlen("/a (deleted)/b"));
        assert_false(d);
        assert_int_equal(strip("/a (deleted) (deleted)", &d), strlen("/a (deleted)"));
        assert_true(d);
        assert_int_equal(strip(" (deleted)", &d), strlen(" (deleted)"));
        assert_false(d);
        assert_int_equal(strip("", &d), 0);
        assert_false(d);
        /* the length given, not the NUL, bounds it */
        assert_int_equal(path_deleted_strip("/x (deleted)tail", 12, &d), 2);
        assert_true(d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_strip),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
