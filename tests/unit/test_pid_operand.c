/* Unit tests for capture/pid_operand.c: none, two, a mistyped number, a number out of range, one, and one after the options. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

#include "capture/pid_operand.h"

static void test_pid_operand(void **state)
{
        char cmd[] = "capture", one[] = "77", two[] = "78", bad[] = "7x";
        char *none_argv[] = { cmd, NULL }, *one_argv[] = { cmd, one, NULL };
        char *two_argv[] = { cmd, one, two, NULL }, *bad_argv[] = { cmd, bad, NULL };
        char name[] = "memsnap-t-none";
        char *name_argv[] = { cmd, name, NULL };
        pid_t p = 0;

        assert_int_equal(pid_operand_parse("capture", 1, none_argv, 1, &p), -EINVAL);
        assert_int_equal(pid_operand_parse("capture", 3, two_argv, 1, &p), -EINVAL);
        /* "7x" a mistyped number, "0" one out of range */
        assert_int_equal(pid_operand_parse("capture", 2, bad_argv, 1, &p), -EINVAL);
        char zero[] = "0";
        char *zero_argv[] = { cmd, zero, NULL };
        assert_int_equal(pid_operand_parse("capture", 2, zero_argv, 1, &p), -EINVAL);
        assert_int_equal(pid_operand_parse("capture", 2, name_argv, 1, &p), -ESRCH);
        assert_int_equal(p, 0);
        assert_int_equal(pid_operand_parse("capture", 2, one_argv, 1, &p), 0);
        assert_int_equal(p, 77);
        /* the operand after the options: optind past them */
        assert_int_equal(pid_operand_parse("capture", 3, two_argv, 2, &p), 0);
        assert_int_equal(p, 78);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_pid_operand),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
