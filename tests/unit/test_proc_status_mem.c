/* Unit tests for common/proc_status_mem.c with status text from a real system. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "common/proc_status_mem.h"

/* /proc/PID/status of churn on Linux 6.18, verbatim (Groups and below trimmed). */
static const char status_fixture[] =
        "Name:\tchurn\n"
        "Umask:\t0022\n"
        "State:\tS (sleeping)\n"
        "Tgid:\t7851\n"
        "Ngid:\t0\n"
        "Pid:\t7851\n"
        "PPid:\t7845\n"
        "TracerPid:\t0\n"
        "Uid:\t0\t0\t0\t0\n"
        "Gid:\t0\t0\t0\t0\n"
        "FDSize:\t64\n"
        "Groups:\t0 \n"
        "NStgid:\t7851\n"
        "NSpid:\t7851\n"
        "NSpgid:\t7845\n"
        "NSsid:\t5946\n"
        "Kthread:\t0\n"
        "VmPeak:\t  788052 kB\n"
        "VmSize:\t  638040 kB\n"
        "VmLck:\t       0 kB\n"
        "VmPin:\t       0 kB\n"
        "VmHWM:\t  452864 kB\n"
        "VmRSS:\t  383216 kB\n"
        "RssAnon:\t  381828 kB\n"
        "RssFile:\t    1388 kB\n"
        "RssShmem:\t       0 kB\n"
        "VmData:\t  481876 kB\n"
        "VmStk:\t     132 kB\n"
        "VmExe:\t       4 kB\n"
        "VmLib:\t    1528 kB\n"
        "VmPTE:\t    1524 kB\n"
        "VmSwap:\t       0 kB\n"
        "HugetlbPages:\t       0 kB\n"
        "CoreDumping:\t0\n"
        "THP_enabled:\t1\n"
        "untag_mask:\t0xffffffffffffffff\n"
        "Threads:\t5\n"
        "SigQ:\t0/95880\n";

static void test_real(void **state)
{
        (void)state;
        struct proc_status_mem s;

        assert_int_equal(proc_status_mem_parse(status_fixture, strlen(status_fixture), &s), 0);
        assert_string_equal(s.name, "churn");
        assert_int_equal(s.state, 'S');
        assert_int_equal(s.tgid, 7851);
        assert_int_equal(s.pid, 7851);
        assert_int_equal(s.ppid, 7845);
        assert_int_equal(s.tracer_pid, 0);
        assert_int_equal(s.threads, 5);
        assert_int_equal(s.vm_peak_kb, 788052);
        assert_int_equal(s.vm_size_kb, 638040);
        assert_int_equal(s.vm_lck_kb, 0);
        assert_int_equal(s.vm_pin_kb, 0);
        assert_int_equal(s.vm_hwm_kb, 452864);
        assert_int_equal(s.vm_rss_kb, 383216);
        assert_int_equal(s.rss_anon_kb, 381828);
        assert_int_equal(s.rss_file_kb, 1388);
        assert_int_equal(s.rss_shmem_kb, 0);
        assert_int_equal(s.vm_data_kb, 481876);
        assert_int_equal(s.vm_stk_kb, 132);
        assert_int_equal(s.vm_exe_kb, 4);
        assert_int_equal(s.vm_lib_kb, 1528);
        assert_int_equal(s.vm_pte_kb, 1524);
        assert_int_equal(s.vm_swap_kb, 0);
}

/* A kernel thread has no Vm lines; a name may hold spaces; garbage values stay unknown. */
static void test_partial(void **state)
{
        (void)state;
        struct proc_status_mem s;
        static const char text[] = "Name:\tkworker/0:1 my name\nState:\tI (idle)\nPid:\t12\nVmRSS:\t12 MB\n"
                                   "VmData:\t-5 kB\nVmStk:\t 9999999999999999999999 kB\nVmExe:\t8 kB trailing\n";

        assert_int_equal(proc_status_mem_parse(text, strlen(text), &s), 0);
        assert_string_equal(s.name, "kworker/0:1 my name");
        assert_int_equal(s.state, 'I');
        assert_int_equal(s.pid, 12);
        assert_int_equal(s.ppid, -1);
        assert_int_equal(s.vm_rss_kb, -1);
        assert_int_equal(s.vm_data_kb, -1);
        assert_int_equal(s.vm_stk_kb, -1);
        assert_int_equal(s.vm_exe_kb, -1);
        assert_int_equal(s.vm_size_kb, -1);
}

static void test_not_status(void **state)
{
        (void)state;
        struct proc_status_mem s;
        static const char maps[] = "55c0a4a00000-55c0a4a01000 r--p 00000000 fe:01 1315039 /usr/bin/sleep\n";
        static const char nul[] = "VmRSS:\t1\0 kB\n";

        assert_int_equal(proc_status_mem_parse(maps, strlen(maps), &s), -EINVAL);
        assert_int_equal(proc_status_mem_parse("", 0, &s), -EINVAL);
        /* No newline at the end, a NUL inside: still bounded by len. */
        assert_int_equal(proc_status_mem_parse("VmRSS:\t  10 kB", 14, &s), 0);
        assert_int_equal(s.vm_rss_kb, 10);
        assert_int_equal(proc_status_mem_parse(nul, sizeof(nul) - 1, &s), 0);
        assert_int_equal(s.vm_rss_kb, -1);
        /* A name longer than the buffer is cut, not overrun. */
        char big[200] = "Name:\t";
        memset(big + 6, 'n', 150);
        assert_int_equal(proc_status_mem_parse(big, strlen(big), &s), 0);
        assert_int_equal(strlen(s.name), PROC_STATUS_MEM_NAME_MAX - 1);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_real),
                cmocka_unit_test(test_partial),
                cmocka_unit_test(test_not_status),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
