/* Unit tests for capture/own_vdso.c: memsnap's [vdso] is where the kernel's auxv says. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

#include <cmocka.h>

#include "capture/own_vdso.h"

static void test_find(void **state)
{
        (void)state;
        const uint8_t *start;
        size_t len;
        own_vdso_find(&start, &len);

        /* The kernel says where it put the vDSO in AT_SYSINFO_EHDR; it is an ELF image of whole pages. */
        uintptr_t ehdr = (uintptr_t)getauxval(AT_SYSINFO_EHDR);
        assert_true(ehdr != 0);
        assert_ptr_equal(start, (const uint8_t *)ehdr);
        assert_true(len > 0 && len % (size_t)sysconf(_SC_PAGESIZE) == 0);
        assert_memory_equal(start, ELFMAG, SELFMAG);
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_find) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
