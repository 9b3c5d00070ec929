/*
 * Waiting for tracees while memsnap may be blocked in PTRACE_SEIZE.
 *
 * An exec by one thread of a process kills the others and waits until each
 * is released (fs/exec.c de_thread); a traced thread that exited is released
 * only when its tracer waits for it.  The exec holds the process's
 * cred_guard_mutex all the while, and PTRACE_SEIZE of any of its threads
 * waits for that mutex (kernel/ptrace.c ptrace_attach).  A tracer blocked in
 * PTRACE_SEIZE cannot wait, so tracer and target would wait for ever, the
 * target in uninterruptible sleep.
 *
 * While the waiter is armed, a timer interrupts memsnap every few
 * milliseconds; its handler takes every wait status that is ready (exits and
 * ptrace stops alike: waitpid reports a tracee's stops whatever the flags)
 * and keeps them in order, and the interrupted PTRACE_SEIZE starts again
 * (-ERESTARTNOINTR), now with nothing to wait for.  ptrace_stop.c reads the
 * statuses afterwards as if it had waited for them itself.
 */
#ifndef MEMSNAP_SEIZE_WAITER_H
#define MEMSNAP_SEIZE_WAITER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/time.h>
#include <sys/types.h>

/* How often the timer fires while armed. */
#define SEIZE_WAITER_PERIOD_US 5000
/* Statuses kept per arming; with that many, the handler stops waiting. */
#define SEIZE_WAITER_MAX 4096

struct seize_waiter {
        struct sigaction old_action;   /* SIGALRM's, restored at the end */
        struct itimerval old_timer;    /* ITIMER_REAL's, restored at the end */
        bool armed;
};

struct wait_status {
        pid_t tid;
        int status;                    /* as waitpid gives it */
};

/* Arms the timer.  Returns 0 or -errno. */
int seize_waiter_begin(struct seize_waiter *w);

/*
 * Disarms it and restores SIGALRM and the timer as they were; idempotent.
 * Copies the statuses the handler took, in the order taken, to out (which
 * holds SEIZE_WAITER_MAX) and returns their number.
 */
size_t seize_waiter_end(struct seize_waiter *w, struct wait_status *out);

#endif
