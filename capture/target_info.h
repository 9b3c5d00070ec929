/*
 * What /proc says about the stopped target, read while it is stopped so
 * that it agrees with the memory: the verbatim texts the MEMSNAP notes carry
 * (smaps, status, stat, cmdline), the auxv, the executable's path, and for
 * every stopped thread its name, signal masks, CPU times and registers.
 * Threads are ordered as the core lists them: the main thread first, then
 * the others by thread id.
 *
 * Each thread's name and CPU times cost a /proc read apiece (some 15 µs a
 * thread, tens of milliseconds for thousands) and change little in the
 * moment before the stop: they are read before it (threads_early_read) and
 * during it only for a thread born since.  The thread's signal masks come
 * from its status during the stop.
 *
 * The memory files (smaps, auxv, pagemap, mem, map_files) are read through
 * the first live thread's /proc/PID/task/TID: when the main thread has
 * called pthread_exit it is a zombie without an address space, and
 * /proc/PID then shows none, though the other threads run on.
 */
#ifndef MEMSNAP_TARGET_INFO_H
#define MEMSNAP_TARGET_INFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proc_read.h"
#include "ptrace_stop.h"
#include "thread_regs.h"

struct target_thread {
        pid_t tid;
        char *name;                 /* /proc/PID/task/TID/comm, without the newline */
        struct proc_status_mem status;  /* of this thread, during the stop: SigPnd, SigBlk */
        struct proc_stat stat;      /* of this thread, just before the stop: utime, stime */
        struct thread_regs regs;
};

/* A thread's name and stat, read before the stop. */
struct thread_early {
        pid_t tid;
        char *name;
        struct proc_stat stat;
};

struct threads_early {
        struct thread_early *v;     /* by tid */
        size_t n, cap;
};

/*
 * Reads the name and stat of every thread in proc_fd's (/proc/PID's) task
 * list.  Returns 0 or -ENOMEM; a thread that cannot be read is left out.
 */
int threads_early_read(struct threads_early *te, int proc_fd);

void threads_early_free(struct threads_early *te);

struct target_info {
        pid_t pid;
        char *smaps, *status, *stat, *cmdline;
        size_t smaps_len, status_len, stat_len, cmdline_len;
        uint8_t *auxv;
        size_t auxv_len;
        char *exe;                  /* readlink of /proc/PID/exe, "" when unreadable */
        struct proc_status_mem proc_status;
        struct proc_stat proc_stat;
        struct target_thread *threads;
        size_t nthreads;
        pid_t mem_tid;              /* a live thread: process_vm_readv takes its id */
        int mem_dir_fd;             /* /proc/PID/task/MEM_TID, for the memory files */
};

#define TARGET_INFO_INIT { .mem_dir_fd = -1 }

/*
 * Reads everything from proc_fd (/proc/PID) for the threads stop holds,
 * taking what early has (may be NULL).  Returns 0, -ESRCH when the process
 * is gone (unlogged), or another -errno (logged).
 */
int target_info_read(struct target_info *ti, int proc_fd, pid_t pid, const struct ptrace_stop *stop,
                     const struct threads_early *early);

void target_info_free(struct target_info *ti);

#endif
