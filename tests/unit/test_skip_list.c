/* Unit tests for capture/skip_list.c: merging (as added and when formatted), totals, and the note's text. */
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

        /*
         * One unreadable range reported in pieces by two copying threads,
         * interleaved: one line, as from one thread.  A gap, another
         * reason or another detail still separates.
         */
        const char *efault = "present but not readable: Bad address";
        assert_int_equal(skip_list_add(&l, 0x1000, 0x2000, SKIP_VVAR, "%s", ""), 0);
        assert_int_equal(skip_list_add(&l, 0x30000, 0x40000, SKIP_UNREADABLE, "%s", efault), 0);
        assert_int_equal(skip_list_add(&l, 0x10000, 0x20000, SKIP_UNREADABLE, "%s", efault), 0);
        assert_int_equal(skip_list_add(&l, 0x40000, 0x48000, SKIP_UNREADABLE, "%s", efault), 0);
        assert_int_equal(skip_list_add(&l, 0x20000, 0x30000, SKIP_UNREADABLE, "%s", efault), 0);
        assert_int_equal(skip_list_add(&l, 0x49000, 0x4a000, SKIP_UNREADABLE, "%s", efault), 0);
        assert_int_equal(skip_list_add(&l, 0x4a000, 0x4b000, SKIP_UNREADABLE, "%s", "other"), 0);
        assert_int_equal(skip_list_add(&l, 0x2000, 0x10000, SKIP_GUARD, "%s", ""), 0);
        assert_int_equal(l.n, 8);
        assert_int_equal(skip_list_bytes(&l, SKIP_UNREADABLE), 0x3a000);
        assert_int_equal(skip_list_format(&l, &text, &len), 0);
        assert_string_equal(text, "1000-2000\tvvar\t\n"
                                  "2000-10000\tguard\t\n"
                                  "10000-48000\tunreadable\tpresent but not readable: Bad address\n"
                                  "49000-4a000\tunreadable\tpresent but not readable: Bad address\n"
                                  "4a000-4b000\tunreadable\tother\n");
        assert_int_equal(l.n, 5);
        assert_int_equal(skip_list_bytes(&l, SKIP_UNREADABLE), 0x3a000);
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
