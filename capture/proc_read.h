/*
 * Reading /proc/PID files whole, and the few fields of `stat` that capture
 * needs (state, parent, flags, CPU times); `status` is parsed by
 * common/proc_status_mem.h, included here for capture's callers.  The
 * reader takes a directory fd so that every file comes from the same
 * /proc/PID the capture opened; the parser takes text and touches nothing
 * else, so unit tests feed it fixtures.
 */
#ifndef MEMSNAP_PROC_READ_H
#define MEMSNAP_PROC_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/proc_status_mem.h"

/* Bounds for files read whole: smaps of a process with millions of mappings fits. */
#define PROC_FILE_MAX (1ull << 32)

/*
 * Reads dirfd/name to its end into a NUL-terminated buffer (*len excludes
 * the NUL).  /proc files report size 0, so the buffer grows as it fills.
 * Returns -errno without logging: callers know what the file meant.
 */
int proc_read_at(int dirfd, const char *name, char **out, size_t *len);

#define PROC_PID_MAX_LIMIT 0x400000 /* include/linux/threads.h: PID_MAX_LIMIT on 64-bit */

/* Parses a process id argument: a decimal number from 1 to PROC_PID_MAX_LIMIT, nothing else. */
int proc_read_parse_pid(const char *s, pid_t *pid);

/* The name of process pid (/proc/PID/comm, no newline) into buf, or "?" when it cannot be read. */
void proc_read_comm(pid_t pid, char *buf, size_t size);

/* The state letter of thread tid of the process at proc_fd (/proc/PID), or 0 when it is gone. */
char proc_read_thread_state(int proc_fd, pid_t tid);

/* Fields of /proc/PID/stat; times in clock ticks (sysconf(_SC_CLK_TCK)). */
struct proc_stat {
        char comm[64];
        char state;
        pid_t ppid, pgrp, session;
        uint64_t flags;       /* task flags (PF_*) */
        uint64_t utime, stime, cutime, cstime;
        int64_t nice;
        uint64_t starttime;   /* field 22: clock ticks (_SC_CLK_TCK) after boot */
};

/* Parses "pid (comm) state ppid ..."; comm may hold spaces and parentheses. */
int proc_stat_parse(const char *text, size_t len, struct proc_stat *st);

/* Reads dirfd/name (a stat file) and parses it.  Returns 0 or -errno (-EINVAL: it did not parse). */
int proc_stat_read(int dirfd, const char *name, struct proc_stat *st);

/* PF_KTHREAD from the kernel's include/linux/sched.h */
#define PROC_PF_KTHREAD 0x00200000u

#endif
