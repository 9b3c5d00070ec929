/*
 * The wait between two snapshots of a watch: asleep in poll(2) until the
 * next snapshot is due, an interrupting signal comes (a signalfd: SIGINT,
 * SIGTERM, SIGHUP, blocked for the whole run), or the target exits (a
 * pidfd, readable once the process has ended).  Never a busy loop, and no
 * race: a signal that came during a snapshot is pending, and the signalfd
 * is readable at once.
 */
#ifndef MEMSNAP_WATCH_WAIT_H
#define MEMSNAP_WATCH_WAIT_H

#include <sys/types.h>
#include <time.h>

struct watch_wait {
        int signal_fd;
        int pid_fd;
};

#define WATCH_WAIT_INIT { -1, -1 }

enum watch_wait_end {
        WATCH_WAIT_DUE,       /* the deadline came */
        WATCH_WAIT_SIGNAL,    /* an interrupting signal, taken */
        WATCH_WAIT_EXITED,    /* the target is gone */
};

/* Opens the signalfd and the target's pidfd.  Logs and returns -errno (-ESRCH: no such process). */
int watch_wait_open(struct watch_wait *w, pid_t pid);

/*
 * Waits until deadline (CLOCK_MONOTONIC; one in the past only looks).
 * Returns an enum watch_wait_end, with the signal in *sig for
 * WATCH_WAIT_SIGNAL, or -errno after a message.
 */
int watch_wait_until(struct watch_wait *w, const struct timespec *deadline, int *sig);

void watch_wait_close(struct watch_wait *w);

#endif
