/* Implementation of fork_child.h: the clone, the child's first stop, its death. */
#include "fork_child.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "proc_read.h"
#include "syscall_inject.h"

/* Waits for the child's birth stop (PTRACE_EVENT_STOP: it has run nothing yet). */
static int wait_birth(pid_t child)
{
        for (;;) {
                int status;
                pid_t w = waitpid(child, &status, __WALL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                if (WIFEXITED(status) || WIFSIGNALED(status))
                        return -ESRCH;
                if (WIFSTOPPED(status))
                        return 0;
        }
}

int fork_child_make(struct fork_child *c, pid_t pid, pid_t tid, uint64_t gadget, long options)
{
        struct syscall_inject in = {
                .pid = pid, .tid = tid, .gadget = gadget, .options = options, .nr = SYS_clone,
                /* x86-64 clone(flags, newsp, parent_tid, child_tid, tls): the low byte of flags is the exit signal, 0 */
                .args = { CLONE_FILES | CLONE_PTRACE, 0, 0, 0, 0, 0 },
        };
        int r = syscall_inject_run(&in);
        c->pid = in.child;
        c->clone_ms = in.call_ms;
        if (c->pid > 0) {
                int b = wait_birth(c->pid);
                if (b < 0 && r == 0)
                        r = log_error_errno(b, "the copy of process %d (pid %d) did not stop at birth: %m", (int)pid,
                                            (int)c->pid);
        }
        if (r < 0) {
                fork_child_kill(c);
                return r;
        }
        if (in.ret < 0) {
                fork_child_kill(c);
                return (int)in.ret;
        }
        char path[32];
        snprintf(path, sizeof(path), "/proc/%d", (int)c->pid);
        c->proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c->proc_fd < 0) {
                r = log_error_errno(errno, "cannot open '%s', the copy of process %d: %m", path, (int)pid);
                fork_child_kill(c);
                return r;
        }
        return 0;
}

int64_t fork_child_copied_bytes(const struct fork_child *c)
{
        _cleanup_free_ char *text = NULL;
        size_t len;
        if (c->proc_fd < 0 || proc_read_at(c->proc_fd, "smaps_rollup", &text, &len) < 0)
                return -1;
        const char *p = strstr(text, "\nPrivate_Dirty:");
        unsigned long long kb;
        if (!p || sscanf(p, "\nPrivate_Dirty: %llu kB", &kb) != 1)
                return -1;
        return (int64_t)kb * 1024;
}

void fork_child_kill(struct fork_child *c)
{
        if (c->proc_fd >= 0)
                close(c->proc_fd);
        c->proc_fd = -1;
        if (c->pid <= 0)
                return;
        /* The child is ours to wait for until it dies: its exit comes to us, its tracer, first. */
        if (kill(c->pid, SIGKILL) == 0) {
                for (;;) {
                        int status;
                        pid_t w = waitpid(c->pid, &status, __WALL);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0 || WIFEXITED(status) || WIFSIGNALED(status))
                                break;
                }
                c->zombie = c->pid;
        }
        c->pid = 0;
}
