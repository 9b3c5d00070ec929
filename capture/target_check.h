/*
 * Before touching a process: does it exist, is it one we can stop?  Opens
 * /proc/PID (following a thread id to its process), and refuses, with a
 * message that names the pid, a process that is gone or a zombie, a kernel
 * thread, a 32-bit program, memsnap itself, or one another debugger
 * already traces.
 */
#ifndef MEMSNAP_TARGET_CHECK_H
#define MEMSNAP_TARGET_CHECK_H

#include <sys/types.h>

#include "proc_read.h"

struct target_check {
        pid_t pid;                  /* the process (the thread group id) */
        int proc_fd;                /* /proc/PID, owned */
        struct proc_status_mem status;  /* as it was before the stop */
        struct proc_stat stat;
};

#define TARGET_CHECK_INIT { .proc_fd = -1 }

/* Opens and checks pid.  Returns 0, or -errno after a message. */
int target_check(struct target_check *t, pid_t pid);

void target_check_close(struct target_check *t);

#endif
