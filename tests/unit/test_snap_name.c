/* Unit tests for snap/snap_name.c: the name escaped, the pid, the UTC stamp. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "snap/snap_name.h"

static void test_format(void **state)
{
        (void)state;
        char out[SNAP_NAME_MAX];

        /* 1765049400: 2025-12-06 19:30:00 UTC (date -u -d @1765049400) */
        snap_name_format(out, "myserver", 1234, 1765049400);
        assert_string_equal(out, "myserver.1234.20251206T193000Z");
        snap_name_format(out, "a b/c", 7, 0);
        assert_string_equal(out, "a_b_c.7.19700101T000000Z");
        snap_name_format(out, ".hidden", 7, 0);
        assert_string_equal(out, "_hidden.7.19700101T000000Z");
        snap_name_format(out, "", 7, 0);
        assert_string_equal(out, "_.7.19700101T000000Z");
        snap_name_format(out, "kworker/0:1-ev", 12, 86399);
        assert_string_equal(out, "kworker_0_1-ev.12.19700101T235959Z");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_format),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
