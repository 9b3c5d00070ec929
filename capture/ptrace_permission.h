/*
 * Why the kernel refused to let us trace a process.  PTRACE_SEIZE answers
 * only EPERM; a user needs to know which rule said no: the target belongs to
 * another user, it is not dumpable (setuid, prctl), Yama's ptrace_scope, a
 * kernel thread, or a security module.  The facts are gathered from /proc and
 * the rules applied in the kernel's order (kernel/ptrace.c
 * __ptrace_may_access, then security/yama/yama_lsm.c), by a pure function
 * that unit tests drive with made-up facts.
 */
#ifndef MEMSNAP_PTRACE_PERMISSION_H
#define MEMSNAP_PTRACE_PERMISSION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct ptrace_facts {
        pid_t pid;
        char comm[64];
        int yama_scope;          /* kernel.yama.ptrace_scope, -1 when Yama is absent */
        uid_t our_uid;           /* real ids: PTRACE_MODE_REALCREDS compares these */
        gid_t our_gid;
        bool cap_sys_ptrace;     /* in our effective set */
        bool target_known;       /* the target's status could be read */
        uid_t target_uid[3];     /* real, effective, saved */
        gid_t target_gid[3];
        bool target_dumpable;
        bool kernel_thread;
        bool descendant;         /* the target descends from memsnap (Yama scope 1 allows it) */
};

/* Fills f for pid from /proc (proc_fd is /proc/PID); unknown facts stay permissive. */
void ptrace_facts_gather(int proc_fd, pid_t pid, struct ptrace_facts *f);

/* Writes why tracing f->pid is denied, one clause without a final period. */
void ptrace_permission_denied_reason(const struct ptrace_facts *f, char *buf, size_t size);

#endif
