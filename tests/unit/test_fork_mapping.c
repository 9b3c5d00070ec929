/* Unit tests for capture/fork_mapping.c: which mappings the fork child holds as they were. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/fork_mapping.h"

static struct map_entry entry(const char *perms, const char *path, const char *flags)
{
        struct map_entry e = { .start = 0x1000, .end = 0x2000, .path = (char *)path, .vm_flags = (char *)flags };
        memcpy(e.perms, perms, 4);
        return e;
}

static void test_in_child(void **state)
{
        struct map_entry heap = entry("rw-p", "[heap]", "rd wr mr mw me ac");
        struct map_entry anon = entry("rw-p", NULL, "rd wr mr mw me ac");
        struct map_entry text = entry("r-xp", "/usr/lib/libc.so.6", "rd ex mr mw me");
        struct map_entry stack = entry("rw-p", "[stack]", "rd wr mr mw me gd ac");
        struct map_entry named = entry("rw-p", "[anon:arena]", "rd wr mr mw me ac");
        assert_true(fork_mapping_in_child(&heap));
        assert_true(fork_mapping_in_child(&anon));
        assert_true(fork_mapping_in_child(&text));
        assert_true(fork_mapping_in_child(&stack));
        assert_true(fork_mapping_in_child(&named));
}

static void test_not_in_child(void **state)
{
        struct map_entry shared = entry("rw-s", "/dev/shm/x", "rd wr sh mr mw me ms");
        struct map_entry dontfork = entry("rw-p", NULL, "rd wr mr mw me dc ac");
        struct map_entry wipe = entry("rw-p", NULL, "rd wr mr mw me ac wf");
        struct map_entry huge = entry("rw-p", "/anon_hugepage (deleted)", "rd wr mr mw me de ht");
        struct map_entry pfn = entry("rw-p", "/dev/mem", "rd wr mr mw me pf io");
        struct map_entry vdso = entry("r-xp", "[vdso]", "rd ex mr mw me de");
        assert_false(fork_mapping_in_child(&shared));
        assert_false(fork_mapping_in_child(&dontfork));
        assert_false(fork_mapping_in_child(&wipe));
        assert_false(fork_mapping_in_child(&huge));
        assert_false(fork_mapping_in_child(&pfn));
        assert_false(fork_mapping_in_child(&vdso));
}

static void test_has_flag(void **state)
{
        struct map_entry e = entry("rw-p", NULL, "rd wr mr mw me dc ac");
        struct map_entry none = entry("rw-p", NULL, NULL);
        assert_true(map_entry_has_vm_flag(&e, "dc"));
        assert_true(map_entry_has_vm_flag(&e, "rd"));
        assert_true(map_entry_has_vm_flag(&e, "ac"));
        assert_false(map_entry_has_vm_flag(&e, "d"));
        assert_false(map_entry_has_vm_flag(&e, "wf"));
        assert_false(map_entry_has_vm_flag(&none, "dc"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_in_child),
                cmocka_unit_test(test_not_in_child),
                cmocka_unit_test(test_has_flag),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
