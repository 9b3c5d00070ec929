/* Unit tests for common/proc_status_mem.c with status text from a real system and fixtures. */
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

static const char status_text[] =
        "Name:\tchurn\n"
        "Umask:\t0022\n"
        "State:\tS (sleeping)\n"
        "Tgid:\t1234\n"
        "Ngid:\t0\n"
        "Pid:\t1236\n"
        "PPid:\t1000\n"
        "TracerPid:\t4321\n"
        "Uid:\t1000\t1001\t1002\t1003\n"
        "Gid:\t100\t101\t102\t103\n"
        "VmRSS:\t   49032 kB\n"
        "RssAnon:\t   45000 kB\n"
        "RssFile:\t    4000 kB\n"
        "RssShmem:\t      32 kB\n"
        "Threads:\t5\n"
        "SigQ:\t0/95000\n"
        "SigPnd:\t0000000000000100\n"
        "ShdPnd:\t0000000000000000\n"
        "SigBlk:\t0000000000010002\n"
        "CapEff:\t000001ffffffffff\n"
        "NoNewPrivs:\t1\n"
        "Seccomp:\t2\n"
        "Seccomp_filters:\t1\n";

/* The fields capture reads before it stops a process. */
static void test_capture_fields(void **state)
{
        (void)state;
        struct proc_status_mem st;
        assert_int_equal(proc_status_mem_parse(status_text, strlen(status_text), &st), 0);
        assert_string_equal(st.name, "churn");
        assert_int_equal(st.state, 'S');
        assert_int_equal(st.tgid, 1234);
        assert_int_equal(st.pid, 1236);
        assert_int_equal(st.ppid, 1000);
        assert_int_equal(st.tracer_pid, 4321);
        assert_true(st.have_uid && st.have_gid);
        assert_int_equal(st.uid[0], 1000);
        assert_int_equal(st.uid[2], 1002);
        assert_int_equal(st.gid[1], 101);
        assert_int_equal(st.vm_rss_kb, 49032);
        assert_int_equal(st.rss_anon_kb, 45000);
        assert_int_equal(st.rss_shmem_kb, 32);
        assert_int_equal(st.threads, 5);
        assert_int_equal(st.sig_pnd, 0x100);
        assert_int_equal(st.sig_blk, 0x10002);
        assert_true((st.cap_eff >> PROC_CAP_SYS_PTRACE) & 1);
        assert_int_equal(st.seccomp, 2); /* "Seccomp_filters:" is another key */

        assert_int_equal(st.shd_pnd, 0);

        /* A kernel thread has no Vm lines, no ids here: absent, not zero. */
        static const char kthread[] = "Name:\tkthreadd\nState:\tS (sleeping)\nTgid:\t2\n";
        assert_int_equal(proc_status_mem_parse(kthread, strlen(kthread), &st), 0);
        assert_int_equal(st.vm_rss_kb, -1);
        assert_int_equal(st.tracer_pid, -1);
        assert_false(st.have_uid);
        assert_int_equal(st.cap_eff, 0);

        /* Malformed ids and masks are left out, the rest is read. */
        static const char bad[] = "Uid:\t1000\t1000\nGid:\t1\t2\t3\t4\t5\nSigBlk:\t00000000000000001\n"
                                  "SigPnd:\tzz\nCapEff:\t00000000000000ff\n";
        assert_int_equal(proc_status_mem_parse(bad, strlen(bad), &st), 0);
        assert_false(st.have_uid);
        assert_false(st.have_gid);
        assert_int_equal(st.sig_blk, 0);
        assert_int_equal(st.sig_pnd, 0);
        assert_int_equal(st.cap_eff, 0xff);
}



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
                cmocka_unit_test(test_capture_fields),
                cmocka_unit_test(test_real),
                cmocka_unit_test(test_partial),
                cmocka_unit_test(test_not_status),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
