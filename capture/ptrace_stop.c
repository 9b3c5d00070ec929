/* Implementation of ptrace_stop.h: seize, interrupt, wait; detach. */
#include "ptrace_stop.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/array.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/progress.h"
#include "seize_waiter.h"
#include "proc_read.h"
#include "ptrace_permission.h"

#define WAIT_SLICE_MS 50
#define RELEASE_WAIT_MS 2000 /* for a seized thread that has not stopped yet */
#define EPERM_RETRIES 5      /* a refusal that may be an exec midway, asked again ... */
#define EPERM_RETRY_US 2000  /* ... this long apart */

static struct stopped_thread *find_thread(struct ptrace_stop *s, pid_t tid)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].tid == tid)
                        return &s->v[i];
        return NULL;
}

static struct stopped_thread *add_thread(struct ptrace_stop *s, pid_t tid)
{
        if (s->n >= PTRACE_STOP_THREADS_MAX)
                return NULL;
        if (ARRAY_RESERVE(s->v, s->cap, s->n + 1) < 0)
                return NULL;
        s->v[s->n] = (struct stopped_thread){ .tid = tid };
        return &s->v[s->n++];
}

static pid_t thread_tracer(struct ptrace_stop *s, pid_t tid)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t len;
        struct proc_status_mem st;

        snprintf(path, sizeof(path), "task/%d/status", (int)tid);
        if (proc_read_at(s->proc_fd, path, &text, &len) < 0 || proc_status_mem_parse(text, len, &st) < 0)
                return -1;
        return (pid_t)st.tracer_pid;
}

static int explain_eperm(struct ptrace_stop *s, pid_t tid)
{
        pid_t tracer = thread_tracer(s, tid);
        if (tracer > 0 && tracer != getpid()) {
                char comm[64];
                proc_read_comm(tracer, comm, sizeof(comm));
                return log_error_errno(EBUSY,
                                       "cannot trace process %d: it is already traced by process %d (%s); detach that debugger first",
                                       (int)s->pid, (int)tracer, comm);
        }
        struct ptrace_facts f;
        char why[512];
        ptrace_facts_gather(s->proc_fd, s->pid, &f);
        ptrace_permission_denied_reason(&f, why, sizeof(why));
        return log_error_errno(EPERM, "cannot trace process %d: permission denied: %s", (int)s->pid, why);
}

static int seize(pid_t tid)
{
        long opts = PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC;
        return ptrace(PTRACE_SEIZE, tid, NULL, (void *)opts) < 0 ? -errno : 0;
}

/* Seizes and interrupts one thread found in the task list. */
static int seize_thread(struct ptrace_stop *s, struct stopped_thread *t)
{
        int r = seize(t->tid);
        for (int retry = 0; r == -EPERM; retry++) {
                /* kernel/ptrace.c ptrace_attach: a zombie (exit_state) cannot be attached. */
                char st = proc_read_thread_state(s->proc_fd, t->tid);
                if (st == 0 || st == 'Z' || st == 'X') {
                        t->gone = true;
                        /* A zombie main thread's id may yet pass to an exec'd image: look again. */
                        t->lost = t->tid == s->pid;
                        return 0;
                }
                /* A clone child is traced from birth: its stop will be reported. */
                if (thread_tracer(s, t->tid) == getpid()) {
                        t->seized = true;
                        s->active = true;
                        return 0;
                }
                /*
                 * fs/exec.c de_thread: when a thread other than the main one
                 * calls exec, the main thread is a zombie for a moment, then
                 * its id passes to the new image.  A refusal in that moment
                 * is no verdict; a real one stays when asked again.
                 */
                if (retry == EPERM_RETRIES)
                        return explain_eperm(s, t->tid);
                usleep(EPERM_RETRY_US);
                r = seize(t->tid);
        }
        if (r == -ESRCH) {
                t->gone = true;
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "cannot trace thread %d of process %d: %m", (int)t->tid, (int)s->pid);
        t->lost = false;
        t->seized = true;
        s->active = true;
        if (s->stopped_at.tv_sec == 0 && s->stopped_at.tv_nsec == 0)
                clock_gettime(CLOCK_MONOTONIC, &s->stopped_at);
        if (ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0 && errno != ESRCH)
                return log_error_errno(errno, "cannot stop thread %d of process %d: %m", (int)t->tid, (int)s->pid);
        return 0;
}

/* Records one wait status. */
static int handle_status(struct ptrace_stop *s, pid_t tid, int status)
{
        struct stopped_thread *t = find_thread(s, tid);
        if (!t) {
                /* A clone child whose stop came before its parent's clone event. */
                t = add_thread(s, tid);
                if (!t)
                        return log_error_errno(ENOMEM, "process %d has too many threads to stop (more than %u)",
                                               (int)s->pid, PTRACE_STOP_THREADS_MAX);
                t->seized = true;
        }
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
                t->gone = true;
                t->stopped = false;
                return 0;
        }
        if (!WIFSTOPPED(status))
                return 0;

        int event = status >> 16;
        t->stopped = true;
        /* Alive and ours: after an exec, the main thread's id is back, in the new image. */
        t->gone = t->lost = false;
        if (event == PTRACE_EVENT_CLONE) {
                unsigned long child;
                if (ptrace(PTRACE_GETEVENTMSG, tid, NULL, &child) == 0 && !find_thread(s, (pid_t)child)) {
                        struct stopped_thread *c = add_thread(s, (pid_t)child);
                        if (!c)
                                return log_error_errno(ENOMEM, "process %d has too many threads to stop (more than %u)",
                                                       (int)s->pid, PTRACE_STOP_THREADS_MAX);
                        c->seized = true;
                }
        } else if (event == PTRACE_EVENT_EXEC) {
                s->exec_seen = true;
        } else if (event == 0) {
                /*
                 * A signal-delivery-stop: the signal is held by us now.  It
                 * goes back with PTRACE_DETACH, or the target would lose it.
                 */
                t->resume_signal = WSTOPSIG(status);
        }
        return 0;
}

/* Takes every wait status that is ready, without blocking. */
static int drain_events(struct ptrace_stop *s)
{
        for (;;) {
                int status;
                pid_t w = waitpid(-1, &status, __WALL | WNOHANG);
                if (w <= 0)
                        return 0;
                int r = handle_status(s, w, status);
                if (r < 0)
                        return r;
        }
}

static bool all_settled(const struct ptrace_stop *s)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].seized && !s->v[i].stopped && !s->v[i].gone)
                        return false;
        return true;
}

/*
 * A thread we seized that never reports a stop may no longer be ours: after
 * an exec by another thread, its id vanished or went to the new image, and
 * the kernel tells the tracer nothing (ptrace(2), "execve(2) under ptrace").
 * PTRACE_INTERRUPT answers ESRCH for a task that is not our tracee.
 */
static void forget_lost(struct ptrace_stop *s)
{
        for (size_t i = 0; i < s->n; i++) {
                struct stopped_thread *t = &s->v[i];
                if (t->seized && !t->stopped && !t->gone && ptrace(PTRACE_INTERRUPT, t->tid, NULL, NULL) < 0 &&
                    errno == ESRCH) {
                        t->gone = true;
                        t->lost = true;
                }
        }
}

static const struct stopped_thread *first_unsettled(const struct ptrace_stop *s)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].seized && !s->v[i].stopped && !s->v[i].gone)
                        return &s->v[i];
        return NULL;
}

/*
 * Waits until every seized thread has stopped or gone, up to timeout_ms.
 * While stopping (not releasing), a signal interrupts the wait, and an exec
 * ends it: the stop is given up then.
 */
static int wait_settled(struct ptrace_stop *s, int timeout_ms, bool stopping)
{
        struct timespec start, now;
        clock_gettime(CLOCK_MONOTONIC, &start);

        for (;;) {
                int r = drain_events(s);
                if (r < 0)
                        return r;
                if (all_settled(s) || (stopping && s->exec_seen))
                        return 0;
                clock_gettime(CLOCK_MONOTONIC, &now);
                double left = timeout_ms - timespec_diff_ms(&start, &now);
                if (left <= 0)
                        return -ETIMEDOUT;
                if (timespec_diff_ms(&start, &now) >= WAIT_SLICE_MS) {
                        forget_lost(s);
                        if (all_settled(s))
                                return 0;
                }
                int slice = left < WAIT_SLICE_MS ? (int)left + 1 : WAIT_SLICE_MS;
                if (s->intr && stopping) {
                        if (interrupt_wait_child(s->intr, slice) == -EINTR)
                                return -EINTR;
                } else if (s->intr) {
                        /* Releasing, or waiting for the dead: no signal may cut it short, nor make it spin. */
                        (void)interrupt_wait_child_only(s->intr, slice);
                } else {
                        usleep(1000);
                }
        }
}

/* Seizes every thread in the task list not seen yet; *found counts them. */
static int seize_new_threads(struct ptrace_stop *s, size_t *found)
{
        *found = 0;
        int fd = openat(s->proc_fd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT || errno == ESRCH ? -ESRCH : -errno;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        struct dirent *de;
        while ((de = readdir(d))) {
                char *end;
                long tid = strtol(de->d_name, &end, 10);
                if (*end || tid <= 0)
                        continue;
                struct stopped_thread *t = find_thread(s, (pid_t)tid);
                /*
                 * A thread we lost, or the main thread gone (a zombie, or
                 * dead), listed again may be another task under that id now:
                 * the main thread's id passes to the image an exec makes.
                 */
                bool again = t && (t->lost || (t->gone && t->tid == s->pid));
                if (t && !again)
                        continue;
                if (t)
                        t->gone = t->seized = t->stopped = false;
                else if (!(t = add_thread(s, (pid_t)tid)))
                        return log_error_errno(ENOMEM, "process %d has too many threads to stop (more than %u)",
                                               (int)s->pid, PTRACE_STOP_THREADS_MAX);
                int r = seize_thread(s, t);
                if (r < 0)
                        return r;
                if (t->gone)
                        continue;
                (*found)++;
                if (again && t->tid == s->pid)
                        s->exec_seen = true; /* the main thread's id, back in a new image (fs/exec.c de_thread) */
        }
        return 0;
}

/*
 * seize_new_threads with the waiter armed (seize_waiter.h: an exec midway
 * would otherwise hang us both); what it took is handled as if waited for.
 */
static int seize_waiting(struct ptrace_stop *s, size_t *found)
{
        struct seize_waiter waiter;
        _cleanup_free_ struct wait_status *taken = calloc(SEIZE_WAITER_MAX, sizeof(*taken));
        if (!taken)
                return log_error_errno(ENOMEM, "cannot stop process %d: %m", (int)s->pid);

        int r = seize_waiter_begin(&waiter);
        if (r < 0)
                return log_error_errno(r, "cannot set a timer to stop process %d: %m", (int)s->pid);
        r = seize_new_threads(s, found);
        size_t n = seize_waiter_end(&waiter, taken);
        for (size_t i = 0; i < n; i++) {
                int h = handle_status(s, taken[i].tid, taken[i].status);
                if (h < 0 && r >= 0)
                        r = h;
        }
        return r;
}

static size_t live_threads(const struct ptrace_stop *s)
{
        size_t n = 0;
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].stopped && !s->v[i].gone)
                        n++;
        return n;
}

int ptrace_stop_all(struct ptrace_stop *s, pid_t pid, int proc_fd, struct interrupt_guard *intr)
{
        s->pid = pid;
        s->proc_fd = proc_fd;
        s->intr = intr;

        bool none_alive = false;
        for (unsigned round = 0;; round++) {
                size_t found = 0;
                int r = seize_waiting(s, &found);
                if (r == -ESRCH)
                        return log_error_errno(ESRCH, "process %d exited while memsnap was stopping it", (int)pid);
                if (r < 0)
                        return r;
                if (round == 0)
                        test_hold_at(s->hold, "stopping");

                r = wait_settled(s, PTRACE_STOP_TIMEOUT_MS, true);
                if (r == -EINTR)
                        return r; /* the caller says so, once */
                if (r == -ETIMEDOUT) {
                        const struct stopped_thread *t = first_unsettled(s);
                        char st = t ? proc_read_thread_state(s->proc_fd, t->tid) : '?';
                        return log_error_errno(ETIMEDOUT,
                                               "thread %d of process %d did not stop within %d s (state '%c'%s); nothing was captured",
                                               t ? (int)t->tid : 0, (int)pid, PTRACE_STOP_TIMEOUT_MS / 1000, st ? st : '?',
                                               st == 'D' ? ": uninterruptible sleep in the kernel" : "");
                }
                if (r < 0)
                        return r;
                if (s->exec_seen)
                        return log_error_errno(EBUSY, "process %d called exec while memsnap was stopping it; try again",
                                               (int)pid);
                if (live_threads(s) == 0) {
                        /*
                         * Every thread we stopped died: the process exited, or
                         * an exec left a new image under its id.  One more look
                         * at the task list tells which.
                         */
                        if (found == 0 && none_alive)
                                return log_error_errno(ESRCH, "process %d exited while memsnap was stopping it", (int)pid);
                        none_alive = true;
                        continue;
                }
                none_alive = false;
                /* Stable: every thread listed is stopped, and no stopped thread can make another. */
                if (round > 0 && found == 0)
                        return 0;
        }
}

static int by_tid(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

pid_t *ptrace_stop_tids(const struct ptrace_stop *s, size_t *n)
{
        pid_t *tids = calloc(s->n ? s->n : 1, sizeof(*tids));
        if (!tids)
                return NULL;
        *n = 0;
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].stopped && !s->v[i].gone)
                        tids[(*n)++] = s->v[i].tid;
        qsort(tids, *n, sizeof(*tids), by_tid);
        for (size_t i = 1; i < *n; i++)
                if (tids[i] == s->pid) {
                        memmove(&tids[1], &tids[0], i * sizeof(*tids));
                        tids[0] = s->pid;
                }
        return tids;
}

/*
 * A thread in its ptrace-stop answers PTRACE_GETEVENTMSG; one that a SIGKILL
 * woke does not (kernel/ptrace.c ptrace_freeze_traced refuses a task with a
 * fatal signal pending), from the moment kill() returns, although its exit
 * is reported to us only later.  Such a thread is no longer stopped.
 */
static bool thread_answers(const struct stopped_thread *t)
{
        unsigned long msg;
        return ptrace(PTRACE_GETEVENTMSG, t->tid, NULL, &msg) == 0 || errno != ESRCH;
}

bool ptrace_stop_held(struct ptrace_stop *s)
{
        for (size_t i = 0; i < s->n; i++)
                if (s->v[i].stopped && !s->v[i].gone && !thread_answers(&s->v[i]))
                        return false;
        return true;
}

bool ptrace_stop_alive(struct ptrace_stop *s)
{
        (void)drain_events(s);
        /*
         * A killed thread's exit report may not have come yet: wait for it
         * (each dying thread does report, to its tracer), so the verdict
         * does not depend on how fast the kernel tears the process down.
         */
        bool dying = false;
        for (size_t i = 0; i < s->n; i++) {
                struct stopped_thread *t = &s->v[i];
                if (t->seized && t->stopped && !t->gone && !thread_answers(t)) {
                        t->stopped = false;
                        dying = true;
                }
        }
        if (dying)
                (void)wait_settled(s, PTRACE_STOP_TIMEOUT_MS, false);
        return live_threads(s) > 0;
}

void ptrace_stop_release(struct ptrace_stop *s)
{
        if (!s->active)
                return;

        /*
         * A seized thread must be stopped before PTRACE_DETACH takes it.  After
         * an exec, the threads it killed or renamed will never stop: they are
         * let go at once, without waiting; a thread of the new image we
         * interrupted is waited for as any other (it stops at once).
         */
        if (!all_settled(s) && s->exec_seen)
                forget_lost(s);
        if (!all_settled(s))
                (void)wait_settled(s, RELEASE_WAIT_MS, false);

        for (size_t i = 0; i < s->n; i++) {
                struct stopped_thread *t = &s->v[i];
                if (!t->seized || t->gone)
                        continue;
                if (ptrace(PTRACE_DETACH, t->tid, NULL, (void *)(long)t->resume_signal) < 0 && errno != ESRCH)
                        log_warning("cannot detach from thread %d of process %d: %s; it is released when memsnap exits",
                                    (int)t->tid, (int)s->pid, strerror(errno));
                t->seized = false;
                t->stopped = false;
        }
        clock_gettime(CLOCK_MONOTONIC, &s->resumed_at);
        /* Reap the exit statuses of threads that died traced. */
        for (;;) {
                int status;
                if (waitpid(-1, &status, __WALL | WNOHANG) <= 0)
                        break;
        }
        s->active = false;
}

void ptrace_stop_done(struct ptrace_stop *s)
{
        ptrace_stop_release(s);
        free(s->v);
        s->v = NULL;
        s->n = s->cap = 0;
}

double ptrace_stop_pause_ms(const struct ptrace_stop *s)
{
        if (s->stopped_at.tv_sec == 0 && s->stopped_at.tv_nsec == 0)
                return 0;
        return timespec_diff_ms(&s->stopped_at, &s->resumed_at);
}
