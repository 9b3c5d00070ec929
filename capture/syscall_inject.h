/*
 * Making one ptrace-stopped thread run one system call of our choosing,
 * then putting it back exactly as it was.
 *
 * The thread must be in a PTRACE_EVENT_STOP (stopped by PTRACE_INTERRUPT:
 * syscall_inject_stop_ok says whether it is).  Its registers and blocked
 * signal mask are saved; every signal is blocked for the duration (so none
 * is delivered with our registers, and a pending one cannot make clone
 * restart); rip is pointed at a `syscall` instruction the process already
 * maps executable (syscall_gadget.h), rax and the argument registers are
 * set, and orig_rax is set to -1 so that resuming does not restart the
 * system call the thread may have been interrupted in.  The thread runs
 * from syscall entry to syscall exit under PTRACE_SYSCALL, then, from the
 * exit stop, is sent into a PTRACE_EVENT_STOP again (PTRACE_INTERRUPT
 * before it returns to user mode: not one instruction of the program runs
 * with our registers).  There the saved registers, orig_rax included, and
 * the mask go back: the thread is in the same kind of stop with the same
 * state, so when it is let go the kernel restarts (or not) its interrupted
 * system call exactly as it would have (arch/x86/kernel/signal.c
 * arch_do_signal_or_restart, which reads rax and orig_rax after the stop).
 *
 * While the system call runs the thread has PTRACE_O_EXITKILL: if memsnap
 * dies at that moment, the thread could never get its registers back, and
 * the kernel kills the process rather than let it run on with ours.  A
 * task the call creates (clone) inherits those options: it is traced by
 * memsnap, stopped before its first instruction, and killed if memsnap dies.
 */
#ifndef MEMSNAP_SYSCALL_INJECT_H
#define MEMSNAP_SYSCALL_INJECT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct syscall_inject {
        pid_t pid;              /* the process */
        pid_t tid;              /* the stopped thread, our tracee */
        uint64_t gadget;        /* address of a `syscall` instruction (0f 05) in the process */
        long options;           /* the thread's ptrace options, put back afterwards */
        long nr;                /* the system call (asm/unistd_64.h) */
        uint64_t args[6];       /* rdi, rsi, rdx, r10, r8, r9 */
        long ret;               /* out: what it returned (a negative errno on failure) */
        pid_t child;            /* out: the task it created (PTRACE_EVENT_CLONE/FORK), or 0 */
        double call_ms;         /* out: from resuming the thread to its syscall-exit stop */
};

/*
 * Whether tid is in a PTRACE_EVENT_STOP (not a signal-delivery-stop, a
 * group-stop or another event): the only stop we inject from.
 */
bool syscall_inject_stop_ok(pid_t tid);

/*
 * Whether a thread stopped in system call orig_rax (-1: none) may be
 * injected into.  Not when the call set a temporary signal mask that the
 * kernel puts back on its way out (ppoll, pselect6, epoll_pwait[2],
 * rt_sigsuspend, io_pgetevents, io_uring_enter: set_user_sigmask and
 * TIF_RESTORE_SIGMASK): PTRACE_SETSIGMASK drops that pending restore
 * (kernel/ptrace.c), and the thread would keep the temporary mask.
 */
bool syscall_inject_mask_safe(long orig_rax);

/*
 * Runs the call.  Returns 0 with the thread restored (in->ret says how the
 * call went; a created task is stopped, traced, and must be disposed of by
 * the caller); -ESRCH when the thread died; another -errno, logged, when
 * the thread could not be brought back (an unexpected stop between syscall
 * entry and exit, which no test has seen): then the process is killed, as
 * it could only run on with our registers.
 */
int syscall_inject_run(struct syscall_inject *in);

#endif
