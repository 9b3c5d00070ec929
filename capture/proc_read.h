/*
 * Reading /proc/PID files whole, and the few fields of `status` and `stat`
 * that capture needs (who traces the process, its credentials, signal
 * masks, CPU times).  The readers take a directory fd so that every file
 * comes from the same /proc/PID the capture opened; the parsers take text
 * and touch nothing else, so unit tests feed them fixtures.
 */
#ifndef MEMSNAP_PROC_READ_H
#define MEMSNAP_PROC_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bounds for files read whole: smaps of a process with millions of mappings fits. */
#define PROC_FILE_MAX (1ull << 32)

/*
 * Reads dirfd/name to its end into a NUL-terminated buffer (*len excludes
 * the NUL).  /proc files report size 0, so the buffer grows as it fills.
 * Returns -errno without logging: callers know what the file meant.
 */
int proc_read_at(int dirfd, const char *name, char **out, size_t *len);

/* Fields of /proc/PID/status (or /proc/PID/task/TID/status); -1 or 0 when absent. */
struct proc_status {
        char name[64];        /* "Name:", escaped as the kernel prints it */
        char state;           /* first letter of "State:" */
        pid_t tgid, pid, ppid, tracer_pid;
        uid_t uid[4];         /* real, effective, saved, filesystem */
        gid_t gid[4];
        bool have_uid, have_gid;
        uint64_t sig_pnd;     /* thread-directed pending signals (SigPnd) */
        uint64_t shd_pnd;     /* process-wide pending signals (ShdPnd) */
        uint64_t sig_blk;     /* blocked signals (SigBlk) */
        uint64_t cap_eff;     /* effective capabilities (CapEff) */
        int64_t vm_rss_kb;    /* VmRSS, -1 when absent (kernel threads) */
        int64_t rss_anon_kb;  /* RssAnon, -1 when absent */
        int64_t rss_shmem_kb; /* RssShmem, -1 when absent */
        int threads;          /* "Threads:" */
};

int proc_status_parse(const char *text, size_t len, struct proc_status *st);

/* Fields of /proc/PID/stat; times in clock ticks (sysconf(_SC_CLK_TCK)). */
struct proc_stat {
        char comm[64];
        char state;
        pid_t ppid, pgrp, session;
        uint64_t flags;       /* task flags (PF_*) */
        uint64_t utime, stime, cutime, cstime;
        int64_t nice;
};

/* Parses "pid (comm) state ppid ..."; comm may hold spaces and parentheses. */
int proc_stat_parse(const char *text, size_t len, struct proc_stat *st);

/* PF_KTHREAD from the kernel's include/linux/sched.h */
#define PROC_PF_KTHREAD 0x00200000u

/* CAP_SYS_PTRACE from include/uapi/linux/capability.h */
#define PROC_CAP_SYS_PTRACE 19

#endif
