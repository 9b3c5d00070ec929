/* Unit tests for capture/target_check.c: the pid argument, and the checks on real processes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/target_check.h"

static void test_parse(void **state)
{
        (void)state;
        pid_t p;
        assert_int_equal(proc_parse_pid("1234", &p), 0);
        assert_int_equal(p, 1234);
        assert_int_equal(proc_parse_pid("0", &p), -EINVAL);
        assert_int_equal(proc_parse_pid("-5", &p), -EINVAL);
        assert_int_equal(proc_parse_pid("12x", &p), -EINVAL);
        assert_int_equal(proc_parse_pid("", &p), -EINVAL);
        assert_int_equal(proc_parse_pid("99999999999", &p), -EINVAL);
}

static void test_checks(void **state)
{
        (void)state;
        struct target_check t = TARGET_CHECK_INIT;
        /* memsnap cannot stop itself. */
        assert_int_equal(target_check(&t, getpid()), -EINVAL);
        target_check_close(&t);
        /* The parent is a process we could stop: the checks pass. */
        t = (struct target_check)TARGET_CHECK_INIT;
        assert_int_equal(target_check(&t, getppid()), 0);
        assert_int_equal(t.pid, getppid());
        assert_true(t.proc_fd >= 0);
        target_check_close(&t);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse),
                cmocka_unit_test(test_checks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
