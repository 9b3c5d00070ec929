/* Unit tests for capture/skip_list.c: merging, totals, and the note's text. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "capture/skip_list.h"

static void test_skip_list(void **state)
{
        (void)state;
        struct skip_list l = { 0 };
        assert_int_equal(skip_list_add(&l, 0x3000, 0x4000, SKIP_SWAPPED, "swapped"), 0);
        /* Continues it: merged. */
        assert_int_equal(skip_list_add(&l, 0x4000, 0x6000, SKIP_SWAPPED, "swapped"), 0);
        /* Same reason, another detail: kept apart. */
        assert_int_equal(skip_list_add(&l, 0x6000, 0x7000, SKIP_SWAPPED, "other"), 0);
        /* Empty ranges are dropped. */
        assert_int_equal(skip_list_add(&l, 0x9000, 0x9000, SKIP_GUARD, "x"), 0);
        /* Out of order, with characters the line format cannot hold. */
        assert_int_equal(skip_list_add(&l, 0x1000, 0x2000, SKIP_ON_DISK, "/a\tb\\c\nd"), 0);
        assert_int_equal(l.n, 3);
        assert_int_equal(skip_list_bytes(&l, SKIP_SWAPPED), 0x4000);
        assert_int_equal(skip_list_bytes(&l, SKIP_GUARD), 0);

        char *text;
        size_t len;
        assert_int_equal(skip_list_format(&l, &text, &len), 0);
        assert_string_equal(text, "1000-2000\ton-disk\t/a\\tb\\\\c\\nd\n"
                                  "3000-6000\tswapped\tswapped\n"
                                  "6000-7000\tswapped\tother\n");
        assert_int_equal(len, strlen(text));
        free(text);
        skip_list_free(&l);

        for (int r = 0; r < SKIP_REASON_COUNT; r++)
                assert_string_not_equal(skip_reason_name((enum skip_reason)r), "unknown");
        assert_string_equal(skip_reason_name(SKIP_REASON_COUNT), "unknown");
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_skip_list) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
