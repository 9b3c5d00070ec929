/* Implementation of syscall_inject.h: save, point at `syscall`, step through it, restore. */
#include "syscall_inject.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>

#include "common/log.h"
#include "common/timespec.h"

/* Stops that are not ours (a group stop, a job control signal) we step over, this many at most. */
#define FOREIGN_STOPS_MAX 16

/* ptrace(2): with PTRACE_O_TRACESYSGOOD, a syscall stop reports SIGTRAP | 0x80. */
#define SYSCALL_STOP_SIG (SIGTRAP | 0x80)

bool syscall_inject_stop_ok(pid_t tid)
{
        siginfo_t si;
        if (ptrace(PTRACE_GETSIGINFO, tid, NULL, &si) < 0)
                return false; /* a group-stop answers EINVAL */
        /* kernel/signal.c ptrace_do_notify: the stop's siginfo carries its exit code. */
        return si.si_signo == SIGTRAP && si.si_code == (SIGTRAP | (PTRACE_EVENT_STOP << 8));
}

bool syscall_inject_mask_safe(long orig_rax)
{
        switch (orig_rax) {
        case SYS_ppoll:
        case SYS_pselect6:
        case SYS_epoll_pwait:
        case SYS_epoll_pwait2:
        case SYS_rt_sigsuspend:
        case SYS_io_pgetevents:
        case SYS_io_uring_enter:
                return false;
        default:
                return true;
        }
}

/* Waits for tid's next stop.  Returns 0 with *status, or -ESRCH when it died. */
static int wait_stop(pid_t tid, int *status)
{
        for (;;) {
                pid_t w = waitpid(tid, status, __WALL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        return errno == ECHILD ? -ESRCH : -errno; /* ECHILD: no longer ours, gone */
                if (WIFEXITED(*status) || WIFSIGNALED(*status))
                        return -ESRCH;
                if (WIFSTOPPED(*status))
                        return 0;
        }
}

static int event_of(int status)
{
        return (unsigned)status >> 16;
}

/*
 * Resumes with `how` until a stop that satisfies want(); stops on the way
 * that are not ours (a group stop by SIGSTOP sent meanwhile) are stepped
 * over with the same request.
 */
static int resume_until(pid_t tid, enum __ptrace_request how, bool (*want)(int status), int *status)
{
        for (int n = 0; n <= FOREIGN_STOPS_MAX; n++) {
                if (ptrace(how, tid, NULL, NULL) < 0)
                        return -errno;
                int r = wait_stop(tid, status);
                if (r < 0)
                        return r;
                if (want(*status))
                        return 0;
        }
        return -EPROTO;
}

static bool is_syscall_stop(int status)
{
        return WSTOPSIG(status) == SYSCALL_STOP_SIG;
}

static bool is_syscall_or_new_task(int status)
{
        int e = event_of(status);
        return is_syscall_stop(status) || e == PTRACE_EVENT_CLONE || e == PTRACE_EVENT_FORK ||
               e == PTRACE_EVENT_VFORK;
}

static bool is_interrupt_stop(int status)
{
        return event_of(status) == PTRACE_EVENT_STOP && WSTOPSIG(status) == SIGTRAP;
}

/* Runs the prepared thread from its stop to the syscall's exit, noting a new task. */
static int step_call(struct syscall_inject *in)
{
        int status, r;
        struct timespec t0, t1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        /* Entry first: a signal or stop seen before it means the call has not run. */
        r = resume_until(in->tid, PTRACE_SYSCALL, is_syscall_stop, &status);
        if (r < 0)
                return r;
        for (;;) {
                r = resume_until(in->tid, PTRACE_SYSCALL, is_syscall_or_new_task, &status);
                if (r < 0)
                        return r;
                if (is_syscall_stop(status))
                        break;
                unsigned long msg;
                if (ptrace(PTRACE_GETEVENTMSG, in->tid, NULL, &msg) < 0)
                        return -errno;
                in->child = (pid_t)msg;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        in->call_ms = timespec_diff_ms(&t0, &t1);

        struct user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, in->tid, NULL, &regs) < 0)
                return -errno;
        in->ret = (long)regs.rax;
        return 0;
}

/* From the syscall-exit stop back into a PTRACE_EVENT_STOP, before any user instruction. */
static int back_to_interrupt_stop(pid_t tid)
{
        int status;
        if (ptrace(PTRACE_INTERRUPT, tid, NULL, NULL) < 0)
                return -errno;
        return resume_until(tid, PTRACE_CONT, is_interrupt_stop, &status);
}

int syscall_inject_run(struct syscall_inject *in)
{
        struct user_regs_struct saved, regs;
        uint64_t saved_mask, all = ~0ull;
        pid_t tid = in->tid;

        in->child = 0;
        in->ret = -ENOSYS;
        if (ptrace(PTRACE_GETREGS, tid, NULL, &saved) < 0)
                return -errno;
        if (ptrace(PTRACE_GETSIGMASK, tid, (void *)sizeof(saved_mask), &saved_mask) < 0)
                return -errno;

        long opts = in->options | PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;
        if (ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)opts) < 0)
                return -errno;
        if (ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(all), &all) < 0) {
                int e = -errno;
                (void)ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)in->options);
                return e;
        }

        regs = saved;
        regs.rip = in->gadget;
        regs.rax = (uint64_t)in->nr;
        regs.orig_rax = UINT64_MAX; /* -1: not in a system call, nothing to restart */
        regs.rdi = in->args[0];
        regs.rsi = in->args[1];
        regs.rdx = in->args[2];
        regs.r10 = in->args[3];
        regs.r8 = in->args[4];
        regs.r9 = in->args[5];
        if (ptrace(PTRACE_SETREGS, tid, NULL, &regs) < 0) {
                int e = -errno;
                (void)ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(saved_mask), &saved_mask);
                (void)ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)in->options);
                return e;
        }
        int r = step_call(in);
        if (r == 0)
                r = back_to_interrupt_stop(tid);
        if (r == -ESRCH)
                return r;
        if (r < 0) {
                /*
                 * Somewhere between syscall entry and the stop after it, in a
                 * stop we did not expect: registers put back there could run
                 * a system call of theirs.  The thread cannot be made whole;
                 * the process goes rather than run on with our registers.
                 */
                kill(in->pid, SIGKILL);
                return log_error_errno(r, "cannot bring thread %d of process %d back from an injected system call: %m; the process was killed",
                                       (int)tid, (int)in->pid);
        }

        /* Put everything back, whatever happened above, while the thread is in a ptrace stop. */
        int rr = 0;
        if (ptrace(PTRACE_SETREGS, tid, NULL, &saved) < 0 ||
            ptrace(PTRACE_SETSIGMASK, tid, (void *)sizeof(saved_mask), &saved_mask) < 0 ||
            ptrace(PTRACE_SETOPTIONS, tid, NULL, (void *)in->options) < 0)
                rr = -errno;
        if (rr == -ESRCH)
                return rr;
        if (r < 0 || rr < 0)
                return log_error_errno(r < 0 ? r : rr, "cannot run a system call in thread %d: %m", (int)tid);
        return 0;
}
