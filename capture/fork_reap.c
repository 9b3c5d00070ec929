/* Implementation of fork_reap.h: seize one thread, inject wait4, let it go. */
#include "fork_reap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cleanup.h"
#include "common/log.h"
#include "proc_read.h"
#include "syscall_inject.h"

/* Stops of one thread tried, at most: each stops it alone, for microseconds. */
#define REAP_TRIES 16

/* A thread we may stop now: running or in an interruptible sleep, no seccomp filter. */
static bool thread_fit(int proc_fd, pid_t tid)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t len;
        struct proc_status_mem st;

        snprintf(path, sizeof(path), "task/%d/status", (int)tid);
        if (proc_read_at(proc_fd, path, &text, &len) < 0 || proc_status_mem_parse(text, len, &st) < 0)
                return false;
        return (st.state == 'R' || st.state == 'S') && st.seccomp == 0 && st.tracer_pid == 0;
}

static int wait_stopped(pid_t tid, int *status)
{
        for (;;) {
                pid_t w = waitpid(tid, status, __WALL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return -errno;
                if (WIFEXITED(*status) || WIFSIGNALED(*status))
                        return -ESRCH;
                if (WIFSTOPPED(*status))
                        return 0;
        }
}

/*
 * Stops tid alone and injects the wait4.  Returns 1 when done, 0 when this
 * thread would not do (tried no call), or -errno.
 */
static int reap_through(pid_t pid, pid_t tid, pid_t zombie, uint64_t gadget)
{
        if (ptrace(PTRACE_SEIZE, tid, NULL, NULL) < 0)
                return errno == ESRCH ? 0 : -errno;
        int status, r = 0, resume_sig = 0;
        if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0 || wait_stopped(tid, &status) < 0)
                return 0; /* gone: a seized thread that died needs no detach */
        if (!syscall_inject_stop_ok(tid)) {
                /* A signal-delivery-stop: the signal goes back with the detach. */
                if ((status >> 16) == 0)
                        resume_sig = WSTOPSIG(status);
                goto detach;
        }
        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, tid, NULL, &regs) < 0 || !syscall_inject_mask_safe((long)regs.orig_rax))
                goto detach;
        struct syscall_inject in = {
                .pid = pid, .tid = tid, .gadget = gadget, .options = 0, .nr = SYS_wait4,
                .args = { (uint64_t)zombie, 0, __WALL | WNOHANG, 0, 0, 0 },
        };
        r = syscall_inject_run(&in);
        if (r == 0 && in.ret != zombie && in.ret != -ECHILD)
                log_debug("wait4 in thread %d of process %d returned %ld", (int)tid, (int)pid, in.ret);
        if (r == 0)
                r = in.ret == zombie || in.ret == -ECHILD ? 1 : 0;
        if (r == -ESRCH)
                return r;
detach:
        if (ptrace(PTRACE_DETACH, tid, NULL, (void *)(long)resume_sig) < 0 && errno != ESRCH)
                log_warning("cannot detach from thread %d of process %d: %s; it is released when memsnap exits",
                            (int)tid, (int)pid, strerror(errno));
        return r;
}

static bool gadget_still_there(pid_t pid, uint64_t gadget)
{
        unsigned char b[2];
        struct iovec local = { b, 2 }, remote = { (void *)(uintptr_t)gadget, 2 };
        return process_vm_readv(pid, &local, 1, &remote, 1, 0) == 2 && b[0] == 0x0f && b[1] == 0x05;
}

/*
 * Tries the threads of pid in turn, round again while tries are left: a
 * thread caught in a signal-delivery-stop (a timer's signal, say) has its
 * signal back at the detach and may do next time.  Returns 0 when reaped,
 * -ESRCH when pid is gone, else -EAGAIN.
 */
static int reap_by_some_thread(pid_t pid, int proc_fd, pid_t zombie, uint64_t gadget)
{
        int fd = openat(proc_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -ESRCH;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -EAGAIN;
        }
        int tries = 0;
        for (int round = 0; round < REAP_TRIES && tries < REAP_TRIES; round++) {
                struct dirent *de;
                rewinddir(d);
                while ((de = readdir(d)) && tries < REAP_TRIES) {
                        char *end;
                        long tid = strtol(de->d_name, &end, 10);
                        if (*end || tid <= 0 || !thread_fit(proc_fd, (pid_t)tid))
                                continue;
                        tries++;
                        int r = reap_through(pid, (pid_t)tid, zombie, gadget);
                        if (r == 1)
                                return 0;
                        if (r == -ESRCH && kill(pid, 0) < 0)
                                return -ESRCH;
                        if (r < 0 && r != -ESRCH)
                                return -EAGAIN;
                }
        }
        return -EAGAIN;
}

int fork_reap(pid_t pid, pid_t zombie, uint64_t gadget)
{
        char path[32];
        snprintf(path, sizeof(path), "/proc/%d", (int)pid);
        _cleanup_close_ int proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0)
                return -ESRCH;
        int r = gadget_still_there(pid, gadget) ? reap_by_some_thread(pid, proc_fd, zombie, gadget) : -EAGAIN;
        if (r == -EAGAIN)
                log_warning("process %d keeps a zombie child %d, memsnap's dead copy of it, until it exits or waits with __WALL",
                            (int)pid, (int)zombie);
        return r;
}
