/* Unit tests for capture/target_check.c: the checks on real processes. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/target_check.h"

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
                cmocka_unit_test(test_checks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
