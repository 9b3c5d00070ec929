/* Unit tests for common/proc_maps.c with maps and smaps text from a real system. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/proc_maps.h"

static const char smaps_fixture[] =
        "55c0a4a00000-55c0a4a01000 r--p 00000000 fe:01 1315039                    /usr/bin/sleep\n"
        "Size:                  4 kB\n"
        "KernelPageSize:        4 kB\n"
        "MMUPageSize:           4 kB\n"
        "Rss:                   4 kB\n"
        "Pss:                   2 kB\n"
        "Shared_Clean:          4 kB\n"
        "Shared_Dirty:          0 kB\n"
        "Private_Clean:         0 kB\n"
        "Private_Dirty:         0 kB\n"
        "Referenced:            4 kB\n"
        "Anonymous:             0 kB\n"
        "Swap:                  0 kB\n"
        "Locked:                0 kB\n"
        "VmFlags: rd mr mw me sd \n"
        "55c0a5a3c000-55c0a5a5d000 rw-p 00000000 00:00 0                          [heap]\n"
        "Size:                132 kB\n"
        "Rss:                   8 kB\n"
        "Pss:                   8 kB\n"
        "Private_Dirty:         8 kB\n"
        "Swap:                 12 kB\n"
        "VmFlags: rd wr mr mw me ac sd \n"
        "7f1f2c000000-7f1f2c021000 rw-p 00000000 00:00 0 \n"
        "Size:                132 kB\n"
        "7f1f30e00000-7f1f30e28000 r--p 00000000 fe:01 1311000                    /tmp/my lib.so (deleted)\n"
        "7ffd5e7f4000-7ffd5e815000 rw-p 00000000 00:00 0                          [stack]\n"
        "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n";

static void test_smaps_parse(void **state)
{
        (void)state;
        struct map_list l = { 0 };
        size_t bad = 0;

        assert_int_equal(proc_maps_parse(smaps_fixture, strlen(smaps_fixture), &l, &bad), 0);
        assert_int_equal(l.n, 6);

        assert_int_equal(l.v[0].start, 0x55c0a4a00000ULL);
        assert_int_equal(l.v[0].end, 0x55c0a4a01000ULL);
        assert_string_equal(l.v[0].perms, "r--p");
        assert_int_equal(l.v[0].inode, 1315039);
        assert_int_equal(l.v[0].dev_major, 0xfe);
        assert_int_equal(l.v[0].dev_minor, 1);
        assert_string_equal(l.v[0].path, "/usr/bin/sleep");
        assert_int_equal(l.v[0].rss_kb, 4);
        assert_int_equal(l.v[0].pss_kb, 2);
        assert_int_equal(l.v[0].shared_clean_kb, 4);
        assert_string_equal(l.v[0].vm_flags, "rd mr mw me sd ");

        assert_string_equal(l.v[1].path, "[heap]");
        assert_int_equal(l.v[1].private_dirty_kb, 8);
        assert_int_equal(l.v[1].swap_kb, 12);
        assert_int_equal(l.v[1].shared_clean_kb, -1);

        assert_null(l.v[2].path);
        assert_int_equal(l.v[2].size_kb, 132);
        assert_int_equal(l.v[2].rss_kb, -1);

        assert_string_equal(l.v[3].path, "/tmp/my lib.so");
        assert_true(l.v[3].deleted);

        assert_int_equal(l.v[5].start, 0xffffffffff600000ULL);
        assert_string_equal(l.v[5].perms, "--xp");

        assert_non_null(map_list_find(&l, 0x55c0a5a3c000ULL));
        assert_ptr_equal(map_list_find(&l, 0x55c0a5a5cfffULL), &l.v[1]);
        assert_null(map_list_find(&l, 0x55c0a5a5d000ULL));
        assert_null(map_list_find(&l, 0));
        map_list_free(&l);
}

static void test_bad_lines(void **state)
{
        (void)state;
        static const char *const bad[] = {
                "1000-0fff r--p 00000000 00:00 0\n",          /* end before start */
                "1000-2000 rxwp 00000000 00:00 0\n",          /* permissions out of order */
                "1000-2000 r--p zz 00:00 0\n",                /* offset not hex */
                "1000-2000 r--p 00000000 00:00\n",            /* no inode */
                "1000-11111111111111111 r--p 0 00:00 0\n",    /* more than 64 bits */
                "1000-2000 r-",                                /* truncated */
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct map_list l = { 0 };
                size_t line = 0;
                assert_int_equal(proc_maps_parse(bad[i], strlen(bad[i]), &l, &line), -EINVAL);
                assert_int_equal(line, 1);
                map_list_free(&l);
        }
        /* A NUL for any one of the permissions (tests/fuzz/fuzz_proc.c found it taken for one). */
        for (size_t i = 0; i < 4; i++) {
                char nul[] = "1000-2000 rw-p 00000000 00:00 0\n";
                struct map_list l = { 0 };
                size_t line = 0;
                nul[10 + i] = '\0';
                assert_int_equal(proc_maps_parse(nul, sizeof(nul) - 1, &l, &line), -EINVAL);
                assert_int_equal(line, 1);
                map_list_free(&l);
        }
}

static void test_empty_and_unterminated(void **state)
{
        (void)state;
        struct map_list l = { 0 };
        assert_int_equal(proc_maps_parse("", 0, &l, NULL), 0);
        assert_int_equal(l.n, 0);

        const char *t = "400000-401000 r-xp 00000000 08:01 42 /bin/x";
        assert_int_equal(proc_maps_parse(t, strlen(t), &l, NULL), 0);
        assert_int_equal(l.n, 1);
        assert_string_equal(l.v[0].path, "/bin/x");
        map_list_free(&l);
}

/* fs/proc/task_mmu.c show_map_vma writes a newline in a path as "\012" and nothing else escaped. */
static void test_newline_in_path(void **state)
{
        (void)state;
        struct map_list l = { 0 };
        const char *t = "400000-401000 r-xp 00000000 08:01 42 /tmp/a\\012b/x\\01 (deleted)\n"
                        "401000-402000 r--p 00001000 08:01 42 /tmp/back\\slash\n";
        assert_int_equal(proc_maps_parse(t, strlen(t), &l, NULL), 0);
        assert_int_equal(l.n, 2);
        assert_string_equal(l.v[0].path, "/tmp/a\nb/x\\01");
        assert_true(l.v[0].deleted);
        assert_string_equal(l.v[1].path, "/tmp/back\\slash");
        map_list_free(&l);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_smaps_parse),
                cmocka_unit_test(test_bad_lines),
                cmocka_unit_test(test_empty_and_unterminated),
                cmocka_unit_test(test_newline_in_path),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
