/*
 * Stopping every thread of a process with ptrace, and letting them all go.
 *
 * Each thread listed in /proc/PID/task is PTRACE_SEIZEd (with
 * PTRACE_O_TRACECLONE, so a thread born meanwhile is traced from birth, and
 * PTRACE_O_TRACEEXEC, so an exec midway is seen) and PTRACE_INTERRUPTed; the
 * task list is re-read until every thread in it is stopped.  SIGSTOP is never
 * used: a group-stop would outlive memsnap if it died, whereas a seized
 * tracee is detached and resumed by the kernel when its tracer dies, even by
 * SIGKILL.  A signal that arrives while a thread is being stopped (a
 * signal-delivery-stop) is remembered and handed back at detach, so the
 * target loses nothing.  A thread that exits meanwhile is simply gone.
 *
 * An exec midway ends the stop with -EBUSY, seen by its event or by the
 * main thread's id coming back in a new image (when a thread other than the
 * main one calls exec, the kernel gives it the main thread's id and tells
 * the tracer nothing of the threads it renamed or killed: they are found
 * lost by PTRACE_INTERRUPT's ESRCH).  While seizing, a timer takes wait
 * statuses (seize_waiter.h), so that an exec waiting for us to reap its
 * dead threads cannot hang us both.  The new image is left running and
 * untraced.
 *
 * ptrace_stop_release detaches every thread; it runs on every path through
 * the cleanup attribute of the context.
 */
#ifndef MEMSNAP_PTRACE_STOP_H
#define MEMSNAP_PTRACE_STOP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/ptrace.h>
#include <sys/types.h>
#include <time.h>

#include "interrupt.h"
#include "test_hold.h"

/* The options every thread is seized with (a thread injected into gets them back: syscall_inject.h). */
#define PTRACE_STOP_OPTIONS (PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC)

/* Bound on threads, for a process that spawns them faster than we stop them. */
#define PTRACE_STOP_THREADS_MAX (1u << 20)
/* How long a thread may take to stop (one in uninterruptible sleep may never). */
#define PTRACE_STOP_TIMEOUT_MS 10000

struct stopped_thread {
        pid_t tid;
        bool seized;        /* we are its tracer */
        bool stopped;       /* in a ptrace-stop: registers readable */
        bool gone;          /* exited, or a zombie that cannot be traced */
        bool lost;          /* seized, then no longer ours (an exec took its id): gone too */
        int resume_signal;  /* caught in a signal-delivery-stop; given back at detach */
};

struct ptrace_stop {
        pid_t pid;
        int proc_fd;                    /* /proc/PID, not owned */
        struct interrupt_guard *intr;   /* not owned */
        const struct test_hold *hold;   /* not owned; NULL but in tests (test_hold.h) */
        struct stopped_thread *v;       /* in the order they were found */
        size_t n, cap;
        bool exec_seen;                 /* a thread called exec while we stopped them */
        bool active;                    /* some thread may still be traced */
        struct timespec stopped_at;     /* CLOCK_MONOTONIC of the first PTRACE_INTERRUPT */
        struct timespec resumed_at;     /* and of the last PTRACE_DETACH */
};

#define PTRACE_STOP_INIT { .proc_fd = -1 }

/*
 * Stops every thread of pid.  Returns 0 when every live thread is stopped;
 * else, with a message naming the pid: -ESRCH (the process exited), -EPERM
 * (with the reason), -EBUSY (already traced, or it called exec), -ETIMEDOUT
 * (a thread did not stop); or -EINTR, unlogged, when a signal interrupted
 * it (intr->signal says which).  Whatever was
 * seized is released by ptrace_stop_release, which the caller must run.
 */
int ptrace_stop_all(struct ptrace_stop *s, pid_t pid, int proc_fd, struct interrupt_guard *intr);

/*
 * The ids of the stopped threads, the main thread first, then by id (as the
 * kernel's cores and eu-stack list them); *n of them.  NULL when out of
 * memory.  The caller frees it.
 */
pid_t *ptrace_stop_tids(const struct ptrace_stop *s, size_t *n);

/* Detaches every thread (handing back caught signals); idempotent. */
void ptrace_stop_release(struct ptrace_stop *s);

/* Cleanup attribute form: releases and frees. */
void ptrace_stop_done(struct ptrace_stop *s);

/*
 * Collects pending wait events (exits, kills), and waits (up to
 * PTRACE_STOP_TIMEOUT_MS, woken by SIGCHLD) for the exit of threads that
 * were stopped and no longer are: a SIGKILL wakes them to die.  Returns true
 * when the process is still there: at least one thread stopped and not gone.
 */
bool ptrace_stop_alive(struct ptrace_stop *s);

/*
 * Whether every thread stopped is still in its stop, as at the start: a
 * SIGKILL to the process ends the stops at once, and what was read after it
 * may be torn.  One ptrace call per thread.
 */
bool ptrace_stop_held(struct ptrace_stop *s);

/* Milliseconds the process was stopped (valid after release). */
double ptrace_stop_pause_ms(const struct ptrace_stop *s);

#endif
