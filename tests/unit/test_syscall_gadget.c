/* Unit tests for capture/syscall_gadget.c: finding the bytes 0f 05. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "capture/syscall_gadget.h"

static void test_scan(void **state)
{
        /* mov eax, 0xe4; syscall; ret: a vDSO fallback's shape */
        const uint8_t fallback[] = { 0xb8, 0xe4, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xc3 };
        const uint8_t none[] = { 0x0f, 0x0f, 0x04, 0x05, 0x0f };
        const uint8_t last[] = { 0x90, 0x0f, 0x05 };
        assert_int_equal(syscall_gadget_scan(fallback, sizeof(fallback)), 5);
        assert_int_equal(syscall_gadget_scan(none, sizeof(none)), SIZE_MAX);
        assert_int_equal(syscall_gadget_scan(last, sizeof(last)), 1);
        /* a 0f at the very end has no 05 after it in the buffer */
        assert_int_equal(syscall_gadget_scan(last, 2), SIZE_MAX);
        assert_int_equal(syscall_gadget_scan(last, 0), SIZE_MAX);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_scan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
