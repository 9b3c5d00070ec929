/*
 * Signals while a target is stopped.  A SIGINT, SIGTERM or SIGHUP that
 * killed memsnap mid-capture would leave the job half done; instead they are
 * blocked for the whole capture and polled between regions, so the capture
 * can detach from every thread, drop its partial file and say, once, that
 * it was interrupted and by which signal.
 * SIGCHLD is blocked too: tracee stops arrive as SIGCHLD, and waiting for it
 * with sigtimedwait lets one wait serve both "a thread stopped" and "the
 * user gave up", with a timeout.
 *
 * (A SIGKILL cannot be caught; the kernel then detaches and resumes every
 * tracee on its own, and the O_TMPFILE output vanishes with us.)
 */
#ifndef MEMSNAP_INTERRUPT_H
#define MEMSNAP_INTERRUPT_H

#include <signal.h>
#include <stdbool.h>

/*
 * Blocks SIGINT, SIGTERM and SIGHUP for the rest of the process: the first
 * thing capture does, so that a signal sent before the guard begins (while
 * the options are read, the target checked) waits, pending, for the guard
 * to take it, and one sent once the capture is over (the core named, the
 * exit status decided) cannot turn that status into death by signal.
 */
int interrupt_block_early(void);

struct interrupt_guard {
        sigset_t old_mask;
        struct sigaction old_chld;
        bool active;
        int signal;          /* the interrupting signal received, 0 if none */
};

/* Blocks SIGINT, SIGTERM, SIGHUP and SIGCHLD; makes sure SIGCHLD is not ignored. */
int interrupt_guard_begin(struct interrupt_guard *g);

/* True once SIGINT, SIGTERM or SIGHUP has arrived (it is consumed and remembered). */
bool interrupt_check(struct interrupt_guard *g);

/*
 * Waits up to timeout_ms for SIGCHLD.  Returns 1 when one arrived, 0 on
 * timeout, -EINTR when an interrupting signal arrived instead.
 */
int interrupt_wait_child(struct interrupt_guard *g, int timeout_ms);

/*
 * Waits up to timeout_ms for SIGCHLD alone, leaving an interrupting signal
 * pending (interrupt_guard_end takes it): for waits that must end whatever
 * the user asks, such as the release of the target.  Returns 1 when SIGCHLD
 * arrived, 0 on timeout.
 */
int interrupt_wait_child_only(struct interrupt_guard *g, int timeout_ms);

/* "SIGINT", "SIGTERM" or "SIGHUP" for an interrupting signal; "a signal" for any other. */
const char *interrupt_signal_name(int sig);

/*
 * Restores the signal mask and SIGCHLD's disposition; idempotent.  An
 * interrupting signal still pending is consumed (and remembered in signal)
 * rather than delivered: run it after the cleanup it would cut short.
 * After an interruption SIGINT, SIGTERM and SIGHUP stay blocked, so that
 * memsnap exits 1 as it said, whatever comes on the way out.  One the
 * caller had blocked before the guard (snap and watch block them for their
 * whole run) is left pending for the caller: one that came after the last
 * check, untaken; the one that interrupted the capture, raised again.
 */
void interrupt_guard_end(struct interrupt_guard *g);

#endif
