/* Unit tests for capture/fork_refuse.c: the worst case of the copies, and the refusals of a stopped process. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "capture/fork_refuse.h"

static struct map_entry entry(const char *perms, const char *path, const char *flags, int64_t rss_kb)
{
        struct map_entry e = { .start = 0x1000, .end = 0x100000, .path = (char *)path, .vm_flags = (char *)flags,
                               .rss_kb = rss_kb };
        memcpy(e.perms, perms, 4);
        return e;
}

static void test_worst_bytes(void **state)
{
        struct map_entry v[] = {
                entry("rw-p", "[heap]", "rd wr mr mw me ac", 100),        /* copied when written */
                entry("r-xp", "/usr/lib/libc.so.6", "rd ex mr mw me", 900), /* never written */
                entry("rw-s", "/dev/shm/x", "rd wr sh mr mw me ms", 50),    /* shared: no copy */
                entry("rw-p", NULL, "rd wr mr mw me dc ac", 70),            /* not in the child */
                entry("rw-p", NULL, "rd wr mr mw me ac", 20),
                entry("rw-p", NULL, "rd wr mr mw me ac", -1),               /* no smaps figure */
        };
        struct map_list maps = { v, sizeof(v) / sizeof(v[0]), 0 };
        assert_int_equal(fork_refuse_copy_worst_bytes(&maps, 8), (100 + 20 + 8) * 1024);
        assert_int_equal(fork_refuse_copy_worst_bytes(&maps, -1), (100 + 20) * 1024);
}

static void test_refuse_stopped(void **state)
{
        struct map_entry v[] = {
                entry("rw-p", "[heap]", "rd wr mr mw me ac", 4),
                entry("rw-p", NULL, "rd wr mr mw me ac um", 4),
        };
        struct map_list maps = { v, 1, 0 };
        struct target_thread th[2] = { { .tid = 10 }, { .tid = 11 } };
        struct target_info ti = { .pid = 10, .threads = th, .nthreads = 2 };
        ti.proc_status.vm_pte_kb = 4;
        char why[512] = "";

        th[0].status.seccomp = 0;
        th[1].status.seccomp = 2;
        assert_true(fork_refuse_stopped(&ti, &maps, why, sizeof(why)));
        assert_non_null(strstr(why, "thread 11 runs under seccomp (a filter)"));
        th[1].status.seccomp = 1;
        assert_true(fork_refuse_stopped(&ti, &maps, why, sizeof(why)));
        assert_non_null(strstr(why, "strict mode"));
        th[1].status.seccomp = 0;
        maps.n = 2;
        assert_true(fork_refuse_stopped(&ti, &maps, why, sizeof(why)));
        assert_non_null(strstr(why, "userfaultfd"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_worst_bytes),
                cmocka_unit_test(test_refuse_stopped),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
