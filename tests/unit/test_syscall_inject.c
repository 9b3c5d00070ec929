/* Unit tests for capture/syscall_inject.c: the system calls a thread may not be injected in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/syscall.h>

#include <cmocka.h>

#include "capture/syscall_inject.h"

static void test_mask_safe(void **state)
{
        assert_true(syscall_inject_mask_safe(-1));
        assert_true(syscall_inject_mask_safe(SYS_read));
        assert_true(syscall_inject_mask_safe(SYS_futex));
        assert_true(syscall_inject_mask_safe(SYS_epoll_wait));
        assert_true(syscall_inject_mask_safe(SYS_nanosleep));
        /* set_user_sigmask and TIF_RESTORE_SIGMASK */
        assert_false(syscall_inject_mask_safe(SYS_ppoll));
        assert_false(syscall_inject_mask_safe(SYS_pselect6));
        assert_false(syscall_inject_mask_safe(SYS_epoll_pwait));
        assert_false(syscall_inject_mask_safe(SYS_epoll_pwait2));
        assert_false(syscall_inject_mask_safe(SYS_rt_sigsuspend));
        assert_false(syscall_inject_mask_safe(SYS_io_pgetevents));
        assert_false(syscall_inject_mask_safe(SYS_io_uring_enter));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mask_safe),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
