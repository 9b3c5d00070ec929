/*
 * The one parser of /proc/PID/status (see proc(5)): the memory figures top
 * and ps show (VmRSS, VmData, ...), the identity fields around them, and
 * what capture needs before it stops a process (credentials, tracer,
 * capabilities, signal masks).  Analyze parses it from the MEMSNAP status
 * note, capture from /proc, unit tests from fixtures: the parser takes a
 * buffer and touches nothing else.
 */
#ifndef MEMSNAP_PROC_STATUS_MEM_H
#define MEMSNAP_PROC_STATUS_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* fs/proc/array.c prints the task's comm, at most TASK_COMM_LEN (16) bytes, escaped. */
#define PROC_STATUS_MEM_NAME_MAX 64

struct proc_status_mem {
        char name[PROC_STATUS_MEM_NAME_MAX]; /* "Name:" as printed (escapes kept), "" when absent */
        char state;                      /* 'R', 'S', ... or 0 */
        int64_t tgid, pid, ppid, tracer_pid, threads; /* -1 when absent */
        int64_t seccomp;                 /* "Seccomp:" 0 none, 1 strict, 2 filter; -1 when absent */

        /* Figures in KiB, as fs/proc/task_mmu.c task_mem() prints them; -1 when absent. */
        int64_t vm_peak_kb, vm_size_kb, vm_lck_kb, vm_pin_kb, vm_hwm_kb, vm_rss_kb;
        int64_t rss_anon_kb, rss_file_kb, rss_shmem_kb;
        int64_t vm_data_kb, vm_stk_kb, vm_exe_kb, vm_lib_kb, vm_pte_kb, vm_swap_kb;

        /* "Uid:" and "Gid:": real, effective, saved, filesystem; have_* false when absent. */
        uint32_t uid[4], gid[4];
        bool have_uid, have_gid;
        /* Masks, 0 when absent: thread and process pending signals, blocked ones, effective capabilities. */
        uint64_t sig_pnd, shd_pnd, sig_blk, cap_eff;
};

/* CAP_SYS_PTRACE from include/uapi/linux/capability.h, a bit of cap_eff */
#define PROC_CAP_SYS_PTRACE 19

/*
 * Parses `len` bytes of status text into *out.  Lines it does not know are
 * skipped, as are known lines whose value does not parse (that field stays
 * -1).  Returns 0, or -EINVAL when not one known line was found: the text
 * is not /proc/PID/status.
 */
int proc_status_mem_parse(const char *text, size_t len, struct proc_status_mem *out);

#endif
