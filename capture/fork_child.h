/*
 * The copy-on-write child a fork capture reads instead of the target.
 *
 * The target itself makes it: one of its stopped threads runs a raw clone
 * (syscall_inject.h), not glibc's fork(), so no atfork handler or other
 * user code runs in either process.  The flags:
 *
 *   - no CLONE_VM: the child gets a copy-on-write copy of the address
 *     space, which is the snapshot; the kernel copies page tables, not pages;
 *   - exit signal 0: the target is sent no SIGCHLD, neither now nor when
 *     the child dies, and its plain wait() never sees the child (a child
 *     whose exit signal is not SIGCHLD is waited for only with __WALL or
 *     __WCLONE: wait(2));
 *   - CLONE_FILES: the child shares the target's descriptor table instead
 *     of holding a copy of every descriptor, so its death closes nothing
 *     (a pipe's writer, a socket, a lock stay exactly as the target holds
 *     them) and it keeps no file open the target has closed;
 *   - CLONE_PTRACE, with the thread's PTRACE_O_TRACECLONE: the child is
 *     memsnap's tracee from birth and is stopped before its first
 *     instruction; it inherits PTRACE_O_EXITKILL, so if memsnap dies the
 *     kernel kills it;
 *   - not CLONE_PARENT: the child's parent is the target, not the target's
 *     parent (which would be sent the target's exit signal for it).
 *
 * After the copy it is killed with SIGKILL and its exit collected by us,
 * its tracer.  The kernel then hands it to its real parent, the target, as
 * a zombie that nothing signals (kernel/exit.c wait_task_zombie: a tracer
 * that is not the parent gives the zombie back); fork_reap.h takes it away.
 */
#ifndef MEMSNAP_FORK_CHILD_H
#define MEMSNAP_FORK_CHILD_H

#include <stdint.h>
#include <sys/types.h>

struct fork_child {
        pid_t pid;          /* the child, alive and stopped, or 0 */
        int proc_fd;        /* /proc/CHILD, or -1 */
        double clone_ms;    /* the clone system call, from resume to its exit stop */
        pid_t zombie;       /* killed: the target's zombie child now, to reap (fork_reap.h) */
};

#define FORK_CHILD_INIT { 0, -1, 0, 0 }

/*
 * Makes the child through thread tid of process pid, stopped in a
 * PTRACE_EVENT_STOP with the ptrace options `options`, jumping to gadget.
 * Returns 0 with the child stopped; -EAGAIN, -ENOMEM (what clone
 * returned: no child was made, pids.max, RLIMIT_NPROC or memory) with the
 * thread restored and nothing to undo; -ESRCH when the target died; or
 * another -errno, logged.
 */
int fork_child_make(struct fork_child *c, pid_t pid, pid_t tid, uint64_t gadget, long options);

/*
 * Bytes only the child still maps: the pages the target wrote since the
 * fork, whose originals the child keeps (Private_Dirty of
 * /proc/CHILD/smaps_rollup).  -1 when it cannot be read.
 */
int64_t fork_child_copied_bytes(const struct fork_child *c);

/* Kills the child and collects its exit as its tracer (zombie is set); idempotent. */
void fork_child_kill(struct fork_child *c);

#endif
